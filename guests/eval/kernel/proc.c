/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * proc.c - processes, their address spaces, system calls and faults: the
 * common part of the workload kernel (kernel.h). One kernel stack: a trap
 * from ring 3 lands on it, and switching processes is rewriting the frame
 * it will return through (the old one saved in struct proc).
 */
#include "kernel.h"

enum proc_state { P_FREE, P_RUNNABLE, P_BLOCKED_RECV, P_BLOCKED_WAIT, P_DEAD };

struct proc {
    enum proc_state state;
    uint32_t l3, l2[4], l1;             /* frames, taken once by proc_init */
    uint32_t page[KUSER_PRIVATE];
    unsigned int nr_pages;
    bool ro, region_used;
    struct kframe regs;                 /* ring 3's registers while not running */
    uint32_t sig_handler;
    uint32_t pipe_word;
    bool pipe_full;
    struct proc *parent;                /* waiting in SYS_SPAWN for us */
};

/* Slots 0..KPROC_MAX-1 for proc_create, the last for SYS_SPAWN's child. */
static struct proc procs[KPROC_MAX + 1];
#define CHILD (&procs[KPROC_MAX])

static uint32_t region[KUSER_REGION_PAGES];     /* mmap's and demand paging's frames */
static struct proc *cur;
static unsigned int nr_live;
static unsigned int nr_slots;           /* slots of this run: 0 .. nr_slots-1 */
static uint32_t run_sum;
unsigned long proc_faults, proc_switches, proc_notifies;

#define KSTACK_SIZE 8192
static uint8_t kstack[KSTACK_SIZE] __attribute__((aligned(16)));
#define KSTACK_TOP ((uint32_t)(unsigned long)(kstack + KSTACK_SIZE))

extern char kuser_start[];

static void proc_notified(void);

void proc_init(void)
{
    for ( unsigned int i = 0; i <= KPROC_MAX; i++ )
    {
        struct proc *p = &procs[i];

        p->l3 = ops_frame_alloc();
        for ( unsigned int s = 0; s < 4; s++ )
            p->l2[s] = ops_frame_alloc();
        p->l1 = ops_frame_alloc();
        for ( unsigned int k = 0; k < KUSER_PRIVATE; k++ )
            p->page[k] = ops_frame_alloc();
        /* Fresh frames may hold anything: the tables start empty. */
        for ( unsigned int e = 0; e < 512; e++ )
        {
            ops_pte_queue(p->l2[0], e, 0);
            ops_pte_queue(p->l2[1], e, 0);
            ops_pte_queue(p->l2[2], e, 0);
            ops_pte_queue(p->l2[3], e, 0);
            ops_pte_queue(p->l1, e, 0);
        }
        ops_pte_commit();
        ops_fill_high_l2(p->l2[3]);
    }
    for ( unsigned int k = 0; k < KUSER_REGION_PAGES; k++ )
        region[k] = ops_frame_alloc();
    ops_init(KSTACK_TOP, proc_notified);
}

static uint64_t pte(uint32_t frame, uint32_t flags)
{
    return ((uint64_t)frame << KPAGE_SHIFT) | flags;
}

/* Write p's tables and make them an address space: the kernel's entries,
 * the private pages, the L3. */
static void as_build(struct proc *p)
{
    for ( unsigned int i = 0; i < 512; i++ )
    {
        uint64_t e = ops_kernel_pde(i);

        if ( e & 1 )
            ops_pte_queue(p->l2[0], i, e);
    }
    for ( unsigned int i = 0; i < KUSER_PRIVATE; i++ )
    {
        uint32_t flags = p->ro && i == KUSER_PRIVATE - 1 ? KPTE_USER_RO : KPTE_USER_RW;

        ops_pte_queue(p->l1, i, i < p->nr_pages || (p->ro && i == KUSER_PRIVATE - 1) ?
                      pte(p->page[i], flags) : 0);
    }
    ops_pte_queue(p->l2[1], 0, pte(p->l1, KPDE_TABLE));
    for ( unsigned int s = 0; s < 4; s++ )
        ops_pte_queue(p->l3, s, pte(p->l2[s], KPDPTE));
    ops_pte_commit();
    ops_as_activate(p->l3);
}

/* Unmap what mmap or demand paging left; give up the address space (p's
 * tables are no longer current). */
static void as_teardown(struct proc *p)
{
    if ( p->region_used )
    {
        for ( unsigned int k = 0; k < KUSER_REGION_PAGES; k++ )
            ops_pte_queue(p->l1, 256 + k, 0);
        ops_pte_commit();
        p->region_used = false;
    }
    ops_as_release(p->l3);
}

static void proc_setup(struct proc *p, kprog_t prog, unsigned long arg, unsigned int pages, bool ro)
{
    p->nr_pages = pages;
    p->ro = ro;
    p->sig_handler = 0;
    p->pipe_full = false;
    p->parent = NULL;
    memset(&p->regs, 0, sizeof(p->regs));
    p->regs.eip = (uint32_t)(unsigned long)kuser_start;
    p->regs.cs = ops_user_cs;
    p->regs.eflags = 0x202;             /* IF: interrupts reach ring 3 */
    p->regs.esp = KUSER_STACK_TOP;
    p->regs.ss = ops_user_ds;
    p->regs.eax = (uint32_t)(unsigned long)prog;
    p->regs.edx = (uint32_t)arg;
    as_build(p);
    p->state = P_RUNNABLE;
}

int proc_create(kprog_t prog, unsigned long arg, unsigned int pages, bool ro)
{
    if ( pages == 0 || pages > KUSER_PRIVATE - (ro ? 1 : 0) )
        return -1;
    for ( int i = 0; i < KPROC_MAX; i++ )
        if ( procs[i].state == P_FREE )
        {
            proc_setup(&procs[i], prog, arg, pages, ro);
            return i;
        }
    return -1;
}

/* kcall_run: the first runnable process's frame, on the kernel stack. */
struct kframe *proc_first_frame(void);
struct kframe *proc_first_frame(void)
{
    struct kframe *f = (struct kframe *)(unsigned long)(KSTACK_TOP - sizeof(struct kframe));

    *f = cur->regs;
    return f;
}

uint32_t proc_run_all(void)
{
    proc_faults = proc_switches = proc_notifies = 0;
    run_sum = 0;
    nr_live = 0;
    cur = NULL;
    nr_slots = 0;
    for ( unsigned int i = 0; i < KPROC_MAX; i++ )
        if ( procs[i].state != P_FREE )
        {
            nr_live++;
            nr_slots = i + 1;
            if ( !cur )
                cur = &procs[i];
        }
    if ( !cur )
        return 0;
    ops_as_switch(cur->l3);
    return kcall_run();
}

/* Round robin over this run's slots only: a lone process finds itself at
 * once, as the first of a ring finds the next (ctx's overhead run is one). */
static struct proc *next_runnable(void)
{
    unsigned int start = cur == CHILD ? 0 : (unsigned int)(cur - procs);

    for ( unsigned int k = 1; k <= nr_slots; k++ )
    {
        struct proc *p = &procs[(start + k) % nr_slots];

        if ( p->state == P_RUNNABLE )
            return p;
    }
    return cur->state == P_RUNNABLE ? cur : NULL;
}

/* Continue with next (whose frame is in next->regs) in place of cur. */
static void switch_to(struct kframe *f, struct proc *next)
{
    if ( next == cur )
        return;
    cur->regs = *f;
    ops_as_switch(next->l3);
    *f = next->regs;
    cur = next;
    proc_switches++;
}

/* cur cannot go on: run another, waiting for a notification if none can. */
static void schedule(struct kframe *f)
{
    struct proc *next;

    while ( !(next = next_runnable()) )
        ops_idle();
    switch_to(f, next);
}

static void __noreturn proc_finish_run(struct proc *last)
{
    ops_as_switch_kernel();
    as_teardown(last);
    for ( unsigned int i = 0; i < KPROC_MAX; i++ )
        procs[i].state = P_FREE;
    kreturn_run(run_sum);
}

static void sys_exit(struct kframe *f, uint32_t result)
{
    struct proc *dead = cur, *next;

    if ( dead == CHILD )
    {
        /* SYS_SPAWN returns the child's result to its parent. */
        next = dead->parent;
        next->regs.eax = result;
        next->state = P_RUNNABLE;
        dead->state = P_FREE;
        ops_lazy_begin();
        ops_as_switch(next->l3);
        as_teardown(dead);
        ops_lazy_end();
        *f = next->regs;
        cur = next;
        return;
    }
    run_sum += result;
    dead->state = P_DEAD;           /* its slot is free again when the run ends */
    if ( --nr_live == 0 )
        proc_finish_run(dead);
    schedule(f);
    as_teardown(dead);
}

static void sys_spawn(struct kframe *f, uint32_t prog, uint32_t arg)
{
    struct proc *parent = cur;

    if ( parent == CHILD || CHILD->state != P_FREE )
    {
        f->eax = (uint32_t)-1;
        return;
    }
    /* Build, pin and load the child's address space: one batch. */
    ops_lazy_begin();
    proc_setup(CHILD, (kprog_t)(unsigned long)prog, arg, 4, false);
    ops_as_switch(CHILD->l3);
    ops_lazy_end();
    CHILD->parent = parent;
    parent->state = P_BLOCKED_WAIT;
    parent->regs = *f;
    *f = CHILD->regs;
    cur = CHILD;
}

static bool in_region(uint32_t va, uint32_t pages)
{
    return va >= KUSER_REGION_VA && (va & (KPAGE_SIZE - 1)) == 0 && pages <= KUSER_REGION_PAGES &&
           (va - KUSER_REGION_VA) / KPAGE_SIZE + pages <= KUSER_REGION_PAGES;
}

static uint32_t sys_map(uint32_t va, uint32_t pages, bool map)
{
    unsigned int first;

    if ( !in_region(va, pages) )
        return (uint32_t)-1;
    first = (va - KUSER_REGION_VA) / KPAGE_SIZE;
    ops_lazy_begin();
    for ( unsigned int k = first; k < first + pages; k++ )
        ops_pte_queue(cur->l1, 256 + k, map ? pte(region[k], KPTE_USER_RW) : 0);
    ops_pte_commit();
    if ( map )
        cur->region_used = true;
    else
        ops_tlb_flush();
    ops_lazy_end();
    return 0;
}

/* A signal: the interrupted eip and eax on the user stack, the handler
 * entered with eax = sig. SYS_SIGRETURN takes them back. */
static void sys_kill(struct kframe *f, uint32_t sig)
{
    uint32_t *sp = (uint32_t *)(unsigned long)(f->esp - 8);

    if ( !cur->sig_handler || f->esp - 8 < KUSER_BASE || f->esp > KUSER_STACK_TOP )
    {
        f->eax = (uint32_t)-1;
        return;
    }
    sp[0] = f->eip;
    sp[1] = 0;                      /* what SYS_KILL returns */
    f->esp -= 8;
    f->eip = cur->sig_handler;
    f->eax = sig;
}

static void sys_sigreturn(struct kframe *f)
{
    const uint32_t *sp = (const uint32_t *)(unsigned long)f->esp;

    if ( f->esp < KUSER_BASE || f->esp + 8 > KUSER_STACK_TOP )
        panic("sigreturn with esp %#x", f->esp);
    f->eip = sp[0];
    f->eax = sp[1];
    f->esp += 8;
}

static void sys_send(struct kframe *f, uint32_t word, uint32_t to)
{
    struct proc *peer = to < KPROC_MAX ? &procs[to] : NULL;

    if ( !peer || peer->state == P_FREE || peer->pipe_full )
    {
        f->eax = (uint32_t)-1;
        return;
    }
    peer->pipe_word = word;
    peer->pipe_full = true;
    f->eax = 0;
    ops_notify();
}

static void sys_recv(struct kframe *f)
{
    if ( cur->pipe_full )
    {
        f->eax = cur->pipe_word;
        cur->pipe_full = false;
        return;
    }
    cur->state = P_BLOCKED_RECV;
    schedule(f);
}

/* A notification: whoever waits for a word that has come may run. */
static void proc_notified(void)
{
    proc_notifies++;
    for ( unsigned int i = 0; i < KPROC_MAX; i++ )
    {
        struct proc *p = &procs[i];

        if ( p->state == P_BLOCKED_RECV && p->pipe_full )
        {
            p->regs.eax = p->pipe_word;
            p->pipe_full = false;
            p->state = P_RUNNABLE;
        }
    }
}

static void syscall(struct kframe *f)
{
    uint32_t b = f->ebx, c = f->ecx;

    switch ( f->eax )
    {
    case SYS_NULL:      f->eax = b + 1; break;
    case SYS_EXIT:      sys_exit(f, b); break;
    case SYS_YIELD:     f->eax = 0; schedule(f); break;
    case SYS_SPAWN:     sys_spawn(f, b, c); break;
    case SYS_MMAP:      f->eax = sys_map(b, c, true); break;
    case SYS_MUNMAP:    f->eax = sys_map(b, c, false); break;
    case SYS_SIGACTION: cur->sig_handler = b; f->eax = 0; break;
    case SYS_KILL:      sys_kill(f, b); break;
    case SYS_SIGRETURN: sys_sigreturn(f); break;
    case SYS_SEND:      sys_send(f, b, c); break;
    case SYS_RECV:      sys_recv(f); break;
    default:            f->eax = (uint32_t)-1; break;
    }
}

#define PF_PRESENT  1u
#define PF_WRITE    2u
#define PF_USER     4u

static void page_fault(struct kframe *f)
{
    uint32_t va = ops_fault_addr();

    if ( !(f->error & PF_USER) || (f->cs & 3) != 3 )
        panic("kernel page fault at %#x (error %#x, eip %#x)", va, f->error, f->eip);
    if ( !(f->error & PF_PRESENT) && in_region(va & ~(KPAGE_SIZE - 1), 1) )
    {
        unsigned int k = (va - KUSER_REGION_VA) / KPAGE_SIZE;

        /* Demand paging: not present before, so nothing to flush. */
        ops_pte_queue(cur->l1, 256 + k, pte(region[k], KPTE_USER_RW));
        ops_pte_commit();
        cur->region_used = true;
        proc_faults++;
        return;
    }
    if ( (f->error & (PF_PRESENT | PF_WRITE)) == (PF_PRESENT | PF_WRITE) && cur->sig_handler &&
         (va & ~(KPAGE_SIZE - 1)) == KUSER_RO_VA && cur->ro )
    {
        /* A protection fault: the handler instead of the faulting store. */
        f->eip = cur->sig_handler;
        f->eax = va;
        proc_faults++;
        return;
    }
    panic("process %u: page fault at %#x (error %#x, eip %#x)", (unsigned int)(cur - procs), va,
          f->error, f->eip);
}

void ktrap(struct kframe *f);
void ktrap(struct kframe *f)
{
    switch ( f->vector )
    {
    case KVEC_SYSCALL:
        syscall(f);
        break;
    case KVEC_PF:
        page_fault(f);
        break;
    case KVEC_NOTIFY:
        ops_notify_ack();
        proc_notified();
        break;
    default:
        panic("trap %u at %#x", f->vector, f->eip);
    }
}
