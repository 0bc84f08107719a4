/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fake_machine.c - arch.h for the unit tests, the fuzzer and the host
 * benchmarks (see fake_machine.h).
 *
 * Every core access to machine memory goes through arch_map_frames, so the
 * frames it maps are exactly the ones a run can have dirtied (besides the
 * module image and the CPU's own stores, which are marked too): resetting
 * only those keeps a fresh machine cheap, and a map of a frame beyond memory
 * is caught here rather than as a wild host access.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fake_machine.h"
#include <pvx/fpu.h>
#include <pvx/frame.h>
#include <pvx/layout.h>
#include <pvx/mm.h>

struct fake_config fake_config = {
    .mem_frames = FAKE_MAX_FRAMES,
    .module_mfn = 0x800,                /* 8 MiB */
    .tsc_hz = 3000000000ull,
};

uint8_t *fake_mem;
jmp_buf *fake_shutdown_jmp;
int fake_shutdown_status;
paddr_t fake_cr3;
char fake_input[256];
size_t fake_input_len;
char fake_console[65536];
size_t fake_console_len;
unsigned long fake_frames_written;
uint64_t fake_now_ns;
uint64_t fake_timer;

uint32_t fake_kernel_ss, fake_kernel_sp;
mfn_t fake_gdt_frames[14];
unsigned int fake_gdt_nr;
uint32_t fake_fast_trap_cs, fake_fast_trap_eip;
bool fake_ts;
struct fpu_state fake_fpu;
unsigned int fake_fpu_saves, fake_fpu_restores;
uint32_t fake_ldt_ents;
mfn_t fake_ldt_pages[16];

struct cpu_regs fake_live_regs;
uint32_t fake_regs_filled;
bool fake_lazy;

int fake_isolate_domid = -1;
void (*fake_map_hook)(mfn_t mfn, unsigned int nr);

unsigned long fake_tlb_flushes, fake_tlb_flush_ones;

static uint64_t dirty[FAKE_MAX_FRAMES / 64];

/* The TLB: translations, and the paging-structure cache of L2 entries (the
 * PDPTEs are loaded with cr3). Oldest replaced first. */
struct tlb_slot {
    bool valid;
    uint32_t va;                        /* page (TLB) or 2 MiB region (PDE cache) */
    mfn_t mfn;                          /* the frame (TLB) or the L1 (PDE cache) */
    bool rw, user;                      /* the rights of every level walked */
};

/* The machine's own state besides the variables tests read. */
static struct {
    struct tlb_slot tlb[FAKE_TLB_ENTRIES], pde[FAKE_PDE_ENTRIES];
    unsigned int tlb_next, pde_next;
    uint64_t pdpte[4];
    unsigned int idles;
    uint16_t mapped[FAKE_MAX_FRAMES];   /* the core's mappings of each frame now */
} m;
#define tlb      m.tlb
#define pde      m.pde
#define tlb_next m.tlb_next
#define pde_next m.pde_next
#define pdpte    m.pdpte
#define idles    m.idles

static void tlb_flush_all(void)
{
    memset(tlb, 0, sizeof(tlb));
    memset(pde, 0, sizeof(pde));
}

static void mark_dirty(mfn_t mfn, unsigned int nr)
{
    for ( unsigned int i = 0; i < nr; i++ )
        dirty[(mfn + i) / 64] |= 1ull << ((mfn + i) % 64);
}

const uint64_t *fake_dirty_frames(void)
{
    return dirty;
}

struct fake_snapshot;
static struct fake_snapshot *bound;     /* the snapshot whose memory fake_mem is */
static void snapshot_unbind(void);

void fake_reset(void)
{
    size_t bytes = (size_t)FAKE_MAX_FRAMES * PAGE_SIZE;

    if ( fake_config.mem_frames > FAKE_MAX_FRAMES || fake_config.mem_frames <= FAKE_ARCH_FRAMES )
        fake_fail("fake_reset: %u frames of memory", fake_config.mem_frames);
    if ( bound )
        snapshot_unbind();              /* that memory stays the snapshot's: a new one */
    if ( !fake_mem )
    {
        fake_mem = aligned_alloc(PAGE_SIZE, bytes);
        if ( !fake_mem )
            abort();
        memset(fake_mem, 0, bytes);
    }
    else if ( !fake_config.reset_dirty_only )
        memset(fake_mem, 0, bytes);
    else
        for ( unsigned int w = 0; w < FAKE_MAX_FRAMES / 64; w++ )
            for ( uint64_t bits = dirty[w]; bits; bits &= bits - 1 )
                memset(fake_mem + ((size_t)w * 64 + (size_t)__builtin_ctzll(bits)) * PAGE_SIZE,
                       0, PAGE_SIZE);
    memset(dirty, 0, sizeof(dirty));
    memset(&m, 0, sizeof(m));
    fake_console_len = 0;
    fake_console[0] = '\0';
    fake_input_len = 0;
    fake_cr3 = 0;
    fake_tlb_flushes = fake_tlb_flush_ones = 0;
    /* A machine FPU full of something no vCPU wrote: a vCPU that were
     * never given its own registers would see it. */
    memset(&fake_fpu, 0x5a, sizeof(fake_fpu));
    fake_fpu.mxcsr = FPU_MXCSR_INIT;
    fake_fpu_saves = fake_fpu_restores = 0;
    fake_ts = false;
    memset(fake_dr, 0, sizeof(fake_dr));
    fake_dr7 = 0;
    fake_dr6 = 0xffff0ff0u;
    fake_dr_loads = 0;
    fake_timer = 0;
    fake_now_ns = 0;
    fake_disk_reset();
    fake_isolate_domid = -1;
    fake_lazy = false;
    fake_nic_reset();
}

void fake_boot_info(struct boot_info *bi, const void *image, size_t len, const char *mod_cmdline,
                    const char *hv_cmdline)
{
    mfn_t mod = fake_config.module_mfn;
    uint32_t mod_frames = (uint32_t)((len + PAGE_SIZE - 1) / PAGE_SIZE);

    if ( mod < FAKE_ARCH_FRAMES || mod + mod_frames > fake_config.mem_frames )
        fake_fail("fake_boot_info: a module of %zu bytes does not fit at mfn %#x", len, mod);
    memset(bi, 0, sizeof(*bi));
    bi->machine = "fake";
    bi->cmdline = hv_cmdline ? hv_cmdline : "";
    /* Free RAM: 1 MiB to the module, then after the module to the end. */
    if ( mod > FAKE_ARCH_FRAMES )
        bi->ranges[bi->nr_ranges++] = (struct boot_range){ .start = FAKE_ARCH_FRAMES,
                                                           .nr = mod - FAKE_ARCH_FRAMES };
    bi->ranges[bi->nr_ranges++] = (struct boot_range){
        .start = mod + mod_frames, .nr = fake_config.mem_frames - mod - mod_frames };
    if ( image )
    {
        memcpy(fake_mem + (size_t)mod * PAGE_SIZE, image, len);
        mark_dirty(mod, mod_frames);
        bi->modules[0] = (struct boot_module){
            .start = (paddr_t)mod * PAGE_SIZE, .len = (uint32_t)len, .cmdline = mod_cmdline,
        };
        bi->nr_modules = 1;
    }
}

void fake_fail(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "---- console (last %zu bytes) ----\n%s\n---- fake machine: failure ----\n",
            fake_console_len, fake_console);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

/* ------------------------------------------------------------------------
 * Memory.
 */

/* None: every mapping is counted (isolation, balance, dirty frames). */
struct arch_direct_map arch_direct_map = { .base = 0, .frames = 0 };

void *arch_map_frames(mfn_t mfn, unsigned int nr)
{
    if ( nr == 0 || (uint64_t)mfn + nr > fake_config.mem_frames )
        fake_fail("arch_map_frames(%#x, %u): beyond machine memory", mfn, nr);
    /* Isolation: during an unprivileged domain's entry the core touches only
     * that domain's frames and its own (frame table, M2P: mapped at boot). */
    if ( fake_isolate_domid >= 0 )
        for ( unsigned int i = 0; i < nr; i++ )
        {
            const struct frame *f = frame_of(mfn + i);

            if ( f && frame_owner_is_domain(f) && f->owner != fake_isolate_domid )
                fake_fail("isolation: an entry of d%d mapped mfn %#x of d%u", fake_isolate_domid,
                          mfn + i, f->owner);
        }
    mark_dirty(mfn, nr);
    for ( unsigned int i = 0; i < nr; i++ )
        m.mapped[mfn + i]++;
    if ( fake_map_hook )
        fake_map_hook(mfn, nr);
    return fake_mem + (size_t)mfn * PAGE_SIZE;
}

void arch_unmap_frames(void *va, unsigned int nr)
{
    size_t off = (size_t)((uint8_t *)va - fake_mem);
    mfn_t mfn = (mfn_t)(off / PAGE_SIZE);

    if ( (uint8_t *)va < fake_mem || (uint64_t)mfn + nr > fake_config.mem_frames )
        fake_fail("arch_unmap_frames(%p, %u): not a mapping of machine memory", va, nr);
    for ( unsigned int i = 0; i < nr; i++ )
    {
        if ( !m.mapped[mfn + i] )
            fake_fail("arch_unmap_frames: mfn %#x was not mapped", mfn + i);
        m.mapped[mfn + i]--;
    }
}

void arch_frames_written(mfn_t mfn, unsigned int nr)
{
    if ( (uint64_t)mfn + nr > fake_config.mem_frames )
        fake_fail("arch_frames_written(%#x, %u): beyond machine memory", mfn, nr);
    mark_dirty(mfn, nr);
    fake_frames_written += nr;
}

/* A pattern the builder must copy as is; none of it is reachable from a
 * guest ring (the segments end below these slots). */
void arch_fill_hyp_l2(uint64_t *l2)
{
    for ( unsigned int i = ARCH_FIRST_L2_SLOT; i < NR_L2_SLOTS; i++ )
        l2[i] = 0xa5a5000ull + i;
}

/* ------------------------------------------------------------------------
 * The TLB and the CPU's accesses.
 */

/* As a PAE CPU: the four PDPTEs are loaded now, a reserved bit in a present
 * one is a #GP in ring 0 (a hypervisor bug), and every translation goes. */
void arch_load_cr3(paddr_t l3)
{
    const uint64_t *pdpt = (const uint64_t *)(fake_mem + l3);

    if ( (l3 & 0x1f) || l3 + 32 > (paddr_t)fake_config.mem_frames * PAGE_SIZE )
        fake_fail("arch_load_cr3(%#llx): not a PDPT in memory", (unsigned long long)l3);
    for ( unsigned int i = 0; i < 4; i++ )
        if ( (pdpt[i] & _PAGE_PRESENT) && (pdpt[i] & ~(PTE_ADDR_MASK | MM_PDPTE_ALLOWED)) )
            fake_fail("arch_load_cr3(%#llx): PDPTE %u = %#llx has reserved bits: #GP in ring 0",
                      (unsigned long long)l3, i, (unsigned long long)pdpt[i]);
    memcpy(pdpte, pdpt, sizeof(pdpte));
    fake_cr3 = l3;
    tlb_flush_all();
    fake_tlb_flushes++;
}

void arch_flush_tlb(void)
{
    tlb_flush_all();
    fake_tlb_flushes++;
}

/* invlpg: the page's translation, and (as Intel's SDM says of INVLPG) every
 * cached L2 entry whatever address it serves. */
void arch_flush_tlb_one(gva_t va)
{
    for ( unsigned int i = 0; i < FAKE_TLB_ENTRIES; i++ )
        if ( tlb[i].valid && tlb[i].va == (va & ~(PAGE_SIZE - 1)) )
            tlb[i].valid = false;
    memset(pde, 0, sizeof(pde));
    fake_tlb_flush_ones++;
}

static struct tlb_slot *cache_find(struct tlb_slot *c, unsigned int n, uint32_t va)
{
    for ( unsigned int i = 0; i < n; i++ )
        if ( c[i].valid && c[i].va == va )
            return &c[i];
    return NULL;
}

static void cache_fill(struct tlb_slot *c, unsigned int n, unsigned int *next, uint32_t va,
                       mfn_t mfn, bool rw, bool user)
{
    struct tlb_slot *s = cache_find(c, n, va);

    if ( !s )
    {
        s = &c[*next];
        *next = (*next + 1) % n;
    }
    *s = (struct tlb_slot){ .valid = true, .va = va, .mfn = mfn, .rw = rw, .user = user };
}

/* A fault: the CPU drops what it cached for the address. */
static void tlb_drop(uint32_t va)
{
    struct tlb_slot *s = cache_find(tlb, FAKE_TLB_ENTRIES, va & ~(PAGE_SIZE - 1));

    if ( s )
        s->valid = false;
    s = cache_find(pde, FAKE_PDE_ENTRIES, va & ~((1u << L2_SLOT_SHIFT) - 1));
    if ( s )
        s->valid = false;
}

static uint64_t mem_entry(mfn_t table, unsigned int slot)
{
    if ( table >= fake_config.mem_frames )
        fake_fail("the CPU walked to table mfn %#x, beyond memory", table);
    return ((const uint64_t *)(fake_mem + (size_t)table * PAGE_SIZE))[slot];
}

/* Bits no PAE entry may hold here (no NX: EFER.NXE is off). */
static bool entry_reserved(uint64_t e)
{
    return (e & ~PTE_ADDR_MASK & ~0xfffull) != 0;
}

bool fake_tables_translate(uint32_t va, mfn_t *mfn)
{
    uint64_t e3 = pdpte[l3_table_offset(va)], e2, e1;

    if ( va >= ARCH_VIRT_START || !(e3 & _PAGE_PRESENT) )
        return false;
    e2 = mem_entry((mfn_t)((e3 & PTE_ADDR_MASK) >> PAGE_SHIFT), l2_table_offset(va));
    if ( !(e2 & _PAGE_PRESENT) || entry_reserved(e2) )
        return false;
    if ( e2 & _PAGE_PSE )
    {
        *mfn = (mfn_t)(((e2 & PTE_ADDR_MASK) >> PAGE_SHIFT) & ~511u) + l1_table_offset(va);
        return true;
    }
    e1 = mem_entry((mfn_t)((e2 & PTE_ADDR_MASK) >> PAGE_SHIFT), l1_table_offset(va));
    if ( !(e1 & _PAGE_PRESENT) || entry_reserved(e1) )
        return false;
    *mfn = (mfn_t)((e1 & PTE_ADDR_MASK) >> PAGE_SHIFT);
    return true;
}

enum fake_access_result fake_cpu_translate(uint32_t va, bool write, unsigned int ring,
                                           mfn_t *mfn, uint32_t *ec)
{
    uint32_t page = va & ~(PAGE_SIZE - 1), region = va & ~((1u << L2_SLOT_SHIFT) - 1);
    uint32_t err = (write ? X86_PFEC_WRITE : 0) | (ring == 3 ? X86_PFEC_USER : 0);
    struct tlb_slot *s = cache_find(tlb, FAKE_TLB_ENTRIES, page);
    bool rw, user;
    uint64_t e2, e1;
    mfn_t l1;

    *ec = 0;
    if ( va >= ARCH_VIRT_START )
        return FAKE_GP;                 /* the flat guest segments end there */
    if ( s && (!write || s->rw) && (ring != 3 || s->user) )
    {
        *mfn = s->mfn;
        return FAKE_OK;
    }

    /* Walk: the loaded PDPTE, an L2 entry (cached or read), the L1 entry. */
    if ( !(pdpte[l3_table_offset(va)] & _PAGE_PRESENT) )
        goto fault;
    s = cache_find(pde, FAKE_PDE_ENTRIES, region);
    if ( s )
    {
        l1 = s->mfn;
        rw = s->rw;
        user = s->user;
    }
    else
    {
        e2 = mem_entry((mfn_t)((pdpte[l3_table_offset(va)] & PTE_ADDR_MASK) >> PAGE_SHIFT),
                       l2_table_offset(va));
        if ( !(e2 & _PAGE_PRESENT) )
            goto fault;
        if ( entry_reserved(e2) )
            goto reserved;
        rw = e2 & _PAGE_RW;
        user = e2 & _PAGE_USER;
        if ( e2 & _PAGE_PSE )           /* a 2 MiB page: no L1 */
        {
            *mfn = (mfn_t)(((e2 & PTE_ADDR_MASK) >> PAGE_SHIFT) & ~511u) + l1_table_offset(va);
            goto check;
        }
        l1 = (mfn_t)((e2 & PTE_ADDR_MASK) >> PAGE_SHIFT);
        cache_fill(pde, FAKE_PDE_ENTRIES, &pde_next, region, l1, rw, user);
    }
    e1 = mem_entry(l1, l1_table_offset(va));
    if ( !(e1 & _PAGE_PRESENT) )
        goto fault;
    if ( entry_reserved(e1) )
        goto reserved;
    rw = rw && (e1 & _PAGE_RW);
    user = user && (e1 & _PAGE_USER);
    *mfn = (mfn_t)((e1 & PTE_ADDR_MASK) >> PAGE_SHIFT);

 check:
    if ( (write && !rw) || (ring == 3 && !user) )
    {
        err |= X86_PFEC_PRESENT;
        goto fault;
    }
    if ( *mfn >= fake_config.mem_frames )
        fake_fail("the CPU translated %#x to mfn %#x, beyond memory", va, *mfn);
    cache_fill(tlb, FAKE_TLB_ENTRIES, &tlb_next, page, *mfn, rw, user);
    return FAKE_OK;

 reserved:
    err |= X86_PFEC_PRESENT | X86_PFEC_RSVD;
 fault:
    tlb_drop(va);
    *ec = err;
    return FAKE_PF;
}

static enum fake_access_result cpu_access(uint32_t va, void *buf, size_t len, bool write,
                                          unsigned int ring, uint32_t *ec)
{
    uint8_t *b = buf;

    *ec = 0;
    if ( len && (uint64_t)va + len > ARCH_VIRT_START )
        return FAKE_GP;
    while ( len )
    {
        size_t off = va & (PAGE_SIZE - 1), n = PAGE_SIZE - off;
        enum fake_access_result r;
        mfn_t mfn;
        uint8_t *p;

        if ( n > len )
            n = len;
        r = fake_cpu_translate(va, write, ring, &mfn, ec);
        if ( r != FAKE_OK )
            return r;
        p = fake_mem + (size_t)mfn * PAGE_SIZE + off;
        if ( write )
        {
            memcpy(p, b, n);
            mark_dirty(mfn, 1);
            if ( fake_map_hook )
                fake_map_hook(mfn, 1);
        }
        else
            memcpy(b, p, n);
        va += (uint32_t)n;
        b += n;
        len -= n;
    }
    return FAKE_OK;
}

enum fake_access_result fake_cpu_write(uint32_t va, const void *buf, size_t len,
                                       unsigned int ring, uint32_t *ec)
{
    return cpu_access(va, (void *)buf, len, true, ring, ec);
}

enum fake_access_result fake_cpu_read(uint32_t va, void *buf, size_t len, unsigned int ring,
                                      uint32_t *ec)
{
    return cpu_access(va, buf, len, false, ring, ec);
}

static unsigned int cache_list(const struct tlb_slot *c, unsigned int n,
                               struct fake_tlb_entry *out)
{
    unsigned int k = 0;

    for ( unsigned int i = 0; i < n; i++ )
        if ( c[i].valid )
            out[k++] = (struct fake_tlb_entry){ c[i].va, c[i].mfn, c[i].rw, c[i].user };
    return k;
}

unsigned int fake_tlb_entries(struct fake_tlb_entry *out)
{
    return cache_list(tlb, FAKE_TLB_ENTRIES, out);
}

unsigned int fake_pde_entries(struct fake_tlb_entry *out)
{
    return cache_list(pde, FAKE_PDE_ENTRIES, out);
}

/* ------------------------------------------------------------------------
 * CPU state the core loads: recorded, and checked as the CPU would.
 */

void arch_set_kernel_stack(uint32_t ss, uint32_t esp)
{
    fake_kernel_ss = ss;
    fake_kernel_sp = esp;
}

/* The core may only load what it has validated: GDT frames typed as
 * descriptor frames. */
void arch_load_gdt(const mfn_t *frames, unsigned int nr)
{
    if ( nr > 14 )
        fake_fail("arch_load_gdt: %u frames", nr);
    for ( unsigned int i = 0; i < nr; i++ )
    {
        const struct frame *f = frame_of(frames[i]);

        if ( !f || !frame_owner_is_domain(f) || f->type != FRAME_SEG_DESC || !f->type_count )
            fake_fail("arch_load_gdt: frame %u (mfn %#x) is not a validated descriptor frame",
                      i, frames[i]);
    }
    memcpy(fake_gdt_frames, frames, nr * sizeof(*frames));
    fake_gdt_nr = nr;
}

void arch_set_fast_trap(unsigned int vector, uint32_t cs, uint32_t eip)
{
    if ( cs && (vector != 0x80 || (cs & 3) != 1 || eip >= HYPERVISOR_VIRT_START) )
        fake_fail("arch_set_fast_trap(%#x, %#x, %#x): not a ring-1 gate below the hypervisor",
                  vector, cs, eip);
    fake_fast_trap_cs = cs;
    fake_fast_trap_eip = eip;
}

void arch_set_ts(bool ts)
{
    fake_ts = ts;
}

/* The breakpoints as the CPU would hold them; what arch.h promises the core
 * never asks for (a breakpoint on the hypervisor, GD, an I/O breakpoint) is a
 * failure. fake_dr6 is what the next #DB's DR6 says. */
uint32_t fake_dr[4], fake_dr7, fake_dr6 = 0xffff0ff0u;
unsigned long fake_dr_loads;

void arch_load_debugregs(const uint32_t addr[4], uint32_t dr7)
{
    if ( dr7 & 0x2000 )
        fake_fail("arch_load_debugregs: DR7.GD set (%#x)", dr7);
    for ( unsigned int i = 0; i < 4; i++ )
    {
        if ( !((dr7 >> (i * 2)) & 3) )
            continue;
        if ( ((dr7 >> (16 + i * 4)) & 3) == 2 )
            fake_fail("arch_load_debugregs: an I/O breakpoint in DR%u (%#x)", i, dr7);
        if ( addr[i] > HYPERVISOR_VIRT_START - 4 )
            fake_fail("arch_load_debugregs: DR%u = %#x on the hypervisor", i, addr[i]);
    }
    memcpy(fake_dr, addr, sizeof(fake_dr));
    fake_dr7 = dr7;
    fake_dr_loads++;
}

uint32_t arch_take_dr6(void)
{
    uint32_t dr6 = fake_dr6;

    fake_dr6 = 0xffff0ff0u;
    return dr6;
}

/* The machine's FPU registers: the guest "uses" them only while TS is clear
 * (fake_fpu_guest_write); save and restore count. */
void arch_fpu_save(struct fpu_state *s)
{
    *s = fake_fpu;
    fake_fpu_saves++;
    fake_ts = false;
}

void arch_fpu_restore(const struct fpu_state *s)
{
    if ( s->mxcsr & ~0xffffu )
        fake_fail("arch_fpu_restore: MXCSR %#x has reserved bits: fxrstor #GPs in ring 0",
                  s->mxcsr);
    fake_fpu = *s;
    fake_fpu_restores++;
    fake_ts = false;
}

bool fake_fpu_guest_write(uint8_t pattern)
{
    if ( fake_ts )
        return false;                   /* the instruction would raise #NM */
    memset(fake_fpu.st, pattern, sizeof(fake_fpu.st));
    memset(fake_fpu.xmm, pattern ^ 0xff, sizeof(fake_fpu.xmm));
    fake_fpu.fcw = 0x0300 | pattern;
    return true;
}

bool fake_fpu_holds(uint8_t pattern)
{
    uint8_t st[sizeof(fake_fpu.st)], xmm[sizeof(fake_fpu.xmm)];

    memset(st, pattern, sizeof(st));
    memset(xmm, pattern ^ 0xff, sizeof(xmm));
    return !memcmp(fake_fpu.st, st, sizeof(st)) && !memcmp(fake_fpu.xmm, xmm, sizeof(xmm)) &&
           fake_fpu.fcw == (0x0300 | pattern);
}

void arch_regs_fill(struct cpu_regs *regs, uint32_t fields)
{
    if ( !fake_lazy || (fields & ~REGS_ALL) )
        fake_fail("arch_regs_fill(%#x) outside a lazy entry", fields);
    regs_copy_fields(regs, &fake_live_regs, fields);
    fake_regs_filled |= fields;
}

void arch_load_ldt(uint32_t ents)
{
    if ( ents > 8192 )
        fake_fail("arch_load_ldt(%u)", ents);
    fake_ldt_ents = ents;
    memset(fake_ldt_pages, 0, sizeof(fake_ldt_pages));
}

void arch_map_ldt_page(unsigned int idx, mfn_t mfn)
{
    const struct frame *f = frame_of(mfn);

    if ( idx >= 16 || !f || !frame_owner_is_domain(f) || f->type != FRAME_SEG_DESC ||
         !f->type_count )
        fake_fail("arch_map_ldt_page(%u, %#x): not a validated descriptor frame", idx, mfn);
    fake_ldt_pages[idx] = mfn;
}

/* ------------------------------------------------------------------------
 * Time, console, the end.
 */

uint64_t arch_now_ns(void)
{
    return fake_now_ns;
}

void arch_set_timer(uint64_t deadline_ns)
{
    fake_timer = deadline_ns;
}

void arch_tsc_sample(uint64_t *tsc, uint64_t *now_ns)
{
    *now_ns = fake_now_ns;
    *tsc = fake_now_ns * (fake_config.tsc_hz / 1000000000ull);
}

uint64_t arch_tsc_hz(void)
{
    return fake_config.tsc_hz;
}

/* Dispatches the core has traced since it booted: the number of the next
 * record of its trace ring, which core_trace_read moves a reader to. */
unsigned long fake_dispatch_count(void)
{
    uint64_t seq = 0;
    struct trace_record r[64];

    while ( core_trace_read(&seq, r, 64) )
        ;
    return (unsigned long)seq;
}

/* At least the last 32 KiB stay: when the buffer is full the older half
 * goes at once, so a long run costs one move per 32 KiB, not one per write. */
size_t arch_console_read(char *buf, size_t len)
{
    size_t n = len < fake_input_len ? len : fake_input_len;

    memcpy(buf, fake_input, n);
    memmove(fake_input, fake_input + n, fake_input_len - n);
    fake_input_len -= n;
    return n;
}

void arch_console_write(const char *s, size_t len)
{
    const size_t keep = sizeof(fake_console) - 1;

    if ( fake_config.console_echo )
        fwrite(s, 1, len, stderr);
    if ( len > keep / 2 )
    {
        s += len - keep / 2;
        len = keep / 2;
    }
    if ( fake_console_len + len > keep )
    {
        size_t drop = fake_console_len - keep / 2;

        memmove(fake_console, fake_console + drop, fake_console_len - drop);
        fake_console_len -= drop;
    }
    memcpy(fake_console + fake_console_len, s, len);
    fake_console_len += len;
    fake_console[fake_console_len] = '\0';
}

/* ------------------------------------------------------------------------
 * Disks.
 */
uint64_t fake_disk_sectors[ARCH_DISK_MAX];
uint8_t *fake_disk_data[ARCH_DISK_MAX];
bool fake_disk_busy[ARCH_DISK_MAX];
struct arch_disk_op fake_disk_op[ARCH_DISK_MAX];
unsigned long fake_disk_starts, fake_disk_cancels;
int fake_disk_refuse;
static uint64_t fake_disk_started_ns[ARCH_DISK_MAX];

unsigned int arch_disk_count(void)
{
    unsigned int n = 0;

    while ( n < ARCH_DISK_MAX && fake_disk_sectors[n] )
        n++;
    return n;
}

uint64_t arch_disk_sectors(unsigned int disk)
{
    return disk < arch_disk_count() ? fake_disk_sectors[disk] : 0;
}

int arch_disk_start(unsigned int disk, const struct arch_disk_op *op)
{
    uint64_t n = 0;

    if ( disk >= arch_disk_count() || fake_disk_busy[disk] )
        fake_fail("arch_disk_start(%u): no such disk, or it is busy", disk);
    if ( op->nr_segs > ARCH_DISK_MAX_SEGS || (op->cmd == ARCH_DISK_FLUSH) != (op->nr_segs == 0) )
        fake_fail("arch_disk_start(%u): %u segments for cmd %u", disk, op->nr_segs, op->cmd);
    for ( unsigned int i = 0; i < op->nr_segs; i++ )
    {
        const struct arch_disk_seg *s = &op->seg[i];
        const struct frame *f = frame_of((mfn_t)(s->addr >> PAGE_SHIFT));

        if ( s->addr % ARCH_DISK_SECTOR || !s->len || s->len % ARCH_DISK_SECTOR ||
             (s->addr & (PAGE_SIZE - 1)) + s->len > PAGE_SIZE )
            fake_fail("arch_disk_start(%u): segment %u %#llx+%u", disk, i,
                      (unsigned long long)s->addr, s->len);
        /* Zero-copy: the core gives the device only frames it holds. */
        if ( !f || !frame_owner_is_domain(f) || !f->ref_count ||
             (op->cmd == ARCH_DISK_READ && (f->type != FRAME_WRITABLE || !f->type_count)) )
            fake_fail("arch_disk_start(%u): segment %u in a frame not held for the disk", disk, i);
        n += s->len / ARCH_DISK_SECTOR;
    }
    if ( op->cmd != ARCH_DISK_FLUSH &&
         (op->sector >= fake_disk_sectors[disk] || n > fake_disk_sectors[disk] - op->sector) )
        fake_fail("arch_disk_start(%u): sectors %llu+%llu outside the disk", disk,
                  (unsigned long long)op->sector, (unsigned long long)n);
    if ( fake_disk_refuse )
        return fake_disk_refuse;
    fake_disk_op[disk] = *op;
    fake_disk_busy[disk] = true;
    fake_disk_started_ns[disk] = fake_now_ns;
    fake_disk_starts++;
    return 0;
}

void arch_disk_cancel(unsigned int disk)
{
    if ( disk < ARCH_DISK_MAX && fake_disk_busy[disk] )
    {
        fake_disk_busy[disk] = false;
        fake_disk_cancels++;
    }
}

uint64_t fake_disk_due(unsigned int disk)
{
    return disk < ARCH_DISK_MAX && fake_disk_busy[disk] ? fake_disk_started_ns[disk] + FAKE_DISK_NS
                                                        : 0;
}

void fake_disk_complete(unsigned int disk, int status)
{
    fake_disk_complete_regs(disk, status, NULL);
}

void fake_disk_complete_regs(unsigned int disk, int status, struct cpu_regs *regs)
{
    const struct arch_disk_op *op = &fake_disk_op[disk];
    uint64_t off = op->sector * ARCH_DISK_SECTOR;

    if ( disk >= ARCH_DISK_MAX || !fake_disk_busy[disk] )
        fake_fail("fake_disk_complete(%u): nothing in flight", disk);
    for ( unsigned int i = 0; !status && i < op->nr_segs; i++ )
    {
        uint8_t *p = fake_mem + op->seg[i].addr;

        if ( op->cmd == ARCH_DISK_READ )
        {
            /* The device wrote machine memory: a reset must zero it. */
            memcpy(p, fake_disk_data[disk] + off, op->seg[i].len);
            mark_dirty((mfn_t)(op->seg[i].addr >> PAGE_SHIFT), 1);
        }
        else
            memcpy(fake_disk_data[disk] + off, p, op->seg[i].len);
        off += op->seg[i].len;
    }
    fake_disk_busy[disk] = false;
    core_disk_interrupt(regs, disk, status);
}

void fake_disk_reset(void)
{
    for ( unsigned int d = 0; d < ARCH_DISK_MAX; d++ )
    {
        if ( fake_disk_sectors[d] > FAKE_DISK_MAX_SECTORS )
            fake_fail("fake_reset: disk %u of %llu sectors", d,
                      (unsigned long long)fake_disk_sectors[d]);
        if ( !fake_disk_sectors[d] )
            continue;
        if ( !fake_disk_data[d] )
            fake_disk_data[d] = calloc(FAKE_DISK_MAX_SECTORS, ARCH_DISK_SECTOR);
        if ( !fake_disk_data[d] )
            abort();
        memset(fake_disk_data[d], 0, fake_disk_sectors[d] * ARCH_DISK_SECTOR);
    }
    memset(fake_disk_busy, 0, sizeof(fake_disk_busy));
    memset(fake_disk_op, 0, sizeof(fake_disk_op));
    fake_disk_starts = fake_disk_cancels = 0;
    fake_disk_refuse = 0;
}

/* As the simulator: time jumps to the armed deadline and the timer fires.
 * A disk in flight completes first if it is due before. With no timer
 * armed and no disk busy nothing can ever happen again: the machine stops. */
void arch_idle(void)
{
    for ( unsigned int d = 0; d < ARCH_DISK_MAX; d++ )
    {
        uint64_t due = fake_disk_started_ns[d] + FAKE_DISK_NS;

        if ( !fake_disk_busy[d] || (fake_timer && fake_timer < due) )
            continue;
        if ( fake_config.idle_limit && ++idles > fake_config.idle_limit )
            arch_shutdown(FAKE_STOP_IDLE);
        if ( due > fake_now_ns )
            fake_now_ns = due;
        fake_disk_complete(d, 0);
        return;
    }
    if ( !fake_timer || (fake_config.idle_limit && ++idles > fake_config.idle_limit) )
        arch_shutdown(FAKE_STOP_IDLE);
    if ( fake_timer > fake_now_ns )
        fake_now_ns = fake_timer;
    fake_timer = 0;
    core_timer_interrupt(NULL);
}

void arch_shutdown(int status)
{
    fake_shutdown_status = status;
    if ( !fake_shutdown_jmp )
        fake_fail("arch_shutdown(%d) outside FAKE_RUN", status);
    longjmp(*fake_shutdown_jmp, status + 1);
}

/* ------------------------------------------------------------------------
 * Snapshots.
 */

struct fake_snapshot {
    uint8_t *mem;                       /* the image: all of machine memory */
    uint8_t *live;                      /* the memory the core runs in after a restore */
    uint64_t since[FAKE_MAX_FRAMES / 64]; /* frames of live written since (while unbound) */
    uint64_t keep[FAKE_MAX_FRAMES / 64]; /* frames the core keeps mapped: written any time */
    __typeof__(m) m;
    struct fake_config config;
    paddr_t cr3;
    char console[sizeof(fake_console)];
    size_t console_len;
    unsigned long frames_written, tlb_flushes, tlb_flush_ones;
    uint64_t now_ns, timer;
    uint32_t kernel_ss, kernel_sp, fast_trap_cs, fast_trap_eip, ldt_ents;
    mfn_t gdt_frames[14], ldt_pages[16];
    unsigned int gdt_nr, fpu_saves, fpu_restores;
    bool ts;
    struct fpu_state fpu;
    uint32_t dr[4], dr7, dr6;
    struct fake_nic_state nic;
};

/* The core's pointers into machine memory stay valid only in the memory it
 * booted in: each snapshot keeps that one (live), and a boot after it gets
 * memory of its own. */
static void snapshot_unbind(void)
{
    memcpy(bound->since, dirty, sizeof(dirty));
    bound = NULL;
    fake_mem = NULL;
    memset(dirty, 0, sizeof(dirty));
}

struct fake_snapshot *fake_snapshot_take(void)
{
    struct fake_snapshot *s = calloc(1, sizeof(*s));
    size_t bytes = (size_t)fake_config.mem_frames * PAGE_SIZE;

    if ( !s || !(s->mem = malloc(bytes)) )
        abort();
    if ( bound )
        snapshot_unbind();
    memcpy(s->mem, fake_mem, bytes);
    s->live = fake_mem;
    bound = s;
    for ( mfn_t f = 0; f < fake_config.mem_frames; f++ )
        if ( m.mapped[f] )
            s->keep[f / 64] |= 1ull << (f % 64);
    s->m = m;
    s->config = fake_config;
    s->cr3 = fake_cr3;
    memcpy(s->console, fake_console, sizeof(s->console));
    s->console_len = fake_console_len;
    s->frames_written = fake_frames_written;
    s->tlb_flushes = fake_tlb_flushes;
    s->tlb_flush_ones = fake_tlb_flush_ones;
    s->now_ns = fake_now_ns;
    s->timer = fake_timer;
    s->kernel_ss = fake_kernel_ss;
    s->kernel_sp = fake_kernel_sp;
    s->fast_trap_cs = fake_fast_trap_cs;
    s->fast_trap_eip = fake_fast_trap_eip;
    s->ldt_ents = fake_ldt_ents;
    memcpy(s->gdt_frames, fake_gdt_frames, sizeof(s->gdt_frames));
    memcpy(s->ldt_pages, fake_ldt_pages, sizeof(s->ldt_pages));
    s->gdt_nr = fake_gdt_nr;
    s->fpu_saves = fake_fpu_saves;
    s->fpu_restores = fake_fpu_restores;
    s->ts = fake_ts;
    s->fpu = fake_fpu;
    memcpy(s->dr, fake_dr, sizeof(s->dr));
    s->dr7 = fake_dr7;
    s->dr6 = fake_dr6;
    fake_nic_save(&s->nic);
    memset(dirty, 0, sizeof(dirty));
    return s;
}

void fake_snapshot_restore(struct fake_snapshot *s)
{
    if ( bound != s )
    {
        if ( bound )
            snapshot_unbind();
        else if ( fake_mem )
            free(fake_mem);             /* a machine booted without a snapshot: gone */
        fake_mem = s->live;
        memcpy(dirty, s->since, sizeof(dirty));
        bound = s;
    }
    /* Memory: what was mapped or written since, and what the core keeps
     * mapped (its frame table, M2P, PDPTs, shared_info: written through
     * mappings made before the snapshot). */
    for ( unsigned int w = 0; w < FAKE_MAX_FRAMES / 64; w++ )
        for ( uint64_t bits = dirty[w] | s->keep[w]; bits; bits &= bits - 1 )
        {
            size_t off = ((size_t)w * 64 + (size_t)__builtin_ctzll(bits)) * PAGE_SIZE;

            memcpy(fake_mem + off, s->mem + off, PAGE_SIZE);
        }
    memset(dirty, 0, sizeof(dirty));
    m = s->m;
    fake_config = s->config;
    fake_cr3 = s->cr3;
    memcpy(fake_console, s->console, s->console_len + 1);
    fake_console_len = s->console_len;
    if ( fake_config.console_echo )
        fwrite(fake_console, 1, fake_console_len, stderr);     /* the boot, as a fresh one prints it */
    fake_frames_written = s->frames_written;
    fake_tlb_flushes = s->tlb_flushes;
    fake_tlb_flush_ones = s->tlb_flush_ones;
    fake_now_ns = s->now_ns;
    fake_timer = s->timer;
    fake_kernel_ss = s->kernel_ss;
    fake_kernel_sp = s->kernel_sp;
    fake_fast_trap_cs = s->fast_trap_cs;
    fake_fast_trap_eip = s->fast_trap_eip;
    fake_ldt_ents = s->ldt_ents;
    memcpy(fake_gdt_frames, s->gdt_frames, sizeof(fake_gdt_frames));
    memcpy(fake_ldt_pages, s->ldt_pages, sizeof(fake_ldt_pages));
    fake_gdt_nr = s->gdt_nr;
    fake_fpu_saves = s->fpu_saves;
    fake_fpu_restores = s->fpu_restores;
    fake_ts = s->ts;
    memcpy(fake_dr, s->dr, sizeof(fake_dr));
    fake_dr7 = s->dr7;
    fake_dr6 = s->dr6;
    fake_fpu = s->fpu;
    fake_nic_restore(&s->nic);
    fake_isolate_domid = -1;
    fake_lazy = false;
}

long fake_snapshot_differs(const struct fake_snapshot *s)
{
    if ( fake_mem != s->live )
        return -3;
    for ( mfn_t f = 0; f < fake_config.mem_frames; f++ )
        if ( memcmp(fake_mem + (size_t)f * PAGE_SIZE, s->mem + (size_t)f * PAGE_SIZE, PAGE_SIZE) )
            return (long)f;
    if ( memcmp(&m, &s->m, sizeof(m)) || fake_cr3 != s->cr3 || fake_now_ns != s->now_ns ||
         fake_timer != s->timer || memcmp(&fake_fpu, &s->fpu, sizeof(fake_fpu)) )
        return -2;
    {
        struct fake_nic_state now;

        fake_nic_save(&now);
        if ( memcmp(&now, &s->nic, sizeof(now)) )
            return -2;
    }
    return -1;
}
