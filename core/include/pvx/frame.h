/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * frame.h - the machine frame table and the frame allocator.
 *
 * One struct frame per machine frame: who owns it and what it is used as.
 * The type system on top of it (core/mm/types.c, docs/memory.md):
 *
 *   ref_count   every reference: 1 while the owner holds it (FRAME_F_ALLOCATED),
 *               +1 per present entry of a validated table naming it, per pin,
 *               per vCPU whose cr3 it is. The frame is freed when it reaches 0.
 *   type_count  the references that need the type: writable L1 entries
 *               (FRAME_WRITABLE), L2 entries (FRAME_L1), L3 entries (FRAME_L2),
 *               pins and cr3s. The type changes only while it is 0, and a page
 *               table is validated when it takes its type and devalidated
 *               (its entries' references dropped) when the count returns to 0.
 */
#ifndef PVX_FRAME_H
#define PVX_FRAME_H

#include <pvx/arch.h>
#include <pvx/machine.h>
#include <pvx/types.h>

struct boot_info;

#define DOMID_FREE      0x7ff0u     /* in the free pool */
#define DOMID_XEN_OWN   0x7ff2u     /* the hypervisor's own (frame table, M2P, ...) */
#define DOMID_IO_OWN    0x7ff1u     /* not RAM, or reserved by the machine */

enum frame_type {
    FRAME_NONE = 0,
    FRAME_WRITABLE,
    FRAME_L1,
    FRAME_L2,
    FRAME_L3,
    FRAME_SEG_DESC,
};

struct frame {
    uint16_t owner;             /* domid, DOMID_FREE, DOMID_XEN_OWN or DOMID_IO_OWN */
    uint8_t type;               /* enum frame_type */
    uint8_t flags;
    uint32_t type_count;        /* references that need the type */
    uint32_t ref_count;         /* all references */
    uint32_t tlbflush_stamp;    /* mm's flush epoch when a mapping of it was last dropped */
    uint32_t audit_refs;        /* scratch of the audit: recomputed counts */
    uint32_t audit_types;
    /* A validated table: bit g (g % 32 of word g / 32) set for each group
     * of 8 slots (g*8..g*8+7) that may hold a present entry - every group
     * that does, maybe more. Set when the table is validated, grown by each
     * entry written; freeing the table visits only these groups (mm/types.c). */
    uint32_t present[2];
};
_Static_assert(sizeof(struct frame) == 32, "a power of two: frame_of() is a shift");

#define FRAME_F_PINNED     0x01
#define FRAME_F_VALIDATED  0x02
#define FRAME_F_XEN_L2     0x04 /* the L2 under L3 slot 3: carries the hypervisor's slots */
#define FRAME_F_ALLOCATED  0x08 /* the owner's own reference (a domain frame not given back) */
#define FRAME_F_AUDIT_SEEN 0x10 /* the audit walked this table already */
/* A page of the hypervisor's given to its owner to share (shared_info, grant
 * table frames): outside the reservation (not in tot_pages), never given
 * back by the guest, never a page table or descriptor frame (the hypervisor
 * writes it unvalidated). Freed with the domain. */
#define FRAME_F_XEN_SHARED 0x20

/* A real domain (not one of the DOMID_* pseudo owners above). */
#define frame_owner_is_domain(f) ((f)->owner < DOMID_FREE)

/* Set up the frame table, the allocator and the M2P from the boot memory map. */
int frame_init(const struct boot_info *bi);


/* NULL if mfn is not a machine frame we know. Inline: every page-table
 * entry validated looks up two or three frames. */
static inline struct frame *frame_of(mfn_t mfn)
{
    return mfn < machine.frame.max_mfn ? &machine.frame.table[mfn] : NULL;
}

/*
 * A walk of the guest's tables remembered (guest_access.c) read only
 * present entries of validated tables, which change only through the core.
 * Each change that can make one wrong calls this, making all of them stale:
 * a present entry replaced or removed (mm/types.h's mod_entry, mm/mmu.c's
 * foreign L1 entries), a table losing its type (the guest may write it
 * then), a frame freed or allocated (its owner changes).
 */
static inline void frame_walks_stale(void)
{
    if ( ++machine.mm.walk_gen == 0 )
    {
        for ( unsigned int i = 0; i < MM_WALK_CACHE; i++ )
            machine.mm.walk[i].gen = 0;
        machine.mm.walk_gen = 1;
    }
}

mfn_t frame_max_mfn(void);              /* one past the highest machine frame */
unsigned int frame_free_count(void);

/* Allocate one zeroed frame for owner; INVALID_MFN when none is left. A
 * frame for a domain starts with its allocation reference (ref_count 1,
 * FRAME_F_ALLOCATED) and no type. */
mfn_t frame_alloc(uint16_t owner);
/* The same, from the frames below limit only (a guest's address_bits). */
mfn_t frame_alloc_below(uint16_t owner, mfn_t limit);
/* Allocate nr physically contiguous zeroed frames; INVALID_MFN when none. */
mfn_t frame_alloc_contig(uint16_t owner, unsigned int nr);
void frame_free(mfn_t mfn);

/* The machine-to-physical table (read-only at RO_MPT_VIRT_START for guests). */
void m2p_set(mfn_t mfn, uint32_t pfn);
uint32_t m2p_get(mfn_t mfn);
#define M2P_INVALID 0xffffffffu

/* Fill L2 slots HYP_FIRST_L2_SLOT.. 511 of an L2 with the hypervisor's
 * mappings: the core's M2P slots, then the arch's. */
void frame_fill_xen_l2(uint64_t *l2);

/* Read or write guest-visible machine memory at a machine address. Inline:
 * one page-table update maps its table once and the call is on that path. */
static inline void *frame_map(mfn_t mfn)
{
    if ( likely(mfn < arch_direct_map.frames) )
        return (void *)(arch_direct_map.base + ((uintptr_t)mfn << PAGE_SHIFT));
    return arch_map_frames(mfn, 1);
}

static inline void frame_unmap(void *va)
{
    if ( likely((uintptr_t)va - arch_direct_map.base <
                (uintptr_t)arch_direct_map.frames << PAGE_SHIFT) )
        return;
    arch_unmap_frames(va, 1);
}

#endif /* PVX_FRAME_H */
