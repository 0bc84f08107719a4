/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * harness.c - the hypercall fuzzer: input bytes become a fresh hypervisor,
 * fault-injection settings and a sequence of guest entries (hypercalls,
 * exceptions, timer ticks) from one or two domains. After every entry the
 * frame table is audited (audit_frames) and an isolation walk checks that
 * no domain can reach a frame it does not own.
 *
 * Input format (every read past the end gives 0, so any byte string is a
 * valid input; the format is what testsuite/fuzz/corpus/ and regress/ use):
 *
 *   u8   flags       bit 0: no second domain (only dom0)
 *   u8   faults      number of fault clauses (faults % 3), each:
 *                      u8 site (index among the sites fault_report prints),
 *                      u8 kind (% 4: 0-2 fail-nth, 3 probability), u8 value
 *                    then, if any clause is a probability: u32 seed
 *   op*  until the input ends (at most MAX_OPS), each one u8 opcode % 16:
 *     0-10  hypercall: u8 selector (< 0xc0: hypercall number selector % 64,
 *           else a number out of range), then its arguments
 *           as gen_call() reads them (buffers are written into the caller's
 *           scratch area first, as a guest would before the call)
 *     11    guest store: u8 n, a va (gen_va), n words (gen_word) written
 *           through the guest's page tables where they allow it
 *     12    exception: u8 vector (% 32), u32 error code, u32 cr2
 *     13    time: u16 microseconds pass; the timer fires if it is due; the
 *           NIC completes its transmits and the last comes back (MACs swapped)
 *     14    registers: esp = gen_va, ebp = gen_word (the guest owns them)
 *     15    destroy domain 1 if it has stopped (what a toolstack does)
 *
 * Around every handler, refusal.c checks that a call that failed changed
 * nothing the ABI does not allow (validate, then perform).
 *
 * A run ends when the input does, when the machine stops (dom0 powered off or
 * crashed: fine; exit 2, a panic or a failed audit at shutdown: a finding) or
 * when nothing is left to run. Every finding calls abort() after printing the
 * console, so libFuzzer keeps the input; `fuzz-replay -v FILE` replays it
 * with a trace of every entry.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fixture.h"
#include "elfgen.h"
#include "core_state.h"
#include "fuzz.h"
#include "refusal.h"
#include <pvx/audit.h>
#include <pvx/builder.h>
#include <pvx/domain.h>
#include <pvx/elf.h>
#include <pvx/fault.h>
#include <pvx/frame.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/io.h>
#include <pvx/layout.h>
#include <pvx/mm.h>
#include <pvx/netif.h>
#include <pvx/sched.h>
#include <pvx/setup.h>
#include <public/elfnote.h>
#include <public/domctl.h>
#include <public/memory.h>
#include <public/physdev.h>
#include <public/pvx.h>
#include <public/sysctl.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <public/version.h>
#include <public/xen.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_OPS         96
#define MAX_REENTRIES   4096        /* continuations of one call before we stop */

/* Both domains: one small kernel at 3 MiB, so that v_start..v_end is 1 MiB. */
#define KERN_VA         0x300000u
#define HCALL_PAGE_VA   0x301000u
#define FUZZ_XVDA       ((202u << 8) | 0)  /* each domain's VBD */
#define FUZZ_DISK_SECTORS 512u   /* dom0 0-127, dom1 128-255, the rest free */
#define DOM_PAGES       320u        /* 256 mapped + 64 spare (owned, unmapped) */
#define MAPPED_PAGES    256u
#define SCRATCH_VA      0x380000u   /* in the padding below v_end: writable, unused */
#define SCRATCH_REGIONS 32u         /* 4 KiB each: request arrays and structures */

struct fdom {
    struct domain *d;               /* NULL: not built, or destroyed */
    mfn_t p2m[DOM_PAGES];           /* as built; the guest may give frames back */
    struct build_layout l;
};

static struct fdom doms[2];
static uint8_t image[64 << 10];
static size_t image_len;
static struct elf_image img;
static unsigned int nr_hcalls;              /* implemented: for the trace */
static char sites[16][32];                  /* fault sites, by their report names */
static unsigned int nr_sites;
static uint64_t xen_l2_ref[NR_L2_SLOTS];    /* what the hypervisor's L2 slots hold */
static struct cpu_regs cpu;                 /* the CPU's registers: the running vCPU's */
static unsigned int region;                 /* next scratch region of this op */
static bool trace;

/* The machine just after boot, one or two domains: restored per input
 * instead of booting (FUZZ_SNAPSHOT=0 boots every time; FUZZ_SNAPSHOT_CHECK=1
 * proves each restore whole against the snapshot). */
static struct {
    struct fake_snapshot *machine;
    struct core_state *core;
    struct fdom doms[2];
    struct cpu_regs cpu;
} snap[2];
static bool use_snapshot, check_snapshot;

/* ------------------------------------------------------------------------
 * Reading the input.
 */

struct in {
    const uint8_t *p;
    size_t n;
};

static uint8_t get8(struct in *in)
{
    if ( !in->n )
        return 0;
    in->n--;
    return *in->p++;
}

static uint16_t get16(struct in *in)
{
    uint16_t lo = get8(in);

    return (uint16_t)(lo | get8(in) << 8);
}

static uint32_t get32(struct in *in)
{
    uint32_t lo = get16(in);

    return lo | (uint32_t)get16(in) << 16;
}

static void tr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void tr(const char *fmt, ...)
{
    va_list ap;

    if ( !trace )
        return;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

/* "v1" after the domain in the trace for a vCPU but the first. */
static const char *vcpu_tag(const struct vcpu *v)
{
    static char tag[16];

    if ( !v->id )
        return "";
    snprintf(tag, sizeof(tag), "v%u", v->id);
    return tag;
}

/* ------------------------------------------------------------------------
 * Guest memory, as the guest's CPU sees it: through its own page tables.
 */

static struct fdom *fdom_of(struct vcpu *v)
{
    return &doms[v->domain->domain_id ? 1 : 0];
}

/* A guest store of len bytes at va through the CPU (its TLB, its tables),
 * from the ring the guest runs in; a fault ends it, as it would end the
 * guest's instruction (the harness does not deliver it). */
static bool guest_store(uint32_t va, const void *buf, size_t len)
{
    uint32_t ec;

    return fake_cpu_write(va, buf, len, cpu.cs & 3, &ec) == FAKE_OK;
}

static uint64_t table_entry(mfn_t table, unsigned int slot)
{
    return ((const uint64_t *)(fake_mem + (size_t)table * PAGE_SIZE))[slot];
}

/* ------------------------------------------------------------------------
 * Interesting values. Each generator reads a kind byte, then what that kind
 * needs: the mutator finds the guest's own frames, its page tables, the other
 * domain's and the hypervisor's frames, and the boundaries.
 */

static mfn_t frame_table_mfn(void)
{
    return (mfn_t)(((const uint8_t *)frame_of(0) - fake_mem) / PAGE_SIZE);
}

static mfn_t gen_mfn(struct in *in, struct fdom *self, struct fdom *other)
{
    static const uint32_t odd[] = { 0, 1, 0xff, 0x100, 0x7ff, 0x800, 0x801, 0xfffff,
                                    0x100000, 0xffffffff, 0x80000000, 0x7fffffff };
    uint8_t k = get8(in) % 16;
    mfn_t cr3 = (mfn_t)(current->cr3 >> PAGE_SHIFT);

    switch ( k )
    {
    case 0: case 1: case 2:             /* any of its own frames, spare ones included */
        return self->p2m[get16(in) % DOM_PAGES];
    case 3:                             /* a spare (owned, unmapped) frame */
        return self->p2m[MAPPED_PAGES + get8(in) % (DOM_PAGES - MAPPED_PAGES)];
    case 4:                             /* the running L3 */
        return cr3;
    case 5:                             /* an L2 under it */
        return (mfn_t)((table_entry(cr3, get8(in) % 4) & PTE_ADDR_MASK) >> PAGE_SHIFT);
    case 6:                             /* the L1 mapping the kernel, or a pt frame */
        return self->p2m[((self->l.vpt_start - KERN_VA) >> PAGE_SHIFT) +
                         get8(in) % self->l.nr_pt_pages];
    case 7:
        return self->d ? self->d->shared_info_mfn : 0;
    case 8: case 9:                     /* the other domain's */
        return other->p2m[get16(in) % DOM_PAGES];
    case 10:                            /* the hypervisor's: M2P L1, M2P, frame table */
    {
        mfn_t m2p_l1 = (mfn_t)((xen_l2_ref[HYP_FIRST_L2_SLOT] & PTE_ADDR_MASK) >> PAGE_SHIFT);

        switch ( get8(in) % 3 )
        {
        case 0: return m2p_l1;
        case 1: return (mfn_t)((table_entry(m2p_l1, 0) & PTE_ADDR_MASK) >> PAGE_SHIFT);
        default: return frame_table_mfn();
        }
    }
    case 11:                            /* a free frame */
    {
        mfn_t m = get16(in) % frame_max_mfn();

        for ( mfn_t i = 0; i < frame_max_mfn(); i++, m = (m + 1) % frame_max_mfn() )
            if ( frame_of(m)->owner == DOMID_FREE )
                return m;
        return m;
    }
    case 12:                            /* not RAM: the arch's, the module */
    {
        /* One get8() per statement: the order of reads must be defined. */
        mfn_t low = get8(in);

        return low + (get8(in) & 1 ? FUZZ_MODULE_MFN : 0);
    }
    case 13:
        return odd[get8(in) % (sizeof(odd) / sizeof(odd[0]))];
    case 14:
        return frame_max_mfn() - 1 + get8(in) % 3;
    default:
        return get32(in);
    }
}

static uint32_t gen_va(struct in *in, struct fdom *self)
{
    static const uint32_t hyp[] = {
        HYPERVISOR_VIRT_START, HYPERVISOR_VIRT_START - 4, HYPERVISOR_VIRT_START - PAGE_SIZE,
        RO_MPT_VIRT_END, ARCH_VIRT_START - 8, 0xfffff000u, 0xfffffff0u, 0xffffffffu,
        0x80000000u, 0xc0000000u, 0x3ffffff8u, 0,
    };
    uint8_t k = get8(in) % 12;

    switch ( k )
    {
    case 0: case 1: case 2:             /* the scratch area */
        return SCRATCH_VA + get16(in) % (SCRATCH_REGIONS * PAGE_SIZE);
    case 3:                             /* anywhere it has mapped, page aligned */
        return KERN_VA + (get8(in) % MAPPED_PAGES) * PAGE_SIZE;
    case 4:                             /* its page tables (mapped read-only) */
        return self->l.vpt_start + (get8(in) % self->l.nr_pt_pages) * PAGE_SIZE;
    case 5:                             /* start of day: p2m, start_info, stack */
        switch ( get8(in) % 4 )
        {
        case 0: return self->l.vphysmap_start;
        case 1: return self->l.vstartinfo_start;
        case 2: return self->l.vstack_end - 16;
        default: return HCALL_PAGE_VA;
        }
    case 6:                             /* across a page boundary */
        return SCRATCH_VA + (get8(in) % SCRATCH_REGIONS + 1) * PAGE_SIZE - get8(in) % 16;
    case 7:                             /* not mapped */
        return self->l.v_end + (uint32_t)get16(in) * PAGE_SIZE;
    case 8: case 9:
        return hyp[get8(in) % (sizeof(hyp) / sizeof(hyp[0]))];
    case 10:
        return KERN_VA + get32(in) % (MAPPED_PAGES * PAGE_SIZE);
    default:
        return get32(in);
    }
}

static uint16_t gen_domid(struct in *in)
{
    static const uint16_t ids[] = { DOMID_SELF, DOMID_SELF, 0, 1, 2, DOMID_IO, DOMID_XEN,
                                    DOMID_COW, DOMID_INVALID, DOMID_IDLE, 1023, 1024, 0xffff };

    return ids[get8(in) % (sizeof(ids) / sizeof(ids[0]))];
}

static uint32_t gen_count(struct in *in)
{
    static const uint32_t counts[] = { 0, 1, 2, 7, 8, 63, 64, 65, 255, 256, 257, 511, 512,
                                       1023, 1024, 1025, 2048, 4096, 0x7fffffff, 0x80000000,
                                       0x80000001, 0xffffffff, 0x10000000 };

    return counts[get8(in) % (sizeof(counts) / sizeof(counts[0]))];
}

/* A page-table entry: flags a guest would use (and ones it must not), an mfn. */
static uint64_t gen_pte(struct in *in, struct fdom *self, struct fdom *other)
{
    static const uint16_t flags[] = {
        0x061, 0x063, 0x067, 0x065, 0x021, 0x023, 0x001, 0x003, 0x000, 0x027,
        0x083, 0x081, 0x163, 0x06b, 0x073, 0x07b, 0x263, 0xe63, 0x0e3, 0x002,
    };
    uint8_t k = get8(in);
    uint64_t e = (uint64_t)gen_mfn(in, self, other) << PAGE_SHIFT;

    e |= (k & 0x80) ? (get16(in) & 0xfff) : flags[k % (sizeof(flags) / sizeof(flags[0]))];
    switch ( get8(in) % 8 )
    {
    case 0: e |= 1ull << 63; break;                     /* NX */
    case 1: e |= 1ull << (36 + get8(in) % 16); break;   /* beyond PADDR_BITS */
    case 2: e |= (uint64_t)get32(in) << 32; break;
    default: break;
    }
    return e;
}

/* The machine address of a table entry, with the mmu_update command in the
 * low bits. */
static uint64_t gen_pte_ptr(struct in *in, struct fdom *self, struct fdom *other)
{
    uint64_t p = (uint64_t)gen_mfn(in, self, other) << PAGE_SHIFT;
    uint8_t k = get8(in);
    unsigned int slot;

    switch ( k % 8 )
    {
    case 0: slot = HYP_FIRST_L2_SLOT + get8(in) % (NR_L2_SLOTS - HYP_FIRST_L2_SLOT); break;
    case 1: slot = get8(in) % 4; break;
    case 2: slot = l1_table_offset(SCRATCH_VA) + get8(in) % SCRATCH_REGIONS; break;
    default: slot = get16(in) % 512; break;
    }
    p |= (uint64_t)slot * 8;
    p |= (k >> 3) % 8 < 6 ? (k >> 3) % 4 : (k >> 3) % 8;   /* the command: mostly valid */
    if ( (k >> 6) == 3 && get8(in) == 0xff )
        p |= (uint64_t)get16(in) << 44;                    /* an mfn beyond 32 bits */
    return p;
}

static uint32_t gen_word(struct in *in, struct fdom *self, struct fdom *other)
{
    static const uint32_t small[] = { 0, 1, 2, 3, 4, 5, 8, 16, 0x7fffffff, 0x80000000,
                                      0xffffffff, 0xfffffff2, 0x7ff0, 0xffff, 0x10000 };

    switch ( get8(in) % 10 )
    {
    case 0: return small[get8(in) % (sizeof(small) / sizeof(small[0]))];
    case 1: return get8(in) % 8;
    case 2: return get32(in);
    case 3: case 4: case 5: return gen_va(in, self);
    case 6: return gen_mfn(in, self, other);
    case 7: return gen_domid(in);
    case 8: return gen_count(in);
    default: return (uint32_t)gen_pte(in, self, other);
    }
}

/* ------------------------------------------------------------------------
 * Hypercall arguments. A call gets a fresh 4 KiB scratch region (its arrays at
 * the start, structures at +0x800, a done counter at +0xff8); a multicall's
 * entries get regions of their own.
 */

static uint32_t next_region(void)
{
    uint32_t r = SCRATCH_VA + (region % SCRATCH_REGIONS) * PAGE_SIZE;

    region++;
    return r;
}

static void put(struct vcpu *v, uint32_t va, const void *buf, size_t len)
{
    /* A guest writes its arguments before the call; where its own mappings
     * refuse (it remapped its scratch area), the call sees what is there. */
    if ( v != current )
        fake_fail("put: d%u is not the running domain", v->domain->domain_id);
    (void)guest_store(va, buf, len);
}

/* Pointer to an argument buffer: mostly the one written, sometimes anything. */
static uint32_t gen_ptr(struct in *in, struct fdom *self, uint32_t buf)
{
    uint8_t k = get8(in);

    if ( k < 0xe0 )
        return buf;
    if ( k < 0xf0 )
        return buf + get8(in);
    return gen_va(in, self);
}

static void gen_call(struct in *in, struct vcpu *v, uint32_t nr, uint32_t a[5], unsigned int depth);

/* The hypercall number: the selector itself (mod 64) so that an input means
 * the same call when the table grows; the top of the range gives numbers out
 * of the table's range. */
static uint32_t select_hypercall(uint8_t sel)
{
    static const uint32_t odd[] = { NR_HYPERCALLS, NR_HYPERCALLS + 1, 0x80000000u, 0xffffffffu,
                                    0x80000000u + __HYPERVISOR_mmu_update, 0x100 };

    return sel < 0xc0 ? sel % NR_HYPERCALLS : odd[sel % (sizeof(odd) / sizeof(odd[0]))];
}

static void gen_mmu_update(struct in *in, struct vcpu *v, uint32_t a[5], uint32_t r)
{
    struct fdom *self = fdom_of(v), *other = &doms[self == &doms[0]];
    struct mmu_update req[8];
    unsigned int n = get8(in) % 9;

    for ( unsigned int i = 0; i < n; i++ )
    {
        req[i].ptr = gen_pte_ptr(in, self, other);
        req[i].val = (req[i].ptr & 7) == MMU_MACHPHYS_UPDATE ? get32(in)
                                                              : gen_pte(in, self, other);
    }
    put(v, r, req, n * sizeof(req[0]));
    a[0] = gen_ptr(in, self, r);
    switch ( get8(in) % 4 )
    {
    case 0: a[1] = gen_count(in); break;
    case 1: a[1] = n | MMU_UPDATE_PREEMPTED; break;
    default: a[1] = n; break;
    }
    a[2] = get8(in) % 2 ? r + 0xff8 : 0;
    switch ( get8(in) % 4 )
    {
    case 0: a[3] = gen_domid(in); break;
    case 1: a[3] = (uint32_t)(gen_domid(in) + 1) << 16 | DOMID_SELF; break;
    default: a[3] = DOMID_SELF; break;
    }
}

static void gen_mmuext_op(struct in *in, struct vcpu *v, uint32_t a[5], uint32_t r)
{
    struct fdom *self = fdom_of(v), *other = &doms[self == &doms[0]];
    struct mmuext_op op[8];
    unsigned int n = get8(in) % 9;
    uint32_t mask = get8(in) % 4;

    put(v, r + 0x800, &mask, sizeof(mask));
    for ( unsigned int i = 0; i < n; i++ )
    {
        uint8_t c = get8(in);

        op[i].cmd = c < 0xf0 ? c % 21u : c;
        switch ( op[i].cmd )
        {
        case MMUEXT_INVLPG_LOCAL: case MMUEXT_INVLPG_ALL: case MMUEXT_INVLPG_MULTI:
        case MMUEXT_SET_LDT:
            op[i].arg1.linear_addr = gen_va(in, self);
            break;
        default:
            op[i].arg1.mfn = gen_mfn(in, self, other);
            break;
        }
        switch ( op[i].cmd )
        {
        case MMUEXT_SET_LDT: op[i].arg2.nr_ents = gen_count(in); break;
        case MMUEXT_COPY_PAGE: op[i].arg2.src_mfn = gen_mfn(in, self, other); break;
        case MMUEXT_TLB_FLUSH_MULTI: case MMUEXT_INVLPG_MULTI:
            op[i].arg2.vcpumask = gen_ptr(in, self, r + 0x800);
            break;
        default: op[i].arg2.nr_ents = get8(in) % 2 ? gen_word(in, self, other) : 0; break;
        }
    }
    put(v, r, op, n * sizeof(op[0]));
    a[0] = gen_ptr(in, self, r);
    a[1] = get8(in) % 4 ? n : gen_count(in);
    a[2] = get8(in) % 2 ? r + 0xff8 : 0;
    a[3] = get8(in) % 4 ? DOMID_SELF : gen_domid(in);
}

static void gen_multicall(struct in *in, struct vcpu *v, uint32_t a[5], uint32_t r,
                          unsigned int depth)
{
    struct fdom *self = fdom_of(v);
    struct multicall_entry mc[6];
    unsigned int n = get8(in) % 7;

    memset(mc, 0, sizeof(mc));
    for ( unsigned int i = 0; i < n; i++ )
    {
        uint8_t sel = get8(in);
        uint32_t args[5] = { 0 };

        mc[i].op = select_hypercall(sel);
        gen_call(in, v, mc[i].op, args, depth + 1);
        memcpy(mc[i].args, args, sizeof(args));
        mc[i].args[5] = get8(in) % 4 ? 0 : get32(in);
    }
    put(v, r, mc, n * sizeof(mc[0]));
    a[0] = gen_ptr(in, self, r);
    a[1] = get8(in) % 4 ? n : gen_count(in);
}

static void gen_memory_op(struct in *in, struct vcpu *v, uint32_t a[5], uint32_t r)
{
    struct fdom *self = fdom_of(v), *other = &doms[self == &doms[0]];
    uint8_t c = get8(in);
    struct xen_memory_reservation res;
    struct xen_memory_map map;
    xen_pfn_t ext[16];
    unsigned int n = get8(in) % 17;
    uint16_t domid;

    for ( unsigned int i = 0; i < n; i++ )
        ext[i] = get8(in) % 4 ? gen_mfn(in, self, other) : get16(in);
    put(v, r, ext, n * sizeof(ext[0]));

    a[0] = c % 16;
    if ( c >= 0xf0 )
        a[0] |= (uint32_t)get16(in) << MEMOP_EXTENT_SHIFT;
    switch ( a[0] & MEMOP_CMD_MASK )
    {
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
    case XENMEM_maximum_gpfn:
        domid = gen_domid(in);
        put(v, r + 0x800, &domid, sizeof(domid));
        break;
    case XENMEM_memory_map:
    case XENMEM_machine_memory_map:
        map = (struct xen_memory_map){ .nr_entries = get8(in) % 3,
                                       .buffer = gen_ptr(in, self, r) };
        put(v, r + 0x800, &map, sizeof(map));
        break;
    default:
        res = (struct xen_memory_reservation){
            .extent_start = get8(in) % 8 ? gen_ptr(in, self, r) : 0,
            .nr_extents = get8(in) % 4 ? n : gen_count(in),
            .extent_order = get8(in) % 8 ? 0 : get8(in),
            .mem_flags = get8(in) % 4 ? 0 : get32(in),
            .domid = get8(in) % 2 ? DOMID_SELF : gen_domid(in),
        };
        put(v, r + 0x800, &res, sizeof(res));
        break;
    }
    a[1] = gen_ptr(in, self, r + 0x800);
}

static void gen_sched_op(struct in *in, struct vcpu *v, uint32_t a[5], uint32_t r)
{
    struct fdom *self = fdom_of(v), *other = &doms[self == &doms[0]];
    uint32_t words[4];

    a[0] = get8(in) % 10;
    switch ( a[0] )
    {
    case SCHEDOP_shutdown:
    case SCHEDOP_shutdown_code:
        words[0] = get8(in) % 8 ? get8(in) % 6 : get32(in);    /* reason */
        break;
    case SCHEDOP_remote_shutdown:
        words[0] = gen_domid(in);
        words[1] = get8(in) % 6;
        break;
    default:                            /* poll: ports, nr_ports, timeout */
        words[0] = r + 0x100;
        words[1] = get8(in) % 4;
        words[2] = gen_word(in, self, other);
        words[3] = 0;
        break;
    }
    words[3] = get8(in) % 8;            /* a port for poll's list */
    put(v, r, words, sizeof(words));
    put(v, r + 0x100, &words[3], sizeof(words[3]));
    a[1] = gen_ptr(in, self, r);
}

/* vcpu_op on vCPU 0, 1 (both domains have two) or one past them; for
 * VCPUOP_initialise a context that is good but for what the input spoils. */
static void gen_vcpu_op(struct in *in, struct vcpu *v, uint32_t a[5], uint32_t r)
{
    static const uint32_t cmds[] = {
        VCPUOP_initialise, VCPUOP_up, VCPUOP_down, VCPUOP_is_up, VCPUOP_get_runstate_info,
        VCPUOP_set_singleshot_timer, VCPUOP_stop_singleshot_timer,
    };
    struct fdom *self = fdom_of(v), *other = &doms[self == &doms[0]];
    static struct vcpu_guest_context c;
    uint8_t k = get8(in), id = get8(in), f;

    a[0] = k < 0xf0 ? cmds[k % ARRAY_SIZE(cmds)] : get32(in);
    a[1] = id < 0xf0 ? id % 3u : get32(in);
    a[2] = gen_ptr(in, self, r);
    if ( a[0] != VCPUOP_initialise )
    {
        uint32_t w[4] = { 0 };

        w[0] = gen_word(in, self, other);   /* one statement each: read in order */
        w[1] = gen_word(in, self, other);
        put(v, r, w, sizeof(w));
        return;
    }
    f = get8(in);
    memset(&c, 0, sizeof(c));
    c.flags = VGCF_in_kernel | (f & 1 ? VGCF_i387_valid : 0) |
              (f & 2 ? VGCF_failsafe_disables_events : 0);
    c.user_regs.eip = gen_va(in, self);
    c.user_regs.esp = gen_va(in, self);
    c.user_regs.cs = f & 4 ? get16(in) : FLAT_RING1_CS;
    c.user_regs.ss = f & 8 ? get16(in) : FLAT_RING1_SS;
    c.user_regs.ds = c.user_regs.es = FLAT_RING1_DS;
    c.user_regs.eflags = get32(in);
    {
        mfn_t l3 = f & 0x10 ? gen_mfn(in, self, other) : (mfn_t)(v->cr3 >> PAGE_SHIFT);

        c.ctrlreg[3] = xen_pfn_to_cr3(l3);  /* a macro: its argument read twice */
    }
    if ( f & 0x20 )
    {
        c.gdt_ents = get16(in) % 1100;
        c.gdt_frames[0] = gen_mfn(in, self, other);
        c.gdt_frames[1] = gen_mfn(in, self, other);
    }
    if ( f & 0x40 )
    {
        c.ldt_base = gen_va(in, self);
        c.ldt_ents = gen_count(in);
    }
    if ( f & 0x80 )
    {
        struct trap_info *t = &c.trap_ctxt[get8(in)];

        t->vector = (uint8_t)(t - c.trap_ctxt);
        t->flags = get8(in);
        t->cs = get16(in);
        t->address = gen_va(in, self);
        c.event_callback_cs = get16(in);
        c.event_callback_eip = gen_va(in, self);
        c.failsafe_callback_cs = FLAT_RING1_CS;
        c.failsafe_callback_eip = gen_va(in, self);
        c.debugreg[get8(in) % 8] = get32(in);
        c.kernel_ss = get16(in);
        c.kernel_sp = gen_va(in, self);
    }
    ((uint16_t *)c.fpu_ctxt.x)[0] = get16(in);              /* fcw */
    ((uint32_t *)c.fpu_ctxt.x)[6] = get32(in);              /* mxcsr */
    put(v, r, &c, sizeof(c));
}

/* domctl: one of the ops pvx has (or any number), the right interface
 * version mostly, a domain id the harness knows, the union's words plausible
 * and then the op's own fields set as the op reads them. pvx_build writes its
 * refusal's reason at err: the generator passes none (err 0), so the refusal
 * check holds every failed build to "nothing changed" (unit tests check err). */
static void gen_domctl_toolstack(struct in *in, struct vcpu *v, uint32_t a[5], uint32_t r)
{
    static const uint32_t cmds[] = {
        XEN_DOMCTL_createdomain, XEN_DOMCTL_destroydomain, XEN_DOMCTL_pausedomain,
        XEN_DOMCTL_unpausedomain, XEN_DOMCTL_getdomaininfo, XEN_DOMCTL_max_mem,
        XEN_DOMCTL_setvcpucontext, XEN_DOMCTL_getvcpucontext, XEN_DOMCTL_max_vcpus,
        XEN_DOMCTL_pvx_bvt_set, XEN_DOMCTL_pvx_bvt_get, XEN_DOMCTL_pvx_getinfo,
        XEN_DOMCTL_pvx_build,
    };
    struct fdom *self = fdom_of(v), *other = &doms[self == &doms[0]];
    struct xen_domctl op;
    uint8_t k = get8(in);
    uint32_t *w = (uint32_t *)&op.u;

    memset(&op, 0, sizeof(op));
    op.cmd = k < 0xf0 ? cmds[k % ARRAY_SIZE(cmds)] : get32(in);
    op.interface_version = get8(in) % 8 ? XEN_DOMCTL_INTERFACE_VERSION : get32(in);
    op.domain = gen_domid(in);
    for ( unsigned int i = 0, n = get8(in) % 8; i < n; i++ )
        w[i] = gen_word(in, self, other);
    switch ( op.cmd )
    {
    case XEN_DOMCTL_createdomain:
        op.u.createdomain.max_vcpus = get8(in) % 4;
        break;
    case XEN_DOMCTL_max_mem:
        op.u.max_mem.max_memkb = get8(in) % 2 ? (uint64_t)get8(in) * 4 : get32(in);
        break;
    case XEN_DOMCTL_setvcpucontext:
    case XEN_DOMCTL_getvcpucontext:
        op.u.vcpucontext.vcpu = get8(in) % 3;
        op.u.vcpucontext.ctxt = gen_ptr(in, self, r + 0x400);
        break;
    case XEN_DOMCTL_pvx_build:
        op.u.pvx_build.image = gen_ptr(in, self, r + 0x400);
        op.u.pvx_build.image_len = get8(in) % 2 ? get16(in) : gen_count(in);
        op.u.pvx_build.cmdline = get8(in) % 2 ? gen_ptr(in, self, r + 0x400) : 0;
        op.u.pvx_build.console_port = get8(in) % 8;
        op.u.pvx_build.err = 0;
        op.u.pvx_build.err_len = 0;
        op.u.pvx_build.name[0] = (char)get8(in);
        break;
    default:
        break;
    }
    put(v, r, &op, sizeof(op));
    a[0] = gen_ptr(in, self, r);
}

/* sysctl: readconsole, physinfo, sched_id, getdomaininfolist or any number. */
static void gen_sysctl(struct in *in, struct vcpu *v, uint32_t a[5], uint32_t r)
{
    static const uint32_t cmds[] = {
        XEN_SYSCTL_readconsole, XEN_SYSCTL_physinfo, XEN_SYSCTL_sched_id,
        XEN_SYSCTL_getdomaininfolist,
    };
    struct fdom *self = fdom_of(v);
    struct xen_sysctl op;
    uint8_t k = get8(in);

    memset(&op, 0, sizeof(op));
    op.cmd = k < 0xf0 ? cmds[k % ARRAY_SIZE(cmds)] : get32(in);
    op.interface_version = get8(in) % 8 ? XEN_SYSCTL_INTERFACE_VERSION : get32(in);
    switch ( op.cmd )
    {
    case XEN_SYSCTL_readconsole:
        op.u.readconsole.clear = get8(in) % 2;
        op.u.readconsole.incremental = get8(in) % 2;
        op.u.readconsole.index = get32(in);
        op.u.readconsole.buffer = gen_ptr(in, self, r + 0x400);
        op.u.readconsole.count = get8(in) % 2 ? get8(in) : gen_count(in);
        break;
    case XEN_SYSCTL_getdomaininfolist:
        op.u.getdomaininfolist.first_domain = gen_domid(in);
        op.u.getdomaininfolist.max_domains = get8(in) % 5;
        op.u.getdomaininfolist.buffer = gen_ptr(in, self, r + 0x400);
        break;
    default:
        break;
    }
    put(v, r, &op, sizeof(op));
    a[0] = gen_ptr(in, self, r);
}

/* domctl: mostly the VFR's sub-ops (a rule of input bytes, an index near the
 * list's end, a VIF), sometimes the scheduler's or any number; the header
 * mostly right. Unprivileged callers get -EPERM, refusals change nothing. */
static void gen_domctl_vfr(struct in *in, struct vcpu *v, uint32_t a[5], uint32_t r)
{
    static const uint32_t cmds[] = {
        XEN_DOMCTL_pvx_vfr_add, XEN_DOMCTL_pvx_vfr_remove, XEN_DOMCTL_pvx_vfr_list,
        XEN_DOMCTL_pvx_vfr_vif, XEN_DOMCTL_pvx_bvt_get, XEN_DOMCTL_pvx_getinfo,
    };
    struct fdom *self = fdom_of(v);
    struct xen_domctl op;
    struct pvx_vfr_rule *rule = &op.u.pvx_vfr.rule;
    uint8_t k = get8(in), f;

    memset(&op, 0, sizeof(op));
    op.cmd = k < 0xf0 ? cmds[k % ARRAY_SIZE(cmds)] : get32(in);
    op.interface_version = get8(in) % 8 ? XEN_DOMCTL_INTERFACE_VERSION : get32(in);
    op.domain = get8(in) % 4 ? DOMID_SELF : gen_domid(in);
    if ( op.cmd == XEN_DOMCTL_pvx_vfr_vif )
    {
        op.u.pvx_vfr_vif.vif = get8(in) % 4;
        op.u.pvx_vfr_vif.set_ipv4 = get8(in) % 3;
        op.u.pvx_vfr_vif.ipv4 = get32(in);
    }
    else
    {
        op.u.pvx_vfr.dir = get8(in) % 3;
        op.u.pvx_vfr.index = get8(in) % 36;
        f = get8(in);
        rule->in_vif = f & 1 ? get16(in) : PVX_VFR_ANY_VIF;
        rule->action = get8(in) % 4;
        rule->to_vif = get8(in) % 20;
        rule->proto = f & 2 ? get8(in) : 0;
        rule->ethertype = f & 4 ? get16(in) : 0;
        if ( f & 8 )
        {
            rule->src_ip = get32(in);
            rule->src_ip_mask = get32(in);
        }
        if ( f & 0x10 )
        {
            rule->dport_lo = get16(in);
            rule->dport_hi = get16(in);
        }
        if ( f & 0x20 )
        {
            unsigned int i = get8(in) % 6;

            rule->src_mac_mask[i] = get8(in);
        }
        rule->hits = f & 0x40 ? get32(in) : 0;
    }
    put(v, r, &op, sizeof(op));
    a[0] = gen_ptr(in, self, r);
}

/* A hypercall this harness has no model for: (cmd, pointer, words...) with a
 * structure of plausible words (small numbers, pointers, frames, ids). */
static void gen_generic(struct in *in, struct vcpu *v, uint32_t a[5], uint32_t r)
{
    struct fdom *self = fdom_of(v), *other = &doms[self == &doms[0]];
    uint32_t words[32];
    unsigned int n = get8(in) % 33;

    for ( unsigned int i = 0; i < n; i++ )
        words[i] = gen_word(in, self, other);
    put(v, r, words, n * sizeof(words[0]));
    a[0] = get8(in) % 2 ? get8(in) % 16 : gen_word(in, self, other);
    a[1] = get8(in) % 4 ? gen_ptr(in, self, r) : gen_word(in, self, other);
    a[2] = gen_word(in, self, other);
    a[3] = gen_word(in, self, other);
    a[4] = gen_word(in, self, other);
}

/*
 * physdev_op: pvx's block sub-ops (public/pvx.h), and requests on the ring.
 * The ring is the guest's memory: before a notify the caller may write
 * requests into the ring of the VBD it names, as a guest would, and move req_prod (sanely, or not):
 *   u8 cmd (% 8: 0-3 the sub-ops 0x7000-0x7003, 4 another 0x70xx, 5-7
 *      Xen's numbers), u8 vdev kind (% 4: 0 another, else xvda), u8 index,
 *      gen_mfn (connect's frame);
 *   notify only: u8 n (% 5) requests, each: u8 op (% 8), u8 nr_segments
 *      (% 13), u8 sector kind (% 4: 0 raw u32), u16/u32 sector, u32 id,
 *      then per segment gen_mfn (u8 % 4 == 0: raw u32 instead), u8 first
 *      (% 8), u8 last (% 9); then u8 (% 8 == 0: req_prod a raw u32).
 */
static void gen_ring_requests(struct in *in, struct vcpu *v, struct fdom *self,
                              struct fdom *other, uint16_t vdev)
{
    struct vbd *vbd = vbd_lookup(v->domain->domain_id, vdev);
    struct blkif_request rq[4];
    unsigned int n = get8(in) % 5;
    struct blkif_sring *s;
    RING_IDX prod;
    uint32_t raw_prod = 0;
    bool raw;

    /* Every byte read whether or not there is a ring: an input means the
     * same ops after this one either way. */
    memset(rq, 0, sizeof(rq));
    for ( unsigned int i = 0; i < n; i++ )
    {
        uint8_t k;

        rq[i].operation = get8(in) % 8;
        rq[i].nr_segments = get8(in) % 13;
        rq[i].handle = FUZZ_XVDA;
        k = get8(in) % 4;
        rq[i].sector_number = k ? get16(in) : get32(in);
        rq[i].id = get32(in);
        for ( unsigned int g = 0; g < rq[i].nr_segments && g < BLKIF_MAX_SEGMENTS_PER_REQUEST;
              g++ )
        {
            k = get8(in) % 4;
            rq[i].seg[g].gref = k ? gen_mfn(in, self, other) : get32(in);
            rq[i].seg[g].first_sect = get8(in) % 8;
            rq[i].seg[g].last_sect = get8(in) % 9;
        }
    }
    raw = get8(in) % 8 == 0;
    if ( raw )
        raw_prod = get32(in);
    if ( !vbd || !vbd->ring.page )
        return;
    s = arch_map_frames(vbd->ring.mfn, 1);
    prod = s->req_prod;
    for ( unsigned int i = 0; i < n; i++ )
        s->ring[(prod + i) % BLKIF_RING_SIZE_PAGE].req = rq[i];
    s->req_prod = raw ? raw_prod : prod + n;
    tr("d%u: %u ring requests, req_prod %u\n", v->domain->domain_id, n, s->req_prod);
    arch_unmap_frames(s, 1);
}

static void gen_physdev_blk(struct in *in, struct vcpu *v, uint32_t a[5], uint32_t r)
{
    static const uint32_t xen_cmds[] = { PHYSDEVOP_set_iopl, PHYSDEVOP_eoi, 0x10 };
    struct fdom *self = fdom_of(v), *other = &doms[self == &doms[0]];
    struct physdev_pvx_blkif op = { 0 };
    uint8_t c = get8(in) % 8;
    uint8_t k;

    if ( c < 4 )
        a[0] = PHYSDEVOP_pvx_vbd_info + c;
    else if ( c == 4 )
        a[0] = PHYSDEVOP_pvx_vbd_info + get8(in);
    else
        a[0] = xen_cmds[c - 5];
    k = get8(in) % 4;
    op.vdev = k ? FUZZ_XVDA : get16(in);
    op.index = get8(in);
    op.ring_mfn = gen_mfn(in, self, other);
    put(v, r, &op, sizeof(op));
    a[1] = gen_ptr(in, self, r);
    if ( a[0] == PHYSDEVOP_pvx_blkif_notify )
        gen_ring_requests(in, v, self, other, op.vdev);
}

/*
 * domctl: the initial domain's control interface (another domain gets
 * -EPERM). u8 cmd (% 12: 0-2 the BVT and getinfo ops, 3-8 the VBD and disk
 * ops 0x7010-0x7015, 9 a raw u32, 10-11 vbd_create and vbd_grow again),
 * u8 (% 8 == 0: a wrong interface version), gen_domid, then the VBD fields:
 * u8 vdev kind (% 4: 0 a raw u16, 1 xvda, 2-3 xvdb), u8 mode (% 4: 0 R,
 * 1 RW, 2 W alone, 3 raw u8), u8 index, u8 disk (% 4 == 3: raw u32, else
 * 0), u8 start kind (% 4 == 0: raw u32, else u8 * 8), u8 nr kind (the same).
 * One read per statement: the order is the input format.
 */
static void gen_domctl_vbd(struct in *in, struct vcpu *v, uint32_t a[5], uint32_t r)
{
    static const uint32_t cmds[] = {
        XEN_DOMCTL_pvx_bvt_set, XEN_DOMCTL_pvx_bvt_get, XEN_DOMCTL_pvx_getinfo,
        XEN_DOMCTL_pvx_vbd_create, XEN_DOMCTL_pvx_vbd_grow, XEN_DOMCTL_pvx_vbd_destroy,
        XEN_DOMCTL_pvx_vbd_list, XEN_DOMCTL_pvx_disk_info, XEN_DOMCTL_pvx_disk_stats,
        0, XEN_DOMCTL_pvx_vbd_create, XEN_DOMCTL_pvx_vbd_grow,
    };
    struct fdom *self = fdom_of(v);
    struct xen_domctl op;
    uint8_t k;

    memset(&op, 0, sizeof(op));
    k = get8(in) % 12;
    op.cmd = k == 9 ? get32(in) : cmds[k];
    k = get8(in) % 8;
    op.interface_version = k ? XEN_DOMCTL_INTERFACE_VERSION : XEN_DOMCTL_INTERFACE_VERSION + 1;
    op.domain = gen_domid(in);
    k = get8(in) % 4;
    op.u.pvx_vbd.vdev = k == 0 ? get16(in) : k == 1 ? FUZZ_XVDA : FUZZ_XVDA + 16;
    k = get8(in) % 4;
    op.u.pvx_vbd.mode = k == 0 ? PVX_VBD_MODE_R : k == 1 ? PVX_VBD_MODE_RW :
                        k == 2 ? PVX_VBD_MODE_W : get8(in);
    op.u.pvx_vbd.index = get8(in);
    k = get8(in) % 4;
    op.u.pvx_vbd.disk = k == 3 ? get32(in) : 0;
    k = get8(in) % 4;
    op.u.pvx_vbd.start = k ? (uint64_t)get8(in) * 8 : get32(in);
    k = get8(in) % 4;
    op.u.pvx_vbd.nr = k ? (uint64_t)get8(in) * 8 : get32(in);
    if ( op.cmd == XEN_DOMCTL_pvx_disk_stats )
    {
        uint32_t disk = op.u.pvx_vbd.disk;

        memset(&op.u, 0, sizeof(op.u));
        op.u.pvx_disk_stats.disk = disk;
    }
    put(v, r, &op, sizeof(op));
    a[0] = gen_ptr(in, self, r);
}

/*
 * domctl: the VIF ops (0x7024-0x7026). u8 cmd (% 4: create, destroy, list,
 * a raw u32), u8 (% 8 == 0: a wrong interface version), gen_domid, u8
 * handle (% 6), u8 index, u8 mac kind (% 4: 0 six raw bytes, else
 * 00:16:3e:00:00:kind), u8 address kind (% 4: 0 none, 1 10.0.2.15, 2
 * 10.0.2.16, 3 a raw u32), u8 flags (% 4).
 */
static void gen_domctl_vif(struct in *in, struct vcpu *v, uint32_t a[5], uint32_t r)
{
    static const uint32_t cmds[] = {
        XEN_DOMCTL_pvx_vif_create, XEN_DOMCTL_pvx_vif_destroy, XEN_DOMCTL_pvx_vif_list,
    };
    struct fdom *self = fdom_of(v);
    struct xen_domctl op;
    uint8_t k;

    memset(&op, 0, sizeof(op));
    k = get8(in) % 4;
    op.cmd = k == 3 ? get32(in) : cmds[k];
    k = get8(in) % 8;
    op.interface_version = k ? XEN_DOMCTL_INTERFACE_VERSION : XEN_DOMCTL_INTERFACE_VERSION + 1;
    op.domain = gen_domid(in);
    op.u.pvx_vif.handle = get8(in) % 6;
    op.u.pvx_vif.index = get8(in);
    k = get8(in) % 4;
    if ( k == 0 )
        for ( unsigned int i = 0; i < 6; i++ )
            op.u.pvx_vif.mac[i] = get8(in);
    else
    {
        op.u.pvx_vif.mac[1] = 0x16;
        op.u.pvx_vif.mac[2] = 0x3e;
        op.u.pvx_vif.mac[5] = k;
    }
    k = get8(in) % 4;
    op.u.pvx_vif.ipv4 = k == 0 ? 0 : k == 1 ? 0x0a00020fu : k == 2 ? 0x0a000210u : get32(in);
    op.u.pvx_vif.flags = get8(in) % 4;
    put(v, r, &op, sizeof(op));
    a[0] = gen_ptr(in, self, r);
}

/* domctl: a first byte picks the VIFs' ops (0xf0 and up), else the
 * toolstack's and scheduler's ops (% 3 == 0), the firewall-router's (1) or
 * the block devices' (2). */
static void gen_domctl(struct in *in, struct vcpu *v, uint32_t a[5], uint32_t r)
{
    uint8_t b = get8(in), which = b % 3;

    if ( b >= 0xf0 )
        gen_domctl_vif(in, v, a, r);
    else if ( which == 1 )
        gen_domctl_vfr(in, v, a, r);
    else if ( which == 2 )
        gen_domctl_vbd(in, v, a, r);
    else
        gen_domctl_toolstack(in, v, a, r);
}

/* physdev_op: pvx's interim NIC path mostly (public/pvx.h), set_iopl, or
 * any number. A transmit names a frame of the input's choosing, mostly the
 * scratch page that holds an Ethernet frame from the NIC's MAC, at an offset
 * and a length near the limits. */
static void gen_physdev_net(struct in *in, struct vcpu *v, uint32_t a[5], uint32_t r)
{
    static const uint32_t cmds[] = {
        PHYSDEVOP_pvx_net_setup, PHYSDEVOP_pvx_net_tx, PHYSDEVOP_pvx_net_rx_post,
        PHYSDEVOP_pvx_net_poll, PHYSDEVOP_set_iopl,
    };
    static const uint16_t lens[] = { 14, 42, 60, 1514, 13, 1515, 0, 4096 };
    struct fdom *self = fdom_of(v), *other = &doms[self == &doms[0]];
    static const uint8_t mac[6] = FAKE_NIC_MAC;
    uint8_t k = get8(in), f, frame[64];
    uint32_t words[4] = { 0 };
    mfn_t own = self->p2m[(r + 0x800 - KERN_VA) >> PAGE_SHIFT];

    a[0] = k < 0xf0 ? cmds[k % ARRAY_SIZE(cmds)] : get32(in);
    /* The frame: from the NIC's MAC mostly, IPv4 or ARP, the rest input. */
    for ( unsigned int i = 0; i < sizeof(frame); i++ )
        frame[i] = get8(in);
    f = get8(in);
    if ( f & 1 )
        memcpy(frame + 6, mac, 6);
    if ( f & 2 )
    {
        frame[12] = 0x08;
        frame[13] = f & 4 ? 0x06 : 0x00;
    }
    put(v, r + 0x800, frame, sizeof(frame));
    switch ( a[0] )
    {
    case PHYSDEVOP_pvx_net_tx:
        words[0] = get8(in) % 4 ? own : gen_mfn(in, self, other);
        words[1] = get8(in) % 4 ? 0x800 : get16(in);               /* offset */
        words[1] |= (uint32_t)lens[get8(in) % ARRAY_SIZE(lens)] << 16;
        words[2] = get8(in);                                        /* id */
        break;
    case PHYSDEVOP_pvx_net_rx_post:
        words[0] = gen_mfn(in, self, other);
        words[1] = get8(in);
        break;
    default:
        words[0] = gen_word(in, self, other);
        break;
    }
    put(v, r, words, sizeof(words));
    a[1] = gen_ptr(in, self, r);
}

/*
 * physdev_op: a guest's VIF sub-ops (0x7020-, public/pvx.h), and requests
 * on its rings, written before a notify as a guest would:
 *   u8 cmd (% 6: 0-3 the sub-ops, 4 another 0x702x, 5 a raw u32), u8
 *      handle kind (% 4: 0 a raw u16, else 0), u8 index, gen_mfn twice
 *      (connect's rings);
 *   notify only: u8 n (% 4) transmits, each: u8 gref kind (% 4: 0 raw u32,
 *      else gen_mfn), u8 offset kind (% 4: 0 raw u16, else 0x800), u8 size
 *      (an index into the lengths), u8 id; u8 m (% 4) receive frames, each
 *      gen_mfn; then u8 (% 8 == 0: the transmit ring's req_prod a raw u32).
 */
static void gen_physdev_vif(struct in *in, struct vcpu *v, uint32_t a[5], uint32_t r)
{
    static const uint16_t lens[] = { 14, 42, 60, 1514, 13, 1515, 0, 4096 };
    struct fdom *self = fdom_of(v), *other = &doms[self == &doms[0]];
    struct physdev_pvx_netif op = { 0 };
    struct netif_tx_request tx[3];
    struct netif_rx_request rx[3];
    unsigned int n, m;
    uint32_t raw_prod = 0;
    uint8_t c = get8(in) % 6, k;
    bool raw;

    if ( c < 4 )
        a[0] = PHYSDEVOP_pvx_vif_info + c;
    else if ( c == 4 )
        a[0] = 0x7020u + (get8(in) & 0xfu);
    else
        a[0] = get32(in);
    k = get8(in) % 4;
    op.handle = k ? 0 : get16(in);
    op.index = get8(in);
    op.tx_ring_mfn = gen_mfn(in, self, other);
    op.rx_ring_mfn = gen_mfn(in, self, other);
    put(v, r, &op, sizeof(op));
    a[1] = gen_ptr(in, self, r);
    if ( a[0] != PHYSDEVOP_pvx_netif_notify )
        return;
    /* Every byte read whether or not there is a ring. */
    memset(tx, 0, sizeof(tx));
    memset(rx, 0, sizeof(rx));
    n = get8(in) % 4;
    for ( unsigned int i = 0; i < n && i < 3; i++ )
    {
        k = get8(in) % 4;
        tx[i].gref = k ? gen_mfn(in, self, other) : get32(in);
        k = get8(in) % 4;
        tx[i].offset = k ? 0x800 : get16(in);
        tx[i].size = lens[get8(in) % ARRAY_SIZE(lens)];
        tx[i].id = get8(in);
    }
    m = get8(in) % 4;
    for ( unsigned int i = 0; i < m && i < 3; i++ )
    {
        rx[i].gref = gen_mfn(in, self, other);
        rx[i].id = (uint16_t)i;
    }
    raw = get8(in) % 8 == 0;
    if ( raw )
        raw_prod = get32(in);
    for ( unsigned int i = 0; i < VIF_MAX; i++ )
    {
        struct vif *vif = &machine.netif.vifs[i];
        struct netif_tx_sring *ts;
        struct netif_rx_sring *rs;

        if ( !vif->in_use || vif->domid != v->domain->domain_id || vif->handle != op.handle ||
             !vif->tx.page )
            continue;
        ts = arch_map_frames(vif->tx.mfn, 1);
        for ( unsigned int j = 0; j < n && j < 3; j++ )
            ts->ring[(ts->req_prod + j) % NETIF_RING_SIZE_PAGE].req = tx[j];
        ts->req_prod = raw ? raw_prod : ts->req_prod + MIN(n, 3u);
        arch_unmap_frames(ts, 1);
        rs = arch_map_frames(vif->rx.mfn, 1);
        for ( unsigned int j = 0; j < m && j < 3; j++ )
            rs->ring[(rs->req_prod + j) % NETIF_RING_SIZE_PAGE].req = rx[j];
        rs->req_prod += MIN(m, 3u);
        arch_unmap_frames(rs, 1);
        tr("d%u: %u transmits, %u receive frames on VIF %u\n", v->domain->domain_id, n, m, i);
    }
}

/* physdev_op: a first byte picks the block devices' sub-ops (even, below
 * 0xc0), the interim NIC path's (odd) or the VIFs' (even, 0xc0 and up). */
static void gen_physdev_op(struct in *in, struct vcpu *v, uint32_t a[5], uint32_t r)
{
    uint8_t b = get8(in);

    if ( b & 1 )
        gen_physdev_net(in, v, a, r);
    else if ( b >= 0xc0 )
        gen_physdev_vif(in, v, a, r);
    else
        gen_physdev_blk(in, v, a, r);
}

static void gen_call(struct in *in, struct vcpu *v, uint32_t nr, uint32_t a[5], unsigned int depth)
{
    struct fdom *self = fdom_of(v), *other = &doms[self == &doms[0]];
    uint32_t r = next_region();

    memset(a, 0, 5 * sizeof(a[0]));
    switch ( nr )
    {
    case __HYPERVISOR_mmu_update:
        gen_mmu_update(in, v, a, r);
        break;
    case __HYPERVISOR_mmuext_op:
        gen_mmuext_op(in, v, a, r);
        break;
    case __HYPERVISOR_update_va_mapping:
    {
        uint64_t pte;
        uint8_t f;

        a[0] = gen_va(in, self);
        pte = gen_pte(in, self, other);
        a[1] = (uint32_t)pte;
        a[2] = (uint32_t)(pte >> 32);
        f = get8(in);
        a[3] = f % 3 + (f & 0x10 ? UVMF_ALL : 0);
        if ( f & 0x20 )                 /* a vCPU mask pointer in the flags */
        {
            uint32_t mask = get8(in) % 4;

            put(v, r, &mask, sizeof(mask));
            a[3] = (a[3] & UVMF_FLUSHTYPE_MASK) | (f & 0x40 ? r : gen_va(in, self));
        }
        break;
    }
    case __HYPERVISOR_multicall:
        if ( depth < 2 )
            gen_multicall(in, v, a, r, depth);
        else
            a[0] = r, a[1] = get8(in) % 3;
        break;
    case __HYPERVISOR_memory_op:
        gen_memory_op(in, v, a, r);
        break;
    case __HYPERVISOR_console_io:
    {
        static const char text[] = "pvx fuzz\n";

        a[0] = get8(in) % 8 ? get8(in) % 2 : get32(in);
        a[1] = get8(in) % 4 ? get8(in) : gen_count(in);
        put(v, r, text, sizeof(text) - 1);
        a[2] = gen_ptr(in, self, r);
        break;
    }
    case __HYPERVISOR_xen_version:
    {
        uint32_t fi[2] = { get8(in) % 4, 0 };      /* get_features: submap_idx */

        put(v, r, fi, sizeof(fi));
        a[0] = get8(in) % 16;
        a[1] = gen_ptr(in, self, r);
        break;
    }
    case __HYPERVISOR_sched_op:
        gen_sched_op(in, v, a, r);
        break;
    case __HYPERVISOR_vcpu_op:
        gen_vcpu_op(in, v, a, r);
        break;
    case __HYPERVISOR_domctl:
        gen_domctl(in, v, a, r);
        break;
    case __HYPERVISOR_sysctl:
        gen_sysctl(in, v, a, r);
        break;
    case __HYPERVISOR_physdev_op:
        gen_physdev_op(in, v, a, r);
        break;
    default:
        gen_generic(in, v, a, r);
        break;
    }
}

/* ------------------------------------------------------------------------
 * Checks after every entry.
 */

static void isolation_fail(struct domain *d, const char *what, mfn_t table, unsigned int slot,
                           uint64_t e)
{
    fake_fail("isolation: d%u %s: table mfn %#x slot %u = %#llx", d->domain_id, what, table,
              slot, (unsigned long long)e);
}

static const struct frame *owned_frame(struct domain *d, uint64_t e)
{
    const struct frame *f = frame_of((mfn_t)((e & PTE_ADDR_MASK) >> PAGE_SHIFT));

    return f && f->owner == d->domain_id ? f : NULL;
}

/* The privileged domain's foreign mapping: a frame of another domain that
 * still exists (mmu_update with a foreigndom; control/domctl.c's dom0). */
static bool foreign_frame(struct domain *d, uint64_t e)
{
    const struct frame *f = frame_of((mfn_t)((e & PTE_ADDR_MASK) >> PAGE_SHIFT));

    return d->is_privileged && f && f->owner < DOMID_FIRST_RESERVED && f->owner != d->domain_id &&
           domain_lookup(f->owner);
}

/*
 * Walk what the MMU would walk from every vCPU's cr3, by the raw entries and
 * not the frame table's metadata: every table and every mapped frame must be
 * the domain's own (but the privileged domain's foreign mappings), no
 * superpage, no writable mapping of a frame that is a page table anywhere,
 * and the hypervisor's L2 slots exactly as the hypervisor wrote them.
 */
static void check_isolation(void)
{
    static uint8_t is_table[FUZZ_MEM_FRAMES];
    static struct { mfn_t mfn; unsigned int slot; uint64_t e; uint16_t dom; } rw[8192];
    unsigned int nr_rw = 0;

    memset(is_table, 0, sizeof(is_table));
    for ( unsigned int di = 0; di < 2; di++ )
    {
        struct domain *d = doms[di].d;

        if ( !d )
            continue;
        for ( unsigned int vi = 0; vi < d->nr_vcpus; vi++ )
        {
            mfn_t l3 = (mfn_t)(d->vcpu[vi].cr3 >> PAGE_SHIFT);

            if ( !d->vcpu[vi].cr3 )
                continue;
            if ( !owned_frame(d, d->vcpu[vi].cr3) )
                isolation_fail(d, "cr3 names a frame not its own", l3, 0, d->vcpu[vi].cr3);
            is_table[l3] = 1;
            for ( unsigned int s3 = 0; s3 < 4; s3++ )
            {
                uint64_t e3 = table_entry(l3, s3);
                mfn_t l2 = (mfn_t)((e3 & PTE_ADDR_MASK) >> PAGE_SHIFT);
                unsigned int n2 = s3 == 3 ? HYP_FIRST_L2_SLOT : 512;

                if ( !(e3 & _PAGE_PRESENT) )
                {
                    if ( s3 == 3 )
                        isolation_fail(d, "L3 slot 3 not present", l3, s3, e3);
                    continue;
                }
                if ( !owned_frame(d, e3) )
                    isolation_fail(d, "L3 entry names a frame not its own", l3, s3, e3);
                is_table[l2] = 1;
                if ( s3 == 3 && memcmp((const uint64_t *)(fake_mem + (size_t)l2 * PAGE_SIZE) +
                                       HYP_FIRST_L2_SLOT, &xen_l2_ref[HYP_FIRST_L2_SLOT],
                                       (NR_L2_SLOTS - HYP_FIRST_L2_SLOT) * 8) )
                    isolation_fail(d, "the hypervisor's L2 slots changed", l2, HYP_FIRST_L2_SLOT,
                                   table_entry(l2, HYP_FIRST_L2_SLOT));
                for ( unsigned int s2 = 0; s2 < n2; s2++ )
                {
                    uint64_t e2 = table_entry(l2, s2);
                    mfn_t l1 = (mfn_t)((e2 & PTE_ADDR_MASK) >> PAGE_SHIFT);

                    if ( !(e2 & _PAGE_PRESENT) )
                        continue;
                    if ( e2 & _PAGE_PSE )
                        isolation_fail(d, "superpage", l2, s2, e2);
                    if ( !owned_frame(d, e2) )
                        isolation_fail(d, "L2 entry names a frame not its own", l2, s2, e2);
                    is_table[l1] = 1;
                    for ( unsigned int s1 = 0; s1 < 512; s1++ )
                    {
                        uint64_t e1 = table_entry(l1, s1);

                        if ( !(e1 & _PAGE_PRESENT) )
                            continue;
                        if ( !owned_frame(d, e1) && !foreign_frame(d, e1) )
                            isolation_fail(d, "maps a frame not its own", l1, s1, e1);
                        if ( (e1 & _PAGE_RW) && (e2 & _PAGE_RW) &&
                             nr_rw < sizeof(rw) / sizeof(rw[0]) )
                            rw[nr_rw++] = (typeof(rw[0])){ l1, s1, e1, d->domain_id };
                    }
                }
            }
        }
    }
    /* A writable mapping of any live page table is a way out of the sandbox. */
    for ( unsigned int i = 0; i < nr_rw; i++ )
        if ( is_table[(rw[i].e & PTE_ADDR_MASK) >> PAGE_SHIFT] )
            isolation_fail(domain_lookup(rw[i].dom), "maps a live page table writable",
                           rw[i].mfn, rw[i].slot, rw[i].e);
}

/* The allocator's count agrees with the table, and every frame has one owner.
 * A frame the hypervisor itself writes after boot (shared_info: event bits,
 * time) is never a page table or descriptor frame: those are validated once,
 * and a write behind the validator's back would make whatever it writes a
 * mapping. */
static void check_frames(void)
{
    unsigned int free = 0;

    for ( unsigned int di = 0; di < 2; di++ )
    {
        const struct domain *d = doms[di].d;
        const struct frame *f = d ? frame_of(d->shared_info_mfn) : NULL;

        if ( f && f->type_count && f->type != FRAME_WRITABLE )
            fake_fail("d%u's shared_info (mfn %#x) has type %u, count %u: the hypervisor writes "
                      "it unvalidated", d->domain_id, d->shared_info_mfn, f->type, f->type_count);
    }

    for ( mfn_t m = 0; m < frame_max_mfn(); m++ )
    {
        const struct frame *f = frame_of(m);

        if ( f->owner == DOMID_FREE )
        {
            free++;
            if ( f->ref_count || f->type_count || f->flags )
                fake_fail("free mfn %#x has refs %u, type count %u, flags %#x", m, f->ref_count,
                          f->type_count, f->flags);
        }
        else if ( frame_owner_is_domain(f) && !domain_lookup(f->owner) )
            fake_fail("mfn %#x owned by d%u, which does not exist", m, f->owner);
    }
    if ( free != frame_free_count() )
        fake_fail("frame_free_count() says %u, the frame table %u", frame_free_count(), free);
}

/*
 * What the CPU holds in its TLB must be something the running domain may
 * still reach: every translation a frame of its own (the read-only M2P
 * above HYPERVISOR_VIRT_START), a writable one never a page table or
 * descriptor frame, and every cached L2 entry an L1 of its own that is
 * still typed as one. A flush the core leaves out (before a frame it
 * unmapped is freed or becomes a table, after an L2 changed) shows here.
 */
/*
 * Another domain's frame in d's TLB is right only as the privileged domain's
 * foreign mapping that its tables still hold (mmu_update with foreigndom: the
 * mapping keeps the frame's reference, even past its owner's destruction); a
 * stale translation of a frame that has gone to another domain is not.
 */
static bool foreign_mapped(const struct domain *d, const struct fake_tlb_entry *e,
                           const struct frame *f)
{
    mfn_t now;

    return d->is_privileged && frame_owner_is_domain(f) &&
           fake_tables_translate(e->va, &now) && now == e->mfn;
}

static void check_tlb(const char *after)
{
    static struct fake_tlb_entry e[FAKE_TLB_ENTRIES];
    const struct domain *d = current->domain;
    unsigned int n = fake_tlb_entries(e);

    for ( unsigned int i = 0; i < n; i++ )
    {
        const struct frame *f = frame_of(e[i].mfn);

        if ( e[i].va >= HYPERVISOR_VIRT_START )
        {
            if ( e[i].rw || !f || f->owner != DOMID_XEN_OWN )
                fake_fail("TLB after %s: d%u's translation of %#x reaches mfn %#x (owner %#x)%s",
                          after, d->domain_id, e[i].va, e[i].mfn, f ? f->owner : 0,
                          e[i].rw ? ", writable" : "");
        }
        else if ( !f || (f->owner != d->domain_id && !foreign_mapped(d, &e[i], f)) )
            fake_fail("TLB after %s: d%u's translation of %#x reaches mfn %#x of %#x", after,
                      d->domain_id, e[i].va, e[i].mfn, f ? f->owner : 0);
        else if ( e[i].rw && f->type_count && f->type != FRAME_WRITABLE )
            fake_fail("TLB after %s: d%u's writable translation of %#x reaches mfn %#x, "
                      "typed %u (count %u)", after, d->domain_id, e[i].va, e[i].mfn, f->type,
                      f->type_count);
    }
    n = fake_pde_entries(e);
    for ( unsigned int i = 0; i < n; i++ )
    {
        const struct frame *f = frame_of(e[i].mfn);

        if ( e[i].va >= HYPERVISOR_VIRT_START )
            continue;                   /* the hypervisor's L2 slots never change */
        if ( !f || f->owner != d->domain_id || f->type != FRAME_L1 || !f->type_count )
            fake_fail("TLB after %s: d%u's cached L2 entry for %#x names mfn %#x (owner %#x, "
                      "type %u, count %u), not an L1 of its own", after, d->domain_id, e[i].va,
                      e[i].mfn, f ? f->owner : 0, f ? f->type : 0, f ? f->type_count : 0);
    }
}

static void check_all(const char *after)
{
    unsigned int n = audit_frames();

    if ( n )
        fake_fail("audit: %u mismatches after %s", n, after);
    if ( !current || current->domain->state != DOMAIN_RUNNING )
        fake_fail("after %s the CPU resumes a vCPU of a domain that is not running", after);
    /* Never ring 0, never IOPL or virtual-8086 mode, always interruptible. */
    if ( !(cpu.cs & 3) || !(cpu.ss & 3) || (cpu.eflags & (X86_EFLAGS_IOPL | X86_EFLAGS_VM)) ||
         !(cpu.eflags & X86_EFLAGS_IF) )
        fake_fail("after %s the guest resumes with cs %#x ss %#x eflags %#x", after, cpu.cs,
                  cpu.ss, cpu.eflags);
    check_isolation();
    check_tlb(after);
    check_frames();
}

/* ------------------------------------------------------------------------
 * Entries.
 */

static void entry_begin(void)
{
    struct domain *d = current->domain;

    fake_isolate_domid = d->is_privileged ? -1 : d->domain_id;
}

static void entry_end(void)
{
    fake_isolate_domid = -1;
}

/* The CPU re-executes an int $0x82 that a continuation rewound to: in the
 * hypercall page, the int sits 5 bytes into a slot (6 in the iret slot). */
static bool at_hypercall_int(void)
{
    uint32_t off = cpu.eip - HCALL_PAGE_VA;

    return off < PAGE_SIZE &&
           off % HYPERCALL_PAGE_SLOT_SIZE == (off / HYPERCALL_PAGE_SLOT_SIZE == __HYPERVISOR_iret
                                              ? 6u : 5u);
}

/* The simulator's entry: eax and cs read, the rest on the core's demand, and
 * only the fields the core did not leave missing taken back. */
static void hypercall_lazy(void)
{
    const uint32_t keep = REGS_FIELD(eax) | REGS_FIELD(cs) | REGS_FIELD(esp_pusha) |
                          REGS_FIELD(entry_vector) | REGS_FIELD(error_code);
    struct cpu_regs f;
    uint32_t missing;

    fake_live_regs = cpu;
    memset(&f, 0xa5, sizeof(f));
    regs_copy_fields(&f, &cpu, keep);
    fake_lazy = true;
    missing = core_hypercall_lazy(&f, REGS_ALL & ~keep);
    fake_lazy = false;
    regs_copy_fields(&cpu, &f, REGS_ALL & ~missing);
}

static void hypercall(uint32_t nr, const uint32_t a[5])
{
    unsigned int reentries = 0;

    tr("d%u%s: %s(%#x, %#x, %#x, %#x, %#x)", current->domain->domain_id, vcpu_tag(current),
       hypercall_name(nr) ? hypercall_name(nr) : "?", a[0], a[1], a[2], a[3], a[4]);
    cpu.eax = nr;
    cpu.ebx = a[0]; cpu.ecx = a[1]; cpu.edx = a[2]; cpu.esi = a[3]; cpu.edi = a[4];
    cpu.eip = HCALL_PAGE_VA + (nr % 128) * HYPERCALL_PAGE_SLOT_SIZE + 5;
    if ( nr % 128 == __HYPERVISOR_iret )
        cpu.eip++;
    do
    {
        cpu.eip += 2;                   /* as the CPU pushes it after the int */
        entry_begin();
        hypercall_lazy();
        entry_end();
    } while ( at_hypercall_int() && ++reentries < MAX_REENTRIES );
    tr(" = %d%s\n", (int32_t)cpu.eax, reentries ? " (continued)" : "");
}

static void guest_trap(uint32_t vector, uint32_t error_code, uint32_t cr2)
{
    tr("d%u%s: exception %u error %#x cr2 %#x\n", current->domain->domain_id, vcpu_tag(current),
       vector, error_code,
       cr2);
    cpu.entry_vector = vector;
    cpu.error_code = error_code;
    entry_begin();
    core_trap(&cpu, cr2);
    entry_end();
}

/* The disks' operations due by now complete (all, if every one must), each
 * an interrupt of the running guest. */
static void disks_complete(bool all)
{
    for ( unsigned int d = 0; d < ARCH_DISK_MAX; d++ )
        while ( fake_disk_due(d) && (all || fake_disk_due(d) <= fake_now_ns) )
        {
            tr("disk %u completes\n", d);
            entry_begin();
            fake_disk_complete_regs(d, 0, &cpu);
            entry_end();
        }
}

/* The wire, when time passes: every transmit in flight leaves, and the
 * last one sent comes back with its MACs swapped (so it is for the NIC's
 * address: the VFR's receive path sees a frame the input made). */
static void nic_passes(void)
{
    bool any = false;

    while ( fake_nic_complete_tx() )
        any = true;
    if ( any )
    {
        const struct fake_nic_tx *t = &fake_nic_sent[(fake_nic_nr_sent - 1) % FAKE_NIC_SENT];
        uint8_t f[NIC_FRAME_MAX];

        memcpy(f, t->bytes, t->len);
        memcpy(f, t->bytes + 6, 6);
        memcpy(f + 6, t->bytes, 6);
        (void)fake_nic_receive(f, t->len);
        tr("the NIC: transmits done, %u bytes back\n", t->len);
        entry_begin();
        core_nic_interrupt(&cpu);
        entry_end();
    }
}

static void time_passes(uint32_t us)
{
    fake_now_ns += (uint64_t)us * 1000;
    tr("time %llu ns%s\n", (unsigned long long)fake_now_ns,
       fake_timer && fake_timer <= fake_now_ns ? ": timer fires" : "");
    if ( fake_timer && fake_timer <= fake_now_ns )
    {
        fake_timer = 0;
        entry_begin();
        core_timer_interrupt(&cpu);
        entry_end();
    }
    disks_complete(false);
    nic_passes();
}

/* A toolstack's part (xl destroy): domain 1 is killed if it still runs and
 * torn down, and every frame it had must come back. */
static void destroy_dom1(void)
{
    struct domain *d = doms[1].d;

    if ( !d || current->domain == d )
        return;
    /* Destroyed already, by dom0's destroydomain (dying while a foreign
     * mapping of dom0's keeps a frame: the audit counts those). */
    if ( d->state == DOMAIN_FREE || d->is_dying )
    {
        doms[1].d = NULL;
        return;
    }
    tr("destroy d1\n");
    domain_kill(d, 0);
    /* Its frames in flight come back when the disk is done with them. */
    disks_complete(true);
    /* Frames dom0 maps foreign stay d1's until unmapped (the audit counts
     * each of those references); every other frame must be back. */
    if ( d->is_dying )
    {
        if ( audit_frames() )
            fake_fail("d1 dying: the audit does not account for its frames");
        doms[1].d = NULL;
        return;
    }
    for ( mfn_t m = 0; m < frame_max_mfn(); m++ )
        if ( frame_of(m)->owner == 1 )
            fake_fail("d1 destroyed, but mfn %#x (refs %u, type %u count %u) is still its own", m,
                      frame_of(m)->ref_count, frame_of(m)->type, frame_of(m)->type_count);
    if ( domain_lookup(1) )
        fake_fail("d1 destroyed, but its slot is still in use");
    doms[1].d = NULL;
}

/* ------------------------------------------------------------------------
 * A fresh hypervisor: dom0 from the image through core_start, dom1 built
 * the same way from the same image.
 */

static void record_domain(struct fdom *fd, struct domain *d)
{
    struct start_info si;
    struct vcpu *v = &d->vcpu[0];

    fd->d = d;
    if ( copy_from_guest(v, &si, v->regs.esi, sizeof(si)) ||
         copy_from_guest(v, fd->p2m, si.mfn_list, sizeof(fd->p2m)) )
        fake_fail("d%u: cannot read its start_info and p2m", d->domain_id);
    memset(&fd->l, 0, sizeof(fd->l));
    fd->l.v_start = KERN_VA;
    fd->l.v_end = KERN_VA + MAPPED_PAGES * PAGE_SIZE;
    fd->l.vphysmap_start = si.mfn_list;
    fd->l.vstartinfo_start = v->regs.esi;
    fd->l.vpt_start = si.pt_base;
    fd->l.nr_pt_pages = si.nr_pt_frames;
    fd->l.vstack_end = v->regs.esp;
}

static void boot(bool two_domains)
{
    int st;

    memset(doms, 0, sizeof(doms));
    /* One disk: dom0's VBD, dom1's beside it, room for more (gen_domctl). */
    memset(fake_disk_sectors, 0, sizeof(fake_disk_sectors));
    fake_disk_sectors[0] = FUZZ_DISK_SECTORS;
    st = fixture_boot_image(image, image_len, "fuzz.elf",
                            "dom0_mem=1280K dom0_max_vcpus=2 dom0_vbd=xvda,w,0:0+128", 0, &cpu);
    if ( st != -1 )
        fake_fail("the machine stopped (%d) while booting", st);
    record_domain(&doms[0], current->domain);
    memset(xen_l2_ref, 0, sizeof(xen_l2_ref));
    frame_fill_xen_l2(xen_l2_ref);

    if ( two_domains )
    {
        struct build_layout l;
        struct domain *d = domain_create(1, "fuzz1", false);
        char err[160];

        if ( !d || domain_set_vcpus(d, 2) ||
             builder_build(d, &img, DOM_PAGES, "", 0, &l, err, sizeof(err)) )
            fake_fail("cannot build d1: %s", d ? err : "domain_create failed");
        record_domain(&doms[1], d);
        doms[1].l = l;
        sched_add_vcpu(&d->vcpu[0]);    /* as setup.c does: it runs when picked */
        if ( vbd_create(1, FUZZ_XVDA, PVX_VBD_MODE_RW) ||
             vbd_grow(1, FUZZ_XVDA, 0, 128, 128) )
            fake_fail("cannot give d1 its VBD");
    }
    doms[0].l.v_end = KERN_VA + MAPPED_PAGES * PAGE_SIZE;
}

/* A fresh hypervisor: booted, or the snapshot of one restored. */
static void fresh_machine(bool two_domains)
{
    unsigned int k = two_domains;

    if ( !use_snapshot )
    {
        boot(two_domains);
        return;
    }
    if ( !snap[k].machine )
    {
        boot(two_domains);
        snap[k].machine = fake_snapshot_take();
        snap[k].core = core_state_take(2);      /* domains 0 and 1: the others below */
        memcpy(snap[k].doms, doms, sizeof(doms));
        snap[k].cpu = cpu;
        return;
    }
    /* Domains a run made (dom0's createdomain) are not in the snapshot: their
     * slots go back to free here (a slot's state is all that is read before
     * domain_create clears it; copying all 1024 slots would cost 8 MiB). */
    for ( unsigned int id = 2; id < MAX_DOMAINS; id++ )
        if ( machine.domains[id].state != DOMAIN_FREE )
            memset(&machine.domains[id], 0, sizeof(machine.domains[id]));
    fake_snapshot_restore(snap[k].machine);
    core_state_restore(snap[k].core);
    fake_disk_reset();                  /* outside the snapshot: zero, idle, as at boot */
    memcpy(doms, snap[k].doms, sizeof(doms));
    cpu = snap[k].cpu;
    if ( check_snapshot )
    {
        const char *what = core_state_differs(snap[k].core);
        long f = fake_snapshot_differs(snap[k].machine);

        if ( what || f != -1 )
            fake_fail("snapshot: the restore left %s%s (frame %ld) as the last run made it",
                      what ? what : "", what ? " and machine memory" : "machine memory", f);
    }
}

/* fault_report prints every site: learn their names once, so sites added to
 * core/ are fuzzed without changing this file. */
static void learn_fault_sites(void)
{
    const char *p = fake_console;

    fault_report();
    while ( (p = strstr(p, "(pvx) fault ")) && nr_sites < sizeof(sites) / sizeof(sites[0]) )
    {
        const char *colon;

        p += strlen("(pvx) fault ");
        colon = strchr(p, ':');
        if ( !colon || colon - p >= (long)sizeof(sites[0]) )
            break;
        memcpy(sites[nr_sites], p, (size_t)(colon - p));
        sites[nr_sites][colon - p] = '\0';
        nr_sites++;
    }
}

static void configure_faults(struct in *in)
{
    unsigned int n = get8(in) % 3;
    bool seeded = false;
    char spec[256];
    size_t len = 0;

    fault_init();                       /* counts from here: fail-nth is per run */
    for ( unsigned int i = 0; i < n && nr_sites; i++ )
    {
        const char *site = sites[get8(in) % nr_sites];
        uint8_t kind = get8(in) % 4, val = get8(in);

        if ( kind < 3 )
            len += (size_t)snprintf(spec + len, sizeof(spec) - len, "%s%s:fail-nth=%u",
                                    len ? ";" : "", site, val + 1u);
        else
        {
            len += (size_t)snprintf(spec + len, sizeof(spec) - len,
                                    "%s%s:probability=%u,times=%u", len ? ";" : "", site,
                                    val % 100 + 1u, val / 100 + 1u);
            seeded = true;
        }
    }
    if ( seeded )
        fault_set_seed(get32(in));
    if ( len )
    {
        tr("faults: %s\n", spec);
        if ( fault_configure(spec) )
            fake_fail("fault_configure(\"%s\") refused a spec the harness built", spec);
    }
}

static void init_once(void)
{
    static bool done;
    struct elfgen_spec s;
    char err[160];
    jmp_buf jb;

    if ( done )
        return;
    done = true;
    trace = getenv("FUZZ_TRACE") != NULL;
    fake_config = (struct fake_config){
        .mem_frames = FUZZ_MEM_FRAMES, .module_mfn = FUZZ_MODULE_MFN, .tsc_hz = 2000000000ull,
        .idle_limit = 10000, .reset_dirty_only = true, .console_echo = trace, .nic = true,
    };

    elfgen_default(&s);
    s.e_entry = s.paddr = s.vaddr = KERN_VA;
    elfgen_set_num(&s, XEN_ELFNOTE_VIRT_BASE, KERN_VA);
    elfgen_set_num(&s, XEN_ELFNOTE_HYPERCALL_PAGE, HCALL_PAGE_VA);
    image_len = elfgen_build(&s, image, sizeof(image));
    if ( elf_parse(&img, image, image_len, err, sizeof(err)) )
        fake_fail("the fuzz kernel is refused: %s", err);

    for ( uint32_t nr = 0; nr < NR_HYPERCALLS; nr++ )
        if ( hypercall_lookup(nr) )
            nr_hcalls++;

    fake_shutdown_jmp = &jb;
    if ( setjmp(jb) )
        fake_fail("the machine stopped (%d) while booting", fake_shutdown_status);
    boot(true);
    learn_fault_sites();
    fake_shutdown_jmp = NULL;
    refusal_install();
    use_snapshot = core_state_available() &&
                   !(getenv("FUZZ_SNAPSHOT") && !strcmp(getenv("FUZZ_SNAPSHOT"), "0"));
    check_snapshot = getenv("FUZZ_SNAPSHOT_CHECK") != NULL;
    if ( trace )
    {
        fprintf(stderr, "fuzz: %u hypercalls implemented, fault sites:", nr_hcalls);
        for ( unsigned int i = 0; i < nr_sites; i++ )
            fprintf(stderr, " %s", sites[i]);
        fputc('\n', stderr);
    }
}

/* How much this process fuzzed: libFuzzer counts inputs, this the handlers
 * they ran (a fork-mode campaign sums the lines of its jobs). */
static void print_handler_count(void)
{
    unsigned long calls, refused;

    refusal_counts(&calls, &refused);
    fprintf(stderr, "fuzz: %lu hypercall handlers run, %lu failed calls checked to have "
            "changed nothing\n", calls, refused);
    /* A fork-mode job's stderr is libFuzzer's and goes: the jobs also add
     * their counts to a file make fuzz sums (one short append each). */
    if ( getenv("FUZZ_HANDLER_LOG") && calls )
    {
        FILE *f = fopen(getenv("FUZZ_HANDLER_LOG"), "a");

        if ( f )
        {
            fprintf(f, "%lu %lu\n", calls, refused);
            fclose(f);
        }
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    init_once();
    atexit(print_handler_count);
    return 0;
}

static void run_ops(struct in *in)
{
    for ( unsigned int op = 0; op < MAX_OPS && in->n; op++ )
    {
        struct vcpu *v = current;
        struct fdom *self = fdom_of(v), *other = &doms[self == &doms[0]];
        uint8_t code = get8(in) % 16;
        char what[48];

        region = 0;
        if ( code <= 10 )
        {
            uint8_t sel = get8(in);
            uint32_t nr, a[5];

            nr = select_hypercall(sel);
            gen_call(in, v, nr, a, 0);
            hypercall(nr, a);
            snprintf(what, sizeof(what), "hypercall %u", nr);
        }
        else if ( code == 11 )
        {
            unsigned int n = get8(in) % 16;
            uint32_t va = gen_va(in, self), w[16];

            for ( unsigned int i = 0; i < n; i++ )
                w[i] = gen_word(in, self, other);
            tr("d%u: store %u words at %#x\n", v->domain->domain_id, n, va);
            put(v, va, w, n * sizeof(w[0]));
            snprintf(what, sizeof(what), "a guest store");
        }
        else if ( code == 12 )
        {
            uint32_t vec = get8(in) % 32, ec = get32(in), cr2 = get32(in);

            guest_trap(vec, ec, cr2);
            snprintf(what, sizeof(what), "exception %u", vec);
        }
        else if ( code == 13 )
        {
            time_passes(get16(in));
            snprintf(what, sizeof(what), "a timer tick");
        }
        else if ( code == 14 )
        {
            cpu.esp = gen_va(in, self);
            cpu.ebp = gen_word(in, self, other);
            tr("d%u: esp %#x ebp %#x\n", v->domain->domain_id, cpu.esp, cpu.ebp);
            continue;
        }
        else
        {
            destroy_dom1();
            snprintf(what, sizeof(what), "destroying d1");
        }
        check_all(what);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct in in = { data, size };
    jmp_buf jb;
    uint8_t flags;

    init_once();
    refusal_reset();
    flags = get8(&in);
    fake_shutdown_jmp = &jb;
    if ( setjmp(jb) )
    {
        /* The machine stopped. dom0 powering off or crashing ends a run like
         * a real machine's; anything else (a panic, an audit that failed at
         * shutdown) is a finding. */
        fake_shutdown_jmp = NULL;
        fake_isolate_domid = -1;
        tr("machine stopped: %d\n", fake_shutdown_status);
        if ( fake_shutdown_status != PVX_EXIT_POWEROFF && fake_shutdown_status != PVX_EXIT_CRASH &&
             fake_shutdown_status != FAKE_STOP_IDLE )
            fake_fail("the machine stopped with status %d", fake_shutdown_status);
        return 0;
    }
    fresh_machine(!(flags & 1));
    configure_faults(&in);
    check_all("boot");
    run_ops(&in);
    destroy_dom1();
    check_all("the last entry");
    fake_shutdown_jmp = NULL;
    return 0;
}
