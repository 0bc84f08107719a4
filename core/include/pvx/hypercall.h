/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall.h - the hypercall table and the handlers' signatures.
 *
 * Handlers take the calling vCPU and up to five 32-bit arguments (ebx, ecx,
 * edx, esi, edi) and return a value for eax: >= 0 success, -errno failure.
 */
#ifndef PVX_HYPERCALL_H
#define PVX_HYPERCALL_H

#include <pvx/types.h>

struct vcpu;

#define NR_HYPERCALLS 64

typedef long (*hypercall_fn_t)(struct vcpu *v, uint32_t a1, uint32_t a2, uint32_t a3,
                               uint32_t a4, uint32_t a5);

struct hypercall_entry {
    hypercall_fn_t fn;
    const char *name;
    unsigned int nargs;     /* ebx, ecx, ... as the ABI defines it; the rest are passed as 0 */
};

/*
 * A test hook: when set, called just before (done false) and just after
 * (done true, with the result) every handler hypercall_invoke runs. The
 * fuzzer checks with it that a call that failed changed nothing the ABI does
 * not allow (docs/testing.md). Never set on the two machines.
 */
typedef void (*hypercall_watch_fn)(struct vcpu *v, uint32_t nr, const uint32_t a[5], bool done,
                                   long rc);
extern hypercall_watch_fn hypercall_watch;

/*
 * Run entry e (hypercall nr) for v with the arguments a[0..4]: the one place a
 * handler is called, for the arch's entries and for each call of a multicall.
 * Inline: a backtrace from a handler goes straight to the entry.
 */
static always_inline long hypercall_invoke(struct vcpu *v, uint32_t nr,
                                           const struct hypercall_entry *e, const uint32_t a[5])
{
    long rc;

    if ( hypercall_watch )
        hypercall_watch(v, nr, a, false, 0);
    rc = e->fn(v, a[0], a[1], a[2], a[3], a[4]);
    if ( hypercall_watch )
        hypercall_watch(v, nr, a, true, rc);
    return rc;
}

/* Entry n, or NULL when n is out of range or not implemented. */
const struct hypercall_entry *hypercall_lookup(uint32_t nr);
const char *hypercall_name(uint32_t nr);

/*
 * Make the vCPU re-execute the hypercall it is in, with new arguments, when it
 * next runs: a long operation stops at a safe point and resumes later, so it
 * never holds the CPU past its slice. The handler returns the value of this
 * call (the new eax, i.e. the hypercall number).
 */
long hypercall_create_continuation(struct vcpu *v, uint32_t nr, unsigned int nargs, ...);

long do_console_io(struct vcpu *v, uint32_t cmd, uint32_t count, uint32_t buffer,
                   uint32_t a4, uint32_t a5);
long do_xen_version(struct vcpu *v, uint32_t cmd, uint32_t arg, uint32_t a3,
                    uint32_t a4, uint32_t a5);
long do_sched_op(struct vcpu *v, uint32_t cmd, uint32_t arg, uint32_t a3,
                 uint32_t a4, uint32_t a5);
long do_grant_table_op(struct vcpu *v, uint32_t cmd, uint32_t uop, uint32_t count,
                       uint32_t a4, uint32_t a5);
long do_domctl(struct vcpu *v, uint32_t arg, uint32_t a2, uint32_t a3, uint32_t a4,
               uint32_t a5);
long do_sysctl(struct vcpu *v, uint32_t arg, uint32_t a2, uint32_t a3, uint32_t a4,
               uint32_t a5);

#endif /* PVX_HYPERCALL_H */
