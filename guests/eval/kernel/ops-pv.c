/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ops-pv.c - the workload kernel's paravirtual backend (kernel.h): a pvx PV
 * guest in ring 1 on guests/lib. Page-table writes are mmu_update requests
 * batched up to 2048 a call, an address space is pinned (the hypervisor
 * validates every table once) and loaded with MMUEXT_NEW_BASEPTR, traps are
 * a trap table (the system call a DPL-3 entry without the events-mask flag:
 * the fast path, no hypervisor on the way), cr2 comes from shared_info, a
 * notification is an event on a channel bound to ourselves.
 */
#include <guest.h>
#include <events.h>
#include <mm.h>
#include <traps.h>
#include "kernel.h"

const char ops_backend[] = "pv";
const uint32_t ops_user_cs = FLAT_RING3_CS, ops_user_ds = FLAT_RING3_DS;

static evtchn_port_t notify_port;
static void (*notify_fn)(void);
static const volatile uint64_t *kernel_l2;

static void pv_event(evtchn_port_t port)
{
    if ( port == notify_port && notify_fn )
        notify_fn();
}

static void check(const char *what, long rc)
{
    if ( rc )
        panic("%s: %ld", what, rc);
}

void ops_init(uint32_t kernel_stack_top, void (*notify_handler)(void))
{
    struct trap_info t[] = {
        { KVEC_PF, 0, FLAT_RING1_CS, (unsigned long)kentry_pf },
        { KVEC_SYSCALL, 3, FLAT_RING1_CS, (unsigned long)kentry_syscall },
        { 0, 0, 0, 0 },
    };

    guest_traps_init();             /* every other vector fatal, .user mapped U, ds/es */
    check("set_trap_table", HYPERVISOR_set_trap_table(t));
    check("stack_switch", HYPERVISOR_stack_switch(FLAT_RING1_SS, kernel_stack_top));
    events_init();
    check("bind_ipi", evtchn_bind_ipi(&notify_port));
    notify_fn = notify_handler;
    events_set_handler(pv_event);
    events_enable();
}

uint32_t ops_frame_alloc(void)
{
    return mm_pfn_to_mfn(mm_alloc_pfn());
}

void ops_pte_queue(uint32_t table, unsigned int slot, uint64_t val)
{
    mm_batch_add(((uint64_t)table << 12) + slot * 8 + MMU_NORMAL_PT_UPDATE, val);
}

void ops_pte_commit(void)
{
    check("mmu_update", mm_batch_flush());
}

uint64_t ops_kernel_pde(unsigned int i)
{
    if ( !kernel_l2 )
    {
        const volatile uint64_t *l3 = (const volatile uint64_t *)start_info->pt_base;

        kernel_l2 = (const volatile uint64_t *)mm_mfn_to_va((uint32_t)((l3[0] & PTE_ADDR_MASK) >> 12));
        if ( !kernel_l2 )
            panic("the initial L2 is not mapped");
    }
    return kernel_l2[i];
}

void ops_fill_high_l2(uint32_t l2)
{
    (void)l2;                       /* the hypervisor fills its slots when the L3 is pinned */
}

void ops_as_activate(uint32_t l3)
{
    check("pin L3", mm_pin(MMUEXT_PIN_L3_TABLE, l3));
}

void ops_as_switch(uint32_t l3)
{
    check("new_baseptr", mm_ext(MMUEXT_NEW_BASEPTR, l3, 0));
}

void ops_as_switch_kernel(void)
{
    check("new_baseptr (kernel)", mm_as_switch_back());
}

void ops_as_release(uint32_t l3)
{
    check("unpin L3", mm_pin(MMUEXT_UNPIN_TABLE, l3));
}

void ops_tlb_flush(void)
{
    check("tlb_flush_local", mm_ext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0));
}

uint32_t ops_fault_addr(void)
{
    return shared_info->vcpu_info[0].arch.cr2;
}

void ops_notify(void)
{
    check("evtchn_send", evtchn_send(notify_port));
}

void ops_idle(void)
{
    sched_block();
}

void ops_notify_ack(void)
{
}
