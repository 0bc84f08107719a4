/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netif.h - the NIC behind the arch interface (io/netif.c), the domains'
 * virtual network interfaces on I/O rings (io/vif.c; public/io/netif.h),
 * and the initial domain's older interim path (io/netif.c; public/pvx.h).
 * docs/network.md.
 */
#ifndef PVX_NETIF_H
#define PVX_NETIF_H

#include <pvx/arch.h>
#include <pvx/io.h>
#include <pvx/types.h>
#include <public/io/netif.h>
#include <public/pvx.h>

struct domain;
struct vcpu;
struct xen_domctl_pvx_vif;

#define NETIF_DONE_SLOTS (NIC_TX_DEPTH + NIC_RX_DEPTH)

struct netif_done {
    uint32_t kind, id, len;             /* PVX_NET_EV_* */
};

#define VIF_MAX             PVX_VFR_MAX_VIFS    /* indexed as the VFR's VIFs */
#define VIF_RX_POSTED       NETIF_RING_SIZE_PAGE
#define VIF_NONE            0xffffu     /* a NIC transmit slot's owner: the interim path */
#define VIF_GONE            0xfffeu     /* ... a VIF destroyed while it was on the wire */

/* A frame posted for receive: the hypervisor's until a packet fills it. */
struct vif_posted {
    uint16_t id;
    mfn_t mfn;
    uint32_t pfn;                       /* where the guest had it: the flip puts its packet there */
};

/* A VIF with rings (io/vif.c): vif[i] is the VFR's VIF i. */
struct vif {
    bool in_use;
    bool on_rr;                         /* on the round-robin list of rings with transmits */
    uint16_t domid, handle;
    uint16_t flags;                     /* PVX_VIF_F_COPY */
    struct io_ring tx, rx;
    uint16_t tx_inflight;               /* transmits on the wire: their frames held */
    uint16_t posted_head, posted_nr;
    struct vif_posted posted[VIF_RX_POSTED];
    uint64_t tx_packets, tx_bytes, rx_packets, rx_bytes, rx_no_frame, bad_requests;
};

/* A transmit the NIC has: the sender's frame held, its header copied. */
struct netif_tx_slot {
    bool busy;
    uint16_t vif;                       /* a VIF's, VIF_NONE (interim), VIF_GONE */
    uint32_t id;
    mfn_t mfn;
};

/* ------------------------------------------------------------------------
 * io/netif.c
 */

/* At boot, after the frame allocator: the NIC's receive pool, if the
 * machine has a NIC. 0, or -ENOMEM (nothing kept: the machine runs as one
 * without a NIC). */
int netif_init(void);

/* PHYSDEVOP_pvx_net_*: the initial domain's alone (-EPERM), -ENODEV
 * without a NIC. */
long netif_physdev_op(struct vcpu *v, uint32_t cmd, uint32_t arg);

/* A free NIC transmit slot, or -1 (all NIC_TX_DEPTH in flight; or no NIC). */
int netif_tx_slot(void);
/* Send size bytes: hlen header bytes from hdr (copied into the slot's
 * header buffer, the hypervisor's), then the rest from offset + hlen of
 * frame mfn, whose reference the slot holds until TX_DONE. */
void netif_tx_start(unsigned int slot, uint16_t vif, uint16_t id, const uint8_t *hdr,
                    unsigned int hlen, mfn_t mfn, unsigned int offset, unsigned int size);

/* ------------------------------------------------------------------------
 * io/vif.c
 */

/* A packet for VIF vi in the hypervisor's frame *frame (len bytes at offset
 * 0): flipped with a frame the domain posted (*frame becomes that one), or
 * copied (a copy-mode VIF). false when the VIF has no frame posted or is
 * not connected: dropped and counted. */
bool vif_receive(unsigned int vi, mfn_t *frame, unsigned int len);
/* The same from bytes that stay where they are (a broadcast, another VIF's
 * transmit): always copied; a is the first part, b the rest. */
bool vif_receive_copy(unsigned int vi, const uint8_t *a, unsigned int alen, const uint8_t *b,
                      unsigned int blen);
/* Is vi a VIF with rings? */
bool vif_is_ring(unsigned int vi);
/* The NIC sent transmit slot s of a VIF's: answer it, free the frame. */
void vif_tx_done(unsigned int s);
/* The round-robin: one transmit per VIF per turn while the NIC has room. */
void vif_tx_dispatch(void);
/* PHYSDEVOP_pvx_vif_info, _netif_*. */
long vif_physdev_op(struct vcpu *v, uint32_t cmd, uint32_t arg);
/* XEN_DOMCTL_pvx_vif_* for domain d. */
long vif_domctl(uint32_t cmd, struct domain *d, struct xen_domctl_pvx_vif *op);
/* The internal API under them, nothing changed on an error: vif_create
 * gives the VFR's VIF number or -errno, vif_destroy 0 or -ENOENT. */
int vif_create(struct domain *d, uint16_t handle, const uint8_t mac[6], uint32_t ipv4,
               uint16_t flags);
int vif_destroy(uint16_t domid, uint16_t handle);
/* A domain being destroyed: every VIF of its goes. */
void vif_domain_destroy(struct domain *d);

#endif /* PVX_NETIF_H */
