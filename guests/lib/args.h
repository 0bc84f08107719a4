/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * args.h - a guest's command line: words separated by spaces, `key=value`
 * or bare flags. Shared by the PV runtime (start_info's cmd_line) and the
 * native one (Multiboot's command line).
 */
#ifndef GUEST_ARGS_H
#define GUEST_ARGS_H

#include <lib/string.h>

/* Just past the first word of line that starts with a, or NULL. */
static inline const char *args_find(const char *line, const char *a)
{
    size_t n = strlen(a);

    for ( const char *p = line; *p; p++ )
        if ( (p == line || p[-1] == ' ') && !strncmp(p, a, n) )
            return p + n;
    return NULL;
}

/* The decimal number after key (e.g. "reps="), or def without one. */
static inline uint32_t args_u32(const char *line, const char *key, uint32_t def)
{
    const char *p = args_find(line, key);
    uint32_t n = 0;

    if ( !p )
        return def;
    for ( ; *p >= '0' && *p <= '9'; p++ )
        n = n * 10 + (uint32_t)(*p - '0');
    return n;
}

#endif /* GUEST_ARGS_H */
