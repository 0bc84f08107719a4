/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu-iret: the ways back from the kernel. The iret hypercall (page slot 23)
 * returns to ring 1 and to ring 3, restores eax, and sets the upcall mask
 * from the frame's IF; the CPU's own iret works from ring 1 to ring 1 and to
 * ring 3. Each ring-3 trip ends with int $0x80 (DPL 3 entry).
 */
#include "guest.h"
#include "traps.h"

const char test_title[] = "iret hypercall and native iret to rings 1 and 3";

static uint32_t saved_mask;

static bool hook(struct guest_frame *f)
{
    saved_mask = f->cs >> 16;
    return f->vector == 3;
}

static unsigned long __user_text user_fn(unsigned long x)
{
    unsigned int cs;

    asm volatile ( "mov %%cs, %0" : "=r" (cs) );
    return (cs & 3) == 3 ? x * 2 : 0;
}

/* iret hypercall to ring 1 with the given EFLAGS; returns eax as restored. */
static unsigned long iret_to_ring1(unsigned long eflags)
{
    unsigned long eax;

    asm volatile ( "push %%ebx\n\t"
                   "pushl %[fl]\n\t"
                   "pushl %[cs]\n\t"
                   "pushl $1f\n\t"
                   "mov $0x1234abcd, %%eax\n\t"
                   "jmp hypercall_page + 23 * 32\n"
                   "1:\n\t"
                   "pop %%ebx"
                   : "=a" (eax)
                   : [fl] "r" (eflags), [cs] "i" (FLAT_RING1_CS)
                   : "memory", "ecx", "edx" );
    return eax;
}

void test_main(void)
{
    unsigned long r, eflags;

    guest_traps_init();
    guest_trap_hook = hook;
    asm volatile ( "pushf; pop %0" : "=r" (eflags) );

    /* Ring 1 -> ring 1 through the hypercall: eax restored, mask = !IF. */
    r = iret_to_ring1(eflags | 0x200);
    if ( r != 0x1234abcd )
        test_fail("iret hypercall: eax %#lx, expected 0x1234abcd\n", r);
    asm volatile ( "int3" ::: "memory" );
    if ( saved_mask != 0 )
        test_fail("after iret with IF set: upcall mask %u, expected 0\n", saved_mask);
    iret_to_ring1(eflags & ~0x200ul);
    asm volatile ( "int3" ::: "memory" );
    if ( saved_mask != 1 )
        test_fail("after iret with IF clear: upcall mask %u, expected 1\n", saved_mask);

    /* Native iret, ring 1 -> ring 1. */
    asm volatile ( "pushf; push %%cs; push $1f; iret; 1:" ::: "memory" );

    /* Ring 1 -> ring 3: hypercall, then the CPU's iret; back by int $0x80. */
    r = guest_exec_user(user_fn, 21);
    if ( r != 42 )
        test_fail("ring 3 through the iret hypercall: %lu, expected 42\n", r);
    r = guest_exec_user_native(user_fn, 50);
    if ( r != 100 )
        test_fail("ring 3 through a native iret: %lu, expected 100\n", r);
    if ( (read_cs() & 3) != 1 )
        test_fail("back in ring %u, expected 1\n", read_cs() & 3);

    test_pass();
}
