/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * traps.h - the virtual CPU a PV guest sees (docs/cpu.md): its trap table
 * and callbacks (traps.c), its segment descriptors (descriptor.c) and the
 * privileged instructions the hypervisor emulates for it (emulate.c).
 */
#ifndef PVX_TRAPS_H
#define PVX_TRAPS_H

#include <pvx/types.h>

struct vcpu;
struct cpu_regs;

#define NR_VECTORS          256
#define GDT_GUEST_FRAMES    14          /* FIRST_RESERVED_GDT_PAGE */

/* One entry of the virtual IDT: address 0 means "no handler". */
struct virt_trap {
    uint32_t eip;
    uint16_t cs;
    uint8_t flags;                      /* bits 0-1 DPL, bit 2 mask events (TI_*) */
    uint8_t _pad;
};

struct virt_callback {
    uint32_t eip;                       /* 0: none registered */
    uint16_t cs;
    uint16_t flags;                     /* CALLBACKF_* */
};

/* The per-vCPU CPU state the hypervisor keeps for a PV guest. */
struct vcpu_cpu {
    struct virt_trap trap[NR_VECTORS];
    uint32_t kernel_ss, kernel_sp;      /* stack_switch: ring-1 stack for ring-3 traps */
    struct virt_callback failsafe, syscall32, sysenter, nmi; /* event: vcpu.event_callback_* */
    uint32_t cr2;                       /* virtual CR2: the last #PF address delivered */
    bool ts;                            /* virtual CR0.TS (fpu_taskswitch, clts) */
    unsigned int iopl;                  /* virtual IOPL (PHYSDEVOP_set_iopl) */
    uint32_t debugreg[8];               /* set_debugreg: DR0-3 and DR7 armed in the CPU while
                                         * it runs (DR7 without I/O breakpoints), DR6 what
                                         * the guest sees */
    uint32_t dr7_emul;                  /* DR7's enables of I/O breakpoints: the emulated
                                         * in/out checks them, never the CPU (as Xen) */
    uint32_t dr6_pending;               /* DR6 bits an emulated instruction hit: a #DB after it */
    bool cr4_de;                        /* virtual CR4.DE: I/O breakpoints; DR4/5 #UD */
    mfn_t gdt_frames[GDT_GUEST_FRAMES]; /* set_gdt: typed segment-descriptor frames */
    unsigned int gdt_ents;
    bool fast_trap;                     /* int 0x80 goes straight to the guest */
    mfn_t ldt_frames[16];               /* LDT pages mapped so far (ldt_mapped bits) */
    uint16_t ldt_mapped;
    uint32_t bounce_eip, bounce_esp;    /* where the last bounce entered the guest */
    uint16_t bounce_cs;
};

/* ---- traps.c ---------------------------------------------------------- */

/* Deliver the exception in v->regs (entry_vector, error_code) to the guest,
 * or kill the domain when it cannot take it. */
void traps_deliver(struct vcpu *v, uint32_t cr2);

/*
 * Bounce v into a guest handler at cs:eip, Xen x86_32 style: from ring 3
 * switch to the registered kernel stack and push SS, ESP; then EFLAGS (IF =
 * !upcall_mask), CS (the saved upcall mask in bits 16-23), EIP and, when
 * has_error, the error code; with mask_events set, mask upcalls. Rewrites
 * v->regs to enter the handler. Returns 0, -EFAULT when the frame cannot be
 * written or the selectors not loaded, -EINVAL when eip lies past the limit
 * of cs (the caller kills the domain: a fault while delivering a fault).
 * Used for exceptions (traps.c) and the event callback (event_channel.c:
 * callback_op stores it in v->event_callback_cs/eip).
 */
int traps_bounce(struct vcpu *v, uint32_t cs, uint32_t eip, bool has_error,
                 uint32_t error_code, bool mask_events);
const char *trap_name(unsigned int vector);

/* Dispatch the guest exception saved in v->regs (core_trap's body). */
void traps_handle(struct vcpu *v, uint32_t cr2);
/* Load v's CPU state into the machine (GDT, ring-1 stack, fast trap, TS):
 * whenever v becomes the running vCPU. */
void traps_load_vcpu(struct vcpu *v);
/* Give back what a dying vCPU holds (its GDT frames' type references). */
void traps_destroy_vcpu(struct vcpu *v);

/* May a gate (trap, callback) name this code selector (RPL fixed up)? A
 * guest GDT/LDT entry or the flat ring-1 cs, none of the hypervisor's. */
bool traps_gate_selector_ok(uint32_t cs);

/* VCPUOP_initialise: are the context's gates ones set_trap_table and
 * set_callbacks would take (0 or -EINVAL)? Then set them, with its kernel
 * stack, as v's (nothing can fail). */
struct vcpu_guest_context;
int traps_context_check(const struct vcpu_guest_context *c);
void traps_context_install(struct vcpu *v, const struct vcpu_guest_context *c);

/* RPL 0 becomes 1: a guest kernel runs in ring 1, never 0 (Xen's fixup). */
static inline uint32_t traps_fixup_selector(uint32_t sel)
{
    return (sel & 3) ? sel : (sel | 1);
}

long do_set_trap_table(struct vcpu *v, uint32_t traps, uint32_t a2, uint32_t a3,
                       uint32_t a4, uint32_t a5);
long do_stack_switch(struct vcpu *v, uint32_t ss, uint32_t esp, uint32_t a3,
                     uint32_t a4, uint32_t a5);
long do_set_callbacks(struct vcpu *v, uint32_t event_cs, uint32_t event_eip,
                      uint32_t failsafe_cs, uint32_t failsafe_eip, uint32_t a5);
long do_callback_op(struct vcpu *v, uint32_t cmd, uint32_t arg, uint32_t a3,
                    uint32_t a4, uint32_t a5);
long do_iret(struct vcpu *v, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4,
             uint32_t a5);

/* ---- descriptor.c ----------------------------------------------------- */

/* Xen's check_descriptor for a 32-bit PV guest: true if the descriptor
 * (lo, hi) may sit in a guest GDT or LDT; it may be rewritten (the limit
 * clamped below the hypervisor, a call gate's target RPL fixed up). */
bool desc_check(uint32_t *lo, uint32_t *hi);

/* What a selector is to be loaded as. */
enum sel_use { SEL_CODE, SEL_STACK, SEL_DATA };

/* Would the CPU load sel into a segment register of this use at this CPL
 * (RPL rules included)? The null selector is fine for SEL_DATA only. */
bool desc_selector_ok(struct vcpu *v, uint32_t sel, enum sel_use use, unsigned int cpl);
/* A checked selector is about to be loaded by the machine: map its LDT page
 * (the CPU must not fault loading it on the way out). */
void desc_selector_map(struct vcpu *v, uint32_t sel);
/* The last offset the CPU fetches from in code segment sel (its byte
 * limit), for a selector desc_selector_ok accepts as SEL_CODE; 0 for
 * anything that is not a present code segment. */
uint32_t desc_code_limit(struct vcpu *v, uint32_t sel);

long do_set_gdt(struct vcpu *v, uint32_t frame_list, uint32_t entries, uint32_t a3,
                uint32_t a4, uint32_t a5);
/* A GDT in steps (VCPUOP_initialise): take every frame (validated; 0 or
 * -EINVAL with nothing taken), give them back, or install them as v's. */
int desc_gdt_take(struct domain *d, const mfn_t *frames, unsigned int entries);
void desc_gdt_put(const mfn_t *frames, unsigned int entries);
void desc_gdt_install(struct vcpu *v, const mfn_t *frames, unsigned int entries);
/* A vCPU about to run for the first time (VCPUOP_up): -EINVAL unless its
 * cs, ss and kernel stack load with its own tables; then their LDT pages
 * are mapped and a data selector that would not load is made null. */
int desc_vcpu_ready(struct vcpu *v);
long do_update_descriptor(struct vcpu *v, uint32_t pa_lo, uint32_t pa_hi, uint32_t desc_lo,
                          uint32_t desc_hi, uint32_t a5);
void desc_load_gdt(struct vcpu *v);
void desc_destroy_gdt(struct vcpu *v);

/* MMUEXT_SET_LDT (mm.c checked the range): the LDT becomes ents descriptors
 * at base, loaded lazily. -EINVAL, nothing changed, if the vCPU's own cs or
 * ss would no longer load. */
int desc_set_ldt(struct vcpu *v, uint32_t base, uint32_t ents);
/* A #PF at cr2 in the LDT area: validate and map that page of the guest's
 * LDT (or give the guest a #PF at its own address). false: not an LDT fault. */
bool desc_ldt_fault(struct vcpu *v, uint32_t cr2);
void desc_load_ldt(struct vcpu *v);
void desc_release_ldt(struct vcpu *v);

/* ---- emulate.c -------------------------------------------------------- */

/* #GP or #UD from the guest: emulate the instruction at eip if it is one a
 * PV kernel may have emulated. true: done (v->regs advanced, or an
 * exception was bounced instead); false: reflect the original fault. */
bool emulate_privileged(struct vcpu *v);
bool emulate_forced(struct vcpu *v);
/* Bytes of the `int n` at v->regs.eip (prefixes included; 2 if unreadable). */
unsigned int emulate_int_length(struct vcpu *v, unsigned int vector);

/* The CPUID the guest sees: a fixed, core-defined table (identical on
 * every machine). */
void emulate_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

long do_fpu_taskswitch(struct vcpu *v, uint32_t set, uint32_t a2, uint32_t a3,
                       uint32_t a4, uint32_t a5);
/* A debug register value v may set: 0 with reg and value made what is
 * stored (DR4/5 as DR6/7 while CR4.DE is clear, fixed bits), or -EPERM (a
 * breakpoint on the hypervisor, DR7.GD, an I/O breakpoint without CR4.DE),
 * -ENODEV (DR4/5 with CR4.DE set) or -EINVAL. */
int emulate_debugreg_check(const struct vcpu *v, unsigned int *reg, uint32_t *value);
/* Arm v's breakpoints in the CPU (v is the running vCPU). */
void emulate_load_debugregs(struct vcpu *v);
/* A #DB from the CPU: what it says (DR6) goes into v's DR6 as Xen merges it. */
void emulate_debug_trap(struct vcpu *v, uint32_t dr6);
long do_set_debugreg(struct vcpu *v, uint32_t reg, uint32_t value, uint32_t a3,
                     uint32_t a4, uint32_t a5);
long do_get_debugreg(struct vcpu *v, uint32_t reg, uint32_t a2, uint32_t a3,
                     uint32_t a4, uint32_t a5);
long do_physdev_op(struct vcpu *v, uint32_t cmd, uint32_t arg, uint32_t a3,
                   uint32_t a4, uint32_t a5);

#endif /* PVX_TRAPS_H */
