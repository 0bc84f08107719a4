/* SPDX-License-Identifier: MIT */
/*
 * public/pvx.h - pvx's own extensions of the Xen ABI, in numbering ranges Xen
 * does not use (documented in docs/abi.md):
 *
 *   vcpu_op    0x7000-0x70ff   the virtual-time alarm
 *   domctl     0x7000-0x700f   scheduler parameters, accounting, building (domctl.h)
 *   domctl     0x7010-0x701f   virtual block devices and physical disks (domctl.h)
 *   domctl     0x7020-0x702f   the virtual firewall-router (domctl.h)
 *   physdev_op 0x7000-0x700f   a guest's virtual block devices and their rings
 *   physdev_op 0x7010-0x701f   the initial domain's interim NIC path
 *   physdev_op 0x7020-0x702f   a guest's virtual network interfaces and their rings
 *   VIRQ 15                    responses on a block ring
 *   VIRQ 22                    responses on a VIF's rings
 *   VIRQ 23                    the interim NIC path's completions
 */
#ifndef PVX_PUBLIC_PVX_H
#define PVX_PUBLIC_PVX_H

#include "xen.h"

/*
 * VCPUOP_pvx_set_vtimer: raise VIRQ_TIMER when the domain has *run* for
 * vtime_ns in total (its virtual time: time it held the CPU, see
 * VCPUOP_get_runstate_info's time[RUNSTATE_running]). A time already reached
 * fires at once. VCPUOP_pvx_stop_vtimer cancels it.
 */
#define VCPUOP_pvx_set_vtimer       0x7000
#define VCPUOP_pvx_stop_vtimer      0x7001
struct vcpu_pvx_set_vtimer {
    xen_uint64_t vtime_ns;
};
_Static_assert(sizeof(struct vcpu_pvx_set_vtimer) == 8, "vcpu_pvx_set_vtimer size");

/* domctl's own sub-ops (XEN_DOMCTL_pvx_*, 0x7000-0x70ff) are in domctl.h. */
#include "domctl.h"

/*
 * physdev_op: a guest's own virtual block devices (docs/io.md). The ring is
 * one frame of the guest's (its machine frame number), an io/blkif.h ring
 * the guest initialised; it holds a writable type while attached, so it
 * cannot become a page table. Responses are notified on VIRQ_PVX_BLKIF (one
 * for all the domain's rings) when rsp_event says so; new requests are
 * taken when the guest notifies - which req_event says it must - or when
 * the hypervisor comes back to the ring for its next batch.
 *   vbd_info       the caller's index-th VBD: vdev, mode, sectors (-ENOENT
 *                  past the last)
 *   blkif_connect  attach the ring in frame ring_mfn to VBD vdev (-ENOENT:
 *                  no such VBD; -EEXIST: one is attached; -EINVAL: not a
 *                  frame of the caller's it may write)
 *   blkif_notify   take the new requests of vdev's ring now (-EINVAL if its
 *                  indices are insane: nothing is taken; -ENOTCONN: no ring)
 *   blkif_disconnect  detach it (-EBUSY while requests are in flight)
 */
#define PHYSDEVOP_pvx_vbd_info          0x7000
#define PHYSDEVOP_pvx_blkif_connect     0x7001
#define PHYSDEVOP_pvx_blkif_notify      0x7002
#define PHYSDEVOP_pvx_blkif_disconnect  0x7003

struct physdev_pvx_blkif {
    uint16_t     vdev;                  /* IN (vbd_info: OUT) */
    uint16_t     mode;                  /* vbd_info: OUT, PVX_VBD_MODE_* */
    uint32_t     index;                 /* vbd_info: IN */
    uint32_t     ring_mfn;              /* connect: IN */
    uint32_t     pad;
    xen_uint64_t sectors;               /* vbd_info: OUT */
};
_Static_assert(sizeof(struct physdev_pvx_blkif) == 24, "physdev_pvx_blkif size");
_Static_assert(offsetof(struct physdev_pvx_blkif, sectors) == 16, "physdev_pvx_blkif.sectors");

/* Bound with EVTCHNOP_bind_virq on vCPU 0: a domain's VIRQ. */
#define VIRQ_PVX_BLKIF  15

/*
 * The initial domain's interim path to the NIC (physdev_op 0x7010-), until
 * the VIFs' rings replace it: one VIF for the initial domain, its frames
 * sent and received one at a time through the VFR. Completions (a transmit
 * left, a frame arrived) wait in the hypervisor; VIRQ_PVX_NET (a global
 * VIRQ, the initial domain's) says that some wait, PHYSDEVOP_pvx_net_poll
 * takes them one at a time. Frames are machine frames of the caller's own.
 */
#define PHYSDEVOP_pvx_net_setup     0x7010  /* create the VIF; OUT: vif, mac */
#define PHYSDEVOP_pvx_net_tx        0x7011  /* send bytes of one frame */
#define PHYSDEVOP_pvx_net_rx_post   0x7012  /* a frame to receive into */
#define PHYSDEVOP_pvx_net_poll      0x7013  /* the oldest completion, or -EAGAIN */
#define VIRQ_PVX_NET                23      /* VIRQ_ARCH_7 */

#define PVX_NET_FRAME_MIN           14
#define PVX_NET_FRAME_MAX           1514
#define PVX_NET_QUEUED              0       /* tx status: on its way to the wire */
#define PVX_NET_DELIVERED           1       /* tx status: copied to a local VIF */
#define PVX_NET_DROPPED             2       /* tx status: the VFR dropped it */

struct physdev_pvx_net_setup {
    uint32_t vif;                       /* OUT */
    uint8_t  mac[6];                    /* OUT: the NIC's, the VIF's */
    uint16_t pad;
};
_Static_assert(sizeof(struct physdev_pvx_net_setup) == 12, "physdev_pvx_net_setup size");

struct physdev_pvx_net_tx {
    uint32_t mfn;                       /* a frame of the caller's */
    uint16_t offset, len;               /* offset + len <= 4096, len 14..1514 */
    uint32_t id;                        /* comes back in the completion */
    uint32_t status;                    /* OUT: PVX_NET_QUEUED (frame held until its
                                         * completion), _DELIVERED or _DROPPED (done) */
};
_Static_assert(sizeof(struct physdev_pvx_net_tx) == 16, "physdev_pvx_net_tx size");

struct physdev_pvx_net_rx_post {
    uint32_t mfn;                       /* a writable frame of the caller's: held,
                                         * and no page table, until its completion */
    uint32_t id;
};
_Static_assert(sizeof(struct physdev_pvx_net_rx_post) == 8, "physdev_pvx_net_rx_post size");

#define PVX_NET_EV_TX_DONE          1
#define PVX_NET_EV_RX               2
struct physdev_pvx_net_poll {
    uint32_t kind;                      /* OUT: PVX_NET_EV_* */
    uint32_t id;                        /* OUT: the transmit's or the posted frame's */
    uint32_t len;                       /* OUT: EV_RX: bytes at offset 0 */
};
_Static_assert(sizeof(struct physdev_pvx_net_poll) == 12, "physdev_pvx_net_poll size");

/*
 * physdev_op: a guest's own virtual network interfaces (VIFs, docs/network.md),
 * which the initial domain made for it (XEN_DOMCTL_pvx_vif_create). Each has
 * a transmit and a receive ring (io/netif.h), frames of the guest's that it
 * initialised; they hold a writable type while attached. Responses on any of
 * the domain's rings are notified on VIRQ_PVX_NETIF (a domain VIRQ) when
 * rsp_event says so; new requests are taken when the guest notifies.
 *   vif_info         the caller's index-th VIF: handle, mac, the IPv4 address
 *                    the VFR knows for it (0: none) (-ENOENT past the last)
 *   netif_connect    attach rings tx_ring_mfn and rx_ring_mfn to VIF handle
 *                    (-ENOENT: no such VIF; -EEXIST: attached; -EINVAL: a
 *                    frame the caller may not write, or the same one twice)
 *   netif_notify     take the new requests of both rings now (-EINVAL:
 *                    insane indices, nothing taken; -ENOTCONN: no rings)
 *   netif_disconnect detach them: posted receive frames come back unanswered
 *                    (-EBUSY while a transmit is in flight; -ENOTCONN)
 */
#define PHYSDEVOP_pvx_vif_info          0x7020
#define PHYSDEVOP_pvx_netif_connect     0x7021
#define PHYSDEVOP_pvx_netif_notify      0x7022
#define PHYSDEVOP_pvx_netif_disconnect  0x7023

struct physdev_pvx_netif {
    uint32_t index;                     /* vif_info: IN */
    uint16_t handle;                    /* IN (vif_info: OUT) */
    uint8_t  mac[6];                    /* vif_info: OUT */
    uint32_t tx_ring_mfn;               /* connect: IN */
    uint32_t rx_ring_mfn;               /* connect: IN */
    uint32_t ipv4;                      /* vif_info: OUT, host order */
};
_Static_assert(sizeof(struct physdev_pvx_netif) == 24, "physdev_pvx_netif size");
_Static_assert(offsetof(struct physdev_pvx_netif, tx_ring_mfn) == 12, "physdev_pvx_netif.tx_ring_mfn");

#define VIRQ_PVX_NETIF  22              /* VIRQ_ARCH_6 */

#endif /* PVX_PUBLIC_PVX_H */
