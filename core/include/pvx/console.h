/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * console.h - the machine console: the hypervisor's log and guests' output.
 */
#ifndef PVX_CONSOLE_H
#define PVX_CONSOLE_H

#include <pvx/types.h>

struct domain;

/* The hypervisor's log ring: a power of two, as Xen's conring. */
#define CONSOLE_RING_SIZE 16384

void console_init(void);
/* sysctl readconsole: copy out up to len bytes of the log ring from *index
 * (the oldest kept when incremental is false or *index is older), advance
 * *index past them; clear drops all kept. Returns the bytes in out. */
size_t console_ring_read(char *out, size_t len, uint32_t *index, bool incremental, bool clear);
/* A guest's console output: the initial domain's raw, others' as "(dN) " lines. */
void console_guest_write(struct domain *d, const char *s, size_t len);

#endif /* PVX_CONSOLE_H */
