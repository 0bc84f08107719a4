/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * heap.c - binary min-heaps of ids by (key, tie) (pvx/heap.h).
 *
 * The classic array layout: the children of slot i are 2i and 2i + 1, every
 * parent comes before its children, so the least is in slot 1 and the second
 * least in slot 2 or 3. pos[] finds an id whose key changed, or that leaves
 * from the middle, without a search. An entry moving towards its place is
 * carried in hand while the ones it passes shift by a slot: one copy per
 * level instead of a swap.
 */
#include <pvx/heap.h>
#include <pvx/lib.h>

void heap_init(struct heap *h, struct heap_entry *slot, uint32_t *pos, uint32_t max)
{
    h->slot = slot;
    h->pos = pos;
    h->nr = 0;
    h->max = max;
    memset(pos, 0, max * sizeof(*pos));
}

/* Carry e up from slot i past every parent it comes before. The arrays and
 * e are copied to locals: stores through pos[] could alias them otherwise. */
static void heap_sift_up(struct heap *h, uint32_t i, const struct heap_entry *in)
{
    struct heap_entry e = *in, *slot = h->slot;
    uint32_t *pos = h->pos;

    while ( i > 1 && heap_before(&e, &slot[i / 2]) )
    {
        pos[slot[i / 2].id] = i;        /* read before the copy: no forwarding stall */
        slot[i] = slot[i / 2];
        i /= 2;
    }
    slot[i] = e;
    pos[e.id] = i;
}

/* Carry e down from slot i while a child comes before it. */
static void heap_sift_down(struct heap *h, uint32_t i, const struct heap_entry *in)
{
    struct heap_entry e = *in, *slot = h->slot;
    uint32_t *pos = h->pos, nr = h->nr;

    for ( ;; )
    {
        uint32_t c = 2 * i;

        if ( c > nr )
            break;
        if ( c < nr )
            c += heap_before(&slot[c + 1], &slot[c]);
        if ( !heap_before(&slot[c], &e) )
            break;
        pos[slot[c].id] = i;
        slot[i] = slot[c];
        i = c;
    }
    slot[i] = e;
    pos[e.id] = i;
}

/* e is to be in slot i, whose neighbours are in order: up or down. */
static void heap_settle(struct heap *h, uint32_t i, const struct heap_entry *e)
{
    if ( i > 1 && heap_before(e, &h->slot[i / 2]) )
        heap_sift_up(h, i, e);
    else
        heap_sift_down(h, i, e);
}

void heap_insert(struct heap *h, uint32_t id, uint64_t key, uint32_t tie)
{
    struct heap_entry e = { .key = key, .tie = tie, .id = id };

    ASSERT(id < h->max && !h->pos[id] && h->nr < h->max);
    h->nr++;
    heap_sift_up(h, h->nr, &e);
}

void heap_remove(struct heap *h, uint32_t id)
{
    uint32_t i;
    struct heap_entry last;

    ASSERT(id < h->max && h->pos[id]);
    i = h->pos[id];
    h->pos[id] = 0;
    last = h->slot[h->nr--];
    if ( i <= h->nr )
        heap_settle(h, i, &last);
}

void heap_update(struct heap *h, uint32_t id, uint64_t key, uint32_t tie)
{
    struct heap_entry e = { .key = key, .tie = tie, .id = id };

    ASSERT(id < h->max && h->pos[id]);
    heap_settle(h, h->pos[id], &e);
}

void heap_replace(struct heap *h, uint32_t id, uint32_t in, uint64_t key, uint32_t tie)
{
    struct heap_entry e = { .key = key, .tie = tie, .id = in };
    uint32_t i;

    ASSERT(id < h->max && h->pos[id] && in < h->max && !h->pos[in]);
    i = h->pos[id];
    h->pos[id] = 0;
    heap_settle(h, i, &e);
}

void heap_rebuild(struct heap *h)
{
    /* Bottom-up: each subtree is a heap once its root has sunk into it. */
    for ( uint32_t i = h->nr / 2; i >= 1; i-- )
    {
        struct heap_entry e = h->slot[i];

        heap_sift_down(h, i, &e);
    }
}

uint32_t heap_check(const struct heap *h)
{
    uint32_t queued = 0;

    for ( uint32_t i = 1; i <= h->nr; i++ )
    {
        const struct heap_entry *e = &h->slot[i];

        if ( e->id >= h->max || h->pos[e->id] != i )
            return i;
        if ( i > 1 && heap_before(e, &h->slot[i / 2]) )
            return i;
    }
    /* And no id claims a slot it is not in. */
    for ( uint32_t id = 0; id < h->max; id++ )
        queued += h->pos[id] != 0;
    return queued == h->nr ? 0 : h->nr + 1;
}
