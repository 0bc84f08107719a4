/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hog: CPU-bound forever, never a hypercall after its first line. Only
 * preemption by the hypervisor's timer lets anyone else run. Its loop works
 * in registers (long blocks, no stores): the simulator runs it at full speed.
 */
#include "guest.h"

const char test_title[] = "hog: a CPU-bound domain that never yields";

void test_main(void)
{
    printk("hogging the CPU\n");
    asm volatile ( "1:\n"
                   ".rept 64\n"
                   "    add %%ecx, %%eax\n"
                   "    rol $3, %%eax\n"
                   ".endr\n"
                   "    jmp 1b\n" ::: "eax", "ecx", "cc" );
}
