/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * uc_floor.c - what Unicorn itself costs, without pvx: the floor that the
 * simulator's figures are compared against. The machine is set up as pvx-sim
 * sets up its own (Core Duo model, 32-bit protected mode, PAE paging with 4 KiB
 * pages, flat ring-1 segments entered by a real iret from ring 0), then runs
 * one loop in ring 1 and prints the host nanoseconds per iteration.
 *
 *   uc_floor int82 N          mov $17,%eax; xor %ebx,%ebx; int $0x82; dec; jnz
 *                             with an empty UC_HOOK_INTR hook (the null
 *                             hypercall loop of bench-hcall, instruction for
 *                             instruction)
 *   uc_floor int82frame N     the same, the hook reading the 16 registers of
 *                             pvx-sim's frame and writing eax back: what the
 *                             Unicorn API alone costs a simulated hypercall
 *   uc_floor tight N HOOK     add $1; dec; jnz        (3-instruction blocks)
 *   uc_floor mixed N HOOK     11 instructions, a load and a store per block
 *                             HOOK: none | empty (an empty block hook) | count
 *                             (icount += size, a budget compare)
 *   uc_floor tsc-hz           the host TSC frequency (for QEMU's rdtsc figures)
 *
 * Timing is done here, around uc_emu_start only: engine set-up is not counted.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicorn/unicorn.h>

#define RAM_SIZE    (4u << 20)
#define PT_L3       0x1000u
#define PT_L2       0x2000u
#define PT_L1       0x3000u         /* maps 0 .. 2 MiB, 4 KiB pages */
#define GDT_BASE    0x4000u
#define RING0_CODE  0x10000u
#define RING1_CODE  0x11000u
#define RING0_STACK 0x1f000u
#define RING1_STACK 0x20000u
#define DATA        0x30000u

#define SEL_R0_CS   0x08u
#define SEL_R0_DS   0x10u
#define SEL_R1_CS   0x19u
#define SEL_R1_DS   0x21u

static uint8_t *ram;
static uint64_t icount, budget = UINT64_MAX;

static void check(uc_err err, const char *what)
{
    if ( err != UC_ERR_OK )
    {
        fprintf(stderr, "uc_floor: %s: %s\n", what, uc_strerror(err));
        exit(2);
    }
}

static void wr(uc_engine *uc, int reg, uint64_t val, const char *what)
{
    check(uc_reg_write(uc, reg, &val), what);
}

static void put32(uint32_t pa, uint32_t v) { memcpy(ram + pa, &v, 4); }
static void put64(uint32_t pa, uint64_t v) { memcpy(ram + pa, &v, 8); }

static void hook_intr_empty(uc_engine *uc, uint32_t intno, void *data)
{
    (void)uc; (void)intno; (void)data;
}

/* The registers pvx-sim's trap frame holds (sim/cpu.c, frame_save). */
static const int frame_regs[16] = {
    UC_X86_REG_EAX, UC_X86_REG_EBX, UC_X86_REG_ECX, UC_X86_REG_EDX,
    UC_X86_REG_ESI, UC_X86_REG_EDI, UC_X86_REG_EBP, UC_X86_REG_ESP,
    UC_X86_REG_EIP, UC_X86_REG_EFLAGS, UC_X86_REG_CS, UC_X86_REG_SS,
    UC_X86_REG_DS, UC_X86_REG_ES, UC_X86_REG_FS, UC_X86_REG_GS,
};

static void hook_intr_frame(uc_engine *uc, uint32_t intno, void *data)
{
    uint64_t val[16] = { 0 };
    void *ptr[16];
    int i;

    (void)intno; (void)data;
    for ( i = 0; i < 16; i++ )
        ptr[i] = &val[i];
    check(uc_reg_read_batch(uc, frame_regs, ptr, 16), "read frame");
    val[0] = 0;                         /* the result */
    check(uc_reg_write(uc, UC_X86_REG_EAX, &val[0]), "write eax");
}

static void hook_block_empty(uc_engine *uc, uint64_t addr, uint32_t size, void *data)
{
    (void)uc; (void)addr; (void)size; (void)data;
}

/* The least a counting hook can do: charge the block, compare with a budget. */
static void hook_block_count(uc_engine *uc, uint64_t addr, uint32_t size, void *data)
{
    (void)addr; (void)data;
    if ( __builtin_expect(icount >= budget, 0) )
        uc_emu_stop(uc);
    icount += size;
}

/* Ring 0 -> ring 1 by iret, the way pvx-sim makes its ring-1 template. */
static uc_engine *machine(void)
{
    uc_x86_mmr gdtr = { .base = GDT_BASE, .limit = 0x27 };
    uc_x86_msr efer = { .rid = 0xc0000080u, .value = 1u << 11 };
    uc_engine *uc;
    uint32_t i;

    ram = aligned_alloc(4096, RAM_SIZE);
    if ( !ram )
        exit(2);
    memset(ram, 0, RAM_SIZE);
    put64(PT_L3, PT_L2 | 1);
    put64(PT_L2, PT_L1 | 0x67);
    for ( i = 0; i < 512; i++ )
        put64(PT_L1 + i * 8, ((uint64_t)i << 12) | 0x67);
    put64(GDT_BASE + 0x08, 0x00cf9b000000ffffull);
    put64(GDT_BASE + 0x10, 0x00cf93000000ffffull);
    put64(GDT_BASE + 0x18, 0x00cfbb000000ffffull);     /* DPL 1 code */
    put64(GDT_BASE + 0x20, 0x00cfb3000000ffffull);     /* DPL 1 data */

    check(uc_open(UC_ARCH_X86, UC_MODE_32, &uc), "open");
    check(uc_ctl_set_cpu_model(uc, UC_CPU_X86_COREDUO), "cpu model");
    check(uc_mem_map_ptr(uc, 0, RAM_SIZE, UC_PROT_ALL, ram), "map");
    check(uc_reg_write(uc, UC_X86_REG_GDTR, &gdtr), "gdtr");
    wr(uc, UC_X86_REG_CR3, PT_L3, "cr3");
    wr(uc, UC_X86_REG_CR4, 0x6a0, "cr4");               /* PAE PGE OSFXSR OSXMMEXCPT */
    check(uc_reg_write(uc, UC_X86_REG_MSR, &efer), "efer");
    wr(uc, UC_X86_REG_CR0, 0x80010033u, "cr0");         /* PE MP ET NE WP PG */
    wr(uc, UC_X86_REG_CS, SEL_R0_CS, "cs");
    wr(uc, UC_X86_REG_SS, SEL_R0_DS, "ss");
    wr(uc, UC_X86_REG_DS, SEL_R0_DS, "ds");
    wr(uc, UC_X86_REG_ES, SEL_R0_DS, "es");

    ram[RING0_CODE] = 0xcf;                             /* iret */
    put32(RING0_STACK + 0, RING1_CODE);
    put32(RING0_STACK + 4, SEL_R1_CS);
    put32(RING0_STACK + 8, 0x202);
    put32(RING0_STACK + 12, RING1_STACK);
    put32(RING0_STACK + 16, SEL_R1_DS);
    wr(uc, UC_X86_REG_ESP, RING0_STACK, "esp");
    return uc;
}

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Enter ring 1, then time code[] run with ecx = n; ns per iteration. */
static double run(uc_engine *uc, const uint8_t *code, size_t len, uint64_t n)
{
    uint64_t cs = 0;
    double t0, t1;

    memcpy(ram + RING1_CODE, code, len);
    ram[RING1_CODE + len] = 0xf4;                       /* hlt: never reached, the exit is here */
    check(uc_emu_start(uc, RING0_CODE, RING1_CODE, 0, 0), "iret to ring 1");
    check(uc_reg_read(uc, UC_X86_REG_CS, &cs), "cs");
    if ( cs != SEL_R1_CS )
    {
        fprintf(stderr, "uc_floor: not in ring 1 (cs %#llx)\n", (unsigned long long)cs);
        exit(2);
    }
    wr(uc, UC_X86_REG_ECX, n, "ecx");
    t0 = now_ns();
    check(uc_emu_start(uc, RING1_CODE, RING1_CODE + len, 0, 0), "loop");
    t1 = now_ns();
    return (t1 - t0) / (double)n;
}

static const uint8_t code_int82[] = {
    0xb8, 0x11, 0x00, 0x00, 0x00,       /* 1: mov $17,%eax (xen_version) */
    0x31, 0xdb,                         /*    xor %ebx,%ebx */
    0xcd, 0x82,                         /*    int $0x82 */
    0x49,                               /*    dec %ecx */
    0x75, 0xf4,                         /*    jnz 1b */
};

static const uint8_t code_tight[] = {
    0x83, 0xc0, 0x01,                   /* 1: add $1,%eax */
    0x49,                               /*    dec %ecx */
    0x75, 0xfa,                         /*    jnz 1b */
};

static const uint8_t code_mixed[] = {
    0x89, 0xce,                         /* 1: mov %ecx,%esi */
    0x81, 0xe6, 0xff, 0x03, 0x00, 0x00, /*    and $0x3ff,%esi */
    0x8b, 0x04, 0xb5, 0x00, 0x00, 0x03, 0x00,   /* mov 0x30000(,%esi,4),%eax */
    0x01, 0xc3,                         /*    add %eax,%ebx */
    0xc1, 0xc3, 0x05,                   /*    rol $5,%ebx */
    0x31, 0xcb,                         /*    xor %ecx,%ebx */
    0x8d, 0x54, 0x43, 0x01,             /*    lea 1(%ebx,%eax,2),%edx */
    0x6b, 0xd2, 0x21,                   /*    imul $33,%edx,%edx */
    0x89, 0x14, 0xb5, 0x00, 0x10, 0x03, 0x00,   /* mov %edx,0x31000(,%esi,4) */
    0x49,                               /*    dec %ecx */
    0x75, 0xd9,                         /*    jnz 1b */
};

/* Instructions per iteration of each loop, for instructions per second. */
#define INSNS_TIGHT 3
#define INSNS_MIXED 11

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    asm volatile ( "rdtsc" : "=a" (lo), "=d" (hi) );
    return ((uint64_t)hi << 32) | lo;
}

static int usage(void)
{
    fprintf(stderr, "usage: uc_floor int82|int82frame N | tight N none|empty|count | "
            "mixed N none|empty|count | tsc-hz\n");
    return 2;
}

int main(int argc, char **argv)
{
    uc_engine *uc;
    uc_hook hh;
    uint64_t n;
    double ns;

    if ( argc == 2 && !strcmp(argv[1], "tsc-hz") )
    {
        struct timespec d = { 0, 200 * 1000 * 1000 };
        double t0 = now_ns();
        uint64_t c0 = rdtsc();

        nanosleep(&d, NULL);
        printf("tsc_hz %.0f\n", (double)(rdtsc() - c0) * 1e9 / (now_ns() - t0));
        return 0;
    }
    if ( argc < 3 )
        return usage();
    n = strtoull(argv[2], NULL, 0);
    if ( n == 0 )
        return usage();
    uc = machine();

    if ( !strcmp(argv[1], "int82") || !strcmp(argv[1], "int82frame") )
    {
        check(uc_hook_add(uc, &hh, UC_HOOK_INTR,
                          argv[1][5] ? hook_intr_frame : hook_intr_empty, NULL, 1, 0),
              "intr hook");
        ns = run(uc, code_int82, sizeof(code_int82), n);
        printf("ns_per_op %.3f\n", ns);
        return 0;
    }
    if ( argc != 4 || (strcmp(argv[1], "tight") && strcmp(argv[1], "mixed")) )
        return usage();
    if ( !strcmp(argv[3], "empty") )
        check(uc_hook_add(uc, &hh, UC_HOOK_BLOCK, hook_block_empty, NULL, 1, 0), "block hook");
    else if ( !strcmp(argv[3], "count") )
        check(uc_hook_add(uc, &hh, UC_HOOK_BLOCK, hook_block_count, NULL, 1, 0), "block hook");
    else if ( strcmp(argv[3], "none") )
        return usage();
    if ( !strcmp(argv[1], "tight") )
    {
        ns = run(uc, code_tight, sizeof(code_tight), n);
        printf("ns_per_op %.3f insn_per_s %.0f\n", ns, INSNS_TIGHT * 1e9 / ns);
    }
    else
    {
        ns = run(uc, code_mixed, sizeof(code_mixed), n);
        printf("ns_per_op %.3f insn_per_s %.0f\n", ns, INSNS_MIXED * 1e9 / ns);
    }
    return 0;
}
