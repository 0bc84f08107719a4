/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fpu.c - the FPU, MMX and SSE on x86 hardware: enabled at boot for guests
 * (CR4.OSFXSR, so SSE instructions run and fxsave stores XMM), and moved
 * with fxsave/fxrstor when the core switches their owner (core/cpu/fpu.c), with
 * CR0.TS as the core sets it (arch_set_ts). The hypervisor itself never uses
 * them (-mno-80387 -mno-mmx -mno-sse).
 */
#include "x86.h"

void x86_fpu_init(void)
{
    uint32_t cr4 = read_cr4() | X86_CR4_OSFXSR;

    if ( !(x86_boot_cpuid_edx & X86_CPUID1_EDX_FXSR) )
        x86_panic("this CPU has no fxsave/fxrstor: pvx needs them for the guests' FPU state\n");
    if ( x86_boot_cpuid_edx & X86_CPUID1_EDX_SSE )
        cr4 |= X86_CR4_OSXMMEXCPT;      /* SIMD exceptions as #XM, not #UD */
    write_cr4(cr4);
    /* Native x87 errors (#MF), wait/fwait fault under TS, no emulation; TS
     * set: nobody's registers are loaded yet. */
    write_cr0((read_cr0() & ~X86_CR0_EM) | X86_CR0_MP | X86_CR0_NE | X86_CR0_TS);
}

void arch_fpu_save(struct fpu_state *s)
{
    asm volatile ( "clts; fxsave %0" : "=m" (*s) );
}

void arch_fpu_restore(const struct fpu_state *s)
{
    static const uint32_t zero;

    /*
     * AMD CPUs store and load the last instruction and data pointers and
     * opcode only while an exception is pending (Xen's XSA-52): give them
     * values of ours first, so the previous owner's never survive. fnclex
     * first: a pending exception of the previous owner would fire in ring
     * 0; st(7) freed: the push cannot overflow.
     */
    asm volatile ( "clts; fnclex; ffree %%st(7); fildl %0" :: "m" (zero) );
    asm volatile ( "fxrstor %0" :: "m" (*s) );
}

void arch_set_ts(bool ts)
{
    uint32_t cr0 = read_cr0();

    if ( !!(cr0 & X86_CR0_TS) == ts )
        return;                         /* a CR0 write serialises: only when it changes */
    if ( ts )
        write_cr0(cr0 | X86_CR0_TS);
    else
        asm volatile ( "clts" ::: "memory" );
}
