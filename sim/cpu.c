/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu.c - the simulator's one physical CPU: a Unicorn engine in 32-bit
 * protected mode with PAE paging, the ring templates, frames in and out of
 * the engine, and the run loop. What stops the engine and what the core is
 * told about it is traps.c's.
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
 * A hypercall that returns to the same ring continues inside the engine
 * (traps.c): then only the registers that changed are written back, and
 * after a lazy entry only those the core read (cpu_frame_read_lazy).
 */
#include "sim.h"

#define UNTIL_NEVER         (1ull << 32)    /* a 32-bit pc never gets there */

uc_engine *sim_uc;
uint32_t sim_cr3;
bool sim_nx;
bool cpu_ready;
uint32_t cpu_ldt_ents;                  /* cpu_set_ldt: the templates hold a null LDTR */

static uc_context *ring_template[4];
static uc_context *ring0_entry;         /* ring 0 at the trampoline's iret */
static uint32_t template_seg[4][6];     /* cs ss ds es fs gs held by each template */

/* The frame the core sees: the simulator's equivalent of the trap stub's
 * stack frame. */
struct cpu_regs cpu_frame;
struct cpu_regs cpu_entering;           /* the frame an entry through ring 0 is entering */
static uint32_t run_eip;                /* where the engine starts: frame.eip, or the trampoline */

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

/* A lazy hypercall entry (traps.c): which registers it has read from the
 * engine so far (R_ bits) and their values. */
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

void cpu_check(uc_err err, const char *what)
{
    if ( err != UC_ERR_OK )
        sim_panic("unicorn: %s: %s", what, uc_strerror(err));
}

void cpu_reg_write(int reg, uint64_t val, const char *what)
{
    cpu_check(uc_reg_write(sim_uc, reg, &val), what);
}

uint64_t cpu_reg_read(int reg)
{
    uint64_t val = 0;

    cpu_check(uc_reg_read(sim_uc, reg, &val), "reg_read");
    return val;
}

/* Engine -> frame. */
void cpu_frame_save(struct cpu_regs *r)
{
    uint64_t val[R_NR] = { 0 };
    void *ptr[R_NR];
    int i;

    for ( i = 0; i < R_NR; i++ )
        ptr[i] = &val[i];
    cpu_check(uc_reg_read_batch(sim_uc, uc_regs, ptr, R_NR), "read registers");
    for ( i = 0; i < R_NR; i++ )
        *frame_field(r, i) = (uint32_t)val[i];
    for ( i = 0; i < 6; i++ )
        live_seg[i] = (uint16_t)val[R_CS + i];
    r->esp_pusha = 0;
    r->entry_vector = 0;
    r->error_code = 0;
}

/*
 * Does sel load into a data segment register (stack: into ss) at cpl with
 * no fault? The CPU's rules, plus two of the machine's: the descriptor's page
 * must be mapped (the LDT area fills lazily) and its accessed bit set (the
 * tables are read-only; the CPU would write it). Unicorn reads the
 * descriptor inside uc_reg_write, where a fault is a crash, not a #PF.
 */
bool cpu_seg_loads(uint32_t sel, bool stack, unsigned int cpl)
{
    unsigned int rpl = sel & 3, dpl;
    uint64_t d;
    uint32_t hi;

    if ( (sel & 0xfffc) == 0 )
        return !stack;
    if ( !desc_read(sel, cpu_ldt_ents, &d) )
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
            if ( !cpu_seg_loads(sel, true, cpl) ||
                 uc_reg_write(sim_uc, UC_X86_REG_SS, &(uint64_t){ sel }) != UC_ERR_OK )
                return false;
        }
        else if ( !cpu_seg_loads(sel, false, cpl) ||
                  uc_reg_write(sim_uc, uc_regs[order[i]], &(uint64_t){ sel }) != UC_ERR_OK )
        {
            cpu_reg_write(uc_regs[order[i]], 0, "null selector");
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
void cpu_frame_fill(struct cpu_regs *regs, uint32_t fields)
{
    uint64_t val[R_NR];
    void *ptr[R_NR];
    int ids[R_NR] = { 0 }, idx[R_NR] = { 0 }, n = 0;

    for ( uint32_t f = fields; f; f &= f - 1 )
    {
        int i = reg_of_field[__builtin_ctz(f)];

        if ( i < 0 )
            sim_panic("cpu_frame_fill: field bit %d is no register", __builtin_ctz(f));
        ids[n] = uc_regs[i];
        ptr[n] = &val[n];
        idx[n++] = i;
    }
    cpu_check(uc_reg_read_batch(sim_uc, ids, ptr, n), "read registers");
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
uint32_t cpu_frame_read_lazy(struct cpu_regs *r)
{
    static const int ids[4] = { UC_X86_REG_EAX, UC_X86_REG_CS, UC_X86_REG_EBX, UC_X86_REG_ECX };
    uint64_t val[4] = { 0, 0, 0, 0 };
    void *ptr[4] = { &val[0], &val[1], &val[2], &val[3] };

    cpu_check(uc_reg_read_batch(sim_uc, (int *)ids, ptr, 4), "read registers");
    /* Unread fields hold a value no selector or sane pointer has: a core
     * path that read the frame without vcpu_regs() shows up at once. */
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
void cpu_frame_write_lazy(struct cpu_regs *r, uint32_t missing)
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
        cpu_check(uc_reg_write_batch(sim_uc, regs, ptr, n), "write registers");
    /* The usual case: no selector read. */
    if ( (missing & SEG_FIELDS) != SEG_FIELDS && !segs_write(r, missing, cpu_cpl()) )
        sim_panic("ss %#x does not load, though checked", r->ss);
}

/* Frame -> engine for the registers that differ from old (what the engine
 * holds, every field read): a hypercall usually changes eax alone, and each
 * register write costs as much as the trap itself. */
void cpu_frame_write_changed(struct cpu_regs *r, const struct cpu_regs *old)
{
    for ( int i = 0; i < R_NR_GPR; i++ )
        known_val[i] = *frame_field(old, i);
    known = (1u << R_NR_GPR) - 1;
    cpu_frame_write_lazy(r, 0);
}

/* Can a hypercall's result continue right where it was made (in the hook),
 * without a full load? Same ring, same cs, an ss that loads there. */
bool cpu_frame_same_ring(const struct cpu_regs *r, unsigned int cpl, uint32_t missing)
{
    return (r->cs & 3) == cpl && (r->cs & 0xffff) == live_seg[0] && !sim_code_stale &&
           !sim_segs_stale && ((missing & REGS_FIELD(ss)) || (r->ss & 0xffff) == live_seg[1] ||
                               cpu_seg_loads(r->ss & 0xffff, true, cpl));
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
    cpu_check(uc_reg_write_batch(sim_uc, uc_regs, ptr, R_NR_GPR), "write registers");
    run_eip = r->eip;
    return segs_write(r, 0, r->cs & 3);
}

/* What every full load puts into the engine besides the frame. */
static void machine_state_load(void)
{
    fpu_after_template();              /* CR0.TS and the FPU registers, when clear */
    if ( cpu_ldt_ents )
    {
        uc_x86_mmr ldtr = {
            .selector = __LDT_SEL, .base = LDT_VIRT_START, .limit = cpu_ldt_ents * 8 - 1,
            .flags = 0x8200,            /* present, type 2 (LDT) */
        };

        cpu_check(uc_reg_write(sim_uc, UC_X86_REG_LDTR, &ldtr), "ldtr");
    }
    /* A restore never flushes the TLB: the CR3 write does. */
    cpu_reg_write(UC_X86_REG_CR3, sim_cr3, "cr3");
    sim_segs_stale = false;
}

/*
 * Frame -> engine from ring 0, as arch-x86's exit path does it: the data
 * segments are loaded in ring 0 (one that does not load becomes null), the
 * general registers written, and the trampoline's `iret` pops eip, cs,
 * eflags, esp and ss. The CPU checks cs and ss itself and nulls the data
 * segments the new ring may not use; an iret that faults kills the guest
 * (traps.c). Any ring above 0, any code segment the CPU accepts.
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
    cpu_check(uc_context_restore(sim_uc, ring0_entry), "context_restore");
    machine_state_load();
    for ( i = 0; i < 4; i++ )
    {
        uint32_t sel = *frame_field(r, data[i]) & 0xffff;

        if ( !cpu_seg_loads(sel, false, 0) ||
             uc_reg_write(sim_uc, uc_regs[data[i]], &(uint64_t){ sel }) != UC_ERR_OK )
        {
            cpu_reg_write(uc_regs[data[i]], 0, "null selector");
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
    cpu_check(uc_reg_write_batch(sim_uc, uc_regs, ptr, R_NR_GPR), "write registers");
    /* After the iret: cs and ss as the frame says; a data register may read
     * null (the CPU's rule), so none is known. */
    live_seg[0] = r->cs & 0xffff;
    live_seg[1] = r->ss & 0xffff;
    for ( i = 2; i < 6; i++ )
        live_seg[i] = SEG_UNKNOWN;
    cpu_entering = *r;
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
        cpu_check(uc_context_restore(sim_uc, ring_template[ring]), "context_restore");
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

uint32_t cpu_cs(void)
{
    return live_seg[0];
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

    cpu_check(uc_open(UC_ARCH_X86, UC_MODE_32, &sim_uc), "open");
    /*
     * Core Duo: a 32-bit CPU with PAE and NX but without long mode,
     * like the machines Xen x86_32 PAE ran on. The default model (Haswell)
     * would advertise long mode to a guest's cpuid. Set before anything else.
     */
    cpu_check(uc_ctl_set_cpu_model(sim_uc, UC_CPU_X86_COREDUO), "cpu model");
    cpu_check(uc_mem_map_ptr(sim_uc, 0, sim_ram_size, UC_PROT_ALL, sim_ram), "map RAM");

    cpu_check(uc_reg_write(sim_uc, UC_X86_REG_GDTR, &gdtr), "gdtr");
    cpu_check(uc_reg_write(sim_uc, UC_X86_REG_TR, &tr), "tr");
    sim_cr3 = (uint32_t)mem_sim_frame(SIM_F_BOOT_L3);
    cpu_reg_write(UC_X86_REG_CR3, sim_cr3, "cr3");
    cpu_reg_write(UC_X86_REG_CR4, CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT, "cr4");
    /* EFER.NXE stays clear, as on arch-x86: the core refuses NX in guest
     * entries anyway, and with it on a fetch fault's error code has the I
     * bit hardware without it does not push. */
    sim_nx = false;
    cpu_reg_write(UC_X86_REG_CR0, CR0_GUEST_BITS | CR0_TS, "cr0");
    cpu_reg_write(UC_X86_REG_CS, __HYPERVISOR_CS, "cs");
    cpu_reg_write(UC_X86_REG_SS, __HYPERVISOR_DS, "ss");
    cpu_reg_write(UC_X86_REG_DS, __HYPERVISOR_DS, "ds");
    cpu_reg_write(UC_X86_REG_ES, __HYPERVISOR_DS, "es");

    traps_init();                       /* the hooks every exit comes through */
}

/* iret from ring 0 into `ring`, stop on the landing code, save the context. */
static void make_template(uc_context *ring0, unsigned int ring)
{
    uint32_t *stack = mem_ptr(mem_sim_frame(SIM_F_TRAMP) + SIM_TRAMP_STACK, 20);
    uint32_t cs = ring == 1 ? FLAT_RING1_CS : FLAT_RING3_CS;
    uint32_t ss = ring == 1 ? FLAT_RING1_SS : FLAT_RING3_SS;
    uc_err err;

    cpu_check(uc_context_restore(sim_uc, ring0), "restore ring 0");
    cpu_reg_write(UC_X86_REG_CR3, sim_cr3, "cr3");
    stack[0] = SIM_VA_LANDING;
    stack[1] = cs;
    stack[2] = X86_EFLAGS_MBS | X86_EFLAGS_IF;
    stack[3] = SIM_VA_LANDING + 0x800;
    stack[4] = ss;
    cpu_reg_write(UC_X86_REG_ESP, SIM_VA_TRAMP + SIM_TRAMP_STACK, "esp");
    err = uc_emu_start(sim_uc, SIM_VA_TRAMP, SIM_VA_LANDING + 10, 0, 0);
    cpu_check(err, "template iret");
    if ( cpu_reg_read(UC_X86_REG_CS) != cs || cpu_reg_read(UC_X86_REG_DS) != ss ||
         cpu_reg_read(UC_X86_REG_EIP) != SIM_VA_LANDING + 10 )
        sim_panic("ring %u template: cs %#llx ds %#llx eip %#llx", ring,
                  (unsigned long long)cpu_reg_read(UC_X86_REG_CS),
                  (unsigned long long)cpu_reg_read(UC_X86_REG_DS),
                  (unsigned long long)cpu_reg_read(UC_X86_REG_EIP));

    cpu_check(uc_context_alloc(sim_uc, &ring_template[ring]), "context_alloc");
    cpu_check(uc_context_save(sim_uc, ring_template[ring]), "context_save");
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
    cpu_check(uc_context_alloc(sim_uc, &ring0_entry), "context_alloc");
    cpu_check(uc_context_save(sim_uc, ring0_entry), "context_save");
    make_template(ring0_entry, 1);
    make_template(ring0_entry, 3);
    cpu_ready = true;
}

void cpu_set_ldt(uint32_t ents)
{
    cpu_ldt_ents = ents;
    sim_segs_stale = true;              /* a full load applies it */
}

void cpu_run(struct cpu_regs *first)
{
    bool full = true;

    cpu_frame = *first;
    for ( ;; )
    {
        uc_err err;

        if ( full || !frame_load_live(&cpu_frame) )
            frame_load_full(&cpu_frame);

        if ( sim_code_stale )
        {
            cpu_check(uc_ctl_flush_tb(sim_uc), "flush translations");
            time_cache_flush();
            mem_code_flushed();
        }
        traps_before_run();
        time_block_reset();
        err = uc_emu_start(sim_uc, run_eip, UNTIL_NEVER, 0, 0);
        full = traps_exit(err);

        /* Between instructions: the time limit and the timer. */
        time_after_stop(&cpu_frame);
        trace_sync();
        if ( (cpu_frame.cs & 0xffff) != live_seg[0] || sim_segs_stale )
            full = true;
    }
}

uint64_t cpu_hash(uint64_t h)
{
    const uint8_t *p = (const uint8_t *)&cpu_frame;
    size_t i;

    cpu_frame_save(&cpu_frame);
    for ( i = 0; i < sizeof(cpu_frame); i++ )
    {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    h ^= sim_cr3;
    h *= 0x100000001b3ull;
    return h;
}
