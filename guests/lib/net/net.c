/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * net.c - Ethernet, ARP, IPv4, ICMP echo and UDP of the guests' network
 * stack (net.h). Received frames are parsed before anything trusts them.
 */
#include <lib/errno.h>
#include <lib/string.h>
#include "net.h"

static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

uint16_t net_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

void net_ip_str(char *buf, size_t len, uint32_t ip)
{
    char s[16];
    size_t n = 0;

    for ( int shift = 24; shift >= 0; shift -= 8 )
    {
        unsigned int b = (ip >> shift) & 0xff;

        if ( b >= 100 )
            s[n++] = (char)('0' + b / 100);
        if ( b >= 10 )
            s[n++] = (char)('0' + b / 10 % 10);
        s[n++] = (char)('0' + b % 10);
        if ( shift )
            s[n++] = '.';
    }
    if ( !len )
        return;
    n = n < len - 1 ? n : len - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
}

uint32_t net_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void net_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

void net_put32(uint8_t *p, uint32_t v)
{
    net_put16(p, (uint16_t)(v >> 16));
    net_put16(p + 2, (uint16_t)v);
}

uint32_t net_csum_add(uint32_t sum, const void *data, unsigned int len)
{
    const uint8_t *p = data;

    for ( ; len > 1; p += 2, len -= 2 )
        sum += net_get16(p);
    if ( len )
        sum += (uint32_t)p[0] << 8;
    while ( sum >> 16 )
        sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

uint16_t net_csum_fold(uint32_t sum)
{
    while ( sum >> 16 )
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* The pseudo-header of UDP's checksum. */
static uint32_t net_pseudo(uint32_t src, uint32_t dst, uint8_t proto, unsigned int len)
{
    uint8_t ph[12];

    net_put32(ph, src);
    net_put32(ph + 4, dst);
    ph[8] = 0;
    ph[9] = proto;
    net_put16(ph + 10, (uint16_t)len);
    return net_csum_add(0, ph, sizeof(ph));
}

static int net_parse_ipv4(const uint8_t *ip, unsigned int len, struct net_pkt *p)
{
    unsigned int ihl, total;

    if ( len < 20 || (ip[0] >> 4) != 4 )
        return -EINVAL;
    ihl = (ip[0] & 0xf) * 4u;
    total = net_get16(ip + 2);
    if ( ihl < 20 || total < ihl || total > len )
        return -EINVAL;
    if ( net_csum_fold(net_csum_add(0, ip, ihl)) != 0 )
        return -EINVAL;                         /* a bad header checksum */
    if ( net_get16(ip + 6) & 0x3fff )
        return -EINVAL;                         /* a fragment: we reassemble nothing */
    p->proto = ip[9];
    p->ttl = ip[8];
    p->src_ip = net_get32(ip + 12);
    p->dst_ip = net_get32(ip + 16);
    p->l4 = ip + ihl;
    p->l4_len = total - ihl;                    /* Ethernet padding is not ours */

    if ( p->proto == IP_PROTO_UDP )
    {
        unsigned int ulen;

        if ( p->l4_len < 8 )
            return -EINVAL;
        ulen = net_get16(p->l4 + 4);
        if ( ulen < 8 || ulen > p->l4_len )
            return -EINVAL;
        if ( net_get16(p->l4 + 6) &&
             net_csum_fold(net_csum_add(net_pseudo(p->src_ip, p->dst_ip, IP_PROTO_UDP, ulen),
                                        p->l4, ulen)) != 0 )
            return -EINVAL;
        p->sport = net_get16(p->l4);
        p->dport = net_get16(p->l4 + 2);
        p->data = p->l4 + 8;
        p->data_len = ulen - 8;
    }
    else if ( p->proto == IP_PROTO_ICMP )
    {
        if ( p->l4_len < 8 || net_csum_fold(net_csum_add(0, p->l4, p->l4_len)) != 0 )
            return -EINVAL;
        p->icmp_type = p->l4[0];
        p->icmp_code = p->l4[1];
        p->icmp_id = net_get16(p->l4 + 4);
        p->icmp_seq = net_get16(p->l4 + 6);
        p->data = p->l4 + 8;
        p->data_len = p->l4_len - 8;
    }
    return 0;
}

int net_parse(const uint8_t *frame, unsigned int len, struct net_pkt *p)
{
    memset(p, 0, sizeof(*p));
    if ( len < 14 )
        return -EINVAL;
    p->dst_mac = frame;
    p->src_mac = frame + 6;
    p->ethertype = net_get16(frame + 12);
    frame += 14;
    len -= 14;
    if ( p->ethertype == ETH_P_ARP )
    {
        if ( len < 28 || net_get16(frame) != 1 || net_get16(frame + 2) != ETH_P_IPV4 ||
             frame[4] != 6 || frame[5] != 4 )
            return -EINVAL;
        p->arp_op = net_get16(frame + 6);
        p->arp_sha = frame + 8;
        p->arp_spa = net_get32(frame + 14);
        p->arp_tpa = net_get32(frame + 24);
        return 0;
    }
    if ( p->ethertype == ETH_P_IPV4 )
        return net_parse_ipv4(frame, len, p);
    return 0;
}

void net_init(struct net_if *n, struct net_link *link)
{
    memset(n, 0, sizeof(*n));
    n->link = link;
    n->ip_id = 1;
}

static int net_send(struct net_if *n, unsigned int len)
{
    int rc;

    /* Ethernet's minimum: pad with zeros (the length fields say what counts). */
    if ( len < 60 )
    {
        memset(n->frame + len, 0, 60 - len);
        len = 60;
    }
    rc = n->link->send(n->link, n->frame, len);
    if ( rc == 0 )
        n->tx_frames++;
    return rc;
}

static unsigned int net_eth(struct net_if *n, const uint8_t *dst, uint16_t type)
{
    memcpy(n->frame, dst, 6);
    memcpy(n->frame + 6, n->link->mac, 6);
    net_put16(n->frame + 12, type);
    return 14;
}

static int net_arp_send(struct net_if *n, uint16_t op, const uint8_t *tha, uint32_t tpa)
{
    uint8_t *a = n->frame + net_eth(n, op == 1 ? mac_bcast : tha, ETH_P_ARP);

    net_put16(a, 1);
    net_put16(a + 2, ETH_P_IPV4);
    a[4] = 6;
    a[5] = 4;
    net_put16(a + 6, op);
    memcpy(a + 8, n->link->mac, 6);
    net_put32(a + 14, n->ip);
    memset(a + 18, 0, 6);
    if ( op == 2 )
        memcpy(a + 18, tha, 6);
    net_put32(a + 24, tpa);
    return net_send(n, 14 + 28);
}

static void net_arp_learn(struct net_if *n, uint32_t ip, const uint8_t *mac)
{
    struct net_arp_entry *e = NULL;

    if ( ip == 0 )
        return;
    for ( unsigned int i = 0; i < NET_ARP_CACHE; i++ )
        if ( n->arp[i].valid && n->arp[i].ip == ip )
            e = &n->arp[i];
    if ( !e )
    {
        e = &n->arp[n->arp_next];
        n->arp_next = (n->arp_next + 1) % NET_ARP_CACHE;
    }
    e->ip = ip;
    memcpy(e->mac, mac, 6);
    e->valid = true;
}

static bool net_arp_lookup(struct net_if *n, uint32_t ip, uint8_t mac[6])
{
    for ( unsigned int i = 0; i < NET_ARP_CACHE; i++ )
        if ( n->arp[i].valid && n->arp[i].ip == ip )
        {
            memcpy(mac, n->arp[i].mac, 6);
            return true;
        }
    return false;
}

/* IPv4 header (no options) for len bytes of payload; returns where it goes. */
static uint8_t *net_ipv4(struct net_if *n, const uint8_t *dst_mac, uint32_t dst, uint8_t proto,
                         unsigned int len)
{
    uint8_t *ip = n->frame + net_eth(n, dst_mac, ETH_P_IPV4);

    ip[0] = 0x45;
    ip[1] = 0;
    net_put16(ip + 2, (uint16_t)(20 + len));
    net_put16(ip + 4, n->ip_id++);
    net_put16(ip + 6, 0x4000);                  /* DF */
    ip[8] = 64;
    ip[9] = proto;
    net_put16(ip + 10, 0);
    net_put32(ip + 12, n->ip);
    net_put32(ip + 16, dst);
    net_put16(ip + 10, net_csum_fold(net_csum_add(0, ip, 20)));
    return ip + 20;
}

static void net_echo_reply(struct net_if *n, const struct net_pkt *p)
{
    uint8_t *icmp;

    if ( p->l4_len > NET_FRAME_MAX - 34 )
        return;
    icmp = net_ipv4(n, p->src_mac, p->src_ip, IP_PROTO_ICMP, p->l4_len);
    memmove(icmp, p->l4, p->l4_len);            /* p->l4 may be in another buffer */
    icmp[0] = 0;                                /* echo reply */
    net_put16(icmp + 2, 0);
    net_put16(icmp + 2, net_csum_fold(net_csum_add(0, icmp, p->l4_len)));
    if ( net_send(n, 34 + p->l4_len) == 0 )
        n->echo_answered++;
}

void net_input(struct net_if *n, const uint8_t *frame, unsigned int len)
{
    struct net_pkt p;

    n->rx_frames++;
    if ( net_parse(frame, len, &p) )
    {
        n->rx_bad_csum++;
        return;
    }
    if ( p.ethertype == ETH_P_ARP )
    {
        if ( p.arp_op == 2 || (p.arp_op == 1 && n->ip && p.arp_tpa == n->ip) )
        {
            net_arp_learn(n, p.arp_spa, p.arp_sha);
            if ( p.arp_spa == n->arp_want )
                n->arp_ready = true;
        }
        if ( p.arp_op == 1 && n->ip && p.arp_tpa == n->ip )
            (void)net_arp_send(n, 2, p.arp_sha, p.arp_spa);
        return;
    }
    if ( p.ethertype != ETH_P_IPV4 )
        goto drop;
    if ( p.proto == IP_PROTO_ICMP )
    {
        if ( n->ip && p.dst_ip == n->ip && p.icmp_type == 8 && p.icmp_code == 0 )
            net_echo_reply(n, &p);
        else if ( p.icmp_type == 0 && p.icmp_id == n->echo_id && p.icmp_seq == n->echo_seq )
            n->echo_ready = true;
        return;
    }
    if ( p.proto == IP_PROTO_UDP && n->udp_port && p.dport == n->udp_port && !n->udp_ready )
    {
        n->udp.src_ip = p.src_ip;
        n->udp.src_port = p.sport;
        n->udp.dst_port = p.dport;
        n->udp.len = p.data_len;
        memcpy(n->udp.data, p.data, p.data_len);
        n->udp_ready = true;
        return;
    }
 drop:
    n->rx_dropped++;
}

void net_poll(struct net_if *n, uint64_t deadline_ns, const volatile bool *done)
{
    static uint8_t buf[NET_FRAME_MAX];

    while ( !*done )
    {
        int len = n->link->recv(n->link, buf, sizeof(buf), deadline_ns);

        if ( len <= 0 )
            return;                             /* the deadline passed, or the link broke */
        net_input(n, buf, (unsigned int)len);
    }
}

static bool net_on_link(const struct net_if *n, uint32_t ip)
{
    return n->netmask && (ip & n->netmask) == (n->ip & n->netmask);
}

int net_arp_resolve(struct net_if *n, uint32_t ip, uint8_t mac[6], uint64_t timeout_ns)
{
    uint32_t hop = net_on_link(n, ip) || !n->gateway ? ip : n->gateway;
    uint64_t end = n->link->now_ns() + timeout_ns;

    if ( net_arp_lookup(n, hop, mac) )
        return 0;
    n->arp_want = hop;
    n->arp_ready = false;
    for ( unsigned int tries = 0; tries < 3 && !n->arp_ready; tries++ )
    {
        uint64_t until = MIN(n->link->now_ns() + timeout_ns / 3, end);

        if ( net_arp_send(n, 1, mac_bcast, hop) )
            return -EIO;
        while ( !n->arp_ready && n->link->now_ns() < until )
            net_poll(n, until, &n->arp_ready);
    }
    n->arp_want = 0;
    return n->arp_ready && net_arp_lookup(n, hop, mac) ? 0 : -ETIME;
}

unsigned int net_udp_frame(uint8_t f[60], const uint8_t dst_mac[6], const uint8_t src_mac[6],
                           uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
    memset(f, 0, 60);
    memcpy(f, dst_mac, 6);
    memcpy(f + 6, src_mac, 6);
    net_put16(f + 12, ETH_P_IPV4);
    f[14] = 0x45;
    net_put16(f + 16, 28);
    f[22] = 64;
    f[23] = IP_PROTO_UDP;
    net_put32(f + 26, src);
    net_put32(f + 30, dst);
    net_put16(f + 24, net_csum_fold(net_csum_add(0, f + 14, 20)));
    net_put16(f + 34, sport);
    net_put16(f + 36, dport);
    net_put16(f + 38, 8);                       /* UDP checksum 0: none, as IPv4 allows */
    return 60;
}

int net_udp_send(struct net_if *n, uint32_t dst, uint16_t sport, uint16_t dport,
                 const void *data, unsigned int len)
{
    uint8_t mac[6];
    uint8_t *udp;
    int rc;

    if ( len > NET_FRAME_MAX - 42 )
        return -EINVAL;
    if ( dst == 0xffffffffu )
        memcpy(mac, mac_bcast, 6);
    else if ( (rc = net_arp_resolve(n, dst, mac, 1000000000ull)) )
        return rc;
    udp = net_ipv4(n, mac, dst, IP_PROTO_UDP, 8 + len);
    net_put16(udp, sport);
    net_put16(udp + 2, dport);
    net_put16(udp + 4, (uint16_t)(8 + len));
    net_put16(udp + 6, 0);
    memcpy(udp + 8, data, len);
    {
        uint16_t c = net_csum_fold(net_csum_add(net_pseudo(n->ip, dst, IP_PROTO_UDP, 8 + len),
                                                udp, 8 + len));

        net_put16(udp + 6, c ? c : 0xffff);     /* 0 would mean "no checksum" */
    }
    return net_send(n, 42 + len);
}

int net_ping(struct net_if *n, uint32_t dst, uint16_t id, uint16_t seq, uint64_t timeout_ns)
{
    static const char payload[32] = "pvx echo: abcdefghijklmnopqrstu";
    uint8_t mac[6];
    uint8_t *icmp;
    uint64_t end;
    int rc;

    rc = net_arp_resolve(n, dst, mac, timeout_ns);
    if ( rc )
        return rc;
    icmp = net_ipv4(n, mac, dst, IP_PROTO_ICMP, 8 + sizeof(payload));
    icmp[0] = 8;                                /* echo request */
    icmp[1] = 0;
    net_put16(icmp + 2, 0);
    net_put16(icmp + 4, id);
    net_put16(icmp + 6, seq);
    memcpy(icmp + 8, payload, sizeof(payload));
    net_put16(icmp + 2, net_csum_fold(net_csum_add(0, icmp, 8 + sizeof(payload))));
    n->echo_id = id;
    n->echo_seq = seq;
    n->echo_ready = false;
    rc = net_send(n, 42 + sizeof(payload));
    if ( rc )
        return rc;
    end = n->link->now_ns() + timeout_ns;
    while ( !n->echo_ready && n->link->now_ns() < end )
        net_poll(n, end, &n->echo_ready);
    return n->echo_ready ? 0 : -ETIME;
}
