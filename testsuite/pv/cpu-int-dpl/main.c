/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu-int-dpl: a software interrupt `int n` reaches the guest's handler for
 * n only when the DPL of its trap-table entry admits the caller's ring; the
 * handler then sees eip past the instruction and no error code. Otherwise
 * the guest gets #GP with error code (n << 3) | 2 at the int, as from a real
 * IDT. Vectors 0x40/0x41/0x42 have DPL 0/1/3, 0x43 no entry; int $0x82 (the
 * hypercall gate, DPL 1) from ring 3 is #GP(0x412).
 */
#include "guest.h"
#include "traps.h"

const char test_title[] = "int n is checked against the virtual DPL of its entry";

static struct trap_info table[] = {
    { 0x40, 0, FLAT_RING1_CS, 0 },
    { 0x41, 1, FLAT_RING1_CS, 0 },
    { 0x42, 3, FLAT_RING1_CS, 0 },
    { 0, 0, 0, 0 },
};

static struct guest_fault __user_data last;

static bool hook(struct guest_frame *f)
{
    last = guest_last_fault;
    /* Software interrupts come back to the next instruction by themselves. */
    return f->vector >= 0x40 || f->vector == 3;
}

extern char k40[], k40f[], k41[], k41a[], k42[], k42a[], k43[], k43f[];
extern char u40[], u40f[], u41[], u41f[], u42[], u42a[], u82[], u82f[], u3a[];

static unsigned long __user_text user_ints(unsigned long which)
{
    switch ( which )
    {
    case 0x40: asm volatile ( "u40: int $0x40; u40f:" GUEST_EXTABLE(u40, u40f) ::: "memory" ); break;
    case 0x41: asm volatile ( "u41: int $0x41; u41f:" GUEST_EXTABLE(u41, u41f) ::: "memory" ); break;
    case 0x42: asm volatile ( "u42: int $0x42; u42a:" ::: "memory" ); break;
    case 0x82: asm volatile ( "u82: int $0x82; u82f:" GUEST_EXTABLE(u82, u82f) :: "a" (17) : "memory" ); break;
    case 3:    asm volatile ( "int3; u3a:" ::: "memory" ); break;
    }
    return 0;
}

static void expect(const char *what, unsigned int vec, uint32_t err, const char *eip)
{
    if ( last.vector != vec || last.error != err || last.eip != (uint32_t)eip )
        test_fail("%s: vector %#x error %#x eip %#x, expected %#x %#x %#x\n", what,
                  last.vector, last.error, last.eip, vec, err, (uint32_t)eip);
    memset(&last, 0, sizeof(last));
}

void test_main(void)
{
    long rc;

    guest_traps_init();
    table[0].address = (uint32_t)guest_entry_0x40;
    table[1].address = (uint32_t)guest_entry_0x41;
    table[2].address = (uint32_t)guest_entry_0x42;
    rc = HYPERVISOR_set_trap_table(table);
    if ( rc )
        return test_fail("set_trap_table: %ld\n", rc);
    guest_trap_hook = hook;

    /* Ring 1. */
    asm volatile ( "k40: int $0x40; k40f:" GUEST_EXTABLE(k40, k40f) ::: "memory" );
    expect("ring 1, DPL 0", 13, (0x40 << 3) | 2, k40);
    asm volatile ( "k41: int $0x41; k41a:" ::: "memory" );
    expect("ring 1, DPL 1", 0x41, 0, k41a);
    asm volatile ( "k42: int $0x42; k42a:" ::: "memory" );
    expect("ring 1, DPL 3", 0x42, 0, k42a);
    asm volatile ( "k43: int $0x43; k43f:" GUEST_EXTABLE(k43, k43f) ::: "memory" );
    expect("ring 1, no entry", 13, (0x43 << 3) | 2, k43);

    /* Ring 3. */
    guest_exec_user(user_ints, 0x40);
    expect("ring 3, DPL 0", 13, (0x40 << 3) | 2, u40);
    guest_exec_user(user_ints, 0x41);
    expect("ring 3, DPL 1", 13, (0x41 << 3) | 2, u41);
    guest_exec_user(user_ints, 0x42);
    expect("ring 3, DPL 3", 0x42, 0, u42a);
    guest_exec_user(user_ints, 0x82);
    expect("ring 3, int $0x82", 13, (0x82 << 3) | 2, u82);
    guest_exec_user(user_ints, 3);
    expect("ring 3, int3", 3, 0, u3a);

    test_pass();
}
