/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ata.c - the primary channel's master disk of a PCI IDE controller in
 * compatibility mode (QEMU's pc: PIIX3), by bus-master DMA (the SFF-8038i
 * interface) with LBA48 commands and IRQ 14.
 *
 * One operation at a time (arch.h): a PRD table names the operation's
 * segments - machine addresses, each inside one frame, so never across a
 * 64 KiB boundary - the command goes to the drive, the bus-master engine
 * starts, and the drive's interrupt says it is done. Then the engine stops,
 * the statuses are read (which clears the interrupt) and the core hears
 * about it. Nothing is copied: the controller reads and writes the guest's
 * frames itself.
 */
#include <lib/errno.h>
#include "x86.h"

#define ATA_DATA        0x1f0
#define ATA_ERROR       0x1f1
#define ATA_COUNT       0x1f2
#define ATA_LBA0        0x1f3
#define ATA_LBA1        0x1f4
#define ATA_LBA2        0x1f5
#define ATA_DEVICE      0x1f6
#define ATA_STATUS      0x1f7           /* read: status (clears INTRQ); write: command */
#define ATA_CONTROL     0x3f6           /* write: nIEN, SRST; read: alternate status */

#define ATA_ST_ERR      0x01
#define ATA_ST_DRQ      0x08
#define ATA_ST_DF       0x20
#define ATA_ST_BSY      0x80

#define ATA_CMD_READ_DMA_EXT    0x25
#define ATA_CMD_WRITE_DMA_EXT   0x35
#define ATA_CMD_FLUSH_EXT       0xea
#define ATA_CMD_IDENTIFY        0xec

/* Bus-master registers (from BAR4). */
#define BM_COMMAND      0
#define BM_STATUS       2
#define BM_PRD          4
#define BM_CMD_START    0x01
#define BM_CMD_TO_MEM   0x08            /* the engine writes memory: a read from the disk */
#define BM_ST_ERR       0x02
#define BM_ST_IRQ       0x04

struct prd {
    uint32_t addr;
    uint16_t len;                       /* 0 means 64 KiB */
    uint16_t flags;                     /* bit 15: the last */
};
_Static_assert(sizeof(struct prd) == 8, "prd size");

/* Dword aligned and not across 64 KiB: 16 entries in one aligned 128 bytes. */
static struct prd prd_table[ARCH_DISK_MAX_SEGS] __attribute__((aligned(128)));
static uint16_t bm_base;
static bool busy;
static uint16_t identify[256];

static bool ata_wait_not_busy(void)
{
    for ( unsigned int i = 0; i < 1000000; i++ )
        if ( !(inb(ATA_CONTROL) & ATA_ST_BSY) )
            return true;
    return false;
}

uint64_t x86_ata_probe(void)
{
    unsigned int dev, fn;
    uint32_t cls, bar4;
    uint64_t sectors;
    uint8_t st;

    if ( !x86_pci_find(0x01, 0x01, &dev, &fn) )
        return 0;
    cls = x86_pci_read(dev, fn, 0x08);
    if ( (cls >> 8) & 0x01 )
        return 0;                       /* primary channel in native mode: not this driver */
    bar4 = x86_pci_read(dev, fn, 0x20);
    if ( !(bar4 & 1) )
        return 0;                       /* no bus-master I/O space */
    bm_base = (uint16_t)(bar4 & 0xfffc);
    /* I/O space and bus mastering on. */
    x86_pci_write(dev, fn, 0x04, x86_pci_read(dev, fn, 0x04) | 0x05);

    outb(ATA_CONTROL, 0x02);            /* nIEN while we probe */
    outb(ATA_DEVICE, 0xa0);             /* the master */
    st = inb(ATA_STATUS);
    if ( st == 0xff || st == 0x00 )
        return 0;                       /* nobody there */
    if ( !ata_wait_not_busy() )
        return 0;
    outb(ATA_COUNT, 0);
    outb(ATA_LBA0, 0);
    outb(ATA_LBA1, 0);
    outb(ATA_LBA2, 0);
    outb(ATA_STATUS, ATA_CMD_IDENTIFY);
    st = inb(ATA_STATUS);
    if ( st == 0 || inb(ATA_LBA1) || inb(ATA_LBA2) )
        return 0;                       /* no ATA disk (an ATAPI drive says so in LBA1/2) */
    for ( unsigned int i = 0; i < 1000000 && !((st = inb(ATA_STATUS)) & (ATA_ST_DRQ | ATA_ST_ERR));
          i++ )
        ;
    if ( !(st & ATA_ST_DRQ) )
        return 0;
    for ( unsigned int i = 0; i < 256; i++ )
        identify[i] = inw(ATA_DATA);
    if ( !(identify[83] & (1u << 10)) )
        return 0;                       /* no LBA48: not supported here */
    sectors = (uint64_t)identify[100] | (uint64_t)identify[101] << 16 |
              (uint64_t)identify[102] << 32 | (uint64_t)identify[103] << 48;
    outb(bm_base + BM_COMMAND, 0);
    outb(bm_base + BM_STATUS, BM_ST_ERR | BM_ST_IRQ);   /* write 1 to clear */
    outb(ATA_CONTROL, 0x00);            /* interrupts on */
    x86_pic_unmask(IRQ_ATA_PRIMARY);
    return sectors;
}

int x86_ata_start(const struct arch_disk_op *op)
{
    uint32_t count = 0;
    uint8_t cmd;

    if ( busy || !ata_wait_not_busy() )
        return -EIO;
    outb(ATA_DEVICE, 0x40);             /* LBA, the master */
    if ( op->cmd == ARCH_DISK_FLUSH )
    {
        busy = true;
        outb(ATA_STATUS, ATA_CMD_FLUSH_EXT);
        return 0;
    }
    for ( unsigned int i = 0; i < op->nr_segs; i++ )
    {
        prd_table[i].addr = (uint32_t)op->seg[i].addr;
        prd_table[i].len = (uint16_t)op->seg[i].len;     /* at most 4096 */
        prd_table[i].flags = i + 1 == op->nr_segs ? 0x8000 : 0;
        count += op->seg[i].len / ARCH_DISK_SECTOR;
    }
    outb(bm_base + BM_COMMAND, 0);
    outl(bm_base + BM_PRD, __pa(prd_table));
    outb(bm_base + BM_STATUS, BM_ST_ERR | BM_ST_IRQ);
    /* LBA48: the high bytes first, then the low ones, into the same registers. */
    outb(ATA_COUNT, (uint8_t)(count >> 8));
    outb(ATA_LBA0, (uint8_t)(op->sector >> 24));
    outb(ATA_LBA1, (uint8_t)(op->sector >> 32));
    outb(ATA_LBA2, (uint8_t)(op->sector >> 40));
    outb(ATA_COUNT, (uint8_t)count);
    outb(ATA_LBA0, (uint8_t)op->sector);
    outb(ATA_LBA1, (uint8_t)(op->sector >> 8));
    outb(ATA_LBA2, (uint8_t)(op->sector >> 16));
    cmd = op->cmd == ARCH_DISK_READ ? ATA_CMD_READ_DMA_EXT : ATA_CMD_WRITE_DMA_EXT;
    busy = true;
    outb(ATA_STATUS, cmd);
    outb(bm_base + BM_COMMAND, BM_CMD_START | (op->cmd == ARCH_DISK_READ ? BM_CMD_TO_MEM : 0));
    return 0;
}

void x86_ata_cancel(void)
{
    if ( !busy )
        return;
    busy = false;
    outb(bm_base + BM_COMMAND, 0);      /* the engine stops touching memory */
    outb(ATA_CONTROL, 0x06);            /* SRST: the drive drops the command */
    for ( unsigned int i = 0; i < 1000; i++ )
        (void)inb(ATA_CONTROL);
    outb(ATA_CONTROL, 0x00);
    (void)ata_wait_not_busy();
    (void)inb(ATA_STATUS);
    outb(bm_base + BM_STATUS, BM_ST_ERR | BM_ST_IRQ);
}

/* IRQ 14. regs is a ring-0 frame when we were idle: the core then gets NULL. */
void x86_ata_irq(struct cpu_regs *regs)
{
    uint8_t bm = inb(bm_base + BM_STATUS), st;

    outb(bm_base + BM_COMMAND, 0);
    st = inb(ATA_STATUS);               /* clears the drive's INTRQ */
    outb(bm_base + BM_STATUS, BM_ST_ERR | BM_ST_IRQ);
    x86_pic_eoi(IRQ_ATA_PRIMARY);
    if ( !busy )
        return;                         /* after a cancel, or not ours */
    busy = false;
    x86_wake_events++;
    core_disk_interrupt((regs->cs & 3) ? regs : NULL, 0,
                        (st & (ATA_ST_ERR | ATA_ST_DF)) || (bm & BM_ST_ERR) ? -EIO : 0);
}
