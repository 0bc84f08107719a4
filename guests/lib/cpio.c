/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpio.c - the "newc" cpio reader (cpio.h).
 */
#include "guest.h"
#include "cpio.h"

#define CPIO_HDR    110u
#define CPIO_S_IFMT 0170000u
#define CPIO_S_IFREG 0100000u

static int hex8(const char *p, uint32_t *out)
{
    uint32_t v = 0;

    for ( unsigned int i = 0; i < 8; i++ )
    {
        char c = p[i];

        v <<= 4;
        if ( c >= '0' && c <= '9' )
            v |= (uint32_t)(c - '0');
        else if ( c >= 'a' && c <= 'f' )
            v |= (uint32_t)(c - 'a' + 10);
        else if ( c >= 'A' && c <= 'F' )
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static size_t pad4(size_t x)
{
    return (x + 3) & ~(size_t)3;
}

int cpio_next(const void *archive, size_t len, size_t *at, struct cpio_entry *e)
{
    const char *a = archive, *h = a + *at;
    uint32_t mode, size, namesize;
    size_t name_end, data_end;

    if ( *at + CPIO_HDR > len || memcmp(h, "070701", 6) )
        return -1;
    if ( hex8(h + 14, &mode) || hex8(h + 54, &size) || hex8(h + 94, &namesize) )
        return -1;
    if ( namesize == 0 || namesize > len - *at - CPIO_HDR )
        return -1;
    name_end = *at + CPIO_HDR + namesize;
    if ( a[name_end - 1] != '\0' )
        return -1;
    if ( !strcmp(h + CPIO_HDR, "TRAILER!!!") )
        return 0;
    data_end = pad4(name_end) + size;
    if ( pad4(name_end) > len || size > len - pad4(name_end) )
        return -1;
    e->name = h + CPIO_HDR;
    e->data = (const uint8_t *)a + pad4(name_end);
    e->size = size;
    e->mode = mode;
    *at = pad4(data_end);
    return 1;
}

int cpio_find(const void *archive, size_t len, const char *name, struct cpio_entry *e)
{
    size_t at = 0;
    int rc;

    while ( name[0] == '.' && name[1] == '/' )
        name += 2;
    while ( (rc = cpio_next(archive, len, &at, e)) == 1 )
    {
        const char *n = e->name;

        while ( n[0] == '.' && n[1] == '/' )
            n += 2;
        if ( (e->mode & CPIO_S_IFMT) == CPIO_S_IFREG && !strcmp(n, name) )
            return 0;
    }
    return -1;
}
