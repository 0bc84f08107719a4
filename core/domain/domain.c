/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * domain.c - creating domains, and how they end.
 */
#include <pvx/arch.h>
#include <pvx/audit.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/event.h>
#include <pvx/fault.h>
#include <pvx/frame.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/traps.h>
#include <public/vcpu.h>
#include <public/sched.h>
#include <pvx/guest_access.h>
#include <pvx/sched.h>
#include <pvx/setup.h>
#include <pvx/machine.h>
#include <public/xen.h>

struct domain *domain_lookup(uint16_t domid)
{
    if ( domid >= MAX_DOMAINS || machine.domains[domid].state == DOMAIN_FREE )
        return NULL;
    return &machine.domains[domid];
}

struct vcpu *domain_vcpu(unsigned int index)
{
    ASSERT(index < MAX_DOMAINS * MAX_VIRT_CPUS);
    return &machine.domains[index / MAX_VIRT_CPUS].vcpu[index % MAX_VIRT_CPUS];
}

struct domain *domain_create(uint16_t domid, const char *name, bool privileged)
{
    struct domain *d;
    mfn_t si;
    unsigned int i;

    if ( domid >= MAX_DOMAINS || machine.domains[domid].state != DOMAIN_FREE )
        return NULL;
    if ( fault_hit(&fault_domain_create) )
        return NULL;
    si = frame_alloc(domid);
    if ( si == INVALID_MFN )
        return NULL;

    d = &machine.domains[domid];
    memset(d, 0, sizeof(*d));
    d->domain_id = domid;
    d->state = DOMAIN_RUNNING;
    d->is_privileged = privileged;
    snprintk(d->name, sizeof(d->name), "%s", name);
    d->console_at_line_start = true;
    frame_of(si)->flags |= FRAME_F_XEN_SHARED;
    d->shared_info_mfn = si;
    d->shared_info = frame_map(si);
    d->nr_vcpus = 1;

    for ( i = 0; i < MAX_VIRT_CPUS; i++ )
    {
        struct vcpu *v = &d->vcpu[i];

        v->id = i;
        v->domain = d;
        v->vcpu_info = &d->shared_info->vcpu_info[i];
        v->sched.runstate = RUNSTATE_offline;   /* until it first runs */
    }
    /* vCPU 0 is the one the builder starts; the others wait for
     * VCPUOP_initialise and VCPUOP_up (domain/vcpu.c). */
    d->vcpu[0].initialised = d->vcpu[0].up = true;
    evtchn_domain_init(d);
    /* Every vCPU starts with event upcalls masked, as on Xen. */
    for ( i = 0; i < XEN_LEGACY_MAX_VCPUS; i++ )
        d->shared_info->vcpu_info[i].evtchn_upcall_mask = 1;
    return d;
}

/* The initial domain's end is the machine's: the audit (a frame table that
 * disagrees with the page tables is a hypervisor bug: exit 2), the fault
 * report if asked for, then arch_shutdown. */
static __noreturn void domain_end_machine(int status)
{
    if ( audit_at_shutdown() )
        status = PVX_EXIT_PANIC;
    if ( machine.setup.fault_report )
        fault_report();
    arch_shutdown(status);
}

static const char *shutdown_reason(unsigned int reason)
{
    static const char *const names[] = {
        [SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot",
        [SHUTDOWN_suspend] = "suspend",   [SHUTDOWN_crash] = "crash",
        [SHUTDOWN_watchdog] = "watchdog",
    };

    return reason < ARRAY_SIZE(names) && names[reason] ? names[reason] : "unknown";
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
    d->state = DOMAIN_SHUTDOWN;
    d->shutdown_code = reason;
    printk("domain %u (%s) shut down: %s (%u)", d->domain_id, d->name,
           shutdown_reason(reason), reason);

    /* The initial domain's end is the machine's end. pvx neither reboots nor
     * suspends: anything but a poweroff is reported as a failure. A frame
     * table that disagrees with the page tables is a hypervisor bug. */
    if ( d->is_privileged )
        domain_end_machine(reason == SHUTDOWN_poweroff ? PVX_EXIT_POWEROFF : PVX_EXIT_CRASH);
    sched_domain_stopped(d);
}

void domain_destroy(struct domain *d)
{
    mfn_t m, max = frame_max_mfn();
    unsigned int left = 0;

    ASSERT(d->state != DOMAIN_FREE && d->state != DOMAIN_RUNNING);
    ASSERT(!current || current->domain != d);
    frame_unmap(d->shared_info);
    d->shared_info = NULL;
    for ( unsigned int i = 0; i < d->nr_vcpus; i++ )
        traps_destroy_vcpu(&d->vcpu[i]);   /* GDT frames' references */
    mm_relinquish(d);

    /* Another domain's references can keep some: the privileged domain's
     * foreign mappings, a disk's requests in flight (io/blkif.c). The slot
     * stays taken (dying) until the last comes back (domain_frame_freed). */
    for ( m = 0; m < max; m++ )
        if ( frame_of(m)->owner == d->domain_id )
            left++;
    if ( left )
    {
        printk("domain %u destroyed with %u frames still referenced", d->domain_id, left);
        d->is_dying = true;
    }
    else
        d->state = DOMAIN_FREE;
}

void domain_frame_freed(struct domain *d)
{
    mfn_t m, max = frame_max_mfn();

    if ( !d->is_dying )
        return;
    for ( m = 0; m < max; m++ )
        if ( frame_of(m)->owner == d->domain_id )
            return;
    printk("domain %u: its last frame came back, the domain is gone", d->domain_id);
    d->is_dying = false;
    d->state = DOMAIN_FREE;
}

void domain_kill(struct domain *d, uint16_t by)
{
    ASSERT(!d->is_privileged);
    if ( d->is_dying )
        return;                         /* destroyed: waits for its last frame */
    /* From now on it goes the way of every stopped domain: reaped. */
    d->toolstack = false;
    if ( d->state == DOMAIN_RUNNING )
        domain_crash(d, "destroyed by domain %u", by);
    else
        sched_domain_stopped(d);
    (void)sched_reap_domain(d);
}

int domain_pause(struct domain *d)
{
    if ( current && d == current->domain )
        return -EINVAL;
    if ( d->pause_count >= 255 )
        return -EBUSY;
    if ( d->pause_count++ )
        return 0;
    for ( unsigned int i = 0; i < d->nr_vcpus; i++ )
        sched_vcpu_down(&d->vcpu[i]);
    return 0;
}

int domain_unpause(struct domain *d)
{
    if ( current && d == current->domain )
        return -EINVAL;
    if ( d->pause_count == 0 )
        return -EINVAL;
    if ( --d->pause_count )
        return 0;
    /* Only the vCPUs the domain itself has up (VCPUOP_down stays down). */
    for ( unsigned int i = 0; i < d->nr_vcpus; i++ )
        if ( d->vcpu[i].up && d->state == DOMAIN_RUNNING )
            sched_vcpu_up(&d->vcpu[i]);
    return 0;
}

long domain_remote_shutdown(struct vcpu *v, uint32_t arg)
{
    struct sched_remote_shutdown rs;
    struct domain *d;

    if ( !v->domain->is_privileged )
        return -EPERM;
    if ( copy_from_guest(v, &rs, arg, sizeof(rs)) )
        return -EFAULT;
    d = domain_lookup(rs.domain_id);
    if ( !d )
        return -ESRCH;
    /* pvx: its own end goes through SCHEDOP_shutdown (the initial domain's
     * is the machine's). The reason modulo 256, as SCHEDOP_shutdown's. */
    if ( d == v->domain )
        return -EINVAL;
    if ( d->state != DOMAIN_RUNNING )
        return 0;
    domain_shutdown(d, rs.reason & 0xff);
    return 0;
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
    char why[160];
    va_list ap;

    va_start(ap, fmt);
    vsnprintk(why, sizeof(why), fmt, ap);
    va_end(ap);

    d->state = DOMAIN_CRASHED;
    d->shutdown_code = SHUTDOWN_crash;
    printk("domain %u crashed: %s", d->domain_id, why);
    /* The initial domain's death ends the machine; any other dies alone and
     * the scheduler runs someone else on the way out of the hypervisor. */
    if ( d->is_privileged )
        domain_end_machine(PVX_EXIT_CRASH);
    sched_domain_stopped(d);
}

/*
 * vm_assist: the assists a 32-bit PV guest may turn on. pvx honours two:
 * pae_extended_cr3 (its L3s may be anywhere: they always were) and
 * architectural_iopl (Xen 4.7's: the kernel runs at virtual CPL 0, and the
 * iret hypercall and the bounce frame carry the virtual IOPL in EFLAGS,
 * cpu/traps.c and cpu/emulate.c). Any other type, or a command but enable
 * and disable: -EINVAL, as Xen says for what it does not offer.
 */
#define VM_ASSIST_VALID ((1u << VMASST_TYPE_pae_extended_cr3) | \
                         (1u << VMASST_TYPE_architectural_iopl))

long do_vm_assist(struct vcpu *v, uint32_t cmd, uint32_t type, uint32_t a3 __unused,
                  uint32_t a4 __unused, uint32_t a5 __unused)
{
    struct domain *d = v->domain;

    if ( type >= 32 || !(VM_ASSIST_VALID & (1u << type)) )
        return -EINVAL;
    switch ( cmd )
    {
    case VMASST_CMD_enable:
        d->vm_assist |= 1u << type;
        return 0;
    case VMASST_CMD_disable:
        d->vm_assist &= ~(1u << type);
        return 0;
    default:
        return -EINVAL;
    }
}
