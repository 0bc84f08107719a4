/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * net-dhcp-ping: the initial domain on a real peer's network (issue 15).
 *
 * Through the interim NIC path and the VFR, guests/lib/net gets a DHCP
 * lease from the user network's server (libslirp in pvx-sim, QEMU's user
 * network on QEMU: a stack nobody here wrote), tells the VFR the address
 * (the anti-spoofing rule lets only 0.0.0.0's DHCP out before), and pings
 * the gateway 10.0.2.2 (its DHCP server: a restricted user network names no
 * router). Then the firewall: a spoofed source is dropped and
 * counted; a transmit rule that drops ICMP to the gateway stops the ping
 * and counts its hit, removed it lets it through again.
 *
 * Arguments: pings=N (default 3).
 */
#include "guest.h"
#include "events.h"
#include "net/link_pvx.h"
#include "net/net.h"
#include <public/pvx.h>

const char test_title[] = "net-dhcp-ping: a DHCP lease and pings through the VFR to a real peer";

#define GATEWAY 0x0a000202u

static struct net_link link;
static struct net_if nif;


static long vif_counters(uint32_t vif, struct xen_domctl_pvx_vfr_vif *out)
{
    struct xen_domctl op;
    long rc;

    memset(&op, 0, sizeof(op));
    op.u.pvx_vfr_vif.vif = vif;
    rc = hypercall_domctl(XEN_DOMCTL_pvx_vfr_vif, DOMID_SELF, &op);
    *out = op.u.pvx_vfr_vif;
    return rc;
}

/* A UDP datagram from an address that is not ours, sent as is. */
static int send_spoofed(void)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    uint8_t f[60];

    return link.send(&link, f, net_udp_frame(f, bcast, link.mac, nif.ip + 1 /* a neighbour's */,
                                             GATEWAY, 1234, 9));
}

void test_main(void)
{
    uint32_t pings = guest_arg_u32("pings=", 3);
    struct xen_domctl_pvx_vfr_vif vif;
    struct xen_domctl op;
    char a[16], g[16], d[16];
    long rc;

    events_init();
    rc = link_pvx_init(&link);
    if ( rc == -ENODEV )
        return test_skip("this machine has no NIC (pvx-sim --net=user, pvx-qemu --net=user)\n");
    if ( rc )
        return test_fail("the interim NIC path: setup %ld\n", rc);
    net_init(&nif, &link);

    rc = net_dhcp(&nif, 0x70760001u, 5000000000ull);
    if ( rc )
        return test_fail("DHCP: %ld\n", rc);
    net_ip_str(a, sizeof(a), nif.ip);
    net_ip_str(g, sizeof(g), nif.gateway);
    net_ip_str(d, sizeof(d), nif.dhcp_server);
    printk("DHCP: lease of %s (mask %#x) from %s, router %s, %u s\n", a, nif.netmask, d,
           nif.gateway ? g : "none", nif.lease_s);
    /* A restricted user network names no router: its server is the gateway. */
    if ( nif.dhcp_server != GATEWAY )
        return test_fail("the DHCP server is %s, expected 10.0.2.2\n", d);
    net_ip_str(g, sizeof(g), GATEWAY);

    /* Before the VFR knows the address, the ping's ARP is refused as spoofing. */
    if ( net_ping(&nif, GATEWAY, 0x7076, 0, 200000000ull) != -ETIME )
        return test_fail("a ping went out before the VIF had its address\n");
    memset(&op, 0, sizeof(op));
    op.u.pvx_vfr_vif.vif = 0;
    op.u.pvx_vfr_vif.set_ipv4 = 1;
    op.u.pvx_vfr_vif.ipv4 = nif.ip;
    CHECK_RC(hypercall_domctl(XEN_DOMCTL_pvx_vfr_vif, DOMID_SELF, &op), 0);

    for ( uint32_t i = 1; i <= pings; i++ )
    {
        rc = net_ping(&nif, GATEWAY, 0x7076, (uint16_t)i, 2000000000ull);
        if ( rc )
            return test_fail("ping %u to %s: %ld\n", i, g, rc);
        printk("ping %u: reply from %s\n", i, g);
    }

    /* A spoofed source: dropped by the VFR and counted, never on the wire. */
    CHECK_RC(vif_counters(0, &vif), 0);
    {
        uint64_t spoofed = vif.tx_spoofed;

        CHECK_RC(send_spoofed(), 0);
        CHECK_RC(vif_counters(0, &vif), 0);
        if ( vif.tx_spoofed != spoofed + 1 )
            return test_fail("the spoofed datagram was not counted (%llu, then %llu)\n",
                             (unsigned long long)spoofed, (unsigned long long)vif.tx_spoofed);
        printk("a spoofed source: dropped and counted\n");
    }

    /* A firewall rule: ICMP to the gateway dropped on transmit. */
    memset(&op, 0, sizeof(op));
    op.u.pvx_vfr.dir = PVX_VFR_TX;
    op.u.pvx_vfr.rule.in_vif = PVX_VFR_ANY_VIF;
    op.u.pvx_vfr.rule.action = PVX_VFR_DROP;
    op.u.pvx_vfr.rule.proto = IP_PROTO_ICMP;
    op.u.pvx_vfr.rule.dst_ip = GATEWAY;
    op.u.pvx_vfr.rule.dst_ip_mask = 0xffffffffu;
    CHECK_RC(hypercall_domctl(XEN_DOMCTL_pvx_vfr_add, DOMID_SELF, &op), 0);
    if ( net_ping(&nif, GATEWAY, 0x7076, 100, 200000000ull) != -ETIME )
        return test_fail("a ping passed the rule that drops it\n");
    memset(&op.u, 0, sizeof(op.u));
    op.u.pvx_vfr.dir = PVX_VFR_TX;
    CHECK_RC(hypercall_domctl(XEN_DOMCTL_pvx_vfr_list, DOMID_SELF, &op), 0);
    if ( op.u.pvx_vfr.rule.hits != 1 )
        return test_fail("the rule counts %llu hits, expected 1\n",
                         (unsigned long long)op.u.pvx_vfr.rule.hits);
    CHECK_RC(hypercall_domctl(XEN_DOMCTL_pvx_vfr_remove, DOMID_SELF, &op), 0);
    if ( net_ping(&nif, GATEWAY, 0x7076, 101, 2000000000ull) )
        return test_fail("no reply after the rule went\n");
    printk("a rule dropping ICMP to the gateway: 1 hit, the ping through once it went\n");

    CHECK_RC(vif_counters(0, &vif), 0);
    printk("info: VIF 0: sent %llu, spoofed %llu, dropped %llu, received %llu, no frame %llu\n",
           (unsigned long long)vif.tx_sent, (unsigned long long)vif.tx_spoofed,
           (unsigned long long)vif.tx_dropped, (unsigned long long)vif.rx_delivered,
           (unsigned long long)vif.rx_dropped);
    test_pass();
}
