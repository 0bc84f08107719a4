/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu-ldt: MMUEXT_SET_LDT with lazy validation. An LDT page is validated
 * (and typed as descriptors) when the CPU first uses it: a selector of a good
 * page then loads, its not-present entry gives #NP naming it, and the page
 * can no longer be mapped writable; a page holding a DPL-0 descriptor is
 * refused at first use and the guest gets a #PF at its own LDT address.
 * SET_LDT to nothing gives the page back.
 */
#include "guest.h"
#include "traps.h"
#include "mm.h"

const char test_title[] = "LDT pages are validated on first use";

#define SPARE_VA    0x3ff000ul          /* scratch mapping */
#define LDT_VA      0x3fe000ul          /* where the guest maps its LDT */

extern char np_at[], np_fix[], pf_at[], pf_fix[];

static void noinline load_fs_np(void)
{
    asm volatile ( "np_at: mov %0, %%fs; np_fix:" GUEST_EXTABLE(np_at, np_fix)
                   :: "r" (0x0f) : "memory" );
}

static void noinline load_fs_pf(void)
{
    asm volatile ( "pf_at: mov %0, %%fs; pf_fix:" GUEST_EXTABLE(pf_at, pf_fix)
                   :: "r" (0x07) : "memory" );
}

static long set_ldt(unsigned long va, unsigned int ents)
{
    struct mmuext_op op = { .cmd = MMUEXT_SET_LDT };

    op.arg1.linear_addr = va;
    op.arg2.nr_ents = ents;
    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

/* Fill frame mfn through a temporary writable mapping. */
static void fill(uint32_t mfn, unsigned int idx, uint64_t desc)
{
    uint64_t spare = ((uint64_t)mm_pfn_to_mfn(SPARE_VA >> 12) << 12) | 0x63;

    HYPERVISOR_update_va_mapping(SPARE_VA, ((uint64_t)mfn << 12) | 0x63, UVMF_INVLPG);
    ((volatile uint64_t *)SPARE_VA)[idx] = desc;
    HYPERVISOR_update_va_mapping(SPARE_VA, spare, UVMF_INVLPG);
}

void test_main(void)
{
    uint32_t good = mm_pfn_to_mfn(mm_alloc_pfn()), bad = mm_pfn_to_mfn(mm_alloc_pfn());
    uint64_t ldt_pte = ((uint64_t)mm_pfn_to_mfn(LDT_VA >> 12) << 12) | 0x63;
    unsigned int fs;
    unsigned long cr2;

    guest_traps_init();
    fill(good, 0, 0x00cff3000000ffffull);           /* flat data, DPL 3 */
    fill(good, 1, 0x00cf73000000ffffull);           /* the same, not present */
    fill(bad, 0, 0x00cff3000000ffffull);
    fill(bad, 3, 0x00cf93000000ffffull);            /* DPL 0: refused */

    /* The good page as LDT, mapped read-only where the guest says. */
    CHECK_RC(HYPERVISOR_update_va_mapping(LDT_VA, ((uint64_t)good << 12) | 0x21, UVMF_INVLPG), 0);
    CHECK_RC(set_ldt(LDT_VA, 512), 0);
    asm volatile ( "mov %1, %%fs; mov %%fs, %0" : "=r" (fs) : "r" (0x07) : "memory" );
    if ( fs != 0x07 )
        test_fail("fs %#x after loading LDT selector 0x07\n", fs);
    load_fs_np();
    if ( guest_last_fault.vector != 11 || guest_last_fault.error != 0x0c )
        test_fail("not-present LDT entry: vector %u error %#x, expected #NP(0xc)\n",
                  guest_last_fault.vector, guest_last_fault.error);
    /* Validated on first use: typed, so no writable mapping now. */
    CHECK_RC(HYPERVISOR_update_va_mapping(SPARE_VA, ((uint64_t)good << 12) | 0x63, UVMF_INVLPG),
          -EBUSY);

    /* The bad page: first use fails, the guest gets #PF at its LDT. */
    asm volatile ( "mov %0, %%fs" :: "r" (0) : "memory" );
    CHECK_RC(HYPERVISOR_update_va_mapping(LDT_VA, ((uint64_t)bad << 12) | 0x21, UVMF_INVLPG), 0);
    CHECK_RC(set_ldt(LDT_VA, 512), 0);                 /* same address: no change... */
    CHECK_RC(set_ldt(LDT_VA, 256), 0);                 /* ...so change the size */
    load_fs_pf();
    asm volatile ( "mov %%cr2, %0" : "=r" (cr2) :: "memory" );
    if ( guest_last_fault.vector != 14 || guest_last_fault.error != 1 || cr2 != LDT_VA )
        test_fail("bad LDT page: vector %u error %#x cr2 %#lx, expected #PF(1) at %#lx\n",
                  guest_last_fault.vector, guest_last_fault.error, cr2, LDT_VA);

    /* No LDT: both frames free to be written again. */
    CHECK_RC(set_ldt(0, 0), 0);
    CHECK_RC(HYPERVISOR_update_va_mapping(LDT_VA, ldt_pte, UVMF_INVLPG), 0);
    CHECK_RC(HYPERVISOR_update_va_mapping(SPARE_VA, ((uint64_t)good << 12) | 0x63, UVMF_INVLPG), 0);
    CHECK_RC(HYPERVISOR_update_va_mapping(SPARE_VA, ((uint64_t)bad << 12) | 0x63, UVMF_INVLPG), 0);
    CHECK_RC(HYPERVISOR_update_va_mapping(SPARE_VA, ((uint64_t)mm_pfn_to_mfn(SPARE_VA >> 12) << 12) |
                                       0x63, UVMF_INVLPG), 0);
    test_pass();
}
