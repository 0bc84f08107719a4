/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * core_native.c - the core's own cost, host-native, without any trap: the
 * hypervisor is booted on the tests' fake machine (testsuite/lib/, a
 * generated kernel, dom0_mem=8M) and core_hypercall() is called directly,
 * as the arch's int $0x82 entry would.
 *
 *   core_native mmu B R    R rounds remapping the 2048 entries of four pinned
 *                          L1s, B requests per mmu_update (as bench-mmu does);
 *                          prints ns per entry: validation and bookkeeping alone
 *   core_native null N     N xen_version(0) calls; prints ns per call
 *   core_native domain     what one more domain costs the hypervisor: the size
 *                          of struct domain (a static slot) and the frames
 *                          domain_create takes (shared_info)
 *   core_native sched N K  one scheduling decision with N runnable domains:
 *                          K SCHEDOP_yield hypercalls (each a full decision:
 *                          accounting, the policy's pick, the switch, reaping,
 *                          rearming the timer), 1 us of fake time apart; prints
 *                          ns per yield and (pick_ns) per call of the policy's
 *                          pick_next alone
 *   core_native vif flip|copy N   N packets of 1514 bytes received from the
 *                          NIC by a VIF of the initial domain: each a frame
 *                          posted on the ring (a notify), the NIC's
 *                          interrupt, the VFR, the page flip or the copy, the
 *                          response; prints ns per packet
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "fake_machine.h"
#include <pvx/netif.h>
#include <public/io/netif.h>
#include <public/pvx.h>
#include <pvx/domain.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/layout.h>
#include <pvx/sched.h>
#include <public/sched.h>
#include <public/xen.h>

#define REQ_VA      0x340000u       /* 64 KiB of mapped guest memory for the requests */
#define DONE_VA     0x380000u
#define FREE_PFN    0x500u          /* the domain's frames beyond its initial mapping */
#define NR_L1       4
#define NR_ENTRIES  (NR_L1 * 512)

static void die(const char *what)
{
    fprintf(stderr, "core_native: %s\nconsole:\n%s\n", what, fake_console);
    exit(2);
}

static void boot(void)
{
    struct elfgen_spec s;

    elfgen_default(&s);
    if ( fixture_boot(&s, "kernel.elf", "dom0_mem=8M", 0, NULL) != -1 )
        die("boot failed");
}

/* One hypercall from ring 1, re-entered after each continuation. */
static long hypercall(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4)
{
    long rc;

    if ( fixture_hypercall_continued(&rc, NULL, nr, a1, a2, a3, a4, 0) != -1 )
        die("the machine stopped");
    return rc;
}

static uint32_t p2m(uint32_t pfn)
{
    uint32_t m = fixture_p2m(current, pfn);

    if ( m == INVALID_MFN )
        die("cannot read the p2m list");
    return m;
}

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static struct mmu_update reqs[2][NR_ENTRIES];

static long mmu(gva_t reqs, unsigned int n)
{
    return hypercall(__HYPERVISOR_mmu_update, reqs, n, DONE_VA, DOMID_SELF);
}

static double bench_mmu(unsigned int b, unsigned long rounds)
{
    uint32_t l1[NR_L1], page[2];
    double t0, t;
    unsigned int i;

    for ( i = 0; i < NR_L1; i++ )
        l1[i] = p2m(FREE_PFN + i);
    page[0] = p2m(FREE_PFN + NR_L1);
    page[1] = p2m(FREE_PFN + NR_L1 + 1);
    for ( i = 0; i < NR_L1; i++ )
    {
        struct mmuext_op op = { .cmd = MMUEXT_PIN_L1_TABLE, .arg1.mfn = l1[i] };

        if ( copy_to_guest(current, REQ_VA, &op, sizeof(op)) ||
             hypercall(__HYPERVISOR_mmuext_op, REQ_VA, 1, 0, DOMID_SELF) )
            die("cannot pin an L1");
    }
    for ( i = 0; i < NR_ENTRIES; i++ )
    {
        uint64_t ptr = ((uint64_t)l1[i / 512] << PAGE_SHIFT) + (i % 512) * 8;

        reqs[0][i] = (struct mmu_update){ ptr, ((uint64_t)page[i & 1] << PAGE_SHIFT) | 0x67 };
        reqs[1][i] = (struct mmu_update){ ptr, ((uint64_t)page[~i & 1] << PAGE_SHIFT) | 0x67 };
    }

    /* Both request lists sit in guest memory, as the guest's would. */
    if ( copy_to_guest(current, REQ_VA, reqs, sizeof(reqs)) )
        die("cannot write the requests");
    t0 = now_ns();
    for ( unsigned long r = 0; r < rounds; r++ )
        for ( unsigned int off = 0; off < NR_ENTRIES; off += b )
            if ( mmu(REQ_VA + (uint32_t)(((r & 1) * NR_ENTRIES + off) * sizeof(reqs[0][0])), b) )
                die("mmu_update failed");
    t = now_ns() - t0;
    return t / ((double)rounds * NR_ENTRIES);
}

static double bench_null(unsigned long n)
{
    double t0 = now_ns();

    for ( unsigned long i = 0; i < n; i++ )
        if ( hypercall(__HYPERVISOR_xen_version, 0, 0, 0, 0) < 0 )
            die("xen_version failed");
    return (now_ns() - t0) / (double)n;
}

/* N runnable domains: the initial one and N - 1 created bare (a copy of
 * domain 0's registers and page tables; they are switched to, never run). */
static void sched_setup(unsigned int n)
{
    if ( !fixture_add_bare_domains(1, n) )
        die("domain_create failed");
}

static double bench_sched(unsigned long k)
{
    double t0 = now_ns();

    for ( unsigned long i = 0; i < k; i++ )
    {
        struct cpu_regs r = current->regs;

        fake_now_ns += 1000;
        r.eax = __HYPERVISOR_sched_op;
        r.ebx = SCHEDOP_yield;
        r.eip += 2;
        core_hypercall(&r);
        if ( r.eax )
            die("yield failed");
    }
    return (now_ns() - t0) / (double)k;
}

static double bench_pick(unsigned long k)
{
    uint64_t slice;
    double t0 = now_ns();

    for ( unsigned long i = 0; i < k; i++ )
        if ( !sched_bvt_ops.pick_next(NULL, fake_now_ns, &slice) )
            die("nothing to pick");
    return (now_ns() - t0) / (double)k;
}

/* One VIF of dom0's, its rings in two free frames, packets to it from the
 * NIC: the receive path, whole, per packet. */
static double bench_vif(bool copy, unsigned long n)
{
    static const uint8_t mac[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x01 };
    struct physdev_pvx_netif op = { 0 };
    struct netif_rx_front_ring rx;
    struct netif_rx_sring *rs;
    uint8_t pkt[1514];
    uint32_t frame = p2m(FREE_PFN + 2);
    double t0 = 0;

    if ( vif_create(current->domain, 0, mac, 0x0a00020fu, copy ? PVX_VIF_F_COPY : 0) < 0 )
        die("vif_create");
    op.tx_ring_mfn = p2m(FREE_PFN);
    op.rx_ring_mfn = p2m(FREE_PFN + 1);
    rs = (struct netif_rx_sring *)(fake_mem + (size_t)op.rx_ring_mfn * PAGE_SIZE);
    netif_tx_sring_init((struct netif_tx_sring *)(fake_mem + (size_t)op.tx_ring_mfn * PAGE_SIZE));
    netif_rx_sring_init(rs);
    netif_rx_front_init(&rx, rs, PAGE_SIZE);
    if ( copy_to_guest(current, DONE_VA, &op, sizeof(op)) ||
         hypercall(__HYPERVISOR_physdev_op, PHYSDEVOP_pvx_netif_connect, DONE_VA, 0, 0) )
        die("netif_connect");
    memset(pkt, 0x5a, sizeof(pkt));
    memcpy(pkt, mac, 6);
    pkt[12] = 0x88;                             /* not IPv4: only the MAC matters */
    pkt[13] = 0xb5;
    for ( unsigned long i = 0; i <= n; i++ )
    {
        struct netif_rx_request *rq = netif_rx_front_req(&rx, rx.req_prod_pvt++);
        struct netif_rx_response r;

        if ( i == 1 )
            t0 = now_ns();                      /* the first one warms up */
        rq->id = 1;
        rq->gref = frame;
        (void)netif_rx_front_push(&rx);
        if ( hypercall(__HYPERVISOR_physdev_op, PHYSDEVOP_pvx_netif_notify, DONE_VA, 0, 0) )
            die("notify");
        if ( !fake_nic_receive(pkt, sizeof(pkt)) )
            die("the NIC has no frame posted");
        core_nic_interrupt(NULL);
        if ( !netif_rx_front_unconsumed(&rx) )
            die("no response");
        r = *netif_rx_front_rsp(&rx, rx.rsp_cons++);
        if ( r.status != (int16_t)sizeof(pkt) )
            die("a response with an error");
        frame = r.gref;                         /* the frame now at that pfn: posted next */
    }
    return (now_ns() - t0) / (double)n;
}

int main(int argc, char **argv)
{
    if ( argc == 4 && !strcmp(argv[1], "mmu") )
    {
        unsigned long b = strtoul(argv[2], NULL, 0), r = strtoul(argv[3], NULL, 0);

        if ( b == 0 || b > NR_ENTRIES || NR_ENTRIES % b || r == 0 )
            die("usage: mmu B R, B dividing 2048");
        boot();
        printf("ns_per_op %.3f\n", bench_mmu((unsigned int)b, r));
        return 0;
    }
    if ( argc == 3 && !strcmp(argv[1], "null") )
    {
        boot();
        printf("ns_per_op %.3f\n", bench_null(strtoul(argv[2], NULL, 0)));
        return 0;
    }
    if ( argc == 2 && !strcmp(argv[1], "domain") )
    {
        unsigned int before;

        boot();
        before = frame_free_count();
        if ( !domain_create(1, "bench", false) )
            die("domain_create failed");
        printf("sizeof_domain %zu\nframes %u\nmax_domains %u\n", sizeof(struct domain),
               before - frame_free_count(), (unsigned int)MAX_DOMAINS);
        return 0;
    }
    if ( argc == 4 && !strcmp(argv[1], "sched") )
    {
        unsigned long n = strtoul(argv[2], NULL, 0), k = strtoul(argv[3], NULL, 0);

        if ( n == 0 || n > MAX_DOMAINS || k == 0 )
            die("usage: sched N K, 1 <= N <= MAX_DOMAINS");
        boot();
        sched_setup((unsigned int)n);
        bench_sched(k / 8 + 1);         /* warm */
        printf("ns_per_op %.3f\n", bench_sched(k));
        printf("pick_ns %.3f\n", bench_pick(k));
        return 0;
    }
    if ( argc == 4 && !strcmp(argv[1], "vif") )
    {
        bool copy = !strcmp(argv[2], "copy");
        unsigned long n = strtoul(argv[3], NULL, 0);

        if ( (!copy && strcmp(argv[2], "flip")) || n == 0 )
            die("usage: vif flip|copy N");
        fake_config.nic = true;
        boot();
        printf("ns_per_op %.3f\n", bench_vif(copy, n));
        return 0;
    }
    fprintf(stderr, "usage: core_native mmu B ROUNDS | null N | domain | sched N K | vif flip|copy N\n");
    return 2;
}
