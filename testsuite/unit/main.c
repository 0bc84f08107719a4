/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * main.c - the CUnit runner of the core's unit tests, and shared helpers.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include <pvx/arch.h>
#include <pvx/domain.h>

int unit_boot(const struct elfgen_spec *spec, const char *mod_cmdline, const char *hv_cmdline)
{
    return fixture_boot(spec, mod_cmdline, hv_cmdline, 0, NULL);
}

struct vcpu *unit_boot_default(void)
{
    struct elfgen_spec s;
    int st;

    elfgen_default(&s);
    st = unit_boot(&s, "kernel.elf root=/dev/null", "dom0_mem=8M");
    CU_ASSERT_EQUAL_FATAL(st, -1);
    return current;
}

uint64_t unit_mem_hash(void)
{
    uint64_t h = 0xcbf29ce484222325ull;
    const uint64_t *p = (const uint64_t *)fake_mem;

    for ( size_t i = 0; i < (size_t)FAKE_MEM_FRAMES * PAGE_SIZE / 8; i++ )
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

long unit_hypercall(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5)
{
    long rc;

    CU_ASSERT_EQUAL(fixture_hypercall(&rc, nr, a1, a2, a3, a4, a5), -1);
    return rc;
}

int unit_hypercall_stop(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3)
{
    long rc;

    return fixture_hypercall(&rc, nr, a1, a2, a3, 0, 0);
}

int main(void)
{
    unsigned int failures;

    if ( CU_initialize_registry() != CUE_SUCCESS )
        return 2;
    unit_register_lib();
    unit_register_string();
    unit_register_fault();
    unit_register_elf();
    unit_register_builder();
    unit_register_hypercall();
    unit_register_mm();
    unit_register_tlb();
    unit_register_traps();
    unit_register_fpu();
    unit_register_events();
    unit_register_sched();
    unit_register_trace();
    unit_register_vcpu();
    unit_register_control();
    unit_register_io();
    unit_register_vfr();
    unit_register_netif();
    unit_register_vif();
    unit_register_guest_net();

    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    /* Read the count before cleanup resets it. */
    failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
