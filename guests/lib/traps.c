/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * traps.c - the trap table, the exception table and ring 3 (see traps.h).
 */
#include "guest.h"
#include "traps.h"

#include <public/arch-x86/page.h>

struct guest_fault guest_last_fault;
unsigned int guest_fault_count;
bool (*guest_trap_hook)(struct guest_frame *f);

struct extable_entry {
    uint32_t fault, fixup;
};
extern const struct extable_entry __start_guest_extable[], __stop_guest_extable[];
extern char __user_start[], __user_end[];

void guest_entry_0(void), guest_entry_1(void), guest_entry_2(void), guest_entry_3(void);
void guest_entry_4(void), guest_entry_5(void), guest_entry_6(void), guest_entry_7(void);
void guest_entry_8(void), guest_entry_9(void), guest_entry_10(void), guest_entry_11(void);
void guest_entry_12(void), guest_entry_13(void), guest_entry_14(void), guest_entry_15(void);
void guest_entry_16(void), guest_entry_17(void), guest_entry_18(void), guest_entry_19(void);
void guest_entry_user_return(void);

#define TRAP(v, dpl) { (v), (dpl) | 4, FLAT_RING1_CS, (uint32_t)(unsigned long)guest_entry_##v }

struct trap_info guest_trap_table[] = {
    TRAP(0, 0), TRAP(1, 0), TRAP(2, 0), TRAP(3, 3), TRAP(4, 3), TRAP(5, 0), TRAP(6, 0),
    TRAP(7, 0), TRAP(8, 0), TRAP(9, 0), TRAP(10, 0), TRAP(11, 0), TRAP(12, 0), TRAP(13, 0),
    TRAP(14, 0), TRAP(15, 0), TRAP(16, 0), TRAP(17, 0), TRAP(18, 0), TRAP(19, 0),
    /* No event mask: int 0x80 may take the fast path (no hypervisor). */
    { GUEST_VEC_USER_RETURN, 3, FLAT_RING1_CS, (uint32_t)(unsigned long)guest_entry_user_return },
    { 0, 0, 0, 0 },
};

void guest_entry_for(unsigned int v, uint32_t *eip)
{
    for ( struct trap_info *t = guest_trap_table; t->address; t++ )
        if ( t->vector == v )
            *eip = t->address;
}

void guest_exception(struct guest_frame *f);
void guest_exception(struct guest_frame *f)
{
    guest_last_fault = (struct guest_fault){ f->vector, f->error, f->eip, f->cs & 0xffff };
    guest_fault_count++;

    if ( guest_trap_hook && guest_trap_hook(f) )
        return;
    for ( const struct extable_entry *e = __start_guest_extable; e < __stop_guest_extable; e++ )
        if ( e->fault == f->eip )
        {
            f->eip = e->fixup;
            return;
        }

    printk("Unhandled exception: vector %u, error %#x at %04x:%08x\n", f->vector, f->error,
           f->cs & 0xffff, f->eip);
    printk("Test result: FAILURE\n");
    guest_shutdown(SHUTDOWN_crash);
}

static void guest_panic(const char *what, long rc)
{
    printk("guest_traps_init: %s failed: %ld\n", what, rc);
    printk("Test result: ERROR\n");
    guest_shutdown(SHUTDOWN_crash);
}

void guest_traps_init(void)
{
    long rc;

    rc = HYPERVISOR_set_trap_table(guest_trap_table);
    if ( rc )
        guest_panic("set_trap_table", rc);
    rc = HYPERVISOR_stack_switch(FLAT_RING1_SS, (unsigned long)guest_trap_stack_top);
    if ( rc )
        guest_panic("stack_switch", rc);

    /* Ring 3 may run and touch what is in .user. */
    for ( char *p = __user_start; p < __user_end; p += 4096 )
    {
        uint32_t pfn = (uint32_t)(unsigned long)p >> 12;
        uint64_t pte = ((uint64_t)((const uint32_t *)start_info->mfn_list)[pfn] << 12) |
                       _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY;

        rc = HYPERVISOR_update_va_mapping((unsigned long)p, pte, UVMF_INVLPG);
        if ( rc )
            guest_panic("update_va_mapping", rc);
    }

    /* A data segment both rings may use: an iret to ring 3 keeps it. */
    asm volatile ( "mov %0, %%ds; mov %0, %%es" :: "r" (FLAT_RING3_DS) : "memory" );
}
