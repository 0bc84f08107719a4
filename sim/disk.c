/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * disk.c - the simulator's physical disks (arch.h "Physical disks"): host
 * image files (--disk=FILE, up to ARCH_DISK_MAX), behind a deterministic
 * model of a rotating disk in virtual time, so that the elevator's choices
 * show in the time a workload takes and a replay stays bit-identical.
 *
 * The model (docs/io.md): SIM_DISK_SPT sectors per track, one platter face,
 * a spindle of SIM_DISK_ROT_NS per turn. An operation costs
 *   seek      0 on the same track, else SIM_DISK_SETTLE_NS plus
 *             SIM_DISK_FULL_SEEK_NS x (tracks moved / tracks on the disk)
 *   rotation  until the first sector passes under the head: the platter's
 *             angle is a function of virtual time alone
 *   transfer  SIM_DISK_ROT_NS / SIM_DISK_SPT per sector
 * and a flush SIM_DISK_FLUSH_NS. The data moves when the operation
 * completes (the device owns the frames until then, as DMA would): a read
 * writes the frames then, a write reads them then and is on the host file
 * (the medium) when the completion arrives.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim.h"

#define SIM_DISK_SPT            256ull          /* 128 KiB a track */
#define SIM_DISK_ROT_NS         6000000ull      /* 10,000 rpm */
#define SIM_DISK_SETTLE_NS      500000ull
#define SIM_DISK_FULL_SEEK_NS   8000000ull
#define SIM_DISK_FLUSH_NS       20000ull

struct sim_disk {
    int fd;
    uint64_t sectors;
    bool busy;
    uint64_t done_ns;                           /* when the op in flight completes */
    uint64_t head_track;
    struct arch_disk_op op;
};

static struct sim_disk disks[ARCH_DISK_MAX];
/* The model's time by part, for the benchmarks (stderr at the end). */
static uint64_t model_seek_ns, model_rot_ns, model_xfer_ns;
static unsigned int nr_disks;
uint64_t sim_disk_ops, sim_disk_busy_ns;        /* for --hash and the benchmarks */

const char *sim_disk_add(const char *path)
{
    static char why[300];
    struct sim_disk *d = &disks[nr_disks];
    struct stat st;

    if ( nr_disks == ARCH_DISK_MAX )
        return "at most 4 disks";
    d->fd = open(path, O_RDWR);
    if ( d->fd < 0 || fstat(d->fd, &st) || !S_ISREG(st.st_mode) )
    {
        if ( d->fd >= 0 )
            close(d->fd);
        snprintf(why, sizeof(why), "%s is not a regular file we may read and write", path);
        return why;
    }
    if ( st.st_size < ARCH_DISK_SECTOR || st.st_size % ARCH_DISK_SECTOR )
    {
        close(d->fd);
        snprintf(why, sizeof(why), "%s is not a whole number of 512-byte sectors", path);
        return why;
    }
    d->sectors = (uint64_t)st.st_size / ARCH_DISK_SECTOR;
    nr_disks++;
    return NULL;
}

unsigned int arch_disk_count(void)
{
    return nr_disks;
}

uint64_t arch_disk_sectors(unsigned int disk)
{
    return disk < nr_disks ? disks[disk].sectors : 0;
}

/* How long op takes on d from now, and where it leaves the head. */
static uint64_t disk_model_ns(struct sim_disk *d, const struct arch_disk_op *op, uint64_t now)
{
    uint64_t tracks = (d->sectors + SIM_DISK_SPT - 1) / SIM_DISK_SPT, n = 0;
    uint64_t track = op->sector / SIM_DISK_SPT, dist, t = 0, angle, target;

    if ( op->cmd == ARCH_DISK_FLUSH )
        return SIM_DISK_FLUSH_NS;
    for ( unsigned int i = 0; i < op->nr_segs; i++ )
        n += op->seg[i].len / ARCH_DISK_SECTOR;
    dist = track > d->head_track ? track - d->head_track : d->head_track - track;
    if ( dist )
        t += SIM_DISK_SETTLE_NS + SIM_DISK_FULL_SEEK_NS * dist / tracks;
    model_seek_ns += t;
    /* The platter turns with time: wait for the first sector's slot. */
    angle = (now + t) % SIM_DISK_ROT_NS;
    target = (op->sector % SIM_DISK_SPT) * SIM_DISK_ROT_NS / SIM_DISK_SPT;
    model_rot_ns += (target + SIM_DISK_ROT_NS - angle) % SIM_DISK_ROT_NS;
    t += (target + SIM_DISK_ROT_NS - angle) % SIM_DISK_ROT_NS;
    model_xfer_ns += n * SIM_DISK_ROT_NS / SIM_DISK_SPT;
    t += n * SIM_DISK_ROT_NS / SIM_DISK_SPT;
    d->head_track = (op->sector + n - 1) / SIM_DISK_SPT;
    return t;
}

int arch_disk_start(unsigned int disk, const struct arch_disk_op *op)
{
    struct sim_disk *d = &disks[disk];
    uint64_t now = arch_now_ns(), n = 0;

    if ( disk >= nr_disks || d->busy || op->nr_segs > ARCH_DISK_MAX_SEGS )
        sim_panic("arch_disk_start(%u): the core broke arch.h's rules", disk);
    for ( unsigned int i = 0; i < op->nr_segs; i++ )
    {
        if ( op->seg[i].addr % ARCH_DISK_SECTOR || op->seg[i].len % ARCH_DISK_SECTOR ||
             !mem_ptr(op->seg[i].addr, op->seg[i].len) )
            sim_panic("arch_disk_start(%u): segment %u outside RAM or unaligned", disk, i);
        n += op->seg[i].len / ARCH_DISK_SECTOR;
    }
    if ( op->cmd != ARCH_DISK_FLUSH && (op->sector >= d->sectors || n > d->sectors - op->sector) )
        sim_panic("arch_disk_start(%u): sectors %llu+%llu outside the disk", disk,
                  (unsigned long long)op->sector, (unsigned long long)n);
    d->op = *op;
    d->busy = true;
    d->done_ns = now + disk_model_ns(d, op, now);
    sim_disk_busy_ns += d->done_ns - now;
    sim_disk_ops++;
    time_disk_changed();
    return 0;
}

void arch_disk_cancel(unsigned int disk)
{
    if ( disk < nr_disks && disks[disk].busy )
    {
        disks[disk].busy = false;
        time_disk_changed();
    }
}

uint64_t sim_disk_next_ns(void)
{
    uint64_t t = 0;

    for ( unsigned int i = 0; i < nr_disks; i++ )
        if ( disks[i].busy && (!t || disks[i].done_ns < t) )
            t = disks[i].done_ns;
    return t;
}

/* The op of d is done: move its data, then tell the core. */
static int disk_transfer(struct sim_disk *d)
{
    const struct arch_disk_op *op = &d->op;
    off_t off = (off_t)(op->sector * ARCH_DISK_SECTOR);

    if ( op->cmd == ARCH_DISK_FLUSH )
        return 0;                               /* every write is on the file already */
    for ( unsigned int i = 0; i < op->nr_segs; i++ )
    {
        void *p = mem_ptr(op->seg[i].addr, op->seg[i].len);
        ssize_t got;

        if ( op->cmd == ARCH_DISK_READ )
        {
            got = pread(d->fd, p, op->seg[i].len, off);
            arch_frames_written((mfn_t)(op->seg[i].addr >> PAGE_SHIFT), 1);
        }
        else
            got = pwrite(d->fd, p, op->seg[i].len, off);
        if ( got != (ssize_t)op->seg[i].len )
            return -EIO;
        off += op->seg[i].len;
    }
    return 0;
}

void sim_disk_report(void)
{
    if ( sim_disk_ops )
        fprintf(stderr, "pvx-sim: disk model: %llu ops, seek %llu ns, rotation %llu ns, "
                "transfer %llu ns\n", (unsigned long long)sim_disk_ops,
                (unsigned long long)model_seek_ns, (unsigned long long)model_rot_ns,
                (unsigned long long)model_xfer_ns);
}

void sim_disk_fire(struct cpu_regs *regs, uint64_t now)
{
    for ( unsigned int i = 0; i < nr_disks; i++ )
    {
        struct sim_disk *d = &disks[i];
        int status;

        if ( !d->busy || d->done_ns > now )
            continue;
        status = disk_transfer(d);
        d->busy = false;
        core_disk_interrupt(regs, i, status);
    }
}
