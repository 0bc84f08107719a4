/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fixture.h - booting and driving the core on the fake machine, for the unit
 * tests, the fuzzer and the host benchmarks alike: a fresh hypervisor with
 * domains built from generated kernels, entries as the CPU makes them, and
 * the vCPU that makes them chosen through the core's own switch.
 */
#ifndef FIXTURE_H
#define FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "elfgen.h"
#include "fake_machine.h"

struct vcpu;

/*
 * A fresh hypervisor on a fresh machine (fake_reset): the image spec makes
 * (none if spec is NULL) is the initial domain with mod_cmdline, and nr_domus
 * more modules of it are unprivileged domains 1..nr_domus ("kernel.elf
 * name=uN mem=4M"). Returns the arch_shutdown status, or -1 when core_start
 * returned; then *first (if not NULL) is the frame it returned.
 */
int fixture_boot(const struct elfgen_spec *spec, const char *mod_cmdline, const char *hv_cmdline,
                 unsigned int nr_domus, struct cpu_regs *first);
/* The same from an image already made (len bytes; NULL: no module). */
int fixture_boot_image(const void *image, size_t len, const char *mod_cmdline,
                       const char *hv_cmdline, unsigned int nr_domus, struct cpu_regs *first);

/* Domains first..last-1 made bare (domain_create): a copy of the running
 * vCPU's registers and page tables, registered with the scheduler. They are
 * switched to, never run. False if one cannot be made. */
bool fixture_add_bare_domains(unsigned int first, unsigned int last);

/* vCPU 0 of a domain, or NULL. */
struct vcpu *fixture_vcpu(unsigned int domid);

/* Make v the vCPU whose entries come next, as a switch to it does
 * (sched_switch_to: its address space, its descriptor tables). */
void fixture_become(struct vcpu *v);

/* The frame of `int $0x82` from the running vCPU: its saved registers with
 * the call in eax, ebx..edi, eip after the int. */
struct cpu_regs fixture_hypercall_regs(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3,
                                       uint32_t a4, uint32_t a5);
/* One hypercall entry; *rc gets eax. Returns -1, or the status the machine
 * stopped with. */
int fixture_hypercall(long *rc, uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3,
                      uint32_t a4, uint32_t a5);
/* The same, entered again after each continuation as the CPU would (a
 * continuation leaves eip on the int); *conts (if not NULL) counts them. */
int fixture_hypercall_continued(long *rc, unsigned int *conts, uint32_t nr, uint32_t a1,
                                uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5);
/* A lazy entry, as the simulator makes it: the CPU holds fake_live_regs,
 * *frame the fields not in missing. *still gets what the core left
 * missing. Returns -1, or the stop status. */
int fixture_hypercall_lazy(struct cpu_regs *frame, uint32_t missing, uint32_t *still);

/* Machine frame of pseudo-physical frame pfn of v's domain (one that
 * fixture_boot built), from the p2m list its start_info names; INVALID_MFN
 * (~0) if it cannot be read. */
uint32_t fixture_p2m(struct vcpu *v, uint32_t pfn);

#endif /* FIXTURE_H */
