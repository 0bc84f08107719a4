/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nic.c - arch.h's network interface on x86 hardware: the NIC this machine
 * has a driver for (e1000.c, probed at boot), or none. Its interrupt comes
 * through traps.c (x86_irq) to core_nic_interrupt.
 */
#include "x86.h"

bool arch_nic_mac(uint8_t mac[6])
{
    return e1000_mac(mac);
}

void arch_nic_transmit(const struct nic_seg *seg, unsigned int nr, uint32_t cookie)
{
    e1000_transmit(seg, nr, cookie);
}

void arch_nic_post_rx(mfn_t mfn, uint32_t cookie)
{
    e1000_post_rx(mfn, cookie);
}

bool arch_nic_poll(struct nic_event *ev)
{
    return e1000_poll(ev);
}
