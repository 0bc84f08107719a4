/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * refusal.c - "validate, then perform", checked: a hypercall that fails must
 * leave the machine exactly as it found it.
 *
 * The core calls hypercall_watch before and after every handler (the arch's
 * entries and each call of a multicall alike). Before, this takes a snapshot
 * of the hypervisor-side state a handler can change: the frame table (owner,
 * type, counts, flags), the M2P, the free count, both domains' struct domain
 * (vCPUs, event channels, trap tables, ...) and shared_info pages, and the
 * caller's registers. Machine memory is saved copy-on-map: the core reaches
 * memory only through arch_map_frames, so the fuzz machine saves each frame
 * the first time the call maps it. After a call that returned an error, all
 * of it must be as it was, except what the ABI allows:
 *
 *   - mmu_update, mmuext_op of one request: the done count at pdone;
 *   - memory_op's reservation ops return the number done, so "nothing done"
 *     is their failure: then nothing may have changed;
 *   - batches of more than one request and multicall (its calls are checked
 *     one by one) are not checked whole;
 *   - a call that killed its domain, a continuation, and iret (its result is
 *     the guest's own eax) are not refusals;
 *   - the bytes of a frame free before and after (the allocator clears a
 *     frame it hands out).
 *
 * Calls nest (a multicall's calls): each level has its own snapshot.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fixture.h"
#include "fuzz.h"
#include "refusal.h"
#include <pvx/domain.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/layout.h>
#include <pvx/mm.h>
#include <public/memory.h>
#include <public/xen.h>

#define LEVELS      4
#define WATCH_DOMS  2               /* the harness's domains: ids 0 and 1 */

struct level {
    struct vcpu *v;
    uint32_t nr, a[5];
    enum domain_state state;
    /* Machine memory, copy-on-map. */
    uint64_t saved[FUZZ_MEM_FRAMES / 64];
    uint8_t *copy;                  /* FUZZ_MEM_FRAMES pages, indexed by mfn */
    /* Long-lived state, copied whole. */
    struct frame ft[FUZZ_MEM_FRAMES];
    uint32_t m2p[FUZZ_MEM_FRAMES];
    unsigned int free;
    struct domain dom[WATCH_DOMS];
    bool live[WATCH_DOMS];
    uint8_t si[WATCH_DOMS][PAGE_SIZE];
    struct cpu_regs regs;
    uint32_t missing;
};

static struct level *levels[LEVELS];
static unsigned int depth;
static unsigned long checked, refusals;

static void save_frames(mfn_t mfn, unsigned int nr)
{
    for ( unsigned int l = 0; l < depth; l++ )
    {
        struct level *s = levels[l];

        for ( mfn_t m = mfn; m < mfn + nr && m < FUZZ_MEM_FRAMES; m++ )
        {
            if ( s->saved[m / 64] & (1ull << (m % 64)) )
                continue;
            s->saved[m / 64] |= 1ull << (m % 64);
            memcpy(s->copy + (size_t)m * PAGE_SIZE, fake_mem + (size_t)m * PAGE_SIZE, PAGE_SIZE);
        }
    }
}

/*
 * The M2P where the guests read it (RO_MPT_VIRT_START, through the
 * hypervisor's L2 slot), so that it is copied whole rather than entry by
 * entry; checked once per machine memory against m2p_get.
 */
static const uint32_t *m2p_view(void)
{
    static const uint8_t *for_mem;
    static const uint32_t *view;
    uint64_t l2[NR_L2_SLOTS] = { 0 };
    const uint64_t *l1;
    mfn_t first;

    if ( for_mem == fake_mem )
        return view;
    frame_fill_xen_l2(l2);
    l1 = (const uint64_t *)(fake_mem + (l2[HYP_FIRST_L2_SLOT] & PTE_ADDR_MASK));
    first = (mfn_t)((l1[0] & PTE_ADDR_MASK) >> PAGE_SHIFT);
    for ( unsigned int i = 1; i < FUZZ_MEM_FRAMES * 4 / PAGE_SIZE; i++ )
        if ( ((l1[i] & PTE_ADDR_MASK) >> PAGE_SHIFT) != first + i )
            fake_fail("refusal: the M2P is not one run of frames");
    view = (const uint32_t *)(fake_mem + (size_t)first * PAGE_SIZE);
    for ( mfn_t m = 0; m < FUZZ_MEM_FRAMES; m++ )
        if ( view[m] != m2p_get(m) )
            fake_fail("refusal: the M2P's frames do not hold what m2p_get says");
    for_mem = fake_mem;
    return view;
}

static void take(struct level *s, struct vcpu *v, uint32_t nr, const uint32_t a[5])
{
    if ( frame_max_mfn() != FUZZ_MEM_FRAMES )
        fake_fail("refusal: %u frames in the frame table", frame_max_mfn());
    s->v = v;
    s->nr = nr;
    memcpy(s->a, a, sizeof(s->a));
    s->state = v->domain->state;
    memset(s->saved, 0, sizeof(s->saved));
    memcpy(s->ft, frame_of(0), sizeof(s->ft));
    memcpy(s->m2p, m2p_view(), sizeof(s->m2p));
    s->free = frame_free_count();
    for ( unsigned int i = 0; i < WATCH_DOMS; i++ )
    {
        const struct domain *d = domain_lookup((uint16_t)i);

        s->live[i] = d != NULL;
        if ( !d )
            continue;
        s->dom[i] = *d;
        /* A destroyed domain kept (dying) while a foreign mapping or a
         * disk still holds some of its frames has no shared_info any more. */
        if ( d->shared_info )
            memcpy(s->si[i], d->shared_info, PAGE_SIZE);
        else
            memset(s->si[i], 0, PAGE_SIZE);
    }
    s->regs = v->regs;
    s->missing = v->regs_missing;
}

/* Which failures must have changed nothing; *pdone is set to the one guest
 * word the ABI lets a failed call write (0: none). */
static bool is_refusal(const struct level *s, long rc, uint32_t *pdone)
{
    uint32_t count = s->a[1];

    *pdone = 0;
    /* A continuation rewinds eip: the call is unfinished, not refused. */
    if ( s->v->regs.eip != s->regs.eip && !(s->missing & REGS_FIELD(eip)) )
        return false;
    if ( s->v->domain->state != s->state )
        return false;                   /* it killed (or stopped) its domain */
    switch ( s->nr )
    {
    case __HYPERVISOR_iret:
    case __HYPERVISOR_multicall:
        return false;
    case __HYPERVISOR_mmu_update:
    case __HYPERVISOR_mmuext_op:
        if ( rc >= 0 || (count & MMU_UPDATE_PREEMPTED) || count > 1 )
            return false;
        *pdone = s->a[2];
        return true;
    case __HYPERVISOR_grant_table_op:
        return rc < 0 && s->a[2] <= 1;
    case __HYPERVISOR_memory_op:
        switch ( s->a[0] & MEMOP_CMD_MASK )
        {
        case XENMEM_increase_reservation:
        case XENMEM_decrease_reservation:
        case XENMEM_populate_physmap:
            return rc == (long)(s->a[0] >> MEMOP_EXTENT_SHIFT);
        default:
            return rc < 0;
        }
    default:
        return rc < 0;
    }
}

static void differs(const struct level *s, long rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
static void differs(const struct level *s, long rc, const char *fmt, ...)
{
    char what[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    fake_fail("refusal: d%u %s(%#x, %#x, %#x, %#x, %#x) = %ld changed %s",
              s->v->domain->domain_id, hypercall_name(s->nr) ? hypercall_name(s->nr) : "?",
              s->a[0], s->a[1], s->a[2], s->a[3], s->a[4], rc, what);
}

static void compare(const struct level *s, long rc, uint32_t pdone)
{
    mfn_t pdone_mfn = 0;
    uint32_t pdone_off = 0;
    bool has_pdone = false;

    if ( pdone && !guest_walk(s->v, pdone, true, &pdone_mfn) )
    {
        has_pdone = (pdone & (PAGE_SIZE - 1)) <= PAGE_SIZE - 4;
        pdone_off = pdone & (PAGE_SIZE - 1);
    }

    bool ft_same = !memcmp(s->ft, frame_of(0), sizeof(s->ft));
    bool m2p_same = !memcmp(s->m2p, m2p_view(), sizeof(s->m2p));

    for ( mfn_t m = 0; m < FUZZ_MEM_FRAMES; m++ )
    {
        const struct frame *a = &s->ft[m], *b = ft_same ? NULL : frame_of(m);
        const uint8_t *was, *now;

        if ( b && (a->owner != b->owner || a->ref_count != b->ref_count ||
                   a->type_count != b->type_count || a->flags != b->flags ||
                   ((a->type_count || b->type_count) && a->type != b->type)) )
            differs(s, rc, "frame %#x: owner %#x->%#x refs %u->%u type %u->%u count %u->%u "
                    "flags %#x->%#x", m, a->owner, b->owner, a->ref_count, b->ref_count,
                    a->type, b->type, a->type_count, b->type_count, a->flags, b->flags);
        if ( !m2p_same && s->m2p[m] != m2p_get(m) )
            differs(s, rc, "M2P[%#x]: %#x -> %#x", m, s->m2p[m], m2p_get(m));
        if ( !(s->saved[m / 64] & (1ull << (m % 64))) )
            continue;
        /* A free frame's bytes are no state: the allocator clears a frame
         * when it hands it out (a refused pvx_build used some as scratch). */
        if ( a->owner == DOMID_FREE && frame_of(m)->owner == DOMID_FREE )
            continue;
        was = s->copy + (size_t)m * PAGE_SIZE;
        now = fake_mem + (size_t)m * PAGE_SIZE;
        if ( !memcmp(was, now, PAGE_SIZE) )
            continue;
        for ( uint32_t off = 0; off < PAGE_SIZE; off++ )
        {
            if ( was[off] == now[off] )
                continue;
            if ( has_pdone && m == pdone_mfn && off >= pdone_off && off < pdone_off + 4 )
                continue;
            differs(s, rc, "memory: mfn %#x (owner %#x) byte %#x: %#x -> %#x", m,
                    frame_of(m)->owner, off, was[off], now[off]);
        }
    }
    if ( s->free != frame_free_count() )
        differs(s, rc, "the free count: %u -> %u", s->free, frame_free_count());

    for ( unsigned int i = 0; i < WATCH_DOMS; i++ )
    {
        const struct domain *d = domain_lookup((uint16_t)i);
        struct domain was, now;

        if ( s->live[i] != (d != NULL) )
            differs(s, rc, "whether d%u exists", i);
        if ( !d )
            continue;
        /* The done count may land in it too: a guest may map its
         * shared_info writable and point pdone there. */
        for ( uint32_t off = !d->shared_info || !memcmp(s->si[i], d->shared_info, PAGE_SIZE)
                             ? PAGE_SIZE : 0;
              off < PAGE_SIZE; off++ )
        {
            if ( s->si[i][off] == ((const uint8_t *)d->shared_info)[off] )
                continue;
            if ( has_pdone && pdone_mfn == d->shared_info_mfn && off >= pdone_off &&
                 off < pdone_off + 4 )
                continue;
            differs(s, rc, "d%u's shared_info at +%#x", i, off);
        }
        /* Registers are compared below, field by field. */
        was = s->dom[i];
        now = *d;
        for ( unsigned int k = 0; k < MAX_VIRT_CPUS; k++ )
        {
            memset(&was.vcpu[k].regs, 0, sizeof(was.vcpu[k].regs));
            memset(&now.vcpu[k].regs, 0, sizeof(now.vcpu[k].regs));
            was.vcpu[k].regs_missing = now.vcpu[k].regs_missing = 0;
        }
        if ( memcmp(&was, &now, sizeof(was)) )
        {
            const uint8_t *p = (const uint8_t *)&was, *q = (const uint8_t *)&now;
            size_t off = 0;

            while ( p[off] == q[off] )
                off++;
            differs(s, rc, "d%u's struct domain at offset %#zx", i, off);
        }
    }

    /* A field the entry had read must be as it was (lazy ones may be filled
     * in, which reads, not changes). */
    for ( unsigned int f = 0; f < sizeof(struct cpu_regs) / 4; f++ )
    {
        uint32_t was = ((const uint32_t *)&s->regs)[f], now = ((const uint32_t *)&s->v->regs)[f];

        if ( !(s->missing & (1u << f)) && was != now )
            differs(s, rc, "register word %u of the caller: %#x -> %#x", f, was, now);
    }
}

static void refusal_watch(struct vcpu *v, uint32_t nr, const uint32_t a[5], bool done, long rc)
{
    struct level *s;
    uint32_t pdone;

    if ( !done )
    {
        if ( depth == LEVELS )
            fake_fail("refusal: hypercalls nested %u deep", depth + 1);
        if ( !levels[depth] )
        {
            levels[depth] = calloc(1, sizeof(*levels[depth]));
            if ( !levels[depth] )
                abort();
            levels[depth]->copy = malloc((size_t)FUZZ_MEM_FRAMES * PAGE_SIZE);
            if ( !levels[depth]->copy )
                abort();
        }
        take(levels[depth], v, nr, a);
        depth++;
        return;
    }

    if ( depth == 0 )
        fake_fail("refusal: a handler ended that never began");
    s = levels[--depth];
    if ( s->v != v || s->nr != nr )
        fake_fail("refusal: handlers ended out of order");
    checked++;
    if ( !is_refusal(s, rc, &pdone) )
        return;
    refusals++;
    compare(s, rc, pdone);
}

void refusal_install(void)
{
    hypercall_watch = refusal_watch;
    fake_map_hook = save_frames;
    depth = 0;
}

void refusal_reset(void)
{
    depth = 0;
}

void refusal_counts(unsigned long *calls, unsigned long *refused)
{
    *calls = checked;
    *refused = refusals;
}
