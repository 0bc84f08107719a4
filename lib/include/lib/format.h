/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lib/format.h - printf-style formatting into a buffer (lib/vsnprintk.c).
 * Each user writes the result where it belongs: the core's log, the x86
 * console, a guest's console_io.
 */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H

#include <lib/compiler.h>

/* %d %i %u %x %X %o %c %s %p %% with flags "-0 #+", width, precision, * and
 * the length modifiers hh h l ll z t j. Always NUL-terminates (when
 * size > 0); returns the length the full output needs. */
int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap);
int snprintk(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif /* LIB_FORMAT_H */
