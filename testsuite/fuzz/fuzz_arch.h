/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_arch.h - the machine under the fuzzer: arch.h over an 8 MiB host
 * buffer that is cheap to reset (only frames the core mapped are zeroed), with
 * arch_shutdown and a hopeless arch_idle turned into a longjmp back to the
 * harness, and a check that an unprivileged domain's entries map no frame of
 * another domain.
 */
#ifndef FUZZ_ARCH_H
#define FUZZ_ARCH_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pvx/arch.h>

#define FUZZ_MEM_FRAMES   2048u         /* 8 MiB */
#define FUZZ_ARCH_FRAMES  0x100u        /* below 1 MiB: the "arch's own", never RAM */
#define FUZZ_MODULE_MFN   0x100u        /* the initial domain's image, outside free RAM */

/* Why the machine stopped: a PVX_EXIT_* status or this. */
#define FUZZ_STOP_IDLE    100           /* idle with no timer armed: nothing will ever run */

extern uint8_t *fuzz_mem;
extern jmp_buf *fuzz_stop_jmp;          /* where arch_shutdown lands (NULL: abort) */
extern int fuzz_stop_status;
extern uint64_t fuzz_now_ns;            /* arch_now_ns(); the harness moves it */
extern uint64_t fuzz_timer;             /* the armed one-shot deadline, 0: none */
extern bool fuzz_trace;                 /* echo the console to stderr */

/* While >= 0: the domain whose entry runs now; mapping a frame another
 * domain owns is an isolation failure (the harness sets it for unprivileged
 * callers only: the privileged one may manage others' memory). */
extern int fuzz_map_domid;

/* Called with every range of frames the core maps (before it can write
 * them), and every range it says it wrote: the refusal check saves them. */
extern void (*fuzz_map_hook)(mfn_t mfn, unsigned int nr);

/* A lazy hypercall entry is running (fuzz_lazy): arch_regs_fill reads fuzz_live. */
extern struct cpu_regs fuzz_live;
extern bool fuzz_lazy;

/* A fresh machine: frames the last run mapped zeroed, console and time reset,
 * the module image written at FUZZ_MODULE_MFN. */
void fuzz_machine_reset(const void *image, size_t len);
void fuzz_boot_info(struct boot_info *bi, size_t image_len, const char *mod_cmdline,
                    const char *hv_cmdline);

/* The console so far (the last 16 KiB): printed when a run fails. */
const char *fuzz_console(void);

/* Report a failure with the console, then abort(): libFuzzer saves the input. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif /* FUZZ_ARCH_H */
