/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sim.h - the parts of pvx-sim that talk to each other. Each arch.h section
 * lives in the file of the same name as on arch-x86: setup.c (boot, the
 * end), traps.c (exits to the core), mem.c (memory, TLB, CR3), desc.c
 * (descriptor tables), fpu.c (FPU, CR0.TS), time.c, console.c; beside them
 * the engine (cpu.c), tracing (trace.c) and the program (main.c). Nothing
 * here is seen by the core, which knows the simulator only through
 * pvx/arch.h.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicorn/unicorn.h>

#include <pvx/arch.h>
#include <pvx/layout.h>

/* ------------------------------------------------------------------------
 * Machine memory (mem.c).
 *
 * RAM is one host buffer mapped at machine address 0. The simulator keeps
 * SIM_NR_FRAMES frames at the very top of RAM for itself; modules are loaded
 * page-aligned just below them, in command-line order.
 */
#define SIM_GDT_PAGES       16
/* Frame indices within the simulator's own block (top of RAM). */
#define SIM_F_GDT           0                   /* 16 frames: the GDT */
#define SIM_F_TSS           16                  /* the TSS */
#define SIM_F_TRAMP         17                  /* ring-0 code + stack for the ring templates */
#define SIM_F_HYP_L1        18                  /* L1 behind L2 slot 436 in every address space */
#define SIM_F_BOOT_L3       19                  /* throw-away bootstrap page tables */
#define SIM_F_BOOT_L2LO     20
#define SIM_F_BOOT_L1LO     21
#define SIM_F_BOOT_L2HI     22
#define SIM_F_LANDING       23                  /* ring-1/3 landing code of the templates */
#define SIM_F_NULL_L3       24                  /* a PDPT with nothing present (traps.c's I/O undo) */
#define SIM_NR_FRAMES       25

/* Where the arch area puts its pages (offsets from ARCH_VIRT_START). */
#define SIM_VA_GDT          (ARCH_VIRT_START)
#define SIM_VA_TSS          (ARCH_VIRT_START + SIM_F_TSS * PAGE_SIZE)
#define SIM_VA_TRAMP        (ARCH_VIRT_START + SIM_F_TRAMP * PAGE_SIZE)
#define SIM_VA_LANDING      0x00001000u         /* only in the bootstrap tables */
#define SIM_TRAMP_STACK     0x800u              /* offset of the iret frame in the trampoline */
#define SIM_TSS_LIMIT       0x67u

struct sim_walk {
    uint64_t pa;            /* machine address (valid when ok) */
    bool ok;                /* every level present and its table inside RAM */
    bool rw, us, nx;        /* effective permissions along the walk */
    bool rsvd;              /* a reserved bit was set somewhere */
};

extern uint8_t *sim_ram;
extern uint64_t sim_ram_size;
extern mfn_t sim_first_frame;                   /* first frame of the simulator's block */

void mem_init(uint64_t size);
paddr_t mem_sim_frame(unsigned int idx);
void *mem_ptr(paddr_t pa, uint64_t len);        /* NULL when out of RAM */
void mem_build_sim_frames(void);
void mem_walk(uint32_t cr3, uint32_t va, struct sim_walk *w);
size_t mem_read_virt(uint32_t cr3, uint32_t va, void *buf, size_t len);
/* Write len bytes at va as the CPU writes from rings 0-2 with CR0.WP set,
 * setting accessed and dirty bits as the MMU does. Every page is checked
 * first: on a fault nothing is written, and *fault_va and *pfec say what
 * the #PF would say; returns false then. */
bool mem_write_sup(uint32_t cr3, uint32_t va, const void *buf, uint32_t len,
                   uint32_t *fault_va, uint32_t *pfec);
uint64_t mem_hash(uint64_t h);
/* Translated code vs. host writes (see mem.c). */
extern bool sim_code_stale;
void mem_note_code(uint32_t cr3, uint32_t va, uint32_t size);
void mem_code_flushed(void);

/* ------------------------------------------------------------------------
 * Descriptor tables (desc.c).
 */
/* Descriptor high-word bits. */
#define SEG_A       (1u << 8)
#define SEG_RW      (1u << 9)           /* writable data / readable code */
#define SEG_EC      (1u << 10)          /* expand-down data / conforming code */
#define SEG_CODE    (1u << 11)
#define SEG_S       (1u << 12)
#define SEG_P       (1u << 15)

void desc_build(void);                          /* the hypervisor's GDT entries, the TSS */
/* The descriptor the CPU would read for sel (GDT, or an LDT of ldt_ents
 * entries), through the arch area's mappings: false where that read would
 * fault (LDT page not mapped, index past the LDT). */
bool desc_read(uint32_t sel, uint32_t ldt_ents, uint64_t *desc);
void desc_frames_written(mfn_t mfn, unsigned int nr);
/* The int $0x80 gate arch_set_fast_trap installed: false when there is none. */
#define FAST_TRAP_VECTOR    0x80
bool desc_fast_trap(uint32_t *cs, uint32_t *eip);
/* The stack the TSS holds for ring 1 (2: null). */
void desc_tss_stack(unsigned int ring, uint32_t *ss, uint32_t *esp);
/* The GDT changed: segment registers must be reloaded (a full frame load)
 * before the guest runs on, as arch-x86's exit path reloads them. */
extern bool sim_segs_stale;

/* ------------------------------------------------------------------------
 * The engine (cpu.c): one physical CPU, frames in and out of it.
 */
struct block_info;

#define HYPERCALL_VECTOR    0x82

#define CR0_PE  0x00000001u
#define CR0_MP  0x00000002u
#define CR0_ET  0x00000010u
#define CR0_NE  0x00000020u
#define CR0_WP  0x00010000u
#define CR0_PG  0x80000000u
#define CR0_TS  0x00000008u
#define CR0_GUEST_BITS (CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG)
#define CR4_PAE 0x00000020u
#define CR4_PGE 0x00000080u
#define CR4_OSFXSR 0x00000200u
#define CR4_OSXMMEXCPT 0x00000400u

extern uc_engine *sim_uc;
extern uint32_t sim_cr3;                        /* what the engine's CR3 holds */
extern bool sim_nx;                             /* EFER.NXE is on (never: as arch-x86) */
extern bool cpu_ready;                          /* the ring templates are made */
extern uint32_t cpu_ldt_ents;                   /* the LDT the next full load applies */
/* The frame the core sees (the trap stub's frame on arch-x86), and the one
 * an entry through ring 0 is entering (the guest's, should that iret fail). */
extern struct cpu_regs cpu_frame;
extern struct cpu_regs cpu_entering;

void cpu_init(void);
void cpu_make_templates(void);
void cpu_run(struct cpu_regs *first) __noreturn;
uint32_t cpu_cpl(void);
uint32_t cpu_cs(void);                          /* the code selector the engine holds */
/* The LDTR for an LDT of ents entries at LDT_VIRT_START (0: none), applied
 * with the next full frame load (templates hold a null LDTR). */
void cpu_set_ldt(uint32_t ents);
uint64_t cpu_hash(uint64_t h);

/* Unicorn calls that must not fail (a failure is a simulator panic). */
void cpu_check(uc_err err, const char *what);
uint64_t cpu_reg_read(int reg);
void cpu_reg_write(int reg, uint64_t val, const char *what);
/* Engine -> frame, every register. */
void cpu_frame_save(struct cpu_regs *r);
/* Does sel load into a data segment register (stack: into ss) at cpl? */
bool cpu_seg_loads(uint32_t sel, bool stack, unsigned int cpl);
/* The lazy hypercall entry: eax, cs, ebx and ecx read into r (the rest
 * poisoned); returns the REGS_FIELD bits left unread. cpu_frame_fill reads
 * more of them; cpu_frame_write_lazy writes back what the core changed,
 * never a field it left missing. */
uint32_t cpu_frame_read_lazy(struct cpu_regs *r);
void cpu_frame_fill(struct cpu_regs *r, uint32_t fields);
void cpu_frame_write_lazy(struct cpu_regs *r, uint32_t missing);
/* After a whole-frame entry: write back the registers that differ from old. */
void cpu_frame_write_changed(struct cpu_regs *r, const struct cpu_regs *old);
/* Can the frame continue right where the engine is (same ring and cs, an
 * ss that loads there, nothing stale)? */
bool cpu_frame_same_ring(const struct cpu_regs *r, unsigned int cpl, uint32_t missing);

/* ------------------------------------------------------------------------
 * Exits to the core (traps.c).
 */
void traps_init(void);                          /* the hooks */
void traps_before_run(void);
/* The engine stopped with err: the core's part in it. True when the frame
 * must be loaded in full before the guest goes on. */
bool traps_exit(uc_err err);
/* At a block entry or a fault at next_va (linear): the last block ended in
 * a rep ins/outs that ran no iteration; its #GP(0) is delivered instead. */
bool traps_rep_io_passed(uint32_t next_va);

/* ------------------------------------------------------------------------
 * FPU (fpu.c): the machine's FPU registers across ring-template restores.
 * Before a restore: keep the engine's. After one: CR0.TS as the machine has
 * it, and the registers into the engine when TS is clear.
 */
void fpu_before_template(void);
void fpu_after_template(void);

/* ------------------------------------------------------------------------
 * Virtual time (time.c).
 */
extern uint64_t sim_max_time_ns;
extern bool sim_no_time;                        /* --no-time: no block hook (benchmarks) */

void time_init(void);
bool time_budget_expired(void);                 /* the stop was a budget stop */
void time_after_stop(struct cpu_regs *regs);    /* time limit / timer at a budget stop */
void time_cache_flush(void);
void time_block_reset(void);
void time_charge(uint64_t ninsn);
extern bool time_paused;                         /* the block hook only decodes */

struct block_info {                              /* what time.c learned decoding a block */
    uint32_t addr, size;
    uint32_t ninsn;
    int last_int;                               /* vector of a final int/int3/into, or -1 */
    uint8_t last_len;                           /* length of the final instruction */
    int io_index;                               /* first in/out/ins/outs: index, or -1 */
    uint32_t io_addr;                           /* ... and its address */
};
const struct block_info *time_last_block(void);

/* A disk started or was cancelled: its completion is another deadline. */
void time_disk_changed(void);

/* ------------------------------------------------------------------------
 * Disks (disk.c): host image files behind a model in virtual time.
 */
extern uint64_t sim_disk_ops, sim_disk_busy_ns;
const char *sim_disk_add(const char *path);     /* --disk=FILE: NULL, or why not */
uint64_t sim_disk_next_ns(void);                /* the next completion, 0: none */
void sim_disk_report(void);                     /* the model's time by part, on stderr */
/* Complete every op due by now (core_disk_interrupt with regs, as the timer). */
void sim_disk_fire(struct cpu_regs *regs, uint64_t now);

/* Something else than the timer may be due earlier now (the NIC's wire). */
void time_events_changed(void);

/* ------------------------------------------------------------------------
 * The NIC (nic.c): its wire's events in virtual time.
 */
extern bool sim_nic_user;                       /* --net=user: libslirp */
extern const char *sim_pcap_out, *sim_pcap_in;  /* --pcap-out, --pcap-in */
void nic_init(void);                            /* after the options, before boot */
uint64_t nic_next_ns(void);                     /* the next event on the wire; UINT64_MAX: none */
void nic_fire(struct cpu_regs *regs);           /* every event due: regs as core_timer_interrupt's */
uint64_t nic_lost_rx(void);

/* ------------------------------------------------------------------------
 * Tracing and decoding (trace.c).
 */
#define TRACE_INSN  0x1u
#define TRACE_HCALL 0x2u
#define TRACE_SCHED 0x4u
extern unsigned int sim_trace;
extern FILE *trace_sched_out;                  /* --sched-csv, else stderr */

void trace_init(void);
int trace_parse(const char *list);
void trace_hcall_enter(const struct cpu_regs *r);
void trace_hcall_exit(const struct cpu_regs *r);
/* Output elsewhere while a call runs (to_stdout: the console): see trace.c. */
void trace_hcall_interrupt(bool to_stdout);
void trace_hcall_stop(void);
void trace_full_frames(void);
/* Read the core's trace ring up to now (rows of --trace=sched, who runs). */
void trace_sync(void);
/* Count the instructions of the block [addr, addr + size) and note a final
 * int/int3/into; reads code through sim_cr3. */
void dis_block(struct block_info *bi);
/* The #PF error code hardware would push for this fault (see trace.c). */
uint32_t dis_pf_error_code(const struct cpu_regs *r, uint32_t cr2);
/* The error code of a selector fault (#GP/#NP/#SS/#TS) at r->eip: the
 * selector a segment load or far transfer there names, else 0. */
uint32_t dis_sel_error_code(const struct cpu_regs *r);

/* ------------------------------------------------------------------------
 * setup.c, console.c.
 */
extern bool sim_hash_at_exit;                   /* --hash */
void sim_start(const struct boot_info *bi) __noreturn;
void sim_panic(const char *fmt, ...) __noreturn __printf(1, 2);
void sim_msg(const char *fmt, ...) __printf(1, 2);

#endif /* SIM_SIM_H */
