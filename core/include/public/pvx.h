/* SPDX-License-Identifier: MIT */
/*
 * public/pvx.h - pvx's own extensions of the Xen ABI, in numbering ranges Xen
 * does not use (documented in docs/abi.md):
 *
 *   vcpu_op 0x7000-0x70ff   the virtual-time alarm
 *   domctl  0x7000-0x70ff   scheduler parameters, accounting, building (domctl.h)
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

/* domctl's own sub-ops (XEN_DOMCTL_pvx_*, 0x7000-0x70ff) are in domctl.h. */
#include "domctl.h"

#endif /* PVX_PUBLIC_PVX_H */
