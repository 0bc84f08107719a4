/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_control.c - the control interface (control/domctl.c, sysctl.c): each
 * op's effect, its refusals (nothing changed), -EPERM for an unprivileged
 * caller, a domain built from an image in dom0's memory with the builder's
 * start-of-day state plus its console page, paused, run, shut down and kept,
 * destroyed with every frame back; the log ring; and 1,000 domains created,
 * built and destroyed with the free count and the audit back where they were.
 */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include <pvx/audit.h>
#include <pvx/builder.h>
#include <pvx/domain.h>
#include <pvx/fault.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/event.h>
#include <pvx/mm.h>
#include <pvx/time.h>
#include <public/domctl.h>
#include <public/event_channel.h>
#include <pvx/layout.h>
#include <public/sched.h>
#include <public/sysctl.h>
#include <public/xen.h>

/* In dom0's mapped, unused memory (the default kernel is at 1 MiB). */
#define IMG_VA      0x380000u
#define OP_VA       0x3a0000u
#define CTX_VA      0x3a1000u
#define STR_VA      0x3a3000u       /* cmdline, then err at +0x800 */
#define BUF_VA      0x3a4000u       /* readconsole, getdomaininfolist */

static uint8_t image[0x10000];
static size_t image_len;
static struct xen_domctl op;

static void boot(void)
{
    struct elfgen_spec s;

    unit_boot_default();
    elfgen_default(&s);
    image_len = elfgen_build(&s, image, sizeof(image));
    CU_ASSERT_FATAL(image_len > 0);
    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, IMG_VA, image, image_len), 0);
}

static void op_init(uint32_t cmd, uint32_t dom)
{
    memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op.domain = (domid_t)dom;
}

/* Run op; on success read it back. */
static long domctl(void)
{
    long rc;

    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, OP_VA, &op, sizeof(op)), 0);
    rc = unit_hypercall(__HYPERVISOR_domctl, OP_VA, 0, 0, 0, 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &op, OP_VA, sizeof(op)), 0);
    return rc;
}

static long create(uint32_t dom, uint32_t vcpus)
{
    op_init(XEN_DOMCTL_createdomain, dom);
    op.u.createdomain.max_vcpus = vcpus;
    return domctl();
}

static long max_mem(uint32_t dom, uint64_t kb)
{
    op_init(XEN_DOMCTL_max_mem, dom);
    op.u.max_mem.max_memkb = kb;
    return domctl();
}

static long alloc_unbound(uint32_t dom)
{
    struct evtchn_alloc_unbound a = { .dom = (domid_t)dom, .remote_dom = 0 };
    long rc;

    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, BUF_VA, &a, sizeof(a)), 0);
    rc = unit_hypercall(__HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, BUF_VA, 0, 0, 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &a, BUF_VA, sizeof(a)), 0);
    return rc ? rc : (long)a.port;
}

static long build(uint32_t dom, uint32_t len, uint32_t port, const char *cmdline, const char *name)
{
    op_init(XEN_DOMCTL_pvx_build, dom);
    op.u.pvx_build.image = IMG_VA;
    op.u.pvx_build.image_len = len;
    op.u.pvx_build.console_port = port;
    if ( cmdline )
    {
        CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, STR_VA, cmdline, strlen(cmdline) + 1), 0);
        op.u.pvx_build.cmdline = STR_VA;
    }
    op.u.pvx_build.err = STR_VA + 0x800;
    op.u.pvx_build.err_len = 160;
    snprintf(op.u.pvx_build.name, sizeof(op.u.pvx_build.name), "%s", name);
    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, STR_VA + 0x800, "", 1), 0);
    return domctl();
}

static const char *build_err(void)
{
    static char err[160];

    CU_ASSERT_EQUAL(copy_from_guest(current, err, STR_VA + 0x800, sizeof(err)), 0);
    err[sizeof(err) - 1] = '\0';
    return err;
}

static long simple(uint32_t cmd, uint32_t dom)
{
    op_init(cmd, dom);
    return domctl();
}

/* A domain created, given 4 MiB, its console port and its image: its id. */
static uint32_t make_domain(void)
{
    uint32_t dom;
    long port;

    CU_ASSERT_EQUAL_FATAL(create(0, 1), 0);
    dom = op.domain;
    CU_ASSERT_EQUAL_FATAL(max_mem(dom, 4096), 0);
    port = alloc_unbound(dom);
    CU_ASSERT_FATAL(port > 0);
    CU_ASSERT_EQUAL_FATAL(build(dom, (uint32_t)image_len, (uint32_t)port, "console=hvc0",
                                "guest"), 0);
    return dom;
}

static long sysctl(struct xen_sysctl *s)
{
    long rc;

    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, OP_VA, s, sizeof(*s)), 0);
    rc = unit_hypercall(__HYPERVISOR_sysctl, OP_VA, 0, 0, 0, 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, s, OP_VA, sizeof(*s)), 0);
    return rc;
}

static void test_create(void)
{
    struct domain *d;
    unsigned int free0;

    boot();
    free0 = frame_free_count();
    CU_ASSERT_EQUAL(create(0, 1), 0);
    CU_ASSERT_EQUAL(op.domain, 1);
    d = domain_lookup(1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT(d->toolstack && !d->built && !d->is_privileged);
    CU_ASSERT_EQUAL(d->pause_count, 1);
    CU_ASSERT_EQUAL(d->tot_pages, 0);
    CU_ASSERT_EQUAL(frame_free_count(), free0 - 1);     /* its shared_info */
    CU_ASSERT_STRING_EQUAL(d->name, "d1");
    /* The next is chosen after it; one asked for by id gets it. */
    CU_ASSERT_EQUAL(create(0, 2), 0);
    CU_ASSERT_EQUAL(op.domain, 2);
    CU_ASSERT_EQUAL(domain_lookup(2)->nr_vcpus, 2);
    CU_ASSERT_EQUAL(create(7, 1), 0);
    CU_ASSERT_EQUAL(op.domain, 7);
    CU_ASSERT_EQUAL(create(DOMID_FIRST_RESERVED, 1), 0);
    CU_ASSERT_EQUAL(op.domain, 8);

    /* Refusals: nothing created. */
    free0 = frame_free_count();
    CU_ASSERT_EQUAL(create(7, 1), -EEXIST);
    CU_ASSERT_EQUAL(create(0, 1), 0);                   /* positive twin of the next */
    CU_ASSERT_EQUAL(op.domain, 9);
    free0 = frame_free_count();
    CU_ASSERT_EQUAL(create(MAX_DOMAINS, 1), -EINVAL);
    CU_ASSERT_EQUAL(create(0, 0), -EINVAL);
    CU_ASSERT_EQUAL(create(0, MAX_VIRT_CPUS + 1), -EINVAL);
    op_init(XEN_DOMCTL_createdomain, 0);
    op.u.createdomain.max_vcpus = 1;
    op.u.createdomain.flags = XEN_DOMCTL_CDF_hvm;
    CU_ASSERT_EQUAL(domctl(), -EINVAL);
    op_init(XEN_DOMCTL_createdomain, 0);
    op.u.createdomain.max_vcpus = 1;
    op.u.createdomain.arch.emulation_flags = 1;
    CU_ASSERT_EQUAL(domctl(), -EINVAL);
    CU_ASSERT_EQUAL(frame_free_count(), free0);
    CU_ASSERT_PTR_NULL(domain_lookup(10));

    /* The fault site: no domain, nothing taken. */
    fault_domain_create.fail_nth = (uint32_t)fault_domain_create.calls + 1;
    CU_ASSERT_EQUAL(create(0, 1), -ENOMEM);
    CU_ASSERT_EQUAL(frame_free_count(), free0);
    CU_ASSERT_PTR_NULL(domain_lookup(10));
    CU_ASSERT_EQUAL(create(0, 1), 0);
    CU_ASSERT_EQUAL(op.domain, 10);
}

static void test_version_and_unknown(void)
{
    struct xen_sysctl s;

    boot();
    op_init(XEN_DOMCTL_createdomain, 0);
    op.u.createdomain.max_vcpus = 1;
    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION - 1;
    CU_ASSERT_EQUAL(domctl(), -EACCES);
    CU_ASSERT_PTR_NULL(domain_lookup(1));
    CU_ASSERT_EQUAL(simple(0x6fff, 0), -ENOSYS);
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_pausedomain, 5), -ESRCH);

    memset(&s, 0, sizeof(s));
    s.cmd = XEN_SYSCTL_physinfo;
    s.interface_version = XEN_SYSCTL_INTERFACE_VERSION + 1;
    CU_ASSERT_EQUAL(sysctl(&s), -EACCES);
    CU_ASSERT_EQUAL(s.u.physinfo.nr_cpus, 0);
    s.interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    s.cmd = 2;                          /* tbuf_op: not in pvx */
    CU_ASSERT_EQUAL(sysctl(&s), -ENOSYS);
    s.cmd = XEN_SYSCTL_physinfo;
    CU_ASSERT_EQUAL(sysctl(&s), 0);
    CU_ASSERT_EQUAL(s.u.physinfo.nr_cpus, 1);
    CU_ASSERT_EQUAL(s.u.physinfo.free_pages, frame_free_count());
    CU_ASSERT_EQUAL(s.u.physinfo.max_mfn, frame_max_mfn() - 1);
    CU_ASSERT(s.u.physinfo.total_pages > s.u.physinfo.free_pages);
}

static void test_build(void)
{
    struct build_layout lay;
    struct elf_image img;
    struct start_info si;
    struct domain *d;
    char errbuf[160];
    unsigned int free0;
    long port;

    boot();
    CU_ASSERT_EQUAL(create(0, 1), 0);
    d = domain_lookup(1);
    free0 = frame_free_count();

    /* Not before max_mem; then a bad image, a port not the domain's own
     * unbound one for dom0, a name without its NUL: refused, nothing taken. */
    CU_ASSERT_EQUAL(build(1, (uint32_t)image_len, 0, NULL, "x"), -EINVAL);
    CU_ASSERT_EQUAL(max_mem(1, 4096), 0);
    CU_ASSERT_EQUAL(d->max_pages, 1024);
    port = alloc_unbound(1);
    CU_ASSERT_FATAL(port > 0);
    CU_ASSERT_EQUAL(build(1, (uint32_t)image_len, (uint32_t)port + 1, NULL, "x"), -EINVAL);
    CU_ASSERT_EQUAL(build(1, 0, (uint32_t)port, NULL, "x"), -EINVAL);
    CU_ASSERT_EQUAL(build(1, PVX_BUILD_MAX_IMAGE + 1, (uint32_t)port, NULL, "x"), -EINVAL);
    CU_ASSERT_EQUAL(build(1, 64, (uint32_t)port, NULL, "x"), -ENOEXEC);       /* cut short */
    CU_ASSERT(strlen(build_err()) > 0);
    op_init(XEN_DOMCTL_pvx_build, 1);
    op.u.pvx_build.image = IMG_VA;
    op.u.pvx_build.image_len = (uint32_t)image_len;
    memset(op.u.pvx_build.name, 'n', sizeof(op.u.pvx_build.name));
    CU_ASSERT_EQUAL(domctl(), -EINVAL);
    CU_ASSERT_EQUAL(max_mem(1, 64ull << 20), 0);        /* more than there is */
    CU_ASSERT_EQUAL(build(1, (uint32_t)image_len, (uint32_t)port, NULL, "x"), -ENOMEM);
    snprintf(errbuf, sizeof(errbuf), "%s", build_err());
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "not enough free memory"));
    CU_ASSERT_EQUAL(d->tot_pages, 0);
    CU_ASSERT_FALSE(d->built);
    CU_ASSERT_EQUAL(frame_free_count(), free0);

    /* Memory the allocator fails half way: every frame given back. */
    CU_ASSERT_EQUAL(max_mem(1, 4096), 0);
    fault_frame_alloc.fail_nth = (uint32_t)fault_frame_alloc.calls + 600;
    CU_ASSERT_EQUAL(build(1, (uint32_t)image_len, (uint32_t)port, NULL, "x"), -ENOMEM);
    CU_ASSERT_EQUAL(d->tot_pages, 0);
    CU_ASSERT_EQUAL(frame_free_count(), free0);
    CU_ASSERT_EQUAL(audit_frames(), 0);
    fault_init();

    /* The build: the builder's layout with the two pages after start_info. */
    CU_ASSERT_EQUAL_FATAL(build(1, (uint32_t)image_len, (uint32_t)port, "console=hvc0", "web"), 0);
    CU_ASSERT(d->built && d->vcpu[0].initialised && d->vcpu[0].up);
    CU_ASSERT_STRING_EQUAL(d->name, "web");
    CU_ASSERT_EQUAL(d->tot_pages, 1024);
    CU_ASSERT_EQUAL_FATAL(elf_parse(&img, image, (uint32_t)image_len, errbuf, sizeof(errbuf)), 0);
    {
        struct build_extra x = { .domu_pages = true };

        CU_ASSERT_EQUAL(builder_layout_ext(&img, 1024, &x, &lay), 0);
    }
    CU_ASSERT_EQUAL(lay.vstore_start, lay.vstartinfo_start + PAGE_SIZE);
    CU_ASSERT_EQUAL(lay.vpt_start, lay.vconsole_start + PAGE_SIZE);
    CU_ASSERT_EQUAL(d->vcpu[0].regs.esi, lay.vstartinfo_start);
    CU_ASSERT_EQUAL(d->vcpu[0].regs.eip, img.virt_entry);
    CU_ASSERT_EQUAL(d->vcpu[0].regs.esp, lay.vstack_end);
    CU_ASSERT_EQUAL(d->vcpu[0].regs.cs, FLAT_RING1_CS);
    fixture_become(&d->vcpu[0]);
    CU_ASSERT_EQUAL_FATAL(copy_from_guest(current, &si, lay.vstartinfo_start, sizeof(si)), 0);
    CU_ASSERT_STRING_EQUAL(si.magic, XEN_START_INFO_MAGIC);
    CU_ASSERT_EQUAL(si.flags, 0);                       /* not privileged */
    CU_ASSERT_EQUAL(si.nr_pages, 1024);
    CU_ASSERT_EQUAL(si.console.domU.evtchn, (uint32_t)port);
    CU_ASSERT_EQUAL(si.console.domU.mfn, op.u.pvx_build.console_mfn);
    CU_ASSERT_EQUAL(si.store_mfn, op.u.pvx_build.store_mfn);
    CU_ASSERT_EQUAL(frame_of(si.console.domU.mfn)->owner, 1);
    {
        uint32_t m = 0;

        CU_ASSERT_EQUAL(copy_from_guest(current, &m, si.mfn_list +
                                        ((lay.vconsole_start - lay.v_start) >> PAGE_SHIFT) * 4, 4), 0);
        CU_ASSERT_EQUAL(m, si.console.domU.mfn);
    }
    CU_ASSERT_STRING_EQUAL((char *)si.cmd_line, "console=hvc0");
    fixture_become(&domain_lookup(0)->vcpu[0]);

    /* Once only. */
    CU_ASSERT_EQUAL(build(1, (uint32_t)image_len, 0, NULL, "x"), -EINVAL);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

static void test_pause_run_info(void)
{
    struct xen_domctl_getdomaininfo *info = &op.u.getdomaininfo;
    struct domain *d;
    uint32_t dom;

    boot();
    dom = make_domain();
    d = domain_lookup((uint16_t)dom);
    CU_ASSERT_FALSE(d->vcpu[0].sched.registered);       /* paused since its creation */

    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_getdomaininfo, dom), 0);
    CU_ASSERT_EQUAL(op.domain, dom);
    CU_ASSERT_EQUAL(info->domain, dom);
    CU_ASSERT(info->flags & XEN_DOMINF_paused);
    CU_ASSERT_FALSE(info->flags & (XEN_DOMINF_shutdown | XEN_DOMINF_dying));
    CU_ASSERT_EQUAL(info->tot_pages, 1024);
    CU_ASSERT_EQUAL(info->max_pages, 1024);
    CU_ASSERT_EQUAL(info->nr_online_vcpus, 1);
    CU_ASSERT_EQUAL(info->max_vcpu_id, 0);
    CU_ASSERT_EQUAL(info->shared_info_frame, d->shared_info_mfn);
    /* The next one up from an id that is free; none past the last. */
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_getdomaininfo, dom + 1), -ESRCH);
    op_init(XEN_DOMCTL_getdomaininfo, 0);
    CU_ASSERT_EQUAL(domctl(), 0);
    CU_ASSERT_EQUAL(info->domain, 0);
    CU_ASSERT(info->flags & XEN_DOMINF_running);

    /* max_vcpus: fixed once built. */
    op_init(XEN_DOMCTL_max_vcpus, dom);
    op.u.max_vcpus.max = 2;
    CU_ASSERT_EQUAL(domctl(), -EBUSY);

    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_unpausedomain, dom), 0);
    CU_ASSERT(d->vcpu[0].sched.registered && !d->vcpu[0].sched.down);
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_unpausedomain, dom), -EINVAL);   /* not paused */
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_pausedomain, dom), 0);
    CU_ASSERT(d->vcpu[0].sched.down);
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_pausedomain, dom), 0);
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_unpausedomain, dom), 0);
    CU_ASSERT(d->vcpu[0].sched.down);                   /* one pause left */
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_unpausedomain, dom), 0);
    CU_ASSERT_FALSE(d->vcpu[0].sched.down);
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_pausedomain, 0), -EINVAL);       /* itself */
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_pausedomain, DOMID_SELF), -EINVAL);

    /* getvcpucontext: the builder's registers and page tables. */
    {
        struct vcpu_guest_context c;

        op_init(XEN_DOMCTL_getvcpucontext, dom);
        op.u.vcpucontext.vcpu = 0;
        op.u.vcpucontext.ctxt = CTX_VA;
        CU_ASSERT_EQUAL(domctl(), 0);
        CU_ASSERT_EQUAL(copy_from_guest(current, &c, CTX_VA, sizeof(c)), 0);
        CU_ASSERT_EQUAL(c.user_regs.eip, d->vcpu[0].regs.eip);
        CU_ASSERT_EQUAL(c.user_regs.esi, d->vcpu[0].regs.esi);
        CU_ASSERT_EQUAL(xen_cr3_to_pfn(c.ctrlreg[3]), (uint32_t)(d->vcpu[0].cr3 >> PAGE_SHIFT));
        CU_ASSERT(c.flags & VGCF_online);
        op.u.vcpucontext.vcpu = 1;
        CU_ASSERT_EQUAL(domctl(), -EINVAL);             /* it has one */
        op_init(XEN_DOMCTL_getvcpucontext, 0);
        op.u.vcpucontext.ctxt = CTX_VA;
        CU_ASSERT_EQUAL(domctl(), -EINVAL);             /* itself */
    }

    /* bvt and the name. */
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_pvx_getinfo, dom), 0);
    CU_ASSERT_STRING_EQUAL(op.u.pvx_getinfo.name, "guest");
    CU_ASSERT_EQUAL(op.u.pvx_getinfo.state, DOMAIN_RUNNING);
}

static void test_setvcpucontext(void)
{
    struct vcpu_guest_context c;
    struct domain *d;
    uint32_t dom;

    boot();
    CU_ASSERT_EQUAL(create(0, 2), 0);
    dom = op.domain;
    d = domain_lookup((uint16_t)dom);
    CU_ASSERT_EQUAL(max_mem(dom, 4096), 0);
    CU_ASSERT_EQUAL(build(dom, (uint32_t)image_len, 0, NULL, "two"), 0);

    /* vCPU 1 from vCPU 0's context, as VCPUOP_initialise would take it. */
    op_init(XEN_DOMCTL_getvcpucontext, dom);
    op.u.vcpucontext.ctxt = CTX_VA;
    CU_ASSERT_EQUAL(domctl(), 0);
    op_init(XEN_DOMCTL_getvcpucontext, dom);
    op.u.vcpucontext.vcpu = 1;
    op.u.vcpucontext.ctxt = CTX_VA;
    CU_ASSERT_EQUAL(domctl(), -ENODATA);
    CU_ASSERT_EQUAL(copy_from_guest(current, &c, CTX_VA, sizeof(c)), 0);

    c.ldt_ents = 8193;                                  /* bad: refused, nothing taken */
    CU_ASSERT_EQUAL(copy_to_guest(current, CTX_VA, &c, sizeof(c)), 0);
    op_init(XEN_DOMCTL_setvcpucontext, dom);
    op.u.vcpucontext.vcpu = 1;
    op.u.vcpucontext.ctxt = CTX_VA;
    CU_ASSERT_EQUAL(domctl(), -EINVAL);
    CU_ASSERT_FALSE(d->vcpu[1].initialised);
    c.ldt_ents = 0;
    CU_ASSERT_EQUAL(copy_to_guest(current, CTX_VA, &c, sizeof(c)), 0);
    op_init(XEN_DOMCTL_setvcpucontext, dom);
    op.u.vcpucontext.vcpu = 1;
    op.u.vcpucontext.ctxt = CTX_VA;
    CU_ASSERT_EQUAL(domctl(), 0);
    CU_ASSERT(d->vcpu[1].initialised);
    CU_ASSERT_EQUAL(d->vcpu[1].cr3, d->vcpu[0].cr3);
    CU_ASSERT_EQUAL(d->vcpu[1].regs.eip, d->vcpu[0].regs.eip);
    CU_ASSERT_EQUAL(domctl(), -EEXIST);
    op_init(XEN_DOMCTL_setvcpucontext, dom);
    op.u.vcpucontext.vcpu = 2;
    op.u.vcpucontext.ctxt = CTX_VA;
    CU_ASSERT_EQUAL(domctl(), -EINVAL);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

static void test_lifecycle(void)
{
    struct domain *d;
    unsigned int free0;
    uint32_t dom;

    boot();
    free0 = frame_free_count();
    dom = make_domain();
    d = domain_lookup((uint16_t)dom);
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_unpausedomain, dom), 0);

    /* It shuts itself down: kept, shut down with its reason, until destroyed. */
    fixture_become(&d->vcpu[0]);
    {
        struct sched_shutdown s = { .reason = SHUTDOWN_reboot };

        CU_ASSERT_EQUAL(copy_to_guest(current, 0x380000, &s, sizeof(s)), 0);
        unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_shutdown, 0x380000, 0, 0, 0);
    }
    fixture_become(&domain_lookup(0)->vcpu[0]);
    CU_ASSERT_PTR_EQUAL(domain_lookup((uint16_t)dom), d);
    CU_ASSERT_EQUAL(d->state, DOMAIN_SHUTDOWN);
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_getdomaininfo, dom), 0);
    CU_ASSERT(op.u.getdomaininfo.flags & XEN_DOMINF_shutdown);
    CU_ASSERT_EQUAL((op.u.getdomaininfo.flags >> XEN_DOMINF_shutdownshift) &
                    XEN_DOMINF_shutdownmask, SHUTDOWN_reboot);

    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_destroydomain, 0), -EINVAL);
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_destroydomain, dom), 0);
    CU_ASSERT_PTR_NULL(domain_lookup((uint16_t)dom));
    CU_ASSERT_EQUAL(frame_free_count(), free0);
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_destroydomain, dom), -ESRCH);

    /* A running one destroyed; one stopped by dom0 (remote shutdown). */
    dom = make_domain();
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_unpausedomain, dom), 0);
    {
        struct sched_remote_shutdown rs = { .domain_id = (domid_t)dom, .reason = SHUTDOWN_crash };

        CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &rs, sizeof(rs)), 0);
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_remote_shutdown, BUF_VA,
                                       0, 0, 0), 0);
        CU_ASSERT_EQUAL(domain_lookup((uint16_t)dom)->state, DOMAIN_SHUTDOWN);
        CU_ASSERT_EQUAL(domain_lookup((uint16_t)dom)->shutdown_code, SHUTDOWN_crash);
        rs.domain_id = 0;
        CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &rs, sizeof(rs)), 0);
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_remote_shutdown, BUF_VA,
                                       0, 0, 0), -EINVAL);
        rs.domain_id = 77;
        CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &rs, sizeof(rs)), 0);
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_remote_shutdown, BUF_VA,
                                       0, 0, 0), -ESRCH);
    }
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_destroydomain, dom), 0);
    /* A paused one shut down, then destroyed. */
    dom = make_domain();
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_unpausedomain, dom), 0);
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_pausedomain, dom), 0);
    {
        struct sched_remote_shutdown rs = { .domain_id = (domid_t)dom, .reason = SHUTDOWN_poweroff };

        CU_ASSERT_EQUAL(copy_to_guest(current, BUF_VA, &rs, sizeof(rs)), 0);
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_remote_shutdown, BUF_VA,
                                       0, 0, 0), 0);
    }
    CU_ASSERT_EQUAL(domain_lookup((uint16_t)dom)->state, DOMAIN_SHUTDOWN);
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_unpausedomain, dom), 0);     /* it stays stopped */
    CU_ASSERT(domain_lookup((uint16_t)dom)->vcpu[0].sched.down);
    CU_ASSERT_EQUAL(domain_lookup((uint16_t)dom)->state, DOMAIN_SHUTDOWN);
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_destroydomain, dom), 0);
    dom = make_domain();
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_unpausedomain, dom), 0);
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_destroydomain, dom), 0);
    CU_ASSERT_PTR_NULL(domain_lookup((uint16_t)dom));
    CU_ASSERT_EQUAL(frame_free_count(), free0);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* Every op from an unprivileged domain: -EPERM, and memory as it was. */
static void test_eperm(void)
{
    static const uint32_t cmds[] = {
        XEN_DOMCTL_createdomain, XEN_DOMCTL_destroydomain, XEN_DOMCTL_pausedomain,
        XEN_DOMCTL_unpausedomain, XEN_DOMCTL_getdomaininfo, XEN_DOMCTL_max_mem,
        XEN_DOMCTL_setvcpucontext, XEN_DOMCTL_getvcpucontext, XEN_DOMCTL_max_vcpus,
        XEN_DOMCTL_pvx_bvt_set, XEN_DOMCTL_pvx_bvt_get, XEN_DOMCTL_pvx_getinfo,
        XEN_DOMCTL_pvx_build,
    };
    static const uint32_t scmds[] = {
        XEN_SYSCTL_readconsole, XEN_SYSCTL_physinfo, XEN_SYSCTL_sched_id,
        XEN_SYSCTL_getdomaininfolist,
    };
    struct domain *d;
    uint64_t h;
    uint32_t dom;

    boot();
    dom = make_domain();
    d = domain_lookup((uint16_t)dom);
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_unpausedomain, dom), 0);
    fixture_become(&d->vcpu[0]);
    for ( unsigned int i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++ )
    {
        op_init(cmds[i], 0);
        op.u.createdomain.max_vcpus = 1;
        CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, 0x380000, &op, sizeof(op)), 0);
        h = unit_mem_hash();
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_domctl, 0x380000, 0, 0, 0, 0), -EPERM);
        CU_ASSERT_EQUAL(unit_mem_hash(), h);
    }
    for ( unsigned int i = 0; i < sizeof(scmds) / sizeof(scmds[0]); i++ )
    {
        struct xen_sysctl s = { .cmd = scmds[i], .interface_version = XEN_SYSCTL_INTERFACE_VERSION };

        CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, 0x380000, &s, sizeof(s)), 0);
        h = unit_mem_hash();
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sysctl, 0x380000, 0, 0, 0, 0), -EPERM);
        CU_ASSERT_EQUAL(unit_mem_hash(), h);
    }
    {
        struct sched_remote_shutdown rs = { .domain_id = 0, .reason = 0 };

        CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, 0x380000, &rs, sizeof(rs)), 0);
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_remote_shutdown, 0x380000,
                                       0, 0, 0), -EPERM);
    }
    CU_ASSERT_EQUAL(domain_lookup(0)->state, DOMAIN_RUNNING);
    CU_ASSERT_PTR_NULL(domain_lookup((uint16_t)dom + 1));
    fixture_become(&domain_lookup(0)->vcpu[0]);
}

static void test_sysctl_lists(void)
{
    struct xen_domctl_getdomaininfo infos[4];
    struct xen_sysctl s;
    char log[512];

    boot();
    CU_ASSERT_EQUAL(create(0, 1), 0);
    (void)make_domain();

    memset(&s, 0, sizeof(s));
    s.cmd = XEN_SYSCTL_getdomaininfolist;
    s.interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    s.u.getdomaininfolist.first_domain = 0;
    s.u.getdomaininfolist.max_domains = 4;
    s.u.getdomaininfolist.buffer = BUF_VA;
    CU_ASSERT_EQUAL(sysctl(&s), 0);
    CU_ASSERT_EQUAL(s.u.getdomaininfolist.num_domains, 3);
    CU_ASSERT_EQUAL(copy_from_guest(current, infos, BUF_VA, sizeof(infos)), 0);
    CU_ASSERT_EQUAL(infos[0].domain, 0);
    CU_ASSERT_EQUAL(infos[1].domain, 1);
    CU_ASSERT_EQUAL(infos[1].tot_pages, 0);
    CU_ASSERT_EQUAL(infos[2].domain, 2);
    CU_ASSERT_EQUAL(infos[2].tot_pages, 1024);
    s.u.getdomaininfolist.first_domain = 2;
    CU_ASSERT_EQUAL(sysctl(&s), 0);
    CU_ASSERT_EQUAL(s.u.getdomaininfolist.num_domains, 1);
    s.u.getdomaininfolist.buffer = 0xfffff000u;             /* the hypervisor's */
    CU_ASSERT_EQUAL(sysctl(&s), -EFAULT);

    /* The log ring: the boot's lines, then only what is new. */
    memset(&s, 0, sizeof(s));
    s.cmd = XEN_SYSCTL_readconsole;
    s.interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    s.u.readconsole.buffer = BUF_VA;
    s.u.readconsole.count = 64;
    CU_ASSERT_EQUAL(sysctl(&s), 0);
    CU_ASSERT_EQUAL(s.u.readconsole.count, 64);
    memset(log, 0, sizeof(log));
    CU_ASSERT_EQUAL(copy_from_guest(current, log, BUF_VA, 64), 0);
    CU_ASSERT_EQUAL(strncmp(log, "(pvx) pvx ", 10), 0);
    s.u.readconsole.incremental = 1;
    s.u.readconsole.count = 100000;
    s.u.readconsole.clear = 1;
    CU_ASSERT_EQUAL(sysctl(&s), 0);                         /* the rest, and clear */
    CU_ASSERT(s.u.readconsole.count > 0);
    s.u.readconsole.incremental = 0;
    s.u.readconsole.count = 100;
    CU_ASSERT_EQUAL(sysctl(&s), 0);
    CU_ASSERT_EQUAL(s.u.readconsole.count, 0);              /* cleared */
    CU_ASSERT_EQUAL(create(0, 1), 0);
    s.u.readconsole.count = 100;
    CU_ASSERT_EQUAL(sysctl(&s), 0);
    memset(log, 0, sizeof(log));
    CU_ASSERT_EQUAL(copy_from_guest(current, log, BUF_VA, s.u.readconsole.count), 0);
    CU_ASSERT_EQUAL(strncmp(log, "(pvx) domain 3 created by domain 0\n", 35), 0);

    memset(&s, 0, sizeof(s));
    s.cmd = XEN_SYSCTL_sched_id;
    s.interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    CU_ASSERT_EQUAL(sysctl(&s), 0);
    CU_ASSERT_EQUAL(s.u.sched_id.sched_id, XEN_SCHEDULER_PVX_BVT);
}

/* ------------------------------------------------------------------------
 * Foreign mappings: dom0 maps a frame of another domain (mmu_update with a
 * foreigndom), counted by the audit, kept past the owner's death.
 */

#define MAP_VA      0x3a6000u

/* The machine address of dom0's L1 entry for va. */
static uint64_t l1e_addr(uint32_t va)
{
    const uint64_t *l3 = (const uint64_t *)(fake_mem + (size_t)(current->cr3 >> PAGE_SHIFT) * PAGE_SIZE);
    uint64_t e3 = l3[va >> 30], e2;
    const uint64_t *l2 = (const uint64_t *)(fake_mem + (size_t)((e3 & PTE_ADDR_MASK) >> PAGE_SHIFT) *
                                            PAGE_SIZE);

    e2 = l2[(va >> 21) & 511];
    return (e2 & PTE_ADDR_MASK) + ((va >> 12) & 511) * 8;
}

static long map_foreign(uint64_t ptr, uint64_t val, uint32_t foreigndom)
{
    struct mmu_update req = { .ptr = ptr, .val = val };

    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, BUF_VA, &req, sizeof(req)), 0);
    return unit_hypercall(__HYPERVISOR_mmu_update, BUF_VA, 1, 0, foreigndom, 0);
}

static void test_foreign_map(void)
{
    uint64_t ptr = 0, h;
    struct domain *d, *d0;
    unsigned int free0, refs, types;
    mfn_t cm, l1_of_d1, own;
    uint32_t dom;

    boot();
    d0 = domain_lookup(0);
    ptr = l1e_addr(MAP_VA);
    free0 = frame_free_count();
    dom = make_domain();
    d = domain_lookup((uint16_t)dom);
    cm = (mfn_t)op.u.pvx_build.console_mfn;
    l1_of_d1 = (mfn_t)(((uint64_t *)(fake_mem + (size_t)(d->vcpu[0].cr3 >> PAGE_SHIFT) *
                                     PAGE_SIZE))[0] >> PAGE_SHIFT);
    l1_of_d1 = (mfn_t)((((uint64_t *)(fake_mem + (size_t)l1_of_d1 * PAGE_SIZE))[0] &
                        PTE_ADDR_MASK) >> PAGE_SHIFT);
    own = (mfn_t)((((uint64_t *)(fake_mem + (size_t)((ptr & PTE_ADDR_MASK) >> PAGE_SHIFT) *
                                  PAGE_SIZE))[0] & PTE_ADDR_MASK) >> PAGE_SHIFT);
    refs = frame_of(cm)->ref_count;
    types = frame_of(cm)->type_count;

    /* Refusals first: each leaves the entry and the counts as they were. */
    h = ((uint64_t *)(fake_mem + (size_t)(ptr & PTE_ADDR_MASK)))[0];
    CU_ASSERT_EQUAL(map_foreign(ptr, ((uint64_t)own << 12) | 0x63, dom), -EBUSY);  /* dom0's */
    CU_ASSERT_EQUAL(map_foreign(ptr, ((uint64_t)l1_of_d1 << 12) | 0x63, dom), -EBUSY); /* a table, rw */
    CU_ASSERT_EQUAL(map_foreign(ptr, ((uint64_t)cm << 12) | 0x63, 77), -ESRCH);
    CU_ASSERT_EQUAL(map_foreign(ptr, ((uint64_t)cm << 12) | 0x63, DOMID_IO), -EPERM);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_mmuext_op, BUF_VA, 0, 0, dom, 0), -EPERM);
    fault_foreign_map.fail_nth = (uint32_t)fault_foreign_map.calls + 1;
    CU_ASSERT_EQUAL(map_foreign(ptr, ((uint64_t)cm << 12) | 0x63, dom), -ENOMEM);
    CU_ASSERT_EQUAL(((uint64_t *)(fake_mem + (size_t)(ptr & PTE_ADDR_MASK)))[0], h);
    CU_ASSERT_EQUAL(frame_of(cm)->ref_count, refs);
    /* The domain itself may not name dom0 (nor anyone). */
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_unpausedomain, dom), 0);
    fixture_become(&d->vcpu[0]);
    CU_ASSERT_EQUAL(map_foreign(0, 0, 0), -EPERM);
    fixture_become(&d0->vcpu[0]);

    /* A read-only mapping of its page table, a writable one of its console
     * page: each a reference the audit counts. */
    CU_ASSERT_EQUAL(map_foreign(ptr, ((uint64_t)l1_of_d1 << 12) | 0x61, dom), 0);
    CU_ASSERT_EQUAL(map_foreign(ptr, ((uint64_t)cm << 12) | 0x63, dom), 0);
    CU_ASSERT_EQUAL(frame_of(cm)->ref_count, refs + 1);
    CU_ASSERT_EQUAL(frame_of(cm)->type_count, types + 1);
    CU_ASSERT_EQUAL(audit_frames(), 0);

    /* The owner dies first: the frame stays, the domain is dying, the slot
     * taken, until dom0 unmaps it; then everything is back. */
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_destroydomain, dom), 0);
    CU_ASSERT_PTR_EQUAL(domain_lookup((uint16_t)dom), d);
    CU_ASSERT(d->is_dying);
    CU_ASSERT_EQUAL(frame_of(cm)->owner, dom);
    CU_ASSERT_EQUAL(frame_free_count(), free0 - 1);
    CU_ASSERT_EQUAL(audit_frames(), 0);
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_getdomaininfo, dom), 0);
    CU_ASSERT(op.u.getdomaininfo.flags & XEN_DOMINF_dying);
    CU_ASSERT_EQUAL(op.u.getdomaininfo.tot_pages, 1);
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_unpausedomain, dom), -EINVAL);
    CU_ASSERT_EQUAL(map_foreign(ptr + 8, ((uint64_t)cm << 12) | 0x61, dom), -EPERM); /* no new ones */
    CU_ASSERT_EQUAL(map_foreign(ptr, 0, DOMID_SELF), 0);
    CU_ASSERT_PTR_NULL(domain_lookup((uint16_t)dom));
    CU_ASSERT_EQUAL(frame_free_count(), free0);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* A domain destroyed in the middle of a long hypercall (a continuation
 * pending) and with a channel bound to dom0: everything back, dom0's end
 * unbound, its other channels working. */
static void test_destroy_midway(void)
{
    struct evtchn_bind_interdomain bi;
    struct evtchn_status st;
    struct domain *d;
    unsigned int free0;
    uint32_t dom;
    long port, rc;

    boot();
    free0 = frame_free_count();
    dom = make_domain();
    d = domain_lookup((uint16_t)dom);
    port = alloc_unbound(dom);
    CU_ASSERT_FATAL(port > 0);
    bi = (struct evtchn_bind_interdomain){ .remote_dom = (domid_t)dom, .remote_port = (uint32_t)port };
    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, BUF_VA, &bi, sizeof(bi)), 0);
    CU_ASSERT_EQUAL_FATAL(unit_hypercall(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_interdomain,
                                         BUF_VA, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &bi, BUF_VA, sizeof(bi)), 0);
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_unpausedomain, dom), 0);

    /* Its console_io write of 64 KiB stops after 4 KiB with a continuation. */
    fixture_become(&d->vcpu[0]);
    rc = unit_hypercall(__HYPERVISOR_console_io, CONSOLEIO_write, 0x10000, 0x100000, 0, 0);
    CU_ASSERT_EQUAL(rc, __HYPERVISOR_console_io);
    fixture_become(&domain_lookup(0)->vcpu[0]);

    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_destroydomain, dom), 0);
    CU_ASSERT_PTR_NULL(domain_lookup((uint16_t)dom));
    CU_ASSERT_EQUAL(frame_free_count(), free0);
    CU_ASSERT_EQUAL(audit_frames(), 0);
    st = (struct evtchn_status){ .dom = DOMID_SELF, .port = bi.local_port };
    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, BUF_VA, &st, sizeof(st)), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_event_channel_op, EVTCHNOP_status, BUF_VA, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &st, BUF_VA, sizeof(st)), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    /* dom0 goes on: a new domain, built and run. */
    dom = make_domain();
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_unpausedomain, dom), 0);
    CU_ASSERT_EQUAL(audit_frames(), 0);
}

/* ------------------------------------------------------------------------
 * Console input: CONSOLEIO_read and VIRQ_CONSOLE.
 */

static long console_read(uint32_t count, uint32_t buf)
{
    return unit_hypercall(__HYPERVISOR_console_io, CONSOLEIO_read, count, buf, 0, 0);
}

static void test_console_input(void)
{
    struct evtchn_bind_virq b = { .virq = VIRQ_CONSOLE, .vcpu = 0 };
    char got[16];
    uint32_t dom;

    boot();
    memcpy(fake_input, "ls\nabc", 6);
    fake_input_len = 6;
    CU_ASSERT_EQUAL(console_read(3, BUF_VA), 3);
    CU_ASSERT_EQUAL(copy_from_guest(current, got, BUF_VA, 3), 0);
    CU_ASSERT_EQUAL(memcmp(got, "ls\n", 3), 0);
    /* A refusal takes nothing: the rest is still there. */
    CU_ASSERT_EQUAL(console_read(8, 0xfffff000u), -EFAULT);
    dom = make_domain();
    CU_ASSERT_EQUAL(simple(XEN_DOMCTL_unpausedomain, dom), 0);
    fixture_become(&domain_lookup((uint16_t)dom)->vcpu[0]);
    CU_ASSERT_EQUAL(console_read(8, BUF_VA), -EPERM);
    fixture_become(&domain_lookup(0)->vcpu[0]);
    CU_ASSERT_EQUAL(console_read(8, BUF_VA), 3);
    CU_ASSERT_EQUAL(copy_from_guest(current, got, BUF_VA, 3), 0);
    CU_ASSERT_EQUAL(memcmp(got, "abc", 3), 0);
    CU_ASSERT_EQUAL(console_read(8, BUF_VA), 0);

    /* Unbound, the timer leaves input where it is; bound, it raises VIRQ_CONSOLE. */
    memcpy(fake_input, "x\n", 2);
    fake_input_len = 2;
    core_timer_interrupt(NULL);
    CU_ASSERT_EQUAL(fake_input_len, 2);
    CU_ASSERT_EQUAL_FATAL(copy_to_guest(current, BUF_VA, &b, sizeof(b)), 0);
    CU_ASSERT_EQUAL_FATAL(unit_hypercall(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, BUF_VA,
                                         0, 0, 0), 0);
    CU_ASSERT_EQUAL(copy_from_guest(current, &b, BUF_VA, sizeof(b)), 0);
    CU_ASSERT_FALSE(evtchn_is_pending(domain_lookup(0), b.port));
    core_timer_interrupt(NULL);
    CU_ASSERT_EQUAL(fake_input_len, 0);
    CU_ASSERT(evtchn_is_pending(domain_lookup(0), b.port));
    CU_ASSERT_EQUAL(console_read(8, BUF_VA), 2);
}

/* 1,000 domains made, built, run and destroyed: everything back. */
static void test_thousand(void)
{
    unsigned int free0, max_id = 0;

    boot();
    free0 = frame_free_count();
    for ( unsigned int i = 0; i < 1000; i++ )
    {
        uint32_t dom = make_domain();

        max_id = dom > max_id ? dom : max_id;
        CU_ASSERT_EQUAL(simple(XEN_DOMCTL_unpausedomain, dom), 0);
        CU_ASSERT_EQUAL(simple(XEN_DOMCTL_destroydomain, dom), 0);
    }
    CU_ASSERT_EQUAL(max_id, 1000);                          /* the rover went round */
    CU_ASSERT_EQUAL(frame_free_count(), free0);
    CU_ASSERT_EQUAL(audit_frames(), 0);
    for ( unsigned int id = 1; id < MAX_DOMAINS; id++ )
        CU_ASSERT_PTR_NULL(domain_lookup((uint16_t)id));
}

void unit_register_control(void)
{
    CU_pSuite s = CU_add_suite("control", NULL, NULL);

    CU_add_test(s, "createdomain", test_create);
    CU_add_test(s, "version, unknown op, physinfo", test_version_and_unknown);
    CU_add_test(s, "pvx_build", test_build);
    CU_add_test(s, "pause, unpause, getdomaininfo, getvcpucontext", test_pause_run_info);
    CU_add_test(s, "setvcpucontext", test_setvcpucontext);
    CU_add_test(s, "shutdown kept, destroy, remote shutdown", test_lifecycle);
    CU_add_test(s, "unprivileged: -EPERM, nothing changed", test_eperm);
    CU_add_test(s, "getdomaininfolist, readconsole, sched_id", test_sysctl_lists);
    CU_add_test(s, "foreign mappings", test_foreign_map);
    CU_add_test(s, "destroyed mid-hypercall, with a channel to dom0", test_destroy_midway);
    CU_add_test(s, "console input: CONSOLEIO_read, VIRQ_CONSOLE", test_console_input);
    CU_add_test(s, "1,000 domains", test_thousand);
}
