/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vcpu.c - a domain's further vCPUs: how many it has, and vcpu_op's life
 * cycle of each (VCPUOP_initialise, up, down, is_up), as Xen has them.
 *
 * vCPU 0 is the builder's: it starts initialised and up. Any other starts
 * with nothing: VCPUOP_initialise gives it a whole context once (registers,
 * trap table, callbacks, kernel stack, GDT, LDT, page tables, debug and FPU
 * registers), VCPUOP_up lets it run, VCPUOP_down stops it again. All of a
 * domain's vCPUs share the one physical CPU: the scheduler switches between
 * them as between domains, each with its own page tables, GDT and FPU state.
 *
 * Where pvx is stricter than Xen, it says so at the check: VCPUOP_up
 * refuses a vCPU whose cs, ss or kernel stack would not load (Xen lets it
 * fault into its failsafe callback), and every gate of the context is
 * checked as set_trap_table checks it.
 */
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/fpu.h>
#include <pvx/guest_access.h>
#include <pvx/layout.h>
#include <pvx/lib.h>
#include <pvx/machine.h>
#include <pvx/mm.h>
#include <pvx/sched.h>
#include <pvx/time.h>
#include <pvx/traps.h>
#include <public/callback.h>
#include <public/vcpu.h>
#include <public/xen.h>

int domain_set_vcpus(struct domain *d, unsigned int n)
{
    if ( n < 1 || n > MAX_VIRT_CPUS )
        return -EINVAL;
    ASSERT(!d->vcpu[0].sched.registered);   /* before the domain runs */
    d->nr_vcpus = n;
    return 0;
}

/* ------------------------------------------------------------------------
 * VCPUOP_initialise.
 */

/* Everything of the context that can be judged by itself (Xen's
 * arch_set_info_guest checks, and set_trap_table's, set_debugreg's). */
static int vcpu_context_check(const struct vcpu *t, const struct vcpu_guest_context *c)
{
    int rc = -EINVAL;

    if ( (c->ldt_base & (PAGE_SIZE - 1)) || c->ldt_ents > 8192 ||
         (uint64_t)c->ldt_base + (uint64_t)c->ldt_ents * 8 > HYPERVISOR_VIRT_START )
        goto out;
    if ( c->gdt_ents > FIRST_RESERVED_GDT_ENTRY )
        goto out;
    for ( unsigned int i = 0; i < 8; i++ )
    {
        unsigned int reg = i;
        uint32_t value = c->debugreg[i];

        if ( i == 4 || i == 5 )
            continue;                   /* aliases of 6 and 7: not taken from a context */
        if ( emulate_debugreg_check(t, &reg, &value) )
            goto out;
    }
    rc = traps_context_check(c);

 out:
    return rc;
}

/* The context's registers become t's frame (Xen's fixups: a kernel
 * selector of RPL 0 runs in ring 1, IOPL is virtual, IF is set). */
static void vcpu_context_regs(struct vcpu *t, const struct vcpu_guest_context *c)
{
    const struct cpu_user_regs *u = &c->user_regs;
    struct cpu_regs *r = vcpu_regs(t);

    *r = (struct cpu_regs){
        .ebx = u->ebx, .ecx = u->ecx, .edx = u->edx, .esi = u->esi, .edi = u->edi,
        .ebp = u->ebp, .eax = u->eax,
        .eip = u->eip, .cs = traps_fixup_selector(u->cs), .eflags = u->eflags,
        .esp = u->esp, .ss = traps_fixup_selector(u->ss),
        .ds = u->ds, .es = u->es, .fs = u->fs, .gs = u->gs,
    };
    t->cpu.iopl = (u->eflags & X86_EFLAGS_IOPL) >> 12;
    regs_sanitize_eflags(r);
}

static long vcpu_initialise(struct vcpu *v, struct vcpu *t, gva_t arg)
{
    struct vcpu_guest_context *c = &machine.vcpu_ctx_scratch;
    mfn_t gdt[GDT_GUEST_FRAMES];
    long rc;

    if ( t->initialised )
        return -EEXIST;
    if ( copy_from_guest(v, c, arg, sizeof(*c)) )
        return -EFAULT;
    rc = vcpu_context_check(t, c);
    if ( rc )
        goto out;

    /* The two things that take references: the GDT's frames, then the
     * page tables. A failure of the second gives the first back. */
    for ( unsigned int i = 0; i < GDT_GUEST_FRAMES; i++ )
        gdt[i] = c->gdt_frames[i];
    rc = desc_gdt_take(t->domain, gdt, c->gdt_ents);
    if ( rc )
        goto out;
    rc = mm_new_baseptr(t, xen_cr3_to_pfn(c->ctrlreg[3]));
    if ( rc )
    {
        desc_gdt_put(gdt, c->gdt_ents);
        rc = -EINVAL;
        goto out;
    }

    /* Nothing below can fail. */
    desc_gdt_install(t, gdt, c->gdt_ents);
    t->ldt_base = c->ldt_ents ? c->ldt_base : 0;
    t->ldt_ents = c->ldt_ents;
    traps_context_install(t, c);
    for ( unsigned int i = 0; i < 8; i++ )
    {
        unsigned int reg = i;
        uint32_t value = c->debugreg[i];

        if ( i != 4 && i != 5 && !emulate_debugreg_check(t, &reg, &value) )
            t->cpu.debugreg[reg] = value;
    }
    if ( c->flags & VGCF_i387_valid )
        fpu_vcpu_set_state(t, c->fpu_ctxt.x);
    vcpu_context_regs(t, c);
    t->initialised = true;

 out:
    return rc;
}

/* The toolstack's setvcpucontext: VCPUOP_initialise's checks and effects,
 * the context read from the caller's memory. */
long vcpu_set_context(struct vcpu *v, struct vcpu *t, gva_t arg)
{
    return vcpu_initialise(v, t, arg);
}

/* getvcpucontext: what VCPUOP_initialise would need to give t again (the
 * FPU image is not included: VGCF_i387_valid clear). */
void vcpu_get_context(struct vcpu *t, struct vcpu_guest_context *c)
{
    const struct cpu_regs *r = vcpu_regs(t);
    mfn_t l3 = (mfn_t)(t->cr3 >> PAGE_SHIFT);

    memset(c, 0, sizeof(*c));
    c->flags = (t->up ? VGCF_online : 0) | ((r->cs & 3) != 3 ? VGCF_in_kernel : 0) |
               (t->cpu.failsafe.flags & CALLBACKF_mask_events ? VGCF_failsafe_disables_events : 0);
    c->user_regs = (struct cpu_user_regs){
        .ebx = r->ebx, .ecx = r->ecx, .edx = r->edx, .esi = r->esi, .edi = r->edi,
        .ebp = r->ebp, .eax = r->eax, .eip = r->eip, .cs = (uint16_t)r->cs,
        .eflags = r->eflags, .esp = r->esp, .ss = (uint16_t)r->ss, .es = (uint16_t)r->es,
        .ds = (uint16_t)r->ds, .fs = (uint16_t)r->fs, .gs = (uint16_t)r->gs,
    };
    for ( unsigned int i = 0; i < NR_VECTORS; i++ )
    {
        c->trap_ctxt[i].vector = (uint8_t)i;
        c->trap_ctxt[i].flags = t->cpu.trap[i].flags;
        c->trap_ctxt[i].cs = t->cpu.trap[i].cs;
        c->trap_ctxt[i].address = t->cpu.trap[i].eip;
    }
    c->ldt_base = t->ldt_base;
    c->ldt_ents = t->ldt_ents;
    for ( unsigned int i = 0; i < GDT_GUEST_FRAMES; i++ )
        c->gdt_frames[i] = t->cpu.gdt_frames[i];
    c->gdt_ents = t->cpu.gdt_ents;
    c->kernel_ss = t->cpu.kernel_ss;
    c->kernel_sp = t->cpu.kernel_sp;
    c->ctrlreg[0] = t->cpu.ts ? 0x8u : 0;   /* CR0.TS */
    c->ctrlreg[2] = t->cpu.cr2;
    c->ctrlreg[3] = t->cr3 ? xen_pfn_to_cr3(l3) : 0;
    for ( unsigned int i = 0; i < 8; i++ )
        c->debugreg[i] = t->cpu.debugreg[i];
    c->event_callback_cs = t->event_callback_cs;
    c->event_callback_eip = t->event_callback_eip;
    c->failsafe_callback_cs = t->cpu.failsafe.cs;
    c->failsafe_callback_eip = t->cpu.failsafe.eip;
    c->vm_assist = t->domain->vm_assist;
}

/* ------------------------------------------------------------------------
 * Up and down.
 */

static long vcpu_up(struct vcpu *t)
{
    long rc = -EINVAL;

    if ( !t->initialised )
        goto out;
    rc = 0;
    if ( t->up )
        goto out;
    /* pvx only: a vCPU whose first instruction could not be loaded. */
    rc = desc_vcpu_ready(t);
    if ( rc )
        goto out;
    t->up = true;
    sched_vcpu_up(t);

 out:
    return rc;
}

/* As Xen: the last vCPU of a domain to go down powers the domain off. */
static long vcpu_down(struct vcpu *t)
{
    struct domain *d = t->domain;
    unsigned int others = 0;

    if ( !t->up )
        return 0;
    for ( unsigned int i = 0; i < d->nr_vcpus; i++ )
        others += &d->vcpu[i] != t && d->vcpu[i].up;
    if ( !others )
    {
        domain_shutdown(d, SHUTDOWN_poweroff);
        return 0;
    }
    t->up = false;
    sched_vcpu_down(t);
    return 0;
}

long do_vcpu_op(struct vcpu *v, uint32_t cmd, uint32_t vcpuid, uint32_t arg,
                uint32_t a4 __unused, uint32_t a5 __unused)
{
    struct domain *d = v->domain;
    struct vcpu *t;

    if ( vcpuid >= d->nr_vcpus )
        return -ENOENT;
    t = &d->vcpu[vcpuid];

    switch ( cmd )
    {
    case VCPUOP_initialise:
        return vcpu_initialise(v, t, arg);
    case VCPUOP_up:
        return vcpu_up(t);
    case VCPUOP_down:
        return vcpu_down(t);
    case VCPUOP_is_up:
        return t->up;
    default:
        return time_vcpu_op(v, t, cmd, arg);
    }
}
