/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arch.h - everything the core needs from a machine, and everything a machine
 * may call in the core. arch-x86/ (ring 0 on x86 hardware) and sim/ (Unicorn in
 * a host process) each define every arch_* function; the link picks one.
 *
 * This is the most expensive file in the project to change: keep it small,
 * bump PVX_ARCH_VERSION on any change, and say what each call promises, not how
 * one machine keeps the promise.
 */
#ifndef PVX_ARCH_H
#define PVX_ARCH_H

#include <pvx/layout.h>
#include <pvx/regs.h>
#include <pvx/types.h>

#define PVX_ARCH_VERSION 12

/* ------------------------------------------------------------------------
 * Boot: the arch describes the machine once, then calls core_start().
 */
#define BOOT_MAX_RANGES   32
#define BOOT_MAX_MODULES  16
#define BOOT_MAX_CMDLINE  1023      /* bytes of the hypervisor's command line kept */

struct boot_range {             /* usable RAM, in machine frames: [start, start + nr) */
    mfn_t start;
    uint32_t nr;
};

struct boot_module {            /* a Multiboot module: the first is the initial domain */
    paddr_t start;              /* machine address, page aligned */
    uint32_t len;               /* bytes */
    const char *cmdline;        /* "name args..." (GRUB style: the first word is the name) */
};

struct boot_info {
    const char *machine;        /* "sim" or "x86": for the banner only, never for behaviour */
    const char *cmdline;        /* the hypervisor's own command line */
    unsigned int nr_ranges;     /* free RAM, with the arch's own memory and modules already taken out */
    struct boot_range ranges[BOOT_MAX_RANGES];
    unsigned int nr_modules;
    struct boot_module modules[BOOT_MAX_MODULES];
};

/*
 * Build the hypervisor and the initial domain. Returns the register frame of
 * the first vCPU to run; the arch loads it and enters the guest. On a refused
 * image or any other boot failure it does not return (arch_shutdown(2)).
 */
struct cpu_regs *core_start(const struct boot_info *bi);

/* ------------------------------------------------------------------------
 * Entries the arch calls when a guest leaves ring 1/3. In each, *regs is the
 * interrupted guest's frame on entry and the frame to resume on return: the
 * core may switch vCPUs (it calls arch_load_cr3 itself), and the arch then
 * resumes whatever *regs holds, in the ring its CS selects.
 */
void core_hypercall(struct cpu_regs *regs);     /* int $0x82: eax = number */
/*
 * The same with a partial frame: the fields in missing (REGS_FIELD bits) were
 * not read from the CPU; eax and cs always are. While this call runs, the
 * vCPU's state is still in the CPU and the core reads what it needs with
 * arch_regs_fill(). Returns the fields still missing: the arch must leave
 * those registers exactly as they are (the core has neither read nor changed
 * them), and resume every other field of *regs.
 */
uint32_t core_hypercall_lazy(struct cpu_regs *regs, uint32_t missing);
/* An exception: regs->entry_vector and regs->error_code set (the error code
 * exactly as hardware would push it, 0 where it pushes none); cr2 for #PF.
 * A software `int n` whose gate the guest's ring may not use arrives as the
 * hardware makes it: #GP with error code (n << 3) | 2 and eip at the int. The
 * gates are Xen x86_32's: int3 and into DPL 3, int $0x82 DPL 1, others DPL 0. */
void core_trap(struct cpu_regs *regs, uint32_t cr2);
void core_timer_interrupt(struct cpu_regs *regs); /* the one-shot timer fired (regs may be NULL in idle) */
/* The machine cannot run the frame in *regs: a state of the guest's CPU it
 * does not model, or one that faulted while it was being entered. The
 * current domain dies alone (why goes into its crash line); never for
 * something the hardware would simply run. */
void core_vcpu_unrunnable(struct cpu_regs *regs, const char *why);

/*
 * The core's trace: the last events it recorded, on every machine, for any
 * reader (the simulator's --trace=sched; a debugger reads machine.trace.ring after a
 * panic). Nothing waits for a reader: a machine may never call this.
 */
#define TRACE_DISPATCH  1               /* a vCPU got the CPU; what says why ("yield", ...) */
struct trace_record {
    uint64_t seq;                       /* 0, 1, 2, ...: a gap is records the ring lost */
    uint64_t now_ns;                    /* arch_now_ns() when it happened */
    uint32_t event;                     /* TRACE_* */
    uint16_t cpu, domid, vcpu;
    const char *what;                   /* a static string */
};
/* Copy the records from number *seq on (at most max) into out, oldest
 * first, and move *seq past them; returns how many. The ring keeps the last
 * TRACE_RING_SIZE: a reader that fell behind gets the oldest still kept
 * (out[0].seq - *seq, before the call, is how many it lost). */
#define TRACE_RING_SIZE 256
unsigned int core_trace_read(uint64_t *seq, struct trace_record *out, unsigned int max);

/* Read the given fields of the interrupted vCPU's frame from the CPU into
 * *regs: only inside core_hypercall_lazy, only for fields it said were
 * missing. A machine that always passes whole frames never gets this call. */
void arch_regs_fill(struct cpu_regs *regs, uint32_t fields);

/* ------------------------------------------------------------------------
 * Memory.
 */

/* Map nr consecutive machine frames contiguously for the core. The mapping
 * stays valid until arch_unmap_frames; the core may keep it for as long as it
 * likes (the frame table, the M2P, a domain's shared_info). */
void *arch_map_frames(mfn_t mfn, unsigned int nr);
void arch_unmap_frames(void *va, unsigned int nr);

/*
 * (version 12) Frames [0, frames) that are mapped for good, at base + (mfn << PAGE_SHIFT)
 * (x86's direct map): the core maps and unmaps one of them without a call
 * (frame_map(), pvx/frame.h; a hypercall maps a dozen frames). Only a
 * promise: arch_map_frames works for them too. A machine that wants to see
 * every mapping (the unit tests', which count them) promises none.
 * Set before core_start; never changed after.
 */
struct arch_direct_map {
    uintptr_t base;
    uint32_t frames;
};
extern struct arch_direct_map arch_direct_map;

/* The core wrote nr machine frames from mfn on through its own mapping, not
 * through the guest's CPU: a machine that caches translated guest code (the
 * simulator) must drop any it holds for them before a guest runs again.
 * Called for every write a guest may later execute (fresh frames, the
 * builder's image, copy_to_guest). */
void arch_frames_written(mfn_t mfn, unsigned int nr);

/* Fill entries ARCH_FIRST_L2_SLOT..511 of l2 (the L2 under L3 slot 3 of some
 * guest address space) with the arch's private mappings. They must not be
 * writable from ring 1 or 3 through paging and never change afterwards. */
void arch_fill_hyp_l2(uint64_t *l2);

/* ------------------------------------------------------------------------
 * CPU state the core changes.
 */

/* Switch to the address space whose L3 (PAE PDPT, 32-byte aligned, below
 * 4 GiB) is at machine address l3. Flushes every TLB entry made from a
 * guest's tables, whatever its flags: a guest's _PAGE_GLOBAL gives it no
 * translation that outlives a CR3 load or a flush (the arch's own mappings
 * may survive). */
void arch_load_cr3(paddr_t l3);
/* Flush the TLB (the same promise), or only the entries for va. */
void arch_flush_tlb(void);
void arch_flush_tlb_one(gva_t va);

/* The ring-1 stack the CPU switches to when ring 3 is interrupted (TSS ss1/esp1). */
void arch_set_kernel_stack(uint32_t ss, uint32_t esp);

/* GDT pages 0..nr-1 (entries 0..nr*512-1) become these machine frames, which
 * the core has validated; pages nr..13 read as zeros (not-present entries);
 * the reserved entries from 0xe000 up stay the machine's. The CPU may set
 * accessed bits in the frames. Segment registers already loaded keep their
 * cached descriptors until reloaded. nr <= 14. */
void arch_load_gdt(const mfn_t *frames, unsigned int nr);

/* The LDT of the running vCPU: ents descriptors (0: no LDT) at
 * LDT_VIRT_START, all its pages not present, so that the CPU's first use of
 * each arrives in core_trap as a #PF with cr2 in the area. */
void arch_load_ldt(uint32_t ents);
/* Page idx of the LDT area now reads machine frame mfn (validated by the
 * core; read-only, the accessed bits are set). */
void arch_map_ldt_page(unsigned int idx, mfn_t mfn);

/* `int vector` from rings 1 to 3 enters cs:eip directly, as a 32-bit trap
 * gate with DPL 3 does, never through the core: an outer ring switches to
 * the kernel stack of arch_set_kernel_stack, the frame is what the CPU
 * pushes (ss and esp of an outer ring, eflags, cs, eip past the int), IF is
 * kept. A fault delivering it (the frame not writable, say) arrives in
 * core_trap as the CPU raises it, at the int. cs 0 removes the gate: `int
 * vector` then arrives as #GP((vector << 3) | 2). The core only asks for
 * vector 0x80, with a validated ring-1 cs. */
void arch_set_fast_trap(unsigned int vector, uint32_t cs, uint32_t eip);

/* The running vCPU's breakpoints (version 8): DR0-3 (addresses below
 * HYPERVISOR_VIRT_START) and a DR7 the core checked (no GD, no I/O
 * breakpoints; 0 disarms all). Execution breakpoints are faults, data
 * breakpoints traps after the access, delayed past the next instruction
 * after a load of ss, as hardware has them; either arrives in core_trap as
 * #DB, and arch_take_dr6 then says which: it returns DR6 and resets it to
 * 0xffff0ff0. Only guest instructions hit them. */
void arch_load_debugregs(const uint32_t addr[4], uint32_t dr7);
uint32_t arch_take_dr6(void);

/* CR0.TS of the machine: while set, the running vCPU's first FPU, MMX or
 * SSE instruction (and wait/fwait) arrives in core_trap as #NM. */
void arch_set_ts(bool ts);

/* The FPU, MMX and SSE registers, as fxsave lays them out (pvx/fpu.h): the
 * machine runs guests with them enabled (CR4.OSFXSR). Store them all into
 * *s; the registers themselves are left as they were. CR0.TS is clear on
 * return. */
void arch_fpu_save(struct fpu_state *s);
/* Load every one of them from *s (an image arch_fpu_save wrote, or one the
 * core made: valid MXCSR, any tags): nothing of what the registers held
 * before stays readable, the last instruction and data pointers included.
 * CR0.TS is clear on return. */
void arch_fpu_restore(const struct fpu_state *s);

/* ------------------------------------------------------------------------
 * Time. Never wall-clock time in the simulator: instructions executed.
 */
uint64_t arch_now_ns(void);                      /* monotonic, ns since boot */
void arch_set_timer(uint64_t deadline_ns);       /* one-shot; 0 cancels; a past deadline fires at once */

/* The time-stamp counter as a guest's rdtsc reads it now, and arch_now_ns()
 * at the same instant (one sample, so the pair is consistent). A guest
 * extrapolates system time from its own rdtsc with these (vcpu_time_info). */
void arch_tsc_sample(uint64_t *tsc, uint64_t *now_ns);
/* TSC ticks per second: constant for the machine's life. */
uint64_t arch_tsc_hz(void);

/* ------------------------------------------------------------------------
 * The network interface (version 11): one Ethernet NIC, or none. The core
 * owns the policy (the VFR, who gets which frame); the machine moves frames
 * between machine memory and the wire. Completions wait in the NIC until
 * the core polls them; the machine says that some wait by calling
 * core_nic_interrupt, between guest instructions or from arch_idle.
 */
#define NIC_FRAME_MIN    14             /* an Ethernet header */
#define NIC_FRAME_MAX    1514           /* header + 1500, no FCS */
#define NIC_TX_DEPTH     16             /* transmits the core may have in flight */
#define NIC_RX_DEPTH     16             /* receive frames the core may have posted */
#define NIC_MAX_SEGS     4

struct nic_seg {                        /* part of a frame to send: bytes of one machine frame */
    mfn_t mfn;
    uint16_t offset, len;               /* offset + len <= PAGE_SIZE */
};

#define NIC_EV_TX_DONE   1              /* a transmit left: its frames are free again */
#define NIC_EV_RX        2              /* a posted frame holds a received frame of len bytes */
struct nic_event {
    uint32_t kind;                      /* NIC_EV_* */
    uint32_t cookie;                    /* what the core gave with the transmit / the frame */
    uint32_t len;                       /* NIC_EV_RX: bytes at offset 0 of the frame */
};

/* The NIC's MAC address: true, or false when the machine has none (then
 * the core calls no other arch_nic_*). */
bool arch_nic_mac(uint8_t mac[6]);
/* Send one frame of nr (1..NIC_MAX_SEGS) segments, NIC_FRAME_MIN to
 * NIC_FRAME_MAX bytes in all, straight from machine memory: no copy, so the
 * bytes must stay as they are until its NIC_EV_TX_DONE with cookie. At most
 * NIC_TX_DEPTH in flight. */
void arch_nic_transmit(const struct nic_seg *seg, unsigned int nr, uint32_t cookie);
/* Receive one frame into machine frame mfn (at offset 0, at most
 * NIC_FRAME_MAX bytes), which the NIC owns until its NIC_EV_RX with cookie.
 * At most NIC_RX_DEPTH posted. Frames arriving with none posted are lost. */
void arch_nic_post_rx(mfn_t mfn, uint32_t cookie);
/* The oldest waiting completion: true and *ev, or false when none waits. */
bool arch_nic_poll(struct nic_event *ev);
/* Completions wait (the NIC's interrupt). regs as core_timer_interrupt's. */
void core_nic_interrupt(struct cpu_regs *regs);

/* ------------------------------------------------------------------------
 * Console and the end of the machine.
 */
void arch_console_write(const char *s, size_t len);

/* Console input (version 10): copy up to len bytes the machine received and
 * the core has not read yet, without waiting; 0 when there are none. x86:
 * COM1's receiver; the simulator: its standard input (a file is read from
 * its start, so a run with the same file is the same run). */
size_t arch_console_read(char *buf, size_t len);

/* Wait until something happens (the timer fires, a disk completes). Returns
 * after the core's handler for that event ran. */
void arch_idle(void);

/* ------------------------------------------------------------------------
 * Physical disks (version 9). The core owns the policy - whose request, in
 * what order (core/io/); the machine owns the device: it moves sectors
 * between a disk and machine frames and says when it is done. Disks are
 * numbered 0..arch_disk_count()-1; each runs one operation at a time.
 */
#define ARCH_DISK_MAX       4
#define ARCH_DISK_SECTOR    512
#define ARCH_DISK_MAX_SEGS  16

enum arch_disk_cmd {
    ARCH_DISK_READ,             /* disk -> frames */
    ARCH_DISK_WRITE,            /* frames -> disk */
    ARCH_DISK_FLUSH,            /* every write completed before is on the medium */
};

struct arch_disk_seg {
    paddr_t addr;               /* machine address, a multiple of 512 */
    uint32_t len;               /* bytes: a multiple of 512, inside addr's frame */
};

struct arch_disk_op {
    uint32_t cmd;               /* enum arch_disk_cmd */
    uint32_t nr_segs;           /* 1..ARCH_DISK_MAX_SEGS; 0 for a flush */
    uint64_t sector;            /* the first, on the disk; the segments follow back to back */
    struct arch_disk_seg seg[ARCH_DISK_MAX_SEGS];
};

/* How many disks the machine has (at most ARCH_DISK_MAX), and the size of
 * one in sectors. Constant for the machine's life. */
unsigned int arch_disk_count(void);
uint64_t arch_disk_sectors(unsigned int disk);
/* Start op on disk, which has nothing in flight (the core never starts a
 * second one before the first completed or was cancelled); op lies inside
 * the disk. The device moves the data to or from the frames itself (DMA,
 * zero-copy): it may touch them until the completion, never after. A write
 * completed is on the disk as the machine's medium keeps it (a flush: every
 * write completed before it). Returns 0, or -EIO when the device refused:
 * then nothing moved and no completion comes. */
int arch_disk_start(unsigned int disk, const struct arch_disk_op *op);
/* The core gave up waiting for disk's op: when this returns the device
 * touches none of its frames any more and no completion comes for it. A
 * disk with nothing in flight is left as it is. */
void arch_disk_cancel(unsigned int disk);
/* The op in flight on disk completed: status 0, or -EIO when the device
 * reported an error (what a failed write left on the medium is unknown).
 * As core_timer_interrupt: regs is the interrupted guest's frame and the
 * frame to resume, or NULL when the CPU was idle (arch_idle returns after). */
void core_disk_interrupt(struct cpu_regs *regs, unsigned int disk, int status);

/* End the machine with the documented exit status:
 * 0 initial domain powered off, 1 it crashed, 2 hypervisor panic / refused image,
 * 3 time limit. */
#define PVX_EXIT_POWEROFF 0
#define PVX_EXIT_CRASH    1
#define PVX_EXIT_PANIC    2
#define PVX_EXIT_TIMEOUT  3
void arch_shutdown(int status) __noreturn;

#endif /* PVX_ARCH_H */
