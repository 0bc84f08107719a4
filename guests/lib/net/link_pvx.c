/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * link_pvx.c - the network stack's link over pvx's interim NIC path
 * (PHYSDEVOP_pvx_net_*, the initial domain's only; public/pvx.h): frames
 * sent from pages of our own, pages posted for receive, completions polled
 * after VIRQ_PVX_NET. netfront replaces this file when the VIFs exist.
 */
#include "guest.h"
#include "events.h"
#include "mm.h"
#include "net/link_pvx.h"
#include <public/pvx.h>

#define LINK_TX_PAGES   4
#define LINK_RX_PAGES   8

static uint8_t tx_page[LINK_TX_PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t rx_page[LINK_RX_PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static bool tx_busy[LINK_TX_PAGES];
static evtchn_port_t port;

/* Frames arrived but not taken yet (ids of rx pages, with lengths). */
static struct { uint32_t id, len; } arrived[LINK_RX_PAGES];
static unsigned int nr_arrived;

struct link_pvx_stats link_pvx_stats;

static uint32_t page_mfn(const void *p)
{
    return mm_pfn_to_mfn((uint32_t)((unsigned long)p >> PAGE_SHIFT));  /* va = pfn * 4 KiB */
}

static long post(uint32_t id)
{
    struct physdev_pvx_net_rx_post p = { .mfn = page_mfn(rx_page[id]), .id = id };

    return HYPERVISOR_physdev_op(PHYSDEVOP_pvx_net_rx_post, &p);
}

/* Take every completion waiting: transmit pages free again, frames queued. */
static void reap(void)
{
    struct physdev_pvx_net_poll p;

    while ( HYPERVISOR_physdev_op(PHYSDEVOP_pvx_net_poll, &p) == 0 )
    {
        if ( p.kind == PVX_NET_EV_TX_DONE && p.id < LINK_TX_PAGES )
        {
            tx_busy[p.id] = false;
            link_pvx_stats.tx_done++;
        }
        else if ( p.kind == PVX_NET_EV_RX && p.id < LINK_RX_PAGES && nr_arrived < LINK_RX_PAGES )
        {
            arrived[nr_arrived].id = p.id;
            arrived[nr_arrived].len = p.len;
            nr_arrived++;
        }
        else
            link_pvx_stats.bad_completions++;
    }
}

static int link_send(struct net_link *l, const void *frame, unsigned int len)
{
    struct physdev_pvx_net_tx t;
    unsigned int i;
    long rc;

    (void)l;
    if ( len > PVX_NET_FRAME_MAX )
        return -EINVAL;
    for ( ;; )
    {
        reap();
        for ( i = 0; i < LINK_TX_PAGES && tx_busy[i]; i++ )
            ;
        if ( i < LINK_TX_PAGES )
            break;
        (void)sched_poll(port, 0);              /* every page in flight: wait for one */
        evtchn_test_and_clear(port);
    }
    memcpy(tx_page[i], frame, len);
    t = (struct physdev_pvx_net_tx){ .mfn = page_mfn(tx_page[i]), .offset = 0,
                                     .len = (uint16_t)len, .id = i };
    rc = HYPERVISOR_physdev_op(PHYSDEVOP_pvx_net_tx, &t);
    if ( rc )
        return (int)rc;
    if ( t.status == PVX_NET_QUEUED )
        tx_busy[i] = true;
    else if ( t.status == PVX_NET_DROPPED )
        link_pvx_stats.tx_dropped++;
    link_pvx_stats.tx++;
    return 0;
}

static int link_recv(struct net_link *l, void *frame, unsigned int max, uint64_t deadline_ns)
{
    unsigned int len, id;

    (void)l;
    for ( ;; )
    {
        reap();
        if ( nr_arrived )
            break;
        if ( deadline_ns == 0 || time_now_ns() >= deadline_ns )
            return 0;
        (void)sched_poll(port, deadline_ns);
        evtchn_test_and_clear(port);
    }
    id = arrived[0].id;
    len = MIN(arrived[0].len, max);
    memcpy(frame, rx_page[id], len);
    memmove(arrived, arrived + 1, --nr_arrived * sizeof(arrived[0]));
    link_pvx_stats.rx++;
    if ( post(id) )
        link_pvx_stats.bad_completions++;
    return (int)len;
}

int link_pvx_init(struct net_link *l)
{
    struct physdev_pvx_net_setup s;
    long rc;

    rc = HYPERVISOR_physdev_op(PHYSDEVOP_pvx_net_setup, &s);
    if ( rc )
        return (int)rc;
    rc = evtchn_bind_virq(VIRQ_PVX_NET, &port);
    if ( rc )
        return (int)rc;
    for ( uint32_t i = 0; i < LINK_RX_PAGES; i++ )
        if ( (rc = post(i)) )
            return (int)rc;
    memcpy(l->mac, s.mac, 6);
    l->send = link_send;
    l->recv = link_recv;
    l->now_ns = time_now_ns;
    return 0;
}

uint32_t link_pvx_port(void)
{
    return port;
}
