/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * evtchn-masked: upcalls held off while masked, delivered once when unmasked.
 *
 * An IPI port to ourselves: a send with upcalls masked sets the pending bits
 * but never enters the callback, however many hypercalls follow; clearing the
 * mask and making a hypercall delivers it, once, however many sends merged.
 * A masked port raises no upcall at all until EVTCHNOP_unmask. SCHEDOP_block
 * with an event pending returns at once and delivers it. Channels between two
 * ports of our own (alloc_unbound + bind_interdomain to DOMID_SELF) work too.
 */
#include "guest.h"
#include "events.h"

const char test_title[] = "evtchn-masked: callbacks held off while masked, delivered once on unmask";

void test_main(void)
{
    struct vcpu_info *vi;
    evtchn_port_t ipi, a, b;
    uint32_t up;

    events_init();
    vi = &shared_info->vcpu_info[0];
    if ( !vi->evtchn_upcall_mask )
        return test_fail("upcalls not masked at the start of day\n");
    if ( evtchn_bind_ipi(&ipi) )
        return test_fail("bind_ipi failed\n");

    /* 1. Masked upcalls: three sends, no callback, one delivery later. */
    for ( int i = 0; i < 3; i++ )
        if ( evtchn_send(ipi) )
            return test_fail("send on the IPI port failed\n");
    HYPERVISOR_xen_version(0, 0);
    if ( event_upcalls != 0 )
        return test_fail("callback entered while upcalls were masked\n");
    if ( !evtchn_pending(ipi) || !vi->evtchn_upcall_pending )
        return test_fail("pending bits not set by a masked send\n");
    events_enable();                    /* clears the mask, then a hypercall */
    if ( event_upcalls != 1 || event_count[ipi] != 1 )
        return test_fail("held-off event: %u upcalls, %u deliveries (expected 1, 1)\n",
                         event_upcalls, event_count[ipi]);
    if ( evtchn_pending(ipi) || vi->evtchn_upcall_pending )
        return test_fail("still pending after delivery\n");
    printk("masked upcalls: three sends held off, delivered once on unmask\n");

    /* 2. A masked port: pending, but no upcall until EVTCHNOP_unmask. */
    evtchn_mask(ipi);
    if ( evtchn_send(ipi) )
        return test_fail("send on port ipi refused\n");
    HYPERVISOR_xen_version(0, 0);
    if ( event_count[ipi] != 1 || vi->evtchn_upcall_pending || !evtchn_pending(ipi) )
        return test_fail("a masked port raised an upcall\n");
    up = event_upcalls;
    if ( evtchn_unmask(ipi) )
        return test_fail("unmask failed\n");
    if ( event_upcalls != up + 1 || event_count[ipi] != 2 )
        return test_fail("unmask of a pending port did not deliver it once\n");
    printk("masked port: pending kept, delivered once on EVTCHNOP_unmask\n");

    /* 3. SCHEDOP_block with an event pending returns at once, delivering it. */
    events_disable();
    if ( evtchn_send(ipi) )
        return test_fail("send on port ipi refused\n");
    sched_block();                      /* unmasks: the callback runs on the way out */
    if ( event_count[ipi] != 3 )
        return test_fail("block with an event pending: %u deliveries\n", event_count[ipi]);
    printk("block with an event pending: returns at once and delivers\n");

    /* 4. A loopback interdomain channel. */
    events_disable();
    if ( evtchn_alloc_unbound(DOMID_SELF, &a) || evtchn_bind_interdomain(DOMID_SELF, a, &b) )
        return test_fail("loopback channel failed\n");
    evtchn_test_and_clear(b);
    if ( evtchn_send(b) )
        return test_fail("send on port b refused\n");
    if ( !evtchn_pending(a) || evtchn_pending(b) )
        return test_fail("a send on one end did not mark the other\n");
    if ( evtchn_send(a) )
        return test_fail("send on port a refused\n");
    if ( !evtchn_pending(b) )
        return test_fail("a send on the other end did not come back\n");
    if ( evtchn_close(a) || evtchn_send(b) != 0 || evtchn_close(a) != -EINVAL )
        return test_fail("close: the peer did not become unbound\n");
    printk("loopback channel: both ends notify each other; close unbinds the peer\n");
    test_pass();
}
