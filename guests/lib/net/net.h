/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * net.h - a small network stack for PV guests: Ethernet, ARP (a cache,
 * requests and replies), IPv4 (header checksum; no fragments, no options
 * sent), ICMP echo, UDP and a DHCP client. It sits on a tiny link
 * interface (send one frame, receive one frame) so that any NIC path can
 * carry it: today the initial domain's interim path (link_pvx.c), later
 * netfront. Everything received is parsed defensively: nothing is read
 * past a frame's length, and a bad checksum or length drops the frame.
 * One interface, one thread, no allocation.
 */
#ifndef GUEST_NET_H
#define GUEST_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_FRAME_MAX   1514
#define NET_ARP_CACHE   8

#define ETH_P_IPV4      0x0800
#define ETH_P_ARP       0x0806
#define IP_PROTO_ICMP   1
#define IP_PROTO_UDP    17

/* The link: one frame at a time. recv waits until deadline_ns (system
 * time, 0: do not wait) and returns the frame's length, 0 when nothing
 * came, or -errno. */
struct net_link {
    uint8_t mac[6];
    int (*send)(struct net_link *l, const void *frame, unsigned int len);
    int (*recv)(struct net_link *l, void *frame, unsigned int max, uint64_t deadline_ns);
    uint64_t (*now_ns)(void);
};

struct net_arp_entry {
    uint32_t ip;
    uint8_t mac[6];
    bool valid;
};

/* A UDP datagram the stack received for a bound port. */
struct net_udp_rx {
    uint32_t src_ip;
    uint16_t src_port, dst_port;
    unsigned int len;
    uint8_t data[NET_FRAME_MAX];
};

struct net_if {
    struct net_link *link;
    uint32_t ip, netmask, gateway, dns; /* host order; 0: none */
    uint32_t dhcp_server, lease_s;
    uint16_t ip_id;
    struct net_arp_entry arp[NET_ARP_CACHE];
    unsigned int arp_next;
    /* What the receive path found, for whoever waits. */
    uint16_t udp_port;                  /* bound port (0: none) */
    bool udp_ready;
    struct net_udp_rx udp;
    uint32_t arp_want;                  /* the address whose reply is waited for */
    bool arp_ready;
    uint16_t echo_id, echo_seq;         /* the echo reply waited for */
    bool echo_ready;
    /* Counts. */
    unsigned int rx_frames, rx_dropped, rx_bad_csum, tx_frames, echo_answered;
    uint8_t frame[NET_FRAME_MAX];       /* scratch: one frame being built */
};

/* Parsed headers of one received frame (net_parse). */
struct net_pkt {
    const uint8_t *dst_mac, *src_mac;
    uint16_t ethertype;
    /* ARP */
    uint16_t arp_op;
    const uint8_t *arp_sha;
    uint32_t arp_spa, arp_tpa;
    /* IPv4 */
    uint8_t proto, ttl;
    uint32_t src_ip, dst_ip;
    const uint8_t *l4;                  /* the payload of IPv4 */
    unsigned int l4_len;
    /* UDP */
    uint16_t sport, dport;
    const uint8_t *data;
    unsigned int data_len;
    /* ICMP */
    uint8_t icmp_type, icmp_code;
    uint16_t icmp_id, icmp_seq;
};

/* Byte order and the Internet checksum. */
uint16_t net_get16(const uint8_t *p);
/* ip as "a.b.c.d" in buf (16 bytes hold any). */
void net_ip_str(char *buf, size_t len, uint32_t ip);
uint32_t net_get32(const uint8_t *p);
void net_put16(uint8_t *p, uint16_t v);
void net_put32(uint8_t *p, uint32_t v);
/* The ones' complement sum of len bytes, folded, started from sum. */
uint32_t net_csum_add(uint32_t sum, const void *data, unsigned int len);
uint16_t net_csum_fold(uint32_t sum);

/* Parse one frame: 0, or -EINVAL (truncated, bad length or checksum, IPv4
 * options or fragments we do not take, an ARP that is not Ethernet/IPv4). */
int net_parse(const uint8_t *frame, unsigned int len, struct net_pkt *p);

void net_init(struct net_if *n, struct net_link *link);
/* Handle one received frame: answer ARP requests and echo requests for our
 * address, learn ARP replies, keep the UDP datagram for the bound port. */
void net_input(struct net_if *n, const uint8_t *frame, unsigned int len);
/* Receive and handle frames until deadline_ns: stops early when *done. */
void net_poll(struct net_if *n, uint64_t deadline_ns, const volatile bool *done);

/* The MAC of ip (on our network: itself, else the gateway): 0, -ETIME. */
int net_arp_resolve(struct net_if *n, uint32_t ip, uint8_t mac[6], uint64_t timeout_ns);
/* Send len bytes of UDP (dst 0xffffffff: broadcast, from 0.0.0.0 before we
 * have an address). 0 or -errno. */
/* A 60-byte Ethernet frame holding an empty UDP datagram (sport -> dport,
 * checksums right) from src_mac/src to dst_mac/dst, whatever the link's own
 * addresses: for tests that send what a stack never would (a spoofed source). */
unsigned int net_udp_frame(uint8_t f[60], const uint8_t dst_mac[6], const uint8_t src_mac[6],
                           uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport);
int net_udp_send(struct net_if *n, uint32_t dst, uint16_t sport, uint16_t dport,
                 const void *data, unsigned int len);
/* One echo request; 0 when its reply came within timeout_ns, -ETIME. */
int net_ping(struct net_if *n, uint32_t dst, uint16_t id, uint16_t seq, uint64_t timeout_ns);

/* DHCP (RFC 2131): DISCOVER, OFFER, REQUEST, ACK; fills ip, netmask,
 * gateway, dns, dhcp_server, lease_s. 0, -ETIME, or -EINVAL (a NAK, or no usable offer). */
int net_dhcp(struct net_if *n, uint32_t xid, uint64_t timeout_ns);
/* Parse a DHCP message (the UDP payload): its type (option 53), or -EINVAL. */
struct net_dhcp_reply {
    uint8_t type;
    uint32_t xid, yiaddr, server, netmask, router, dns, lease_s;
};
int net_dhcp_parse(const uint8_t *msg, unsigned int len, struct net_dhcp_reply *r);

#endif /* GUEST_NET_H */
