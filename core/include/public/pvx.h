/* SPDX-License-Identifier: MIT */
/*
 * public/pvx.h - pvx's own extensions of the Xen ABI, in numbering ranges Xen
 * does not use (documented in docs/abi.md):
 *
 *   vcpu_op 0x7000-0x70ff   the virtual-time alarm
 *   domctl  0x7000-0x70ff   scheduler parameters and accounting (0x7000-),
 *                           the virtual firewall-router (0x7010-)
 *   physdev 0x7000-0x70ff   the initial domain's interim NIC path (0x7000-)
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
 * The virtual firewall-router (VFR, paper section 3.3.5): per direction an
 * ordered list of rules, the first that matches a packet decides. Transmit
 * rules see what a VIF sends (after the fixed anti-spoofing check: a VIF
 * sends only from its own MAC and IPv4 address), receive rules what arrives
 * from the wire (before the default demultiplexing by destination). IPv4
 * addresses are host-order integers (10.0.2.2 is 0x0a000202); a zero mask
 * matches anything. Privileged.
 */
#define XEN_DOMCTL_pvx_vfr_add      0x7010  /* insert rule at index (<= nr_rules) */
#define XEN_DOMCTL_pvx_vfr_remove   0x7011  /* remove the rule at index */
#define XEN_DOMCTL_pvx_vfr_list     0x7012  /* read the rule at index, and nr_rules */
#define XEN_DOMCTL_pvx_vfr_vif      0x7013  /* set a VIF's IPv4 address, read its counters */

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
 * The initial domain's interim path to the NIC (physdev_op 0x7000-), until
 * the VIFs' rings replace it: one VIF for the initial domain, its frames
 * sent and received one at a time through the VFR. Completions (a transmit
 * left, a frame arrived) wait in the hypervisor; VIRQ_PVX_NET (a global
 * VIRQ, the initial domain's) says that some wait, PHYSDEVOP_pvx_net_poll
 * takes them one at a time. Frames are machine frames of the caller's own.
 */
#define PHYSDEVOP_pvx_net_setup     0x7000  /* create the VIF; OUT: vif, mac */
#define PHYSDEVOP_pvx_net_tx        0x7001  /* send bytes of one frame */
#define PHYSDEVOP_pvx_net_rx_post   0x7002  /* a frame to receive into */
#define PHYSDEVOP_pvx_net_poll      0x7003  /* the oldest completion, or -EAGAIN */
#define VIRQ_PVX_NET                23      /* VIRQ_ARCH_7 */

#define PVX_NET_FRAME_MIN           14
#define PVX_NET_FRAME_MAX           1514
#define PVX_NET_QUEUED              0       /* tx status: on its way to the wire */
#define PVX_NET_DELIVERED           1       /* tx status: copied to a local VIF */
#define PVX_NET_DROPPED             2       /* tx status: the VFR dropped it */

struct physdev_pvx_net_setup {
    uint32_t vif;                       /* OUT */
    uint8_t  mac[6];                    /* OUT: the NIC's, the VIF's */
    uint16_t pad;
};
_Static_assert(sizeof(struct physdev_pvx_net_setup) == 12, "physdev_pvx_net_setup size");

struct physdev_pvx_net_tx {
    uint32_t mfn;                       /* a frame of the caller's */
    uint16_t offset, len;               /* offset + len <= 4096, len 14..1514 */
    uint32_t id;                        /* comes back in the completion */
    uint32_t status;                    /* OUT: PVX_NET_QUEUED (frame held until its
                                         * completion), _DELIVERED or _DROPPED (done) */
};
_Static_assert(sizeof(struct physdev_pvx_net_tx) == 16, "physdev_pvx_net_tx size");

struct physdev_pvx_net_rx_post {
    uint32_t mfn;                       /* a writable frame of the caller's: held,
                                         * and no page table, until its completion */
    uint32_t id;
};
_Static_assert(sizeof(struct physdev_pvx_net_rx_post) == 8, "physdev_pvx_net_rx_post size");

#define PVX_NET_EV_TX_DONE          1
#define PVX_NET_EV_RX               2
struct physdev_pvx_net_poll {
    uint32_t kind;                      /* OUT: PVX_NET_EV_* */
    uint32_t id;                        /* OUT: the transmit's or the posted frame's */
    uint32_t len;                       /* OUT: EV_RX: bytes at offset 0 */
};
_Static_assert(sizeof(struct physdev_pvx_net_poll) == 12, "physdev_pvx_net_poll size");

struct xen_domctl {
    uint32_t cmd;
    uint32_t interface_version;         /* XEN_DOMCTL_INTERFACE_VERSION */
    domid_t  domain;
    uint16_t pad[3];
    union {
        struct xen_domctl_pvx_bvt     pvx_bvt;
        struct xen_domctl_pvx_getinfo pvx_getinfo;
        struct xen_domctl_pvx_vfr     pvx_vfr;
        struct xen_domctl_pvx_vfr_vif pvx_vfr_vif;
        uint8_t pad[128];
    } u;
};
typedef struct xen_domctl xen_domctl_t;
_Static_assert(sizeof(struct xen_domctl) == 144, "xen_domctl size");
_Static_assert(offsetof(struct xen_domctl, u) == 16, "xen_domctl.u");

#endif /* PVX_PUBLIC_PVX_H */
