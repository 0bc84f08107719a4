/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * descriptor.c - a guest's segment descriptors: set_gdt, update_descriptor
 * and the checks every descriptor passes before the CPU may see it (Xen
 * x86_32's check_descriptor), plus the hypervisor's own view of a selector,
 * so that a frame the core builds never holds one the CPU would refuse.
 *
 * Descriptor frames are typed FRAME_SEG_DESC with memory's type counts
 * (mm_get_type / mm_put_type): a frame validated as descriptors cannot be
 * mapped writable, and a writable one cannot become a GDT page. Validation
 * happens when a frame takes the type (all 512 entries, as Xen does).
 *
 * LDTs: MMUEXT_SET_LDT (mm.c) records base and size and calls desc_set_ldt;
 * the machine's LDT area starts with no page present, and the CPU's first use
 * of each page faults into desc_ldt_fault, which types the guest's page as
 * descriptors (validating it) and maps it: lazy validation, as Xen does.
 */
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/layout.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/traps.h>

/* Fields of the high word of a descriptor. */
#define SEG_TYPE_MASK   0x00000f00u
#define SEG_ACCESSED    0x00000100u     /* type bit 0 of code/data */
#define SEG_S           0x00001000u     /* code/data (1) or system (0) */
#define SEG_DPL_MASK    0x00006000u
#define SEG_P           0x00008000u
#define SEG_G           0x00800000u
#define SEG_CODE        0x00000800u     /* type bit 3 */
#define SEG_EC          0x00000400u     /* expand-down (data) / conforming (code) */
#define SEG_RW          0x00000200u     /* writable (data) / readable (code) */
#define SEG_CALL_GATE32 0x00000c00u
#define DESC_PER_PAGE   512u

/* Nothing the guest describes may reach the hypervisor's private area. */
#define GUEST_SEGMENT_MAX_ADDR ARCH_VIRT_START

static inline unsigned int desc_dpl(uint32_t hi)
{
    return (hi & SEG_DPL_MASK) >> 13;
}

bool desc_check(uint32_t *lo, uint32_t *hi)
{
    uint32_t a = *lo, b = *hi, base, limit, cs;

    /* A not-present descriptor always faults: harmless. */
    if ( !(b & SEG_P) )
        return true;
    /* Ring 0 is the hypervisor's: no guest descriptor names it. */
    if ( (b & SEG_DPL_MASK) == 0 )
        return false;

    if ( !(b & SEG_S) )
    {
        /* System descriptors: only 32-bit call gates (no TSS, task gate,
         * LDT, interrupt or trap gate), into a guest code segment. */
        if ( (b & SEG_TYPE_MASK) != SEG_CALL_GATE32 )
            return false;
        if ( b & 0xe0 )
            return false;               /* reserved bits of a call gate */
        cs = traps_fixup_selector(a >> 16);
        if ( (cs >> 3) >= FIRST_RESERVED_GDT_ENTRY && cs != FLAT_RING1_CS && !(cs & 4) )
            return false;
        *lo = (a & 0xffff) | (cs << 16);
        return true;
    }

    /* Code or data. Accessed set: the CPU then never writes a GDT page,
     * which the machines map read-only. */
    b |= SEG_ACCESSED;
    *hi = b;

    /* The base at least a page below the hypervisor... */
    base = (b & 0xff000000u) | ((b & 0xff) << 16) | (a >> 16);
    if ( base >= GUEST_SEGMENT_MAX_ADDR - PAGE_SIZE )
        return false;

    /* ...and the limit clamped so that no byte above it is reachable. */
    limit = ((b & 0xf0000) | (a & 0xffff)) + 1;
    if ( b & SEG_G )
        limit <<= 12;                   /* 4 GiB wraps to 0: clamped below */
    if ( (b & (SEG_CODE | SEG_EC)) == SEG_EC )
    {
        /* Expand-down data: valid offsets are (limit, 4 GiB). */
        if ( base + limit > base )
        {
            limit = -(base & PAGE_MASK);
            goto truncate;
        }
    }
    else if ( base + limit <= base || base + limit > GUEST_SEGMENT_MAX_ADDR )
    {
        limit = GUEST_SEGMENT_MAX_ADDR - base;
        goto truncate;
    }
    return true;

 truncate:
    if ( !(b & SEG_G) )
        return false;                   /* byte granular: cannot express it */
    limit = (limit >> 12) - 1;
    *lo = (a & ~0xffffu) | (limit & 0xffff);
    *hi = (b & ~0xf0000u) | (limit & 0xf0000);
    return true;
}

/* ------------------------------------------------------------------------
 * Reading descriptors as the CPU would. Pure: a check changes nothing, so a
 * request can be judged against the tables it is about to install before
 * anything is installed (validate, then perform).
 */

/* The tables a selector is looked up in: the vCPU's own (desc_tables_of),
 * or those a request is about to make its own. */
struct desc_tables {
    const mfn_t *gdt_frames;
    unsigned int gdt_ents;
    uint32_t ldt_base, ldt_ents;
    const mfn_t *ldt_frames;            /* the LDT pages mapped so far... */
    uint32_t ldt_mapped;                /* ...by bit; 0 for an LDT not loaded yet */
    /* One descriptor a request is about to write (update_descriptor). */
    bool patched;
    mfn_t patch_mfn;
    unsigned int patch_idx;
    uint32_t patch_lo, patch_hi;
};

static void desc_tables_of(const struct vcpu *v, struct desc_tables *t)
{
    memset(t, 0, sizeof(*t));
    t->gdt_frames = v->cpu.gdt_frames;
    t->gdt_ents = v->cpu.gdt_ents;
    t->ldt_base = v->ldt_base;
    t->ldt_ents = v->ldt_ents;
    t->ldt_frames = v->cpu.ldt_frames;
    t->ldt_mapped = v->cpu.ldt_mapped;
}

/* The flat descriptors of the hypervisor's reserved entries guests use. */
static bool reserved_desc(unsigned int sel, uint32_t *lo, uint32_t *hi)
{
    uint32_t type, dpl;

    switch ( sel & ~3u )
    {
    case FLAT_RING1_CS & ~3u: type = 0xb; dpl = 1; break;
    case FLAT_RING1_DS & ~3u: type = 0x3; dpl = 1; break;
    case FLAT_RING3_CS & ~3u: type = 0xb; dpl = 3; break;
    case FLAT_RING3_DS & ~3u: type = 0x3; dpl = 3; break;
    default:
        return false;                   /* ring 0, the TSS, the LDT slot */
    }
    *lo = GUEST_SEGMENT_LIMIT_PAGES & 0xffff;
    *hi = (type << 8) | SEG_S | (dpl << 13) | SEG_P | (GUEST_SEGMENT_LIMIT_PAGES & 0xf0000) |
          0x00400000u | SEG_G;
    return true;
}

/* Descriptor idx of frame mfn, as the tables t would have it. */
static void frame_read_desc(const struct desc_tables *t, mfn_t mfn, unsigned int idx,
                            uint32_t *lo, uint32_t *hi)
{
    uint32_t *p;

    if ( t->patched && mfn == t->patch_mfn && idx == t->patch_idx )
    {
        *lo = t->patch_lo;
        *hi = t->patch_hi;
        return;
    }
    p = frame_map(mfn);
    *lo = p[idx * 2];
    *hi = p[idx * 2 + 1];
    frame_unmap(p);
}

/* Would every descriptor of frame mfn pass, as t would have it? */
static bool frame_would_check(const struct desc_tables *t, mfn_t mfn)
{
    for ( unsigned int i = 0; i < DESC_PER_PAGE; i++ )
    {
        uint32_t lo, hi;

        frame_read_desc(t, mfn, i, &lo, &hi);
        if ( !desc_check(&lo, &hi) )
            return false;
    }
    return true;
}

/*
 * The frame that page i of the LDT t describes would be, if the CPU used it
 * now: the page mapped already, or the guest's page at that address if it
 * could take the descriptor type (mapped by its own tables, the domain's,
 * typed as descriptors or free to become so, every entry valid).
 */
static bool ldt_page_frame(struct vcpu *v, const struct desc_tables *t, unsigned int i,
                           mfn_t *mfn)
{
    const struct frame *f;

    if ( t->ldt_mapped & (1u << i) )
    {
        *mfn = t->ldt_frames[i];
        return true;
    }
    if ( guest_walk(v, t->ldt_base + i * PAGE_SIZE, false, mfn) )
        return false;
    f = frame_of(*mfn);
    if ( f->type_count )
        return f->type == FRAME_SEG_DESC;       /* valid: every entry was checked */
    return !(f->flags & FRAME_F_XEN_SHARED) && frame_would_check(t, *mfn);
}

/* t may be NULL for a reserved GDT selector (reserved_sel()). */
static bool desc_read(struct vcpu *v, const struct desc_tables *t, uint32_t sel,
                      uint32_t *lo, uint32_t *hi)
{
    unsigned int idx = sel >> 3, page = idx / DESC_PER_PAGE;
    mfn_t mfn;

    if ( sel & 4 )
    {
        if ( idx >= t->ldt_ents || !ldt_page_frame(v, t, page, &mfn) )
            return false;
        frame_read_desc(t, mfn, idx % DESC_PER_PAGE, lo, hi);
        /* As it will read once validated (limits clamped). */
        return desc_check(lo, hi);
    }
    if ( idx >= FIRST_RESERVED_GDT_ENTRY )
        return reserved_desc(sel, lo, hi);
    if ( page >= (t->gdt_ents + DESC_PER_PAGE - 1) / DESC_PER_PAGE )
        return false;                   /* reads as zeros: not present */
    frame_read_desc(t, t->gdt_frames[page], idx % DESC_PER_PAGE, lo, hi);
    return true;
}

static bool selector_ok(struct vcpu *v, const struct desc_tables *t, uint32_t sel,
                        enum sel_use use, unsigned int cpl)
{
    unsigned int rpl = sel & 3, dpl;
    uint32_t lo, hi;

    sel &= 0xffff;
    if ( (sel & ~3u) == 0 )
        return use == SEL_DATA;         /* null: fine in a data register only */
    if ( !desc_read(v, t, sel, &lo, &hi) )
        return false;
    if ( !(hi & SEG_P) || !(hi & SEG_S) )
        return false;
    dpl = desc_dpl(hi);
    switch ( use )
    {
    case SEL_CODE:
        if ( !(hi & SEG_CODE) || rpl != cpl )
            return false;
        return (hi & SEG_EC) ? dpl <= cpl : dpl == cpl;
    case SEL_STACK:
        return !(hi & SEG_CODE) && (hi & SEG_RW) && rpl == cpl && dpl == cpl;
    default:
        if ( (hi & SEG_CODE) && !(hi & SEG_RW) )
            return false;               /* execute-only code */
        if ( (hi & SEG_CODE) && (hi & SEG_EC) )
            return true;                /* conforming code: any ring */
        return dpl >= cpl && dpl >= rpl;
    }
}

/* One of the hypervisor's reserved GDT entries: they read the same whatever
 * the vCPU's tables (desc_read), so no tables need gathering. Every bounce
 * frame checks its handler's cs and ss, mostly the flat ring-1 ones. */
static bool reserved_sel(uint32_t sel)
{
    return !(sel & 4) && ((sel & 0xffff) >> 3) >= FIRST_RESERVED_GDT_ENTRY;
}

bool desc_selector_ok(struct vcpu *v, uint32_t sel, enum sel_use use, unsigned int cpl)
{
    struct desc_tables t;

    if ( reserved_sel(sel) )
        return selector_ok(v, NULL, sel, use, cpl);
    desc_tables_of(v, &t);
    return selector_ok(v, &t, sel, use, cpl);
}

static int ldt_map_page(struct vcpu *v, unsigned int i);

void desc_selector_map(struct vcpu *v, uint32_t sel)
{
    int rc;

    if ( !(sel & 4) || (sel >> 3) >= v->ldt_ents )
        return;
    /* desc_selector_ok said the CPU can load it: then its page maps. */
    rc = ldt_map_page(v, (sel >> 3) / DESC_PER_PAGE);
    ASSERT(rc == 0);
    (void)rc;
}

uint32_t desc_code_limit(struct vcpu *v, uint32_t sel)
{
    struct desc_tables t, *tp = NULL;
    uint32_t lo, hi, limit;

    if ( !reserved_sel(sel) )
    {
        desc_tables_of(v, &t);
        tp = &t;
    }
    if ( (sel & 0xfffc) == 0 || !desc_read(v, tp, sel & 0xffff, &lo, &hi) ||
         (hi & (SEG_P | SEG_S | SEG_CODE)) != (SEG_P | SEG_S | SEG_CODE) )
        return 0;
    limit = (lo & 0xffff) | (hi & 0xf0000);
    return (hi & SEG_G) ? (limit << 12) | 0xfff : limit;
}

/* ------------------------------------------------------------------------
 * Descriptor frames.
 */

/* Check all 512 descriptors of a frame; with fix, write back the clamped
 * ones. Without fix nothing changes. */
static bool frame_check(mfn_t mfn, bool fix)
{
    uint32_t *p = frame_map(mfn);
    bool ok = true;

    for ( unsigned int i = 0; i < DESC_PER_PAGE && ok; i++ )
    {
        uint32_t lo = p[2 * i], hi = p[2 * i + 1];

        ok = desc_check(&lo, &hi);
        if ( ok && fix && (lo != p[2 * i] || hi != p[2 * i + 1]) )
        {
            p[2 * i] = lo;
            p[2 * i + 1] = hi;
        }
    }
    frame_unmap(p);
    if ( fix )
        arch_frames_written(mfn, 1);
    return ok;
}

/* A reference and a descriptor-type reference on a frame d owns: 0 or
 * -EINVAL, nothing changed. */
static int desc_get_frame(struct domain *d, mfn_t mfn)
{
    struct frame *f = frame_of(mfn);

    if ( !f || !mm_get_ref(d, mfn) )
        return -EINVAL;
    /* First use as descriptors: every entry must pass. */
    if ( f->type_count == 0 && !frame_check(mfn, false) )
        goto fail;
    if ( mm_get_type(d, mfn, FRAME_SEG_DESC, false) )
        goto fail;
    if ( f->type_count == 1 )
        frame_check(mfn, true);
    return 0;

 fail:
    mm_put_ref(mfn);
    return -EINVAL;
}

static void desc_put_frame(mfn_t mfn)
{
    mm_put_type(mfn);
    mm_put_ref(mfn);
}

/*
 * A descriptor change must leave the vCPU's own cs and ss loadable: the CPU
 * reloads them from the tables when the guest is resumed, and one that no
 * longer loads would fault inside the hypervisor. Checked against the tables
 * the request would install, before anything is installed: such a request is
 * -EINVAL and changes nothing (Xen lets it through and kills the guest on
 * the way out, through its failsafe callback).
 */
static bool desc_running_ok(struct vcpu *v, const struct desc_tables *t)
{
    unsigned int cpl;

    const struct cpu_regs *r = vcpu_regs(v);

    cpl = r->cs & 3;
    return selector_ok(v, t, r->cs, SEL_CODE, cpl) &&
           selector_ok(v, t, r->ss, SEL_STACK, cpl);
}

/*
 * After a change went in: the running cs and ss load (checked before), and
 * their LDT pages are mapped; a data selector that no longer loads becomes
 * null, as it would when the CPU reloads it.
 */
static void desc_after_change(struct vcpu *v)
{
    struct cpu_regs *r = vcpu_regs(v);
    uint32_t *data[4] = { &r->ds, &r->es, &r->fs, &r->gs };
    unsigned int cpl = r->cs & 3;

    desc_selector_map(v, r->cs);
    desc_selector_map(v, r->ss);
    for ( unsigned int i = 0; i < ARRAY_SIZE(data); i++ )
    {
        if ( desc_selector_ok(v, *data[i], SEL_DATA, cpl) )
            desc_selector_map(v, *data[i]);
        else
            *data[i] = 0;
    }
}

/* ------------------------------------------------------------------------
 * The LDT: validated and mapped page by page, on first use.
 */

void desc_release_ldt(struct vcpu *v)
{
    for ( unsigned int i = 0; i < LDT_MAX_PAGES; i++ )
        if ( v->cpu.ldt_mapped & (1u << i) )
            desc_put_frame(v->cpu.ldt_frames[i]);
    v->cpu.ldt_mapped = 0;
}

void desc_load_ldt(struct vcpu *v)
{
    arch_load_ldt(v->ldt_ents);
    for ( unsigned int i = 0; i < LDT_MAX_PAGES; i++ )
        if ( v->cpu.ldt_mapped & (1u << i) )
            arch_map_ldt_page(i, v->cpu.ldt_frames[i]);
}

/* Map LDT page i: 0, or -EFAULT (not mapped) / -EINVAL (no descriptor page). */
static int ldt_map_page(struct vcpu *v, unsigned int i)
{
    mfn_t mfn;

    if ( v->cpu.ldt_mapped & (1u << i) )
        return 0;
    if ( guest_walk(v, v->ldt_base + i * PAGE_SIZE, false, &mfn) )
        return -EFAULT;
    if ( desc_get_frame(v->domain, mfn) )
        return -EINVAL;
    v->cpu.ldt_frames[i] = mfn;
    v->cpu.ldt_mapped |= 1u << i;
    if ( v == current )
        arch_map_ldt_page(i, mfn);
    return 0;
}

bool desc_ldt_fault(struct vcpu *v, uint32_t cr2)
{
    uint32_t off = cr2 - LDT_VIRT_START;
    int rc;

    if ( cr2 < LDT_VIRT_START || off >= v->ldt_ents * 8 )
        return false;
    rc = ldt_map_page(v, off >> PAGE_SHIFT);
    if ( !rc )
        return true;                    /* the CPU retries the instruction */
    /* As Xen: the guest gets the #PF at its own LDT's address. */
    vcpu_regs(v)->entry_vector = X86_EXC_PF;
    vcpu_regs(v)->error_code = rc == -EFAULT ? 0 : X86_PFEC_PRESENT;
    traps_deliver(v, v->ldt_base + off);
    return true;
}

int desc_set_ldt(struct vcpu *v, uint32_t base, uint32_t ents)
{
    struct desc_tables t;

    desc_tables_of(v, &t);
    t.ldt_base = ents ? base : 0;
    t.ldt_ents = ents;
    t.ldt_mapped = 0;                   /* a new LDT: nothing mapped yet */
    if ( !desc_running_ok(v, &t) )
        return -EINVAL;

    desc_release_ldt(v);
    v->ldt_base = t.ldt_base;
    v->ldt_ents = ents;
    if ( v == current )
        arch_load_ldt(v->ldt_ents);
    /* The frame about to be resumed may name LDT entries: the machine loads
     * them on the way out, before any fault could map them. */
    desc_after_change(v);
    return 0;
}

void desc_load_gdt(struct vcpu *v)
{
    arch_load_gdt(v->cpu.gdt_frames, (v->cpu.gdt_ents + DESC_PER_PAGE - 1) / DESC_PER_PAGE);
}

void desc_destroy_gdt(struct vcpu *v)
{
    unsigned int nr = (v->cpu.gdt_ents + DESC_PER_PAGE - 1) / DESC_PER_PAGE;

    for ( unsigned int i = 0; i < nr; i++ )
        desc_put_frame(v->cpu.gdt_frames[i]);
    v->cpu.gdt_ents = 0;
    memset(v->cpu.gdt_frames, 0, sizeof(v->cpu.gdt_frames));
}

int desc_gdt_take(struct domain *d, const mfn_t *frames, unsigned int entries)
{
    unsigned int nr = (entries + DESC_PER_PAGE - 1) / DESC_PER_PAGE, i;
    int rc = 0;

    if ( entries > FIRST_RESERVED_GDT_ENTRY )
        return -EINVAL;
    for ( i = 0; i < nr; i++ )
    {
        rc = desc_get_frame(d, frames[i]);
        if ( rc )
            break;
    }
    if ( rc )
        while ( i-- > 0 )
            desc_put_frame(frames[i]);
    return rc;
}

void desc_gdt_put(const mfn_t *frames, unsigned int entries)
{
    for ( unsigned int i = 0; i < (entries + DESC_PER_PAGE - 1) / DESC_PER_PAGE; i++ )
        desc_put_frame(frames[i]);
}

void desc_gdt_install(struct vcpu *v, const mfn_t *frames, unsigned int entries)
{
    desc_destroy_gdt(v);
    memcpy(v->cpu.gdt_frames, frames,
           (entries + DESC_PER_PAGE - 1) / DESC_PER_PAGE * sizeof(mfn_t));
    v->cpu.gdt_ents = entries;
    if ( v == current )
        desc_load_gdt(v);
}

long do_set_gdt(struct vcpu *v, uint32_t frame_list, uint32_t entries, uint32_t a3 __unused,
                uint32_t a4 __unused, uint32_t a5 __unused)
{
    mfn_t frames[GDT_GUEST_FRAMES];
    struct desc_tables t;
    int rc;

    if ( entries > FIRST_RESERVED_GDT_ENTRY )
        return -EINVAL;
    if ( copy_from_guest(v, frames, frame_list,
                         (entries + DESC_PER_PAGE - 1) / DESC_PER_PAGE * sizeof(mfn_t)) )
        return -EFAULT;
    rc = desc_gdt_take(v->domain, frames, entries);
    if ( rc )
        return rc;
    /* The frames are held (and validated): would cs and ss still load? */
    desc_tables_of(v, &t);
    t.gdt_frames = frames;
    t.gdt_ents = entries;
    if ( !desc_running_ok(v, &t) )
    {
        desc_gdt_put(frames, entries);
        return -EINVAL;
    }
    desc_gdt_install(v, frames, entries);
    desc_after_change(v);
    return 0;
}

/* A vCPU about to run for the first time: would its own cs and ss, and its
 * kernel stack if it has one, load with its own tables? */
int desc_vcpu_ready(struct vcpu *v)
{
    struct desc_tables t;

    desc_tables_of(v, &t);
    if ( !desc_running_ok(v, &t) ||
         (v->cpu.kernel_ss && !selector_ok(v, &t, v->cpu.kernel_ss, SEL_STACK, 1)) )
        return -EINVAL;
    desc_after_change(v);
    desc_selector_map(v, v->cpu.kernel_ss);
    return 0;
}

long do_update_descriptor(struct vcpu *v, uint32_t pa_lo, uint32_t pa_hi, uint32_t desc_lo,
                          uint32_t desc_hi, uint32_t a5 __unused)
{
    uint64_t pa = ((uint64_t)pa_hi << 32) | pa_lo;
    mfn_t mfn = (mfn_t)(pa >> PAGE_SHIFT);
    struct domain *d = v->domain;
    struct desc_tables t;
    struct frame *f;
    uint32_t *p;
    enum frame_type type;

    /* Aligned, or it would tear two descriptors. */
    if ( (pa & 7) || (pa >> PAGE_SHIFT) > 0xffffffffu || !desc_check(&desc_lo, &desc_hi) )
        return -EINVAL;
    f = frame_of(mfn);
    if ( !f || !mm_get_ref(d, mfn) )
        return -EINVAL;
    /* A live descriptor frame keeps its type; anything else must be a frame
     * that may be written (never a page table). */
    type = (f->type == FRAME_SEG_DESC && f->type_count) ? FRAME_SEG_DESC : FRAME_WRITABLE;
    if ( mm_get_type(d, mfn, type, false) )
    {
        mm_put_ref(mfn);
        return -EINVAL;
    }
    /* Every vCPU of the domain that runs must still load its cs and ss with
     * the new descriptor (the frame may be in any of their tables). */
    for ( unsigned int i = 0; i < d->nr_vcpus; i++ )
    {
        struct vcpu *w = &d->vcpu[i];

        if ( !w->up )
            continue;
        desc_tables_of(w, &t);
        t.patched = true;
        t.patch_mfn = mfn;
        t.patch_idx = (unsigned int)(pa & (PAGE_SIZE - 1)) / 8;
        t.patch_lo = desc_lo;
        t.patch_hi = desc_hi;
        if ( !desc_running_ok(w, &t) )
        {
            mm_put_type(mfn);
            mm_put_ref(mfn);
            return -EINVAL;
        }
    }
    p = frame_map(mfn);
    p[(pa & (PAGE_SIZE - 1)) / 4] = desc_lo;
    p[(pa & (PAGE_SIZE - 1)) / 4 + 1] = desc_hi;
    frame_unmap(p);
    arch_frames_written(mfn, 1);
    mm_put_type(mfn);
    mm_put_ref(mfn);
    for ( unsigned int i = 0; i < d->nr_vcpus; i++ )
        if ( d->vcpu[i].up )
            desc_after_change(&d->vcpu[i]);
    return 0;
}
