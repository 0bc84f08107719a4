/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu.c - the simulator's one physical CPU: a Unicorn engine in 32-bit
 * protected mode with PAE paging, the ring templates, the trap hook and the
 * run loop.
 *
 * A vCPU is only a saved register frame. Entering one is what hardware does
 * on iret + mov %cr3: registers, then CR3. The host cannot set CPL by writing
 * CS/SS, so at start-up we run a real ring-0 iret into ring 1 and ring 3 and
 * save the engine context right after each (a "template"); entering any guest
 * context of ring n = restore template n, write the registers, write CR3.
 *
 * Every exit to the core goes through one UC_HOOK_INTR hook (plus Unicorn's
 * UC_ERR_INSN_INVALID return for #UD):
 *  - a hypercall (int $0x82 from ring 1) is handled inside the hook; when the
 *    core hands back a frame of the same ring the registers are written there
 *    and emulation simply continues (the fast path);
 *  - anything else stops the engine; the core runs outside it, and the frame
 *    is re-entered through a template, which also clears Unicorn's "exception
 *    in flight" state (else the next fault would arrive as #DF).
 *
 * Software interrupts are checked against the gate DPLs of pvx's real IDT
 * (Xen x86_32's): int3/into DPL 3, int $0x82 DPL 1, everything else DPL 0.
 * An `int n` through a gate whose DPL < CPL is what hardware turns into
 * #GP((n << 3) | 2) at the int instruction, and that is what the core gets:
 * it then applies the guest's virtual trap table, exactly as on metal.
 */
#include "sim.h"

#define HYPERCALL_VECTOR    0x82
#define UNTIL_NEVER         (1ull << 32)    /* a 32-bit pc never gets there */

#define CR0_PE  0x00000001u
#define CR0_MP  0x00000002u
#define CR0_ET  0x00000010u
#define CR0_NE  0x00000020u
#define CR0_WP  0x00010000u
#define CR0_PG  0x80000000u
#define CR0_TS  0x00000008u
#define CR0_GUEST_BITS (CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG)
#define CR4_PAE 0x00000020u
#define CR4_PGE 0x00000080u
#define CR4_OSFXSR 0x00000200u
#define CR4_OSXMMEXCPT 0x00000400u
#define MSR_EFER 0xc0000080u
#define EFER_NXE (1u << 11)

uc_engine *sim_uc;
uint32_t sim_cr3;
bool sim_nx;

static uc_context *ring_template[4];
/* arch_set_ts. The templates hold TS set, the usual state (only the FPU's
 * owner runs with it clear, core/fpu.c): a CR0 write costs Unicorn ~0.25 us. */
static bool cr0_ts = true;
static uint32_t ldt_ents;               /* cpu_set_ldt: the templates hold a null LDTR */
static uint32_t template_seg[4][6];     /* cs ss ds es fs gs held by each template */
static bool cpu_ready;

/* The frame the core sees: the simulator's equivalent of the trap stub's
 * stack frame. */
static struct cpu_regs frame;

/* Why the engine stopped, when a hook stopped it. */
static enum { STOP_NONE, STOP_RELOAD, STOP_TRAP, STOP_IO } stop_reason;
static uint32_t stop_cr2;
static const struct block_info *stop_block;  /* STOP_IO: the block with the I/O */

/* Registers in cpu_regs order (without the vector/error fields). */
enum { R_EAX, R_EBX, R_ECX, R_EDX, R_ESI, R_EDI, R_EBP, R_ESP, R_EIP, R_EFLAGS,
       R_CS, R_SS, R_DS, R_ES, R_FS, R_GS, R_NR };
static const int uc_regs[R_NR] = {
    UC_X86_REG_EAX, UC_X86_REG_EBX, UC_X86_REG_ECX, UC_X86_REG_EDX,
    UC_X86_REG_ESI, UC_X86_REG_EDI, UC_X86_REG_EBP, UC_X86_REG_ESP,
    UC_X86_REG_EIP, UC_X86_REG_EFLAGS,
    UC_X86_REG_CS, UC_X86_REG_SS, UC_X86_REG_DS, UC_X86_REG_ES,
    UC_X86_REG_FS, UC_X86_REG_GS,
};
#define R_NR_GPR (R_EFLAGS + 1)             /* everything up to and incl. eflags */

static const size_t frame_off[R_NR] = {
    offsetof(struct cpu_regs, eax), offsetof(struct cpu_regs, ebx),
    offsetof(struct cpu_regs, ecx), offsetof(struct cpu_regs, edx),
    offsetof(struct cpu_regs, esi), offsetof(struct cpu_regs, edi),
    offsetof(struct cpu_regs, ebp), offsetof(struct cpu_regs, esp),
    offsetof(struct cpu_regs, eip), offsetof(struct cpu_regs, eflags),
    offsetof(struct cpu_regs, cs), offsetof(struct cpu_regs, ss),
    offsetof(struct cpu_regs, ds), offsetof(struct cpu_regs, es),
    offsetof(struct cpu_regs, fs), offsetof(struct cpu_regs, gs),
};

static inline uint32_t *frame_field(const struct cpu_regs *r, int i)
{
    return (uint32_t *)((uint8_t *)r + frame_off[i]);
}

/* Segment selectors the engine holds right now (cs ss ds es fs gs);
 * SEG_UNKNOWN for one a lazy hypercall entry did not read. */
static uint32_t live_seg[6];
#define SEG_UNKNOWN 0xffffffffu

/* A lazy hypercall entry (hook_intr): which registers it has read from the
 * engine so far (R_ bits) and their values. */
static bool in_lazy;
static uint32_t known;
static uint32_t known_val[R_NR];

static inline uint32_t field_bit(int i)
{
    return 1u << (frame_off[i] / 4);
}

/* The other way: frame field index -> R_ register, -1 for software fields. */
static const int8_t reg_of_field[sizeof(struct cpu_regs) / 4] = {
    [offsetof(struct cpu_regs, eax) / 4] = R_EAX, [offsetof(struct cpu_regs, ebx) / 4] = R_EBX,
    [offsetof(struct cpu_regs, ecx) / 4] = R_ECX, [offsetof(struct cpu_regs, edx) / 4] = R_EDX,
    [offsetof(struct cpu_regs, esi) / 4] = R_ESI, [offsetof(struct cpu_regs, edi) / 4] = R_EDI,
    [offsetof(struct cpu_regs, ebp) / 4] = R_EBP, [offsetof(struct cpu_regs, esp) / 4] = R_ESP,
    [offsetof(struct cpu_regs, eip) / 4] = R_EIP, [offsetof(struct cpu_regs, eflags) / 4] = R_EFLAGS,
    [offsetof(struct cpu_regs, cs) / 4] = R_CS, [offsetof(struct cpu_regs, ss) / 4] = R_SS,
    [offsetof(struct cpu_regs, ds) / 4] = R_DS, [offsetof(struct cpu_regs, es) / 4] = R_ES,
    [offsetof(struct cpu_regs, fs) / 4] = R_FS, [offsetof(struct cpu_regs, gs) / 4] = R_GS,
    [offsetof(struct cpu_regs, esp_pusha) / 4] = -1,
    [offsetof(struct cpu_regs, entry_vector) / 4] = -1,
    [offsetof(struct cpu_regs, error_code) / 4] = -1,
};
#define SEG_FIELDS (REGS_FIELD(ss) | REGS_FIELD(ds) | REGS_FIELD(es) | REGS_FIELD(fs) | \
                    REGS_FIELD(gs))

static void check(uc_err err, const char *what)
{
    if ( err != UC_ERR_OK )
        sim_panic("unicorn: %s: %s", what, uc_strerror(err));
}

static void reg_write(int reg, uint64_t val, const char *what)
{
    check(uc_reg_write(sim_uc, reg, &val), what);
}

static uint64_t reg_read(int reg)
{
    uint64_t val = 0;

    check(uc_reg_read(sim_uc, reg, &val), "reg_read");
    return val;
}

/* Engine -> frame. */
static void frame_save(struct cpu_regs *r)
{
    uint64_t val[R_NR] = { 0 };
    void *ptr[R_NR];
    int i;

    for ( i = 0; i < R_NR; i++ )
        ptr[i] = &val[i];
    check(uc_reg_read_batch(sim_uc, uc_regs, ptr, R_NR), "read registers");
    for ( i = 0; i < R_NR; i++ )
        *frame_field(r, i) = (uint32_t)val[i];
    for ( i = 0; i < 6; i++ )
        live_seg[i] = (uint16_t)val[R_CS + i];
    r->esp_pusha = 0;
    r->entry_vector = 0;
    r->error_code = 0;
}

/* Write the segment registers that differ from what the engine holds, but
 * none of the fields in skip (a lazy entry's unread ones). */
static void segs_write(const struct cpu_regs *r, uint32_t skip)
{
    /* SS before the data segments; CS last (it must stay in the same ring). */
    static const int order[6] = { R_SS, R_DS, R_ES, R_FS, R_GS, R_CS };
    int i;

    for ( i = 0; i < 6; i++ )
    {
        int idx = order[i] - R_CS;
        uint32_t sel = *frame_field(r, order[i]) & 0xffff;

        if ( sel == live_seg[idx] || (skip & field_bit(order[i])) )
            continue;
        if ( uc_reg_write(sim_uc, uc_regs[order[i]], &(uint64_t){ sel }) != UC_ERR_OK )
        {
            /* A data selector that went bad while the guest was out (its GDT
             * changed) becomes null, as arch-x86's exit path does. */
            if ( idx >= 2 && uc_reg_write(sim_uc, uc_regs[order[i]], &(uint64_t){ 0 }) == UC_ERR_OK )
            {
                *frame_field(r, order[i]) = 0;
                sel = 0;
            }
            else
                sim_panic("cannot load selector %#x into %s (eip %#x): the core "
                          "must validate guest selectors", sel,
                          (const char *[]){ "cs", "ss", "ds", "es", "fs", "gs" }[idx],
                          r->eip);
        }
        live_seg[idx] = sel;
    }
}

/*
 * The lazy hypercall entry: the hook reads eax and cs only; the core asks for
 * the rest as it needs them (a null hypercall: its arguments), and on the way
 * out only what it holds and the engine does not is written. Reading one
 * register through Unicorn costs about a sixth of the whole trap.
 */
void arch_regs_fill(struct cpu_regs *regs, uint32_t fields)
{
    uint64_t val[R_NR];
    void *ptr[R_NR];
    int ids[R_NR] = { 0 }, idx[R_NR] = { 0 }, n = 0;

    if ( !in_lazy )
        sim_panic("arch_regs_fill(%#x) outside a lazy hypercall entry", fields);
    for ( uint32_t f = fields; f; f &= f - 1 )
    {
        int i = reg_of_field[__builtin_ctz(f)];

        if ( i < 0 )
            sim_panic("arch_regs_fill: field bit %d is no register", __builtin_ctz(f));
        ids[n] = uc_regs[i];
        ptr[n] = &val[n];
        idx[n++] = i;
    }
    check(uc_reg_read_batch(sim_uc, ids, ptr, n), "read registers");
    for ( int k = 0; k < n; k++ )
    {
        uint32_t v = idx[k] >= R_CS ? (uint16_t)val[k] : (uint32_t)val[k];

        *frame_field(regs, idx[k]) = v;
        known |= 1u << idx[k];
        known_val[idx[k]] = v;
        if ( idx[k] >= R_CS )
            live_seg[idx[k] - R_CS] = v;
    }
}

/* eax and cs, which the core always needs, and ebx and ecx, the arguments of
 * all but four hypercalls: one batch instead of two for most calls. */
static uint32_t lazy_entry(struct cpu_regs *r)
{
    static const int ids[4] = { UC_X86_REG_EAX, UC_X86_REG_CS, UC_X86_REG_EBX, UC_X86_REG_ECX };
    uint64_t val[4] = { 0, 0, 0, 0 };
    void *ptr[4] = { &val[0], &val[1], &val[2], &val[3] };

    check(uc_reg_read_batch(sim_uc, (int *)ids, ptr, 4), "read registers");
    /* Unread fields hold a value no selector or sane pointer has: a core
     * path that forgot regs_need() shows up at once. */
    memset(r, 0xa5, sizeof(*r));
    r->eax = (uint32_t)val[0];
    r->cs = (uint16_t)val[1];
    r->ebx = (uint32_t)val[2];
    r->ecx = (uint32_t)val[3];
    r->esp_pusha = 0;
    r->entry_vector = HYPERCALL_VECTOR;
    r->error_code = 0;
    known = (1u << R_EAX) | (1u << R_CS) | (1u << R_EBX) | (1u << R_ECX);
    known_val[R_EAX] = r->eax;
    known_val[R_CS] = r->cs;
    known_val[R_EBX] = r->ebx;
    known_val[R_ECX] = r->ecx;
    live_seg[0] = r->cs;
    for ( int i = 1; i < 6; i++ )
        live_seg[i] = SEG_UNKNOWN;
    return REGS_ALL & ~(REGS_FIELD(eax) | REGS_FIELD(cs) | REGS_FIELD(ebx) | REGS_FIELD(ecx) |
                        REGS_FIELD(esp_pusha) | REGS_FIELD(entry_vector) |
                        REGS_FIELD(error_code));
}

/* Frame -> engine after a lazy entry: what the engine does not hold already,
 * never a field the core left missing. */
static void frame_load_lazy(const struct cpu_regs *r, uint32_t missing)
{
    uint64_t val[R_NR_GPR];
    void *ptr[R_NR_GPR];
    int regs[R_NR_GPR];
    int i, n = 0;

    for ( i = 0; i < R_NR_GPR; i++ )
    {
        uint32_t v = *frame_field(r, i);

        if ( (missing & field_bit(i)) || ((known & (1u << i)) && known_val[i] == v) )
            continue;
        regs[n] = uc_regs[i];
        val[n] = v;
        ptr[n] = &val[n];
        n++;
    }
    if ( n )
        check(uc_reg_write_batch(sim_uc, regs, ptr, n), "write registers");
    /* The usual case: no selector read, cs as it was. */
    if ( (missing & SEG_FIELDS) != SEG_FIELDS || (r->cs & 0xffff) != live_seg[0] )
        segs_write(r, missing);
}

/* Frame -> engine for the registers that differ from old (what the engine
 * holds, every field read): a hypercall usually changes eax alone, and each
 * register write costs as much as the trap itself. */
static void frame_load_changed(const struct cpu_regs *r, const struct cpu_regs *old)
{
    for ( int i = 0; i < R_NR_GPR; i++ )
        known_val[i] = *frame_field(old, i);
    known = (1u << R_NR_GPR) - 1;
    frame_load_lazy(r, 0);
}

/* Frame -> engine, same ring as the engine is in, no fault pending. */
static void frame_load_live(const struct cpu_regs *r)
{
    uint64_t val[R_NR_GPR];
    void *ptr[R_NR_GPR];
    int i;

    for ( i = 0; i < R_NR_GPR; i++ )
    {
        val[i] = *frame_field(r, i);
        ptr[i] = &val[i];
    }
    check(uc_reg_write_batch(sim_uc, uc_regs, ptr, R_NR_GPR), "write registers");
    segs_write(r, 0);
}

/* Frame -> engine through the template of its ring: any ring, any state. */
static void frame_load_full(const struct cpu_regs *r)
{
    unsigned int ring = r->cs & 3;

    if ( ring_template[ring] == NULL )
        sim_panic("cannot enter ring %u (cs %#x, eip %#x)", ring, r->cs, r->eip);
    fpu_before_template();              /* the template holds FPU registers of its own */
    check(uc_context_restore(sim_uc, ring_template[ring]), "context_restore");
    memcpy(live_seg, template_seg[ring], sizeof(live_seg));
    if ( !cr0_ts )
    {
        reg_write(UC_X86_REG_CR0, CR0_GUEST_BITS, "cr0");
        fpu_engine_sync();
    }
    if ( ldt_ents )
    {
        uc_x86_mmr ldtr = {
            .selector = __LDT_SEL, .base = LDT_VIRT_START, .limit = ldt_ents * 8 - 1,
            .flags = 0x8200,            /* present, type 2 (LDT) */
        };

        check(uc_reg_write(sim_uc, UC_X86_REG_LDTR, &ldtr), "ldtr");
    }
    /* A restore never flushes the TLB: the CR3 write does. */
    reg_write(UC_X86_REG_CR3, sim_cr3, "cr3");
    sim_segs_stale = false;
    frame_load_live(r);
}

uint32_t cpu_cpl(void)
{
    return live_seg[0] & 3;
}

/* ------------------------------------------------------------------------
 * The trap hook.
 */

/* The DPL of each gate of pvx's IDT that a guest may use with `int n`. */
static unsigned int gate_dpl(uint32_t vector)
{
    switch ( vector )
    {
    case X86_EXC_BP:
    case X86_EXC_OF:
        return 3;
    case HYPERCALL_VECTOR:
        return 1;
    default:
        return 0;
    }
}

/*
 * Unicorn reports `int n` and a CPU exception n the same way; they differ in
 * EIP (past the int vs at the faulting instruction). The int instruction
 * always ends a translation block, so it is a software interrupt exactly when
 * the last block entered ends at EIP with an int n (decoded by time.c).
 */
static int soft_int_len(uint32_t vector)
{
    const struct block_info *b = time_last_block();

    if ( b == NULL || b->last_int != (int)vector || b->addr + b->size != frame.eip )
        return 0;
    return b->last_len;
}

static void stop(int reason)
{
    stop_reason = reason;
    uc_emu_stop(sim_uc);
}

static void hook_intr(uc_engine *uc, uint32_t intno, void *data)
{
    struct cpu_regs entry;
    unsigned int cpl, ring;
    uint32_t cr2;
    int len;

    (void)uc;
    (void)data;
    if ( !cpu_ready )
        sim_panic("trap %u while making the ring templates", intno);

    /* int $0x82: vectors past the exceptions only ever come from `int n`. */
    if ( intno == HYPERCALL_VECTOR && !(sim_trace & TRACE_HCALL) )
    {
        uint32_t missing = lazy_entry(&frame);

        cpl = frame.cs & 3;
        if ( cpl <= gate_dpl(intno) )
        {
            in_lazy = true;
            missing = core_hypercall_lazy(&frame, missing);
            ring = frame.cs & 3;
            if ( ring == cpl && !sim_code_stale && !sim_segs_stale )
                frame_load_lazy(&frame, missing);  /* continue right here */
            else
            {
                /* Re-entered through a template: every field is written. */
                arch_regs_fill(&frame, missing);
                stop(STOP_RELOAD);
            }
            in_lazy = false;
            return;
        }
        /* From ring 3: the #GP path below reads the whole frame. */
    }

    frame_save(&frame);
    cpl = frame.cs & 3;
    len = intno >= X86_NR_EXCEPTIONS ? 2 : soft_int_len(intno);

    if ( len && intno == HYPERCALL_VECTOR && cpl <= gate_dpl(intno) )
    {
        frame.entry_vector = HYPERCALL_VECTOR;
        entry = frame;
        if ( sim_trace & TRACE_HCALL )
            trace_hcall_enter(&frame);
        core_hypercall(&frame);
        if ( sim_trace & TRACE_HCALL )
            trace_hcall_exit(&frame);

        ring = frame.cs & 3;
        /* Stale translations can only be dropped outside the engine. */
        if ( ring == cpl && !sim_code_stale && !sim_segs_stale )
            frame_load_changed(&frame, &entry); /* continue right here */
        else
            stop(STOP_RELOAD);
        return;
    }

    /* Nothing above touched Unicorn's MMU, so CR2 is still the fault's. */
    cr2 = (uint32_t)reg_read(UC_X86_REG_CR2);
    if ( len && gate_dpl(intno) < cpl )
    {
        /* What the IDT does to a guest's `int n` through a DPL-0 gate. */
        frame.entry_vector = X86_EXC_GP;
        frame.error_code = (intno << 3) | 2;
        frame.eip -= len;
    }
    else if ( len )
    {
        frame.entry_vector = intno;     /* int3, into: EIP past the instruction */
    }
    else
    {
        frame.entry_vector = intno;
        if ( intno == X86_EXC_PF )
            frame.error_code = dis_pf_error_code(&frame, cr2);
        else if ( intno == X86_EXC_GP || intno == X86_EXC_NP || intno == X86_EXC_SS ||
                  intno == X86_EXC_TS )
            frame.error_code = dis_sel_error_code(&frame);
    }
    stop_cr2 = frame.entry_vector == X86_EXC_PF ? cr2 : 0;
    stop(STOP_TRAP);
}

/*
 * Port I/O. Unicorn never faults IN/OUT, whatever CPL and IOPL say; hardware
 * raises #GP(0) when CPL > IOPL (pvx's TSS has no I/O bitmap). An I/O hook
 * cannot stop the rest of its block from running, so the check is made at
 * block entry (IOPL cannot change inside a block: popf and iret end one):
 * the block is stopped before it runs, stepped up to the I/O instruction
 * (run_to_io) and the #GP delivered there. There are no devices behind the
 * ports: reads float high, writes vanish.
 */
static bool io_denied(void)
{
    uint32_t eflags = (uint32_t)reg_read(UC_X86_REG_EFLAGS);

    return cpu_cpl() > ((eflags & X86_EFLAGS_IOPL) >> 12);
}

bool cpu_block_io_denied(const struct block_info *b)
{
    if ( !io_denied() )
        return false;
    stop_block = b;
    stop(STOP_IO);
    return true;
}

/* Execute the instructions before the denied I/O, then #GP at it. */
static void run_to_io(void)
{
    struct block_info b = *stop_block;
    uc_err err = UC_ERR_OK;

    frame_save(&frame);
    if ( b.io_index > 0 )
    {
        /* The count mode of uc_emu_start is a code hook: retranslate. */
        uc_ctl_flush_tb(sim_uc);
        time_stepping = true;
        err = uc_emu_start(sim_uc, frame.eip, UNTIL_NEVER, 0, b.io_index);
        time_stepping = false;
        uc_ctl_flush_tb(sim_uc);
        time_charge(b.io_index);
        if ( stop_reason != STOP_IO )
            return;                     /* a trap came first: deliver that */
        frame_save(&frame);
    }
    if ( err != UC_ERR_OK || frame.eip != b.io_addr )
        sim_panic("port I/O at %#x: stepped to %#x (%s)", b.io_addr, frame.eip,
                  uc_strerror(err));
    frame.entry_vector = X86_EXC_GP;
    frame.error_code = 0;
    stop_reason = STOP_TRAP;
    stop_cr2 = 0;
}

static uint32_t hook_in(uc_engine *uc, uint32_t port, int size, void *data)
{
    (void)uc;
    (void)port;
    (void)data;
    return size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffffu;
}

static void hook_out(uc_engine *uc, uint32_t port, int size, uint32_t value, void *data)
{
    (void)uc;
    (void)port;
    (void)size;
    (void)value;
    (void)data;
}

/* ------------------------------------------------------------------------
 * Start-up.
 */

void cpu_init(void)
{
    uc_x86_mmr gdtr = { .base = SIM_VA_GDT, .limit = SIM_GDT_PAGES * PAGE_SIZE - 1 };
    uc_x86_msr efer = { .rid = MSR_EFER, .value = EFER_NXE };
    uc_hook hh;

    check(uc_open(UC_ARCH_X86, UC_MODE_32, &sim_uc), "open");
    /*
     * Core Duo: a 32-bit CPU with NX (PAE + EFER.NXE) and without long mode,
     * like the machines Xen x86_32 PAE ran on. The default model (Haswell)
     * would advertise long mode to a guest's cpuid. Set before anything else.
     */
    check(uc_ctl_set_cpu_model(sim_uc, UC_CPU_X86_COREDUO), "cpu model");
    check(uc_mem_map_ptr(sim_uc, 0, sim_ram_size, UC_PROT_ALL, sim_ram), "map RAM");

    check(uc_reg_write(sim_uc, UC_X86_REG_GDTR, &gdtr), "gdtr");
    sim_cr3 = (uint32_t)mem_sim_frame(SIM_F_BOOT_L3);
    reg_write(UC_X86_REG_CR3, sim_cr3, "cr3");
    reg_write(UC_X86_REG_CR4, CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT, "cr4");
    sim_nx = uc_reg_write(sim_uc, UC_X86_REG_MSR, &efer) == UC_ERR_OK;
    reg_write(UC_X86_REG_CR0, CR0_GUEST_BITS | CR0_TS, "cr0");
    reg_write(UC_X86_REG_CS, __HYPERVISOR_CS, "cs");
    reg_write(UC_X86_REG_SS, __HYPERVISOR_DS, "ss");
    reg_write(UC_X86_REG_DS, __HYPERVISOR_DS, "ds");
    reg_write(UC_X86_REG_ES, __HYPERVISOR_DS, "es");

    check(uc_hook_add(sim_uc, &hh, UC_HOOK_INTR, hook_intr, NULL, 1, 0), "intr hook");
    check(uc_hook_add(sim_uc, &hh, UC_HOOK_INSN, hook_in, NULL, 1, 0, UC_X86_INS_IN),
          "in hook");
    check(uc_hook_add(sim_uc, &hh, UC_HOOK_INSN, hook_out, NULL, 1, 0, UC_X86_INS_OUT),
          "out hook");
}

/* iret from ring 0 into `ring`, stop on the landing code, save the context. */
static void make_template(uc_context *ring0, unsigned int ring)
{
    uint32_t *stack = mem_ptr(mem_sim_frame(SIM_F_TRAMP) + 0x800, 20);
    uint32_t cs = ring == 1 ? FLAT_RING1_CS : FLAT_RING3_CS;
    uint32_t ss = ring == 1 ? FLAT_RING1_SS : FLAT_RING3_SS;
    uc_err err;

    check(uc_context_restore(sim_uc, ring0), "restore ring 0");
    reg_write(UC_X86_REG_CR3, sim_cr3, "cr3");
    stack[0] = SIM_VA_LANDING;
    stack[1] = cs;
    stack[2] = X86_EFLAGS_MBS | X86_EFLAGS_IF;
    stack[3] = SIM_VA_LANDING + 0x800;
    stack[4] = ss;
    reg_write(UC_X86_REG_ESP, SIM_VA_TRAMP + 0x800, "esp");
    err = uc_emu_start(sim_uc, SIM_VA_TRAMP, SIM_VA_LANDING + 10, 0, 0);
    check(err, "template iret");
    if ( reg_read(UC_X86_REG_CS) != cs || reg_read(UC_X86_REG_DS) != ss ||
         reg_read(UC_X86_REG_EIP) != SIM_VA_LANDING + 10 )
        sim_panic("ring %u template: cs %#llx ds %#llx eip %#llx", ring,
                  (unsigned long long)reg_read(UC_X86_REG_CS),
                  (unsigned long long)reg_read(UC_X86_REG_DS),
                  (unsigned long long)reg_read(UC_X86_REG_EIP));

    check(uc_context_alloc(sim_uc, &ring_template[ring]), "context_alloc");
    check(uc_context_save(sim_uc, ring_template[ring]), "context_save");
    template_seg[ring][0] = cs;
    template_seg[ring][1] = ss;
    template_seg[ring][2] = template_seg[ring][3] = ss;
    template_seg[ring][4] = template_seg[ring][5] = ss;
}

void cpu_make_templates(void)
{
    uint8_t *tramp = mem_ptr(mem_sim_frame(SIM_F_TRAMP), PAGE_SIZE);
    uc_context *ring0;

    memset(tramp, 0xf4, PAGE_SIZE);     /* hlt */
    tramp[0] = 0xcf;                    /* iret */
    check(uc_context_alloc(sim_uc, &ring0), "context_alloc");
    check(uc_context_save(sim_uc, ring0), "context_save");
    make_template(ring0, 1);
    make_template(ring0, 3);
    uc_context_free(ring0);
    cpu_ready = true;
}

/* ------------------------------------------------------------------------
 * The core's CPU calls.
 */

void arch_load_cr3(paddr_t l3)
{
    if ( l3 >= sim_ram_size || (l3 & 0x1f) )
        sim_panic("arch_load_cr3(%#llx): bad L3 address", (unsigned long long)l3);
    sim_cr3 = (uint32_t)l3;
    reg_write(UC_X86_REG_CR3, sim_cr3, "cr3");  /* flushes the TLB */
}

void cpu_set_ldt(uint32_t ents)
{
    ldt_ents = ents;
    sim_segs_stale = true;              /* a full load applies it */
}

void arch_set_ts(bool ts)
{
    if ( ts != cr0_ts )                 /* the engine holds cr0_ts */
        reg_write(UC_X86_REG_CR0, CR0_GUEST_BITS | (ts ? CR0_TS : 0), "cr0");
    cr0_ts = ts;
    if ( !ts )
        fpu_engine_sync();              /* the guest may use the FPU now: its registers in */
}

/* The simulator has no IDT: `int 0x80` always comes through hook_intr as
 * #GP((0x80 << 3) | 2) and the core delivers it to the same handler, with
 * the bounce frame (arch.h allows either). */
void arch_set_fast_trap(unsigned int vector, uint32_t cs, uint32_t eip)
{
    (void)vector;
    (void)cs;
    (void)eip;
}

void arch_flush_tlb(void)
{
    check(uc_ctl_flush_tlb(sim_uc), "flush tlb");
}

void arch_flush_tlb_one(gva_t va)
{
    (void)va;                           /* Unicorn has no single-page flush */
    check(uc_ctl_flush_tlb(sim_uc), "flush tlb");
}

/* ------------------------------------------------------------------------
 * The run loop.
 */

void cpu_run(struct cpu_regs *first)
{
    bool full = true;

    frame = *first;
    for ( ;; )
    {
        uc_err err;

        if ( full )
            frame_load_full(&frame);
        else
            frame_load_live(&frame);

        if ( sim_code_stale )
        {
            check(uc_ctl_flush_tb(sim_uc), "flush translations");
            time_cache_flush();
            mem_code_flushed();
        }
        stop_reason = STOP_NONE;
        err = uc_emu_start(sim_uc, frame.eip, UNTIL_NEVER, 0, 0);

        full = false;
        if ( stop_reason == STOP_IO )
            run_to_io();
        if ( stop_reason == STOP_TRAP )
        {
            core_trap(&frame, stop_cr2);
            full = true;
        }
        else if ( stop_reason == STOP_RELOAD )
            full = true;
        else if ( err == UC_ERR_INSN_INVALID )
        {
            /* ud2 and friends never reach the hook; EIP is at the instruction. */
            frame_save(&frame);
            frame.entry_vector = X86_EXC_UD;
            core_trap(&frame, 0);
            full = true;
        }
        else if ( err != UC_ERR_OK )
        {
            frame_save(&frame);
            sim_panic("guest stopped the CPU: %s (eip %#x, cr3 %#x)",
                      uc_strerror(err), frame.eip, sim_cr3);
        }
        else
        {
            frame_save(&frame);
            if ( !time_budget_expired() )
                sim_panic("engine stopped for no reason at eip %#x", frame.eip);
        }

        /* Between instructions: the time limit and the timer. */
        time_after_stop(&frame);
        if ( (frame.cs & 3) != cpu_cpl() )
            full = true;
    }
}

uint64_t cpu_hash(uint64_t h)
{
    const uint8_t *p = (const uint8_t *)&frame;
    size_t i;

    frame_save(&frame);
    for ( i = 0; i < sizeof(frame); i++ )
    {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    h ^= sim_cr3;
    h *= 0x100000001b3ull;
    return h;
}
