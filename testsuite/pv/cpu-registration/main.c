/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu-registration: the rules of set_trap_table, stack_switch, callback_op
 * and set_callbacks. A handler selector with RPL 0 runs in ring 1 (Xen's
 * fixup); the hypervisor's own selectors are refused with -EINVAL and a
 * refused or faulting table changes nothing; a null table clears them all;
 * the kernel stack must be a ring-1 data segment.
 */
#include "guest.h"
#include "traps.h"

const char test_title[] = "Trap table, callbacks and kernel stack are validated";

static unsigned int handler_cs;

static bool hook(struct guest_frame *f)
{
    handler_cs = read_cs();
    return f->vector == 0x40;
}

static long reg_cb(unsigned int type, unsigned int cs)
{
    struct callback_register cb = { .type = type, .address = { .cs = cs, .eip = 0x101000 } };

    return HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
}

static long unreg_cb(unsigned int type)
{
    struct callback_unregister cb = { .type = type };

    return HYPERVISOR_callback_op(CALLBACKOP_unregister, &cb);
}

void test_main(void)
{
    struct trap_info t[3] = {
        { 0x40, 3, FLAT_RING1_CS & ~3, (uint32_t)guest_entry_0x40 },
        { 0, 0, 0, 0 },
    };

    guest_traps_init();
    guest_trap_hook = hook;

    /* RPL 0 is fixed up to 1: the handler runs in ring 1. */
    CHECK_RC(HYPERVISOR_set_trap_table(t), 0);
    asm volatile ( "int $0x40" ::: "memory" );
    if ( handler_cs != FLAT_RING1_CS )
        test_fail("handler ran with cs %#x, expected %#x\n", handler_cs, FLAT_RING1_CS);

    /* The hypervisor's code segment: refused, the old entry stays. */
    t[0].cs = 0xe008;
    t[0].address = 0x1000;
    CHECK_RC(HYPERVISOR_set_trap_table(t), -EINVAL);
    /* A good entry before a bad one is not kept either. */
    t[1] = t[0];
    t[0] = (struct trap_info){ 0x40, 3, FLAT_RING1_CS, 0x1000 };
    CHECK_RC(HYPERVISOR_set_trap_table(t), -EINVAL);
    /* A list that runs into unmapped memory: -EFAULT, nothing changed. */
    CHECK_RC(HYPERVISOR_set_trap_table((void *)0x7ffffff8), -EFAULT);
    handler_cs = 0;
    asm volatile ( "int $0x40" ::: "memory" );
    if ( handler_cs != FLAT_RING1_CS )
        test_fail("the refused tables changed entry 0x40\n");

    /* A null table clears every entry; then put ours back. */
    CHECK_RC(HYPERVISOR_set_trap_table(NULL), 0);
    guest_traps_init();
    guest_trap_hook = hook;

    /* The kernel stack. */
    CHECK_RC(HYPERVISOR_stack_switch(0xe010, 0x200000), -EINVAL);   /* ring 0 */
    CHECK_RC(HYPERVISOR_stack_switch(FLAT_RING3_SS, 0x200000), -EINVAL);
    CHECK_RC(HYPERVISOR_stack_switch(FLAT_RING1_CS, 0x200000), -EINVAL); /* code */
    CHECK_RC(HYPERVISOR_stack_switch(0, 0x200000), -EINVAL);
    CHECK_RC(HYPERVISOR_stack_switch(FLAT_RING1_SS & ~3, (unsigned long)guest_trap_stack_top), 0);

    /* Callbacks. */
    CHECK_RC(reg_cb(CALLBACKTYPE_event, FLAT_RING1_CS), 0);
    CHECK_RC(reg_cb(CALLBACKTYPE_failsafe, FLAT_RING1_CS), 0);
    CHECK_RC(reg_cb(CALLBACKTYPE_syscall32, FLAT_RING1_CS), 0);
    CHECK_RC(reg_cb(CALLBACKTYPE_sysenter, FLAT_RING1_CS), 0);
    CHECK_RC(reg_cb(CALLBACKTYPE_nmi, FLAT_RING1_CS), 0);
    CHECK_RC(reg_cb(CALLBACKTYPE_syscall, FLAT_RING1_CS), -ENOSYS);   /* x86_64 only */
    CHECK_RC(reg_cb(CALLBACKTYPE_event, 0xe008), -EINVAL);
    CHECK_RC(unreg_cb(CALLBACKTYPE_nmi), 0);
    CHECK_RC(unreg_cb(CALLBACKTYPE_event), -EINVAL);
    CHECK_RC(unreg_cb(99), -ENOSYS);
    CHECK_RC(HYPERVISOR_callback_op(7, NULL), -ENOSYS);
    CHECK_RC(HYPERVISOR_callback_op(CALLBACKOP_register, (void *)0x7ffffff8), -EFAULT);
    CHECK_RC(HYPERVISOR_set_callbacks(FLAT_RING1_CS, 0x101000, 0xe008, 0x101000), -EINVAL);
    CHECK_RC(HYPERVISOR_set_callbacks(FLAT_RING1_CS, 0x101000, FLAT_RING1_CS, 0x101000), 0);

    test_pass();
}
