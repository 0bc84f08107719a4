/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mm/mmu.c - the MMU hypercalls (paper §3.3.3): mmu_update, mmuext_op and
 * update_va_mapping, and the domain-wide operations on page tables (the
 * builder's last step, a dying domain's teardown). Every table change goes
 * through the type layer below (mm/types.h, mm/types.c), which never calls
 * back up here.
 */
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/layout.h>
#include <pvx/lib.h>
#include <pvx/machine.h>
#include <pvx/mm.h>
#include <public/xen.h>
#include "types.h"

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

/* One L1 entry of the privileged domain d naming a frame of pg: the frame's
 * reference (and writable type) are taken as pg's, so the audit counts the
 * mapping and pg's frames outlive its death until it is unmapped. */
static int mod_l1_foreign(struct domain *d, struct domain *pg, mfn_t l1, unsigned int slot,
                          uint64_t nval, bool preserve_ad)
{
    uint64_t *t = frame_map(l1), old = t[slot];
    int rc = 0;

    if ( nval & _PAGE_PRESENT )
    {
        rc = l1e_get_foreign(d, pg, nval);
        if ( rc )
            goto out;
    }
    if ( preserve_ad )
        nval |= old & (_PAGE_ACCESSED | _PAGE_DIRTY);
    t[slot] = nval;
    if ( old & _PAGE_PRESENT )
        frame_walks_stale();            /* a mapping replaced or removed */
    arch_frames_written(l1, 1);
    if ( nval & _PAGE_PRESENT )
        table_mark_present(l1, slot);
    if ( old & _PAGE_PRESENT )
        l1e_put(old);

 out:
    frame_unmap(t);
    return rc;
}

static int mmu_normal_update(struct vcpu *v, uint64_t ptr, uint64_t val, bool preserve_ad,
                             struct mmu_batch *fl, struct domain *pg_owner)
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
        fwrite_untyped(f, mfn, slot, val);
        rc = 0;
        goto out;
    }

    switch ( f->type )
    {
    case FRAME_L1:
        rc = pg_owner ? mod_l1_foreign(d, pg_owner, mfn, slot, val, preserve_ad)
                      : mod_l1_entry(d, mfn, slot, val, preserve_ad);
        break;
    case FRAME_L2:
        rc = mm_mod_l2_entry(d, mfn, slot, val, preserve_ad);
        fl->linear |= !rc;
        break;
    case FRAME_L3:
        rc = mm_mod_l3_entry(d, mfn, slot, val, preserve_ad);
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
        mm_table_write(mfn, slot, val);
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
 * The domain whose frames a request may name (*pg_owner, NULL: the caller's
 * own). Naming itself by id is -ESRCH (Xen). The privileged domain may name
 * another domain for mmu_update's L1 entries (foreign mappings: a console
 * backend's view of a domain's ring, as Xen's toolstack maps it) when
 * `foreign` is set; anyone else, or DOMID_IO/DOMID_XEN, gets -EPERM.
 */
static int mm_check_pg_owner(struct domain *d, uint16_t domid, bool foreign,
                             struct domain **pg_owner)
{
    struct domain *o;

    *pg_owner = NULL;
    if ( domid == DOMID_SELF )
        return 0;
    if ( domid == d->domain_id )
        return -ESRCH;
    if ( domid == DOMID_IO || domid == DOMID_XEN )
        return -EPERM;
    o = domain_lookup(domid);
    if ( !o )
        return -ESRCH;
    if ( !foreign || !d->is_privileged || o->is_dying )
        return -EPERM;
    *pg_owner = o;
    return 0;
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
    struct domain *pg_owner;
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
    rc = mm_check_pg_owner(d, (uint16_t)foreigndom, true, &pg_owner);
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
        /* The guest may misalign its array: four unaligned loads (a memcpy
         * here was our word loop, inlined: 20 instructions a request). */
        {
            typedef uint32_t __attribute__((may_alias, aligned(1))) word_t;
            const word_t *w = (const word_t *)reqs.next;

            req.ptr = w[0] | (uint64_t)w[1] << 32;
            req.val = w[2] | (uint64_t)w[3] << 32;
        }
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
                                   cmd == MMU_PT_UPDATE_PRESERVE_AD, &fl, pg_owner);
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
    struct domain *pg_owner;
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
    /* pvx: mmuext_op's requests are always on the caller's own frames. */
    rc = mm_check_pg_owner(d, (uint16_t)foreigndom, false, &pg_owner);
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
    e = mm_table_read((mfn_t)(v->cr3 >> PAGE_SHIFT), l3_table_offset(va));
    if ( !(e & _PAGE_PRESENT) )
        return false;
    e = mm_table_read(pte_mfn(e), l2_table_offset(va));
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
