/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench-spin - guest instructions per second: the two loops of
 * testsuite/bench/host/uc_floor.c, run n times in ring 1 without a
 * hypercall, then a power-off. The driver runs it with and without the
 * simulator's instruction-counting block hook (pvx-sim --no-time).
 *
 *   (default)    add $1; dec; jnz                    3 instructions a block
 *   mixed=1      11 instructions with a load and a store per block
 *   n=N          iterations (0 for the baseline run)
 */
#include "../bench.h"

const char test_title[] = "bench-spin: guest instructions per second";

static uint32_t buf_in[1024], buf_out[1024];

static void noinline tight_loop(unsigned long n)
{
    unsigned long ecx = n, eax = 0;

    if ( n )
        asm volatile ( "1: add $1, %%eax\n\t"
                       "dec %%ecx\n\t"
                       "jnz 1b"
                       : "+c" (ecx), "+a" (eax) );
}

static void noinline mixed_loop(unsigned long n)
{
    unsigned long ecx = n;

    if ( n )
        asm volatile ( "1: mov %%ecx, %%esi\n\t"
                       "and $0x3ff, %%esi\n\t"
                       "mov %c[in](,%%esi,4), %%eax\n\t"
                       "add %%eax, %%ebx\n\t"
                       "rol $5, %%ebx\n\t"
                       "xor %%ecx, %%ebx\n\t"
                       "lea 1(%%ebx,%%eax,2), %%edx\n\t"
                       "imul $33, %%edx, %%edx\n\t"
                       "mov %%edx, %c[out](,%%esi,4)\n\t"
                       "dec %%ecx\n\t"
                       "jnz 1b"
                       : "+c" (ecx)
                       : [in] "i" (buf_in), [out] "i" (buf_out)
                       : "eax", "ebx", "edx", "esi", "memory" );
}

void test_main(void)
{
    unsigned long n = bench_arg("n", 0);
    uint64_t t0, t1;

    t0 = bench_rdtsc();
    if ( bench_arg("mixed", 0) )
        mixed_loop(n);
    else
        tight_loop(n);
    t1 = bench_rdtsc();
    bench_result("spin_tsc", t1 - t0);
    bench_result("n", n);
    test_pass();
}
