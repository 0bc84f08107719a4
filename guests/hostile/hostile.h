/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostile.h - what main.c (the witness, the table of attacks, the helpers)
 * shares with the attacks kept in other files of this guest.
 */
#ifndef HOSTILE_HOSTILE_H
#define HOSTILE_HOSTILE_H

#include <stdbool.h>
#include <stdint.h>

/* Print what and rc; count it as not refused unless rc == want. */
bool expect(const char *what, long rc, long want);
extern unsigned int nr_bad;

/* cpu.c: states of the CPU a guest can reach, which the machines must run
 * as the hardware does (issue 11, item 5). */
void attack_xo_cs(void);
void attack_ring2(void);
void attack_ring2_fault(void);
void attack_ldt_fs(void);
void attack_io_decode(void);
void attack_io_smc(void);
void attack_quirks(void);
void attack_iret_vm86(void);
void attack_call_gate(void);

/* soup.c: random instruction sequences (testsuite/soup.py). */
void attack_soup(void);

#endif /* HOSTILE_HOSTILE_H */
