/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_sched.c - the scheduler's queues against the scans they replace.
 *
 * The heap itself (insert, remove, update, replace, ties) against a plain
 * array.
 */
#include <string.h>
#include "unit.h"
#include <pvx/heap.h>

#define NR_IDS 1024

static uint64_t rng_state;

static void rng_seed(uint64_t s)
{
    rng_state = s ? s : 1;
}

/* xorshift64: the same sequence on every run. */
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static unsigned int rng_below(unsigned int n)
{
    return (unsigned int)(rng() % n);
}

/* ------------------------------------------------------------------------
 * The heap against an array.
 */

static struct heap_entry h_slot[NR_IDS + 1];
static uint32_t h_pos[NR_IDS];
static bool ref_in[NR_IDS];
static uint64_t ref_key[NR_IDS];
static uint32_t ref_tie[NR_IDS];

static bool ref_before(uint32_t a, uint32_t b)
{
    return ref_key[a] < ref_key[b] || (ref_key[a] == ref_key[b] && ref_tie[a] < ref_tie[b]);
}

/* The least two by scanning; -1 for none. */
static void ref_two(int *first, int *second)
{
    *first = *second = -1;
    for ( int id = 0; id < NR_IDS; id++ )
    {
        if ( !ref_in[id] )
            continue;
        if ( *first < 0 || ref_before((uint32_t)id, (uint32_t)*first) )
        {
            *second = *first;
            *first = id;
        }
        else if ( *second < 0 || ref_before((uint32_t)id, (uint32_t)*second) )
            *second = id;
    }
}

static void check_heap_against_ref(const struct heap *h)
{
    const struct heap_entry *m = heap_min(h), *s = heap_second(h);
    int first, second;
    uint32_t n = 0;

    CU_ASSERT_EQUAL_FATAL(heap_check(h), 0);
    for ( int id = 0; id < NR_IDS; id++ )
    {
        n += ref_in[id];
        CU_ASSERT_EQUAL_FATAL(heap_queued(h, (uint32_t)id), ref_in[id]);
    }
    CU_ASSERT_EQUAL_FATAL(h->nr, n);
    ref_two(&first, &second);
    CU_ASSERT_EQUAL_FATAL(m ? (int)m->id : -1, first);
    CU_ASSERT_EQUAL_FATAL(s ? (int)s->id : -1, second);
}

static void test_heap_basics(void)
{
    struct heap h;

    memset(ref_in, 0, sizeof(ref_in));
    heap_init(&h, h_slot, h_pos, NR_IDS);
    CU_ASSERT_PTR_NULL(heap_min(&h));
    CU_ASSERT_PTR_NULL(heap_second(&h));

    /* Equal keys: the tie decides, whatever the order of insertion. */
    heap_insert(&h, 7, 50, 3);
    heap_insert(&h, 2, 50, 9);
    heap_insert(&h, 5, 50, 1);
    CU_ASSERT_EQUAL(heap_min(&h)->id, 5);
    CU_ASSERT_EQUAL(heap_second(&h)->id, 7);
    /* A lower key wins over any tie; an update moves it either way. */
    heap_insert(&h, 9, 49, 100);
    CU_ASSERT_EQUAL(heap_min(&h)->id, 9);
    heap_update(&h, 9, 51, 100);
    CU_ASSERT_EQUAL(heap_min(&h)->id, 5);
    heap_update(&h, 2, 10, 9);
    CU_ASSERT_EQUAL(heap_min(&h)->id, 2);
    CU_ASSERT_EQUAL(heap_second(&h)->id, 5);
    /* Replace: the leaver's slot to a newcomer, which settles where it belongs. */
    heap_replace(&h, 2, 11, 60, 0);
    CU_ASSERT_FALSE(heap_queued(&h, 2));
    CU_ASSERT(heap_queued(&h, 11));
    CU_ASSERT_EQUAL(heap_min(&h)->id, 5);
    /* Remove from the middle, the end, the top. */
    heap_remove(&h, 7);
    heap_remove(&h, 11);
    heap_remove(&h, 5);
    CU_ASSERT_EQUAL(heap_min(&h)->id, 9);
    CU_ASSERT_PTR_NULL(heap_second(&h));
    CU_ASSERT_EQUAL(heap_check(&h), 0);
    heap_remove(&h, 9);
    CU_ASSERT_EQUAL(h.nr, 0);

    /* heap_check sees a parent after its child, and a wrong pos. */
    heap_insert(&h, 1, 1, 0);
    heap_insert(&h, 2, 2, 0);
    h.slot[1].key = 3;
    CU_ASSERT_NOT_EQUAL(heap_check(&h), 0);
    heap_rebuild(&h);
    CU_ASSERT_EQUAL(heap_check(&h), 0);
    CU_ASSERT_EQUAL(heap_min(&h)->id, 2);
    h.pos[5] = 1;
    CU_ASSERT_NOT_EQUAL(heap_check(&h), 0);
    h.pos[5] = 0;
    h.pos[2] = 2;
    CU_ASSERT_NOT_EQUAL(heap_check(&h), 0);
}

/* Random operations with few distinct keys (many ties), checked after each. */
static void test_heap_random(void)
{
    struct heap h;

    rng_seed(0x5eed);
    memset(ref_in, 0, sizeof(ref_in));
    heap_init(&h, h_slot, h_pos, NR_IDS);
    for ( unsigned int step = 0; step < 20000; step++ )
    {
        uint32_t id = rng_below(NR_IDS), in = rng_below(NR_IDS);
        uint64_t key = rng_below(step % 2 ? 8 : 1u << 20);
        /* Ties are the caller's to make distinct: here by the low bits. */
        uint32_t tie = rng_below(4) << 16 | (step % 3 == 0 ? in : id);

        switch ( rng_below(5) )
        {
        case 0:
        case 1:
            if ( ref_in[id] )
                break;
            heap_insert(&h, id, key, tie);
            ref_in[id] = true;
            ref_key[id] = key;
            ref_tie[id] = tie;
            break;
        case 2:
            if ( !ref_in[id] )
                break;
            heap_remove(&h, id);
            ref_in[id] = false;
            break;
        case 3:
            if ( !ref_in[id] )
                break;
            heap_update(&h, id, key, tie);
            ref_key[id] = key;
            ref_tie[id] = tie;
            break;
        case 4:
            if ( !ref_in[id] || ref_in[in] )
                break;
            heap_replace(&h, id, in, key, tie);
            ref_in[id] = false;
            ref_in[in] = true;
            ref_key[in] = key;
            ref_tie[in] = tie;
            break;
        }
        /* The full comparison is O(n): every 16th step, and near the end. */
        if ( step % 16 == 0 || step > 19900 )
            check_heap_against_ref(&h);
    }
    /* Keys changed in place, then rebuilt. */
    for ( uint32_t i = 1; i <= h.nr; i++ )
    {
        h.slot[i].key = rng_below(100);
        h.slot[i].tie = h.slot[i].id;
        ref_tie[h.slot[i].id] = h.slot[i].id;
        ref_key[h.slot[i].id] = h.slot[i].key;
    }
    heap_rebuild(&h);
    check_heap_against_ref(&h);
}

void unit_register_sched(void)
{
    CU_pSuite s = CU_add_suite("scheduler queues", NULL, NULL);

    CU_add_test(s, "heap: insert, remove, update, replace, ties, check", test_heap_basics);
    CU_add_test(s, "heap: 20,000 random operations against a scan", test_heap_random);
}
