/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * disk.c - physical disks on x86 (arch.h "Physical disks").
 *
 * No disk driver yet: the machine reports no disks, so the core's I/O layer
 * has nothing to serve and every VBD option is refused at boot ("not a VBD
 * of the machine's disks"). The ATA bus-master (QEMU pc) and AHCI (q35)
 * drivers are issue 14's open part (docs/io.md).
 */
#include <pvx/arch.h>
#include <lib/errno.h>
#include "x86.h"

unsigned int arch_disk_count(void)
{
    return 0;
}

uint64_t arch_disk_sectors(unsigned int disk)
{
    (void)disk;
    return 0;
}

/* The core starts nothing on a disk it was not given. */
int arch_disk_start(unsigned int disk, const struct arch_disk_op *op)
{
    (void)disk;
    (void)op;
    return -EIO;
}

void arch_disk_cancel(unsigned int disk)
{
    (void)disk;
}
