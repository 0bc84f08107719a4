/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench-yield - the domain switch: n rounds of SCHEDOP_yield. Alone, a yield
 * is a hypercall and a scheduling decision that picks the same vCPU again
 * ("continue"); with a second domain doing the same, every yield switches
 * domains (page tables, the vCPU's trap and GDT state, its time info). The
 * driver compares one domain yielding 2n times with two yielding n times
 * each: the difference per yield is what a domain switch costs.
 *
 *   n=N       yields (0: only the boot, the simulator's baseline run)
 *   wait=1    (domain 0) after the loop, wait until the other domain is gone
 *             (VIRQ_DOM_EXC): the initial domain's end is the machine's
 *
 * Prints "bench yield_tsc C": TSC cycles of the loop, as domain 0 sees it.
 */
#include "../bench.h"
#include <events.h>

const char test_title[] = "bench-yield: SCHEDOP_yield, alone or against another domain";

static void noinline yield_loop(unsigned long n)
{
    for ( unsigned long i = 0; i < n; i++ )
        hypercall_yield();
}

void test_main(void)
{
    unsigned long n = bench_arg("n", 0);
    evtchn_port_t dom_exc = 0;
    uint64_t t0, t1;

    events_init();
    if ( bench_arg("wait", 0) && evtchn_bind_virq(VIRQ_DOM_EXC, &dom_exc) )
        return test_fail("bind_virq(VIRQ_DOM_EXC) failed\n");
    yield_loop(n / 16 + 1);             /* warm; the other domain boots meanwhile */
    t0 = bench_rdtsc();
    yield_loop(n);
    t1 = bench_rdtsc();
    if ( dom_exc )
        while ( !evtchn_test_and_clear(dom_exc) )
            sched_poll(dom_exc, 0);
    bench_result("yield_tsc", t1 - t0);
    bench_result("n", n);
    test_pass();
}
