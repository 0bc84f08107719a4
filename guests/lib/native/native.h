/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * native.h - the native runtime: a kernel that runs in ring 0 directly on
 * the machine, booted by Multiboot (QEMU's -kernel, GRUB) like pvx itself.
 * It offers what guests/lib offers a PV kernel (console, results, the
 * command line, the exit) and does by itself what a PV kernel asks the
 * hypervisor for: its GDT, TSS and IDT, PAE page tables, CR3, the local
 * APIC. guests/eval's workload kernel is built on either runtime.
 *
 * A kernel defines test_title and test_main as a PV guest does (guest.h);
 * the runtime prints the same title and "Test result:" lines and leaves
 * QEMU through isa-debug-exit (status 0 power off, 1 crash), which
 * scripts/pvx-qemu --native maps to the runners' exit codes.
 */
#ifndef NATIVE_NATIVE_H
#define NATIVE_NATIVE_H

#include <lib/compiler.h>
#include <lib/format.h>
#include <lib/portio.h>
#include <lib/string.h>

#define PAGE_SHIFT      12
#define PAGE_SIZE       (1u << PAGE_SHIFT)

/* The GDT: flat segments for ring 0 and ring 3, and the TSS. The kernel
 * keeps the ring-3 data segment in ds/es (usable in both rings, so an iret
 * to ring 3 keeps it), as a PV kernel does. */
#define NATIVE_KERNEL_CS    0x08
#define NATIVE_KERNEL_SS    0x10
#define NATIVE_USER_CS      0x1b
#define NATIVE_USER_DS      0x23
#define NATIVE_TSS          0x28

/* PAE entry bits. */
#define NPTE_P      0x001u
#define NPTE_RW     0x002u
#define NPTE_US     0x004u
#define NPTE_PWT    0x008u
#define NPTE_PCD    0x010u
#define NPTE_A      0x020u
#define NPTE_D      0x040u

#define NATIVE_APIC_BASE    0xfee00000u

/* Provided by the kernel. */
extern const char test_title[];
void test_main(void);

/* Results, as guest.h: the worst reported wins. */
void test_pass(void);
void test_fail(const char *fmt, ...) __printf(1, 2);
void test_skip(const char *fmt, ...) __printf(1, 2);
void test_error(const char *fmt, ...) __printf(1, 2);

/* The Multiboot command line's words, as guest.h's. */
bool guest_has_arg(const char *a);
uint32_t guest_arg_u32(const char *key, uint32_t def);

void console_write(const char *buf, size_t len);
void printk(const char *fmt, ...) __printf(1, 2);
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;

/* Leave the machine: 0 power off, anything else a crash. */
void __noreturn native_exit(unsigned int status);

/* Memory: frames from above the image and the runtime's tables up to the
 * end of RAM (all of it identity-mapped, kernel-only, below 1 GiB). */
uint32_t native_frame_alloc(void);

/* The kernel's page tables: the L3 (CR3) and the L2s under slots 0 and 3
 * (physical frame numbers; the L2s hold 512 entries each). Slot 0 maps RAM
 * (the image's .user section with the U bit), slot 3 the local APIC. */
extern uint32_t native_kernel_l3, native_kernel_l2[4];

/* Gate vec of the IDT: an interrupt gate (IF cleared) to entry, callable
 * by `int` from rings <= dpl. */
void native_set_gate(unsigned int vec, void (*entry)(void), unsigned int dpl);
/* The stack a trap from ring 3 switches to (TSS esp0). */
void native_set_kernel_stack(uint32_t esp0);

/* The local APIC: software-enabled, spurious vector 0xff. */
void native_apic_init(void);
void native_apic_self_ipi(unsigned int vec);
void native_apic_eoi(void);

static inline void native_write_cr3(uint32_t cr3)
{
    asm volatile ( "mov %0, %%cr3" :: "r" (cr3) : "memory" );
}

static inline uint32_t native_read_cr2(void)
{
    uint32_t cr2;

    asm volatile ( "mov %%cr2, %0" : "=r" (cr2) );
    return cr2;
}

static inline void native_invlpg(uint32_t va)
{
    asm volatile ( "invlpg (%0)" :: "r" (va) : "memory" );
}

#endif /* NATIVE_NATIVE_H */
