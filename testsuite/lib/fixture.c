/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fixture.c - booting and driving the core on the fake machine (fixture.h).
 */
#include <stdio.h>
#include <string.h>
#include "fixture.h"
#include <pvx/domain.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/sched.h>
#include <public/xen.h>

#define MAX_DOMUS (BOOT_MAX_MODULES - 1)

/* Where each built domain's start_info is: esi at its first instruction
 * (its registers change with every entry). */
static uint32_t start_info_va[BOOT_MAX_MODULES];

int fixture_boot(const struct elfgen_spec *spec, const char *mod_cmdline, const char *hv_cmdline,
                 unsigned int nr_domus, struct cpu_regs *first)
{
    static uint8_t image[1 << 20];
    size_t len = 0;

    if ( spec )
        len = elfgen_build(spec, image, sizeof(image));
    return fixture_boot_image(spec ? image : NULL, len, mod_cmdline, hv_cmdline, nr_domus, first);
}

int fixture_boot_image(const void *image, size_t len, const char *mod_cmdline,
                       const char *hv_cmdline, unsigned int nr_domus, struct cpu_regs *first)
{
    static char cmd[MAX_DOMUS + 1][64];
    struct boot_info bi;
    struct cpu_regs *volatile r = NULL;
    int st;

    if ( nr_domus > MAX_DOMUS || (nr_domus && !image) )
        fake_fail("fixture_boot: %u more domains", nr_domus);
    fake_reset();
    fake_boot_info(&bi, image, len, mod_cmdline, hv_cmdline);
    for ( unsigned int i = 1; i <= nr_domus; i++ )
    {
        snprintf(cmd[i], sizeof(cmd[i]), "kernel.elf name=u%u mem=4M", i);
        bi.modules[i] = bi.modules[0];
        bi.modules[i].cmdline = cmd[i];
    }
    bi.nr_modules += nr_domus;
    memset(start_info_va, 0, sizeof(start_info_va));
    st = FAKE_RUN(r = core_start(&bi));
    for ( unsigned int i = 0; st == -1 && i < bi.nr_modules; i++ )
        if ( domain_lookup((uint16_t)i) )
            start_info_va[i] = domain_lookup((uint16_t)i)->vcpu[0].regs.esi;
    if ( st == -1 && first )
        *first = *r;
    return st;
}

bool fixture_add_bare_domains(unsigned int first, unsigned int last)
{
    struct vcpu *v0 = current;

    for ( unsigned int i = first; i < last; i++ )
    {
        struct domain *d = domain_create((uint16_t)i, "bare", false);

        if ( !d )
            return false;
        d->vcpu[0].regs = v0->regs;
        d->vcpu[0].cr3 = v0->cr3;
        sched_add_vcpu(&d->vcpu[0]);
    }
    return true;
}

struct vcpu *fixture_vcpu(unsigned int domid)
{
    struct domain *d = domid < MAX_DOMAINS ? domain_lookup((uint16_t)domid) : NULL;

    return d ? &d->vcpu[0] : NULL;
}

void fixture_become(struct vcpu *v)
{
    sched_switch_to(v);
}

struct cpu_regs fixture_hypercall_regs(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3,
                                       uint32_t a4, uint32_t a5)
{
    struct cpu_regs r = current->regs;

    r.eax = nr;
    r.ebx = a1; r.ecx = a2; r.edx = a3; r.esi = a4; r.edi = a5;
    r.eip += 2;                         /* as after executing "int $0x82" */
    return r;
}

int fixture_hypercall(long *rc, uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3,
                      uint32_t a4, uint32_t a5)
{
    struct cpu_regs r = fixture_hypercall_regs(nr, a1, a2, a3, a4, a5);
    int st = FAKE_RUN(core_hypercall(&r));

    *rc = (int32_t)r.eax;
    return st;
}

int fixture_hypercall_continued(long *rc, unsigned int *conts, uint32_t nr, uint32_t a1,
                                uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5)
{
    struct cpu_regs r = fixture_hypercall_regs(nr, a1, a2, a3, a4, a5);
    uint32_t at = r.eip - 2;
    volatile unsigned int n = 0;
    int st;

    for ( ;; )
    {
        st = FAKE_RUN(core_hypercall(&r));
        if ( st != -1 || r.eip != at || n == 1000000 )
            break;
        n++;
        r.eip = at + 2;                 /* the CPU runs the int again */
    }
    *rc = (int32_t)r.eax;
    if ( conts )
        *conts = n;
    return st;
}

int fixture_hypercall_lazy(struct cpu_regs *frame, uint32_t missing, uint32_t *still)
{
    volatile uint32_t left = missing;
    const uint32_t want = missing;
    int st;

    fake_lazy = true;
    st = FAKE_RUN(left = core_hypercall_lazy(frame, want));
    fake_lazy = false;
    if ( still )
        *still = left;
    return st;
}

uint32_t fixture_p2m(struct vcpu *v, uint32_t pfn)
{
    unsigned int id = v->domain->domain_id;
    struct start_info si;
    uint32_t m;

    if ( id >= BOOT_MAX_MODULES || !start_info_va[id] ||
         copy_from_guest(v, &si, start_info_va[id], sizeof(si)) || pfn >= si.nr_pages ||
         copy_from_guest(v, &m, si.mfn_list + pfn * 4, 4) )
        return INVALID_MFN;
    return m;
}
