/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * time.c - the clock and the one-shot timer. The clock is the TSC, calibrated
 * once against PIT channel 2; the timer is PIT channel 0 in mode 0 (interrupt
 * on terminal count) on IRQ0, through the 8259 PIC remapped to 0x20.
 */
#include "x86.h"

#define PIC1_CMD        0x20
#define PIC1_DATA       0x21
#define PIC2_CMD        0xa0
#define PIC2_DATA       0xa1
#define PIC_EOI         0x20
#define PIC_READ_ISR    0x0b

#define PIT_CH0         0x40
#define PIT_CH2         0x42
#define PIT_CMD         0x43
#define PIT_PORT_B      0x61            /* bit 0: ch2 gate, bit 1: speaker, bit 5: ch2 output */
#define PIT_HZ          1193182u
#define PIT_MAX_COUNT   65535u
/* The longest interval one count covers (~54.9 ms); later deadlines re-arm. */
#define PIT_MAX_NS      ((uint32_t)(PIT_MAX_COUNT * 1000000000ull / PIT_HZ))
/* PIT ticks per ns in 32.32 fixed point, rounded up. */
#define PIT_TICKS_PER_NS_32 ((uint32_t)(((uint64_t)PIT_HZ << 32) / 1000000000u + 1))

#define CAL_COUNT       11932u          /* 10 ms of PIT ticks */

static uint64_t tsc_at_boot;
static uint64_t tsc_hz;                 /* calibrated TSC rate */
static uint64_t ns_per_tsc_32;          /* ns per TSC tick, 32.32 fixed point */
static uint64_t timer_deadline;         /* 0: no timer armed */

static inline void io_delay(void)
{
    outb(0x80, 0);                      /* old PICs want time between writes */
}

/* (a * b) >> 32 without a 128-bit type; the result fits in 64 bits here. */
static uint64_t mul_shr32(uint64_t a, uint64_t b)
{
    uint32_t al = (uint32_t)a, ah = (uint32_t)(a >> 32);
    uint32_t bl = (uint32_t)b, bh = (uint32_t)(b >> 32);

    return ((uint64_t)ah * bh << 32) + (uint64_t)ah * bl + (uint64_t)al * bh +
           (((uint64_t)al * bl) >> 32);
}

static void pic_init(void)
{
    outb(PIC1_CMD, 0x11);  io_delay();  /* ICW1: edge, cascade, ICW4 follows */
    outb(PIC2_CMD, 0x11);  io_delay();
    outb(PIC1_DATA, VECTOR_IRQ_BASE);  io_delay();      /* ICW2: vector bases */
    outb(PIC2_DATA, VECTOR_IRQ_BASE + 8);  io_delay();
    outb(PIC1_DATA, 0x04); io_delay();  /* ICW3: slave on IRQ2 */
    outb(PIC2_DATA, 0x02); io_delay();
    outb(PIC1_DATA, 0x01); io_delay();  /* ICW4: 8086 mode */
    outb(PIC2_DATA, 0x01); io_delay();
    outb(PIC1_DATA, 0xfe);              /* only IRQ0 */
    outb(PIC2_DATA, 0xff);
}

/* Spurious IRQ7/15: no ISR bit set. Only a real IRQ gets an EOI (and 15's cascade one). */
void x86_pic_spurious(unsigned int vector)
{
    bool slave = vector == VECTOR_SPURIOUS_SLAVE;

    outb(slave ? PIC2_CMD : PIC1_CMD, PIC_READ_ISR);
    if ( inb(slave ? PIC2_CMD : PIC1_CMD) & 0x80 )
    {
        if ( slave )
            outb(PIC2_CMD, PIC_EOI);
        outb(PIC1_CMD, PIC_EOI);
    }
    else if ( slave )
        outb(PIC1_CMD, PIC_EOI);        /* the master saw a real IRQ2 */
}

static void tsc_calibrate(void)
{
    uint8_t b = inb(PIT_PORT_B);
    uint64_t t0, t1, hz;
    unsigned int spin = 0;

    outb(PIT_PORT_B, (b & ~0x02) | 0x01);   /* gate on, speaker off */
    outb(PIT_CMD, 0xb0);                    /* ch2, lo/hi byte, mode 0 */
    outb(PIT_CH2, CAL_COUNT & 0xff);
    outb(PIT_CH2, CAL_COUNT >> 8);
    t0 = rdtsc();
    while ( !(inb(PIT_PORT_B) & 0x20) && ++spin < 100000000u )
        ;
    t1 = rdtsc();
    outb(PIT_PORT_B, b & ~0x03);

    hz = (t1 - t0) * PIT_HZ / CAL_COUNT;
    if ( hz < 1000000 )                 /* no PIT output seen: the numbers are garbage */
        x86_panic("TSC calibration failed (%llu TSC ticks in 10 ms)\n", t1 - t0);
    tsc_hz = hz;
    ns_per_tsc_32 = (1000000000ull << 32) / hz;
}

void x86_time_init(void)
{
    pic_init();
    outb(PIT_CMD, 0x30);                /* ch0 mode 0, no count: stopped, output low */
    tsc_calibrate();
    tsc_at_boot = rdtsc();
}

uint64_t arch_now_ns(void)
{
    return mul_shr32(rdtsc() - tsc_at_boot, ns_per_tsc_32);
}

/* One rdtsc for both: the guest extrapolates from exactly this pair. */
void arch_tsc_sample(uint64_t *tsc, uint64_t *now_ns)
{
    uint64_t t = rdtsc();

    *tsc = t;
    *now_ns = mul_shr32(t - tsc_at_boot, ns_per_tsc_32);
}

uint64_t arch_tsc_hz(void)
{
    return tsc_hz;
}

/* Program channel 0 for the deadline, or for its maximum if that is further. */
static void pit_arm(uint64_t deadline)
{
    uint64_t now = arch_now_ns();
    uint32_t ns = deadline > now ? (uint32_t)MIN(deadline - now, (uint64_t)PIT_MAX_NS) : 0;
    uint32_t count = (uint32_t)(((uint64_t)ns * PIT_TICKS_PER_NS_32) >> 32) + 1;

    if ( count > PIT_MAX_COUNT )
        count = PIT_MAX_COUNT;
    outb(PIT_CMD, 0x30);
    outb(PIT_CH0, count & 0xff);
    outb(PIT_CH0, count >> 8);
}

void arch_set_timer(uint64_t deadline_ns)
{
    timer_deadline = deadline_ns;
    if ( deadline_ns )
        pit_arm(deadline_ns);
    else
        outb(PIT_CMD, 0x30);            /* a control word alone stops the count */
}

volatile unsigned int x86_wake_events;

void x86_pic_unmask(unsigned int irq)
{
    if ( irq >= 8 )
    {
        outb(PIC2_DATA, inb(PIC2_DATA) & (uint8_t)~(1u << (irq - 8)));
        irq = 2;                        /* the cascade */
    }
    outb(PIC1_DATA, inb(PIC1_DATA) & (uint8_t)~(1u << irq));
}

void x86_pic_eoi(unsigned int irq)
{
    if ( irq >= 8 )
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}

/* IRQ0. regs is a ring-0 frame when we were idle: the core then gets NULL. */
void x86_timer_irq(struct cpu_regs *regs)
{
    outb(PIC1_CMD, PIC_EOI);
    if ( !timer_deadline )
        return;                         /* cancelled after it was raised */
    if ( arch_now_ns() < timer_deadline )
    {
        pit_arm(timer_deadline);        /* beyond one PIT period, or early by rounding */
        return;
    }
    timer_deadline = 0;
    x86_wake_events++;
    core_timer_interrupt((regs->cs & 3) ? regs : NULL);
}

void arch_idle(void)
{
    unsigned int seen = x86_wake_events;

    /* Until the timer, a disk or the NIC wakes us. With neither armed nor present,
     * every domain waits forever, and so does the machine (halted with
     * interrupts on, as Xen's idle loop; a runner's time limit ends it,
     * exit 3 - the same as the simulator). sti's one-instruction shadow
     * makes sti;hlt atomic: no lost wake-up. */
    while ( x86_wake_events == seen )
        asm volatile ( "sti; hlt; cli" ::: "memory" );
}
