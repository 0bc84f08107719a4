/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdpte-ad: issue 11, item 3 (the lead's). A non-present L3 entry is
 * written with A and D set, then MMU_PT_UPDATE_PRESERVE_AD makes it present
 * again keeping them: the live PDPTE holds A/D, which PAE reserves, and the
 * CPU's next CR3 load raises #GP in ring 0. On Bochs (and hardware) that is
 * a hypervisor panic today; Unicorn and QEMU's TCG do not check. Scenario
 * "pdpte-ad" runs it in the simulator and on QEMU only, until the PDPT the
 * CPU loads holds only what PAE allows: then it belongs in the Bochs lane
 * (rename it hw/pdpte-ad in run-scenarios.py).
 */
#include "guest.h"
#include "mm.h"

const char test_title[] = "pdpte-ad: A/D kept by PRESERVE_AD never reach a live PDPTE";

void test_main(void)
{
    uint32_t l3 = mm_pfn_to_mfn(start_info->pt_base >> 12);
    uint64_t ma = ((uint64_t)l3 << 12) + 2 * 8;     /* L3 slot 2 */
    uint64_t old = ((volatile uint64_t *)start_info->pt_base)[2];
    struct mmu_update u;

    printk("L3 slot 2 flags: %#x\n", (unsigned int)(old & 0xfff));
    u.ptr = ma;
    u.val = (old & ~1ull) | 0x60;                   /* not present, A|D */
    CHECK_RC(HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF), 0);
    u.ptr = ma | MMU_PT_UPDATE_PRESERVE_AD;
    u.val = old;
    CHECK_RC(HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF), 0);
    printk("L3 slot 2 flags now: %#x\n",
           (unsigned int)(((volatile uint64_t *)start_info->pt_base)[2] & 0xfff));
    CHECK_RC(mm_ext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);      /* a CR3 reload */
    printk("still running after a CR3 reload\n");
    test_pass();
}
