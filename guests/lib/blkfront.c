/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * blkfront.c - a guest's side of a virtual block device (blkfront.h).
 */
#include "guest.h"
#include "blkfront.h"
#include "events.h"
#include "mm.h"

evtchn_port_t blkfront_port;

static uint32_t va_to_mfn(const void *va)
{
    /* Virtual base 0: va = pfn * 4 KiB (guest.ld). */
    return mm_pfn_to_mfn((uint32_t)(unsigned long)va >> PAGE_SHIFT);
}

long blkfront_physdev(unsigned int cmd, uint16_t vdev, uint32_t ring_mfn,
                      struct physdev_pvx_blkif *out)
{
    struct physdev_pvx_blkif op = { .vdev = vdev, .ring_mfn = ring_mfn };
    long rc;

    if ( cmd == PHYSDEVOP_pvx_vbd_info )
        op.index = ring_mfn;
    rc = HYPERVISOR_physdev_op(cmd, &op);
    if ( out )
        *out = op;
    return rc;
}

long blkfront_open(struct blkfront *bf, unsigned int index, void *page)
{
    struct physdev_pvx_blkif info;
    struct blkif_sring *s = page;
    long rc;

    memset(bf, 0, sizeof(*bf));
    rc = blkfront_physdev(PHYSDEVOP_pvx_vbd_info, 0, index, &info);
    if ( rc )
        return rc;
    bf->vdev = info.vdev;
    bf->mode = info.mode;
    bf->sectors = info.sectors;
    blkif_sring_init(s);
    blkif_front_init(&bf->ring, s, PAGE_SIZE);
    if ( !blkfront_port )
    {
        rc = evtchn_bind_virq(VIRQ_PVX_BLKIF, &blkfront_port);
        if ( rc )
            return rc;
    }
    return blkfront_physdev(PHYSDEVOP_pvx_blkif_connect, bf->vdev, va_to_mfn(page), NULL);
}

long blkfront_close(struct blkfront *bf)
{
    return blkfront_physdev(PHYSDEVOP_pvx_blkif_disconnect, bf->vdev, 0, NULL);
}

long blkfront_post(struct blkfront *bf, uint8_t op, uint64_t sector, void *buf, unsigned int nsect)
{
    struct blkif_request *rq;
    unsigned int id, i;

    if ( blkif_front_full(&bf->ring) || bf->nr_inflight == BLKIF_RING_SIZE_PAGE )
        return -EBUSY;
    if ( nsect > BLKFRONT_MAX_SECT || ((unsigned long)buf & (PAGE_SIZE - 1)) )
        return -EINVAL;
    for ( id = 0; bf->inflight[id]; id++ )
        ;
    rq = blkif_front_req(&bf->ring, bf->ring.req_prod_pvt);
    memset(rq, 0, sizeof(*rq));
    rq->operation = op;
    rq->handle = bf->vdev;
    rq->id = id;
    rq->sector_number = sector;
    for ( i = 0; nsect; i++ )
    {
        unsigned int n = nsect < BLKIF_SECTORS_PER_FRAME ? nsect : BLKIF_SECTORS_PER_FRAME;

        rq->seg[i].gref = va_to_mfn((char *)buf + i * PAGE_SIZE);
        rq->seg[i].first_sect = 0;
        rq->seg[i].last_sect = (uint8_t)(n - 1);
        nsect -= n;
    }
    rq->nr_segments = (uint8_t)i;
    bf->ring.req_prod_pvt++;
    bf->inflight[id] = true;
    bf->op[id] = op;
    bf->seq[id] = bf->next_seq++;
    bf->nr_inflight++;
    return id;
}

long blkfront_kick(struct blkfront *bf)
{
    if ( !blkif_front_push(&bf->ring) )
        return 0;
    bf->notifies++;
    return blkfront_physdev(PHYSDEVOP_pvx_blkif_notify, bf->vdev, 0, NULL);
}

long blkfront_wait(struct blkfront *bf, struct blkif_response *rsp, uint64_t timeout_ns)
{
    uint64_t deadline = time_now_ns() + timeout_ns;

    for ( ;; )
    {
        if ( blkif_front_unconsumed(&bf->ring) )
        {
            *rsp = *blkif_front_rsp(&bf->ring, bf->ring.rsp_cons);
            bf->ring.rsp_cons++;
            if ( rsp->id >= BLKIF_RING_SIZE_PAGE || !bf->inflight[rsp->id] ||
                 bf->op[rsp->id] != rsp->operation )
            {
                bf->bad_rsps++;         /* not a request of ours: ignore it */
                continue;
            }
            bf->inflight[rsp->id] = false;
            bf->nr_inflight--;
            return 0;
        }
        if ( blkif_front_final_check(&bf->ring) )
            continue;
        if ( time_now_ns() >= deadline )
            return -ETIME;
        (void)sched_poll(blkfront_port, deadline);
        (void)evtchn_test_and_clear(blkfront_port);
    }
}

long blkfront_io(struct blkfront *bf, uint8_t op, uint64_t sector, void *buf, unsigned int nsect)
{
    struct blkif_response rsp;
    long id = blkfront_post(bf, op, sector, buf, nsect), rc;

    if ( id < 0 )
        return id;
    rc = blkfront_kick(bf);
    if ( rc )
        return rc;
    rc = blkfront_wait(bf, &rsp, BLKFRONT_TIMEOUT_NS);
    if ( rc )
        return rc;
    if ( rsp.id != (uint64_t)id )
        return -EIO;                    /* only one was in flight */
    return rsp.status;
}
