/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * io/vfr.c - the virtual firewall-router's rule engine (paper section 3.3.5).
 *
 * Each direction has an ordered list of (pattern, action) rules; the first
 * that matches decides. Around them sit the default rules that the initial
 * domain cannot remove: on transmit a VIF may only send from its own MAC and
 * IPv4 address (no spoofing), checked before any rule; on receive a packet
 * no rule delivered goes to the VIF that owns its destination MAC or IPv4
 * address, broadcast to all of them, anything else is dropped. Headers are
 * untrusted: the parser reads nothing past the bytes it was given.
 */
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/lib.h>
#include <pvx/machine.h>
#include <pvx/vfr.h>
#include <public/pvx.h>

#define vfr (machine.vfr)           /* owned here */

#define ETH_HLEN        14
#define ETH_P_IPV4      0x0800
#define ETH_P_ARP       0x0806
#define IP_PROTO_ICMP   1
#define IP_PROTO_TCP    6
#define IP_PROTO_UDP    17
#define DHCP_CLIENT     68
#define DHCP_SERVER     67

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int vfr_parse_arp(const uint8_t *a, unsigned int len, struct vfr_packet *p)
{
    /* Ethernet/IPv4 ARP only: 28 bytes, hardware 1/6, protocol 0x0800/4. */
    if ( len < 28 || get16(a) != 1 || get16(a + 2) != ETH_P_IPV4 || a[4] != 6 || a[5] != 4 )
        return -EINVAL;
    p->is_arp = true;
    p->arp_op = get16(a + 6);
    p->src_ip = get32(a + 14);
    p->dst_ip = get32(a + 24);
    return 0;
}

static int vfr_parse_ipv4(const uint8_t *ip, unsigned int len, struct vfr_packet *p)
{
    unsigned int ihl, total, frag;
    const uint8_t *l4;

    if ( len < 20 || (ip[0] >> 4) != 4 )
        return -EINVAL;
    ihl = (ip[0] & 0xf) * 4u;
    total = get16(ip + 2);
    if ( ihl < 20 || ihl > len || total < ihl )
        return -EINVAL;
    p->is_ipv4 = true;
    p->proto = ip[9];
    p->src_ip = get32(ip + 12);
    p->dst_ip = get32(ip + 16);
    frag = get16(ip + 6);
    p->is_fragment = (frag & 0x3fff) != 0;      /* MF or an offset */
    if ( frag & 0x1fff )
        return 0;                               /* a later fragment: no L4 header */

    l4 = ip + ihl;
    len -= ihl;
    if ( total - ihl < len )
        len = total - ihl;                      /* Ethernet padding is not L4 */
    switch ( p->proto )
    {
    case IP_PROTO_UDP:
    case IP_PROTO_TCP:
        if ( len < (p->proto == IP_PROTO_UDP ? 8u : 20u) )
            return -EINVAL;
        p->has_ports = true;
        p->sport = get16(l4);
        p->dport = get16(l4 + 2);
        break;
    case IP_PROTO_ICMP:
        if ( len < 8 )
            return -EINVAL;
        break;
    default:
        break;
    }
    return 0;
}

int vfr_parse(const uint8_t *hdr, unsigned int len, struct vfr_packet *p)
{
    memset(p, 0, sizeof(*p));
    if ( len > VFR_HDR_MAX )
        len = VFR_HDR_MAX;
    if ( len < ETH_HLEN )
        return -EINVAL;
    memcpy(p->dst_mac, hdr, 6);
    memcpy(p->src_mac, hdr + 6, 6);
    p->ethertype = get16(hdr + 12);
    switch ( p->ethertype )
    {
    case ETH_P_ARP:
        return vfr_parse_arp(hdr + ETH_HLEN, len - ETH_HLEN, p);
    case ETH_P_IPV4:
        return vfr_parse_ipv4(hdr + ETH_HLEN, len - ETH_HLEN, p);
    default:
        return 0;                               /* only MACs to match on */
    }
}

static bool mac_match(const uint8_t *mac, const uint8_t *want, const uint8_t *mask)
{
    for ( unsigned int i = 0; i < 6; i++ )
        if ( (mac[i] ^ want[i]) & mask[i] )
            return false;
    return true;
}

static bool port_match(const struct vfr_packet *p, uint16_t port, uint16_t lo, uint16_t hi)
{
    if ( hi == 0 )
        return true;
    return p->has_ports && port >= lo && port <= hi;
}

static bool rule_match(const struct pvx_vfr_rule *r, unsigned int vif, const struct vfr_packet *p)
{
    if ( r->in_vif != PVX_VFR_ANY_VIF && r->in_vif != vif )
        return false;
    if ( r->ethertype && r->ethertype != p->ethertype )
        return false;
    if ( !mac_match(p->src_mac, r->src_mac, r->src_mac_mask) ||
         !mac_match(p->dst_mac, r->dst_mac, r->dst_mac_mask) )
        return false;
    /* An address, protocol or port pattern needs a packet that has one. */
    if ( (r->src_ip_mask || r->dst_ip_mask) && !p->is_ipv4 && !p->is_arp )
        return false;
    if ( (p->src_ip ^ r->src_ip) & r->src_ip_mask || (p->dst_ip ^ r->dst_ip) & r->dst_ip_mask )
        return false;
    if ( r->proto && (!p->is_ipv4 || p->proto != r->proto) )
        return false;
    return port_match(p, p->sport, r->sport_lo, r->sport_hi) &&
           port_match(p, p->dport, r->dport_lo, r->dport_hi);
}

static bool mac_is_group(const uint8_t *mac)
{
    return mac[0] & 1;                          /* broadcast or multicast */
}

/* The default transmit rule: the sender's own MAC, and its own IPv4 source
 * (before it has one, only a DHCP client's 0.0.0.0:68 -> :67). */
static bool vfr_spoofed(const struct vfr_vif *vif, const struct vfr_packet *p)
{
    if ( memcmp(p->src_mac, vif->mac, 6) )
        return true;
    if ( p->is_arp )
        return p->src_ip != vif->ipv4 && p->src_ip != 0;   /* 0: a probe */
    if ( !p->is_ipv4 )
        return false;
    if ( vif->ipv4 && p->src_ip == vif->ipv4 )
        return false;
    return !(p->src_ip == 0 && p->proto == IP_PROTO_UDP && p->has_ports &&
             p->sport == DHCP_CLIENT && p->dport == DHCP_SERVER);
}

/* Whose address is this unicast packet for: a VIF's number, or -1. */
static int vfr_owner_of(const struct vfr_packet *p)
{
    for ( unsigned int i = 0; i < VFR_MAX_VIFS; i++ )
        if ( vfr.vif[i].in_use && !memcmp(vfr.vif[i].mac, p->dst_mac, 6) )
            return (int)i;
    if ( !p->is_ipv4 && !p->is_arp )
        return -1;
    for ( unsigned int i = 0; i < VFR_MAX_VIFS; i++ )
        if ( vfr.vif[i].in_use && vfr.vif[i].ipv4 && vfr.vif[i].ipv4 == p->dst_ip )
            return (int)i;
    return -1;
}

static struct vfr_verdict verdict(uint8_t action, uint8_t why, uint16_t vif, int rule)
{
    return (struct vfr_verdict){ .action = action, .why = why, .vif = vif, .rule = rule };
}

/* The rules of dir, in order; the first match decides and is counted. */
static bool vfr_run_rules(unsigned int dir, unsigned int vif, const struct vfr_packet *p,
                          struct vfr_verdict *out)
{
    for ( unsigned int i = 0; i < vfr.nr_rules[dir]; i++ )
    {
        struct pvx_vfr_rule *r = &vfr.rules[dir][i];

        if ( !rule_match(r, vif, p) )
            continue;
        r->hits++;
        *out = verdict(r->action, VFR_WHY_RULE, r->to_vif, (int)i);
        return true;
    }
    return false;
}

/* A delivery needs a VIF that exists (a rule's may have gone since). */
static struct vfr_verdict vfr_check_delivery(struct vfr_verdict v)
{
    if ( v.action == PVX_VFR_DELIVER && v.vif != VFR_VIF_ALL &&
         (v.vif >= VFR_MAX_VIFS || !vfr.vif[v.vif].in_use) )
        return verdict(PVX_VFR_DROP, VFR_WHY_NO_VIF, 0, v.rule);
    return v;
}

static struct vfr_verdict vfr_classify_tx(unsigned int vif, const struct vfr_packet *p)
{
    struct vfr_vif *from = &vfr.vif[vif];
    struct vfr_verdict v = verdict(PVX_VFR_ACCEPT, VFR_WHY_DEFAULT, 0, -1);
    int to;

    if ( vfr_spoofed(from, p) )
    {
        from->tx_spoofed++;
        return verdict(PVX_VFR_DROP, VFR_WHY_SPOOF, 0, -1);
    }
    if ( !vfr_run_rules(PVX_VFR_TX, vif, p, &v) || v.action == PVX_VFR_ACCEPT )
    {
        /* Domain to domain when the destination is local, else the wire. */
        to = mac_is_group(p->dst_mac) ? -1 : vfr_owner_of(p);
        v.action = to >= 0 ? PVX_VFR_DELIVER : PVX_VFR_ACCEPT;
        v.vif = to >= 0 ? (uint16_t)to : 0;
    }
    v = vfr_check_delivery(v);
    if ( v.action == PVX_VFR_DROP )
        from->tx_dropped++;
    else
        from->tx_sent++;
    return v;
}

static struct vfr_verdict vfr_classify_rx(const struct vfr_packet *p)
{
    struct vfr_verdict v = verdict(PVX_VFR_ACCEPT, VFR_WHY_DEFAULT, 0, -1);
    int to;

    if ( vfr_run_rules(PVX_VFR_RX, VFR_VIF_WIRE, p, &v) && v.action != PVX_VFR_ACCEPT )
        return vfr_check_delivery(v);
    /* Accepted by a rule or by none: demultiplex by destination. */
    if ( mac_is_group(p->dst_mac) )
        return verdict(PVX_VFR_DELIVER, v.why, VFR_VIF_ALL, v.rule);
    to = vfr_owner_of(p);
    if ( to < 0 )
    {
        vfr.rx_no_vif++;
        return verdict(PVX_VFR_DROP, VFR_WHY_NO_VIF, 0, -1);
    }
    return verdict(PVX_VFR_DELIVER, VFR_WHY_DEFAULT, (uint16_t)to, -1);
}

struct vfr_verdict vfr_classify(unsigned int dir, unsigned int vif, const uint8_t *hdr,
                                unsigned int len)
{
    struct vfr_packet p;
    bool tx = dir == PVX_VFR_TX;

    if ( tx ? (vif >= VFR_MAX_VIFS || !vfr.vif[vif].in_use) : vif != VFR_VIF_WIRE )
        return verdict(PVX_VFR_DROP, VFR_WHY_NO_VIF, 0, -1);
    if ( vfr_parse(hdr, len, &p) )
    {
        if ( tx )
            vfr.vif[vif].tx_dropped++;
        vfr.malformed++;
        return verdict(PVX_VFR_DROP, VFR_WHY_MALFORMED, 0, -1);
    }
    return tx ? vfr_classify_tx(vif, &p) : vfr_classify_rx(&p);
}

/* ------------------------------------------------------------------------
 * Rules and VIFs.
 */

static bool vfr_rule_valid(unsigned int dir, const struct pvx_vfr_rule *r)
{
    if ( r->action > PVX_VFR_DELIVER )
        return false;
    if ( r->action == PVX_VFR_DELIVER && r->to_vif >= VFR_MAX_VIFS )
        return false;
    if ( r->in_vif != PVX_VFR_ANY_VIF && (dir == PVX_VFR_RX || r->in_vif >= VFR_MAX_VIFS) )
        return false;                           /* received packets come from the wire */
    if ( (r->sport_hi && r->sport_lo > r->sport_hi) || (r->dport_hi && r->dport_lo > r->dport_hi) )
        return false;
    return true;
}

int vfr_rule_add(unsigned int dir, unsigned int index, const struct pvx_vfr_rule *r)
{
    if ( dir > PVX_VFR_RX || index > vfr.nr_rules[dir] || !vfr_rule_valid(dir, r) )
        return -EINVAL;
    if ( vfr.nr_rules[dir] == VFR_MAX_RULES )
        return -ENOSPC;
    memmove(&vfr.rules[dir][index + 1], &vfr.rules[dir][index],
            (vfr.nr_rules[dir] - index) * sizeof(*r));
    vfr.rules[dir][index] = *r;
    vfr.rules[dir][index].hits = 0;
    vfr.nr_rules[dir]++;
    return 0;
}

int vfr_rule_remove(unsigned int dir, unsigned int index)
{
    if ( dir > PVX_VFR_RX )
        return -EINVAL;
    if ( index >= vfr.nr_rules[dir] )
        return -ENOENT;
    vfr.nr_rules[dir]--;
    memmove(&vfr.rules[dir][index], &vfr.rules[dir][index + 1],
            (vfr.nr_rules[dir] - index) * sizeof(vfr.rules[dir][0]));
    memset(&vfr.rules[dir][vfr.nr_rules[dir]], 0, sizeof(vfr.rules[dir][0]));
    return 0;
}

int vfr_rule_list(unsigned int dir, unsigned int index, struct pvx_vfr_rule *out)
{
    if ( dir > PVX_VFR_RX )
        return -EINVAL;
    if ( index >= vfr.nr_rules[dir] )
        return -ENOENT;
    *out = vfr.rules[dir][index];
    return 0;
}

unsigned int vfr_rule_count(unsigned int dir)
{
    return dir > PVX_VFR_RX ? 0 : vfr.nr_rules[dir];
}

int vfr_vif_create(uint16_t owner, const uint8_t mac[6])
{
    for ( unsigned int i = 0; i < VFR_MAX_VIFS; i++ )
        if ( !vfr.vif[i].in_use )
        {
            memset(&vfr.vif[i], 0, sizeof(vfr.vif[i]));
            vfr.vif[i].in_use = true;
            vfr.vif[i].owner = owner;
            memcpy(vfr.vif[i].mac, mac, 6);
            return (int)i;
        }
    return -ENOSPC;
}

void vfr_vif_destroy(unsigned int vif)
{
    if ( vif < VFR_MAX_VIFS )
        memset(&vfr.vif[vif], 0, sizeof(vfr.vif[vif]));
}

struct vfr_vif *vfr_vif_get(unsigned int vif)
{
    return vif < VFR_MAX_VIFS && vfr.vif[vif].in_use ? &vfr.vif[vif] : NULL;
}

int vfr_vif_set_ipv4(unsigned int vif, uint32_t ipv4)
{
    if ( !vfr_vif_get(vif) )
        return -EINVAL;
    for ( unsigned int i = 0; ipv4 && i < VFR_MAX_VIFS; i++ )
        if ( i != vif && vfr.vif[i].in_use && vfr.vif[i].ipv4 == ipv4 )
            return -EINVAL;                     /* demultiplexing needs one owner */
    vfr.vif[vif].ipv4 = ipv4;
    return 0;
}

void vfr_count_rx_dropped(unsigned int vif)
{
    if ( vfr_vif_get(vif) )
        vfr.vif[vif].rx_dropped++;
}

void vfr_count_rx_delivered(unsigned int vif)
{
    if ( vfr_vif_get(vif) )
        vfr.vif[vif].rx_delivered++;
}

/* ------------------------------------------------------------------------
 * The domctl sub-ops: op is the caller's copy, its result copied back on 0.
 */
long vfr_domctl(struct xen_domctl *op)
{
    struct xen_domctl_pvx_vfr *r = &op->u.pvx_vfr;
    struct xen_domctl_pvx_vfr_vif *vi = &op->u.pvx_vfr_vif;
    struct vfr_vif *vif;
    long rc;

    switch ( op->cmd )
    {
    case XEN_DOMCTL_pvx_vfr_add:
        rc = vfr_rule_add(r->dir, r->index, &r->rule);
        break;
    case XEN_DOMCTL_pvx_vfr_remove:
        rc = vfr_rule_remove(r->dir, r->index);
        break;
    case XEN_DOMCTL_pvx_vfr_list:
        rc = vfr_rule_list(r->dir, r->index, &r->rule);
        break;
    case XEN_DOMCTL_pvx_vfr_vif:
        if ( vi->set_ipv4 > 1 || !vfr_vif_get(vi->vif) )
            return -EINVAL;
        if ( vi->set_ipv4 && (rc = vfr_vif_set_ipv4(vi->vif, vi->ipv4)) )
            return rc;
        vif = vfr_vif_get(vi->vif);
        vi->ipv4 = vif->ipv4;
        vi->owner = vif->owner;
        memcpy(vi->mac, vif->mac, 6);
        vi->pad = 0;
        vi->tx_sent = vif->tx_sent;
        vi->tx_spoofed = vif->tx_spoofed;
        vi->tx_dropped = vif->tx_dropped;
        vi->rx_delivered = vif->rx_delivered;
        vi->rx_dropped = vif->rx_dropped;
        return 0;
    default:
        return -ENOSYS;
    }
    if ( rc == 0 )
        r->nr_rules = vfr_rule_count(r->dir);
    return rc;
}
