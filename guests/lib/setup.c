/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * setup.c - from _start to the result line: keep the start-of-day state,
 * run the guest's test_main and report its result the way XTF does.
 */
#include "args.h"
#include "guest.h"

struct start_info *start_info;
unsigned long boot_esp;

static enum test_status status = TEST_RUNNING;

static const char *const status_names[] = {
    [TEST_RUNNING] = "RUNNING",
    [TEST_SUCCESS] = "SUCCESS",
    [TEST_SKIP]    = "SKIP",
    [TEST_ERROR]   = "ERROR",
    [TEST_FAILURE] = "FAILURE",
};

/* The worst result reported wins: one failure cannot be hidden by a pass. */
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
    if ( !fmt )
        return;
    len = vsnprintk(buf, sizeof(buf), fmt, ap);
    if ( len > 0 )
        printk("%s: %s", status_names[s], buf);
}

void test_pass(void)
{
    set_status(TEST_SUCCESS);
}

void test_fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report(TEST_FAILURE, fmt, ap);
    va_end(ap);
}

void test_skip(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report(TEST_SKIP, fmt, ap);
    va_end(ap);
}

void test_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report(TEST_ERROR, fmt, ap);
    va_end(ap);
}

void guest_shutdown(unsigned int reason)
{
    for ( ;; )
    {
        hypercall_shutdown(reason);
        /* Still here: the hypervisor refused. Try the harshest exit. */
        reason = SHUTDOWN_crash;
    }
}

void __noreturn guest_start(struct start_info *si);
void guest_start(struct start_info *si)
{
    /* head.S stored it already; take the argument for clarity. */
    start_info = si;
    console_init();

    printk("--- pvx test: %s ---\n", test_title);
    test_main();

    if ( status == TEST_RUNNING )
    {
        printk("test_main returned without reporting a result\n");
        status = TEST_ERROR;
    }
    printk("Test result: %s\n", status_names[status]);
    guest_shutdown(SHUTDOWN_poweroff);
}

bool guest_has_arg(const char *a)
{
    return args_find(start_info->cmd_line, a) != NULL;
}

uint32_t guest_arg_u32(const char *key, uint32_t def)
{
    return args_u32(start_info->cmd_line, key, def);
}
