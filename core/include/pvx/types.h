/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * types.h - basic types of the core. Freestanding: only the compiler's own
 * headers (stdint, stddef, stdbool, stdarg) are used, never libc's.
 */
#ifndef PVX_TYPES_H
#define PVX_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t;   /* machine (physical) address */
typedef uint32_t mfn_t;     /* machine frame number */
typedef uint32_t pfn_t;     /* guest pseudo-physical frame number */
typedef uint32_t gva_t;     /* guest virtual address: an integer, never a host pointer */

#define PAGE_SHIFT      12
#define PAGE_SIZE       4096u
#define PAGE_MASK       (~(uint32_t)(PAGE_SIZE - 1))
#define PFN_UP(x)       (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define ROUNDUP(x, a)   (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))

#define ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)       ((a) < (b) ? (a) : (b))
#define MAX(a, b)       ((a) > (b) ? (a) : (b))

#define __noreturn      __attribute__((noreturn))
#define __packed        __attribute__((packed))
#define __printf(a, b)  __attribute__((format(printf, a, b)))
#define __unused        __attribute__((unused))
#define always_inline   inline __attribute__((__always_inline__))
#define noinline        __attribute__((__noinline__))
#define likely(x)       __builtin_expect(!!(x), 1)
#define unlikely(x)     __builtin_expect(!!(x), 0)

#endif /* PVX_TYPES_H */
