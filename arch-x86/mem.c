/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mem.c - the arch's memory promises (arch.h's memory section, with the
 * TLB and CR3 calls). Every machine frame the core may touch
 * lies in the direct map (the first 128 MiB), so mapping is arithmetic and
 * unmapping is nothing; a bigger machine will want a mapcache in slots 436..447.
 */
#include <pvx/layout.h>
#include "x86.h"

#define DIRECTMAP_FRAMES (DIRECTMAP_SIZE >> PAGE_SHIFT)

_Static_assert(((DIRECTMAP_VIRT >> L2_SLOT_SHIFT) & 511) == DIRECTMAP_FIRST_SLOT, "direct map slot");
_Static_assert(DIRECTMAP_VIRT >= ARCH_VIRT_START, "the direct map lies in the arch's slots");
_Static_assert((uint64_t)DIRECTMAP_VIRT + DIRECTMAP_SIZE == 1ull << 32, "the direct map ends at 4 GiB");

void *arch_map_frames(mfn_t mfn, unsigned int nr)
{
    if ( mfn >= DIRECTMAP_FRAMES || nr > DIRECTMAP_FRAMES - mfn )
        x86_panic("arch_map_frames(%#x, %u): beyond the 128 MiB direct map\n", mfn, nr);
    return __va((uint32_t)mfn << PAGE_SHIFT);
}

void arch_unmap_frames(void *va, unsigned int nr)
{
    uint32_t off = (uint32_t)va - DIRECTMAP_VIRT;

    if ( (uint32_t)va < DIRECTMAP_VIRT || (off & ~PAGE_MASK) ||
         (off >> PAGE_SHIFT) + nr > DIRECTMAP_FRAMES )
        x86_panic("arch_unmap_frames(%p, %u): not a mapping of ours\n", va, nr);
}

/*
 * Slot 436 is the GDT area (desc.c, read-only pages); 437..447 stay empty;
 * 448..511 are the direct map. All are the very entries of our own L2
 * (supervisor only: ring 3 cannot touch them; ring 1 is kept out by its
 * segment limits).
 */
void arch_fill_hyp_l2(uint64_t *l2)
{
    unsigned int i;

    for ( i = ARCH_FIRST_L2_SLOT; i < NR_L2_SLOTS; i++ )
        l2[i] = boot_l2_high[i];
}

void arch_load_cr3(paddr_t l3)
{
    if ( (l3 & 31) || (l3 >> 32) )
        x86_panic("arch_load_cr3(%#llx): a PAE L3 is 32-byte aligned, below 4 GiB\n", l3);
    write_cr3((uint32_t)l3);
}

void arch_flush_tlb(void)
{
    write_cr3(read_cr3());              /* everything: CR4.PGE is off (boot.S) */
}

void arch_flush_tlb_one(gva_t va)
{
    asm volatile ( "invlpg (%0)" :: "r" (va) : "memory" );
}

/* x86 keeps instruction fetch coherent with stores; the iret back to the
 * guest serializes. Nothing translated is cached here, but loaded segment
 * registers hold copies of descriptors (desc.c). */
void arch_frames_written(mfn_t mfn, unsigned int nr)
{
    x86_desc_frames_written(mfn, nr);
}
