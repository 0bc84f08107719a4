/* SPDX-License-Identifier: MIT */
/*
 * public/xen.h - the core of the pvx guest ABI: Xen's x86_32 PAE paravirtual
 * interface ("xen-3.0-x86_32p"). Numbers and layouts are Xen's; the text is
 * ours. Guests of any licence may include these headers.
 *
 * Hypercalls: `int $0x82` with the number in eax and up to five arguments in
 * ebx, ecx, edx, esi, edi; the result (>= 0, or a negative XEN_E* value) comes
 * back in eax. Guests normally call slot nr of the hypercall page instead.
 *
 * The layouts are those of a 32-bit guest. The header also compiles for
 * x86_64 (simulator, unit tests) with identical sizes and offsets, checked by
 * the static asserts below.
 */
#ifndef PVX_PUBLIC_XEN_H
#define PVX_PUBLIC_XEN_H

#include <stddef.h>
#include <stdint.h>

#include "arch-x86_32.h"

/* Hypercall numbers. 11 is unused (it was set_fast_trap). */
#define __HYPERVISOR_set_trap_table         0
#define __HYPERVISOR_mmu_update             1
#define __HYPERVISOR_set_gdt                2
#define __HYPERVISOR_stack_switch           3
#define __HYPERVISOR_set_callbacks          4
#define __HYPERVISOR_fpu_taskswitch         5
#define __HYPERVISOR_sched_op_compat        6
#define __HYPERVISOR_platform_op            7
#define __HYPERVISOR_set_debugreg           8
#define __HYPERVISOR_get_debugreg           9
#define __HYPERVISOR_update_descriptor      10
#define __HYPERVISOR_memory_op              12
#define __HYPERVISOR_multicall              13
#define __HYPERVISOR_update_va_mapping      14
#define __HYPERVISOR_set_timer_op           15
#define __HYPERVISOR_event_channel_op_compat 16
#define __HYPERVISOR_xen_version            17
#define __HYPERVISOR_console_io             18
#define __HYPERVISOR_physdev_op_compat      19
#define __HYPERVISOR_grant_table_op         20
#define __HYPERVISOR_vm_assist              21
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_iret                   23
#define __HYPERVISOR_vcpu_op                24
#define __HYPERVISOR_set_segment_base       25  /* x86_64 guests only */
#define __HYPERVISOR_mmuext_op              26
#define __HYPERVISOR_xsm_op                 27
#define __HYPERVISOR_nmi_op                 28
#define __HYPERVISOR_sched_op               29
#define __HYPERVISOR_callback_op            30
#define __HYPERVISOR_xenoprof_op            31
#define __HYPERVISOR_event_channel_op       32
#define __HYPERVISOR_physdev_op             33
#define __HYPERVISOR_hvm_op                 34
#define __HYPERVISOR_sysctl                 35
#define __HYPERVISOR_domctl                 36
#define __HYPERVISOR_kexec_op               37
#define __HYPERVISOR_tmem_op                38
#define __HYPERVISOR_argo_op                39
#define __HYPERVISOR_xenpmu_op              40
#define __HYPERVISOR_dm_op                  41
#define __HYPERVISOR_hypfs_op               42

/* The hypercall page: one 32-byte stub per hypercall number. */
#define HYPERCALL_PAGE_SLOT_SIZE    32
#define HYPERCALL_PAGE_NR_SLOTS     (4096 / HYPERCALL_PAGE_SLOT_SIZE)

typedef uint16_t domid_t;

/* Domain ids with a special meaning. */
#define DOMID_FIRST_RESERVED    0x7FF0u
#define DOMID_SELF              0x7FF0u
#define DOMID_IO                0x7FF1u
#define DOMID_XEN               0x7FF2u
#define DOMID_COW               0x7FF3u
#define DOMID_INVALID           0x7FF4u
#define DOMID_ANY               0x7FF5u
#define DOMID_IDLE              0x7FFFu
#define DOMID_MASK              0x7FFFu

/* Virtual interrupts, delivered on event channels bound with bind_virq. */
#define VIRQ_TIMER      0   /* per vCPU: timer expired */
#define VIRQ_DEBUG      1   /* per vCPU: dump debug state */
#define VIRQ_CONSOLE    2   /* global: input on the hypervisor console */
#define VIRQ_DOM_EXC    3   /* global: a domain died or needs attention */
#define VIRQ_TBUF       4
#define VIRQ_DEBUGGER   6
#define VIRQ_XENOPROF   7
#define VIRQ_CON_RING   8
#define VIRQ_PCPU_STATE 9
#define VIRQ_MEM_EVENT  10
#define VIRQ_ARGO       11
#define VIRQ_ENOMEM     12
#define VIRQ_XENPMU     13
#define VIRQ_ARCH_0     16
#define NR_VIRQS        24

/*
 * mmu_update: a batch of (ptr, val) requests. The low two bits of ptr select
 * the command; the rest is a machine address.
 */
#define MMU_NORMAL_PT_UPDATE        0   /* checked *ptr = val, ptr: MA of a PTE */
#define MMU_MACHPHYS_UPDATE         1   /* M2P[ptr >> 12] = val */
#define MMU_PT_UPDATE_PRESERVE_AD   2   /* as 0, keeping the old A and D bits */
#define MMU_PT_UPDATE_NO_TRANSLATE  3

struct mmu_update {
    xen_uint64_t ptr;
    xen_uint64_t val;
};
typedef struct mmu_update mmu_update_t;
_Static_assert(sizeof(struct mmu_update) == 16, "mmu_update size");
_Static_assert(offsetof(struct mmu_update, val) == 8, "mmu_update.val");

/* mmuext_op commands. */
#define MMUEXT_PIN_L1_TABLE         0
#define MMUEXT_PIN_L2_TABLE         1
#define MMUEXT_PIN_L3_TABLE         2
#define MMUEXT_PIN_L4_TABLE         3
#define MMUEXT_UNPIN_TABLE          4
#define MMUEXT_NEW_BASEPTR          5
#define MMUEXT_TLB_FLUSH_LOCAL      6
#define MMUEXT_INVLPG_LOCAL         7
#define MMUEXT_TLB_FLUSH_MULTI      8
#define MMUEXT_INVLPG_MULTI         9
#define MMUEXT_TLB_FLUSH_ALL        10
#define MMUEXT_INVLPG_ALL           11
#define MMUEXT_FLUSH_CACHE          12
#define MMUEXT_SET_LDT              13
#define MMUEXT_NEW_USER_BASEPTR     15
#define MMUEXT_CLEAR_PAGE           16
#define MMUEXT_COPY_PAGE            17
#define MMUEXT_FLUSH_CACHE_GLOBAL   18
#define MMUEXT_MARK_SUPER           19
#define MMUEXT_UNMARK_SUPER         20

struct mmuext_op {
    uint32_t cmd;                       /* MMUEXT_* */
    union {
        xen_pfn_t mfn;                  /* pin/unpin, new baseptr, clear/copy page */
        uint32_t  linear_addr;          /* invlpg, set_ldt */
    } arg1;
    union {
        uint32_t           nr_ents;     /* set_ldt */
        xen_guest_handle_t vcpumask;    /* *_MULTI: guest address of a bitmap */
        xen_pfn_t          src_mfn;     /* copy_page */
    } arg2;
};
typedef struct mmuext_op mmuext_op_t;
_Static_assert(sizeof(struct mmuext_op) == 12, "mmuext_op size");
_Static_assert(offsetof(struct mmuext_op, arg1) == 4, "mmuext_op.arg1");
_Static_assert(offsetof(struct mmuext_op, arg2) == 8, "mmuext_op.arg2");

/* update_va_mapping flags: which TLB flush, and on which vCPUs. */
#define UVMF_NONE               0u
#define UVMF_TLB_FLUSH          1u
#define UVMF_INVLPG             2u
#define UVMF_FLUSHTYPE_MASK     3u
#define UVMF_MULTI              0u      /* with a vCPU-mask pointer in the flags */
#define UVMF_LOCAL              0u
#define UVMF_ALL                4u

/* console_io commands. */
#define CONSOLEIO_write         0
#define CONSOLEIO_read          1

/* vm_assist commands and types. */
#define VMASST_CMD_enable                   0
#define VMASST_CMD_disable                  1
#define VMASST_TYPE_4gb_segments            0
#define VMASST_TYPE_4gb_segments_notify     1
#define VMASST_TYPE_writable_pagetables     2
#define VMASST_TYPE_pae_extended_cr3        3
#define VMASST_TYPE_architectural_iopl      4
#define VMASST_TYPE_runstate_update_flag    5
#define VMASST_TYPE_m2p_strict              32

/* multicall: a list of hypercalls, each result written back in place. */
struct multicall_entry {
    uint32_t op;
    uint32_t result;
    uint32_t args[6];
};
typedef struct multicall_entry multicall_entry_t;
_Static_assert(sizeof(struct multicall_entry) == 32, "multicall_entry size");
_Static_assert(offsetof(struct multicall_entry, args) == 8, "multicall_entry.args");

/* 2-level event channels: 32 x 32 bits in shared_info. */
#define EVTCHN_2L_NR_CHANNELS   1024
#define NR_EVENT_CHANNELS       EVTCHN_2L_NR_CHANNELS

/*
 * Per-vCPU time, published by the hypervisor. version is odd while an update
 * is in progress: read it, read the fields, and retry if it changed.
 */
struct vcpu_time_info {
    uint32_t     version;
    uint32_t     pad0;
    xen_uint64_t tsc_timestamp;
    xen_uint64_t system_time;           /* ns since boot at tsc_timestamp */
    uint32_t     tsc_to_system_mul;
    int8_t       tsc_shift;
    uint8_t      flags;                 /* XEN_PVCLOCK_* */
    uint8_t      pad1[2];
};
typedef struct vcpu_time_info vcpu_time_info_t;
_Static_assert(sizeof(struct vcpu_time_info) == 32, "vcpu_time_info size");
_Static_assert(offsetof(struct vcpu_time_info, tsc_timestamp) == 8, "vti.tsc_timestamp");
_Static_assert(offsetof(struct vcpu_time_info, system_time) == 16, "vti.system_time");
_Static_assert(offsetof(struct vcpu_time_info, tsc_to_system_mul) == 24, "vti.mul");
_Static_assert(offsetof(struct vcpu_time_info, tsc_shift) == 28, "vti.tsc_shift");

#define XEN_PVCLOCK_TSC_STABLE_BIT  (1u << 0)
#define XEN_PVCLOCK_GUEST_STOPPED   (1u << 1)

/*
 * Per-vCPU event state. The hypervisor sets upcall_pending and a selector
 * bit; a non-zero upcall_mask holds off the event callback (the virtual IF).
 */
struct vcpu_info {
    uint8_t  evtchn_upcall_pending;
    uint8_t  evtchn_upcall_mask;
    uint8_t  pad0[2];
    uint32_t evtchn_pending_sel;        /* one bit per word of evtchn_pending */
    struct arch_vcpu_info arch;
    struct vcpu_time_info time;
};
typedef struct vcpu_info vcpu_info_t;
_Static_assert(sizeof(struct vcpu_info) == 64, "vcpu_info size");
_Static_assert(offsetof(struct vcpu_info, evtchn_upcall_mask) == 1, "vcpu_info.mask");
_Static_assert(offsetof(struct vcpu_info, evtchn_pending_sel) == 4, "vcpu_info.sel");
_Static_assert(offsetof(struct vcpu_info, arch) == 8, "vcpu_info.arch");
_Static_assert(offsetof(struct vcpu_info, time) == 32, "vcpu_info.time");

/* The shared info page: one per domain, mapped by the guest. */
struct shared_info {
    struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
    uint32_t evtchn_pending[32];        /* bit p: port p is pending */
    uint32_t evtchn_mask[32];           /* bit p: port p raises no upcall */
    uint32_t wc_version;                /* odd while wc_* are being updated */
    uint32_t wc_sec;                    /* wall clock at system time 0 */
    uint32_t wc_nsec;
    struct arch_shared_info arch;       /* x86_32 keeps wc_sec_hi in here */
};
typedef struct shared_info shared_info_t;
_Static_assert(sizeof(struct shared_info) == 2344, "shared_info size");
_Static_assert(offsetof(struct shared_info, evtchn_pending) == 2048, "si.evtchn_pending");
_Static_assert(offsetof(struct shared_info, evtchn_mask) == 2176, "si.evtchn_mask");
_Static_assert(offsetof(struct shared_info, wc_version) == 2304, "si.wc_version");
_Static_assert(offsetof(struct shared_info, wc_sec) == 2308, "si.wc_sec");
_Static_assert(offsetof(struct shared_info, wc_nsec) == 2312, "si.wc_nsec");
_Static_assert(offsetof(struct shared_info, arch) == 2316, "si.arch");
_Static_assert(offsetof(struct shared_info, arch.wc_sec_hi) == 2340, "si.arch.wc_sec_hi");

#define xen_wc_sec_hi arch.wc_sec_hi

/*
 * start_info: what the domain builder leaves for a new guest (address in esi
 * on entry). Addresses are guest virtual unless the comment says machine.
 */
#define XEN_START_INFO_MAGIC    "xen-3.0-x86_32p"
#define MAX_GUEST_CMDLINE       1024

struct start_info {
    char      magic[32];            /* "xen-3.0-x86_32p", NUL-terminated */
    uint32_t  nr_pages;             /* pages allocated to the domain */
    uint32_t  shared_info;          /* MACHINE address of the shared info page */
    uint32_t  flags;                /* SIF_* */
    xen_pfn_t store_mfn;            /* MACHINE frame of the xenstore page */
    uint32_t  store_evtchn;
    union {
        struct {
            xen_pfn_t mfn;          /* MACHINE frame of the console ring */
            uint32_t  evtchn;
        } domU;
        struct {
            uint32_t  info_off;     /* offset of the console info in start_info */
            uint32_t  info_size;
        } dom0;
    } console;
    uint32_t  pt_base;              /* the L3 table of the initial page tables */
    uint32_t  nr_pt_frames;         /* frames of initial page tables */
    uint32_t  mfn_list;             /* the p2m array: nr_pages machine frames */
    uint32_t  mod_start;            /* first module (initrd), or its pfn */
    uint32_t  mod_len;
    char      cmd_line[MAX_GUEST_CMDLINE];
    uint32_t  first_p2m_pfn;        /* when the p2m is not mapped by the builder */
    uint32_t  nr_p2m_frames;
};
typedef struct start_info start_info_t;
_Static_assert(sizeof(struct start_info) == 1112, "start_info size");
_Static_assert(offsetof(struct start_info, nr_pages) == 32, "start_info.nr_pages");
_Static_assert(offsetof(struct start_info, shared_info) == 36, "start_info.shared_info");
_Static_assert(offsetof(struct start_info, flags) == 40, "start_info.flags");
_Static_assert(offsetof(struct start_info, store_mfn) == 44, "start_info.store_mfn");
_Static_assert(offsetof(struct start_info, store_evtchn) == 48, "start_info.store_evtchn");
_Static_assert(offsetof(struct start_info, console) == 52, "start_info.console");
_Static_assert(offsetof(struct start_info, pt_base) == 60, "start_info.pt_base");
_Static_assert(offsetof(struct start_info, nr_pt_frames) == 64, "start_info.nr_pt_frames");
_Static_assert(offsetof(struct start_info, mfn_list) == 68, "start_info.mfn_list");
_Static_assert(offsetof(struct start_info, mod_start) == 72, "start_info.mod_start");
_Static_assert(offsetof(struct start_info, mod_len) == 76, "start_info.mod_len");
_Static_assert(offsetof(struct start_info, cmd_line) == 80, "start_info.cmd_line");
_Static_assert(offsetof(struct start_info, first_p2m_pfn) == 1104, "start_info.first_p2m_pfn");
_Static_assert(offsetof(struct start_info, nr_p2m_frames) == 1108, "start_info.nr_p2m_frames");

#define SIF_PRIVILEGED          (1u << 0)   /* may use privileged operations */
#define SIF_INITDOMAIN          (1u << 1)   /* the initial (control) domain */
#define SIF_MULTIBOOT_MOD       (1u << 2)   /* mod_start is a multiboot module list */
#define SIF_MOD_START_PFN       (1u << 3)   /* mod_start is a pfn, not an address */
#define SIF_VIRT_P2M_4TOOLS     (1u << 4)
#define SIF_PM_MASK             (0xFFu << 8)

/* With SIF_MULTIBOOT_MOD: mod_start points at an array of these. */
struct xen_multiboot_mod_list {
    uint32_t mod_start;     /* pfn-relative address of the module */
    uint32_t mod_end;
    uint32_t cmdline;
    uint32_t pad;
};
_Static_assert(sizeof(struct xen_multiboot_mod_list) == 16, "xen_multiboot_mod_list size");

/* Reasons for SCHEDOP_shutdown and SCHEDOP_remote_shutdown (see sched.h). */
#define SHUTDOWN_poweroff       0
#define SHUTDOWN_reboot         1
#define SHUTDOWN_suspend        2
#define SHUTDOWN_crash          3
#define SHUTDOWN_watchdog       4
#define SHUTDOWN_soft_reset     5
#define SHUTDOWN_MAX            5

#endif /* PVX_PUBLIC_XEN_H */
