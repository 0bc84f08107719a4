/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_events.c - event channels, timers and the scheduler, on a fake machine
 * with several domains (the initial one plus unprivileged ones built from
 * further modules). Each rule positive and negative; a refused request must
 * change nothing (the machine memory hash, shared_info included, is equal).
 */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include <pvx/audit.h>
#include <pvx/domain.h>
#include <pvx/event.h>
#include <pvx/fault.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/sched.h>
#include <pvx/time.h>
#include <public/callback.h>
#include <public/event_channel.h>
#include <public/platform.h>
#include <public/pvx.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <public/xen.h>

#define ARG UNIT_SCRATCH_VA         /* where hypercall arguments are put */

static unsigned int free_before_domus;

/* Boot the initial domain and nr_domus unprivileged ones (4 MiB each). */
static void boot_domains(unsigned int nr_domus, const char *hv_cmdline)
{
    struct elfgen_spec s;

    elfgen_default(&s);
    CU_ASSERT_EQUAL_FATAL(fixture_boot(&s, "kernel.elf", hv_cmdline ? hv_cmdline : "dom0_mem=4M",
                                       nr_domus, NULL), -1);
    CU_ASSERT_EQUAL_FATAL(current->domain->domain_id, 0);
    /* 4 MiB each, and a shared_info frame. */
    free_before_domus = frame_free_count() + nr_domus * 1025;
}

static struct vcpu *vcpu_of(unsigned int domid)
{
    struct domain *d = domain_lookup((uint16_t)domid);

    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    return &d->vcpu[0];
}

/* Make domid the caller of the next hypercalls. */
static void become(unsigned int domid)
{
    fixture_become(vcpu_of(domid));
}

static long evtchn_op(uint32_t cmd, void *arg, size_t len)
{
    long rc;

    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, ARG, arg, len), 0);
    rc = unit_hypercall(__HYPERVISOR_event_channel_op, cmd, ARG, 0, 0, 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, arg, ARG, len), 0);
    return rc;
}

static long alloc_unbound(domid_t dom, domid_t remote, uint32_t *port)
{
    struct evtchn_alloc_unbound a = { .dom = dom, .remote_dom = remote };
    long rc = evtchn_op(EVTCHNOP_alloc_unbound, &a, sizeof(a));

    *port = a.port;
    return rc;
}

static long bind_interdomain(domid_t remote, uint32_t rport, uint32_t *local)
{
    struct evtchn_bind_interdomain b = { .remote_dom = remote, .remote_port = rport };
    long rc = evtchn_op(EVTCHNOP_bind_interdomain, &b, sizeof(b));

    *local = b.local_port;
    return rc;
}

static long simple_op(uint32_t cmd, uint32_t port)
{
    return evtchn_op(cmd, &port, sizeof(port));
}

static struct evtchn_status status_of(domid_t dom, uint32_t port, long *rc)
{
    struct evtchn_status st = { .dom = dom, .port = port };

    *rc = evtchn_op(EVTCHNOP_status, &st, sizeof(st));
    return st;
}

static bool pending(unsigned int domid, uint32_t port)
{
    return evtchn_is_pending(domain_lookup((uint16_t)domid), port);
}

/* ------------------------------------------------------------------------
 * Event channels.
 */

static void test_evtchn_interdomain(void)
{
    uint32_t p1, p0;
    struct vcpu_info *vi0;
    struct evtchn_status st;
    long rc;

    boot_domains(1, NULL);
    vi0 = vcpu_of(0)->vcpu_info;

    become(1);
    CU_ASSERT_EQUAL(alloc_unbound(DOMID_SELF, 0, &p1), 0);
    CU_ASSERT_EQUAL(p1, 1);                         /* port 0 is never handed out */
    st = status_of(DOMID_SELF, p1, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    CU_ASSERT_EQUAL(st.u.unbound.dom, 0);

    become(0);
    CU_ASSERT_EQUAL(bind_interdomain(1, p1, &p0), 0);
    CU_ASSERT_EQUAL(p0, 1);
    CU_ASSERT(pending(0, p0));                      /* the conservative notification */
    st = status_of(1, p1, &rc);                     /* privileged: another's port */
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_interdomain);
    CU_ASSERT_EQUAL(st.u.interdomain.dom, 0);
    CU_ASSERT_EQUAL(st.u.interdomain.port, p0);

    /* A send marks the peer: pending, selector, upcall; again: merged. */
    become(1);
    memset(vi0, 0, 8);
    domain_lookup(0)->shared_info->evtchn_pending[0] = 0;
    CU_ASSERT_EQUAL(simple_op(EVTCHNOP_send, p1), 0);
    CU_ASSERT(pending(0, p0));
    CU_ASSERT_EQUAL(vi0->evtchn_pending_sel, 1u);
    CU_ASSERT_EQUAL(vi0->evtchn_upcall_pending, 1);
    CU_ASSERT_EQUAL(simple_op(EVTCHNOP_send, p1), 0);
    CU_ASSERT_EQUAL(domain_lookup(0)->shared_info->evtchn_pending[0], 1u << p0);

    /* Close one end: the other becomes unbound (to the closer), send is dropped. */
    become(0);
    CU_ASSERT_EQUAL(simple_op(EVTCHNOP_close, p0), 0);
    become(1);
    st = status_of(DOMID_SELF, p1, &rc);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    CU_ASSERT_EQUAL(st.u.unbound.dom, 0);
    CU_ASSERT_EQUAL(simple_op(EVTCHNOP_send, p1), 0);
    CU_ASSERT_FALSE(pending(0, p0));
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

static void test_evtchn_bad_input(void)
{
    static const uint32_t bad_ports[] = { 0, 2, 255, 256, 1023, 1024, 0x10000, 0xffffffffu };
    uint32_t p1, p;
    uint64_t h;
    long rc;

    boot_domains(2, NULL);
    become(1);
    CU_ASSERT_EQUAL(alloc_unbound(DOMID_SELF, 0, &p1), 0);
    h = unit_mem_hash();

    for ( unsigned int i = 0; i < ARRAY_SIZE(bad_ports); i++ )
    {
        CU_ASSERT_EQUAL(simple_op(EVTCHNOP_send, bad_ports[i]), -EINVAL);
        CU_ASSERT_EQUAL(simple_op(EVTCHNOP_close, bad_ports[i]), -EINVAL);
    }
    CU_ASSERT_EQUAL(simple_op(EVTCHNOP_unmask, 256), -EINVAL);
    CU_ASSERT_EQUAL(simple_op(EVTCHNOP_unmask, 0xffffffffu), -EINVAL);
    status_of(DOMID_SELF, 0x80000000u, &rc);
    CU_ASSERT_EQUAL(rc, -EINVAL);

    /* Another domain's ports are not ours to name. */
    CU_ASSERT_EQUAL(alloc_unbound(2, 0, &p), -EPERM);
    status_of(2, 1, &rc);
    CU_ASSERT_EQUAL(rc, -EPERM);
    status_of(0, 1, &rc);
    CU_ASSERT_EQUAL(rc, -EPERM);
    /* Binding: to a closed port, a huge one, a port offered to someone else,
     * a domain that does not exist. */
    CU_ASSERT_EQUAL(bind_interdomain(0, 5, &p), -EINVAL);
    CU_ASSERT_EQUAL(bind_interdomain(0, 0xffffffffu, &p), -EINVAL);
    CU_ASSERT_EQUAL(bind_interdomain(DOMID_SELF, p1, &p), -EINVAL);  /* offered to 0 */
    CU_ASSERT_EQUAL(bind_interdomain(77, 1, &p), -ESRCH);
    CU_ASSERT_EQUAL(bind_interdomain(DOMID_XEN, 1, &p), -ESRCH);
    /* VIRQs, refused in Xen's order: the VIRQ, the vCPU (only per-vCPU ones
     * name one), then who may bind it (a global one: the initial domain). */
    {
        static const struct { uint32_t virq, vcpu; long rc; } rules[] = {
            { NR_VIRQS, 0, -EINVAL }, { 0xffffffffu, 0, -EINVAL },
            { VIRQ_TIMER, 1, -ENOENT }, { VIRQ_XENOPROF, 1, -ENOENT },
            { VIRQ_DOM_EXC, 1, -EINVAL }, { VIRQ_ARGO, 1, -EINVAL },
            { VIRQ_CONSOLE, 7, -EINVAL }, { VIRQ_DOM_EXC, 0, -EBUSY },
            { VIRQ_CONSOLE, 0, -EBUSY }, { VIRQ_ARCH_0, 0, -EBUSY },
        };

        for ( size_t i = 0; i < ARRAY_SIZE(rules); i++ )
        {
            struct evtchn_bind_virq b = { .virq = rules[i].virq, .vcpu = rules[i].vcpu };

            CU_ASSERT_EQUAL(evtchn_op(EVTCHNOP_bind_virq, &b, sizeof(b)), rules[i].rc);
        }
    }
    {
        struct evtchn_bind_ipi b = { .vcpu = 3 };

        CU_ASSERT_EQUAL(evtchn_op(EVTCHNOP_bind_ipi, &b, sizeof(b)), -ENOENT);
    }
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_event_channel_op, 99, ARG, 0, 0, 0), -ENOSYS);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_pirq, ARG, 0, 0, 0), -EPERM);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_event_channel_op, EVTCHNOP_send, 0xf0000000u, 0, 0, 0), -EFAULT);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_event_channel_op_compat, 0xf0000000u, 0, 0, 0, 0), -EFAULT);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_event_channel_op, EVTCHNOP_status, 0xfffff000u, 0, 0, 0), -EFAULT);
    /* The hash covers the argument page too: put back what the ops read. */
    {
        struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = 0, .port = p1 };

        CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &a, sizeof(a)), 0);
    }
    CU_ASSERT_EQUAL(unit_mem_hash(), h);
    {
        struct evtchn_status st = status_of(DOMID_SELF, p1, &rc);

        CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);   /* still there, unchanged */
    }

    /* The FIFO ABI: init_control checked as Xen checks it, then -EOPNOTSUPP
     * (2-level only); the rest -EOPNOTSUPP, as Xen's before init_control. */
    {
        static const struct { uint64_t gfn; uint32_t offset, vcpu; long rc; } rows[] = {
            { ~0ull - 1, 0, 0, -EINVAL },          /* XSA-188's bad frame */
            { 0, 0, 1, -ENOENT }, { 0, 4093, 0, -EINVAL }, { 0, 4096 - 72 + 8, 0, -EINVAL },
            { 0, 12, 0, -EINVAL }, { 1u << 20, 0, 0, -EINVAL },    /* not its frame */
            { 0, 0, 0, -EOPNOTSUPP }, { 0, 4096 - 72, 0, -EOPNOTSUPP },
        };

        for ( size_t i = 0; i < ARRAY_SIZE(rows); i++ )
        {
            struct evtchn_init_control c = { .control_gfn = rows[i].gfn, .offset = rows[i].offset,
                                             .vcpu = rows[i].vcpu };

            if ( rows[i].gfn == 0 )     /* a frame of its own */
                c.control_gfn = current->domain->shared_info_mfn;
            CU_ASSERT_EQUAL(evtchn_op(EVTCHNOP_init_control, &c, sizeof(c)), rows[i].rc);
        }
    }
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_event_channel_op, EVTCHNOP_expand_array, ARG, 0, 0, 0), -EOPNOTSUPP);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_event_channel_op, EVTCHNOP_set_priority, ARG, 0, 0, 0), -EOPNOTSUPP);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_event_channel_op, EVTCHNOP_reset, ARG, 0, 0, 0), -ENOSYS);

    /* The result cannot be written back (the second guest copy fails): the
     * call is -EFAULT and no port was taken. It used to bind one the guest
     * never heard of. Every op with an output. */
    {
        static const uint32_t out_ops[] = { EVTCHNOP_alloc_unbound, EVTCHNOP_bind_virq,
                                            EVTCHNOP_bind_ipi, EVTCHNOP_bind_interdomain };
        uint32_t offered;

        become(0);
        CU_ASSERT_EQUAL(alloc_unbound(DOMID_SELF, 1, &offered), 0);
        become(1);
        for ( size_t i = 0; i < ARRAY_SIZE(out_ops); i++ )
        {
            union {
                struct evtchn_alloc_unbound a;
                struct evtchn_bind_virq v;
                struct evtchn_bind_ipi ipi;
                struct evtchn_bind_interdomain b;
            } arg;
            struct domain before = *current->domain;

            memset(&arg, 0, sizeof(arg));
            if ( out_ops[i] == EVTCHNOP_alloc_unbound )
                arg.a = (struct evtchn_alloc_unbound){ .dom = DOMID_SELF, .remote_dom = 0 };
            else if ( out_ops[i] == EVTCHNOP_bind_virq )
                arg.v = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 0 };
            else if ( out_ops[i] == EVTCHNOP_bind_interdomain )
                arg.b = (struct evtchn_bind_interdomain){ .remote_dom = 0,
                                                          .remote_port = offered };
            CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &arg, sizeof(arg)), 0);
            CU_ASSERT_EQUAL(fault_configure("guest_copy:fail-nth=2"), 0);
            fault_guest_copy.calls = 0;             /* nth counts from here */
            rc = unit_hypercall(__HYPERVISOR_event_channel_op, out_ops[i], ARG, 0, 0, 0);
            if ( rc != -EFAULT )
                fprintf(stderr, "\n  op %u: %ld, not -EFAULT\n", out_ops[i], rc);
            CU_ASSERT_EQUAL(rc, -EFAULT);
            CU_ASSERT_EQUAL(fault_configure("guest_copy:fail-nth=0"), 0);
            CU_ASSERT_EQUAL(memcmp(&before.evtchn, &current->domain->evtchn,
                                   sizeof(before.evtchn)), 0);
            CU_ASSERT_EQUAL(memcmp(&before.vcpu[0].virq_port, &current->domain->vcpu[0].virq_port,
                                   sizeof(before.vcpu[0].virq_port)), 0);
            /* Positive: the same call without the fault binds a port. */
            CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_event_channel_op, out_ops[i], ARG, 0, 0, 0),
                            0);
        }
        become(0);
        CU_ASSERT_EQUAL(status_of(DOMID_SELF, offered, &rc).status, EVTCHNSTAT_interdomain);
    }
}

/* Per-vCPU and per-domain VIRQs are any domain's to bind (Xen); each once. */
static void test_evtchn_domu_virqs(void)
{
    static const uint32_t mine[] = { VIRQ_TIMER, VIRQ_DEBUG, VIRQ_XENOPROF, VIRQ_ARGO,
                                     VIRQ_XENPMU };

    boot_domains(1, NULL);
    become(1);
    for ( size_t i = 0; i < ARRAY_SIZE(mine); i++ )
    {
        struct evtchn_bind_virq b = { .virq = mine[i], .vcpu = 0 };
        long rc;

        CU_ASSERT_EQUAL(evtchn_op(EVTCHNOP_bind_virq, &b, sizeof(b)), 0);
        CU_ASSERT_EQUAL(status_of(DOMID_SELF, b.port, &rc).status, EVTCHNSTAT_virq);
        CU_ASSERT_EQUAL(evtchn_op(EVTCHNOP_bind_virq, &b, sizeof(b)), -EEXIST);
    }
}

static void test_evtchn_virq_ipi_mask(void)
{
    struct evtchn_bind_virq b = { .virq = VIRQ_DOM_EXC, .vcpu = 0 };
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    struct shared_info *si;
    struct vcpu_info *vi;
    uint32_t vp;

    boot_domains(0, NULL);
    si = current->domain->shared_info;
    vi = current->vcpu_info;
    CU_ASSERT_EQUAL(evtchn_op(EVTCHNOP_bind_virq, &b, sizeof(b)), 0);
    vp = b.port;
    CU_ASSERT_EQUAL(evtchn_op(EVTCHNOP_bind_virq, &b, sizeof(b)), -EEXIST);
    CU_ASSERT_EQUAL(simple_op(EVTCHNOP_send, vp), -EINVAL);    /* a VIRQ port is the hypervisor's */
    CU_ASSERT_EQUAL(evtchn_op(EVTCHNOP_bind_ipi, &ipi, sizeof(ipi)), 0);

    /* A masked port: pending, but no selector and no upcall until unmask. */
    si->evtchn_mask[0] = 1u << ipi.port;
    CU_ASSERT_EQUAL(simple_op(EVTCHNOP_send, ipi.port), 0);
    CU_ASSERT(pending(0, ipi.port));
    CU_ASSERT_EQUAL(vi->evtchn_pending_sel, 0u);
    CU_ASSERT_EQUAL(vi->evtchn_upcall_pending, 0);
    CU_ASSERT_EQUAL(simple_op(EVTCHNOP_unmask, ipi.port), 0);
    CU_ASSERT_EQUAL(si->evtchn_mask[0], 0u);
    CU_ASSERT_EQUAL(vi->evtchn_pending_sel, 1u);
    CU_ASSERT_EQUAL(vi->evtchn_upcall_pending, 1);
    /* Upcalls masked (start of day): no callback registered either way. */
    CU_ASSERT_EQUAL(vi->evtchn_upcall_mask, 1);

    /* Closing the VIRQ frees it for a new bind; close twice is refused. */
    CU_ASSERT_EQUAL(simple_op(EVTCHNOP_close, vp), 0);
    CU_ASSERT_EQUAL(simple_op(EVTCHNOP_close, vp), -EINVAL);
    CU_ASSERT_EQUAL(evtchn_op(EVTCHNOP_bind_virq, &b, sizeof(b)), 0);
}

static void test_evtchn_ports_run_out(void)
{
    uint32_t p = 0;
    unsigned int n = 0;
    long rc;

    boot_domains(0, NULL);
    while ( (rc = alloc_unbound(DOMID_SELF, DOMID_SELF, &p)) == 0 )
        n++;
    CU_ASSERT_EQUAL(rc, -ENOSPC);
    CU_ASSERT_EQUAL(n, EVTCHN_MAX_PORTS - 1);
    CU_ASSERT_EQUAL(simple_op(EVTCHNOP_close, 7), 0);
    CU_ASSERT_EQUAL(alloc_unbound(DOMID_SELF, DOMID_SELF, &p), 0);
    CU_ASSERT_EQUAL(p, 7);                          /* the lowest free port again */
}

/* A domain that shuts down is destroyed at the next switch: every frame
 * comes back, its channels close, and the initial domain gets VIRQ_DOM_EXC. */
static void test_domain_exit_returns_frames(void)
{
    struct evtchn_bind_virq b = { .virq = VIRQ_DOM_EXC, .vcpu = 0 };
    struct sched_shutdown s = { .reason = SHUTDOWN_poweroff };
    uint32_t p1, p0;
    struct evtchn_status st;
    long rc;

    boot_domains(1, NULL);
    CU_ASSERT_EQUAL(evtchn_op(EVTCHNOP_bind_virq, &b, sizeof(b)), 0);
    become(1);
    CU_ASSERT_EQUAL(alloc_unbound(DOMID_SELF, 0, &p1), 0);
    become(0);
    CU_ASSERT_EQUAL(bind_interdomain(1, p1, &p0), 0);

    become(1);
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &s, sizeof(s)), 0);
    unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_shutdown, ARG, 0, 0, 0);
    CU_ASSERT_EQUAL(current->domain->domain_id, 0);
    CU_ASSERT_PTR_NULL(domain_lookup(1));
    CU_ASSERT_EQUAL(frame_free_count(), free_before_domus);
    CU_ASSERT_EQUAL(audit_frames(), 0);
    CU_ASSERT(pending(0, b.port));
    st = status_of(DOMID_SELF, p0, &rc);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
}

/*
 * The initial domain blocks waiting for VIRQ_DOM_EXC and the last other
 * domain shuts down: nothing is runnable, yet the initial domain must wake.
 * (The event used to be sent only when the dead domain was reaped, after the
 * CPU had gone idle with no timer: found on QEMU by multi/pingpong.)
 */
static void test_domain_exit_wakes_blocked_dom0(void)
{
    struct evtchn_bind_virq b = { .virq = VIRQ_DOM_EXC, .vcpu = 0 };
    struct sched_shutdown s = { .reason = SHUTDOWN_poweroff };

    boot_domains(1, NULL);
    CU_ASSERT_EQUAL(evtchn_op(EVTCHNOP_bind_virq, &b, sizeof(b)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_block, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL_FATAL(current->domain->domain_id, 1);
    CU_ASSERT(vcpu_of(0)->sched.blocked);

    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &s, sizeof(s)), 0);
    unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_shutdown, ARG, 0, 0, 0);
    CU_ASSERT_EQUAL(current->domain->domain_id, 0);
    CU_ASSERT_FALSE(current->sched.blocked);
    CU_ASSERT(pending(0, b.port));
    CU_ASSERT_PTR_NULL(domain_lookup(1));
    CU_ASSERT_EQUAL(frame_free_count(), free_before_domus);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/*
 * A domain killed on the way out of a hypercall (its event callback frame
 * cannot be written: its stack is unmapped) must not run again. It used to:
 * the exit path had already picked it, declared it crashed, then resumed it,
 * and its next hypercall (a send to the initial domain) went through.
 */
static void test_killed_on_exit_never_runs(void)
{
    struct callback_register cb = { .type = CALLBACKTYPE_event,
                                    .address = { .cs = FLAT_RING1_CS, .eip = 0x100000 } };
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };

    boot_domains(2, NULL);
    become(1);
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &cb, sizeof(cb)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_callback_op, CALLBACKOP_register, ARG, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(evtchn_op(EVTCHNOP_bind_ipi, &ipi, sizeof(ipi)), 0);
    current->vcpu_info->evtchn_upcall_mask = 0;
    current->regs.esp = 0x7ffff000;         /* nothing mapped there */

    /* Positive control: the frame of a good stack is written, the domain lives. */
    become(2);
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &cb, sizeof(cb)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_callback_op, CALLBACKOP_register, ARG, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(evtchn_op(EVTCHNOP_bind_ipi, &ipi, sizeof(ipi)), 0);
    current->vcpu_info->evtchn_upcall_mask = 0;
    CU_ASSERT_EQUAL(simple_op(EVTCHNOP_send, ipi.port), 0);
    CU_ASSERT_EQUAL(current->domain->domain_id, 2);
    CU_ASSERT_EQUAL(current->domain->state, DOMAIN_RUNNING);
    CU_ASSERT_EQUAL(current->regs.eip, 0x100000);

    become(1);
    (void)simple_op(EVTCHNOP_send, ipi.port);
    CU_ASSERT_EQUAL(vcpu_of(0)->domain->state, DOMAIN_RUNNING);
    CU_ASSERT_PTR_NOT_NULL_FATAL(current);
    CU_ASSERT_NOT_EQUAL(current->domain->domain_id, 1);
    CU_ASSERT_EQUAL(current->domain->state, DOMAIN_RUNNING);
    CU_ASSERT(domain_lookup(1) == NULL || domain_lookup(1)->state == DOMAIN_CRASHED);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/*
 * A domain's console output is labelled and printable only: a carriage
 * return or an escape sequence cannot pass a line off as the hypervisor's.
 * The initial domain's goes out raw (it is the machine's console, as Xen's
 * hardware domain's).
 */
static void test_console_filters_domains(void)
{
    static const char spoof[] = "ok\r(pvx) audit: clean\x1b[2K\x07\tend\n";
    static const char *const want = "(d1) ok(pvx) audit: clean[2K\tend\n";

    boot_domains(1, NULL);
    become(1);
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, spoof, sizeof(spoof) - 1), 0);
    fake_console_len = 0;
    fake_console[0] = '\0';
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_console_io, CONSOLEIO_write, sizeof(spoof) - 1,
                                   ARG, 0, 0), 0);
    CU_ASSERT_STRING_EQUAL(fake_console, want);
    CU_ASSERT_PTR_NULL(memchr(fake_console, '\r', fake_console_len));

    /* A line longer than the filter's buffer keeps one label. */
    {
        char longline[301];

        memset(longline, 'x', 300);
        longline[300] = '\n';
        CU_ASSERT_EQUAL(copy_to_guest(current, ARG, longline, sizeof(longline)), 0);
        fake_console_len = 0;
        fake_console[0] = '\0';
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_console_io, CONSOLEIO_write, sizeof(longline),
                                       ARG, 0, 0), 0);
        CU_ASSERT_EQUAL(fake_console_len, 5 + sizeof(longline));
        CU_ASSERT_EQUAL(strncmp(fake_console, "(d1) xxx", 8), 0);
        CU_ASSERT_PTR_NULL(strstr(fake_console + 1, "(d1)"));
    }

    /* The initial domain: raw. */
    become(0);
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, spoof, sizeof(spoof) - 1), 0);
    fake_console_len = 0;
    fake_console[0] = '\0';
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_console_io, CONSOLEIO_write, sizeof(spoof) - 1,
                                   ARG, 0, 0), 0);
    CU_ASSERT_EQUAL(fake_console_len, sizeof(spoof) - 1);
    CU_ASSERT_EQUAL(memcmp(fake_console, spoof, sizeof(spoof) - 1), 0);
}

/*
 * A machine that cannot run a vCPU's state (core_vcpu_unrunnable): that
 * domain dies alone and the call hands back another domain's frame; when
 * it is the initial domain, the machine stops with exit status 1.
 */
static void test_vcpu_unrunnable(void)
{
    struct evtchn_bind_virq b = { .virq = VIRQ_DOM_EXC, .vcpu = 0 };
    struct cpu_regs r;

    boot_domains(1, NULL);
    CU_ASSERT_EQUAL(evtchn_op(EVTCHNOP_bind_virq, &b, sizeof(b)), 0);
    become(1);
    r = current->regs;
    fake_console_len = 0;
    CU_ASSERT_EQUAL(FAKE_RUN(core_vcpu_unrunnable(&r, "a state it does not model")), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(fake_console, "(pvx) domain 1 crashed: the machine cannot run "
                                                "it at e019:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(fake_console, ": a state it does not model"));
    CU_ASSERT_EQUAL(current->domain->domain_id, 0);
    CU_ASSERT_EQUAL(r.eip, current->regs.eip);
    CU_ASSERT(pending(0, b.port));
    CU_ASSERT_PTR_NULL(domain_lookup(1));
    CU_ASSERT_EQUAL(frame_free_count(), free_before_domus);
    CU_ASSERT_EQUAL(audit_frames(), 0);

    r = current->regs;
    CU_ASSERT_EQUAL(FAKE_RUN(core_vcpu_unrunnable(&r, "again")), PVX_EXIT_CRASH);
    CU_ASSERT_PTR_NOT_NULL(strstr(fake_console, "(pvx) domain 0 crashed: the machine cannot run "
                                                "it at e019:"));
}

/* ------------------------------------------------------------------------
 * Time.
 */

static void test_time_scale(void)
{
    static const uint64_t rates[] = { 1000000ull, 999999999ull, 1000000000ull, 2000000000ull,
                                      2000000001ull, 3000000000ull, 3700000000ull,
                                      12000000000ull };

    for ( unsigned int i = 0; i < ARRAY_SIZE(rates); i++ )
    {
        uint32_t mul;
        int8_t shift;
        /* One second of ticks is one second, within a part per million. */
        uint64_t ns;

        time_tsc_scale(rates[i], &mul, &shift);
        ns = time_scale_delta(rates[i], mul, shift);
        CU_ASSERT(ns <= 1000000000ull && 1000000000ull - ns <= 1000);
        ns = time_scale_delta(rates[i] / 1000, mul, shift);
        CU_ASSERT(ns <= 1000000ull && 1000000ull - ns <= 2);
    }
}

static void test_time_info_and_wallclock(void)
{
    struct vcpu_time_info *t;
    struct xen_platform_op op = { .cmd = XENPF_settime64,
                                  .interface_version = XENPF_INTERFACE_VERSION };
    struct shared_info *si;
    uint32_t ver;

    boot_domains(1, NULL);
    t = &current->vcpu_info->time;
    si = current->domain->shared_info;
    fake_now_ns = 5000000;
    ver = t->version;
    CU_ASSERT_EQUAL(ver % 2, 0);
    time_update_vcpu_info(current);
    CU_ASSERT_EQUAL(t->version, ver + 2);
    CU_ASSERT_EQUAL(t->system_time, 5000000);
    CU_ASSERT_EQUAL(t->tsc_timestamp, 15000000);    /* the fake TSC runs at 3 GHz */
    CU_ASSERT_EQUAL(time_scale_delta(3000, t->tsc_to_system_mul, t->tsc_shift), 999);

    /* Wall clock: only the initial domain, only sane values. */
    op.u.settime64.secs = 1700000000;
    op.u.settime64.nsecs = 250;
    op.u.settime64.system_time = 5000000;
    become(1);
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &op, sizeof(op)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_platform_op, ARG, 0, 0, 0, 0), -EPERM);
    become(0);
    op.interface_version = 1;
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &op, sizeof(op)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_platform_op, ARG, 0, 0, 0, 0), -EACCES);
    op.interface_version = XENPF_INTERFACE_VERSION;
    op.u.settime64.nsecs = 1000000000;
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &op, sizeof(op)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_platform_op, ARG, 0, 0, 0, 0), -EINVAL);
    op.u.settime64.secs = ~0ull;
    op.u.settime64.nsecs = 0;
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &op, sizeof(op)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_platform_op, ARG, 0, 0, 0, 0), -EINVAL);
    CU_ASSERT_EQUAL(si->wc_sec, 0u);
    op.u.settime64.secs = 1700000000;
    op.u.settime64.nsecs = 250;
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &op, sizeof(op)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_platform_op, ARG, 0, 0, 0, 0), 0);
    /* At system time 0 it was 5 ms earlier. */
    CU_ASSERT_EQUAL(si->wc_sec, 1699999999u);
    CU_ASSERT_EQUAL(si->wc_nsec, 995000250u);
    CU_ASSERT_EQUAL(si->wc_version % 2, 0);
    CU_ASSERT_NOT_EQUAL(si->wc_version, 0);
}

static void test_set_timer_op(void)
{
    struct evtchn_bind_virq b = { .virq = VIRQ_TIMER, .vcpu = 0 };
    struct vcpu *v;

    boot_domains(0, NULL);
    v = current;
    CU_ASSERT_EQUAL(evtchn_op(EVTCHNOP_bind_virq, &b, sizeof(b)), 0);
    fake_now_ns = 1000000;

    /* Ahead: armed, the machine timer follows; 0 cancels. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_timer_op, 3000000, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(v->time.singleshot_ns, 3000000);
    CU_ASSERT(fake_timer != 0 && fake_timer <= 3000000);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_timer_op, 0, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(v->time.singleshot_ns, 0);
    CU_ASSERT_FALSE(pending(0, b.port));

    /* In the past: fires at once. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_timer_op, 5, 0, 0, 0, 0), 0);
    CU_ASSERT(pending(0, b.port));
    current->domain->shared_info->evtchn_pending[0] = 0;

    /* The high half counts (x86_32 splits the 64-bit time); absurdly far: 100 ms. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_timer_op, 0, 1, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(v->time.singleshot_ns, 1ull << 32);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_timer_op, 0, 0x40000000u, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(v->time.singleshot_ns, fake_now_ns + TIME_FAR_FUTURE_CLAMP_NS);

    /* It fires when the time comes, as VIRQ_TIMER. */
    fake_now_ns += TIME_FAR_FUTURE_CLAMP_NS;
    {
        struct cpu_regs r = v->regs;

        CU_ASSERT_EQUAL(FAKE_RUN(core_timer_interrupt(&r)), -1);
    }
    CU_ASSERT(pending(0, b.port));
    CU_ASSERT_EQUAL(v->time.singleshot_ns, 0);
}

static void test_vcpu_op(void)
{
    struct vcpu_runstate_info r;
    struct vcpu_pvx_set_vtimer vt;
    struct vcpu_set_singleshot_timer ss = { .timeout_abs_ns = 10, .flags = VCPU_SSHOTTMR_future };

    boot_domains(0, NULL);
    fake_now_ns = 2000000;
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info, 1, ARG, 0, 0), -ENOENT);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_vcpu_op, 0x6fff, 0, ARG, 0, 0), -ENOSYS);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info, 0, 0xf0000000u, 0, 0), -EFAULT);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info, 0, ARG, 0, 0), 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &r, ARG, sizeof(r)), 0);
    CU_ASSERT_EQUAL(r.state, RUNSTATE_running);
    CU_ASSERT_EQUAL(r.time[RUNSTATE_running], 2000000);     /* it ran since boot (time 0) */

    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &ss, sizeof(ss)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0, ARG, 0, 0), -ETIME);
    CU_ASSERT_EQUAL(current->time.singleshot_ns, 0);

    vt.vtime_ns = 2000000 + (1ull << 50);
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &vt, sizeof(vt)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_vcpu_op, VCPUOP_pvx_set_vtimer, 0, ARG, 0, 0), -EINVAL);
    CU_ASSERT_EQUAL(current->time.vtimer_ns, 0);
    vt.vtime_ns = 3000000;
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &vt, sizeof(vt)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_vcpu_op, VCPUOP_pvx_set_vtimer, 0, ARG, 0, 0), 0);
    CU_ASSERT_EQUAL(current->time.vtimer_ns, 3000000);
    CU_ASSERT(fake_timer != 0 && fake_timer <= 3000000);   /* 1 ms of running from now */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_vcpu_op, VCPUOP_pvx_stop_vtimer, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(current->time.vtimer_ns, 0);
}

/* ------------------------------------------------------------------------
 * The scheduler.
 */

static long bvt_set(unsigned int domid, uint32_t weight, uint32_t iface)
{
    struct xen_domctl op;

    memset(&op, 0, sizeof(op));
    op.cmd = XEN_DOMCTL_pvx_bvt_set;
    op.interface_version = iface;
    op.domain = (domid_t)domid;
    op.u.pvx_bvt.weight = weight;
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &op, sizeof(op)), 0);
    return unit_hypercall(__HYPERVISOR_domctl, ARG, 0, 0, 0, 0);
}

static void test_bvt_params(void)
{
    boot_domains(2, NULL);
    CU_ASSERT_EQUAL(bvt_set(1, 0, XEN_DOMCTL_INTERFACE_VERSION), -EINVAL);
    CU_ASSERT_EQUAL(bvt_set(1, SCHED_BVT_MAX_WEIGHT + 1, XEN_DOMCTL_INTERFACE_VERSION), -EINVAL);
    CU_ASSERT_EQUAL(bvt_set(1, 5, 0x1234), -EACCES);
    CU_ASSERT_EQUAL(bvt_set(9, 5, XEN_DOMCTL_INTERFACE_VERSION), -ESRCH);
    CU_ASSERT_EQUAL(vcpu_of(1)->sched.bvt.weight, SCHED_BVT_DEFAULT_WEIGHT);
    become(1);
    CU_ASSERT_EQUAL(bvt_set(2, 5, XEN_DOMCTL_INTERFACE_VERSION), -EPERM);
    become(0);
    CU_ASSERT_EQUAL(bvt_set(2, 5, XEN_DOMCTL_INTERFACE_VERSION), 0);
    CU_ASSERT_EQUAL(vcpu_of(2)->sched.bvt.weight, 5);
    {
        struct sched_bvt_params p = { .weight = 1, .warp_enabled = true,
                                      .warp_ns = SCHED_BVT_MAX_WARP_NS + 1 };

        CU_ASSERT_EQUAL(sched_bvt_set(vcpu_of(1), &p), -EINVAL);
        CU_ASSERT_FALSE(vcpu_of(1)->sched.bvt.warp_enabled);
    }
}

/* Run the machine on fake time until end: each slice ends with the timer. */
static void run_until(uint64_t end)
{
    while ( fake_now_ns < end )
    {
        struct cpu_regs r = current->regs;

        CU_ASSERT_FATAL(fake_timer != 0);
        fake_now_ns = MAX(fake_now_ns, fake_timer);
        fake_timer = 0;
        CU_ASSERT_EQUAL_FATAL(FAKE_RUN(core_timer_interrupt(&r)), -1);
    }
}

static void test_bvt_shares(void)
{
    static const uint32_t w[3] = { 1, 2, 4 };
    uint64_t used[3], total = 0;
    unsigned long dispatches;

    /* Three CPU-bound domains (the fake machine holds three): 0, 1 and 2. */
    boot_domains(2, NULL);
    for ( unsigned int i = 0; i < 3; i++ )
        CU_ASSERT_EQUAL(bvt_set(i, w[i], XEN_DOMCTL_INTERFACE_VERSION), 0);
    for ( unsigned int i = 0; i < 3; i++ )
        used[i] = vcpu_of(i)->sched.run_ns;
    dispatches = fake_dispatch_count();
    run_until(fake_now_ns + 10000000000ull);
    for ( unsigned int i = 0; i < 3; i++ )
    {
        used[i] = vcpu_of(i)->sched.run_ns - used[i];
        total += used[i];
    }
    for ( unsigned int i = 0; i < 3; i++ )
    {
        double share = (double)used[i] / (double)total, want = w[i] / 7.0;

        CU_ASSERT(share > want * 0.99 && share < want * 1.01);
    }
    CU_ASSERT(fake_dispatch_count() - dispatches > 100);
}

/* Warp: a woken warped vCPU preempts at once; L ends the warp; U delays the next. */
static void test_bvt_warp(void)
{
    struct sched_bvt_params p = { .weight = 1, .warp_enabled = true, .warp_ns = 50000000,
                                  .warp_limit_ns = 2000000, .unwarp_ns = 1000000 };
    struct vcpu *v0;
    struct evtchn_bind_virq b = { .virq = VIRQ_TIMER, .vcpu = 0 };

    boot_domains(2, NULL);
    v0 = current;
    CU_ASSERT_EQUAL(evtchn_op(EVTCHNOP_bind_virq, &b, sizeof(b)), 0);
    CU_ASSERT_EQUAL(sched_bvt_set(v0, &p), 0);
    /* Sleep 3 ms on the timer: the two others run. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_timer_op, 3000000, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_block, 0, 0, 0, 0), 0);
    CU_ASSERT_NOT_EQUAL(current, v0);
    run_until(3000000);
    CU_ASSERT_EQUAL(current, v0);                   /* dispatched at its event */
    CU_ASSERT_EQUAL(fake_now_ns, 3000000);
    CU_ASSERT(v0->sched.warped);
    /* After L of running the warp ends. */
    run_until(5000000);
    CU_ASSERT_FALSE(v0->sched.warped);
    /* Woken again within U of that: no warp this time. */
    fixture_become(v0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_timer_op, (uint32_t)fake_now_ns + 100000, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_block, 0, 0, 0, 0), 0);
    run_until(fake_now_ns + 100000);
    CU_ASSERT_FALSE(v0->sched.warped);
    /* Warp off: nothing borrowed. */
    p.warp_enabled = false;
    CU_ASSERT_EQUAL(sched_bvt_set(v0, &p), 0);
    CU_ASSERT_FALSE(v0->sched.warped);
}

/*
 * A vCPU that wakes beside a lone CPU hog runs within C of its event, even
 * without a warp: the hog's slice (long, while it ran alone) is cut back to
 * BVT's bound on the wake. Found by the hostile "loop" scenario: the sleeper
 * used to wait out the hog's whole SCHED_MAX_SLICE_NS.
 */
static void test_bvt_wake_beside_lone_hog(void)
{
    struct evtchn_bind_virq b = { .virq = VIRQ_TIMER, .vcpu = 0 };
    struct vcpu *v0;
    uint64_t woke = 1000000, dispatched = 0;

    boot_domains(1, NULL);
    v0 = current;
    CU_ASSERT_EQUAL(evtchn_op(EVTCHNOP_bind_virq, &b, sizeof(b)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_timer_op, (uint32_t)woke, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_block, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(current->domain->domain_id, 1);         /* the hog, alone */
    while ( fake_now_ns < woke + SCHED_MAX_SLICE_NS && !dispatched )
    {
        run_until(fake_now_ns + 1);
        if ( current == v0 )
            dispatched = fake_now_ns;
    }
    CU_ASSERT(dispatched >= woke);
    CU_ASSERT(dispatched <= woke + SCHED_BVT_CTX_ALLOW_NS);
    if ( dispatched < woke || dispatched > woke + SCHED_BVT_CTX_ALLOW_NS )
        fprintf(stderr, "\n  woke at %llu, dispatched at %llu (C = %llu)\n",
                (unsigned long long)woke, (unsigned long long)dispatched,
                (unsigned long long)SCHED_BVT_CTX_ALLOW_NS);
}

static void test_rr_rotation(void)
{
    unsigned int order[6];

    boot_domains(2, "dom0_mem=4M sched=rr");
    CU_ASSERT_STRING_EQUAL(sched_policy_name(), "rr");
    for ( unsigned int i = 0; i < 6; i++ )
    {
        order[i] = current->domain->domain_id;
        run_until(fake_now_ns + 1);
    }
    for ( unsigned int i = 0; i < 6; i++ )
        CU_ASSERT_EQUAL(order[i], i % 3);
    /* A yield moves on too. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(current->domain->domain_id, 1);
}

static void test_block_poll(void)
{
    struct evtchn_bind_virq b = { .virq = VIRQ_TIMER, .vcpu = 0 };
    struct sched_poll p;
    uint32_t port;
    struct vcpu *v0;

    boot_domains(1, NULL);
    v0 = current;
    CU_ASSERT_EQUAL(evtchn_op(EVTCHNOP_bind_virq, &b, sizeof(b)), 0);
    port = b.port;

    /* poll: too many ports, a bad port, a bad list: refused, nothing blocks. */
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG + 64, &port, sizeof(port)), 0);
    p = (struct sched_poll){ .ports = ARG + 64, .nr_ports = 129 };
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &p, sizeof(p)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_poll, ARG, 0, 0, 0), -EINVAL);
    p = (struct sched_poll){ .ports = 0xf0000000u, .nr_ports = 1 };
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &p, sizeof(p)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_poll, ARG, 0, 0, 0), -EFAULT);
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG + 64, &(uint32_t){ 4096 }, 4), 0);
    p = (struct sched_poll){ .ports = ARG + 64, .nr_ports = 1 };
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &p, sizeof(p)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_poll, ARG, 0, 0, 0), -EINVAL);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_poll, 0xf0000000u, 0, 0, 0), -EFAULT);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, 77, 0, 0, 0, 0), -ENOSYS);
    CU_ASSERT_FALSE(v0->sched.blocked);
    CU_ASSERT_EQUAL(current, v0);

    /* poll on the timer port with its alarm 2 ms ahead: blocks, domain 1 runs,
     * the alarm wakes domain 0, which preempts (it slept: it has the lower A). */
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG + 64, &port, sizeof(port)), 0);
    p = (struct sched_poll){ .ports = ARG + 64, .nr_ports = 1 };
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &p, sizeof(p)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_timer_op, 2000000, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_poll, ARG, 0, 0, 0), 0);
    CU_ASSERT(v0->sched.blocked);
    CU_ASSERT_EQUAL(current->domain->domain_id, 1);
    run_until(2000000);
    CU_ASSERT_FALSE(v0->sched.blocked);
    CU_ASSERT(pending(0, port));

    /* block: an upcall already pending means no sleep (and unmasks). */
    v0->vcpu_info->evtchn_upcall_pending = 1;
    fixture_become(v0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_block, 0, 0, 0, 0), 0);
    CU_ASSERT_FALSE(v0->sched.blocked);
    CU_ASSERT_EQUAL(v0->vcpu_info->evtchn_upcall_mask, 0);
}

/* Every vCPU blocked, nothing armed but one timer: the CPU idles until it. */
static void test_idle_until_timer(void)
{
    struct evtchn_bind_virq b = { .virq = VIRQ_TIMER, .vcpu = 0 };

    boot_domains(0, NULL);
    CU_ASSERT_EQUAL(evtchn_op(EVTCHNOP_bind_virq, &b, sizeof(b)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_timer_op, 7000000, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_block, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(fake_now_ns, 7000000);          /* time jumped to the alarm */
    CU_ASSERT_FALSE(current->sched.blocked);
    CU_ASSERT(pending(0, b.port));
    CU_ASSERT_EQUAL(current->sched.runstate_ns[RUNSTATE_blocked], 7000000);
}

void unit_register_events(void)
{
    CU_pSuite s = CU_add_suite("events, time, scheduler", NULL, NULL);

    CU_add_test(s, "evtchn: interdomain bind, send, merge, close", test_evtchn_interdomain);
    CU_add_test(s, "evtchn: bad ports, other domains, unknown ops change nothing", test_evtchn_bad_input);
    CU_add_test(s, "evtchn: VIRQ, IPI, masked port, unmask", test_evtchn_virq_ipi_mask);
    CU_add_test(s, "evtchn: ports run out with -ENOSPC", test_evtchn_ports_run_out);
    CU_add_test(s, "domain exit returns every frame, VIRQ_DOM_EXC", test_domain_exit_returns_frames);
    CU_add_test(s, "a vCPU the machine cannot run: its domain dies alone", test_vcpu_unrunnable);
    CU_add_test(s, "a domain killed on the way out never runs again", test_killed_on_exit_never_runs);
    CU_add_test(s, "evtchn: per-vCPU and per-domain VIRQs bound by any domain", test_evtchn_domu_virqs);
    CU_add_test(s, "console: other domains' output is labelled and printable only",
                test_console_filters_domains);
    CU_add_test(s, "time: TSC scale for many rates", test_time_scale);
    CU_add_test(s, "time: vcpu_time_info and the wall clock", test_time_info_and_wallclock);
    CU_add_test(s, "time: set_timer_op now, past, far future, cancel", test_set_timer_op);
    CU_add_test(s, "time: vcpu_op runstate, singleshot, virtual alarm", test_vcpu_op);
    CU_add_test(s, "sched: BVT parameters checked, weight 0 refused", test_bvt_params);
    CU_add_test(s, "sched: BVT weights 1:2:4 share the CPU 1/7, 2/7, 4/7", test_bvt_shares);
    CU_add_test(s, "sched: BVT warp, warp limit, unwarp time", test_bvt_warp);
    CU_add_test(s, "sched: BVT wake beside a lone hog runs within C", test_bvt_wake_beside_lone_hog);
    CU_add_test(s, "domain exit wakes a blocked initial domain", test_domain_exit_wakes_blocked_dom0);
    CU_add_test(s, "sched: round robin rotates", test_rr_rotation);
    CU_add_test(s, "sched: poll and block", test_block_poll);
    CU_add_test(s, "sched: idle jumps to the next timer", test_idle_until_timer);
}
