/* SPDX-License-Identifier: MIT */
/*
 * public/arch-x86/page.h - PAE page-table entries, as a guest writes them
 * into its tables and mmu_update checks them. Xen's public headers leave
 * these to each guest; pvx's guests and the hypervisor share one definition.
 * Not included by public/xen.h: a guest with names of its own for them is
 * not disturbed. Macros only (assembly may include it); the table offsets
 * use uint32_t.
 */
#ifndef PVX_PUBLIC_ARCH_X86_PAGE_H
#define PVX_PUBLIC_ARCH_X86_PAGE_H

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

/* Machine addresses have 36 bits under PAE: the frame field of an entry. */
#define PADDR_BITS      36
#define PTE_ADDR_MASK   (((1ull << PADDR_BITS) - 1) & ~0xfffull)

/* A 32-bit virtual address: L3 (4 entries), L2 and L1 (512 entries each). */
#define l3_table_offset(va)  (((uint32_t)(va)) >> 30)
#define l2_table_offset(va)  ((((uint32_t)(va)) >> 21) & 511)
#define l1_table_offset(va)  ((((uint32_t)(va)) >> 12) & 511)

#endif /* PVX_PUBLIC_ARCH_X86_PAGE_H */
