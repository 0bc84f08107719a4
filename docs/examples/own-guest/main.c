/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A PV guest built outside the pvx tree (docs/guests.md): it asks the
 * hypervisor its version and the arguments it was given, and passes.
 */
#include <guest.h>

const char test_title[] = "own-guest: a PV guest built outside the pvx tree";

void test_main(void)
{
    long v = HYPERVISOR_xen_version(XENVER_version, NULL);

    printk("hypervisor interface %ld.%ld, my arguments: '%s'\n", v >> 16, v & 0xffff,
           (const char *)start_info->cmd_line);
    if ( v != 0x40011 )
        return test_fail("xen_version returned %#lx\n", v);
    test_pass();
}
