/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fpu-share: several domains share the one FPU (testsuite/run-scenarios.py,
 * "multi/fpu-share"). Each loads its own values - seed=N on its command
 * line, in the top byte of every value - into the x87 stack or MMX, XMM0-7,
 * the control word and MXCSR, then yields to the others and checks, round
 * after round, reloading every 10 rounds. A value of another seed is another
 * domain's register leaking in; a changed one is its own state lost.
 *
 * "sse=0" leaves XMM and MXCSR out (a machine without SSE enabled).
 *
 * Domain 0 then waits for domain 1 to end (VIRQ_DOM_EXC) and passes; every
 * other domain passes (or fails) on its own.
 */
#include "guest.h"
#include "events.h"
#include "fpu.h"

const char test_title[] = "fpu-share: domains taking turns keep their own FPU, MMX and SSE registers";

void test_main(void)
{
    uint32_t seed = guest_arg_u32("seed=", 1);
    uint32_t rounds = guest_arg_u32("rounds=", 300);
    uint32_t yields = 0;
    evtchn_port_t dom_exc = 0;
    char when[48];

    fpu_use_sse = guest_arg_u32("sse=", 1);
    events_init();
    if ( start_info->flags & SIF_INITDOMAIN )
        if ( evtchn_bind_virq(VIRQ_DOM_EXC, &dom_exc) )
            return test_fail("bind_virq(VIRQ_DOM_EXC) failed\n");

    if ( seed < 1 || seed > 8 )
        return test_error("seed=%u: want 1..8\n", seed);
    if ( !fpu_check_clean("start of day") )
        test_fail("a fresh domain's registers are not clean\n");

    for ( uint32_t r = 0; r < rounds; r++ )
    {
        uint32_t load = r / 10;
        bool mmx = load & 1;

        if ( r % 10 == 0 )
            fpu_load(seed, load, mmx);
        CHECK_RC(HYPERVISOR_sched_op(SCHEDOP_yield, NULL), 0);
        yields++;
        snprintk(when, sizeof(when), "round %u (%s) after a yield", r, mmx ? "MMX" : "x87");
        if ( !fpu_check(seed, load, mmx, when) )
            return test_fail("registers changed while other domains ran\n");
    }
    printk("%u yields, own registers intact every time\n", yields);

    if ( start_info->flags & SIF_INITDOMAIN )
    {
        wait_domain_gone(1, dom_exc);
        printk("domain 1 is gone (VIRQ_DOM_EXC)\n");
        if ( !fpu_check(seed, (rounds - 1) / 10, ((rounds - 1) / 10) & 1, "after the others ended") )
            return test_fail("registers changed while domain 1 ended\n");
    }
    test_pass();
}
