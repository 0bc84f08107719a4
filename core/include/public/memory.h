/* SPDX-License-Identifier: MIT */
/*
 * public/memory.h - memory_op hypercall: HYPERVISOR_memory_op(cmd, arg).
 * Returns, for the reservation commands, the number of extents done.
 */
#ifndef PVX_PUBLIC_MEMORY_H
#define PVX_PUBLIC_MEMORY_H

#include "xen.h"

#define XENMEM_increase_reservation     0   /* struct xen_memory_reservation */
#define XENMEM_decrease_reservation     1   /* struct xen_memory_reservation */
#define XENMEM_maximum_ram_page         2   /* arg unused */
#define XENMEM_current_reservation      3   /* arg: domid_t * */
#define XENMEM_maximum_reservation      4   /* arg: domid_t * */
#define XENMEM_machphys_mfn_list        5   /* struct xen_machphys_mfn_list */
#define XENMEM_populate_physmap         6   /* struct xen_memory_reservation */
#define XENMEM_add_to_physmap           7   /* struct xen_add_to_physmap */
#define XENMEM_memory_map               9   /* struct xen_memory_map */
#define XENMEM_machine_memory_map       10  /* struct xen_memory_map, privileged */
#define XENMEM_exchange                 11  /* struct xen_memory_exchange */
#define XENMEM_machphys_mapping         12  /* struct xen_machphys_mapping */
#define XENMEM_set_memory_map           13
#define XENMEM_maximum_gpfn             14  /* arg: domid_t * */
#define XENMEM_remove_from_physmap      15
#define XENMEM_claim_pages              24
#define XENMEM_machphys_compat_mfn_list 25

/* mem_flags of a reservation. */
#define XENMEMF_address_bits(x)         (x)
#define XENMEMF_get_address_bits(x)     ((x) & 0xffu)
#define XENMEMF_node(x)                 (((x) + 1) << 8)
#define XENMEMF_get_node(x)             ((((x) >> 8) - 1) & 0xffu)
#define XENMEMF_populate_on_demand      (1u << 16)
#define XENMEMF_exact_node_request      (1u << 17)
#define XENMEMF_vnode                   (1u << 18)

struct xen_memory_reservation {
    xen_guest_handle_t extent_start;    /* xen_pfn_t[nr_extents], in and/or out */
    uint32_t           nr_extents;
    uint32_t           extent_order;    /* each extent is 2^order pages */
    uint32_t           mem_flags;       /* XENMEMF_* */
    domid_t            domid;           /* DOMID_SELF unless privileged */
    uint16_t           pad;
};
typedef struct xen_memory_reservation xen_memory_reservation_t;
_Static_assert(sizeof(struct xen_memory_reservation) == 20, "xen_memory_reservation size");
_Static_assert(offsetof(struct xen_memory_reservation, nr_extents) == 4, "xmr.nr_extents");
_Static_assert(offsetof(struct xen_memory_reservation, extent_order) == 8, "xmr.extent_order");
_Static_assert(offsetof(struct xen_memory_reservation, mem_flags) == 12, "xmr.mem_flags");
_Static_assert(offsetof(struct xen_memory_reservation, domid) == 16, "xmr.domid");

struct xen_memory_exchange {
    struct xen_memory_reservation in;
    struct xen_memory_reservation out;
    uint32_t nr_exchanged;              /* OUT; must be 0 on the first call */
};
typedef struct xen_memory_exchange xen_memory_exchange_t;
_Static_assert(sizeof(struct xen_memory_exchange) == 44, "xen_memory_exchange size");

struct xen_machphys_mfn_list {
    uint32_t           max_extents;
    xen_guest_handle_t extent_start;    /* xen_pfn_t[] out */
    uint32_t           nr_extents;      /* OUT */
};
typedef struct xen_machphys_mfn_list xen_machphys_mfn_list_t;
_Static_assert(sizeof(struct xen_machphys_mfn_list) == 12, "xen_machphys_mfn_list size");

struct xen_machphys_mapping {
    uint32_t v_start, v_end;            /* where the read-only M2P is mapped */
    uint32_t max_mfn;
};
typedef struct xen_machphys_mapping xen_machphys_mapping_t;
_Static_assert(sizeof(struct xen_machphys_mapping) == 12, "xen_machphys_mapping size");

#define XENMAPSPACE_shared_info     0
#define XENMAPSPACE_grant_table     1
#define XENMAPSPACE_gmfn            2
#define XENMAPSPACE_gmfn_range      3
#define XENMAPSPACE_gmfn_foreign    4
#define XENMAPSPACE_dev_mmio        5

struct xen_add_to_physmap {
    domid_t   domid;
    uint16_t  size;                     /* gmfn_range only */
    uint32_t  space;                    /* XENMAPSPACE_* */
    uint32_t  idx;
    xen_pfn_t gpfn;
};
typedef struct xen_add_to_physmap xen_add_to_physmap_t;
_Static_assert(sizeof(struct xen_add_to_physmap) == 16, "xen_add_to_physmap size");
_Static_assert(offsetof(struct xen_add_to_physmap, space) == 4, "xen_add_to_physmap.space");

struct xen_remove_from_physmap {
    domid_t   domid;
    uint16_t  pad;
    xen_pfn_t gpfn;
};
typedef struct xen_remove_from_physmap xen_remove_from_physmap_t;
_Static_assert(sizeof(struct xen_remove_from_physmap) == 8, "xen_remove_from_physmap size");

/* The buffer holds BIOS E820-format entries (struct xen_e820_entry). */
struct xen_memory_map {
    uint32_t           nr_entries;      /* IN: buffer capacity; OUT: entries */
    xen_guest_handle_t buffer;
};
typedef struct xen_memory_map xen_memory_map_t;
_Static_assert(sizeof(struct xen_memory_map) == 8, "xen_memory_map size");

/* The 20-byte E820 entry: no padding between entries. */
struct xen_e820_entry {
    xen_uint64_t addr;
    xen_uint64_t size;
    uint32_t     type;                  /* XEN_E820_* */
};
_Static_assert(sizeof(struct xen_e820_entry) == 20, "xen_e820_entry size");
_Static_assert(offsetof(struct xen_e820_entry, type) == 16, "xen_e820_entry.type");

#define XEN_E820_RAM        1
#define XEN_E820_RESERVED   2
#define XEN_E820_ACPI       3
#define XEN_E820_NVS        4
#define XEN_E820_UNUSABLE   5

#endif /* PVX_PUBLIC_MEMORY_H */
