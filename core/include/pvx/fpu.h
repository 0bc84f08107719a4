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

#include <pvx/types.h>

struct vcpu;

/*
 * The registers as fxsave stores them (32-bit format, 512 bytes, 16-byte
 * aligned): the image both machines save and restore.
 */
struct fpu_state {
    uint16_t fcw;                       /* control word */
    uint16_t fsw;                       /* status word, TOP in bits 11-13 */
    uint8_t ftw;                        /* abridged tags: bit i set = physical register i in use */
    uint8_t _r0;
    uint16_t fop;                       /* last opcode */
    uint32_t fip;                       /* last instruction pointer... */
    uint16_t fcs, _r1;                  /* ...and its selector */
    uint32_t fdp;                       /* last data pointer... */
    uint16_t fds, _r2;                  /* ...and its selector */
    uint32_t mxcsr;
    uint32_t mxcsr_mask;
    uint8_t st[8][16];                  /* ST(0)..ST(7), 80 bits each (MM0-7 in the low 64) */
    uint8_t xmm[8][16];
    uint8_t _r3[224];
} __attribute__((aligned(16)));

_Static_assert(sizeof(struct fpu_state) == 512, "fxsave image size");
_Static_assert(offsetof(struct fpu_state, fip) == 8 && offsetof(struct fpu_state, fdp) == 16 &&
               offsetof(struct fpu_state, mxcsr) == 24 && offsetof(struct fpu_state, st) == 32 &&
               offsetof(struct fpu_state, xmm) == 160, "fxsave image layout");

/* What FNINIT and a reset leave, with every data register zero: a vCPU's
 * registers before its first FPU instruction. */
#define FPU_FCW_INIT    0x037fu
#define FPU_MXCSR_INIT  0x1f80u

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
/* The vCPU whose registers the machine's FPU holds, or NULL. */
const struct vcpu *fpu_owner(void);

#endif /* PVX_FPU_H */
