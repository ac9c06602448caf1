/* SPDX-License-Identifier: MIT */
/*
 * test_policy.c - src/policy.c without a KDC: which targets the
 * delegation-policy patterns of allow_delegation,
 * allow_delegation_ntlm_only and frame_initial_token match.  The lists
 * behave like Windows' "Allow delegating fresh credentials": comma-
 * separated shell wildcards, case-insensitive, blanks around a pattern
 * ignored, "*" for every target, and no pattern (NULL) for none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "settings.h"
#include "policy.h"
#include "../check_run.h"

static const struct {
    const char *patterns, *spn;
    bool match;
} cases[] = {
    /* Exact names, either case. */
    { "TERMSRV/host.example.com", "TERMSRV/host.example.com", true },
    { "TERMSRV/host.example.com", "termsrv/HOST.Example.COM", true },
    { "TERMSRV/host.example.com", "TERMSRV/host.example.co", false },
    { "TERMSRV/host.example.com", "TERMSRV/host.example.com.evil", false },
    { "TERMSRV/host.example.com", "HTTP/host.example.com", false },
    /* "*" matches every target, even the empty one. */
    { "*", "TERMSRV/anything", true },
    { "*", "", true },
    /* Wildcards within a name. */
    { "TERMSRV/*", "TERMSRV/a.example.com", true },
    { "TERMSRV/*", "HTTP/a.example.com", false },
    { "TERMSRV/*.example.com", "TERMSRV/a.example.com", true },
    { "TERMSRV/*.example.com", "TERMSRV/example.com", false },
    { "TERMSRV/*.example.com", "TERMSRV/a.example.org", false },
    { "*/db?.example.com", "MSSQLSvc/db1.example.com", true },
    { "*/db?.example.com", "MSSQLSvc/db10.example.com", false },
    { "TERMSRV/lab-[0-9]", "TERMSRV/lab-7", true },
    { "TERMSRV/lab-[0-9]", "TERMSRV/lab-x", false },
    /* Lists: any one matches; blanks and tabs around a pattern, empty
     * entries and a trailing comma are ignored. */
    { "HTTP/web, TERMSRV/rdp", "TERMSRV/rdp", true },
    { "HTTP/web,TERMSRV/rdp", "HTTP/web", true },
    { " \tHTTP/web\t ,  TERMSRV/rdp  ", "TERMSRV/rdp", true },
    { "HTTP/web,,TERMSRV/rdp,", "TERMSRV/rdp", true },
    { "HTTP/web, TERMSRV/rdp", "HOST/rdp", false },
    /* A blank inside a pattern is part of it. */
    { "TERMSRV/a b", "TERMSRV/a b", true },
    { "TERMSRV/a b", "TERMSRV/ab", false },
    /* Nothing to match: an empty list, only blanks and commas. */
    { "", "TERMSRV/x", false },
    { "", "", false },
    { " , ,\t", "TERMSRV/x", false },
    { " , ,\t", "", false },
};

START_TEST(test_patterns)
{
    ck_assert_msg(cs_pattern_match(cases[_i].patterns, cases[_i].spn) ==
                      cases[_i].match,
                  "\"%s\" against \"%s\": want %s", cases[_i].patterns,
                  cases[_i].spn, cases[_i].match ? "match" : "no match");
}
END_TEST

/* No list, or no target: never a match. */
START_TEST(test_null)
{
    ck_assert(!cs_pattern_match(NULL, "TERMSRV/x"));
    ck_assert(!cs_pattern_match("*", NULL));
    ck_assert(!cs_pattern_match(NULL, NULL));
}
END_TEST

/* The patterns are not changed by matching (the caller's settings keep
 * them for the next context). */
START_TEST(test_patterns_kept)
{
    const char list[] = " HTTP/web , TERMSRV/* ";
    char copy[sizeof(list)];

    memcpy(copy, list, sizeof(list));
    ck_assert(cs_pattern_match(copy, "TERMSRV/x"));
    ck_assert(!cs_pattern_match(copy, "HOST/x"));
    ck_assert_str_eq(copy, list);
}
END_TEST

/* The lists as credssp.conf gives them: the value after '=' with its
 * outer blanks trimmed, commas and inner blanks kept. */
START_TEST(test_from_config)
{
    static const char conf[] =
        "allow_delegation = TERMSRV/*.corp.example, HTTP/intranet\n"
        "allow_delegation_ntlm_only =   TERMSRV/lab-*  \n"
        "frame_initial_token = HTTP/*\n";
    struct cs_settings s;
    char text[128];
    FILE *f = fmemopen((void *)conf, strlen(conf), "r");

    ck_assert_ptr_nonnull(f);
    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(cs_config_parse(f, "p.conf", &s, text, sizeof(text)),
                     CS_OK);
    fclose(f);
    ck_assert(cs_pattern_match(s.deleg, "TERMSRV/rdp1.corp.example"));
    ck_assert(cs_pattern_match(s.deleg, "http/INTRANET"));
    ck_assert(!cs_pattern_match(s.deleg, "TERMSRV/rdp1.example"));
    ck_assert(cs_pattern_match(s.ntlm_deleg, "TERMSRV/lab-3"));
    ck_assert(!cs_pattern_match(s.ntlm_deleg, "TERMSRV/prod-3"));
    ck_assert(cs_pattern_match(s.frame_initial, "HTTP/winrm"));
    ck_assert(!cs_pattern_match(s.frame_initial, "TERMSRV/winrm"));
    cs_settings_clear(&s);
    /* Unset: no list, so no target matches (the initiator reads an unset
     * allow_delegation as every target, an unset
     * allow_delegation_ntlm_only as none). */
    ck_assert(!cs_pattern_match(s.ntlm_deleg, "TERMSRV/lab-3"));
}
END_TEST

int
main(void)
{
    Suite *su = suite_create("policy");
    TCase *tc = tcase_create("patterns");

    tcase_add_loop_test(tc, test_patterns, 0,
                        (int)(sizeof(cases) / sizeof(cases[0])));
    tcase_add_test(tc, test_null);
    tcase_add_test(tc, test_patterns_kept);
    tcase_add_test(tc, test_from_config);
    suite_add_tcase(su, tc);
    return check_run(su, false);
}
