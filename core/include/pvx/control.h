/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * control.h - what the control interface's two files share (control/).
 */
#ifndef PVX_CONTROL_H
#define PVX_CONTROL_H

#include <pvx/types.h>

struct domain;
struct xen_domctl_getdomaininfo;

/* getdomaininfo's entry for d (domctl and sysctl getdomaininfolist). */
void domctl_fill_info(struct domain *d, struct xen_domctl_getdomaininfo *info);
/* The first domain whose id is dom or above, or NULL (Xen's rule). */
struct domain *domctl_next_domain(uint32_t dom);

#endif /* PVX_CONTROL_H */
