/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench-net - packets between the initial domain and the wire, through the
 * interim NIC path and the VFR (issue 15's figures, domain <-> wire).
 *
 *   n=N             N UDP datagrams of 64 bytes of payload to the broadcast
 *                   address (nobody answers; the NIC's wire may go nowhere),
 *                   every completion waited for: domain -> wire (the
 *                   user network's peer drops them)
 *   n=N ping=1      N ICMP echo round trips with the user network's gateway
 *                   10.0.2.2 (libslirp, QEMU's user network): domain -> wire
 *                   -> domain
 *   n=0             only the set-up (the simulator's baseline run)
 *
 * The VIF gets 10.0.2.15 through the VFR domctl first (no DHCP: the figure
 * is the path, not the lease). Prints "bench net_tsc C" (TSC cycles of the
 * loop) and "bench n N".
 */
#include "../bench.h"
#include <events.h>
#include <net/link_pvx.h>
#include <net/net.h>
#include <public/pvx.h>

const char test_title[] = "bench-net: packets between the initial domain and the wire";

#define MY_IP   0x0a00020fu
#define GATEWAY 0x0a000202u

static struct net_link link;
static struct net_if nif;

void test_main(void)
{
    unsigned long n = bench_arg("n", 0), ping = bench_arg("ping", 0);
    static const uint8_t payload[64] = "pvx bench-net";
    struct xen_domctl op;
    uint64_t t0, t1;
    long rc;

    events_init();
    if ( (rc = link_pvx_init(&link)) )
        return test_fail("the interim NIC path: setup %ld\n", rc);
    net_init(&nif, &link);
    nif.ip = MY_IP;
    nif.netmask = 0xffffff00u;
    memset(&op, 0, sizeof(op));
    op.cmd = XEN_DOMCTL_pvx_vfr_vif;
    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op.domain = DOMID_SELF;
    op.u.pvx_vfr_vif.set_ipv4 = 1;
    op.u.pvx_vfr_vif.ipv4 = MY_IP;
    if ( (rc = HYPERVISOR_domctl(&op)) )
        return test_fail("the VIF's address: %ld\n", rc);
    if ( ping && n && net_ping(&nif, GATEWAY, 1, 0, 2000000000ull) )
        return test_fail("no first reply from 10.0.2.2\n");   /* ARP resolved, warm */

    t0 = bench_rdtsc();
    for ( unsigned long i = 0; i < n; i++ )
    {
        rc = ping ? net_ping(&nif, GATEWAY, 1, (uint16_t)(i + 1), 2000000000ull)
                  : net_udp_send(&nif, 0xffffffffu, 1024, 9, payload, sizeof(payload));
        if ( rc )
            return test_fail("packet %lu: %ld\n", i, rc);
    }
    /* Every transmit completed: the frames left. */
    while ( link_pvx_stats.tx_done < link_pvx_stats.tx - link_pvx_stats.tx_dropped )
        link.recv(&link, nif.frame, sizeof(nif.frame), time_now_ns() + 1000000);
    t1 = bench_rdtsc();
    bench_result("net_tsc", t1 - t0);
    bench_result("n", n);
    test_pass();
}
