/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * core_state.c - the core's variables as the link lays them out (see
 * core_state.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core_state.h"
#include <pvx/domain.h>

/* Defined by the linker for sections of these names, when there are any. */
extern uint8_t __start_pvx_core_data[] __attribute__((weak));
extern uint8_t __stop_pvx_core_data[] __attribute__((weak));
extern uint8_t __start_pvx_core_bss[] __attribute__((weak));
extern uint8_t __stop_pvx_core_bss[] __attribute__((weak));

struct region {
    uint8_t *at;
    size_t len;
};

struct core_state {
    struct region r[4];                 /* data; bss below, the slots used, above the domains */
    unsigned int nr;
    uint8_t *data_copy, *bss_copy;
};

bool core_state_available(void)
{
    uintptr_t data = (uintptr_t)__start_pvx_core_data, data_end = (uintptr_t)__stop_pvx_core_data;
    uintptr_t bss = (uintptr_t)__start_pvx_core_bss, bss_end = (uintptr_t)__stop_pvx_core_bss;

    return bss && bss_end > bss && data && data_end >= data;
}

/*
 * The variables sit beside ASan's redzones, which must be neither read
 * through the checked memcpy nor changed: the copy is a plain loop the
 * sanitizer does not see (redzone bytes copy onto themselves unchanged).
 */
__attribute__((no_sanitize("address")))
static void raw_copy(uint8_t *dst, const uint8_t *src, size_t len)
{
    volatile uint8_t *d = dst;
    const volatile uint8_t *s = src;

    for ( ; len >= 8 && !((uintptr_t)s & 7) && !((uintptr_t)d & 7); len -= 8, d += 8, s += 8 )
        *(volatile uint64_t *)d = *(const volatile uint64_t *)s;
    for ( ; len; len--, d++, s++ )
        *d = *s;
}

__attribute__((no_sanitize("address")))
static size_t raw_diff(const uint8_t *a, const uint8_t *b, size_t len)
{
    const volatile uint8_t *p = a, *q = b;

    for ( size_t i = 0; i < len; i++ )
        if ( p[i] != q[i] )
            return i;
    return len;
}

struct core_state *core_state_take(unsigned int nr_domains)
{
    struct core_state *s = calloc(1, sizeof(*s));
    size_t data = (size_t)(__stop_pvx_core_data - __start_pvx_core_data);
    size_t bss = (size_t)(__stop_pvx_core_bss - __start_pvx_core_bss);
    uint8_t *dom = (uint8_t *)domain_vcpu(0) - offsetof(struct domain, vcpu);
    uint8_t *dom_end = dom + MAX_DOMAINS * sizeof(struct domain);

    if ( !s || !core_state_available() )
        abort();
    s->data_copy = malloc(data + 1);
    s->bss_copy = malloc(bss);
    if ( !s->data_copy || !s->bss_copy )
        abort();
    raw_copy(s->data_copy, __start_pvx_core_data, data);
    raw_copy(s->bss_copy, __start_pvx_core_bss, bss);

    s->r[s->nr++] = (struct region){ __start_pvx_core_data, data };
    if ( dom >= __start_pvx_core_bss && dom_end <= __stop_pvx_core_bss && nr_domains <= MAX_DOMAINS )
    {
        s->r[s->nr++] = (struct region){ __start_pvx_core_bss, (size_t)(dom - __start_pvx_core_bss) };
        s->r[s->nr++] = (struct region){ dom, nr_domains * sizeof(struct domain) };
        s->r[s->nr++] = (struct region){ dom_end, (size_t)(__stop_pvx_core_bss - dom_end) };
    }
    else
        s->r[s->nr++] = (struct region){ __start_pvx_core_bss, bss };
    return s;
}

void core_state_restore(const struct core_state *s)
{
    for ( unsigned int i = 0; i < s->nr; i++ )
    {
        const struct region *r = &s->r[i];
        bool in_data = r->at == __start_pvx_core_data;

        raw_copy(r->at, in_data ? s->data_copy : s->bss_copy + (r->at - __start_pvx_core_bss),
                 r->len);
    }
}

const char *core_state_differs(const struct core_state *s)
{
    static char what[96];
    size_t data = (size_t)(__stop_pvx_core_data - __start_pvx_core_data);
    size_t bss = (size_t)(__stop_pvx_core_bss - __start_pvx_core_bss), at;

    if ( (at = raw_diff(__start_pvx_core_data, s->data_copy, data)) < data )
        snprintf(what, sizeof(what), "the core's data at +%#zx", at);
    else if ( (at = raw_diff(__start_pvx_core_bss, s->bss_copy, bss)) < bss )
        snprintf(what, sizeof(what), "the core's bss at +%#zx", at);
    else
        return NULL;
    return what;
}

size_t core_state_size(const struct core_state *s, size_t *copied)
{
    size_t n = 0;

    for ( unsigned int i = 0; i < s->nr; i++ )
        n += s->r[i].len;
    *copied = n;
    return (size_t)(__stop_pvx_core_data - __start_pvx_core_data) +
           (size_t)(__stop_pvx_core_bss - __start_pvx_core_bss);
}
