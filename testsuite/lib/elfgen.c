/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * elfgen.c - writes small ELF32 images with Xen notes for the unit tests.
 */
#include <assert.h>
#include <string.h>
#include "elfgen.h"
#include <public/elfnote.h>

void elfgen_default(struct elfgen_spec *s)
{
    memset(s, 0, sizeof(*s));
    s->ei_class = 1;
    s->e_machine = 3;
    s->e_type = 2;
    s->e_entry = 0x100000;
    s->paddr = s->vaddr = 0x100000;
    s->filesz = 0x3000;
    s->memsz = 0x5000;
    elfgen_set_str(s, XEN_ELFNOTE_GUEST_OS, "unit-test");
    elfgen_set_str(s, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    elfgen_set_str(s, XEN_ELFNOTE_LOADER, "generic");
    elfgen_set_str(s, XEN_ELFNOTE_PAE_MODE, "yes");
    elfgen_set_str(s, XEN_ELFNOTE_FEATURES, "!writable_page_tables|pae_pgdir_above_4gb");
    elfgen_set_num(s, XEN_ELFNOTE_HYPERCALL_PAGE, 0x101000);
}

void elfgen_del_note(struct elfgen_spec *s, uint32_t type)
{
    unsigned int i, j;

    for ( i = j = 0; i < s->nr_notes; i++ )
        if ( s->notes[i].type != type )
            s->notes[j++] = s->notes[i];
    s->nr_notes = j;
}

static struct elfgen_note *slot(struct elfgen_spec *s, uint32_t type)
{
    for ( unsigned int i = 0; i < s->nr_notes; i++ )
        if ( s->notes[i].type == type )
            return &s->notes[i];
    assert(s->nr_notes < ELFGEN_MAX_NOTES);
    return &s->notes[s->nr_notes++];
}

void elfgen_set_str(struct elfgen_spec *s, uint32_t type, const char *str)
{
    *slot(s, type) = (struct elfgen_note){ .type = type, .str = str };
}

void elfgen_set_num(struct elfgen_spec *s, uint32_t type, uint32_t num)
{
    *slot(s, type) = (struct elfgen_note){ .type = type, .num = num, .descsz = 4 };
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }

size_t elfgen_build(const struct elfgen_spec *s, uint8_t *out, size_t cap)
{
    uint8_t notes[2048];
    size_t nlen = 0, off, seg_off;
    unsigned int nph = s->nr_notes ? 2 : 1;

    for ( unsigned int i = 0; i < s->nr_notes; i++ )
    {
        const struct elfgen_note *n = &s->notes[i];
        uint32_t descsz = n->str ? (uint32_t)strlen(n->str) + 1 : n->descsz;

        put32(notes + nlen, 4);
        put32(notes + nlen + 4, descsz);
        put32(notes + nlen + 8, n->type);
        memcpy(notes + nlen + 12, "Xen", 4);
        nlen += 16;
        memset(notes + nlen, 0, (descsz + 3) & ~3u);
        if ( n->str )
            memcpy(notes + nlen, n->str, descsz);
        else
            put32(notes + nlen, n->num);
        nlen += (descsz + 3) & ~3u;
    }

    if ( s->notes_as_section )
        nph = 1;
    off = 52 + nph * 32;
    seg_off = (off + nlen + 0xfff) & ~(size_t)0xfff;
    assert(seg_off + s->filesz <= cap);
    memset(out, 0, seg_off);

    memcpy(out, "\177ELF", 4);
    out[4] = s->ei_class;
    out[5] = 1;                     /* little endian */
    out[6] = 1;                     /* EV_CURRENT */
    put16(out + 16, s->e_type);
    put16(out + 18, s->e_machine);
    put32(out + 20, 1);
    put32(out + 24, s->e_entry);
    put32(out + 28, 52);            /* e_phoff */
    put16(out + 40, 52);            /* e_ehsize */
    put16(out + 42, 32);            /* e_phentsize */
    put16(out + 44, (uint16_t)nph);

    /* PT_LOAD */
    put32(out + 52, 1);
    put32(out + 56, (uint32_t)seg_off);
    put32(out + 60, s->vaddr);
    put32(out + 64, s->paddr);
    put32(out + 68, s->filesz);
    put32(out + 72, s->memsz);
    put32(out + 76, 7);
    put32(out + 80, 0x1000);
    if ( s->nr_notes && !s->notes_as_section )
    {
        put32(out + 84, 4);         /* PT_NOTE */
        put32(out + 88, (uint32_t)off);
        put32(out + 100, (uint32_t)nlen);
        put32(out + 104, (uint32_t)nlen);
        put32(out + 112, 4);
        memcpy(out + off, notes, nlen);
    }
    for ( uint32_t i = 0; i < s->filesz; i++ )
        out[seg_off + i] = (uint8_t)((i * 7 + 3) & 0xff);
    off = seg_off + s->filesz;
    if ( s->notes_as_section || s->with_symtab )
    {
        /* Sections: [0] null, [1] the notes, [2] .symtab, [3] .strtab. */
        static const char strtab[] = "\0start\0middle\0end";
        uint32_t sh_off, note_off = 0, sym_off = 0, str_off = 0;

        if ( s->notes_as_section )
        {
            note_off = (uint32_t)off;
            memcpy(out + off, notes, nlen);
            off += (nlen + 3) & ~(size_t)3;
        }
        if ( s->with_symtab )
        {
            static const uint32_t names[ELFGEN_SYMS] = { 1, 7, 14 };

            sym_off = (uint32_t)off;
            memset(out + off, 0, 16 * (ELFGEN_SYMS + 1));
            for ( unsigned int i = 0; i < ELFGEN_SYMS; i++ )
            {
                put32(out + off + 16 * (i + 1), names[i]);
                put32(out + off + 16 * (i + 1) + 4, s->vaddr + i * 0x100);
            }
            off += 16 * (ELFGEN_SYMS + 1);
            str_off = (uint32_t)off;
            memcpy(out + off, strtab, sizeof(strtab));
            off += (sizeof(strtab) + 3) & ~(size_t)3;
        }
        sh_off = (uint32_t)off;
        assert(off + 4 * 40 <= cap);
        memset(out + off, 0, 4 * 40);
        put32(out + off + 40 + 4, s->notes_as_section ? 7 : 0);     /* SHT_NOTE or unused */
        put32(out + off + 40 + 16, note_off);
        put32(out + off + 40 + 20, (uint32_t)nlen);
        put32(out + off + 80 + 4, s->with_symtab ? 2 : 0);          /* SHT_SYMTAB */
        put32(out + off + 80 + 16, sym_off);
        put32(out + off + 80 + 20, s->with_symtab ? 16 * (ELFGEN_SYMS + 1) : 0);
        put32(out + off + 80 + 24, 3);                              /* sh_link: .strtab */
        put32(out + off + 120 + 4, s->with_symtab ? 3 : 0);         /* SHT_STRTAB */
        put32(out + off + 120 + 16, str_off);
        put32(out + off + 120 + 20, s->with_symtab ? (uint32_t)sizeof(strtab) : 0);
        put32(out + 32, sh_off);    /* e_shoff */
        put16(out + 46, 40);        /* e_shentsize */
        put16(out + 48, 4);         /* e_shnum */
        off += 4 * 40;
    }
    return off;
}
