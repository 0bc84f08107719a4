/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu.c - the simulator's one physical CPU: a Unicorn engine in 32-bit
 * protected mode with PAE paging, the ring templates, the trap hook and the
 * run loop.
 *
 * A vCPU is only a saved register frame. Entering one is what hardware does
 * on iret + mov %cr3: registers, then CR3. The host cannot set CPL by writing
 * CS/SS, so at start-up we run a real ring-0 iret into ring 1 and ring 3 and
 * save the engine context right after each (a "template"); entering a frame
 * of ring n in the flat code segment = restore template n, write the
 * registers, write CR3. Any other frame (another code segment, ring 2) is
 * entered as arch-x86 enters every frame: from ring 0, data segments loaded
 * there, then a real `iret` (the trampoline), so the CPU itself applies its
 * rules. Segment registers are never written through Unicorn without first
 * checking that the descriptor read cannot fault: a fault inside
 * uc_reg_write longjmps out of the engine and takes the process with it.
 *
 * Every exit to the core goes through one UC_HOOK_INTR hook (plus Unicorn's
 * UC_ERR_INSN_INVALID return for #UD):
 *  - a hypercall (int $0x82 from ring 1) is handled inside the hook; when the
 *    core hands back a frame of the same ring the registers are written there
 *    and emulation simply continues (the fast path);
 *  - anything else stops the engine; the core runs outside it, and the frame
 *    is re-entered through a template or ring 0, which also clears Unicorn's
 *    "exception in flight" state (else the next fault would arrive as #DF).
 *
 * What Unicorn leaves out of the CPU is put back here: the I/O privilege
 * check (in/out/ins/outs, #GP(0) when CPL > IOPL), sysenter (#GP(0): no
 * SYSENTER_CS) and syscall (#UD: no EFER.SCE), which Unicorn runs as no-ops.
 * A state the engine cannot run kills the guest alone (core_vcpu_unrunnable).
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

uc_engine *sim_uc;
uint32_t sim_cr3;
bool sim_nx;

static uc_context *ring_template[4];
static uc_context *ring0_entry;         /* ring 0 at the trampoline's iret */
/* arch_set_ts. The templates hold TS set, the usual state (only the FPU's
 * owner runs with it clear, core/cpu/fpu.c): a CR0 write costs Unicorn ~0.25 us. */
static bool cr0_ts = true;
static uint32_t ldt_ents;               /* cpu_set_ldt: the templates hold a null LDTR */
static uint32_t template_seg[4][6];     /* cs ss ds es fs gs held by each template */
static bool cpu_ready;

/* The frame the core sees: the simulator's equivalent of the trap stub's
 * stack frame. */
static struct cpu_regs frame;
static struct cpu_regs entering;        /* the frame an entry through ring 0 is entering */
static uint32_t run_eip;                /* where the engine starts: frame.eip, or the trampoline */

/* An iret from ring 3 with VM set in the popped eflags: hardware ignores
 * the bit outside ring 0 (a plain iret, #GP on the RPL-0 cs it then
 * names), but Unicorn enters virtual-8086 mode, which pvx does not run. */
#define VM86_WHY "virtual-8086 mode, entered by an iret that hardware runs as a plain one"

/* Why the engine stopped, when a hook stopped it. */
static enum {
    STOP_NONE,
    STOP_RELOAD,                        /* the core's frame needs a full load */
    STOP_TRAP,                          /* frame holds the exception for core_trap */
    STOP_IO,                            /* a denied I/O instruction: undo the block's rest */
    STOP_FAULT,                         /* raise fault_vector at fault_eip (EIP went on) */
    STOP_KILL,                          /* the engine cannot run this vCPU: kill_why */
} stop_reason;
static uint32_t stop_cr2;
static uint32_t fault_vector, fault_eip;
static char kill_why[96];

/* The engine at the denied I/O instruction, and whether the rest of its
 * block is being run out (see io_refuse). */
static uc_context *io_ctx;
static bool io_undoing;

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

/* Descriptor high-word bits. */
#define SEG_A       (1u << 8)
#define SEG_RW      (1u << 9)           /* writable data / readable code */
#define SEG_EC      (1u << 10)          /* expand-down data / conforming code */
#define SEG_CODE    (1u << 11)
#define SEG_S       (1u << 12)
#define SEG_P       (1u << 15)

/*
 * Does sel load into a data segment register (stack: into ss) at cpl with
 * no fault? The CPU's rules, plus two of the machine's: the descriptor's page
 * must be mapped (the LDT area fills lazily) and its accessed bit set (the
 * tables are read-only; the CPU would write it). Unicorn reads the
 * descriptor inside uc_reg_write, where a fault is a crash, not a #PF.
 */
static bool seg_loads(uint32_t sel, bool stack, unsigned int cpl)
{
    unsigned int rpl = sel & 3, dpl;
    uint64_t d;
    uint32_t hi;

    if ( (sel & 0xfffc) == 0 )
        return !stack;
    if ( !mem_read_desc(sel, ldt_ents, &d) )
        return false;
    hi = (uint32_t)(d >> 32);
    if ( (hi & (SEG_P | SEG_S | SEG_A)) != (SEG_P | SEG_S | SEG_A) )
        return false;
    dpl = (hi >> 13) & 3;
    if ( stack )
        return !(hi & SEG_CODE) && (hi & SEG_RW) && rpl == cpl && dpl == cpl;
    if ( (hi & SEG_CODE) && !(hi & SEG_RW) )
        return false;                   /* execute-only */
    return ((hi & SEG_CODE) && (hi & SEG_EC)) || (dpl >= cpl && dpl >= rpl);
}

/*
 * Write ss and the data segment registers that differ from what the engine
 * holds, none of the fields in skip (a lazy entry's unread ones), at cpl. A
 * data selector that does not load becomes null, as arch-x86's exit path
 * makes it. cs is never written here: the engine keeps its own, or the frame
 * is entered through ring 0. False if ss does not load (nothing written).
 */
static bool segs_write(struct cpu_regs *r, uint32_t skip, unsigned int cpl)
{
    static const int order[5] = { R_SS, R_DS, R_ES, R_FS, R_GS };

    for ( int i = 0; i < 5; i++ )
    {
        int idx = order[i] - R_CS;
        uint32_t sel = *frame_field(r, order[i]) & 0xffff;

        if ( sel == live_seg[idx] || (skip & field_bit(order[i])) )
            continue;
        if ( order[i] == R_SS )
        {
            if ( !seg_loads(sel, true, cpl) ||
                 uc_reg_write(sim_uc, UC_X86_REG_SS, &(uint64_t){ sel }) != UC_ERR_OK )
                return false;
        }
        else if ( !seg_loads(sel, false, cpl) ||
                  uc_reg_write(sim_uc, uc_regs[order[i]], &(uint64_t){ sel }) != UC_ERR_OK )
        {
            reg_write(uc_regs[order[i]], 0, "null selector");
            *frame_field(r, order[i]) = 0;
            sel = 0;
        }
        live_seg[idx] = sel;
    }
    return true;
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
 * never a field the core left missing. Same ring, same cs, ss that loads. */
static void frame_load_lazy(struct cpu_regs *r, uint32_t missing)
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
    /* The usual case: no selector read. */
    if ( (missing & SEG_FIELDS) != SEG_FIELDS && !segs_write(r, missing, cpu_cpl()) )
        sim_panic("ss %#x does not load, though checked", r->ss);
}

/* Frame -> engine for the registers that differ from old (what the engine
 * holds, every field read): a hypercall usually changes eax alone, and each
 * register write costs as much as the trap itself. */
static void frame_load_changed(struct cpu_regs *r, const struct cpu_regs *old)
{
    for ( int i = 0; i < R_NR_GPR; i++ )
        known_val[i] = *frame_field(old, i);
    known = (1u << R_NR_GPR) - 1;
    frame_load_lazy(r, 0);
}

/* Can a hypercall's result continue right where it was made (in the hook),
 * without a full load? Same ring, same cs, an ss that loads there. */
static bool frame_same_ring(const struct cpu_regs *r, unsigned int cpl, uint32_t missing)
{
    return (r->cs & 3) == cpl && (r->cs & 0xffff) == live_seg[0] && !sim_code_stale &&
           !sim_segs_stale && ((missing & REGS_FIELD(ss)) || (r->ss & 0xffff) == live_seg[1] ||
                               seg_loads(r->ss & 0xffff, true, cpl));
}

/* Frame -> engine, same ring and cs as the engine has, no fault pending. */
static bool frame_load_live(struct cpu_regs *r)
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
    run_eip = r->eip;
    return segs_write(r, 0, r->cs & 3);
}

/* What every full load puts into the engine besides the frame. */
static void machine_state_load(void)
{
    if ( !cr0_ts )
    {
        reg_write(UC_X86_REG_CR0, CR0_GUEST_BITS, "cr0");
        fpu_engine_sync();              /* the owner's registers into the engine */
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
}

/*
 * Frame -> engine from ring 0, as arch-x86's exit path does it: the data
 * segments are loaded in ring 0 (one that does not load becomes null), the
 * general registers written, and the trampoline's `iret` pops eip, cs,
 * eflags, esp and ss. The CPU checks cs and ss itself and nulls the data
 * segments the new ring may not use; an iret that faults kills the guest
 * (hook_intr). Any ring above 0, any code segment the CPU accepts.
 */
static void frame_load_iret(struct cpu_regs *r)
{
    static const int data[4] = { R_DS, R_ES, R_FS, R_GS };
    uint32_t *stack = mem_ptr(mem_sim_frame(SIM_F_TRAMP) + SIM_TRAMP_STACK, 20);
    uint64_t val[R_NR_GPR];
    void *ptr[R_NR_GPR];
    int i;

    if ( (r->cs & 3) == 0 )
        sim_panic("the core handed back a ring-0 frame (cs %#x, eip %#x)", r->cs, r->eip);
    fpu_before_template();              /* the context holds FPU registers of its own */
    check(uc_context_restore(sim_uc, ring0_entry), "context_restore");
    machine_state_load();
    for ( i = 0; i < 4; i++ )
    {
        uint32_t sel = *frame_field(r, data[i]) & 0xffff;

        if ( !seg_loads(sel, false, 0) ||
             uc_reg_write(sim_uc, uc_regs[data[i]], &(uint64_t){ sel }) != UC_ERR_OK )
        {
            reg_write(uc_regs[data[i]], 0, "null selector");
            *frame_field(r, data[i]) = 0;
        }
    }
    stack[0] = r->eip;
    stack[1] = r->cs & 0xffff;
    stack[2] = r->eflags;
    stack[3] = r->esp;
    stack[4] = r->ss & 0xffff;
    for ( i = 0; i < R_NR_GPR; i++ )
    {
        val[i] = *frame_field(r, i);
        ptr[i] = &val[i];
    }
    val[R_ESP] = SIM_VA_TRAMP + SIM_TRAMP_STACK;
    val[R_EIP] = SIM_VA_TRAMP;
    val[R_EFLAGS] = X86_EFLAGS_MBS;     /* ring 0's own until the iret */
    check(uc_reg_write_batch(sim_uc, uc_regs, ptr, R_NR_GPR), "write registers");
    /* After the iret: cs and ss as the frame says; a data register may read
     * null (the CPU's rule), so none is known. */
    live_seg[0] = r->cs & 0xffff;
    live_seg[1] = r->ss & 0xffff;
    for ( i = 2; i < 6; i++ )
        live_seg[i] = SEG_UNKNOWN;
    entering = *r;
    run_eip = SIM_VA_TRAMP;
}

/* Frame -> engine, any state: through the template of its ring when the
 * frame is in that ring's flat code segment, else through ring 0. */
static void frame_load_full(struct cpu_regs *r)
{
    unsigned int ring = r->cs & 3;

    if ( ring_template[ring] && (r->cs & 0xffff) == template_seg[ring][0] )
    {
        fpu_before_template();          /* the template holds FPU registers of its own */
        check(uc_context_restore(sim_uc, ring_template[ring]), "context_restore");
        memcpy(live_seg, template_seg[ring], sizeof(live_seg));
        machine_state_load();
        if ( frame_load_live(r) )
            return;
    }
    frame_load_iret(r);
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

/* The base of the code segment the engine runs in: block addresses are
 * linear, eip is not. */
static uint32_t cs_base(uint32_t cs)
{
    uint64_t d;

    if ( (cs & 0xfffc) == 0 || !mem_read_desc(cs & 0xffff, ldt_ents, &d) )
        return 0;
    return (uint32_t)((d >> 16) & 0xffffff) | (uint32_t)((d >> 32) & 0xff000000u);
}

/*
 * Unicorn reports `int n` and a CPU exception n the same way; they differ in
 * EIP (past the int vs at the faulting instruction, which lies inside the
 * last block entered). The int instruction always ends a translation block,
 * so only an EIP at the end of the last block can be one. There a fault is
 * still possible for #PF and #GP (fetching the next block) and #DB (the
 * single-step trap): for those the block is decoded again, from the bytes
 * now (time.c's decode is cached by address, and code may have been
 * rewritten since). Any other vector there is `int n`, int3 or into, whatever
 * a disassembler makes of the block (16-bit code, say). The length, prefixes
 * counted, is the decoder's when it agrees.
 */
static int soft_int_len(uint32_t vector)
{
    const struct block_info *b = time_last_block();
    uint32_t end = cs_base(frame.cs) + frame.eip;
    struct block_info now;
    uint8_t last = 0;

    if ( b == NULL || b->addr + b->size != end )
        return 0;
    now = (struct block_info){ .addr = b->addr, .size = b->size };
    dis_block(&now);
    if ( now.last_int == (int)vector )
        return now.last_len;
    if ( vector == X86_EXC_DB || vector == X86_EXC_GP || vector == X86_EXC_PF )
        return 0;
    mem_read_virt(sim_cr3, end - 1, &last, 1);
    return (vector == X86_EXC_BP && last == 0xcc) || (vector == X86_EXC_OF && last == 0xce) ? 1 : 2;
}

/*
 * The error code of a selector fault: the selector the instruction names
 * (trace.c decodes it), except where hardware names another. A far transfer
 * through a call gate that passes the gate's own checks faults on its
 * target (#GP or #NP naming the target's selector); #TS arises here only
 * from the TSS pvx gives every CPU (a null ss2, a null back link): 0.
 */
static uint32_t sel_error_code(const struct cpu_regs *r, uint32_t vector)
{
    uint32_t sel = dis_sel_error_code(r), hi;
    uint64_t d;

    if ( vector == X86_EXC_TS )
        return 0;
    if ( (vector != X86_EXC_GP && vector != X86_EXC_NP) || (sel & 0xfffc) == 0 ||
         !mem_read_desc(sel, ldt_ents, &d) )
        return sel;
    hi = (uint32_t)(d >> 32);
    /* A present 32-bit call gate the caller may use (DPL >= CPL; the RPL
     * the instruction used is not known here). */
    if ( (hi & 0x1f00) != 0x0c00 || !(hi & SEG_P) || ((hi >> 13) & 3) < (r->cs & 3) ||
         ((hi >> 13) & 3) < (sel & 3) )
        return sel;
    return (uint32_t)(d >> 16) & 0xfffc;
}

static void stop(int reason)
{
    stop_reason = reason;
    uc_emu_stop(sim_uc);
}

/* Deliver vector (error code 0) at eip instead of going on. */
static void stop_fault(uint32_t vector, uint32_t eip)
{
    fault_vector = vector;
    fault_eip = eip;
    stop(STOP_FAULT);
}

/* The engine met something it cannot run for this vCPU: the guest dies. */
static void stop_kill(const char *why)
{
    snprintf(kill_why, sizeof(kill_why), "%s", why);
    stop(STOP_KILL);
}

static void hook_intr(uc_engine *uc, uint32_t intno, void *data)
{
    struct cpu_regs entry;
    unsigned int cpl;
    uint32_t cr2;
    int len;

    (void)uc;
    (void)data;
    if ( !cpu_ready )
        sim_panic("trap %u while making the ring templates", intno);
    if ( io_undoing || stop_reason != STOP_NONE )
        return;                         /* the block's rest, being run out */

    /* int $0x82: vectors past the exceptions only ever come from `int n`.
     * The lazy entry reads no eflags: only the flat ring-1 cs proves that
     * this is ring 1 (not virtual-8086 mode, whose cs is any number). */
    if ( intno == HYPERCALL_VECTOR && !(sim_trace & TRACE_HCALL) )
    {
        uint32_t missing = lazy_entry(&frame);

        cpl = frame.cs & 3;
        if ( frame.cs == FLAT_RING1_CS )
        {
            in_lazy = true;
            missing = core_hypercall_lazy(&frame, missing);
            if ( frame_same_ring(&frame, cpl, missing) )
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
    if ( frame.eflags & X86_EFLAGS_VM )
    {
        stop_kill(VM86_WHY);
        return;
    }
    if ( cpl == 0 )
    {
        /* Only the trampoline's iret runs in ring 0: it refused the frame. */
        char why[64];

        snprintf(why, sizeof(why), "vector %u entering it from ring 0", intno);
        frame = entering;
        stop_kill(why);
        return;
    }
    if ( cpu_rep_io_passed(cs_base(frame.cs) + frame.eip) )
        return;                         /* its #GP comes first */
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

        /* Stale translations can only be dropped outside the engine. */
        if ( frame_same_ring(&frame, cpl, 0) )
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
            frame.error_code = sel_error_code(&frame, intno);
    }
    stop_cr2 = frame.entry_vector == X86_EXC_PF ? cr2 : 0;
    stop(STOP_TRAP);
}

/*
 * Port I/O. Unicorn never faults IN/OUT, whatever CPL and IOPL say; hardware
 * raises #GP(0) before the instruction does anything when CPL > IOPL (pvx's
 * TSS has no I/O bitmap). The in/out hooks are the only sure sign that an
 * I/O instruction runs: a decoder may not know the bytes before it, and code
 * may be rewritten under a cached decode. But a hook cannot stop the rest of
 * its translation block. So the hook saves the engine as it was at the
 * instruction (Unicorn synced it for the hook), then points CR3 at a PDPT
 * with nothing present: the block runs out touching no memory (its first
 * access faults, which ends it), and every register it changed is put back
 * from the saved context. The #GP is then delivered at the instruction.
 * There are no devices behind the ports: reads float high, writes vanish.
 */
static bool io_denied(void)
{
    uint32_t eflags = (uint32_t)reg_read(UC_X86_REG_EFLAGS);

    return cpu_cpl() > ((eflags & X86_EFLAGS_IOPL) >> 12);
}

static bool io_refuse(void)
{
    if ( io_undoing )
        return true;
    if ( !io_denied() )
        return false;
    check(uc_context_save(sim_uc, io_ctx), "save at an I/O instruction");
    io_undoing = true;
    time_paused = true;
    reg_write(UC_X86_REG_CR3, mem_sim_frame(SIM_F_NULL_L3), "cr3");
    stop(STOP_IO);
    return true;
}

/* After a STOP_IO: the engine back at the I/O instruction, a #GP(0) there. */
static void io_undo(void)
{
    check(uc_context_restore(sim_uc, io_ctx), "restore at an I/O instruction");
    io_undoing = false;
    time_paused = false;
    frame_save(&frame);
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
    io_refuse();
    return size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffffu;
}

static void hook_out(uc_engine *uc, uint32_t port, int size, uint32_t value, void *data)
{
    (void)uc;
    (void)port;
    (void)size;
    (void)value;
    (void)data;
    io_refuse();
}

/* Legacy prefixes, then ins/outs (6c-6f), with a rep among them: the
 * instruction at [va, end). */
static bool rep_string_io(uint32_t va, uint32_t end)
{
    uint8_t b[15];
    bool rep = false;
    uint32_t n = end - va, i;

    if ( n == 0 || n > sizeof(b) || mem_read_virt(sim_cr3, va, b, n) != n ||
         b[n - 1] < 0x6c || b[n - 1] > 0x6f )
        return false;
    for ( i = 0; i < n - 1; i++ )
    {
        switch ( b[i] )
        {
        case 0xf2: case 0xf3:
            rep = true;
            break;
        case 0xf0: case 0x2e: case 0x36: case 0x3e: case 0x26: case 0x64: case 0x65:
        case 0x66: case 0x67:
            break;
        default:
            return false;
        }
    }
    return rep;
}

/*
 * A rep ins/outs whose count is 0 runs no iteration, so no hook sees it;
 * hardware checks the I/O permission first. Such an instruction always ends
 * its block, and changes nothing but eip: when the CPU has moved on to the
 * end of a block whose last instruction it is (next_va, linear), deliver the
 * #GP(0) there, with the state unchanged. (If the count was not 0 the hook
 * ran; a disassembler that lost the instruction boundaries misses it.)
 */
bool cpu_rep_io_passed(uint32_t next_va)
{
    const struct block_info *b = time_last_block();

    if ( b == NULL || b->io_index < 0 || b->io_index + 1 != (int)b->ninsn ||
         b->addr + b->size != next_va || !rep_string_io(b->io_addr, next_va) || !io_denied() )
        return false;
    stop_fault(X86_EXC_GP, b->io_addr - cs_base(live_seg[0]));
    return true;
}

/*
 * sysenter and syscall: Unicorn calls the hooks and then skips the
 * instruction. Hardware faults here: SYSENTER_CS is 0 (#GP(0)), and 32-bit
 * code has no SYSCALL (#UD; EFER.SCE is clear). EIP is synced for the hook.
 */
static void hook_sysenter(uc_engine *uc, void *data)
{
    (void)uc;
    (void)data;
    if ( !io_undoing && stop_reason == STOP_NONE )
        stop_fault(X86_EXC_GP, (uint32_t)reg_read(UC_X86_REG_EIP));
}

/*
 * #UD from Unicorn where hardware raises something else: rdpmc with
 * CR4.PCE clear outside ring 0 is #GP(0) (Unicorn's helper tests the bit
 * the wrong way round). The opcode after any legacy prefixes decides.
 */
static uint32_t ud_vector(const struct cpu_regs *r)
{
    uint8_t b[15];
    size_t n = mem_read_virt(sim_cr3, cs_base(r->cs) + r->eip, b, sizeof(b)), i = 0;
    bool lock = false;

    for ( ; i < n; i++ )
    {
        if ( b[i] == 0xf0 )
            lock = true;                /* #UD whatever follows */
        else if ( b[i] != 0xf2 && b[i] != 0xf3 && b[i] != 0x2e && b[i] != 0x36 &&
                  b[i] != 0x3e && b[i] != 0x26 && b[i] != 0x64 && b[i] != 0x65 &&
                  b[i] != 0x66 && b[i] != 0x67 )
            break;
    }
    if ( !lock && i + 1 < n && b[i] == 0x0f && b[i + 1] == 0x33 )
        return X86_EXC_GP;
    /* icebp (int1): hardware raises #DB as a trap, past the instruction;
     * Unicorn (and QEMU's TCG) an #UD. The hardware image gets the #DB. */
    if ( !lock && i < n && b[i] == 0xf1 )
        return X86_EXC_DB;
    return X86_EXC_UD;
}

static void hook_syscall(uc_engine *uc, void *data)
{
    (void)uc;
    (void)data;
    if ( !io_undoing && stop_reason == STOP_NONE )
        stop_fault(X86_EXC_UD, (uint32_t)reg_read(UC_X86_REG_EIP));
}

/* ------------------------------------------------------------------------
 * Start-up.
 */

void cpu_init(void)
{
    uc_x86_mmr gdtr = { .base = SIM_VA_GDT, .limit = SIM_GDT_PAGES * PAGE_SIZE - 1 };
    /* The TSS, as arch-x86's ltr loads it: a call gate into ring 1 takes
     * ss1:esp1 from it, and an iret with NT set reads its (null) back link.
     * Unicorn aborts the process on a gate with no TSS (or a busy type in
     * the register's cache: ltr caches the descriptor before marking it). */
    uc_x86_mmr tr = { .selector = __TSS_SEL, .base = SIM_VA_TSS, .limit = SIM_TSS_LIMIT,
                      .flags = 0x8900 };
    uc_hook hh;

    check(uc_open(UC_ARCH_X86, UC_MODE_32, &sim_uc), "open");
    /*
     * Core Duo: a 32-bit CPU with PAE and NX but without long mode,
     * like the machines Xen x86_32 PAE ran on. The default model (Haswell)
     * would advertise long mode to a guest's cpuid. Set before anything else.
     */
    check(uc_ctl_set_cpu_model(sim_uc, UC_CPU_X86_COREDUO), "cpu model");
    check(uc_mem_map_ptr(sim_uc, 0, sim_ram_size, UC_PROT_ALL, sim_ram), "map RAM");

    check(uc_reg_write(sim_uc, UC_X86_REG_GDTR, &gdtr), "gdtr");
    check(uc_reg_write(sim_uc, UC_X86_REG_TR, &tr), "tr");
    sim_cr3 = (uint32_t)mem_sim_frame(SIM_F_BOOT_L3);
    reg_write(UC_X86_REG_CR3, sim_cr3, "cr3");
    reg_write(UC_X86_REG_CR4, CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT, "cr4");
    /* EFER.NXE stays clear, as on arch-x86: the core refuses NX in guest
     * entries anyway, and with it on a fetch fault's error code has the I
     * bit hardware without it does not push. */
    sim_nx = false;
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
    check(uc_hook_add(sim_uc, &hh, UC_HOOK_INSN, hook_sysenter, NULL, 1, 0, UC_X86_INS_SYSENTER),
          "sysenter hook");
    check(uc_hook_add(sim_uc, &hh, UC_HOOK_INSN, hook_syscall, NULL, 1, 0, UC_X86_INS_SYSCALL),
          "syscall hook");
    check(uc_context_alloc(sim_uc, &io_ctx), "context_alloc");
}

/* iret from ring 0 into `ring`, stop on the landing code, save the context. */
static void make_template(uc_context *ring0, unsigned int ring)
{
    uint32_t *stack = mem_ptr(mem_sim_frame(SIM_F_TRAMP) + SIM_TRAMP_STACK, 20);
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
    reg_write(UC_X86_REG_ESP, SIM_VA_TRAMP + SIM_TRAMP_STACK, "esp");
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

    memset(tramp, 0xf4, PAGE_SIZE);     /* hlt */
    tramp[0] = 0xcf;                    /* iret */
    /* Ring 0 about to run the trampoline: the templates start from it, and
     * so does every entry that needs the CPU's own iret (frame_load_iret). */
    check(uc_context_alloc(sim_uc, &ring0_entry), "context_alloc");
    check(uc_context_save(sim_uc, ring0_entry), "context_save");
    make_template(ring0_entry, 1);
    make_template(ring0_entry, 3);
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

/* The engine stopped: why, and the core's part in it. True when the frame
 * must be loaded in full before the guest goes on. */
static bool cpu_exit(uc_err err)
{
    switch ( stop_reason )
    {
    case STOP_RELOAD:
        return true;
    case STOP_KILL:
        core_vcpu_unrunnable(&frame, kill_why);
        return true;
    case STOP_TRAP:
        break;                          /* hook_intr saved and checked the frame */
    case STOP_IO:
        io_undo();
        break;
    case STOP_FAULT:
        frame_save(&frame);
        frame.eip = fault_eip;
        frame.entry_vector = fault_vector;
        stop_cr2 = 0;
        break;
    default:
        frame_save(&frame);
        if ( frame.eflags & X86_EFLAGS_VM )
            break;
        if ( cpu_cpl() == 0 )
        {
            /* Still in the trampoline: its iret never completed. */
            snprintf(kill_why, sizeof(kill_why), "entering it from ring 0: %s", uc_strerror(err));
            frame = entering;
            core_vcpu_unrunnable(&frame, kill_why);
            return true;
        }
        if ( err == UC_ERR_INSN_INVALID )
        {
            /* ud2 and friends never reach the hook; EIP is at the instruction. */
            frame.entry_vector = ud_vector(&frame);
            if ( frame.entry_vector == X86_EXC_DB )
                frame.eip += 1;         /* a trap: after the (unprefixed) icebp */
            stop_cr2 = 0;
            break;
        }
        if ( err != UC_ERR_OK )
        {
            snprintf(kill_why, sizeof(kill_why), "the CPU stopped: %s", uc_strerror(err));
            core_vcpu_unrunnable(&frame, kill_why);
            return true;
        }
        if ( !time_budget_expired() )
        {
            core_vcpu_unrunnable(&frame, "the CPU stopped for no reason");
            return true;
        }
        return false;                   /* a budget stop: time_after_stop decides */
    }
    if ( frame.eflags & X86_EFLAGS_VM )
    {
        core_vcpu_unrunnable(&frame, VM86_WHY);
        return true;
    }
    core_trap(&frame, stop_cr2);
    return true;
}

void cpu_run(struct cpu_regs *first)
{
    bool full = true;

    frame = *first;
    for ( ;; )
    {
        uc_err err;

        if ( full || !frame_load_live(&frame) )
            frame_load_full(&frame);

        if ( sim_code_stale )
        {
            check(uc_ctl_flush_tb(sim_uc), "flush translations");
            time_cache_flush();
            mem_code_flushed();
        }
        stop_reason = STOP_NONE;
        time_block_reset();
        err = uc_emu_start(sim_uc, run_eip, UNTIL_NEVER, 0, 0);
        full = cpu_exit(err);

        /* Between instructions: the time limit and the timer. */
        time_after_stop(&frame);
        if ( (frame.cs & 0xffff) != live_seg[0] || sim_segs_stale )
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
