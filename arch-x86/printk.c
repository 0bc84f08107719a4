/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * printk.c - the arch's own messages (boot, register dumps) and its panic,
 * formatted by the core's vsnprintk (core/lib), which this image links.
 */
#include "x86.h"

/* The last panic message, kept for a debugger: `print x86_epitaph` after the fact. */
char x86_epitaph[1024];
static bool x86_panicking;

size_t x86_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    size_t n;

    va_start(ap, fmt);
    n = (size_t)vsnprintk(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

void x86_printk(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    size_t n;

    va_start(ap, fmt);
    n = (size_t)vsnprintk(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    arch_console_write(buf, MIN(n, sizeof(buf) - 1));
}

/* Print "(pvx) PANIC: ..." (keeping it in the epitaph) and stop with status 2. */
void x86_panic(const char *fmt, ...)
{
    va_list ap;
    size_t n;

    asm volatile ( "cli" );
    if ( x86_panicking )                /* a panic inside the panic: just stop */
        arch_shutdown(PVX_EXIT_PANIC);
    x86_panicking = true;

    n = x86_snprintf(x86_epitaph, sizeof(x86_epitaph), "(pvx) PANIC: ");
    va_start(ap, fmt);
    n += (size_t)vsnprintk(x86_epitaph + n, sizeof(x86_epitaph) - n, fmt, ap);
    va_end(ap);
    arch_console_write(x86_epitaph, MIN(n, sizeof(x86_epitaph) - 1));
    arch_shutdown(PVX_EXIT_PANIC);
}
