/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * elf.c - parse and check a PV kernel image: ELF32, i386, executable, with the
 * Xen ELF notes that say how to build its domain.
 *
 * Every field is checked against the image's size before it is read: the
 * image is guest input.
 */
#include <pvx/elf.h>
#include <pvx/errno.h>
#include <pvx/layout.h>
#include <pvx/lib.h>
#include <public/elfnote.h>

/* The ELF32 structures (System V ABI), only what the loader reads. */
struct elf32_ehdr {
    uint8_t  e_ident[16];
    uint16_t e_type, e_machine;
    uint32_t e_version, e_entry, e_phoff, e_shoff, e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};
struct elf32_phdr {
    uint32_t p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
};
struct elf32_shdr {
    uint32_t sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link, sh_info;
    uint32_t sh_addralign, sh_entsize;
};
struct elf32_note {
    uint32_t namesz, descsz, type;
};
_Static_assert(sizeof(struct elf32_ehdr) == 52, "ELF32 header");
_Static_assert(sizeof(struct elf32_phdr) == 32, "ELF32 program header");
_Static_assert(sizeof(struct elf32_shdr) == 40, "ELF32 section header");

#define ET_EXEC      2
#define EM_386       3
#define PT_LOAD      1
#define PT_NOTE      4
#define SHT_SYMTAB   2
#define SHT_STRTAB   3
#define SHT_NOTE     7

static int fail(char *err, size_t errlen, const char *msg)
{
    snprintk(err, errlen, "%s", msg);
    return -ENOEXEC;
}

static void note_string(char *dst, size_t dstlen, const uint8_t *desc, uint32_t descsz)
{
    size_t n = MIN((size_t)descsz, dstlen - 1);

    memcpy(dst, desc, n);
    dst[n] = '\0';
    dst[strnlen(dst, n)] = '\0';
}

static uint32_t note_number(const uint8_t *desc, uint32_t descsz)
{
    uint32_t v = 0;

    /* 4 or 8 bytes, little-endian; a 32-bit guest's values fit in 32 bits. */
    memcpy(&v, desc, MIN(descsz, 4u));
    return v;
}

static void parse_notes(struct elf_image *img, const uint8_t *p, uint32_t len)
{
    while ( len >= sizeof(struct elf32_note) )
    {
        struct elf32_note n;
        uint32_t namesz, descsz, total;
        const uint8_t *name, *desc;

        memcpy(&n, p, sizeof(n));
        namesz = ROUNDUP((uint64_t)n.namesz, 4);
        descsz = ROUNDUP((uint64_t)n.descsz, 4);
        if ( n.namesz > len || n.descsz > len ||
             (uint64_t)sizeof(n) + namesz + descsz > len )
            return;                     /* truncated: stop, what we have stands */
        total = sizeof(n) + namesz + descsz;
        name = p + sizeof(n);
        desc = name + namesz;

        if ( n.namesz == 4 && memcmp(name, "Xen", 4) == 0 )
        {
            img->nr_notes++;
            switch ( n.type )
            {
            case XEN_ELFNOTE_GUEST_OS:
                note_string(img->guest_os, sizeof(img->guest_os), desc, n.descsz);
                break;
            case XEN_ELFNOTE_XEN_VERSION:
                note_string(img->xen_version, sizeof(img->xen_version), desc, n.descsz);
                break;
            case XEN_ELFNOTE_LOADER:
                note_string(img->loader, sizeof(img->loader), desc, n.descsz);
                break;
            case XEN_ELFNOTE_FEATURES:
                note_string(img->features, sizeof(img->features), desc, n.descsz);
                break;
            case XEN_ELFNOTE_PAE_MODE:
                note_string(img->pae_mode, sizeof(img->pae_mode), desc, n.descsz);
                break;
            case XEN_ELFNOTE_VIRT_BASE:
                img->virt_base = note_number(desc, n.descsz);
                break;
            case XEN_ELFNOTE_PADDR_OFFSET:
                img->paddr_offset = note_number(desc, n.descsz);
                break;
            case XEN_ELFNOTE_ENTRY:
                img->virt_entry = note_number(desc, n.descsz);
                break;
            case XEN_ELFNOTE_HYPERCALL_PAGE:
                img->virt_hypercall = note_number(desc, n.descsz);
                break;
            case XEN_ELFNOTE_BSD_SYMTAB:
                img->bsd_symtab = true;
                break;
            default:                    /* notes we do not need are fine */
                break;
            }
        }
        p += total;
        len -= total;
    }
}

/* Section header i, if the image has well-formed ones. */
static bool section(const struct elf_image *img, const struct elf32_ehdr *eh, unsigned int i,
                    struct elf32_shdr *sh)
{
    if ( eh->e_shentsize != sizeof(*sh) || i >= eh->e_shnum || eh->e_shoff > img->size ||
         (uint64_t)eh->e_shnum * sizeof(*sh) > img->size - eh->e_shoff )
        return false;
    memcpy(sh, img->data + eh->e_shoff + i * sizeof(*sh), sizeof(*sh));
    return sh->sh_offset <= img->size && sh->sh_size <= img->size - sh->sh_offset;
}

/* No PT_NOTE with Xen notes: look in the note sections, as Xen's loader
 * does (a kernel may carry its notes inside its one PT_LOAD). */
static void parse_note_sections(struct elf_image *img, const struct elf32_ehdr *eh)
{
    struct elf32_shdr sh;

    for ( unsigned int i = 0; i < eh->e_shnum; i++ )
        if ( section(img, eh, i, &sh) && sh.sh_type == SHT_NOTE )
            parse_notes(img, img->data + sh.sh_offset, sh.sh_size);
}

/*
 * XEN_ELFNOTE_BSD_SYMTAB: the kernel wants its symbols after its end, as
 * Xen's loader puts them (for BSD kernels): at the end rounded to 4 bytes, a
 * 32-bit size of what follows, then an ELF header with no program headers,
 * three section headers (null, the symbol table, its string table) and the
 * two tables, each 4-byte aligned, offsets relative to that header. Here
 * the layout is worked out; the builder writes the header
 * (elf_symtab_header) and then the two tables from the image.
 */
static void plan_symtab(struct elf_image *img, const struct elf32_ehdr *eh)
{
    struct elf32_shdr sym, str;
    unsigned int i;

    for ( i = 0; i < eh->e_shnum; i++ )
        if ( section(img, eh, i, &sym) && sym.sh_type == SHT_SYMTAB )
            break;
    if ( i == eh->e_shnum || !section(img, eh, sym.sh_link, &str) || str.sh_type != SHT_STRTAB )
        return;                         /* nothing to give: the note is ignored, as Xen does */
    img->sym_offset = sym.sh_offset;
    img->sym_size = sym.sh_size;
    img->str_offset = str.sh_offset;
    img->str_size = str.sh_size;
    img->symtab_start = ROUNDUP(img->virt_kend, 4);
    img->symtab_size = 4 + sizeof(struct elf32_ehdr) + 3 * sizeof(struct elf32_shdr) +
                       ROUNDUP(sym.sh_size, 4) + ROUNDUP(str.sh_size, 4);
}

void elf_symtab_header(const struct elf_image *img, uint8_t out[ELF_SYMTAB_HEADER])
{
    struct elf32_ehdr eh;
    struct elf32_shdr sh[3];
    uint32_t hdr = sizeof(eh) + sizeof(sh), size = img->symtab_size - 4;

    _Static_assert(ELF_SYMTAB_HEADER == 4 + sizeof(eh) + sizeof(sh), "ELF_SYMTAB_HEADER");
    memcpy(&eh, img->data, sizeof(eh));
    eh.e_phoff = 0;
    eh.e_phentsize = 0;
    eh.e_phnum = 0;
    eh.e_shoff = sizeof(eh);
    eh.e_shentsize = sizeof(sh[0]);
    eh.e_shnum = 3;
    eh.e_shstrndx = 0;
    memset(sh, 0, sizeof(sh));
    sh[1] = (struct elf32_shdr){ .sh_type = SHT_SYMTAB, .sh_offset = hdr,
                                 .sh_size = img->sym_size, .sh_link = 2, .sh_addralign = 4,
                                 .sh_entsize = 16 };
    sh[2] = (struct elf32_shdr){ .sh_type = SHT_STRTAB,
                                 .sh_offset = hdr + ROUNDUP(img->sym_size, 4),
                                 .sh_size = img->str_size, .sh_addralign = 1 };
    memcpy(out, &size, 4);
    memcpy(out + 4, &eh, sizeof(eh));
    memcpy(out + 4 + sizeof(eh), sh, sizeof(sh));
}

int elf_parse(struct elf_image *img, const void *data, uint32_t size, char *err, size_t errlen)
{
    const uint8_t *d = data;
    struct elf32_ehdr eh;
    uint32_t pstart = ELF_UNSET, pend = 0, virt_offset;
    unsigned int i;

    memset(img, 0, sizeof(*img));
    img->data = d;
    img->size = size;
    img->virt_base = img->paddr_offset = img->virt_entry = img->virt_hypercall = ELF_UNSET;

    if ( size < sizeof(eh) || memcmp(d, "\177ELF", 4) != 0 )
        return fail(err, errlen, "not an ELF image");
    memcpy(&eh, d, sizeof(eh));
    if ( eh.e_ident[4] != 1 )
        return fail(err, errlen, "not an ELF32 image (a 64-bit kernel cannot run on pvx)");
    if ( eh.e_ident[5] != 1 || eh.e_machine != EM_386 )
        return fail(err, errlen, "not a little-endian i386 image");
    if ( eh.e_type != ET_EXEC )
        return fail(err, errlen, "not an executable ELF image");
    if ( eh.e_phentsize != sizeof(struct elf32_phdr) || eh.e_phnum == 0 ||
         eh.e_phoff > size || (uint64_t)eh.e_phnum * sizeof(struct elf32_phdr) > size - eh.e_phoff )
        return fail(err, errlen, "bad ELF program headers");

    for ( i = 0; i < eh.e_phnum; i++ )
    {
        struct elf32_phdr ph;

        memcpy(&ph, d + eh.e_phoff + i * sizeof(ph), sizeof(ph));
        if ( ph.p_type != PT_LOAD && ph.p_type != PT_NOTE )
            continue;
        if ( ph.p_offset > size || ph.p_filesz > size - ph.p_offset )
            return fail(err, errlen, "ELF segment outside the image");
        if ( ph.p_type == PT_NOTE )
        {
            parse_notes(img, d + ph.p_offset, ph.p_filesz);
            continue;
        }
        if ( ph.p_memsz == 0 )
            continue;
        if ( ph.p_filesz > ph.p_memsz || ph.p_paddr + (uint64_t)ph.p_memsz > 0x100000000ull )
            return fail(err, errlen, "bad ELF load segment");
        if ( img->nr_segments == ELF_MAX_SEGMENTS )
            return fail(err, errlen, "too many ELF load segments");
        img->seg[img->nr_segments++] = (struct elf_segment){
            .offset = ph.p_offset, .filesz = ph.p_filesz,
            .memsz = ph.p_memsz, .paddr = ph.p_paddr,
        };
        pstart = MIN(pstart, ph.p_paddr);
        pend = MAX(pend, ph.p_paddr + ph.p_memsz);
    }

    if ( img->nr_segments == 0 )
        return fail(err, errlen, "no loadable ELF segment");
    if ( img->nr_notes == 0 )
        parse_note_sections(img, &eh);
    if ( img->nr_notes == 0 )
        return fail(err, errlen, "no Xen ELF notes: not a PV kernel");

    /* The same acceptance rules as Xen's loader. */
    if ( strncmp(img->loader, "generic", 7) != 0 && strncmp(img->guest_os, "linux", 5) != 0 )
        return fail(err, errlen, "ELF notes name neither the generic loader nor Linux");
    if ( strncmp(img->xen_version, "xen-3.0", 7) != 0 )
        return fail(err, errlen, "ELF notes do not ask for the xen-3.0 interface");
    if ( strcmp(img->pae_mode, "yes") != 0 && strcmp(img->pae_mode, "bimodal") != 0 &&
         strcmp(img->pae_mode, "extended-cr3") != 0 )
        return fail(err, errlen, "not a PAE kernel (PAE_MODE note missing or not \"yes\")");

    if ( img->virt_base == ELF_UNSET )
        img->virt_base = 0;
    if ( img->paddr_offset == ELF_UNSET )
        img->paddr_offset = img->virt_base;
    if ( img->virt_entry == ELF_UNSET )
        img->virt_entry = eh.e_entry;
    virt_offset = img->virt_base - img->paddr_offset;
    img->virt_kstart = pstart + virt_offset;
    img->virt_kend = pend + virt_offset;

    /* Checked first: the most useful thing to say about such an image. */
    if ( img->virt_kend > HYPERVISOR_VIRT_START || img->virt_kend < img->virt_kstart )
        return fail(err, errlen, "kernel overlaps the hypervisor area (0xF5800000 and up)");
    if ( img->virt_base & ~PAGE_MASK )
        return fail(err, errlen, "VIRT_BASE is not page aligned");
    if ( img->virt_kstart > img->virt_kend || img->virt_kend < pend - pstart ||
         img->virt_base > img->virt_kstart ||
         img->virt_entry < img->virt_kstart || img->virt_entry >= img->virt_kend )
        return fail(err, errlen, "ELF entry or extent out of bounds");
    if ( img->virt_hypercall != ELF_UNSET &&
         ((img->virt_hypercall & ~PAGE_MASK) ||
          img->virt_hypercall < img->virt_kstart || img->virt_hypercall >= img->virt_kend) )
        return fail(err, errlen, "hypercall page outside the kernel or not page aligned");
    if ( img->bsd_symtab )
    {
        plan_symtab(img, &eh);
        if ( (uint64_t)img->symtab_start + img->symtab_size > HYPERVISOR_VIRT_START )
            return fail(err, errlen, "kernel and its symbols overlap the hypervisor area");
    }
    return 0;
}
