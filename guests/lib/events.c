/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * events.c - event channels, the event callback, time and blocking for pvx
 * test guests (see events.h).
 */
#include "guest.h"
#include "events.h"

struct shared_info *shared_info;
volatile uint32_t event_count[GUEST_MAX_PORTS];
volatile uint32_t event_upcalls;
volatile uint32_t event_stack_high, event_stack_low;

static void (*event_handler)(evtchn_port_t port);

/* shared_info is mapped over this page of our image. */
static uint8_t shared_info_page[4096] __attribute__((aligned(4096)));

void event_callback_entry(void);
void event_dispatch(void);

/*
 * The hypervisor bounces us here (ring 1 to ring 1) with eip, cs (saved
 * upcall mask in bits 16-23) and eflags on the stack, upcalls masked. We
 * take every pending port, unmask, and if more became pending meanwhile mask
 * again and take those too, in this frame. An event that arrives between
 * the last check and the iret is delivered by the hypervisor on top of this
 * frame (one level deeper, unwound by its own iret).
 */
asm ( ".pushsection .text\n"
      ".globl event_callback_entry\n"
      "event_callback_entry:\n"
      "    pushal\n"
      "    cld\n"
      "1:  call event_dispatch\n"
      "    mov shared_info, %eax\n"
      "    movb $0, 1(%eax)\n"                /* vcpu_info[0].evtchn_upcall_mask */
      "    cmpb $0, 0(%eax)\n"                /* ... evtchn_upcall_pending */
      "    je 2f\n"
      /* More arrived meanwhile: mask again and go round here. Asking for
       * a new upcall (any hypercall) would nest a callback frame per round,
       * and a steady stream of events grows the stack without end. */
      "    movb $1, 1(%eax)\n"
      "    jmp 1b\n"
      "2:  popal\n"
      "    iret\n"
      ".popsection\n" );

void event_dispatch(void)
{
    struct vcpu_info *vi = &shared_info->vcpu_info[0];
    uint32_t sel;

    event_upcalls++;
    {
        uint32_t sp = (uint32_t)__builtin_frame_address(0);

        if ( !event_stack_high || sp > event_stack_high )
            event_stack_high = sp;
        if ( !event_stack_low || sp < event_stack_low )
            event_stack_low = sp;
    }
    vi->evtchn_upcall_pending = 0;
    sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    while ( sel )
    {
        unsigned int w = (unsigned int)__builtin_ctz(sel);
        uint32_t bits;

        sel &= sel - 1;
        bits = shared_info->evtchn_pending[w] & ~shared_info->evtchn_mask[w];
        while ( bits )
        {
            unsigned int port = w * 32 + (unsigned int)__builtin_ctz(bits);

            bits &= bits - 1;
            __atomic_and_fetch(&shared_info->evtchn_pending[w], ~(1u << (port % 32)),
                               __ATOMIC_SEQ_CST);
            if ( port < GUEST_MAX_PORTS )
                event_count[port]++;
            if ( event_handler )
                event_handler(port);
        }
    }
}

void events_init(void)
{
    uint64_t pte = (uint64_t)start_info->shared_info | 0x63;   /* P|RW|A|D */
    long rc;

    rc = HYPERVISOR_update_va_mapping((unsigned long)shared_info_page, pte, UVMF_INVLPG);
    if ( rc )
    {
        test_error("cannot map shared_info: %ld\n", rc);
        guest_shutdown(SHUTDOWN_crash);
    }
    shared_info = (struct shared_info *)shared_info_page;
    rc = hypercall_register_callback(CALLBACKTYPE_event, CALLBACKF_mask_events,
                                     event_callback_entry);
    if ( rc )
    {
        test_error("cannot register the event callback: %ld\n", rc);
        guest_shutdown(SHUTDOWN_crash);
    }
}

void events_set_handler(void (*fn)(evtchn_port_t port))
{
    event_handler = fn;
}

void events_disable(void)
{
    shared_info->vcpu_info[0].evtchn_upcall_mask = 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void events_enable(void)
{
    struct vcpu_info *vi = &shared_info->vcpu_info[0];

    vi->evtchn_upcall_mask = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if ( vi->evtchn_upcall_pending )
        HYPERVISOR_xen_version(0, 0);   /* held off while masked: deliver now */
}

long evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = remote };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);

    *port = a.port;
    return rc;
}

void wait_domain_gone(domid_t dom, evtchn_port_t dom_exc)
{
    for ( ;; )
    {
        struct evtchn_status st;

        if ( evtchn_test_and_clear(dom_exc) )
            return;
        /* Asked about the domain itself: alloc_unbound names it only as the
         * remote end, which is never looked up. */
        if ( evtchn_status(dom, 0, &st) == -ESRCH )
            return;
        sched_poll(dom_exc, time_now_ns() + 1000000);   /* a timer: the idle loop needs one */
    }
}

long evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port, evtchn_port_t *local)
{
    struct evtchn_bind_interdomain b = { .remote_dom = remote, .remote_port = remote_port };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b);

    *local = b.local_port;
    return rc;
}

long evtchn_bind_virq(uint32_t virq, evtchn_port_t *port)
{
    struct evtchn_bind_virq b = { .virq = virq, .vcpu = 0 };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &b);

    *port = b.port;
    return rc;
}

long evtchn_bind_ipi(evtchn_port_t *port)
{
    struct evtchn_bind_ipi b = { .vcpu = 0 };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &b);

    *port = b.port;
    return rc;
}

long evtchn_close(evtchn_port_t port)
{
    struct evtchn_close c = { .port = port };

    return HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
}

long evtchn_send(evtchn_port_t port)
{
    return hypercall_evtchn_send(port);
}

long evtchn_unmask(evtchn_port_t port)
{
    return hypercall_evtchn_unmask(port);
}

long evtchn_status(domid_t dom, evtchn_port_t port, struct evtchn_status *st)
{
    memset(st, 0, sizeof(*st));
    st->dom = dom;
    st->port = port;
    return HYPERVISOR_event_channel_op(EVTCHNOP_status, st);
}

bool evtchn_pending(evtchn_port_t port)
{
    return (shared_info->evtchn_pending[port / 32] >> (port % 32)) & 1;
}

bool evtchn_test_and_clear(evtchn_port_t port)
{
    uint32_t bit = 1u << (port % 32);

    return __atomic_fetch_and(&shared_info->evtchn_pending[port / 32], ~bit,
                              __ATOMIC_SEQ_CST) & bit;
}

void evtchn_mask(evtchn_port_t port)
{
    __atomic_or_fetch(&shared_info->evtchn_mask[port / 32], 1u << (port % 32),
                      __ATOMIC_SEQ_CST);
}

long sched_poll(evtchn_port_t port, uint64_t timeout_ns)
{
    evtchn_port_t ports[1] = { port };
    struct sched_poll p = { .nr_ports = 1, .timeout = timeout_ns };

    p.ports = (uint32_t)(unsigned long)ports;
    return HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

long sched_block(void)
{
    return HYPERVISOR_sched_op(SCHEDOP_block, 0);
}

/* ((delta << shift) * mul) >> 32, shift may be negative: as the hypervisor. */
static uint64_t scale_delta(uint64_t delta, uint32_t mul, int8_t shift)
{
    if ( shift < 0 )
        delta >>= -shift;
    else
        delta <<= shift;
    return (uint64_t)(uint32_t)(delta >> 32) * mul +
           (((uint64_t)(uint32_t)delta * mul) >> 32);
}

uint64_t time_now_ns(void)
{
    volatile struct vcpu_time_info *t = &shared_info->vcpu_info[0].time;
    uint32_t v;
    uint64_t ns;

    do {
        v = t->version;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        ns = t->system_time + scale_delta(rdtsc() - t->tsc_timestamp,
                                          t->tsc_to_system_mul, t->tsc_shift);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    } while ( (v & 1) || v != t->version );
    return ns;
}

uint64_t time_run_ns(void)
{
    struct vcpu_runstate_info r;

    if ( HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &r) )
        return 0;
    return r.time[RUNSTATE_running];
}
