/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * time.c - system time, the time guests see, and their timers (§3.3.1 of the
 * Xen paper: real time, virtual time and wall-clock time).
 *
 * Real time is system time: ns since boot (arch_now_ns: the calibrated TSC on
 * hardware, instructions executed in the simulator). Each vCPU's vcpu_info
 * carries a sample (tsc_timestamp, system_time) and the TSC scale, refreshed
 * whenever it is dispatched, so a guest computes the time itself from rdtsc:
 *     now = system_time + (((rdtsc - tsc_timestamp) << shift) * mul >> 32)
 * (a right shift for a negative shift). Virtual time is a domain's run time:
 * it advances only while it holds the CPU. Wall-clock time is the time of
 * day at system time 0, set by the initial domain (platform_op settime).
 *
 * The machine has one one-shot timer; time_rearm() programs it for the
 * earliest of: the end of the running slice, every real-time alarm, every
 * poll timeout and the running vCPU's virtual-time alarm. The alarms and poll
 * timeouts are kept in a heap by deadline (one entry per vCPU: the earlier of
 * its two), so rearming peeks at its least and a tick pops only what is due.
 * A virtual alarm advances only while its vCPU runs: it is looked at when the
 * vCPU is charged, and one found due fires at the next tick.
 */
#include <pvx/arch.h>
#include <pvx/console.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/fault.h>
#include <pvx/event.h>
#include <pvx/guest_access.h>
#include <pvx/heap.h>
#include <pvx/hypercall.h>
#include <pvx/io.h>
#include <pvx/lib.h>
#include <pvx/sched.h>
#include <pvx/time.h>
#include <pvx/machine.h>
#include <public/platform.h>
#include <public/pvx.h>
#include <public/vcpu.h>
#include <public/xen.h>

/* The TSC scale, what the machine timer holds (so an unchanged deadline costs
 * nothing), the wall clock at system time 0 (version odd while it changes),
 * the queue of vCPUs by deadline (equal deadlines: the lower index) and the
 * vCPUs whose virtual alarm was due when last charged: machine.time. */
#define TIMES (machine.time)


/* ------------------------------------------------------------------------
 * The queue of deadlines.
 */

static uint64_t earliest(uint64_t a, uint64_t b)
{
    if ( !a )
        return b;
    if ( !b )
        return a;
    return MIN(a, b);
}

static void time_queue_init(void)
{
    heap_init(&TIMES.timers, TIMES.timer_slot, TIMES.timer_pos, ARRAY_SIZE(TIMES.timer_pos));
    TIMES.nr_vtimer_due = 0;
}

/* When v is next due in system time: the earlier of its alarm and the
 * timeout of the poll it waits in; 0: never (a stopped domain's too). */
static uint64_t time_due(const struct vcpu *v)
{
    uint64_t due = 0;

    if ( v->sched.registered && v->domain->state == DOMAIN_RUNNING )
    {
        due = v->time.singleshot_ns;
        if ( v->sched.blocked && v->sched.polling )
            due = earliest(due, v->sched.poll_timeout);
    }
    return due;
}

void time_requeue(struct vcpu *v)
{
    unsigned int id = vcpu_index(v);
    uint64_t due = time_due(v);

    if ( !due )
    {
        if ( heap_queued(&TIMES.timers, id) )
            heap_remove(&TIMES.timers, id);
    }
    else if ( heap_queued(&TIMES.timers, id) )
        heap_update(&TIMES.timers, id, due, id);
    else
        heap_insert(&TIMES.timers, id, due, id);
}

int time_check(void)
{
    struct vcpu *const *all;
    unsigned int n, queued = 0;

    if ( heap_check(&TIMES.timers) )
        return -10;
    all = sched_vcpus(&n);
    for ( unsigned int i = 0; i < n; i++ )
    {
        unsigned int id = vcpu_index(all[i]);
        uint64_t due = time_due(all[i]);

        if ( heap_queued(&TIMES.timers, id) != (due != 0) ||
             (due && TIMES.timer_slot[TIMES.timer_pos[id]].key != due) )
            return -11;
        queued += due != 0;
        if ( all[i]->time.vtimer_listed )
        {
            unsigned int k = 0;

            while ( k < TIMES.nr_vtimer_due && TIMES.vtimer_due[k] != all[i] )
                k++;
            if ( k == TIMES.nr_vtimer_due )
                return -12;
        }
    }
    return queued == TIMES.timers.nr ? 0 : -13;
}

void time_vcpu_ran(struct vcpu *v)
{
    if ( v->time.vtimer_ns && v->time.vtimer_ns <= v->sched.run_ns && !v->time.vtimer_listed )
    {
        ASSERT(TIMES.nr_vtimer_due < ARRAY_SIZE(TIMES.vtimer_due));
        v->time.vtimer_listed = true;
        TIMES.vtimer_due[TIMES.nr_vtimer_due++] = v;
    }
}

void time_vcpu_reset(struct vcpu *v)
{
    v->time.singleshot_ns = 0;
    v->time.vtimer_ns = 0;
    if ( heap_queued(&TIMES.timers, vcpu_index(v)) )
        heap_remove(&TIMES.timers, vcpu_index(v));
    /* The list is short: it empties at every tick. */
    for ( unsigned int i = 0; v->time.vtimer_listed && i < TIMES.nr_vtimer_due; i++ )
        if ( TIMES.vtimer_due[i] == v )
        {
            TIMES.vtimer_due[i] = TIMES.vtimer_due[--TIMES.nr_vtimer_due];
            v->time.vtimer_listed = false;
        }
}

/* ------------------------------------------------------------------------
 * System time and what guests see of it.
 */

void time_tsc_scale(uint64_t tsc_hz, uint32_t *mul, int8_t *shift)
{
    uint64_t hz = tsc_hz;
    int s = 0;

    /* Bring the rate into (1e9, 2e9]; each halving is one more right shift
     * of the TSC delta, each doubling one more left shift. */
    while ( hz > 2000000000ull )
    {
        hz >>= 1;
        s--;
    }
    while ( hz <= 1000000000ull )
    {
        hz <<= 1;
        s++;
    }
    /* mul = 1e9 / hz as a 0.32 fraction: below 1, since hz > 1e9. */
    *mul = (uint32_t)((1000000000ull << 32) / hz);
    *shift = (int8_t)s;
}

uint64_t time_scale_delta(uint64_t delta, uint32_t mul, int8_t shift)
{
    uint64_t lo, hi;

    if ( shift < 0 )
        delta >>= -shift;
    else
        delta <<= shift;
    /* (delta * mul) >> 32 without a 128-bit product. */
    lo = (uint64_t)(uint32_t)delta * mul;
    hi = (delta >> 32) * mul;
    return hi + (lo >> 32);
}

void time_boot(void)
{
    uint64_t hz = arch_tsc_hz();

    BUG_ON(hz == 0);
    time_tsc_scale(hz, &TIMES.tsc_mul, &TIMES.tsc_shift);
    TIMES.wc_sec = 0;
    TIMES.wc_nsec = 0;
    TIMES.wc_version = 0;
    TIMES.armed_ns = 0;
    time_queue_init();
}

void time_update_vcpu_info(struct vcpu *v)
{
    struct vcpu_time_info *t = &v->vcpu_info->time;
    struct shared_info *si = v->domain->shared_info;
    uint64_t tsc, now;

    arch_tsc_sample(&tsc, &now);
    /* Odd while we write: a guest reading in between retries. */
    t->version++;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t->tsc_timestamp = tsc;
    t->system_time = now;
    t->tsc_to_system_mul = TIMES.tsc_mul;
    t->tsc_shift = TIMES.tsc_shift;
    t->flags = XEN_PVCLOCK_TSC_STABLE_BIT;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t->version++;

    if ( si->wc_version != TIMES.wc_version )
    {
        si->wc_version = TIMES.wc_version | 1;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        si->wc_sec = (uint32_t)TIMES.wc_sec;
        si->xen_wc_sec_hi = (uint32_t)(TIMES.wc_sec >> 32);
        si->wc_nsec = TIMES.wc_nsec;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        si->wc_version = TIMES.wc_version;
    }
}

/* ------------------------------------------------------------------------
 * The machine timer: one deadline for everything.
 */

void time_rearm(void)
{
    uint64_t deadline = sched_next_deadline();
    const struct heap_entry *first = heap_min(&TIMES.timers);

    if ( first )
        deadline = earliest(deadline, first->key);
    deadline = earliest(deadline, io_watchdog_deadline());
    /* The running vCPU's virtual time advances as real time does. */
    if ( current && current->time.vtimer_ns && !current->sched.blocked &&
         current->domain->state == DOMAIN_RUNNING )
    {
        /* Read the clock only here: every exit to a guest rearms. */
        uint64_t now = arch_now_ns(), vt = sched_vtime(current, now);

        deadline = earliest(deadline, current->time.vtimer_ns > vt ?
                                      now + (current->time.vtimer_ns - vt) : now);
    }
    if ( deadline != TIMES.armed_ns )
    {
        TIMES.armed_ns = deadline;
        arch_set_timer(deadline);
    }
}

/* As on Xen, the alarm is only VIRQ_TIMER: it wakes a vCPU blocked or polling
 * on it the way any event does, and nobody when the VIRQ is not bound. */
static void time_fire(struct vcpu *v)
{
    evtchn_send_virq(v, VIRQ_TIMER);
}

/* Whatever of v's is due at now: its alarm, its virtual alarm, its poll. */
static void time_fire_vcpu(struct vcpu *v, uint64_t now)
{
    if ( v->domain->state != DOMAIN_RUNNING )
        goto out;
    if ( v->time.singleshot_ns && v->time.singleshot_ns <= now )
    {
        v->time.singleshot_ns = 0;
        time_fire(v);
    }
    if ( v->time.vtimer_ns && v->time.vtimer_ns <= sched_vtime(v, now) )
    {
        v->time.vtimer_ns = 0;
        time_fire(v);
    }
    if ( v->sched.blocked && v->sched.polling && v->sched.poll_timeout &&
         v->sched.poll_timeout <= now )
        sched_wake(v);
 out:
    time_requeue(v);
}

void time_fire_due(uint64_t now)
{
    const struct heap_entry *first;

    /* Each round clears what it found due: the queue only shrinks below now. */
    while ( (first = heap_min(&TIMES.timers)) && first->key <= now )
    {
        struct vcpu *v = domain_vcpu(first->id);

        heap_remove(&TIMES.timers, first->id);
        time_fire_vcpu(v, now);
    }
    /* A wake charges the running vCPU, which may add to the list meanwhile. */
    for ( unsigned int i = 0; i < TIMES.nr_vtimer_due; i++ )
    {
        struct vcpu *v = TIMES.vtimer_due[i];

        v->time.vtimer_listed = false;
        time_fire_vcpu(v, now);
    }
    TIMES.nr_vtimer_due = 0;
}

/* A real-time alarm at system time t: 0 cancels; the past fires at once. */
static void time_set_singleshot(struct vcpu *v, uint64_t t)
{
    uint64_t now = arch_now_ns();

    /* A timeout absurdly far ahead is a guest's wrapped arithmetic: as Xen,
     * fire in a while rather than never (or at once, burning the CPU). */
    if ( t > now && t - now >= TIME_FAR_FUTURE_NS )
        t = now + TIME_FAR_FUTURE_CLAMP_NS;
    v->time.singleshot_ns = t;
    if ( t && t <= now )
    {
        v->time.singleshot_ns = 0;
        time_fire(v);
    }
    time_requeue(v);
}

/* set_timer_op(timeout): on x86_32 the 64-bit system time comes in two halves. */
long do_set_timer_op(struct vcpu *v, uint32_t lo, uint32_t hi, uint32_t a3 __unused,
                     uint32_t a4 __unused, uint32_t a5 __unused)
{
    if ( fault_hit(&fault_timer) )
        return -ENOMEM;
    time_set_singleshot(v, ((uint64_t)hi << 32) | lo);
    return 0;
}

static long time_get_runstate(struct vcpu *v, gva_t arg)
{
    struct vcpu_runstate_info r;
    uint64_t now = arch_now_ns();

    /* Checked first: the accounting below is a change, however harmless. */
    if ( guest_probe(v, arg, sizeof(r), true) )
        return -EFAULT;
    sched_account(now);
    memset(&r, 0, sizeof(r));
    r.state = v->sched.runstate;
    r.state_entry_time = v->sched.runstate_entry_ns;
    for ( unsigned int i = 0; i < 4; i++ )
        r.time[i] = v->sched.runstate_ns[i];
    copy_to_guest_probed(v, arg, &r, sizeof(r));
    return 0;
}

long time_vcpu_op(struct vcpu *v, struct vcpu *target, uint32_t cmd, uint32_t arg)
{
    switch ( cmd )
    {
    case VCPUOP_get_runstate_info:
        return time_get_runstate(target, arg);

    case VCPUOP_set_singleshot_timer:
    {
        struct vcpu_set_singleshot_timer t;

        if ( target != v )
            return -EINVAL;
        if ( copy_from_guest(v, &t, arg, sizeof(t)) )
            return -EFAULT;
        if ( (t.flags & VCPU_SSHOTTMR_future) && t.timeout_abs_ns < arch_now_ns() )
            return -ETIME;
        if ( fault_hit(&fault_timer) )
            return -ENOMEM;
        time_set_singleshot(v, t.timeout_abs_ns ? t.timeout_abs_ns : 1);
        return 0;
    }

    case VCPUOP_stop_singleshot_timer:
        if ( target != v )
            return -EINVAL;
        v->time.singleshot_ns = 0;
        time_requeue(v);
        return 0;

    case VCPUOP_pvx_set_vtimer:
    {
        struct vcpu_pvx_set_vtimer t;
        uint64_t vt;

        if ( target != v )
            return -EINVAL;
        if ( copy_from_guest(v, &t, arg, sizeof(t)) )
            return -EFAULT;
        vt = sched_vtime(v, arch_now_ns());
        if ( t.vtime_ns > vt && t.vtime_ns - vt >= TIME_FAR_FUTURE_NS )
            return -EINVAL;             /* never reached: refuse rather than clamp */
        if ( t.vtime_ns <= vt )
        {
            v->time.vtimer_ns = 0;
            time_fire(v);
        }
        else
            v->time.vtimer_ns = t.vtime_ns;
        return 0;
    }

    case VCPUOP_pvx_stop_vtimer:
        if ( target != v )
            return -EINVAL;
        v->time.vtimer_ns = 0;
        return 0;

    default:
        return -ENOSYS;
    }
}

/* Wall clock: the time of day was secs.nsecs at system time system_time. */
static long time_settime(uint64_t secs, uint32_t nsecs, uint64_t system_time)
{
    uint64_t ns;

    if ( nsecs >= 1000000000u || secs > UINT64_MAX / 1000000000ull - 1 )
        return -EINVAL;
    /* Store the time of day at system time 0. */
    ns = secs * 1000000000ull + nsecs;
    if ( system_time > ns )
        return -EINVAL;
    ns -= system_time;
    TIMES.wc_sec = ns / 1000000000ull;
    TIMES.wc_nsec = (uint32_t)(ns % 1000000000ull);
    TIMES.wc_version += 2;
    return 0;
}

long do_platform_op(struct vcpu *v, uint32_t arg, uint32_t a2 __unused, uint32_t a3 __unused,
                    uint32_t a4 __unused, uint32_t a5 __unused)
{
    struct xen_platform_op op;
    long rc;

    if ( !v->domain->is_privileged )
        return -EPERM;
    if ( copy_from_guest(v, &op, arg, sizeof(op)) )
        return -EFAULT;
    if ( op.interface_version != XENPF_INTERFACE_VERSION )
        return -EACCES;

    switch ( op.cmd )
    {
    case XENPF_settime32:
        rc = time_settime(op.u.settime32.secs, op.u.settime32.nsecs,
                          op.u.settime32.system_time);
        break;
    case XENPF_settime64:
        rc = op.u.settime64.mbz ? -EINVAL :
             time_settime(op.u.settime64.secs, op.u.settime64.nsecs,
                          op.u.settime64.system_time);
        break;
    default:
        rc = -ENOSYS;
        break;
    }
    if ( rc == 0 )
        time_update_vcpu_info(v);       /* the caller sees it at once */
    return rc;
}

/* The one-shot timer fired: fire what is due, let the scheduler decide. */
void core_timer_interrupt(struct cpu_regs *regs)
{
    uint64_t now = arch_now_ns();

    TIMES.armed_ns = 0;                       /* a one-shot: it is spent */
    if ( regs && current )
    {
        vcpu_regs_enter(current, regs);
    }
    sched_account(now);
    time_fire_due(now);
    io_watchdog(now);
    /* Console input, for an initial domain that listens (VIRQ_CONSOLE bound). */
    if ( machine.domains[0].state == DOMAIN_RUNNING &&
         machine.domains[0].vcpu[0].virq_port[VIRQ_CONSOLE] && console_poll_input() )
        evtchn_send_global_virq(VIRQ_CONSOLE);
    if ( !regs )
    {
        /* Idle (inside schedule()): it picks again when we return. */
        return;
    }
    sched_timer_tick(now);
    sched_after_entry();
    regs_copy(regs, vcpu_regs(current));
    regs_sanitize_eflags(regs);
}
