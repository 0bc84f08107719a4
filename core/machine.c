/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * machine.c - the one struct with all of the hypervisor's mutable state
 * (machine.h). Its reset is setup.c's (it calls every owner's init).
 */
#include <pvx/machine.h>

struct machine machine;
