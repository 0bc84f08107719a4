/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fpu.c - FPU, MMX and SSE registers per vCPU, switched lazily as Xen does.
 *
 * The machine's FPU holds the registers of one vCPU, the owner. Every other
 * vCPU runs with CR0.TS set, so its first FPU, MMX or SSE instruction raises
 * #NM: then, and only then, the owner's registers are saved (arch_fpu_save)
 * and this vCPU's loaded (arch_fpu_restore). A vCPU that never touches the
 * FPU costs nothing, and one that runs alone keeps it across any number of
 * switches, traps and hypercalls.
 *
 * The guest has a CR0.TS of its own (fpu_taskswitch, clts, mov to cr0): the
 * machine's TS is set when either says so, and an #NM taken while the
 * guest's TS is set is the guest's, delivered to its handler once its
 * registers are loaded (Xen's do_device_not_available).
 *
 * A fresh vCPU gets clean registers - FNINIT's control state with every data
 * register zero - not FNINIT itself, which leaves the previous owner's
 * ST/MM and XMM contents in place.
 */
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/fpu.h>
#include <pvx/lib.h>
#include <pvx/machine.h>


static const struct fpu_state fpu_clean = {
    .fcw = FPU_FCW_INIT,
    .mxcsr = FPU_MXCSR_INIT,
};

void fpu_init(void)
{
    machine.fpu_owner = NULL;
}

const struct vcpu *fpu_owner(void)
{
    return machine.fpu_owner;
}

/* The machine's TS while v runs. */
static bool machine_ts(const struct vcpu *v)
{
    return v->cpu.ts || machine.fpu_owner != v;
}

void fpu_load_vcpu(struct vcpu *v)
{
    arch_set_ts(machine_ts(v));
}

void fpu_set_virtual_ts(struct vcpu *v, bool ts)
{
    v->cpu.ts = ts;
    if ( v == current )
        arch_set_ts(machine_ts(v));
}

bool fpu_device_not_available(struct vcpu *v)
{
    bool switched = machine.fpu_owner != v;

    if ( switched )
    {
        if ( machine.fpu_owner )
            arch_fpu_save(&machine.fpu_owner->fpu.state);
        arch_fpu_restore(v->fpu.used ? &v->fpu.state : &fpu_clean);
        v->fpu.used = true;
        machine.fpu_owner = v;
    }
    arch_set_ts(false);
    if ( v->cpu.ts )
    {
        v->cpu.ts = false;              /* as Xen: clear as its handler is entered */
        return false;
    }
    return switched;
}

/* MXCSR bits every x86 with SSE takes (DAZ, bit 6, only some): a bit past
 * them would make the restore fault in the hypervisor. */
#define FPU_MXCSR_VALID 0xffbfu

void fpu_vcpu_set_state(struct vcpu *v, const void *fxsave)
{
    ASSERT(v != current && machine.fpu_owner != v);
    memcpy(&v->fpu.state, fxsave, sizeof(v->fpu.state));
    v->fpu.state.mxcsr &= FPU_MXCSR_VALID;
    v->fpu.used = true;
}

void fpu_destroy_vcpu(struct vcpu *v)
{
    if ( machine.fpu_owner == v )
        machine.fpu_owner = NULL;                   /* dropped: the next owner loads its own */
    v->fpu.used = false;
}
