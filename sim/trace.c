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
#include <stdarg.h>
#include <sys/stat.h>

#include <public/errno.h>
#include <public/sched.h>
#include <public/xen.h>

#include "sim.h"

#define MAX_INSN_LEN    15

unsigned int sim_trace;

static csh csh_count;                    /* no detail: fast, for counting */
static csh csh_detail;                   /* operand details: error codes, tracing */

/* Every hypercall number of the ABI, with its argument count (Xen x86_32's
 * prototypes), implemented here or not: a trace shows what a guest asked. */
#define HC(n, a) [__HYPERVISOR_##n] = { #n, a }
static const struct {
    const char *name;
    unsigned int nargs;
} hcalls[] = {
    HC(set_trap_table, 1), HC(mmu_update, 4), HC(set_gdt, 2), HC(stack_switch, 2),
    HC(set_callbacks, 4), HC(fpu_taskswitch, 1), HC(sched_op_compat, 2),
    HC(platform_op, 1), HC(set_debugreg, 2), HC(get_debugreg, 1),
    HC(update_descriptor, 4), HC(memory_op, 2), HC(multicall, 2),
    HC(update_va_mapping, 4), HC(set_timer_op, 2), HC(event_channel_op_compat, 1),
    HC(xen_version, 2), HC(console_io, 3), HC(physdev_op_compat, 1),
    HC(grant_table_op, 3), HC(vm_assist, 2), HC(update_va_mapping_otherdomain, 5),
    HC(iret, 0), HC(vcpu_op, 3), HC(set_segment_base, 2), HC(mmuext_op, 4),
    HC(xsm_op, 1), HC(nmi_op, 2), HC(sched_op, 2), HC(callback_op, 2),
    HC(xenoprof_op, 2), HC(event_channel_op, 2), HC(physdev_op, 2), HC(hvm_op, 2),
    HC(sysctl, 1), HC(domctl, 1), HC(kexec_op, 2), HC(tmem_op, 1), HC(argo_op, 5),
    HC(xenpmu_op, 2), HC(dm_op, 3), HC(hypfs_op, 5),
};
#undef HC

/* The first argument of the calls whose sub-op decides what they do. */
static const char *const sched_ops[] = {
    [SCHEDOP_yield] = "yield", [SCHEDOP_block] = "block",
    [SCHEDOP_shutdown] = "shutdown", [SCHEDOP_poll] = "poll",
    [SCHEDOP_remote_shutdown] = "remote_shutdown",
    [SCHEDOP_shutdown_code] = "shutdown_code", [SCHEDOP_watchdog] = "watchdog",
};
static const char *const console_ops[] = {
    [CONSOLEIO_write] = "write", [CONSOLEIO_read] = "read",
};

/* The guest ABI's errno values (public/errno.h) by name. */
#define EN(e) [XEN_##e] = #e
static const char *const errno_names[] = {
    EN(EPERM), EN(ENOENT), EN(ESRCH), EN(EINTR), EN(EIO), EN(ENXIO), EN(E2BIG),
    EN(ENOEXEC), EN(EBADF), EN(ECHILD), EN(EAGAIN), EN(ENOMEM), EN(EACCES),
    EN(EFAULT), EN(EBUSY), EN(EEXIST), EN(EXDEV), EN(ENODEV), EN(ENOTDIR),
    EN(EISDIR), EN(EINVAL), EN(ENFILE), EN(EMFILE), EN(ENOSPC), EN(EROFS),
    EN(EMLINK), EN(EDOM), EN(ERANGE), EN(EDEADLK), EN(ENAMETOOLONG), EN(ENOLCK),
    EN(ENOSYS), EN(ENOTEMPTY), EN(ENODATA), EN(ETIME), EN(EBADMSG), EN(EOVERFLOW),
    EN(EILSEQ), EN(ERESTART), EN(ENOTSOCK), EN(EMSGSIZE), EN(EOPNOTSUPP),
    EN(EADDRINUSE), EN(EADDRNOTAVAIL), EN(ENOBUFS), EN(EISCONN), EN(ENOTCONN),
    EN(ETIMEDOUT), EN(ECONNREFUSED),
};
#undef EN

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

/*
 * --trace=hcall: one line per hypercall, "[time] dN hcall name(args) = rc".
 * The line is made at entry and printed at return, so that it is one line;
 * anything printed while the call runs (its console output, a panic, another
 * domain's dispatch) first prints the entry, ending " ...", and the return
 * then says "<... name resumed> = rc", as strace does. A call that never
 * returns to its caller (sched_op(shutdown), a switch to another domain)
 * is shown all the same, with what became of it.
 */
static struct {
    bool open;                  /* entered, not returned */
    bool printed;               /* its entry is out, ending " ..." */
    unsigned int dom, vcpu;     /* who called */
    bool switched;              /* another vCPU was dispatched meanwhile */
    unsigned int to_dom;
    uint32_t nr;
    uint64_t t;
    char line[160];
} hcall;
static unsigned int run_dom, run_vcpu;          /* from the last dispatch */
static bool hcall_print;                        /* --trace=hcall, not only full frames */
static bool trace_shares_stdout;                /* stderr is stdout's file */

static const char *hcall_name(uint32_t nr, char *buf, size_t len)
{
    if ( nr < ARRAY_SIZE(hcalls) && hcalls[nr].name )
        return hcalls[nr].name;
    snprintf(buf, len, "hypercall_%u", nr);
    return buf;
}

void trace_hcall_enter(const struct cpu_regs *r)
{
    const uint32_t arg[5] = { r->ebx, r->ecx, r->edx, r->esi, r->edi };
    unsigned int nargs = r->eax < ARRAY_SIZE(hcalls) ? hcalls[r->eax].nargs : 0;
    const char *sub = NULL;
    char num[24];
    int n;

    trace_sync();                       /* who runs: the last dispatch */
    if ( !hcall_print )
        return;
    if ( r->eax == __HYPERVISOR_sched_op && arg[0] < ARRAY_SIZE(sched_ops) )
        sub = sched_ops[arg[0]];
    else if ( r->eax == __HYPERVISOR_console_io && arg[0] < ARRAY_SIZE(console_ops) )
        sub = console_ops[arg[0]];

    hcall.open = true;
    hcall.printed = false;
    hcall.switched = false;
    hcall.dom = run_dom;
    hcall.vcpu = run_vcpu;
    hcall.nr = r->eax;
    hcall.t = arch_now_ns();
    n = snprintf(hcall.line, sizeof(hcall.line), "[%12" PRIu64 "] d%u hcall %s(", hcall.t,
                 hcall.dom, hcall_name(r->eax, num, sizeof(num)));
    for ( unsigned int i = 0; i < nargs; i++ )
    {
        if ( i == 0 && sub )
            n += snprintf(hcall.line + n, sizeof(hcall.line) - n, "%s", sub);
        else
            n += snprintf(hcall.line + n, sizeof(hcall.line) - n, "%s%#x", i ? ", " : "", arg[i]);
    }
    snprintf(hcall.line + n, sizeof(hcall.line) - n, ")");
}

/* Something else is about to be printed where the trace goes. */
void trace_hcall_interrupt(bool to_stdout)
{
    if ( !hcall.open || hcall.printed || (to_stdout && !trace_shares_stdout) )
        return;
    fprintf(stderr, "%s ...\n", hcall.line);
    hcall.printed = true;
}

static void hcall_result(const char *fmt, ...) __printf(1, 2);
static void hcall_result(const char *fmt, ...)
{
    char num[24];
    va_list ap;

    if ( hcall.printed )
        fprintf(stderr, "[%12" PRIu64 "] d%u <... %s resumed>", arch_now_ns(), hcall.dom,
                hcall_name(hcall.nr, num, sizeof(num)));
    else
        fputs(hcall.line, stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    hcall.open = false;
}

void trace_hcall_exit(const struct cpu_regs *r)
{
    int32_t rc = (int32_t)r->eax;

    trace_sync();                       /* a dispatch meanwhile: the call did not return */
    if ( !hcall.open )
        return;
    if ( hcall.switched )
        hcall_result(" = ? (d%u runs; the result reaches d%u when it runs again)",
                     hcall.to_dom, hcall.dom);
    else if ( hcall.nr == __HYPERVISOR_iret )
        hcall_result(" -> %04x:%08x", r->cs, r->eip);
    else if ( rc < 0 && -rc < (int32_t)ARRAY_SIZE(errno_names) && errno_names[-rc] )
        hcall_result(" = -%s", errno_names[-rc]);
    else if ( rc < 0 && rc > -4096 )
        hcall_result(" = %d", rc);
    else
        hcall_result(" = %#x", r->eax);
}

/* The machine stops (arch_shutdown): the call in progress never returns. */
void trace_hcall_stop(void)
{
    trace_sync();
    if ( hcall.open )
        hcall_result(" = ? (the machine stopped)");
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
    trace_sync();
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
        {
            sim_trace |= TRACE_HCALL;
            hcall_print = true;
        }
        else if ( !strcmp(tok, "sched") )
            sim_trace |= TRACE_SCHED;
        else
            return -1;
    }
    return 0;
}

/*
 * Every hypercall enters with the whole register frame, as under
 * --trace=hcall (traps.c skips its lazy entry then) but printing nothing: under
 * a debugger, the guest's registers are all in the vCPU's frame, where gdb can
 * read them (pvx-guest-regs) without calling into the process.
 */
void trace_full_frames(void)
{
    sim_trace |= TRACE_HCALL;
}

void trace_init(void)
{
    uc_hook hh;

    struct stat out, err;

    trace_shares_stdout = !fstat(1, &out) && !fstat(2, &err) && out.st_dev == err.st_dev &&
                          out.st_ino == err.st_ino;
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

static void trace_dispatch_row(const struct trace_record *r)
{
    static bool header;

    if ( hcall.open && (r->domid != hcall.dom || r->vcpu != hcall.vcpu) && !hcall.switched )
    {
        hcall.switched = true;
        hcall.to_dom = r->domid;
    }
    run_dom = r->domid;
    run_vcpu = r->vcpu;
    if ( !(sim_trace & TRACE_SCHED) )
        return;
    if ( trace_sched_out == NULL )
        trace_sched_out = stderr;
    if ( trace_sched_out == stderr )
        trace_hcall_interrupt(false);
    if ( !header )
    {
        fprintf(trace_sched_out, "time_ns,cpu,domain,vcpu,reason\n");
        header = true;
    }
    fprintf(trace_sched_out, "%llu,%u,%u,%u,%s\n", (unsigned long long)r->now_ns, r->cpu,
            r->domid, r->vcpu, r->what);
}

/*
 * The core's trace ring, read up to now. Called before anything is printed
 * and after every exit, so that its rows keep their place among the other
 * output: the core records a dispatch where the old trace hook printed it.
 */
void trace_sync(void)
{
    static uint64_t seq;
    struct trace_record r[32];
    unsigned int n;

    if ( !(sim_trace & (TRACE_SCHED | TRACE_HCALL)) )
        return;
    while ( (n = core_trace_read(&seq, r, ARRAY_SIZE(r))) != 0 )
        for ( unsigned int i = 0; i < n; i++ )
            if ( r[i].event == TRACE_DISPATCH )
                trace_dispatch_row(&r[i]);
}
