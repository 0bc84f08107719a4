/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall.c - the hypercall table and the entry from the arch.
 */
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/event.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/sched.h>
#include <pvx/time.h>
#include <pvx/traps.h>
#include <public/xen.h>

#define HC(n) [__HYPERVISOR_##n] = { do_##n, #n }

static const struct hypercall_entry hypercall_table[NR_HYPERCALLS] = {
    HC(mmu_update),
    HC(memory_op),
    HC(multicall),
    HC(update_va_mapping),
    HC(mmuext_op),
    HC(console_io),
    HC(xen_version),
    HC(sched_op),
    HC(set_trap_table),
    HC(set_gdt),
    HC(stack_switch),
    HC(set_callbacks),
    HC(fpu_taskswitch),
    HC(set_debugreg),
    HC(get_debugreg),
    HC(update_descriptor),
    HC(iret),
    HC(callback_op),
    HC(physdev_op),
    HC(grant_table_op),
    HC(set_timer_op),
    HC(event_channel_op_compat),
    HC(event_channel_op),
    HC(vcpu_op),
    HC(platform_op),
    HC(domctl),
};

/* Names for every number the ABI defines, implemented or not, for traces. */
static const char *const hypercall_names[NR_HYPERCALLS] = {
    [__HYPERVISOR_set_trap_table] = "set_trap_table",
    [__HYPERVISOR_mmu_update] = "mmu_update",
    [__HYPERVISOR_set_gdt] = "set_gdt",
    [__HYPERVISOR_stack_switch] = "stack_switch",
    [__HYPERVISOR_set_callbacks] = "set_callbacks",
    [__HYPERVISOR_fpu_taskswitch] = "fpu_taskswitch",
    [__HYPERVISOR_sched_op_compat] = "sched_op_compat",
    [__HYPERVISOR_platform_op] = "platform_op",
    [__HYPERVISOR_set_debugreg] = "set_debugreg",
    [__HYPERVISOR_get_debugreg] = "get_debugreg",
    [__HYPERVISOR_update_descriptor] = "update_descriptor",
    [__HYPERVISOR_memory_op] = "memory_op",
    [__HYPERVISOR_multicall] = "multicall",
    [__HYPERVISOR_update_va_mapping] = "update_va_mapping",
    [__HYPERVISOR_set_timer_op] = "set_timer_op",
    [__HYPERVISOR_event_channel_op_compat] = "event_channel_op_compat",
    [__HYPERVISOR_xen_version] = "xen_version",
    [__HYPERVISOR_console_io] = "console_io",
    [__HYPERVISOR_physdev_op_compat] = "physdev_op_compat",
    [__HYPERVISOR_grant_table_op] = "grant_table_op",
    [__HYPERVISOR_vm_assist] = "vm_assist",
    [__HYPERVISOR_update_va_mapping_otherdomain] = "update_va_mapping_otherdomain",
    [__HYPERVISOR_iret] = "iret",
    [__HYPERVISOR_vcpu_op] = "vcpu_op",
    [__HYPERVISOR_mmuext_op] = "mmuext_op",
    [__HYPERVISOR_sched_op] = "sched_op",
    [__HYPERVISOR_callback_op] = "callback_op",
    [__HYPERVISOR_event_channel_op] = "event_channel_op",
    [__HYPERVISOR_physdev_op] = "physdev_op",
    [__HYPERVISOR_sysctl] = "sysctl",
    [__HYPERVISOR_domctl] = "domctl",
};

const struct hypercall_entry *hypercall_lookup(uint32_t nr)
{
    if ( nr >= NR_HYPERCALLS || !hypercall_table[nr].fn )
        return NULL;
    return &hypercall_table[nr];
}

const char *hypercall_name(uint32_t nr)
{
    if ( nr >= NR_HYPERCALLS || !hypercall_names[nr] )
        return NULL;
    return hypercall_names[nr];
}

long hypercall_create_continuation(struct vcpu *v, uint32_t nr, unsigned int nargs, ...)
{
    uint32_t *args[5] = { &v->regs.ebx, &v->regs.ecx, &v->regs.edx, &v->regs.esi,
                          &v->regs.edi };
    va_list ap;

    ASSERT(nargs <= 5);
    va_start(ap, nargs);
    for ( unsigned int i = 0; i < nargs; i++ )
        *args[i] = va_arg(ap, uint32_t);
    va_end(ap);
    /* Back over "int $0x82": the guest re-enters with the new arguments. */
    v->regs.eip -= 2;
    return nr;
}

void core_hypercall(struct cpu_regs *regs)
{
    struct vcpu *v = current;
    const struct hypercall_entry *e;
    uint32_t nr = regs->eax;
    long rc;

    regs_copy(&v->regs, regs);

    /* The gate is DPL 1: from ring 3 it is a #GP, as the hardware gives it. */
    if ( (regs->cs & 3) == 3 )
    {
        v->regs.entry_vector = X86_EXC_GP;
        v->regs.error_code = (0x82 << 3) | 2;
        v->regs.eip -= 2;               /* the #GP is at the int */
        traps_handle(v, 0);
        goto out;
    }

    e = hypercall_lookup(nr);
    rc = e ? e->fn(v, regs->ebx, regs->ecx, regs->edx, regs->esi, regs->edi) : -ENOSYS;
    v->regs.eax = (uint32_t)rc;

 out:
    sched_after_entry();
    regs_copy(regs, &current->regs);
    regs_sanitize_eflags(regs);
}
