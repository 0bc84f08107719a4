/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sched.h - choosing which vCPU runs.
 */
#ifndef PVX_SCHED_H
#define PVX_SCHED_H

struct vcpu;

void sched_init(void);
/* Make v the running vCPU: its address space, its ring-1 stack. */
void sched_switch_to(struct vcpu *v);
/* Run something else if the current vCPU cannot go on, or asked to yield. */
void schedule(void);
/* After every entry from a guest: if current may not continue, switch. */
void sched_after_entry(void);

#endif /* PVX_SCHED_H */
