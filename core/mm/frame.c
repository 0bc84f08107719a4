/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * frame.c - the machine frame table, the frame allocator and the
 * machine-to-physical (M2P) table.
 *
 * The frame table and the M2P live in machine frames the core takes from the
 * boot memory map, mapped once with arch_map_frames. Allocation scans for the
 * lowest free frame from a moving hint: simple, and deterministic, so that
 * the same boot gives the same frames on every run.
 */
#include <pvx/arch.h>
#include <pvx/fault.h>
#include <pvx/frame.h>
#include <pvx/layout.h>
#include <pvx/lib.h>
#include <pvx/machine.h>

/* The frame table, the allocator and the M2P: machine.frame, owned here. */
#define FRAMES (machine.frame)


mfn_t frame_max_mfn(void)
{
    return FRAMES.max_mfn;
}

unsigned int frame_free_count(void)
{
    return FRAMES.nr_free;
}

/* Before the frame table exists: take nr contiguous frames out of the boot map. */
static mfn_t boot_take(struct boot_range *r, unsigned int nr_ranges, unsigned int nr)
{
    for ( unsigned int i = 0; i < nr_ranges; i++ )
    {
        if ( r[i].nr >= nr )
        {
            mfn_t m = r[i].start;

            r[i].start += nr;
            r[i].nr -= nr;
            return m;
        }
    }
    return INVALID_MFN;
}

static void frame_clear(mfn_t mfn)
{
    void *p = frame_map(mfn);

    memset(p, 0, PAGE_SIZE);
    frame_unmap(p);
    arch_frames_written(mfn, 1);
}

int frame_init(const struct boot_info *bi)
{
    struct boot_range r[BOOT_MAX_RANGES];
    unsigned int nr_ranges = MIN(bi->nr_ranges, (unsigned int)BOOT_MAX_RANGES);
    unsigned int ft_pages, nr_l1, i;
    mfn_t ft_mfn, m2p_mfn, l1_mfn, m;

    FRAMES.max_mfn = 0;
    FRAMES.nr_free = 0;
    FRAMES.alloc_hint = 0;
    for ( i = 0; i < nr_ranges; i++ )
    {
        r[i] = bi->ranges[i];
        if ( r[i].nr && r[i].start + r[i].nr > FRAMES.max_mfn )
            FRAMES.max_mfn = r[i].start + r[i].nr;
    }
    if ( FRAMES.max_mfn == 0 )
        return -1;

    ft_pages = PFN_UP((uint64_t)FRAMES.max_mfn * sizeof(struct frame));
    FRAMES.m2p_pages = PFN_UP((uint64_t)FRAMES.max_mfn * sizeof(uint32_t));
    if ( FRAMES.m2p_pages > (RO_MPT_VIRT_END - RO_MPT_VIRT_START) >> PAGE_SHIFT )
        FRAMES.m2p_pages = (RO_MPT_VIRT_END - RO_MPT_VIRT_START) >> PAGE_SHIFT;
    nr_l1 = (FRAMES.m2p_pages + 511) / 512;

    ft_mfn = boot_take(r, nr_ranges, ft_pages);
    m2p_mfn = boot_take(r, nr_ranges, FRAMES.m2p_pages);
    l1_mfn = boot_take(r, nr_ranges, nr_l1);
    if ( ft_mfn == INVALID_MFN || m2p_mfn == INVALID_MFN || l1_mfn == INVALID_MFN )
        return -1;

    FRAMES.table = arch_map_frames(ft_mfn, ft_pages);
    for ( m = 0; m < FRAMES.max_mfn; m++ )
        FRAMES.table[m] = (struct frame){ .owner = DOMID_IO_OWN };
    for ( i = 0; i < nr_ranges; i++ )
        for ( m = r[i].start; m < r[i].start + r[i].nr; m++ )
        {
            FRAMES.table[m].owner = DOMID_FREE;
            FRAMES.nr_free++;
        }
    /* Frame 0 is never anyone's: a cr3 of 0 and mfn 0 may then mean "none"
     * without ever meaning a frame a guest can name. */
    if ( FRAMES.table[0].owner == DOMID_FREE )
    {
        FRAMES.table[0].owner = DOMID_XEN_OWN;
        FRAMES.nr_free--;
    }
    for ( m = 0; m < ft_pages; m++ )
        FRAMES.table[ft_mfn + m].owner = DOMID_XEN_OWN;
    for ( m = 0; m < FRAMES.m2p_pages; m++ )
        FRAMES.table[m2p_mfn + m].owner = DOMID_XEN_OWN;
    for ( m = 0; m < nr_l1; m++ )
        FRAMES.table[l1_mfn + m].owner = DOMID_XEN_OWN;

    /* The M2P: every entry invalid until a frame is given to a domain. */
    FRAMES.m2p = arch_map_frames(m2p_mfn, FRAMES.m2p_pages);
    memset(FRAMES.m2p, 0xff, (size_t)FRAMES.m2p_pages * PAGE_SIZE);

    /* Its read-only mapping for guests: L1s under L2 slots 428.., no RW bit
     * at either level, so no guest can write it whatever its L1 says. */
    memset(FRAMES.xen_l2_slots, 0, sizeof(FRAMES.xen_l2_slots));
    for ( i = 0; i < nr_l1; i++ )
    {
        uint64_t *l1 = frame_map(l1_mfn + i);

        memset(l1, 0, PAGE_SIZE);
        for ( unsigned int j = 0; j < 512 && i * 512 + j < FRAMES.m2p_pages; j++ )
            l1[j] = ((uint64_t)(m2p_mfn + i * 512 + j) << PAGE_SHIFT) |
                    _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
        frame_unmap(l1);
        FRAMES.xen_l2_slots[i] = ((uint64_t)(l1_mfn + i) << PAGE_SHIFT) |
                          _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
    }
    return 0;
}

void frame_fill_xen_l2(uint64_t *l2)
{
    memcpy(&l2[HYP_FIRST_L2_SLOT], FRAMES.xen_l2_slots, sizeof(FRAMES.xen_l2_slots));
    arch_fill_hyp_l2(l2);
}

void m2p_set(mfn_t mfn, uint32_t pfn)
{
    BUG_ON(mfn >= FRAMES.max_mfn);
    if ( mfn < FRAMES.m2p_pages * (PAGE_SIZE / sizeof(uint32_t)) )
        FRAMES.m2p[mfn] = pfn;
}

uint32_t m2p_get(mfn_t mfn)
{
    if ( mfn >= FRAMES.max_mfn || mfn >= FRAMES.m2p_pages * (PAGE_SIZE / sizeof(uint32_t)) )
        return M2P_INVALID;
    return FRAMES.m2p[mfn];
}

static void frame_take(mfn_t mfn, uint16_t owner)
{
    struct frame *f = &FRAMES.table[mfn];

    ASSERT(f->owner == DOMID_FREE);
    *f = (struct frame){ .owner = owner };
    if ( frame_owner_is_domain(f) )
    {
        f->flags = FRAME_F_ALLOCATED;
        f->ref_count = 1;
    }
    FRAMES.nr_free--;
    frame_clear(mfn);
    frame_walks_stale();
}

mfn_t frame_alloc_below(uint16_t owner, mfn_t limit)
{
    mfn_t m, start;

    limit = MIN(limit, FRAMES.max_mfn);
    if ( FRAMES.nr_free == 0 || fault_hit(&fault_frame_alloc) )
        return INVALID_MFN;
    start = FRAMES.alloc_hint < limit ? FRAMES.alloc_hint : 0;
    for ( m = start; m < limit; m++ )
        if ( FRAMES.table[m].owner == DOMID_FREE )
            goto found;
    for ( m = 0; m < start; m++ )
        if ( FRAMES.table[m].owner == DOMID_FREE )
            goto found;
    BUG_ON(limit == FRAMES.max_mfn);           /* nr_free said there was one */
    return INVALID_MFN;

 found:
    frame_take(m, owner);
    FRAMES.alloc_hint = m + 1;
    return m;
}

mfn_t frame_alloc(uint16_t owner)
{
    return frame_alloc_below(owner, FRAMES.max_mfn);
}

mfn_t frame_alloc_contig(uint16_t owner, unsigned int nr)
{
    mfn_t start = 0, m;
    unsigned int run = 0;

    if ( nr == 0 || nr > FRAMES.nr_free )
        return INVALID_MFN;
    for ( m = 0; m < FRAMES.max_mfn; m++ )
    {
        if ( FRAMES.table[m].owner != DOMID_FREE )
        {
            run = 0;
            continue;
        }
        if ( run++ == 0 )
            start = m;
        if ( run == nr )
        {
            for ( m = start; m < start + nr; m++ )
                frame_take(m, owner);
            return start;
        }
    }
    return INVALID_MFN;
}

void frame_free(mfn_t mfn)
{
    struct frame *f = frame_of(mfn);

    BUG_ON(!f || f->owner == DOMID_FREE || f->owner == DOMID_IO_OWN);
    *f = (struct frame){ .owner = DOMID_FREE };
    frame_walks_stale();
    m2p_set(mfn, M2P_INVALID);
    FRAMES.nr_free++;
    if ( mfn < FRAMES.alloc_hint )
        FRAMES.alloc_hint = mfn;
}
