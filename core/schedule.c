/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * schedule.c - which vCPU runs, and sched_op.
 *
 * For now a round robin over the runnable domains; the runnable set is every
 * domain in DOMAIN_RUNNING. sched_op implements yield and shutdown.
 */
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>
#include <pvx/sched.h>
#include <public/sched.h>

void sched_init(void)
{
    current = NULL;
}

void sched_switch_to(struct vcpu *v)
{
    if ( current == v )
        return;
    if ( !current || current->cr3 != v->cr3 )
        arch_load_cr3(v->cr3);
    current = v;
}

static struct vcpu *sched_pick_next(void)
{
    unsigned int start = current ? current->domain->domain_id + 1 : 0;

    for ( unsigned int i = 0; i < MAX_DOMAINS; i++ )
    {
        struct domain *d = domain_lookup((start + i) % MAX_DOMAINS);

        if ( d && d->state == DOMAIN_RUNNING )
            return &d->vcpu[0];
    }
    return NULL;
}

void schedule(void)
{
    struct vcpu *next;

    /* Nothing runnable: wait for an event; the timer handler may wake one. */
    while ( !(next = sched_pick_next()) )
        arch_idle();
    sched_switch_to(next);
}

void sched_after_entry(void)
{
    if ( current->domain->state != DOMAIN_RUNNING )
        schedule();
}

long do_sched_op(struct vcpu *v, uint32_t cmd, uint32_t arg, uint32_t a3 __unused,
                 uint32_t a4 __unused, uint32_t a5 __unused)
{
    switch ( cmd )
    {
    case SCHEDOP_yield:
        schedule();
        return 0;

    case SCHEDOP_shutdown:
    {
        struct sched_shutdown s;

        if ( copy_from_guest(v, &s, arg, sizeof(s)) )
            return -EFAULT;
        /* Xen takes the reason modulo 256 and accepts any value. */
        domain_shutdown(v->domain, s.reason & 0xff);
        return 0;
    }

    default:
        return -ENOSYS;
    }
}
