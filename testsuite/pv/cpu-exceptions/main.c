/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu-exceptions: each CPU exception a guest can raise reaches its handler
 * in ring 1 with the frame Xen x86_32 builds - error code where the CPU has
 * one, eip at the faulting instruction (after it for traps), cs with the
 * saved upcall mask in bits 16-23, EIFLAGS.IF = !mask - and from ring 3 on
 * the kernel stack with the user's esp and ss.
 */
#include "guest.h"
#include "traps.h"

const char test_title[] = "Exceptions are reflected with Xen's bounce frame";

static struct guest_frame seen;
static uint32_t seen_esp;

/* Keep a copy of every frame; the exception table resumes. */
static bool record(struct guest_frame *f)
{
    seen = *f;
    seen_esp = (uint32_t)(unsigned long)&f->eip;
    return f->vector == 3 || f->vector == 4;    /* traps: eip is past already */
}

static void expect(const char *what, unsigned int vec, uint32_t err, uint32_t eip, uint32_t cs)
{
    if ( seen.vector != vec || seen.error != err || seen.eip != eip || (seen.cs & 0xffff) != cs )
        test_fail("%s: vector %u error %#x eip %#x cs %#x, expected %u %#x %#x %#x\n", what,
                  seen.vector, seen.error, seen.eip, seen.cs & 0xffff, vec, err, eip, cs);
    /* Events are masked from the start of day: mask 1, IF clear. */
    if ( (seen.cs >> 16) != 1 || (seen.eflags & 0x200) )
        test_fail("%s: saved mask %#x eflags %#x, expected mask 1 and IF clear\n", what,
                  seen.cs >> 16, seen.eflags);
    memset(&seen, 0, sizeof(seen));
}

extern char de_at[], bp_after[], of_after[], br_at[], ud_at[], gp_at[], pf_at[], ro_at[];
extern char upf_at[];

static unsigned long __user_text user_read_kernel(unsigned long p)
{
    unsigned long v;

    asm volatile ( "upf_at: mov (%1), %0; upf_fix:" GUEST_EXTABLE(upf_at, upf_fix)
                   : "=r" (v) : "r" (p), "0" (0) : "memory" );
    return v;
}

void test_main(void)
{
    uint32_t bound[2] = { 10, 20 };
    unsigned long cr2;

    guest_traps_init();
    guest_trap_hook = record;

    asm volatile ( "de_at: divl %%ecx; de_fix:" GUEST_EXTABLE(de_at, de_fix)
                   :: "a" (1), "d" (0), "c" (0) : "memory" );
    expect("#DE", 0, 0, (uint32_t)de_at, FLAT_RING1_CS);

    asm volatile ( "int3; bp_after:" ::: "memory" );
    expect("#BP", 3, 0, (uint32_t)bp_after, FLAT_RING1_CS);

    asm volatile ( "mov $0x7fffffff, %%eax; add $1, %%eax; into; of_after:" ::: "eax", "cc", "memory" );
    expect("#OF", 4, 0, (uint32_t)of_after, FLAT_RING1_CS);

    asm volatile ( "br_at: bound %%eax, (%0); br_fix:" GUEST_EXTABLE(br_at, br_fix)
                   :: "r" (bound), "a" (30) : "memory" );
    expect("#BR", 5, 0, (uint32_t)br_at, FLAT_RING1_CS);

    asm volatile ( "ud_at: ud2; ud_fix:" GUEST_EXTABLE(ud_at, ud_fix) ::: "memory" );
    expect("#UD", 6, 0, (uint32_t)ud_at, FLAT_RING1_CS);

    asm volatile ( "gp_at: hlt; gp_fix:" GUEST_EXTABLE(gp_at, gp_fix) ::: "memory" );
    expect("#GP (hlt in ring 1)", 13, 0, (uint32_t)gp_at, FLAT_RING1_CS);

    asm volatile ( "pf_at: movl $1, 0x40000000; pf_fix:" GUEST_EXTABLE(pf_at, pf_fix) ::: "memory" );
    expect("#PF (write, not present)", 14, 2, (uint32_t)pf_at, FLAT_RING1_CS);
    asm volatile ( "mov %%cr2, %0" : "=r" (cr2) );
    if ( cr2 != 0x40000000 )
        test_fail("#PF: cr2 %#lx, expected 0x40000000\n", cr2);

    /* The page tables are mapped read-only. */
    asm volatile ( "ro_at: addl $0, (%0); ro_fix:" GUEST_EXTABLE(ro_at, ro_fix)
                   :: "r" (start_info->pt_base) : "memory" );
    expect("#PF (write, read-only)", 14, 3, (uint32_t)ro_at, FLAT_RING1_CS);
    asm volatile ( "mov %%cr2, %0" : "=r" (cr2) );
    if ( cr2 != start_info->pt_base )
        test_fail("#PF: cr2 %#lx, expected %#lx\n", cr2, (unsigned long)start_info->pt_base);

    /* From ring 3: a read of a supervisor page, on the kernel stack. */
    guest_exec_user(user_read_kernel, (unsigned long)&bound);
    if ( seen.vector != 14 || seen.error != 5 || seen.eip != (uint32_t)upf_at ||
         (seen.cs & 0xffff) != FLAT_RING3_CS || seen.ss != FLAT_RING3_SS ||
         seen_esp + 20 != (uint32_t)guest_trap_stack_top )
        test_fail("ring-3 #PF: vector %u error %#x eip %#x cs %#x ss %#x frame end %#x\n",
                  seen.vector, seen.error, seen.eip, seen.cs, seen.ss, seen_esp + 20);
    if ( (seen.cs >> 16) != 0 || !(seen.eflags & 0x200) )
        test_fail("ring-3 #PF: mask %#x eflags %#x, expected 0 and IF (iret set IF)\n",
                  seen.cs >> 16, seen.eflags);

    test_pass();
}
