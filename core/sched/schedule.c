/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * schedule.c - which vCPU runs: the mechanism shared by every policy, and
 * sched_op (§3.3.2 of the Xen paper).
 *
 * A vCPU is runnable while its domain runs and it does not wait for an event
 * (SCHEDOP_block, SCHEDOP_poll). The policy (struct sched_ops: BVT or round
 * robin) picks among the runnable ones and says how long the pick may run;
 * the machine's one-shot timer is armed for the end of that slice, so a guest
 * that never yields is preempted all the same. Nothing runnable: the CPU idles
 * (hlt on hardware, a jump to the next deadline in the simulator) until a
 * timer wakes someone.
 *
 * Switching happens on the way out of the hypervisor only (sched_after_entry,
 * called on every exit path): a hypercall handler never switches under its
 * own feet, it asks with sched_raise(). The same exit path delivers pending
 * events to whichever vCPU is about to run.
 *
 * A domain that stopped (shutdown, crash) leaves the rotation at once and
 * joins the list of the dying; when it is no longer the current one it is
 * destroyed (every frame returned). The initial domain got VIRQ_DOM_EXC when
 * it stopped. Nothing here scans every vCPU: the policy keeps a runqueue,
 * time.c a queue of deadlines, and reaping looks at the dying alone.
 */
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/event.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/io.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/sched.h>
#include <pvx/time.h>
#include <pvx/trace.h>
#include <pvx/traps.h>
#include <pvx/machine.h>
#include <public/pvx.h>
#include <public/sched.h>
#include <public/vcpu.h>

/* The mechanism's state: machine.sched (machine.h), owned here. */
#define SCHED (machine.sched)

/* Xen refuses to poll more ports than this at once. */
#define SCHED_POLL_MAX_PORTS 128


bool sched_select(const char *name)
{
    /* A policy's runqueue starts empty: choose before the first vCPU. */
    ASSERT(SCHED.nr_vcpus == 0);
    if ( strcmp(name, "bvt") == 0 )
        SCHED.ops = &sched_bvt_ops;
    else if ( strcmp(name, "rr") == 0 )
        SCHED.ops = &sched_rr_ops;
    else
        return false;
    SCHED.ops->init();
    return true;
}

const char *sched_policy_name(void)
{
    return SCHED.ops->name;
}

void sched_init(void)
{
    current = NULL;
    SCHED.running = NULL;
    SCHED.nr_vcpus = 0;
    SCHED.slice_end = 0;
    SCHED.need_resched = false;
    SCHED.resched_reason = NULL;
    SCHED.in_schedule = false;
    SCHED.nr_dying = 0;
    SCHED.ops = &sched_bvt_ops;
    SCHED.ops->init();
}

struct vcpu *const *sched_vcpus(unsigned int *n)
{
    *n = SCHED.nr_vcpus;
    return SCHED.vcpus;
}

int sched_check(void)
{
    int rc;

    for ( unsigned int i = 0; i < SCHED.nr_vcpus; i++ )
        if ( SCHED.vcpus[i]->sched.slot != i || !SCHED.vcpus[i]->sched.registered )
            return -20;
    for ( unsigned int i = 0; i < SCHED.nr_dying; i++ )
        if ( SCHED.dying[i]->state == DOMAIN_RUNNING )
            return -21;
    rc = SCHED.ops->check();
    if ( !rc )
        rc = time_check();
    return rc;
}

static void sched_set_runstate(struct vcpu *v, int state, uint64_t now)
{
    if ( now > v->sched.runstate_entry_ns )
        v->sched.runstate_ns[v->sched.runstate] += now - v->sched.runstate_entry_ns;
    v->sched.runstate_entry_ns = now;
    v->sched.runstate = state;
}

static bool sched_runnable(const struct vcpu *v)
{
    return v->sched.registered && !v->sched.blocked && !v->sched.down &&
           v->domain->state == DOMAIN_RUNNING;
}

void sched_add_vcpu(struct vcpu *v)
{
    uint64_t now = arch_now_ns();

    ASSERT(!v->sched.registered && SCHED.nr_vcpus < ARRAY_SIZE(SCHED.vcpus));
    memset(&v->sched, 0, sizeof(v->sched));
    time_vcpu_reset(v);
    v->sched.registered = true;
    v->sched.poll_port = -1;
    v->sched.runstate = RUNSTATE_runnable;
    v->sched.runstate_entry_ns = now;
    v->sched.slot = SCHED.nr_vcpus;
    SCHED.vcpus[SCHED.nr_vcpus++] = v;
    SCHED.ops->add_vcpu(v);
}

void sched_remove_vcpu(struct vcpu *v)
{
    if ( !v->sched.registered )
        return;
    SCHED.ops->remove_vcpu(v);
    v->sched.registered = false;
    ASSERT(v->sched.slot < SCHED.nr_vcpus && SCHED.vcpus[v->sched.slot] == v);
    /* The last one fills the gap. */
    SCHED.vcpus[v->sched.slot] = SCHED.vcpus[--SCHED.nr_vcpus];
    SCHED.vcpus[v->sched.slot]->sched.slot = v->sched.slot;
    if ( SCHED.running == v )
        SCHED.running = NULL;
    time_vcpu_reset(v);
}

void sched_raise(void)
{
    SCHED.need_resched = true;
}

static void sched_raise_why(const char *why)
{
    SCHED.need_resched = true;
    if ( !SCHED.resched_reason )
        SCHED.resched_reason = why;
}

uint64_t sched_vtime(const struct vcpu *v, uint64_t now)
{
    uint64_t t = v->sched.run_ns;

    if ( v == SCHED.running && now > v->sched.dispatch_ns )
        t += now - v->sched.dispatch_ns;
    return t;
}

void sched_account(uint64_t now)
{
    struct vcpu *v = SCHED.running;
    uint64_t ran;

    if ( !v || now <= v->sched.dispatch_ns )
        return;
    ran = now - v->sched.dispatch_ns;
    v->sched.run_ns += ran;
    v->sched.dispatch_ns = now;
    sched_set_runstate(v, RUNSTATE_running, now);
    SCHED.ops->charge(v, ran, now);
    time_vcpu_ran(v);
}

/* v waited and may run now: into the runqueue, and preempt if it should. */
static void sched_make_runnable(struct vcpu *v)
{
    uint64_t now = arch_now_ns();

    sched_account(now);
    time_requeue(v);
    sched_set_runstate(v, RUNSTATE_runnable, now);
    if ( SCHED.ops->wake(v, SCHED.running, now) )
        sched_raise_why("wake");
    else if ( SCHED.running && SCHED.ops->slice_left )
    {
        uint64_t left = SCHED.ops->slice_left(SCHED.running, now);

        if ( left == 0 )
            sched_raise_why("wake");
        else if ( !SCHED.slice_end || now + left < SCHED.slice_end )
            SCHED.slice_end = now + left;
    }
}

void sched_wake(struct vcpu *v)
{
    if ( !v->sched.registered || !v->sched.blocked || v->domain->state != DOMAIN_RUNNING )
        return;
    v->sched.blocked = false;
    v->sched.polling = false;
    v->sched.poll_port = -1;
    v->sched.poll_timeout = 0;
    /* Down: the event is taken, the vCPU runs when it is up again. */
    if ( !v->sched.down )
        sched_make_runnable(v);
}

void sched_vcpu_up(struct vcpu *v)
{
    if ( !v->sched.registered )
    {
        sched_add_vcpu(v);
        sched_raise_why("wake");
        return;
    }
    if ( !v->sched.down )
        return;
    v->sched.down = false;
    if ( !v->sched.blocked && v->domain->state == DOMAIN_RUNNING )
        sched_make_runnable(v);
}

void sched_vcpu_down(struct vcpu *v)
{
    if ( !v->sched.registered || v->sched.down )
        return;
    v->sched.down = true;
    if ( !v->sched.blocked )
    {
        SCHED.ops->sleep(v);            /* leaves the runqueue */
        time_requeue(v);
    }
    /* The running one goes offline when it is switched away from. */
    if ( v != SCHED.running )
        sched_set_runstate(v, RUNSTATE_offline, arch_now_ns());
    sched_raise_why("down");
}

void sched_timer_tick(uint64_t now)
{
    if ( SCHED.running && SCHED.slice_end && now >= SCHED.slice_end )
        sched_raise_why("preempt");
}

uint64_t sched_next_deadline(void)
{
    return SCHED.running ? SCHED.slice_end : 0;
}

void sched_switch_to(struct vcpu *v)
{
    if ( current == v )
        return;
    if ( current != v )
        arch_load_cr3(mm_vcpu_pdpt(v));
    current = v;
    traps_load_vcpu(v);
}

/* A stopped domain leaves the list of the dying and gives everything back. */
static void sched_destroy(struct domain *d)
{
    unsigned int before = frame_free_count();

    ASSERT(d != current->domain);
    for ( unsigned int k = 0; k < d->nr_vcpus; k++ )
        sched_remove_vcpu(&d->vcpu[k]);
    evtchn_domain_destroy(d);
    io_domain_destroy(d);               /* its VBDs; the disk keeps what is in flight */
    domain_destroy(d);
    printk("domain %u destroyed: %u frames returned, %u free",
           d->domain_id, frame_free_count() - before, frame_free_count());
}

/* Domains that stopped: destroyed once not current. */
static void sched_reap(void)
{
    unsigned int kept = 0;

    for ( unsigned int i = 0; i < SCHED.nr_dying; i++ )
    {
        struct domain *d = SCHED.dying[i];

        if ( current && d == current->domain )
            SCHED.dying[kept++] = d;
        else
            sched_destroy(d);
    }
    SCHED.nr_dying = kept;
}

/*
 * Destroy a stopped domain now rather than on the way out (a toolstack's
 * destroydomain). The list of the dying stays the only way to destruction,
 * so a domain is destroyed exactly once. The running vCPU's own domain is
 * left to the exit path. Returns whether it was destroyed.
 */
bool sched_reap_domain(struct domain *d)
{
    ASSERT(d->state != DOMAIN_RUNNING);
    if ( current && d == current->domain )
        return false;
    for ( unsigned int i = 0; i < SCHED.nr_dying; i++ )
    {
        if ( SCHED.dying[i] != d )
            continue;
        /* Keep the order in which the others stopped. */
        for ( unsigned int k = i; k + 1 < SCHED.nr_dying; k++ )
            SCHED.dying[k] = SCHED.dying[k + 1];
        SCHED.nr_dying--;
        sched_destroy(d);
        return true;
    }
    return false;
}

void schedule(void)
{
    struct vcpu *prev = current, *next;
    const char *why = SCHED.resched_reason;
    uint64_t now = arch_now_ns(), slice = 0;
    bool yielded = why && strcmp(why, "yield") == 0;

    /* schedule() from an idle timer would nest: the loop below picks. */
    if ( SCHED.in_schedule )
        return;
    SCHED.in_schedule = true;
    sched_account(now);
    if ( prev && prev == SCHED.running && prev->sched.registered )
        sched_set_runstate(prev, prev->sched.down ? RUNSTATE_offline :
                                 sched_runnable(prev) ? RUNSTATE_runnable : RUNSTATE_blocked, now);
    SCHED.need_resched = false;
    SCHED.resched_reason = NULL;

    for ( ;; )
    {
        next = SCHED.ops->pick_next(yielded ? prev : NULL, now, &slice);
        if ( next )
            break;
        /* Nothing to run: wait for a timer to wake someone. */
        SCHED.running = NULL;
        SCHED.slice_end = 0;
        time_rearm();
        arch_idle();
        now = arch_now_ns();
        why = "wake";
        yielded = false;
    }
    slice = MAX(slice, SCHED_MIN_SLICE_NS);
    slice = MIN(slice, SCHED_MAX_SLICE_NS);
    SCHED.slice_end = now + slice;
    SCHED.running = next;
    next->sched.dispatch_ns = now;
    SCHED.ops->dispatch(next);
    sched_set_runstate(next, RUNSTATE_running, now);
    if ( next != prev || why )
    {
        next->domain->dispatches++;
        trace_dispatch(now, 0, next->domain->domain_id, next->id,
                       next == prev ? "continue" : !prev ? "start" :
                       prev->domain->state != DOMAIN_RUNNING ? "exit" :
                       prev->sched.blocked ? "block" : why ? why : "switch");
    }
    sched_switch_to(next);
    time_update_vcpu_info(next);
    sched_reap();
    time_rearm();
    SCHED.need_resched = false;
    SCHED.resched_reason = NULL;
    SCHED.in_schedule = false;
}

void sched_after_entry(void)
{
    /* Delivering the event callback can kill the domain just picked (its
     * frame cannot be written): a stopped domain must not run one more
     * instruction, so pick again until the choice survives delivery. */
    do
    {
        if ( SCHED.need_resched || !current || !sched_runnable(current) )
            schedule();
        evtchn_check_upcall(current);
    } while ( !sched_runnable(current) );
    BUG_ON(current->domain->state != DOMAIN_RUNNING);
    time_rearm();
}

/*
 * A domain stopped (shut down or crashed). The initial domain hears of it at
 * once, as on Xen: VIRQ_DOM_EXC is sent now, not when the domain is reaped -
 * else, with nothing else runnable, the CPU would idle before the reaping
 * that wakes the initial domain, and nothing would ever wake it.
 */
void sched_domain_stopped(struct domain *d)
{
    ASSERT(!d->is_privileged && d->state != DOMAIN_RUNNING);
    for ( unsigned int i = 0; i < d->nr_vcpus; i++ )
    {
        struct vcpu *v = &d->vcpu[i];

        if ( !v->sched.registered )
            continue;
        SCHED.ops->sleep(v);                  /* leaves the runqueue */
        time_requeue(v);                /* its alarms will not fire */
    }
    /* The toolstack's domains wait for its destroydomain (domain_kill). */
    if ( d->toolstack )
        goto out;
    /* Once: a domain that crashes after its shutdown stopped already. */
    for ( unsigned int i = 0; i < SCHED.nr_dying; i++ )
        if ( SCHED.dying[i] == d )
            goto out;
    ASSERT(SCHED.nr_dying < ARRAY_SIZE(SCHED.dying));
    SCHED.dying[SCHED.nr_dying++] = d;
 out:
    evtchn_send_global_virq(VIRQ_DOM_EXC);
    sched_raise_why("exit");
}

/* ------------------------------------------------------------------------
 * sched_op.
 */

/* SCHEDOP_block: enable event delivery and sleep until an event, atomically:
 * an event already pending means no sleep at all. */
static long sched_block(struct vcpu *v)
{
    v->vcpu_info->evtchn_upcall_mask = 0;
    if ( v->vcpu_info->evtchn_upcall_pending )
        return 0;
    v->sched.blocked = true;
    v->sched.polling = false;
    SCHED.ops->sleep(v);
    time_requeue(v);
    sched_raise_why("block");
    return 0;
}

static long sched_poll(struct vcpu *v, gva_t arg)
{
    struct sched_poll p;
    uint32_t port = 0;

    if ( copy_from_guest(v, &p, arg, sizeof(p)) )
        return -EFAULT;
    if ( p.nr_ports > SCHED_POLL_MAX_PORTS )
        return -EINVAL;
    /* Every port is checked before anything changes. */
    for ( uint32_t i = 0; i < p.nr_ports; i++ )
    {
        if ( copy_from_guest(v, &port, p.ports + i * 4, sizeof(port)) )
            return -EFAULT;
        if ( port >= EVTCHN_MAX_PORTS )
            return -EINVAL;
    }
    for ( uint32_t i = 0; i < p.nr_ports; i++ )
    {
        if ( copy_from_guest(v, &port, p.ports + i * 4, sizeof(port)) )
            return -EFAULT;
        if ( evtchn_is_pending(v->domain, port) )
            return 0;
    }
    if ( p.timeout && p.timeout <= arch_now_ns() )
        return 0;                       /* timed out already */

    v->sched.blocked = true;
    v->sched.polling = true;
    v->sched.poll_port = p.nr_ports == 1 ? (int32_t)port : -1;
    v->sched.poll_timeout = p.timeout;
    SCHED.ops->sleep(v);
    time_requeue(v);
    sched_raise_why("block");
    return 0;
}

long do_sched_op(struct vcpu *v, uint32_t cmd, uint32_t arg, uint32_t a3 __unused,
                 uint32_t a4 __unused, uint32_t a5 __unused)
{
    switch ( cmd )
    {
    case SCHEDOP_yield:
        sched_raise_why("yield");
        return 0;

    case SCHEDOP_block:
        return sched_block(v);

    case SCHEDOP_poll:
        return sched_poll(v, arg);

    case SCHEDOP_shutdown:
    {
        struct sched_shutdown s;

        if ( copy_from_guest(v, &s, arg, sizeof(s)) )
            return -EFAULT;
        /* Xen takes the reason modulo 256 and accepts any value. */
        domain_shutdown(v->domain, s.reason & 0xff);
        sched_raise_why("exit");
        return 0;
    }

    case SCHEDOP_remote_shutdown:
        return domain_remote_shutdown(v, arg);

    default:
        return -ENOSYS;
    }
}

/* BVT parameters, checked before any is changed. */
int sched_bvt_set(struct vcpu *v, const struct sched_bvt_params *p)
{
    if ( p->weight == 0 || p->weight > SCHED_BVT_MAX_WEIGHT )
        return -EINVAL;
    if ( p->warp_ns > SCHED_BVT_MAX_WARP_NS || p->warp_limit_ns > SCHED_BVT_MAX_WARP_NS ||
         p->unwarp_ns > SCHED_BVT_MAX_WARP_NS )
        return -EINVAL;
    v->sched.bvt = *p;
    if ( !p->warp_enabled )
        v->sched.warped = false;
    if ( SCHED.ops->adjust )
        SCHED.ops->adjust(v);                 /* E may have changed */
    sched_raise_why("adjust");
    return 0;
}
