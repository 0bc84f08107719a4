/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * version.c - xen_version: who we are, what interface we offer.
 */
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/layout.h>
#include <pvx/lib.h>
#include <pvx/setup.h>
#include <public/features.h>
#include <public/version.h>
#include <public/xen.h>

/* The interface level we answer to: the Xen 4.17 hypercall ABI subset. */
#define PVX_XEN_MAJOR 4
#define PVX_XEN_MINOR 17

static long copy_string(struct vcpu *v, gva_t dst, const char *s, size_t size)
{
    char buf[1024];

    /* Xen copies the whole fixed-size buffer, zero padded. */
    memset(buf, 0, size);
    snprintk(buf, size, "%s", s);
    return copy_to_guest(v, dst, buf, size) ? -EFAULT : 0;
}

long do_xen_version(struct vcpu *v, uint32_t cmd, uint32_t arg, uint32_t a3 __unused,
                    uint32_t a4 __unused, uint32_t a5 __unused)
{
    switch ( cmd )
    {
    case XENVER_version:
        return (PVX_XEN_MAJOR << 16) | PVX_XEN_MINOR;

    case XENVER_extraversion:
        return copy_string(v, arg, ".0-pvx", sizeof(xen_extraversion_t));

    case XENVER_compile_info:
    {
        struct xen_compile_info info;

        memset(&info, 0, sizeof(info));
        snprintk(info.compiler, sizeof(info.compiler), "gcc");
        snprintk(info.compile_by, sizeof(info.compile_by), "pvx");
        snprintk(info.compile_domain, sizeof(info.compile_domain), "pvx");
        snprintk(info.compile_date, sizeof(info.compile_date), "%s", PVX_VERSION);
        return copy_to_guest(v, arg, &info, sizeof(info)) ? -EFAULT : 0;
    }

    case XENVER_capabilities:
        return copy_string(v, arg, "xen-3.0-x86_32p", sizeof(xen_capabilities_info_t));

    case XENVER_changeset:
        return copy_string(v, arg, "pvx " PVX_VERSION, sizeof(xen_changeset_info_t));

    case XENVER_platform_parameters:
    {
        struct xen_platform_parameters p = { .virt_start = HYPERVISOR_VIRT_START };

        return copy_to_guest(v, arg, &p, sizeof(p)) ? -EFAULT : 0;
    }

    case XENVER_get_features:
    {
        struct xen_feature_info fi;

        if ( copy_from_guest(v, &fi, arg, sizeof(fi)) )
            return -EFAULT;
        if ( fi.submap_idx >= XENFEAT_NR_SUBMAPS )
            return -EINVAL;
        /* Machine memory is below 4 GiB, so an L3 anywhere is fine. */
        fi.submap = fi.submap_idx == 0 ? 1u << XENFEAT_pae_pgdir_above_4gb : 0;
        return copy_to_guest(v, arg, &fi, sizeof(fi)) ? -EFAULT : 0;
    }

    case XENVER_pagesize:
        return PAGE_SIZE;

    case XENVER_guest_handle:
    {
        xen_domain_handle_t handle;

        memset(handle, 0, sizeof(handle));
        return copy_to_guest(v, arg, handle, sizeof(handle)) ? -EFAULT : 0;
    }

    case XENVER_commandline:
        if ( !v->domain->is_privileged )
            return -EPERM;
        return copy_string(v, arg, setup_cmdline(), sizeof(xen_commandline_t));

    default:
        return -ENOSYS;
    }
}
