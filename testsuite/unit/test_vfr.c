/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_vfr.c - the virtual firewall-router's rule engine (core/io/vfr.c):
 * the header parser on truncated and malformed packets (every buffer is
 * allocated to exactly its length, so an over-read is a sanitizer's error),
 * each kind of pattern matching and not matching, the default rules
 * (spoofed sources dropped and counted, demultiplexing by destination), the
 * rule list's add/remove/list, and the domctl that reaches them (-EPERM with
 * nothing changed for anyone but the initial domain).
 */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <pvx/domain.h>
#include <pvx/guest_access.h>
#include <pvx/vfr.h>
#include <public/pvx.h>

#define ARG UNIT_SCRATCH_VA

static const uint8_t mac_a[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t mac_b[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };
static const uint8_t mac_gw[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t ones[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

#define IP_A    0x0a00020fu     /* 10.0.2.15 */
#define IP_B    0x0a000210u     /* 10.0.2.16 */
#define IP_GW   0x0a000202u     /* 10.0.2.2 */

/* A frame being built: Ethernet, then IPv4 (+ L4) or ARP. */
struct pkt {
    uint8_t b[VFR_HDR_MAX];
    unsigned int len;
};

static void put16(uint8_t *p, unsigned int v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

static void eth(struct pkt *k, const uint8_t *dst, const uint8_t *src, unsigned int type)
{
    memset(k, 0, sizeof(*k));
    memcpy(k->b, dst, 6);
    memcpy(k->b + 6, src, 6);
    put16(k->b + 12, type);
    k->len = 14;
}

/* IPv4 with ihl_words of header (5: no options) and an L4 header of l4_len. */
static void ipv4(struct pkt *k, const uint8_t *dst_mac, const uint8_t *src_mac, uint32_t src,
                 uint32_t dst, unsigned int proto, unsigned int ihl_words, unsigned int l4_len)
{
    uint8_t *ip = k->b + 14;

    eth(k, dst_mac, src_mac, 0x0800);
    ip[0] = (uint8_t)(0x40 | ihl_words);
    put16(ip + 2, ihl_words * 4 + l4_len);
    ip[8] = 64;
    ip[9] = (uint8_t)proto;
    put32(ip + 12, src);
    put32(ip + 16, dst);
    k->len = 14 + ihl_words * 4 + l4_len;
}

static void udp(struct pkt *k, const uint8_t *dst_mac, const uint8_t *src_mac, uint32_t src,
                uint32_t dst, unsigned int sport, unsigned int dport, unsigned int proto)
{
    uint8_t *l4 = k->b + 34;

    ipv4(k, dst_mac, src_mac, src, dst, proto, 5, proto == 6 ? 20 : 8);
    put16(l4, sport);
    put16(l4 + 2, dport);
}

static void arp(struct pkt *k, const uint8_t *src_mac, uint32_t sender, uint32_t target)
{
    uint8_t *a = k->b + 14;

    eth(k, mac_bcast, src_mac, 0x0806);
    put16(a, 1);
    put16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, 1);
    memcpy(a + 8, src_mac, 6);
    put32(a + 14, sender);
    put32(a + 24, target);
    k->len = 42;
}

/* Parse/classify from a heap copy of exactly len bytes. */
static int parse_exact(const struct pkt *k, unsigned int len, struct vfr_packet *p)
{
    uint8_t *copy = malloc(len ? len : 1);
    int rc;

    memcpy(copy, k->b, len);
    rc = vfr_parse(copy, len, p);
    free(copy);
    return rc;
}

static struct vfr_verdict classify(unsigned int dir, unsigned int vif, const struct pkt *k)
{
    uint8_t *copy = malloc(k->len);
    struct vfr_verdict v;

    memcpy(copy, k->b, k->len);
    v = vfr_classify(dir, vif, copy, k->len);
    free(copy);
    return v;
}

/* A fresh hypervisor with VIF 0 (mac_a, IP_A) and VIF 1 (mac_b, IP_B). */
static void fresh_vfr(void)
{
    unit_boot_default();
    CU_ASSERT_EQUAL_FATAL(vfr_vif_create(0, mac_a), 0);
    CU_ASSERT_EQUAL_FATAL(vfr_vif_create(0, mac_b), 1);
    CU_ASSERT_EQUAL_FATAL(vfr_vif_set_ipv4(0, IP_A), 0);
    CU_ASSERT_EQUAL_FATAL(vfr_vif_set_ipv4(1, IP_B), 0);
}

static struct pvx_vfr_rule any_rule(unsigned int action)
{
    struct pvx_vfr_rule r;

    memset(&r, 0, sizeof(r));
    r.in_vif = PVX_VFR_ANY_VIF;
    r.action = (uint8_t)action;
    return r;
}

/* ------------------------------------------------------------------------
 * The parser.
 */

static void test_vfr_parse_kinds(void)
{
    struct vfr_packet p;
    struct pkt k;

    udp(&k, mac_gw, mac_a, IP_A, IP_GW, 1234, 53, 17);
    CU_ASSERT_EQUAL(parse_exact(&k, k.len, &p), 0);
    CU_ASSERT(p.is_ipv4 && p.has_ports && !p.is_fragment);
    CU_ASSERT_EQUAL(p.proto, 17);
    CU_ASSERT_EQUAL(p.src_ip, IP_A);
    CU_ASSERT_EQUAL(p.dst_ip, IP_GW);
    CU_ASSERT_EQUAL(p.sport, 1234);
    CU_ASSERT_EQUAL(p.dport, 53);
    CU_ASSERT_EQUAL(memcmp(p.src_mac, mac_a, 6), 0);
    CU_ASSERT_EQUAL(memcmp(p.dst_mac, mac_gw, 6), 0);

    udp(&k, mac_gw, mac_a, IP_A, IP_GW, 40000, 80, 6);
    CU_ASSERT_EQUAL(parse_exact(&k, k.len, &p), 0);
    CU_ASSERT(p.has_ports && p.sport == 40000 && p.dport == 80 && p.proto == 6);

    ipv4(&k, mac_gw, mac_a, IP_A, IP_GW, 1, 5, 8);
    CU_ASSERT_EQUAL(parse_exact(&k, k.len, &p), 0);
    CU_ASSERT(p.is_ipv4 && !p.has_ports && p.proto == 1);

    arp(&k, mac_a, IP_A, IP_GW);
    CU_ASSERT_EQUAL(parse_exact(&k, k.len, &p), 0);
    CU_ASSERT(p.is_arp && !p.is_ipv4 && p.arp_op == 1 && p.src_ip == IP_A && p.dst_ip == IP_GW);

    /* Another ethertype: only the MACs. */
    eth(&k, mac_gw, mac_a, 0x86dd);
    CU_ASSERT_EQUAL(parse_exact(&k, k.len, &p), 0);
    CU_ASSERT(!p.is_ipv4 && !p.is_arp && p.ethertype == 0x86dd);

    /* Options: the ports are read after them. */
    ipv4(&k, mac_gw, mac_a, IP_A, IP_GW, 17, 6, 8);
    put16(k.b + 38, 7777);
    put16(k.b + 40, 68);
    CU_ASSERT_EQUAL(parse_exact(&k, k.len, &p), 0);
    CU_ASSERT(p.has_ports && p.sport == 7777 && p.dport == 68);
}

/* Every prefix of a good header: refused while its headers are cut, never
 * read past (the copy is exactly that long). */
static void test_vfr_parse_truncated(void)
{
    static const unsigned int need[4] = { 42, 54, 42, 42 };  /* UDP, TCP, ICMP, ARP */
    struct vfr_packet p;
    struct pkt k;

    for ( unsigned int kind = 0; kind < 4; kind++ )
    {
        if ( kind == 0 )
            udp(&k, mac_gw, mac_a, IP_A, IP_GW, 1, 2, 17);
        else if ( kind == 1 )
            udp(&k, mac_gw, mac_a, IP_A, IP_GW, 1, 2, 6);
        else if ( kind == 2 )
            ipv4(&k, mac_gw, mac_a, IP_A, IP_GW, 1, 5, 8);
        else
            arp(&k, mac_a, IP_A, IP_GW);
        CU_ASSERT_EQUAL(k.len, need[kind]);
        for ( unsigned int len = 0; len <= k.len; len++ )
        {
            int rc = parse_exact(&k, len, &p);

            if ( len < need[kind] && rc != -EINVAL )
                CU_FAIL("a truncated header was accepted");
            if ( len == need[kind] )
                CU_ASSERT_EQUAL(rc, 0);
        }
    }
}

static void test_vfr_parse_malformed(void)
{
    struct vfr_packet p;
    struct pkt k;

    /* IHL below 5, IHL past the bytes, version 6 in an IPv4 frame, a total
     * length shorter than the header, an ARP of another hardware type. */
    ipv4(&k, mac_gw, mac_a, IP_A, IP_GW, 17, 5, 8);
    k.b[14] = 0x44;
    CU_ASSERT_EQUAL(parse_exact(&k, k.len, &p), -EINVAL);
    ipv4(&k, mac_gw, mac_a, IP_A, IP_GW, 17, 5, 8);
    k.b[14] = 0x4f;                             /* 60 bytes of header in 28 */
    CU_ASSERT_EQUAL(parse_exact(&k, k.len, &p), -EINVAL);
    ipv4(&k, mac_gw, mac_a, IP_A, IP_GW, 17, 5, 8);
    k.b[14] = 0x65;
    CU_ASSERT_EQUAL(parse_exact(&k, k.len, &p), -EINVAL);
    ipv4(&k, mac_gw, mac_a, IP_A, IP_GW, 17, 5, 8);
    put16(k.b + 16, 19);
    CU_ASSERT_EQUAL(parse_exact(&k, k.len, &p), -EINVAL);
    /* A total length that leaves no room for the UDP header in the bytes. */
    ipv4(&k, mac_gw, mac_a, IP_A, IP_GW, 17, 5, 8);
    put16(k.b + 16, 24);
    CU_ASSERT_EQUAL(parse_exact(&k, k.len, &p), -EINVAL);
    arp(&k, mac_a, IP_A, IP_GW);
    put16(k.b + 14, 6);
    CU_ASSERT_EQUAL(parse_exact(&k, k.len, &p), -EINVAL);

    /* A later fragment has no ports, even with bytes where they would be;
     * the first fragment (MF, offset 0) has them. */
    udp(&k, mac_gw, mac_a, IP_A, IP_GW, 1, 2, 17);
    put16(k.b + 20, 0x0010);
    CU_ASSERT_EQUAL(parse_exact(&k, k.len, &p), 0);
    CU_ASSERT(p.is_fragment && !p.has_ports);
    ipv4(&k, mac_gw, mac_a, IP_A, IP_GW, 17, 5, 0);
    put16(k.b + 20, 0x0020);                    /* a later fragment: no L4 needed */
    CU_ASSERT_EQUAL(parse_exact(&k, k.len, &p), 0);
    udp(&k, mac_gw, mac_a, IP_A, IP_GW, 1, 2, 17);
    put16(k.b + 20, 0x2000);
    CU_ASSERT_EQUAL(parse_exact(&k, k.len, &p), 0);
    CU_ASSERT(p.is_fragment && p.has_ports && p.dport == 2);

    /* Malformed headers are dropped and counted by the classifier. */
    fresh_vfr();
    ipv4(&k, mac_gw, mac_a, IP_A, IP_GW, 17, 5, 8);
    k.b[14] = 0x44;
    CU_ASSERT_EQUAL(classify(PVX_VFR_TX, 0, &k).why, VFR_WHY_MALFORMED);
    CU_ASSERT_EQUAL(machine.vfr.malformed, 1);
    CU_ASSERT_EQUAL(machine.vfr.vif[0].tx_dropped, 1);
    CU_ASSERT_EQUAL(classify(PVX_VFR_RX, VFR_VIF_WIRE, &k).action, PVX_VFR_DROP);
    CU_ASSERT_EQUAL(machine.vfr.malformed, 2);
}

/* ------------------------------------------------------------------------
 * Patterns: one rule at a time, a packet that matches and one that does not.
 */

struct pattern_case {
    const char *what;
    void (*set)(struct pvx_vfr_rule *r);
    void (*hit)(struct pkt *k);
    void (*miss)(struct pkt *k);
};

static void set_src_mac(struct pvx_vfr_rule *r)
{
    memcpy(r->src_mac, mac_a, 6);
    memcpy(r->src_mac_mask, ones, 6);
}
static void set_dst_mac_oui(struct pvx_vfr_rule *r)
{
    memcpy(r->dst_mac, mac_gw, 6);
    memset(r->dst_mac_mask, 0xff, 3);           /* the vendor part only */
}
static void set_src_ip(struct pvx_vfr_rule *r)
{
    r->src_ip = IP_A;
    r->src_ip_mask = 0xffffffff;
}
static void set_dst_net(struct pvx_vfr_rule *r)
{
    r->dst_ip = 0x0a000200;
    r->dst_ip_mask = 0xffffff00;
}
static void set_proto_tcp(struct pvx_vfr_rule *r) { r->proto = 6; }
static void set_ethertype_arp(struct pvx_vfr_rule *r) { r->ethertype = 0x0806; }
static void set_sport(struct pvx_vfr_rule *r) { r->sport_lo = 1000; r->sport_hi = 2000; }
static void set_dport(struct pvx_vfr_rule *r) { r->dport_lo = 53; r->dport_hi = 53; }
static void set_in_vif1(struct pvx_vfr_rule *r) { r->in_vif = 1; }

static void pk_udp_a(struct pkt *k) { udp(k, mac_gw, mac_a, IP_A, IP_GW, 1500, 53, 17); }
static void pk_udp_b(struct pkt *k) { udp(k, mac_gw, mac_b, IP_B, IP_GW, 1500, 53, 17); }
static void pk_udp_a_far(struct pkt *k) { udp(k, mac_bcast, mac_a, IP_A, 0x08080808, 1500, 53, 17); }
static void pk_udp_a_sport(struct pkt *k) { udp(k, mac_gw, mac_a, IP_A, IP_GW, 2001, 53, 17); }
static void pk_udp_a_dport(struct pkt *k) { udp(k, mac_gw, mac_a, IP_A, IP_GW, 1500, 54, 17); }
static void pk_tcp_a(struct pkt *k) { udp(k, mac_gw, mac_a, IP_A, IP_GW, 1500, 53, 6); }
static void pk_icmp_a(struct pkt *k) { ipv4(k, mac_gw, mac_a, IP_A, IP_GW, 1, 5, 8); }
static void pk_arp_a(struct pkt *k) { arp(k, mac_a, IP_A, IP_GW); }
static void pk_udp_a_other_mac(struct pkt *k) { udp(k, (const uint8_t[6]){ 2, 0, 0, 0, 0, 1 }, mac_a, IP_A, IP_GW, 1500, 53, 17); }

static const struct pattern_case patterns[] = {
    { "source MAC", set_src_mac, pk_udp_a, pk_udp_b },
    { "destination MAC under a mask", set_dst_mac_oui, pk_udp_a, pk_udp_a_other_mac },
    { "source IPv4", set_src_ip, pk_udp_a, pk_udp_b },
    { "destination IPv4 network", set_dst_net, pk_udp_a, pk_udp_a_far },
    { "protocol", set_proto_tcp, pk_tcp_a, pk_udp_a },
    { "ethertype", set_ethertype_arp, pk_arp_a, pk_udp_a },
    { "source port range", set_sport, pk_udp_a, pk_udp_a_sport },
    { "destination port", set_dport, pk_udp_a, pk_udp_a_dport },
    { "a port pattern needs ports", set_dport, pk_udp_a, pk_icmp_a },
    { "sending VIF", set_in_vif1, pk_udp_b, pk_udp_a },
};

static void test_vfr_patterns(void)
{
    for ( unsigned int i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++ )
    {
        const struct pattern_case *c = &patterns[i];
        struct pvx_vfr_rule r = any_rule(PVX_VFR_DROP);
        struct vfr_verdict v;
        struct pkt hit, miss;
        unsigned int vif_hit, vif_miss;

        fresh_vfr();
        c->set(&r);
        CU_ASSERT_EQUAL_FATAL(vfr_rule_add(PVX_VFR_TX, 0, &r), 0);
        c->hit(&hit);
        c->miss(&miss);
        vif_hit = hit.b[11] == mac_b[5] ? 1 : 0;
        vif_miss = miss.b[11] == mac_b[5] ? 1 : 0;
        v = classify(PVX_VFR_TX, vif_hit, &hit);
        if ( v.action != PVX_VFR_DROP || v.why != VFR_WHY_RULE || v.rule != 0 )
            fprintf(stderr, "\n  pattern %s: the matching packet got action %u why %u\n",
                    c->what, v.action, v.why);
        CU_ASSERT_EQUAL(v.action, PVX_VFR_DROP);
        v = classify(PVX_VFR_TX, vif_miss, &miss);
        if ( v.why != VFR_WHY_DEFAULT )
            fprintf(stderr, "\n  pattern %s: the other packet got why %u\n", c->what, v.why);
        CU_ASSERT_EQUAL(v.why, VFR_WHY_DEFAULT);
        CU_ASSERT_EQUAL(machine.vfr.rules[PVX_VFR_TX][0].hits, 1);
    }
}

/* Actions and order: the first match decides; accept goes on to the default. */
static void test_vfr_actions_order(void)
{
    struct pvx_vfr_rule drop53 = any_rule(PVX_VFR_DROP), accept = any_rule(PVX_VFR_ACCEPT);
    struct pvx_vfr_rule deliver = any_rule(PVX_VFR_DELIVER);
    struct vfr_verdict v;
    struct pkt k;

    fresh_vfr();
    drop53.dport_lo = drop53.dport_hi = 53;
    accept.src_ip = IP_A;
    accept.src_ip_mask = 0xffffffff;
    CU_ASSERT_EQUAL(vfr_rule_add(PVX_VFR_TX, 0, &drop53), 0);
    CU_ASSERT_EQUAL(vfr_rule_add(PVX_VFR_TX, 0, &accept), 0);   /* before it */
    udp(&k, mac_gw, mac_a, IP_A, IP_GW, 1500, 53, 17);
    v = classify(PVX_VFR_TX, 0, &k);
    CU_ASSERT(v.action == PVX_VFR_ACCEPT && v.why == VFR_WHY_RULE && v.rule == 0);
    CU_ASSERT_EQUAL(machine.vfr.rules[PVX_VFR_TX][0].hits, 1);
    CU_ASSERT_EQUAL(machine.vfr.rules[PVX_VFR_TX][1].hits, 0);
    CU_ASSERT_EQUAL(vfr_rule_remove(PVX_VFR_TX, 0), 0);
    v = classify(PVX_VFR_TX, 0, &k);
    CU_ASSERT(v.action == PVX_VFR_DROP && v.rule == 0);
    CU_ASSERT_EQUAL(machine.vfr.vif[0].tx_dropped, 1);
    CU_ASSERT_EQUAL(machine.vfr.vif[0].tx_sent, 1);

    /* Deliver on receive: port 5000 goes to VIF 1 whatever its address. */
    deliver.to_vif = 1;
    deliver.dport_lo = deliver.dport_hi = 5000;
    CU_ASSERT_EQUAL(vfr_rule_add(PVX_VFR_RX, 0, &deliver), 0);
    udp(&k, mac_a, mac_gw, IP_GW, IP_A, 7, 5000, 17);
    v = classify(PVX_VFR_RX, VFR_VIF_WIRE, &k);
    CU_ASSERT(v.action == PVX_VFR_DELIVER && v.vif == 1 && v.why == VFR_WHY_RULE);
    /* A delivery to a VIF that went away drops. */
    vfr_vif_destroy(1);
    v = classify(PVX_VFR_RX, VFR_VIF_WIRE, &k);
    CU_ASSERT(v.action == PVX_VFR_DROP && v.why == VFR_WHY_NO_VIF);
}

/* ------------------------------------------------------------------------
 * The default rules.
 */

static void test_vfr_spoofing(void)
{
    struct vfr_verdict v;
    struct pkt k;

    fresh_vfr();
    /* VIF 0 sending as VIF 1's MAC, or from VIF 1's address: dropped, counted. */
    udp(&k, mac_gw, mac_b, IP_A, IP_GW, 1, 2, 17);
    v = classify(PVX_VFR_TX, 0, &k);
    CU_ASSERT(v.action == PVX_VFR_DROP && v.why == VFR_WHY_SPOOF);
    udp(&k, mac_gw, mac_a, IP_B, IP_GW, 1, 2, 17);
    CU_ASSERT_EQUAL(classify(PVX_VFR_TX, 0, &k).why, VFR_WHY_SPOOF);
    arp(&k, mac_a, IP_B, IP_GW);
    CU_ASSERT_EQUAL(classify(PVX_VFR_TX, 0, &k).why, VFR_WHY_SPOOF);
    CU_ASSERT_EQUAL(machine.vfr.vif[0].tx_spoofed, 3);
    CU_ASSERT_EQUAL(machine.vfr.vif[0].tx_sent, 0);
    /* No rule can let a spoofed packet out: the check comes first. */
    {
        struct pvx_vfr_rule r = any_rule(PVX_VFR_ACCEPT);

        CU_ASSERT_EQUAL(vfr_rule_add(PVX_VFR_TX, 0, &r), 0);
        udp(&k, mac_gw, mac_a, IP_B, IP_GW, 1, 2, 17);
        CU_ASSERT_EQUAL(classify(PVX_VFR_TX, 0, &k).why, VFR_WHY_SPOOF);
        CU_ASSERT_EQUAL(machine.vfr.rules[PVX_VFR_TX][0].hits, 0);
        CU_ASSERT_EQUAL(vfr_rule_remove(PVX_VFR_TX, 0), 0);
    }
    /* Its own MAC and address: out to the wire. */
    udp(&k, mac_gw, mac_a, IP_A, IP_GW, 1, 2, 17);
    v = classify(PVX_VFR_TX, 0, &k);
    CU_ASSERT(v.action == PVX_VFR_ACCEPT && v.why == VFR_WHY_DEFAULT);
    arp(&k, mac_a, 0, IP_GW);                   /* a probe */
    CU_ASSERT_EQUAL(classify(PVX_VFR_TX, 0, &k).action, PVX_VFR_ACCEPT);

    /* Before it has an address: DHCP from 0.0.0.0 only. */
    CU_ASSERT_EQUAL(vfr_vif_set_ipv4(0, 0), 0);
    udp(&k, mac_bcast, mac_a, 0, 0xffffffff, 68, 67, 17);
    CU_ASSERT_EQUAL(classify(PVX_VFR_TX, 0, &k).action, PVX_VFR_ACCEPT);
    udp(&k, mac_bcast, mac_a, 0, 0xffffffff, 68, 53, 17);
    CU_ASSERT_EQUAL(classify(PVX_VFR_TX, 0, &k).why, VFR_WHY_SPOOF);
    udp(&k, mac_gw, mac_a, IP_A, IP_GW, 1, 2, 17);
    CU_ASSERT_EQUAL(classify(PVX_VFR_TX, 0, &k).why, VFR_WHY_SPOOF);
    /* An unknown VIF sends nothing. */
    CU_ASSERT_EQUAL(classify(PVX_VFR_TX, 5, &k).why, VFR_WHY_NO_VIF);
    CU_ASSERT_EQUAL(classify(PVX_VFR_TX, 0xffff, &k).why, VFR_WHY_NO_VIF);
}

static void test_vfr_demux(void)
{
    struct vfr_verdict v;
    struct pkt k;

    fresh_vfr();
    udp(&k, mac_b, mac_gw, IP_GW, 0x01020304, 53, 1500, 17);  /* by MAC */
    v = classify(PVX_VFR_RX, VFR_VIF_WIRE, &k);
    CU_ASSERT(v.action == PVX_VFR_DELIVER && v.vif == 1);
    udp(&k, (const uint8_t[6]){ 2, 0, 0, 0, 0, 9 }, mac_gw, IP_GW, IP_A, 53, 1500, 17);
    v = classify(PVX_VFR_RX, VFR_VIF_WIRE, &k);             /* by IPv4 */
    CU_ASSERT(v.action == PVX_VFR_DELIVER && v.vif == 0);
    arp(&k, mac_gw, IP_GW, IP_A);                           /* broadcast */
    v = classify(PVX_VFR_RX, VFR_VIF_WIRE, &k);
    CU_ASSERT(v.action == PVX_VFR_DELIVER && v.vif == VFR_VIF_ALL);
    udp(&k, (const uint8_t[6]){ 2, 0, 0, 0, 0, 9 }, mac_gw, IP_GW, 0x01020304, 53, 1500, 17);
    v = classify(PVX_VFR_RX, VFR_VIF_WIRE, &k);             /* nobody's */
    CU_ASSERT(v.action == PVX_VFR_DROP && v.why == VFR_WHY_NO_VIF);
    CU_ASSERT_EQUAL(machine.vfr.rx_no_vif, 1);
    /* Receive comes from the wire only. */
    udp(&k, mac_b, mac_gw, IP_GW, IP_B, 53, 1500, 17);
    CU_ASSERT_EQUAL(classify(PVX_VFR_RX, 0, &k).why, VFR_WHY_NO_VIF);

    /* Domain to domain: VIF 0 to VIF 1's address stays inside. */
    udp(&k, mac_b, mac_a, IP_A, IP_B, 1, 2, 17);
    v = classify(PVX_VFR_TX, 0, &k);
    CU_ASSERT(v.action == PVX_VFR_DELIVER && v.vif == 1 && v.why == VFR_WHY_DEFAULT);

    /* A firewall rule stops a port on receive, counted on the rule. */
    {
        struct pvx_vfr_rule r = any_rule(PVX_VFR_DROP);

        r.dport_lo = r.dport_hi = 1500;
        CU_ASSERT_EQUAL(vfr_rule_add(PVX_VFR_RX, 0, &r), 0);
        udp(&k, mac_a, mac_gw, IP_GW, IP_A, 53, 1500, 17);
        CU_ASSERT_EQUAL(classify(PVX_VFR_RX, VFR_VIF_WIRE, &k).action, PVX_VFR_DROP);
        udp(&k, mac_a, mac_gw, IP_GW, IP_A, 53, 1501, 17);
        CU_ASSERT_EQUAL(classify(PVX_VFR_RX, VFR_VIF_WIRE, &k).action, PVX_VFR_DELIVER);
        CU_ASSERT_EQUAL(machine.vfr.rules[PVX_VFR_RX][0].hits, 1);
    }
}

/* ------------------------------------------------------------------------
 * The rule list, and the domctl.
 */

static void test_vfr_rule_list(void)
{
    struct pvx_vfr_rule r = any_rule(PVX_VFR_DROP), out;
    uint8_t before[sizeof(machine.vfr)];

    fresh_vfr();
    for ( unsigned int i = 0; i < VFR_MAX_RULES; i++ )
    {
        r.dport_lo = r.dport_hi = (uint16_t)(100 + i);
        CU_ASSERT_EQUAL(vfr_rule_add(PVX_VFR_RX, i, &r), 0);
    }
    CU_ASSERT_EQUAL(vfr_rule_count(PVX_VFR_RX), VFR_MAX_RULES);
    CU_ASSERT_EQUAL(vfr_rule_count(PVX_VFR_TX), 0);
    memcpy(before, &machine.vfr, sizeof(before));

    /* Refused: nothing changes. */
    CU_ASSERT_EQUAL(vfr_rule_add(PVX_VFR_RX, 0, &r), -ENOSPC);
    CU_ASSERT_EQUAL(vfr_rule_add(2, 0, &r), -EINVAL);
    CU_ASSERT_EQUAL(vfr_rule_add(PVX_VFR_TX, 1, &r), -EINVAL);  /* past the end */
    r.action = 3;
    CU_ASSERT_EQUAL(vfr_rule_add(PVX_VFR_TX, 0, &r), -EINVAL);
    r.action = PVX_VFR_DELIVER;
    r.to_vif = VFR_MAX_VIFS;
    CU_ASSERT_EQUAL(vfr_rule_add(PVX_VFR_TX, 0, &r), -EINVAL);
    r = any_rule(PVX_VFR_DROP);
    r.dport_lo = 10;
    r.dport_hi = 9;
    CU_ASSERT_EQUAL(vfr_rule_add(PVX_VFR_TX, 0, &r), -EINVAL);
    r = any_rule(PVX_VFR_DROP);
    r.in_vif = 0;                                /* receive has no sending VIF */
    CU_ASSERT_EQUAL(vfr_rule_add(PVX_VFR_RX, 0, &r), -EINVAL);
    r.in_vif = VFR_MAX_VIFS;
    CU_ASSERT_EQUAL(vfr_rule_add(PVX_VFR_TX, 0, &r), -EINVAL);
    CU_ASSERT_EQUAL(vfr_rule_remove(PVX_VFR_TX, 0), -ENOENT);
    CU_ASSERT_EQUAL(vfr_rule_remove(PVX_VFR_RX, VFR_MAX_RULES), -ENOENT);
    CU_ASSERT_EQUAL(vfr_rule_remove(7, 0), -EINVAL);
    CU_ASSERT_EQUAL(vfr_rule_list(PVX_VFR_RX, VFR_MAX_RULES, &out), -ENOENT);
    CU_ASSERT_EQUAL(vfr_rule_list(2, 0, &out), -EINVAL);
    CU_ASSERT_EQUAL(memcmp(before, &machine.vfr, sizeof(before)), 0);

    /* Remove from the middle: the rest move up, in order. */
    CU_ASSERT_EQUAL(vfr_rule_remove(PVX_VFR_RX, 5), 0);
    CU_ASSERT_EQUAL(vfr_rule_count(PVX_VFR_RX), VFR_MAX_RULES - 1);
    CU_ASSERT_EQUAL(vfr_rule_list(PVX_VFR_RX, 4, &out), 0);
    CU_ASSERT_EQUAL(out.dport_lo, 104);
    CU_ASSERT_EQUAL(vfr_rule_list(PVX_VFR_RX, 5, &out), 0);
    CU_ASSERT_EQUAL(out.dport_lo, 106);
    CU_ASSERT_EQUAL(vfr_rule_list(PVX_VFR_RX, VFR_MAX_RULES - 2, &out), 0);
    CU_ASSERT_EQUAL(out.dport_lo, 100 + VFR_MAX_RULES - 1);

    /* VIF addresses: one owner each. */
    CU_ASSERT_EQUAL(vfr_vif_set_ipv4(1, IP_A), -EINVAL);
    CU_ASSERT_EQUAL(vfr_vif_set_ipv4(9, IP_GW), -EINVAL);
    CU_ASSERT_EQUAL(machine.vfr.vif[1].ipv4, IP_B);
}

static long vfr_op(uint32_t cmd, struct xen_domctl *op)
{
    op->cmd = cmd;
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op->domain = DOMID_SELF;
    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, ARG, op, sizeof(*op)), 0);
    return unit_hypercall(__HYPERVISOR_domctl, ARG, 0, 0, 0, 0);
}

static void test_vfr_domctl(void)
{
    struct elfgen_spec s;
    struct xen_domctl op;
    uint8_t before[sizeof(machine.vfr)];
    struct vcpu *dom0;

    elfgen_default(&s);
    CU_ASSERT_EQUAL_FATAL(fixture_boot(&s, "kernel.elf", "dom0_mem=4M", 1, NULL), -1);
    dom0 = current;
    CU_ASSERT_EQUAL_FATAL(vfr_vif_create(0, mac_a), 0);

    memset(&op, 0, sizeof(op));
    op.u.pvx_vfr.dir = PVX_VFR_RX;
    op.u.pvx_vfr.rule = any_rule(PVX_VFR_DROP);
    op.u.pvx_vfr.rule.proto = 17;
    op.u.pvx_vfr.rule.hits = 99;                /* ignored on add */
    CU_ASSERT_EQUAL(vfr_op(XEN_DOMCTL_pvx_vfr_add, &op), 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &op, ARG, sizeof(op)), 0);
    CU_ASSERT_EQUAL(op.u.pvx_vfr.nr_rules, 1);
    CU_ASSERT_EQUAL(machine.vfr.rules[PVX_VFR_RX][0].proto, 17);
    CU_ASSERT_EQUAL(machine.vfr.rules[PVX_VFR_RX][0].hits, 0);
    machine.vfr.rules[PVX_VFR_RX][0].hits = 3;

    memset(&op.u, 0, sizeof(op.u));
    op.u.pvx_vfr.dir = PVX_VFR_RX;
    CU_ASSERT_EQUAL(vfr_op(XEN_DOMCTL_pvx_vfr_list, &op), 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &op, ARG, sizeof(op)), 0);
    CU_ASSERT_EQUAL(op.u.pvx_vfr.rule.proto, 17);
    CU_ASSERT_EQUAL(op.u.pvx_vfr.rule.hits, 3);
    CU_ASSERT_EQUAL(op.u.pvx_vfr.nr_rules, 1);
    op.u.pvx_vfr.index = 1;
    CU_ASSERT_EQUAL(vfr_op(XEN_DOMCTL_pvx_vfr_list, &op), -ENOENT);

    memset(&op.u, 0, sizeof(op.u));
    op.u.pvx_vfr_vif.vif = 0;
    op.u.pvx_vfr_vif.set_ipv4 = 1;
    op.u.pvx_vfr_vif.ipv4 = IP_A;
    CU_ASSERT_EQUAL(vfr_op(XEN_DOMCTL_pvx_vfr_vif, &op), 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &op, ARG, sizeof(op)), 0);
    CU_ASSERT_EQUAL(op.u.pvx_vfr_vif.ipv4, IP_A);
    CU_ASSERT_EQUAL(memcmp(op.u.pvx_vfr_vif.mac, mac_a, 6), 0);
    CU_ASSERT_EQUAL(machine.vfr.vif[0].ipv4, IP_A);
    op.u.pvx_vfr_vif.vif = 3;
    CU_ASSERT_EQUAL(vfr_op(XEN_DOMCTL_pvx_vfr_vif, &op), -EINVAL);
    op.u.pvx_vfr_vif.vif = 0;
    op.u.pvx_vfr_vif.set_ipv4 = 2;
    CU_ASSERT_EQUAL(vfr_op(XEN_DOMCTL_pvx_vfr_vif, &op), -EINVAL);

    /* Anyone else: -EPERM, the VFR as it was, the argument not written. */
    fixture_become(&domain_lookup(1)->vcpu[0]);
    memcpy(before, &machine.vfr, sizeof(before));
    memset(&op.u, 0, sizeof(op.u));
    op.u.pvx_vfr.dir = PVX_VFR_RX;
    CU_ASSERT_EQUAL(vfr_op(XEN_DOMCTL_pvx_vfr_remove, &op), -EPERM);
    op.u.pvx_vfr.rule = any_rule(PVX_VFR_ACCEPT);
    CU_ASSERT_EQUAL(vfr_op(XEN_DOMCTL_pvx_vfr_add, &op), -EPERM);
    CU_ASSERT_EQUAL(vfr_op(XEN_DOMCTL_pvx_vfr_list, &op), -EPERM);
    op.u.pvx_vfr_vif.vif = 0;
    op.u.pvx_vfr_vif.set_ipv4 = 1;
    op.u.pvx_vfr_vif.ipv4 = IP_B;
    CU_ASSERT_EQUAL(vfr_op(XEN_DOMCTL_pvx_vfr_vif, &op), -EPERM);
    CU_ASSERT_EQUAL(memcmp(before, &machine.vfr, sizeof(before)), 0);

    fixture_become(dom0);
    op.u.pvx_vfr.dir = PVX_VFR_RX;
    op.u.pvx_vfr.index = 0;
    CU_ASSERT_EQUAL(vfr_op(XEN_DOMCTL_pvx_vfr_remove, &op), 0);
    CU_ASSERT_EQUAL(vfr_rule_count(PVX_VFR_RX), 0);
    CU_ASSERT_EQUAL(vfr_op(XEN_DOMCTL_pvx_vfr_remove, &op), -ENOENT);
}

void unit_register_vfr(void)
{
    CU_pSuite s = CU_add_suite("vfr", NULL, NULL);

    CU_add_test(s, "the parser reads Ethernet, ARP, IPv4 with options, UDP, TCP, ICMP",
                test_vfr_parse_kinds);
    CU_add_test(s, "every truncated header is refused and never read past", test_vfr_parse_truncated);
    CU_add_test(s, "bad IHL, version, length, ARP type refused; fragments have no ports",
                test_vfr_parse_malformed);
    CU_add_test(s, "each pattern kind matches its packet and not another", test_vfr_patterns);
    CU_add_test(s, "the first matching rule decides; accept, drop, deliver", test_vfr_actions_order);
    CU_add_test(s, "a spoofed MAC or IPv4 source is dropped and counted, before any rule",
                test_vfr_spoofing);
    CU_add_test(s, "received packets go to the VIF of their destination; a rule stops a port",
                test_vfr_demux);
    CU_add_test(s, "rules add, remove and list; refusals change nothing", test_vfr_rule_list);
    CU_add_test(s, "the domctl works for the initial domain, -EPERM and no change for others",
                test_vfr_domctl);
}
