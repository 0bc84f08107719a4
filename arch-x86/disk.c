/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * disk.c - physical disks on x86 (arch.h "Physical disks"): what the drivers
 * found at boot, the first of
 *   ata.c    the master disk of the primary IDE channel, bus-master DMA
 *            (QEMU's pc: PIIX3): one disk;
 *   ahci.c   the SATA disks of an AHCI controller (QEMU's q35: ICH9): up to
 *            ARCH_DISK_MAX, numbered in port order.
 */
#include <lib/errno.h>
#include "x86.h"

enum { DISK_NONE, DISK_ATA, DISK_AHCI };

static unsigned int driver, nr_disks;
static uint64_t ata_sectors;
static unsigned int ahci_irq;

void x86_disk_init(void)
{
    if ( (ata_sectors = x86_ata_probe()) )
    {
        driver = DISK_ATA;
        nr_disks = 1;
    }
    else if ( (nr_disks = x86_ahci_probe(&ahci_irq)) )
        driver = DISK_AHCI;
}

bool x86_disk_irq(unsigned int vec, struct cpu_regs *regs)
{
    if ( driver == DISK_ATA && vec == VECTOR_ATA )
        x86_ata_irq(regs);
    else if ( driver == DISK_AHCI && vec == VECTOR_IRQ_BASE + ahci_irq )
        x86_ahci_irq(regs);
    else
        return false;                   /* not the disk's line: traps.c sends the EOI */
    return true;
}

unsigned int arch_disk_count(void)
{
    return nr_disks;
}

uint64_t arch_disk_sectors(unsigned int disk)
{
    if ( disk >= nr_disks )
        return 0;
    return driver == DISK_ATA ? ata_sectors : x86_ahci_sectors(disk);
}

int arch_disk_start(unsigned int disk, const struct arch_disk_op *op)
{
    if ( disk >= nr_disks )
        return -EIO;
    return driver == DISK_ATA ? x86_ata_start(op) : x86_ahci_start(disk, op);
}

void arch_disk_cancel(unsigned int disk)
{
    if ( disk >= nr_disks )
        return;
    if ( driver == DISK_ATA )
        x86_ata_cancel();
    else
        x86_ahci_cancel(disk);
}
