/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mem.c - machine memory of pvx-sim.
 *
 * RAM is one anonymous host mapping, handed to Unicorn at machine address 0
 * (uc_mem_map_ptr), so the core, the host and the emulated MMU all see the
 * same bytes at once. The simulator takes SIM_NR_FRAMES frames at the top of
 * RAM: the GDT, a TSS, the hypervisor-area L1 that every address space shares
 * (L2 slot 436), a ring-0 trampoline and the throw-away bootstrap page tables
 * used once to make the ring templates.
 *
 * Arch area layout (L2 slot 436, 0xF6800000..0xF69FFFFF, supervisor only):
 *   +0x00000  GDT, 16 pages
 *   +0x10000  TSS (ss1/esp1 of a ring-3 -> ring-1 call gate)
 *   +0x11000  trampoline: ring-0 `iret` and the frame it pops (cpu.c)
 *   +0x20000  LDT, 16 pages, filled as the core validates them
 * All of it read-only: ring 1 is "supervisor" to the MMU, and Unicorn does
 * not enforce the segment limit that keeps a guest out of here on hardware.
 * Only the host writes these pages, through sim_ram.
 */
#include <sys/mman.h>

#include "sim.h"

uint8_t *sim_ram;
uint64_t sim_ram_size;
mfn_t sim_first_frame;
/* All of it, as x86's direct map promises its first 128 MiB: the core takes
 * the same inline path on both machines. */
struct arch_direct_map arch_direct_map;

void mem_init(uint64_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    if ( p == MAP_FAILED )
        sim_panic("cannot allocate %llu bytes of machine memory",
                  (unsigned long long)size);
    sim_ram = p;
    sim_ram_size = size;
    sim_first_frame = (mfn_t)(size >> PAGE_SHIFT) - SIM_NR_FRAMES;
    arch_direct_map = (struct arch_direct_map){
        .base = (uintptr_t)p, .frames = (uint32_t)(size >> PAGE_SHIFT),
    };
}

paddr_t mem_sim_frame(unsigned int idx)
{
    return (paddr_t)(sim_first_frame + idx) << PAGE_SHIFT;
}

void *mem_ptr(paddr_t pa, uint64_t len)
{
    if ( pa >= sim_ram_size || len > sim_ram_size - pa )
        return NULL;
    return sim_ram + pa;
}

static void *frame_ptr(unsigned int idx)
{
    return sim_ram + mem_sim_frame(idx);
}

void mem_build_sim_frames(void)
{
    uint64_t *l1 = frame_ptr(SIM_F_HYP_L1);
    uint64_t *l3, *l2lo, *l1lo;
    uint8_t *landing;
    unsigned int i;

    desc_build();
    /* The shared L1: supervisor only, read-only (a guest's ring 1 writing
     * the trampoline would run its code in ring 0). A pre-set so the MMU
     * never writes into this table. */
    memset(l1, 0, PAGE_SIZE);
    for ( i = 0; i < SIM_GDT_PAGES; i++ )
        l1[i] = mem_sim_frame(SIM_F_GDT + i) | _PAGE_PRESENT | _PAGE_ACCESSED;
    l1[SIM_F_TSS] = mem_sim_frame(SIM_F_TSS) | _PAGE_PRESENT | _PAGE_ACCESSED;
    l1[SIM_F_TRAMP] = mem_sim_frame(SIM_F_TRAMP) | _PAGE_PRESENT | _PAGE_ACCESSED;
    memset(frame_ptr(SIM_F_NULL_L3), 0, PAGE_SIZE);

    /* Bootstrap address space: VA 0x1000 -> landing page (user), slot 3 -> the
     * arch area as every guest sees it. */
    l3 = frame_ptr(SIM_F_BOOT_L3);
    l2lo = frame_ptr(SIM_F_BOOT_L2LO);
    l1lo = frame_ptr(SIM_F_BOOT_L1LO);
    memset(l3, 0, PAGE_SIZE);
    memset(l2lo, 0, PAGE_SIZE);
    memset(l1lo, 0, PAGE_SIZE);
    l3[0] = mem_sim_frame(SIM_F_BOOT_L2LO) | _PAGE_PRESENT;
    l3[3] = mem_sim_frame(SIM_F_BOOT_L2HI) | _PAGE_PRESENT;
    l2lo[0] = mem_sim_frame(SIM_F_BOOT_L1LO) | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER |
              _PAGE_ACCESSED;
    l1lo[SIM_VA_LANDING >> PAGE_SHIFT] = mem_sim_frame(SIM_F_LANDING) | _PAGE_PRESENT |
                                         _PAGE_USER | _PAGE_ACCESSED;
    memset(frame_ptr(SIM_F_BOOT_L2HI), 0, PAGE_SIZE);
    arch_fill_hyp_l2(frame_ptr(SIM_F_BOOT_L2HI));

    /* Landing code: copy SS (the new ring's data selector) into the data
     * segment registers, so the template already holds FLAT_RINGn_DS. */
    landing = frame_ptr(SIM_F_LANDING);
    memset(landing, 0x90, PAGE_SIZE);
    memcpy(landing, "\x8c\xd0"          /* mov %ss,%eax */
                    "\x8e\xd8"          /* mov %eax,%ds */
                    "\x8e\xc0"          /* mov %eax,%es */
                    "\x8e\xe0"          /* mov %eax,%fs */
                    "\x8e\xe8", 10);    /* mov %eax,%gs */
}

void arch_fill_hyp_l2(uint64_t *l2)
{
    unsigned int i;

    /* RW at this level: the L1 entries decide (GDT read-only). */
    l2[ARCH_FIRST_L2_SLOT] = mem_sim_frame(SIM_F_HYP_L1) | _PAGE_PRESENT | _PAGE_RW |
                             _PAGE_ACCESSED;
    for ( i = ARCH_FIRST_L2_SLOT + 1; i < NR_L2_SLOTS; i++ )
        l2[i] = 0;
}

void *arch_map_frames(mfn_t mfn, unsigned int nr)
{
    void *p = mem_ptr((paddr_t)mfn << PAGE_SHIFT, (uint64_t)nr << PAGE_SHIFT);

    if ( p == NULL || nr == 0 )
        sim_panic("arch_map_frames(%#x, %u): outside machine memory", mfn, nr);
    return p;
}

void arch_unmap_frames(void *va, unsigned int nr)
{
    (void)va;
    (void)nr;                   /* everything is always mapped */
}

static bool read_pte(uint64_t table, unsigned int idx, uint64_t *pte)
{
    uint64_t *p = mem_ptr(table + idx * 8, 8);

    if ( p == NULL )
        return false;
    *pte = *p;
    return true;
}

/*
 * A software PAE walk, as the MMU does it, without side effects (no A/D
 * writes, no CR2). Used to read guest code for decoding and tracing, and to
 * reconstruct #PF error codes, which Unicorn does not report.
 */
void mem_walk(uint32_t cr3, uint32_t va, struct sim_walk *w)
{
    uint64_t rsvd = ~PTE_ADDR_MASK & ~0xfffull & (sim_nx ? ~_PAGE_NX : ~0ull);
    uint64_t e;

    memset(w, 0, sizeof(*w));
    w->rw = w->us = true;

    if ( !read_pte(cr3 & ~0x1fu, l3_table_offset(va), &e) || !(e & _PAGE_PRESENT) )
        return;
    if ( (e & rsvd) || (e & 0x1e6) )   /* PDPTE: RW/US/A/D/PS are reserved */
        w->rsvd = true;

    if ( !read_pte(e & PTE_ADDR_MASK, l2_table_offset(va), &e) || !(e & _PAGE_PRESENT) )
        return;
    w->rsvd |= !!(e & rsvd);
    w->rw &= !!(e & _PAGE_RW);
    w->us &= !!(e & _PAGE_USER);
    w->nx |= !!(e & _PAGE_NX);
    if ( e & _PAGE_PSE )
    {
        w->pa = (e & PTE_ADDR_MASK & ~0x1fffffull) | (va & 0x1fffff);
        w->ok = w->pa < sim_ram_size;
        return;
    }

    if ( !read_pte(e & PTE_ADDR_MASK, l1_table_offset(va), &e) || !(e & _PAGE_PRESENT) )
        return;
    w->rsvd |= !!(e & rsvd);
    w->rw &= !!(e & _PAGE_RW);
    w->us &= !!(e & _PAGE_USER);
    w->nx |= !!(e & _PAGE_NX);
    w->pa = (e & PTE_ADDR_MASK) | (va & 0xfff);
    w->ok = w->pa < sim_ram_size;
}

/* Read guest-virtual bytes through the tables at cr3, ignoring permissions.
 * Returns how many bytes could be read (stops at the first hole). */
size_t mem_read_virt(uint32_t cr3, uint32_t va, void *buf, size_t len)
{
    uint8_t *out = buf;
    size_t done = 0;

    while ( done < len )
    {
        struct sim_walk w;
        size_t chunk = MIN(len - done, (size_t)(PAGE_SIZE - ((va + done) & 0xfff)));

        mem_walk(cr3, va + done, &w);
        if ( !w.ok || w.pa + chunk > sim_ram_size )
            break;
        memcpy(out + done, sim_ram + w.pa, chunk);
        done += chunk;
    }
    return done;
}

/* FNV-1a, 64-bit, over machine memory in 8-byte words (a word-wide variant:
 * eight times faster than byte-wise and just as good at telling runs apart). */
uint64_t mem_hash(uint64_t h)
{
    const uint64_t *p = (const uint64_t *)sim_ram;
    uint64_t i, n = sim_ram_size / 8;

    for ( i = 0; i < n; i++ )
    {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/*
 * Translated code and host writes. Unicorn notices a guest's own stores into
 * code it translated, but not the core's writes through arch_map_frames. The
 * block hook notes every frame it saw code in; a core write to such a frame
 * marks all translations stale, and the run loop flushes them (uc_ctl_flush_tb)
 * before the guest runs again. Writes to data frames cost a bit test.
 */
static uint8_t *code_frames;            /* one bit per RAM frame */
bool sim_code_stale;

void mem_note_code(uint32_t cr3, uint32_t va, uint32_t size)
{
    uint32_t ends[2] = { va, va + (size ? size - 1 : 0) };

    if ( code_frames == NULL )
    {
        code_frames = calloc(sim_ram_size / PAGE_SIZE / 8 + 1, 1);
        if ( code_frames == NULL )
            sim_panic("out of host memory");
    }
    for ( int i = 0; i < 2; i++ )
    {
        struct sim_walk w;

        mem_walk(cr3, ends[i], &w);
        if ( w.ok )
            code_frames[(w.pa >> PAGE_SHIFT) / 8] |= 1u << ((w.pa >> PAGE_SHIFT) % 8);
    }
}

void mem_code_flushed(void)
{
    if ( code_frames )
        memset(code_frames, 0, sim_ram_size / PAGE_SIZE / 8 + 1);
    sim_code_stale = false;
}

void arch_frames_written(mfn_t mfn, unsigned int nr)
{
    if ( (uint64_t)(mfn + nr) * PAGE_SIZE > sim_ram_size )
        sim_panic("arch_frames_written(%#x, %u) beyond RAM", mfn, nr);
    desc_frames_written(mfn, nr);
    if ( code_frames == NULL )
        return;
    for ( mfn_t m = mfn; m < mfn + nr; m++ )
        if ( code_frames[m / 8] & (1u << (m % 8)) )
            sim_code_stale = true;
}

/* Why a supervisor write to va faults (#PF error code), 0 when it does not. */
static uint32_t sup_write_fault(uint32_t cr3, uint32_t va)
{
    struct sim_walk w;

    mem_walk(cr3, va, &w);
    if ( w.rsvd )
        return X86_PFEC_RSVD | X86_PFEC_PRESENT | X86_PFEC_WRITE;
    if ( !w.ok )
        return X86_PFEC_WRITE;
    if ( !w.rw )                        /* CR0.WP: read-only binds ring 0-2 too */
        return X86_PFEC_PRESENT | X86_PFEC_WRITE;
    return 0;
}

/* The MMU's side effects of a write through va: accessed bits on the way,
 * dirty at the leaf (the PDPTE has neither). */
static void set_accessed_dirty(uint32_t cr3, uint32_t va)
{
    uint64_t *e = mem_ptr((cr3 & ~0x1fu) + l3_table_offset(va) * 8, 8);

    e = mem_ptr((*e & PTE_ADDR_MASK) + l2_table_offset(va) * 8, 8);
    if ( *e & _PAGE_PSE )
    {
        *e |= _PAGE_ACCESSED | _PAGE_DIRTY;
        return;
    }
    *e |= _PAGE_ACCESSED;
    e = mem_ptr((*e & PTE_ADDR_MASK) + l1_table_offset(va) * 8, 8);
    *e |= _PAGE_ACCESSED | _PAGE_DIRTY;
}

/*
 * A frame pushed by the CPU: its words are written from the highest address
 * down, so the first one that faults decides CR2. Unlike the CPU, which may
 * have written the words above it, nothing is written when one faults.
 */
bool mem_write_sup(uint32_t cr3, uint32_t va, const void *buf, uint32_t len,
                   uint32_t *fault_va, uint32_t *pfec)
{
    const uint8_t *src = buf;

    for ( uint32_t off = len; off > 0; )
    {
        uint32_t n = off >= 4 ? 4 : off, a;

        off -= n;
        a = va + off;
        if ( (*pfec = sup_write_fault(cr3, a)) != 0 )
        {
            *fault_va = a;
            return false;
        }
        if ( ((a + n - 1) ^ a) & PAGE_MASK &&
             (*pfec = sup_write_fault(cr3, a + n - 1)) != 0 )
        {
            *fault_va = (a + n - 1) & PAGE_MASK;
            return false;
        }
    }
    for ( uint32_t done = 0; done < len; )
    {
        uint32_t a = va + done, n = MIN(len - done, PAGE_SIZE - (a & ~PAGE_MASK));
        struct sim_walk w;

        mem_walk(cr3, a, &w);
        set_accessed_dirty(cr3, a);
        memcpy(sim_ram + w.pa, src + done, n);
        if ( code_frames && (code_frames[(w.pa >> PAGE_SHIFT) / 8] & (1u << ((w.pa >> PAGE_SHIFT) % 8))) )
            sim_code_stale = true;      /* the host wrote under translated code */
        done += n;
    }
    return true;
}

void arch_load_cr3(paddr_t l3)
{
    if ( l3 >= sim_ram_size || (l3 & 0x1f) )
        sim_panic("arch_load_cr3(%#llx): bad L3 address", (unsigned long long)l3);
    sim_cr3 = (uint32_t)l3;
    cpu_reg_write(UC_X86_REG_CR3, sim_cr3, "cr3");  /* flushes the TLB */
}

void arch_flush_tlb(void)
{
    cpu_check(uc_ctl_flush_tlb(sim_uc), "flush tlb");
}

void arch_flush_tlb_one(gva_t va)
{
    (void)va;                           /* Unicorn has no single-page flush */
    cpu_check(uc_ctl_flush_tlb(sim_uc), "flush tlb");
}
