/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mm-type-rules - the page-frame type rules seen from a guest: a page table
 * is never writable, a writable page never a page table, the hypervisor's
 * slots and other owners' frames are out of reach, a 2048-request batch
 * completes (through continuations) with the right done count, a frame
 * given back can be taken again. The audit at shutdown checks the counts.
 */
#include <guest.h>
#include <mm.h>

const char test_title[] = "mm-type-rules: validated page-table updates";

static struct mmu_update reqs[MM_BATCH_MAX];

/* A va in the initial mapping's padding (at least 512 KiB below v_end). */
static unsigned long scratch_va(void)
{
    unsigned long v_end = (boot_esp + (4ul << 20) - 1) & ~((4ul << 20) - 1);

    if ( v_end - boot_esp < (512ul << 10) )
        v_end += 4ul << 20;
    return v_end - (256ul << 10);
}

static bool expect(const char *what, long rc, long want)
{
    if ( rc == want )
    {
        printk("%s: %ld as expected\n", what, rc);
        return true;
    }
    test_fail("%s returned %ld, expected %ld\n", what, rc, want);
    return false;
}

void test_main(void)
{
    unsigned long va = scratch_va();
    uint32_t l1 = mm_pfn_to_mfn(mm_alloc_pfn());
    uint32_t page = mm_pfn_to_mfn(mm_alloc_pfn());
    uint32_t l3 = mm_pfn_to_mfn(start_info->pt_base >> 12);
    uint32_t orig = mm_pfn_to_mfn(va >> 12);
    const volatile uint64_t *l3v = (const volatile uint64_t *)start_info->pt_base;
    uint32_t xen_l2 = (uint32_t)((l3v[3] & PTE_ADDR_MASK) >> 12);   /* mapped read-only */
    unsigned int done = 0, i;
    long before, rc;

    /* Pin a fresh L1, then try to map it writable. */
    if ( !expect("pin L1", mm_pin(MMUEXT_PIN_L1_TABLE, l1), 0) ||
         !expect("map pinned L1 writable",
                 HYPERVISOR_update_va_mapping(va, ((uint64_t)l1 << 12) | 0x63, UVMF_INVLPG),
                 -XEN_EBUSY) ||
         !expect("map pinned L1 read-only",
                 HYPERVISOR_update_va_mapping(va, ((uint64_t)l1 << 12) | 0x61, UVMF_INVLPG), 0) ||
         !expect("read it", *(volatile uint64_t *)va != 0, 0) ||
         !expect("map the L3 writable",
                 HYPERVISOR_update_va_mapping(va, ((uint64_t)l3 << 12) | 0x63, UVMF_INVLPG),
                 -XEN_EBUSY) ||
         !expect("map a frame beyond machine memory",
                 HYPERVISOR_update_va_mapping(va, ((uint64_t)0xffff0 << 12) | 0x61, UVMF_INVLPG),
                 -XEN_EPERM) ||
         !expect("map a hypervisor frame (the M2P's, through the read-only M2P L2 slot)",
                 HYPERVISOR_update_va_mapping(va, (((const volatile uint64_t *)mm_mfn_to_va(xen_l2))
                                                  [MM_HYP_FIRST_L2_SLOT] & PTE_ADDR_MASK) | 0x61,
                                              UVMF_INVLPG),
                 -XEN_EBUSY) ||
         !expect("restore the mapping",
                 HYPERVISOR_update_va_mapping(va, ((uint64_t)orig << 12) | 0x63, UVMF_INVLPG), 0) )
        return;

    /* A writable page cannot become a page table. */
    if ( !expect("map page writable",
                 HYPERVISOR_update_va_mapping(va, ((uint64_t)page << 12) | 0x63, UVMF_INVLPG), 0) ||
         !expect("pin it as L1", mm_pin(MMUEXT_PIN_L1_TABLE, page), -XEN_EINVAL) ||
         !expect("write through it", (*(volatile uint32_t *)va = 0x1234, 0), 0) ||
         !expect("restore the mapping",
                 HYPERVISOR_update_va_mapping(va, ((uint64_t)orig << 12) | 0x63, UVMF_INVLPG), 0) )
        return;

    /* The hypervisor's slots of the slot-3 L2 and L3 slot 3 are fixed. */
    reqs[0] = (struct mmu_update){ ((uint64_t)xen_l2 << 12) + 8 * MM_HYP_FIRST_L2_SLOT, 0 };
    if ( !expect("clear a hypervisor L2 slot", HYPERVISOR_mmu_update(reqs, 1, NULL, DOMID_SELF),
                 -XEN_EPERM) )
        return;
    reqs[0] = (struct mmu_update){ ((uint64_t)l3 << 12) + 8 * 3, 0 };
    if ( !expect("clear L3 slot 3", HYPERVISOR_mmu_update(reqs, 1, NULL, DOMID_SELF),
                 -XEN_EINVAL) )
        return;
    reqs[0] = (struct mmu_update){ ((uint64_t)l1 << 12), ((uint64_t)page << 12) | 0x21 | (1ull << 40) };
    if ( !expect("reserved address bit in an L1 entry",
                 HYPERVISOR_mmu_update(reqs, 1, NULL, DOMID_SELF), -XEN_EINVAL) )
        return;

    /* 2048 requests in one call: read-only mappings of 4 frames, 4 rounds. */
    for ( i = 0; i < MM_BATCH_MAX; i++ )
        reqs[i] = (struct mmu_update){ ((uint64_t)l1 << 12) + 8 * (i % 512),
                                       ((uint64_t)mm_pfn_to_mfn(i / 512) << 12) | 0x21 };
    rc = HYPERVISOR_mmu_update(reqs, MM_BATCH_MAX, &done, DOMID_SELF);
    if ( !expect("2048-request mmu_update", rc, 0) || !expect("its done count", done, 2048) )
        return;
    /* One bad request in the middle: stops there, done says where. */
    reqs[7].val = ((uint64_t)l3 << 12) | 0x23;
    rc = HYPERVISOR_mmu_update(reqs, 16, &done, DOMID_SELF);
    if ( !expect("batch with a bad 8th request", rc, -XEN_EBUSY) || !expect("done", done, 7) )
        return;
    if ( !expect("unpin L1", mm_pin(MMUEXT_UNPIN_TABLE, l1), 0) ||
         !expect("unpin it again", mm_pin(MMUEXT_UNPIN_TABLE, l1), -XEN_EINVAL) )
        return;

    /* Balloon: give the L1's frame back, take one again. */
    {
        domid_t self = DOMID_SELF;
        xen_pfn_t x = l1;
        struct xen_memory_reservation r = {
            .extent_start = (uint32_t)(unsigned long)&x, .nr_extents = 1, .domid = DOMID_SELF,
        };

        before = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
        if ( !expect("decrease_reservation", HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r), 1) ||
             !expect("one frame fewer", HYPERVISOR_memory_op(XENMEM_current_reservation, &self),
                     before - 1) ||
             !expect("pin a frame given back", mm_pin(MMUEXT_PIN_L1_TABLE, l1), -XEN_EINVAL) ||
             !expect("increase_reservation", HYPERVISOR_memory_op(XENMEM_increase_reservation, &r), 1) ||
             !expect("as before", HYPERVISOR_memory_op(XENMEM_current_reservation, &self), before) )
            return;
    }
    test_pass();
}
