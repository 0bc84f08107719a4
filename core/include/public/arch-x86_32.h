/* SPDX-License-Identifier: MIT */
/*
 * public/arch-x86_32.h - the x86_32 PAE ("xen-3.0-x86_32p") specific part of
 * the pvx guest ABI: flat selectors, address-space bounds and the structures
 * whose layout depends on the architecture.
 *
 * Every structure here has the layout a 32-bit guest sees. The same header is
 * compiled for x86_64 (simulator, unit tests), so only fixed-width types are
 * used, 64-bit fields use the 4-aligned xen_uint64_t (the i386 rule), and
 * the static asserts pin size and offsets on both. The constants (selectors,
 * address-space bounds) are in arch-x86/xen-x86_32.h, which assembly can use.
 *
 * Normally included through public/xen.h.
 */
#ifndef PVX_PUBLIC_ARCH_X86_32_H
#define PVX_PUBLIC_ARCH_X86_32_H

#include <stddef.h>
#include <stdint.h>

#include "arch-x86/xen-x86_32.h"      /* selectors, address-space bounds */

/*
 * 64-bit integers as an i386 compiler lays them out inside a structure:
 * 4-byte aligned. A typedef may lower alignment; a field attribute may not.
 */
typedef uint64_t xen_uint64_t __attribute__((aligned(4)));
typedef int64_t  xen_int64_t  __attribute__((aligned(4)));

/* "unsigned long" of the x86_32 ABI: guest addresses, counts, frame numbers. */
typedef uint32_t xen_ulong_t;
typedef uint32_t xen_pfn_t;

/*
 * A guest handle is a guest virtual address (Xen wraps a pointer in a struct;
 * a host pointer would be 8 bytes on x86_64, so here it is a plain integer).
 */
typedef uint32_t xen_guest_handle_t;
#define xen_guest_handle(ptr)   ((xen_guest_handle_t)(uintptr_t)(ptr))

/*
 * PAE CR3 as passed in vcpu state: the L3 frame number rotated by 12 so that
 * a frame above 4 GiB still fits in 32 bits ("extended CR3").
 */
#define xen_pfn_to_cr3(pfn) (((uint32_t)(pfn) << 12) | ((uint32_t)(pfn) >> 20))
#define xen_cr3_to_pfn(cr3) (((uint32_t)(cr3) >> 12) | ((uint32_t)(cr3) << 20))

/* One entry of the virtual IDT (set_trap_table). */
struct trap_info {
    uint8_t  vector;
    uint8_t  flags;     /* bits 0-1: DPL allowed to raise it; bit 2: mask events */
    uint16_t cs;
    uint32_t address;
};
typedef struct trap_info trap_info_t;
_Static_assert(sizeof(struct trap_info) == 8, "trap_info size");
_Static_assert(offsetof(struct trap_info, cs) == 2, "trap_info.cs");
_Static_assert(offsetof(struct trap_info, address) == 4, "trap_info.address");

#define TI_GET_DPL(ti)          ((ti)->flags & 3)
#define TI_GET_IF(ti)           ((ti)->flags & 4)
#define TI_SET_DPL(ti, dpl)     ((ti)->flags |= (dpl))
#define TI_SET_IF(ti, i)        ((ti)->flags |= ((!!(i)) << 2))

/* A callback entry point (callback_op, set_callbacks): selector and offset. */
struct xen_callback {
    uint32_t cs;
    uint32_t eip;
};
typedef struct xen_callback xen_callback_t;
_Static_assert(sizeof(struct xen_callback) == 8, "xen_callback size");

/*
 * Guest-visible register frame (vcpu_guest_context, the iret hypercall
 * frame). Not the hypervisor's internal frame (pvx/regs.h).
 */
struct cpu_user_regs {
    uint32_t ebx;
    uint32_t ecx;
    uint32_t edx;
    uint32_t esi;
    uint32_t edi;
    uint32_t ebp;
    uint32_t eax;
    uint16_t error_code;        /* private to the hypervisor */
    uint16_t entry_vector;      /* private to the hypervisor */
    uint32_t eip;
    uint16_t cs;
    uint8_t  saved_upcall_mask;
    uint8_t  _pad0;
    uint32_t eflags;            /* IF mirrors !saved_upcall_mask */
    uint32_t esp;
    uint16_t ss, _pad1;
    uint16_t es, _pad2;
    uint16_t ds, _pad3;
    uint16_t fs, _pad4;
    uint16_t gs, _pad5;
};
typedef struct cpu_user_regs cpu_user_regs_t;
_Static_assert(sizeof(struct cpu_user_regs) == 68, "cpu_user_regs size");
_Static_assert(offsetof(struct cpu_user_regs, eax) == 24, "cpu_user_regs.eax");
_Static_assert(offsetof(struct cpu_user_regs, error_code) == 28, "cpu_user_regs.error_code");
_Static_assert(offsetof(struct cpu_user_regs, eip) == 32, "cpu_user_regs.eip");
_Static_assert(offsetof(struct cpu_user_regs, cs) == 36, "cpu_user_regs.cs");
_Static_assert(offsetof(struct cpu_user_regs, saved_upcall_mask) == 38,
               "cpu_user_regs.saved_upcall_mask");
_Static_assert(offsetof(struct cpu_user_regs, eflags) == 40, "cpu_user_regs.eflags");
_Static_assert(offsetof(struct cpu_user_regs, esp) == 44, "cpu_user_regs.esp");
_Static_assert(offsetof(struct cpu_user_regs, ss) == 48, "cpu_user_regs.ss");
_Static_assert(offsetof(struct cpu_user_regs, gs) == 64, "cpu_user_regs.gs");

/* Architecture part of vcpu_info: the guest's virtual CR2 lives here. */
struct arch_vcpu_info {
    uint32_t cr2;
    uint32_t pad[5];            /* keeps vcpu_info at 64 bytes */
};
typedef struct arch_vcpu_info arch_vcpu_info_t;
_Static_assert(sizeof(struct arch_vcpu_info) == 24, "arch_vcpu_info size");

/* Architecture part of shared_info. */
struct arch_shared_info {
    uint32_t  max_pfn;                      /* valid entries in the p2m */
    xen_pfn_t pfn_to_mfn_frame_list_list;   /* 0: not set up */
    uint32_t  nmi_reason;
    uint32_t  p2m_cr3;                      /* valid when non-zero */
    uint32_t  p2m_vaddr;
    uint32_t  p2m_generation;
    uint32_t  wc_sec_hi;                    /* x86_32 only: no room elsewhere */
};
typedef struct arch_shared_info arch_shared_info_t;
_Static_assert(sizeof(struct arch_shared_info) == 28, "arch_shared_info size");
_Static_assert(offsetof(struct arch_shared_info, wc_sec_hi) == 24,
               "arch_shared_info.wc_sec_hi");

/* Full vCPU state (VCPUOP_initialise, domctl). */
struct vcpu_guest_context {
    struct { uint8_t x[512]; } fpu_ctxt;    /* FXSAVE image */
    uint32_t flags;                         /* VGCF_* */
    struct cpu_user_regs user_regs;
    struct trap_info trap_ctxt[256];
    uint32_t ldt_base, ldt_ents;
    uint32_t gdt_frames[16], gdt_ents;
    uint32_t kernel_ss, kernel_sp;          /* the virtual TSS: ring-1 stack */
    uint32_t ctrlreg[8];
    uint32_t debugreg[8];
    uint32_t event_callback_cs;
    uint32_t event_callback_eip;
    uint32_t failsafe_callback_cs;
    uint32_t failsafe_callback_eip;
    uint32_t vm_assist;                     /* VMASST_TYPE_* bitmap */
};
typedef struct vcpu_guest_context vcpu_guest_context_t;
_Static_assert(sizeof(struct vcpu_guest_context) == 2800, "vcpu_guest_context size");
_Static_assert(offsetof(struct vcpu_guest_context, flags) == 512, "vgc.flags");
_Static_assert(offsetof(struct vcpu_guest_context, user_regs) == 516, "vgc.user_regs");
_Static_assert(offsetof(struct vcpu_guest_context, trap_ctxt) == 584, "vgc.trap_ctxt");
_Static_assert(offsetof(struct vcpu_guest_context, ldt_base) == 2632, "vgc.ldt_base");
_Static_assert(offsetof(struct vcpu_guest_context, gdt_frames) == 2640, "vgc.gdt_frames");
_Static_assert(offsetof(struct vcpu_guest_context, kernel_ss) == 2708, "vgc.kernel_ss");
_Static_assert(offsetof(struct vcpu_guest_context, ctrlreg) == 2716, "vgc.ctrlreg");
_Static_assert(offsetof(struct vcpu_guest_context, event_callback_cs) == 2780,
               "vgc.event_callback_cs");
_Static_assert(offsetof(struct vcpu_guest_context, vm_assist) == 2796, "vgc.vm_assist");

#define VGCF_i387_valid                 (1u << 0)
#define VGCF_in_kernel                  (1u << 2)
#define VGCF_failsafe_disables_events   (1u << 3)
#define VGCF_syscall_disables_events    (1u << 4)
#define VGCF_online                     (1u << 5)

#endif /* PVX_PUBLIC_ARCH_X86_32_H */
