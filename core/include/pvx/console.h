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
/* Console input kept for the initial domain (CONSOLEIO_read): a power of two. */
#define CONSOLE_IN_SIZE   1024

void console_init(void);
/* sysctl readconsole: copy out up to len bytes of the log ring from *index
 * (the oldest kept when incremental is false or *index is older), advance
 * *index past them; clear drops all kept. Returns the bytes in out. */
size_t console_ring_read(char *out, size_t len, uint32_t *index, bool incremental, bool clear);
/* Take what the machine received into the input ring; true if anything new
 * came (the caller raises VIRQ_CONSOLE: the log's room calls nothing). */
bool console_poll_input(void);
/* CONSOLEIO_read: up to len bytes of input, oldest first; the count. */
size_t console_input_read(char *out, size_t len);
/* A guest's console output: the initial domain's raw, others' as "(dN) " lines. */
void console_guest_write(struct domain *d, const char *s, size_t len);

#endif /* PVX_CONSOLE_H */
