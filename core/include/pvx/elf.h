/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * elf.h - parsing a PV kernel: ELF32 i386 with Xen ELF notes.
 */
#ifndef PVX_ELF_H
#define PVX_ELF_H

#include <pvx/types.h>

#define ELF_MAX_SEGMENTS 16
#define ELF_NOTE_STR_LEN 64
#define ELF_UNSET        0xffffffffu

struct elf_segment {
    uint32_t offset;            /* in the file */
    uint32_t filesz, memsz;
    uint32_t paddr;             /* p_paddr: where it goes relative to virt_offset */
};

/* What a kernel image says about itself, after every check has passed. */
struct elf_image {
    const uint8_t *data;
    uint32_t size;

    unsigned int nr_segments;
    struct elf_segment seg[ELF_MAX_SEGMENTS];

    /* From the notes (ELF_UNSET when absent) and the rules that default them. */
    char guest_os[ELF_NOTE_STR_LEN];
    char xen_version[ELF_NOTE_STR_LEN];
    char loader[ELF_NOTE_STR_LEN];
    char features[ELF_NOTE_STR_LEN * 2];
    char pae_mode[ELF_NOTE_STR_LEN];
    unsigned int nr_notes;

    uint32_t virt_base;         /* VIRT_BASE, default 0 */
    uint32_t paddr_offset;      /* PADDR_OFFSET, default virt_base */
    uint32_t virt_entry;        /* ENTRY, default e_entry */
    uint32_t virt_hypercall;    /* HYPERCALL_PAGE, ELF_UNSET if none */

    /* Derived: the kernel's virtual extent. */
    uint32_t virt_kstart, virt_kend;

    /* XEN_ELFNOTE_BSD_SYMTAB: the symbols go after the kernel (symtab_size 0:
     * not asked for, or the image has none), at symtab_start. */
    bool bsd_symtab;
    uint32_t symtab_start, symtab_size;
    uint32_t sym_offset, sym_size, str_offset, str_size;    /* in the image */
};

/* Parse and check an image. On error returns -ENOEXEC (or -EINVAL) and puts a
 * one-line reason in err (for the "(pvx) ..." refusal). */
int elf_parse(struct elf_image *img, const void *data, uint32_t size, char *err, size_t errlen);

/* The start of what XEN_ELFNOTE_BSD_SYMTAB asked for: the size of the rest,
 * an ELF header and three section headers; the symbol table follows at
 * symtab_start + ELF_SYMTAB_HEADER, the string table 4-byte aligned after it. */
#define ELF_SYMTAB_HEADER (4 + 52 + 3 * 40)
void elf_symtab_header(const struct elf_image *img, uint8_t out[ELF_SYMTAB_HEADER]);

#endif /* PVX_ELF_H */
