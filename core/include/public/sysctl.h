/* SPDX-License-Identifier: MIT */
/*
 * public/sysctl.h - sysctl (hypercall 35): the control interface's
 * machine-wide operations, for the initial domain's toolstack. Xen's numbers,
 * layouts and interface version (Xen 4.17's: 0x15); 64-bit fields 8-byte
 * aligned and guest handles 64 bits wide, as in domctl.h.
 */
#ifndef PVX_PUBLIC_SYSCTL_H
#define PVX_PUBLIC_SYSCTL_H

#include "xen.h"
#include "domctl.h"

#define XEN_SYSCTL_INTERFACE_VERSION 0x00000015

/*
 * XEN_SYSCTL_readconsole: the hypervisor's log ring. Without incremental the
 * read starts at the oldest byte kept; with it, at index (or the oldest kept,
 * if index is older). OUT: count bytes copied, index where the next read
 * starts. clear: the bytes kept are dropped after the read.
 */
struct xen_sysctl_readconsole {
    uint8_t  clear;
    uint8_t  incremental;
    uint8_t  pad0, pad1;
    uint32_t index;                     /* IN/OUT */
    xen_guest_handle_64_t buffer;       /* IN: char[count] */
    uint32_t count;                     /* IN: room; OUT: bytes copied */
};
_Static_assert(sizeof(struct xen_sysctl_readconsole) == 24, "readconsole size");
_Static_assert(offsetof(struct xen_sysctl_readconsole, index) == 4, "readconsole.index");
_Static_assert(offsetof(struct xen_sysctl_readconsole, buffer) == 8, "readconsole.buffer");
_Static_assert(offsetof(struct xen_sysctl_readconsole, count) == 16, "readconsole.count");

/* XEN_SYSCTL_physinfo */
#define XEN_SYSCTL_PHYSCAP_hvm          (1u << 0)
#define XEN_SYSCTL_PHYSCAP_pv           (1u << 1)
#define XEN_SYSCTL_PHYSCAP_directio     (1u << 2)
#define XEN_SYSCTL_PHYSCAP_hap          (1u << 3)
#define XEN_SYSCTL_PHYSCAP_shadow       (1u << 4)
#define XEN_SYSCTL_PHYSCAP_iommu_hap_pt_share (1u << 5)
#define XEN_SYSCTL_PHYSCAP_vmtrace      (1u << 6)
#define XEN_SYSCTL_PHYSCAP_vpmu         (1u << 7)
#define XEN_SYSCTL_PHYSCAP_gnttab_v1    (1u << 8)
#define XEN_SYSCTL_PHYSCAP_gnttab_v2    (1u << 9)

struct xen_sysctl_physinfo {
    uint32_t threads_per_core;
    uint32_t cores_per_socket;
    uint32_t nr_cpus;                   /* online */
    uint32_t max_cpu_id;
    uint32_t nr_nodes;
    uint32_t max_node_id;
    uint32_t cpu_khz;
    uint32_t capabilities;              /* XEN_SYSCTL_PHYSCAP_* */
    uint32_t arch_capabilities;
    uint32_t pad;
    uint64_aligned_t total_pages;
    uint64_aligned_t free_pages;
    uint64_aligned_t scrub_pages;
    uint64_aligned_t outstanding_pages;
    uint64_aligned_t max_mfn;           /* the largest frame number */
    uint32_t hw_cap[8];
};
_Static_assert(sizeof(struct xen_sysctl_physinfo) == 112, "physinfo size");
_Static_assert(offsetof(struct xen_sysctl_physinfo, capabilities) == 28, "physinfo.capabilities");
_Static_assert(offsetof(struct xen_sysctl_physinfo, total_pages) == 40, "physinfo.total_pages");
_Static_assert(offsetof(struct xen_sysctl_physinfo, max_mfn) == 72, "physinfo.max_mfn");
_Static_assert(offsetof(struct xen_sysctl_physinfo, hw_cap) == 80, "physinfo.hw_cap");

/* XEN_SYSCTL_sched_id: the scheduler's id (Xen's XEN_SCHEDULER_* where it
 * has the policy; pvx's own for BVT and round robin, docs/abi.md). */
#define XEN_SCHEDULER_PVX_BVT   0x70
#define XEN_SCHEDULER_PVX_RR    0x71
struct xen_sysctl_sched_id {
    uint32_t sched_id;                  /* OUT */
};
_Static_assert(sizeof(struct xen_sysctl_sched_id) == 4, "sched_id size");

/* XEN_SYSCTL_getdomaininfolist: up to max_domains entries, from the first
 * domain whose id is first_domain or above, in id order. */
struct xen_sysctl_getdomaininfolist {
    domid_t  first_domain;              /* IN */
    uint16_t pad;
    uint32_t max_domains;               /* IN */
    xen_guest_handle_64_t buffer;       /* IN: xen_domctl_getdomaininfo_t[max_domains] */
    uint32_t num_domains;               /* OUT */
};
_Static_assert(sizeof(struct xen_sysctl_getdomaininfolist) == 24, "getdomaininfolist size");
_Static_assert(offsetof(struct xen_sysctl_getdomaininfolist, max_domains) == 4,
               "getdomaininfolist.max_domains");
_Static_assert(offsetof(struct xen_sysctl_getdomaininfolist, buffer) == 8,
               "getdomaininfolist.buffer");
_Static_assert(offsetof(struct xen_sysctl_getdomaininfolist, num_domains) == 16,
               "getdomaininfolist.num_domains");

struct xen_sysctl {
    uint32_t cmd;
#define XEN_SYSCTL_readconsole          1
#define XEN_SYSCTL_physinfo             3
#define XEN_SYSCTL_sched_id             4
#define XEN_SYSCTL_getdomaininfolist    6
    uint32_t interface_version;         /* XEN_SYSCTL_INTERFACE_VERSION */
    union {
        struct xen_sysctl_readconsole       readconsole;
        struct xen_sysctl_physinfo          physinfo;
        struct xen_sysctl_sched_id          sched_id;
        struct xen_sysctl_getdomaininfolist getdomaininfolist;
        uint8_t pad[128];
    } u;
};
typedef struct xen_sysctl xen_sysctl_t;
_Static_assert(sizeof(struct xen_sysctl) == 136, "xen_sysctl size");
_Static_assert(offsetof(struct xen_sysctl, u) == 8, "xen_sysctl.u");

#endif /* PVX_PUBLIC_SYSCTL_H */
