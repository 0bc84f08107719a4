/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_guest_net.c - the guests' network stack (guests/lib/net), built for
 * the host: its parsers on good, truncated and spoiled frames (every buffer
 * exactly as long as the frame: an over-read is a sanitizer's error), the
 * Internet checksum, and the stack answering ARP and echo requests over a
 * link that records what it sends.
 */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "net/net.h"

/* A link that keeps the last frame sent and has nothing to receive. */
static uint8_t sent[NET_FRAME_MAX];
static unsigned int sent_len, nr_sent;
static uint64_t link_time;

static int rec_send(struct net_link *l, const void *frame, unsigned int len)
{
    (void)l;
    memcpy(sent, frame, len);
    sent_len = len;
    nr_sent++;
    return 0;
}

static int rec_recv(struct net_link *l, void *frame, unsigned int max, uint64_t deadline_ns)
{
    (void)l;
    (void)frame;
    (void)max;
    link_time = deadline_ns > link_time ? deadline_ns : link_time;   /* time passes, nothing comes */
    return 0;
}

static uint64_t rec_now(void)
{
    return link_time;
}

static struct net_link rec_link = {
    .mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
    .send = rec_send, .recv = rec_recv, .now_ns = rec_now,
};

static const uint8_t gw_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

static int parse_exact(const uint8_t *f, unsigned int len, struct net_pkt *p)
{
    uint8_t *copy = malloc(len ? len : 1);
    int rc;

    memcpy(copy, f, len);
    rc = net_parse(copy, len, p);
    free(copy);
    return rc;
}

/* An echo request from the gateway to 10.0.2.15, checksums right. */
static unsigned int echo_request(uint8_t *f)
{
    uint8_t *ip = f + 14, *icmp = f + 34;

    memset(f, 0, 74);
    memcpy(f, rec_link.mac, 6);
    memcpy(f + 6, gw_mac, 6);
    net_put16(f + 12, ETH_P_IPV4);
    ip[0] = 0x45;
    net_put16(ip + 2, 60);
    ip[8] = 255;
    ip[9] = IP_PROTO_ICMP;
    net_put32(ip + 12, 0x0a000202);
    net_put32(ip + 16, 0x0a00020f);
    net_put16(ip + 10, net_csum_fold(net_csum_add(0, ip, 20)));
    icmp[0] = 8;
    net_put16(icmp + 4, 0x1234);
    net_put16(icmp + 6, 7);
    memcpy(icmp + 8, "0123456789abcdef0123456789abcdef", 32);
    net_put16(icmp + 2, net_csum_fold(net_csum_add(0, icmp, 40)));
    return 74;
}

static void test_guest_net_checksum(void)
{
    /* RFC 1071's example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 (folded). */
    static const uint8_t words[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    uint8_t odd[3] = { 0x12, 0x34, 0x56 };

    CU_ASSERT_EQUAL(net_csum_add(0, words, 8), 0xddf2);
    CU_ASSERT_EQUAL(net_csum_fold(net_csum_add(0, words, 8)), (uint16_t)~0xddf2);
    CU_ASSERT_EQUAL(net_csum_add(0, odd, 3), 0x1234 + 0x5600);
}

static void test_guest_net_parse(void)
{
    uint8_t f[74];
    unsigned int len = echo_request(f);
    struct net_pkt p;

    CU_ASSERT_EQUAL(parse_exact(f, len, &p), 0);
    CU_ASSERT(p.proto == IP_PROTO_ICMP && p.icmp_type == 8 && p.icmp_id == 0x1234 &&
              p.icmp_seq == 7 && p.src_ip == 0x0a000202 && p.data_len == 32);
    /* Every cut is refused (the headers or the total length do not fit). */
    for ( unsigned int cut = 0; cut < len; cut++ )
        if ( parse_exact(f, cut, &p) != -EINVAL )
            CU_FAIL("a truncated frame was taken");
    /* A wrong IPv4 or ICMP checksum, a fragment, an IHL below 5: refused. */
    f[14 + 10] ^= 1;
    CU_ASSERT_EQUAL(parse_exact(f, len, &p), -EINVAL);
    f[14 + 10] ^= 1;
    f[34 + 9] ^= 1;
    CU_ASSERT_EQUAL(parse_exact(f, len, &p), -EINVAL);
    f[34 + 9] ^= 1;
    CU_ASSERT_EQUAL(parse_exact(f, len, &p), 0);
    f[14] = 0x44;
    CU_ASSERT_EQUAL(parse_exact(f, len, &p), -EINVAL);
    len = echo_request(f);
    net_put16(f + 14 + 6, 0x2000);              /* MF */
    net_put16(f + 14 + 10, 0);
    net_put16(f + 14 + 10, net_csum_fold(net_csum_add(0, f + 14, 20)));
    CU_ASSERT_EQUAL(parse_exact(f, len, &p), -EINVAL);
    /* Ethernet padding beyond the IPv4 total length is not payload. */
    len = echo_request(f);
    {
        uint8_t padded[80];

        memcpy(padded, f, len);
        memset(padded + len, 0xee, sizeof(padded) - len);
        CU_ASSERT_EQUAL(parse_exact(padded, sizeof(padded), &p), 0);
        CU_ASSERT_EQUAL(p.data_len, 32);
    }
}

/* A DHCP reply of type t with the options given, into m: its length. */
static unsigned int dhcp_reply(uint8_t *m, uint8_t type, const uint8_t *opts, unsigned int n)
{
    memset(m, 0, 300);
    m[0] = 2;
    m[1] = 1;
    m[2] = 6;
    net_put32(m + 4, 0x70760001);
    net_put32(m + 16, 0x0a00020f);
    net_put32(m + 236, 0x63825363);
    m[240] = 53;
    m[241] = 1;
    m[242] = type;
    memcpy(m + 243, opts, n);
    m[243 + n] = 255;
    return 244 + n;
}

static void test_guest_net_dhcp_parse(void)
{
    static const uint8_t opts[] = { 1, 4, 255, 255, 255, 0, 3, 4, 10, 0, 2, 2, 54, 4, 10, 0, 2, 2,
                                    51, 4, 0, 1, 81, 128, 0, 0 };
    uint8_t m[300];
    struct net_dhcp_reply r;
    unsigned int len = dhcp_reply(m, 5, opts, sizeof(opts));
    uint8_t *copy;

    CU_ASSERT_EQUAL(net_dhcp_parse(m, len, &r), 5);
    CU_ASSERT(r.xid == 0x70760001 && r.yiaddr == 0x0a00020f && r.netmask == 0xffffff00 &&
              r.router == 0x0a000202 && r.server == 0x0a000202 && r.lease_s == 86400);
    /* An option running past the message, a code with no length byte, a
     * BOOTREQUEST, a wrong magic: refused, never read past (exact copies). */
    for ( unsigned int cut = 0; cut < len; cut++ )
    {
        int rc;

        copy = malloc(cut ? cut : 1);
        memcpy(copy, m, cut);
        rc = net_dhcp_parse(copy, cut, &r);
        free(copy);
        if ( cut < 243 && rc != -EINVAL )
            CU_FAIL("a DHCP message cut before its type was taken");
    }
    m[0] = 1;
    CU_ASSERT_EQUAL(net_dhcp_parse(m, len, &r), -EINVAL);
    m[0] = 2;
    m[236] ^= 1;
    CU_ASSERT_EQUAL(net_dhcp_parse(m, len, &r), -EINVAL);
    m[236] ^= 1;
    m[244] = 200;                               /* netmask's length past the end */
    CU_ASSERT_EQUAL(net_dhcp_parse(m, len, &r), -EINVAL);
}

static void test_guest_net_answers(void)
{
    struct net_if n;
    uint8_t f[74], arp[60];
    unsigned int len = echo_request(f);
    struct net_pkt p;

    net_init(&n, &rec_link);
    nr_sent = 0;
    /* No address yet: an echo request is not answered. */
    net_input(&n, f, len);
    CU_ASSERT_EQUAL(nr_sent, 0);
    n.ip = 0x0a00020f;
    net_input(&n, f, len);
    CU_ASSERT_EQUAL_FATAL(nr_sent, 1);
    CU_ASSERT_EQUAL(net_parse(sent, sent_len, &p), 0);  /* its checksums are right */
    CU_ASSERT(p.icmp_type == 0 && p.icmp_id == 0x1234 && p.icmp_seq == 7 &&
              p.dst_ip == 0x0a000202 && !memcmp(p.dst_mac, gw_mac, 6) && p.data_len == 32);
    /* A spoiled request: dropped, counted, not answered. */
    f[40] ^= 0xff;
    net_input(&n, f, len);
    CU_ASSERT_EQUAL(nr_sent, 1);
    CU_ASSERT_EQUAL(n.rx_bad_csum, 1);

    /* An ARP request for our address: answered, and the asker learned. */
    memset(arp, 0, sizeof(arp));
    memset(arp, 0xff, 6);
    memcpy(arp + 6, gw_mac, 6);
    net_put16(arp + 12, ETH_P_ARP);
    net_put16(arp + 14, 1);
    net_put16(arp + 16, ETH_P_IPV4);
    arp[18] = 6;
    arp[19] = 4;
    net_put16(arp + 20, 1);
    memcpy(arp + 22, gw_mac, 6);
    net_put32(arp + 28, 0x0a000202);
    net_put32(arp + 38, 0x0a00020f);
    net_input(&n, arp, sizeof(arp));
    CU_ASSERT_EQUAL_FATAL(nr_sent, 2);
    CU_ASSERT_EQUAL(net_parse(sent, sent_len, &p), 0);
    CU_ASSERT(p.arp_op == 2 && p.arp_spa == 0x0a00020f && p.arp_tpa == 0x0a000202);
    /* Resolving the gateway now needs no request. */
    {
        uint8_t mac[6];

        n.netmask = 0xffffff00;
        CU_ASSERT_EQUAL(net_arp_resolve(&n, 0x0a000202, mac, 1000), 0);
        CU_ASSERT_EQUAL(memcmp(mac, gw_mac, 6), 0);
        CU_ASSERT_EQUAL(nr_sent, 2);
        /* An unknown neighbour: three requests, then -ETIME. */
        CU_ASSERT_EQUAL(net_arp_resolve(&n, 0x0a000209, mac, 3000), -ETIME);
        CU_ASSERT_EQUAL(nr_sent, 5);
    }
}

void unit_register_guest_net(void)
{
    CU_pSuite s = CU_add_suite("guest-net", NULL, NULL);

    CU_add_test(s, "the Internet checksum (RFC 1071's example, odd lengths)", test_guest_net_checksum);
    CU_add_test(s, "frames: good ones parsed, cut or spoiled ones refused, padding ignored",
                test_guest_net_parse);
    CU_add_test(s, "DHCP replies: options read, cut or overlong ones refused", test_guest_net_dhcp_parse);
    CU_add_test(s, "the stack answers echo and ARP requests for its address, nothing else",
                test_guest_net_answers);
}
