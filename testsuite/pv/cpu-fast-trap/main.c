/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu-fast-trap: int $0x80 through a trap-table entry of DPL 3 that keeps
 * events as they are (Xen's fast trap) enters the ring-1 handler as through
 * a real trap gate: the CPU's frame on the kernel stack - eflags as the CPU
 * had them, so IF set even with event upcalls masked, and cs alone in its
 * slot - and the upcall mask untouched. With the entry's mask-events flag
 * the hypervisor delivers it instead: the bounce frame (IF in eflags is the
 * virtual IF, the saved mask in bits 16-23 of the cs slot) and events masked
 * on entry. Both from ring 3 with the mask clear and set. Through a code
 * segment of the guest's own GDT too; when that descriptor is later made
 * not present, or data, the int faults as the CPU's gate does: #NP or #GP
 * naming the selector, at the int. The simulator delivered the fast trap
 * through the core until arch.h version 7.
 */
#include "guest.h"
#include "events.h"
#include "mm.h"
#include "traps.h"

const char test_title[] = "int $0x80 through the fast trap gets the CPU's frame";

#define MAGIC_S "0xfa57"
#define MAGIC   0xfa57u
#define EFLAGS_IF 0x200u

/* What the handler saw: the five words at its esp, the esp, the mask. */
uint32_t seen_frame[5], seen_esp, seen_mask, seen_cs, seen_count;
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
      "movl %cs, %eax\n\t"
      "movl %eax, seen_cs\n\t"
      "incl seen_count\n\t"
      "iret\n\t" );

extern char user_after[], gate_at[], gate_fix[];

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

/* int $0x80 that may fault: the hook resumes after it. */
static unsigned long __user_text user_call_may_fault(unsigned long arg)
{
    (void)arg;
    asm volatile ( "gate_at: int $0x80; gate_fix:" GUEST_EXTABLE(gate_at, gate_fix)
                   :: "a" (MAGIC) : "memory" );
    return 0;
}

static struct guest_fault gate_fault;

/* The gate's fault: noted, and the gate made whole again for the way back
 * from ring 3 (guest_exec_user's own int $0x80). */
static bool gate_hook(struct guest_frame *f)
{
    struct trap_info t[2] = {
        { 0x80, 3, FLAT_RING1_CS, (uint32_t)(unsigned long)fast_entry }, { 0, 0, 0, 0 },
    };

    if ( f->eip != (uint32_t)(unsigned long)gate_at )
        return false;
    gate_fault = (struct guest_fault){ f->vector, f->error, f->eip, f->cs };
    f->eip = (uint32_t)(unsigned long)gate_fix;
    if ( HYPERVISOR_set_trap_table(t) )
        test_fail("set_trap_table in the fault hook refused\n");
    return true;
}

/* A code or data descriptor, flat, 4 KiB granular. */
static uint64_t seg(unsigned int type, unsigned int dpl, bool present)
{
    uint32_t hi = 0xf0000 | (type << 8) | (1u << 12) | (dpl << 13) | (present ? 1u << 15 : 0) |
                  (1u << 22) | (1u << 23);

    return ((uint64_t)hi << 32) | 0xffff;
}

/* Entry 1 of a GDT of the guest's own (selector 0x09) as the gate's code
 * segment: it works; made not present it is #NP(0x08), made data #GP(0x08). */
static void own_gdt(void)
{
    uint32_t gdt_mfn = mm_pfn_to_mfn(mm_alloc_pfn());
    uint32_t frames[1] = { gdt_mfn };
    struct trap_info t[2] = {
        { 0x80, 3, 0x09, (uint32_t)(unsigned long)fast_entry }, { 0, 0, 0, 0 },
    };
    static const struct {
        const char *what;
        unsigned int type;
        bool present;
        uint32_t vector;
    } cases[] = {
        { "a code segment of its own", 0xb, true, 0 },
        { "that segment not present", 0xb, false, 11 },
        { "that segment made data", 0x3, true, 13 },
    };
    uint64_t at = ((uint64_t)gdt_mfn << 12) + 8;

    CHECK_RC(HYPERVISOR_update_descriptor(at, seg(0xb, 1, true)), 0);
    CHECK_RC(HYPERVISOR_set_gdt(frames, 512), 0);
    guest_trap_hook = gate_hook;
    for ( unsigned int i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        /* The gate is installed while the segment is good (the core checks
         * it then, as Xen); the descriptor changes under it afterwards. */
        CHECK_RC(HYPERVISOR_update_descriptor(at, seg(0xb, 1, true)), 0);
        CHECK_RC(HYPERVISOR_set_trap_table(t), 0);
        CHECK_RC(HYPERVISOR_update_descriptor(at, seg(cases[i].type, 1, cases[i].present)), 0);
        seen_count = 0;
        gate_fault = (struct guest_fault){ 0, 0, 0, 0 };
        guest_exec_user_native(user_call_may_fault, 0);
        /* Back from ring 3 through the gate, in its cs: home to the flat one,
         * so that the descriptor may change. */
        asm volatile ( "ljmp %0, $1f\n1:" :: "i" (FLAT_RING1_CS) : "memory" );
        if ( !cases[i].vector && (seen_count != 1 || seen_cs != 0x09) )
            test_fail("%s: the handler ran %u times, in cs %#x\n", cases[i].what, seen_count,
                      seen_cs);
        if ( cases[i].vector && (seen_count || gate_fault.vector != cases[i].vector ||
                                 gate_fault.error != 0x08 || (gate_fault.cs & 0xffff) != FLAT_RING3_CS) )
            test_fail("%s: handler ran %u times; fault %u error %#x from cs %#x, expected %u "
                      "error 0x8 at the int in ring 3\n", cases[i].what, seen_count,
                      gate_fault.vector, gate_fault.error, gate_fault.cs, cases[i].vector);
    }
    guest_trap_hook = NULL;
    CHECK_RC(HYPERVISOR_set_gdt(frames, 0), 0);
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
    own_gdt();
    test_pass();
}
