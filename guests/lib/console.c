/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * console.c - guest console output, and the guest's panic. The initial
 * domain writes with console_io(CONSOLEIO_write), the cheapest output pvx
 * offers, needing no backend; so does a domain built at boot from a module.
 * A domain a toolstack built has a console page (start_info console.domU):
 * it writes into the page's out ring and notifies the backend in Domain 0,
 * which shows the lines (Xen's PV console, public/io/console.h).
 */
#include "guest.h"
#include "mm.h"
#include <public/io/console.h>
#include <public/event_channel.h>

static volatile struct xencons_interface *cons_ring;
static uint32_t cons_port;

void console_init(void)
{
    if ( (start_info->flags & SIF_INITDOMAIN) || !start_info->console.domU.mfn )
        return;
    cons_ring = (volatile struct xencons_interface *)
        mm_mfn_to_va((uint32_t)start_info->console.domU.mfn);
    cons_port = start_info->console.domU.evtchn;
}

static void console_notify(void)
{
    struct evtchn_send send = { .port = cons_port };

    HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
}

static void ring_write(const char *buf, size_t len)
{
    while ( len )
    {
        XENCONS_RING_IDX cons = cons_ring->out_cons, prod = cons_ring->out_prod;

        asm volatile ( "" ::: "memory" );
        if ( prod - cons >= sizeof(cons_ring->out) )
        {
            /* Full: the backend drains when it runs. */
            console_notify();
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
            continue;
        }
        cons_ring->out[MASK_XENCONS_IDX(prod, cons_ring->out)] = *buf++;
        asm volatile ( "" ::: "memory" );       /* the byte before the index */
        cons_ring->out_prod = prod + 1;
        len--;
    }
    console_notify();
}

void console_write(const char *buf, size_t len)
{
    if ( cons_ring )
        ring_write(buf, len);
    else
        HYPERVISOR_console_io(CONSOLEIO_write, len, buf);
}

static void vprintk(const char *fmt, va_list ap)
{
    char buf[512];
    int len = vsnprintk(buf, sizeof(buf), fmt, ap);

    if ( len < 0 )
        return;
    if ( (size_t)len >= sizeof(buf) )
        len = sizeof(buf) - 1;      /* truncated: print what fitted */
    console_write(buf, len);
}

void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}

/* Same contract as the hypervisor's panic: print why, then stop for good. */
void panic(const char *fmt, ...)
{
    va_list ap;

    printk("******************************\n");
    printk("PANIC: ");
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
    printk("\n******************************\n");
    guest_shutdown(SHUTDOWN_crash);
}
