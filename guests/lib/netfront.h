/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netfront.h - a guest's side of a virtual network interface (VIF) with
 * rings (docs/network.md; public/io/netif.h), and a link for guests/lib/net
 * over it, so the same stack runs on a VIF as on the interim path.
 *
 * Transmit: a frame is copied into one of NETFRONT_TX pages of ours and
 * its request published; the page is busy until its response. Receive:
 * NETFRONT_RX pages are given to the hypervisor (unmapped first: a posted
 * frame must be nothing but ours); a response names the frame that now
 * holds the packet (the page flip), which goes into our p2m and is mapped
 * where the page was; the page is then posted again.
 *
 *   netfront_open(index)   the domain's index-th VIF: rings connected, pages
 *                          posted, the link (netfront.link) ready
 *   netfront_close()       disconnect (posted frames come back)
 */
#ifndef GUEST_NETFRONT_H
#define GUEST_NETFRONT_H

#include <stdbool.h>
#include <stdint.h>
#include <public/io/netif.h>
#include <public/pvx.h>
#include "net/net.h"

#define NETFRONT_TX     4
#define NETFRONT_RX     8
#define NETFRONT_TIMEOUT_NS 2000000000ull   /* a transmit page that never comes back */

struct netfront_stats {
    unsigned long tx, tx_dropped, tx_errors, rx, rx_errors, bad_rsps, notifies, flips;
};

struct netfront {
    struct net_link link;               /* first: the stack's handle is ours */
    uint16_t handle;
    bool kick_owed;                     /* the last notify failed: the next one is owed */
    uint32_t ipv4;                      /* the toolstack's address for it (0: none) */
    bool up;
    struct netif_tx_front_ring tx;
    struct netif_rx_front_ring rx;
    bool tx_busy[NETFRONT_TX];
    bool rx_posted[NETFRONT_RX];
    int16_t tx_status[NETFRONT_TX];     /* the last response's */
    struct { uint16_t id, len; } arrived[NETFRONT_RX];
    unsigned int nr_arrived;
    struct netfront_stats st;
};

extern struct netfront netfront;
/* Receive pages are not posted while set: packets find no frame. */
extern bool netfront_rx_hold;

long netfront_open(unsigned int index);
long netfront_close(void);
/* Post every receive page not posted (after netfront_open: all are). */
long netfront_post_rx(void);
/* Publish and notify the hypervisor if it asked (req_event). */
long netfront_kick(void);
/* Take the responses waiting: transmit pages freed, packets queued. */
void netfront_reap(void);
/* Send a frame without waiting for its response; its page id or -EBUSY. */
long netfront_send_nowait(const void *frame, unsigned int len);
long netfront_physdev(unsigned int cmd, struct physdev_pvx_netif *op);
extern evtchn_port_t netfront_port;

#endif /* GUEST_NETFRONT_H */
