/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * console.c - the machine's console: arch_console_write (the core's log and
 * the initial domain's console_io) on stdout, and the simulator's own
 * messages and panic.
 */
#include <stdarg.h>

#include "sim.h"

void sim_msg(const char *fmt, ...)
{
    va_list ap;

    trace_sync();
    trace_hcall_interrupt(true);
    fflush(stdout);
    fputs("(pvx) ", stdout);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

void sim_panic(const char *fmt, ...)
{
    va_list ap;

    trace_sync();
    trace_hcall_interrupt(true);
    fflush(stdout);
    fputs("(pvx) sim panic: ", stdout);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    arch_shutdown(PVX_EXIT_PANIC);
}

void arch_console_write(const char *s, size_t len)
{
    trace_sync();
    trace_hcall_interrupt(true);
    fwrite(s, 1, len, stdout);
    if ( memchr(s, '\n', len) )
        fflush(stdout);
}
