/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * types.h - basic types of the core. Freestanding: only the compiler's own
 * headers (through lib/compiler.h) are used, never libc's.
 */
#ifndef PVX_TYPES_H
#define PVX_TYPES_H

#include <lib/compiler.h>
#include <public/arch-x86/xen-x86_32.h>     /* the page size is the ABI's */

typedef uint64_t paddr_t;   /* machine (physical) address */
typedef uint32_t mfn_t;     /* machine frame number */
typedef uint32_t pfn_t;     /* guest pseudo-physical frame number */
typedef uint32_t gva_t;     /* guest virtual address: an integer, never a host pointer */

#define INVALID_MFN     ((mfn_t)~0u)    /* no machine frame */

#define PAGE_SHIFT      XEN_PAGE_SHIFT
#define PAGE_SIZE       (1u << PAGE_SHIFT)
#define PAGE_MASK       (~(uint32_t)(PAGE_SIZE - 1))
#define PFN_UP(x)       (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)

#endif /* PVX_TYPES_H */
