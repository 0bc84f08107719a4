/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * core_state.h - the core's file-scope variables, saved and restored whole:
 * with fake_snapshot (the machine), a fresh hypervisor in a copy instead of
 * a boot (the fuzzer's per-input reset).
 *
 * Until the core keeps its state in one machine struct (issue 18, item 3),
 * a build that wants this gathers the core's writable sections into two of
 * their own, pvx_core_data and pvx_core_bss (testsuite/fuzz/build.mk); in
 * a build without them core_state_available() is false. The domain table
 * is most of it (1024 slots): only the slots below nr_domains are copied
 * back, and core_state_differs() checks that nothing else changed.
 */
#ifndef CORE_STATE_H
#define CORE_STATE_H

#include <stdbool.h>
#include <stddef.h>

struct core_state;

bool core_state_available(void);
/* The core's variables now; nr_domains: the domain slots a run may use. */
struct core_state *core_state_take(unsigned int nr_domains);
void core_state_restore(const struct core_state *s);
/* NULL when every variable (every domain slot too) equals the snapshot,
 * else where the first difference is. */
const char *core_state_differs(const struct core_state *s);
/* Bytes the snapshot holds, and bytes a restore copies. */
size_t core_state_size(const struct core_state *s, size_t *copied);

#endif /* CORE_STATE_H */
