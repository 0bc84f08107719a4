/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * io/ring.c - the hypervisor's side of an I/O ring (the Xen paper's §3.2,
 * public/io/ring.h) in a frame of a guest's.
 *
 * The guest writes req_prod, req_event, rsp_event and the request slots, at
 * any time; the hypervisor keeps its own indices (req_cons, rsp_prod_pvt)
 * in struct io_ring and never reads back anything it wrote there. So each
 * guest field is read once, into a local, and checked before use: a req_prod
 * behind req_cons or more than a ring ahead of it is refused, a slot is
 * copied out whole before any field of it is looked at (the guest cannot
 * change a request between its check and its use), and at most as many
 * requests are taken as there are free response slots.
 */
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/frame.h>
#include <pvx/io.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <public/io/ring.h>

/* The shared header, as public/io/ring.h lays it out. */
static volatile struct ring_shared_hdr *io_ring_hdr(const struct io_ring *r)
{
    return (volatile struct ring_shared_hdr *)r->page;
}

static uint8_t *io_ring_slot(const struct io_ring *r, uint32_t idx)
{
    return r->page + sizeof(struct ring_shared_hdr) + (idx & (r->nr_ents - 1)) * r->ent_size;
}

int io_ring_attach(struct io_ring *r, struct domain *d, mfn_t mfn, uint32_t ent_size)
{
    struct frame *f = frame_of(mfn);
    int rc;

    ASSERT(!r->page);
    /* Outside the reservation (shared_info, grant frames): not a ring. */
    if ( !f || f->owner != d->domain_id || (f->flags & FRAME_F_XEN_SHARED) )
        return -EINVAL;
    if ( !mm_get_ref(d, mfn) )
        return -EINVAL;
    /* Writable for as long as we write it: never a page table meanwhile. */
    rc = mm_get_type(d, mfn, FRAME_WRITABLE, false);
    if ( rc )
    {
        mm_put_ref(mfn);
        return -EINVAL;
    }
    r->mfn = mfn;
    r->page = frame_map(mfn);
    r->ent_size = ent_size;
    r->nr_ents = ring_pow2_floor((PAGE_SIZE - sizeof(struct ring_shared_hdr)) / ent_size);
    /* The guest initialised the ring: both sides start at 0. */
    r->req_cons = 0;
    r->rsp_prod_pvt = 0;
    r->rsp_pushed = 0;
    return 0;
}

void io_ring_detach(struct io_ring *r)
{
    if ( !r->page )
        return;
    frame_unmap(r->page);
    r->page = NULL;
    mm_put_type(r->mfn);
    mm_put_ref(r->mfn);
    r->mfn = INVALID_MFN;
}

int io_ring_pending(const struct io_ring *r, uint32_t *n)
{
    uint32_t prod = io_ring_hdr(r)->req_prod;   /* once: the guest may change it */
    uint32_t reqs = prod - r->req_cons;
    uint32_t room = r->nr_ents - (r->req_cons - r->rsp_prod_pvt);

    __atomic_thread_fence(__ATOMIC_ACQUIRE);    /* the slots after the index */
    if ( reqs > r->nr_ents )
        return -EINVAL;
    *n = MIN(reqs, room);
    return 0;
}

void io_ring_take(struct io_ring *r, void *req, uint32_t len)
{
    ASSERT(len <= r->ent_size);
    memcpy(req, io_ring_slot(r, r->req_cons), len);
    r->req_cons++;
}

void io_ring_put(struct io_ring *r, const void *rsp, uint32_t len)
{
    ASSERT(len <= r->ent_size);
    memcpy(io_ring_slot(r, r->rsp_prod_pvt), rsp, len);
    r->rsp_prod_pvt++;
}

bool io_ring_push(struct io_ring *r)
{
    volatile struct ring_shared_hdr *h = io_ring_hdr(r);
    uint32_t old = r->rsp_pushed, new = r->rsp_prod_pvt, event;

    __atomic_thread_fence(__ATOMIC_RELEASE);    /* the slots before the index */
    h->rsp_prod = new;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    event = h->rsp_event;
    r->rsp_pushed = new;
    return ring_need_notify(old, new, event);
}

bool io_ring_final_check(struct io_ring *r)
{
    uint32_t n;

    if ( io_ring_pending(r, &n) || n )
        return true;
    io_ring_hdr(r)->req_event = r->req_cons + 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return io_ring_pending(r, &n) || n;
}
