/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * main.c - the pvx-sim program: options, modules, boot_info, console and the
 * end of the machine.
 *
 *   pvx-sim [options] KERNEL[=ARGS] [MODULE[=ARGS]...]
 *
 * Machine memory map (--mem bytes of RAM at machine address 0):
 *   0 .. modules           free RAM, handed to the core (one boot_range)
 *   modules                each file page-aligned, in command-line order
 *   top SIM_NR_FRAMES      the simulator's own frames (see mem.c)
 */
#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "sim.h"

#define DEFAULT_MEM     (128ull << 20)
#define MIN_MEM         (16ull << 20)
#define MAX_MEM         (4ull << 30)

static bool opt_hash;
static struct boot_info boot;

static const char usage[] =
    "usage: pvx-sim [options] KERNEL[=ARGS] [MODULE[=ARGS]...]\n"
    "Boot pvx in the simulator with KERNEL as the initial domain.\n"
    "\n"
    "  --mem=SIZE          machine memory (K/M/G suffixes; default 128M)\n"
    "  --max-time=TIME     virtual time limit (ns/us/ms/s; default 10s); exit 3\n"
    "  --cmdline=STRING    the hypervisor's command line\n"
    "  --trace=LIST        comma-separated: insn (each instruction), hcall (each\n"
    "                      hypercall), sched (each dispatch, CSV); to stderr\n"
    "  --sched-csv=FILE    write the sched trace to FILE instead\n"
    "  --hash              print a hash of memory and registers at exit\n"
    "  --no-time           benchmarks only: no instruction-counting block hook, so\n"
    "                      no timer, no time limit, no int3/into, no port I/O checks\n"
    "  --fail=SITE:KNOB=V,...  fault injection (boot option fail=; sites\n"
    "                      frame_alloc, guest_copy, console, evtchn_send, timer;\n"
    "                      knobs probability, interval, times, space, fail-nth;\n"
    "                      ';' between sites)\n"
    "  --seed=N            seed of the fault injection (boot option fail_seed=)\n"
    "  --help              this text\n"
    "\n"
    "Exit status: 0 initial domain powered off, 1 it crashed, 2 hypervisor panic\n"
    "or bad usage, 3 time limit. Virtual time: 1 ns per guest instruction.\n";

static void __noreturn bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "pvx-sim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage);
    exit(PVX_EXIT_PANIC);
}

void sim_msg(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fputs("(pvx) ", stdout);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

void sim_panic(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fputs("(pvx) sim panic: ", stdout);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    arch_shutdown(PVX_EXIT_PANIC);
}

void arch_console_write(const char *s, size_t len)
{
    fwrite(s, 1, len, stdout);
    if ( memchr(s, '\n', len) )
        fflush(stdout);
}

void arch_shutdown(int status)
{
    static bool down;

    fflush(stdout);
    if ( opt_hash && !down && sim_uc != NULL )
    {
        down = true;            /* a panic while hashing must not recurse */
        printf("(pvx) state hash %016llx\n",
               (unsigned long long)cpu_hash(mem_hash(0xcbf29ce484222325ull)));
    }
    fflush(stdout);
    fflush(stderr);
    exit(status);
}

/* "128M", "1G", "65536": bytes. */
static bool parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 0);
    if ( errno || end == s )
        return false;
    switch ( *end )
    {
    case 'k': case 'K': v <<= 10; end++; break;
    case 'm': case 'M': v <<= 20; end++; break;
    case 'g': case 'G': v <<= 30; end++; break;
    }
    if ( *end == 'B' || *end == 'b' )
        end++;
    *out = v;
    return *end == '\0';
}

/* "10s", "250ms", "5us", "100ns"; a bare number is seconds. */
static bool parse_time(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    uint64_t mul;

    errno = 0;
    v = strtoull(s, &end, 10);
    if ( errno || end == s )
        return false;
    if ( !strcmp(end, "ns") )
        mul = 1;
    else if ( !strcmp(end, "us") )
        mul = 1000;
    else if ( !strcmp(end, "ms") )
        mul = 1000 * 1000;
    else if ( !strcmp(end, "s") || *end == '\0' )
        mul = 1000 * 1000 * 1000;
    else
        return false;
    if ( v > UINT64_MAX / mul )
        return false;
    *out = v * mul;
    return *out > 0;
}

struct module_arg {
    const char *path;
    const char *args;           /* may be NULL */
    uint8_t *data;
    size_t len;
};

static void read_module(struct module_arg *m)
{
    FILE *f = fopen(m->path, "rb");
    struct stat st;

    if ( f == NULL || fstat(fileno(f), &st) || !S_ISREG(st.st_mode) )
        bad_usage("cannot read module %s", m->path);
    m->len = st.st_size;
    m->data = malloc(m->len ? m->len : 1);
    if ( m->data == NULL || fread(m->data, 1, m->len, f) != m->len )
        bad_usage("cannot read module %s", m->path);
    fclose(f);
}

/* Copy the modules under the simulator's frames and describe the machine. */
static void load_modules(struct module_arg *mods, unsigned int nr)
{
    paddr_t top = (paddr_t)sim_first_frame << PAGE_SHIFT;
    paddr_t total = 0, at;
    unsigned int i;

    for ( i = 0; i < nr; i++ )
        total += ROUNDUP((paddr_t)mods[i].len, PAGE_SIZE);
    if ( total + MIN_MEM / 2 > top )
        bad_usage("modules do not fit in machine memory (%s)", "use --mem");

    at = top - total;
    boot.nr_ranges = 1;
    boot.ranges[0].start = 0;
    boot.ranges[0].nr = (uint32_t)(at >> PAGE_SHIFT);

    for ( i = 0; i < nr; i++ )
    {
        const char *base = strrchr(mods[i].path, '/');
        size_t n;
        char *cmd;

        base = base ? base + 1 : mods[i].path;
        n = strlen(base) + (mods[i].args ? strlen(mods[i].args) + 1 : 0) + 1;
        cmd = malloc(n);
        if ( cmd == NULL )
            sim_panic("out of host memory");
        snprintf(cmd, n, "%s%s%s", base, mods[i].args ? " " : "",
                 mods[i].args ? mods[i].args : "");

        memcpy(sim_ram + at, mods[i].data, mods[i].len);
        boot.modules[i].start = at;
        boot.modules[i].len = (uint32_t)mods[i].len;
        boot.modules[i].cmdline = cmd;
        at += ROUNDUP((paddr_t)mods[i].len, PAGE_SIZE);
        free(mods[i].data);
    }
    boot.nr_modules = nr;
}

/* The hypervisor command line: --cmdline, and the options that are only
 * shorthands for boot options (--fail, --seed). */
static char cmdline_buf[1024];

static void cmdline_add(const char *opt, const char *val)
{
    size_t n = strlen(cmdline_buf);

    if ( snprintf(cmdline_buf + n, sizeof(cmdline_buf) - n, "%s%s%s",
                  n ? " " : "", opt, val) >= (int)(sizeof(cmdline_buf) - n) )
        bad_usage("hypervisor command line too long at %s", val);
    boot.cmdline = cmdline_buf;
}

int main(int argc, char **argv)
{
    struct module_arg mods[BOOT_MAX_MODULES];
    unsigned int nr_mods = 0;
    uint64_t mem = DEFAULT_MEM;
    struct cpu_regs *regs;
    int i;

    boot.machine = "sim";
    boot.cmdline = "";

    for ( i = 1; i < argc; i++ )
    {
        const char *a = argv[i];

        if ( !strcmp(a, "--help") || !strcmp(a, "-h") )
        {
            fputs(usage, stdout);
            return 0;
        }
        else if ( !strncmp(a, "--mem=", 6) )
        {
            if ( !parse_size(a + 6, &mem) || mem < MIN_MEM || mem > MAX_MEM ||
                 (mem & (PAGE_SIZE - 1)) )
                bad_usage("bad --mem: %s (16M..4G, whole pages)", a + 6);
        }
        else if ( !strncmp(a, "--max-time=", 11) )
        {
            if ( !parse_time(a + 11, &sim_max_time_ns) )
                bad_usage("bad --max-time: %s", a + 11);
        }
        else if ( !strncmp(a, "--cmdline=", 10) )
            cmdline_add(a + 10, "");
        else if ( !strncmp(a, "--fail=", 7) )
            cmdline_add("fail=", a + 7);      /* a boot option: the same on hardware */
        else if ( !strncmp(a, "--seed=", 7) )
            cmdline_add("fail_seed=", a + 7);
        else if ( !strncmp(a, "--trace=", 8) )
        {
            if ( trace_parse(a + 8) )
                bad_usage("bad --trace list: %s (insn, hcall, sched)", a + 8);
        }
        else if ( !strncmp(a, "--sched-csv=", 12) )
        {
            trace_sched_out = fopen(a + 12, "w");
            if ( trace_sched_out == NULL )
                bad_usage("cannot write %s", a + 12);
        }
        else if ( !strcmp(a, "--hash") )
            opt_hash = true;
        else if ( !strcmp(a, "--no-time") )
            sim_no_time = true;
        else if ( a[0] == '-' && a[1] != '\0' )
            bad_usage("unknown option %s", a);
        else
        {
            char *eq;

            if ( nr_mods == BOOT_MAX_MODULES )
                bad_usage("too many modules (at %s)", a);
            mods[nr_mods].path = strdup(a);
            eq = strchr(mods[nr_mods].path, '=');
            mods[nr_mods].args = eq ? eq + 1 : NULL;
            if ( eq )
                *eq = '\0';
            read_module(&mods[nr_mods]);
            nr_mods++;
        }
    }
    if ( nr_mods == 0 )
        bad_usage("no kernel given%s", "");

    mem_init(mem);
    load_modules(mods, nr_mods);
    mem_build_sim_frames();
    cpu_init();
    cpu_make_templates();
    time_init();
    trace_init();
    /* Hooks added after the templates ran: drop the blocks translated without them. */
    uc_ctl_flush_tb(sim_uc);

    regs = core_start(&boot);
    cpu_run(regs);
}
