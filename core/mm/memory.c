/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memory.c - memory_op: a domain's reservation of machine memory (paper
 * §3.3.4). A guest gives frames back (decrease_reservation: a balloon
 * driver) and asks for more up to its max_pages (increase_reservation,
 * populate_physmap); it keeps its own p2m and tells the M2P with
 * MMU_MACHPHYS_UPDATE (populate_physmap sets the M2P itself).
 *
 * As on Xen, the reservation commands return the number of extents done
 * (a bad argument just means none), and a frame given back stays until
 * nothing names it any more: it is freed when its reference count drops to 0.
 */
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/layout.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <public/memory.h>

/* Extents per call before a continuation (each costs an allocation or a free). */
#define MEMORY_EXTENTS_PER_CALL 256u

/* Extents larger than one page are not supported (yet): Xen's max order 0. */
#define MEMORY_MAX_ORDER        0u

/* The domain a memory_op names: any for the privileged, else only itself. */
static struct domain *memory_target(struct vcpu *v, domid_t domid, int *err)
{
    struct domain *d = v->domain, *t;

    if ( domid == DOMID_SELF || domid == d->domain_id )
        return d;
    t = domain_lookup(domid);
    *err = t ? -EPERM : -ESRCH;
    return d->is_privileged ? t : NULL;
}

/* One past the highest frame an allocation may return: the guest may ask
 * for frames below 2^address_bits (XENMEMF_address_bits). */
static mfn_t memory_alloc_limit(unsigned int address_bits)
{
    if ( !address_bits || address_bits >= 32 + PAGE_SHIFT )
        return ~(mfn_t)0;
    return (mfn_t)(1ull << (address_bits - PAGE_SHIFT));
}

/* Give one of d's frames back: it goes when nothing references it. */
static bool memory_release(struct domain *d, mfn_t mfn)
{
    struct frame *f = frame_of(mfn);

    if ( !f || f->owner != d->domain_id || (f->flags & FRAME_F_XEN_SHARED) )
        return false;
    if ( f->flags & FRAME_F_ALLOCATED )
    {
        f->flags &= ~FRAME_F_ALLOCATED;
        m2p_set(mfn, M2P_INVALID);
        mm_put_ref(mfn);
    }
    return true;
}

/* One extent of one page for d: INVALID_MFN when d is at max_pages (the
 * frames it posted for receives count: they come back) or no frame is free
 * below the limit the guest asked for. Nothing is allocated that is not
 * kept. */
static mfn_t memory_alloc(struct domain *d, unsigned int address_bits)
{
    mfn_t mfn;

    if ( d->tot_pages + d->lent_pages >= d->max_pages )
        return INVALID_MFN;
    mfn = frame_alloc_below(d->domain_id, memory_alloc_limit(address_bits));
    if ( mfn == INVALID_MFN )
        return mfn;
    d->tot_pages++;
    frame_of(mfn)->type = FRAME_WRITABLE;
    return mfn;
}

static long memory_reservation(struct vcpu *v, unsigned int op, uint32_t start, uint32_t arg)
{
    struct xen_memory_reservation r;
    unsigned int address_bits;
    struct domain *d;
    uint32_t i;
    int err;

    if ( copy_from_guest(v, &r, arg, sizeof(r)) )
        return start;
    if ( r.nr_extents > (UINT32_MAX >> MEMOP_EXTENT_SHIFT) || start >= r.nr_extents )
        return start;
    d = memory_target(v, r.domid, &err);
    if ( !d || r.extent_order > MEMORY_MAX_ORDER )
        return start;
    address_bits = XENMEMF_get_address_bits(r.mem_flags);
    if ( address_bits && address_bits <= PAGE_SHIFT )
        return start;
    if ( (r.mem_flags & XENMEMF_populate_on_demand) && op == XENMEM_populate_physmap )
        return start;                   /* PoD is for translated guests */

    for ( i = start; i < r.nr_extents; i++ )
    {
        uint32_t slot = r.extent_start + i * (uint32_t)sizeof(xen_pfn_t);
        xen_pfn_t x;
        mfn_t mfn;

        if ( i != start && i - start >= MEMORY_EXTENTS_PER_CALL )
            return hypercall_create_continuation(v, __HYPERVISOR_memory_op, 2,
                                                 op | (i << MEMOP_EXTENT_SHIFT), arg);

        switch ( op )
        {
        case XENMEM_increase_reservation:
            /* Where the guest learns the new frame: writable, or no frame. */
            if ( r.extent_start && guest_probe(v, slot, sizeof(x), true) )
                return i;
            mfn = memory_alloc(d, address_bits);
            if ( mfn == INVALID_MFN )
                return i;
            x = mfn;
            if ( r.extent_start )
                copy_to_guest_probed(v, slot, &x, sizeof(x));
            break;

        case XENMEM_populate_physmap:
            if ( copy_from_guest(v, &x, slot, sizeof(x)) ||
                 guest_probe(v, slot, sizeof(x), true) )
                return i;
            mfn = memory_alloc(d, address_bits);
            if ( mfn == INVALID_MFN )
                return i;
            m2p_set(mfn, x);
            x = mfn;
            copy_to_guest_probed(v, slot, &x, sizeof(x));
            break;

        default: /* XENMEM_decrease_reservation: a PV guest names machine frames */
            if ( copy_from_guest(v, &x, slot, sizeof(x)) || !memory_release(d, x) )
                return i;
            break;
        }
    }
    return i;
}

/* current_reservation / maximum_reservation: arg points at a domid_t. */
static long memory_domain_stat(struct vcpu *v, unsigned int op, uint32_t arg)
{
    struct domain *d;
    domid_t domid;
    int err = 0;

    if ( copy_from_guest(v, &domid, arg, sizeof(domid)) )
        return -EFAULT;
    d = memory_target(v, domid, &err);
    if ( !d )
        return err;
    return op == XENMEM_current_reservation ? d->tot_pages : d->max_pages;
}

/* The guest's pseudo-physical map: one RAM range, pfn 0 to max_pages. */
static long memory_memory_map(struct vcpu *v, uint32_t arg)
{
    struct domain *d = v->domain;
    struct xen_memory_map map;
    struct xen_e820_entry e = {
        .addr = 0, .size = (uint64_t)d->max_pages << PAGE_SHIFT, .type = XEN_E820_RAM,
    };

    if ( copy_from_guest(v, &map, arg, sizeof(map)) )
        return -EFAULT;
    map.nr_entries = MIN(map.nr_entries, 1u);
    /* Both writes go through, or neither is made. */
    if ( guest_probe(v, arg, sizeof(map), true) ||
         (map.nr_entries && copy_to_guest(v, map.buffer, &e, sizeof(e))) )
        return -EFAULT;
    copy_to_guest_probed(v, arg, &map, sizeof(map));
    return 0;
}

long do_memory_op(struct vcpu *v, uint32_t cmd, uint32_t arg, uint32_t a3 __unused,
                  uint32_t a4 __unused, uint32_t a5 __unused)
{
    unsigned int op = cmd & MEMOP_CMD_MASK;
    uint32_t start = cmd >> MEMOP_EXTENT_SHIFT;

    switch ( op )
    {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return memory_reservation(v, op, start, arg);

    case XENMEM_maximum_ram_page:
        return start ? -EINVAL : (long)frame_max_mfn();

    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
        return start ? -EINVAL : memory_domain_stat(v, op, arg);

    case XENMEM_memory_map:
        return start ? -EINVAL : memory_memory_map(v, arg);

    default:
        return -ENOSYS;
    }
}
