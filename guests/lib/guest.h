/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest.h - the runtime every pvx PV guest links: start-of-day state, the
 * console, and XTF-style test reporting.
 *
 * A guest defines
 *     const char test_title[] = "what this guest proves";
 *     void test_main(void);
 * and calls exactly one of test_pass/test_fail/test_skip/test_error (more
 * than one is allowed: the worst wins). The runtime prints the title, runs
 * test_main, prints one "Test result: ..." line and powers the domain off.
 * Nothing printed may depend on the machine (no frame numbers, no times):
 * transcripts from the simulator and from QEMU are compared byte for byte.
 */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <lib/compiler.h>
#include <lib/errno.h>          /* EINVAL & co.: the ABI's error numbers */
#include <lib/format.h>         /* snprintk, vsnprintk */
#include <lib/string.h>         /* memcpy & co. */

#include <public/xen.h>
#include "hypercall.h"

#define PAGE_SHIFT      XEN_PAGE_SHIFT
#define PAGE_SIZE       (1u << PAGE_SHIFT)

/* Start of day: what _start found in esi and esp. */
extern struct start_info *start_info;
extern unsigned long boot_esp;

/* Linker symbols. */
extern char __image_start[], __image_end[], __bss_start[], __bss_end[];

/* Provided by the guest. */
extern const char test_title[];
void test_main(void);

/* Results, from best to worst. */
enum test_status {
    TEST_RUNNING,
    TEST_SUCCESS,
    TEST_SKIP,
    TEST_ERROR,
    TEST_FAILURE,
};

void test_pass(void);
void test_fail(const char *fmt, ...) __printf(1, 2);     /* the test found a bug */
void test_skip(const char *fmt, ...) __printf(1, 2);     /* cannot run here */
void test_error(const char *fmt, ...) __printf(1, 2);    /* the test itself broke */

/* Arguments on the command line ("name.elf key=value flag ..."): a word that
 * starts with a, and the number after key (def when absent). */
bool guest_has_arg(const char *a);
uint32_t guest_arg_u32(const char *key, uint32_t def);

/* Fail the test unless expr (a hypercall, say) returns want. */
#define CHECK_RC(expr, want) do {                                               \
        long rc_ = (expr);                                                      \
        if ( rc_ != (long)(want) )                                              \
            test_fail("%s: %ld (%#lx), expected %ld\n", #expr, rc_, rc_,        \
                      (long)(want));                                            \
    } while ( 0 )

/* Whole-domain exits; they do not return. */
void __noreturn guest_shutdown(unsigned int reason);

/* Write raw bytes on the console: console_io, or the PV console ring a
 * toolstack-built domain has (console_init, at start of day, finds it). */
void console_init(void);
void console_write(const char *buf, size_t len);
/* Formatted output on the console, and a crash of the domain with a message. */
void printk(const char *fmt, ...) __printf(1, 2);
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;

/* Reading the current code segment: the guest's privilege level is cs & 3. */
static inline unsigned int read_cs(void)
{
    unsigned int cs;

    asm volatile ( "mov %%cs, %0" : "=r" (cs) );
    return cs;
}

static inline unsigned int read_ds(void)
{
    unsigned int ds;

    asm volatile ( "mov %%ds, %0" : "=r" (ds) );
    return ds;
}

#endif /* GUEST_GUEST_H */
