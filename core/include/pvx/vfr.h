/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfr.h - the virtual firewall-router's rule engine (paper section 3.3.5).
 *
 * A pure layer: it keeps the VIFs' addresses, the rules of each direction and
 * their counters (machine.vfr), and decides what happens to one packet from
 * its header bytes. It moves no packet itself: the interim NIC path
 * (io/netif.c) and later the VIF rings ask it and act on the verdict.
 */
#ifndef PVX_VFR_H
#define PVX_VFR_H

#include <pvx/types.h>
#include <public/pvx.h>

#define VFR_MAX_RULES       PVX_VFR_MAX_RULES
#define VFR_MAX_VIFS        PVX_VFR_MAX_VIFS
#define VFR_VIF_WIRE        0xfffe      /* the sender of a received packet */
#define VFR_VIF_ALL         0xffff      /* a verdict's vif: every VIF (broadcast) */
#define VFR_HDR_MAX         128         /* header bytes the classifier may look at */

/* What one packet's headers say; everything past len is unknown. */
struct vfr_packet {
    uint8_t dst_mac[6], src_mac[6];
    uint16_t ethertype;
    bool is_ipv4, is_arp, has_ports, is_fragment;
    uint8_t proto;
    uint32_t src_ip, dst_ip;            /* IPv4, or ARP's sender and target */
    uint16_t sport, dport;
    uint16_t arp_op;
};

/* Why a verdict is what it is (counted in machine.vfr). */
enum vfr_reason {
    VFR_WHY_RULE,                       /* rule `rule` decided */
    VFR_WHY_DEFAULT,                    /* no rule matched: the default path */
    VFR_WHY_SPOOF,                      /* TX: not the VIF's MAC or IPv4 source */
    VFR_WHY_MALFORMED,                  /* headers truncated or inconsistent */
    VFR_WHY_NO_VIF,                     /* RX: nobody has that address; TX: unknown VIF */
};

struct vfr_verdict {
    uint8_t action;                     /* PVX_VFR_ACCEPT (to the wire on TX), _DROP, _DELIVER */
    uint8_t why;                        /* enum vfr_reason */
    uint16_t vif;                       /* DELIVER: the VIF, or VFR_VIF_ALL */
    int rule;                           /* VFR_WHY_RULE: its index; else -1 */
};

struct vfr_vif {
    bool in_use;
    uint16_t owner;                     /* domid */
    uint8_t mac[6];
    uint32_t ipv4;                      /* 0: none yet (DHCP's 0.0.0.0 only) */
    uint64_t tx_sent, tx_spoofed, tx_dropped, rx_delivered, rx_dropped;
};

/* Parse the Ethernet, ARP, IPv4 and UDP/TCP/ICMP headers in hdr[0..len):
 * 0, or -EINVAL when they are truncated or inconsistent. Never reads past
 * len. A fragment past the first has no ports. */
int vfr_parse(const uint8_t *hdr, unsigned int len, struct vfr_packet *p);

/* Decide one packet: dir PVX_VFR_TX from VIF vif, or PVX_VFR_RX from the
 * wire (vif VFR_VIF_WIRE). Counts the hit on the rule or default that
 * decided. hdr holds the first len bytes of the frame (at most VFR_HDR_MAX
 * are looked at). */
struct vfr_verdict vfr_classify(unsigned int dir, unsigned int vif, const uint8_t *hdr,
                                unsigned int len);

/* Rules: 0 or -EINVAL (bad dir, index, action, VIF or port range), -ENOSPC
 * (full), -ENOENT (no rule there); nothing changes on an error. */
int vfr_rule_add(unsigned int dir, unsigned int index, const struct pvx_vfr_rule *r);
int vfr_rule_remove(unsigned int dir, unsigned int index);
int vfr_rule_list(unsigned int dir, unsigned int index, struct pvx_vfr_rule *out);
unsigned int vfr_rule_count(unsigned int dir);

/* VIFs: create one for domain owner with mac; its number, or -ENOSPC. */
int vfr_vif_create(uint16_t owner, const uint8_t mac[6]);
void vfr_vif_destroy(unsigned int vif);
struct vfr_vif *vfr_vif_get(unsigned int vif);  /* NULL when not in use */
/* The VIF's IPv4 address (0: none): 0, -EINVAL (no such VIF, or the address
 * another VIF has). */
int vfr_vif_set_ipv4(unsigned int vif, uint32_t ipv4);
/* Count a packet delivered to vif, or one for it that found no place. */
void vfr_count_rx_delivered(unsigned int vif);
void vfr_count_rx_dropped(unsigned int vif);

/* The domctl sub-ops (control/domctl.c, privileged only). */
struct xen_domctl;
long vfr_domctl(struct xen_domctl *op);

#endif /* PVX_VFR_H */
