/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fault.c - fault injection sites and their knobs (see fault.h).
 *
 * The random numbers come from a xorshift generator seeded on the command
 * line: the same seed gives the same failures, on both machines.
 */
#include <pvx/errno.h>
#include <pvx/fault.h>
#include <pvx/lib.h>
#include <pvx/machine.h>

static const char *const site_names[FAULT_NR_SITES] = {
    [FAULT_FRAME_ALLOC] = "frame_alloc", [FAULT_GUEST_COPY] = "guest_copy",
    [FAULT_CONSOLE] = "console", [FAULT_EVTCHN_SEND] = "evtchn_send", [FAULT_TIMER] = "timer",
    [FAULT_DOMAIN_CREATE] = "domain_create", [FAULT_FOREIGN_MAP] = "foreign_map",
    [FAULT_DISK_MEDIA] = "disk_media", [FAULT_DISK_LOST] = "disk_lost",
    [FAULT_NET_TX] = "net_tx", [FAULT_NET_RX] = "net_rx", [FAULT_VIF_RX] = "vif_rx",
};

#define sites (machine.fault.site)   /* owned here */

void fault_set_seed(uint64_t seed)
{
    machine.fault.rng_state = seed ? seed : 0x9e3779b97f4a7c15ull;
}

static uint32_t fault_random(void)
{
    machine.fault.rng_state ^= machine.fault.rng_state << 13;
    machine.fault.rng_state ^= machine.fault.rng_state >> 7;
    machine.fault.rng_state ^= machine.fault.rng_state << 17;
    return (uint32_t)(machine.fault.rng_state >> 16);
}

void fault_init(void)
{
    for ( unsigned int i = 0; i < FAULT_NR_SITES; i++ )
        sites[i] = (struct fault_site){ .name = site_names[i], .times = -1 };
    fault_set_seed(0);
}

/* fault_hit's slow half: the call is counted already. */
bool fault_decide(struct fault_site *f)
{
    if ( f->fail_nth )
    {
        if ( f->calls != f->fail_nth )
            return false;
        goto fail;
    }
    if ( f->probability == 0 || f->times == 0 )
        return false;
    if ( f->space )
    {
        f->space--;
        return false;
    }
    if ( f->interval > 1 && f->calls % f->interval )
        return false;
    if ( fault_random() % 100 >= f->probability )
        return false;

 fail:
    if ( f->times > 0 )
        f->times--;
    f->injected++;
    return true;
}

static bool parse_uint(const char *s, size_t len, uint32_t *v)
{
    uint64_t x = 0;

    if ( len == 0 )
        return false;
    for ( size_t i = 0; i < len; i++ )
    {
        if ( s[i] < '0' || s[i] > '9' )
            return false;
        x = x * 10 + (uint64_t)(s[i] - '0');
        if ( x > 0x7fffffff )
            return false;
    }
    *v = (uint32_t)x;
    return true;
}

/* One "SITE:KNOB=V,KNOB=V" clause into *out (a copy of the site). */
static int parse_clause(const char *s, size_t len, struct fault_site **site, struct fault_site *out)
{
    size_t n = 0, i;

    while ( n < len && s[n] != ':' )
        n++;
    *site = NULL;
    for ( i = 0; i < FAULT_NR_SITES; i++ )
        if ( strlen(sites[i].name) == n && strncmp(sites[i].name, s, n) == 0 )
            *site = &sites[i];
    if ( !*site || n + 1 >= len )       /* a site needs at least one knob */
        return -EINVAL;
    *out = **site;

    for ( i = n + 1; i < len; )
    {
        size_t k = i, eq, end;
        uint32_t v;

        while ( k < len && s[k] != ',' )
            k++;
        end = k;
        for ( eq = i; eq < end && s[eq] != '='; eq++ )
            ;
        if ( eq == end || !parse_uint(s + eq + 1, end - eq - 1, &v) )
            return -EINVAL;
#define KNOB(name) (eq - i == sizeof(name) - 1 && strncmp(s + i, name, eq - i) == 0)
        if ( KNOB("probability") && v <= 100 )
            out->probability = v;
        else if ( KNOB("interval") )
            out->interval = v;
        else if ( KNOB("times") )
            out->times = (int32_t)v;
        else if ( KNOB("space") )
            out->space = v;
        else if ( KNOB("fail-nth") )
            out->fail_nth = v;
        else
            return -EINVAL;
#undef KNOB
        i = end + 1;
    }
    return 0;
}

int fault_configure(const char *spec)
{
    struct fault_site parsed[FAULT_NR_SITES], *which[FAULT_NR_SITES];
    unsigned int n = 0;
    const char *p = spec;

    /* Decode every clause first: a bad one leaves every site as it was. */
    while ( *p )
    {
        size_t len = 0;

        while ( p[len] && p[len] != ';' )
            len++;
        if ( n == FAULT_NR_SITES || parse_clause(p, len, &which[n], &parsed[n]) )
            return -EINVAL;
        n++;
        p += len;
        if ( *p == ';' )
            p++;
    }
    for ( unsigned int i = 0; i < n; i++ )
        *which[i] = parsed[i];
    return 0;
}

void fault_report(void)
{
    for ( unsigned int i = 0; i < FAULT_NR_SITES; i++ )
        printk("fault %s: calls %llu, injected %llu", sites[i].name,
               (unsigned long long)sites[i].calls, (unsigned long long)sites[i].injected);
}
