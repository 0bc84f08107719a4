/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fault.h - fault injection: named sites in the core that can be told to fail.
 *
 * A site sits at the top of an operation that can fail cleanly, before any
 * state changed:   if ( fault_hit(&fault_frame_alloc) ) return -ENOMEM;
 * Knobs follow Linux's fault_attr: probability (percent), interval (consider
 * only every interval-th call), times (how many failures at most, -1 = no
 * limit), space (calls let through before injection starts), and fail-nth
 * (fail exactly the nth call of this site). A seed makes it reproducible.
 *
 * Set on the hypervisor command line, the same on both machines:
 *   fail=SITE:KNOB=V[,KNOB=V...][;SITE:...]   fail_seed=N   fail_report=1
 * (pvx-sim --fail SITE:KNOB=V,... adds the fail= option).
 */
#ifndef PVX_FAULT_H
#define PVX_FAULT_H

#include <pvx/types.h>

struct fault_site {
    const char *name;
    /* knobs */
    uint32_t probability;       /* 0..100 */
    uint32_t interval;
    int32_t times;
    uint32_t space;
    uint32_t fail_nth;          /* 0: off */
    /* what happened */
    uint64_t calls;
    uint64_t injected;
};

extern struct fault_site fault_frame_alloc;     /* frame_alloc: no frame */
extern struct fault_site fault_guest_copy;      /* copy_{from,to}_guest: -EFAULT */
extern struct fault_site fault_console;         /* console_io write: -EIO */
extern struct fault_site fault_evtchn_send;     /* EVTCHNOP_send: -ENOMEM, nothing sent */
extern struct fault_site fault_timer;           /* set_timer_op / singleshot timer: -ENOMEM */

/* Should this call fail? Counts the call either way. */
bool fault_hit(struct fault_site *f);

/* Reset every site (no injection) and the seed. */
void fault_init(void);
/* Parse "SITE:KNOB=V,...[;SITE:...]"; returns 0 or -EINVAL (nothing changed). */
int fault_configure(const char *spec);
void fault_set_seed(uint64_t seed);
/* Print "(pvx) fault SITE: calls N, injected M" for every site. */
void fault_report(void);

#endif /* PVX_FAULT_H */
