/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fpu.c - recognisable FPU, MMX and SSE register contents (fpu.h). Guests
 * are built without x87/SSE code generation: every register is touched
 * here in asm, and x87 values are whole numbers (fildl), their 80-bit form
 * worked out with integers.
 */
#include "guest.h"
#include "fpu.h"

#define FCW_INIT    0x037fu
#define MXCSR_INIT  0x1f80u

bool fpu_use_sse = true;

void fpu_save(struct guest_fxsave *s)
{
    asm volatile ( "fxsave %0" : "=m" (*s) );
}

static uint32_t fcw_of(uint32_t seed)
{
    return FCW_INIT | (seed & 3) << 10;             /* rounding control */
}

static uint32_t mxcsr_of(uint32_t seed)
{
    return MXCSR_INIT | (seed & 3) << 13;           /* rounding control */
}

/* Dword k of register i (class: 0 x87, 1 MMX, 2 XMM). */
static uint32_t value_of(uint32_t seed, uint32_t round, unsigned int cls, unsigned int i,
                         unsigned int k)
{
    return seed << 24 | cls << 22 | i << 19 | k << 17 | (round & 0x1ffff);
}

/* The 80-bit extended form of a positive whole number, as fildl makes it. */
static void x87_of(uint32_t n, uint8_t out[10])
{
    unsigned int msb = 31 - (unsigned int)__builtin_clz(n);
    uint64_t mant = (uint64_t)n << (63 - msb);
    uint16_t exp = (uint16_t)(16383 + msb);

    memcpy(out, &mant, 8);
    memcpy(out + 8, &exp, 2);
}

void fpu_load(uint32_t seed, uint32_t round, bool mmx)
{
    static uint32_t xmm[8][4] __attribute__((aligned(16)));
    static uint32_t mm[8][2], st[8];
    uint32_t fcw = fcw_of(seed), mxcsr = mxcsr_of(seed);

    for ( unsigned int i = 0; i < 8; i++ )
    {
        for ( unsigned int k = 0; k < 4; k++ )
            xmm[i][k] = value_of(seed, round, 2, i, k);
        for ( unsigned int k = 0; k < 2; k++ )
            mm[i][k] = value_of(seed, round, 1, i, k);
        st[i] = value_of(seed, round, 0, i, 0);
    }
    asm volatile ( "fninit; fldcw %0" :: "m" (fcw) );
    if ( fpu_use_sse )
        asm volatile ( "ldmxcsr %0" :: "m" (mxcsr) );
    if ( fpu_use_sse )
        asm volatile ( "movdqa 0x00(%0), %%xmm0; movdqa 0x10(%0), %%xmm1\n\t"
                   "movdqa 0x20(%0), %%xmm2; movdqa 0x30(%0), %%xmm3\n\t"
                   "movdqa 0x40(%0), %%xmm4; movdqa 0x50(%0), %%xmm5\n\t"
                   "movdqa 0x60(%0), %%xmm6; movdqa 0x70(%0), %%xmm7"
                   :: "r" (xmm) : "memory" );
    if ( mmx )
        asm volatile ( "movq 0x00(%0), %%mm0; movq 0x08(%0), %%mm1\n\t"
                       "movq 0x10(%0), %%mm2; movq 0x18(%0), %%mm3\n\t"
                       "movq 0x20(%0), %%mm4; movq 0x28(%0), %%mm5\n\t"
                       "movq 0x30(%0), %%mm6; movq 0x38(%0), %%mm7"
                       :: "r" (mm) : "memory" );
    else
        /* Pushed from 7 down, so that ST(i) holds st[i]. */
        asm volatile ( "fildl 0x1c(%0); fildl 0x18(%0); fildl 0x14(%0); fildl 0x10(%0)\n\t"
                       "fildl 0x0c(%0); fildl 0x08(%0); fildl 0x04(%0); fildl 0x00(%0)"
                       :: "r" (st) : "memory" );
}

/* Whose a dword looks like. */
static const char *whose(uint32_t found, uint32_t seed)
{
    if ( found == 0 )
        return "cleared";
    if ( found >> 24 == seed )
        return "ours, but another value";
    if ( found >> 24 >= 1 && found >> 24 <= 8 )
        return "another domain's";
    return "unknown";
}

static bool differs(const char *when, const char *what, unsigned int i, uint32_t found,
                    uint32_t want, uint32_t seed)
{
    if ( found == want )
        return false;
    printk("%s: %s%u is %08x, expected %08x (%s)\n", when, what, i, found, want,
           whose(found, seed));
    return true;
}

bool fpu_check(uint32_t seed, uint32_t round, bool mmx, const char *when)
{
    static struct guest_fxsave s;
    bool bad = false;

    memset(&s, 0, sizeof(s));
    fpu_save(&s);
    if ( s.fcw != fcw_of(seed) || (fpu_use_sse && s.mxcsr != mxcsr_of(seed)) )
    {
        printk("%s: fcw %04x mxcsr %08x, expected %04x %08x\n", when, s.fcw, s.mxcsr,
               fcw_of(seed), mxcsr_of(seed));
        bad = true;
    }
    if ( (s.fsw & 0x3800) != 0 || s.ftw != 0xff )
    {
        printk("%s: TOP %u, tags %02x, expected 0 and ff (8 registers in use)\n", when,
               (s.fsw >> 11) & 7, s.ftw);
        bad = true;
    }
    for ( unsigned int i = 0; i < 8 && !bad; i++ )
    {
        uint32_t w[4];

        memcpy(w, s.xmm[i], 16);
        for ( unsigned int k = 0; k < 4 && !bad && fpu_use_sse; k++ )
            bad = differs(when, "xmm", i, w[k], value_of(seed, round, 2, i, k), seed);
        if ( mmx )
        {
            /* Only the low 64 bits: the CPU sets bits 64-79 to ones on an
             * MMX write, QEMU's TCG and Unicorn leave them. */
            memcpy(w, s.st[i], 8);
            for ( unsigned int k = 0; k < 2 && !bad; k++ )
                bad = differs(when, "mm", i, w[k], value_of(seed, round, 1, i, k), seed);
        }
        else
        {
            uint8_t want[10];
            uint32_t v = value_of(seed, round, 0, i, 0);

            x87_of(v, want);
            if ( memcmp(s.st[i], want, 10) )
            {
                uint64_t m;
                uint16_t e;

                memcpy(&m, s.st[i], 8);
                memcpy(&e, s.st[i] + 8, 2);
                /* Back to the whole number it holds, if it is one. */
                printk("%s: st%u holds %04x:%08x%08x, expected %u (%s)\n", when, i, e,
                       (uint32_t)(m >> 32), (uint32_t)m, v,
                       e >= 16383 && e < 16383 + 32 ?
                       whose((uint32_t)(m >> (63 - (e - 16383))), seed) : "not a value of ours");
                bad = true;
            }
        }
    }
    return !bad;
}

bool fpu_check_clean(const char *when)
{
    static struct guest_fxsave s;
    static const uint8_t zero[16];
    bool dirty = false;

    memset(&s, 0, sizeof(s));
    fpu_save(&s);
    for ( unsigned int i = 0; i < 8; i++ )      /* bytes 10-15 of an ST slot are reserved */
        dirty |= memcmp(s.st[i], zero, 10) || (fpu_use_sse && memcmp(s.xmm[i], zero, 16));
    if ( dirty || s.fcw != FCW_INIT || (s.fsw & 0x3800) || s.ftw != 0 ||
         (fpu_use_sse && s.mxcsr != MXCSR_INIT) )
    {
        uint32_t x0;

        memcpy(&x0, s.xmm[0], 4);
        printk("%s: not clean: fcw %04x mxcsr %08x TOP %u tags %02x xmm0 %08x... (%s)\n", when,
               s.fcw, s.mxcsr, (s.fsw >> 11) & 7, s.ftw, x0, whose(x0, 0xff));
        return false;
    }
    return true;
}
