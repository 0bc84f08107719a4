/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * control/domctl.c - the control interface's domain operations (paper §2.3:
 * the hypervisor provides mechanism, the initial domain's management software
 * the policy). Every op is the initial domain's alone: -EPERM for anyone
 * else, with nothing read. Today pvx's scheduler sub-ops (public/pvx.h);
 * Xen's numbering where Xen has an op (docs/abi.md).
 */
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/io.h>
#include <pvx/lib.h>
#include <pvx/machine.h>
#include <pvx/sched.h>
#include <public/pvx.h>
#include <public/xen.h>

long do_domctl(struct vcpu *v, uint32_t arg, uint32_t a2 __unused, uint32_t a3 __unused,
               uint32_t a4 __unused, uint32_t a5 __unused)
{
    struct xen_domctl op;
    struct domain *d;
    struct vcpu *t;
    long rc = 0;

    if ( !v->domain->is_privileged )
        return -EPERM;
    if ( copy_from_guest(v, &op, arg, sizeof(op)) )
        return -EFAULT;
    /* The result goes back into the same struct: writable, or nothing done. */
    if ( guest_probe(v, arg, sizeof(op), true) )
        return -EFAULT;
    if ( op.interface_version != XEN_DOMCTL_INTERFACE_VERSION )
        return -EACCES;
    d = domain_lookup(op.domain == DOMID_SELF ? v->domain->domain_id : op.domain);
    if ( !d )
        return -ESRCH;
    t = &d->vcpu[0];

    switch ( op.cmd )
    {
    case XEN_DOMCTL_pvx_bvt_set:
    {
        struct sched_bvt_params p = {
            .weight = op.u.pvx_bvt.weight,
            .warp_enabled = op.u.pvx_bvt.warp_enabled != 0,
            .warp_ns = op.u.pvx_bvt.warp_ns,
            .warp_limit_ns = op.u.pvx_bvt.warp_limit_ns,
            .unwarp_ns = op.u.pvx_bvt.unwarp_ns,
        };

        if ( op.u.pvx_bvt.warp_enabled > 1 || !t->sched.registered )
            return -EINVAL;
        return sched_bvt_set(t, &p);
    }

    case XEN_DOMCTL_pvx_bvt_get:
        op.u.pvx_bvt.weight = t->sched.bvt.weight;
        op.u.pvx_bvt.warp_enabled = t->sched.bvt.warp_enabled;
        op.u.pvx_bvt.warp_ns = t->sched.bvt.warp_ns;
        op.u.pvx_bvt.warp_limit_ns = t->sched.bvt.warp_limit_ns;
        op.u.pvx_bvt.unwarp_ns = t->sched.bvt.unwarp_ns;
        op.u.pvx_bvt.ctx_allow_ns = SCHED_BVT_CTX_ALLOW_NS;
        break;

    case XEN_DOMCTL_pvx_getinfo:
    {
        uint64_t now = arch_now_ns();

        sched_account(now);
        memset(&op.u.pvx_getinfo, 0, sizeof(op.u.pvx_getinfo));
        op.u.pvx_getinfo.cpu_time_ns = t->sched.run_ns;
        op.u.pvx_getinfo.now_ns = now;
        op.u.pvx_getinfo.state = d->state;
        op.u.pvx_getinfo.blocked = t->sched.blocked;
        op.u.pvx_getinfo.dispatches = d->dispatches;
        break;
    }

    case XEN_DOMCTL_pvx_vbd_create:
    case XEN_DOMCTL_pvx_vbd_grow:
    case XEN_DOMCTL_pvx_vbd_destroy:
    case XEN_DOMCTL_pvx_vbd_list:
    case XEN_DOMCTL_pvx_disk_info:
        rc = vbd_domctl(op.cmd, d, &op.u.pvx_vbd);
        break;

    case XEN_DOMCTL_pvx_disk_stats:
        rc = io_disk_stats(&op.u.pvx_disk_stats);
        break;

    default:
        rc = -ENOSYS;
        break;
    }
    if ( rc == 0 )
        copy_to_guest_probed(v, arg, &op, sizeof(op));
    return rc;
}
