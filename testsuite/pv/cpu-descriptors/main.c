/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu-descriptors: Xen's descriptor rules through update_descriptor and
 * set_gdt. Refused: DPL 0, a base in the hypervisor's area, a byte-granular
 * limit that would reach it, system descriptors other than 32-bit call
 * gates, a call gate into a hypervisor segment, a misaligned or foreign or
 * page-table address, a GDT frame mapped writable or holding a bad entry.
 * Accepted: flat segments (their limit clamped below 0xF6800000), DPL 1-3,
 * not-present entries, call gates into guest code. A live GDT frame cannot be
 * mapped writable, and its selectors load (or fault with #NP/#GP naming them);
 * a data segment register holding one sees an update_descriptor of it at the
 * hypercall's return, and reads null when the GDT goes.
 */
#include "guest.h"
#include "traps.h"
#include "mm.h"

const char test_title[] = "Segment descriptors are validated like Xen's check_descriptor";

#define SPARE_VA    0x3ff000ul          /* in the initial mapping, unused */

/* lo/hi of a code/data descriptor. */
static uint64_t seg(uint32_t base, uint32_t limit, unsigned int type, unsigned int dpl, bool g)
{
    uint32_t lo = (limit & 0xffff) | (base << 16);
    uint32_t hi = ((base >> 16) & 0xff) | (type << 8) | (1u << 12) | (dpl << 13) | (1u << 15) |
                  (limit & 0xf0000) | (1u << 22) | (g ? 1u << 23 : 0) | (base & 0xff000000u);

    return ((uint64_t)hi << 32) | lo;
}

static uint64_t gate(uint16_t cs, uint32_t off, unsigned int type, unsigned int dpl)
{
    uint32_t lo = (off & 0xffff) | ((uint32_t)cs << 16);
    uint32_t hi = (off & 0xffff0000u) | (type << 8) | (dpl << 13) | (1u << 15);

    return ((uint64_t)hi << 32) | lo;
}

static const struct {
    const char *what;
    uint64_t desc;
    long rc;
} rules[] = {
    { "flat data DPL 3",                  0, 0 },      /* filled in below */
    { "code DPL 0",                       0, -EINVAL },
    { "data DPL 0",                       0, -EINVAL },
    { "base in the hypervisor area",      0, -EINVAL },
    { "byte-granular limit past 0xF6800000", 0, -EINVAL },
    { "expand-down data, 4 KiB pages",    0, 0 },
    { "call gate DPL 3 into ring-1 code", 0, 0 },
    { "call gate into the hypervisor",    0, -EINVAL },
    { "16-bit call gate",                 0, -EINVAL },
    { "interrupt gate",                   0, -EINVAL },
    { "TSS",                              0, -EINVAL },
    { "LDT descriptor",                   0, -EINVAL },
    { "call gate with reserved bits",     0, -EINVAL },
    { "not present, DPL 0",               0x0000900000000000ull & ~(1ull << 47), 0 },
};

static uint64_t rule_desc(unsigned int i)
{
    switch ( i )
    {
    case 0:  return seg(0, 0xfffff, 0x3, 3, true);
    case 1:  return seg(0, 0xfffff, 0xb, 0, true);
    case 2:  return seg(0, 0xfffff, 0x3, 0, true);
    case 3:  return seg(0xf6800000u, 0xf, 0x3, 3, true);
    case 4:  return seg(0xf67f0000u, 0xfffff, 0x3, 3, false);
    case 5:  return seg(0, 0x10, 0x7, 3, true);
    case 6:  return gate(FLAT_RING1_CS, 0x101000, 0xc, 3);
    case 7:  return gate(0xe008, 0x101000, 0xc, 3);
    case 8:  return gate(FLAT_RING1_CS, 0x101000, 0x4, 3);
    case 9:  return gate(FLAT_RING1_CS, 0x101000, 0xe, 3);
    case 10: return seg(0x1000, 0x67, 0x9, 3, false) & ~(1ull << 44);
    case 11: return seg(0x1000, 0xfff, 0x2, 3, false) & ~(1ull << 44);
    case 12: return gate(FLAT_RING1_CS, 0x101000, 0xc, 3) | (1ull << 37);
    default: return rules[i].desc;
    }
}

static long update(uint32_t mfn, unsigned int idx, uint64_t d)
{
    return HYPERVISOR_update_descriptor(((uint64_t)mfn << 12) + idx * 8, d);
}

static unsigned int lsl(unsigned int sel)
{
    unsigned int limit = 0;

    asm volatile ( "lsl %1, %0" : "+r" (limit) : "r" (sel) );
    return limit;
}

extern char np_at[], np_fix[], sgp_at[], sgp_fix[];

static void noinline load_fs_np(void)
{
    asm volatile ( "np_at: mov %0, %%fs; np_fix:" GUEST_EXTABLE(np_at, np_fix) :: "r" (0x13) : "memory" );
}

static void noinline load_fs_gp(void)
{
    asm volatile ( "sgp_at: mov %0, %%fs; sgp_fix:" GUEST_EXTABLE(sgp_at, sgp_fix) :: "r" (0x1b) : "memory" );
}

void test_main(void)
{
    uint32_t gdt_mfn = mm_pfn_to_mfn(mm_alloc_pfn());
    uint32_t bad_mfn = mm_pfn_to_mfn(mm_alloc_pfn());
    uint32_t data_mfn = mm_pfn_to_mfn((uint32_t)(unsigned long)&test_title >> 12);
    uint32_t frames[1] = { gdt_mfn };
    uint64_t spare_pte = ((uint64_t)mm_pfn_to_mfn(SPARE_VA >> 12) << 12) | 0x63;

    guest_traps_init();

    for ( unsigned int i = 0; i < ARRAY_SIZE(rules); i++ )
    {
        long rc = update(gdt_mfn, 8 + i, rule_desc(i));

        if ( rc != rules[i].rc )
            test_fail("update_descriptor, %s: %ld, expected %ld\n", rules[i].what, rc,
                      rules[i].rc);
    }
    CHECK_RC(HYPERVISOR_update_descriptor(((uint64_t)gdt_mfn << 12) + 4, rule_desc(0)), -EINVAL);
    CHECK_RC(HYPERVISOR_update_descriptor((uint64_t)mm_pfn_to_mfn(start_info->pt_base >> 12) << 12,
                                       rule_desc(0)), -EINVAL);     /* a page table */
    CHECK_RC(HYPERVISOR_update_descriptor(0, rule_desc(0)), -EINVAL);  /* not ours */

    /* GDT: entry 1 flat DPL 3 data, 2 not present, 3 DPL 1 data. */
    CHECK_RC(update(gdt_mfn, 1, rule_desc(0)), 0);
    CHECK_RC(update(gdt_mfn, 3, seg(0, 0xfffff, 0x3, 1, true)), 0);
    CHECK_RC(update(gdt_mfn, 2, seg(0, 0xfffff, 0x3, 3, true) & ~(1ull << 47)), 0);
    CHECK_RC(HYPERVISOR_set_gdt(frames, 7169), -EINVAL);
    CHECK_RC(HYPERVISOR_set_gdt((void *)0x7ffffff0, 512), -EFAULT);
    frames[0] = data_mfn;                       /* mapped writable */
    CHECK_RC(HYPERVISOR_set_gdt(frames, 512), -EINVAL);

    /* A frame with a DPL-0 descriptor written behind the hypervisor's back. */
    CHECK_RC(HYPERVISOR_update_va_mapping(SPARE_VA, ((uint64_t)bad_mfn << 12) | 0x63, UVMF_INVLPG), 0);
    ((volatile uint64_t *)SPARE_VA)[5] = seg(0, 0xfffff, 0x3, 0, true);
    CHECK_RC(HYPERVISOR_update_va_mapping(SPARE_VA, spare_pte, UVMF_INVLPG), 0);
    frames[0] = bad_mfn;
    CHECK_RC(HYPERVISOR_set_gdt(frames, 512), -EINVAL);

    frames[0] = gdt_mfn;
    CHECK_RC(HYPERVISOR_set_gdt(frames, 512), 0);
    /* Typed as descriptors now: no writable mapping. */
    CHECK_RC(HYPERVISOR_update_va_mapping(SPARE_VA, ((uint64_t)gdt_mfn << 12) | 0x63, UVMF_INVLPG),
          -EBUSY);

    /* The flat segment's limit was clamped below the hypervisor. */
    if ( lsl(0x0b) != 0xf67fffff )
        test_fail("limit of a flat guest segment %#x, expected 0xf67fffff\n", lsl(0x0b));
    asm volatile ( "mov %0, %%fs" :: "r" (0x0b) );
    load_fs_np();
    if ( guest_last_fault.vector != 11 || guest_last_fault.error != 0x10 ||
         guest_last_fault.eip != (uint32_t)np_at )
        test_fail("not-present selector: vector %u error %#x, expected #NP(0x10)\n",
                  guest_last_fault.vector, guest_last_fault.error);
    load_fs_gp();
    if ( guest_last_fault.vector != 13 || guest_last_fault.error != 0x18 )
        test_fail("RPL 3 on a DPL 1 segment: vector %u error %#x at %#x, expected #GP(0x18) at %#x\n",
                  guest_last_fault.vector, guest_last_fault.error, guest_last_fault.eip,
                  (uint32_t)sgp_at);

    /* A live GDT frame may be updated; a bad descriptor still may not. */
    CHECK_RC(update(gdt_mfn, 2, rule_desc(0)), 0);
    asm volatile ( "mov %0, %%fs" :: "r" (0x13) : "memory" );
    CHECK_RC(update(gdt_mfn, 2, rule_desc(2)), -EINVAL);
    asm volatile ( "mov %0, %%fs" :: "r" (0) );

    /* A write to a live descriptor reaches a segment register holding its
     * selector on the way out of the hypercall: a new base at once, a
     * not-present entry as null. */
    {
        uint32_t via_gs, gs;

        asm volatile ( "mov %0, %%gs" :: "r" (0x0b) : "memory" );
        CHECK_RC(update(gdt_mfn, 1, seg(0x1000, 0xfffff, 0x3, 3, true)), 0);
        asm volatile ( "mov %%gs:(%1), %0" : "=r" (via_gs)
                       : "r" ((uint32_t)(unsigned long)test_title - 0x1000) : "memory" );
        if ( via_gs != *(const uint32_t *)test_title )
            test_fail("gs still has the old base after update_descriptor: read %#x\n", via_gs);
        CHECK_RC(update(gdt_mfn, 1, seg(0, 0xfffff, 0x3, 3, true) & ~(1ull << 47)), 0);
        asm volatile ( "mov %%gs, %0" : "=r" (gs) :: "memory" );
        if ( gs != 0 )
            test_fail("gs %#x after its descriptor went not-present, expected null\n", gs);
        CHECK_RC(update(gdt_mfn, 1, rule_desc(0)), 0);
    }

    /* Releasing the GDT gives the frame back; a data segment register
     * holding one of its selectors reads null afterwards. */
    asm volatile ( "mov %0, %%fs" :: "r" (0x0b) : "memory" );
    CHECK_RC(HYPERVISOR_set_gdt(frames, 0), 0);
    {
        unsigned int fs;

        asm volatile ( "mov %%fs, %0" : "=r" (fs) :: "memory" );
        if ( fs != 0 )
            test_fail("fs %#x after its GDT went away, expected null\n", fs);
    }
    CHECK_RC(HYPERVISOR_update_va_mapping(SPARE_VA, ((uint64_t)gdt_mfn << 12) | 0x63, UVMF_INVLPG), 0);
    CHECK_RC(HYPERVISOR_update_va_mapping(SPARE_VA, spare_pte, UVMF_INVLPG), 0);

    test_pass();
}
