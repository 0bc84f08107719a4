/* SPDX-License-Identifier: MIT */
/*
 * public/grant_table.h - grant_table_op: HYPERVISOR_grant_table_op(cmd, uop,
 * count). pvx implements GNTTABOP_setup_table (version 1 tables only); the
 * other numbers are listed so that they can be refused by name.
 */
#ifndef PVX_PUBLIC_GRANT_TABLE_H
#define PVX_PUBLIC_GRANT_TABLE_H

#include "xen.h"

#define GNTTABOP_map_grant_ref          0
#define GNTTABOP_unmap_grant_ref        1
#define GNTTABOP_setup_table            2
#define GNTTABOP_dump_table             3
#define GNTTABOP_transfer               4
#define GNTTABOP_copy                   5
#define GNTTABOP_query_size             6
#define GNTTABOP_unmap_and_replace      7
#define GNTTABOP_set_version            8
#define GNTTABOP_get_status_frames      9
#define GNTTABOP_get_version            10

/* Status codes in the operation structures (not errno values). */
#define GNTST_okay                      0
#define GNTST_general_error             (-1)
#define GNTST_bad_domain                (-2)
#define GNTST_bad_virt_addr             (-5)
#define GNTST_permission_denied         (-8)

/* A version-1 grant entry: 8 bytes, 512 per frame. */
struct grant_entry_v1 {
    uint16_t flags;
    uint16_t domid;
    uint32_t frame;
};
typedef struct grant_entry_v1 grant_entry_v1_t;
_Static_assert(sizeof(struct grant_entry_v1) == 8, "grant_entry_v1 size");

struct gnttab_setup_table {
    uint16_t dom;                       /* IN: DOMID_SELF or the caller's id */
    uint16_t _pad0;
    uint32_t nr_frames;                 /* IN */
    int16_t  status;                    /* OUT: GNTST_* */
    uint16_t _pad1;
    xen_guest_handle_t frame_list;      /* OUT: nr_frames machine frame numbers */
};
typedef struct gnttab_setup_table gnttab_setup_table_t;
_Static_assert(sizeof(struct gnttab_setup_table) == 16, "gnttab_setup_table size");
_Static_assert(offsetof(struct gnttab_setup_table, nr_frames) == 4, "gnttab_setup_table.nr_frames");
_Static_assert(offsetof(struct gnttab_setup_table, status) == 8, "gnttab_setup_table.status");
_Static_assert(offsetof(struct gnttab_setup_table, frame_list) == 12,
               "gnttab_setup_table.frame_list");

struct gnttab_query_size {
    uint16_t dom;                       /* IN */
    uint16_t _pad0;
    uint32_t nr_frames;                 /* OUT */
    uint32_t max_nr_frames;             /* OUT */
    int16_t  status;                    /* OUT */
    uint16_t _pad1;
};
typedef struct gnttab_query_size gnttab_query_size_t;
_Static_assert(sizeof(struct gnttab_query_size) == 16, "gnttab_query_size size");

#endif /* PVX_PUBLIC_GRANT_TABLE_H */
