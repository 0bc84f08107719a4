/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * events.h - event channels, time and blocking for pvx test guests.
 *
 * events_init() maps shared_info and registers the event callback; upcalls
 * stay masked until events_enable(). The callback clears each pending,
 * unmasked port, counts it in event_count[] and calls the guest's handler
 * (if set), with upcalls masked; it returns with them unmasked again.
 */
#ifndef GUEST_EVENTS_H
#define GUEST_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <public/xen.h>
#include <public/event_channel.h>

#define GUEST_MAX_PORTS 256

extern struct shared_info *shared_info;
extern volatile uint32_t event_count[GUEST_MAX_PORTS];  /* deliveries per port */
extern volatile uint32_t event_upcalls;                 /* callback entries */
extern volatile uint32_t event_stack_high, event_stack_low;  /* stack the callbacks used */

void events_init(void);
/* Called for every port the callback takes, upcalls masked. */
void events_set_handler(void (*fn)(evtchn_port_t port));

/* The vCPU's virtual IF. enable: clear the mask and, if something became
 * pending meanwhile, make a hypercall so it is delivered (held-off callbacks). */
void events_disable(void);
void events_enable(void);

long evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port);
long evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port, evtchn_port_t *local);
long evtchn_bind_virq(uint32_t virq, evtchn_port_t *port);
long evtchn_bind_ipi(evtchn_port_t *port);
long evtchn_close(evtchn_port_t port);

/* Wait until domain dom is gone: VIRQ_DOM_EXC on port dom_exc (bound by the
 * caller), or - because a domain that died before the VIRQ was bound sends
 * nothing - until its channels can no longer be looked at (-ESRCH). */
void wait_domain_gone(domid_t dom, evtchn_port_t dom_exc);
long evtchn_send(evtchn_port_t port);
long evtchn_unmask(evtchn_port_t port);
long evtchn_status(domid_t dom, evtchn_port_t port, struct evtchn_status *st);

bool evtchn_pending(evtchn_port_t port);
/* Clear the port's pending bit; true if it was set. */
bool evtchn_test_and_clear(evtchn_port_t port);
void evtchn_mask(evtchn_port_t port);

/* SCHEDOP_poll on one port with an absolute timeout (0: none). */
long sched_poll(evtchn_port_t port, uint64_t timeout_ns);
/* SCHEDOP_block: unmask upcalls and sleep until an event. */
long sched_block(void);

/* System time (ns since the hypervisor booted), from rdtsc and vcpu_time_info. */
uint64_t time_now_ns(void);
/* Time this domain has run (its virtual time), from the runstate. */
uint64_t time_run_ns(void);
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    asm volatile ( "rdtsc" : "=a" (lo), "=d" (hi) );
    return ((uint64_t)hi << 32) | lo;
}

#endif /* GUEST_EVENTS_H */
