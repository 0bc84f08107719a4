/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_tlb.c - the hypervisor's TLB duties, on the fake machine's TLB
 * (testsuite/lib/fake_machine.c): translations and cached L2 entries the
 * guest's own accesses filled, which only arch_load_cr3, arch_flush_tlb and
 * arch_flush_tlb_one drop. The guest flushes after its own changes; the
 * hypervisor flushes before a frame that lost a mapping since the last flush
 * is freed or becomes a table, after an L2 or L3 entry changed, and reloads
 * the PDPTEs when the running L3 changed (docs/memory.md). Each duty has a
 * test that a stale entry would break, and a test that it costs no flush
 * when the TLB cannot hold one (the flush epoch).
 */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include <pvx/audit.h>
#include <pvx/domain.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/layout.h>
#include <public/memory.h>
#include <public/xen.h>

#define BUF_VA      0x380000u       /* request arrays (mapped, unused by the kernel) */
#define SPARE_VA    0x3f0000u       /* a mapped page the tests remap */
#define FREE_PFN    0x500u          /* the domain's frames, not mapped */
#define REGION_VA   0x40000000u     /* L3 slot 1, L2 slot 0: nothing mapped there */
#define RW_PTE      (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)

static mfn_t p2m(uint32_t pfn)
{
    uint32_t m = fixture_p2m(current, pfn);

    CU_ASSERT_NOT_EQUAL(m, INVALID_MFN);
    return m;
}

static uint64_t pte(mfn_t m, uint64_t flags)
{
    return ((uint64_t)m << PAGE_SHIFT) | flags;
}

static uint64_t rd(mfn_t table, unsigned int slot)
{
    return ((const uint64_t *)(fake_mem + (size_t)table * PAGE_SIZE))[slot];
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

/* Give frame m back (decrease_reservation). */
static long give_back(mfn_t m)
{
    struct xen_memory_reservation r = {
        .extent_start = BUF_VA + 64, .nr_extents = 1, .domid = DOMID_SELF,
    };
    xen_pfn_t x = m;

    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA + 64, &x, sizeof(x)), 0);
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA + 128, &r, sizeof(r)), 0);
    return unit_hypercall(__HYPERVISOR_memory_op, XENMEM_decrease_reservation, BUF_VA + 128,
                          0, 0, 0);
}

/* The guest's kernel reads a word at va: the frame it reached, or
 * INVALID_MFN on a fault. */
static mfn_t cpu_reaches(uint32_t va, bool write)
{
    uint32_t ec, w = 0;
    mfn_t mfn;

    if ( fake_cpu_translate(va, write, 1, &mfn, &ec) != FAKE_OK )
        return INVALID_MFN;
    if ( write )
        CU_ASSERT_EQUAL(fake_cpu_write(va, &w, sizeof(w), 1, &ec), FAKE_OK);
    return mfn;
}

/* Whether the TLB holds any translation to frame m. */
static bool tlb_holds(mfn_t m)
{
    static struct fake_tlb_entry e[FAKE_TLB_ENTRIES];
    unsigned int n = fake_tlb_entries(e);

    for ( unsigned int i = 0; i < n; i++ )
        if ( e[i].mfn == m )
            return true;
    return false;
}

/* A frame of the hypervisor's own (the frame table, the M2P, ...). */
static mfn_t xen_frame(void)
{
    for ( mfn_t m = FAKE_ARCH_FRAMES; m < FAKE_MEM_FRAMES; m++ )
        if ( frame_of(m)->owner == DOMID_XEN_OWN )
            return m;
    CU_FAIL_FATAL("no frame of the hypervisor's");
    return INVALID_MFN;
}

static void boot(void)
{
    unit_boot_default();
    CU_ASSERT_EQUAL_FATAL(audit_frames(), 0);
}

/* ------------------------------------------------------------------------
 * The model itself, and the guest's own flushes.
 */

/* The machine's TLB behaves as a CPU's: a walk fills it, a remap without a
 * flush leaves the old translation in use, the flush the guest asks for
 * (each way the ABI has) drops it; a flush for another vCPU does not. */
static void test_guest_flushes(void)
{
    static const struct {
        const char *what;
        uint32_t cmd, arg1;
        bool drops;
    } ways[] = {
        { "MMUEXT_TLB_FLUSH_LOCAL", MMUEXT_TLB_FLUSH_LOCAL, 0, true },
        { "MMUEXT_TLB_FLUSH_ALL", MMUEXT_TLB_FLUSH_ALL, 0, true },
        { "MMUEXT_TLB_FLUSH_MULTI of itself", MMUEXT_TLB_FLUSH_MULTI, 0, true },
        { "MMUEXT_TLB_FLUSH_MULTI of vCPU 1 only", MMUEXT_TLB_FLUSH_MULTI, 0, false },
        { "MMUEXT_INVLPG_LOCAL", MMUEXT_INVLPG_LOCAL, SPARE_VA, true },
        { "MMUEXT_INVLPG_LOCAL of another page", MMUEXT_INVLPG_LOCAL, SPARE_VA + PAGE_SIZE, false },
        { "MMUEXT_INVLPG_ALL", MMUEXT_INVLPG_ALL, SPARE_VA, true },
        { "MMUEXT_INVLPG_MULTI of itself", MMUEXT_INVLPG_MULTI, SPARE_VA, true },
        { "update_va_mapping UVMF_TLB_FLUSH", 0, UVMF_TLB_FLUSH, true },
        { "update_va_mapping UVMF_INVLPG", 0, UVMF_INVLPG, true },
        { "update_va_mapping UVMF_NONE", 0, UVMF_NONE, false },
    };
    mfn_t a, b;

    boot();
    a = p2m(FREE_PFN);
    b = p2m(FREE_PFN + 1);
    for ( unsigned int i = 0; i < sizeof(ways) / sizeof(ways[0]); i++ )
    {
        uint32_t mask = ways[i].drops ? 1 : 2;
        mfn_t got;

        CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(a, RW_PTE), UVMF_INVLPG), 0);
        CU_ASSERT_EQUAL(cpu_reaches(SPARE_VA, true), a);        /* the walk fills the TLB */
        if ( ways[i].cmd || ways[i].arg1 == UVMF_NONE )
        {
            /* Remapped behind the TLB: the CPU still uses the old one. */
            CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(b, RW_PTE), UVMF_NONE), 0);
            CU_ASSERT_EQUAL(cpu_reaches(SPARE_VA, false), a);
        }
        if ( ways[i].cmd )
        {
            struct mmuext_op op = { .cmd = ways[i].cmd, .arg1.linear_addr = ways[i].arg1,
                                    .arg2.vcpumask = BUF_VA + 64 };

            CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA + 64, &mask, sizeof(mask)), 0);
            CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &op, sizeof(op)), 0);
            CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_mmuext_op, BUF_VA, 1, 0, DOMID_SELF, 0), 0);
        }
        else if ( ways[i].arg1 != UVMF_NONE )
            CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(b, RW_PTE), ways[i].arg1), 0);
        got = cpu_reaches(SPARE_VA, false);
        if ( got != (ways[i].drops ? b : a) )
            fprintf(stderr, "\n  %s: the CPU reaches mfn %#x, expected %#x\n", ways[i].what, got,
                    ways[i].drops ? b : a);
        CU_ASSERT_EQUAL(got, ways[i].drops ? b : a);
        CU_ASSERT_EQUAL(ext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);
    }
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* A fault is the CPU's too: not present, read-only, user, past the
 * segments' limit; and it drops the stale entry it found. */
static void test_cpu_faults(void)
{
    uint32_t ec, w = 0;
    mfn_t m, a;

    boot();
    a = p2m(FREE_PFN);
    CU_ASSERT_EQUAL(fake_cpu_read(REGION_VA, &w, 4, 1, &ec), FAKE_PF);
    CU_ASSERT_EQUAL(ec, 0);
    CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(a, _PAGE_PRESENT | _PAGE_ACCESSED), UVMF_INVLPG), 0);
    CU_ASSERT_EQUAL(fake_cpu_read(SPARE_VA, &w, 4, 1, &ec), FAKE_OK);
    CU_ASSERT_EQUAL(fake_cpu_write(SPARE_VA, &w, 4, 1, &ec), FAKE_PF);    /* CR0.WP */
    CU_ASSERT_EQUAL(ec, X86_PFEC_PRESENT | X86_PFEC_WRITE);
    CU_ASSERT_EQUAL(fake_cpu_read(SPARE_VA, &w, 4, 3, &ec), FAKE_PF);     /* not user */
    CU_ASSERT_EQUAL(ec, X86_PFEC_PRESENT | X86_PFEC_USER);
    CU_ASSERT_EQUAL(fake_cpu_read(ARCH_VIRT_START, &w, 4, 1, &ec), FAKE_GP);
    CU_ASSERT_EQUAL(fake_cpu_read(ARCH_VIRT_START - 2, &w, 4, 1, &ec), FAKE_GP);
    /* The M2P reads, read-only. */
    CU_ASSERT_EQUAL(fake_cpu_translate(RO_MPT_VIRT_START, false, 1, &m, &ec), FAKE_OK);
    CU_ASSERT_EQUAL(frame_of(m)->owner, DOMID_XEN_OWN);
    CU_ASSERT_EQUAL(fake_cpu_translate(RO_MPT_VIRT_START, true, 1, &m, &ec), FAKE_PF);
    /* A stale entry that faults is dropped: the next access walks. */
    CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(a, RW_PTE), UVMF_INVLPG), 0);
    CU_ASSERT_EQUAL(cpu_reaches(SPARE_VA, false), a);
    CU_ASSERT_EQUAL(uvm(SPARE_VA, 0, UVMF_NONE), 0);
    CU_ASSERT_EQUAL(fake_cpu_read(SPARE_VA, &w, 4, 3, &ec), FAKE_PF);     /* a user access */
    CU_ASSERT_FALSE(tlb_holds(a));
    CU_ASSERT_EQUAL(cpu_reaches(SPARE_VA, false), INVALID_MFN);
}

/* ------------------------------------------------------------------------
 * The hypervisor's own flushes.
 */

/*
 * A frame the guest unmapped without flushing is still in its TLB; freed,
 * it may become another domain's. Giving it back must flush first
 * (put_last_ref). Once the guest flushed, or a CR3 load did, freeing costs
 * no flush (the flush epoch).
 */
static void test_flush_before_free(void)
{
    unsigned long flushes;
    mfn_t a;

    for ( unsigned int way = 0; way < 3; way++ )
    {
        boot();
        a = p2m(FREE_PFN);
        CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(a, RW_PTE), UVMF_INVLPG), 0);
        CU_ASSERT_EQUAL(cpu_reaches(SPARE_VA, true), a);
        CU_ASSERT_EQUAL(uvm(SPARE_VA, 0, UVMF_NONE), 0);
        CU_ASSERT(tlb_holds(a));                        /* stale: the guest did not flush */
        if ( way == 1 )
            CU_ASSERT_EQUAL(ext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);
        if ( way == 2 )
            CU_ASSERT_EQUAL(ext(MMUEXT_NEW_BASEPTR, (uint32_t)(current->cr3 >> PAGE_SHIFT), 0), 0);
        flushes = fake_tlb_flushes;
        CU_ASSERT_EQUAL(give_back(a), 1);
        CU_ASSERT_EQUAL(frame_of(a)->owner, DOMID_FREE);
        /* Nothing reaches the free frame any more... */
        CU_ASSERT_FALSE(tlb_holds(a));
        CU_ASSERT_EQUAL(cpu_reaches(SPARE_VA, false), INVALID_MFN);
        /* ...at the cost of one flush, and only when one was needed. */
        CU_ASSERT_EQUAL(fake_tlb_flushes - flushes, way == 0 ? 1u : 0u);
        CU_ASSERT_EQUAL(audit_frames(), 0);
    }
}

/*
 * A frame the guest mapped writable, then unmapped without flushing, and
 * pins as an L1: through the stale writable entry it could write a mapping
 * of any frame. Taking a table type must flush first (get_type); after the
 * guest's own flush it costs none.
 */
static void test_flush_before_table(void)
{
    unsigned long flushes;
    mfn_t a;

    for ( unsigned int way = 0; way < 2; way++ )
    {
        uint64_t evil;
        uint32_t ec;

        boot();
        evil = pte(xen_frame(), RW_PTE);
        a = p2m(FREE_PFN);
        CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(a, RW_PTE), UVMF_INVLPG), 0);
        CU_ASSERT_EQUAL(cpu_reaches(SPARE_VA, true), a);
        CU_ASSERT_EQUAL(uvm(SPARE_VA, 0, UVMF_NONE), 0);
        if ( way == 1 )
            CU_ASSERT_EQUAL(ext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);
        flushes = fake_tlb_flushes;
        CU_ASSERT_EQUAL(ext(MMUEXT_PIN_L1_TABLE, a, 0), 0);
        CU_ASSERT_EQUAL(fake_tlb_flushes - flushes, way == 0 ? 1u : 0u);
        /* The guest's store through its old address faults: no mapping of
         * the hypervisor's frame appears in its L1. */
        CU_ASSERT_EQUAL(fake_cpu_write(SPARE_VA, &evil, sizeof(evil), 1, &ec), FAKE_PF);
        CU_ASSERT_EQUAL(rd(a, 0), 0);
        CU_ASSERT_EQUAL(audit_frames(), 0);
    }
}

/*
 * An L2 entry the guest changes: the CPU may keep the old entry in its
 * paging-structure cache and walk the L1 it named for addresses it never
 * translated. That L1, no longer a table, can be mapped writable and filled
 * with anything. mmu_update flushes after an L2 or L3 change.
 */
static void test_flush_after_l2_change(void)
{
    mfn_t l2, l1, a, b;
    uint64_t evil;
    uint32_t ec, w;

    boot();
    evil = pte(xen_frame(), RW_PTE);
    l2 = (mfn_t)(rd((mfn_t)(current->cr3 >> PAGE_SHIFT), l3_table_offset(REGION_VA)) >> PAGE_SHIFT);
    l1 = p2m(FREE_PFN + 2);
    a = p2m(FREE_PFN);
    b = p2m(FREE_PFN + 1);
    CU_ASSERT_EQUAL_FATAL(rd(l2, 0), 0);
    /* An L1 at REGION_VA mapping a and b. */
    CU_ASSERT_EQUAL(mmu(pte(l2, 0), pte(l1, RW_PTE | _PAGE_USER)), 0);
    CU_ASSERT_EQUAL(mmu(pte(l1, 0), pte(a, RW_PTE)), 0);
    CU_ASSERT_EQUAL(mmu(pte(l1, 8), pte(b, RW_PTE)), 0);
    CU_ASSERT_EQUAL(cpu_reaches(REGION_VA, false), a);
    /* The L2 entry goes; the L1 is no table now. */
    CU_ASSERT_EQUAL(mmu(pte(l2, 0), 0), 0);
    CU_ASSERT_EQUAL(frame_of(l1)->type_count, 0);
    CU_ASSERT_EQUAL(cpu_reaches(REGION_VA + PAGE_SIZE, false), INVALID_MFN);
    /* The guest maps its old L1 writable and writes a mapping of the
     * hypervisor's frame into it: the CPU must not use it. */
    CU_ASSERT_EQUAL(uvm(SPARE_VA, pte(l1, RW_PTE), UVMF_NONE), 0);
    CU_ASSERT_EQUAL(fake_cpu_write(SPARE_VA + 16, &evil, sizeof(evil), 1, &ec), FAKE_OK);
    CU_ASSERT_EQUAL(fake_cpu_read(REGION_VA + 2 * PAGE_SIZE, &w, 4, 1, &ec), FAKE_PF);
    CU_ASSERT_EQUAL(uvm(SPARE_VA, 0, UVMF_INVLPG), 0);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* The running L3 changed: the CPU caches its PDPTEs until a CR3 load, so
 * mmu_update reloads it. */
static void test_reload_after_l3_change(void)
{
    mfn_t l3, l2;
    uint64_t e3;

    boot();
    l3 = (mfn_t)(current->cr3 >> PAGE_SHIFT);
    e3 = rd(l3, 1);
    l2 = (mfn_t)((e3 & PTE_ADDR_MASK) >> PAGE_SHIFT);
    CU_ASSERT_EQUAL(mmu(pte(l2, 0), pte(p2m(FREE_PFN + 2), RW_PTE | _PAGE_USER)), 0);

    CU_ASSERT_EQUAL(mmu(pte(p2m(FREE_PFN + 2), 0), pte(p2m(FREE_PFN), RW_PTE)), 0);
    CU_ASSERT_EQUAL(cpu_reaches(REGION_VA, false), p2m(FREE_PFN));
    /* L3 slot 1 not present: REGION_VA is gone. */
    CU_ASSERT_EQUAL(mmu(pte(l3, 8 * 1), 0), 0);
    CU_ASSERT_EQUAL(cpu_reaches(REGION_VA, false), INVALID_MFN);
    CU_ASSERT_EQUAL(cpu_reaches(REGION_VA + PAGE_SIZE, false), INVALID_MFN);
    CU_ASSERT_EQUAL(mmu(pte(l3, 8 * 1), e3), 0);
    CU_ASSERT_EQUAL(cpu_reaches(REGION_VA, false), p2m(FREE_PFN));
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* A switch to another domain loads its CR3: nothing of the first domain's
 * translations survives into the second's address space. */
static void test_switch_flushes(void)
{
    struct elfgen_spec s;
    mfn_t m0, m1;

    elfgen_default(&s);
    CU_ASSERT_EQUAL_FATAL(fixture_boot(&s, "kernel.elf", "dom0_mem=4M", 1, NULL), -1);
    m0 = cpu_reaches(0x100000, false);
    CU_ASSERT_EQUAL(frame_of(m0)->owner, 0);
    CU_ASSERT(tlb_holds(m0));
    fixture_become(fixture_vcpu(1));
    CU_ASSERT_FALSE(tlb_holds(m0));
    m1 = cpu_reaches(0x100000, false);
    CU_ASSERT_NOT_EQUAL(m1, INVALID_MFN);
    CU_ASSERT_EQUAL(frame_of(m1)->owner, 1);
}

void unit_register_tlb(void)
{
    CU_pSuite s = CU_add_suite("tlb", NULL, NULL);

    CU_add_test(s, "the TLB keeps a translation until the guest flushes it", test_guest_flushes);
    CU_add_test(s, "the CPU's faults drop what it cached", test_cpu_faults);
    CU_add_test(s, "a frame unmapped without a flush: flushed before it is freed",
                test_flush_before_free);
    CU_add_test(s, "a frame unmapped without a flush: flushed before it is a table",
                test_flush_before_table);
    CU_add_test(s, "an L2 entry changed: the cached one is flushed", test_flush_after_l2_change);
    CU_add_test(s, "the running L3 changed: the PDPTEs are reloaded", test_reload_after_l3_change);
    CU_add_test(s, "a domain switch leaves no translation behind", test_switch_flushes);
}
