/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fault: touches an address it never mapped, with no trap table registered.
 * The hypervisor cannot bounce the #PF anywhere, so the domain must die alone
 * with a "(pvx) domain 0 crashed: #PF ..." line; as the initial domain, its
 * death ends the machine with exit status 1 on both machines.
 */
#include "guest.h"

const char test_title[] = "fault: an unhandled page fault kills the domain";

void test_main(void)
{
    volatile uint32_t *unmapped = (volatile uint32_t *)0x40000000;

    printk("Writing to an unmapped address with no handler registered\n");
    *unmapped = 0x5a5a5a5a;
    /* Reaching this line means the fault was lost. */
    test_fail("the write to an unmapped address did not fault\n");
}
