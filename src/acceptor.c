/* SPDX-License-Identifier: MIT */
/*
 * acceptor.c - the CredSSP server's states ([MS-CSSP] 3.1.5): the table
 * the driver follows (driver.h, at the end of this file) and its handlers.
 *
 *   TLS handshake -> negoTokens until the inner context completes -> the
 *   client's pubKeyAuth (with its last inner token, or after our final
 *   SPNEGO token: both orders) -> our pubKeyAuth -> authInfo (->
 *   GSS_CREDSSP_GS2_MECH only: our confirmation).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "engine.h"
#include "ident.h"
#include "pubkeyauth.h"
#include "trace.h"

/*
 * verify_client: checks the client's pubKeyAuth against our own key and
 * adds ours to reply.  Version 5 and later need the client's nonce.
 */
static cs_err
verify_client(struct cs_ctx *ctx, const struct cs_tsrequest *req,
              struct cs_tsrequest *reply)
{
    uint32_t v = cs_ctx_version(ctx);
    cs_blob got = { 0 }, mine = { 0 };
    cs_err err;

    if (v >= 5 && !ctx->have_nonce) {
        return CREDSSP_S_BAD_NONCE;
    }
    if (ctx->server_key.len == 0) {
        err = cs_tls_server_key(ctx->tls, &ctx->server_key);
        if (err != CS_OK) {
            return err;
        }
    }
    err = cs_inner_unwrap(&ctx->inner, req->pub_key_auth.data,
                          req->pub_key_auth.len, &got);
    if (err == CREDSSP_S_INNER_FAILED) {
        err = CREDSSP_S_PUBKEYAUTH_MISMATCH;
    }
    if (err == CS_OK) {
        err = cs_pubkeyauth_check(v, false, ctx->nonce, ctx->server_key.data,
                                  ctx->server_key.len, got.data, got.len);
    }
    CS_TRACE("client pubKeyAuth (v%u) %s", v,
             err == CS_OK ? "verified" : "REJECTED");
    if (err == CS_OK) {
        err = cs_pubkeyauth_value(v, true, ctx->nonce, ctx->server_key.data,
                                  ctx->server_key.len, &mine);
    }
    if (err == CS_OK) {
        err = cs_inner_wrap(&ctx->inner, mine.data, mine.len,
                            &reply->pub_key_auth);
        reply->has_pub_key_auth = err == CS_OK;
    }
    cs_blob_free(&got);
    cs_blob_free(&mine);
    return err;
}

/* send_reply: sends reply with token (if any) as its negoToken. */
static enum cs_wait
send_reply(struct cs_ctx *ctx, struct cs_tsrequest *reply, cs_blob *token,
           cs_err *err)
{
    if (token->len > 0) {
        reply->num_nego_tokens = 1;
        reply->nego_tokens = token;
    }
    *err = cs_send_request(ctx, reply);
    reply->num_nego_tokens = 0;
    reply->nego_tokens = NULL;
    return *err == CS_OK ? CS_WAIT_TOKEN : CS_WAIT_ERR;
}

/* after_tls: the handshake is done; TLS 1.3 clients may have sent their
 * first TSRequest right behind their Finished, so go on to read it. */
static enum cs_wait
after_tls(struct cs_ctx *ctx, struct cs_tsrequest *req, cs_err *err)
{
    (void)req;
    *err = CS_OK;
    ctx->state = CS_ST_ACC_NEGO;
    return CS_WAIT_OK;
}

/* do_nego: inner tokens until the inner context completes (the table:
 * a negoToken, perhaps with the client's pubKeyAuth). */
static enum cs_wait
do_nego(struct cs_ctx *ctx, struct cs_tsrequest *req, cs_err *err)
{
    struct cs_tsrequest reply = { 0 };
    cs_blob token = { 0 };
    enum cs_wait w = CS_WAIT_ERR;

    *err = cs_inner_accept(&ctx->inner, ctx->cred->inner,
                           &req->nego_tokens[0], &token);
    if (*err != CS_OK) {
        goto cleanup;
    }
    if (!ctx->inner.complete) {
        if (req->has_pub_key_auth || token.len == 0) {
            *err = CREDSSP_S_UNEXPECTED_MESSAGE;
            goto cleanup;
        }
        w = send_reply(ctx, &reply, &token, err);
        goto cleanup;
    }
    if (req->has_pub_key_auth) {
        *err = verify_client(ctx, req, &reply);
        if (*err != CS_OK) {
            goto cleanup;
        }
        ctx->state = CS_ST_ACC_AUTHINFO;
    } else {
        /* The client waits for our final SPNEGO token before its
         * pubKeyAuth. */
        ctx->state = CS_ST_ACC_PUBKEY;
    }
    w = send_reply(ctx, &reply, &token, err);

cleanup:
    cs_blob_free(&token);
    cs_tsrequest_clear(&reply);
    return *err == CS_OK ? w : CS_WAIT_ERR;
}

/* do_pubkey: the client's pubKeyAuth, alone, after the inner context
 * completed. */
static enum cs_wait
do_pubkey(struct cs_ctx *ctx, struct cs_tsrequest *req, cs_err *err)
{
    struct cs_tsrequest reply = { 0 };
    cs_blob none = { 0 };
    enum cs_wait w = CS_WAIT_ERR;

    *err = verify_client(ctx, req, &reply);
    if (*err == CS_OK) {
        ctx->state = CS_ST_ACC_AUTHINFO;
        w = send_reply(ctx, &reply, &none, err);
    }
    cs_tsrequest_clear(&reply);
    return *err == CS_OK ? w : CS_WAIT_ERR;
}

/*
 * check_owner: whether delegated credentials are the authenticated user's
 * (ident.h); *matched says so.  Password credentials name a user, smart
 * card credentials only through their hints (a PIN alone names nobody,
 * and the card's certificate is beyond us); Remote Guard buffers are
 * opaque.  Another user's are CREDSSP_S_DELEG_OTHER_USER unless
 * allow_other_user_delegation.
 */
static cs_err
check_owner(const struct cs_ctx *ctx, const struct cs_ident *id,
            const struct cs_tscredentials *t, bool *matched)
{
    const char *domain, *user;

    *matched = false;
    if (t->cred_type == CS_CRED_PASSWORD) {
        domain = t->u.password.domain;
        user = t->u.password.user;
    } else if (t->cred_type == CS_CRED_SMARTCARD &&
               t->u.smartcard.user_hint != NULL &&
               *t->u.smartcard.user_hint != '\0') {
        domain = t->u.smartcard.domain_hint;
        user = t->u.smartcard.user_hint;
    } else {
        CS_TRACE("authInfo: credentials of type %d name no user",
                 (int)t->cred_type);
        return CS_OK;
    }
    domain = domain != NULL ? domain : "";
    *matched = cs_ident_match(id, domain, user);
    CS_TRACE("authInfo: credentials of %s%s%s, authenticated %s: %s",
             domain, *domain != '\0' ? "\\" : "", user,
             *id->text != '\0' ? id->text : "(no name)",
             *matched ? "the same user"
             : ctx->cred->set.allow_other_user
                 ? "another user, allowed by allow_other_user_delegation"
                 : "ANOTHER USER");
    if (*matched || ctx->cred->set.allow_other_user) {
        return CS_OK;
    }
    cs_err_set_detail(CREDSSP_S_DELEG_OTHER_USER,
                      "SEC_E_LOGON_DENIED: the delegated credentials name "
                      "\"%s%s%s\", not the authenticated user \"%s\"; "
                      "they were refused and nothing was kept (see "
                      "allow_other_user_delegation)",
                      domain, *domain != '\0' ? "\\" : "", user,
                      *id->text != '\0' ? id->text : "(no name)");
    return CREDSSP_S_DELEG_OTHER_USER;
}

/*
 * keep_delegated: turns received TSCredentials into a delegated credential
 * handle, once they are known to be the authenticated user's.  Empty
 * password credentials (no ISC_REQ_DELEGATE, or restricted admin) give no
 * handle.
 */
static cs_err
keep_delegated(struct cs_ctx *ctx, struct cs_tscredentials *creds)
{
    struct cs_password_creds *pw = &creds->u.password;
    struct cs_ident id = { 0 };
    struct cs_cred *c = NULL;
    char *name = NULL, *principal = NULL;
    bool matched = false;
    cs_err err;

    if (creds->cred_type == CS_CRED_PASSWORD && *pw->user == '\0' &&
        *pw->password == '\0' && *pw->domain == '\0') {
        CS_TRACE("authInfo: empty credentials");
        return CS_OK;
    }
    err = cs_ident_from_inner(&ctx->inner, &id);
    if (err == CS_OK) {
        err = check_owner(ctx, &id, creds, &matched);
    }
    if (err == CS_OK && creds->cred_type == CS_CRED_PASSWORD) {
        err = cs_ident_names(&id, matched, pw->user, &name, &principal);
    }
    if (err == CS_OK) {
        err = cs_cred_new(GSS_C_INITIATE, &c);
    }
    if (err != CS_OK) {
        goto cleanup;
    }
    c->delegated = true;
    c->deleg = *creds;
    memset(creds, 0, sizeof(*creds));
    if (c->deleg.cred_type == CS_CRED_PASSWORD) {
        err = cs_cred_delegated_password(c, name, principal);
        if (err != CS_OK) {
            goto cleanup;
        }
    }
    CS_TRACE("authInfo: credentials of type %d delegated",
             (int)c->deleg.cred_type);
    ctx->delegated = c;
    c = NULL;
    ctx->ret_flags |= GSS_C_DELEG_FLAG;

cleanup:
    cs_cred_unref(c);
    free(name);
    free(principal);
    cs_ident_clear(&id);
    return err;
}

/* do_authinfo: the client's credentials, alone; the last message. */
static enum cs_wait
do_authinfo(struct cs_ctx *ctx, struct cs_tsrequest *req, cs_err *err)
{
    struct cs_tscredentials creds = { 0 };
    cs_blob plain = { 0 };

    *err = cs_inner_unwrap(&ctx->inner, req->auth_info.data,
                           req->auth_info.len, &plain);
    if (*err == CREDSSP_S_INNER_FAILED) {
        /* Not sealed by the peer of this session: altered, or replayed
         * from another one. */
        *err = CREDSSP_S_BAD_AUTHINFO;
    }
    if (*err == CS_OK) {
        *err = cs_tscredentials_decode(plain.data, plain.len, &creds);
    }
    if (*err == CS_OK) {
        *err = keep_delegated(ctx, &creds);
    }
    if (*err == CS_OK && ctx->gs2) {
        /* GSS_CREDSSP_GS2_MECH: the last token is ours, a TSRequest with
         * nothing but the version (the public header). */
        struct cs_tsrequest confirm = { 0 };

        *err = cs_send_request(ctx, &confirm);
        cs_tsrequest_clear(&confirm);
    }
    cs_tscredentials_clear(&creds);
    cs_blob_free_secret(&plain);
    return *err == CS_OK ? CS_WAIT_DONE : CS_WAIT_ERR;
}

/*
 * cs_acceptor_idle: the one time an acceptor call consumes input and has
 * nothing to send is a TLS 1.3 client Finished that came without a
 * TSRequest behind it (TLS 1.2: our Finished answers).  An empty output
 * token with CONTINUE_NEEDED deadlocks an application that sends only
 * non-empty tokens against a client that waits for an answer (Python's
 * WinRM CredSSP stack), so answer as OpenSSL and Windows servers do: with
 * a NewSessionTicket, which such clients read and drop.  A Finished with
 * a TSRequest behind it is answered by the TSRequest reply alone.
 */
cs_err
cs_acceptor_idle(struct cs_ctx *ctx, cs_blob *out)
{
    cs_err err;

    if (ctx->state != CS_ST_ACC_NEGO || ctx->num_recv > 0 ||
        !cs_tls_is_tls13(ctx->tls)) {
        return CS_OK;
    }
    err = cs_tls_send_ticket(ctx->tls);
    if (err == CS_OK) {
        err = cs_tls_take_output(ctx->tls, out);
    }
    CS_TRACE("TLS 1.3 Finished alone: answered with a NewSessionTicket "
             "(%zu bytes)", out->len);
    return err;
}

/* done: the flags a completed exchange adds for this role. */
static void
done(struct cs_ctx *ctx)
{
    if (ctx->inner.ret_flags & GSS_C_MUTUAL_FLAG) {
        ctx->ret_flags |= GSS_C_MUTUAL_FLAG;
    }
    /* RFC 2744 5.1: the initiator is anonymous; src_name is the
     * anonymous name. */
    if (cs_ident_anonymous(&ctx->inner)) {
        ctx->ret_flags |= GSS_C_ANON_FLAG;
    }
}

#define N CS_MSG_NEGO
#define P CS_MSG_PUBKEY
#define A CS_MSG_AUTHINFO
/* The acceptor's states: what each takes from the client (driver.h). */
static const struct cs_step steps[CS_ST_COUNT] = {
    [CS_ST_TLS] = { "tls", CS_IN_TLS, 0, 0, after_tls },
    /* A negoToken; the last one may bring the client's pubKeyAuth. */
    [CS_ST_ACC_NEGO] = { "nego", CS_IN_TSREQUEST, N | P, N, do_nego },
    /* The client waited for our final inner token: pubKeyAuth alone. */
    [CS_ST_ACC_PUBKEY] = { "pubkey", CS_IN_TSREQUEST, P, P, do_pubkey },
    [CS_ST_ACC_AUTHINFO] = { "authinfo", CS_IN_TSREQUEST, A, A,
                             do_authinfo },
};
#undef N
#undef P
#undef A

const struct cs_role_driver cs_acceptor_driver = { steps, done, NULL };
