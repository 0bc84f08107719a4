/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * io/console_io.c - console_io: a domain writes to the machine's console
 * (the log and labelling are console.c's); the initial domain may read.
 */
#include <pvx/console.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/fault.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>
#include <public/xen.h>

/* Bytes one console_io write handles before it continues itself. */
#define CONSOLE_WRITE_CHUNK   128
#define CONSOLE_WRITE_PER_CALL 4096

/* console_io(CONSOLEIO_write, count, buffer): print count bytes. */
static long console_write(struct vcpu *v, uint32_t count, gva_t buffer)
{
    char kbuf[CONSOLE_WRITE_CHUNK];
    uint32_t done = 0;

    if ( fault_hit(&fault_console) )
        return -EIO;
    /* What this call prints must all be readable before any of it is
     * printed: -EFAULT after half a line would be a refusal that did something. */
    if ( guest_probe(v, buffer, MIN(count, (uint32_t)CONSOLE_WRITE_PER_CALL), false) )
        return -EFAULT;
    while ( done < count )
    {
        uint32_t n = MIN(count - done, (uint32_t)sizeof(kbuf));

        /* Long writes continue in a fresh hypercall: the CPU is never held long. */
        if ( done >= CONSOLE_WRITE_PER_CALL )
            return hypercall_create_continuation(v, __HYPERVISOR_console_io, 3,
                                                 CONSOLEIO_write, count - done,
                                                 buffer + done);
        copy_from_guest_probed(v, kbuf, buffer + done, n);
        console_guest_write(v->domain, kbuf, n);
        done += n;
    }
    return 0;
}

/*
 * console_io(CONSOLEIO_read, count, buffer): the initial domain's input, as
 * on Xen: up to count bytes received (COM1, the simulator's standard input),
 * the number returned, 0 when there are none; VIRQ_CONSOLE says more came.
 * The buffer is checked before a byte is taken: a refusal loses no input.
 */
static long console_read(struct vcpu *v, uint32_t count, gva_t buffer)
{
    char kbuf[CONSOLE_WRITE_CHUNK];
    size_t n;

    if ( !v->domain->is_privileged )
        return -EPERM;
    count = MIN(count, (uint32_t)sizeof(kbuf));
    if ( count && guest_probe(v, buffer, count, true) )
        return -EFAULT;
    (void)console_poll_input();
    n = console_input_read(kbuf, count);
    copy_to_guest_probed(v, buffer, kbuf, n);
    return (long)n;
}

long do_console_io(struct vcpu *v, uint32_t cmd, uint32_t count, uint32_t buffer,
                   uint32_t a4 __unused, uint32_t a5 __unused)
{
    switch ( cmd )
    {
    case CONSOLEIO_write:
        return console_write(v, count, buffer);
    case CONSOLEIO_read:
        return console_read(v, count, buffer);
    default:
        return -EINVAL;
    }
}
