/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * console.h - the machine console: the hypervisor's log and guests' output.
 */
#ifndef PVX_CONSOLE_H
#define PVX_CONSOLE_H

#include <pvx/types.h>

struct domain;

void console_init(void);
/* A guest's console output: the initial domain's raw, others' as "(dN) " lines. */
void console_guest_write(struct domain *d, const char *s, size_t len);

#endif /* PVX_CONSOLE_H */
