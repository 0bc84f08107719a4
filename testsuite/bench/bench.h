/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench.h - shared by the benchmark guests (testsuite/bench/<name>/main.c):
 * arguments from the command line ("bench-hcall.elf n=100000 trap=1") and
 * result lines ("bench KEY VALUE") that testsuite/bench/run-bench.py reads.
 *
 * Guests cannot read the host clock. In the simulator the driver times whole
 * runs (N iterations against 0) from outside; on QEMU a guest times itself
 * with rdtsc, which TCG derives from the host's TSC.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <guest.h>

/* The value of "key=" in the domain's command line, or dflt. */
static inline unsigned long bench_arg(const char *key, unsigned long dflt)
{
    char k[32];

    snprintk(k, sizeof(k), "%s=", key);
    return guest_arg_u32(k, (uint32_t)dflt);
}

static inline uint64_t bench_rdtsc(void)
{
    uint32_t lo, hi;

    asm volatile ( "rdtsc" : "=a" (lo), "=d" (hi) );
    return ((uint64_t)hi << 32) | lo;
}

static inline void bench_result(const char *key, uint64_t value)
{
    printk("bench %s %llu\n", key, (unsigned long long)value);
}

#endif /* BENCH_BENCH_H */
