/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * user.S - the two workloads whose control flow the kernel redirects
 * (work.c): a protection fault resumes at the registered handler instead
 * of the faulting store, and a signal enters a handler that returns
 * through SYS_SIGRETURN. Ring-3 code: the .user section.
 */
#define SYS_SIGACTION   6
#define SYS_KILL        7
#define SYS_SIGRETURN   8
#define KUSER_RO_VA     (0x40000000 + 23 * 4096)   /* kernel.h: the read-only page */

        .section .user.text, "ax", @progbits

/* unsigned long u_prot(unsigned long n): n stores to the read-only page;
 * each faults and resumes at u_prot_resume with eax = the address. */
        .globl u_prot
u_prot:
        pushl   %esi
        pushl   %edi
        pushl   %ebx
        movl    16(%esp), %ecx
        movl    $KUSER_RO_VA, %edi
        xorl    %esi, %esi
        movl    $u_prot_resume, %ebx
        movl    $SYS_SIGACTION, %eax
        int     $0x80
        testl   %ecx, %ecx
        jz      2f
1:      movl    %ecx, (%edi)
u_prot_resume:
        addl    %eax, %esi
        decl    %ecx
        jnz     1b
2:      movl    %esi, %eax
        popl    %ebx
        popl    %edi
        popl    %esi
        ret

/* unsigned long u_sig(unsigned long n): n signals to ourselves, numbers
 * n..1; the handler sums them. */
        .globl u_sig
u_sig:
        pushl   %esi
        pushl   %ebx
        movl    12(%esp), %ecx
        xorl    %esi, %esi
        movl    $u_sig_handler, %ebx
        movl    $SYS_SIGACTION, %eax
        int     $0x80
        testl   %ecx, %ecx
        jz      2f
1:      movl    %ecx, %ebx
        movl    $SYS_KILL, %eax
        int     $0x80
        decl    %ecx
        jnz     1b
2:      movl    %esi, %eax
        popl    %ebx
        popl    %esi
        ret

u_sig_handler:
        addl    %eax, %esi
        movl    $SYS_SIGRETURN, %eax
        int     $0x80
        ud2

        .section .note.GNU-stack, "", @progbits
