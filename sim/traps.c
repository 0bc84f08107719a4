/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * traps.c - every exit from a guest to the core: the lazy hypercall entry
 * and arch_regs_fill, exceptions and software interrupts with the error
 * codes hardware would push, and what Unicorn leaves out of the CPU.
 *
 * Every exit to the core goes through one UC_HOOK_INTR hook (plus Unicorn's
 * UC_ERR_INSN_INVALID return for #UD):
 *  - a hypercall (int $0x82 from ring 1) is handled inside the hook; when the
 *    core hands back a frame of the same ring the registers are written there
 *    and emulation simply continues (the fast path);
 *  - anything else stops the engine; the core runs outside it, and the frame
 *    is re-entered through a template or ring 0 (cpu.c), which also clears
 *    Unicorn's "exception in flight" state (else the next fault would arrive
 *    as #DF).
 *
 * Debug registers (arch_load_debugregs), which Unicorn does not implement,
 * are modelled here: memory hooks on each data breakpoint's bytes and, while
 * any breakpoint is armed, a hook on every instruction that delivers a data
 * hit as the trap it is (after the access, past the next instruction after a
 * load of ss) and an execution hit as a fault.
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

/* A lazy hypercall entry is running (hook_intr): the CPU holds the rest. */
static bool in_lazy;

/* The breakpoints: what the core asked for, what the hooks implement, and
 * what they found. */
#define DR6_DEFAULT     0xffff0ff0u
#define DR6_BS          0x00004000u     /* single step */
#define DR7_ENABLES     0x000000ffu
static struct {
    uint32_t addr[4], dr7;              /* arch_load_debugregs */
    bool changed;                       /* the hooks are not these yet */
    uc_hook data[1], boundary;          /* 0: none */
    uint32_t live_dr7;                  /* what the hooks implement */
    uint32_t pending;                   /* data hits of the instruction just run (B0-B3) */
    uint32_t dr6;                       /* DR6 as arch_take_dr6 returns it */
    uint32_t prev_va;                   /* the linear address of the last instruction begun */
    bool shadow_used;                   /* a pending hit waited out a load of ss */
} dbg = { .dr6 = DR6_DEFAULT };

/*
 * The lazy hypercall entry: the hook reads eax and cs only (with ebx and
 * ecx, cpu.c); the core asks for the rest as it needs them (a null
 * hypercall: its arguments), and on the way out only what it holds and the
 * engine does not is written. Reading one register through Unicorn costs
 * about a sixth of the whole trap.
 */
void arch_regs_fill(struct cpu_regs *regs, uint32_t fields)
{
    if ( !in_lazy )
        sim_panic("arch_regs_fill(%#x) outside a lazy hypercall entry", fields);
    cpu_frame_fill(regs, fields);
}

/* ------------------------------------------------------------------------
 * The trap hook.
 */

/* The DPL of each gate of pvx's IDT that a guest may use with `int n` (the
 * guest's int $0x80 gate, DPL 3 while it is installed, is fast_trap's). */
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

/* The base of a segment (the code segment the engine runs in: block
 * addresses are linear, eip is not). */
static uint32_t cs_base(uint32_t cs)
{
    uint64_t d;

    if ( (cs & 0xfffc) == 0 || !desc_read(cs & 0xffff, cpu_ldt_ents, &d) )
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
    uint32_t end = cs_base(cpu_frame.cs) + cpu_frame.eip;
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
         !desc_read(sel, cpu_ldt_ents, &d) )
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

/*
 * int $0x80 through the guest's fast-trap gate (arch_set_fast_trap): a
 * 32-bit trap gate of DPL 3 into cs:eip, delivered here as the CPU delivers
 * it, not by the core. The target code segment is checked; when it is of an
 * inner ring the stack is the TSS's for that ring; the CPU's frame (the
 * outer ring's ss and esp, eflags, cs, eip past the int) is written there;
 * TF, NT, RF and VM are cleared, IF is kept. A fault on the way is the
 * CPU's, at the int, in its order: #GP or #NP naming the code segment, #TS
 * or #SS naming the new stack, #PF writing the frame.
 */
static void fast_trap(uint32_t cs, uint32_t eip, unsigned int len)
{
    struct cpu_regs *r = &cpu_frame;
    unsigned int cpl = r->cs & 3, dpl, ring;
    uint32_t frame[5], n = 0, ss, esp, vector, error, cr2 = 0, hi;
    uint64_t d;

    vector = X86_EXC_GP;
    error = cs & 0xfffc;
    if ( !desc_read(cs, cpu_ldt_ents, &d) )
        goto fault;
    hi = (uint32_t)(d >> 32);
    dpl = (hi >> 13) & 3;
    /* Conforming code runs in the caller's ring; the core gives ring 1 only. */
    ring = (hi & SEG_EC) ? cpl : dpl;
    if ( (hi & (SEG_S | SEG_CODE)) != (SEG_S | SEG_CODE) || dpl > cpl || ring == 0 )
        goto fault;
    vector = X86_EXC_NP;
    if ( !(hi & SEG_P) )
        goto fault;

    ss = r->ss & 0xffff;
    esp = r->esp;
    if ( ring < cpl )
    {
        /* The new stack: a present, writable data segment of that ring. */
        desc_tss_stack(ring, &ss, &esp);
        vector = X86_EXC_TS;
        error = ss & 0xfffc;
        if ( !(ss & 0xfffc) || (ss & 3) != ring || !desc_read(ss, cpu_ldt_ents, &d) )
            goto fault;
        hi = (uint32_t)(d >> 32);
        if ( ((hi >> 13) & 3) != ring || (hi & (SEG_S | SEG_CODE | SEG_RW)) != (SEG_S | SEG_RW) )
            goto fault;
        vector = X86_EXC_SS;
        if ( !(hi & SEG_P) )
            goto fault;
    }
    frame[n++] = r->eip;
    frame[n++] = r->cs & 0xffff;
    frame[n++] = r->eflags;
    if ( ring < cpl )
    {
        frame[n++] = r->esp;
        frame[n++] = r->ss & 0xffff;
    }
    esp -= n * 4;
    vector = X86_EXC_PF;
    if ( !mem_write_sup(sim_cr3, cs_base(ss) + esp, frame, n * 4, &cr2, &error) )
        goto fault;

    r->ss = ss;
    r->esp = esp;
    r->cs = (cs & 0xfffc) | ring;
    r->eip = eip;
    r->eflags &= ~(X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF | X86_EFLAGS_VM);
    stop(STOP_RELOAD);                  /* another ring: entered through a template */
    return;

 fault:
    /* At the int, as the CPU reports a fault delivering it. */
    r->eip -= len;
    r->entry_vector = vector;
    r->error_code = error;
    stop_cr2 = vector == X86_EXC_PF ? cr2 : 0;
    stop(STOP_TRAP);
}

/* Forget a data hit whose #DB is still held off (the ss shadow's). */
static void dbg_drop_pending(void)
{
    dbg.pending = 0;
    dbg.shadow_used = false;
}

static void hook_intr(uc_engine *uc, uint32_t intno, void *data)
{
    struct cpu_regs entry;
    unsigned int cpl;
    uint32_t cr2, gate_cs, gate_eip;
    int len;

    (void)uc;
    (void)data;
    if ( !cpu_ready )
        sim_panic("trap %u while making the ring templates", intno);
    if ( io_undoing || stop_reason != STOP_NONE )
        return;                         /* the block's rest, being run out */
    /* A data hit held off by a load of ss, and this instruction enters the
     * hypervisor: hardware delivers that #DB in ring 0, where pvx drops it. */
    if ( unlikely(dbg.pending) )
        dbg_drop_pending();

    /* int $0x82: vectors past the exceptions only ever come from `int n`.
     * The lazy entry reads no eflags: only the flat ring-1 cs proves that
     * this is ring 1 (not virtual-8086 mode, whose cs is any number). */
    if ( intno == HYPERCALL_VECTOR && !(sim_trace & TRACE_HCALL) )
    {
        uint32_t missing = cpu_frame_read_lazy(&cpu_frame);

        cpl = cpu_frame.cs & 3;
        if ( cpu_frame.cs == FLAT_RING1_CS )
        {
            in_lazy = true;
            missing = core_hypercall_lazy(&cpu_frame, missing);
            /* Continue right here, unless the breakpoints' hooks must change
             * (only outside the engine). */
            if ( cpu_frame_same_ring(&cpu_frame, cpl, missing) && !dbg.changed )
                cpu_frame_write_lazy(&cpu_frame, missing);
            else
            {
                /* Re-entered through a template: every field is written. */
                arch_regs_fill(&cpu_frame, missing);
                stop(STOP_RELOAD);
            }
            in_lazy = false;
            return;
        }
        /* From ring 3: the #GP path below reads the whole frame. */
    }

    cpu_frame_save(&cpu_frame);
    cpl = cpu_frame.cs & 3;
    if ( cpu_frame.eflags & X86_EFLAGS_VM )
    {
        stop_kill(VM86_WHY);
        return;
    }
    if ( cpl == 0 )
    {
        /* Only the trampoline's iret runs in ring 0: it refused the frame. */
        char why[64];

        snprintf(why, sizeof(why), "vector %u cpu_entering it from ring 0", intno);
        cpu_frame = cpu_entering;
        stop_kill(why);
        return;
    }
    if ( traps_rep_io_passed(cs_base(cpu_frame.cs) + cpu_frame.eip) )
        return;                         /* its #GP comes first */
    len = intno >= X86_NR_EXCEPTIONS ? 2 : soft_int_len(intno);

    if ( len && intno == FAST_TRAP_VECTOR && desc_fast_trap(&gate_cs, &gate_eip) )
    {
        fast_trap(gate_cs, gate_eip, (unsigned int)len);
        return;
    }
    if ( len && intno == HYPERCALL_VECTOR && cpl <= gate_dpl(intno) )
    {
        cpu_frame.entry_vector = HYPERCALL_VECTOR;
        entry = cpu_frame;
        if ( sim_trace & TRACE_HCALL )
            trace_hcall_enter(&cpu_frame);
        core_hypercall(&cpu_frame);
        if ( sim_trace & TRACE_HCALL )
            trace_hcall_exit(&cpu_frame);

        /* Stale translations can only be dropped outside the engine. */
        if ( cpu_frame_same_ring(&cpu_frame, cpl, 0) && !dbg.changed )
            cpu_frame_write_changed(&cpu_frame, &entry); /* continue right here */
        else
            stop(STOP_RELOAD);
        return;
    }

    /* Nothing above touched Unicorn's MMU, so CR2 is still the fault's. */
    cr2 = (uint32_t)cpu_reg_read(UC_X86_REG_CR2);
    if ( len && gate_dpl(intno) < cpl )
    {
        /* What the IDT does to a guest's `int n` through a DPL-0 gate. */
        cpu_frame.entry_vector = X86_EXC_GP;
        cpu_frame.error_code = (intno << 3) | 2;
        cpu_frame.eip -= len;
    }
    else if ( len )
    {
        cpu_frame.entry_vector = intno;     /* int3, into: EIP past the instruction */
    }
    else
    {
        cpu_frame.entry_vector = intno;
        /* Unicorn's #DB is the single-step trap (breakpoints are ours). */
        if ( intno == X86_EXC_DB )
            dbg.dr6 |= DR6_BS;
        if ( intno == X86_EXC_PF )
            cpu_frame.error_code = dis_pf_error_code(&cpu_frame, cr2);
        else if ( intno == X86_EXC_GP || intno == X86_EXC_NP || intno == X86_EXC_SS ||
                  intno == X86_EXC_TS )
            cpu_frame.error_code = sel_error_code(&cpu_frame, intno);
    }
    stop_cr2 = cpu_frame.entry_vector == X86_EXC_PF ? cr2 : 0;
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
    uint32_t eflags = (uint32_t)cpu_reg_read(UC_X86_REG_EFLAGS);

    return cpu_cpl() > ((eflags & X86_EFLAGS_IOPL) >> 12);
}

static bool io_refuse(void)
{
    if ( io_undoing )
        return true;
    if ( !io_denied() )
        return false;
    cpu_check(uc_context_save(sim_uc, io_ctx), "save at an I/O instruction");
    io_undoing = true;
    time_paused = true;
    cpu_reg_write(UC_X86_REG_CR3, mem_sim_frame(SIM_F_NULL_L3), "cr3");
    stop(STOP_IO);
    return true;
}

/* After a STOP_IO: the engine back at the I/O instruction, a #GP(0) there. */
static void io_undo(void)
{
    cpu_check(uc_context_restore(sim_uc, io_ctx), "restore at an I/O instruction");
    io_undoing = false;
    time_paused = false;
    cpu_frame_save(&cpu_frame);
    cpu_frame.entry_vector = X86_EXC_GP;
    cpu_frame.error_code = 0;
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
bool traps_rep_io_passed(uint32_t next_va)
{
    const struct block_info *b = time_last_block();

    if ( b == NULL || b->io_index < 0 || b->io_index + 1 != (int)b->ninsn ||
         b->addr + b->size != next_va || !rep_string_io(b->io_addr, next_va) || !io_denied() )
        return false;
    stop_fault(X86_EXC_GP, b->io_addr - cs_base(cpu_cs()));
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
        stop_fault(X86_EXC_GP, (uint32_t)cpu_reg_read(UC_X86_REG_EIP));
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
        stop_fault(X86_EXC_UD, (uint32_t)cpu_reg_read(UC_X86_REG_EIP));
}


/* ------------------------------------------------------------------------
 * Debug registers.
 */

static unsigned int dr7_rw(uint32_t dr7, unsigned int i)
{
    return (dr7 >> (16 + i * 4)) & 3;
}

static unsigned int dr7_len(uint32_t dr7, unsigned int i)
{
    static const uint8_t bytes[4] = { 1, 2, 8, 4 };

    return bytes[(dr7 >> (18 + i * 4)) & 3];
}

static bool dr7_enabled(uint32_t dr7, unsigned int i)
{
    return (dr7 >> (i * 2)) & 3;
}

void arch_load_debugregs(const uint32_t addr[4], uint32_t dr7)
{
    if ( dr7 == dbg.dr7 && (dr7 == 0 || !memcmp(addr, dbg.addr, sizeof(dbg.addr))) )
        return;
    memcpy(dbg.addr, addr, sizeof(dbg.addr));
    dbg.dr7 = dr7;
    dbg.changed = true;                 /* hooks change only outside the engine */
}

uint32_t arch_take_dr6(void)
{
    uint32_t dr6 = dbg.dr6;

    dbg.dr6 = DR6_DEFAULT;
    return dr6;
}

/*
 * A data access (Unicorn gives memory hooks the machine address, not the
 * linear one): each armed data breakpoint's bytes are found through the
 * page tables now, and an access overlapping them is a hit. A breakpoint
 * hits through another linear alias of its frame too, which hardware
 * (matching linear addresses) would not.
 */
static void hook_dbg_data(uc_engine *uc, uc_mem_type type, uint64_t address, int size,
                          int64_t value, void *data)
{
    (void)uc;
    (void)value;
    (void)data;
    if ( io_undoing || stop_reason != STOP_NONE )
        return;
    for ( unsigned int i = 0; i < 4; i++ )
    {
        uint32_t rw = dr7_rw(dbg.live_dr7, i), len = dr7_len(dbg.live_dr7, i);
        struct sim_walk w;

        if ( !dr7_enabled(dbg.live_dr7, i) || rw == 0 || (rw == 1 && type != UC_MEM_WRITE) )
            continue;
        mem_walk(sim_cr3, dbg.addr[i] & ~(len - 1), &w);
        if ( w.ok && address < w.pa + len && w.pa < address + (uint64_t)size )
            dbg.pending |= 1u << i;
    }
}

/* The instruction at va (linear) loads ss: mov to ss or pop ss. */
static bool loads_ss(uint32_t va)
{
    uint8_t b[15];
    size_t n = mem_read_virt(sim_cr3, va, b, sizeof(b)), i = 0;

    while ( i < n && (b[i] == 0x66 || b[i] == 0x67 || b[i] == 0x2e || b[i] == 0x36 ||
                      b[i] == 0x3e || b[i] == 0x26 || b[i] == 0x64 || b[i] == 0x65) )
        i++;
    return i < n && (b[i] == 0x17 || (b[i] == 0x8e && i + 1 < n && ((b[i + 1] >> 3) & 7) == 2));
}

/* #DB with eip at this instruction: a fault (an execution breakpoint) or
 * the trap of the data hits of the one before. */
static void dbg_deliver(uint32_t hits)
{
    dbg.dr6 |= hits;
    dbg.pending = 0;
    dbg.shadow_used = false;
    cpu_frame_save(&cpu_frame);
    cpu_frame.entry_vector = X86_EXC_DB;
    cpu_frame.error_code = 0;
    stop_cr2 = 0;
    stop(STOP_TRAP);
}

/* Before every instruction while a breakpoint is armed. */
static void hook_dbg_insn(uc_engine *uc, uint64_t address, uint32_t size, void *data)
{
    uint32_t va = (uint32_t)address, hits = 0;

    (void)uc;
    (void)size;
    (void)data;
    if ( io_undoing || stop_reason != STOP_NONE )
        return;
    if ( dbg.pending )
    {
        /* A load of ss holds every debug exception off for one instruction. */
        if ( !dbg.shadow_used && loads_ss(dbg.prev_va) )
            dbg.shadow_used = true;
        else
        {
            dbg_deliver(dbg.pending);
            return;
        }
    }
    dbg.prev_va = va;
    for ( unsigned int i = 0; i < 4; i++ )
        if ( dr7_enabled(dbg.live_dr7, i) && dr7_rw(dbg.live_dr7, i) == 0 && dbg.addr[i] == va )
            hits |= 1u << i;
    if ( !hits )
        return;
    /* RF (set by the guest's handler in the frame it returns through) lets
     * the instruction run once. */
    {
        uint32_t eflags = (uint32_t)cpu_reg_read(UC_X86_REG_EFLAGS);

        if ( eflags & X86_EFLAGS_RF )
        {
            cpu_reg_write(UC_X86_REG_EFLAGS, eflags & ~X86_EFLAGS_RF, "eflags");
            return;
        }
    }
    dbg_deliver(hits);
}

/* Outside the engine: the hooks become what the core asked for. */
static void dbg_install(void)
{
    if ( dbg.data[0] )
    {
        cpu_check(uc_hook_del(sim_uc, dbg.data[0]), "remove the data breakpoints' hook");
        dbg.data[0] = 0;
    }
    if ( dbg.boundary )
    {
        cpu_check(uc_hook_del(sim_uc, dbg.boundary), "remove the breakpoints' hook");
        dbg.boundary = 0;
    }
    dbg.live_dr7 = dbg.dr7;
    dbg.pending = 0;
    dbg.shadow_used = false;
    /* One hook for every data breakpoint (it sees machine addresses). */
    for ( unsigned int i = 0; i < 4; i++ )
        if ( dr7_enabled(dbg.dr7, i) && dr7_rw(dbg.dr7, i) != 0 && !dbg.data[0] )
            cpu_check(uc_hook_add(sim_uc, &dbg.data[0], UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
                                  hook_dbg_data, NULL, 1, 0), "the data breakpoints' hook");
    if ( dbg.dr7 & DR7_ENABLES )
        cpu_check(uc_hook_add(sim_uc, &dbg.boundary, UC_HOOK_CODE, hook_dbg_insn, NULL, 1, 0),
                  "the breakpoints' hook");
    /* Code translated before has no calls to the new hooks. */
    cpu_check(uc_ctl_flush_tb(sim_uc), "flush translations");
    cpu_check(uc_ctl_flush_tlb(sim_uc), "flush the TLB");
    time_cache_flush();
    dbg.changed = false;
}

/* ------------------------------------------------------------------------
 * Start-up and the run loop's part.
 */

void traps_init(void)
{
    uc_hook hh;

    cpu_check(uc_hook_add(sim_uc, &hh, UC_HOOK_INTR, hook_intr, NULL, 1, 0), "intr hook");
    cpu_check(uc_hook_add(sim_uc, &hh, UC_HOOK_INSN, hook_in, NULL, 1, 0, UC_X86_INS_IN),
              "in hook");
    cpu_check(uc_hook_add(sim_uc, &hh, UC_HOOK_INSN, hook_out, NULL, 1, 0, UC_X86_INS_OUT),
              "out hook");
    cpu_check(uc_hook_add(sim_uc, &hh, UC_HOOK_INSN, hook_sysenter, NULL, 1, 0,
                          UC_X86_INS_SYSENTER), "sysenter hook");
    cpu_check(uc_hook_add(sim_uc, &hh, UC_HOOK_INSN, hook_syscall, NULL, 1, 0,
                          UC_X86_INS_SYSCALL), "syscall hook");
    cpu_check(uc_context_alloc(sim_uc, &io_ctx), "context_alloc");
}

void traps_before_run(void)
{
    stop_reason = STOP_NONE;
    if ( dbg.changed )
        dbg_install();
}

/* The engine stopped: why, and the core's part in it. True when the frame
 * must be loaded in full before the guest goes on. */
bool traps_exit(uc_err err)
{
    /* A data hit outlives only a stop between instructions (the budget's):
     * anything else is the next instruction's fault, or the hit's own #DB. */
    if ( stop_reason != STOP_NONE )
        dbg_drop_pending();
    switch ( stop_reason )
    {
    case STOP_RELOAD:
        return true;
    case STOP_KILL:
        core_vcpu_unrunnable(&cpu_frame, kill_why);
        return true;
    case STOP_TRAP:
        break;                          /* hook_intr saved and checked the frame */
    case STOP_IO:
        io_undo();
        break;
    case STOP_FAULT:
        cpu_frame_save(&cpu_frame);
        cpu_frame.eip = fault_eip;
        cpu_frame.entry_vector = fault_vector;
        stop_cr2 = 0;
        break;
    default:
        cpu_frame_save(&cpu_frame);
        if ( cpu_frame.eflags & X86_EFLAGS_VM )
            break;
        if ( cpu_cpl() == 0 )
        {
            /* Still in the trampoline: its iret never completed. */
            snprintf(kill_why, sizeof(kill_why), "cpu_entering it from ring 0: %s", uc_strerror(err));
            cpu_frame = cpu_entering;
            core_vcpu_unrunnable(&cpu_frame, kill_why);
            return true;
        }
        if ( err == UC_ERR_INSN_INVALID )
        {
            /* ud2 and friends never reach the hook; EIP is at the instruction.
             * A held-off data hit goes with the fault, as in hook_intr. */
            dbg_drop_pending();
            cpu_frame.entry_vector = ud_vector(&cpu_frame);
            if ( cpu_frame.entry_vector == X86_EXC_DB )
                cpu_frame.eip += 1;         /* a trap: after the (unprefixed) icebp */
            stop_cr2 = 0;
            break;
        }
        if ( err != UC_ERR_OK )
        {
            snprintf(kill_why, sizeof(kill_why), "the CPU stopped: %s", uc_strerror(err));
            core_vcpu_unrunnable(&cpu_frame, kill_why);
            return true;
        }
        if ( !time_budget_expired() )
        {
            core_vcpu_unrunnable(&cpu_frame, "the CPU stopped for no reason");
            return true;
        }
        if ( dbg.pending )
        {
            /* The budget stopped the engine between a data hit and its #DB. */
            dbg.dr6 |= dbg.pending;
            dbg.pending = 0;
            dbg.shadow_used = false;
            cpu_frame.entry_vector = X86_EXC_DB;
            cpu_frame.error_code = 0;
            core_trap(&cpu_frame, 0);
            return true;
        }
        return false;                   /* a budget stop: time_after_stop decides */
    }
    if ( cpu_frame.eflags & X86_EFLAGS_VM )
    {
        core_vcpu_unrunnable(&cpu_frame, VM86_WHY);
        return true;
    }
    core_trap(&cpu_frame, stop_cr2);
    return true;
}
