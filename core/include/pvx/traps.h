/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * traps.h - exceptions raised by guests.
 */
#ifndef PVX_TRAPS_H
#define PVX_TRAPS_H

#include <pvx/types.h>

struct vcpu;

/* Deliver the exception in v->regs (entry_vector, error_code) to the guest,
 * or kill the domain when it cannot take it. */
void traps_deliver(struct vcpu *v, uint32_t cr2);

/*
 * Bounce v into a guest handler at cs:eip, Xen x86_32 style: from ring 3
 * switch to the registered kernel stack and push SS, ESP; then EFLAGS (IF =
 * !upcall_mask), CS (the saved upcall mask in bits 16-23), EIP and, when
 * has_error, the error code; with mask_events set, mask upcalls. Rewrites
 * v->regs to enter the handler. Returns 0, or -EFAULT when the frame cannot be
 * written (the caller kills the domain: a fault while delivering a fault).
 * Used for exceptions (traps.c) and the event callback (event_channel.c).
 */
int traps_bounce(struct vcpu *v, uint32_t cs, uint32_t eip, bool has_error,
                 uint32_t error_code, bool mask_events);
const char *trap_name(unsigned int vector);

#endif /* PVX_TRAPS_H */
