/* SPDX-License-Identifier: MIT */
/*
 * test_status.c - what the application sees when authentication fails:
 * our own minor code, whose gss_display_status text starts with the SSPI
 * name and carries the inner mechanism's own message where there is one;
 * and what the peer is told.  Through the real mechglue, KDC and
 * gss-ntlmssp; the hostile tokens come from the scripted peer (peer.c).
 */
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "hs.h"
#include "peer.h"

/* has: whether text contains want (an assertion message either way). */
#define has(text, want)                                                   \
    ck_assert_msg(strstr((text), (want)) != NULL, "\"%s\" lacks \"%s\"",  \
                  (text), (want))

/*
 * A wrong Kerberos password: the KDC refuses it when the initiator gets
 * its ticket, before any token leaves.  Our logon-denied minor, with
 * krb5's own reason.
 */
START_TEST(test_kerberos_wrong_password)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = "kerberos";
    o.password = "not-the-password";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    fprintf(stderr, "kerberos, wrong password: initiator [%s]\n",
            r.init_error);
    ck_assert_uint_eq(r.init_major, GSS_S_FAILURE);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_LOGON_FAILED);
    has(r.init_error, "SEC_E_LOGON_DENIED: ");
    ck_assert_msg(strstr(r.init_error, "(Kerberos: Decrypt integrity "
                                       "check failed)") != NULL ||
                      strstr(r.init_error, "(Kerberos: Preauthentication "
                                           "failed)") != NULL,
                  "%s", r.init_error);
}
END_TEST

/*
 * A wrong password with NTLM (raw) and with SPNEGO: the acceptor's inner
 * mech refuses it; both sides say SEC_E_LOGON_DENIED, the acceptor with
 * gss-ntlmssp's message, the initiator with the errorCode it got.  With
 * SPNEGO for alice, who also has a Kerberos principal, the KDC refuses the
 * password first and SPNEGO goes on with NTLM, with the same end.
 */
START_TEST(test_wrong_password_ntlm_spnego)
{
    struct hs_opts o = { 0 };
    struct hs_result r;
    char user[128];

    snprintf(user, sizeof(user), "%s\\carol",
             hs_env("CREDSSP_TEST_NTLM_DOMAIN"));
    o.mech = _i == 0 ? "ntlm" : "spnego";
    o.user = _i == 2 ? NULL : user;
    o.password = "not-the-password";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    fprintf(stderr, "%s (%s), wrong password: acceptor [%s] initiator "
            "[%s]\n", o.mech, _i == 2 ? "alice" : user, r.acc_error,
            r.init_error);
    ck_assert_uint_eq(r.acc_major, GSS_S_FAILURE);
    ck_assert_uint_eq(r.acc_minor, CREDSSP_S_LOGON_FAILED);
    has(r.acc_error, "SEC_E_LOGON_DENIED: ");
    has(r.acc_error, "(NTLM: ");
    ck_assert_uint_eq(r.init_major, GSS_S_FAILURE);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_PEER_LOGON_FAILURE);
    has(r.init_error, "SEC_E_LOGON_DENIED: the peer reported "
                      "STATUS_LOGON_FAILURE");
}
END_TEST

/*
 * An inner token that cannot be decoded (an NTLM message cut to 20
 * bytes): SEC_E_INVALID_TOKEN with gss-ntlmssp's own message, in both
 * roles; the acceptor tells the peer STATUS_INVALID_PARAMETER.
 */
START_TEST(test_inner_token_undecodable)
{
    struct peer_script s = { .acceptor = _i == 1, .ntlm = true,
                             .garbage_inner = true };
    struct peer_result r;

    peer_run(&s, &r);
    fprintf(stderr, "garbage NTLM %s: [%s]\n",
            s.acceptor ? "CHALLENGE" : "NEGOTIATE", r.error);
    ck_assert_uint_eq(r.major, GSS_S_DEFECTIVE_TOKEN);
    ck_assert_uint_eq(r.minor, CREDSSP_S_INNER_BAD_TOKEN);
    has(r.error, "SEC_E_INVALID_TOKEN: ");
    has(r.error, "(NTLM: Failed to decode data)");
    if (!s.acceptor) {
        ck_assert(r.final_token);
        ck_assert_int_eq(r.final_err, CREDSSP_S_PEER_ERROR);
    }
    peer_result_clear(&r);
}
END_TEST

/*
 * No common mechanism: the acceptor's credential comes from a cred store,
 * so its SPNEGO offers Kerberos only; the initiator's user (carol) has no
 * Kerberos principal, so its SPNEGO offers NTLM only.  The acceptor says
 * so (SEC_E_SECPKG_NOT_FOUND) and tells the peer STATUS_NO_SUCH_PACKAGE,
 * not STATUS_LOGON_FAILURE: the initiator's user learns there was no
 * common mechanism, not that the password was wrong.
 */
START_TEST(test_no_common_mech)
{
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    gss_key_value_element_desc kt = { "keytab", NULL };
    gss_key_value_set_desc store = { 1, &kt };
    struct hs_opts o = { 0 };
    struct hs_result r;
    OM_uint32 minor;
    char user[128];

    kt.value = hs_env("KRB5_KTNAME");
    ck_assert_uint_eq(gss_acquire_cred_from(&minor, GSS_C_NO_NAME, 0, &set,
                                            GSS_C_ACCEPT, &store,
                                            &o.acc_cred, NULL, NULL),
                      GSS_S_COMPLETE);
    snprintf(user, sizeof(user), "%s\\carol",
             hs_env("CREDSSP_TEST_NTLM_DOMAIN"));
    o.mech = "spnego";
    o.user = user;
    o.password = "Carol-pass-3";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    fprintf(stderr, "no common mechanism: acceptor [%s] initiator [%s]\n",
            r.acc_error, r.init_error);
    ck_assert_uint_eq(r.acc_major, GSS_S_BAD_MECH);
    ck_assert_uint_eq(r.acc_minor, CREDSSP_S_NO_COMMON_MECH);
    has(r.acc_error, "SEC_E_SECPKG_NOT_FOUND: no common authentication "
                     "mechanism");
    ck_assert_uint_eq(r.init_major, GSS_S_BAD_MECH);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_PEER_NO_COMMON_MECH);
    has(r.init_error, "STATUS_NO_SUCH_PACKAGE");
    has(r.init_error, "no common authentication mechanism");
    gss_release_cred(&minor, &o.acc_cred);
}
END_TEST

/*
 * A KDC that does not answer: not a logon failure but no credential, our
 * SEC_E_NO_CREDENTIALS minor with krb5's reason.
 */
START_TEST(test_kdc_unreachable)
{
    struct hs_opts o = { 0 };
    struct hs_result r;
    char user[128];

    /* A realm whose KDC is 127.0.0.1:1 (the fixture's krb5.conf). */
    snprintf(user, sizeof(user), "%s@UNREACHABLE.TEST",
             hs_env("CREDSSP_TEST_USER"));
    o.mech = "kerberos";
    o.user = user;
    ck_assert_int_ne(hs_run(&o, &r), 0);
    fprintf(stderr, "no KDC: initiator [%s]\n", r.init_error);
    ck_assert_uint_eq(r.init_major, GSS_S_NO_CRED);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_NO_INNER_CRED);
    has(r.init_error, "SEC_E_NO_CREDENTIALS: ");
    has(r.init_error, "(Kerberos: ");
}
END_TEST

static Suite *
status_suite(void)
{
    Suite *s = suite_create("status");
    TCase *tc = tcase_create("status");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_kerberos_wrong_password);
    tcase_add_loop_test(tc, test_wrong_password_ntlm_spnego, 0, 3);
    tcase_add_loop_test(tc, test_inner_token_undecodable, 0, 2);
    tcase_add_test(tc, test_no_common_mech);
    tcase_add_test(tc, test_kdc_unreachable);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return hs_main(status_suite());
}
