/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * eip-limit: a guest hands the hypervisor an eip past the limit of its code
 * segment (issue 11, item 4a). The machines resume guests with a ring-0
 * iret, and the CPU's iret faults on such an eip - in ring 0, which was a
 * hypervisor panic on x86 and whatever Unicorn made of it in the simulator.
 * The flat ring-1 segment ends at 0xF67FFFFF: PAST is one byte further.
 *
 *   mode=iret      (default) the iret hypercall to PAST: the frame is popped,
 *                  then the guest gets #GP(0) with eip PAST, as Xen reflects
 *                  a fault of its exit iret; the guest recovers and passes
 *   mode=handler   a trap-table handler at PAST, then int $0x41: the domain
 *                  dies alone ("... lies past the limit of its code segment")
 *   mode=callback  the event callback at PAST, then an event: the domain dies
 */
#include "guest.h"
#include "traps.h"
#include "events.h"

#include <public/callback.h>

const char test_title[] = "eip-limit: an eip past the code segment's limit is the guest's fault";

#define PAST        0xf6800000u         /* FLAT_RING1_CS's limit is 0xf67fffff */

extern char iret_back[];
static struct guest_frame seen;

/* The #GP at PAST: keep the frame, resume after the iret. */
static bool gp_at_past(struct guest_frame *f)
{
    if ( f->vector != 13 || f->eip != PAST )
        return false;
    seen = *f;
    f->eip = (uint32_t)(unsigned long)iret_back;
    return true;
}

static void mode_iret(void)
{
    guest_trap_hook = gp_at_past;
    asm volatile ( "pushfl\n\t"
                   "pushl %[cs]\n\t"
                   "pushl %[eip]\n\t"
                   "jmp hypercall_page + 23 * 32\n"
                   "iret_back:"
                   :: [cs] "i" (FLAT_RING1_CS), [eip] "i" (PAST)
                   : "memory", "eax", "ecx", "edx" );
    if ( seen.vector != 13 || seen.error != 0 || seen.eip != PAST ||
         (seen.cs & 0xffff) != FLAT_RING1_CS )
        return test_fail("iret to %#x: vector %u error %#x at %04x:%08x, expected #GP(0) at "
                         "%04x:%08x\n", PAST, seen.vector, seen.error, seen.cs & 0xffff, seen.eip,
                         FLAT_RING1_CS, PAST);
    printk("iret hypercall to %04x:%08x: #GP(0) there, handled by the guest\n", FLAT_RING1_CS, PAST);
    test_pass();
}

static void mode_handler(void)
{
    struct trap_info t[2] = {
        { 0x41, 1, FLAT_RING1_CS, PAST },
        { 0, 0, 0, 0 },
    };

    CHECK_RC(HYPERVISOR_set_trap_table(t), 0);
    printk("int $0x41 into a handler at %04x:%08x\n", FLAT_RING1_CS, PAST);
    asm volatile ( "int $0x41" ::: "memory" );
    test_fail("still running after entering a handler past the limit\n");
}

static void mode_callback(void)
{
    struct callback_register cb = {
        .type = CALLBACKTYPE_event,
        .address = { .cs = FLAT_RING1_CS, .eip = PAST },
    };
    evtchn_port_t port;

    CHECK_RC(HYPERVISOR_callback_op(CALLBACKOP_register, &cb), 0);
    CHECK_RC(evtchn_bind_ipi(&port), 0);
    CHECK_RC(evtchn_send(port), 0);
    printk("an event to a callback at %04x:%08x\n", FLAT_RING1_CS, PAST);
    events_enable();
    HYPERVISOR_xen_version(XENVER_version, NULL);   /* delivered on the way back */
    test_fail("still running after an event to a callback past the limit\n");
}

void test_main(void)
{
    events_init();
    guest_traps_init();
    if ( guest_has_arg("mode=handler") )
        mode_handler();
    else if ( guest_has_arg("mode=callback") )
        mode_callback();
    else
        mode_iret();
}
