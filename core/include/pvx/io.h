/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * io.h - virtual block devices over the machine's disks (the Xen paper's
 * §3.2 and §3.3.6; docs/io.md):
 *
 *   io/ring.c      the hypervisor's side of an I/O ring in a guest frame:
 *                  every index the guest writes checked, every slot copied
 *                  once before it is looked at
 *   io/vbd.c       VBDs: extents of physical disks, read-only or read-write,
 *                  installed by the initial domain (domctl) or a boot option;
 *                  translation of a VBD's sectors to a disk's
 *   io/blkif.c     the guest's side: physdev_op's sub-ops, requests taken
 *                  from the rings in batches, round-robin, each checked
 *                  whole before anything is done for it; responses
 *   io/elevator.c  per disk: the queue of operations, the elevator, the
 *                  one operation in flight, completions, the watchdog
 *
 * Zero-copy: a request's buffers are the guest's own frames; each holds a
 * reference (and, when the disk writes into it, a writable type) from the
 * moment the request is taken until the disk is done with it - also when
 * the domain dies meanwhile (docs/io.md, "A domain that dies").
 */
#ifndef PVX_IO_H
#define PVX_IO_H

#include <pvx/arch.h>
#include <pvx/types.h>
#include <public/io/blkif.h>

struct domain;
struct vcpu;
struct xen_domctl_pvx_vbd;

#define IO_MAX_DISKS        ARCH_DISK_MAX
#define VBD_MAX             64          /* VBDs on the machine */
#define VBD_MAX_EXTENTS     8
#define IO_MAX_REQS         128         /* requests taken and not yet answered */
#define IO_MAX_OPS          256         /* disk operations queued or in flight */
/* Operations waiting for a disk: no ring's batch is taken while that many
 * wait, so the round-robin, not the queue, decides who is served next. */
#define IO_QUEUE_LIMIT      16
/* Disk operations one request may need: a new one at each extent boundary
 * and every ARCH_DISK_MAX_SEGS segments, and a flush per extent. */
#define IO_REQ_MAX_OPS      (BLKIF_MAX_SEGMENTS_PER_REQUEST + 2 * VBD_MAX_EXTENTS)
#define IO_BATCH            4           /* requests taken from one ring per turn */
#define IO_NONE             0xffffu
/* The watchdog: an operation the disk has not completed in this long is
 * cancelled and answered with an error (boot option disk_timeout_ms=). */
#define IO_TIMEOUT_NS_DEFAULT 2000000000ull

/* A ring in a guest frame: the hypervisor's private indices (ring.c). */
struct io_ring {
    mfn_t mfn;
    uint8_t *page;              /* the frame, mapped; NULL: no ring */
    uint32_t nr_ents;           /* a power of two */
    uint32_t ent_size;          /* bytes of a slot (the larger of request and response) */
    uint32_t req_cons;          /* the next request to take */
    uint32_t rsp_prod_pvt;      /* the next response slot to fill */
    uint32_t rsp_pushed;        /* the rsp_prod we published last */
};

struct vbd_extent {
    uint32_t disk;
    uint64_t start;             /* first sector on the disk */
    uint64_t nr;                /* sectors */
};

struct vbd {
    bool in_use;
    uint16_t domid;
    uint16_t vdev;
    uint16_t mode;              /* PVX_VBD_MODE_* */
    unsigned int nr_extents;
    struct vbd_extent ext[VBD_MAX_EXTENTS];
    uint64_t sectors;           /* the VBD's size: its extents' sum */
    struct io_ring ring;        /* blkif.c: attached with blkif_connect */
    bool on_rr;                 /* on the round-robin list of rings with requests */
    uint32_t epoch;             /* the next request's; barriers move it (elevator.c) */
    unsigned int outstanding;   /* requests taken and not answered */
    uint64_t reqs_done, sectors_done, errors;
};

/* A request taken from a ring and not yet answered (blkif.c). */
struct io_req {
    bool in_use;
    uint16_t domid;
    uint16_t vbd;               /* IO_NONE once the VBD is gone: nobody to answer */
    uint8_t op;                 /* BLKIF_OP_* */
    int16_t status;             /* BLKIF_RSP_*: the worst of its operations' */
    uint16_t ops_left;          /* disk operations not completed yet */
    uint8_t nr_frames;
    bool frames_writable;       /* the disk writes into them: they hold a writable type */
    uint64_t id;
    mfn_t frame[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};

/* One operation for one disk: a piece of a request (elevator.c). */
struct io_op {
    bool in_use;
    bool started;               /* the disk has it */
    uint8_t disk;
    uint16_t req;
    uint16_t vbd;               /* whose epochs order it */
    uint32_t epoch;             /* not before every older op of the same VBD is done */
    uint64_t seq;               /* arrival order: the FIFO's */
    struct arch_disk_op aop;
};

struct io_disk {
    uint64_t sectors;
    uint16_t inflight;          /* the op the disk has, or IO_NONE */
    uint64_t head;              /* the sector after the last op: the elevator sweeps from it */
    uint64_t started_ns;
    bool lost;                  /* the completion of the op in flight was lost (fault) */
    uint64_t ops, errors, seek_sectors; /* done so far; the distance the head moved */
    uint64_t busy_ns;           /* start to completion, summed */
};

struct io_state {
    struct vbd vbd[VBD_MAX];
    struct io_req req[IO_MAX_REQS];
    struct io_op op[IO_MAX_OPS];
    struct io_disk disk[IO_MAX_DISKS];
    unsigned int nr_disks;
    uint16_t rr[VBD_MAX];       /* VBDs whose rings have requests, in turn order */
    unsigned int rr_len;
    unsigned int nr_queued;     /* ops waiting for a disk */
    uint64_t op_seq;
    uint64_t reqs, bad_reqs;    /* taken; answered with an error before any disk work */
    bool fifo;                  /* elevator=fifo: the benchmark's baseline */
    uint64_t timeout_ns;
};

/* ------------------------------------------------------------------------
 * ring.c
 */

/* Attach the ring in frame mfn of d: a reference and a writable type held
 * until io_ring_detach. 0, or -EINVAL (not d's frame, not one it may write,
 * one the hypervisor shares with it) with nothing changed. */
int io_ring_attach(struct io_ring *r, struct domain *d, mfn_t mfn, uint32_t ent_size);
void io_ring_detach(struct io_ring *r);
/* Requests published and not taken, at most the free response slots. 0 or
 * -EINVAL when req_prod is behind req_cons or more than a ring ahead of it. */
int io_ring_pending(const struct io_ring *r, uint32_t *n);
/* Copy the next request (len bytes) out of the ring and take it. */
void io_ring_take(struct io_ring *r, void *req, uint32_t len);
/* Put a response in the next slot (not yet visible to the guest). */
void io_ring_put(struct io_ring *r, const void *rsp, uint32_t len);
/* Publish the responses put so far: true if the guest asked to be told
 * (rsp_event passed). */
bool io_ring_push(struct io_ring *r);
/* Out of requests: ask the guest to notify for the next one (req_event) and
 * look once more; true if one came meanwhile. */
bool io_ring_final_check(struct io_ring *r);

/* ------------------------------------------------------------------------
 * vbd.c
 */
struct vbd *vbd_lookup(uint16_t domid, uint16_t vdev);
/* The VBD's index in machine.io.vbd. */
uint16_t vbd_index(const struct vbd *vbd);
/* A VBD with no extents for domid. 0, -EINVAL (bad mode), -EEXIST, -ENOSPC. */
int vbd_create(uint16_t domid, uint16_t vdev, uint16_t mode);
/* One more extent at its end. 0, -ENOENT, -EINVAL (outside the disk, too
 * many extents, empty), -EBUSY (overlaps another VBD's, a writable one on
 * either side). */
int vbd_grow(uint16_t domid, uint16_t vdev, uint32_t disk, uint64_t start, uint64_t nr);
/* The VBD goes: its ring detached, its queued requests dropped (their
 * frames released), those the disk has left to finish unanswered. */
int vbd_destroy(uint16_t domid, uint16_t vdev);
/* VBD sector -> disk and sector; *run: sectors from there inside the same
 * extent. The sector is inside the VBD. */
void vbd_translate(const struct vbd *vbd, uint64_t sector, uint32_t *disk, uint64_t *psector,
                   uint64_t *run);
/* The domid's index-th VBD, or NULL. */
struct vbd *vbd_nth(uint16_t domid, uint32_t index);
/* A boot option's VBD spec "VDEV,MODE,DISK:START+NR[,DISK:START+NR...]"
 * (VDEV xvda..xvdz or a number, MODE r or w) for domid: 0, or -errno with
 * the VBD not made. */
int vbd_parse(uint16_t domid, const char *spec, size_t len);
struct xen_domctl_pvx_disk_stats;
/* XEN_DOMCTL_pvx_disk_stats: 0 or -ENODEV. */
int io_disk_stats(struct xen_domctl_pvx_disk_stats *st);
/* The domctl sub-ops (XEN_DOMCTL_pvx_vbd_*, pvx_disk_info) for domain d. */
long vbd_domctl(uint32_t cmd, struct domain *d, struct xen_domctl_pvx_vbd *op);
/* A domain being destroyed: every VBD of its goes (vbd_destroy). */
void io_domain_destroy(struct domain *d);

/* ------------------------------------------------------------------------
 * blkif.c
 */
long blkif_physdev_op(struct vcpu *v, uint32_t cmd, uint32_t arg);
/* Take requests from the rings on the round-robin list, batch by batch,
 * while the queue has room; then start every idle disk. */
void blkif_dispatch(void);
/* Request ri is done (every op completed or cancelled): answer it if its
 * VBD still is, release its frames, free it. */
void blkif_complete(uint16_t ri);
/* Drop vbd from the round-robin list. */
void blkif_rr_remove(uint16_t vbd);

/* ------------------------------------------------------------------------
 * elevator.c
 */
/* At boot: the machine's disks; elevator=fifo|clook, disk_timeout_ms=. */
void io_init(void);
/* A fresh op for request ri on disk; NULL when none is free. */
struct io_op *io_op_alloc(uint16_t ri, uint16_t vbd, uint32_t disk, uint32_t cmd,
                          uint64_t sector, uint32_t epoch);
/* Free ops: enough for a request of n pieces? */
bool io_ops_free(unsigned int n);
/* Queue op for its disk. */
void io_op_queue(struct io_op *op);
/* Drop every op of request ri not started yet; returns how many are still
 * with a disk. */
unsigned int io_req_cancel_queued(uint16_t ri);
/* Start the next op on every idle disk (the elevator's choice). */
void io_disks_kick(void);
/* The watchdog's next deadline (0: nothing in flight), and its check: an op
 * in flight for longer than the timeout is cancelled and fails (sched's
 * timer calls both; core_timer_interrupt). */
uint64_t io_watchdog_deadline(void);
void io_watchdog(uint64_t now);

#endif /* PVX_IO_H */
