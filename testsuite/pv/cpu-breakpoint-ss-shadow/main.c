/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu-breakpoint-ss-shadow: a data breakpoint hit by a load of ss traps
 * after the instruction that follows it, as hardware holds debug exceptions
 * off for one instruction after `mov ..., %ss` and `pop %ss` (what XSA-260
 * turned on). When that instruction enters the hypervisor (a hypercall, a
 * fault), hardware delivers the #DB in ring 0, where pvx (as Xen) drops it:
 * the guest sees no #DB, only the hypercall or its fault. On every machine,
 * QEMU's TCG included: TCG delivers the #DB at once and pvx on x86 defers it
 * itself (arch-x86/traps.c, "mov ss shadow").
 */
#include "guest.h"
#include "traps.h"
#include <public/version.h>

#define VEC_DB 1
#define VEC_UD 6
#define EFLAGS_TF 0x100u

const char test_title[] = "A breakpoint hit by mov to ss traps one instruction later";

extern char ss_at[], ss_next[], ss_after[];
extern char pop_next[], pop_after[];
extern char hc_at[], hc_after[];
extern char ud_at[], ud_fix[];

static uint32_t ss_value;
static uint32_t alt_stack[256];         /* pop %ss reads its slot; the #DB frame lands below */
static uint32_t saved_esp __attribute__((used));

static unsigned int db_count, other_count;
static uint32_t db_eip, db_dr6, last_eflags, other_vector, other_eip;

static bool db_hook(struct guest_frame *f)
{
    last_eflags = f->eflags;
    if ( f->vector != VEC_DB )
    {
        other_count++;
        other_vector = f->vector;
        other_eip = f->eip;
        return false;                   /* the extable fixes the #UD up */
    }
    db_count++;
    db_eip = f->eip;
    asm volatile ( "mov %%dr6, %0" : "=r" (db_dr6) );
    asm volatile ( "mov %0, %%dr6" :: "r" (0xffff0ff0u) );
    return true;
}

static void arm(uint32_t addr)
{
    CHECK_RC(HYPERVISOR_set_debugreg(0, addr), 0);
    CHECK_RC(HYPERVISOR_set_debugreg(7, 0x1 | (3u << 16) | (3u << 18)), 0);   /* L0, RW, 4 bytes */
    db_count = other_count = 0;
    db_eip = db_dr6 = 0;
}

static void disarm(void)
{
    CHECK_RC(HYPERVISOR_set_debugreg(7, 0), 0);
}

/* One #DB at `at`, DR6 saying breakpoint 0 and no single step, TF clear in
 * the frame the guest got. */
static void expect_db(const char *what, const char *at, const char *not_at)
{
    if ( db_count != 1 || db_eip != (uint32_t)at )
        test_fail("%s: %u #DB, last at %#x; expected one at %#x, not %#x\n",
                  what, db_count, db_eip, (uint32_t)at, (uint32_t)not_at);
    if ( (db_dr6 & 0x400f) != 0x1 )
        test_fail("%s: DR6 %#x, expected B0 alone\n", what, db_dr6);
    if ( last_eflags & EFLAGS_TF )
        test_fail("%s: TF set in the guest's #DB frame (eflags %#x)\n", what, last_eflags);
    printk("  %s: #DB after the next instruction, DR6 %#x\n", what, db_dr6);
}

void test_main(void)
{
    long ver, rc;
    uint32_t eflags;

    guest_traps_init();
    guest_trap_hook = db_hook;
    asm volatile ( "mov %%ss, %0" : "=r" (ss_value) );

    /* mov to ss, then a nop: the trap comes after the nop. */
    arm((uint32_t)&ss_value);
    asm volatile ( "ss_at: mov %0, %%ss; ss_next: nop; ss_after: nop" :: "m" (ss_value) : "memory" );
    disarm();
    expect_db("mov ss; nop", ss_after, ss_next);

    /* pop ss from a stack of our own, whose top slot holds ss; the next
     * instruction goes back to our stack, where the #DB's frame lands. */
    alt_stack[200] = ss_value;
    arm((uint32_t)&alt_stack[200]);
    asm volatile ( "mov %%esp, saved_esp; mov %0, %%esp;"
                   "pop %%ss; pop_next: mov saved_esp, %%esp; pop_after:"
                   :: "r" (&alt_stack[200]) : "memory" );
    disarm();
    expect_db("pop ss; nop", pop_after, pop_next);

    /* mov to ss, then a hypercall: hardware's #DB lands in ring 0 and is
     * dropped there; the guest gets the hypercall's result and no #DB. */
    ver = HYPERVISOR_xen_version(XENVER_version, NULL);
    arm((uint32_t)&ss_value);
    asm volatile ( "hc_at: mov %[ss], %%ss; int $0x82; hc_after: pushf; pop %[fl]"
                   : "=a" (rc), [fl] "=r" (eflags)
                   : "a" (__HYPERVISOR_xen_version), "b" (XENVER_version), "c" (0), [ss] "m" (ss_value)
                   : "memory" );
    disarm();
    if ( rc != ver || db_count != 0 )
        test_fail("mov ss; hypercall: result %#lx (expected %#lx), %u #DB (last at %#x)\n",
                  rc, ver, db_count, db_eip);
    if ( eflags & EFLAGS_TF )
        test_fail("mov ss; hypercall: TF set after the hypercall (eflags %#x)\n", eflags);
    printk("  mov ss; hypercall: its result, no #DB\n");

    /* mov to ss, then a faulting instruction: the fault, no #DB. */
    arm((uint32_t)&ss_value);
    asm volatile ( "mov %0, %%ss; ud_at: ud2; ud_fix:" GUEST_EXTABLE(ud_at, ud_fix)
                   :: "m" (ss_value) : "memory" );
    disarm();
    if ( db_count != 0 || other_count != 1 || other_vector != VEC_UD ||
         other_eip != (uint32_t)ud_at )
        test_fail("mov ss; ud2: %u #DB, %u other (vector %u at %#x); expected one #UD at %#x\n",
                  db_count, other_count, other_vector, other_eip, (uint32_t)ud_at);
    if ( last_eflags & EFLAGS_TF )
        test_fail("mov ss; ud2: TF set in the #UD frame (eflags %#x)\n", last_eflags);
    printk("  mov ss; ud2: #UD, no #DB\n");
    test_pass();
}
