/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * domain.h - domains and their virtual CPUs.
 */
#ifndef PVX_DOMAIN_H
#define PVX_DOMAIN_H

#include <pvx/types.h>
#include <pvx/fpu.h>
#include <pvx/regs.h>
#include <pvx/event.h>
#include <pvx/sched.h>
#include <pvx/time.h>
#include <pvx/traps.h>
#include <public/xen.h>

struct shared_info;
struct vcpu_info;

#define MAX_DOMAINS     1024
/* vCPUs a domain may have: each is a static struct vcpu (3 KiB) in struct
 * domain, so the number stays small until vCPUs come from frames. */
#define MAX_VIRT_CPUS   2
#define DOMAIN_NAME_LEN 32
#define GNTTAB_MAX_FRAMES 4

struct vcpu {
    unsigned int id;
    struct domain *domain;
    struct cpu_regs regs;       /* saved while not running: only through vcpu_regs() */
    uint32_t regs_missing;      /* fields of regs a lazy entry has not read yet */
    paddr_t cr3;                /* machine address of the current L3 */
    struct vcpu_info *vcpu_info;/* in the domain's shared_info page */
    uint32_t ldt_base;          /* MMUEXT_SET_LDT: guest linear address, page aligned */
    uint32_t ldt_ents;          /* entries (0..8192); its frames are typed lazily */
    bool in_multicall;          /* a multicall is running: nested ones are refused */
    bool initialised;           /* has a context: vCPU 0 from the builder, others by
                                 * VCPUOP_initialise (domain/vcpu.c) */
    bool up;                    /* VCPUOP_up / down: may run when picked */
    uint16_t virq_port[NR_VIRQS];   /* the port each VIRQ of this vCPU is bound to, 0: none
                                     * (a domain's and the machine's VIRQs: on vCPU 0) */
    struct vcpu_cpu cpu;        /* trap table, callbacks, GDT, virtual CRs (traps.h) */
    /* Events, timers, scheduling (event_channel.c, time.c, schedule.c). */
    uint32_t event_callback_cs; /* CALLBACKTYPE_event; cs 0: none registered */
    uint32_t event_callback_eip;
    struct sched_vcpu sched;
    struct time_vcpu time;
    struct fpu_vcpu fpu;        /* FPU/MMX/SSE registers while not the FPU's owner (fpu.c) */
};

/*
 * The vCPU's saved registers: the only way the core reaches them (the walls
 * check holds core/ to it). A lazy hypercall entry (core_hypercall_lazy, the
 * simulator's: each register read costs it a sixth of the trap) leaves
 * fields in the CPU; the first use reads them all. Only hypercall.c reads a
 * part, the arguments of the call being made (cpu/regs.c).
 */
void vcpu_regs_fill(struct vcpu *v);
void vcpu_regs_read(struct vcpu *v, uint32_t fields);
static inline struct cpu_regs *vcpu_regs(struct vcpu *v)
{
    if ( unlikely(v->regs_missing) )
        vcpu_regs_fill(v);
    return &v->regs;
}

/* The whole frame a machine's entry handed over (core_trap, the timer). */
static inline void vcpu_regs_enter(struct vcpu *v, const struct cpu_regs *regs)
{
    regs_copy(&v->regs, regs);
    v->regs_missing = 0;
}

enum domain_state {
    DOMAIN_FREE = 0,
    DOMAIN_RUNNING,             /* built and runnable */
    DOMAIN_SHUTDOWN,            /* asked to stop (shutdown_code says why) */
    DOMAIN_CRASHED,             /* killed by the hypervisor */
};

struct domain {
    uint16_t domain_id;
    enum domain_state state;
    bool is_privileged;         /* the initial domain */
    bool toolstack;             /* made by createdomain: kept when it stops, until the
                                 * toolstack's destroydomain (control/domctl.c) */
    bool built;                 /* the builder gave it memory and vCPU 0's state */
    bool is_dying;              /* destroyed, but references of others still hold
                                 * some of its frames (foreign mappings, a disk's
                                 * requests in flight): the slot is freed with the
                                 * last of them */
    unsigned int pause_count;   /* pausedomain by the toolstack; 0: may run */
    char name[DOMAIN_NAME_LEN];
    unsigned int shutdown_code; /* SHUTDOWN_* */

    unsigned int tot_pages;     /* frames owned, in the p2m */
    unsigned int max_pages;
    unsigned int lent_pages;    /* frames posted for receives (mm/transfer.c): the
                                 * hypervisor's meanwhile, still the reservation's */

    mfn_t shared_info_mfn;
    struct shared_info *shared_info;

    unsigned int nr_vcpus;      /* vCPUs it has (1..MAX_VIRT_CPUS), set before it runs */
    struct vcpu vcpu[MAX_VIRT_CPUS];

    bool console_at_line_start; /* for the "(dN) " prefix of domU console lines */
    unsigned int dispatches;    /* schedule.c: times one of its vCPUs was dispatched */
    uint32_t vm_assist;         /* VMASST_TYPE_* bits it enabled (do_vm_assist) */

    /* Event channels (event_channel.c). */
    struct evtchn evtchn[EVTCHN_MAX_PORTS];

    mfn_t gnttab_frame[GNTTAB_MAX_FRAMES];  /* grant_table.c: the domain's own frames */
    unsigned int gnttab_nr_frames;
};

/* A vCPU's number among all: domain id, then vCPU id. Ties in the
 * scheduler's and the timers' orders go to the lower one. */
static inline unsigned int vcpu_index(const struct vcpu *v)
{
    return v->domain->domain_id * MAX_VIRT_CPUS + v->id;
}

/* `current`, the vCPU whose frame the current hypercall or trap came from,
 * is machine.current (machine.h). */

/* A fresh domain with the given id, or NULL (bad id, id in use, no memory). */
struct domain *domain_create(uint16_t domid, const char *name, bool privileged);
struct domain *domain_lookup(uint16_t domid);
/* The vCPU slot with this vcpu_index(), whatever its domain's state. */
struct vcpu *domain_vcpu(unsigned int index);

/* The domain asked to stop (SCHEDOP_shutdown). For the initial domain this
 * ends the machine: poweroff exits 0, any other reason 1. */
void domain_shutdown(struct domain *d, unsigned int reason);
/* Give every frame of a stopped domain back (unpin, drop cr3s and the
 * allocation references) and free its slot. Only the scheduler's reaper
 * calls it (sched_reap_domain), so a domain is destroyed exactly once;
 * everyone else asks with domain_kill. */
void domain_destroy(struct domain *d);

/* A toolstack's destroydomain, by domain `by`: stop d if it runs, then
 * destroy it at once, or on the way out of the hypervisor if d's vCPU is
 * the one running. Not for the initial domain. */
void domain_kill(struct domain *d, uint16_t by);

/* The toolstack's pause: none of d's vCPUs runs until as many unpauses.
 * -EINVAL for the caller's own domain or an unpause without a pause,
 * -EBUSY past 255 pauses. */
int domain_pause(struct domain *d);
int domain_unpause(struct domain *d);
/* A frame of a destroyed domain kept by another's reference was freed:
 * the domain's slot goes free with its last frame (mm's last put). */
void domain_frame_freed(struct domain *d);
/* SCHEDOP_remote_shutdown: the privileged domain stops another as if it had
 * asked itself (xl shutdown on a domain without a shutdown watch). */
long domain_remote_shutdown(struct vcpu *v, uint32_t arg);

/* A new domain has one vCPU; before it runs it may be given up to
 * MAX_VIRT_CPUS (dom0_max_vcpus=, a module's vcpus=). 0 or -EINVAL. */
int domain_set_vcpus(struct domain *d, unsigned int n);

/* vcpu_op (domain/vcpu.c): initialise, up, down, is_up here; the timers and
 * the runstate are time.c's (time_vcpu_op). */
long do_vcpu_op(struct vcpu *v, uint32_t cmd, uint32_t vcpuid, uint32_t arg, uint32_t a4,
                uint32_t a5);

/* The toolstack's setvcpucontext (VCPUOP_initialise of t with the context at
 * arg in v's memory) and getvcpucontext (domain/vcpu.c). */
long vcpu_set_context(struct vcpu *v, struct vcpu *t, gva_t arg);
struct vcpu_guest_context;
void vcpu_get_context(struct vcpu *t, struct vcpu_guest_context *c);

/* Has d enabled this VMASST_TYPE_*? */
#define VM_ASSIST(d, type) (((d)->vm_assist >> (type)) & 1u)

long do_vm_assist(struct vcpu *v, uint32_t cmd, uint32_t type, uint32_t a3, uint32_t a4,
                  uint32_t a5);

/* The domain broke the rules: kill it alone, with the reason on the log. */
void domain_crash(struct domain *d, const char *fmt, ...) __printf(2, 3);

#endif /* PVX_DOMAIN_H */
