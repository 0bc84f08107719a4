/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_sched.c - the scheduler's queues against the scans they replaced.
 *
 * The heap itself (insert, remove, update, replace, ties) against a plain
 * array; BVT and round robin with up to 1,000 domains under random yields,
 * ticks, blocks, wakes, weight and warp changes, each decision compared with
 * a brute-force scan written here; reaping of stopped domains; and the queue
 * of timer deadlines against a scan of every vCPU's alarms.
 */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include <pvx/domain.h>
#include <pvx/event.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/heap.h>
#include <pvx/hypercall.h>
#include <pvx/sched.h>
#include <pvx/time.h>
#include <public/event_channel.h>
#include <public/pvx.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <public/xen.h>

#define ARG UNIT_SCRATCH_VA
#define NR_IDS 1024

static uint64_t rng_state;

static void rng_seed(uint64_t s)
{
    rng_state = s ? s : 1;
}

/* xorshift64: the same sequence on every run. */
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static unsigned int rng_below(unsigned int n)
{
    return (unsigned int)(rng() % n);
}

/* ------------------------------------------------------------------------
 * The heap against an array.
 */

static struct heap_entry h_slot[NR_IDS + 1];
static uint32_t h_pos[NR_IDS];
static bool ref_in[NR_IDS];
static uint64_t ref_key[NR_IDS];
static uint32_t ref_tie[NR_IDS];

static bool ref_before(uint32_t a, uint32_t b)
{
    return ref_key[a] < ref_key[b] || (ref_key[a] == ref_key[b] && ref_tie[a] < ref_tie[b]);
}

/* The least two by scanning; -1 for none. */
static void ref_two(int *first, int *second)
{
    *first = *second = -1;
    for ( int id = 0; id < NR_IDS; id++ )
    {
        if ( !ref_in[id] )
            continue;
        if ( *first < 0 || ref_before((uint32_t)id, (uint32_t)*first) )
        {
            *second = *first;
            *first = id;
        }
        else if ( *second < 0 || ref_before((uint32_t)id, (uint32_t)*second) )
            *second = id;
    }
}

static void check_heap_against_ref(const struct heap *h)
{
    const struct heap_entry *m = heap_min(h), *s = heap_second(h);
    int first, second;
    uint32_t n = 0;

    CU_ASSERT_EQUAL_FATAL(heap_check(h), 0);
    for ( int id = 0; id < NR_IDS; id++ )
    {
        n += ref_in[id];
        CU_ASSERT_EQUAL_FATAL(heap_queued(h, (uint32_t)id), ref_in[id]);
    }
    CU_ASSERT_EQUAL_FATAL(h->nr, n);
    ref_two(&first, &second);
    CU_ASSERT_EQUAL_FATAL(m ? (int)m->id : -1, first);
    CU_ASSERT_EQUAL_FATAL(s ? (int)s->id : -1, second);
}

static void test_heap_basics(void)
{
    struct heap h;

    memset(ref_in, 0, sizeof(ref_in));
    heap_init(&h, h_slot, h_pos, NR_IDS);
    CU_ASSERT_PTR_NULL(heap_min(&h));
    CU_ASSERT_PTR_NULL(heap_second(&h));

    /* Equal keys: the tie decides, whatever the order of insertion. */
    heap_insert(&h, 7, 50, 3);
    heap_insert(&h, 2, 50, 9);
    heap_insert(&h, 5, 50, 1);
    CU_ASSERT_EQUAL(heap_min(&h)->id, 5);
    CU_ASSERT_EQUAL(heap_second(&h)->id, 7);
    /* A lower key wins over any tie; an update moves it either way. */
    heap_insert(&h, 9, 49, 100);
    CU_ASSERT_EQUAL(heap_min(&h)->id, 9);
    heap_update(&h, 9, 51, 100);
    CU_ASSERT_EQUAL(heap_min(&h)->id, 5);
    heap_update(&h, 2, 10, 9);
    CU_ASSERT_EQUAL(heap_min(&h)->id, 2);
    CU_ASSERT_EQUAL(heap_second(&h)->id, 5);
    /* Replace: the leaver's slot to a newcomer, which settles where it belongs. */
    heap_replace(&h, 2, 11, 60, 0);
    CU_ASSERT_FALSE(heap_queued(&h, 2));
    CU_ASSERT(heap_queued(&h, 11));
    CU_ASSERT_EQUAL(heap_min(&h)->id, 5);
    /* Remove from the middle, the end, the top. */
    heap_remove(&h, 7);
    heap_remove(&h, 11);
    heap_remove(&h, 5);
    CU_ASSERT_EQUAL(heap_min(&h)->id, 9);
    CU_ASSERT_PTR_NULL(heap_second(&h));
    CU_ASSERT_EQUAL(heap_check(&h), 0);
    heap_remove(&h, 9);
    CU_ASSERT_EQUAL(h.nr, 0);

    /* heap_check sees a parent after its child, and a wrong pos. */
    heap_insert(&h, 1, 1, 0);
    heap_insert(&h, 2, 2, 0);
    h.slot[1].key = 3;
    CU_ASSERT_NOT_EQUAL(heap_check(&h), 0);
    heap_rebuild(&h);
    CU_ASSERT_EQUAL(heap_check(&h), 0);
    CU_ASSERT_EQUAL(heap_min(&h)->id, 2);
    h.pos[5] = 1;
    CU_ASSERT_NOT_EQUAL(heap_check(&h), 0);
    h.pos[5] = 0;
    h.pos[2] = 2;
    CU_ASSERT_NOT_EQUAL(heap_check(&h), 0);
}

/* Random operations with few distinct keys (many ties), checked after each. */
static void test_heap_random(void)
{
    struct heap h;

    rng_seed(0x5eed);
    memset(ref_in, 0, sizeof(ref_in));
    heap_init(&h, h_slot, h_pos, NR_IDS);
    for ( unsigned int step = 0; step < 20000; step++ )
    {
        uint32_t id = rng_below(NR_IDS), in = rng_below(NR_IDS);
        uint64_t key = rng_below(step % 2 ? 8 : 1u << 20);
        /* Ties are the caller's to make distinct: here by the low bits. */
        uint32_t tie = rng_below(4) << 16 | (step % 3 == 0 ? in : id);

        switch ( rng_below(5) )
        {
        case 0:
        case 1:
            if ( ref_in[id] )
                break;
            heap_insert(&h, id, key, tie);
            ref_in[id] = true;
            ref_key[id] = key;
            ref_tie[id] = tie;
            break;
        case 2:
            if ( !ref_in[id] )
                break;
            heap_remove(&h, id);
            ref_in[id] = false;
            break;
        case 3:
            if ( !ref_in[id] )
                break;
            heap_update(&h, id, key, tie);
            ref_key[id] = key;
            ref_tie[id] = tie;
            break;
        case 4:
            if ( !ref_in[id] || ref_in[in] )
                break;
            heap_replace(&h, id, in, key, tie);
            ref_in[id] = false;
            ref_in[in] = true;
            ref_key[in] = key;
            ref_tie[in] = tie;
            break;
        }
        /* The full comparison is O(n): every 16th step, and near the end. */
        if ( step % 16 == 0 || step > 19900 )
            check_heap_against_ref(&h);
    }
    /* Keys changed in place, then rebuilt. */
    for ( uint32_t i = 1; i <= h.nr; i++ )
    {
        h.slot[i].key = rng_below(100);
        h.slot[i].tie = h.slot[i].id;
        ref_tie[h.slot[i].id] = h.slot[i].id;
        ref_key[h.slot[i].id] = h.slot[i].key;
    }
    heap_rebuild(&h);
    check_heap_against_ref(&h);
}

/* ------------------------------------------------------------------------
 * Many domains on the fake machine: the initial one and bare ones sharing
 * its page tables (switched to, never run), as core_native's benchmark.
 */

static struct vcpu *dom0;

/* n domains, of which the first 1 + nr_built are built from the kernel
 * (they can use their own memory) and the rest bare. */
static void boot_mixed(unsigned int n, unsigned int nr_built, const char *hv_cmdline)
{
    struct elfgen_spec s;

    elfgen_default(&s);
    CU_ASSERT_EQUAL_FATAL(fixture_boot(&s, "kernel.elf", hv_cmdline, nr_built, NULL), -1);
    dom0 = current;
    CU_ASSERT_FATAL(fixture_add_bare_domains(1 + nr_built, n));
    CU_ASSERT_EQUAL_FATAL(sched_check(), 0);
}

static void boot_many(unsigned int n, const char *hv_cmdline)
{
    boot_mixed(n, 0, hv_cmdline);
}

static bool ref_runnable(const struct vcpu *v)
{
    return v->sched.registered && !v->sched.blocked && v->domain->state == DOMAIN_RUNNING;
}

/* E as sched_policy.c defines it: A - W when warped, A in 1/1024 ns. */
static int64_t ref_evt(const struct vcpu *v)
{
    return (int64_t)v->sched.avt - (v->sched.warped ? (int64_t)(v->sched.bvt.warp_ns * 1024) : 0);
}

static bool ref_bvt_before(const struct vcpu *a, const struct vcpu *b)
{
    return ref_evt(a) < ref_evt(b) ||
           (ref_evt(a) == ref_evt(b) && a->domain->domain_id < b->domain->domain_id);
}

/* The scan BVT's pick used to be: the lowest E and the runner-up. */
static void ref_bvt_two(struct vcpu **best, struct vcpu **second)
{
    struct vcpu *const *all;
    unsigned int n;

    *best = *second = NULL;
    all = sched_vcpus(&n);
    for ( unsigned int i = 0; i < n; i++ )
    {
        struct vcpu *v = all[i];

        if ( !ref_runnable(v) )
            continue;
        if ( !*best || ref_bvt_before(v, *best) )
        {
            *second = *best;
            *best = v;
        }
        else if ( !*second || ref_bvt_before(v, *second) )
            *second = v;
    }
}

/* SVT by scanning: the lowest A of the runnable ones but skip. */
static bool ref_svt(const struct vcpu *skip, uint64_t *svt)
{
    struct vcpu *const *all;
    unsigned int n;
    bool any = false;

    all = sched_vcpus(&n);
    for ( unsigned int i = 0; i < n; i++ )
        if ( all[i] != skip && ref_runnable(all[i]) && (!any || all[i]->sched.avt < *svt) )
        {
            *svt = all[i]->sched.avt;
            any = true;
        }
    return any;
}

static unsigned int nr_checks, nr_mismatches;

static void check_bvt_pick(void)
{
    struct vcpu *best, *second, *got, *got_yield;
    uint64_t slice;

    CU_ASSERT_EQUAL_FATAL(sched_check(), 0);
    ref_bvt_two(&best, &second);
    got = sched_bvt_ops.pick_next(NULL, fake_now_ns, &slice);
    /* A yield of the best gives the runner-up, when there is one. */
    got_yield = best ? sched_bvt_ops.pick_next(best, fake_now_ns, &slice) : NULL;
    nr_checks++;
    if ( got != best || (best && got_yield != (second ? second : best)) )
    {
        if ( !nr_mismatches++ )
            fprintf(stderr, "\n  BVT pick: got d%d (yield d%d), scan d%d then d%d\n",
                    got ? got->domain->domain_id : -1,
                    got_yield ? got_yield->domain->domain_id : -1,
                    best ? best->domain->domain_id : -1,
                    second ? second->domain->domain_id : -1);
    }
}

static struct vcpu *random_vcpu(void)
{
    struct vcpu *const *all;
    unsigned int n;

    all = sched_vcpus(&n);
    return all[rng_below(n)];
}

static unsigned int nr_runnable(void)
{
    struct vcpu *const *all;
    unsigned int n, r = 0;

    all = sched_vcpus(&n);
    for ( unsigned int i = 0; i < n; i++ )
        r += ref_runnable(all[i]);
    return r;
}

static void tick(uint64_t advance)
{
    struct cpu_regs r = current->regs;

    fake_now_ns += advance;
    CU_ASSERT_EQUAL_FATAL(FAKE_RUN(core_timer_interrupt(&r)), -1);
}

static void hypercall_as(struct vcpu *v, uint32_t nr, uint32_t a1, uint32_t a2)
{
    fixture_become(v);
    unit_hypercall(nr, a1, a2, 0, 0, 0);
}

/* One random step of the machine; the domain 0 never blocks, so something
 * can always run. */
static void random_step(bool bvt)
{
    struct vcpu *v = random_vcpu();

    switch ( rng_below(8) )
    {
    case 0:                             /* the running one yields */
        fake_now_ns += rng_below(3000000);
        hypercall_as(current, __HYPERVISOR_sched_op, SCHEDOP_yield, 0);
        break;
    case 1:                             /* a tick, maybe the slice's end */
        tick(rng_below(2) ? rng_below(20000) : rng_below(20000000));
        break;
    case 2:                             /* someone blocks (as itself) */
        if ( v == dom0 || !ref_runnable(v) || nr_runnable() < 3 )
            break;
        v->vcpu_info->evtchn_upcall_pending = 0;
        hypercall_as(v, __HYPERVISOR_sched_op, SCHEDOP_block, 0);
        CU_ASSERT(v->sched.blocked);
        break;
    case 3:                             /* someone wakes: A = max(A, SVT) */
    case 4:
    {
        uint64_t svt = 0, before = v->sched.avt;
        bool any;

        if ( !v->sched.blocked )
            break;
        fake_now_ns += rng_below(100000);
        sched_account(fake_now_ns);     /* the running one's A as the wake sees it */
        any = ref_svt(v, &svt);
        sched_wake(v);
        CU_ASSERT_FALSE(v->sched.blocked);
        if ( bvt )
            CU_ASSERT_EQUAL(v->sched.avt, any && svt > before ? svt : before);
        break;
    }
    case 5:                             /* new weight, maybe a warp */
        if ( bvt )
        {
            struct sched_bvt_params p = {
                .weight = 1 + rng_below(8),
                .warp_enabled = rng_below(3) == 0,
                .warp_ns = rng_below(4) * 1000000ull,
                .warp_limit_ns = rng_below(3) * 1000000ull,
                .unwarp_ns = rng_below(3) * 1000000ull,
            };

            CU_ASSERT_EQUAL(sched_bvt_set(v, &p), 0);
        }
        break;
    case 6:                             /* the caller changes behind the scheduler's back */
        if ( ref_runnable(v) )
            fixture_become(v);
        break;
    case 7:                             /* time passes, the running one is charged */
        fake_now_ns += rng_below(5000000);
        sched_account(fake_now_ns);
        break;
    }
}

static void run_bvt_random(unsigned int nr_domains, unsigned int steps, uint64_t seed)
{
    unsigned long dispatches;

    boot_many(nr_domains, "dom0_mem=4M");
    rng_seed(seed);
    nr_checks = nr_mismatches = 0;
    dispatches = fake_dispatch_count();
    for ( unsigned int i = 0; i < steps; i++ )
    {
        random_step(true);
        check_bvt_pick();
    }
    CU_ASSERT_EQUAL(nr_mismatches, 0);
    CU_ASSERT_EQUAL(nr_checks, steps);
    CU_ASSERT(fake_dispatch_count() - dispatches > steps / 8);
}

static void test_bvt_random_small(void)
{
    run_bvt_random(10, 20000, 0xb47);
}

static void test_bvt_random_1000(void)
{
    run_bvt_random(1000, 4000, 0x1000);
}

/* Round robin: the next higher rr_seq after the current vCPU's among the
 * runnable ones, else the lowest - as its scan did. */
static struct vcpu *ref_rr_next(void)
{
    struct vcpu *const *all;
    struct vcpu *after = NULL, *first = NULL;
    unsigned int n, from = current ? current->sched.rr_seq : 0;

    all = sched_vcpus(&n);
    for ( unsigned int i = 0; i < n; i++ )
    {
        struct vcpu *v = all[i];

        if ( !ref_runnable(v) )
            continue;
        if ( !first || v->sched.rr_seq < first->sched.rr_seq )
            first = v;
        if ( current && v->sched.rr_seq > from &&
             (!after || v->sched.rr_seq < after->sched.rr_seq) )
            after = v;
    }
    return after ? after : first;
}

static void test_rr_random(void)
{
    unsigned int sizes[2] = { 7, 1000 };

    for ( unsigned int k = 0; k < 2; k++ )
    {
        boot_many(sizes[k], "dom0_mem=4M sched=rr");
        CU_ASSERT_STRING_EQUAL(sched_policy_name(), "rr");
        rng_seed(0x77 + k);
        nr_mismatches = 0;
        for ( unsigned int i = 0; i < 6000; i++ )
        {
            struct vcpu *want, *got;
            uint64_t slice;

            random_step(false);
            CU_ASSERT_EQUAL_FATAL(sched_check(), 0);
            want = ref_rr_next();
            got = sched_rr_ops.pick_next(NULL, fake_now_ns, &slice);
            if ( got != want && !nr_mismatches++ )
                fprintf(stderr, "\n  RR pick: got d%d, scan d%d\n",
                        got ? got->domain->domain_id : -1, want ? want->domain->domain_id : -1);
        }
        CU_ASSERT_EQUAL(nr_mismatches, 0);
        /* Without interference, a yield visits every runnable one in turn. */
        {
            struct vcpu *start = current, *v;
            unsigned int seen = 0, runnable = nr_runnable();

            do
            {
                v = ref_rr_next();
                hypercall_as(current, __HYPERVISOR_sched_op, SCHEDOP_yield, 0);
                CU_ASSERT_PTR_EQUAL_FATAL(current, v);
                seen++;
            } while ( current != start && seen <= runnable );
            CU_ASSERT_EQUAL(seen, runnable);
        }
    }
}

/* ------------------------------------------------------------------------
 * Reaping.
 */

static void test_reap_dying(void)
{
    unsigned int free_before, n;
    uint64_t slice;

    boot_many(1, "dom0_mem=4M");
    free_before = frame_free_count();
    /* Bare domains without page tables of their own: never dispatched. */
    for ( unsigned int i = 1; i <= 20; i++ )
    {
        struct domain *d = domain_create((uint16_t)i, "dying", false);

        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        sched_add_vcpu(&d->vcpu[0]);
    }
    sched_vcpus(&n);
    CU_ASSERT_EQUAL(n, 21);
    CU_ASSERT_EQUAL(free_before - frame_free_count(), 20);

    /* Three die while another runs: out of the runqueue at once. */
    domain_crash(domain_lookup(3), "test");
    domain_crash(domain_lookup(17), "test");
    domain_shutdown(domain_lookup(9), SHUTDOWN_poweroff);
    domain_crash(domain_lookup(9), "after its shutdown");  /* listed once */
    CU_ASSERT_EQUAL(sched_check(), 0);
    for ( unsigned int i = 0; i < 50; i++ )
    {
        struct vcpu *v = sched_bvt_ops.pick_next(NULL, fake_now_ns, &slice);

        CU_ASSERT(v && v->domain->state == DOMAIN_RUNNING);
    }
    /* Gone at the next decision: their frames back, none left behind. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0), 0);
    CU_ASSERT_PTR_NULL(domain_lookup(3));
    CU_ASSERT_PTR_NULL(domain_lookup(9));
    CU_ASSERT_PTR_NULL(domain_lookup(17));
    CU_ASSERT_PTR_NOT_NULL(domain_lookup(4));
    sched_vcpus(&n);
    CU_ASSERT_EQUAL(n, 18);
    CU_ASSERT_EQUAL(free_before - frame_free_count(), 17);
    CU_ASSERT_EQUAL(sched_check(), 0);

    /* The current one dies: it stays until the switch away from it. */
    {
        struct vcpu *v = &domain_lookup(5)->vcpu[0];

        fixture_become(v);
        domain_shutdown(v->domain, SHUTDOWN_poweroff);
        CU_ASSERT_EQUAL(sched_check(), 0);
        CU_ASSERT_PTR_NOT_NULL(domain_lookup(5));
        sched_after_entry();
        CU_ASSERT_NOT_EQUAL(current, v);
    }
    CU_ASSERT_PTR_NULL(domain_lookup(5));
    CU_ASSERT_EQUAL(sched_check(), 0);
    CU_ASSERT_EQUAL(free_before - frame_free_count(), 16);
}

/* ------------------------------------------------------------------------
 * The queue of timer deadlines.
 */

/* The earliest deadline by scanning every vCPU: alarms and poll timeouts of
 * running domains. */
static uint64_t ref_earliest(void)
{
    struct vcpu *const *all;
    unsigned int n;
    uint64_t t = 0;

    all = sched_vcpus(&n);
    for ( unsigned int i = 0; i < n; i++ )
    {
        struct vcpu *v = all[i];
        uint64_t d[2] = { v->time.singleshot_ns,
                          v->sched.blocked && v->sched.polling ? v->sched.poll_timeout : 0 };

        if ( v->domain->state != DOMAIN_RUNNING )
            continue;
        for ( unsigned int k = 0; k < 2; k++ )
            if ( d[k] && (!t || d[k] < t) )
                t = d[k];
    }
    return t;
}

/* A built domain polls (no ports: only the timeout ends it) as itself. */
static void poll_until(struct vcpu *v, uint64_t timeout)
{
    struct sched_poll p = { .nr_ports = 0, .timeout = timeout };
    struct vcpu *was = current;

    fixture_become(v);
    CU_ASSERT_EQUAL(copy_to_guest(v, ARG, &p, sizeof(p)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_poll, ARG, 0, 0, 0), 0);
    CU_ASSERT(v->sched.blocked && v->sched.polling);
    if ( current == v )
        fixture_become(was);
}

static void test_timer_queue(void)
{
    static uint64_t alarm[NR_IDS];
    static uint64_t polled[NR_IDS];
    struct vcpu *const *all;
    unsigned int n, fired = 0, woken = 0, armed = 0;

    boot_mixed(300, 2, "dom0_mem=4M");
    rng_seed(0x7173);
    all = sched_vcpus(&n);
    /* Alarms for most, some at equal times. */
    for ( unsigned int i = 0; i < n; i++ )
    {
        uint64_t t = fake_now_ns + 1000 + rng_below(64) * 50000;

        if ( rng_below(4) )
        {
            CU_ASSERT_EQUAL(do_set_timer_op(all[i], (uint32_t)t, (uint32_t)(t >> 32), 0, 0, 0), 0);
            armed++;
        }
    }
    /* Some change their minds. */
    for ( unsigned int i = 0; i < 20; i++ )
        do_set_timer_op(all[rng_below(n)], 0, 0, 0, 0, 0);
    fixture_become(dom0);
    CU_ASSERT_EQUAL(sched_check(), 0);
    CU_ASSERT(armed > 100);

    /* Tick by tick: the machine timer is always the scan's earliest (or the
     * slice's end), and exactly what was due fired. The two built domains
     * poll again and again meanwhile. */
    for ( unsigned int guard = 0; ref_earliest() && guard < 10000; guard++ )
    {
        uint64_t want, slice, now;

        for ( unsigned int d = 1; d <= 2 && woken < 40; d++ )
        {
            struct vcpu *v = &domain_lookup((uint16_t)d)->vcpu[0];

            if ( !v->sched.blocked && nr_runnable() > 1 )
                poll_until(v, fake_now_ns + 1 + rng_below(16) * 25000);
        }
        fixture_become(dom0);
        want = ref_earliest();
        slice = sched_next_deadline();
        time_rearm();
        CU_ASSERT_EQUAL_FATAL(fake_timer, slice && slice < want ? slice : want);
        for ( unsigned int i = 0; i < n; i++ )
        {
            alarm[i] = all[i]->time.singleshot_ns;
            polled[i] = all[i]->sched.blocked && all[i]->sched.polling ?
                        all[i]->sched.poll_timeout : 0;
        }
        now = fake_timer;
        tick(now > fake_now_ns ? now - fake_now_ns : 0);
        for ( unsigned int i = 0; i < n; i++ )
        {
            struct vcpu *v = all[i];

            if ( alarm[i] && alarm[i] <= now )
            {
                CU_ASSERT_EQUAL(v->time.singleshot_ns, 0);
                fired++;
            }
            else
                CU_ASSERT_EQUAL(v->time.singleshot_ns, alarm[i]);
            if ( polled[i] && !v->sched.blocked )
            {
                CU_ASSERT(polled[i] <= now && v->sched.poll_timeout == 0);
                woken++;
            }
            else if ( polled[i] )
                CU_ASSERT(v->sched.poll_timeout > now);
        }
        CU_ASSERT_EQUAL_FATAL(sched_check(), 0);
    }
    CU_ASSERT_EQUAL(ref_earliest(), 0);
    CU_ASSERT(fired > 150);
    CU_ASSERT(woken >= 40);
}

/* A virtual alarm passed while its vCPU ran and it was switched away before
 * the tick: it fires at the next tick all the same. */
static void test_vtimer_after_switch(void)
{
    struct evtchn_bind_virq b = { .virq = VIRQ_TIMER, .vcpu = 0 };
    struct vcpu_pvx_set_vtimer vt;
    struct vcpu *v0;

    boot_many(3, "dom0_mem=4M");
    v0 = current;
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &b, sizeof(b)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, ARG, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &b, ARG, sizeof(b)), 0);
    fake_now_ns += 1000;
    vt.vtime_ns = sched_vtime(v0, fake_now_ns) + 5000;
    CU_ASSERT_EQUAL(copy_to_guest(current, ARG, &vt, sizeof(vt)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_vcpu_op, VCPUOP_pvx_set_vtimer, 0, ARG, 0, 0), 0);
    /* Runs past it and yields before the tick. */
    fake_now_ns += 8000;
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0), 0);
    CU_ASSERT_NOT_EQUAL(current, v0);
    CU_ASSERT_FALSE(evtchn_is_pending(v0->domain, b.port));
    CU_ASSERT(v0->time.vtimer_listed);
    CU_ASSERT_EQUAL(sched_check(), 0);
    tick(1);
    CU_ASSERT(evtchn_is_pending(v0->domain, b.port));
    CU_ASSERT_EQUAL(v0->time.vtimer_ns, 0);
    CU_ASSERT_FALSE(v0->time.vtimer_listed);
    CU_ASSERT_EQUAL(sched_check(), 0);
}

void unit_register_sched(void)
{
    CU_pSuite s = CU_add_suite("scheduler queues", NULL, NULL);

    CU_add_test(s, "heap: insert, remove, update, replace, ties, check", test_heap_basics);
    CU_add_test(s, "heap: 20,000 random operations against a scan", test_heap_random);
    CU_add_test(s, "BVT: 10 domains, random steps, pick = scan's", test_bvt_random_small);
    CU_add_test(s, "BVT: 1,000 domains, random steps, pick = scan's", test_bvt_random_1000);
    CU_add_test(s, "RR: 7 and 1,000 domains, random steps, pick = scan's", test_rr_random);
    CU_add_test(s, "reap: stopped domains leave at once, destroyed once", test_reap_dying);
    CU_add_test(s, "timers: deadlines in order, due ones fire, = scan", test_timer_queue);
    CU_add_test(s, "timers: a virtual alarm passed before a switch fires", test_vtimer_after_switch);
}
