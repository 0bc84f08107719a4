/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu-iopl: port I/O and cli/sti follow the virtual IOPL that
 * PHYSDEVOP_set_iopl sets. With IOPL 0 they are #GP(0) at the instruction,
 * from ring 1 and ring 3; with IOPL 1 ring 1 may use them (no device behind
 * any port: reads float high; cli/sti change nothing), ring 3 not; with IOPL 3
 * ring 3 too. An IOPL above 3 is -EINVAL and changes nothing.
 */
#include "guest.h"
#include "traps.h"

const char test_title[] = "in/out/cli/sti under a virtual IOPL";

extern char kin[], kinf[], ksti[], uin[], uinf[];

static long set_iopl(unsigned int iopl)
{
    struct physdev_set_iopl s = { .iopl = iopl };

    return HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &s);
}

static unsigned long __user_text user_in(unsigned long port)
{
    unsigned long v = 0x5a;

    asm volatile ( "uin: inb %w1, %b0; uinf:" GUEST_EXTABLE(uin, uinf)
                   : "+a" (v) : "d" (port) : "memory" );
    return v & 0xff;
}

/* Run the ring-1 instructions: how many faulted, and what inb/inw read. */
static unsigned int noinline kernel_io(uint32_t *val)
{
    unsigned int before = guest_fault_count;
    uint32_t v = 0x12345678;

    asm volatile ( "kin: inb $0x71, %%al; kinf:" GUEST_EXTABLE(kin, kinf)
                   : "+a" (v) :: "memory" );
    asm volatile ( "kout: outb %%al, $0x80; koutf:" GUEST_EXTABLE(kout, koutf)
                   :: "a" (0) : "memory" );
    asm volatile ( "kinw: inw %%dx, %%ax; kinwf:" GUEST_EXTABLE(kinw, kinwf)
                   : "+a" (v) : "d" (0x60) : "memory" );
    asm volatile ( "koutl: outl %%eax, %%dx; koutlf:" GUEST_EXTABLE(koutl, koutlf)
                   :: "a" (0), "d" (0x60) : "memory" );
    asm volatile ( "kcli: cli; kclif:" GUEST_EXTABLE(kcli, kclif) ::: "memory" );
    asm volatile ( "ksti: sti; kstif:" GUEST_EXTABLE(ksti, kstif) ::: "memory" );
    *val = v;
    return guest_fault_count - before;
}

void test_main(void)
{
    uint32_t v;
    unsigned int n;

    guest_traps_init();

    /* IOPL 0: inb, outb, inw, outl, cli, sti - each faults. */
    n = kernel_io(&v);
    if ( n != 6 || guest_last_fault.vector != 13 || guest_last_fault.error != 0 ||
         guest_last_fault.eip != (uint32_t)ksti )
        test_fail("IOPL 0, ring 1: %u faults, last vector %u at %#x\n", n,
                  guest_last_fault.vector, guest_last_fault.eip);
    if ( guest_exec_user(user_in, 0x71) != 0x5a || guest_last_fault.eip != (uint32_t)uin )
        test_fail("IOPL 0, ring 3: inb did not fault\n");

    if ( set_iopl(4) != -EINVAL )
        test_fail("set_iopl(4) was accepted\n");
    if ( set_iopl(1) != 0 )
        test_fail("set_iopl(1) failed\n");
    n = kernel_io(&v);
    if ( n != 0 || v != 0x1234ffff )
        test_fail("IOPL 1, ring 1: %u faults, value %#x (expected 0, 0x1234ffff)\n", n, v);
    if ( guest_exec_user(user_in, 0x71) != 0x5a )
        test_fail("IOPL 1, ring 3: inb did not fault\n");

    if ( set_iopl(3) != 0 )
        test_fail("set_iopl(3) failed\n");
    if ( guest_exec_user(user_in, 0x71) != 0xff )
        test_fail("IOPL 3, ring 3: inb did not read 0xff\n");
    set_iopl(0);
    if ( HYPERVISOR_physdev_op(PHYSDEVOP_eoi, NULL) != -ENOSYS )
        test_fail("physdev_op eoi is not -ENOSYS\n");

    test_pass();
}
