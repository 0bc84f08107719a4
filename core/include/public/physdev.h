/* SPDX-License-Identifier: MIT */
/*
 * public/physdev.h - physdev_op hypercall: HYPERVISOR_physdev_op(cmd, arg).
 * pvx implements the I/O privilege commands; the numbers of the others are
 * listed so that they can be refused by name.
 */
#ifndef PVX_PUBLIC_PHYSDEV_H
#define PVX_PUBLIC_PHYSDEV_H

#include "xen.h"

#define PHYSDEVOP_IRQ_UNMASK_NOTIFY     4
#define PHYSDEVOP_irq_status_query      5
#define PHYSDEVOP_set_iopl              6
#define PHYSDEVOP_set_iobitmap          7
#define PHYSDEVOP_apic_read             8
#define PHYSDEVOP_apic_write            9
#define PHYSDEVOP_alloc_irq_vector      10
#define PHYSDEVOP_free_irq_vector       11
#define PHYSDEVOP_eoi                   12
#define PHYSDEVOP_map_pirq              13
#define PHYSDEVOP_unmap_pirq            14
#define PHYSDEVOP_manage_pci_add        15
#define PHYSDEVOP_manage_pci_remove     16
#define PHYSDEVOP_pirq_eoi_gmfn_v1      17
#define PHYSDEVOP_restore_msi           19
#define PHYSDEVOP_manage_pci_add_ext    20
#define PHYSDEVOP_setup_gsi             21
#define PHYSDEVOP_get_free_pirq         23
#define PHYSDEVOP_pci_mmcfg_reserved    24
#define PHYSDEVOP_pci_device_add        25
#define PHYSDEVOP_pci_device_remove     26
#define PHYSDEVOP_restore_msi_ext       27
#define PHYSDEVOP_pirq_eoi_gmfn_v2      28
#define PHYSDEVOP_dbgp_op               29
#define PHYSDEVOP_prepare_msix          30
#define PHYSDEVOP_release_msix          31
#define PHYSDEVOP_pci_device_reset      32

/* The virtual IOPL of the calling vCPU: 0..3; in/out is allowed at ring <= iopl. */
struct physdev_set_iopl {
    uint32_t iopl;
};
typedef struct physdev_set_iopl physdev_set_iopl_t;
_Static_assert(sizeof(struct physdev_set_iopl) == 4, "physdev_set_iopl size");

/* A guest I/O bitmap (bit set: port denied), as in a TSS. */
struct physdev_set_iobitmap {
    xen_guest_handle_t bitmap;
    uint32_t           nr_ports;
};
typedef struct physdev_set_iobitmap physdev_set_iobitmap_t;
_Static_assert(sizeof(struct physdev_set_iobitmap) == 8, "physdev_set_iobitmap size");

struct physdev_eoi {
    uint32_t irq;
};
typedef struct physdev_eoi physdev_eoi_t;
_Static_assert(sizeof(struct physdev_eoi) == 4, "physdev_eoi size");

#define XENIRQSTAT_needs_eoi    (1u << 0)
#define XENIRQSTAT_shared       (1u << 1)

struct physdev_irq_status_query {
    uint32_t irq;       /* IN */
    uint32_t flags;     /* OUT: XENIRQSTAT_* */
};
typedef struct physdev_irq_status_query physdev_irq_status_query_t;
_Static_assert(sizeof(struct physdev_irq_status_query) == 8, "physdev_irq_status_query size");

#endif /* PVX_PUBLIC_PHYSDEV_H */
