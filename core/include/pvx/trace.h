/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trace.h - what the core records in its trace ring (trace.c); readers use
 * core_trace_read (pvx/arch.h).
 */
#ifndef PVX_TRACE_H
#define PVX_TRACE_H

#include <pvx/types.h>

/* vCPU vcpu of domain domid got CPU cpu at now_ns, for the reason why (a
 * static string: "start", "yield", "block", ...). */
void trace_dispatch(uint64_t now_ns, unsigned int cpu, unsigned int domid, unsigned int vcpu,
                    const char *why);

#endif /* PVX_TRACE_H */
