/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_vif.c - VIFs on I/O rings (core/io/vif.c, core/mm/transfer.c) on the
 * fake machine's NIC: the domctls' checks, the rings' (a bad descriptor or
 * a bad frame answered with an error and nothing else changed), the page
 * flip (ownership, M2P, reservation, the packet at the posted frame's pfn,
 * nothing of an earlier owner's left in it, the audit clean), the copy mode,
 * no frame posted (dropped and counted), the transmit's header sent from the
 * hypervisor's copy, the round-robin across VIFs, and a VIF destroyed with
 * frames on the wire and posted: no frame leaks.
 */
#include <string.h>
#include "unit.h"
#include <pvx/audit.h>
#include <pvx/domain.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/mm.h>
#include <pvx/netif.h>
#include <pvx/vfr.h>
#include <public/io/netif.h>
#include <public/memory.h>
#include <public/pvx.h>
#include <public/xen.h>

#define ARG UNIT_SCRATCH_VA
#define IP_A 0x0a00020fu
#define IP_B 0x0a000210u

static const uint8_t mac_a[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x0a };
static const uint8_t mac_b[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x0b };
static const uint8_t gw_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

static void boot(bool nic)
{
    struct elfgen_spec s;

    fake_config.nic = nic;
    elfgen_default(&s);
    CU_ASSERT_EQUAL_FATAL(fixture_boot(&s, "kernel.elf", "dom0_mem=8M", 0, NULL), -1);
    fake_config.nic = false;
}

static mfn_t frame(uint32_t pfn)
{
    mfn_t m = fixture_p2m(&domain_lookup(0)->vcpu[0], pfn);

    CU_ASSERT_FATAL(m != INVALID_MFN);
    return m;
}

static uint8_t *mem_of(mfn_t m)
{
    return fake_mem + (size_t)m * PAGE_SIZE;
}

static long domctl(uint32_t cmd, struct xen_domctl *op)
{
    op->cmd = cmd;
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op->domain = DOMID_SELF;
    long rc;

    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, ARG, op, sizeof(*op)), 0);
    rc = unit_hypercall(__HYPERVISOR_domctl, ARG, 0, 0, 0, 0);
    CU_ASSERT_EQUAL_FATAL(copy_from_guest(current, op, ARG, sizeof(*op)), 0);
    return rc;
}

static long vif_new(uint16_t handle, const uint8_t *mac, uint32_t ip, uint16_t flags)
{
    struct xen_domctl op;

    memset(&op, 0, sizeof(op));
    op.u.pvx_vif.handle = handle;
    memcpy(op.u.pvx_vif.mac, mac, 6);
    op.u.pvx_vif.ipv4 = ip;
    op.u.pvx_vif.flags = flags;
    return domctl(XEN_DOMCTL_pvx_vif_create, &op);
}

static long netif_op(uint32_t cmd, uint16_t handle, mfn_t tx, mfn_t rx)
{
    struct physdev_pvx_netif op = { .handle = handle, .tx_ring_mfn = tx, .rx_ring_mfn = rx };

    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, ARG, &op, sizeof(op)), 0);
    return unit_hypercall(__HYPERVISOR_physdev_op, cmd, ARG, 0, 0, 0);
}

/* A connected VIF: its rings in frames txm and rxm, the front ends here. */
struct front {
    uint16_t handle;
    struct netif_tx_front_ring tx;
    struct netif_rx_front_ring rx;
};

static void front_open(struct front *f, uint16_t handle, mfn_t txm, mfn_t rxm)
{
    netif_tx_sring_init((struct netif_tx_sring *)mem_of(txm));
    netif_rx_sring_init((struct netif_rx_sring *)mem_of(rxm));
    netif_tx_front_init(&f->tx, (struct netif_tx_sring *)mem_of(txm), PAGE_SIZE);
    netif_rx_front_init(&f->rx, (struct netif_rx_sring *)mem_of(rxm), PAGE_SIZE);
    f->handle = handle;
    CU_ASSERT_EQUAL(netif_op(PHYSDEVOP_pvx_netif_connect, handle, txm, rxm), 0);
}

static long kick(struct front *f)
{
    (void)netif_tx_front_push(&f->tx);
    (void)netif_rx_front_push(&f->rx);
    return netif_op(PHYSDEVOP_pvx_netif_notify, f->handle, 0, 0);
}

static void post(struct front *f, uint16_t id, mfn_t m)
{
    struct netif_rx_request *rq = netif_rx_front_req(&f->rx, f->rx.req_prod_pvt++);

    rq->id = id;
    rq->pad = 0;
    rq->gref = m;
}

static void send(struct front *f, uint16_t id, mfn_t m, uint16_t off, uint16_t size)
{
    struct netif_tx_request *rq = netif_tx_front_req(&f->tx, f->tx.req_prod_pvt++);

    *rq = (struct netif_tx_request){ .gref = m, .offset = off, .id = id, .size = size };
}

static bool rx_rsp(struct front *f, struct netif_rx_response *r)
{
    if ( !netif_rx_front_unconsumed(&f->rx) )
        return false;
    *r = *netif_rx_front_rsp(&f->rx, f->rx.rsp_cons++);
    return true;
}

static bool tx_rsp(struct front *f, struct netif_tx_response *r)
{
    if ( !netif_tx_front_unconsumed(&f->tx) )
        return false;
    *r = *netif_tx_front_rsp(&f->tx, f->tx.rsp_cons++);
    return true;
}

/* A UDP frame of 60 bytes from src to dst (MACs and addresses). */
static void udp(uint8_t *p, const uint8_t *dst_mac, const uint8_t *src_mac, uint32_t src_ip,
                uint32_t dst_ip, uint16_t dport)
{
    memset(p, 0, 60);
    memcpy(p, dst_mac, 6);
    memcpy(p + 6, src_mac, 6);
    p[12] = 0x08;
    p[14] = 0x45;
    p[17] = 28;
    p[23] = 17;
    for ( unsigned int i = 0; i < 4; i++ )
    {
        p[26 + i] = (uint8_t)(src_ip >> (24 - 8 * i));
        p[30 + i] = (uint8_t)(dst_ip >> (24 - 8 * i));
    }
    p[35] = 9;
    p[36] = (uint8_t)(dport >> 8);
    p[37] = (uint8_t)dport;
    p[39] = 8;
}

static void test_vif_domctl(void)
{
    uint8_t group[6] = { 0x01, 0x16, 0x3e, 0, 0, 1 }, zero[6] = { 0 };
    uint8_t before[sizeof(machine.netif)], vfr_before[sizeof(machine.vfr)];
    struct xen_domctl op;

    boot(false);
    memcpy(before, &machine.netif, sizeof(before));
    memcpy(vfr_before, &machine.vfr, sizeof(vfr_before));
    /* Refused, nothing changed. */
    CU_ASSERT_EQUAL(vif_new(PVX_VIF_PER_DOMAIN, mac_a, 0, 0), -EINVAL);
    CU_ASSERT_EQUAL(vif_new(0, group, 0, 0), -EINVAL);
    CU_ASSERT_EQUAL(vif_new(0, zero, 0, 0), -EINVAL);
    CU_ASSERT_EQUAL(vif_new(0, mac_a, 0, 0x80), -EINVAL);
    memset(&op, 0, sizeof(op));
    CU_ASSERT_EQUAL(domctl(XEN_DOMCTL_pvx_vif_destroy, &op), -ENOENT);
    CU_ASSERT_EQUAL(domctl(XEN_DOMCTL_pvx_vif_list, &op), -ENOENT);
    CU_ASSERT_EQUAL(memcmp(before, &machine.netif, sizeof(before)), 0);
    CU_ASSERT_EQUAL(memcmp(vfr_before, &machine.vfr, sizeof(vfr_before)), 0);

    /* Made; the same handle, MAC or address again refused. */
    CU_ASSERT_EQUAL(vif_new(0, mac_a, IP_A, 0), 0);
    CU_ASSERT_EQUAL(vif_new(0, mac_b, 0, 0), -EEXIST);
    CU_ASSERT_EQUAL(vif_new(1, mac_a, 0, 0), -EINVAL);
    CU_ASSERT_EQUAL(vif_new(1, mac_b, IP_A, 0), -EINVAL);
    CU_ASSERT_EQUAL(vif_new(1, mac_b, IP_B, PVX_VIF_F_COPY), 0);
    memset(&op, 0, sizeof(op));
    op.u.pvx_vif.index = 1;
    CU_ASSERT_EQUAL(domctl(XEN_DOMCTL_pvx_vif_list, &op), 0);
    CU_ASSERT_EQUAL(op.u.pvx_vif.handle, 1);
    CU_ASSERT_EQUAL(op.u.pvx_vif.ipv4, IP_B);
    CU_ASSERT_EQUAL(op.u.pvx_vif.flags, PVX_VIF_F_COPY);
    CU_ASSERT_EQUAL(memcmp(op.u.pvx_vif.mac, mac_b, 6), 0);
    CU_ASSERT_EQUAL(vfr_vif_get(op.u.pvx_vif.vif)->owner, 0);

    /* Another domain may not. */
    memset(&op, 0, sizeof(op));
    op.u.pvx_vif.handle = 1;
    CU_ASSERT_EQUAL(domctl(XEN_DOMCTL_pvx_vif_destroy, &op), 0);
    CU_ASSERT_EQUAL(domctl(XEN_DOMCTL_pvx_vif_destroy, &op), -ENOENT);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

static void test_vif_rings_checked(void)
{
    static typeof(machine.netif) before;
    struct frame tx_frame;
    mfn_t txm, rxm, l3;
    struct netif_rx_response r;
    struct netif_tx_response t;
    struct front f;
    uint32_t refs;

    boot(false);
    txm = frame(1500);
    rxm = frame(1501);
    l3 = (mfn_t)(current->cr3 >> PAGE_SHIFT);
    CU_ASSERT_EQUAL(vif_new(0, mac_a, IP_A, 0), 0);
    memcpy(&before, &machine.netif, sizeof(before));
    memcpy(&tx_frame, frame_of(txm), sizeof(tx_frame));
    CU_ASSERT_EQUAL(netif_op(PHYSDEVOP_pvx_netif_notify, 0, 0, 0), -XEN_ENOTCONN);
    CU_ASSERT_EQUAL(netif_op(PHYSDEVOP_pvx_netif_connect, 1, txm, rxm), -ENOENT);
    CU_ASSERT_EQUAL(netif_op(PHYSDEVOP_pvx_netif_connect, 0, txm, txm), -EINVAL);
    /* A good transmit ring and a bad receive ring: nothing of either changes. */
    CU_ASSERT_EQUAL(netif_op(PHYSDEVOP_pvx_netif_connect, 0, txm, l3), -EINVAL);
    CU_ASSERT_EQUAL(netif_op(PHYSDEVOP_pvx_netif_connect, 0, 0xfffff, rxm), -EINVAL);
    CU_ASSERT_EQUAL(memcmp(&before, &machine.netif, sizeof(before)), 0);
    CU_ASSERT_EQUAL(memcmp(&tx_frame, frame_of(txm), sizeof(tx_frame)), 0);
    front_open(&f, 0, txm, rxm);
    CU_ASSERT_EQUAL(netif_op(PHYSDEVOP_pvx_netif_connect, 0, txm, rxm), -EEXIST);
    CU_ASSERT_EQUAL(audit_frames(), 0);

    /* Receive frames that are not ours alone: a mapped one, the L3, a ring,
     * nobody's; each answered ERROR with its gref, and still the guest's. */
    refs = frame_of(l3)->ref_count;
    post(&f, 1, frame(0));                      /* in the initial mapping */
    post(&f, 2, l3);
    post(&f, 3, txm);
    post(&f, 4, 0xfffff);
    CU_ASSERT_EQUAL(kick(&f), 0);
    for ( uint16_t id = 1; id <= 4; id++ )
    {
        CU_ASSERT_FATAL(rx_rsp(&f, &r));
        CU_ASSERT_EQUAL(r.id, id);
        CU_ASSERT_EQUAL(r.status, NETIF_RSP_ERROR);
    }
    CU_ASSERT_EQUAL(frame_of(l3)->owner, 0);
    CU_ASSERT_EQUAL(frame_of(l3)->ref_count, refs);
    CU_ASSERT_EQUAL(frame_of(frame(0))->owner, 0);
    CU_ASSERT_EQUAL(machine.netif.vifs[0].posted_nr, 0);
    CU_ASSERT_EQUAL(machine.netif.vifs[0].bad_requests, 4);

    /* Bad transmits: each answered ERROR, nothing held or sent. */
    send(&f, 1, frame(1600), 0, 13);
    send(&f, 2, frame(1600), 0, 1515);
    send(&f, 3, frame(1600), 4000, 200);
    send(&f, 4, 0xfffff, 0, 60);
    send(&f, 5, (mfn_t)(domain_lookup(0)->shared_info_mfn), 0, 60);
    send(&f, 6, l3, 0, 60);                    /* a page table */
    CU_ASSERT_EQUAL(kick(&f), 0);
    for ( uint16_t id = 1; id <= 6; id++ )
    {
        CU_ASSERT_FATAL(tx_rsp(&f, &t));
        CU_ASSERT_EQUAL(t.id, id);
        CU_ASSERT_EQUAL(t.status, NETIF_RSP_ERROR);
    }
    CU_ASSERT_EQUAL(frame_of(frame(1600))->ref_count, 1);
    CU_ASSERT_EQUAL(frame_of(l3)->ref_count, refs);
    CU_ASSERT_EQUAL(machine.netif.vifs[0].tx_packets, 0);

    /* Insane indices: -EINVAL, nothing taken from either ring. */
    post(&f, 5, frame(1602));
    (void)netif_rx_front_push(&f.rx);
    f.tx.sring->req_prod = f.tx.req_prod_pvt + 1000;
    CU_ASSERT_EQUAL(netif_op(PHYSDEVOP_pvx_netif_notify, 0, 0, 0), -EINVAL);
    CU_ASSERT_EQUAL(frame_of(frame(1602))->owner, 0);
    CU_ASSERT_EQUAL(machine.netif.vifs[0].posted_nr, 0);
    f.tx.sring->req_prod = f.tx.req_prod_pvt;
    CU_ASSERT_EQUAL(kick(&f), 0);
    CU_ASSERT_EQUAL(machine.netif.vifs[0].posted_nr, 1);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* The heart of it: a packet from the wire exchanged with a posted frame. */
static void test_vif_flip(void)
{
    mfn_t txm, rxm, posted, got;
    struct domain *d;
    struct netif_rx_response r;
    struct front f;
    uint8_t pkt[60];
    unsigned int free_before, tot_before;
    uint32_t pfn;

    boot(true);
    txm = frame(1500);
    rxm = frame(1501);
    posted = frame(1602);
    d = domain_lookup(0);
    CU_ASSERT_EQUAL(vif_new(0, mac_a, IP_A, 0), 0);
    front_open(&f, 0, txm, rxm);
    pfn = m2p_get(posted);
    CU_ASSERT_EQUAL(pfn, 1602);
    free_before = frame_free_count();
    tot_before = d->tot_pages;
    memset(mem_of(posted), 0xaa, PAGE_SIZE);

    post(&f, 9, posted);
    CU_ASSERT_EQUAL(kick(&f), 0);
    /* Posted: the hypervisor's, out of the reservation and the M2P. */
    CU_ASSERT_EQUAL(frame_of(posted)->owner, DOMID_XEN_OWN);
    CU_ASSERT_EQUAL(d->tot_pages, tot_before - 1);
    CU_ASSERT_EQUAL(m2p_get(posted), M2P_INVALID);
    CU_ASSERT_FALSE(rx_rsp(&f, &r));
    CU_ASSERT_EQUAL(audit_frames(), 0);

    /* A pool frame full of an earlier packet's bytes, then ours. */
    memset(mem_of(machine.netif.pool[0]), 0x55, PAGE_SIZE);
    udp(pkt, mac_a, gw_mac, 0x0a000202u, IP_A, 7);
    got = machine.netif.pool[0];
    CU_ASSERT(fake_nic_receive(pkt, sizeof(pkt)));
    core_nic_interrupt(NULL);

    CU_ASSERT_FATAL(rx_rsp(&f, &r));
    CU_ASSERT_EQUAL(r.id, 9);
    CU_ASSERT_EQUAL(r.status, (int16_t)sizeof(pkt));
    CU_ASSERT_EQUAL(r.gref, got);
    /* The packet's frame is the guest's at the posted pfn; nothing after
     * the packet is the earlier owner's. */
    CU_ASSERT_EQUAL(frame_of(got)->owner, 0);
    CU_ASSERT_EQUAL(frame_of(got)->ref_count, 1);
    CU_ASSERT(frame_of(got)->flags & FRAME_F_ALLOCATED);
    CU_ASSERT_EQUAL(m2p_get(got), pfn);
    CU_ASSERT_EQUAL(memcmp(mem_of(got), pkt, sizeof(pkt)), 0);
    for ( unsigned int i = sizeof(pkt); i < PAGE_SIZE; i++ )
        if ( mem_of(got)[i] )
        {
            CU_FAIL("a byte past the packet survived the flip");
            break;
        }
    /* The posted frame went to the pool; the count of frames is the same. */
    CU_ASSERT_EQUAL(machine.netif.pool[0], posted);
    CU_ASSERT_EQUAL(frame_of(posted)->owner, DOMID_XEN_OWN);
    CU_ASSERT_EQUAL(d->tot_pages, tot_before);
    CU_ASSERT_EQUAL(frame_free_count(), free_before);
    CU_ASSERT_EQUAL(fake_nic_nr_posted, NIC_RX_DEPTH);
    CU_ASSERT_EQUAL(machine.netif.vifs[0].rx_packets, 1);
    CU_ASSERT_EQUAL(vfr_vif_get(0)->rx_delivered, 1);
    CU_ASSERT_EQUAL(audit_frames(), 0);

    /* Nothing posted: dropped and counted, the pool frame reposted. */
    CU_ASSERT(fake_nic_receive(pkt, sizeof(pkt)));
    core_nic_interrupt(NULL);
    CU_ASSERT_FALSE(rx_rsp(&f, &r));
    CU_ASSERT_EQUAL(machine.netif.vifs[0].rx_no_frame, 1);
    CU_ASSERT_EQUAL(vfr_vif_get(0)->rx_dropped, 1);
    CU_ASSERT_EQUAL(fake_nic_nr_posted, NIC_RX_DEPTH);

    /* The fault site: a frame posted, the packet dropped all the same. */
    post(&f, 10, frame(1603));
    CU_ASSERT_EQUAL(kick(&f), 0);
    machine.fault.site[FAULT_VIF_RX].fail_nth = machine.fault.site[FAULT_VIF_RX].calls + 1;
    CU_ASSERT(fake_nic_receive(pkt, sizeof(pkt)));
    core_nic_interrupt(NULL);
    CU_ASSERT_FALSE(rx_rsp(&f, &r));
    CU_ASSERT_EQUAL(machine.netif.vifs[0].rx_no_frame, 2);
    CU_ASSERT_EQUAL(machine.netif.vifs[0].posted_nr, 1);

    /* Disconnected: the posted frame comes back where it was. */
    CU_ASSERT_EQUAL(netif_op(PHYSDEVOP_pvx_netif_disconnect, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(frame_of(frame(1603))->owner, 0);
    CU_ASSERT_EQUAL(m2p_get(frame(1603)), 1603);
    CU_ASSERT_EQUAL(d->tot_pages, tot_before);
    CU_ASSERT_EQUAL(frame_of(txm)->ref_count, 1);
    CU_ASSERT_EQUAL(netif_op(PHYSDEVOP_pvx_netif_disconnect, 0, 0, 0), -XEN_ENOTCONN);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

static void test_vif_copy(void)
{
    mfn_t posted, pool0;
    struct netif_rx_response r;
    struct front f;
    uint8_t pkt[60];

    boot(true);
    posted = frame(1602);
    CU_ASSERT_EQUAL(vif_new(0, mac_a, IP_A, PVX_VIF_F_COPY), 0);
    front_open(&f, 0, frame(1500), frame(1501));
    post(&f, 3, posted);
    CU_ASSERT_EQUAL(kick(&f), 0);
    pool0 = machine.netif.pool[0];
    udp(pkt, mac_a, gw_mac, 0x0a000202u, IP_A, 7);
    CU_ASSERT(fake_nic_receive(pkt, sizeof(pkt)));
    core_nic_interrupt(NULL);
    CU_ASSERT_FATAL(rx_rsp(&f, &r));
    CU_ASSERT_EQUAL(r.gref, posted);            /* its own frame back, with the packet */
    CU_ASSERT_EQUAL(r.status, (int16_t)sizeof(pkt));
    CU_ASSERT_EQUAL(memcmp(mem_of(posted), pkt, sizeof(pkt)), 0);
    CU_ASSERT_EQUAL(frame_of(posted)->owner, 0);
    CU_ASSERT_EQUAL(m2p_get(posted), 1602);
    CU_ASSERT_EQUAL(machine.netif.pool[0], pool0);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

static void test_vif_transmit(void)
{
    mfn_t m;
    struct netif_tx_response t;
    struct front f;
    uint8_t want[60];

    boot(true);
    m = frame(1600);
    CU_ASSERT_EQUAL(vif_new(0, mac_a, IP_A, 0), 0);
    front_open(&f, 0, frame(1500), frame(1501));

    /* Spoofed: DROPPED at once, counted, never on the wire. */
    udp(mem_of(m) + 100, gw_mac, mac_a, IP_B, 0x0a000202u, 9);
    send(&f, 1, m, 100, 60);
    CU_ASSERT_EQUAL(kick(&f), 0);
    CU_ASSERT_FATAL(tx_rsp(&f, &t));
    CU_ASSERT(t.id == 1 && t.status == NETIF_RSP_DROPPED);
    CU_ASSERT_EQUAL(vfr_vif_get(0)->tx_spoofed, 1);
    CU_ASSERT_EQUAL(fake_nic_nr_sent, 0);
    CU_ASSERT_EQUAL(frame_of(m)->ref_count, 1);

    /* Good: on the wire, held until TX_DONE, then OKAY. The header on the
     * wire is the hypervisor's copy (the first segment is its frame). */
    udp(mem_of(m) + 100, gw_mac, mac_a, IP_A, 0x0a000202u, 9);
    memcpy(want, mem_of(m) + 100, sizeof(want));
    send(&f, 2, m, 100, 60);
    CU_ASSERT_EQUAL(kick(&f), 0);
    CU_ASSERT_FALSE(tx_rsp(&f, &t));
    CU_ASSERT_EQUAL_FATAL(fake_nic_nr_sent, 1);
    CU_ASSERT_EQUAL(fake_nic_sent[0].mfn, machine.netif.hdr_mfn);
    CU_ASSERT_EQUAL(fake_nic_sent[0].len, 60);
    CU_ASSERT_EQUAL(memcmp(fake_nic_sent[0].bytes, want, 60), 0);
    CU_ASSERT_EQUAL(frame_of(m)->ref_count, 2);
    CU_ASSERT_EQUAL(audit_frames(), 0);
    CU_ASSERT_EQUAL(netif_op(PHYSDEVOP_pvx_netif_disconnect, 0, 0, 0), -EBUSY);
    CU_ASSERT(fake_nic_complete_tx());
    core_nic_interrupt(NULL);
    CU_ASSERT_FATAL(tx_rsp(&f, &t));
    CU_ASSERT(t.id == 2 && t.status == NETIF_RSP_OKAY);
    CU_ASSERT_EQUAL(frame_of(m)->ref_count, 1);
    CU_ASSERT_EQUAL(machine.netif.vifs[0].tx_packets, 1);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* The NIC full: the round-robin waits, then each TX_DONE lets one VIF on
 * in turn, so two senders share the wire packet by packet. */
static void test_vif_round_robin_full(void)
{
    mfn_t ma, mb;
    struct front fa, fb;
    unsigned int a = 0, b = 0;

    boot(true);
    ma = frame(1600);
    mb = frame(1601);
    CU_ASSERT_EQUAL(vif_new(0, mac_a, IP_A, 0), 0);
    CU_ASSERT_EQUAL(vif_new(1, mac_b, IP_B, 0), 0);
    front_open(&fa, 0, frame(1500), frame(1501));
    front_open(&fb, 1, frame(1502), frame(1503));
    udp(mem_of(ma), gw_mac, mac_a, IP_A, 0x0a000202u, 9);
    udp(mem_of(mb), gw_mac, mac_b, IP_B, 0x0a000202u, 9);
    for ( uint16_t i = 0; i < 40; i++ )
        send(&fa, i, ma, 0, 60);
    for ( uint16_t i = 0; i < 40; i++ )
        send(&fb, i, mb, 0, 60);
    CU_ASSERT_EQUAL(kick(&fa), 0);              /* A alone fills the NIC */
    CU_ASSERT_EQUAL(kick(&fb), 0);
    CU_ASSERT_EQUAL(fake_nic_nr_sent, NIC_TX_DEPTH);
    for ( unsigned int k = 0; k < 32; k++ )
    {
        CU_ASSERT_FATAL(fake_nic_complete_tx());
        core_nic_interrupt(NULL);
    }
    for ( unsigned int i = NIC_TX_DEPTH; i < fake_nic_nr_sent; i++ )
    {
        if ( !memcmp(fake_nic_sent[i % FAKE_NIC_SENT].bytes + 6, mac_a, 6) )
            a++;
        else
            b++;
    }
    CU_ASSERT_EQUAL(a + b, 32);
    CU_ASSERT_EQUAL(a, b);                      /* after A's head start: half each */
}

/* A VIF destroyed with a transmit on the wire and frames posted: the
 * posted frames freed at once, the sender's frame when the NIC lets go;
 * nobody answered; the free count as before. */
static void test_vif_destroy_in_flight(void)
{
    mfn_t m;
    struct front f;
    unsigned int free_before;

    boot(true);
    m = frame(1600);
    CU_ASSERT_EQUAL(vif_new(0, mac_a, IP_A, 0), 0);
    front_open(&f, 0, frame(1500), frame(1501));
    udp(mem_of(m), gw_mac, mac_a, IP_A, 0x0a000202u, 9);
    send(&f, 1, m, 0, 60);
    post(&f, 1, frame(1602));
    post(&f, 2, frame(1603));
    CU_ASSERT_EQUAL(kick(&f), 0);
    CU_ASSERT_EQUAL(machine.netif.vifs[0].posted_nr, 2);
    CU_ASSERT_EQUAL(frame_of(m)->ref_count, 2);
    free_before = frame_free_count();

    CU_ASSERT_EQUAL(vif_destroy(0, 0), 0);
    CU_ASSERT_EQUAL(frame_free_count(), free_before + 2);    /* the posted two */
    CU_ASSERT_EQUAL(frame_of(m)->ref_count, 2);               /* the wire still has it */
    CU_ASSERT_EQUAL(frame_of(frame(1500))->ref_count, 1);     /* rings detached */
    CU_ASSERT(vfr_vif_get(0) == NULL);
    CU_ASSERT(fake_nic_complete_tx());
    core_nic_interrupt(NULL);
    CU_ASSERT_EQUAL(frame_of(m)->ref_count, 1);
    CU_ASSERT_FALSE(netif_tx_front_unconsumed(&f.tx));       /* nobody answered */
    CU_ASSERT_FALSE(machine.netif.tx[0].busy);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* A transmit ring whose index goes insane while it waits its turn (the NIC
 * full): its domain dies alone at that turn; the initial domain runs on. */
static void test_vif_insane_at_turn(void)
{
    struct elfgen_spec spec;
    struct xen_domctl op;
    struct domain *d1;
    struct front f;
    mfn_t m;

    fake_config.nic = true;
    elfgen_default(&spec);
    CU_ASSERT_EQUAL_FATAL(fixture_boot(&spec, "kernel.elf", "dom0_mem=8M", 1, NULL), -1);
    fake_config.nic = false;
    d1 = domain_lookup(1);
    memset(&op, 0, sizeof(op));
    memcpy(op.u.pvx_vif.mac, mac_b, 6);
    op.u.pvx_vif.ipv4 = IP_B;
    op.cmd = XEN_DOMCTL_pvx_vif_create;
    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op.domain = 1;
    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, ARG, &op, sizeof(op)), 0);
    CU_ASSERT_EQUAL_FATAL(unit_hypercall(__HYPERVISOR_domctl, ARG, 0, 0, 0, 0), 0);

    fixture_become(&d1->vcpu[0]);
    m = fixture_p2m(&d1->vcpu[0], 100);
    front_open(&f, 0, fixture_p2m(&d1->vcpu[0], 101), fixture_p2m(&d1->vcpu[0], 102));
    udp(mem_of(m), gw_mac, mac_b, IP_B, 0x0a000202u, 9);
    for ( uint16_t i = 0; i < NIC_TX_DEPTH + 4; i++ )
        send(&f, i, m, 0, 60);
    CU_ASSERT_EQUAL(kick(&f), 0);
    CU_ASSERT_EQUAL(fake_nic_nr_sent, NIC_TX_DEPTH);       /* 4 wait their turn */
    CU_ASSERT(machine.netif.vifs[0].on_rr);
    f.tx.sring->req_prod += 1000;                           /* then the index runs ahead */

    fixture_become(&domain_lookup(0)->vcpu[0]);
    CU_ASSERT(fake_nic_complete_tx());
    core_nic_interrupt(NULL);
    CU_ASSERT_EQUAL(d1->state, DOMAIN_CRASHED);
    CU_ASSERT_EQUAL(domain_lookup(0)->state, DOMAIN_RUNNING);
    CU_ASSERT_EQUAL(fake_nic_nr_sent, NIC_TX_DEPTH);       /* nothing more taken */
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* mm_steal_frame's rule, alone: only a frame nothing else names. */
static void test_vif_steal_rules(void)
{
    struct domain *d;
    mfn_t m;
    uint32_t pfn = 0, tot;

    boot(false);
    d = domain_lookup(0);
    m = frame(1700);
    tot = d->tot_pages;
    CU_ASSERT_TRUE(mm_get_ref(d, m));            /* held: refused */
    CU_ASSERT_EQUAL(mm_steal_frame(d, m, &pfn), -EINVAL);
    mm_put_ref(m);
    CU_ASSERT_EQUAL(mm_get_type(d, m, FRAME_WRITABLE, false), 0);   /* typed: refused */
    CU_ASSERT_EQUAL(mm_steal_frame(d, m, &pfn), -EINVAL);
    mm_put_type(m);
    m2p_set(m, M2P_INVALID);                    /* nowhere to come back to: refused */
    CU_ASSERT_EQUAL(mm_steal_frame(d, m, &pfn), -EINVAL);
    m2p_set(m, 1700);
    CU_ASSERT_EQUAL(frame_of(m)->owner, 0);
    CU_ASSERT_EQUAL(d->tot_pages, tot);
    CU_ASSERT_EQUAL(mm_steal_frame(d, m, &pfn), 0);
    CU_ASSERT_EQUAL(pfn, 1700);
    CU_ASSERT_EQUAL(frame_of(m)->owner, DOMID_XEN_OWN);
    CU_ASSERT_EQUAL(d->tot_pages, tot - 1);
    CU_ASSERT_EQUAL(audit_frames(), 0);
    mm_assign_frame(d, m, pfn);
    CU_ASSERT_EQUAL(frame_of(m)->owner, 0);
    CU_ASSERT_EQUAL(m2p_get(m), 1700);
    CU_ASSERT_EQUAL(d->tot_pages, tot);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* A frame posted for a receive is the hypervisor's meanwhile, but still the
 * domain's reservation: a domain at max_pages that posted one gets nothing
 * more, so the frame coming back never takes it past max_pages. */
static void test_vif_lent_reservation(void)
{
    struct xen_memory_reservation r = { .extent_start = ARG + 64, .nr_extents = 1,
                                        .domid = DOMID_SELF };
    struct domain *d;
    mfn_t m;
    uint32_t pfn = 0;

    boot(false);
    d = domain_lookup(0);
    m = frame(1700);
    d->max_pages = d->tot_pages;
    CU_ASSERT_EQUAL(mm_steal_frame(d, m, &pfn), 0);
    CU_ASSERT_EQUAL(d->lent_pages, 1);
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &r, sizeof(r)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_memory_op, XENMEM_increase_reservation, ARG, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(d->tot_pages, d->max_pages - 1);
    mm_assign_frame(d, m, pfn);
    CU_ASSERT_EQUAL(d->tot_pages, d->max_pages);
    CU_ASSERT_EQUAL(d->lent_pages, 0);
    /* Positive: one below max_pages with nothing lent, one more is granted. */
    d->max_pages++;
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_memory_op, XENMEM_increase_reservation, ARG, 0, 0, 0), 1);
    CU_ASSERT_EQUAL(d->tot_pages, d->max_pages);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

void unit_register_vif(void)
{
    CU_pSuite s = CU_add_suite("vif", NULL, NULL);

    CU_add_test(s, "the domctls: every refusal changes nothing; made, listed, destroyed",
                test_vif_domctl);
    CU_add_test(s, "rings: bad frames and descriptors answered ERROR, insane indices refused",
                test_vif_rings_checked);
    CU_add_test(s, "page flip: ownership, M2P, reservation, the tail cleared, audit clean",
                test_vif_flip);
    CU_add_test(s, "a posted frame stays in the reservation: max_pages holds", test_vif_lent_reservation);
    CU_add_test(s, "copy mode: the posted frame back with the packet", test_vif_copy);
    CU_add_test(s, "transmit: spoofed dropped, the header from the copy, held until it left",
                test_vif_transmit);
    CU_add_test(s, "round-robin with the NIC full: two senders share it half and half",
                test_vif_round_robin_full);
    CU_add_test(s, "destroyed in flight: posted frames freed, the sender's when sent, no leak",
                test_vif_destroy_in_flight);
    CU_add_test(s, "a transmit ring insane at its next turn: its domain dies alone",
                test_vif_insane_at_turn);
    CU_add_test(s, "mm_steal_frame: only a frame nothing else names", test_vif_steal_rules);
}
