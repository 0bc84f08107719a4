/* SPDX-License-Identifier: MIT */
/*
 * public/event_channel.h - event_channel_op hypercall:
 * HYPERVISOR_event_channel_op(cmd, struct evtchn_<cmd> *arg).
 *
 * An event channel is a port in a domain; "sending" on it sets its pending
 * bit in shared_info and, unless masked, an upcall to the bound vCPU.
 */
#ifndef PVX_PUBLIC_EVENT_CHANNEL_H
#define PVX_PUBLIC_EVENT_CHANNEL_H

#include "xen.h"

typedef uint32_t evtchn_port_t;

#define EVTCHNOP_bind_interdomain   0
#define EVTCHNOP_bind_virq          1
#define EVTCHNOP_bind_pirq          2
#define EVTCHNOP_close              3
#define EVTCHNOP_send               4
#define EVTCHNOP_status             5
#define EVTCHNOP_alloc_unbound      6
#define EVTCHNOP_bind_ipi           7
#define EVTCHNOP_bind_vcpu          8
#define EVTCHNOP_unmask             9
#define EVTCHNOP_reset              10
#define EVTCHNOP_init_control       11
#define EVTCHNOP_expand_array       12
#define EVTCHNOP_set_priority       13
#define EVTCHNOP_reset_cont         14

/* A fresh port in <dom> that <remote_dom> may bind to. */
struct evtchn_alloc_unbound {
    domid_t       dom;              /* IN */
    domid_t       remote_dom;       /* IN */
    evtchn_port_t port;             /* OUT */
};
typedef struct evtchn_alloc_unbound evtchn_alloc_unbound_t;
_Static_assert(sizeof(struct evtchn_alloc_unbound) == 8, "evtchn_alloc_unbound size");
_Static_assert(offsetof(struct evtchn_alloc_unbound, port) == 4, "evtchn_alloc_unbound.port");

/* Connect a new local port to an unbound port of another domain. */
struct evtchn_bind_interdomain {
    domid_t       remote_dom;       /* IN */
    uint16_t      pad;
    evtchn_port_t remote_port;      /* IN */
    evtchn_port_t local_port;       /* OUT */
};
typedef struct evtchn_bind_interdomain evtchn_bind_interdomain_t;
_Static_assert(sizeof(struct evtchn_bind_interdomain) == 12, "evtchn_bind_interdomain size");
_Static_assert(offsetof(struct evtchn_bind_interdomain, remote_port) == 4,
               "evtchn_bind_interdomain.remote_port");
_Static_assert(offsetof(struct evtchn_bind_interdomain, local_port) == 8,
               "evtchn_bind_interdomain.local_port");

struct evtchn_bind_virq {
    uint32_t      virq;             /* IN: VIRQ_* */
    uint32_t      vcpu;             /* IN */
    evtchn_port_t port;             /* OUT */
};
typedef struct evtchn_bind_virq evtchn_bind_virq_t;
_Static_assert(sizeof(struct evtchn_bind_virq) == 12, "evtchn_bind_virq size");

#define BIND_PIRQ__WILL_SHARE       1

struct evtchn_bind_pirq {
    uint32_t      pirq;             /* IN */
    uint32_t      flags;            /* IN: BIND_PIRQ__* */
    evtchn_port_t port;             /* OUT */
};
typedef struct evtchn_bind_pirq evtchn_bind_pirq_t;
_Static_assert(sizeof(struct evtchn_bind_pirq) == 12, "evtchn_bind_pirq size");

struct evtchn_bind_ipi {
    uint32_t      vcpu;             /* IN */
    evtchn_port_t port;             /* OUT */
};
typedef struct evtchn_bind_ipi evtchn_bind_ipi_t;
_Static_assert(sizeof(struct evtchn_bind_ipi) == 8, "evtchn_bind_ipi size");

struct evtchn_close {
    evtchn_port_t port;             /* IN */
};
typedef struct evtchn_close evtchn_close_t;
_Static_assert(sizeof(struct evtchn_close) == 4, "evtchn_close size");

struct evtchn_send {
    evtchn_port_t port;             /* IN */
};
typedef struct evtchn_send evtchn_send_t;
_Static_assert(sizeof(struct evtchn_send) == 4, "evtchn_send size");

#define EVTCHNSTAT_closed           0
#define EVTCHNSTAT_unbound          1
#define EVTCHNSTAT_interdomain      2
#define EVTCHNSTAT_pirq             3
#define EVTCHNSTAT_virq             4
#define EVTCHNSTAT_ipi              5

struct evtchn_status {
    domid_t       dom;              /* IN */
    uint16_t      pad;
    evtchn_port_t port;             /* IN */
    uint32_t      status;           /* OUT: EVTCHNSTAT_* */
    uint32_t      vcpu;             /* OUT: vCPU the port notifies */
    union {
        struct {
            domid_t dom;
        } unbound;                  /* EVTCHNSTAT_unbound */
        struct {
            domid_t       dom;
            uint16_t      pad;
            evtchn_port_t port;
        } interdomain;              /* EVTCHNSTAT_interdomain */
        uint32_t pirq;              /* EVTCHNSTAT_pirq */
        uint32_t virq;              /* EVTCHNSTAT_virq */
    } u;
};
typedef struct evtchn_status evtchn_status_t;
_Static_assert(sizeof(struct evtchn_status) == 24, "evtchn_status size");
_Static_assert(offsetof(struct evtchn_status, port) == 4, "evtchn_status.port");
_Static_assert(offsetof(struct evtchn_status, status) == 8, "evtchn_status.status");
_Static_assert(offsetof(struct evtchn_status, vcpu) == 12, "evtchn_status.vcpu");
_Static_assert(offsetof(struct evtchn_status, u) == 16, "evtchn_status.u");
_Static_assert(offsetof(struct evtchn_status, u.interdomain.port) == 20,
               "evtchn_status.u.interdomain.port");

struct evtchn_bind_vcpu {
    evtchn_port_t port;             /* IN */
    uint32_t      vcpu;             /* IN */
};
typedef struct evtchn_bind_vcpu evtchn_bind_vcpu_t;
_Static_assert(sizeof(struct evtchn_bind_vcpu) == 8, "evtchn_bind_vcpu size");

/* Clear the mask bit; re-raises the upcall if the port is pending. */
struct evtchn_unmask {
    evtchn_port_t port;             /* IN */
};
typedef struct evtchn_unmask evtchn_unmask_t;
_Static_assert(sizeof(struct evtchn_unmask) == 4, "evtchn_unmask size");

/* Close every port of a domain. */
struct evtchn_reset {
    domid_t dom;                    /* IN */
};
typedef struct evtchn_reset evtchn_reset_t;
_Static_assert(sizeof(struct evtchn_reset) == 2, "evtchn_reset size");

/* FIFO ABI (not the 2-level one pvx implements first). */
struct evtchn_init_control {
    xen_uint64_t control_gfn;       /* IN */
    uint32_t     offset;            /* IN */
    uint32_t     vcpu;              /* IN */
    uint8_t      link_bits;         /* OUT */
    uint8_t      _pad[7];
};
typedef struct evtchn_init_control evtchn_init_control_t;
_Static_assert(sizeof(struct evtchn_init_control) == 24, "evtchn_init_control size");
_Static_assert(offsetof(struct evtchn_init_control, link_bits) == 16,
               "evtchn_init_control.link_bits");

struct evtchn_expand_array {
    xen_uint64_t array_gfn;         /* IN */
};
typedef struct evtchn_expand_array evtchn_expand_array_t;
_Static_assert(sizeof(struct evtchn_expand_array) == 8, "evtchn_expand_array size");

struct evtchn_set_priority {
    evtchn_port_t port;             /* IN */
    uint32_t      priority;         /* IN */
};
typedef struct evtchn_set_priority evtchn_set_priority_t;
_Static_assert(sizeof(struct evtchn_set_priority) == 8, "evtchn_set_priority size");

/* The argument of the old event_channel_op_compat hypercall (16). */
struct evtchn_op {
    uint32_t cmd;                   /* EVTCHNOP_* */
    union {
        struct evtchn_alloc_unbound    alloc_unbound;
        struct evtchn_bind_interdomain bind_interdomain;
        struct evtchn_bind_virq        bind_virq;
        struct evtchn_bind_pirq        bind_pirq;
        struct evtchn_bind_ipi         bind_ipi;
        struct evtchn_close            close;
        struct evtchn_send             send;
        struct evtchn_status           status;
        struct evtchn_bind_vcpu        bind_vcpu;
        struct evtchn_unmask           unmask;
    } u;
};
typedef struct evtchn_op evtchn_op_t;
_Static_assert(sizeof(struct evtchn_op) == 28, "evtchn_op size");
_Static_assert(offsetof(struct evtchn_op, u) == 4, "evtchn_op.u");

#define EVTCHN_FIFO_PRIORITY_MAX        0
#define EVTCHN_FIFO_PRIORITY_DEFAULT    7
#define EVTCHN_FIFO_PRIORITY_MIN        15

#endif /* PVX_PUBLIC_EVENT_CHANNEL_H */
