/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mem.c - the arch's memory promises (arch.h's memory section, with the
 * TLB and CR3 calls). Machine memory in the direct map (the first 128 MiB)
 * is mapped by arithmetic; frames above it (up to X86_MAX_RAM) go through
 * the mapcache, 4,608 page slots in L2 slots 439..447 whose L1 tables are in
 * every address space: a mapping takes a run of free slots and is gone at
 * its unmap (the core maps most frames for the length of one operation; the
 * lasting ones - shared_info pages, rings - are a few per domain).
 */
#include <pvx/layout.h>
#include "x86.h"

#define DIRECTMAP_FRAMES (DIRECTMAP_SIZE >> PAGE_SHIFT)
#define MAPCACHE_VIRT    L2_SLOT_VIRT(MAPCACHE_FIRST_SLOT)
#define MAPCACHE_PAGES   (MAPCACHE_SLOTS * 512)

_Static_assert(((DIRECTMAP_VIRT >> L2_SLOT_SHIFT) & 511) == DIRECTMAP_FIRST_SLOT, "direct map slot");
_Static_assert(DIRECTMAP_VIRT >= ARCH_VIRT_START, "the direct map lies in the arch's slots");
_Static_assert((uint64_t)DIRECTMAP_VIRT + DIRECTMAP_SIZE == 1ull << 32, "the direct map ends at 4 GiB");
_Static_assert(GDT_L2_SLOT == ARCH_FIRST_L2_SLOT && AHCI_L2_SLOT > GDT_L2_SLOT &&
               E1000_L2_SLOT > AHCI_L2_SLOT && MAPCACHE_FIRST_SLOT > E1000_L2_SLOT &&
               MAPCACHE_FIRST_SLOT + MAPCACHE_SLOTS == DIRECTMAP_FIRST_SLOT, "the arch's L2 slots");

static uint64_t mapcache_l1[MAPCACHE_PAGES] __attribute__((aligned(PAGE_SIZE)));
static uint32_t mapcache_used[MAPCACHE_PAGES / 32];    /* one bit a slot */
static unsigned int mapcache_hint, mapcache_live, mapcache_peak;

/* The mapcache's L1s in boot_l2_high, hence in every L2 built after. */
void x86_mem_init(void)
{
    for ( unsigned int i = 0; i < MAPCACHE_SLOTS; i++ )
        boot_l2_high[MAPCACHE_FIRST_SLOT + i] =
            __pa(&mapcache_l1[i * 512]) | _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED;
    write_cr3(read_cr3());
}

static bool slot_used(unsigned int i)
{
    return mapcache_used[i / 32] & (1u << (i % 32));
}

static void slot_set(unsigned int i, bool used)
{
    if ( used )
        mapcache_used[i / 32] |= 1u << (i % 32);
    else
        mapcache_used[i / 32] &= ~(1u << (i % 32));
}

/* First fit from where the last run ended, wrapping once. */
static void *mapcache_map(mfn_t mfn, unsigned int nr)
{
    unsigned int start = mapcache_hint, run = 0, i, n;

    for ( n = 0; n < 2 * MAPCACHE_PAGES && run < nr; n++ )
    {
        i = (mapcache_hint + n) % MAPCACHE_PAGES;
        if ( i == 0 )
            run = 0;                    /* a run never wraps */
        if ( slot_used(i) )
            run = 0;
        else if ( run++ == 0 )
            start = i;
    }
    if ( run < nr )
        x86_panic("arch_map_frames(%#x, %u): the mapcache is full (%u of %u pages mapped)\n",
                  mfn, nr, mapcache_live, MAPCACHE_PAGES);
    for ( i = 0; i < nr; i++ )
    {
        slot_set(start + i, true);
        mapcache_l1[start + i] = ((uint64_t)(mfn + i) << PAGE_SHIFT) |
                                 _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY;
    }
    mapcache_hint = (start + nr) % MAPCACHE_PAGES;
    mapcache_live += nr;
    mapcache_peak = MAX(mapcache_peak, mapcache_live);
    return (void *)(MAPCACHE_VIRT + (start << PAGE_SHIFT));
}

struct arch_direct_map arch_direct_map = {
    .base = DIRECTMAP_VIRT, .frames = DIRECTMAP_FRAMES,
};

void *arch_map_frames(mfn_t mfn, unsigned int nr)
{
    if ( nr == 0 || (uint64_t)mfn + nr > (X86_MAX_RAM >> PAGE_SHIFT) )
        x86_panic("arch_map_frames(%#x, %u): beyond the machine's memory\n", mfn, nr);
    if ( mfn + nr <= DIRECTMAP_FRAMES )
        return __va((uint32_t)mfn << PAGE_SHIFT);
    return mapcache_map(mfn, nr);
}

void arch_unmap_frames(void *va, unsigned int nr)
{
    uint32_t off = (uint32_t)va - DIRECTMAP_VIRT, slot;

    if ( (uint32_t)va >= DIRECTMAP_VIRT )
    {
        if ( (off & ~PAGE_MASK) || (off >> PAGE_SHIFT) + nr > DIRECTMAP_FRAMES )
            x86_panic("arch_unmap_frames(%p, %u): not a mapping of ours\n", va, nr);
        return;
    }
    slot = ((uint32_t)va - MAPCACHE_VIRT) >> PAGE_SHIFT;
    if ( (uint32_t)va < MAPCACHE_VIRT || ((uint32_t)va & ~PAGE_MASK) || nr == 0 ||
         slot + nr > MAPCACHE_PAGES )
        x86_panic("arch_unmap_frames(%p, %u): not a mapping of ours\n", va, nr);
    for ( unsigned int i = slot; i < slot + nr; i++ )
    {
        if ( !slot_used(i) )
            x86_panic("arch_unmap_frames(%p, %u): page %u is not mapped\n", va, nr, i - slot);
        slot_set(i, false);
        mapcache_l1[i] = 0;
        asm volatile ( "invlpg (%0)" :: "r" (MAPCACHE_VIRT + (i << PAGE_SHIFT)) : "memory" );
    }
    mapcache_live -= nr;
}

/* For the boot line and the debugger: pages mapped now, and at most. */
unsigned int x86_mapcache_live(void)
{
    return mapcache_live;
}

unsigned int x86_mapcache_peak(void)
{
    return mapcache_peak;
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
