/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * blk: a domain on its virtual block device (docs/io.md), one role per run
 * (testsuite/run-scenarios.py, "blk/..."; the host checks the disk image
 * afterwards with standard tools):
 *
 *   test=pattern   a seeded pattern (seed=N) across the whole VBD, many
 *                  requests of varied sizes in flight at once, answered in
 *                  any order; then read back and compared. The host
 *                  compares the image with the same pattern (cmp).
 *   test=tar       a ustar archive of three files on the VBD; the host's
 *                  GNU tar lists and extracts it, byte-identical to what
 *                  this guest printed.
 *   test=readonly  a read-only VBD: reads work, every write and flush gets
 *                  an error; the host finds the image unchanged (sha256sum).
 *   test=bad       requests that break the rules, each answered with an
 *                  error and nothing else: outside the extents, a buffer
 *                  outside the reservation (shared_info, another's frame,
 *                  no frame), a read into a page table, bad operation,
 *                  segment counts and sector ranges, insane ring indices;
 *                  then a good request still works.
 *   test=hammer    requests as fast as the ring takes them from start=MS to
 *                  start+window=MS of system time, then "info: done N sectors" (run in two domains:
 *                  the host checks each got half, within 5%); waitend=1:
 *                  then wait until domain 1 is gone.
 *   test=faults    ten writes while a fault site is armed (media error or
 *                  lost completion): each gets an answer, never a hang, and
 *                  errors=N of them fail.
 *   test=inflight  posts writes, and dies with them in flight (the
 *                  hypervisor keeps its frames until the disk is done).
 *   test=insane    fills its ring, and while the hypervisor still has
 *                  requests of it to take (the disk is busy with another
 *                  domain's), makes req_prod insane: it must be killed, alone.
 * As domain 0 with wait=1 it first waits until domain 1 is gone; with
 * waitend=1 it does so after its test (domain 0's end is the machine's).
 */
#include "guest.h"
#include "blkfront.h"
#include "events.h"
#include "mm.h"

const char test_title[] = "blk: a virtual block device over the machine's disk";

#define NR_BUFS 16

static uint8_t ring_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t bufs[NR_BUFS][BLKFRONT_MAX_SECT * BLKIF_SECTOR_SIZE]
    __attribute__((aligned(PAGE_SIZE)));
static uint8_t check[BLKFRONT_MAX_SECT * BLKIF_SECTOR_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct blkfront bf;

/* "key=" in the command line: the value's start, or NULL. */
static const char *arg(const char *key)
{
    const char *p = start_info->cmd_line;
    size_t n = strlen(key);

    for ( ; *p; p++ )
        if ( (p == start_info->cmd_line || p[-1] == ' ') && !strncmp(p, key, n) )
            return p + n;
    return NULL;
}

static bool is_test(const char *name)
{
    const char *v = arg("test=");
    size_t n = strlen(name);

    return v && !strncmp(v, name, n) && (v[n] == ' ' || v[n] == '\0');
}

/* The pattern: word k of VBD sector s (testsuite/run-scenarios.py has it too). */
static uint32_t pattern_word(uint32_t seed, uint64_t s, unsigned int k)
{
    uint32_t v = ((uint32_t)s * 128u + k) * 2654435761u + seed;

    return v ^ (v >> 13);
}

static void pattern_fill(uint32_t seed, uint64_t sector, uint8_t *buf, unsigned int nsect)
{
    uint32_t *w = (uint32_t *)buf;

    for ( unsigned int i = 0; i < nsect; i++ )
        for ( unsigned int k = 0; k < 128; k++ )
            *w++ = pattern_word(seed, sector + i, k);
}

/* Varied request sizes, the same on every run. */
static unsigned int next_size(uint32_t *rng)
{
    *rng = *rng * 1103515245u + 12345u;
    return 1 + (*rng >> 16) % BLKFRONT_MAX_SECT;
}

/* ------------------------------------------------------------------------
 * test=pattern
 */
static unsigned int gcd(unsigned int a, unsigned int b)
{
    while ( b )
    {
        unsigned int t = a % b;

        a = b;
        b = t;
    }
    return a;
}

static void test_pattern(void)
{
    static uint64_t chunk_at[1024];
    static unsigned int chunk_len[1024];
    uint32_t seed = guest_arg_u32("seed=", 1), rng = seed;
    uint64_t sector[NR_BUFS], next = 0;
    unsigned int nsect[NR_BUFS], out_of_order = 0, done = 0, nr = 0, step, i = 0;
    struct blkif_response rsp;
    long id, rc;

    /* The VBD in chunks of varied sizes, written in a shuffled order (a
     * stride through them), up to NR_BUFS at once. */
    for ( next = 0; next < bf.sectors && nr < 1024; nr++ )
    {
        unsigned int n = next_size(&rng);

        if ( n > bf.sectors - next )
            n = (unsigned int)(bf.sectors - next);
        chunk_at[nr] = next;
        chunk_len[nr] = n;
        next += n;
    }
    if ( next != bf.sectors )
        return test_error("VBD too large for this test\n");
    for ( step = nr / 3 + 1; gcd(step, nr) != 1; step++ )
        ;
    while ( i < nr || bf.nr_inflight )
    {
        while ( i < nr && bf.nr_inflight < NR_BUFS )
        {
            unsigned int c = (unsigned int)(((uint64_t)i * step) % nr);

            /* The lowest free id is the one post takes. */
            for ( id = 0; bf.inflight[id]; id++ )
                ;
            pattern_fill(seed, chunk_at[c], bufs[id], chunk_len[c]);
            if ( blkfront_post(&bf, BLKIF_OP_WRITE, chunk_at[c], bufs[id], chunk_len[c]) != id )
                return test_error("post of a write failed\n");
            sector[id] = chunk_at[c];
            nsect[id] = chunk_len[c];
            i++;
        }
        if ( (rc = blkfront_kick(&bf)) )
            return test_fail("notify: %ld\n", rc);
        if ( (rc = blkfront_wait(&bf, &rsp, BLKFRONT_TIMEOUT_NS)) )
            return test_fail("no response to a write: %ld\n", rc);
        if ( rsp.status != BLKIF_RSP_OKAY )
            return test_fail("write of sectors %llu+%u: status %d\n",
                             (unsigned long long)sector[rsp.id], nsect[rsp.id], rsp.status);
        /* Answered while one posted before it is still in flight. */
        for ( unsigned int k = 0; k < NR_BUFS; k++ )
            if ( bf.inflight[k] && bf.seq[k] < bf.seq[rsp.id] )
            {
                out_of_order++;
                break;
            }
        done++;
    }
    printk("pattern: %llu sectors written in %u requests\n", (unsigned long long)bf.sectors,
           done);
    printk("info: %u answered before an older request, %lu notifies\n", out_of_order,
           bf.notifies);

    /* Read back, one request at a time, and compare. */
    rng = seed;
    for ( next = 0; next < bf.sectors; )
    {
        unsigned int n = next_size(&rng);

        if ( n > bf.sectors - next )
            n = (unsigned int)(bf.sectors - next);
        memset(bufs[0], 0xee, n * BLKIF_SECTOR_SIZE);
        if ( (rc = blkfront_io(&bf, BLKIF_OP_READ, next, bufs[0], n)) )
            return test_fail("read of sectors %llu+%u: %ld\n", (unsigned long long)next, n, rc);
        pattern_fill(seed, next, check, n);
        if ( memcmp(bufs[0], check, n * BLKIF_SECTOR_SIZE) )
            return test_fail("sectors %llu+%u read back differ\n", (unsigned long long)next, n);
        next += n;
    }
    printk("pattern: read back and compared\n");
    if ( bf.bad_rsps )
        return test_fail("%lu responses with an id not in flight\n", bf.bad_rsps);
    test_pass();
}

/* ------------------------------------------------------------------------
 * test=tar: a ustar archive (POSIX.1-1988): a 512-byte header per file,
 * its data padded to 512, two zero blocks at the end.
 */
static void octal(char *p, unsigned int width, uint32_t v)
{
    p[width - 1] = '\0';
    for ( int i = (int)width - 2; i >= 0; i-- )
    {
        p[i] = (char)('0' + (v & 7));
        v >>= 3;
    }
}

static unsigned int tar_add(uint8_t *at, const char *name, const char *data)
{
    size_t len = strlen(data);
    unsigned int sum = 0, blocks = 1 + (unsigned int)((len + 511) / 512);
    char *h = (char *)at;

    memset(at, 0, blocks * 512);
    memcpy(h, name, strlen(name));          /* name[100] */
    octal(h + 100, 8, 0644);                /* mode */
    octal(h + 108, 8, 0);                   /* uid */
    octal(h + 116, 8, 0);                   /* gid */
    octal(h + 124, 12, (uint32_t)len);      /* size */
    octal(h + 136, 12, 1700000000u);        /* mtime: fixed, runs are reproducible */
    h[156] = '0';                           /* a regular file */
    memcpy(h + 257, "ustar", 6);            /* magic "ustar\0", version "00" */
    memcpy(h + 263, "00", 2);
    memcpy(h + 265, "pvx", 3);              /* uname, gname */
    memcpy(h + 297, "pvx", 3);
    memset(h + 148, ' ', 8);                /* the checksum counts itself as spaces */
    for ( unsigned int i = 0; i < 512; i++ )
        sum += (uint8_t)h[i];
    octal(h + 148, 7, sum);
    h[155] = ' ';
    memcpy(at + 512, data, len);
    printk("tar: %s %u bytes: %s", name, (unsigned int)len, data);
    return blocks * 512;
}

static void test_tar(void)
{
    static const char *const names[] = { "pvx/hello.txt", "pvx/paper.txt", "pvx/numbers.txt" };
    static char numbers[400];
    const char *data[3] = {
        "hello from a pvx domain, through its virtual block device\n",
        "Xen and the Art of Virtualization, section 3.3.6: virtual block devices\n",
        numbers,
    };
    unsigned int off = 0;
    long rc;

    for ( unsigned int i = 0, n = 0; i < 60; i++ )
        n += (unsigned int)snprintk(numbers + n, sizeof(numbers) - n, "%u%c", i * i,
                                    i % 10 == 9 ? '\n' : ' ');
    memset(bufs[0], 0, sizeof(bufs[0]));
    for ( unsigned int i = 0; i < 3; i++ )
        off += tar_add(bufs[0] + off, names[i], data[i]);
    off += 1024;                            /* the end: two zero blocks */
    if ( (rc = blkfront_io(&bf, BLKIF_OP_WRITE_BARRIER, 0, bufs[0], off / 512)) )
        return test_fail("writing the archive: %ld\n", rc);
    if ( (rc = blkfront_io(&bf, BLKIF_OP_FLUSH_DISKCACHE, 0, bufs[1], 0)) )
        return test_fail("flush: %ld\n", rc);
    printk("tar: %u bytes written with a barrier, flushed\n", off);
    test_pass();
}

/* ------------------------------------------------------------------------
 * test=readonly
 */
static void test_readonly(void)
{
    long rc;

    if ( bf.mode != PVX_VBD_MODE_R )
        return test_error("the VBD is not read-only (mode %u)\n", bf.mode);
    if ( (rc = blkfront_io(&bf, BLKIF_OP_READ, 0, bufs[0], 8)) )
        return test_fail("a read of a read-only VBD: %ld\n", rc);
    memset(bufs[1], 0x5a, sizeof(bufs[1]));
    for ( uint64_t s = 0; s < bf.sectors; s += 64 )
        if ( (rc = blkfront_io(&bf, BLKIF_OP_WRITE, s, bufs[1], 8)) != BLKIF_RSP_ERROR )
            return test_fail("write at sector %llu of a read-only VBD: %ld\n",
                             (unsigned long long)s, rc);
    if ( (rc = blkfront_io(&bf, BLKIF_OP_WRITE_BARRIER, 0, bufs[1], 8)) != BLKIF_RSP_ERROR )
        return test_fail("barrier write of a read-only VBD: %ld\n", rc);
    if ( (rc = blkfront_io(&bf, BLKIF_OP_FLUSH_DISKCACHE, 0, bufs[1], 0)) != BLKIF_RSP_ERROR )
        return test_fail("flush of a read-only VBD: %ld\n", rc);
    printk("readonly: reads answered, every write refused\n");
    test_pass();
}

/* ------------------------------------------------------------------------
 * test=bad: hand-made requests straight on the ring.
 */
static long raw(uint8_t op, uint8_t nseg, uint64_t sector, uint32_t mfn, uint8_t first,
                uint8_t last)
{
    struct blkif_request *rq = blkif_front_req(&bf.ring, bf.ring.req_prod_pvt);
    struct blkif_response rsp;
    long rc;

    memset(rq, 0, sizeof(*rq));
    rq->operation = op;
    rq->nr_segments = nseg;
    rq->id = 7;
    rq->sector_number = sector;
    for ( unsigned int i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++ )
        rq->seg[i] = (struct blkif_request_segment){ .gref = mfn, .first_sect = first,
                                                     .last_sect = last };
    bf.ring.req_prod_pvt++;
    bf.inflight[7] = true;
    bf.op[7] = op;
    bf.nr_inflight++;
    if ( (rc = blkfront_kick(&bf)) )
        return rc;
    if ( (rc = blkfront_wait(&bf, &rsp, BLKFRONT_TIMEOUT_NS)) )
        return rc;
    return rsp.status;
}

static void test_bad(void)
{
    uint32_t mine = mm_pfn_to_mfn((uint32_t)(unsigned long)bufs[0] >> PAGE_SHIFT);
    uint32_t si = (uint32_t)(start_info->shared_info >> PAGE_SHIFT);
    uint32_t pt = mm_pfn_to_mfn((uint32_t)start_info->pt_base >> PAGE_SHIFT);
    struct blkif_sring *s = (struct blkif_sring *)ring_page;
    const struct {
        const char *what;
        uint8_t op, nseg;
        uint64_t sector;
        uint32_t mfn;
        uint8_t first, last;
        long want;
    } cases[] = {
        { "a read past the end", BLKIF_OP_READ, 1, bf.sectors - 4, mine, 0, 7, BLKIF_RSP_ERROR },
        { "a read far past the end", BLKIF_OP_READ, 1, ~0ull - 2, mine, 0, 7, BLKIF_RSP_ERROR },
        { "a write into shared_info", BLKIF_OP_READ, 1, 0, si, 0, 7, BLKIF_RSP_ERROR },
        { "a buffer in no frame", BLKIF_OP_WRITE, 1, 0, 0xfffff, 0, 7, BLKIF_RSP_ERROR },
        { "a buffer in the hypervisor's frame 0", BLKIF_OP_WRITE, 1, 0, 0, 0, 7,
          BLKIF_RSP_ERROR },
        { "a read into a page table", BLKIF_OP_READ, 1, 0, pt, 0, 7, BLKIF_RSP_ERROR },
        { "operation 9", 9, 1, 0, mine, 0, 7, BLKIF_RSP_EOPNOTSUPP },
        { "indirect (not offered)", BLKIF_OP_INDIRECT, 1, 0, mine, 0, 7, BLKIF_RSP_EOPNOTSUPP },
        { "no segments", BLKIF_OP_READ, 0, 0, mine, 0, 7, BLKIF_RSP_ERROR },
        { "12 segments", BLKIF_OP_READ, 12, 0, mine, 0, 7, BLKIF_RSP_ERROR },
        { "255 segments", BLKIF_OP_WRITE, 255, 0, mine, 0, 7, BLKIF_RSP_ERROR },
        { "first_sect after last_sect", BLKIF_OP_READ, 1, 0, mine, 5, 4, BLKIF_RSP_ERROR },
        { "last_sect 8", BLKIF_OP_READ, 1, 0, mine, 0, 8, BLKIF_RSP_ERROR },
        { "a flush with a segment", BLKIF_OP_FLUSH_DISKCACHE, 1, 0, mine, 0, 7,
          BLKIF_RSP_ERROR },
        { "a good read", BLKIF_OP_READ, 2, 8, mine, 0, 7, BLKIF_RSP_OKAY },
    };
    struct physdev_pvx_blkif info;
    uint32_t saved;
    long rc;

    for ( unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++ )
    {
        rc = raw(cases[i].op, cases[i].nseg, cases[i].sector, cases[i].mfn, cases[i].first,
                 cases[i].last);
        if ( rc != cases[i].want )
            return test_fail("%s: %ld, expected %ld\n", cases[i].what, rc, cases[i].want);
        printk("bad: %s: %ld\n", cases[i].what, rc);
    }

    /* Indices: ahead by more than a ring, and behind. Nothing is taken. */
    saved = s->req_prod;
    s->req_prod = saved + 1000;
    rc = blkfront_physdev(PHYSDEVOP_pvx_blkif_notify, bf.vdev, 0, NULL);
    s->req_prod = saved - 1;
    if ( rc != -EINVAL ||
         (rc = blkfront_physdev(PHYSDEVOP_pvx_blkif_notify, bf.vdev, 0, NULL)) != -EINVAL )
        return test_fail("insane req_prod: notify %ld, expected -EINVAL\n", rc);
    s->req_prod = saved;
    printk("bad: req_prod ahead by 1000, and behind: -EINVAL, nothing taken\n");

    /* The physdev calls themselves. */
    if ( (rc = blkfront_physdev(PHYSDEVOP_pvx_vbd_info, 0, 1, &info)) != -ENOENT )
        return test_fail("vbd_info past the last: %ld\n", rc);
    if ( (rc = blkfront_physdev(PHYSDEVOP_pvx_blkif_connect, bf.vdev, mine, NULL)) != -EEXIST )
        return test_fail("a second ring: %ld\n", rc);
    if ( (rc = blkfront_physdev(PHYSDEVOP_pvx_blkif_notify, 0x1234, 0, NULL)) != -ENOENT )
        return test_fail("notify of a VBD we do not have: %ld\n", rc);
    if ( (rc = blkfront_physdev(PHYSDEVOP_pvx_blkif_connect, 0x1234, mine, NULL)) != -ENOENT )
        return test_fail("connect to a VBD we do not have: %ld\n", rc);
    printk("bad: physdev_op refusals: -ENOENT, -EEXIST\n");

    /* After all that, the ring still works. */
    memset(bufs[1], 0x33, 4096);
    if ( (rc = blkfront_io(&bf, BLKIF_OP_WRITE, 16, bufs[1], 8)) ||
         (rc = blkfront_io(&bf, BLKIF_OP_READ, 16, bufs[2], 8)) ||
         memcmp(bufs[1], bufs[2], 4096) )
        return test_fail("a good write and read after the bad ones: %ld\n", rc);
    if ( (rc = blkfront_close(&bf)) )
        return test_fail("disconnect: %ld\n", rc);
    if ( (rc = blkfront_physdev(PHYSDEVOP_pvx_blkif_notify, bf.vdev, 0, NULL)) != -XEN_ENOTCONN )
        return test_fail("notify with no ring: %ld\n", rc);
    printk("bad: good requests still served; disconnected\n");
    test_pass();
}

/* ------------------------------------------------------------------------
 * test=hammer: random reads of 4 KiB as fast as the ring takes them.
 */
static void test_hammer(void)
{
    /* One window of system time for every domain: from start= to
     * start= + window= (ms since boot). */
    uint64_t start = (uint64_t)guest_arg_u32("start=", 100) * 1000000;
    uint64_t end = start + (uint64_t)guest_arg_u32("window=", 400) * 1000000;
    uint32_t rng = guest_arg_u32("seed=", 1);
    unsigned long sectors = 0, reqs = 0;
    struct blkif_response rsp;
    long rc;

    if ( time_now_ns() >= start )
        return test_error("started after the window opened\n");
    while ( time_now_ns() < start )
        (void)sched_poll(blkfront_port, start);
    while ( time_now_ns() < end || bf.nr_inflight )
    {
        while ( time_now_ns() < end && bf.nr_inflight < NR_BUFS )
        {
            uint64_t s;

            rng = rng * 1103515245u + 12345u;
            s = ((uint64_t)(rng >> 8) % (bf.sectors / 8)) * 8;
            if ( blkfront_post(&bf, BLKIF_OP_READ, s, bufs[bf.nr_inflight], 8) < 0 )
                return test_error("post failed\n");
        }
        if ( (rc = blkfront_kick(&bf)) || (rc = blkfront_wait(&bf, &rsp, BLKFRONT_TIMEOUT_NS)) )
            return test_fail("hammer: %ld\n", rc);
        if ( rsp.status )
            return test_fail("hammer: status %d\n", rsp.status);
        if ( time_now_ns() > end )
            continue;                   /* after the window: not counted */
        reqs++;
        sectors += 8;
    }
    printk("info: done %lu sectors in %lu requests\n", sectors, reqs);
    test_pass();
}

/* ------------------------------------------------------------------------
 * test=faults: every request answered, some with errors.
 */
static void test_faults(void)
{
    unsigned int errors = 0, want = guest_arg_u32("errors=", 1);
    long rc;

    memset(bufs[0], 0x77, 8 * BLKIF_SECTOR_SIZE);
    for ( unsigned int i = 0; i < 10; i++ )
    {
        rc = blkfront_io(&bf, BLKIF_OP_WRITE, i * 8, bufs[0], 8);
        if ( rc == BLKIF_RSP_ERROR )
            errors++;
        else if ( rc )
            return test_fail("write %u: %ld (a hang, or not an error response)\n", i, rc);
    }
    printk("faults: 10 writes answered, %u with an error\n", errors);
    if ( errors != want )
        return test_fail("%u errors, expected %u\n", errors, want);
    test_pass();
}

/* ------------------------------------------------------------------------
 * test=insane: indices that ran ahead after the hypervisor was told.
 */
static void test_insane(void)
{
    struct blkif_sring *s = (struct blkif_sring *)ring_page;
    struct blkif_response rsp;
    long rc;

    for ( unsigned int i = 0; i < BLKIF_RING_SIZE_PAGE; i++ )
        if ( blkfront_post(&bf, BLKIF_OP_READ, (uint64_t)i * 8, bufs[i % NR_BUFS], 8) < 0 )
            return test_error("post failed\n");
    if ( (rc = blkfront_kick(&bf)) )
        return test_fail("notify: %ld\n", rc);
    printk("insane: 32 requests posted; req_prod runs 1000 ahead\n");
    s->req_prod += 1000;
    /* Responses until the hypervisor finds out, then it kills us. */
    while ( blkfront_wait(&bf, &rsp, BLKFRONT_TIMEOUT_NS) == 0 )
        ;
    test_fail("still alive: every request was taken before req_prod went insane\n");
}

/* ------------------------------------------------------------------------
 * test=inflight: die with writes in flight.
 */
static void test_inflight(void)
{
    memset(bufs, 0x99, sizeof(bufs));
    for ( unsigned int i = 0; i < NR_BUFS; i++ )
        if ( blkfront_post(&bf, BLKIF_OP_WRITE, (uint64_t)i * 128, bufs[i], 64) < 0 )
            return test_error("post failed\n");
    printk("inflight: %u writes posted; crashing with them in flight\n", NR_BUFS);
    (void)blkfront_kick(&bf);
    guest_shutdown(SHUTDOWN_crash);
}

void test_main(void)
{
    long rc;

    events_init();
    if ( guest_has_arg("wait=1") )
    {
        evtchn_port_t dom_exc;

        if ( evtchn_bind_virq(VIRQ_DOM_EXC, &dom_exc) )
            return test_error("bind VIRQ_DOM_EXC\n");
        wait_domain_gone(1, dom_exc);
        printk("domain 1 is gone\n");
    }
    if ( (rc = blkfront_open(&bf, 0, ring_page)) )
        return test_fail("no VBD to open: %ld\n", rc);
    printk("vbd %#x: %llu sectors, %s\n", bf.vdev, (unsigned long long)bf.sectors,
           bf.mode == PVX_VBD_MODE_R ? "read-only" : "read-write");
    if ( is_test("pattern") )
        test_pattern();
    else if ( is_test("tar") )
        test_tar();
    else if ( is_test("readonly") )
        test_readonly();
    else if ( is_test("bad") )
        test_bad();
    else if ( is_test("hammer") )
        test_hammer();
    else if ( is_test("faults") )
        test_faults();
    else if ( is_test("inflight") )
        test_inflight();
    else if ( is_test("insane") )
        test_insane();
    else
        test_error("no test= given\n");
    if ( guest_has_arg("waitend=1") )
    {
        evtchn_port_t dom_exc;

        if ( evtchn_bind_virq(VIRQ_DOM_EXC, &dom_exc) )
            return test_error("bind VIRQ_DOM_EXC\n");
        wait_domain_gone(1, dom_exc);
        printk("domain 1 is gone\n");
    }
}
