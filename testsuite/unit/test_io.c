/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_io.c - I/O rings and virtual block devices (core/io/, docs/io.md) on
 * the fake machine's disks: the VBD rules, the ring's index checks, every
 * check of a request (each refused alone, answered with an error, nothing
 * else changed), zero-copy references held until the disk is done, the
 * elevator's order and barriers, responses out of order, faults, and a
 * domain destroyed with requests in flight. The audit runs after each.
 */
#include <string.h>
#include "unit.h"
#include <pvx/audit.h>
#include <pvx/domain.h>
#include <pvx/fault.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/io.h>
#include <pvx/mm.h>
#include <pvx/sched.h>
#include <public/physdev.h>
#include <public/pvx.h>
#include <public/xen.h>

#define ARG         UNIT_SCRATCH_VA
#define PFN_RING    1000u               /* frames of dom0's reservation nothing maps */
#define PFN_BUF     1001u
#define XVDA        ((202u << 8) | 0)

static struct vcpu *v0;

/* dom0 with 4 MiB and a VBD of two extents on a 4096-sector disk: VBD
 * sectors 0-1023 are disk 0-1023, 1024-2047 are disk 2048-3071. */
static void boot(const char *extra, unsigned int nr_domus)
{
    struct elfgen_spec s;
    char cmd[200];

    snprintf(cmd, sizeof(cmd), "dom0_mem=4M dom0_vbd=xvda,w,0:0+1024,0:2048+1024 %s",
             extra ? extra : "");
    memset(fake_disk_sectors, 0, sizeof(fake_disk_sectors));
    fake_disk_sectors[0] = 4096;
    elfgen_default(&s);
    CU_ASSERT_EQUAL_FATAL(fixture_boot(&s, "kernel.elf", cmd, nr_domus, NULL), -1);
    v0 = current;
    for ( unsigned int i = 0; i < 4096 * 512 / 4; i++ )
        ((uint32_t *)fake_disk_data[0])[i] = i;   /* each word says where it is */
}

static uint8_t *frame_ptr(uint32_t mfn)
{
    return fake_mem + (size_t)mfn * PAGE_SIZE;
}

static uint32_t mfn_of(struct vcpu *v, uint32_t pfn)
{
    uint32_t m = fixture_p2m(v, pfn);

    CU_ASSERT_NOT_EQUAL_FATAL(m, ~0u);
    return m;
}

static long physdev(uint32_t cmd, uint16_t vdev, uint32_t index_or_mfn,
                    struct physdev_pvx_blkif *out)
{
    struct physdev_pvx_blkif op = { .vdev = vdev };
    long rc;

    if ( cmd == PHYSDEVOP_pvx_vbd_info )
        op.index = index_or_mfn;
    else
        op.ring_mfn = index_or_mfn;
    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, ARG, &op, sizeof(op)), 0);
    rc = unit_hypercall(__HYPERVISOR_physdev_op, cmd, ARG, 0, 0, 0);
    if ( out )
        CU_ASSERT_EQUAL(copy_from_guest(current, out, ARG, sizeof(*out)), 0);
    return rc;
}

/* A call that must be refused with want and change nothing. */
static void refused(uint32_t cmd, uint16_t vdev, uint32_t x, long want)
{
    struct physdev_pvx_blkif op = { .vdev = vdev, .ring_mfn = x };
    uint64_t h;

    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, ARG, &op, sizeof(op)), 0);
    h = unit_mem_hash();
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_physdev_op, cmd, ARG, 0, 0, 0), want);
    CU_ASSERT_EQUAL(unit_mem_hash(), h);
}

static struct blkif_sring *ring_of(uint32_t mfn)
{
    return (struct blkif_sring *)frame_ptr(mfn);
}

/* A fresh ring in the caller's frame pfn, connected to vdev. */
static uint32_t connect(struct vcpu *v, uint32_t pfn, uint16_t vdev)
{
    uint32_t m = mfn_of(v, pfn);

    memset(frame_ptr(m), 0, PAGE_SIZE);
    blkif_sring_init(ring_of(m));
    CU_ASSERT_EQUAL_FATAL(physdev(PHYSDEVOP_pvx_blkif_connect, vdev, m, NULL), 0);
    return m;
}

/* Put a request in the next slot and publish it (no notify). */
static void post(uint32_t ring, const struct blkif_request *rq)
{
    struct blkif_sring *s = ring_of(ring);

    s->ring[s->req_prod % BLKIF_RING_SIZE_PAGE].req = *rq;
    s->req_prod++;
}

static struct blkif_request rw(uint8_t op, uint64_t id, uint64_t sector, uint32_t mfn,
                               unsigned int nseg)
{
    struct blkif_request rq = { .operation = op, .nr_segments = (uint8_t)nseg, .handle = XVDA,
                                .id = id, .sector_number = sector };

    /* A count above the maximum is sent as it is, over the segments there are. */
    for ( unsigned int i = 0; i < nseg && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++ )
        rq.seg[i] = (struct blkif_request_segment){ .gref = mfn + i, .first_sect = 0,
                                                    .last_sect = 7 };
    return rq;
}

static long notify(uint16_t vdev)
{
    return physdev(PHYSDEVOP_pvx_blkif_notify, vdev, 0, NULL);
}

static unsigned int responses(uint32_t ring)
{
    return ring_of(ring)->rsp_prod;
}

static struct blkif_response rsp_at(uint32_t ring, unsigned int i)
{
    return ring_of(ring)->ring[i % BLKIF_RING_SIZE_PAGE].rsp;
}

/* ------------------------------------------------------------------------
 * VBDs and their rules.
 */
static void test_vbd_rules(void)
{
    uint32_t disk;
    uint64_t ps, run;
    struct vbd *vbd;

    boot(NULL, 0);
    vbd = vbd_lookup(0, XVDA);
    CU_ASSERT_PTR_NOT_NULL_FATAL(vbd);
    CU_ASSERT_EQUAL(vbd->sectors, 2048);
    vbd_translate(vbd, 1023, &disk, &ps, &run);
    CU_ASSERT(disk == 0 && ps == 1023 && run == 1);
    vbd_translate(vbd, 1024, &disk, &ps, &run);
    CU_ASSERT(disk == 0 && ps == 2048 && run == 1024);

    CU_ASSERT_EQUAL(vbd_create(0, XVDA, PVX_VBD_MODE_RW), -EEXIST);
    CU_ASSERT_EQUAL(vbd_create(0, 1, 0), -EINVAL);
    CU_ASSERT_EQUAL(vbd_create(0, 1, PVX_VBD_MODE_W), -EINVAL);     /* write-only is no mode */
    CU_ASSERT_EQUAL(vbd_grow(0, 1, 0, 0, 8), -ENOENT);
    CU_ASSERT_EQUAL(vbd_create(0, 1, PVX_VBD_MODE_R), 0);
    CU_ASSERT_EQUAL(vbd_grow(0, 1, 1, 0, 8), -EINVAL);             /* no disk 1 */
    CU_ASSERT_EQUAL(vbd_grow(0, 1, 0, 4096, 1), -EINVAL);          /* past the end */
    CU_ASSERT_EQUAL(vbd_grow(0, 1, 0, 4000, 97), -EINVAL);
    CU_ASSERT_EQUAL(vbd_grow(0, 1, 0, 4000, 0), -EINVAL);
    CU_ASSERT_EQUAL(vbd_grow(0, 1, 0, ~0ull, 2), -EINVAL);         /* no wrap-around */
    /* A read-only VBD may not overlap a writable one, nor a writable a read-only. */
    CU_ASSERT_EQUAL(vbd_grow(0, 1, 0, 1000, 100), -EBUSY);
    CU_ASSERT_EQUAL(vbd_grow(0, 1, 0, 1024, 1024), 0);             /* the gap: fine */
    CU_ASSERT_EQUAL(vbd_create(0, 2, PVX_VBD_MODE_R), 0);
    CU_ASSERT_EQUAL(vbd_grow(0, 2, 0, 1500, 10), 0);               /* read-only twice: shared */
    CU_ASSERT_EQUAL(vbd_create(0, 3, PVX_VBD_MODE_RW), 0);
    CU_ASSERT_EQUAL(vbd_grow(0, 3, 0, 1500, 10), -EBUSY);
    for ( unsigned int i = 0; i < VBD_MAX_EXTENTS; i++ )
        CU_ASSERT_EQUAL(vbd_grow(0, 3, 0, 3072 + i, 1), 0);
    CU_ASSERT_EQUAL(vbd_grow(0, 3, 0, 3500, 1), -EINVAL);          /* too many extents */
    CU_ASSERT_EQUAL(vbd_destroy(0, 3), 0);
    CU_ASSERT_EQUAL(vbd_destroy(0, 3), -ENOENT);
    CU_ASSERT_EQUAL(vbd_grow(0, 2, 0, 3500, 1), 0);                /* its sectors are free */

    /* The boot option's grammar: a bad one makes no VBD. */
    CU_ASSERT_EQUAL(vbd_parse(1, "xvdb,w,0:3100+10", 16), 0);
    CU_ASSERT_PTR_NOT_NULL(vbd_lookup(1, (202u << 8) | 16));
    CU_ASSERT_EQUAL(vbd_parse(1, "xvdc,x,0:3200+10", 16), -EINVAL);
    CU_ASSERT_EQUAL(vbd_parse(1, "xvdc,w", 6), -EINVAL);
    CU_ASSERT_EQUAL(vbd_parse(1, "xvdc,w,0:3200", 13), -EINVAL);
    CU_ASSERT_EQUAL(vbd_parse(1, "xvdc,w,0:3200+10,", 17), -EINVAL);
    CU_ASSERT_EQUAL(vbd_parse(1, "xvdc,w,0:3100+10", 16), -EBUSY);
    CU_ASSERT_PTR_NULL(vbd_lookup(1, (202u << 8) | 32));
    CU_ASSERT_EQUAL(vbd_parse(1, "51744,r,0:3300+1", 16), 0);      /* a number: xvdc */
    CU_ASSERT_PTR_NOT_NULL(vbd_lookup(1, (202u << 8) | 32));
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* The control interface: the initial domain's alone. */
static void test_vbd_domctl(void)
{
    struct xen_domctl op = { .interface_version = XEN_DOMCTL_INTERFACE_VERSION, .domain = 1 };
    long rc;

    boot(NULL, 1);
#define DOMCTL(c) ({ op.cmd = (c);                                                    \
        CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, ARG, &op, sizeof(op)), 0);        \
        rc = unit_hypercall(__HYPERVISOR_domctl, ARG, 0, 0, 0, 0);                     \
        CU_ASSERT_EQUAL(copy_from_guest(current, &op, ARG, sizeof(op)), 0); rc; })
    op.u.pvx_vbd = (struct xen_domctl_pvx_vbd){ .vdev = XVDA, .mode = PVX_VBD_MODE_RW };
    CU_ASSERT_EQUAL(DOMCTL(XEN_DOMCTL_pvx_vbd_create), 0);
    op.u.pvx_vbd.disk = 0;
    op.u.pvx_vbd.start = 1024;
    op.u.pvx_vbd.nr = 512;
    CU_ASSERT_EQUAL(DOMCTL(XEN_DOMCTL_pvx_vbd_grow), 0);
    op.u.pvx_vbd.start = 0;
    CU_ASSERT_EQUAL(DOMCTL(XEN_DOMCTL_pvx_vbd_grow), -EBUSY);        /* dom0's */
    op.u.pvx_vbd.index = 0;
    CU_ASSERT_EQUAL(DOMCTL(XEN_DOMCTL_pvx_vbd_list), 0);
    CU_ASSERT(op.u.pvx_vbd.vdev == XVDA && op.u.pvx_vbd.nr == 512 &&
              op.u.pvx_vbd.nr_extents == 1 && op.u.pvx_vbd.mode == PVX_VBD_MODE_RW);
    op.u.pvx_vbd.index = 1;
    CU_ASSERT_EQUAL(DOMCTL(XEN_DOMCTL_pvx_vbd_list), -ENOENT);
    op.u.pvx_vbd.disk = 0;
    CU_ASSERT_EQUAL(DOMCTL(XEN_DOMCTL_pvx_disk_info), 0);
    CU_ASSERT(op.u.pvx_vbd.nr == 4096 && op.u.pvx_vbd.nr_extents == 1);
    op.u.pvx_vbd.disk = 1;
    CU_ASSERT_EQUAL(DOMCTL(XEN_DOMCTL_pvx_disk_info), -ENODEV);
    /* The disk's counters: what the core saw of it. */
    machine.io.disk[0].ops = 3;
    machine.io.disk[0].busy_ns = 700;
    machine.io.disk[0].seek_sectors = 4096;
    op.u.pvx_disk_stats = (struct xen_domctl_pvx_disk_stats){ .disk = 0, .pad = 9 };
    CU_ASSERT_EQUAL(DOMCTL(XEN_DOMCTL_pvx_disk_stats), 0);
    CU_ASSERT(op.u.pvx_disk_stats.ops == 3 && op.u.pvx_disk_stats.busy_ns == 700 &&
              op.u.pvx_disk_stats.seek_sectors == 4096 && op.u.pvx_disk_stats.pad == 0);
    op.u.pvx_disk_stats.disk = 1;
    CU_ASSERT_EQUAL(DOMCTL(XEN_DOMCTL_pvx_disk_stats), -ENODEV);

    /* Domain 1 may not: -EPERM, nothing read. */
    fixture_become(fixture_vcpu(1));
    op.u.pvx_vbd.vdev = XVDA;
    CU_ASSERT_EQUAL(DOMCTL(XEN_DOMCTL_pvx_vbd_destroy), -EPERM);
    CU_ASSERT_PTR_NOT_NULL(vbd_lookup(1, XVDA));
    fixture_become(v0);
    CU_ASSERT_EQUAL(DOMCTL(XEN_DOMCTL_pvx_vbd_destroy), 0);
    CU_ASSERT_PTR_NULL(vbd_lookup(1, XVDA));
    CU_ASSERT_EQUAL(DOMCTL(XEN_DOMCTL_pvx_vbd_destroy), -ENOENT);
#undef DOMCTL
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* ------------------------------------------------------------------------
 * The ring.
 */
static void test_connect(void)
{
    struct physdev_pvx_blkif info;
    uint32_t m, pt, refs, types;
    struct frame *f;

    boot(NULL, 0);
    m = mfn_of(v0, PFN_RING);
    CU_ASSERT_EQUAL(physdev(PHYSDEVOP_pvx_vbd_info, 0, 0, &info), 0);
    CU_ASSERT(info.vdev == XVDA && info.sectors == 2048 && info.mode == PVX_VBD_MODE_RW);
    CU_ASSERT_EQUAL(physdev(PHYSDEVOP_pvx_vbd_info, 0, 1, NULL), -ENOENT);

    /* Refused, each alone, with nothing changed. */
    pt = (uint32_t)(v0->cr3 >> PAGE_SHIFT);            /* the L3: a page table */
    refused(PHYSDEVOP_pvx_blkif_connect, 5, m, -ENOENT);
    refused(PHYSDEVOP_pvx_blkif_connect, XVDA, pt, -EINVAL);
    refused(PHYSDEVOP_pvx_blkif_connect, XVDA, v0->domain->shared_info_mfn, -EINVAL);
    refused(PHYSDEVOP_pvx_blkif_connect, XVDA, 0x10, -EINVAL);
    refused(PHYSDEVOP_pvx_blkif_connect, XVDA, 0xfffffff, -EINVAL);
    refused(PHYSDEVOP_pvx_blkif_notify, XVDA, 0, -XEN_ENOTCONN);
    refused(PHYSDEVOP_pvx_blkif_disconnect, XVDA, 0, -XEN_ENOTCONN);
    refused(0x7004, XVDA, 0, -ENOSYS);

    /* Attached: a reference and a writable type, as the audit counts them. */
    f = frame_of(m);
    refs = f->ref_count;
    types = f->type_count;
    m = connect(v0, PFN_RING, XVDA);
    CU_ASSERT(f->ref_count == refs + 1 && f->type == FRAME_WRITABLE &&
              f->type_count == types + 1);
    CU_ASSERT_EQUAL(audit_frames(), 0);
    CU_ASSERT_EQUAL(physdev(PHYSDEVOP_pvx_blkif_connect, XVDA, m, NULL), -EEXIST);
    /* It cannot become a page table meanwhile. */
    CU_ASSERT_NOT_EQUAL(mm_get_type(v0->domain, m, FRAME_L1, false), 0);
    CU_ASSERT_EQUAL(physdev(PHYSDEVOP_pvx_blkif_disconnect, XVDA, 0, NULL), 0);
    CU_ASSERT(f->ref_count == refs && f->type_count == types);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* Indices that run backwards or more than a ring ahead: nothing taken. */
static void test_ring_indices(void)
{
    struct blkif_request rq;
    uint32_t r, b;

    boot(NULL, 0);
    r = connect(v0, PFN_RING, XVDA);
    b = mfn_of(v0, PFN_BUF);
    rq = rw(BLKIF_OP_READ, 1, 0, b, 1);
    post(r, &rq);
    ring_of(r)->req_prod = 33;                         /* 33 ahead of req_cons 0 */
    refused(PHYSDEVOP_pvx_blkif_notify, XVDA, 0, -EINVAL);
    ring_of(r)->req_prod = 0xffffffffu;                /* behind */
    refused(PHYSDEVOP_pvx_blkif_notify, XVDA, 0, -EINVAL);
    CU_ASSERT_EQUAL(fake_disk_starts, 0);
    /* A full ring (32) is sane. */
    for ( unsigned int i = 1; i < 32; i++ )
        post(r, &rq);
    ring_of(r)->req_prod = 32;
    CU_ASSERT_EQUAL(notify(XVDA), 0);
    CU_ASSERT_EQUAL(fake_disk_starts, 1);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* ------------------------------------------------------------------------
 * Requests.
 */

/* A read: the disk moves the data straight into the frames, which hold a
 * reference and a writable type until it is done. */
static void test_read_zero_copy(void)
{
    struct blkif_request rq;
    struct blkif_response rsp;
    uint32_t r, b, refs, types;
    struct frame *f;

    boot(NULL, 0);
    r = connect(v0, PFN_RING, XVDA);
    b = mfn_of(v0, PFN_BUF);
    CU_ASSERT_EQUAL_FATAL(mfn_of(v0, PFN_BUF + 1), b + 1);   /* the builder's are contiguous */
    f = frame_of(b);
    refs = f->ref_count;
    types = f->type_count;
    /* VBD sectors 1020-1035: across the extents' boundary, two disk ops. */
    rq = rw(BLKIF_OP_READ, 0x1234567890ull, 1020, b, 2);
    post(r, &rq);
    CU_ASSERT_EQUAL(notify(XVDA), 0);
    CU_ASSERT_EQUAL_FATAL(fake_disk_busy[0], true);
    CU_ASSERT_EQUAL(fake_disk_op[0].cmd, ARCH_DISK_READ);
    CU_ASSERT_EQUAL(fake_disk_op[0].sector, 1020);
    CU_ASSERT_EQUAL(fake_disk_op[0].nr_segs, 1);         /* b's first 4 sectors */
    CU_ASSERT_EQUAL(fake_disk_op[0].seg[0].addr, (paddr_t)b << PAGE_SHIFT);
    CU_ASSERT_EQUAL(fake_disk_op[0].seg[0].len, 4 * 512);
    CU_ASSERT(f->ref_count == refs + 1 && f->type == FRAME_WRITABLE &&
              f->type_count == types + 1);
    CU_ASSERT_EQUAL(audit_frames(), 0);
    CU_ASSERT_NOT_EQUAL(mm_get_type(v0->domain, b, FRAME_L1, false), 0);
    CU_ASSERT_EQUAL(responses(r), 0);

    fake_disk_complete(0, 0);
    CU_ASSERT_EQUAL_FATAL(fake_disk_busy[0], true);      /* the second piece */
    CU_ASSERT_EQUAL(fake_disk_op[0].sector, 2048);
    CU_ASSERT_EQUAL(fake_disk_op[0].nr_segs, 2);         /* b's last 4, b+1's 8 */
    CU_ASSERT_EQUAL(fake_disk_op[0].seg[0].addr, ((paddr_t)b << PAGE_SHIFT) + 4 * 512);
    CU_ASSERT_EQUAL(fake_disk_op[0].seg[1].len, 8 * 512);
    CU_ASSERT_EQUAL(responses(r), 0);                    /* not before both are done */
    fake_now_ns += 250;
    fake_disk_complete(0, 0);
    CU_ASSERT_EQUAL(machine.io.disk[0].busy_ns, 250);    /* start to completion */
    CU_ASSERT_EQUAL_FATAL(responses(r), 1);
    rsp = rsp_at(r, 0);
    CU_ASSERT(rsp.id == 0x1234567890ull && rsp.status == BLKIF_RSP_OKAY &&
              rsp.operation == BLKIF_OP_READ);
    /* Sector 1020's first word is word 1020 * 128; VBD 1024 is disk 2048. */
    CU_ASSERT_EQUAL(((uint32_t *)frame_ptr(b))[0], 1020 * 128);
    CU_ASSERT_EQUAL(((uint32_t *)frame_ptr(b))[4 * 128], 2048 * 128);
    CU_ASSERT_EQUAL(((uint32_t *)frame_ptr(b + 1))[7 * 128 + 127], 2059 * 128 + 127);
    CU_ASSERT(f->ref_count == refs && f->type_count == types);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* Every check of a request, each broken alone: an error response with the
 * request's id at once, no disk work, no reference taken. */
static void test_bad_requests(void)
{
    uint32_t r, b, si, pt, other;
    struct {
        const char *what;
        struct blkif_request rq;
        int16_t status;
    } cases[16];
    unsigned int n = 0;

    boot(NULL, 1);
    fixture_become(v0);
    r = connect(v0, PFN_RING, XVDA);
    b = mfn_of(v0, PFN_BUF);
    si = v0->domain->shared_info_mfn;
    pt = (uint32_t)(v0->cr3 >> PAGE_SHIFT);
    other = fixture_p2m(fixture_vcpu(1), 100);
#define CASE(w, r_, st) do { cases[n].what = (w); cases[n].rq = (r_); cases[n].status = (st); \
                             n++; } while ( 0 )
    CASE("past the end", rw(BLKIF_OP_READ, 1, 2044, b, 1), BLKIF_RSP_ERROR);
    CASE("sector wraps", rw(BLKIF_OP_READ, 2, ~0ull - 3, b, 1), BLKIF_RSP_ERROR);
    CASE("shared_info", rw(BLKIF_OP_READ, 3, 0, si, 1), BLKIF_RSP_ERROR);
    CASE("another domain's frame", rw(BLKIF_OP_WRITE, 4, 0, other, 1), BLKIF_RSP_ERROR);
    CASE("no such frame", rw(BLKIF_OP_WRITE, 5, 0, 0xffffff, 1), BLKIF_RSP_ERROR);
    CASE("a read into a page table", rw(BLKIF_OP_READ, 6, 0, pt, 1), BLKIF_RSP_ERROR);
    CASE("operation 7", rw(7, 7, 0, b, 1), BLKIF_RSP_EOPNOTSUPP);
    CASE("no segments", rw(BLKIF_OP_READ, 8, 0, b, 0), BLKIF_RSP_ERROR);
    CASE("12 segments", rw(BLKIF_OP_READ, 9, 0, b, 12), BLKIF_RSP_ERROR);
    CASE("flush with a segment", rw(BLKIF_OP_FLUSH_DISKCACHE, 10, 0, b, 1), BLKIF_RSP_ERROR);
    cases[n] = cases[0];
    cases[n].what = "first_sect > last_sect";
    cases[n].rq = rw(BLKIF_OP_READ, 11, 0, b, 1);
    cases[n].rq.seg[0].first_sect = 3;
    cases[n].rq.seg[0].last_sect = 2;
    n++;
    cases[n] = cases[n - 1];
    cases[n].what = "last_sect 8";
    cases[n].rq.id = 12;
    cases[n].rq.seg[0].first_sect = 0;
    cases[n].rq.seg[0].last_sect = 8;
    n++;
    /* The last segment's frame only is bad: nothing taken for the first. */
    cases[n] = cases[0];
    cases[n].what = "a bad frame after good ones";
    cases[n].rq = rw(BLKIF_OP_READ, 13, 0, b, 3);
    cases[n].rq.seg[2].gref = pt;
    n++;
#undef CASE
    for ( unsigned int i = 0; i < n; i++ )
    {
        struct blkif_response rsp;
        uint32_t refs = frame_of(b)->ref_count;

        post(r, &cases[i].rq);
        CU_ASSERT_EQUAL(notify(XVDA), 0);
        rsp = rsp_at(r, i);
        if ( responses(r) != i + 1 || rsp.id != cases[i].rq.id || rsp.status != cases[i].status )
            fprintf(stderr, "\n  %s: %u responses, id %llu status %d\n", cases[i].what,
                    responses(r), (unsigned long long)rsp.id, rsp.status);
        CU_ASSERT_EQUAL(responses(r), i + 1);
        CU_ASSERT_EQUAL(rsp.id, cases[i].rq.id);
        CU_ASSERT_EQUAL(rsp.status, cases[i].status);
        CU_ASSERT_EQUAL(fake_disk_starts, 0);
        CU_ASSERT_EQUAL(frame_of(b)->ref_count, refs);
        CU_ASSERT_EQUAL(audit_frames(), 0);
    }
    CU_ASSERT_EQUAL(machine.io.bad_reqs, n);
}

/* A read-only VBD: reads served, writes and flushes answered with an error. */
static void test_read_only(void)
{
    struct blkif_request rq;
    uint32_t r, b;

    boot(NULL, 0);
    CU_ASSERT_EQUAL(vbd_create(0, 7, PVX_VBD_MODE_R), 0);
    CU_ASSERT_EQUAL(vbd_grow(0, 7, 0, 3500, 100), 0);
    r = connect(v0, PFN_RING, 7);
    b = mfn_of(v0, PFN_BUF);
    rq = rw(BLKIF_OP_WRITE, 1, 0, b, 1);
    rq.handle = 7;
    post(r, &rq);
    rq.operation = BLKIF_OP_WRITE_BARRIER;
    post(r, &rq);
    rq.operation = BLKIF_OP_FLUSH_DISKCACHE;
    rq.nr_segments = 0;
    post(r, &rq);
    rq = rw(BLKIF_OP_READ, 4, 0, b, 1);
    post(r, &rq);
    CU_ASSERT_EQUAL(notify(7), 0);
    CU_ASSERT_EQUAL(responses(r), 3);
    for ( unsigned int i = 0; i < 3; i++ )
        CU_ASSERT_EQUAL(rsp_at(r, i).status, BLKIF_RSP_ERROR);
    CU_ASSERT(fake_disk_busy[0] && fake_disk_op[0].cmd == ARCH_DISK_READ &&
              fake_disk_op[0].sector == 3500);
    fake_disk_complete(0, 0);
    CU_ASSERT(responses(r) == 4 && rsp_at(r, 3).status == BLKIF_RSP_OKAY);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* A VBD the toolstack made and has not grown yet: nothing to read or
 * write, and a flush has nothing to do - it is answered at once. Two
 * requests with the same id are two requests: ids are the guest's. */
static void test_empty_vbd_and_ids(void)
{
    struct blkif_request rq;
    uint32_t r, b;

    boot(NULL, 0);
    CU_ASSERT_EQUAL(vbd_create(0, 8, PVX_VBD_MODE_RW), 0);
    r = connect(v0, PFN_RING, 8);
    b = mfn_of(v0, PFN_BUF);
    rq = rw(BLKIF_OP_FLUSH_DISKCACHE, 1, 0, b, 0);
    rq.handle = 8;
    post(r, &rq);
    rq = rw(BLKIF_OP_READ, 2, 0, b, 1);
    rq.handle = 8;
    post(r, &rq);
    CU_ASSERT_EQUAL(notify(8), 0);
    CU_ASSERT_EQUAL_FATAL(responses(r), 2);
    CU_ASSERT(rsp_at(r, 0).id == 1 && rsp_at(r, 0).status == BLKIF_RSP_OKAY);
    CU_ASSERT(rsp_at(r, 1).id == 2 && rsp_at(r, 1).status == BLKIF_RSP_ERROR);
    CU_ASSERT_FALSE(fake_disk_busy[0]);
    CU_ASSERT_EQUAL(machine.io.vbd[vbd_index(vbd_lookup(0, 8))].outstanding, 0);
    CU_ASSERT_EQUAL(physdev(PHYSDEVOP_pvx_blkif_disconnect, 8, 0, NULL), 0);

    r = connect(v0, PFN_RING, XVDA);
    rq = rw(BLKIF_OP_READ, 77, 0, b, 1);
    post(r, &rq);
    rq = rw(BLKIF_OP_READ, 77, 64, b + 1, 1);
    post(r, &rq);
    CU_ASSERT_EQUAL(notify(XVDA), 0);
    fake_disk_complete(0, 0);
    fake_disk_complete(0, 0);
    CU_ASSERT(responses(r) == 2 && rsp_at(r, 0).id == 77 && rsp_at(r, 1).id == 77 &&
              rsp_at(r, 0).status == 0 && rsp_at(r, 1).status == 0);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* Two disks: a request across a VBD's extents on both goes to both at once,
 * each disk with its own queue; a flush goes to each disk once. */
static void test_two_disks(void)
{
    struct blkif_request rq;
    uint32_t r, b;
    struct elfgen_spec s;

    memset(fake_disk_sectors, 0, sizeof(fake_disk_sectors));
    fake_disk_sectors[0] = 4096;
    fake_disk_sectors[1] = 2048;
    elfgen_default(&s);
    CU_ASSERT_EQUAL_FATAL(fixture_boot(&s, "kernel.elf",
                                       "dom0_mem=4M dom0_vbd=xvda,w,0:100+4,1:200+4,0:300+8", 0,
                                       NULL), -1);
    v0 = current;
    CU_ASSERT_EQUAL(machine.io.nr_disks, 2);
    r = connect(v0, PFN_RING, XVDA);
    b = mfn_of(v0, PFN_BUF);
    memset(frame_ptr(b), 0x5c, PAGE_SIZE);
    /* VBD sectors 2-9: disk 0's 102-103, disk 1's 200-203, disk 0's 300-301. */
    rq = rw(BLKIF_OP_WRITE, 1, 2, b, 1);
    post(r, &rq);
    CU_ASSERT_EQUAL(notify(XVDA), 0);
    CU_ASSERT(fake_disk_busy[0] && fake_disk_busy[1]);
    CU_ASSERT(fake_disk_op[0].sector == 102 && fake_disk_op[0].seg[0].len == 2 * 512);
    CU_ASSERT(fake_disk_op[1].sector == 200 && fake_disk_op[1].seg[0].len == 4 * 512 &&
              fake_disk_op[1].seg[0].addr == ((paddr_t)b << PAGE_SHIFT) + 2 * 512);
    fake_disk_complete(1, 0);
    fake_disk_complete(0, 0);
    CU_ASSERT(fake_disk_busy[0] && fake_disk_op[0].sector == 300);   /* disk 0's second piece */
    CU_ASSERT_EQUAL(responses(r), 0);
    fake_disk_complete(0, 0);
    CU_ASSERT(responses(r) == 1 && rsp_at(r, 0).status == BLKIF_RSP_OKAY);
    CU_ASSERT_EQUAL(fake_disk_data[1][200 * 512], 0x5c);
    CU_ASSERT_EQUAL(fake_disk_data[0][301 * 512 + 511], 0x5c);
    CU_ASSERT_EQUAL(fake_disk_data[0][302 * 512], 0);
    /* A flush: once on each disk, not once per extent. */
    rq = rw(BLKIF_OP_FLUSH_DISKCACHE, 2, 0, b, 0);
    post(r, &rq);
    CU_ASSERT_EQUAL(notify(XVDA), 0);
    CU_ASSERT(fake_disk_busy[0] && fake_disk_busy[1] && fake_disk_op[0].cmd == ARCH_DISK_FLUSH &&
              fake_disk_op[1].cmd == ARCH_DISK_FLUSH);
    fake_disk_complete(0, 0);
    fake_disk_complete(1, 0);
    CU_ASSERT_FALSE(fake_disk_busy[0] || fake_disk_busy[1]);
    CU_ASSERT(responses(r) == 2 && rsp_at(r, 1).id == 2 && rsp_at(r, 1).status == 0);
    CU_ASSERT_EQUAL(audit_frames(), 0);
    memset(fake_disk_sectors, 0, sizeof(fake_disk_sectors));
}

/* C-LOOK from the head, FIFO when asked; responses come in the disk's
 * order, not the ring's. */
static void elevator_order(const char *opt, const uint64_t *want)
{
    static const uint64_t at[] = { 800, 100, 500, 50 };
    struct blkif_request rq;
    uint32_t r, b;

    boot(opt, 0);
    r = connect(v0, PFN_RING, XVDA);
    b = mfn_of(v0, PFN_BUF);
    /* One request first, to move the head to 300 before the others come. */
    rq = rw(BLKIF_OP_READ, 9, 292, b, 1);
    post(r, &rq);
    CU_ASSERT_EQUAL(notify(XVDA), 0);
    for ( unsigned int i = 0; i < 4; i++ )
    {
        rq = rw(BLKIF_OP_READ, i, at[i], b + 1 + i, 1);
        post(r, &rq);
    }
    CU_ASSERT_EQUAL(notify(XVDA), 0);
    fake_disk_complete(0, 0);
    for ( unsigned int i = 0; i < 4; i++ )
    {
        CU_ASSERT_EQUAL_FATAL(fake_disk_busy[0], true);
        CU_ASSERT_EQUAL(fake_disk_op[0].sector, want[i]);
        fake_disk_complete(0, 0);
        CU_ASSERT_EQUAL(rsp_at(r, 1 + i).id, (uint64_t)(want[i] == 800 ? 0 : want[i] == 100 ? 1 :
                                                         want[i] == 500 ? 2 : 3));
    }
    CU_ASSERT_EQUAL(responses(r), 5);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

static void test_elevator(void)
{
    static const uint64_t clook[] = { 500, 800, 50, 100 };
    static const uint64_t fifo[] = { 800, 100, 500, 50 };

    elevator_order(NULL, clook);
    elevator_order("elevator=fifo", fifo);
}

/* A barrier: nothing older after it, nothing younger before it, and a
 * flush behind its write. */
static void test_barrier(void)
{
    struct blkif_request rq;
    uint32_t r, b;
    uint64_t order[4];

    boot(NULL, 0);
    r = connect(v0, PFN_RING, XVDA);
    b = mfn_of(v0, PFN_BUF);
    rq = rw(BLKIF_OP_WRITE, 1, 900, b, 1);
    post(r, &rq);
    rq = rw(BLKIF_OP_WRITE_BARRIER, 2, 10, b + 1, 1);
    post(r, &rq);
    rq = rw(BLKIF_OP_READ, 3, 5, b + 2, 1);
    post(r, &rq);
    CU_ASSERT_EQUAL(notify(XVDA), 0);
    for ( unsigned int i = 0; i < 4; i++ )
    {
        CU_ASSERT_EQUAL_FATAL(fake_disk_busy[0], true);
        order[i] = fake_disk_op[0].cmd == ARCH_DISK_FLUSH ? ~0ull : fake_disk_op[0].sector;
        fake_disk_complete(0, 0);
    }
    CU_ASSERT_EQUAL(order[0], 900);
    CU_ASSERT_EQUAL(order[1], 10);
    CU_ASSERT_EQUAL(order[2], ~0ull);                  /* the flush */
    CU_ASSERT_EQUAL(order[3], 5);
    CU_ASSERT_FALSE(fake_disk_busy[0]);
    CU_ASSERT(responses(r) == 3 && rsp_at(r, 1).id == 2 && rsp_at(r, 1).status == 0);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* Media errors, refusals and lost completions: an error response each. */
static void test_faults(void)
{
    struct blkif_request rq;
    uint32_t r, b, refs;

    boot("disk_timeout_ms=5", 0);
    r = connect(v0, PFN_RING, XVDA);
    b = mfn_of(v0, PFN_BUF);
    refs = frame_of(b)->ref_count;
    rq = rw(BLKIF_OP_WRITE, 1, 0, b, 1);
    post(r, &rq);
    CU_ASSERT_EQUAL(notify(XVDA), 0);
    fake_disk_complete(0, -EIO);                     /* the device says: media error */
    CU_ASSERT(responses(r) == 1 && rsp_at(r, 0).status == BLKIF_RSP_ERROR);

    fault_disk_media.fail_nth = fault_disk_media.calls + 1;
    rq.id = 2;
    post(r, &rq);
    CU_ASSERT_EQUAL(notify(XVDA), 0);
    CU_ASSERT(responses(r) == 2 && rsp_at(r, 1).status == BLKIF_RSP_ERROR);
    CU_ASSERT_FALSE(fake_disk_busy[0]);

    fake_disk_refuse = -EIO;
    rq.id = 3;
    post(r, &rq);
    CU_ASSERT_EQUAL(notify(XVDA), 0);
    CU_ASSERT(responses(r) == 3 && rsp_at(r, 2).status == BLKIF_RSP_ERROR);
    fake_disk_refuse = 0;

    /* Lost: the completion comes but is dropped; the watchdog cancels. */
    fault_disk_lost.fail_nth = fault_disk_lost.calls + 1;
    rq.id = 4;
    post(r, &rq);
    CU_ASSERT_EQUAL(notify(XVDA), 0);
    CU_ASSERT_EQUAL(fake_timer, 5000000);            /* the watchdog is armed */
    fake_disk_complete(0, 0);
    CU_ASSERT_EQUAL(responses(r), 3);
    CU_ASSERT_EQUAL(frame_of(b)->ref_count, refs + 1);   /* still the disk's */
    fake_now_ns = 5000000;
    core_timer_interrupt(NULL);
    CU_ASSERT(responses(r) == 4 && rsp_at(r, 3).status == BLKIF_RSP_ERROR);
    CU_ASSERT_EQUAL(fake_disk_cancels, 0);           /* the fake had completed it */
    CU_ASSERT_EQUAL(frame_of(b)->ref_count, refs);

    /* A disk that never answers: cancelled, then answered with an error. */
    rq.id = 5;
    post(r, &rq);
    CU_ASSERT_EQUAL(notify(XVDA), 0);
    fake_now_ns += 5000000;
    core_timer_interrupt(NULL);
    CU_ASSERT_EQUAL(fake_disk_cancels, 1);
    CU_ASSERT(responses(r) == 5 && rsp_at(r, 4).status == BLKIF_RSP_ERROR);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* A domain destroyed with a request in flight and others queued: the
 * queued go at once, the frames in flight stay until the disk is done, then
 * the domain's slot is free; nothing of its is written after its end but
 * what was in flight. */
static void test_destroy_in_flight(void)
{
    struct vcpu *v1;
    struct blkif_request rq;
    uint32_t r, b;
    struct domain *d1;

    boot(NULL, 1);
    v1 = fixture_vcpu(1);
    d1 = v1->domain;
    CU_ASSERT_EQUAL(vbd_create(1, XVDA, PVX_VBD_MODE_RW), 0);
    CU_ASSERT_EQUAL(vbd_grow(1, XVDA, 0, 3072, 1024), 0);
    fixture_become(v1);
    r = connect(v1, 900, XVDA);
    b = mfn_of(v1, 901);
    memset(frame_ptr(b), 0xab, 3 * PAGE_SIZE);
    for ( unsigned int i = 0; i < 3; i++ )
    {
        rq = rw(BLKIF_OP_WRITE, i, 8 * i, b + i, 1);
        post(r, &rq);
    }
    CU_ASSERT_EQUAL(notify(XVDA), 0);
    CU_ASSERT_EQUAL_FATAL(fake_disk_busy[0], true);
    fixture_become(v0);
    domain_kill(d1, 0);
    CU_ASSERT_EQUAL(d1->is_dying, true);
    CU_ASSERT_NOT_EQUAL(d1->state, DOMAIN_FREE);      /* the disk holds a frame */
    CU_ASSERT_PTR_NULL(vbd_lookup(1, XVDA));
    CU_ASSERT_EQUAL(frame_of(b)->owner, 1);
    CU_ASSERT_EQUAL(frame_of(b + 1)->owner, DOMID_FREE);   /* queued: dropped */
    CU_ASSERT_EQUAL(audit_frames(), 0);
    fake_disk_complete(0, 0);
    CU_ASSERT_FALSE(fake_disk_busy[0]);               /* nothing more of its */
    CU_ASSERT_EQUAL(d1->state, DOMAIN_FREE);
    CU_ASSERT_EQUAL(frame_of(b)->owner, DOMID_FREE);
    CU_ASSERT_EQUAL(fake_disk_data[0][3072 * 512], 0xab);
    CU_ASSERT_EQUAL(fake_disk_data[0][3080 * 512], 0x00);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* Competing domains are served batch by batch, in turn: once both rings
 * wait, neither takes more than IO_BATCH requests ahead of the other. */
static void test_round_robin(void)
{
    struct vcpu *v1;
    struct blkif_request rq;
    uint32_t r0, r1, b0, b1;
    struct vbd *vbd0, *vbd1;
    unsigned int steps = 0;

    boot(NULL, 1);
    v1 = fixture_vcpu(1);
    CU_ASSERT_EQUAL(vbd_create(1, XVDA, PVX_VBD_MODE_RW), 0);
    CU_ASSERT_EQUAL(vbd_grow(1, XVDA, 0, 3072, 1024), 0);
    vbd0 = vbd_lookup(0, XVDA);
    vbd1 = vbd_lookup(1, XVDA);
    r0 = connect(v0, PFN_RING, XVDA);
    b0 = mfn_of(v0, PFN_BUF);
    for ( unsigned int i = 0; i < BLKIF_RING_SIZE_PAGE; i++ )
    {
        rq = rw(BLKIF_OP_READ, i, 8 * i, b0, 1);
        post(r0, &rq);
    }
    CU_ASSERT_EQUAL(notify(XVDA), 0);
    /* Batches until the queue is full: domain 0's ring is left waiting. */
    CU_ASSERT_EQUAL(vbd0->ring.req_cons, IO_QUEUE_LIMIT);
    CU_ASSERT_EQUAL(machine.io.rr_len, 1);
    fixture_become(v1);
    r1 = connect(v1, 900, XVDA);
    b1 = mfn_of(v1, 901);
    for ( unsigned int i = 0; i < BLKIF_RING_SIZE_PAGE; i++ )
    {
        rq = rw(BLKIF_OP_READ, i, 8 * i, b1, 1);
        post(r1, &rq);
    }
    CU_ASSERT_EQUAL(notify(XVDA), 0);
    CU_ASSERT_EQUAL(vbd1->ring.req_cons, 0);        /* the queue is full: it waits its turn */
    fixture_become(v0);
    /* From here on the two take turns, a batch each. */
    while ( fake_disk_busy[0] && steps++ < 200 )
    {
        uint32_t t0 = vbd0->ring.req_cons - IO_QUEUE_LIMIT, t1 = vbd1->ring.req_cons;

        if ( vbd0->ring.req_cons < BLKIF_RING_SIZE_PAGE && t1 < BLKIF_RING_SIZE_PAGE )
            CU_ASSERT(t0 <= t1 + IO_BATCH && t1 <= t0 + IO_BATCH);
        fake_disk_complete(0, 0);
    }
    CU_ASSERT(vbd0->ring.req_cons == BLKIF_RING_SIZE_PAGE &&
              vbd1->ring.req_cons == BLKIF_RING_SIZE_PAGE);
    CU_ASSERT(responses(r0) == BLKIF_RING_SIZE_PAGE && responses(r1) == BLKIF_RING_SIZE_PAGE);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* A ring left waiting on the round-robin list whose indices go insane
 * before its next turn: its domain dies alone. */
static void test_insane_later(void)
{
    struct blkif_request rq;
    uint32_t r, b;

    boot(NULL, 1);
    CU_ASSERT_EQUAL(vbd_create(1, XVDA, PVX_VBD_MODE_RW), 0);
    CU_ASSERT_EQUAL(vbd_grow(1, XVDA, 0, 3072, 1024), 0);
    fixture_become(fixture_vcpu(1));
    r = connect(fixture_vcpu(1), 900, XVDA);
    b = mfn_of(fixture_vcpu(1), 901);
    /* More than the queue takes: the ring stays on the list. */
    for ( unsigned int i = 0; i < 24; i++ )
    {
        rq = rw(BLKIF_OP_READ, i, 8 * i, b, 1);
        post(r, &rq);
    }
    CU_ASSERT_EQUAL(notify(XVDA), 0);
    CU_ASSERT_EQUAL(machine.io.rr_len, 1);
    ring_of(r)->req_prod = 0x80000000u;
    fixture_become(v0);
    fake_disk_complete(0, 0);                         /* the next turn finds it */
    CU_ASSERT_EQUAL(fixture_vcpu(1)->domain->state, DOMAIN_CRASHED);
    CU_ASSERT_EQUAL(v0->domain->state, DOMAIN_RUNNING);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

void unit_register_io(void)
{
    CU_pSuite s = CU_add_suite("io", NULL, NULL);

    CU_add_test(s, "VBDs: extents, modes, overlaps, translation, the boot option", test_vbd_rules);
    CU_add_test(s, "domctl VBD ops: the initial domain's alone", test_vbd_domctl);
    CU_add_test(s, "blkif_connect: a frame of ours we may write; refusals change nothing",
                test_connect);
    CU_add_test(s, "ring indices behind or a ring ahead: -EINVAL, nothing taken",
                test_ring_indices);
    CU_add_test(s, "a read: zero-copy into frames held until the disk is done",
                test_read_zero_copy);
    CU_add_test(s, "every request check alone: an error response, nothing else",
                test_bad_requests);
    CU_add_test(s, "a read-only VBD: writes and flushes refused", test_read_only);
    CU_add_test(s, "a VBD with no extents: a flush answered at once; ids are the guest's",
                test_empty_vbd_and_ids);
    CU_add_test(s, "the elevator: C-LOOK, FIFO; responses out of order", test_elevator);
    CU_add_test(s, "two disks: pieces in parallel, a flush on each once", test_two_disks);
    CU_add_test(s, "a barrier orders both ways and flushes", test_barrier);
    CU_add_test(s, "faults: media error, refusal, lost completion, no completion",
                test_faults);
    CU_add_test(s, "a domain destroyed with requests in flight", test_destroy_in_flight);
    CU_add_test(s, "a ring insane at its next turn: its domain dies alone", test_insane_later);
    CU_add_test(s, "competing domains: batches in turn", test_round_robin);
}
