/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu-emulate: the privileged instructions the hypervisor emulates for a
 * ring-1 kernel, and the ones it refuses. mov from CR0/CR2/CR3/CR4 gives the
 * virtual values (CR3 in extended-cr3 form); mov to CR3 switches tables like
 * MMUEXT_NEW_BASEPTR (a frame that is no L3 gets #GP(0)); mov to CR0 may
 * change TS only; clts clears it; rdmsr of an allowed MSR answers, of any
 * other and every wrmsr that changes a value is #GP(0); the forced-emulation
 * prefix runs cpuid from the hypervisor's fixed table (leaves 0x40000000+
 * name Xen 4.17); a bare ud2 is #UD; from ring 3 every one of them is #GP.
 */
#include "guest.h"
#include "traps.h"
#include "mm.h"

const char test_title[] = "Privileged instructions: emulated for ring 1, #GP otherwise";

#define FEP "ud2; .ascii \"xen\"; "

static void fep_cpuid(uint32_t leaf, uint32_t r[4])
{
    asm volatile ( FEP "cpuid" : "=a" (r[0]), "=b" (r[1]), "=c" (r[2]), "=d" (r[3])
                   : "0" (leaf), "2" (0) : "memory" );
}

extern char wcr3[], wcr3f[], wcr0[], wcr0f[], rmsr[], rmsrf[], wmsr[], wmsrf[], bud[], budf[];
extern char ucr[], ucrf[];

static unsigned long __user_text user_read_cr0(unsigned long x)
{
    asm volatile ( "ucr: mov %%cr0, %0; ucrf:" GUEST_EXTABLE(ucr, ucrf)
                   : "+r" (x) :: "memory" );
    return x;
}

static void expect_fault(const char *what, unsigned int vec, const char *eip)
{
    if ( guest_last_fault.vector != vec || guest_last_fault.error != 0 ||
         guest_last_fault.eip != (uint32_t)eip )
        test_fail("%s: vector %u error %#x at %#x, expected %u at %#x\n", what,
                  guest_last_fault.vector, guest_last_fault.error, guest_last_fault.eip, vec,
                  (uint32_t)eip);
    memset(&guest_last_fault, 0, sizeof(guest_last_fault));
}

void test_main(void)
{
    uint32_t cr0, cr2, cr3, cr4, r[4], lo, hi, l3 = mm_pfn_to_mfn(start_info->pt_base >> 12);
    unsigned int faults;

    guest_traps_init();

    asm volatile ( "mov %%cr0, %0; mov %%cr2, %1; mov %%cr3, %2; mov %%cr4, %3"
                   : "=r" (cr0), "=r" (cr2), "=r" (cr3), "=r" (cr4) :: "memory" );
    if ( cr0 != 0x80050033 || cr4 != 0x20 )
        test_fail("cr0 %#x cr4 %#x, expected 0x80050033 0x20\n", cr0, cr4);
    if ( cr3 != ((l3 << 12) | (l3 >> 20)) )
        test_fail("cr3 %#x, expected the L3 %#x in extended-cr3 form\n", cr3, l3);

    /* CR2 is the guest's to write. */
    asm volatile ( "mov %1, %%cr2; mov %%cr2, %0" : "=r" (cr2) : "r" (0x12345000) : "memory" );
    if ( cr2 != 0x12345000 )
        test_fail("cr2 after a write %#x\n", cr2);

    /* CR3: the same L3 again is fine; a frame that is no L3 is #GP(0). */
    asm volatile ( "mov %0, %%cr3" :: "r" (cr3) : "memory" );
    asm volatile ( "wcr3: mov %0, %%cr3; wcr3f:" GUEST_EXTABLE(wcr3, wcr3f)
                   :: "r" (mm_pfn_to_mfn(mm_alloc_pfn()) << 12) : "memory" );
    expect_fault("mov to cr3 of a data frame", 13, wcr3);

    /* CR0: TS only. */
    asm volatile ( "mov %1, %%cr0; mov %%cr0, %0" : "=r" (cr0) : "r" (0x8005003b) : "memory" );
    if ( cr0 != 0x8005003b )
        test_fail("cr0 with TS %#x\n", cr0);
    asm volatile ( "clts; mov %%cr0, %0" : "=r" (cr0) :: "memory" );
    if ( cr0 != 0x80050033 )
        test_fail("cr0 after clts %#x\n", cr0);
    asm volatile ( "wcr0: mov %0, %%cr0; wcr0f:" GUEST_EXTABLE(wcr0, wcr0f)
                   :: "r" (0x00050033) : "memory" );
    expect_fault("mov to cr0 clearing PG", 13, wcr0);

    /* MSRs. */
    asm volatile ( "rdmsr" : "=a" (lo), "=d" (hi) : "c" (0x1a0) : "memory" );
    if ( lo != 0x801801 || hi != 0 )
        test_fail("rdmsr MISC_ENABLE %#x:%#x\n", hi, lo);
    asm volatile ( "rmsr: rdmsr; rmsrf:" GUEST_EXTABLE(rmsr, rmsrf)
                   : "=a" (lo), "=d" (hi) : "c" (0x10) : "memory" );
    expect_fault("rdmsr TSC", 13, rmsr);
    asm volatile ( "wrmsr" :: "a" (0x801801), "d" (0), "c" (0x1a0) : "memory" );
    asm volatile ( "wmsr: wrmsr; wmsrf:" GUEST_EXTABLE(wmsr, wmsrf)
                   :: "a" (0), "d" (0), "c" (0x1a0) : "memory" );
    expect_fault("wrmsr MISC_ENABLE changing it", 13, wmsr);

    /* cpuid through the forced-emulation prefix. */
    fep_cpuid(0x40000000, r);
    if ( r[0] != 0x40000005 || r[1] != 0x566e6558 || r[2] != 0x65584d4d || r[3] != 0x4d4d566e )
        test_fail("cpuid 0x40000000: %#x %#x %#x %#x\n", r[0], r[1], r[2], r[3]);
    fep_cpuid(0x40000001, r);
    if ( r[0] != 0x00040011 )
        test_fail("cpuid 0x40000001: version %#x, expected 4.17\n", r[0]);
    fep_cpuid(0, r);
    if ( r[1] != 0x756e6547 || r[3] != 0x49656e69 || r[2] != 0x6c65746e )
        test_fail("cpuid 0: vendor %#x %#x %#x\n", r[1], r[3], r[2]);
    fep_cpuid(0x12345678, r);
    if ( r[0] | r[1] | r[2] | r[3] )
        test_fail("cpuid of an unknown leaf is not all zeros\n");
    asm volatile ( "bud: ud2; .byte 0x90, 0x90, 0x90; budf:" GUEST_EXTABLE(bud, budf) ::: "memory" );
    expect_fault("ud2 without the prefix", 6, bud);

    /* Debug registers through mov. */
    asm volatile ( "mov %1, %%dr0; mov %%dr0, %0" : "=r" (lo) : "r" (0x100000) : "memory" );
    if ( lo != 0x100000 )
        test_fail("dr0 %#x\n", lo);

    /* From ring 3 nothing is emulated. */
    faults = guest_fault_count;
    if ( guest_exec_user(user_read_cr0, 7) != 7 || guest_fault_count != faults + 1 )
        test_fail("mov from cr0 in ring 3 was not a #GP\n");
    expect_fault("mov from cr0 in ring 3", 13, ucr);

    test_pass();
}
