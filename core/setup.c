/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * setup.c - core_start: from the machine's description to the first guest
 * instruction. Parses the hypervisor command line, sets up the frame table
 * and builds the initial domain from the first module.
 *
 * Command line options:
 *   dom0_mem=SIZE   memory of the initial domain (K/M/G, a bare number is MiB;
 *                   default 32M, or what is free if less)
 *   sched=bvt|rr    the scheduling policy (default bvt)
 *   dom0_max_vcpus=N  vCPUs of the initial domain (1..MAX_VIRT_CPUS, default 1)
 * A bad value of a known option is refused (exit 2); an unknown option is
 * ignored with a line on the log, as Xen does.
 *
 * The first module is the initial domain; every further module becomes an
 * unprivileged domain (ids 1, 2, ...), its arguments "name=NAME mem=SIZE
 * vcpus=N ..." (default: the module's name, 8M, 1 vCPU); the whole argument string is its
 * start_info command line. "count=N" builds N domains from the one module
 * (consecutive ids, named NAME-1 ... NAME-N): Multiboot has room for
 * BOOT_MAX_MODULES modules, the hypervisor for MAX_DOMAINS domains. A further
 * module whose arguments hold the word "initrd" is no domain: it is the
 * initial domain's initrd (start_info mod_start/mod_len, right after its
 * kernel as Xen's builder places it); one at most.
 *   fail=SPEC       fault injection (see fault.h); fail_seed=N its seed
 *   fail_report=1   print every fault site's counts when the machine stops
 *   dom0_vbd=SPEC   a virtual block device of the initial domain (io/vbd.c:
 *                   "VDEV,MODE,DISK:START+NR[,...]", e.g. xvda,w,0:0+2048);
 *                   a domU module's "vbd=SPEC" the same for that domain
 *   elevator=fifo   the disks serve in arrival order (default: C-LOOK)
 *   disk_timeout_ms=N  the disk watchdog (default 2000)
 * These stand in for the initial domain's toolstack until it installs VBDs
 * itself (XEN_DOMCTL_pvx_vbd_*).
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
#include <pvx/io.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/netif.h>
#include <pvx/sched.h>
#include <pvx/setup.h>
#include <pvx/time.h>
#include <pvx/machine.h>
#include <public/xen.h>


const char *setup_cmdline(void)
{
    return machine.setup.cmdline;
}

/* A size: digits, then K, M or G (a bare number is MiB, as xl's memory=) or
 * B for bytes, up to 4G; the string ends there or at a space. */
bool setup_parse_size(const char *s, uint64_t *bytes)
{
    uint64_t v = 0;
    unsigned int shift = 20;
    const char *p = s;

    if ( *p < '0' || *p > '9' )
        return false;
    for ( ; *p >= '0' && *p <= '9'; p++ )
    {
        v = v * 10 + (uint64_t)(*p - '0');
        if ( v > (4ull << 30) )
            return false;
    }
    switch ( *p )
    {
    case 'G': case 'g': shift = 30; p++; break;
    case 'M': case 'm': shift = 20; p++; break;
    case 'K': case 'k': shift = 10; p++; break;
    case 'B': case 'b': shift = 0; p++; break;
    default: break;
    }
    if ( (*p != '\0' && *p != ' ') || v == 0 || (v << shift) > (4ull << 30) )
        return false;
    *bytes = v << shift;
    return true;
}

#define SETUP_SIZE_RULE "is not a size from 1 to 4G (K/M/G; a bare number is MiB)"

/* A bad value of an option pvx knows: refused, as the runners refuse it (a
 * typo must not boot a machine that silently does something else). */
static __noreturn void bad_option(const char *opt, size_t len, const char *why)
{
    printk("refusing the command line: %.*s %s", (int)len, opt, why);
    arch_shutdown(PVX_EXIT_PANIC);
}

/* A whole number from p up to end, from lo to hi. */
static bool parse_number(const char *p, const char *end, unsigned int lo, unsigned int hi,
                         unsigned int *out)
{
    unsigned int n = 0;
    const char *q = p;

    for ( ; q < end && *q >= '0' && *q <= '9' && n <= hi; q++ )
        n = n * 10 + (unsigned int)(*q - '0');
    if ( q != end || q == p || n < lo || n > hi )
        return false;
    *out = n;
    return true;
}

static void parse_cmdline(const char *s)
{
    const char *p;

    snprintk(machine.setup.cmdline, sizeof(machine.setup.cmdline), "%s", s ? s : "");
    machine.setup.dom0_mem = (uint64_t)DOM0_MEM_DEFAULT_MB << 20;
    machine.setup.dom0_mem_given = false;
    machine.setup.dom0_vcpus = 1;
    machine.setup.fault_report = false;
    fault_init();

    for ( p = machine.setup.cmdline; *p; )
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

            if ( !setup_parse_size(p + 9, &v) || v < PAGE_SIZE )
                bad_option(p, (size_t)(end - p), SETUP_SIZE_RULE);
            machine.setup.dom0_mem = v;
            machine.setup.dom0_mem_given = true;
        }
        else if ( strncmp(p, "dom0_max_vcpus=", 15) == 0 )
        {
            if ( !parse_number(p + 15, end, 1, MAX_VIRT_CPUS, &machine.setup.dom0_vcpus) )
                bad_option(p, (size_t)(end - p), "is not a number of vCPUs (1 to MAX_VIRT_CPUS)");
        }
        else if ( strncmp(p, "fail=", 5) == 0 )
        {
            char spec[256];

            snprintk(spec, sizeof(spec), "%.*s", (int)(end - p - 5), p + 5);
            if ( end - p - 5 >= (int)sizeof(spec) || fault_configure(spec) )
                bad_option(p, (size_t)(end - p),
                           "is not a fault specification (site:knob=value,...)");
        }
        else if ( strncmp(p, "fail_seed=", 10) == 0 )
        {
            uint64_t v = 0;
            const char *q = p + 10;

            for ( ; q < end && *q >= '0' && *q <= '9' && v < UINT64_MAX / 10 - 9; q++ )
                v = v * 10 + (uint64_t)(*q - '0');
            if ( q != end || q == p + 10 )
                bad_option(p, (size_t)(end - p), "is not a whole number");
            fault_set_seed(v);
        }
        else if ( strncmp(p, "fail_report=1", 13) == 0 && end - p == 13 )
            machine.setup.fault_report = true;
        else if ( strncmp(p, "elevator=", 9) == 0 )
        {
            if ( end - p == 13 && strncmp(p + 9, "fifo", 4) == 0 )
                machine.setup.elevator_fifo = true;
            else if ( end - p == 14 && strncmp(p + 9, "clook", 5) == 0 )
                machine.setup.elevator_fifo = false;
            else
                bad_option(p, (size_t)(end - p), "is not an elevator (clook, fifo)");
        }
        else if ( strncmp(p, "disk_timeout_ms=", 16) == 0 )
        {
            unsigned int ms;

            if ( !parse_number(p + 16, end, 1, 600000, &ms) )
                bad_option(p, (size_t)(end - p), "is not a time in ms (1 to 600000)");
            machine.setup.disk_timeout_ns = (uint64_t)ms * 1000000;
        }
        else if ( strncmp(p, "dom0_vbd=", 9) == 0 )
            ;                           /* once the disks are known: setup_vbds */
        else if ( strncmp(p, "sched=", 6) == 0 )
        {
            char name[8];

            snprintk(name, sizeof(name), "%.*s", (int)(end - p - 6), p + 6);
            if ( end - p - 6 >= (int)sizeof(name) || !sched_select(name) )
                bad_option(p, (size_t)(end - p), "is not a scheduler (bvt, rr)");
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

/* "name=x mem=8M vcpus=N count=N ..." in a domU module's arguments (the
 * rest is the guest's). */
static void domu_options(const char *args, char *name, size_t len, uint64_t *mem,
                         unsigned int *vcpus, unsigned int *count)
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
            if ( end - p - 4 >= (int)sizeof(v) || !setup_parse_size(v, &bytes) ||
                 bytes < PAGE_SIZE )
                bad_option(p, (size_t)(end - p), SETUP_SIZE_RULE);
            *mem = bytes;
        }
        else if ( vcpus && strncmp(p, "vcpus=", 6) == 0 )
        {
            if ( !parse_number(p + 6, end, 1, MAX_VIRT_CPUS, vcpus) )
                bad_option(p, (size_t)(end - p), "is not a number of vCPUs (1 to MAX_VIRT_CPUS)");
        }
        else if ( strncmp(p, "vbd=", 4) == 0 )
            ;                           /* once the domain exists: setup_vbds */
        else if ( count && strncmp(p, "count=", 6) == 0 )
        {
            if ( !parse_number(p + 6, end, 1, MAX_DOMAINS, count) )
                bad_option(p, (size_t)(end - p), "is not a number of domains (1 to MAX_DOMAINS)");
        }
        p = end;
    }
}

/* Does the module's argument list hold the word "initrd"? */
static bool module_is_initrd(const struct boot_module *m)
{
    char name[DOMAIN_NAME_LEN];
    const char *p;

    module_name(m, name, sizeof(name), &p);
    while ( *p )
    {
        const char *end = strchr(p, ' ');

        if ( !end )
            end = p + strlen(p);
        if ( end - p == 6 && strncmp(p, "initrd", 6) == 0 )
            return true;
        p = end;
        while ( *p == ' ' )
            p++;
    }
    return false;
}

/* Every "KEY=SPEC" in args (a module's, or the command line) is a VBD of
 * domid: a bad one refuses to boot, as a bad option does. */
static void setup_vbds(uint16_t domid, const char *args, const char *key)
{
    size_t klen = strlen(key);

    for ( const char *p = args; *p; )
    {
        const char *end;
        int rc;

        while ( *p == ' ' )
            p++;
        end = strchr(p, ' ');
        if ( !end )
            end = p + strlen(p);
        if ( (size_t)(end - p) > klen && strncmp(p, key, klen) == 0 )
        {
            rc = vbd_parse(domid, p + klen, (size_t)(end - p) - klen);
            if ( rc )
            {
                printk("%.*s: error %d", (int)(end - p), p, rc);
                bad_option(p, (size_t)(end - p),
                           "is not a VBD of the machine's disks (VDEV,r|w,DISK:START+NR,...)");
            }
        }
        p = end;
    }
}

/* Build domain domid from module m: the initial domain from the first module,
 * an unprivileged one from each further module; clone (1..count) names the
 * copies of a module with count=N (0: not a copy). */
static struct domain *setup_build_domain(uint16_t domid, const struct boot_module *m,
                                         unsigned int clone, const struct boot_module *initrd)
{
    struct build_extra x = { .initrd = NULL };
    void *initrd_map = NULL;
    char name[DOMAIN_NAME_LEN], err[160];
    bool initial = domid == 0;
    uint64_t mem = initial ? machine.setup.dom0_mem : (uint64_t)DOMU_MEM_DEFAULT_MB << 20;
    struct build_layout layout;
    struct elf_image img;
    struct domain *d;
    const char *args;
    unsigned int nr_pages, vcpus = initial ? machine.setup.dom0_vcpus : 1;
    void *image;

    module_name(m, name, sizeof(name), &args);
    if ( !initial )
        domu_options(args, name, sizeof(name), &mem, &vcpus, NULL);
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

    d = domain_create(domid, name, initial);
    if ( !d )
        refuse(name, "out of memory creating the domain");
    if ( domain_set_vcpus(d, vcpus) )
        BUG();                          /* parsed within 1..MAX_VIRT_CPUS */
    /* Asked for more than is free (counted once the domain exists: its
     * shared_info is taken): say so. Only the initial domain's default is
     * fitted to a small machine instead, as Xen fits dom0. */
    if ( (mem >> PAGE_SHIFT) > frame_free_count() )
    {
        if ( initial && !machine.setup.dom0_mem_given )
        {
            /* What is free, less the p2m list the builder adds (a word a page). */
            unsigned int free = frame_free_count();

            mem = (uint64_t)(free - PFN_UP(free * (uint32_t)sizeof(mfn_t))) << PAGE_SHIFT;
        }
        else
        {
            snprintk(err, sizeof(err), "%s=%lluM asks for %llu pages; %u are free (%u MiB)",
                     initial ? "dom0_mem" : "mem", (unsigned long long)(mem >> 20),
                     (unsigned long long)(mem >> PAGE_SHIFT), frame_free_count(),
                     frame_free_count() >> 8);
            refuse(name, err);
        }
    }
    nr_pages = (unsigned int)(mem >> PAGE_SHIFT);
    if ( initrd && initrd->len )
    {
        initrd_map = arch_map_frames((mfn_t)(initrd->start >> PAGE_SHIFT), PFN_UP(initrd->len));
        x.initrd = initrd_map;
        x.initrd_len = initrd->len;
    }
    if ( builder_build_ext(d, &img, nr_pages, args, initial ? SIF_PRIVILEGED | SIF_INITDOMAIN : 0,
                           &x, &layout, err, sizeof(err)) )
        refuse(name, err);
    if ( initrd_map )
        arch_unmap_frames(initrd_map, PFN_UP(initrd->len));
    arch_unmap_frames(image, PFN_UP(m->len));

    if ( d->nr_vcpus > 1 )
        snprintk(err, sizeof(err), ", %u vCPUs", d->nr_vcpus);
    else
        err[0] = '\0';
    printk("domain %u (%s): %u MiB, kernel %#x-%#x, entry %#x, start_info %#x%s",
           domid, name, nr_pages >> 8, layout.vkern_start, layout.vkern_end,
           img.virt_entry, layout.vstartinfo_start, err);
    setup_vbds(domid, initial ? machine.setup.cmdline : args, initial ? "dom0_vbd=" : "vbd=");
    sched_add_vcpu(&d->vcpu[0]);
    return d;
}

/* A fresh hypervisor: every field zero, then each owner's fresh state
 * (core_start; and so every unit test and fuzz input). */
void machine_reset(void)
{
    memset(&machine, 0, sizeof(machine));
    console_init();
    fault_init();
    fpu_init();
    sched_init();
}

struct cpu_regs *core_start(const struct boot_info *bi)
{
    const struct boot_module *initrd = NULL;

    machine_reset();
    printk("pvx %s, a paravirtualizing hypervisor (%s machine)", PVX_VERSION, bi->machine);
    parse_cmdline(bi->cmdline);
    time_boot();

    if ( frame_init(bi) )
        panic("no usable memory in the boot memory map");
    mm_init();
    io_init();
    printk("memory: %u MiB free, frames 0-%#x", frame_free_count() >> 8, frame_max_mfn() - 1);
    if ( netif_init() )
        printk("nic: no memory for its receive frames: not used");

    if ( bi->nr_modules == 0 )
        refuse("to start", "no initial domain: pass its kernel as the first module");
    for ( unsigned int i = 1; i < bi->nr_modules; i++ )
        if ( module_is_initrd(&bi->modules[i]) )
        {
            if ( initrd )
                refuse("a module", "more than one initrd module");
            initrd = &bi->modules[i];
        }
    for ( unsigned int i = 0, domid = 0; i < bi->nr_modules; i++ )
    {
        unsigned int count = 1;

        if ( i > 0 )
        {
            char name[DOMAIN_NAME_LEN];
            const char *args;

            if ( &bi->modules[i] == initrd )
                continue;
            module_name(&bi->modules[i], name, sizeof(name), &args);
            domu_options(args, name, sizeof(name), NULL, NULL, &count);
        }
        if ( domid + count > MAX_DOMAINS )
            refuse("a module", "more domains than MAX_DOMAINS");
        for ( unsigned int k = 0; k < count; k++ )
            setup_build_domain((uint16_t)domid++, &bi->modules[i], count > 1 ? k + 1 : 0,
                               i == 0 ? initrd : NULL);
    }
    if ( bi->nr_modules > 1 )
        printk("scheduler: %s", sched_policy_name());

    schedule();
    return vcpu_regs(current);
}
