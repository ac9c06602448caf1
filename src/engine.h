/* SPDX-License-Identifier: MIT */
/*
 * engine.h - CredSSP contexts and their states ([MS-CSSP] 3.1.5), which
 * the handshake driver (driver.h) moves through; credentials are
 * cred.h's.  mech/ turns these into GSSAPI; nothing here knows about
 * major status codes.
 */
#ifndef CS_ENGINE_H
#define CS_ENGINE_H

#include <pthread.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "config.h"
#include "cred.h"
#include "inner.h"
#include "tls.h"
#include "tsrequest.h"

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
    time_t expires;               /* CLOCK_MONOTONIC second the inner
                                   * authentication's lifetime ends at;
                                   * 0: it does not end */
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

/* cs_ctx_time_left: the seconds left of a context's lifetime: the inner
 * authentication's, counted from its completion (GSS_C_INDEFINITE when it
 * has none), 0 once it is over or the TLS channel has ended. */
OM_uint32 cs_ctx_time_left(const struct cs_ctx *ctx);

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
