/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * audit.c - check the frame table against the page tables.
 *
 * The counts core/mm/types.c keeps incrementally are recomputed from scratch: one
 * reference per allocated frame, one reference and one type reference per
 * pin and per vCPU cr3, and for every validated table reachable from those,
 * the references its present entries hold. Any difference, any table that is
 * typed but not validated (or the reverse), any entry naming another owner's
 * frame, any writable mapping of a typed frame and any change to the
 * hypervisor's L2 slots is a mismatch. Runs after every unit test and at the
 * end of every scenario; it is slow (every frame, every entry) on purpose.
 */
#include <pvx/audit.h>
#include <pvx/domain.h>
#include <pvx/frame.h>
#include <pvx/layout.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/machine.h>

#define AUDIT_MAX_PRINT 20


static void __printf(1, 2) audit_report(const char *fmt, ...)
{
    char buf[160];
    va_list ap;

    if ( machine.audit.mismatches++ >= AUDIT_MAX_PRINT )
        return;
    va_start(ap, fmt);
    vsnprintk(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printk("audit: %s", buf);
}

static bool is_table(unsigned int type)
{
    return type == FRAME_L1 || type == FRAME_L2 || type == FRAME_L3;
}

static void audit_table(struct domain *d, mfn_t mfn, unsigned int type, bool xen_l2);

static void audit_entry(struct domain *d, mfn_t table, unsigned int type, unsigned int slot,
                        uint64_t e)
{
    mfn_t m = (mfn_t)((e & PTE_ADDR_MASK) >> PAGE_SHIFT);
    struct frame *g = frame_of(m);

    /* The privileged domain's foreign mappings: L1 entries naming another
     * domain's frame (mmu_update with a foreigndom), counted like its own. */
    if ( g && g->owner != d->domain_id && type == FRAME_L1 && d->is_privileged &&
         frame_owner_is_domain(g) && domain_lookup(g->owner) )
        ;
    else if ( !g || g->owner != d->domain_id )
    {
        audit_report("mfn %#x slot %u (d%u) names mfn %#x of owner %#x", table, slot,
                     d->domain_id, m, g ? g->owner : 0xffffu);
        return;
    }
    g->audit_refs++;
    switch ( type )
    {
    case FRAME_L1:
        if ( e & ~(PTE_ADDR_MASK | MM_L1_ALLOWED | MM_L1_CACHE_BITS) )
            audit_report("mfn %#x slot %u: reserved bits in %#llx", table, slot,
                         (unsigned long long)e);
        if ( !(e & _PAGE_RW) )
            break;
        g->audit_types++;
        if ( g->type != FRAME_WRITABLE )
            audit_report("mfn %#x slot %u maps mfn %#x (type %u) writable", table, slot, m,
                         g->type);
        break;
    case FRAME_L2:
        g->audit_types++;
        audit_table(d, m, FRAME_L1, false);
        break;
    case FRAME_L3:
        g->audit_types++;
        audit_table(d, m, FRAME_L2, slot == 3);
        break;
    default:
        ASSERT_UNREACHABLE();           /* only tables are walked */
    }
}

static void audit_table(struct domain *d, mfn_t mfn, unsigned int type, bool xen_l2)
{
    struct frame *f = frame_of(mfn);
    unsigned int n, i;
    uint64_t *t;

    if ( f->flags & FRAME_F_AUDIT_SEEN )
        return;
    f->flags |= FRAME_F_AUDIT_SEEN;
    if ( f->type != type || !(f->flags & FRAME_F_VALIDATED) ||
         !!(f->flags & FRAME_F_XEN_L2) != xen_l2 )
    {
        audit_report("mfn %#x: expected a validated table of type %u%s, found type %u flags %#x",
                     mfn, type, xen_l2 ? " (xen L2)" : "", f->type, f->flags);
        return;
    }

    n = type == FRAME_L3 ? L3_ENTRIES : xen_l2 ? HYP_FIRST_L2_SLOT : 512;
    t = frame_map(mfn);
    if ( type == FRAME_L3 && !(t[3] & _PAGE_PRESENT) )
        audit_report("L3 mfn %#x without slot 3", mfn);
    for ( i = 0; i < n; i++ )
        if ( t[i] & _PAGE_PRESENT )
        {
            audit_entry(d, mfn, type, i, t[i]);
            /* Freeing the table visits only the groups its map names. */
            if ( !(f->present[i / 8 / 32] & (1u << (i / 8 % 32))) )
                audit_report("table mfn %#x: slot %u present, its group not in the present map",
                             mfn, i);
        }
    if ( xen_l2 &&
         memcmp(&t[HYP_FIRST_L2_SLOT], &machine.audit.xen_l2[HYP_FIRST_L2_SLOT],
                (NR_L2_SLOTS - HYP_FIRST_L2_SLOT) * sizeof(uint64_t)) )
        audit_report("L2 mfn %#x: the hypervisor's slots changed", mfn);
    frame_unmap(t);
}

/* The I/O layer's references (io/, read from its state, never through it):
 * a ring frame holds a reference and a writable type; a request's buffers a
 * reference each, and a writable type while the disk writes into them. */
static void audit_io_frame(mfn_t mfn, bool typed, const char *what)
{
    struct frame *f = frame_of(mfn);

    if ( !f || !frame_owner_is_domain(f) )
    {
        audit_report("%s mfn %#x not a domain's frame", what, mfn);
        return;
    }
    f->audit_refs++;
    if ( !typed )
        return;
    f->audit_types++;
    if ( f->type != FRAME_WRITABLE )
        audit_report("%s mfn %#x has type %u, not writable", what, mfn, f->type);
}

static void audit_io(void)
{
    for ( unsigned int i = 0; i < VBD_MAX; i++ )
        if ( machine.io.vbd[i].in_use && machine.io.vbd[i].ring.page )
            audit_io_frame(machine.io.vbd[i].ring.mfn, true, "block ring");
    for ( unsigned int i = 0; i < IO_MAX_REQS; i++ )
    {
        const struct io_req *r = &machine.io.req[i];

        for ( unsigned int k = 0; r->in_use && k < r->nr_frames; k++ )
            audit_io_frame(r->frame[k], r->frames_writable, "block request");
    }
    /* VIFs (io/vif.c): two rings each; the frames posted for receive and
     * the NIC's pool are the hypervisor's, unreferenced, until a flip. */
    for ( unsigned int i = 0; i < VIF_MAX; i++ )
    {
        const struct vif *v = &machine.netif.vifs[i];

        if ( !v->in_use )
            continue;
        if ( v->tx.page )
            audit_io_frame(v->tx.mfn, true, "VIF transmit ring");
        if ( v->rx.page )
            audit_io_frame(v->rx.mfn, true, "VIF receive ring");
        for ( unsigned int k = 0; k < v->posted_nr; k++ )
        {
            mfn_t m = v->posted[(v->posted_head + k) % VIF_RX_POSTED].mfn;
            const struct frame *f = frame_of(m);

            if ( !f || f->owner != DOMID_XEN_OWN || f->ref_count )
                audit_report("VIF %u posted mfn %#x is not the hypervisor's alone", i, m);
        }
    }
    for ( unsigned int i = 0; machine.netif.has_nic && i < NIC_RX_DEPTH; i++ )
    {
        const struct frame *f = frame_of(machine.netif.pool[i]);

        if ( !f || f->owner != DOMID_XEN_OWN || f->ref_count )
            audit_report("NIC pool mfn %#x is not the hypervisor's alone", machine.netif.pool[i]);
    }
}

unsigned int audit_frames(void)
{
    mfn_t m, max = frame_max_mfn();
    unsigned int id, i;

    machine.audit.mismatches = 0;
    memset(machine.audit.xen_l2, 0, sizeof(machine.audit.xen_l2));
    frame_fill_xen_l2(machine.audit.xen_l2);

    /* The roots: allocation, pins, cr3s. */
    for ( m = 0; m < max; m++ )
    {
        struct frame *f = frame_of(m);

        f->flags &= ~FRAME_F_AUDIT_SEEN;
        f->audit_refs = (frame_owner_is_domain(f) && (f->flags & FRAME_F_ALLOCATED)) ? 1 : 0;
        f->audit_types = 0;
        if ( f->flags & FRAME_F_PINNED )
        {
            f->audit_refs++;
            f->audit_types++;
        }
    }
    for ( id = 0; id < MAX_DOMAINS; id++ )
    {
        struct domain *d = domain_lookup((uint16_t)id);

        for ( i = 0; d && i < d->nr_vcpus; i++ )
        {
            mfn_t l3 = (mfn_t)(d->vcpu[i].cr3 >> PAGE_SHIFT);
            struct frame *f = frame_of(l3);

            /* GDT frames: a reference and a descriptor-type reference each. */
            for ( unsigned int g = 0; g < (d->vcpu[i].cpu.gdt_ents + 511) / 512; g++ )
            {
                struct frame *gf = frame_of(d->vcpu[i].cpu.gdt_frames[g]);

                if ( !gf || gf->owner != d->domain_id || gf->type != FRAME_SEG_DESC )
                {
                    audit_report("d%u vcpu %u: GDT frame %#x not a descriptor frame of the "
                                 "domain's", id, i, d->vcpu[i].cpu.gdt_frames[g]);
                    continue;
                }
                gf->audit_refs++;
                gf->audit_types++;
            }
            /* LDT pages mapped so far: the same. */
            for ( unsigned int g = 0; g < 16; g++ )
            {
                struct frame *lf = frame_of(d->vcpu[i].cpu.ldt_frames[g]);

                if ( !(d->vcpu[i].cpu.ldt_mapped & (1u << g)) )
                    continue;
                if ( !lf || lf->owner != d->domain_id || lf->type != FRAME_SEG_DESC )
                {
                    audit_report("d%u vcpu %u: LDT frame %#x not a descriptor frame of the "
                                 "domain's", id, i, d->vcpu[i].cpu.ldt_frames[g]);
                    continue;
                }
                lf->audit_refs++;
                lf->audit_types++;
            }
            if ( !d->vcpu[i].cr3 )
                continue;
            if ( !f || f->owner != d->domain_id )
            {
                audit_report("d%u vcpu %u: cr3 %#llx not the domain's", id, i,
                             (unsigned long long)d->vcpu[i].cr3);
                continue;
            }
            f->audit_refs++;
            f->audit_types++;
            audit_table(d, l3, FRAME_L3, false);
        }
    }
    audit_io();
    /* The NIC path's: a reference per transmit in flight, a reference and
     * a writable-type reference per frame posted for receive. */
    for ( i = 0; i < NIC_TX_DEPTH; i++ )
        if ( machine.netif.tx[i].busy )
            frame_of(machine.netif.tx[i].mfn)->audit_refs++;
    for ( i = 0; i < machine.netif.rx_nr; i++ )
    {
        struct frame *f = frame_of(machine.netif.rx[(machine.netif.rx_head + i) % NIC_RX_DEPTH].mfn);

        f->audit_refs++;
        f->audit_types++;
    }
    for ( m = 0; m < max; m++ )
    {
        struct frame *f = frame_of(m);
        struct domain *d;

        if ( !(f->flags & FRAME_F_PINNED) )
            continue;
        d = domain_lookup(f->owner);
        if ( !d || !is_table(f->type) )
        {
            audit_report("mfn %#x pinned with owner %#x type %u", m, f->owner, f->type);
            continue;
        }
        audit_table(d, m, f->type, false);
    }

    /* Compare. */
    for ( m = 0; m < max; m++ )
    {
        struct frame *f = frame_of(m);

        f->flags &= ~FRAME_F_AUDIT_SEEN;
        if ( f->ref_count != f->audit_refs || f->type_count != f->audit_types )
            audit_report("mfn %#x (owner %#x type %u): refs %u, expected %u; type count %u, "
                         "expected %u", m, f->owner, f->type, f->ref_count, f->audit_refs,
                         f->type_count, f->audit_types);
        if ( is_table(f->type) && !f->type_count && (f->flags & FRAME_F_VALIDATED) )
            audit_report("mfn %#x: validated with type count 0", m);
        if ( (f->flags & FRAME_F_XEN_L2) && f->type_count != 1 )
            audit_report("mfn %#x: the hypervisor's L2 has type count %u", m, f->type_count);
        if ( frame_owner_is_domain(f) && f->ref_count == 0 )
            audit_report("mfn %#x: owned by d%u with no reference (leaked)", m, f->owner);
        if ( frame_owner_is_domain(f) && !domain_lookup(f->owner) )
            audit_report("mfn %#x: owned by d%u, which does not exist", m, f->owner);
    }
    if ( machine.audit.mismatches > AUDIT_MAX_PRINT )
        printk("audit: ... and %u more", machine.audit.mismatches - AUDIT_MAX_PRINT);
    return machine.audit.mismatches;
}

unsigned int audit_at_shutdown(void)
{
    unsigned int n = audit_frames();

    if ( n )
        printk("audit: %u mismatches", n);
    else
        printk("audit: clean");
    return n;
}
