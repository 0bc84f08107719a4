/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fake_machine.h - the one machine under the unit tests, the fuzzer and the
 * host benchmarks: arch.h over a host buffer, with
 *
 *   - arch_shutdown (and an idle with nothing left to happen) turned into a
 *     longjmp, so a test can expect the machine to stop (FAKE_RUN);
 *   - the CPU state the core loads recorded for tests, and checked as the
 *     real CPU would check it (PDPTE reserved bits, MXCSR, validated
 *     descriptor frames, a ring-1 fast-trap gate);
 *   - a TLB: translations (virtual page -> frame and rights) and the
 *     paging-structure cache of L2 entries, filled by guest accesses made
 *     through the CPU (fake_cpu_read/write), flushed only by arch_load_cr3,
 *     arch_flush_tlb and arch_flush_tlb_one, as on x86 with CR4.PGE off. A
 *     flush the core forgets leaves a stale entry that the CPU uses;
 *   - knobs for the fuzzer: an isolation check on every frame the core maps
 *     during an unprivileged domain's entry, a hook on every frame mapped or
 *     written, a reset that zeroes only what the last run dirtied.
 */
#ifndef FAKE_MACHINE_H
#define FAKE_MACHINE_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pvx/arch.h>
#include <pvx/fpu.h>

#define FAKE_MAX_FRAMES  4096u          /* 16 MiB: the largest machine */
#define FAKE_ARCH_FRAMES 0x100u         /* below 1 MiB: the arch's own, never RAM */

/* Why the machine stopped: a PVX_EXIT_* status or this. */
#define FAKE_STOP_IDLE   100            /* idle with no timer armed: nothing will ever run */

/* The machine's shape and behaviour, read by fake_reset(). */
struct fake_config {
    unsigned int mem_frames;            /* machine memory in frames, <= FAKE_MAX_FRAMES */
    mfn_t module_mfn;                   /* module images go here, outside free RAM */
    uint64_t tsc_hz;                    /* the TSC rate guests see */
    unsigned int idle_limit;            /* idles per run before it stops (0: no limit) */
    bool reset_dirty_only;              /* zero only the frames the last run mapped */
    bool console_echo;                  /* copy the console to stderr */
    bool nic;                           /* a NIC (fake_nic.c); else arch_nic_mac -ENODEV */
};
extern struct fake_config fake_config;  /* defaults: 16 MiB, modules at 8 MiB, 3 GHz */

extern uint8_t *fake_mem;
extern jmp_buf *fake_shutdown_jmp;      /* where arch_shutdown lands (NULL: fake_fail) */
extern int fake_shutdown_status;
extern paddr_t fake_cr3;                /* the last arch_load_cr3 */
extern char fake_input[256];               /* console input arch_console_read hands out */
extern size_t fake_input_len;
extern char fake_console[65536];        /* console output: at least the last 32 KiB */
extern size_t fake_console_len;
extern unsigned long fake_frames_written;
extern uint64_t fake_now_ns;            /* arch_now_ns(); tests move it */
extern uint64_t fake_timer;             /* the armed one-shot deadline, 0: none */
unsigned long fake_dispatch_count(void); /* the core's trace: dispatches since boot */

extern uint32_t fake_kernel_ss, fake_kernel_sp;  /* arch_set_kernel_stack */
extern mfn_t fake_gdt_frames[14];                 /* arch_load_gdt */
extern unsigned int fake_gdt_nr;
extern uint32_t fake_fast_trap_cs, fake_fast_trap_eip;  /* arch_set_fast_trap(0x80) */
extern bool fake_ts;                              /* arch_set_ts */
extern uint32_t fake_dr[4], fake_dr7;             /* arch_load_debugregs */
extern uint32_t fake_dr6;                         /* what arch_take_dr6 returns next */
extern unsigned long fake_dr_loads;
extern struct fpu_state fake_fpu;                 /* the FPU registers (arch_fpu_save/restore) */
extern unsigned int fake_fpu_saves, fake_fpu_restores;
extern uint32_t fake_ldt_ents;                    /* arch_load_ldt */
extern mfn_t fake_ldt_pages[16];                  /* arch_map_ldt_page; 0: not present */

/* A lazy hypercall entry's CPU: the registers still "in" it (fake_lazy set
 * while the entry runs), and what the core read of them. */
extern struct cpu_regs fake_live_regs;
extern uint32_t fake_regs_filled;
extern bool fake_lazy;

/* The fuzzer's knobs. While fake_isolate_domid >= 0, the core mapping a
 * frame another domain owns is an isolation failure. fake_map_hook sees
 * every range of frames the core maps (before it can write them) and every
 * range it says it wrote. */
extern int fake_isolate_domid;
extern void (*fake_map_hook)(mfn_t mfn, unsigned int nr);

/* Disks: fake_disk_sectors[i] sectors each (0: no disk i; the first 0 ends
 * the list), read when the core boots, backed by fake_disk_data[i] (host
 * memory, zeroed by fake_reset). The op in flight waits for the test:
 * fake_disk_complete moves its data and tells the core (arch_idle does it
 * too, FAKE_DISK_NS after the start). */
#define FAKE_DISK_MAX_SECTORS 8192u
#define FAKE_DISK_NS          100000ull
extern uint64_t fake_disk_sectors[ARCH_DISK_MAX];
extern uint8_t *fake_disk_data[ARCH_DISK_MAX];
extern bool fake_disk_busy[ARCH_DISK_MAX];
extern struct arch_disk_op fake_disk_op[ARCH_DISK_MAX];  /* the last started on each */
extern unsigned long fake_disk_starts, fake_disk_cancels;
extern int fake_disk_refuse;            /* arch_disk_start returns this when non-zero */
/* Complete disk's op: move the data (unless status), then core_disk_interrupt
 * (with regs: as an interrupt of the guest whose frame they are; NULL: idle). */
void fake_disk_complete(unsigned int disk, int status);
void fake_disk_complete_regs(unsigned int disk, int status, struct cpu_regs *regs);
/* When disk's op in flight is due (FAKE_DISK_NS after its start); 0: none. */
uint64_t fake_disk_due(unsigned int disk);
/* The disks as fake_reset leaves them: nothing in flight, data zeroed. */
void fake_disk_reset(void);

/* A fresh machine as fake_config says: memory zeroed, console empty, time
 * 0, TLB empty, CPU state forgotten. */
void fake_reset(void);
/* Put a module image in machine memory at fake_config.module_mfn and
 * describe the machine: free RAM from 1 MiB, less the module. */
void fake_boot_info(struct boot_info *bi, const void *image, size_t len, const char *mod_cmdline,
                    const char *hv_cmdline);
/* Frames the last run mapped or wrote, by bit (fake_config.reset_dirty_only). */
const uint64_t *fake_dirty_frames(void);

/* Report a broken promise of the core with the console, then abort(). */
void fake_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Run expr; evaluates to -1 if it returned, else the arch_shutdown status. */
#define FAKE_RUN(expr) ({                                       \
    jmp_buf jb_; int st_;                                       \
    jmp_buf *was_ = fake_shutdown_jmp;                          \
    fake_shutdown_jmp = &jb_;                                   \
    if ( (st_ = setjmp(jb_)) == 0 ) { expr; st_ = -1; }         \
    else st_ = fake_shutdown_status;                            \
    fake_shutdown_jmp = was_;                                   \
    st_; })

/* ------------------------------------------------------------------------
 * The FPU as the running guest uses it.
 */

/* The guest writes a pattern into the FPU registers: false (and nothing
 * written) when TS is set, where the CPU would raise #NM. */
bool fake_fpu_guest_write(uint8_t pattern);
/* The FPU registers hold what fake_fpu_guest_write(pattern) wrote. */
bool fake_fpu_holds(uint8_t pattern);

/* ------------------------------------------------------------------------
 * The CPU's memory accesses, through its TLB.
 */

#define FAKE_TLB_ENTRIES 256            /* translations kept (then the oldest goes) */
#define FAKE_PDE_ENTRIES 32             /* L2 entries kept (paging-structure cache) */

/* What one access came to. */
enum fake_access_result {
    FAKE_OK = 0,
    FAKE_PF,                            /* a #PF with *ec as the CPU pushes it */
    FAKE_GP,                            /* past the guest segments' limit: #GP(0) */
};

/* Translate va for an access of the running guest from ring (1 or 3), as
 * the CPU does: a TLB hit if it allows the access, else a walk from the
 * PDPTEs arch_load_cr3 loaded, through a cached L2 entry when there is one,
 * filling the caches. CR0.WP is set: ring 1 cannot write a read-only page.
 * A fault drops what the caches held for va. */
enum fake_access_result fake_cpu_translate(uint32_t va, bool write, unsigned int ring,
                                           mfn_t *mfn, uint32_t *ec);
/* Guest loads and stores of len bytes at va, page by page; the first fault
 * ends the access (the bytes before it are done, as a rep movs leaves them). */
enum fake_access_result fake_cpu_write(uint32_t va, const void *buf, size_t len,
                                       unsigned int ring, uint32_t *ec);
enum fake_access_result fake_cpu_read(uint32_t va, void *buf, size_t len, unsigned int ring,
                                      uint32_t *ec);

struct fake_tlb_entry {
    uint32_t va;                        /* page aligned */
    mfn_t mfn;
    bool rw, user;
};
/* The translations the TLB holds now (at most FAKE_TLB_ENTRIES). */
unsigned int fake_tlb_entries(struct fake_tlb_entry *out);
/* What the loaded tables map va to now, as a walk would find it, without
 * touching the TLB or the paging-structure cache: false if nothing. */
bool fake_tables_translate(uint32_t va, mfn_t *mfn);
/* The L2 entries the paging-structure cache holds: the L1 frame, and the
 * 2 MiB region (va) it maps. */
unsigned int fake_pde_entries(struct fake_tlb_entry *out);
/* Flushes so far: arch_flush_tlb and arch_load_cr3 (whole), arch_flush_tlb_one. */
extern unsigned long fake_tlb_flushes, fake_tlb_flush_ones;

/* ------------------------------------------------------------------------
 * Snapshots: the machine as it is now (memory, CPU state, console, time),
 * restored in the time it takes to copy back what changed since: the frames
 * mapped or written after the snapshot, and those the core kept mapped
 * (it writes them through mappings made before). Each snapshot keeps the
 * memory the core booted in (the core holds pointers into it): a boot
 * after a snapshot runs in new memory. The core's own variables are not
 * the machine's: see core_state.h.
 */
struct fake_snapshot;
struct fake_snapshot *fake_snapshot_take(void);
void fake_snapshot_restore(struct fake_snapshot *s);
/* -1 when memory and CPU state equal the snapshot, else the first frame
 * that differs (or -2: the CPU state): for checking that restores are whole. */
long fake_snapshot_differs(const struct fake_snapshot *s);

/* The NIC (fake_nic.c), when fake_config.nic: the MAC FAKE_NIC_MAC, every
 * transmit recorded (its bytes copied at the call) until a test completes
 * it; frames the core posted, filled by fake_nic_receive. fake_reset empties it. */
#define FAKE_NIC_MAC { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }
struct fake_nic_tx {
    uint8_t bytes[1514];
    unsigned int len;
    uint32_t cookie;
    mfn_t mfn;                          /* the first segment's */
};
#define FAKE_NIC_SENT 64                /* the last 64 transmits: [n % 64] */
extern struct fake_nic_tx fake_nic_sent[FAKE_NIC_SENT];
extern unsigned int fake_nic_nr_sent, fake_nic_nr_posted;
void fake_nic_reset(void);
/* What a snapshot keeps of the NIC: counts, posted frames, waiting events
 * (a transmit's bytes are not kept: only the cookies of those in flight). */
struct fake_nic_state {
    unsigned int nr_sent, nr_posted, tx_done, nr_events;
    struct { mfn_t mfn; uint32_t cookie; } posted[NIC_RX_DEPTH];
    struct nic_event events[NIC_TX_DEPTH + NIC_RX_DEPTH + 1];
};
void fake_nic_save(struct fake_nic_state *s);
void fake_nic_restore(const struct fake_nic_state *s);
/* The oldest transmit not completed yet leaves: its TX_DONE waits. */
bool fake_nic_complete_tx(void);
/* A frame arrives: into the oldest posted frame (false: none posted, lost). */
bool fake_nic_receive(const void *bytes, unsigned int len);

#endif /* FAKE_MACHINE_H */
