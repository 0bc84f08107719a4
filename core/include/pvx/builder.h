/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * builder.h - building a PV domain from a kernel image, with the start-of-day
 * state Xen's own builder gives a 32-bit PAE guest.
 */
#ifndef PVX_BUILDER_H
#define PVX_BUILDER_H

#include <pvx/elf.h>
#include <pvx/types.h>

struct domain;

/* The virtual layout, all addresses in the guest's space (v_start based). */
struct build_layout {
    uint32_t v_start, v_end;
    uint32_t vkern_start, vkern_end;
    uint32_t vphysmap_start, vphysmap_end;      /* the p2m list */
    uint32_t vstartinfo_start, vstartinfo_end;
    uint32_t vpt_start, vpt_end;                /* page tables, mapped read-only */
    uint32_t vstack_start, vstack_end;          /* the boot stack: esp = vstack_end */
    unsigned int nr_pt_pages;
    unsigned int nr_pages;                      /* the domain's memory */
    uint32_t vinitrd_start, vinitrd_end;        /* the initial domain's initrd (0: none) */
    uint32_t vstore_start, vconsole_start;      /* a domU's xenstore and console pages (0: none) */
    mfn_t store_mfn, console_mfn;               /* OUT of builder_build_ext */
};

/* What a build may add to the plain one: an initrd after the kernel (start_info
 * mod_start/mod_len, as Xen's dom0 builder places it), or the xenstore and
 * console pages a toolstack's domU gets after start_info (Xen's libxc order)
 * with their event channels in start_info. */
struct build_extra {
    const void *initrd;
    uint32_t initrd_len;
    bool domu_pages;
    uint32_t store_evtchn, console_evtchn;
};

/* Compute the layout for an image and a memory size; -ENOMEM if the image and
 * its start-of-day structures do not fit in nr_pages, -EINVAL if they would
 * reach the hypervisor area. */
int builder_layout(const struct elf_image *img, unsigned int nr_pages, struct build_layout *l);
int builder_layout_ext(const struct elf_image *img, unsigned int nr_pages,
                       const struct build_extra *x, struct build_layout *l);

/* Build domain d from img: memory, page tables, p2m, start_info, hypercall
 * page, boot stack, vCPU 0's registers. cmdline goes to start_info. On error
 * returns -errno with a reason in err; d keeps the frames it got (the caller
 * destroys it). */
int builder_build(struct domain *d, const struct elf_image *img, unsigned int nr_pages,
                  const char *cmdline, uint32_t si_flags, struct build_layout *l,
                  char *err, size_t errlen);
/* The same with extras (x may be NULL). A failure to get the memory gives
 * back what was taken: the domain is as it was. */
int builder_build_ext(struct domain *d, const struct elf_image *img, unsigned int nr_pages,
                      const char *cmdline, uint32_t si_flags, const struct build_extra *x,
                      struct build_layout *l, char *err, size_t errlen);

#endif /* PVX_BUILDER_H */
