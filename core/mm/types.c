/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mm/types.c - page-frame types and reference counts (paper §3.3.3): the
 * lower layer of memory management. The guest owns its page tables and maps
 * them read-only; every frame has a reference count and a type count (see
 * pvx/frame.h). A table is validated entry by entry when it takes its type;
 * each present entry then holds a reference on what it names (and a type
 * reference: a writable L1 entry the "writable" type, an L2 entry "L1", an
 * L3 entry "L2"). So a frame that is a page table cannot be mapped writable,
 * a frame mapped writable cannot become a page table, and nothing is freed
 * while named. The hypercalls that change tables (mm/mmu.c) sit on top; this
 * layer calls nothing above it (scripts/check-layers.py checks it).
 *
 * Error codes follow Xen's xen/arch/x86/mm.c: bad flags -EINVAL; an L1 entry
 * naming another's frame or a typed frame writable -EBUSY, non-RAM -EPERM;
 * an L2/L3 entry naming a frame that cannot take the type -EINVAL; the
 * hypervisor's L2 slots -EPERM; L3 slot 3 -EINVAL.
 */
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/frame.h>
#include <pvx/layout.h>
#include <pvx/lib.h>
#include <pvx/machine.h>
#include <pvx/mm.h>
#include <public/xen.h>
#include "types.h"

/*
 * TLB safety. The guest flushes its own TLB (UVMF flags, mmuext) after it
 * changes a mapping. The hypervisor must flush itself before a stale entry
 * could break the type system: when a frame that lost a mapping since the
 * last full flush becomes a page table, or is freed. Each dropped mapping
 * stamps the frame with the current epoch (machine.mm.flush_epoch); a full
 * flush starts a new one. machine.mm.work counts the current hypercall's work
 * against MM_WORK_BUDGET.
 */

void mm_flush_all(void)
{
    arch_flush_tlb();
    machine.mm.flush_epoch++;
}

/*
 * The PDPT the CPU loads. A 32-bit guest's L3 may hold RW, US, A and D (as
 * on Xen), which a PAE CPU treats as reserved in a PDPTE: loading it would
 * fault in ring 0. So the CPU never loads the guest's L3 but a copy per vCPU
 * with the address and P only, made when the vCPU's cr3 or an entry of it
 * changes. Every vCPU has a 32-byte slot in frames the core keeps.
 */
#define MM_PDPT_FRAMES  ((MAX_DOMAINS * MAX_VIRT_CPUS * 32 + PAGE_SIZE - 1) / PAGE_SIZE)

void mm_init(void)
{
    machine.mm.pdpt_mfn = frame_alloc_contig(DOMID_XEN_OWN, MM_PDPT_FRAMES);
    if ( machine.mm.pdpt_mfn == INVALID_MFN )
        panic("no memory for the vCPUs' PDPTs");
    machine.mm.pdpt = arch_map_frames(machine.mm.pdpt_mfn, MM_PDPT_FRAMES);
    machine.mm.flush_epoch = 1;
    machine.mm.walk_gen = 1;
}

paddr_t mm_vcpu_pdpt(const struct vcpu *v)
{
    return ((paddr_t)machine.mm.pdpt_mfn << PAGE_SHIFT) + (paddr_t)vcpu_index(v) * 32;
}

/* Copy v's L3 into the PDPT the CPU loads for it. */
void mm_pdpt_sync(struct vcpu *v)
{
    uint64_t *pdpt = &machine.mm.pdpt[vcpu_index(v) * 4];
    const uint64_t *l3;

    if ( !v->cr3 )
    {
        memset(pdpt, 0, 32);
        return;
    }
    l3 = frame_map((mfn_t)(v->cr3 >> PAGE_SHIFT));
    /* Every address-space switch: by 32-bit halves, without branches. */
    for ( unsigned int i = 0; i < L3_ENTRIES; i++ )
    {
        uint32_t lo = (uint32_t)l3[i], hi = (uint32_t)(l3[i] >> 32);
        uint32_t keep = -(lo & _PAGE_PRESENT);

        pdpt[i] = ((uint64_t)(hi & (uint32_t)(PTE_ADDR_MASK >> 32) & keep) << 32) |
                  (lo & ((uint32_t)PTE_ADDR_MASK | _PAGE_PRESENT) & keep);
    }
    frame_unmap((void *)l3);
}

void mm_load_cr3(struct vcpu *v)
{
    mm_pdpt_sync(v);
    /* Only a load the CPU does flushes its TLB: another vCPU's new tables
     * (VCPUOP_initialise) are loaded when it is switched to. */
    if ( v != current )
        return;
    arch_load_cr3(mm_vcpu_pdpt(v));
    machine.mm.flush_epoch++;
}

uint64_t mm_table_read(mfn_t table, unsigned int slot)
{
    uint64_t *t = frame_map(table), e = t[slot];

    frame_unmap(t);
    return e;
}

void mm_table_write(mfn_t table, unsigned int slot, uint64_t e)
{
    uint64_t *t = frame_map(table);

    t[slot] = e;
    frame_unmap(t);
    arch_frames_written(table, 1);      /* a writable frame may hold code */
}

bool mm_get_ref(struct domain *d, mfn_t mfn)
{
    return get_ref(d, mfn);
}

void mm_put_ref(mfn_t mfn)
{
    put_ref(mfn);
}

noinline void mm_put_last_ref(mfn_t mfn)
{
    struct frame *f = frame_of(mfn);
    struct domain *d;

    if ( --f->ref_count )
        return;

    /* Nothing names it any more: back to the free pool. */
    ASSERT(f->type_count == 0 && !(f->flags & FRAME_F_PINNED));
    d = domain_lookup(f->owner);
    if ( d && !(f->flags & FRAME_F_XEN_SHARED) )
    {
        ASSERT(d->tot_pages > 0);
        d->tot_pages--;
    }
    if ( f->tlbflush_stamp == machine.mm.flush_epoch )
        mm_flush_all();
    frame_free(mfn);
    /* A destroyed domain's frame a foreign mapping kept: maybe its last. */
    if ( d && d->is_dying )
        domain_frame_freed(d);
}

bool mm_is_guest_l2_slot(const struct frame *l2, unsigned int slot)
{
    return !(l2->flags & FRAME_F_XEN_L2) || slot < HYP_FIRST_L2_SLOT;
}

static int validate_table(struct domain *d, mfn_t mfn, enum frame_type type, bool xen_l2);
static void release_table(mfn_t mfn, enum frame_type type, bool xen_l2);

noinline int mm_get_type_slow(struct domain *d, mfn_t mfn, enum frame_type type,
                                  bool xen_l2)
{
    struct frame *f = frame_of(mfn);
    uint8_t old_type, old_flags;
    int rc;

    ASSERT(f && f->ref_count > 0);
    /* The hypervisor writes shared_info (event bits, time) behind any
     * validation: as a table or descriptor frame, what it writes would be
     * mappings. Its shared pages are only ever plain (found by the fuzzer). */
    if ( type != FRAME_WRITABLE && (f->flags & FRAME_F_XEN_SHARED) )
        return -EINVAL;
    if ( f->type_count )
    {
        if ( f->type != type || !!(f->flags & FRAME_F_XEN_L2) != xen_l2 )
            return -EINVAL;
        f->type_count++;
        return 0;
    }

    /* Count zero: the frame may take a new type. A stale writable TLB entry
     * must not survive into its life as a table. */
    if ( type != FRAME_WRITABLE && f->tlbflush_stamp == machine.mm.flush_epoch )
        mm_flush_all();

    old_type = f->type;
    old_flags = f->flags;
    /* Hold the type while validating: a table naming itself then fails. */
    f->type = type;
    f->type_count = 1;
    f->flags &= ~(FRAME_F_VALIDATED | FRAME_F_XEN_L2);
    if ( xen_l2 )
        f->flags |= FRAME_F_XEN_L2;
    if ( is_table_type(type) )
    {
        rc = validate_table(d, mfn, type, xen_l2);
        if ( rc )
        {
            f->type = old_type;
            f->flags = old_flags;
            f->type_count = 0;
            return rc;
        }
        f->flags |= FRAME_F_VALIDATED;
    }
    return 0;
}

int mm_get_type(struct domain *d, mfn_t mfn, enum frame_type type, bool xen_l2)
{
    return get_type(d, mfn, type, xen_l2);
}

noinline void mm_put_last_type(mfn_t mfn)
{
    struct frame *f = frame_of(mfn);

    /* Last user gone: the table's entries stop holding references, and
     * the guest may write it from now on. */
    frame_walks_stale();
    release_table(mfn, f->type, f->flags & FRAME_F_XEN_L2);
    f->flags &= ~(FRAME_F_VALIDATED | FRAME_F_XEN_L2);
    f->type_count--;
}

void mm_put_type(mfn_t mfn)
{
    put_type(mfn);
}

int mm_l2e_get(struct domain *d, uint64_t e)
{
    mfn_t m = pte_mfn(e);
    int rc;

    /* PSE (a superpage), PWT/PCD, NX and high address bits are refused. */
    if ( e & ~(PTE_ADDR_MASK | MM_L2_ALLOWED) )
        return -EINVAL;
    if ( !get_ref(d, m) )
        return -EINVAL;
    rc = get_type(d, m, FRAME_L1, false);
    if ( rc )
        put_ref(m);
    return rc;
}

void mm_l2e_put(uint64_t e)
{
    mfn_t m = pte_mfn(e);

    put_type(m);
    frame_of(m)->tlbflush_stamp = machine.mm.flush_epoch;
    put_ref(m);
}

int mm_l3e_get(struct domain *d, uint64_t e, unsigned int slot)
{
    mfn_t m = pte_mfn(e);
    int rc;

    /* A PDPTE has no RW/US/A/D: those bits are reserved there. */
    if ( e & ~(PTE_ADDR_MASK | MM_L3_ALLOWED) )
        return -EINVAL;
    if ( !get_ref(d, m) )
        return -EINVAL;
    /* Naming an L3 (itself included) fails here: it cannot be an L2. */
    rc = get_type(d, m, FRAME_L2, slot == 3);
    if ( rc )
        goto fail;
    /* The L2 with the hypervisor's slots belongs to one L3 only. */
    if ( slot == 3 && frame_of(m)->type_count != 1 )
    {
        put_type(m);
        rc = -EINVAL;
        goto fail;
    }
    return 0;

 fail:
    put_ref(m);
    return rc;
}

void mm_l3e_put(uint64_t e)
{
    mm_l2e_put(e);
}

/* ------------------------------------------------------------------------
 * Whole tables: validated when they take their type, released at count 0.
 */

static unsigned int table_guest_slots(enum frame_type type, bool xen_l2)
{
    if ( type == FRAME_L3 )
        return L3_ENTRIES;
    if ( type == FRAME_L2 && xen_l2 )
        return HYP_FIRST_L2_SLOT;
    return 512;
}

/*
 * Most slots of a fresh address space's tables are empty, and pinning one
 * reads them all (a fork pins five tables: 2,476 slots). A group of 8 slots
 * is tested at once, by the present bits of their low words.
 */
static always_inline bool group_empty(const uint64_t *t)
{
    return !(((uint32_t)t[0] | (uint32_t)t[1] | (uint32_t)t[2] | (uint32_t)t[3] |
              (uint32_t)t[4] | (uint32_t)t[5] | (uint32_t)t[6] | (uint32_t)t[7]) & _PAGE_PRESENT);
}

static int validate_table(struct domain *d, mfn_t mfn, enum frame_type type, bool xen_l2)
{
    unsigned int n = table_guest_slots(type, xen_l2), i = 0;
    uint64_t *t = frame_map(mfn), present = 0;
    int rc = 0;

    /* PAE: slot 3 carries the hypervisor; an L3 without it is no L3. */
    if ( type == FRAME_L3 && !(t[3] & _PAGE_PRESENT) )
    {
        rc = -EINVAL;
        goto out;
    }
    i = 0;
    while ( i < n )
    {
        unsigned int end;

        /* The empty groups: a tight loop of one test each, two groups a
         * round (i stays at the start of a group). */
        while ( i + 2 * TABLE_GROUP_SLOTS <= n && group_empty(&t[i]) &&
                group_empty(&t[i + TABLE_GROUP_SLOTS]) )
            i += 2 * TABLE_GROUP_SLOTS;
        if ( i + TABLE_GROUP_SLOTS <= n && group_empty(&t[i]) )
        {
            i += TABLE_GROUP_SLOTS;
            continue;
        }
        end = MIN(i + TABLE_GROUP_SLOTS, n);
        for ( ; i < end; i++ )
        {
            if ( !(t[i] & _PAGE_PRESENT) )
                continue;
            machine.mm.work++;
            rc = entry_get(d, type, t[i], i);
            if ( rc )
                goto undo;
            present |= table_group_bit(i);
        }
    }
 undo:
    if ( rc )
    {
        while ( i-- > 0 )
            if ( t[i] & _PAGE_PRESENT )
                entry_put(type, t[i]);
        goto out;
    }
    if ( type == FRAME_L2 && xen_l2 )
        frame_fill_xen_l2(t);
    /* Only a table that took its type has a map: a refusal changes nothing. */
    frame_of(mfn)->present[0] = (uint32_t)present;
    frame_of(mfn)->present[1] = (uint32_t)(present >> 32);

 out:
    frame_unmap(t);
    return rc;
}

/* Drop the references of every present entry: only the groups its present
 * map names can hold one. */
static void release_table(mfn_t mfn, enum frame_type type, bool xen_l2)
{
    unsigned int n = table_guest_slots(type, xen_l2);
    const struct frame *f = frame_of(mfn);
    uint64_t *t = frame_map(mfn), present = f->present[0] | (uint64_t)f->present[1] << 32;

    while ( present )
    {
        unsigned int g = (unsigned int)__builtin_ctzll(present);
        unsigned int i = g * TABLE_GROUP_SLOTS, end = MIN(i + TABLE_GROUP_SLOTS, n);

        present &= present - 1;
        for ( ; i < end; i++ )
            if ( t[i] & _PAGE_PRESENT )
            {
                machine.mm.work++;
                entry_put(type, t[i]);
            }
    }
    frame_unmap(t);
}

int mm_mod_l2_entry(struct domain *d, mfn_t l2, unsigned int slot, uint64_t nval,
                        bool preserve_ad)
{
    /* The hypervisor's slots of the slot-3 L2 never change. */
    if ( !mm_is_guest_l2_slot(frame_of(l2), slot) )
        return -EPERM;
    return mod_entry(d, l2, FRAME_L2, slot, nval, preserve_ad);
}

int mm_mod_l3_entry(struct domain *d, mfn_t l3, unsigned int slot, uint64_t nval,
                        bool preserve_ad)
{
    /* Slot 3 (the hypervisor's L2) is fixed while the L3 is in use; slots
     * past the four PDPTEs mean nothing to the MMU. */
    if ( slot >= 3 )
        return -EINVAL;
    return mod_entry(d, l3, FRAME_L3, slot, nval, preserve_ad);
}
