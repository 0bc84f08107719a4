/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * setup.h - the hypervisor command line and boot parameters.
 */
#ifndef PVX_SETUP_H
#define PVX_SETUP_H

#include <pvx/types.h>

#define PVX_VERSION "0.1"

/* Default memory of the initial domain when dom0_mem= is not given. */
#define DOM0_MEM_DEFAULT_MB 32
/* ... and of every further domain built at boot without mem=. */
#define DOMU_MEM_DEFAULT_MB 8

const char *setup_cmdline(void);
/* Parse a size: K, M or G (a bare number is MiB, as xl), B for bytes; 1..4G. */
bool setup_parse_size(const char *s, uint64_t *bytes);

#endif /* PVX_SETUP_H */
