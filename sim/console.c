/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * console.c - the machine's console: arch_console_write (the core's log and
 * the initial domain's console_io) on stdout, and the simulator's own
 * messages and panic.
 */
#include <poll.h>
#include <stdarg.h>
#include <unistd.h>

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

/* Standard input, read when it has something (a file: always, from its
 * start; a terminal or a pipe: what was typed or written), never waited for. */
size_t arch_console_read(char *buf, size_t len)
{
    struct pollfd p = { .fd = 0, .events = POLLIN };
    ssize_t n;

    if ( len == 0 || poll(&p, 1, 0) != 1 || !(p.revents & POLLIN) )
        return 0;
    n = read(0, buf, len);
    return n > 0 ? (size_t)n : 0;
}

void arch_console_write(const char *s, size_t len)
{
    trace_sync();
    trace_hcall_interrupt(true);
    fwrite(s, 1, len, stdout);
    if ( memchr(s, '\n', len) )
        fflush(stdout);
}
