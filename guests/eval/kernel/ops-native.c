/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ops-native.c - the workload kernel's native backend (kernel.h): ring 0 on
 * the bare machine, on guests/lib/native. A page-table write is a store
 * (nothing to batch, nothing to validate), an address space is a CR3 load,
 * traps are IDT gates, cr2 is the CPU's, a notification is a self-IPI of
 * the local APIC.
 */
#include <native/native.h>
#include "kernel.h"

const char ops_backend[] = "native";
const uint32_t ops_user_cs = NATIVE_USER_CS, ops_user_ds = NATIVE_USER_DS;

static volatile uint64_t *table(uint32_t frame)
{
    return (volatile uint64_t *)(unsigned long)(frame << KPAGE_SHIFT);
}

void ops_init(uint32_t kernel_stack_top, void (*notify_handler)(void))
{
    (void)notify_handler;           /* ktrap calls it on KVEC_NOTIFY */
    native_set_gate(KVEC_PF, kentry_pf, 0);
    native_set_gate(KVEC_SYSCALL, kentry_syscall, 3);
    native_set_gate(KVEC_NOTIFY, kentry_notify, 0);
    native_set_kernel_stack(kernel_stack_top);
    native_apic_init();
}

uint32_t ops_frame_alloc(void)
{
    return native_frame_alloc();
}

void ops_pte_queue(uint32_t t, unsigned int slot, uint64_t val)
{
    volatile uint32_t *e = (volatile uint32_t *)&table(t)[slot];

    /* Two stores: the present bit is in the low word, so it goes last when
     * an entry appears and first when it goes (the walker never sees half). */
    if ( val & NPTE_P )
    {
        e[1] = (uint32_t)(val >> 32);
        e[0] = (uint32_t)val;
    }
    else
    {
        e[0] = (uint32_t)val;
        e[1] = (uint32_t)(val >> 32);
    }
}

void ops_pte_commit(void)
{
    asm volatile ( "" ::: "memory" );
}

uint64_t ops_kernel_pde(unsigned int i)
{
    return table(native_kernel_l2[0])[i];
}

void ops_fill_high_l2(uint32_t l2)
{
    for ( unsigned int i = 0; i < 512; i++ )
        table(l2)[i] = table(native_kernel_l2[3])[i];     /* the local APIC */
}

void ops_as_activate(uint32_t l3)
{
    (void)l3;
}

void ops_as_switch(uint32_t l3)
{
    native_write_cr3(l3 << KPAGE_SHIFT);
}

void ops_as_switch_kernel(void)
{
    native_write_cr3(native_kernel_l3 << KPAGE_SHIFT);
}

void ops_as_release(uint32_t l3)
{
    (void)l3;
}

void ops_lazy_begin(void)
{
}

void ops_lazy_end(void)
{
}

void ops_tlb_flush(void)
{
    uint32_t cr3;

    asm volatile ( "mov %%cr3, %0; mov %0, %%cr3" : "=r" (cr3) :: "memory" );
}

uint32_t ops_fault_addr(void)
{
    return native_read_cr2();
}

void ops_notify(void)
{
    native_apic_self_ipi(KVEC_NOTIFY);
}

void ops_idle(void)
{
    asm volatile ( "sti; hlt; cli" ::: "memory" );
}

void ops_notify_ack(void)
{
    native_apic_eoi();
}
