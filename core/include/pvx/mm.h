/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mm.h - the page-frame type system and the hypercalls that change page
 * tables: mmu_update, mmuext_op, update_va_mapping (core/mm/types.c), memory_op
 * reservations (core/mm/memory.c) and multicall (core/multicall.c).
 *
 * The rules, and the tests that prove each, are in docs/memory.md.
 */
#ifndef PVX_MM_H
#define PVX_MM_H

#include <pvx/frame.h>
#include <pvx/types.h>

struct domain;
struct vcpu;

/* A preempted mmu_update/mmuext_op carries this bit in its count argument:
 * the done count so far is then read back from pdone (Xen's encoding). */
#define MMU_UPDATE_PREEMPTED    0x80000000u

/* memory_op: cmd = op | (start_extent << MEMOP_EXTENT_SHIFT) on a continuation. */
#define MEMOP_EXTENT_SHIFT      6
#define MEMOP_CMD_MASK          ((1u << MEMOP_EXTENT_SHIFT) - 1)

/* Work units (requests, table entries validated or released) one hypercall
 * may spend before it stops at the next request and continues later: the
 * bound on how long any mm hypercall holds the CPU. */
#define MM_WORK_BUDGET          1024u

/* Entries a 32-bit PAE guest owns in each table level. */
#define L1_ENTRIES              512u
#define L2_ENTRIES              512u
#define L3_ENTRIES              4u      /* only the PDPT's four count */

/* Flags a guest may set (the rest are reserved or the hypervisor's). PAE
 * PDPTEs take only P, PWT and PCD (and the bits the CPU ignores). */
#define MM_AVAIL_BITS           0xe00ull
#define MM_L1_ALLOWED           (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | \
                                 _PAGE_DIRTY | _PAGE_GLOBAL | MM_AVAIL_BITS)
#define MM_L1_CACHE_BITS        (_PAGE_PWT | _PAGE_PCD | 0x080ull)   /* + PAT: privileged only */
#define MM_L2_ALLOWED           (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | \
                                 _PAGE_DIRTY | MM_AVAIL_BITS)
/* A 32-bit guest's L3 takes what Xen allows there (XSA-286: P, RW, US, A,
 * D and the ignored bits); the CPU never loads it, but a copy with the
 * address and P only, which is all a PAE PDPTE may hold (mm_vcpu_pdpt). */
#define MM_L3_ALLOWED           (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | \
                                 _PAGE_DIRTY | MM_AVAIL_BITS)
/* What a PDPTE the CPU loads may hold besides the address: the rest is
 * reserved, and a set reserved bit faults the CR3 load (in ring 0). */
#define MM_PDPTE_ALLOWED        (_PAGE_PRESENT | _PAGE_PWT | _PAGE_PCD | MM_AVAIL_BITS)

/* At boot, after frame_init: the frames that hold every vCPU's PDPT. */
void mm_init(void);
/* The machine address of the PDPT the CPU loads for v: its cr3's four
 * entries with the address and P only. */
paddr_t mm_vcpu_pdpt(const struct vcpu *v);

/* Take / drop a general reference on a frame d owns: false if d does not own it. */
bool mm_get_ref(struct domain *d, mfn_t mfn);
void mm_put_ref(mfn_t mfn);

/* Take a type reference: validates a page table when it takes the type.
 * xen_l2 asks for the L2 under L3 slot 3. 0 or -errno, nothing changed. */
int mm_get_type(struct domain *d, mfn_t mfn, enum frame_type type, bool xen_l2);
void mm_put_type(mfn_t mfn);

/* MMUEXT_NEW_BASEPTR for v: validate mfn as an L3, make it v's cr3. 0 or
 * -errno, nothing changed. */
int mm_new_baseptr(struct vcpu *v, mfn_t mfn);

/* The builder's last step: type the initial L3 (validating every table
 * under it), pin it and make it vCPU 0's cr3, as Xen's builder leaves it. */
int mm_build_initial(struct domain *d, mfn_t l3);

/* Drop every reference a dying domain holds on its frames (cr3s, pins,
 * allocation references): its frames are freed as their counts reach 0. */
void mm_relinquish(struct domain *d);

/* A page flip's halves (mm/transfer.c). Take d's frame mfn for the
 * hypervisor: only a frame nothing but d's allocation reference names (no
 * mapping, type, pin; not shared). 0 and its pfn from the M2P (the frame
 * leaves d's reservation), or -EINVAL with nothing changed. */
int mm_steal_frame(struct domain *d, mfn_t mfn, uint32_t *pfn);
/* Give the hypervisor's frame mfn (no references) to d at pfn: allocated,
 * untyped, in the M2P and d's reservation. */
void mm_assign_frame(struct domain *d, mfn_t mfn, uint32_t pfn);

/* Whether an entry of a table of this level and slot is the guest's to write. */
bool mm_is_guest_l2_slot(const struct frame *l2, unsigned int slot);

long do_mmu_update(struct vcpu *v, uint32_t ureqs, uint32_t count, uint32_t pdone,
                   uint32_t foreigndom, uint32_t a5);
long do_mmuext_op(struct vcpu *v, uint32_t uops, uint32_t count, uint32_t pdone,
                  uint32_t foreigndom, uint32_t a5);
long do_update_va_mapping(struct vcpu *v, uint32_t va, uint32_t lo, uint32_t hi,
                          uint32_t flags, uint32_t a5);
long do_memory_op(struct vcpu *v, uint32_t cmd, uint32_t arg, uint32_t a3,
                  uint32_t a4, uint32_t a5);
long do_multicall(struct vcpu *v, uint32_t call_list, uint32_t nr_calls, uint32_t a3,
                  uint32_t a4, uint32_t a5);

#endif /* PVX_MM_H */
