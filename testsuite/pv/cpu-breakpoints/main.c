/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu-breakpoints: the debug registers arm real breakpoints. A data write
 * breakpoint traps after the store that hits it (a load does not), a
 * read/write one after a load, from ring 1 and from ring 3; an execution
 * breakpoint faults at the instruction, and runs it once the handler sets RF;
 * DR6 says which hit; DR7 0 disarms. With CR4.DE set an I/O breakpoint is
 * allowed and an emulated out to its port traps after the instruction; DR4
 * and DR5 are then #UD.
 */
#include "guest.h"
#include "traps.h"

const char test_title[] = "Breakpoints: data, execution and I/O, with DR6 saying which";

#define DR6_DEFAULT 0xffff0ff0u
#define EFLAGS_RF   0x00010000u
/* DR7: enable breakpoint i locally, with R/W and LEN fields. */
#define DR7_BP(i, rw, len) ((1u << ((i) * 2)) | ((uint32_t)(rw) << (16 + (i) * 4)) | \
                            ((uint32_t)(len) << (18 + (i) * 4)))
#define RW_EXEC 0
#define RW_WRITE 1
#define RW_IO 2
#define RW_RW 3
#define LEN_1 0
#define LEN_4 3

extern char wr_at[], wr_after[], rd_at[], rd_after[], ld_at[], ld_after[], ex_at[], ex_after[];
extern char io_at[], io_after[], dr4_at[], dr4_after[], uwr_after[];

static volatile uint32_t watched, other;
static uint32_t __user_data uwatched;

static unsigned int db_count;
static uint32_t db_eip, db_dr6, db_cs;
static bool db_set_rf;

static uint32_t read_dr6(void)
{
    uint32_t v;

    asm volatile ( "mov %%dr6, %0" : "=r" (v) );
    return v;
}

/* #DB: where, what DR6 said (then reset, as a kernel does). */
static bool db_hook(struct guest_frame *f)
{
    if ( f->vector != 1 )
        return false;
    db_count++;
    db_eip = f->eip;
    db_cs = f->cs & 0xffff;
    db_dr6 = read_dr6();
    asm volatile ( "mov %0, %%dr6" :: "r" (DR6_DEFAULT) );
    if ( db_set_rf )
        f->eflags |= EFLAGS_RF;         /* run the instruction once */
    return true;
}

static void arm(unsigned int i, uint32_t addr, uint32_t dr7)
{
    CHECK_RC(HYPERVISOR_set_debugreg(i, addr), 0);
    CHECK_RC(HYPERVISOR_set_debugreg(7, dr7), 0);
    db_count = 0;
}

static void expect_db(const char *what, uint32_t eip, uint32_t hits)
{
    if ( db_count != 1 || db_eip != eip || (db_dr6 & 0xf) != hits )
        test_fail("%s: %u #DB, last at %#x DR6 %#x; expected one at %#x with B bits %#x\n",
                  what, db_count, db_eip, db_dr6, eip, hits);
}

static unsigned long __user_text user_store(unsigned long v)
{
    asm volatile ( "movl %1, %0; uwr_after:" : "=m" (uwatched) : "r" (v) : "memory" );
    return 0;
}

void test_main(void)
{
    struct physdev_set_iopl iopl = { .iopl = 1 };
    uint32_t v = 0, cr4;

    guest_traps_init();
    guest_trap_hook = db_hook;

    /* A write breakpoint: the store traps after itself; loads pass. */
    arm(0, (uint32_t)&watched, DR7_BP(0, RW_WRITE, LEN_4));
    asm volatile ( "ld_at: mov %1, %0; ld_after:" : "=r" (v) : "m" (watched) : "memory" );
    if ( db_count )
        test_fail("a load hit a write breakpoint (%u #DB)\n", db_count);
    asm volatile ( "wr_at: movl $1, %0; wr_after: nop" : "=m" (watched) :: "memory" );
    expect_db("a store on a write breakpoint", (uint32_t)wr_after, 1);

    /* A read/write breakpoint on a neighbour: a load traps. */
    arm(1, (uint32_t)&other, DR7_BP(1, RW_RW, LEN_4));
    asm volatile ( "rd_at: mov %1, %0; rd_after: nop" : "=r" (v) : "m" (other) : "memory" );
    expect_db("a load on a read/write breakpoint", (uint32_t)rd_after, 2);

    /* From ring 3, on user data. */
    arm(0, (uint32_t)&uwatched, DR7_BP(0, RW_WRITE, LEN_4));
    guest_exec_user(user_store, 7);
    expect_db("a ring-3 store", (uint32_t)uwr_after, 1);
    if ( (db_cs & 3) != 3 )
        test_fail("the ring-3 store's #DB came from cs %#x\n", db_cs);

    /* An execution breakpoint: a fault at the instruction; with RF set in
     * the frame it then runs, once. */
    db_set_rf = true;
    arm(2, (uint32_t)ex_at, DR7_BP(2, RW_EXEC, LEN_1));
    asm volatile ( "ex_at: nop; ex_after:" ::: "memory" );
    expect_db("an execution breakpoint", (uint32_t)ex_at, 4);
    db_set_rf = false;

    /* DR7 0: nothing fires. */
    arm(0, (uint32_t)&watched, 0);
    asm volatile ( "movl $2, %0" : "=m" (watched) :: "memory" );
    asm volatile ( "nop" ::: "memory" );
    if ( db_count )
        test_fail("%u #DB with DR7 clear\n", db_count);

    /* I/O breakpoints need CR4.DE; then an emulated out to the port traps. */
    CHECK_RC(HYPERVISOR_set_debugreg(7, DR7_BP(3, RW_IO, LEN_1)), -EPERM);
    asm volatile ( "mov %%cr4, %0" : "=r" (cr4) );
    if ( cr4 & 8 )
        test_fail("CR4.DE set at boot (cr4 %#x)\n", cr4);
    asm volatile ( "mov %0, %%cr4" :: "r" (cr4 | 8) );
    asm volatile ( "mov %%cr4, %0" : "=r" (cr4) );
    if ( !(cr4 & 8) )
        test_fail("CR4.DE did not stick (cr4 %#x)\n", cr4);
    CHECK_RC(HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &iopl), 0);
    arm(3, 0x80, DR7_BP(3, RW_IO, LEN_1));
    CHECK_RC(HYPERVISOR_get_debugreg(7), DR7_BP(3, RW_IO, LEN_1) | 0x400);
    asm volatile ( "io_at: outb %%al, $0x80; io_after: nop" :: "a" (0) : "memory" );
    expect_db("an out to an I/O breakpoint's port", (uint32_t)io_after, 8);
    db_count = 0;
    asm volatile ( "outb %%al, $0x84" :: "a" (0) : "memory" );
    if ( db_count )
        test_fail("an out to another port hit the I/O breakpoint\n");

    /* With CR4.DE, DR4 and DR5 are #UD (and -ENODEV through the hypercalls). */
    guest_trap_hook = NULL;
    asm volatile ( "dr4_at: mov %%dr4, %0; dr4_after:" GUEST_EXTABLE(dr4_at, dr4_after)
                   : "=r" (v) :: "memory" );
    if ( guest_last_fault.vector != 6 || guest_last_fault.eip != (uint32_t)dr4_at )
        test_fail("mov from DR4 with CR4.DE: vector %u at %#x, expected #UD\n",
                  guest_last_fault.vector, guest_last_fault.eip);
    CHECK_RC(HYPERVISOR_get_debugreg(5), -ENODEV);
    CHECK_RC(HYPERVISOR_set_debugreg(7, 0), 0);
    (void)v;
    test_pass();
}
