/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_fault.c - the fault-injection knobs, and that an injected failure at
 * each site is refused cleanly: an error to the caller, nothing changed.
 */
#include <string.h>
#include "unit.h"
#include <pvx/domain.h>
#include <pvx/fault.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <public/xen.h>

static unsigned int hits(struct fault_site *f, unsigned int calls)
{
    unsigned int n = 0;

    for ( unsigned int i = 0; i < calls; i++ )
        n += fault_hit(f);
    return n;
}

static void test_knobs(void)
{
    fault_init();
    CU_ASSERT_EQUAL(hits(&fault_console, 1000), 0);                 /* off by default */

    fault_init();
    CU_ASSERT_EQUAL(fault_configure("console:fail-nth=7"), 0);
    CU_ASSERT_FALSE(hits(&fault_console, 6));
    CU_ASSERT_TRUE(fault_hit(&fault_console));
    CU_ASSERT_EQUAL(hits(&fault_console, 100), 0);                  /* once only */

    fault_init();
    CU_ASSERT_EQUAL(fault_configure("console:probability=100,times=3"), 0);
    CU_ASSERT_EQUAL(hits(&fault_console, 50), 3);

    fault_init();
    CU_ASSERT_EQUAL(fault_configure("console:probability=100,interval=10"), 0);
    CU_ASSERT_EQUAL(hits(&fault_console, 100), 10);

    fault_init();
    CU_ASSERT_EQUAL(fault_configure("console:probability=100,space=40"), 0);
    CU_ASSERT_EQUAL(hits(&fault_console, 100), 60);

    /* probability is a percentage, reproducible under a seed */
    fault_init();
    fault_set_seed(42);
    CU_ASSERT_EQUAL(fault_configure("guest_copy:probability=30"), 0);
    {
        unsigned int a = hits(&fault_guest_copy, 10000), b;

        CU_ASSERT(a > 2700 && a < 3300);
        fault_init();
        fault_set_seed(42);
        fault_configure("guest_copy:probability=30");
        b = hits(&fault_guest_copy, 10000);
        CU_ASSERT_EQUAL(a, b);
    }
    CU_ASSERT_EQUAL(fault_guest_copy.injected, fault_guest_copy.injected);
    fault_init();
}

static void test_bad_specs_change_nothing(void)
{
    static const char *const bad[] = {
        "nosuchsite:fail-nth=1", "console", "console:", "console:fail-nth",
        "console:fail-nth=x", "console:probability=101", "console:colour=3",
        "console:fail-nth=1;frame_alloc:times=", "console:fail-nth=99999999999",
    };

    fault_init();
    CU_ASSERT_EQUAL(fault_configure("frame_alloc:fail-nth=5"), 0);
    for ( size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++ )
    {
        CU_ASSERT_EQUAL(fault_configure(bad[i]), -EINVAL);
        CU_ASSERT_EQUAL(fault_console.fail_nth, 0);
        CU_ASSERT_EQUAL(fault_frame_alloc.fail_nth, 5);
    }
    CU_ASSERT_EQUAL(fault_configure("console:fail-nth=2;guest_copy:times=4,probability=50"), 0);
    CU_ASSERT_EQUAL(fault_console.fail_nth, 2);
    CU_ASSERT_EQUAL(fault_guest_copy.times, 4);
    CU_ASSERT_EQUAL(fault_guest_copy.probability, 50);
    fault_init();
}

/* Each site, when it fires, fails its operation before anything changed. */
static void test_sites_fail_cleanly(void)
{
    uint8_t buf[16] = "0123456789abcdef";
    uint64_t h;
    unsigned int free_before;

    unit_boot_default();
    copy_to_guest(current, UNIT_SCRATCH_VA, buf, sizeof(buf));

    fault_configure("guest_copy:fail-nth=1");
    fault_guest_copy.calls = 0;
    h = unit_mem_hash();
    CU_ASSERT_EQUAL(copy_to_guest(current, UNIT_SCRATCH_VA, "XXXXXXXX", 8), -EFAULT);
    CU_ASSERT_EQUAL(h, unit_mem_hash());

    fault_configure("console:fail-nth=1");
    fault_console.calls = 0;
    fake_console_len = 0;
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_console_io, CONSOLEIO_write, 16,
                                   UNIT_SCRATCH_VA, 0, 0), -EIO);
    CU_ASSERT_EQUAL(fake_console_len, 0);

    fault_configure("frame_alloc:fail-nth=1");
    fault_frame_alloc.calls = 0;
    free_before = frame_free_count();
    CU_ASSERT_EQUAL(frame_alloc(0), INVALID_MFN);
    CU_ASSERT_EQUAL(frame_free_count(), free_before);
    fault_init();
}

/* A failed allocation while building the initial domain refuses it cleanly. */
static void test_boot_allocation_failure(void)
{
    struct elfgen_spec s;

    elfgen_default(&s);
    CU_ASSERT_EQUAL(unit_boot(&s, "k.elf", "dom0_mem=8M fail=frame_alloc:fail-nth=100"), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(fake_console, "(pvx) refusing k.elf: out of memory after"));
}

void unit_register_fault(void)
{
    CU_pSuite s = CU_add_suite("fault", NULL, NULL);

    CU_add_test(s, "knobs: fail-nth, times, interval, space, probability+seed", test_knobs);
    CU_add_test(s, "bad specs are refused and change nothing", test_bad_specs_change_nothing);
    CU_add_test(s, "each site fails its operation cleanly", test_sites_fail_cleanly);
    CU_add_test(s, "boot-time allocation failure refuses the domain", test_boot_allocation_failure);
}
