/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spin: loops forever without a hypercall. Nothing stops it but the runner's
 * time limit, which must end the machine with exit status 3 on both machines.
 */
#include "guest.h"

const char test_title[] = "spin: a guest that never yields meets the time limit";

void test_main(void)
{
    volatile unsigned long n = 0;

    printk("Spinning without yielding\n");
    for ( ;; )
        n++;
}
