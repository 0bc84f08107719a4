/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu-fpu: a vCPU's FPU, MMX and SSE registers are its own and survive
 * whatever happens between two of its instructions: a #PF, a #GP and an
 * int3 the guest handles, hypercalls, a trip to ring 3 and back, a slice
 * ending under it, and the #NM of its own TS (fpu_taskswitch), after which
 * the handler finds them too. A fresh vCPU starts with clean registers.
 * (In the simulator, every trap that re-enters the engine through a ring
 * template used to reset them.)
 */
#include "guest.h"
#include "traps.h"
#include "events.h"
#include "fpu.h"

const char test_title[] = "FPU, MMX and SSE registers survive traps, hypercalls and TS";

#define SEED 3

extern char pf_at[], gp_at[], nm_at[];

static unsigned long __user_text user_nop(unsigned long arg)
{
    return arg + 1;
}

/* int3 is a trap: eip is past it already, nothing to fix up. */
static bool resume_traps(struct guest_frame *f)
{
    return f->vector == 3;
}

static void check(uint32_t round, bool mmx, const char *when)
{
    if ( !fpu_check(SEED, round, mmx, when) )
        test_fail("registers changed: %s\n", when);
}

static void traps_between(uint32_t round, bool mmx)
{
    uint32_t cr0;
    uint64_t t;

    fpu_load(SEED, round, mmx);
    check(round, mmx, "loaded");

    asm volatile ( "pf_at: movl $1, 0x40000000; pf_fix:" GUEST_EXTABLE(pf_at, pf_fix) ::: "memory" );
    if ( guest_last_fault.vector != 14 )
        test_fail("no #PF\n");
    check(round, mmx, "after a #PF the guest handled");

    asm volatile ( "gp_at: hlt; gp_fix:" GUEST_EXTABLE(gp_at, gp_fix) ::: "memory" );
    if ( guest_last_fault.vector != 13 )
        test_fail("no #GP\n");
    check(round, mmx, "after a #GP the guest handled");

    asm volatile ( "int3" ::: "memory" );
    check(round, mmx, "after an int3");

    CHECK_RC(HYPERVISOR_xen_version(XENVER_version, NULL), 0x40011);
    CHECK_RC(HYPERVISOR_sched_op(SCHEDOP_yield, NULL), 0);
    check(round, mmx, "after hypercalls and a yield");

    if ( guest_exec_user(user_nop, 41) != 42 )
        test_fail("ring 3 round trip\n");
    check(round, mmx, "after a trip to ring 3");

    /* A slice's worth of work: the timer takes the CPU and gives it back. */
    for ( t = time_now_ns(); time_now_ns() - t < 20000000; )
        ;
    check(round, mmx, "after 20 ms of preemptible work");

    /* The guest's own TS: its #NM, in its handler, then the registers. */
    CHECK_RC(HYPERVISOR_fpu_taskswitch(1), 0);
    guest_last_fault.vector = 0;
    asm volatile ( "nm_at: fnop; nm_fix:" GUEST_EXTABLE(nm_at, nm_fix) ::: "memory" );
    if ( guest_last_fault.vector != 7 || guest_last_fault.eip != (uint32_t)nm_at )
        test_fail("fnop with TS: vector %u at %#x, expected #NM\n", guest_last_fault.vector,
                  guest_last_fault.eip);
    asm volatile ( "mov %%cr0, %0" : "=r" (cr0) );
    if ( cr0 & 8 )
        test_fail("TS still set after the #NM: cr0 %#x\n", cr0);
    check(round, mmx, "after the guest's own #NM");
}

void test_main(void)
{
    events_init();
    guest_traps_init();
    guest_trap_hook = resume_traps;

    if ( !fpu_check_clean("start of day") )
        test_fail("a fresh vCPU's registers are not clean\n");

    traps_between(1, false);
    printk("x87 stack, XMM, FCW and MXCSR intact across every trap\n");
    traps_between(2, true);
    printk("MMX, XMM, FCW and MXCSR intact across every trap\n");
    test_pass();
}
