/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench-syscall - a ring-3 system call into the guest kernel (ring 1): n
 * rounds of `int $0x80` from ring 3, each answered by a handler that only
 * does the CPU's own iret back to ring 3 (the floor of a system call).
 *
 *   n=N        system calls (0: only the boot, the simulator's baseline run)
 *   reflect=1  register vector 0x80 with the events-mask flag (trap-table
 *              flag 4), which disables the fast path: every int $0x80 goes
 *              through the hypervisor (a #GP, core_trap, a bounce frame)
 *
 * Without reflect=1 the entry is DPL 3 with no mask and a kernel stack is
 * registered: the core asks the machine for the fast trap (on x86 a DPL-3
 * gate in the real IDT, no hypervisor; the simulator delivers it as that
 * gate would, without the core, docs/cpu.md). Prints "bench syscall_tsc C": TSC cycles
 * of the n calls (guest_exec_user's own entry and exit included, once).
 */
#include "../bench.h"
#include <traps.h>

const char test_title[] = "bench-syscall: ring-3 system calls, fast path or reflected";

#define SYSCALL_MAGIC_S "0x5ca11"       /* eax of the benchmark's calls */
#define SYSCALL_MAGIC   0x5ca11u

/* Vector 0x80: the benchmark's calls (eax == SYSCALL_MAGIC) iret at once;
 * anything else is guest_exec_user's way back from ring 3. */
void bench_syscall_entry(void);
asm ( ".text\n\t"
      ".globl bench_syscall_entry\n\t"
      ".p2align 4\n"
      "bench_syscall_entry:\n\t"
      "cmpl $" SYSCALL_MAGIC_S ", %eax\n\t"
      "jne guest_entry_user_return\n\t"
      "iret\n\t" );

static unsigned long __user_text user_loop(unsigned long n)
{
    unsigned long ecx = n;

    if ( n )
        asm volatile ( "1: mov %[magic], %%eax\n\t"
                       "int $0x80\n\t"
                       "dec %%ecx\n\t"
                       "jnz 1b"
                       : "+c" (ecx)
                       : [magic] "i" (SYSCALL_MAGIC)
                       : "eax", "memory" );
    return 0;
}

void test_main(void)
{
    unsigned long n = bench_arg("n", 0);
    bool reflect = bench_arg("reflect", 0) != 0;
    struct trap_info t[2] = {
        { 0x80, 3 | (reflect ? 4 : 0), FLAT_RING1_CS, (unsigned long)bench_syscall_entry },
        { 0, 0, 0, 0 },
    };
    uint64_t t0, t1;
    long rc;

    guest_traps_init();
    if ( (rc = HYPERVISOR_set_trap_table(t)) )
        return test_fail("set_trap_table: %ld\n", rc);
    if ( guest_exec_user(user_loop, n / 16 + 1) )   /* warm: translated code, caches */
        return test_fail("ring 3 did not come back\n");
    t0 = bench_rdtsc();
    guest_exec_user(user_loop, n);
    t1 = bench_rdtsc();
    bench_result("syscall_tsc", t1 - t0);
    bench_result("n", n);
    test_pass();
}
