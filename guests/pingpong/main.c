/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pingpong: two domains bounce an event across an interdomain channel,
 * 100,000 times each way (n=COUNT in the arguments changes that).
 *
 *   domain 0 (ping)  polls with upcalls masked (SCHEDOP_poll), sends, waits
 *                    for the reply; at the end waits for VIRQ_DOM_EXC.
 *   domain 1 (pong)  allocates the port (the first free one: 1), takes each
 *                    ping in its event callback and replies from there.
 *
 * Strict alternation: each side must see exactly COUNT events, and after the
 * last no pending bit is left. A lost event stops the ping-pong (the machine
 * idles with no timer and panics); a doubled one shows in the counts.
 */
#include "guest.h"
#include "events.h"

const char test_title[] = "pingpong: 100,000 events each way between two domains, none lost or doubled";

#define PONG_PORT 1

static uint32_t count = 100000;
static evtchn_port_t pong_port;

static uint32_t arg_count(void)
{
    const char *p = start_info->cmd_line;

    for ( ; *p; p++ )
        if ( (p == start_info->cmd_line || p[-1] == ' ') && !strncmp(p, "n=", 2) )
        {
            uint32_t n = 0;

            for ( p += 2; *p >= '0' && *p <= '9'; p++ )
                n = n * 10 + (uint32_t)(*p - '0');
            return n ? n : 1;
        }
    return 100000;
}

/* Callbacks may nest when an event lands between the last check and the
 * iret, one level at a time; never a level per round trip (that ran the
 * stack out and lost an event, issue 7's note): say so at once, and stop. */
#define PONG_STACK_MAX 1024

static void pong_handler(evtchn_port_t port)
{
    if ( event_stack_high - event_stack_low > PONG_STACK_MAX )
    {
        test_error("pong: event callbacks used %u bytes of stack\n",
                   event_stack_high - event_stack_low);
        guest_shutdown(SHUTDOWN_crash);
    }
    if ( port == pong_port )
        evtchn_send(pong_port);
}

static void pong(void)
{
    long rc = evtchn_alloc_unbound(0, &pong_port);

    if ( rc || pong_port != PONG_PORT )
        return test_fail("alloc_unbound: rc %ld port %u (expected port %u)\n", rc,
                         pong_port, PONG_PORT);
    events_set_handler(pong_handler);
    /* Block unmasks upcalls atomically; each wake-up runs the callback first. */
    while ( event_count[pong_port] < count )
        sched_block();
    events_disable();
    if ( event_count[pong_port] != count )
        return test_fail("pong: %u events for %u pings\n", event_count[pong_port], count);
    if ( event_stack_high - event_stack_low > PONG_STACK_MAX )
        return test_fail("pong: event callbacks used %u bytes of stack\n",
                         event_stack_high - event_stack_low);
    printk("pong: every ping arrived once and was answered\n");
    test_pass();
}

static void ping(void)
{
    evtchn_port_t port, dom_exc;
    uint32_t got = 0, spurious = 0;
    uint64_t t0, t1;
    long rc;

    if ( evtchn_bind_virq(VIRQ_DOM_EXC, &dom_exc) )
        return test_fail("bind_virq(VIRQ_DOM_EXC) failed\n");
    /* Domain 1 allocates its port when it first runs: until then, -EINVAL. */
    while ( (rc = evtchn_bind_interdomain(1, PONG_PORT, &port)) == -EINVAL )
        hypercall_yield();
    if ( rc )
        return test_fail("bind_interdomain(1, %u): %ld\n", PONG_PORT, rc);
    evtchn_test_and_clear(port);        /* the conservative notification of a bind */

    t0 = time_now_ns();
    for ( uint32_t i = 0; i < count; i++ )
    {
        if ( evtchn_send(port) )
            return test_fail("send %u failed\n", i);
        while ( !evtchn_test_and_clear(port) )
            sched_poll(port, 0);
        got++;
        /* The reply is in: nothing more may be pending until the next ping. */
        if ( evtchn_pending(port) )
            spurious++;
    }
    t1 = time_now_ns();
    if ( got != count || spurious )
        return test_fail("ping: %u replies for %u pings, %u doubled\n", got, count, spurious);
    printk("ping: every reply arrived once\n");
    printk("info: %u round trips in %llu us of system time\n", count,
           (unsigned long long)((t1 - t0) / 1000));

    /* Domain 1 reports and powers off: VIRQ_DOM_EXC says so. */
    while ( !evtchn_test_and_clear(dom_exc) )
        sched_poll(dom_exc, 0);
    printk("ping: domain 1 is gone (VIRQ_DOM_EXC)\n");
    test_pass();
}

void test_main(void)
{
    count = arg_count();
    events_init();
    if ( start_info->flags & SIF_INITDOMAIN )
        ping();
    else
        pong();
}
