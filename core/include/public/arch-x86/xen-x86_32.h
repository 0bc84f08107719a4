/* SPDX-License-Identifier: MIT */
/*
 * public/arch-x86/xen-x86_32.h - the constants of the x86_32 PAE guest ABI:
 * page size, the flat segments the hypervisor provides, the bounds of the
 * hypervisor's part of every address space and of the guest's GDT.
 *
 * Macros only, so that assembly can include it too (a guest's entry code
 * pushes FLAT_RING3_CS); the structures are in public/arch-x86_32.h, which
 * includes this header. These are the only definitions of these facts: the
 * hypervisor's own headers (pvx/layout.h) take them from here.
 */
#ifndef PVX_PUBLIC_ARCH_X86_XEN_X86_32_H
#define PVX_PUBLIC_ARCH_X86_XEN_X86_32_H

/* Frames and pages are 4 KiB. */
#define XEN_PAGE_SHIFT          12
#define XEN_PAGE_SIZE           4096

/*
 * Segments in the hypervisor's part of the GDT (entries from 0xe000 up): its
 * own ring-0 code and data, and the flat segments guests run in. The flat
 * ones end where the hypervisor's private area begins (0xF6800000).
 */
#define __HYPERVISOR_CS         0xe008
#define __HYPERVISOR_DS         0xe010
#define FLAT_RING1_CS           0xe019
#define FLAT_RING1_DS           0xe021
#define FLAT_RING1_SS           0xe021
#define FLAT_RING3_CS           0xe02b
#define FLAT_RING3_DS           0xe033
#define FLAT_RING3_SS           0xe033

#define FLAT_KERNEL_CS          FLAT_RING1_CS
#define FLAT_KERNEL_DS          FLAT_RING1_DS
#define FLAT_KERNEL_SS          FLAT_RING1_SS
#define FLAT_USER_CS            FLAT_RING3_CS
#define FLAT_USER_DS            FLAT_RING3_DS
#define FLAT_USER_SS            FLAT_RING3_SS

/* Guest GDT: the first 14 pages are the guest's, the rest the hypervisor's. */
#define FIRST_RESERVED_GDT_PAGE 14
#define FIRST_RESERVED_GDT_BYTE (FIRST_RESERVED_GDT_PAGE * 4096)
#define FIRST_RESERVED_GDT_ENTRY (FIRST_RESERVED_GDT_PAGE * 512)

/* Top of every address space: the hypervisor, starting with the read-only M2P. */
#define HYPERVISOR_VIRT_START   0xF5800000u
#define MACH2PHYS_VIRT_START    0xF5800000u
#define MACH2PHYS_VIRT_END      0xF6800000u
#define MACH2PHYS_NR_ENTRIES    ((MACH2PHYS_VIRT_END - MACH2PHYS_VIRT_START) >> 2)

#define XEN_LEGACY_MAX_VCPUS    32

#endif /* PVX_PUBLIC_ARCH_X86_XEN_X86_32_H */
