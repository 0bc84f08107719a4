/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * eval-domains - the paper's §4.3 with pvx: performance isolation between
 * domains, and aggregate throughput as the number of domains grows. One
 * image, a role per domain (its command line):
 *
 *   role=iso window=MS [net=1]      (domain 0) domains 1..4 run the workload,
 *                                   domain 5 misbehaves; over a window of
 *                                   system time each of 1..4 must get its BVT
 *                                   share (1/5: all five always runnable, equal
 *                                   weights) within tolerance=PERMILLE (default
 *                                   50: ±5%, relative)
 *   role=good                       the workload, forever: a compute loop with a
 *                                   hypercall every 1024 rounds, never yielding,
 *                                   and a line "eval iso-progress" every 2^18 rounds
 *   role=bad kind=cpu|events|memory|disk|none
 *                                   cpu: spins with upcalls masked, no hypercall;
 *                                   events: sends events to itself as fast as it
 *                                   can, every one delivered to its callback;
 *                                   memory: gives back 256 frames and asks for
 *                                   1024 (refused past its reservation), again
 *                                   and again; disk: keeps its VBD's ring full
 *                                   of 11-page reads and writes all over the
 *                                   VBD, polling for the answers (never
 *                                   blocking: always runnable, the disk never
 *                                   idle); net: keeps its VIF's transmit ring
 *                                   full of 1514-byte broadcasts to the wire,
 *                                   polling for the answers (always runnable;
 *                                   domain 0 made the VIF: role=iso net=1);
 *                                   none: the workload (the baseline)
 *   role=scale domains=N            (domain 0) waits until domains 1..N are gone
 *   role=work total=K domains=N     K thousand rounds of the workload shared by N
 *                                   domains (K/N each), then powers off
 *
 * Prints "eval iso dom=D share_ppm=S" per domain, "eval scale domains=N
 * now_ns=T" (system time at the end). testsuite/eval/run-eval.py reads them.
 */
#include "blkfront.h"
#include "netfront.h"
#include "guest.h"
#include "events.h"
#include "mm.h"
#include <public/pvx.h>

const char test_title[] = "eval-domains: isolation and scale of domains (paper section 4.3)";

#define NR_GOOD 4
#define PROGRESS_ROUNDS (1u << 18)

static bool domain_info(domid_t d, struct xen_domctl_pvx_getinfo *info)
{
    struct xen_domctl op;

    memset(&op, 0, sizeof(op));
    if ( hypercall_domctl(XEN_DOMCTL_pvx_getinfo, d, &op) )
        return false;
    *info = op.u.pvx_getinfo;
    return true;
}

/* The workload: rounds of register arithmetic, a hypercall every 1024. */
static uint32_t work(uint32_t rounds)
{
    uint32_t a = 1, c = 7;

    for ( uint32_t i = 0; i < rounds; i++ )
    {
        asm volatile ( ".rept 16\n\tadd %1, %0\n\trol $3, %0\n\t.endr" : "+r" (a) : "r" (c) );
        if ( (i & 1023) == 1023 )
            HYPERVISOR_xen_version(XENVER_version, NULL);
    }
    return a;
}

static void __noreturn bad_events(void)
{
    evtchn_port_t ipi;

    events_init();
    if ( evtchn_bind_ipi(&ipi) )
        guest_shutdown(SHUTDOWN_crash);
    events_enable();
    for ( ;; )
        evtchn_send(ipi);
}

static void __noreturn bad_memory(void)
{
    static xen_pfn_t frames[1024];
    struct xen_memory_reservation r = { .extent_order = 0, .domid = DOMID_SELF };
    long got = 256;

    /* Frames from the top nobody maps: ours to give back. */
    for ( unsigned int i = 0; i < 256; i++ )
        frames[i] = mm_pfn_to_mfn(mm_alloc_pfn());
    for ( ;; )
    {
        r.extent_start = xen_guest_handle(frames);
        r.nr_extents = (uint32_t)got;
        HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r);
        r.nr_extents = 1024;
        got = HYPERVISOR_memory_op(XENMEM_increase_reservation, &r);
        if ( got < 0 )
            got = 0;
    }
}

static void __noreturn bad_disk(void)
{
    static uint8_t ring[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
    /* One buffer for every request: what lands in it does not matter. */
    static uint8_t buf[BLKFRONT_MAX_SECT * BLKIF_SECTOR_SIZE] __attribute__((aligned(PAGE_SIZE)));
    static struct blkfront bf;
    struct blkif_response rsp;
    uint32_t seed = 1;
    long id;

    events_init();
    if ( blkfront_open(&bf, 0, ring) || bf.sectors < BLKFRONT_MAX_SECT )
        guest_shutdown(SHUTDOWN_crash);
    for ( ;; )
    {
        /* Fill the ring: a write every other request, anywhere. */
        do {
            uint64_t sector;

            seed = seed * 1103515245u + 12345u;
            sector = (seed >> 8) % (bf.sectors - BLKFRONT_MAX_SECT + 1);
            id = blkfront_post(&bf, (seed & 0x100) ? BLKIF_OP_WRITE : BLKIF_OP_READ, sector,
                               buf, BLKFRONT_MAX_SECT);
        } while ( id >= 0 );
        blkfront_kick(&bf);
        /* Take what has come back, without blocking. */
        while ( blkfront_wait(&bf, &rsp, 0) == 0 )
            if ( rsp.status != BLKIF_RSP_OKAY )
                guest_shutdown(SHUTDOWN_crash);
    }
}

static void __noreturn bad_net(void)
{
    static uint8_t frame[NETIF_FRAME_MAX];

    events_init();
    /* Domain 0 makes the VIF; until then, wait for it (before the window). */
    while ( netfront_open(0) )
        sched_poll(0, time_now_ns() + 1000000);
    memset(frame, 0xff, 6);                     /* a broadcast: to the wire */
    memcpy(frame + 6, netfront.link.mac, 6);
    frame[12] = 0x88;                           /* IEEE's local experimental ethertype */
    frame[13] = 0xb5;
    for ( ;; )
        if ( netfront_send_nowait(frame, sizeof(frame)) < 0 )
            netfront_kick();                    /* full: publish, take answers next turn */
}

/* The bad domain's VIF, for kind=net: MAC 00:16:3e:00:05:00, 10.0.2.15. */
static bool iso_make_vif(void)
{
    struct xen_domctl op;

    memset(&op, 0, sizeof(op));
    memcpy(op.u.pvx_vif.mac, (const uint8_t[6]){ 0x00, 0x16, 0x3e, 0x00, 0x05, 0x00 }, 6);
    op.u.pvx_vif.ipv4 = 0x0a00020fu;
    return hypercall_domctl(XEN_DOMCTL_pvx_vif_create, NR_GOOD + 1, &op) == 0;
}

static void iso(void)
{
    uint64_t window = (uint64_t)guest_arg_u32("window=", 2000) * 1000000ull;
    uint32_t tol = guest_arg_u32("tolerance=", 50);
    struct xen_domctl_pvx_getinfo before[NR_GOOD + 1], after;
    uint64_t used[NR_GOOD + 1], total = 0;
    evtchn_port_t timer;
    bool ok = true;

    events_init();
    if ( evtchn_bind_virq(VIRQ_TIMER, &timer) )
        return test_fail("bind_virq(VIRQ_TIMER) failed\n");
    if ( guest_has_arg("net=1") && !iso_make_vif() )
        return test_fail("cannot make domain %u's VIF\n", NR_GOOD + 1);
    /* Let everyone start, then take the window. */
    HYPERVISOR_set_timer_op(time_now_ns() + window / 10);
    while ( !evtchn_test_and_clear(timer) )
        sched_poll(timer, 0);
    for ( domid_t d = 1; d <= NR_GOOD + 1; d++ )
        if ( !domain_info(d, &before[d - 1]) )
            return test_fail("domain %u is missing\n", d);
    printk("eval iso window-start\n");
    HYPERVISOR_set_timer_op(time_now_ns() + window);
    while ( !evtchn_test_and_clear(timer) )
        sched_poll(timer, 0);
    printk("eval iso window-end\n");
    for ( domid_t d = 1; d <= NR_GOOD + 1; d++ )
    {
        if ( !domain_info(d, &after) || after.state != 1 )
            return test_fail("domain %u is no longer running\n", d);
        used[d - 1] = after.cpu_time_ns - before[d - 1].cpu_time_ns;
        total += used[d - 1];
    }
    if ( !total )
        return test_fail("nobody ran\n");
    for ( domid_t d = 1; d <= NR_GOOD + 1; d++ )
    {
        uint32_t ppm = (uint32_t)(used[d - 1] * 1000000ull / total);
        uint32_t want = 1000000u / (NR_GOOD + 1);
        uint32_t err = ppm > want ? ppm - want : want - ppm;

        printk("eval iso dom=%u share_ppm=%u cpu_ms=%llu\n", d, ppm,
               (unsigned long long)(used[d - 1] / 1000000));
        if ( d <= NR_GOOD && (uint64_t)err * 1000 > (uint64_t)want * tol )
        {
            printk("domain %u: share %u ppm, expected %u +-%u.%u%%\n", d, ppm, want,
                   tol / 10, tol % 10);
            ok = false;
        }
    }
    if ( guest_has_arg("net=1") )
    {
        struct xen_domctl op;

        memset(&op, 0, sizeof(op));
        if ( hypercall_domctl(XEN_DOMCTL_pvx_vif_list, NR_GOOD + 1, &op) )
            return test_fail("domain %u's VIF is gone\n", NR_GOOD + 1);
        printk("eval iso bad-vif tx_packets=%llu\n", (unsigned long long)op.u.pvx_vif.tx_packets);
        if ( !op.u.pvx_vif.tx_packets )
            return test_fail("the network hog sent nothing\n");
    }
    if ( !ok )
        return test_fail("a well-behaved domain lost its share\n");
    test_pass();
}

static void scale(void)
{
    uint32_t n = guest_arg_u32("domains=", 0);
    struct xen_domctl_pvx_getinfo info;
    evtchn_port_t dom_exc;

    events_init();
    if ( evtchn_bind_virq(VIRQ_DOM_EXC, &dom_exc) )
        return test_fail("bind_virq(VIRQ_DOM_EXC) failed\n");
    for ( domid_t d = 1; d <= n; d++ )
        while ( domain_info(d, &info) && info.state != 2 )
            sched_poll(dom_exc, time_now_ns() + 1000000);
    printk("eval scale domains=%u now_ns=%llu\n", n, (unsigned long long)time_now_ns());
    test_pass();
}

void test_main(void)
{
    const char *kind;

    if ( guest_has_arg("role=iso") )
        return iso();
    if ( guest_has_arg("role=scale") )
        return scale();
    if ( guest_has_arg("role=work") )
    {
        uint32_t n = guest_arg_u32("domains=", 1);

        work(n ? guest_arg_u32("total=", 0) * 1000u / n : 0);
        guest_shutdown(SHUTDOWN_poweroff);
    }
    if ( guest_has_arg("role=bad") )
    {
        kind = guest_has_arg("kind=cpu") ? "cpu" : guest_has_arg("kind=events") ? "events" :
               guest_has_arg("kind=memory") ? "memory" : guest_has_arg("kind=disk") ? "disk" :
               guest_has_arg("kind=net") ? "net" : "none";
        if ( !strcmp(kind, "cpu") )
            asm volatile ( "1: add %%ecx, %%eax; rol $3, %%eax; jmp 1b" ::: "eax", "ecx", "cc" );
        if ( !strcmp(kind, "events") )
            bad_events();
        if ( !strcmp(kind, "memory") )
            bad_memory();
        if ( !strcmp(kind, "disk") )
            bad_disk();
        if ( !strcmp(kind, "net") )
            bad_net();
    }
    /* The workload, and a line per chunk: run-eval.py counts each domain's
     * lines inside domain 0's window, its work rate. */
    for ( ;; )
    {
        work(PROGRESS_ROUNDS);
        printk("eval iso-progress\n");
    }
}
