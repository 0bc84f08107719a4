/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_builder.c - every address and page-table entry of the start-of-day
 * state, against values worked out by hand from Xen's PAE layout rules.
 */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include <pvx/builder.h>
#include <pvx/domain.h>
#include <pvx/guest_access.h>
#include <pvx/elf.h>
#include <pvx/mm.h>
#include <pvx/errno.h>
#include <pvx/frame.h>
#include <pvx/layout.h>
#include <public/elfnote.h>
#include <public/xen.h>

/* The default kernel (0x100000-0x105000) with 8 MiB = 2048 pages:
 *   p2m        0x105000-0x107000 (2048 x 4 bytes)
 *   start_info 0x107000
 *   page tables 0x108000-0x10f000: 7 = 1 L3 + 4 L2 + 2 L1 (v_end 4 MiB)
 *   stack      0x10f000-0x110000
 *   v_end      0x400000 (padding 0x2f0000 >= 512 KiB) */
#define K_PT        0x108000u
#define K_NR_PT     7u
#define K_STACK_END 0x110000u
#define K_SI        0x107000u
#define K_P2M       0x105000u
#define K_VEND      0x400000u
#define K_PAGES     2048u

static uint64_t *table(uint64_t e)
{
    return (uint64_t *)(fake_mem + (e & PTE_ADDR_MASK));
}

static uint8_t *guest_page(uint32_t pfn)
{
    const uint32_t *p2m;
    uint64_t *l3 = (uint64_t *)(fake_mem + current->cr3);

    /* Walk rather than trust the p2m: this checks the tables, too. */
    uint64_t l2e = table(l3[0])[pfn >> 9];
    uint64_t l1e = table(l2e)[pfn & 511];
    (void)p2m;
    return fake_mem + (l1e & PTE_ADDR_MASK);
}

static void test_layout_default(void)
{
    struct elfgen_spec s;
    struct elf_image img;
    struct build_layout l;
    uint8_t buf[65536];
    char err[100];
    size_t len;

    elfgen_default(&s);
    len = elfgen_build(&s, buf, sizeof(buf));
    CU_ASSERT_EQUAL_FATAL(elf_parse(&img, buf, (uint32_t)len, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL_FATAL(builder_layout(&img, K_PAGES, &l), 0);
    CU_ASSERT_EQUAL(l.v_start, 0);
    CU_ASSERT_EQUAL(l.vkern_start, 0x100000);
    CU_ASSERT_EQUAL(l.vkern_end, 0x105000);
    CU_ASSERT_EQUAL(l.vphysmap_start, K_P2M);
    CU_ASSERT_EQUAL(l.vphysmap_end, 0x107000);
    CU_ASSERT_EQUAL(l.vstartinfo_start, K_SI);
    CU_ASSERT_EQUAL(l.vstartinfo_end, K_SI + 1112);
    CU_ASSERT_EQUAL(l.vpt_start, K_PT);
    CU_ASSERT_EQUAL(l.nr_pt_pages, K_NR_PT);
    CU_ASSERT_EQUAL(l.vpt_end, K_PT + K_NR_PT * 4096);
    CU_ASSERT_EQUAL(l.vstack_start, 0x10f000);
    CU_ASSERT_EQUAL(l.vstack_end, K_STACK_END);
    CU_ASSERT_EQUAL(l.v_end, K_VEND);

    /* 1024 pages fit exactly; 1023 do not. */
    CU_ASSERT_EQUAL(builder_layout(&img, 1024, &l), 0);
    CU_ASSERT_EQUAL(builder_layout(&img, 1023, &l), -ENOMEM);
}

/* A higher-half kernel whose padding rule adds a second 4 MiB:
 * kernel 0xC0100000-0xC0380000, 4096 pages: p2m to 0xC0384000, start_info
 * 0xC0384000, tables from 0xC0385000; the stack would end 0x7A000 - n pages
 * below 0xC0400000, under 512 KiB, so v_end = 0xC0800000: 4 L1s, 9 tables. */
static void test_layout_padding(void)
{
    struct elf_image img = {
        .virt_base = 0xC0000000, .virt_kstart = 0xC0100000, .virt_kend = 0xC0380000,
    };
    struct build_layout l;

    CU_ASSERT_EQUAL_FATAL(builder_layout(&img, 4096, &l), 0);
    CU_ASSERT_EQUAL(l.vphysmap_start, 0xC0380000);
    CU_ASSERT_EQUAL(l.vstartinfo_start, 0xC0384000);
    CU_ASSERT_EQUAL(l.vpt_start, 0xC0385000);
    CU_ASSERT_EQUAL(l.nr_pt_pages, 9);
    CU_ASSERT_EQUAL(l.vstack_end, 0xC038F000);
    CU_ASSERT_EQUAL(l.v_end, 0xC0800000);

    /* Up to the hypervisor area exactly: fine. */
    img.virt_base = 0xF5000000;
    img.virt_kstart = 0xF5000000;
    img.virt_kend = 0xF5600000;
    CU_ASSERT_EQUAL(builder_layout(&img, 8192, &l), 0);
    CU_ASSERT_EQUAL(l.v_end, 0xF5800000);
    /* Into it: refused, not wrapped. */
    img.virt_base = 0xF5000000;
    img.virt_kstart = 0xF5000000;
    img.virt_kend = 0xF5780000;     /* padding would cross 0xF5800000 */
    CU_ASSERT_EQUAL(builder_layout(&img, 8192, &l), -EINVAL);
}

static void test_start_of_day_registers(void)
{
    struct vcpu *v = unit_boot_default();
    const struct cpu_regs *r = &v->regs;

    CU_ASSERT_EQUAL(r->eip, 0x100000);
    CU_ASSERT_EQUAL(r->esp, K_STACK_END);
    CU_ASSERT_EQUAL(r->esi, K_SI);
    CU_ASSERT_EQUAL(r->cs, FLAT_RING1_CS);
    CU_ASSERT_EQUAL(r->ss, FLAT_RING1_SS);
    CU_ASSERT_EQUAL(r->ds, FLAT_RING1_DS);
    CU_ASSERT_EQUAL(r->es, FLAT_RING1_DS);
    CU_ASSERT_EQUAL(r->fs, FLAT_RING1_DS);
    CU_ASSERT_EQUAL(r->gs, FLAT_RING1_DS);
    CU_ASSERT_EQUAL(r->eflags, 0x202);
    CU_ASSERT_EQUAL(r->eax | r->ebx | r->ecx | r->edx | r->edi | r->ebp, 0);
    CU_ASSERT_EQUAL(fake_cr3, mm_vcpu_pdpt(v));     /* its PDPT: the L3's copy */
    CU_ASSERT_EQUAL(v->domain->domain_id, 0);
    CU_ASSERT_STRING_EQUAL(v->domain->name, "kernel.elf");
}

static void test_start_of_day_page_tables(void)
{
    struct vcpu *v = unit_boot_default();
    const uint32_t *p2m;
    uint64_t *l3, *l2[4], *l1;
    uint32_t pfn;
    unsigned int i;

    /* The L3 is the first page-table page; cr3 points at it. */
    p2m = (const uint32_t *)guest_page(K_P2M >> 12);
    CU_ASSERT_EQUAL(v->cr3, (paddr_t)p2m[K_PT >> 12] << 12);
    l3 = (uint64_t *)(fake_mem + v->cr3);

    /* Four L3 entries, present and nothing else (PAE PDPTEs); the L2 order
     * in the table area is: slot 0's, the two L1s, then slots 1, 2, 3. */
    static const unsigned int l2_pfn[4] = { 0x109, 0x10c, 0x10d, 0x10e };
    for ( i = 0; i < 4; i++ )
    {
        CU_ASSERT_EQUAL(l3[i], ((uint64_t)p2m[l2_pfn[i]] << 12) | _PAGE_PRESENT);
        l2[i] = table(l3[i]);
    }
    for ( i = 4; i < 512; i++ )
        CU_ASSERT_EQUAL(l3[i], 0);

    /* Slot 0's L2 has two L1s (0-2 MiB at pfn 0x10a, 2-4 MiB at 0x10b). */
    CU_ASSERT_EQUAL(l2[0][0], ((uint64_t)p2m[0x10a] << 12) | 0x67);
    CU_ASSERT_EQUAL(l2[0][1], ((uint64_t)p2m[0x10b] << 12) | 0x67);
    for ( i = 2; i < 512; i++ )
        CU_ASSERT_EQUAL(l2[0][i], 0);
    for ( i = 0; i < 512; i++ )
    {
        CU_ASSERT_EQUAL(l2[1][i], 0);
        CU_ASSERT_EQUAL(l2[2][i], 0);
    }

    /* Every page of v_start..v_end: P|RW|A to its p2m frame, the page
     * tables read-only (P|A), no user bit. */
    for ( pfn = 0; pfn < K_VEND >> 12; pfn++ )
    {
        uint64_t want = ((uint64_t)p2m[pfn] << 12) |
                        ((pfn >= (K_PT >> 12) && pfn < (K_PT >> 12) + K_NR_PT) ? 0x21 : 0x23);

        l1 = table(l2[0][pfn >> 9]);
        if ( l1[pfn & 511] != want )
        {
            CU_FAIL("L1 entry wrong");
            fprintf(stderr, "\n  pfn %#x: %#llx want %#llx\n", pfn,
                    (unsigned long long)l1[pfn & 511], (unsigned long long)want);
            break;
        }
    }

    /* Slot 3: nothing below the hypervisor; the M2P (16 MiB machine: 4 pages,
     * one L1) read-only at slot 428; the arch's slots copied as given. */
    for ( i = 0; i < HYP_FIRST_L2_SLOT; i++ )
        CU_ASSERT_EQUAL(l2[3][i], 0);
    CU_ASSERT_EQUAL(l2[3][428] & 0xfff, _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED);
    for ( i = 429; i < ARCH_FIRST_L2_SLOT; i++ )
        CU_ASSERT_EQUAL(l2[3][i], 0);
    for ( i = ARCH_FIRST_L2_SLOT; i < 512; i++ )
        CU_ASSERT_EQUAL(l2[3][i], 0xa5a5000ull + i);
    l1 = table(l2[3][428]);
    for ( i = 0; i < 4; i++ )
        CU_ASSERT_EQUAL(l1[i] & 0xfff, _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED);
    for ( i = 4; i < 512; i++ )
        CU_ASSERT_EQUAL(l1[i], 0);

    /* Frame types as the builder leaves them. */
    CU_ASSERT_EQUAL(frame_of(v->cr3 >> 12)->type, FRAME_L3);
    CU_ASSERT(frame_of(v->cr3 >> 12)->flags & FRAME_F_PINNED);
    CU_ASSERT_EQUAL(frame_of(p2m[0x10e])->type, FRAME_L2);
    CU_ASSERT(frame_of(p2m[0x10e])->flags & FRAME_F_XEN_L2);
    CU_ASSERT_EQUAL(frame_of(p2m[0x10a])->type, FRAME_L1);
    CU_ASSERT_EQUAL(frame_of(p2m[0])->type, FRAME_WRITABLE);
}

static void test_start_of_day_p2m_m2p(void)
{
    struct vcpu *v = unit_boot_default();
    const uint32_t *p2m = (const uint32_t *)guest_page(K_P2M >> 12);
    const uint32_t *p2m2 = (const uint32_t *)guest_page((K_P2M >> 12) + 1);
    uint32_t pfn;

    for ( pfn = 0; pfn < K_PAGES; pfn++ )
    {
        uint32_t mfn = pfn < 1024 ? p2m[pfn] : p2m2[pfn - 1024];

        if ( frame_of(mfn) == NULL || frame_of(mfn)->owner != 0 || m2p_get(mfn) != pfn )
        {
            CU_FAIL("p2m/M2P/owner mismatch");
            fprintf(stderr, "\n  pfn %#x -> mfn %#x\n", pfn, mfn);
            break;
        }
    }
    CU_ASSERT_EQUAL(v->domain->tot_pages, K_PAGES);
    CU_ASSERT_EQUAL(frame_of(v->domain->shared_info_mfn)->owner, 0);
    CU_ASSERT_EQUAL(m2p_get(v->domain->shared_info_mfn), M2P_INVALID);
    /* 16 MiB machine, 1 MiB arch, the module, 8 MiB + shared_info to dom0. */
    CU_ASSERT(frame_free_count() < FAKE_MEM_FRAMES - 0x100 - K_PAGES);
}

static void test_start_of_day_start_info(void)
{
    struct vcpu *v = unit_boot_default();
    const struct start_info *si = (const struct start_info *)guest_page(K_SI >> 12);
    unsigned int i;

    CU_ASSERT_STRING_EQUAL(si->magic, "xen-3.0-x86_32p");
    CU_ASSERT_EQUAL(si->nr_pages, K_PAGES);
    CU_ASSERT_EQUAL(si->shared_info, v->domain->shared_info_mfn << 12);
    CU_ASSERT_EQUAL(si->flags, SIF_PRIVILEGED | SIF_INITDOMAIN);
    CU_ASSERT_EQUAL(si->store_mfn, 0);
    CU_ASSERT_EQUAL(si->store_evtchn, 0);
    CU_ASSERT_EQUAL(si->pt_base, K_PT);
    CU_ASSERT_EQUAL(si->nr_pt_frames, K_NR_PT);
    CU_ASSERT_EQUAL(si->mfn_list, K_P2M);
    CU_ASSERT_EQUAL(si->mod_start, 0);
    CU_ASSERT_EQUAL(si->mod_len, 0);
    CU_ASSERT_STRING_EQUAL(si->cmd_line, "root=/dev/null");

    /* All vCPUs start with upcalls masked. */
    for ( i = 0; i < XEN_LEGACY_MAX_VCPUS; i++ )
        CU_ASSERT_EQUAL(v->domain->shared_info->vcpu_info[i].evtchn_upcall_mask, 1);
}

static void test_start_of_day_image(void)
{
    const uint8_t *hp, *p;
    uint32_t i;

    unit_boot_default();

    /* Kernel bytes as in the file, except the hypercall page; bss zero. */
    for ( i = 0; i < 0x3000; i++ )
    {
        if ( i >= 0x1000 && i < 0x2000 )
            continue;
        p = guest_page(0x100 + (i >> 12)) + (i & 0xfff);
        if ( *p != (uint8_t)((i * 7 + 3) & 0xff) )
        {
            CU_FAIL("kernel byte differs from the image");
            break;
        }
    }
    for ( i = 0x3000; i < 0x5000; i++ )
        if ( guest_page(0x100 + (i >> 12))[i & 0xfff] != 0 )
        {
            CU_FAIL("bss not zero");
            break;
        }

    /* The hypercall page: "mov $n,%eax; int $0x82; ret", iret pushes eax. */
    hp = guest_page(0x101);
    for ( i = 0; i < 128; i++ )
    {
        const uint8_t *s = hp + i * 32;

        if ( i == __HYPERVISOR_iret )
        {
            static const uint8_t iret_stub[] = { 0x50, 0xb8, 23, 0, 0, 0, 0xcd, 0x82 };

            CU_ASSERT_EQUAL(memcmp(s, iret_stub, sizeof(iret_stub)), 0);
            CU_ASSERT_EQUAL(s[8], 0xcc);
            continue;
        }
        uint8_t want[8] = { 0xb8, (uint8_t)i, 0, 0, 0, 0xcd, 0x82, 0xc3 };
        CU_ASSERT_EQUAL(memcmp(s, want, 8), 0);
        CU_ASSERT_EQUAL(s[8], 0xcc);
        CU_ASSERT_EQUAL(s[31], 0xcc);
    }
}

/*
 * XEN_ELFNOTE_BSD_SYMTAB (XTF's xsa-194 asks for it): after the kernel's
 * end, 4-aligned, the size of what follows, an ELF32 header with three
 * section headers right after it (no padding that could leak anything), the
 * symbol table and the string table; the p2m and start_info come after.
 */
static void test_start_of_day_bsd_symtab(void)
{
    struct elfgen_spec s;
    uint8_t blob[ELF_SYMTAB_HEADER + 16 * (ELFGEN_SYMS + 1) + 20];
    struct start_info si;
    uint32_t size, shoff, shnum_etc, sym1[4];
    const uint32_t at = 0x105000;
    int st;

    elfgen_default(&s);
    elfgen_set_str(&s, XEN_ELFNOTE_BSD_SYMTAB, "yes");
    s.with_symtab = true;
    st = unit_boot(&s, "k.elf", "dom0_mem=8M");
    CU_ASSERT_EQUAL_FATAL(st, -1);
    CU_ASSERT_EQUAL_FATAL(copy_from_guest(current, blob, at, sizeof(blob)), 0);
    memcpy(&size, blob, 4);
    CU_ASSERT_EQUAL(size, sizeof(blob) - 4);
    CU_ASSERT_EQUAL(memcmp(blob + 4, "\177ELF", 4), 0);
    CU_ASSERT_EQUAL(blob[4 + 4], 1);                       /* ELFCLASS32 */
    memcpy(&shoff, blob + 4 + 32, 4);
    CU_ASSERT_EQUAL(shoff, 52);                            /* right after the header */
    memcpy(&shnum_etc, blob + 4 + 44, 4);                  /* e_phnum, e_shentsize */
    CU_ASSERT_EQUAL(shnum_etc, 40u << 16);
    CU_ASSERT_EQUAL(blob[4 + 48], 3);                      /* e_shnum */
    /* The symbols as in the image; the first one's name is "start". */
    memcpy(sym1, blob + ELF_SYMTAB_HEADER + 16, 16);
    CU_ASSERT_EQUAL(sym1[1], 0x100000);
    CU_ASSERT_STRING_EQUAL((const char *)blob + ELF_SYMTAB_HEADER + 16 * (ELFGEN_SYMS + 1) + sym1[0],
                           "start");
    /* What the builder puts next starts after them. */
    CU_ASSERT_EQUAL(copy_from_guest(current, &si, current->regs.esi, sizeof(si)), 0);
    CU_ASSERT(si.mfn_list >= at + sizeof(blob));
}

static void test_refusals(void)
{
    static const struct {
        const char *what, *hv_cmdline, *expect;
        uint32_t memsz;
        bool no_module, no_notes, overlap;
    } rows[] = {
        { "no module", NULL, "(pvx) refusing to start: no initial domain", 0, true, false, false },
        { "no notes", NULL, "no Xen ELF notes", 0, false, true, false },
        { "overlaps the hypervisor", NULL, "hypervisor area", 0, false, false, true },
        { "does not fit dom0_mem", "dom0_mem=2M", "needs 4096 KiB of guest memory, the domain has 2048 KiB", 0, false, false, false },
        /* Bad values of known options: refused, not booted with something else. */
        { "a bad dom0_mem", "dom0_mem=abc", "dom0_mem=abc is not a size from 1 to 4G", 0, false, false, false },
        { "a zero dom0_mem", "dom0_mem=0", "dom0_mem=0 is not a size", 0, false, false, false },
        { "a bad scheduler", "sched=xx", "sched=xx is not a scheduler (bvt, rr)", 0, false, false, false },
        { "a bad fault spec", "fail=nosuch:times=1", "fail=nosuch:times=1 is not a fault specification", 0, false, false, false },
        { "a bad fault seed", "fail_seed=12x", "fail_seed=12x is not a whole number", 0, false, false, false },
        { "bigger than the machine", "dom0_mem=1G", "dom0_mem=1024M asks for 262144 pages; 3782 are free (14 MiB)", 0x1400000, false, false, false },
    };

    for ( size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++ )
    {
        struct elfgen_spec s;
        int st;

        elfgen_default(&s);
        if ( rows[i].no_notes )
            s.nr_notes = 0;
        if ( rows[i].overlap )
        {
            s.paddr = s.vaddr = s.e_entry = 0xF5700000;
            s.memsz = 0x200000;
            elfgen_set_num(&s, XEN_ELFNOTE_HYPERCALL_PAGE, 0xF5701000);
        }
        if ( rows[i].memsz )
            s.memsz = rows[i].memsz;
        st = unit_boot(rows[i].no_module ? NULL : &s, "k.elf", rows[i].hv_cmdline);
        CU_ASSERT_EQUAL(st, 2);
        CU_ASSERT_PTR_NOT_NULL(strstr(fake_console, rows[i].expect));
        if ( st != 2 || !strstr(fake_console, rows[i].expect) )
            fprintf(stderr, "\n  %s: status %d, console:\n%s\n", rows[i].what, st, fake_console);
    }
}

void unit_register_builder(void)
{
    CU_pSuite s = CU_add_suite("builder", NULL, NULL);

    CU_add_test(s, "layout of the default kernel", test_layout_default);
    CU_add_test(s, "layout padding rule and hypervisor limit", test_layout_padding);
    CU_add_test(s, "start of day: the BSD symbol table after the kernel",
                test_start_of_day_bsd_symtab);
    CU_add_test(s, "start-of-day registers", test_start_of_day_registers);
    CU_add_test(s, "start-of-day page tables, entry by entry", test_start_of_day_page_tables);
    CU_add_test(s, "p2m list, M2P and ownership", test_start_of_day_p2m_m2p);
    CU_add_test(s, "start_info and upcall masks", test_start_of_day_start_info);
    CU_add_test(s, "kernel image and hypercall page", test_start_of_day_image);
    CU_add_test(s, "bad images are refused with exit 2", test_refusals);
}
