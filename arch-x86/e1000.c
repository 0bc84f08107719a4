/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * e1000.c - a driver for the Intel 82540EM Gigabit Ethernet controller
 * ("e1000": QEMU's default NIC, and common on real machines).
 *
 * Found on PCI bus 0 through configuration mechanism #1 (ports 0xcf8/0xcfc);
 * its registers (BAR0, 128 KiB of MMIO) mapped uncached with a 2 MiB page in
 * an arch slot of the hypervisor's L2 (before any guest exists: every
 * address space gets the same entry); legacy descriptor rings in the image's
 * bss, which the device reads and writes by DMA at machine addresses, as it
 * does the frames the core gives it (no copy); its interrupt is the legacy
 * INTx line the firmware routed, through the 8259 PIC as the timer's.
 * Facts from Intel's PCI/PCI-X Family of Gigabit Ethernet Controllers
 * Software Developer's Manual (8254x): register offsets, descriptor layouts,
 * RCTL/TCTL bits.
 */
#include "x86.h"

#define PCI_VENDOR_INTEL    0x8086
#define PCI_DEVICE_82540EM  0x100e
#define PCI_COMMAND         0x04
#define PCI_CMD_MEMORY      0x0002
#define PCI_CMD_MASTER      0x0004
#define PCI_BAR0            0x10
#define PCI_INTERRUPT_LINE  0x3c

/* Registers (byte offsets in BAR0). */
#define E1000_CTRL          0x0000
#define E1000_STATUS        0x0008
#define E1000_EERD          0x0014
#define E1000_ICR           0x00c0
#define E1000_IMS           0x00d0
#define E1000_IMC           0x00d8
#define E1000_RCTL          0x0100
#define E1000_TCTL          0x0400
#define E1000_TIPG          0x0410
#define E1000_RDBAL         0x2800
#define E1000_RDBAH         0x2804
#define E1000_RDLEN         0x2808
#define E1000_RDH           0x2810
#define E1000_RDT           0x2818
#define E1000_TDBAL         0x3800
#define E1000_TDBAH         0x3804
#define E1000_TDLEN         0x3808
#define E1000_TDH           0x3810
#define E1000_TDT           0x3818
#define E1000_MTA           0x5200      /* 128 words */
#define E1000_RAL0          0x5400
#define E1000_RAH0          0x5404

#define CTRL_ASDE           (1u << 5)
#define CTRL_SLU            (1u << 6)
#define CTRL_RST            (1u << 26)
#define STATUS_LU           (1u << 1)
#define EERD_START          (1u << 0)
#define EERD_DONE           (1u << 4)
#define RAH_AV              (1u << 31)
#define ICR_TXDW            (1u << 0)
#define ICR_LSC             (1u << 2)
#define ICR_RXDMT0          (1u << 4)
#define ICR_RXO             (1u << 6)
#define ICR_RXT0            (1u << 7)
#define RCTL_EN             (1u << 1)
#define RCTL_UPE            (1u << 3)   /* accept any unicast */
#define RCTL_BAM            (1u << 15)  /* accept broadcast */
#define RCTL_SECRC          (1u << 26)  /* strip the CRC */
#define TCTL_EN             (1u << 1)
#define TCTL_PSP            (1u << 3)   /* pad short packets */
#define TCTL_CT_SHIFT       4
#define TCTL_COLD_SHIFT     12
#define TX_CMD_EOP          0x01
#define TX_CMD_IFCS         0x02
#define TX_CMD_RS           0x08
#define DESC_DD             0x01        /* status: descriptor done */
#define RX_EOP              0x02

#define E1000_MMIO_SLOT     E1000_L2_SLOT   /* x86.h: not the AHCI's 437 */
#define E1000_MMIO_VIRT     L2_SLOT_VIRT(E1000_MMIO_SLOT)
#define PDE_MMIO            0x9bull     /* P, RW, PWT, PCD, PS: uncached 2 MiB */

#define TX_RING             128         /* NIC_TX_DEPTH frames of up to NIC_MAX_SEGS */
#define RX_RING             32          /* > NIC_RX_DEPTH: head == tail means none */

struct e1000_tx_desc {
    uint64_t addr;
    uint16_t length;
    uint8_t cso, cmd, status, css;
    uint16_t special;
};
_Static_assert(sizeof(struct e1000_tx_desc) == 16, "legacy transmit descriptor");

struct e1000_rx_desc {
    uint64_t addr;
    uint16_t length, csum;
    uint8_t status, errors;
    uint16_t special;
};
_Static_assert(sizeof(struct e1000_rx_desc) == 16, "receive descriptor");

static struct e1000_tx_desc tx_ring[TX_RING] __attribute__((aligned(128)));
static struct e1000_rx_desc rx_ring[RX_RING] __attribute__((aligned(128)));

static volatile uint8_t *regs;
static bool present;
static uint8_t mac[6];
static unsigned int irq_line;

/* Transmits in flight, oldest first: the index of each one's last descriptor. */
static struct { unsigned int last; uint32_t cookie; } tx_frames[NIC_TX_DEPTH];
static unsigned int txf_head, txf_nr, tx_tail;
/* Frames posted for receive, by descriptor. */
static uint32_t rx_cookie[RX_RING];
static unsigned int rx_next, rx_tail, rx_posted;

/* Configuration space of bus 0, function 0 (pci.c). */
static uint32_t pci_read(unsigned int dev, unsigned int off)
{
    return x86_pci_read(dev, 0, off);
}

static void pci_write(unsigned int dev, unsigned int off, uint32_t v)
{
    x86_pci_write(dev, 0, off, v);
}

static uint32_t rd(unsigned int reg)
{
    return *(volatile uint32_t *)(regs + reg);
}

static void wr(unsigned int reg, uint32_t v)
{
    *(volatile uint32_t *)(regs + reg) = v;
}

static uint16_t eeprom_read(unsigned int word)
{
    unsigned int spin = 0;
    uint32_t v;

    wr(E1000_EERD, word << 8 | EERD_START);
    while ( !((v = rd(E1000_EERD)) & EERD_DONE) && ++spin < 1000000 )
        ;
    return (uint16_t)(v >> 16);
}

/* Bus 0, function 0 of each slot: where QEMU and most boards put it. */
static int e1000_find(void)
{
    for ( unsigned int dev = 0; dev < 32; dev++ )
    {
        uint32_t id = pci_read(dev, 0);

        if ( (id & 0xffff) == PCI_VENDOR_INTEL && (id >> 16) == PCI_DEVICE_82540EM )
            return (int)dev;
    }
    return -1;
}

bool e1000_probe(void)
{
    uint32_t bar, ral, rah;
    unsigned int spin = 0;
    int dev = e1000_find();

    if ( dev < 0 )
        return false;
    bar = pci_read((unsigned int)dev, PCI_BAR0);
    if ( bar & 1 )
    {
        x86_printk("(pvx) nic: e1000 at 00:%02x.0 has an I/O BAR0: not used\n", dev);
        return false;
    }
    bar &= ~0xfu;
    if ( (bar & 0x1fffff) + 0x20000 > 0x200000 )
    {
        x86_printk("(pvx) nic: e1000 BAR0 %#x crosses a 2 MiB page: not used\n", bar);
        return false;
    }
    irq_line = pci_read((unsigned int)dev, PCI_INTERRUPT_LINE) & 0xff;
    if ( irq_line == 0 || irq_line >= 15 || irq_line == 2 || irq_line == 7 )
    {
        x86_printk("(pvx) nic: e1000 has no legacy IRQ line (%u): not used\n", irq_line);
        return false;
    }
    pci_write((unsigned int)dev, PCI_COMMAND,
              pci_read((unsigned int)dev, PCI_COMMAND) | PCI_CMD_MEMORY | PCI_CMD_MASTER);
    boot_l2_high[E1000_MMIO_SLOT] = (bar & ~0x1fffffu) | PDE_MMIO;
    asm volatile ( "invlpg (%0)" :: "r" (E1000_MMIO_VIRT) : "memory" );
    regs = (volatile uint8_t *)(E1000_MMIO_VIRT + (bar & 0x1fffff));

    /* Reset, then the link up with speed from autonegotiation. */
    wr(E1000_IMC, 0xffffffffu);
    wr(E1000_CTRL, rd(E1000_CTRL) | CTRL_RST);
    while ( (rd(E1000_CTRL) & CTRL_RST) && ++spin < 1000000 )
        ;
    wr(E1000_IMC, 0xffffffffu);
    wr(E1000_CTRL, (rd(E1000_CTRL) | CTRL_SLU | CTRL_ASDE));

    /* The MAC: receive address 0 when the EEPROM loaded it, else the EEPROM. */
    ral = rd(E1000_RAL0);
    rah = rd(E1000_RAH0);
    if ( !(rah & RAH_AV) )
    {
        ral = eeprom_read(0);
        ral |= (uint32_t)eeprom_read(1) << 16;
        rah = eeprom_read(2) | RAH_AV;
        wr(E1000_RAL0, ral);
        wr(E1000_RAH0, rah);
    }
    for ( unsigned int i = 0; i < 4; i++ )
        mac[i] = (uint8_t)(ral >> (8 * i));
    mac[4] = (uint8_t)rah;
    mac[5] = (uint8_t)(rah >> 8);
    for ( unsigned int i = 0; i < 128; i++ )
        wr(E1000_MTA + 4 * i, 0);

    /* Rings: empty; the core posts receive frames before any arrives. */
    memset(tx_ring, 0, sizeof(tx_ring));
    memset(rx_ring, 0, sizeof(rx_ring));
    wr(E1000_TDBAL, __pa(tx_ring));
    wr(E1000_TDBAH, 0);
    wr(E1000_TDLEN, sizeof(tx_ring));
    wr(E1000_TDH, 0);
    wr(E1000_TDT, 0);
    wr(E1000_TIPG, 10 | 8 << 10 | 6 << 20);
    wr(E1000_TCTL, TCTL_EN | TCTL_PSP | 0x10 << TCTL_CT_SHIFT | 0x40 << TCTL_COLD_SHIFT);
    wr(E1000_RDBAL, __pa(rx_ring));
    wr(E1000_RDBAH, 0);
    wr(E1000_RDLEN, sizeof(rx_ring));
    wr(E1000_RDH, 0);
    wr(E1000_RDT, 0);
    /* Unicast promiscuous: the VFR demultiplexes to the VIFs' own MACs. */
    wr(E1000_RCTL, RCTL_EN | RCTL_UPE | RCTL_BAM | RCTL_SECRC); /* 2 KiB buffers */
    (void)rd(E1000_ICR);
    wr(E1000_IMS, ICR_TXDW | ICR_LSC | ICR_RXDMT0 | ICR_RXO | ICR_RXT0);
    x86_pic_unmask(irq_line);
    present = true;
    x86_printk("(pvx) nic: e1000 at 00:%02x.0, irq %u, link %s\n", dev, irq_line,
               rd(E1000_STATUS) & STATUS_LU ? "up" : "down");
    return true;
}

bool e1000_mac(uint8_t out[6])
{
    if ( present )
        memcpy(out, mac, 6);
    return present;
}

void e1000_transmit(const struct nic_seg *seg, unsigned int nr, uint32_t cookie)
{
    unsigned int i;

    if ( !present || nr == 0 || nr > NIC_MAX_SEGS || txf_nr == NIC_TX_DEPTH )
        x86_panic("e1000: a transmit of %u segments with %u in flight\n", nr, txf_nr);
    for ( i = 0; i < nr; i++ )
    {
        struct e1000_tx_desc *d = &tx_ring[(tx_tail + i) % TX_RING];

        d->addr = ((uint64_t)seg[i].mfn << PAGE_SHIFT) + seg[i].offset;
        d->length = seg[i].len;
        d->cso = d->css = 0;
        d->special = 0;
        d->status = 0;
        d->cmd = TX_CMD_IFCS | (i == nr - 1 ? TX_CMD_EOP | TX_CMD_RS : 0);
    }
    tx_frames[(txf_head + txf_nr) % NIC_TX_DEPTH].last = (tx_tail + nr - 1) % TX_RING;
    tx_frames[(txf_head + txf_nr) % NIC_TX_DEPTH].cookie = cookie;
    txf_nr++;
    tx_tail = (tx_tail + nr) % TX_RING;
    asm volatile ( "" ::: "memory" );           /* descriptors before the tail moves */
    wr(E1000_TDT, tx_tail);
}

void e1000_post_rx(mfn_t mfn, uint32_t cookie)
{
    struct e1000_rx_desc *d = &rx_ring[rx_tail];

    if ( !present || rx_posted == NIC_RX_DEPTH )
        x86_panic("e1000: frame %#x posted with %u posted\n", mfn, rx_posted);
    d->addr = (uint64_t)mfn << PAGE_SHIFT;
    d->status = 0;
    d->errors = 0;
    d->length = 0;
    rx_cookie[rx_tail] = cookie;
    rx_tail = (rx_tail + 1) % RX_RING;
    rx_posted++;
    asm volatile ( "" ::: "memory" );
    wr(E1000_RDT, rx_tail);
}

bool e1000_poll(struct nic_event *ev)
{
    if ( !present )
        return false;
    if ( txf_nr && (((volatile struct e1000_tx_desc *)tx_ring)[tx_frames[txf_head].last].status &
                    DESC_DD) )
    {
        *ev = (struct nic_event){ .kind = NIC_EV_TX_DONE, .cookie = tx_frames[txf_head].cookie };
        txf_head = (txf_head + 1) % NIC_TX_DEPTH;
        txf_nr--;
        return true;
    }
    while ( rx_posted && (((volatile struct e1000_rx_desc *)rx_ring)[rx_next].status & DESC_DD) )
    {
        volatile struct e1000_rx_desc *d = &rx_ring[rx_next];
        uint32_t cookie = rx_cookie[rx_next];
        unsigned int len = d->length;
        bool whole = (d->status & RX_EOP) && !d->errors;

        rx_next = (rx_next + 1) % RX_RING;
        rx_posted--;
        if ( whole && len >= NIC_FRAME_MIN && len <= NIC_FRAME_MAX )
        {
            *ev = (struct nic_event){ .kind = NIC_EV_RX, .cookie = cookie, .len = len };
            return true;
        }
        e1000_post_rx((mfn_t)(d->addr >> PAGE_SHIFT), cookie);  /* a bad frame: use it again */
    }
    return false;
}

/* The interrupt: reading ICR acknowledges it (and drops the level line). */
bool e1000_irq(unsigned int line)
{
    if ( !present || line != irq_line )
        return false;
    (void)rd(E1000_ICR);                /* the causes: the core polls the rings for all */
    return true;
}
