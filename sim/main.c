/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * main.c - the pvx-sim program: what a boot loader does on hardware. It reads
 * the options and the modules, loads the modules into machine memory and
 * describes the machine in boot_info; setup.c starts the machine.
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

#include <public/xen.h>

#include "sim.h"

/*
 * The limits and messages of the command line are the same as
 * scripts/pvx-qemu's, word for word (testsuite/runner-cases.py runs every
 * case through both): change them together.
 */
#define DEFAULT_MEM     (128ull << 20)
#define MIN_MEM         (16ull << 20)
#define MAX_MEM         (4ull << 30)
/* The hypervisor keeps BOOT_MAX_CMDLINE (1023) bytes of its command line. */
#define CMDLINE_MAX     BOOT_MAX_CMDLINE
/* A module's arguments reach its guest in start_info.cmd_line. */
#define MODULE_ARGS_MAX (MAX_GUEST_CMDLINE - 1)
/* Numbers of up to 18 digits: what a shell script counts with, too. */
#define NUM_MAX         999999999999999999ull

static struct boot_info boot;

static const char usage[] =
    "usage: pvx-sim [options] KERNEL[=ARGS] [MODULE[=ARGS]...]\n"
    "Boot pvx in the simulator with KERNEL as the initial domain, each MODULE as\n"
    "a further domain. Options as --opt=VALUE or --opt VALUE.\n"
    "\n"
    "Both runners (pvx-sim, scripts/pvx-qemu):\n"
    "  --mem=SIZE          machine memory, 16M..4G (K/M/G; a bare number is MiB;\n"
    "                      default 128M)\n"
    "  --timeout=TIME      time limit (ns/us/ms/s; a bare number is seconds; 0: none;\n"
    "                      default 10s of virtual time); exit 3. Alias: --max-time\n"
    "  --cmdline=STRING    the hypervisor's command line (at most 1023 bytes)\n"
    "  --fail=SITE:KNOB=V,...  fault injection (boot option fail=; sites\n"
    "                      frame_alloc, guest_copy, console, evtchn_send, timer,\n"
    "                      domain_create, foreign_map, disk_media, disk_lost,\n"
    "                      net_tx, net_rx, vif_rx;\n"
    "                      knobs probability, interval, times, space, fail-nth;\n"
    "                      ';' between sites)\n"
    "  --seed=N            seed of the fault injection (boot option fail_seed=)\n"
    "  --disk=FILE         a physical disk: the image FILE, read and written in\n"
    "                      place (a whole number of 512-byte sectors; up to 4)\n"
    "  --net=user          a NIC on the user network (libslirp here, QEMU's\n"
    "                      -nic user,model=e1000,restrict=on there): gateway\n"
    "                      10.0.2.2, DHCP from 10.0.2.15, nothing beyond it\n"
    "  --pcap-out=FILE     write every frame on the NIC's wire to FILE (pcap)\n"
    "  -h, --help          this text\n"
    "The simulator only:\n"
    "  --trace=LIST        comma-separated: insn (each instruction), hcall (each\n"
    "                      hypercall), sched (each dispatch, CSV); to stderr\n"
    "  --sched-csv=FILE    write the sched trace to FILE instead\n"
    "  --hash              print a hash of memory and registers at exit\n"
    "  --pcap-in=FILE      a NIC whose peer replays FILE: its frames not sent from\n"
    "                      this NIC's MAC arrive at their recorded times\n"
    "  --no-time           benchmarks only: no instruction-counting block hook, so\n"
    "                      no timer, no time limit, no int3/into, no port I/O checks\n"
    "  --full-frames       hypercalls save every guest register (slower); on by\n"
    "                      itself under a debugger, for gdb's pvx-guest-regs\n"
    "\n"
    "At most 16 modules (BOOT_MAX_MODULES); a module's ARGS at most 1023 bytes\n"
    "(MAX_GUEST_CMDLINE). In a further module's ARGS, mem=SIZE is its memory\n"
    "(K/M/G; a bare number is MiB; default 8M), name=NAME its name.\n"
    "\n"
    "Exit status: 0 initial domain powered off, 1 it crashed, 2 hypervisor panic\n"
    "or bad usage, 3 time limit. Virtual time: 1 ns per guest instruction.\n";

/* A usage error: one line saying what is wrong, one saying where help is. */
static void __noreturn __printf(1, 2) bad_usage(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fputs("pvx-sim: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'pvx-sim --help' for more information.\n", stderr);
    exit(PVX_EXIT_PANIC);
}

/* "128M", "1G", "64K", "64" (MiB, as xl's memory=): bytes. Whole numbers
 * only, at most 4G, never 0. */
static bool parse_size(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    const char *p = s;
    unsigned int shift = 20;

    if ( *p < '0' || *p > '9' )
        return false;
    for ( ; *p >= '0' && *p <= '9'; p++ )
    {
        v = v * 10 + (uint64_t)(*p - '0');
        if ( v > MAX_MEM )
            return false;
    }
    switch ( *p )
    {
    case 'k': case 'K': shift = 10; p++; break;
    case 'm': case 'M': shift = 20; p++; break;
    case 'g': case 'G': shift = 30; p++; break;
    }
    if ( *p != '\0' || v == 0 || v > (MAX_MEM >> shift) )
        return false;
    *out = v << shift;
    return true;
}

/* "10s", "250ms", "5us", "100ns"; a bare number is seconds; 0 is no limit. */
static bool parse_time(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    uint64_t mul;

    if ( *s < '0' || *s > '9' )
        return false;
    errno = 0;
    v = strtoull(s, &end, 10);
    if ( errno )
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
    if ( v > NUM_MAX || v > INT64_MAX / mul )
        return false;
    *out = v ? v * mul : UINT64_MAX;
    return true;
}

/* fault_configure's grammar (core/fault.c), checked here so that a typo is
 * an error and not a run that injects nothing. */
static const char *const fail_sites[] = {
    "frame_alloc", "guest_copy", "console", "evtchn_send", "timer", "domain_create", "foreign_map",
    "disk_media", "disk_lost", "net_tx", "net_rx", "vif_rx",
};
static const char *const fail_knobs[] = {
    "probability", "interval", "times", "space", "fail-nth",
};

static bool word_in(const char *w, size_t n, const char *const *list, size_t nr)
{
    for ( size_t i = 0; i < nr; i++ )
        if ( strlen(list[i]) == n && !strncmp(list[i], w, n) )
            return true;
    return false;
}

static bool whole_number(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    if ( n == 0 )
        return false;
    for ( size_t i = 0; i < n; i++ )
    {
        if ( s[i] < '0' || s[i] > '9' )
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
        if ( v > max )
            return false;
    }
    if ( out )
        *out = v;
    return true;
}

static void check_fail_spec(const char *spec)
{
    const char *p = spec;
    unsigned int clauses = 0;

    do {
        size_t len = strcspn(p, ";"), n = strcspn(p, ":");
        const char *k, *end = p + len;

        if ( n > len )
            n = len;
        if ( !word_in(p, n, fail_sites, ARRAY_SIZE(fail_sites)) )
            bad_usage("--fail: unknown site '%.*s' (sites: frame_alloc, guest_copy, "
                      "console, evtchn_send, timer, domain_create, foreign_map, disk_media, "
                      "disk_lost, net_tx, net_rx, vif_rx)", (int)n, p);
        if ( ++clauses > ARRAY_SIZE(fail_sites) )
            bad_usage("--fail: more clauses than the %zu sites", ARRAY_SIZE(fail_sites));
        if ( n + 1 >= len )
            bad_usage("--fail: site '%.*s' without a KNOB=VALUE", (int)n, p);
        for ( k = p + n + 1; k < end; )
        {
            size_t klen = strcspn(k, ",;"), eq = strcspn(k, "=,;");
            uint64_t v;

            if ( !word_in(k, eq, fail_knobs, ARRAY_SIZE(fail_knobs)) )
                bad_usage("--fail: unknown knob '%.*s' (knobs: probability, interval, "
                          "times, space, fail-nth)", (int)eq, k);
            if ( eq >= klen || !whole_number(k + eq + 1, klen - eq - 1, 0x7fffffff, &v) )
                bad_usage("--fail: %.*s wants a whole number: '%.*s'", (int)eq, k,
                          (int)klen, k);
            if ( eq == strlen("probability") && !strncmp(k, "probability", eq) && v > 100 )
                bad_usage("--fail: probability is a percentage, 0..100: '%.*s'", (int)klen, k);
            k += klen + (k[klen] == ',');
        }
        p = *end ? end + 1 : end;
    } while ( *p );
}

/*
 * A size the hypervisor reads (a domain's mem=, dom0_mem=) as the runner's
 * user writes it: checked, and a bare number made MiB (the hypervisor would
 * read it as KiB). Returns the word to pass on, in buf.
 */
static const char *size_word(const char *what, const char *w, size_t n, size_t key,
                             char *buf, size_t len)
{
    char v[32];
    uint64_t bytes;
    size_t vlen = n - key;

    if ( vlen >= sizeof(v) )
        vlen = sizeof(v) - 1;
    memcpy(v, w + key, vlen);
    v[vlen] = '\0';
    if ( !parse_size(v, &bytes) )
        bad_usage("%s: %.*s is not a size from 1 to 4G (K/M/G; a bare number is MiB)",
                  what, (int)n, w);
    snprintf(buf, len, "%.*s%s", (int)n, w, v[vlen - 1] >= '0' && v[vlen - 1] <= '9' ? "M" : "");
    return buf;
}

/* Each word of args starting with key ("mem=") checked and rewritten by
 * size_word; the result is malloc'd. */
static char *check_sizes(const char *what, const char *args, const char *key)
{
    size_t klen = strlen(key), cap = strlen(args) * 2 + 8, used = 0;
    char *out = malloc(cap);

    if ( out == NULL )
        sim_panic("out of host memory");
    for ( const char *p = args; ; )
    {
        size_t n = strcspn(p, " ");
        char word[64];
        const char *w = p;

        if ( n > klen && !strncmp(p, key, klen) )
        {
            w = size_word(what, p, n, klen, word, sizeof(word));
            used += (size_t)snprintf(out + used, cap - used, "%s", w);
        }
        else if ( n == klen && !strncmp(p, key, klen) )
            bad_usage("%s: %s without a size", what, key);
        else
            used += (size_t)snprintf(out + used, cap - used, "%.*s", (int)n, p);
        p += n;
        if ( !*p )
            break;
        out[used++] = *p++;
        out[used] = '\0';
    }
    out[used] = '\0';
    return out;
}

struct module_arg {
    const char *path;
    const char *args;           /* may be NULL */
    uint8_t *data;
    size_t len;
};

static void read_module(struct module_arg *m)
{
    struct stat st;
    FILE *f;

    if ( stat(m->path, &st) )
        bad_usage("cannot read module %s: %s", m->path, strerror(errno));
    if ( S_ISDIR(st.st_mode) )
        bad_usage("cannot read module %s: %s", m->path, strerror(EISDIR));
    if ( !S_ISREG(st.st_mode) )
        bad_usage("cannot read module %s: not a regular file", m->path);
    f = fopen(m->path, "rb");
    if ( f == NULL )
        bad_usage("cannot read module %s: %s", m->path, strerror(errno));
    m->len = st.st_size;
    m->data = malloc(m->len ? m->len : 1);
    if ( m->data == NULL )
        sim_panic("out of host memory");
    if ( fread(m->data, 1, m->len, f) != m->len )
        bad_usage("cannot read module %s: %s", m->path, strerror(ferror(f) ? errno : EIO));
    fclose(f);
}

/* The module's name must stay one word of "name args" on every loader. */
static void check_module(struct module_arg *m, unsigned int nr)
{
    const char *base = strrchr(m->path, '/');
    char what[64];

    base = base ? base + 1 : m->path;
    if ( base[strcspn(base, " \t\"'\\;")] != '\0' || *base == '\0' )
        bad_usage("module file name must be one plain word (no spaces, quotes, "
                  "backslashes or ';'): '%s'", base);
    if ( m->args && strlen(m->args) > MODULE_ARGS_MAX )
        bad_usage("module %u (%s): arguments of %zu bytes, at most %u (MAX_GUEST_CMDLINE)",
                  nr, base, strlen(m->args), MODULE_ARGS_MAX);
    snprintf(what, sizeof(what), "module %u (%.40s)", nr, base);
    if ( m->args && nr > 1 )
        m->args = check_sizes(what, m->args, "mem=");
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
        bad_usage("modules of %llu KiB do not fit in --mem=%lluM", (unsigned long long)total >> 10,
                  (unsigned long long)sim_ram_size >> 20);

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
 * shorthands for boot options (--fail, --seed), in the order given. */
static char cmdline_buf[CMDLINE_MAX + 1];
static size_t cmdline_len;

static void cmdline_add(const char *opt, const char *val)
{
    size_t n = (cmdline_len ? 1 : 0) + strlen(opt) + strlen(val);

    if ( cmdline_len + n > CMDLINE_MAX )
        bad_usage("the hypervisor command line would be %zu bytes: it keeps at most %u",
                  cmdline_len + n, CMDLINE_MAX);
    snprintf(cmdline_buf + cmdline_len, sizeof(cmdline_buf) - cmdline_len, "%s%s%s",
             cmdline_len ? " " : "", opt, val);
    cmdline_len += n;
    boot.cmdline = cmdline_buf;
}

/* "--name=VALUE" or "--name VALUE": the value, or NULL when a is not --name. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    const char *a = argv[*i];
    size_t n = strlen(name);

    if ( strncmp(a, name, n) )
        return NULL;
    if ( a[n] == '=' )
        return a + n + 1;
    if ( a[n] != '\0' )
        return NULL;
    if ( *i + 1 >= argc )
        bad_usage("%s wants a value", name);
    return argv[++*i];
}

/* Run by a debugger (gdb, strace): /proc/self/status names its pid. */
static bool debugger_attached(void)
{
    char line[128];
    FILE *f = fopen("/proc/self/status", "r");
    bool traced = false;

    if ( f == NULL )
        return false;
    while ( fgets(line, sizeof(line), f) )
        if ( !strncmp(line, "TracerPid:", 10) )
            traced = strtol(line + 10, NULL, 10) != 0;
    fclose(f);
    return traced;
}

int main(int argc, char **argv)
{
    struct module_arg mods[BOOT_MAX_MODULES];
    const char *paths[argc > 0 ? argc : 1];
    unsigned int nr_paths = 0, nr_mods = 0;
    uint64_t mem = DEFAULT_MEM;
    const char *v;
    bool options = true;
    int i;

    boot.machine = "sim";
    boot.cmdline = "";
    /* gdb reads the guest's registers from the vCPU's frame: fill it always. */
    if ( debugger_attached() )
        trace_full_frames();

    for ( i = 1; i < argc; i++ )
    {
        const char *a = argv[i];

        if ( !options || a[0] != '-' || a[1] == '\0' )
            paths[nr_paths++] = a;
        else if ( !strcmp(a, "--") )
            options = false;
        else if ( !strcmp(a, "--help") || !strcmp(a, "-h") )
        {
            fputs(usage, stdout);
            return 0;
        }
        else if ( (v = opt_value(argc, argv, &i, "--mem")) )
        {
            if ( !parse_size(v, &mem) || mem < MIN_MEM )
                bad_usage("--mem: %s is not a size from 16M to 4G (K/M/G; a bare number is MiB)", v);
            if ( mem & ((1u << 20) - 1) )
                bad_usage("--mem: %s is not a whole number of MiB", v);
        }
        else if ( (v = opt_value(argc, argv, &i, "--timeout")) ||
                  (v = opt_value(argc, argv, &i, "--max-time")) )
        {
            if ( !parse_time(v, &sim_max_time_ns) )
                bad_usage("%.*s: %s is not a time (10s, 250ms, 5us, 100ns; 0 for none)",
                          (int)strcspn(a, "="), a, v);
        }
        else if ( (v = opt_value(argc, argv, &i, "--cmdline")) )
        {
            if ( strlen(v) > CMDLINE_MAX )
                bad_usage("--cmdline of %zu bytes: the hypervisor keeps at most %u", strlen(v),
                          CMDLINE_MAX);
            v = check_sizes("--cmdline", v, "dom0_mem=");
            if ( *v )
                cmdline_add(v, "");
        }
        else if ( (v = opt_value(argc, argv, &i, "--fail")) )
        {
            check_fail_spec(v);
            cmdline_add("fail=", v);      /* a boot option: the same on hardware */
        }
        else if ( (v = opt_value(argc, argv, &i, "--disk")) )
        {
            const char *why = sim_disk_add(v);

            if ( why )
                bad_usage("--disk: %s", why);
        }
        else if ( (v = opt_value(argc, argv, &i, "--seed")) )
        {
            if ( !whole_number(v, strlen(v), NUM_MAX, NULL) )
                bad_usage("--seed: %s is not a whole number", v);
            cmdline_add("fail_seed=", v);
        }
        else if ( (v = opt_value(argc, argv, &i, "--trace")) )
        {
            if ( trace_parse(v) )
                bad_usage("--trace: %s is not a list of insn, hcall, sched", v);
        }
        else if ( (v = opt_value(argc, argv, &i, "--sched-csv")) )
        {
            trace_sched_out = fopen(v, "w");
            if ( trace_sched_out == NULL )
                bad_usage("--sched-csv: cannot write %s: %s", v, strerror(errno));
        }
        else if ( (v = opt_value(argc, argv, &i, "--net")) )
        {
            if ( strcmp(v, "user") )
                bad_usage("--net: %s is not a network (user)", v);
            sim_nic_user = true;
        }
        else if ( (v = opt_value(argc, argv, &i, "--pcap-out")) )
            sim_pcap_out = v;
        else if ( (v = opt_value(argc, argv, &i, "--pcap-in")) )
            sim_pcap_in = v;
        else if ( !strcmp(a, "--hash") )
            sim_hash_at_exit = true;
        else if ( !strcmp(a, "--no-time") )
            sim_no_time = true;
        else if ( !strcmp(a, "--full-frames") )
            trace_full_frames();
        else if ( !strcmp(a, "--machine") || !strncmp(a, "--machine=", 10) ||
                  !strcmp(a, "--iso") || !strcmp(a, "--gdb") || !strcmp(a, "--cpu") ||
                  !strncmp(a, "--cpu=", 6) || !strcmp(a, "--hv") || !strncmp(a, "--hv=", 5) ||
                  !strcmp(a, "--write-iso") || !strncmp(a, "--write-iso=", 12) ||
                  !strcmp(a, "--native") )
            bad_usage("%.*s is an option of scripts/pvx-qemu only", (int)strcspn(a, "="), a);
        else
            bad_usage("unknown option %s", a);
    }

    if ( nr_paths == 0 )
        bad_usage("no kernel given");
    if ( nr_paths > BOOT_MAX_MODULES )
        bad_usage("%u modules given, at most %u (BOOT_MAX_MODULES)", nr_paths,
                  BOOT_MAX_MODULES);
    for ( ; nr_mods < nr_paths; nr_mods++ )
    {
        struct module_arg *m = &mods[nr_mods];
        char *eq;

        m->path = strdup(paths[nr_mods]);
        if ( m->path == NULL )
            sim_panic("out of host memory");
        eq = strchr(m->path, '=');
        m->args = eq ? eq + 1 : NULL;
        if ( eq )
            *eq = '\0';
        read_module(m);
        check_module(m, nr_mods + 1);
    }

    mem_init(mem);
    load_modules(mods, nr_mods);
    sim_start(&boot);
}
