/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_string.c - the 32-bit images' memory functions (lib/string.c)
 * against the host's libc, at every alignment of source and destination.
 *
 * Host programs link libc's versions, so the build compiles string.c under
 * other names for this test (pvx_memcpy, ...; testsuite/build.mk).
 */
#include <stddef.h>

/* lib/string.c, compiled under these names (testsuite/build.mk). */
void *pvx_memcpy(void *dst, const void *src, size_t n);
void *pvx_memmove(void *dst, const void *src, size_t n);
void *pvx_memset(void *dst, int c, size_t n);
int pvx_memcmp(const void *a, const void *b, size_t n);
size_t pvx_strlen(const char *s);
size_t pvx_strnlen(const char *s, size_t max);
int pvx_strcmp(const char *a, const char *b);
int pvx_strncmp(const char *a, const char *b, size_t n);
char *pvx_strchr(const char *s, int c);

#include <string.h>
#include "unit.h"

enum { LEN = 72, BUF = LEN + 16 };

static void fill(unsigned char *p, size_t n, unsigned int seed)
{
    for ( size_t i = 0; i < n; i++ )
        p[i] = (unsigned char)(seed * 31 + i * 7 + 1);
}

static void test_memcpy_memset_alignments(void)
{
    _Alignas(8) unsigned char src[BUF], a[BUF], b[BUF];
    unsigned int bad = 0;

    for ( size_t so = 0; so < 8; so++ )
        for ( size_t dof = 0; dof < 8; dof++ )
            for ( size_t n = 0; n <= LEN; n++ )
            {
                fill(src, BUF, (unsigned int)(so + dof + n));
                fill(a, BUF, 99);
                fill(b, BUF, 99);
                CU_ASSERT_PTR_EQUAL(pvx_memcpy(a + dof, src + so, n), a + dof);
                memcpy(b + dof, src + so, n);
                bad += memcmp(a, b, BUF) != 0;

                fill(a, BUF, 5);
                fill(b, BUF, 5);
                CU_ASSERT_PTR_EQUAL(pvx_memset(a + dof, 0xa5 + (int)n, n), a + dof);
                memset(b + dof, 0xa5 + (int)n, n);
                bad += memcmp(a, b, BUF) != 0;
            }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_memmove_overlaps(void)
{
    _Alignas(8) unsigned char a[BUF * 2], b[BUF * 2];
    unsigned int bad = 0;

    /* Both directions, distances below and above a word. */
    for ( size_t from = 0; from < 16; from++ )
        for ( size_t to = 0; to < 16; to++ )
            for ( size_t n = 0; n <= LEN; n += 5 )
            {
                fill(a, sizeof(a), (unsigned int)n);
                fill(b, sizeof(b), (unsigned int)n);
                CU_ASSERT_PTR_EQUAL(pvx_memmove(a + to, a + from, n), a + to);
                memmove(b + to, b + from, n);
                bad += memcmp(a, b, sizeof(a)) != 0;
            }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_compare_and_strings(void)
{
    CU_ASSERT_EQUAL(pvx_memcmp("abc", "abd", 3) < 0, 1);
    CU_ASSERT_EQUAL(pvx_memcmp("abd", "abc", 3) > 0, 1);
    CU_ASSERT_EQUAL(pvx_memcmp("abc", "abd", 2), 0);
    CU_ASSERT_EQUAL(pvx_strlen(""), 0);
    CU_ASSERT_EQUAL(pvx_strlen("pvx"), 3);
    CU_ASSERT_EQUAL(pvx_strnlen("pvx", 2), 2);
    CU_ASSERT_EQUAL(pvx_strcmp("a", "b") < 0, 1);
    CU_ASSERT_EQUAL(pvx_strcmp("same", "same"), 0);
    CU_ASSERT_EQUAL(pvx_strncmp("name=x", "name=y", 5), 0);
    CU_ASSERT_STRING_EQUAL(pvx_strchr("a=b", '='), "=b");
    CU_ASSERT_PTR_NULL(pvx_strchr("ab", '='));
}

void unit_register_string(void)
{
    CU_pSuite s = CU_add_suite("string", NULL, NULL);

    CU_add_test(s, "memcpy/memset at every alignment", test_memcpy_memset_alignments);
    CU_add_test(s, "memmove overlapping both ways", test_memmove_overlaps);
    CU_add_test(s, "memcmp and the string functions", test_compare_and_strings);
}
