/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_access.h - reading and writing guest virtual memory.
 *
 * The core walks the guest's own page tables in software (identical on both
 * machines) with the rights of the guest kernel: a page must be present, and
 * writable for a write, it must belong to the domain, and nothing at or above
 * HYPERVISOR_VIRT_START is reachable. Anything else is -EFAULT.
 */
#ifndef PVX_GUEST_ACCESS_H
#define PVX_GUEST_ACCESS_H

#include <pvx/types.h>

struct vcpu;

int copy_from_guest(struct vcpu *v, void *dst, gva_t src, size_t len);
/* All or nothing: a copy to the guest that fails wrote nothing. */
int copy_to_guest(struct vcpu *v, gva_t dst, const void *src, size_t len);

/*
 * Validate, then perform: a handler that writes its result after it changed
 * state first checks that the write will go through (0 or -EFAULT, the copy
 * functions' checks and fault-injection site, nothing copied), then after
 * the change writes with copy_to_guest_probed, which cannot fail as long as
 * nothing in between changed the guest's page tables.
 */
int guest_probe(struct vcpu *v, gva_t va, size_t len, bool write);
void copy_to_guest_probed(struct vcpu *v, gva_t dst, const void *src, size_t len);
void copy_from_guest_probed(struct vcpu *v, void *dst, gva_t src, size_t len);

/* Translate one guest virtual address to a machine frame, checking the rights
 * a write (or a read) needs. Returns 0 and sets *mfn, or -EFAULT. */
int guest_walk(struct vcpu *v, gva_t va, bool write, mfn_t *mfn);

/* Map the guest page holding va for reading, with copy_from_guest's checks
 * (and its fault-injection site). Returns the host address of va, or NULL
 * for -EFAULT; frame_unmap(guest_page_base(p)) when done. For arrays a
 * hypercall walks element by element (mmu_update): one walk per page. */
const void *guest_map_ro(struct vcpu *v, gva_t va);
#define guest_page_base(p) ((void *)((uintptr_t)(p) & ~(uintptr_t)(PAGE_SIZE - 1)))

#endif /* PVX_GUEST_ACCESS_H */
