/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpio.h - reading a cpio archive in the "newc" format (what `cpio -H newc`
 * writes, and Linux's initramfs): a 110-byte ASCII header ("070701" and
 * thirteen 8-digit hex fields), the name (its NUL counted in namesize) padded
 * to 4 bytes, the data padded to 4 bytes; "TRAILER!!!" ends it.
 */
#ifndef GUEST_CPIO_H
#define GUEST_CPIO_H

#include <stddef.h>
#include <stdint.h>

struct cpio_entry {
    const char *name;           /* NUL-terminated, in the archive */
    const uint8_t *data;
    uint32_t size;
    uint32_t mode;
};

/* The entry after *at (start with *at = 0): 1 and *e filled, 0 at the end,
 * -1 for a malformed archive. */
int cpio_next(const void *archive, size_t len, size_t *at, struct cpio_entry *e);
/* The regular file called name ("./" prefixes ignored): 0 and *e, or -1. */
int cpio_find(const void *archive, size_t len, const char *name, struct cpio_entry *e);

#endif /* GUEST_CPIO_H */
