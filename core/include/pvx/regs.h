/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * regs.h - a guest vCPU's registers as the machines hand them to the core:
 * the saved integer frame, and the FPU/MMX/SSE image (struct fpu_state).
 *
 * One layout on both machines. It is laid out in the order an x86 trap stub
 * builds it on the ring-0 stack (lowest address first): pushal, the data
 * segment registers, the vector, the error code, then the frame the CPU pushes
 * on a privilege change. Guests never run in ring 0, so every entry into the
 * hypervisor is a privilege change and esp/ss are always present.
 */
#ifndef PVX_REGS_H
#define PVX_REGS_H

#include <pvx/types.h>

struct cpu_regs {
    uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax; /* pushal order */
    uint32_t gs, fs, es, ds;
    uint32_t entry_vector;
    uint32_t error_code;
    uint32_t eip, cs, eflags;       /* pushed by the CPU */
    uint32_t esp, ss;               /* pushed by the CPU: always a ring change */
};

_Static_assert(sizeof(struct cpu_regs) == 76, "cpu_regs layout is shared with asm");
_Static_assert(offsetof(struct cpu_regs, eax) == 28, "cpu_regs.eax");
_Static_assert(offsetof(struct cpu_regs, gs) == 32, "cpu_regs.gs");
_Static_assert(offsetof(struct cpu_regs, entry_vector) == 48, "cpu_regs.entry_vector");
_Static_assert(offsetof(struct cpu_regs, error_code) == 52, "cpu_regs.error_code");
_Static_assert(offsetof(struct cpu_regs, eip) == 56, "cpu_regs.eip");
_Static_assert(offsetof(struct cpu_regs, esp) == 68, "cpu_regs.esp");

/*
 * One bit per 32-bit field: which fields of a frame an entry left unread
 * (core_hypercall_lazy). The core reads the missing fields the first time
 * it looks at the vCPU's frame (vcpu_regs(), pvx/domain.h).
 */
#define REGS_FIELD(f)   (1u << (offsetof(struct cpu_regs, f) / 4))
#define REGS_ALL        ((1u << (sizeof(struct cpu_regs) / 4)) - 1)

/* The fields of src named in fields (REGS_FIELD bits) into dst: for machines
 * that model a lazy entry (the unit tests' and the fuzzer's). */
static inline void regs_copy_fields(struct cpu_regs *dst, const struct cpu_regs *src,
                                    uint32_t fields)
{
    const uint32_t *from = (const uint32_t *)src;
    uint32_t *to = (uint32_t *)dst;

    for ( unsigned int i = 0; i < sizeof(*dst) / 4; i++ )
        if ( fields & (1u << i) )
            to[i] = from[i];
}

/*
 * *dst = *src, one field at a time: every entry and exit copies a frame, and
 * GCC makes the plain struct copy a loop, which costs an emulator (QEMU's TCG)
 * a translated block per word.
 */
static inline void regs_copy(struct cpu_regs *dst, const struct cpu_regs *src)
{
    dst->edi = src->edi;
    dst->esi = src->esi;
    dst->ebp = src->ebp;
    dst->esp_pusha = src->esp_pusha;
    dst->ebx = src->ebx;
    dst->edx = src->edx;
    dst->ecx = src->ecx;
    dst->eax = src->eax;
    dst->gs = src->gs;
    dst->fs = src->fs;
    dst->es = src->es;
    dst->ds = src->ds;
    dst->entry_vector = src->entry_vector;
    dst->error_code = src->error_code;
    dst->eip = src->eip;
    dst->cs = src->cs;
    dst->eflags = src->eflags;
    dst->esp = src->esp;
    dst->ss = src->ss;
}
_Static_assert(sizeof(struct cpu_regs) == 19 * sizeof(uint32_t), "regs_copy copies every field");

/* EFLAGS bits the core cares about. */
#define X86_EFLAGS_CF   0x00000001u
#define X86_EFLAGS_MBS  0x00000002u     /* must be set */
#define X86_EFLAGS_TF   0x00000100u
#define X86_EFLAGS_IF   0x00000200u
#define X86_EFLAGS_IOPL 0x00003000u
#define X86_EFLAGS_NT   0x00004000u
#define X86_EFLAGS_RF   0x00010000u
#define X86_EFLAGS_VM   0x00020000u
#define X86_EFLAGS_AC   0x00040000u
#define X86_EFLAGS_VIF  0x00080000u
#define X86_EFLAGS_VIP  0x00100000u
#define X86_EFLAGS_ID   0x00200000u

/*
 * What a frame going back to a guest may hold in EFLAGS, whoever built it.
 * The arch resumes it with iret from ring 0, which would honour IOPL and VM:
 * IOPL stays 0 (a guest's IOPL is virtual), VM stays clear (no escape to
 * virtual-8086 mode), and IF stays set, so the timer can always preempt.
 */
static inline void regs_sanitize_eflags(struct cpu_regs *r)
{
    r->eflags &= ~(X86_EFLAGS_IOPL | X86_EFLAGS_VM | X86_EFLAGS_NT | X86_EFLAGS_VIF |
                   X86_EFLAGS_VIP);
    r->eflags |= X86_EFLAGS_IF | X86_EFLAGS_MBS;
}

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

/* Exception vectors. */
#define X86_EXC_DE   0
#define X86_EXC_DB   1
#define X86_EXC_NMI  2
#define X86_EXC_BP   3
#define X86_EXC_OF   4
#define X86_EXC_BR   5
#define X86_EXC_UD   6
#define X86_EXC_NM   7
#define X86_EXC_DF   8
#define X86_EXC_TS   10
#define X86_EXC_NP   11
#define X86_EXC_SS   12
#define X86_EXC_GP   13
#define X86_EXC_PF   14
#define X86_EXC_MF   16
#define X86_EXC_AC   17
#define X86_EXC_MC   18
#define X86_EXC_XM   19
#define X86_NR_EXCEPTIONS 32

/* #PF error code bits. */
#define X86_PFEC_PRESENT 0x01u
#define X86_PFEC_WRITE   0x02u
#define X86_PFEC_USER    0x04u
#define X86_PFEC_RSVD    0x08u
#define X86_PFEC_INSN    0x10u

#endif /* PVX_REGS_H */
