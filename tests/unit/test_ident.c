/* SPDX-License-Identifier: MIT */
/*
 * test_ident.c - src/ident.c: reading the authenticated name, matching
 * delegated credentials against it, the names a delegated password is
 * used under, and the case-insensitive comparison (issue 16, point 1).
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ident.h"
#include "../check_run.h"

static void
parse(enum cs_ident_kind kind, const char *text, struct cs_ident *id)
{
    ck_assert_int_eq(cs_ident_parse(kind, text, strlen(text), id), CS_OK);
}

START_TEST(test_parse)
{
    struct cs_ident id;

    parse(CS_IDENT_KRB5, "alice@CREDSSP.TEST", &id);
    ck_assert_str_eq(id.user, "alice");
    ck_assert_str_eq(id.domain, "CREDSSP.TEST");
    cs_ident_clear(&id);
    /* An enterprise name: the escaped '@' is the user's. */
    parse(CS_IDENT_KRB5, "alice\\@corp.example@CREDSSP.TEST", &id);
    ck_assert_str_eq(id.user, "alice@corp.example");
    ck_assert_str_eq(id.domain, "CREDSSP.TEST");
    cs_ident_clear(&id);
    /* Several components: nobody's user name. */
    parse(CS_IDENT_KRB5, "alice/admin@CREDSSP.TEST", &id);
    ck_assert_ptr_null(id.user);
    cs_ident_clear(&id);
    parse(CS_IDENT_NTLM, "CREDSSP\\alice", &id);
    ck_assert_str_eq(id.user, "alice");
    ck_assert_str_eq(id.domain, "CREDSSP");
    cs_ident_clear(&id);
    parse(CS_IDENT_NTLM, "carol", &id);
    ck_assert_str_eq(id.user, "carol");
    ck_assert_str_eq(id.domain, "");
    cs_ident_clear(&id);
    parse(CS_IDENT_NTLM, "CREDSSP\\", &id);
    ck_assert_ptr_null(id.user);
    cs_ident_clear(&id);
    parse(CS_IDENT_ANON, "WELLKNOWN/ANONYMOUS@WELLKNOWN:ANONYMOUS", &id);
    ck_assert_ptr_null(id.user);
    cs_ident_clear(&id);
    /* An embedded NUL: no name at all. */
    ck_assert_int_eq(cs_ident_parse(CS_IDENT_KRB5, "al\0ice@R", 8, &id),
                     CS_OK);
    ck_assert_int_eq(id.kind, CS_IDENT_NONE);
    ck_assert_ptr_null(id.user);
    cs_ident_clear(&id);
}
END_TEST

/* Unicode simple case mapping, both ways. */
START_TEST(test_nocase)
{
    ck_assert(cs_text_equal_nocase("Alice", "aLICE"));
    ck_assert(cs_text_equal_nocase("\xc3\x85lice", "\xc3\xa5LICE"));
    ck_assert(cs_text_equal_nocase("\xce\xa3\xce\xb9\xcf\x83",
                                   "\xcf\x83\xce\x99\xce\xa3"));
    ck_assert(!cs_text_equal_nocase("alice", "alicex"));
    ck_assert(!cs_text_equal_nocase("", "a"));
    ck_assert(cs_text_equal_nocase("", ""));
    /* Turkish dotless i upper-cases to I, but is not i. */
    ck_assert(!cs_text_equal_nocase("al\xc4\xb1" "ce", "alice"));
    ck_assert(!cs_text_equal_nocase("al\xc4\xb1" "ce", "ALICE"));
    /* Capital I with dot above lower-cases to i, but is not I. */
    ck_assert(!cs_text_equal_nocase("\xc4\xb0ris", "iris"));
    /* The Kelvin sign lower-cases to k, but is not K. */
    ck_assert(!cs_text_equal_nocase("\xe2\x84\xaa" "en", "ken"));
    /* Final sigma is not sigma. */
    ck_assert(!cs_text_equal_nocase("\xcf\x82", "\xcf\x83"));
    /* Not UTF-8: byte for byte. */
    ck_assert(cs_text_equal_nocase("a\xff", "a\xff"));
    ck_assert(!cs_text_equal_nocase("a\xff", "A\xff"));
}
END_TEST

static const struct {
    enum cs_ident_kind kind;
    const char *auth, *domain, *user;
    bool match;
} cases[] = {
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", "CREDSSP.TEST", "alice", true },
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", "credssp.test", "ALICE", true },
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", "CREDSSP", "alice", true },
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", "", "alice", true },
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", NULL, "alice", true },
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", "", "alice@credssp.test", true },
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", "", "alice@CREDSSP", true },
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", "", "CREDSSP\\alice", true },
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", "credssp", "alice@credssp.test",
      true },
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", "OTHER", "alice@credssp.test",
      false },
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", "", "alice@", false },
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", "", "@CREDSSP.TEST", false },
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", ".TEST", "alice", false },
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", "CREDSSP.", "alice", false },
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", "", "bob", false },
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", "CREDSSP.TES", "alice", false },
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", "", "alice@evil", false },
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", "", "EVIL\\alice", false },
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", "", "al\xc4\xb1" "ce", false },
    { CS_IDENT_KRB5, "alice\\@corp.example@CREDSSP.TEST", "",
      "alice@corp.example", true },
    { CS_IDENT_KRB5, "alice\\@corp.example@CREDSSP.TEST", "", "alice",
      false },
    { CS_IDENT_KRB5, "alice/admin@CREDSSP.TEST", "", "alice/admin",
      false },
    { CS_IDENT_KRB5, "\xc3\xa5sa@CREDSSP.TEST", "", "\xc3\x85SA", true },
    { CS_IDENT_NTLM, "CREDSSP\\alice", "credssp", "Alice", true },
    { CS_IDENT_NTLM, "CREDSSP\\alice", "credssp.test", "alice", true },
    { CS_IDENT_NTLM, "CREDSSP\\alice", "CREDSSP.TEST", "alice", true },
    { CS_IDENT_NTLM, "CREDSSP\\alice", "", "alice", true },
    { CS_IDENT_NTLM, "CREDSSP\\alice", "OTHER", "alice", false },
    { CS_IDENT_NTLM, "CREDSSP\\alice", "OTHER.TEST", "alice", false },
    /* No domain authenticated: none may be claimed. */
    { CS_IDENT_NTLM, "carol", "", "carol", true },
    { CS_IDENT_NTLM, "carol", "CREDSSP", "carol", false },
    { CS_IDENT_NTLM, "alice@corp.example", "", "alice@corp.example", true },
    { CS_IDENT_ANON, "WELLKNOWN/ANONYMOUS@WELLKNOWN:ANONYMOUS", "",
      "WELLKNOWN/ANONYMOUS", false },
    { CS_IDENT_NONE, "", "", "", false },
};

START_TEST(test_match)
{
    struct cs_ident id;

    parse(cases[_i].kind, cases[_i].auth, &id);
    ck_assert_msg(cs_ident_match(&id, cases[_i].domain, cases[_i].user) ==
                      cases[_i].match,
                  "%s against [%s]\\[%s]", cases[_i].auth,
                  cases[_i].domain ? cases[_i].domain : "(null)",
                  cases[_i].user);
    cs_ident_clear(&id);
}
END_TEST

/* The names a delegated password is used under come from the
 * authenticated identity; the client's domain never makes a realm. */
static const struct {
    enum cs_ident_kind kind;
    const char *auth;
    bool matched;
    const char *user, *name, *principal;
} names[] = {
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", true, "ALICE", "alice@CREDSSP.TEST",
      "alice@CREDSSP.TEST" },
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", false, "bob@EVIL.EXAMPLE",
      "bob@CREDSSP.TEST", "bob@CREDSSP.TEST" },
    { CS_IDENT_KRB5, "alice@CREDSSP.TEST", false, "EVIL\\bob/admin",
      "bob\\/admin@CREDSSP.TEST", "bob\\/admin@CREDSSP.TEST" },
    { CS_IDENT_NTLM, "CREDSSP\\alice", true, "ALICE", "CREDSSP\\alice",
      "alice" },
    { CS_IDENT_NTLM, "CREDSSP\\alice", false, "bob@evil.example",
      "CREDSSP\\bob", "bob" },
    { CS_IDENT_NTLM, "carol", true, "carol", "carol", "carol" },
    { CS_IDENT_NTLM, "alice@corp.example", true, "alice@corp.example",
      "alice@corp.example", "alice\\@corp.example" },
    { CS_IDENT_ANON, "WELLKNOWN/ANONYMOUS@WELLKNOWN:ANONYMOUS", false,
      "bob", "bob", "bob" },
};

START_TEST(test_names)
{
    struct cs_ident id;
    char *name = NULL, *principal = NULL;

    parse(names[_i].kind, names[_i].auth, &id);
    ck_assert_int_eq(cs_ident_names(&id, names[_i].matched, names[_i].user,
                                    &name, &principal),
                     CS_OK);
    ck_assert_str_eq(name, names[_i].name);
    ck_assert_str_eq(principal, names[_i].principal);
    free(name);
    free(principal);
    cs_ident_clear(&id);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("ident");
    TCase *tc = tcase_create("ident");

    tcase_add_test(tc, test_parse);
    tcase_add_test(tc, test_nocase);
    tcase_add_loop_test(tc, test_match, 0,
                        (int)(sizeof(cases) / sizeof(cases[0])));
    tcase_add_loop_test(tc, test_names, 0,
                        (int)(sizeof(names) / sizeof(names[0])));
    suite_add_tcase(s, tc);
    return check_run(s, false);
}
