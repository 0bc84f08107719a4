/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mm.c - page-frame types and validated page-table updates (paper §3.3.3):
 * the guest owns its page tables, maps them read-only, and asks the
 * hypervisor to change them with mmu_update, mmuext_op and update_va_mapping.
 *
 * Every frame has a reference count and a type count (see pvx/frame.h). A
 * table is validated entry by entry when it takes its type; each present
 * entry then holds a reference on what it names (and a type reference: a
 * writable L1 entry the "writable" type, an L2 entry "L1", an L3 entry "L2").
 * So a frame that is a page table cannot be mapped writable, a frame mapped
 * writable cannot become a page table, and nothing is freed while named.
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
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/layout.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/machine.h>
#include <public/xen.h>

/*
 * TLB safety. The guest flushes its own TLB (UVMF flags, mmuext) after it
 * changes a mapping. The hypervisor must flush itself before a stale entry
 * could break the type system: when a frame that lost a mapping since the
 * last full flush becomes a page table, or is freed. Each dropped mapping
 * stamps the frame with the current epoch (machine.mm.flush_epoch); a full
 * flush starts a new one. machine.mm.work counts the current hypercall's work
 * against MM_WORK_BUDGET.
 */

static void mm_flush_all(void)
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
}

paddr_t mm_vcpu_pdpt(const struct vcpu *v)
{
    return ((paddr_t)machine.mm.pdpt_mfn << PAGE_SHIFT) + (paddr_t)vcpu_index(v) * 32;
}

/* Copy v's L3 into the PDPT the CPU loads for it. */
static void mm_pdpt_sync(struct vcpu *v)
{
    uint64_t *pdpt = &machine.mm.pdpt[vcpu_index(v) * 4];
    const uint64_t *l3;

    if ( !v->cr3 )
    {
        memset(pdpt, 0, 32);
        return;
    }
    l3 = frame_map((mfn_t)(v->cr3 >> PAGE_SHIFT));
    for ( unsigned int i = 0; i < L3_ENTRIES; i++ )
        pdpt[i] = (l3[i] & _PAGE_PRESENT) ? l3[i] & (PTE_ADDR_MASK | _PAGE_PRESENT) : 0;
    frame_unmap((void *)l3);
}

static void mm_load_cr3(struct vcpu *v)
{
    mm_pdpt_sync(v);
    if ( v == current )
        arch_load_cr3(mm_vcpu_pdpt(v));
    machine.mm.flush_epoch++;
}

static inline mfn_t pte_mfn(uint64_t e)
{
    return (mfn_t)((e & PTE_ADDR_MASK) >> PAGE_SHIFT);
}

static inline bool is_table_type(unsigned int type)
{
    return type == FRAME_L1 || type == FRAME_L2 || type == FRAME_L3;
}

static uint64_t table_read(mfn_t table, unsigned int slot)
{
    uint64_t *t = frame_map(table), e = t[slot];

    frame_unmap(t);
    return e;
}

static void table_write(mfn_t table, unsigned int slot, uint64_t e)
{
    uint64_t *t = frame_map(table);

    t[slot] = e;
    frame_unmap(t);
    arch_frames_written(table, 1);      /* a writable frame may hold code */
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

bool mm_get_ref(struct domain *d, mfn_t mfn)
{
    return get_ref(d, mfn);
}

static noinline void put_last_ref(mfn_t mfn);

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
        put_last_ref(mfn);
}

static always_inline void put_ref(mfn_t mfn)
{
    struct frame *f = frame_of(mfn);

    ASSERT(f);
    fput_ref(f, mfn);
}

void mm_put_ref(mfn_t mfn)
{
    put_ref(mfn);
}

static noinline void put_last_ref(mfn_t mfn)
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
}

bool mm_is_guest_l2_slot(const struct frame *l2, unsigned int slot)
{
    return !(l2->flags & FRAME_F_XEN_L2) || slot < HYP_FIRST_L2_SLOT;
}

static int validate_table(struct domain *d, mfn_t mfn, enum frame_type type, bool xen_l2);
static void release_table(mfn_t mfn, enum frame_type type, bool xen_l2);

static noinline int get_type_slow(struct domain *d, mfn_t mfn, enum frame_type type,
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

/* One more writable mapping of a frame that is writable already. */
static always_inline int fget_type(struct domain *d, struct frame *f, mfn_t mfn,
                                   enum frame_type type, bool xen_l2)
{
    ASSERT(f->ref_count > 0);
    if ( type == FRAME_WRITABLE && f->type_count && f->type == FRAME_WRITABLE &&
         !(f->flags & FRAME_F_XEN_L2) )
    {
        f->type_count++;
        return 0;
    }
    return get_type_slow(d, mfn, type, xen_l2);
}

static always_inline int get_type(struct domain *d, mfn_t mfn, enum frame_type type,
                                  bool xen_l2)
{
    struct frame *f = frame_of(mfn);

    ASSERT(f);
    return fget_type(d, f, mfn, type, xen_l2);
}

int mm_get_type(struct domain *d, mfn_t mfn, enum frame_type type, bool xen_l2)
{
    return get_type(d, mfn, type, xen_l2);
}

static noinline void put_last_type(mfn_t mfn)
{
    struct frame *f = frame_of(mfn);

    /* Last user gone: the table's entries stop holding references. */
    release_table(mfn, f->type, f->flags & FRAME_F_XEN_L2);
    f->flags &= ~(FRAME_F_VALIDATED | FRAME_F_XEN_L2);
    f->type_count--;
}

static always_inline void fput_type(struct frame *f, mfn_t mfn)
{
    ASSERT(f->type_count > 0);
    if ( f->type_count > 1 || !is_table_type(f->type) )
        f->type_count--;
    else
        put_last_type(mfn);
}

static always_inline void put_type(mfn_t mfn)
{
    struct frame *f = frame_of(mfn);

    ASSERT(f);
    fput_type(f, mfn);
}

void mm_put_type(mfn_t mfn)
{
    put_type(mfn);
}

/* ------------------------------------------------------------------------
 * One entry: the references a present entry holds.
 */

static uint64_t l1_allowed(const struct domain *d)
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

static inline void l1e_put(uint64_t e)
{
    mfn_t m = pte_mfn(e);
    struct frame *f = frame_of(m);

    if ( e & _PAGE_RW )
        fput_type(f, m);
    f->tlbflush_stamp = machine.mm.flush_epoch;
    fput_ref(f, m);
}

static int l2e_get(struct domain *d, uint64_t e)
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

static void l2e_put(uint64_t e)
{
    mfn_t m = pte_mfn(e);

    put_type(m);
    frame_of(m)->tlbflush_stamp = machine.mm.flush_epoch;
    put_ref(m);
}

static int l3e_get(struct domain *d, uint64_t e, unsigned int slot)
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

static void l3e_put(uint64_t e)
{
    l2e_put(e);
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

static always_inline int entry_get(struct domain *d, enum frame_type type, uint64_t e,
                                   unsigned int slot)
{
    switch ( type )
    {
    case FRAME_L1: return l1e_get(d, e);
    case FRAME_L2: return l2e_get(d, e);
    case FRAME_L3: return l3e_get(d, e, slot);
    default:       ASSERT_UNREACHABLE();   /* only tables have entries */
    }
}

static always_inline void entry_put(enum frame_type type, uint64_t e)
{
    switch ( type )
    {
    case FRAME_L1: l1e_put(e); break;
    case FRAME_L2: l2e_put(e); break;
    case FRAME_L3: l3e_put(e); break;
    default:       ASSERT_UNREACHABLE();   /* only tables have entries */
    }
}

static int validate_table(struct domain *d, mfn_t mfn, enum frame_type type, bool xen_l2)
{
    unsigned int n = table_guest_slots(type, xen_l2), i;
    uint64_t *t = frame_map(mfn);
    int rc = 0;

    /* PAE: slot 3 carries the hypervisor; an L3 without it is no L3. */
    if ( type == FRAME_L3 && !(t[3] & _PAGE_PRESENT) )
    {
        rc = -EINVAL;
        goto out;
    }
    for ( i = 0; i < n; i++ )
    {
        if ( !(t[i] & _PAGE_PRESENT) )
            continue;
        machine.mm.work++;
        rc = entry_get(d, type, t[i], i);
        if ( rc )
            break;
    }
    if ( rc )
    {
        while ( i-- > 0 )
            if ( t[i] & _PAGE_PRESENT )
                entry_put(type, t[i]);
        goto out;
    }
    if ( type == FRAME_L2 && xen_l2 )
        frame_fill_xen_l2(t);

 out:
    frame_unmap(t);
    return rc;
}

static void release_table(mfn_t mfn, enum frame_type type, bool xen_l2)
{
    unsigned int n = table_guest_slots(type, xen_l2), i;
    uint64_t *t = frame_map(mfn);

    for ( i = 0; i < n; i++ )
        if ( t[i] & _PAGE_PRESENT )
        {
            machine.mm.work++;
            entry_put(type, t[i]);
        }
    frame_unmap(t);
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
    arch_frames_written(table, 1);
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

static int mod_l2_entry(struct domain *d, mfn_t l2, unsigned int slot, uint64_t nval,
                        bool preserve_ad)
{
    /* The hypervisor's slots of the slot-3 L2 never change. */
    if ( !mm_is_guest_l2_slot(frame_of(l2), slot) )
        return -EPERM;
    return mod_entry(d, l2, FRAME_L2, slot, nval, preserve_ad);
}

static int mod_l3_entry(struct domain *d, mfn_t l3, unsigned int slot, uint64_t nval,
                        bool preserve_ad)
{
    /* Slot 3 (the hypervisor's L2) is fixed while the L3 is in use; slots
     * past the four PDPTEs mean nothing to the MMU. */
    if ( slot >= 3 )
        return -EINVAL;
    return mod_entry(d, l3, FRAME_L3, slot, nval, preserve_ad);
}

/* ------------------------------------------------------------------------
 * mmu_update
 */

struct mmu_batch {
    bool linear;        /* an L2 or L3 changed: flush the whole TLB */
    bool reload_cr3;    /* the running L3 changed: the CPU caches its PDPTEs */
    /* The table the last request named, and the reference held on it: a run
     * of requests into one table takes and drops it once, not per entry.
     * "None" is a NULL frame, never a reserved frame number: any number at
     * all may come from the guest (INVALID_MFN did, and matched). */
    struct frame *held_f;
    mfn_t held;
};

static void mmu_batch_release(struct mmu_batch *b)
{
    if ( b->held_f )
        fput_ref(b->held_f, b->held);
    b->held_f = NULL;
}

static int mmu_normal_update(struct vcpu *v, uint64_t ptr, uint64_t val, bool preserve_ad,
                             struct mmu_batch *fl)
{
    struct domain *d = v->domain;
    mfn_t mfn = (mfn_t)(ptr >> PAGE_SHIFT);
    unsigned int slot = (unsigned int)(ptr & (PAGE_SIZE - 1)) >> 3;
    struct frame *f;
    int rc;

    if ( (ptr >> PAGE_SHIFT) != mfn )
        return -EINVAL;
    f = frame_of(mfn);
    if ( !f )
        return -EINVAL;
    if ( f != fl->held_f )
    {
        if ( !fget_ref(d, f) )
            return -EINVAL;
        mmu_batch_release(fl);
        fl->held = mfn;
        fl->held_f = f;
    }

    if ( f->type_count == 0 )
    {
        /* An untyped frame of the domain: a plain write, as Xen does. */
        rc = get_type(d, mfn, FRAME_WRITABLE, false);
        if ( !rc )
        {
            table_write(mfn, slot, val);
            put_type(mfn);
        }
        goto out;
    }

    switch ( f->type )
    {
    case FRAME_L1:
        rc = mod_l1_entry(d, mfn, slot, val, preserve_ad);
        break;
    case FRAME_L2:
        rc = mod_l2_entry(d, mfn, slot, val, preserve_ad);
        fl->linear |= !rc;
        break;
    case FRAME_L3:
        rc = mod_l3_entry(d, mfn, slot, val, preserve_ad);
        fl->linear |= !rc;
        /* A live L3 of the domain changed: its vCPUs' PDPTs follow. */
        for ( unsigned int i = 0; !rc && i < d->nr_vcpus; i++ )
            if ( d->vcpu[i].cr3 && mfn == (mfn_t)(d->vcpu[i].cr3 >> PAGE_SHIFT) )
            {
                mm_pdpt_sync(&d->vcpu[i]);
                fl->reload_cr3 |= &d->vcpu[i] == v;
            }
        break;
    case FRAME_WRITABLE:
        table_write(mfn, slot, val);
        rc = 0;
        break;
    default:
        rc = -EINVAL;                   /* descriptor frames: update_descriptor */
        break;
    }

 out:
    return rc;
}

/*
 * The domain whose frames a request may name. Only the caller's own for now:
 * naming itself by id is -ESRCH (Xen), another domain, DOMID_IO or DOMID_XEN
 * -EPERM (foreign mappings come with grant tables).
 */
static int mm_check_pg_owner(struct domain *d, uint16_t domid)
{
    if ( domid == DOMID_SELF )
        return 0;
    if ( domid == d->domain_id )
        return -ESRCH;
    if ( domid == DOMID_IO || domid == DOMID_XEN || domain_lookup(domid) )
        return -EPERM;
    return -ESRCH;
}

/* An array of count elements of size bytes at va lies in the guest's part. */
static bool mm_array_ok(uint32_t va, uint32_t count, uint32_t size)
{
    return (uint64_t)va + (uint64_t)count * size <= HYPERVISOR_VIRT_START;
}

/*
 * Requests are read in place, a page at a time: one walk serves every request
 * wholly inside the page, and a request in an unmapped page is still -EFAULT
 * at its own index with every request before it done. The one that straddles
 * a page boundary is copied alone. A batch that remaps the page holding its
 * own request array goes on reading the page it mapped first, until the next
 * page; Xen reads through a TLB it only flushes at the end of the batch, so it
 * promises no more. The page cannot be freed meanwhile: it is the domain's,
 * and only memory_op gives frames back.
 */
struct mmu_reqs {
    const uint8_t *next;                /* in the mapped page, or &bounce; any alignment */
    unsigned int left;                  /* requests left at next */
    const void *map;                    /* the mapping, NULL if none */
    struct mmu_update bounce;
};

static int mmu_reqs_fill(struct vcpu *v, struct mmu_reqs *r, gva_t va, uint32_t count)
{
    unsigned int n = (PAGE_SIZE - (va & (PAGE_SIZE - 1))) / sizeof(r->bounce);

    if ( r->map )
        frame_unmap(guest_page_base(r->map));
    r->map = NULL;
    if ( n == 0 )
    {
        if ( copy_from_guest(v, &r->bounce, va, sizeof(r->bounce)) )
            return -EFAULT;
        r->next = (const uint8_t *)&r->bounce;
        r->left = 1;
        return 0;
    }
    r->map = guest_map_ro(v, va);
    if ( r->map == NULL )
        return -EFAULT;
    r->next = r->map;
    r->left = MIN(n, count);
    return 0;
}

long do_mmu_update(struct vcpu *v, uint32_t ureqs, uint32_t count, uint32_t pdone,
                   uint32_t foreigndom, uint32_t a5 __unused)
{
    struct domain *d = v->domain;
    struct mmu_batch fl = { .held_f = NULL };
    uint32_t done = 0, i, pt_dom = foreigndom >> 16;
    struct mmu_update req;
    struct mmu_reqs reqs = { .map = NULL, .left = 0 };
    long rc = 0;

    if ( count & MMU_UPDATE_PREEMPTED )
    {
        count &= ~MMU_UPDATE_PREEMPTED;
        if ( pdone )
            (void)copy_from_guest(v, &done, pdone, sizeof(done));
    }
    if ( !mm_array_ok(ureqs, count, sizeof(req)) )
        return -EFAULT;
    /* Page tables of another domain (foreigndom >> 16 = its id + 1). */
    if ( pt_dom && pt_dom - 1 != d->domain_id )
        return domain_lookup((uint16_t)(pt_dom - 1)) ? -EPERM : -ESRCH;
    rc = mm_check_pg_owner(d, (uint16_t)foreigndom);
    if ( rc )
        return rc;

    machine.mm.work = 0;
    for ( i = 0; i < count; i++ )
    {
        uint32_t cmd;

        if ( i && machine.mm.work >= MM_WORK_BUDGET )
        {
            rc = -ERESTART;
            break;
        }
        if ( reqs.left == 0 )
        {
            rc = mmu_reqs_fill(v, &reqs, ureqs + i * (uint32_t)sizeof(req), count - i);
            if ( rc )
                break;
        }
        memcpy(&req, reqs.next, sizeof(req));       /* the guest may misalign its array */
        reqs.next += sizeof(req);
        reqs.left--;
        machine.mm.work++;

        cmd = (uint32_t)(req.ptr & 7);
        switch ( cmd )
        {
        case MMU_NORMAL_PT_UPDATE:
        case MMU_PT_UPDATE_PRESERVE_AD:
        case MMU_PT_UPDATE_NO_TRANSLATE:        /* a PV guest has nothing to translate */
            rc = mmu_normal_update(v, req.ptr - cmd, req.val,
                                   cmd == MMU_PT_UPDATE_PRESERVE_AD, &fl);
            break;

        case MMU_MACHPHYS_UPDATE:
        {
            mfn_t mfn = (mfn_t)(req.ptr >> PAGE_SHIFT);
            struct frame *f = frame_of(mfn);

            /* Only for the domain's own frames; the pfn is the guest's business. */
            if ( (req.ptr >> PAGE_SHIFT) != mfn || !f || f->owner != d->domain_id )
                rc = -EINVAL;
            else
                m2p_set(mfn, (uint32_t)req.val);
            break;
        }

        default:
            rc = -ENOSYS;
            break;
        }
        if ( rc )
            break;
    }

    if ( reqs.map )
        frame_unmap(guest_page_base(reqs.map));
    mmu_batch_release(&fl);
    if ( fl.reload_cr3 )
        mm_load_cr3(v);                 /* the CPU caches PDPTEs: reload them */
    else if ( fl.linear )
        mm_flush_all();

    if ( rc == -ERESTART )
        rc = hypercall_create_continuation(v, __HYPERVISOR_mmu_update, 4,
                                           ureqs + i * (uint32_t)sizeof(req),
                                           (count - i) | MMU_UPDATE_PREEMPTED,
                                           pdone, foreigndom);
    if ( pdone )
    {
        done += i;
        (void)copy_to_guest(v, pdone, &done, sizeof(done));
    }
    return rc;
}

/* ------------------------------------------------------------------------
 * mmuext_op
 */

static int mmuext_pin(struct domain *d, mfn_t mfn, enum frame_type type)
{
    struct frame *f;
    int rc;

    if ( !get_ref(d, mfn) )
        return -EINVAL;
    /* Pinned already: refused before any validation work is done. */
    f = frame_of(mfn);
    rc = -EINVAL;
    if ( f->flags & FRAME_F_PINNED )
        goto drop_ref;
    rc = get_type(d, mfn, type, false);
    if ( rc )
        goto drop_ref;
    f->flags |= FRAME_F_PINNED;         /* the pin keeps both references */
    return 0;

 drop_ref:
    put_ref(mfn);
    return rc;
}

static int mmuext_unpin(struct domain *d, mfn_t mfn)
{
    struct frame *f;

    if ( !get_ref(d, mfn) )
        return -EINVAL;
    f = frame_of(mfn);
    if ( !(f->flags & FRAME_F_PINNED) )
    {
        put_ref(mfn);
        return -EINVAL;
    }
    f->flags &= ~FRAME_F_PINNED;
    put_type(mfn);
    put_ref(mfn);                    /* the pin's */
    put_ref(mfn);                    /* ours */
    return 0;
}

static int mmuext_new_baseptr(struct vcpu *v, mfn_t mfn)
{
    struct domain *d = v->domain;
    mfn_t old = (mfn_t)(v->cr3 >> PAGE_SHIFT);
    int rc;

    if ( v->cr3 && old == mfn )
    {
        mm_load_cr3(v);
        return 0;
    }
    if ( !get_ref(d, mfn) )
        return -EINVAL;
    rc = get_type(d, mfn, FRAME_L3, false);
    if ( rc )
    {
        put_ref(mfn);
        return rc;
    }
    v->cr3 = (paddr_t)mfn << PAGE_SHIFT;
    mm_load_cr3(v);
    /* Only now, running on the new tables, may the old ones go. */
    if ( old )
    {
        put_type(old);
        put_ref(old);
    }
    return 0;
}

/* The same for a guest's `mov %reg, %cr3` (emulate.c). */
int mm_new_baseptr(struct vcpu *v, mfn_t mfn)
{
    return mmuext_new_baseptr(v, mfn);
}

/* A vCPU bitmap in guest memory: does it name vCPU 0 (the only one)? */
static int mm_vcpumask_has_self(struct vcpu *v, uint32_t mask_va, bool *self)
{
    uint32_t mask;

    if ( copy_from_guest(v, &mask, mask_va, sizeof(mask)) )
        return -EFAULT;
    *self = mask & (1u << v->id);
    return 0;
}

static int mmuext_set_ldt(struct vcpu *v, uint32_t ptr, uint32_t ents)
{
    int rc;

    if ( ents > 8192 )
        return -EINVAL;
    /* The whole table below the hypervisor, not just its start. */
    if ( ents && ((ptr & (PAGE_SIZE - 1)) ||
                  (uint64_t)ptr + (uint64_t)ents * 8 > HYPERVISOR_VIRT_START) )
        return -EINVAL;
    if ( v->ldt_base == (ents ? ptr : 0) && v->ldt_ents == ents )
        return 0;
    /* The frames are typed (segment descriptor) when first used. */
    rc = desc_set_ldt(v, ptr, ents);
    if ( !rc )
        mm_flush_all();
    return rc;
}

static int mmuext_clear_or_copy(struct domain *d, mfn_t dst, mfn_t src, bool copy)
{
    int rc = -EINVAL;

    if ( copy && !get_ref(d, src) )
        return -EINVAL;
    if ( !get_ref(d, dst) )
        goto out_src;
    if ( get_type(d, dst, FRAME_WRITABLE, false) )
        goto out_dst;
    {
        uint8_t *p = frame_map(dst);

        if ( copy )
        {
            uint8_t *s = frame_map(src);

            memcpy(p, s, PAGE_SIZE);
            frame_unmap(s);
        }
        else
            memset(p, 0, PAGE_SIZE);
        frame_unmap(p);
        arch_frames_written(dst, 1);
    }
    put_type(dst);
    rc = 0;
 out_dst:
    put_ref(dst);
 out_src:
    if ( copy )
        put_ref(src);
    return rc;
}

static int mmuext_one(struct vcpu *v, const struct mmuext_op *op)
{
    struct domain *d = v->domain;
    bool self;
    int rc;

    switch ( op->cmd )
    {
    case MMUEXT_PIN_L1_TABLE:
        return mmuext_pin(d, op->arg1.mfn, FRAME_L1);
    case MMUEXT_PIN_L2_TABLE:
        return mmuext_pin(d, op->arg1.mfn, FRAME_L2);
    case MMUEXT_PIN_L3_TABLE:
        return mmuext_pin(d, op->arg1.mfn, FRAME_L3);
    case MMUEXT_PIN_L4_TABLE:
        return 0;                       /* no L4 for a 32-bit guest: ignored, as Xen */
    case MMUEXT_UNPIN_TABLE:
        return mmuext_unpin(d, op->arg1.mfn);
    case MMUEXT_NEW_BASEPTR:
        return mmuext_new_baseptr(v, op->arg1.mfn);

    case MMUEXT_TLB_FLUSH_LOCAL:
    case MMUEXT_TLB_FLUSH_ALL:          /* one vCPU: "all" is this one */
        mm_flush_all();
        return 0;
    case MMUEXT_INVLPG_LOCAL:
    case MMUEXT_INVLPG_ALL:
        if ( op->arg1.linear_addr < HYPERVISOR_VIRT_START )
            arch_flush_tlb_one(op->arg1.linear_addr);
        return 0;
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_INVLPG_MULTI:
        rc = mm_vcpumask_has_self(v, op->arg2.vcpumask, &self);
        if ( rc )
            return -EINVAL;
        if ( self && op->cmd == MMUEXT_TLB_FLUSH_MULTI )
            mm_flush_all();
        else if ( self && op->arg1.linear_addr < HYPERVISOR_VIRT_START )
            arch_flush_tlb_one(op->arg1.linear_addr);
        return 0;

    case MMUEXT_FLUSH_CACHE:
    case MMUEXT_FLUSH_CACHE_GLOBAL:
        /* Guest memory is coherent on both machines: nothing to write back. */
        return d->is_privileged ? 0 : -EACCES;

    case MMUEXT_SET_LDT:
        return mmuext_set_ldt(v, op->arg1.linear_addr, op->arg2.nr_ents);

    case MMUEXT_CLEAR_PAGE:
        return mmuext_clear_or_copy(d, op->arg1.mfn, 0, false);
    case MMUEXT_COPY_PAGE:
        return mmuext_clear_or_copy(d, op->arg1.mfn, op->arg2.src_mfn, true);

    case MMUEXT_MARK_SUPER:
    case MMUEXT_UNMARK_SUPER:
        return -EOPNOTSUPP;
    default:
        return -ENOSYS;
    }
}

long do_mmuext_op(struct vcpu *v, uint32_t uops, uint32_t count, uint32_t pdone,
                  uint32_t foreigndom, uint32_t a5 __unused)
{
    struct domain *d = v->domain;
    struct mmuext_op op;
    uint32_t done = 0, i;
    long rc;

    if ( count & MMU_UPDATE_PREEMPTED )
    {
        count &= ~MMU_UPDATE_PREEMPTED;
        if ( pdone )
            (void)copy_from_guest(v, &done, pdone, sizeof(done));
    }
    if ( !mm_array_ok(uops, count, sizeof(op)) )
        return -EFAULT;
    rc = mm_check_pg_owner(d, (uint16_t)foreigndom);
    if ( rc )
        return rc;

    machine.mm.work = 0;
    for ( i = 0; i < count; i++ )
    {
        if ( i && machine.mm.work >= MM_WORK_BUDGET )
        {
            rc = -ERESTART;
            break;
        }
        if ( copy_from_guest(v, &op, uops + i * sizeof(op), sizeof(op)) )
        {
            rc = -EFAULT;
            break;
        }
        machine.mm.work++;
        rc = mmuext_one(v, &op);
        if ( rc )
            break;
    }

    if ( rc == -ERESTART )
        rc = hypercall_create_continuation(v, __HYPERVISOR_mmuext_op, 4,
                                           uops + i * (uint32_t)sizeof(op),
                                           (count - i) | MMU_UPDATE_PREEMPTED,
                                           pdone, foreigndom);
    if ( pdone )
    {
        done += i;
        (void)copy_to_guest(v, pdone, &done, sizeof(done));
    }
    return rc;
}

/* ------------------------------------------------------------------------
 * update_va_mapping
 */

/* The L1 that maps va in v's current address space, by the guest's tables. */
static bool mm_guest_l1(struct vcpu *v, uint32_t va, mfn_t *l1)
{
    uint64_t e;

    if ( va >= HYPERVISOR_VIRT_START || !v->cr3 )
        return false;
    e = table_read((mfn_t)(v->cr3 >> PAGE_SHIFT), l3_table_offset(va));
    if ( !(e & _PAGE_PRESENT) )
        return false;
    e = table_read(pte_mfn(e), l2_table_offset(va));
    if ( !(e & _PAGE_PRESENT) || (e & _PAGE_PSE) )
        return false;
    *l1 = pte_mfn(e);
    return true;
}

long do_update_va_mapping(struct vcpu *v, uint32_t va, uint32_t lo, uint32_t hi,
                          uint32_t flags, uint32_t a5 __unused)
{
    struct domain *d = v->domain;
    uint64_t val = ((uint64_t)hi << 32) | lo;
    uint32_t which = flags & ~UVMF_FLUSHTYPE_MASK, flush = flags & UVMF_FLUSHTYPE_MASK;
    bool self = true;
    mfn_t l1;
    long rc;

    /* Decode everything first: the vCPU mask is read before the entry
     * changes (Xen reads it after, and can fail a call that took effect). */
    if ( (flush == UVMF_TLB_FLUSH || flush == UVMF_INVLPG) && which != UVMF_LOCAL &&
         which != UVMF_ALL && mm_vcpumask_has_self(v, which, &self) )
        return -EFAULT;
    if ( !mm_guest_l1(v, va, &l1) || !get_ref(d, l1) )
        return -EINVAL;
    if ( frame_of(l1)->type != FRAME_L1 || frame_of(l1)->type_count == 0 )
        rc = -EINVAL;
    else
        rc = mod_l1_entry(d, l1, l1_table_offset(va), val, false);
    put_ref(l1);
    if ( rc || !self )
        return rc;

    /* The entry changed; now the flush the guest asked for. */
    if ( flush == UVMF_TLB_FLUSH )
        mm_flush_all();
    else if ( flush == UVMF_INVLPG )
        arch_flush_tlb_one(va);
    return 0;
}

/* ------------------------------------------------------------------------
 * Building and destroying.
 */

int mm_build_initial(struct domain *d, mfn_t l3)
{
    struct vcpu *v = &d->vcpu[0];
    int rc;

    rc = mmuext_pin(d, l3, FRAME_L3);
    if ( rc )
        return rc;
    if ( !get_ref(d, l3) )
        BUG();
    rc = get_type(d, l3, FRAME_L3, false);
    BUG_ON(rc);                         /* typed already: cannot fail */
    v->cr3 = (paddr_t)l3 << PAGE_SHIFT;
    mm_pdpt_sync(v);
    return 0;
}

void mm_relinquish(struct domain *d)
{
    mfn_t m, max = frame_max_mfn();
    unsigned int i;

    for ( i = 0; i < d->nr_vcpus; i++ )
    {
        struct vcpu *v = &d->vcpu[i];
        mfn_t l3 = (mfn_t)(v->cr3 >> PAGE_SHIFT);

        if ( !v->cr3 )
            continue;
        v->cr3 = 0;
        mm_pdpt_sync(v);
        put_type(l3);
        put_ref(l3);
    }
    for ( m = 0; m < max; m++ )
    {
        struct frame *f = frame_of(m);

        if ( f->owner != d->domain_id || !(f->flags & FRAME_F_PINNED) )
            continue;
        f->flags &= ~FRAME_F_PINNED;
        put_type(m);
        put_ref(m);
    }
    for ( m = 0; m < max; m++ )
    {
        struct frame *f = frame_of(m);

        if ( f->owner != d->domain_id || !(f->flags & FRAME_F_ALLOCATED) )
            continue;
        f->flags &= ~FRAME_F_ALLOCATED;
        put_ref(m);
    }
}
