/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_netif.c - the initial domain's interim path to the NIC (core/io/
 * netif.c) on the fake machine's NIC: only the initial domain, only its own
 * frames, every transmit through the VFR (a spoofed one never reaches the
 * wire), a transmitted frame held until the NIC says it left, a received
 * frame copied only into a frame the domain posted, and counted when there
 * is none; the audit agrees with every reference held.
 */
#include <string.h>
#include "unit.h"
#include <pvx/audit.h>
#include <pvx/domain.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/netif.h>
#include <pvx/vfr.h>
#include <public/pvx.h>
#include <public/xen.h>

#define ARG UNIT_SCRATCH_VA
#define IP_A 0x0a00020fu

static const uint8_t nic_mac[6] = FAKE_NIC_MAC;
static const uint8_t gw_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

static long net_op(uint32_t cmd, const void *arg, size_t len)
{
    if ( len )
        CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, ARG, arg, len), 0);
    return unit_hypercall(__HYPERVISOR_physdev_op, cmd, ARG, 0, 0, 0);
}

static void boot_nic(bool nic, unsigned int domus)
{
    struct elfgen_spec s;

    fake_config.nic = nic;
    elfgen_default(&s);
    CU_ASSERT_EQUAL_FATAL(fixture_boot(&s, "kernel.elf", "dom0_mem=8M", domus, NULL), -1);
    fake_config.nic = false;                    /* the next test's machine has none */
}

/* A frame of dom0's that nothing maps: pfn past its initial mapping. */
static mfn_t dom0_frame(uint32_t pfn)
{
    mfn_t m = fixture_p2m(&domain_lookup(0)->vcpu[0], pfn);

    CU_ASSERT_FATAL(m != INVALID_MFN);
    return m;
}

static uint8_t *mem_of(mfn_t m)
{
    return fake_mem + (size_t)m * PAGE_SIZE;
}

/* A UDP frame from src_mac/src_ip to the gateway, at offset off of frame m. */
static unsigned int put_udp(mfn_t m, unsigned int off, const uint8_t *src_mac, uint32_t src_ip)
{
    uint8_t *p = mem_of(m) + off;

    memset(p, 0, 60);
    memcpy(p, gw_mac, 6);
    memcpy(p + 6, src_mac, 6);
    p[12] = 0x08;
    p[14] = 0x45;
    p[17] = 28;
    p[23] = 17;
    for ( unsigned int i = 0; i < 4; i++ )
        p[26 + i] = (uint8_t)(src_ip >> (24 - 8 * i));
    p[30] = 10;                                 /* to 10.0.2.2 */
    p[33] = 2;
    p[35] = 68;                                 /* 68 -> 67 */
    p[37] = 67;
    return 42;
}

static long setup(struct physdev_pvx_net_setup *s)
{
    long rc = net_op(PHYSDEVOP_pvx_net_setup, NULL, 0);

    CU_ASSERT_EQUAL(copy_from_guest(current, s, ARG, sizeof(*s)), 0);
    return rc;
}

static long tx(mfn_t m, unsigned int off, unsigned int len, uint32_t id, uint32_t *status)
{
    struct physdev_pvx_net_tx t = { .mfn = m, .offset = (uint16_t)off, .len = (uint16_t)len,
                                    .id = id, .status = 0xdead };
    long rc = net_op(PHYSDEVOP_pvx_net_tx, &t, sizeof(t));

    CU_ASSERT_EQUAL(copy_from_guest(current, &t, ARG, sizeof(t)), 0);
    *status = t.status;
    return rc;
}

static long rx_post(mfn_t m, uint32_t id)
{
    struct physdev_pvx_net_rx_post p = { .mfn = m, .id = id };

    return net_op(PHYSDEVOP_pvx_net_rx_post, &p, sizeof(p));
}

static long poll(struct physdev_pvx_net_poll *p)
{
    long rc = net_op(PHYSDEVOP_pvx_net_poll, NULL, 0);

    CU_ASSERT_EQUAL(copy_from_guest(current, p, ARG, sizeof(*p)), 0);
    return rc;
}

static void test_netif_no_nic_no_privilege(void)
{
    struct physdev_pvx_net_setup s;
    uint8_t before[sizeof(machine.netif)], vfr_before[sizeof(machine.vfr)];

    boot_nic(false, 0);
    CU_ASSERT_EQUAL(setup(&s), -ENODEV);
    CU_ASSERT_FALSE(machine.netif.has_nic);

    boot_nic(true, 1);
    CU_ASSERT(machine.netif.has_nic);
    CU_ASSERT_EQUAL(fake_nic_nr_posted, NIC_RX_DEPTH);   /* the pool, posted at boot */
    /* Before setup: no VIF, every other op refused. */
    CU_ASSERT_EQUAL(net_op(PHYSDEVOP_pvx_net_poll, NULL, 0), -EINVAL);
    fixture_become(&domain_lookup(1)->vcpu[0]);
    memcpy(before, &machine.netif, sizeof(before));
    memcpy(vfr_before, &machine.vfr, sizeof(vfr_before));
    CU_ASSERT_EQUAL(setup(&s), -EPERM);
    CU_ASSERT_EQUAL(net_op(PHYSDEVOP_pvx_net_tx, NULL, 0), -EPERM);
    CU_ASSERT_EQUAL(memcmp(before, &machine.netif, sizeof(before)), 0);
    CU_ASSERT_EQUAL(memcmp(vfr_before, &machine.vfr, sizeof(vfr_before)), 0);

    fixture_become(&domain_lookup(0)->vcpu[0]);
    CU_ASSERT_EQUAL(setup(&s), 0);
    CU_ASSERT_EQUAL(s.vif, 0);
    CU_ASSERT_EQUAL(memcmp(s.mac, nic_mac, 6), 0);
    CU_ASSERT_EQUAL(vfr_vif_get(0)->owner, 0);
    CU_ASSERT_EQUAL(setup(&s), -EEXIST);
    CU_ASSERT_EQUAL(net_op(0x70ff, NULL, 0), -ENOSYS);
}

static void test_netif_transmit(void)
{
    struct physdev_pvx_net_setup s;
    struct physdev_pvx_net_poll p;
    mfn_t m = dom0_frame(1500), other;
    uint32_t status, refs;
    unsigned int len;

    boot_nic(true, 1);
    CU_ASSERT_EQUAL(setup(&s), 0);
    refs = frame_of(m)->ref_count;

    /* Refused: nothing sent, nothing held. */
    len = put_udp(m, 100, nic_mac, 0);
    CU_ASSERT_EQUAL(tx(m, 100, 13, 1, &status), -EINVAL);
    CU_ASSERT_EQUAL(tx(m, 100, 1515, 1, &status), -EINVAL);
    CU_ASSERT_EQUAL(tx(m, 4096 - 41, len, 1, &status), -EINVAL);    /* past the frame */
    other = fixture_p2m(&domain_lookup(1)->vcpu[0], 100);
    CU_ASSERT_EQUAL(tx(other, 0, len, 1, &status), -EINVAL);        /* not its frame */
    CU_ASSERT_EQUAL(tx(0xfffff, 0, len, 1, &status), -EINVAL);
    CU_ASSERT_EQUAL(fake_nic_nr_sent, 0);

    /* A spoofed source: the VFR drops it, counted, nothing on the wire. */
    put_udp(m, 100, gw_mac, 0);
    CU_ASSERT_EQUAL(tx(m, 100, len, 2, &status), 0);
    CU_ASSERT_EQUAL(status, PVX_NET_DROPPED);
    CU_ASSERT_EQUAL(vfr_vif_get(0)->tx_spoofed, 1);
    CU_ASSERT_EQUAL(fake_nic_nr_sent, 0);
    CU_ASSERT_EQUAL(frame_of(m)->ref_count, refs);

    /* DHCP from 0.0.0.0: sent from the frame itself, held until it left. */
    put_udp(m, 100, nic_mac, 0);
    CU_ASSERT_EQUAL(tx(m, 100, len, 3, &status), 0);
    CU_ASSERT_EQUAL(status, PVX_NET_QUEUED);
    CU_ASSERT_EQUAL_FATAL(fake_nic_nr_sent, 1);
    CU_ASSERT_EQUAL(fake_nic_sent[0].mfn, m);
    CU_ASSERT_EQUAL(fake_nic_sent[0].len, len);
    CU_ASSERT_EQUAL(memcmp(fake_nic_sent[0].bytes, mem_of(m) + 100, len), 0);
    CU_ASSERT_EQUAL(frame_of(m)->ref_count, refs + 1);
    CU_ASSERT_EQUAL(audit_frames(), 0);
    CU_ASSERT_EQUAL(poll(&p), -EAGAIN);

    CU_ASSERT(fake_nic_complete_tx());
    core_nic_interrupt(NULL);
    CU_ASSERT_EQUAL(frame_of(m)->ref_count, refs);
    CU_ASSERT_EQUAL(poll(&p), 0);
    CU_ASSERT(p.kind == PVX_NET_EV_TX_DONE && p.id == 3);
    CU_ASSERT_EQUAL(poll(&p), -EAGAIN);
    CU_ASSERT_EQUAL(audit_frames(), 0);

    /* NIC_TX_DEPTH in flight, then -EBUSY with nothing taken. */
    for ( unsigned int i = 0; i < NIC_TX_DEPTH; i++ )
        CU_ASSERT_EQUAL(tx(m, 100, len, 10 + i, &status), 0);
    CU_ASSERT_EQUAL(tx(m, 100, len, 99, &status), -EBUSY);
    CU_ASSERT_EQUAL(frame_of(m)->ref_count, refs + NIC_TX_DEPTH);
    CU_ASSERT_EQUAL(audit_frames(), 0);
    while ( fake_nic_complete_tx() )
        ;
    core_nic_interrupt(NULL);
    CU_ASSERT_EQUAL(frame_of(m)->ref_count, refs);
    for ( unsigned int i = 0; i < NIC_TX_DEPTH; i++ )
    {
        CU_ASSERT_EQUAL(poll(&p), 0);
        CU_ASSERT_EQUAL(p.id, 10 + i);
    }

    /* The fault site: -EIO, nothing sent or held. */
    machine.fault.site[FAULT_NET_TX].fail_nth = machine.fault.site[FAULT_NET_TX].calls + 1;
    CU_ASSERT_EQUAL(tx(m, 100, len, 5, &status), -EIO);
    CU_ASSERT_EQUAL(fake_nic_nr_sent, 1 + NIC_TX_DEPTH);
    CU_ASSERT_EQUAL(frame_of(m)->ref_count, refs);
}

static void test_netif_receive(void)
{
    struct physdev_pvx_net_setup s;
    struct physdev_pvx_net_poll p;
    mfn_t buf = dom0_frame(1600), buf2 = dom0_frame(1601);
    uint8_t frame[60];
    uint32_t refs = 0;

    boot_nic(true, 0);
    CU_ASSERT_EQUAL(setup(&s), 0);
    CU_ASSERT_EQUAL(vfr_vif_set_ipv4(0, IP_A), 0);

    /* A page table cannot be posted; a frame of another owner neither. */
    CU_ASSERT_NOT_EQUAL(rx_post((mfn_t)(current->cr3 >> PAGE_SHIFT), 1), 0);
    CU_ASSERT_EQUAL(rx_post(0xfffff, 1), -EINVAL);
    CU_ASSERT_EQUAL(machine.netif.rx_nr, 0);

    /* For us with nothing posted: dropped and counted. */
    memset(frame, 0, sizeof(frame));
    memcpy(frame, nic_mac, 6);
    memcpy(frame + 6, gw_mac, 6);
    frame[12] = 0x08;
    frame[13] = 0x06;                           /* ARP, Ethernet/IPv4 */
    frame[15] = 1;                              /* hardware 1, protocol 0x0800 */
    frame[16] = 8;
    frame[18] = 6;
    frame[19] = 4;
    frame[21] = 2;                              /* a reply */
    CU_ASSERT(fake_nic_receive(frame, sizeof(frame)));
    core_nic_interrupt(NULL);
    CU_ASSERT_EQUAL(vfr_vif_get(0)->rx_dropped, 1);
    CU_ASSERT_EQUAL(poll(&p), -EAGAIN);
    CU_ASSERT_EQUAL(fake_nic_nr_posted, NIC_RX_DEPTH);   /* the pool frame went back */

    refs = frame_of(buf)->ref_count;
    CU_ASSERT_EQUAL(rx_post(buf, 7), 0);
    CU_ASSERT_EQUAL(rx_post(buf2, 8), 0);
    CU_ASSERT_EQUAL(frame_of(buf)->ref_count, refs + 1);
    CU_ASSERT_EQUAL(frame_of(buf)->type, FRAME_WRITABLE);
    CU_ASSERT_EQUAL(audit_frames(), 0);

    /* Someone else's unicast: the VFR drops it, the frames stay posted. */
    frame[5] ^= 1;
    CU_ASSERT(fake_nic_receive(frame, sizeof(frame)));
    core_nic_interrupt(NULL);
    CU_ASSERT_EQUAL(poll(&p), -EAGAIN);
    CU_ASSERT_EQUAL(machine.netif.rx_nr, 2);
    frame[5] ^= 1;

    /* Ours: copied into the oldest posted frame. */
    CU_ASSERT(fake_nic_receive(frame, sizeof(frame)));
    core_nic_interrupt(NULL);
    CU_ASSERT_EQUAL(poll(&p), 0);
    CU_ASSERT(p.kind == PVX_NET_EV_RX && p.id == 7 && p.len == sizeof(frame));
    CU_ASSERT_EQUAL(memcmp(mem_of(buf), frame, sizeof(frame)), 0);
    CU_ASSERT_EQUAL(frame_of(buf)->ref_count, refs);
    CU_ASSERT_EQUAL(vfr_vif_get(0)->rx_delivered, 1);
    CU_ASSERT_EQUAL(audit_frames(), 0);

    /* A lost receive (fault site): nothing delivered, buf2 stays posted. */
    machine.fault.site[FAULT_NET_RX].fail_nth = machine.fault.site[FAULT_NET_RX].calls + 1;
    CU_ASSERT(fake_nic_receive(frame, sizeof(frame)));
    core_nic_interrupt(NULL);
    CU_ASSERT_EQUAL(machine.netif.rx_lost, 1);
    CU_ASSERT_EQUAL(poll(&p), -EAGAIN);
    CU_ASSERT_EQUAL(machine.netif.rx_nr, 1);

    /* A frame sent to its own address comes back through the VFR. */
    {
        mfn_t m = dom0_frame(1500);
        uint32_t status;
        unsigned int len = put_udp(m, 0, nic_mac, IP_A);

        memcpy(mem_of(m), nic_mac, 6);
        CU_ASSERT_EQUAL(tx(m, 0, len, 9, &status), 0);
        CU_ASSERT_EQUAL(status, PVX_NET_DELIVERED);
        CU_ASSERT_EQUAL(poll(&p), 0);
        CU_ASSERT(p.kind == PVX_NET_EV_RX && p.id == 8 && p.len == len);
        CU_ASSERT_EQUAL(memcmp(mem_of(buf2), mem_of(m), len), 0);
        CU_ASSERT_EQUAL(fake_nic_nr_sent, 0);
    }
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

void unit_register_netif(void)
{
    CU_pSuite s = CU_add_suite("netif", NULL, NULL);

    CU_add_test(s, "no NIC: -ENODEV; only the initial domain, once; others change nothing",
                test_netif_no_nic_no_privilege);
    CU_add_test(s, "transmit: refused frames, a spoofed one dropped, a good one held till it left",
                test_netif_transmit);
    CU_add_test(s, "receive: only into posted frames, others dropped and counted, audit clean",
                test_netif_receive);
}
