/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * double-fault: a fault while the hypervisor delivers a fault kills that
 * domain alone. The same image runs as
 *   domain 0      the witness: waits for VIRQ_DOM_EXC, then shows it still
 *                 takes exceptions and makes hypercalls, and passes;
 *   domain 1      "mode=stack": its kernel stack (stack_switch) is not
 *                 mapped, and ring 3 raises int3 - the bounce frame cannot be
 *                 written; or "mode=handler": its #PF handler is not mapped,
 *                 so entering it faults again at the handler's first byte;
 *                 or "mode=fast-trap": the same stack under int $0x80 through
 *                 the fast trap, whose frame the CPU writes: its #PF is the
 *                 core's, whose bounce frame cannot be written either.
 * Expected: "(pvx) domain 1 crashed: ... double fault", the audit clean, and
 * domain 0's "Test result: SUCCESS".
 */
#include "guest.h"
#include "traps.h"
#include "events.h"

const char test_title[] = "double fault: the faulting domain dies alone";

static unsigned long __user_text user_int3(unsigned long x)
{
    asm volatile ( "int3" ::: "memory" );
    return x;
}

static unsigned long __user_text user_int80(unsigned long x)
{
    asm volatile ( "int $0x80" :: "a" (0) : "memory" );
    return x;
}

static void witness(void)
{
    evtchn_port_t dom_exc;

    events_init();
    guest_traps_init();
    if ( evtchn_bind_virq(VIRQ_DOM_EXC, &dom_exc) )
        return test_fail("bind_virq(VIRQ_DOM_EXC) failed\n");
    wait_domain_gone(1, dom_exc);
    printk("domain 1 is gone\n");

    /* Still in business: an exception round trip and ring 3. */
    guest_fault_count = 0;
    asm volatile ( "int3" ::: "memory" );
    if ( guest_fault_count != 1 || guest_exec_user(user_int3, 5) != 5 )
        return test_fail("domain 0 no longer takes exceptions\n");
    test_pass();
}

static bool int3_ok(struct guest_frame *f)
{
    return f->vector == 3;
}

void test_main(void)
{
    if ( start_info->flags & SIF_INITDOMAIN )
    {
        guest_trap_hook = int3_ok;
        return witness();
    }

    guest_traps_init();
    if ( guest_has_arg("mode=stack") )
    {
        printk("kernel stack at an unmapped address, then int3 in ring 3\n");
        if ( HYPERVISOR_stack_switch(FLAT_RING1_SS, 0x40000000) )
            return test_error("stack_switch refused\n");
        guest_exec_user(user_int3, 0);
    }
    else if ( guest_has_arg("mode=fast-trap") )
    {
        /* guest_traps_init's int $0x80 entry is DPL 3 and keeps events: the
         * machine has it as a gate into ring 1, with this stack. */
        printk("kernel stack at an unmapped address, then int $0x80 in ring 3\n");
        if ( HYPERVISOR_stack_switch(FLAT_RING1_SS, 0x40000000) )
            return test_error("stack_switch refused\n");
        guest_exec_user(user_int80, 0);
    }
    else
    {
        struct trap_info t[2] = { { 14, 0, FLAT_RING1_CS, 0x40000000 }, { 0, 0, 0, 0 } };

        printk("#PF handler at an unmapped address, then a page fault\n");
        if ( HYPERVISOR_set_trap_table(t) )
            return test_error("set_trap_table refused\n");
        *(volatile uint32_t *)0x50000000 = 1;
    }
    test_fail("still running after a double fault\n");
}
