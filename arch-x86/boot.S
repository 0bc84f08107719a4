/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boot.S - Multiboot v1 entry. The loader starts us in 32-bit protected mode,
 * paging off, flat segments, eax = loader magic, ebx = physical address of the
 * Multiboot information. We check the CPU, build PAE tables (an identity map of
 * the first 4 MiB for the jump, the direct map of 128 MiB at DIRECTMAP_VIRT),
 * turn paging on and continue at the linked (high) address in x86_start().
 */
#define __ASSEMBLY__
#include <pvx/layout.h>
#include "x86.h"

#define PA(sym)     ((sym) - DIRECTMAP_VIRT)
/* layout.h spells these with C suffixes; gas wants plain numbers. */
#define PTE_P       0x001
#define L2_PSE_FLAGS 0x0e3      /* present, RW, accessed, dirty, 2 MiB */

/* The header must sit in the first 8 KiB of the file: it is the first thing linked. */
        .section .multiboot, "a"
        .p2align 2
multiboot_header:
        .long MULTIBOOT_HEADER_MAGIC
        .long MULTIBOOT_HEADER_FLAGS
        .long -(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_HEADER_FLAGS)

        .section .text.boot, "ax"
        .code32
        .globl start
start:
        cli
        cld
        movl    $PA(x86_stack_top), %esp
        /* .data, not .bss: these survive the clearing below. */
        movl    %eax, PA(x86_boot_magic)
        movl    %ebx, PA(x86_boot_mbi)

        /* Loaders clear .bss already; the page tables must not trust that. */
        movl    $PA(__bss_start), %edi
        movl    $PA(__bss_end), %ecx
        subl    %edi, %ecx
        shrl    $2, %ecx
        xorl    %eax, %eax
        rep stosl

        cmpl    $MULTIBOOT_LOADER_MAGIC, PA(x86_boot_magic)
        movl    $msg_no_multiboot, %esi
        jne     refuse

        /* CPUID exists when EFLAGS.ID can be toggled. */
        pushfl
        popl    %eax
        movl    %eax, %ecx
        xorl    $0x00200000, %eax
        pushl   %eax
        popfl
        pushfl
        popl    %eax
        pushl   %ecx
        popfl
        xorl    %ecx, %eax
        movl    $msg_no_cpuid, %esi
        testl   $0x00200000, %eax
        jz      refuse
        xorl    %eax, %eax
        cpuid
        cmpl    $1, %eax
        jb      refuse
        movl    $1, %eax
        cpuid
        movl    %edx, PA(x86_boot_cpuid_edx)
        movl    $msg_no_pae, %esi
        testl   $X86_CPUID1_EDX_PAE, %edx
        jz      refuse
        movl    $msg_no_pse, %esi
        testl   $X86_CPUID1_EDX_PSE, %edx
        jz      refuse
        movl    $msg_no_tsc, %esi
        testl   $X86_CPUID1_EDX_TSC, %edx
        jz      refuse

        /* Identity map of 0..4 MiB: only while we still execute from low addresses. */
        movl    $PA(boot_l2_low), %edi
        movl    $(0x000000 | L2_PSE_FLAGS), 0(%edi)
        movl    $(0x200000 | L2_PSE_FLAGS), 8(%edi)

        /* Direct map: slots 448..511. */
        movl    $L2_PSE_FLAGS, %eax
        movl    $PA(boot_l2_high + DIRECTMAP_FIRST_SLOT * 8), %edi
        movl    $(512 - DIRECTMAP_FIRST_SLOT), %ecx
2:      movl    %eax, (%edi)
        addl    $0x200000, %eax
        addl    $8, %edi
        loop    2b

        /* PAE PDPTEs take only the present bit (RW/US are reserved there). */
        movl    $(PA(boot_l2_low) + PTE_P), PA(boot_l3) + 0
        movl    $(PA(boot_l2_high) + PTE_P), PA(boot_l3) + 24

        /*
         * No CR4.PGE: a guest may set _PAGE_GLOBAL in its L1 entries (Xen's
         * ABI allows it), and with PGE on such a translation would survive
         * every CR3 load and every flush the core asks for - into another
         * domain's address space, and past the frame becoming a page table.
         * Without PGE the G bit is ignored, ours included (issue 11, 4b).
         */
        movl    %cr4, %eax
        orl     $(X86_CR4_PAE | X86_CR4_PSE), %eax
        andl    $~X86_CR4_PGE, %eax
        movl    %eax, %cr4
        movl    $PA(boot_l3), %eax
        movl    %eax, %cr3
        movl    %cr0, %eax
        orl     $(X86_CR0_PG | X86_CR0_WP), %eax
        movl    %eax, %cr0

        movl    $high_start, %eax
        jmp     *%eax

/* Print the string at %esi (physical) on COM1, tell QEMU, halt. */
refuse:
        movw    $0x3f9, %dx             /* no interrupts */
        xorb    %al, %al
        outb    %al, %dx
        movw    $0x3fb, %dx             /* DLAB: divisor 1 = 115200 baud */
        movb    $0x80, %al
        outb    %al, %dx
        movw    $0x3f8, %dx
        movb    $1, %al
        outb    %al, %dx
        movw    $0x3f9, %dx
        xorb    %al, %al
        outb    %al, %dx
        movw    $0x3fb, %dx             /* 8N1 */
        movb    $3, %al
        outb    %al, %dx
4:      lodsb
        testb   %al, %al
        jz      6f
        movb    %al, %bl
        movw    $0x3fd, %dx
        movl    $100000, %ecx           /* no UART at all must not hang us */
5:      inb     %dx, %al
        testb   $0x20, %al
        loopz   5b
        movw    $0x3f8, %dx
        movb    %bl, %al
        outb    %al, %dx
        jmp     4b
6:      movw    $ISA_DEBUG_EXIT_PORT, %dx
        movb    $2, %al                 /* PVX_EXIT_PANIC */
        outb    %al, %dx
        /* Bochs: the status line on port 0xe9, then "Shutdown" to port 0x8900 (setup.c). */
        movl    $msg_bochs_exit, %esi
        movw    $BOCHS_E9_PORT, %dx
8:      lodsb
        testb   %al, %al
        jz      9f
        outb    %al, %dx
        jmp     8b
9:      movl    $msg_bochs_shutdown, %esi
        movw    $BOCHS_SHUTDOWN_PORT, %dx
10:     lodsb
        testb   %al, %al
        jz      7f
        outb    %al, %dx
        jmp     10b
7:      cli
        hlt
        jmp     7b

msg_bochs_exit:
        .asciz  BOCHS_EXIT_LINE "2\n"
msg_bochs_shutdown:
        .asciz  "Shutdown"
msg_no_multiboot:
        .asciz  "(pvx) PANIC: not started by a Multiboot loader\r\n"
msg_no_cpuid:
        .asciz  "(pvx) PANIC: this CPU has no CPUID; pvx needs PAE, PSE and TSC\r\n"
msg_no_pae:
        .asciz  "(pvx) PANIC: this CPU has no PAE; pvx needs PAE, PSE and TSC\r\n"
msg_no_pse:
        .asciz  "(pvx) PANIC: this CPU has no PSE; pvx needs PAE, PSE and TSC\r\n"
msg_no_tsc:
        .asciz  "(pvx) PANIC: this CPU has no TSC; pvx needs PAE, PSE and TSC\r\n"

        .text
high_start:
        movl    $x86_stack_top, %esp
        xorl    %ebp, %ebp              /* ends the frame-pointer chain of backtraces */
        pushl   x86_boot_mbi
        call    x86_start
        ud2

/* Enter a guest (or any outer-ring context) from a frame laid out as struct cpu_regs. */
        .globl x86_resume
x86_resume:
        movl    4(%esp), %esp
        jmp     x86_restore

        .data
        .p2align 2
        .globl x86_boot_magic, x86_boot_mbi, x86_boot_cpuid_edx
x86_boot_magic:     .long 0
x86_boot_mbi:       .long 0
x86_boot_cpuid_edx: .long 0

        .bss
        .p2align 12
        .globl boot_l3, boot_l2_low, boot_l2_high, x86_stack, x86_stack_top
boot_l3:
        .skip 4096
boot_l2_low:
        .skip 4096
boot_l2_high:
        .skip 4096
x86_stack_guard:                        /* an overflow past the canary lands here, not in the tables */
        .skip 4096
x86_stack:
        .skip X86_STACK_SIZE
x86_stack_top:

/* No executable stack wanted (keeps ld quiet). */
        .section .note.GNU-stack, "", @progbits
