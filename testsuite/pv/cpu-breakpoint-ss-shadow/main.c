/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu-breakpoint-ss-shadow: a data breakpoint hit by a load of ss traps
 * after the instruction that follows it, as hardware holds debug exceptions
 * off for one instruction after `mov ..., %ss` (what XSA-260 turned on).
 * QEMU's TCG delivers it at once, so this test runs on the simulator and on
 * Bochs only.
 */
#include "guest.h"
#include "traps.h"

const char test_title[] = "A breakpoint hit by mov to ss traps one instruction later";

extern char ss_at[], ss_next[], ss_after[];

static uint32_t ss_value;
static unsigned int db_count;
static uint32_t db_eip;

static bool db_hook(struct guest_frame *f)
{
    if ( f->vector != 1 )
        return false;
    db_count++;
    db_eip = f->eip;
    asm volatile ( "mov %0, %%dr6" :: "r" (0xffff0ff0u) );
    return true;
}

void test_main(void)
{
    guest_traps_init();
    guest_trap_hook = db_hook;
    asm volatile ( "mov %%ss, %0" : "=r" (ss_value) );

    CHECK_RC(HYPERVISOR_set_debugreg(0, (uint32_t)&ss_value), 0);
    CHECK_RC(HYPERVISOR_set_debugreg(7, 0x1 | (3u << 16) | (3u << 18)), 0);   /* L0, RW, 4 bytes */
    asm volatile ( "ss_at: mov %0, %%ss; ss_next: nop; ss_after: nop" :: "m" (ss_value) : "memory" );
    CHECK_RC(HYPERVISOR_set_debugreg(7, 0), 0);
    if ( db_count != 1 || db_eip != (uint32_t)ss_after )
        test_fail("%u #DB, last at %#x; expected one at %#x (after the nop), not %#x\n",
                  db_count, db_eip, (uint32_t)ss_after, (uint32_t)ss_next);
    test_pass();
}
