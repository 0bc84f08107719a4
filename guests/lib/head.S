/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * head.S - entry of every pvx PV guest, its Xen ELF notes and the hypercall
 * page.
 *
 * The domain builder enters _start in ring 1 with esi = start_info and esp at
 * the top of a boot stack it placed above the initial page tables. We keep
 * both values for the guest to inspect, zero .bss (in case a loader did not),
 * switch to a stack of our own and call guest_start(), which never returns.
 */
#include <public/elfnote.h>

#define BOOT_STACK_SIZE 8192

/* One note: owner "Xen", a type, and a descriptor given as directives. */
.macro xen_note type:req, desc:vararg
    .p2align 2
    .long 2f - 1f               /* namesz */
    .long 4f - 3f               /* descsz */
    .long \type
1:  .asciz "Xen"
2:  .p2align 2
3:  \desc
4:  .p2align 2
.endm

    .section .note.Xen, "a", @note
    xen_note XEN_ELFNOTE_GUEST_OS,       .asciz "pvx-guest"
    xen_note XEN_ELFNOTE_GUEST_VERSION,  .asciz "1"
    xen_note XEN_ELFNOTE_XEN_VERSION,    .asciz "xen-3.0"
    xen_note XEN_ELFNOTE_LOADER,         .asciz "generic"
    xen_note XEN_ELFNOTE_VIRT_BASE,      .long 0
    xen_note XEN_ELFNOTE_PADDR_OFFSET,   .long 0
    xen_note XEN_ELFNOTE_ENTRY,          .long _start
    xen_note XEN_ELFNOTE_HYPERCALL_PAGE, .long hypercall_page
    xen_note XEN_ELFNOTE_FEATURES,       .asciz "!writable_page_tables|pae_pgdir_above_4gb"
    xen_note XEN_ELFNOTE_PAE_MODE,       .asciz "yes"

    .section .text.head, "ax", @progbits
    .code32
    .globl _start
    .type _start, @function
_start:
    cld
    mov     %esi, %ebx              /* edi/ecx/eax are needed by rep stosb */
    mov     %esp, %edx

    mov     $__bss_start, %edi
    mov     $__bss_end, %ecx
    sub     %edi, %ecx
    xor     %eax, %eax
    rep stosb

    mov     %ebx, start_info
    mov     %edx, boot_esp

    mov     $boot_stack_top, %esp
    xor     %ebp, %ebp              /* ends the frame chain for a debugger */
    push    %ebx
    call    guest_start
    ud2                             /* guest_start does not return */
    .size _start, . - _start

    /* The builder fills this page with 32-byte stubs, one per hypercall. */
    .p2align 12
    .globl hypercall_page
    .type hypercall_page, @object
hypercall_page:
    .fill 4096, 1, 0xcc             /* int3: a call into an unfilled page traps */
    .size hypercall_page, . - hypercall_page

    .section .bss.boot_stack, "aw", @nobits
    .p2align 4
boot_stack:
    .skip BOOT_STACK_SIZE
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
