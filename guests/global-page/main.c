/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * global-page: one domain's _PAGE_GLOBAL mapping must not show through in
 * another domain's address space (testsuite/run-scenarios.py,
 * "hw/global-page"; issue 11, item 4b). Both domains run this image, so a
 * page of theirs sits at the same address: domain 1 maps its own global and
 * keeps touching it, domain 0 keeps reading its own there between yields.
 * With CR4.PGE on, a CR3 load keeps global TLB entries: domain 0 would read
 * domain 1's page. QEMU's TCG and Unicorn flush them anyway; Bochs and real
 * CPUs do not.
 */
#include "guest.h"
#include "events.h"
#include "mm.h"

const char test_title[] = "global-page: a domain's global mapping stays in its own address space";

#define PTE_RW      0x63u               /* P|RW|A|D */
#define PTE_GLOBAL  0x100u
#define ROUNDS      200

static volatile uint32_t page[1024] __attribute__((aligned(4096)));

void test_main(void)
{
    bool initial = start_info->flags & SIF_INITDOMAIN;
    uint32_t va = (uint32_t)(unsigned long)page;
    uint32_t mine = initial ? 0xd0d0d0d0u : 0xd1d1d1d1u;
    evtchn_port_t dom_exc = 0;

    events_init();
    if ( initial && evtchn_bind_virq(VIRQ_DOM_EXC, &dom_exc) )
        return test_fail("bind_virq(VIRQ_DOM_EXC) failed\n");
    if ( !initial )
    {
        uint64_t pte = ((uint64_t)mm_pfn_to_mfn(va >> 12) << 12) | PTE_RW | PTE_GLOBAL;

        CHECK_RC(HYPERVISOR_update_va_mapping(va, pte, UVMF_INVLPG), 0);
    }
    page[0] = mine;

    for ( unsigned int r = 0; r < ROUNDS; r++ )
    {
        uint32_t v = page[0];           /* in the TLB now (global in domain 1) */

        if ( v != mine )
            return test_fail("round %u: the page at %#x reads %#x, not %#x%s\n", r, va, v, mine,
                             v == (mine ^ 0x01010101u) ?
                             " (the other domain's value, through domain 1's global mapping)" : "");
        CHECK_RC(HYPERVISOR_sched_op(SCHEDOP_yield, NULL), 0);
    }
    printk("%u rounds: the page at its address was always this domain's own\n", ROUNDS);
    if ( initial )
    {
        wait_domain_gone(1, dom_exc);
        printk("domain 1 is gone (VIRQ_DOM_EXC)\n");
    }
    test_pass();
}
