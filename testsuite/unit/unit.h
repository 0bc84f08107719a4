/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * unit.h - shared helpers of the CUnit unit tests.
 */
#ifndef UNIT_H
#define UNIT_H

#include <CUnit/CUnit.h>
#include <stdint.h>
#include "fixture.h"
#include <pvx/machine.h>

/* The host's errno.h (pulled in by CUnit and libc) and the guest ABI's
 * names clash: the tests speak the ABI's. */
#include <errno.h>
#undef EPERM
#undef ENOENT
#undef ESRCH
#undef EINTR
#undef EIO
#undef E2BIG
#undef ENOEXEC
#undef EBADF
#undef EAGAIN
#undef ENOMEM
#undef EACCES
#undef EFAULT
#undef EBUSY
#undef EEXIST
#undef ENODEV
#undef EINVAL
#undef ENOSPC
#undef ERANGE
#undef ENOSYS
#undef ENODATA
#undef EOPNOTSUPP
#undef ERESTART
#undef ETIME
#include <pvx/errno.h>

struct domain;
struct vcpu;

/* The unit tests' machine: the fake machine's default, 16 MiB. */
#define FAKE_MEM_MB      16
#define FAKE_MEM_FRAMES  FAKE_MAX_FRAMES

/* Boot a fresh hypervisor on the fake machine with an image built from spec;
 * returns the arch_shutdown status, or -1 when core_start returned. */
int unit_boot(const struct elfgen_spec *spec, const char *mod_cmdline, const char *hv_cmdline);
/* The same with the default good kernel and dom0_mem=8M. */
struct vcpu *unit_boot_default(void);
/* A hash of all machine memory: proves a refused request changed nothing. */
uint64_t unit_mem_hash(void);

/* Run one hypercall as the current vCPU from ring 1; returns eax. */
long unit_hypercall(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5);
/* The same, but expecting the machine to stop: returns the shutdown status. */
int unit_hypercall_stop(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3);

#define UNIT_SCRATCH_VA 0x103000u   /* in the default kernel's bss: writable */

void unit_register_elf(void);
void unit_register_string(void);
void unit_register_builder(void);
void unit_register_hypercall(void);
void unit_register_lib(void);
void unit_register_fault(void);
void unit_register_mm(void);
void unit_register_tlb(void);
void unit_register_traps(void);
void unit_register_fpu(void);
void unit_register_events(void);
void unit_register_sched(void);
void unit_register_trace(void);
void unit_register_vcpu(void);
void unit_register_control(void);
void unit_register_io(void);
void unit_register_vfr(void);
void unit_register_netif(void);
void unit_register_vif(void);
void unit_register_guest_net(void);

#endif /* UNIT_H */
