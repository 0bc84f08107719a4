/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_hypercall.c - dispatch bounds, console_io, xen_version, sched_op and
 * guest memory access. Every refused call must leave memory as it was.
 */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/layout.h>
#include <public/features.h>
#include <public/sched.h>
#include <public/version.h>
#include <public/xen.h>

#define BAD_PTRS_N 5
static const uint32_t bad_ptrs[BAD_PTRS_N] = {
    0x00400000,         /* past v_end: not mapped */
    0xF5800000,         /* the M2P: hypervisor area */
    0xF6800000,         /* the arch's area */
    0xFFFFFFF0,         /* the top, and wraps */
    0x00108000,         /* page tables: mapped, but read-only (bad for writes) */
};

static void test_dispatch_bounds(void)
{
    static const uint32_t unimplemented[] = {
        __HYPERVISOR_xsm_op, __HYPERVISOR_dm_op, 28, 31,
        NR_HYPERCALLS - 1, NR_HYPERCALLS, NR_HYPERCALLS + 1, 0x80000000u, 0xffffffffu,
    };

    unit_boot_default();
    for ( size_t i = 0; i < sizeof(unimplemented) / sizeof(unimplemented[0]); i++ )
    {
        struct cpu_regs before = current->regs;
        uint64_t h = unit_mem_hash();
        long rc = unit_hypercall(unimplemented[i], 1, 2, 3, 4, 5);

        CU_ASSERT_EQUAL(rc, -ENOSYS);
        CU_ASSERT_EQUAL(h, unit_mem_hash());
        CU_ASSERT_EQUAL(current->regs.ebx, 1);
        CU_ASSERT_EQUAL(current->regs.edi, 5);
        CU_ASSERT_EQUAL(current->regs.eip, before.eip + 2);
    }
    CU_ASSERT_PTR_NULL(hypercall_lookup(NR_HYPERCALLS));
    CU_ASSERT_PTR_NULL(hypercall_lookup(0xffffffffu));
    CU_ASSERT_PTR_NOT_NULL(hypercall_lookup(__HYPERVISOR_console_io));
    CU_ASSERT_STRING_EQUAL(hypercall_name(__HYPERVISOR_mmuext_op), "mmuext_op");
    CU_ASSERT_PTR_NULL(hypercall_name(0xffffffffu));
}

static void test_hypercall_from_ring3_is_gp(void)
{
    struct cpu_regs r;
    int st;

    unit_boot_default();
    r = current->regs;
    r.cs = FLAT_RING3_CS;
    r.eax = __HYPERVISOR_xen_version;
    st = FAKE_RUN(core_hypercall(&r));
    CU_ASSERT_EQUAL(st, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(fake_console, "(pvx) domain 0 crashed: #GP 13 (error 0x412)"));
}

static void test_unhandled_trap_kills_domain(void)
{
    struct cpu_regs r;
    int st;

    unit_boot_default();
    r = current->regs;
    r.entry_vector = 14;
    r.error_code = 2;
    st = FAKE_RUN(core_trap(&r, 0xdead000));
    CU_ASSERT_EQUAL(st, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(fake_console, "crashed: #PF (error 0x2, cr2 0xdead000)"));
}

static void test_console_write(void)
{
    unit_boot_default();
    CU_ASSERT_EQUAL(copy_to_guest(current, UNIT_SCRATCH_VA, "hello, console\n", 15), 0);
    fake_console_len = 0;
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_console_io, CONSOLEIO_write, 15,
                                   UNIT_SCRATCH_VA, 0, 0), 0);
    CU_ASSERT_STRING_EQUAL(fake_console, "hello, console\n");
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_console_io, CONSOLEIO_write, 0, 0, 0, 0), 0);
    /* Read-only memory is fine to print from. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_console_io, CONSOLEIO_write, 1, 0x108000, 0, 0), 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_console_io, 7, 1, UNIT_SCRATCH_VA, 0, 0), -EINVAL);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_console_io, CONSOLEIO_read, 16, UNIT_SCRATCH_VA, 0, 0), 0);
}

static void test_console_write_bad_buffer(void)
{
    unit_boot_default();
    for ( int i = 0; i < BAD_PTRS_N - 1; i++ )
    {
        uint64_t h = unit_mem_hash();

        fake_console_len = 0;
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_console_io, CONSOLEIO_write, 16,
                                       bad_ptrs[i], 0, 0), -EFAULT);
        CU_ASSERT_EQUAL(fake_console_len, 0);
        CU_ASSERT_EQUAL(h, unit_mem_hash());
    }
    /* A buffer that runs off the end of the mapping prints nothing at all
     * (Xen's chunked copy prints what it could, then fails). */
    fake_console_len = 0;
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_console_io, CONSOLEIO_write, 0x1000,
                                   0x3fff00, 0, 0), -EFAULT);
    CU_ASSERT_EQUAL(fake_console_len, 0);
}

static void test_console_write_continues(void)
{
    struct cpu_regs before;

    unit_boot_default();
    before = current->regs;
    fake_console_len = 0;
    /* 10000 bytes: the first call prints 4096 and re-arms itself. */
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_console_io, CONSOLEIO_write, 10000,
                                   0x100000, 0, 0), __HYPERVISOR_console_io);
    CU_ASSERT_EQUAL(current->regs.eip, before.eip);      /* back on "int $0x82" */
    CU_ASSERT_EQUAL(current->regs.ebx, CONSOLEIO_write);
    CU_ASSERT_EQUAL(current->regs.ecx, 10000 - 4096);
    CU_ASSERT_EQUAL(current->regs.edx, 0x100000 + 4096);
    CU_ASSERT_EQUAL(fake_console_len, 4096);
}

/*
 * The lazy entry (the simulator's): a frame with only eax and cs read. The
 * core reads what it needs from the "CPU" (fake_live_regs) and leaves the
 * rest missing; anything that needs the whole frame fills it first.
 */
#define LAZY_KEEP (REGS_FIELD(eax) | REGS_FIELD(cs) | REGS_FIELD(esp_pusha) | \
                   REGS_FIELD(entry_vector) | REGS_FIELD(error_code))

static uint32_t lazy_call(struct cpu_regs *out, uint32_t nr, uint32_t a1, uint32_t a2,
                          uint32_t a3)
{
    struct cpu_regs f;
    uint32_t missing = 0;
    int st;

    fake_live_regs = current->regs;
    fake_live_regs.eax = nr;
    fake_live_regs.ebx = a1; fake_live_regs.ecx = a2; fake_live_regs.edx = a3;
    fake_live_regs.esi = 0xdead0004; fake_live_regs.edi = 0xdead0005;
    fake_live_regs.eip += 2;
    memset(&f, 0xa5, sizeof(f));
    f.eax = nr;
    f.cs = fake_live_regs.cs;
    f.esp_pusha = f.entry_vector = f.error_code = 0;
    fake_regs_filled = 0;
    st = fixture_hypercall_lazy(&f, REGS_ALL & ~LAZY_KEEP, &missing);
    CU_ASSERT_EQUAL(st, -1);
    *out = f;
    return missing;
}

static void test_lazy_entry(void)
{
    const uint32_t args2 = REGS_FIELD(ebx) | REGS_FIELD(ecx);
    struct cpu_regs f;
    uint32_t missing;

    unit_boot_default();

    /* Positive: a null hypercall reads its two arguments and nothing else;
     * every other register stays the CPU's. */
    missing = lazy_call(&f, __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    CU_ASSERT_EQUAL(f.eax, (4u << 16) | 17);          /* 4.17 */
    CU_ASSERT_EQUAL(fake_regs_filled, args2);
    CU_ASSERT_EQUAL(missing, REGS_ALL & ~LAZY_KEEP & ~args2);
    CU_ASSERT_EQUAL(current->regs_missing, missing);

    /* A refused call reads as little. */
    missing = lazy_call(&f, __HYPERVISOR_xen_version, XENVER_extraversion, 0xF5800000u, 0);
    CU_ASSERT_EQUAL((int32_t)f.eax, -EFAULT);
    CU_ASSERT_EQUAL(fake_regs_filled, args2);

    /* An unknown number reads no argument at all. */
    missing = lazy_call(&f, 63, 1, 2, 3);
    CU_ASSERT_EQUAL((int32_t)f.eax, -ENOSYS);
    CU_ASSERT_EQUAL(fake_regs_filled, 0);

    /* A continuation rewrites arguments and eip: the whole frame is read
     * first and nothing is left missing. */
    fake_console_len = 0;
    missing = lazy_call(&f, __HYPERVISOR_console_io, CONSOLEIO_write, 10000, 0x100000);
    CU_ASSERT_EQUAL(missing, 0);
    CU_ASSERT_EQUAL(fake_regs_filled, REGS_ALL & ~LAZY_KEEP);
    CU_ASSERT_EQUAL(f.eip, fake_live_regs.eip - 2);
    CU_ASSERT_EQUAL(f.ecx, 10000 - 4096);
    CU_ASSERT_EQUAL(f.esi, 0xdead0004);            /* read, not invented */

    /* The next whole-frame entry leaves nothing missing. */
    {
        struct cpu_regs r = current->regs;

        (void)lazy_call(&f, __HYPERVISOR_xen_version, XENVER_version, 0, 0);
        CU_ASSERT_NOT_EQUAL(current->regs_missing, 0);
        r.eax = __HYPERVISOR_xen_version;
        r.ebx = XENVER_version;
        CU_ASSERT_EQUAL(FAKE_RUN(core_hypercall(&r)), -1);
        CU_ASSERT_EQUAL(current->regs_missing, 0);
    }
}

static void test_lazy_entry_from_ring3(void)
{
    struct cpu_regs f;
    int st;

    /* Negative: from ring 3 the whole frame is read to deliver the #GP. */
    unit_boot_default();
    fake_live_regs = current->regs;
    fake_live_regs.cs = FLAT_RING3_CS;
    memset(&f, 0xa5, sizeof(f));
    f.eax = __HYPERVISOR_xen_version;
    f.cs = FLAT_RING3_CS;
    f.esp_pusha = f.entry_vector = f.error_code = 0;
    fake_regs_filled = 0;
    st = fixture_hypercall_lazy(&f, REGS_ALL & ~LAZY_KEEP, NULL);
    CU_ASSERT_EQUAL(st, 1);
    CU_ASSERT_EQUAL(fake_regs_filled, REGS_ALL & ~LAZY_KEEP);
    CU_ASSERT_PTR_NOT_NULL(strstr(fake_console, "(pvx) domain 0 crashed: #GP 13 (error 0x412)"));
}

static void test_xen_version(void)
{
    char caps[1024], extra[16];
    struct xen_platform_parameters pp;
    struct xen_feature_info fi = { .submap_idx = 0 };

    unit_boot_default();
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0),
                    (4 << 16) | 17);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_xen_version, XENVER_capabilities,
                                   UNIT_SCRATCH_VA, 0, 0, 0), 0);
    copy_from_guest(current, caps, UNIT_SCRATCH_VA, sizeof(caps));
    CU_ASSERT_STRING_EQUAL(caps, "xen-3.0-x86_32p");
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_xen_version, XENVER_extraversion,
                                   UNIT_SCRATCH_VA, 0, 0, 0), 0);
    copy_from_guest(current, extra, UNIT_SCRATCH_VA, sizeof(extra));
    CU_ASSERT_STRING_EQUAL(extra, ".0-pvx");
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_xen_version, XENVER_platform_parameters,
                                   UNIT_SCRATCH_VA, 0, 0, 0), 0);
    copy_from_guest(current, &pp, UNIT_SCRATCH_VA, sizeof(pp));
    CU_ASSERT_EQUAL(pp.virt_start, 0xF5800000);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_xen_version, XENVER_pagesize, 0, 0, 0, 0), 4096);

    copy_to_guest(current, UNIT_SCRATCH_VA, &fi, sizeof(fi));
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_xen_version, XENVER_get_features,
                                   UNIT_SCRATCH_VA, 0, 0, 0), 0);
    copy_from_guest(current, &fi, UNIT_SCRATCH_VA, sizeof(fi));
    CU_ASSERT_EQUAL(fi.submap, 1u << XENFEAT_pae_pgdir_above_4gb);

    /* A submap that does not exist: -EINVAL, nothing written. */
    fi = (struct xen_feature_info){ .submap_idx = 1, .submap = 0x5a5a };
    copy_to_guest(current, UNIT_SCRATCH_VA, &fi, sizeof(fi));
    {
        uint64_t h = unit_mem_hash();

        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_xen_version, XENVER_get_features,
                                       UNIT_SCRATCH_VA, 0, 0, 0), -EINVAL);
        CU_ASSERT_EQUAL(h, unit_mem_hash());
    }
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_xen_version, 99, 0, 0, 0, 0), -ENOSYS);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_xen_version, XENVER_commandline,
                                   UNIT_SCRATCH_VA, 0, 0, 0), 0);
    copy_from_guest(current, caps, UNIT_SCRATCH_VA, sizeof(caps));
    CU_ASSERT_STRING_EQUAL(caps, "dom0_mem=8M");
}

static void test_xen_version_bad_pointers(void)
{
    static const uint32_t cmds[] = {
        XENVER_extraversion, XENVER_compile_info, XENVER_capabilities, XENVER_changeset,
        XENVER_platform_parameters, XENVER_get_features, XENVER_guest_handle,
        XENVER_commandline,
    };

    unit_boot_default();
    for ( size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++ )
        for ( int i = 0; i < BAD_PTRS_N; i++ )
        {
            uint64_t h = unit_mem_hash();
            long rc = unit_hypercall(__HYPERVISOR_xen_version, cmds[c], bad_ptrs[i], 0, 0, 0);
            /* get_features reads first: from a read-only page table it reads
             * a nonzero submap index and refuses that before writing. */
            long want = cmds[c] == XENVER_get_features && bad_ptrs[i] == 0x108000 ? -EINVAL : -EFAULT;

            CU_ASSERT_EQUAL(rc, want);
            CU_ASSERT_EQUAL(h, unit_mem_hash());
            if ( rc != want )
                fprintf(stderr, "\n  xen_version(%u, %#x) = %ld\n", cmds[c], bad_ptrs[i], rc);
        }
}

static void test_sched_op(void)
{
    struct sched_shutdown s;

    unit_boot_default();
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(current->domain->domain_id, 0);
    CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, 77, 0, 0, 0, 0), -ENOSYS);
    for ( int i = 0; i < BAD_PTRS_N - 1; i++ )
        CU_ASSERT_EQUAL(unit_hypercall(__HYPERVISOR_sched_op, SCHEDOP_shutdown,
                                       bad_ptrs[i], 0, 0, 0), -EFAULT);
    CU_ASSERT_EQUAL(current->domain->state, DOMAIN_RUNNING);

    s.reason = SHUTDOWN_poweroff;
    copy_to_guest(current, UNIT_SCRATCH_VA, &s, sizeof(s));
    CU_ASSERT_EQUAL(unit_hypercall_stop(__HYPERVISOR_sched_op, SCHEDOP_shutdown, UNIT_SCRATCH_VA, 0), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(fake_console, "shut down: poweroff"));

    static const uint32_t failing[] = { SHUTDOWN_crash, SHUTDOWN_reboot, SHUTDOWN_watchdog, 200 };
    for ( size_t i = 0; i < sizeof(failing) / sizeof(failing[0]); i++ )
    {
        unit_boot_default();
        s.reason = failing[i];
        copy_to_guest(current, UNIT_SCRATCH_VA, &s, sizeof(s));
        CU_ASSERT_EQUAL(unit_hypercall_stop(__HYPERVISOR_sched_op, SCHEDOP_shutdown,
                                            UNIT_SCRATCH_VA, 0), 1);
    }
}

static void test_guest_access(void)
{
    uint8_t buf[8192], back[8192];
    mfn_t mfn;

    unit_boot_default();
    for ( size_t i = 0; i < sizeof(buf); i++ )
        buf[i] = (uint8_t)(i * 13);
    /* Across a page boundary, both ways. A write is reported to the arch
     * (translated code of those frames must go), a read is not. */
    fake_frames_written = 0;
    CU_ASSERT_EQUAL(copy_to_guest(current, 0x103800, buf, 4096), 0);
    CU_ASSERT_EQUAL(fake_frames_written, 2);
    CU_ASSERT_EQUAL(copy_from_guest(current, back, 0x103800, 4096), 0);
    CU_ASSERT_EQUAL(fake_frames_written, 2);
    CU_ASSERT_EQUAL(memcmp(buf, back, 4096), 0);
    CU_ASSERT_EQUAL(copy_to_guest(current, 0x103000, buf, 0), 0);

    CU_ASSERT_EQUAL(guest_walk(current, 0x108000, false, &mfn), 0);
    CU_ASSERT_EQUAL(guest_walk(current, 0x108000, true, &mfn), -EFAULT);     /* RO table */
    CU_ASSERT_EQUAL(guest_walk(current, 0x400000, false, &mfn), -EFAULT);    /* unmapped */
    CU_ASSERT_EQUAL(guest_walk(current, 0x40000000, false, &mfn), -EFAULT);  /* empty L2 */
    CU_ASSERT_EQUAL(guest_walk(current, 0xF5800000, false, &mfn), -EFAULT);  /* M2P */
    CU_ASSERT_EQUAL(guest_walk(current, 0xFFFFF000, false, &mfn), -EFAULT);
    CU_ASSERT_EQUAL(copy_from_guest(current, back, 0xF57FFFF0, 32), -EFAULT); /* runs into it */
    CU_ASSERT_EQUAL(copy_from_guest(current, back, 0xFFFFFFF0, 32), -EFAULT); /* wraps */
    CU_ASSERT_EQUAL(copy_to_guest(current, 0x107ff0, buf, 32), -EFAULT);     /* into RO tables */
}

void unit_register_hypercall(void)
{
    CU_pSuite s = CU_add_suite("hypercall", NULL, NULL);

    CU_add_test(s, "dispatch bounds: -ENOSYS, nothing changed", test_dispatch_bounds);
    CU_add_test(s, "int $0x82 from ring 3 is #GP", test_hypercall_from_ring3_is_gp);
    CU_add_test(s, "lazy entry: only what the call needs is read", test_lazy_entry);
    CU_add_test(s, "lazy entry from ring 3: the whole frame, then #GP", test_lazy_entry_from_ring3);
    CU_add_test(s, "an unhandled trap kills the domain", test_unhandled_trap_kills_domain);
    CU_add_test(s, "console_io write", test_console_write);
    CU_add_test(s, "console_io bad buffers: -EFAULT", test_console_write_bad_buffer);
    CU_add_test(s, "console_io long write continues", test_console_write_continues);
    CU_add_test(s, "xen_version sub-ops", test_xen_version);
    CU_add_test(s, "xen_version bad pointers: -EFAULT, nothing changed", test_xen_version_bad_pointers);
    CU_add_test(s, "sched_op yield and shutdown", test_sched_op);
    CU_add_test(s, "guest memory access rules", test_guest_access);
}
