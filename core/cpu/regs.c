/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu/regs.c - a vCPU's saved register frame: read lazily where the machine
 * left fields unread, and rewritten for a continuation. Every room that
 * handles a guest entry uses these; they call nothing but the arch. With
 * hypercall.c's entry, the only file that touches the frame past vcpu_regs().
 */
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>

/*
 * A lazy entry (the simulator's, where each register read costs as much as
 * the trap) leaves fields of v->regs unread; they are read here, from the
 * CPU that still holds them. Only the vCPU whose hypercall is being handled
 * can have missing fields. The rest of the core reads the frame through
 * vcpu_regs(), which takes all of them on first use; only the hypercall
 * entry reads a part (the call's arguments).
 */
void vcpu_regs_read(struct vcpu *v, uint32_t fields)
{
    uint32_t m = v->regs_missing & fields;

    if ( m == 0 )
        return;
    arch_regs_fill(&v->regs, m);
    v->regs_missing &= ~m;
}

void vcpu_regs_fill(struct vcpu *v)
{
    vcpu_regs_read(v, REGS_ALL);
}

long hypercall_create_continuation(struct vcpu *v, uint32_t nr, unsigned int nargs, ...)
{
    struct cpu_regs *r = vcpu_regs(v);
    uint32_t *args[5] = { &r->ebx, &r->ecx, &r->edx, &r->esi, &r->edi };
    va_list ap;

    ASSERT(nargs <= 5);
    va_start(ap, nargs);
    for ( unsigned int i = 0; i < nargs; i++ )
        *args[i] = va_arg(ap, uint32_t);
    va_end(ap);
    /* Back over "int $0x82": the guest re-enters with the new arguments. */
    r->eip -= 2;
    return nr;
}
