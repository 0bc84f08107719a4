/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mm.h - page tables for PV guests: frames, batched mmu_update (up to 2048
 * requests per hypercall, as XenLinux batches), and address spaces for a
 * ring-3 process built from the guest's own frames.
 */
#ifndef GUEST_MM_H
#define GUEST_MM_H

#include <stdint.h>
#include <public/xen.h>
#include <public/arch-x86/page.h>

/* The first L2 slot of the hypervisor's part of every address space. */
#define MM_HYP_FIRST_L2_SLOT    l2_table_offset(HYPERVISOR_VIRT_START)

#define MM_BATCH_MAX 2048

/* The machine frame of a pseudo-physical one (the p2m list). */
uint32_t mm_pfn_to_mfn(uint32_t pfn);
/* A frame of ours that nothing maps: from the top of memory down. */
uint32_t mm_alloc_pfn(void);
/* The guest virtual address of a frame in the initial mapping (0 if none). */
unsigned long mm_mfn_to_va(uint32_t mfn);

/* A queue of mmu_update requests, flushed when full or by mm_batch_flush. */
void mm_batch_add(uint64_t ptr, uint64_t val);
long mm_batch_flush(void);          /* 0, or the first error (all queued are dropped) */
unsigned long mm_batch_hypercalls(void);    /* mmu_update calls made so far */

/* An address space: the kernel's mappings (shared L1s) plus nr_user pages
 * of fresh frames at user_va (a separate L3 slot), mapped P|RW|US. */
struct mm_as {
    uint32_t l3, l2[4], user_l1;     /* machine frames */
    uint32_t user_va;
    unsigned int nr_user;
    uint32_t user_mfn[64];
};

/* Frames are taken once (mm_as_init) and reused by every build. */
int mm_as_init(struct mm_as *as, uint32_t user_va, unsigned int nr_user);
long mm_as_build(struct mm_as *as);     /* write the tables, pin the L3 */
long mm_as_switch(const struct mm_as *as);  /* NEW_BASEPTR to it */
long mm_as_switch_back(void);           /* to the initial L3 */
long mm_as_teardown(struct mm_as *as);  /* unpin; its tables lose their type */

long mm_pin(unsigned int cmd, uint32_t mfn);
long mm_ext(unsigned int cmd, uint32_t arg1, uint32_t arg2);

#endif /* GUEST_MM_H */
