/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * work.c - the lmbench-like workloads (paper §4.1, Table 3) as ring-3
 * programs of the workload kernel, and the driver that runs and times them.
 *
 * Each workload prints one line
 *     eval NAME ops=N cycles=C sum=S
 * C: TSC cycles of the timed part (the whole run from entering ring 3 to the
 * last exit, except pf: the faulting loop alone); S: the checksum of its
 * work, checked against what the work must give (a broken run fails, it
 * cannot look fast), and the same on both backends.
 *
 * Arguments: scale=P (percent of the default counts, 0: the boot alone, the
 * simulator's baseline), only=NAME (repeatable: run just these), skew=K
 * (expect checksums off by K: the driver's proof that the check bites).
 */
#include "kernel.h"

_Static_assert(SYS_SIGACTION == 6 && SYS_KILL == 7 && SYS_SIGRETURN == 8, "user.S's numbers");
_Static_assert(KUSER_RO_VA == 0x40000000 + 23 * 4096, "user.S's read-only page");

const char test_title[] = "eval: lmbench-like workloads on ring-3 processes, one kernel on two backends";

#define USYS(nr, a, b) ({                                                   \
    uint32_t r_;                                                            \
    asm volatile ( "int $0x80" : "=a" (r_) : "a" (nr), "b" (a), "c" (b)     \
                   : "memory" );                                            \
    r_;                                                                     \
})

#define MMAP_PAGES  32

/* What the page-fault loop measured itself (ring 3 reads the TSC). */
static volatile uint64_t u_cycles __user_data;

unsigned long u_prot(unsigned long n);
unsigned long u_sig(unsigned long n);

/* lat_syscall null: n calls, each returning its argument + 1. */
static unsigned long __user_text u_null(unsigned long n)
{
    uint32_t s = 0;

    for ( uint32_t i = 0; i < n; i++ )
        s += USYS(SYS_NULL, i, 0);
    return s;
}

/* The child of fork: writes its three data pages. */
static unsigned long __user_text u_child(unsigned long arg)
{
    uint32_t s = 0;

    for ( uint32_t p = 0; p < 3; p++ )
    {
        volatile uint32_t *w = (volatile uint32_t *)(unsigned long)(KUSER_DATA_VA + p * KPAGE_SIZE);

        *w = arg + p;
        s += *w;
    }
    return s;
}

/* lat_proc fork: n times a fresh address space, a process run in it to its
 * exit, and the address space torn down. */
static unsigned long __user_text u_fork(unsigned long n)
{
    uint32_t s = 0;

    for ( uint32_t i = 0; i < n; i++ )
        s += USYS(SYS_SPAWN, (uint32_t)(unsigned long)u_child, i);
    return s;
}

/* lat_ctx: arg = n | working set KiB << 20 | seed << 27. Each round sums
 * one word per 64-byte line of the working set, then yields. */
static unsigned long __user_text u_ctx(unsigned long arg)
{
    uint32_t n = arg & 0xfffff, lines = ((arg >> 20) & 0x7f) * 16, seed = arg >> 27;
    volatile uint32_t *ws = (volatile uint32_t *)(unsigned long)KUSER_DATA_VA;
    uint32_t s = 0;

    for ( uint32_t l = 0; l < lines; l++ )
        ws[l * 16] = seed * 7 + l * 16;
    for ( uint32_t i = 0; i < n; i++ )
    {
        for ( uint32_t l = 0; l < lines; l++ )
            s += ws[l * 16];
        USYS(SYS_YIELD, 0, 0);
    }
    return s;
}

/* Page faults: rounds of touching every page of the region (each a demand
 * fault), then unmapping it; only the touching is timed. */
static unsigned long __user_text u_pf(unsigned long rounds)
{
    uint32_t s = 0;

    for ( uint32_t r = 0; r < rounds; r++ )
    {
        uint32_t lo0, hi0, lo1, hi1;

        asm volatile ( "rdtsc" : "=a" (lo0), "=d" (hi0) );
        for ( uint32_t k = 0; k < KUSER_REGION_PAGES; k++ )
        {
            volatile uint32_t *w = (volatile uint32_t *)(unsigned long)(KUSER_REGION_VA + k * KPAGE_SIZE);

            *w = r + k;
            s += *w;
        }
        asm volatile ( "rdtsc" : "=a" (lo1), "=d" (hi1) );
        u_cycles += (((uint64_t)hi1 << 32) | lo1) - (((uint64_t)hi0 << 32) | lo0);
        USYS(SYS_MUNMAP, KUSER_REGION_VA, KUSER_REGION_PAGES);
    }
    return s;
}

/* lat_mmap: map 32 pages, touch each, unmap them. */
static unsigned long __user_text u_mmap(unsigned long n)
{
    uint32_t s = 0;

    for ( uint32_t i = 0; i < n; i++ )
    {
        if ( USYS(SYS_MMAP, KUSER_REGION_VA, MMAP_PAGES) )
            return 0;
        for ( uint32_t k = 0; k < MMAP_PAGES; k++ )
        {
            volatile uint32_t *w = (volatile uint32_t *)(unsigned long)(KUSER_REGION_VA + k * KPAGE_SIZE);

            *w = i + k;
            s += *w;
        }
        USYS(SYS_MUNMAP, KUSER_REGION_VA, MMAP_PAGES);
    }
    return s;
}

/* A pipe's two ends: arg = n | peer << 24 | role << 31. The first sends i
 * and receives 3i + 1; the second returns what it got, times 3, plus 1. */
static unsigned long __user_text u_pipe(unsigned long arg)
{
    uint32_t n = arg & 0xffffff, peer = (arg >> 24) & 0x7f, s = 0;

    for ( uint32_t i = 0; i < n; i++ )
    {
        if ( !(arg >> 31) )
        {
            s += USYS(SYS_SEND, i, peer) ? 0x80000000u : 0;
            s += USYS(SYS_RECV, 0, 0);
        }
        else
        {
            uint32_t x = USYS(SYS_RECV, 0, 0);

            s += x;
            s += USYS(SYS_SEND, 3 * x + 1, peer) ? 0x80000000u : 0;
        }
    }
    return s;
}

/* --- the driver ---------------------------------------------------------- */

static uint32_t scale, skew;

static uint32_t count(uint32_t full)
{
    return (uint32_t)((uint64_t)full * scale / 100);
}

static bool wanted(const char *name)
{
    char key[48];

    if ( !guest_has_arg("only=") )
        return true;
    snprintk(key, sizeof(key), "only=%s", name);
    return guest_has_arg(key);      /* no name is the beginning of another */
}

static void create(kprog_t prog, unsigned long arg, unsigned int pages, bool ro)
{
    if ( proc_create(prog, arg, pages, ro) < 0 )
        panic("proc_create failed");
}

static void report(const char *name, uint32_t ops, uint64_t cycles, uint32_t sum, uint32_t expect)
{
    printk("eval %s ops=%u cycles=%llu sum=%u faults=%lu switches=%lu notifies=%lu\n", name, ops,
           (unsigned long long)cycles, sum, proc_faults, proc_switches, proc_notifies);
    expect += skew;
    if ( sum != expect )
        test_fail("%s: checksum %u, expected %u\n", name, sum, expect);
}

/* Create, time the run, report. */
#define RUN(name, ops, expect, ...) do {                                    \
        uint64_t t0_;                                                       \
        uint32_t sum_;                                                      \
                                                                            \
        __VA_ARGS__;                                                        \
        t0_ = krdtsc();                                                     \
        sum_ = proc_run_all();                                              \
        report(name, ops, krdtsc() - t0_, sum_, expect);                    \
    } while ( 0 )

static void run_ctx(unsigned int procs, unsigned int kib, uint32_t n)
{
    char name[32];
    uint32_t lines = kib * 16, expect = 0;

    snprintk(name, sizeof(name), "ctx_%up_%uk", procs, kib);
    if ( !wanted(name) )
        return;
    for ( uint32_t seed = 0; seed < procs; seed++ )
        expect += n * (lines * seed * 7 + 16 * (lines * (lines - (lines ? 1 : 0)) / 2));
    RUN(name, procs * n, expect,
        for ( uint32_t seed = 0; seed < procs; seed++ )
            create(u_ctx, n | (kib << 20) | (seed << 27), 1 + kib / 4, false));
}

void test_main(void)
{
    static const unsigned int ctx_procs[] = { 1, 2, 8, 16 }, ctx_kib[] = { 0, 16, 64 };
    uint32_t n, expect, sum;

    scale = guest_arg_u32("scale=", 100);
    skew = guest_arg_u32("skew=", 0);
    proc_init();
    printk("eval backend %s scale %u\n", ops_backend, scale);

    if ( wanted("null") )
    {
        n = count(20000);
        RUN("null", n, (uint32_t)((uint64_t)n * (n + 1) / 2), create(u_null, n, 1, false));
    }
    if ( wanted("fork") )
    {
        n = count(400);
        expect = 0;
        for ( uint32_t i = 0; i < n; i++ )
            expect += 3 * i + 3;
        RUN("fork", n, expect, create(u_fork, n, 1, false));
    }
    for ( unsigned int k = 0; k < ARRAY_SIZE(ctx_kib); k++ )
        for ( unsigned int p = 0; p < ARRAY_SIZE(ctx_procs); p++ )
            run_ctx(ctx_procs[p], ctx_kib[k], count(4000 / (ctx_procs[p] > 1 ? ctx_procs[p] : 2)));
    if ( wanted("pf") )
    {
        uint32_t rounds = count(16);

        expect = 0;
        for ( uint32_t r = 0; r < rounds; r++ )
            for ( uint32_t k = 0; k < KUSER_REGION_PAGES; k++ )
                expect += r + k;
        u_cycles = 0;
        create(u_pf, rounds, 1, false);
        sum = proc_run_all();
        report("pf", rounds * KUSER_REGION_PAGES, u_cycles, sum, expect);
    }
    if ( wanted("mmap") )
    {
        n = count(300);
        expect = 0;
        for ( uint32_t i = 0; i < n; i++ )
            for ( uint32_t k = 0; k < MMAP_PAGES; k++ )
                expect += i + k;
        RUN("mmap", n, expect, create(u_mmap, n, 1, false));
    }
    if ( wanted("prot") )
    {
        n = count(5000);
        RUN("prot", n, n * KUSER_RO_VA, create(u_prot, n, 1, true));
    }
    if ( wanted("sig") )
    {
        n = count(5000);
        RUN("sig", n, (uint32_t)((uint64_t)n * (n + 1) / 2), create(u_sig, n, 1, false));
    }
    if ( wanted("pipe") )
    {
        n = count(2000);
        expect = 0;
        for ( uint32_t i = 0; i < n; i++ )
            expect += 4 * i + 1;
        RUN("pipe", n, expect,
            create(u_pipe, n | (1u << 24), 1, false);
            create(u_pipe, n | (0u << 24) | (1u << 31), 1, false));
    }
    test_pass();
}
