/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lib/portio.h - x86 port I/O, for code that runs in ring 0 on the machine:
 * the hypervisor on x86 (arch-x86/) and the native workload runtime
 * (guests/lib/native/). The simulator never includes it.
 */
#ifndef LIB_PORTIO_H
#define LIB_PORTIO_H

#include <lib/compiler.h>

static inline void outb(uint16_t port, uint8_t v)
{
    asm volatile ( "outb %0, %1" :: "a" (v), "Nd" (port) );
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;

    asm volatile ( "inb %1, %0" : "=a" (v) : "Nd" (port) );
    return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
    asm volatile ( "outw %0, %1" :: "a" (v), "Nd" (port) );
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t v;

    asm volatile ( "inw %1, %0" : "=a" (v) : "Nd" (port) );
    return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
    asm volatile ( "outl %0, %1" :: "a" (v), "Nd" (port) );
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;

    asm volatile ( "inl %1, %0" : "=a" (v) : "Nd" (port) );
    return v;
}

#endif /* LIB_PORTIO_H */
