/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86.h - arch-x86 private definitions: the memory map of the image, port I/O,
 * and the pieces the boot files share. Nothing here is visible to core/.
 */
#ifndef PVX_X86_H
#define PVX_X86_H

/*
 * The direct map: machine memory [0, DIRECTMAP_SIZE) at DIRECTMAP_VIRT, in
 * 2 MiB pages in L2 slots 448..511 under L3 slot 3. The image is linked there
 * too (virtual = DIRECTMAP_VIRT + physical), so it needs no map of its own.
 */
#define DIRECTMAP_VIRT      0xF8000000
#define DIRECTMAP_SIZE      0x08000000          /* 128 MiB: up to 4 GiB virtual */
#define DIRECTMAP_FIRST_SLOT 448
#define X86_LOAD_ADDR       0x00100000          /* the image is loaded at 1 MiB */

/*
 * The arch's other L2 slots (under L3 slot 3, in every address space):
 * 436 the GDT and LDT area (desc.c), 437 the AHCI registers (ahci.c), 438
 * the e1000's (e1000.c), 439..447 the mapcache: frames beyond the direct
 * map, mapped while the core uses them (mem.c).
 */
#define GDT_L2_SLOT         436
#define AHCI_L2_SLOT        437
#define E1000_L2_SLOT       438
#define MAPCACHE_FIRST_SLOT 439
#define MAPCACHE_SLOTS      (DIRECTMAP_FIRST_SLOT - MAPCACHE_FIRST_SLOT)
#define L2_SLOT_VIRT(slot)  (0xC0000000u + ((uint32_t)(slot) << 21))
/* What pvx manages at most: the frame table (32 bytes a frame) and the M2P
 * must fit in the direct map, and DMA (IDE's PRDs) takes 32-bit addresses. */
#define X86_MAX_RAM         0x80000000ull       /* 2 GiB */

#define X86_STACK_SIZE      (32 * 1024)
/* The word below the stack: no guard page in a 2 MiB mapping, so check a canary. */
#define X86_STACK_CANARY    0x5afe57ac

#define MULTIBOOT_HEADER_MAGIC  0x1BADB002
#define MULTIBOOT_LOADER_MAGIC  0x2BADB002
/* Page-align modules, give us a memory map; no a.out kludge (we are ELF). */
#define MULTIBOOT_HEADER_FLAGS  0x00000003

#define X86_CR0_MP          0x00000002
#define X86_CR0_EM          0x00000004
#define X86_CR0_TS          0x00000008
#define X86_CR0_NE          0x00000020
#define X86_CR0_WP          0x00010000
#define X86_CR0_PG          0x80000000
#define X86_CR4_PSE         0x00000010
#define X86_CR4_PAE         0x00000020
#define X86_CR4_PGE         0x00000080
#define X86_CR4_OSFXSR      0x00000200
#define X86_CR4_OSXMMEXCPT  0x00000400

#define X86_CPUID1_EDX_PSE  (1 << 3)
#define X86_CPUID1_EDX_TSC  (1 << 4)
#define X86_CPUID1_EDX_PAE  (1 << 6)
#define X86_CPUID1_EDX_FXSR (1 << 24)
#define X86_CPUID1_EDX_SSE  (1 << 25)

#define ISA_DEBUG_EXIT_PORT 0xf4
#define BOCHS_E9_PORT       0xe9                /* Bochs' port_e9_hack console */
#define BOCHS_SHUTDOWN_PORT 0x8900              /* Bochs ends on "Shutdown" written here */
#define BOCHS_EXIT_LINE     "pvx-exit-status: "

/* Offsets in struct cpu_regs for entry.S (checked in traps.c). */
#define FRAME_GS            32
#define FRAME_FS            36
#define FRAME_ES            40
#define FRAME_DS            44
#define FRAME_CS            60
#define FRAME_SS            72

#define VECTOR_HYPERCALL    0x82
#define VECTOR_IRQ_BASE     0x20                /* PIC remapped here: IRQ0 = 0x20 */
#define VECTOR_TIMER        (VECTOR_IRQ_BASE + 0)
#define VECTOR_SPURIOUS_MASTER (VECTOR_IRQ_BASE + 7)
#define VECTOR_SPURIOUS_SLAVE  (VECTOR_IRQ_BASE + 15)
#define IRQ_ATA_PRIMARY     14                  /* the legacy IDE channel's */
#define VECTOR_ATA          (VECTOR_IRQ_BASE + IRQ_ATA_PRIMARY)

#ifndef __ASSEMBLY__

#include <lib/format.h>
#include <lib/portio.h>
#include <lib/string.h>
#include <pvx/arch.h>

#define __va(pa)    ((void *)((uint32_t)(pa) + DIRECTMAP_VIRT))
#define __pa(va)    ((uint32_t)(va) - DIRECTMAP_VIRT)

static inline uint64_t rdtsc(void)
{
    uint64_t t;

    asm volatile ( "rdtsc" : "=A" (t) );
    return t;
}

static inline uint32_t read_cr0(void) { uint32_t v; asm volatile ( "mov %%cr0, %0" : "=r" (v) ); return v; }
static inline uint32_t read_cr2(void) { uint32_t v; asm volatile ( "mov %%cr2, %0" : "=r" (v) ); return v; }
static inline uint32_t read_cr3(void) { uint32_t v; asm volatile ( "mov %%cr3, %0" : "=r" (v) ); return v; }
static inline uint32_t read_cr4(void) { uint32_t v; asm volatile ( "mov %%cr4, %0" : "=r" (v) ); return v; }

#define X86_DR6_DEFAULT 0xffff0ff0u
static inline uint32_t read_dr6(void) { uint32_t v; asm volatile ( "mov %%dr6, %0" : "=r" (v) ); return v; }
static inline void write_dr0(uint32_t v) { asm volatile ( "mov %0, %%dr0" :: "r" (v) ); }
static inline void write_dr1(uint32_t v) { asm volatile ( "mov %0, %%dr1" :: "r" (v) ); }
static inline void write_dr2(uint32_t v) { asm volatile ( "mov %0, %%dr2" :: "r" (v) ); }
static inline void write_dr3(uint32_t v) { asm volatile ( "mov %0, %%dr3" :: "r" (v) ); }
static inline void write_dr6(uint32_t v) { asm volatile ( "mov %0, %%dr6" :: "r" (v) ); }
static inline void write_dr7(uint32_t v) { asm volatile ( "mov %0, %%dr7" :: "r" (v) ); }

static inline void write_cr3(uint32_t v)
{
    asm volatile ( "mov %0, %%cr3" :: "r" (v) : "memory" );
}

static inline void write_cr0(uint32_t v)
{
    asm volatile ( "mov %0, %%cr0" :: "r" (v) : "memory" );
}

static inline void write_cr4(uint32_t v)
{
    asm volatile ( "mov %0, %%cr4" :: "r" (v) : "memory" );
}

/* Linker-script symbols (virtual addresses). */
extern char __image_start[], __image_end[], __bss_start[], __bss_end[];

/* boot.S */
extern uint64_t boot_l3[4];
extern uint64_t boot_l2_low[512];
extern uint64_t boot_l2_high[512];
extern char x86_stack[X86_STACK_SIZE];     /* the one hypervisor stack (TSS esp0 = its top) */
#define X86_STACK_TOP (x86_stack + X86_STACK_SIZE)
extern uint32_t x86_boot_cpuid_edx;
void x86_resume(struct cpu_regs *frame) __noreturn;   /* load *frame, iret */
/* entry.S: each segment register load of the exit path and its frame slot. */
struct x86_seg_fixup {
    char *eip;
    uint32_t offset;
};
extern const struct x86_seg_fixup x86_seg_fixups[], x86_seg_fixups_end[];

/* entry.S: the gates we install, as (vector, entry) pairs. */
struct x86_stub {
    uint32_t vector;
    void (*entry)(void);
};
extern const struct x86_stub x86_stubs[], x86_stubs_end[];
extern char x86_restore[], x86_iret[];

/* setup.c */
void x86_start(uint32_t mbi_pa) __noreturn;

/* desc.c */
void x86_mem_init(void);                    /* mem.c: the mapcache's L1s in place */
unsigned int x86_mapcache_live(void);
unsigned int x86_mapcache_peak(void);
void x86_desc_init(void);                   /* GDT, IDT, TSS: loaded */
void x86_bench_trap_init(const char *cmdline);
/* The descriptor tables changed since the segment registers were loaded: the
 * exit path reloads all four from the frame, not just those that differ. */
extern uint8_t x86_segs_stale;
void x86_desc_frames_written(mfn_t mfn, unsigned int nr);

/* printk.c */
extern char x86_epitaph[1024];
void x86_panic(const char *fmt, ...) __printf(1, 2) __noreturn;
void x86_printk(const char *fmt, ...) __printf(1, 2);
size_t x86_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* time.c */
void x86_time_init(void);
void x86_timer_irq(struct cpu_regs *regs);
/* Interrupts that can end arch_idle's wait (the timer's, a disk's, the NIC's). */
extern volatile unsigned int x86_wake_events;
/* Let the PIC deliver irq (0-15); send the end of interrupt for it. */
void x86_pic_unmask(unsigned int irq);
void x86_pic_eoi(unsigned int irq);

/* pci.c: configuration space of bus 0. */
uint32_t x86_pci_read(unsigned int dev, unsigned int fn, unsigned int off);
void x86_pci_write(unsigned int dev, unsigned int fn, unsigned int off, uint32_t v);
bool x86_pci_find(uint8_t class, uint8_t subclass, unsigned int *dev, unsigned int *fn);

/* disk.c and its drivers (ata.c: IDE bus-master DMA). A driver's probe
 * returns the sectors of its first disk (0: none). */
uint64_t x86_ata_probe(void);
int x86_ata_start(const struct arch_disk_op *op);
void x86_ata_cancel(void);
void x86_ata_irq(struct cpu_regs *regs);
/* ahci.c: the SATA disks of an AHCI controller (how many; *irq its PIC line). */
unsigned int x86_ahci_probe(unsigned int *irq);
uint64_t x86_ahci_sectors(unsigned int disk);
int x86_ahci_start(unsigned int disk, const struct arch_disk_op *op);
void x86_ahci_cancel(unsigned int disk);
void x86_ahci_irq(struct cpu_regs *regs);
/* The disk's interrupt arrived on vector vec (traps.c): true if it was its. */
bool x86_disk_irq(unsigned int vec, struct cpu_regs *regs);
void x86_disk_init(void);

/* e1000.c: the 82540EM, if the machine has one (nic.c's arch.h calls). */
bool e1000_probe(void);
bool e1000_mac(uint8_t mac[6]);
void e1000_transmit(const struct nic_seg *seg, unsigned int nr, uint32_t cookie);
void e1000_post_rx(mfn_t mfn, uint32_t cookie);
bool e1000_poll(struct nic_event *ev);
bool e1000_irq(unsigned int line);          /* true: its interrupt, acknowledged */

/* fpu.c */
void x86_fpu_init(void);

/* console.c */
void x86_console_init(void);
void x86_console_flush(void);

/* multiboot.c */
void x86_multiboot_parse(uint32_t mbi_pa, struct boot_info *bi);

/* traps.c */
void x86_trap_dispatch(struct cpu_regs *regs);
/* dbshadow.c: the mov-ss shadow of #DB where the CPU lacks it (TCG) */
void x86_dbshadow_probe(void);
void x86_dbshadow_ring0_db(const struct cpu_regs *regs);
bool x86_dbshadow_hold(struct cpu_regs *regs, uint32_t dr6, uint32_t dr7);
void x86_dbshadow_release(struct cpu_regs *regs);
bool x86_fast_trap_set(void);           /* desc.c: the guest's int $0x80 gate is in the IDT */
void x86_stack_canary_init(void);
void x86_stack_overflow(void) __noreturn;

#define X86_BUG_ON(c) do { if ( unlikely(c) ) x86_panic("BUG at %s:%d: %s\n", __FILE__, __LINE__, #c); } while ( 0 )

#endif /* !__ASSEMBLY__ */

#endif /* PVX_X86_H */
