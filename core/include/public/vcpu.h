/* SPDX-License-Identifier: MIT */
/*
 * public/vcpu.h - vcpu_op hypercall: HYPERVISOR_vcpu_op(cmd, vcpuid, arg).
 */
#ifndef PVX_PUBLIC_VCPU_H
#define PVX_PUBLIC_VCPU_H

#include "xen.h"

#define VCPUOP_initialise                       0   /* arg: vcpu_guest_context */
#define VCPUOP_up                               1
#define VCPUOP_down                             2
#define VCPUOP_is_up                            3
#define VCPUOP_get_runstate_info                4
#define VCPUOP_register_runstate_memory_area    5
#define VCPUOP_set_periodic_timer               6
#define VCPUOP_stop_periodic_timer              7
#define VCPUOP_set_singleshot_timer             8
#define VCPUOP_stop_singleshot_timer            9
#define VCPUOP_register_vcpu_info               10
#define VCPUOP_send_nmi                         11
#define VCPUOP_get_physid                       12
#define VCPUOP_register_vcpu_time_memory_area   13
#define VCPUOP_register_runstate_phys_area      14
#define VCPUOP_register_vcpu_time_phys_area     15

#define RUNSTATE_running    0
#define RUNSTATE_runnable   1
#define RUNSTATE_blocked    2
#define RUNSTATE_offline    3

/* Note the i386 layout: state_entry_time sits at offset 4. */
struct vcpu_runstate_info {
    int32_t      state;                 /* RUNSTATE_* */
    xen_uint64_t state_entry_time;
    xen_uint64_t time[4];               /* ns spent in each state */
};
typedef struct vcpu_runstate_info vcpu_runstate_info_t;
_Static_assert(sizeof(struct vcpu_runstate_info) == 44, "vcpu_runstate_info size");
_Static_assert(offsetof(struct vcpu_runstate_info, state_entry_time) == 4,
               "vcpu_runstate_info.state_entry_time");
_Static_assert(offsetof(struct vcpu_runstate_info, time) == 12, "vcpu_runstate_info.time");

#define XEN_RUNSTATE_UPDATE (1ull << 63)

struct vcpu_register_runstate_memory_area {
    union {
        xen_guest_handle_t h;
        xen_uint64_t       p;
    } addr;
};
typedef struct vcpu_register_runstate_memory_area vcpu_register_runstate_memory_area_t;
_Static_assert(sizeof(struct vcpu_register_runstate_memory_area) == 8,
               "vcpu_register_runstate_memory_area size");

struct vcpu_set_periodic_timer {
    xen_uint64_t period_ns;
};
typedef struct vcpu_set_periodic_timer vcpu_set_periodic_timer_t;
_Static_assert(sizeof(struct vcpu_set_periodic_timer) == 8, "vcpu_set_periodic_timer size");

#define VCPU_SSHOTTMR_future    (1u << 0)   /* fail with -ETIME if already past */

struct vcpu_set_singleshot_timer {
    xen_uint64_t timeout_abs_ns;        /* system time */
    uint32_t     flags;                 /* VCPU_SSHOTTMR_* */
};
typedef struct vcpu_set_singleshot_timer vcpu_set_singleshot_timer_t;
_Static_assert(sizeof(struct vcpu_set_singleshot_timer) == 12,
               "vcpu_set_singleshot_timer size");

struct vcpu_register_vcpu_info {
    xen_uint64_t mfn;                   /* frame to hold this vCPU's vcpu_info */
    uint32_t     offset;
    uint32_t     rsvd;
};
typedef struct vcpu_register_vcpu_info vcpu_register_vcpu_info_t;
_Static_assert(sizeof(struct vcpu_register_vcpu_info) == 16, "vcpu_register_vcpu_info size");

struct vcpu_get_physid {
    xen_uint64_t phys_id;
};
typedef struct vcpu_get_physid vcpu_get_physid_t;
_Static_assert(sizeof(struct vcpu_get_physid) == 8, "vcpu_get_physid size");

#endif /* PVX_PUBLIC_VCPU_H */
