/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_traps.c - the virtual CPU (docs/cpu.md): trap-table and callback
 * registration, the bounce frame from ring 1 and ring 3, software interrupts
 * against the virtual DPL, the iret hypercall, Xen's descriptor rules,
 * set_gdt/update_descriptor, and the instruction decoder and emulator.
 * Every refused request must leave the vCPU and memory as they were, and
 * every test ends with a clean audit.
 */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include <pvx/audit.h>
#include <pvx/domain.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/layout.h>
#include <pvx/traps.h>
#include <public/callback.h>
#include <public/grant_table.h>
#include <public/physdev.h>
#include <public/memory.h>
#include <public/version.h>
#include <public/xen.h>

#define BUF_VA      0x380000u       /* mapped, unused: arguments */
#define CODE_VA     0x381000u       /* mapped, unused: instructions to decode */
#define USER_ESP    0x390000u
#define KSTACK_TOP  0x3a0000u
#define FREE_PFN    0x500u          /* the domain's, not mapped */
#define HANDLER     0x102000u

static struct start_info si;

static void boot(void)
{
    unit_boot_default();
    CU_ASSERT_EQUAL_FATAL(copy_from_guest(current, &si, current->regs.esi, sizeof(si)), 0);
    current->vcpu_info->evtchn_upcall_mask = 0;
}

static mfn_t p2m(uint32_t pfn)
{
    uint32_t m = 0;

    CU_ASSERT_EQUAL(copy_from_guest(current, &m, si.mfn_list + pfn * 4, 4), 0);
    return m;
}

static long set_traps(const struct trap_info *t, unsigned int n)
{
    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, BUF_VA, t, n * sizeof(*t)), 0);
    return unit_hypercall(__HYPERVISOR_set_trap_table, BUF_VA, 0, 0, 0, 0);
}

/* Every vector 0-31 and 0x40 (DPL 3), 0x41 (DPL 0) to HANDLER + vector. */
static void std_traps(void)
{
    struct trap_info t[40];
    unsigned int n = 0;

    for ( unsigned int v = 0; v < 32; v++ )
        t[n++] = (struct trap_info){ (uint8_t)v, v == 14 ? 4 : 0, FLAT_RING1_CS, HANDLER + v };
    t[n++] = (struct trap_info){ 0x40, 3, FLAT_RING1_CS, HANDLER + 0x40 };
    t[n++] = (struct trap_info){ 0x41, 0, FLAT_RING1_CS, HANDLER + 0x41 };
    t[n++] = (struct trap_info){ 0, 0, 0, 0 };
    CU_ASSERT_EQUAL_FATAL(set_traps(t, n), 0);
}

/* Raise an exception in the current vCPU; the arch_shutdown status or -1. */
static int trap(struct cpu_regs *r, uint32_t vec, uint32_t err, uint32_t cr2)
{
    r->entry_vector = vec;
    r->error_code = err;
    return FAKE_RUN(core_trap(r, cr2));
}

static void read_stack(uint32_t esp, uint32_t *w, unsigned int n)
{
    CU_ASSERT_EQUAL(copy_from_guest(current, w, esp, n * 4), 0);
}

/* ------------------------------------------------------------------------
 * Registration.
 */

static void test_set_trap_table(void)
{
    struct trap_info t[3] = {
        { 0x40, 3, FLAT_RING1_CS & ~3, HANDLER },
        { 0, 0, 0, 0 },
    };
    struct vcpu_cpu before;
    uint32_t eip;

    boot();
    CU_ASSERT_EQUAL(set_traps(t, 2), 0);
    CU_ASSERT_EQUAL(current->cpu.trap[0x40].cs, FLAT_RING1_CS);     /* RPL 0 -> 1 */
    CU_ASSERT_EQUAL(current->cpu.trap[0x40].eip, HANDLER);
    CU_ASSERT_EQUAL(current->cpu.trap[0x40].flags, 3);

    /* Refused: a hypervisor selector; a bad entry after a good one; a fault:
     * each call is all or nothing. */
    before = current->cpu;
    t[0] = (struct trap_info){ 0x41, 0, 0xe008, HANDLER };
    CU_ASSERT_EQUAL(set_traps(t, 2), -EINVAL);
    t[1] = t[0];
    t[0] = (struct trap_info){ 0x42, 0, FLAT_RING1_CS, HANDLER };
    t[2] = (struct trap_info){ 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(set_traps(t, 3), -EINVAL);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_trap_table, 0x7ffffff8, 0, 0, 0, 0), -EFAULT);
    CU_ASSERT_EQUAL(memcmp(&before, &current->cpu, sizeof(before)), 0);

    /* The fast trap: int 0x80 with DPL 3 and no event mask only, once
     * there is a kernel stack. */
    t[0] = (struct trap_info){ 0x80, 3, FLAT_RING1_CS, HANDLER + 0x80 };
    t[1] = (struct trap_info){ 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(set_traps(t, 2), 0);
    CU_ASSERT_EQUAL(fake_fast_trap_cs, 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_stack_switch, FLAT_RING1_SS, KSTACK_TOP, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(fake_fast_trap_cs, FLAT_RING1_CS);
    CU_ASSERT_EQUAL(fake_fast_trap_eip, HANDLER + 0x80);
    t[0].flags = 3 | 4;
    CU_ASSERT_EQUAL(set_traps(t, 2), 0);
    CU_ASSERT_EQUAL(fake_fast_trap_cs, 0);

    /* A null table clears everything. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_trap_table, 0, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(current->cpu.trap[0x40].eip, 0);
    CU_ASSERT_EQUAL(current->cpu.trap[0x80].eip, 0);

    /* A long list continues: the first batch is kept. */
    {
        static struct trap_info many[301];

        for ( unsigned int i = 0; i < 300; i++ )
            many[i] = (struct trap_info){ (uint8_t)i, 0, FLAT_RING1_CS, HANDLER + i };
        many[300] = (struct trap_info){ 0, 0, 0, 0 };
        CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, BUF_VA, many, sizeof(many)), 0);
        eip = current->regs.eip;
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_trap_table, BUF_VA, 0, 0, 0, 0),
                        __HYPERVISOR_set_trap_table);
        CU_ASSERT_EQUAL(current->regs.eip, eip);       /* back on the int $0x82 */
        CU_ASSERT_EQUAL(current->regs.ebx, BUF_VA + 256 * 8);
        CU_ASSERT_EQUAL(current->cpu.trap[255].eip, HANDLER + 255);
    }
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

static void test_stack_switch_and_callbacks(void)
{
    struct callback_register cb = { .type = CALLBACKTYPE_event,
                                    .address = { .cs = FLAT_RING1_CS & ~3, .eip = HANDLER } };
    struct callback_unregister un = { .type = CALLBACKTYPE_nmi };
    static const struct { uint32_t ss; long rc; } ss_rules[] = {
        { FLAT_RING1_SS, 0 }, { FLAT_RING1_SS & ~3, 0 }, { 0xe010, -EINVAL },
        { FLAT_RING3_SS, -EINVAL }, { FLAT_RING1_CS, -EINVAL }, { 0, -EINVAL },
        { 0x0009, -EINVAL },            /* no guest GDT */ { 0x000d, -EINVAL } /* LDT */,
    };

    boot();
    for ( size_t i = 0; i < ARRAY_SIZE(ss_rules); i++ )
    {
        struct vcpu_cpu before = current->cpu;

        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_stack_switch, ss_rules[i].ss, KSTACK_TOP,
                                       0, 0, 0), ss_rules[i].rc);
        if ( ss_rules[i].rc )
            CU_ASSERT_EQUAL(memcmp(&before, &current->cpu, sizeof(before)), 0);
    }
    CU_ASSERT_EQUAL(current->cpu.kernel_ss, FLAT_RING1_SS);
    CU_ASSERT_EQUAL(fake_kernel_ss, FLAT_RING1_SS);
    CU_ASSERT_EQUAL(fake_kernel_sp, KSTACK_TOP);

    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &cb, sizeof(cb)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_callback_op, CALLBACKOP_register, BUF_VA, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(current->event_callback_cs, FLAT_RING1_CS);
    CU_ASSERT_EQUAL(current->event_callback_eip, HANDLER);
    for ( unsigned int type = 1; type < 9; type++ )
    {
        long want = (type == 1 || type == 3 || type == 4 || type == 5 || type == 7) ? 0 : -ENOSYS;

        cb.type = (uint16_t)type;
        cb.flags = CALLBACKF_mask_events;
        CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &cb, sizeof(cb)), 0);
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_callback_op, CALLBACKOP_register, BUF_VA,
                                       0, 0, 0), want);
    }
    CU_ASSERT_EQUAL(current->cpu.syscall32.flags, CALLBACKF_mask_events);
    cb.address.cs = 0xe008;
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &cb, sizeof(cb)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_callback_op, CALLBACKOP_register, BUF_VA, 0, 0, 0),
                    -EINVAL);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_callback_op, CALLBACKOP_register, 0x7ffffff8,
                                   0, 0, 0), -EFAULT);
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &un, sizeof(un)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_callback_op, CALLBACKOP_unregister, BUF_VA, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(current->cpu.nmi.eip, 0);
    for ( unsigned int type = 0; type < 9; type++ )
    {
        long want = type == 4 ? 0 : (type == 2 || type == 6 || type == 8) ? -ENOSYS : -EINVAL;

        un.type = (uint16_t)type;
        CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &un, sizeof(un)), 0);
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_callback_op, CALLBACKOP_unregister, BUF_VA,
                                       0, 0, 0), want);
    }
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_callback_op, CALLBACKOP_unregister, 0x7ffffff8,
                                   0, 0, 0), -EFAULT);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_callback_op, 2, BUF_VA, 0, 0, 0), -ENOSYS);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_callbacks, FLAT_RING1_CS, 1, 0xe008, 2, 0),
                    -EINVAL);
    CU_ASSERT_EQUAL(current->event_callback_eip, HANDLER);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_callbacks, FLAT_RING1_CS, 1, FLAT_RING1_CS,
                                   2, 0), 0);
    CU_ASSERT_EQUAL(current->event_callback_eip, 1);
    CU_ASSERT_EQUAL(current->cpu.failsafe.eip, 2);
}

/* ------------------------------------------------------------------------
 * Delivery.
 */

static void test_bounce_from_ring1(void)
{
    struct cpu_regs r;
    uint32_t w[4], esp;

    boot();
    std_traps();
    r = current->regs;
    esp = r.esp;
    r.eflags |= X86_EFLAGS_IF;
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_PF, 2, 0xdead000), -1);
    CU_ASSERT_EQUAL(r.eip, HANDLER + 14);
    CU_ASSERT_EQUAL(r.cs, FLAT_RING1_CS);
    CU_ASSERT_EQUAL(r.esp, esp - 16);
    read_stack(r.esp, w, 4);
    CU_ASSERT_EQUAL(w[0], 2);                               /* error code */
    CU_ASSERT_EQUAL(w[2], FLAT_RING1_CS);                   /* mask 0 in bits 16-23 */
    CU_ASSERT(w[3] & X86_EFLAGS_IF);                        /* IF = !mask */
    CU_ASSERT_EQUAL(current->vcpu_info->arch.cr2, 0xdead000);
    CU_ASSERT_EQUAL(current->vcpu_info->evtchn_upcall_mask, 1);     /* the #PF entry masks */

    /* Again, now with the mask set: it is saved and IF clear. */
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_UD, 0, 0), -1);
    read_stack(r.esp, w, 3);
    CU_ASSERT_EQUAL(w[0], HANDLER + 14);                    /* no error code for #UD */
    CU_ASSERT_EQUAL(w[1], FLAT_RING1_CS | (1u << 16));
    CU_ASSERT(!(w[2] & X86_EFLAGS_IF));
    CU_ASSERT_EQUAL(r.eip, HANDLER + 6);

    /* A fault on the handler's first instruction: the domain dies. */
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_PF, 0x10, HANDLER + 6), PVX_EXIT_CRASH);
    CU_ASSERT_PTR_NOT_NULL(strstr(fake_console, "while entering a handler (double fault)"));
}

static void test_bounce_from_ring3(void)
{
    struct cpu_regs r;
    uint32_t w[6];

    boot();
    std_traps();
    r = current->regs;
    r.cs = FLAT_RING3_CS;
    r.ss = FLAT_RING3_SS;
    r.esp = USER_ESP;
    r.eip = 0x100123;
    /* No kernel stack yet: the frame cannot be written. */
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_GP, 0, 0), PVX_EXIT_CRASH);
    CU_ASSERT_PTR_NOT_NULL(strstr(fake_console, "cannot write the exception frame"));

    boot();
    std_traps();
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_stack_switch, FLAT_RING1_SS, KSTACK_TOP, 0, 0, 0), 0);
    r = current->regs;
    r.cs = FLAT_RING3_CS;
    r.ss = FLAT_RING3_SS;
    r.esp = USER_ESP;
    r.eip = 0x100123;
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_GP, 0x18, 0), -1);
    CU_ASSERT_EQUAL(r.esp, KSTACK_TOP - 24);
    CU_ASSERT_EQUAL(r.ss, FLAT_RING1_SS);
    CU_ASSERT_EQUAL(r.cs, FLAT_RING1_CS);
    read_stack(r.esp, w, 6);
    CU_ASSERT_EQUAL(w[0], 0x18);
    CU_ASSERT_EQUAL(w[1], 0x100123);
    CU_ASSERT_EQUAL(w[2], FLAT_RING3_CS);
    CU_ASSERT_EQUAL(w[4], USER_ESP);
    CU_ASSERT_EQUAL(w[5], FLAT_RING3_SS);
    CU_ASSERT_EQUAL(current->vcpu_info->evtchn_upcall_mask, 0);    /* #GP entry: no mask */

    /* A kernel stack that is not mapped: the domain dies. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_stack_switch, FLAT_RING1_SS, 0x40000000, 0, 0, 0), 0);
    r = current->regs;
    r.cs = FLAT_RING3_CS;
    r.ss = FLAT_RING3_SS;
    r.esp = USER_ESP;
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_BP, 0, 0), PVX_EXIT_CRASH);
    CU_ASSERT_PTR_NOT_NULL(strstr(fake_console, "kernel stack e021:40000000, double fault"));
}

static void test_soft_int(void)
{
    struct cpu_regs r;
    static const uint8_t prefixed[] = { 0x3e, 0xcd, 0x40 };     /* ds: int $0x40 */

    boot();
    std_traps();
    /* int $0x40 (DPL 3) from ring 1: delivered past the instruction. */
    r = current->regs;
    CU_ASSERT_EQUAL(copy_to_guest(current, CODE_VA, prefixed, sizeof(prefixed)), 0);
    r.eip = CODE_VA;
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_GP, (0x40 << 3) | 2, 0), -1);
    CU_ASSERT_EQUAL(r.eip, HANDLER + 0x40);
    {
        uint32_t w[3];

        read_stack(r.esp, w, 3);
        CU_ASSERT_EQUAL(w[0], CODE_VA + 3);                 /* prefix counted, no error code */
    }
    /* int $0x41 (DPL 0): the guest gets the #GP. */
    r = current->regs;
    r.eip = CODE_VA;
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_GP, (0x41 << 3) | 2, 0), -1);
    CU_ASSERT_EQUAL(r.eip, HANDLER + 13);
    /* int $0x82 from ring 3 (the hypercall gate): #GP(0x412) too. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_stack_switch, FLAT_RING1_SS, KSTACK_TOP, 0, 0, 0), 0);
    r = current->regs;
    r.cs = FLAT_RING3_CS;
    r.ss = FLAT_RING3_SS;
    r.esp = USER_ESP;
    r.eip = CODE_VA + 2;
    CU_ASSERT_EQUAL(FAKE_RUN(core_hypercall(&r)), -1);
    CU_ASSERT_EQUAL(r.eip, HANDLER + 13);
    {
        uint32_t w[2];

        read_stack(r.esp, w, 2);
        CU_ASSERT_EQUAL(w[0], (0x82 << 3) | 2);
        CU_ASSERT_EQUAL(w[1], CODE_VA);
    }
}

/* ------------------------------------------------------------------------
 * The iret hypercall.
 */

static long iret(const uint32_t *frame, unsigned int n)
{
    current->regs.esp = BUF_VA;
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, frame, n * 4), 0);
    return unit_hypercall(__HYPERVISOR_iret, 0, 0, 0, 0, 0);
}

static void test_iret(void)
{
    uint32_t f[6] = { 0x1234, 0x100200, FLAT_RING1_CS, X86_EFLAGS_IF | 0x3000 | 2, 0, 0 };

    boot();
    CU_ASSERT_EQUAL(iret(f, 4), 0x1234);
    CU_ASSERT_EQUAL(current->regs.eip, 0x100200);
    CU_ASSERT_EQUAL(current->regs.esp, BUF_VA + 16);
    CU_ASSERT_EQUAL(current->regs.eflags & X86_EFLAGS_IOPL, 0);
    CU_ASSERT_EQUAL(current->vcpu_info->evtchn_upcall_mask, 0);
    f[3] = 2;
    iret(f, 4);
    CU_ASSERT_EQUAL(current->vcpu_info->evtchn_upcall_mask, 1);

    /* To ring 3: esp and ss from the frame; ring-1 data segments dropped. */
    current->regs.ds = FLAT_RING1_DS;
    current->regs.es = FLAT_RING3_DS;
    f[2] = FLAT_RING3_CS;
    f[4] = USER_ESP;
    f[5] = FLAT_RING3_SS;
    CU_ASSERT_EQUAL(iret(f, 6), 0x1234);
    CU_ASSERT_EQUAL(current->regs.cs, FLAT_RING3_CS);
    CU_ASSERT_EQUAL(current->regs.esp, USER_ESP);
    CU_ASSERT_EQUAL(current->regs.ss, FLAT_RING3_SS);
    CU_ASSERT_EQUAL(current->regs.ds, 0);
    CU_ASSERT_EQUAL(current->regs.es, FLAT_RING3_DS);

    /* Bad frames kill the domain. */
    {
        static const struct { uint32_t cs, ss; const char *why; } bad[] = {
            { 0xe008, FLAT_RING1_SS, "bad code segment" },      /* RPL 0 -> 1: DPL 0 */
            { 0xe01a, FLAT_RING1_SS, "bad code segment" },      /* RPL 2 on a DPL-1 cs */
            { FLAT_RING3_CS, FLAT_RING1_SS, "bad stack segment" },
            { FLAT_RING1_DS, FLAT_RING1_SS, "bad code segment" },
        };

        for ( size_t i = 0; i < ARRAY_SIZE(bad); i++ )
        {
            boot();
            f[2] = bad[i].cs;
            f[5] = bad[i].ss;
            current->regs.esp = BUF_VA;
            CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, f, sizeof(f)), 0);
            CU_ASSERT_EQUAL(unit_hypercall_stop(__HYPERVISOR_iret, 0, 0, 0), PVX_EXIT_CRASH);
            CU_ASSERT_PTR_NOT_NULL(strstr(fake_console, bad[i].why));
        }
        boot();
        f[2] = FLAT_RING1_CS;
        f[3] = X86_EFLAGS_VM;
        current->regs.esp = BUF_VA;
        CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, f, sizeof(f)), 0);
        CU_ASSERT_EQUAL(unit_hypercall_stop(__HYPERVISOR_iret, 0, 0, 0), PVX_EXIT_CRASH);
        boot();
        current->regs.esp = 0x7ffffff8;
        CU_ASSERT_EQUAL(unit_hypercall_stop(__HYPERVISOR_iret, 0, 0, 0), PVX_EXIT_CRASH);
        boot();
        f[2] = FLAT_RING3_CS;
        current->regs.esp = 0x3ffff0;                       /* esp/ss past the mapping */
        CU_ASSERT_EQUAL(copy_to_guest(current, 0x3ffff0, f, 16), 0);
        CU_ASSERT_EQUAL(unit_hypercall_stop(__HYPERVISOR_iret, 0, 0, 0), PVX_EXIT_CRASH);
    }
}

/* ------------------------------------------------------------------------
 * Descriptors.
 */

static uint64_t seg(uint32_t base, uint32_t limit, unsigned int type, unsigned int dpl, bool g)
{
    uint32_t lo = (limit & 0xffff) | (base << 16);
    uint32_t hi = ((base >> 16) & 0xff) | (type << 8) | (1u << 12) | (dpl << 13) | (1u << 15) |
                  (limit & 0xf0000) | (1u << 22) | (g ? 1u << 23 : 0) | (base & 0xff000000u);

    return ((uint64_t)hi << 32) | lo;
}

static uint64_t gate(uint32_t cs, uint32_t off, unsigned int type, unsigned int dpl)
{
    return ((uint64_t)((off & 0xffff0000u) | (type << 8) | (dpl << 13) | (1u << 15)) << 32) |
           (off & 0xffff) | (cs << 16);
}

static void test_desc_check(void)
{
    const struct {
        const char *what;
        uint64_t in;
        bool ok;
        uint64_t out;                   /* 0: unchanged */
    } rules[] = {
        { "null", 0, true, 0 },
        { "not present, DPL 0", seg(0, 0xfffff, 3, 0, true) & ~(1ull << 47), true, 0 },
        { "flat data DPL 3: clamped", seg(0, 0xfffff, 3, 3, true), true,
          seg(0, 0xf67ff, 3, 3, true) },
        { "flat code DPL 1: clamped", seg(0, 0xfffff, 0xb, 1, true), true,
          seg(0, 0xf67ff, 0xb, 1, true) },
        { "small data DPL 2", seg(0x1000, 0xff, 3, 2, false), true, 0 },
        { "not accessed: A set", seg(0x1000, 0xff, 2, 3, false), true, seg(0x1000, 0xff, 3, 3, false) },
        { "code DPL 0", seg(0, 0xff, 0xb, 0, false), false, 0 },
        { "base at the hypervisor", seg(0xf67ff000, 0, 3, 3, false), false, 0 },
        { "byte limit up to the hypervisor", seg(0xf6700000, 0xfffff, 3, 3, false), true, 0 },
        { "byte limit into the hypervisor", seg(0xf6700001, 0xfffff, 3, 3, false), false, 0 },
        { "wrapping page limit: clamped", seg(0x10000000, 0xfffff, 3, 3, true), true,
          seg(0x10000000, 0xe67ff, 3, 3, true) },
        { "expand-down data: clamped", seg(0x1000, 0x10, 7, 3, true), true,
          seg(0x1000, 0xffffe, 7, 3, true) },
        { "expand-down data, byte granular", seg(0x1000, 0x10, 7, 3, false), false, 0 },
        { "expand-down, already safe", seg(0xf0000000, 0xfffff, 7, 3, true), true, 0 },
        { "call gate into ring-1 code", gate(FLAT_RING1_CS, 0x1000, 0xc, 3), true, 0 },
        { "call gate, RPL 0 target: fixed", gate(0x0010, 0x1000, 0xc, 3), true,
          gate(0x0011, 0x1000, 0xc, 3) },
        { "call gate into an LDT selector", gate(0x0014, 0x1000, 0xc, 3), true,
          gate(0x0015, 0x1000, 0xc, 3) },
        { "call gate into the hypervisor", gate(0xe008, 0x1000, 0xc, 3), false, 0 },
        { "call gate DPL 0", gate(FLAT_RING1_CS, 0x1000, 0xc, 0), false, 0 },
        { "call gate reserved bits", gate(FLAT_RING1_CS, 0x1000, 0xc, 3) | (1ull << 37), false, 0 },
        { "16-bit call gate", gate(FLAT_RING1_CS, 0x1000, 0x4, 3), false, 0 },
        { "interrupt gate", gate(FLAT_RING1_CS, 0x1000, 0xe, 3), false, 0 },
        { "trap gate", gate(FLAT_RING1_CS, 0x1000, 0xf, 3), false, 0 },
        { "task gate", gate(0x40, 0, 0x5, 3), false, 0 },
        { "TSS", seg(0x1000, 0x67, 9, 3, false) & ~(1ull << 44), false, 0 },
        { "LDT", seg(0x1000, 0xfff, 2, 3, false) & ~(1ull << 44), false, 0 },
        { "system type 0, present", (1ull << 47) | (3ull << 45), false, 0 },
    };

    for ( size_t i = 0; i < ARRAY_SIZE(rules); i++ )
    {
        uint32_t lo = (uint32_t)rules[i].in, hi = (uint32_t)(rules[i].in >> 32);
        bool ok = desc_check(&lo, &hi);
        uint64_t want = rules[i].out ? rules[i].out : rules[i].in;

        if ( ok != rules[i].ok || (ok && (((uint64_t)hi << 32) | lo) != want) )
            printf("\n  desc_check %s: %d %08x%08x\n", rules[i].what, ok, hi, lo);
        CU_ASSERT_EQUAL(ok, rules[i].ok);
        if ( ok )
            CU_ASSERT_EQUAL(((uint64_t)hi << 32) | lo, want);
    }
}

static long update_desc(uint64_t pa, uint64_t d)
{
    return unit_hypercall(__HYPERVISOR_update_descriptor, (uint32_t)pa, (uint32_t)(pa >> 32),
                          (uint32_t)d, (uint32_t)(d >> 32), 0);
}

static long set_gdt(const mfn_t *frames, unsigned int nr, unsigned int ents)
{
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, frames, nr * 4), 0);
    return unit_hypercall(__HYPERVISOR_set_gdt, BUF_VA, ents, 0, 0, 0);
}

static void test_gdt(void)
{
    mfn_t g0, g1, bad, data, l3;
    uint64_t h;
    struct frame before;
    uint64_t *p;

    boot();
    g0 = p2m(FREE_PFN);
    g1 = p2m(FREE_PFN + 1);
    bad = p2m(FREE_PFN + 2);
    data = p2m(BUF_VA >> PAGE_SHIFT);
    l3 = (mfn_t)(current->cr3 >> PAGE_SHIFT);

    /* update_descriptor: rules, and refusals change nothing. */
    CU_ASSERT_EQUAL(update_desc(((uint64_t)g0 << 12) + 8, seg(0, 0xfffff, 3, 3, true)), 0);
    CU_ASSERT_EQUAL(((uint64_t *)(fake_mem + (size_t)g0 * PAGE_SIZE))[1],
                    seg(0, 0xf67ff, 3, 3, true));
    h = unit_mem_hash();
    CU_ASSERT_EQUAL(update_desc(((uint64_t)g0 << 12) + 12, seg(0, 0xfff, 3, 3, false)), -EINVAL);
    CU_ASSERT_EQUAL(update_desc(((uint64_t)g0 << 12) + 16, seg(0, 0xfff, 3, 0, false)), -EINVAL);
    CU_ASSERT_EQUAL(update_desc((uint64_t)l3 << 12, seg(0, 0xfff, 3, 3, false)), -EINVAL);
    CU_ASSERT_EQUAL(update_desc(0, seg(0, 0xfff, 3, 3, false)), -EINVAL);   /* not ours */
    CU_ASSERT_EQUAL(update_desc(1ull << 40, seg(0, 0xfff, 3, 3, false)), -EINVAL);
    CU_ASSERT_EQUAL(h, unit_mem_hash());

    /* set_gdt. */
    p = (uint64_t *)(fake_mem + (size_t)bad * PAGE_SIZE);
    p[7] = seg(0, 0xfff, 3, 0, false);
    before = *frame_of(bad);
    {
        mfn_t f[2] = { g0, bad };

        CU_ASSERT_EQUAL(set_gdt(f, 2, 1024), -EINVAL);      /* a DPL-0 entry in frame 2 */
        CU_ASSERT_EQUAL(memcmp(&before, frame_of(bad), sizeof(before)), 0);
        CU_ASSERT_EQUAL(frame_of(g0)->type_count, 0);
        f[1] = data;                                        /* mapped writable */
        CU_ASSERT_EQUAL(set_gdt(f, 2, 1024), -EINVAL);
        f[1] = 0;                                           /* not ours */
        CU_ASSERT_EQUAL(set_gdt(f, 2, 1024), -EINVAL);
        CU_ASSERT_EQUAL(frame_of(g0)->type_count, 0);
    }
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_gdt, BUF_VA, 7169, 0, 0, 0), -EINVAL);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_gdt, 0x7ffffff8, 512, 0, 0, 0), -EFAULT);
    CU_ASSERT_EQUAL(current->cpu.gdt_ents, 0);

    CU_ASSERT_EQUAL(set_gdt(&g0, 1, 16), 0);
    CU_ASSERT_EQUAL(frame_of(g0)->type, FRAME_SEG_DESC);
    CU_ASSERT_EQUAL(frame_of(g0)->type_count, 1);
    CU_ASSERT_EQUAL(fake_gdt_nr, 1);
    CU_ASSERT_EQUAL(fake_gdt_frames[0], g0);
    CU_ASSERT_EQUAL(audit_frames(), 0);
    /* Its selectors: entry 1 is a DPL 3 data segment. */
    CU_ASSERT(desc_selector_ok(current, 0x0b, SEL_DATA, 1));
    CU_ASSERT(desc_selector_ok(current, 0x0b, SEL_STACK, 3));
    CU_ASSERT(!desc_selector_ok(current, 0x0b, SEL_CODE, 3));
    CU_ASSERT(!desc_selector_ok(current, 0x13, SEL_DATA, 1));      /* zero entry */
    CU_ASSERT(!desc_selector_ok(current, 0x1003, SEL_DATA, 1));    /* past the GDT */
    CU_ASSERT(!desc_selector_ok(current, 0xe010, SEL_DATA, 1));    /* the hypervisor's */
    CU_ASSERT(desc_selector_ok(current, 0, SEL_DATA, 3));
    CU_ASSERT(!desc_selector_ok(current, 0, SEL_STACK, 1));

    /* A live descriptor frame: updates keep its type; no writable mapping. */
    CU_ASSERT_EQUAL(update_desc(((uint64_t)g0 << 12) + 16, seg(0, 0xfffff, 0xb, 1, true)), 0);
    CU_ASSERT(desc_selector_ok(current, 0x11, SEL_CODE, 1));
    CU_ASSERT_EQUAL(frame_of(g0)->type_count, 1);

    /* A new GDT replaces the old one, whose frame is released. */
    {
        mfn_t f[2] = { g1, g0 };

        CU_ASSERT_EQUAL(set_gdt(f, 2, 600), 0);
        CU_ASSERT_EQUAL(frame_of(g0)->type_count, 1);
        CU_ASSERT_EQUAL(frame_of(g1)->type_count, 1);
        CU_ASSERT_EQUAL(fake_gdt_nr, 2);
        CU_ASSERT_EQUAL(audit_frames(), 0);
    }
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_gdt, BUF_VA, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(frame_of(g0)->type_count, 0);
    CU_ASSERT_EQUAL(frame_of(g1)->type_count, 0);
    CU_ASSERT_EQUAL(audit_frames(), 0);

    /* Running on its own code segment, the guest would remove it, or the
     * GDT it is in: -EINVAL and nothing changes (Xen takes the change and
     * kills the guest on the way out; pvx used to do the same). */
    CU_ASSERT_EQUAL(set_gdt(&g0, 1, 16), 0);
    CU_ASSERT_EQUAL(update_desc(((uint64_t)g0 << 12) + 16, seg(0, 0xfffff, 0xb, 1, true)), 0);
    current->regs.cs = 0x11;
    {
        uint64_t h = unit_mem_hash();
        struct frame before = *frame_of(g0);

        CU_ASSERT_EQUAL(update_desc(((uint64_t)g0 << 12) + 16, 0), -EINVAL);
        CU_ASSERT_EQUAL(update_desc(((uint64_t)g0 << 12) + 16, seg(0, 0xfffff, 0x3, 1, true)),
                        -EINVAL);                           /* data, not code */
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_gdt, BUF_VA, 0, 0, 0, 0), -EINVAL);
        CU_ASSERT_EQUAL(unit_mem_hash(), h);
        CU_ASSERT_EQUAL(memcmp(&before, frame_of(g0), sizeof(before)), 0);
        CU_ASSERT_EQUAL(current->cpu.gdt_ents, 16);
        CU_ASSERT_EQUAL(current->domain->state, DOMAIN_RUNNING);
        /* Its neighbour is free to change. */
        CU_ASSERT_EQUAL(update_desc(((uint64_t)g0 << 12) + 8, 0), 0);
    }
    /* A data selector that no longer loads becomes null instead. */
    current->regs.fs = 0x19;                /* entry 3, RPL 1: data below */
    CU_ASSERT_EQUAL(update_desc(((uint64_t)g0 << 12) + 24, seg(0, 0xfffff, 0x3, 1, true)), 0);
    CU_ASSERT_EQUAL(current->regs.fs, 0x19);
    CU_ASSERT_EQUAL(update_desc(((uint64_t)g0 << 12) + 24, 0), 0);
    CU_ASSERT_EQUAL(current->regs.fs, 0);
    current->regs.cs = FLAT_RING1_CS;
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_gdt, BUF_VA, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* ------------------------------------------------------------------------
 * The emulator.
 */

struct emul_case {
    const char *what;
    uint8_t code[8];
    unsigned int len;
    uint32_t eax, ecx, edx;
    unsigned int vec;                   /* 13 #GP or 6 #UD as raised */
    int advance;                        /* bytes emulated, or -1: reflected */
    uint32_t want_eax;                  /* checked when advance > 0 and != ~0 */
};

static void test_emulate(void)
{
    static const struct emul_case cases[] = {
        { "mov %cr0,%eax", { 0x0f, 0x20, 0xc0 }, 3, 0, 0, 0, 13, 3, 0x80050033 },
        { "mov %cr4,%eax", { 0x0f, 0x20, 0xe0 }, 3, 0, 0, 0, 13, 3, 0x20 },
        { "mov %cr1,%eax", { 0x0f, 0x20, 0xc8 }, 3, 0, 0, 0, 13, -1, 0 },
        { "mov %eax,%cr4 (same)", { 0x0f, 0x22, 0xe0 }, 3, 0x20, 0, 0, 13, 3, 0x20 },
        { "mov %eax,%cr4 (other: dropped)", { 0x0f, 0x22, 0xe0 }, 3, 0x228, 0, 0, 13, 3, ~0u },
        { "mov %eax,%cr0 (TS)", { 0x0f, 0x22, 0xc0 }, 3, 0x8005003b, 0, 0, 13, 3, ~0u },
        { "clts", { 0x0f, 0x06 }, 2, 0, 0, 0, 13, 2, ~0u },
        { "mov %eax,%cr0 (no PG)", { 0x0f, 0x22, 0xc0 }, 3, 0x33, 0, 0, 13, -1, 0 },
        { "mov %eax,%cr2", { 0x0f, 0x22, 0xd0 }, 3, 0x5000, 0, 0, 13, 3, ~0u },
        { "mov %eax,%cr3 (data frame)", { 0x0f, 0x22, 0xd8 }, 3, 0x00500000, 0, 0, 13, -1, 0 },
        { "mov %eax,%cr5", { 0x0f, 0x22, 0xe8 }, 3, 0, 0, 0, 13, -1, 0 },
        { "mov %dr7,%eax", { 0x0f, 0x21, 0xf8 }, 3, 0, 0, 0, 13, 3, 0x400 },
        { "mov %eax,%dr0 (hypervisor)", { 0x0f, 0x23, 0xc0 }, 3, 0xf6000000, 0, 0, 13, -1, 0 },
        { "mov %eax,%dr1", { 0x0f, 0x23, 0xc8 }, 3, 0x1000, 0, 0, 13, 3, ~0u },
        { "rdmsr 0x8b", { 0x0f, 0x32 }, 2, 5, 0x8b, 7, 13, 2, 0 },
        { "rdmsr 0x10", { 0x0f, 0x32 }, 2, 5, 0x10, 7, 13, -1, 0 },
        { "wrmsr 0x8b = 0", { 0x0f, 0x30 }, 2, 0, 0x8b, 0, 13, 2, ~0u },
        { "wrmsr 0x8b = 1", { 0x0f, 0x30 }, 2, 1, 0x8b, 0, 13, -1, 0 },
        { "wbinvd", { 0x0f, 0x09 }, 2, 0, 0, 0, 13, -1, 0 },
        { "0f truncated", { 0x0f }, 1, 0, 0, 0, 13, -1, 0 },
        { "in $0x71,%al (IOPL 0)", { 0xe4, 0x71 }, 2, 0, 0, 0, 13, -1, 0 },
        { "cli (IOPL 0)", { 0xfa }, 1, 0, 0, 0, 13, -1, 0 },
        { "hlt", { 0xf4 }, 1, 0, 0, 0, 13, -1, 0 },
        { "ud2", { 0x0f, 0x0b, 0x90 }, 3, 0, 0, 0, 6, -1, 0 },
        { "fep cpuid 0x40000000", { 0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2 }, 7,
          0x40000000, 0, 0, 6, 7, 0x40000005 },
        { "fep cpuid 1", { 0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2 }, 7, 1, 0, 0, 6, 7, 0x6e8 },
        { "fep nop", { 0x0f, 0x0b, 'x', 'e', 'n', 0x90 }, 6, 0, 0, 0, 6, -1, 0 },
    };

    for ( size_t i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        const struct emul_case *c = &cases[i];
        struct cpu_regs r;
        uint8_t buf[16];

        boot();
        std_traps();
        memset(buf, 0xcc, sizeof(buf));
        memcpy(buf, c->code, c->len);
        CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, CODE_VA, buf, sizeof(buf)), 0);
        r = current->regs;
        r.eip = CODE_VA;
        r.eax = c->eax;
        r.ecx = c->ecx;
        r.edx = c->edx;
        CU_ASSERT_EQUAL(trap(&r, c->vec, 0, 0), -1);
        if ( c->advance < 0 )
        {
            if ( r.eip != HANDLER + c->vec )
                printf("\n  %s: emulated (eip %#x)\n", c->what, r.eip);
            CU_ASSERT_EQUAL(r.eip, HANDLER + c->vec);
            continue;
        }
        if ( r.eip != CODE_VA + (uint32_t)c->advance )
            printf("\n  %s: eip %#x\n", c->what, r.eip);
        CU_ASSERT_EQUAL(r.eip, CODE_VA + (uint32_t)c->advance);
        if ( c->want_eax != ~0u )
            CU_ASSERT_EQUAL(r.eax, c->want_eax);
    }

    /* TS through mov to cr0, clts and #NM. */
    boot();
    std_traps();
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_fpu_taskswitch, 1, 0, 0, 0, 0), 0);
    CU_ASSERT(fake_ts);
    {
        struct cpu_regs r = current->regs;

        CU_ASSERT_EQUAL(trap(&r, X86_EXC_NM, 0, 0), -1);
        CU_ASSERT(!fake_ts);
        CU_ASSERT(!current->cpu.ts);
        CU_ASSERT_EQUAL(r.eip, HANDLER + X86_EXC_NM);
    }
}

/*
 * vm_assist(VMASST_TYPE_architectural_iopl), as Xen 4.7's: the kernel has
 * virtual CPL 0 (its I/O and cli never fault whatever the IOPL), the iret
 * hypercall takes the IOPL from its frame, the bounce frame gives it back;
 * ring 3 still needs IOPL 3. Types pvx does not offer are -EINVAL.
 */
static void test_vm_assist_iopl(void)
{
    static const uint8_t cli[] = { 0xfa };
    uint32_t f[6] = { 0, 0x100200, FLAT_RING1_CS, X86_EFLAGS_IF | 2, 0, 0 };
    struct cpu_regs r;
    uint32_t w[4];

    boot();
    std_traps();
    CU_ASSERT_EQUAL(copy_to_guest(current, CODE_VA, cli, sizeof(cli)), 0);
    /* Without the assist: ring 1 at IOPL 0 may not cli. */
    r = current->regs;
    r.eip = CODE_VA;
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_GP, 0, 0), -1);
    CU_ASSERT_EQUAL(r.eip, HANDLER + 13);

    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_vm_assist, VMASST_CMD_enable,
                                   VMASST_TYPE_writable_pagetables, 0, 0, 0), -EINVAL);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_vm_assist, VMASST_CMD_enable, 99, 0, 0, 0), -EINVAL);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_vm_assist, 7, VMASST_TYPE_architectural_iopl, 0, 0,
                                   0), -EINVAL);
    CU_ASSERT_EQUAL(current->domain->vm_assist, 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_vm_assist, VMASST_CMD_enable,
                                   VMASST_TYPE_architectural_iopl, 0, 0, 0), 0);
    /* Now the kernel (virtual CPL 0) may, at IOPL 0. */
    r = current->regs;
    r.eip = CODE_VA;
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_GP, 0, 0), -1);
    CU_ASSERT_EQUAL(r.eip, CODE_VA + 1);

    /* The iret hypercall's frame sets the virtual IOPL; a bounce shows it. */
    f[3] |= 3u << 12;
    CU_ASSERT_EQUAL(iret(f, 4), 0);
    CU_ASSERT_EQUAL(current->cpu.iopl, 3);
    CU_ASSERT_EQUAL(current->regs.eflags & X86_EFLAGS_IOPL, 0);     /* the real one stays 0 */
    r = current->regs;
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_BP, 0, 0), -1);
    read_stack(r.esp, w, 3);
    CU_ASSERT_EQUAL(w[2] & X86_EFLAGS_IOPL, 3u << 12);
    /* Disabled again: the frame's IOPL is ignored. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_vm_assist, VMASST_CMD_disable,
                                   VMASST_TYPE_architectural_iopl, 0, 0, 0), 0);
    f[3] &= ~(3u << 12);
    CU_ASSERT_EQUAL(iret(f, 4), 0);
    CU_ASSERT_EQUAL(current->cpu.iopl, 3);
}

static void test_emulate_io_and_cr3(void)
{
    static const uint8_t io[] = { 0x66, 0xed };         /* in (%dx),%ax */
    static const uint8_t cr3[] = { 0x0f, 0x22, 0xd8 };  /* mov %eax,%cr3 */
    struct physdev_set_iopl s = { .iopl = 4 };
    struct cpu_regs r;
    uint32_t l3;

    boot();
    std_traps();
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &s, sizeof(s)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_physdev_op, PHYSDEVOP_set_iopl, BUF_VA, 0, 0, 0),
                    -EINVAL);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_physdev_op, PHYSDEVOP_set_iopl, 0x7ffffff8, 0, 0, 0),
                    -EFAULT);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_physdev_op, PHYSDEVOP_eoi, BUF_VA, 0, 0, 0), -ENOSYS);
    s.iopl = 1;
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &s, sizeof(s)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_physdev_op, PHYSDEVOP_set_iopl, BUF_VA, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(current->cpu.iopl, 1);

    CU_ASSERT_EQUAL(copy_to_guest(current, CODE_VA, io, sizeof(io)), 0);
    r = current->regs;
    r.eip = CODE_VA;
    r.eax = 0x12345678;
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_GP, 0, 0), -1);
    CU_ASSERT_EQUAL(r.eip, CODE_VA + 2);
    CU_ASSERT_EQUAL(r.eax, 0x1234ffff);

    /* mov to cr3 of the current L3: accepted, nothing changes. */
    l3 = (uint32_t)(current->cr3 >> PAGE_SHIFT);
    CU_ASSERT_EQUAL(copy_to_guest(current, CODE_VA, cr3, sizeof(cr3)), 0);
    r = current->regs;
    r.eip = CODE_VA;
    r.eax = (l3 << 12) | (l3 >> 20);
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_GP, 0, 0), -1);
    CU_ASSERT_EQUAL(r.eip, CODE_VA + 3);
    CU_ASSERT_EQUAL(current->cr3 >> PAGE_SHIFT, l3);
    CU_ASSERT_EQUAL(audit_frames(), 0);

    /* Nothing emulated from ring 3 but I/O within the IOPL. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_stack_switch, FLAT_RING1_SS, KSTACK_TOP, 0, 0, 0), 0);
    r = current->regs;
    r.cs = FLAT_RING3_CS;
    r.ss = FLAT_RING3_SS;
    r.esp = USER_ESP;
    r.eip = CODE_VA;
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_GP, 0, 0), -1);
    CU_ASSERT_EQUAL(r.eip, HANDLER + 13);
}

static void test_debugreg(void)
{
    static const struct { uint32_t reg, val; long rc; uint32_t get; } rules[] = {
        { 0, 0x1000, 0, 0x1000 }, { 3, 0xf57ffffc, 0, 0xf57ffffc }, { 2, 0xf57ffffd, -EPERM, 0 },
        { 1, 0xffffffff, -EPERM, 0 }, { 6, 0, 0, 0xffff0ff0 }, { 4, 0x1001, 0, 0xffff0ff1 },
        { 7, 0, 0, 0x400 }, { 5, 0xd800, 0, 0x400 }, { 7, 0x2000, -EPERM, 0x400 },
        { 7, 0x20002, -EPERM, 0x400 }, { 7, 0x10003, 0, 0x10403 }, { 8, 0, -EINVAL, 0 },
    };

    boot();
    for ( size_t i = 0; i < ARRAY_SIZE(rules); i++ )
    {
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_debugreg, rules[i].reg, rules[i].val,
                                       0, 0, 0), rules[i].rc);
        if ( rules[i].reg < 8 )
            CU_ASSERT_EQUAL((uint32_t)unit_hypercall(__HYPERVISOR_get_debugreg, rules[i].reg,
                                                     0, 0, 0, 0), rules[i].get);
    }
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_get_debugreg, 8, 0, 0, 0, 0), -EINVAL);
}

/* Emulate one instruction (bytes at CODE_VA) as the current vCPU's #GP(0). */
static void run_code(const uint8_t *code, unsigned int len, struct cpu_regs *r)
{
    uint8_t buf[16];

    memset(buf, 0xcc, sizeof(buf));
    memcpy(buf, code, len);
    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, CODE_VA, buf, sizeof(buf)), 0);
    *r = current->regs;
    r->eip = CODE_VA;
    CU_ASSERT_EQUAL(trap(r, X86_EXC_GP, 0, 0), -1);
}

static uint32_t get_dr(unsigned int reg)
{
    return (uint32_t)unit_hypercall(__HYPERVISOR_get_debugreg, reg, 0, 0, 0, 0);
}

static void test_debugreg_armed(void)
{
    static const uint8_t mov_cr4[] = { 0x0f, 0x22, 0xe0 }, out80[] = { 0xe6, 0x80 },
                         out84[] = { 0xe6, 0x84 }, mov_dr4[] = { 0x0f, 0x21, 0xe0 };
    struct physdev_set_iopl iopl = { .iopl = 1 };
    struct cpu_regs r;
    uint32_t frame[3];

    boot();
    std_traps();
    /* DR0-3 and DR7 go to the CPU as they are set; DR6 stays the guest's. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_debugreg, 0, 0x100000, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(fake_dr[0], 0x100000);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_debugreg, 7, 0x10003, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(fake_dr7, 0x10403);
    /* Refused: nothing reaches the CPU. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_debugreg, 7, 0x20004, 0, 0, 0), -EPERM);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_debugreg, 1, 0xf6000000, 0, 0, 0), -EPERM);
    CU_ASSERT_EQUAL(fake_dr7, 0x10403);
    CU_ASSERT_EQUAL(fake_dr[1], 0);

    /* A #DB: the CPU's DR6 becomes the guest's (merged as Xen merges it). */
    fake_dr6 = 0xffff0ff1;
    r = current->regs;
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_DB, 0, 0), -1);
    CU_ASSERT_EQUAL(r.eip, HANDLER + X86_EXC_DB);
    CU_ASSERT_EQUAL(get_dr(6), 0xffff0ff1);
    CU_ASSERT_EQUAL(fake_dr6, 0xffff0ff0);          /* taken: reset */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_debugreg, 6, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(get_dr(6), 0xffff0ff0);

    /* CR4.DE (the guest's mov to cr4): an I/O breakpoint is allowed, kept
     * out of the CPU, read back whole. */
    current->regs.eax = 0x28;
    run_code(mov_cr4, sizeof(mov_cr4), &r);
    CU_ASSERT_EQUAL(r.eip, CODE_VA + 3);
    CU_ASSERT(current->cpu.cr4_de);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_debugreg, 1, 0x80, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_debugreg, 7, 0x200004, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(get_dr(7), 0x200404);
    CU_ASSERT_EQUAL(fake_dr7, 0);                   /* nothing for the CPU */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_get_debugreg, 4, 0, 0, 0, 0), -ENODEV);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_debugreg, 5, 0, 0, 0, 0), -ENODEV);

    /* An emulated out to the port: a #DB after it, DR6.B1; another port: none. */
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &iopl, sizeof(iopl)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_physdev_op, PHYSDEVOP_set_iopl, BUF_VA, 0, 0, 0), 0);
    run_code(out84, sizeof(out84), &r);
    CU_ASSERT_EQUAL(r.eip, CODE_VA + 2);
    run_code(out80, sizeof(out80), &r);
    CU_ASSERT_EQUAL(r.eip, HANDLER + X86_EXC_DB);
    read_stack(r.esp, frame, 3);
    CU_ASSERT_EQUAL(frame[0], CODE_VA + 2);         /* a trap: after the out */
    CU_ASSERT_EQUAL(get_dr(6) & 0xf, 2);
    /* With CR4.DE, mov from DR4 is #UD. */
    run_code(mov_dr4, sizeof(mov_dr4), &r);
    CU_ASSERT_EQUAL(r.eip, HANDLER + X86_EXC_UD);
    /* CR4.DE cleared: an I/O breakpoint is refused again, the old DR7 stays. */
    current->regs.eax = 0x20;
    run_code(mov_cr4, sizeof(mov_cr4), &r);
    CU_ASSERT(!current->cpu.cr4_de);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_debugreg, 7, 0x200004, 0, 0, 0), -EPERM);
    CU_ASSERT_EQUAL(get_dr(7), 0x200404);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_debugreg, 7, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(fake_dr7, 0);
}

static long set_ldt(uint32_t va, uint32_t ents)
{
    struct mmuext_op op = { .cmd = MMUEXT_SET_LDT };

    op.arg1.linear_addr = va;
    op.arg2.nr_ents = ents;
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA + 0x800, &op, sizeof(op)), 0);
    return unit_hypercall(__HYPERVISOR_mmuext_op, BUF_VA + 0x800, 1, 0, DOMID_SELF, 0);
}

static void test_ldt(void)
{
    const uint32_t ldt_va = CODE_VA + 0x1000;   /* a mapped page: its frame holds the LDT */
    uint64_t good = seg(0, 0xfffff, 3, 3, true);
    struct cpu_regs r;
    mfn_t m;

    boot();
    std_traps();
    m = p2m(ldt_va >> PAGE_SHIFT);
    CU_ASSERT_EQUAL(copy_to_guest(current, ldt_va, &good, 8), 0);
    /* The page is mapped writable by the initial tables: no first use. */
    CU_ASSERT_EQUAL(set_ldt(ldt_va, 16), 0);
    CU_ASSERT_EQUAL(fake_ldt_ents, 16);
    CU_ASSERT(!desc_selector_ok(current, 0x07, SEL_DATA, 1));
    r = current->regs;
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_PF, 0, LDT_VIRT_START), -1);
    CU_ASSERT_EQUAL(r.eip, HANDLER + 14);                   /* #PF to the guest... */
    CU_ASSERT_EQUAL(current->vcpu_info->arch.cr2, ldt_va);  /* ...at its own address */
    read_stack(r.esp, (uint32_t *)&good, 1);
    CU_ASSERT_EQUAL((uint32_t)good, X86_PFEC_PRESENT);

    /* The same frame, now only reachable read-only: the first use types it. */
    boot();
    std_traps();
    good = seg(0, 0xfffff, 3, 3, true);
    CU_ASSERT_EQUAL(copy_to_guest(current, ldt_va, &good, 8), 0);
    {
        uint64_t pte = ((uint64_t)m << 12) | _PAGE_PRESENT | _PAGE_ACCESSED;

        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_update_va_mapping, ldt_va, (uint32_t)pte, 0,
                                       UVMF_INVLPG, 0), 0);
    }
    CU_ASSERT_EQUAL(set_ldt(ldt_va, 16), 0);
    r = current->regs;
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_PF, 0, LDT_VIRT_START + 8), -1);
    CU_ASSERT_EQUAL(r.eip, current->regs.eip);             /* retried, nothing delivered */
    CU_ASSERT_EQUAL(fake_ldt_pages[0], m);
    CU_ASSERT_EQUAL(frame_of(m)->type, FRAME_SEG_DESC);
    CU_ASSERT(desc_selector_ok(current, 0x07, SEL_DATA, 1));
    CU_ASSERT(!desc_selector_ok(current, 0x87, SEL_DATA, 1));  /* past ldt_ents */
    CU_ASSERT_EQUAL(audit_frames(), 0);
    /* A fault past the LDT's size is an ordinary #PF. */
    r = current->regs;
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_PF, 0, LDT_VIRT_START + 16 * 8), -1);
    CU_ASSERT_EQUAL(r.eip, HANDLER + 14);

    /* A new LDT drops the page; a live LDT selector in the frame is mapped
     * at once. An LDT past the mapping: #PF with error 0. */
    current->regs.fs = 0x07;
    CU_ASSERT_EQUAL(set_ldt(ldt_va, 32), 0);
    CU_ASSERT_EQUAL(fake_ldt_pages[0], m);
    CU_ASSERT_EQUAL(frame_of(m)->type_count, 1);
    current->regs.fs = 0;
    CU_ASSERT_EQUAL(set_ldt(0x3ff000, 1024), 0);
    CU_ASSERT_EQUAL(frame_of(m)->type_count, 0);
    r = current->regs;
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_PF, 0, LDT_VIRT_START + PAGE_SIZE), -1);
    CU_ASSERT_EQUAL(current->vcpu_info->arch.cr2, 0x400000);
    read_stack(r.esp, (uint32_t *)&good, 1);
    CU_ASSERT_EQUAL((uint32_t)good, 0);

    CU_ASSERT_EQUAL(set_ldt(0, 0), 0);
    CU_ASSERT_EQUAL(fake_ldt_ents, 0);
    CU_ASSERT_EQUAL(audit_frames(), 0);

    /* The whole table lies below the hypervisor, not just its first page. */
    CU_ASSERT_EQUAL(set_ldt(HYPERVISOR_VIRT_START - PAGE_SIZE, 513), -EINVAL);
    CU_ASSERT_EQUAL(set_ldt(HYPERVISOR_VIRT_START - PAGE_SIZE, 8192), -EINVAL);
    CU_ASSERT_EQUAL(fake_ldt_ents, 0);
    CU_ASSERT_EQUAL(set_ldt(HYPERVISOR_VIRT_START - PAGE_SIZE, 512), 0);
    CU_ASSERT_EQUAL(set_ldt(0, 0), 0);
}

/*
 * Validate, then perform, for the LDT: a check of a selector types and maps
 * nothing (a refused stack_switch used to leave an LDT page typed and
 * mapped); a new LDT that would take the running cs away is -EINVAL with
 * nothing changed; data selectors it takes away become null (an LDT at an
 * unmapped address with %fs in the old one crashed pvx-sim).
 */
static void test_ldt_refusals(void)
{
    const uint32_t ldt_va = CODE_VA + 0x1000;
    uint64_t descs[2] = { seg(0, 0xfffff, 0xb, 1, true), seg(0, 0xfffff, 0x3, 1, true) };
    uint64_t pte;
    mfn_t m;

    boot();
    std_traps();
    m = p2m(ldt_va >> PAGE_SHIFT);
    CU_ASSERT_EQUAL(copy_to_guest(current, ldt_va, descs, sizeof(descs)), 0);
    pte = ((uint64_t)m << 12) | _PAGE_PRESENT | _PAGE_ACCESSED;
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_update_va_mapping, ldt_va, (uint32_t)pte, 0,
                                   UVMF_INVLPG, 0), 0);
    CU_ASSERT_EQUAL(set_ldt(ldt_va, 2), 0);
    CU_ASSERT_EQUAL(frame_of(m)->type_count, 0);

    /* A pure check: entry 0 is code, no stack; nothing typed or mapped. */
    CU_ASSERT(desc_selector_ok(current, 0x05, SEL_CODE, 1));
    CU_ASSERT(!desc_selector_ok(current, 0x05, SEL_STACK, 1));
    CU_ASSERT_EQUAL(frame_of(m)->type_count, 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_stack_switch, 0x05, KSTACK_TOP, 0, 0, 0), -EINVAL);
    CU_ASSERT_EQUAL(frame_of(m)->type_count, 0);
    CU_ASSERT_EQUAL(current->cpu.ldt_mapped, 0);
    /* Entry 1 is a ring-1 stack: accepted, and mapped for the CPU. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_stack_switch, 0x0d, KSTACK_TOP, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(frame_of(m)->type, FRAME_SEG_DESC);
    CU_ASSERT_EQUAL(frame_of(m)->type_count, 1);
    CU_ASSERT_EQUAL(fake_ldt_pages[0], m);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_stack_switch, FLAT_RING1_SS, KSTACK_TOP, 0, 0, 0),
                    0);

    /* Running on the LDT's code segment: an LDT without it is refused. */
    current->regs.cs = 0x05;
    {
        struct frame before = *frame_of(m);
        uint64_t was[2], now[2];

        CU_ASSERT_EQUAL(copy_from_guest(current, was, ldt_va, sizeof(was)), 0);
        CU_ASSERT_EQUAL(set_ldt(0x7ff00000, 16), -EINVAL);  /* not mapped */
        CU_ASSERT_EQUAL(set_ldt(ldt_va, 0), -EINVAL);       /* no LDT at all */
        CU_ASSERT_EQUAL(set_ldt(ldt_va + PAGE_SIZE, 2), -EINVAL);
        CU_ASSERT_EQUAL(copy_from_guest(current, now, ldt_va, sizeof(now)), 0);
        CU_ASSERT_EQUAL(memcmp(now, was, sizeof(now)), 0);
        CU_ASSERT_EQUAL(fake_ldt_pages[0], m);
        CU_ASSERT_EQUAL(memcmp(&before, frame_of(m), sizeof(before)), 0);
        CU_ASSERT_EQUAL(current->ldt_base, ldt_va);
        CU_ASSERT_EQUAL(current->ldt_ents, 2);
        CU_ASSERT_EQUAL(fake_ldt_ents, 2);
    }
    current->regs.cs = FLAT_RING1_CS;

    /* %fs in the old LDT, a new one at an unmapped address: fs becomes null. */
    current->regs.fs = 0x0d;
    CU_ASSERT_EQUAL(set_ldt(0x7ff00000, 16), 0);
    CU_ASSERT_EQUAL(current->regs.fs, 0);
    CU_ASSERT_EQUAL(frame_of(m)->type_count, 0);
    CU_ASSERT_EQUAL(set_ldt(0, 0), 0);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/*
 * Ring 2, as on Xen: the iret hypercall may return there (esp and ss popped
 * as for ring 3), its faults go to the kernel stack like ring 3's, and its
 * int $0x82 is a #GP (the gate is DPL 1). pvx used to kill the domain for
 * the first two.
 */
static void test_ring2(void)
{
    const uint32_t r2cs = 0x12, r2ss = 0x1a;        /* GDT entries 2 and 3, RPL 2 */
    mfn_t g = p2m(FREE_PFN);
    uint32_t f[6], w[6];
    struct cpu_regs r;

    boot();
    std_traps();
    CU_ASSERT_EQUAL(update_desc(((uint64_t)g << 12) + 16, seg(0, 0xfffff, 0xb, 2, true)), 0);
    CU_ASSERT_EQUAL(update_desc(((uint64_t)g << 12) + 24, seg(0, 0xfffff, 0x3, 2, true)), 0);
    CU_ASSERT_EQUAL(set_gdt(&g, 1, 512), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_stack_switch, FLAT_RING1_SS, KSTACK_TOP, 0, 0, 0), 0);

    f[0] = 0x55; f[1] = 0x100200; f[2] = r2cs; f[3] = X86_EFLAGS_IF | 2;
    f[4] = USER_ESP; f[5] = r2ss;
    current->regs.ds = FLAT_RING1_DS;
    CU_ASSERT_EQUAL(iret(f, 6), 0x55);
    CU_ASSERT_EQUAL(current->regs.cs, r2cs);
    CU_ASSERT_EQUAL(current->regs.ss, r2ss);
    CU_ASSERT_EQUAL(current->regs.esp, USER_ESP);
    CU_ASSERT_EQUAL(current->regs.ds, 0);               /* DPL 1 data: not for ring 2 */
    CU_ASSERT_EQUAL(current->domain->state, DOMAIN_RUNNING);

    /* A fault in ring 2: on the kernel stack, with ring 2's esp and ss. */
    r = current->regs;
    r.eip = 0x100300;
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_GP, 0, 0), -1);
    CU_ASSERT_EQUAL(r.cs, FLAT_RING1_CS);
    CU_ASSERT_EQUAL(r.ss, FLAT_RING1_SS);
    CU_ASSERT_EQUAL(r.esp, KSTACK_TOP - 24);
    read_stack(r.esp, w, 6);
    CU_ASSERT_EQUAL(w[1], 0x100300);
    CU_ASSERT_EQUAL(w[2] & 0xffff, r2cs);
    CU_ASSERT_EQUAL(w[4], USER_ESP);
    CU_ASSERT_EQUAL(w[5], r2ss);

    /* int $0x82 from ring 2 (a machine that routes it to the core anyway):
     * a #GP at the int, never a hypercall. */
    current->regs.cs = r2cs;
    current->regs.ss = r2ss;
    current->regs.esp = USER_ESP;
    r = current->regs;
    r.eax = __HYPERVISOR_xen_version;
    r.ebx = XENVER_version;
    r.eip = 0x100402;
    CU_ASSERT_EQUAL(FAKE_RUN(core_hypercall(&r)), -1);
    CU_ASSERT_EQUAL(r.cs, FLAT_RING1_CS);
    CU_ASSERT_EQUAL(r.eip, HANDLER + 13);
    read_stack(r.esp, w, 2);
    CU_ASSERT_EQUAL(w[0], (0x82 << 3) | 2);
    CU_ASSERT_EQUAL(w[1], 0x100400);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

static void test_grant_setup(void)
{
    struct gnttab_setup_table op = { .dom = DOMID_SELF, .nr_frames = 2, .frame_list = BUF_VA + 64 };
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    uint32_t list[2];
    unsigned int free0;

    boot();
    free0 = frame_free_count();
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &op, sizeof(op)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_grant_table_op, GNTTABOP_setup_table, BUF_VA, 1,
                                   0, 0), 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &op, BUF_VA, sizeof(op)), 0);
    CU_ASSERT_EQUAL(op.status, GNTST_okay);
    CU_ASSERT_EQUAL(copy_from_guest(current, list, BUF_VA + 64, sizeof(list)), 0);
    CU_ASSERT_EQUAL(frame_of(list[0])->owner, 0);
    CU_ASSERT_EQUAL(frame_free_count(), free0 - 2);
    /* Again, smaller: the same frames, nothing new. */
    op.nr_frames = 1;
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &op, sizeof(op)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_grant_table_op, GNTTABOP_setup_table, BUF_VA, 1,
                                   0, 0), 0);
    CU_ASSERT_EQUAL(frame_free_count(), free0 - 2);
    /* Refusals: status codes, nothing allocated. */
    op.nr_frames = 5;
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &op, sizeof(op)), 0);
    unit_hypercall(__HYPERVISOR_grant_table_op, GNTTABOP_setup_table, BUF_VA, 1, 0, 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &op, BUF_VA, sizeof(op)), 0);
    CU_ASSERT_EQUAL(op.status, GNTST_general_error);
    op.nr_frames = 3;
    op.frame_list = 0x7ffffff0;
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &op, sizeof(op)), 0);
    unit_hypercall(__HYPERVISOR_grant_table_op, GNTTABOP_setup_table, BUF_VA, 1, 0, 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &op, BUF_VA, sizeof(op)), 0);
    CU_ASSERT_EQUAL(op.status, GNTST_bad_virt_addr);
    op.dom = 5;
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &op, sizeof(op)), 0);
    unit_hypercall(__HYPERVISOR_grant_table_op, GNTTABOP_setup_table, BUF_VA, 1, 0, 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &op, BUF_VA, sizeof(op)), 0);
    CU_ASSERT_EQUAL(op.status, GNTST_bad_domain);
    CU_ASSERT_EQUAL(frame_free_count(), free0 - 2);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_grant_table_op, GNTTABOP_setup_table, BUF_VA, 2,
                                   0, 0), -EINVAL);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_grant_table_op, GNTTABOP_setup_table, 0x7ffffff8,
                                   1, 0, 0), -EFAULT);
    CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &q, sizeof(q)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_grant_table_op, GNTTABOP_query_size, BUF_VA, 1,
                                   0, 0), 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &q, BUF_VA, sizeof(q)), 0);
    CU_ASSERT_EQUAL(q.nr_frames, 2);
    CU_ASSERT_EQUAL(q.max_nr_frames, GNTTAB_MAX_FRAMES);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_grant_table_op, GNTTABOP_query_size, BUF_VA, 2,
                                   0, 0), -EINVAL);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_grant_table_op, GNTTABOP_query_size, 0x7ffffff8,
                                   1, 0, 0), -EFAULT);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_grant_table_op, GNTTABOP_set_version, BUF_VA, 1,
                                   0, 0), -ENOSYS);
    CU_ASSERT_EQUAL(audit_frames(), 0);

    /* Outside the reservation, as on Xen: not counted in tot_pages (the
     * table once pushed a domain past max_pages), and not the guest's to
     * give back; the domain's own frames still are. */
    {
        struct domain *d = current->domain;
        struct xen_memory_reservation r = { .extent_start = BUF_VA + 64, .nr_extents = 1,
                                            .domid = DOMID_SELF };
        unsigned int tot = d->tot_pages, free1 = frame_free_count();

        CU_ASSERT(tot <= d->max_pages);
        CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA + 64, &list[0], 4), 0);
        CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &r, sizeof(r)), 0);
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_memory_op, XENMEM_decrease_reservation,
                                       BUF_VA, 0, 0, 0), 0);
        CU_ASSERT_EQUAL(frame_of(list[0])->owner, 0);
        CU_ASSERT_EQUAL(d->tot_pages, tot);
        CU_ASSERT_EQUAL(frame_free_count(), free1);
        /* Nor a page table: the hypervisor writes it behind any validation. */
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_mmuext_op, 0, 0, 0, DOMID_SELF, 0), 0);
        {
            struct mmuext_op pin = { .cmd = MMUEXT_PIN_L1_TABLE, .arg1.mfn = list[1] };

            CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &pin, sizeof(pin)), 0);
            CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_mmuext_op, BUF_VA, 1, 0, DOMID_SELF, 0),
                            -EINVAL);
        }
        CU_ASSERT_EQUAL(audit_frames(), 0);
    }
}

/*
 * Issue 11, 4a: every eip the core puts in a frame lies within the limit of
 * its cs, or the machine's ring-0 iret faults. The flat ring-1 and ring-3
 * segments end at 0xF67FFFFF.
 */
#define FLAT_LIMIT  0xf67fffffu

/* The hypervisor's reserved GDT selectors are judged without the vCPU's
 * tables (the bounce frame's fast path): the same answers as the CPU's rules
 * give for their descriptors, whatever GDT the vCPU has, and the other
 * reserved entries (ring 0, an LDT bit) still refused. */
static void test_reserved_selectors(void)
{
    mfn_t g0;

    boot();
    for ( unsigned int pass = 0; pass < 2; pass++ )
    {
        CU_ASSERT(desc_selector_ok(current, FLAT_RING1_CS, SEL_CODE, 1));
        CU_ASSERT(!desc_selector_ok(current, FLAT_RING1_CS, SEL_CODE, 3));
        CU_ASSERT(!desc_selector_ok(current, FLAT_RING1_CS, SEL_STACK, 1));
        CU_ASSERT(desc_selector_ok(current, FLAT_RING1_CS, SEL_DATA, 1));   /* readable code */
        CU_ASSERT(desc_selector_ok(current, FLAT_RING1_SS, SEL_STACK, 1));
        CU_ASSERT(!desc_selector_ok(current, FLAT_RING1_SS, SEL_STACK, 3));
        CU_ASSERT(!desc_selector_ok(current, FLAT_RING1_SS, SEL_CODE, 1));
        CU_ASSERT(desc_selector_ok(current, FLAT_RING3_CS, SEL_CODE, 3));
        CU_ASSERT(!desc_selector_ok(current, FLAT_RING3_CS, SEL_CODE, 1));
        CU_ASSERT(desc_selector_ok(current, FLAT_RING3_SS, SEL_STACK, 3));
        CU_ASSERT(!desc_selector_ok(current, FLAT_RING3_SS, SEL_STACK, 1));
        CU_ASSERT(!desc_selector_ok(current, __HYPERVISOR_CS, SEL_CODE, 0));
        CU_ASSERT(!desc_selector_ok(current, __HYPERVISOR_CS | 1, SEL_CODE, 1));
        CU_ASSERT(!desc_selector_ok(current, 0xe010, SEL_STACK, 1));
        CU_ASSERT(!desc_selector_ok(current, FLAT_RING1_CS | 4, SEL_CODE, 1)); /* an LDT's */
        CU_ASSERT(!desc_selector_ok(current, 0xfff9, SEL_CODE, 1));
        CU_ASSERT_EQUAL(desc_code_limit(current, FLAT_RING1_CS), FLAT_LIMIT);
        /* traps_bounce's constants for the flat ring-1 pair. */
        CU_ASSERT_EQUAL(desc_code_limit(current, FLAT_RING1_CS),
                        (GUEST_SEGMENT_LIMIT_PAGES << PAGE_SHIFT) | (PAGE_SIZE - 1));
        CU_ASSERT_EQUAL(desc_code_limit(current, FLAT_RING3_CS), FLAT_LIMIT);
        CU_ASSERT_EQUAL(desc_code_limit(current, FLAT_RING1_SS), 0);       /* not code */
        CU_ASSERT_EQUAL(desc_code_limit(current, __HYPERVISOR_CS), 0);
        CU_ASSERT_EQUAL(desc_code_limit(current, FLAT_RING1_CS | 4), 0);
        /* Again with a GDT of the guest's own: nothing changes. */
        if ( pass == 0 )
        {
            g0 = p2m(FREE_PFN);
            CU_ASSERT_EQUAL(set_gdt(&g0, 1, 16), 0);
        }
    }
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

static void test_eip_limit(void)
{
    uint32_t f[6] = { 0x1234, FLAT_LIMIT, FLAT_RING1_CS, X86_EFLAGS_IF | 2, USER_ESP, FLAT_RING3_SS };
    uint32_t w[4];
    mfn_t g0;
    struct cpu_regs r;

    /* iret to the last byte: fine. One further: popped, then #GP(0) there. */
    boot();
    std_traps();
    CU_ASSERT_EQUAL(iret(f, 4), 0x1234);
    CU_ASSERT_EQUAL(current->regs.eip, FLAT_LIMIT);
    f[1] = FLAT_LIMIT + 1;
    iret(f, 4);
    CU_ASSERT_EQUAL(current->regs.eip, HANDLER + X86_EXC_GP);
    read_stack(current->regs.esp, w, 4);
    CU_ASSERT_EQUAL(w[0], 0);                               /* error code */
    CU_ASSERT_EQUAL(w[1], FLAT_LIMIT + 1);
    CU_ASSERT_EQUAL(w[2] & 0xffff, FLAT_RING1_CS);
    CU_ASSERT_EQUAL(current->regs.esp, BUF_VA + 16 - 16);   /* below the popped frame */

    /* To ring 3 past its limit: the #GP comes from ring 3, on the kernel stack. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_stack_switch, FLAT_RING1_SS, KSTACK_TOP, 0, 0, 0), 0);
    f[2] = FLAT_RING3_CS;
    iret(f, 6);
    CU_ASSERT_EQUAL(current->regs.eip, HANDLER + X86_EXC_GP);
    CU_ASSERT_EQUAL(current->regs.esp, KSTACK_TOP - 24);
    read_stack(current->regs.esp, w, 3);
    CU_ASSERT_EQUAL(w[1], FLAT_LIMIT + 1);
    CU_ASSERT_EQUAL(w[2] & 0xffff, FLAT_RING3_CS);
    CU_ASSERT_EQUAL(audit_frames(), 0);

    /* A handler past the limit: the domain dies (here the initial one: the machine). */
    boot();
    {
        struct trap_info t[2] = { { 0x40, 1, FLAT_RING1_CS, FLAT_LIMIT + 1 }, { 0, 0, 0, 0 } };

        CU_ASSERT_EQUAL(set_traps(t, 2), 0);
        r = current->regs;
        CU_ASSERT_EQUAL(trap(&r, X86_EXC_GP, (0x40 << 3) | 2, 0), PVX_EXIT_CRASH);
        CU_ASSERT_PTR_NOT_NULL(strstr(fake_console, "lies past the limit of its code segment"));
    }
    /* ...and at the limit it is entered. */
    boot();
    {
        struct trap_info t[2] = { { 0x40, 1, FLAT_RING1_CS, FLAT_LIMIT }, { 0, 0, 0, 0 } };

        CU_ASSERT_EQUAL(set_traps(t, 2), 0);
        r = current->regs;
        CU_ASSERT_EQUAL(trap(&r, X86_EXC_GP, (0x40 << 3) | 2, 0), -1);
        CU_ASSERT_EQUAL(r.eip, FLAT_LIMIT);
    }

    /*
     * An emulated instruction ending at the last byte of a small code
     * segment (guest GDT entry 1: base 0, limit CODE_VA + 0xfff): the next
     * fetch is past the limit, so the guest gets #GP(0) there, as from the
     * CPU. One byte earlier, it just goes on.
     */
    boot();
    std_traps();
    g0 = p2m(FREE_PFN);
    ((uint64_t *)(fake_mem + (size_t)g0 * PAGE_SIZE))[1] = seg(0, CODE_VA >> 12, 0xb, 1, true);
    CU_ASSERT_EQUAL(set_gdt(&g0, 1, 16), 0);
    CU_ASSERT_EQUAL(desc_code_limit(current, 0x09), CODE_VA + 0xfff);
    {
        struct physdev_set_iopl s = { .iopl = 1 };
        uint8_t cli = 0xfa;

        CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &s, sizeof(s)), 0);
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_physdev_op, PHYSDEVOP_set_iopl, BUF_VA, 0, 0, 0), 0);
        CU_ASSERT_EQUAL(copy_to_guest(current, CODE_VA + 0xffe, &cli, 1), 0);
        CU_ASSERT_EQUAL(copy_to_guest(current, CODE_VA + 0xfff, &cli, 1), 0);
    }
    r = current->regs;
    r.cs = 0x09;
    r.eip = CODE_VA + 0xffe;
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_GP, 0, 0), -1);
    CU_ASSERT_EQUAL(r.eip, CODE_VA + 0xfff);                /* emulated, within the limit */
    CU_ASSERT_EQUAL(trap(&r, X86_EXC_GP, 0, 0), -1);
    CU_ASSERT_EQUAL(r.eip, HANDLER + X86_EXC_GP);           /* emulated, then #GP(0) */
    read_stack(r.esp, w, 3);
    CU_ASSERT_EQUAL(w[0], 0);
    CU_ASSERT_EQUAL(w[1], CODE_VA + 0x1000);
    CU_ASSERT_EQUAL(w[2] & 0xffff, 0x09);

    /* int 0x80's fast gate only for a handler within its segment. */
    {
        struct trap_info t[2] = { { 0x80, 3, 0x09, CODE_VA + 0x1000 }, { 0, 0, 0, 0 } };

        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_stack_switch, FLAT_RING1_SS, KSTACK_TOP, 0, 0, 0), 0);
        CU_ASSERT_EQUAL(set_traps(t, 2), 0);
        CU_ASSERT_EQUAL(fake_fast_trap_cs, 0);
        t[0].address = CODE_VA + 0xfff;
        CU_ASSERT_EQUAL(set_traps(t, 2), 0);
        CU_ASSERT_EQUAL(fake_fast_trap_cs, 0x09);
    }
    CU_ASSERT_EQUAL(desc_code_limit(current, FLAT_RING1_CS), FLAT_LIMIT);
    CU_ASSERT_EQUAL(desc_code_limit(current, FLAT_RING1_DS), 0);    /* not code */
    CU_ASSERT_EQUAL(desc_code_limit(current, 0), 0);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

void unit_register_traps(void)
{
    CU_pSuite s = CU_add_suite("traps, descriptors, emulation", NULL, NULL);

    CU_add_test(s, "set_trap_table: RPL fixup, refusals change nothing, fast trap", test_set_trap_table);
    CU_add_test(s, "stack_switch and callback_op rules", test_stack_switch_and_callbacks);
    CU_add_test(s, "LDT: checks change nothing; refused LDTs change nothing", test_ldt_refusals);
    CU_add_test(s, "ring 2: iret there, faults on the kernel stack, no hypercalls", test_ring2);
    CU_add_test(s, "vm_assist: architectural IOPL; other types refused", test_vm_assist_iopl);
    CU_add_test(s, "bounce frame from ring 1; fault entering a handler", test_bounce_from_ring1);
    CU_add_test(s, "bounce frame from ring 3 on the kernel stack", test_bounce_from_ring3);
    CU_add_test(s, "int n against the virtual DPL", test_soft_int);
    CU_add_test(s, "iret hypercall to rings 1 and 3; bad frames", test_iret);
    CU_add_test(s, "check_descriptor rules", test_desc_check);
    CU_add_test(s, "set_gdt and update_descriptor", test_gdt);
    CU_add_test(s, "decoder and emulator: CRs, DRs, MSRs, FEP cpuid, #NM", test_emulate);
    CU_add_test(s, "emulated port I/O, IOPL, mov to cr3", test_emulate_io_and_cr3);
    CU_add_test(s, "set_debugreg/get_debugreg rules", test_debugreg);
    CU_add_test(s, "debug registers armed in the CPU; DR6 from #DB; I/O breakpoints with CR4.DE",
                test_debugreg_armed);
    CU_add_test(s, "grant_table_op setup_table and query_size", test_grant_setup);
    CU_add_test(s, "LDT: validated and mapped on first use", test_ldt);
    CU_add_test(s, "an eip past the code segment's limit: #GP or death, never resumed", test_eip_limit);
    CU_add_test(s, "the reserved flat selectors judged without the vCPU's tables", test_reserved_selectors);
}
