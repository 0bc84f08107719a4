/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz.h - the fuzzer's machine: testsuite/lib's fake machine, 8 MiB, the
 * initial domain's image at 1 MiB (inputs and regressions name frames of
 * this layout).
 */
#ifndef FUZZ_H
#define FUZZ_H

#define FUZZ_MEM_FRAMES   2048u         /* 8 MiB */
#define FUZZ_MODULE_MFN   0x100u        /* outside free RAM */

#endif /* FUZZ_H */
