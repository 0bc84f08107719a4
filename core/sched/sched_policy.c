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
 *
 * Both policies keep their runnable vCPUs but the one on the CPU in a binary
 * heap of vcpu_index() (pvx/heap.h), so that a decision costs O(log n), not a
 * scan of every vCPU: BVT orders it by E (and keeps a second heap by A, whose
 * least is SVT), round robin by turn. The vCPU on the CPU stays out while it
 * runs - charging it moves nothing - and takes the place of the next one when
 * it is switched away from. Ties go to the lower vcpu_index(), as they did in
 * the scans that came before the heaps, so that runs are reproducible.
 */
#include <pvx/domain.h>
#include <pvx/heap.h>
#include <pvx/lib.h>
#include <pvx/sched.h>
#include <pvx/machine.h>

/* A advances by ran * BVT_SCALE / weight: weight 1 gives A in 1/1024 ns. */
#define BVT_SCALE 1024ull


/* The runqueue of whichever policy was chosen (one per boot) and the vCPU
 * dispatched last (in no heap, whether still runnable or not) are
 * machine.policy's, as are BVT's warped heaps and RR's rotation. */
#define POL (machine.policy)

static bool runnable(const struct vcpu *v)
{
    return v->sched.registered && !v->sched.blocked && !v->sched.down &&
           v->domain->state == DOMAIN_RUNNING;
}

static void rq_init(void)
{
    heap_init(&POL.rq, POL.rq_slot, POL.rq_pos, ARRAY_SIZE(POL.rq_pos));
    POL.on_cpu = NULL;
}

/* The checks both policies share (sched_ops.check): queued() says whether
 * the policy holds v in its runqueue. */
static int rq_check(bool (*queued)(const struct vcpu *v))
{
    struct vcpu *const *all;
    unsigned int n;

    if ( heap_check(&POL.rq) )
        return -1;
    if ( POL.on_cpu && (!POL.on_cpu->sched.registered || queued(POL.on_cpu)) )
        return -2;
    all = sched_vcpus(&n);
    for ( unsigned int i = 0; i < n; i++ )
        if ( all[i] != POL.on_cpu && runnable(all[i]) != queued(all[i]) )
            return -3;
    return 0;
}

/* ------------------------------------------------------------------------
 * Borrowed Virtual Time.
 *
 * The runqueue is split by warp. rq holds the unwarped vCPUs keyed by A,
 * which is their E. The warped ones, few and for short stretches, are in
 * bvt_warped keyed by E and in bvt_warped_avt keyed by A. So the least E is
 * among the two heaps' least, SVT (the least A) among rq's and
 * bvt_warped_avt's least, and a switch between unwarped vCPUs - the common
 * case - moves one entry in one heap.
 */

/* E, kept as a signed value: a warp may take it below zero. */
static int64_t bvt_evt(const struct vcpu *v)
{
    return (int64_t)v->sched.avt - (v->sched.warped ? (int64_t)(v->sched.bvt.warp_ns * BVT_SCALE) : 0);
}

/* E as a heap key: the sign bit flipped keeps the order, unsigned. */
static uint64_t bvt_key(const struct vcpu *v)
{
    return (uint64_t)bvt_evt(v) ^ (1ull << 63);
}

/* Lowest E first; equal E: the lower vcpu_index() (the heaps' order too). */
static bool bvt_before(const struct vcpu *a, const struct vcpu *b)
{
    int64_t ea = bvt_evt(a), eb = bvt_evt(b);

    return ea < eb || (ea == eb && vcpu_index(a) < vcpu_index(b));
}

static bool bvt_queued(const struct vcpu *v)
{
    unsigned int id = vcpu_index(v);

    return heap_queued(&POL.rq, id) || heap_queued(&POL.bvt_warped, id);
}

static void bvt_enqueue(struct vcpu *v)
{
    unsigned int id = vcpu_index(v);

    if ( !v->sched.warped )
    {
        heap_insert(&POL.rq, id, v->sched.avt, id);
        return;
    }
    heap_insert(&POL.bvt_warped, id, bvt_key(v), id);
    heap_insert(&POL.bvt_warped_avt, id, v->sched.avt, id);
}

static void bvt_dequeue(struct vcpu *v)
{
    unsigned int id = vcpu_index(v);

    if ( heap_queued(&POL.rq, id) )
        heap_remove(&POL.rq, id);
    else if ( heap_queued(&POL.bvt_warped, id) )
    {
        heap_remove(&POL.bvt_warped, id);
        heap_remove(&POL.bvt_warped_avt, id);
    }
}

/* v's A, E or warp changed: while it is off the CPU, its place changes too. */
static void bvt_requeue(struct vcpu *v)
{
    unsigned int id = vcpu_index(v);

    if ( heap_queued(&POL.rq, id) && !v->sched.warped )
        heap_update(&POL.rq, id, v->sched.avt, id);
    else if ( heap_queued(&POL.bvt_warped, id) && v->sched.warped )
    {
        heap_update(&POL.bvt_warped, id, bvt_key(v), id);
        heap_update(&POL.bvt_warped_avt, id, v->sched.avt, id);
    }
    else if ( bvt_queued(v) )
    {
        bvt_dequeue(v);                 /* warped or unwarped since */
        bvt_enqueue(v);
    }
}

static int bvt_check(void)
{
    int rc = rq_check(bvt_queued);

    if ( rc )
        return rc;
    if ( heap_check(&POL.bvt_warped) || heap_check(&POL.bvt_warped_avt) ||
         POL.bvt_warped.nr != POL.bvt_warped_avt.nr )
        return -4;
    for ( uint32_t i = 1; i <= POL.rq.nr; i++ )
    {
        const struct heap_entry *e = &POL.rq.slot[i];
        const struct vcpu *v = domain_vcpu(e->id);

        if ( v->sched.warped || e->key != v->sched.avt || e->tie != e->id ||
             heap_queued(&POL.bvt_warped, e->id) )
            return -5;
    }
    for ( uint32_t i = 1; i <= POL.bvt_warped.nr; i++ )
    {
        const struct heap_entry *e = &POL.bvt_warped.slot[i];
        const struct vcpu *v = domain_vcpu(e->id);

        if ( !v->sched.warped || e->key != bvt_key(v) || e->tie != e->id ||
             !heap_queued(&POL.bvt_warped_avt, e->id) ||
             POL.bvt_warped_avt.slot[POL.bvt_warped_avt.pos[e->id]].key != v->sched.avt )
            return -6;
    }
    return 0;
}

/* C in v's virtual-time units. */
static int64_t bvt_ctx_allow(const struct vcpu *v)
{
    return (int64_t)(SCHED_BVT_CTX_ALLOW_NS * BVT_SCALE / v->sched.bvt.weight);
}

/* SVT: the lowest A among the runnable vCPUs other than skip (which is in
 * no heap): the least of both heaps' A and of the one on the CPU. */
static bool bvt_svt(const struct vcpu *skip, uint64_t *svt)
{
    const struct heap_entry *first = heap_min(&POL.rq), *warped = heap_min(&POL.bvt_warped_avt);
    bool any = false;

    ASSERT(!bvt_queued(skip));
    if ( first )
    {
        *svt = first->key;
        any = true;
    }
    if ( warped && (!any || warped->key < *svt) )
    {
        *svt = warped->key;
        any = true;
    }
    if ( POL.on_cpu && POL.on_cpu != skip && runnable(POL.on_cpu) &&
         (!any || POL.on_cpu->sched.avt < *svt) )
    {
        *svt = POL.on_cpu->sched.avt;
        any = true;
    }
    return any;
}

static void bvt_init(void)
{
    rq_init();
    heap_init(&POL.bvt_warped, POL.warped_slot, POL.warped_pos, ARRAY_SIZE(POL.warped_pos));
    heap_init(&POL.bvt_warped_avt, POL.warped_avt_slot, POL.warped_avt_pos,
              ARRAY_SIZE(POL.warped_avt_pos));
}

static void bvt_add_vcpu(struct vcpu *v)
{
    uint64_t svt = 0;

    v->sched.bvt = (struct sched_bvt_params){ .weight = SCHED_BVT_DEFAULT_WEIGHT };
    v->sched.avt = bvt_svt(v, &svt) ? svt : 0;
    v->sched.warped = false;
    if ( runnable(v) )
        bvt_enqueue(v);
}

static void bvt_remove_vcpu(struct vcpu *v)
{
    v->sched.warped = false;
    bvt_dequeue(v);
    if ( POL.on_cpu == v )
        POL.on_cpu = NULL;
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
    /* Woken before it was switched away from: it is still on the CPU. */
    if ( v != POL.on_cpu )
        bvt_enqueue(v);
    if ( !running || !runnable(running) )
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
    bvt_dequeue(v);
}

static void bvt_charge(struct vcpu *v, uint64_t ran_ns, uint64_t now)
{
    v->sched.avt += ran_ns * BVT_SCALE / v->sched.bvt.weight;
    /* L: a warp lasts this long at most. */
    if ( v->sched.warped && v->sched.bvt.warp_limit_ns &&
         now - v->sched.warp_start_ns >= v->sched.bvt.warp_limit_ns )
        bvt_unwarp(v, now);
    bvt_requeue(v);
}

static void bvt_consider(struct vcpu *v, struct vcpu **best, struct vcpu **second)
{
    if ( !*best || bvt_before(v, *best) )
    {
        *second = *best;
        *best = v;
    }
    else if ( !*second || bvt_before(v, *second) )
        *second = v;
}

static struct vcpu *bvt_pick_next(struct vcpu *avoid, uint64_t now, uint64_t *slice_ns)
{
    const struct heap_entry *cand[4] = { heap_min(&POL.rq), heap_second(&POL.rq),
                                         heap_min(&POL.bvt_warped), heap_second(&POL.bvt_warped) };
    struct vcpu *best = NULL, *second = NULL;

    /* The two least of all are among each heap's two and the one on the CPU. */
    for ( unsigned int i = 0; i < ARRAY_SIZE(cand); i++ )
        if ( cand[i] )
            bvt_consider(domain_vcpu(cand[i]->id), &best, &second);
    if ( POL.on_cpu && runnable(POL.on_cpu) )
        bvt_consider(POL.on_cpu, &best, &second);
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

        *slice_ns = SCHED_BVT_CTX_ALLOW_NS +
                    (lead > 0 ? (uint64_t)lead * best->sched.bvt.weight / BVT_SCALE : 0);
    }
    if ( best->sched.warped && best->sched.bvt.warp_limit_ns )
    {
        uint64_t left = best->sched.warp_start_ns + best->sched.bvt.warp_limit_ns;

        *slice_ns = MIN(*slice_ns, left > now ? left - now : 0);
    }
    return best;
}

/* The one switched away from takes the place of the one switched to. */
static void bvt_dispatch(struct vcpu *v)
{
    struct vcpu *prev = POL.on_cpu;
    unsigned int id = vcpu_index(v), pid;

    if ( v == prev )
        return;
    ASSERT(bvt_queued(v));
    POL.on_cpu = v;
    pid = prev ? vcpu_index(prev) : 0;
    if ( prev && runnable(prev) && !prev->sched.warped && heap_queued(&POL.rq, id) )
        heap_replace(&POL.rq, id, pid, prev->sched.avt, pid);
    else
    {
        bvt_dequeue(v);
        if ( prev && runnable(prev) )
            bvt_enqueue(prev);
    }
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
    .dispatch = bvt_dispatch,
    .adjust = bvt_requeue,
    .check = bvt_check,
    .slice_left = bvt_slice_left,
};

/* ------------------------------------------------------------------------
 * Round robin: every runnable vCPU in turn, a fixed slice each (sched=rr).
 * No weights, no preemption on wake-up: the baseline BVT is measured against.
 *
 * The turn after the current vCPU's is the runnable one with the next higher
 * rr_seq, or the lowest when none is higher. The runqueue is keyed by round,
 * ties by rr_seq: the vCPUs after the rotation's position are due in this
 * round, the others in the next, and the least is the next turn. Moving on
 * to the least changes no other key, so a decision is O(log n).
 */

static uint64_t rr_round_of(const struct vcpu *v)
{
    return POL.rr_at_valid && v->sched.rr_seq <= POL.rr_at ? POL.rr_round_now + 1
                                                           : POL.rr_round_now;
}

static bool rr_queued(const struct vcpu *v)
{
    return heap_queued(&POL.rq, vcpu_index(v));
}

static void rr_enqueue(struct vcpu *v)
{
    heap_insert(&POL.rq, vcpu_index(v), rr_round_of(v), v->sched.rr_seq);
}

static void rr_dequeue(struct vcpu *v)
{
    if ( rr_queued(v) )
        heap_remove(&POL.rq, vcpu_index(v));
}

static int rr_check(void)
{
    int rc = rq_check(rr_queued);

    if ( rc )
        return rc;
    for ( uint32_t i = 1; i <= POL.rq.nr; i++ )
    {
        const struct heap_entry *e = &POL.rq.slot[i];
        const struct vcpu *v = domain_vcpu(e->id);

        if ( e->key != rr_round_of(v) || e->tie != v->sched.rr_seq )
            return -5;
    }
    return 0;
}

/* The rotation is where the current vCPU is. When that moved other than by a
 * dispatch (boot; tests that set current), every key is computed again. */
static void rr_follow_current(void)
{
    bool valid = current != NULL;
    unsigned int at = valid ? current->sched.rr_seq : 0;

    if ( valid == POL.rr_at_valid && (!valid || at == POL.rr_at) )
        return;
    POL.rr_at_valid = valid;
    POL.rr_at = at;
    for ( uint32_t i = 1; i <= POL.rq.nr; i++ )
        POL.rq.slot[i].key = rr_round_of(domain_vcpu(POL.rq.slot[i].id));
    heap_rebuild(&POL.rq);
}

static void rr_init(void)
{
    rq_init();
    POL.rr_next_seq = 0;
    POL.rr_round_now = 0;
    POL.rr_at_valid = false;
    POL.rr_at = 0;
}

static void rr_add_vcpu(struct vcpu *v)
{
    v->sched.rr_seq = POL.rr_next_seq++;
    if ( runnable(v) )
        rr_enqueue(v);
}

static void rr_remove_vcpu(struct vcpu *v)
{
    rr_dequeue(v);
    if ( POL.on_cpu == v )
        POL.on_cpu = NULL;
}

static bool rr_wake(struct vcpu *v, struct vcpu *running, uint64_t now)
{
    (void)now;
    if ( v != POL.on_cpu )
        rr_enqueue(v);
    return !running || !runnable(running);      /* only an idle CPU is taken */
}

static void rr_sleep(struct vcpu *v)
{
    rr_dequeue(v);
}

static void rr_charge(struct vcpu *v, uint64_t ran_ns, uint64_t now)
{
    (void)v;
    (void)ran_ns;
    (void)now;
}

static struct vcpu *rr_pick_next(struct vcpu *avoid, uint64_t now, uint64_t *slice_ns)
{
    const struct heap_entry *first;
    struct vcpu *best = NULL;

    (void)now;
    (void)avoid;                        /* every pick moves on already */
    rr_follow_current();
    first = heap_min(&POL.rq);
    if ( first )
        best = domain_vcpu(first->id);
    if ( POL.on_cpu && runnable(POL.on_cpu) )
    {
        struct heap_entry e = { .key = rr_round_of(POL.on_cpu), .tie = POL.on_cpu->sched.rr_seq };

        if ( !first || heap_before(&e, first) )
            best = POL.on_cpu;
    }
    *slice_ns = SCHED_RR_SLICE_NS;
    return best;
}

/* The rotation moves to v, the least: the others' keys stay right (those
 * after v are still due in v's round, the rest in the next). */
static void rr_dispatch(struct vcpu *v)
{
    struct vcpu *prev = POL.on_cpu;
    unsigned int id = vcpu_index(v), pid;

    if ( v == prev )
        POL.rr_round_now = rr_round_of(v);
    else
    {
        ASSERT(heap_queued(&POL.rq, id));
        POL.rr_round_now = POL.rq.slot[POL.rq.pos[id]].key;
    }
    POL.rr_at = v->sched.rr_seq;
    POL.rr_at_valid = true;
    if ( v == prev )
        return;
    POL.on_cpu = v;
    if ( !prev || !runnable(prev) )
    {
        rr_dequeue(v);
        return;
    }
    pid = vcpu_index(prev);
    heap_replace(&POL.rq, id, pid, rr_round_of(prev), prev->sched.rr_seq);
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
    .dispatch = rr_dispatch,
    .check = rr_check,
};
