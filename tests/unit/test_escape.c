/* SPDX-License-Identifier: MIT */
/*
 * test_escape.c - src/escape.c, the one helper that makes text a peer
 * chose safe to print (issue 16, point 9).
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "escape.h"
#include "../check_run.h"

static const struct {
    const char *in;
    size_t len;                   /* 0: strlen */
    const char *out;
} cases[] = {
    { "alice@CREDSSP.TEST", 0, "alice@CREDSSP.TEST" },
    { "CREDSSP\\alice", 0, "CREDSSP\\alice" },
    /* An ANSI sequence that clears the screen, a newline, a bell. */
    { "\x1b[2J\nbob\a", 0, "\\x1b[2J\\x0abob\\x07" },
    { "a\rb\tc\x7f", 0, "a\\x0db\\x09c\\x7f" },
    /* An embedded NUL is a byte like any other. */
    { "a\0b", 3, "a\\x00b" },
    /* Well-formed UTF-8 stays. */
    { "\xc3\x85sa \xe2\x82\xac \xf0\x9f\x94\x91", 0,
      "\xc3\x85sa \xe2\x82\xac \xf0\x9f\x94\x91" },
    /* C1 controls (CSI U+009B), line separator, bidi override, zero
     * width space, BOM: escaped byte by byte. */
    { "\xc2\x9b" "2J", 0, "\\xc2\\x9b2J" },
    { "a\xe2\x80\xa8" "b", 0, "a\\xe2\\x80\\xa8b" },
    { "\xe2\x80\xae" "cod.exe", 0, "\\xe2\\x80\\xaecod.exe" },
    { "x\xe2\x80\x8by", 0, "x\\xe2\\x80\\x8by" },
    { "\xef\xbb\xbfz", 0, "\\xef\\xbb\\xbfz" },
    /* Not UTF-8: a lone continuation, an overlong '/', a surrogate, a
     * truncated sequence. */
    { "\x80", 0, "\\x80" },
    { "\xc0\xaf", 0, "\\xc0\\xaf" },
    { "\xed\xa0\x80", 0, "\\xed\\xa0\\x80" },
    { "ok\xe2\x82", 0, "ok\\xe2\\x82" },
};

START_TEST(test_cases)
{
    size_t len = cases[_i].len ? cases[_i].len : strlen(cases[_i].in);
    char out[256];

    ck_assert_uint_eq(cs_escape(out, sizeof(out), cases[_i].in, len),
                      strlen(cases[_i].out));
    ck_assert_str_eq(out, cases[_i].out);
}
END_TEST

/* Output that does not fit is cut between pieces, never inside an escape
 * or a character; the return value is the whole length. */
START_TEST(test_truncation)
{
    char out[8];

    ck_assert_uint_eq(cs_escape(out, sizeof(out), "ab\x1b" "cd", 5), 8);
    ck_assert_str_eq(out, "ab\\x1bc");
    ck_assert_uint_eq(cs_escape(out, 6, "ab\x1b" "cd", 5), 8);
    ck_assert_str_eq(out, "ab");
    ck_assert_uint_eq(cs_escape(out, 4, "a\xe2\x82\xac", 4), 4);
    ck_assert_str_eq(out, "a");
    ck_assert_uint_eq(cs_escape(NULL, 0, "\n", 1), 4);
}
END_TEST

/* Every byte value alone: the output never holds a control byte. */
START_TEST(test_no_control_survives)
{
    char in[1], out[8];
    int b;
    size_t i;

    for (b = 0; b < 256; b++) {
        in[0] = (char)b;
        cs_escape(out, sizeof(out), in, 1);
        for (i = 0; out[i] != '\0'; i++) {
            ck_assert_msg((unsigned char)out[i] >= 0x20 &&
                              (unsigned char)out[i] != 0x7f,
                          "byte 0x%02x", b);
        }
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("escape");
    TCase *tc = tcase_create("escape");

    tcase_add_loop_test(tc, test_cases, 0,
                        (int)(sizeof(cases) / sizeof(cases[0])));
    tcase_add_test(tc, test_truncation);
    tcase_add_test(tc, test_no_control_survives);
    suite_add_tcase(s, tc);
    return check_run(s, false);
}
