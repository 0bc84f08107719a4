/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsnprintk.c - a small printf-style formatter for freestanding code: the
 * hypervisor on both machines and the guests. No floating point.
 */
#include <lib/format.h>
#include <lib/string.h>

struct out {
    char *buf;
    size_t size;
    size_t len;                 /* characters the full output needs */
};

static void put(struct out *o, char c)
{
    if ( o->len + 1 < o->size )
        o->buf[o->len] = c;
    o->len++;
}

enum {
    F_LEFT = 1, F_ZERO = 2, F_ALT = 4, F_PLUS = 8, F_SPACE = 16, F_UPPER = 32,
};

static void put_number(struct out *o, uint64_t v, bool negative, unsigned int base,
                       unsigned int flags, int width, int prec)
{
    const char *digits = (flags & F_UPPER) ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0, pad, i;
    const char *prefix = "";

    /* An explicit precision of 0 prints no digits for the value 0. */
    while ( v || (n == 0 && prec != 0) )
    {
        tmp[n++] = digits[v % base];
        v /= base;
    }

    if ( prec >= 0 )
        flags &= ~F_ZERO;
    else
        prec = 1;

    if ( negative )
        prefix = "-";
    else if ( flags & F_PLUS )
        prefix = "+";
    else if ( flags & F_SPACE )
        prefix = " ";
    if ( (flags & F_ALT) && base == 16 && n && !(n == 1 && tmp[0] == '0') )
        prefix = (flags & F_UPPER) ? "0X" : "0x";
    if ( (flags & F_ALT) && base == 8 && (n == 0 || tmp[n - 1] != '0') && prec <= n )
        prec = n + 1;

    pad = width - (int)strlen(prefix) - MAX(n, prec);
    if ( !(flags & (F_LEFT | F_ZERO)) )
        for ( ; pad > 0; pad-- )
            put(o, ' ');
    for ( i = 0; prefix[i]; i++ )
        put(o, prefix[i]);
    if ( flags & F_ZERO )
        for ( ; pad > 0; pad-- )
            put(o, '0');
    for ( i = n; i < prec; i++ )
        put(o, '0');
    while ( n )
        put(o, tmp[--n]);
    for ( ; pad > 0; pad-- )
        put(o, ' ');
}

int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { .buf = buf, .size = size };

    for ( ; *fmt; fmt++ )
    {
        unsigned int flags = 0, base = 10;
        int width = -1, prec = -1, lng = 0;
        bool is_signed = false;
        uint64_t v;
        const char *s;

        if ( *fmt != '%' )
        {
            put(&o, *fmt);
            continue;
        }

        for ( ;; )
        {
            fmt++;
            if ( *fmt == '-' ) flags |= F_LEFT;
            else if ( *fmt == '0' ) flags |= F_ZERO;
            else if ( *fmt == '#' ) flags |= F_ALT;
            else if ( *fmt == '+' ) flags |= F_PLUS;
            else if ( *fmt == ' ' ) flags |= F_SPACE;
            else break;
        }
        if ( *fmt == '*' )
        {
            width = va_arg(ap, int);
            if ( width < 0 )
            {
                flags |= F_LEFT;
                width = -width;
            }
            fmt++;
        }
        else
            for ( width = 0; *fmt >= '0' && *fmt <= '9'; fmt++ )
                width = width * 10 + (*fmt - '0');
        if ( *fmt == '.' )
        {
            fmt++;
            if ( *fmt == '*' )
            {
                prec = va_arg(ap, int);
                fmt++;
            }
            else
                for ( prec = 0; *fmt >= '0' && *fmt <= '9'; fmt++ )
                    prec = prec * 10 + (*fmt - '0');
        }
        if ( flags & F_LEFT )
            flags &= ~F_ZERO;

        /* Length modifiers: lng counts l's; z, t, j map to their widths. */
        for ( ;; fmt++ )
        {
            if ( *fmt == 'h' ) lng--;
            else if ( *fmt == 'l' ) lng++;
            else if ( *fmt == 'z' || *fmt == 't' ) lng = sizeof(size_t) == 8 ? 2 : 0;
            else if ( *fmt == 'j' ) lng = 2;
            else break;
        }

        switch ( *fmt )
        {
        case 'c':
            if ( !(flags & F_LEFT) )
                for ( ; width > 1; width-- )
                    put(&o, ' ');
            put(&o, (char)va_arg(ap, int));
            for ( ; width > 1; width-- )
                put(&o, ' ');
            continue;

        case 's':
            s = va_arg(ap, const char *);
            if ( !s )
                s = "(null)";
            {
                int len = (int)strnlen(s, prec < 0 ? (size_t)-1 : (size_t)prec);

                if ( !(flags & F_LEFT) )
                    for ( ; width > len; width-- )
                        put(&o, ' ');
                for ( int i = 0; i < len; i++ )
                    put(&o, s[i]);
                for ( ; width > len; width-- )
                    put(&o, ' ');
            }
            continue;

        case 'p':
            put_number(&o, (uintptr_t)va_arg(ap, void *), false, 16, flags | F_ALT, width, prec);
            continue;

        case 'd': case 'i':
            is_signed = true;
            break;
        case 'u':
            break;
        case 'x':
            base = 16;
            break;
        case 'X':
            base = 16;
            flags |= F_UPPER;
            break;
        case 'o':
            base = 8;
            break;
        case '%':
            put(&o, '%');
            continue;
        case '\0':
            fmt--;
            continue;
        default:                /* unknown conversion: print it as it stands */
            put(&o, '%');
            put(&o, *fmt);
            continue;
        }

        if ( is_signed )
        {
            int64_t sv;

            if ( lng >= 2 )
                sv = va_arg(ap, long long);
            else if ( lng == 1 )
                sv = va_arg(ap, long);
            else
                sv = va_arg(ap, int);
            if ( lng == -1 )
                sv = (short)sv;
            else if ( lng <= -2 )
                sv = (signed char)sv;
            v = sv < 0 ? -(uint64_t)sv : (uint64_t)sv;
            put_number(&o, v, sv < 0, base, flags, width, prec);
        }
        else
        {
            if ( lng >= 2 )
                v = va_arg(ap, unsigned long long);
            else if ( lng == 1 )
                v = va_arg(ap, unsigned long);
            else
                v = va_arg(ap, unsigned int);
            if ( lng == -1 )
                v = (unsigned short)v;
            else if ( lng <= -2 )
                v = (unsigned char)v;
            put_number(&o, v, false, base, flags & ~(F_PLUS | F_SPACE), width, prec);
        }
    }

    if ( size )
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int snprintk(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintk(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
