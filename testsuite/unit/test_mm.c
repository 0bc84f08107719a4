/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_mm.c - the page-frame type system: every rule of docs/memory.md with a
 * positive and a negative case. A refused request must leave every frame
 * (counts, flags, type while typed) and all of memory exactly as it was, and
 * every test ends with a clean audit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <pvx/audit.h>
#include <pvx/builder.h>
#include <pvx/domain.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/layout.h>
#include <pvx/mm.h>
#include <pvx/sched.h>
#include <public/memory.h>
#include <public/sched.h>
#include <public/xen.h>

#define BUF_VA      0x380000u       /* guest scratch for request arrays (mapped, unused) */
#define FREE_PFN    0x500u          /* pfns from 1024 up: the domain's, not mapped */
#define SPARE_VA    0x3f0000u       /* a mapped page the tests remap */

static struct start_info si;

/* ------------------------------------------------------------------------
 * Helpers.
 */

static void boot(void)
{
    unit_boot_default();
    CU_ASSERT_EQUAL_FATAL(copy_from_guest(current, &si, current->regs.esi, sizeof(si)), 0);
}

static mfn_t p2m(uint32_t pfn)
{
    uint32_t m = 0;

    CU_ASSERT_EQUAL(copy_from_guest(current, &m, si.mfn_list + pfn * 4, 4), 0);
    return m;
}

static uint64_t rd(mfn_t table, unsigned int slot)
{
    return ((uint64_t *)(fake_mem + (size_t)table * PAGE_SIZE))[slot];
}

static mfn_t cr3_mfn(void)
{
    return (mfn_t)(current->cr3 >> PAGE_SHIFT);
}

static uint64_t pte(mfn_t m, uint64_t flags)
{
    return ((uint64_t)m << PAGE_SHIFT) | flags;
}

/* Run a hypercall to completion, re-entering after each continuation as the
 * guest's CPU would (a continuation leaves eip on the int $0x82 again);
 * *conts counts them. */
static long hcall(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4,
                  unsigned int *conts)
{
    uint32_t eip = current->regs.eip;
    long rc = unit_hypercall(nr, a1, a2, a3, a4, 0);
    unsigned int n = 0;

    while ( current->regs.eip == eip && n < 100000 )
    {
        struct cpu_regs r = current->regs;

        n++;
        rc = unit_hypercall(r.eax, r.ebx, r.ecx, r.edx, r.esi, r.edi);
    }
    if ( conts )
        *conts = n;
    return rc;
}


static long mmu(uint64_t ptr, uint64_t val)
{
    struct mmu_update u = { ptr, val };

    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &u, sizeof(u)), 0);
    return unit_hypercall(__HYPERVISOR_mmu_update, BUF_VA, 1, 0, DOMID_SELF, 0);
}

static long ext(uint32_t cmd, uint32_t arg1, uint32_t arg2)
{
    struct mmuext_op op = { .cmd = cmd, .arg1.mfn = arg1, .arg2.nr_ents = arg2 };

    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &op, sizeof(op)), 0);
    return unit_hypercall(__HYPERVISOR_mmuext_op, BUF_VA, 1, 0, DOMID_SELF, 0);
}

static long uvm(uint32_t va, uint64_t val, uint32_t flags)
{
    return unit_hypercall(__HYPERVISOR_update_va_mapping, va, (uint32_t)val,
                          (uint32_t)(val >> 32), flags, 0);
}

/* All guest-visible memory but the page the tests pass requests in: not the
 * hypervisor's frames (the frame table's scratch fields change), but the
 * whole M2P through m2p_get. */
static uint64_t mem_hash(void)
{
    mfn_t skip = p2m(BUF_VA >> PAGE_SHIFT);
    uint64_t h = 0xcbf29ce484222325ull;
    const uint64_t *p = (const uint64_t *)fake_mem;

    for ( size_t i = 0; i < (size_t)FAKE_MEM_FRAMES * PAGE_SIZE / 8; i++ )
    {
        mfn_t m = (mfn_t)(i / (PAGE_SIZE / 8));

        if ( m != skip && frame_of(m)->owner != DOMID_XEN_OWN )
            h = (h ^ p[i]) * 0x100000001b3ull;
    }
    for ( mfn_t m = 0; m < FAKE_MEM_FRAMES; m++ )
        h = (h ^ m2p_get(m)) * 0x100000001b3ull;
    return h;
}

/* The state a refused request must not change. */
struct snap {
    struct frame f[FAKE_MEM_FRAMES];
    uint64_t mem;
    paddr_t cr3;
    unsigned int tot, free;
};

static struct snap *snap_take(void)
{
    struct snap *s = malloc(sizeof(*s));

    for ( mfn_t m = 0; m < FAKE_MEM_FRAMES; m++ )
        s->f[m] = *frame_of(m);
    s->cr3 = current->cr3;
    s->tot = current->domain->tot_pages;
    s->free = frame_free_count();
    s->mem = mem_hash();
    return s;
}

/* Counts, flags, owner, and the type wherever it matters (a count > 0). */
static bool snap_same(struct snap *s, const char *what)
{
    bool ok = s->mem == mem_hash() && s->cr3 == current->cr3 &&
              s->tot == current->domain->tot_pages && s->free == frame_free_count();

    if ( !ok )
        fprintf(stderr, "\n  %s: memory, cr3, tot_pages or free count changed\n", what);

    for ( mfn_t m = 0; m < FAKE_MEM_FRAMES; m++ )
    {
        const struct frame *a = &s->f[m], *b = frame_of(m);

        if ( a->owner != b->owner || a->ref_count != b->ref_count ||
             a->type_count != b->type_count || a->flags != b->flags ||
             (a->type_count && a->type != b->type) )
        {
            fprintf(stderr, "\n  %s: mfn %#x changed: refs %u->%u types %u->%u flags %#x->%#x\n",
                    what, m, a->ref_count, b->ref_count, a->type_count, b->type_count,
                    a->flags, b->flags);
            ok = false;
            break;
        }
    }
    free(s);
    return ok;
}

static void audit_clean(void)
{
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* ------------------------------------------------------------------------
 * Start of day.
 */

static void test_start_of_day_counts(void)
{
    struct frame *l3, *xl2, *w;

    boot();
    l3 = frame_of(cr3_mfn());
    xl2 = frame_of((mfn_t)(rd(cr3_mfn(), 3) >> PAGE_SHIFT));
    w = frame_of(p2m(0));
    /* The L3: pinned and in cr3; allocated. */
    CU_ASSERT_EQUAL(l3->type, FRAME_L3);
    CU_ASSERT_EQUAL(l3->type_count, 2);
    CU_ASSERT_EQUAL(l3->ref_count, 4);          /* + its read-only mapping */
    CU_ASSERT(l3->flags & FRAME_F_VALIDATED);
    /* The slot-3 L2: one L3 names it, and it has the hypervisor's slots. */
    CU_ASSERT_EQUAL(xl2->type_count, 1);
    CU_ASSERT(xl2->flags & FRAME_F_XEN_L2);
    /* Page 0: mapped writable once. */
    CU_ASSERT_EQUAL(w->type, FRAME_WRITABLE);
    CU_ASSERT_EQUAL(w->type_count, 1);
    CU_ASSERT_EQUAL(w->ref_count, 2);
    /* An unmapped page: allocated only. */
    CU_ASSERT_EQUAL(frame_of(p2m(FREE_PFN))->ref_count, 1);
    CU_ASSERT_EQUAL(frame_of(p2m(FREE_PFN))->type_count, 0);
    audit_clean();
}

static void test_audit_finds_mismatch(void)
{
    struct frame *f;

    boot();
    f = frame_of(p2m(0));
    f->ref_count++;
    CU_ASSERT_EQUAL(audit_frames(), 1);
    f->ref_count--;
    f->type_count++;
    CU_ASSERT(audit_frames() >= 1);
    f->type_count--;
    audit_clean();
}

/* ------------------------------------------------------------------------
 * L1 entries: table driven on a fresh pinned L1.
 */

static void test_l1_rules(void)
{
    mfn_t a, own, own2, l1_0, xen_mfn = 0;
    struct {
        const char *what;
        uint64_t val;
        long rc;
    } rows[16];
    unsigned int n = 0;

    boot();
    a = p2m(FREE_PFN);
    own = p2m(FREE_PFN + 1);
    own2 = p2m(0);
    l1_0 = (mfn_t)(rd((mfn_t)(rd(cr3_mfn(), 0) >> 12), 0) >> 12);
    for ( mfn_t m = 0x100; m < FAKE_MEM_FRAMES; m++ )
        if ( frame_of(m)->owner == DOMID_XEN_OWN )
        {
            xen_mfn = m;
            break;
        }
    CU_ASSERT_NOT_EQUAL_FATAL(xen_mfn, 0);
    CU_ASSERT_EQUAL_FATAL(ext(MMUEXT_PIN_L1_TABLE, a, 0), 0);

#define ROW(w, v, r) rows[n++] = (typeof(rows[0])){ w, v, r }
    ROW("own frame read-only", pte(own, 0x21), 0);
    ROW("own frame writable", pte(own2, 0x67), 0);
    ROW("own page table read-only", pte(l1_0, 0x21), 0);
    ROW("own page table writable", pte(l1_0, 0x23), -EBUSY);
    ROW("the L1 itself writable", pte(a, 0x23), -EBUSY);
    ROW("the L1 itself read-only", pte(a, 0x21), 0);
    ROW("I/O memory (below 1 MiB)", pte(0x50, 0x21), -EPERM);
    ROW("beyond machine memory", pte(0xfffff, 0x21), -EPERM);
    ROW("a hypervisor frame", pte(xen_mfn, 0x21), -EBUSY);
    ROW("a free frame", pte(FAKE_MEM_FRAMES - 1, 0x21), -EBUSY);
    ROW("reserved address bit 40", pte(own, 0x21) | (1ull << 40), -EINVAL);
    ROW("NX (no NXE)", pte(own, 0x21) | _PAGE_NX, -EINVAL);
    ROW("global, user, avail bits", pte(own, 0xf25), 0);
    ROW("not present: anything", 0xfffffffffffff000ull, 0);
#undef ROW

    for ( unsigned int i = 0; i < n; i++ )
    {
        struct snap *s = snap_take();
        long rc = mmu(pte(a, 0) + 8 * 7, rows[i].val);

        if ( rc != rows[i].rc )
            fprintf(stderr, "\n  %s: rc %ld, expected %ld\n", rows[i].what, rc, rows[i].rc);
        CU_ASSERT_EQUAL(rc, rows[i].rc);
        if ( rows[i].rc )
        {
            CU_ASSERT(snap_same(s, rows[i].what));
        }
        else
        {
            free(s);
            CU_ASSERT_EQUAL(rd(a, 7), rows[i].val);
        }
        audit_clean();
    }

    /* Cache attributes: a privileged domain only (test_cache_attributes). */
    CU_ASSERT_EQUAL(mmu(pte(a, 0) + 8 * 8, pte(own, 0x31)), 0);
    audit_clean();
}

/* Cache attributes (PCD here) and cache flushes are the privileged domain's
 * alone: an unprivileged domain is refused and nothing changes. Each domain
 * remaps the last page of its first start-of-day L1 (the one mapping its
 * kernel) to the same frame, read-only and uncached. */
static void test_cache_attributes(void)
{
    struct elfgen_spec s;

    elfgen_default(&s);
    CU_ASSERT_EQUAL_FATAL(fixture_boot(&s, "kernel.elf", "dom0_mem=8M", 1, NULL), -1);
    for ( int dom = 1; dom >= 0; dom-- )
    {
        struct snap *sn;
        uint64_t val;
        mfn_t l1;
        long rc;

        fixture_become(fixture_vcpu((unsigned int)dom));
        CU_ASSERT_EQUAL_FATAL(current->domain->domain_id, dom);
        CU_ASSERT_EQUAL_FATAL(copy_from_guest(current, &si, current->regs.esi, sizeof(si)), 0);
        l1 = (mfn_t)(rd((mfn_t)(rd(cr3_mfn(), 0) >> 12), 0) >> 12);
        val = (rd(l1, 511) & PTE_ADDR_MASK) | 0x31;
        CU_ASSERT_FATAL(rd(l1, 511) & _PAGE_PRESENT);
        sn = snap_take();
        rc = mmu(pte(l1, 0) + 8 * 511, val);
        if ( dom )
        {
            CU_ASSERT_EQUAL(rc, -EINVAL);
            CU_ASSERT(snap_same(sn, "PCD unprivileged"));
            CU_ASSERT_EQUAL(ext(MMUEXT_FLUSH_CACHE, 0, 0), -EACCES);
            CU_ASSERT_EQUAL(ext(MMUEXT_FLUSH_CACHE_GLOBAL, 0, 0), -EACCES);
        }
        else
        {
            free(sn);
            CU_ASSERT_EQUAL(rc, 0);
            CU_ASSERT_EQUAL(rd(l1, 511), val);
            CU_ASSERT_EQUAL(ext(MMUEXT_FLUSH_CACHE, 0, 0), 0);
            CU_ASSERT_EQUAL(ext(MMUEXT_FLUSH_CACHE_GLOBAL, 0, 0), 0);
        }
        audit_clean();
    }
}

/* A frame mapped writable cannot become a table; a table cannot be mapped
 * writable; a frame changes type only at count 0. */
static void test_type_changes_only_at_zero(void)
{
    mfn_t a, b;
    struct snap *s;

    boot();
    a = p2m(FREE_PFN);
    b = p2m(FREE_PFN + 1);
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L1_TABLE, a, 0), 0);
    s = snap_take();
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L2_TABLE, a, 0), -EINVAL);
    CU_ASSERT(snap_same(s, "L1 pinned as L2"));
    CU_ASSERT_EQUAL(ext(MMUEXT_UNPIN_TABLE, a, 0), 0);
    CU_ASSERT_EQUAL(frame_of(a)->type_count, 0);
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L2_TABLE, a, 0), 0);
    CU_ASSERT_EQUAL(frame_of(a)->type, FRAME_L2);
    CU_ASSERT_EQUAL(ext(MMUEXT_UNPIN_TABLE, a, 0), 0);

    /* b mapped writable at SPARE_VA: may not become an L1 until unmapped. */
    CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(b, 0x63), UVMF_INVLPG), 0);
    s = snap_take();
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L1_TABLE, b, 0), -EINVAL);
    CU_ASSERT(snap_same(s, "writable frame pinned"));
    CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(b, 0x61), UVMF_INVLPG), 0);
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L1_TABLE, b, 0), 0);
    CU_ASSERT_EQUAL(ext(MMUEXT_UNPIN_TABLE, b, 0), 0);
    audit_clean();
}

/* An L1 that holds a bad entry is refused as a whole, with nothing changed. */
/*
 * A validated table's present map (struct frame's present): set from the
 * slots validation found, grown by every entry written later, never by a
 * refusal; unpinning drops the reference of every present entry, those
 * written into groups that were empty at validation too (a map not grown
 * would leave them counted: the audit and the counts below see it).
 */
static uint64_t present_map(mfn_t m)
{
    return frame_of(m)->present[0] | (uint64_t)frame_of(m)->present[1] << 32;
}

static void test_present_map(void)
{
    mfn_t l1 = p2m(FREE_PFN), bad = p2m(FREE_PFN + 1), d[4];
    uint64_t *t;
    struct snap *s;

    boot();
    for ( unsigned int i = 0; i < 4; i++ )
        d[i] = p2m(FREE_PFN + 2 + i);
    t = (uint64_t *)(fake_mem + (size_t)l1 * PAGE_SIZE);
    memset(t, 0, PAGE_SIZE);
    t[0] = pte(d[0], 0x61);
    t[100] = pte(d[1], 0x63);                           /* group 12, writable */
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L1_TABLE, l1, 0), 0);
    CU_ASSERT_EQUAL(present_map(l1), (1ull << 0) | (1ull << 12));
    CU_ASSERT_EQUAL(frame_of(d[0])->ref_count, 2);
    CU_ASSERT_EQUAL(frame_of(d[1])->type_count, 1);

    /* Entries written into empty groups (1 and 63) grow the map. */
    CU_ASSERT_EQUAL(mmu(((uint64_t)l1 << 12) + 9 * 8, pte(d[2], 0x63)), 0);
    CU_ASSERT_EQUAL(mmu(((uint64_t)l1 << 12) + 511 * 8, pte(d[3], 0x61)), 0);
    CU_ASSERT_EQUAL(present_map(l1), (1ull << 0) | (1ull << 1) | (1ull << 12) | (1ull << 63));
    audit_clean();
    /* A refused entry does not (group 37: the hypervisor's frame). */
    s = snap_take();
    CU_ASSERT_NOT_EQUAL(mmu(((uint64_t)l1 << 12) + 300 * 8, pte(0x101, 0x61)), 0);
    CU_ASSERT(snap_same(s, "refused entry"));
    /* A cleared entry may leave its bit: the map is a superset. */
    CU_ASSERT_EQUAL(mmu(((uint64_t)l1 << 12) + 0, 0), 0);
    CU_ASSERT_EQUAL(frame_of(d[0])->ref_count, 1);
    audit_clean();

    /* Unpinned: every present entry's references go, wherever it was. */
    CU_ASSERT_EQUAL(ext(MMUEXT_UNPIN_TABLE, l1, 0), 0);
    for ( unsigned int i = 0; i < 4; i++ )
    {
        CU_ASSERT_EQUAL(frame_of(d[i])->ref_count, 1);
        CU_ASSERT_EQUAL(frame_of(d[i])->type_count, 0);
    }
    audit_clean();

    /* A validation that fails (slot 200: not ours) keeps no map and no count. */
    t = (uint64_t *)(fake_mem + (size_t)bad * PAGE_SIZE);
    memset(t, 0, PAGE_SIZE);
    t[3] = pte(d[0], 0x61);
    t[200] = pte(0x101, 0x61);
    s = snap_take();
    CU_ASSERT_NOT_EQUAL(ext(MMUEXT_PIN_L1_TABLE, bad, 0), 0);
    CU_ASSERT(snap_same(s, "L1 refused at slot 200"));
    CU_ASSERT_EQUAL(frame_of(d[0])->ref_count, 1);
    /* Fixed, it validates, with a map of what it holds now. */
    t[200] = 0;
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L1_TABLE, bad, 0), 0);
    CU_ASSERT_EQUAL(present_map(bad), 1ull << 0);
    CU_ASSERT_EQUAL(ext(MMUEXT_UNPIN_TABLE, bad, 0), 0);
    CU_ASSERT_EQUAL(frame_of(d[0])->ref_count, 1);
    audit_clean();
}

/*
 * Guest copies remember their last walks (guest_access.c): a remembered walk
 * must never outlive the mapping it read. Each change below goes through a
 * different path of the core and must be seen by the very next copy.
 */
static void test_walks_follow_the_tables(void)
{
    mfn_t a, b;
    uint32_t x = 0x11111111, y = 0x22222222, r = 0;

    boot();
    a = p2m(SPARE_VA >> PAGE_SHIFT);
    b = p2m(FREE_PFN + 7);
    CU_ASSERT_EQUAL(copy_to_guest(current, SPARE_VA + 8, &x, 4), 0);
    CU_ASSERT_EQUAL(((uint32_t *)(fake_mem + (size_t)a * PAGE_SIZE))[2], x);

    /* Remapped (update_va_mapping): the next write lands in the new frame. */
    CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(b, 0x63), UVMF_INVLPG), 0);
    CU_ASSERT_EQUAL(copy_to_guest(current, SPARE_VA + 8, &y, 4), 0);
    CU_ASSERT_EQUAL(((uint32_t *)(fake_mem + (size_t)b * PAGE_SIZE))[2], y);
    CU_ASSERT_EQUAL(((uint32_t *)(fake_mem + (size_t)a * PAGE_SIZE))[2], x);

    /* Read-only now: a read is fine, a write after it is refused. */
    CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(b, 0x61), UVMF_INVLPG), 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &r, SPARE_VA + 8, 4), 0);
    CU_ASSERT_EQUAL(r, y);
    CU_ASSERT_EQUAL(copy_to_guest(current, SPARE_VA + 8, &x, 4), -EFAULT);

    /* Unmapped by mmu_update on the L1: refused. */
    {
        uint64_t l2e = rd(rd(cr3_mfn(), 0) >> PAGE_SHIFT & 0xffffff, (SPARE_VA >> 21) & 511);
        mfn_t l1 = (mfn_t)((l2e & PTE_ADDR_MASK) >> PAGE_SHIFT);

        CU_ASSERT_EQUAL(mmu(((uint64_t)l1 << PAGE_SHIFT) + ((SPARE_VA >> PAGE_SHIFT) & 511) * 8, 0), 0);
        CU_ASSERT_EQUAL(copy_from_guest(current, &r, SPARE_VA + 8, 4), -EFAULT);
        /* Mapped again (writable, frame a): the write goes through, to a. */
        CU_ASSERT_EQUAL(mmu(((uint64_t)l1 << PAGE_SHIFT) + ((SPARE_VA >> PAGE_SHIFT) & 511) * 8,
                            pte(a, 0x63)), 0);
        CU_ASSERT_EQUAL(copy_to_guest(current, SPARE_VA + 8, &y, 4), 0);
        CU_ASSERT_EQUAL(((uint32_t *)(fake_mem + (size_t)a * PAGE_SIZE))[2], y);
    }
    audit_clean();
}

static void test_validation_all_or_nothing(void)
{
    mfn_t a = 0, own;
    uint64_t *t;
    struct snap *s;

    boot();
    a = p2m(FREE_PFN);
    own = p2m(FREE_PFN + 1);
    t = (uint64_t *)(fake_mem + (size_t)a * PAGE_SIZE);
    for ( unsigned int i = 0; i < 100; i++ )
        t[i] = pte(own, 0x63);          /* 100 writable mappings: fine */
    t[100] = pte(cr3_mfn(), 0x63);      /* the L3, writable: refused */
    s = snap_take();
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L1_TABLE, a, 0), -EBUSY);
    CU_ASSERT(snap_same(s, "bad L1 pinned"));
    t[100] = pte(cr3_mfn(), 0x61);
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L1_TABLE, a, 0), 0);
    CU_ASSERT_EQUAL(frame_of(own)->type_count, 100);
    CU_ASSERT_EQUAL(ext(MMUEXT_UNPIN_TABLE, a, 0), 0);
    CU_ASSERT_EQUAL(frame_of(own)->type_count, 0);
    CU_ASSERT_EQUAL(frame_of(own)->ref_count, 1);
    audit_clean();
}

/* ------------------------------------------------------------------------
 * L2 and L3 entries.
 */

static void test_l2_rules(void)
{
    mfn_t l2 = 0, l1, w, l1_0;
    struct {
        const char *what;
        uint64_t val;
        long rc;
    } rows[] = {
        { "an L1",                   0, 0 },
        { "a superpage (PSE)",       0, -EINVAL },
        { "a frame mapped writable", 0, -EINVAL },
        { "the L2 itself",           0, -EINVAL },
        { "the L3",                  0, -EINVAL },
        { "a hypervisor frame",      0, -EINVAL },
        { "PCD",                     0, -EINVAL },
        { "reserved bit 50",         0, -EINVAL },
    };

    boot();
    l2 = p2m(FREE_PFN);
    l1 = p2m(FREE_PFN + 1);
    w = p2m(0);
    l1_0 = (mfn_t)(rd((mfn_t)(rd(cr3_mfn(), 0) >> 12), 0) >> 12);
    rows[0].val = pte(l1, 0x67);
    rows[1].val = pte(l1, 0xe7);
    rows[2].val = pte(w, 0x67);
    rows[3].val = pte(l2, 0x67);
    rows[4].val = pte(cr3_mfn(), 0x67);
    rows[5].val = pte(0x101, 0x67);
    rows[6].val = pte(l1, 0x77);
    rows[7].val = pte(l1, 0x67) | (1ull << 50);
    CU_ASSERT_EQUAL_FATAL(ext(MMUEXT_PIN_L2_TABLE, l2, 0), 0);

    for ( unsigned int i = 0; i < ARRAY_SIZE(rows); i++ )
    {
        struct snap *s = snap_take();
        long rc = mmu(pte(l2, 0) + 8 * 5, rows[i].val);

        if ( rc != rows[i].rc )
            fprintf(stderr, "\n  L2 %s: rc %ld, expected %ld\n", rows[i].what, rc, rows[i].rc);
        CU_ASSERT_EQUAL(rc, rows[i].rc);
        if ( rows[i].rc )
        {
            CU_ASSERT(snap_same(s, rows[i].what));
        }
        else
            free(s);
        audit_clean();
    }
    CU_ASSERT_EQUAL(frame_of(l1)->type, FRAME_L1);
    /* An L1 in use by an L2 is mapped read-only only. */
    CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(l1, 0x63), 0), -EBUSY);
    CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(l1, 0x61), 0), 0);
    /* The existing L1 under the running L2: shared by a second L2, fine. */
    CU_ASSERT_EQUAL(mmu(pte(l2, 0) + 8 * 6, pte(l1_0, 0x67)), 0);
    /* Removing the entry drops the L1's type. */
    CU_ASSERT_EQUAL(mmu(pte(l2, 0) + 8 * 5, 0), 0);
    CU_ASSERT_EQUAL(frame_of(l1)->type_count, 0);
    CU_ASSERT_EQUAL(ext(MMUEXT_UNPIN_TABLE, l2, 0), 0);
    audit_clean();
}

/* Found by the fuzzer: an L2 entry naming the domain's shared_info made it an
 * L1, and the hypervisor writes that page (event bits, time) unvalidated. */
static void test_shared_info_stays_plain(void)
{
    mfn_t si_mfn, l2;
    struct snap *s;

    boot();
    si_mfn = current->domain->shared_info_mfn;
    l2 = p2m(FREE_PFN);
    CU_ASSERT_EQUAL_FATAL(ext(MMUEXT_PIN_L2_TABLE, l2, 0), 0);
    s = snap_take();
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L1_TABLE, si_mfn, 0), -EINVAL);
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L2_TABLE, si_mfn, 0), -EINVAL);
    CU_ASSERT_EQUAL(ext(MMUEXT_NEW_BASEPTR, si_mfn, 0), -EINVAL);
    CU_ASSERT_EQUAL(mmu(pte(l2, 0) + 8 * 5, pte(si_mfn, 0x67)), -EINVAL);
    CU_ASSERT(snap_same(s, "shared_info as a table"));
    /* A writable mapping of it is what guests do, and stays allowed. */
    CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(si_mfn, 0x63), 0), 0);
    CU_ASSERT_EQUAL(frame_of(si_mfn)->type, FRAME_WRITABLE);
    audit_clean();
}

static void test_hypervisor_slots_fixed(void)
{
    mfn_t xl2 = (mfn_t)0;
    struct snap *s;

    boot();
    xl2 = (mfn_t)(rd(cr3_mfn(), 3) >> PAGE_SHIFT);
    for ( unsigned int slot = HYP_FIRST_L2_SLOT; slot < 512; slot += 41 )
    {
        s = snap_take();
        CU_ASSERT_EQUAL(mmu(pte(xl2, 0) + 8 * slot, 0), -EPERM);
        CU_ASSERT(snap_same(s, "hypervisor slot"));
    }
    s = snap_take();
    CU_ASSERT_EQUAL(mmu(pte(xl2, 0) + 8 * 511, 0), -EPERM);
    CU_ASSERT(snap_same(s, "hypervisor slot 511"));
    /* Below it, the guest's. */
    CU_ASSERT_EQUAL(mmu(pte(xl2, 0) + 8 * (HYP_FIRST_L2_SLOT - 1), pte(p2m(FREE_PFN), 0x67)), 0);
    CU_ASSERT_EQUAL(mmu(pte(xl2, 0) + 8 * (HYP_FIRST_L2_SLOT - 1), 0), 0);
    /* The running L3's slot 3 cannot change, nor any past the four. */
    s = snap_take();
    CU_ASSERT_EQUAL(mmu(pte(cr3_mfn(), 0) + 8 * 3, 0), -EINVAL);
    CU_ASSERT_EQUAL(mmu(pte(cr3_mfn(), 0) + 8 * 4, 0), -EINVAL);
    CU_ASSERT(snap_same(s, "L3 slot 3"));
    audit_clean();
}

/* A new L3 from fresh frames: slot 3 gets a fresh L2 and the hypervisor's slots. */
static mfn_t make_l3(uint32_t pfn, uint64_t extra_flags)
{
    mfn_t l3 = p2m(pfn), l2 = p2m(pfn + 1);
    uint64_t *t = (uint64_t *)(fake_mem + (size_t)l3 * PAGE_SIZE);

    memset(t, 0, PAGE_SIZE);
    memset(fake_mem + (size_t)l2 * PAGE_SIZE, 0, PAGE_SIZE);
    t[3] = pte(l2, _PAGE_PRESENT | extra_flags);
    return l3;
}

static void test_l3_rules(void)
{
    mfn_t l3, l2b, cur_xl2;
    uint64_t *t;
    struct snap *s;
    static const struct {
        const char *what;
        uint64_t flags;
        long rc;
    } flag_rows[] = {
        /* As current Xen for a 32-bit guest (XSA-286: its L3 disallow mask
         * is 0xFFFFF198): the CPU loads a copy with P only (mm_vcpu_pdpt). */
        { "P", 0, 0 }, { "P|RW", 0x2, 0 }, { "P|US", 0x4, 0 }, { "P|A", 0x20, 0 },
        { "P|D", 0x40, 0 }, { "P|RW|US|A|D", 0x66, 0 }, { "P|avail", 0xe00, 0 },
        { "P|PWT", 0x8, -EINVAL }, { "P|PCD", 0x10, -EINVAL }, { "P|PS", 0x80, -EINVAL },
        { "P|G", 0x100, -EINVAL }, { "P|NX", _PAGE_NX, -EINVAL },
        { "P|bit 52", 1ull << 52, -EINVAL },
    };

    boot();
    for ( unsigned int i = 0; i < ARRAY_SIZE(flag_rows); i++ )
    {
        l3 = make_l3(FREE_PFN, flag_rows[i].flags);
        s = snap_take();
        CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L3_TABLE, l3, 0), flag_rows[i].rc);
        if ( flag_rows[i].rc )
        {
            CU_ASSERT(snap_same(s, flag_rows[i].what));
        }
        else
        {
            free(s);
            /* The hypervisor's slots arrived in the fresh slot-3 L2. */
            CU_ASSERT_EQUAL(rd(p2m(FREE_PFN + 1), 511), 0xa5a5000ull + 511);
            CU_ASSERT(frame_of(p2m(FREE_PFN + 1))->flags & FRAME_F_XEN_L2);
            CU_ASSERT_EQUAL(ext(MMUEXT_UNPIN_TABLE, l3, 0), 0);
        }
        audit_clean();
    }

    /*
     * The PDPT the CPU loads never holds what PAE reserves. A non-present
     * entry with A and D (never validated: not present), then a present one
     * written over it with PRESERVE_AD: the guest's L3 gets P|A|D, which
     * used to go straight into the CPU's PDPTE (#GP in ring 0 on hardware;
     * the fake CPU aborts on it too). The copy has the address and P only.
     */
    {
        mfn_t l2 = p2m(FREE_PFN + 5);
        const uint64_t *pdpt = (const uint64_t *)(fake_mem + mm_vcpu_pdpt(current));

        CU_ASSERT_EQUAL(mmu(pte(cr3_mfn(), 0) + 8, 0x60), 0);
        CU_ASSERT_EQUAL(rd(cr3_mfn(), 1), 0x60);
        CU_ASSERT_EQUAL(mmu((pte(cr3_mfn(), 0) + 8) | MMU_PT_UPDATE_PRESERVE_AD, pte(l2, 1)), 0);
        CU_ASSERT_EQUAL(rd(cr3_mfn(), 1), pte(l2, 0x61));
        CU_ASSERT_EQUAL(fake_cr3, mm_vcpu_pdpt(current));
        CU_ASSERT_EQUAL(pdpt[1], pte(l2, 1));
        CU_ASSERT_EQUAL(pdpt[0], rd(cr3_mfn(), 0) & (PTE_ADDR_MASK | 1));
        CU_ASSERT_EQUAL(mmu(pte(cr3_mfn(), 0) + 8, pte(l2, 0x67)), 0);   /* RW|US|A|D */
        CU_ASSERT_EQUAL(pdpt[1], pte(l2, 1));
        CU_ASSERT_EQUAL(mmu(pte(cr3_mfn(), 0) + 8, 0), 0);
        CU_ASSERT_EQUAL(pdpt[1], 0);
        audit_clean();
    }

    l3 = make_l3(FREE_PFN, 0);
    t = (uint64_t *)(fake_mem + (size_t)l3 * PAGE_SIZE);
    l2b = p2m(FREE_PFN + 2);
    cur_xl2 = (mfn_t)(rd(cr3_mfn(), 3) >> PAGE_SHIFT);

    /* No slot 3. */
    t[3] = 0;
    s = snap_take();
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L3_TABLE, l3, 0), -EINVAL);
    CU_ASSERT(snap_same(s, "no slot 3"));
    /* Slot 3 shared with the running L3. */
    t[3] = pte(cur_xl2, 1);
    s = snap_take();
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L3_TABLE, l3, 0), -EINVAL);
    CU_ASSERT(snap_same(s, "shared slot 3"));
    /* Self-reference and another L3. */
    t[3] = pte(p2m(FREE_PFN + 1), 1);
    t[0] = pte(l3, 1);
    s = snap_take();
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L3_TABLE, l3, 0), -EINVAL);
    CU_ASSERT(snap_same(s, "L3 names itself"));
    t[0] = pte(cr3_mfn(), 1);
    s = snap_take();
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L3_TABLE, l3, 0), -EINVAL);
    CU_ASSERT(snap_same(s, "L3 names an L3"));
    /* The running xen L2 in a guest slot: it is no plain L2. */
    t[0] = pte(cur_xl2, 1);
    s = snap_take();
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L3_TABLE, l3, 0), -EINVAL);
    CU_ASSERT(snap_same(s, "xen L2 in slot 0"));
    /* A pinned plain L2 cannot be the slot-3 L2. */
    t[0] = 0;
    t[3] = pte(l2b, 1);
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L2_TABLE, l2b, 0), 0);
    s = snap_take();
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L3_TABLE, l3, 0), -EINVAL);
    CU_ASSERT(snap_same(s, "plain L2 in slot 3"));
    /* ... but it can sit in slot 0, and an L3 works with its own slot 3. */
    t[0] = pte(l2b, 1);
    t[3] = pte(p2m(FREE_PFN + 1), 1);
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L3_TABLE, l3, 0), 0);
    CU_ASSERT_EQUAL(frame_of(l2b)->type_count, 2);
    /* mod_l3_entry: slot 1 may change, slot 3 may not. */
    CU_ASSERT_EQUAL(mmu(pte(l3, 0) + 8 * 1, pte(l2b, 1)), 0);
    CU_ASSERT_EQUAL(mmu(pte(l3, 0) + 8 * 1, pte(l2b, 3)), 0);           /* RW: as Xen */
    CU_ASSERT_EQUAL(mmu(pte(l3, 0) + 8 * 1, pte(l2b, 0x9)), -EINVAL);    /* PWT */
    CU_ASSERT_EQUAL(mmu(pte(l3, 0) + 8 * 3, pte(l2b, 1)), -EINVAL);
    CU_ASSERT_EQUAL(ext(MMUEXT_UNPIN_TABLE, l3, 0), 0);
    CU_ASSERT_EQUAL(ext(MMUEXT_UNPIN_TABLE, l2b, 0), 0);
    CU_ASSERT_EQUAL(frame_of(l2b)->type_count, 0);
    audit_clean();
}

/* ------------------------------------------------------------------------
 * mmuext_op.
 */

static void test_pin_unpin_baseptr(void)
{
    mfn_t l3, old = 0;
    struct snap *s;

    boot();
    old = cr3_mfn();
    l3 = make_l3(FREE_PFN, 0);

    s = snap_take();
    CU_ASSERT_EQUAL(ext(MMUEXT_UNPIN_TABLE, l3, 0), -EINVAL);        /* not pinned */
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L1_TABLE, 0x101, 0), -EINVAL);    /* not ours */
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L4_TABLE, l3, 0), 0);             /* ignored, as Xen */
    CU_ASSERT_EQUAL(ext(MMUEXT_NEW_BASEPTR, p2m(0), 0), -EINVAL);    /* mapped writable */
    CU_ASSERT_EQUAL(ext(MMUEXT_NEW_BASEPTR, 0x101, 0), -EINVAL);
    CU_ASSERT_EQUAL(ext(99, 0, 0), -ENOSYS);
    CU_ASSERT_EQUAL(ext(MMUEXT_MARK_SUPER, 0, 0), -EOPNOTSUPP);
    CU_ASSERT_EQUAL(ext(MMUEXT_NEW_USER_BASEPTR, l3, 0), -ENOSYS);
    CU_ASSERT(snap_same(s, "bad mmuext"));

    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L3_TABLE, l3, 0), 0);
    s = snap_take();
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L3_TABLE, l3, 0), -EINVAL);       /* twice */
    CU_ASSERT(snap_same(s, "pinned twice"));

    /* Switch to it (the slot-0 L2 is empty: the guest would fault, but the
     * hypervisor only cares about types), then back. */
    CU_ASSERT_EQUAL(ext(MMUEXT_NEW_BASEPTR, l3, 0), 0);
    CU_ASSERT_EQUAL(fake_cr3, mm_vcpu_pdpt(current));
    CU_ASSERT_EQUAL(frame_of(l3)->type_count, 2);
    CU_ASSERT_EQUAL(frame_of(old)->type_count, 1);
    audit_clean();
    /* Guest pointers now go through the new tables: restore by hand. */
    current->cr3 = (paddr_t)old << 12;
    frame_of(old)->type_count++;
    frame_of(old)->ref_count++;
    frame_of(l3)->type_count--;
    frame_of(l3)->ref_count--;
    audit_clean();
    CU_ASSERT_EQUAL(ext(MMUEXT_UNPIN_TABLE, l3, 0), 0);
    CU_ASSERT_EQUAL(frame_of(l3)->type_count, 0);
    CU_ASSERT_EQUAL(frame_of(p2m(FREE_PFN + 1))->type_count, 0);
    audit_clean();
}

static void test_mmuext_flush_and_ldt(void)
{
    uint32_t mask = 1;

    boot();
    CU_ASSERT_EQUAL(ext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);
    CU_ASSERT_EQUAL(ext(MMUEXT_TLB_FLUSH_ALL, 0, 0), 0);
    CU_ASSERT_EQUAL(ext(MMUEXT_INVLPG_LOCAL, SPARE_VA, 0), 0);
    CU_ASSERT_EQUAL(ext(MMUEXT_INVLPG_ALL, 0xF6000000u, 0), 0);
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA + 64, &mask, 4), 0);
    CU_ASSERT_EQUAL(ext(MMUEXT_TLB_FLUSH_MULTI, 0, BUF_VA + 64), 0);
    CU_ASSERT_EQUAL(ext(MMUEXT_INVLPG_MULTI, SPARE_VA, 0xF5800000u), -EINVAL);
    CU_ASSERT_EQUAL(ext(MMUEXT_FLUSH_CACHE, 0, 0), 0);   /* unprivileged: test_cache_attributes */

    CU_ASSERT_EQUAL(ext(MMUEXT_SET_LDT, 0x200000, 16), 0);
    CU_ASSERT_EQUAL(current->ldt_base, 0x200000);
    CU_ASSERT_EQUAL(current->ldt_ents, 16);
    CU_ASSERT_EQUAL(ext(MMUEXT_SET_LDT, 0x200010, 16), -EINVAL);     /* not aligned */
    CU_ASSERT_EQUAL(ext(MMUEXT_SET_LDT, 0x200000, 8193), -EINVAL);   /* too many */
    CU_ASSERT_EQUAL(ext(MMUEXT_SET_LDT, 0xF5800000u, 1), -EINVAL);   /* hypervisor's */
    CU_ASSERT_EQUAL(current->ldt_base, 0x200000);
    CU_ASSERT_EQUAL(ext(MMUEXT_SET_LDT, 0x12345, 0), 0);             /* none */
    CU_ASSERT_EQUAL(current->ldt_ents, 0);
    audit_clean();
}

static void test_mmuext_clear_copy(void)
{
    mfn_t a, b;

    boot();
    a = p2m(FREE_PFN);
    b = p2m(FREE_PFN + 1);
    memset(fake_mem + (size_t)a * PAGE_SIZE, 0x5a, PAGE_SIZE);
    {
        struct mmuext_op op = { .cmd = MMUEXT_COPY_PAGE, .arg1.mfn = b, .arg2.src_mfn = a };

        CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &op, sizeof(op)), 0);
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_mmuext_op, BUF_VA, 1, 0, DOMID_SELF, 0), 0);
    }
    CU_ASSERT_EQUAL(fake_mem[(size_t)b * PAGE_SIZE + 100], 0x5a);
    CU_ASSERT_EQUAL(ext(MMUEXT_CLEAR_PAGE, a, 0), 0);
    CU_ASSERT_EQUAL(fake_mem[(size_t)a * PAGE_SIZE + 100], 0);
    CU_ASSERT_EQUAL(ext(MMUEXT_CLEAR_PAGE, cr3_mfn(), 0), -EINVAL);  /* a table */
    CU_ASSERT_EQUAL(ext(MMUEXT_CLEAR_PAGE, 0x101, 0), -EINVAL);      /* not ours */
    audit_clean();
}

/* ------------------------------------------------------------------------
 * mmu_update: batches, done counts, continuations, bad requests.
 */

static void test_mmu_update_batch_continues(void)
{
    enum { N = 2048 };
    static struct mmu_update reqs[N];
    mfn_t a;
    uint32_t done = 0;
    unsigned int conts = 0;
    long rc;

    boot();
    a = p2m(FREE_PFN);
    CU_ASSERT_EQUAL_FATAL(ext(MMUEXT_PIN_L1_TABLE, a, 0), 0);
    /* 4 rounds over 512 slots, mapping 512 different frames read-only. */
    for ( unsigned int i = 0; i < N; i++ )
        reqs[i] = (struct mmu_update){ pte(a, 0) + 8 * (i % 512),
                                       pte(p2m(FREE_PFN + 1 + (i % 512) + (i / 512)), 0x21) };
    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, 0x340000, reqs, sizeof(reqs)), 0);
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &done, 4), 0);
    rc = hcall(__HYPERVISOR_mmu_update, 0x340000, N, BUF_VA, DOMID_SELF, &conts);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(conts >= N / MM_WORK_BUDGET - 1);
    CU_ASSERT_EQUAL(copy_from_guest(current, &done, BUF_VA, 4), 0);
    CU_ASSERT_EQUAL(done, N);
    printf(" [2048 updates: %u continuations] ", conts);
    CU_ASSERT_EQUAL(rd(a, 0), pte(p2m(FREE_PFN + 1 + 3), 0x21));
    CU_ASSERT_EQUAL(ext(MMUEXT_UNPIN_TABLE, a, 0), 0);
    audit_clean();
}

static void test_mmu_update_stops_at_bad_request(void)
{
    struct mmu_update reqs[4];
    uint32_t done = 77;
    mfn_t a;

    boot();
    a = p2m(FREE_PFN);
    CU_ASSERT_EQUAL_FATAL(ext(MMUEXT_PIN_L1_TABLE, a, 0), 0);
    reqs[0] = (struct mmu_update){ pte(a, 0), pte(p2m(FREE_PFN + 1), 0x21) };
    reqs[1] = (struct mmu_update){ pte(a, 0) + 8, pte(p2m(FREE_PFN + 2), 0x21) };
    reqs[2] = (struct mmu_update){ pte(a, 0) + 16, pte(cr3_mfn(), 0x23) };   /* bad */
    reqs[3] = (struct mmu_update){ pte(a, 0) + 24, pte(p2m(FREE_PFN + 3), 0x21) };
    CU_ASSERT_EQUAL(copy_to_guest(current, 0x340000, reqs, sizeof(reqs)), 0);
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &done, 4), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_mmu_update, 0x340000, 4, BUF_VA, DOMID_SELF, 0),
                    -EBUSY);
    CU_ASSERT_EQUAL(copy_from_guest(current, &done, BUF_VA, 4), 0);
    CU_ASSERT_EQUAL(done, 2);
    CU_ASSERT_EQUAL(rd(a, 2), 0);
    CU_ASSERT_EQUAL(rd(a, 3), 0);
    audit_clean();

    /* Bad arguments, nothing changed. */
    {
        struct snap *s = snap_take();

        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_mmu_update, 0xF5800000u, 1, 0, DOMID_SELF, 0),
                        -EFAULT);
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_mmu_update, 0x7ff00000, 1, 0, DOMID_SELF, 0),
                        -EFAULT);       /* unmapped */
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_mmu_update, 0x340000, 1, 0, 0, 0), -ESRCH);
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_mmu_update, 0x340000, 1, 0, DOMID_IO, 0),
                        -EPERM);
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_mmu_update, 0x340000, 1, 0, 9, 0), -ESRCH);
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_mmu_update, 0x340000, 1, 0,
                                       DOMID_SELF | (10u << 16), 0), -ESRCH);
        CU_ASSERT_EQUAL(mmu(pte(0x101, 0), 0), -EINVAL);            /* not our table */
        CU_ASSERT_EQUAL(mmu(pte(a, 0) | 5, 0), -ENOSYS);            /* no such command */
        CU_ASSERT_EQUAL(mmu(0xfff000000ull, 0), -EINVAL);
        CU_ASSERT(snap_same(s, "bad mmu_update"));
    }

    /* Frame numbers the hypervisor uses as sentinels, or past the table,
     * alone and after a good request (which holds its table): each is
     * -EINVAL with nothing changed. ~0 crashed pvx (it matched the batch's
     * "no table held" value). */
    {
        static const uint64_t odd_mfn[] = { 0xffffffffull, 0xfffffffeull, 0x7ffffffull,
                                            FAKE_MEM_FRAMES, 0 };

        for ( size_t i = 0; i < ARRAY_SIZE(odd_mfn); i++ )
        {
            struct mmu_update two[2] = {
                { pte(a, 0), rd(a, 0) },                    /* good: rewrites itself */
                { odd_mfn[i] << PAGE_SHIFT, 0 },
            };
            struct snap *s;

            CU_ASSERT_EQUAL(copy_to_guest(current, 0x340000, two, sizeof(two)), 0);
            s = snap_take();
            CU_ASSERT_EQUAL(mmu(odd_mfn[i] << PAGE_SHIFT, 0x21), -EINVAL);
            CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_mmu_update, 0x340000, 2, 0,
                                           DOMID_SELF, 0), -EINVAL);
            CU_ASSERT(snap_same(s, "mmu_update of a sentinel frame number"));
        }
    }
    CU_ASSERT_EQUAL(ext(MMUEXT_UNPIN_TABLE, a, 0), 0);
    audit_clean();
}

/*
 * Requests are read in place a page at a time: a request in an
 * unmapped page is -EFAULT at its own index, every request before it done,
 * including one that straddles into the bad page; 40 in one page all go.
 */
static void test_mmu_update_reads_requests_by_page(void)
{
    enum { N = 40, FIRST = SPARE_VA - 3 * 16 - 8 };     /* 3 whole, 1 straddling */
    static struct mmu_update reqs[N];
    uint32_t done;
    mfn_t a;

    boot();
    a = p2m(FREE_PFN);
    CU_ASSERT_EQUAL_FATAL(ext(MMUEXT_PIN_L1_TABLE, a, 0), 0);
    for ( unsigned int i = 0; i < N; i++ )
        reqs[i] = (struct mmu_update){ pte(a, 0) + 8 * i, pte(p2m(FREE_PFN + 1 + i), 0x21) };

    /* Positive: 40 requests in one page (one walk), then 5 across a
     * page boundary with one straddling it. */
    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, 0x340000, reqs, sizeof(reqs)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_mmu_update, 0x340000, N, BUF_VA, DOMID_SELF, 0), 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &done, BUF_VA, 4), 0);
    CU_ASSERT_EQUAL(done, N);
    for ( unsigned int i = 0; i < N; i++ )
        CU_ASSERT_EQUAL(rd(a, i), reqs[i].val);
    for ( unsigned int i = 0; i < N; i++ )
        reqs[i].val = pte(p2m(FREE_PFN + 100 + i), 0x21);
    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, FIRST, reqs, 5 * sizeof(reqs[0])), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_mmu_update, FIRST, 5, BUF_VA, DOMID_SELF, 0), 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &done, BUF_VA, 4), 0);
    CU_ASSERT_EQUAL(done, 5);
    for ( unsigned int i = 0; i < 5; i++ )
        CU_ASSERT_EQUAL(rd(a, i), reqs[i].val);

    /* Negative: the second page unmapped. Three done, the straddling one is
     * -EFAULT, nothing after it changed. */
    for ( unsigned int i = 0; i < 5; i++ )
        reqs[i].val = pte(p2m(FREE_PFN + 200 + i), 0x21);
    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, FIRST, reqs, 5 * sizeof(reqs[0])), 0);
    CU_ASSERT_EQUAL_FATAL(uvm(SPARE_VA, 0, UVMF_INVLPG), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_mmu_update, FIRST, 5, BUF_VA, DOMID_SELF, 0),
                    -EFAULT);
    CU_ASSERT_EQUAL(copy_from_guest(current, &done, BUF_VA, 4), 0);
    CU_ASSERT_EQUAL(done, 3);
    for ( unsigned int i = 0; i < 3; i++ )
        CU_ASSERT_EQUAL(rd(a, i), pte(p2m(FREE_PFN + 200 + i), 0x21));
    for ( unsigned int i = 3; i < 5; i++ )
        CU_ASSERT_EQUAL(rd(a, i), pte(p2m(FREE_PFN + 100 + i), 0x21));

    /* A misaligned array is read as well (x86 allows it; UBSan checks we do). */
    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, 0x340001, reqs, 2 * sizeof(reqs[0])), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_mmu_update, 0x340001, 2, BUF_VA, DOMID_SELF, 0), 0);
    CU_ASSERT_EQUAL(rd(a, 1), reqs[1].val);
    CU_ASSERT_EQUAL(ext(MMUEXT_UNPIN_TABLE, a, 0), 0);
    audit_clean();
}

static void test_mmu_update_writable_and_preserve_ad(void)
{
    mfn_t a, w;

    boot();
    a = p2m(FREE_PFN);
    w = p2m(FREE_PFN + 5);
    /* An untyped frame: a plain write. */
    CU_ASSERT_EQUAL(mmu(pte(w, 0) + 8, 0x1234), 0);
    CU_ASSERT_EQUAL(rd(w, 1), 0x1234);
    CU_ASSERT_EQUAL(frame_of(w)->type_count, 0);
    CU_ASSERT_EQUAL(frame_of(w)->type, FRAME_WRITABLE);
    CU_ASSERT_EQUAL(frame_of(w)->ref_count, 1);
    /* A table no longer in use (an L1 pinned, then unpinned) written so
     * loses its validation: pinned again, it is validated again, and a bad
     * entry written meanwhile is found (the hypervisor's frame 0x101). */
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L1_TABLE, a, 0), 0);
    CU_ASSERT_EQUAL(ext(MMUEXT_UNPIN_TABLE, a, 0), 0);
    CU_ASSERT_EQUAL(mmu(pte(a, 0) + 16, pte(0x101, 0x61)), 0);
    CU_ASSERT_EQUAL(frame_of(a)->type, FRAME_WRITABLE);
    CU_ASSERT(!(frame_of(a)->flags & FRAME_F_VALIDATED));
    CU_ASSERT_NOT_EQUAL(ext(MMUEXT_PIN_L1_TABLE, a, 0), 0);
    CU_ASSERT_EQUAL(mmu(pte(a, 0) + 16, 0), 0);
    audit_clean();
    /* PRESERVE_AD keeps A and D the hardware set. */
    CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L1_TABLE, a, 0), 0);
    CU_ASSERT_EQUAL(mmu(pte(a, 0), pte(w, 0x21)), 0);
    ((uint64_t *)(fake_mem + (size_t)a * PAGE_SIZE))[0] |= _PAGE_DIRTY;
    CU_ASSERT_EQUAL(mmu(pte(a, 0) | MMU_PT_UPDATE_PRESERVE_AD, pte(w, 0x01)), 0);
    CU_ASSERT_EQUAL(rd(a, 0), pte(w, 0x61));
    CU_ASSERT_EQUAL(mmu(pte(a, 0), pte(w, 0x01)), 0);
    CU_ASSERT_EQUAL(rd(a, 0), pte(w, 0x01));
    CU_ASSERT_EQUAL(ext(MMUEXT_UNPIN_TABLE, a, 0), 0);
    audit_clean();
}

static void test_machphys_update(void)
{
    boot();
    CU_ASSERT_EQUAL(mmu(pte(p2m(FREE_PFN), 0) | MMU_MACHPHYS_UPDATE, 0x4242), 0);
    CU_ASSERT_EQUAL(m2p_get(p2m(FREE_PFN)), 0x4242);
    {
        struct snap *s = snap_take();
        uint32_t before = m2p_get(0x101);

        CU_ASSERT_EQUAL(mmu(pte(0x101, 0) | MMU_MACHPHYS_UPDATE, 7), -EINVAL);
        CU_ASSERT_EQUAL(mmu(pte(0x50, 0) | MMU_MACHPHYS_UPDATE, 7), -EINVAL);
        CU_ASSERT_EQUAL(m2p_get(0x101), before);
        CU_ASSERT(snap_same(s, "foreign machphys"));
    }
    CU_ASSERT_EQUAL(mmu(pte(p2m(FREE_PFN), 0) | MMU_MACHPHYS_UPDATE, FREE_PFN), 0);
    audit_clean();
}

/* ------------------------------------------------------------------------
 * update_va_mapping.
 */

static void test_update_va_mapping(void)
{
    mfn_t f, l1;
    uint32_t mask = 0;
    struct snap *s;

    boot();
    f = p2m(FREE_PFN);
    l1 = (mfn_t)(rd((mfn_t)(rd(cr3_mfn(), 0) >> 12), SPARE_VA >> 21) >> 12);
    CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(f, 0x63), UVMF_INVLPG | UVMF_ALL), 0);
    CU_ASSERT_EQUAL(rd(l1, (SPARE_VA >> 12) & 511), pte(f, 0x63));
    CU_ASSERT_EQUAL(frame_of(f)->type_count, 1);
    /* The page that was there lost its mapping. */
    CU_ASSERT_EQUAL(frame_of(p2m(SPARE_VA >> 12))->type_count, 0);
    CU_ASSERT_EQUAL(uvm(SPARE_VA, 0, UVMF_TLB_FLUSH | UVMF_LOCAL), 0);
    CU_ASSERT_EQUAL(frame_of(f)->ref_count, 1);

    s = snap_take();
    CU_ASSERT_EQUAL(uvm(0xF5800000u, pte(f, 0x63), 0), -EINVAL);     /* hypervisor area */
    CU_ASSERT_EQUAL(uvm(0x80000000u, pte(f, 0x63), 0), -EINVAL);     /* no L1 there */
    CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(l1, 0x63), 0), -EBUSY);        /* its own L1 */
    CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(0x101, 0x61), 0), -EBUSY);     /* not ours */
    CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(f, 0x61) | (1ull << 40), 0), -EINVAL);
    CU_ASSERT(snap_same(s, "bad update_va_mapping"));

    /* A vCPU mask pointer: read, honoured. A bad one is -EFAULT and the
     * entry stays as it was (Xen writes the entry first, then fails). */
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &mask, 4), 0);
    CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(f, 0x61), UVMF_INVLPG | BUF_VA), 0);
    CU_ASSERT_EQUAL(rd(l1, (SPARE_VA >> 12) & 511), pte(f, 0x61));
    s = snap_take();
    CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(p2m(SPARE_VA >> 12), 0x63), UVMF_INVLPG | 0x7ff00000u),
                    -EFAULT);
    CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(p2m(SPARE_VA >> 12), 0x63), UVMF_TLB_FLUSH | 0x7ff00000u),
                    -EFAULT);
    CU_ASSERT(snap_same(s, "update_va_mapping with a bad vCPU mask"));
    CU_ASSERT_EQUAL(rd(l1, (SPARE_VA >> 12) & 511), pte(f, 0x61));
    /* No flush asked for: the mask is not read, the update goes through. */
    CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(p2m(SPARE_VA >> 12), 0x63), UVMF_NONE | 0x7ff00000u), 0);
    CU_ASSERT_EQUAL(rd(l1, (SPARE_VA >> 12) & 511), pte(p2m(SPARE_VA >> 12), 0x63));
    audit_clean();
}

/* ------------------------------------------------------------------------
 * multicall.
 */

static void test_multicall(void)
{
    struct multicall_entry mc[5];
    mfn_t f;

    boot();
    f = p2m(FREE_PFN);
    memset(mc, 0, sizeof(mc));
    mc[0] = (struct multicall_entry){ __HYPERVISOR_update_va_mapping, 0,
                                      { SPARE_VA, (uint32_t)pte(f, 0x63), 0, UVMF_NONE } };
    mc[1] = (struct multicall_entry){ __HYPERVISOR_update_va_mapping, 0,
                                      { 0xF5800000u, 0, 0, 0 } };
    mc[2] = (struct multicall_entry){ 60, 0, { 0 } };
    mc[3] = (struct multicall_entry){ __HYPERVISOR_multicall, 0, { BUF_VA, 1 } };
    mc[4] = (struct multicall_entry){ __HYPERVISOR_xen_version, 0, { 0, 0 } };
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, mc, sizeof(mc)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_multicall, BUF_VA, 5, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, mc, BUF_VA, sizeof(mc)), 0);
    CU_ASSERT_EQUAL((int32_t)mc[0].result, 0);
    CU_ASSERT_EQUAL((int32_t)mc[1].result, -EINVAL);
    CU_ASSERT_EQUAL((int32_t)mc[2].result, -ENOSYS);
    CU_ASSERT_EQUAL((int32_t)mc[3].result, -EINVAL);            /* nested */
    CU_ASSERT((int32_t)mc[4].result > 0);
    CU_ASSERT_EQUAL(frame_of(f)->type_count, 1);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_multicall, 0xF5800000u, 1, 0, 0, 0), -EFAULT);
    audit_clean();
}

static void test_multicall_continues_inner_batch(void)
{
    enum { N = 2048 };
    static struct mmu_update reqs[N];
    struct multicall_entry mc[2];
    unsigned int conts = 0;
    mfn_t a;

    boot();
    a = p2m(FREE_PFN);
    CU_ASSERT_EQUAL_FATAL(ext(MMUEXT_PIN_L1_TABLE, a, 0), 0);
    for ( unsigned int i = 0; i < N; i++ )
        reqs[i] = (struct mmu_update){ pte(a, 0) + 8 * (i % 512), pte(p2m(FREE_PFN + 1), 0x21) };
    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, 0x340000, reqs, sizeof(reqs)), 0);
    mc[0] = (struct multicall_entry){ __HYPERVISOR_mmu_update, 0,
                                      { 0x340000, N, 0, DOMID_SELF } };
    mc[1] = (struct multicall_entry){ __HYPERVISOR_mmuext_op, 0, { 0, 0, 0, DOMID_SELF } };
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, mc, sizeof(mc)), 0);
    CU_ASSERT_EQUAL(hcall(__HYPERVISOR_multicall, BUF_VA, 2, 0, 0, &conts), 0);
    CU_ASSERT(conts >= 1);
    CU_ASSERT_EQUAL(copy_from_guest(current, mc, BUF_VA, sizeof(mc)), 0);
    CU_ASSERT_EQUAL((int32_t)mc[0].result, 0);
    CU_ASSERT_EQUAL(frame_of(p2m(FREE_PFN + 1))->ref_count, 1 + 512);
    CU_ASSERT_EQUAL(ext(MMUEXT_UNPIN_TABLE, a, 0), 0);
    CU_ASSERT_EQUAL(frame_of(p2m(FREE_PFN + 1))->ref_count, 1);
    audit_clean();
}

/* ------------------------------------------------------------------------
 * memory_op.
 */

static long memop_res(unsigned int op, uint32_t list, uint32_t nr, uint32_t order, domid_t domid)
{
    struct xen_memory_reservation r = {
        .extent_start = list, .nr_extents = nr, .extent_order = order, .domid = domid,
    };

    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &r, sizeof(r)), 0);
    return hcall(__HYPERVISOR_memory_op, op, BUF_VA, 0, 0, NULL);
}

static long memop_dom(unsigned int op, domid_t domid)
{
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA + 32, &domid, sizeof(domid)), 0);
    return unit_hypercall(__HYPERVISOR_memory_op, op, BUF_VA + 32, 0, 0, 0);
}

static void test_memory_reservation(void)
{
    struct domain *d;
    uint32_t list[4], tot, free0;
    mfn_t gone, mapped;

    boot();
    d = current->domain;
    tot = d->tot_pages;
    free0 = frame_free_count();
    CU_ASSERT_EQUAL(memop_dom(XENMEM_current_reservation, DOMID_SELF), tot);
    CU_ASSERT_EQUAL(memop_dom(XENMEM_maximum_reservation, 0), d->max_pages);
    CU_ASSERT_EQUAL(memop_dom(XENMEM_current_reservation, 5), -ESRCH);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_memory_op, XENMEM_current_reservation,
                                   0xF5800000u, 0, 0, 0), -EFAULT);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_memory_op, XENMEM_maximum_ram_page, 0, 0, 0, 0),
                    FAKE_MEM_FRAMES);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_memory_op, 33, 0, 0, 0, 0), -ENOSYS);

    /* At max_pages: no more. */
    CU_ASSERT_EQUAL(memop_res(XENMEM_increase_reservation, BUF_VA + 64, 1, 0, DOMID_SELF), 0);

    /* Give back an unmapped frame and a mapped one. */
    gone = p2m(FREE_PFN);
    mapped = p2m(SPARE_VA >> 12);
    list[0] = gone;
    list[1] = mapped;
    list[2] = 0x101;                    /* not ours: stops here */
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA + 64, list, 12), 0);
    CU_ASSERT_EQUAL(memop_res(XENMEM_decrease_reservation, BUF_VA + 64, 3, 0, DOMID_SELF), 2);
    CU_ASSERT_EQUAL(frame_of(gone)->owner, DOMID_FREE);
    CU_ASSERT_EQUAL(frame_of(mapped)->owner, 0);            /* still mapped: stays */
    CU_ASSERT_EQUAL(d->tot_pages, tot - 1);
    CU_ASSERT_EQUAL(frame_free_count(), free0 + 1);
    audit_clean();
    CU_ASSERT_EQUAL(uvm(SPARE_VA, 0, UVMF_INVLPG), 0);      /* last reference */
    CU_ASSERT_EQUAL(frame_of(mapped)->owner, DOMID_FREE);
    CU_ASSERT_EQUAL(d->tot_pages, tot - 2);
    audit_clean();

    /* Take two back: increase (the guest learns the mfn), populate (M2P set). */
    CU_ASSERT_EQUAL(memop_res(XENMEM_increase_reservation, BUF_VA + 64, 1, 0, DOMID_SELF), 1);
    CU_ASSERT_EQUAL(copy_from_guest(current, list, BUF_VA + 64, 4), 0);
    CU_ASSERT_EQUAL(frame_of(list[0])->owner, 0);
    list[0] = FREE_PFN;
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA + 64, list, 4), 0);
    CU_ASSERT_EQUAL(memop_res(XENMEM_populate_physmap, BUF_VA + 64, 1, 0, 0), 1);
    CU_ASSERT_EQUAL(copy_from_guest(current, list, BUF_VA + 64, 4), 0);
    CU_ASSERT_EQUAL(m2p_get(list[0]), FREE_PFN);
    CU_ASSERT_EQUAL(d->tot_pages, tot);
    CU_ASSERT_EQUAL(frame_free_count(), free0);

    /* Refused: order 1, another domain, a bad list, a bad struct. */
    {
        struct snap *s;

        d->max_pages += 4;
        s = snap_take();
        CU_ASSERT_EQUAL(memop_res(XENMEM_increase_reservation, BUF_VA + 64, 1, 1, DOMID_SELF), 0);
        CU_ASSERT_EQUAL(memop_res(XENMEM_increase_reservation, BUF_VA + 64, 1, 0, 3), 0);
        CU_ASSERT_EQUAL(memop_res(XENMEM_increase_reservation, 0xF5800000u, 1, 0, DOMID_SELF), 0);
        CU_ASSERT_EQUAL(memop_res(XENMEM_populate_physmap, 0x7ff00000, 1, 0, DOMID_SELF), 0);
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_memory_op, XENMEM_increase_reservation,
                                       0xF5800000u, 0, 0, 0), 0);
        CU_ASSERT(snap_same(s, "bad reservations"));
        d->max_pages -= 4;
    }
    audit_clean();

    /* address_bits: no free frame below the limit means nothing done and
     * nothing touched (a frame used to be taken, zeroed and given back);
     * a limit above a free frame gives one below it. Free frames are
     * filled with a pattern so that a frame taken and given back shows. */
    {
        struct xen_memory_reservation r = {
            .extent_start = BUF_VA + 64, .nr_extents = 1, .domid = DOMID_SELF,
            .mem_flags = XENMEMF_address_bits(PAGE_SHIFT + 1),      /* frames 0 and 1 */
        };
        mfn_t lowest = FAKE_MEM_FRAMES;
        unsigned int bits = PAGE_SHIFT;
        struct snap *s;

        for ( mfn_t m = 0; m < FAKE_MEM_FRAMES; m++ )
            if ( frame_of(m)->owner == DOMID_FREE )
            {
                memset(fake_mem + (size_t)m * PAGE_SIZE, 0x5a, PAGE_SIZE);
                lowest = MIN(lowest, m);
            }
        d->max_pages += 1;
        CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &r, sizeof(r)), 0);
        s = snap_take();
        CU_ASSERT_EQUAL(hcall(__HYPERVISOR_memory_op, XENMEM_increase_reservation, BUF_VA, 0, 0,
                              NULL), 0);
        CU_ASSERT(snap_same(s, "increase_reservation below the lowest free frame"));

        while ( (1u << (bits - PAGE_SHIFT)) <= lowest )
            bits++;
        r.mem_flags = XENMEMF_address_bits(bits);
        CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &r, sizeof(r)), 0);
        CU_ASSERT_EQUAL(hcall(__HYPERVISOR_memory_op, XENMEM_increase_reservation, BUF_VA, 0, 0,
                              NULL), 1);
        CU_ASSERT_EQUAL(copy_from_guest(current, list, BUF_VA + 64, 4), 0);
        CU_ASSERT(list[0] < (1u << (bits - PAGE_SHIFT)));
        CU_ASSERT_EQUAL(frame_of(list[0])->owner, 0);
        CU_ASSERT_EQUAL(memop_res(XENMEM_decrease_reservation, BUF_VA + 64, 1, 0, DOMID_SELF), 1);
        d->max_pages -= 1;
    }
    audit_clean();
}

static void test_memory_map(void)
{
    struct xen_memory_map map = { .nr_entries = 4, .buffer = BUF_VA + 64 };
    struct xen_e820_entry e;

    boot();
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &map, sizeof(map)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_memory_op, XENMEM_memory_map, BUF_VA, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &map, BUF_VA, sizeof(map)), 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &e, BUF_VA + 64, sizeof(e)), 0);
    CU_ASSERT_EQUAL(map.nr_entries, 1);
    CU_ASSERT_EQUAL(e.type, XEN_E820_RAM);
    CU_ASSERT_EQUAL(e.size, (uint64_t)current->domain->max_pages << 12);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_memory_op, XENMEM_memory_map, 0xF5800000u,
                                   0, 0, 0), -EFAULT);
    audit_clean();
}

/* ------------------------------------------------------------------------
 * Many address spaces, and a domain's end.
 */

static void test_thousand_address_spaces(void)
{
    struct snap *s;
    mfn_t l3 = 0, l2 = 0, l1 = 0;

    boot();
    s = snap_take();
    for ( unsigned int i = 0; i < 1000; i++ )
    {
        uint64_t *t1, *t3;

        l3 = make_l3(FREE_PFN + (i % 8) * 4, 0);
        l2 = p2m(FREE_PFN + (i % 8) * 4 + 2);
        l1 = p2m(FREE_PFN + (i % 8) * 4 + 3);
        t1 = (uint64_t *)(fake_mem + (size_t)l1 * PAGE_SIZE);
        t3 = (uint64_t *)(fake_mem + (size_t)l3 * PAGE_SIZE);
        memset(t1, 0, PAGE_SIZE);
        memset(fake_mem + (size_t)l2 * PAGE_SIZE, 0, PAGE_SIZE);
        for ( unsigned int j = 0; j < 16; j++ )
            t1[j] = pte(p2m(FREE_PFN + 64 + j), 0x67);
        ((uint64_t *)(fake_mem + (size_t)l2 * PAGE_SIZE))[0] = pte(l1, 0x67);
        t3[0] = pte(l2, 1);
        if ( ext(MMUEXT_PIN_L3_TABLE, l3, 0) )
        {
            CU_FAIL("pin of address space failed");
            break;
        }
        if ( ext(MMUEXT_UNPIN_TABLE, l3, 0) )
        {
            CU_FAIL("unpin failed");
            break;
        }
    }
    /* Memory differs (the tables were written); counts must not. */
    s->mem = mem_hash();
    CU_ASSERT(snap_same(s, "after 1000 address spaces"));
    audit_clean();
}

static void test_domain_destroy_frees_everything(void)
{
    static uint8_t img[1 << 20];
    struct elfgen_spec spec;
    struct elf_image elf;
    struct build_layout lay;
    char err[160];
    struct domain *d1;
    unsigned int free0;
    size_t len;

    boot();
    free0 = frame_free_count();
    elfgen_default(&spec);
    len = elfgen_build(&spec, img, sizeof(img));
    CU_ASSERT_EQUAL_FATAL(elf_parse(&elf, img, (uint32_t)len, err, sizeof(err)), 0);
    d1 = domain_create(1, "d1", false);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d1);
    CU_ASSERT_EQUAL_FATAL(builder_build(d1, &elf, 1024, "", 0, &lay, err, sizeof(err)), 0);
    CU_ASSERT(frame_free_count() < free0 - 1024);
    audit_clean();
    domain_kill(d1, 0);
    CU_ASSERT_PTR_NULL(domain_lookup(1));
    CU_ASSERT_EQUAL(frame_free_count(), free0);
    audit_clean();
    /* Found by the fuzzer: a killed domain stayed on the reaper's list and
     * was destroyed a second time on the next exit (an assertion). */
    sched_after_entry();
    CU_ASSERT_PTR_NULL(domain_lookup(1));
    CU_ASSERT_EQUAL(frame_free_count(), free0);
    audit_clean();
}

static void test_audit_at_shutdown(void)
{
    boot();
    {
        struct sched_shutdown sd = { .reason = SHUTDOWN_poweroff };

        CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &sd, sizeof(sd)), 0);
        fake_console_len = 0;
        CU_ASSERT_EQUAL(unit_hypercall_stop(__HYPERVISOR_sched_op, SCHEDOP_shutdown, BUF_VA, 0),
                        PVX_EXIT_POWEROFF);
        CU_ASSERT_PTR_NOT_NULL(strstr(fake_console, "(pvx) audit: clean"));
    }
    boot();
    {
        struct sched_shutdown sd = { .reason = SHUTDOWN_poweroff };

        frame_of(p2m(0))->ref_count++;                  /* a bug the audit must see */
        CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &sd, sizeof(sd)), 0);
        fake_console_len = 0;
        CU_ASSERT_EQUAL(unit_hypercall_stop(__HYPERVISOR_sched_op, SCHEDOP_shutdown, BUF_VA, 0),
                        PVX_EXIT_PANIC);
        CU_ASSERT_PTR_NOT_NULL(strstr(fake_console, "(pvx) audit: 1 mismatches"));
        frame_of(p2m(0))->ref_count--;
    }
}

void unit_register_mm(void)
{
    CU_pSuite s = CU_add_suite("mm", NULL, NULL);

    CU_add_test(s, "start of day: counts as Xen's builder leaves them", test_start_of_day_counts);
    CU_add_test(s, "audit finds a wrong count", test_audit_finds_mismatch);
    CU_add_test(s, "L1 entry rules (table)", test_l1_rules);
    CU_add_test(s, "cache attributes and flushes: the privileged domain only", test_cache_attributes);
    CU_add_test(s, "a frame changes type only at count 0", test_type_changes_only_at_zero);
    CU_add_test(s, "validation is all or nothing", test_validation_all_or_nothing);
    CU_add_test(s, "guest copies follow every change of the tables they walked", test_walks_follow_the_tables);
    CU_add_test(s, "a table's present map: grown by writes, freeing visits it", test_present_map);
    CU_add_test(s, "L2 entry rules (table)", test_l2_rules);
    CU_add_test(s, "shared_info never becomes a table", test_shared_info_stays_plain);
    CU_add_test(s, "the hypervisor's L2 slots and L3 slot 3 are fixed", test_hypervisor_slots_fixed);
    CU_add_test(s, "L3 rules: PDPTE flags, slot 3, recursion, sharing", test_l3_rules);
    CU_add_test(s, "pin, unpin, new_baseptr", test_pin_unpin_baseptr);
    CU_add_test(s, "mmuext flushes and set_ldt", test_mmuext_flush_and_ldt);
    CU_add_test(s, "mmuext clear_page and copy_page", test_mmuext_clear_copy);
    CU_add_test(s, "mmu_update: 2048 entries continue, done count", test_mmu_update_batch_continues);
    CU_add_test(s, "mmu_update stops at a bad request", test_mmu_update_stops_at_bad_request);
    CU_add_test(s, "mmu_update reads requests by page", test_mmu_update_reads_requests_by_page);
    CU_add_test(s, "mmu_update: writable frames, PRESERVE_AD", test_mmu_update_writable_and_preserve_ad);
    CU_add_test(s, "MMU_MACHPHYS_UPDATE: own frames only", test_machphys_update);
    CU_add_test(s, "update_va_mapping and UVMF flags", test_update_va_mapping);
    CU_add_test(s, "multicall: per-entry results, nesting refused", test_multicall);
    CU_add_test(s, "multicall continues a preempted inner batch", test_multicall_continues_inner_batch);
    CU_add_test(s, "memory_op reservations", test_memory_reservation);
    CU_add_test(s, "memory_op memory_map", test_memory_map);
    CU_add_test(s, "1000 address spaces leave every count as it was", test_thousand_address_spaces);
    CU_add_test(s, "domain destruction frees every frame", test_domain_destroy_frees_everything);
    CU_add_test(s, "audit at shutdown: clean, or exit 2", test_audit_at_shutdown);
}
