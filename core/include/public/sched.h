/* SPDX-License-Identifier: MIT */
/*
 * public/sched.h - sched_op hypercall: HYPERVISOR_sched_op(cmd, arg).
 * The SHUTDOWN_* reasons are in xen.h.
 */
#ifndef PVX_PUBLIC_SCHED_H
#define PVX_PUBLIC_SCHED_H

#include "xen.h"
#include "event_channel.h"

#define SCHEDOP_yield               0   /* arg unused */
#define SCHEDOP_block               1   /* arg unused; unmasks events, sleeps */
#define SCHEDOP_shutdown            2   /* arg: struct sched_shutdown */
#define SCHEDOP_poll                3   /* arg: struct sched_poll */
#define SCHEDOP_remote_shutdown     4   /* arg: struct sched_remote_shutdown */
#define SCHEDOP_shutdown_code       5   /* arg: struct sched_shutdown */
#define SCHEDOP_watchdog            6   /* arg: struct sched_watchdog */
#define SCHEDOP_pin_override        7

struct sched_shutdown {
    uint32_t reason;                    /* SHUTDOWN_* */
};
typedef struct sched_shutdown sched_shutdown_t;
_Static_assert(sizeof(struct sched_shutdown) == 4, "sched_shutdown size");

/* Block until one of the ports is pending or the timeout (system time, ns). */
struct sched_poll {
    xen_guest_handle_t ports;           /* evtchn_port_t[nr_ports] */
    uint32_t           nr_ports;
    xen_uint64_t       timeout;         /* 0: none */
};
typedef struct sched_poll sched_poll_t;
_Static_assert(sizeof(struct sched_poll) == 16, "sched_poll size");
_Static_assert(offsetof(struct sched_poll, nr_ports) == 4, "sched_poll.nr_ports");
_Static_assert(offsetof(struct sched_poll, timeout) == 8, "sched_poll.timeout");

struct sched_remote_shutdown {
    domid_t  domain_id;
    uint16_t pad;
    uint32_t reason;                    /* SHUTDOWN_* */
};
typedef struct sched_remote_shutdown sched_remote_shutdown_t;
_Static_assert(sizeof(struct sched_remote_shutdown) == 8, "sched_remote_shutdown size");
_Static_assert(offsetof(struct sched_remote_shutdown, reason) == 4,
               "sched_remote_shutdown.reason");

struct sched_watchdog {
    uint32_t id;                        /* 0: allocate a new one */
    uint32_t timeout;                   /* seconds; 0: destroy */
};
typedef struct sched_watchdog sched_watchdog_t;
_Static_assert(sizeof(struct sched_watchdog) == 8, "sched_watchdog size");

#endif /* PVX_PUBLIC_SCHED_H */
