/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lib.h - what the core uses instead of libc: the shared lib's memory and
 * string functions and formatter (lib/), and the core's own log, assertions
 * and panic.
 */
#ifndef PVX_LIB_H
#define PVX_LIB_H

#include <lib/format.h>
#include <lib/string.h>
#include <pvx/types.h>

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
