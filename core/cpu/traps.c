/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * traps.c - the guest's virtual IDT (paper §2.1.2): exceptions and software
 * interrupts are reflected to handlers the guest registered with
 * set_trap_table, through a bounce frame on its kernel stack, as Xen x86_32
 * builds it; the iret hypercall takes such a frame back down.
 *
 * Every entry into the hypervisor from a guest exception comes through
 * core_trap(): #GP may be a software interrupt the guest's table allows (the
 * machines' IDT gates are DPL 0, so `int n` arrives as #GP((n << 3) | 2)) or
 * a privileged instruction the hypervisor emulates (emulate.c); #UD may be
 * the forced-emulation prefix. Anything else goes to the guest's handler, or
 * the domain dies alone when it has none or its frame cannot be written.
 */
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/fpu.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/layout.h>
#include <pvx/lib.h>
#include <pvx/machine.h>
#include <pvx/sched.h>
#include <pvx/traps.h>
#include <public/callback.h>
#include <public/xen.h>

#define TRAP_FLAG_DPL   3u
#define TRAP_FLAG_MASK  4u              /* mask events on entry (TI_SET_IF) */
#define FAST_TRAP_VECTOR 0x80

/* Entries one set_trap_table call reads before it continues later. */
#define TRAP_TABLE_BATCH NR_VECTORS

const char *trap_name(unsigned int vector)
{
    static const char *const names[X86_NR_EXCEPTIONS] = {
        [X86_EXC_DE] = "#DE", [X86_EXC_DB] = "#DB", [X86_EXC_NMI] = "NMI",
        [X86_EXC_BP] = "#BP", [X86_EXC_OF] = "#OF", [X86_EXC_BR] = "#BR",
        [X86_EXC_UD] = "#UD", [X86_EXC_NM] = "#NM", [X86_EXC_DF] = "#DF",
        [X86_EXC_TS] = "#TS", [X86_EXC_NP] = "#NP", [X86_EXC_SS] = "#SS",
        [X86_EXC_GP] = "#GP", [X86_EXC_PF] = "#PF", [X86_EXC_MF] = "#MF",
        [X86_EXC_AC] = "#AC", [X86_EXC_MC] = "#MC", [X86_EXC_XM] = "#XM",
    };

    if ( vector < X86_NR_EXCEPTIONS && names[vector] )
        return names[vector];
    return "int";
}

/* Exceptions for which the CPU pushes an error code. */
static bool vector_has_error(unsigned int vector)
{
    switch ( vector )
    {
    case X86_EXC_DF: case X86_EXC_TS: case X86_EXC_NP: case X86_EXC_SS:
    case X86_EXC_GP: case X86_EXC_PF: case X86_EXC_AC:
        return true;
    default:
        return false;
    }
}

/*
 * A handler selector a guest may register: one of its own GDT or LDT
 * entries, or the flat ring-1 code segment; never another of the
 * hypervisor's (Xen's guest_gate_selector_okay). RPL already fixed up.
 */
bool traps_gate_selector_ok(uint32_t cs)
{
    return (cs >> 3) < FIRST_RESERVED_GDT_ENTRY || cs == FLAT_RING1_CS || (cs & 4);
}

/* ------------------------------------------------------------------------
 * The bounce frame.
 */

int traps_bounce(struct vcpu *v, uint32_t cs, uint32_t eip, bool has_error,
                 uint32_t error_code, bool mask_events)
{
    struct cpu_regs *r = vcpu_regs(v);
    struct vcpu_info *vi = v->vcpu_info;
    bool from_user;
    uint8_t mask = vi->evtchn_upcall_mask;
    uint32_t frame[7], n = 0, ss, esp;

    /* Rings 2 and 3 switch to the kernel stack, as on Xen (x86_32 tested
     * the RPL's bit 1): only a ring-1 activation goes on on its own. */
    from_user = (r->cs & 3) != 1;

    cs = traps_fixup_selector(cs & 0xffff);
    if ( from_user )
    {
        ss = v->cpu.kernel_ss;
        esp = v->cpu.kernel_sp;
    }
    else
    {
        ss = r->ss & 0xffff;
        esp = r->esp;
    }
    /* The handler runs in ring 1 on a ring-1 stack, or not at all. The
     * hypervisor's flat ring-1 pair (nearly every bounce) reads the same in
     * every vCPU's tables: a ring-1 code segment up to the guests' limit and
     * a ring-1 stack (test_reserved_selectors holds the general path to it). */
    if ( cs == FLAT_RING1_CS && ss == FLAT_RING1_SS )
    {
        if ( eip > ((GUEST_SEGMENT_LIMIT_PAGES << PAGE_SHIFT) | (PAGE_SIZE - 1)) )
            return -EINVAL;
    }
    else
    {
        if ( !desc_selector_ok(v, cs, SEL_CODE, 1) || !desc_selector_ok(v, ss, SEL_STACK, 1) )
            return -EFAULT;
        /* Past the limit the machine's iret into it would fault in ring 0. */
        if ( eip > desc_code_limit(v, cs) )
            return -EINVAL;
    }

    if ( has_error )
        frame[n++] = error_code;
    frame[n++] = r->eip;
    frame[n++] = (r->cs & 0xffff) | ((uint32_t)mask << 16);
    frame[n++] = (r->eflags & ~(X86_EFLAGS_IF | X86_EFLAGS_IOPL)) | (mask ? 0 : X86_EFLAGS_IF) |
                 (VM_ASSIST(v->domain, VMASST_TYPE_architectural_iopl) ? v->cpu.iopl << 12 : 0);
    if ( from_user )
    {
        frame[n++] = r->esp;
        frame[n++] = r->ss & 0xffff;
    }
    esp -= n * 4;
    if ( copy_to_guest(v, esp, frame, n * 4) )
        return -EFAULT;

    /* Written: now enter the handler. */
    desc_selector_map(v, cs);
    desc_selector_map(v, ss);
    if ( mask_events )
        vi->evtchn_upcall_mask = 1;
    r->ss = ss;
    r->esp = esp;
    r->cs = cs;
    r->eip = eip;
    r->eflags &= ~(X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_VM | X86_EFLAGS_RF);
    v->cpu.bounce_cs = cs;
    v->cpu.bounce_eip = eip;
    v->cpu.bounce_esp = esp;
    return 0;
}

/*
 * A page fault fetching the first instruction of the handler we just
 * entered, with nothing pushed since: the handler is not there. Reflecting
 * it again would only loop until the stack ran out.
 */
static bool faulted_entering_handler(struct vcpu *v, unsigned int vector)
{
    const struct cpu_regs *r = vcpu_regs(v);

    return vector == X86_EXC_PF && v->cpu.bounce_eip && r->eip == v->cpu.bounce_eip &&
           v->cpu.cr2 - r->eip < 16 && (r->cs & 0xffff) == v->cpu.bounce_cs &&
           r->esp == v->cpu.bounce_esp;
}

/* Bounce vector to the guest's handler, or kill the domain. */
static void deliver(struct vcpu *v, unsigned int vector, bool has_error, uint32_t error_code)
{
    const struct virt_trap *t = &v->cpu.trap[vector];
    struct cpu_regs *r = vcpu_regs(v);
    int rc;

    if ( !t->eip )
    {
        if ( vector == X86_EXC_PF )
            domain_crash(v->domain, "%s (error %#x, cr2 %#x) at %04x:%08x with no handler registered",
                         trap_name(vector), error_code, v->cpu.cr2, r->cs & 0xffff, r->eip);
        else
            domain_crash(v->domain, "%s %u (error %#x) at %04x:%08x with no handler registered",
                         trap_name(vector), vector, error_code, r->cs & 0xffff, r->eip);
        return;
    }
    if ( faulted_entering_handler(v, vector) )
    {
        domain_crash(v->domain, "%s %u at %04x:%08x while entering a handler (double fault)",
                     trap_name(vector), vector, r->cs & 0xffff, r->eip);
        return;
    }
    rc = traps_bounce(v, t->cs, t->eip, has_error, error_code, t->flags & TRAP_FLAG_MASK);
    if ( rc == -EINVAL )
        domain_crash(v->domain, "%s %u at %04x:%08x: its handler %04x:%08x lies past the "
                     "limit of its code segment", trap_name(vector), vector, r->cs & 0xffff,
                     r->eip, t->cs, t->eip);
    else if ( rc )
        domain_crash(v->domain, "%s %u at %04x:%08x: cannot write the exception frame "
                     "(kernel stack %04x:%08x, double fault)", trap_name(vector), vector,
                     r->cs & 0xffff, r->eip,
                     (r->cs & 3) != 1 ? v->cpu.kernel_ss : r->ss & 0xffff,
                     (r->cs & 3) != 1 ? v->cpu.kernel_sp : r->esp);
}

/*
 * The machines resume a frame with a ring-0 iret, which faults - in ring 0,
 * a hypervisor panic - on an eip past the limit of cs. Where the core moved
 * eip itself (past an emulated instruction, the iret hypercall), such a
 * frame becomes what the CPU makes of it: #GP(0) at that eip, the guest's.
 */
static void check_resume_eip(struct vcpu *v)
{
    struct cpu_regs *r = vcpu_regs(v);

    if ( v->domain->state != DOMAIN_RUNNING || r->eip <= desc_code_limit(v, r->cs) )
        return;
    r->entry_vector = X86_EXC_GP;
    r->error_code = 0;
    deliver(v, X86_EXC_GP, true, 0);
}

void traps_deliver(struct vcpu *v, uint32_t cr2)
{
    unsigned int vector;

    vector = vcpu_regs(v)->entry_vector;

    if ( vector == X86_EXC_PF )
    {
        v->cpu.cr2 = cr2;
        v->vcpu_info->arch.cr2 = cr2;
    }
    deliver(v, vector, vector_has_error(vector), vcpu_regs(v)->error_code);
}

/*
 * #GP((n << 3) | 2): the guest ran `int n` through one of the machine's
 * DPL-0 gates. Its own table decides: an entry whose DPL admits the caller's
 * ring gets the interrupt, with eip past the instruction and no error code.
 */
static bool soft_int(struct vcpu *v)
{
    struct cpu_regs *r = vcpu_regs(v);
    unsigned int vector = (r->error_code >> 3) & 0xff;
    const struct virt_trap *t = &v->cpu.trap[vector];
    unsigned int cpl = r->cs & 3;

    if ( !t->eip || (t->flags & TRAP_FLAG_DPL) < cpl )
        return false;
    r->eip += emulate_int_length(v, vector);
    deliver(v, vector, false, 0);
    return true;
}

#define DR6_DEFAULT_BITS 0xffff0ff0u    /* DR6 with no hit */

/* Dispatch one guest exception already saved in the vCPU's frame. */
void traps_handle(struct vcpu *v, uint32_t cr2)
{
    struct cpu_regs *r = vcpu_regs(v);

    switch ( r->entry_vector )
    {
    case X86_EXC_GP:
        if ( (r->error_code & 7) == 2 && soft_int(v) )
            return;
        if ( r->error_code == 0 && emulate_privileged(v) )
        {
            check_resume_eip(v);
            if ( !v->cpu.dr6_pending )
                return;
            /* It hit an I/O breakpoint: a #DB trap, after it. */
            emulate_debug_trap(v, DR6_DEFAULT_BITS | v->cpu.dr6_pending);
            v->cpu.dr6_pending = 0;
            r->entry_vector = X86_EXC_DB;
            r->error_code = 0;
        }
        break;
    case X86_EXC_DB:
        /* What the CPU's DR6 says (a breakpoint, a single step; nothing
         * for an icebp) becomes the guest's DR6. */
        emulate_debug_trap(v, arch_take_dr6());
        break;
    case X86_EXC_UD:
        if ( emulate_forced(v) )
        {
            check_resume_eip(v);
            return;
        }
        break;
    case X86_EXC_PF:
        /* The CPU's first use of a page of the guest's LDT. */
        if ( desc_ldt_fault(v, cr2) )
            return;
        break;
    case X86_EXC_NM:
        /* The lazy FPU switch; the guest gets the #NM when its own TS was set. */
        if ( fpu_device_not_available(v) )
            return;
        break;
    default:
        break;
    }
    traps_deliver(v, cr2);
}

void core_trap(struct cpu_regs *regs, uint32_t cr2)
{
    struct vcpu *v = current;

    vcpu_regs_enter(v, regs);
    traps_handle(v, cr2);
    sched_after_entry();
    regs_copy(regs, vcpu_regs(current));
    regs_sanitize_eflags(regs);
}

/* The machine met a state of this vCPU it cannot run: the domain dies alone. */
void core_vcpu_unrunnable(struct cpu_regs *regs, const char *why)
{
    struct vcpu *v = current;

    vcpu_regs_enter(v, regs);
    domain_crash(v->domain, "the machine cannot run it at %04x:%08x: %s", vcpu_regs(v)->cs & 0xffff,
                 vcpu_regs(v)->eip, why);
    sched_after_entry();
    regs_copy(regs, vcpu_regs(current));
    regs_sanitize_eflags(regs);
}

/* core_timer_interrupt is in time.c (issue 5): timers, then the scheduler. */

/* ------------------------------------------------------------------------
 * The iret hypercall: the stub pushed eax; below it the guest's frame
 * eip, cs, eflags and, for a return to ring 3, esp and ss.
 */

long do_iret(struct vcpu *v, uint32_t a1 __unused, uint32_t a2 __unused, uint32_t a3 __unused,
             uint32_t a4 __unused, uint32_t a5 __unused)
{
    struct cpu_regs *r = vcpu_regs(v);
    uint32_t f[6], cs, ss, esp, ring;
    uint32_t *data[4] = { &r->ds, &r->es, &r->fs, &r->gs };
    const char *why;

    why = "frame not readable";
    if ( copy_from_guest(v, f, r->esp, 4 * sizeof(uint32_t)) )
        goto crash;
    cs = traps_fixup_selector(f[2] & 0xffff);
    ring = cs & 3;
    /* An outer ring (2 or 3, as on Xen) pops its stack too. */
    if ( ring != 1 )
    {
        why = "frame not readable";
        if ( copy_from_guest(v, &f[4], r->esp + 16, 2 * sizeof(uint32_t)) )
            goto crash;
        esp = f[4];
        ss = f[5] & 0xffff;
    }
    else
    {
        esp = r->esp + 16;
        ss = r->ss & 0xffff;
    }
    why = "virtual-8086 mode";
    if ( f[3] & X86_EFLAGS_VM )
        goto crash;
    why = "bad code segment";
    if ( !desc_selector_ok(v, cs, SEL_CODE, ring) )
        goto crash;
    why = "bad stack segment";
    if ( !desc_selector_ok(v, ss, SEL_STACK, ring) )
        goto crash;

    r->eax = f[0];
    r->eip = f[1];
    r->cs = cs;
    r->eflags = (f[3] & ~X86_EFLAGS_IOPL) | X86_EFLAGS_IF | X86_EFLAGS_MBS;
    /* Xen's architectural IOPL: the frame's IOPL becomes the virtual one. */
    if ( VM_ASSIST(v->domain, VMASST_TYPE_architectural_iopl) )
        v->cpu.iopl = (f[3] & X86_EFLAGS_IOPL) >> 12;
    r->esp = esp;
    r->ss = ss;
    /* What the CPU's iret to an outer ring does: data segments the new
     * ring may not use become null. */
    for ( unsigned int i = 0; ring != 1 && i < ARRAY_SIZE(data); i++ )
        if ( !desc_selector_ok(v, *data[i], SEL_DATA, ring) )
            *data[i] = 0;
    /* The machine loads them all on the way out. */
    desc_selector_map(v, cs);
    desc_selector_map(v, ss);
    for ( unsigned int i = 0; i < ARRAY_SIZE(data); i++ )
        desc_selector_map(v, *data[i]);
    v->vcpu_info->evtchn_upcall_mask = !(f[3] & X86_EFLAGS_IF);
    /* Done as Xen does it: the frame is popped, then its fault is the guest's. */
    check_resume_eip(v);
    return (long)(int32_t)r->eax;

 crash:
    domain_crash(v->domain, "iret hypercall: %s (esp %#x)", why, r->esp);
    return 0;
}

/* ------------------------------------------------------------------------
 * Registration.
 */

/* int 0x80 straight from ring 3 to the guest, as Xen's "fast trap": only for
 * an entry ring 3 may use, that keeps events as they are, in a GDT code
 * segment whose limit covers it, and with a kernel stack to switch to (else
 * the CPU's #TS or #GP would differ from what the core gives without it). */
static bool fast_trap_ok(struct vcpu *v, const struct virt_trap *t)
{
    return t->eip && t->eip < HYPERVISOR_VIRT_START && (t->flags & TRAP_FLAG_DPL) == 3 &&
           !(t->flags & TRAP_FLAG_MASK) && traps_gate_selector_ok(t->cs) &&
           desc_selector_ok(v, v->cpu.kernel_ss, SEL_STACK, 1) &&
           !(t->cs & 4) && desc_selector_ok(v, t->cs, SEL_CODE, 1) &&
           t->eip <= desc_code_limit(v, t->cs);
}

static void fast_trap_update(struct vcpu *v)
{
    const struct virt_trap *t = &v->cpu.trap[FAST_TRAP_VECTOR];

    v->cpu.fast_trap = fast_trap_ok(v, t);
    if ( v != current )
        return;
    if ( v->cpu.fast_trap )
        arch_set_fast_trap(FAST_TRAP_VECTOR, t->cs, t->eip);
    else
        arch_set_fast_trap(FAST_TRAP_VECTOR, 0, 0);
}

/*
 * Each call is all or nothing: the entries it reads are built into a copy and
 * committed only when every one was good, so -EINVAL and -EFAULT change
 * nothing. A list longer than the 256 vectors (it must repeat some) continues
 * every 256 entries; what a finished call committed stays, as on Xen, where
 * every entry takes effect as it is read.
 */
long do_set_trap_table(struct vcpu *v, uint32_t traps, uint32_t a2 __unused,
                       uint32_t a3 __unused, uint32_t a4 __unused, uint32_t a5 __unused)
{
    /* The table being built (2 KiB is much for a hypervisor stack). */
    struct virt_trap *table = machine.trap_table_scratch;
    struct trap_info ti;
    unsigned int n;

    if ( !traps )
    {
        memset(v->cpu.trap, 0, sizeof(v->cpu.trap));
        fast_trap_update(v);
        return 0;
    }

    memcpy(table, v->cpu.trap, sizeof(machine.trap_table_scratch));
    for ( n = 0; ; n++ )
    {
        uint32_t cs;

        if ( n == TRAP_TABLE_BATCH )
        {
            /* A long list (more entries than vectors, so it repeats some):
             * this call's entries were all good; commit them and continue
             * with the rest in a fresh call, as Xen does. */
            memcpy(v->cpu.trap, table, sizeof(machine.trap_table_scratch));
            fast_trap_update(v);
            return hypercall_create_continuation(v, __HYPERVISOR_set_trap_table, 1,
                                                 traps + n * (uint32_t)sizeof(ti));
        }
        if ( copy_from_guest(v, &ti, traps + n * (uint32_t)sizeof(ti), sizeof(ti)) )
            return -EFAULT;
        if ( ti.address == 0 )
            break;                      /* the end of the list */
        cs = traps_fixup_selector(ti.cs);
        if ( !traps_gate_selector_ok(cs) )
            return -EINVAL;
        table[ti.vector].eip = ti.address;
        table[ti.vector].cs = (uint16_t)cs;
        table[ti.vector].flags = ti.flags & (TRAP_FLAG_DPL | TRAP_FLAG_MASK);
    }
    memcpy(v->cpu.trap, table, sizeof(machine.trap_table_scratch));
    fast_trap_update(v);
    return 0;
}

long do_stack_switch(struct vcpu *v, uint32_t ss, uint32_t esp, uint32_t a3 __unused,
                     uint32_t a4 __unused, uint32_t a5 __unused)
{
    ss = traps_fixup_selector(ss & 0xffff);
    /* The CPU would load it as the ring-1 stack of every ring-3 trap. */
    if ( !desc_selector_ok(v, ss, SEL_STACK, 1) )
        return -EINVAL;
    desc_selector_map(v, ss);           /* the CPU loads it on a ring-3 trap */
    v->cpu.kernel_ss = ss;
    v->cpu.kernel_sp = esp;
    if ( v == current )
        arch_set_kernel_stack(ss, esp);
    fast_trap_update(v);
    return 0;
}

static int callback_register(struct vcpu *v, const struct callback_register *cb)
{
    uint32_t cs = traps_fixup_selector(cb->address.cs & 0xffff);
    struct virt_callback *slot;

    if ( !traps_gate_selector_ok(cs) )
        return -EINVAL;
    switch ( cb->type )
    {
    case CALLBACKTYPE_event:
        v->event_callback_cs = cs;
        v->event_callback_eip = cb->address.eip;
        return 0;
    case CALLBACKTYPE_failsafe:
        slot = &v->cpu.failsafe;
        break;
    case CALLBACKTYPE_syscall32:
        slot = &v->cpu.syscall32;
        break;
    case CALLBACKTYPE_sysenter:
    case CALLBACKTYPE_sysenter_deprecated:
        slot = &v->cpu.sysenter;
        break;
    case CALLBACKTYPE_nmi:
        slot = &v->cpu.nmi;
        break;
    default:
        return -ENOSYS;                 /* syscall: x86_64 guests only */
    }
    slot->cs = (uint16_t)cs;
    slot->eip = cb->address.eip;
    slot->flags = cb->flags & CALLBACKF_mask_events;
    return 0;
}

/* ------------------------------------------------------------------------
 * A whole context (VCPUOP_initialise, domain/vcpu.c): the trap table, the
 * callbacks and the kernel stack, checked as the calls that set them one by
 * one check them, then set together.
 */

/* A gate in a context: none (eip 0), or a selector set_trap_table and
 * set_callbacks would take. */
static bool context_gate_ok(uint32_t cs, uint32_t eip)
{
    return !eip || traps_gate_selector_ok(traps_fixup_selector(cs & 0xffff));
}

int traps_context_check(const struct vcpu_guest_context *c)
{
    for ( unsigned int i = 0; i < ARRAY_SIZE(c->trap_ctxt); i++ )
        if ( !context_gate_ok(c->trap_ctxt[i].cs, c->trap_ctxt[i].address) )
            return -EINVAL;
    if ( !context_gate_ok(c->event_callback_cs, c->event_callback_eip) ||
         !context_gate_ok(c->failsafe_callback_cs, c->failsafe_callback_eip) )
        return -EINVAL;
    return 0;
}

void traps_context_install(struct vcpu *v, const struct vcpu_guest_context *c)
{
    const struct callback_register ev = {
        .type = CALLBACKTYPE_event,
        .address = { .cs = c->event_callback_cs, .eip = c->event_callback_eip },
    }, fs = {
        .type = CALLBACKTYPE_failsafe,
        .flags = c->flags & VGCF_failsafe_disables_events ? CALLBACKF_mask_events : 0,
        .address = { .cs = c->failsafe_callback_cs, .eip = c->failsafe_callback_eip },
    };

    /* The context's table is indexed by vector (its vector fields unused). */
    for ( unsigned int i = 0; i < NR_VECTORS; i++ )
    {
        const struct trap_info *ti = &c->trap_ctxt[i];

        v->cpu.trap[i] = (struct virt_trap){ 0 };
        if ( !ti->address )
            continue;
        v->cpu.trap[i].eip = ti->address;
        v->cpu.trap[i].cs = (uint16_t)traps_fixup_selector(ti->cs);
        v->cpu.trap[i].flags = ti->flags & (TRAP_FLAG_DPL | TRAP_FLAG_MASK);
    }
    /* An eip of 0 is no callback (the cs alone would register one). */
    if ( ev.address.eip )
        BUG_ON(callback_register(v, &ev));
    if ( fs.address.eip )
        BUG_ON(callback_register(v, &fs));
    /* Checked when the vCPU comes up (desc_vcpu_ready): its GDT decides. */
    v->cpu.kernel_ss = c->kernel_ss & 0xfffc ? traps_fixup_selector(c->kernel_ss & 0xffff) : 0;
    v->cpu.kernel_sp = c->kernel_sp;
    if ( v == current )
        arch_set_kernel_stack(v->cpu.kernel_ss, v->cpu.kernel_sp);
    fast_trap_update(v);
}

long do_callback_op(struct vcpu *v, uint32_t cmd, uint32_t arg, uint32_t a3 __unused,
                    uint32_t a4 __unused, uint32_t a5 __unused)
{
    switch ( cmd )
    {
    case CALLBACKOP_register:
    {
        struct callback_register cb;

        if ( copy_from_guest(v, &cb, arg, sizeof(cb)) )
            return -EFAULT;
        return callback_register(v, &cb);
    }
    case CALLBACKOP_unregister:
    {
        struct callback_unregister cb;

        if ( copy_from_guest(v, &cb, arg, sizeof(cb)) )
            return -EFAULT;
        switch ( cb.type )
        {
        case CALLBACKTYPE_nmi:
            memset(&v->cpu.nmi, 0, sizeof(v->cpu.nmi));
            return 0;
        case CALLBACKTYPE_event:
        case CALLBACKTYPE_failsafe:
        case CALLBACKTYPE_syscall32:
        case CALLBACKTYPE_sysenter:
        case CALLBACKTYPE_sysenter_deprecated:
            return -EINVAL;             /* as Xen: these cannot be taken back */
        default:
            return -ENOSYS;
        }
    }
    default:
        return -ENOSYS;
    }
}

long do_set_callbacks(struct vcpu *v, uint32_t event_cs, uint32_t event_eip,
                      uint32_t failsafe_cs, uint32_t failsafe_eip, uint32_t a5 __unused)
{
    struct callback_register ev = {
        .type = CALLBACKTYPE_event, .address = { .cs = event_cs, .eip = event_eip },
    };
    struct callback_register fs = {
        .type = CALLBACKTYPE_failsafe, .address = { .cs = failsafe_cs, .eip = failsafe_eip },
    };

    /* Both checked before either is set. */
    if ( !traps_gate_selector_ok(traps_fixup_selector(event_cs & 0xffff)) ||
         !traps_gate_selector_ok(traps_fixup_selector(failsafe_cs & 0xffff)) )
        return -EINVAL;
    callback_register(v, &ev);
    callback_register(v, &fs);
    return 0;
}

/* ------------------------------------------------------------------------
 * The machine follows the running vCPU.
 */

void traps_load_vcpu(struct vcpu *v)
{
    arch_set_kernel_stack(v->cpu.kernel_ss, v->cpu.kernel_sp);
    fast_trap_update(v);
    fpu_load_vcpu(v);
    desc_load_gdt(v);
    desc_load_ldt(v);
    emulate_load_debugregs(v);
}

void traps_destroy_vcpu(struct vcpu *v)
{
    desc_destroy_gdt(v);
    desc_release_ldt(v);
    fpu_destroy_vcpu(v);
}
