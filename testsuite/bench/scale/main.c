/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench-scale - many small domains: the initial domain waits until domains
 * 1..N have all come and gone; each of those (the same image, one module
 * with count=N) powers off as soon as it runs.
 *
 *   pvx-sim --mem=2G bench-scale.elf=domains=1000 bench-scale.elf="name=s mem=256K count=1000"
 *
 *   domains=N   (domain 0) how many domains to wait for (0: none, the
 *               simulator's baseline run)
 *
 * What the driver reads is the hypervisor's own log: each "domain K
 * destroyed: F frames returned" line says what the domain held.
 */
#include "../bench.h"
#include <events.h>
#include <public/pvx.h>

const char test_title[] = "bench-scale: boot, run and reap many small domains";

static bool domain_gone(domid_t d)
{
    struct xen_domctl op;

    memset(&op, 0, sizeof(op));
    op.cmd = XEN_DOMCTL_pvx_getinfo;
    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op.domain = d;
    return HYPERVISOR_domctl(&op) == -ESRCH;
}

void test_main(void)
{
    unsigned long n = bench_arg("domains", 0);
    evtchn_port_t dom_exc;

    if ( !(start_info->flags & SIF_INITDOMAIN) )
        guest_shutdown(SHUTDOWN_poweroff);
    events_init();
    if ( evtchn_bind_virq(VIRQ_DOM_EXC, &dom_exc) )
        return test_fail("bind_virq(VIRQ_DOM_EXC) failed\n");
    for ( domid_t d = 1; d <= n; d++ )
        /* VIRQ_DOM_EXC merges (one event for several domains) and comes
         * when a domain stops, before it is reaped: look, and look again. */
        while ( !domain_gone(d) )
            sched_poll(dom_exc, time_now_ns() + 1000000);
    bench_result("domains", n);
    test_pass();
}
