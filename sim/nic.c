/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nic.c - the simulator's NIC (arch.h version 9): a deterministic wire in
 * virtual time.
 *
 * A transmit is read straight from machine memory, written to the pcap file
 * of --pcap-out, handed to the peer (libslirp under --net=user), and leaves
 * after its wire time at 1 Gb/s. What the peer answers arrives a fixed
 * latency later; --pcap-in replays the frames of a capture that were not
 * sent from this NIC's MAC at their recorded times (a capture of a run is a
 * replay of its peer). An arrival fills the oldest frame the core posted, or
 * is lost when there is none. Nothing here reads the host's clock: slirp's
 * clock is virtual time too, so a run with slirp is as reproducible as one
 * without (--hash), and replaying its capture gives the same run.
 *
 * Without --net, --pcap-in or --pcap-out the machine has no NIC.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <slirp/libslirp.h>
#include "sim.h"

#define NIC_WIRE_NS_PER_BYTE    8ull            /* 1 Gb/s */
#define NIC_TX_OVERHEAD_NS      1000ull         /* descriptor fetch, preamble */
#define NIC_PEER_LATENCY_NS     20000ull        /* the peer answers 20 us later */
#define NIC_MAX_ARRIVALS        256
#define NIC_MAX_TIMERS          8
#define PCAP_MAGIC_NS           0xa1b23c4du
#define PCAP_LINKTYPE_ETHERNET  1

static const uint8_t nic_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

bool sim_nic_user;                              /* --net=user: libslirp */
const char *sim_pcap_out, *sim_pcap_in;         /* --pcap-out, --pcap-in */

static bool enabled;
static FILE *pcap_out;
static Slirp *slirp;

/* Transmits in flight: their TX_DONE is due at done_ns, in order. */
static struct { uint32_t cookie; uint64_t done_ns; } tx[NIC_TX_DEPTH];
static unsigned int tx_head, tx_nr;

/* Frames the core posted for receive, oldest first. */
static struct { mfn_t mfn; uint32_t cookie; } rx[NIC_RX_DEPTH];
static unsigned int rx_head, rx_nr;

/* Frames on their way in, by arrival time (in order: both sources append
 * in time order, a replay's file is sorted when read). */
struct arrival {
    uint64_t at_ns;
    uint32_t len;
    uint8_t bytes[NIC_FRAME_MAX];
};
static struct arrival *arrivals;
static unsigned int arr_head, arr_nr;

/* Completions the core has not polled. */
static struct nic_event done[NIC_TX_DEPTH + NIC_RX_DEPTH];
static unsigned int done_head, done_nr;

static uint64_t lost_rx;                        /* arrived with no frame posted */

/* slirp's timers, in virtual milliseconds. */
static struct sim_timer {
    bool used, armed;
    int64_t expire_ms;
    SlirpTimerCb cb;
    void *cb_opaque;
} timers[NIC_MAX_TIMERS];

/* ------------------------------------------------------------------------
 * pcap files: nanosecond timestamps of virtual time.
 */

static void put32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32le(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void pcap_write(uint64_t ns, const uint8_t *bytes, uint32_t len)
{
    uint8_t h[16];

    if ( !pcap_out )
        return;
    put32le(h, (uint32_t)(ns / 1000000000ull));
    put32le(h + 4, (uint32_t)(ns % 1000000000ull));
    put32le(h + 8, len);
    put32le(h + 12, len);
    if ( fwrite(h, sizeof(h), 1, pcap_out) != 1 || fwrite(bytes, len, 1, pcap_out) != 1 ||
         fflush(pcap_out) )
        sim_panic("--pcap-out: write failed: %s", strerror(errno));
}

static void arrival_add(uint64_t at_ns, const uint8_t *bytes, size_t len)
{
    struct arrival *a;

    if ( len < NIC_FRAME_MIN || len > NIC_FRAME_MAX || arr_nr == NIC_MAX_ARRIVALS )
    {
        lost_rx++;                              /* no room on the wire model */
        return;
    }
    a = &arrivals[(arr_head + arr_nr++) % NIC_MAX_ARRIVALS];
    a->at_ns = at_ns;
    a->len = (uint32_t)len;
    memcpy(a->bytes, bytes, len);
}

/* The replay: every frame of the capture not sent from our MAC. Read as
 * the wire needs them (the file can be longer than the arrival ring). */
static FILE *pcap_in;
static bool pcap_in_ns;

static void pcap_in_open(const char *path)
{
    uint8_t h[24];

    pcap_in = fopen(path, "rb");
    if ( !pcap_in )
        sim_panic("--pcap-in: cannot read %s: %s", path, strerror(errno));
    if ( fread(h, sizeof(h), 1, pcap_in) != 1 )
        sim_panic("--pcap-in: %s is not a pcap file", path);
    if ( get32le(h) == PCAP_MAGIC_NS )
        pcap_in_ns = true;
    else if ( get32le(h) != 0xa1b2c3d4u )
        sim_panic("--pcap-in: %s is not a little-endian pcap file", path);
    if ( get32le(h + 20) != PCAP_LINKTYPE_ETHERNET )
        sim_panic("--pcap-in: %s is not an Ethernet capture", path);
}

static void pcap_in_refill(void)
{
    uint8_t h[16], frame[65536];

    while ( pcap_in && arr_nr < NIC_MAX_ARRIVALS )
    {
        uint32_t incl, orig;
        uint64_t ns;

        if ( fread(h, sizeof(h), 1, pcap_in) != 1 )
        {
            fclose(pcap_in);
            pcap_in = NULL;
            return;
        }
        incl = get32le(h + 8);
        orig = get32le(h + 12);
        if ( incl > sizeof(frame) || fread(frame, incl, 1, pcap_in) != 1 )
            sim_panic("--pcap-in: a truncated record");
        ns = (uint64_t)get32le(h) * 1000000000ull +
             (pcap_in_ns ? get32le(h + 4) : (uint64_t)get32le(h + 4) * 1000);
        if ( incl >= 12 && !memcmp(frame + 6, nic_mac, 6) )
            continue;                           /* ours: the guest sends it again */
        if ( incl != orig )
            continue;                           /* cut short by the capture */
        arrival_add(ns, frame, incl);
    }
}

/* ------------------------------------------------------------------------
 * libslirp, on virtual time.
 */

static ssize_t slirp_send(const void *buf, size_t len, void *opaque)
{
    (void)opaque;
    arrival_add(arch_now_ns() + NIC_PEER_LATENCY_NS, buf, len);
    return (ssize_t)len;
}

static void slirp_guest_error(const char *msg, void *opaque)
{
    (void)opaque;
    sim_msg("slirp: %s", msg);
}

static int64_t slirp_clock(void *opaque)
{
    (void)opaque;
    return (int64_t)arch_now_ns();
}

static void *slirp_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    (void)opaque;
    for ( unsigned int i = 0; i < NIC_MAX_TIMERS; i++ )
        if ( !timers[i].used )
        {
            timers[i] = (struct sim_timer){ .used = true, .cb = cb, .cb_opaque = cb_opaque };
            return &timers[i];
        }
    sim_panic("slirp: more than %u timers", NIC_MAX_TIMERS);
}

static void slirp_timer_free(void *t, void *opaque)
{
    (void)opaque;
    ((struct sim_timer *)t)->used = false;
}

static void slirp_timer_mod(void *t, int64_t expire_ms, void *opaque)
{
    (void)opaque;
    ((struct sim_timer *)t)->armed = true;
    ((struct sim_timer *)t)->expire_ms = expire_ms;
}

static void slirp_poll_fd(int fd, void *opaque)
{
    (void)fd;
    (void)opaque;                               /* restricted: no host sockets to poll */
}

static void slirp_notify(void *opaque)
{
    (void)opaque;
}

static const SlirpCb slirp_cb = {
    .send_packet = slirp_send,
    .guest_error = slirp_guest_error,
    .clock_get_ns = slirp_clock,
    .timer_new = slirp_timer_new,
    .timer_free = slirp_timer_free,
    .timer_mod = slirp_timer_mod,
    .register_poll_fd = slirp_poll_fd,
    .unregister_poll_fd = slirp_poll_fd,
    .notify = slirp_notify,
};

/* QEMU's user network: 10.0.2.0/24, the gateway 10.0.2.2, DHCP from
 * 10.0.2.15, DNS 10.0.2.3; restricted (nothing reaches the host's network)
 * like -nic user,restrict=on. */
static void slirp_start(void)
{
    SlirpConfig c;

    memset(&c, 0, sizeof(c));
    c.version = 1;
    c.restricted = 1;
    c.in_enabled = true;
    c.vnetwork.s_addr = htonl(0x0a000200);
    c.vnetmask.s_addr = htonl(0xffffff00);
    c.vhost.s_addr = htonl(0x0a000202);
    c.vdhcp_start.s_addr = htonl(0x0a00020f);
    c.vnameserver.s_addr = htonl(0x0a000203);
    c.in6_enabled = false;
    c.vhostname = "pvx";
    c.if_mtu = 1500;
    c.if_mru = 1500;
    slirp = slirp_new(&c, &slirp_cb, NULL);
    if ( !slirp )
        sim_panic("slirp: cannot start the user network");
}

/* ------------------------------------------------------------------------
 * arch.h.
 */

void nic_init(void)
{
    enabled = sim_nic_user || sim_pcap_in || sim_pcap_out;
    if ( !enabled )
        return;
    arrivals = calloc(NIC_MAX_ARRIVALS, sizeof(*arrivals));
    if ( !arrivals )
        sim_panic("out of host memory");
    if ( sim_pcap_out )
    {
        uint8_t h[24];

        pcap_out = fopen(sim_pcap_out, "wb");
        if ( !pcap_out )
            sim_panic("--pcap-out: cannot write %s: %s", sim_pcap_out, strerror(errno));
        put32le(h, PCAP_MAGIC_NS);
        h[4] = 2;                               /* version 2.4 */
        h[5] = 0;
        h[6] = 4;
        h[7] = 0;
        put32le(h + 8, 0);
        put32le(h + 12, 0);
        put32le(h + 16, 65535);
        put32le(h + 20, PCAP_LINKTYPE_ETHERNET);
        if ( fwrite(h, sizeof(h), 1, pcap_out) != 1 )
            sim_panic("--pcap-out: write failed: %s", strerror(errno));
    }
    if ( sim_pcap_in )
    {
        pcap_in_open(sim_pcap_in);
        pcap_in_refill();
    }
    if ( sim_nic_user )
        slirp_start();
}

bool arch_nic_mac(uint8_t mac[6])
{
    if ( !enabled )
        return false;
    memcpy(mac, nic_mac, 6);
    return true;
}

void arch_nic_transmit(const struct nic_seg *seg, unsigned int nr, uint32_t cookie)
{
    uint8_t frame[NIC_FRAME_MAX];
    unsigned int len = 0;
    uint64_t now = arch_now_ns(), start;

    if ( nr == 0 || nr > NIC_MAX_SEGS || tx_nr == NIC_TX_DEPTH )
        sim_panic("nic: a transmit of %u segments with %u in flight", nr, tx_nr);
    for ( unsigned int i = 0; i < nr; i++ )
    {
        const void *p = mem_ptr((paddr_t)seg[i].mfn << PAGE_SHIFT | seg[i].offset, seg[i].len);

        if ( !p || seg[i].offset + seg[i].len > PAGE_SIZE || len + seg[i].len > sizeof(frame) )
            sim_panic("nic: transmit segment %u outside memory or the frame", i);
        memcpy(frame + len, p, seg[i].len);
        len += seg[i].len;
    }
    if ( len < NIC_FRAME_MIN )
        sim_panic("nic: a transmit of %u bytes", len);
    pcap_write(now, frame, len);
    /* One wire: a frame starts when the one before has left. */
    start = tx_nr ? MAX(now, tx[(tx_head + tx_nr - 1) % NIC_TX_DEPTH].done_ns) : now;
    tx[(tx_head + tx_nr) % NIC_TX_DEPTH].cookie = cookie;
    tx[(tx_head + tx_nr) % NIC_TX_DEPTH].done_ns = start + NIC_TX_OVERHEAD_NS +
                                                   len * NIC_WIRE_NS_PER_BYTE;
    tx_nr++;
    if ( slirp )
        slirp_input(slirp, frame, (int)len);
    time_events_changed();
}

void arch_nic_post_rx(mfn_t mfn, uint32_t cookie)
{
    if ( rx_nr == NIC_RX_DEPTH || !mem_ptr((paddr_t)mfn << PAGE_SHIFT, PAGE_SIZE) )
        sim_panic("nic: frame %#x posted with %u posted", mfn, rx_nr);
    rx[(rx_head + rx_nr) % NIC_RX_DEPTH].mfn = mfn;
    rx[(rx_head + rx_nr) % NIC_RX_DEPTH].cookie = cookie;
    rx_nr++;
}

uint64_t nic_lost_rx(void)
{
    return lost_rx;
}

bool arch_nic_poll(struct nic_event *ev)
{
    if ( done_nr == 0 )
        return false;
    *ev = done[done_head];
    done_head = (done_head + 1) % ARRAY_SIZE(done);
    done_nr--;
    return true;
}

static void nic_done(uint32_t kind, uint32_t cookie, uint32_t len)
{
    done[(done_head + done_nr++) % ARRAY_SIZE(done)] =
        (struct nic_event){ .kind = kind, .cookie = cookie, .len = len };
}

/* ------------------------------------------------------------------------
 * The wire's events in virtual time (time.c asks and fires).
 */

uint64_t nic_next_ns(void)
{
    uint64_t next = UINT64_MAX;

    if ( !enabled )
        return UINT64_MAX;
    if ( tx_nr )
        next = tx[tx_head].done_ns;
    if ( arr_nr )
        next = MIN(next, arrivals[arr_head].at_ns);
    for ( unsigned int i = 0; i < NIC_MAX_TIMERS; i++ )
        if ( timers[i].used && timers[i].armed )
            next = MIN(next, (uint64_t)MAX(timers[i].expire_ms, 0) * 1000000ull);
    return next;
}

void nic_fire(struct cpu_regs *regs)
{
    uint64_t now = arch_now_ns();

    for ( unsigned int i = 0; i < NIC_MAX_TIMERS; i++ )
        if ( timers[i].used && timers[i].armed && (uint64_t)MAX(timers[i].expire_ms, 0) * 1000000ull <= now )
        {
            timers[i].armed = false;
            timers[i].cb(timers[i].cb_opaque);
        }
    while ( tx_nr && tx[tx_head].done_ns <= now )
    {
        nic_done(NIC_EV_TX_DONE, tx[tx_head].cookie, 0);
        tx_head = (tx_head + 1) % NIC_TX_DEPTH;
        tx_nr--;
    }
    while ( arr_nr && arrivals[arr_head].at_ns <= now )
    {
        struct arrival *a = &arrivals[arr_head];

        pcap_write(a->at_ns, a->bytes, a->len);
        if ( rx_nr )
        {
            memcpy(mem_ptr((paddr_t)rx[rx_head].mfn << PAGE_SHIFT, PAGE_SIZE), a->bytes, a->len);
            arch_frames_written(rx[rx_head].mfn, 1);
            nic_done(NIC_EV_RX, rx[rx_head].cookie, a->len);
            rx_head = (rx_head + 1) % NIC_RX_DEPTH;
            rx_nr--;
        }
        else
            lost_rx++;
        arr_head = (arr_head + 1) % NIC_MAX_ARRIVALS;
        arr_nr--;
        if ( arr_nr == 0 )
            pcap_in_refill();
    }
    if ( done_nr )
        core_nic_interrupt(regs);
}
