/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * console.c - COM1 (115200 8N1, polled) and the VGA text screen. Serial is the
 * console that tests read; VGA is there for a machine with a monitor.
 */
#include "x86.h"

#define COM1            0x3f8
#define UART_THR        0           /* transmit holding register */
#define UART_IER        1
#define UART_FCR        2
#define UART_LCR        3
#define UART_MCR        4
#define UART_LSR        5
#define UART_LSR_DR     0x01        /* a received byte is waiting */
#define UART_LSR_THRE   0x20
#define UART_LSR_TEMT   0x40
#define UART_SPIN       100000      /* a missing UART reads 0xff or hangs: never wait forever */

#define VGA_COLS        80
#define VGA_ROWS        25
#define VGA_ATTR        0x0700      /* light grey on black */
#define VGA_CRTC        0x3d4

static volatile uint16_t *vga;
static unsigned int vga_col, vga_row;

static void serial_init(void)
{
    outb(COM1 + UART_IER, 0x00);            /* polled: no interrupts */
    outb(COM1 + UART_LCR, 0x80);            /* DLAB on */
    outb(COM1 + 0, 1);                      /* divisor 1: 115200 baud */
    outb(COM1 + 1, 0);
    outb(COM1 + UART_LCR, 0x03);            /* 8N1, DLAB off */
    outb(COM1 + UART_FCR, 0xc7);            /* FIFOs on and cleared */
    outb(COM1 + UART_MCR, 0x03);            /* DTR, RTS */
}

static void serial_putc(char c)
{
    unsigned int spin = UART_SPIN;

    while ( !(inb(COM1 + UART_LSR) & UART_LSR_THRE) && --spin )
        ;
    outb(COM1 + UART_THR, (uint8_t)c);
}

static void vga_set_cursor(void)
{
    unsigned int pos = vga_row * VGA_COLS + vga_col;

    outb(VGA_CRTC, 0x0e);
    outb(VGA_CRTC + 1, (uint8_t)(pos >> 8));
    outb(VGA_CRTC, 0x0f);
    outb(VGA_CRTC + 1, (uint8_t)pos);
}

static void vga_scroll(void)
{
    unsigned int i;

    for ( i = 0; i < (VGA_ROWS - 1) * VGA_COLS; i++ )
        vga[i] = vga[i + VGA_COLS];
    for ( ; i < VGA_ROWS * VGA_COLS; i++ )
        vga[i] = VGA_ATTR | ' ';
    vga_row = VGA_ROWS - 1;
}

static void vga_putc(char c)
{
    switch ( c )
    {
    case '\n':
        vga_col = 0;
        vga_row++;
        break;
    case '\r':
        vga_col = 0;
        break;
    case '\t':
        vga_col = (vga_col + 8) & ~7u;
        break;
    case '\b':
        if ( vga_col )
            vga_col--;
        break;
    default:
        vga[vga_row * VGA_COLS + vga_col] = VGA_ATTR | (uint8_t)c;
        vga_col++;
        break;
    }
    if ( vga_col >= VGA_COLS )
    {
        vga_col = 0;
        vga_row++;
    }
    if ( vga_row >= VGA_ROWS )
        vga_scroll();
}

void x86_console_init(void)
{
    unsigned int i;

    serial_init();
    vga = __va(0xb8000);
    for ( i = 0; i < VGA_ROWS * VGA_COLS; i++ )
        vga[i] = VGA_ATTR | ' ';
    vga_col = vga_row = 0;
    vga_set_cursor();
}

size_t arch_console_read(char *buf, size_t len)
{
    size_t n = 0;
    uint8_t lsr;

    /* A missing UART reads 0xff: no input, not an endless stream of it. */
    while ( n < len && (lsr = inb(COM1 + UART_LSR)) != 0xff && (lsr & UART_LSR_DR) )
        buf[n++] = (char)inb(COM1 + UART_THR);   /* the receive buffer, read */
    return n;
}

void arch_console_write(const char *s, size_t len)
{
    size_t i;

    for ( i = 0; i < len; i++ )
    {
        if ( s[i] == '\n' )
            serial_putc('\r');
        serial_putc(s[i]);
        if ( vga )
            vga_putc(s[i]);
    }
    if ( vga )
        vga_set_cursor();
}

/* Let the last byte leave the UART before the machine stops. */
void x86_console_flush(void)
{
    unsigned int spin = UART_SPIN;

    while ( !(inb(COM1 + UART_LSR) & UART_LSR_TEMT) && --spin )
        ;
}
