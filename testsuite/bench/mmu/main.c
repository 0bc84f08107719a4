/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench-mmu - mmu_update cost per entry against the batch size: r rounds,
 * each remapping all 2048 entries of four pinned L1 tables, b requests per
 * hypercall. Every request is a validated update of a typed table (the new
 * frame's writable reference taken, the old one's dropped): the work that
 * batching spreads the trap cost over (paper §4.2).
 *
 *   b=B   requests per mmu_update call (1 .. 2048; 2048 crosses one
 *         continuation, as MM_WORK_BUDGET is 1024)
 *   r=R   rounds (0 for the simulator's baseline run)
 *
 * Prints "bench mmu_tsc C" (TSC cycles of the rounds) and "bench entries E".
 */
#include "../bench.h"
#include <mm.h>

#define NR_L1       4
#define NR_ENTRIES  (NR_L1 * 512)

const char test_title[] = "bench-mmu: mmu_update per entry against batch size";

/* Two request lists, for even and odd rounds: every round changes every entry. */
static struct mmu_update reqs[2][NR_ENTRIES];

static uint64_t pte_ma(uint32_t mfn, unsigned int slot)
{
    return ((uint64_t)mfn << 12) + slot * 8;
}

static long submit(const struct mmu_update *r, unsigned int count)
{
    unsigned int done = 0;
    long rc = HYPERVISOR_mmu_update(r, count, &done, DOMID_SELF);

    if ( !rc && done != count )
        rc = -XEN_EINVAL;
    return rc;
}

void test_main(void)
{
    unsigned long b = bench_arg("b", 1), rounds = bench_arg("r", 0);
    uint32_t l1[NR_L1], page[2];
    uint64_t t0, t1;
    unsigned long round, off;
    unsigned int i;
    long rc;

    if ( b == 0 || b > NR_ENTRIES || NR_ENTRIES % b )
        return test_error("b=%lu must divide %u\n", b, NR_ENTRIES);
    for ( i = 0; i < NR_L1; i++ )
        l1[i] = mm_pfn_to_mfn(mm_alloc_pfn());
    for ( i = 0; i < 2; i++ )
        page[i] = mm_pfn_to_mfn(mm_alloc_pfn());

    /* Fresh frames may hold anything: clear them as plain memory, then pin. */
    for ( i = 0; i < NR_ENTRIES; i++ )
        reqs[0][i] = (struct mmu_update){ pte_ma(l1[i / 512], i % 512), 0 };
    if ( (rc = submit(reqs[0], NR_ENTRIES)) )
        return test_error("clearing the L1s: %ld\n", rc);
    for ( i = 0; i < NR_L1; i++ )
        if ( (rc = mm_pin(MMUEXT_PIN_L1_TABLE, l1[i])) )
            return test_error("pin L1: %ld\n", rc);

    for ( i = 0; i < NR_ENTRIES; i++ )
    {
        uint64_t ptr = pte_ma(l1[i / 512], i % 512) | MMU_NORMAL_PT_UPDATE;

        reqs[0][i] = (struct mmu_update){ ptr, ((uint64_t)page[i & 1] << 12) | 0x67 };
        reqs[1][i] = (struct mmu_update){ ptr, ((uint64_t)page[~i & 1] << 12) | 0x67 };
    }

    t0 = bench_rdtsc();
    for ( round = 0; round < rounds; round++ )
        for ( off = 0; off < NR_ENTRIES; off += b )
            if ( (rc = submit(&reqs[round & 1][off], b)) )
                return test_fail("mmu_update round %lu at %lu: %ld\n", round, off, rc);
    t1 = bench_rdtsc();
    bench_result("mmu_tsc", t1 - t0);
    bench_result("entries", (uint64_t)rounds * NR_ENTRIES);

    for ( i = 0; i < NR_L1; i++ )
        if ( (rc = mm_pin(MMUEXT_UNPIN_TABLE, l1[i])) )
            return test_fail("unpin L1: %ld\n", rc);
    test_pass();
}
