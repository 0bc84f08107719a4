/* SPDX-License-Identifier: MIT */
/*
 * public/io/console.h - the PV console page shared by a domain and its
 * console backend: two byte rings with free-running indices.
 */
#ifndef PVX_PUBLIC_IO_CONSOLE_H
#define PVX_PUBLIC_IO_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t XENCONS_RING_IDX;

/* Index into a ring array whose size is a power of two. */
#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))

struct xencons_interface {
    char             in[1024];      /* backend -> guest (keyboard) */
    char             out[2048];     /* guest -> backend (screen) */
    XENCONS_RING_IDX in_cons, in_prod;
    XENCONS_RING_IDX out_cons, out_prod;
    uint8_t          connection;    /* XENCONSOLE_* */
};
_Static_assert(offsetof(struct xencons_interface, out) == 1024, "xencons.out");
_Static_assert(offsetof(struct xencons_interface, in_cons) == 3072, "xencons.in_cons");
_Static_assert(offsetof(struct xencons_interface, out_prod) == 3084, "xencons.out_prod");
_Static_assert(offsetof(struct xencons_interface, connection) == 3088, "xencons.connection");
_Static_assert(sizeof(struct xencons_interface) == 3092, "xencons_interface size");

#define XENCONSOLE_CONNECTED        0
#define XENCONSOLE_DISCONNECTED     1

#endif /* PVX_PUBLIC_IO_CONSOLE_H */
