/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fpu.c - the machine's FPU, MMX and SSE registers in the simulator.
 *
 * They live in the Unicorn engine, and uc_context_restore of a ring
 * template (cpu.c, on every trap the core handles outside the engine)
 * replaces them with the template's. So this file keeps "the machine's FPU"
 * in one of two places: the engine, or a shadow fxsave image. Before a
 * template restore the engine's registers go to the shadow; they go back
 * into the engine only when a guest may touch them (CR0.TS clear). With TS
 * set no FPU, MMX or SSE instruction can read or write them, so vCPUs that
 * do not own the FPU (and the owner between its FPU uses) pay nothing.
 *
 * Unicorn 2.1.4 exposes everything fxsave stores (docs/cpu.md, measured):
 * ST0-7 stack-relative as 10 bytes each, FPSW with TOP, FPCW, FPTAG as the
 * full tag word (only "empty or not" is kept on write), FIP/FCS/FDP/FDS/FOP,
 * MXCSR (written through cpu_set_mxcsr, so rounding follows) and XMM0-7.
 * CR0.TS (arch_set_ts) is here too: it decides where the registers are.
 */
#include "sim.h"

static struct fpu_state shadow;         /* the machine's registers when the engine's are not */
static bool engine_holds = true;        /* at start the engine's own (reset) registers are */

/* The order matters on write: FPSW sets TOP before ST(i) are placed. */
enum {
    F_FPCW, F_FPSW, F_FPTAG, F_FOP, F_FIP, F_FCS, F_FDP, F_FDS, F_MXCSR,
    F_ST0, F_XMM0 = F_ST0 + 8, F_NR = F_XMM0 + 8,
};

static const int fpu_uc_regs[F_NR] = {
    UC_X86_REG_FPCW, UC_X86_REG_FPSW, UC_X86_REG_FPTAG, UC_X86_REG_FOP, UC_X86_REG_FIP,
    UC_X86_REG_FCS, UC_X86_REG_FDP, UC_X86_REG_FDS, UC_X86_REG_MXCSR,
    UC_X86_REG_ST0, UC_X86_REG_ST1, UC_X86_REG_ST2, UC_X86_REG_ST3,
    UC_X86_REG_ST4, UC_X86_REG_ST5, UC_X86_REG_ST6, UC_X86_REG_ST7,
    UC_X86_REG_XMM0, UC_X86_REG_XMM1, UC_X86_REG_XMM2, UC_X86_REG_XMM3,
    UC_X86_REG_XMM4, UC_X86_REG_XMM5, UC_X86_REG_XMM6, UC_X86_REG_XMM7,
};

/* Each register's value, big enough for any of them (XMM: 16 bytes). */
struct fpu_vals {
    uint64_t v[F_NR][2];
};

static void batch(struct fpu_vals *vals, bool write)
{
    void *ptr[F_NR];
    uc_err err;

    for ( int i = 0; i < F_NR; i++ )
        ptr[i] = vals->v[i];
    if ( write )
        err = uc_reg_write_batch(sim_uc, (int *)fpu_uc_regs, ptr, F_NR);
    else
        err = uc_reg_read_batch(sim_uc, (int *)fpu_uc_regs, ptr, F_NR);
    if ( err != UC_ERR_OK )
        sim_panic("unicorn: FPU registers: %s", uc_strerror(err));
}

static uint16_t u16(const struct fpu_vals *f, int i)
{
    uint16_t x;

    memcpy(&x, f->v[i], sizeof(x));
    return x;
}

static uint32_t u32(const struct fpu_vals *f, int i)
{
    uint32_t x;

    memcpy(&x, f->v[i], sizeof(x));
    return x;
}

static void set(struct fpu_vals *f, int i, const void *src, size_t n)
{
    memset(f->v[i], 0, sizeof(f->v[i]));
    memcpy(f->v[i], src, n);
}

/* Engine -> fxsave image. The tag word becomes fxsave's abridged form
 * (bit i set: physical register i not empty). */
static void engine_read(struct fpu_state *s)
{
    struct fpu_vals f;
    uint16_t tags;

    memset(&f, 0, sizeof(f));
    batch(&f, false);
    memset(s, 0, sizeof(*s));
    s->fcw = u16(&f, F_FPCW);
    s->fsw = u16(&f, F_FPSW);
    tags = u16(&f, F_FPTAG);
    for ( unsigned int i = 0; i < 8; i++ )
        if ( ((tags >> (2 * i)) & 3) != 3 )
            s->ftw |= (uint8_t)(1u << i);
    s->fop = u16(&f, F_FOP);
    s->fip = u32(&f, F_FIP);
    s->fcs = u16(&f, F_FCS);
    s->fdp = u32(&f, F_FDP);
    s->fds = u16(&f, F_FDS);
    s->mxcsr = u32(&f, F_MXCSR);
    s->mxcsr_mask = 0xffff;
    for ( unsigned int i = 0; i < 8; i++ )
    {
        memcpy(s->st[i], f.v[F_ST0 + i], 10);
        memcpy(s->xmm[i], f.v[F_XMM0 + i], 16);
    }
}

/* fxsave image -> engine: every register, so nothing of what it held stays. */
static void engine_write(const struct fpu_state *s)
{
    struct fpu_vals f;
    uint16_t tags = 0;
    uint64_t fip = s->fip, fdp = s->fdp;

    for ( unsigned int i = 0; i < 8; i++ )
        if ( !(s->ftw & (1u << i)) )
            tags |= (uint16_t)(3u << (2 * i));
    set(&f, F_FPCW, &s->fcw, 2);
    set(&f, F_FPSW, &s->fsw, 2);
    set(&f, F_FPTAG, &tags, 2);
    set(&f, F_FOP, &s->fop, 2);
    set(&f, F_FIP, &fip, 8);
    set(&f, F_FCS, &s->fcs, 2);
    set(&f, F_FDP, &fdp, 8);
    set(&f, F_FDS, &s->fds, 2);
    set(&f, F_MXCSR, &s->mxcsr, 4);
    for ( unsigned int i = 0; i < 8; i++ )
    {
        set(&f, F_ST0 + i, s->st[i], 10);
        set(&f, F_XMM0 + i, s->xmm[i], 16);
    }
    batch(&f, true);
}

void fpu_before_template(void)
{
    if ( engine_holds )
        engine_read(&shadow);
    engine_holds = false;
}

/* With CR0.TS clear a guest may use the registers: they go into the engine. */
static void fpu_engine_sync(void)
{
    if ( engine_holds )
        return;
    engine_write(&shadow);
    engine_holds = true;
}

/* The machine's CR0.TS. The templates hold it set, the usual state (only
 * the FPU's owner runs with it clear, core/cpu/fpu.c): a CR0 write costs
 * Unicorn ~0.25 us, so it is written only when it changes. */
static bool cr0_ts = true;

void fpu_after_template(void)
{
    if ( cr0_ts )
        return;
    cpu_reg_write(UC_X86_REG_CR0, CR0_GUEST_BITS, "cr0");
    fpu_engine_sync();                  /* the owner's registers into the engine */
}

void arch_set_ts(bool ts)
{
    if ( ts != cr0_ts )                 /* the engine holds cr0_ts */
        cpu_reg_write(UC_X86_REG_CR0, CR0_GUEST_BITS | (ts ? CR0_TS : 0), "cr0");
    cr0_ts = ts;
    if ( !ts )
        fpu_engine_sync();              /* the guest may use the FPU now: its registers in */
}

void arch_fpu_save(struct fpu_state *s)
{
    if ( engine_holds )
        engine_read(s);
    else
        *s = shadow;
    arch_set_ts(false);
}

void arch_fpu_restore(const struct fpu_state *s)
{
    shadow = *s;
    engine_holds = false;
    arch_set_ts(false);                 /* TS clear: into the engine now */
}
