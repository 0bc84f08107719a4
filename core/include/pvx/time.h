/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * time.h - system time, guests' time info and timers.
 *
 * System time is arch_now_ns(): ns since boot. Each vCPU has a real-time
 * alarm (set_timer_op, VCPUOP_set_singleshot_timer) and a virtual-time alarm
 * (VCPUOP_pvx_set_vtimer: fires when the domain has *run* that long); both
 * raise VIRQ_TIMER.
 */
#ifndef PVX_TIME_H
#define PVX_TIME_H

#include <pvx/types.h>

struct vcpu;
struct domain;

struct time_vcpu {
    uint64_t singleshot_ns;     /* system time; 0: not armed */
    uint64_t vtimer_ns;         /* the domain's virtual time; 0: not armed */
    bool vtimer_listed;         /* its virtual alarm is due: fires at the next tick */
};

/* Timeouts this far ahead are taken as a guest's bug (wrapped arithmetic):
 * as Xen does, they fire after TIME_FAR_FUTURE_CLAMP_NS instead. */
#define TIME_FAR_FUTURE_NS      (1ull << 50)
#define TIME_FAR_FUTURE_CLAMP_NS 100000000ull  /* 100 ms */

void time_boot(void);
/* Publish system time and the TSC scale in v's vcpu_info (version odd while
 * writing), and the wall clock in its shared_info. */
void time_update_vcpu_info(struct vcpu *v);
/* Arm the machine timer for the earliest of the scheduler's and every
 * vCPU's deadline: O(1). */
void time_rearm(void);
/* Fire every timer due at now (VIRQ_TIMER, poll timeouts): O(k log n) for k
 * due. Called after the running vCPU was charged up to now. */
void time_fire_due(uint64_t now);
void time_vcpu_reset(struct vcpu *v);
/* v's alarm, poll timeout, blocked or polling state or its domain's state
 * changed: its place in the queue of deadlines. */
void time_requeue(struct vcpu *v);
/* v was charged run time (sched_account): its virtual alarm may be due. */
void time_vcpu_ran(struct vcpu *v);
/* The queue of deadlines holds every vCPU with one, in order (sched_check). */
int time_check(void);
/* The scale a guest uses: ns = ((tsc_delta << shift) * mul) >> 32 (shift may be negative). */
void time_tsc_scale(uint64_t tsc_hz, uint32_t *mul, int8_t *shift);
uint64_t time_scale_delta(uint64_t delta, uint32_t mul, int8_t shift);

long do_set_timer_op(struct vcpu *v, uint32_t lo, uint32_t hi, uint32_t a3, uint32_t a4,
                     uint32_t a5);
/* vcpu_op's timer and runstate sub-ops for target (a vCPU of v's domain);
 * -ENOSYS for any other (do_vcpu_op, domain/vcpu.c, has those). */
long time_vcpu_op(struct vcpu *v, struct vcpu *target, uint32_t cmd, uint32_t arg);
long do_platform_op(struct vcpu *v, uint32_t arg, uint32_t a2, uint32_t a3, uint32_t a4,
                    uint32_t a5);

#endif /* PVX_TIME_H */
