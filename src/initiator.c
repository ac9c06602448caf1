/* SPDX-License-Identifier: MIT */
/*
 * initiator.c - the CredSSP client's states ([MS-CSSP] 3.1.5): the table
 * the driver follows (driver.h, at the end of this file) and its handlers.
 *
 *   TLS handshake -> negoTokens (the last one with pubKeyAuth) -> the
 *   server's pubKeyAuth (with the final SPNEGO token, if any) -> authInfo
 *   (-> GSS_CREDSSP_GS2_MECH only: the server's confirmation).
 *
 * Credentials leave only in do_finish, after the server's pubKeyAuth
 * verified and policy allowed it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "engine.h"
#include "policy.h"
#include "pubkeyauth.h"
#include "trace.h"

/*
 * add_pubkey: adds our pubKeyAuth (and the nonce it hashes, for version 5
 * and later) to req.  [MS-CSSP] 3.1.5 step 3: it travels with the last
 * inner token.
 */
static cs_err
add_pubkey(struct cs_ctx *ctx, struct cs_tsrequest *req)
{
    uint32_t v = cs_ctx_version(ctx);
    cs_blob value = { 0 };
    cs_err err;

    if (ctx->server_key.len == 0) {
        err = cs_tls_server_key(ctx->tls, &ctx->server_key);
        if (err != CS_OK) {
            return err;
        }
    }
    if (v >= 5 && !ctx->have_nonce) {
        return CREDSSP_S_INTERNAL;
    }
    err = cs_pubkeyauth_value(v, false, ctx->nonce, ctx->server_key.data,
                              ctx->server_key.len, &value);
    if (err == CS_OK) {
        err = cs_inner_wrap(&ctx->inner, value.data, value.len,
                            &req->pub_key_auth);
    }
    cs_blob_free(&value);
    if (err != CS_OK) {
        return err;
    }
    req->has_pub_key_auth = true;
    if (v >= 5) {
        err = cs_blob_set(&req->client_nonce, ctx->nonce, CS_NONCE_LEN);
        req->has_client_nonce = err == CS_OK;
    }
    if (err == CS_OK) {
        /* Now the server's pubKeyAuth may come. */
        ctx->state = CS_ST_INI_PUBKEY;
    }
    ctx->pubkey_version = v;
    return err;
}

/*
 * send_leg: answers with the inner token the inner mech produced (if any)
 * and, once the inner context can protect messages, our pubKeyAuth.
 */
static enum cs_wait
send_leg(struct cs_ctx *ctx, cs_blob *token, cs_err *err)
{
    struct cs_tsrequest req = { 0 };

    if (token->len > 0) {
        req.num_nego_tokens = 1;
        req.nego_tokens = token;
    }
    if (ctx->state == CS_ST_INI_NEGO && cs_inner_can_wrap(&ctx->inner)) {
        *err = add_pubkey(ctx, &req);
        if (*err != CS_OK) {
            goto cleanup;
        }
    }
    if (req.num_nego_tokens == 0 && !req.has_pub_key_auth) {
        /* The server sent something we have no answer to. */
        *err = CREDSSP_S_UNEXPECTED_MESSAGE;
        goto cleanup;
    }
    *err = cs_send_request(ctx, &req);

cleanup:
    req.num_nego_tokens = 0;      /* the token is the caller's */
    req.nego_tokens = NULL;
    cs_tsrequest_clear(&req);
    return *err == CS_OK ? CS_WAIT_TOKEN : CS_WAIT_ERR;
}

/* after_tls: the handshake is done; the first inner token. */
static enum cs_wait
after_tls(struct cs_ctx *ctx, struct cs_tsrequest *req, cs_err *err)
{
    cs_blob token = { 0 };
    enum cs_wait w;

    (void)req;
    /* verify_certificate: a certificate that does not verify ends the
     * exchange here, before even the first inner token leaves. */
    if (ctx->cred->set.tls.verify) {
        *err = cs_tls_verify_peer(ctx->tls);
        if (*err != CS_OK) {
            return CS_WAIT_ERR;
        }
        ctx->cert_verified = true;
    }
    ctx->state = CS_ST_INI_NEGO;
    /* With TLS 1.3 this record follows our Finished in the same token. */
    *err = cs_inner_init(&ctx->inner, ctx->cred->inner, ctx->target,
                         ctx->cred->mode, NULL, &token);
    if (*err != CS_OK) {
        return CS_WAIT_ERR;
    }
    w = send_leg(ctx, &token, err);
    cs_blob_free(&token);
    return w;
}

/*
 * delegation_allowed: the delegation policy (doc/design.md 3.7).
 * Kerberos with mutual authentication: targets allow_delegation matches
 * (default all).
 * NTLM only: just those allow_delegation_ntlm_only matches (default none).
 */
static cs_err
delegation_allowed(const struct cs_ctx *ctx)
{
    const struct cs_settings *s = &ctx->cred->set;
    const char *spn = ctx->target_spn != NULL ? ctx->target_spn : "";

    if (!ctx->mutual) {
        if (s->ntlm_deleg == NULL || !cs_pattern_match(s->ntlm_deleg, spn)) {
            CS_TRACE("delegation to %s refused: NTLM only", spn);
            return CREDSSP_S_POLICY_NTLM_ONLY;
        }
        return CS_OK;
    }
    if (s->deleg != NULL && !cs_pattern_match(s->deleg, spn)) {
        CS_TRACE("delegation to %s refused by allow_delegation", spn);
        return CREDSSP_S_DELEGATION_POLICY;
    }
    return CS_OK;
}

/* other_creds_ready: smart card credentials need a PIN, Remote Guard ones
 * a package name and a buffer ([MS-CSSP] 2.2.1.2.2, 2.2.1.2.3). */
static cs_err
other_creds_ready(const struct cs_cred *c)
{
    const struct cs_tscredentials *t = &c->send;
    const struct cs_remote_guard_package *rg = &t->u.remote_guard.logon_cred;
    bool ready = t->cred_type == CS_CRED_SMARTCARD
                     ? t->u.smartcard.pin != NULL
                     : rg->package_name != NULL && rg->cred_buffer.len > 0;

    if (!ready) {
        CS_TRACE("smart card / Remote Guard credentials incomplete");
        return CREDSSP_S_BAD_OPTION_VALUE;
    }
    return CS_OK;
}

/*
 * do_finish: the server's pubKeyAuth has verified; send authInfo: the
 * password credentials when delegation is asked for and allowed, otherwise
 * empty ones ([MS-CSSP] 3.1.5 step 5; the seed's ISC_REQ_DELEGATE).
 */
static enum cs_wait
do_finish(struct cs_ctx *ctx, cs_err *err)
{
    struct cs_tscredentials creds = { 0 };
    struct cs_tsrequest req = { 0 };
    struct cs_cred *c = ctx->cred;
    cs_blob plain = { 0 };
    char *realm = NULL;
    /* Restricted admin: empty credentials even when delegation is asked
     * for; the server then uses the inner authentication alone. */
    bool deleg = (ctx->req_flags & GSS_C_DELEG_FLAG) &&
                 (c->has_password || c->send.cred_type != 0) &&
                 !c->set.restricted_admin;
    bool other = deleg && c->send.cred_type != 0;

    /* Mutual authentication: Kerberos' own, or a certificate that
     * verified for the target (doc/design.md 3.7). */
    ctx->mutual = ctx->cert_verified ||
                  (cs_inner_is_krb5(&ctx->inner) &&
                   (ctx->inner.ret_flags & GSS_C_MUTUAL_FLAG));
    if ((ctx->req_flags & GSS_C_MUTUAL_FLAG) && !ctx->mutual) {
        *err = CREDSSP_S_MUTUAL_REQUIRED;
        return CS_WAIT_ERR;
    }
    if (deleg) {
        *err = delegation_allowed(ctx);
        if (*err != CS_OK) {
            return CS_WAIT_ERR;
        }
    }
    if (other) {
        *err = other_creds_ready(c);
        if (*err != CS_OK) {
            return CS_WAIT_ERR;
        }
    }
    if (deleg && !other && *c->pw.domain == '\0') {
        *err = cs_inner_initiator_realm(&ctx->inner, &realm);
        if (*err != CS_OK) {
            return CS_WAIT_ERR;
        }
    }
    creds.cred_type = CS_CRED_PASSWORD;
    if (other) {
        creds = c->send;          /* borrowed, like the strings below */
    }
    /* Borrowed strings: creds is not cleared, only forgotten. */
    if (!other) {
        creds.u.password.domain = !deleg  ? ""
                                  : realm ? realm
                                          : c->pw.domain;
        creds.u.password.user = deleg ? c->pw.user : "";
        creds.u.password.password = deleg ? c->pw.password : "";
    }
    *err = cs_tscredentials_encode(&creds, &plain);
    if (*err == CS_OK) {
        *err = cs_inner_wrap(&ctx->inner, plain.data, plain.len,
                             &req.auth_info);
    }
    cs_blob_free_secret(&plain);
    free(realm);
    if (*err == CS_OK) {
        req.has_auth_info = true;
        *err = cs_send_request(ctx, &req);
    }
    cs_tsrequest_clear(&req);
    if (*err != CS_OK) {
        return CS_WAIT_ERR;
    }
    if (deleg) {
        ctx->ret_flags |= GSS_C_DELEG_FLAG;
    }
    CS_TRACE("authInfo sent: %s credentials%s",
             !deleg                                     ? "empty"
             : !other                                   ? "password"
             : c->send.cred_type == CS_CRED_SMARTCARD ? "smart card"
                                                        : "Remote Guard",
             c->set.restricted_admin ? " (restricted admin)" : "");
    if (ctx->gs2) {
        /* GSS_CREDSSP_GS2_MECH ends on the acceptor's confirmation. */
        ctx->state = CS_ST_INI_CONFIRM;
        return CS_WAIT_TOKEN;
    }
    return CS_WAIT_DONE;
}

/*
 * do_confirm: GSS_CREDSSP_GS2_MECH's last message, the acceptor's
 * TSRequest with nothing but its version (the public header; the table
 * refuses any field).  An errorCode there is the acceptor's refusal
 * (cs_recv_request maps it).
 */
static enum cs_wait
do_confirm(struct cs_ctx *ctx, struct cs_tsrequest *req, cs_err *err)
{
    (void)ctx;
    (void)req;
    *err = CS_OK;
    CS_TRACE("GS2 confirmation received");
    return CS_WAIT_DONE;
}

/* verify_server: unwraps the server's pubKeyAuth and checks it. */
static cs_err
verify_server(struct cs_ctx *ctx, const struct cs_tsrequest *req)
{
    cs_blob got = { 0 };
    cs_err err;

    err = cs_inner_unwrap(&ctx->inner, req->pub_key_auth.data,
                          req->pub_key_auth.len, &got);
    if (err == CREDSSP_S_INNER_FAILED) {
        /* A pubKeyAuth that does not even unwrap was not made by the
         * peer we authenticated. */
        err = CREDSSP_S_PUBKEYAUTH_MISMATCH;
    }
    if (err == CS_OK) {
        err = cs_pubkeyauth_check(ctx->pubkey_version, true, ctx->nonce,
                                  ctx->server_key.data, ctx->server_key.len,
                                  got.data, got.len);
    }
    cs_blob_free(&got);
    CS_TRACE("server pubKeyAuth %s", err == CS_OK ? "verified" : "REJECTED");
    return err;
}

/*
 * do_nego: one TSRequest from the server.  Before our pubKeyAuth it
 * carries a negoToken; after it, the server's pubKeyAuth (with the final
 * inner token, if any) or that token alone.
 */
static enum cs_wait
do_nego(struct cs_ctx *ctx, struct cs_tsrequest *req, cs_err *err)
{
    cs_blob token = { 0 };
    enum cs_wait w = CS_WAIT_ERR;

    if (req->num_nego_tokens > 0) {
        if (ctx->inner.complete) {
            *err = CREDSSP_S_UNEXPECTED_MESSAGE;
            goto cleanup;
        }
        *err = cs_inner_init(&ctx->inner, ctx->cred->inner, ctx->target,
                             ctx->cred->mode, &req->nego_tokens[0], &token);
        if (*err != CS_OK) {
            goto cleanup;
        }
    }
    if (req->has_pub_key_auth) {
        /* The server proves itself only after our pubKeyAuth (the table
         * allows its pubKeyAuth only in CS_ST_INI_PUBKEY), once the inner
         * context is complete and has nothing more to say. */
        if (!ctx->inner.complete || token.len > 0) {
            *err = CREDSSP_S_UNEXPECTED_MESSAGE;
            goto cleanup;
        }
        *err = verify_server(ctx, req);
        if (*err == CS_OK) {
            w = do_finish(ctx, err);
        }
        goto cleanup;
    }
    w = send_leg(ctx, &token, err);

cleanup:
    cs_blob_free(&token);
    return *err == CS_OK ? w : CS_WAIT_ERR;
}

/* done: the flags a completed exchange adds for this role. */
static void
done(struct cs_ctx *ctx)
{
    if (ctx->mutual) {
        ctx->ret_flags |= GSS_C_MUTUAL_FLAG;
    }
}

/* failed: how the server's refusals show on our side. */
static cs_err
failed(const struct cs_ctx *ctx, cs_err err)
{
    /* FreeRDP's server answers a failed logon with a close_notify and no
     * errorCode (doc/design.md 3.9): say so distinctly. */
    if (err == CREDSSP_S_TLS_CLOSED && (ctx->state == CS_ST_INI_PUBKEY ||
                                        ctx->state == CS_ST_INI_CONFIRM)) {
        err = CREDSSP_S_PEER_CLOSED;
    }
    /* A server that refuses the logon ends with a fatal access_denied
     * alert (alone, or after its errorCode). */
    if (err == CREDSSP_S_TLS_ALERT && ctx->num_sent > 0 &&
        cs_tls_peer_alert(ctx->tls) == SSL_AD_ACCESS_DENIED) {
        err = CREDSSP_S_PEER_DENIED;
    }
    return err;
}

#define N CS_MSG_NEGO
#define P CS_MSG_PUBKEY
/* The initiator's states: what each takes from the server (driver.h). */
static const struct cs_step steps[CS_ST_COUNT] = {
    [CS_ST_TLS] = { "tls", CS_IN_TLS, 0, 0, after_tls },
    /* Until our pubKeyAuth leaves: the server's next inner token. */
    [CS_ST_INI_NEGO] = { "nego", CS_IN_TSREQUEST, N, N, do_nego },
    /* The server's pubKeyAuth, with or after its final inner token. */
    [CS_ST_INI_PUBKEY] = { "pubkey", CS_IN_TSREQUEST, N | P, N | P,
                           do_nego },
    /* GS2: the acceptor's confirmation, an empty TSRequest. */
    [CS_ST_INI_CONFIRM] = { "confirm", CS_IN_TSREQUEST, 0, 0, do_confirm },
};
#undef N
#undef P

const struct cs_role_driver cs_initiator_driver = { steps, done, failed };
