/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xl - Domain 0's toolstack (paper §2.3: the policy, over the hypervisor's
 * control interface). A Domain 0 kernel with xl's commands and output: it
 * creates domains from xl.cfg-style configs, lists, pauses, shuts down and
 * destroys them, shows the hypervisor's log, and is every domain's console
 * backend (each line of a domain's console ring shown as "(dN) line"). What
 * it runs comes from its initrd, a cpio "newc" archive the build makes with
 * the host's cpio: the kernels, the configs and the boot script (command
 * line script=NAME, default boot.xl); one command a line, '#' a comment.
 *
 * Commands (xl's, plus three for scripts):
 *   create CFG            destroy DOM          shutdown [-w] DOM|-a
 *   pause DOM             unpause DOM          list
 *   console DOM           dmesg [-c]           mem-set DOM MEM    mem-max DOM MEM
 *   sched-bvt [-d DOM [-w WEIGHT]]             sched-rr           info
 *   wait [DOM]            (script: until DOM, or every domain, is handled)
 *   sleep MS              echo TEXT            ls
 *   block-attach DOM SPEC  block-detach DOM VDEV  block-list DOM
 *   network-attach DOM SPEC  network-detach DOM HANDLE  network-list DOM
 *   vfr-rule-add tx|rx KEY=VALUE...  vfr-rule-del tx|rx INDEX  vfr-rule-list tx|rx
 *   free [check]          (pvx: the free page count; check: as at the last mark)
 *   errors N              (script: exactly N commands failed so far; the count restarts)
 *   interactive           (commands from the console until exit; VIRQ_CONSOLE)
 *   exit, quit            (the end of the script or of the console session)
 * create takes KEY=VALUE pairs after the file, overriding it (as xl does). A
 * domain's "Test result: X" line is its verdict, as xtf-runner reads it: one
 * that is not SUCCESS or SKIP fails the toolstack's own run.
 * DOM is a name or an id. When the script ends, every domain is shut down
 * (as xl shutdown -a -w) and Domain 0 powers off.
 */
#include <guest.h>
#include <cpio.h>
#include <events.h>
#include <mm.h>

#include <public/domctl.h>
#include <public/io/console.h>
#include <public/sched.h>
#include <public/sysctl.h>
#include <public/version.h>

const char test_title[] = "xl: Domain 0's toolstack";

#define XL_MAX_DOMS     16
#define XL_MAX_LINE     256
#define XL_MAX_RESTARTS 3
#define XL_MAX_DISKS    4       /* VBDs a config may give a domain */
#define XL_MAX_VIFS     PVX_VIF_PER_DOMAIN  /* VIFs a config may give a domain */       /* pvx: a domain that keeps crashing is not restarted forever */

enum xl_action { ACT_DESTROY, ACT_RESTART, ACT_PRESERVE };
static const char *const action_names[] = { "destroy", "restart", "preserve" };

struct xl_cfg {
    char file[64];
    char name[64];              /* the hypervisor keeps the first 31 bytes */
    char kernel[256];
    char extra[256];
    unsigned int memory;        /* MiB */
    unsigned int vcpus;
    unsigned int weight;        /* BVT weight, 0: the default */
    enum xl_action on_poweroff, on_reboot, on_crash;
    char disk[XL_MAX_DISKS][64];    /* disk = [...]: "phy:DISK:START+NR,VDEV,MODE" */
    unsigned int nr_disks;
    char vif[XL_MAX_VIFS][64];      /* vif = [...]: "mac=..,ip=..[,copy]" */
    unsigned int nr_vifs;
};

struct xl_dom {
    bool used;
    bool handled;               /* its shutdown was acted on (preserved) */
    domid_t id;
    struct xl_cfg cfg;
    unsigned int restarts;
    evtchn_port_t port;         /* our end of its console channel */
    volatile struct xencons_interface *ring;    /* its console page, mapped foreign */
    uint64_t saved_pte;         /* what the window held before */
    char line[128];
    unsigned int line_len;
    char result[16];            /* its "Test result: X" line, as xtf-runner reads it */
};

static struct xl_dom doms[XL_MAX_DOMS];
/* One page of our own per domain, whose mapping becomes its console page. */
static uint8_t windows[XL_MAX_DOMS][PAGE_SIZE] __attribute__((aligned(4096)));
static const uint8_t *initrd;
static size_t initrd_len;
static evtchn_port_t dom_exc_port;
static evtchn_port_t console_port;      /* VIRQ_CONSOLE, once interactive */
static bool quit;
static unsigned int errors;

/* ------------------------------------------------------------------------
 * Hypercall wrappers.
 */

static long domctl(struct xen_domctl *op, uint32_t cmd, domid_t dom)
{
    op->cmd = cmd;
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op->domain = dom;
    return HYPERVISOR_domctl(op);
}

static long sysctl(struct xen_sysctl *op, uint32_t cmd)
{
    op->cmd = cmd;
    op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    return HYPERVISOR_sysctl(op);
}

static long getinfo(domid_t dom, struct xen_domctl_getdomaininfo *info)
{
    struct xen_domctl op;
    long rc;

    memset(&op, 0, sizeof(op));
    rc = domctl(&op, XEN_DOMCTL_getdomaininfo, dom);
    if ( rc == 0 && op.u.getdomaininfo.domain != dom )
        return -ESRCH;
    if ( rc == 0 )
        *info = op.u.getdomaininfo;
    return rc;
}

static void domain_name(domid_t dom, char *out, size_t len)
{
    struct xen_domctl op;

    memset(&op, 0, sizeof(op));
    if ( dom == 0 )
        snprintk(out, len, "Domain-0");
    else if ( domctl(&op, XEN_DOMCTL_pvx_getinfo, dom) == 0 )
        snprintk(out, len, "%s", op.u.pvx_getinfo.name);
    else
        snprintk(out, len, "?");
}

static void error(const char *fmt, ...) __printf(1, 2);
static void error(const char *fmt, ...)
{
    char buf[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintk(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printk("xl: %s\n", buf);
    errors++;
}

/* ------------------------------------------------------------------------
 * The console backend: each domain's page mapped over a window of ours
 * (mmu_update with the domain as foreigndom), its channel bound.
 */

/* The machine address of our L1 entry for va (virtual base 0: va = pfn << 12). */
static uint64_t l1e_maddr(unsigned long va)
{
    const volatile uint64_t *l3 = (const volatile uint64_t *)start_info->pt_base;
    const volatile uint64_t *l2 = (const volatile uint64_t *)
        mm_mfn_to_va((uint32_t)((l3[va >> 30] & PTE_ADDR_MASK) >> 12));
    uint64_t e2 = l2[(va >> 21) & 511];

    return (e2 & PTE_ADDR_MASK) + ((va >> 12) & 511) * 8;
}

static long map_window(unsigned int slot, uint64_t pte, domid_t foreign)
{
    struct mmu_update req = { .ptr = l1e_maddr((unsigned long)windows[slot]), .val = pte };
    long rc = HYPERVISOR_mmu_update(&req, 1, NULL, foreign);

    if ( rc == 0 )
        mm_ext(MMUEXT_INVLPG_LOCAL, (uint32_t)(unsigned long)windows[slot], 0);
    return rc;
}

static long console_attach(struct xl_dom *x, unsigned int slot, uint64_t mfn, evtchn_port_t port)
{
    unsigned long va = (unsigned long)windows[slot];
    long rc;

    x->saved_pte = ((uint64_t)mm_pfn_to_mfn(va >> 12) << 12) | 0x63;
    rc = map_window(slot, (mfn << 12) | 0x63, x->id);
    if ( rc )
        return rc;
    x->ring = (volatile struct xencons_interface *)windows[slot];
    rc = evtchn_bind_interdomain(x->id, port, &x->port);
    if ( rc )
    {
        (void)map_window(slot, x->saved_pte, DOMID_SELF);
        x->ring = NULL;
    }
    return rc;
}

static void console_put_line(struct xl_dom *x)
{
    char out[160];
    int n = snprintk(out, sizeof(out), "(d%u) %.*s\n", x->id, (int)x->line_len, x->line);

    if ( x->line_len > 13 && !strncmp(x->line, "Test result: ", 13) )
        snprintk(x->result, sizeof(x->result), "%.*s", (int)(x->line_len - 13), x->line + 13);

    console_write(out, (size_t)n < sizeof(out) ? (size_t)n : sizeof(out) - 1);
    x->line_len = 0;
}

/* Everything the domain wrote so far, line by line, printable characters
 * only (as the hypervisor filters domains' console_io lines). */
static void console_drain(struct xl_dom *x)
{
    XENCONS_RING_IDX cons, prod;

    if ( !x->ring )
        return;
    cons = x->ring->out_cons;
    prod = x->ring->out_prod;
    asm volatile ( "" ::: "memory" );
    if ( prod - cons > sizeof(x->ring->out) )
        cons = prod - sizeof(x->ring->out);     /* a broken index: take what is there */
    for ( ; cons != prod; cons++ )
    {
        char c = x->ring->out[MASK_XENCONS_IDX(cons, x->ring->out)];

        if ( c == '\n' || x->line_len == sizeof(x->line) )
            console_put_line(x);
        if ( c != '\n' && ((c >= 0x20 && c < 0x7f) || c == '\t') )
            x->line[x->line_len++] = c;
    }
    asm volatile ( "" ::: "memory" );
    x->ring->out_cons = cons;
    evtchn_send(x->port);                       /* room again */
}

static void console_detach(struct xl_dom *x)
{
    unsigned int slot = (unsigned int)(x - doms);

    console_drain(x);
    if ( x->line_len )
        console_put_line(x);
    if ( x->ring )
    {
        (void)evtchn_close(x->port);
        if ( map_window(slot, x->saved_pte, DOMID_SELF) )
            error("cannot unmap the console of domain %u", x->id);
        x->ring = NULL;
    }
}

/* ------------------------------------------------------------------------
 * Domains we made, and what to do when one stops.
 */

static struct xl_dom *find_dom(domid_t id)
{
    for ( unsigned int i = 0; i < XL_MAX_DOMS; i++ )
        if ( doms[i].used && doms[i].id == id )
            return &doms[i];
    return NULL;
}

static long destroy(struct xl_dom *x, domid_t id)
{
    struct xen_domctl op;

    if ( x )
    {
        console_detach(x);
        x->used = false;
    }
    memset(&op, 0, sizeof(op));
    return domctl(&op, XEN_DOMCTL_destroydomain, id);
}

static int create(const struct xl_cfg *c, domid_t *out);

/* A domain shut down: its config's on_poweroff / on_reboot / on_crash. */
static void domain_stopped(struct xl_dom *x, unsigned int reason)
{
    static const char *const reasons[] = { "poweroff", "reboot", "suspend", "crash", "watchdog",
                                           "soft_reset" };
    enum xl_action a = reason == SHUTDOWN_poweroff ? x->cfg.on_poweroff :
                       reason == SHUTDOWN_reboot || reason == SHUTDOWN_watchdog ? x->cfg.on_reboot :
                       x->cfg.on_crash;
    struct xl_cfg cfg = x->cfg;
    unsigned int restarts = x->restarts;
    domid_t id = x->id, nid;

    console_drain(x);
    if ( x->line_len )
        console_put_line(x);
    if ( a == ACT_RESTART && restarts >= XL_MAX_RESTARTS )
    {
        printk("xl: domain %u (%s) restarted %u times: destroying it\n", id, cfg.name, restarts);
        a = ACT_DESTROY;
    }
    printk("xl: domain %u (%s) %s: %s\n", id, cfg.name,
           reason < ARRAY_SIZE(reasons) ? reasons[reason] : "shut down", action_names[a]);
    /* A test guest's verdict, as xtf-runner takes it: anything but SUCCESS
     * or SKIP is a failure of the run (a crash before it, too). */
    if ( x->result[0] && strcmp(x->result, "SUCCESS") && strcmp(x->result, "SKIP") )
        error("domain %u (%s): Test result: %s", id, cfg.name, x->result);
    if ( a == ACT_PRESERVE )
    {
        x->handled = true;
        return;
    }
    if ( destroy(x, id) )
        error("cannot destroy domain %u", id);
    if ( a == ACT_RESTART && create(&cfg, &nid) == 0 )
    {
        find_dom(nid)->restarts = restarts + 1;
        printk("xl: domain %s restarted as %u\n", cfg.name, nid);
    }
}

/* Consoles drained, stopped domains handled. */
static void pump(void)
{
    bool exc = evtchn_test_and_clear(dom_exc_port);

    for ( unsigned int i = 0; i < XL_MAX_DOMS; i++ )
    {
        struct xl_dom *x = &doms[i];
        struct xen_domctl_getdomaininfo info;

        if ( !x->used )
            continue;
        if ( x->ring )
        {
            (void)evtchn_test_and_clear(x->port);
            console_drain(x);
        }
        if ( !exc || x->handled )
            continue;
        if ( getinfo(x->id, &info) )
        {
            console_detach(x);          /* gone behind our back */
            x->used = false;
            continue;
        }
        if ( info.flags & XEN_DOMINF_shutdown )
            domain_stopped(x, (info.flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask);
    }
}

/* Sleep until an event on our ports, or timeout_ns. */
static void wait_event(uint64_t timeout_ns)
{
    evtchn_port_t ports[XL_MAX_DOMS + 2];
    struct sched_poll poll = { .timeout = time_now_ns() + timeout_ns };
    unsigned int n = 0;

    ports[n++] = dom_exc_port;
    if ( console_port )
        ports[n++] = console_port;
    for ( unsigned int i = 0; i < XL_MAX_DOMS; i++ )
        if ( doms[i].used && doms[i].ring )
            ports[n++] = doms[i].port;
    poll.ports = (uint32_t)(unsigned long)ports;
    poll.nr_ports = n;
    HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
}

/* ------------------------------------------------------------------------
 * Configs: xl.cfg's syntax, a subset of its keys.
 */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static bool parse_uint(const char *s, unsigned int *out)
{
    unsigned int v = 0;

    if ( *s < '0' || *s > '9' )
        return false;
    for ( ; *s >= '0' && *s <= '9'; s++ )
    {
        if ( v > 100000000u )
            return false;
        v = v * 10 + (unsigned int)(*s - '0');
    }
    *out = v;
    return *s == '\0';
}

static bool parse_action(const char *v, enum xl_action *a)
{
    for ( unsigned int i = 0; i < ARRAY_SIZE(action_names); i++ )
        if ( !strcmp(v, action_names[i]) )
        {
            *a = (enum xl_action)i;
            return true;
        }
    return false;
}

/* A file of the initrd; a path not there is looked up by its last part (an
 * XTF config names its kernel by the path it was built at). */
static const char *file_data(const char *name, uint32_t *size)
{
    struct cpio_entry e;
    const char *base = name;

    for ( const char *p = name; *p; p++ )
        if ( *p == '/' )
            base = p + 1;
    if ( !initrd || (cpio_find(initrd, initrd_len, name, &e) &&
                     cpio_find(initrd, initrd_len, base, &e)) )
        return NULL;
    *size = e.size;
    return (const char *)e.data;
}

static int cfg_set(struct xl_cfg *c, const char *key, const char *val, const char *file,
                   unsigned int lineno);

/*
 * A disk: "phy:DISK:START+NR,VDEV,MODE" - Xen's "target,vdev,access" with
 * pvx's target, a range of sectors of one of the machine's disks (there are
 * no block devices in Domain 0 to name); VDEV xvda..xvdz (Linux's numbers:
 * 202 << 8, 16 apart), MODE r/ro or w/rw.
 */
struct xl_disk {
    uint32_t disk;
    uint64_t start, nr;
    uint16_t vdev, mode;
};

static bool parse_u64(const char **p, uint64_t *out)
{
    uint64_t v = 0;

    if ( **p < '0' || **p > '9' )
        return false;
    for ( ; **p >= '0' && **p <= '9'; (*p)++ )
    {
        if ( v > (UINT64_MAX - 9) / 10 )
            return false;
        v = v * 10 + (uint64_t)(**p - '0');
    }
    *out = v;
    return true;
}

static bool parse_vdev(const char *s, size_t len, uint16_t *vdev)
{
    if ( len != 4 || strncmp(s, "xvd", 3) || s[3] < 'a' || s[3] > 'z' )
        return false;
    *vdev = (uint16_t)((202u << 8) + (unsigned int)(s[3] - 'a') * 16);
    return true;
}

static bool parse_disk(const char *spec, struct xl_disk *d)
{
    const char *p = spec, *comma;
    uint64_t disk;

    if ( strncmp(p, "phy:", 4) )
        return false;
    p += 4;
    if ( !parse_u64(&p, &disk) || disk > 0xffff || *p++ != ':' || !parse_u64(&p, &d->start) ||
         *p++ != '+' || !parse_u64(&p, &d->nr) || d->nr == 0 || *p++ != ',' )
        return false;
    d->disk = (uint32_t)disk;
    comma = strchr(p, ',');
    if ( !comma || !parse_vdev(p, (size_t)(comma - p), &d->vdev) )
        return false;
    p = comma + 1;
    if ( !strcmp(p, "r") || !strcmp(p, "ro") )
        d->mode = PVX_VBD_MODE_R;
    else if ( !strcmp(p, "w") || !strcmp(p, "rw") )
        d->mode = PVX_VBD_MODE_RW;
    else
        return false;
    return true;
}

/* The VBD in the hypervisor: made, then its one extent; undone on a refusal. */
static long vbd_attach(domid_t id, const struct xl_disk *d)
{
    struct xen_domctl op;
    long rc;

    memset(&op, 0, sizeof(op));
    op.u.pvx_vbd.vdev = d->vdev;
    op.u.pvx_vbd.mode = d->mode;
    rc = domctl(&op, XEN_DOMCTL_pvx_vbd_create, id);
    if ( rc )
        return rc;
    memset(&op, 0, sizeof(op));
    op.u.pvx_vbd.vdev = d->vdev;
    op.u.pvx_vbd.disk = d->disk;
    op.u.pvx_vbd.start = d->start;
    op.u.pvx_vbd.nr = d->nr;
    rc = domctl(&op, XEN_DOMCTL_pvx_vbd_grow, id);
    if ( rc )
    {
        memset(&op, 0, sizeof(op));
        op.u.pvx_vbd.vdev = d->vdev;
        domctl(&op, XEN_DOMCTL_pvx_vbd_destroy, id);
    }
    return rc;
}
/*
 * A network interface: "KEY=VALUE,..." with mac=XX:XX:XX:XX:XX:XX (default
 * 00:16:3e:00:DOMID:HANDLE, Xen's prefix), ip=A.B.C.D (the address the VFR
 * lets it send from and delivers to; default none: DHCP's only) and copy
 * (receive by copy, not page flip). An empty spec takes every default.
 */
struct xl_vif {
    uint8_t mac[6];
    bool has_mac;
    uint32_t ip;
    uint16_t flags;
};

static bool parse_hex2(const char *p, uint8_t *out)
{
    unsigned int v = 0;

    for ( unsigned int i = 0; i < 2; i++ )
    {
        char c = p[i];

        v <<= 4;
        if ( c >= '0' && c <= '9' )
            v |= (unsigned int)(c - '0');
        else if ( c >= 'a' && c <= 'f' )
            v |= (unsigned int)(c - 'a' + 10);
        else if ( c >= 'A' && c <= 'F' )
            v |= (unsigned int)(c - 'A' + 10);
        else
            return false;
    }
    *out = (uint8_t)v;
    return true;
}

/* A.B.C.D up to len bytes: true and *ip (host order). */
static bool parse_ip(const char *p, size_t len, uint32_t *ip)
{
    uint32_t v = 0;
    unsigned int parts = 0;
    const char *end = p + len;

    while ( p < end )
    {
        unsigned int b = 0, digits = 0;

        for ( ; p < end && *p >= '0' && *p <= '9' && digits < 4; p++, digits++ )
            b = b * 10 + (unsigned int)(*p - '0');
        if ( !digits || b > 255 || parts == 4 )
            return false;
        v = (v << 8) | b;
        parts++;
        if ( p < end && *p++ != '.' )
            return false;
        if ( p == end && end[-1] == '.' )
            return false;
    }
    *ip = v;
    return parts == 4;
}

static bool parse_vif(const char *spec, struct xl_vif *v)
{
    const char *p = spec;

    memset(v, 0, sizeof(*v));
    while ( *p )
    {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);

        if ( len == 21 && !strncmp(p, "mac=", 4) )
        {
            for ( unsigned int i = 0; i < 6; i++ )
                if ( !parse_hex2(p + 4 + i * 3, &v->mac[i]) || (i < 5 && p[6 + i * 3] != ':') )
                    return false;
            if ( v->mac[0] & 1 )
                return false;                   /* a group address names no interface */
            v->has_mac = true;
        }
        else if ( len > 3 && !strncmp(p, "ip=", 3) )
        {
            if ( !parse_ip(p + 3, len - 3, &v->ip) || !v->ip )
                return false;
        }
        else if ( len == 4 && !strncmp(p, "copy", 4) )
            v->flags |= PVX_VIF_F_COPY;
        else if ( len )
            return false;
        p += len + (comma ? 1 : 0);
    }
    return true;
}

/* The VIF in the hypervisor at the first free handle (or the one given). */
static long vif_attach(domid_t id, int handle, const struct xl_vif *v)
{
    struct xen_domctl op;
    long rc = -ENOSPC;

    for ( int h = handle < 0 ? 0 : handle; h < XL_MAX_VIFS; h++ )
    {
        memset(&op, 0, sizeof(op));
        op.u.pvx_vif.handle = (uint16_t)h;
        op.u.pvx_vif.ipv4 = v->ip;
        op.u.pvx_vif.flags = v->flags;
        if ( v->has_mac )
            memcpy(op.u.pvx_vif.mac, v->mac, 6);
        else
        {
            static const uint8_t xen_oui[3] = { 0x00, 0x16, 0x3e };

            memcpy(op.u.pvx_vif.mac, xen_oui, 3);
            op.u.pvx_vif.mac[4] = (uint8_t)id;
            op.u.pvx_vif.mac[5] = (uint8_t)h;
        }
        rc = domctl(&op, XEN_DOMCTL_pvx_vif_create, id);
        if ( rc != -EEXIST || handle >= 0 )
            break;
    }
    return rc;
}

static int cfg_check(const struct xl_cfg *c, const char *file);

/* One config file into c: 0, or -1 with the one message printed. */
static int parse_cfg(const char *file, struct xl_cfg *c)
{
    uint32_t size, at = 0;
    const char *text = file_data(file, &size);
    unsigned int lineno = 0;

    memset(c, 0, sizeof(*c));
    snprintk(c->file, sizeof(c->file), "%s", file);
    c->memory = 8;
    c->vcpus = 1;
    c->on_poweroff = ACT_DESTROY;
    c->on_reboot = ACT_RESTART;
    c->on_crash = ACT_DESTROY;
    if ( !text )
    {
        error("config file %s: not found", file);
        return -1;
    }
    while ( at < size )
    {
        char line[XL_MAX_LINE], key[32], val[256];
        unsigned int n = 0, k = 0, v = 0;
        const char *p;

        lineno++;
        while ( at < size && text[at] != '\n' )
        {
            if ( n + 1 == sizeof(line) )
            {
                error("%s:%u: a line longer than %u bytes", file, lineno, XL_MAX_LINE - 1);
                return -1;
            }
            line[n++] = text[at++];
        }
        at++;
        line[n] = '\0';
        for ( p = line; is_space(*p); p++ )
            ;
        if ( *p == '#' || *p == '\0' )
            continue;
        while ( *p && !is_space(*p) && *p != '=' && k + 1 < sizeof(key) )
            key[k++] = *p++;
        key[k] = '\0';
        while ( is_space(*p) )
            p++;
        if ( *p != '=' )
        {
            error("%s:%u: expected KEY = VALUE", file, lineno);
            return -1;
        }
        for ( p++; is_space(*p); p++ )
            ;
        if ( *p == '"' || *p == '\'' )
        {
            char q = *p++;

            while ( *p && *p != q && v + 1 < sizeof(val) )
                val[v++] = *p++;
            if ( *p != q )
            {
                error("%s:%u: unterminated string", file, lineno);
                return -1;
            }
            p++;
        }
        else if ( *p == '[' )
        {
            /* A list, [ 'a', "b" ]: one value, the brackets and all. */
            while ( *p && *p != ']' && v + 1 < sizeof(val) )
                val[v++] = *p++;
            if ( *p != ']' || v + 2 > sizeof(val) )
            {
                error("%s:%u: unterminated list, or longer than %u bytes", file, lineno,
                      (unsigned int)sizeof(val) - 2);
                return -1;
            }
            val[v++] = *p++;
        }
        else
            while ( *p && !is_space(*p) && *p != '#' && v + 1 < sizeof(val) )
                val[v++] = *p++;
        val[v] = '\0';
        if ( cfg_set(c, key, val, file, lineno) )
            return -1;
    }
    return cfg_check(c, file);
}

/* One KEY = VALUE of a config (or of create's command line, lineno 0). */
static int cfg_set(struct xl_cfg *c, const char *key, const char *val, const char *file,
                   unsigned int lineno)
{
    /* A value cut short would be another name, another file: refused. */
    if ( !strcmp(key, "name") || !strcmp(key, "kernel") || !strcmp(key, "extra") ||
         !strcmp(key, "cmdline") )
    {
        char *dst = key[0] == 'n' ? c->name : key[0] == 'k' ? c->kernel : c->extra;
        size_t max = key[0] == 'n' ? sizeof(c->name) : key[0] == 'k' ? sizeof(c->kernel)
                                                                     : sizeof(c->extra);

        if ( strlen(val) >= max )
        {
            error("%s:%u: %s is longer than %u bytes", file, lineno, key, (unsigned int)max - 1);
            return -1;
        }
        snprintk(dst, max, "%s", val);
    }
    else if ( !strcmp(key, "memory") || !strcmp(key, "maxmem") )
    {
        if ( !parse_uint(val, &c->memory) || c->memory == 0 )
        {
            error("%s:%u: memory must be a number of MiB", file, lineno);
            return -1;
        }
    }
    else if ( !strcmp(key, "vcpus") )
    {
        if ( !parse_uint(val, &c->vcpus) || c->vcpus == 0 )
        {
            error("%s:%u: vcpus must be a number", file, lineno);
            return -1;
        }
    }
    else if ( !strcmp(key, "weight") )
    {
        if ( !parse_uint(val, &c->weight) || c->weight == 0 )
        {
            error("%s:%u: weight must be a number from 1", file, lineno);
            return -1;
        }
    }
    else if ( !strcmp(key, "type") )
    {
        if ( strcmp(val, "pv") )
        {
            error("%s:%u: type \"%s\": pvx runs PV domains only", file, lineno, val);
            return -1;
        }
    }
    else if ( !strcmp(key, "disk") )
    {
        /* [ 'SPEC', "SPEC", ... ] or one SPEC: each checked now. */
        const char *p = val;
        bool list = *p == '[';

        c->nr_disks = 0;
        while ( *p )
        {
            const char *end;
            struct xl_disk d;
            char q = 0;

            if ( list )
            {
                while ( *p == '[' || *p == ']' || *p == ',' || is_space(*p) )
                    p++;
                if ( !*p )
                    break;
                if ( *p != '\'' && *p != '"' )
                {
                    error("%s:%u: disk: each of a list's disks quoted", file, lineno);
                    return -1;
                }
                q = *p++;
            }
            end = q ? strchr(p, q) : p + strlen(p);
            if ( !end || (size_t)(end - p) >= sizeof(c->disk[0]) || c->nr_disks == XL_MAX_DISKS )
            {
                error("%s:%u: disk: at most %u disks of %u bytes", file, lineno,
                      XL_MAX_DISKS, (unsigned int)sizeof(c->disk[0]) - 1);
                return -1;
            }
            memcpy(c->disk[c->nr_disks], p, (size_t)(end - p));
            c->disk[c->nr_disks][end - p] = '\0';
            if ( !parse_disk(c->disk[c->nr_disks], &d) )
            {
                error("%s:%u: disk '%s' is not phy:DISK:START+NR,xvdX,r|w", file, lineno,
                      c->disk[c->nr_disks]);
                return -1;
            }
            c->nr_disks++;
            p = q ? end + 1 : end;
        }
    }
    else if ( !strcmp(key, "vif") )
    {
        /* [ 'SPEC', ... ]: each checked now, as the disks are. */
        const char *p = val;

        c->nr_vifs = 0;
        while ( *p )
        {
            const char *end;
            struct xl_vif v;
            char q;

            while ( *p == '[' || *p == ']' || *p == ',' || is_space(*p) )
                p++;
            if ( !*p )
                break;
            if ( *p != '\'' && *p != '"' )
            {
                error("%s:%u: vif: a list of quoted specs", file, lineno);
                return -1;
            }
            q = *p++;
            end = strchr(p, q);
            if ( !end || (size_t)(end - p) >= sizeof(c->vif[0]) || c->nr_vifs == XL_MAX_VIFS )
            {
                error("%s:%u: vif: at most %u interfaces of %u bytes", file, lineno,
                      XL_MAX_VIFS, (unsigned int)sizeof(c->vif[0]) - 1);
                return -1;
            }
            memcpy(c->vif[c->nr_vifs], p, (size_t)(end - p));
            c->vif[c->nr_vifs][end - p] = '\0';
            if ( !parse_vif(c->vif[c->nr_vifs], &v) )
            {
                error("%s:%u: vif '%s' is not mac=XX:XX:XX:XX:XX:XX,ip=A.B.C.D[,copy]", file,
                      lineno, c->vif[c->nr_vifs]);
                return -1;
            }
            c->nr_vifs++;
            p = end + 1;
        }
    }
    else if ( !strcmp(key, "loader") || !strcmp(key, "viridian") )
        ;                               /* xl's legacy key; an HVM-only one xl ignores for PV
                                         * (XTF's configs carry both): no effect */
    else if ( !strcmp(key, "max_event_channels") )
    {
        unsigned int n;

        /* Checked, not applied: every pvx domain has the 2-level ABI's 256
         * ports whatever is asked (docs/toolstack.md). */
        if ( !parse_uint(val, &n) || n == 0 )
        {
            error("%s:%u: max_event_channels must be a number from 1", file, lineno);
            return -1;
        }
    }
    else if ( !strcmp(key, "on_poweroff") || !strcmp(key, "on_reboot") ||
              !strcmp(key, "on_crash") )
    {
        enum xl_action *a = key[3] == 'p' ? &c->on_poweroff : key[3] == 'r' ? &c->on_reboot
                                                                            : &c->on_crash;

        if ( !parse_action(val, a) )
        {
            error("%s:%u: %s must be destroy, restart or preserve", file, lineno, key);
            return -1;
        }
    }
    else
    {
        error("%s:%u: unknown key '%s'", file, lineno, key);
        return -1;
    }
    return 0;
}

static int cfg_check(const struct xl_cfg *c, const char *file)
{
    if ( !c->name[0] )
    {
        error("%s: no name", file);
        return -1;
    }
    if ( !c->kernel[0] )
    {
        error("%s: no kernel", file);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Commands.
 */

static bool lookup_quiet;

/* A domain by name or id: its id, or -1 with a message. */
static int lookup(const char *s)
{
    struct xen_sysctl op;
    struct xen_domctl_getdomaininfo list[XL_MAX_DOMS + 4];
    unsigned int id;
    char name[32];

    if ( parse_uint(s, &id) )
    {
        struct xen_domctl_getdomaininfo info;

        if ( id < 0x7ff0 && getinfo((domid_t)id, &info) == 0 )
            return (int)id;
        if ( !lookup_quiet )
            error("domain %s: no such domain", s);
        return -1;
    }
    if ( !strcmp(s, "Domain-0") )
        return 0;
    memset(&op, 0, sizeof(op));
    op.u.getdomaininfolist.max_domains = ARRAY_SIZE(list);
    op.u.getdomaininfolist.buffer = (uint32_t)(unsigned long)list;
    if ( sysctl(&op, XEN_SYSCTL_getdomaininfolist) == 0 )
        for ( unsigned int i = 0; i < op.u.getdomaininfolist.num_domains; i++ )
        {
            domain_name(list[i].domain, name, sizeof(name));
            if ( !strcmp(name, s) )
                return list[i].domain;
        }
    if ( !lookup_quiet )
        error("domain '%s': no such domain", s);
    return -1;
}

static int create(const struct xl_cfg *c, domid_t *out)
{
    struct xen_domctl op;
    struct xen_sysctl phys;
    struct xl_dom *x = NULL;
    const char *image;
    uint32_t image_len;
    evtchn_port_t port;
    char err[160];
    domid_t id;
    long rc;

    for ( unsigned int i = 0; i < XL_MAX_DOMS && !x; i++ )
        if ( !doms[i].used )
            x = &doms[i];
    if ( !x )
    {
        error("%s: xl manages at most %u domains", c->name, XL_MAX_DOMS);
        return -1;
    }
    /* Checked before anything is made: one message, nothing created. */
    for ( unsigned int i = 0; i < XL_MAX_DOMS; i++ )
        if ( doms[i].used && !strcmp(doms[i].cfg.name, c->name) )
        {
            error("domain '%s' already exists (id %u)", c->name, doms[i].id);
            return -1;
        }
    if ( !strcmp(c->name, "Domain-0") )
    {
        error("domain 'Domain-0' already exists (id 0)");
        return -1;
    }
    image = file_data(c->kernel, &image_len);
    if ( !image )
    {
        error("%s: kernel %s: not found", c->name, c->kernel);
        return -1;
    }
    memset(&phys, 0, sizeof(phys));
    if ( sysctl(&phys, XEN_SYSCTL_physinfo) == 0 &&
         (uint64_t)c->memory * 256 > phys.u.physinfo.free_pages )
    {
        error("%s: memory %u MiB is more than the %u MiB free", c->name, c->memory,
              (unsigned int)(phys.u.physinfo.free_pages / 256));
        return -1;
    }

    memset(&op, 0, sizeof(op));
    op.u.createdomain.max_vcpus = c->vcpus;
    rc = domctl(&op, XEN_DOMCTL_createdomain, 0);
    if ( rc )
    {
        error("%s: createdomain: %ld", c->name, rc);
        return -1;
    }
    id = op.domain;
    memset(&op, 0, sizeof(op));
    op.u.max_mem.max_memkb = (uint64_t)c->memory << 10;
    rc = domctl(&op, XEN_DOMCTL_max_mem, id);
    if ( rc == 0 )
    {
        struct evtchn_alloc_unbound a = { .dom = id, .remote_dom = 0 };

        rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);
        port = a.port;
    }
    if ( rc == 0 )
    {
        memset(&op, 0, sizeof(op));
        err[0] = '\0';
        op.u.pvx_build.image = (uint32_t)(unsigned long)image;
        op.u.pvx_build.image_len = image_len;
        op.u.pvx_build.cmdline = (uint32_t)(unsigned long)c->extra;
        op.u.pvx_build.err = (uint32_t)(unsigned long)err;
        op.u.pvx_build.err_len = sizeof(err);
        op.u.pvx_build.console_port = port;
        snprintk(op.u.pvx_build.name, sizeof(op.u.pvx_build.name), "%s", c->name);
        rc = domctl(&op, XEN_DOMCTL_pvx_build, id);
        if ( rc )
        {
            error("%s: kernel %s: %s", c->name, c->kernel, err[0] ? err : "refused");
            destroy(NULL, id);
            return -1;
        }
    }
    if ( rc )
    {
        error("%s: cannot set the domain up: %ld", c->name, rc);
        destroy(NULL, id);
        return -1;
    }
    memset(x, 0, sizeof(*x));
    x->used = true;
    x->id = id;
    x->cfg = *c;
    rc = console_attach(x, (unsigned int)(x - doms), op.u.pvx_build.console_mfn, port);
    if ( rc )
    {
        error("%s: cannot attach its console: %ld", c->name, rc);
        destroy(x, id);
        return -1;
    }
    for ( unsigned int i = 0; i < c->nr_disks; i++ )
    {
        struct xl_disk d;

        (void)parse_disk(c->disk[i], &d);          /* checked when read */
        rc = vbd_attach(id, &d);
        if ( rc )
        {
            error("%s: disk '%s': %ld", c->name, c->disk[i], rc);
            destroy(x, id);
            return -1;
        }
    }
    for ( unsigned int i = 0; i < c->nr_vifs; i++ )
    {
        struct xl_vif v;

        (void)parse_vif(c->vif[i], &v);            /* checked when read */
        rc = vif_attach(id, (int)i, &v);
        if ( rc )
        {
            error("%s: vif '%s': %ld", c->name, c->vif[i], rc);
            destroy(x, id);
            return -1;
        }
    }
    memset(&op, 0, sizeof(op));
    rc = domctl(&op, XEN_DOMCTL_unpausedomain, id);
    if ( rc == 0 && c->weight )
    {
        memset(&op, 0, sizeof(op));
        domctl(&op, XEN_DOMCTL_pvx_bvt_get, id);
        op.u.pvx_bvt.weight = c->weight;
        rc = domctl(&op, XEN_DOMCTL_pvx_bvt_set, id);
    }
    if ( rc )
    {
        error("%s: cannot start it: %ld", c->name, rc);
        destroy(x, id);
        return -1;
    }
    *out = id;
    return 0;
}

/* create CFG [KEY=VALUE...]: as xl, the pairs override the file's. */
static void cmd_create(char **argv, unsigned int argc)
{
    struct xl_cfg c;
    domid_t id;

    printk("Parsing config from %s\n", argv[1]);
    if ( parse_cfg(argv[1], &c) )
        return;
    for ( unsigned int i = 2; i < argc; i++ )
    {
        char *eq = argv[i];

        while ( *eq && *eq != '=' )
            eq++;
        if ( !*eq )
        {
            error("create: %s is not KEY=VALUE", argv[i]);
            return;
        }
        *eq = '\0';
        if ( cfg_set(&c, argv[i], eq + 1, "command line", 0) || cfg_check(&c, argv[1]) )
            return;
    }
    if ( create(&c, &id) == 0 )
        printk("xl: domain %u (%s) created\n", id, c.name);
}

static void state_chars(const struct xen_domctl_getdomaininfo *i, char s[7])
{
    unsigned int code = (i->flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask;
    bool shut = i->flags & XEN_DOMINF_shutdown;

    s[0] = i->flags & XEN_DOMINF_running ? 'r' : '-';
    s[1] = i->flags & XEN_DOMINF_blocked ? 'b' : '-';
    s[2] = i->flags & XEN_DOMINF_paused ? 'p' : '-';
    s[3] = shut && code != SHUTDOWN_crash ? 's' : '-';
    s[4] = shut && code == SHUTDOWN_crash ? 'c' : '-';
    s[5] = i->flags & XEN_DOMINF_dying ? 'd' : '-';
    s[6] = '\0';
}

static void cmd_list(void)
{
    struct xen_domctl_getdomaininfo list[XL_MAX_DOMS + 4];
    struct xen_sysctl op;

    memset(&op, 0, sizeof(op));
    op.u.getdomaininfolist.max_domains = ARRAY_SIZE(list);
    op.u.getdomaininfolist.buffer = (uint32_t)(unsigned long)list;
    if ( sysctl(&op, XEN_SYSCTL_getdomaininfolist) )
    {
        error("list: getdomaininfolist failed");
        return;
    }
    printk("%-40s %5s %5s %5s\t%s\t%s\n", "Name", "ID", "Mem", "VCPUs", "State", "Time(s)");
    for ( unsigned int i = 0; i < op.u.getdomaininfolist.num_domains; i++ )
    {
        const struct xen_domctl_getdomaininfo *d = &list[i];
        uint64_t tenths = d->cpu_time / 100000000u;
        char name[32], st[7];

        domain_name(d->domain, name, sizeof(name));
        state_chars(d, st);
        printk("%-40s %5u %5u %5u     %s  %6u.%u\n", name, d->domain,
               (unsigned int)(d->tot_pages >> 8), d->nr_online_vcpus, st,
               (unsigned int)(tenths / 10), (unsigned int)(tenths % 10));
    }
}

static void cmd_simple(const char *what, uint32_t cmd, const char *dom)
{
    struct xen_domctl op;
    int id = lookup(dom);
    long rc;

    if ( id < 0 )
        return;
    memset(&op, 0, sizeof(op));
    rc = domctl(&op, cmd, (domid_t)id);
    if ( rc )
        error("%s %s: %ld", what, dom, rc);
}

static void cmd_destroy(const char *dom)
{
    int id = lookup(dom);

    if ( id < 0 )
        return;
    if ( id == 0 )
    {
        error("destroy: not Domain-0");
        return;
    }
    if ( destroy(find_dom((domid_t)id), (domid_t)id) )
        error("destroy %s: failed", dom);
}

static bool all_handled(int only)
{
    for ( unsigned int i = 0; i < XL_MAX_DOMS; i++ )
        if ( doms[i].used && !doms[i].handled && (only < 0 || doms[i].id == only) )
            return false;
    return true;
}

static void wait_for(int only)
{
    while ( !all_handled(only) )
    {
        wait_event(50000000ull);
        pump();
    }
}

static void cmd_shutdown(const char *arg, bool wait)
{
    int only = -1;

    for ( unsigned int i = 0; i < XL_MAX_DOMS; i++ )
    {
        struct sched_remote_shutdown rs = { .reason = SHUTDOWN_poweroff };

        if ( !doms[i].used || doms[i].handled )
            continue;
        if ( strcmp(arg, "-a") )
        {
            only = lookup(arg);
            if ( only < 0 )
                return;
            if ( doms[i].id != only )
                continue;
        }
        rs.domain_id = doms[i].id;
        if ( HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs) )
            error("shutdown %u: refused", doms[i].id);
    }
    if ( wait )
        wait_for(only);
}

static void cmd_console(const char *dom)
{
    int id = lookup(dom);

    if ( id < 0 )
        return;
    if ( !find_dom((domid_t)id) )
    {
        error("console %s: not a domain of this toolstack", dom);
        return;
    }
    /* Attached: its lines show as they come, until it stops. */
    wait_for(id);
}

static void cmd_dmesg(bool clear)
{
    static char buf[4096];
    struct xen_sysctl op;

    memset(&op, 0, sizeof(op));
    op.u.readconsole.buffer = (uint32_t)(unsigned long)buf;
    op.u.readconsole.count = sizeof(buf);
    op.u.readconsole.clear = clear;
    if ( sysctl(&op, XEN_SYSCTL_readconsole) )
    {
        error("dmesg: readconsole failed");
        return;
    }
    /* The hypervisor's lines as Xen's xl dmesg shows its "(XEN)" lines; our
     * own console output must not pass for the hypervisor's: indented. */
    for ( uint32_t i = 0, start = 0; i < op.u.readconsole.count; i++ )
        if ( buf[i] == '\n' )
        {
            printk("  %.*s\n", (int)(i - start), buf + start);
            start = i + 1;
        }
}

static void cmd_mem(const char *dom, const char *mem)
{
    struct xen_domctl op;
    unsigned int mib;
    int id = lookup(dom);

    if ( id < 0 )
        return;
    if ( !parse_uint(mem, &mib) )
    {
        error("mem-set: %s is not a number of MiB", mem);
        return;
    }
    memset(&op, 0, sizeof(op));
    op.u.max_mem.max_memkb = (uint64_t)mib << 10;
    if ( domctl(&op, XEN_DOMCTL_max_mem, (domid_t)id) )
        error("mem-set %s: refused", dom);
}

/* block-attach DOM SPEC, block-detach DOM VDEV, block-list DOM. */
static void cmd_block_attach(const char *dom, const char *spec)
{
    struct xl_disk d;
    int id = lookup(dom);
    long rc;

    if ( id < 0 )
        return;
    if ( !parse_disk(spec, &d) )
    {
        error("block-attach: '%s' is not phy:DISK:START+NR,xvdX,r|w", spec);
        return;
    }
    rc = vbd_attach((domid_t)id, &d);
    if ( rc )
        error("block-attach %s %s: %ld", dom, spec, rc);
}

static void cmd_block_detach(const char *dom, const char *vdev)
{
    struct xen_domctl op;
    int id = lookup(dom);
    long rc;

    if ( id < 0 )
        return;
    memset(&op, 0, sizeof(op));
    if ( !parse_vdev(vdev, strlen(vdev), &op.u.pvx_vbd.vdev) )
    {
        error("block-detach: '%s' is no xvdX", vdev);
        return;
    }
    rc = domctl(&op, XEN_DOMCTL_pvx_vbd_destroy, (domid_t)id);
    if ( rc )
        error("block-detach %s %s: %ld", dom, vdev, rc);
}

static void cmd_block_list(const char *dom)
{
    struct xen_domctl op;
    int id = lookup(dom);

    if ( id < 0 )
        return;
    printk("Vdev  Name  Mode  Sectors  Extents\n");
    for ( uint32_t i = 0; ; i++ )
    {
        memset(&op, 0, sizeof(op));
        op.u.pvx_vbd.index = i;
        if ( domctl(&op, XEN_DOMCTL_pvx_vbd_list, (domid_t)id) )
            break;
        printk("%u  xvd%c  %s  %llu  %u\n", op.u.pvx_vbd.vdev,
               (char)('a' + ((op.u.pvx_vbd.vdev - (202u << 8)) / 16) % 26),
               op.u.pvx_vbd.mode & PVX_VBD_MODE_W ? "w" : "r",
               (unsigned long long)op.u.pvx_vbd.nr, op.u.pvx_vbd.nr_extents);
    }
}

/* network-attach DOM SPEC, network-detach DOM HANDLE, network-list DOM. */
static void cmd_network_attach(const char *dom, const char *spec)
{
    struct xl_vif v;
    int id = lookup(dom);
    long rc;

    if ( id < 0 )
        return;
    if ( !parse_vif(spec, &v) )
    {
        error("network-attach: '%s' is not mac=XX:XX:XX:XX:XX:XX,ip=A.B.C.D[,copy]", spec);
        return;
    }
    rc = vif_attach((domid_t)id, -1, &v);
    if ( rc )
        error("network-attach %s %s: %ld", dom, spec, rc);
}

static void cmd_network_detach(const char *dom, const char *handle)
{
    struct xen_domctl op;
    unsigned int h;
    int id = lookup(dom);
    long rc;

    if ( id < 0 )
        return;
    if ( !parse_uint(handle, &h) || h > 0xffff )
    {
        error("network-detach: '%s' is no interface number", handle);
        return;
    }
    memset(&op, 0, sizeof(op));
    op.u.pvx_vif.handle = (uint16_t)h;
    rc = domctl(&op, XEN_DOMCTL_pvx_vif_destroy, (domid_t)id);
    if ( rc )
        error("network-detach %s %s: %ld", dom, handle, rc);
}

static void ip_print(char *buf, size_t len, uint32_t ip)
{
    if ( !ip )
        snprintk(buf, len, "-");
    else
        snprintk(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

static void cmd_network_list(const char *dom)
{
    struct xen_domctl op;
    int id = lookup(dom);

    if ( id < 0 )
        return;
    printk("Idx  VIF  MAC                IP          Mode  Posted  TX  RX  NoFrame  Bad\n");
    for ( uint32_t i = 0; ; i++ )
    {
        const struct xen_domctl_pvx_vif *v = &op.u.pvx_vif;
        char ip[16];

        memset(&op, 0, sizeof(op));
        op.u.pvx_vif.index = i;
        if ( domctl(&op, XEN_DOMCTL_pvx_vif_list, (domid_t)id) )
            break;
        ip_print(ip, sizeof(ip), v->ipv4);
        printk("%u  %u  %02x:%02x:%02x:%02x:%02x:%02x  %s  %s%s  %u  %llu  %llu  %llu  %llu\n",
               v->handle, v->vif, v->mac[0], v->mac[1], v->mac[2], v->mac[3], v->mac[4],
               v->mac[5], ip, v->flags & PVX_VIF_F_COPY ? "copy" : "flip",
               v->flags & PVX_VIF_F_CONNECTED ? "" : ",down", v->posted,
               (unsigned long long)v->tx_packets, (unsigned long long)v->rx_packets,
               (unsigned long long)v->rx_no_frame, (unsigned long long)v->bad_requests);
    }
}

/*
 * VFR rules: vfr-rule-add tx|rx KEY=VALUE... with action=accept|drop|VIF
 * (deliver to the VFR's VIF number), index=N (default: at the end),
 * proto=icmp|tcp|udp|N, src=A.B.C.D[/LEN], dst=A.B.C.D[/LEN],
 * sport=LO[-HI], dport=LO[-HI], vif=N (tx: the sender).
 */
static bool parse_dir(const char *s, uint32_t *dir)
{
    if ( !strcmp(s, "tx") )
        *dir = PVX_VFR_TX;
    else if ( !strcmp(s, "rx") )
        *dir = PVX_VFR_RX;
    else
        return false;
    return true;
}

static bool parse_ports(const char *s, uint16_t *lo, uint16_t *hi)
{
    const char *dash = strchr(s, '-');
    char a[8];
    unsigned int l, h;

    if ( !dash )
    {
        if ( !parse_uint(s, &l) || l == 0 || l > 0xffff )
            return false;
        *lo = *hi = (uint16_t)l;
        return true;
    }
    if ( (size_t)(dash - s) >= sizeof(a) )
        return false;
    memcpy(a, s, (size_t)(dash - s));
    a[dash - s] = '\0';
    if ( !parse_uint(a, &l) || !parse_uint(dash + 1, &h) || l > h || h == 0 || h > 0xffff )
        return false;
    *lo = (uint16_t)l;
    *hi = (uint16_t)h;
    return true;
}

static bool parse_net(const char *s, uint32_t *ip, uint32_t *mask)
{
    const char *slash = strchr(s, '/');
    unsigned int len = 32;

    if ( slash && (!parse_uint(slash + 1, &len) || len > 32) )
        return false;
    if ( !parse_ip(s, slash ? (size_t)(slash - s) : strlen(s), ip) )
        return false;
    *mask = len ? ~0u << (32 - len) : 0;
    *ip &= *mask;
    return true;
}

static void cmd_vfr_rule_add(char **argv, unsigned int argc)
{
    struct xen_domctl op;
    struct pvx_vfr_rule *r = &op.u.pvx_vfr.rule;
    bool at_end = true, has_action = false;
    long rc;

    memset(&op, 0, sizeof(op));
    r->in_vif = PVX_VFR_ANY_VIF;
    if ( argc < 3 || !parse_dir(argv[1], &op.u.pvx_vfr.dir) )
        goto usage;
    for ( unsigned int i = 2; i < argc; i++ )
    {
        const char *a = argv[i], *v = strchr(a, '=');
        unsigned int n = 0;
        bool ok = true;

        if ( !v )
            goto usage;
        v++;
        if ( !strncmp(a, "action=", 7) )
        {
            has_action = true;
            if ( !strcmp(v, "accept") )
                r->action = PVX_VFR_ACCEPT;
            else if ( !strcmp(v, "drop") )
                r->action = PVX_VFR_DROP;
            else if ( (ok = parse_uint(v, &n) && n < PVX_VFR_MAX_VIFS) )
            {
                r->action = PVX_VFR_DELIVER;
                r->to_vif = (uint16_t)n;
            }
        }
        else if ( !strncmp(a, "index=", 6) )
        {
            ok = parse_uint(v, &op.u.pvx_vfr.index);
            at_end = false;
        }
        else if ( !strncmp(a, "proto=", 6) )
        {
            if ( !strcmp(v, "icmp") )
                r->proto = 1;
            else if ( !strcmp(v, "tcp") )
                r->proto = 6;
            else if ( !strcmp(v, "udp") )
                r->proto = 17;
            else if ( (ok = parse_uint(v, &n) && n && n < 256) )
                r->proto = (uint8_t)n;
        }
        else if ( !strncmp(a, "src=", 4) )
            ok = parse_net(v, &r->src_ip, &r->src_ip_mask);
        else if ( !strncmp(a, "dst=", 4) )
            ok = parse_net(v, &r->dst_ip, &r->dst_ip_mask);
        else if ( !strncmp(a, "sport=", 6) )
            ok = parse_ports(v, &r->sport_lo, &r->sport_hi);
        else if ( !strncmp(a, "dport=", 6) )
            ok = parse_ports(v, &r->dport_lo, &r->dport_hi);
        else if ( !strncmp(a, "vif=", 4) )
        {
            ok = parse_uint(v, &n) && n < PVX_VFR_MAX_VIFS;
            r->in_vif = (uint16_t)n;
        }
        else
            ok = false;
        if ( !ok )
        {
            error("vfr-rule-add: '%s'", a);
            return;
        }
    }
    if ( !has_action )
        goto usage;
    if ( at_end )
    {
        struct xen_domctl l;

        memset(&l, 0, sizeof(l));
        l.u.pvx_vfr.dir = op.u.pvx_vfr.dir;
        l.u.pvx_vfr.index = 0;
        rc = domctl(&l, XEN_DOMCTL_pvx_vfr_list, 0);
        op.u.pvx_vfr.index = rc == 0 ? l.u.pvx_vfr.nr_rules : 0;
    }
    rc = domctl(&op, XEN_DOMCTL_pvx_vfr_add, 0);
    if ( rc )
        error("vfr-rule-add: %ld", rc);
    return;

 usage:
    error("vfr-rule-add tx|rx action=accept|drop|VIF [index=N] [proto=P] [src=IP[/LEN]] "
          "[dst=IP[/LEN]] [sport=LO[-HI]] [dport=LO[-HI]] [vif=N]");
}

static void cmd_vfr_rule_del(const char *dir, const char *index)
{
    struct xen_domctl op;
    long rc;

    memset(&op, 0, sizeof(op));
    if ( !parse_dir(dir, &op.u.pvx_vfr.dir) || !parse_uint(index, &op.u.pvx_vfr.index) )
    {
        error("vfr-rule-del tx|rx INDEX");
        return;
    }
    rc = domctl(&op, XEN_DOMCTL_pvx_vfr_remove, 0);
    if ( rc )
        error("vfr-rule-del %s %s: %ld", dir, index, rc);
}

static void cmd_vfr_rule_list(const char *dir)
{
    static const char *const actions[] = { "accept", "drop", "deliver" };
    struct xen_domctl op;
    uint32_t d;

    if ( !parse_dir(dir, &d) )
    {
        error("vfr-rule-list tx|rx");
        return;
    }
    printk("Idx  Action  Proto  Src  Dst  Sport  Dport  Hits\n");
    for ( uint32_t i = 0; ; i++ )
    {
        const struct pvx_vfr_rule *r = &op.u.pvx_vfr.rule;
        char src[20], dst[20];

        memset(&op, 0, sizeof(op));
        op.u.pvx_vfr.dir = d;
        op.u.pvx_vfr.index = i;
        if ( domctl(&op, XEN_DOMCTL_pvx_vfr_list, 0) )
            break;
        ip_print(src, sizeof(src), r->src_ip_mask ? r->src_ip : 0);
        ip_print(dst, sizeof(dst), r->dst_ip_mask ? r->dst_ip : 0);
        printk("%u  %s%s%.0u  %u  %s  %s  %u-%u  %u-%u  %llu\n", i,
               actions[r->action < 3 ? r->action : 1], r->action == PVX_VFR_DELIVER ? ":" : "",
               r->action == PVX_VFR_DELIVER ? r->to_vif : 0, r->proto, src, dst, r->sport_lo,
               r->sport_hi, r->dport_lo, r->dport_hi, (unsigned long long)r->hits);
    }
}

static void cmd_sched_bvt(char **argv, unsigned int argc)
{
    struct xen_domctl op;
    int id = -1;
    unsigned int weight = 0;

    for ( unsigned int i = 1; i + 1 < argc; i += 2 )
        if ( !strcmp(argv[i], "-d") )
            id = lookup(argv[i + 1]);
        else if ( !strcmp(argv[i], "-w") && !parse_uint(argv[i + 1], &weight) )
            weight = 0;
    if ( argc > 1 && id < 0 )
        return;
    if ( weight && id >= 0 )
    {
        memset(&op, 0, sizeof(op));
        domctl(&op, XEN_DOMCTL_pvx_bvt_get, (domid_t)id);
        op.u.pvx_bvt.weight = weight;
        if ( domctl(&op, XEN_DOMCTL_pvx_bvt_set, (domid_t)id) )
            error("sched-bvt: weight %u refused", weight);
        return;
    }
    printk("%-40s %5s %6s %5s\n", "Name", "ID", "Weight", "Warp");
    for ( unsigned int d = 0; d < 1024; d++ )
    {
        char name[32];

        if ( id >= 0 && (int)d != id )
            continue;
        memset(&op, 0, sizeof(op));
        if ( domctl(&op, XEN_DOMCTL_pvx_bvt_get, (domid_t)d) )
            continue;
        domain_name((domid_t)d, name, sizeof(name));
        printk("%-40s %5u %6u %5s\n", name, d, op.u.pvx_bvt.weight,
               op.u.pvx_bvt.warp_enabled ? "on" : "off");
    }
}

static void cmd_sched_rr(void)
{
    struct xen_sysctl op;

    memset(&op, 0, sizeof(op));
    if ( sysctl(&op, XEN_SYSCTL_sched_id) )
        return;
    printk("scheduler: %s (round robin has no per-domain parameters)\n",
           op.u.sched_id.sched_id == XEN_SCHEDULER_PVX_RR ? "rr" : "bvt");
}

static void cmd_info(void)
{
    struct xen_sysctl op;
    char extra[XEN_EXTRAVERSION_LEN];
    long v = HYPERVISOR_xen_version(XENVER_version, NULL);

    memset(&op, 0, sizeof(op));
    memset(extra, 0, sizeof(extra));
    HYPERVISOR_xen_version(XENVER_extraversion, extra);
    if ( sysctl(&op, XEN_SYSCTL_physinfo) )
    {
        error("info: physinfo failed");
        return;
    }
    printk("nr_cpus                : %u\n", op.u.physinfo.nr_cpus);
    printk("nr_nodes               : %u\n", op.u.physinfo.nr_nodes);
    printk("total_memory           : %u\n", (unsigned int)(op.u.physinfo.total_pages / 256));
    printk("free_memory            : %u\n", (unsigned int)(op.u.physinfo.free_pages / 256));
    printk("xen_major              : %ld\n", v >> 16);
    printk("xen_minor              : %ld\n", v & 0xffff);
    printk("xen_extra              : %s\n", extra);
    printk("xen_caps               : xen-3.0-x86_32p\n");
}

static void cmd_ls(void)
{
    struct cpio_entry e;
    size_t at = 0;

    while ( initrd && cpio_next(initrd, initrd_len, &at, &e) == 1 )
        printk("%8u %s\n", e.size, e.name);
}

static void interactive(void);

static void run_command(char *line)
{
    char *argv[12];
    unsigned int argc = 0;
    char *p = line;

    while ( *p && argc < ARRAY_SIZE(argv) )
    {
        while ( is_space(*p) )
            *p++ = '\0';
        if ( !*p || *p == '#' )
            break;
        argv[argc++] = p;
        while ( *p && !is_space(*p) )
            p++;
    }
    if ( *p == '#' )
        *p = '\0';
    if ( argc == 0 )
        return;
    if ( !strcmp(argv[0], "echo") )
    {
        for ( unsigned int i = 1; i < argc; i++ )
            printk("%s%s", argv[i], i + 1 < argc ? " " : "");
        printk("\n");
        return;
    }
    printk("# xl");
    for ( unsigned int i = 0; i < argc; i++ )
        printk(" %s", argv[i]);
    printk("\n");

#define ARGS(n) if ( argc != (n) ) { error("%s: expects %u argument(s)", argv[0], (n) - 1); return; }
    if ( !strcmp(argv[0], "create") )
    {
        if ( argc < 2 )
        {
            error("create: create CFG [KEY=VALUE...]");
            return;
        }
        cmd_create(argv, argc);
    }
    else if ( !strcmp(argv[0], "exit") || !strcmp(argv[0], "quit") )
        quit = true;
    else if ( !strcmp(argv[0], "interactive") )
        interactive();
    else if ( !strcmp(argv[0], "errors") )
    {
        unsigned int want;

        /* Scripts of bad input: the failures so far were the expected ones. */
        ARGS(2);
        if ( !parse_uint(argv[1], &want) || want != errors )
            error("errors: %u so far, the script expected %s", errors, argv[1]);
        else
        {
            printk("xl: %u error(s), as the script expected\n", errors);
            errors = 0;
        }
    }
    else if ( !strcmp(argv[0], "free") )
    {
        static uint64_t mark;
        struct xen_sysctl op;

        memset(&op, 0, sizeof(op));
        if ( sysctl(&op, XEN_SYSCTL_physinfo) )
            return;
        if ( argc > 1 && !strcmp(argv[1], "check") )
        {
            if ( op.u.physinfo.free_pages != mark )
                error("free pages: %u, %u at the mark", (unsigned int)op.u.physinfo.free_pages,
                      (unsigned int)mark);
            else
                printk("free pages: %u, as at the mark\n", (unsigned int)op.u.physinfo.free_pages);
        }
        else
        {
            mark = op.u.physinfo.free_pages;
            printk("free pages: %u (the mark)\n", (unsigned int)mark);
        }
    }
    else if ( !strcmp(argv[0], "list") ) { ARGS(1); cmd_list(); }
    else if ( !strcmp(argv[0], "destroy") ) { ARGS(2); cmd_destroy(argv[1]); }
    else if ( !strcmp(argv[0], "shutdown") )
    {
        bool w = argc == 3 && !strcmp(argv[1], "-w");

        if ( argc != 2 && !w )
        {
            error("shutdown: shutdown [-w] DOM|-a");
            return;
        }
        cmd_shutdown(argv[argc - 1], w);
    }
    else if ( !strcmp(argv[0], "pause") ) { ARGS(2); cmd_simple("pause", XEN_DOMCTL_pausedomain, argv[1]); }
    else if ( !strcmp(argv[0], "unpause") ) { ARGS(2); cmd_simple("unpause", XEN_DOMCTL_unpausedomain, argv[1]); }
    else if ( !strcmp(argv[0], "console") ) { ARGS(2); cmd_console(argv[1]); }
    else if ( !strcmp(argv[0], "dmesg") ) cmd_dmesg(argc > 1 && !strcmp(argv[1], "-c"));
    else if ( !strcmp(argv[0], "mem-set") || !strcmp(argv[0], "mem-max") ) { ARGS(3); cmd_mem(argv[1], argv[2]); }
    else if ( !strcmp(argv[0], "block-attach") ) { ARGS(3); cmd_block_attach(argv[1], argv[2]); }
    else if ( !strcmp(argv[0], "block-detach") ) { ARGS(3); cmd_block_detach(argv[1], argv[2]); }
    else if ( !strcmp(argv[0], "block-list") ) { ARGS(2); cmd_block_list(argv[1]); }
    else if ( !strcmp(argv[0], "network-attach") ) { ARGS(3); cmd_network_attach(argv[1], argv[2]); }
    else if ( !strcmp(argv[0], "network-detach") ) { ARGS(3); cmd_network_detach(argv[1], argv[2]); }
    else if ( !strcmp(argv[0], "network-list") ) { ARGS(2); cmd_network_list(argv[1]); }
    else if ( !strcmp(argv[0], "vfr-rule-add") ) cmd_vfr_rule_add(argv, argc);
    else if ( !strcmp(argv[0], "vfr-rule-del") ) { ARGS(3); cmd_vfr_rule_del(argv[1], argv[2]); }
    else if ( !strcmp(argv[0], "vfr-rule-list") ) { ARGS(2); cmd_vfr_rule_list(argv[1]); }
    else if ( !strcmp(argv[0], "sched-bvt") ) cmd_sched_bvt(argv, argc);
    else if ( !strcmp(argv[0], "sched-rr") ) cmd_sched_rr();
    else if ( !strcmp(argv[0], "info") ) cmd_info();
    else if ( !strcmp(argv[0], "ls") ) cmd_ls();
    else if ( !strcmp(argv[0], "wait") )
    {
        int id;

        /* A domain that is gone already (its run over and handled) is no wait. */
        lookup_quiet = true;
        id = argc > 1 ? lookup(argv[1]) : -1;
        lookup_quiet = false;
        if ( argc == 1 || id >= 0 )
            wait_for(id);
    }
    else if ( !strcmp(argv[0], "sleep") )
    {
        unsigned int ms;

        ARGS(2);
        if ( parse_uint(argv[1], &ms) )
        {
            uint64_t end = time_now_ns() + (uint64_t)ms * 1000000u;

            while ( time_now_ns() < end )
            {
                wait_event(end - time_now_ns());
                pump();
            }
        }
    }
    else
        error("unknown command '%s'", argv[0]);
#undef ARGS
    pump();
}

/*
 * Commands typed on the console (console_io CONSOLEIO_read, VIRQ_CONSOLE:
 * COM1 on x86, the simulator's standard input), one a line, until exit or
 * quit. Domains' consoles and stopped domains are served meanwhile.
 */
static void interactive(void)
{
    char line[XL_MAX_LINE];
    unsigned int n = 0;

    if ( !console_port && evtchn_bind_virq(VIRQ_CONSOLE, &console_port) )
    {
        error("interactive: cannot bind VIRQ_CONSOLE");
        return;
    }
    printk("xl: reading commands from the console (exit to end)\n");
    while ( !quit )
    {
        char buf[64];
        long got = HYPERVISOR_console_io(CONSOLEIO_read, sizeof(buf), buf);

        if ( got <= 0 )
        {
            wait_event(100000000ull);
            (void)evtchn_test_and_clear(console_port);
            pump();
            continue;
        }
        for ( long i = 0; i < got && !quit; i++ )
        {
            if ( buf[i] == '\r' || buf[i] == '\n' )
            {
                line[n] = '\0';
                if ( n )
                    run_command(line);
                n = 0;
            }
            else if ( n + 1 < sizeof(line) && buf[i] >= 0x20 && buf[i] < 0x7f )
                line[n++] = buf[i];
        }
    }
}

static void run_script(const char *name)
{
    uint32_t size, at = 0;
    const char *text = file_data(name, &size);

    if ( !text )
    {
        error("script %s: not found in the initrd", name);
        return;
    }
    while ( at < size && !quit )
    {
        char line[XL_MAX_LINE];
        unsigned int n = 0;

        while ( at < size && text[at] != '\n' )
        {
            if ( n + 1 < sizeof(line) )
                line[n++] = text[at];
            at++;
        }
        at++;
        line[n] = '\0';
        run_command(line);
    }
}

void test_main(void)
{
    char script[64] = "boot.xl";
    const char *arg;
    long rc;

    events_init();
    if ( start_info->mod_start && start_info->mod_len )
    {
        initrd = (const uint8_t *)(unsigned long)start_info->mod_start;
        initrd_len = start_info->mod_len;
    }
    rc = evtchn_bind_virq(VIRQ_DOM_EXC, &dom_exc_port);
    if ( rc )
    {
        test_error("cannot bind VIRQ_DOM_EXC: %ld\n", rc);
        return;
    }
    arg = guest_has_arg("script=") ? (const char *)start_info->cmd_line : NULL;
    while ( arg && strncmp(arg, "script=", 7) )
        arg++;
    if ( arg )
    {
        unsigned int n = 0;

        for ( arg += 7; *arg && *arg != ' ' && n + 1 < sizeof(script); )
            script[n++] = *arg++;
        script[n] = '\0';
    }
    if ( !initrd )
        error("no initrd: pass the cpio archive as a module with the word initrd");
    else
        run_script(script);

    /* The end: every domain shut down cleanly, as xl shutdown -a -w. */
    cmd_shutdown("-a", true);
    for ( unsigned int i = 0; i < XL_MAX_DOMS; i++ )
        if ( doms[i].used )
            (void)destroy(&doms[i], doms[i].id);
    if ( errors )
        test_fail("%u command(s) failed\n", errors);
    else
        test_pass();
}
