/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu.c - what a native kernel owns on the machine (native.h): the GDT and
 * TSS, the IDT, PAE page tables identity-mapping RAM, frames, the local APIC.
 */
#include "native.h"

#define CR0_WP      (1u << 16)
#define CR0_PG      (1u << 31)
#define CR4_PAE     (1u << 5)

#define GATE_INTR   0x8e        /* present, 32-bit interrupt gate */

#define APIC_TPR    0x080
#define APIC_EOI    0x0b0
#define APIC_SVR    0x0f0
#define APIC_ICR_LO 0x300
#define APIC_SVR_ENABLE     0x100
#define APIC_ICR_SELF       (1u << 18)  /* destination shorthand: self */
#define APIC_SPURIOUS_VEC   0xff

/* Kernel memory is below 1 GiB: one L2 (slot 0) maps it all. */
#define KERNEL_MEM_MAX  (1u << 30)

struct tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap;
} __packed;
_Static_assert(sizeof(struct tss) == 104, "the i386 TSS is 104 bytes");

struct desc_ptr {
    uint16_t limit;
    uint32_t base;
} __packed;

extern char __image_end[], __user_start[], __user_end[];
void native_fatal_0(void), native_fatal_1(void), native_fatal_2(void), native_fatal_3(void);
void native_fatal_4(void), native_fatal_5(void), native_fatal_6(void), native_fatal_7(void);
void native_fatal_8(void), native_fatal_9(void), native_fatal_10(void), native_fatal_11(void);
void native_fatal_12(void), native_fatal_13(void), native_fatal_14(void), native_fatal_15(void);
void native_fatal_16(void), native_fatal_17(void), native_fatal_18(void), native_fatal_19(void);
void native_spurious(void);

static void (*const fatal_stubs[20])(void) = {
    native_fatal_0, native_fatal_1, native_fatal_2, native_fatal_3, native_fatal_4,
    native_fatal_5, native_fatal_6, native_fatal_7, native_fatal_8, native_fatal_9,
    native_fatal_10, native_fatal_11, native_fatal_12, native_fatal_13, native_fatal_14,
    native_fatal_15, native_fatal_16, native_fatal_17, native_fatal_18, native_fatal_19,
};

static uint64_t gdt[6] __attribute__((aligned(8)));
static uint64_t idt[256] __attribute__((aligned(8)));
static struct tss tss;

uint32_t native_kernel_l3, native_kernel_l2[4];
static uint32_t next_frame, end_frame;

uint32_t native_frame_alloc(void)
{
    uint32_t f;

    if ( next_frame >= end_frame )
        panic("native_frame_alloc: out of memory (%u frames)", end_frame);
    f = next_frame++;
    memset((void *)(unsigned long)(f << PAGE_SHIFT), 0, PAGE_SIZE);
    return f;
}

static uint64_t *table(uint32_t frame)
{
    return (uint64_t *)(unsigned long)(frame << PAGE_SHIFT);
}

void native_set_gate(unsigned int vec, void (*entry)(void), unsigned int dpl)
{
    uint32_t off = (uint32_t)(unsigned long)entry;

    idt[vec & 0xff] = (off & 0xffff) | ((uint64_t)NATIVE_KERNEL_CS << 16) |
                      ((uint64_t)(GATE_INTR | ((dpl & 3) << 5)) << 40) |
                      ((uint64_t)(off >> 16) << 48);
}

void native_set_kernel_stack(uint32_t esp0)
{
    tss.esp0 = esp0;
}

static uint64_t seg(uint32_t access)
{
    /* Flat: base 0, limit 4 GiB, 32-bit, page granular. */
    return 0x00cf00000000ffffull | ((uint64_t)access << 40);
}

static void gdt_init(void)
{
    uint32_t base = (uint32_t)(unsigned long)&tss;
    struct desc_ptr gp = { sizeof(gdt) - 1, (uint32_t)(unsigned long)gdt };

    gdt[1] = seg(0x9a);     /* ring-0 code */
    gdt[2] = seg(0x92);     /* ring-0 data */
    gdt[3] = seg(0xfa);     /* ring-3 code */
    gdt[4] = seg(0xf2);     /* ring-3 data */
    gdt[5] = (sizeof(tss) - 1) | ((uint64_t)(base & 0xffffff) << 16) |
             ((uint64_t)0x89 << 40) | ((uint64_t)(base >> 24) << 56);
    tss.ss0 = NATIVE_KERNEL_SS;
    tss.iomap = sizeof(tss);        /* no I/O bitmap: ring 3 has no ports */

    asm volatile ( "lgdt %0\n\t"
                   "ljmp %1, $1f\n"
                   "1:\n\t"
                   "mov %2, %%ss\n\t"
                   "mov %3, %%ds\n\t"
                   "mov %3, %%es\n\t"
                   "mov %3, %%fs\n\t"
                   "mov %3, %%gs\n\t"
                   "ltr %w4"
                   :: "m" (gp), "i" (NATIVE_KERNEL_CS), "r" (NATIVE_KERNEL_SS),
                      "r" (NATIVE_USER_DS), "r" (NATIVE_TSS) : "memory" );
}

static void idt_init(void)
{
    struct desc_ptr ip = { sizeof(idt) - 1, (uint32_t)(unsigned long)idt };

    for ( unsigned int v = 0; v < ARRAY_SIZE(fatal_stubs); v++ )
        native_set_gate(v, fatal_stubs[v], 0);
    native_set_gate(APIC_SPURIOUS_VEC, native_spurious, 0);
    asm volatile ( "lidt %0" :: "m" (ip) );
}

static void paging_init(uint32_t mem_end)
{
    uint32_t user_lo = (uint32_t)(unsigned long)__user_start >> PAGE_SHIFT;
    uint32_t user_hi = (uint32_t)(unsigned long)__user_end >> PAGE_SHIFT;
    uint32_t l1 = 0, apic_l1;
    uint32_t cr0, cr4;

    if ( mem_end > KERNEL_MEM_MAX )
        mem_end = KERNEL_MEM_MAX;
    next_frame = ((uint32_t)(unsigned long)__image_end + PAGE_SIZE - 1) >> PAGE_SHIFT;
    end_frame = mem_end >> PAGE_SHIFT;

    native_kernel_l3 = native_frame_alloc();
    native_kernel_l2[0] = native_frame_alloc();
    native_kernel_l2[3] = native_frame_alloc();
    /* Frame 0 stays unmapped: a null pointer faults. */
    for ( uint32_t f = 1; f < end_frame; f++ )
    {
        uint64_t pte = ((uint64_t)f << PAGE_SHIFT) | NPTE_P | NPTE_RW | NPTE_A | NPTE_D;

        if ( !l1 || (f % 512) == 0 )
        {
            l1 = native_frame_alloc();
            table(native_kernel_l2[0])[f / 512] =
                ((uint64_t)l1 << PAGE_SHIFT) | NPTE_P | NPTE_RW | NPTE_US | NPTE_A;
        }
        if ( f >= user_lo && f < user_hi )
            pte |= NPTE_US;
        table(l1)[f % 512] = pte;
    }
    apic_l1 = native_frame_alloc();
    table(native_kernel_l2[3])[(NATIVE_APIC_BASE >> 21) & 511] =
        ((uint64_t)apic_l1 << PAGE_SHIFT) | NPTE_P | NPTE_RW | NPTE_A;
    table(apic_l1)[(NATIVE_APIC_BASE >> 12) & 511] =
        NATIVE_APIC_BASE | NPTE_P | NPTE_RW | NPTE_PWT | NPTE_PCD | NPTE_A | NPTE_D;
    /* PAE page-directory-pointer entries hold only P (RW/US are reserved). */
    table(native_kernel_l3)[0] = ((uint64_t)native_kernel_l2[0] << PAGE_SHIFT) | NPTE_P;
    table(native_kernel_l3)[3] = ((uint64_t)native_kernel_l2[3] << PAGE_SHIFT) | NPTE_P;

    asm volatile ( "mov %%cr4, %0" : "=r" (cr4) );
    asm volatile ( "mov %0, %%cr4" :: "r" (cr4 | CR4_PAE) );
    native_write_cr3(native_kernel_l3 << PAGE_SHIFT);
    asm volatile ( "mov %%cr0, %0" : "=r" (cr0) );
    asm volatile ( "mov %0, %%cr0" :: "r" (cr0 | CR0_PG | CR0_WP) : "memory" );
}

static volatile uint32_t *apic_reg(unsigned int off)
{
    return (volatile uint32_t *)(unsigned long)(NATIVE_APIC_BASE + off);
}

void native_apic_init(void)
{
    *apic_reg(APIC_TPR) = 0;
    *apic_reg(APIC_SVR) = APIC_SVR_ENABLE | APIC_SPURIOUS_VEC;
}

void native_apic_self_ipi(unsigned int vec)
{
    *apic_reg(APIC_ICR_LO) = APIC_ICR_SELF | (vec & 0xff);
}

void native_apic_eoi(void)
{
    *apic_reg(APIC_EOI) = 0;
}

void native_cpu_init(uint32_t mem_end);
void native_cpu_init(uint32_t mem_end)
{
    /* The BIOS left the legacy PICs delivering IRQ 0 (the PIT) on vector 8:
     * mask every line, interrupts come from the local APIC only. */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    gdt_init();
    idt_init();
    paging_init(mem_end);
}
