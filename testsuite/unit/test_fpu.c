/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_fpu.c - the lazy FPU switch (core/cpu/fpu.c) on the fake machine: one FPU
 * (fake_fpu) that a "guest" may write only while TS is clear, two domains
 * taking turns. Each vCPU must find its own registers after any switch,
 * trap or hypercall, never the other's; a fresh one gets clean registers;
 * the guest's virtual TS still gives it its #NM; a dead owner's registers
 * are dropped, not saved.
 */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include <pvx/audit.h>
#include <pvx/domain.h>
#include <pvx/fpu.h>
#include <pvx/guest_access.h>
#include <pvx/sched.h>
#include <public/sched.h>
#include <public/xen.h>

#define HANDLER     0x102000u       /* in the default kernel's text */
#define TRAPS_VA    UNIT_SCRATCH_VA

static uint8_t image[1 << 20];

/* The initial domain and one unprivileged domain, both from the default kernel. */
static void boot_two(void)
{
    static char cmd[] = "kernel.elf name=u1 mem=4M";
    struct elfgen_spec s;
    struct boot_info bi;
    size_t len;

    fake_reset();
    elfgen_default(&s);
    len = elfgen_build(&s, image, sizeof(image));
    fake_boot_info(&bi, image, len, "kernel.elf", "dom0_mem=4M");
    bi.modules[1] = bi.modules[0];
    bi.modules[1].cmdline = cmd;
    bi.nr_modules = 2;
    CU_ASSERT_EQUAL_FATAL(FAKE_RUN(core_start(&bi)), -1);
    CU_ASSERT_EQUAL_FATAL(current->domain->domain_id, 0);
}

static struct vcpu *vcpu_of(unsigned int domid)
{
    struct domain *d = domain_lookup((uint16_t)domid);

    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    return &d->vcpu[0];
}

/* #NM (and every other vector) to HANDLER + vector, for the current vCPU. */
static void set_handlers(void)
{
    struct trap_info t[33];

    for ( unsigned int v = 0; v < 32; v++ )
        t[v] = (struct trap_info){ (uint8_t)v, 0, FLAT_RING1_CS, HANDLER + v };
    t[32] = (struct trap_info){ 0, 0, 0, 0 };
    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, TRAPS_VA, t, sizeof(t)), 0);
    CU_ASSERT_EQUAL_FATAL(unit_hypercall(__HYPERVISOR_set_trap_table, TRAPS_VA, 0, 0, 0, 0), 0);
}

/* The current vCPU raises an exception at its saved eip; returns the eip it
 * resumes at (the same eip: the instruction is retried). */
static uint32_t raise(uint32_t vec, uint32_t cr2)
{
    struct cpu_regs r = current->regs;

    r.entry_vector = vec;
    r.error_code = vec == X86_EXC_PF ? 2 : 0;
    CU_ASSERT_EQUAL_FATAL(FAKE_RUN(core_trap(&r, cr2)), -1);
    current->regs = r;
    return r.eip;
}

/*
 * The current vCPU executes an FPU instruction that writes pattern: if TS
 * is set it takes the #NM first (which must be the core's, retried), then
 * writes. Returns the number of #NM it took (0 or 1).
 */
static unsigned int guest_fpu_write(uint8_t pattern)
{
    uint32_t eip = current->regs.eip;
    unsigned int nm = 0;

    if ( !fake_fpu_guest_write(pattern) )
    {
        CU_ASSERT_EQUAL(raise(X86_EXC_NM, 0), eip);     /* retried, not delivered */
        nm = 1;
        CU_ASSERT_FATAL(fake_fpu_guest_write(pattern));
    }
    return nm;
}

/* The same for a read: the registers the current vCPU sees. */
static bool guest_fpu_sees(uint8_t pattern)
{
    uint32_t eip = current->regs.eip;

    if ( fake_ts )
        CU_ASSERT_EQUAL(raise(X86_EXC_NM, 0), eip);
    CU_ASSERT_FATAL(!fake_ts);
    return fake_fpu_holds(pattern);
}

static void test_fresh_vcpu_gets_clean_registers(void)
{
    boot_two();
    CU_ASSERT_PTR_NULL(fpu_owner());
    CU_ASSERT(fake_ts);                         /* nobody's registers are loaded yet */

    /* The first FPU instruction: #NM, nothing to save, clean registers. */
    CU_ASSERT_EQUAL(raise(X86_EXC_NM, 0), current->regs.eip);
    CU_ASSERT_EQUAL(fake_fpu_saves, 0);
    CU_ASSERT_EQUAL(fake_fpu_restores, 1);
    CU_ASSERT(!fake_ts);
    CU_ASSERT_PTR_EQUAL(fpu_owner(), current);
    CU_ASSERT_EQUAL(fake_fpu.fcw, FPU_FCW_INIT);
    CU_ASSERT_EQUAL(fake_fpu.mxcsr, FPU_MXCSR_INIT);
    CU_ASSERT_EQUAL(fake_fpu.ftw, 0);           /* every register empty */
    for ( unsigned int i = 0; i < 8; i++ )
        for ( unsigned int b = 0; b < 16; b++ )
            CU_ASSERT(fake_fpu.st[i][b] == 0 && fake_fpu.xmm[i][b] == 0);
    CU_ASSERT(fake_fpu.fip == 0 && fake_fpu.fdp == 0 && fake_fpu.fop == 0);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

static void test_two_domains_keep_their_own(void)
{
    struct vcpu *a, *b;

    boot_two();
    a = vcpu_of(0);
    b = vcpu_of(1);

    CU_ASSERT_EQUAL(guest_fpu_write(0x11), 1);  /* a: #NM, clean, writes */
    sched_switch_to(b);
    CU_ASSERT(fake_ts);                         /* b is not the owner */
    CU_ASSERT_EQUAL(guest_fpu_write(0x22), 1);  /* b: #NM saves a's, loads clean */
    CU_ASSERT_EQUAL(fake_fpu_saves, 1);
    CU_ASSERT(a->fpu.used && b->fpu.used);

    for ( unsigned int round = 0; round < 20; round++ )
    {
        sched_switch_to(a);
        CU_ASSERT(guest_fpu_sees(0x11));        /* never 0x22 */
        CU_ASSERT_EQUAL(guest_fpu_write(0x11), 0);
        sched_switch_to(b);
        CU_ASSERT(guest_fpu_sees(0x22));        /* never 0x11 */
    }
    /* One save and one restore per change of owner, none otherwise. */
    CU_ASSERT_EQUAL(fake_fpu_saves, 1 + 2 * 20);
    CU_ASSERT_EQUAL(fake_fpu_restores, 2 + 2 * 20);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

static void test_owner_alone_never_faults(void)
{
    struct vcpu *a, *b;
    unsigned int saves, restores;

    boot_two();
    a = vcpu_of(0);
    b = vcpu_of(1);
    CU_ASSERT_EQUAL(guest_fpu_write(0x33), 1);
    saves = fake_fpu_saves;
    restores = fake_fpu_restores;

    /* b runs without touching the FPU: a finds its registers, TS clear. */
    for ( unsigned int i = 0; i < 5; i++ )
    {
        sched_switch_to(b);
        CU_ASSERT(fake_ts);
        sched_switch_to(a);
        CU_ASSERT(!fake_ts);
        CU_ASSERT(fake_fpu_holds(0x33));
    }
    CU_ASSERT_EQUAL(fake_fpu_saves, saves);
    CU_ASSERT_EQUAL(fake_fpu_restores, restores);
}

static void test_survives_traps_and_hypercalls(void)
{
    struct vcpu *a;

    boot_two();
    a = vcpu_of(0);
    set_handlers();
    CU_ASSERT_EQUAL(guest_fpu_write(0x44), 1);

    /* A #PF and a #GP the guest handles, then hypercalls. */
    raise(X86_EXC_PF, 0x40000000);
    CU_ASSERT_EQUAL(current->regs.eip, HANDLER + X86_EXC_PF);
    CU_ASSERT_PTR_EQUAL(current, a);
    CU_ASSERT(!fake_ts);
    raise(X86_EXC_GP, 0);
    CU_ASSERT_EQUAL(current->regs.eip, HANDLER + X86_EXC_GP);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_xen_version, 0, 0, 0, 0, 0), 0x00040011);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_fpu_taskswitch, 0, 0, 0, 0, 0), 0);
    CU_ASSERT(!fake_ts);
    CU_ASSERT(fake_fpu_holds(0x44));
    CU_ASSERT_EQUAL(fake_fpu_saves, 0);
    CU_ASSERT_EQUAL(fake_fpu_restores, 1);
}

static void test_virtual_ts_is_the_guests(void)
{
    struct vcpu *a, *b;

    boot_two();
    a = vcpu_of(0);
    b = vcpu_of(1);
    set_handlers();
    CU_ASSERT_EQUAL(guest_fpu_write(0x55), 1);

    /* The owner sets its own TS: the next #NM is delivered, TS cleared,
     * its registers untouched. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_fpu_taskswitch, 1, 0, 0, 0, 0), 0);
    CU_ASSERT(fake_ts);
    CU_ASSERT(a->cpu.ts);
    CU_ASSERT_EQUAL(raise(X86_EXC_NM, 0), HANDLER + X86_EXC_NM);
    CU_ASSERT(!a->cpu.ts);
    CU_ASSERT(!fake_ts);
    CU_ASSERT(fake_fpu_holds(0x55));
    CU_ASSERT_EQUAL(fake_fpu_restores, 1);

    /* Not the owner and TS set by the guest: its registers are loaded
     * first, then the guest gets the #NM. */
    sched_switch_to(b);
    set_handlers();
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_fpu_taskswitch, 1, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(raise(X86_EXC_NM, 0), HANDLER + X86_EXC_NM);
    CU_ASSERT_PTR_EQUAL(fpu_owner(), b);
    CU_ASSERT_EQUAL(fake_fpu_saves, 1);
    CU_ASSERT(!b->cpu.ts && !fake_ts);
    CU_ASSERT_EQUAL(fake_fpu.fcw, FPU_FCW_INIT);   /* b's clean registers, not a's */

    /* The virtual TS survives a switch and comes back with the vCPU. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_fpu_taskswitch, 1, 0, 0, 0, 0), 0);
    sched_switch_to(a);
    sched_switch_to(b);
    CU_ASSERT(fake_ts);                         /* b owns the FPU, but its TS is set */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_fpu_taskswitch, 0, 0, 0, 0, 0), 0);
    CU_ASSERT(!fake_ts);
}

static void test_unexpected_nm_goes_to_the_guest(void)
{
    struct vcpu *a;

    boot_two();
    a = vcpu_of(0);
    CU_ASSERT_EQUAL(guest_fpu_write(0x66), 1);

    /* The owner with TS clear cannot take an #NM on this machine; if one
     * comes, it is the guest's, not a retry forever. No handler: it dies
     * (domain 0: the machine ends). */
    CU_ASSERT(!fake_ts);
    CU_ASSERT_PTR_EQUAL(fpu_owner(), a);
    {
        struct cpu_regs r = a->regs;

        r.entry_vector = X86_EXC_NM;
        r.error_code = 0;
        CU_ASSERT_EQUAL(FAKE_RUN(core_trap(&r, 0)), PVX_EXIT_CRASH);
    }
    CU_ASSERT_EQUAL(fake_fpu_restores, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(fake_console, "#NM 7"));
}

static void test_dead_owner_is_dropped(void)
{
    struct vcpu *a, *b;
    struct domain *d1;

    boot_two();
    a = vcpu_of(0);
    b = vcpu_of(1);
    d1 = b->domain;

    sched_switch_to(b);
    CU_ASSERT_EQUAL(guest_fpu_write(0x77), 1);
    CU_ASSERT_PTR_EQUAL(fpu_owner(), b);

    /* Domain 1 crashes; the scheduler runs domain 0 and reaps it. */
    domain_crash(d1, "test");
    CU_ASSERT_EQUAL(FAKE_RUN(schedule()), -1);
    CU_ASSERT_PTR_EQUAL(current, a);
    CU_ASSERT_EQUAL(d1->state, DOMAIN_FREE);
    CU_ASSERT_PTR_NULL(fpu_owner());
    CU_ASSERT(!b->fpu.used);

    /* a's first FPU instruction: nothing saved for the dead, clean registers. */
    CU_ASSERT_EQUAL(guest_fpu_write(0x11), 1);
    CU_ASSERT_EQUAL(fake_fpu_saves, 0);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

void unit_register_fpu(void)
{
    CU_pSuite s = CU_add_suite("FPU state per vCPU (lazy, CR0.TS)", NULL, NULL);

    CU_add_test(s, "a fresh vCPU gets clean registers, no save", test_fresh_vcpu_gets_clean_registers);
    CU_add_test(s, "two domains alternate: each finds its own", test_two_domains_keep_their_own);
    CU_add_test(s, "the owner alone: no #NM, no save, across switches", test_owner_alone_never_faults);
    CU_add_test(s, "registers survive traps and hypercalls", test_survives_traps_and_hypercalls);
    CU_add_test(s, "the guest's virtual TS: its #NM, after the switch", test_virtual_ts_is_the_guests);
    CU_add_test(s, "an #NM with TS clear is the guest's", test_unexpected_nm_goes_to_the_guest);
    CU_add_test(s, "a dead owner's registers are dropped", test_dead_owner_is_dropped);
}
