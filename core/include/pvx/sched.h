/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sched.h - choosing which vCPU runs: the generic scheduler and its policies.
 *
 * schedule.c owns the mechanism (run states, accounting, blocking, the idle
 * path, the slice timer); a policy (sched_policy.c: BVT, RR) owns only the
 * choice, through struct sched_ops. Chosen with sched=bvt|rr on the hypervisor
 * command line; BVT is the default.
 */
#ifndef PVX_SCHED_H
#define PVX_SCHED_H

#include <pvx/types.h>

struct vcpu;
struct domain;

/* Borrowed Virtual Time parameters of a vCPU (Duda and Cheriton, SOSP 1999). */
struct sched_bvt_params {
    uint32_t weight;            /* share of the CPU, relative; never 0 */
    bool warp_enabled;          /* may borrow virtual time */
    uint64_t warp_ns;           /* W: how much it borrows */
    uint64_t warp_limit_ns;     /* L: longest warped run (0: unlimited) */
    uint64_t unwarp_ns;         /* U: unwarped time needed before warping again */
};

/* Per-vCPU scheduling state. All times are system time (ns). */
struct sched_vcpu {
    bool registered;            /* known to the policy */
    unsigned int slot;          /* its index in sched_vcpus() */
    bool blocked;               /* SCHEDOP_block / poll: waits for an event */
    bool polling;               /* SCHEDOP_poll: only these ports wake it */
    bool down;                  /* VCPUOP_down: nothing wakes it until VCPUOP_up */
    int32_t poll_port;          /* the one port polled, or -1: any port wakes */
    uint64_t poll_timeout;      /* system time, 0: none */
    uint64_t dispatch_ns;       /* when it last started running */
    uint64_t run_ns;            /* time run so far = the domain's virtual time */
    int runstate;               /* RUNSTATE_* */
    uint64_t runstate_entry_ns;
    uint64_t runstate_ns[4];    /* time in each RUNSTATE_* */
    /* BVT */
    struct sched_bvt_params bvt;
    uint64_t avt;               /* A: actual virtual time (weighted run time) */
    bool warped;                /* running warped now */
    uint64_t warp_start_ns;     /* when the current warped stretch started */
    uint64_t unwarped_since_ns; /* when it last stopped being warped */
    /* round robin */
    unsigned int rr_seq;        /* position in the rotation */
};

/* A policy. pick_next returns the vCPU to run (NULL: idle) and the longest it
 * may run before the policy wants to choose again; it changes nothing, so
 * that it may also be asked (slice_left); dispatch then says what runs.
 * A policy keeps a runqueue of the runnable vCPUs but the dispatched one:
 * add_vcpu, wake, sleep, remove_vcpu, dispatch and adjust keep it so. */
struct sched_ops {
    const char *name;
    void (*init)(void);
    void (*add_vcpu)(struct vcpu *v);
    void (*remove_vcpu)(struct vcpu *v);
    /* v became runnable at now; true when it should preempt the running one. */
    bool (*wake)(struct vcpu *v, struct vcpu *running, uint64_t now);
    void (*sleep)(struct vcpu *v);
    /* v ran for ran_ns (already added to run_ns). */
    void (*charge)(struct vcpu *v, uint64_t ran_ns, uint64_t now);
    struct vcpu *(*pick_next)(struct vcpu *prev, uint64_t now, uint64_t *slice_ns);
    /* v, just picked, runs now: it leaves the runqueue, the one before it
     * (if still runnable) goes back. */
    void (*dispatch)(struct vcpu *v);
    /* Optional. v's parameters changed (sched_bvt_set). */
    void (*adjust)(struct vcpu *v);
    /* The runqueue holds exactly the runnable vCPUs but the dispatched one,
     * in order, with their keys up to date: 0, or negative (sched_check). */
    int (*check)(void);
    /* Optional. After a wake that did not preempt: how much longer the
     * running vCPU may now run (its slice was cut for a field it had alone). */
    uint64_t (*slice_left)(struct vcpu *running, uint64_t now);
};

extern const struct sched_ops sched_bvt_ops;
extern const struct sched_ops sched_rr_ops;

/* Defaults of BVT: Xen 2.0's context-switch allowance was 5 ms. */
#define SCHED_BVT_CTX_ALLOW_NS      5000000ull
#define SCHED_BVT_DEFAULT_WEIGHT    1
#define SCHED_BVT_MAX_WEIGHT        10000
#define SCHED_BVT_MAX_WARP_NS       (60ull * 1000000000ull)
#define SCHED_RR_SLICE_NS           10000000ull     /* 10 ms */
#define SCHED_MIN_SLICE_NS          100000ull       /* 100 us: never shorter */
#define SCHED_MAX_SLICE_NS          100000000ull    /* 100 ms: a lone vCPU still gets ticks */

/* What BVT's context-switch allowance is (sched_policy.c; bvt_ctx_allow= option). */

/* Boot: choose the policy ("bvt", "rr"); false for an unknown name. */
bool sched_select(const char *name);
const char *sched_policy_name(void);
void sched_init(void);
/* A new domain's vCPU joins the scheduler (runnable while its domain runs). */
void sched_add_vcpu(struct vcpu *v);
void sched_remove_vcpu(struct vcpu *v);
/* VCPUOP_up / VCPUOP_down: v joins the rotation (the first time) or comes
 * back; v leaves it (an event still clears its block, but wakes it only
 * when it is up again). */
void sched_vcpu_up(struct vcpu *v);
void sched_vcpu_down(struct vcpu *v);
/* Make v the running vCPU: its address space, its time info. */
void sched_switch_to(struct vcpu *v);
/* Choose and switch to the next vCPU (idling while none can run). */
void schedule(void);
/* Ask for a schedule() on the way back to the guest. */
void sched_raise(void);
/* Before returning to a guest, after every entry (hypercall, trap, timer):
 * switch if the current vCPU cannot go on or a switch is due, then deliver
 * pending events to whatever runs. */
void sched_after_entry(void);
/* The running vCPU's time since its dispatch is charged now. */
void sched_account(uint64_t now);
/* v gets an event (or its timer fired): unblock it if it waits for one. */
void sched_wake(struct vcpu *v);
/* v's domain stopped running: take it out of the rotation now, and destroy
 * it at the next switch away from it. */
void sched_domain_stopped(struct domain *d);
/* Destroy a stopped domain now if it is not the running vCPU's (which is
 * destroyed on the way out); true if it was. */
bool sched_reap_domain(struct domain *d);
/* The slice timer fired: maybe time to choose again. */
void sched_timer_tick(uint64_t now);
/* The earliest deadline the scheduler needs (slice end), 0 for none. */
uint64_t sched_next_deadline(void);
/* The running vCPU's virtual time now (run_ns plus the current stretch). */
uint64_t sched_vtime(const struct vcpu *v, uint64_t now);
/* BVT parameters (domctl): -EINVAL for a zero weight or warp beyond the limit. */
int sched_bvt_set(struct vcpu *v, const struct sched_bvt_params *p);
/* Every registered vCPU, in no particular order: n entries. */
struct vcpu *const *sched_vcpus(unsigned int *n);
/* The scheduler's and the timers' queues agree with every vCPU's state, while
 * the machine runs (for tests; O(n)): 0, or negative: which rule broke. */
int sched_check(void);

#endif /* PVX_SCHED_H */
