/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * soup.c - attack=soup: random instruction sequences, run in ring 3 and
 * (ring1=PERCENT of them) in ring 1, against whatever machine runs us.
 *
 *   attack=soup seed=N seqs=M ring1=P
 *
 * Each sequence is a few instructions, drawn from templates that reach the
 * corners of the CPU a PV guest can touch (segment loads and far transfers
 * with odd selectors, our own GDT/LDT with execute-only, conforming, ring-2,
 * 16-bit, expand-down and not-present descriptors and call gates, iret and
 * lret frames, software interrupts, port and string I/O, hypercalls with
 * random numbers, control and debug registers, system instructions, flags,
 * self-modifying stores) or random bytes, then ud2. Registers start out as
 * selectors, pointers into a scratch area, or noise. Every exception ends
 * the sequence (the handler abandons it, as a longjmp), and so does a
 * one-shot timer, in case it loops.
 *
 * The point is not what each sequence does but that the hypervisor and the
 * machine under it survive every one: the domain may crash itself (ring-1
 * code can wreck its own stack, or ask to be shut down), never the machine.
 * testsuite/soup.py runs many seeds and checks every exit and audit. The
 * summary line counts the sequences run and how they ended.
 */
#include "guest.h"
#include "traps.h"
#include "events.h"
#include "mm.h"
#include "hostile.h"

#include <public/callback.h>

#define STR_(x)         #x
#define STR(x)          STR_(x)

#define SCRATCH_SIZE    (16 * PAGE_SIZE)
#define CODE_MAX        192             /* bytes of one sequence, ud2 included */
#define NR_GDT          16              /* our GDT entries 1..15 */
#define NR_LDT          4
#define TIMER_NS        20000           /* a sequence's time budget */
#define NR_VECTORS_SEEN 33              /* 0-31, and 32: the timer */

/* Code and data both rings may use (user pages; the kernel writes them). */
uint8_t soup_code[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE), section(".user.data")));
uint8_t soup_scratch[SCRATCH_SIZE] __attribute__((aligned(PAGE_SIZE), section(".user.data")));

static uint8_t soup_gdt[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t soup_ldt[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* Shared with the entry code below. */
uint32_t soup_regs[8];                  /* eax ebx ecx edx esi edi ebp esp */
uint32_t soup_active, soup_kernel_esp, soup_last_vector;
void soup_run(uint32_t ring);
void soup_gate_target(void), soup_event_entry(void), soup_trap_common(void);

/*
 * soup_run(ring): save the kernel's registers and esp, load soup_regs, and
 * jump to soup_code in ring 1 or iret to it in ring 3. Nothing returns
 * there: a trap or the timer event comes back through soup_recover, which
 * puts the kernel's state back (ds/es/fs/gs, flags, esp, registers) and
 * returns from soup_run. Exceptions and the event reload ds and es before
 * touching memory: the sequence may have left anything in them.
 */
asm ( ".pushsection .text\n"
      ".globl soup_run\n"
      "soup_run:\n"
      "    pushal\n"
      "    mov %esp, soup_kernel_esp\n"
      "    cmpl $3, 36(%esp)\n"
      "    je 3f\n"
      "    movl $1, soup_active\n"
      "    mov soup_regs+0, %eax\n"
      "    mov soup_regs+4, %ebx\n"
      "    mov soup_regs+8, %ecx\n"
      "    mov soup_regs+12, %edx\n"
      "    mov soup_regs+16, %esi\n"
      "    mov soup_regs+20, %edi\n"
      "    mov soup_regs+24, %ebp\n"
      "    mov soup_regs+28, %esp\n"
      "    jmp soup_code\n"
      "3:  pushl $" STR(FLAT_RING3_SS) "\n"
      "    pushl soup_regs+28\n"
      "    pushl $0x202\n"
      "    pushl $" STR(FLAT_RING3_CS) "\n"
      "    pushl $soup_code\n"
      "    movl $1, soup_active\n"
      "    mov soup_regs+0, %eax\n"
      "    mov soup_regs+4, %ebx\n"
      "    mov soup_regs+8, %ecx\n"
      "    mov soup_regs+12, %edx\n"
      "    mov soup_regs+16, %esi\n"
      "    mov soup_regs+20, %edi\n"
      "    mov soup_regs+24, %ebp\n"
      "    iret\n"
      /* Every exception: vector on the stack (and an error code). */
      ".globl soup_trap_common\n"
      "soup_trap_common:\n"
      "    mov $" STR(FLAT_RING3_DS) ", %eax\n"
      "    mov %eax, %ds\n"
      "    mov %eax, %es\n"
      "    mov (%esp), %eax\n"
      "    cmpl $0, soup_active\n"
      "    je soup_lost\n"
      "    mov %eax, soup_last_vector\n"
      "soup_recover:\n"
      "    movl $0, soup_active\n"
      "    mov soup_kernel_esp, %esp\n"
      "    xor %eax, %eax\n"
      "    mov %eax, %fs\n"
      "    mov %eax, %gs\n"
      "    pushl $0x202\n"
      "    popfl\n"
      "    cld\n"
      "    popal\n"
      "    ret\n"
      /* The event callback (upcalls masked): the timer, or another event. */
      ".globl soup_event_entry\n"
      "soup_event_entry:\n"
      "    cmpl $0, %cs:soup_active\n"
      "    jne 1f\n"
      "    pushal\n"
      "    call event_dispatch\n"
      "    mov shared_info, %eax\n"
      "    movb $0, 1(%eax)\n"              /* upcalls unmasked again */
      "    popal\n"
      "    iret\n"
      "1:  mov $" STR(FLAT_RING3_DS) ", %eax\n"
      "    mov %eax, %ds\n"
      "    mov %eax, %es\n"
      "    movl $0, soup_active\n"
      "    movl $32, soup_last_vector\n"
      "    mov soup_kernel_esp, %esp\n"
      "    call event_dispatch\n"
      "    mov shared_info, %eax\n"
      "    movb $0, 1(%eax)\n"
      "    jmp soup_recover\n"
      /* A trap outside a sequence is a bug of this guest. */
      "soup_lost:\n"
      "    push %eax\n"
      "    call soup_lost_trap\n"
      "    ud2\n"
      /* A call gate's way into ring 1: ends the sequence with #UD. */
      ".globl soup_gate_target\n"
      "soup_gate_target:\n"
      "    ud2\n"
      ".popsection\n" );

#define STUB(v, err)                                                    \
    asm ( ".pushsection .text\n"                                        \
          "soup_trap_" #v ":\n"                                         \
          err                                                           \
          "    pushl $" #v "\n"                                         \
          "    jmp soup_trap_common\n"                                  \
          ".popsection\n" );                                            \
    extern char soup_trap_##v[]
#define NOERR "    pushl $0\n"
STUB(0, NOERR); STUB(1, NOERR); STUB(2, NOERR); STUB(3, NOERR); STUB(4, NOERR);
STUB(5, NOERR); STUB(6, NOERR); STUB(7, NOERR); STUB(8, ""); STUB(9, NOERR);
STUB(10, ""); STUB(11, ""); STUB(12, ""); STUB(13, ""); STUB(14, "");
STUB(15, NOERR); STUB(16, NOERR); STUB(17, ""); STUB(18, NOERR); STUB(19, NOERR);
STUB(128, NOERR);

void soup_lost_trap(uint32_t vector);
void soup_lost_trap(uint32_t vector)
{
    test_error("soup: exception %u outside a sequence\n", vector);
    guest_shutdown(SHUTDOWN_crash);
}

/* ------------------------------------------------------------------------
 * Randomness: xorshift64*, seeded from the command line.
 */
static uint64_t rng;

static uint32_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

static uint32_t below(uint32_t n)
{
    return rnd() % n;
}

static uint32_t scratch_va(void)
{
    return (uint32_t)(unsigned long)soup_scratch + below(SCRATCH_SIZE - 8);
}

/* The hypervisor's TSS and LDT selectors: not in the ABI, but in its part of
 * the GDT after the flat segments, where an attacker would look first. */
#define HYP_TSS_SEL     0xe038
#define HYP_LDT_SEL     0xe040

static uint16_t selector(void)
{
    static const uint16_t sels[] = {
        0, 1, 2, 3, FLAT_RING1_CS, FLAT_RING1_DS, FLAT_RING3_CS, FLAT_RING3_DS,
        FLAT_RING1_CS & ~3u, FLAT_RING3_DS & ~3u, __HYPERVISOR_CS, __HYPERVISOR_DS, HYP_TSS_SEL,
        HYP_LDT_SEL,
        0xe000, 0xe048, 0xfff8,
    };

    switch ( below(4) )
    {
    case 0:
        return sels[below(ARRAY_SIZE(sels))];
    case 1:
        return (uint16_t)(((1 + below(NR_GDT - 1)) << 3) | below(4));
    case 2:
        return (uint16_t)((below(NR_LDT + 1) << 3) | 4 | below(4));
    default:
        return (uint16_t)rnd();
    }
}

static uint32_t value(void)
{
    switch ( below(12) )
    {
    case 0: return 0;
    case 1: case 2: return selector();
    case 3: case 4: return scratch_va();
    case 5: return rnd();
    case 6: return below(64);
    case 7: return 0xffffffffu;
    case 8: return (uint32_t)(unsigned long)soup_code + below(CODE_MAX);
    case 9: return HYPERVISOR_VIRT_START + below(0x0a800000u);
    case 10: return (uint32_t)(unsigned long)soup_gate_target;
    default: return 0x40000000u + below(PAGE_SIZE);
    }
}

/*
 * Words an iret may pop as eflags lose VM: from ring 3, hardware ignores it,
 * but the simulator's CPU enters virtual-8086 mode and the domain is killed
 * (hostile/iret-vm86 tests that on purpose). Random bytes still get there.
 */
static uint32_t no_vm(uint32_t v)
{
    return v & ~0x20000u;
}

/* ------------------------------------------------------------------------
 * Descriptors of our own: what the selectors above point at.
 */
static uint64_t desc(uint32_t base, uint32_t limit, unsigned int type, unsigned int dpl,
                     bool g, bool db)
{
    uint32_t lo = (limit & 0xffff) | (base << 16);
    uint32_t hi = ((base >> 16) & 0xff) | (type << 8) | (1u << 12) | (dpl << 13) | (1u << 15) |
                  (limit & 0xf0000) | (db ? 1u << 22 : 0) | (g ? 1u << 23 : 0) |
                  (base & 0xff000000u);

    return ((uint64_t)hi << 32) | lo;
}

static uint64_t gate(uint16_t cs, uint32_t off, unsigned int dpl)
{
    uint32_t lo = (off & 0xffff) | ((uint32_t)cs << 16);
    uint32_t hi = (off & 0xffff0000u) | (0xcu << 8) | (dpl << 13) | (1u << 15);

    return ((uint64_t)hi << 32) | lo;
}

static void descriptors(void)
{
    uint32_t gate_eip = (uint32_t)(unsigned long)soup_gate_target;
    uint32_t code = (uint32_t)(unsigned long)soup_code;
    const uint64_t gdt[NR_GDT] = {
        0,
        desc(0, 0xfffff, 0x9, 1, true, true),           /* 0x08 execute-only, DPL 1 */
        desc(0, 0xfffff, 0xb, 2, true, true),           /* 0x10 code, DPL 2 */
        desc(0, 0xfffff, 0x3, 2, true, true),           /* 0x18 data, DPL 2 */
        desc(0, 0xfffff, 0xf, 1, true, true),           /* 0x20 conforming code, DPL 1 */
        desc(0, 0xfffff, 0xf, 3, true, true),           /* 0x28 conforming code, DPL 3 */
        desc(0, 0x7ffff, 0x7, 3, true, true),           /* 0x30 expand-down data, DPL 3 */
        desc(0, 0xffff, 0xb, 3, false, false),          /* 0x38 16-bit code, DPL 3 */
        desc(0, 0xfffff, 0x1, 1, true, true),           /* 0x40 read-only data, DPL 1 */
        gate(FLAT_RING1_CS, gate_eip, 3),               /* 0x48 call gate to ring 1 */
        gate(0x08 | 1, gate_eip, 3),                    /* 0x50 ... via the execute-only cs */
        gate(0x10 | 2, gate_eip, 3),                    /* 0x58 ... to ring 2 */
        desc(0, 0xfffff, 0x3, 3, true, true) & ~(1ull << 47),  /* 0x60 not present */
        desc(code, 0xff, 0xb, 3, false, true),          /* 0x68 code based at soup_code */
        desc(code, 0x7f, 0x3, 3, false, true),          /* 0x70 small data, DPL 3 */
        desc(0, 0xfffff, 0xb, 3, true, true),           /* 0x78 flat code, DPL 3 */
    };
    const uint64_t ldt[NR_LDT] = {
        desc(0, 0xfffff, 0x3, 3, true, true),           /* 0x07 data */
        desc(0, 0xfffff, 0xb, 3, true, true),           /* 0x0f code */
        desc(0, 0xfffff, 0x3, 1, true, true) & ~(1ull << 47),  /* 0x14 not present */
        gate(FLAT_RING1_CS, gate_eip, 3),               /* 0x1f call gate */
    };
    xen_pfn_t frames[1];
    struct mmuext_op op = { .cmd = MMUEXT_SET_LDT };

    memcpy(soup_gdt, gdt, sizeof(gdt));
    memcpy(soup_ldt, ldt, sizeof(ldt));
    frames[0] = mm_pfn_to_mfn((uint32_t)(unsigned long)soup_gdt >> PAGE_SHIFT);
    if ( HYPERVISOR_update_va_mapping((unsigned long)soup_gdt,
                                      ((uint64_t)frames[0] << PAGE_SHIFT) | 0x21, UVMF_INVLPG) ||
         HYPERVISOR_update_va_mapping((unsigned long)soup_ldt,
                                      ((uint64_t)mm_pfn_to_mfn((uint32_t)(unsigned long)soup_ldt >>
                                                               PAGE_SHIFT) << PAGE_SHIFT) | 0x21,
                                      UVMF_INVLPG) ||
         HYPERVISOR_set_gdt(frames, NR_GDT) )
        test_error("soup: cannot install the GDT\n");
    op.arg1.linear_addr = (unsigned long)soup_ldt;
    op.arg2.nr_ents = NR_LDT;
    if ( HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF) )
        test_error("soup: cannot install the LDT\n");
}

/* ------------------------------------------------------------------------
 * Sequences.
 */
static uint8_t *pc, *pc_end;

static void b1(uint32_t x)
{
    if ( pc < pc_end )
        *pc++ = (uint8_t)x;
}

static void b2(uint32_t a, uint32_t b)
{
    b1(a);
    b1(b);
}

static void b16(uint32_t x)
{
    b1(x);
    b1(x >> 8);
}

static void b32(uint32_t x)
{
    b16(x);
    b16(x >> 16);
}

/* A memory operand [disp32] (mod 00, r/m 101) with reg field r. */
static void mem_at(uint32_t r, uint32_t va)
{
    b1((r << 3) | 5);
    b32(va);
}

static uint32_t reg(void)
{
    return below(8);
}

static void one(void)
{
    static const uint8_t prefixes[] = { 0x66, 0x67, 0xf2, 0xf3, 0x2e, 0x3e, 0x26, 0x36, 0x64, 0x65,
                                        0xf0 };
    static const uint8_t sreg_pop[][2] = { { 0x07, 0 }, { 0x17, 0 }, { 0x1f, 0 }, { 0x0f, 0xa1 },
                                           { 0x0f, 0xa9 } };
    uint32_t r = reg();

    if ( below(8) == 0 )
        b1(prefixes[below(ARRAY_SIZE(prefixes))]);
    switch ( below(40) )
    {
    case 0: case 1: case 2:                 /* random bytes */
        for ( uint32_t n = 1 + below(6); n; n-- )
            b1(rnd());
        break;
    case 3:                                 /* mov $value, %r (rarely esp) */
        if ( r == 4 && below(4) )
            r = 0;
        b1(0xb8 + r);
        b32(value());
        break;
    case 4: case 5:                         /* mov %r, %sreg (cs: #UD) */
        b1(0xb8 + r);
        b32(selector());
        b2(0x8e, 0xc0 | (below(6) << 3) | r);
        break;
    case 6:                                 /* pop %sreg */
        b1(0x68);
        b32(selector());
        b1(sreg_pop[below(5)][0]);
        if ( pc[-1] == 0x0f )
            b1(sreg_pop[below(2) + 3][1]);
        break;
    case 7: case 8:                         /* a far frame, then lret/iret/lret $n */
        for ( uint32_t n = 2 + below(4); n; n-- )
        {
            uint32_t v = below(3) ? selector() : value();

            b1(0x68);
            b32(no_vm(v));
        }
        switch ( below(4) )
        {
        case 0: b1(0xcb); break;
        case 1: b1(0xcf); break;
        case 2: b1(0xca); b16(below(4) * 4); break;
        default: b1(0xc3); break;
        }
        break;
    case 9:                                 /* ljmp / lcall ptr16:32 */
        b1(below(2) ? 0xea : 0x9a);
        b32(below(2) ? (uint32_t)(unsigned long)soup_gate_target : value());
        b16(selector());
        break;
    case 10:                                /* ljmp / lcall / lds & co. through memory */
    {
        uint32_t va = scratch_va();

        *(uint32_t *)(unsigned long)va = below(2) ? value() :
                                         (uint32_t)(unsigned long)soup_gate_target;
        *(uint16_t *)(unsigned long)(va + 4) = selector();
        switch ( below(7) )
        {
        case 0: b1(0xff); mem_at(5, va); break;         /* ljmp *m */
        case 1: b1(0xff); mem_at(3, va); break;         /* lcall *m */
        case 2: b1(0xc5); mem_at(r, va); break;         /* lds */
        case 3: b1(0xc4); mem_at(r, va); break;         /* les */
        case 4: b2(0x0f, 0xb2); mem_at(r, va); break;   /* lss */
        case 5: b2(0x0f, 0xb4); mem_at(r, va); break;   /* lfs */
        default: b2(0x0f, 0xb5); mem_at(r, va); break;  /* lgs */
        }
        break;
    }
    case 11: case 12:                       /* int $n, int3, into, icebp */
        switch ( below(5) )
        {
        case 0: b1(0xcc); break;
        case 1: b1(0xce); break;
        case 2: b1(0xf1); break;
        default: b2(0xcd, below(3) ? rnd() : (below(2) ? 0x80 : 0x82)); break;
        }
        break;
    case 13: case 14:                       /* port I/O, maybe behind a prefetch */
        if ( below(2) )
        {
            b2(0x0f, 0x0d);
            b1(0x00);
        }
        if ( below(3) == 0 )
        {
            b1(0xb9);                       /* mov $0|1|n, %ecx */
            b32(below(3));
            b1(0xf3);
            b1(0x6c + below(4));            /* rep ins/outs */
        }
        else if ( below(2) )
            b2(0xe4 + below(4), rnd());
        else
            b1(0xec + below(4));
        break;
    case 15:                                /* popf with random flags */
        b1(0x68);
        b32(rnd() & 0x00247fd7u);           /* AC NT IOPL OF DF IF TF SF ZF AF PF CF */
        b1(0x9d);
        break;
    case 16: case 17:                       /* a hypercall with a random number */
        b1(0xb8);
        b32(below(4) ? below(48) : rnd());
        b2(0xcd, 0x82);
        break;
    case 18:                                /* sysenter syscall sysexit sysret */
        b2(0x0f, (const uint8_t[]){ 0x34, 0x05, 0x35, 0x07 }[below(4)]);
        break;
    case 19:                                /* mov to/from crN, drN */
        b2(0x0f, 0x20 + below(4));
        b1(0xc0 | (below(8) << 3) | r);
        break;
    case 20:                                /* 0f 01: lgdt lidt sgdt sidt invlpg; smsw lmsw */
        b2(0x0f, 0x01);
        if ( below(2) )
            mem_at((const uint8_t[]){ 0, 1, 2, 3, 7 }[below(5)], scratch_va());
        else
            b1(0xc0 | ((below(2) ? 4 : 6) << 3) | r);
        break;
    case 21:                                /* 0f 00: sldt str lldt ltr verr verw */
        b1(0xb8 + r);
        b32(selector());
        b2(0x0f, 0x00);
        b1(0xc0 | (below(6) << 3) | r);
        break;
    case 22:                                /* lar / lsl */
        b1(0xb8 + r);
        b32(selector());
        b2(0x0f, 0x02 + below(2));
        b1(0xc0 | (reg() << 3) | r);
        break;
    case 23:                                /* privileged and odd ones */
        switch ( below(12) )
        {
        case 0: b2(0x0f, 0x32); break;      /* rdmsr */
        case 1: b2(0x0f, 0x30); break;      /* wrmsr */
        case 2: b2(0x0f, 0x33); break;      /* rdpmc */
        case 3: b2(0x0f, 0x06); break;      /* clts */
        case 4: b1(0xf4); break;            /* hlt */
        case 5: b2(0x0f, 0x08); break;      /* invd */
        case 6: b2(0x0f, 0x09); break;      /* wbinvd */
        case 7: b2(0x0f, 0xa2); break;      /* cpuid */
        case 8: b2(0x0f, 0x31); break;      /* rdtsc */
        case 9: b2(0x0f, 0xaa); break;      /* rsm */
        case 10: b1(0xfa); break;           /* cli */
        default: b1(0xfb); break;           /* sti */
        }
        break;
    case 24:                                /* store into the code itself */
        b2(0xc7, 0x05);
        b32((uint32_t)(unsigned long)soup_code + below(CODE_MAX));
        b32(rnd());
        break;
    case 25:                                /* loads and stores at odd places */
        b1(below(2) ? 0xa1 : 0xa3);
        b32(value());
        break;
    case 26:                                /* push/pop a register, pusha/popa */
        b1((const uint8_t[]){ 0x50, 0x58, 0x60, 0x61 }[below(4)] + (below(2) ? r : 0));
        break;
    case 27:                                /* a loop the timer must end */
        b2(0xeb, 0xfe);
        break;
    case 28:                                /* jumps and calls, near */
        if ( below(2) )
            b2(0xeb, rnd());
        else
        {
            b1(0xe8);
            b32(rnd() & 0xff);
        }
        break;
    case 29:                                /* div by a register (0 often) */
        b2(0x31, 0xc0 | (r << 3) | r);      /* xor r, r */
        b2(0xf7, 0xf0 | reg());
        break;
    case 30:                                /* enter / leave / bound */
        if ( below(2) )
        {
            b1(0xc8);
            b16(rnd());
            b1(below(4));
        }
        else
        {
            b1(0x62);
            mem_at(r, scratch_va());
        }
        break;
    case 31:                                /* x87 and SSE state */
        switch ( below(5) )
        {
        case 0: b2(0xdb, 0xe3); break;      /* fninit */
        case 1: b2(0xd9, 0xe8); b2(0xde, 0xf9); break;  /* fld1; fdivp */
        case 2: b2(0x0f, 0xae); mem_at(0, scratch_va() & ~15u); break;  /* fxsave */
        case 3: b2(0x0f, 0xae); mem_at(1, scratch_va() & ~15u); break;  /* fxrstor */
        default: b2(0x0f, 0x77); break;     /* emms */
        }
        break;
    default:                                /* ordinary arithmetic on registers */
        if ( r == 4 && below(4) )
            r = 0;                          /* esp, now and then */
        b2(0x01 + 8 * below(8), 0xc0 | (reg() << 3) | r);
        break;
    }
}

static uint32_t vectors[NR_VECTORS_SEEN];

static void sequence(void)
{
    pc = soup_code;
    pc_end = soup_code + CODE_MAX - 2;
    for ( uint32_t n = 1 + below(6); n; n-- )
        one();
    *pc++ = 0x0f;                           /* ud2 */
    *pc++ = 0x0b;
    for ( unsigned int i = 0; i < 8; i++ )
        soup_regs[i] = value();
    for ( unsigned int i = 0; i < 7; i++ )
        soup_regs[i] = no_vm(soup_regs[i]);
    /* A stack in the scratch area, words above it to pop. */
    soup_regs[7] = (uint32_t)(unsigned long)soup_scratch + SCRATCH_SIZE / 2;
    for ( unsigned int i = 0; i < 16; i++ )
        ((uint32_t *)(soup_scratch + SCRATCH_SIZE / 2))[i] = no_vm(below(2) ? selector() : value());
}

void attack_soup(void)
{
    struct trap_info traps[] = {
#define T(v, dpl) { v, dpl, FLAT_RING1_CS, (uint32_t)(unsigned long)soup_trap_##v }
        T(0, 0), T(1, 0), T(2, 0), T(3, 3), T(4, 3), T(5, 0), T(6, 0), T(7, 0), T(8, 0),
        T(9, 0), T(10, 0), T(11, 0), T(12, 0), T(13, 0), T(14, 0), T(15, 0), T(16, 0),
        T(17, 0), T(18, 0), T(19, 0), T(128, 3),
#undef T
        { 0, 0, 0, 0 },
    };
    struct callback_register cb = {
        .type = CALLBACKTYPE_event, .flags = CALLBACKF_mask_events,
        .address = { .cs = FLAT_RING1_CS, .eip = (uint32_t)(unsigned long)soup_event_entry },
    };
    uint32_t count = guest_arg_u32("seqs=", 1000), ring1 = guest_arg_u32("ring1=", 10);
    uint32_t runs[4] = { 0 }, timer_port;
    static const char *const names[NR_VECTORS_SEEN] = {
        "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#9", "#TS", "#NP",
        "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", [32] = "timer",
    };

    rng = 0x9e3779b97f4a7c15ull * (guest_arg_u32("seed=", 1) + 1);
    guest_traps_init();
    events_init();
    descriptors();
    if ( HYPERVISOR_set_trap_table(traps) || HYPERVISOR_callback_op(CALLBACKOP_register, &cb) ||
         evtchn_bind_virq(VIRQ_TIMER, &timer_port) )
        return test_error("soup: cannot set up traps, callback, timer\n");
    events_enable();
    printk("soup: seed %u, %u sequences, %u%% in ring 1\n", guest_arg_u32("seed=", 1), count,
           ring1);

    for ( uint32_t i = 0; i < count; i++ )
    {
        uint32_t ring = below(100) < ring1 ? 1 : 3;

        sequence();
        soup_last_vector = NR_VECTORS_SEEN;
        HYPERVISOR_set_timer_op(time_now_ns() + TIMER_NS);
        soup_run(ring);
        if ( soup_last_vector < NR_VECTORS_SEEN )
            vectors[soup_last_vector]++;
        runs[ring]++;
        /* Ring-1 code may wreck this domain: say how far it got. */
        if ( (i + 1) % (ring1 ? 10 : 100) == 0 && i + 1 < count )
            printk("soup: %u\n", i + 1);
    }
    HYPERVISOR_set_timer_op(0);
    events_disable();

    printk("soup: %u sequences run (%u in ring 1, %u in ring 3)\n", runs[1] + runs[3], runs[1],
           runs[3]);
    printk("soup: ended by");
    for ( unsigned int v = 0; v < NR_VECTORS_SEEN; v++ )
        if ( vectors[v] )
            printk(" %s %u", names[v] ? names[v] : "?", vectors[v]);
    printk("\n");
}
