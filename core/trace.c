/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trace.c - the core's trace: a ring of its last events (the dispatches of
 * vCPUs), written the same way on both machines. Whoever wants them reads
 * them (core_trace_read): the simulator for --trace=sched, a debugger from
 * machine.trace.ring after the fact. Writing never waits for a reader: the oldest
 * records go.
 */
#include <pvx/arch.h>
#include <pvx/machine.h>
#include <pvx/trace.h>

_Static_assert((TRACE_RING_SIZE & (TRACE_RING_SIZE - 1)) == 0, "a power of two");

#define trace_ring machine.trace.ring
#define trace_next machine.trace.next

void trace_dispatch(uint64_t now_ns, unsigned int cpu, unsigned int domid, unsigned int vcpu,
                    const char *why)
{
    struct trace_record *r = &trace_ring[trace_next & (TRACE_RING_SIZE - 1)];

    r->seq = trace_next++;
    r->now_ns = now_ns;
    r->event = TRACE_DISPATCH;
    r->cpu = (uint16_t)cpu;
    r->domid = (uint16_t)domid;
    r->vcpu = (uint16_t)vcpu;
    r->what = why;
}

unsigned int core_trace_read(uint64_t *seq, struct trace_record *out, unsigned int max)
{
    uint64_t from = *seq;
    unsigned int n = 0;

    if ( from > trace_next )
        from = trace_next;              /* a number not written yet: nothing new */
    if ( trace_next - from > TRACE_RING_SIZE )
        from = trace_next - TRACE_RING_SIZE;
    for ( ; from < trace_next && n < max; from++ )
        out[n++] = trace_ring[from & (TRACE_RING_SIZE - 1)];
    *seq = from;
    return n;
}
