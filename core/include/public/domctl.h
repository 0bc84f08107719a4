/* SPDX-License-Identifier: MIT */
/*
 * public/domctl.h - domctl (hypercall 36): the control interface's domain
 * operations, for the initial domain's toolstack. Xen's numbers, layouts and
 * interface version (Xen 4.17's: 0x15) where Xen has the operation; pvx's own
 * sub-ops from 0x7000 (docs/abi.md) where it has none.
 *
 * Unlike the guest ABI, these structures carry 64-bit fields 8-byte aligned
 * on x86_32 as well (Xen's uint64_aligned_t) and guest handles 64 bits wide
 * (XEN_GUEST_HANDLE_64): a 32-bit guest puts its pointer in the low half.
 */
#ifndef PVX_PUBLIC_DOMCTL_H
#define PVX_PUBLIC_DOMCTL_H

#include "xen.h"

#define XEN_DOMCTL_INTERFACE_VERSION 0x00000015

/* The tools ABI's 64-bit integer: 8-byte aligned on every architecture. */
typedef uint64_t uint64_aligned_t __attribute__((aligned(8)));
typedef int64_t  int64_aligned_t  __attribute__((aligned(8)));
/* A guest address in a 64-bit slot (the low 32 bits on x86_32). */
typedef uint64_aligned_t xen_guest_handle_64_t;

typedef uint8_t xen_domain_handle_t[16];

/* XEN_DOMCTL_createdomain: xen_domctl.domain is IN/OUT - an id, or 0 (or one
 * from DOMID_FIRST_RESERVED up) for the hypervisor to choose one. */
#define XEN_DOMCTL_CDF_hvm          (1u << 0)
#define XEN_DOMCTL_CDF_hap          (1u << 1)
#define XEN_DOMCTL_CDF_s3_integrity (1u << 2)
#define XEN_DOMCTL_CDF_oos_off      (1u << 3)
#define XEN_DOMCTL_CDF_xs_domain    (1u << 4)
#define XEN_DOMCTL_CDF_iommu        (1u << 5)
#define XEN_DOMCTL_CDF_nested_virt  (1u << 6)
#define XEN_DOMCTL_CDF_vpmu         (1u << 7)

#define XEN_DOMCTL_GRANT_version_mask   0xfu
#define XEN_DOMCTL_GRANT_version(v)     ((v) & XEN_DOMCTL_GRANT_version_mask)

#define XEN_X86_MSR_RELAXED         (1u << 0)       /* arch.misc_flags */

struct xen_arch_domainconfig {
    uint32_t emulation_flags;           /* x86: 0 for a PV domain */
    uint32_t misc_flags;                /* XEN_X86_MSR_RELAXED */
};
_Static_assert(sizeof(struct xen_arch_domainconfig) == 8, "xen_arch_domainconfig size");

struct xen_domctl_createdomain {
    uint32_t ssidref;
    xen_domain_handle_t handle;
    uint32_t flags;                     /* XEN_DOMCTL_CDF_* */
    uint32_t iommu_opts;
    uint32_t max_vcpus;
    uint32_t max_evtchn_port;
    int32_t  max_grant_frames;
    int32_t  max_maptrack_frames;
    uint32_t grant_opts;                /* XEN_DOMCTL_GRANT_version(n) */
    uint32_t vmtrace_size;
    uint32_t cpupool_id;
    struct xen_arch_domainconfig arch;
};
_Static_assert(sizeof(struct xen_domctl_createdomain) == 64, "createdomain size");
_Static_assert(offsetof(struct xen_domctl_createdomain, flags) == 20, "createdomain.flags");
_Static_assert(offsetof(struct xen_domctl_createdomain, max_vcpus) == 28, "createdomain.max_vcpus");
_Static_assert(offsetof(struct xen_domctl_createdomain, grant_opts) == 44, "createdomain.grant_opts");
_Static_assert(offsetof(struct xen_domctl_createdomain, arch) == 56, "createdomain.arch");

/* XEN_DOMCTL_getdomaininfo (and sysctl getdomaininfolist's entries). */
#define XEN_DOMINF_dying            (1u << 0)
#define XEN_DOMINF_hvm_guest        (1u << 1)
#define XEN_DOMINF_shutdown         (1u << 2)
#define XEN_DOMINF_paused           (1u << 3)
#define XEN_DOMINF_blocked          (1u << 4)
#define XEN_DOMINF_running          (1u << 5)
#define XEN_DOMINF_debugged         (1u << 6)
#define XEN_DOMINF_xs_domain        (1u << 7)
#define XEN_DOMINF_hap              (1u << 8)
#define XEN_DOMINF_shutdownmask     255u        /* the SHUTDOWN_* code ... */
#define XEN_DOMINF_shutdownshift    16          /* ... at this bit */
#define XEN_INVALID_MAX_VCPU_ID     (~0u)

struct xen_domctl_getdomaininfo {
    domid_t  domain;                    /* OUT: the domain found (>= the one asked for) */
    uint16_t pad1;
    uint32_t flags;                     /* XEN_DOMINF_* */
    uint64_aligned_t tot_pages;
    uint64_aligned_t max_pages;
    uint64_aligned_t outstanding_pages;
    uint64_aligned_t shr_pages;
    uint64_aligned_t paged_pages;
    uint64_aligned_t shared_info_frame; /* its mfn */
    uint64_aligned_t cpu_time;          /* ns run, all vCPUs */
    uint32_t nr_online_vcpus;
    uint32_t max_vcpu_id;
    uint32_t ssidref;
    xen_domain_handle_t handle;
    uint32_t cpupool;
    uint8_t  gpaddr_bits;
    uint8_t  pad2[7];
    struct xen_arch_domainconfig arch_config;
};
typedef struct xen_domctl_getdomaininfo xen_domctl_getdomaininfo_t;
_Static_assert(sizeof(struct xen_domctl_getdomaininfo) == 112, "getdomaininfo size");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, flags) == 4, "getdomaininfo.flags");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, tot_pages) == 8, "getdomaininfo.tot_pages");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, cpu_time) == 56, "getdomaininfo.cpu_time");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, nr_online_vcpus) == 64,
               "getdomaininfo.nr_online_vcpus");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, handle) == 76, "getdomaininfo.handle");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, cpupool) == 92, "getdomaininfo.cpupool");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, gpaddr_bits) == 96,
               "getdomaininfo.gpaddr_bits");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, arch_config) == 104,
               "getdomaininfo.arch_config");

/* XEN_DOMCTL_max_mem: the most the domain may own, in KiB. */
struct xen_domctl_max_mem {
    uint64_aligned_t max_memkb;
};
_Static_assert(sizeof(struct xen_domctl_max_mem) == 8, "max_mem size");

/* XEN_DOMCTL_setvcpucontext / getvcpucontext: a vcpu_guest_context at ctxt. */
struct xen_domctl_vcpucontext {
    uint32_t vcpu;
    uint32_t pad;
    xen_guest_handle_64_t ctxt;
};
_Static_assert(sizeof(struct xen_domctl_vcpucontext) == 16, "vcpucontext size");
_Static_assert(offsetof(struct xen_domctl_vcpucontext, ctxt) == 8, "vcpucontext.ctxt");

/* XEN_DOMCTL_max_vcpus: before the domain is built, 1..MAX_VIRT_CPUS (Xen
 * 4.12 moved it into createdomain, which pvx also reads). */
struct xen_domctl_max_vcpus {
    uint32_t max;
};
_Static_assert(sizeof(struct xen_domctl_max_vcpus) == 4, "max_vcpus size");

/* ------------------------------------------------------------------------
 * pvx's own sub-ops (0x7000-0x70ff): what Xen's toolstack does through
 * interfaces pvx does not have (docs/abi.md).
 */

/* Borrowed Virtual Time parameters of a domain (its vCPU 0). */
struct xen_domctl_pvx_bvt {
    uint32_t     weight;                /* relative share; 1..10000, 0 is -EINVAL */
    uint32_t     warp_enabled;          /* 0 or 1 */
    xen_uint64_t warp_ns;               /* W: borrowed virtual time (<= 60 s) */
    xen_uint64_t warp_limit_ns;         /* L: longest warped run, 0 unlimited */
    xen_uint64_t unwarp_ns;             /* U: unwarped time before warping again */
    xen_uint64_t ctx_allow_ns;          /* OUT (get): the context-switch allowance C */
};
_Static_assert(sizeof(struct xen_domctl_pvx_bvt) == 40, "xen_domctl_pvx_bvt size");

/* CPU time of a domain so far, its state and its name (Xen keeps names in
 * xenstore, which pvx does not have). */
struct xen_domctl_pvx_getinfo {
    xen_uint64_t cpu_time_ns;           /* time run = its virtual time */
    xen_uint64_t now_ns;                /* system time of the reading */
    uint32_t     state;                 /* 0 free, 1 running, 2 shut down, 3 crashed */
    uint32_t     blocked;               /* vCPU 0 waits for an event */
    uint32_t     dispatches;            /* times vCPU 0 was dispatched */
    uint32_t     pad;
    char         name[32];              /* NUL-terminated */
};
_Static_assert(sizeof(struct xen_domctl_pvx_getinfo) == 64, "xen_domctl_pvx_getinfo size");
_Static_assert(offsetof(struct xen_domctl_pvx_getinfo, name) == 32, "pvx_getinfo.name");

/*
 * Build a domain made by createdomain (paused, never built) from a kernel
 * image in the caller's memory, with the start-of-day state the hypervisor's
 * builder gives the initial domain, plus a domU's xenstore and console pages
 * after start_info (Xen's toolstack layout). The console port is one the
 * caller allocated in the domain (EVTCHNOP_alloc_unbound, remote dom0), as
 * Xen's toolstack does before it builds. Its memory is what max_mem allowed.
 * On a refusal the reason is written at err (when not 0), NUL-terminated, at
 * most err_len bytes.
 */
#define PVX_BUILD_MAX_IMAGE     (16u << 20)
struct xen_domctl_pvx_build {
    xen_guest_handle_64_t image;        /* IN: the ELF image */
    uint32_t image_len;                 /* IN: 1 .. PVX_BUILD_MAX_IMAGE bytes */
    uint32_t flags;                     /* IN: 0 */
    xen_guest_handle_64_t cmdline;      /* IN: NUL-terminated, < MAX_GUEST_CMDLINE; 0: none */
    xen_guest_handle_64_t err;          /* IN: where a refusal's reason goes; 0: nowhere */
    uint32_t err_len;                   /* IN */
    uint32_t console_port;              /* IN: an unbound port of the domain for dom0 (its
                                         * start_info console.domU.evtchn); 0: none */
    uint64_aligned_t console_mfn;       /* OUT: its console page */
    uint64_aligned_t store_mfn;         /* OUT: its xenstore page */
    char name[32];                      /* IN: the domain's name (NUL-terminated) */
};
_Static_assert(sizeof(struct xen_domctl_pvx_build) == 88, "xen_domctl_pvx_build size");
_Static_assert(offsetof(struct xen_domctl_pvx_build, cmdline) == 16, "pvx_build.cmdline");
_Static_assert(offsetof(struct xen_domctl_pvx_build, err_len) == 32, "pvx_build.err_len");
_Static_assert(offsetof(struct xen_domctl_pvx_build, console_mfn) == 40, "pvx_build.console_mfn");
_Static_assert(offsetof(struct xen_domctl_pvx_build, name) == 56, "pvx_build.name");

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

/*
 * The virtual firewall-router (VFR, paper section 3.3.5): per direction an
 * ordered list of rules, the first that matches a packet decides. Transmit
 * rules see what a VIF sends (after the fixed anti-spoofing check: a VIF
 * sends only from its own MAC and IPv4 address), receive rules what arrives
 * from the wire (before the default demultiplexing by destination). IPv4
 * addresses are host-order integers (10.0.2.2 is 0x0a000202); a zero mask
 * matches anything. Privileged.
 */
#define XEN_DOMCTL_pvx_vfr_add      0x7020  /* insert rule at index (<= nr_rules) */
#define XEN_DOMCTL_pvx_vfr_remove   0x7021  /* remove the rule at index */
#define XEN_DOMCTL_pvx_vfr_list     0x7022  /* read the rule at index, and nr_rules */
#define XEN_DOMCTL_pvx_vfr_vif      0x7023  /* set a VIF's IPv4 address, read its counters */

#define PVX_VFR_TX          0               /* dir: sent by a VIF */
#define PVX_VFR_RX          1               /* dir: arrived from the wire */
#define PVX_VFR_ACCEPT      0               /* action: on to the default path */
#define PVX_VFR_DROP        1
#define PVX_VFR_DELIVER     2               /* to VIF to_vif */
#define PVX_VFR_ANY_VIF     0xffff          /* in_vif: any sender */
#define PVX_VFR_MAX_RULES   32              /* per direction */
#define PVX_VFR_MAX_VIFS    16

struct pvx_vfr_rule {
    uint16_t in_vif;                    /* TX: the sending VIF, or PVX_VFR_ANY_VIF */
    uint16_t ethertype;                 /* 0: any */
    uint8_t  proto;                     /* IPv4 protocol (1, 6, 17), 0: any */
    uint8_t  action;                    /* PVX_VFR_* */
    uint16_t to_vif;                    /* PVX_VFR_DELIVER's VIF */
    uint8_t  src_mac[6], src_mac_mask[6];
    uint8_t  dst_mac[6], dst_mac_mask[6];
    uint32_t src_ip, src_ip_mask;
    uint32_t dst_ip, dst_ip_mask;
    uint16_t sport_lo, sport_hi;        /* inclusive; sport_hi 0: any (no ports needed) */
    uint16_t dport_lo, dport_hi;
    xen_uint64_t hits;                  /* OUT (list): packets it decided */
};
_Static_assert(sizeof(struct pvx_vfr_rule) == 64, "pvx_vfr_rule size");
_Static_assert(offsetof(struct pvx_vfr_rule, src_ip) == 32, "pvx_vfr_rule.src_ip");
_Static_assert(offsetof(struct pvx_vfr_rule, hits) == 56, "pvx_vfr_rule.hits");

struct xen_domctl_pvx_vfr {
    uint32_t dir;                       /* PVX_VFR_TX or PVX_VFR_RX */
    uint32_t index;
    uint32_t nr_rules;                  /* OUT: rules in dir after the op */
    uint32_t pad;
    struct pvx_vfr_rule rule;           /* add: IN; list: OUT */
};
_Static_assert(sizeof(struct xen_domctl_pvx_vfr) == 80, "xen_domctl_pvx_vfr size");

/* A VIF's address (set_ipv4 1: ipv4 becomes its address, 0 only reads) and
 * the default rules' counters. */
struct xen_domctl_pvx_vfr_vif {
    uint32_t vif;
    uint32_t set_ipv4;
    uint32_t ipv4;                      /* IN with set_ipv4; OUT */
    uint16_t owner;                     /* OUT: its domain */
    uint8_t  mac[6];                    /* OUT */
    uint32_t pad;
    xen_uint64_t tx_sent;               /* OUT: accepted for the wire or a VIF */
    xen_uint64_t tx_spoofed;            /* OUT: dropped: not its MAC or IPv4 source */
    xen_uint64_t tx_dropped;            /* OUT: dropped by a rule or malformed */
    xen_uint64_t rx_delivered;          /* OUT: handed to it */
    xen_uint64_t rx_dropped;            /* OUT: meant for it, nowhere to put it */
};
_Static_assert(sizeof(struct xen_domctl_pvx_vfr_vif) == 64, "xen_domctl_pvx_vfr_vif size");

/*
 * Virtual network interfaces (docs/network.md): a domain's VIF `handle`
 * (0..PVX_VIF_PER_DOMAIN-1) is the VFR's VIF `vif` (the number rules and
 * pvx_vfr_vif name) with a transmit and a receive ring the domain attaches
 * itself (PHYSDEVOP_pvx_netif_connect). Privileged.
 *   vif_create   for `domain`: handle, mac, ipv4 (0: none yet), flags IN;
 *                vif OUT (-EEXIST: the handle is taken; -EINVAL: a group
 *                MAC or flags; an address or MAC another VIF has; -ENOSPC:
 *                the machine's VIFs are all taken)
 *   vif_destroy  VIF handle of `domain` goes: its rings are detached, frames
 *                posted for receive are freed, transmits on the wire finish
 *                unanswered (-ENOENT)
 *   vif_list     the domain's index-th VIF: everything OUT (-ENOENT past the last)
 */
#define XEN_DOMCTL_pvx_vif_create   0x7024
#define XEN_DOMCTL_pvx_vif_destroy  0x7025
#define XEN_DOMCTL_pvx_vif_list     0x7026

#define PVX_VIF_PER_DOMAIN  4
#define PVX_VIF_F_COPY      0x1         /* receive by copying, not by page flip */
#define PVX_VIF_F_CONNECTED 0x2         /* list: OUT, the rings are attached */

struct xen_domctl_pvx_vif {
    uint32_t     index;                 /* list: IN */
    uint16_t     handle;                /* create, destroy: IN; list: OUT */
    uint16_t     vif;                   /* OUT: the VFR's VIF number */
    uint8_t      mac[6];                /* create: IN; list: OUT */
    uint16_t     flags;                 /* create: IN PVX_VIF_F_COPY; list: OUT */
    uint32_t     ipv4;                  /* create: IN; list: OUT */
    uint32_t     posted;                /* list: OUT, receive frames waiting */
    xen_uint64_t tx_packets, tx_bytes;  /* list: OUT, sent to the wire or a VIF */
    xen_uint64_t rx_packets, rx_bytes;  /* list: OUT, received */
    xen_uint64_t rx_no_frame;           /* list: OUT, dropped: no frame posted */
    xen_uint64_t bad_requests;          /* list: OUT, answered with NETIF_RSP_ERROR */
};
_Static_assert(sizeof(struct xen_domctl_pvx_vif) == 72, "xen_domctl_pvx_vif size");
_Static_assert(offsetof(struct xen_domctl_pvx_vif, tx_packets) == 24, "xen_domctl_pvx_vif.tx_packets");

struct xen_domctl {
    uint32_t cmd;
#define XEN_DOMCTL_createdomain         1
#define XEN_DOMCTL_destroydomain        2
#define XEN_DOMCTL_pausedomain          3
#define XEN_DOMCTL_unpausedomain        4
#define XEN_DOMCTL_getdomaininfo        5
#define XEN_DOMCTL_max_mem              11
#define XEN_DOMCTL_setvcpucontext       12
#define XEN_DOMCTL_getvcpucontext       13
#define XEN_DOMCTL_max_vcpus            15      /* Xen before 4.12; later in createdomain */
#define XEN_DOMCTL_pvx_bvt_set          0x7000
#define XEN_DOMCTL_pvx_bvt_get          0x7001
#define XEN_DOMCTL_pvx_getinfo          0x7002
#define XEN_DOMCTL_pvx_build            0x7003
    uint32_t interface_version;         /* XEN_DOMCTL_INTERFACE_VERSION */
    domid_t  domain;
    uint16_t pad[3];
    union {
        struct xen_domctl_createdomain  createdomain;
        struct xen_domctl_getdomaininfo getdomaininfo;
        struct xen_domctl_max_mem       max_mem;
        struct xen_domctl_vcpucontext   vcpucontext;
        struct xen_domctl_max_vcpus     max_vcpus;
        struct xen_domctl_pvx_bvt       pvx_bvt;
        struct xen_domctl_pvx_getinfo   pvx_getinfo;
        struct xen_domctl_pvx_build     pvx_build;
        struct xen_domctl_pvx_vbd       pvx_vbd;
        struct xen_domctl_pvx_disk_stats pvx_disk_stats;
        struct xen_domctl_pvx_vfr       pvx_vfr;
        struct xen_domctl_pvx_vfr_vif   pvx_vfr_vif;
        struct xen_domctl_pvx_vif       pvx_vif;
        uint8_t pad[128];
    } u;
};
typedef struct xen_domctl xen_domctl_t;
_Static_assert(sizeof(struct xen_domctl) == 144, "xen_domctl size");
_Static_assert(offsetof(struct xen_domctl, domain) == 8, "xen_domctl.domain");
_Static_assert(offsetof(struct xen_domctl, u) == 16, "xen_domctl.u");

#endif /* PVX_PUBLIC_DOMCTL_H */
