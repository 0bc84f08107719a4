/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ops-pv.c - the workload kernel's paravirtual backend (kernel.h): a pvx PV
 * guest in ring 1 on guests/lib. Page-table writes are mmu_update requests
 * batched up to 2048 a call, an address space is pinned (the hypervisor
 * validates every table once) and loaded with MMUEXT_NEW_BASEPTR, traps are
 * a trap table (the system call a DPL-3 entry without the events-mask flag:
 * the fast path, no hypervisor on the way), cr2 comes from shared_info, a
 * notification is an event on a channel bound to ourselves. In lazy mode
 * every operation becomes an entry of one multicall (as Xen 1.0's XenoLinux
 * sent page-table updates, pins and the new base pointer in one batch).
 */
#include <guest.h>
#include <events.h>
#include <mm.h>
#include <traps.h>
#include "kernel.h"

const char ops_backend[] = "pv";
const uint32_t ops_user_cs = FLAT_RING3_CS, ops_user_ds = FLAT_RING3_DS;

#define PV_BATCH    MM_BATCH_MAX
#define PV_CALLS    16

/* Requests queued; those from first_req on are in no call yet. */
static struct mmu_update reqs[PV_BATCH];
static unsigned int nr_reqs, first_req;
/* Lazy mode's deferred calls and the mmuext ops they point at. */
static struct multicall_entry calls[PV_CALLS];
static struct mmuext_op ext[PV_CALLS];
static unsigned int nr_calls, nr_ext;
static bool lazy;

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

static void defer(uint32_t op, uint32_t a0, uint32_t a1)
{
    if ( nr_calls == PV_CALLS )
        panic("lazy mode: more than %u deferred calls", PV_CALLS);
    calls[nr_calls++] = (struct multicall_entry){
        .op = op, .args = { a0, a1, 0, DOMID_SELF },
    };
}

void ops_pte_queue(uint32_t table, unsigned int slot, uint64_t val)
{
    if ( nr_reqs == PV_BATCH )
    {
        if ( lazy )
            panic("lazy mode: more than %u page-table writes", PV_BATCH);
        ops_pte_commit();
    }
    reqs[nr_reqs++] = (struct mmu_update){
        ((uint64_t)table << 12) + slot * 8 + MMU_NORMAL_PT_UPDATE, val,
    };
}

void ops_pte_commit(void)
{
    unsigned int n = nr_reqs - first_req;

    if ( !n )
        return;
    if ( lazy )
    {
        defer(__HYPERVISOR_mmu_update, (uint32_t)(unsigned long)&reqs[first_req], n);
        first_req = nr_reqs;
        return;
    }
    /* No done count, as Linux's batches ask for none: 0 is all n done (a
     * short batch is an error or a continuation, never 0). */
    check("mmu_update", HYPERVISOR_mmu_update(reqs, n, NULL, DOMID_SELF));
    nr_reqs = first_req = 0;
}

static void ext_op(const char *what, unsigned int cmd, uint32_t mfn)
{
    if ( lazy )
    {
        ext[nr_ext] = (struct mmuext_op){ .cmd = cmd, .arg1.mfn = mfn };
        defer(__HYPERVISOR_mmuext_op, (uint32_t)(unsigned long)&ext[nr_ext], 1);
        nr_ext++;
        return;
    }
    check(what, mm_ext(cmd, mfn, 0));
}

void ops_lazy_begin(void)
{
    ops_pte_commit();
    lazy = true;
}

void ops_lazy_end(void)
{
    ops_pte_commit();
    lazy = false;
    if ( nr_calls )
    {
        check("multicall", HYPERVISOR_multicall(calls, nr_calls));
        for ( unsigned int i = 0; i < nr_calls; i++ )
            if ( calls[i].result )
                panic("multicall entry %u (hypercall %u): %d", i, calls[i].op,
                      (int)calls[i].result);
    }
    nr_calls = nr_ext = nr_reqs = first_req = 0;
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
    ext_op("pin L3", MMUEXT_PIN_L3_TABLE, l3);
}

void ops_as_switch(uint32_t l3)
{
    ext_op("new_baseptr", MMUEXT_NEW_BASEPTR, l3);
}

void ops_as_switch_kernel(void)
{
    ext_op("new_baseptr (kernel)", MMUEXT_NEW_BASEPTR, mm_pfn_to_mfn(start_info->pt_base >> 12));
}

void ops_as_release(uint32_t l3)
{
    ext_op("unpin L3", MMUEXT_UNPIN_TABLE, l3);
}

void ops_tlb_flush(void)
{
    ext_op("tlb_flush_local", MMUEXT_TLB_FLUSH_LOCAL, 0);
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
