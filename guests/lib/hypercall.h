/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall.h - calling the hypervisor through the hypercall page.
 *
 * Slot nr of hypercall_page holds `mov $nr,%eax; int $0x82; ret`. Arguments
 * go in ebx, ecx, edx, esi, edi; the result comes back in eax. The hypervisor
 * may change the argument registers (continuations rewrite them), so they are
 * outputs here too. nr must be a compile-time constant: the call is direct.
 */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <stdint.h>

#include <public/xen.h>
#include <public/callback.h>
#include <public/event_channel.h>
#include <public/memory.h>
#include <public/physdev.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <public/version.h>
#include <public/domctl.h>

extern uint8_t hypercall_page[4096];

#define _hypercall_slot(nr)     ((nr) * HYPERCALL_PAGE_SLOT_SIZE)
#define _hcall_arg(x)           ((unsigned long)(x))

#define _hypercall0(nr)                                                     \
({                                                                          \
    long res_;                                                              \
    asm volatile ( "call hypercall_page + %c[slot]"                         \
                   : "=a" (res_)                                            \
                   : [slot] "i" (_hypercall_slot(nr))                       \
                   : "memory" );                                            \
    res_;                                                                   \
})

#define _hypercall1(nr, a1)                                                 \
({                                                                          \
    long res_;                                                              \
    unsigned long b_ = _hcall_arg(a1);                                      \
    asm volatile ( "call hypercall_page + %c[slot]"                         \
                   : "=a" (res_), "+b" (b_)                                 \
                   : [slot] "i" (_hypercall_slot(nr))                       \
                   : "memory" );                                            \
    res_;                                                                   \
})

#define _hypercall2(nr, a1, a2)                                             \
({                                                                          \
    long res_;                                                              \
    unsigned long b_ = _hcall_arg(a1), c_ = _hcall_arg(a2);                 \
    asm volatile ( "call hypercall_page + %c[slot]"                         \
                   : "=a" (res_), "+b" (b_), "+c" (c_)                      \
                   : [slot] "i" (_hypercall_slot(nr))                       \
                   : "memory" );                                            \
    res_;                                                                   \
})

#define _hypercall3(nr, a1, a2, a3)                                         \
({                                                                          \
    long res_;                                                              \
    unsigned long b_ = _hcall_arg(a1), c_ = _hcall_arg(a2);                 \
    unsigned long d_ = _hcall_arg(a3);                                      \
    asm volatile ( "call hypercall_page + %c[slot]"                         \
                   : "=a" (res_), "+b" (b_), "+c" (c_), "+d" (d_)           \
                   : [slot] "i" (_hypercall_slot(nr))                       \
                   : "memory" );                                            \
    res_;                                                                   \
})

#define _hypercall4(nr, a1, a2, a3, a4)                                     \
({                                                                          \
    long res_;                                                              \
    unsigned long b_ = _hcall_arg(a1), c_ = _hcall_arg(a2);                 \
    unsigned long d_ = _hcall_arg(a3), S_ = _hcall_arg(a4);                 \
    asm volatile ( "call hypercall_page + %c[slot]"                         \
                   : "=a" (res_), "+b" (b_), "+c" (c_), "+d" (d_),          \
                     "+S" (S_)                                              \
                   : [slot] "i" (_hypercall_slot(nr))                       \
                   : "memory" );                                            \
    res_;                                                                   \
})

#define _hypercall5(nr, a1, a2, a3, a4, a5)                                 \
({                                                                          \
    long res_;                                                              \
    unsigned long b_ = _hcall_arg(a1), c_ = _hcall_arg(a2);                 \
    unsigned long d_ = _hcall_arg(a3), S_ = _hcall_arg(a4);                 \
    unsigned long D_ = _hcall_arg(a5);                                      \
    asm volatile ( "call hypercall_page + %c[slot]"                         \
                   : "=a" (res_), "+b" (b_), "+c" (c_), "+d" (d_),          \
                     "+S" (S_), "+D" (D_)                                   \
                   : [slot] "i" (_hypercall_slot(nr))                       \
                   : "memory" );                                            \
    res_;                                                                   \
})

/* Typed wrappers, one per hypercall, in hypercall-number order. */

static inline long HYPERVISOR_set_trap_table(const struct trap_info *table)
{
    return _hypercall1(__HYPERVISOR_set_trap_table, table);
}

static inline long HYPERVISOR_mmu_update(const struct mmu_update *reqs, unsigned int count,
                                         unsigned int *done, domid_t domid)
{
    return _hypercall4(__HYPERVISOR_mmu_update, reqs, count, done, domid);
}

static inline long HYPERVISOR_set_gdt(const xen_pfn_t *frames, unsigned int entries)
{
    return _hypercall2(__HYPERVISOR_set_gdt, frames, entries);
}

static inline long HYPERVISOR_stack_switch(unsigned int ss, unsigned long esp)
{
    return _hypercall2(__HYPERVISOR_stack_switch, ss, esp);
}

static inline long HYPERVISOR_set_callbacks(unsigned int event_cs, unsigned long event_eip,
                                            unsigned int failsafe_cs,
                                            unsigned long failsafe_eip)
{
    return _hypercall4(__HYPERVISOR_set_callbacks, event_cs, event_eip,
                       failsafe_cs, failsafe_eip);
}

static inline long HYPERVISOR_fpu_taskswitch(int set)
{
    return _hypercall1(__HYPERVISOR_fpu_taskswitch, set);
}

static inline long HYPERVISOR_set_debugreg(unsigned int reg, unsigned long value)
{
    return _hypercall2(__HYPERVISOR_set_debugreg, reg, value);
}

static inline long HYPERVISOR_get_debugreg(unsigned int reg)
{
    return _hypercall1(__HYPERVISOR_get_debugreg, reg);
}

/* x86_32: the 64-bit machine address and descriptor go as low/high halves. */
static inline long HYPERVISOR_update_descriptor(uint64_t maddr, uint64_t desc)
{
    return _hypercall4(__HYPERVISOR_update_descriptor, (uint32_t)maddr,
                       (uint32_t)(maddr >> 32), (uint32_t)desc, (uint32_t)(desc >> 32));
}

static inline long HYPERVISOR_memory_op(unsigned int cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_memory_op, cmd, arg);
}

static inline long HYPERVISOR_multicall(struct multicall_entry *calls, unsigned int nr)
{
    return _hypercall2(__HYPERVISOR_multicall, calls, nr);
}

/* x86_32: va in ebx, the PTE as two halves in ecx/edx, flags in esi. */
static inline long HYPERVISOR_update_va_mapping(unsigned long va, uint64_t pte,
                                                unsigned long flags)
{
    return _hypercall4(__HYPERVISOR_update_va_mapping, va, (uint32_t)pte,
                       (uint32_t)(pte >> 32), flags);
}

static inline long HYPERVISOR_set_timer_op(uint64_t deadline_ns)
{
    return _hypercall2(__HYPERVISOR_set_timer_op, (uint32_t)deadline_ns,
                       (uint32_t)(deadline_ns >> 32));
}

static inline long HYPERVISOR_xen_version(unsigned int cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_xen_version, cmd, arg);
}

static inline long HYPERVISOR_console_io(unsigned int cmd, unsigned int count,
                                         const char *buf)
{
    return _hypercall3(__HYPERVISOR_console_io, cmd, count, buf);
}

static inline long HYPERVISOR_grant_table_op(unsigned int cmd, void *uop, unsigned int count)
{
    return _hypercall3(__HYPERVISOR_grant_table_op, cmd, uop, count);
}

static inline long HYPERVISOR_vm_assist(unsigned int cmd, unsigned int type)
{
    return _hypercall2(__HYPERVISOR_vm_assist, cmd, type);
}

static inline long HYPERVISOR_update_va_mapping_otherdomain(unsigned long va, uint64_t pte,
                                                            unsigned long flags,
                                                            domid_t domid)
{
    return _hypercall5(__HYPERVISOR_update_va_mapping_otherdomain, va, (uint32_t)pte,
                       (uint32_t)(pte >> 32), flags, domid);
}

static inline long HYPERVISOR_vcpu_op(unsigned int cmd, unsigned int vcpu, void *arg)
{
    return _hypercall3(__HYPERVISOR_vcpu_op, cmd, vcpu, arg);
}

static inline long HYPERVISOR_mmuext_op(const struct mmuext_op *ops, unsigned int count,
                                        unsigned int *done, domid_t domid)
{
    return _hypercall4(__HYPERVISOR_mmuext_op, ops, count, done, domid);
}

static inline long HYPERVISOR_sched_op(unsigned int cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_sched_op, cmd, arg);
}

static inline long HYPERVISOR_callback_op(unsigned int cmd, const void *arg)
{
    return _hypercall2(__HYPERVISOR_callback_op, cmd, arg);
}

static inline long HYPERVISOR_event_channel_op(unsigned int cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_event_channel_op, cmd, arg);
}

static inline long HYPERVISOR_physdev_op(unsigned int cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_physdev_op, cmd, arg);
}

static inline long HYPERVISOR_sysctl(void *arg)
{
    return _hypercall1(__HYPERVISOR_sysctl, arg);
}

static inline long HYPERVISOR_domctl(void *arg)
{
    return _hypercall1(__HYPERVISOR_domctl, arg);
}

/* Convenience forms of the common sub-operations. */

/* A domctl on dom with this interface version (op's other fields set). */
static inline long hypercall_domctl(uint32_t cmd, domid_t dom, struct xen_domctl *op)
{
    op->cmd = cmd;
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op->domain = dom;
    return HYPERVISOR_domctl(op);
}

static inline long hypercall_shutdown(unsigned int reason)
{
    struct sched_shutdown s = { .reason = reason };

    return HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
}

static inline long hypercall_yield(void)
{
    return HYPERVISOR_sched_op(SCHEDOP_yield, 0);
}

static inline long hypercall_evtchn_send(evtchn_port_t port)
{
    struct evtchn_send s = { .port = port };

    return HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
}

static inline long hypercall_evtchn_unmask(evtchn_port_t port)
{
    struct evtchn_unmask u = { .port = port };

    return HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &u);
}

static inline long hypercall_register_callback(unsigned int type, unsigned int flags,
                                               void (*entry)(void))
{
    struct callback_register cb = {
        .type = type,
        .flags = flags,
        .address = { .cs = FLAT_RING1_CS, .eip = (uint32_t)(unsigned long)entry },
    };

    return HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
}

#endif /* GUEST_HYPERCALL_H */
