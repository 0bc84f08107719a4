/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lib.h - what the core uses instead of libc: memory and string functions,
 * a printf-style formatter, the hypervisor log, assertions and panic.
 */
#ifndef PVX_LIB_H
#define PVX_LIB_H

#include <pvx/types.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/* printf-style formatting: %d %i %u %x %X %o %c %s %p %% with flags "-0 #+",
 * width, precision, * and the length modifiers hh h l ll z t j. Always
 * NUL-terminates (when size > 0); returns the length the full output needs. */
int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap);
int snprintk(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* The hypervisor's log: every line starts with "(pvx) ". */
void printk(const char *fmt, ...) __printf(1, 2);

/* Stop the machine: prints the message and a register-free epitaph, exit 2.
 * For states the hypervisor must never reach - never for guest input. */
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;

/* The last panic message stays in machine.console.epitaph for a debugger. */

#define BUG_ON(cond) \
    do { if ( unlikely(cond) ) panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond); } while ( 0 )
#define BUG() panic("BUG at %s:%d", __FILE__, __LINE__)
/*
 * BUG_ON: what must hold always, whatever the build. ASSERT: what must hold
 * if the hypervisor is correct - the checks a debug build makes (PVX_DEBUG=1,
 * every build of this tree: pvx is a hypervisor to be tested) and a release
 * image leaves out (make PVX_DEBUG=0: the condition is not even evaluated).
 * Neither is ever for something a guest can cause. No #if: the constant
 * decides, and the compiler drops the dead check.
 */
#define ASSERT(cond) \
    do { if ( PVX_DEBUG && unlikely(!(cond)) ) \
             panic("assertion '%s' failed at %s:%d", #cond, __FILE__, __LINE__); } while ( 0 )
/* A switch default or a path no correct hypervisor reaches. */
#define ASSERT_UNREACHABLE() panic("unreachable code reached at %s:%d", __FILE__, __LINE__)

#endif /* PVX_LIB_H */
