/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * errno.h - the error numbers hypercalls return (negated): the guest ABI's
 * values (public/errno.h) under their usual names, as the shared lib names
 * them for the core and the guests alike.
 */
#ifndef PVX_ERRNO_H
#define PVX_ERRNO_H

#include <lib/errno.h>

#endif /* PVX_ERRNO_H */
