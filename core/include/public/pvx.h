/* SPDX-License-Identifier: MIT */
/*
 * public/pvx.h - pvx's own extensions of the Xen ABI, in numbering ranges Xen
 * does not use (documented in docs/abi.md):
 *
 *   vcpu_op 0x7000-0x70ff   the virtual-time alarm
 *   domctl  0x7000-0x70ff   scheduler parameters and accounting
 */
#ifndef PVX_PUBLIC_PVX_H
#define PVX_PUBLIC_PVX_H

#include "xen.h"

/*
 * VCPUOP_pvx_set_vtimer: raise VIRQ_TIMER when the domain has *run* for
 * vtime_ns in total (its virtual time: time it held the CPU, see
 * VCPUOP_get_runstate_info's time[RUNSTATE_running]). A time already reached
 * fires at once. VCPUOP_pvx_stop_vtimer cancels it.
 */
#define VCPUOP_pvx_set_vtimer       0x7000
#define VCPUOP_pvx_stop_vtimer      0x7001
struct vcpu_pvx_set_vtimer {
    xen_uint64_t vtime_ns;
};
_Static_assert(sizeof(struct vcpu_pvx_set_vtimer) == 8, "vcpu_pvx_set_vtimer size");

/* domctl: Xen's header (cmd, interface_version, domain) and our sub-ops. */
#define XEN_DOMCTL_INTERFACE_VERSION 0x00000015

/* Borrowed Virtual Time parameters of a domain (its vCPU 0). Privileged. */
#define XEN_DOMCTL_pvx_bvt_set      0x7000
#define XEN_DOMCTL_pvx_bvt_get      0x7001
struct xen_domctl_pvx_bvt {
    uint32_t     weight;                /* relative share; 1..10000, 0 is -EINVAL */
    uint32_t     warp_enabled;          /* 0 or 1 */
    xen_uint64_t warp_ns;               /* W: borrowed virtual time (<= 60 s) */
    xen_uint64_t warp_limit_ns;         /* L: longest warped run, 0 unlimited */
    xen_uint64_t unwarp_ns;             /* U: unwarped time before warping again */
    xen_uint64_t ctx_allow_ns;          /* OUT (get): the context-switch allowance C */
};
_Static_assert(sizeof(struct xen_domctl_pvx_bvt) == 40, "xen_domctl_pvx_bvt size");

/* CPU time of a domain so far. Privileged. */
#define XEN_DOMCTL_pvx_getinfo      0x7002
struct xen_domctl_pvx_getinfo {
    xen_uint64_t cpu_time_ns;           /* time run = its virtual time */
    xen_uint64_t now_ns;                /* system time of the reading */
    uint32_t     state;                 /* 0 free, 1 running, 2 shut down, 3 crashed */
    uint32_t     blocked;               /* vCPU 0 waits for an event */
    uint32_t     dispatches;            /* times vCPU 0 was dispatched */
    uint32_t     pad;
};
_Static_assert(sizeof(struct xen_domctl_pvx_getinfo) == 32, "xen_domctl_pvx_getinfo size");

struct xen_domctl {
    uint32_t cmd;
    uint32_t interface_version;         /* XEN_DOMCTL_INTERFACE_VERSION */
    domid_t  domain;
    uint16_t pad[3];
    union {
        struct xen_domctl_pvx_bvt     pvx_bvt;
        struct xen_domctl_pvx_getinfo pvx_getinfo;
        uint8_t pad[128];
    } u;
};
typedef struct xen_domctl xen_domctl_t;
_Static_assert(sizeof(struct xen_domctl) == 144, "xen_domctl size");
_Static_assert(offsetof(struct xen_domctl, u) == 16, "xen_domctl.u");

#endif /* PVX_PUBLIC_PVX_H */
