/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * net-vif: a virtual network interface with rings (issue 15; docs/network.md),
 * one role per run (test=...):
 *
 *   wire    the initial domain makes itself a VIF (domctl), and through it
 *           and the VFR gets a DHCP lease from the user network (libslirp in
 *           pvx-sim, QEMU's on QEMU) and pings the gateway 10.0.2.2: the
 *           packets arrive by page flip. Then the rules of the issue, each
 *           seen from the guest and the counters: a spoofed source dropped
 *           and counted; a rule dropping UDP to port 53 with its hit; a
 *           packet with no frame posted dropped and counted; bad transmit
 *           descriptors and bad receive frames answered with an error and
 *           nothing changed; a ring's insane index refused.
 *   dhcp    a domain of xl's with a VIF whose address the config gave (the
 *           one the user network leases first, 10.0.2.15): a DHCP lease
 *           through it (the VFR lets a DHCP client's 0.0.0.0 out), the lease
 *           the VIF's address, pings to the gateway 10.0.2.2 by page flip
 *   flood   a domain of xl's: keep its transmit ring full of broadcasts to
 *           the wire and every receive frame posted, until it is destroyed
 *   answer  a domain of xl's: answer pings on its VIF for secs= seconds
 *   ping    a domain of xl's: ping the peer (its address's last byte peer=)
 *           count= times through the VFR, domain to domain (blocked: each
 *           must go unanswered)
 */
#include "guest.h"
#include "events.h"
#include "mm.h"
#include "netfront.h"
#include "net/net.h"
#include <public/pvx.h>

const char test_title[] = "net-vif: a VIF's rings, page flip and the VFR";

#define GATEWAY 0x0a000202u
#define DNS     0x0a000203u
#define VIF_MAC { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x01 }

static struct net_if nif;


static long vif_list(struct xen_domctl_pvx_vif *out)
{
    struct xen_domctl op;
    long rc;

    memset(&op, 0, sizeof(op));
    rc = hypercall_domctl(XEN_DOMCTL_pvx_vif_list, DOMID_SELF, &op);
    *out = op.u.pvx_vif;
    return rc;
}

static long vfr_counters(uint32_t vif, struct xen_domctl_pvx_vfr_vif *out)
{
    struct xen_domctl op;
    long rc;

    memset(&op, 0, sizeof(op));
    op.u.pvx_vfr_vif.vif = vif;
    rc = hypercall_domctl(XEN_DOMCTL_pvx_vfr_vif, DOMID_SELF, &op);
    *out = op.u.pvx_vfr_vif;
    return rc;
}

/* Post one raw transmit request and wait for its response's status. */
static int16_t raw_tx(uint32_t gref, uint16_t offset, uint16_t size)
{
    struct netif_tx_request *rq;
    uint64_t deadline = time_now_ns() + 1000000000ull;

    rq = netif_tx_front_req(&netfront.tx, netfront.tx.req_prod_pvt++);
    rq->gref = gref;
    rq->offset = offset;
    rq->flags = 0;
    rq->id = NETFRONT_TX - 1;
    rq->size = size;
    netfront.tx_busy[NETFRONT_TX - 1] = true;
    netfront.tx_status[NETFRONT_TX - 1] = 1;
    (void)netfront_kick();
    while ( netfront.tx_busy[NETFRONT_TX - 1] && time_now_ns() < deadline )
    {
        netfront_reap();
        if ( netfront.tx_busy[NETFRONT_TX - 1] )
            (void)sched_poll(netfront_port, deadline);
    }
    return netfront.tx_busy[NETFRONT_TX - 1] ? 99 : netfront.tx_status[NETFRONT_TX - 1];
}

/* Post one raw receive request (not one of netfront's pages) and take its
 * response: its status, and the frame it names. */
static int16_t raw_rx(uint32_t gref, uint32_t *back)
{
    struct netif_rx_request *rq = netif_rx_front_req(&netfront.rx, netfront.rx.req_prod_pvt++);
    uint64_t deadline = time_now_ns() + 1000000000ull;

    rq->id = 0x7fff;
    rq->pad = 0;
    rq->gref = gref;
    (void)netfront_kick();
    for ( ;; )
    {
        if ( netif_rx_front_unconsumed(&netfront.rx) )
        {
            struct netif_rx_response r = *netif_rx_front_rsp(&netfront.rx, netfront.rx.rsp_cons);

            netfront.rx.rsp_cons++;
            if ( r.id != 0x7fff )
                continue;                       /* not expected: nothing else is in flight */
            *back = r.gref;
            return r.status;
        }
        if ( time_now_ns() >= deadline )
            return 99;
        (void)sched_poll(netfront_port, deadline);
        evtchn_test_and_clear(netfront_port);
    }
}

static uint8_t scratch[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* A UDP datagram from an address that is not ours. */
static int send_spoofed(void)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

    return netfront.link.send(&netfront.link, scratch,
                              net_udp_frame(scratch, bcast, netfront.link.mac,
                                            nif.ip + 1 /* a neighbour's */, GATEWAY, 1234, 9));
}

/* pings echo requests to the gateway, each answered, received by page flip. */
static bool ping_gateway(uint32_t pings, uint16_t id)
{
    long rc;

    for ( uint32_t i = 1; i <= pings; i++ )
    {
        rc = net_ping(&nif, GATEWAY, id, (uint16_t)i, 2000000000ull);
        if ( rc )
        {
            test_fail("ping %u to 10.0.2.2: %ld\n", i, rc);
            return false;
        }
        printk("ping %u: reply from 10.0.2.2\n", i);
    }
    if ( !netfront.st.flips )
    {
        test_fail("%lu packets received, none by page flip\n", netfront.st.rx);
        return false;
    }
    return true;
}

static void test_wire(void)
{
    static const uint8_t mac[6] = VIF_MAC;
    struct xen_domctl_pvx_vfr_vif fv;
    struct xen_domctl_pvx_vif vl;
    struct xen_domctl op;
    uint32_t pings = guest_arg_u32("pings=", 3), mfn, back, vfr_vif;
    char a[16];
    long rc;

    memset(&op, 0, sizeof(op));
    memcpy(op.u.pvx_vif.mac, mac, 6);
    rc = hypercall_domctl(XEN_DOMCTL_pvx_vif_create, DOMID_SELF, &op);
    if ( rc )
        return test_fail("vif_create: %ld\n", rc);
    vfr_vif = op.u.pvx_vif.vif;
    CHECK_RC(hypercall_domctl(XEN_DOMCTL_pvx_vif_create, DOMID_SELF, &op), -EEXIST);
    op.u.pvx_vif.handle = 1;
    CHECK_RC(hypercall_domctl(XEN_DOMCTL_pvx_vif_create, DOMID_SELF, &op), -EINVAL);  /* the same MAC */
    op.u.pvx_vif.mac[0] = 1;                                     /* a group MAC */
    CHECK_RC(hypercall_domctl(XEN_DOMCTL_pvx_vif_create, DOMID_SELF, &op), -EINVAL);

    rc = netfront_open(0);
    if ( rc )
        return test_fail("netfront_open: %ld\n", rc);
    net_init(&nif, &netfront.link);
    rc = net_dhcp(&nif, 0x70760002u, 5000000000ull);
    if ( rc )
        return test_fail("DHCP: %ld\n", rc);
    net_ip_str(a, sizeof(a), nif.ip);
    printk("DHCP through the VIF: lease of %s from 10.0.2.2\n", a);
    memset(&op, 0, sizeof(op));
    op.u.pvx_vfr_vif.vif = vfr_vif;
    op.u.pvx_vfr_vif.set_ipv4 = 1;
    op.u.pvx_vfr_vif.ipv4 = nif.ip;
    CHECK_RC(hypercall_domctl(XEN_DOMCTL_pvx_vfr_vif, DOMID_SELF, &op), 0);
    if ( !ping_gateway(pings, 0x7077) )
        return;
    printk("received by page flip: every packet at its page, on a frame new to us\n");

    /* A spoofed source: dropped and counted, answered DROPPED. */
    CHECK_RC(vfr_counters(vfr_vif, &fv), 0);
    {
        uint64_t spoofed = fv.tx_spoofed;
        unsigned long dropped = netfront.st.tx_dropped;

        CHECK_RC(send_spoofed(), 0);
        (void)net_ping(&nif, GATEWAY, 0x7077, 50, 2000000000ull);  /* its response came by then */
        CHECK_RC(vfr_counters(vfr_vif, &fv), 0);
        if ( fv.tx_spoofed != spoofed + 1 || netfront.st.tx_dropped != dropped + 1 )
            return test_fail("the spoofed datagram: counted %llu -> %llu, answered dropped %lu -> %lu\n",
                             (unsigned long long)spoofed, (unsigned long long)fv.tx_spoofed,
                             dropped, netfront.st.tx_dropped);
        printk("a spoofed source: dropped and counted\n");
    }

    /* A firewall rule stops UDP to port 53, and counts its hit. */
    memset(&op, 0, sizeof(op));
    op.u.pvx_vfr.dir = PVX_VFR_TX;
    op.u.pvx_vfr.rule.in_vif = PVX_VFR_ANY_VIF;
    op.u.pvx_vfr.rule.action = PVX_VFR_DROP;
    op.u.pvx_vfr.rule.proto = IP_PROTO_UDP;
    op.u.pvx_vfr.rule.dport_lo = op.u.pvx_vfr.rule.dport_hi = 53;
    CHECK_RC(hypercall_domctl(XEN_DOMCTL_pvx_vfr_add, DOMID_SELF, &op), 0);
    {
        unsigned long dropped = netfront.st.tx_dropped;

        CHECK_RC(net_udp_send(&nif, DNS, 4000, 53, "query", 5), 0);
        CHECK_RC(net_udp_send(&nif, DNS, 4000, 54, "other", 5), 0);
        (void)net_ping(&nif, GATEWAY, 0x7077, 51, 2000000000ull);
        memset(&op.u, 0, sizeof(op.u));
        op.u.pvx_vfr.dir = PVX_VFR_TX;
        CHECK_RC(hypercall_domctl(XEN_DOMCTL_pvx_vfr_list, DOMID_SELF, &op), 0);
        if ( op.u.pvx_vfr.rule.hits != 1 || netfront.st.tx_dropped != dropped + 1 )
            return test_fail("the UDP rule: %llu hits, %lu dropped (expected 1, 1)\n",
                             (unsigned long long)op.u.pvx_vfr.rule.hits,
                             netfront.st.tx_dropped - dropped);
        CHECK_RC(hypercall_domctl(XEN_DOMCTL_pvx_vfr_remove, DOMID_SELF, &op), 0);
        printk("a rule dropping UDP to port 53: 1 hit, port 54 through\n");
    }

    /* Nothing posted: the reply finds no frame, dropped and counted. */
    CHECK_RC(netfront_close(), 0);
    netfront_rx_hold = true;
    CHECK_RC(netfront_open(0), 0);
    CHECK_RC(vif_list(&vl), 0);
    {
        uint64_t before = vl.rx_no_frame;

        if ( vl.posted != 0 )
            return test_fail("%u frames posted, expected none\n", vl.posted);
        if ( net_ping(&nif, GATEWAY, 0x7077, 60, 300000000ull) != -ETIME )
            return test_fail("a reply arrived with no frame posted\n");
        CHECK_RC(vif_list(&vl), 0);
        if ( vl.rx_no_frame <= before )
            return test_fail("no drop counted (%llu -> %llu)\n", (unsigned long long)before,
                             (unsigned long long)vl.rx_no_frame);
        printk("no frame posted: the reply dropped and counted\n");
    }
    netfront_rx_hold = false;
    CHECK_RC(netfront_post_rx(), 0);
    if ( net_ping(&nif, GATEWAY, 0x7077, 61, 2000000000ull) )
        return test_fail("no reply once frames were posted again\n");

    /* Bad transmit descriptors: each answered ERROR, nothing sent. */
    CHECK_RC(vif_list(&vl), 0);
    {
        uint64_t bad = vl.bad_requests, sent = vl.tx_packets;
        uint32_t own = mm_pfn_to_mfn((uint32_t)((unsigned long)scratch >> PAGE_SHIFT));
        uint32_t l3 = mm_pfn_to_mfn((uint32_t)(start_info->pt_base >> PAGE_SHIFT));
        int16_t st;

        memset(scratch, 0xff, 64);
        if ( (st = raw_tx(own, 0, 1515)) != NETIF_RSP_ERROR )
            return test_fail("a transmit of 1515 bytes: status %d\n", st);
        if ( (st = raw_tx(own, 4000, 200)) != NETIF_RSP_ERROR )
            return test_fail("a transmit past its frame: status %d\n", st);
        if ( (st = raw_tx(own, 0, 13)) != NETIF_RSP_ERROR )
            return test_fail("a transmit of 13 bytes: status %d\n", st);
        if ( (st = raw_tx(0x7ffffff0u, 0, 60)) != NETIF_RSP_ERROR )
            return test_fail("a transmit from no frame: status %d\n", st);
        if ( (st = raw_tx((uint32_t)start_info->shared_info >> PAGE_SHIFT, 0, 60)) != NETIF_RSP_ERROR )
            return test_fail("a transmit from shared_info: status %d\n", st);
        if ( (st = raw_tx(l3, 0, 60)) != NETIF_RSP_ERROR )
            return test_fail("a transmit from the L3: status %d\n", st);
        CHECK_RC(vif_list(&vl), 0);
        if ( vl.bad_requests != bad + 6 || vl.tx_packets != sent )
            return test_fail("bad transmits: %llu counted, %llu sent\n",
                             (unsigned long long)(vl.bad_requests - bad),
                             (unsigned long long)(vl.tx_packets - sent));
        printk("bad transmit descriptors: 6 answered with an error, none sent\n");

        /* Bad receive frames: mapped, a page table, not ours. */
        bad = vl.bad_requests;
        if ( (st = raw_rx(own, &back)) != NETIF_RSP_ERROR || back != own )
            return test_fail("a mapped frame posted: status %d\n", st);
        if ( (st = raw_rx(l3, &back)) != NETIF_RSP_ERROR || back != l3 )
            return test_fail("the L3 posted: status %d\n", st);
        if ( (st = raw_rx(0x7ffffff0u, &back)) != NETIF_RSP_ERROR )
            return test_fail("no frame posted: status %d\n", st);
        scratch[0] = 0x5a;                      /* still ours, still mapped */
        CHECK_RC(vif_list(&vl), 0);
        if ( vl.bad_requests != bad + 3 || scratch[0] != 0x5a )
            return test_fail("bad receive frames: %llu counted\n",
                             (unsigned long long)(vl.bad_requests - bad));
        printk("bad receive frames (mapped, a page table, none): refused, still ours\n");

        /* An index that runs a ring ahead: refused, nothing taken. */
        mfn = netfront.tx.sring->req_prod;
        netfront.tx.sring->req_prod = mfn + 1000;
        {
            struct physdev_pvx_netif p = { .handle = 0 };

            CHECK_RC(netfront_physdev(PHYSDEVOP_pvx_netif_notify, &p), -EINVAL);
        }
        netfront.tx.sring->req_prod = mfn;
        if ( net_ping(&nif, GATEWAY, 0x7077, 62, 2000000000ull) )
            return test_fail("no reply after the insane index was put back\n");
        printk("an insane ring index: refused, the VIF still works\n");
    }

    CHECK_RC(vif_list(&vl), 0);
    printk("info: VIF: sent %llu (%llu bytes), received %llu (%llu bytes), no frame %llu, bad %llu\n",
           (unsigned long long)vl.tx_packets, (unsigned long long)vl.tx_bytes,
           (unsigned long long)vl.rx_packets, (unsigned long long)vl.rx_bytes,
           (unsigned long long)vl.rx_no_frame, (unsigned long long)vl.bad_requests);
    CHECK_RC(netfront_close(), 0);
    test_pass();
}

static long open_configured(void)
{
    long rc = netfront_open(0);

    if ( rc )
        return rc;
    net_init(&nif, &netfront.link);
    nif.ip = netfront.ipv4;
    nif.netmask = 0xffffff00u;
    return nif.ip ? 0 : -EINVAL;
}

static void test_dhcp(void)
{
    uint32_t pings = guest_arg_u32("pings=", 3);
    char a[16];
    long rc = netfront_open(0);

    if ( rc )
        return test_fail("netfront: %ld\n", rc);
    net_init(&nif, &netfront.link);
    rc = net_dhcp(&nif, 0x70760003u, 5000000000ull);
    if ( rc )
        return test_fail("DHCP: %ld\n", rc);
    net_ip_str(a, sizeof(a), nif.ip);
    printk("DHCP through the VIF: lease of %s from 10.0.2.2\n", a);
    if ( nif.ip != netfront.ipv4 )
        return test_fail("the lease is not the VIF's address\n");
    if ( !ping_gateway(pings, 0x7079) )
        return;
    printk("info: %lu packets received, %lu by page flip\n", netfront.st.rx, netfront.st.flips);
    test_pass();
}

static void test_flood(void)
{
    long rc = netfront_open(0);

    if ( rc )
        return test_fail("netfront: %ld\n", rc);
    memset(scratch, 0, NETIF_FRAME_MAX);
    memset(scratch, 0xff, 6);                   /* a broadcast: to the wire */
    memcpy(scratch + 6, netfront.link.mac, 6);
    net_put16(scratch + 12, 0x88b5);            /* IEEE's local experimental ethertype */
    printk("flooding the wire\n");
    for ( ;; )
    {
        if ( netfront_send_nowait(scratch, NETIF_FRAME_MAX) >= 0 )
            continue;
        (void)netfront_kick();
        (void)sched_poll(netfront_port, time_now_ns() + 1000000);
        evtchn_test_and_clear(netfront_port);
    }
}

static void test_answer(void)
{
    uint64_t deadline = time_now_ns() + guest_arg_u32("secs=", 5) * 1000000000ull;
    long rc = open_configured();
    static const bool never;

    if ( rc )
        return test_fail("netfront: %ld\n", rc);
    net_poll(&nif, deadline, &never);
    printk("answered %u echo requests\n", nif.echo_answered);
    test_pass();
}

static void test_ping(void)
{
    uint32_t count = guest_arg_u32("count=", 3), peer;
    char a[16];
    long rc = open_configured();

    if ( rc )
        return test_fail("netfront: %ld\n", rc);
    peer = (nif.ip & 0xffffff00u) | guest_arg_u32("peer=", 2);
    net_ip_str(a, sizeof(a), peer);
    if ( guest_has_arg("blocked") )
    {
        /* A rule stops them: every ping unanswered. */
        for ( uint32_t i = 1; i <= count; i++ )
            if ( net_ping(&nif, peer, 0x7078, (uint16_t)(100 + i), 500000000ull) != -ETIME )
                return test_fail("ping %u to %s answered through the rule\n", i, a);
        printk("%u pings to %s: none answered\n", count, a);
        return test_pass();
    }
    for ( uint32_t i = 1; i <= count; i++ )
    {
        rc = net_ping(&nif, peer, 0x7078, (uint16_t)i, 2000000000ull);
        if ( rc )
            return test_fail("ping %u to %s: %ld\n", i, a, rc);
        printk("ping %u: reply from %s\n", i, a);
    }
    printk("info: %lu packets received, %lu by page flip\n", netfront.st.rx, netfront.st.flips);
    test_pass();
}

void test_main(void)
{
    events_init();
    if ( guest_has_arg("test=wire") )
        return test_wire();
    if ( guest_has_arg("test=dhcp") )
        return test_dhcp();
    if ( guest_has_arg("test=answer") )
        return test_answer();
    if ( guest_has_arg("test=flood") )
        return test_flood();
    if ( guest_has_arg("test=ping") )
        return test_ping();
    test_error("no role: test=wire|answer|ping\n");
}
