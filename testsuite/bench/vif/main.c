/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench-vif - packets through VIFs with rings (issue 15's figures; docs/
 * network.md). The initial domain makes the VIFs (its own 10.0.2.15, domain
 * 1's 10.0.2.16) and runs one role:
 *
 *   role=wire n=N size=S   N UDP frames of S bytes to the wire (broadcast,
 *                          port 9), up to 32 in flight, every response
 *                          waited for: domain -> wire
 *   role=d2d n=N size=S    N UDP frames of S bytes to domain 1's VIF (run
 *                          domain 1 with role=sink): domain -> domain,
 *                          through the VFR's rules, copied into the frames
 *                          domain 1 posts
 *   role=fair ms=T size=S  both domains send to the wire for T ms of
 *                          virtual time (domain 1: role=send): the NIC
 *                          full, the round-robin decides the shares
 *   n=0                    only the set-up (the simulator's baseline run)
 *
 * Prints "bench KEY VALUE" lines: vif_tsc and vif_ns (TSC cycles and system
 * time of the loop), n, bytes, delivered / dropped (d2d), sent0 / sent1
 * (fair: each VIF's packets on the wire).
 */
#include "../bench.h"
#include <events.h>
#include <mm.h>
#include <netfront.h>
#include <net/net.h>
#include <public/pvx.h>

const char test_title[] = "bench-vif: packets through VIFs with rings";

#define IP0     0x0a00020fu
#define IP1     0x0a000210u
#define TXQ     32

static const uint8_t mac0[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x10 };
static const uint8_t mac1[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x11 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static uint8_t pages[TXQ][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static unsigned long inflight, okay, dropped;
static bool pace;

static long domctl(uint32_t cmd, domid_t dom, struct xen_domctl *op)
{
    op->cmd = cmd;
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op->domain = dom;
    return HYPERVISOR_domctl(op);
}

static long make_vif(domid_t dom, const uint8_t *mac, uint32_t ip)
{
    struct xen_domctl op;

    memset(&op, 0, sizeof(op));
    memcpy(op.u.pvx_vif.mac, mac, 6);
    op.u.pvx_vif.ipv4 = ip;
    return domctl(XEN_DOMCTL_pvx_vif_create, dom, &op);
}

static long vif_of(domid_t dom, struct xen_domctl_pvx_vif *out)
{
    struct xen_domctl op;
    long rc;

    memset(&op, 0, sizeof(op));
    rc = domctl(XEN_DOMCTL_pvx_vif_list, dom, &op);
    *out = op.u.pvx_vif;
    return rc;
}

/* A UDP frame of size bytes in every page: from mac/ip to dst, port 9. */
static void fill(const uint8_t *mac, uint32_t ip, const uint8_t *dst, uint32_t dst_ip,
                 unsigned int size)
{
    for ( unsigned int i = 0; i < TXQ; i++ )
    {
        uint8_t *f = pages[i];

        memset(f, 0, size);
        memcpy(f, dst, 6);
        memcpy(f + 6, mac, 6);
        net_put16(f + 12, ETH_P_IPV4);
        f[14] = 0x45;
        net_put16(f + 16, (uint16_t)(size - 14));
        f[22] = 64;
        f[23] = IP_PROTO_UDP;
        net_put32(f + 26, ip);
        net_put32(f + 30, dst_ip);
        net_put16(f + 24, net_csum_fold(net_csum_add(0, f + 14, 20)));
        net_put16(f + 34, 1024);
        net_put16(f + 36, 9);
        net_put16(f + 38, (uint16_t)(size - 34));
    }
}

/* Take the transmit responses waiting. */
static void reap(void)
{
    do
    {
        while ( netif_tx_front_unconsumed(&netfront.tx) )
        {
            struct netif_tx_response r = *netif_tx_front_rsp(&netfront.tx, netfront.tx.rsp_cons);

            netfront.tx.rsp_cons++;
            inflight--;
            if ( r.status == NETIF_RSP_OKAY )
                okay++;
            else
                dropped++;
        }
    } while ( netif_tx_front_final_check(&netfront.tx) );
}

/* Send until n are answered (or until deadline_ns, when n is 0). */
static void blast(unsigned long n, unsigned int size, uint64_t deadline_ns)
{
    unsigned long posted = 0;

    okay = dropped = inflight = 0;
    while ( deadline_ns ? time_now_ns() < deadline_ns : okay + dropped < n )
    {
        unsigned int burst = 0;
        bool any = false;

        /* Paced: no more at once than the receiver keeps posted. */
        while ( inflight < TXQ && (deadline_ns || posted < n) && (!pace || burst++ < NETFRONT_RX / 2) )
        {
            struct netif_tx_request *rq = netif_tx_front_req(&netfront.tx, netfront.tx.req_prod_pvt++);

            rq->gref = mm_pfn_to_mfn((uint32_t)((unsigned long)pages[posted % TXQ] >> PAGE_SHIFT));
            rq->offset = 0;
            rq->flags = 0;
            rq->id = (uint16_t)(posted % TXQ);
            rq->size = (uint16_t)size;
            posted++;
            inflight++;
            any = true;
        }
        if ( any )
            (void)netfront_kick();
        reap();
        /* Domain to domain the sender's hypercall delivers: the receiver
         * needs the CPU to post its frames again. */
        if ( any && pace )
            (void)HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        if ( inflight == TXQ )
        {
            (void)sched_poll(netfront_port, deadline_ns);
            evtchn_test_and_clear(netfront_port);
            reap();
        }
    }
}

/* Domain 1: wait for the VIF the initial domain makes, then open it. */
static long open_when_there(void)
{
    struct physdev_pvx_netif op;

    for ( ;; )
    {
        memset(&op, 0, sizeof(op));
        if ( netfront_physdev(PHYSDEVOP_pvx_vif_info, &op) == 0 )
            return netfront_open(0);
        (void)HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
}

/* The initial domain: until domain 1's VIF has frames posted. */
static void wait_connected(void)
{
    struct xen_domctl_pvx_vif v;

    while ( vif_of(1, &v) || !(v.flags & PVX_VIF_F_CONNECTED) || !v.posted )
        (void)HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

void test_main(void)
{
    unsigned long n = bench_arg("n", 0), size = bench_arg("size", 1514), ms = bench_arg("ms", 200);
    struct xen_domctl_pvx_vif v0, v1;
    uint64_t t0, t1, ns0;
    long rc;

    events_init();
    if ( size < 60 || size > NETIF_FRAME_MAX )
        return test_fail("size %lu: 60..1514\n", size);
    if ( guest_has_arg("role=sink") || guest_has_arg("role=send") )
    {
        if ( (rc = open_when_there()) )
            return test_fail("domain 1's VIF: %ld\n", rc);
        if ( guest_has_arg("role=send") )
        {
            fill(mac1, IP1, bcast, 0xffffffffu, (unsigned int)size);
            blast(0, (unsigned int)size, ~0ull);
        }
        for ( ;; )                      /* receive until the machine ends */
        {
            static uint8_t buf[NETIF_FRAME_MAX];

            (void)netfront.link.recv(&netfront.link, buf, sizeof(buf), ~0ull);
        }
    }

    if ( (rc = make_vif(DOMID_SELF, mac0, IP0)) || (rc = netfront_open(0)) )
        return test_fail("the initial domain's VIF: %ld\n", rc);
    if ( guest_has_arg("role=d2d") || guest_has_arg("role=fair") )
    {
        if ( (rc = make_vif(1, mac1, IP1)) )
            return test_fail("domain 1's VIF: %ld\n", rc);
        if ( guest_has_arg("role=d2d") )
            wait_connected();
    }

    if ( guest_has_arg("role=fair") )
    {
        fill(mac0, IP0, bcast, 0xffffffffu, (unsigned int)size);
        wait_connected();
        t0 = time_now_ns();
        blast(0, (unsigned int)size, t0 + ms * 1000000ull);
        CHECK_RC(vif_of(DOMID_SELF, &v0), 0);
        CHECK_RC(vif_of(1, &v1), 0);
        bench_result("sent0", v0.tx_packets);
        bench_result("sent1", v1.tx_packets);
        bench_result("vif_ns", time_now_ns() - t0);
        return test_pass();
    }

    if ( guest_has_arg("role=d2d") )
    {
        fill(mac0, IP0, mac1, IP1, (unsigned int)size);
        pace = true;
    }
    else
        fill(mac0, IP0, bcast, 0xffffffffu, (unsigned int)size);
    ns0 = time_now_ns();
    t0 = bench_rdtsc();
    blast(n, (unsigned int)size, 0);
    t1 = bench_rdtsc();
    bench_result("vif_tsc", t1 - t0);
    bench_result("vif_ns", time_now_ns() - ns0);
    bench_result("n", n);
    bench_result("bytes", n * size);
    bench_result("okay", okay);
    if ( guest_has_arg("role=d2d") )
    {
        CHECK_RC(vif_of(1, &v1), 0);
        bench_result("delivered", v1.rx_packets);
        bench_result("dropped", v1.rx_no_frame);
    }
    test_pass();
}
