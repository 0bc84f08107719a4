/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * time.c - virtual time of pvx-sim.
 *
 * Time is what the guests executed, never the host clock: every guest
 * instruction costs SIM_NS_PER_INSN, and an idle CPU jumps straight to the
 * next timer deadline. A UC_HOOK_BLOCK hook adds the instruction count of
 * each block as it is entered (a whole block is charged at entry, even if a
 * fault cuts it short). When the current budget - the next deadline or the
 * --max-time limit - is used up, the hook stops the engine at the next block
 * entry, before that block runs, and the timer fires there: between
 * instructions, at most one block after the deadline. No threads, no timeouts: runs replay bit-identically.
 *
 * Unicorn gives a block's size in bytes; the instruction count comes from a
 * Capstone decode, done once per (address, size, CR3) and cached. The cache
 * is keyed by address, not content: code rewritten to the same size keeps
 * its old count, which only shifts virtual time. Nothing guest-visible is
 * decided from it (traps.c: port I/O at the hooks, software interrupts from
 * the bytes at the trap); its one other reader is traps_rep_io_passed, which
 * checks the bytes again.
 */
#include "sim.h"

#define SIM_NS_PER_INSN     1ull
/* The virtual TSC: a fixed 2 GHz, derived from virtual time like everything else. */
#define SIM_TSC_PER_NS      2ull
#define BLOCK_CACHE_BITS    16
#define BLOCK_CACHE_SIZE    (1u << BLOCK_CACHE_BITS)

uint64_t sim_max_time_ns = 10ull * 1000 * 1000 * 1000;
bool sim_no_time;

struct block_entry {
    struct block_info info;
    uint32_t cr3;
    bool valid;
};

static struct block_entry *cache;
static const struct block_info *last_block;

static uint64_t icount;                 /* guest instructions executed */
static uint64_t idle_ns;                /* time skipped while idle */
static uint64_t deadline_ns;            /* 0: no timer armed */
static uint64_t stop_icount;            /* stop the engine when icount reaches this */
static bool budget_stop;
bool time_paused;

uint64_t arch_now_ns(void)
{
    return icount * SIM_NS_PER_INSN + idle_ns;
}

/* Recompute the instruction budget from the deadline and the time limit. */
static void budget_update(void)
{
    uint64_t end = sim_max_time_ns;
    uint64_t now = arch_now_ns();

    uint64_t disk = sim_disk_next_ns();

    if ( deadline_ns && deadline_ns < end )
        end = deadline_ns;
    if ( disk && disk < end )
        end = disk;
    end = MIN(end, nic_next_ns());
    if ( end <= now )
        stop_icount = icount;           /* at the next block */
    else
        stop_icount = icount + (end - now + SIM_NS_PER_INSN - 1) / SIM_NS_PER_INSN;
}

void time_disk_changed(void)
{
    budget_update();
}

void arch_set_timer(uint64_t deadline)
{
    deadline_ns = deadline;
    budget_update();
}

void time_events_changed(void)
{
    budget_update();
}

static void hook_block(uc_engine *uc, uint64_t addr, uint32_t size, void *data)
{
    uint32_t h = ((uint32_t)addr ^ ((uint32_t)addr >> BLOCK_CACHE_BITS) ^
                  (size << 7) ^ (sim_cr3 >> 5)) & (BLOCK_CACHE_SIZE - 1);
    struct block_entry *e = &cache[h];

    (void)data;
    /* The trampoline's iret (ring 0) is no guest instruction. */
    if ( unlikely((uint32_t)addr == SIM_VA_TRAMP) )
        return;
    /* Before the decode below: it may reuse last_block's slot. */
    if ( unlikely(last_block && last_block->io_index >= 0) && !time_paused &&
         traps_rep_io_passed((uint32_t)addr) )
        return;
    if ( unlikely(!e->valid || e->info.addr != (uint32_t)addr ||
                  e->info.size != size || e->cr3 != sim_cr3) )
    {
        e->info.addr = (uint32_t)addr;
        e->info.size = size;
        e->cr3 = sim_cr3;
        e->valid = true;
        dis_block(&e->info);
        mem_note_code(sim_cr3, (uint32_t)addr, size);
    }
    if ( unlikely(time_paused) )
        return;
    /* A block stopped here does not run: the budget is checked before it
     * is charged, so a block that starts in budget runs whole. */
    if ( unlikely(icount >= stop_icount) )
    {
        budget_stop = true;
        uc_emu_stop(uc);
        return;
    }
    last_block = &e->info;
    icount += e->info.ninsn;
}

void arch_tsc_sample(uint64_t *tsc, uint64_t *now_ns)
{
    *now_ns = arch_now_ns();
    *tsc = *now_ns * SIM_TSC_PER_NS;
}

uint64_t arch_tsc_hz(void)
{
    return SIM_TSC_PER_NS * 1000000000ull;
}

/* rdtsc/rdtscp: Unicorn would read the host's clock; give virtual time instead. */
static int hook_rdtsc(uc_engine *uc, void *data)
{
    uint64_t tsc, now;
    (void)data;
    arch_tsc_sample(&tsc, &now);
    uc_reg_write(uc, UC_X86_REG_EAX, &(uint64_t){ (uint32_t)tsc });
    uc_reg_write(uc, UC_X86_REG_EDX, &(uint64_t){ (uint32_t)(tsc >> 32) });
    if ( data )                         /* rdtscp: ecx = TSC_AUX, 0 here */
        uc_reg_write(uc, UC_X86_REG_ECX, &(uint64_t){ 0 });
    return 1;                           /* handled: skip the instruction */
}

void time_charge(uint64_t ninsn)
{
    icount += ninsn;
}

const struct block_info *time_last_block(void)
{
    return last_block;
}

/* The engine starts afresh (another frame, maybe another vCPU): the last
 * block it ran says nothing about the next exit. */
void time_block_reset(void)
{
    last_block = NULL;
}

/* Code at some address changed (host rewrite after uc_ctl_remove_cache). */
void time_cache_flush(void)
{
    memset(cache, 0, BLOCK_CACHE_SIZE * sizeof(*cache));
    last_block = NULL;
}

void time_init(void)
{
    uc_hook hh;

    cache = calloc(BLOCK_CACHE_SIZE, sizeof(*cache));
    if ( cache == NULL )
        sim_panic("out of host memory");
    /* --no-time measures what this hook costs (make bench): without it time
     * stands still, and int3/into, port I/O and stale code go unnoticed. */
    if ( !sim_no_time &&
         uc_hook_add(sim_uc, &hh, UC_HOOK_BLOCK, hook_block, NULL, 1, 0) != UC_ERR_OK )
        sim_panic("cannot add the block hook");
    if ( uc_hook_add(sim_uc, &hh, UC_HOOK_INSN, hook_rdtsc, NULL, 1, 0, UC_X86_INS_RDTSC) != UC_ERR_OK ||
         uc_hook_add(sim_uc, &hh, UC_HOOK_INSN, hook_rdtsc, (void *)1, 1, 0,
                     UC_X86_INS_RDTSCP) != UC_ERR_OK )
        sim_panic("cannot add the rdtsc hooks");
    icount = 0;
    budget_update();
}

bool time_budget_expired(void)
{
    return budget_stop;
}

static void __noreturn time_limit(void)
{
    sim_msg("time limit reached");
    arch_shutdown(PVX_EXIT_TIMEOUT);
}

/* The engine is stopped, regs is the frame to resume: the timer may fire. */
void time_after_stop(struct cpu_regs *regs)
{
    budget_stop = false;
    if ( arch_now_ns() >= sim_max_time_ns )
        time_limit();
    /* A handler may arm a deadline already past: it fires at once, again.
     * Disks complete in the same loop, each event in its turn. */
    for ( ;; )
    {
        uint64_t now = arch_now_ns(), disk = sim_disk_next_ns();

        if ( disk && disk <= now && (!deadline_ns || disk <= deadline_ns) )
            sim_disk_fire(regs, now);
        else if ( deadline_ns && now >= deadline_ns )
        {
            deadline_ns = 0;
            core_timer_interrupt(regs);
        }
        else
            break;
    }
    if ( nic_next_ns() <= arch_now_ns() )
        nic_fire(regs);
    budget_update();
}

void arch_idle(void)
{
    uint64_t now = arch_now_ns(), disk = sim_disk_next_ns(), wire = nic_next_ns();
    uint64_t first = MIN(disk ? disk : UINT64_MAX, wire);

    /* A disk completes or a frame arrives first: jump there, and the core
     * handles it (the disk on a tie; the wire's turn is the next idle). */
    if ( first != UINT64_MAX && (!deadline_ns || first < deadline_ns) && first < sim_max_time_ns )
    {
        if ( first > now )
            idle_ns += first - now;
        budget_update();
        if ( disk && first == disk )
            sim_disk_fire(NULL, arch_now_ns());
        else
            nic_fire(NULL);
        budget_update();
        return;
    }
    /* Every domain waits and no timer is armed: nothing can ever happen
     * again. Hardware would idle forever; here that is the time limit. */
    if ( deadline_ns == 0 )
    {
        sim_msg("idle with no timer armed: every domain waits forever");
        idle_ns += sim_max_time_ns - MIN(now, sim_max_time_ns);
        time_limit();
    }
    if ( deadline_ns >= sim_max_time_ns )
    {
        idle_ns += sim_max_time_ns - MIN(now, sim_max_time_ns);
        time_limit();
    }
    if ( deadline_ns > now )
        idle_ns += deadline_ns - now;
    deadline_ns = 0;
    budget_update();
    core_timer_interrupt(NULL);
    budget_update();
}
