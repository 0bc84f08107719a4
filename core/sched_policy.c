/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sched_policy.c - the scheduling policies behind struct sched_ops: Borrowed
 * Virtual Time (the default) and round robin.
 *
 * Borrowed Virtual Time (Duda and Cheriton, SOSP 1999) was the scheduler of
 * Xen 1.0 and 2.0.
 * Each vCPU has an actual virtual time A that advances, while it runs, by the
 * time run divided by its weight: over a long stretch the CPU is shared in
 * proportion to the weights. The runnable vCPU with the lowest effective
 * virtual time E = A - (warped ? W : 0) runs. A latency-sensitive domain may
 * warp: it borrows W of virtual time, so it is dispatched at once when it
 * wakes - for at most L at a time (warp limit), and only again after U
 * unwarped (unwarp time). The context-switch allowance C lets the running vCPU
 * pull ahead of the next one by C of real time before it is preempted, so
 * vCPUs with equal claims do not thrash. A vCPU that wakes after sleeping gets
 * A = max(A, SVT), SVT being the lowest A among the runnable ones: sleeping
 * banks no credit.
 */
#include <pvx/domain.h>
#include <pvx/lib.h>
#include <pvx/sched.h>

/* A advances by ran * BVT_SCALE / weight: weight 1 gives A in 1/1024 ns. */
#define BVT_SCALE 1024ull

uint64_t sched_bvt_ctx_allow_ns = SCHED_BVT_CTX_ALLOW_NS;

static bool bvt_runnable(const struct vcpu *v)
{
    return v->sched.registered && !v->sched.blocked && v->domain->state == DOMAIN_RUNNING;
}

/* E, kept as a signed value: a warp may take it below zero. */
static int64_t bvt_evt(const struct vcpu *v)
{
    return (int64_t)v->sched.avt - (v->sched.warped ? (int64_t)(v->sched.bvt.warp_ns * BVT_SCALE) : 0);
}

/* C in v's virtual-time units. */
static int64_t bvt_ctx_allow(const struct vcpu *v)
{
    return (int64_t)(sched_bvt_ctx_allow_ns * BVT_SCALE / v->sched.bvt.weight);
}

/* SVT: the lowest A among the runnable vCPUs other than skip (0 if none). */
static bool bvt_svt(const struct vcpu *skip, uint64_t *svt)
{
    struct vcpu *const *all;
    unsigned int n;
    bool any = false;

    all = sched_vcpus(&n);
    for ( unsigned int i = 0; i < n; i++ )
    {
        if ( all[i] == skip || !bvt_runnable(all[i]) )
            continue;
        if ( !any || all[i]->sched.avt < *svt )
            *svt = all[i]->sched.avt;
        any = true;
    }
    return any;
}

static void bvt_init(void)
{
}

static void bvt_add_vcpu(struct vcpu *v)
{
    uint64_t svt = 0;

    v->sched.bvt = (struct sched_bvt_params){ .weight = SCHED_BVT_DEFAULT_WEIGHT };
    v->sched.avt = bvt_svt(v, &svt) ? svt : 0;
    v->sched.warped = false;
}

static void bvt_remove_vcpu(struct vcpu *v)
{
    v->sched.warped = false;
}

static bool bvt_may_warp(const struct vcpu *v, uint64_t now)
{
    if ( !v->sched.bvt.warp_enabled || v->sched.bvt.warp_ns == 0 )
        return false;
    /* U: after a warped stretch, unwarped for this long before the next. */
    return v->sched.unwarped_since_ns == 0 ||
           now - v->sched.unwarped_since_ns >= v->sched.bvt.unwarp_ns;
}

static bool bvt_wake(struct vcpu *v, struct vcpu *running, uint64_t now)
{
    uint64_t svt;

    if ( bvt_svt(v, &svt) && v->sched.avt < svt )
        v->sched.avt = svt;
    if ( bvt_may_warp(v, now) )
    {
        v->sched.warped = true;
        v->sched.warp_start_ns = now;
    }
    if ( !running || !bvt_runnable(running) )
        return true;
    /* Preempt when the woken one is ahead by more than C of the running one. */
    return bvt_evt(v) + bvt_ctx_allow(running) < bvt_evt(running);
}

static void bvt_unwarp(struct vcpu *v, uint64_t now)
{
    if ( v->sched.warped )
    {
        v->sched.warped = false;
        v->sched.unwarped_since_ns = now ? now : 1;
    }
}

static void bvt_sleep(struct vcpu *v)
{
    bvt_unwarp(v, v->sched.dispatch_ns);
}

static void bvt_charge(struct vcpu *v, uint64_t ran_ns, uint64_t now)
{
    v->sched.avt += ran_ns * BVT_SCALE / v->sched.bvt.weight;
    /* L: a warp lasts this long at most. */
    if ( v->sched.warped && v->sched.bvt.warp_limit_ns &&
         now - v->sched.warp_start_ns >= v->sched.bvt.warp_limit_ns )
        bvt_unwarp(v, now);
}

static struct vcpu *bvt_pick_next(struct vcpu *avoid, uint64_t now, uint64_t *slice_ns)
{
    struct vcpu *const *all;
    struct vcpu *best = NULL, *second = NULL;
    unsigned int n;

    all = sched_vcpus(&n);
    for ( unsigned int i = 0; i < n; i++ )
    {
        struct vcpu *v = all[i];

        if ( !bvt_runnable(v) )
            continue;
        /* Lowest E first; equal E: lowest domain id, so runs are reproducible. */
        if ( !best || bvt_evt(v) < bvt_evt(best) ||
             (bvt_evt(v) == bvt_evt(best) && v->domain->domain_id < best->domain->domain_id) )
        {
            second = best;
            best = v;
        }
        else if ( !second || bvt_evt(v) < bvt_evt(second) ||
                  (bvt_evt(v) == bvt_evt(second) &&
                   v->domain->domain_id < second->domain->domain_id) )
            second = v;
    }
    /* A yield lets the next one run, when there is one. */
    if ( best && best == avoid && second )
    {
        struct vcpu *t = best;

        best = second;
        second = t;
    }
    if ( !best )
        return NULL;

    if ( !second )
        *slice_ns = SCHED_MAX_SLICE_NS;
    else
    {
        /* Run until E passes the next one's by C of real time. */
        int64_t lead = bvt_evt(second) - bvt_evt(best);

        *slice_ns = sched_bvt_ctx_allow_ns +
                    (lead > 0 ? (uint64_t)lead * best->sched.bvt.weight / BVT_SCALE : 0);
    }
    if ( best->sched.warped && best->sched.bvt.warp_limit_ns )
    {
        uint64_t left = best->sched.warp_start_ns + best->sched.bvt.warp_limit_ns;

        *slice_ns = MIN(*slice_ns, left > now ? left - now : 0);
    }
    return best;
}

/* A vCPU that ran alone got SCHED_MAX_SLICE_NS; once another wakes, BVT's
 * rule (run until E passes the next one's by C) bounds it again. */
static uint64_t bvt_slice_left(struct vcpu *running, uint64_t now)
{
    uint64_t slice;

    if ( bvt_pick_next(NULL, now, &slice) != running )
        return 0;                       /* someone else is due now */
    return slice;
}

const struct sched_ops sched_bvt_ops = {
    .name = "bvt",
    .init = bvt_init,
    .add_vcpu = bvt_add_vcpu,
    .remove_vcpu = bvt_remove_vcpu,
    .wake = bvt_wake,
    .sleep = bvt_sleep,
    .charge = bvt_charge,
    .pick_next = bvt_pick_next,
    .slice_left = bvt_slice_left,
};

/* ------------------------------------------------------------------------
 * Round robin: every runnable vCPU in turn, a fixed slice each (sched=rr).
 * No weights, no preemption on wake-up: the baseline BVT is measured against.
 */
static unsigned int rr_next_seq;

static bool rr_runnable(const struct vcpu *v)
{
    return v->sched.registered && !v->sched.blocked && v->domain->state == DOMAIN_RUNNING;
}

static void rr_init(void)
{
    rr_next_seq = 0;
}

static void rr_add_vcpu(struct vcpu *v)
{
    v->sched.rr_seq = rr_next_seq++;
}

static void rr_remove_vcpu(struct vcpu *v)
{
    (void)v;
}

static bool rr_wake(struct vcpu *v, struct vcpu *running, uint64_t now)
{
    (void)v;
    (void)now;
    return !running || !rr_runnable(running);   /* only an idle CPU is taken */
}

static void rr_sleep(struct vcpu *v)
{
    (void)v;
}

static void rr_charge(struct vcpu *v, uint64_t ran_ns, uint64_t now)
{
    (void)v;
    (void)ran_ns;
    (void)now;
}

/* The runnable vCPU that comes after prev in the rotation (by rr_seq). */
static struct vcpu *rr_pick_next(struct vcpu *avoid, uint64_t now, uint64_t *slice_ns)
{
    struct vcpu *const *all;
    struct vcpu *after = NULL, *first = NULL;
    unsigned int n, from = current ? current->sched.rr_seq : 0;

    (void)now;
    (void)avoid;                        /* every pick moves on already */
    all = sched_vcpus(&n);
    for ( unsigned int i = 0; i < n; i++ )
    {
        struct vcpu *v = all[i];

        if ( !rr_runnable(v) )
            continue;
        if ( !first || v->sched.rr_seq < first->sched.rr_seq )
            first = v;
        if ( current && v->sched.rr_seq > from &&
             (!after || v->sched.rr_seq < after->sched.rr_seq) )
            after = v;
    }
    *slice_ns = SCHED_RR_SLICE_NS;
    return after ? after : first;
}

const struct sched_ops sched_rr_ops = {
    .name = "rr",
    .init = rr_init,
    .add_vcpu = rr_add_vcpu,
    .remove_vcpu = rr_remove_vcpu,
    .wake = rr_wake,
    .sleep = rr_sleep,
    .charge = rr_charge,
    .pick_next = rr_pick_next,
};
