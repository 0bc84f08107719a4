/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kernel.h - the evaluation's workload kernel (guests/eval/): a small
 * kernel with ring-3 processes, each in its own address space, system
 * calls, demand paging, signals and a pipe, written once and built twice:
 *
 *   eval-pv.elf      a pvx PV guest (ring 1) on guests/lib: every privileged
 *                    operation is a hypercall (batched mmu_update, pinning,
 *                    NEW_BASEPTR, set_trap_table, event channels)
 *   eval-native.elf  a Multiboot kernel (ring 0) on guests/lib/native: the
 *                    same operations done on the machine (page-table writes,
 *                    CR3, the IDT, the local APIC)
 *
 * The kernel reaches the machine only through the ops_* interface below,
 * as Linux's paravirt ops: ops-pv.c and ops-native.c are its two backends,
 * everything else (proc.c, work.c, entry.S) is common. A frame is a machine
 * frame number (PV) or a physical one (native); page-table entries are PAE.
 */
#ifndef EVAL_KERNEL_H
#define EVAL_KERNEL_H

#include <lib/compiler.h>
#include <lib/format.h>
#include <lib/string.h>

/* What both runtimes provide (guests/lib/guest.h, guests/lib/native/native.h). */
extern const char test_title[];
void test_main(void);
void test_pass(void);
void test_fail(const char *fmt, ...) __printf(1, 2);
void test_error(const char *fmt, ...) __printf(1, 2);
uint32_t guest_arg_u32(const char *key, uint32_t def);
bool guest_has_arg(const char *a);
void printk(const char *fmt, ...) __printf(1, 2);
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;

#define KPAGE_SHIFT     12
#define KPAGE_SIZE      (1u << KPAGE_SHIFT)

/* Leaf entries: user read/write, user read-only; table entries. */
#define KPTE_USER_RW    0x067u      /* P RW US A D */
#define KPTE_USER_RO    0x065u      /* P US A D */
#define KPDE_TABLE      0x067u
#define KPDPTE          0x001u      /* PAE L3 entries hold only P */

/* Vectors: the page fault, the system call (int $0x80 from ring 3) and the
 * notification the native backend raises itself (a self-IPI). */
#define KVEC_PF         14
#define KVEC_SYSCALL    0x80
#define KVEC_NOTIFY     0xf0

/* --- the backend: ops-pv.c or ops-native.c ---------------------------- */

/* The name the results carry: "pv" or "native". */
extern const char ops_backend[];
/* Selectors ring 3 runs with. */
extern const uint32_t ops_user_cs, ops_user_ds;

/* Set up: traps (the common entry stubs of entry.S on KVEC_PF and
 * KVEC_SYSCALL, DPL 3 for the system call), the kernel stack traps from
 * ring 3 land on, notifications (handler called for each, with the kernel
 * not re-entered), and whatever the backend's own bookkeeping needs. */
void ops_init(uint32_t kernel_stack_top, void (*notify_handler)(void));

/* A fresh frame the kernel owns and nothing maps. */
uint32_t ops_frame_alloc(void);

/* Page-table writes: entry slot of table frame `table` becomes val. Queued
 * (PV: one mmu_update request each, up to a batch) until ops_pte_commit. */
void ops_pte_queue(uint32_t table, unsigned int slot, uint64_t val);
void ops_pte_commit(void);

/* Entry i of the kernel's L2 under L3 slot 0 (every address space shares
 * the kernel's mappings through a copy of it), and the machine's part of an
 * address space's L2 under slot 3 (written into the fresh table l2). */
uint64_t ops_kernel_pde(unsigned int i);
void ops_fill_high_l2(uint32_t l2);

/* An address space's L3: made usable (PV: pinned, every table validated),
 * loaded (CR3 / MMUEXT_NEW_BASEPTR), given up (PV: unpinned). */
void ops_as_activate(uint32_t l3);
void ops_as_switch(uint32_t l3);
void ops_as_switch_kernel(void);
void ops_as_release(uint32_t l3);

/* Lazy mode, as Linux's lazy MMU mode: between begin and end the backend may
 * defer the page-table writes, address-space operations and flushes above
 * and do them all at end, in order (PV: one multicall, one entry into the
 * hypervisor instead of one per operation). Nothing in between may depend on
 * them having happened: the kernel never reads page tables, ring 3 does not
 * run. */
void ops_lazy_begin(void);
void ops_lazy_end(void);

/* The current address space's TLB: everything (not global pages). */
void ops_tlb_flush(void);

/* The linear address of the last page fault (cr2). */
uint32_t ops_fault_addr(void);

/* Raise a notification (PV: evtchn_send on a local port; native: a
 * self-IPI); wait until one arrives (PV: SCHEDOP_block; native: sti; hlt). */
void ops_notify(void);
void ops_idle(void);
/* Called by the native entry path on KVEC_NOTIFY. */
void ops_notify_ack(void);

static inline uint64_t krdtsc(void)
{
    uint32_t lo, hi;

    asm volatile ( "rdtsc" : "=a" (lo), "=d" (hi) );
    return ((uint64_t)hi << 32) | lo;
}

/* --- the kernel: proc.c ------------------------------------------------- */

/* What the entry stubs save (lowest address first); esp/ss from ring 3 only. */
struct kframe {
    uint32_t edi, esi, ebp, _esp, ebx, edx, ecx, eax;
    uint32_t vector, error;
    uint32_t eip, cs, eflags;
    uint32_t esp, ss;
};

/* System calls: eax = number, ebx/ecx = arguments, eax = result. */
enum {
    SYS_NULL,           /* returns ebx + 1 */
    SYS_EXIT,           /* ebx: the process's result */
    SYS_YIELD,          /* to the next runnable process */
    SYS_SPAWN,          /* ebx: program, ecx: argument; runs a fresh process to its
                         * exit and returns its result (fork + exit + wait) */
    SYS_MMAP,           /* ebx: va, ecx: pages; fresh frames, read/write */
    SYS_MUNMAP,         /* ebx: va, ecx: pages */
    SYS_SIGACTION,      /* ebx: handler of signals and protection faults */
    SYS_KILL,           /* ebx: signal number, to ourselves */
    SYS_SIGRETURN,      /* back from a handler to where the signal came */
    SYS_SEND,           /* ebx: a word into the peer's pipe, and a notification */
    SYS_RECV,           /* a word from our pipe; blocks until one comes */
    SYS_NR
};

/* The user part of every address space: L3 slot 1, one L1 of 512 pages.
 * Pages 0..KUSER_PRIVATE-1 are the process's own (page 0: its stack), the
 * rest (KUSER_REGION_VA..) is for mmap and demand paging. */
#define KUSER_BASE          0x40000000u
#define KUSER_PRIVATE       24
#define KUSER_STACK_TOP     (KUSER_BASE + KPAGE_SIZE)
#define KUSER_DATA_VA       (KUSER_BASE + KPAGE_SIZE)
#define KUSER_RO_VA         (KUSER_BASE + (KUSER_PRIVATE - 1) * KPAGE_SIZE)
#define KUSER_REGION_VA     (KUSER_BASE + 256 * KPAGE_SIZE)
#define KUSER_REGION_PAGES  128

#define KPROC_MAX           17

typedef unsigned long (*kprog_t)(unsigned long);

/* Processes: prog(arg) in ring 3 in a fresh address space with `pages`
 * private pages (1 + data; the last private page read-only when ro). */
int proc_create(kprog_t prog, unsigned long arg, unsigned int pages, bool ro);
/* Run the created processes until every one has exited; the sum of their
 * results. */
uint32_t proc_run_all(void);
void proc_init(void);
/* Counters of the last run. */
extern unsigned long proc_faults, proc_switches, proc_notifies;

/* entry.S */
void kentry_pf(void), kentry_syscall(void), kentry_notify(void);
uint32_t kcall_run(void);           /* saves the kernel's context, enters the first process */
void __noreturn kreturn_run(uint32_t result);   /* back into kcall_run's caller */

/* --- user code: work.c -------------------------------------------------- */
#define __user_text __attribute__((section(".user.text"), __noinline__))
#define __user_data __attribute__((section(".user.data")))

#endif /* EVAL_KERNEL_H */
