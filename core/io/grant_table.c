/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * grant_table.c - the smallest grant_table_op a PV guest's start of day
 * needs: GNTTABOP_setup_table gives a domain up to GNTTAB_MAX_FRAMES frames
 * of version-1 grant entries, its own frames (so it maps them writable under
 * the usual rules) but outside its reservation, as Xen keeps them: they do
 * not count against max_pages and cannot be given back (FRAME_F_XEN_SHARED).
 * Allocated on first use, never shrunk (as Xen), freed with the domain. Grants
 * themselves (map, copy, transfer) are not implemented: -ENOSYS, as are
 * set_version and every other sub-op (XTF reads -ENOSYS from set_version as
 * "version 1 only").
 */
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>
#include <public/grant_table.h>
#include <public/xen.h>

static bool gnttab_self(const struct vcpu *v, uint16_t dom)
{
    return dom == DOMID_SELF || dom == v->domain->domain_id;
}

/* Grow d's table to nr frames: 0, or -ENOMEM with the table as it was. */
static int gnttab_grow(struct domain *d, unsigned int nr)
{
    mfn_t fresh[GNTTAB_MAX_FRAMES];
    unsigned int have = d->gnttab_nr_frames, i;

    for ( i = have; i < nr; i++ )
    {
        fresh[i] = frame_alloc(d->domain_id);
        if ( fresh[i] == INVALID_MFN )
        {
            while ( i-- > have )
                frame_free(fresh[i]);
            return -ENOMEM;
        }
    }
    for ( i = have; i < nr; i++ )
    {
        d->gnttab_frame[i] = fresh[i];
        frame_of(fresh[i])->flags |= FRAME_F_XEN_SHARED;
    }
    d->gnttab_nr_frames = MAX(have, nr);
    return 0;
}

static long gnttab_setup_table(struct vcpu *v, uint32_t uop, uint32_t count)
{
    struct gnttab_setup_table op;
    struct domain *d = v->domain;

    if ( count != 1 )
        return -EINVAL;
    if ( copy_from_guest(v, &op, uop, sizeof(op)) )
        return -EFAULT;
    if ( !gnttab_self(v, op.dom) )
        op.status = GNTST_bad_domain;
    else if ( op.nr_frames > GNTTAB_MAX_FRAMES )
        op.status = GNTST_general_error;
    else
    {
        static const mfn_t zero[GNTTAB_MAX_FRAMES];

        /* The list must be writable before anything is allocated. */
        if ( copy_to_guest(v, op.frame_list, zero, op.nr_frames * sizeof(mfn_t)) )
            op.status = GNTST_bad_virt_addr;
        else if ( gnttab_grow(d, op.nr_frames) )
            op.status = GNTST_general_error;
        else
        {
            (void)copy_to_guest(v, op.frame_list, d->gnttab_frame, op.nr_frames * sizeof(mfn_t));
            op.status = GNTST_okay;
        }
    }
    return copy_to_guest(v, uop + offsetof(struct gnttab_setup_table, status), &op.status,
                         sizeof(op.status)) ? -EFAULT : 0;
}

static long gnttab_query_size(struct vcpu *v, uint32_t uop, uint32_t count)
{
    struct gnttab_query_size op;

    if ( count != 1 )
        return -EINVAL;
    if ( copy_from_guest(v, &op, uop, sizeof(op)) )
        return -EFAULT;
    op.status = gnttab_self(v, op.dom) ? GNTST_okay : GNTST_bad_domain;
    op.nr_frames = v->domain->gnttab_nr_frames;
    op.max_nr_frames = GNTTAB_MAX_FRAMES;
    return copy_to_guest(v, uop, &op, sizeof(op)) ? -EFAULT : 0;
}

long do_grant_table_op(struct vcpu *v, uint32_t cmd, uint32_t uop, uint32_t count,
                       uint32_t a4 __unused, uint32_t a5 __unused)
{
    switch ( cmd )
    {
    case GNTTABOP_setup_table:
        return gnttab_setup_table(v, uop, count);
    case GNTTABOP_query_size:
        return gnttab_query_size(v, uop, count);
    default:
        return -ENOSYS;
    }
}
