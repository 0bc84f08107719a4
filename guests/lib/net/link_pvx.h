/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * link_pvx.h - the network stack's link over pvx's interim NIC path (the
 * initial domain's only, until netfront).
 */
#ifndef GUEST_NET_LINK_PVX_H
#define GUEST_NET_LINK_PVX_H

#include "net/net.h"

struct link_pvx_stats {
    unsigned int tx, tx_done, tx_dropped, rx, bad_completions;
};
extern struct link_pvx_stats link_pvx_stats;

/* Set up the VIF, bind VIRQ_PVX_NET, post the receive pages: 0 or -errno. */
int link_pvx_init(struct net_link *l);
uint32_t link_pvx_port(void);

#endif /* GUEST_NET_LINK_PVX_H */
