/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mm.c - page-table helpers for PV guests (see mm.h).
 */
#include "guest.h"
#include "mm.h"


static struct mmu_update batch[MM_BATCH_MAX];
static unsigned int batch_nr;
static unsigned long batch_calls;
static uint32_t next_free_pfn;

uint32_t mm_pfn_to_mfn(uint32_t pfn)
{
    return ((const uint32_t *)start_info->mfn_list)[pfn];
}

uint32_t mm_alloc_pfn(void)
{
    if ( !next_free_pfn )
        next_free_pfn = start_info->nr_pages;
    return --next_free_pfn;
}

unsigned long mm_mfn_to_va(uint32_t mfn)
{
    for ( uint32_t pfn = 0; pfn < start_info->nr_pages; pfn++ )
        if ( mm_pfn_to_mfn(pfn) == mfn )
            return (unsigned long)pfn << 12;    /* virtual base 0: va = pfn * 4 KiB */
    return 0;
}

long mm_batch_flush(void)
{
    unsigned int done = 0;
    long rc;

    if ( !batch_nr )
        return 0;
    rc = HYPERVISOR_mmu_update(batch, batch_nr, &done, DOMID_SELF);
    batch_calls++;
    if ( !rc && done != batch_nr )
        rc = -XEN_EINVAL;
    batch_nr = 0;
    return rc;
}

unsigned long mm_batch_hypercalls(void)
{
    return batch_calls;
}

void mm_batch_add(uint64_t ptr, uint64_t val)
{
    if ( batch_nr == MM_BATCH_MAX )
        (void)mm_batch_flush();
    batch[batch_nr++] = (struct mmu_update){ .ptr = ptr, .val = val };
}

long mm_ext(unsigned int cmd, uint32_t arg1, uint32_t arg2)
{
    struct mmuext_op op = { .cmd = cmd, .arg1.mfn = arg1, .arg2.nr_ents = arg2 };

    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

long mm_pin(unsigned int cmd, uint32_t mfn)
{
    return mm_ext(cmd, mfn, 0);
}

static uint64_t ma(uint32_t mfn, unsigned int slot)
{
    return ((uint64_t)mfn << 12) + slot * 8;
}

int mm_as_init(struct mm_as *as, uint32_t user_va, unsigned int nr_user)
{
    if ( nr_user > 64 || l3_table_offset(user_va) == 0 || l3_table_offset(user_va) == 3 )
        return -XEN_EINVAL;
    as->user_va = user_va;
    as->nr_user = nr_user;
    as->l3 = mm_pfn_to_mfn(mm_alloc_pfn());
    for ( unsigned int i = 0; i < 4; i++ )
        as->l2[i] = mm_pfn_to_mfn(mm_alloc_pfn());
    as->user_l1 = mm_pfn_to_mfn(mm_alloc_pfn());
    for ( unsigned int i = 0; i < nr_user; i++ )
        as->user_mfn[i] = mm_pfn_to_mfn(mm_alloc_pfn());
    return 0;
}

/* The kernel's part: the initial L2 of slot 0, shared L1s and all. */
static const volatile uint64_t *kernel_l2(void)
{
    const volatile uint64_t *l3 = (const volatile uint64_t *)start_info->pt_base;

    return (const volatile uint64_t *)mm_mfn_to_va((uint32_t)((l3[0] & PTE_ADDR_MASK) >> 12));
}

long mm_as_build(struct mm_as *as)
{
    const volatile uint64_t *k = kernel_l2();
    unsigned int us = l3_table_offset(as->user_va), i;
    long rc;

    if ( !k )
        return -XEN_EINVAL;
    /* The tables are untyped frames: mmu_update writes them as plain memory. */
    for ( i = 0; i < 512; i++ )
        mm_batch_add(ma(as->l2[0], i), k[i]);
    for ( i = 0; i < 512; i++ )
        mm_batch_add(ma(as->user_l1, i), i < as->nr_user ?
                     ((uint64_t)as->user_mfn[i] << 12) | 0x67 : 0);
    mm_batch_add(ma(as->l2[us], l2_table_offset(as->user_va)),
                 ((uint64_t)as->user_l1 << 12) | 0x67);
    for ( i = 0; i < 4; i++ )
        mm_batch_add(ma(as->l3, i), ((uint64_t)as->l2[i] << 12) | _PAGE_PRESENT);
    rc = mm_batch_flush();
    if ( rc )
        return rc;
    return mm_pin(MMUEXT_PIN_L3_TABLE, as->l3);
}

long mm_as_switch(const struct mm_as *as)
{
    return mm_ext(MMUEXT_NEW_BASEPTR, as->l3, 0);
}

long mm_as_switch_back(void)
{
    const volatile uint32_t *p2m = (const volatile uint32_t *)start_info->mfn_list;

    return mm_ext(MMUEXT_NEW_BASEPTR, p2m[start_info->pt_base >> 12], 0);
}

long mm_as_teardown(struct mm_as *as)
{
    return mm_pin(MMUEXT_UNPIN_TABLE, as->l3);
}
