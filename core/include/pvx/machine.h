/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * machine.h - every piece of the hypervisor's mutable state, in one struct.
 *
 * Per-domain state lives in struct domain and struct vcpu (domain.h); what is
 * left - the frame table's bookkeeping, the runqueues, the timer queue, the
 * clock - is the machine's, and it is all here, grouped by the one file that
 * owns each group (only that file writes it; others go through its
 * functions). So a fresh hypervisor is one machine_reset() (core_start does
 * it; the unit tests and the fuzzer boot through core_start), a snapshot is
 * one copy of `machine`, and gdb finds everything under one name
 * (`print machine.sched`).
 *
 * The only state outside it: the instrument tests attach (hypercall_watch,
 * hypercall.h), which a reset keeps, and what core/lib/ keeps (nothing).
 */
#ifndef PVX_MACHINE_H
#define PVX_MACHINE_H

#include <pvx/arch.h>
#include <pvx/console.h>
#include <pvx/domain.h>
#include <pvx/fault.h>
#include <pvx/heap.h>
#include <pvx/hypercall.h>
#include <pvx/io.h>
#include <pvx/layout.h>
#include <pvx/netif.h>
#include <pvx/sched.h>
#include <pvx/traps.h>
#include <pvx/vfr.h>
#include <public/xen.h>

struct frame;
struct sched_ops;

#define MACHINE_VCPUS (MAX_DOMAINS * MAX_VIRT_CPUS)
/* Guest walks remembered (guest_access.c): by page and table, direct-mapped. */
#define MM_WALK_CACHE 8

struct machine {
    /* domain.c: the domains, and the vCPU whose entry is being handled. */
    struct domain domains[MAX_DOMAINS];
    struct vcpu *current;

    /* frame.c: the frame table (mapped), the allocator, the M2P. */
    struct {
        struct frame *table;
        mfn_t max_mfn;
        unsigned int nr_free;
        mfn_t alloc_hint;
        uint32_t *m2p;                  /* the core's writable view of the M2P */
        unsigned int m2p_pages;
        uint64_t xen_l2_slots[ARCH_FIRST_L2_SLOT - HYP_FIRST_L2_SLOT];
    } frame;

    /* mm.c: the TLB flush epoch, the current call's work, the vCPUs' PDPTs;
     * guest_access.c: its last walks, good while walk_gen is theirs (any
     * change to any page table or frame's owner starts a new one). */
    struct {
        uint32_t flush_epoch;
        unsigned int work;
        uint64_t *pdpt;                 /* every vCPU's 32-byte slot, mapped */
        mfn_t pdpt_mfn;
        uint32_t walk_gen;
        struct mm_walk {
            uint32_t gen;               /* walk_gen when made; 0: none */
            const struct vcpu *v;
            paddr_t cr3;
            uint32_t page;              /* va >> PAGE_SHIFT */
            mfn_t mfn;
            bool rw;                    /* good for a write too */
        } walk[MM_WALK_CACHE];
    } mm;

    /* schedule.c: the mechanism every policy shares. */
    struct {
        const struct sched_ops *ops;
        struct vcpu *vcpus[MACHINE_VCPUS];
        unsigned int nr_vcpus;
        struct vcpu *running;           /* whose time is being counted; NULL: idle */
        uint64_t slice_end;             /* 0: no slice running */
        bool need_resched;
        const char *resched_reason;
        bool in_schedule;
        struct domain *dying[MAX_DOMAINS];  /* stopped, not destroyed yet, in order */
        unsigned int nr_dying;
    } sched;

    /* sched_policy.c: the runqueues of BVT and round robin. */
    struct {
        struct heap_entry rq_slot[MACHINE_VCPUS + 1];
        uint32_t rq_pos[MACHINE_VCPUS];
        struct heap rq;
        struct vcpu *on_cpu;            /* dispatched last: in no heap */
        struct heap_entry warped_slot[MACHINE_VCPUS + 1];
        uint32_t warped_pos[MACHINE_VCPUS];
        struct heap bvt_warped;
        struct heap_entry warped_avt_slot[MACHINE_VCPUS + 1];
        uint32_t warped_avt_pos[MACHINE_VCPUS];
        struct heap bvt_warped_avt;
        unsigned int rr_next_seq;
        uint64_t rr_round_now;          /* the round the rotation is in */
        bool rr_at_valid;               /* the rotation has a position: */
        unsigned int rr_at;             /* the rr_seq of the current vCPU */
    } policy;

    /* time.c: the TSC scale, the armed timer, the wall clock, deadlines. */
    struct {
        uint32_t tsc_mul;
        int8_t tsc_shift;
        uint64_t armed_ns;              /* what the machine timer holds */
        uint64_t wc_sec;                /* the wall clock at system time 0 */
        uint32_t wc_nsec;
        uint32_t wc_version;            /* odd while it changes */
        struct heap_entry timer_slot[MACHINE_VCPUS + 1];
        uint32_t timer_pos[MACHINE_VCPUS];
        struct heap timers;             /* vCPUs by deadline, earliest first */
        struct vcpu *vtimer_due[MACHINE_VCPUS];
        unsigned int nr_vtimer_due;
    } time;

    /* console.c: the log ring (sysctl readconsole, xl dmesg) holds the
     * hypervisor's own lines; prod and cons run free, cons is the oldest kept. */
    struct {
        bool at_line_start;
        char epitaph[256];              /* the last panic's words, for gdb */
        char ring[CONSOLE_RING_SIZE];
        uint32_t ring_prod, ring_cons;
        char in[CONSOLE_IN_SIZE];       /* input received, not read by dom0 yet */
        uint32_t in_prod, in_cons;
    } console;

    /* control/domctl.c: the id after the last createdomain chose (Xen's rover). */
    struct {
        uint16_t rover;
    } control;

    /* fault.c: the sites (knobs and counts) and the random stream. */
    struct {
        struct fault_site site[FAULT_NR_SITES];
        uint64_t rng_state;
    } fault;

    /* fpu.c: the vCPU whose registers the FPU holds (one FPU: one CPU). */
    struct vcpu *fpu_owner;

    /* audit.c: scratch of an audit. */
    struct {
        unsigned int mismatches;
        uint64_t xen_l2[NR_L2_SLOTS];   /* what the hypervisor's slots must hold */
    } audit;

    /* setup.c: the command line and what it said. */
    struct {
        char cmdline[BOOT_MAX_CMDLINE + 1];
        uint64_t dom0_mem;
        bool dom0_mem_given;            /* else the default, fitted to what is free */
        unsigned int dom0_vcpus;        /* dom0_max_vcpus= */
        bool fault_report;              /* fail_report=1 */
        bool elevator_fifo;             /* elevator=fifo (default clook) */
        uint64_t disk_timeout_ns;       /* disk_timeout_ms= (0: the default) */
    } setup;

    /* io/: VBDs, their rings' requests, the disks' queues (pvx/io.h). */
    struct io_state io;

    /* trace.c: the last TRACE_RING_SIZE records, and the next one's number. */
    struct {
        struct trace_record ring[TRACE_RING_SIZE];
        uint64_t next;
    } trace;

    /* io/vfr.c: the VIFs, the rules of each direction (PVX_VFR_TX, _RX),
     * and what no VIF's counter holds. Zero is a fresh VFR: no VIF, no rule. */
    struct {
        struct vfr_vif vif[VFR_MAX_VIFS];
        struct pvx_vfr_rule rules[2][VFR_MAX_RULES];
        unsigned int nr_rules[2];
        uint64_t malformed;             /* either direction */
        uint64_t rx_no_vif;             /* received for no VIF's address */
    } vfr;

    /* io/netif.c: the NIC, its receive pool (the hypervisor's frames, always
     * posted), its transmits in flight (their frames held), and the initial
     * domain's interim VIF: frames it posted (held, writable type), and
     * completions it has not polled yet. */
    struct {
        bool has_nic, vif_up;
        uint8_t mac[6];
        uint16_t vif;
        mfn_t pool[NIC_RX_DEPTH];
        struct netif_tx_slot tx[NIC_TX_DEPTH];
        mfn_t hdr_mfn;                  /* the transmits' header copies, VFR_HDR_MAX bytes a slot */
        struct { mfn_t mfn; uint32_t id; } rx[NIC_RX_DEPTH];
        unsigned int rx_head, rx_nr;
        struct netif_done done[NETIF_DONE_SLOTS];
        unsigned int done_head, done_nr;
        uint64_t tx_frames, rx_frames, rx_lost, rx_bad;
        /* io/vif.c: the VIFs with rings (vifs[i] is the VFR's VIF i) and
         * the round-robin list of those with transmits waiting. */
        struct vif vifs[VIF_MAX];
        uint16_t rr[VIF_MAX];
        unsigned int rr_len;
    } netif;

    /* traps.c: set_trap_table builds a table here before it commits it. */
    struct virt_trap trap_table_scratch[NR_VECTORS];

    /* domain/vcpu.c: VCPUOP_initialise reads the guest's context here. */
    struct vcpu_guest_context vcpu_ctx_scratch;
};

extern struct machine machine;

/* Every field zero, then what each owner says a fresh machine holds. */
void machine_reset(void);

/* The vCPU whose entry the core is handling (Xen's name). */
#define current (machine.current)

#endif /* PVX_MACHINE_H */
