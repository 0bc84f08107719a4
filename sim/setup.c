/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * setup.c - from a described machine (boot_info, main.c) to the first
 * guest: the simulator's frames, the engine and its ring templates, virtual
 * time, tracing, core_start(); and the end of the machine (arch_shutdown):
 * arch.h's boot section, as arch-x86's setup.c.
 */
#include "sim.h"

_Static_assert(PVX_ARCH_VERSION == 12, "the simulator implements arch.h version 12");

bool sim_hash_at_exit;

void sim_start(const struct boot_info *bi)
{
    struct cpu_regs *regs;

    mem_build_sim_frames();
    cpu_init();
    cpu_make_templates();
    time_init();
    nic_init();
    trace_init();
    /* Hooks added after the templates ran: drop the blocks translated without them. */
    uc_ctl_flush_tb(sim_uc);

    regs = core_start(bi);
    cpu_run(regs);
}

void arch_shutdown(int status)
{
    static bool down;

    fflush(stdout);
    trace_hcall_stop();
    if ( sim_hash_at_exit && !down && sim_uc != NULL )
    {
        down = true;            /* a panic while hashing must not recurse */
        printf("(pvx) state hash %016llx\n",
               (unsigned long long)cpu_hash(mem_hash(0xcbf29ce484222325ull)));
    }
    sim_disk_report();
    fflush(stdout);
    fflush(stderr);
    exit(status);
}
