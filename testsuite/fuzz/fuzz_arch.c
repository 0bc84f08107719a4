/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_arch.c - arch.h for the hypercall fuzzer (see fuzz_arch.h).
 *
 * Every core access to machine memory goes through arch_map_frames, so the
 * frames it maps are exactly the ones a run can have dirtied: resetting only
 * those keeps a fresh machine per input cheap, and a map of a frame beyond
 * memory is caught here rather than as a wild host access.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_arch.h"
#include <pvx/fpu.h>
#include <pvx/frame.h>
#include <pvx/layout.h>
#include <pvx/mm.h>

uint8_t *fuzz_mem;
jmp_buf *fuzz_stop_jmp;
int fuzz_stop_status;
uint64_t fuzz_now_ns;
uint64_t fuzz_timer;
bool fuzz_trace;
int fuzz_map_domid = -1;
void (*fuzz_map_hook)(mfn_t mfn, unsigned int nr);

static uint64_t dirty[FUZZ_MEM_FRAMES / 64];
static unsigned int idles;

#define CONSOLE_KEEP 16384
static char console[CONSOLE_KEEP + 1];
static size_t console_len;

static void mark_dirty(mfn_t mfn, unsigned int nr)
{
    for ( unsigned int i = 0; i < nr; i++ )
        dirty[(mfn + i) / 64] |= 1ull << ((mfn + i) % 64);
}

void fuzz_machine_reset(const void *image, size_t len)
{
    if ( !fuzz_mem )
    {
        fuzz_mem = aligned_alloc(PAGE_SIZE, (size_t)FUZZ_MEM_FRAMES * PAGE_SIZE);
        if ( !fuzz_mem )
            abort();
        memset(fuzz_mem, 0, (size_t)FUZZ_MEM_FRAMES * PAGE_SIZE);
    }
    for ( unsigned int w = 0; w < FUZZ_MEM_FRAMES / 64; w++ )
        for ( uint64_t bits = dirty[w]; bits; bits &= bits - 1 )
            memset(fuzz_mem + ((size_t)w * 64 + (size_t)__builtin_ctzll(bits)) * PAGE_SIZE, 0,
                   PAGE_SIZE);
    memset(dirty, 0, sizeof(dirty));
    memcpy(fuzz_mem + (size_t)FUZZ_MODULE_MFN * PAGE_SIZE, image, len);
    console_len = 0;
    console[0] = '\0';
    fuzz_now_ns = 0;
    fuzz_timer = 0;
    fuzz_map_domid = -1;
    idles = 0;
}

void fuzz_boot_info(struct boot_info *bi, size_t image_len, const char *mod_cmdline,
                    const char *hv_cmdline)
{
    uint32_t mod_frames = (uint32_t)((image_len + PAGE_SIZE - 1) / PAGE_SIZE);

    memset(bi, 0, sizeof(*bi));
    bi->machine = "fuzz";
    bi->cmdline = hv_cmdline;
    bi->ranges[0] = (struct boot_range){ .start = FUZZ_MODULE_MFN + mod_frames,
                                         .nr = FUZZ_MEM_FRAMES - FUZZ_MODULE_MFN - mod_frames };
    bi->nr_ranges = 1;
    bi->modules[0] = (struct boot_module){
        .start = (paddr_t)FUZZ_MODULE_MFN * PAGE_SIZE, .len = (uint32_t)image_len,
        .cmdline = mod_cmdline,
    };
    bi->nr_modules = 1;
}

const char *fuzz_console(void)
{
    return console;
}

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "---- console (last %zu bytes) ----\n%s\n---- fuzz failure ----\n",
            console_len, console);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

void *arch_map_frames(mfn_t mfn, unsigned int nr)
{
    if ( nr == 0 || (uint64_t)mfn + nr > FUZZ_MEM_FRAMES )
        fuzz_fail("arch_map_frames(%#x, %u): beyond machine memory", mfn, nr);
    /* Isolation: during an unprivileged domain's entry the core touches only
     * that domain's frames and its own (frame table, M2P: mapped at boot). */
    if ( fuzz_map_domid >= 0 )
        for ( unsigned int i = 0; i < nr; i++ )
        {
            const struct frame *f = frame_of(mfn + i);

            if ( f && frame_owner_is_domain(f) && f->owner != fuzz_map_domid )
                fuzz_fail("isolation: an entry of d%d mapped mfn %#x of d%u", fuzz_map_domid,
                          mfn + i, f->owner);
        }
    mark_dirty(mfn, nr);
    if ( fuzz_map_hook )
        fuzz_map_hook(mfn, nr);
    return fuzz_mem + (size_t)mfn * PAGE_SIZE;
}

void arch_unmap_frames(void *va, unsigned int nr)
{
    (void)va;
    (void)nr;
}

void arch_frames_written(mfn_t mfn, unsigned int nr)
{
    if ( (uint64_t)mfn + nr > FUZZ_MEM_FRAMES )
        fuzz_fail("arch_frames_written(%#x, %u): beyond machine memory", mfn, nr);
    mark_dirty(mfn, nr);
}

/* Like the simulator's: the arch's slots hold nothing a guest could reach. */
void arch_fill_hyp_l2(uint64_t *l2)
{
    for ( unsigned int i = ARCH_FIRST_L2_SLOT; i < NR_L2_SLOTS; i++ )
        l2[i] = 0;
}

void arch_load_cr3(paddr_t l3)
{
    const uint64_t *pdpt;

    if ( (l3 & 0x1f) || (l3 >> PAGE_SHIFT) >= FUZZ_MEM_FRAMES )
        fuzz_fail("arch_load_cr3(%#llx): not a PDPT in memory", (unsigned long long)l3);
    /* A PAE CPU loads the PDPTEs now: a reserved bit is a #GP in ring 0. */
    pdpt = (const uint64_t *)(fuzz_mem + l3);
    for ( unsigned int i = 0; i < 4; i++ )
        if ( (pdpt[i] & _PAGE_PRESENT) && (pdpt[i] & ~(PTE_ADDR_MASK | MM_PDPTE_ALLOWED)) )
            fuzz_fail("arch_load_cr3(%#llx): PDPTE %u = %#llx has reserved bits",
                      (unsigned long long)l3, i, (unsigned long long)pdpt[i]);
}

/* Arch v4 (issue 4: the virtual CPU). The core may only load what it has
 * validated: GDT frames typed as descriptor frames, a ring-1 fast-trap gate. */
void arch_load_gdt(const mfn_t *frames, unsigned int nr)
{
    if ( nr > 14 )
        fuzz_fail("arch_load_gdt: %u frames", nr);
    for ( unsigned int i = 0; i < nr; i++ )
    {
        const struct frame *f = frame_of(frames[i]);

        if ( !f || !frame_owner_is_domain(f) || f->type != FRAME_SEG_DESC || !f->type_count )
            fuzz_fail("arch_load_gdt: frame %u (mfn %#x) is not a validated descriptor frame",
                      i, frames[i]);
    }
}

void arch_set_fast_trap(unsigned int vector, uint32_t cs, uint32_t eip)
{
    if ( cs && (vector != 0x80 || (cs & 3) != 1 || eip >= HYPERVISOR_VIRT_START) )
        fuzz_fail("arch_set_fast_trap(%#x, %#x, %#x): not a ring-1 gate below the hypervisor",
                  vector, cs, eip);
}

void arch_set_ts(bool ts)
{
    (void)ts;
}

/* The FPU: the core only ever loads an image with a valid MXCSR (fxrstor
 * would #GP in ring 0 otherwise). */
void arch_fpu_save(struct fpu_state *s)
{
    memset(s, 0, sizeof(*s));
    s->fcw = FPU_FCW_INIT;
    s->mxcsr = FPU_MXCSR_INIT;
}

void arch_fpu_restore(const struct fpu_state *s)
{
    if ( s->mxcsr & ~0xffffu )
        fuzz_fail("arch_fpu_restore: MXCSR %#x has reserved bits", s->mxcsr);
}

/* Hypercalls enter lazily, as in the simulator: the "CPU" is fuzz_live. */
struct cpu_regs fuzz_live;
bool fuzz_lazy;

void arch_regs_fill(struct cpu_regs *regs, uint32_t fields)
{
    if ( !fuzz_lazy || (fields & ~REGS_ALL) )
        fuzz_fail("arch_regs_fill(%#x) outside a lazy entry", fields);
    regs_copy_fields(regs, &fuzz_live, fields);
}

void arch_load_ldt(uint32_t ents)
{
    if ( ents > 8192 )
        fuzz_fail("arch_load_ldt(%u)", ents);
}

void arch_map_ldt_page(unsigned int idx, mfn_t mfn)
{
    const struct frame *f = frame_of(mfn);

    if ( idx >= 16 || !f || !frame_owner_is_domain(f) || f->type != FRAME_SEG_DESC ||
         !f->type_count )
        fuzz_fail("arch_map_ldt_page(%u, %#x): not a validated descriptor frame", idx, mfn);
}

void arch_flush_tlb(void) { }
void arch_flush_tlb_one(gva_t va) { (void)va; }
void arch_set_kernel_stack(uint32_t ss, uint32_t esp) { (void)ss; (void)esp; }
uint64_t arch_now_ns(void) { return fuzz_now_ns; }
void arch_set_timer(uint64_t deadline_ns) { fuzz_timer = deadline_ns; }

void arch_tsc_sample(uint64_t *tsc, uint64_t *now_ns)
{
    *now_ns = fuzz_now_ns;
    *tsc = fuzz_now_ns * 2;             /* a 2 GHz TSC */
}

uint64_t arch_tsc_hz(void)
{
    return 2000000000ull;
}

void arch_console_write(const char *s, size_t len)
{
    if ( fuzz_trace )
        fwrite(s, 1, len, stderr);
    if ( len > CONSOLE_KEEP )
    {
        s += len - CONSOLE_KEEP;
        len = CONSOLE_KEEP;
    }
    if ( console_len + len > CONSOLE_KEEP )
    {
        size_t drop = console_len + len - CONSOLE_KEEP;

        memmove(console, console + drop, console_len - drop);
        console_len -= drop;
    }
    memcpy(console + console_len, s, len);
    console_len += len;
    console[console_len] = '\0';
}

/* As the simulator: time jumps to the deadline and the timer fires. With no
 * timer armed nothing can ever happen again: the run ends (not a failure). */
void arch_idle(void)
{
    if ( !fuzz_timer || ++idles > 10000 )
        arch_shutdown(FUZZ_STOP_IDLE);
    if ( fuzz_timer > fuzz_now_ns )
        fuzz_now_ns = fuzz_timer;
    fuzz_timer = 0;
    core_timer_interrupt(NULL);
}

void arch_shutdown(int status)
{
    fuzz_stop_status = status;
    if ( !fuzz_stop_jmp )
        fuzz_fail("arch_shutdown(%d) outside a run", status);
    longjmp(*fuzz_stop_jmp, 1);
}
