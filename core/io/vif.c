/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * io/vif.c - virtual network interfaces on I/O rings (the Xen paper's
 * §3.3.5; public/io/netif.h, docs/network.md).
 *
 * A VIF is the VFR's VIF with a transmit and a receive ring in frames of its
 * domain's. Transmit: rings with requests wait on a round-robin list and
 * each turn takes one packet from one ring, so senders share the wire
 * packet by packet. A request is copied out whole and checked; its first
 * NETIF_TX_HDR_COPY bytes are copied and classified by the VFR; the packet
 * then goes to the wire with that header copy and the rest straight from
 * the guest's frame (held until the NIC is done), or - to a local VIF -
 * through the receive rules into that VIF's receive path, or nowhere
 * (dropped and answered so).
 *
 * Receive: a guest posts frames it no longer maps; each becomes the
 * hypervisor's at once (mm_steal_frame refuses any other: the request is
 * answered with an error and nothing changes). A packet in a frame of the
 * hypervisor's is exchanged with the oldest one posted: the packet's frame
 * becomes the guest's at the pfn the posted one had (M2P), the posted one
 * takes its place in the NIC's pool. Nothing is posted: dropped and
 * counted. A copy-mode VIF (PVX_VIF_F_COPY) copies into the posted frame
 * and gives that back instead: the same to the guest, the benchmark's
 * baseline, and the way any packet that stays where it is (a broadcast,
 * another VIF's transmit) arrives.
 */
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/event.h>
#include <pvx/fault.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/lib.h>
#include <pvx/machine.h>
#include <pvx/mm.h>
#include <pvx/netif.h>
#include <pvx/vfr.h>
#include <public/domctl.h>
#include <public/io/netif.h>
#include <public/pvx.h>

#define net (machine.netif)

static struct vif *vif_lookup(uint16_t domid, uint16_t handle)
{
    for ( unsigned int i = 0; i < VIF_MAX; i++ )
        if ( net.vifs[i].in_use && net.vifs[i].domid == domid && net.vifs[i].handle == handle )
            return &net.vifs[i];
    return NULL;
}

static struct vif *vif_nth(uint16_t domid, uint32_t index)
{
    for ( unsigned int i = 0; i < VIF_MAX; i++ )
        if ( net.vifs[i].in_use && net.vifs[i].domid == domid && index-- == 0 )
            return &net.vifs[i];
    return NULL;
}

static unsigned int vif_index(const struct vif *vif)
{
    return (unsigned int)(vif - net.vifs);
}

bool vif_is_ring(unsigned int vi)
{
    return vi < VIF_MAX && net.vifs[vi].in_use;
}

/* ------------------------------------------------------------------------
 * Responses.
 */
static void vif_notify(struct vif *vif, struct io_ring *r)
{
    struct domain *d = domain_lookup(vif->domid);

    if ( io_ring_push(r) && d && d->state == DOMAIN_RUNNING )
        evtchn_send_virq(&d->vcpu[0], VIRQ_PVX_NETIF);
}

static void vif_tx_respond(struct vif *vif, uint16_t id, int16_t status)
{
    struct netif_tx_response rsp = { .id = id, .status = status };

    io_ring_put(&vif->tx, &rsp, sizeof(rsp));
    vif_notify(vif, &vif->tx);
}

static void vif_rx_respond(struct vif *vif, uint16_t id, int16_t status, mfn_t gref)
{
    struct netif_rx_response rsp = { .id = id, .status = status, .gref = gref };

    io_ring_put(&vif->rx, &rsp, sizeof(rsp));
    vif_notify(vif, &vif->rx);
}

/* ------------------------------------------------------------------------
 * Receive.
 */

/* Take the frames the guest posted: each the hypervisor's, or refused. 0,
 * or -EINVAL when the ring's indices are insane (nothing taken). */
static int vif_rx_take(struct vif *vif, struct domain *d)
{
    uint32_t n;

    if ( !vif->rx.page )
        return 0;
    if ( io_ring_pending(&vif->rx, &n) )
        return -EINVAL;
    while ( n-- )
    {
        struct netif_rx_request rq;
        uint32_t pfn;
        unsigned int slot;

        io_ring_take(&vif->rx, &rq, sizeof(rq));    /* once: the guest may change the slot */
        /* Nothing else may name it: no mapping, no type, not shared. */
        if ( mm_steal_frame(d, rq.gref, &pfn) )
        {
            vif->bad_requests++;
            vif_rx_respond(vif, rq.id, NETIF_RSP_ERROR, rq.gref);
            continue;
        }
        /* Room: requests taken and not answered never pass the ring's size. */
        ASSERT(vif->posted_nr < VIF_RX_POSTED);
        slot = (vif->posted_head + vif->posted_nr) % VIF_RX_POSTED;
        vif->posted[slot] = (struct vif_posted){ .id = rq.id, .mfn = rq.gref, .pfn = pfn };
        vif->posted_nr++;
    }
    (void)io_ring_final_check(&vif->rx);    /* req_event: tell us of the next */
    return 0;
}

/* The oldest posted frame for a packet, or false: dropped and counted. */
static bool vif_rx_next(unsigned int vi, struct domain **dp, struct vif_posted *p)
{
    struct vif *vif = &net.vifs[vi];
    struct domain *d = domain_lookup(vif->domid);

    if ( !d || d->state != DOMAIN_RUNNING || !vif->rx.page )
        goto drop;
    if ( !vif->posted_nr && vif_rx_take(vif, d) )
    {
        domain_crash(d, "receive ring of VIF %u: insane indices", vif->handle);
        goto drop;
    }
    if ( !vif->posted_nr || fault_hit(&fault_vif_rx) )
        goto drop;
    *p = vif->posted[vif->posted_head];
    vif->posted_head = (uint16_t)((vif->posted_head + 1) % VIF_RX_POSTED);
    vif->posted_nr--;
    *dp = d;
    return true;

 drop:
    vif->rx_no_frame++;
    vfr_count_rx_dropped(vi);
    return false;
}

static void vif_rx_done(unsigned int vi, const struct vif_posted *p, mfn_t got, unsigned int len)
{
    struct vif *vif = &net.vifs[vi];

    vif->rx_packets++;
    vif->rx_bytes += len;
    vfr_count_rx_delivered(vi);
    vif_rx_respond(vif, p->id, (int16_t)len, got);
}

bool vif_receive_copy(unsigned int vi, const uint8_t *a, unsigned int alen, const uint8_t *b,
                      unsigned int blen)
{
    struct vif_posted p;
    struct domain *d;
    uint8_t *to;

    ASSERT(alen + blen <= PAGE_SIZE);
    if ( !vif_rx_next(vi, &d, &p) )
        return false;
    to = frame_map(p.mfn);
    memcpy(to, a, alen);
    if ( blen )
        memcpy(to + alen, b, blen);
    frame_unmap(to);
    arch_frames_written(p.mfn, 1);
    mm_assign_frame(d, p.mfn, p.pfn);           /* back where it was, with the packet */
    vif_rx_done(vi, &p, p.mfn, alen + blen);
    return true;
}

bool vif_receive(unsigned int vi, mfn_t *frame, unsigned int len)
{
    struct vif_posted p;
    struct domain *d;
    uint8_t *data;
    mfn_t got = *frame;

    if ( net.vifs[vi].flags & PVX_VIF_F_COPY )
    {
        bool ok;

        data = frame_map(got);
        ok = vif_receive_copy(vi, data, len, NULL, 0);
        frame_unmap(data);
        return ok;
    }
    if ( !vif_rx_next(vi, &d, &p) )
        return false;
    /* The page flip. What lies past the packet is an earlier owner's: gone. */
    data = frame_map(got);
    memset(data + len, 0, PAGE_SIZE - len);
    frame_unmap(data);
    arch_frames_written(got, 1);
    mm_assign_frame(d, got, p.pfn);
    *frame = p.mfn;                             /* the posted frame: the pool's now */
    vif_rx_done(vi, &p, got, len);
    return true;
}

/* Posted frames that will not be used: back to the guest (disconnect), or
 * freed with the domain (dying: they are the hypervisor's). */
static void vif_rx_release(struct vif *vif, struct domain *d)
{
    while ( vif->posted_nr )
    {
        struct vif_posted *p = &vif->posted[vif->posted_head];

        if ( d )
            mm_assign_frame(d, p->mfn, p->pfn);
        else
            frame_free(p->mfn);
        vif->posted_head = (uint16_t)((vif->posted_head + 1) % VIF_RX_POSTED);
        vif->posted_nr--;
    }
}

/* ------------------------------------------------------------------------
 * Transmit.
 */

static bool vif_rr_add(unsigned int vi)
{
    if ( net.vifs[vi].on_rr )
        return false;
    ASSERT(net.rr_len < VIF_MAX);
    net.rr[net.rr_len++] = (uint16_t)vi;
    net.vifs[vi].on_rr = true;
    return true;
}

static void vif_rr_remove(unsigned int vi)
{
    unsigned int k = 0;

    for ( unsigned int i = 0; i < net.rr_len; i++ )
        if ( net.rr[i] != vi )
            net.rr[k++] = net.rr[i];
    net.rr_len = k;
    net.vifs[vi].on_rr = false;
}

/* A packet for local VIFs, through the receive rules as one from the wire
 * would go: hdr is the copy the VFR judged, rest the sender's frame after it. */
static void vif_tx_local(unsigned int from, struct vfr_verdict v, const uint8_t *hdr,
                         unsigned int hlen, const uint8_t *rest, unsigned int rlen)
{
    /* A transmit rule's own delivery goes where it says; the rest is
     * demultiplexed by the receive side. */
    struct vfr_verdict rv = v.action == PVX_VFR_DELIVER && v.why == VFR_WHY_RULE
                            ? v : vfr_classify(PVX_VFR_RX, VFR_VIF_WIRE, hdr, hlen);

    if ( rv.action != PVX_VFR_DELIVER )
        return;
    for ( unsigned int i = 0; i < VIF_MAX; i++ )
    {
        if ( i == from || !vif_is_ring(i) )
            continue;
        if ( rv.vif == VFR_VIF_ALL || rv.vif == i )
            (void)vif_receive_copy(i, hdr, hlen, rest, rlen);
    }
}

/* Take one transmit of vif's: check, classify, send or deliver or drop. */
static void vif_tx_one(struct vif *vif, struct domain *d)
{
    unsigned int vi = vif_index(vif), hlen;
    struct netif_tx_request rq;
    uint8_t hdr[VFR_HDR_MAX];
    struct vfr_verdict v;
    struct frame *f;
    const uint8_t *data;
    int slot;
    bool group, wire;

    io_ring_take(&vif->tx, &rq, sizeof(rq));    /* once: the guest may change the slot */
    f = frame_of(rq.gref);
    /* A buffer: not a page table or descriptor frame in use (nonsense to send). */
    if ( rq.size < NETIF_FRAME_MIN || rq.size > NETIF_FRAME_MAX || rq.flags ||
         (uint32_t)rq.offset + rq.size > PAGE_SIZE || !f || f->owner != d->domain_id ||
         !(f->flags & FRAME_F_ALLOCATED) || (f->flags & FRAME_F_XEN_SHARED) ||
         (f->type_count && f->type != FRAME_WRITABLE) || !mm_get_ref(d, rq.gref) )
    {
        vif->bad_requests++;
        vif_tx_respond(vif, rq.id, NETIF_RSP_ERROR);
        return;
    }
    hlen = MIN((unsigned int)rq.size, (unsigned int)VFR_HDR_MAX);
    data = frame_map(rq.gref);
    memcpy(hdr, data + rq.offset, hlen);        /* what we judge is what we send */
    v = vfr_classify(PVX_VFR_TX, vi, hdr, hlen);
    group = hdr[0] & 1;
    wire = v.action == PVX_VFR_ACCEPT;
    if ( v.action == PVX_VFR_DELIVER || (wire && group) )
        vif_tx_local(vi, v, hdr, hlen, data + rq.offset + hlen, rq.size - hlen);
    frame_unmap((void *)data);

    if ( v.action == PVX_VFR_DROP )
    {
        mm_put_ref(rq.gref);
        vif_tx_respond(vif, rq.id, NETIF_RSP_DROPPED);
        return;
    }
    vif->tx_packets++;
    vif->tx_bytes += rq.size;
    slot = wire ? netif_tx_slot() : -1;
    if ( slot < 0 )
    {
        /* Delivered locally (or no NIC to send it on): done with the frame. */
        mm_put_ref(rq.gref);
        vif_tx_respond(vif, rq.id, wire && !net.has_nic ? NETIF_RSP_DROPPED : NETIF_RSP_OKAY);
        return;
    }
    vif->tx_inflight++;
    netif_tx_start((unsigned int)slot, (uint16_t)vi, rq.id, hdr, hlen, rq.gref, rq.offset,
                   rq.size);                    /* the reference goes at TX_DONE */
}

void vif_tx_done(unsigned int s)
{
    struct netif_tx_slot *t = &net.tx[s];

    ASSERT(t->busy && t->vif != VIF_NONE);
    t->busy = false;
    mm_put_ref(t->mfn);                         /* a dead domain's last frame may go here */
    if ( t->vif == VIF_GONE )
        return;
    ASSERT(net.vifs[t->vif].tx_inflight > 0);
    net.vifs[t->vif].tx_inflight--;
    vif_tx_respond(&net.vifs[t->vif], (uint16_t)t->id, NETIF_RSP_OKAY);
}

void vif_tx_dispatch(void)
{
    /* One packet per VIF per turn, while the NIC has a slot: a packet to
     * the wire needs one, and which it is shows only once it is taken. */
    while ( net.rr_len && (!net.has_nic || netif_tx_slot() >= 0) )
    {
        unsigned int vi = net.rr[0];
        struct vif *vif = &net.vifs[vi];
        struct domain *d = domain_lookup(vif->domid);
        uint32_t n;

        vif_rr_remove(vi);
        if ( !d || d->state != DOMAIN_RUNNING || !vif->tx.page )
            continue;
        if ( io_ring_pending(&vif->tx, &n) )
        {
            /* Insane indices after we were told they were fine: it dies alone. */
            domain_crash(d, "transmit ring of VIF %u: insane indices", vif->handle);
            continue;
        }
        if ( n )
            vif_tx_one(vif, d);
        /* More waiting: back at the end of the line; else ask to be told. */
        if ( io_ring_final_check(&vif->tx) )
            (void)vif_rr_add(vi);
    }
}

/* ------------------------------------------------------------------------
 * Creation and destruction (the initial domain's, through domctl).
 */

static bool mac_valid(const uint8_t mac[6])
{
    static const uint8_t zero[6];

    return !(mac[0] & 1) && memcmp(mac, zero, 6);
}

int vif_create(struct domain *d, uint16_t handle, const uint8_t mac[6], uint32_t ipv4,
               uint16_t flags)
{
    int vi;

    if ( handle >= PVX_VIF_PER_DOMAIN || (flags & ~PVX_VIF_F_COPY) || !mac_valid(mac) )
        return -EINVAL;
    if ( vif_lookup(d->domain_id, handle) )
        return -EEXIST;
    /* One owner per address: the VFR demultiplexes by them. */
    for ( unsigned int i = 0; i < VIF_MAX; i++ )
    {
        struct vfr_vif *o = vfr_vif_get(i);

        if ( o && (!memcmp(o->mac, mac, 6) || (ipv4 && o->ipv4 == ipv4)) )
            return -EINVAL;
    }
    vi = vfr_vif_create(d->domain_id, mac);
    if ( vi < 0 )
        return vi;
    if ( ipv4 )
        (void)vfr_vif_set_ipv4((unsigned int)vi, ipv4);     /* checked above */
    memset(&net.vifs[vi], 0, sizeof(net.vifs[vi]));
    net.vifs[vi].in_use = true;
    net.vifs[vi].domid = d->domain_id;
    net.vifs[vi].handle = handle;
    net.vifs[vi].flags = flags;
    net.vifs[vi].tx.mfn = net.vifs[vi].rx.mfn = INVALID_MFN;
    return vi;
}

static void vif_disconnect(struct vif *vif, struct domain *d)
{
    vif_rr_remove(vif_index(vif));
    io_ring_detach(&vif->tx);
    io_ring_detach(&vif->rx);
    vif_rx_release(vif, d);
}

int vif_destroy(uint16_t domid, uint16_t handle)
{
    struct vif *vif = vif_lookup(domid, handle);
    unsigned int vi, held = 0;

    if ( !vif )
        return -ENOENT;
    vi = vif_index(vif);
    /* Transmits on the wire keep their frames until the NIC lets go. */
    for ( unsigned int s = 0; s < NIC_TX_DEPTH; s++ )
        if ( net.tx[s].busy && net.tx[s].vif == vi )
        {
            net.tx[s].vif = VIF_GONE;
            held++;
        }
    vif_disconnect(vif, NULL);                  /* posted frames: freed */
    printk("vif %u (domain %u, handle %u) gone: %u transmits left on the wire",
           vi, domid, handle, held);
    vfr_vif_destroy(vi);
    memset(vif, 0, sizeof(*vif));
    return 0;
}

void vif_domain_destroy(struct domain *d)
{
    for ( unsigned int i = 0; i < VIF_MAX; i++ )
        if ( net.vifs[i].in_use && net.vifs[i].domid == d->domain_id )
            (void)vif_destroy(d->domain_id, net.vifs[i].handle);
}

long vif_domctl(uint32_t cmd, struct domain *d, struct xen_domctl_pvx_vif *op)
{
    struct vfr_vif *fv;
    struct vif *vif;
    int rc;

    switch ( cmd )
    {
    case XEN_DOMCTL_pvx_vif_create:
        if ( d->state != DOMAIN_RUNNING || d->is_dying )
            return -EINVAL;
        rc = vif_create(d, op->handle, op->mac, op->ipv4, op->flags);
        if ( rc < 0 )
            return rc;
        op->vif = (uint16_t)rc;
        return 0;

    case XEN_DOMCTL_pvx_vif_destroy:
        return vif_destroy(d->domain_id, op->handle);

    case XEN_DOMCTL_pvx_vif_list:
        vif = vif_nth(d->domain_id, op->index);
        if ( !vif )
            return -ENOENT;
        fv = vfr_vif_get(vif_index(vif));
        op->handle = vif->handle;
        op->vif = (uint16_t)vif_index(vif);
        memcpy(op->mac, fv->mac, 6);
        op->flags = vif->flags | (vif->tx.page ? PVX_VIF_F_CONNECTED : 0);
        op->ipv4 = fv->ipv4;
        op->posted = vif->posted_nr;
        op->tx_packets = vif->tx_packets;
        op->tx_bytes = vif->tx_bytes;
        op->rx_packets = vif->rx_packets;
        op->rx_bytes = vif->rx_bytes;
        op->rx_no_frame = vif->rx_no_frame;
        op->bad_requests = vif->bad_requests;
        return 0;

    default:
        return -ENOSYS;
    }
}

/* ------------------------------------------------------------------------
 * physdev_op's sub-ops: the guest's side.
 */

/* What io_ring_attach will take: a frame of d's reservation that is, or
 * can become, writable (no other type in use). */
static bool vif_ring_frame_ok(struct domain *d, mfn_t mfn)
{
    const struct frame *f = frame_of(mfn);

    return f && f->owner == d->domain_id && (f->flags & FRAME_F_ALLOCATED) &&
           !(f->flags & FRAME_F_XEN_SHARED) && (f->type_count == 0 || f->type == FRAME_WRITABLE);
}
long vif_physdev_op(struct vcpu *v, uint32_t cmd, uint32_t arg)
{
    struct physdev_pvx_netif op;
    struct domain *d = v->domain;
    struct vif *vif;
    uint32_t n;
    int rc;

    if ( copy_from_guest(v, &op, arg, sizeof(op)) )
        return -EFAULT;

    if ( cmd == PHYSDEVOP_pvx_vif_info )
    {
        if ( guest_probe(v, arg, sizeof(op), true) )
            return -EFAULT;
        vif = vif_nth(d->domain_id, op.index);
        if ( !vif )
            return -ENOENT;
        op.handle = vif->handle;
        memcpy(op.mac, vfr_vif_get(vif_index(vif))->mac, 6);
        op.ipv4 = vfr_vif_get(vif_index(vif))->ipv4;
        copy_to_guest_probed(v, arg, &op, sizeof(op));
        return 0;
    }

    vif = vif_lookup(d->domain_id, op.handle);
    if ( !vif )
        return -ENOENT;
    switch ( cmd )
    {
    case PHYSDEVOP_pvx_netif_connect:
    {
        struct io_ring before = vif->tx;

        if ( vif->tx.page )
            return -EEXIST;
        /* Both frames checked before either is taken: a refusal changes nothing. */
        if ( op.tx_ring_mfn == op.rx_ring_mfn || !vif_ring_frame_ok(d, op.tx_ring_mfn) ||
             !vif_ring_frame_ok(d, op.rx_ring_mfn) )
            return -EINVAL;
        rc = io_ring_attach(&vif->tx, d, op.tx_ring_mfn, sizeof(union netif_tx_sring_entry));
        if ( rc )
            return rc;
        rc = io_ring_attach(&vif->rx, d, op.rx_ring_mfn, sizeof(union netif_rx_sring_entry));
        if ( rc )
        {
            io_ring_detach(&vif->tx);
            vif->tx = before;
        }
        return rc;
    }

    case PHYSDEVOP_pvx_netif_notify:
        if ( !vif->tx.page )
            return -XEN_ENOTCONN;
        /* Both rings sane, or nothing is taken from either. */
        if ( io_ring_pending(&vif->tx, &n) || io_ring_pending(&vif->rx, &n) )
            return -EINVAL;
        (void)vif_rx_take(vif, d);
        (void)io_ring_pending(&vif->tx, &n);
        if ( n )
            (void)vif_rr_add(vif_index(vif));
        vif_tx_dispatch();
        return 0;

    case PHYSDEVOP_pvx_netif_disconnect:
        if ( !vif->tx.page )
            return -XEN_ENOTCONN;
        if ( vif->tx_inflight )
            return -EBUSY;
        vif_disconnect(vif, d);                 /* posted frames: back to the guest */
        return 0;

    default:
        return -ENOSYS;
    }
}
