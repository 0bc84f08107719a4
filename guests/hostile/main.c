/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostile: one image, two roles (testsuite/run-scenarios.py, "hostile/...").
 *
 *   domain 0   the witness. "wait=exit" (default): waits for VIRQ_DOM_EXC
 *              (the hostile domain powered off or was killed), then shows it
 *              still works and passes. "wait=time": the hostile domain never
 *              ends (loop, storm): the witness sleeps 10 times and computes
 *              20 ms beside it and passes; "storm=1" first
 *              binds the storm's port, takes some of it, then masks it.
 *   domain 1+  "attack=NAME": tries one forbidden thing, reports every
 *              refusal on its console ("(d1) ..."), and powers off with
 *              "Test result: SUCCESS" - or is killed, where that is the rule.
 *
 * Nothing printed depends on the machine: no frame numbers, no times, no
 * counts of machine memory. Error codes are Xen's.
 */
#include "guest.h"
#include "traps.h"
#include "events.h"
#include "mm.h"
#include "hostile.h"

#include <public/grant_table.h>
#include <public/pvx.h>

const char test_title[] = "hostile: a domain tries a forbidden thing; refused or killed alone";

/* ------------------------------------------------------------------------
 * Helpers.
 */

/* "key=" in the command line: the value's start, or NULL. */
static const char *arg(const char *key)
{
    const char *p = start_info->cmd_line;
    size_t n = strlen(key);

    for ( ; *p; p++ )
        if ( (p == start_info->cmd_line || p[-1] == ' ') && !strncmp(p, key, n) )
            return p + n;
    return NULL;
}

static bool arg_is(const char *key, const char *val)
{
    const char *v = arg(key);
    size_t n = strlen(val);

    return v && *v++ == '=' && !strncmp(v, val, n) && (v[n] == '\0' || v[n] == ' ');
}

/* Any hypercall by number: the walk needs the number at run time. */
static long hc(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5)
{
    asm volatile ( "int $0x82"
                   : "+a" (nr), "+b" (a1), "+c" (a2), "+d" (a3), "+S" (a4), "+D" (a5)
                   :: "memory" );
    return (long)(int32_t)nr;
}

unsigned int nr_bad;

bool expect(const char *what, long rc, long want)
{
    if ( rc == want )
    {
        printk("%s: %ld\n", what, rc);
        return true;
    }
    printk("NOT REFUSED: %s: %ld, expected %ld\n", what, rc, want);
    nr_bad++;
    return false;
}

static uint32_t p2m(uint32_t pfn)
{
    return mm_pfn_to_mfn(pfn);
}

static uint32_t va_mfn(const void *p)
{
    return p2m((uint32_t)(unsigned long)p >> PAGE_SHIFT);
}

static uint64_t pte(uint32_t mfn, uint32_t flags)
{
    return ((uint64_t)mfn << PAGE_SHIFT) | flags;
}

#define PTE_RO  0x21u                   /* P|A */
#define PTE_RW  0x63u                   /* P|RW|A|D */

/* A page to remap and an arena of 16 pages whose 17th is unmapped (the
 * fence): a batch read past the arena's end faults, deterministically. */
#define ARENA_PAGES 16
static uint8_t scratch[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t arena[(ARENA_PAGES + 1) * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
#define FENCE ((uint32_t)(unsigned long)(arena + ARENA_PAGES * PAGE_SIZE))

static long unmap(uint32_t va)
{
    return HYPERVISOR_update_va_mapping(va, 0, UVMF_INVLPG);
}

static long map_scratch(uint64_t e)
{
    return HYPERVISOR_update_va_mapping((unsigned long)scratch, e, UVMF_INVLPG);
}

static long restore_scratch(void)
{
    return map_scratch(pte(va_mfn(scratch), PTE_RW));
}

/* One request; dom is the whole foreigndom word (bits 16+: whose tables). */
static long mmu1(uint64_t ptr, uint64_t val, uint32_t dom)
{
    struct mmu_update r = { ptr, val };

    return hc(__HYPERVISOR_mmu_update, (uint32_t)(unsigned long)&r, 1, 0, dom, 0);
}

/* The page tables: L3 at pt_base, its four L2s, the L1 mapping a va. */
static uint32_t l3_mfn(void)
{
    return p2m(start_info->pt_base >> PAGE_SHIFT);
}

static uint32_t l2_mfn(unsigned int slot)
{
    return (uint32_t)((((const volatile uint64_t *)start_info->pt_base)[slot] & PTE_ADDR_MASK)
                      >> PAGE_SHIFT);
}

static uint32_t l1_mfn_of(uint32_t va)
{
    const volatile uint64_t *l2 = (const volatile uint64_t *)mm_mfn_to_va(l2_mfn(va >> 30));

    return (uint32_t)((l2[(va >> 21) & 511] & PTE_ADDR_MASK) >> PAGE_SHIFT);
}

/* A store the guest expects to fault: the vector, or 0 if it went through. */
extern char store_at[], store_fix[];
static unsigned int noinline try_store(uint32_t va)
{
    unsigned int before = guest_fault_count;

    asm volatile ( "store_at: movl $0x5a5a5a5a, (%0); store_fix:"
                   GUEST_EXTABLE(store_at, store_fix) :: "r" (va) : "memory" );
    return guest_fault_count != before ? guest_last_fault.vector : 0;
}

/* ------------------------------------------------------------------------
 * 1. A writable mapping of its own page tables.
 */
static void attack_pt_writable(void)
{
    uint32_t va = (uint32_t)(unsigned long)scratch;
    struct mmu_update r;

    guest_traps_init();
    scratch[0] = 0x42;
    expect("update_va_mapping: its L3 writable", map_scratch(pte(l3_mfn(), PTE_RW)), -EBUSY);
    expect("update_va_mapping: its L2 writable", map_scratch(pte(l2_mfn(0), PTE_RW)), -EBUSY);
    expect("update_va_mapping: the L1 mapping this very page writable",
           map_scratch(pte(l1_mfn_of(va), PTE_RW)), -EBUSY);
    expect("update_va_mapping: the slot-3 (hypervisor) L2 writable",
           map_scratch(pte(l2_mfn(3), PTE_RW)), -EBUSY);
    expect("mmu_update: an L1 entry naming its L3 writable",
           mmu1(((uint64_t)l1_mfn_of(va) << PAGE_SHIFT) + 8 * ((va >> 12) & 511),
                pte(l3_mfn(), PTE_RW), DOMID_SELF), -EBUSY);
    /* The other way round: a frame mapped writable cannot become a table. */
    expect("mmu_update: an L2 entry making a writable page an L1",
           mmu1((uint64_t)l2_mfn(1) << PAGE_SHIFT, pte(va_mfn(scratch), 0x67), DOMID_SELF),
           -EINVAL);
    r = (struct mmu_update){ (uint64_t)l1_mfn_of(va) << PAGE_SHIFT, pte(l2_mfn(0), PTE_RW) };
    expect("multicall of mmu_update: its L2 writable (the entry's result)",
           ({ struct multicall_entry mc = { .op = __HYPERVISOR_mmu_update,
                  .args = { (uint32_t)(unsigned long)&r, 1, 0, DOMID_SELF } };
              long rc_ = HYPERVISOR_multicall(&mc, 1);
              rc_ ? rc_ : (long)(int32_t)mc.result; }), -EBUSY);
    /* Its tables are mapped read-only: a store faults in the guest. */
    expect("store to its L3 through its read-only mapping: vector",
           try_store((uint32_t)start_info->pt_base), 14);
    expect("store to its L1 through its read-only mapping: vector",
           try_store((uint32_t)mm_mfn_to_va(l1_mfn_of(va))), 14);
    expect("scratch page still its own, unchanged", scratch[0], 0x42);
}

/* ------------------------------------------------------------------------
 * 2. Another domain's frames, found in the read-only M2P.
 */
static void attack_foreign_frame(void)
{
    const volatile uint32_t *m2p = (const volatile uint32_t *)MACH2PHYS_VIRT_START;
    long max = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    uint32_t found[16], n = 0;
    unsigned int ok = 0;

    /* Valid-looking entries whose pfn does not map back to the frame. */
    for ( long m = 1; m < max && n < ARRAY_SIZE(found); m++ )
    {
        uint32_t pfn = m2p[m];

        if ( pfn >= 0x100000 )
            continue;
        if ( pfn < start_info->nr_pages && p2m(pfn) == (uint32_t)m )
            continue;
        found[n++] = (uint32_t)m;
    }
    if ( n < ARRAY_SIZE(found) )
        return test_error("the M2P shows only %u frames not ours\n", n);
    printk("found 16 frames in the M2P that are not its own\n");

    for ( unsigned int i = 0; i < n; i++ )
    {
        uint32_t f = found[i], gdt[1] = { f };
        xen_pfn_t x = f;
        struct xen_memory_reservation r = {
            .extent_start = (uint32_t)(unsigned long)&x, .nr_extents = 1, .domid = DOMID_SELF,
        };
        struct mmuext_op op = { .cmd = MMUEXT_PIN_L1_TABLE, .arg1.mfn = f };

        ok += map_scratch(pte(f, PTE_RO)) == -EBUSY;
        ok += map_scratch(pte(f, PTE_RW)) == -EBUSY;
        ok += mmu1((uint64_t)f << PAGE_SHIFT, 0, DOMID_SELF) == -EINVAL;
        ok += mmu1(((uint64_t)f << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, 0, DOMID_SELF) == -EINVAL;
        ok += HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF) == -EINVAL;
        ok += HYPERVISOR_update_descriptor((uint64_t)f << PAGE_SHIFT, 0) == -EINVAL;
        ok += HYPERVISOR_set_gdt(gdt, 1) == -EINVAL;
        ok += HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r) == 0;
    }
    expect("16 foreign frames x 8 ways (map ro/rw, as a table, machphys, pin, descriptor, "
           "GDT, give back): refused", ok, 16 * 8);
    expect("mmu_update on behalf of domain 0 (foreigndom)",
           mmu1(((uint64_t)va_mfn(scratch) << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, 0, 0), -EPERM);
    expect("mmu_update on domain 0's tables (foreigndom >> 16)",
           mmu1(((uint64_t)va_mfn(scratch) << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, 0, 1u << 16),
           -EPERM);
    expect("memory_op: domain 0's reservation",
           ({ domid_t d0 = 0; HYPERVISOR_memory_op(XENMEM_current_reservation, &d0); }), -EPERM);
    expect("scratch page still its own", restore_scratch(), 0);
}

/* ------------------------------------------------------------------------
 * 3. The hypervisor's area: 0xF5800000 up.
 */
static void attack_hyp_area(void)
{
    const volatile uint32_t *m2p = (const volatile uint32_t *)MACH2PHYS_VIRT_START;
    const volatile uint64_t *xl2 = (const volatile uint64_t *)mm_mfn_to_va(l2_mfn(3));
    uint64_t own = pte(va_mfn(scratch), PTE_RW);
    uint32_t scratch_pfn = (uint32_t)(unsigned long)scratch >> PAGE_SHIFT;

    guest_traps_init();
    expect("reading its own M2P entry (the ABI allows it)", m2p[va_mfn(scratch)] == scratch_pfn, 1);
    expect("update_va_mapping at 0xF5800000 (the M2P)",
           HYPERVISOR_update_va_mapping(0xF5800000u, own, UVMF_INVLPG), -EINVAL);
    expect("update_va_mapping at 0xF6800000 (the machine's area)",
           HYPERVISOR_update_va_mapping(0xF6800000u, own, UVMF_INVLPG), -EINVAL);
    expect("update_va_mapping at 0xFFFFF000",
           HYPERVISOR_update_va_mapping(0xFFFFF000u, own, UVMF_INVLPG), -EINVAL);
    static const unsigned int slots[] = { MM_HYP_FIRST_L2_SLOT, 435, 436, 511 };

    for ( unsigned int i = 0; i < ARRAY_SIZE(slots); i++ )
    {
        unsigned int slot = slots[i];
        char what[80];

        snprintk(what, sizeof(what), "mmu_update: slot-3 L2 slot %u (hypervisor's) cleared", slot);
        expect(what, mmu1(((uint64_t)l2_mfn(3) << PAGE_SHIFT) + 8 * slot, 0, DOMID_SELF), -EPERM);
        snprintk(what, sizeof(what), "mmu_update: slot-3 L2 slot %u pointed at its own L1", slot);
        expect(what, mmu1(((uint64_t)l2_mfn(3) << PAGE_SHIFT) + 8 * slot,
                          pte(l1_mfn_of((uint32_t)(unsigned long)scratch), 0x67), DOMID_SELF),
               -EPERM);
    }
    expect("mmu_update: L3 slot 3 replaced",
           mmu1(((uint64_t)l3_mfn() << PAGE_SHIFT) + 8 * 3, pte(l2_mfn(0), 1), DOMID_SELF), -EINVAL);
    expect("update_va_mapping: the hypervisor's M2P L1 mapped read-only",
           map_scratch((xl2[MM_HYP_FIRST_L2_SLOT] & PTE_ADDR_MASK) | PTE_RO), -EBUSY);
    expect("store to the read-only M2P: vector", try_store(MACH2PHYS_VIRT_START), 14);
    expect("mmu_update: a batch reaching 0xF5800000",
           HYPERVISOR_mmu_update((void *)0xF57FFFF0u, 2, NULL, DOMID_SELF), -EFAULT);
    expect("multicall: a list reaching 0xF5800000",
           HYPERVISOR_multicall((void *)0xF57FFFE0u, 2), -EFAULT);
    expect("xen_version: writing into the M2P",
           HYPERVISOR_xen_version(XENVER_extraversion, (void *)MACH2PHYS_VIRT_START), -EFAULT);
    expect("its M2P entry unchanged", m2p[va_mfn(scratch)] == scratch_pfn, 1);
    expect("scratch page still its own", restore_scratch(), 0);
}

/* ------------------------------------------------------------------------
 * 4. A ring-0 trap handler (and callbacks, stack): refused or made ring 1.
 *    Ends with an iret to ring 0: the domain is killed.
 */
static volatile unsigned int handler_cpl = 99, handler_frame_rpl = 99;

static bool int3_hook(struct guest_frame *f)
{
    if ( f->vector != 3 )
        return false;
    handler_cpl = read_cs() & 3;
    handler_frame_rpl = f->cs & 3;
    return true;
}

/* outb $0, $0xf4: the vector it raised, or 0. */
extern char out_at[], out_fix[];
static unsigned int noinline try_out(void)
{
    unsigned int before = guest_fault_count;

    asm volatile ( "xor %%eax, %%eax; out_at: outb %%al, $0xf4; out_fix:"
                   GUEST_EXTABLE(out_at, out_fix) ::: "eax", "memory" );
    return guest_fault_count != before ? guest_last_fault.vector : 0;
}

static uint32_t iret_frame[6];

static void __noreturn iret_with_frame(uint32_t *frame)
{
    asm volatile ( "mov %0, %%esp\n"
                   "mov %1, %%eax\n"
                   "int $0x82\n"
                   "ud2\n" :: "r" (frame), "i" (__HYPERVISOR_iret) : "memory" );
    __builtin_unreachable();
}

static void attack_ring0_trap(void)
{
    uint32_t eip3;
    struct trap_info t[2] = { { 3, 3, 0xe008, 0 }, { 0, 0, 0, 0 } };
    struct callback_register cb = {
        .type = CALLBACKTYPE_event, .address = { .cs = 0xe008, .eip = 0x100000 },
    };

    guest_traps_init();
    guest_entry_for(3, &eip3);
    t[0].address = eip3;
    expect("set_trap_table: int3 handler in cs 0xe008 (the hypervisor's)",
           HYPERVISOR_set_trap_table(t), -EINVAL);
    t[0].cs = 0xe010;
    expect("set_trap_table: int3 handler in cs 0xe010 (ring-0 data)",
           HYPERVISOR_set_trap_table(t), -EINVAL);
    t[0].cs = 0xe000;
    expect("set_trap_table: int3 handler in cs 0xe000 (null)", HYPERVISOR_set_trap_table(t), -EINVAL);
    t[0].cs = FLAT_RING1_CS & ~3;
    expect("set_trap_table: int3 handler in cs 0xe018 (ring-1 code, RPL 0): fixed up",
           HYPERVISOR_set_trap_table(t), 0);
    guest_trap_hook = int3_hook;
    asm volatile ( "int3" ::: "memory" );
    expect("that handler ran in ring", handler_cpl, 1);
    expect("its frame's cs has RPL", handler_frame_rpl, 1);
    expect("set_callbacks: event callback in cs 0xe008",
           HYPERVISOR_set_callbacks(0xe008, 0x100000, FLAT_RING1_CS, 0x100000), -EINVAL);
    expect("set_callbacks: failsafe callback in cs 0xe008",
           HYPERVISOR_set_callbacks(FLAT_RING1_CS, 0x100000, 0xe008, 0x100000), -EINVAL);
    expect("callback_op: event callback in cs 0xe008",
           HYPERVISOR_callback_op(CALLBACKOP_register, &cb), -EINVAL);
    expect("stack_switch: ring-0 stack 0xe010",
           HYPERVISOR_stack_switch(0xe010, (unsigned long)guest_trap_stack_top), -EINVAL);
    /* Port I/O: never reaches a device, even the machine's exit port. */
    expect("outb to port 0xf4 (QEMU's exit port) at IOPL 0: vector", try_out(), 13);
    expect("physdev_op: virtual IOPL 1",
           ({ struct physdev_set_iopl s = { 1 }; HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &s); }),
           0);
    expect("outb to port 0xf4 at virtual IOPL 1: emulated, no device (vector 0 = none)",
           try_out(), 0);

    /* Finally the iret hypercall into ring 0: that kills the domain. */
    printk("iret hypercall to cs 0xe008 (ring 0): expect to be killed\n");
    iret_frame[0] = 0;                  /* eax */
    iret_frame[1] = 0x100000;           /* eip */
    iret_frame[2] = 0xe008;             /* cs */
    iret_frame[3] = 0x202;              /* eflags */
    iret_with_frame(iret_frame);
}

/* ------------------------------------------------------------------------
 * 5. Ring-0 descriptors: GDT entries and call gates.
 */
static uint64_t seg(uint32_t base, uint32_t limit, unsigned int type, unsigned int dpl)
{
    uint32_t lo = (limit & 0xffff) | (base << 16);
    uint32_t hi = ((base >> 16) & 0xff) | (type << 8) | (1u << 12) | (dpl << 13) | (1u << 15) |
                  (limit & 0xf0000) | (1u << 22) | (1u << 23) | (base & 0xff000000u);

    return ((uint64_t)hi << 32) | lo;
}

static uint64_t gate(uint16_t cs, uint32_t off, unsigned int type, unsigned int dpl)
{
    uint32_t lo = (off & 0xffff) | ((uint32_t)cs << 16);
    uint32_t hi = (off & 0xffff0000u) | (type << 8) | (dpl << 13) | (1u << 15);

    return ((uint64_t)hi << 32) | lo;
}

static void attack_ring0_desc(void)
{
    uint32_t gdt = p2m(mm_alloc_pfn()), bad = p2m(mm_alloc_pfn());
    uint64_t m = (uint64_t)gdt << PAGE_SHIFT;
    uint32_t frames[1];
    const struct { const char *what; uint64_t desc; } descs[] = {
        { "code DPL 0", seg(0, 0xfffff, 0xb, 0) },
        { "conforming code DPL 0", seg(0, 0xfffff, 0xf, 0) },
        { "data DPL 0", seg(0, 0xfffff, 0x3, 0) },
        { "stack (expand-down) DPL 0", seg(0, 0, 0x7, 0) },
        { "code DPL 1 based in the machine's area", seg(0xf6800000u, 0xf, 0xb, 1) },
        { "call gate DPL 3 into cs 0xe008", gate(0xe008, 0x100000, 0xc, 3) },
        { "call gate DPL 3 into cs 0xe010", gate(0xe010, 0x100000, 0xc, 3) },
        { "interrupt gate DPL 3", gate(FLAT_RING1_CS, 0x100000, 0xe, 3) },
        { "trap gate DPL 3", gate(FLAT_RING1_CS, 0x100000, 0xf, 3) },
        { "task gate", gate(0xe008, 0, 0x5, 3) },
        { "TSS", seg(0x1000, 0x67, 0x9, 3) & ~(1ull << 44) },
    };

    guest_traps_init();
    for ( unsigned int i = 0; i < ARRAY_SIZE(descs); i++ )
    {
        char what[96];

        snprintk(what, sizeof(what), "update_descriptor: %s", descs[i].what);
        expect(what, HYPERVISOR_update_descriptor(m + 8 * (i + 1), descs[i].desc), -EINVAL);
    }
    expect("update_descriptor: flat data DPL 3 (allowed)",
           HYPERVISOR_update_descriptor(m + 8, seg(0, 0xfffff, 0x3, 3)), 0);
    expect("update_descriptor: a descriptor in its own L1",
           HYPERVISOR_update_descriptor((uint64_t)l1_mfn_of((uint32_t)(unsigned long)scratch)
                                        << PAGE_SHIFT, seg(0, 0xfffff, 0x3, 3)), -EINVAL);

    /* A DPL-0 code descriptor written behind the hypervisor's back. */
    expect("map a fresh frame writable", map_scratch(pte(bad, PTE_RW)), 0);
    ((volatile uint64_t *)scratch)[5] = seg(0, 0xfffff, 0xb, 0);
    expect("unmap it", restore_scratch(), 0);
    frames[0] = bad;
    expect("set_gdt: a frame holding a DPL-0 code descriptor", HYPERVISOR_set_gdt(frames, 512),
           -EINVAL);
    frames[0] = va_mfn(scratch);
    expect("set_gdt: a frame it maps writable", HYPERVISOR_set_gdt(frames, 512), -EINVAL);
    frames[0] = gdt;
    expect("set_gdt: the validated frame", HYPERVISOR_set_gdt(frames, 512), 0);
    expect("update_descriptor: code DPL 0 into the live GDT",
           HYPERVISOR_update_descriptor(m + 16, seg(0, 0xfffff, 0xb, 0)), -EINVAL);
    expect("update_va_mapping: the live GDT frame writable", map_scratch(pte(gdt, PTE_RW)), -EBUSY);
}

/* ------------------------------------------------------------------------
 * 6. Huge and negative counts: error codes, continuations that end.
 */
static void fence_up(void)
{
    if ( unmap(FENCE) )
        test_error("cannot unmap the arena's fence page\n");
}

static void attack_huge_counts(void)
{
    uint32_t a = (uint32_t)(unsigned long)arena;
    uint32_t self_mfn = va_mfn(scratch), self_pfn = (uint32_t)(unsigned long)scratch >> 12;
    unsigned int done = 0, n;
    long rc;

    guest_traps_init();
    fence_up();

    /* mmu_update */
    expect("mmu_update: count 0xffffffff", HYPERVISOR_mmu_update((void *)arena, 0xffffffffu,
                                                                 &done, DOMID_SELF), -EFAULT);
    expect("mmu_update: count 0x7fffffff",
           HYPERVISOR_mmu_update((void *)arena, 0x7fffffffu, &done, DOMID_SELF), -EFAULT);
    n = ARENA_PAGES * PAGE_SIZE / sizeof(struct mmu_update);
    for ( unsigned int i = 0; i < n; i++ )
        ((struct mmu_update *)arena)[i] = (struct mmu_update){
            ((uint64_t)self_mfn << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, self_pfn };
    done = 0;
    rc = HYPERVISOR_mmu_update((void *)arena, 0x100000, &done, DOMID_SELF);
    expect("mmu_update: count 0x100000 over 4096 good requests, then the fence", rc, -EFAULT);
    expect("  its done count (through 3 continuations)", done, n);

    /* mmuext_op */
    expect("mmuext_op: count -1", HYPERVISOR_mmuext_op((void *)arena, 0xffffffffu, NULL, DOMID_SELF),
           -EFAULT);
    n = ARENA_PAGES * PAGE_SIZE / sizeof(struct mmuext_op);
    for ( unsigned int i = 0; i < n; i++ )
        ((struct mmuext_op *)arena)[i] = (struct mmuext_op){ .cmd = MMUEXT_TLB_FLUSH_LOCAL };
    done = 0;
    rc = HYPERVISOR_mmuext_op((void *)arena, 0x100000, &done, DOMID_SELF);
    expect("mmuext_op: count 0x100000 over 5461 TLB flushes, then the fence", rc, -EFAULT);
    expect("  its done count", done, n);

    /* multicall */
    expect("multicall: nr 0xffffffff", HYPERVISOR_multicall((void *)arena, 0xffffffffu), -EFAULT);
    expect("multicall: nr 0x8000000", HYPERVISOR_multicall((void *)arena, 0x8000000u), -EFAULT);
    n = ARENA_PAGES * PAGE_SIZE / sizeof(struct multicall_entry);
    for ( unsigned int i = 0; i < n; i++ )
        ((struct multicall_entry *)arena)[i] = (struct multicall_entry){
            .op = __HYPERVISOR_xen_version, .result = 1, .args = { XENVER_version } };
    rc = HYPERVISOR_multicall((void *)arena, 0x100000);
    expect("multicall: nr 0x100000 over 2048 xen_version calls, then the fence", rc, -EFAULT);
    {
        unsigned int same = 0;

        for ( unsigned int i = 0; i < n; i++ )
            same += ((struct multicall_entry *)arena)[i].result ==
                    (uint32_t)HYPERVISOR_xen_version(XENVER_version, NULL);
        expect("  entries with xen_version's result", same, n);
    }

    /* memory_op */
    {
        struct xen_memory_reservation r = {
            .extent_start = a, .nr_extents = 0xffffffffu, .domid = DOMID_SELF,
        };
        uint32_t give[64];

        expect("memory_op increase_reservation: nr_extents 0xffffffff",
               HYPERVISOR_memory_op(XENMEM_increase_reservation, &r), 0);
        r.nr_extents = 0x4000000;       /* over ULONG_MAX >> MEMOP_EXTENT_SHIFT */
        expect("memory_op increase_reservation: nr_extents 0x4000000",
               HYPERVISOR_memory_op(XENMEM_increase_reservation, &r), 0);
        r.nr_extents = 0x3ffffff;
        expect("memory_op increase_reservation: nr_extents 0x3ffffff at its maximum",
               HYPERVISOR_memory_op(XENMEM_increase_reservation, &r), 0);
        expect("memory_op populate_physmap: nr_extents 0x3ffffff at its maximum",
               HYPERVISOR_memory_op(XENMEM_populate_physmap, &r), 0);
        for ( unsigned int i = 0; i < ARRAY_SIZE(give); i++ )
            give[i] = p2m(mm_alloc_pfn());
        r.extent_start = (uint32_t)(unsigned long)give;
        r.nr_extents = ARRAY_SIZE(give);
        expect("memory_op decrease_reservation: 64 spare frames given back",
               HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r), 64);
        r.extent_start = a;
        r.nr_extents = 0x3ffffff;
        expect("memory_op increase_reservation: nr_extents 0x3ffffff: bounded by max_pages",
               HYPERVISOR_memory_op(XENMEM_increase_reservation, &r), 64);
        expect("memory_op decrease_reservation: nr_extents 0x3ffffff over frames not its own",
               ({ memset(arena, 0xff, PAGE_SIZE);
                  HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r); }), 0);
    }

    /* console_io: 0xffffffff bytes ending at the fence; nothing printed. */
    memset((void *)(FENCE - 64), 'x', 64);
    expect("console_io: count 0xffffffff",
           HYPERVISOR_console_io(CONSOLEIO_write, 0xffffffffu, (char *)(FENCE - 64)), -EFAULT);
    expect("console_io: count 0x80000000 at 0",
           HYPERVISOR_console_io(CONSOLEIO_write, 0x80000000u, (char *)(FENCE - 64)), -EFAULT);

    /* set_trap_table: 8192 good entries and no terminator. */
    {
        uint32_t eip3;

        guest_entry_for(3, &eip3);
        n = ARENA_PAGES * PAGE_SIZE / sizeof(struct trap_info);
        for ( unsigned int i = 0; i < n; i++ )
            ((struct trap_info *)arena)[i] = (struct trap_info){ 3, 3, FLAT_RING1_CS, eip3 };
        expect("set_trap_table: 8192 entries, no terminator, then the fence",
               HYPERVISOR_set_trap_table((void *)arena), -EFAULT);
        expect("set_trap_table: its own table again", HYPERVISOR_set_trap_table(guest_trap_table), 0);
    }

    /* The rest take a count, and refuse it whole. */
    expect("set_gdt: 0xffffffff entries", HYPERVISOR_set_gdt((void *)arena, 0xffffffffu), -EINVAL);
    expect("sched_op poll: 0xffffffff ports",
           ({ struct sched_poll p = { a, 0xffffffffu, 1 }; HYPERVISOR_sched_op(SCHEDOP_poll, &p); }),
           -EINVAL);
    expect("grant_table_op setup_table: count 0xffffffff",
           HYPERVISOR_grant_table_op(GNTTABOP_setup_table, arena, 0xffffffffu), -EINVAL);
    expect("grant_table_op setup_table: nr_frames 0xffffffff",
           ({ struct gnttab_setup_table s = { .dom = DOMID_SELF, .nr_frames = 0xffffffffu,
                                              .frame_list = a };
              long r_ = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &s, 1);
              r_ ? r_ : s.status; }), GNTST_general_error);
    expect("update_descriptor: maddr 0xffffffffffffffff",
           HYPERVISOR_update_descriptor(~0ull, 0), -EINVAL);
    expect("event_channel_op send: port 0xffffffff", evtchn_send(0xffffffffu), -EINVAL);
    expect("vcpu_op: vcpu 0xffffffff", HYPERVISOR_vcpu_op(VCPUOP_is_up, 0xffffffffu, NULL), -ENOENT);
    expect("hypercall number 0xffffffff", hc(0xffffffffu, 0, 0, 0, 0, 0), -ENOSYS);
}

/* ------------------------------------------------------------------------
 * 7. Bad pointers: every pointer argument of every implemented hypercall.
 *    Ends with an iret hypercall on an unmapped stack: the domain is killed.
 */
static struct sched_poll poll_arg;
static struct xen_memory_reservation res_arg;
static struct xen_memory_map map_arg;
static struct mmu_update good_req;
static struct mmuext_op good_op;
static struct multicall_entry mc_arg;

#define H(nr) __HYPERVISOR_##nr
#define PROBE(fn, expr) static long fn(uint32_t p) { return (expr); }

PROBE(p_trap_table,   hc(H(set_trap_table), p, 0, 0, 0, 0))
PROBE(p_mmu_reqs,     hc(H(mmu_update), p, 1, 0, DOMID_SELF, 0))
PROBE(p_mmu_done,     hc(H(mmu_update), (uint32_t)(unsigned long)&good_req, 1, p, DOMID_SELF, 0))
PROBE(p_gdt,          hc(H(set_gdt), p, 1, 0, 0, 0))
PROBE(p_mem_cur,      hc(H(memory_op), XENMEM_current_reservation, p, 0, 0, 0))
PROBE(p_mem_max,      hc(H(memory_op), XENMEM_maximum_reservation, p, 0, 0, 0))
PROBE(p_mem_map,      hc(H(memory_op), XENMEM_memory_map, p, 0, 0, 0))
PROBE(p_mem_map_buf,  (map_arg = (struct xen_memory_map){ 1, p },
                       hc(H(memory_op), XENMEM_memory_map, (uint32_t)(unsigned long)&map_arg, 0, 0, 0)))
PROBE(p_mem_inc,      hc(H(memory_op), XENMEM_increase_reservation, p, 0, 0, 0))
PROBE(p_mem_dec_list, (res_arg = (struct xen_memory_reservation){ .extent_start = p, .nr_extents = 1,
                                                                 .domid = DOMID_SELF },
                       hc(H(memory_op), XENMEM_decrease_reservation,
                          (uint32_t)(unsigned long)&res_arg, 0, 0, 0)))
PROBE(p_mem_pop_list, (res_arg = (struct xen_memory_reservation){ .extent_start = p, .nr_extents = 1,
                                                                 .domid = DOMID_SELF },
                       hc(H(memory_op), XENMEM_populate_physmap,
                          (uint32_t)(unsigned long)&res_arg, 0, 0, 0)))
PROBE(p_multicall,    hc(H(multicall), p, 1, 0, 0, 0))
PROBE(p_mc_inner,     (mc_arg = (struct multicall_entry){ .op = H(xen_version),
                                                          .args = { XENVER_extraversion, p } },
                       hc(H(multicall), (uint32_t)(unsigned long)&mc_arg, 1, 0, 0, 0) ?:
                       (long)(int32_t)mc_arg.result))
PROBE(p_uvm_mask,     hc(H(update_va_mapping), (uint32_t)(unsigned long)scratch,
                         (uint32_t)pte(va_mfn(scratch), PTE_RW), 0, UVMF_INVLPG | (p & ~3u), 0))
PROBE(p_ver_extra,    hc(H(xen_version), XENVER_extraversion, p, 0, 0, 0))
PROBE(p_ver_compile,  hc(H(xen_version), XENVER_compile_info, p, 0, 0, 0))
PROBE(p_ver_caps,     hc(H(xen_version), XENVER_capabilities, p, 0, 0, 0))
PROBE(p_ver_chgset,   hc(H(xen_version), XENVER_changeset, p, 0, 0, 0))
PROBE(p_ver_params,   hc(H(xen_version), XENVER_platform_parameters, p, 0, 0, 0))
PROBE(p_ver_features, hc(H(xen_version), XENVER_get_features, p, 0, 0, 0))
PROBE(p_ver_handle,   hc(H(xen_version), XENVER_guest_handle, p, 0, 0, 0))
PROBE(p_console,      hc(H(console_io), CONSOLEIO_write, 16, p, 0, 0))
PROBE(p_gnttab_setup, hc(H(grant_table_op), GNTTABOP_setup_table, p, 1, 0, 0))
PROBE(p_gnttab_query, hc(H(grant_table_op), GNTTABOP_query_size, p, 1, 0, 0))
PROBE(p_vcpu_runst,   hc(H(vcpu_op), VCPUOP_get_runstate_info, 0, p, 0, 0))
PROBE(p_vcpu_sshot,   hc(H(vcpu_op), VCPUOP_set_singleshot_timer, 0, p, 0, 0))
PROBE(p_vcpu_vtimer,  hc(H(vcpu_op), VCPUOP_pvx_set_vtimer, 0, p, 0, 0))
PROBE(p_mmuext_ops,   hc(H(mmuext_op), p, 1, 0, DOMID_SELF, 0))
PROBE(p_mmuext_done,  hc(H(mmuext_op), (uint32_t)(unsigned long)&good_op, 1, p, DOMID_SELF, 0))
PROBE(p_sched_poll,   hc(H(sched_op), SCHEDOP_poll, p, 0, 0, 0))
PROBE(p_sched_ports,  (poll_arg = (struct sched_poll){ p, 1, 1 },
                       hc(H(sched_op), SCHEDOP_poll, (uint32_t)(unsigned long)&poll_arg, 0, 0, 0)))
PROBE(p_sched_shut,   hc(H(sched_op), SCHEDOP_shutdown, p, 0, 0, 0))
PROBE(p_cb_reg,       hc(H(callback_op), CALLBACKOP_register, p, 0, 0, 0))
PROBE(p_cb_unreg,     hc(H(callback_op), CALLBACKOP_unregister, p, 0, 0, 0))
PROBE(p_ev_bind_dom,  hc(H(event_channel_op), EVTCHNOP_bind_interdomain, p, 0, 0, 0))
PROBE(p_ev_bind_virq, hc(H(event_channel_op), EVTCHNOP_bind_virq, p, 0, 0, 0))
PROBE(p_ev_close,     hc(H(event_channel_op), EVTCHNOP_close, p, 0, 0, 0))
PROBE(p_ev_send,      hc(H(event_channel_op), EVTCHNOP_send, p, 0, 0, 0))
PROBE(p_ev_status,    hc(H(event_channel_op), EVTCHNOP_status, p, 0, 0, 0))
PROBE(p_ev_alloc,     hc(H(event_channel_op), EVTCHNOP_alloc_unbound, p, 0, 0, 0))
PROBE(p_ev_bind_ipi,  hc(H(event_channel_op), EVTCHNOP_bind_ipi, p, 0, 0, 0))
PROBE(p_ev_bind_vcpu, hc(H(event_channel_op), EVTCHNOP_bind_vcpu, p, 0, 0, 0))
PROBE(p_ev_unmask,    hc(H(event_channel_op), EVTCHNOP_unmask, p, 0, 0, 0))
PROBE(p_ev_compat,    hc(H(event_channel_op_compat), p, 0, 0, 0, 0))
PROBE(p_physdev,      hc(H(physdev_op), PHYSDEVOP_set_iopl, p, 0, 0, 0))
PROBE(p_platform,     hc(H(platform_op), p, 0, 0, 0, 0))
PROBE(p_domctl,       hc(H(domctl), p, 0, 0, 0, 0))

#define NO_NULL 1u                      /* 0 means "none" for this argument */
#define NO_ODD  2u                      /* the low bits are not the pointer's */

static const struct probe {
    const char *what;
    long (*fn)(uint32_t p);
    long want;
    unsigned int flags;
} probes[] = {
    { "set_trap_table(list)", p_trap_table, -EFAULT, NO_NULL },
    { "mmu_update(reqs)", p_mmu_reqs, -EFAULT, 0 },
    { "mmu_update(pdone): done anyway, as Xen", p_mmu_done, 0, 0 },
    { "set_gdt(frames)", p_gdt, -EFAULT, 0 },
    { "memory_op(current_reservation)", p_mem_cur, -EFAULT, 0 },
    { "memory_op(maximum_reservation)", p_mem_max, -EFAULT, 0 },
    { "memory_op(memory_map)", p_mem_map, -EFAULT, 0 },
    { "memory_op(memory_map .buffer)", p_mem_map_buf, -EFAULT, 0 },
    { "memory_op(increase_reservation): 0 extents", p_mem_inc, 0, 0 },
    { "memory_op(decrease_reservation .extent_start): 0 extents", p_mem_dec_list, 0, 0 },
    { "memory_op(populate_physmap .extent_start): 0 extents", p_mem_pop_list, 0, 0 },
    { "multicall(list)", p_multicall, -EFAULT, 0 },
    { "multicall entry xen_version(extraversion, p): result", p_mc_inner, -EFAULT, 0 },
    { "update_va_mapping(vcpumask in flags)", p_uvm_mask, -EFAULT, NO_NULL | NO_ODD },
    { "xen_version(extraversion)", p_ver_extra, -EFAULT, 0 },
    { "xen_version(compile_info)", p_ver_compile, -EFAULT, 0 },
    { "xen_version(capabilities)", p_ver_caps, -EFAULT, 0 },
    { "xen_version(changeset)", p_ver_chgset, -EFAULT, 0 },
    { "xen_version(platform_parameters)", p_ver_params, -EFAULT, 0 },
    { "xen_version(get_features)", p_ver_features, -EFAULT, 0 },
    { "xen_version(guest_handle)", p_ver_handle, -EFAULT, 0 },
    { "console_io(write buffer)", p_console, -EFAULT, 0 },
    { "grant_table_op(setup_table)", p_gnttab_setup, -EFAULT, 0 },
    { "grant_table_op(query_size)", p_gnttab_query, -EFAULT, 0 },
    { "vcpu_op(get_runstate_info)", p_vcpu_runst, -EFAULT, 0 },
    { "vcpu_op(set_singleshot_timer)", p_vcpu_sshot, -EFAULT, 0 },
    { "vcpu_op(pvx_set_vtimer)", p_vcpu_vtimer, -EFAULT, 0 },
    { "mmuext_op(ops)", p_mmuext_ops, -EFAULT, 0 },
    { "mmuext_op(pdone): done anyway, as Xen", p_mmuext_done, 0, 0 },
    { "sched_op(poll)", p_sched_poll, -EFAULT, 0 },
    { "sched_op(poll .ports)", p_sched_ports, -EFAULT, 0 },
    { "sched_op(shutdown)", p_sched_shut, -EFAULT, 0 },
    { "callback_op(register)", p_cb_reg, -EFAULT, 0 },
    { "callback_op(unregister)", p_cb_unreg, -EFAULT, 0 },
    { "event_channel_op(bind_interdomain)", p_ev_bind_dom, -EFAULT, 0 },
    { "event_channel_op(bind_virq)", p_ev_bind_virq, -EFAULT, 0 },
    { "event_channel_op(close)", p_ev_close, -EFAULT, 0 },
    { "event_channel_op(send)", p_ev_send, -EFAULT, 0 },
    { "event_channel_op(status)", p_ev_status, -EFAULT, 0 },
    { "event_channel_op(alloc_unbound)", p_ev_alloc, -EFAULT, 0 },
    { "event_channel_op(bind_ipi)", p_ev_bind_ipi, -EFAULT, 0 },
    { "event_channel_op(bind_vcpu): not implemented, nothing read", p_ev_bind_vcpu, -ENOSYS, 0 },
    { "event_channel_op(unmask)", p_ev_unmask, -EFAULT, 0 },
    { "event_channel_op_compat", p_ev_compat, -EFAULT, 0 },
    { "physdev_op(set_iopl)", p_physdev, -EFAULT, 0 },
    { "platform_op: unprivileged first", p_platform, -EPERM, 0 },
    { "domctl: unprivileged first", p_domctl, -EPERM, 0 },
};

static void attack_bad_pointers(void)
{
    const uint32_t bad[] = { 0, 0x40000000u, MACH2PHYS_VIRT_START, 0xF6800000u, 0xFFFFFFFFu,
                             FENCE - 1 };

    guest_traps_init();
    fence_up();
    /* va 0 is mapped (VIRT_BASE 0) but unused: make 0 a bad pointer. */
    if ( unmap(0) )
        return test_error("cannot unmap page 0\n");
    good_req = (struct mmu_update){ ((uint64_t)va_mfn(scratch) << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE,
                                    (uint32_t)(unsigned long)scratch >> PAGE_SHIFT };
    good_op = (struct mmuext_op){ .cmd = MMUEXT_TLB_FLUSH_LOCAL };
    printk("pointers: 0, 0x40000000 (unmapped), 0xF5800000, 0xF6800000, 0xFFFFFFFF, "
           "1 byte before an unmapped page\n");

    for ( unsigned int i = 0; i < ARRAY_SIZE(probes); i++ )
    {
        const struct probe *pr = &probes[i];
        unsigned int tried = 0, right = 0;

        for ( unsigned int k = 0; k < ARRAY_SIZE(bad); k++ )
        {
            long rc;

            if ( (bad[k] == 0 && (pr->flags & NO_NULL)) ||
                 (bad[k] == FENCE - 1 && (pr->flags & NO_ODD)) )
                continue;
            tried++;
            rc = pr->fn(bad[k]);
            if ( rc == pr->want )
                right++;
            else
                printk("  %s with %#x: %ld\n", pr->what, bad[k], rc);
        }
        if ( right == tried )
            printk("%s: %u bad pointers -> %ld\n", pr->what, tried, pr->want);
        else
        {
            printk("NOT REFUSED: %s: %u of %u bad pointers -> %ld\n", pr->what, tried - right,
                   tried, pr->want);
            nr_bad++;
        }
    }

    /* Misaligned but good pointers work as aligned ones. */
    {
        uint8_t *odd = arena + 1;
        struct mmu_update r = good_req;
        struct evtchn_status st = { .dom = DOMID_SELF, .port = 0 };
        char ver[XEN_EXTRAVERSION_LEN];

        memcpy(odd, &r, sizeof(r));
        expect("mmu_update with requests at an odd address", HYPERVISOR_mmu_update(
                   (void *)odd, 1, NULL, DOMID_SELF), 0);
        expect("xen_version(extraversion) into an odd address",
               HYPERVISOR_xen_version(XENVER_extraversion, arena + 3), 0);
        memcpy(ver, arena + 3, sizeof(ver));
        expect("  the same string as aligned",
               !strcmp(ver, (HYPERVISOR_xen_version(XENVER_extraversion, arena + 4096), 
                             (char *)arena + 4096)), 1);
        memcpy(arena + 5, &st, sizeof(st));
        expect("event_channel_op(status) at an odd address",
               HYPERVISOR_event_channel_op(EVTCHNOP_status, arena + 5), 0);
        memcpy(arena + 7, "odd buffer\n", 11);
        expect("console_io from an odd address", HYPERVISOR_console_io(CONSOLEIO_write, 11,
                                                                       (char *)arena + 7), 0);
    }

    if ( nr_bad )
        printk("%u calls not refused\n", nr_bad);
    else
        printk("every bad pointer refused; the domain goes on\n");
    /* The iret hypercall reads its frame from the stack: none there, killed. */
    printk("iret hypercall with esp unmapped: expect to be killed\n");
    iret_with_frame((uint32_t *)0x40000000u);
}

/* ------------------------------------------------------------------------
 * 8. An endless loop, never a hypercall, upcalls masked.
 */
static void attack_loop(void)
{
    printk("spinning forever: no hypercall, upcalls masked\n");
    asm volatile ( "1: add %%ecx, %%eax; rol $3, %%eax; jmp 1b" ::: "eax", "ecx", "cc" );
}

/* ------------------------------------------------------------------------
 * 9. An event storm at domain 0 (port 1 of ours) and at itself.
 */
#define STORM_PORT 1

static void attack_storm(void)
{
    evtchn_port_t port, ipi;
    long rc;

    events_init();
    rc = evtchn_alloc_unbound(0, &port);
    if ( rc || port != STORM_PORT )
        return test_error("alloc_unbound: %ld port %u\n", rc, port);
    if ( evtchn_bind_ipi(&ipi) )
        return test_error("bind_ipi failed\n");
    events_enable();                    /* its own callback runs for every IPI */
    printk("sending events to domain 0 and to itself, forever\n");
    for ( ;; )
    {
        evtchn_send(port);
        evtchn_send(ipi);
    }
}

/* ------------------------------------------------------------------------
 * The witness (domain 0).
 */
static void witness_alive(void)
{
    struct mmu_update r = {
        ((uint64_t)va_mfn(scratch) << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE,
        (uint32_t)(unsigned long)scratch >> PAGE_SHIFT,
    };

    /* Hypercalls, a page-table update and an exception still work. */
    guest_fault_count = 0;
    if ( HYPERVISOR_xen_version(XENVER_version, NULL) != 0x40011 ||
         HYPERVISOR_mmu_update(&r, 1, NULL, DOMID_SELF) != 0 ||
         restore_scratch() != 0 || try_store((uint32_t)start_info->pt_base) != 14 )
        return test_fail("domain 0 no longer works normally\n");
    printk("domain 0 still works: hypercalls, page tables, exceptions\n");
    test_pass();
}

static void witness_wait_exit(evtchn_port_t dom_exc)
{
    wait_domain_gone(1, dom_exc);
    printk("domain 1 is gone (VIRQ_DOM_EXC)\n");
    witness_alive();
}

static void witness_beside(evtchn_port_t dom_exc, bool storm)
{
    evtchn_port_t port = 0;
    uint64_t start, end;
    unsigned int sleeps = 0;
    long rc;

    if ( storm )
    {
        /* The storm's port appears when domain 1 first runs. */
        while ( (rc = evtchn_bind_interdomain(1, STORM_PORT, &port)) == -EINVAL )
            hypercall_yield();
        if ( rc )
            return test_fail("bind_interdomain(1, %u): %ld\n", STORM_PORT, rc);
        events_enable();
        while ( event_count[port] < 100 )
            hypercall_yield();
        printk("the storm reaches domain 0's callback\n");
        evtchn_mask(port);
        printk("storm port masked\n");
    }

    /* 10 sleeps of 1 ms, each followed by 2 ms of computing, beside the
     * hostile domain: only the scheduler's preemption gets us through. */
    start = time_now_ns();
    for ( ; sleeps < 10; sleeps++ )
    {
        uint64_t t;

        sched_poll(dom_exc, time_now_ns() + 1000000);
        for ( t = time_now_ns(); time_now_ns() - t < 2000000; )
            ;
    }
    end = time_now_ns();
    if ( evtchn_pending(dom_exc) )
        return test_fail("domain 1 died, it should still be running\n");
    printk("10 sleeps and 20 ms of work done beside domain 1, still running\n");
    printk("info: %llu us of system time\n", (unsigned long long)((end - start) / 1000));
    if ( storm )
    {
        evtchn_mask(port);
        events_disable();
    }
    witness_alive();
}

static void witness(void)
{
    evtchn_port_t dom_exc;

    events_init();
    guest_traps_init();
    if ( evtchn_bind_virq(VIRQ_DOM_EXC, &dom_exc) )
        return test_fail("bind_virq(VIRQ_DOM_EXC) failed\n");
    if ( arg_is("wait", "time") )
        witness_beside(dom_exc, arg_is("storm", "1"));
    else
        witness_wait_exit(dom_exc);
}

/* ------------------------------------------------------------------------ */

static const struct {
    const char *name;
    void (*fn)(void);
} attacks[] = {
    { "pt-writable", attack_pt_writable },
    { "foreign-frame", attack_foreign_frame },
    { "hyp-area", attack_hyp_area },
    { "ring0-trap", attack_ring0_trap },
    { "ring0-desc", attack_ring0_desc },
    { "huge-counts", attack_huge_counts },
    { "bad-pointers", attack_bad_pointers },
    { "loop", attack_loop },
    { "storm", attack_storm },
    { "xo-cs", attack_xo_cs },
    { "ring2", attack_ring2 },
    { "ring2-fault", attack_ring2_fault },
    { "ldt-fs", attack_ldt_fs },
    { "io-decode", attack_io_decode },
    { "io-smc", attack_io_smc },
    { "quirks", attack_quirks },
    { "iret-vm86", attack_iret_vm86 },
    { "call-gate", attack_call_gate },
    { "soup", attack_soup },
};

void test_main(void)
{
    /* The initial domain is the witness, unless it is told to attack. */
    if ( (start_info->flags & SIF_INITDOMAIN) && !arg("attack") )
        return witness();

    for ( unsigned int i = 0; i < ARRAY_SIZE(attacks); i++ )
        if ( arg_is("attack", attacks[i].name) )
        {
            printk("attack: %s\n", attacks[i].name);
            attacks[i].fn();
            if ( nr_bad )
                return test_fail("%u forbidden requests were not refused\n", nr_bad);
            return test_pass();
        }
    test_error("no attack=NAME among the arguments\n");
}
