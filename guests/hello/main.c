/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hello - the first guest: checks the start-of-day state the domain builder
 * leaves for an initial domain and a few basic hypercalls, printing what it
 * checked (never an address or frame number: the transcript must be the same
 * on every machine).
 */
#include <guest.h>

#include <public/arch-x86/page.h>
#include <public/features.h>
#include <public/version.h>

const char test_title[] = "hello: start of day and basic hypercalls";

#define PAGE            4096u
#define IS_PAGE_ALIGNED(x) (((unsigned long)(x) & (PAGE - 1)) == 0)

static bool contains(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);

    for ( ; *haystack; haystack++ )
        if ( !strncmp(haystack, needle, n) )
            return true;
    return false;
}

static bool check_ring(void)
{
    unsigned int cs = read_cs();

    if ( (cs & 3) != 1 )
    {
        test_fail("running in ring %u, expected ring 1\n", cs & 3);
        return false;
    }
    printk("Running in ring 1\n");
    return true;
}

static bool check_start_info(void)
{
    const struct start_info *si = start_info;
    unsigned long si_va = (unsigned long)si;
    unsigned long image_end = (unsigned long)__image_end;
    unsigned long pt_end;

    if ( memcmp(si->magic, XEN_START_INFO_MAGIC, sizeof(XEN_START_INFO_MAGIC)) )
    {
        test_fail("start_info magic is not \"%s\"\n", XEN_START_INFO_MAGIC);
        return false;
    }
    printk("start_info magic: %s\n", si->magic);

    if ( si->nr_pages == 0 )
    {
        test_fail("start_info.nr_pages is 0\n");
        return false;
    }
    /* A toolstack's domain (it has a console ring) is not privileged. */
    if ( si->flags == 0 && si->console.domU.mfn && si->console.domU.evtchn )
        printk("start_info: pages > 0, unprivileged domain with a console ring\n");
    else if ( (si->flags & (SIF_PRIVILEGED | SIF_INITDOMAIN)) !=
              (SIF_PRIVILEGED | SIF_INITDOMAIN) )
    {
        test_fail("initial domain without SIF_PRIVILEGED|SIF_INITDOMAIN\n");
        return false;
    }
    else
        printk("start_info: pages > 0, privileged initial domain\n");

    if ( !IS_PAGE_ALIGNED(si_va) || !IS_PAGE_ALIGNED(si->mfn_list) ||
         !IS_PAGE_ALIGNED(si->pt_base) )
    {
        test_fail("start_info, mfn_list or pt_base not page-aligned\n");
        return false;
    }
    if ( si->nr_pt_frames == 0 )
    {
        test_fail("start_info.nr_pt_frames is 0\n");
        return false;
    }

    /* Xen's order: image, p2m list, start_info, page tables, boot stack. */
    pt_end = si->pt_base + si->nr_pt_frames * PAGE;
    if ( si->mfn_list < image_end ||
         si->mfn_list + si->nr_pages * 4 > si_va ||
         si->pt_base < si_va + sizeof(*si) ||
         pt_end > si->nr_pages * PAGE )
    {
        test_fail("start-of-day areas out of order or outside the domain's pages\n");
        return false;
    }
    printk("Image, p2m list, start_info and page tables in order and page-aligned\n");

    if ( boot_esp <= pt_end || boot_esp - pt_end > 2 * PAGE )
    {
        test_fail("boot stack does not lie just above the page tables\n");
        return false;
    }
    printk("Boot stack lies just above the page tables\n");
    return true;
}

/* Read every p2m entry (a fault here kills the test) and note zeros. */
static bool check_p2m(void)
{
    const volatile uint32_t *p2m = (const volatile uint32_t *)start_info->mfn_list;
    unsigned int i, zero = 0;

    for ( i = 0; i < start_info->nr_pages; i++ )
        if ( p2m[i] == 0 )
            zero++;
    if ( zero > 1 )
    {
        test_fail("p2m list has %u zero entries\n", zero);
        return false;
    }
    printk("p2m list readable, one entry per page\n");
    return true;
}

/* The initial mapping is va = pfn << 12 (virtual base 0): find an mfn's va. */
static const volatile uint64_t *table_va(uint64_t pte)
{
    const volatile uint32_t *p2m = (const volatile uint32_t *)start_info->mfn_list;
    uint32_t mfn = (uint32_t)((pte & PTE_ADDR_MASK) >> 12);
    unsigned int pfn;

    for ( pfn = 0; pfn < start_info->nr_pages; pfn++ )
        if ( p2m[pfn] == mfn )
            return (const volatile uint64_t *)(pfn * PAGE);
    return NULL;
}

/* Walk the tables by reading them only, down to the PTE mapping pt_base. */
static bool check_page_tables(void)
{
    const volatile uint64_t *l3 = (const volatile uint64_t *)start_info->pt_base;
    const volatile uint64_t *l2, *l1;
    uint32_t va = start_info->pt_base;
    uint64_t e;

    if ( !(l3[l3_table_offset(va)] & _PAGE_PRESENT) || !(l3[3] & _PAGE_PRESENT) )
    {
        test_fail("L3 lacks the guest's or the hypervisor's slot\n");
        return false;
    }
    printk("L3 at pt_base: guest and hypervisor slots present\n");

    l2 = table_va(l3[l3_table_offset(va)]);
    if ( !l2 )
    {
        test_fail("L2 of the initial mapping is not in the domain's pages\n");
        return false;
    }
    e = l2[l2_table_offset(va)];
    if ( !(e & _PAGE_PRESENT) || (e & _PAGE_PSE) )
    {
        test_fail("L2 entry for the page tables is not a present L1\n");
        return false;
    }
    l1 = table_va(e);
    if ( !l1 )
    {
        test_fail("L1 of the initial mapping is not in the domain's pages\n");
        return false;
    }
    e = l1[l1_table_offset(va)];
    if ( !(e & _PAGE_PRESENT) )
    {
        test_fail("pt_base is not mapped\n");
        return false;
    }
    if ( e & _PAGE_RW )
    {
        test_fail("the L3 page table is mapped writable\n");
        return false;
    }
    if ( (uint32_t)((e & PTE_ADDR_MASK) >> 12) !=
         ((const volatile uint32_t *)start_info->mfn_list)[va / PAGE] )
    {
        test_fail("the mapping of pt_base disagrees with the p2m list\n");
        return false;
    }
    printk("Page tables mapped read-only, consistent with the p2m list\n");
    return true;
}

static bool check_xen_version(void)
{
    xen_capabilities_info_t caps;
    struct xen_feature_info fi = { .submap_idx = 0 };
    long ver = HYPERVISOR_xen_version(XENVER_version, NULL);
    long rc;

    if ( ver <= 0 )
    {
        test_fail("XENVER_version returned %ld\n", ver);
        return false;
    }
    printk("xen_version: %ld.%ld\n", ver >> 16, ver & 0xffff);

    memset(caps, 0, sizeof(caps));
    rc = HYPERVISOR_xen_version(XENVER_capabilities, caps);
    caps[sizeof(caps) - 1] = '\0';
    if ( rc < 0 || !contains(caps, "xen-3.0-x86_32p") )
    {
        test_fail("XENVER_capabilities (rc %ld) lacks xen-3.0-x86_32p\n", rc);
        return false;
    }
    printk("Capabilities include xen-3.0-x86_32p\n");

    rc = HYPERVISOR_xen_version(XENVER_get_features, &fi);
    if ( rc < 0 )
    {
        test_fail("XENVER_get_features returned %ld\n", rc);
        return false;
    }
    printk("XENVER_get_features works\n");
    return true;
}

static bool check_bad_buffer(void)
{
    static const uint32_t bad[] = {
        0xF6000000u,    /* the hypervisor's part of the address space */
        0x80000000u,    /* guest part, but nothing mapped there */
    };
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(bad); i++ )
    {
        long rc = HYPERVISOR_console_io(CONSOLEIO_write, 8,
                                        (const char *)(unsigned long)bad[i]);

        if ( rc != -XEN_EFAULT )
        {
            test_fail("console_io from bad buffer %u returned %ld, expected %d\n",
                      i, rc, -XEN_EFAULT);
            return false;
        }
    }
    printk("console_io with bad buffers returns -EFAULT\n");
    return true;
}

/* An unused number, through its hypercall-page slot, must give -ENOSYS. */
static bool check_unknown_hypercall(void)
{
    static const uint8_t stub[] = { 0xb8, 60, 0, 0, 0, 0xcd, 0x82, 0xc3 };
    long rc;

    if ( memcmp(&hypercall_page[60 * HYPERCALL_PAGE_SLOT_SIZE], stub, sizeof(stub)) )
    {
        test_fail("hypercall page slot 60 holds no stub\n");
        return false;
    }
    rc = _hypercall0(60);
    if ( rc != -XEN_ENOSYS )
    {
        test_fail("hypercall 60 returned %ld, expected %d\n", rc, -XEN_ENOSYS);
        return false;
    }
    printk("Unknown hypercall returns -ENOSYS\n");
    return true;
}

void test_main(void)
{
    printk("Hello from a pvx guest\n");

    if ( !check_ring() || !check_start_info() || !check_p2m() ||
         !check_page_tables() || !check_xen_version() || !check_bad_buffer() ||
         !check_unknown_hypercall() )
        return;

    test_pass();
}
