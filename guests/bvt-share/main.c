/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bvt-share: the initial domain gives domains 1, 2 and 3 (CPU-bound: they
 * never yield) BVT weights 1, 2 and 4, sleeps for a window of system time
 * (window=MS, default 10000) and checks that they got 1/7, 2/7 and 4/7 of
 * the CPU (tolerance=PERMILLE of each share, relative; default 20 = ±2%).
 * With equal=1 (round robin) each must get 1/3 instead.
 */
#include "guest.h"
#include "events.h"
#include <public/pvx.h>

const char test_title[] = "bvt-share: CPU-bound domains with weights 1:2:4 get 1/7, 2/7, 4/7";

#define NR_HOGS 3

static long domctl(uint32_t cmd, domid_t dom, struct xen_domctl *op)
{
    op->cmd = cmd;
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op->domain = dom;
    return HYPERVISOR_domctl(op);
}

static uint64_t cpu_time(domid_t dom)
{
    struct xen_domctl op;

    memset(&op, 0, sizeof(op));
    if ( domctl(XEN_DOMCTL_pvx_getinfo, dom, &op) )
        return 0;
    return op.u.pvx_getinfo.cpu_time_ns;
}

void test_main(void)
{
    static const uint32_t weight[NR_HOGS] = { 1, 2, 4 };
    uint64_t window = (uint64_t)guest_arg_u32("window=", 10000) * 1000000ull;
    uint32_t tol = guest_arg_u32("tolerance=", 20);
    bool equal = guest_arg_u32("equal=", 0);  /* round robin: weights do not count */
    uint64_t before[NR_HOGS], used[NR_HOGS], total = 0, t0, t1;
    evtchn_port_t timer;
    struct xen_domctl op;
    bool ok = true;

    events_init();
    if ( evtchn_bind_virq(VIRQ_TIMER, &timer) )
        return test_fail("bind_virq(VIRQ_TIMER) failed\n");

    /* A weight of 0 is refused and changes nothing. */
    memset(&op, 0, sizeof(op));
    if ( domctl(XEN_DOMCTL_pvx_bvt_set, 1, &op) != -EINVAL )
        return test_fail("weight 0 was not refused with -EINVAL\n");
    for ( unsigned int i = 0; i < NR_HOGS; i++ )
    {
        memset(&op, 0, sizeof(op));
        op.u.pvx_bvt.weight = weight[i];
        if ( domctl(XEN_DOMCTL_pvx_bvt_set, (domid_t)(i + 1), &op) )
            return test_fail("cannot set the weight of domain %u\n", i + 1);
    }

    t0 = time_now_ns();
    for ( unsigned int i = 0; i < NR_HOGS; i++ )
        before[i] = cpu_time((domid_t)(i + 1));
    HYPERVISOR_set_timer_op(t0 + window);
    while ( !evtchn_test_and_clear(timer) )
        sched_poll(timer, 0);
    t1 = time_now_ns();
    for ( unsigned int i = 0; i < NR_HOGS; i++ )
    {
        used[i] = cpu_time((domid_t)(i + 1)) - before[i];
        total += used[i];
    }
    if ( total == 0 )
        return test_fail("the CPU-bound domains did not run\n");

    for ( unsigned int i = 0; i < NR_HOGS; i++ )
    {
        /* share and its error in units of 1/100000 of the CPU */
        uint32_t share = (uint32_t)(used[i] * 100000ull / total);
        uint32_t want = equal ? 100000u / NR_HOGS : weight[i] * 100000u / 7;
        uint32_t err = share > want ? share - want : want - share;
        bool good = (uint64_t)err * 1000 <= (uint64_t)want * tol;

        printk("info: domain %u weight %u: %llu ms, share %u.%03u%% (expected %u.%03u%%)\n",
               i + 1, weight[i], (unsigned long long)(used[i] / 1000000),
               share / 1000, share % 1000, want / 1000, want % 1000);
        printk("info: domain %u: relative error %u.%02u%%, tolerance %u.%u%%\n", i + 1,
               (uint32_t)((uint64_t)err * 10000 / want) / 100,
               (uint32_t)((uint64_t)err * 10000 / want) % 100, tol / 10, tol % 10);
        printk("domain %u (weight %u) share within tolerance of %u/%u: %s\n", i + 1,
               weight[i], equal ? 1 : weight[i], equal ? NR_HOGS : 7, good ? "yes" : "NO");
        ok &= good;
    }
    printk("info: window %llu ms, the three used %llu ms\n",
           (unsigned long long)((t1 - t0) / 1000000), (unsigned long long)(total / 1000000));
    if ( !ok )
        return test_fail("shares outside the tolerance\n");
    test_pass();
}
