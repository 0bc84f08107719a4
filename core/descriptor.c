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
 * Reading descriptors as the CPU would.
 */

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

static int ldt_map_page(struct vcpu *v, unsigned int i);

/* An LDT entry as the CPU reads it: its page validated and mapped first (a
 * selector the core hands the machine must load without a fault). */
static bool ldt_read(struct vcpu *v, unsigned int idx, uint32_t *lo, uint32_t *hi)
{
    uint32_t *p;

    if ( idx >= v->ldt_ents || ldt_map_page(v, idx / DESC_PER_PAGE) )
        return false;
    p = frame_map(v->cpu.ldt_frames[idx / DESC_PER_PAGE]);
    *lo = p[(idx % DESC_PER_PAGE) * 2];
    *hi = p[(idx % DESC_PER_PAGE) * 2 + 1];
    frame_unmap(p);
    return true;
}

static bool desc_read(struct vcpu *v, uint32_t sel, uint32_t *lo, uint32_t *hi)
{
    unsigned int idx = sel >> 3, page = idx / DESC_PER_PAGE;
    uint32_t *p;

    if ( sel & 4 )
        return ldt_read(v, idx, lo, hi);
    if ( idx >= FIRST_RESERVED_GDT_ENTRY )
        return reserved_desc(sel, lo, hi);
    if ( page >= (v->cpu.gdt_ents + DESC_PER_PAGE - 1) / DESC_PER_PAGE )
        return false;                   /* reads as zeros: not present */
    p = frame_map(v->cpu.gdt_frames[page]);
    *lo = p[(idx % DESC_PER_PAGE) * 2];
    *hi = p[(idx % DESC_PER_PAGE) * 2 + 1];
    frame_unmap(p);
    return true;
}

bool desc_selector_ok(struct vcpu *v, uint32_t sel, enum sel_use use, unsigned int cpl)
{
    unsigned int rpl = sel & 3, dpl;
    uint32_t lo, hi;

    sel &= 0xffff;
    if ( (sel & ~3u) == 0 )
        return use == SEL_DATA;         /* null: fine in a data register only */
    if ( !desc_read(v, sel, &lo, &hi) )
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

uint32_t desc_code_limit(struct vcpu *v, uint32_t sel)
{
    uint32_t lo, hi, limit;

    if ( (sel & 0xfffc) == 0 || !desc_read(v, sel & 0xffff, &lo, &hi) ||
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
 * After a descriptor change: the CPU reloads cs and ss from the GDT when the
 * guest is resumed; one that no longer loads would fault inside the
 * hypervisor. The guest pulled the ground from under its own feet: it dies
 * (Xen would call its failsafe callback). Data selectors just become null.
 */
static void desc_check_running(struct vcpu *v)
{
    unsigned int cpl;

    regs_need(v, REGS_ALL);
    cpl = v->regs.cs & 3;
    if ( !desc_selector_ok(v, v->regs.cs, SEL_CODE, cpl) ||
         !desc_selector_ok(v, v->regs.ss, SEL_STACK, cpl) )
        domain_crash(v->domain, "its own cs %04x or ss %04x no longer loads",
                     v->regs.cs & 0xffff, v->regs.ss & 0xffff);
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
    v->regs.entry_vector = X86_EXC_PF;
    v->regs.error_code = rc == -EFAULT ? 0 : X86_PFEC_PRESENT;
    traps_deliver(v, v->ldt_base + off);
    return true;
}

void desc_set_ldt(struct vcpu *v)
{
    uint32_t *segs[6] = { &v->regs.cs, &v->regs.ss, &v->regs.ds, &v->regs.es, &v->regs.fs,
                          &v->regs.gs };

    regs_need(v, REGS_ALL);
    desc_release_ldt(v);
    if ( v == current )
        arch_load_ldt(v->ldt_ents);
    /* The frame about to be resumed may name LDT entries: the machine loads
     * them on the way out, before any fault could map them. */
    for ( unsigned int i = 0; i < ARRAY_SIZE(segs); i++ )
        if ( (*segs[i] & 4) && (*segs[i] >> 3) < v->ldt_ents )
            (void)ldt_map_page(v, (*segs[i] >> 3) / DESC_PER_PAGE);
    desc_check_running(v);
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

long do_set_gdt(struct vcpu *v, uint32_t frame_list, uint32_t entries, uint32_t a3 __unused,
                uint32_t a4 __unused, uint32_t a5 __unused)
{
    mfn_t frames[GDT_GUEST_FRAMES];
    unsigned int nr, i;
    int rc;

    if ( entries > FIRST_RESERVED_GDT_ENTRY )
        return -EINVAL;
    nr = (entries + DESC_PER_PAGE - 1) / DESC_PER_PAGE;
    if ( copy_from_guest(v, frames, frame_list, nr * sizeof(mfn_t)) )
        return -EFAULT;

    for ( i = 0; i < nr; i++ )
    {
        rc = desc_get_frame(v->domain, frames[i]);
        if ( rc )
        {
            while ( i-- > 0 )
                desc_put_frame(frames[i]);
            return rc;
        }
    }

    /* Every new frame is held: drop the old GDT, install the new one. */
    desc_destroy_gdt(v);
    memcpy(v->cpu.gdt_frames, frames, nr * sizeof(mfn_t));
    v->cpu.gdt_ents = entries;
    if ( v == current )
        desc_load_gdt(v);
    desc_check_running(v);
    return 0;
}

long do_update_descriptor(struct vcpu *v, uint32_t pa_lo, uint32_t pa_hi, uint32_t desc_lo,
                          uint32_t desc_hi, uint32_t a5 __unused)
{
    uint64_t pa = ((uint64_t)pa_hi << 32) | pa_lo;
    mfn_t mfn = (mfn_t)(pa >> PAGE_SHIFT);
    struct domain *d = v->domain;
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
    p = frame_map(mfn);
    p[(pa & (PAGE_SIZE - 1)) / 4] = desc_lo;
    p[(pa & (PAGE_SIZE - 1)) / 4 + 1] = desc_hi;
    frame_unmap(p);
    arch_frames_written(mfn, 1);
    mm_put_type(mfn);
    mm_put_ref(mfn);
    desc_check_running(v);
    return 0;
}
