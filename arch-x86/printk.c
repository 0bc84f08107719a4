/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * printk.c - the arch's own small formatter and its panic. Used only for
 * messages the arch itself prints (boot, register dumps); the core formats
 * its own. Supports %s %c %d %u %x %p with optional #, 0-padding, width, l/ll.
 */
#include "x86.h"

/* The last panic message, kept for a debugger: `print x86_epitaph` after the fact. */
char x86_epitaph[1024];
static bool x86_panicking;

struct outbuf {
    char *buf;
    size_t size, len;
};

static void out_char(struct outbuf *o, char c)
{
    if ( o->len + 1 < o->size )
        o->buf[o->len] = c;
    o->len++;
}

static void out_number(struct outbuf *o, uint64_t v, unsigned int base, bool neg,
                       unsigned int width, char pad)
{
    char tmp[24];
    unsigned int n = 0;

    do {
        unsigned int d = (unsigned int)(v % base);  /* libgcc for 64-bit: fine */

        tmp[n++] = "0123456789abcdef"[d];
        v /= base;
    } while ( v );
    if ( neg )
        tmp[n++] = '-';
    while ( width > n )
    {
        out_char(o, pad);
        width--;
    }
    while ( n )
        out_char(o, tmp[--n]);
}

size_t x86_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct outbuf o = { .buf = buf, .size = size, .len = 0 };

    for ( ; *fmt; fmt++ )
    {
        unsigned int width = 0, longs = 0;
        bool alt = false;
        char pad = ' ';
        uint64_t v;

        if ( *fmt != '%' )
        {
            out_char(&o, *fmt);
            continue;
        }
        fmt++;
        if ( *fmt == '#' )
        {
            alt = true;
            fmt++;
        }
        if ( *fmt == '0' )
        {
            pad = '0';
            fmt++;
        }
        while ( *fmt >= '0' && *fmt <= '9' )
            width = width * 10 + (unsigned int)(*fmt++ - '0');
        while ( *fmt == 'l' )
        {
            longs++;
            fmt++;
        }
        switch ( *fmt )
        {
        case 's':
        {
            const char *s = va_arg(ap, const char *);

            if ( !s )
                s = "(null)";
            while ( *s )
                out_char(&o, *s++);
            break;
        }
        case 'c':
            out_char(&o, (char)va_arg(ap, int));
            break;
        case 'd':
        {
            int64_t sv = longs > 1 ? va_arg(ap, int64_t) :
                         longs ? va_arg(ap, long) : va_arg(ap, int);

            out_number(&o, sv < 0 ? -(uint64_t)sv : (uint64_t)sv, 10, sv < 0, width, pad);
            break;
        }
        case 'u':
        case 'x':
            v = longs > 1 ? va_arg(ap, uint64_t) :
                longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
            if ( alt && *fmt == 'x' )
            {
                out_char(&o, '0');
                out_char(&o, 'x');
            }
            out_number(&o, v, *fmt == 'u' ? 10 : 16, false, width, pad);
            break;
        case 'p':
            out_number(&o, (uintptr_t)va_arg(ap, void *), 16, false, 8, '0');
            break;
        case '%':
            out_char(&o, '%');
            break;
        default:                        /* unknown: print it, it is our own bug */
            out_char(&o, '%');
            if ( !*fmt )
                goto done;
            out_char(&o, *fmt);
            break;
        }
    }
 done:
    if ( o.size )
        o.buf[o.len < o.size ? o.len : o.size - 1] = '\0';
    return o.len;
}

size_t x86_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    size_t n;

    va_start(ap, fmt);
    n = x86_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

void x86_printk(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    size_t n;

    va_start(ap, fmt);
    n = x86_vsnprintf(buf, sizeof(buf), fmt, ap);
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
    n += x86_vsnprintf(x86_epitaph + n, sizeof(x86_epitaph) - n, fmt, ap);
    va_end(ap);
    arch_console_write(x86_epitaph, MIN(n, sizeof(x86_epitaph) - 1));
    arch_shutdown(PVX_EXIT_PANIC);
}
