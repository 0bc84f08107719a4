/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_lib.c - the formatter (against the host's printf) and size parsing.
 */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include <pvx/lib.h>
#include <pvx/setup.h>

#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-overflow"

#define SAME_AS_LIBC(...) do {                                              \
    char a_[128], b_[128];                                                  \
    int na_ = snprintk(a_, sizeof(a_), __VA_ARGS__);                        \
    int nb_ = snprintf(b_, sizeof(b_), __VA_ARGS__);                        \
    CU_ASSERT_STRING_EQUAL(a_, b_);                                         \
    CU_ASSERT_EQUAL(na_, nb_);                                              \
    if ( strcmp(a_, b_) ) fprintf(stderr, "\n  got '%s' want '%s'\n", a_, b_); \
} while ( 0 )

static void test_format_matches_libc(void)
{
    SAME_AS_LIBC("plain");
    SAME_AS_LIBC("%d %i %u", -42, 17, 3000000000u);
    SAME_AS_LIBC("%x %X %#x %#X %o %#o", 0xbeefu, 0xbeefu, 0x1fu, 0x1fu, 8u, 8u);
    SAME_AS_LIBC("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42);
    SAME_AS_LIBC("[%.3d] [%8.3d] [%-8.3x]", 7, 7, 0xau);
    SAME_AS_LIBC("%lld %llu %llx", -1234567890123ll, 18446744073709551615ull, 0x123456789abull);
    SAME_AS_LIBC("%ld %lu %zu %zx", -5l, 5ul, (size_t)99, (size_t)255);
    SAME_AS_LIBC("%hhu %hd %hx", 300, 70000, 0x12345);
    SAME_AS_LIBC("[%s] [%8s] [%-8s] [%.2s] [%*s] [%-*s]", "abc", "abc", "abc", "abc", 5, "x", 5, "y");
    SAME_AS_LIBC("%c%c [%3c] [%-3c]", 'o', 'k', 'z', 'z');
    SAME_AS_LIBC("100%% %d", 0);
    SAME_AS_LIBC("%#x %#o %x", 0u, 0u, 0u);
    SAME_AS_LIBC("%.0d|%5.0d|", 0, 0);
    SAME_AS_LIBC("%d %d", -2147483647 - 1, 2147483647);
}

static void test_format_truncates(void)
{
    char buf[8];
    int n = snprintk(buf, sizeof(buf), "%s", "0123456789");

    CU_ASSERT_EQUAL(n, 10);
    CU_ASSERT_STRING_EQUAL(buf, "0123456");
    n = snprintk(buf, 0, "%d", 12345);
    CU_ASSERT_EQUAL(n, 5);
    CU_ASSERT_EQUAL(snprintk(buf, sizeof(buf), "%s", (char *)NULL), 6);
    CU_ASSERT_STRING_EQUAL(buf, "(null)");
}

static void test_parse_size(void)
{
    static const struct { const char *s; bool ok; uint64_t v; } rows[] = {
        { "32M", true, 32ull << 20 }, { "1G", true, 1ull << 30 }, { "64k", true, 64ull << 10 },
        { "64", true, 64ull << 20 }, { "100B", true, 100 }, { "8M ", true, 8ull << 20 },
        { "4G", true, 4ull << 30 }, { "4096", true, 4096ull << 20 },
        { "", false, 0 }, { "M", false, 0 }, { "12Q", false, 0 }, { "5MB", false, 0 },
        { "-1M", false, 0 }, { "99999999999999999999999", false, 0 }, { "0", false, 0 },
        { "5G", false, 0 }, { "4097", false, 0 }, { "abc", false, 0 },
    };

    for ( size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++ )
    {
        uint64_t v = 0;
        bool ok = setup_parse_size(rows[i].s, &v);

        CU_ASSERT_EQUAL(ok, rows[i].ok);
        if ( ok != rows[i].ok )
            fprintf(stderr, "\n  parse_size('%s'): got %d want %d\n", rows[i].s, ok, rows[i].ok);
        if ( rows[i].ok )
            CU_ASSERT_EQUAL(v, rows[i].v);
    }
}

void unit_register_lib(void)
{
    CU_pSuite s = CU_add_suite("lib", NULL, NULL);

    CU_add_test(s, "vsnprintk matches the host printf", test_format_matches_libc);
    CU_add_test(s, "vsnprintk truncates and counts", test_format_truncates);
    CU_add_test(s, "size parsing for dom0_mem=", test_parse_size);
}
