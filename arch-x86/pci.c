/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pci.c - PCI configuration space by the legacy mechanism (ports 0xcf8 and
 * 0xcfc), enough to find a disk controller on bus 0 and let it master the bus.
 */
#include "x86.h"

#define PCI_CONFIG_ADDR 0xcf8
#define PCI_CONFIG_DATA 0xcfc

uint32_t x86_pci_read(unsigned int dev, unsigned int fn, unsigned int off)
{
    outl(PCI_CONFIG_ADDR, 0x80000000u | dev << 11 | fn << 8 | (off & 0xfc));
    return inl(PCI_CONFIG_DATA);
}

void x86_pci_write(unsigned int dev, unsigned int fn, unsigned int off, uint32_t v)
{
    outl(PCI_CONFIG_ADDR, 0x80000000u | dev << 11 | fn << 8 | (off & 0xfc));
    outl(PCI_CONFIG_DATA, v);
}

bool x86_pci_find(uint8_t class, uint8_t subclass, unsigned int *dev, unsigned int *fn)
{
    for ( unsigned int d = 0; d < 32; d++ )
        for ( unsigned int f = 0; f < 8; f++ )
        {
            uint32_t id = x86_pci_read(d, f, 0x00), cls;

            if ( (id & 0xffff) == 0xffff )
            {
                if ( f == 0 )
                    break;              /* no device: no functions either */
                continue;
            }
            cls = x86_pci_read(d, f, 0x08);
            if ( (cls >> 24) == class && ((cls >> 16) & 0xff) == subclass )
            {
                *dev = d;
                *fn = f;
                return true;
            }
            if ( f == 0 && !(x86_pci_read(d, 0, 0x0c) & 0x00800000) )
                break;                  /* not multi-function */
        }
    return false;
}
