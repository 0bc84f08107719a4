/* SPDX-License-Identifier: MIT */
/*
 * public/elfnote.h - types of the notes (owner "Xen") a PV kernel carries so
 * that the domain builder knows how to load it. Usable from assembly.
 */
#ifndef PVX_PUBLIC_ELFNOTE_H
#define PVX_PUBLIC_ELFNOTE_H

#define XEN_ELFNOTE_INFO                0   /* (obsolete) __xen_guest string */
#define XEN_ELFNOTE_ENTRY               1   /* virtual entry point (number) */
#define XEN_ELFNOTE_HYPERCALL_PAGE      2   /* virtual address of a page to fill */
#define XEN_ELFNOTE_VIRT_BASE           3   /* virtual base of the image */
#define XEN_ELFNOTE_PADDR_OFFSET        4   /* virt - "physical" addresses in phdrs */
#define XEN_ELFNOTE_XEN_VERSION         5   /* string, e.g. "xen-3.0" */
#define XEN_ELFNOTE_GUEST_OS            6   /* string */
#define XEN_ELFNOTE_GUEST_VERSION       7   /* string */
#define XEN_ELFNOTE_LOADER              8   /* string, "generic" */
#define XEN_ELFNOTE_PAE_MODE            9   /* string: "yes", "no", "bimodal" */
#define XEN_ELFNOTE_FEATURES            10  /* string: XENFEAT names separated by '|' */
#define XEN_ELFNOTE_BSD_SYMTAB          11
#define XEN_ELFNOTE_HV_START_LOW        12  /* lowest address the hypervisor may use */
#define XEN_ELFNOTE_L1_MFN_VALID        13
#define XEN_ELFNOTE_SUSPEND_CANCEL      14
#define XEN_ELFNOTE_INIT_P2M            15
#define XEN_ELFNOTE_MOD_START_PFN       16
#define XEN_ELFNOTE_SUPPORTED_FEATURES  17  /* bitmap of XENFEAT_* */
#define XEN_ELFNOTE_PHYS32_ENTRY        18  /* PVH entry; ignored by pvx */
#define XEN_ELFNOTE_PHYS32_RELOC        19
#define XEN_ELFNOTE_MAX                 XEN_ELFNOTE_PHYS32_RELOC

#endif /* PVX_PUBLIC_ELFNOTE_H */
