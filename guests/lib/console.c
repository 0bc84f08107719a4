/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * console.c - guest console output over console_io(CONSOLEIO_write), and the
 * guest's panic. The initial domain's console_io is the cheapest output
 * pvx offers and needs no backend; other domains will get a ring console.
 */
#include "guest.h"

void console_write(const char *buf, size_t len)
{
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
