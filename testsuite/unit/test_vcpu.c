/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_vcpu.c - a domain's second vCPU (domain/vcpu.c): how many a domain
 * has, VCPUOP_initialise's checks (each refusal changes nothing), up, down
 * and is_up, the scheduler running both, and a descriptor change that would
 * break the other vCPU's code segment.
 */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include <pvx/audit.h>
#include <pvx/domain.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/layout.h>
#include <pvx/mm.h>
#include <pvx/traps.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <public/xen.h>

#define CTX_VA      0x380000u       /* mapped, unused: the context */
#define BUF_VA      0x382000u       /* mapped, unused: other arguments */
#define FREE_PFN    0x500u          /* the domain's, not mapped */
#define V1_EIP      0x101000u
#define V1_ESP      0x3f0000u

static struct start_info si;
static struct vcpu_guest_context ctx;

static struct vcpu *boot(const char *hv_cmdline)
{
    struct elfgen_spec s;

    elfgen_default(&s);
    CU_ASSERT_EQUAL_FATAL(unit_boot(&s, "kernel.elf", hv_cmdline), -1);
    CU_ASSERT_EQUAL_FATAL(copy_from_guest(current, &si, current->regs.esi, sizeof(si)), 0);
    return current;
}

static mfn_t p2m(uint32_t pfn)
{
    uint32_t m = 0;

    CU_ASSERT_EQUAL(copy_from_guest(current, &m, si.mfn_list + pfn * 4, 4), 0);
    return m;
}

/* A frame as the refusal check compares it: a type nobody holds (count 0)
 * and the flush stamp are no state. */
static bool frame_same(const struct frame *a, const struct frame *b)
{
    return a->owner == b->owner && a->ref_count == b->ref_count &&
           a->type_count == b->type_count && a->flags == b->flags &&
           (!a->type_count || a->type == b->type);
}

static long vcpu_op(uint32_t cmd, uint32_t id, uint32_t arg)
{
    return unit_hypercall(__HYPERVISOR_vcpu_op, cmd, id, arg, 0, 0);
}

/* A context vCPU 1 can run with: the flat ring-1 segments, vCPU 0's page
 * tables, a trap and both callbacks, FPU registers. */
static void good_context(struct vcpu *v0)
{
    memset(&ctx, 0, sizeof(ctx));
    ctx.flags = VGCF_in_kernel | VGCF_i387_valid | VGCF_failsafe_disables_events;
    ctx.user_regs = (struct cpu_user_regs){
        .eip = V1_EIP, .cs = FLAT_RING1_CS & ~3, .esp = V1_ESP, .ss = FLAT_RING1_SS,
        .ds = FLAT_RING1_DS, .es = FLAT_RING1_DS, .eax = 0x1234,
        .eflags = X86_EFLAGS_IOPL | 0x2,        /* IOPL 3, IF clear */
    };
    ctx.trap_ctxt[14] = (struct trap_info){ 14, 4, FLAT_RING1_CS & ~3, 0x102000 };
    ctx.event_callback_cs = FLAT_RING1_CS;
    ctx.event_callback_eip = 0x102100;
    ctx.failsafe_callback_cs = FLAT_RING1_CS;
    ctx.failsafe_callback_eip = 0x102200;
    ctx.kernel_ss = FLAT_RING1_SS;
    ctx.kernel_sp = 0x3e0000;
    ctx.ctrlreg[3] = xen_pfn_to_cr3((uint32_t)(v0->cr3 >> PAGE_SHIFT));
    ctx.debugreg[0] = 0x100000;
    ctx.debugreg[7] = 0x1;                      /* L0, execute */
    ((uint16_t *)ctx.fpu_ctxt.x)[0] = 0x037f;   /* fcw */
    ((uint32_t *)ctx.fpu_ctxt.x)[6] = 0xffff1f80u;  /* mxcsr with bits no CPU takes */
}

static long initialise(void)
{
    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, CTX_VA, &ctx, sizeof(ctx)), 0);
    return vcpu_op(VCPUOP_initialise, 1, CTX_VA);
}

static void test_count(void)
{
    struct vcpu *v0 = boot("dom0_mem=8M");

    CU_ASSERT_EQUAL(v0->domain->nr_vcpus, 1);
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_is_up, 0, 0), 1);
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_is_up, 1, 0), -ENOENT);
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_initialise, 1, CTX_VA), -ENOENT);
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_up, 0xffffffffu, 0), -ENOENT);

    v0 = boot("dom0_mem=8M dom0_max_vcpus=2");
    CU_ASSERT_EQUAL(v0->domain->nr_vcpus, 2);
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_is_up, 0, 0), 1);
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_is_up, 1, 0), 0);
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_is_up, 2, 0), -ENOENT);
    CU_ASSERT_EQUAL(v0->domain->vcpu[1].sched.runstate, RUNSTATE_offline);

    /* More than there are, or none: the command line is refused. */
    {
        struct elfgen_spec s;

        elfgen_default(&s);
        CU_ASSERT_EQUAL(unit_boot(&s, "kernel.elf", "dom0_max_vcpus=3"), PVX_EXIT_PANIC);
        CU_ASSERT_PTR_NOT_NULL(strstr(fake_console, "is not a number of vCPUs"));
        CU_ASSERT_EQUAL(unit_boot(&s, "kernel.elf", "dom0_max_vcpus=0"), PVX_EXIT_PANIC);
        CU_ASSERT_EQUAL(unit_boot(&s, "kernel.elf", "dom0_max_vcpus=x"), PVX_EXIT_PANIC);
    }
}

/* Rule i of VCPUOP_initialise broken in a good context; its name, or NULL
 * past the last. */
static const char *spoil(unsigned int i)
{
    switch ( i )
    {
    case 0: ctx.ldt_base = 0x100800; ctx.ldt_ents = 1; return "LDT not page aligned";
    case 1: ctx.ldt_ents = 8193; return "LDT of 8193 entries";
    case 2:
        ctx.ldt_base = HYPERVISOR_VIRT_START - PAGE_SIZE;
        ctx.ldt_ents = 513;
        return "LDT reaching the hypervisor";
    case 3: ctx.gdt_ents = FIRST_RESERVED_GDT_ENTRY + 1; return "GDT into the reserved entries";
    case 4: ctx.debugreg[0] = HYPERVISOR_VIRT_START; return "DR0 on the hypervisor";
    case 5: ctx.debugreg[7] = 0x2000; return "DR7.GD";
    case 6: ctx.debugreg[7] = 0x20001; return "an I/O breakpoint";
    case 7:
        ctx.trap_ctxt[3] = (struct trap_info){ 3, 3, 0xe008, 0x102000 };
        return "a trap gate on the hypervisor's cs";
    case 8: ctx.event_callback_cs = 0xe008; return "event callback on the hypervisor's cs";
    case 9: ctx.failsafe_callback_cs = 0xe010; return "failsafe callback on the hypervisor's cs";
    case 10: ctx.ctrlreg[3] = 0; return "no page tables";
    case 11:
        ctx.ctrlreg[3] = xen_pfn_to_cr3(frame_max_mfn() + 5);
        return "page tables past the machine";
    case 12:
        ctx.ctrlreg[3] = xen_pfn_to_cr3(p2m(BUF_VA >> PAGE_SHIFT));
        return "page tables that are a mapped data page";
    case 13:
        ctx.gdt_frames[0] = p2m(BUF_VA >> PAGE_SHIFT);
        ctx.gdt_ents = 16;
        return "a GDT frame mapped writable";
    case 14:
        /* A good GDT frame, then bad page tables: the frame is given back. */
        ctx.gdt_frames[0] = p2m(FREE_PFN);
        ctx.gdt_ents = 16;
        ctx.ctrlreg[3] = 0;
        return "a good GDT frame, then no page tables";
    default:
        return NULL;
    }
}

static void test_initialise_refused(void)
{
    struct vcpu *v0 = boot("dom0_mem=8M dom0_max_vcpus=2"), *v1 = &v0->domain->vcpu[1];
    mfn_t l3 = (mfn_t)(v0->cr3 >> PAGE_SHIFT), gf = p2m(FREE_PFN);
    static struct vcpu before;
    struct frame l3_before, g_before;
    const char *what;
    uint64_t h;

    before = *v1;
    l3_before = *frame_of(l3);
    g_before = *frame_of(gf);
    for ( unsigned int i = 0; (good_context(v0), what = spoil(i)) != NULL; i++ )
    {
        long rc = initialise();

        if ( rc != -EINVAL )
            printf("\n  %s: %ld\n", what, rc);
        CU_ASSERT_EQUAL(rc, -EINVAL);
        /* Nothing changed: the vCPU, the frames it would have taken. */
        CU_ASSERT_EQUAL(memcmp(&before, v1, sizeof(before)), 0);
        CU_ASSERT(frame_same(&l3_before, frame_of(l3)));
        CU_ASSERT(frame_same(&g_before, frame_of(gf)));
    }
    /* An argument that cannot be read: nothing in memory changed either. */
    h = unit_mem_hash();
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_initialise, 1, HYPERVISOR_VIRT_START), -EFAULT);
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_initialise, 1, 0x7ffffff0), -EFAULT);
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_up, 1, 0), -EINVAL);         /* not initialised */
    CU_ASSERT_EQUAL(unit_mem_hash(), h);
    CU_ASSERT_EQUAL(memcmp(&before, v1, sizeof(before)), 0);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

static void test_initialise(void)
{
    struct vcpu *v0 = boot("dom0_mem=8M dom0_max_vcpus=2"), *v1 = &v0->domain->vcpu[1];
    mfn_t l3 = (mfn_t)(v0->cr3 >> PAGE_SHIFT);
    unsigned int l3_types = frame_of(l3)->type_count;
    static struct vcpu before;

    good_context(v0);
    CU_ASSERT_EQUAL(initialise(), 0);
    CU_ASSERT(v1->initialised);
    CU_ASSERT(!v1->up);
    /* The registers, with Xen's fixups: RPL 1, IF set, IOPL virtual. */
    CU_ASSERT_EQUAL(v1->regs.eip, V1_EIP);
    CU_ASSERT_EQUAL(v1->regs.cs, FLAT_RING1_CS);
    CU_ASSERT_EQUAL(v1->regs.eax, 0x1234);
    CU_ASSERT_EQUAL(v1->regs.eflags & (X86_EFLAGS_IF | X86_EFLAGS_IOPL), X86_EFLAGS_IF);
    CU_ASSERT_EQUAL(v1->cpu.iopl, 3);
    /* Traps, callbacks, stack, debug and FPU registers, page tables. */
    CU_ASSERT_EQUAL(v1->cpu.trap[14].eip, 0x102000);
    CU_ASSERT_EQUAL(v1->cpu.trap[14].cs, FLAT_RING1_CS);
    CU_ASSERT_EQUAL(v1->cpu.trap[14].flags, 4);
    CU_ASSERT_EQUAL(v1->cpu.trap[3].eip, 0);
    CU_ASSERT_EQUAL(v1->event_callback_eip, 0x102100);
    CU_ASSERT_EQUAL(v1->cpu.failsafe.eip, 0x102200);
    CU_ASSERT_NOT_EQUAL(v1->cpu.failsafe.flags, 0);         /* masks events */
    CU_ASSERT_EQUAL(v1->cpu.kernel_ss, FLAT_RING1_SS);
    CU_ASSERT_EQUAL(v1->cpu.kernel_sp, 0x3e0000);
    CU_ASSERT_EQUAL(v1->cpu.debugreg[0], 0x100000);
    CU_ASSERT_EQUAL(v1->cpu.debugreg[7] & 0xff, 1);
    CU_ASSERT(v1->fpu.used);
    CU_ASSERT_EQUAL(v1->fpu.state.mxcsr, 0x1f80);           /* cut to the bits CPUs take */
    CU_ASSERT_EQUAL(v1->cr3, v0->cr3);
    CU_ASSERT_EQUAL(frame_of(l3)->type_count, l3_types + 1);
    CU_ASSERT_EQUAL(audit_frames(), 0);
    /* vCPU 0 is unchanged, and nothing more flushed than its own loads. */
    CU_ASSERT_EQUAL(current, v0);

    /* Once only: -EEXIST, nothing changed (Xen's is_initialised). */
    before = *v1;
    ctx.user_regs.eip = 0x555;
    CU_ASSERT_EQUAL(initialise(), -EEXIST);
    CU_ASSERT_EQUAL(memcmp(&before, v1, sizeof(before)), 0);
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_initialise, 0, CTX_VA), -EEXIST);

    /* A context of zeroes but its page tables (XTF's xsa-296): accepted;
     * its cs cannot load, so it cannot come up (pvx's rule; Xen would let
     * it fault into nothing). */
    v0 = boot("dom0_mem=8M dom0_max_vcpus=2");
    v1 = &v0->domain->vcpu[1];
    memset(&ctx, 0, sizeof(ctx));
    ctx.flags = VGCF_in_kernel;
    ctx.ctrlreg[3] = xen_pfn_to_cr3((uint32_t)(v0->cr3 >> PAGE_SHIFT));
    CU_ASSERT_EQUAL(initialise(), 0);
    CU_ASSERT_EQUAL(v1->event_callback_cs, 0);              /* eip 0: no callback */
    CU_ASSERT_EQUAL(v1->cpu.kernel_ss, 0);
    before = *v1;
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_up, 1, 0), -EINVAL);
    CU_ASSERT_EQUAL(memcmp(&before, v1, sizeof(before)), 0);
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_is_up, 1, 0), 0);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

static void test_up_down(void)
{
    struct vcpu *v0 = boot("dom0_mem=8M dom0_max_vcpus=2"), *v1 = &v0->domain->vcpu[1];
    struct vcpu_runstate_info rs;

    good_context(v0);
    CU_ASSERT_EQUAL(initialise(), 0);
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_up, 1, 0), 0);
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_up, 1, 0), 0);           /* up already: nothing to do */
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_is_up, 1, 0), 1);
    CU_ASSERT(v1->sched.registered);
    CU_ASSERT_EQUAL(v1->sched.runstate, RUNSTATE_runnable);

    /* Each vCPU's breakpoints are in the CPU while it runs. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_debugreg, 1, 0x200000, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_debugreg, 7, 0x1d0004, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(fake_dr7, 0x1d0404);

    /* vCPU 0 yields: vCPU 1 runs, on its own PDPT, where its context said. */
    /* The frame the entry returns is vCPU 1's (eax from its context);
     * vCPU 0's call returned 0 into its own. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0), 0x1234);
    CU_ASSERT_EQUAL_FATAL(current, v1);
    CU_ASSERT_EQUAL(v0->regs.eax, 0);
    CU_ASSERT_EQUAL(fake_cr3, mm_vcpu_pdpt(v1));
    CU_ASSERT_NOT_EQUAL(mm_vcpu_pdpt(v1), mm_vcpu_pdpt(v0));
    CU_ASSERT_EQUAL(v1->regs.eip, V1_EIP);
    CU_ASSERT_EQUAL(fake_kernel_sp, 0x3e0000);
    CU_ASSERT_EQUAL(fake_dr7, 0x401);                       /* its context's DR7 */
    CU_ASSERT_EQUAL(fake_dr[0], 0x100000);

    /* Its runstate, asked by itself; then it takes itself down: vCPU 0 runs. */
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_get_runstate_info, 1, BUF_VA), 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &rs, BUF_VA, sizeof(rs)), 0);
    CU_ASSERT_EQUAL(rs.state, RUNSTATE_running);
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_down, 1, 0), 0);
    CU_ASSERT_EQUAL_FATAL(current, v0);
    CU_ASSERT_EQUAL(fake_dr7, 0x1d0404);                    /* vCPU 0's again */
    CU_ASSERT_EQUAL(fake_dr[1], 0x200000);
    CU_ASSERT_EQUAL(v1->sched.runstate, RUNSTATE_offline);
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_is_up, 1, 0), 0);
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_down, 1, 0), 0);         /* down already */
    /* vCPU 0 yields: nobody else to run. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(current, v0);

    /* Up again, and down from vCPU 0 while it waits to run. */
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_up, 1, 0), 0);
    CU_ASSERT_EQUAL(v1->sched.runstate, RUNSTATE_runnable);
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_down, 1, 0), 0);
    CU_ASSERT_EQUAL(v1->sched.runstate, RUNSTATE_offline);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(current, v0);
    CU_ASSERT_EQUAL(audit_frames(), 0);

    /* The last vCPU up going down powers the domain off, as on Xen (the
     * initial domain's poweroff ends the machine). */
    CU_ASSERT_EQUAL(unit_hypercall_stop(__HYPERVISOR_vcpu_op, VCPUOP_down, 0, 0),
                    PVX_EXIT_POWEROFF);
}

/* A descriptor both vCPUs' GDTs hold: vCPU 0 may not remove vCPU 1's code
 * segment while vCPU 1 is up; once it is down, it may. */
static void test_shared_descriptor(void)
{
    struct vcpu *v0 = boot("dom0_mem=8M dom0_max_vcpus=2"), *v1 = &v0->domain->vcpu[1];
    mfn_t g = p2m(FREE_PFN);
    uint64_t code = 0x00cfbb000000ffffull;  /* base 0, 4G, code, DPL 1, present */
    uint64_t pa = ((uint64_t)g << PAGE_SHIFT) + 16, h;

    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, BUF_VA, &g, 4), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_update_descriptor, (uint32_t)pa, 0,
                                   (uint32_t)code, (uint32_t)(code >> 32), 0), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_set_gdt, BUF_VA, 16, 0, 0, 0), 0);

    good_context(v0);
    ctx.gdt_frames[0] = g;
    ctx.gdt_ents = 16;
    ctx.user_regs.cs = 0x11;                /* entry 2 */
    CU_ASSERT_EQUAL(initialise(), 0);
    CU_ASSERT_EQUAL(frame_of(g)->type_count, 2);
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_up, 1, 0), 0);

    h = unit_mem_hash();
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_update_descriptor, (uint32_t)pa, 0, 0, 0, 0),
                    -EINVAL);
    CU_ASSERT_EQUAL(unit_mem_hash(), h);
    /* Another entry is free to change. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_update_descriptor, (uint32_t)pa + 8, 0,
                                   (uint32_t)code, (uint32_t)(code >> 32), 0), 0);
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_down, 1, 0), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_update_descriptor, (uint32_t)pa, 0, 0, 0, 0), 0);
    /* Now vCPU 1 cannot come up: its cs no longer loads. */
    CU_ASSERT_EQUAL(vcpu_op(VCPUOP_up, 1, 0), -EINVAL);
    CU_ASSERT_EQUAL(audit_frames(), 0);
    (void)v1;
}

void unit_register_vcpu(void)
{
    CU_pSuite s = CU_add_suite("vcpu", NULL, NULL);

    CU_add_test(s, "vCPUs a domain has: dom0_max_vcpus, -ENOENT past them", test_count);
    CU_add_test(s, "VCPUOP_initialise: every rule refused alone changes nothing",
                test_initialise_refused);
    CU_add_test(s, "VCPUOP_initialise: the context as Xen takes it, once", test_initialise);
    CU_add_test(s, "VCPUOP_up, down, is_up: the scheduler runs both", test_up_down);
    CU_add_test(s, "a descriptor the other vCPU runs on cannot go", test_shared_descriptor);
}
