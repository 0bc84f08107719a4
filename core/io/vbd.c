/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * io/vbd.c - virtual block devices (the Xen paper's §3.3.6): per domain, a
 * VBD is a list of extents of the machine's disks with a mode, read-only or
 * read-write. The initial domain installs them (domctl, or a boot option
 * until its toolstack does); the guest reaches them through a ring
 * (io/blkif.c). Only the hypervisor reads the extents: a guest names VBD
 * sectors, and each is translated here.
 */
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/io.h>
#include <pvx/lib.h>
#include <pvx/machine.h>
#include <pvx/netif.h>
#include <public/pvx.h>

#define IO (machine.io)

struct vbd *vbd_lookup(uint16_t domid, uint16_t vdev)
{
    for ( unsigned int i = 0; i < VBD_MAX; i++ )
        if ( IO.vbd[i].in_use && IO.vbd[i].domid == domid && IO.vbd[i].vdev == vdev )
            return &IO.vbd[i];
    return NULL;
}

uint16_t vbd_index(const struct vbd *vbd)
{
    return (uint16_t)(vbd - IO.vbd);
}

struct vbd *vbd_nth(uint16_t domid, uint32_t index)
{
    for ( unsigned int i = 0; i < VBD_MAX; i++ )
        if ( IO.vbd[i].in_use && IO.vbd[i].domid == domid && index-- == 0 )
            return &IO.vbd[i];
    return NULL;
}

int vbd_create(uint16_t domid, uint16_t vdev, uint16_t mode)
{
    struct vbd *vbd = NULL;

    if ( mode != PVX_VBD_MODE_R && mode != PVX_VBD_MODE_RW )
        return -EINVAL;
    if ( vbd_lookup(domid, vdev) )
        return -EEXIST;
    for ( unsigned int i = 0; i < VBD_MAX && !vbd; i++ )
        if ( !IO.vbd[i].in_use )
            vbd = &IO.vbd[i];
    if ( !vbd )
        return -ENOSPC;
    memset(vbd, 0, sizeof(*vbd));
    vbd->in_use = true;
    vbd->domid = domid;
    vbd->vdev = vdev;
    vbd->mode = mode;
    vbd->ring.mfn = INVALID_MFN;
    return 0;
}

static bool extents_overlap(const struct vbd_extent *a, const struct vbd_extent *b)
{
    return a->disk == b->disk && a->start < b->start + b->nr && b->start < a->start + a->nr;
}

int vbd_grow(uint16_t domid, uint16_t vdev, uint32_t disk, uint64_t start, uint64_t nr)
{
    struct vbd *vbd = vbd_lookup(domid, vdev);
    struct vbd_extent e = { .disk = disk, .start = start, .nr = nr };

    if ( !vbd )
        return -ENOENT;
    if ( disk >= IO.nr_disks || nr == 0 || start >= IO.disk[disk].sectors ||
         nr > IO.disk[disk].sectors - start || vbd->nr_extents == VBD_MAX_EXTENTS )
        return -EINVAL;
    /* Two VBDs may share sectors only when neither can write them. */
    for ( unsigned int i = 0; i < VBD_MAX; i++ )
    {
        const struct vbd *o = &IO.vbd[i];

        if ( !o->in_use || (o->mode == PVX_VBD_MODE_R && vbd->mode == PVX_VBD_MODE_R) )
            continue;
        for ( unsigned int k = 0; k < o->nr_extents; k++ )
            if ( extents_overlap(&o->ext[k], &e) )
                return -EBUSY;
    }
    vbd->ext[vbd->nr_extents++] = e;
    vbd->sectors += nr;
    return 0;
}

void vbd_translate(const struct vbd *vbd, uint64_t sector, uint32_t *disk, uint64_t *psector,
                   uint64_t *run)
{
    for ( unsigned int i = 0; i < vbd->nr_extents; i++ )
    {
        const struct vbd_extent *e = &vbd->ext[i];

        if ( sector < e->nr )
        {
            *disk = e->disk;
            *psector = e->start + sector;
            *run = e->nr - sector;
            return;
        }
        sector -= e->nr;
    }
    BUG();                              /* the caller checked the bounds */
}

int vbd_destroy(uint16_t domid, uint16_t vdev)
{
    struct vbd *vbd = vbd_lookup(domid, vdev);
    unsigned int dropped = 0, kept = 0;
    uint16_t vi;

    if ( !vbd )
        return -ENOENT;
    vi = vbd_index(vbd);
    blkif_rr_remove(vi);
    io_ring_detach(&vbd->ring);
    /* Requests taken: those not started are dropped now; those the disk
     * has keep their frames until it is done, and nobody is answered. */
    for ( unsigned int r = 0; r < IO_MAX_REQS; r++ )
    {
        struct io_req *req = &IO.req[r];

        if ( !req->in_use || req->vbd != vi )
            continue;
        req->vbd = IO_NONE;
        req->ops_left = (uint16_t)io_req_cancel_queued((uint16_t)r);
        if ( req->ops_left )
            kept++;
        else
        {
            dropped++;
            blkif_complete((uint16_t)r);
        }
    }
    if ( dropped || kept )
        printk("vbd %#x of domain %u gone: %u requests dropped, %u left with the disk", vdev,
               domid, dropped, kept);
    vbd->in_use = false;
    io_disks_kick();
    return 0;
}

void io_domain_destroy(struct domain *d)
{
    struct vbd *vbd;

    while ( (vbd = vbd_nth(d->domain_id, 0)) )
        (void)vbd_destroy(d->domain_id, vbd->vdev);
    vif_domain_destroy(d);              /* its VIFs: the NIC keeps what is on the wire */
}

/* ------------------------------------------------------------------------
 * The boot option: "VDEV,MODE,DISK:START+NR[,DISK:START+NR...]".
 */

static bool parse_u64(const char **p, const char *end, uint64_t *v)
{
    const char *s = *p;

    *v = 0;
    for ( ; *p < end && **p >= '0' && **p <= '9'; (*p)++ )
    {
        if ( *v > (UINT64_MAX - 9) / 10 )
            return false;
        *v = *v * 10 + (uint64_t)(**p - '0');
    }
    return *p != s;
}

/* xvdX is Linux's 202 << 8 | (X - 'a') << 4; a number is taken as it is. */
static bool parse_vdev(const char **p, const char *end, uint16_t *vdev)
{
    uint64_t v;

    if ( end - *p >= 4 && strncmp(*p, "xvd", 3) == 0 && (*p)[3] >= 'a' && (*p)[3] <= 'z' )
    {
        *vdev = (uint16_t)((202u << 8) | (unsigned int)((*p)[3] - 'a') << 4);
        *p += 4;
        return true;
    }
    if ( !parse_u64(p, end, &v) || v > 0xffff )
        return false;
    *vdev = (uint16_t)v;
    return true;
}

int vbd_parse(uint16_t domid, const char *spec, size_t len)
{
    const char *p = spec, *end = spec + len;
    uint16_t vdev, mode;
    int rc;

    if ( !parse_vdev(&p, end, &vdev) || p + 3 > end || p[0] != ',' ||
         (p[1] != 'r' && p[1] != 'w') )
        return -EINVAL;
    mode = p[1] == 'r' ? PVX_VBD_MODE_R : PVX_VBD_MODE_RW;
    p += 2;
    if ( p == end )
        return -EINVAL;                 /* no extent */
    rc = vbd_create(domid, vdev, mode);
    if ( rc )
        return rc;
    while ( p < end )
    {
        uint64_t disk, start, nr;

        if ( *p++ != ',' || !parse_u64(&p, end, &disk) || p == end || *p++ != ':' ||
             !parse_u64(&p, end, &start) || p == end || *p++ != '+' ||
             !parse_u64(&p, end, &nr) )
            rc = -EINVAL;
        else
            rc = vbd_grow(domid, vdev, disk > 0xffffffffull ? 0xffffffffu : (uint32_t)disk,
                          start, nr);
        if ( rc )
        {
            (void)vbd_destroy(domid, vdev);
            return rc;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * The control interface: XEN_DOMCTL_pvx_vbd_* and pvx_disk_info.
 */
long vbd_domctl(uint32_t cmd, struct domain *d, struct xen_domctl_pvx_vbd *op)
{
    struct vbd *vbd;

    switch ( cmd )
    {
    case XEN_DOMCTL_pvx_vbd_create:
        return vbd_create(d->domain_id, op->vdev, op->mode);
    case XEN_DOMCTL_pvx_vbd_grow:
        return vbd_grow(d->domain_id, op->vdev, op->disk, op->start, op->nr);
    case XEN_DOMCTL_pvx_vbd_destroy:
        return vbd_destroy(d->domain_id, op->vdev);
    case XEN_DOMCTL_pvx_vbd_list:
        vbd = vbd_nth(d->domain_id, op->index);
        if ( !vbd )
            return -ENOENT;
        op->vdev = vbd->vdev;
        op->mode = vbd->mode;
        op->nr = vbd->sectors;
        op->nr_extents = vbd->nr_extents;
        return 0;
    case XEN_DOMCTL_pvx_disk_info:
        if ( op->disk >= IO.nr_disks )
            return -ENODEV;
        op->nr = IO.disk[op->disk].sectors;
        op->nr_extents = IO.nr_disks;
        return 0;
    default:
        return -ENOSYS;
    }
}
