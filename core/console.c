/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * console.c - the hypervisor's log, guests' console output, console_io.
 *
 * Every hypervisor line starts "(pvx) ", and starts on a fresh line even when
 * a guest left one half-written, so a transcript can always be split into the
 * hypervisor's lines and the guests'.
 */
#include <pvx/arch.h>
#include <pvx/console.h>
#include <pvx/domain.h>
#include <pvx/lib.h>
#include <pvx/machine.h>
#include <public/xen.h>


/* The longest piece of a domain's line filtered at once. */
#define CONSOLE_LINE_MAX      128


void console_init(void)
{
    machine.console.at_line_start = true;
}

static void console_raw(const char *s, size_t len)
{
    if ( len == 0 )
        return;
    arch_console_write(s, len);
    machine.console.at_line_start = s[len - 1] == '\n';
}

static void console_ring_put(const char *s, size_t len)
{
    for ( size_t i = 0; i < len; i++ )
        machine.console.ring[machine.console.ring_prod++ & (CONSOLE_RING_SIZE - 1)] = s[i];
    if ( machine.console.ring_prod - machine.console.ring_cons > CONSOLE_RING_SIZE )
        machine.console.ring_cons = machine.console.ring_prod - CONSOLE_RING_SIZE;
}

size_t console_ring_read(char *out, size_t len, uint32_t *index, bool incremental, bool clear)
{
    uint32_t c = machine.console.ring_cons;
    size_t n = 0;

    if ( incremental && (int32_t)(*index - c) > 0 )
        c = *index;
    for ( ; c != machine.console.ring_prod && n < len; c++ )
        out[n++] = machine.console.ring[c & (CONSOLE_RING_SIZE - 1)];
    if ( clear )
        machine.console.ring_cons = machine.console.ring_prod;
    *index = c;
    return n;
}

bool console_poll_input(void)
{
    uint32_t space = CONSOLE_IN_SIZE - (machine.console.in_prod - machine.console.in_cons);
    char buf[64];
    size_t n, total = 0;

    while ( space && (n = arch_console_read(buf, MIN((size_t)space, sizeof(buf)))) )
    {
        for ( size_t i = 0; i < n; i++ )
            machine.console.in[machine.console.in_prod++ & (CONSOLE_IN_SIZE - 1)] = buf[i];
        space -= (uint32_t)n;
        total += n;
    }
    return total != 0;
}

size_t console_input_read(char *out, size_t len)
{
    size_t n = 0;

    for ( ; n < len && machine.console.in_cons != machine.console.in_prod; n++ )
        out[n] = machine.console.in[machine.console.in_cons++ & (CONSOLE_IN_SIZE - 1)];
    return n;
}

static void vprintk_prefixed(const char *prefix, const char *fmt, va_list ap)
{
    char line[256];
    int n;

    if ( !machine.console.at_line_start )
        console_raw("\n", 1);
    n = vsnprintk(line, sizeof(line), fmt, ap);
    if ( n >= (int)sizeof(line) )
        n = sizeof(line) - 1;
    console_raw(prefix, strlen(prefix));
    console_raw(line, n);
    if ( n == 0 || line[n - 1] != '\n' )
        console_raw("\n", 1);
    console_ring_put(prefix, strlen(prefix));
    console_ring_put(line, n);
    if ( n == 0 || line[n - 1] != '\n' )
        console_ring_put("\n", 1);
}

void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintk_prefixed("(pvx) ", fmt, ap);
    va_end(ap);
}

void panic(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintk(machine.console.epitaph, sizeof(machine.console.epitaph), fmt, ap);
    va_end(ap);
    printk("PANIC: %s", machine.console.epitaph);
    arch_shutdown(PVX_EXIT_PANIC);
}

static bool console_printable(char c)
{
    return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n';
}

void console_guest_write(struct domain *d, const char *s, size_t len)
{
    size_t i, start = 0;
    char prefix[12];

    if ( d->is_privileged )
    {
        console_raw(s, len);
        return;
    }

    /* Other domains' output goes out line by line, each line labelled, and
     * with printable characters only, as Xen does: a carriage return or an
     * escape sequence could otherwise overwrite the label and pass a line
     * off as the hypervisor's own. */
    snprintk(prefix, sizeof(prefix), "(d%u) ", d->domain_id);
    for ( i = 0; i < len; i++ )
    {
        char line[CONSOLE_LINE_MAX];
        size_t n = 0;

        if ( s[i] != '\n' && i + 1 < len && i + 1 - start < sizeof(line) )
            continue;
        for ( size_t k = start; k <= i; k++ )
            if ( console_printable(s[k]) )
                line[n++] = s[k];
        if ( n && d->console_at_line_start )
        {
            if ( !machine.console.at_line_start )
                console_raw("\n", 1);
            console_raw(prefix, strlen(prefix));
        }
        console_raw(line, n);
        if ( n )
            d->console_at_line_start = line[n - 1] == '\n';
        start = i + 1;
    }
}
