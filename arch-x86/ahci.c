/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ahci.c - the SATA disks of an AHCI controller (QEMU's q35: ICH9; most real
 * machines), up to ARCH_DISK_MAX ports in port order, each with one command
 * slot, by DMA and the controller's PCI interrupt through the PIC.
 *
 * The controller's registers (ABAR, BAR5) are memory: they get a 2 MiB
 * uncached mapping of their own in L2 slot 437 of the hypervisor's area
 * (x86.h), made before any guest's L2 copies the slots. Each disk's command
 * list, received-FIS area and command table are the image's own (physical =
 * __pa). A command: a register FIS (READ/WRITE DMA EXT, FLUSH CACHE EXT) and
 * a PRD entry per segment - the guests' frames, zero-copy - in slot 0; PxCI
 * bit 0 starts it, the port's interrupt (a device-to-host register FIS, or a
 * task-file error) ends it. The ports work side by side; one interrupt may
 * end commands on several.
 */
#include <lib/errno.h>
#include "x86.h"

#define AHCI_SLOT_VA        L2_SLOT_VIRT(AHCI_L2_SLOT)

#define HBA_CAP     0x00
#define HBA_GHC     0x04
#define HBA_IS      0x08
#define HBA_PI      0x0c
#define GHC_AE      0x80000000u
#define GHC_IE      0x00000002u

#define PX_CLB      0x00
#define PX_CLBU     0x04
#define PX_FB       0x08
#define PX_FBU      0x0c
#define PX_IS       0x10
#define PX_IE       0x14
#define PX_CMD      0x18
#define PX_TFD      0x20
#define PX_SIG      0x24
#define PX_SSTS     0x28
#define PX_SERR     0x30
#define PX_CI       0x38
#define PXCMD_ST    0x0001u
#define PXCMD_FRE   0x0010u
#define PXCMD_FR    0x4000u
#define PXCMD_CR    0x8000u
#define PXIS_DHRS   0x00000001u
#define PXIS_TFES   0x40000000u
#define SIG_ATA     0x00000101u

#define ATA_CMD_READ_DMA_EXT    0x25
#define ATA_CMD_WRITE_DMA_EXT   0x35
#define ATA_CMD_FLUSH_EXT       0xea
#define ATA_CMD_IDENTIFY        0xec

struct ahci_cmd_header {
    uint32_t flags;                     /* CFL (dwords) 0-4, W 6, PRDTL 16-31 */
    uint32_t prdbc;
    uint32_t ctba, ctbau;
    uint32_t rsvd[4];
};
_Static_assert(sizeof(struct ahci_cmd_header) == 32, "ahci_cmd_header size");

struct ahci_prd {
    uint32_t dba, dbau, rsvd;
    uint32_t dbc;                       /* bytes - 1; bit 31: interrupt */
};
_Static_assert(sizeof(struct ahci_prd) == 16, "ahci_prd size");

struct ahci_cmd_table {
    uint8_t cfis[64];
    uint8_t acmd[16];
    uint8_t rsvd[48];
    struct ahci_prd prd[ARCH_DISK_MAX_SEGS];
};
_Static_assert(sizeof(struct ahci_cmd_table) == 128 + 16 * ARCH_DISK_MAX_SEGS, "table size");

/* One disk: its port's areas (the command list 1 KiB aligned first). */
struct ahci_disk {
    struct ahci_cmd_header cmd_list[32];
    uint8_t rx_fis[256];
    struct ahci_cmd_table table;
    unsigned int port;
    bool busy;
    uint64_t sectors;
} __attribute__((aligned(1024)));

static struct ahci_disk disks[ARCH_DISK_MAX];
static unsigned int nr_disks;
static uint16_t identify[256] __attribute__((aligned(4)));
static volatile uint8_t *abar;
static unsigned int irq;

_Static_assert(offsetof(struct ahci_disk, rx_fis) % 256 == 0 &&
               offsetof(struct ahci_disk, table) % 128 == 0 && sizeof(struct ahci_disk) % 1024 == 0,
               "every disk's areas aligned as AHCI wants");

static uint32_t hba_read(unsigned int off)
{
    return *(volatile uint32_t *)(abar + off);
}

static void hba_write(unsigned int off, uint32_t v)
{
    *(volatile uint32_t *)(abar + off) = v;
}

static uint32_t px_read(const struct ahci_disk *d, unsigned int off)
{
    return hba_read(0x100 + d->port * 0x80 + off);
}

static void px_write(const struct ahci_disk *d, unsigned int off, uint32_t v)
{
    hba_write(0x100 + d->port * 0x80 + off, v);
}

static bool px_wait_clear(const struct ahci_disk *d, unsigned int off, uint32_t bits)
{
    for ( unsigned int i = 0; i < 1000000; i++ )
        if ( !(px_read(d, off) & bits) )
            return true;
    return false;
}

/* Slot 0 holds a command FIS and nr PRD entries. */
static void ahci_command(struct ahci_disk *d, uint8_t command, uint64_t lba, uint32_t count,
                         bool write, unsigned int nr_prd)
{
    uint8_t *f = d->table.cfis;

    memset(f, 0, 20);
    f[0] = 0x27;                        /* register FIS, host to device */
    f[1] = 0x80;                        /* C: a command */
    f[2] = command;
    f[4] = (uint8_t)lba;
    f[5] = (uint8_t)(lba >> 8);
    f[6] = (uint8_t)(lba >> 16);
    f[7] = 0x40;                        /* LBA mode */
    f[8] = (uint8_t)(lba >> 24);
    f[9] = (uint8_t)(lba >> 32);
    f[10] = (uint8_t)(lba >> 40);
    f[12] = (uint8_t)count;
    f[13] = (uint8_t)(count >> 8);
    d->cmd_list[0].flags = 5u | (write ? 1u << 6 : 0) | (uint32_t)nr_prd << 16;
    d->cmd_list[0].prdbc = 0;
    d->cmd_list[0].ctba = __pa(&d->table);
    d->cmd_list[0].ctbau = 0;
    px_write(d, PX_IS, ~0u);
    d->busy = true;
    asm volatile ( "" ::: "memory" );   /* the table before the doorbell */
    px_write(d, PX_CI, 1);
}

/* Take port's disk as disks[nr_disks]: stop the port, give it the disk's
 * areas, start it, IDENTIFY (polled: interrupts are not on yet). */
static bool ahci_port_init(unsigned int port)
{
    struct ahci_disk *d = &disks[nr_disks];

    d->port = port;
    px_write(d, PX_CMD, px_read(d, PX_CMD) & ~PXCMD_ST);
    if ( !px_wait_clear(d, PX_CMD, PXCMD_CR) )
        return false;
    px_write(d, PX_CMD, px_read(d, PX_CMD) & ~PXCMD_FRE);
    if ( !px_wait_clear(d, PX_CMD, PXCMD_FR) )
        return false;
    px_write(d, PX_CLB, __pa(d->cmd_list));
    px_write(d, PX_CLBU, 0);
    px_write(d, PX_FB, __pa(d->rx_fis));
    px_write(d, PX_FBU, 0);
    px_write(d, PX_SERR, ~0u);
    px_write(d, PX_IS, ~0u);
    px_write(d, PX_IE, 0);
    px_write(d, PX_CMD, px_read(d, PX_CMD) | PXCMD_FRE);
    px_write(d, PX_CMD, px_read(d, PX_CMD) | PXCMD_ST);

    d->table.prd[0] = (struct ahci_prd){ .dba = __pa(identify), .dbc = sizeof(identify) - 1 };
    ahci_command(d, ATA_CMD_IDENTIFY, 0, 0, false, 1);
    if ( !px_wait_clear(d, PX_CI, 1) || (px_read(d, PX_TFD) & 0x01) )
        return false;
    d->busy = false;
    px_write(d, PX_IS, ~0u);
    if ( !(identify[83] & (1u << 10)) )
        return false;                   /* no LBA48 */
    d->sectors = (uint64_t)identify[100] | (uint64_t)identify[101] << 16 |
                 (uint64_t)identify[102] << 32 | (uint64_t)identify[103] << 48;
    px_write(d, PX_IE, PXIS_DHRS | PXIS_TFES);
    nr_disks++;
    return true;
}

/* Every SATA disk (an ATA signature on a port with a device; ATAPI drives,
 * the ISO's CD-ROM, are not disks), up to ARCH_DISK_MAX; how many. */
unsigned int x86_ahci_probe(unsigned int *irq_out)
{
    unsigned int dev, fn, port;
    uint32_t bar5, pi;

    if ( !x86_pci_find(0x01, 0x06, &dev, &fn) )
        return 0;
    bar5 = x86_pci_read(dev, fn, 0x24) & ~0xfu;
    if ( !bar5 || (bar5 & 0x1fffffu) + 0x1100 > 0x200000 )
        return 0;                       /* the registers must fit in the 2 MiB slot */
    /* Memory space and bus mastering on, INTx on. */
    x86_pci_write(dev, fn, 0x04, (x86_pci_read(dev, fn, 0x04) | 0x06) & ~0x400u);
    irq = x86_pci_read(dev, fn, 0x3c) & 0xff;
    if ( irq != 9 && irq != 10 && irq != 11 )
        return 0;                       /* a line we have no gate for (entry.S) */
    boot_l2_high[AHCI_L2_SLOT] = (bar5 & ~0x1fffffu) | _PAGE_PRESENT | _PAGE_RW | _PAGE_PSE |
                                 _PAGE_PCD | _PAGE_PWT | _PAGE_ACCESSED | _PAGE_DIRTY;
    write_cr3(read_cr3());
    abar = (volatile uint8_t *)(AHCI_SLOT_VA + (bar5 & 0x1fffffu));

    hba_write(HBA_GHC, hba_read(HBA_GHC) | GHC_AE);
    pi = hba_read(HBA_PI);
    for ( port = 0; port < 32 && nr_disks < ARCH_DISK_MAX; port++ )
    {
        uint32_t p = 0x100 + port * 0x80;

        if ( (pi & (1u << port)) && (hba_read(p + PX_SSTS) & 0xf) == 3 &&
             hba_read(p + PX_SIG) == SIG_ATA && !ahci_port_init(port) )
            x86_printk("(pvx) disk: AHCI port %u does not answer as a disk: not used\n", port);
    }
    if ( !nr_disks )
        return 0;
    hba_write(HBA_IS, ~0u);
    hba_write(HBA_GHC, hba_read(HBA_GHC) | GHC_IE);
    x86_pic_unmask(irq);
    *irq_out = irq;
    return nr_disks;
}

uint64_t x86_ahci_sectors(unsigned int disk)
{
    return disk < nr_disks ? disks[disk].sectors : 0;
}

int x86_ahci_start(unsigned int disk, const struct arch_disk_op *op)
{
    struct ahci_disk *d = &disks[disk];
    uint32_t count = 0;

    if ( disk >= nr_disks || d->busy || (px_read(d, PX_CI) & 1) )
        return -EIO;
    if ( op->cmd == ARCH_DISK_FLUSH )
    {
        ahci_command(d, ATA_CMD_FLUSH_EXT, 0, 0, false, 0);
        return 0;
    }
    for ( unsigned int i = 0; i < op->nr_segs; i++ )
    {
        d->table.prd[i] = (struct ahci_prd){
            .dba = (uint32_t)op->seg[i].addr, .dbau = (uint32_t)(op->seg[i].addr >> 32),
            .dbc = op->seg[i].len - 1,
        };
        count += op->seg[i].len / ARCH_DISK_SECTOR;
    }
    ahci_command(d, op->cmd == ARCH_DISK_READ ? ATA_CMD_READ_DMA_EXT : ATA_CMD_WRITE_DMA_EXT,
                 op->sector, count, op->cmd == ARCH_DISK_WRITE, op->nr_segs);
    return 0;
}

void x86_ahci_cancel(unsigned int disk)
{
    struct ahci_disk *d = &disks[disk];

    if ( disk >= nr_disks || !d->busy )
        return;
    d->busy = false;
    /* Stopping the port stops its DMA; started again, slot 0 is empty. */
    px_write(d, PX_CMD, px_read(d, PX_CMD) & ~PXCMD_ST);
    (void)px_wait_clear(d, PX_CMD, PXCMD_CR);
    px_write(d, PX_IS, ~0u);
    px_write(d, PX_SERR, ~0u);
    px_write(d, PX_CMD, px_read(d, PX_CMD) | PXCMD_ST);
}

/* The controller's line: every port that says so. regs is a ring-0 frame
 * when we were idle. */
void x86_ahci_irq(struct cpu_regs *regs)
{
    uint32_t pending = hba_read(HBA_IS);
    int status[ARCH_DISK_MAX];
    bool ended[ARCH_DISK_MAX] = { false };

    /* Acknowledge everything first, then tell the core: its answer may
     * start the next command on a port. */
    for ( unsigned int i = 0; i < nr_disks; i++ )
    {
        struct ahci_disk *d = &disks[i];
        uint32_t is, tfd;
        bool done;

        if ( !(pending & (1u << d->port)) )
            continue;
        is = px_read(d, PX_IS);
        tfd = px_read(d, PX_TFD);
        done = !(px_read(d, PX_CI) & 1);
        px_write(d, PX_IS, is);
        hba_write(HBA_IS, 1u << d->port);
        if ( !d->busy || (!done && !(is & PXIS_TFES)) )
            continue;                   /* not ours, or not finished */
        d->busy = false;
        if ( is & PXIS_TFES )
        {
            d->busy = true;
            x86_ahci_cancel(i);         /* the port stops on an error: restart it */
        }
        ended[i] = true;
        status[i] = (is & PXIS_TFES) || (tfd & 0x21) ? -EIO : 0;
    }
    x86_pic_eoi(irq);
    for ( unsigned int i = 0; i < nr_disks; i++ )
        if ( ended[i] )
        {
            x86_wake_events++;
            core_disk_interrupt((regs->cs & 3) ? regs : NULL, i, status[i]);
        }
}
