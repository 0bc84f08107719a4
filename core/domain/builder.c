/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * builder.c - build a PV domain with the start-of-day state of Xen's builder
 * for a 32-bit PAE guest:
 *
 *   v_start          (VIRT_BASE)
 *   vkern_start      the kernel's loadable segments
 *   vphysmap_start   the p2m list: one 32-bit mfn per guest pfn
 *   vstartinfo_start start_info
 *   vpt_start        page tables: the L3, the L2s and L1s (read-only in the guest)
 *   vstack_start     one page of boot stack; esp = vstack_end
 *   v_end            rounded up to 4 MiB, with at least 512 KiB of padding
 *
 * All of v_start..v_end is mapped, pfn i at v_start + i * 4 KiB. The page-table
 * area holds the L3 first, then the L2 and L1s in the order the mapping loop
 * needs them, then the L2s of the remaining L3 slots: a PAE guest always has
 * all four, and the one under slot 3 carries the hypervisor's mappings.
 */
#include <pvx/arch.h>
#include <pvx/builder.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/frame.h>
#include <pvx/layout.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <public/xen.h>

#define L3_PROT  (_PAGE_PRESENT)        /* PAE PDPT entries take no other bits */
#define L2_PROT  (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_USER)
#define L1_PROT  (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED)

#define MB(x)    ((uint32_t)(x) << 20)

/* Number of 2^shift-sized regions [lo, hi) touches. */
static unsigned int nr_regions(uint32_t lo, uint32_t hi, unsigned int shift)
{
    uint64_t end = ((uint64_t)hi + (1ull << shift) - 1) >> shift;

    return (unsigned int)(end - (lo >> shift));
}

int builder_layout(const struct elf_image *img, unsigned int nr_pages, struct build_layout *l)
{
    return builder_layout_ext(img, nr_pages, NULL, l);
}

int builder_layout_ext(const struct elf_image *img, unsigned int nr_pages,
                       const struct build_extra *x, struct build_layout *l)
{
    uint64_t v_end;
    uint32_t after_kernel;

    memset(l, 0, sizeof(*l));
    l->nr_pages = nr_pages;
    l->v_start = img->virt_base;
    l->vkern_start = img->virt_kstart;
    l->vkern_end = img->symtab_size ? img->symtab_start + img->symtab_size : img->virt_kend;
    after_kernel = l->vkern_end;
    if ( x && x->initrd_len )
    {
        if ( (uint64_t)ROUNDUP(l->vkern_end, PAGE_SIZE) + x->initrd_len >= HYPERVISOR_VIRT_START )
            return -EINVAL;
        l->vinitrd_start = ROUNDUP(l->vkern_end, PAGE_SIZE);
        l->vinitrd_end = l->vinitrd_start + x->initrd_len;
        after_kernel = l->vinitrd_end;
    }
    l->vphysmap_start = ROUNDUP(after_kernel, PAGE_SIZE);
    l->vphysmap_end = l->vphysmap_start + nr_pages * (uint32_t)sizeof(uint32_t);
    l->vstartinfo_start = ROUNDUP(l->vphysmap_end, PAGE_SIZE);
    l->vstartinfo_end = l->vstartinfo_start + sizeof(struct start_info);
    l->vpt_start = ROUNDUP(l->vstartinfo_end, PAGE_SIZE);
    if ( x && x->domu_pages )
    {
        l->vstore_start = l->vpt_start;
        l->vconsole_start = l->vstore_start + PAGE_SIZE;
        l->vpt_start = l->vconsole_start + PAGE_SIZE;
    }

    /* Grow the page-table area until it holds the tables that map all of it. */
    for ( l->nr_pt_pages = 2; ; l->nr_pt_pages++ )
    {
        uint64_t vstack_end;

        l->vpt_end = l->vpt_start + l->nr_pt_pages * PAGE_SIZE;
        l->vstack_start = l->vpt_end;
        vstack_end = (uint64_t)l->vstack_start + PAGE_SIZE;
        v_end = (vstack_end + MB(4) - 1) & ~(uint64_t)(MB(4) - 1);
        if ( v_end - vstack_end < (512u << 10) )
            v_end += MB(4);
        if ( v_end > HYPERVISOR_VIRT_START )
            return -EINVAL;
        l->vstack_end = (uint32_t)vstack_end;
        l->v_end = (uint32_t)v_end;
        /* One L3, four L2s, one L1 per 2 MiB mapped. */
        if ( 1 + 4 + nr_regions(l->v_start, l->v_end, L2_SLOT_SHIFT) <= l->nr_pt_pages )
            break;
    }

    if ( (l->v_end - l->v_start) >> PAGE_SHIFT > nr_pages )
        return -ENOMEM;
    return 0;
}

/* Write len bytes at guest virtual va, through the p2m of a domain being built. */
static void build_write(const mfn_t *p2m, const struct build_layout *l, uint32_t va,
                        const void *src, size_t len)
{
    const uint8_t *s = src;

    while ( len )
    {
        uint32_t pfn = (va - l->v_start) >> PAGE_SHIFT, off = va & (PAGE_SIZE - 1);
        size_t n = MIN(len, (size_t)(PAGE_SIZE - off));
        uint8_t *p = frame_map(p2m[pfn]);

        if ( s )
            memcpy(p + off, s, n);
        else
            memset(p + off, 0, n);
        frame_unmap(p);
        arch_frames_written(p2m[pfn], 1);
        va += n;
        len -= n;
        if ( s )
            s += n;
    }
}

static void set_entry(mfn_t table, unsigned int index, uint64_t e)
{
    uint64_t *t = frame_map(table);

    t[index] = e;
    frame_unmap(t);
}

static uint64_t pte(mfn_t mfn, uint64_t flags)
{
    return ((uint64_t)mfn << PAGE_SHIFT) | flags;
}

/* Lay out the page tables in the page-table area and map v_start..v_end;
 * then type them through the same validation every guest update goes through. */
static int build_page_tables(struct domain *d, const mfn_t *p2m, const struct build_layout *l)
{
    uint32_t pt_pfn = (l->vpt_start - l->v_start) >> PAGE_SHIFT;
    uint32_t va, nr = (l->v_end - l->v_start) >> PAGE_SHIFT, i;
    mfn_t l3, l2 = INVALID_MFN, l1 = INVALID_MFN, l2s[4] = { INVALID_MFN, INVALID_MFN,
                                                             INVALID_MFN, INVALID_MFN };

    l3 = p2m[pt_pfn++];

    for ( i = 0, va = l->v_start; i < nr; i++, va += PAGE_SIZE )
    {
        uint32_t pfn = (va - l->v_start) >> PAGE_SHIFT;
        uint64_t flags = L1_PROT;

        if ( l2 == INVALID_MFN || l2_table_offset(va) == 0 )
        {
            if ( l2 == INVALID_MFN || l3_table_offset(va) != l3_table_offset(va - PAGE_SIZE) )
            {
                l2 = p2m[pt_pfn++];
                l2s[l3_table_offset(va)] = l2;
                set_entry(l3, l3_table_offset(va), pte(l2, L3_PROT));
            }
        }
        if ( l1 == INVALID_MFN || l1_table_offset(va) == 0 )
        {
            l1 = p2m[pt_pfn++];
            set_entry(l2, l2_table_offset(va), pte(l1, L2_PROT));
        }
        /* The guest sees its own page tables, but may not write them. */
        if ( va >= l->vpt_start && va < l->vpt_end )
            flags &= ~(uint64_t)_PAGE_RW;
        set_entry(l1, l1_table_offset(va), pte(p2m[pfn], flags));
    }

    /* All four L3 slots get an L2; slot 3's carries the hypervisor. */
    for ( i = 0; i < 4; i++ )
    {
        if ( l2s[i] != INVALID_MFN )
            continue;
        l2s[i] = p2m[pt_pfn++];
        set_entry(l3, i, pte(l2s[i], L3_PROT));
    }
    ASSERT(pt_pfn <= (l->vpt_end - l->v_start) >> PAGE_SHIFT);


    /* Every table typed and counted, the L3 pinned and in cr3, as Xen's
     * builder leaves them; the slot-3 L2 gets the hypervisor's slots here. */
    return mm_build_initial(d, l3);
}

/* 32-byte stubs "mov $nr,%eax; int $0x82; ret"; the iret slot pushes eax first. */
static void write_hypercall_page(uint8_t *page)
{
    unsigned int nr;

    memset(page, 0xcc, PAGE_SIZE);          /* int3 in the gaps */
    for ( nr = 0; nr < PAGE_SIZE / HYPERCALL_PAGE_SLOT_SIZE; nr++ )
    {
        uint8_t *p = page + nr * HYPERCALL_PAGE_SLOT_SIZE;

        if ( nr == __HYPERVISOR_iret )
            *p++ = 0x50;                    /* push %eax */
        *p++ = 0xb8;                        /* mov $nr, %eax */
        p[0] = nr; p[1] = p[2] = p[3] = 0;
        p += 4;
        *p++ = 0xcd;                        /* int $0x82 */
        *p++ = 0x82;
        if ( nr != __HYPERVISOR_iret )
            *p = 0xc3;                      /* ret */
    }
}

int builder_build(struct domain *d, const struct elf_image *img, unsigned int nr_pages,
                  const char *cmdline, uint32_t si_flags, struct build_layout *l,
                  char *err, size_t errlen)
{
    return builder_build_ext(d, img, nr_pages, cmdline, si_flags, NULL, l, err, errlen);
}

int builder_build_ext(struct domain *d, const struct elf_image *img, unsigned int nr_pages,
                      const char *cmdline, uint32_t si_flags, const struct build_extra *x,
                      struct build_layout *l, char *err, size_t errlen)
{
    struct start_info si;
    uint32_t virt_offset = img->virt_base - img->paddr_offset;
    mfn_t *p2m = NULL;
    unsigned int p2m_pages, pfn, i;
    mfn_t p2m_host;
    int rc;

    rc = builder_layout_ext(img, nr_pages, x, l);
    if ( rc == -EINVAL )
    {
        snprintk(err, errlen, "kernel and its start-of-day area reach the hypervisor area");
        return rc;
    }
    if ( rc )
    {
        snprintk(err, errlen, "kernel needs %u KiB of guest memory, the domain has %u KiB",
                 (l->v_end - l->v_start) >> 10, nr_pages * 4);
        return rc;
    }
    if ( nr_pages > frame_free_count() )
    {
        snprintk(err, errlen, "not enough free memory: need %u pages, %u free",
                 nr_pages, frame_free_count());
        return -ENOMEM;
    }

    /* The builder's own copy of the p2m, in frames of the hypervisor's. */
    p2m_pages = PFN_UP(nr_pages * sizeof(mfn_t));
    p2m_host = frame_alloc_contig(DOMID_XEN_OWN, p2m_pages);
    if ( p2m_host == INVALID_MFN )
    {
        snprintk(err, errlen, "no memory for the builder's p2m");
        return -ENOMEM;
    }
    p2m = arch_map_frames(p2m_host, p2m_pages);

    for ( pfn = 0; pfn < nr_pages; pfn++ )
    {
        mfn_t m = frame_alloc(d->domain_id);

        if ( m == INVALID_MFN )
        {
            snprintk(err, errlen, "out of memory after %u of %u pages", pfn, nr_pages);
            /* Give back what was taken: the domain is as it was. */
            while ( pfn-- )
            {
                frame_of(p2m[pfn])->flags &= ~FRAME_F_ALLOCATED;
                mm_put_ref(p2m[pfn]);
            }
            rc = -ENOMEM;
            goto out;
        }
        p2m[pfn] = m;
        m2p_set(m, pfn);
        frame_of(m)->type = FRAME_WRITABLE;
        d->tot_pages++;
    }
    d->max_pages = nr_pages;

    /* The kernel's segments, their bss zeroed (fresh frames are zero already). */
    for ( i = 0; i < img->nr_segments; i++ )
        build_write(p2m, l, img->seg[i].paddr + virt_offset,
                    img->data + img->seg[i].offset, img->seg[i].filesz);
    /* The symbols a BSD kernel asked for (XEN_ELFNOTE_BSD_SYMTAB), after it. */
    if ( img->symtab_size )
    {
        uint8_t hdr[ELF_SYMTAB_HEADER];

        elf_symtab_header(img, hdr);
        build_write(p2m, l, img->symtab_start, hdr, sizeof(hdr));
        build_write(p2m, l, img->symtab_start + sizeof(hdr), img->data + img->sym_offset,
                    img->sym_size);
        build_write(p2m, l, img->symtab_start + sizeof(hdr) + ROUNDUP(img->sym_size, 4),
                    img->data + img->str_offset, img->str_size);
    }

    if ( l->vinitrd_start )
        build_write(p2m, l, l->vinitrd_start, x->initrd, x->initrd_len);

    rc = build_page_tables(d, p2m, l);
    if ( rc )
    {
        snprintk(err, errlen, "the initial page tables were refused (%d)", rc);
        goto out;
    }

    /* The p2m list, as the guest reads it. */
    build_write(p2m, l, l->vphysmap_start, p2m, nr_pages * sizeof(mfn_t));

    if ( img->virt_hypercall != ELF_UNSET )
    {
        uint8_t *hp = frame_map(p2m[(img->virt_hypercall - l->v_start) >> PAGE_SHIFT]);

        write_hypercall_page(hp);
        frame_unmap(hp);
        arch_frames_written(p2m[(img->virt_hypercall - l->v_start) >> PAGE_SHIFT], 1);
    }

    memset(&si, 0, sizeof(si));
    snprintk(si.magic, sizeof(si.magic), "xen-3.0-x86_32p");
    si.nr_pages = nr_pages;
    si.shared_info = (uint32_t)((paddr_t)d->shared_info_mfn << PAGE_SHIFT);
    si.flags = si_flags;
    si.pt_base = l->vpt_start;
    si.nr_pt_frames = l->nr_pt_pages;
    si.mfn_list = l->vphysmap_start;
    if ( l->vinitrd_start )
    {
        si.mod_start = l->vinitrd_start;
        si.mod_len = x->initrd_len;
    }
    if ( l->vstore_start )
    {
        l->store_mfn = p2m[(l->vstore_start - l->v_start) >> PAGE_SHIFT];
        l->console_mfn = p2m[(l->vconsole_start - l->v_start) >> PAGE_SHIFT];
        si.store_mfn = l->store_mfn;
        si.store_evtchn = x->store_evtchn;
        si.console.domU.mfn = l->console_mfn;
        si.console.domU.evtchn = x->console_evtchn;
    }
    snprintk((char *)si.cmd_line, sizeof(si.cmd_line), "%s", cmdline ? cmdline : "");
    build_write(p2m, l, l->vstartinfo_start, &si, sizeof(si));

    /* vCPU 0 starts at the entry in ring 1, esi = start_info, upcalls masked. */
    *vcpu_regs(&d->vcpu[0]) = (struct cpu_regs){
        .eip = img->virt_entry,
        .esp = l->vstack_end,
        .esi = l->vstartinfo_start,
        .cs = FLAT_RING1_CS,
        .ss = FLAT_RING1_SS,
        .ds = FLAT_RING1_DS, .es = FLAT_RING1_DS, .fs = FLAT_RING1_DS, .gs = FLAT_RING1_DS,
        .eflags = X86_EFLAGS_IF | X86_EFLAGS_MBS,
    };
    rc = 0;

 out:
    arch_unmap_frames(p2m, p2m_pages);
    for ( i = 0; i < p2m_pages; i++ )
        frame_free(p2m_host + i);
    return rc;
}
