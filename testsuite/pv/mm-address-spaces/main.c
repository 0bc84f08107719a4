/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mm-address-spaces - build an address space for a ring-3 process from the
 * guest's own frames (batched mmu_update, as XenLinux), pin it, switch to
 * it, use it, switch back, tear it down; 1,000 times. The reservation must
 * end where it began, and the audit at shutdown proves every count did.
 */
#include <guest.h>
#include <mm.h>

const char test_title[] = "mm-address-spaces: 1000 address spaces built and torn down";

#define USER_VA 0x40000000u

void test_main(void)
{
    static struct mm_as as;
    domid_t self = DOMID_SELF;
    long before = HYPERVISOR_memory_op(XENMEM_current_reservation, &self), rc;
    unsigned int i;

    if ( mm_as_init(&as, USER_VA, 4) )
        return test_error("mm_as_init failed\n");
    for ( i = 0; i < 1000; i++ )
    {
        volatile uint32_t *user = (volatile uint32_t *)USER_VA;

        rc = mm_as_build(&as);
        if ( rc )
            return test_fail("build %u: %ld\n", i, rc);
        rc = mm_as_switch(&as);
        if ( rc )
            return test_fail("switch %u: %ld\n", i, rc);
        user[i % 1024] = i;                     /* the user pages are there, writable */
        if ( user[i % 1024] != i )
            return test_fail("user page lost a write\n");
        rc = mm_as_switch_back();
        if ( rc )
            return test_fail("switch back %u: %ld\n", i, rc);
        rc = mm_as_teardown(&as);
        if ( rc )
            return test_fail("teardown %u: %ld\n", i, rc);
    }
    printk("1000 address spaces: %lu mmu_update calls\n", mm_batch_hypercalls());
    if ( HYPERVISOR_memory_op(XENMEM_current_reservation, &self) != before )
        return test_fail("reservation changed\n");
    test_pass();
}
