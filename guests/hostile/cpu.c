/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu.c - states of the CPU a guest can reach from ring 1, which a machine
 * must run as hardware does or kill the guest alone (issue 11, item 5):
 *
 *   xo-cs        an execute-only code segment as cs: far call, iret
 *                hypercall, trap handler, event callback
 *   ring2        a native iret into ring 2, spinning there beside domain 0
 *   ring2-fault  the same, then a hypercall from ring 2: a #GP in its
 *                ring-1 handler, on the kernel stack, as on Xen
 *   ldt-fs       fs and gs holding LDT selectors, then SET_LDT to an
 *                unmapped address: both read null afterwards
 *   io-decode    port I/O behind an instruction a disassembler may not know
 *                (0f 0d: prefetch): still #GP(0) at the I/O instruction
 *   io-smc       code rewritten in place between two runs and within one
 *                block: I/O gets its #GP, nops get none
 *
 * Every value printed is the same on every machine.
 */
#include "guest.h"
#include "traps.h"
#include "events.h"
#include "mm.h"
#include "hostile.h"


#define PTE_RO          0x21u           /* P|A */

/* Segment types (with the accessed bit: the hypervisor sets it anyway). */
#define TYPE_DATA_RW    0x3u
#define TYPE_CODE_XO    0x9u            /* execute-only */
#define TYPE_CODE_XR    0xbu            /* execute/read */

/* The guest's own GDT entries. */
#define XO_CS           0x09u           /* 1: execute-only code, DPL 1 */
#define R2_CS           0x12u           /* 2: code, DPL 2 */
#define R2_SS           0x1au           /* 3: data, DPL 2 */
#define LDT_DS          0x07u           /* LDT 0: data, DPL 3 */

#define UNMAPPED_VA     0x40000000u     /* far above an 8 MiB domain */

/* A flat 4 GiB descriptor (the hypervisor clamps the limit). */
static uint64_t flat_desc(unsigned int type, unsigned int dpl)
{
    uint32_t lo = 0x0000ffffu;
    uint32_t hi = (type << 8) | (1u << 12) | (dpl << 13) | (1u << 15) | 0x000f0000u |
                  (1u << 22) | (1u << 23);

    return ((uint64_t)hi << 32) | lo;
}

static uint32_t va_mfn(const void *p)
{
    return mm_pfn_to_mfn((uint32_t)(unsigned long)p >> PAGE_SHIFT);
}

/* A page of descriptors, read-only from then on: GDT or LDT frame. */
static void desc_page(uint8_t *page, const uint64_t *descs, unsigned int first, unsigned int n)
{
    memset(page, 0, PAGE_SIZE);
    for ( unsigned int i = 0; i < n; i++ )
        ((uint64_t *)page)[first + i] = descs[i];
    if ( HYPERVISOR_update_va_mapping((unsigned long)page,
                                      ((uint64_t)va_mfn(page) << PAGE_SHIFT) | PTE_RO,
                                      UVMF_INVLPG) )
        test_error("cannot map a descriptor page read-only\n");
}

static uint8_t gdt_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* GDT entries 1..3: execute-only DPL 1, code DPL 2, data DPL 2. */
static void gdt_install(void)
{
    const uint64_t descs[] = {
        flat_desc(TYPE_CODE_XO, 1), flat_desc(TYPE_CODE_XR, 2), flat_desc(TYPE_DATA_RW, 2),
    };
    xen_pfn_t frames[1] = { va_mfn(gdt_page) };

    desc_page(gdt_page, descs, 1, ARRAY_SIZE(descs));
    expect("set_gdt: execute-only code DPL 1, code and data DPL 2",
           HYPERVISOR_set_gdt(frames, 512), 0);
}

/* ------------------------------------------------------------------------
 * xo-cs
 */

/* fn() entered by a far call through cs; fn returns near, the thunk far. */
extern char far_thunk[];
asm ( ".pushsection .text\n"
      "far_thunk: call *%eax\n"
      "    lret\n"
      ".popsection" );

static unsigned long far_call(unsigned int cs, unsigned long (*fn)(void))
{
    struct { uint32_t off; uint16_t sel; } __attribute__((packed)) ptr = {
        (uint32_t)(unsigned long)far_thunk, (uint16_t)cs };
    unsigned long rc;

    asm volatile ( "lcall *%1" : "=a" (rc) : "m" (ptr), "a" (fn) : "ecx", "edx", "memory", "cc" );
    return rc;
}

static volatile unsigned int hook_cs, hook_frame_cs, xo_cs_in, xo_cs_after, cb_cs;
static volatile long xo_version;

static bool cs_hook(struct guest_frame *f)
{
    if ( f->vector != 3 && f->vector != 0x40 )
        return false;
    hook_cs = read_cs();
    hook_frame_cs = f->cs & 0xffff;
    return true;
}

static unsigned long in_xo_segment(void)
{
    xo_cs_in = read_cs();
    xo_version = HYPERVISOR_xen_version(XENVER_version, NULL);
    asm volatile ( "int3" ::: "memory" );
    xo_cs_after = read_cs();
    return 0x600d;
}

/* The iret hypercall into cs: the cs it landed in (then back to flat). */
static unsigned int iret_into(unsigned int cs)
{
    unsigned int got;

    asm volatile ( "pushfl\n\t"
                   "andl $~0x200, (%%esp)\n\t"  /* IF clear: upcalls stay masked */
                   "pushl %1\n\t"
                   "pushl $1f\n\t"
                   "pushl %%eax\n\t"
                   "movl %2, %%eax\n\t"
                   "int $0x82\n"
                   "1:\tmov %%cs, %0\n\t"
                   "ljmp %3, $2f\n"
                   "2:"
                   : "=r" (got) : "r" (cs), "i" (__HYPERVISOR_iret), "i" (FLAT_RING1_CS)
                   : "eax", "memory", "cc" );
    return got;
}

extern void event_callback_entry(void);

static void cb_handler(evtchn_port_t port)
{
    (void)port;
    cb_cs = read_cs();
}

void attack_xo_cs(void)
{
    struct trap_info t[2] = { { 0x40, 1, XO_CS, (uint32_t)(unsigned long)guest_entry_0x40 },
                              { 0, 0, 0, 0 } };
    struct callback_register cb = {
        .type = CALLBACKTYPE_event, .flags = CALLBACKF_mask_events,
        .address = { .cs = XO_CS, .eip = (uint32_t)(unsigned long)event_callback_entry },
    };
    evtchn_port_t port;

    guest_traps_init();
    gdt_install();
    guest_trap_hook = cs_hook;

    /* Code in it, entered and left by the CPU itself. */
    expect("far call into the execute-only segment and back", far_call(XO_CS, in_xo_segment),
           0x600d);
    expect("  cs in it", xo_cs_in, XO_CS);
    expect("  xen_version from it", xo_version, 0x40011);
    expect("  int3 from it: the frame's cs", hook_frame_cs, XO_CS);
    expect("  after the handler's iret hypercall: cs", xo_cs_after, XO_CS);
    expect("  back in cs", read_cs(), FLAT_RING1_CS);

    /* Entered by the hypervisor. */
    expect("iret hypercall into it: cs", iret_into(XO_CS), XO_CS);
    expect("set_trap_table: int $0x40 handler in it", HYPERVISOR_set_trap_table(t), 0);
    hook_cs = 0;
    asm volatile ( "int $0x40" ::: "memory" );
    expect("  int $0x40: the handler ran in cs", hook_cs, XO_CS);

    events_init();
    events_set_handler(cb_handler);
    expect("callback_op: event callback in it", HYPERVISOR_callback_op(CALLBACKOP_register, &cb), 0);
    if ( evtchn_bind_ipi(&port) )
        return test_error("bind_ipi failed\n");
    events_enable();
    evtchn_send(port);
    events_disable();
    expect("  an event to itself: the callback ran in cs", cb_cs, XO_CS);
    expect("  back in cs", read_cs(), FLAT_RING1_CS);
    guest_trap_hook = NULL;
}

/* ------------------------------------------------------------------------
 * ring2, ring2-fault: a native iret into ring 2.
 */
static uint8_t ring2_stack[PAGE_SIZE] __attribute__((aligned(16)));

static void __noreturn enter_ring2(void (*fn)(void))
{
    asm volatile ( "pushl %0\n\t"
                   "pushl %1\n\t"
                   "pushfl\n\t"
                   "pushl %2\n\t"
                   "pushl %3\n\t"
                   "iret"
                   :: "i" (R2_SS), "r" (ring2_stack + sizeof(ring2_stack)), "i" (R2_CS),
                      "r" (fn) : "memory" );
    __builtin_unreachable();
}

static void ring2_spin(void)
{
    asm volatile ( "1: add %%ecx, %%eax; rol $3, %%eax; jmp 1b" ::: "eax", "ecx", "cc" );
}

/* A while in ring 2 (a few timer slices), then a hypercall: ring 2 may not. */
static void ring2_hypercall(void)
{
    asm volatile ( "mov $3000000, %%ecx\n"
                   "1: rol $3, %%eax; loop 1b\n\t"
                   "mov %0, %%eax\n\t"
                   "xor %%ebx, %%ebx\n\t"
                   "int $0x82\n\t"
                   "ud2"
                   :: "i" (__HYPERVISOR_xen_version) : "eax", "ebx", "ecx", "memory" );
}

void attack_ring2(void)
{
    guest_traps_init();
    gdt_install();
    printk("native iret into ring 2 (cs %#x ss %#x); spinning there\n", R2_CS, R2_SS);
    enter_ring2(ring2_spin);
}

/* As on Xen, a ring-2 fault reaches the ring-1 handler on the kernel stack,
 * with ring 2's esp and ss in the frame. */
static bool ring2_hook(struct guest_frame *f)
{
    if ( f->vector != 13 || (f->cs & 0xffff) != R2_CS )
        return false;
    printk("a hypercall from ring 2: #GP %#x in the ring-1 handler, from cs %#x ss %#x, "
           "esp %s\n", f->error, f->cs & 0xffff, f->ss & 0xffff,
           f->esp <= (uint32_t)(ring2_stack + sizeof(ring2_stack)) &&
           f->esp > (uint32_t)ring2_stack ? "on its ring-2 stack" : "elsewhere");
    /* There is no ring 2 to go back to (the int would fault again): the
     * test ends here, in the handler. */
    if ( f->error != ((0x82 << 3) | 2) || (f->ss & 0xffff) != R2_SS )
    {
        printk("Test result: FAILURE (not the int $0x82 gate's #GP, or not ring 2's stack)\n");
        guest_shutdown(SHUTDOWN_crash);
    }
    printk("Test result: SUCCESS\n");
    guest_shutdown(SHUTDOWN_poweroff);
    return true;
}

void attack_ring2_fault(void)
{
    guest_traps_init();
    gdt_install();
    guest_trap_hook = ring2_hook;
    printk("native iret into ring 2; a hypercall from there\n");
    enter_ring2(ring2_hypercall);
}

/* ------------------------------------------------------------------------
 * ldt-fs
 */
static uint8_t ldt_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static long set_ldt(uint32_t va, unsigned int ents)
{
    struct mmuext_op op = { .cmd = MMUEXT_SET_LDT };

    op.arg1.linear_addr = va;
    op.arg2.nr_ents = ents;
    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

extern char ldt_load_at[], ldt_load_fix[];

void attack_ldt_fs(void)
{
    const uint64_t data3 = flat_desc(TYPE_DATA_RW, 3);
    unsigned int fs, gs, before = guest_fault_count;
    unsigned long cr2;

    guest_traps_init();
    desc_page(ldt_page, &data3, 0, 1);
    expect("SET_LDT: one flat data descriptor", set_ldt((uint32_t)(unsigned long)ldt_page, 1), 0);
    asm volatile ( "mov %2, %%fs; mov %2, %%gs; mov %%fs, %0; mov %%gs, %1"
                   : "=r" (fs), "=r" (gs) : "r" (LDT_DS) : "memory" );
    expect("fs loaded with LDT selector 0x7", fs, LDT_DS);
    expect("gs loaded with LDT selector 0x7", gs, LDT_DS);

    /* Nothing there to map: the machine's reload of fs/gs must not fault. */
    expect("SET_LDT to an unmapped address", set_ldt(UNMAPPED_VA, 16), 0);
    asm volatile ( "mov %%fs, %0; mov %%gs, %1" : "=r" (fs), "=r" (gs) :: "memory" );
    expect("  fs afterwards (null)", fs, 0);
    expect("  gs afterwards (null)", gs, 0);

    asm volatile ( "ldt_load_at: mov %0, %%fs; ldt_load_fix:"
                   GUEST_EXTABLE(ldt_load_at, ldt_load_fix) :: "r" (LDT_DS) : "memory" );
    asm volatile ( "mov %%cr2, %0" : "=r" (cr2) );
    expect("  loading 0x7 again: faults", guest_fault_count - before, 1);
    expect("  with vector", guest_last_fault.vector, 14);
    expect("  error code", guest_last_fault.error, 0);
    expect("  cr2 at its LDT", cr2 == UNMAPPED_VA, 1);
    expect("SET_LDT: none", set_ldt(0, 0), 0);
}

/* ------------------------------------------------------------------------
 * io-decode: 0f 0d 00 is `prefetch (%eax)` to the CPU; a disassembler that
 * does not know it and skips a byte reads `or $imm32, %eax` over what follows.
 */
extern char io1_at[], io1_fix[], io2_at[], io2_fix[], io3_at[], io3_fix[], io4_at[], io4_fix[];

static unsigned int io_faults;

static void io_expect(const char *what, unsigned int before, const char *at)
{
    char line[96];

    snprintk(line, sizeof(line), "%s: faults", what);
    expect(line, guest_fault_count - before, 1);
    expect("  vector", guest_last_fault.vector, 13);
    expect("  error code", guest_last_fault.error, 0);
    expect("  at the I/O instruction", guest_last_fault.eip == (uint32_t)(unsigned long)at, 1);
    io_faults++;
}

void attack_io_decode(void)
{
    unsigned int before;

    guest_traps_init();

    before = guest_fault_count;
    asm volatile ( "lea %0, %%eax\n\t"
                   ".byte 0x0f, 0x0d, 0x00\n"           /* prefetch (%eax) */
                   "io1_at: outb %%al, $0x80\n"
                   "io1_fix:" GUEST_EXTABLE(io1_at, io1_fix)
                   :: "m" (ldt_page) : "eax", "memory" );
    io_expect("prefetch, outb $0x80", before, io1_at);

    before = guest_fault_count;
    asm volatile ( "lea %0, %%eax\n\t"
                   ".byte 0x0f, 0x0d, 0x00\n\t"
                   "nop; nop; nop; nop\n"
                   "io2_at: outb %%al, $0x80\n"
                   "io2_fix:" GUEST_EXTABLE(io2_at, io2_fix)
                   :: "m" (ldt_page) : "eax", "memory" );
    io_expect("prefetch, 4 nops, outb $0x80", before, io2_at);

    before = guest_fault_count;
    asm volatile ( "lea %0, %%eax\n\t"
                   ".byte 0x0f, 0x0d, 0x00\n"
                   "io3_at: inb $0x80, %%al\n"
                   "io3_fix:" GUEST_EXTABLE(io3_at, io3_fix)
                   :: "m" (ldt_page) : "eax", "memory" );
    io_expect("prefetch, inb $0x80", before, io3_at);

    before = guest_fault_count;
    asm volatile ( "lea %0, %%eax\n\t"
                   "mov $0x80, %%edx\n\t"
                   ".byte 0x0f, 0x0d, 0x00\n"
                   "io4_at: inl (%%dx), %%eax\n"
                   "io4_fix:" GUEST_EXTABLE(io4_at, io4_fix)
                   :: "m" (ldt_page) : "eax", "edx", "memory" );
    io_expect("prefetch, inl (%dx)", before, io4_at);
    expect("I/O instructions that faulted", io_faults, 4);
}

/* ------------------------------------------------------------------------
 * io-smc: the same bytes run as nops, then as `outb %al, $0x80`, and back.
 */
extern uint8_t smc_code[], smc_self[], smc_self_io[];
asm ( ".pushsection .data\n"
      ".p2align 6\n"
      "smc_code: .byte 0x90, 0x90, 0x90, 0xc3\n"        /* nop; nop; nop; ret */
      ".p2align 6\n"
      /* Rewrites the two nops after it into outb and runs them in the same
       * translated block, then puts the nops back. */
      "smc_self: movw $0x80e6, smc_self_io\n"
      "smc_self_io: nop; nop\n"
      "    movw $0x9090, smc_self_io\n"
      "    ret\n"
      ".popsection" );

static unsigned int smc_faults;

static bool smc_hook(struct guest_frame *f)
{
    if ( f->vector != 13 || f->error != 0 ||
         (f->eip != (uint32_t)(unsigned long)smc_code &&
          f->eip != (uint32_t)(unsigned long)smc_self_io) )
        return false;
    f->eip += 2;                        /* past the outb */
    smc_faults++;
    return true;
}

static unsigned int smc_run(void *code)
{
    unsigned int before = smc_faults;

    asm volatile ( "call *%0" :: "r" (code) : "eax", "ecx", "edx", "memory", "cc" );
    return smc_faults - before;
}

void attack_io_smc(void)
{
    volatile uint16_t *first = (volatile uint16_t *)smc_code;

    guest_traps_init();
    guest_trap_hook = smc_hook;
    for ( unsigned int round = 0; round < 3; round++ )
    {
        *first = 0x9090;
        if ( smc_run(smc_code) != 0 )
            return (void)expect("nop nop nop ret: faults", 1, 0);
        *first = 0x80e6;
        if ( smc_run(smc_code) != 1 )
            return (void)expect("rewritten to outb nop ret: one #GP(0)", 0, 1);
    }
    *first = 0x9090;
    expect("nop nop nop ret, again: faults", smc_run(smc_code), 0);
    printk("3 rounds: the same 4 bytes as nops (no fault), as outb (#GP), back\n");
    for ( unsigned int i = 0; i < 3; i++ )
        if ( !expect("a block that rewrites its own nops into outb: faults", smc_run(smc_self), 1) )
            break;
    guest_trap_hook = NULL;
}

/* ------------------------------------------------------------------------
 * quirks: instructions an emulator may run differently from hardware, from
 * ring 1 and ring 3: what each raises (fault at it, trap after it, or
 * nothing) and what the non-privileged ones read. Both machines must agree.
 */
#define SNIPPET(name, pre, insn)                                            \
    asm ( ".pushsection .user.text, \"ax\"\n"                               \
          "q_" #name ": push %ebx; push %esi; push %edi; push %ebp\n"       \
          "    mov %esp, q_esp\n"                                           \
          pre "\n"                                                          \
          "q_" #name "_at: " insn "\n"                                      \
          "q_" #name "_fix: mov q_esp, %esp\n"                              \
          "    pushfl; andl $~0x4000, (%esp); popfl\n"                      \
          "    pop %ebp; pop %edi; pop %esi; pop %ebx\n"                    \
          "    ret\n"                                                       \
          ".popsection" );                                                  \
    extern char q_##name[], q_##name##_at[], q_##name##_fix[]

asm ( ".pushsection .user.data, \"aw\"\n"
      "q_esp: .long 0\n"
      "q_buf: .long 0, 0\n"
      ".popsection" );
extern uint8_t q_buf[];

SNIPPET(sysenter, "", ".byte 0x0f, 0x34");
SNIPPET(syscall, "", ".byte 0x0f, 0x05");
SNIPPET(sysexit, "", ".byte 0x0f, 0x35");
SNIPPET(sysret, "", ".byte 0x0f, 0x07");
SNIPPET(icebp, "", ".byte 0xf1");
SNIPPET(hlt, "", "hlt");
SNIPPET(rdpmc, "xor %ecx, %ecx", "rdpmc");
SNIPPET(invd, "", ".byte 0x0f, 0x08");
SNIPPET(wbinvd, "", "wbinvd");
SNIPPET(lock_nop, "", ".byte 0xf0, 0x90");
SNIPPET(rsm, "", ".byte 0x0f, 0xaa");
SNIPPET(vmcall, "", ".byte 0x0f, 0x01, 0xc1");
SNIPPET(monitor, "lea q_buf, %eax; xor %ecx, %ecx; xor %edx, %edx", ".byte 0x0f, 0x01, 0xc8");
SNIPPET(xgetbv, "xor %ecx, %ecx", ".byte 0x0f, 0x01, 0xd0");
SNIPPET(rdtscp, "", ".byte 0x0f, 0x01, 0xf9");
SNIPPET(ud1, "", ".byte 0x0f, 0xb9, 0xc0");
SNIPPET(lgdt, "", "lgdt q_buf");
SNIPPET(mov_cr0, "", "mov %cr0, %eax");
SNIPPET(iret_nt, "pushfl; pushl %cs; pushl $q_iret_nt_fix; pushfl; orl $0x4000, (%esp); popfl",
        "iret");
SNIPPET(rep_insb_0, "xor %ecx, %ecx; lea q_buf, %edi; mov $0x80, %edx", "rep insb");
SNIPPET(rep_outsb_0, "xor %ecx, %ecx; lea q_buf, %esi; mov $0x80, %edx", "rep outsb");
SNIPPET(rep_insb_2, "mov $2, %ecx; lea q_buf, %edi; mov $0x80, %edx", "rep insb");
SNIPPET(call_unmapped, "mov $0x40000000, %eax", "call *%eax");
SNIPPET(smsw, "xor %eax, %eax", "smsw %ax");
SNIPPET(str, "xor %eax, %eax", "str %ax");
SNIPPET(sldt, "xor %eax, %eax", "sldt %ax");
SNIPPET(sgdt_limit, "", "sgdt q_buf");
SNIPPET(lsl_ring1_cs, "mov $0xe019, %edx; xor %eax, %eax", "lsl %edx, %eax");
SNIPPET(lar_ring3_ds, "mov $0xe033, %edx; xor %eax, %eax", "lar %edx, %eax");

static const struct quirk {
    const char *name;
    const char *code, *at, *fix;
    bool value;                         /* print what eax reads */
} quirks[] = {
#define Q(n, v) { #n, q_##n, q_##n##_at, q_##n##_fix, v }
    Q(sysenter, false), Q(syscall, false), Q(sysexit, false), Q(sysret, false),
    Q(icebp, false), Q(hlt, false), Q(rdpmc, false), Q(invd, false), Q(wbinvd, false),
    Q(lock_nop, false), Q(rsm, false), Q(vmcall, false), Q(monitor, false), Q(xgetbv, false),
    Q(rdtscp, false), Q(ud1, false), Q(lgdt, false), Q(mov_cr0, false), Q(iret_nt, false),
    Q(rep_insb_0, false), Q(rep_outsb_0, false), Q(rep_insb_2, false), Q(call_unmapped, false),
    Q(smsw, true), Q(str, true), Q(sldt, true), Q(sgdt_limit, false), Q(lsl_ring1_cs, true),
    Q(lar_ring3_ds, true),
#undef Q
};

static const struct quirk *q_cur;
static volatile unsigned int q_vector, q_error, q_where;   /* 1 fault, 2 trap, 3 at the target */

static bool quirk_hook(struct guest_frame *f)
{
    if ( q_cur == NULL || q_vector != ~0u )
        return false;
    if ( f->eip == (uint32_t)(unsigned long)q_cur->at )
        q_where = 1;
    else if ( f->eip == (uint32_t)(unsigned long)q_cur->fix )
        q_where = 2;
    else if ( f->eip == UNMAPPED_VA )
        q_where = 3;
    else
        return false;
    q_vector = f->vector;
    q_error = f->error;
    f->eip = (uint32_t)(unsigned long)q_cur->fix;
    return true;
}

void attack_quirks(void)
{
    guest_traps_init();
    guest_trap_hook = quirk_hook;
    for ( unsigned int ring = 1; ring <= 3; ring += 2 )
        for ( unsigned int i = 0; i < ARRAY_SIZE(quirks); i++ )
        {
            unsigned long (*fn)(unsigned long) = (unsigned long (*)(unsigned long))quirks[i].code;
            unsigned long val;
            char what[48];

            q_cur = &quirks[i];
            q_vector = ~0u;
            memset(q_buf, 0, 8);
            val = ring == 1 ? fn(0) : guest_exec_user(fn, 0);
            q_cur = NULL;
            snprintk(what, sizeof(what), "%s ring %u", quirks[i].name, ring);
            /* LAR's bits 19:16 are undefined (the SDM's 00FxFF00H): QEMU
             * clears them, Bochs keeps the limit there. */
            if ( !strncmp(quirks[i].name, "lar", 3) )
                val &= ~0x000f0000ul;
            /* CR0 differs between the machines today (see docs/cpu.md);
             * icebp is #DB on hardware (Bochs, the simulator), #UD under
             * QEMU's TCG. */
            if ( q_vector == ~0u && !strcmp(quirks[i].name, "smsw") )
                printk("info: %s: no exception, reads %#lx\n", what, val);
            else if ( !strcmp(quirks[i].name, "icebp") )
                printk("info: %s: vector %u (%s)\n", what, q_vector,
                       q_where == 1 ? "fault" : q_where == 2 ? "trap" : "at its target");
            else if ( q_vector == ~0u && quirks[i].value )
                printk("%s: no exception, reads %#lx\n", what, val);
            else if ( q_vector == ~0u )
                printk("%s: no exception\n", what);
            else
                printk("%s: vector %u error %#x (%s)\n", what, q_vector, q_error,
                       q_where == 1 ? "fault" : q_where == 2 ? "trap" : "at its target");
            if ( !strcmp(quirks[i].name, "sgdt_limit") )
                printk("  gdt limit %#x\n", *(uint16_t *)q_buf);
        }
    guest_trap_hook = NULL;
}

/* ------------------------------------------------------------------------
 * iret-vm86: an iret from ring 3 whose eflags has VM set. Hardware ignores
 * VM outside ring 0 (a plain iret to cs 0, which faults); Unicorn and QEMU
 * enter virtual-8086 mode, here at linear 0, where a user page holds
 * `jmp .`: it spins until the timer takes the CPU away from it.
 */
SNIPPET(iret_vm86, "pushl $0; pushl $0; pushl $0; pushl $0; pushl $0; pushl $0x1000; "
                   "pushl $0x20202; pushl $0; pushl $0", "iret");

void attack_iret_vm86(void)
{
    static const struct quirk q = { "iret_vm86", q_iret_vm86, q_iret_vm86_at, q_iret_vm86_fix,
                                    false };
    unsigned long (*fn)(unsigned long) = (unsigned long (*)(unsigned long))q.code;

    guest_traps_init();
    expect("page 0 mapped user, holding jmp .",
           HYPERVISOR_update_va_mapping(0, ((uint64_t)mm_pfn_to_mfn(0) << PAGE_SHIFT) | 0x67,
                                        UVMF_INVLPG), 0);
    asm volatile ( "movw $0xfeeb, 0" ::: "memory" );    /* jmp . at linear 0 */
    guest_trap_hook = quirk_hook;
    q_cur = &q;
    q_vector = ~0u;
    printk("iret from ring 3 with VM set in the popped eflags: expect to be killed\n");
    guest_exec_user(fn, 0);
    q_cur = NULL;
    printk("iret_vm86 ring 3: vector %u error %#x (%s)\n", q_vector, q_error,
           q_where == 1 ? "fault" : q_where == 2 ? "trap" : "elsewhere");
    guest_trap_hook = NULL;
}

/* ------------------------------------------------------------------------
 * call-gate: ring 3 calls into ring 1 through a call gate of its GDT, on the
 * kernel stack the TSS names (stack_switch); a gate to a not-present code
 * segment faults #NP on the target, one into ring 2 #TS(0) (no ring-2 stack).
 */
#define CG_RING1        0x23u           /* GDT 4: gate -> FLAT_RING1_CS:cg_target */
#define CG_NP           0x2bu           /* GDT 5: gate -> 0x31, not present */
#define CG_RING2        0x3bu           /* GDT 7: gate -> R2_CS */

uint32_t cg_cs, cg_esp, cg_ret_cs;
void cg_target(void);
asm ( ".pushsection .text\n"
      "cg_target: mov %cs, cg_cs\n"
      "    mov %esp, cg_esp\n"
      "    mov 4(%esp), %eax\n"
      "    mov %eax, cg_ret_cs\n"
      "    lret\n"
      ".popsection" );

SNIPPET(gate_ring1, "", "lcall $0x23, $0");
SNIPPET(gate_np, "", "lcall $0x2b, $0");
SNIPPET(gate_ring2, "", "lcall $0x3b, $0");

static uint64_t call_gate(uint16_t cs, uint32_t off)
{
    uint32_t lo = (off & 0xffff) | ((uint32_t)cs << 16);
    uint32_t hi = (off & 0xffff0000u) | (0xcu << 8) | (3u << 13) | (1u << 15);

    return ((uint64_t)hi << 32) | lo;
}

void attack_call_gate(void)
{
    uint64_t m = (uint64_t)va_mfn(gdt_page) << PAGE_SHIFT;
    static const struct quirk qs[] = {
        { "gate_ring1", q_gate_ring1, q_gate_ring1_at, q_gate_ring1_fix, false },
        { "gate_np", q_gate_np, q_gate_np_at, q_gate_np_fix, false },
        { "gate_ring2", q_gate_ring2, q_gate_ring2_at, q_gate_ring2_fix, false },
    };

    guest_traps_init();
    gdt_install();
    expect("update_descriptor: call gate DPL 3 into ring 1",
           HYPERVISOR_update_descriptor(m + 4 * 8, call_gate(FLAT_RING1_CS,
                                                              (uint32_t)(unsigned long)cg_target)), 0);
    expect("update_descriptor: call gate DPL 3 to a not-present code segment",
           HYPERVISOR_update_descriptor(m + 5 * 8, call_gate(0x31, 0)), 0);
    expect("update_descriptor: code DPL 1, not present",
           HYPERVISOR_update_descriptor(m + 6 * 8, flat_desc(TYPE_CODE_XR, 1) & ~(1ull << 47)), 0);
    expect("update_descriptor: call gate DPL 3 into ring 2",
           HYPERVISOR_update_descriptor(m + 7 * 8, call_gate(R2_CS, 0)), 0);
    guest_trap_hook = quirk_hook;
    for ( unsigned int i = 0; i < ARRAY_SIZE(qs); i++ )
    {
        unsigned long (*fn)(unsigned long) = (unsigned long (*)(unsigned long))qs[i].code;

        q_cur = &qs[i];
        q_vector = ~0u;
        guest_exec_user(fn, 0);
        q_cur = NULL;
        if ( q_vector == ~0u )
            printk("%s from ring 3: no exception\n", qs[i].name);
        else
            printk("%s from ring 3: vector %u error %#x (%s)\n", qs[i].name, q_vector, q_error,
                   q_where == 1 ? "fault" : "trap");
    }
    guest_trap_hook = NULL;
    expect("  the ring-1 target ran in cs", cg_cs, FLAT_RING1_CS);
    expect("  on the kernel stack, 4 words down",
           cg_esp == (uint32_t)(unsigned long)guest_trap_stack_top - 16, 1);
    expect("  called from cs", cg_ret_cs, FLAT_RING3_CS);
}
