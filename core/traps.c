/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * traps.c - exceptions raised by guests, and the timer entry.
 *
 * A guest that registered no handler for an exception cannot take it: the
 * domain dies, alone, with the reason on the log (Xen's rule for a fault it
 * cannot bounce). Trap tables and bounce frames build on this.
 */
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/lib.h>
#include <pvx/sched.h>
#include <pvx/traps.h>

const char *trap_name(unsigned int vector)
{
    static const char *const names[X86_NR_EXCEPTIONS] = {
        [X86_EXC_DE] = "#DE", [X86_EXC_DB] = "#DB", [X86_EXC_NMI] = "NMI",
        [X86_EXC_BP] = "#BP", [X86_EXC_OF] = "#OF", [X86_EXC_BR] = "#BR",
        [X86_EXC_UD] = "#UD", [X86_EXC_NM] = "#NM", [X86_EXC_DF] = "#DF",
        [X86_EXC_TS] = "#TS", [X86_EXC_NP] = "#NP", [X86_EXC_SS] = "#SS",
        [X86_EXC_GP] = "#GP", [X86_EXC_PF] = "#PF", [X86_EXC_MF] = "#MF",
        [X86_EXC_AC] = "#AC", [X86_EXC_MC] = "#MC", [X86_EXC_XM] = "#XM",
    };

    if ( vector < X86_NR_EXCEPTIONS && names[vector] )
        return names[vector];
    return "int";
}

void traps_deliver(struct vcpu *v, uint32_t cr2)
{
    struct cpu_regs *r = &v->regs;

    if ( r->entry_vector == X86_EXC_PF )
        domain_crash(v->domain, "%s (error %#x, cr2 %#x) at %04x:%08x with no handler registered",
                     trap_name(r->entry_vector), r->error_code, cr2, r->cs & 0xffff, r->eip);
    else
        domain_crash(v->domain, "%s %u (error %#x) at %04x:%08x with no handler registered",
                     trap_name(r->entry_vector), r->entry_vector, r->error_code,
                     r->cs & 0xffff, r->eip);
}

void core_trap(struct cpu_regs *regs, uint32_t cr2)
{
    struct vcpu *v = current;

    v->regs = *regs;
    traps_deliver(v, cr2);
    sched_after_entry();
    *regs = current->regs;
    regs_sanitize_eflags(regs);
}

void core_timer_interrupt(struct cpu_regs *regs)
{
    /* The timer ends the running vCPU's slice: let another run. */
    if ( regs )
    {
        current->regs = *regs;
        schedule();
        *regs = current->regs;
        regs_sanitize_eflags(regs);
    }
}
