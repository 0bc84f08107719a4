/* SPDX-License-Identifier: MIT */
/*
 * public/callback.h - callback_op hypercall: HYPERVISOR_callback_op(cmd, arg).
 * Registers the entry points through which the hypervisor enters the guest.
 */
#ifndef PVX_PUBLIC_CALLBACK_H
#define PVX_PUBLIC_CALLBACK_H

#include "xen.h"

#define CALLBACKTYPE_event                  0   /* event-channel upcall */
#define CALLBACKTYPE_failsafe               1   /* bad segment on return to guest */
#define CALLBACKTYPE_syscall                2   /* x86_64 guests */
#define CALLBACKTYPE_sysenter_deprecated    3
#define CALLBACKTYPE_nmi                    4
#define CALLBACKTYPE_sysenter               5
#define CALLBACKTYPE_syscall32              7

/* Enter the callback with events masked (upcall_mask set). */
#define _CALLBACKF_mask_events              0
#define CALLBACKF_mask_events               (1u << _CALLBACKF_mask_events)

#define CALLBACKOP_register                 0   /* arg: struct callback_register */
#define CALLBACKOP_unregister               1   /* arg: struct callback_unregister */

struct callback_register {
    uint16_t       type;            /* CALLBACKTYPE_* */
    uint16_t       flags;           /* CALLBACKF_* */
    xen_callback_t address;         /* cs:eip */
};
typedef struct callback_register callback_register_t;
_Static_assert(sizeof(struct callback_register) == 12, "callback_register size");
_Static_assert(offsetof(struct callback_register, flags) == 2, "callback_register.flags");
_Static_assert(offsetof(struct callback_register, address) == 4, "callback_register.address");

struct callback_unregister {
    uint16_t type;
    uint16_t _unused;
};
typedef struct callback_unregister callback_unregister_t;
_Static_assert(sizeof(struct callback_unregister) == 4, "callback_unregister size");

#endif /* PVX_PUBLIC_CALLBACK_H */
