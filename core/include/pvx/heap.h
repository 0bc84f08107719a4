/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * heap.h - binary min-heaps of small ids by (key, tie): the scheduler's
 * runqueues and the queue of timer deadlines.
 *
 * The order is key, then tie: a caller that breaks ties (e.g. by vCPU index)
 * makes the least always one entry, so runs are reproducible. The keys live
 * in the heap's own array, next to each other, and where each id sits in a
 * dense array by id: moving an entry touches nothing of its owner's. No
 * memory is allocated: the caller gives both arrays, slot with max + 1
 * entries (slot 0 is unused) and pos with max (ids are 0..max-1).
 *
 *   heap_min, heap_second, heap_queued     O(1)
 *   heap_insert, heap_remove,
 *   heap_update, heap_replace              O(log n)
 *   heap_rebuild                           O(n)
 */
#ifndef PVX_HEAP_H
#define PVX_HEAP_H

#include <pvx/types.h>

struct heap_entry {
    uint64_t key;
    uint32_t tie;
    uint32_t id;
};

struct heap {
    struct heap_entry *slot;    /* slot[1..nr]; slot[1] is the least */
    uint32_t *pos;              /* pos[id]: its slot, 0 when not in the heap */
    uint32_t nr;
    uint32_t max;
};

void heap_init(struct heap *h, struct heap_entry *slot, uint32_t *pos, uint32_t max);
void heap_insert(struct heap *h, uint32_t id, uint64_t key, uint32_t tie);
void heap_remove(struct heap *h, uint32_t id);
/* id's key or tie changed, either way: move it to where it belongs. */
void heap_update(struct heap *h, uint32_t id, uint64_t key, uint32_t tie);
/* id leaves and in (not in the heap) takes its slot: one sift, not two. */
void heap_replace(struct heap *h, uint32_t id, uint32_t in, uint64_t key, uint32_t tie);
/* The caller changed keys in slot[1..nr] directly: restore the order. */
void heap_rebuild(struct heap *h);
/* Every parent before its children, every pos right: 0, or the first slot
 * (from 1) that breaks the rule. For tests. */
uint32_t heap_check(const struct heap *h);

/* Without branches: in a sift, which child comes first is a coin toss, and a
 * mispredicted branch per level would cost more than the rest of it. */
static inline bool heap_before(const struct heap_entry *a, const struct heap_entry *b)
{
    return (a->key < b->key) | ((a->key == b->key) & (a->tie < b->tie));
}

static inline bool heap_queued(const struct heap *h, uint32_t id)
{
    return h->pos[id] != 0;
}

static inline const struct heap_entry *heap_min(const struct heap *h)
{
    return h->nr ? &h->slot[1] : NULL;
}

/* The least after heap_min(): necessarily one of its two children. */
static inline const struct heap_entry *heap_second(const struct heap *h)
{
    if ( h->nr < 3 )
        return h->nr == 2 ? &h->slot[2] : NULL;
    return heap_before(&h->slot[3], &h->slot[2]) ? &h->slot[3] : &h->slot[2];
}

#endif /* PVX_HEAP_H */
