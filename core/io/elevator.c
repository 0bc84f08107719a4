/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * io/elevator.c - the machine's disks as the core sees them: per disk a
 * queue of operations (pieces of guests' requests, io/blkif.c), the
 * elevator that picks the next one, the one operation in flight, its
 * completion, and the watchdog that fails an operation whose completion
 * never came.
 *
 * The elevator is C-LOOK: the op at or after the head's position with the
 * lowest sector, else the lowest of all (one sweep up, then back to the
 * start). elevator=fifo takes them in arrival order instead: the baseline
 * the benchmark compares with. Either way an op waits for every older op
 * of its VBD when their epochs differ: a barrier starts a new epoch
 * (reorder barriers, BLKIF_OP_WRITE_BARRIER).
 */
#include <pvx/arch.h>
#include <pvx/errno.h>
#include <pvx/fault.h>
#include <pvx/io.h>
#include <pvx/lib.h>
#include <pvx/machine.h>
#include <pvx/sched.h>
#include <pvx/time.h>
#include <public/pvx.h>

#define IO (machine.io)

void io_init(void)
{
    IO.nr_disks = MIN(arch_disk_count(), (unsigned int)IO_MAX_DISKS);
    for ( unsigned int i = 0; i < IO.nr_disks; i++ )
    {
        IO.disk[i].sectors = arch_disk_sectors(i);
        IO.disk[i].inflight = IO_NONE;
        printk("disk %u: %llu sectors (%llu MiB)", i, (unsigned long long)IO.disk[i].sectors,
               (unsigned long long)(IO.disk[i].sectors >> 11));
    }
    for ( unsigned int i = 0; i < VBD_MAX; i++ )
        IO.vbd[i].ring.mfn = INVALID_MFN;
    IO.fifo = machine.setup.elevator_fifo;
    IO.timeout_ns = machine.setup.disk_timeout_ns ? machine.setup.disk_timeout_ns
                                                  : IO_TIMEOUT_NS_DEFAULT;
}

bool io_ops_free(unsigned int n)
{
    for ( unsigned int i = 0; i < IO_MAX_OPS && n; i++ )
        if ( !IO.op[i].in_use )
            n--;
    return n == 0;
}

struct io_op *io_op_alloc(uint16_t ri, uint16_t vbd, uint32_t disk, uint32_t cmd,
                          uint64_t sector, uint32_t epoch)
{
    for ( unsigned int i = 0; i < IO_MAX_OPS; i++ )
    {
        struct io_op *op = &IO.op[i];

        if ( op->in_use )
            continue;
        memset(op, 0, sizeof(*op));
        op->in_use = true;
        op->req = ri;
        op->vbd = vbd;
        op->disk = (uint8_t)disk;
        op->epoch = epoch;
        op->seq = IO.op_seq++;
        op->aop.cmd = cmd;
        op->aop.sector = sector;
        return op;
    }
    return NULL;
}

void io_op_queue(struct io_op *op)
{
    ASSERT(op->in_use && !op->started);
    IO.nr_queued++;
}

static void io_op_free(struct io_op *op)
{
    if ( !op->started )
        IO.nr_queued--;
    op->in_use = false;
}

unsigned int io_req_cancel_queued(uint16_t ri)
{
    unsigned int left = 0;

    for ( unsigned int i = 0; i < IO_MAX_OPS; i++ )
    {
        struct io_op *op = &IO.op[i];

        if ( !op->in_use || op->req != ri )
            continue;
        if ( op->started )
            left++;
        else
            io_op_free(op);
    }
    return left;
}

/* An op may start when no op of its VBD from an older epoch is left. */
static bool io_op_ready(const struct io_op *op)
{
    for ( unsigned int i = 0; i < IO_MAX_OPS; i++ )
    {
        const struct io_op *o = &IO.op[i];

        if ( o->in_use && o->vbd == op->vbd && o->epoch < op->epoch )
            return false;
    }
    return true;
}

/* The elevator's choice for disk, or NULL when none is ready. */
static struct io_op *io_pick(unsigned int disk)
{
    struct io_op *best = NULL, *lowest = NULL;
    uint64_t head = IO.disk[disk].head;

    for ( unsigned int i = 0; i < IO_MAX_OPS; i++ )
    {
        struct io_op *op = &IO.op[i];

        if ( !op->in_use || op->started || op->disk != disk || !io_op_ready(op) )
            continue;
        if ( IO.fifo )
        {
            if ( !best || op->seq < best->seq )
                best = op;
            continue;
        }
        if ( op->aop.sector >= head &&
             (!best || op->aop.sector < best->aop.sector ||
              (op->aop.sector == best->aop.sector && op->seq < best->seq)) )
            best = op;
        if ( !lowest || op->aop.sector < lowest->aop.sector ||
             (op->aop.sector == lowest->aop.sector && op->seq < lowest->seq) )
            lowest = op;
    }
    return best ? best : lowest;
}

/* Op is over (completed, failed, cancelled): its request may be done. */
static void io_op_done(struct io_op *op, int status)
{
    struct io_req *req = &IO.req[op->req];

    if ( status )
        req->status = BLKIF_RSP_ERROR;
    io_op_free(op);
    ASSERT(req->ops_left > 0);
    if ( --req->ops_left == 0 )
        blkif_complete(op->req);
}

static uint64_t op_sectors(const struct arch_disk_op *a)
{
    uint64_t n = 0;

    for ( unsigned int i = 0; i < a->nr_segs; i++ )
        n += a->seg[i].len / ARCH_DISK_SECTOR;
    return n;
}

void io_disks_kick(void)
{
    for ( unsigned int d = 0; d < IO.nr_disks; d++ )
    {
        struct io_disk *disk = &IO.disk[d];

        while ( disk->inflight == IO_NONE )
        {
            struct io_op *op = io_pick(d);
            uint64_t from = disk->head;
            int rc;

            if ( !op )
                break;
            op->started = true;
            IO.nr_queued--;
            rc = fault_hit(&fault_disk_media) ? -EIO : arch_disk_start(d, &op->aop);
            if ( rc )
            {
                /* Refused by the device: nothing moved, the piece fails. */
                disk->errors++;
                io_op_done(op, rc);
                continue;
            }
            disk->inflight = (uint16_t)(op - IO.op);
            disk->started_ns = arch_now_ns();
            disk->lost = false;
            if ( op->aop.cmd != ARCH_DISK_FLUSH )
            {
                disk->seek_sectors += op->aop.sector > from ? op->aop.sector - from
                                                            : from - op->aop.sector;
                disk->head = op->aop.sector + op_sectors(&op->aop);
            }
        }
    }
}

/* The op in flight on disk is over with status: the next may start. */
static void io_disk_finish(unsigned int d, int status)
{
    struct io_disk *disk = &IO.disk[d];
    struct io_op *op = &IO.op[disk->inflight];

    disk->inflight = IO_NONE;
    disk->ops++;
    disk->busy_ns += arch_now_ns() - disk->started_ns;
    if ( status )
        disk->errors++;
    io_op_done(op, status);
    blkif_dispatch();
}

void core_disk_interrupt(struct cpu_regs *regs, unsigned int disk, int status)
{
    if ( regs && current )
        vcpu_regs_enter(current, regs);
    /* A completion for nothing we started (spurious, or after a cancel):
     * the device said something we did not ask for; ignore it. */
    if ( disk < IO.nr_disks && IO.disk[disk].inflight != IO_NONE && !IO.disk[disk].lost )
    {
        if ( fault_hit(&fault_disk_lost) )
            IO.disk[disk].lost = true;  /* the watchdog will find it */
        else
            io_disk_finish(disk, status ? -EIO : 0);
    }
    if ( !regs )
        return;                         /* idle: schedule() picks again */
    sched_after_entry();
    regs_copy(regs, vcpu_regs(current));
    regs_sanitize_eflags(regs);
}

int io_disk_stats(struct xen_domctl_pvx_disk_stats *st)
{
    const struct io_disk *d;

    if ( st->disk >= IO.nr_disks )
        return -ENODEV;
    d = &IO.disk[st->disk];
    st->pad = 0;
    st->ops = d->ops;
    st->errors = d->errors;
    st->busy_ns = d->busy_ns;
    st->seek_sectors = d->seek_sectors;
    return 0;
}

uint64_t io_watchdog_deadline(void)
{
    uint64_t deadline = 0;

    for ( unsigned int d = 0; d < IO.nr_disks; d++ )
    {
        uint64_t t = IO.disk[d].started_ns + IO.timeout_ns;

        if ( IO.disk[d].inflight != IO_NONE && (!deadline || t < deadline) )
            deadline = t;
    }
    return deadline;
}

void io_watchdog(uint64_t now)
{
    for ( unsigned int d = 0; d < IO.nr_disks; d++ )
    {
        if ( IO.disk[d].inflight == IO_NONE || now < IO.disk[d].started_ns + IO.timeout_ns )
            continue;
        printk("disk %u: no completion after %llu ms: cancelled", d,
               (unsigned long long)(IO.timeout_ns / 1000000));
        /* After this the device touches none of the frames: they may go. */
        arch_disk_cancel(d);
        io_disk_finish(d, -XEN_ETIMEDOUT);
    }
}
