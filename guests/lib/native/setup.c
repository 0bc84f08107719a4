/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * setup.c - from the Multiboot entry to the result line: the serial
 * console, the command line, the machine set up (cpu.c), test_main, and
 * the exit through QEMU's isa-debug-exit (native.h).
 */
#include "args.h"
#include "native.h"

#define MB_LOADER_MAGIC     0x2badb002
#define MB_INFO_MEM         (1u << 0)
#define MB_INFO_CMDLINE     (1u << 2)

#define COM1                0x3f8
#define UART_LSR            5
#define UART_LSR_THRE       0x20
#define UART_SPIN           100000      /* never wait forever for a missing UART */
#define ISA_DEBUG_EXIT_PORT 0xf4
#define BOCHS_E9_PORT       0xe9
#define BOCHS_SHUTDOWN_PORT 0x8900

#define CMDLINE_MAX         1024

struct multiboot_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
};

void native_cpu_init(uint32_t mem_end);

static char cmdline[CMDLINE_MAX];

enum test_status { TEST_RUNNING, TEST_SUCCESS, TEST_SKIP, TEST_ERROR, TEST_FAILURE };
static enum test_status status = TEST_RUNNING;
static const char *const status_names[] = {
    [TEST_RUNNING] = "RUNNING", [TEST_SUCCESS] = "SUCCESS", [TEST_SKIP] = "SKIP",
    [TEST_ERROR] = "ERROR", [TEST_FAILURE] = "FAILURE",
};

static void serial_init(void)
{
    outb(COM1 + 1, 0x00);       /* polled */
    outb(COM1 + 3, 0x80);       /* DLAB */
    outb(COM1 + 0, 1);          /* 115200 baud */
    outb(COM1 + 1, 0);
    outb(COM1 + 3, 0x03);       /* 8N1 */
    outb(COM1 + 2, 0xc7);       /* FIFOs */
    outb(COM1 + 4, 0x03);
}

static void serial_putc(char c)
{
    unsigned int spin = UART_SPIN;

    while ( !(inb(COM1 + UART_LSR) & UART_LSR_THRE) && --spin )
        ;
    outb(COM1, (uint8_t)c);
}

void console_write(const char *buf, size_t len)
{
    for ( size_t i = 0; i < len; i++ )
    {
        if ( buf[i] == '\n' )
            serial_putc('\r');      /* the transcript has CRLF ends, as pvx's */
        serial_putc(buf[i]);
    }
}

static void vprintk(const char *fmt, va_list ap)
{
    char buf[512];
    int len = vsnprintk(buf, sizeof(buf), fmt, ap);

    if ( len < 0 )
        return;
    if ( (size_t)len >= sizeof(buf) )
        len = sizeof(buf) - 1;
    console_write(buf, len);
}

void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}

/* QEMU leaves at the isa-debug-exit write. Bochs has none: as pvx does
 * (arch-x86/setup.c), the status goes as a line on its port 0xe9 console for
 * scripts/pvx-bochs, and "Shutdown" on port 0x8900 ends it. */
void native_exit(unsigned int status_code)
{
    static const char word[] = "Shutdown";
    char line[] = "pvx-exit-status: 0\n";

    outl(ISA_DEBUG_EXIT_PORT, status_code ? 1 : 0);
    line[sizeof(line) - 3] = status_code ? '1' : '0';
    for ( size_t i = 0; i < sizeof(line) - 1; i++ )
        outb(BOCHS_E9_PORT, (uint8_t)line[i]);
    for ( size_t i = 0; i < sizeof(word) - 1; i++ )
        outb(BOCHS_SHUTDOWN_PORT, (uint8_t)word[i]);
    for ( ;; )
        asm volatile ( "cli; hlt" );    /* real hardware: stop here */
}

void panic(const char *fmt, ...)
{
    va_list ap;

    printk("******************************\nPANIC: ");
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
    printk("\n******************************\n");
    native_exit(1);
}

static void set_status(enum test_status s)
{
    if ( s > status )
        status = s;
}

static void report(enum test_status s, const char *fmt, va_list ap)
{
    char buf[512];
    int len;

    set_status(s);
    len = vsnprintk(buf, sizeof(buf), fmt, ap);
    if ( len > 0 )
        printk("%s: %s", status_names[s], buf);
}

void test_pass(void)
{
    set_status(TEST_SUCCESS);
}

#define REPORTER(name, s)                   \
void name(const char *fmt, ...)             \
{                                           \
    va_list ap;                             \
                                            \
    va_start(ap, fmt);                      \
    report(s, fmt, ap);                     \
    va_end(ap);                             \
}
REPORTER(test_fail, TEST_FAILURE)
REPORTER(test_skip, TEST_SKIP)
REPORTER(test_error, TEST_ERROR)

bool guest_has_arg(const char *a)
{
    return args_find(cmdline, a) != NULL;
}

uint32_t guest_arg_u32(const char *key, uint32_t def)
{
    return args_u32(cmdline, key, def);
}

/* What the default stubs (head.S) saw: an exception no gate was set for. */
struct native_frame {
    uint32_t edi, esi, ebp, _esp, ebx, edx, ecx, eax;
    uint32_t vector, error, eip, cs, eflags;
};

void __noreturn native_fatal(struct native_frame *f);
void native_fatal(struct native_frame *f)
{
    printk("Unhandled exception: vector %u, error %#x at %04x:%08x\n", f->vector, f->error,
           f->cs & 0xffff, f->eip);
    printk("Test result: FAILURE\n");
    native_exit(1);
}

void __noreturn native_start(uint32_t magic, const struct multiboot_info *mbi);
void native_start(uint32_t magic, const struct multiboot_info *mbi)
{
    uint32_t mem_end = 16u << 20;

    serial_init();
    if ( magic != MB_LOADER_MAGIC )
        panic("not started by a Multiboot loader (magic %#x)", magic);
    if ( mbi->flags & MB_INFO_CMDLINE )
    {
        const char *c = (const char *)(unsigned long)mbi->cmdline;

        for ( size_t i = 0; i < sizeof(cmdline) - 1 && c[i]; i++ )
            cmdline[i] = c[i];
    }
    if ( mbi->flags & MB_INFO_MEM )
        mem_end = (1u << 20) + mbi->mem_upper * 1024u;
    native_cpu_init(mem_end);

    printk("--- pvx test: %s ---\n", test_title);
    test_main();
    if ( status == TEST_RUNNING )
    {
        printk("test_main returned without reporting a result\n");
        status = TEST_ERROR;
    }
    printk("Test result: %s\n", status_names[status]);
    native_exit(0);                 /* as a PV guest: the result line says how it went */
}
