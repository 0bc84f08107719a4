/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * refusal.h - the fuzzer's check that a failed hypercall changed nothing
 * (refusal.c).
 */
#ifndef FUZZ_REFUSAL_H
#define FUZZ_REFUSAL_H

/* Watch every handler from now on (hypercall_watch, fuzz_map_hook). */
void refusal_install(void);
/* A run ended in the middle of a call (the machine stopped): forget it. */
void refusal_reset(void);
/* Handlers watched, and how many of them failed and were compared. */
void refusal_counts(unsigned long *calls, unsigned long *refused);

#endif /* FUZZ_REFUSAL_H */
