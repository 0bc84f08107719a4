/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_access.c - reading and writing guest virtual memory by walking the
 * guest's page tables in software.
 *
 * The same code on both machines, so a bad pointer is -EFAULT on both for the
 * same reasons: the hardware's view of the tables (TLBs, segment limits) never
 * decides what a hypercall may touch.
 */
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/fault.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/layout.h>
#include <pvx/lib.h>
#include <pvx/machine.h>

static uint64_t read_entry(mfn_t table, unsigned int index)
{
    uint64_t *t = frame_map(table), e;

    e = t[index];
    frame_unmap(t);
    return e;
}

static bool entry_ok(uint64_t e, bool write)
{
    if ( !(e & _PAGE_PRESENT) )
        return false;
    if ( write && !(e & _PAGE_RW) )
        return false;
    /* Every frame a table names must be a machine frame. */
    return frame_of((mfn_t)((e & PTE_ADDR_MASK) >> PAGE_SHIFT)) != NULL;
}

/*
 * The last walks (machine.mm.walk): a hypercall reads its arguments and
 * writes its results in a few pages of the guest's, and a bounce frame lands
 * on its kernel stack, again and again. Only good walks are remembered, so a
 * remembered walk read present entries of validated tables alone; it is the
 * walk done again as long as walk_gen is the one it was made in, since each
 * change that could make it wrong (a present entry replaced or removed, a
 * table losing its type, a frame changing owner) starts a new generation
 * (frame_walks_stale(), pvx/frame.h). The key holds the vCPU and the table
 * it walked from (cr3).
 */
static struct mm_walk *walk_slot(const struct vcpu *v, gva_t va)
{
    /* The same page under two address spaces (a kernel's stack, switching
     * processes) in two slots, mostly. */
    return &machine.mm.walk[((va ^ (uint32_t)v->cr3) >> PAGE_SHIFT) % MM_WALK_CACHE];
}

int guest_walk(struct vcpu *v, gva_t va, bool write, mfn_t *mfn)
{
    struct mm_walk *w = walk_slot(v, va);
    uint64_t e;
    mfn_t table;
    struct frame *f;
    bool rw;

    if ( va >= HYPERVISOR_VIRT_START )
        return -EFAULT;
    if ( w->gen == machine.mm.walk_gen && w->page == va >> PAGE_SHIFT && w->v == v &&
         w->cr3 == v->cr3 && (w->rw || !write) )
    {
        *mfn = w->mfn;
        return 0;
    }

    /* L3: the four PDPT entries live at cr3, 32-byte aligned inside a frame. */
    table = (mfn_t)(v->cr3 >> PAGE_SHIFT);
    e = read_entry(table, ((v->cr3 & 0xfe0) >> 3) + l3_table_offset(va));
    if ( !entry_ok(e, false) )
        return -EFAULT;

    table = (mfn_t)((e & PTE_ADDR_MASK) >> PAGE_SHIFT);
    e = read_entry(table, l2_table_offset(va));
    /* Guests have no superpages: a PSE entry here is never a guest mapping. */
    if ( !entry_ok(e, write) || (e & _PAGE_PSE) )
        return -EFAULT;
    rw = e & _PAGE_RW;

    table = (mfn_t)((e & PTE_ADDR_MASK) >> PAGE_SHIFT);
    e = read_entry(table, l1_table_offset(va));
    if ( !entry_ok(e, write) )
        return -EFAULT;
    rw = rw && (e & _PAGE_RW);

    *mfn = (mfn_t)((e & PTE_ADDR_MASK) >> PAGE_SHIFT);
    f = frame_of(*mfn);
    if ( f->owner != v->domain->domain_id )
        return -EFAULT;
    *w = (struct mm_walk){
        .gen = machine.mm.walk_gen, .v = v, .cr3 = v->cr3, .page = va >> PAGE_SHIFT,
        .mfn = *mfn, .rw = rw,
    };
    return 0;
}

/* Copy, or with host NULL only check that the copy would go through. */
static int copy_guest(struct vcpu *v, gva_t va, void *host, size_t len, bool to_guest,
                      bool may_inject)
{
    uint8_t *h = host;

    if ( len == 0 )
        return 0;
    if ( may_inject && fault_hit(&fault_guest_copy) )
        return -EFAULT;
    if ( va >= HYPERVISOR_VIRT_START || len > HYPERVISOR_VIRT_START - va )
        return -EFAULT;
    /* Within one page (a hypercall's argument, a bounce frame): one walk,
     * one copy, nothing to undo. Words where both sides are aligned. */
    if ( host && (va & (PAGE_SIZE - 1)) + len <= PAGE_SIZE )
    {
        mfn_t mfn;
        uint8_t *p;
        int rc = guest_walk(v, va, to_guest, &mfn);

        if ( rc )
            return rc;
        p = (uint8_t *)frame_map(mfn) + (va & (PAGE_SIZE - 1));
        if ( !(((uintptr_t)p | (uintptr_t)h | len) & 3) )
        {
            /* may_alias: the host side is any object (a struct, a frame). */
            typedef uint32_t __attribute__((may_alias)) word_t;
            word_t *d = (word_t *)(to_guest ? p : h);
            const word_t *src = (const word_t *)(to_guest ? h : p);

            for ( size_t i = 0; i < len / 4; i++ )
                d[i] = src[i];
        }
        else if ( to_guest )
            memcpy(p, h, len);
        else
            memcpy(h, p, len);
        frame_unmap(guest_page_base(p));
        if ( to_guest )
            arch_frames_written(mfn, 1);
        return 0;
    }
    /* A write is all or nothing: one that would fault on a later page
     * must not have written the earlier ones. */
    if ( host && to_guest && (va & (PAGE_SIZE - 1)) + len > PAGE_SIZE &&
         copy_guest(v, va, NULL, len, true, false) )
        return -EFAULT;

    while ( len )
    {
        size_t off = va & (PAGE_SIZE - 1);
        size_t n = MIN(len, PAGE_SIZE - off);
        mfn_t mfn;
        uint8_t *p;
        int rc = guest_walk(v, va, to_guest, &mfn);

        if ( rc )
            return rc;
        if ( !host )
            goto next;
        p = frame_map(mfn);
        if ( to_guest )
            memcpy(p + off, h, n);
        else
            memcpy(h, p + off, n);
        frame_unmap(p);
        if ( to_guest )
            arch_frames_written(mfn, 1);
        h += n;
 next:
        va += n;
        len -= n;
    }
    return 0;
}

const void *guest_map_ro(struct vcpu *v, gva_t va)
{
    mfn_t mfn;

    if ( fault_hit(&fault_guest_copy) || guest_walk(v, va, false, &mfn) )
        return NULL;
    return (const uint8_t *)frame_map(mfn) + (va & (PAGE_SIZE - 1));
}

int copy_from_guest(struct vcpu *v, void *dst, gva_t src, size_t len)
{
    return copy_guest(v, src, dst, len, false, true);
}

int copy_to_guest(struct vcpu *v, gva_t dst, const void *src, size_t len)
{
    return copy_guest(v, dst, (void *)src, len, true, true);
}

int guest_probe(struct vcpu *v, gva_t va, size_t len, bool write)
{
    return copy_guest(v, va, NULL, len, write, true);
}

void copy_from_guest_probed(struct vcpu *v, void *dst, gva_t src, size_t len)
{
    int rc = copy_guest(v, src, dst, len, false, false);

    ASSERT(rc == 0);
    (void)rc;
}

void copy_to_guest_probed(struct vcpu *v, gva_t dst, const void *src, size_t len)
{
    int rc = copy_guest(v, dst, (void *)src, len, true, false);

    /* Nothing between the probe and here changed the guest's tables. */
    ASSERT(rc == 0);
    (void)rc;
}
