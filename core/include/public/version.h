/* SPDX-License-Identifier: MIT */
/*
 * public/version.h - xen_version hypercall: HYPERVISOR_xen_version(cmd, arg).
 */
#ifndef PVX_PUBLIC_VERSION_H
#define PVX_PUBLIC_VERSION_H

#include "xen.h"

/* arg ignored; returns (major << 16) | minor. */
#define XENVER_version              0

/* arg: xen_extraversion_t, e.g. "-pvx". */
#define XENVER_extraversion         1
typedef char xen_extraversion_t[16];
#define XEN_EXTRAVERSION_LEN        (sizeof(xen_extraversion_t))

/* arg: struct xen_compile_info. */
#define XENVER_compile_info         2
struct xen_compile_info {
    char compiler[64];
    char compile_by[16];
    char compile_domain[32];
    char compile_date[32];
};
typedef struct xen_compile_info xen_compile_info_t;
_Static_assert(sizeof(struct xen_compile_info) == 144, "xen_compile_info size");
_Static_assert(offsetof(struct xen_compile_info, compile_date) == 112,
               "xen_compile_info.compile_date");

/* arg: xen_capabilities_info_t, space-separated ABI names ("xen-3.0-x86_32p"). */
#define XENVER_capabilities         3
typedef char xen_capabilities_info_t[1024];
#define XEN_CAPABILITIES_INFO_LEN   (sizeof(xen_capabilities_info_t))

/* arg: xen_changeset_info_t. */
#define XENVER_changeset            4
typedef char xen_changeset_info_t[64];
#define XEN_CHANGESET_INFO_LEN      (sizeof(xen_changeset_info_t))

/* arg: struct xen_platform_parameters (where the hypervisor's area begins). */
#define XENVER_platform_parameters  5
struct xen_platform_parameters {
    uint32_t virt_start;
};
typedef struct xen_platform_parameters xen_platform_parameters_t;
_Static_assert(sizeof(struct xen_platform_parameters) == 4, "xen_platform_parameters size");

/* arg: struct xen_feature_info; submap_idx in, submap (XENFEAT_* bits) out. */
#define XENVER_get_features         6
struct xen_feature_info {
    uint32_t submap_idx;
    uint32_t submap;
};
typedef struct xen_feature_info xen_feature_info_t;
_Static_assert(sizeof(struct xen_feature_info) == 8, "xen_feature_info size");

/* arg ignored; returns the page size in bytes. */
#define XENVER_pagesize             7

/* arg: xen_domain_handle_t (16 bytes) out. */
#define XENVER_guest_handle         8
typedef uint8_t xen_domain_handle_t[16];

/* arg: xen_commandline_t (privileged). */
#define XENVER_commandline          9
typedef char xen_commandline_t[1024];

/* arg: struct xen_build_id; len in = buffer size; returns bytes written. */
#define XENVER_build_id             10
struct xen_build_id {
    uint32_t len;
    uint8_t  buf[];
};
typedef struct xen_build_id xen_build_id_t;
_Static_assert(sizeof(struct xen_build_id) == 4, "xen_build_id size");

/* Variable-length forms of the above: arg is a struct xen_varbuf. */
#define XENVER_extraversion2        11
#define XENVER_capabilities2        12
#define XENVER_changeset2           13
#define XENVER_commandline2         14
struct xen_varbuf {
    uint32_t len;
    uint8_t  buf[];
};
typedef struct xen_varbuf xen_varbuf_t;

#endif /* PVX_PUBLIC_VERSION_H */
