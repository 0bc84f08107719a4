/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nic.c - arch.h's network interface on x86 hardware: the NIC this machine
 * drives (e1000.c), or none.
 */
#include <pvx/arch.h>

bool arch_nic_mac(uint8_t mac[6])
{
    (void)mac;
    return false;                       /* no driver yet: the core calls nothing else */
}

void arch_nic_transmit(const struct nic_seg *seg, unsigned int nr, uint32_t cookie)
{
    (void)seg;
    (void)nr;
    (void)cookie;
}

void arch_nic_post_rx(mfn_t mfn, uint32_t cookie)
{
    (void)mfn;
    (void)cookie;
}

bool arch_nic_poll(struct nic_event *ev)
{
    (void)ev;
    return false;
}
