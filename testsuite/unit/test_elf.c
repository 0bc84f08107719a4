/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_elf.c - the ELF/notes parser: one row per rule, good and bad.
 */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include <pvx/elf.h>
#include <pvx/errno.h>
#include <public/elfnote.h>

static uint8_t buf[1 << 20];

static void m_none(struct elfgen_spec *s) { (void)s; }
static void m_elf64(struct elfgen_spec *s) { s->ei_class = 2; }
static void m_arm(struct elfgen_spec *s) { s->e_machine = 40; }
static void m_dyn(struct elfgen_spec *s) { s->e_type = 3; }
static void m_no_notes(struct elfgen_spec *s) { s->nr_notes = 0; }
static void m_no_xenver(struct elfgen_spec *s) { elfgen_del_note(s, XEN_ELFNOTE_XEN_VERSION); }
static void m_old_xenver(struct elfgen_spec *s) { elfgen_set_str(s, XEN_ELFNOTE_XEN_VERSION, "xen-2.0"); }
static void m_bad_loader(struct elfgen_spec *s) { elfgen_set_str(s, XEN_ELFNOTE_LOADER, "other"); }
static void m_linux_no_loader(struct elfgen_spec *s)
{
    elfgen_del_note(s, XEN_ELFNOTE_LOADER);
    elfgen_set_str(s, XEN_ELFNOTE_GUEST_OS, "linux");
}
static void m_no_pae(struct elfgen_spec *s) { elfgen_del_note(s, XEN_ELFNOTE_PAE_MODE); }
static void m_pae_no(struct elfgen_spec *s) { elfgen_set_str(s, XEN_ELFNOTE_PAE_MODE, "no"); }
static void m_pae_bimodal(struct elfgen_spec *s) { elfgen_set_str(s, XEN_ELFNOTE_PAE_MODE, "bimodal"); }
static void m_entry_out(struct elfgen_spec *s) { s->e_entry = 0x200000; }
static void m_entry_note(struct elfgen_spec *s) { elfgen_set_num(s, XEN_ELFNOTE_ENTRY, 0x100040); }
static void m_entry_note_out(struct elfgen_spec *s) { elfgen_set_num(s, XEN_ELFNOTE_ENTRY, 0x80000); }
static void m_hcall_unaligned(struct elfgen_spec *s) { elfgen_set_num(s, XEN_ELFNOTE_HYPERCALL_PAGE, 0x101010); }
static void m_hcall_out(struct elfgen_spec *s) { elfgen_set_num(s, XEN_ELFNOTE_HYPERCALL_PAGE, 0x200000); }
static void m_no_hcall(struct elfgen_spec *s) { elfgen_del_note(s, XEN_ELFNOTE_HYPERCALL_PAGE); }
static void m_virt_base_above(struct elfgen_spec *s) { elfgen_set_num(s, XEN_ELFNOTE_VIRT_BASE, 0x200000); }
static void m_virt_base_unaligned(struct elfgen_spec *s) { elfgen_set_num(s, XEN_ELFNOTE_VIRT_BASE, 0x800); }
static void m_hyp_overlap(struct elfgen_spec *s)
{
    s->paddr = s->vaddr = s->e_entry = 0xF5700000;
    s->memsz = 0x200000;
    elfgen_set_num(s, XEN_ELFNOTE_HYPERCALL_PAGE, 0xF5701000);
}
static void m_filesz_gt_memsz(struct elfgen_spec *s) { s->memsz = 0x1000; }
static void m_wrap(struct elfgen_spec *s)
{
    s->paddr = 0xFFFFF000;
    s->memsz = 0x3000;
}
static void m_higher_half(struct elfgen_spec *s)
{
    /* A Linux-style kernel: virtual 0xC0100000, physical 0x100000. */
    s->vaddr = 0xC0100000;
    s->e_entry = 0xC0100000;
    elfgen_set_num(s, XEN_ELFNOTE_VIRT_BASE, 0xC0000000);
    elfgen_set_num(s, XEN_ELFNOTE_PADDR_OFFSET, 0);
    elfgen_set_num(s, XEN_ELFNOTE_HYPERCALL_PAGE, 0xC0101000);
}
static void m_higher_half_paddr_default(struct elfgen_spec *s)
{
    /* PADDR_OFFSET defaults to VIRT_BASE: p_paddr is then virtual. */
    s->vaddr = s->paddr = 0xC0100000;
    s->e_entry = 0xC0100000;
    elfgen_set_num(s, XEN_ELFNOTE_VIRT_BASE, 0xC0000000);
    elfgen_set_num(s, XEN_ELFNOTE_HYPERCALL_PAGE, 0xC0101000);
}

static const struct {
    const char *what;
    void (*mutate)(struct elfgen_spec *);
    int rc;
    const char *why;            /* substring of the refusal */
} rows[] = {
    { "a good kernel", m_none, 0, NULL },
    { "ELF64 refused", m_elf64, -ENOEXEC, "ELF32" },
    { "not i386 refused", m_arm, -ENOEXEC, "i386" },
    { "not ET_EXEC refused", m_dyn, -ENOEXEC, "executable" },
    { "no notes refused", m_no_notes, -ENOEXEC, "no Xen ELF notes" },
    { "no XEN_VERSION refused", m_no_xenver, -ENOEXEC, "xen-3.0" },
    { "xen-2.0 refused", m_old_xenver, -ENOEXEC, "xen-3.0" },
    { "unknown loader refused", m_bad_loader, -ENOEXEC, "loader" },
    { "linux guest without LOADER accepted", m_linux_no_loader, 0, NULL },
    { "no PAE_MODE refused", m_no_pae, -ENOEXEC, "PAE" },
    { "PAE_MODE no refused", m_pae_no, -ENOEXEC, "PAE" },
    { "PAE_MODE bimodal accepted", m_pae_bimodal, 0, NULL },
    { "entry outside kernel refused", m_entry_out, -ENOEXEC, "out of bounds" },
    { "ENTRY note used", m_entry_note, 0, NULL },
    { "ENTRY note outside refused", m_entry_note_out, -ENOEXEC, "out of bounds" },
    { "unaligned hypercall page refused", m_hcall_unaligned, -ENOEXEC, "hypercall page" },
    { "hypercall page outside refused", m_hcall_out, -ENOEXEC, "hypercall page" },
    { "no hypercall page accepted", m_no_hcall, 0, NULL },
    { "VIRT_BASE above kernel refused", m_virt_base_above, -ENOEXEC, "out of bounds" },
    { "unaligned VIRT_BASE refused", m_virt_base_unaligned, -ENOEXEC, "VIRT_BASE" },
    { "hypervisor-area overlap refused", m_hyp_overlap, -ENOEXEC, "hypervisor area" },
    { "filesz > memsz refused", m_filesz_gt_memsz, -ENOEXEC, "load segment" },
    { "segment wrapping 4 GiB refused", m_wrap, -ENOEXEC, "load segment" },
    { "higher-half kernel with PADDR_OFFSET", m_higher_half, 0, NULL },
    { "higher-half kernel, PADDR_OFFSET default", m_higher_half_paddr_default, 0, NULL },
};

static void test_elf_rules(void)
{
    for ( size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++ )
    {
        struct elfgen_spec s;
        struct elf_image img;
        char err[160] = "";
        size_t len;
        int rc;

        elfgen_default(&s);
        rows[i].mutate(&s);
        len = elfgen_build(&s, buf, sizeof(buf));
        rc = elf_parse(&img, buf, (uint32_t)len, err, sizeof(err));
        CU_ASSERT_EQUAL(rc, rows[i].rc);
        if ( rows[i].why )
            CU_ASSERT_PTR_NOT_NULL(strstr(err, rows[i].why));
        if ( rc != rows[i].rc || (rows[i].why && !strstr(err, rows[i].why)) )
            fprintf(stderr, "\n  %s: rc %d (want %d), '%s'\n", rows[i].what, rc, rows[i].rc, err);
    }
}

static void test_elf_fields(void)
{
    struct elfgen_spec s;
    struct elf_image img;
    char err[160];
    size_t len;

    elfgen_default(&s);
    len = elfgen_build(&s, buf, sizeof(buf));
    CU_ASSERT_EQUAL_FATAL(elf_parse(&img, buf, (uint32_t)len, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(img.virt_base, 0);
    CU_ASSERT_EQUAL(img.paddr_offset, 0);
    CU_ASSERT_EQUAL(img.virt_entry, 0x100000);
    CU_ASSERT_EQUAL(img.virt_hypercall, 0x101000);
    CU_ASSERT_EQUAL(img.virt_kstart, 0x100000);
    CU_ASSERT_EQUAL(img.virt_kend, 0x105000);
    CU_ASSERT_EQUAL(img.nr_segments, 1);
    CU_ASSERT_EQUAL(img.seg[0].filesz, 0x3000);
    CU_ASSERT_EQUAL(img.seg[0].memsz, 0x5000);
    CU_ASSERT_STRING_EQUAL(img.guest_os, "unit-test");
    CU_ASSERT_STRING_EQUAL(img.loader, "generic");
    CU_ASSERT_STRING_EQUAL(img.pae_mode, "yes");

    m_higher_half(&s);
    len = elfgen_build(&s, buf, sizeof(buf));
    CU_ASSERT_EQUAL_FATAL(elf_parse(&img, buf, (uint32_t)len, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(img.virt_kstart, 0xC0100000);
    CU_ASSERT_EQUAL(img.virt_kend, 0xC0105000);
}

/*
 * Notes in an SHT_NOTE section and no PT_NOTE (a kernel with its notes in
 * its one PT_LOAD): found, as Xen's loader finds them. Without section
 * headers either, refused.
 */
static void test_elf_notes_in_sections(void)
{
    struct elfgen_spec s;
    struct elf_image img;
    char err[160];
    size_t len;

    elfgen_default(&s);
    s.notes_as_section = true;
    len = elfgen_build(&s, buf, sizeof(buf));
    CU_ASSERT_EQUAL_FATAL(elf_parse(&img, buf, (uint32_t)len, err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(img.loader, "generic");
    CU_ASSERT_EQUAL(img.virt_hypercall, 0x101000);
    /* The same image with its section headers gone. */
    buf[32] = buf[33] = buf[34] = buf[35] = 0;
    buf[48] = buf[49] = 0;
    CU_ASSERT_EQUAL(elf_parse(&img, buf, (uint32_t)len, err, sizeof(err)), -ENOEXEC);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "no Xen ELF notes"));
}

/* XEN_ELFNOTE_BSD_SYMTAB: the symbols' place after the kernel, 4-byte
 * aligned, and their size; without a symbol table the note is ignored. */
static void test_elf_bsd_symtab(void)
{
    struct elfgen_spec s;
    struct elf_image img;
    char err[160];
    size_t len;

    elfgen_default(&s);
    s.memsz = 0x4ffd;                       /* an end that is not 4-aligned */
    elfgen_set_str(&s, XEN_ELFNOTE_BSD_SYMTAB, "yes");
    s.with_symtab = true;
    len = elfgen_build(&s, buf, sizeof(buf));
    CU_ASSERT_EQUAL_FATAL(elf_parse(&img, buf, (uint32_t)len, err, sizeof(err)), 0);
    CU_ASSERT(img.bsd_symtab);
    CU_ASSERT_EQUAL(img.virt_kend, 0x104ffd);
    CU_ASSERT_EQUAL(img.symtab_start, 0x105000);
    CU_ASSERT_EQUAL(img.sym_size, 16 * (ELFGEN_SYMS + 1));
    CU_ASSERT_EQUAL(img.symtab_size, ELF_SYMTAB_HEADER + 16 * (ELFGEN_SYMS + 1) + 20);
    /* Asked for, but the image has no symbols: nothing placed. */
    s.with_symtab = false;
    len = elfgen_build(&s, buf, sizeof(buf));
    CU_ASSERT_EQUAL_FATAL(elf_parse(&img, buf, (uint32_t)len, err, sizeof(err)), 0);
    CU_ASSERT(img.bsd_symtab);
    CU_ASSERT_EQUAL(img.symtab_size, 0);
    /* Symbols, but not asked for: nothing placed either. */
    elfgen_del_note(&s, XEN_ELFNOTE_BSD_SYMTAB);
    s.with_symtab = true;
    len = elfgen_build(&s, buf, sizeof(buf));
    CU_ASSERT_EQUAL_FATAL(elf_parse(&img, buf, (uint32_t)len, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(img.symtab_size, 0);
}

/* Truncations and garbage: never a crash, always a clean refusal. */
static void test_elf_truncated(void)
{
    struct elfgen_spec s;
    struct elf_image img;
    char err[160];
    size_t len, cut;

    elfgen_default(&s);
    len = elfgen_build(&s, buf, sizeof(buf));
    for ( cut = 0; cut < len; cut += (cut < 512 ? 1 : 509) )
    {
        int rc = elf_parse(&img, buf, (uint32_t)cut, err, sizeof(err));

        CU_ASSERT(rc == -ENOEXEC || rc == 0);
    }
    /* A note whose sizes lie: parsing stops, the image is refused for lack of notes. */
    memset(buf + 52 + 64, 0xff, 12);
    CU_ASSERT_EQUAL(elf_parse(&img, buf, (uint32_t)len, err, sizeof(err)), -ENOEXEC);
    CU_ASSERT_EQUAL(elf_parse(&img, "\177ELF", 4, err, sizeof(err)), -ENOEXEC);
}

void unit_register_elf(void)
{
    CU_pSuite s = CU_add_suite("elf", NULL, NULL);

    CU_add_test(s, "each acceptance rule, good and bad", test_elf_rules);
    CU_add_test(s, "fields of a parsed image", test_elf_fields);
    CU_add_test(s, "truncated and lying images are refused", test_elf_truncated);
    CU_add_test(s, "notes in an SHT_NOTE section, no PT_NOTE", test_elf_notes_in_sections);
    CU_add_test(s, "BSD_SYMTAB: where the symbols go", test_elf_bsd_symtab);
}
