/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * disk.c - physical disks on x86 (arch.h "Physical disks"): the one disk the
 * drivers found at boot, the first of
 *   ata.c    the master disk of the primary IDE channel, bus-master DMA
 *            (QEMU's pc: PIIX3);
 *   ahci.c   the first SATA disk of an AHCI controller (QEMU's q35: ICH9).
 */
#include <lib/errno.h>
#include "x86.h"

enum { DISK_NONE, DISK_ATA, DISK_AHCI };

static unsigned int driver;
static uint64_t sectors;
static unsigned int ahci_irq;

void x86_disk_init(void)
{
    if ( (sectors = x86_ata_probe()) )
        driver = DISK_ATA;
    else if ( (sectors = x86_ahci_probe(&ahci_irq)) )
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
    return driver != DISK_NONE ? 1 : 0;
}

uint64_t arch_disk_sectors(unsigned int disk)
{
    return disk == 0 ? sectors : 0;
}

int arch_disk_start(unsigned int disk, const struct arch_disk_op *op)
{
    if ( disk != 0 )
        return -EIO;
    switch ( driver )
    {
    case DISK_ATA:
        return x86_ata_start(op);
    case DISK_AHCI:
        return x86_ahci_start(op);
    default:
        return -EIO;
    }
}

void arch_disk_cancel(unsigned int disk)
{
    if ( disk != 0 )
        return;
    if ( driver == DISK_ATA )
        x86_ata_cancel();
    else if ( driver == DISK_AHCI )
        x86_ahci_cancel();
}
