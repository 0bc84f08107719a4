/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * layout.h - the virtual address space every guest shares with pvx, and the
 * hypervisor's segment selectors. Identical on both machines; part of the
 * arch contract (pvx/arch.h includes it).
 *
 *   0x00000000 - 0xF57FFFFF  the guest's own (kernel in ring 1, apps in ring 3)
 *   0xF5800000 - 0xF67FFFFF  read-only machine-to-physical table (core, 8 L2 slots)
 *   0xF6800000 - 0xFFFFFFFF  the machine's private area (arch, L2 slots 436-511)
 *
 * The top 168 MiB sit in L2 slots 428..511 of the L2 under L3 slot 3. The core
 * owns slots 428..435 (the M2P); the arch fills 436..511 with whatever it needs
 * mapped in every address space (its code, stacks, GDT, direct map).
 *
 * What a guest may know (the flat selectors, HYPERVISOR_VIRT_START, the M2P,
 * the reserved GDT pages, page-table entries) is defined once, in the public
 * headers included here; this file adds what only the hypervisor knows.
 * Macros only: assembly includes it too.
 */
#ifndef PVX_LAYOUT_H
#define PVX_LAYOUT_H

#include <public/arch-x86/xen-x86_32.h>
#include <public/arch-x86/page.h>

#define RO_MPT_VIRT_START       MACH2PHYS_VIRT_START
#define RO_MPT_VIRT_END         MACH2PHYS_VIRT_END
#define ARCH_VIRT_START         MACH2PHYS_VIRT_END

#define L2_SLOT_SHIFT           21
#define HYP_FIRST_L2_SLOT       ((HYPERVISOR_VIRT_START >> L2_SLOT_SHIFT) & 511)  /* 428 */
#define ARCH_FIRST_L2_SLOT      ((ARCH_VIRT_START >> L2_SLOT_SHIFT) & 511)        /* 436 */
#define NR_L2_SLOTS             512

/*
 * GDT: 16 pages. The first FIRST_RESERVED_GDT_PAGE (14, entries 0..7167)
 * belong to the guest (set_gdt); entries from 0xe000 up are the
 * hypervisor's and the same in every vCPU.
 */
#define GDT_ENTRIES             8192

/* The hypervisor's own selectors beside the public ones (xen-x86_32.h). */
#define __TSS_SEL               0xe038
#define __LDT_SEL               0xe040

/* The LDT area: the running vCPU's LDT pages, mapped read-only when first
 * used (descriptor.c), 16 pages for 8192 entries, in the arch's first slot. */
#define LDT_VIRT_START          (ARCH_VIRT_START + 0x20000u)
#define LDT_MAX_PAGES           16

/* Guest flat segments end below the hypervisor's private area. */
#define GUEST_SEGMENT_LIMIT_PAGES ((ARCH_VIRT_START >> 12) - 1)     /* 0xF67FF, G=1 */

#endif /* PVX_LAYOUT_H */
