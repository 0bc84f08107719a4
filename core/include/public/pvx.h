/* SPDX-License-Identifier: MIT */
/*
 * public/pvx.h - pvx's own extensions of the Xen ABI, in numbering ranges Xen
 * does not use (documented in docs/abi.md):
 *
 *   vcpu_op    0x7000-0x70ff   the virtual-time alarm
 *   domctl     0x7000-0x700f   scheduler parameters and accounting
 *   domctl     0x7010-0x701f   virtual block devices and physical disks
 *   physdev_op 0x7000-0x700f   a guest's virtual block devices and their rings
 *   VIRQ 15                    responses on a block ring
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

/*
 * Virtual block devices (docs/io.md): a VBD is a list of extents of
 * physical disks, read-only or read-write, that a domain reaches as one
 * device numbered vdev (Linux's: xvda is 202 << 8 = 51712). Privileged: the
 * initial domain's toolstack installs them for a domain (`domain`).
 *   vbd_create   a VBD with no extents: vdev, mode (-EEXIST if the domain
 *                has it, -ENOSPC when the machine's table is full)
 *   vbd_grow     one extent more at its end: disk, start, nr (-EINVAL
 *                outside the disk; -EBUSY if it overlaps another VBD's
 *                extent and either of them is writable)
 *   vbd_destroy  the VBD goes: requests in flight finish and are not
 *                answered, those not started are dropped (-ENOENT: none)
 *   vbd_list     the domain's index-th VBD: vdev, mode, sectors,
 *                nr_extents (-ENOENT past the last)
 *   disk_info    the machine's disk `disk`: sectors, nr_disks (-ENODEV:
 *                no such disk; `domain` is not looked at)
 */
#define XEN_DOMCTL_pvx_vbd_create   0x7010
#define XEN_DOMCTL_pvx_vbd_grow     0x7011
#define XEN_DOMCTL_pvx_vbd_destroy  0x7012
#define XEN_DOMCTL_pvx_vbd_list     0x7013
#define XEN_DOMCTL_pvx_disk_info    0x7014
/* The disk's counters since boot (`domain` is not looked at): operations
 * completed, of them failed, the time the device had one (start to
 * completion), and the distance its head moved, in sectors. -ENODEV. */
#define XEN_DOMCTL_pvx_disk_stats   0x7015

#define PVX_VBD_MODE_R  0x1
#define PVX_VBD_MODE_W  0x2
#define PVX_VBD_MODE_RW (PVX_VBD_MODE_R | PVX_VBD_MODE_W)

struct xen_domctl_pvx_vbd {
    uint16_t     vdev;
    uint16_t     mode;                  /* PVX_VBD_MODE_R or _RW */
    uint32_t     index;                 /* list: IN */
    uint32_t     disk;                  /* grow, disk_info: IN */
    uint32_t     nr_extents;            /* list: OUT; disk_info: OUT nr_disks */
    xen_uint64_t start;                 /* grow: IN, first sector on the disk */
    xen_uint64_t nr;                    /* grow: IN; list, disk_info: OUT sectors */
};
_Static_assert(sizeof(struct xen_domctl_pvx_vbd) == 32, "xen_domctl_pvx_vbd size");
_Static_assert(offsetof(struct xen_domctl_pvx_vbd, start) == 16, "xen_domctl_pvx_vbd.start");

struct xen_domctl_pvx_disk_stats {
    uint32_t     disk;                  /* IN */
    uint32_t     pad;
    xen_uint64_t ops, errors, busy_ns, seek_sectors;
};
_Static_assert(sizeof(struct xen_domctl_pvx_disk_stats) == 40, "xen_domctl_pvx_disk_stats size");

struct xen_domctl {
    uint32_t cmd;
    uint32_t interface_version;         /* XEN_DOMCTL_INTERFACE_VERSION */
    domid_t  domain;
    uint16_t pad[3];
    union {
        struct xen_domctl_pvx_bvt     pvx_bvt;
        struct xen_domctl_pvx_getinfo pvx_getinfo;
        struct xen_domctl_pvx_vbd     pvx_vbd;
        struct xen_domctl_pvx_disk_stats pvx_disk_stats;
        uint8_t pad[128];
    } u;
};
typedef struct xen_domctl xen_domctl_t;
_Static_assert(sizeof(struct xen_domctl) == 144, "xen_domctl size");
_Static_assert(offsetof(struct xen_domctl, u) == 16, "xen_domctl.u");

/*
 * physdev_op: a guest's own virtual block devices (docs/io.md). The ring is
 * one frame of the guest's (its machine frame number), an io/blkif.h ring
 * the guest initialised; it holds a writable type while attached, so it
 * cannot become a page table. Responses are notified on VIRQ_PVX_BLKIF (one
 * for all the domain's rings) when rsp_event says so; new requests are
 * taken when the guest notifies - which req_event says it must - or when
 * the hypervisor comes back to the ring for its next batch.
 *   vbd_info       the caller's index-th VBD: vdev, mode, sectors (-ENOENT
 *                  past the last)
 *   blkif_connect  attach the ring in frame ring_mfn to VBD vdev (-ENOENT:
 *                  no such VBD; -EEXIST: one is attached; -EINVAL: not a
 *                  frame of the caller's it may write)
 *   blkif_notify   take the new requests of vdev's ring now (-EINVAL if its
 *                  indices are insane: nothing is taken; -ENOTCONN: no ring)
 *   blkif_disconnect  detach it (-EBUSY while requests are in flight)
 */
#define PHYSDEVOP_pvx_vbd_info          0x7000
#define PHYSDEVOP_pvx_blkif_connect     0x7001
#define PHYSDEVOP_pvx_blkif_notify      0x7002
#define PHYSDEVOP_pvx_blkif_disconnect  0x7003

struct physdev_pvx_blkif {
    uint16_t     vdev;                  /* IN (vbd_info: OUT) */
    uint16_t     mode;                  /* vbd_info: OUT, PVX_VBD_MODE_* */
    uint32_t     index;                 /* vbd_info: IN */
    uint32_t     ring_mfn;              /* connect: IN */
    uint32_t     pad;
    xen_uint64_t sectors;               /* vbd_info: OUT */
};
_Static_assert(sizeof(struct physdev_pvx_blkif) == 24, "physdev_pvx_blkif size");
_Static_assert(offsetof(struct physdev_pvx_blkif, sectors) == 16, "physdev_pvx_blkif.sectors");

/* Bound with EVTCHNOP_bind_virq on vCPU 0: a domain's VIRQ. */
#define VIRQ_PVX_BLKIF  15

#endif /* PVX_PUBLIC_PVX_H */
