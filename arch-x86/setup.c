/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * setup.c - from the high jump in boot.S to the first guest (descriptor
 * tables, dropping the identity map, clock, Multiboot, core_start()), and
 * the end of the machine (arch_shutdown): arch.h's boot section.
 */
#include "x86.h"

_Static_assert(PVX_ARCH_VERSION == 12, "arch-x86 implements arch.h version 12");

static struct boot_info boot_info;

/*
 * Bochs has no isa-debug-exit: its port 0xe9 console takes the status as a
 * line scripts/pvx-bochs reads, and the word "Shutdown" written to its port
 * 0x8900 ends the emulator. Both ports are unused on a PC.
 */
static void bochs_exit(int status)
{
    static const char word[] = "Shutdown";
    char line[] = BOCHS_EXIT_LINE "0\n";

    line[sizeof(line) - 3] = (char)('0' + (status & 7));
    for ( unsigned int i = 0; i < sizeof(line) - 1; i++ )
        outb(BOCHS_E9_PORT, (uint8_t)line[i]);
    for ( unsigned int i = 0; i < sizeof(word) - 1; i++ )
        outb(BOCHS_SHUTDOWN_PORT, (uint8_t)word[i]);
}

void arch_shutdown(int status)
{
    asm volatile ( "cli" );
    if ( x86_mapcache_peak() )
        x86_printk("(pvx) mapcache: %u pages mapped at most, %u at the end\n",
                   x86_mapcache_peak(), x86_mapcache_live());
    x86_console_flush();
    outb(ISA_DEBUG_EXIT_PORT, (uint8_t)status);     /* QEMU exits with (status << 1) | 1 */
    bochs_exit(status);
    for ( ;; )                                      /* real hardware: a clean halt */
        asm volatile ( "cli; hlt" );
}

void x86_start(uint32_t mbi_pa)
{
    struct cpu_regs *regs, *frame;

    x86_console_init();
    x86_stack_canary_init();
    x86_desc_init();
    x86_mem_init();
    x86_fpu_init();
    x86_dbshadow_probe();

    /* Nothing runs from low addresses any more. */
    boot_l3[0] = 0;
    write_cr3(__pa(boot_l3));

    x86_time_init();
    x86_disk_init();
    (void)e1000_probe();                /* before any guest: its MMIO slot is in every L2 */
    x86_multiboot_parse(mbi_pa, &boot_info);
    x86_bench_trap_init(boot_info.cmdline);

    regs = core_start(&boot_info);
    X86_BUG_ON(!regs || !(regs->cs & 3));

    /* Guests are always entered from an empty stack, where their next trap lands too. */
    frame = (struct cpu_regs *)(X86_STACK_TOP - sizeof(*frame));
    *frame = *regs;
    x86_resume(frame);
}
