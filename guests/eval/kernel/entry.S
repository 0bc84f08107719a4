/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * entry.S - the workload kernel's trap entries and its way into and out of
 * ring 3 (kernel.h). The same code on both backends: a PV kernel (ring 1)
 * gets bounce frames laid out as the CPU's, and returns with the CPU's own
 * iret, which may go to ring 3 from ring 1 as from ring 0.
 */
#define SYS_EXIT        1

        .text
/* err = 1 where the CPU (or the hypervisor's bounce frame) pushes an error code. */
.macro STUB name, vec, err=0
        .globl \name
        .p2align 4
\name:
        .if \err == 0
        pushl   $0
        .endif
        pushl   $\vec
        jmp     kentry_common
.endm

        STUB kentry_pf, 14, 1
        STUB kentry_syscall, 0x80
        STUB kentry_notify, 0xf0

kentry_common:
        pushal
        cld
        pushl   %esp                    /* struct kframe * */
        call    ktrap
        addl    $4, %esp
kframe_pop:
        popal
        addl    $8, %esp                /* vector, error code */
        iret

/* uint32_t kcall_run(void): keep the caller's context; proc_first_frame()
 * gives the first process's frame, entered at once. */
        .globl kcall_run
        .p2align 4
kcall_run:
        pushl   %ebp
        pushl   %ebx
        pushl   %esi
        pushl   %edi
        movl    %esp, kcall_esp
        call    proc_first_frame
        movl    %eax, %esp
        jmp     kframe_pop

/* void kreturn_run(uint32_t result): kcall_run returns result. */
        .globl kreturn_run
        .p2align 4
kreturn_run:
        movl    4(%esp), %eax
        movl    kcall_esp, %esp
        popl    %edi
        popl    %esi
        popl    %ebx
        popl    %ebp
        ret

/* Where every process starts: eax = program, edx = its argument. */
        .section .user.text, "ax", @progbits
        .globl kuser_start
kuser_start:
        pushl   %edx
        call    *%eax
        addl    $4, %esp
        movl    %eax, %ebx
        movl    $SYS_EXIT, %eax
        int     $0x80
        ud2

        .bss
        .p2align 2
kcall_esp:
        .long   0

        .section .note.GNU-stack, "", @progbits
