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
const char *trap_name(unsigned int vector);

#endif /* PVX_TRAPS_H */
