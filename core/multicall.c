/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * multicall.c - a batch of hypercalls in one entry (paper §3.3.3: XenLinux
 * batches page-table updates and flushes this way).
 *
 * Each entry's result is written back into the entry. As on Xen: a nested
 * multicall gets -EINVAL as its result, an unknown one -ENOSYS, an iret ends
 * the batch, and a call that stops with a continuation leaves its new
 * arguments in its entry and continues the multicall from that entry.
 */
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/layout.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <public/xen.h>

/* Calls per multicall entry into the hypervisor before it continues later. */
#define MULTICALL_PER_CALL 64u

/* Run one entry; true if it stopped with a continuation (its new arguments
 * are then in mc->args and v's registers are as before). */
static bool multicall_one(struct vcpu *v, struct multicall_entry *mc)
{
    const struct hypercall_entry *e = hypercall_lookup(mc->op);
    struct cpu_regs *r = vcpu_regs(v), saved;
    long rc;

    regs_copy(&saved, r);               /* field by field: no copy loop per call */
    if ( !e )
    {
        mc->result = (uint32_t)-ENOSYS;
        return false;
    }
    rc = hypercall_invoke(v, mc->op, e, mc->args);
    mc->result = (uint32_t)rc;
    /* An iret moves eip on purpose: it ends the batch, it is no continuation. */
    if ( r->eip == saved.eip || mc->op == __HYPERVISOR_iret )
        return false;

    /* hypercall_create_continuation rewound the multicall's own frame: take
     * the call's new arguments back into its entry and restore the frame. */
    mc->args[0] = r->ebx;
    mc->args[1] = r->ecx;
    mc->args[2] = r->edx;
    mc->args[3] = r->esi;
    mc->args[4] = r->edi;
    regs_copy(r, &saved);
    return true;
}

long do_multicall(struct vcpu *v, uint32_t call_list, uint32_t nr_calls, uint32_t a3 __unused,
                  uint32_t a4 __unused, uint32_t a5 __unused)
{
    struct multicall_entry mc;
    uint32_t i;
    long rc = 0;

    if ( v->in_multicall )
        return -EINVAL;
    if ( (uint64_t)call_list + (uint64_t)nr_calls * sizeof(mc) > HYPERVISOR_VIRT_START )
        return -EFAULT;

    v->in_multicall = true;
    for ( i = 0; i < nr_calls; i++ )
    {
        uint32_t va = call_list + i * (uint32_t)sizeof(mc);
        bool preempted;

        if ( i && i % MULTICALL_PER_CALL == 0 )
            goto preempted;
        if ( copy_from_guest(v, &mc, va, sizeof(mc)) )
        {
            rc = -EFAULT;
            break;
        }
        preempted = multicall_one(v, &mc);

        if ( mc.op == __HYPERVISOR_iret )
        {
            (void)copy_to_guest(v, va + offsetof(struct multicall_entry, result),
                                &mc.result, sizeof(mc.result));
            rc = (int32_t)mc.result;
            break;
        }
        if ( preempted )
        {
            if ( copy_to_guest(v, va, &mc, sizeof(mc)) )
            {
                rc = -EFAULT;
                break;
            }
            goto preempted;
        }
        if ( copy_to_guest(v, va + offsetof(struct multicall_entry, result),
                           &mc.result, sizeof(mc.result)) )
        {
            rc = -EFAULT;
            break;
        }
        /* The call stopped the domain (shutdown, crash): the batch ends. */
        if ( v->domain->state != DOMAIN_RUNNING )
            break;
    }
    v->in_multicall = false;
    return rc;

 preempted:
    v->in_multicall = false;
    return hypercall_create_continuation(v, __HYPERVISOR_multicall, 2,
                                         call_list + i * (uint32_t)sizeof(mc), nr_calls - i);
}
