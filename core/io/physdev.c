/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * io/physdev.c - physdev_op: what a PV guest may say about physical devices.
 * The virtual I/O privilege level (PHYSDEVOP_set_iopl) that the emulation of
 * in/out honours (cpu/emulate.c), and pvx's range: a guest's virtual block
 * devices (0x7000-, io/blkif.c) and the initial domain's interim path to
 * the NIC (0x7010-, io/netif.c).
 */
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/io.h>
#include <pvx/netif.h>
#include <pvx/traps.h>
#include <public/physdev.h>
#include <public/pvx.h>

long do_physdev_op(struct vcpu *v, uint32_t cmd, uint32_t arg, uint32_t a3 __unused,
                   uint32_t a4 __unused, uint32_t a5 __unused)
{
    switch ( cmd )
    {
    case PHYSDEVOP_set_iopl:
    {
        struct physdev_set_iopl s;

        if ( copy_from_guest(v, &s, arg, sizeof(s)) )
            return -EFAULT;
        if ( s.iopl > 3 )
            return -EINVAL;
        v->cpu.iopl = s.iopl;
        return 0;
    }
    case PHYSDEVOP_pvx_vbd_info:
    case PHYSDEVOP_pvx_blkif_connect:
    case PHYSDEVOP_pvx_blkif_notify:
    case PHYSDEVOP_pvx_blkif_disconnect:
        return blkif_physdev_op(v, cmd, arg);
    case PHYSDEVOP_pvx_net_setup:
    case PHYSDEVOP_pvx_net_tx:
    case PHYSDEVOP_pvx_net_rx_post:
    case PHYSDEVOP_pvx_net_poll:
        return netif_physdev_op(v, cmd, arg);
    case PHYSDEVOP_pvx_vif_info:
    case PHYSDEVOP_pvx_netif_connect:
    case PHYSDEVOP_pvx_netif_notify:
    case PHYSDEVOP_pvx_netif_disconnect:
        return vif_physdev_op(v, cmd, arg);
    default:
        return -ENOSYS;
    }
}
