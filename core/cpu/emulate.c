/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * emulate.c - the privileged instructions a PV kernel in ring 1 may still
 * use: they fault (#GP) on both machines and the hypervisor decodes and
 * emulates exactly these, from the guest's own bytes at eip:
 *
 *   mov from CR0/CR2/CR3/CR4, mov to CR0 (TS only), CR2, CR3 (a new base
 *   pointer, validated as MMUEXT_NEW_BASEPTR), CR4 (DE only, as Xen drops bits
 *   a guest may not control); clts;
 *   mov to/from DR0-7 (as set/get_debugreg: breakpoints armed in the CPU,
 *   I/O breakpoints checked by the in/out emulation); rdmsr/wrmsr of a small
 *   allow-list; in/out (no devices: reads float high) and cli/sti (no-ops)
 *   while the ring is within the virtual IOPL (PHYSDEVOP_set_iopl);
 *
 * and the forced-emulation prefix `ud2; .ascii "xen"; cpuid` (a #UD), whose
 * cpuid answers from a fixed table, the same on every machine. Anything else
 * is reflected to the guest as the fault it raised.
 */
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/fpu.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/layout.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/traps.h>
#include <public/physdev.h>
#include <public/xen.h>

#define MAX_INSN_LEN    15

static uint32_t io_breakpoints(const struct vcpu *v, unsigned int port, unsigned int size);

/* The control registers a guest reads: a fixed machine, not the real one. */
#define CR0_GUEST       0x80050033u     /* PG WP NE ET MP PE */
#define CR0_TS          0x00000008u
#define CR4_GUEST       0x00000020u     /* PAE */
#define X86_CR4_DE      0x00000008u     /* the guest's own: debug extensions */

/* ------------------------------------------------------------------------
 * CPUID: one table for every machine. A 32-bit Core-class CPU without the
 * features a PV guest may not use (PSE, PGE, APIC, SEP, MTRR, NX, long mode),
 * and Xen's hypervisor leaves, version 4.17.
 */
struct cpuid_leaf {
    uint32_t leaf;
    uint32_t regs[4];                   /* eax ebx ecx edx */
};

#define CPUID_MAX_BASIC 0x0000000du
#define CPUID_MAX_EXTD  0x80000008u
#define CPUID_XEN_BASE  0x40000000u
#define CPUID_XEN_MAX   (CPUID_XEN_BASE + 5)

static const struct cpuid_leaf cpuid_table[] = {
    /* "GenuineIntel" */
    { 0x00000000, { CPUID_MAX_BASIC, 0x756e6547, 0x6c65746e, 0x49656e69 } },
    /* family 6 model 14 stepping 8; CLFLUSH 64 bytes; hypervisor bit;
     * FPU TSC MSR PAE CX8 CMOV MMX */
    { 0x00000001, { 0x000006e8, 0x00000800, 0x80000000, 0x00808171 } },
    { CPUID_XEN_BASE, { CPUID_XEN_MAX, 0x566e6558, 0x65584d4d, 0x4d4d566e } }, /* XenVMMXenVMM */
    { CPUID_XEN_BASE + 1, { 0x00040011, 0, 0, 0 } },            /* Xen 4.17 */
    { CPUID_XEN_BASE + 2, { 1, 0x40000000, 0, 0 } },             /* 1 hypercall page, MSR */
    { 0x80000000, { CPUID_MAX_EXTD, 0, 0, 0 } },
    /* "pvx virtual CPU" */
    { 0x80000002, { 0x20787670, 0x74726976, 0x206c6175, 0x00555043 } },
    { 0x80000008, { 0x00002024, 0, 0, 0 } },                    /* 36-bit physical, 32 virtual */
};

void emulate_cpuid(uint32_t leaf, uint32_t subleaf __unused, uint32_t out[4])
{
    memset(out, 0, 4 * sizeof(uint32_t));
    for ( unsigned int i = 0; i < ARRAY_SIZE(cpuid_table); i++ )
        if ( cpuid_table[i].leaf == leaf )
        {
            memcpy(out, cpuid_table[i].regs, 4 * sizeof(uint32_t));
            return;
        }
    /* Leaves inside a range but not listed read as zeros; so do others. */
}

/* ------------------------------------------------------------------------
 * MSRs: what a guest may read, with fixed values; writes only where the
 * value does not change.
 */
struct msr_value {
    uint32_t index;
    uint64_t value;
};

static const struct msr_value msr_table[] = {
    { 0x0000008b, 0 },                  /* IA32_BIOS_SIGN_ID: no microcode */
    { 0x000001a0, 0x0000000000801801ull }, /* MISC_ENABLE: fast strings, no BTS/PEBS/xTPR */
    { 0x000001d9, 0 },                  /* DEBUGCTL: no branch tracing */
};

static const struct msr_value *msr_lookup(uint32_t index)
{
    for ( unsigned int i = 0; i < ARRAY_SIZE(msr_table); i++ )
        if ( msr_table[i].index == index )
            return &msr_table[i];
    return NULL;
}

/* ------------------------------------------------------------------------
 * Decoding.
 */
struct insn {
    uint8_t bytes[MAX_INSN_LEN];
    unsigned int len;                   /* bytes readable at eip */
    unsigned int pos;                   /* next byte to decode */
    bool opsize;                        /* 0x66 seen */
    bool rep;                           /* 0xf2/0xf3 seen */
};

static bool insn_fetch(struct vcpu *v, struct insn *in)
{
    uint32_t eip = vcpu_regs(v)->eip;

    memset(in, 0, sizeof(*in));
    /* As much as is readable, up to a page boundary at a time. */
    while ( in->len < MAX_INSN_LEN )
    {
        uint32_t n = MIN(MAX_INSN_LEN - in->len, PAGE_SIZE - ((eip + in->len) & (PAGE_SIZE - 1)));

        if ( copy_from_guest(v, in->bytes + in->len, eip + in->len, n) )
            break;
        in->len += n;
    }
    return in->len > 0;
}

static int insn_byte(struct insn *in)
{
    return in->pos < in->len ? in->bytes[in->pos++] : -1;
}

/* Skip legacy prefixes; the first opcode byte, or -1. */
static int insn_opcode(struct insn *in)
{
    for ( ;; )
    {
        int b = insn_byte(in);

        switch ( b )
        {
        case 0x66: in->opsize = true; break;
        case 0xf2: case 0xf3: in->rep = true; break;
        case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
        case 0x67: case 0xf0:
            break;
        default:
            return b;
        }
    }
}

unsigned int emulate_int_length(struct vcpu *v, unsigned int vector)
{
    struct insn in;
    int op;

    if ( !insn_fetch(v, &in) )
        return 2;
    op = insn_opcode(&in);
    if ( op == 0xcd && insn_byte(&in) == (int)vector )
        return in.pos;
    if ( (op == 0xcc && vector == X86_EXC_BP) || (op == 0xce && vector == X86_EXC_OF) )
        return in.pos;
    return 2;
}

static uint32_t *gpr(struct cpu_regs *r, unsigned int n)
{
    switch ( n & 7 )
    {
    case 0: return &r->eax;
    case 1: return &r->ecx;
    case 2: return &r->edx;
    case 3: return &r->ebx;
    case 4: return &r->esp;
    case 5: return &r->ebp;
    case 6: return &r->esi;
    default: return &r->edi;
    }
}

/* ------------------------------------------------------------------------
 * Emulation.
 */

static bool iopl_ok(struct vcpu *v)
{
    /* Xen's architectural IOPL: the kernel has virtual CPL 0. */
    uint32_t cs = vcpu_regs(v)->cs;
    unsigned int cpl = (cs & 3) == 1 && VM_ASSIST(v->domain, VMASST_TYPE_architectural_iopl)
                       ? 0 : cs & 3;

    return cpl <= v->cpu.iopl;
}

static bool read_cr(struct vcpu *v, unsigned int cr, uint32_t *val)
{
    switch ( cr )
    {
    case 0: *val = CR0_GUEST | (v->cpu.ts ? CR0_TS : 0); return true;
    case 2: *val = v->cpu.cr2; return true;
    case 3: *val = xen_pfn_to_cr3((uint32_t)(v->cr3 >> PAGE_SHIFT)); return true;
    case 4: *val = CR4_GUEST | (v->cpu.cr4_de ? X86_CR4_DE : 0); return true;
    default: return false;
    }
}

static bool write_cr(struct vcpu *v, unsigned int cr, uint32_t val)
{
    switch ( cr )
    {
    case 0:
        /* Only TS is the guest's to change. */
        if ( (val ^ CR0_GUEST) & ~CR0_TS )
            return false;
        do_fpu_taskswitch(v, val & CR0_TS, 0, 0, 0, 0);
        return true;
    case 2:
        v->cpu.cr2 = val;
        v->vcpu_info->arch.cr2 = val;
        return true;
    case 3:
        return mm_new_baseptr(v, xen_cr3_to_pfn(val)) == 0;
    case 4:
        /* As Xen: bits the guest may not control are dropped, not faulted;
         * DE is its own (debug extensions: I/O breakpoints). */
        v->cpu.cr4_de = val & X86_CR4_DE;
        return true;
    default:
        return false;
    }
}

static bool emulate_msr(struct vcpu *v, bool write)
{
    struct cpu_regs *r = vcpu_regs(v);
    const struct msr_value *m = msr_lookup(r->ecx);

    if ( !m )
        return false;
    if ( write )
        return (((uint64_t)r->edx << 32) | r->eax) == m->value;
    r->eax = (uint32_t)m->value;
    r->edx = (uint32_t)(m->value >> 32);
    return true;
}

/* Port I/O with no device behind any port: reads float high. */
static bool emulate_io(struct vcpu *v, struct insn *in, int op)
{
    struct cpu_regs *r = vcpu_regs(v);
    unsigned int size = (op & 1) ? (in->opsize ? 2 : 4) : 1;
    bool is_in = !(op & 2);

    if ( op < 0xe8 && insn_byte(in) < 0 )
        return false;                   /* imm8 port not readable */
    if ( !iopl_ok(v) )
        return false;
    if ( is_in )
    {
        uint32_t ones = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;

        r->eax = (r->eax & ~ones) | ones;
    }
    /* The port: imm8 (the last byte decoded) or dx. */
    v->cpu.dr6_pending |= io_breakpoints(v, op < 0xe8 ? in->bytes[in->pos - 1] : r->edx & 0xffff,
                                         size);
    return true;
}

static bool emulate_0f(struct vcpu *v, struct insn *in)
{
    struct cpu_regs *r = vcpu_regs(v);
    int op = insn_byte(in), modrm;
    uint32_t val;

    switch ( op )
    {
    case 0x06:                          /* clts */
        do_fpu_taskswitch(v, 0, 0, 0, 0, 0);
        return true;
    case 0x20: case 0x21: case 0x22: case 0x23:   /* mov to/from CRn/DRn */
        modrm = insn_byte(in);
        if ( modrm < 0 )
            return false;
        if ( op == 0x20 )
        {
            if ( !read_cr(v, (modrm >> 3) & 7, &val) )
                return false;
            *gpr(r, modrm) = val;
            return true;
        }
        if ( op == 0x22 )
            return write_cr(v, (modrm >> 3) & 7, *gpr(r, modrm));
        /* DR4/5 with CR4.DE set are #UD on hardware (as Xen gives them). */
        if ( ((modrm >> 3) & 6) == 4 && v->cpu.cr4_de )
        {
            r->entry_vector = X86_EXC_UD;
            return false;
        }
        if ( op == 0x21 )
        {
            *gpr(r, modrm) = (uint32_t)do_get_debugreg(v, (modrm >> 3) & 7, 0, 0, 0, 0);
            return true;
        }
        return do_set_debugreg(v, (modrm >> 3) & 7, *gpr(r, modrm), 0, 0, 0) == 0;
    case 0x30:                          /* wrmsr */
        return emulate_msr(v, true);
    case 0x32:                          /* rdmsr */
        return emulate_msr(v, false);
    default:
        return false;
    }
}

bool emulate_privileged(struct vcpu *v)
{
    struct insn in;
    bool done = false;
    int op;

    if ( !insn_fetch(v, &in) )
        return false;
    op = insn_opcode(&in);
    switch ( op )
    {
    case 0x0f:
        /* Ring 1 only: from ring 3 these stay the guest's #GP. */
        done = (vcpu_regs(v)->cs & 3) == 1 && emulate_0f(v, &in);
        break;
    case 0xe4: case 0xe5: case 0xe6: case 0xe7:
    case 0xec: case 0xed: case 0xee: case 0xef:
        done = !in.rep && emulate_io(v, &in, op);
        break;
    case 0xfa: case 0xfb:                /* cli, sti: virtual IF is the upcall mask */
        done = iopl_ok(v);
        break;
    default:
        break;
    }
    if ( done )
        vcpu_regs(v)->eip += in.pos;
    return done;
}

/* ud2; .ascii "xen": the next instruction is emulated - only cpuid. */
bool emulate_forced(struct vcpu *v)
{
    static const uint8_t fep[] = { 0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2 };
    struct cpu_regs *r = vcpu_regs(v);
    uint32_t out[4];
    struct insn in;

    if ( !insn_fetch(v, &in) || in.len < sizeof(fep) || memcmp(in.bytes, fep, sizeof(fep)) )
        return false;
    emulate_cpuid(r->eax, r->ecx, out);
    r->eax = out[0];
    r->ebx = out[1];
    r->ecx = out[2];
    r->edx = out[3];
    r->eip += sizeof(fep);
    return true;
}

/* ------------------------------------------------------------------------
 * The hypercalls behind the same state.
 */

long do_fpu_taskswitch(struct vcpu *v, uint32_t set, uint32_t a2 __unused, uint32_t a3 __unused,
                       uint32_t a4 __unused, uint32_t a5 __unused)
{
    fpu_set_virtual_ts(v, set);
    return 0;
}

/* ------------------------------------------------------------------------
 * Debug registers, as Xen keeps them for a PV guest: DR0-3 and DR7 are armed
 * in the CPU while the vCPU runs (breakpoints on guest addresses only; the
 * guest's #DB comes back through the trap path with the CPU's DR6), I/O
 * breakpoints stay virtual (the hypervisor emulates every in/out a guest may
 * do, and checks them there), DR6 is the guest's own.
 */
#define DR6_DEFAULT         0xffff0ff0u     /* reserved ones; what a reset leaves */
#define DR6_RESERVED_ZERO   0x00001000u
#define DR6_HITS            0x0000000fu     /* B0-B3 */
#define DR7_RESERVED_ONE    0x00000400u
#define DR7_RESERVED_ZERO   0x0000d800u     /* bits 11, 12, 14, 15 */
#define DR7_GD              0x00002000u
#define DR7_ACTIVE          0x000000ffu     /* L0 G0 ... L3 G3 */
#define DR7_RW_IO           2u              /* R/W field: an I/O breakpoint */

static unsigned int dr7_rw(uint32_t dr7, unsigned int i)
{
    return (dr7 >> (16 + i * 4)) & 3;
}

static unsigned int dr7_len(uint32_t dr7, unsigned int i)
{
    static const uint8_t bytes[4] = { 1, 2, 8, 4 };

    return bytes[(dr7 >> (18 + i * 4)) & 3];
}

int emulate_debugreg_check(const struct vcpu *v, unsigned int *reg, uint32_t *value)
{
    switch ( *reg )
    {
    case 0: case 1: case 2: case 3:
        /* A breakpoint on the hypervisor's addresses is refused. */
        return *value > HYPERVISOR_VIRT_START - 4 ? -EPERM : 0;
    case 4: case 6:                     /* DR4 is DR6 while CR4.DE is clear */
        if ( *reg == 4 && v->cpu.cr4_de )
            return -ENODEV;
        *reg = 6;
        *value = (*value & ~DR6_RESERVED_ZERO) | DR6_DEFAULT;
        return 0;
    case 5: case 7:
        if ( *reg == 5 && v->cpu.cr4_de )
            return -ENODEV;
        *reg = 7;
        *value = (*value & ~DR7_RESERVED_ZERO) | DR7_RESERVED_ONE;
        if ( *value & DR7_GD )
            return -EPERM;
        /* I/O breakpoints (R/W = 10b) only with CR4.DE. */
        for ( unsigned int i = 0; i < 4; i++ )
            if ( (*value & DR7_ACTIVE) && dr7_rw(*value, i) == DR7_RW_IO && !v->cpu.cr4_de )
                return -EPERM;
        return 0;
    default:
        return -EINVAL;
    }
}

void emulate_load_debugregs(struct vcpu *v)
{
    ASSERT(v == current);
    arch_load_debugregs(v->cpu.debugreg, v->cpu.debugreg[7] & (DR7_ACTIVE & ~v->cpu.dr7_emul)
                                         ? v->cpu.debugreg[7] & ~v->cpu.dr7_emul : 0);
}

/* Store a checked value (reg 0-3, 6 or 7). DR7's I/O enables go apart. */
static void debugreg_set(struct vcpu *v, unsigned int reg, uint32_t value)
{
    if ( reg == 7 )
    {
        uint32_t io = 0;

        for ( unsigned int i = 0; i < 4; i++ )
            if ( dr7_rw(value, i) == DR7_RW_IO )
                io |= value & (3u << (i * 2));
        v->cpu.dr7_emul = io;
        value &= ~io;
    }
    v->cpu.debugreg[reg] = value;
    if ( v == current && reg != 6 )
        emulate_load_debugregs(v);
}

void emulate_debug_trap(struct vcpu *v, uint32_t dr6)
{
    /* Xen's merge: the hit bits accumulate, the ones that read as zero in
     * the CPU's DR6 (e.g. RTM) are taken from it. */
    v->cpu.debugreg[6] |= dr6 & ~DR6_DEFAULT;
    v->cpu.debugreg[6] &= dr6 | ~DR6_DEFAULT;
}

/* An emulated in/out of size bytes at port: the I/O breakpoints it hits. */
static uint32_t io_breakpoints(const struct vcpu *v, unsigned int port, unsigned int size)
{
    uint32_t hits = 0, dr7 = v->cpu.debugreg[7] | v->cpu.dr7_emul;

    if ( !v->cpu.cr4_de || !v->cpu.dr7_emul )
        return 0;
    for ( unsigned int i = 0; i < 4; i++ )
    {
        uint32_t start = v->cpu.debugreg[i] & 0xffff, len = dr7_len(dr7, i);

        if ( (v->cpu.dr7_emul & (3u << (i * 2))) && port < start + len && start < port + size )
            hits |= 1u << i;
    }
    return hits;
}

long do_set_debugreg(struct vcpu *v, uint32_t reg, uint32_t value, uint32_t a3 __unused,
                     uint32_t a4 __unused, uint32_t a5 __unused)
{
    int rc = emulate_debugreg_check(v, &reg, &value);

    if ( rc )
        return rc;
    debugreg_set(v, reg, value);
    return 0;
}

long do_get_debugreg(struct vcpu *v, uint32_t reg, uint32_t a2 __unused, uint32_t a3 __unused,
                     uint32_t a4 __unused, uint32_t a5 __unused)
{
    switch ( reg )
    {
    case 0: case 1: case 2: case 3:
        return (long)(int32_t)v->cpu.debugreg[reg];
    case 4: case 6:
        if ( reg == 4 && v->cpu.cr4_de )
            return -ENODEV;
        return (long)(int32_t)((v->cpu.debugreg[6] & ~DR6_RESERVED_ZERO) | DR6_DEFAULT);
    case 5: case 7:
        if ( reg == 5 && v->cpu.cr4_de )
            return -ENODEV;
        return (long)(int32_t)(v->cpu.debugreg[7] | v->cpu.dr7_emul | DR7_RESERVED_ONE);
    default:
        return -EINVAL;
    }
}
