/* SPDX-License-Identifier: MIT */
/*
 * engine.h - CredSSP credentials and contexts, and the two state machines
 * ([MS-CSSP] 3.1.5).  mech/ turns these into GSSAPI; nothing here knows
 * about major status codes.
 */
#ifndef CS_ENGINE_H
#define CS_ENGINE_H

#include <pthread.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "config.h"
#include "inner.h"
#include "tls.h"
#include "tsrequest.h"

enum cs_role { CS_INITIATOR, CS_ACCEPTOR };

/* Windows' "Encryption Oracle Remediation" levels (CVE-2018-0886). */
enum cs_oracle {
    CS_ORACLE_MITIGATED = 0,      /* initiators require 5; the default */
    CS_ORACLE_FORCE_UPDATED,      /* both roles require 5 */
    CS_ORACLE_VULNERABLE          /* both roles take 2 */
};

/* Limits on what a peer can make us do ([credssp.conf(5)]). */
#define CS_DEFAULT_MAX_TOKEN 65536
#define CS_MAX_MAX_TOKEN (16 * 1024 * 1024)
#define CS_DEFAULT_MAX_LEGS 16

/* Settings of one credential: defaults, then credssp.conf, then cred-store
 * keys, then gss_set_cred_option. */
struct cs_settings {
    enum cs_inner_mode inner_mode;
    uint32_t min_version;         /* 0: from the oracle level */
    enum cs_oracle oracle;        /* Encryption Oracle Remediation level */
    uint32_t max_version;         /* 0: CS_VERSION_MAX */
    struct cs_tls_settings tls;
    size_t max_token;             /* 0: CS_DEFAULT_MAX_TOKEN */
    unsigned max_legs;            /* 0: CS_DEFAULT_MAX_LEGS */
    bool restricted_admin;        /* initiator: never send the password */
    bool allow_other_user;        /* acceptor: take delegated credentials
                                   * of another user than the inner
                                   * authentication's */
    char *ntlm_deleg;             /* patterns, comma-separated; NULL: none */
    char *deleg;                  /* patterns; NULL: "*" */
    char *frame_initial;          /* patterns; NULL: never frame */
    char *cert_file;
    char *key_file;
};

/* cs_settings_load: the built-in defaults, then credssp.conf. */
cs_err cs_settings_load(struct cs_settings *s) CS_WUR;

/* cs_settings_set: applies one setting by its name (credssp.conf's, the
 * cred-store key without "credssp_"); CREDSSP_S_UNSUPPORTED_OPTION for an
 * unknown name, CREDSSP_S_BAD_OPTION_VALUE for a bad value. */
cs_err cs_settings_set(struct cs_settings *s, const char *name,
                       const char *value) CS_WUR;

/* cs_settings_renamed: the name of the setting that old (a deprecated
 * cred-store key without "credssp_", refused in credssp.conf) stands for,
 * or NULL when old is no such name. */
const char *cs_settings_renamed(const char *old);

void cs_settings_clear(struct cs_settings *s);
cs_err cs_settings_copy(struct cs_settings *dst,
                        const struct cs_settings *src) CS_WUR;

/* The effective minimum version for a role. */
uint32_t cs_settings_min_version(const struct cs_settings *s,
                                 enum cs_role role);
uint32_t cs_settings_max_version(const struct cs_settings *s);

/* cs_pattern_match: whether spn matches one of the comma-separated
 * patterns (shell wildcards, case-insensitive). */
bool cs_pattern_match(const char *patterns, const char *spn);

/* A CredSSP credential.  Reference-counted: a context keeps the
 * credential it was made with alive. */
struct cs_cred {
    int refs;
    pthread_mutex_t lock;         /* guards the lazy cs_cred_finish */
    bool finished;
    gss_cred_usage_t usage;
    gss_name_t name;              /* mechglue union name, or NO_NAME */
    bool has_password;
    struct cs_password_creds pw;  /* domain, user, password (secret) */
    gss_cred_id_t inner;          /* mechglue union credential */
    enum cs_inner_mode mode;      /* initiator: as resolved */
    OM_uint32 inner_time;
    struct cs_settings set;
    gss_key_value_set_desc store; /* the other mechs' cred-store keys */
    SSL_CTX *ssl_ctx;
    /* Initiator: smart card or Remote Guard credentials to send instead
     * of the password (cred_type 0: none). */
    struct cs_tscredentials send;
    /* A delegated credential (from the acceptor). */
    bool delegated;
    bool delegated_empty;
    struct cs_tscredentials deleg;
    char *store_principal;        /* the Kerberos principal a ticket is
                                   * stored for (ident.h) */
};

cs_err cs_cred_new(gss_cred_usage_t usage, struct cs_cred **out) CS_WUR;
struct cs_cred *cs_cred_ref(struct cs_cred *c);
void cs_cred_unref(struct cs_cred *c);

/* cs_cred_set_password: user/domain (from the name's text: user@REALM,
 * DOMAIN\user or user) and the password for delegation. */
cs_err cs_cred_set_password(struct cs_cred *c, const char *name_text,
                            const char *password) CS_WUR;

/* cs_cred_delegated_password: makes a delegated password credential
 * usable as an initiator credential: name (user@REALM, DOMAIN\user or
 * user) and the delegated password; principal is what
 * cs_cred_store_krb5 gets a ticket for (both from cs_ident_names). */
cs_err cs_cred_delegated_password(struct cs_cred *c, const char *name,
                                  const char *principal) CS_WUR;

/* cs_cred_set_creds_key: one "smartcard_*" or "remote_guard_*" key (the
 * cred-store key without "credssp_"): the credentials an initiator sends
 * in place of its password.  CREDSSP_S_UNSUPPORTED_OPTION for other
 * names; CREDSSP_S_CRED_IN_USE once the credential was used. */
cs_err cs_cred_set_creds_key(struct cs_cred *c, const char *name,
                             const char *value) CS_WUR;

/* cs_cred_store_krb5: obtains a TGT for the credential's store_principal
 * with the delegated password and stores it where cred_store says (its
 * "ccache" key), as gss_store_cred_into does for krb5.
 * CREDSSP_S_STORE_FAILED with krb5's reason in the detail text when the
 * KDC does not give one; CREDSSP_S_CCACHE_IN_USE when the cache holds
 * another principal's credentials (never replaced) or, without
 * overwrite, any. */
cs_err cs_cred_store_krb5(struct cs_cred *c, OM_uint32 overwrite,
                          OM_uint32 default_cred,
                          gss_const_key_value_set_t cred_store) CS_WUR;

/* cs_cred_add_store: keeps a copy of one cred-store element to pass to
 * the inner mechs. */
cs_err cs_cred_add_store(struct cs_cred *c, const char *key,
                         const char *value) CS_WUR;

/* cs_cred_finish: acquires the inner credential and the TLS context once
 * the settings are final (at first use). */
cs_err cs_cred_finish(struct cs_cred *c) CS_WUR;

/* cs_cred_set_option: changes a setting (CREDSSP_S_UNSUPPORTED_OPTION,
 * CREDSSP_S_BAD_OPTION_VALUE as cs_settings_set); CREDSSP_S_CRED_IN_USE
 * once cs_cred_finish has made the credential's inner parts. */
cs_err cs_cred_set_option(struct cs_cred *c, const char *name,
                          const char *value) CS_WUR;

/* The states of a context.  Each role has its own run of them (CS_ST_TLS
 * and the last two are shared); src/driver.h's per-role tables say what
 * each state takes from the peer and which function handles it. */
enum cs_state {
    CS_ST_TLS,                    /* both: TLS handshake */
    CS_ST_INI_NEGO,               /* initiator: negoTokens, before our
                                   * pubKeyAuth */
    CS_ST_INI_PUBKEY,             /* initiator: our pubKeyAuth sent,
                                   * waiting for the server's */
    CS_ST_INI_CONFIRM,            /* GS2 initiator: waiting for the end */
    CS_ST_ACC_NEGO,               /* acceptor: negoTokens, until the inner
                                   * context completes */
    CS_ST_ACC_PUBKEY,             /* acceptor: waiting for pubKeyAuth */
    CS_ST_ACC_AUTHINFO,           /* acceptor: waiting for authInfo */
    CS_ST_DONE,
    CS_ST_FAILED,
    CS_ST_COUNT
};

/* What each state handler returns. */
enum cs_wait { CS_WAIT_ERR, CS_WAIT_OK, CS_WAIT_TOKEN, CS_WAIT_DONE };

/* The messages a flow may carry, for the trace and the tests' check of
 * legal sequences; the first three are also the fields the driver's
 * tables allow (src/driver.h). */
#define CS_MSG_NEGO 0x01
#define CS_MSG_PUBKEY 0x02
#define CS_MSG_AUTHINFO 0x04
#define CS_MSG_ERROR 0x08
#define CS_MSG_NONCE 0x10
#define CS_MSG_EMPTY 0x20         /* none of the above: GS2's confirmation */
#define CS_MAX_MSGS 16

/* A legal message sequence ([MS-CSSP] 3.1.5): what the client's and the
 * server's TSRequests carry, in order (CS_MSG_NONCE ignored). */
struct cs_flow {
    const char *name;
    uint8_t client[CS_MAX_MSGS];
    uint8_t server[CS_MAX_MSGS];
};

/* cs_flows: the table of every whole sequence this engine may produce or
 * accept, ended by a NULL name; the trace names the one an exchange
 * followed.  What each single message may carry is enforced as it
 * arrives, by the per-state tables of src/driver.h. */
extern const struct cs_flow cs_flows[];

struct cs_ctx {
    enum cs_role role;
    enum cs_state state;
    /* GSS_CREDSSP_GS2_MECH: the acceptor confirms authInfo with one more
     * TSRequest, and the initiator completes on it (the public header). */
    bool gs2;
    struct cs_cred *cred;         /* referenced */
    gss_name_t target;            /* initiator: union name (owned) */
    char *target_spn;             /* "SERVICE/host", for policy */
    char *target_host;            /* TLS SNI */
    OM_uint32 req_flags;
    OM_uint32 ret_flags;
    struct cs_tls *tls;
    struct cs_inner inner;
    uint32_t our_version;
    uint32_t peer_version;        /* 0 until the peer's first TSRequest */
    bool have_nonce;
    uint8_t nonce[CS_NONCE_LEN];
    uint32_t pubkey_version;      /* the version our pubKeyAuth used */
    bool mutual;                  /* the server was authenticated */
    bool cert_verified;           /* its certificate verified for host */
    unsigned legs;                /* calls of cs_ctx_step that counted */
    cs_blob server_key;
    size_t missing;
    size_t extra;                 /* input bytes after the completion */
    cs_err pending_err;           /* acceptor: error to report */
    struct cs_cred *delegated;    /* acceptor result */
    /* Message trace: what each TSRequest carried, in order. */
    size_t num_sent, num_recv;
    uint8_t sent[CS_MAX_MSGS];
    uint8_t recv[CS_MAX_MSGS];
};

cs_err cs_ctx_new(enum cs_role role, struct cs_cred *cred,
                  struct cs_ctx **out) CS_WUR;
void cs_ctx_free(struct cs_ctx *ctx);

/* cs_ctx_set_target: the initiator's target name (a union name, which the
 * context duplicates), and its text and type for SNI and policy. */
cs_err cs_ctx_set_target(struct cs_ctx *ctx, gss_name_t target) CS_WUR;

/*
 * cs_ctx_step: one call of init or accept.  in is the peer's token (empty
 * on the initiator's first call).  On CS_OK, *done says whether the
 * context is complete; *out may be empty.  On an error, *out may still
 * hold a token for the peer (a TLS alert or a TSRequest with errorCode).
 * CREDSSP_S_INCOMPLETE_MESSAGE leaves the context as it was.
 */
cs_err cs_ctx_step(struct cs_ctx *ctx, const uint8_t *in, size_t in_len,
                   cs_blob *out, bool *done) CS_WUR;

/* cs_ctx_flow: the entry of cs_flows a completed exchange followed, or
 * NULL for a sequence not in the table. */
const struct cs_flow *cs_ctx_flow(const struct cs_ctx *ctx);

/* Shared by initiator.c and acceptor.c (engine.c). */
cs_err cs_send_request(struct cs_ctx *ctx, struct cs_tsrequest *req) CS_WUR;
cs_err cs_recv_request(struct cs_ctx *ctx, struct cs_tsrequest *req,
                       bool *got) CS_WUR;
cs_err cs_send_error(struct cs_ctx *ctx, uint32_t ntstatus) CS_WUR;
uint32_t cs_ctx_version(const struct cs_ctx *ctx);
cs_err cs_peer_error(uint32_t ntstatus);

/* cs_acceptor_idle: after a call that consumed input and had nothing to
 * say, the token that keeps the exchange going (*out is empty). */
cs_err cs_acceptor_idle(struct cs_ctx *ctx, cs_blob *out) CS_WUR;

#endif /* CS_ENGINE_H */
