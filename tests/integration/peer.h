/* SPDX-License-Identifier: MIT */
/*
 * peer.h - a scripted CredSSP peer that misbehaves on command, for the
 * hostile-peer tests (test_peer.c).
 *
 * The peer speaks CredSSP with libcscore's own parts: a real OpenSSL TLS
 * endpoint, the inner Kerberos or NTLM context through the real mechglue
 * (the fixture's KDC, gss-ntlmssp), the TSRequest codec and pubKeyAuth.
 * Unlike a relay it holds the inner session keys, so it can send what
 * only a peer that really authenticated can: a pubKeyAuth hash that is
 * properly sealed but wrong, a server echo without the +1, an earlier
 * session's pubKeyAuth or authInfo, credentials of an unknown type.
 * The other side is the module under test, through the real mechglue.
 */
#ifndef PEER_H
#define PEER_H

#include <stdbool.h>
#include <stdint.h>

#include <gssapi/gssapi.h>

#include "cs.h"
#include "hs.h"
#include "tsrequest.h"

/* The pubKeyAuth the peer sends. */
enum peer_pubkey {
    PEER_PK_HONEST,
    PEER_PK_OTHER_KEY,            /* sealed properly, over another key */
    PEER_PK_REFLECT,              /* the other direction's value: from a
                                   * server, its echo without the +1 (or
                                   * the client's hash, version 5 on) */
    PEER_PK_REPLAY                /* sealed in an earlier session */
};

/* The initiator's inner SPNEGO scripted like an sspi-rs-based client
 * (IronRDP) in Kerberos mode: a Kerberos user-to-user request
 * (KERB-TGT-REQUEST) as the optimistic token; then, if the acceptor picks
 * NTLM, NTLM with the mechListMIC exchange.  The peer needs .ntlm. */
enum peer_u2u {
    PEER_U2U_NONE,
    PEER_U2U_NTLM,                /* offers [MS-KRB5, KRB5, NTLM] */
    PEER_U2U_NO_NTLM,             /* offers [MS-KRB5, KRB5] */
    PEER_U2U_BAD_MIC              /* as PEER_U2U_NTLM, but its mechListMIC
                                   * covers [NTLM]: what the MIC of a
                                   * client whose list was cut would be */
};

/* The authInfo the peer (as initiator) sends. */
enum peer_authinfo {
    PEER_AI_HONEST,               /* the test user's password */
    PEER_AI_REPLAY,               /* sealed in an earlier session */
    PEER_AI_CRED_TYPE,            /* TSCredentials of credType 3 */
    PEER_AI_NESTED                /* sealed DER nested 2,000 deep */
};

/* The NTLM NEGOTIATE the peer (as initiator, NTLM) sends. */
enum peer_negotiate {
    PEER_NEG_HONEST,              /* gss-ntlmssp's, 40 bytes */
    PEER_NEG_SHORT,               /* Impacket's 32 bytes: no Version,
                                   * flags 0xe0888235 (gss-ntlmssp runs
                                   * with those flags) */
    PEER_NEG_SPNEGO_SHORT,        /* the same inside SPNEGO (NTLM only),
                                   * whose AUTHENTICATE carries a MIC over
                                   * gss-ntlmssp's 40 bytes (with a zero
                                   * Version: what the module pads to) */
    PEER_NEG_SPNEGO_STRIPPED      /* in SPNEGO, gss-ntlmssp's NEGOTIATE
                                   * with its Version (flags 0xe2888235),
                                   * sent without it and the flag: the MIC
                                   * covers other bytes than the padding */
};

/* What an earlier session sent, to replay. */
struct peer_record {
    cs_blob pubkey;               /* our pubKeyAuth, sealed */
    cs_blob authinfo;             /* our authInfo, sealed */
};

struct peer_script {
    bool acceptor;                /* the peer's role; else initiator */
    const char *user;             /* initiator: who it authenticates as */
    const char *password;         /* (NULL: the test user) */
    bool ntlm;                    /* inner NTLM, else Kerberos */
    uint32_t version;             /* the peer's version; 0: 6 */
    uint32_t later_version;       /* nonzero: from our second message on */
    enum peer_pubkey pubkey;
    enum peer_authinfo authinfo;
    int close_at;                 /* a TLS close_notify instead of our
                                   * close_at'th TSRequest (1-based) */
    int garbage_at;               /* bytes that are not DER instead */
    int oversize_at;              /* 70,000 bytes (5 records) instead */
    bool tls_alert;               /* a fatal TLS alert (handshake_failure)
                                   * as our answer to the module's first
                                   * TLS flight, mid-handshake */
    bool empty_target_name;       /* acceptor: our NTLM CHALLENGE's
                                   * TargetName emptied (length 0) */
    /* Initiator, PEER_AI_HONEST: the TSPasswordCreds sent; NULL for the
     * test user's own (domain: the realm, or the NTLM domain). */
    const char *deleg_domain;
    const char *deleg_user;
    const char *deleg_password;
    const struct cs_tscredentials *deleg_other; /* smart card etc. */
    bool keep_deleg;              /* the module's delegated handle is
                                   * returned in res->deleg */
    struct hs_opt module_extra[4]; /* options of the module's credential */
    enum peer_negotiate negotiate;
    bool garbage_inner;           /* NTLM: our first inner token (the
                                   * NEGOTIATE, or as acceptor the
                                   * CHALLENGE) cut to 20 bytes, which
                                   * gss-ntlmssp cannot decode */
    const struct peer_record *replay;
    enum peer_u2u u2u;
    bool key_update;              /* once complete: messages both ways,
                                   * the peer asking for new keys (TLS
                                   * 1.3 KeyUpdate) before its own */
};

struct peer_result {
    OM_uint32 major, minor;       /* of the module under test */
    char error[512];              /* their display text */
    OM_uint32 flags;              /* its ret_flags */
    bool delegated;               /* its delegated credential handle */
    gss_cred_id_t deleg;          /* with keep_deleg; caller releases */
    int authinfo_seen;            /* authInfo the peer received */
    int pubkey_seen;              /* pubKeyAuth the peer received */
    int sent;                     /* TSRequests the peer sent */
    bool peer_done;               /* the peer completed its part */
    cs_err peer_err;              /* or failed with this */
    cs_err told;                  /* what the module's failure token told
                                   * the peer: CREDSSP_S_PEER_* for an
                                   * errorCode */
    cs_err final_err;             /* what the peer made of the token the
                                   * module returned with its failure */
    bool final_token;             /* the module returned one */
    struct peer_record rec;       /* what the peer sent this time */
    char name[256];               /* the module's acceptor: who it says
                                   * authenticated */
    char inner_mech[32];          /* and over which inner mech */
    /* With key_update, twice: the peer sends a KeyUpdate that asks for
     * new keys and a message in one token. */
    bool ku_unwrapped;            /* the module's gss_unwrap gave both
                                   * messages */
    size_t ku_header[2];          /* gss_wrap_iov_length's HEADER while
                                   * the module owes its KeyUpdate, and
                                   * once it sent it */
    bool ku_iov;                  /* the peer read the gss_wrap_iov
                                   * message that carried it */
    OM_uint32 ku_stale_major, ku_stale_minor;
                                  /* gss_wrap_iov, the second time, with
                                   * the HEADER of a record alone */
    bool ku_wrap;                 /* then the peer read gss_wrap's */
    OM_uint32 ku_alone_major;     /* gss_unwrap of a KeyUpdate alone */
    size_t ku_alone_len;          /* the message it gave */
    bool ku_wrap_after;           /* the peer read gss_wrap's after it */
};

/* peer_run: one exchange between the peer and the module under test in
 * the other role. */
void peer_run(const struct peer_script *s, struct peer_result *res);

/* peer_result_clear: frees what peer_run recorded. */
void peer_result_clear(struct peer_result *res);

#endif /* PEER_H */
