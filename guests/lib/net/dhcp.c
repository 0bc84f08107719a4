/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dhcp.c - the guests' DHCP client (RFC 2131, options RFC 2132): DISCOVER
 * and REQUEST broadcast from 0.0.0.0:68 to 255.255.255.255:67, an OFFER and
 * an ACK with our transaction id and MAC taken; options parsed with every
 * length checked against the message.
 */
#include <lib/compiler.h>
#include <lib/errno.h>
#include <lib/string.h>
#include "net.h"

#define DHCP_CLIENT_PORT    68
#define DHCP_SERVER_PORT    67
#define DHCP_FIXED          236             /* op .. file: the fixed part */
#define DHCP_MAGIC          0x63825363u
#define DHCP_DISCOVER       1
#define DHCP_OFFER          2
#define DHCP_REQUEST        3
#define DHCP_ACK            5
#define DHCP_NAK            6

#define OPT_PAD             0
#define OPT_NETMASK         1
#define OPT_ROUTER          3
#define OPT_DNS             6
#define OPT_REQUESTED_IP    50
#define OPT_LEASE           51
#define OPT_MSG_TYPE        53
#define OPT_SERVER_ID       54
#define OPT_PARAM_LIST      55
#define OPT_END             255

int net_dhcp_parse(const uint8_t *msg, unsigned int len, struct net_dhcp_reply *r)
{
    unsigned int i = DHCP_FIXED + 4;

    memset(r, 0, sizeof(*r));
    if ( len < DHCP_FIXED + 4 || msg[0] != 2 /* BOOTREPLY */ || msg[1] != 1 || msg[2] != 6 ||
         net_get32(msg + DHCP_FIXED) != DHCP_MAGIC )
        return -EINVAL;
    r->xid = net_get32(msg + 4);
    r->yiaddr = net_get32(msg + 16);
    while ( i < len )
    {
        uint8_t code = msg[i++], olen;

        if ( code == OPT_PAD )
            continue;
        if ( code == OPT_END )
            break;
        if ( i >= len )
            return -EINVAL;                     /* a code with no length */
        olen = msg[i++];
        if ( olen > len - i )
            return -EINVAL;                     /* runs past the message */
        switch ( code )
        {
        case OPT_MSG_TYPE:
            if ( olen == 1 )
                r->type = msg[i];
            break;
        case OPT_NETMASK:
            if ( olen == 4 )
                r->netmask = net_get32(msg + i);
            break;
        case OPT_ROUTER:
            if ( olen >= 4 )
                r->router = net_get32(msg + i);
            break;
        case OPT_DNS:
            if ( olen >= 4 )
                r->dns = net_get32(msg + i);
            break;
        case OPT_LEASE:
            if ( olen == 4 )
                r->lease_s = net_get32(msg + i);
            break;
        case OPT_SERVER_ID:
            if ( olen == 4 )
                r->server = net_get32(msg + i);
            break;
        default:
            break;
        }
        i += olen;
    }
    return r->type ? r->type : -EINVAL;
}

/* Build a DISCOVER or REQUEST in msg: its length. */
static unsigned int dhcp_build(struct net_if *n, uint8_t *msg, uint8_t type, uint32_t xid,
                               uint32_t want_ip, uint32_t server)
{
    unsigned int i = DHCP_FIXED + 4;

    memset(msg, 0, 300);
    msg[0] = 1;                                 /* BOOTREQUEST */
    msg[1] = 1;                                 /* Ethernet */
    msg[2] = 6;
    net_put32(msg + 4, xid);
    net_put16(msg + 10, 0x8000);                /* broadcast: we have no address to answer to */
    memcpy(msg + 28, n->link->mac, 6);
    net_put32(msg + DHCP_FIXED, DHCP_MAGIC);
    msg[i++] = OPT_MSG_TYPE;
    msg[i++] = 1;
    msg[i++] = type;
    if ( type == DHCP_REQUEST )
    {
        msg[i++] = OPT_REQUESTED_IP;
        msg[i++] = 4;
        net_put32(msg + i, want_ip);
        i += 4;
        msg[i++] = OPT_SERVER_ID;
        msg[i++] = 4;
        net_put32(msg + i, server);
        i += 4;
    }
    msg[i++] = OPT_PARAM_LIST;
    msg[i++] = 3;
    msg[i++] = OPT_NETMASK;
    msg[i++] = OPT_ROUTER;
    msg[i++] = OPT_DNS;
    msg[i++] = OPT_END;
    return MAX(i, 300u);                        /* BOOTP's minimum of 300 bytes */
}

/* Send one message and wait for a reply of our xid: its type, or -ETIME. */
static int dhcp_exchange(struct net_if *n, uint8_t type, uint32_t xid, uint32_t want_ip,
                         uint32_t server, uint64_t timeout_ns, struct net_dhcp_reply *r)
{
    static uint8_t msg[300];
    unsigned int len = dhcp_build(n, msg, type, xid, want_ip, server);
    uint64_t end = n->link->now_ns() + timeout_ns;
    int rc;

    n->udp_port = DHCP_CLIENT_PORT;
    n->udp_ready = false;
    rc = net_udp_send(n, 0xffffffffu, DHCP_CLIENT_PORT, DHCP_SERVER_PORT, msg, len);
    if ( rc )
        return rc;
    while ( n->link->now_ns() < end )
    {
        net_poll(n, end, &n->udp_ready);
        if ( !n->udp_ready )
            break;
        n->udp_ready = false;
        rc = net_dhcp_parse(n->udp.data, n->udp.len, r);
        if ( rc > 0 && r->xid == xid && n->udp.src_port == DHCP_SERVER_PORT &&
             !memcmp(n->udp.data + 28, n->link->mac, 6) )
            return rc;
    }
    return -ETIME;
}

int net_dhcp(struct net_if *n, uint32_t xid, uint64_t timeout_ns)
{
    struct net_dhcp_reply offer, ack;
    int rc;

    n->ip = 0;
    rc = dhcp_exchange(n, DHCP_DISCOVER, xid, 0, 0, timeout_ns, &offer);
    if ( rc < 0 )
        goto out;
    if ( rc != DHCP_OFFER || offer.yiaddr == 0 || offer.server == 0 )
    {
        rc = -EINVAL;
        goto out;
    }
    rc = dhcp_exchange(n, DHCP_REQUEST, xid, offer.yiaddr, offer.server, timeout_ns, &ack);
    if ( rc < 0 )
        goto out;
    if ( rc != DHCP_ACK || ack.yiaddr != offer.yiaddr )
    {
        rc = -EINVAL;                           /* a NAK, or another address */
        goto out;
    }
    n->ip = ack.yiaddr;
    n->netmask = ack.netmask ? ack.netmask : 0xffffff00u;
    n->gateway = ack.router;
    n->dns = ack.dns;
    n->dhcp_server = ack.server ? ack.server : offer.server;
    n->lease_s = ack.lease_s;
    rc = 0;

 out:
    n->udp_port = 0;
    return rc;
}
