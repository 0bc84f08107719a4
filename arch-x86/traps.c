/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * traps.c - the one C entry behind every stub in entry.S. Guest events go to
 * the core; a fault in ring 0 is our own bug and ends the machine, except the
 * few instructions in the exit path that may fault on a guest's behalf.
 */
#include <pvx/layout.h>
#include "x86.h"

void x86_pic_spurious(unsigned int vector);

_Static_assert(offsetof(struct cpu_regs, gs) == FRAME_GS && offsetof(struct cpu_regs, fs) == FRAME_FS &&
               offsetof(struct cpu_regs, es) == FRAME_ES && offsetof(struct cpu_regs, ds) == FRAME_DS &&
               offsetof(struct cpu_regs, cs) == FRAME_CS && offsetof(struct cpu_regs, ss) == FRAME_SS,
               "entry.S's frame offsets");

static const char *const exc_names[X86_NR_EXCEPTIONS] = {
    [X86_EXC_DE] = "#DE", [X86_EXC_DB] = "#DB", [X86_EXC_NMI] = "NMI", [X86_EXC_BP] = "#BP",
    [X86_EXC_OF] = "#OF", [X86_EXC_BR] = "#BR", [X86_EXC_UD] = "#UD", [X86_EXC_NM] = "#NM",
    [X86_EXC_DF] = "#DF", [X86_EXC_TS] = "#TS", [X86_EXC_NP] = "#NP", [X86_EXC_SS] = "#SS",
    [X86_EXC_GP] = "#GP", [X86_EXC_PF] = "#PF", [X86_EXC_MF] = "#MF", [X86_EXC_AC] = "#AC",
    [X86_EXC_MC] = "#MC", [X86_EXC_XM] = "#XM",
};

/*
 * A segment register load in x86_restore faulted: the guest's selector went
 * bad while it was out (its LDT or GDT changed). The load reads the frame
 * through the interrupted esp, which is where regs->esp sits in a ring-0
 * frame; null the slot and retry. A null data selector always loads.
 */
static bool fixup_segment(struct cpu_regs *regs)
{
    const struct x86_seg_fixup *f;

    for ( f = x86_seg_fixups; f < x86_seg_fixups_end; f++ )
        if ( (char *)regs->eip == f->eip )
        {
            (&regs->esp)[f->offset / 4] = 0;
            return true;
        }
    return false;
}

/*
 * The iret that resumes a guest faulted: the frame it was popping is the
 * guest's (an eip past its code segment's limit, say). The core checks what
 * it puts in a frame, so this is the backstop that keeps a guest's frame
 * from being a hypervisor panic: the fault becomes the guest's, with the
 * frame it was entering, as Xen reflects a fault of its exit iret.
 *
 * Guests are entered from the top of the stack (setup.c). At the iret, esp
 * points at that frame's eip, so this fault's frame lies just below - over
 * the guest frame's registers, which it holds again: they were loaded
 * (popal, the data segments) when the iret faulted.
 */
static void __noreturn reflect_iret_fault(struct cpu_regs *regs)
{
    struct cpu_regs *guest = (struct cpu_regs *)(X86_STACK_TOP - sizeof(*guest));
    struct cpu_regs g = *regs;

    X86_BUG_ON((char *)&regs->esp != (char *)&guest->eip);
    memcpy(&g.eip, &regs->esp, 5 * sizeof(uint32_t));     /* eip cs eflags esp ss */
    *guest = g;
    core_trap(guest, 0);
    x86_resume(guest);
}

static void __noreturn ring0_panic(const struct cpu_regs *regs, uint32_t cr2)
{
    unsigned int vec = regs->entry_vector;
    const uint32_t *fp = (const uint32_t *)regs->ebp;
    size_t n = 0, size = sizeof(x86_epitaph);
    char *e = x86_epitaph;
    unsigned int depth;

    asm volatile ( "cli" );
    n += x86_snprintf(e + n, size - n,
                      "(pvx) PANIC: ring-0 exception %u (%s) at eip %08x, error %04x, cr2 %08x%s\n",
                      vec, vec < X86_NR_EXCEPTIONS && exc_names[vec] ? exc_names[vec] : "?",
                      regs->eip, regs->error_code, cr2,
                      (char *)regs->eip == x86_iret ? " (iret to a guest frame)" : "");
    n += x86_snprintf(e + n, MAX(size, n) - n,
                      "(pvx) eax %08x ebx %08x ecx %08x edx %08x\n"
                      "(pvx) esi %08x edi %08x ebp %08x esp %08x\n"
                      "(pvx) cs %04x ds %04x es %04x fs %04x gs %04x eflags %08x\n"
                      "(pvx) cr0 %08x cr3 %08x cr4 %08x\n",
                      regs->eax, regs->ebx, regs->ecx, regs->edx,
                      regs->esi, regs->edi, regs->ebp, (uint32_t)&regs->esp,
                      regs->cs, regs->ds, regs->es, regs->fs, regs->gs, regs->eflags,
                      read_cr0(), read_cr3(), read_cr4());
    /* -fno-omit-frame-pointer: follow saved ebp while it stays on our stack. */
    n += x86_snprintf(e + n, MAX(size, n) - n, "(pvx) call trace:");
    for ( depth = 0; depth < 12; depth++ )
    {
        if ( (char *)fp < x86_stack || (char *)(fp + 2) > X86_STACK_TOP ||
             ((uint32_t)fp & 3) )
            break;
        n += x86_snprintf(e + n, MAX(size, n) - n, " %08x", fp[1]);
        fp = (const uint32_t *)fp[0];
    }
    n += x86_snprintf(e + n, MAX(size, n) - n, "\n");
    arch_console_write(e, MIN(n, size - 1));
    arch_shutdown(PVX_EXIT_PANIC);
}

void x86_stack_canary_init(void)
{
    *(volatile uint32_t *)x86_stack = X86_STACK_CANARY;
}

void x86_stack_overflow(void)
{
    x86_panic("hypervisor stack overflow (more than %u KiB used)\n", X86_STACK_SIZE >> 10);
}

/* A device's legacy IRQ line (the disk's and the NIC's are unmasked; on a
 * PCI machine they may share one): every device on it acknowledged, the
 * PIC's end of interrupt sent once, then the core hears of each. The disk's
 * handler sends the EOI itself when the line is its. */
static void x86_irq(struct cpu_regs *regs, unsigned int line)
{
    bool nic = e1000_irq(line);

    if ( !x86_disk_irq(VECTOR_IRQ_BASE + line, regs) )
        x86_pic_eoi(line);
    if ( !nic )
        return;
    x86_wake_events++;
    core_nic_interrupt((regs->cs & 3) ? regs : NULL);
}

/* The running vCPU's breakpoints as loaded (arch_load_debugregs). */
static uint32_t dr_loaded[4], dr7_loaded;

void x86_trap_dispatch(struct cpu_regs *regs)
{
    unsigned int vec = regs->entry_vector;
    bool from_guest = regs->cs & 3;
    uint32_t cr2 = vec == X86_EXC_PF ? read_cr2() : 0;

    /* The CPU's pushes of cs (and ss) are 32-bit slots; keep the upper halves clean. */
    regs->cs &= 0xffff;
    if ( from_guest )
    {
        regs->ss &= 0xffff;
        x86_dbshadow_release(regs);
    }

    if ( vec == VECTOR_TIMER )
        x86_timer_irq(regs);
    else if ( vec == VECTOR_SPURIOUS_MASTER || vec == VECTOR_SPURIOUS_SLAVE )
        x86_pic_spurious(vec);
    else if ( vec > VECTOR_TIMER && vec < VECTOR_IRQ_BASE + 16 )
        x86_irq(regs, vec - VECTOR_IRQ_BASE);
    else if ( !from_guest )
    {
        /* Breakpoints are the guest's (arch_load_debugregs): one the
         * hypervisor itself hit is ignored, as Xen ignores them inside. */
        if ( vec == X86_EXC_DB )
        {
            x86_dbshadow_ring0_db(regs);
            write_dr6(X86_DR6_DEFAULT);
            return;
        }
        if ( vec < X86_NR_EXCEPTIONS && fixup_segment(regs) )
            return;
        if ( vec < X86_NR_EXCEPTIONS && (char *)regs->eip == x86_iret )
            reflect_iret_fault(regs);
        ring0_panic(regs, cr2);
    }
    else if ( vec == X86_EXC_DB && x86_dbshadow_hold(regs, read_dr6(), dr7_loaded) )
        return;
    else if ( vec < X86_NR_EXCEPTIONS )
        core_trap(regs, cr2);
    else
        x86_panic("vector %#x from a guest: no such gate\n", vec);

    if ( unlikely(*(volatile uint32_t *)x86_stack != X86_STACK_CANARY) )
        x86_stack_overflow();
}

/* This machine's entries always save whole frames (core_hypercall), so the
 * core never has a field to ask for. */
void arch_regs_fill(struct cpu_regs *regs, uint32_t fields)
{
    x86_panic("arch_regs_fill(%p, %#x): x86 frames are never partial\n", regs, fields);
}

/* ------------------------------------------------------------------------
 * Debug registers: the running vCPU's breakpoints. A write to DR7 is
 * serializing; a switch between vCPUs with the same (usually none) writes
 * nothing.
 */
void arch_load_debugregs(const uint32_t addr[4], uint32_t dr7)
{
    if ( dr7 == 0 && dr7_loaded == 0 )
        return;
    if ( dr7 == dr7_loaded && !memcmp(addr, dr_loaded, sizeof(dr_loaded)) )
        return;
    write_dr7(0);                       /* nothing armed while the addresses change */
    write_dr0(addr[0]);
    write_dr1(addr[1]);
    write_dr2(addr[2]);
    write_dr3(addr[3]);
    memcpy(dr_loaded, addr, sizeof(dr_loaded));
    write_dr7(dr7);
    dr7_loaded = dr7;
}

uint32_t arch_take_dr6(void)
{
    uint32_t dr6 = read_dr6();

    write_dr6(X86_DR6_DEFAULT);         /* the CPU never clears the hit bits itself */
    return dr6;
}
