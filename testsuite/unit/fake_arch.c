/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fake_arch.c - arch.h for unit tests. Machine memory is a host buffer; frames
 * below 1 MiB are the "arch's own", modules sit at 8 MiB and above are free.
 * arch_fill_hyp_l2 writes a recognisable pattern so tests can check the
 * builder copied it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fake_arch.h"
#include <pvx/fpu.h>
#include <pvx/layout.h>
#include <pvx/mm.h>

#define MODULE_MFN  0x800       /* 8 MiB: modules go here, outside free RAM */

uint8_t *fake_mem;
jmp_buf *fake_shutdown_jmp;
int fake_shutdown_status;
paddr_t fake_cr3;
char fake_console[65536];
size_t fake_console_len;
uint64_t fake_timer;
extern uint64_t fake_now_ns;

void fake_reset(void)
{
    if ( !fake_mem )
        fake_mem = malloc((size_t)FAKE_MEM_FRAMES * PAGE_SIZE);
    memset(fake_mem, 0, (size_t)FAKE_MEM_FRAMES * PAGE_SIZE);
    fake_console_len = 0;
    fake_console[0] = '\0';
    fake_cr3 = 0;
    /* A machine FPU full of something no vCPU wrote: a vCPU that were
     * never given its own registers would see it. */
    memset(&fake_fpu, 0x5a, sizeof(fake_fpu));
    fake_fpu_saves = fake_fpu_restores = 0;
    fake_ts = false;
    fake_timer = 0;
    fake_now_ns = 0;
}

void fake_boot_info(struct boot_info *bi, const void *image, size_t len, const char *mod_cmdline,
                    const char *hv_cmdline)
{
    uint32_t mod_frames = (uint32_t)((len + PAGE_SIZE - 1) / PAGE_SIZE);

    memset(bi, 0, sizeof(*bi));
    bi->machine = "unit";
    bi->cmdline = hv_cmdline ? hv_cmdline : "";
    /* Free RAM: 1 MiB to 8 MiB, then after the module to the end. */
    bi->ranges[0] = (struct boot_range){ .start = 0x100, .nr = MODULE_MFN - 0x100 };
    bi->ranges[1] = (struct boot_range){ .start = MODULE_MFN + mod_frames,
                                         .nr = FAKE_MEM_FRAMES - MODULE_MFN - mod_frames };
    bi->nr_ranges = 2;
    if ( image )
    {
        memcpy(fake_mem + (size_t)MODULE_MFN * PAGE_SIZE, image, len);
        bi->modules[0] = (struct boot_module){
            .start = (paddr_t)MODULE_MFN * PAGE_SIZE, .len = (uint32_t)len,
            .cmdline = mod_cmdline,
        };
        bi->nr_modules = 1;
    }
}

void *arch_map_frames(mfn_t mfn, unsigned int nr)
{
    if ( (uint64_t)mfn + nr > FAKE_MEM_FRAMES )
    {
        fprintf(stderr, "fake_arch: map of frames %#x+%u beyond memory\n", mfn, nr);
        abort();
    }
    return fake_mem + (size_t)mfn * PAGE_SIZE;
}

void arch_unmap_frames(void *va, unsigned int nr)
{
    (void)va;
    (void)nr;
}

unsigned long fake_frames_written;

void arch_frames_written(mfn_t mfn, unsigned int nr)
{
    if ( (uint64_t)mfn + nr > FAKE_MEM_FRAMES )
        abort();
    fake_frames_written += nr;
}

void arch_fill_hyp_l2(uint64_t *l2)
{
    for ( unsigned int i = ARCH_FIRST_L2_SLOT; i < NR_L2_SLOTS; i++ )
        l2[i] = 0xa5a5000ull + i;       /* a pattern the builder must copy as is */
}

/* As a PAE CPU: the four PDPTEs are loaded now, and a reserved bit in a
 * present one is a #GP in ring 0 - a hypervisor bug, fatal here too. */
void arch_load_cr3(paddr_t l3)
{
    const uint64_t *pdpt = (const uint64_t *)(fake_mem + l3);

    if ( (l3 & 0x1f) || l3 + 32 > (paddr_t)FAKE_MEM_FRAMES * PAGE_SIZE )
    {
        fprintf(stderr, "fake_arch: arch_load_cr3(%#llx): not a PDPT in memory\n",
                (unsigned long long)l3);
        abort();
    }
    for ( unsigned int i = 0; i < 4; i++ )
        if ( (pdpt[i] & _PAGE_PRESENT) &&
             (pdpt[i] & ~(PTE_ADDR_MASK | MM_PDPTE_ALLOWED)) )
        {
            fprintf(stderr, "fake_arch: PDPTE %u = %#llx has reserved bits: #GP in ring 0\n",
                    i, (unsigned long long)pdpt[i]);
            abort();
        }
    fake_cr3 = l3;
}

void arch_flush_tlb(void) { }
void arch_flush_tlb_one(gva_t va) { (void)va; }
void arch_set_kernel_stack(uint32_t ss, uint32_t esp) { fake_kernel_ss = ss; fake_kernel_sp = esp; }

/* The CPU state the core loads (traps.c, descriptor.c): recorded for tests. */
uint32_t fake_kernel_ss, fake_kernel_sp;
mfn_t fake_gdt_frames[14];
unsigned int fake_gdt_nr;
uint32_t fake_fast_trap_cs, fake_fast_trap_eip;
bool fake_ts;

void arch_load_gdt(const mfn_t *frames, unsigned int nr)
{
    memcpy(fake_gdt_frames, frames, nr * sizeof(*frames));
    fake_gdt_nr = nr;
}

void arch_set_fast_trap(unsigned int vector, uint32_t cs, uint32_t eip)
{
    (void)vector;
    fake_fast_trap_cs = cs;
    fake_fast_trap_eip = eip;
}

void arch_set_ts(bool ts) { fake_ts = ts; }

/* The machine's FPU registers: the guest "uses" them only while TS is clear
 * (fake_fpu_guest_write); save and restore count. */
struct fpu_state fake_fpu;
unsigned int fake_fpu_saves, fake_fpu_restores;

void arch_fpu_save(struct fpu_state *s)
{
    *s = fake_fpu;
    fake_fpu_saves++;
    fake_ts = false;
}

void arch_fpu_restore(const struct fpu_state *s)
{
    if ( s->mxcsr & ~0xffffu )
        abort();                        /* fxrstor would #GP in ring 0 */
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

/* A lazy entry's CPU: the registers still "in" it, and what the core read. */
struct cpu_regs fake_live_regs;
uint32_t fake_regs_filled;

void arch_regs_fill(struct cpu_regs *regs, uint32_t fields)
{
    if ( fields & ~REGS_ALL )
        abort();
    regs_copy_fields(regs, &fake_live_regs, fields);
    fake_regs_filled |= fields;
}

uint32_t fake_ldt_ents;
mfn_t fake_ldt_pages[16];               /* 0: not present */

void arch_load_ldt(uint32_t ents)
{
    fake_ldt_ents = ents;
    memset(fake_ldt_pages, 0, sizeof(fake_ldt_pages));
}

void arch_map_ldt_page(unsigned int idx, mfn_t mfn)
{
    fake_ldt_pages[idx] = mfn;
}
uint64_t arch_now_ns(void) { return fake_now_ns; }
void arch_set_timer(uint64_t deadline_ns) { fake_timer = deadline_ns; }

void arch_console_write(const char *s, size_t len)
{
    size_t n = len;

    if ( n > sizeof(fake_console) - 1 - fake_console_len )
        n = sizeof(fake_console) - 1 - fake_console_len;
    memcpy(fake_console + fake_console_len, s, n);
    fake_console_len += n;
    fake_console[fake_console_len] = '\0';
    if ( getenv("UNIT_CONSOLE") )
        fwrite(s, 1, len, stderr);
}

/* As the simulator: time jumps to the armed deadline and the timer fires. */
void arch_idle(void)
{
    if ( !fake_timer )
    {
        fprintf(stderr, "fake_arch: idle with nothing to run and no timer\n");
        abort();
    }
    if ( fake_timer > fake_now_ns )
        fake_now_ns = fake_timer;
    fake_timer = 0;
    core_timer_interrupt(NULL);
}

void arch_shutdown(int status)
{
    fake_shutdown_status = status;
    if ( !fake_shutdown_jmp )
    {
        fprintf(stderr, "fake_arch: unexpected shutdown %d; console:\n%s\n", status, fake_console);
        abort();
    }
    longjmp(*fake_shutdown_jmp, status + 1);
}

uint64_t fake_now_ns;

void arch_tsc_sample(uint64_t *tsc, uint64_t *now_ns)
{
    *now_ns = fake_now_ns;
    *tsc = fake_now_ns * 3;             /* a 3 GHz TSC */
}

uint64_t arch_tsc_hz(void)
{
    return 3000000000ull;
}

/* Dispatches the core has traced since the program started: the number of
 * the next record of its trace ring. */
unsigned long fake_dispatch_count(void)
{
    static uint64_t seq;
    struct trace_record r[64];

    while ( core_trace_read(&seq, r, 64) )
        ;
    return (unsigned long)seq;
}
