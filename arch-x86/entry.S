/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * entry.S - every way into the hypervisor after boot: exceptions, int $0x82,
 * the timer IRQ. Each stub builds a struct cpu_regs on the ring-0 stack (see
 * pvx/regs.h) and calls x86_trap_dispatch(), or core_hypercall() for int $0x82;
 * the C side may rewrite the whole frame (another vCPU), so the way out
 * resumes whatever it then holds.
 */
#define __ASSEMBLY__
#include <pvx/layout.h>
#include "x86.h"

.macro SAVE_FRAME
        /* Push the data segments as clean 32-bit slots: pushl %ds may leave the upper half stale. */
        pushl   $0
        movw    %ds, (%esp)
        pushl   $0
        movw    %es, (%esp)
        pushl   $0
        movw    %fs, (%esp)
        pushl   $0
        movw    %gs, (%esp)
        pushal
        /*
         * C runs on our flat ds/es (a guest's end below the hypervisor). fs
         * and gs keep the interrupted context's selectors: nothing in ring 0
         * uses them (no TLS, no stack protector), and every load is a
         * descriptor-table walk, so they are only reloaded on the way out
         * when they have to be.
         */
        movl    $__HYPERVISOR_DS, %eax
        movl    %eax, %ds
        movl    %eax, %es
        cld
.endm

/* A table of (vector, entry) pairs, read by desc.c to fill the IDT. */
        .section .rodata.x86_stubs, "a"
        .p2align 2
        .globl x86_stubs
x86_stubs:

/* err = 1 when the CPU pushes an error code itself; the others get a 0 so the frame is uniform. */
.macro STUB vec, err=0
        .text
        .p2align 4
x86_stub_\vec:
        .if \err == 0
        pushl   $0
        .endif
        pushl   $\vec
        jmp     x86_common_entry
        .section .rodata.x86_stubs, "a"
        .long   \vec, x86_stub_\vec
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
        STUB 20
        STUB 21, 1
        STUB 22
        STUB 23
        STUB 24
        STUB 25
        STUB 26
        STUB 27
        STUB 28
        STUB 29, 1
        STUB 30, 1
        STUB 31
        STUB 0x20                       /* IRQ0: PIT */
        STUB 0x21                       /* IRQ1-14: devices' lines (ata.c: 14, the PCI */
        STUB 0x22                       /* lines of ahci.c and e1000.c: 9-11 mostly) */
        STUB 0x23
        STUB 0x24
        STUB 0x25
        STUB 0x26
        STUB 0x27                       /* IRQ7: spurious (master) */
        STUB 0x28
        STUB 0x29
        STUB 0x2a
        STUB 0x2b
        STUB 0x2c
        STUB 0x2d
        STUB 0x2e
        STUB 0x2f                       /* IRQ15: spurious (slave) */

/*
 * int $0x82 (DPL 1: only ring 1 gets here) goes to the core directly; the
 * same frame, without the exception dispatch of traps.c.
 */
        .text
        .p2align 4
x86_stub_0x82:
        pushl   $0
        pushl   $0x82
        SAVE_FRAME
        movw    $0, FRAME_CS + 2(%esp)  /* the CPU's cs/ss pushes may leave the upper halves */
        movw    $0, FRAME_SS + 2(%esp)
        pushl   %esp                    /* struct cpu_regs * */
        call    core_hypercall
        addl    $4, %esp
        cmpl    $X86_STACK_CANARY, x86_stack
        je      x86_restore
        jmp     x86_stack_overflow
        .section .rodata.x86_stubs, "a"
        .long   0x82, x86_stub_0x82

        .section .rodata.x86_stubs, "a"
        .globl x86_stubs_end
x86_stubs_end:

        .text
        .p2align 4
x86_common_entry:
        SAVE_FRAME
        pushl   %esp                    /* struct cpu_regs * */
        call    x86_trap_dispatch
        addl    $4, %esp
        /* fall through */

/*
 * Load the frame at %esp and leave. A segment register is loaded from the
 * frame only when it holds another selector, or when x86_segs_stale says the
 * descriptor tables changed since the live ones were loaded (desc.c: a vCPU
 * switch, set_gdt, an LDT, update_descriptor). A guest's selector that became
 * invalid faults on its load; traps.c finds the load in x86_seg_fixups, nulls
 * the slot and resumes there, so the guest gets a null selector instead of a
 * crash. Only %ss and %esp address memory once a guest's ds may be loaded.
 */
        .section .rodata.x86_seg_fixups, "a"
        .p2align 2
        .globl x86_seg_fixups
x86_seg_fixups:                         /* (instruction, frame offset) */
        .text

.macro SEG_LOAD seg, off
9:      movw    \off(%esp), %\seg
        .section .rodata.x86_seg_fixups, "a"
        .long   9b, \off
        .text
.endm

.macro SEG_RESTORE seg, off
        movl    %\seg, %eax
        cmpw    %ax, \off(%esp)
        je      8f
        SEG_LOAD \seg, \off
8:
.endm

        .globl x86_restore, x86_iret
x86_restore:
        cmpb    $0, %ss:x86_segs_stale
        jne     .Lrestore_all
        SEG_RESTORE gs, FRAME_GS
        SEG_RESTORE fs, FRAME_FS
        SEG_RESTORE es, FRAME_ES
        SEG_RESTORE ds, FRAME_DS
.Lrestore_gprs:
        popal
        addl    $24, %esp               /* gs fs es ds, entry_vector, error_code */
x86_iret:
        iret

.Lrestore_all:
        movb    $0, %ss:x86_segs_stale
        SEG_LOAD gs, FRAME_GS
        SEG_LOAD fs, FRAME_FS
        SEG_LOAD es, FRAME_ES
        SEG_LOAD ds, FRAME_DS
        jmp     .Lrestore_gprs

        .section .rodata.x86_seg_fixups, "a"
        .globl x86_seg_fixups_end
x86_seg_fixups_end:
        .text

/*
 * make bench only (boot option bench_trap=1, vector 0xf0, DPL 1): a trap into
 * ring 0 that returns at once - the floor a null hypercall is compared with.
 */
        .p2align 4
        .globl x86_bench_trap
x86_bench_trap:
        iret

/* No executable stack wanted (keeps ld quiet). */
        .section .note.GNU-stack, "", @progbits
