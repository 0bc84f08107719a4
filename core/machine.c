/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * machine.c - the one struct with all of the hypervisor's mutable state
 * (machine.h), and its reset: a fresh hypervisor for core_start, and so for
 * every unit test and fuzz input.
 */
#include <pvx/console.h>
#include <pvx/fault.h>
#include <pvx/fpu.h>
#include <pvx/lib.h>
#include <pvx/machine.h>
#include <pvx/sched.h>

struct machine machine;

void machine_reset(void)
{
    memset(&machine, 0, sizeof(machine));
    console_init();
    fault_init();
    fpu_init();
    sched_init();
}
