/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * desc.c - the descriptor tables: the GDT (the guest's frames under the
 * hypervisor's entries), the LDT area, the IDT with its gates (and the
 * guest's int $0x80 gate), the TSS with the ring-1 stack: arch.h's
 * arch_load_gdt, arch_load_ldt, arch_map_ldt_page, arch_set_kernel_stack and
 * arch_set_fast_trap.
 */
#include "x86.h"

struct tss32 {
    uint16_t link, _r0;
    uint32_t esp0;
    uint16_t ss0, _r1;
    uint32_t esp1;
    uint16_t ss1, _r2;
    uint32_t esp2;
    uint16_t ss2, _r3;
    uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint16_t es, _r4, cs, _r5, ss, _r6, ds, _r7, fs, _r8, gs, _r9, ldt, _r10;
    uint16_t trap, iomap_base;
} __packed;
_Static_assert(sizeof(struct tss32) == 104, "hardware TSS layout");

struct desc_ptr {
    uint16_t limit;
    uint32_t base;
} __packed;

/* 16 pages: the first 14 are the guests' (empty until set_gdt), the rest ours. */
static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint64_t idt[256] __attribute__((aligned(8)));
static struct tss32 tss __attribute__((aligned(128)));

/*
 * The GDT the CPU uses is a virtual area at ARCH_VIRT_START (L2 slot 436,
 * shared by every address space): 16 read-only pages, 0..13 the running
 * vCPU's guest frames (arch_load_gdt) or a zero page, 14 and 15 gdt[]'s own
 * last pages with the hypervisor's entries. Every descriptor has its accessed
 * bit set (the core sets it in guest ones), so the CPU never writes to them.
 */
#define GDT_VIRT    ARCH_VIRT_START
#define GDT_PTE     (_PAGE_PRESENT | _PAGE_ACCESSED)
static uint64_t gdt_l1[512] __attribute__((aligned(PAGE_SIZE)));
static uint8_t gdt_zero_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
/* Guest GDT pages in gdt_l1[0..gdt_pages), LDT pages mapped (bit i: page i). */
#define LDT_L1 ((LDT_VIRT_START - GDT_VIRT) >> PAGE_SHIFT)   /* the LDT area's first gdt_l1 slot */
static unsigned int gdt_pages;
static uint32_t ldt_mapped;
/* The lowest and highest of those frames: almost every write the core
 * reports (page-table entries) is outside, and is decided by two compares. */
static mfn_t desc_lo = INVALID_MFN, desc_hi;

static void desc_range_add(mfn_t mfn)
{
    desc_lo = MIN(desc_lo, mfn);
    desc_hi = MAX(desc_hi, mfn);
}

static void desc_range_recompute(void)
{
    desc_lo = INVALID_MFN;
    desc_hi = 0;
    for ( unsigned int i = 0; i < gdt_pages; i++ )
        desc_range_add((mfn_t)(gdt_l1[i] >> PAGE_SHIFT));
    for ( uint32_t m = ldt_mapped; m; m &= m - 1 )
        desc_range_add((mfn_t)(gdt_l1[LDT_L1 + __builtin_ctz(m)] >> PAGE_SHIFT));
}

/*
 * A segment register keeps the descriptor it was loaded with; the exit path
 * (entry.S) only reloads those whose selector changed, unless this is set:
 * set by whatever may change what a loaded selector means (another vCPU's
 * tables, set_gdt, an LDT, a write to a live descriptor page), so a guest
 * always resumes with descriptors read from its current tables.
 */
uint8_t x86_segs_stale = 1;

/*
 * A code/data descriptor: limit in pages (G=1), 32-bit, present, with the
 * accessed bit already set so the CPU never writes the GDT to set it.
 */
static uint64_t seg_desc(unsigned int dpl, bool code, uint32_t limit_pages)
{
    uint64_t type = code ? 0xb : 0x3;   /* code exec/read, data read/write; accessed */

    return (limit_pages & 0xffff) |
           ((uint64_t)(limit_pages >> 16) & 0xf) << 48 |
           (type | 0x10 | (uint64_t)dpl << 5 | 0x80) << 40 |   /* S=1, DPL, P */
           (uint64_t)0xc << 52;                                /* G=1, D=1 */
}

static uint64_t tss_desc(uint32_t base, uint32_t limit)
{
    return (limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 |
           (uint64_t)0x89 << 40 |                               /* present, 32-bit TSS available */
           (uint64_t)((limit >> 16) & 0xf) << 48 | (uint64_t)(base >> 24) << 56;
}

static uint64_t gate_desc(void (*entry)(void), unsigned int dpl)
{
    uint32_t off = (uint32_t)entry;

    return (off & 0xffff) | (uint64_t)__HYPERVISOR_CS << 16 |
           (uint64_t)(0x8e | dpl << 5) << 40 |                 /* present 32-bit interrupt gate */
           (uint64_t)(off >> 16) << 48;
}

static void gdt_init(void)
{
    struct desc_ptr p = { .limit = GDT_ENTRIES * 8 - 1, .base = (uint32_t)gdt };

    gdt[__HYPERVISOR_CS >> 3] = seg_desc(0, true, 0xfffff);
    gdt[__HYPERVISOR_DS >> 3] = seg_desc(0, false, 0xfffff);
    gdt[FLAT_RING1_CS >> 3] = seg_desc(1, true, GUEST_SEGMENT_LIMIT_PAGES);
    gdt[FLAT_RING1_DS >> 3] = seg_desc(1, false, GUEST_SEGMENT_LIMIT_PAGES);
    gdt[FLAT_RING3_CS >> 3] = seg_desc(3, true, GUEST_SEGMENT_LIMIT_PAGES);
    gdt[FLAT_RING3_DS >> 3] = seg_desc(3, false, GUEST_SEGMENT_LIMIT_PAGES);
    /* No I/O bitmap: its offset is past the limit, so ring 1/3 port I/O is refused. */
    tss.ss0 = __HYPERVISOR_DS;
    tss.esp0 = (uint32_t)X86_STACK_TOP;
    tss.iomap_base = sizeof(tss);
    gdt[__TSS_SEL >> 3] = tss_desc((uint32_t)&tss, sizeof(tss) - 1);
    /* __LDT_SEL stays empty until guests have LDTs. */

    asm volatile ( "lgdt %0" :: "m" (p) );
    asm volatile ( "ljmp %0, $1f; 1:" :: "i" (__HYPERVISOR_CS) );
    asm volatile ( "mov %0, %%ds; mov %0, %%es; mov %0, %%ss; mov %1, %%fs; mov %1, %%gs"
                   :: "r" (__HYPERVISOR_DS), "r" (0) : "memory" );
    asm volatile ( "ltr %w0" :: "r" (__TSS_SEL) );
    asm volatile ( "lldt %w0" :: "r" (0) );

    /* ltr marked the TSS busy through gdt[]: from now on the GDT area. */
    for ( unsigned int i = 0; i < GDT_ENTRIES / 512; i++ )
        gdt_l1[i] = (i < FIRST_RESERVED_GDT_PAGE ? __pa(gdt_zero_page) : __pa(&gdt[i * 512])) |
                    GDT_PTE;
    boot_l2_high[GDT_L2_SLOT] = __pa(gdt_l1) | _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED;
    p.base = GDT_VIRT;
    asm volatile ( "lgdt %0" :: "m" (p) );
}


void arch_load_gdt(const mfn_t *frames, unsigned int nr)
{
    X86_BUG_ON(nr > FIRST_RESERVED_GDT_PAGE);
    for ( unsigned int i = 0; i < FIRST_RESERVED_GDT_PAGE; i++ )
    {
        uint64_t e = (i < nr ? (uint64_t)frames[i] << PAGE_SHIFT : __pa(gdt_zero_page)) | GDT_PTE;

        if ( gdt_l1[i] == e )
            continue;
        gdt_l1[i] = e;
        asm volatile ( "invlpg (%0)" :: "r" (GDT_VIRT + i * PAGE_SIZE) : "memory" );
        x86_segs_stale = 1;
    }
    gdt_pages = nr;
    desc_range_recompute();
}

static void idt_init(void)
{
    struct desc_ptr p = { .limit = sizeof(idt) - 1, .base = (uint32_t)idt };
    const struct x86_stub *s;

    for ( s = x86_stubs; s < x86_stubs_end; s++ )
    {
        unsigned int dpl = 0;

        if ( s->vector == X86_EXC_BP || s->vector == X86_EXC_OF )
            dpl = 3;                    /* int3 and into work from any ring */
        else if ( s->vector == VECTOR_HYPERCALL )
            dpl = 1;                    /* guest kernels only; ring 3 gets #GP */
        idt[s->vector] = gate_desc(s->entry, dpl);
    }
    asm volatile ( "lidt %0" :: "m" (p) );
}

void x86_desc_init(void)
{
    gdt_init();
    idt_init();
}

/*
 * bench_trap=1 (make bench): gate 0xf0, DPL 1, whose handler is a bare iret,
 * so a guest can time the hardware trap round trip that a hypercall pays on
 * top. Never installed otherwise. The core ignores the option (and says so).
 */
#define VECTOR_BENCH_TRAP   0xf0
void x86_bench_trap(void);

void x86_bench_trap_init(const char *cmdline)
{
    static const char opt[] = "bench_trap=1";
    const char *p;

    for ( p = cmdline; *p; p++ )
        if ( (p == cmdline || p[-1] == ' ') && !strncmp(p, opt, sizeof(opt) - 1) &&
             (p[sizeof(opt) - 1] == ' ' || p[sizeof(opt) - 1] == '\0') )
        {
            idt[VECTOR_BENCH_TRAP] = gate_desc(x86_bench_trap, 1);
            return;
        }
}

void arch_set_kernel_stack(uint32_t ss, uint32_t esp)
{
    tss.ss1 = (uint16_t)ss;
    tss.esp1 = esp;
}

/*
 * The LDT area (LDT_VIRT_START, in the same L1 as the GDT area): pages not
 * present until the core maps them, so the CPU's first use of each page
 * faults into core_trap. The descriptor at __LDT_SEL describes it.
 */
_Static_assert(LDT_L1 >= GDT_ENTRIES / 512 && LDT_L1 + LDT_MAX_PAGES <= 512, "LDT area");

void arch_load_ldt(uint32_t ents)
{
    X86_BUG_ON(ents > LDT_MAX_PAGES * 512);
    for ( unsigned int i = 0; i < LDT_MAX_PAGES; i++ )
    {
        gdt_l1[LDT_L1 + i] = 0;
        asm volatile ( "invlpg (%0)" :: "r" (LDT_VIRT_START + i * PAGE_SIZE) : "memory" );
    }
    ldt_mapped = 0;
    desc_range_recompute();
    x86_segs_stale = 1;
    if ( !ents )
    {
        asm volatile ( "lldt %w0" :: "r" (0) );
        return;
    }
    /* gdt[] is the writable view of the GDT area's reserved pages. */
    gdt[__LDT_SEL >> 3] = ((ents * 8 - 1) & 0xffff) | (uint64_t)(LDT_VIRT_START & 0xffffff) << 16 |
                          (uint64_t)0x82 << 40 |                /* present, LDT, DPL 0 */
                          (uint64_t)(((ents * 8 - 1) >> 16) & 0xf) << 48 |
                          (uint64_t)(LDT_VIRT_START >> 24) << 56;
    asm volatile ( "lldt %w0" :: "r" (__LDT_SEL) : "memory" );
}

void arch_map_ldt_page(unsigned int idx, mfn_t mfn)
{
    X86_BUG_ON(idx >= LDT_MAX_PAGES);
    gdt_l1[LDT_L1 + idx] = ((uint64_t)mfn << PAGE_SHIFT) | GDT_PTE;
    asm volatile ( "invlpg (%0)" :: "r" (LDT_VIRT_START + idx * PAGE_SIZE) : "memory" );
    ldt_mapped |= 1u << idx;
    desc_range_add(mfn);
}

/* The core wrote frames through its own mapping (update_descriptor). */
void x86_desc_frames_written(mfn_t mfn, unsigned int nr)
{
    if ( mfn > desc_hi || mfn + nr <= desc_lo )
        return;
    for ( unsigned int i = 0; i < gdt_pages; i++ )
        if ( (mfn_t)(gdt_l1[i] >> PAGE_SHIFT) - mfn < nr )
            x86_segs_stale = 1;
    for ( uint32_t m = ldt_mapped; m; m &= m - 1 )
        if ( (mfn_t)(gdt_l1[LDT_L1 + __builtin_ctz(m)] >> PAGE_SHIFT) - mfn < nr )
            x86_segs_stale = 1;
}

/* Xen's int80 direct trap: a DPL-3 trap gate (IF kept, so the timer still
 * preempts) into the guest's validated ring-1 handler. Never one of ours. */
void arch_set_fast_trap(unsigned int vector, uint32_t cs, uint32_t eip)
{
    X86_BUG_ON(vector != 0x80);
    idt[vector] = !cs ? 0 :
                  (eip & 0xffff) | (uint64_t)(cs & 0xffff) << 16 |
                  (uint64_t)(0x8f | 3 << 5) << 40 |           /* present 32-bit trap gate, DPL 3 */
                  (uint64_t)(eip >> 16) << 48;
}

bool x86_fast_trap_set(void)
{
    return idt[0x80] != 0;
}
