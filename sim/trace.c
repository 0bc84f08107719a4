/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trace.c - everything pvx-sim does with Capstone: counting the instructions
 * of a block (virtual time), reconstructing the #PF error code Unicorn does
 * not report, and the --trace=insn / --trace=hcall output (on stderr).
 *
 * Guest code is read through sim_cr3 with the simulator's own page walk, so
 * decoding never touches Unicorn's MMU (uc_vmem_* would clobber CR2).
 */
#include <capstone/capstone.h>
#include <inttypes.h>

#include "sim.h"

#define MAX_INSN_LEN    15

unsigned int sim_trace;

static csh csh_count;                    /* no detail: fast, for counting */
static csh csh_detail;                   /* operand details: error codes, tracing */

static const char *const hcall_names[] = {
    [0] = "set_trap_table", [1] = "mmu_update", [2] = "set_gdt",
    [3] = "stack_switch", [4] = "set_callbacks", [5] = "fpu_taskswitch",
    [6] = "sched_op_compat", [7] = "platform_op", [8] = "set_debugreg",
    [9] = "get_debugreg", [10] = "update_descriptor", [12] = "memory_op",
    [13] = "multicall", [14] = "update_va_mapping", [15] = "set_timer_op",
    [16] = "event_channel_op_compat", [17] = "xen_version", [18] = "console_io",
    [19] = "physdev_op_compat", [20] = "grant_table_op", [21] = "vm_assist",
    [22] = "update_va_mapping_otherdomain", [23] = "iret", [24] = "vcpu_op",
    [25] = "set_segment_base", [26] = "mmuext_op", [27] = "xsm_op",
    [28] = "nmi_op", [29] = "sched_op", [30] = "callback_op",
    [31] = "xenoprof_op", [32] = "event_channel_op", [33] = "physdev_op",
    [34] = "hvm_op", [35] = "sysctl", [36] = "domctl", [37] = "kexec_op",
    [38] = "tmem_op", [39] = "argo_op", [40] = "xenpmu_op",
};

/* ------------------------------------------------------------------------
 * Blocks.
 */

static bool is_port_io(unsigned int id)
{
    return id == X86_INS_IN || id == X86_INS_INSB || id == X86_INS_INSW ||
           id == X86_INS_INSD || id == X86_INS_OUT || id == X86_INS_OUTSB ||
           id == X86_INS_OUTSW || id == X86_INS_OUTSD;
}

void dis_block(struct block_info *bi)
{
    uint8_t *code;
    const uint8_t *p;
    size_t left, got;
    uint64_t addr;
    cs_insn *insn;

    bi->ninsn = 0;
    bi->last_int = -1;
    bi->last_len = 0;
    bi->io_index = -1;
    bi->io_addr = 0;
    if ( bi->size == 0 )
    {
        bi->ninsn = 1;                  /* never seen; charge something */
        return;
    }

    code = malloc(bi->size);
    if ( code == NULL || (insn = cs_malloc(csh_count)) == NULL )
        sim_panic("out of host memory");
    got = mem_read_virt(sim_cr3, bi->addr, code, bi->size);

    p = code;
    left = got;
    addr = bi->addr;
    while ( left > 0 )
    {
        const uint8_t *start = p;

        if ( !cs_disasm_iter(csh_count, &p, &left, &addr, insn) )
        {
            /* Capstone does not know it but Unicorn ran it: one instruction. */
            p = start + 1;
            left--;
            addr++;
            bi->ninsn++;
            continue;
        }
        if ( bi->io_index < 0 && is_port_io(insn->id) )
        {
            bi->io_index = bi->ninsn;
            bi->io_addr = (uint32_t)insn->address;
        }
        bi->ninsn++;
        if ( left == 0 )
        {
            bi->last_len = insn->size;
            if ( insn->id == X86_INS_INT && insn->size == 2 )
                bi->last_int = start[1];
            else if ( insn->id == X86_INS_INT3 )
                bi->last_int = X86_EXC_BP;
            else if ( insn->id == X86_INS_INTO )
                bi->last_int = X86_EXC_OF;
        }
    }
    if ( got < bi->size )
        bi->ninsn += 1;                 /* unreadable tail: at least one more */

    cs_free(insn, 1);
    free(code);
}

/* ------------------------------------------------------------------------
 * #PF error codes.
 */

struct access {
    uint32_t lo;
    uint32_t len;
    bool write;
};

static uint32_t reg_value(const struct cpu_regs *r, unsigned int reg)
{
    switch ( reg )
    {
    case X86_REG_EAX: return r->eax;
    case X86_REG_EBX: return r->ebx;
    case X86_REG_ECX: return r->ecx;
    case X86_REG_EDX: return r->edx;
    case X86_REG_ESI: return r->esi;
    case X86_REG_EDI: return r->edi;
    case X86_REG_EBP: return r->ebp;
    case X86_REG_ESP: return r->esp;
    case X86_REG_SI: return r->esi & 0xffff;
    case X86_REG_DI: return r->edi & 0xffff;
    case X86_REG_BX: return r->ebx & 0xffff;
    case X86_REG_BP: return r->ebp & 0xffff;
    case X86_REG_AX: return r->eax & 0xffff;
    case X86_REG_CX: return r->ecx & 0xffff;
    case X86_REG_DX: return r->edx & 0xffff;
    default: return 0;
    }
}

static bool contains(const struct access *a, uint32_t addr)
{
    return (uint32_t)(addr - a->lo) < a->len;
}

/* Instructions that write or read the stack without naming it as an operand. */
static int stack_access(unsigned int id, uint32_t *len)
{
    switch ( id )
    {
    case X86_INS_PUSH: case X86_INS_PUSHF: case X86_INS_PUSHFD:
    case X86_INS_CALL: case X86_INS_LCALL: case X86_INS_ENTER:
    case X86_INS_INT: case X86_INS_INT3: case X86_INS_INTO: case X86_INS_INT1:
        *len = 8;
        return 1;
    case X86_INS_PUSHAL:
        *len = 32;
        return 1;
    case X86_INS_POP: case X86_INS_POPF: case X86_INS_POPFD: case X86_INS_RET:
    case X86_INS_RETF: case X86_INS_IRET: case X86_INS_IRETD:
        *len = 12;
        return -1;
    case X86_INS_POPAL:
        *len = 32;
        return -1;
    default:
        return 0;
    }
}

/*
 * Hardware pushes P (the page was present), W (the access was a write), U
 * (CPL 3), RSVD and I (an instruction fetch, with NX on). P, U and RSVD come
 * from a walk of the guest's tables; W from decoding the instruction at EIP:
 * of its memory accesses (Capstone's operand access flags, plus the implicit
 * stack accesses of push/call/int/pop/ret), the one that covers CR2 decides.
 */
uint32_t dis_pf_error_code(const struct cpu_regs *r, uint32_t cr2)
{
    struct access acc[12];
    unsigned int nacc = 0, i;
    struct sim_walk w, wi;
    uint8_t code[MAX_INSN_LEN];
    const uint8_t *p = code;
    size_t left;
    uint64_t addr = r->eip;
    bool user = (r->cs & 3) == 3, any_write = false, hit_write = false, hit = false;
    uint32_t ec = 0, slen;
    cs_insn *insn;
    int st;

    mem_walk(sim_cr3, cr2, &w);
    if ( w.ok )
        ec |= X86_PFEC_PRESENT;
    if ( w.rsvd )
        ec |= X86_PFEC_RSVD | X86_PFEC_PRESENT;
    if ( user )
        ec |= X86_PFEC_USER;

    /* An instruction fetch: CR2 lies in the instruction and that page may
     * not be executed from this ring. */
    left = mem_read_virt(sim_cr3, r->eip, code, sizeof(code));
    if ( (uint32_t)(cr2 - r->eip) < MAX_INSN_LEN )
    {
        mem_walk(sim_cr3, cr2, &wi);
        if ( !wi.ok || (user && !wi.us) || (sim_nx && wi.nx) || wi.rsvd )
            return ec | (sim_nx ? X86_PFEC_INSN : 0);
    }

    insn = cs_malloc(csh_detail);
    if ( insn == NULL )
        sim_panic("out of host memory");
    if ( !cs_disasm_iter(csh_detail, &p, &left, &addr, insn) )
    {
        cs_free(insn, 1);
        return ec;
    }

    for ( i = 0; i < insn->detail->x86.op_count && nacc < ARRAY_SIZE(acc) - 1; i++ )
    {
        const cs_x86_op *op = &insn->detail->x86.operands[i];

        if ( op->type != X86_OP_MEM )
            continue;
        acc[nacc].lo = reg_value(r, op->mem.base) +
                       reg_value(r, op->mem.index) * (uint32_t)op->mem.scale +
                       (uint32_t)op->mem.disp;
        acc[nacc].len = op->size ? op->size : 4;
        acc[nacc].write = op->access & CS_AC_WRITE;
        /* fs/gs bases are unknown here: such an access only counts below */
        if ( op->mem.segment == X86_REG_FS || op->mem.segment == X86_REG_GS )
            acc[nacc].len = 0;
        any_write |= acc[nacc].write;
        nacc++;
    }
    st = stack_access(insn->id, &slen);
    if ( st )
    {
        acc[nacc].lo = st > 0 ? r->esp - slen : r->esp;
        acc[nacc].len = slen;
        acc[nacc].write = st > 0;
        any_write |= acc[nacc].write;
        nacc++;
    }
    cs_free(insn, 1);

    for ( i = 0; i < nacc; i++ )
        if ( contains(&acc[i], cr2) )
        {
            hit = true;
            hit_write |= acc[i].write;
        }
    /* A present page faults a read only on U/S or RSVD; otherwise it was a write. */
    if ( (hit && hit_write) || (!hit && any_write) )
        ec |= X86_PFEC_WRITE;
    return ec;
}

/* ------------------------------------------------------------------------
 * Selector faults: the CPU pushes the faulting selector (RPL cleared). Only
 * segment loads and far transfers are decoded; flat segment bases assumed.
 */

static bool is_sreg(unsigned int reg)
{
    return reg == X86_REG_CS || reg == X86_REG_DS || reg == X86_REG_ES ||
           reg == X86_REG_FS || reg == X86_REG_GS || reg == X86_REG_SS;
}

static bool read_u16(uint32_t va, uint32_t *val)
{
    uint16_t v;

    if ( mem_read_virt(sim_cr3, va, &v, sizeof(v)) != sizeof(v) )
        return false;
    *val = v;
    return true;
}

uint32_t dis_sel_error_code(const struct cpu_regs *r)
{
    uint8_t code[MAX_INSN_LEN];
    const uint8_t *p = code;
    size_t left = mem_read_virt(sim_cr3, r->eip, code, sizeof(code));
    uint64_t addr = r->eip;
    uint32_t sel = 0;
    bool found = false;
    cs_insn *insn = cs_malloc(csh_detail);
    const cs_x86 *x;

    if ( insn == NULL )
        sim_panic("out of host memory");
    if ( !cs_disasm_iter(csh_detail, &p, &left, &addr, insn) )
        goto out;
    x = &insn->detail->x86;

    switch ( insn->id )
    {
    case X86_INS_LCALL:
    case X86_INS_LJMP:
    case X86_INS_LDS: case X86_INS_LES: case X86_INS_LFS: case X86_INS_LGS: case X86_INS_LSS:
        for ( unsigned int i = 0; i < x->op_count && !found; i++ )
        {
            const cs_x86_op *op = &x->operands[i];

            if ( op->type == X86_OP_IMM && x->op_count == 2 && i == 0 )
            {
                sel = (uint32_t)op->imm;        /* ptr16:32: selector first */
                found = true;
            }
            else if ( op->type == X86_OP_MEM )
                found = read_u16(reg_value(r, op->mem.base) +
                                 reg_value(r, op->mem.index) * (uint32_t)op->mem.scale +
                                 (uint32_t)op->mem.disp + 4, &sel);
        }
        break;
    case X86_INS_MOV:
        if ( x->op_count == 2 && x->operands[0].type == X86_OP_REG &&
             is_sreg(x->operands[0].reg) )
        {
            const cs_x86_op *src = &x->operands[1];

            if ( src->type == X86_OP_REG )
            {
                sel = reg_value(r, src->reg);
                found = true;
            }
            else if ( src->type == X86_OP_MEM )
                found = read_u16(reg_value(r, src->mem.base) +
                                 reg_value(r, src->mem.index) * (uint32_t)src->mem.scale +
                                 (uint32_t)src->mem.disp, &sel);
        }
        break;
    case X86_INS_POP:
        if ( x->op_count == 1 && x->operands[0].type == X86_OP_REG &&
             is_sreg(x->operands[0].reg) )
            found = read_u16(r->esp, &sel);
        break;
    default:
        break;
    }

 out:
    cs_free(insn, 1);
    return found ? sel & 0xfffc : 0;
}

/* ------------------------------------------------------------------------
 * Tracing.
 */

static struct {
    uint32_t nr, arg[5];
    uint64_t t;
} hcall;

void trace_hcall_enter(const struct cpu_regs *r)
{
    hcall.nr = r->eax;
    hcall.arg[0] = r->ebx;
    hcall.arg[1] = r->ecx;
    hcall.arg[2] = r->edx;
    hcall.arg[3] = r->esi;
    hcall.arg[4] = r->edi;
    hcall.t = arch_now_ns();
}

void trace_hcall_exit(const struct cpu_regs *r)
{
    const char *name = hcall.nr < ARRAY_SIZE(hcall_names) ? hcall_names[hcall.nr] : NULL;
    char num[24];
    int32_t rc = (int32_t)r->eax;

    if ( name == NULL )
    {
        snprintf(num, sizeof(num), "hypercall_%u", hcall.nr);
        name = num;
    }
    /* -errno in decimal, anything else in hex */
    if ( rc < 0 && rc > -4096 )
        fprintf(stderr, "[%12" PRIu64 "] hcall %s(%#x, %#x, %#x, %#x, %#x) = %d\n",
                hcall.t, name, hcall.arg[0], hcall.arg[1], hcall.arg[2],
                hcall.arg[3], hcall.arg[4], rc);
    else
        fprintf(stderr, "[%12" PRIu64 "] hcall %s(%#x, %#x, %#x, %#x, %#x) = %#x\n",
                hcall.t, name, hcall.arg[0], hcall.arg[1], hcall.arg[2],
                hcall.arg[3], hcall.arg[4], r->eax);
}

static void hook_code(uc_engine *uc, uint64_t addr, uint32_t size, void *data)
{
    uint8_t code[MAX_INSN_LEN];
    const uint8_t *p = code;
    size_t left;
    uint64_t a = addr;
    cs_insn *insn;
    char bytes[3 * MAX_INSN_LEN + 1] = "";
    unsigned int i;

    (void)uc;
    (void)data;
    left = mem_read_virt(sim_cr3, (uint32_t)addr, code, MIN(size, sizeof(code)));
    for ( i = 0; i < left; i++ )
        snprintf(bytes + 3 * i, 4, "%02x ", code[i]);

    insn = cs_malloc(csh_count);
    if ( insn != NULL && cs_disasm_iter(csh_count, &p, &left, &a, insn) )
        fprintf(stderr, "[%12" PRIu64 "] r%u %08" PRIx64 ": %-24s %s %s\n",
                arch_now_ns(), cpu_cpl(), addr, bytes, insn->mnemonic, insn->op_str);
    else
        fprintf(stderr, "[%12" PRIu64 "] r%u %08" PRIx64 ": %-24s (bad)\n",
                arch_now_ns(), cpu_cpl(), addr, bytes);
    if ( insn != NULL )
        cs_free(insn, 1);
}

int trace_parse(const char *list)
{
    char buf[128], *tok, *save = NULL;

    if ( strlen(list) >= sizeof(buf) )
        return -1;
    strcpy(buf, list);
    for ( tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save) )
    {
        if ( !strcmp(tok, "insn") )
            sim_trace |= TRACE_INSN;
        else if ( !strcmp(tok, "hcall") )
            sim_trace |= TRACE_HCALL;
        else if ( !strcmp(tok, "sched") )
            sim_trace |= TRACE_SCHED;
        else
            return -1;
    }
    return 0;
}

void trace_init(void)
{
    uc_hook hh;

    if ( cs_open(CS_ARCH_X86, CS_MODE_32, &csh_count) != CS_ERR_OK ||
         cs_open(CS_ARCH_X86, CS_MODE_32, &csh_detail) != CS_ERR_OK )
        sim_panic("cannot open capstone");
    cs_option(csh_count, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
    cs_option(csh_detail, CS_OPT_DETAIL, CS_OPT_ON);

    /* Only when asked: a code hook costs several times the guest's speed. */
    if ( (sim_trace & TRACE_INSN) &&
         uc_hook_add(sim_uc, &hh, UC_HOOK_CODE, hook_code, NULL, 1, 0) != UC_ERR_OK )
        sim_panic("cannot add the code hook");
}

/* --trace=sched: one CSV row per dispatch, for plotting (make sched-plot). */
FILE *trace_sched_out;

void arch_trace_dispatch(uint64_t now_ns, unsigned int cpu, unsigned int domid,
                         unsigned int vcpu, const char *reason)
{
    static bool header;

    if ( !(sim_trace & TRACE_SCHED) )
        return;
    if ( trace_sched_out == NULL )
        trace_sched_out = stderr;
    if ( !header )
    {
        fprintf(trace_sched_out, "time_ns,cpu,domain,vcpu,reason\n");
        header = true;
    }
    fprintf(trace_sched_out, "%llu,%u,%u,%u,%s\n", (unsigned long long)now_ns, cpu,
            domid, vcpu, reason);
}
