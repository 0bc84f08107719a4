/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dbshadow.c - the mov-ss shadow of debug exceptions, where the CPU lacks it.
 *
 * A load of ss (mov to ss, pop ss) holds debug exceptions off until the
 * instruction after it has run, so that ss and esp change as one (the
 * shadow XSA-260 is about). A data breakpoint the load itself hits therefore
 * traps one instruction later: in the guest after that instruction, or in
 * ring 0 when that instruction enters the hypervisor (int $0x82, a fault),
 * where pvx drops it as Xen does. Hardware and Bochs do this; QEMU's TCG
 * delivers the #DB at once, right after the load.
 *
 * Boot measures which kind of CPU this is (dbshadow_probe). On one without
 * the shadow, a guest #DB whose data hits follow a load of ss is held: the
 * guest runs its next instruction with TF set and interrupts off (hardware's
 * shadow blocks interrupts too), and whatever entry that instruction makes
 * next releases the hold - its single-step #DB carries the held hits, any
 * other entry drops them. Interrupts being off, that entry can only be the
 * instruction's own. Two cases are not held, as the hold would never be
 * released: an int $0x82 (its stub goes straight to the core), whose hit is
 * dropped now as hardware would drop it in ring 0; an int $0x80 through the
 * guest's direct trap gate, whose #DB is delivered at once (hardware would
 * deliver it at the handler's first instruction).
 */
#include <pvx/layout.h>
#include "x86.h"

#define DR6_HITS        0xfu
#define DR6_BD          0x2000u
#define DR6_BS          0x4000u
#define INSN_MAX        15

static bool dbshadow_missing;           /* this CPU delivers such a #DB at once */
static volatile bool dbshadow_probing;
static volatile uint32_t dbshadow_probe_eip;

static struct {
    bool active;
    uint32_t hits;                      /* DR6's B0-B3 the load hit */
    uint32_t flags;                     /* the guest's own TF and IF */
} held;

/* ------------------------------------------------------------------------
 * Reading the guest's instruction bytes: a walk of the live PAE tables (the
 * guest's, which the core validated, under our per-vCPU PDPT); nothing here
 * can fault.
 */
static bool entry_next(uint32_t table_pa, unsigned int idx, uint64_t *e)
{
    const uint64_t *t = arch_map_frames(table_pa >> PAGE_SHIFT, 1);

    *e = t[idx];
    arch_unmap_frames((void *)t, 1);
    return (*e & _PAGE_PRESENT) && (*e & 0x000ffffffffff000ull) < X86_MAX_RAM;
}

static bool guest_byte(uint32_t la, uint8_t *b)
{
    uint32_t cr3 = read_cr3() & ~31u;
    const uint8_t *p;
    uint64_t e;

    if ( la >= HYPERVISOR_VIRT_START )
        return false;
    /* The PDPT: 32 bytes, within one frame. */
    if ( !entry_next(cr3 & PAGE_MASK, ((cr3 & ~PAGE_MASK) >> 3) + (la >> 30), &e) ||
         !entry_next((uint32_t)e & PAGE_MASK, (la >> 21) & 511, &e) || (e & _PAGE_PSE) ||
         !entry_next((uint32_t)e & PAGE_MASK, (la >> 12) & 511, &e) )
        return false;
    p = arch_map_frames((mfn_t)(e >> PAGE_SHIFT) & 0xfffff, 1);
    *b = p[la & ~PAGE_MASK];
    arch_unmap_frames((void *)p, 1);
    return true;
}

/* cs's base, from the GDT (an LDT code segment: unknown, false). */
static bool code_base(uint16_t cs, uint32_t *base)
{
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) gdtr;
    const uint8_t *d;

    asm volatile ( "sgdt %0" : "=m" (gdtr) );
    if ( (cs & 4) || (uint32_t)(cs | 7) > gdtr.limit )
        return false;
    d = (const uint8_t *)(gdtr.base + (cs & ~7u));
    *base = d[2] | d[3] << 8 | d[4] << 16 | (uint32_t)d[7] << 24;
    return true;
}

static bool is_prefix(uint8_t b)
{
    return b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65 ||
           b == 0x66 || b == 0x67 || b == 0xf2 || b == 0xf3;
}

/* b[0..len) is exactly one load of ss from memory: pop ss, or mov to ss
 * with a memory operand (a register source cannot hit a breakpoint). */
static bool loads_ss(const uint8_t *b, unsigned int len)
{
    unsigned int i = 0, n, mod, rm;
    bool addr16 = false;

    for ( ; i < len && is_prefix(b[i]); i++ )
        addr16 |= b[i] == 0x67;
    if ( i + 1 == len && b[i] == 0x17 )
        return true;
    if ( i + 2 > len || b[i] != 0x8e || ((b[i + 1] >> 3) & 7) != 2 )
        return false;
    mod = b[i + 1] >> 6;
    rm = b[i + 1] & 7;
    n = i + 2;
    if ( mod == 3 )
        return false;
    if ( addr16 )
        n += mod == 1 ? 1 : (mod == 2 || (mod == 0 && rm == 6)) ? 2 : 0;
    else
    {
        if ( rm == 4 )
        {
            if ( n >= len )
                return false;
            if ( mod == 0 && (b[n] & 7) == 5 )
                n += 4;                 /* SIB without a base: disp32 */
            n++;
        }
        n += mod == 1 ? 1 : (mod == 2 || (mod == 0 && rm == 5)) ? 4 : 0;
    }
    return n == len;
}

/* ------------------------------------------------------------------------
 * Boot: does a breakpoint hit by mov to ss trap after the next instruction
 * (hardware) or at once (TCG)? Interrupts are still off here.
 */
void x86_dbshadow_probe(void)
{
    static volatile uint32_t slot;
    uint32_t at_next, after_next, ss;

    asm volatile ( "mov %%ss, %0" : "=r" (ss) );
    slot = ss;
    write_dr6(X86_DR6_DEFAULT);
    write_dr0((uint32_t)&slot);
    write_dr7(0x1 | 3u << 16 | 3u << 18);       /* L0, read/write, 4 bytes */
    dbshadow_probing = true;
    asm volatile ( "mov %2, %%ss\n"
                   "1: nop\n"
                   "2: movl $1b, %0\n"
                   "movl $2b, %1"
                   : "=r" (at_next), "=r" (after_next) : "m" (slot) : "memory" );
    dbshadow_probing = false;
    write_dr7(0);
    write_dr0(0);
    write_dr6(X86_DR6_DEFAULT);
    dbshadow_missing = dbshadow_probe_eip == at_next;
    if ( dbshadow_missing )
        x86_printk("(pvx) cpu: a breakpoint hit by mov to ss traps at once (TCG?): "
                   "pvx holds it one instruction\n");
    else if ( dbshadow_probe_eip != after_next )
        x86_printk("(pvx) cpu: the mov-ss breakpoint probe trapped at %#x (expected %#x)\n",
                   dbshadow_probe_eip, after_next);
}

/* A #DB in ring 0: the probe's, or one pvx drops. */
void x86_dbshadow_ring0_db(const struct cpu_regs *regs)
{
    if ( dbshadow_probing )
        dbshadow_probe_eip = regs->eip;
}

/* A #DB from a guest on a CPU without the shadow: true when it is held
 * (the guest resumes at once, nothing for the core). */
bool x86_dbshadow_hold(struct cpu_regs *regs, uint32_t dr6, uint32_t dr7)
{
    uint8_t b[2 * INSN_MAX];
    uint32_t base, la, data = 0;
    unsigned int i, len, before, end;

    if ( !dbshadow_missing || (dr6 & (DR6_BS | DR6_BD)) || !(dr6 & DR6_HITS) )
        return false;
    /* Only data breakpoints trap after the instruction that hit them. */
    for ( i = 0; i < 4; i++ )
        if ( ((dr7 >> (16 + 4 * i)) & 3) == 1 || ((dr7 >> (16 + 4 * i)) & 3) == 3 )
            data |= 1u << i;
    if ( (dr6 & DR6_HITS & ~data) || !code_base(regs->cs, &base) )
        return false;
    /* b[INSN_MAX - before, INSN_MAX) precede eip (read backwards until a
     * byte is not there), b[INSN_MAX, end) are the next instruction's. */
    la = base + regs->eip;
    for ( before = 0; before < INSN_MAX && guest_byte(la - 1 - before, &b[INSN_MAX - 1 - before]);
          before++ )
        ;
    for ( end = INSN_MAX; end < 2 * INSN_MAX && guest_byte(la + end - INSN_MAX, &b[end]); end++ )
        ;
    for ( len = 1; len <= before && !loads_ss(b + INSN_MAX - len, len); len++ )
        ;
    if ( len > before )
        return false;

    /* The next instruction: past its prefixes, an int $0x82 or $0x80? */
    for ( len = INSN_MAX; len < end && is_prefix(b[len]); len++ )
        ;
    if ( len + 1 < end && b[len] == 0xcd && b[len + 1] == 0x82 )
    {
        write_dr6(X86_DR6_DEFAULT);     /* hardware: a #DB in ring 0, dropped */
        return true;
    }
    if ( len + 1 < end && b[len] == 0xcd && b[len + 1] == 0x80 && x86_fast_trap_set() )
        return false;

    held.active = true;
    held.hits = dr6 & DR6_HITS;
    held.flags = regs->eflags & (X86_EFLAGS_TF | X86_EFLAGS_IF);
    write_dr6(X86_DR6_DEFAULT);
    regs->eflags = (regs->eflags | X86_EFLAGS_TF) & ~X86_EFLAGS_IF;
    return true;
}

/* The first entry from the guest after a hold: its frame gets the guest's
 * own TF and IF back; a single step delivers the held hits (DR6 as the
 * core will read it), anything else drops them. */
void x86_dbshadow_release(struct cpu_regs *regs)
{
    uint32_t dr6;

    if ( likely(!held.active) )
        return;
    held.active = false;
    regs->eflags = (regs->eflags & ~(X86_EFLAGS_TF | X86_EFLAGS_IF)) | held.flags;
    if ( regs->entry_vector != X86_EXC_DB )
        return;
    dr6 = read_dr6();
    if ( !(held.flags & X86_EFLAGS_TF) )
        dr6 &= ~DR6_BS;                 /* our step, not the guest's */
    write_dr6(dr6 | held.hits);
}
