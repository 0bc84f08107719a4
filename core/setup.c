/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * setup.c - core_start: from the machine's description to the first guest
 * instruction. Parses the hypervisor command line, sets up the frame table
 * and builds the initial domain from the first module.
 *
 * Command line options:
 *   dom0_mem=SIZE   memory of the initial domain (K/M/G suffix; default 32M)
 *   sched=bvt|rr    the scheduling policy (default bvt)
 *
 * The first module is the initial domain; every further module becomes an
 * unprivileged domain (ids 1, 2, ...), its arguments "name=NAME mem=SIZE ..."
 * (default: the module's name, 8M); the whole argument string is its
 * start_info command line. "count=N" builds N domains from the one module
 * (consecutive ids, named NAME-1 ... NAME-N): Multiboot has room for
 * BOOT_MAX_MODULES modules, the hypervisor for MAX_DOMAINS domains.
 *   fail=SPEC       fault injection (see fault.h); fail_seed=N its seed
 *   fail_report=1   print every fault site's counts when the machine stops
 */
#include <pvx/arch.h>
#include <pvx/audit.h>
#include <pvx/builder.h>
#include <pvx/console.h>
#include <pvx/domain.h>
#include <pvx/elf.h>
#include <pvx/event.h>
#include <pvx/fault.h>
#include <pvx/fpu.h>
#include <pvx/frame.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/sched.h>
#include <pvx/setup.h>
#include <pvx/time.h>
#include <public/xen.h>

static char cmdline[1024];
static uint64_t dom0_mem;
bool setup_fault_report;

void machine_halt(int status)
{
    if ( audit_at_shutdown() )
        status = PVX_EXIT_PANIC;
    if ( setup_fault_report )
        fault_report();
    arch_shutdown(status);
}

const char *setup_cmdline(void)
{
    return cmdline;
}

bool setup_parse_size(const char *s, uint64_t *bytes)
{
    uint64_t v = 0;
    const char *p = s;

    if ( *p < '0' || *p > '9' )
        return false;
    for ( ; *p >= '0' && *p <= '9'; p++ )
    {
        if ( v > (UINT64_MAX - 9) / 10 )
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    switch ( *p )
    {
    case 'G': case 'g': v <<= 30; p++; break;
    case 'M': case 'm': v <<= 20; p++; break;
    case 'K': case 'k': case '\0': case ' ': v <<= 10; if ( *p == 'K' || *p == 'k' ) p++; break;
    case 'B': case 'b': p++; break;
    default: return false;
    }
    if ( *p != '\0' && *p != ' ' )
        return false;
    *bytes = v;
    return true;
}

static void parse_cmdline(const char *s)
{
    const char *p;

    snprintk(cmdline, sizeof(cmdline), "%s", s ? s : "");
    dom0_mem = (uint64_t)DOM0_MEM_DEFAULT_MB << 20;
    setup_fault_report = false;
    fault_init();

    for ( p = cmdline; *p; )
    {
        const char *end;

        while ( *p == ' ' )
            p++;
        if ( !*p )
            break;
        end = strchr(p, ' ');
        if ( !end )
            end = p + strlen(p);
        if ( strncmp(p, "dom0_mem=", 9) == 0 )
        {
            uint64_t v;

            if ( setup_parse_size(p + 9, &v) && v >= PAGE_SIZE )
                dom0_mem = v;
            else
                printk("ignoring bad option '%.*s'", (int)(end - p), p);
        }
        else if ( strncmp(p, "fail=", 5) == 0 )
        {
            char spec[256];

            snprintk(spec, sizeof(spec), "%.*s", (int)(end - p - 5), p + 5);
            if ( fault_configure(spec) )
                printk("ignoring bad option '%.*s'", (int)(end - p), p);
        }
        else if ( strncmp(p, "fail_seed=", 10) == 0 )
        {
            uint64_t v = 0;

            for ( const char *q = p + 10; q < end && *q >= '0' && *q <= '9'; q++ )
                v = v * 10 + (uint64_t)(*q - '0');
            fault_set_seed(v);
        }
        else if ( strncmp(p, "fail_report=1", 13) == 0 && end - p == 13 )
            setup_fault_report = true;
        else if ( strncmp(p, "sched=", 6) == 0 )
        {
            char name[8];

            snprintk(name, sizeof(name), "%.*s", (int)(end - p - 6), p + 6);
            if ( end - p - 6 >= (int)sizeof(name) || !sched_select(name) )
                printk("ignoring bad option '%.*s'", (int)(end - p), p);
        }
        else
            printk("ignoring unknown option '%.*s'", (int)(end - p), p);
        p = end;
    }
}

static __noreturn void refuse(const char *what, const char *why)
{
    printk("refusing %s: %s", what, why);
    arch_shutdown(PVX_EXIT_PANIC);
}

/* A module's command line is "name args...": split off the name. */
static void module_name(const struct boot_module *m, char *name, size_t len, const char **args)
{
    const char *s = m->cmdline ? m->cmdline : "", *sp, *base;

    while ( *s == ' ' )
        s++;
    sp = strchr(s, ' ');
    if ( !sp )
        sp = s + strlen(s);
    /* A path's last component is the name. */
    for ( base = s; s < sp; s++ )
        if ( *s == '/' )
            base = s + 1;
    snprintk(name, len, "%.*s", (int)(sp - base), base);
    while ( *sp == ' ' )
        sp++;
    *args = sp;
}

/* "name=x mem=8M count=N ..." in a domU module's arguments (the rest is the
 * guest's). */
static void domu_options(const char *args, char *name, size_t len, uint64_t *mem,
                         unsigned int *count, bool quiet)
{
    for ( const char *p = args; *p; )
    {
        const char *end;

        while ( *p == ' ' )
            p++;
        end = strchr(p, ' ');
        if ( !end )
            end = p + strlen(p);
        if ( strncmp(p, "name=", 5) == 0 && end - p > 5 )
            snprintk(name, len, "%.*s", (int)(end - p - 5), p + 5);
        else if ( mem && strncmp(p, "mem=", 4) == 0 )
        {
            char v[24];
            uint64_t bytes;

            snprintk(v, sizeof(v), "%.*s", (int)(end - p - 4), p + 4);
            if ( setup_parse_size(v, &bytes) && bytes >= PAGE_SIZE )
                *mem = bytes;
            else if ( !quiet )
                printk("ignoring bad option '%.*s'", (int)(end - p), p);
        }
        else if ( count && strncmp(p, "count=", 6) == 0 )
        {
            unsigned int n = 0;
            const char *q = p + 6;

            for ( ; q < end && *q >= '0' && *q <= '9' && n <= MAX_DOMAINS; q++ )
                n = n * 10 + (unsigned int)(*q - '0');
            if ( q == end && q > p + 6 && n >= 1 && n <= MAX_DOMAINS )
                *count = n;
            else if ( !quiet )
                printk("ignoring bad option '%.*s'", (int)(end - p), p);
        }
        p = end;
    }
}

/* Build domain domid from module m: the initial domain from the first module,
 * an unprivileged one from each further module; clone (1..count) names the
 * copies of a module with count=N (0: not a copy). */
static struct domain *setup_build_domain(uint16_t domid, const struct boot_module *m,
                                         unsigned int clone)
{
    char name[DOMAIN_NAME_LEN], err[160];
    bool initial = domid == 0;
    uint64_t mem = initial ? dom0_mem : (uint64_t)DOMU_MEM_DEFAULT_MB << 20;
    struct build_layout layout;
    struct elf_image img;
    struct domain *d;
    const char *args;
    unsigned int nr_pages;
    void *image;

    module_name(m, name, sizeof(name), &args);
    if ( !initial )
        domu_options(args, name, sizeof(name), &mem, NULL, clone > 1);
    if ( clone )
    {
        char base[DOMAIN_NAME_LEN];

        snprintk(base, sizeof(base), "%s", name);
        snprintk(name, sizeof(name), "%.*s-%u", DOMAIN_NAME_LEN - 6, base, clone);
    }
    if ( m->len == 0 )
        refuse(name, "empty module");
    image = arch_map_frames((mfn_t)(m->start >> PAGE_SHIFT), PFN_UP(m->len));
    if ( elf_parse(&img, image, m->len, err, sizeof(err)) )
        refuse(name, err);

    nr_pages = (unsigned int)MIN(mem >> PAGE_SHIFT, (uint64_t)frame_free_count());
    d = domain_create(domid, name, initial);
    if ( !d )
        refuse(name, "out of memory creating the domain");
    if ( builder_build(d, &img, nr_pages, args, initial ? SIF_PRIVILEGED | SIF_INITDOMAIN : 0,
                       &layout, err, sizeof(err)) )
        refuse(name, err);
    arch_unmap_frames(image, PFN_UP(m->len));

    printk("domain %u (%s): %u MiB, kernel %#x-%#x, entry %#x, start_info %#x",
           domid, name, nr_pages >> 8, layout.vkern_start, layout.vkern_end,
           img.virt_entry, layout.vstartinfo_start);
    sched_add_vcpu(&d->vcpu[0]);
    return d;
}

struct cpu_regs *core_start(const struct boot_info *bi)
{
    console_init();
    domain_init();
    fpu_init();
    sched_init();
    printk("pvx %s, a paravirtualizing hypervisor (%s machine)", PVX_VERSION, bi->machine);
    parse_cmdline(bi->cmdline);
    time_boot();

    if ( frame_init(bi) )
        panic("no usable memory in the boot memory map");
    mm_init();
    printk("memory: %u MiB free, frames 0-%#x", frame_free_count() >> 8, frame_max_mfn() - 1);

    if ( bi->nr_modules == 0 )
        refuse("to start", "no initial domain: pass its kernel as the first module");
    for ( unsigned int i = 0, domid = 0; i < bi->nr_modules; i++ )
    {
        unsigned int count = 1;

        if ( i > 0 )
        {
            char name[DOMAIN_NAME_LEN];
            const char *args;

            module_name(&bi->modules[i], name, sizeof(name), &args);
            domu_options(args, name, sizeof(name), NULL, &count, false);
        }
        if ( domid + count > MAX_DOMAINS )
            refuse("a module", "more domains than MAX_DOMAINS");
        for ( unsigned int k = 0; k < count; k++ )
            setup_build_domain((uint16_t)domid++, &bi->modules[i], count > 1 ? k + 1 : 0);
    }
    if ( bi->nr_modules > 1 )
        printk("scheduler: %s", sched_policy_name());

    schedule();
    return vcpu_regs(current);
}
