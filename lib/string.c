/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * string.c - the few string and memory functions freestanding images need.
 * Linked into the x86 hypervisor image and the guests; host programs (the
 * simulator, unit tests) use their libc's, which behave the same.
 */
#include <lib/string.h>

/* Words where both sides allow it: the hypervisor copies hypercall arguments
 * and whole frames, and a byte loop costs four times the instructions. */
typedef uint32_t __attribute__((may_alias)) word_t;

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if ( !(((uintptr_t)d | (uintptr_t)s) & (sizeof(word_t) - 1)) )
        for ( ; n >= sizeof(word_t); n -= sizeof(word_t), d += sizeof(word_t), s += sizeof(word_t) )
            *(word_t *)d = *(const word_t *)s;
    while ( n-- )
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if ( d == s || n == 0 )
        return dst;
    if ( d < s )
        return memcpy(dst, src, n);
    while ( n-- )
        d[n] = s[n];
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    word_t w = (unsigned char)c * 0x01010101u;

    if ( !((uintptr_t)d & (sizeof(word_t) - 1)) )
        for ( ; n >= sizeof(word_t); n -= sizeof(word_t), d += sizeof(word_t) )
            *(word_t *)d = w;
    while ( n-- )
        *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for ( ; n; n--, x++, y++ )
        if ( *x != *y )
            return *x - *y;
    return 0;
}

size_t strlen(const char *s)
{
    const char *p = s;

    while ( *p )
        p++;
    return p - s;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while ( n < max && s[n] )
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while ( *a && *a == *b )
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for ( ; n; n--, a++, b++ )
    {
        if ( *a != *b )
            return (unsigned char)*a - (unsigned char)*b;
        if ( !*a )
            break;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    for ( ; *s; s++ )
        if ( *s == (char)c )
            return (char *)s;
    return c ? NULL : (char *)s;
}
