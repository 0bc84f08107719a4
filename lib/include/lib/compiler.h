/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lib/compiler.h - what freestanding C in pvx takes from the compiler: its
 * own headers (never libc's), attributes and the small generic macros.
 * Shared by the core, arch-x86 and the guests (lib/ is the one library all
 * of them may use; docs/architecture.md).
 */
#ifndef LIB_COMPILER_H
#define LIB_COMPILER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)       ((a) < (b) ? (a) : (b))
#define MAX(a, b)       ((a) > (b) ? (a) : (b))
#define ROUNDUP(x, a)   (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))

#define __noreturn      __attribute__((noreturn))
#define __packed        __attribute__((packed))
#define __printf(a, b)  __attribute__((format(printf, a, b)))
#define __unused        __attribute__((unused))
#define always_inline   inline __attribute__((__always_inline__))
#define noinline        __attribute__((__noinline__))
#define likely(x)       __builtin_expect(!!(x), 1)
#define unlikely(x)     __builtin_expect(!!(x), 0)

#endif /* LIB_COMPILER_H */
