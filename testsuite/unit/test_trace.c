/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_trace.c - the core's trace ring (core/trace.c): what a reader gets
 * back, in order, and what a reader that fell behind loses.
 */
#include "unit.h"
#include <pvx/arch.h>
#include <pvx/trace.h>

/* Past everything written so far: the ring is shared by every test. */
static uint64_t reader_at_end(void)
{
    struct trace_record r[64];
    uint64_t seq = 0;

    while ( core_trace_read(&seq, r, 64) )
        ;
    return seq;
}

static void test_trace_in_order(void)
{
    static const char *const why[3] = { "start", "yield", "block" };
    struct trace_record r[8];
    uint64_t seq = reader_at_end(), start = seq;
    unsigned int n;

    for ( unsigned int i = 0; i < 3; i++ )
        trace_dispatch(1000 + i, 0, 7 + i, i, why[i]);
    n = core_trace_read(&seq, r, 8);
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_EQUAL(seq, start + 3);
    for ( unsigned int i = 0; i < n; i++ )
    {
        CU_ASSERT_EQUAL(r[i].seq, start + i);
        CU_ASSERT_EQUAL(r[i].event, TRACE_DISPATCH);
        CU_ASSERT_EQUAL(r[i].now_ns, 1000 + i);
        CU_ASSERT_EQUAL(r[i].domid, 7 + i);
        CU_ASSERT_EQUAL(r[i].vcpu, i);
        CU_ASSERT_PTR_EQUAL(r[i].what, why[i]);
    }
    /* Nothing new: nothing read, the reader stays. */
    CU_ASSERT_EQUAL(core_trace_read(&seq, r, 8), 0);
    CU_ASSERT_EQUAL(seq, start + 3);
    /* At most max at a time. */
    seq = start;
    CU_ASSERT_EQUAL(core_trace_read(&seq, r, 2), 2);
    CU_ASSERT_EQUAL(seq, start + 2);
}

static void test_trace_lagging_reader(void)
{
    struct trace_record r[TRACE_RING_SIZE];
    uint64_t seq = reader_at_end(), start = seq, future;
    unsigned int n;

    for ( unsigned int i = 0; i < TRACE_RING_SIZE + 10; i++ )
        trace_dispatch(i, 0, 1, 0, "switch");
    /* The ten oldest are gone: the first record says so by its number. */
    n = core_trace_read(&seq, r, TRACE_RING_SIZE);
    CU_ASSERT_EQUAL(n, TRACE_RING_SIZE);
    CU_ASSERT_EQUAL(r[0].seq, start + 10);
    CU_ASSERT_EQUAL(r[0].now_ns, 10);
    CU_ASSERT_EQUAL(r[n - 1].seq, start + TRACE_RING_SIZE + 9);
    CU_ASSERT_EQUAL(seq, start + TRACE_RING_SIZE + 10);
    /* A number not written yet reads nothing and comes back to the end. */
    future = seq + 5;
    CU_ASSERT_EQUAL(core_trace_read(&future, r, 4), 0);
    CU_ASSERT_EQUAL(future, seq);
}

void unit_register_trace(void)
{
    CU_pSuite s = CU_add_suite("trace", NULL, NULL);

    CU_add_test(s, "records come back in order, at most max at a time", test_trace_in_order);
    CU_add_test(s, "a reader that fell behind loses the oldest, and sees how many",
                test_trace_lagging_reader);
}
