/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netif.h - the NIC behind the arch interface, and the initial domain's
 * interim path to it through the VFR (io/netif.c; public/pvx.h).
 */
#ifndef PVX_NETIF_H
#define PVX_NETIF_H

#include <pvx/arch.h>
#include <pvx/types.h>

struct vcpu;

#define NETIF_DONE_SLOTS (NIC_TX_DEPTH + NIC_RX_DEPTH)

struct netif_done {
    uint32_t kind, id, len;             /* PVX_NET_EV_* */
};

/* At boot, after the frame allocator: the NIC's receive pool, if the
 * machine has a NIC. 0, or -ENOMEM (nothing kept: the machine runs as one
 * without a NIC). */
int netif_init(void);

/* PHYSDEVOP_pvx_net_*: the initial domain's alone (-EPERM), -ENODEV
 * without a NIC. */
long netif_physdev_op(struct vcpu *v, uint32_t cmd, uint32_t arg);

#endif /* PVX_NETIF_H */
