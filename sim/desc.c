/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * desc.c - the simulator's descriptor tables: the GDT (the guest's frames
 * mapped under the hypervisor's entries), the LDT area, the TSS with the
 * ring-1 stack, and the guest's int $0x80 gate: arch.h's arch_load_gdt,
 * arch_load_ldt, arch_map_ldt_page, arch_set_kernel_stack and
 * arch_set_fast_trap. The CPU reads the tables through the arch area's
 * shared L1 (mem.c), as on arch-x86 (desc.c there).
 */
#include "sim.h"

/* x86 descriptor fields. */
#define DESC_TYPE_CODE  0xbu        /* execute/read, accessed */
#define DESC_TYPE_DATA  0x3u        /* read/write, accessed */
#define DESC_TYPE_TSS   0xbu        /* 32-bit TSS, busy: nothing ever writes the GDT */
#define DESC_S          (1u << 12)
#define DESC_P          (1u << 15)
#define DESC_DB         (1u << 22)
#define DESC_G          (1u << 23)

/* TSS offsets (32-bit TSS). */
#define TSS_ESP0        4
#define TSS_SS0         8
#define TSS_ESP1        12
#define TSS_SS1         16
#define TSS_IOMAP       102

static void *sim_frame_ptr(unsigned int idx)
{
    return mem_ptr(mem_sim_frame(idx), PAGE_SIZE);
}

static uint64_t gdt_desc(uint32_t base, uint32_t limit, uint32_t type,
                         unsigned int dpl, uint32_t flags)
{
    uint32_t lo = (limit & 0xffff) | (base << 16);
    uint32_t hi = ((base >> 16) & 0xff) | (type << 8) | (dpl << 13) | DESC_P |
                  (limit & 0xf0000) | flags | (base & 0xff000000u);

    return ((uint64_t)hi << 32) | lo;
}

/* The hypervisor's GDT entries and the TSS, as arch-x86's desc.c makes them. */
void desc_build(void)
{
    uint64_t *gdt = mem_ptr(mem_sim_frame(SIM_F_GDT), SIM_GDT_PAGES * PAGE_SIZE);
    uint8_t *tss = sim_frame_ptr(SIM_F_TSS);

    memset(gdt, 0, SIM_GDT_PAGES * PAGE_SIZE);
    /* Accessed bits pre-set: the CPU would otherwise write them into a
     * read-only page. */
    gdt[__HYPERVISOR_CS >> 3] = gdt_desc(0, 0xfffff, DESC_TYPE_CODE, 0, DESC_S | DESC_DB | DESC_G);
    gdt[__HYPERVISOR_DS >> 3] = gdt_desc(0, 0xfffff, DESC_TYPE_DATA, 0, DESC_S | DESC_DB | DESC_G);
    gdt[FLAT_RING1_CS >> 3] = gdt_desc(0, GUEST_SEGMENT_LIMIT_PAGES, DESC_TYPE_CODE, 1,
                                       DESC_S | DESC_DB | DESC_G);
    gdt[FLAT_RING1_DS >> 3] = gdt_desc(0, GUEST_SEGMENT_LIMIT_PAGES, DESC_TYPE_DATA, 1,
                                       DESC_S | DESC_DB | DESC_G);
    gdt[FLAT_RING3_CS >> 3] = gdt_desc(0, GUEST_SEGMENT_LIMIT_PAGES, DESC_TYPE_CODE, 3,
                                       DESC_S | DESC_DB | DESC_G);
    gdt[FLAT_RING3_DS >> 3] = gdt_desc(0, GUEST_SEGMENT_LIMIT_PAGES, DESC_TYPE_DATA, 3,
                                       DESC_S | DESC_DB | DESC_G);
    gdt[__TSS_SEL >> 3] = gdt_desc(SIM_VA_TSS, SIM_TSS_LIMIT, DESC_TYPE_TSS, 0, 0);

    memset(tss, 0, PAGE_SIZE);
    *(uint16_t *)(tss + TSS_SS0) = __HYPERVISOR_DS;
    *(uint16_t *)(tss + TSS_IOMAP) = SIM_TSS_LIMIT + 1;  /* no I/O bitmap */
}

void arch_set_kernel_stack(uint32_t ss, uint32_t esp)
{
    uint8_t *tss = sim_frame_ptr(SIM_F_TSS);

    *(uint32_t *)(tss + TSS_ESP1) = esp;
    *(uint16_t *)(tss + TSS_SS1) = (uint16_t)ss;
}

/*
 * The guest's GDT pages are mapped over GDT pages 0..13 of the shared L1,
 * read-only like the rest of the GDT (the core sets every accessed bit, so
 * the CPU never writes them); unused pages map the simulator's own zeroed
 * GDT frames. Pages 14 and 15 (the reserved entries) never change.
 */
/* The guest frames in the GDT now: a core write to one of them (a
 * descriptor update) must reach the segment registers as on hardware, where
 * every exit reloads them from the GDT. */
static mfn_t gdt_frames[FIRST_RESERVED_GDT_PAGE];
static unsigned int gdt_nr;
bool sim_segs_stale;

void arch_load_gdt(const mfn_t *frames, unsigned int nr)
{
    uint64_t *l1 = sim_frame_ptr(SIM_F_HYP_L1);
    unsigned int i;

    if ( nr > FIRST_RESERVED_GDT_PAGE )
        sim_panic("arch_load_gdt: %u frames", nr);
    for ( i = 0; i < FIRST_RESERVED_GDT_PAGE; i++ )
    {
        if ( i < nr && mem_ptr((paddr_t)frames[i] << PAGE_SHIFT, PAGE_SIZE) == NULL )
            sim_panic("arch_load_gdt: frame %#x outside RAM", frames[i]);
        l1[i] = (i < nr ? (uint64_t)frames[i] << PAGE_SHIFT : mem_sim_frame(SIM_F_GDT + i)) |
                _PAGE_PRESENT | _PAGE_ACCESSED;
    }
    if ( uc_ctl_flush_tlb(sim_uc) != UC_ERR_OK )
        sim_panic("arch_load_gdt: cannot flush the TLB");
    memcpy(gdt_frames, frames, nr * sizeof(*frames));
    gdt_nr = nr;
    sim_segs_stale = true;
}

/* The LDT area: L1 entries from LDT_VIRT_START up, read-only, filled one
 * page at a time as the core validates them. The LDTR itself is cpu.c's. */
#define SIM_LDT_L1 ((LDT_VIRT_START - ARCH_VIRT_START) >> PAGE_SHIFT)
_Static_assert(SIM_LDT_L1 >= SIM_NR_FRAMES && SIM_LDT_L1 + LDT_MAX_PAGES <= 512,
               "the LDT area is clear of the simulator's pages");

void arch_load_ldt(uint32_t ents)
{
    uint64_t *l1 = sim_frame_ptr(SIM_F_HYP_L1);

    for ( unsigned int i = 0; i < LDT_MAX_PAGES; i++ )
        l1[SIM_LDT_L1 + i] = 0;
    if ( uc_ctl_flush_tlb(sim_uc) != UC_ERR_OK )
        sim_panic("arch_load_ldt: cannot flush the TLB");
    cpu_set_ldt(ents);
}

void arch_map_ldt_page(unsigned int idx, mfn_t mfn)
{
    uint64_t *l1 = sim_frame_ptr(SIM_F_HYP_L1);

    if ( idx >= LDT_MAX_PAGES || mem_ptr((paddr_t)mfn << PAGE_SHIFT, PAGE_SIZE) == NULL )
        sim_panic("arch_map_ldt_page(%u, %#x)", idx, mfn);
    l1[SIM_LDT_L1 + idx] = ((uint64_t)mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_ACCESSED;
    if ( uc_ctl_flush_tlb(sim_uc) != UC_ERR_OK )
        sim_panic("arch_map_ldt_page: cannot flush the TLB");
}

bool desc_read(uint32_t sel, uint32_t ldt_ents, uint64_t *desc)
{
    const uint64_t *l1 = sim_frame_ptr(SIM_F_HYP_L1);
    uint32_t off = (sel >> 3) * 8;
    const void *p;

    if ( sel & 4 )
    {
        if ( (sel >> 3) >= ldt_ents )
            return false;
        off += LDT_VIRT_START - ARCH_VIRT_START;
    }
    if ( !(l1[off >> PAGE_SHIFT] & _PAGE_PRESENT) )
        return false;
    p = mem_ptr((l1[off >> PAGE_SHIFT] & PTE_ADDR_MASK) + (off & (PAGE_SIZE - 1)), 8);
    if ( p == NULL )
        return false;
    memcpy(desc, p, 8);
    return true;
}

/* The core wrote these frames through its own mapping (update_descriptor):
 * a loaded segment register keeps a copy of what was there. */
void desc_frames_written(mfn_t mfn, unsigned int nr)
{
    for ( unsigned int i = 0; i < gdt_nr; i++ )
        if ( gdt_frames[i] >= mfn && gdt_frames[i] < mfn + nr )
            sim_segs_stale = true;
}

/*
 * The simulator has no IDT: a guest's `int n` arrives in traps.c's hook,
 * which applies the gates of pvx's IDT (arch-x86's desc.c) itself. This one
 * is the DPL-3 trap gate of arch.h's arch_set_fast_trap, delivered by
 * traps.c as the CPU delivers it (traps_fast_trap), never by the core.
 */
static uint32_t fast_trap_cs, fast_trap_eip;

void arch_set_fast_trap(unsigned int vector, uint32_t cs, uint32_t eip)
{
    if ( vector != FAST_TRAP_VECTOR )
        sim_panic("arch_set_fast_trap(%#x): only int $0x80 has a gate", vector);
    fast_trap_cs = cs & 0xffff;
    fast_trap_eip = cs ? eip : 0;
}

bool desc_fast_trap(uint32_t *cs, uint32_t *eip)
{
    *cs = fast_trap_cs;
    *eip = fast_trap_eip;
    return fast_trap_cs != 0;
}

/* The TSS's stack for ring 1 or 2 (ring 2's is null: pvx never sets it). */
void desc_tss_stack(unsigned int ring, uint32_t *ss, uint32_t *esp)
{
    const uint8_t *tss = sim_frame_ptr(SIM_F_TSS);

    *ss = ring == 1 ? *(const uint16_t *)(tss + TSS_SS1) : 0;
    *esp = ring == 1 ? *(const uint32_t *)(tss + TSS_ESP1) : 0;
}
