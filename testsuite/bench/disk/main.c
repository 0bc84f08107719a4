/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench-disk - a virtual block device's throughput and latency (docs/io.md,
 * docs/performance.md): n reads of nsect sectors each, depth of them in
 * flight, sequential from sector 0 or at random (a fixed seed), on the
 * domain's first VBD.
 *
 *   pattern=seq|rand n=N depth=D nsect=S seed=X
 *   stats=1   (the initial domain) the disk's own counters before and after
 *             (XEN_DOMCTL_pvx_disk_stats): its busy time and seek distance
 *
 * Times are system time (time_now_ns): virtual in the simulator, the TSC's
 * on QEMU. Prints "bench KEY VALUE" lines: elapsed_ns, sectors, reqs,
 * lat_ns (the sum of each request's post-to-response time), and with
 * stats=1 disk_ops, disk_busy_ns, seek_sectors.
 */
#include "../bench.h"
#include <blkfront.h>
#include <events.h>

const char test_title[] = "bench-disk: reads on a virtual block device, sequential or random";

#define MAX_DEPTH 16

static uint8_t ring_page[4096] __attribute__((aligned(4096)));
static uint8_t bufs[MAX_DEPTH][BLKFRONT_MAX_SECT * BLKIF_SECTOR_SIZE]
    __attribute__((aligned(4096)));
static struct blkfront bf;

static long disk_stats(struct xen_domctl_pvx_disk_stats *st)
{
    static struct xen_domctl op;
    long rc;

    memset(&op, 0, sizeof(op));
    op.cmd = XEN_DOMCTL_pvx_disk_stats;
    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op.domain = DOMID_SELF;
    rc = HYPERVISOR_domctl(&op);
    *st = op.u.pvx_disk_stats;
    return rc;
}

void test_main(void)
{
    unsigned long n = bench_arg("n", 100), depth = bench_arg("depth", 1);
    unsigned int nsect = (unsigned int)bench_arg("nsect", 8);
    bool seq = guest_has_arg("pattern=seq"), stats = bench_arg("stats", 0);
    uint32_t rng = (uint32_t)bench_arg("seed", 1);
    struct xen_domctl_pvx_disk_stats s0 = { 0 }, s1 = { 0 };
    uint64_t posted_at[MAX_DEPTH], next = 0, lat = 0, t0, t1;
    unsigned long done = 0, posted = 0;
    struct blkif_response rsp;
    long rc;

    events_init();
    if ( depth < 1 || depth > MAX_DEPTH || nsect < 1 || nsect > BLKFRONT_MAX_SECT )
        return test_error("depth 1-%u, nsect 1-%u\n", MAX_DEPTH, BLKFRONT_MAX_SECT);
    if ( (rc = blkfront_open(&bf, 0, ring_page)) )
        return test_fail("no VBD: %ld\n", rc);
    if ( stats && (rc = disk_stats(&s0)) )
        return test_fail("disk_stats: %ld\n", rc);
    t0 = time_now_ns();
    while ( done < n )
    {
        while ( posted < n && bf.nr_inflight < depth )
        {
            uint64_t s;
            long id;

            if ( seq )
            {
                s = next;
                next = (next + nsect) % (bf.sectors - nsect + 1);
            }
            else
            {
                rng = rng * 1103515245u + 12345u;
                s = (rng >> 4) % (bf.sectors - nsect + 1);
            }
            for ( id = 0; bf.inflight[id]; id++ )
                ;
            posted_at[id] = time_now_ns();
            if ( blkfront_post(&bf, BLKIF_OP_READ, s, bufs[id], nsect) != id )
                return test_error("post failed\n");
            posted++;
        }
        if ( (rc = blkfront_kick(&bf)) || (rc = blkfront_wait(&bf, &rsp, BLKFRONT_TIMEOUT_NS)) )
            return test_fail("request: %ld\n", rc);
        if ( rsp.status )
            return test_fail("status %d\n", rsp.status);
        lat += time_now_ns() - posted_at[rsp.id];
        done++;
    }
    t1 = time_now_ns();
    if ( stats && (rc = disk_stats(&s1)) )
        return test_fail("disk_stats: %ld\n", rc);
    bench_result("elapsed_ns", t1 - t0);
    bench_result("sectors", (uint64_t)n * nsect);
    bench_result("reqs", n);
    bench_result("lat_ns", lat);
    if ( stats )
    {
        bench_result("disk_ops", s1.ops - s0.ops);
        bench_result("disk_busy_ns", s1.busy_ns - s0.busy_ns);
        bench_result("seek_sectors", s1.seek_sectors - s0.seek_sectors);
    }
    test_pass();
}
