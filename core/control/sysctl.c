/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * control/sysctl.c - the control interface's machine-wide operations, the
 * initial domain's alone (-EPERM for anyone else, nothing read): the
 * hypervisor's log ring (xl dmesg), the machine (xl info), the scheduler and
 * the list of domains (xl list). Xen's numbers and layouts (public/sysctl.h).
 */
#include <pvx/console.h>
#include <pvx/control.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>
#include <pvx/machine.h>
#include <pvx/sched.h>
#include <public/sysctl.h>
#include <public/xen.h>

static long sysctl_readconsole(struct vcpu *v, struct xen_sysctl_readconsole *r)
{
    uint32_t index = r->index, left = MIN(r->count, (uint32_t)CONSOLE_RING_SIZE), done = 0;
    gva_t buf = (gva_t)r->buffer;

    if ( r->buffer >> 32 )
        return -EFAULT;
    if ( left && guest_probe(v, buf, left, true) )
        return -EFAULT;
    for ( bool incremental = r->incremental; left; incremental = true )
    {
        char chunk[128];
        size_t n = console_ring_read(chunk, MIN(left, (uint32_t)sizeof(chunk)), &index,
                                     incremental, false);

        if ( n == 0 )
            break;
        copy_to_guest_probed(v, buf + done, chunk, n);
        done += (uint32_t)n;
        left -= (uint32_t)n;
    }
    if ( r->clear )
        (void)console_ring_read(NULL, 0, &index, true, true);
    r->count = done;
    r->index = index;
    return 0;
}

static void sysctl_physinfo(struct xen_sysctl_physinfo *p)
{
    mfn_t m, max = frame_max_mfn();
    uint64_t ram = 0;

    for ( m = 0; m < max; m++ )
        ram += frame_of(m)->owner != DOMID_IO_OWN;
    memset(p, 0, sizeof(*p));
    p->threads_per_core = 1;
    p->cores_per_socket = 1;
    p->nr_cpus = 1;
    p->nr_nodes = 1;
    p->capabilities = XEN_SYSCTL_PHYSCAP_pv | XEN_SYSCTL_PHYSCAP_gnttab_v1;
    p->total_pages = ram;
    p->free_pages = frame_free_count();
    p->max_mfn = max - 1;
}

static long sysctl_getdomaininfolist(struct vcpu *v, struct xen_sysctl_getdomaininfolist *l)
{
    struct xen_domctl_getdomaininfo info;
    uint32_t max = MIN(l->max_domains, (uint32_t)MAX_DOMAINS), n = 0;
    gva_t buf = (gva_t)l->buffer;
    struct domain *d;

    if ( l->buffer >> 32 )
        return -EFAULT;
    if ( max && guest_probe(v, buf, max * sizeof(info), true) )
        return -EFAULT;
    for ( d = domctl_next_domain(l->first_domain); d && n < max;
          d = domctl_next_domain(d->domain_id + 1u) )
    {
        domctl_fill_info(d, &info);
        copy_to_guest_probed(v, buf + n * (gva_t)sizeof(info), &info, sizeof(info));
        n++;
    }
    l->num_domains = n;
    return 0;
}

long do_sysctl(struct vcpu *v, uint32_t arg, uint32_t a2 __unused, uint32_t a3 __unused,
               uint32_t a4 __unused, uint32_t a5 __unused)
{
    struct xen_sysctl op;
    long rc;

    if ( !v->domain->is_privileged )
        return -EPERM;
    if ( copy_from_guest(v, &op, arg, sizeof(op)) )
        return -EFAULT;
    if ( guest_probe(v, arg, sizeof(op), true) )
        return -EFAULT;
    if ( op.interface_version != XEN_SYSCTL_INTERFACE_VERSION )
        return -EACCES;

    switch ( op.cmd )
    {
    case XEN_SYSCTL_readconsole:
        rc = sysctl_readconsole(v, &op.u.readconsole);
        break;
    case XEN_SYSCTL_physinfo:
        sysctl_physinfo(&op.u.physinfo);
        rc = 0;
        break;
    case XEN_SYSCTL_sched_id:
        op.u.sched_id.sched_id = strcmp(sched_policy_name(), "rr") == 0 ? XEN_SCHEDULER_PVX_RR
                                                                          : XEN_SCHEDULER_PVX_BVT;
        rc = 0;
        break;
    case XEN_SYSCTL_getdomaininfolist:
        rc = sysctl_getdomaininfolist(v, &op.u.getdomaininfolist);
        break;
    default:
        rc = -ENOSYS;
        break;
    }
    if ( rc == 0 )
        copy_to_guest_probed(v, arg, &op, sizeof(op));
    return rc;
}
