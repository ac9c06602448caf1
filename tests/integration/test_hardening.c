/* SPDX-License-Identifier: MIT */
/*
 * test_hardening.c - certificate validation, the TLS settings and the
 * limits on what a peer can make us do (credssp.conf(5)), through the
 * real mechglue, KDC and gss-ntlmssp.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "hs.h"

static char dir[256];
static char cert_pem[320], key_pem[320], other_pem[320];

/* write_cert: a new self-signed CN=localhost certificate (and its key,
 * when key_path is not NULL) as PEM files. */
static void
write_cert(const char *cert_path, const char *key_path)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = hs_self_signed(key);

    ck_assert_ptr_nonnull(cert);
    hs_write_pem(cert, key, cert_path, key_path);
    X509_free(cert);
    EVP_PKEY_free(key);
}

static void
setup(void)
{
    snprintf(dir, sizeof(dir), "%s/hardening.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(cert_pem, sizeof(cert_pem), "%s/cert.pem", dir);
    snprintf(key_pem, sizeof(key_pem), "%s/key.pem", dir);
    snprintf(other_pem, sizeof(other_pem), "%s/other.pem", dir);
    write_cert(cert_pem, key_pem);
    write_cert(other_pem, NULL);
}

static void
teardown(void)
{
    unlink(cert_pem);
    unlink(key_pem);
    unlink(other_pem);
    rmdir(dir);
}

/* acceptor_with_cert: an acceptor credential serving cert.pem. */
static gss_cred_id_t
acceptor_with_cert(void)
{
    gss_key_value_element_desc e[3] = {
        { GSS_CREDSSP_STORE_CERT, cert_pem },
        { GSS_CREDSSP_STORE_KEY, key_pem },
        { "keytab", hs_env("KRB5_KTNAME") },
    };
    gss_key_value_set_desc kv = { 3, e };
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    OM_uint32 minor;

    ck_assert_uint_eq(gss_acquire_cred_from(&minor, GSS_C_NO_NAME, 0, &set,
                                            GSS_C_ACCEPT, &kv, &cred, NULL,
                                            NULL),
                      GSS_S_COMPLETE);
    return cred;
}

/* verify_opts: NTLM inside (it does not check the target's host name, so
 * only the certificate can), verification on with ca_file. */
static void
verify_opts(struct hs_opts *o, const char *ca_file)
{
    memset(o, 0, sizeof(*o));
    o->mech = "ntlm";
    o->acc_cred = acceptor_with_cert();
    o->init_extra[0].oid = GSS_CREDSSP_OPT_VERIFY_CERTIFICATE;
    o->init_extra[0].value = "yes";
    o->init_extra[1].oid = ca_file != NULL ? GSS_CREDSSP_OPT_CA_FILE : NULL;
    o->init_extra[1].value = ca_file;
}

/* A certificate that chains to ca_file and names the target verifies,
 * and counts as mutual authentication: NTLM then delegates without an
 * allow_delegation_ntlm_only rule, and GSS_C_MUTUAL_FLAG is returned. */
START_TEST(test_verified_certificate)
{
    struct hs_opts o;
    struct hs_result r;
    OM_uint32 minor;

    verify_opts(&o, cert_pem);
    o.req_flags = GSS_C_DELEG_FLAG | GSS_C_MUTUAL_FLAG;
    ck_assert_msg(hs_run(&o, &r) == 0, "%s | %s", r.init_error,
                  r.acc_error);
    ck_assert_str_eq(r.inner_mech, "ntlm");
    ck_assert(r.delegated);
    ck_assert_uint_ne(r.init_flags & GSS_C_MUTUAL_FLAG, 0);

    /* The same exchange without verification: NTLM alone is not mutual. */
    o.init_extra[0].oid = NULL;
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_MUTUAL_REQUIRED);
    gss_release_cred(&minor, &o.acc_cred);
}
END_TEST

/* A certificate that does not name the target: SEC_E_WRONG_PRINCIPAL,
 * naming the certificate and the target, and not one CredSSP message
 * left the initiator (TLS 1.3: ClientHello and the server's flight are
 * the only two tokens; the acceptor still waits). */
START_TEST(test_wrong_principal)
{
    struct hs_opts o;
    struct hs_result r;
    OM_uint32 minor;

    verify_opts(&o, cert_pem);
    o.target = _i == 0 ? "TERMSRV@rdp.example.com" : "TERMSRV@127.0.0.1";
    o.req_flags = GSS_C_DELEG_FLAG;
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_major, GSS_S_FAILURE);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_WRONG_PRINCIPAL);
    ck_assert_msg(strstr(r.init_error, "SEC_E_WRONG_PRINCIPAL") != NULL &&
                      strstr(r.init_error, "CN=localhost") != NULL &&
                      strstr(r.init_error, o.target + 8) != NULL,
                  "%s", r.init_error);
    ck_assert_int_eq(r.legs, 2);
    ck_assert_uint_eq(r.acc_major, GSS_S_CONTINUE_NEEDED);
    gss_release_cred(&minor, &o.acc_cred);
}
END_TEST

/* A certificate the trust anchors do not cover: SEC_E_UNTRUSTED_ROOT,
 * with OpenSSL's reason; the same for the ephemeral certificate against
 * the system store. */
START_TEST(test_untrusted_certificate)
{
    struct hs_opts o;
    struct hs_result r;
    OM_uint32 minor;

    verify_opts(&o, _i == 0 ? other_pem : NULL);
    if (_i == 1) {
        gss_release_cred(&minor, &o.acc_cred);
    }
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_major, GSS_S_FAILURE);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_UNTRUSTED_CERT);
    ck_assert_msg(strstr(r.init_error, "SEC_E_UNTRUSTED_ROOT") != NULL &&
                      strstr(r.init_error, _i == 0 ? "CN=localhost"
                                                   : "CN=gss-credssp") !=
                          NULL &&
                      strstr(r.init_error, "self-signed") != NULL,
                  "%s", r.init_error);
    ck_assert_int_eq(r.legs, 2);
    gss_release_cred(&minor, &o.acc_cred);
}
END_TEST

/* A ca_file that cannot be read fails at first use with
 * SEC_E_INVALID_PARAMETER, before anything is sent. */
START_TEST(test_bad_ca_file)
{
    struct hs_opts o;
    struct hs_result r;
    OM_uint32 minor;

    verify_opts(&o, "/nonexistent/ca.pem");
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_BAD_OPTION_VALUE);
    ck_assert_int_eq(r.legs, 0);
    gss_release_cred(&minor, &o.acc_cred);
}
END_TEST

/* tls_cipher_list (TLS 1.2) and tls_ciphersuites (TLS 1.3) decide the
 * cipher; a list OpenSSL does not take is refused where it is set. */
START_TEST(test_cipher_settings)
{
    struct hs_opts o = { 0 };
    struct hs_result r;
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    gss_buffer_desc bad = { 4, (void *)"NOPE" };
    OM_uint32 minor;

    o.mech = "ntlm";
    o.tls_max = "1.2";
    o.acc_extra[0].oid = GSS_CREDSSP_OPT_TLS_CIPHER_LIST;
    o.acc_extra[0].value = "ECDHE-RSA-AES128-GCM-SHA256";
    ck_assert_msg(hs_run(&o, &r) == 0, "%s | %s", r.init_error,
                  r.acc_error);
    ck_assert_str_eq(r.cipher, "ECDHE-RSA-AES128-GCM-SHA256");

    memset(&o, 0, sizeof(o));
    o.mech = "ntlm";
    o.init_extra[0].oid = GSS_CREDSSP_OPT_TLS_CIPHERSUITES;
    o.init_extra[0].value = "TLS_CHACHA20_POLY1305_SHA256";
    ck_assert_msg(hs_run(&o, &r) == 0, "%s | %s", r.init_error,
                  r.acc_error);
    ck_assert_str_eq(r.tls_version, "TLSv1.3");
    ck_assert_str_eq(r.cipher, "TLS_CHACHA20_POLY1305_SHA256");

    ck_assert_uint_eq(gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &set,
                                       GSS_C_ACCEPT, &cred, NULL, NULL),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_set_cred_option(&minor, &cred,
                                          GSS_CREDSSP_OPT_TLS_CIPHER_LIST,
                                          &bad),
                      GSS_S_FAILURE);
    ck_assert_uint_eq(minor, CREDSSP_S_BAD_OPTION_VALUE);
    ck_assert_uint_eq(gss_set_cred_option(&minor, &cred,
                                          GSS_CREDSSP_OPT_TLS_CIPHERSUITES,
                                          &bad),
                      GSS_S_FAILURE);
    ck_assert_uint_eq(minor, CREDSSP_S_BAD_OPTION_VALUE);
    gss_release_cred(&minor, &cred);
}
END_TEST

/* tls_min_version 1.3 on the acceptor refuses a TLS 1.2-only initiator
 * in the TLS handshake; with 1.3 allowed both ways it is TLS 1.3. */
START_TEST(test_tls_min_version)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = "ntlm";
    o.acc_extra[0].oid = GSS_CREDSSP_OPT_TLS_MIN_VERSION;
    o.acc_extra[0].value = "1.3";
    ck_assert_msg(hs_run(&o, &r) == 0, "%s | %s", r.init_error,
                  r.acc_error);
    ck_assert_str_eq(r.tls_version, "TLSv1.3");

    o.init_extra[0].oid = GSS_CREDSSP_OPT_TLS_MAX_VERSION;
    o.init_extra[0].value = "1.2";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.acc_major, GSS_S_DEFECTIVE_TOKEN);
    ck_assert_uint_eq(r.acc_minor, CREDSSP_S_TLS_FAILED);
    ck_assert_uint_eq(r.init_major, GSS_S_DEFECTIVE_TOKEN);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_TLS_ALERT);
}
END_TEST

/* max_token_size: the server's first flight (its certificate alone is
 * over 1 KiB) is too large for an initiator that allows 1024 bytes. */
START_TEST(test_max_token_size)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = "ntlm";
    o.init_extra[0].oid = GSS_CREDSSP_OPT_MAX_TOKEN_SIZE;
    o.init_extra[0].value = "1024";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_major, GSS_S_DEFECTIVE_TOKEN);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_TOKEN_TOO_LARGE);
    ck_assert_msg(strstr(r.init_error, "max_token_size") != NULL, "%s",
                  r.init_error);
    ck_assert_int_eq(r.legs, 2);
}
END_TEST

/* The default limit (64 KiB) holds for an acceptor's first token too:
 * a framed 70,000-byte token is refused before it is parsed. */
START_TEST(test_oversize_first_token)
{
    gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    gss_buffer_desc big = { 70000, NULL }, framed, out = { 0, NULL };
    OM_uint32 major, minor, tmp;
    char text[512];

    big.value = calloc(1, big.length);
    ck_assert_ptr_nonnull(big.value);
    ((unsigned char *)big.value)[0] = 0x16;     /* a TLS handshake */
    ((unsigned char *)big.value)[1] = 0x03;
    ((unsigned char *)big.value)[2] = 0x03;
    ck_assert_uint_eq(gss_credssp_frame_token(&minor, &big, &framed),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &set,
                                       GSS_C_ACCEPT, &cred, NULL, NULL),
                      GSS_S_COMPLETE);
    major = gss_accept_sec_context(&minor, &ctx, cred, &framed, GSS_C_NO_CHANNEL_BINDINGS, NULL,
                                   NULL, &out, NULL, NULL, NULL);
    hs_status_text(major, minor, text, sizeof(text));
    ck_assert_msg(major == GSS_S_DEFECTIVE_TOKEN, "%s", text);
    ck_assert_uint_eq(minor, CREDSSP_S_TOKEN_TOO_LARGE);
    ck_assert_uint_eq(out.length, 0);
    gss_release_buffer(&tmp, &framed);
    gss_delete_sec_context(&tmp, &ctx, GSS_C_NO_BUFFER);
    gss_release_cred(&tmp, &cred);
    free(big.value);
}
END_TEST

/* max_legs: a TLS 1.2 NTLM exchange takes the initiator five calls; with
 * max_legs 4 the fifth is refused.  Values outside 4..64 are refused. */
START_TEST(test_max_legs)
{
    struct hs_opts o = { 0 };
    struct hs_result r;
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    gss_buffer_desc three = { 1, (void *)"3" };
    OM_uint32 minor;

    o.mech = "ntlm";
    o.tls_max = "1.2";
    o.init_extra[0].oid = GSS_CREDSSP_OPT_MAX_LEGS;
    o.init_extra[0].value = "5";
    ck_assert_msg(hs_run(&o, &r) == 0, "%s | %s", r.init_error,
                  r.acc_error);

    o.init_extra[0].value = "4";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_major, GSS_S_DEFECTIVE_TOKEN);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_TOO_MANY_LEGS);
    ck_assert_msg(!r.delegated && strstr(r.init_error, "max_legs") != NULL,
                  "%s", r.init_error);

    ck_assert_uint_eq(gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &set,
                                       GSS_C_ACCEPT, &cred, NULL, NULL),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_set_cred_option(&minor, &cred,
                                          GSS_CREDSSP_OPT_MAX_LEGS, &three),
                      GSS_S_FAILURE);
    ck_assert_uint_eq(minor, CREDSSP_S_BAD_OPTION_VALUE);
    gss_release_cred(&minor, &cred);
}
END_TEST

/* A fatal TLS alert where the server's first flight should be: the
 * initiator fails with SEC_E_INVALID_TOKEN (a TLS alert) and sends
 * nothing; an acceptor whose first token is an alert fails the TLS
 * handshake. */
START_TEST(test_tls_alert)
{
    static unsigned char alert[] = { 0x15, 0x03, 0x03, 0x00, 0x02,
                                     0x02, 0x28 };  /* handshake_failure */
    gss_buffer_desc in = { sizeof(alert), alert }, out = { 0, NULL };
    gss_buffer_desc tb = { 17, (void *)"TERMSRV@localhost" }, framed;
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    gss_cred_id_t acred = GSS_C_NO_CREDENTIAL;
    gss_ctx_id_t ictx = GSS_C_NO_CONTEXT, actx = GSS_C_NO_CONTEXT;
    gss_name_t target;
    OM_uint32 major, minor, tmp;

    ck_assert_uint_eq(gss_import_name(&minor, &tb,
                                      GSS_C_NT_HOSTBASED_SERVICE, &target),
                      GSS_S_COMPLETE);
    major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &ictx, target,
                                 GSS_CREDSSP_MECH, 0, 0, NULL, NULL, NULL,
                                 &out, NULL, NULL);
    ck_assert_uint_eq(major, GSS_S_CONTINUE_NEEDED);
    gss_release_buffer(&tmp, &out);
    major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &ictx, target,
                                 GSS_CREDSSP_MECH, 0, 0, NULL, &in, NULL,
                                 &out, NULL, NULL);
    ck_assert_uint_eq(major, GSS_S_DEFECTIVE_TOKEN);
    ck_assert_uint_eq(minor, CREDSSP_S_TLS_ALERT);
    ck_assert_uint_eq(out.length, 0);

    ck_assert_uint_eq(gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &set,
                                       GSS_C_ACCEPT, &acred, NULL, NULL),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_credssp_frame_token(&minor, &in, &framed),
                      GSS_S_COMPLETE);
    major = gss_accept_sec_context(&minor, &actx, acred, &framed, NULL,
                                   NULL, NULL, &out, NULL, NULL, NULL);
    ck_assert_uint_eq(major, GSS_S_DEFECTIVE_TOKEN);
    /* Before any ClientHello, OpenSSL calls it a failed handshake. */
    ck_assert_uint_eq(minor, CREDSSP_S_TLS_FAILED);
    gss_release_buffer(&tmp, &framed);
    gss_release_buffer(&tmp, &out);
    gss_delete_sec_context(&tmp, &ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&tmp, &actx, GSS_C_NO_BUFFER);
    gss_release_cred(&tmp, &acred);
    gss_release_name(&tmp, &target);
}
END_TEST

/* Restricted admin: with GSS_C_DELEG_FLAG asked for, Kerberos mutual
 * authentication and a password at hand, the initiator still sends empty
 * credentials; both sides complete, neither reports GSS_C_DELEG_FLAG and
 * the acceptor gives no delegated handle (not an error). */
START_TEST(test_restricted_admin)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = "kerberos";
    o.req_flags = GSS_C_DELEG_FLAG;
    o.init_extra[0].oid = GSS_CREDSSP_OPT_RESTRICTED_ADMIN;
    o.init_extra[0].value = _i == 0 ? "yes" : "no";
    ck_assert_msg(hs_run(&o, &r) == 0, "%s | %s", r.init_error,
                  r.acc_error);
    ck_assert_int_eq(r.delegated, _i == 1);
    ck_assert_int_eq((r.init_flags & GSS_C_DELEG_FLAG) != 0, _i == 1);
    ck_assert_int_eq((r.acc_flags & GSS_C_DELEG_FLAG) != 0, _i == 1);
}
END_TEST

/* NTLM-only delegation policy when NTLM is negotiated inside SPNEGO (an
 * NTLM-only user): only the mechanism SPNEGO chose counts, so the server
 * is not mutually authenticated and delegation is refused with
 * SEC_E_POLICY_NLTM_ONLY unless allow_delegation_ntlm_only names it
 * (a list that names other targets does not). */
START_TEST(test_ntlm_only_policy_spnego)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = "spnego";
    o.user = "CREDSSP\\carol";
    o.password = "Carol-pass-3";
    o.req_flags = GSS_C_DELEG_FLAG;
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_major, GSS_S_FAILURE);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_POLICY_NTLM_ONLY);
    ck_assert_msg(strstr(r.init_error, "SEC_E_POLICY_NLTM_ONLY") != NULL,
                  "%s", r.init_error);
    ck_assert(!r.delegated);
    ck_assert_uint_ne(r.acc_major, GSS_S_COMPLETE);

    o.ntlm_deleg = "HTTP/*, TERMSRV/otherhost";   /* not this target */
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_POLICY_NTLM_ONLY);
    ck_assert(!r.delegated);

    o.ntlm_deleg = "TERMSRV/localhost";
    ck_assert_msg(hs_run(&o, &r) == 0, "%s | %s", r.init_error,
                  r.acc_error);
    ck_assert_str_eq(r.inner_mech, "ntlm");
    ck_assert(r.delegated);
    ck_assert_str_eq(r.deleg_user, "carol");
}
END_TEST

static Suite *
hardening_suite(void)
{
    Suite *s = suite_create("hardening");
    TCase *tc = tcase_create("certificates");

    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_verified_certificate);
    tcase_add_loop_test(tc, test_wrong_principal, 0, 2);
    tcase_add_loop_test(tc, test_untrusted_certificate, 0, 2);
    tcase_add_test(tc, test_bad_ca_file);
    suite_add_tcase(s, tc);

    tc = tcase_create("tls");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_cipher_settings);
    tcase_add_test(tc, test_tls_min_version);
    tcase_add_test(tc, test_tls_alert);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_max_token_size);
    tcase_add_test(tc, test_oversize_first_token);
    tcase_add_test(tc, test_max_legs);
    tcase_add_loop_test(tc, test_restricted_admin, 0, 2);
    tcase_add_test(tc, test_ntlm_only_policy_spnego);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return hs_main(hardening_suite());
}
