/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * io/netif.c - the NIC behind the arch interface: its receive pool and
 * transmit slots, received frames classified and handed to the VIFs
 * (io/vif.c), and the initial domain's interim path to it (physdev_op
 * 0x7010-, public/pvx.h), which the VIFs' rings supersede.
 *
 * A received frame lands in one of the hypervisor's own frames (the pool,
 * always posted to the NIC), is classified there, and what the VFR
 * delivers to a VIF with rings is page-flipped into it (vif.c); the pool
 * gets the frame the domain posted in exchange. A transmit's header is
 * sent from the hypervisor's copy of it (the one the VFR classified), the
 * rest straight from the sender's frame, held until the NIC says it left.
 *
 * The interim path: the initial domain gets one VIF with the NIC's MAC and
 * sends and receives one frame at a time; what the VFR delivers to it is
 * copied into a frame it posted.
 */
#include <pvx/arch.h>
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
#include <pvx/sched.h>
#include <pvx/vfr.h>
#include <public/pvx.h>

#define net (machine.netif)         /* owned here */

int netif_init(void)
{
    if ( !arch_nic_mac(net.mac) )
        return 0;                               /* no NIC: nothing to do */
    _Static_assert(NIC_TX_DEPTH * VFR_HDR_MAX <= PAGE_SIZE, "header copies in one frame");
    _Static_assert(NETIF_TX_HDR_COPY == VFR_HDR_MAX, "the header copied is the one classified");
    net.hdr_mfn = frame_alloc(DOMID_XEN_OWN);
    if ( net.hdr_mfn == INVALID_MFN )
        return -ENOMEM;
    for ( unsigned int i = 0; i < NIC_RX_DEPTH; i++ )
    {
        net.pool[i] = frame_alloc(DOMID_XEN_OWN);
        if ( net.pool[i] == INVALID_MFN )
        {
            while ( i-- > 0 )
                frame_free(net.pool[i]);
            frame_free(net.hdr_mfn);
            return -ENOMEM;                     /* the machine runs without it */
        }
    }
    net.has_nic = true;
    for ( unsigned int i = 0; i < NIC_RX_DEPTH; i++ )
        arch_nic_post_rx(net.pool[i], i);
    printk("nic: %02x:%02x:%02x:%02x:%02x:%02x", net.mac[0], net.mac[1], net.mac[2], net.mac[3],
           net.mac[4], net.mac[5]);
    return 0;
}

static void netif_complete(uint32_t kind, uint32_t id, uint32_t len)
{
    unsigned int slot = (net.done_head + net.done_nr) % NETIF_DONE_SLOTS;

    /* Every completion is of a transmit or a posted frame, each at most
     * NIC_TX_DEPTH / NIC_RX_DEPTH at a time: the queue has room for all. */
    BUG_ON(net.done_nr == NETIF_DONE_SLOTS);
    net.done[slot].kind = kind;
    net.done[slot].id = id;
    net.done[slot].len = len;
    net.done_nr++;
}

/* Copy a frame the VFR delivered to the VIF into the oldest frame the
 * domain posted, or count it dropped when there is none. */
static bool netif_deliver(const uint8_t *data, unsigned int len)
{
    unsigned int slot = net.rx_head;
    uint8_t *to;
    mfn_t mfn;

    if ( net.rx_nr == 0 )
    {
        vfr_count_rx_dropped(net.vif);
        return false;
    }
    mfn = net.rx[slot].mfn;
    to = frame_map(mfn);
    memcpy(to, data, len);
    frame_unmap(to);
    arch_frames_written(mfn, 1);
    mm_put_type(mfn);
    mm_put_ref(mfn);
    netif_complete(PVX_NET_EV_RX, net.rx[slot].id, len);
    net.rx_head = (slot + 1) % NIC_RX_DEPTH;
    net.rx_nr--;
    vfr_count_rx_delivered(net.vif);
    return true;
}

/* A frame from the wire every VIF gets (a broadcast): a copy each. */
static void netif_receive_all(const uint8_t *data, unsigned int len)
{
    if ( net.vif_up )
        netif_deliver(data, len);
    for ( unsigned int i = 0; i < VIF_MAX; i++ )
        if ( vif_is_ring(i) )
            (void)vif_receive_copy(i, data, len, NULL, 0);
}

static void netif_receive(unsigned int pool, unsigned int len)
{
    const uint8_t *data;
    struct vfr_verdict v;

    if ( pool >= NIC_RX_DEPTH || len < NIC_FRAME_MIN || len > NIC_FRAME_MAX )
    {
        net.rx_bad++;                           /* the machine broke its promise */
        goto repost;
    }
    if ( fault_hit(&fault_net_rx) )
    {
        net.rx_lost++;
        goto repost;
    }
    net.rx_frames++;
    data = frame_map(net.pool[pool]);
    v = vfr_classify(PVX_VFR_RX, VFR_VIF_WIRE, data, len);
    if ( v.action == PVX_VFR_DELIVER && v.vif == VFR_VIF_ALL )
        netif_receive_all(data, len);
    else if ( v.action == PVX_VFR_DELIVER && net.vif_up && v.vif == net.vif )
        netif_deliver(data, len);
    frame_unmap((void *)data);
    /* A VIF with rings: the pool frame itself goes, one posted comes back. */
    if ( v.action == PVX_VFR_DELIVER && v.vif != VFR_VIF_ALL && vif_is_ring(v.vif) )
        (void)vif_receive(v.vif, &net.pool[pool], len);

 repost:
    if ( pool < NIC_RX_DEPTH )
        arch_nic_post_rx(net.pool[pool], pool);
}

void core_nic_interrupt(struct cpu_regs *regs)
{
    struct nic_event ev;
    unsigned int before = net.done_nr;

    if ( regs && current )
        vcpu_regs_enter(current, regs);
    while ( net.has_nic && arch_nic_poll(&ev) )
    {
        if ( ev.kind == NIC_EV_RX )
            netif_receive(ev.cookie, ev.len);
        else if ( ev.kind == NIC_EV_TX_DONE && ev.cookie < NIC_TX_DEPTH && net.tx[ev.cookie].busy )
        {
            if ( net.tx[ev.cookie].vif != VIF_NONE )
            {
                vif_tx_done(ev.cookie);
                continue;
            }
            net.tx[ev.cookie].busy = false;
            mm_put_ref(net.tx[ev.cookie].mfn);
            netif_complete(PVX_NET_EV_TX_DONE, net.tx[ev.cookie].id, 0);
        }
        else
            net.rx_bad++;
    }
    vif_tx_dispatch();                          /* slots may have come free */
    if ( net.done_nr != before )
        evtchn_send_global_virq(VIRQ_PVX_NET);
    if ( !regs )
        return;                                 /* idle: schedule() picks when we return */
    sched_after_entry();
    regs_copy(regs, vcpu_regs(current));
    regs_sanitize_eflags(regs);
}

int netif_tx_slot(void)
{
    for ( unsigned int i = 0; net.has_nic && i < NIC_TX_DEPTH; i++ )
        if ( !net.tx[i].busy )
            return (int)i;
    return -1;
}

void netif_tx_start(unsigned int slot, uint16_t vif, uint16_t id, const uint8_t *hdr,
                    unsigned int hlen, mfn_t mfn, unsigned int offset, unsigned int size)
{
    struct nic_seg seg[2];
    uint8_t *h;

    ASSERT(slot < NIC_TX_DEPTH && !net.tx[slot].busy && hlen <= VFR_HDR_MAX && hlen <= size);
    net.tx[slot] = (struct netif_tx_slot){ .busy = true, .vif = vif, .id = id, .mfn = mfn };
    h = frame_map(net.hdr_mfn);
    memcpy(h + slot * VFR_HDR_MAX, hdr, hlen);
    frame_unmap(h);
    /* The header the VFR judged, not the guest's (it may have changed it). */
    seg[0] = (struct nic_seg){ .mfn = net.hdr_mfn, .offset = (uint16_t)(slot * VFR_HDR_MAX),
                               .len = (uint16_t)hlen };
    seg[1] = (struct nic_seg){ .mfn = mfn, .offset = (uint16_t)(offset + hlen),
                               .len = (uint16_t)(size - hlen) };
    net.tx_frames++;
    arch_nic_transmit(seg, size > hlen ? 2 : 1, slot);
}

/* ------------------------------------------------------------------------
 * The interim hypercalls: the initial domain's, once it has set up its VIF.
 */

static long netif_setup(struct vcpu *v, uint32_t arg)
{
    struct physdev_pvx_net_setup s;
    int vif;

    if ( net.vif_up )
        return -EEXIST;
    if ( guest_probe(v, arg, sizeof(s), true) )
        return -EFAULT;
    vif = vfr_vif_create(v->domain->domain_id, net.mac);
    if ( vif < 0 )
        return vif;
    net.vif = (uint16_t)vif;
    net.vif_up = true;
    memset(&s, 0, sizeof(s));
    s.vif = (uint32_t)vif;
    memcpy(s.mac, net.mac, 6);
    copy_to_guest_probed(v, arg, &s, sizeof(s));
    return 0;
}

static long netif_tx(struct vcpu *v, uint32_t arg)
{
    struct physdev_pvx_net_tx t;
    uint8_t hdr[VFR_HDR_MAX];
    struct vfr_verdict verdict;
    unsigned int slot;
    const uint8_t *data;
    struct nic_seg seg;

    if ( copy_from_guest(v, &t, arg, sizeof(t)) )
        return -EFAULT;
    if ( guest_probe(v, arg, sizeof(t), true) )
        return -EFAULT;
    if ( t.len < PVX_NET_FRAME_MIN || t.len > PVX_NET_FRAME_MAX ||
         (uint32_t)t.offset + t.len > PAGE_SIZE )
        return -EINVAL;
    if ( netif_tx_slot() < 0 )
        return -EBUSY;
    slot = (unsigned int)netif_tx_slot();
    if ( fault_hit(&fault_net_tx) )
        return -EIO;                            /* lost before anything happened */
    if ( !mm_get_ref(v->domain, t.mfn) )
        return -EINVAL;                         /* not a frame of the caller's */

    data = frame_map(t.mfn);
    memcpy(hdr, data + t.offset, MIN((unsigned int)t.len, sizeof(hdr)));
    verdict = vfr_classify(PVX_VFR_TX, net.vif, hdr, MIN((unsigned int)t.len, sizeof(hdr)));
    if ( verdict.action == PVX_VFR_ACCEPT )
    {
        net.tx[slot].busy = true;
        net.tx[slot].vif = VIF_NONE;
        net.tx[slot].mfn = t.mfn;
        net.tx[slot].id = t.id;
        net.tx_frames++;
        t.status = PVX_NET_QUEUED;
        seg = (struct nic_seg){ .mfn = t.mfn, .offset = t.offset, .len = t.len };
        arch_nic_transmit(&seg, 1, slot);       /* the reference goes at TX_DONE */
    }
    else
    {
        /* Domain to domain: the only VIF today is the sender's own. */
        bool local = verdict.action == PVX_VFR_DELIVER && verdict.vif == net.vif;

        t.status = local && netif_deliver(data + t.offset, t.len) ? PVX_NET_DELIVERED
                                                                  : PVX_NET_DROPPED;
        mm_put_ref(t.mfn);
    }
    frame_unmap((void *)data);
    copy_to_guest_probed(v, arg, &t, sizeof(t));
    if ( t.status == PVX_NET_DELIVERED )
        evtchn_send_global_virq(VIRQ_PVX_NET);
    return 0;
}

static long netif_rx_post(struct vcpu *v, uint32_t arg)
{
    struct physdev_pvx_net_rx_post p;
    unsigned int slot;
    int rc;

    if ( copy_from_guest(v, &p, arg, sizeof(p)) )
        return -EFAULT;
    if ( net.rx_nr == NIC_RX_DEPTH )
        return -EBUSY;
    if ( !mm_get_ref(v->domain, p.mfn) )
        return -EINVAL;
    /* Writable type: it cannot become a page table while it waits. */
    rc = mm_get_type(v->domain, p.mfn, FRAME_WRITABLE, false);
    if ( rc )
    {
        mm_put_ref(p.mfn);
        return rc;
    }
    slot = (net.rx_head + net.rx_nr) % NIC_RX_DEPTH;
    net.rx[slot].mfn = p.mfn;
    net.rx[slot].id = p.id;
    net.rx_nr++;
    return 0;
}

static long netif_poll(struct vcpu *v, uint32_t arg)
{
    struct physdev_pvx_net_poll p;

    if ( guest_probe(v, arg, sizeof(p), true) )
        return -EFAULT;
    if ( net.done_nr == 0 )
        return -EAGAIN;
    p.kind = net.done[net.done_head].kind;
    p.id = net.done[net.done_head].id;
    p.len = net.done[net.done_head].len;
    net.done_head = (net.done_head + 1) % NETIF_DONE_SLOTS;
    net.done_nr--;
    copy_to_guest_probed(v, arg, &p, sizeof(p));
    return 0;
}

long netif_physdev_op(struct vcpu *v, uint32_t cmd, uint32_t arg)
{
    if ( !v->domain->is_privileged )
        return -EPERM;
    if ( !net.has_nic )
        return -ENODEV;
    if ( cmd == PHYSDEVOP_pvx_net_setup )
        return netif_setup(v, arg);
    if ( !net.vif_up )
        return -EINVAL;                         /* no VIF yet */
    switch ( cmd )
    {
    case PHYSDEVOP_pvx_net_tx:
        return netif_tx(v, arg);
    case PHYSDEVOP_pvx_net_rx_post:
        return netif_rx_post(v, arg);
    case PHYSDEVOP_pvx_net_poll:
        return netif_poll(v, arg);
    default:
        return -ENOSYS;
    }
}
