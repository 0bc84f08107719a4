/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * elfgen.h - make PV kernel images for the tests, the fuzzer and the benchmarks,
 * good and bad on purpose.
 */
#ifndef ELFGEN_H
#define ELFGEN_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#define ELFGEN_MAX_NOTES 16

struct elfgen_note {
    uint32_t type;
    const char *str;            /* a string note, or NULL for a number */
    uint32_t num;
    uint32_t descsz;            /* for numbers: 4 (default) or 8 */
};

struct elfgen_spec {
    uint8_t ei_class;           /* 1 = ELF32 */
    uint16_t e_machine, e_type;
    uint32_t e_entry;
    uint32_t paddr, vaddr;      /* the one load segment */
    uint32_t filesz, memsz;
    unsigned int nr_notes;
    struct elfgen_note notes[ELFGEN_MAX_NOTES];
    /* Section headers after the segment: the notes as an SHT_NOTE section
     * (and no PT_NOTE), and/or a symbol table of ELFGEN_SYMS symbols with
     * its string table. */
    bool notes_as_section;
    bool with_symtab;
};
#define ELFGEN_SYMS 3

/* A good kernel: ELF32 i386 at 0x100000, 12 KiB of code + 8 KiB bss, the
 * usual notes, hypercall page at 0x101000. */
void elfgen_default(struct elfgen_spec *s);
/* Remove (all) notes of a type; set (add or replace) one. */
void elfgen_del_note(struct elfgen_spec *s, uint32_t type);
void elfgen_set_str(struct elfgen_spec *s, uint32_t type, const char *str);
void elfgen_set_num(struct elfgen_spec *s, uint32_t type, uint32_t num);
/* Write the image into out (cap bytes); returns its size. Segment bytes are
 * a pattern: byte i of the segment is (i * 7 + 3) & 0xff. */
size_t elfgen_build(const struct elfgen_spec *s, uint8_t *out, size_t cap);

#endif /* ELFGEN_H */
