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
int copy_to_guest(struct vcpu *v, gva_t dst, const void *src, size_t len);

/* Translate one guest virtual address to a machine frame, checking the rights
 * a write (or a read) needs. Returns 0 and sets *mfn, or -EFAULT. */
int guest_walk(struct vcpu *v, gva_t va, bool write, mfn_t *mfn);

#endif /* PVX_GUEST_ACCESS_H */
