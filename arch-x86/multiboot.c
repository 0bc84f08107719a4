/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * multiboot.c - turn the Multiboot v1 information into struct boot_info:
 * free RAM as frame ranges (below the end of the direct map, minus the low
 * 1 MiB, the image, the modules and the Multiboot structures themselves), the
 * modules with their command lines, and the hypervisor's command line.
 */
#include <public/xen.h>

#include "x86.h"

#define MBI_FLAG_MEM     (1u << 0)
#define MBI_FLAG_CMDLINE (1u << 2)
#define MBI_FLAG_MODS    (1u << 3)
#define MBI_FLAG_MMAP    (1u << 6)
#define MBI_FLAG_LOADER  (1u << 9)
#define MMAP_AVAILABLE   1

struct mb_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;      /* KiB below 1 MiB, KiB from 1 MiB */
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
} __packed;

struct mb_module {
    uint32_t mod_start, mod_end;
    uint32_t cmdline;
    uint32_t pad;
} __packed;

struct mb_mmap {
    uint32_t size;                      /* of the rest of this entry */
    uint64_t base, len;
    uint32_t type;
} __packed;

#define MAX_SPANS 96
struct span {
    uint32_t start, end;                /* frames, [start, end) */
};
static struct span spans[MAX_SPANS];
static unsigned int nr_spans;

/*
 * Command lines, copied out of loader memory. The limits are pvx-sim's and
 * scripts/pvx-qemu's: the hypervisor keeps 1023 bytes of its own (core/setup.c),
 * a guest 1023 of its arguments (MAX_GUEST_CMDLINE); a name is one word of up
 * to 255 bytes. Room for all of them, so a boot never fails on the total.
 */
#define CMDLINE_MAX     BOOT_MAX_CMDLINE
#define MODULE_ARGS_MAX (MAX_GUEST_CMDLINE - 1)
#define NAME_MAX_LEN    255
static char strings[(CMDLINE_MAX + 1) + BOOT_MAX_MODULES * (NAME_MAX_LEN + 1 + MODULE_ARGS_MAX + 1)];
static size_t strings_used;

/* Loader memory must be in the direct map before we can read it. */
static const void *mb_ptr(uint32_t pa, uint32_t len)
{
    if ( pa >= DIRECTMAP_SIZE || len > DIRECTMAP_SIZE - pa )
        x86_panic("Multiboot data at %#x (+%u) is beyond the 128 MiB direct map\n", pa, len);
    return __va(pa);
}

static size_t mb_strlen(uint32_t pa)
{
    const char *s = mb_ptr(pa, 1);
    size_t n = 0;

    while ( s[n] )
    {
        n++;
        mb_ptr(pa + n, 1);
    }
    return n;
}

static const char *save_string(const char *s, size_t len)
{
    char *d = strings + strings_used;

    while ( len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n') )
        len--;
    if ( strings_used + len + 1 > sizeof(strings) )
        x86_panic("Multiboot command lines longer than %u bytes in all\n",
                  (unsigned int)sizeof(strings));
    for ( size_t i = 0; i < len; i++ )
        d[i] = s[i];
    d[len] = '\0';
    strings_used += len + 1;
    return d;
}

static void add_span(uint32_t start, uint32_t end)
{
    if ( start >= end )
        return;
    if ( nr_spans == MAX_SPANS )
        x86_panic("memory map too fragmented (more than %u ranges)\n", MAX_SPANS);
    spans[nr_spans].start = start;
    spans[nr_spans].end = end;
    nr_spans++;
}

/* Take machine addresses [pa, pa + len) out of the free spans, whole frames outward. */
static void reserve(uint64_t pa, uint64_t len)
{
    uint64_t s64 = pa >> PAGE_SHIFT, e64 = (pa + len + PAGE_SIZE - 1) >> PAGE_SHIFT;
    uint32_t s = (uint32_t)MIN(s64, (uint64_t)UINT32_MAX), e = (uint32_t)MIN(e64, (uint64_t)UINT32_MAX);
    unsigned int i, n = nr_spans;

    if ( !len )
        return;
    for ( i = 0; i < n; i++ )
    {
        struct span *sp = &spans[i];
        uint32_t old_end = sp->end;

        if ( e <= sp->start || s >= sp->end )
            continue;
        if ( s > sp->start )
        {
            sp->end = s;
            add_span(e, old_end);       /* the part above, if any */
        }
        else
            sp->start = MIN(e, old_end);
    }
}

static void sort_and_merge(void)
{
    unsigned int i, j, out = 0;

    for ( i = 1; i < nr_spans; i++ )    /* insertion sort: a handful of entries */
        for ( j = i; j && spans[j - 1].start > spans[j].start; j-- )
        {
            struct span t = spans[j];

            spans[j] = spans[j - 1];
            spans[j - 1] = t;
        }
    for ( i = 0; i < nr_spans; i++ )
    {
        if ( spans[i].start >= spans[i].end )
            continue;
        if ( out && spans[i].start <= spans[out - 1].end )
            spans[out - 1].end = MAX(spans[out - 1].end, spans[i].end);
        else
            spans[out++] = spans[i];
    }
    nr_spans = out;
}

static bool loader_is_grub2(const struct mb_info *mbi)
{
    const char *name;
    size_t i;

    if ( !(mbi->flags & MBI_FLAG_LOADER) || mb_strlen(mbi->boot_loader_name) < 6 )
        return false;
    name = __va(mbi->boot_loader_name);
    for ( i = 0; i < 6; i++ )
        if ( name[i] != "GRUB 2"[i] )
            return false;
    return true;
}

static uint32_t mib_rounded(uint64_t bytes)
{
    return (uint32_t)((bytes + (1u << 19)) >> 20);
}

void x86_multiboot_parse(uint32_t mbi_pa, struct boot_info *bi)
{
    const struct mb_info *mbi = mb_ptr(mbi_pa, sizeof(*mbi));
    uint64_t total = 0, usable = 0;
    const uint32_t top = X86_MAX_RAM >> PAGE_SHIFT;
    unsigned int i;

    bi->machine = "x86";

    /* Free RAM as the loader saw it, up to X86_MAX_RAM (mem.c maps what
     * lies beyond the direct map through its mapcache). */
    if ( mbi->flags & MBI_FLAG_MMAP )
    {
        uint32_t off;

        mb_ptr(mbi->mmap_addr, mbi->mmap_length);
        for ( off = 0; off + sizeof(struct mb_mmap) <= mbi->mmap_length; )
        {
            const struct mb_mmap *m = __va(mbi->mmap_addr + off);

            if ( m->type == MMAP_AVAILABLE && m->len )
            {
                uint64_t s = (m->base + PAGE_SIZE - 1) >> PAGE_SHIFT;
                uint64_t e = (m->base + m->len) >> PAGE_SHIFT;

                total += m->len;
                if ( m->base < X86_MAX_RAM )
                    usable += MIN(m->base + m->len, X86_MAX_RAM) - m->base;
                if ( s < top )
                    add_span((uint32_t)s, (uint32_t)MIN(e, (uint64_t)top));
            }
            off += m->size + sizeof(m->size);
        }
        /* A region both free and reserved (buggy firmware) is reserved. */
        for ( off = 0; off + sizeof(struct mb_mmap) <= mbi->mmap_length; )
        {
            const struct mb_mmap *m = __va(mbi->mmap_addr + off);

            if ( m->type != MMAP_AVAILABLE )
                reserve(m->base, m->len);
            off += m->size + sizeof(m->size);
        }
    }
    else if ( mbi->flags & MBI_FLAG_MEM )
    {
        uint64_t upper = (uint64_t)mbi->mem_upper << 10;

        total = ((uint64_t)mbi->mem_lower << 10) + upper;
        usable = ((uint64_t)mbi->mem_lower << 10) + MIN(upper, X86_MAX_RAM - 0x100000);
        add_span(0x100, (uint32_t)MIN((0x100000 + upper) >> PAGE_SHIFT, (uint64_t)top));
    }
    else
        x86_panic("the boot loader gave no memory information\n");

    /* Ours: low memory (BIOS, VGA), the image, the loader's structures. */
    reserve(0, 0x100000);
    reserve(__pa(__image_start), __image_end - __image_start);
    reserve(mbi_pa, sizeof(*mbi));
    if ( mbi->flags & MBI_FLAG_MMAP )
        reserve(mbi->mmap_addr, mbi->mmap_length);

    /*
     * The hypervisor's command line. QEMU (and GRUB legacy) put our path
     * first; GRUB 2 passes only the arguments.
     */
    bi->cmdline = "";
    if ( mbi->flags & MBI_FLAG_CMDLINE )
    {
        size_t len = mb_strlen(mbi->cmdline);
        const char *s = __va(mbi->cmdline);

        reserve(mbi->cmdline, len + 1);
        if ( !loader_is_grub2(mbi) )
            while ( len && *s != ' ' )
                s++, len--;
        while ( len && *s == ' ' )
            s++, len--;
        if ( len > CMDLINE_MAX )
            x86_panic("the hypervisor command line is %u bytes: it keeps at most %u\n",
                      (unsigned int)len, CMDLINE_MAX);
        bi->cmdline = save_string(s, len);
    }

    bi->nr_modules = 0;
    if ( (mbi->flags & MBI_FLAG_MODS) && mbi->mods_count )
    {
        const struct mb_module *mods;

        if ( mbi->mods_count > BOOT_MAX_MODULES )
            x86_panic("%u modules given, at most %u (BOOT_MAX_MODULES)\n", mbi->mods_count,
                      BOOT_MAX_MODULES);
        mods = mb_ptr(mbi->mods_addr, mbi->mods_count * sizeof(*mods));
        reserve(mbi->mods_addr, mbi->mods_count * sizeof(*mods));

        for ( i = 0; i < mbi->mods_count; i++ )
        {
            const struct mb_module *m = &mods[i];
            struct boot_module *bm = &bi->modules[i];
            const char *s = "", *name;
            size_t len = 0, nlen, alen;

            if ( (m->mod_start & ~PAGE_MASK) || m->mod_end < m->mod_start )
                x86_panic("module %u at %#x-%#x is not page aligned\n", i, m->mod_start, m->mod_end);
            mb_ptr(m->mod_start, m->mod_end - m->mod_start);
            reserve(m->mod_start, m->mod_end - m->mod_start);
            if ( m->cmdline )
            {
                len = mb_strlen(m->cmdline);
                s = __va(m->cmdline);
                reserve(m->cmdline, len + 1);
            }
            /*
             * GRUB passes "name args" (we put the name first); QEMU's -kernel
             * passes "path args". Keep only the last path element of the first
             * word, so both give "name args".
             */
            while ( len && *s == ' ' )
                s++, len--;
            for ( name = s; name < s + len && *name != ' '; name++ )
                if ( *name == '/' )
                {
                    len -= (size_t)(name + 1 - s);
                    s = name + 1;
                }
            for ( nlen = 0; nlen < len && s[nlen] != ' '; nlen++ )
                ;
            if ( nlen > NAME_MAX_LEN )
                x86_panic("module %u: a name of %u bytes, at most %u\n", i + 1,
                          (unsigned int)nlen, NAME_MAX_LEN);
            for ( alen = len - nlen; alen && s[len - alen] == ' '; alen-- )
                ;
            if ( alen > MODULE_ARGS_MAX )
                x86_panic("module %u (%.*s): arguments of %u bytes, at most %u (MAX_GUEST_CMDLINE)\n",
                          i + 1, (int)MIN((size_t)40, nlen), s, (unsigned int)alen,
                          MODULE_ARGS_MAX);
            bm->start = m->mod_start;
            bm->len = m->mod_end - m->mod_start;
            bm->cmdline = save_string(s, len);
        }
        bi->nr_modules = mbi->mods_count;
    }

    sort_and_merge();
    if ( nr_spans > BOOT_MAX_RANGES )
        x86_printk("(pvx) memory map: %u free ranges, only the first %u are used\n",
                   nr_spans, BOOT_MAX_RANGES);
    bi->nr_ranges = MIN(nr_spans, (unsigned int)BOOT_MAX_RANGES);
    for ( i = 0; i < bi->nr_ranges; i++ )
    {
        bi->ranges[i].start = spans[i].start;
        bi->ranges[i].nr = spans[i].end - spans[i].start;
    }

    if ( mib_rounded(usable) < mib_rounded(total) )
        x86_printk("(pvx) using %u MiB of %u MiB\n", mib_rounded(usable), mib_rounded(total));
}
