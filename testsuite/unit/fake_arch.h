/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fake_arch.h - a machine for unit tests: arch.h over a host buffer, with
 * shutdown turned into a longjmp so a test can expect the machine to stop.
 */
#ifndef FAKE_ARCH_H
#define FAKE_ARCH_H

#include <setjmp.h>
#include <stdint.h>
#include <stddef.h>
#include <pvx/arch.h>
#include <pvx/fpu.h>

#define FAKE_MEM_MB      16
#define FAKE_MEM_FRAMES  (FAKE_MEM_MB * 256)

extern uint8_t *fake_mem;
extern jmp_buf *fake_shutdown_jmp;      /* where arch_shutdown lands */
extern int fake_shutdown_status;
extern paddr_t fake_cr3;
extern char fake_console[65536];
extern size_t fake_console_len;
extern unsigned long fake_frames_written;
extern uint64_t fake_now_ns;              /* arch_now_ns(); tests move it */
extern uint64_t fake_timer;               /* the last arch_set_timer deadline */
unsigned long fake_dispatch_count(void);   /* the core's trace: dispatches so far */

extern uint32_t fake_kernel_ss, fake_kernel_sp;  /* arch_set_kernel_stack */
extern mfn_t fake_gdt_frames[14];                 /* arch_load_gdt */
extern unsigned int fake_gdt_nr;
extern uint32_t fake_fast_trap_cs, fake_fast_trap_eip;  /* arch_set_fast_trap(0x80) */
extern bool fake_ts;                              /* arch_set_ts */
extern struct fpu_state fake_fpu;                 /* the FPU registers (arch_fpu_save/restore) */
extern unsigned int fake_fpu_saves, fake_fpu_restores;
/* The running guest writes a pattern into the FPU registers: false (and
 * nothing written) when TS is set, where the CPU would raise #NM. */
bool fake_fpu_guest_write(uint8_t pattern);
/* The FPU registers hold what fake_fpu_guest_write(pattern) wrote. */
bool fake_fpu_holds(uint8_t pattern);
extern uint32_t fake_ldt_ents;                    /* arch_load_ldt */
extern mfn_t fake_ldt_pages[16];                  /* arch_map_ldt_page; 0: not present */
extern struct cpu_regs fake_live_regs;            /* arch_regs_fill reads these */
extern uint32_t fake_regs_filled;                 /* the fields it was asked for */

/* A fresh machine: memory zeroed, console empty. Frames [1 MiB, 16 MiB) free. */
void fake_reset(void);
/* Put a module image in machine memory at frame mfn (outside the free range). */
void fake_boot_info(struct boot_info *bi, const void *image, size_t len, const char *mod_cmdline,
                    const char *hv_cmdline);

/* Run expr; evaluates to -1 if it returned, else the arch_shutdown status. */
#define FAKE_RUN(expr) ({                                       \
    jmp_buf jb_; int st_;                                       \
    fake_shutdown_jmp = &jb_;                                   \
    if ( (st_ = setjmp(jb_)) == 0 ) { expr; st_ = -1; }         \
    else st_ = fake_shutdown_status;                            \
    fake_shutdown_jmp = NULL;                                   \
    st_; })

#endif /* FAKE_ARCH_H */
