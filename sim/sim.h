/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sim.h - the parts of pvx-sim that talk to each other: machine memory
 * (mem.c), the Unicorn CPU (cpu.c), virtual time (time.c), tracing (trace.c)
 * and the program itself (main.c). Nothing here is seen by the core, which
 * knows the simulator only through pvx/arch.h.
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
#define SIM_F_NULL_L3       24                  /* a PDPT with nothing present (cpu.c's I/O undo) */
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
/* The descriptor the CPU would read for sel (GDT, or an LDT of ldt_ents
 * entries), through the arch area's mappings: false where that read would
 * fault (LDT page not mapped, index past the LDT). */
bool mem_read_desc(uint32_t sel, uint32_t ldt_ents, uint64_t *desc);
size_t mem_read_virt(uint32_t cr3, uint32_t va, void *buf, size_t len);
uint64_t mem_hash(uint64_t h);
/* Translated code vs. host writes (see mem.c). */
extern bool sim_code_stale;
/* The GDT changed: segment registers must be reloaded (a full frame load)
 * before the guest runs on, as arch-x86's exit path reloads them. */
extern bool sim_segs_stale;
void mem_note_code(uint32_t cr3, uint32_t va, uint32_t size);
void mem_code_flushed(void);

/* ------------------------------------------------------------------------
 * CPU (cpu.c).
 */
struct block_info;

extern uc_engine *sim_uc;
extern uint32_t sim_cr3;                        /* what the engine's CR3 holds */
extern bool sim_nx;                             /* EFER.NXE is on (never: as arch-x86) */

void cpu_init(void);
void cpu_make_templates(void);
void cpu_run(struct cpu_regs *first) __noreturn;
/* At a block entry or a fault at next_va (linear): the last block ended in
 * a rep ins/outs that ran no iteration; its #GP(0) is delivered instead. */
bool cpu_rep_io_passed(uint32_t next_va);
uint32_t cpu_cpl(void);
/* The LDTR for an LDT of ents entries at LDT_VIRT_START (0: none), applied
 * with the next full frame load (templates hold a null LDTR). */
void cpu_set_ldt(uint32_t ents);

/* fpu.c: the machine's FPU registers across ring-template restores. Before
 * a restore: keep the engine's. With CR0.TS clear: put them in the engine. */
void fpu_before_template(void);
void fpu_engine_sync(void);
uint64_t cpu_hash(uint64_t h);

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
/* Count the instructions of the block [addr, addr + size) and note a final
 * int/int3/into; reads code through sim_cr3. */
void dis_block(struct block_info *bi);
/* The #PF error code hardware would push for this fault (see trace.c). */
uint32_t dis_pf_error_code(const struct cpu_regs *r, uint32_t cr2);
/* The error code of a selector fault (#GP/#NP/#SS/#TS) at r->eip: the
 * selector a segment load or far transfer there names, else 0. */
uint32_t dis_sel_error_code(const struct cpu_regs *r);

/* ------------------------------------------------------------------------
 * main.c.
 */
void sim_panic(const char *fmt, ...) __noreturn __printf(1, 2);
void sim_msg(const char *fmt, ...) __printf(1, 2);

#endif /* SIM_SIM_H */
