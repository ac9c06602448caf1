/* SPDX-License-Identifier: MIT */
/*
 * fixture_selftest.c - the test fixture (tests/fixture/kdc-fixture.sh)
 * works on its own: a plain Kerberos handshake against its KDC and keytab,
 * and a plain NTLM handshake with gss-ntlmssp and its NTLM_USER_FILE, both
 * through the real mechglue, with the acceptor seeing the right name; and
 * a wrong password fails for both.  When these pass and a CredSSP test
 * fails, the failure is the mechanism's, not the fixture's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>

#include "hs.h"
#include "../check_run.h"

static gss_OID_desc krb5_oid = {
    9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"
};
static gss_OID_desc ntlm_oid = {
    10, (void *)"\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a"
};

/* What one plain handshake gave. */
struct plain_result {
    OM_uint32 init_major, acc_major;
    char name[256];               /* the acceptor's src_name, displayed */
    size_t name_len;              /* its length as gss_display_name said */
    char init_error[512], acc_error[512];
    gss_OID acc_mech;             /* mech_type from accept */
    int legs;
};

/*
 * check_major: asserts a GSS call succeeded, with both status texts when
 * it did not.
 */
static void
check_major(const char *what, OM_uint32 major, OM_uint32 minor)
{
    char text[512];

    if (major != GSS_S_COMPLETE) {
        hs_status_text(major, minor, text, sizeof(text));
        ck_abort_msg("%s: 0x%x/0x%x: %s", what, major, minor, text);
    }
}

/*
 * import: a name of the given type.
 */
static gss_name_t
import(const char *text, gss_OID type)
{
    gss_buffer_desc b = { strlen(text), (void *)text };
    gss_name_t name = GSS_C_NO_NAME;
    OM_uint32 major, minor;

    major = gss_import_name(&minor, &b, type, &name);
    check_major("gss_import_name", major, minor);
    return name;
}

/*
 * acquire_init: an initiator credential for user with password for one
 * mechanism; returns the major status.
 */
static OM_uint32
acquire_init(const char *user, const char *pw, gss_OID mech,
             gss_cred_id_t *cred, OM_uint32 *minor)
{
    gss_buffer_desc pwbuf = { strlen(pw), (void *)pw };
    gss_name_t name = import(user, GSS_C_NT_USER_NAME);
    gss_OID_set_desc set = { 1, mech };
    OM_uint32 major, tmp;

    major = gss_acquire_cred_with_password(minor, name, &pwbuf, 0, &set,
                                           GSS_C_INITIATE, cred, NULL,
                                           NULL);
    gss_release_name(&tmp, &name);
    return major;
}

/*
 * plain_handshake: init (mech, icred, target host@localhost) against
 * accept (acred) in process until both complete or one fails.
 */
static void
plain_handshake(gss_OID mech, gss_cred_id_t icred, gss_cred_id_t acred,
                struct plain_result *r)
{
    gss_name_t target = import("host@localhost", GSS_C_NT_HOSTBASED_SERVICE);
    gss_ctx_id_t ictx = GSS_C_NO_CONTEXT, actx = GSS_C_NO_CONTEXT;
    gss_buffer_desc c2s = GSS_C_EMPTY_BUFFER, s2c = GSS_C_EMPTY_BUFFER;
    gss_buffer_desc disp;
    gss_name_t src = GSS_C_NO_NAME;
    OM_uint32 imin = 0, amin = 0, minor;
    int guard;

    memset(r, 0, sizeof(*r));
    r->init_major = r->acc_major = GSS_S_CONTINUE_NEEDED;
    for (guard = 0; guard < 16; guard++) {
        r->init_major = gss_init_sec_context(
            &imin, icred, &ictx, target, mech,
            GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG, 0,
            GSS_C_NO_CHANNEL_BINDINGS, guard ? &s2c : GSS_C_NO_BUFFER, NULL,
            &c2s, NULL, NULL);
        gss_release_buffer(&minor, &s2c);
        if (GSS_ERROR(r->init_major) || c2s.length == 0) {
            break;
        }
        r->legs++;
        r->acc_major = gss_accept_sec_context(
            &amin, &actx, acred, &c2s, GSS_C_NO_CHANNEL_BINDINGS, &src,
            &r->acc_mech, &s2c, NULL, NULL, NULL);
        gss_release_buffer(&minor, &c2s);
        if (GSS_ERROR(r->acc_major)) {
            break;
        }
        if (s2c.length > 0) {
            r->legs++;
        }
        if (r->init_major == GSS_S_COMPLETE && s2c.length == 0) {
            break;
        }
    }
    if (GSS_ERROR(r->init_major)) {
        hs_status_text(r->init_major, imin, r->init_error,
                       sizeof(r->init_error));
    }
    if (GSS_ERROR(r->acc_major)) {
        hs_status_text(r->acc_major, amin, r->acc_error,
                       sizeof(r->acc_error));
    }
    if (r->acc_major == GSS_S_COMPLETE && src != GSS_C_NO_NAME &&
        gss_display_name(&minor, src, &disp, NULL) == GSS_S_COMPLETE) {
        snprintf(r->name, sizeof(r->name), "%.*s", (int)disp.length,
                 (char *)disp.value);
        r->name_len = disp.length;
        gss_release_buffer(&minor, &disp);
    }
    gss_release_buffer(&minor, &c2s);
    gss_release_buffer(&minor, &s2c);
    gss_release_name(&minor, &src);
    gss_release_name(&minor, &target);
    gss_delete_sec_context(&minor, &ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&minor, &actx, GSS_C_NO_BUFFER);
}

/*
 * check_complete: both sides completed and the acceptor saw want_name
 * through want_mech.
 */
static void
check_complete(const struct plain_result *r, gss_OID want_mech,
               const char *want_name)
{
    ck_assert_msg(r->init_major == GSS_S_COMPLETE &&
                      r->acc_major == GSS_S_COMPLETE,
                  "handshake: init 0x%x [%s] acc 0x%x [%s]", r->init_major,
                  r->init_error, r->acc_major, r->acc_error);
    ck_assert_ptr_nonnull(r->acc_mech);
    ck_assert_msg(gss_oid_equal(r->acc_mech, want_mech),
                  "accepted with another mechanism");
    ck_assert_str_eq(r->name, want_name);
    /* gss-ntlmssp 1.2.0 counts the terminating NUL in the length. */
    ck_assert_msg(r->name_len == strlen(want_name) ||
                      (r->name_len == strlen(want_name) + 1 &&
                       gss_oid_equal(want_mech, &ntlm_oid)),
                  "display name length %zu", r->name_len);
    ck_assert_int_ge(r->legs, 1);
}

/* Kerberos: password TGT for alice, keytab acceptor by default cred. */
START_TEST(test_krb5_default_acceptor)
{
    gss_cred_id_t icred = GSS_C_NO_CREDENTIAL;
    struct plain_result r;
    OM_uint32 major, minor;
    char want[128];

    major = acquire_init(hs_env("CREDSSP_TEST_USER"),
                         hs_env("CREDSSP_TEST_PASSWORD"), &krb5_oid, &icred,
                         &minor);
    check_major("acquire krb5 cred with password", major, minor);
    plain_handshake(&krb5_oid, icred, GSS_C_NO_CREDENTIAL, &r);
    snprintf(want, sizeof(want), "%s@%s", hs_env("CREDSSP_TEST_USER"),
             hs_env("CREDSSP_TEST_REALM"));
    check_complete(&r, &krb5_oid, want);
    /* AP-REQ and, with mutual authentication, AP-REP. */
    ck_assert_int_eq(r.legs, 2);
    gss_release_cred(&minor, &icred);
}
END_TEST

/* Kerberos: an explicit krb5 acceptor credential for host@localhost. */
START_TEST(test_krb5_explicit_acceptor)
{
    gss_cred_id_t icred = GSS_C_NO_CREDENTIAL, acred = GSS_C_NO_CREDENTIAL;
    gss_name_t host = import("host@localhost", GSS_C_NT_HOSTBASED_SERVICE);
    gss_OID_set_desc set = { 1, &krb5_oid };
    struct plain_result r;
    OM_uint32 major, minor;
    char want[128];

    major = gss_acquire_cred(&minor, host, 0, &set, GSS_C_ACCEPT, &acred,
                             NULL, NULL);
    check_major("acquire krb5 acceptor cred from the keytab", major, minor);
    major = acquire_init(hs_env("CREDSSP_TEST_USER"),
                         hs_env("CREDSSP_TEST_PASSWORD"), &krb5_oid, &icred,
                         &minor);
    check_major("acquire krb5 cred with password", major, minor);
    plain_handshake(&krb5_oid, icred, acred, &r);
    snprintf(want, sizeof(want), "%s@%s", hs_env("CREDSSP_TEST_USER"),
             hs_env("CREDSSP_TEST_REALM"));
    check_complete(&r, &krb5_oid, want);
    gss_release_cred(&minor, &icred);
    gss_release_cred(&minor, &acred);
    gss_release_name(&minor, &host);
}
END_TEST

/* Kerberos: the KDC refuses a wrong password. */
START_TEST(test_krb5_wrong_password)
{
    gss_cred_id_t icred = GSS_C_NO_CREDENTIAL;
    OM_uint32 major, minor;

    major = acquire_init(hs_env("CREDSSP_TEST_USER"), "not-the-password",
                         &krb5_oid, &icred, &minor);
    ck_assert_msg(GSS_ERROR(major), "a wrong password got a TGT");
    ck_assert_ptr_eq(icred, GSS_C_NO_CREDENTIAL);
}
END_TEST

/*
 * ntlm_run: an NTLM handshake as DOMAIN\user with the password, against
 * an NTLM acceptor credential (the fixture's NTLM_USER_FILE).
 */
static void
ntlm_run(const char *pw, struct plain_result *r)
{
    gss_cred_id_t icred = GSS_C_NO_CREDENTIAL, acred = GSS_C_NO_CREDENTIAL;
    gss_OID_set_desc set = { 1, &ntlm_oid };
    OM_uint32 major, minor;
    char user[128];

    snprintf(user, sizeof(user), "%s\\%s", hs_env("CREDSSP_TEST_NTLM_DOMAIN"),
             hs_env("CREDSSP_TEST_USER"));
    major = acquire_init(user, pw, &ntlm_oid, &icred, &minor);
    check_major("acquire NTLM cred with password", major, minor);
    major = gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &set, GSS_C_ACCEPT,
                             &acred, NULL, NULL);
    check_major("acquire NTLM acceptor cred", major, minor);
    plain_handshake(&ntlm_oid, icred, acred, r);
    gss_release_cred(&minor, &icred);
    gss_release_cred(&minor, &acred);
}

/* NTLM: NEGOTIATE, CHALLENGE, AUTHENTICATE; the acceptor sees DOMAIN\user */
START_TEST(test_ntlm)
{
    struct plain_result r;
    char want[128];

    ntlm_run(hs_env("CREDSSP_TEST_PASSWORD"), &r);
    snprintf(want, sizeof(want), "%s\\%s", hs_env("CREDSSP_TEST_NTLM_DOMAIN"),
             hs_env("CREDSSP_TEST_USER"));
    check_complete(&r, &ntlm_oid, want);
    ck_assert_int_eq(r.legs, 3);
}
END_TEST

/* NTLM: the acceptor refuses a wrong password. */
START_TEST(test_ntlm_wrong_password)
{
    struct plain_result r;

    ntlm_run("not-the-password", &r);
    ck_assert_msg(GSS_ERROR(r.acc_major) || GSS_ERROR(r.init_major),
                  "NTLM accepted a wrong password");
    ck_assert_str_eq(r.name, "");
}
END_TEST

/*
 * fixture_suite: the suite.
 */
static Suite *
fixture_suite(void)
{
    Suite *s = suite_create("fixture");
    TCase *tc = tcase_create("fixture");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_krb5_default_acceptor);
    tcase_add_test(tc, test_krb5_explicit_acceptor);
    tcase_add_test(tc, test_krb5_wrong_password);
    tcase_add_test(tc, test_ntlm);
    tcase_add_test(tc, test_ntlm_wrong_password);
    suite_add_tcase(s, tc);
    return s;
}

/*
 * main: runs the suite; exit status 0 when every test passed.
 */
int
main(void)
{
    return check_run(fixture_suite(), false);
}
