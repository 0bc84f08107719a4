/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fpu.h - each vCPU's FPU, MMX and SSE registers (core/cpu/fpu.c, docs/cpu.md).
 *
 * One machine FPU holds one vCPU's registers at a time, its owner's. Others
 * keep theirs in struct fpu_vcpu and run with CR0.TS set; the first FPU
 * instruction of a vCPU that is not the owner raises #NM, and the core saves
 * the owner's registers and loads this vCPU's (Xen's lazy switch).
 */
#ifndef PVX_FPU_H
#define PVX_FPU_H

#include <pvx/regs.h>          /* struct fpu_state: the image both machines save */
#include <pvx/types.h>

struct vcpu;

struct fpu_vcpu {
    struct fpu_state state;             /* the registers, while another vCPU owns the FPU */
    bool used;                          /* state is this vCPU's (else: it never used the FPU) */
};

/* A fresh machine: nobody owns the FPU. */
void fpu_init(void);
/* v became the running vCPU: TS set unless it owns the FPU and its own
 * (virtual) TS is clear. */
void fpu_load_vcpu(struct vcpu *v);
/* The guest's virtual CR0.TS (fpu_taskswitch, mov to cr0, clts). */
void fpu_set_virtual_ts(struct vcpu *v, bool ts);
/*
 * #NM from v. Makes v the owner (saving the previous owner's registers,
 * loading v's or, on its first use, clean ones) and clears TS. Returns true
 * when that was all (retry the instruction), false when the #NM is the
 * guest's own, to be delivered to it: its virtual TS was set (now clear, as
 * Xen clears it entering the handler), or TS was clear all along.
 */
bool fpu_device_not_available(struct vcpu *v);
/* v's domain is dying: its registers are dropped, never saved again. */
void fpu_destroy_vcpu(struct vcpu *v);
/* A vCPU that has not run yet gets these registers (a 512-byte fxsave
 * image, VCPUOP_initialise); MXCSR is cut to the bits every CPU takes. */
void fpu_vcpu_set_state(struct vcpu *v, const void *fxsave);
/* The vCPU whose registers the machine's FPU holds, or NULL. */
const struct vcpu *fpu_owner(void);

#endif /* PVX_FPU_H */
