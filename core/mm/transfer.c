/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mm/transfer.c - moving a frame between a domain and the hypervisor: the
 * two halves of a page flip (the Xen paper's §3.3.5; io/vif.c).
 *
 * A frame a domain gives away must be one nothing but the domain's own
 * allocation reference names: no mapping anywhere (a mapping holds a
 * reference), no type, no pin, not a frame the hypervisor shares with it.
 * Then no one can reach it once it is the hypervisor's; a TLB that may
 * still hold a translation of it from a mapping dropped since the last
 * flush is flushed first. A frame given to a domain arrives as a fresh
 * allocation does: its allocation reference, no type, in the M2P.
 */
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/frame.h>
#include <pvx/lib.h>
#include <pvx/machine.h>
#include <pvx/mm.h>
#include "types.h"

int mm_steal_frame(struct domain *d, mfn_t mfn, uint32_t *pfn)
{
    struct frame *f = frame_of(mfn);
    uint32_t p;

    if ( !f || f->owner != d->domain_id || !(f->flags & FRAME_F_ALLOCATED) ||
         (f->flags & (FRAME_F_XEN_SHARED | FRAME_F_PINNED | FRAME_F_XEN_L2)) )
        return -EINVAL;
    if ( f->ref_count != 1 || f->type_count != 0 )
        return -EINVAL;                 /* mapped, typed or held by someone */
    p = m2p_get(mfn);
    if ( p == M2P_INVALID )
        return -EINVAL;                 /* the guest could not say where it goes back */
    if ( f->tlbflush_stamp == machine.mm.flush_epoch )
        mm_flush_all();
    *f = (struct frame){ .owner = DOMID_XEN_OWN };
    frame_walks_stale();                /* its owner changed (pvx/frame.h) */
    m2p_set(mfn, M2P_INVALID);
    ASSERT(d->tot_pages > 0);
    d->tot_pages--;
    d->lent_pages++;                    /* it comes back, with a packet or without */
    *pfn = p;
    return 0;
}

void mm_assign_frame(struct domain *d, mfn_t mfn, uint32_t pfn)
{
    struct frame *f = frame_of(mfn);

    ASSERT(f && f->owner == DOMID_XEN_OWN && f->ref_count == 0);
    *f = (struct frame){ .owner = d->domain_id, .flags = FRAME_F_ALLOCATED, .ref_count = 1,
                         .type = FRAME_WRITABLE };
    frame_walks_stale();
    m2p_set(mfn, pfn);
    d->tot_pages++;
    ASSERT(d->lent_pages > 0);
    d->lent_pages--;
}
