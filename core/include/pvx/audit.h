/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * audit.h - recompute every frame's reference and type counts from the page
 * tables and compare them with the frame table.
 */
#ifndef PVX_AUDIT_H
#define PVX_AUDIT_H

/* Walk every domain's pinned tables and cr3s, recount, compare; print each
 * mismatch (the first few) as "(pvx) audit: ..." and return how many. */
unsigned int audit_frames(void);

/* At the end of a scenario: "(pvx) audit: clean" or "(pvx) audit: N
 * mismatches"; returns N. */
unsigned int audit_at_shutdown(void);

#endif /* PVX_AUDIT_H */
