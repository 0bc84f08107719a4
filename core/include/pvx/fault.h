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

/* The sites, in machine.fault.site[] (machine.h). */
enum fault_site_id {
    FAULT_FRAME_ALLOC,          /* frame_alloc: no frame */
    FAULT_GUEST_COPY,           /* copy_{from,to}_guest: -EFAULT */
    FAULT_CONSOLE,              /* console_io write: -EIO */
    FAULT_EVTCHN_SEND,          /* EVTCHNOP_send: -ENOMEM, nothing sent */
    FAULT_TIMER,                /* set_timer_op / singleshot timer: -ENOMEM */
    FAULT_DOMAIN_CREATE,        /* domain_create: no domain (createdomain -ENOMEM) */
    FAULT_FOREIGN_MAP,          /* a privileged domain's foreign mapping: -ENOMEM */
    FAULT_DISK_MEDIA,           /* a disk operation fails: the request gets an error */
    FAULT_DISK_LOST,            /* a disk's completion is lost: the watchdog fails it */
    FAULT_NET_TX,               /* PHYSDEVOP_pvx_net_tx: -EIO, the frame never sent */
    FAULT_NET_RX,               /* a received frame lost before the VFR sees it */
    FAULT_VIF_RX,               /* a VIF's packet finds no posted frame: dropped, counted */
    FAULT_NR_SITES
};
#define fault_frame_alloc  (machine.fault.site[FAULT_FRAME_ALLOC])
#define fault_guest_copy   (machine.fault.site[FAULT_GUEST_COPY])
#define fault_console      (machine.fault.site[FAULT_CONSOLE])
#define fault_evtchn_send  (machine.fault.site[FAULT_EVTCHN_SEND])
#define fault_timer        (machine.fault.site[FAULT_TIMER])
#define fault_domain_create (machine.fault.site[FAULT_DOMAIN_CREATE])
#define fault_foreign_map  (machine.fault.site[FAULT_FOREIGN_MAP])
#define fault_disk_media   (machine.fault.site[FAULT_DISK_MEDIA])
#define fault_disk_lost    (machine.fault.site[FAULT_DISK_LOST])
#define fault_net_tx       (machine.fault.site[FAULT_NET_TX])
#define fault_net_rx       (machine.fault.site[FAULT_NET_RX])
#define fault_vif_rx       (machine.fault.site[FAULT_VIF_RX])

/* The knobs of a site that may fail this call (fault.c). */
bool fault_decide(struct fault_site *f);

/*
 * Should this call fail? Counts the call either way. Inline: a site sits on
 * hot paths (every guest copy), and with nothing armed - always, outside a
 * fault campaign - the answer is one predictable branch, not a call.
 */
static inline bool fault_hit(struct fault_site *f)
{
    f->calls++;
    if ( __builtin_expect(f->fail_nth == 0 && (f->probability == 0 || f->times == 0), 1) )
        return false;
    return fault_decide(f);
}

/* Reset every site (no injection) and the seed. */
void fault_init(void);
/* Parse "SITE:KNOB=V,...[;SITE:...]"; returns 0 or -EINVAL (nothing changed). */
int fault_configure(const char *spec);
void fault_set_seed(uint64_t seed);
/* Print "(pvx) fault SITE: calls N, injected M" for every site. */
void fault_report(void);

/* The site names above are machine's fields: whoever names one sees it. */
#include <pvx/machine.h>

#endif /* PVX_FAULT_H */
