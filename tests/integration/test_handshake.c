/* SPDX-License-Identifier: MIT */
/*
 * test_handshake.c - CredSSP handshakes through the real mechglue, the
 * fixture's real KDC and the real gss-ntlmssp: inner mechs, TLS versions,
 * CredSSP versions, delegation and its policy, wrong passwords, partial
 * tokens, flags and inquiries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <check.h>

#include "hs.h"
#include "../check_run.h"

#define REALM "CREDSSP.TEST"

/* run: one handshake, printing both sides' errors when it fails. */
static int
run(const struct hs_opts *o, struct hs_result *r)
{
    return hs_run_verbose(o, r);
}

/* check_ok: the common assertions of a good handshake. */
static void
check_ok(const struct hs_result *r, const char *inner, const char *tls,
         int legs)
{
    const OM_uint32 want = GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG |
                           GSS_C_SEQUENCE_FLAG | GSS_C_REPLAY_FLAG;

    ck_assert_uint_eq(r->init_major, GSS_S_COMPLETE);
    ck_assert_uint_eq(r->acc_major, GSS_S_COMPLETE);
    ck_assert_str_eq(r->inner_mech, inner);
    ck_assert_str_eq(r->tls_version, tls);
    ck_assert_int_eq(r->legs, legs);
    ck_assert_uint_eq(r->init_flags & want, want);
    ck_assert_uint_eq(r->acc_flags & want, want);
    ck_assert_msg(strncmp(r->src_name, "alice", 5) == 0, "src_name %s",
                  r->src_name);
}

/* Inner mech x TLS version: legs are the protocol minimum (issue 11). */
static const struct {
    const char *mech, *tls, *inner, *tls_name;
    int legs;
} matrix[] = {
    { "kerberos", "1.3", "kerberos", "TLSv1.3", 7 },
    { "kerberos", "1.2", "kerberos", "TLSv1.2", 9 },
    { "ntlm", "1.3", "ntlm", "TLSv1.3", 7 },
    { "ntlm", "1.2", "ntlm", "TLSv1.2", 9 },
    { "spnego", "1.3", "kerberos", "TLSv1.3", 7 },
    { "spnego", "1.2", "kerberos", "TLSv1.2", 9 },
    { "auto", "1.3", "kerberos", "TLSv1.3", 7 },
    { NULL, "1.2", "kerberos", "TLSv1.2", 9 },
};

START_TEST(test_matrix)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = matrix[_i].mech;
    o.tls_max = matrix[_i].tls;
    ck_assert_int_eq(run(&o, &r), 0);
    check_ok(&r, matrix[_i].inner, matrix[_i].tls_name, matrix[_i].legs);
    ck_assert_str_eq(r.version, "6");
    ck_assert(!r.delegated);
    ck_assert_uint_eq(r.init_flags & GSS_C_DELEG_FLAG, 0);
    ck_assert_uint_eq(r.acc_flags & GSS_C_DELEG_FLAG, 0);
}
END_TEST

/* auto falls back to raw NTLM for a user Kerberos does not know. */
START_TEST(test_auto_ntlm_fallback)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.user = "carol";
    o.password = "Carol-pass-3";
    o.mech = "auto";
    ck_assert_int_eq(run(&o, &r), 0);
    ck_assert_str_eq(r.inner_mech, "ntlm");
    ck_assert_str_eq(r.src_name, "carol");
}
END_TEST

/* Each CredSSP version forced on either side is the one negotiated. */
START_TEST(test_versions)
{
    static const char *v[] = { "2", "3", "4", "5", "6" };
    struct hs_opts o = { 0 };
    struct hs_result r;
    const char *ver = v[_i % 5];

    o.mech = _i < 10 ? "kerberos" : "ntlm";
    o.init_min_version = "2";
    o.req_flags = GSS_C_DELEG_FLAG;
    o.ntlm_deleg = "*";
    if ((_i / 5) % 2 == 0) {
        o.init_max_version = ver;
    } else {
        o.acc_max_version = ver;
    }
    ck_assert_int_eq(run(&o, &r), 0);
    ck_assert_str_eq(r.version, ver);
    ck_assert(r.delegated);
    ck_assert_str_eq(r.deleg_password, hs_env("CREDSSP_TEST_PASSWORD"));
    ck_assert_str_eq(r.deleg_user, "alice");
    /* A bare user name: Kerberos names the realm, NTLM nothing. */
    ck_assert_str_eq(r.deleg_domain, _i < 10 ? REALM : "");
}
END_TEST

/* Delegation with Kerberos: the password reaches the acceptor. */
START_TEST(test_delegation_kerberos)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = "kerberos";
    o.user = "alice@" REALM;
    o.req_flags = GSS_C_DELEG_FLAG;
    ck_assert_int_eq(run(&o, &r), 0);
    ck_assert(r.delegated);
    ck_assert_str_eq(r.deleg_user, "alice");
    ck_assert_str_eq(r.deleg_domain, REALM);
    ck_assert_str_eq(r.deleg_password, hs_env("CREDSSP_TEST_PASSWORD"));
    ck_assert_uint_ne(r.init_flags & GSS_C_DELEG_FLAG, 0);
    ck_assert_uint_ne(r.acc_flags & GSS_C_DELEG_FLAG, 0);
    ck_assert_uint_ne(r.init_flags & GSS_C_MUTUAL_FLAG, 0);
}
END_TEST

/* DOMAIN\user names give domain and user. */
START_TEST(test_delegation_domain_user)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = "ntlm";
    o.user = "CREDSSP\\alice";
    o.req_flags = GSS_C_DELEG_FLAG;
    o.ntlm_deleg = "TERMSRV/*";
    ck_assert_int_eq(run(&o, &r), 0);
    ck_assert(r.delegated);
    ck_assert_str_eq(r.deleg_domain, "CREDSSP");
    ck_assert_str_eq(r.deleg_user, "alice");
}
END_TEST

/* NTLM only: delegation is refused unless policy names the target, and
 * then nothing secret leaves (the acceptor never completes). */
START_TEST(test_ntlm_only_policy)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = "ntlm";
    o.req_flags = GSS_C_DELEG_FLAG;
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_major, GSS_S_FAILURE);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_POLICY_NTLM_ONLY);
    ck_assert_msg(strstr(r.init_error, "SEC_E_POLICY_NLTM_ONLY") != NULL,
                  "%s", r.init_error);
    ck_assert_uint_ne(r.acc_major, GSS_S_COMPLETE);
    ck_assert(!r.delegated);

    o.ntlm_deleg = "HTTP/*, WSMAN/*";   /* not our TERMSRV target */
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_POLICY_NTLM_ONLY);

    o.ntlm_deleg = "HTTP/*, termsrv/LOCALHOST";
    ck_assert_int_eq(run(&o, &r), 0);
    ck_assert(r.delegated);
}
END_TEST

/* Without the delegation flag, NTLM needs no policy: empty creds. */
START_TEST(test_ntlm_no_delegation)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = "ntlm";
    ck_assert_int_eq(run(&o, &r), 0);
    ck_assert(!r.delegated);
}
END_TEST

/* Mutual authentication: Kerberos gives it, NTLM cannot. */
START_TEST(test_mutual)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = "kerberos";
    o.req_flags = GSS_C_MUTUAL_FLAG;
    ck_assert_int_eq(run(&o, &r), 0);
    ck_assert_uint_ne(r.init_flags & GSS_C_MUTUAL_FLAG, 0);

    o.mech = "ntlm";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_major, GSS_S_FAILURE);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_MUTUAL_REQUIRED);
    ck_assert_msg(strstr(r.init_error, "SEC_E_MUTUAL_AUTH_FAILED") != NULL,
                  "%s", r.init_error);
}
END_TEST

/* A wrong NTLM password: the acceptor fails with a logon failure and, at
 * version 6, tells the initiator with errorCode. */
START_TEST(test_wrong_password_ntlm)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = "ntlm";
    o.password = "not-the-password";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.acc_major, GSS_S_FAILURE);
    ck_assert_uint_eq(r.acc_minor, CREDSSP_S_LOGON_FAILED);
    ck_assert_uint_eq(r.init_major, GSS_S_FAILURE);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_PEER_LOGON_FAILURE);
    ck_assert_msg(strstr(r.init_error, "STATUS_LOGON_FAILURE") != NULL,
                  "%s", r.init_error);
}
END_TEST

/* At version 5 there is no errorCode: the acceptor ends with a fatal
 * access_denied alert, which the initiator reports as the server's
 * refusal. */
START_TEST(test_wrong_password_v5)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = "ntlm";
    o.password = "not-the-password";
    o.acc_max_version = "5";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.acc_minor, CREDSSP_S_LOGON_FAILED);
    ck_assert_uint_eq(r.init_major, GSS_S_FAILURE);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_PEER_DENIED);
    ck_assert_msg(strstr(r.init_error, "SEC_E_LOGON_DENIED: the server "
                                       "refused the logon") != NULL,
                  "%s", r.init_error);
}
END_TEST

/*
 * The access_denied alert is sealed for every AEAD suite of TLS 1.3 and
 * TLS 1.2: the initiator's OpenSSL decrypts it (a record sealed wrongly
 * would be bad_record_mac, CREDSSP_S_TLS_FAILED) and the initiator says
 * the server refused the logon.  With a CBC suite there is no alert of
 * ours, only a close_notify.  CredSSP version 2, which has no errorCode,
 * as Impacket and rdesktop speak it.
 */
static const struct {
    const char *tls, *suite;
    OM_uint32 minor;
} denial_suites[] = {
    { "1.3", "TLS_AES_128_GCM_SHA256", CREDSSP_S_PEER_DENIED },
    { "1.3", "TLS_AES_256_GCM_SHA384", CREDSSP_S_PEER_DENIED },
    { "1.3", "TLS_CHACHA20_POLY1305_SHA256", CREDSSP_S_PEER_DENIED },
    { "1.3", "TLS_AES_128_CCM_SHA256", CREDSSP_S_PEER_DENIED },
    { "1.3", "TLS_AES_128_CCM_8_SHA256", CREDSSP_S_PEER_DENIED },
    { "1.2", "ECDHE-RSA-AES128-GCM-SHA256", CREDSSP_S_PEER_DENIED },
    { "1.2", "ECDHE-RSA-AES256-GCM-SHA384", CREDSSP_S_PEER_DENIED },
    { "1.2", "ECDHE-RSA-CHACHA20-POLY1305", CREDSSP_S_PEER_DENIED },
    { "1.2", "AES128-CCM", CREDSSP_S_PEER_DENIED },
    { "1.2", "AES256-CCM8", CREDSSP_S_PEER_DENIED },
    { "1.2", "ECDHE-RSA-AES128-SHA256", CREDSSP_S_PEER_CLOSED },
};

START_TEST(test_denied_alert_suites)
{
    struct hs_opts o = { 0 };
    struct hs_result r;
    bool tls13 = strcmp(denial_suites[_i].tls, "1.3") == 0;
    gss_OID opt = tls13 ? GSS_CREDSSP_OPT_TLS_CIPHERSUITES
                        : GSS_CREDSSP_OPT_TLS_CIPHER_LIST;

    o.mech = "ntlm";
    o.password = "not-the-password";
    o.init_min_version = "2";
    o.init_max_version = "2";
    o.init_oracle = "vulnerable";
    o.tls_max = denial_suites[_i].tls;
    o.init_extra[0].oid = opt;
    o.init_extra[0].value = denial_suites[_i].suite;
    o.acc_extra[0].oid = opt;
    o.acc_extra[0].value = denial_suites[_i].suite;
    ck_assert_int_ne(hs_run(&o, &r), 0);
    fprintf(stderr, "%s %s: initiator [%s]\n", denial_suites[_i].tls,
            denial_suites[_i].suite, r.init_error);
    ck_assert_str_eq(r.cipher, denial_suites[_i].suite);
    ck_assert_uint_eq(r.acc_minor, CREDSSP_S_LOGON_FAILED);
    ck_assert_uint_eq(r.init_major, GSS_S_FAILURE);
    ck_assert_msg(r.init_minor == denial_suites[_i].minor, "%s",
                  r.init_error);
}
END_TEST

/* A wrong Kerberos password fails on the initiator (preauthentication). */
START_TEST(test_wrong_password_kerberos)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = "kerberos";
    o.password = "not-the-password";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert(GSS_ERROR(r.init_major));
    ck_assert_uint_ne(r.acc_major, GSS_S_COMPLETE);
    ck_assert_msg(r.init_error[0] != '\0', "no error text");
}
END_TEST

/* Downgrade protection: below a side's minimum version is refused; at
 * version 4 the acceptor says STATUS_NOT_SUPPORTED with errorCode. */
START_TEST(test_min_version)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = "kerberos";
    o.acc_max_version = "4";      /* the initiator requires 5 by default */
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_major, GSS_S_UNAVAILABLE);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_VERSION_TOO_LOW);

    memset(&o, 0, sizeof(o));
    o.mech = "kerberos";
    o.init_min_version = "2";
    o.init_max_version = "4";
    o.acc_min_version = "6";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.acc_minor, CREDSSP_S_VERSION_TOO_LOW);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_PEER_NOT_SUPPORTED);
}
END_TEST

/* Encryption Oracle Remediation levels: "force-updated" makes an
 * acceptor refuse version 4 (STATUS_NOT_SUPPORTED to the initiator);
 * "vulnerable" lets an initiator take version 3; an explicit minimum
 * version wins over the level. */
START_TEST(test_encryption_oracle)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = "kerberos";
    o.init_oracle = "vulnerable";
    o.init_max_version = "4";
    o.acc_oracle = "force-updated";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.acc_minor, CREDSSP_S_VERSION_TOO_LOW);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_PEER_NOT_SUPPORTED);

    memset(&o, 0, sizeof(o));
    o.mech = "kerberos";
    o.init_oracle = "vulnerable";
    o.acc_max_version = "3";
    ck_assert_int_eq(run(&o, &r), 0);
    ck_assert_str_eq(r.version, "3");

    o.init_min_version = "6";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_VERSION_TOO_LOW);

    memset(&o, 0, sizeof(o));
    o.init_oracle = "sometimes";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.legs, 0);
}
END_TEST

/* Tokens fed one byte at a time: every short call answers
 * incomplete-message and the handshake still completes. */
START_TEST(test_split_tokens)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = _i == 0 ? "kerberos" : "ntlm";
    o.split = _i == 0 ? 1 : 7;
    ck_assert_int_eq(run(&o, &r), 0);
    ck_assert_int_gt(r.incomplete_calls, 10);
}
END_TEST

/* The second hop: the delegated handle works as an initiator credential
 * for another CredSSP handshake, and the acceptor there sees alice. */
START_TEST(test_second_hop)
{
    struct hs_opts o = { 0 }, o2 = { 0 };
    struct hs_result r, r2;
    OM_uint32 minor;

    o.mech = "kerberos";
    o.user = "alice@" REALM;
    o.req_flags = GSS_C_DELEG_FLAG;
    o.keep_deleg = true;
    ck_assert_int_eq(run(&o, &r), 0);
    ck_assert(r.deleg != GSS_C_NO_CREDENTIAL);

    o2.init_cred = r.deleg;
    o2.target = "HTTP@localhost";
    o2.req_flags = GSS_C_DELEG_FLAG;
    ck_assert_int_eq(run(&o2, &r2), 0);
    ck_assert_str_eq(r2.src_name, "alice@" REALM);
    ck_assert(r2.delegated);
    ck_assert_str_eq(r2.deleg_password, hs_env("CREDSSP_TEST_PASSWORD"));
    gss_release_cred(&minor, &r.deleg);
}
END_TEST

/* Flags CredSSP cannot honour. */
START_TEST(test_unsupported_flags)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.req_flags = _i == 0 ? GSS_C_ANON_FLAG : GSS_C_DCE_STYLE;
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_major, GSS_S_UNAVAILABLE);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_UNSUPPORTED_FLAG);
    ck_assert_int_eq(r.legs, 0);
}
END_TEST

/* first_token: the initiator's first token for a fresh context. */
static void
first_token(gss_cred_id_t *cred, gss_ctx_id_t *ctx, gss_buffer_t out)
{
    const char *u = hs_env("CREDSSP_TEST_USER");
    const char *p = hs_env("CREDSSP_TEST_PASSWORD");
    gss_buffer_desc ub = { strlen(u), (void *)u }, pb = { strlen(p),
                                                          (void *)p };
    gss_buffer_desc tb = { 17, (void *)"TERMSRV@localhost" };
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    gss_name_t user, target;
    OM_uint32 major, minor;

    ck_assert_uint_eq(gss_import_name(&minor, &ub, GSS_C_NT_USER_NAME,
                                      &user), GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_import_name(&minor, &tb,
                                      GSS_C_NT_HOSTBASED_SERVICE, &target),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_acquire_cred_with_password(&minor, user, &pb, 0,
                                                     &set, GSS_C_INITIATE,
                                                     cred, NULL, NULL),
                      GSS_S_COMPLETE);
    major = gss_init_sec_context(&minor, *cred, ctx, target,
                                 GSS_CREDSSP_MECH, 0, 0, NULL,
                                 GSS_C_NO_BUFFER, NULL, out, NULL, NULL);
    ck_assert_uint_eq(major, GSS_S_CONTINUE_NEEDED);
    ck_assert_uint_gt(out->length, 5);
    gss_release_name(&minor, &user);
    gss_release_name(&minor, &target);
}

/* The acceptor's first token: partial input is SEC_E_INCOMPLETE_MESSAGE
 * with the missing count; garbage is refused with a specific code; an
 * unframed TLS record cannot pass the mechglue. */
START_TEST(test_acceptor_first_token)
{
    gss_cred_id_t icred = GSS_C_NO_CREDENTIAL, acred = GSS_C_NO_CREDENTIAL;
    gss_ctx_id_t ictx = GSS_C_NO_CONTEXT, actx = GSS_C_NO_CONTEXT;
    gss_buffer_desc tok = { 0, NULL }, part, framed, out;
    gss_buffer_desc junk = { 5, (void *)"hello" };
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    OM_uint32 major, minor, tmp;

    first_token(&icred, &ictx, &tok);
    ck_assert_uint_eq(gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &set,
                                       GSS_C_ACCEPT, &acred, NULL, NULL),
                      GSS_S_COMPLETE);

    part.value = tok.value;
    part.length = tok.length - 3;
    ck_assert_uint_eq(gss_credssp_frame_token(&minor, &part, &framed),
                      GSS_S_COMPLETE);
    major = gss_accept_sec_context(&minor, &actx, acred, &framed, NULL,
                                   NULL, NULL, &out, NULL, NULL, NULL);
    gss_release_buffer(&tmp, &framed);
    ck_assert_uint_eq(major, GSS_S_DEFECTIVE_TOKEN);
    ck_assert_uint_eq(minor, CREDSSP_S_INCOMPLETE_MESSAGE);
    ck_assert_ptr_eq(actx, GSS_C_NO_CONTEXT);

    ck_assert_uint_eq(gss_credssp_frame_token(&minor, &junk, &framed),
                      GSS_S_COMPLETE);
    major = gss_accept_sec_context(&minor, &actx, acred, &framed, NULL,
                                   NULL, NULL, &out, NULL, NULL, NULL);
    gss_release_buffer(&tmp, &framed);
    ck_assert_uint_eq(major, GSS_S_DEFECTIVE_TOKEN);
    ck_assert_uint_eq(minor, CREDSSP_S_BAD_FRAMING);

    major = gss_accept_sec_context(&minor, &actx, acred, &tok, NULL, NULL,
                                   NULL, &out, NULL, NULL, NULL);
    ck_assert(GSS_ERROR(major));

    ck_assert_uint_eq(gss_credssp_frame_token(&minor, &tok, &framed),
                      GSS_S_COMPLETE);
    major = gss_accept_sec_context(&minor, &actx, acred, &framed, NULL,
                                   NULL, NULL, &out, NULL, NULL, NULL);
    gss_release_buffer(&minor, &framed);
    ck_assert_uint_eq(major, GSS_S_CONTINUE_NEEDED);
    ck_assert_uint_gt(out.length, 0);
    gss_release_buffer(&minor, &out);

    gss_release_buffer(&minor, &tok);
    gss_delete_sec_context(&minor, &ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&minor, &actx, GSS_C_NO_BUFFER);
    gss_release_cred(&minor, &icred);
    gss_release_cred(&minor, &acred);
}
END_TEST

/* The initiator, fed part of the server's reply, answers incomplete,
 * reports the missing bytes by inquiry, and goes on with the whole.
 * _i 0: the reply cut 40 bytes short, inside a record's body; 1 to 4: its
 * first record whole and _i bytes of the next one's 5-byte header, so
 * 5 - _i bytes must come before the record's length is even known. */
START_TEST(test_initiator_incomplete)
{
    gss_cred_id_t icred = GSS_C_NO_CREDENTIAL, acred = GSS_C_NO_CREDENTIAL;
    gss_ctx_id_t ictx = GSS_C_NO_CONTEXT, actx = GSS_C_NO_CONTEXT;
    gss_buffer_desc tok = { 0, NULL }, framed, reply, part, out;
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    gss_buffer_set_t missing = GSS_C_NO_BUFFER_SET;
    gss_buffer_desc tb = { 17, (void *)"TERMSRV@localhost" };
    gss_name_t target;
    OM_uint32 major, minor;
    size_t first, want = _i == 0 ? 40 : 5 - (size_t)_i;
    char num[32] = "";

    first_token(&icred, &ictx, &tok);
    ck_assert_uint_eq(gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &set,
                                       GSS_C_ACCEPT, &acred, NULL, NULL),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_credssp_frame_token(&minor, &tok, &framed),
                      GSS_S_COMPLETE);
    major = gss_accept_sec_context(&minor, &actx, acred, &framed, NULL,
                                   NULL, NULL, &reply, NULL, NULL, NULL);
    gss_release_buffer(&minor, &framed);
    ck_assert_uint_eq(major, GSS_S_CONTINUE_NEEDED);
    ck_assert_uint_gt(reply.length, 100);

    ck_assert_uint_eq(gss_import_name(&minor, &tb,
                                      GSS_C_NT_HOSTBASED_SERVICE, &target),
                      GSS_S_COMPLETE);
    /* ServerHello, then more records (TLS 1.3 by default). */
    first = 5 + ((size_t)((unsigned char *)reply.value)[3] << 8 |
                 ((unsigned char *)reply.value)[4]);
    ck_assert_uint_gt(reply.length, first + 5);
    part.value = reply.value;
    part.length = _i == 0 ? reply.length - 40 : first + (size_t)_i;
    major = gss_init_sec_context(&minor, icred, &ictx, target,
                                 GSS_CREDSSP_MECH, 0, 0, NULL, &part, NULL,
                                 &out, NULL, NULL);
    ck_assert_uint_eq(major, GSS_S_DEFECTIVE_TOKEN);
    ck_assert_uint_eq(minor, CREDSSP_S_INCOMPLETE_MESSAGE);
    ck_assert_uint_eq(out.length, 0);
    ck_assert_uint_eq(gss_inquire_sec_context_by_oid(
                          &minor, ictx, GSS_CREDSSP_INQ_MISSING, &missing),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(missing->count, 1);
    ck_assert_uint_lt(missing->elements[0].length, sizeof(num));
    memcpy(num, missing->elements[0].value, missing->elements[0].length);
    ck_assert_uint_eq(strtoul(num, NULL, 10), want);
    gss_release_buffer_set(&minor, &missing);

    major = gss_init_sec_context(&minor, icred, &ictx, target,
                                 GSS_CREDSSP_MECH, 0, 0, NULL, &reply, NULL,
                                 &out, NULL, NULL);
    ck_assert_uint_eq(major, GSS_S_CONTINUE_NEEDED);
    ck_assert_uint_gt(out.length, 0);
    gss_release_buffer(&minor, &out);

    gss_release_name(&minor, &target);
    gss_release_buffer(&minor, &reply);
    gss_release_buffer(&minor, &tok);
    gss_delete_sec_context(&minor, &ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&minor, &actx, GSS_C_NO_BUFFER);
    gss_release_cred(&minor, &icred);
    gss_release_cred(&minor, &acred);
}
END_TEST

/* After completion: gss_inquire_context on both sides, the inner name's
 * local name, and context lifetimes from the inner Kerberos context. */
START_TEST(test_inquire_context)
{
    struct hs_opts o = { 0 };
    struct hs_result r;
    gss_name_t src = GSS_C_NO_NAME, targ = GSS_C_NO_NAME;
    gss_buffer_desc text;
    OM_uint32 minor, life = 0, flags = 0, later = 0, acc_life = 0;
    gss_OID mech = GSS_C_NO_OID;
    int local = -1, open = 0;

    o.mech = "kerberos";
    o.keep_ctx = true;
    ck_assert_int_eq(run(&o, &r), 0);

    ck_assert_uint_eq(gss_inquire_context(&minor, r.actx, &src, NULL, &life,
                                          &mech, &flags, &local, &open),
                      GSS_S_COMPLETE);
    ck_assert(open);
    ck_assert_int_eq(local, 0);
    ck_assert(gss_oid_equal(mech, GSS_CREDSSP_MECH));
    ck_assert_uint_gt(life, 60);
    ck_assert_uint_ne(life, GSS_C_INDEFINITE);
    ck_assert_uint_eq(gss_display_name(&minor, src, &text, NULL),
                      GSS_S_COMPLETE);
    ck_assert_int_eq(strncmp(text.value, "alice@" REALM, text.length), 0);
    gss_release_buffer(&minor, &text);
    gss_release_name(&minor, &src);

    ck_assert_uint_eq(gss_inquire_context(&minor, r.ictx, NULL, &targ, NULL,
                                          NULL, NULL, &local, &open),
                      GSS_S_COMPLETE);
    ck_assert_int_eq(local, 1);
    ck_assert(open);
    ck_assert_uint_eq(gss_display_name(&minor, targ, &text, NULL),
                      GSS_S_COMPLETE);
    ck_assert_int_eq(strncmp(text.value, "TERMSRV@localhost", text.length),
                     0);
    gss_release_buffer(&minor, &text);
    gss_release_name(&minor, &targ);

    ck_assert_uint_eq(gss_localname(&minor, r.src, GSS_CREDSSP_MECH, &text),
                      GSS_S_COMPLETE);
    ck_assert_int_eq(strncmp(text.value, "alice", text.length), 0);
    gss_release_buffer(&minor, &text);

    ck_assert_uint_eq(gss_context_time(&minor, r.ictx, &life),
                      GSS_S_COMPLETE);
    ck_assert_uint_gt(life, 60);
    ck_assert_uint_ne(life, GSS_C_INDEFINITE);
    /* The lifetime counts down: what is left, not the value at
     * completion (the wait is the clock's, not a synchronisation). */
    ck_assert_uint_eq(gss_inquire_context(&minor, r.actx, NULL, NULL,
                                          &acc_life, NULL, NULL, NULL, NULL),
                      GSS_S_COMPLETE);
    sleep(2);
    ck_assert_uint_eq(gss_context_time(&minor, r.ictx, &later),
                      GSS_S_COMPLETE);
    ck_assert_msg(later < life && later + 60 > life, "%u then %u",
                  (unsigned)life, (unsigned)later);
    ck_assert_uint_eq(gss_inquire_context(&minor, r.actx, NULL, NULL, &later,
                                          NULL, NULL, NULL, NULL),
                      GSS_S_COMPLETE);
    ck_assert_msg(later < acc_life, "%u then %u", (unsigned)acc_life,
                  (unsigned)later);
    gss_release_name(&minor, &r.src);
    gss_delete_sec_context(&minor, &r.ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&minor, &r.actx, GSS_C_NO_BUFFER);
}
END_TEST

/* exact_name: the display text of name is want, byte for byte, its
 * length not counting any NUL (gss-ntlmssp 1.2.0 counts one). */
static void
exact_name(gss_name_t name, const char *want)
{
    gss_buffer_desc text = { 0, NULL };
    OM_uint32 minor;

    ck_assert_uint_eq(gss_display_name(&minor, name, &text, NULL),
                      GSS_S_COMPLETE);
    ck_assert_msg(text.length == strlen(want) &&
                      memcmp(text.value, want, text.length) == 0,
                  "display name \"%.*s\" (%zu bytes), want \"%s\" (%zu)",
                  (int)text.length, (char *)text.value, text.length, want,
                  strlen(want));
    gss_release_buffer(&minor, &text);
}

/* The initiator's name as the acceptor shows it, from accept and from
 * gss_inquire_context, is the plain string: DOMAIN\user for NTLM (no
 * trailing NUL), user@REALM for Kerberos. */
START_TEST(test_display_name_exact)
{
    struct hs_opts o = { 0 };
    struct hs_result r;
    gss_name_t src = GSS_C_NO_NAME;
    OM_uint32 minor;
    char want[128];

    o.mech = _i == 0 ? "ntlm" : "kerberos";
    o.keep_ctx = true;
    if (_i == 0) {
        snprintf(want, sizeof(want), "%s\\%s",
                 hs_env("CREDSSP_TEST_NTLM_DOMAIN"),
                 hs_env("CREDSSP_TEST_USER"));
        o.user = want;
    } else {
        snprintf(want, sizeof(want), "%s@" REALM,
                 hs_env("CREDSSP_TEST_USER"));
    }
    ck_assert_int_eq(run(&o, &r), 0);
    exact_name(r.src, want);
    ck_assert_uint_eq(gss_inquire_context(&minor, r.actx, &src, NULL, NULL,
                                          NULL, NULL, NULL, NULL),
                      GSS_S_COMPLETE);
    exact_name(src, want);
    gss_release_name(&minor, &src);
    gss_release_name(&minor, &r.src);
    gss_delete_sec_context(&minor, &r.ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&minor, &r.actx, GSS_C_NO_BUFFER);
}
END_TEST

/* Names through our mech: canonicalize, compare, duplicate, display. */
START_TEST(test_names)
{
    gss_buffer_desc in = { 18, (void *)"alice@" REALM }, text;
    gss_name_t name, mn, dup;
    OM_uint32 minor;
    int equal = 0;

    ck_assert_uint_eq(gss_import_name(&minor, &in, GSS_C_NT_USER_NAME,
                                      &name), GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_canonicalize_name(&minor, name, GSS_CREDSSP_MECH,
                                            &mn), GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_duplicate_name(&minor, mn, &dup), GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_compare_name(&minor, mn, dup, &equal),
                      GSS_S_COMPLETE);
    ck_assert(equal);
    ck_assert_uint_eq(gss_display_name(&minor, dup, &text, NULL),
                      GSS_S_COMPLETE);
    ck_assert_int_eq(strncmp(text.value, "alice@" REALM, text.length), 0);
    gss_release_buffer(&minor, &text);
    gss_release_name(&minor, &name);
    gss_release_name(&minor, &mn);
    gss_release_name(&minor, &dup);
}
END_TEST

/* Channel bindings reach the inner authentication: the same bindings on
 * both sides pass, different ones are GSS_S_BAD_BINDINGS on the
 * acceptor; an acceptor without bindings takes any (RFC 2744). */
START_TEST(test_channel_bindings)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = _i == 0 ? "kerberos" : "ntlm";
    o.init_cb = "tls-server-end-point:aaaa";
    o.acc_cb = "tls-server-end-point:aaaa";
    ck_assert_int_eq(run(&o, &r), 0);

    o.acc_cb = NULL;
    ck_assert_int_eq(run(&o, &r), 0);

    o.acc_cb = "tls-server-end-point:bbbb";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.acc_major, GSS_S_BAD_BINDINGS);
    ck_assert_uint_ne(r.init_major, GSS_S_COMPLETE);
    ck_assert(!r.delegated);
}
END_TEST

/* Framed initial tokens: with the setting, the first token carries the
 * RFC 2743 header and an unmodified acceptor application (no framing of
 * its own) gets it through the mechglue; for a target the patterns do not
 * name it stays a bare TLS record, which the mechglue cannot route. */
START_TEST(test_framed_initial_token)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.raw_first = true;
    o.frame = "imap/*, TERMSRV/*";
    ck_assert_int_eq(run(&o, &r), 0);
    ck_assert_uint_eq(r.first_byte, 0x60);

    o.frame = "imap/*";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.first_byte, 0x16);
    ck_assert_uint_eq(r.acc_major, GSS_S_DEFECTIVE_TOKEN);
}
END_TEST

/* A default initiator credential (no name: the ccache) names the ccache's
 * principal through gss_inquire_cred, as SASL GS2 clients ask; and it
 * authenticates with Kerberos. */
START_TEST(test_default_cred_name)
{
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    gss_name_t name = GSS_C_NO_NAME;
    gss_buffer_desc text;
    struct hs_opts o = { 0 };
    struct hs_result r;
    OM_uint32 minor, life = 0;

    hs_kinit();

    ck_assert_uint_eq(gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &set,
                                       GSS_C_INITIATE, &cred, NULL, NULL),
                      GSS_S_COMPLETE);
    /* In use (the name asked for makes its inner credential), it has the
     * TGT's lifetime, not an indefinite one. */
    ck_assert_uint_eq(gss_inquire_cred(&minor, cred, &name, &life, NULL,
                                       NULL), GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_inquire_cred(&minor, cred, NULL, &life, NULL,
                                       NULL), GSS_S_COMPLETE);
    ck_assert_msg(life > 60 && life != GSS_C_INDEFINITE, "%u",
                  (unsigned)life);
    ck_assert_uint_eq(gss_display_name(&minor, name, &text, NULL),
                      GSS_S_COMPLETE);
    ck_assert_int_eq(strncmp(text.value, "alice@" REALM, text.length), 0);
    gss_release_buffer(&minor, &text);
    gss_release_name(&minor, &name);

    o.init_cred = cred;
    ck_assert_int_eq(run(&o, &r), 0);
    ck_assert_str_eq(r.inner_mech, "kerberos");
    ck_assert_str_eq(r.src_name, "alice@" REALM);
    gss_release_cred(&minor, &cred);
}
END_TEST

/*
 * MIT's Kerberos mechanism makes a krb5_context for each call, and the
 * parsed krb5.conf lives only as long as some context does: the module
 * keeps one, so handshakes after the first do not read krb5.conf again
 * (inotify counts the opens; without the kept context these three opened
 * it again, and in a process that holds no other Kerberos object, such as
 * the bench's, three or four times per handshake).
 */
START_TEST(test_krb5_conf_read_once)
{
    struct hs_opts o = { 0 };
    struct hs_result r;
    char ev[4096] __attribute__((aligned(8)));
    int fd, i, opens = 0;
    ssize_t n;

    o.mech = "kerberos";
    ck_assert_int_eq(run(&o, &r), 0);
    fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_ge(inotify_add_watch(fd, hs_env("KRB5_CONFIG"), IN_OPEN),
                     0);
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(run(&o, &r), 0);
        ck_assert_str_eq(r.inner_mech, "kerberos");
    }
    while ((n = read(fd, ev, sizeof(ev))) > 0) {
        char *p = ev;

        while (p < ev + n) {
            const struct inotify_event *e = (const void *)p;

            opens += (e->mask & IN_OPEN) != 0;
            p += sizeof(*e) + e->len;
        }
    }
    close(fd);
    ck_assert_msg(opens == 0, "krb5.conf opened %d times in 3 handshakes",
                  opens);
}
END_TEST

/* GSS_C_BOTH (python-gssapi's default usage) is a clear error: a CredSSP
 * credential serves one role. */
START_TEST(test_cred_usage)
{
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    OM_uint32 major, minor;
    char text[600];

    major = gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &set, GSS_C_BOTH,
                             &cred, NULL, NULL);
    ck_assert_uint_eq(major, GSS_S_NO_CRED);
    ck_assert_uint_eq(minor, CREDSSP_S_WRONG_USAGE);
    ck_assert_ptr_eq(cred, GSS_C_NO_CREDENTIAL);
    hs_status_text(major, minor, text, sizeof(text));
    ck_assert_msg(strstr(text, "serves one role") != NULL &&
                      strstr(text, "GSS_C_BOTH") != NULL,
                  "%s", text);
}
END_TEST

static Suite *
handshake_suite(void)
{
    Suite *s = suite_create("handshake");
    TCase *tc = tcase_create("handshake");

    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_matrix, 0,
                        sizeof(matrix) / sizeof(matrix[0]));
    tcase_add_test(tc, test_auto_ntlm_fallback);
    tcase_add_loop_test(tc, test_versions, 0, 20);
    tcase_add_test(tc, test_delegation_kerberos);
    tcase_add_test(tc, test_delegation_domain_user);
    tcase_add_test(tc, test_ntlm_only_policy);
    tcase_add_test(tc, test_ntlm_no_delegation);
    tcase_add_test(tc, test_mutual);
    tcase_add_test(tc, test_wrong_password_ntlm);
    tcase_add_test(tc, test_wrong_password_v5);
    tcase_add_loop_test(tc, test_denied_alert_suites, 0,
                        sizeof(denial_suites) / sizeof(denial_suites[0]));
    tcase_add_test(tc, test_wrong_password_kerberos);
    tcase_add_test(tc, test_min_version);
    tcase_add_test(tc, test_encryption_oracle);
    tcase_add_loop_test(tc, test_split_tokens, 0, 2);
    tcase_add_test(tc, test_second_hop);
    tcase_add_loop_test(tc, test_unsupported_flags, 0, 2);
    tcase_add_test(tc, test_acceptor_first_token);
    tcase_add_loop_test(tc, test_initiator_incomplete, 0, 5);
    tcase_add_test(tc, test_cred_usage);
    tcase_add_test(tc, test_krb5_conf_read_once);
    tcase_add_test(tc, test_inquire_context);
    tcase_add_test(tc, test_names);
    tcase_add_loop_test(tc, test_display_name_exact, 0, 2);
    tcase_add_loop_test(tc, test_channel_bindings, 0, 2);
    tcase_add_test(tc, test_framed_initial_token);
    tcase_add_test(tc, test_default_cred_name);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return check_run(handshake_suite(), false);
}
