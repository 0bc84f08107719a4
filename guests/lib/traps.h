/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * traps.h - exceptions and ring 3 for pvx PV guests.
 *
 * guest_traps_init() registers a trap table whose every entry is a stub in
 * entry.S: it saves the registers, calls guest_exception() with the frame,
 * and goes back with the iret hypercall (so a handler may change the frame:
 * eip, registers). A fault a test expects is listed in the exception table
 * (GUEST_EXTABLE: faulting eip -> fixup eip, like XTF's _ASM_EXTABLE); the
 * handler records it in guest_last_fault and resumes at the fixup.
 *
 * Ring 3: guest_exec_user(fn, arg) enters fn in ring 3 with the iret
 * hypercall and returns its result when fn's stub makes `int $0x80`. Code and
 * data ring 3 touches live in the .user section (__user), mapped with the U
 * bit by guest_traps_init().
 */
#ifndef GUEST_TRAPS_H
#define GUEST_TRAPS_H

#include <stdint.h>
#include <stdbool.h>

#define GUEST_VEC_USER_RETURN 0x80      /* int 0x80: back from ring 3 */

/* What the entry stubs save (lowest address first). esp and ss are there
 * only when the CPU came from ring 3 (cs & 3 == 3). */
struct guest_frame {
    uint32_t edi, esi, ebp, _esp, ebx, edx, ecx, eax;
    uint32_t vector, error;
    uint32_t eip, cs, eflags;           /* cs bits 16-23: saved upcall mask */
    uint32_t esp, ss;
};

struct guest_fault {
    uint32_t vector, error, eip, cs;
};

/* The last exception any handler saw, and how many there were. */
extern struct guest_fault guest_last_fault;
extern unsigned int guest_fault_count;

/* A test may look at every exception first: return true when handled. */
extern bool (*guest_trap_hook)(struct guest_frame *f);

/* Every CPU exception vector 0-19 (DPL 0, int3/into DPL 3; events masked),
 * int 0x80 DPL 3 (the ring-3 return); a kernel stack; the .user section
 * user-accessible; ds/es the flat ring-3 data segment (usable in both rings). */
void guest_traps_init(void);

/* The trap_info list guest_traps_init registered (terminated by address 0). */
extern struct trap_info guest_trap_table[];

/* Run fn(arg) in ring 3; its result. Entered with the iret hypercall, or
 * (_native) with the CPU's own iret from ring 1. */
unsigned long guest_exec_user(unsigned long (*fn)(unsigned long), unsigned long arg);
unsigned long guest_exec_user_native(unsigned long (*fn)(unsigned long), unsigned long arg);

/* Entry stubs of vectors 0x40-0x43 (not in the table: tests register them). */
void guest_entry_0x40(void), guest_entry_0x41(void), guest_entry_0x42(void), guest_entry_0x43(void);

/* The top of the kernel stack ring-3 traps switch to (stack_switch). */
extern char guest_trap_stack_top[];

#define __user_text __attribute__((section(".user.text"), __noinline__))
#define __user_data __attribute__((section(".user.data")))

/* One exception-table entry: a fault at label `fault` resumes at `fixup`. */
#define GUEST_EXTABLE(fault, fixup)                     \
    ".pushsection .guest_extable, \"a\"\n"              \
    ".long " #fault ", " #fixup "\n"                    \
    ".popsection\n"

/* The entry of vector v in the trap table (for tests that change one). */
void guest_entry_for(unsigned int v, uint32_t *eip);

#endif /* GUEST_TRAPS_H */
