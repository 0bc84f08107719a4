/* SPDX-License-Identifier: MIT */
/*
 * public/io/blkif.h - block requests and responses on an I/O ring: Xen's
 * blkif protocol in the layout of a 32-bit x86 guest (64-bit fields 4-byte
 * aligned), which is what every pvx guest is.
 *
 * A frontend puts requests on the ring (io/ring.h) and a backend answers
 * each one, in any order, with a response carrying the request's id. In
 * pvx the backend is the hypervisor itself, as in the Xen paper's §3.3.6
 * (docs/io.md): a ring is attached to a virtual block device with
 * physdev_op (public/pvx.h), and a segment's `gref` names the machine frame
 * of its buffer - there are no grants between a guest and the hypervisor.
 *
 * A request moves sectors of 512 bytes between the device, from
 * sector_number on, and up to BLKIF_MAX_SEGMENTS_PER_REQUEST buffers, each
 * sectors first_sect..last_sect (0..7) of one 4 KiB frame, back to back.
 */
#ifndef PVX_PUBLIC_IO_BLKIF_H
#define PVX_PUBLIC_IO_BLKIF_H

#include "ring.h"
#include "../xen.h"

typedef uint16_t blkif_vdev_t;
typedef xen_uint64_t blkif_sector_t;

#define BLKIF_OP_READ               0
#define BLKIF_OP_WRITE              1
/* A write that is not reordered with any request before or after it, and
 * is on the medium with everything before it when it completes. */
#define BLKIF_OP_WRITE_BARRIER      2
/* Every write completed before it is on the medium; no segments. */
#define BLKIF_OP_FLUSH_DISKCACHE    3
#define BLKIF_OP_RESERVED_1         4
#define BLKIF_OP_DISCARD            5
#define BLKIF_OP_INDIRECT           6

#define BLKIF_MAX_SEGMENTS_PER_REQUEST 11
#define BLKIF_SECTOR_SIZE           512
#define BLKIF_SECTORS_PER_FRAME     8

struct blkif_request_segment {
    uint32_t gref;              /* pvx: the buffer's machine frame number */
    uint8_t  first_sect;        /* first and last sector of the frame used, 0..7 */
    uint8_t  last_sect;
    uint16_t pad;
};
_Static_assert(sizeof(struct blkif_request_segment) == 8, "blkif_request_segment size");

struct blkif_request {
    uint8_t        operation;   /* BLKIF_OP_* */
    uint8_t        nr_segments; /* 1..BLKIF_MAX_SEGMENTS_PER_REQUEST (0 for a flush) */
    blkif_vdev_t   handle;      /* the virtual device */
    xen_uint64_t   id;          /* the frontend's, echoed in the response */
    blkif_sector_t sector_number;
    struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};
_Static_assert(offsetof(struct blkif_request, handle) == 2, "blkif_request.handle");
_Static_assert(offsetof(struct blkif_request, id) == 4, "blkif_request.id");
_Static_assert(offsetof(struct blkif_request, sector_number) == 12, "blkif_request.sector_number");
_Static_assert(offsetof(struct blkif_request, seg) == 20, "blkif_request.seg");
_Static_assert(sizeof(struct blkif_request) == 108, "blkif_request size");

struct blkif_response {
    xen_uint64_t id;            /* the request's */
    uint8_t      operation;     /* the request's */
    uint8_t      pad;
    int16_t      status;        /* BLKIF_RSP_* */
};
_Static_assert(offsetof(struct blkif_response, operation) == 8, "blkif_response.operation");
_Static_assert(offsetof(struct blkif_response, status) == 10, "blkif_response.status");
_Static_assert(sizeof(struct blkif_response) == 12, "blkif_response size");

#define BLKIF_RSP_EOPNOTSUPP    -2  /* an operation the backend does not do */
#define BLKIF_RSP_ERROR         -1
#define BLKIF_RSP_OKAY           0

/* vdisk info flags (a VBD's mode as a frontend reads it). */
#define VDISK_CDROM             0x1
#define VDISK_REMOVABLE         0x2
#define VDISK_READONLY          0x4

DEFINE_RING_TYPES(blkif, struct blkif_request, struct blkif_response);

/* One page holds 32 slots: (4096 - 64) / 108 rounded down to a power of two. */
#define BLKIF_RING_SIZE_PAGE    32
_Static_assert(sizeof(union blkif_sring_entry) == 108, "blkif ring entry");

#endif /* PVX_PUBLIC_IO_BLKIF_H */
