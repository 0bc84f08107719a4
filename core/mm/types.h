/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mm/types.h - the lower layer of memory management, for its two files:
 * frame types and reference counts (mm/types.c) and the MMU hypercalls on top
 * of them (mm/mmu.c). The common cases are here, always inlined: a batched
 * mmu_update takes and drops four counts per entry, and under TCG every call
 * and return costs a translation-block lookup. Nothing here calls upward.
 */
#ifndef PVX_MM_TYPES_H
#define PVX_MM_TYPES_H

#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/fault.h>
#include <pvx/frame.h>
#include <pvx/lib.h>
#include <pvx/machine.h>
#include <pvx/mm.h>
#include <public/xen.h>

/* The rest of the layer, out of line (mm/types.c). */
void mm_flush_all(void);
void mm_pdpt_sync(struct vcpu *v);
void mm_load_cr3(struct vcpu *v);
uint64_t mm_table_read(mfn_t table, unsigned int slot);
void mm_table_write(mfn_t table, unsigned int slot, uint64_t e);
noinline void mm_put_last_ref(mfn_t mfn);
noinline int mm_get_type_slow(struct domain *d, mfn_t mfn, enum frame_type type, bool xen_l2);
noinline void mm_put_last_type(mfn_t mfn);
int mm_l2e_get(struct domain *d, uint64_t e);
void mm_l2e_put(uint64_t e);
int mm_l3e_get(struct domain *d, uint64_t e, unsigned int slot);
void mm_l3e_put(uint64_t e);
/* One entry of a validated L2 / L3 changes (the L1 form is below, inline). */
int mm_mod_l2_entry(struct domain *d, mfn_t l2, unsigned int slot, uint64_t nval,
                    bool preserve_ad);
int mm_mod_l3_entry(struct domain *d, mfn_t l3, unsigned int slot, uint64_t nval,
                    bool preserve_ad);

static inline mfn_t pte_mfn(uint64_t e)
{
    return (mfn_t)((e & PTE_ADDR_MASK) >> PAGE_SHIFT);
}

static inline bool is_table_type(unsigned int type)
{
    return type == FRAME_L1 || type == FRAME_L2 || type == FRAME_L3;
}

/* ------------------------------------------------------------------------
 * References.
 */

/*
 * The counting functions come in two halves: an always-inlined common case
 * (a count that neither starts nor ends a type or a life) and the rest out of
 * line. A batched mmu_update takes and drops four counts per entry, and under
 * TCG every call and return is a translation-block lookup.
 */
static always_inline bool fget_ref(struct domain *d, struct frame *f)
{
    if ( f->owner != d->domain_id || f->ref_count == 0 )
        return false;
    f->ref_count++;
    return true;
}

static always_inline bool get_ref(struct domain *d, mfn_t mfn)
{
    struct frame *f = frame_of(mfn);

    return f && fget_ref(d, f);
}

/*
 * The f* forms take the frame already looked up: a store through f may alias
 * machine.frame for the compiler, so each frame_of() after one is
 * reloaded and recomputed in full.
 */
static always_inline void fput_ref(struct frame *f, mfn_t mfn)
{
    ASSERT(f->ref_count > 0);
    if ( f->ref_count > 1 )
        f->ref_count--;
    else
        mm_put_last_ref(mfn);
}

static always_inline void put_ref(mfn_t mfn)
{
    struct frame *f = frame_of(mfn);

    ASSERT(f);
    fput_ref(f, mfn);
}

/* One more use of a frame that has the type already: a writable mapping of
 * a writable frame, a new base pointer naming a pinned L3 (validated once,
 * when it took the type). The same test as mm_get_type_slow's first. */
static always_inline int fget_type(struct domain *d, struct frame *f, mfn_t mfn,
                                   enum frame_type type, bool xen_l2)
{
    ASSERT(f->ref_count > 0);
    if ( f->type_count && f->type == type && !!(f->flags & FRAME_F_XEN_L2) == xen_l2 &&
         (type == FRAME_WRITABLE || !(f->flags & FRAME_F_XEN_SHARED)) )
    {
        f->type_count++;
        return 0;
    }
    /* The first writable mapping of a page (every page an mmap maps): what
     * the slow path does for it, as nothing is validated or flushed. */
    if ( type == FRAME_WRITABLE && !xen_l2 && f->type_count == 0 )
    {
        f->type = FRAME_WRITABLE;
        f->type_count = 1;
        f->flags &= ~(FRAME_F_VALIDATED | FRAME_F_XEN_L2);
        return 0;
    }
    return mm_get_type_slow(d, mfn, type, xen_l2);
}

static always_inline int get_type(struct domain *d, mfn_t mfn, enum frame_type type,
                                  bool xen_l2)
{
    struct frame *f = frame_of(mfn);

    ASSERT(f);
    return fget_type(d, f, mfn, type, xen_l2);
}

static always_inline void fput_type(struct frame *f, mfn_t mfn)
{
    ASSERT(f->type_count > 0);
    if ( f->type_count > 1 || !is_table_type(f->type) )
        f->type_count--;
    else
        mm_put_last_type(mfn);
}

static always_inline void put_type(mfn_t mfn)
{
    struct frame *f = frame_of(mfn);

    ASSERT(f);
    fput_type(f, mfn);
}

/*
 * A write into a frame of d's with no type (mmu_update on a table not in use
 * yet: a fork writes its new tables so): what get_type(FRAME_WRITABLE) and
 * put_type around the write leave, without the calls - the type writable at
 * count 0, not validated. Taking the writable type at count 0 cannot fail.
 */
static always_inline void fwrite_untyped(struct frame *f, mfn_t mfn, unsigned int slot,
                                         uint64_t val)
{
    uint64_t *t;

    ASSERT(f->type_count == 0 && f->ref_count > 0);
    f->type = FRAME_WRITABLE;
    f->flags &= ~(FRAME_F_VALIDATED | FRAME_F_XEN_L2);
    t = frame_map(mfn);
    t[slot] = val;
    frame_unmap(t);
    arch_frames_written(mfn, 1);        /* a writable frame may hold code */
}

/* ------------------------------------------------------------------------
 * One entry: the references a present entry holds.
 */

static inline uint64_t l1_allowed(const struct domain *d)
{
    /* Cache attributes only for a domain that may manage caches (Xen: dom0). */
    return MM_L1_ALLOWED | (d->is_privileged ? MM_L1_CACHE_BITS : 0);
}

static inline int l1e_get(struct domain *d, uint64_t e)
{
    mfn_t m = pte_mfn(e);
    struct frame *f;

    if ( e & ~(PTE_ADDR_MASK | l1_allowed(d)) )
        return -EINVAL;
    f = frame_of(m);
    if ( !f || f->owner == DOMID_IO_OWN )
        return -EPERM;                  /* not RAM: no I/O memory for guests */
    if ( !fget_ref(d, f) )
        return -EBUSY;                  /* another domain's, the hypervisor's, free */
    if ( (e & _PAGE_RW) && fget_type(d, f, m, FRAME_WRITABLE, false) )
    {
        fput_ref(f, m);
        return -EBUSY;                  /* a page table or descriptor frame */
    }
    return 0;
}

/* The same for a frame of pg mapped by the privileged domain d. */
static inline int l1e_get_foreign(struct domain *d, struct domain *pg, uint64_t e)
{
    mfn_t m = pte_mfn(e);
    struct frame *f;

    if ( e & ~(PTE_ADDR_MASK | l1_allowed(d)) )
        return -EINVAL;
    f = frame_of(m);
    if ( !f || f->owner == DOMID_IO_OWN )
        return -EPERM;
    if ( !fget_ref(pg, f) )
        return -EBUSY;                  /* not pg's */
    if ( fault_hit(&fault_foreign_map) )
    {
        fput_ref(f, m);
        return -ENOMEM;
    }
    if ( (e & _PAGE_RW) && fget_type(pg, f, m, FRAME_WRITABLE, false) )
    {
        fput_ref(f, m);
        return -EBUSY;
    }
    return 0;
}

static inline void l1e_put(uint64_t e)
{
    mfn_t m = pte_mfn(e);
    struct frame *f = frame_of(m);

    if ( e & _PAGE_RW )
        fput_type(f, m);
    f->tlbflush_stamp = machine.mm.flush_epoch;
    fput_ref(f, m);
}

static always_inline int entry_get(struct domain *d, enum frame_type type, uint64_t e,
                                   unsigned int slot)
{
    switch ( type )
    {
    case FRAME_L1: return l1e_get(d, e);
    case FRAME_L2: return mm_l2e_get(d, e);
    case FRAME_L3: return mm_l3e_get(d, e, slot);
    default:       ASSERT_UNREACHABLE();   /* only tables have entries */
    }
}

static always_inline void entry_put(enum frame_type type, uint64_t e)
{
    switch ( type )
    {
    case FRAME_L1: l1e_put(e); break;
    case FRAME_L2: mm_l2e_put(e); break;
    case FRAME_L3: mm_l3e_put(e); break;
    default:       ASSERT_UNREACHABLE();   /* only tables have entries */
    }
}

/* The present map of a validated table (struct frame's present): slots
 * in groups of 8, one bit a group. */
#define TABLE_GROUP_SLOTS   8
static always_inline uint64_t table_group_bit(unsigned int slot)
{
    return 1ull << (slot / TABLE_GROUP_SLOTS);
}

/* The table's frame is known good (a validated table being written): no
 * frame_of() bounds check, and the one 32-bit half the bit is in. */
static always_inline void table_mark_present(mfn_t table, unsigned int slot)
{
    unsigned int g = slot / TABLE_GROUP_SLOTS;

    ASSERT(table < machine.frame.max_mfn);
    machine.frame.table[table].present[g / 32] |= 1u << (g % 32);
}

/* ------------------------------------------------------------------------
 * Changing one entry of a validated table: take the new entry's references
 * first, then write, then drop the old entry's (so a frame named by both is
 * never released in between).
 */

/* Inlined into each mod_lN_entry, so the L1 path (almost every request of
 * a batch) is straight-line code with no dispatch on the type. */
static always_inline int mod_entry(struct domain *d, mfn_t table, enum frame_type type,
                                   unsigned int slot, uint64_t nval, bool preserve_ad)
{
    /* One mapping for the read and the write: this is the per-entry path of
     * every batched mmu_update (both arches map by arithmetic, so holding it
     * across entry_get's own mappings is fine). */
    uint64_t *t = frame_map(table), old = t[slot];
    int rc = 0;

    if ( nval & _PAGE_PRESENT )
    {
        rc = entry_get(d, type, nval, slot);
        if ( rc )
            goto out;
    }
    if ( preserve_ad )
        nval |= old & (_PAGE_ACCESSED | _PAGE_DIRTY);
    t[slot] = nval;
    /* A mapping replaced or removed: walks remembered may have used it. (A
     * new one cannot make a remembered walk wrong: those read only
     * present entries.) */
    if ( old & _PAGE_PRESENT )
        frame_walks_stale();
    arch_frames_written(table, 1);
    if ( nval & _PAGE_PRESENT )
        table_mark_present(table, slot);
    if ( old & _PAGE_PRESENT )
        entry_put(type, old);

 out:
    frame_unmap(t);
    return rc;
}

/* Inlined into mmu_update's loop: under TCG a call and return cost as much
 * as a fifth of the entry. */
static always_inline int mod_l1_entry(struct domain *d, mfn_t l1, unsigned int slot,
                                      uint64_t nval, bool preserve_ad)
{
    return mod_entry(d, l1, FRAME_L1, slot, nval, preserve_ad);
}

#endif /* PVX_MM_TYPES_H */
