/* SPDX-License-Identifier: MIT */
/*
 * engine.c - CredSSP contexts, and what the two roles' handlers share:
 * sending and receiving TSRequests, versions, errorCode.  Credentials are
 * cred.c's.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "driver.h"
#include "engine.h"
#include "record.h"
#include "trace.h"

/* make_nonce: RAND_bytes; in a configure --enable-fuzzing build only, a
 * fixed pattern, so that a fuzz input replays the same way. */
static int
make_nonce(uint8_t *out, size_t len)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    memset(out, 0x4e, len);
    return 1;
#else
    return RAND_bytes(out, (int)len);
#endif
}

cs_err
cs_ctx_new(enum cs_role role, struct cs_cred *cred, struct cs_ctx **out)
{
    struct cs_ctx *ctx = calloc(1, sizeof(*ctx));
    cs_err err;

    if (ctx == NULL) {
        return CREDSSP_S_NOMEM;
    }
    ctx->role = role;
    ctx->state = CS_ST_TLS;
    ctx->cred = cs_cred_ref(cred);
    ctx->target = GSS_C_NO_NAME;
    ctx->inner.ctx = GSS_C_NO_CONTEXT;
    ctx->inner.src_name = GSS_C_NO_NAME;
    ctx->inner.deleg_cred = GSS_C_NO_CREDENTIAL;
    ctx->our_version = cs_settings_max_version(&cred->set);
    if (role == CS_INITIATOR && ctx->our_version >= 5) {
        if (make_nonce(ctx->nonce, sizeof(ctx->nonce)) != 1) {
            err = CREDSSP_S_INTERNAL;
            goto fail;
        }
        ctx->have_nonce = true;
    }
    *out = ctx;
    return CS_OK;

fail:
    cs_ctx_free(ctx);
    return err;
}

void
cs_ctx_free(struct cs_ctx *ctx)
{
    if (ctx == NULL) {
        return;
    }
    cs_inner_release(&ctx->inner);
    cs_inner_release_name(&ctx->target);
    free(ctx->target_spn);
    free(ctx->target_host);
    cs_tls_free(ctx->tls);
    cs_blob_free(&ctx->server_key);
    cs_cred_unref(ctx->delegated);
    cs_cred_unref(ctx->cred);
    cs_wipe(ctx, sizeof(*ctx));
    free(ctx);
}

cs_err
cs_ctx_set_target(struct cs_ctx *ctx, gss_name_t target)
{
    char *s = NULL, *sep, *at;
    bool hostbased = false;
    cs_err err;

    if (target == GSS_C_NO_NAME) {
        return CREDSSP_S_BAD_NAME;
    }
    err = cs_inner_duplicate_name(target, &ctx->target);
    if (err == CS_OK) {
        err = cs_inner_display_name(target, &s, &hostbased);
    }
    if (err != CS_OK) {
        return err;
    }
    err = CREDSSP_S_NOMEM;
    /* "service@host" (host-based) or "service/host@REALM" (principal). */
    if (hostbased) {
        sep = strchr(s, '@');
    } else {
        at = strrchr(s, '@');
        if (at != NULL) {
            *at = '\0';
        }
        sep = strchr(s, '/');
    }
    if (sep != NULL) {
        *sep = '/';
        ctx->target_host = strdup(sep + 1);
    } else {
        ctx->target_host = strdup("");
    }
    ctx->target_spn = strdup(s);
    if (ctx->target_host == NULL || ctx->target_spn == NULL) {
        goto cleanup;
    }
    CS_TRACE("target %s, TLS server name %s", ctx->target_spn,
             *ctx->target_host ? ctx->target_host : "(none)");
    err = CS_OK;

cleanup:
    free(s);
    return err;
}

uint32_t
cs_ctx_version(const struct cs_ctx *ctx)
{
    if (ctx->peer_version == 0 || ctx->peer_version > ctx->our_version) {
        return ctx->our_version;
    }
    return ctx->peer_version;
}

/* version_has_error_code: [MS-CSSP] 2.2.1: errorCode in 3, 4 and 6. */
static bool
version_has_error_code(uint32_t v)
{
    return v == 3 || v == 4 || v >= 6;
}

/* note_msg: records what one TSRequest carried, for the trace. */
static void
note_msg(uint8_t *list, size_t *num, const struct cs_tsrequest *req)
{
    uint8_t m = cs_driver_fields(req);

    m |= req->has_error_code ? CS_MSG_ERROR : 0;
    m |= m == 0 ? CS_MSG_EMPTY : 0;
    m |= req->has_client_nonce ? CS_MSG_NONCE : 0;
    if (*num < CS_MAX_MSGS) {
        list[*num] = m;
    }
    (*num)++;
}

cs_err
cs_send_request(struct cs_ctx *ctx, struct cs_tsrequest *req)
{
    cs_blob der = { 0 };
    cs_err err;

    req->version = ctx->our_version;
    /* An initiator that takes no version below 5 anyway puts its nonce in
     * every message, as FreeRDP does: FreeRDP's server otherwise makes up
     * a nonce of its own for its replies (doc/design.md 3.9). */
    if (ctx->role == CS_INITIATOR && ctx->have_nonce &&
        !req->has_client_nonce && !req->has_error_code &&
        cs_settings_min_version(&ctx->cred->set, CS_INITIATOR) >= 5) {
        err = cs_blob_set(&req->client_nonce, ctx->nonce, CS_NONCE_LEN);
        if (err != CS_OK) {
            return err;
        }
        req->has_client_nonce = true;
    }
    err = cs_tsrequest_encode(req, &der);
    if (err == CS_OK) {
        err = cs_tls_write_message(ctx->tls, der.data, der.len);
    }
    if (err == CS_OK) {
        note_msg(ctx->sent, &ctx->num_sent, req);
        CS_TRACE("sent TSRequest v%u (%zu bytes):%s%s%s%s%s", req->version,
                 der.len, req->num_nego_tokens ? " negoTokens" : "",
                 req->has_pub_key_auth ? " pubKeyAuth" : "",
                 req->has_auth_info ? " authInfo" : "",
                 req->has_error_code ? " errorCode" : "",
                 req->has_client_nonce ? " clientNonce" : "");
    }
    cs_blob_free_secret(&der);
    return err;
}

cs_err
cs_send_error(struct cs_ctx *ctx, uint32_t ntstatus)
{
    struct cs_tsrequest req = { 0 };

    if (ctx->tls == NULL || ctx->peer_version == 0 ||
        !version_has_error_code(cs_ctx_version(ctx))) {
        return CS_OK;
    }
    req.has_error_code = true;
    req.error_code = ntstatus;
    CS_TRACE("sending errorCode 0x%08x", ntstatus);
    return cs_send_request(ctx, &req);
}

cs_err
cs_peer_error(uint32_t ntstatus)
{
    switch (ntstatus) {
    case CS_STATUS_LOGON_FAILURE:
    case CS_SEC_E_LOGON_DENIED:
        return CREDSSP_S_PEER_LOGON_FAILURE;
    case CS_STATUS_WRONG_PASSWORD:
        return CREDSSP_S_PEER_WRONG_PASSWORD;
    case CS_STATUS_PASSWORD_EXPIRED:
        return CREDSSP_S_PEER_PASSWORD_EXPIRED;
    case CS_STATUS_PASSWORD_MUST_CHANGE:
        return CREDSSP_S_PEER_PASSWORD_MUST_CHANGE;
    case CS_STATUS_ACCOUNT_DISABLED:
        return CREDSSP_S_PEER_ACCOUNT_DISABLED;
    case CS_STATUS_ACCOUNT_LOCKED_OUT:
        return CREDSSP_S_PEER_ACCOUNT_LOCKED;
    case CS_STATUS_ACCESS_DENIED:
        return CREDSSP_S_PEER_ACCESS_DENIED;
    case CS_STATUS_NOT_SUPPORTED:
        return CREDSSP_S_PEER_NOT_SUPPORTED;
    case CS_STATUS_NO_SUCH_PACKAGE:
        return CREDSSP_S_PEER_NO_COMMON_MECH;
    default:
        cs_err_set_detail(CREDSSP_S_PEER_ERROR,
                          "SEC_E_LOGON_DENIED: the peer reported an error: "
                          "errorCode 0x%08X", ntstatus);
        return CREDSSP_S_PEER_ERROR;
    }
}

/*
 * check_version: [MS-CSSP] 3.1.5: each side sends its own highest version;
 * the effective one is the lower.  A version that changes mid-exchange is
 * refused (as FreeRDP and sspi-rs do), and so is one below our floor.
 */
static cs_err
check_version(struct cs_ctx *ctx, uint32_t v)
{
    if (v == 0) {
        return CREDSSP_S_BAD_VERSION;
    }
    if (ctx->peer_version != 0 && v != ctx->peer_version) {
        CS_TRACE("peer version changed from %u to %u", ctx->peer_version, v);
        return CREDSSP_S_VERSION_CHANGED;
    }
    ctx->peer_version = v;
    if (cs_ctx_version(ctx) <
        cs_settings_min_version(&ctx->cred->set, ctx->role)) {
        CS_TRACE("peer version %u below our minimum %u", v,
                 cs_settings_min_version(&ctx->cred->set, ctx->role));
        return CREDSSP_S_VERSION_TOO_LOW;
    }
    return CS_OK;
}

/* check_nonce: clientNonce is 32 bytes and never changes; the acceptor
 * learns it, the initiator checks an echo against its own. */
static cs_err
check_nonce(struct cs_ctx *ctx, const struct cs_tsrequest *req)
{
    if (!req->has_client_nonce) {
        return CS_OK;
    }
    if (req->client_nonce.len != CS_NONCE_LEN) {
        return CREDSSP_S_BAD_NONCE;
    }
    if (ctx->have_nonce) {
        return CRYPTO_memcmp(ctx->nonce, req->client_nonce.data,
                             CS_NONCE_LEN) == 0
                   ? CS_OK
                   : CREDSSP_S_NONCE_CHANGED;
    }
    if (ctx->role == CS_INITIATOR) {
        return CREDSSP_S_NONCE_CHANGED;
    }
    memcpy(ctx->nonce, req->client_nonce.data, CS_NONCE_LEN);
    ctx->have_nonce = true;
    return CS_OK;
}

cs_err
cs_recv_request(struct cs_ctx *ctx, struct cs_tsrequest *req, bool *got)
{
    cs_blob msg = { 0 };
    cs_err err;

    err = cs_tls_read_message(ctx->tls, &msg, got);
    if (err != CS_OK || !*got) {
        return err;
    }
    err = cs_tsrequest_decode(msg.data, msg.len, req);
    cs_blob_free_secret(&msg);
    if (err != CS_OK) {
        CS_TRACE("received a TSRequest that does not decode");
        return err;
    }
    note_msg(ctx->recv, &ctx->num_recv, req);
    CS_TRACE("received TSRequest v%u:%s%s%s%s%s", req->version,
             req->num_nego_tokens ? " negoTokens" : "",
             req->has_pub_key_auth ? " pubKeyAuth" : "",
             req->has_auth_info ? " authInfo" : "",
             req->has_error_code ? " errorCode" : "",
             req->has_client_nonce ? " clientNonce" : "");
    err = check_version(ctx, req->version);
    if (err == CS_OK && req->has_error_code) {
        CS_TRACE("peer errorCode 0x%08x", req->error_code);
        err = version_has_error_code(cs_ctx_version(ctx))
                  ? cs_peer_error(req->error_code)
                  : CREDSSP_S_UNEXPECTED_MESSAGE;
    }
    if (err == CS_OK) {
        err = check_nonce(ctx, req);
    }
    if (err == CS_OK && req->num_nego_tokens > 1) {
        err = CREDSSP_S_UNEXPECTED_MESSAGE;
    }
    if (err != CS_OK) {
        cs_tsrequest_clear(req);
    }
    return err;
}

#define N CS_MSG_NEGO
#define P CS_MSG_PUBKEY
#define A CS_MSG_AUTHINFO
const struct cs_flow cs_flows[] = {
    /* Raw NTLM: NEGOTIATE, CHALLENGE, AUTHENTICATE with pubKeyAuth. */
    { "ntlm", { N, N | P, A }, { N, P } },
    /* Kerberos with mutual authentication (raw or in SPNEGO): AP-REQ,
     * AP-REP, then the pubKeyAuth pair. */
    { "kerberos", { N, P, A }, { N, P } },
    /* SPNEGO with NTLM: the server's last token (mechListMIC) rides with
     * its pubKeyAuth. */
    { "spnego-ntlm", { N, N | P, A }, { N, N | P } },
    /* The same, from a client that waits for the mechListMIC first. */
    { "spnego-ntlm-mic-first", { N, N, P, A }, { N, N, P } },
    { NULL, { 0 }, { 0 } }
};
#undef N
#undef P
#undef A

/* same_msgs: whether a trace equals a table row (nonce bits ignored). */
static bool
same_msgs(const uint8_t *got, size_t num, const uint8_t *want)
{
    size_t i;

    for (i = 0; i < CS_MAX_MSGS; i++) {
        uint8_t g = i < num ? (uint8_t)(got[i] & ~CS_MSG_NONCE) : 0;

        if (g != want[i]) {
            return false;
        }
    }
    return num <= CS_MAX_MSGS;
}

/* monotonic_now: seconds of CLOCK_MONOTONIC (never 0 here: the clock
 * starts at boot, and a context completes well after it). */
static time_t
monotonic_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

OM_uint32
cs_ctx_time_left(const struct cs_ctx *ctx)
{
    time_t now;

    if (ctx->tls != NULL && cs_tls_ended(ctx->tls) != CS_OK) {
        return 0;
    }
    if (ctx->expires == 0) {
        return GSS_C_INDEFINITE;
    }
    now = monotonic_now();
    return now < ctx->expires ? (OM_uint32)(ctx->expires - now) : 0;
}

const struct cs_flow *
cs_ctx_flow(const struct cs_ctx *ctx)
{
    bool ini = ctx->role == CS_INITIATOR;
    const uint8_t *c = ini ? ctx->sent : ctx->recv;
    const uint8_t *s = ini ? ctx->recv : ctx->sent;
    size_t nc = ini ? ctx->num_sent : ctx->num_recv;
    size_t ns = ini ? ctx->num_recv : ctx->num_sent;
    const struct cs_flow *f;

    /* GS2: any flow of the table, then the acceptor's confirmation. */
    if (ctx->gs2) {
        if (ns == 0 || ns > CS_MAX_MSGS ||
            (s[ns - 1] & ~CS_MSG_NONCE) != CS_MSG_EMPTY) {
            return NULL;
        }
        ns--;
    }
    for (f = cs_flows; f->name != NULL; f++) {
        if (same_msgs(c, nc, f->client) && same_msgs(s, ns, f->server)) {
            return f;
        }
    }
    return NULL;
}

/* error_status: the NTSTATUS we tell the peer for one of our failures, or
 * 0 when nothing should be sent (the error table, src/err.c). */
static uint32_t
error_status(cs_err err)
{
    const struct cs_err_info *e = cs_err_info(err);

    return e != NULL ? e->ntstatus : 0;
}

/*
 * ends_with_denial: whether an acceptor's failure is a refused logon,
 * which ends, as on Windows, with a fatal access_denied alert after the
 * errorCode (where the version has one): the client learns that the
 * server said no (Impacket prints "Access Denied" only for an alert that
 * names a denial) rather than seeing the connection drop.
 */
static bool
ends_with_denial(const struct cs_ctx *ctx, cs_err err, uint32_t status)
{
    return ctx->role == CS_ACCEPTOR && ctx->tls != NULL &&
           (status == CS_STATUS_LOGON_FAILURE ||
            status == CS_STATUS_NO_SUCH_PACKAGE ||
            err == CREDSSP_S_NTLM_MIC_NO_VERSION);
}

/* sends_nothing: failures after which the peer gets no token at all, not
 * even our TLS Finished: a server whose certificate failed validation. */
static bool
sends_nothing(cs_err err)
{
    return err == CREDSSP_S_UNTRUSTED_CERT ||
           err == CREDSSP_S_WRONG_PRINCIPAL;
}

/*
 * feed_records: gives the input to TLS one record at a time and runs the
 * driver (driver.h) after each, as a stream.  A peer that sends a second
 * TSRequest before our answer to the first broke the one-message-per-leg
 * rule: CREDSSP_S_SPLIT_RECORD.  Records after the one that completes the
 * context are not ours: they are left unconsumed (SSPI's SECBUFFER_EXTRA)
 * and their size kept for GSS_CREDSSP_INQ_EXTRA.
 */
static cs_err
feed_records(struct cs_ctx *ctx, const uint8_t *in, size_t in_len,
             bool *done)
{
    size_t sent_before = ctx->num_sent;
    struct cs_cursor c;
    cs_err err = CS_OK;

    cs_cursor_init(&c, in, in_len);
    ctx->extra = 0;
    do {
        /* The initiator's first call has no token: one step, no record. */
        cs_slice rec = { in, 0 };

        if (in_len > 0 && !cs_record_next(&c, &rec)) {
            return CREDSSP_S_INTERNAL;    /* checked by cs_ctx_step */
        }
        if (ctx->num_sent != sent_before) {
            CS_TRACE("peer sent more after a message we answered");
            return CREDSSP_S_SPLIT_RECORD;
        }
        err = cs_tls_feed(ctx->tls, rec.data, rec.len);
        if (err == CS_OK) {
            err = cs_drive(ctx, done);
        }
    } while (err == CS_OK && !*done && c.left > 0);
    if (err == CS_OK && *done && c.left > 0) {
        ctx->extra = c.left;
        CS_TRACE("%zu bytes after the last message left to the caller",
                 ctx->extra);
    }
    return err;
}

cs_err
cs_ctx_step(struct cs_ctx *ctx, const uint8_t *in, size_t in_len,
            cs_blob *out, bool *done)
{
    const struct cs_settings *s = &ctx->cred->set;
    size_t missing = 0;
    uint32_t status;
    cs_err err;

    *done = false;
    if (ctx->state == CS_ST_DONE || ctx->state == CS_ST_FAILED) {
        return CREDSSP_S_BAD_HANDLE;
    }
    /* The limits come before anything looks at the bytes. */
    if (in_len > (s->max_token != 0 ? s->max_token : CS_DEFAULT_MAX_TOKEN)) {
        CS_TRACE("token of %zu bytes refused by max_token_size", in_len);
        err = CREDSSP_S_TOKEN_TOO_LARGE;
        goto fail;
    }
    if (++ctx->legs > (s->max_legs != 0 ? s->max_legs
                                        : CS_DEFAULT_MAX_LEGS)) {
        CS_TRACE("leg %u refused by max_legs", ctx->legs);
        err = CREDSSP_S_TOO_MANY_LEGS;
        goto fail;
    }
    err = cs_tls_check_records(in, in_len, &missing);
    if (err == CREDSSP_S_INCOMPLETE_MESSAGE) {
        /* SEC_E_INCOMPLETE_MESSAGE: nothing consumed, context intact. */
        ctx->legs--;
        ctx->missing = missing;
        CS_TRACE("incomplete TLS record: %zu bytes missing", missing);
        return err;
    }
    ctx->missing = 0;
    if (err != CS_OK) {
        goto fail;
    }
    if (ctx->tls == NULL) {
        err = cs_tls_new(ctx->cred->ssl_ctx, ctx->role == CS_ACCEPTOR,
                         ctx->target_host, &ctx->tls);
        if (err != CS_OK) {
            goto fail;
        }
    }
    err = feed_records(ctx, in, in_len, done);
    if (err != CS_OK) {
        goto fail;
    }
    err = cs_tls_take_output(ctx->tls, out);
    if (err == CS_OK && out->len == 0 && !*done && in_len > 0 &&
        ctx->role == CS_ACCEPTOR) {
        err = cs_acceptor_idle(ctx, out);
    }
    if (err != CS_OK) {
        goto fail;
    }
    if (*done) {
        const struct cs_flow *f = cs_ctx_flow(ctx);

        ctx->state = CS_ST_DONE;
        if (ctx->inner.time_rec != 0 &&
            ctx->inner.time_rec != GSS_C_INDEFINITE) {
            ctx->expires = monotonic_now() + (time_t)ctx->inner.time_rec;
        }
        /* An idle established context keeps only what it still needs:
         * the inner context (and gss-ntlmssp's per-context conversion
         * handles) goes (doc/performance.md, memory), and so do the
         * write secret kept for a refused logon's alert and the TLS
         * record buffers. */
        cs_inner_drop(&ctx->inner);
        cs_tls_drop_alert_keys(ctx->tls);
        cs_tls_release_buffers(ctx->tls);
        CS_TRACE("%s complete: message flow %s%s",
                 ctx->role == CS_INITIATOR ? "initiator" : "acceptor",
                 f != NULL ? f->name : "NOT IN TABLE",
                 ctx->gs2 ? " + GS2 confirmation" : "");
    }
    return CS_OK;

fail:
    CS_TRACE("context failed: %s", cs_err_text(err));
    ctx->state = CS_ST_FAILED;
    status = error_status(err);
    /* ISC_REQ_EXTENDED_ERROR: tell the peer, where the version lets us
     * (and a TLS alert: OpenSSL's during the handshake, access_denied
     * for a refused logon).  If that fails there is just no token; our
     * own failure stays the one reported. */
    cs_blob_free(out);
    if (ctx->tls != NULL && !sends_nothing(err) &&
        (status == 0 || cs_send_error(ctx, status) == CS_OK) &&
        (!ends_with_denial(ctx, err, status) ||
         cs_tls_deny(ctx->tls) == CS_OK) &&
        cs_tls_take_output(ctx->tls, out) != CS_OK) {
        cs_blob_free(out);
    }
    return err;
}
