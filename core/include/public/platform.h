/* SPDX-License-Identifier: MIT */
/*
 * public/platform.h - platform_op hypercall (7): HYPERVISOR_platform_op(op).
 * Only the wall-clock setting is implemented; the initial domain alone may use it.
 */
#ifndef PVX_PUBLIC_PLATFORM_H
#define PVX_PUBLIC_PLATFORM_H

#include "xen.h"

#define XENPF_INTERFACE_VERSION     0x03000001

/* Set the wall clock: secs/nsecs were the time at system time system_time. */
#define XENPF_settime32             17
struct xenpf_settime32 {
    uint32_t     secs;
    uint32_t     nsecs;
    xen_uint64_t system_time;
};
_Static_assert(sizeof(struct xenpf_settime32) == 16, "xenpf_settime32 size");

#define XENPF_settime64             62
struct xenpf_settime64 {
    xen_uint64_t secs;
    uint32_t     nsecs;
    uint32_t     mbz;
    xen_uint64_t system_time;
};
_Static_assert(sizeof(struct xenpf_settime64) == 24, "xenpf_settime64 size");

struct xen_platform_op {
    uint32_t cmd;
    uint32_t interface_version;         /* XENPF_INTERFACE_VERSION */
    union {
        struct xenpf_settime32 settime32;
        struct xenpf_settime64 settime64;
        uint8_t pad[128];
    } u;
};
typedef struct xen_platform_op xen_platform_op_t;
_Static_assert(sizeof(struct xen_platform_op) == 136, "xen_platform_op size");
_Static_assert(offsetof(struct xen_platform_op, u) == 8, "xen_platform_op.u");

#endif /* PVX_PUBLIC_PLATFORM_H */
