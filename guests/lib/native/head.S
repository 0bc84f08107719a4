/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * head.S - entry of a native kernel: the Multiboot header, _start (32-bit
 * protected mode, paging off, eax = the loader's magic, ebx = its
 * information), and the IDT's default stubs: every CPU exception is fatal
 * unless the kernel installs its own gate (native_set_gate).
 */
#define MB_MAGIC    0x1badb002
#define MB_FLAGS    0x00000003      /* modules page-aligned, memory information */

#define BOOT_STACK_SIZE 16384

    .section .text.head, "ax", @progbits
    .code32
    .p2align 2
multiboot_header:
    .long   MB_MAGIC
    .long   MB_FLAGS
    .long   -(MB_MAGIC + MB_FLAGS)

    .globl _start
    .type _start, @function
_start:
    cli
    cld
    mov     %eax, %edx              /* rep stosb needs eax, ecx, edi */
    mov     $__bss_start, %edi      /* the stack is in .bss: clear it first */
    mov     $__bss_end, %ecx
    sub     %edi, %ecx
    xor     %eax, %eax
    rep stosb
    mov     $boot_stack_top, %esp
    xor     %ebp, %ebp
    push    %ebx                    /* struct multiboot_info * */
    push    %edx                    /* the loader's magic */
    call    native_start
    ud2
    .size _start, . - _start

/* Exception vec, with (err=1) or without an error code from the CPU. */
.macro FATAL vec, err=0
    .globl native_fatal_\vec
    .p2align 4
native_fatal_\vec:
    .if \err == 0
    pushl   $0
    .endif
    pushl   $\vec
    jmp     native_fatal_common
.endm

    .text
    FATAL 0
    FATAL 1
    FATAL 2
    FATAL 3
    FATAL 4
    FATAL 5
    FATAL 6
    FATAL 7
    FATAL 8, 1
    FATAL 9
    FATAL 10, 1
    FATAL 11, 1
    FATAL 12, 1
    FATAL 13, 1
    FATAL 14, 1
    FATAL 15
    FATAL 16
    FATAL 17, 1
    FATAL 18
    FATAL 19

native_fatal_common:
    pushal
    pushl   %esp                    /* the frame, as guests/lib's traps.h */
    call    native_fatal
    ud2

/* The APIC's spurious vector: no EOI, nothing to do. */
    .globl native_spurious
    .p2align 4
native_spurious:
    iret

    .section .bss.boot_stack, "aw", @nobits
    .p2align 4
boot_stack:
    .skip   BOOT_STACK_SIZE
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
