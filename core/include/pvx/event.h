/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * event.h - event channels: the 2-level ABI in shared_info.
 */
#ifndef PVX_EVENT_H
#define PVX_EVENT_H

#include <pvx/types.h>

struct vcpu;
struct domain;

/* Ports per domain. The 2-level ABI has room for 1024; pvx gives each domain
 * the first 256 (as a Xen domain with max_evtchn_port 255): ports beyond are
 * -EINVAL, as any port Xen does not know. */
#define EVTCHN_MAX_PORTS 256

/* One port of a domain (struct domain holds its table, as Xen's buckets). */
struct evtchn {
    uint8_t state;              /* EVTCHNSTAT_*, or ECS_RESERVED (event_channel.c) */
    uint8_t notify_vcpu;        /* the vCPU it notifies */
    uint16_t remote_dom;        /* unbound: who may bind; interdomain: the peer */
    uint16_t remote_port;       /* interdomain: the peer's port; virq: the VIRQ */
};

/* Make a domain's port table empty (at creation). */
void evtchn_domain_init(struct domain *d);
/* Close every port of a dying domain (its peers' ports become unbound). */
void evtchn_domain_destroy(struct domain *d);
/* Raise a virtual interrupt: VIRQ_TIMER on v; global VIRQs go to vCPU 0 of
 * the domain that bound them. Nothing happens when the VIRQ is not bound. */
void evtchn_send_virq(struct vcpu *v, unsigned int virq);
void evtchn_send_global_virq(unsigned int virq);
/* Mark port pending in d and notify its vCPU, as a send does. */
void evtchn_set_pending(struct domain *d, unsigned int port);
/* Is port pending in d (port may be anything: false when out of range)? */
bool evtchn_is_pending(const struct domain *d, uint32_t port);
/* Deliver the event callback to v if an upcall is pending and not masked. */
void evtchn_check_upcall(struct vcpu *v);
/* Does v have an event it would take now (pending and not masked)? */
bool evtchn_upcall_deliverable(const struct vcpu *v);

long do_event_channel_op(struct vcpu *v, uint32_t cmd, uint32_t arg, uint32_t a3,
                         uint32_t a4, uint32_t a5);
long do_event_channel_op_compat(struct vcpu *v, uint32_t arg, uint32_t a2, uint32_t a3,
                                uint32_t a4, uint32_t a5);

#endif /* PVX_EVENT_H */
