/* SPDX-License-Identifier: MIT */
/*
 * test_utf16.c - Check suite for src/utf16.c: the UTF-8 <-> UTF-16LE
 * conversions of the text fields in TSCredentials.
 *
 * Valid text must round trip byte for byte (surrogate pairs included);
 * everything RFC 3629 and RFC 2781 call ill-formed must be refused with
 * CREDSSP_S_BAD_UTF16 and leave nothing behind.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tsrequest.h"
#include "../check_run.h"

/* Bytes given as a string literal, which may contain NULs. */
#define LIT(s) (const uint8_t *)(s), (sizeof(s) - 1)

/*
 * check_pair: utf8 (u8_len bytes) must convert to exactly the UTF-16LE
 * bytes want, and want must convert back to utf8.
 */
static void
check_pair(const uint8_t *utf8, size_t u8_len, const uint8_t *want,
           size_t want_len)
{
    cs_blob wide = { 0 };
    char *narrow = NULL;

    ck_assert_int_eq(cs_utf8_to_utf16le((const char *)utf8, u8_len, &wide),
                     CS_OK);
    ck_assert_uint_eq(wide.len, want_len);
    if (want_len > 0) {
        ck_assert_mem_eq(wide.data, want, want_len);
    } else {
        ck_assert_ptr_null(wide.data);
    }
    ck_assert_int_eq(cs_utf16le_to_utf8(want, want_len, &narrow), CS_OK);
    ck_assert_ptr_nonnull(narrow);
    ck_assert_uint_eq(strlen(narrow), u8_len);
    ck_assert_mem_eq(narrow, utf8, u8_len);
    cs_blob_free(&wide);
    free(narrow);
}

/* check_bad8: utf8 must be refused and leave the output empty. */
static void
check_bad8(const uint8_t *utf8, size_t len)
{
    cs_blob wide = { 0 };

    ck_assert_int_eq(cs_utf8_to_utf16le((const char *)utf8, len, &wide),
                     CREDSSP_S_BAD_UTF16);
    ck_assert_ptr_null(wide.data);
    ck_assert_uint_eq(wide.len, 0);
}

/* check_bad16: UTF-16LE in must be refused and leave *out NULL. */
static void
check_bad16(const uint8_t *in, size_t len)
{
    char *narrow = (char *)"not touched";

    ck_assert_int_eq(cs_utf16le_to_utf8(in, len, &narrow),
                     CREDSSP_S_BAD_UTF16);
    ck_assert_ptr_null(narrow);
}

/* enc8: the test's own UTF-8 encoder for a valid scalar value; returns the
 * number of bytes written to out. */
static size_t
enc8(uint32_t cp, uint8_t *out)
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xc0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xe0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (uint8_t)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (uint8_t)(0xf0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (uint8_t)(0x80 | (cp & 0x3f));
    return 4;
}

/* enc16: the test's own UTF-16LE encoder; returns the bytes written. */
static size_t
enc16(uint32_t cp, uint8_t *out)
{
    uint32_t hi, lo;

    if (cp < 0x10000) {
        out[0] = (uint8_t)cp;
        out[1] = (uint8_t)(cp >> 8);
        return 2;
    }
    hi = 0xd800 + ((cp - 0x10000) >> 10);
    lo = 0xdc00 + ((cp - 0x10000) & 0x3ff);
    out[0] = (uint8_t)hi;
    out[1] = (uint8_t)(hi >> 8);
    out[2] = (uint8_t)lo;
    out[3] = (uint8_t)(lo >> 8);
    return 4;
}

/* ASCII text converts to one code unit per byte. */
START_TEST(test_ascii)
{
    check_pair(LIT("password"),
               LIT("p\0a\0s\0s\0w\0o\0r\0d\0"));
    check_pair(LIT("DOMAIN\\user@x"),
               LIT("D\0O\0M\0A\0I\0N\0\\\0u\0s\0e\0r\0@\0x\0"));
    check_pair(LIT("\x01\x7f"), LIT("\x01\0\x7f\0"));
}
END_TEST

/* Empty text converts to an empty blob and to "". */
START_TEST(test_empty)
{
    cs_blob wide = { 0 };
    char *narrow = NULL;

    ck_assert_int_eq(cs_utf8_to_utf16le("", 0, &wide), CS_OK);
    ck_assert_ptr_null(wide.data);
    ck_assert_uint_eq(wide.len, 0);
    ck_assert_int_eq(cs_utf8_to_utf16le(NULL, 0, &wide), CS_OK);
    ck_assert_uint_eq(wide.len, 0);
    ck_assert_int_eq(cs_utf16le_to_utf8(NULL, 0, &narrow), CS_OK);
    ck_assert_ptr_nonnull(narrow);
    ck_assert_str_eq(narrow, "");
    free(narrow);
}
END_TEST

/* BMP characters of two and three UTF-8 bytes. */
START_TEST(test_bmp_known)
{
    check_pair(LIT("\xc3\xa9"), LIT("\xe9\x00"));              /* é */
    check_pair(LIT("\xe2\x82\xac"), LIT("\xac\x20"));          /* € */
    check_pair(LIT("\xe4\xb8\xad"), LIT("\x2d\x4e"));          /* 中 */
    check_pair(LIT("\xef\xbf\xbd"), LIT("\xfd\xff"));          /* U+FFFD */
    check_pair(LIT("\xef\xbb\xbf"), LIT("\xff\xfe"));          /* BOM kept */
    check_pair(LIT("Gr\xc3\xbc\xc3\x9f" "e"),
               LIT("G\0r\0\xfc\0\xdf\0e\0"));
}
END_TEST

/* Characters beyond the BMP become surrogate pairs and come back. */
START_TEST(test_non_bmp_known)
{
    check_pair(LIT("\xf0\x9f\x98\x80"), LIT("\x3d\xd8\x00\xde")); /* 😀 */
    check_pair(LIT("\xf0\x90\x80\x80"), LIT("\x00\xd8\x00\xdc")); /* 10000 */
    check_pair(LIT("\xf4\x8f\xbf\xbf"), LIT("\xff\xdb\xff\xdf")); /* max */
    check_pair(LIT("\xf0\x9d\x84\x9e"), LIT("\x34\xd8\x1e\xdd")); /* 𝄞 */
    check_pair(LIT("a\xf0\x9f\x98\x80" "b\xf0\x9f\x98\x81"),
               LIT("a\0\x3d\xd8\x00\xde" "b\0\x3d\xd8\x01\xde"));
}
END_TEST

/* The edges of each UTF-8 length and of the surrogate range. */
START_TEST(test_boundaries)
{
    static const uint32_t edges[] = {
        0x1, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd, 0xfffe,
        0xffff, 0x10000, 0x10ffff, 0xfffff, 0x100000
    };
    uint8_t u8[4], u16[4];
    size_t i, n8, n16;

    for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
        n8 = enc8(edges[i], u8);
        n16 = enc16(edges[i], u16);
        check_pair(u8, n8, u16, n16);
    }
}
END_TEST

/* An odd number of UTF-16 bytes is refused. */
START_TEST(test_utf16_odd_length)
{
    check_bad16(LIT("a"));
    check_bad16(LIT("a\0b"));
    check_bad16(LIT("a\0b\0c"));
    check_bad16(LIT("\x3d\xd8\x00"));
}
END_TEST

/* A high surrogate must be followed by a low one. */
START_TEST(test_utf16_lone_high)
{
    check_bad16(LIT("\x00\xd8"));
    check_bad16(LIT("\xff\xdb"));
    check_bad16(LIT("a\0\x3d\xd8"));
    check_bad16(LIT("\x3d\xd8" "a\0"));
    check_bad16(LIT("\x3d\xd8\x3d\xd8\x00\xde"));
    check_bad16(LIT("\x3d\xd8\x00\xe0"));
    check_bad16(LIT("\x3d\xd8\xff\xdb"));
}
END_TEST

/* A low surrogate may never come first. */
START_TEST(test_utf16_lone_low)
{
    check_bad16(LIT("\x00\xdc"));
    check_bad16(LIT("\xff\xdf"));
    check_bad16(LIT("a\0\x00\xde"));
    check_bad16(LIT("\x00\xde\x3d\xd8"));
    check_bad16(LIT("\x3d\xd8\x00\xde\x00\xde"));
}
END_TEST

/* U+0000 cannot live in a C string, so it is refused both ways. */
START_TEST(test_nul_refused)
{
    check_bad16(LIT("\0\0"));
    check_bad16(LIT("a\0\0\0b\0"));
    check_bad8(LIT("\0"));
    check_bad8(LIT("a\0b"));
}
END_TEST

/* Overlong UTF-8 forms, including the old 5- and 6-byte ones. */
START_TEST(test_utf8_overlong)
{
    check_bad8(LIT("\xc0\x80"));
    check_bad8(LIT("\xc0\xaf"));
    check_bad8(LIT("\xc1\xbf"));
    check_bad8(LIT("\xe0\x80\x80"));
    check_bad8(LIT("\xe0\x80\xaf"));
    check_bad8(LIT("\xe0\x9f\xbf"));
    check_bad8(LIT("\xf0\x80\x80\x80"));
    check_bad8(LIT("\xf0\x80\x80\xaf"));
    check_bad8(LIT("\xf0\x8f\xbf\xbf"));
    check_bad8(LIT("\xf8\x88\x80\x80\x80"));
    check_bad8(LIT("\xfc\x84\x80\x80\x80\x80"));
    check_bad8(LIT("ok\xc1\x81"));
}
END_TEST

/* Surrogate code points encoded in UTF-8 (CESU-8 included). */
START_TEST(test_utf8_surrogates)
{
    check_bad8(LIT("\xed\xa0\x80"));
    check_bad8(LIT("\xed\xaf\xbf"));
    check_bad8(LIT("\xed\xb0\x80"));
    check_bad8(LIT("\xed\xbf\xbf"));
    check_bad8(LIT("\xed\xa0\xbd\xed\xb8\x80"));
    check_bad8(LIT("a\xed\xb2\x80z"));
}
END_TEST

/* Code points above U+10FFFF and bytes that never occur. */
START_TEST(test_utf8_too_large)
{
    check_bad8(LIT("\xf4\x90\x80\x80"));
    check_bad8(LIT("\xf4\xbf\xbf\xbf"));
    check_bad8(LIT("\xf5\x80\x80\x80"));
    check_bad8(LIT("\xf7\xbf\xbf\xbf"));
    check_bad8(LIT("\xfe"));
    check_bad8(LIT("\xff"));
    check_bad8(LIT("a\xff"));
}
END_TEST

/* Sequences cut short, alone or at the end of valid text. */
START_TEST(test_utf8_truncated)
{
    static const char text[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";
    cs_blob wide = { 0 };
    size_t cut;

    check_bad8(LIT("\xc3"));
    check_bad8(LIT("\xe2\x82"));
    check_bad8(LIT("\xe2"));
    check_bad8(LIT("\xf0\x9f\x98"));
    check_bad8(LIT("\xf0\x9f"));
    check_bad8(LIT("\xf0"));
    check_bad8(LIT("abc\xc3"));
    /* Every prefix either ends on a character boundary or is refused. */
    for (cut = 0; cut <= sizeof(text) - 1; cut++) {
        bool boundary = cut == 0 || cut == 1 || cut == 3 || cut == 6 ||
                        cut == 10 || cut == 11;
        cs_err err = cs_utf8_to_utf16le(text, cut, &wide);

        ck_assert_int_eq(err, boundary ? CS_OK : CREDSSP_S_BAD_UTF16);
        cs_blob_free(&wide);
    }
}
END_TEST

/* Continuation bytes where a lead is due, and leads where a continuation
 * is due. */
START_TEST(test_utf8_bad_continuation)
{
    check_bad8(LIT("\x80"));
    check_bad8(LIT("\xbf"));
    check_bad8(LIT("a\x80"));
    check_bad8(LIT("\xc3\xa9\xa9"));
    check_bad8(LIT("\xc3\x28"));
    check_bad8(LIT("\xc3\xc3\xa9"));
    check_bad8(LIT("\xe2\x28\xa1"));
    check_bad8(LIT("\xe2\x82\x28"));
    check_bad8(LIT("\xf0\x28\x8c\xbc"));
    check_bad8(LIT("\xf0\x9f\x98" "A"));
    check_bad8(LIT("\xf0\x9f\x98\xc3\xa9"));
}
END_TEST

/* Every single UTF-16 code unit: surrogates and U+0000 are refused, the
 * rest convert to the expected UTF-8 and back. */
START_TEST(test_all_code_units)
{
    uint8_t in[2], want[4];
    char *narrow = NULL;
    cs_blob wide = { 0 };
    uint32_t u;
    size_t n;
    cs_err err;

    for (u = 0; u <= 0xffff; u++) {
        in[0] = (uint8_t)u;
        in[1] = (uint8_t)(u >> 8);
        err = cs_utf16le_to_utf8(in, 2, &narrow);
        if (u == 0 || (u >= 0xd800 && u <= 0xdfff)) {
            ck_assert_int_eq(err, CREDSSP_S_BAD_UTF16);
            ck_assert_ptr_null(narrow);
            continue;
        }
        ck_assert_int_eq(err, CS_OK);
        n = enc8(u, want);
        ck_assert_uint_eq(strlen(narrow), n);
        ck_assert_mem_eq(narrow, want, n);
        ck_assert_int_eq(cs_utf8_to_utf16le(narrow, n, &wide), CS_OK);
        ck_assert_uint_eq(wide.len, 2);
        ck_assert_mem_eq(wide.data, in, 2);
        cs_blob_free(&wide);
        free(narrow);
        narrow = NULL;
    }
}
END_TEST

/* Every scalar value from U+0001 to U+10FFFF in one string, in both
 * directions at once: 1,112,063 characters. */
START_TEST(test_all_scalars_roundtrip)
{
    size_t cap8 = 4 * 0x110000, cap16 = 4 * 0x110000, n8 = 0, n16 = 0;
    uint8_t *u8 = malloc(cap8), *u16 = malloc(cap16);
    cs_blob wide = { 0 };
    char *narrow = NULL;
    uint32_t cp;

    ck_assert_ptr_nonnull(u8);
    ck_assert_ptr_nonnull(u16);
    for (cp = 1; cp <= 0x10ffff; cp++) {
        if (cp >= 0xd800 && cp <= 0xdfff) {
            continue;
        }
        n8 += enc8(cp, u8 + n8);
        n16 += enc16(cp, u16 + n16);
    }
    ck_assert_int_eq(cs_utf8_to_utf16le((const char *)u8, n8, &wide),
                     CS_OK);
    ck_assert_uint_eq(wide.len, n16);
    ck_assert_int_eq(memcmp(wide.data, u16, n16), 0);
    ck_assert_int_eq(cs_utf16le_to_utf8(u16, n16, &narrow), CS_OK);
    ck_assert_uint_eq(strlen(narrow), n8);
    ck_assert_int_eq(memcmp(narrow, u8, n8), 0);
    cs_blob_free(&wide);
    free(narrow);
    free(u8);
    free(u16);
}
END_TEST

/*
 * rfc3629_second_ok: whether byte b may follow lead byte lead, from the
 * UTF8-2/3/4 rules of RFC 3629 section 4 (an oracle written apart from the
 * code under test).
 */
static bool
rfc3629_second_ok(uint8_t lead, uint8_t b)
{
    if (lead >= 0xc2 && lead <= 0xdf) {
        return b >= 0x80 && b <= 0xbf;
    }
    if (lead == 0xe0) {
        return b >= 0xa0 && b <= 0xbf;
    }
    if ((lead >= 0xe1 && lead <= 0xec) || lead == 0xee || lead == 0xef) {
        return b >= 0x80 && b <= 0xbf;
    }
    if (lead == 0xed) {
        return b >= 0x80 && b <= 0x9f;
    }
    if (lead == 0xf0) {
        return b >= 0x90 && b <= 0xbf;
    }
    if (lead >= 0xf1 && lead <= 0xf3) {
        return b >= 0x80 && b <= 0xbf;
    }
    if (lead == 0xf4) {
        return b >= 0x80 && b <= 0x8f;
    }
    return false;
}

/* Every lead byte from 0x80 with every second byte, completed with 0x80
 * continuation bytes to the length the lead announces: accepted exactly
 * when RFC 3629 allows it. */
START_TEST(test_lead_second_matrix)
{
    uint8_t seq[4];
    cs_blob wide = { 0 };
    unsigned lead, second;
    size_t len;
    cs_err err;

    for (lead = 0x80; lead <= 0xff; lead++) {
        len = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
        for (second = 0; second <= 0xff; second++) {
            seq[0] = (uint8_t)lead;
            seq[1] = (uint8_t)second;
            seq[2] = 0x80;
            seq[3] = 0x80;
            err = cs_utf8_to_utf16le((const char *)seq, len, &wide);
            ck_assert_int_eq(err, rfc3629_second_ok((uint8_t)lead,
                                                    (uint8_t)second)
                                      ? CS_OK
                                      : CREDSSP_S_BAD_UTF16);
            cs_blob_free(&wide);
        }
    }
}
END_TEST

/* Misuse: a non-empty output blob or a NULL pointer with a length. */
START_TEST(test_bad_arguments)
{
    uint8_t keep = 7;
    cs_blob used = { &keep, 1 };
    char *narrow = NULL;

    ck_assert_int_eq(cs_utf8_to_utf16le("a", 1, &used), CREDSSP_S_INTERNAL);
    ck_assert_ptr_eq(used.data, &keep);
    ck_assert_int_eq(cs_utf8_to_utf16le("a", 1, NULL), CREDSSP_S_INTERNAL);
    ck_assert_int_eq(cs_utf8_to_utf16le(NULL, 1, &(cs_blob){ 0 }),
                     CREDSSP_S_INTERNAL);
    ck_assert_int_eq(cs_utf16le_to_utf8(NULL, 2, &narrow),
                     CREDSSP_S_INTERNAL);
    ck_assert_int_eq(cs_utf16le_to_utf8((const uint8_t *)"a\0", 2, NULL),
                     CREDSSP_S_INTERNAL);
}
END_TEST

/* utf16_suite: the Check suite for src/utf16.c. */
static Suite *
utf16_suite(void)
{
    Suite *s = suite_create("utf16");
    TCase *valid = tcase_create("valid");
    TCase *invalid = tcase_create("invalid");
    TCase *exhaustive = tcase_create("exhaustive");

    tcase_add_test(valid, test_ascii);
    tcase_add_test(valid, test_empty);
    tcase_add_test(valid, test_bmp_known);
    tcase_add_test(valid, test_non_bmp_known);
    tcase_add_test(valid, test_boundaries);
    suite_add_tcase(s, valid);

    tcase_add_test(invalid, test_utf16_odd_length);
    tcase_add_test(invalid, test_utf16_lone_high);
    tcase_add_test(invalid, test_utf16_lone_low);
    tcase_add_test(invalid, test_nul_refused);
    tcase_add_test(invalid, test_utf8_overlong);
    tcase_add_test(invalid, test_utf8_surrogates);
    tcase_add_test(invalid, test_utf8_too_large);
    tcase_add_test(invalid, test_utf8_truncated);
    tcase_add_test(invalid, test_utf8_bad_continuation);
    tcase_add_test(invalid, test_bad_arguments);
    suite_add_tcase(s, invalid);

    /* Slow under valgrind: give these room. */
    tcase_set_timeout(exhaustive, 600);
    tcase_add_test(exhaustive, test_all_code_units);
    tcase_add_test(exhaustive, test_all_scalars_roundtrip);
    tcase_add_test(exhaustive, test_lead_second_matrix);
    suite_add_tcase(s, exhaustive);
    return s;
}

/* main: runs the suite; the exit status is what the test harness reads. */
int
main(void)
{
    return check_run(utf16_suite(), false);
}
