/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * io/blkif.c - the guest's side of its virtual block devices: physdev_op's
 * pvx sub-ops (public/pvx.h), requests taken from the rings and answered.
 *
 * Rings with new requests wait on a round-robin list; each turn takes at
 * most IO_BATCH requests from one ring, and no turn starts while
 * IO_QUEUE_LIMIT operations wait for the disks, so competing domains are
 * served batch by batch, in turn, and the elevator orders what they gave.
 *
 * A request is copied out of the ring whole and checked whole before any
 * work is done for it: operation, segment count and sector ranges, inside
 * the VBD, a write only to a read-write VBD, every buffer a frame of the
 * domain's own reservation (a read's frames take a writable type: the disk
 * writes them, so they cannot be page tables meanwhile). A request that
 * fails a check is answered at once with BLKIF_RSP_ERROR (or EOPNOTSUPP)
 * and nothing else; one that passes holds a reference on each of its
 * frames until the last of its disk operations is over (zero-copy: the
 * device moves the data straight to or from them).
 */
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/event.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/io.h>
#include <pvx/lib.h>
#include <pvx/machine.h>
#include <pvx/mm.h>
#include <public/physdev.h>
#include <public/pvx.h>

#define IO (machine.io)

/* ------------------------------------------------------------------------
 * The round-robin list of rings with requests.
 */
static bool blkif_rr_add(uint16_t vi)
{
    if ( IO.vbd[vi].on_rr )
        return false;
    ASSERT(IO.rr_len < VBD_MAX);
    IO.rr[IO.rr_len++] = vi;
    IO.vbd[vi].on_rr = true;
    return true;
}

void blkif_rr_remove(uint16_t vi)
{
    unsigned int k = 0;

    for ( unsigned int i = 0; i < IO.rr_len; i++ )
        if ( IO.rr[i] != vi )
            IO.rr[k++] = IO.rr[i];
    IO.rr_len = k;
    IO.vbd[vi].on_rr = false;
}

/* ------------------------------------------------------------------------
 * Responses.
 */
static void blkif_respond(struct vbd *vbd, uint64_t id, uint8_t op, int16_t status)
{
    struct blkif_response rsp = { .id = id, .operation = op, .status = status };
    struct domain *d = domain_lookup(vbd->domid);

    if ( status != BLKIF_RSP_OKAY )
        vbd->errors++;
    io_ring_put(&vbd->ring, &rsp, sizeof(rsp));
    if ( io_ring_push(&vbd->ring) && d && d->state == DOMAIN_RUNNING )
        evtchn_send_virq(&d->vcpu[0], VIRQ_PVX_BLKIF);
}

static void blkif_release_frames(struct io_req *req)
{
    for ( unsigned int i = 0; i < req->nr_frames; i++ )
    {
        if ( req->frames_writable )
            mm_put_type(req->frame[i]);
        mm_put_ref(req->frame[i]);
    }
    req->nr_frames = 0;
    /* A destroyed domain's last frame coming back frees its slot: mm's last
     * put tells domain.c (domain_frame_freed). */
}

void blkif_complete(uint16_t ri)
{
    struct io_req *req = &IO.req[ri];

    ASSERT(req->in_use && req->ops_left == 0);
    if ( req->vbd != IO_NONE )
    {
        struct vbd *vbd = &IO.vbd[req->vbd];

        ASSERT(vbd->outstanding > 0);
        vbd->outstanding--;
        vbd->reqs_done++;
        blkif_respond(vbd, req->id, req->op, req->status);
    }
    blkif_release_frames(req);
    req->in_use = false;
}

/* ------------------------------------------------------------------------
 * Taking one request: decode and check, then perform.
 */

/* A checked request's plan: where its sectors go. */
static int blkif_check(struct vbd *vbd, const struct blkif_request *rq, struct domain *d,
                       unsigned int *nr_ops)
{
    uint64_t total = 0, sector = rq->sector_number;
    unsigned int ops = 0, segs_in_op = 0;
    uint32_t cur_disk = 0;
    uint64_t run = 0;

    if ( rq->operation == BLKIF_OP_FLUSH_DISKCACHE )
    {
        if ( rq->nr_segments )
            return BLKIF_RSP_ERROR;
        if ( !(vbd->mode & PVX_VBD_MODE_W) )
            return BLKIF_RSP_ERROR;
        *nr_ops = 0;                    /* the flushes: counted by the caller */
        return BLKIF_RSP_OKAY;
    }
    if ( rq->operation != BLKIF_OP_READ && rq->operation != BLKIF_OP_WRITE &&
         rq->operation != BLKIF_OP_WRITE_BARRIER )
        return BLKIF_RSP_EOPNOTSUPP;
    if ( rq->operation != BLKIF_OP_READ && !(vbd->mode & PVX_VBD_MODE_W) )
        return BLKIF_RSP_ERROR;         /* a read-only VBD */
    if ( rq->nr_segments == 0 || rq->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST )
        return BLKIF_RSP_ERROR;
    for ( unsigned int i = 0; i < rq->nr_segments; i++ )
    {
        const struct blkif_request_segment *s = &rq->seg[i];
        struct frame *f = frame_of(s->gref);

        if ( s->first_sect > s->last_sect || s->last_sect >= BLKIF_SECTORS_PER_FRAME )
            return BLKIF_RSP_ERROR;
        /* A frame of the domain's reservation: not shared_info, not a
         * grant frame, nobody else's. */
        if ( !f || f->owner != d->domain_id || !(f->flags & FRAME_F_ALLOCATED) ||
             (f->flags & FRAME_F_XEN_SHARED) )
            return BLKIF_RSP_ERROR;
        total += (uint64_t)(s->last_sect - s->first_sect + 1);
    }
    if ( sector >= vbd->sectors || total > vbd->sectors - sector )
        return BLKIF_RSP_ERROR;         /* outside the VBD's extents */

    /* Count the disk operations: a new one at each extent boundary. */
    for ( unsigned int i = 0; i < rq->nr_segments; i++ )
    {
        uint64_t n = (uint64_t)(rq->seg[i].last_sect - rq->seg[i].first_sect + 1);

        while ( n )
        {
            uint64_t take, psector;

            if ( run == 0 )
            {
                vbd_translate(vbd, sector, &cur_disk, &psector, &run);
                ops++;
                segs_in_op = 0;
            }
            take = MIN(n, run);
            if ( segs_in_op == ARCH_DISK_MAX_SEGS )
            {
                ops++;
                segs_in_op = 0;
            }
            segs_in_op++;
            n -= take;
            run -= take;
            sector += take;
        }
    }
    *nr_ops = ops;
    return BLKIF_RSP_OKAY;
}

/* Take the frames: a reference each, and a writable type for a read. */
static int blkif_get_frames(struct io_req *req, struct domain *d,
                            const struct blkif_request *rq)
{
    unsigned int i;

    for ( i = 0; i < rq->nr_segments; i++ )
    {
        mfn_t m = rq->seg[i].gref;

        if ( !mm_get_ref(d, m) )
            goto fail;
        if ( req->frames_writable && mm_get_type(d, m, FRAME_WRITABLE, false) )
        {
            mm_put_ref(m);
            goto fail;
        }
        req->frame[i] = m;
        req->nr_frames = (uint8_t)(i + 1);
    }
    return 0;

 fail:
    blkif_release_frames(req);
    return -EINVAL;
}

/* A flush on every disk the VBD lies on, once each, at epoch. */
static void blkif_queue_flushes(struct vbd *vbd, uint16_t ri, uint32_t epoch)
{
    for ( unsigned int e = 0; e < vbd->nr_extents; e++ )
    {
        struct io_op *op;
        bool seen = false;

        for ( unsigned int k = 0; k < e; k++ )
            seen |= vbd->ext[k].disk == vbd->ext[e].disk;
        if ( seen )
            continue;
        op = io_op_alloc(ri, vbd_index(vbd), vbd->ext[e].disk, ARCH_DISK_FLUSH, 0, epoch);
        io_op_queue(op);
        IO.req[ri].ops_left++;
    }
}

static uint64_t op_len_sectors(const struct arch_disk_op *a)
{
    uint64_t n = 0;

    for ( unsigned int i = 0; i < a->nr_segs; i++ )
        n += a->seg[i].len / BLKIF_SECTOR_SIZE;
    return n;
}

/* Make the disk operations of a checked request and queue them. */
static void blkif_queue_ops(struct vbd *vbd, uint16_t ri, const struct blkif_request *rq)
{
    uint16_t vi = vbd_index(vbd);
    uint32_t cmd = rq->operation == BLKIF_OP_READ ? ARCH_DISK_READ : ARCH_DISK_WRITE;
    uint32_t epoch = vbd->epoch;
    uint64_t sector = rq->sector_number, run = 0;
    struct io_op *op = NULL;

    if ( rq->operation == BLKIF_OP_FLUSH_DISKCACHE )
    {
        /* After everything before it; everything after waits for it. */
        blkif_queue_flushes(vbd, ri, epoch + 1);
        vbd->epoch = epoch + 2;
        return;
    }
    if ( rq->operation == BLKIF_OP_WRITE_BARRIER )
        epoch++;                        /* after every older request */

    for ( unsigned int i = 0; i < rq->nr_segments; i++ )
    {
        uint64_t n = (uint64_t)(rq->seg[i].last_sect - rq->seg[i].first_sect + 1);
        paddr_t addr = ((paddr_t)rq->seg[i].gref << PAGE_SHIFT) +
                       (paddr_t)rq->seg[i].first_sect * BLKIF_SECTOR_SIZE;

        while ( n )
        {
            uint64_t take, psector;
            uint32_t disk;

            if ( run == 0 || op->aop.nr_segs == ARCH_DISK_MAX_SEGS )
            {
                if ( run == 0 )
                    vbd_translate(vbd, sector, &disk, &psector, &run);
                else
                {
                    disk = op->disk;
                    psector = op->aop.sector + op_len_sectors(&op->aop);
                }
                op = io_op_alloc(ri, vi, disk, cmd, psector, epoch);
                io_op_queue(op);
                IO.req[ri].ops_left++;
            }
            take = MIN(n, run);
            op->aop.seg[op->aop.nr_segs].addr = addr;
            op->aop.seg[op->aop.nr_segs].len = (uint32_t)(take * BLKIF_SECTOR_SIZE);
            op->aop.nr_segs++;
            addr += take * BLKIF_SECTOR_SIZE;
            n -= take;
            run -= take;
            sector += take;
        }
    }
    if ( rq->operation == BLKIF_OP_WRITE_BARRIER )
    {
        /* On the medium before it completes: a flush behind the write. */
        blkif_queue_flushes(vbd, ri, epoch + 1);
        vbd->epoch = epoch + 2;
    }
}

/* Take one request from vbd's ring. */
static void blkif_take(struct vbd *vbd, struct domain *d)
{
    struct blkif_request rq;
    struct io_req *req = NULL;
    unsigned int nr_ops = 0;
    int16_t status;
    uint16_t ri = 0;

    io_ring_take(&vbd->ring, &rq, sizeof(rq));  /* once: the guest may change the slot */
    IO.reqs++;
    status = (int16_t)blkif_check(vbd, &rq, d, &nr_ops);
    if ( rq.operation == BLKIF_OP_WRITE_BARRIER || rq.operation == BLKIF_OP_FLUSH_DISKCACHE )
        nr_ops += vbd->nr_extents;      /* the flushes: at most one per extent */
    if ( status == BLKIF_RSP_OKAY && !io_ops_free(nr_ops) )
        status = BLKIF_RSP_ERROR;       /* cannot happen with the queue limit; be safe */
    if ( status == BLKIF_RSP_OKAY )
    {
        for ( unsigned int i = 0; i < IO_MAX_REQS && !req; i++ )
            if ( !IO.req[i].in_use )
            {
                req = &IO.req[i];
                ri = (uint16_t)i;
            }
        ASSERT(req);                    /* outstanding <= ring size, checked by the caller */
        memset(req, 0, sizeof(*req));
        req->domid = d->domain_id;
        req->vbd = vbd_index(vbd);
        req->op = rq.operation;
        req->id = rq.id;
        req->frames_writable = rq.operation == BLKIF_OP_READ;
        if ( blkif_get_frames(req, d, &rq) )
            status = BLKIF_RSP_ERROR;   /* a frame that cannot be written (a page table) */
    }
    if ( status != BLKIF_RSP_OKAY )
    {
        IO.bad_reqs++;
        blkif_respond(vbd, rq.id, rq.operation, status);
        return;
    }
    req->in_use = true;
    vbd->outstanding++;
    blkif_queue_ops(vbd, ri, &rq);
    /* A flush of a VBD with no extents yet has no disk to go to: done. */
    if ( !req->ops_left )
        blkif_complete(ri);
}

/* Is a request slot free? */
static bool blkif_free_reqs(void)
{
    for ( unsigned int i = 0; i < IO_MAX_REQS; i++ )
        if ( !IO.req[i].in_use )
            return true;
    return false;
}

void blkif_dispatch(void)
{
    while ( IO.rr_len && IO.nr_queued < IO_QUEUE_LIMIT )
    {
        uint16_t vi = IO.rr[0];
        struct vbd *vbd = &IO.vbd[vi];
        struct domain *d = domain_lookup(vbd->domid);
        uint32_t n;
        unsigned int taken = 0;

        blkif_rr_remove(vi);
        if ( !d || d->state != DOMAIN_RUNNING || !vbd->ring.page )
            continue;
        if ( io_ring_pending(&vbd->ring, &n) )
        {
            /* Indices that ran backwards or ahead: the guest broke the
             * ring's rules after we last looked. It dies alone. */
            domain_crash(d, "block ring of vdev %#x: insane indices", vbd->vdev);
            continue;
        }
        while ( taken < IO_BATCH && n )
        {
            /* Room for the request and its largest plan, else wait for
             * completions (the queue then holds them: it is not empty). */
            if ( !blkif_free_reqs() || !io_ops_free(IO_REQ_MAX_OPS) )
            {
                (void)blkif_rr_add(vi);
                goto out;
            }
            blkif_take(vbd, d);
            taken++;
            n--;
        }
        /* More waiting: back at the end of the line; else ask to be told. */
        if ( io_ring_final_check(&vbd->ring) )
            (void)blkif_rr_add(vi);
    }
 out:
    io_disks_kick();
}

/* ------------------------------------------------------------------------
 * physdev_op's pvx sub-ops.
 */
long blkif_physdev_op(struct vcpu *v, uint32_t cmd, uint32_t arg)
{
    struct physdev_pvx_blkif op;
    struct domain *d = v->domain;
    struct vbd *vbd;
    uint32_t n;
    long rc = 0;

    if ( cmd < PHYSDEVOP_pvx_vbd_info || cmd > PHYSDEVOP_pvx_blkif_disconnect )
        return -ENOSYS;
    if ( copy_from_guest(v, &op, arg, sizeof(op)) )
        return -EFAULT;

    if ( cmd == PHYSDEVOP_pvx_vbd_info )
    {
        if ( guest_probe(v, arg, sizeof(op), true) )
            return -EFAULT;
        vbd = vbd_nth(d->domain_id, op.index);
        if ( !vbd )
            return -ENOENT;
        op.vdev = vbd->vdev;
        op.mode = vbd->mode;
        op.sectors = vbd->sectors;
        copy_to_guest_probed(v, arg, &op, sizeof(op));
        return 0;
    }

    vbd = vbd_lookup(d->domain_id, op.vdev);
    if ( !vbd )
        return -ENOENT;
    switch ( cmd )
    {
    case PHYSDEVOP_pvx_blkif_connect:
        if ( vbd->ring.page )
            return -EEXIST;
        rc = io_ring_attach(&vbd->ring, d, op.ring_mfn, sizeof(struct blkif_request));
        break;

    case PHYSDEVOP_pvx_blkif_notify:
        if ( !vbd->ring.page )
            return -XEN_ENOTCONN;
        if ( io_ring_pending(&vbd->ring, &n) )
            return -EINVAL;             /* nothing taken */
        if ( n )
            (void)blkif_rr_add(vbd_index(vbd));
        blkif_dispatch();
        break;

    case PHYSDEVOP_pvx_blkif_disconnect:
        if ( !vbd->ring.page )
            return -XEN_ENOTCONN;
        if ( vbd->outstanding )
            return -EBUSY;
        blkif_rr_remove(vbd_index(vbd));
        io_ring_detach(&vbd->ring);
        break;

    default:
        return -ENOSYS;
    }
    return rc;
}
