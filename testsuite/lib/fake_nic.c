/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fake_nic.c - the fake machine's NIC (arch.h version 9): transmits are
 * recorded, not sent, and complete when a test says; received frames come
 * from the test, into the frames the core posted, in order.
 */
#include <string.h>
#include "fake_machine.h"
#include <pvx/arch.h>

struct fake_nic_tx fake_nic_sent[FAKE_NIC_SENT];
unsigned int fake_nic_nr_sent, fake_nic_nr_posted;

/* Everything else of the NIC, in one struct for the snapshots. */
static struct fake_nic_state st;
#define tx_done   (st.tx_done)
#define posted    (st.posted)
#define events    (st.events)
#define nr_events (st.nr_events)

void fake_nic_reset(void)
{
    fake_nic_nr_sent = fake_nic_nr_posted = 0;
    tx_done = nr_events = 0;
}

void fake_nic_save(struct fake_nic_state *s)
{
    st.nr_sent = fake_nic_nr_sent;
    st.nr_posted = fake_nic_nr_posted;
    *s = st;
}

void fake_nic_restore(const struct fake_nic_state *s)
{
    st = *s;
    fake_nic_nr_sent = st.nr_sent;
    fake_nic_nr_posted = st.nr_posted;
}

bool arch_nic_mac(uint8_t mac[6])
{
    static const uint8_t m[6] = FAKE_NIC_MAC;

    if ( !fake_config.nic )
        return false;
    memcpy(mac, m, 6);
    return true;
}

void arch_nic_transmit(const struct nic_seg *seg, unsigned int nr, uint32_t cookie)
{
    struct fake_nic_tx *t;
    unsigned int len = 0;

    if ( nr == 0 || nr > NIC_MAX_SEGS )
        fake_fail("arch_nic_transmit: %u segments", nr);
    if ( fake_nic_nr_sent - tx_done >= NIC_TX_DEPTH )
        fake_fail("arch_nic_transmit: more than NIC_TX_DEPTH in flight");
    t = &fake_nic_sent[fake_nic_nr_sent++ % FAKE_NIC_SENT];
    for ( unsigned int i = 0; i < nr; i++ )
    {
        if ( seg[i].mfn >= fake_config.mem_frames || seg[i].offset + seg[i].len > PAGE_SIZE ||
             len + seg[i].len > sizeof(t->bytes) )
            fake_fail("arch_nic_transmit: segment %u out of bounds", i);
        memcpy(t->bytes + len, fake_mem + (size_t)seg[i].mfn * PAGE_SIZE + seg[i].offset,
               seg[i].len);
        len += seg[i].len;
    }
    if ( len < NIC_FRAME_MIN || len > NIC_FRAME_MAX )
        fake_fail("arch_nic_transmit: a frame of %u bytes", len);
    t->len = len;
    t->cookie = cookie;
    t->mfn = seg[0].mfn;
}

void arch_nic_post_rx(mfn_t mfn, uint32_t cookie)
{
    if ( fake_nic_nr_posted == NIC_RX_DEPTH || mfn >= fake_config.mem_frames )
        fake_fail("arch_nic_post_rx: frame %#x with %u posted", mfn, fake_nic_nr_posted);
    posted[fake_nic_nr_posted].mfn = mfn;
    posted[fake_nic_nr_posted].cookie = cookie;
    fake_nic_nr_posted++;
}

bool arch_nic_poll(struct nic_event *ev)
{
    if ( nr_events == 0 )
        return false;
    *ev = events[0];
    memmove(events, events + 1, --nr_events * sizeof(events[0]));
    return true;
}

bool fake_nic_complete_tx(void)
{
    if ( tx_done == fake_nic_nr_sent )
        return false;
    events[nr_events++] = (struct nic_event){ .kind = NIC_EV_TX_DONE,
                                              .cookie = fake_nic_sent[tx_done++ % FAKE_NIC_SENT].cookie };
    return true;
}

bool fake_nic_receive(const void *bytes, unsigned int len)
{
    if ( fake_nic_nr_posted == 0 || len > NIC_FRAME_MAX )
        return false;
    memcpy(fake_mem + (size_t)posted[0].mfn * PAGE_SIZE, bytes, len);
    events[nr_events++] = (struct nic_event){ .kind = NIC_EV_RX, .cookie = posted[0].cookie,
                                              .len = len };
    memmove(posted, posted + 1, --fake_nic_nr_posted * sizeof(posted[0]));
    return true;
}
