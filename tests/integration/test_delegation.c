/* SPDX-License-Identifier: MIT */
/*
 * test_delegation.c - what a server does with a delegated password:
 * gss_store_cred_into turns it into a Kerberos TGT in a ccache (single
 * sign-on), checked by using that ccache for a real Kerberos exchange;
 * an NTLM domain that is no realm and an expired password fail with
 * krb5's reason in the text.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hs.h"

static const gss_OID_desc krb5_oid = {
    9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"
};
static const gss_OID_desc spnego_oid = {
    6, (void *)"\x2b\x06\x01\x05\x05\x02"
};

/* delegate: a CredSSP handshake with delegation; the acceptor's
 * delegated credential handle comes back. */
static gss_cred_id_t
delegate(const char *mech, const char *user, const char *password,
         const char *ntlm_deleg)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = mech;
    o.user = user;
    o.password = password;
    o.ntlm_deleg = ntlm_deleg;
    o.req_flags = GSS_C_DELEG_FLAG;
    o.keep_deleg = true;
    ck_assert_msg(hs_run(&o, &r) == 0, "%s | %s", r.init_error,
                  r.acc_error);
    ck_assert(r.delegated);
    return r.deleg;
}

/* store: gss_store_cred_into the delegated handle, into ccache. */
static OM_uint32
store(gss_cred_id_t deleg, const char *ccache, OM_uint32 *minor,
      char *text, size_t len)
{
    gss_key_value_element_desc e = { "ccache", ccache };
    gss_key_value_set_desc kv = { 1, &e };
    gss_OID_set stored = GSS_C_NO_OID_SET;
    OM_uint32 major, tmp;

    major = gss_store_cred_into(minor, deleg, GSS_C_INITIATE,
                                GSS_C_NO_OID, 1, 0, &kv, &stored, NULL);
    hs_status_text(major, *minor, text, len);
    gss_release_oid_set(&tmp, &stored);
    return major;
}

/* login: a Kerberos or SPNEGO exchange to host@localhost with the
 * ccache's TGT; the acceptor's view of the user comes back in user. */
static void
login(const char *ccache, gss_OID mech, char *user, size_t len)
{
    gss_key_value_element_desc e = { "ccache", ccache };
    gss_key_value_set_desc kv = { 1, &e };
    gss_OID_set_desc set = { 1, mech };
    gss_buffer_desc tb = { 14, (void *)"host@localhost" }, disp;
    gss_buffer_desc itok = { 0, NULL }, atok = { 0, NULL };
    gss_cred_id_t icred = GSS_C_NO_CREDENTIAL, acred = GSS_C_NO_CREDENTIAL;
    gss_ctx_id_t ictx = GSS_C_NO_CONTEXT, actx = GSS_C_NO_CONTEXT;
    gss_name_t target, src = GSS_C_NO_NAME;
    OM_uint32 major, minor, tmp;

    ck_assert_uint_eq(gss_acquire_cred_from(&minor, GSS_C_NO_NAME, 0, &set,
                                            GSS_C_INITIATE, &kv, &icred,
                                            NULL, NULL),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &set,
                                       GSS_C_ACCEPT, &acred, NULL, NULL),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_import_name(&minor, &tb,
                                      GSS_C_NT_HOSTBASED_SERVICE, &target),
                      GSS_S_COMPLETE);
    for (int leg = 0; leg < 4; leg++) {
        major = gss_init_sec_context(&minor, icred, &ictx, target, mech, 0,
                                     0, NULL, &atok, NULL, &itok, NULL,
                                     NULL);
        ck_assert(!GSS_ERROR(major));
        gss_release_buffer(&tmp, &atok);
        if (itok.length == 0) {
            break;
        }
        major = gss_accept_sec_context(&minor, &actx, acred, &itok, NULL,
                                       &src, NULL, &atok, NULL, NULL, NULL);
        ck_assert(!GSS_ERROR(major));
        gss_release_buffer(&tmp, &itok);
        if (atok.length == 0) {
            break;
        }
    }
    ck_assert_uint_eq(major, GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_display_name(&minor, src, &disp, NULL),
                      GSS_S_COMPLETE);
    snprintf(user, len, "%.*s", (int)disp.length, (char *)disp.value);
    gss_release_buffer(&tmp, &disp);
    gss_release_buffer(&tmp, &itok);
    gss_release_buffer(&tmp, &atok);
    gss_release_name(&tmp, &src);
    gss_release_name(&tmp, &target);
    gss_delete_sec_context(&tmp, &ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&tmp, &actx, GSS_C_NO_BUFFER);
    gss_release_cred(&tmp, &icred);
    gss_release_cred(&tmp, &acred);
}

/* ccache_path: a FILE: ccache in the fixture's directory. */
static void
ccache_path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "FILE:%s/%s", hs_env("CREDSSP_TEST_DIR"), name);
}

/* The delegated password becomes a TGT in the named ccache, and that
 * ccache authenticates the user to another Kerberos service, with raw
 * Kerberos and with plain SPNEGO: the second hop to a krb5 acceptor.
 * (The delegated handle itself only works with CredSSP: MIT's mechglue
 * gives SPNEGO and Kerberos no credential for a handle holding only a
 * CredSSP element, and they would fall back to the server's own default
 * credentials; gsscredssp(8).) */
START_TEST(test_store_ccache)
{
    gss_cred_id_t deleg = delegate(_i == 0 ? "kerberos" : "spnego", NULL,
                                   NULL, NULL);
    char cc[512], text[512], user[256];
    OM_uint32 minor;

    ccache_path(cc, sizeof(cc), _i == 0 ? "sso.krb5" : "sso2.krb5");
    ck_assert_msg(store(deleg, cc, &minor, text, sizeof(text)) ==
                      GSS_S_COMPLETE,
                  "%s", text);
    login(cc, (gss_OID)&krb5_oid, user, sizeof(user));
    ck_assert_str_eq(user, "alice@CREDSSP.TEST");
    login(cc, (gss_OID)&spnego_oid, user, sizeof(user));
    ck_assert_str_eq(user, "alice@CREDSSP.TEST");
    unlink(cc + 5);
    gss_release_cred(&minor, &deleg);
}
END_TEST

/* After NTLM the ticket is asked for in the server's default realm, never
 * in the client's domain (CREDSSP, no realm): carol is no principal there,
 * so the store fails and says for whom and why. */
START_TEST(test_store_ntlm_user)
{
    gss_cred_id_t deleg = delegate("ntlm", "CREDSSP\\carol", "Carol-pass-3",
                                   "TERMSRV/*");
    char cc[512], text[512];
    OM_uint32 minor;

    ccache_path(cc, sizeof(cc), "wrong.krb5");
    ck_assert_uint_eq(store(deleg, cc, &minor, text, sizeof(text)),
                      GSS_S_FAILURE);
    ck_assert_uint_eq(minor, CREDSSP_S_STORE_FAILED);
    fprintf(stderr, "NTLM user: %s\n", text);
    ck_assert_msg(strstr(text, "no Kerberos ticket for carol@CREDSSP.TEST") !=
                      NULL &&
                      strstr(text, "not found in Kerberos database") != NULL,
                  "%s", text);
    ck_assert_int_ne(access(cc + 5, F_OK), 0);
    gss_release_cred(&minor, &deleg);
}
END_TEST

/* The password expired between the logon and the store: the KDC's
 * refusal is in the text. */
START_TEST(test_store_expired_password)
{
    gss_cred_id_t deleg = delegate("kerberos", NULL, NULL, NULL);
    char cc[512], text[512], cmd[1024];
    OM_uint32 minor;

    snprintf(cmd, sizeof(cmd),
             "kadmin.local -q 'modprinc -pwexpire \"2 days ago\" alice' "
             ">/dev/null 2>&1 || /usr/sbin/kadmin.local -q "
             "'modprinc -pwexpire \"2 days ago\" alice' >/dev/null");
    ck_assert_int_eq(system(cmd), 0);
    ccache_path(cc, sizeof(cc), "expired.krb5");
    ck_assert_uint_eq(store(deleg, cc, &minor, text, sizeof(text)),
                      GSS_S_FAILURE);
    ck_assert_uint_eq(minor, CREDSSP_S_STORE_FAILED);
    fprintf(stderr, "expired: %s\n", text);
    ck_assert_msg(strstr(text, "alice@CREDSSP.TEST") != NULL &&
                      strstr(text, "expired") != NULL,
                  "%s", text);
    gss_release_cred(&minor, &deleg);
}
END_TEST

/* A credential that was not delegated has nothing to store. */
START_TEST(test_store_not_delegated)
{
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    char cc[512], text[512];
    OM_uint32 minor;

    ck_assert_uint_eq(gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &set,
                                       GSS_C_ACCEPT, &cred, NULL, NULL),
                      GSS_S_COMPLETE);
    ccache_path(cc, sizeof(cc), "none.krb5");
    ck_assert_uint_eq(store(cred, cc, &minor, text, sizeof(text)),
                      GSS_S_NO_CRED);
    ck_assert_uint_eq(minor, CREDSSP_S_NO_DELEGATED_CREDS);
    ck_assert_int_ne(access(cc + 5, F_OK), 0);
    gss_release_cred(&minor, &cred);
}
END_TEST

/* inquire: the buffers of one delegated-credential inquiry, as text
 * joined by '|' (buffers that are not text are hex). */
static OM_uint32
inquire(gss_cred_id_t deleg, gss_OID oid, char *buf, size_t len)
{
    gss_buffer_set_t set = GSS_C_NO_BUFFER_SET;
    OM_uint32 major, minor;
    size_t i, j, used = 0;

    buf[0] = '\0';
    major = gss_inquire_cred_by_oid(&minor, deleg, oid, &set);
    for (i = 0; major == GSS_S_COMPLETE && i < set->count; i++) {
        const unsigned char *v = set->elements[i].value;
        bool text = true;

        for (j = 0; j < set->elements[i].length; j++) {
            text = text && v[j] >= 0x20 && v[j] < 0x7f;
        }
        used += snprintf(buf + used, len - used, "%s", i ? "|" : "");
        for (j = 0; j < set->elements[i].length && used + 3 < len; j++) {
            used += snprintf(buf + used, len - used, text ? "%c" : "%02x",
                             v[j]);
        }
    }
    gss_release_buffer_set(&minor, &set);
    return major;
}

/* Smart card credentials (set on the initiator's handle with the generic
 * store-key option) arrive whole: the acceptor's handle answers the
 * smart-card inquiry and not the password one. */
START_TEST(test_smartcard_creds)
{
    struct hs_opts o = { 0 };
    struct hs_result r;
    char got[512];
    OM_uint32 minor;

    o.mech = "kerberos";
    o.req_flags = GSS_C_DELEG_FLAG;
    o.keep_deleg = true;
    o.init_extra[0].oid = GSS_CREDSSP_OPT_STORE_KEY;
    o.init_extra[0].value = "credssp_smartcard_pin=12345678";
    o.init_extra[1].oid = GSS_CREDSSP_OPT_STORE_KEY;
    o.init_extra[1].value = "credssp_smartcard_key_spec=1";
    o.init_extra[2].oid = GSS_CREDSSP_OPT_STORE_KEY;
    o.init_extra[2].value = "credssp_smartcard_reader=Yubico YubiKey 00";
    o.init_extra[3].oid = GSS_CREDSSP_OPT_STORE_KEY;
    o.init_extra[3].value = "credssp_smartcard_user_hint=alice";
    ck_assert_msg(hs_run(&o, &r) == 0, "%s | %s", r.init_error,
                  r.acc_error);
    ck_assert_ptr_ne(r.deleg, GSS_C_NO_CREDENTIAL);
    ck_assert(!r.delegated);               /* no password inquiry */
    ck_assert_uint_ne(r.acc_flags & GSS_C_DELEG_FLAG, 0);
    ck_assert_uint_eq(inquire(r.deleg, GSS_CREDSSP_CRED_DELEGATED_SMARTCARD,
                              got, sizeof(got)),
                      GSS_S_COMPLETE);
    ck_assert_str_eq(got, "12345678|1||Yubico YubiKey 00|||alice|");
    ck_assert_uint_eq(inquire(r.deleg, GSS_CREDSSP_CRED_DELEGATED_PASSWORD,
                              got, sizeof(got)),
                      GSS_S_NO_CRED);
    gss_release_cred(&minor, &r.deleg);
}
END_TEST

/* Remote Guard credentials: the package name and its opaque buffer. */
START_TEST(test_remote_guard_creds)
{
    struct hs_opts o = { 0 };
    struct hs_result r;
    char got[512];
    OM_uint32 minor;

    o.mech = "kerberos";
    o.req_flags = GSS_C_DELEG_FLAG;
    o.keep_deleg = true;
    o.init_extra[0].oid = GSS_CREDSSP_OPT_STORE_KEY;
    o.init_extra[0].value = "credssp_remote_guard_package=Kerberos";
    o.init_extra[1].oid = GSS_CREDSSP_OPT_STORE_KEY;
    o.init_extra[1].value = "credssp_remote_guard_buffer=00ff10e2";
    ck_assert_msg(hs_run(&o, &r) == 0, "%s | %s", r.init_error,
                  r.acc_error);
    ck_assert_uint_eq(inquire(r.deleg,
                              GSS_CREDSSP_CRED_DELEGATED_REMOTE_GUARD, got,
                              sizeof(got)),
                      GSS_S_COMPLETE);
    ck_assert_str_eq(got, "Kerberos|00ff10e2");
    gss_release_cred(&minor, &r.deleg);
}
END_TEST

/* Incomplete or mixed credentials are refused: a smart card without a PIN
 * fails at the last step, before anything is sent; a Remote Guard key on
 * a smart-card handle and bad hex are refused where they are set. */
START_TEST(test_other_creds_errors)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = "kerberos";
    o.req_flags = GSS_C_DELEG_FLAG;
    o.init_extra[0].oid = GSS_CREDSSP_OPT_STORE_KEY;
    o.init_extra[0].value = "credssp_smartcard_reader=Reader 0";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_BAD_OPTION_VALUE);
    ck_assert(!r.delegated);

    o.init_extra[1].oid = GSS_CREDSSP_OPT_STORE_KEY;
    o.init_extra[1].value = "credssp_remote_guard_package=Kerberos";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_major, GSS_S_FAILURE);

    memset(&o, 0, sizeof(o));
    o.init_extra[0].oid = GSS_CREDSSP_OPT_STORE_KEY;
    o.init_extra[0].value = "credssp_remote_guard_buffer=0g";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    o.init_extra[0].value = "credssp_password=x";
    ck_assert_int_ne(hs_run(&o, &r), 0);
}
END_TEST

/* A smart card or Remote Guard key refused where it is set leaves the
 * handle a password credential: the password is what is delegated. */
START_TEST(test_refused_key_keeps_password)
{
    static const char *const refused[] = {
        "credssp_smartcard_nosuch=1",
        "credssp_smartcard_key_spec=x",
        "credssp_remote_guard_buffer=zz",
    };
    struct hs_opts o = { 0 };
    struct hs_result r;
    gss_buffer_desc v;
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    OM_uint32 major, minor;
    size_t i;

    o.mech = "kerberos";
    o.req_flags = GSS_C_DELEG_FLAG;
    ck_assert_uint_eq(hs_init_cred(&o, &cred, &minor), GSS_S_COMPLETE);
    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        v.value = (void *)refused[i];
        v.length = strlen(refused[i]);
        major = gss_set_cred_option(&minor, &cred, GSS_CREDSSP_OPT_STORE_KEY,
                                    &v);
        ck_assert_msg(major == GSS_S_FAILURE &&
                          minor == CREDSSP_S_BAD_OPTION_VALUE,
                      "%s: 0x%x/0x%x", refused[i], major, minor);
    }
    o.init_cred = cred;
    ck_assert_msg(hs_run(&o, &r) == 0, "%s | %s", r.init_error,
                  r.acc_error);
    ck_assert(r.delegated);
    ck_assert_str_eq(r.deleg_password, hs_env("CREDSSP_TEST_PASSWORD"));
    gss_release_cred(&minor, &cred);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("delegation");
    TCase *tc = tcase_create("store");

    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_store_ccache, 0, 2);
    tcase_add_test(tc, test_store_ntlm_user);
    tcase_add_test(tc, test_store_not_delegated);
    tcase_add_test(tc, test_smartcard_creds);
    tcase_add_test(tc, test_remote_guard_creds);
    tcase_add_test(tc, test_other_creds_errors);
    tcase_add_test(tc, test_refused_key_keeps_password);
    /* Last: it expires alice's password in this program's KDC. */
    tcase_add_test(tc, test_store_expired_password);
    suite_add_tcase(s, tc);
    return hs_main(s);
}
