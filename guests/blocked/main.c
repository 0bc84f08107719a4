/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * blocked: blocks with no event bound and no timer armed. Nothing can ever
 * wake it: the machine idles forever - not a hypervisor panic - and the
 * runner's time limit ends the run with exit status 3 on both machines.
 */
#include "guest.h"
#include <public/sched.h>

const char test_title[] = "blocked: a domain waiting for nothing idles the machine forever";

void test_main(void)
{
    printk("Blocking with nothing to wake me\n");
    for ( ;; )
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}
