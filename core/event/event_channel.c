/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * event_channel.c - event channels, the 2-level ABI (§3.1 of the Xen paper).
 *
 * A port is a slot in a domain's table. Sending on it sets its bit in the
 * domain's shared_info evtchn_pending; unless the port is masked, the bit of
 * its word in the vCPU's evtchn_pending_sel and evtchn_upcall_pending are set
 * too, and a blocked vCPU wakes. On the way back to the guest, a vCPU with
 * upcall_pending and upcall_mask clear is bounced into its event callback
 * (entered with upcalls masked). A vCPU that masks upcalls is never
 * interrupted: it finds the bits when it looks, and if it unmasks by itself it
 * makes a hypercall to have them delivered - the "held off" callbacks.
 *
 * Bits are only ever set here and cleared by the guest (or by close): a send
 * on a port already pending changes nothing, so events merge but never
 * multiply.
 */
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/fault.h>
#include <pvx/frame.h>
#include <pvx/event.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>
#include <pvx/sched.h>
#include <pvx/traps.h>
#include <public/event_channel.h>
#include <public/vcpu.h>
#include <public/pvx.h>
#include <public/xen.h>

/* Port 0 is never handed out: guests use it as "no port", as on Xen. */
#define ECS_RESERVED 0xff


/* Whom a VIRQ is about, as Xen classes them: a vCPU, a domain, or the
 * machine (bindable only by the domain that handles it: the initial one). */
enum virq_type { VIRQ_GLOBAL, VIRQ_DOMAIN, VIRQ_VCPU };

static enum virq_type virq_type(unsigned int virq)
{
    switch ( virq )
    {
    case VIRQ_TIMER:
    case VIRQ_DEBUG:
    case VIRQ_XENOPROF:
    case VIRQ_XENPMU:
        return VIRQ_VCPU;
    case VIRQ_ARGO:
    case VIRQ_PVX_BLKIF:
    case VIRQ_PVX_NETIF:
        return VIRQ_DOMAIN;
    default:
        return VIRQ_GLOBAL;
    }
}

void evtchn_domain_init(struct domain *d)
{
    memset(d->evtchn, 0, sizeof(d->evtchn));
    for ( unsigned int i = 0; i < MAX_VIRT_CPUS; i++ )
        memset(d->vcpu[i].virq_port, 0, sizeof(d->vcpu[i].virq_port));
    d->evtchn[0].state = ECS_RESERVED;
}

static struct evtchn *evtchn_of(struct domain *d, uint32_t port)
{
    if ( port >= EVTCHN_MAX_PORTS )
        return NULL;
    return &d->evtchn[port];
}

/* The domain a guest names: itself (DOMID_SELF or its id), or any domain for
 * the privileged one. */
static int evtchn_target(struct vcpu *v, domid_t dom, struct domain **out)
{
    struct domain *d;

    if ( dom == DOMID_SELF || dom == v->domain->domain_id )
    {
        *out = v->domain;
        return 0;
    }
    if ( !v->domain->is_privileged )
        return -EPERM;
    d = domain_lookup(dom);
    if ( !d )
        return -ESRCH;
    *out = d;
    return 0;
}

static int evtchn_get_free_port(const struct domain *d)
{
    for ( unsigned int p = 1; p < EVTCHN_MAX_PORTS; p++ )
        if ( d->evtchn[p].state == EVTCHNSTAT_closed )
            return (int)p;
    return -ENOSPC;
}

static inline bool bit_test(const uint32_t *words, unsigned int bit)
{
    return (words[bit / 32] >> (bit % 32)) & 1;
}

/* Set a bit; true if it was set already. */
static inline bool bit_test_and_set(uint32_t *words, unsigned int bit)
{
    bool was = bit_test(words, bit);

    words[bit / 32] |= 1u << (bit % 32);
    return was;
}

static inline void bit_clear(uint32_t *words, unsigned int bit)
{
    words[bit / 32] &= ~(1u << (bit % 32));
}

bool evtchn_is_pending(const struct domain *d, uint32_t port)
{
    if ( port >= EVTCHN_MAX_PORTS || !d->shared_info )
        return false;
    return bit_test(d->shared_info->evtchn_pending, port);
}

bool evtchn_upcall_deliverable(const struct vcpu *v)
{
    return v->vcpu_info->evtchn_upcall_pending && !v->vcpu_info->evtchn_upcall_mask;
}

/* The upcall of v is pending: a blocked or polling vCPU wakes. */
static void evtchn_mark_upcall(struct vcpu *v)
{
    v->vcpu_info->evtchn_upcall_pending = 1;
    if ( v->sched.blocked && !v->sched.polling )
        sched_wake(v);
}

void evtchn_set_pending(struct domain *d, unsigned int port)
{
    struct shared_info *si = d->shared_info;
    struct evtchn *chn = evtchn_of(d, port);
    struct vcpu *v;

    if ( !chn || !si )
        return;
    v = &d->vcpu[chn->notify_vcpu];
    if ( bit_test_and_set(si->evtchn_pending, port) )
        return;                         /* already pending: events merge */
    /* A poller waits for its ports whatever their mask says. */
    if ( v->sched.blocked && v->sched.polling &&
         (v->sched.poll_port < 0 || v->sched.poll_port == (int32_t)port) )
        sched_wake(v);
    if ( bit_test(si->evtchn_mask, port) )
        return;
    if ( bit_test_and_set(&v->vcpu_info->evtchn_pending_sel, port / 32) )
        return;
    evtchn_mark_upcall(v);
}

void evtchn_send_virq(struct vcpu *v, unsigned int virq)
{
    uint16_t port = v->virq_port[virq];

    if ( port )
        evtchn_set_pending(v->domain, port);
}

/* Global VIRQs go to whoever bound them; only the initial domain may. */
void evtchn_send_global_virq(unsigned int virq)
{
    struct domain *d = domain_lookup(0);

    if ( d && d->state == DOMAIN_RUNNING && d->vcpu[0].virq_port[virq] )
        evtchn_set_pending(d, d->vcpu[0].virq_port[virq]);
}

void evtchn_check_upcall(struct vcpu *v)
{
    if ( !evtchn_upcall_deliverable(v) || !v->event_callback_cs )
        return;
    if ( v->domain->state != DOMAIN_RUNNING )
        return;
    if ( traps_bounce(v, v->event_callback_cs, v->event_callback_eip, false, 0, true) )
        domain_crash(v->domain, "cannot write the event callback frame (esp %#x)", vcpu_regs(v)->esp);
}

/* ------------------------------------------------------------------------
 * The operations: each decodes and checks everything, then changes state.
 */

static long evtchn_alloc_unbound(struct vcpu *v, struct evtchn_alloc_unbound *a)
{
    struct domain *d;
    domid_t remote = a->remote_dom;
    int rc, port;

    rc = evtchn_target(v, a->dom, &d);
    if ( rc )
        return rc;
    if ( remote == DOMID_SELF )
        remote = v->domain->domain_id;
    port = evtchn_get_free_port(d);
    if ( port < 0 )
        return port;

    d->evtchn[port] = (struct evtchn){
        .state = EVTCHNSTAT_unbound, .remote_dom = remote,
    };
    a->port = (evtchn_port_t)port;
    return 0;
}

static long evtchn_bind_interdomain(struct vcpu *v, struct evtchn_bind_interdomain *b)
{
    struct domain *ld = v->domain, *rd;
    struct evtchn *rchn;
    domid_t rdom = b->remote_dom;
    int lport;

    if ( rdom == DOMID_SELF )
        rdom = ld->domain_id;
    rd = domain_lookup(rdom);
    if ( !rd || rd->state != DOMAIN_RUNNING )
        return -ESRCH;
    rchn = evtchn_of(rd, b->remote_port);
    if ( !rchn )
        return -EINVAL;
    if ( rchn->state != EVTCHNSTAT_unbound || rchn->remote_dom != ld->domain_id )
        return -EINVAL;
    lport = evtchn_get_free_port(ld);
    if ( lport < 0 )
        return lport;

    ld->evtchn[lport] = (struct evtchn){
        .state = EVTCHNSTAT_interdomain, .remote_dom = rd->domain_id,
        .remote_port = (uint16_t)b->remote_port,
    };
    rchn->state = EVTCHNSTAT_interdomain;
    rchn->remote_dom = ld->domain_id;
    rchn->remote_port = (uint16_t)lport;
    b->local_port = (evtchn_port_t)lport;
    /* A send on the unbound port was dropped: notify once, conservatively. */
    evtchn_set_pending(ld, (unsigned int)lport);
    return 0;
}

static long evtchn_bind_virq(struct vcpu *v, struct evtchn_bind_virq *b)
{
    struct domain *d = v->domain;
    int port;

    /* In Xen's order: what the VIRQ is, then whose, then who may. */
    if ( b->virq >= NR_VIRQS )
        return -EINVAL;
    if ( virq_type(b->virq) != VIRQ_VCPU && b->vcpu != 0 )
        return -EINVAL;
    if ( b->vcpu >= d->nr_vcpus )
        return -ENOENT;
    if ( virq_type(b->virq) == VIRQ_GLOBAL && !d->is_privileged )
        return -EBUSY;                  /* the initial domain handles global VIRQs */
    if ( d->vcpu[b->vcpu].virq_port[b->virq] )
        return -EEXIST;
    port = evtchn_get_free_port(d);
    if ( port < 0 )
        return port;

    d->evtchn[port] = (struct evtchn){
        .state = EVTCHNSTAT_virq, .notify_vcpu = (uint8_t)b->vcpu,
        .remote_port = (uint16_t)b->virq,
    };
    d->vcpu[b->vcpu].virq_port[b->virq] = (uint16_t)port;
    b->port = (evtchn_port_t)port;
    return 0;
}

static long evtchn_bind_ipi(struct vcpu *v, struct evtchn_bind_ipi *b)
{
    struct domain *d = v->domain;
    int port;

    if ( b->vcpu >= d->nr_vcpus )
        return -ENOENT;
    port = evtchn_get_free_port(d);
    if ( port < 0 )
        return port;

    d->evtchn[port] = (struct evtchn){
        .state = EVTCHNSTAT_ipi, .notify_vcpu = (uint8_t)b->vcpu,
    };
    b->port = (evtchn_port_t)port;
    return 0;
}

/* Free a port; an interdomain peer's end becomes unbound (it may rebind). */
static void evtchn_free(struct domain *d, unsigned int port)
{
    struct evtchn *chn = evtchn_of(d, port);

    switch ( chn->state )
    {
    case EVTCHNSTAT_virq:
        d->vcpu[chn->notify_vcpu].virq_port[chn->remote_port] = 0;
        break;
    case EVTCHNSTAT_interdomain:
    {
        struct domain *rd = domain_lookup(chn->remote_dom);
        struct evtchn *rchn = rd ? evtchn_of(rd, chn->remote_port) : NULL;

        ASSERT(rchn && rchn->state == EVTCHNSTAT_interdomain);
        rchn->state = EVTCHNSTAT_unbound;
        rchn->remote_dom = d->domain_id;
        rchn->remote_port = 0;
        break;
    }
    default:
        break;
    }
    *chn = (struct evtchn){ .state = EVTCHNSTAT_closed };
    if ( d->shared_info )
        bit_clear(d->shared_info->evtchn_pending, port);
}

static long evtchn_close(struct vcpu *v, const struct evtchn_close *c)
{
    struct evtchn *chn = evtchn_of(v->domain, c->port);

    if ( !chn || chn->state == EVTCHNSTAT_closed || chn->state == ECS_RESERVED )
        return -EINVAL;
    evtchn_free(v->domain, c->port);
    return 0;
}

void evtchn_domain_destroy(struct domain *d)
{
    for ( unsigned int p = 1; p < EVTCHN_MAX_PORTS; p++ )
        if ( d->evtchn[p].state != EVTCHNSTAT_closed )
            evtchn_free(d, p);
    /* Ports of others still waiting for this domain to bind stay unbound:
     * a new domain with this id may bind them, as on Xen. */
}

static long evtchn_send(struct vcpu *v, const struct evtchn_send *s)
{
    struct evtchn *chn = evtchn_of(v->domain, s->port);

    if ( fault_hit(&fault_evtchn_send) )
        return -ENOMEM;
    if ( !chn )
        return -EINVAL;
    switch ( chn->state )
    {
    case EVTCHNSTAT_interdomain:
        evtchn_set_pending(domain_lookup(chn->remote_dom), chn->remote_port);
        return 0;
    case EVTCHNSTAT_ipi:
        evtchn_set_pending(v->domain, s->port);
        return 0;
    case EVTCHNSTAT_unbound:
        return 0;                       /* nobody listens yet: dropped, as on Xen */
    default:
        return -EINVAL;                 /* closed, reserved, virq */
    }
}

static long evtchn_status(struct vcpu *v, struct evtchn_status *st)
{
    struct domain *d;
    struct evtchn *chn;
    int rc;

    rc = evtchn_target(v, st->dom, &d);
    if ( rc )
        return rc;
    chn = evtchn_of(d, st->port);
    if ( !chn )
        return -EINVAL;

    memset(&st->u, 0, sizeof(st->u));
    st->vcpu = chn->notify_vcpu;
    switch ( chn->state )
    {
    case EVTCHNSTAT_unbound:
        st->status = EVTCHNSTAT_unbound;
        st->u.unbound.dom = chn->remote_dom;
        break;
    case EVTCHNSTAT_interdomain:
        st->status = EVTCHNSTAT_interdomain;
        st->u.interdomain.dom = chn->remote_dom;
        st->u.interdomain.port = chn->remote_port;
        break;
    case EVTCHNSTAT_virq:
        st->status = EVTCHNSTAT_virq;
        st->u.virq = chn->remote_port;
        break;
    case EVTCHNSTAT_ipi:
        st->status = EVTCHNSTAT_ipi;
        break;
    default:
        st->status = EVTCHNSTAT_closed; /* closed and reserved look alike */
        break;
    }
    return 0;
}

static long evtchn_unmask(struct vcpu *v, const struct evtchn_unmask *u)
{
    struct domain *d = v->domain;
    struct shared_info *si = d->shared_info;
    struct evtchn *chn = evtchn_of(d, u->port);
    struct vcpu *nv;

    if ( !chn )
        return -EINVAL;
    nv = &d->vcpu[chn->notify_vcpu];
    bit_clear(si->evtchn_mask, u->port);
    /* Pending while masked: now it raises the upcall it was held from. */
    if ( bit_test(si->evtchn_pending, u->port) &&
         !bit_test_and_set(&nv->vcpu_info->evtchn_pending_sel, u->port / 32) )
        evtchn_mark_upcall(nv);
    return 0;
}

/*
 * EVTCHNOP_init_control: the FIFO ABI's first step, with Xen's checks in
 * Xen's order (a vCPU that exists, a control block inside its page and
 * 8-byte aligned, a frame of the domain's). pvx has the 2-level ABI only: a
 * request that passes every check is -EOPNOTSUPP, and the guest goes on with
 * 2-level event channels, as Linux does on a hypervisor without FIFO.
 */
#define EVTCHN_FIFO_CONTROL_BLOCK_SIZE 72   /* ready, a reserved word, 16 queue heads */

static long evtchn_init_control(struct vcpu *v, struct evtchn_init_control *c)
{
    struct domain *d = v->domain;
    mfn_t mfn = (mfn_t)c->control_gfn;
    const struct frame *f;

    if ( c->vcpu >= d->nr_vcpus )
        return -ENOENT;
    if ( c->offset > PAGE_SIZE - EVTCHN_FIFO_CONTROL_BLOCK_SIZE || (c->offset & 7) )
        return -EINVAL;
    f = frame_of(mfn);
    if ( c->control_gfn != mfn || !f || f->owner != d->domain_id )
        return -EINVAL;
    return -EOPNOTSUPP;
}

/* Copy the argument in, run op, copy it back when it has outputs. The
 * copy back is checked before the op runs: a port bound and then reported
 * as -EFAULT would be a port the guest never learns of. */
#define EVTCHN_OP(type, fn, out)                                        \
    do {                                                                \
        struct type a_;                                                 \
        if ( copy_from_guest(v, &a_, arg, sizeof(a_)) )                 \
            return -EFAULT;                                             \
        if ( (out) && guest_probe(v, arg, sizeof(a_), true) )           \
            return -EFAULT;                                             \
        rc = fn(v, &a_);                                                \
        if ( rc == 0 && (out) )                                         \
            copy_to_guest_probed(v, arg, &a_, sizeof(a_));              \
    } while ( 0 )

long do_event_channel_op(struct vcpu *v, uint32_t cmd, uint32_t arg, uint32_t a3 __unused,
                         uint32_t a4 __unused, uint32_t a5 __unused)
{
    long rc;

    switch ( cmd )
    {
    case EVTCHNOP_alloc_unbound:
        EVTCHN_OP(evtchn_alloc_unbound, evtchn_alloc_unbound, true);
        break;
    case EVTCHNOP_bind_interdomain:
        EVTCHN_OP(evtchn_bind_interdomain, evtchn_bind_interdomain, true);
        break;
    case EVTCHNOP_bind_virq:
        EVTCHN_OP(evtchn_bind_virq, evtchn_bind_virq, true);
        break;
    case EVTCHNOP_bind_ipi:
        EVTCHN_OP(evtchn_bind_ipi, evtchn_bind_ipi, true);
        break;
    case EVTCHNOP_close:
        EVTCHN_OP(evtchn_close, evtchn_close, false);
        break;
    case EVTCHNOP_send:
        EVTCHN_OP(evtchn_send, evtchn_send, false);
        break;
    case EVTCHNOP_status:
        EVTCHN_OP(evtchn_status, evtchn_status, true);
        break;
    case EVTCHNOP_unmask:
        EVTCHN_OP(evtchn_unmask, evtchn_unmask, false);
        break;
    case EVTCHNOP_bind_pirq:
        rc = -EPERM;                    /* no physical IRQs reach guests */
        break;
    case EVTCHNOP_init_control:
        EVTCHN_OP(evtchn_init_control, evtchn_init_control, false);
        break;
    case EVTCHNOP_expand_array:
    case EVTCHNOP_set_priority:
        rc = -EOPNOTSUPP;               /* as Xen's before init_control succeeded */
        break;
    default:
        rc = -ENOSYS;                   /* bind_vcpu, reset: not yet */
        break;
    }
    return rc;
}

/* The old form (hypercall 16): one struct evtchn_op with the command inside. */
long do_event_channel_op_compat(struct vcpu *v, uint32_t arg, uint32_t a2 __unused,
                                uint32_t a3 __unused, uint32_t a4 __unused,
                                uint32_t a5 __unused)
{
    uint32_t cmd;

    if ( copy_from_guest(v, &cmd, arg, sizeof(cmd)) )
        return -EFAULT;
    return do_event_channel_op(v, cmd, arg + 4, 0, 0, 0);
}
