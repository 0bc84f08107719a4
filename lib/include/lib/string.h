/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lib/string.h - memory and string functions for freestanding code
 * (lib/string.c). Host programs that link the core (the simulator, the unit
 * tests) take libc's instead, which behave the same.
 */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include <lib/compiler.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

#endif /* LIB_STRING_H */
