/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu/regs.c - a vCPU's saved register frame: read lazily where the machine
 * left fields unread, and rewritten for a continuation. Every room that
 * handles a guest entry uses these; they call nothing but the arch.
 */
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>

long hypercall_create_continuation(struct vcpu *v, uint32_t nr, unsigned int nargs, ...)
{
    uint32_t *args[5] = { &v->regs.ebx, &v->regs.ecx, &v->regs.edx, &v->regs.esi,
                          &v->regs.edi };
    va_list ap;

    ASSERT(nargs <= 5);
    regs_need(v, REGS_ALL);
    va_start(ap, nargs);
    for ( unsigned int i = 0; i < nargs; i++ )
        *args[i] = va_arg(ap, uint32_t);
    va_end(ap);
    /* Back over "int $0x82": the guest re-enters with the new arguments. */
    v->regs.eip -= 2;
    return nr;
}

/*
 * A lazy entry (the simulator's, where each register read costs as much as
 * the trap) leaves fields of v->regs unread; they are read here, from the
 * CPU that still holds them, the first time the core needs them. Only the
 * vCPU whose hypercall is being handled can have missing fields.
 */
void regs_need(struct vcpu *v, uint32_t fields)
{
    uint32_t m = v->regs_missing & fields;

    if ( m == 0 )
        return;
    arch_regs_fill(&v->regs, m);
    v->regs_missing &= ~m;
}
