/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * blkfront.h - a guest's side of a virtual block device (docs/io.md): the
 * ring in one page of its own, requests posted in batches, responses taken
 * in whatever order the hypervisor gives them and matched to their request
 * by id (a response whose id is not one in flight is a broken backend:
 * counted in bad_rsps, never trusted).
 *
 *   blkfront_open(bf, index, page)  the domain's index-th VBD, its ring in
 *                                    page (page aligned, ours)
 *   blkfront_post(bf, op, sector, buf, nsect)   one request of up to 11
 *                                    pages: buf page aligned; returns its id
 *                                    (>= 0) or -EBUSY when the ring is full
 *   blkfront_kick(bf)                publish what was posted; notify if the
 *                                    hypervisor asked (req_event)
 *   blkfront_wait(bf, rsp, timeout)  the next response; -ETIME past timeout
 *   blkfront_io(bf, op, sector, buf, nsect)   all three: the status
 */
#ifndef GUEST_BLKFRONT_H
#define GUEST_BLKFRONT_H

#include <stdbool.h>
#include <stdint.h>
#include <public/event_channel.h>
#include <public/io/blkif.h>
#include <public/pvx.h>

#define BLKFRONT_MAX_SECT   (BLKIF_MAX_SEGMENTS_PER_REQUEST * BLKIF_SECTORS_PER_FRAME)
#define BLKFRONT_TIMEOUT_NS 5000000000ull   /* longer than the hypervisor's watchdog */

struct blkfront {
    uint16_t vdev, mode;
    uint64_t sectors;
    struct blkif_front_ring ring;
    bool inflight[BLKIF_RING_SIZE_PAGE];    /* by id */
    uint8_t op[BLKIF_RING_SIZE_PAGE];
    uint32_t seq[BLKIF_RING_SIZE_PAGE];     /* by id: the order they were posted in */
    uint32_t next_seq;
    unsigned int nr_inflight;
    unsigned long notifies, bad_rsps;
};

long blkfront_open(struct blkfront *bf, unsigned int index, void *page);
long blkfront_close(struct blkfront *bf);
long blkfront_post(struct blkfront *bf, uint8_t op, uint64_t sector, void *buf, unsigned int nsect);
long blkfront_kick(struct blkfront *bf);
long blkfront_wait(struct blkfront *bf, struct blkif_response *rsp, uint64_t timeout_ns);
long blkfront_io(struct blkfront *bf, uint8_t op, uint64_t sector, void *buf, unsigned int nsect);
/* The VIRQ_PVX_BLKIF port (bound by the first open). */
extern evtchn_port_t blkfront_port;

/* Raw physdev_op calls, for tests that break the rules on purpose. */
long blkfront_physdev(unsigned int cmd, uint16_t vdev, uint32_t ring_mfn,
                      struct physdev_pvx_blkif *out);

#endif /* GUEST_BLKFRONT_H */
