/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * entry.S - the trap table's entry stubs and ring-3 entry/exit (traps.h).
 */
#include <public/arch-x86/xen-x86_32.h>

#define HYPERCALL_IRET 23                   /* __HYPERVISOR_iret */

#define IRET_STUB (hypercall_page + HYPERCALL_IRET * 32)

        .text
/* err = 1 where the hypervisor's bounce frame carries an error code. */
.macro STUB vec, err=0
        .globl guest_entry_\vec
        .p2align 4
guest_entry_\vec:
        .if \err == 0
        pushl   $0
        .endif
        pushl   $\vec
        jmp     guest_entry_common
.endm

        STUB 0
        STUB 1
        STUB 2
        STUB 3
        STUB 4
        STUB 5
        STUB 6
        STUB 7
        STUB 8, 1
        STUB 9
        STUB 10, 1
        STUB 11, 1
        STUB 12, 1
        STUB 13, 1
        STUB 14, 1
        STUB 15
        STUB 16
        STUB 17, 1
        STUB 18
        STUB 19
        STUB 0x40                       /* free vectors for tests */
        STUB 0x41
        STUB 0x42
        STUB 0x43

guest_entry_common:
        pushal
        cld
        pushl   %esp                    /* struct guest_frame * */
        call    guest_exception
        addl    $4, %esp
        popal
        addl    $8, %esp                /* vector, error code */
        jmp     IRET_STUB               /* eip cs eflags [esp ss] */

/* unsigned long guest_exec_user(unsigned long (*fn)(unsigned long), unsigned long arg) */
        .globl guest_exec_user
        .p2align 4
guest_exec_user:
        pushl   %ebp
        pushl   %ebx
        pushl   %esi
        pushl   %edi
        movl    %esp, guest_user_kernel_esp
        movl    20(%esp), %eax          /* fn */
        movl    24(%esp), %edx          /* arg */
        pushl   $FLAT_RING3_SS
        pushl   $guest_user_stack_top
        pushfl
        pushl   $FLAT_RING3_CS
        pushl   $guest_user_stub
        jmp     IRET_STUB

/* The same, entering ring 3 with a native iret from ring 1. */
        .globl guest_exec_user_native
        .p2align 4
guest_exec_user_native:
        pushl   %ebp
        pushl   %ebx
        pushl   %esi
        pushl   %edi
        movl    %esp, guest_user_kernel_esp
        movl    20(%esp), %eax
        movl    24(%esp), %edx
        pushl   $FLAT_RING3_SS
        pushl   $guest_user_stack_top
        pushfl
        pushl   $FLAT_RING3_CS
        pushl   $guest_user_stub
        iret

/* int $0x80 from ring 3: drop the bounce frame, back into guest_exec_user. */
        .globl guest_entry_user_return
        .p2align 4
guest_entry_user_return:
        movl    guest_user_kernel_esp, %esp
        popl    %edi
        popl    %esi
        popl    %ebx
        popl    %ebp
        ret

        .section .user.text, "ax", @progbits
guest_user_stub:
        pushl   %edx
        call    *%eax
        addl    $4, %esp
        int     $0x80
        ud2                             /* int 0x80 does not come back */

        .section .user.bss, "aw", @nobits
        .p2align 12
guest_user_stack:
        .skip   4096
guest_user_stack_top:

        .bss
        .p2align 2
guest_user_kernel_esp:
        .long   0
        .p2align 4
        .globl guest_trap_stack_top
guest_trap_stack:
        .skip   8192
guest_trap_stack_top:

        .section .note.GNU-stack, "", @progbits
