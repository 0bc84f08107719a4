/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netfront.c - a guest's side of a VIF with rings, and the network stack's
 * link over it (netfront.h).
 */
#include "guest.h"
#include "events.h"
#include "mm.h"
#include "netfront.h"

struct netfront netfront;
bool netfront_rx_hold;
evtchn_port_t netfront_port;

static uint8_t ring_page[2][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t tx_page[NETFRONT_TX][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t rx_page[NETFRONT_RX][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

#define PTE_RW (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)

static uint32_t va_pfn(const void *va)
{
    return (uint32_t)((unsigned long)va >> PAGE_SHIFT);  /* virtual base 0: va = pfn * 4 KiB */
}

long netfront_physdev(unsigned int cmd, struct physdev_pvx_netif *op)
{
    return HYPERVISOR_physdev_op(cmd, op);
}

/* Give rx page id to the hypervisor: unmapped, so only our allocation names it. */
static long post_one(unsigned int id)
{
    struct netif_rx_request *rq;
    uint32_t mfn = mm_pfn_to_mfn(va_pfn(rx_page[id]));
    long rc;

    if ( netif_rx_front_full(&netfront.rx) )
        return -EBUSY;
    rc = HYPERVISOR_update_va_mapping((unsigned long)rx_page[id], 0, UVMF_INVLPG);
    if ( rc )
        return rc;
    rq = netif_rx_front_req(&netfront.rx, netfront.rx.req_prod_pvt++);
    rq->id = (uint16_t)id;
    rq->pad = 0;
    rq->gref = mfn;
    netfront.rx_posted[id] = true;
    return 0;
}

/* The frame at rx page id's pfn is mfn now (flipped in, or the posted one
 * back): our p2m says so and the page maps it again. */
static long remap(unsigned int id, uint32_t mfn)
{
    ((uint32_t *)start_info->mfn_list)[va_pfn(rx_page[id])] = mfn;
    return HYPERVISOR_update_va_mapping((unsigned long)rx_page[id],
                                        ((uint64_t)mfn << PAGE_SHIFT) | PTE_RW, UVMF_INVLPG);
}

long netfront_kick(void)
{
    struct physdev_pvx_netif op = { .handle = netfront.handle };
    bool tx = netif_tx_front_push(&netfront.tx);
    bool rx = netif_rx_front_push(&netfront.rx);
    long rc;

    /* A notify that failed is owed: req_event will not ask for it again. */
    if ( !tx && !rx && !netfront.kick_owed )
        return 0;
    netfront.st.notifies++;
    rc = netfront_physdev(PHYSDEVOP_pvx_netif_notify, &op);
    netfront.kick_owed = rc != 0;
    return rc;
}

long netfront_post_rx(void)
{
    long rc;

    for ( unsigned int i = 0; i < NETFRONT_RX && !netfront_rx_hold; i++ )
    {
        bool queued = false;

        for ( unsigned int k = 0; k < netfront.nr_arrived; k++ )
            queued |= netfront.arrived[k].id == i;
        if ( netfront.rx_posted[i] || queued )
            continue;
        if ( (rc = post_one(i)) )
            return rc;
    }
    return netfront_kick();
}

void netfront_reap(void)
{
    for ( ;; )
    {
        while ( netif_tx_front_unconsumed(&netfront.tx) )
        {
            struct netif_tx_response r = *netif_tx_front_rsp(&netfront.tx, netfront.tx.rsp_cons);

            netfront.tx.rsp_cons++;
            if ( r.id >= NETFRONT_TX || !netfront.tx_busy[r.id] )
            {
                netfront.st.bad_rsps++;         /* not one of ours in flight */
                continue;
            }
            netfront.tx_busy[r.id] = false;
            netfront.tx_status[r.id] = r.status;
            if ( r.status == NETIF_RSP_DROPPED )
                netfront.st.tx_dropped++;
            else if ( r.status != NETIF_RSP_OKAY )
                netfront.st.tx_errors++;
        }
        while ( netif_rx_front_unconsumed(&netfront.rx) )
        {
            struct netif_rx_response r = *netif_rx_front_rsp(&netfront.rx, netfront.rx.rsp_cons);
            uint32_t old;

            netfront.rx.rsp_cons++;
            if ( r.id >= NETFRONT_RX || !netfront.rx_posted[r.id] )
            {
                netfront.st.bad_rsps++;
                continue;
            }
            netfront.rx_posted[r.id] = false;
            old = mm_pfn_to_mfn(va_pfn(rx_page[r.id]));
            if ( remap(r.id, r.gref) )
            {
                netfront.st.bad_rsps++;         /* a frame that is not ours: never use it */
                continue;
            }
            if ( r.status <= 0 || r.status > NETIF_FRAME_MAX || r.offset )
            {
                netfront.st.rx_errors++;
                continue;                       /* the page is ours again: posted later */
            }
            netfront.st.flips += r.gref != old;
            netfront.arrived[netfront.nr_arrived].id = r.id;
            netfront.arrived[netfront.nr_arrived].len = (uint16_t)r.status;
            netfront.nr_arrived++;
        }
        if ( !netif_tx_front_final_check(&netfront.tx) && !netif_rx_front_final_check(&netfront.rx) )
            break;
    }
}

long netfront_send_nowait(const void *frame, unsigned int len)
{
    struct netif_tx_request *rq;
    unsigned int i;

    netfront_reap();
    for ( i = 0; i < NETFRONT_TX && netfront.tx_busy[i]; i++ )
        ;
    if ( i == NETFRONT_TX || netif_tx_front_full(&netfront.tx) )
        return -EBUSY;
    memcpy(tx_page[i], frame, len);
    rq = netif_tx_front_req(&netfront.tx, netfront.tx.req_prod_pvt++);
    rq->gref = mm_pfn_to_mfn(va_pfn(tx_page[i]));
    rq->offset = 0;
    rq->flags = 0;
    rq->id = (uint16_t)i;
    rq->size = (uint16_t)len;
    netfront.tx_busy[i] = true;
    netfront.st.tx++;
    return (long)i;
}

static int link_send(struct net_link *l, const void *frame, unsigned int len)
{
    long id, rc;

    uint64_t give_up = time_now_ns() + NETFRONT_TIMEOUT_NS;

    (void)l;
    if ( len < NETIF_FRAME_MIN || len > NETIF_FRAME_MAX )
        return -EINVAL;
    while ( (id = netfront_send_nowait(frame, len)) == -EBUSY )
    {
        /* Every page in flight: wait for one, notifying again if owed. */
        if ( time_now_ns() >= give_up )
            return -ETIME;
        (void)netfront_kick();
        (void)sched_poll(netfront_port, time_now_ns() + NETFRONT_TIMEOUT_NS / 10);
        evtchn_test_and_clear(netfront_port);
    }
    rc = netfront_kick();
    return (int)(id < 0 ? id : rc);
}

static int link_recv(struct net_link *l, void *frame, unsigned int max, uint64_t deadline_ns)
{
    unsigned int len, id;

    (void)l;
    for ( ;; )
    {
        netfront_reap();
        if ( netfront.nr_arrived )
            break;
        if ( deadline_ns == 0 || time_now_ns() >= deadline_ns )
            return 0;
        if ( netfront.kick_owed )
            (void)netfront_kick();
        (void)sched_poll(netfront_port, deadline_ns);
        evtchn_test_and_clear(netfront_port);
    }
    id = netfront.arrived[0].id;
    len = MIN((unsigned int)netfront.arrived[0].len, max);
    memcpy(frame, rx_page[id], len);
    memmove(netfront.arrived, netfront.arrived + 1, --netfront.nr_arrived * sizeof(netfront.arrived[0]));
    netfront.st.rx++;
    if ( !netfront_rx_hold && post_one(id) == 0 )
        (void)netfront_kick();
    return (int)len;
}

long netfront_open(unsigned int index)
{
    struct physdev_pvx_netif op = { .index = index };
    long rc;

    memset(&netfront, 0, sizeof(netfront));
    rc = netfront_physdev(PHYSDEVOP_pvx_vif_info, &op);
    if ( rc )
        return rc;
    netfront.handle = op.handle;
    netfront.ipv4 = op.ipv4;
    memcpy(netfront.link.mac, op.mac, 6);
    netif_tx_sring_init((struct netif_tx_sring *)ring_page[0]);
    netif_rx_sring_init((struct netif_rx_sring *)ring_page[1]);
    netif_tx_front_init(&netfront.tx, (struct netif_tx_sring *)ring_page[0], PAGE_SIZE);
    netif_rx_front_init(&netfront.rx, (struct netif_rx_sring *)ring_page[1], PAGE_SIZE);
    if ( !netfront_port && (rc = evtchn_bind_virq(VIRQ_PVX_NETIF, &netfront_port)) )
        return rc;
    op.tx_ring_mfn = mm_pfn_to_mfn(va_pfn(ring_page[0]));
    op.rx_ring_mfn = mm_pfn_to_mfn(va_pfn(ring_page[1]));
    rc = netfront_physdev(PHYSDEVOP_pvx_netif_connect, &op);
    if ( rc )
        return rc;
    netfront.up = true;
    netfront.link.send = link_send;
    netfront.link.recv = link_recv;
    netfront.link.now_ns = time_now_ns;
    return netfront_post_rx();
}

long netfront_close(void)
{
    struct physdev_pvx_netif op = { .handle = netfront.handle };
    long rc = netfront_physdev(PHYSDEVOP_pvx_netif_disconnect, &op);

    if ( rc )
        return rc;
    /* The posted frames came back where they were: map them again. */
    for ( unsigned int i = 0; i < NETFRONT_RX; i++ )
        if ( netfront.rx_posted[i] )
        {
            netfront.rx_posted[i] = false;
            (void)remap(i, mm_pfn_to_mfn(va_pfn(rx_page[i])));
        }
    netfront.up = false;
    return 0;
}
