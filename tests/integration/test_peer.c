/* SPDX-License-Identifier: MIT */
/*
 * test_peer.c - the module against a hostile CredSSP peer (peer.c) that
 * authenticated for real and then misbehaves.  Each case names the exact
 * status the module must fail with, and checks that nothing was given
 * away: as initiator the module sent no authInfo, as acceptor it returned
 * no delegated credential.  Both inner mechs, through the real mechglue,
 * KDC and gss-ntlmssp.
 */
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "hs.h"
#include "peer.h"

/* An honest peer completes with the module in either role: the baseline
 * that shows the peer is a real CredSSP implementation, so the failures
 * below come from what it changes. */
START_TEST(test_honest)
{
    struct peer_script s = { .acceptor = _i & 1, .ntlm = _i >> 1 };
    struct peer_result r;

    peer_run(&s, &r);
    fprintf(stderr, "honest %s %s: [%s]\n", s.acceptor ? "acceptor" :
            "initiator", s.ntlm ? "ntlm" : "kerberos", r.error);
    ck_assert_msg(r.major == GSS_S_COMPLETE, "%s", r.error);
    ck_assert(r.peer_done);
    ck_assert_int_eq(r.peer_err, CS_OK);
    if (s.acceptor) {
        ck_assert_int_eq(r.authinfo_seen, 1);
        ck_assert(r.flags & GSS_C_DELEG_FLAG);
    } else {
        ck_assert(r.delegated);
    }
    peer_result_clear(&r);
}
END_TEST

/* The cases.  `replay`: run an honest session first and replay what the
 * peer sent in it. */
static const struct {
    const char *what;
    struct peer_script s;
    bool replay;
    OM_uint32 major, minor;
} cases[] = {
    /* The module as initiator: a hostile acceptor. */
    { "server pubKeyAuth over another key",
      { .acceptor = true, .pubkey = PEER_PK_OTHER_KEY }, false,
      GSS_S_BAD_SIG, CREDSSP_S_PUBKEYAUTH_MISMATCH },
    { "server echo: the client's own hash (v6)",
      { .acceptor = true, .pubkey = PEER_PK_REFLECT }, false,
      GSS_S_BAD_SIG, CREDSSP_S_PUBKEYAUTH_MISMATCH },
    { "server echo without the +1 (v4)",
      { .acceptor = true, .version = 4, .pubkey = PEER_PK_REFLECT }, false,
      GSS_S_BAD_SIG, CREDSSP_S_PUBKEYAUTH_MISMATCH },
    { "server pubKeyAuth of an earlier session",
      { .acceptor = true, .pubkey = PEER_PK_REPLAY }, true,
      GSS_S_BAD_SIG, CREDSSP_S_PUBKEYAUTH_MISMATCH },
    { "server version changed after its first message",
      { .acceptor = true, .later_version = 5 }, false,
      GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_VERSION_CHANGED },
    { "server alert in place of its first TLS flight",
      { .acceptor = true, .tls_alert = true }, false,
      GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_TLS_ALERT },
    { "server closes instead of its first TSRequest",
      { .acceptor = true, .close_at = 1 }, false,
      GSS_S_CONTEXT_EXPIRED, CREDSSP_S_TLS_CLOSED },
    { "server closes instead of its pubKeyAuth",
      { .acceptor = true, .close_at = 2 }, false,
      GSS_S_FAILURE, CREDSSP_S_PEER_CLOSED },
    /* The module as acceptor: a hostile initiator. */
    { "client pubKeyAuth over another key",
      { .pubkey = PEER_PK_OTHER_KEY }, false,
      GSS_S_BAD_SIG, CREDSSP_S_PUBKEYAUTH_MISMATCH },
    { "client sends the server's value (reflection)",
      { .pubkey = PEER_PK_REFLECT }, false,
      GSS_S_BAD_SIG, CREDSSP_S_PUBKEYAUTH_MISMATCH },
    { "client pubKeyAuth of an earlier session",
      { .pubkey = PEER_PK_REPLAY }, true,
      GSS_S_BAD_SIG, CREDSSP_S_PUBKEYAUTH_MISMATCH },
    { "client authInfo of an earlier session",
      { .authinfo = PEER_AI_REPLAY }, true,
      GSS_S_BAD_SIG, CREDSSP_S_BAD_AUTHINFO },
    { "client credentials of an unknown credType",
      { .authinfo = PEER_AI_CRED_TYPE }, false,
      GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_BAD_CRED_TYPE },
    { "client credentials nested 2,000 deep",
      { .authinfo = PEER_AI_NESTED }, false,
      GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_BAD_DER },
    { "client version changed after its first message",
      { .later_version = 5 }, false,
      GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_VERSION_CHANGED },
    { "client alert after the server's first TLS flight",
      { .tls_alert = true }, false,
      GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_TLS_ALERT },
    { "client closes instead of its second TSRequest",
      { .close_at = 2 }, false,
      GSS_S_CONTEXT_EXPIRED, CREDSSP_S_TLS_CLOSED },
    { "client closes instead of its authInfo",
      { .close_at = 3 }, false,
      GSS_S_CONTEXT_EXPIRED, CREDSSP_S_TLS_CLOSED },
};

START_TEST(test_hostile_peer)
{
    int c = _i / 2;
    struct peer_script s = cases[c].s;
    struct peer_result first = { 0 }, r;

    s.ntlm = _i & 1;
    if (cases[c].replay) {
        struct peer_script honest = { .acceptor = s.acceptor,
                                      .ntlm = s.ntlm };

        peer_run(&honest, &first);
        ck_assert_msg(first.major == GSS_S_COMPLETE, "%s", first.error);
        s.replay = &first.rec;
    }
    peer_run(&s, &r);
    fprintf(stderr, "%s (%s): [%s] peer err %u, sent %d\n", cases[c].what,
            s.ntlm ? "ntlm" : "kerberos", r.error, r.peer_err, r.sent);
    ck_assert_msg(r.major == cases[c].major && r.minor == cases[c].minor,
                  "%s (%s): %s", cases[c].what, s.ntlm ? "ntlm" : "kerberos",
                  r.error);
    /* Nothing given away. */
    ck_assert_int_eq(r.authinfo_seen, 0);
    ck_assert(!r.delegated);
    ck_assert_uint_eq(r.flags & GSS_C_DELEG_FLAG, 0);
    peer_result_clear(&first);
    peer_result_clear(&r);
}
END_TEST

/* A server's NTLM CHALLENGE with a target type and an empty TargetName:
 * gss-ntlmssp 1.2.0 writes through a NULL pointer decoding it (found by
 * fuzz_initiator), so the module refuses it before gss-ntlmssp sees it. */
START_TEST(test_ntlm_empty_target_name)
{
    struct peer_script s = { .acceptor = true, .ntlm = true,
                             .empty_target_name = true };
    struct peer_result r;

    peer_run(&s, &r);
    fprintf(stderr, "empty TargetName: [%s]\n", r.error);
    ck_assert_msg(r.major == GSS_S_DEFECTIVE_TOKEN &&
                      r.minor == CREDSSP_S_BAD_NTLM_CHALLENGE,
                  "%s", r.error);
    ck_assert_int_eq(r.authinfo_seen, 0);
    ck_assert_int_eq(r.pubkey_seen, 0);
    peer_result_clear(&r);
}
END_TEST

/*
 * Impacket's NEGOTIATE: 32 bytes, no Version (NEGOTIATE_VERSION clear).
 * gss-ntlmssp 1.2.0 alone refuses it (ERR_DECODE); the module pads it and
 * the exchange completes with the real gss-ntlmssp on both sides, the
 * raw NTLM client sending no MIC as Impacket does.
 */
START_TEST(test_ntlm_negotiate_without_version)
{
    struct peer_script s = { .ntlm = true, .version = 2,
                             .negotiate = PEER_NEG_SHORT };
    struct peer_result r;

    peer_run(&s, &r);
    fprintf(stderr, "32-byte NEGOTIATE: [%s]\n", r.error);
    ck_assert_msg(r.major == GSS_S_COMPLETE, "%s", r.error);
    ck_assert(r.peer_done);
    ck_assert(r.delegated);
    peer_result_clear(&r);
}
END_TEST

/*
 * The same NEGOTIATE in SPNEGO: gss-ntlmssp under SPNEGO sends a MIC, and
 * computes it over the NEGOTIATE it made: 40 bytes with a zero Version,
 * the bytes the module pads to, so the MIC verifies and the exchange
 * completes.
 */
START_TEST(test_ntlm_spnego_negotiate_without_version)
{
    struct peer_script s = { .ntlm = true,
                             .negotiate = PEER_NEG_SPNEGO_SHORT };
    struct peer_result r;

    peer_run(&s, &r);
    fprintf(stderr, "SPNEGO, 32-byte NEGOTIATE, MIC: [%s]\n", r.error);
    ck_assert_msg(r.major == GSS_S_COMPLETE, "%s", r.error);
    ck_assert(r.delegated);
    peer_result_clear(&r);
}
END_TEST

/*
 * The one case padding cannot make transparent: a client that sends its
 * NEGOTIATE without the Version and signs other bytes with its MIC (here
 * the NEGOTIATE with its real Version, as a client that signs the 32
 * bytes it sent would too).  gss-ntlmssp's MIC check fails on the padded
 * message; the module says why with its own status, and tells the peer
 * STATUS_NOT_SUPPORTED.
 */
START_TEST(test_ntlm_mic_without_version)
{
    struct peer_script s = { .ntlm = true,
                             .negotiate = PEER_NEG_SPNEGO_STRIPPED };
    struct peer_result r;

    peer_run(&s, &r);
    fprintf(stderr, "SPNEGO, NEGOTIATE stripped of its Version, MIC: "
            "[%s]\n", r.error);
    ck_assert_uint_eq(r.major, GSS_S_UNAVAILABLE);
    ck_assert_uint_eq(r.minor, CREDSSP_S_NTLM_MIC_NO_VERSION);
    ck_assert_msg(strstr(r.error, "Version") != NULL, "%s", r.error);
    ck_assert(!r.delegated);
    ck_assert(r.final_token);
    ck_assert_int_eq(r.final_err, CREDSSP_S_PEER_NOT_SUPPORTED);
    peer_result_clear(&r);
}
END_TEST

/*
 * Garbage (not DER) and oversize tokens (70,000 bytes, over the default
 * max_token_size) in place of each message the peer sends, so in every
 * state of the module: the initiator's three messages reach the acceptor
 * in TLS-done, negotiation and authInfo states, the acceptor's two reach
 * the initiator in negotiation and pubKeyAuth states.
 */
START_TEST(test_bad_token_every_state)
{
    int at = _i % 5, kind = _i / 5 % 2;
    struct peer_script s = { .acceptor = at >= 3, .ntlm = _i / 10 };
    struct peer_result r;
    OM_uint32 want = kind ? CREDSSP_S_TOKEN_TOO_LARGE : CREDSSP_S_BAD_DER;
    int index = at >= 3 ? at - 2 : at + 1;

    if (kind) {
        s.oversize_at = index;
    } else {
        s.garbage_at = index;
    }
    peer_run(&s, &r);
    fprintf(stderr, "%s %s as message %d of the %s (%s): [%s]\n",
            kind ? "oversize" : "garbage", kind ? "token" : "TSRequest",
            index, s.acceptor ? "acceptor" : "initiator",
            s.ntlm ? "ntlm" : "kerberos", r.error);
    ck_assert_int_eq(r.sent, index);
    ck_assert_msg(r.major == GSS_S_DEFECTIVE_TOKEN && r.minor == want,
                  "message %d: %s", index, r.error);
    ck_assert_int_eq(r.authinfo_seen, 0);
    ck_assert(!r.delegated);
    peer_result_clear(&r);
}
END_TEST

/*
 * An sspi-rs-based client (IronRDP) in Kerberos mode: SPNEGO offering
 * [MS-KRB5, KRB5, NTLM] with a Kerberos user-to-user request as the
 * optimistic token, which MIT's krb5 cannot accept.  The module's acceptor
 * makes MIT's SPNEGO negotiate NTLM instead (inner.c, u2u_fallback): the
 * exchange completes over NTLM with both mechListMICs.  Without NTLM on
 * offer there is nothing to fall back to; a mechListMIC over another list
 * than the one sent is refused: the fallback keeps SPNEGO's downgrade
 * protection.
 */
START_TEST(test_u2u_spnego)
{
    static const enum peer_u2u kinds[] = { PEER_U2U_NTLM, PEER_U2U_NO_NTLM,
                                           PEER_U2U_BAD_MIC };
    static const char *const what[] = { "with NTLM", "without NTLM",
                                        "with a mechListMIC over [NTLM]" };
    struct peer_script s = { .ntlm = true, .u2u = kinds[_i] };
    struct peer_result r;
    char user[256];

    peer_run(&s, &r);
    fprintf(stderr, "user-to-user optimistic token, %s: [%s] %s %s "
            "(peer: %d TSRequests, status %d)\n", what[_i], r.error, r.name,
            r.inner_mech, r.sent, (int)r.peer_err);
    if (s.u2u == PEER_U2U_NTLM) {
        snprintf(user, sizeof(user), "%s\\%s",
                 hs_env("CREDSSP_TEST_NTLM_DOMAIN"),
                 hs_env("CREDSSP_TEST_USER"));
        ck_assert_msg(r.major == GSS_S_COMPLETE, "%s", r.error);
        ck_assert_int_eq(r.peer_err, CS_OK);
        ck_assert(r.peer_done && r.delegated);
        ck_assert_str_eq(r.inner_mech, "ntlm");
        ck_assert_str_eq(r.name, user);
    } else {
        ck_assert_msg(GSS_ERROR(r.major), "%s", r.error);
        ck_assert_uint_eq(GSS_ROUTINE_ERROR(r.major),
                          s.u2u == PEER_U2U_BAD_MIC ? GSS_S_BAD_MIC
                                                    : GSS_S_BAD_MECH);
        ck_assert(!r.peer_done && !r.delegated);
        ck_assert_int_eq(r.pubkey_seen, 0);
        /* A tampered negotiation is not a wrong password. */
        ck_assert_uint_eq(r.minor, s.u2u == PEER_U2U_BAD_MIC
                                       ? CREDSSP_S_INNER_BAD_MIC
                                       : CREDSSP_S_NO_COMMON_MECH);
    }
    peer_result_clear(&r);
}
END_TEST

/*
 * A TLS 1.3 peer that asks for new keys (KeyUpdate, update_requested), as
 * a TLS stack may near its keys' usage limit: the module takes its
 * message along with it, and OpenSSL owes the peer a KeyUpdate of its
 * own, written before the module's next record.  gss_wrap carries both
 * records; gss_wrap_iov_length makes HEADER room for it, and a HEADER
 * sized for one record alone is refused before anything is sealed (a
 * record sealed and dropped would be a gap the peer cannot get past).
 * A token with the KeyUpdate alone is an empty message.  The peer reads
 * every message: before the fix, the KeyUpdate went into the TRAILER
 * arithmetic and the IOV call failed after sealing.
 */
START_TEST(test_key_update)
{
    struct peer_script s = { .acceptor = _i & 1, .ntlm = _i >> 1,
                             .key_update = true };
    struct peer_result r;
    size_t h, t;

    peer_run(&s, &r);
    fprintf(stderr, "key update, module %s, %s: [%s] header %zu then %zu; "
            "stale header: %u/%u\n", s.acceptor ? "initiator" : "acceptor",
            s.ntlm ? "ntlm" : "kerberos", r.error, r.ku_header[0],
            r.ku_header[1], r.ku_stale_major, r.ku_stale_minor);
    ck_assert_msg(r.major == GSS_S_COMPLETE, "%s", r.error);
    ck_assert(r.ku_unwrapped);
    ck_assert(r.ku_iov);
    ck_assert(r.ku_wrap);
    /* TLS 1.3: a record alone has a 5-byte header and a 17-byte trailer;
     * the KeyUpdate record is 5 + 5 + 17 bytes. */
    h = 5;
    t = 17;
    ck_assert_uint_eq(r.ku_header[1], h);
    ck_assert_uint_eq(r.ku_header[0], h + (h + 5 + t));
    ck_assert_uint_eq(r.ku_stale_major, GSS_S_FAILURE);
    ck_assert_uint_eq(r.ku_stale_minor, CREDSSP_S_BAD_ARGS);
    /* A KeyUpdate alone is an empty message; the next one goes through. */
    ck_assert_uint_eq(r.ku_alone_major, GSS_S_COMPLETE);
    ck_assert_uint_eq(r.ku_alone_len, 0);
    ck_assert(r.ku_wrap_after);
    peer_result_clear(&r);
}
END_TEST

static Suite *
peer_suite(void)
{
    Suite *s = suite_create("hostile peer");
    TCase *tc = tcase_create("peer");

    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_honest, 0, 4);
    tcase_add_loop_test(tc, test_hostile_peer, 0,
                        (int)(2 * sizeof(cases) / sizeof(cases[0])));
    tcase_add_loop_test(tc, test_bad_token_every_state, 0, 20);
    tcase_add_loop_test(tc, test_u2u_spnego, 0, 3);
    tcase_add_loop_test(tc, test_key_update, 0, 4);
    tcase_add_test(tc, test_ntlm_empty_target_name);
    tcase_add_test(tc, test_ntlm_negotiate_without_version);
    tcase_add_test(tc, test_ntlm_spnego_negotiate_without_version);
    tcase_add_test(tc, test_ntlm_mic_without_version);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return hs_main(peer_suite());
}
