/* SPDX-License-Identifier: MIT */
/*
 * driver.c - the one handshake driver of both roles (driver.h): the TLS
 * step, one TSRequest, the check against the state's row, the handler.
 */
#include "config.h"

#include "driver.h"
#include "trace.h"

static const struct cs_role_driver *
role_driver(enum cs_role role)
{
    return role == CS_INITIATOR ? &cs_initiator_driver : &cs_acceptor_driver;
}

const struct cs_step *
cs_driver_step(enum cs_role role, enum cs_state state)
{
    const struct cs_role_driver *d = role_driver(role);

    if ((unsigned)state >= CS_ST_COUNT || d->steps[state].name == NULL) {
        return NULL;
    }
    return &d->steps[state];
}

uint8_t
cs_driver_fields(const struct cs_tsrequest *req)
{
    return (uint8_t)((req->num_nego_tokens > 0 ? CS_MSG_NEGO : 0) |
                     (req->has_pub_key_auth ? CS_MSG_PUBKEY : 0) |
                     (req->has_auth_info ? CS_MSG_AUTHINFO : 0));
}

cs_err
cs_driver_check(const struct cs_step *step, const struct cs_tsrequest *req)
{
    uint8_t f = cs_driver_fields(req);

    if ((f & ~step->allowed) != 0 ||
        (step->required != 0 && (f & step->required) == 0)) {
        CS_TRACE("TSRequest with fields 0x%02x REJECTED in state %s "
                 "(allowed 0x%02x, required 0x%02x)", f, step->name,
                 step->allowed, step->required);
        return CREDSSP_S_UNEXPECTED_MESSAGE;
    }
    return CS_OK;
}

/* run_step: the current state's row, once. */
static enum cs_wait
run_step(struct cs_ctx *ctx, cs_err *err)
{
    const struct cs_step *step = cs_driver_step(ctx->role, ctx->state);
    struct cs_tsrequest req = { 0 };
    enum cs_wait w = CS_WAIT_ERR;
    bool got = false;

    if (step == NULL) {
        *err = CREDSSP_S_INTERNAL;
        return CS_WAIT_ERR;
    }
    if (step->input == CS_IN_TLS) {
        /* TLS 1.3 peers may send their first TSRequest right behind
         * their Finished: the handler may go on to read it. */
        *err = cs_tls_handshake(ctx->tls, &got);
        if (*err != CS_OK) {
            return CS_WAIT_ERR;
        }
        if (!got) {
            return CS_WAIT_TOKEN;
        }
        CS_TRACE("TLS done: %s %s", cs_tls_version_name(ctx->tls),
                 cs_tls_cipher_name(ctx->tls));
        return step->handle(ctx, NULL, err);
    }
    *err = cs_recv_request(ctx, &req, &got);
    if (*err != CS_OK) {
        return CS_WAIT_ERR;
    }
    if (!got) {
        /* Only TLS housekeeping (our TLS 1.2 Finished goes out, a TLS 1.3
         * Finished alone, a session ticket): wait for more. */
        return CS_WAIT_TOKEN;
    }
    *err = cs_driver_check(step, &req);
    if (*err == CS_OK) {
        w = step->handle(ctx, &req, err);
    }
    cs_tsrequest_clear(&req);
    return *err == CS_OK ? w : CS_WAIT_ERR;
}

cs_err
cs_drive(struct cs_ctx *ctx, bool *done)
{
    const struct cs_role_driver *d = role_driver(ctx->role);
    cs_err err = CS_OK;
    enum cs_wait w;

    do {
        w = run_step(ctx, &err);
    } while (w == CS_WAIT_OK);
    switch (w) {
    case CS_WAIT_TOKEN:
        return CS_OK;
    case CS_WAIT_DONE:
        *done = true;
        /* Messages are protected by TLS, whatever the inner mech. */
        ctx->ret_flags |= GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG |
                          GSS_C_SEQUENCE_FLAG | GSS_C_REPLAY_FLAG;
        d->done(ctx);
        return CS_OK;
    case CS_WAIT_OK:
    case CS_WAIT_ERR:
    default:
        if (err == CS_OK) {
            err = CREDSSP_S_INTERNAL;
        }
        return d->failed != NULL ? d->failed(ctx, err) : err;
    }
}
