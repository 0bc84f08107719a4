/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu-debugreg-fpu: set_debugreg/get_debugreg validation (no breakpoint on
 * the hypervisor's addresses, DR6/DR7 reserved bits forced, GD and I/O
 * breakpoints refused, no register past 7), and fpu_taskswitch: with TS set
 * the first FPU instruction is #NM, and TS is clear again in the handler.
 */
#include "guest.h"
#include "traps.h"

const char test_title[] = "Debug registers are validated; fpu_taskswitch sets TS";

extern char nm_at[], nm_fix[];

void test_main(void)
{
    uint32_t cr0;

    guest_traps_init();

    CHECK_RC(HYPERVISOR_set_debugreg(0, 0x100000), 0);
    CHECK_RC(HYPERVISOR_get_debugreg(0), 0x100000);
    CHECK_RC(HYPERVISOR_set_debugreg(1, 0xf5800000), -EPERM);
    CHECK_RC(HYPERVISOR_set_debugreg(3, 0xfffffffc), -EPERM);
    CHECK_RC(HYPERVISOR_get_debugreg(1), 0);
    CHECK_RC(HYPERVISOR_set_debugreg(6, 0), 0);
    CHECK_RC(HYPERVISOR_get_debugreg(6), 0xffff0ff0);
    CHECK_RC(HYPERVISOR_set_debugreg(7, 0xd801), 0);           /* reserved bits: dropped */
    CHECK_RC(HYPERVISOR_get_debugreg(7), 0x401);
    CHECK_RC(HYPERVISOR_set_debugreg(7, 0x2000), -EPERM);      /* GD */
    CHECK_RC(HYPERVISOR_set_debugreg(7, 0x20001), -EPERM);     /* I/O breakpoint */
    CHECK_RC(HYPERVISOR_get_debugreg(7), 0x401);
    CHECK_RC(HYPERVISOR_set_debugreg(8, 0), -EINVAL);
    CHECK_RC(HYPERVISOR_get_debugreg(8), -EINVAL);
    CHECK_RC(HYPERVISOR_set_debugreg(7, 0), 0);

    /* TS: the FPU faults once, and the handler runs with TS clear. */
    CHECK_RC(HYPERVISOR_fpu_taskswitch(1), 0);
    asm volatile ( "mov %%cr0, %0" : "=r" (cr0) :: "memory" );
    if ( !(cr0 & 8) )
        test_fail("fpu_taskswitch(1): cr0 %#x without TS\n", cr0);
    asm volatile ( "nm_at: fninit; nm_fix:" GUEST_EXTABLE(nm_at, nm_fix) ::: "memory" );
    if ( guest_last_fault.vector != 7 || guest_last_fault.eip != (uint32_t)nm_at )
        test_fail("fninit with TS: vector %u at %#x, expected #NM\n", guest_last_fault.vector,
                  guest_last_fault.eip);
    asm volatile ( "mov %%cr0, %0" : "=r" (cr0) :: "memory" );
    if ( cr0 & 8 )
        test_fail("TS still set after #NM: cr0 %#x\n", cr0);
    guest_fault_count = 0;
    asm volatile ( "fninit" ::: "memory" );
    if ( guest_fault_count )
        test_fail("fninit faulted with TS clear\n");

    test_pass();
}
