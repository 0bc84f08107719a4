/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall.c - the hypercall table and the entry from the arch.
 */
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/event.h>
#include <pvx/hypercall.h>
#include <pvx/io.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/sched.h>
#include <pvx/time.h>
#include <pvx/traps.h>
#include <public/pvx.h>
#include <public/xen.h>

#define HC(n, a) [__HYPERVISOR_##n] = { do_##n, #n, a }

static const struct hypercall_entry hypercall_table[NR_HYPERCALLS] = {
    HC(mmu_update, 4),
    HC(memory_op, 2),
    HC(multicall, 2),
    HC(update_va_mapping, 4),
    HC(mmuext_op, 4),
    HC(console_io, 3),
    HC(xen_version, 2),
    HC(sched_op, 2),
    HC(set_trap_table, 1),
    HC(set_gdt, 2),
    HC(stack_switch, 2),
    HC(set_callbacks, 4),
    HC(fpu_taskswitch, 1),
    HC(set_debugreg, 2),
    HC(get_debugreg, 1),
    HC(update_descriptor, 4),
    HC(iret, 0),
    HC(callback_op, 2),
    HC(physdev_op, 2),
    HC(grant_table_op, 3),
    HC(set_timer_op, 2),
    HC(event_channel_op_compat, 1),
    HC(event_channel_op, 2),
    HC(vcpu_op, 3),
    HC(platform_op, 1),
    HC(vm_assist, 2),
    HC(sysctl, 1),
    HC(domctl, 1),
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

hypercall_watch_fn hypercall_watch;

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

/* The argument registers of an n-argument hypercall, in ABI order. */
static const uint32_t hypercall_arg_fields[6] = {
    0,
    REGS_FIELD(ebx),
    REGS_FIELD(ebx) | REGS_FIELD(ecx),
    REGS_FIELD(ebx) | REGS_FIELD(ecx) | REGS_FIELD(edx),
    REGS_FIELD(ebx) | REGS_FIELD(ecx) | REGS_FIELD(edx) | REGS_FIELD(esi),
    REGS_FIELD(ebx) | REGS_FIELD(ecx) | REGS_FIELD(edx) | REGS_FIELD(esi) | REGS_FIELD(edi),
};

uint32_t core_hypercall_lazy(struct cpu_regs *regs, uint32_t missing)
{
    struct vcpu *v = current;
    const struct hypercall_entry *e;
    uint32_t nr = regs->eax, a[5] = { 0 };
    long rc;

    ASSERT(!(missing & (REGS_FIELD(eax) | REGS_FIELD(cs))));
    regs_copy(&v->regs, regs);
    v->regs_missing = missing;

    /* The gate is DPL 1: from ring 2 or 3 it is a #GP, as the hardware
     * gives it (a machine that routes it here anyway cannot make it a call). */
    if ( (regs->cs & 3) != 1 )
    {
        struct cpu_regs *r = vcpu_regs(v);

        r->entry_vector = X86_EXC_GP;
        r->error_code = (0x82 << 3) | 2;
        r->eip -= 2;                    /* the #GP is at the int */
        traps_handle(v, 0);
        goto out;
    }

    e = hypercall_lookup(nr);
    if ( e )
    {
        /* Only the ABI's arguments: the others are 0 on every machine, so no
         * handler can come to depend on what a caller left in them. */
        const struct cpu_regs *r = &v->regs;

        vcpu_regs_read(v, hypercall_arg_fields[e->nargs]);
        switch ( e->nargs )
        {
        case 5: a[4] = r->edi;          /* fall through */
        case 4: a[3] = r->esi;          /* fall through */
        case 3: a[2] = r->edx;          /* fall through */
        case 2: a[1] = r->ecx;          /* fall through */
        case 1: a[0] = r->ebx;          /* fall through */
        default: break;
        }
        rc = hypercall_invoke(v, nr, e, a);
    }
    else
        rc = -ENOSYS;
    v->regs.eax = (uint32_t)rc;

 out:
    sched_after_entry();
    /* Switched away: the CPU still holds v's registers until we return. */
    if ( current != v )
        vcpu_regs_fill(v);
    regs_copy(regs, &current->regs);
    missing = current->regs_missing;
    /* Unread, eflags is what the guest's own instructions made of it, which
     * from ring 1 or 3 cannot raise IOPL or set VM. */
    if ( !(missing & REGS_FIELD(eflags)) )
        regs_sanitize_eflags(regs);
    return missing;
}

void core_hypercall(struct cpu_regs *regs)
{
    (void)core_hypercall_lazy(regs, 0);
}
