/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fpu.h - FPU, MMX and SSE registers loaded with values a test recognises,
 * and checked with fxsave (nothing is changed by a check).
 *
 * Every value carries the seed in its top byte, so a check tells its own
 * registers from another domain's (a different seed), from cleared ones (0)
 * and from anything else. The x87 stack and MMX share registers: a load
 * fills one or the other (mmx), XMM0-7, the control word and MXCSR always.
 */
#ifndef GUEST_FPU_H
#define GUEST_FPU_H

#include <stdbool.h>
#include <stdint.h>

/* fxsave's image (32-bit format). */
struct guest_fxsave {
    uint16_t fcw, fsw;
    uint8_t ftw, _r0;
    uint16_t fop;
    uint32_t fip, fcs, fdp, fds;
    uint32_t mxcsr, mxcsr_mask;
    uint8_t st[8][16];
    uint8_t xmm[8][16];
    uint8_t _r1[224];
} __attribute__((aligned(16)));

void fpu_save(struct guest_fxsave *s);

/* Load and check XMM and MXCSR too (default). Off, only the x87/MMX part
 * is used: a machine that does not enable SSE can still show an x87 or
 * MMX register leaking. */
extern bool fpu_use_sse;

/* Load the values of (seed, round): seed 1..255. */
void fpu_load(uint32_t seed, uint32_t round, bool mmx);

/* Compare the registers with what fpu_load(seed, round, mmx) left; on a
 * difference print "<when>: ..." (what, found, expected, and whose it looks
 * like) and return false. */
bool fpu_check(uint32_t seed, uint32_t round, bool mmx, const char *when);

/* The registers of a vCPU that never used the FPU: control words as after
 * FNINIT, every tag empty, every data register zero. */
bool fpu_check_clean(const char *when);

#endif /* GUEST_FPU_H */
