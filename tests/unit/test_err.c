/* SPDX-License-Identifier: MIT */
/*
 * test_err.c - every minor code has a display text that begins with the
 * SSPI status it stands for (doc/design.md 4.3), and codes that are not ours
 * have none.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "cs.h"
#include "../check_run.h"

START_TEST(test_every_code_has_text)
{
    uint32_t code;

    for (code = CREDSSP_S_INCOMPLETE_MESSAGE; code < CREDSSP_S_MINOR_END;
         code++) {
        const char *t = cs_err_text(code);

        ck_assert_msg(t != NULL, "code 0x%x has no text", code);
        ck_assert_msg(strncmp(t, "SEC_E_", 6) == 0 ||
                          strncmp(t, "SEC_I_", 6) == 0,
                      "code 0x%x: %s", code, t);
        ck_assert_msg(strlen(t) > 20, "code 0x%x: too terse", code);
    }
}
END_TEST

START_TEST(test_foreign_codes)
{
    ck_assert_ptr_null(cs_err_text(22));
    ck_assert_ptr_null(cs_err_text(GSS_CREDSSP_MINOR_BASE));
    ck_assert_ptr_null(cs_err_text(CREDSSP_S_MINOR_END));
    ck_assert_ptr_null(cs_err_text(0x96c73a00u));
}
END_TEST

START_TEST(test_sspi_names)
{
    ck_assert_str_eq(strtok(strdup(cs_err_text(
                                CREDSSP_S_PUBKEYAUTH_MISMATCH)),
                            ":"),
                     "SEC_E_MUTUAL_AUTH_FAILED");
    ck_assert(strncmp(cs_err_text(CREDSSP_S_POLICY_NTLM_ONLY),
                      "SEC_E_POLICY_NLTM_ONLY:", 23) == 0);
    ck_assert(strncmp(cs_err_text(CREDSSP_S_INCOMPLETE_MESSAGE),
                      "SEC_E_INCOMPLETE_MESSAGE:", 25) == 0);
    ck_assert(strstr(cs_err_text(CREDSSP_S_POLICY_NTLM_ONLY),
                     "allow_delegation_ntlm_only") != NULL);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("err");
    TCase *tc = tcase_create("err");

    tcase_add_test(tc, test_every_code_has_text);
    tcase_add_test(tc, test_foreign_codes);
    tcase_add_test(tc, test_sspi_names);
    suite_add_tcase(s, tc);
    return check_run(s, false);
}
