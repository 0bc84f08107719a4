/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench-hcall - the null hypercall: n rounds of xen_version(0), issued with
 * exactly the loop testsuite/bench/host/uc_floor.c runs on bare Unicorn, so
 * the two differ only in what happens behind int $0x82.
 *
 *   n=N      iterations (0: only the boot, the simulator's baseline run)
 *   trap=1   also n rounds of int $0xf0, the hardware image's benchmark gate
 *            (boot option bench_trap=1): a ring-0 handler that only irets,
 *            the floor for a hypercall on that machine
 *
 * Prints "bench hcall_tsc C" (and "bench trap_tsc C"): TSC cycles of the loop.
 */
#include "../bench.h"

#define BENCH_TRAP_VECTOR 0xf0

const char test_title[] = "bench-hcall: null hypercall round trips";

static void noinline hcall_loop(unsigned long n)
{
    unsigned long ecx = n;

    if ( n )
        asm volatile ( "1: mov %[nr], %%eax\n\t"
                       "xor %%ebx, %%ebx\n\t"
                       "int $0x82\n\t"
                       "dec %%ecx\n\t"
                       "jnz 1b"
                       : "+c" (ecx)
                       : [nr] "i" (__HYPERVISOR_xen_version)
                       : "eax", "ebx", "memory" );
}

static void noinline trap_loop(unsigned long n)
{
    unsigned long ecx = n;

    if ( n )
        asm volatile ( "1: mov %[nr], %%eax\n\t"
                       "xor %%ebx, %%ebx\n\t"
                       "int %[vec]\n\t"
                       "dec %%ecx\n\t"
                       "jnz 1b"
                       : "+c" (ecx)
                       : [nr] "i" (__HYPERVISOR_xen_version), [vec] "i" (BENCH_TRAP_VECTOR)
                       : "eax", "ebx", "memory" );
}

void test_main(void)
{
    unsigned long n = bench_arg("n", 0);
    uint64_t t0, t1;

    if ( HYPERVISOR_xen_version(0, NULL) < 0 )
        return test_fail("xen_version failed\n");
    hcall_loop(n / 16 + 1);                 /* warm: translated code, caches */
    t0 = bench_rdtsc();
    hcall_loop(n);
    t1 = bench_rdtsc();
    bench_result("hcall_tsc", t1 - t0);
    if ( bench_arg("trap", 0) )
    {
        trap_loop(n / 16 + 1);
        t0 = bench_rdtsc();
        trap_loop(n);
        t1 = bench_rdtsc();
        bench_result("trap_tsc", t1 - t0);
    }
    bench_result("n", n);
    test_pass();
}
