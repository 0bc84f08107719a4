/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * disk.c - physical disks on x86 (arch.h "Physical disks"): the drivers
 * found at boot. Today one: the master disk of the primary IDE channel by
 * bus-master DMA (ata.c, QEMU's pc). An AHCI controller (q35, most real
 * machines) has no driver yet: there the machine reports no disks.
 */
#include <lib/errno.h>
#include "x86.h"

static uint64_t ata_sectors;

void x86_disk_init(void)
{
    ata_sectors = x86_ata_probe();
}

unsigned int arch_disk_count(void)
{
    return ata_sectors ? 1 : 0;
}

uint64_t arch_disk_sectors(unsigned int disk)
{
    return disk == 0 ? ata_sectors : 0;
}

int arch_disk_start(unsigned int disk, const struct arch_disk_op *op)
{
    if ( disk != 0 || !ata_sectors )
        return -EIO;
    return x86_ata_start(op);
}

void arch_disk_cancel(unsigned int disk)
{
    if ( disk == 0 && ata_sectors )
        x86_ata_cancel();
}
