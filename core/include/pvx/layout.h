/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * layout.h - the virtual address space every guest shares with pvx, and the
 * hypervisor's segment selectors. Identical on both machines.
 *
 *   0x00000000 - 0xF57FFFFF  the guest's own (kernel in ring 1, apps in ring 3)
 *   0xF5800000 - 0xF67FFFFF  read-only machine-to-physical table (core, 8 L2 slots)
 *   0xF6800000 - 0xFFFFFFFF  the machine's private area (arch, L2 slots 436-511)
 *
 * The top 168 MiB sit in L2 slots 428..511 of the L2 under L3 slot 3. The core
 * owns slots 428..435 (the M2P); the arch fills 436..511 with whatever it needs
 * mapped in every address space (its code, stacks, GDT, direct map).
 */
#ifndef PVX_LAYOUT_H
#define PVX_LAYOUT_H

#define HYPERVISOR_VIRT_START   0xF5800000u
#define RO_MPT_VIRT_START       0xF5800000u
#define RO_MPT_VIRT_END         0xF6800000u
#define ARCH_VIRT_START         0xF6800000u

#define L2_SLOT_SHIFT           21
#define HYP_FIRST_L2_SLOT       ((HYPERVISOR_VIRT_START >> L2_SLOT_SHIFT) & 511)  /* 428 */
#define ARCH_FIRST_L2_SLOT      ((ARCH_VIRT_START >> L2_SLOT_SHIFT) & 511)        /* 436 */
#define NR_L2_SLOTS             512

/*
 * GDT: 16 pages. The first 14 (entries 0..7167) belong to the guest (set_gdt);
 * entries from 0xe000 up are the hypervisor's and the same in every vCPU.
 */
#define GDT_ENTRIES             8192
#define FIRST_RESERVED_GDT_PAGE 14
#define FIRST_RESERVED_GDT_ENTRY (FIRST_RESERVED_GDT_PAGE * 512)   /* 7168 = 0xe000 >> 3 */

#define __HYPERVISOR_CS         0xe008
#define __HYPERVISOR_DS         0xe010
#define FLAT_RING1_CS           0xe019
#define FLAT_RING1_DS           0xe021
#define FLAT_RING1_SS           0xe021
#define FLAT_RING3_CS           0xe02b
#define FLAT_RING3_DS           0xe033
#define FLAT_RING3_SS           0xe033
#define __TSS_SEL               0xe038
#define __LDT_SEL               0xe040

/* The LDT area: the running vCPU's LDT pages, mapped read-only when first
 * used (descriptor.c), 16 pages for 8192 entries, in the arch's first slot. */
#define LDT_VIRT_START          (ARCH_VIRT_START + 0x20000u)
#define LDT_MAX_PAGES           16

/* Guest flat segments end below the hypervisor's private area. */
#define GUEST_SEGMENT_LIMIT_PAGES ((ARCH_VIRT_START >> 12) - 1)     /* 0xF67FF, G=1 */

/* Page-table entry bits (PAE). */
#define _PAGE_PRESENT   0x001u
#define _PAGE_RW        0x002u
#define _PAGE_USER      0x004u
#define _PAGE_PWT       0x008u
#define _PAGE_PCD       0x010u
#define _PAGE_ACCESSED  0x020u
#define _PAGE_DIRTY     0x040u
#define _PAGE_PSE       0x080u
#define _PAGE_GLOBAL    0x100u
#define _PAGE_NX        (1ull << 63)
#define PADDR_BITS      36
#define PTE_ADDR_MASK   (((1ull << PADDR_BITS) - 1) & ~0xfffull)

#define l3_table_offset(va)  (((uint32_t)(va)) >> 30)
#define l2_table_offset(va)  ((((uint32_t)(va)) >> 21) & 511)
#define l1_table_offset(va)  ((((uint32_t)(va)) >> 12) & 511)

#endif /* PVX_LAYOUT_H */
