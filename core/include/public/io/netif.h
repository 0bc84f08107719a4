/* SPDX-License-Identifier: MIT */
/*
 * public/io/netif.h - a virtual network interface's two rings (the Xen
 * paper's §3.3.5): pvx's own layout, in the shape of Xen's netif protocol.
 *
 * A VIF has a transmit ring and a receive ring, each one frame of the
 * guest's (io/ring.h), attached with PHYSDEVOP_pvx_netif_connect
 * (public/pvx.h). The backend is the hypervisor; frames are named by their
 * machine frame numbers (`gref`), as blkif's segments are: there are no
 * grants between a guest and the hypervisor.
 *
 * Transmit: a request names size bytes at offset of one frame of the
 * guest's (14..1514 bytes, inside the frame). The hypervisor copies the
 * first NETIF_TX_HDR_COPY bytes (the headers), classifies them, and sends
 * the rest straight from the frame: the frame is held until the packet has
 * left, then the response (same id) says OKAY, or DROPPED when the VFR
 * refused it, or ERROR for a bad request.
 *
 * Receive (page flip): a request gives the hypervisor one frame of the
 * guest's, unmapped and untyped (nothing but the guest's own allocation
 * references it), to receive into. From then on the frame is the
 * hypervisor's. A packet for the VIF arrives in a frame of the hypervisor's
 * and the two are exchanged: the response's gref is the frame that now
 * holds the packet (at offset, status bytes long), owned by the guest and
 * entered in the machine-to-phys table at the pseudo-physical frame the
 * posted one had; the guest puts it into its p2m and maps it there. A
 * posted frame that is mapped, pinned, typed or not the guest's own is
 * answered at once with NETIF_RSP_ERROR and stays the guest's.
 */
#ifndef PVX_PUBLIC_IO_NETIF_H
#define PVX_PUBLIC_IO_NETIF_H

#include "ring.h"
#include "../xen.h"

#define NETIF_FRAME_MIN         14      /* an Ethernet header */
#define NETIF_FRAME_MAX         1514    /* header + 1500, no FCS */
#define NETIF_TX_HDR_COPY       128     /* header bytes copied and classified */

#define NETIF_RSP_DROPPED       -2      /* the VFR dropped it (transmit) */
#define NETIF_RSP_ERROR         -1      /* a bad request: nothing was done */
#define NETIF_RSP_OKAY           0

struct netif_tx_request {
    uint32_t gref;              /* the frame's machine frame number */
    uint16_t offset;            /* of the packet in the frame */
    uint16_t flags;             /* 0 (none defined) */
    uint16_t id;                /* echoed in the response */
    uint16_t size;              /* bytes of the packet */
};
_Static_assert(sizeof(struct netif_tx_request) == 12, "netif_tx_request size");
_Static_assert(offsetof(struct netif_tx_request, id) == 8, "netif_tx_request.id");

struct netif_tx_response {
    uint16_t id;
    int16_t  status;            /* NETIF_RSP_* */
};
_Static_assert(sizeof(struct netif_tx_response) == 4, "netif_tx_response size");

struct netif_rx_request {
    uint16_t id;                /* echoed in the response */
    uint16_t pad;
    uint32_t gref;              /* the machine frame given to receive into */
};
_Static_assert(sizeof(struct netif_rx_request) == 8, "netif_rx_request size");

struct netif_rx_response {
    uint16_t id;
    uint16_t offset;            /* of the packet in the frame */
    uint16_t flags;             /* 0 */
    int16_t  status;            /* > 0: bytes received; else NETIF_RSP_ERROR */
    uint32_t gref;              /* the frame now at the posted one's pfn (ERROR: the posted one) */
};
_Static_assert(sizeof(struct netif_rx_response) == 12, "netif_rx_response size");
_Static_assert(offsetof(struct netif_rx_response, gref) == 8, "netif_rx_response.gref");

DEFINE_RING_TYPES(netif_tx, struct netif_tx_request, struct netif_tx_response);
DEFINE_RING_TYPES(netif_rx, struct netif_rx_request, struct netif_rx_response);

/* One page holds 256 slots of either: (4096 - 64) / 12 rounded down to a power of two. */
#define NETIF_RING_SIZE_PAGE    256

#endif /* PVX_PUBLIC_IO_NETIF_H */
