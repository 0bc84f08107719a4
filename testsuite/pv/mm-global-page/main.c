/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mm-global-page: a guest's _PAGE_GLOBAL must not keep a translation alive.
 * The guest maps a page of its own global and writable, touches it, unmaps
 * it without a flush and asks for a full one (MMUEXT_TLB_FLUSH_LOCAL): the
 * page must be gone. Then the frame becomes an L1 page table: its old
 * address must still fault - a surviving global TLB entry would let the
 * guest read (and write) a live page table. With CR4.PGE on, a CR3 reload
 * keeps global entries; the emulators flush them anyway, Bochs and real
 * CPUs do not (issue 11, item 4b).
 */
#include "guest.h"
#include "traps.h"
#include "mm.h"

const char test_title[] = "A guest's global mapping does not outlive a flush or a retype";

#define PTE_RW      0x63u               /* P|RW|A|D */
#define PTE_GLOBAL  0x100u
#define MARKER      0x12345670u         /* bit 0 clear: a not-present entry once the page is an L1 */

static uint32_t page[1024] __attribute__((aligned(4096)));

extern char rd1_at[], rd2_at[];

static noinline uint32_t read_page(const char *at, bool *faulted)
{
    uint32_t v = 0xffffffffu;

    guest_fault_count = 0;
    if ( at == rd1_at )
        asm volatile ( "rd1_at: mov (%1), %0; rd1_fix:" GUEST_EXTABLE(rd1_at, rd1_fix)
                       : "+r" (v) : "r" (page) : "memory" );
    else
        asm volatile ( "rd2_at: mov (%1), %0; rd2_fix:" GUEST_EXTABLE(rd2_at, rd2_fix)
                       : "+r" (v) : "r" (page) : "memory" );
    *faulted = guest_fault_count == 1 && guest_last_fault.vector == 14;
    return v;
}

void test_main(void)
{
    uint32_t va = (uint32_t)(unsigned long)page;
    uint32_t mfn = mm_pfn_to_mfn(va >> 12);
    uint64_t pte = ((uint64_t)mfn << 12) | PTE_RW;
    bool faulted;
    uint32_t v;

    guest_traps_init();

    /* Global, writable, in the TLB. */
    CHECK_RC(HYPERVISOR_update_va_mapping(va, pte | PTE_GLOBAL, UVMF_INVLPG), 0);
    memset(page, 0, sizeof(page));
    page[0] = MARKER;
    if ( *(volatile uint32_t *)page != MARKER )
        return test_fail("the global mapping does not read back\n");

    /* Unmapped, then a full flush: nothing may translate it any more. */
    CHECK_RC(HYPERVISOR_update_va_mapping(va, 0, UVMF_NONE), 0);
    CHECK_RC(mm_ext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);
    v = read_page(rd1_at, &faulted);
    if ( !faulted )
        test_fail("unmapped and flushed, the page still reads %#x: a global TLB entry survived\n", v);
    else
        printk("unmapped and flushed: the page faults\n");

    /* The frame becomes a page table (pvx flushes before it takes the type). */
    CHECK_RC(mm_pin(MMUEXT_PIN_L1_TABLE, mfn), 0);
    v = read_page(rd2_at, &faulted);
    if ( !faulted )
        test_fail("the frame is an L1 now, its old address still reads %#x\n", v);
    else
        printk("pinned as an L1: its old address faults\n");

    /* Back as it was: unpinned and mapped writable, not global. */
    CHECK_RC(mm_pin(MMUEXT_UNPIN_TABLE, mfn), 0);
    CHECK_RC(HYPERVISOR_update_va_mapping(va, pte, UVMF_INVLPG), 0);
    if ( page[0] != MARKER )
        return test_fail("the page lost its contents: %#x\n", page[0]);
    test_pass();
}
