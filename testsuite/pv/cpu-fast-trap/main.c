/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu-fast-trap: int $0x80 through a trap-table entry of DPL 3 that keeps
 * events as they are (Xen's fast trap) enters the ring-1 handler as through
 * a real trap gate: the CPU's frame on the kernel stack - eflags as the CPU
 * had them, so IF set even with event upcalls masked, and cs alone in its
 * slot - and the upcall mask untouched. With the entry's mask-events flag
 * the hypervisor delivers it instead: the bounce frame (IF in eflags is the
 * virtual IF, the saved mask in bits 16-23 of the cs slot) and events masked
 * on entry. Both from ring 3 with the mask clear and set. The simulator
 * delivered the fast trap through the core until arch.h version 7.
 */
#include "guest.h"
#include "events.h"
#include "traps.h"

const char test_title[] = "int $0x80 through the fast trap gets the CPU's frame";

#define MAGIC_S "0xfa57"
#define MAGIC   0xfa57u
#define EFLAGS_IF 0x200u

/* What the handler saw: the five words at its esp, the esp, the mask. */
uint32_t seen_frame[5], seen_esp, seen_mask, seen_count;
/* Ring 3's esp at the int. */
uint32_t __user_data user_esp;

_Static_assert(offsetof(struct shared_info, vcpu_info[0].evtchn_upcall_mask) == 1,
               "the handler reads the mask at shared_info + 1");

/* Vector 0x80: the test's call (eax == MAGIC) is recorded and irets at once;
 * anything else is guest_exec_user's way back from ring 3. */
void fast_entry(void);
asm ( ".text\n\t"
      ".globl fast_entry\n\t"
      ".p2align 4\n"
      "fast_entry:\n\t"
      "cmpl $" MAGIC_S ", %eax\n\t"
      "jne guest_entry_user_return\n\t"
      "movl %esp, seen_esp\n\t"
      "movl 0(%esp), %eax\n\tmovl %eax, seen_frame\n\t"
      "movl 4(%esp), %eax\n\tmovl %eax, seen_frame + 4\n\t"
      "movl 8(%esp), %eax\n\tmovl %eax, seen_frame + 8\n\t"
      "movl 12(%esp), %eax\n\tmovl %eax, seen_frame + 12\n\t"
      "movl 16(%esp), %eax\n\tmovl %eax, seen_frame + 16\n\t"
      "movl shared_info, %eax\n\t"
      "movzbl 1(%eax), %eax\n\t"
      "movl %eax, seen_mask\n\t"
      "incl seen_count\n\t"
      "iret\n\t" );

extern char user_after[];

static unsigned long __user_text user_call(unsigned long arg)
{
    (void)arg;
    asm volatile ( "movl %%esp, user_esp\n\t"
                   "movl $" MAGIC_S ", %%eax\n\t"
                   "int $0x80\n"
                   "user_after:"
                   ::: "eax", "memory" );
    return 0;
}

/* One int $0x80 from ring 3 with the upcall mask set to mask. */
static bool call(const char *what, unsigned int flags, uint8_t mask)
{
    struct trap_info t[2] = {
        { 0x80, flags, FLAT_RING1_CS, (uint32_t)(unsigned long)fast_entry },
        { 0, 0, 0, 0 },
    };
    bool reflected = flags & 4;
    uint32_t want_if = reflected && mask ? 0 : EFLAGS_IF;
    long rc = HYPERVISOR_set_trap_table(t);

    if ( rc )
    {
        test_fail("%s: set_trap_table: %ld\n", what, rc);
        return false;
    }
    memset(seen_frame, 0, sizeof(seen_frame));
    seen_count = 0;
    shared_info->vcpu_info[0].evtchn_upcall_mask = mask;
    guest_exec_user_native(user_call, 0);
    shared_info->vcpu_info[0].evtchn_upcall_mask = 1;

    if ( seen_count != 1 )
        test_fail("%s: the handler ran %u times\n", what, seen_count);
    else if ( seen_frame[0] != (uint32_t)(unsigned long)user_after )
        test_fail("%s: eip %#x in the frame, expected %p\n", what, seen_frame[0], user_after);
    else if ( (seen_frame[1] & 0xffff) != FLAT_RING3_CS || seen_frame[3] != user_esp ||
              (seen_frame[4] & 0xffff) != FLAT_RING3_SS )
        test_fail("%s: cs %#x esp %#x ss %#x in the frame, expected %#x %#x %#x\n", what,
                  seen_frame[1], seen_frame[3], seen_frame[4], FLAT_RING3_CS, user_esp,
                  FLAT_RING3_SS);
    else if ( seen_esp != (uint32_t)(unsigned long)guest_trap_stack_top - 20 )
        test_fail("%s: handler's esp %#x, expected the kernel stack's top - 20 (%p - 20)\n",
                  what, seen_esp, guest_trap_stack_top);
    else if ( (seen_frame[2] & EFLAGS_IF) != want_if )
        test_fail("%s: eflags %#x in the frame, IF expected %s (%s)\n", what, seen_frame[2],
                  want_if ? "set" : "clear",
                  reflected ? "the bounce frame's virtual IF" : "the CPU's own eflags");
    else if ( reflected && ((seen_frame[1] >> 16) & 0xff) != mask )
        test_fail("%s: cs slot %#x, expected the saved mask %u in bits 16-23\n", what,
                  seen_frame[1], mask);
    else if ( seen_mask != (reflected ? 1u : mask) )
        test_fail("%s: upcall mask %u in the handler, expected %u\n", what, seen_mask,
                  reflected ? 1u : mask);
    else
        return true;
    return false;
}

void test_main(void)
{
    guest_traps_init();
    events_init();

    /* The fast trap: the CPU's frame, the mask as it was. */
    if ( !call("fast trap, events masked", 3, 1) || !call("fast trap, events on", 3, 0) )
        return;
    /* The mask-events flag: the hypervisor's bounce frame instead. */
    if ( !call("reflected, events masked", 3 | 4, 1) || !call("reflected, events on", 3 | 4, 0) )
        return;
    test_pass();
}
