/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * control/domctl.c - the control interface's domain operations (paper §2.3:
 * the hypervisor provides mechanism, the initial domain's management software
 * the policy). Every op is the initial domain's alone: -EPERM for anyone
 * else, with nothing read. Xen's numbers, layouts and interface version where
 * Xen has the op, pvx's own from 0x7000 (public/domctl.h, docs/abi.md).
 *
 * A domain made here (createdomain) starts paused and empty; pvx_build gives
 * it memory and the start-of-day state of the hypervisor's own builder (the
 * one the initial domain got), from an image in the caller's memory; it runs
 * once unpaused. When it stops it is kept - shut down, its code readable -
 * until destroydomain (the toolstack applies on_poweroff/on_crash).
 */
#include <pvx/arch.h>
#include <pvx/builder.h>
#include <pvx/control.h>
#include <pvx/domain.h>
#include <pvx/elf.h>
#include <pvx/errno.h>
#include <pvx/event.h>
#include <pvx/fault.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/io.h>
#include <pvx/lib.h>
#include <pvx/machine.h>
#include <pvx/netif.h>
#include <pvx/sched.h>
#include <pvx/vfr.h>
#include <public/domctl.h>
#include <public/event_channel.h>
#include <public/pvx.h>
#include <public/xen.h>

/* ------------------------------------------------------------------------
 * getdomaininfo (and sysctl getdomaininfolist).
 */

void domctl_fill_info(struct domain *d, struct xen_domctl_getdomaininfo *info)
{
    uint64_t now = arch_now_ns(), cpu_time = 0;
    unsigned int online = 0;
    bool all_blocked = true, running = false;

    sched_account(now);
    memset(info, 0, sizeof(*info));
    info->domain = d->domain_id;
    for ( unsigned int i = 0; i < d->nr_vcpus; i++ )
    {
        struct vcpu *v = &d->vcpu[i];

        cpu_time += v->sched.run_ns;
        if ( !v->up )
            continue;
        online++;
        all_blocked &= v->sched.blocked;
        running |= v == current;
    }
    if ( d->is_dying )
        info->flags |= XEN_DOMINF_dying;
    if ( d->state == DOMAIN_SHUTDOWN || d->state == DOMAIN_CRASHED )
        info->flags |= XEN_DOMINF_shutdown |
                       ((d->shutdown_code & XEN_DOMINF_shutdownmask) << XEN_DOMINF_shutdownshift);
    if ( d->pause_count )
        info->flags |= XEN_DOMINF_paused;
    if ( online && all_blocked )
        info->flags |= XEN_DOMINF_blocked;
    if ( running )
        info->flags |= XEN_DOMINF_running;
    info->tot_pages = d->tot_pages;
    info->max_pages = d->max_pages;
    info->shared_info_frame = d->shared_info_mfn;
    info->cpu_time = cpu_time;
    info->nr_online_vcpus = online;
    info->max_vcpu_id = d->nr_vcpus - 1;
    info->gpaddr_bits = 36;             /* pvx: what a PAE entry can name */
}

struct domain *domctl_next_domain(uint32_t dom)
{
    for ( ; dom < MAX_DOMAINS; dom++ )
        if ( machine.domains[dom].state != DOMAIN_FREE )
            return &machine.domains[dom];
    return NULL;
}

/* ------------------------------------------------------------------------
 * createdomain.
 */

static long domctl_createdomain(struct xen_domctl *op)
{
    const struct xen_domctl_createdomain *c = &op->u.createdomain;
    uint32_t dom = op->domain;
    struct domain *d;

    /* pvx builds PV domains only, with no IOMMU, HAP or the like. */
    if ( c->flags || c->arch.emulation_flags )
        return -EINVAL;
    if ( c->max_vcpus < 1 || c->max_vcpus > MAX_VIRT_CPUS )
        return -EINVAL;
    if ( dom > 0 && dom < DOMID_FIRST_RESERVED )
    {
        if ( dom >= MAX_DOMAINS )
            return -EINVAL;             /* pvx: ids above MAX_DOMAINS do not exist */
        if ( machine.domains[dom].state != DOMAIN_FREE )
            return -EEXIST;
    }
    else
    {
        /* Xen's rover: the next free id after the last one chosen. */
        unsigned int k;

        for ( k = 0; k < MAX_DOMAINS - 1; k++ )
        {
            dom = (machine.control.rover + k) % (MAX_DOMAINS - 1) + 1;
            if ( machine.domains[dom].state == DOMAIN_FREE )
                break;
        }
        if ( k == MAX_DOMAINS - 1 )
            return -ENOMEM;
    }

    d = domain_create((uint16_t)dom, "", false);
    if ( !d )
        return -ENOMEM;
    machine.control.rover = (uint16_t)dom;
    snprintk(d->name, sizeof(d->name), "d%u", dom);
    d->toolstack = true;
    d->pause_count = 1;                 /* created paused, as on Xen */
    d->vcpu[0].initialised = d->vcpu[0].up = false;     /* the build gives it its state */
    if ( domain_set_vcpus(d, c->max_vcpus) )
        BUG();                          /* checked above */
    op->domain = (domid_t)dom;
    printk("domain %u created by domain %u", dom, current ? current->domain->domain_id : 0);
    return 0;
}

/* ------------------------------------------------------------------------
 * pvx_build: the hypervisor's builder, with the image in the caller's memory.
 */

/* A NUL-terminated string of at most len bytes (with the NUL) at va. */
static int copy_string_from_guest(struct vcpu *v, char *dst, gva_t va, size_t len)
{
    size_t n = 0;

    while ( n < len )
    {
        size_t chunk = MIN(len - n, (size_t)(PAGE_SIZE - ((va + n) & (PAGE_SIZE - 1))));

        if ( copy_from_guest(v, dst + n, va + (gva_t)n, chunk) )
            return -EFAULT;
        for ( size_t i = n; i < n + chunk; i++ )
            if ( dst[i] == '\0' )
                return 0;
        n += chunk;
    }
    return -EINVAL;                     /* too long */
}

static long domctl_build(struct vcpu *v, struct domain *d, struct xen_domctl_pvx_build *b)
{
    static const char no_err[] = "";
    char cmdline[MAX_GUEST_CMDLINE], err[160];
    struct build_extra x = { .domu_pages = true };
    struct build_layout l;
    struct elf_image img;
    unsigned int pages;
    mfn_t image_mfn;
    void *image;
    long rc;

    err[0] = '\0';
    if ( !d->toolstack || d->built || d->state != DOMAIN_RUNNING || d->max_pages == 0 )
        return -EINVAL;
    if ( b->flags || b->image_len == 0 || b->image_len > PVX_BUILD_MAX_IMAGE ||
         b->image >> 32 || b->cmdline >> 32 || b->err >> 32 ||
         strnlen(b->name, sizeof(b->name)) == sizeof(b->name) )
        return -EINVAL;
    if ( b->console_port )
    {
        const struct evtchn *e = b->console_port < EVTCHN_MAX_PORTS ? &d->evtchn[b->console_port]
                                                                     : NULL;

        if ( !e || e->state != EVTCHNSTAT_unbound || e->remote_dom != v->domain->domain_id )
            return -EINVAL;
    }
    cmdline[0] = '\0';
    if ( b->cmdline )
    {
        rc = copy_string_from_guest(v, cmdline, (gva_t)b->cmdline, sizeof(cmdline));
        if ( rc )
            return rc;
    }
    /* The refusal's reason must reach the caller: writable, or nothing done. */
    if ( b->err && b->err_len && guest_probe(v, (gva_t)b->err, b->err_len, true) )
        return -EFAULT;

    pages = PFN_UP(b->image_len);
    image_mfn = frame_alloc_contig(DOMID_XEN_OWN, pages);
    if ( image_mfn == INVALID_MFN )
    {
        snprintk(err, sizeof(err), "no %u contiguous free pages for the image", pages);
        rc = -ENOMEM;
        goto out;
    }
    image = arch_map_frames(image_mfn, pages);
    rc = copy_from_guest(v, image, (gva_t)b->image, b->image_len);
    if ( rc )
        goto out_unmap;
    rc = elf_parse(&img, image, b->image_len, err, sizeof(err));
    if ( rc )
        goto out_unmap;
    x.console_evtchn = b->console_port;
    rc = builder_build_ext(d, &img, d->max_pages, cmdline, 0, &x, &l, err, sizeof(err));
    if ( rc )
        goto out_unmap;

    /* Nothing below fails. */
    d->built = true;
    d->vcpu[0].initialised = d->vcpu[0].up = true;
    if ( b->name[0] )
        snprintk(d->name, sizeof(d->name), "%s", b->name);
    b->console_mfn = l.console_mfn;
    b->store_mfn = l.store_mfn;
    printk("domain %u (%s): %u MiB, kernel %#x-%#x, entry %#x, start_info %#x", d->domain_id,
           d->name, d->max_pages >> 8, l.vkern_start, l.vkern_end, img.virt_entry,
           l.vstartinfo_start);

 out_unmap:
    arch_unmap_frames(image, pages);
    for ( unsigned int i = 0; i < pages; i++ )
        frame_free(image_mfn + i);
 out:
    if ( rc && b->err && b->err_len )
    {
        const char *why = err[0] ? err : no_err;
        size_t n = MIN(strlen(why) + 1, (size_t)b->err_len);
        char last = '\0';

        copy_to_guest_probed(v, (gva_t)b->err, why, n - 1);
        copy_to_guest_probed(v, (gva_t)b->err + (gva_t)(n - 1), &last, 1);
    }
    return rc;
}

/* ------------------------------------------------------------------------
 * The ops on one domain.
 */

static long domctl_domain_op(struct vcpu *v, struct domain *d, struct xen_domctl *op)
{
    struct vcpu *t = &d->vcpu[0];
    bool self = d == v->domain;

    /* A destroyed domain waiting for its last frames: only its info. */
    if ( d->is_dying )
        return op->cmd == XEN_DOMCTL_destroydomain ? 0 : -EINVAL;

    switch ( op->cmd )
    {
    case XEN_DOMCTL_destroydomain:
        if ( self || d->is_privileged )
            return -EINVAL;
        domain_kill(d, v->domain->domain_id);
        return 0;

    case XEN_DOMCTL_pausedomain:
        return domain_pause(d);

    case XEN_DOMCTL_unpausedomain:
        return domain_unpause(d);

    case XEN_DOMCTL_max_mem:
    {
        uint64_t pages = op->u.max_mem.max_memkb >> 2;

        if ( pages > UINT32_MAX )
            return -EINVAL;
        d->max_pages = (unsigned int)pages;
        return 0;
    }

    case XEN_DOMCTL_max_vcpus:
        if ( d->built || t->sched.registered )
            return -EBUSY;              /* pvx: fixed once it has a context */
        return domain_set_vcpus(d, op->u.max_vcpus.max);

    case XEN_DOMCTL_setvcpucontext:
    case XEN_DOMCTL_getvcpucontext:
    {
        uint32_t n = op->u.vcpucontext.vcpu;
        uint64_t ctxt = op->u.vcpucontext.ctxt;

        if ( self || n >= d->nr_vcpus || ctxt >> 32 )
            return -EINVAL;
        t = &d->vcpu[n];
        if ( op->cmd == XEN_DOMCTL_setvcpucontext )
            return ctxt ? vcpu_set_context(v, t, (gva_t)ctxt) : -EINVAL;
        if ( !t->initialised )
            return -ENODATA;
        vcpu_get_context(t, &machine.vcpu_ctx_scratch);
        return copy_to_guest(v, (gva_t)ctxt, &machine.vcpu_ctx_scratch,
                             sizeof(machine.vcpu_ctx_scratch)) ? -EFAULT : 0;
    }

    case XEN_DOMCTL_pvx_bvt_set:
    {
        struct sched_bvt_params p = {
            .weight = op->u.pvx_bvt.weight,
            .warp_enabled = op->u.pvx_bvt.warp_enabled != 0,
            .warp_ns = op->u.pvx_bvt.warp_ns,
            .warp_limit_ns = op->u.pvx_bvt.warp_limit_ns,
            .unwarp_ns = op->u.pvx_bvt.unwarp_ns,
        };

        if ( op->u.pvx_bvt.warp_enabled > 1 || !t->sched.registered )
            return -EINVAL;
        return sched_bvt_set(t, &p);
    }

    case XEN_DOMCTL_pvx_bvt_get:
        op->u.pvx_bvt.weight = t->sched.bvt.weight;
        op->u.pvx_bvt.warp_enabled = t->sched.bvt.warp_enabled;
        op->u.pvx_bvt.warp_ns = t->sched.bvt.warp_ns;
        op->u.pvx_bvt.warp_limit_ns = t->sched.bvt.warp_limit_ns;
        op->u.pvx_bvt.unwarp_ns = t->sched.bvt.unwarp_ns;
        op->u.pvx_bvt.ctx_allow_ns = SCHED_BVT_CTX_ALLOW_NS;
        return 0;

    case XEN_DOMCTL_pvx_getinfo:
    {
        uint64_t now = arch_now_ns();

        sched_account(now);
        memset(&op->u.pvx_getinfo, 0, sizeof(op->u.pvx_getinfo));
        op->u.pvx_getinfo.cpu_time_ns = t->sched.run_ns;
        op->u.pvx_getinfo.now_ns = now;
        op->u.pvx_getinfo.state = d->state;
        op->u.pvx_getinfo.blocked = t->sched.blocked;
        op->u.pvx_getinfo.dispatches = d->dispatches;
        snprintk(op->u.pvx_getinfo.name, sizeof(op->u.pvx_getinfo.name), "%s", d->name);
        return 0;
    }

    case XEN_DOMCTL_pvx_build:
        return domctl_build(v, d, &op->u.pvx_build);

    case XEN_DOMCTL_pvx_vbd_create:
    case XEN_DOMCTL_pvx_vbd_grow:
    case XEN_DOMCTL_pvx_vbd_destroy:
    case XEN_DOMCTL_pvx_vbd_list:
    case XEN_DOMCTL_pvx_disk_info:
        return vbd_domctl(op->cmd, d, &op->u.pvx_vbd);

    case XEN_DOMCTL_pvx_vif_create:
    case XEN_DOMCTL_pvx_vif_destroy:
    case XEN_DOMCTL_pvx_vif_list:
        return vif_domctl(op->cmd, d, &op->u.pvx_vif);

    default:
        return -ENOSYS;
    }
}

long do_domctl(struct vcpu *v, uint32_t arg, uint32_t a2 __unused, uint32_t a3 __unused,
               uint32_t a4 __unused, uint32_t a5 __unused)
{
    struct xen_domctl op;
    struct domain *d;
    long rc;

    if ( !v->domain->is_privileged )
        return -EPERM;
    if ( copy_from_guest(v, &op, arg, sizeof(op)) )
        return -EFAULT;
    /* The result goes back into the same struct: writable, or nothing done. */
    if ( guest_probe(v, arg, sizeof(op), true) )
        return -EFAULT;
    if ( op.interface_version != XEN_DOMCTL_INTERFACE_VERSION )
        return -EACCES;

    switch ( op.cmd )
    {
    case XEN_DOMCTL_createdomain:
        rc = domctl_createdomain(&op);
        break;

    /* The firewall-router is the machine's, not one domain's. */
    case XEN_DOMCTL_pvx_vfr_add:
    case XEN_DOMCTL_pvx_vfr_remove:
    case XEN_DOMCTL_pvx_vfr_list:
    case XEN_DOMCTL_pvx_vfr_vif:
        rc = vfr_domctl(&op);
        break;

    /* The disks' counters: the machine's too. */
    case XEN_DOMCTL_pvx_disk_stats:
        rc = io_disk_stats(&op.u.pvx_disk_stats);
        break;

    case XEN_DOMCTL_getdomaininfo:
        d = domctl_next_domain(op.domain == DOMID_SELF ? v->domain->domain_id : op.domain);
        rc = -ESRCH;
        if ( d )
        {
            domctl_fill_info(d, &op.u.getdomaininfo);
            op.domain = d->domain_id;
            rc = 0;
        }
        break;

    default:
        d = domain_lookup(op.domain == DOMID_SELF ? v->domain->domain_id : op.domain);
        rc = d ? domctl_domain_op(v, d, &op) : -ESRCH;
        break;
    }

    if ( rc == 0 )
        copy_to_guest_probed(v, arg, &op, sizeof(op));
    return rc;
}
