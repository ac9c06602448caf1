/* SPDX-License-Identifier: MIT */
/*
 * gss_sec_ctx.c - init, accept, delete and inquire a CredSSP context: the
 * seed's InitializeSecurityContext / AcceptSecurityContext (CredSSP)
 * semantics in GSSAPI terms (doc/design.md 4).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "mech.h"
#include "policy.h"
#include "trace.h"

/* Flags CredSSP cannot honour (doc/design.md 4.2). */
#define UNSUPPORTED_FLAGS (GSS_C_ANON_FLAG | GSS_C_DCE_STYLE)

/*
 * get_cred: the credential to use: the caller's (it must be ours and of
 * the right usage), or a default one made for this context.
 */
static cs_err
get_cred(gss_cred_id_t handle, gss_cred_usage_t usage, struct cs_cred **out)
{
    struct cs_cred *c;
    cs_err err;

    if (handle == GSS_C_NO_CREDENTIAL) {
        err = cs_cred_new(usage, &c);
        if (err != CS_OK) {
            return err;
        }
    } else {
        c = cs_cred_ref((struct cs_cred *)handle);
        if (c->usage != usage) {
            cs_cred_unref(c);
            return CREDSSP_S_WRONG_USAGE;
        }
    }
    err = cs_cred_finish(c);
    if (err != CS_OK) {
        cs_cred_unref(c);
        return err;
    }
    *out = c;
    return CS_OK;
}

/* set_outputs: ret_flags and time_rec as the seed says: meaningful once
 * complete; time is what is left of the inner authentication's lifetime
 * (cs_ctx_time_left). */
static void
set_outputs(const struct cs_ctx *ctx, OM_uint32 *ret_flags,
            OM_uint32 *time_rec)
{
    if (ret_flags != NULL) {
        *ret_flags = ctx->ret_flags;
    }
    if (time_rec != NULL) {
        *time_rec = ctx->state == CS_ST_DONE
                        ? cs_ctx_time_left(ctx)
                        : ctx->inner.time_rec != 0 ? ctx->inner.time_rec
                                                   : GSS_C_INDEFINITE;
    }
}

/*
 * finish_step: turns the engine's result into GSS status and the output
 * token.  A context that failed on its first call is deleted (RFC 2744
 * 5.19: no context is created by a failed first call); a later failure
 * leaves it for the caller to delete.
 */
static OM_uint32
finish_step(OM_uint32 *minor_status, struct cs_ctx **ctx_slot,
            gss_ctx_id_t *context_handle, bool first, cs_err err, bool done,
            cs_blob *out, gss_buffer_t output_token)
{
    OM_uint32 major;
    cs_err cerr = cs_copy_out(output_token, out->data, out->len);

    cs_blob_free(out);
    if (err == CS_OK && cerr != CS_OK) {
        err = cerr;
    }
    major = cs_status(minor_status, err);
    if (err == CS_OK) {
        major = done ? GSS_S_COMPLETE : GSS_S_CONTINUE_NEEDED;
    }
    if (GSS_ERROR(major) && first) {
        cs_ctx_free(*ctx_slot);
        *ctx_slot = NULL;
    }
    *context_handle = (gss_ctx_id_t)*ctx_slot;
    return major;
}

/* ctx_mech: the mechanism OID a context runs under. */
static gss_OID
ctx_mech(const struct cs_ctx *ctx)
{
    return (gss_OID)(ctx != NULL && ctx->gs2 ? &cs_oid_credssp_gs2
                                             : &cs_oid_credssp);
}

/* frame_first: puts the RFC 2743 header (the context's OID) before the
 * first token, for GSS acceptors that route it through the mechglue
 * unchanged. */
static cs_err
frame_first(const struct cs_ctx *ctx, cs_blob *out)
{
    gss_buffer_desc in = { out->len, out->data }, framed = { 0, NULL };
    OM_uint32 minor;
    cs_err err;

    if (gss_credssp_frame_token_mech(&minor, ctx_mech(ctx), &in, &framed) !=
        GSS_S_COMPLETE) {
        return CREDSSP_S_NOMEM;
    }
    cs_blob_free(out);
    err = cs_blob_set(out, framed.value, framed.length);
    free(framed.value);
    return err;
}

CS_EXPORT OM_uint32
gss_init_sec_context(OM_uint32 *minor_status,
                     gss_cred_id_t claimant_cred_handle,
                     gss_ctx_id_t *context_handle, gss_name_t target_name,
                     gss_OID mech_type, OM_uint32 req_flags,
                     OM_uint32 time_req,
                     gss_channel_bindings_t input_chan_bindings,
                     gss_buffer_t input_token, gss_OID *actual_mech_type,
                     gss_buffer_t output_token, OM_uint32 *ret_flags,
                     OM_uint32 *time_rec)
{
    struct cs_ctx *ctx;
    struct cs_cred *cred = NULL;
    cs_blob out = { 0 };
    bool first, done = false;
    cs_err err = CS_OK;

    if (minor_status == NULL || context_handle == NULL ||
        output_token == GSS_C_NO_BUFFER) {
        return GSS_S_CALL_INACCESSIBLE_WRITE;
    }
    *minor_status = 0;
    output_token->length = 0;
    output_token->value = NULL;
    ctx = (struct cs_ctx *)*context_handle;
    first = ctx == NULL;
    if (actual_mech_type != NULL) {
        *actual_mech_type =
            first && cs_mech_oid(mech_type) != NULL
                ? (gss_OID)cs_mech_oid(mech_type)
                : ctx_mech(ctx);
    }
    if (first) {
        if (req_flags & UNSUPPORTED_FLAGS) {
            *minor_status = CREDSSP_S_UNSUPPORTED_FLAG;
            return GSS_S_UNAVAILABLE;
        }
        err = get_cred(claimant_cred_handle, GSS_C_INITIATE, &cred);
        if (err == CS_OK) {
            err = cs_ctx_new(CS_INITIATOR, cred, &ctx);
        }
        cs_cred_unref(cred);
        if (err == CS_OK) {
            ctx->gs2 = cs_oid_equal(mech_type, &cs_oid_credssp_gs2);
            ctx->req_flags = req_flags;
            err = cs_ctx_set_target(ctx, target_name);
        }
        if (err != CS_OK) {
            cs_ctx_free(ctx);
            return cs_status(minor_status, err);
        }
    } else if (ctx->role != CS_INITIATOR) {
        *minor_status = CREDSSP_S_BAD_HANDLE;
        return GSS_S_NO_CONTEXT;
    }
    /* Channel bindings go to the inner authentication (RFC 5554 style:
     * the inner SPNEGO, Kerberos or NTLM context binds and checks them). */
    ctx->inner.cb = input_chan_bindings;
    err = cs_ctx_step(ctx,
                      input_token != GSS_C_NO_BUFFER ? input_token->value
                                                     : NULL,
                      input_token != GSS_C_NO_BUFFER ? input_token->length
                                                     : 0,
                      &out, &done);
    ctx->inner.cb = GSS_C_NO_CHANNEL_BINDINGS;
    /* GSS_CREDSSP_GS2_MECH always frames (GSS_C_MA_ITOK_FRAMED). */
    if (err == CS_OK && first &&
        (ctx->gs2 || (ctx->cred->set.frame_initial != NULL &&
                      cs_pattern_match(ctx->cred->set.frame_initial,
                                       ctx->target_spn)))) {
        err = frame_first(ctx, &out);
    }
    set_outputs(ctx, ret_flags, time_rec);
    return finish_step(minor_status, &ctx, context_handle, first, err, done,
                       &out, output_token);
}

/*
 * unframe: an acceptor's first token may carry the RFC 2743 header with one
 * of our two OIDs (the mechglue needs it to route a TLS ClientHello to us);
 * strip it, strictly: minimal DER length, our OID, nothing after the
 * declared end.  *gs2 says which OID it was.  A raw TLS token is taken as
 * it is (GSS_CREDSSP_MECH).
 */
static cs_err
unframe(const gss_buffer_t in, gss_buffer_desc *raw, bool *gs2)
{
    const gss_OID_desc *mech = NULL;
    gss_OID_desc oid;
    struct cs_cursor c;
    size_t len = 0, i, n;
    uint8_t b;

    *raw = *in;
    *gs2 = false;
    if (in->length == 0 || ((const uint8_t *)in->value)[0] != 0x60) {
        return CS_OK;
    }
    cs_cursor_init(&c, in->value, in->length);
    (void)cs_cursor_u8(&c);
    b = cs_cursor_u8(&c);
    if (b < 0x80) {
        len = b;
    } else {
        n = b & 0x7f;
        if (n == 0 || n > 4) {
            return CREDSSP_S_BAD_FRAMING;
        }
        for (i = 0; i < n; i++) {
            len = (len << 8) | cs_cursor_u8(&c);
        }
        /* Minimal: no leading zero byte, long form only from 128. */
        if (len < 0x80 || (len >> (8 * (n - 1))) == 0) {
            return CREDSSP_S_BAD_FRAMING;
        }
    }
    if (c.ok && len == c.left && cs_cursor_u8(&c) == 0x06) {
        oid.length = cs_cursor_u8(&c);
        oid.elements = (void *)c.p;
        if (c.ok && c.left >= oid.length) {
            mech = cs_mech_oid(&oid);
        }
    }
    if (mech == NULL) {
        CS_TRACE("first token: %zu bytes, framing not ours", in->length);
        return CREDSSP_S_BAD_FRAMING;
    }
    (void)cs_cursor_skip(&c, mech->length);
    raw->value = (void *)c.p;
    raw->length = c.left;
    *gs2 = mech == &cs_oid_credssp_gs2;
    return CS_OK;
}

CS_EXPORT OM_uint32
gss_accept_sec_context(OM_uint32 *minor_status, gss_ctx_id_t *context_handle,
                       gss_cred_id_t verifier_cred_handle,
                       gss_buffer_t input_token_buffer,
                       gss_channel_bindings_t input_chan_bindings,
                       gss_name_t *src_name, gss_OID *mech_type,
                       gss_buffer_t output_token, OM_uint32 *ret_flags,
                       OM_uint32 *time_rec,
                       gss_cred_id_t *delegated_cred_handle)
{
    const struct cs_glue *g = cs_mech_glue(minor_status);
    struct cs_ctx *ctx;
    struct cs_cred *cred = NULL;
    gss_buffer_desc raw = { 0, NULL };
    cs_blob out = { 0 };
    OM_uint32 minor, major;
    bool first, done = false, gs2 = false;
    cs_err err = CS_OK;

    if (g == NULL) {
        return GSS_S_FAILURE;
    }
    if (context_handle == NULL || output_token == GSS_C_NO_BUFFER) {
        return GSS_S_CALL_INACCESSIBLE_WRITE;
    }
    if (input_token_buffer == GSS_C_NO_BUFFER) {
        return GSS_S_CALL_INACCESSIBLE_READ;
    }
    *minor_status = 0;
    output_token->length = 0;
    output_token->value = NULL;
    if (src_name != NULL) {
        *src_name = GSS_C_NO_NAME;
    }
    if (delegated_cred_handle != NULL) {
        *delegated_cred_handle = GSS_C_NO_CREDENTIAL;
    }
    ctx = (struct cs_ctx *)*context_handle;
    first = ctx == NULL;
    if (mech_type != NULL) {
        *mech_type = ctx_mech(ctx);
    }
    if (first) {
        err = unframe(input_token_buffer, &raw, &gs2);
        if (mech_type != NULL) {
            *mech_type = (gss_OID)(gs2 ? &cs_oid_credssp_gs2
                                       : &cs_oid_credssp);
        }
        if (err == CS_OK) {
            err = get_cred(verifier_cred_handle, GSS_C_ACCEPT, &cred);
        }
        if (err == CS_OK) {
            err = cs_ctx_new(CS_ACCEPTOR, cred, &ctx);
        }
        cs_cred_unref(cred);
        if (err != CS_OK) {
            major = cs_status(minor_status, err);
            goto done;
        }
        ctx->gs2 = gs2;
    } else {
        if (ctx->role != CS_ACCEPTOR) {
            *minor_status = CREDSSP_S_BAD_HANDLE;
            return GSS_S_NO_CONTEXT;
        }
        raw = *input_token_buffer;
    }
    ctx->inner.cb = input_chan_bindings;
    err = cs_ctx_step(ctx, raw.value, raw.length, &out, &done);
    ctx->inner.cb = GSS_C_NO_CHANNEL_BINDINGS;
    set_outputs(ctx, ret_flags, time_rec);
    if (err == CS_OK && done) {
        if (src_name != NULL && ctx->inner.src_name != GSS_C_NO_NAME &&
            g->duplicate_name(&minor, ctx->inner.src_name, src_name) !=
                GSS_S_COMPLETE) {
            err = CREDSSP_S_NOMEM;
        }
        if (delegated_cred_handle != NULL && ctx->delegated != NULL) {
            *delegated_cred_handle =
                (gss_cred_id_t)cs_cred_ref(ctx->delegated);
        }
    }
    major = finish_step(minor_status, &ctx, context_handle, first, err, done,
                        &out, output_token);

done:
    return major;
}

CS_EXPORT OM_uint32
gss_delete_sec_context(OM_uint32 *minor_status, gss_ctx_id_t *context_handle,
                       gss_buffer_t output_token)
{
    struct cs_ctx *ctx;
    cs_blob out = { 0 };
    cs_err err = CS_OK;

    *minor_status = 0;
    if (context_handle == NULL) {
        return GSS_S_CALL_INACCESSIBLE_WRITE;
    }
    ctx = (struct cs_ctx *)*context_handle;
    if (output_token != GSS_C_NO_BUFFER) {
        output_token->length = 0;
        output_token->value = NULL;
        /* DeleteSecurityContext: a close_notify for the peer. */
        if (ctx != NULL && ctx->tls != NULL) {
            err = cs_tls_shutdown(ctx->tls, &out);
            if (err == CS_OK) {
                err = cs_copy_out(output_token, out.data, out.len);
            }
            cs_blob_free(&out);
        }
    }
    cs_ctx_free(ctx);
    *context_handle = GSS_C_NO_CONTEXT;
    return cs_status(minor_status, err);
}

CS_EXPORT OM_uint32
gss_context_time(OM_uint32 *minor_status, gss_ctx_id_t context_handle,
                 OM_uint32 *time_rec)
{
    struct cs_ctx *ctx = (struct cs_ctx *)context_handle;
    OM_uint32 left;

    *minor_status = 0;
    if (ctx == NULL || ctx->state != CS_ST_DONE) {
        *minor_status = CREDSSP_S_NOT_ESTABLISHED;
        return GSS_S_NO_CONTEXT;
    }
    left = cs_ctx_time_left(ctx);
    if (time_rec != NULL) {
        *time_rec = left;
    }
    if (left == 0) {
        /* The channel ended (its minor says how), or the inner
         * authentication's lifetime is over (no minor). */
        *minor_status = ctx->tls != NULL ? cs_tls_ended(ctx->tls) : CS_OK;
        return GSS_S_CONTEXT_EXPIRED;
    }
    return GSS_S_COMPLETE;
}

CS_EXPORT OM_uint32
gss_inquire_context(OM_uint32 *minor_status, gss_ctx_id_t context_handle,
                    gss_name_t *src_name, gss_name_t *targ_name,
                    OM_uint32 *lifetime_rec, gss_OID *mech_type,
                    OM_uint32 *ctx_flags, int *locally_initiated,
                    int *open)
{
    const struct cs_glue *g = cs_mech_glue(minor_status);
    struct cs_ctx *ctx = (struct cs_ctx *)context_handle;
    gss_name_t peer = GSS_C_NO_NAME, target = GSS_C_NO_NAME;
    OM_uint32 minor;

    if (g == NULL) {
        return GSS_S_FAILURE;
    }
    if (ctx == NULL) {
        *minor_status = CREDSSP_S_BAD_HANDLE;
        return GSS_S_NO_CONTEXT;
    }
    *minor_status = 0;
    /* The initiator's own name is its credential's; the acceptor's peer
     * is the inner authenticated name. */
    if (ctx->role == CS_INITIATOR) {
        peer = ctx->cred->name;
        target = ctx->target;
    } else {
        peer = ctx->inner.src_name;
    }
    if (src_name != NULL) {
        *src_name = GSS_C_NO_NAME;
        if (peer == GSS_C_NO_NAME && ctx->role == CS_INITIATOR) {
            /* A default credential: its inner one's name (the ccache's
             * principal), as SASL GS2 clients display it. */
            *src_name = cs_inner_cred_name(ctx->cred->inner);
        } else if (peer != GSS_C_NO_NAME &&
                   g->duplicate_name(minor_status, peer, src_name) !=
                       GSS_S_COMPLETE) {
            return GSS_S_FAILURE;
        }
    }
    if (targ_name != NULL) {
        *targ_name = GSS_C_NO_NAME;
        if (target != GSS_C_NO_NAME &&
            g->duplicate_name(minor_status, target, targ_name) !=
                GSS_S_COMPLETE) {
            if (src_name != NULL) {
                g->release_name(&minor, src_name);
            }
            return GSS_S_FAILURE;
        }
    }
    set_outputs(ctx, ctx_flags, lifetime_rec);
    if (mech_type != NULL) {
        *mech_type = ctx_mech(ctx);
    }
    if (locally_initiated != NULL) {
        *locally_initiated = ctx->role == CS_INITIATOR;
    }
    if (open != NULL) {
        *open = ctx->state == CS_ST_DONE;
    }
    return GSS_S_COMPLETE;
}

/* add_bytes: one buffer in a new buffer set. */
static OM_uint32
one_buffer(OM_uint32 *minor, const void *data, size_t len,
           gss_buffer_set_t *set)
{
    const struct cs_glue *g = cs_glue();
    gss_buffer_desc b = { len, (void *)data };
    OM_uint32 major, tmp;

    major = g->create_empty_buffer_set(minor, set);
    if (major == GSS_S_COMPLETE) {
        major = g->add_buffer_set_member(minor, &b, set);
        if (major != GSS_S_COMPLETE) {
            g->release_buffer_set(&tmp, set);
        }
    }
    return major;
}

CS_EXPORT OM_uint32
gss_inquire_sec_context_by_oid(OM_uint32 *minor_status,
                               const gss_ctx_id_t context_handle,
                               const gss_OID desired_object,
                               gss_buffer_set_t *data_set)
{
    struct cs_ctx *ctx = (struct cs_ctx *)context_handle;
    const char *text = NULL;
    char num[32];
    cs_blob der = { 0 };
    OM_uint32 major;
    cs_err err;

    *minor_status = 0;
    if (ctx == NULL || data_set == NULL) {
        *minor_status = CREDSSP_S_BAD_HANDLE;
        return GSS_S_NO_CONTEXT;
    }
    if (cs_oid_equal(desired_object, GSS_CREDSSP_INQ_MISSING) ||
        cs_oid_equal(desired_object, GSS_CREDSSP_INQ_EXTRA)) {
        snprintf(num, sizeof(num), "%zu",
                 cs_oid_equal(desired_object, GSS_CREDSSP_INQ_MISSING)
                     ? ctx->missing
                     : ctx->extra);
        return one_buffer(minor_status, num, strlen(num), data_set);
    }
    if (ctx->tls == NULL || ctx->peer_version == 0) {
        if (!cs_oid_equal(desired_object, GSS_CREDSSP_INQ_TLS_VERSION) &&
            !cs_oid_equal(desired_object, GSS_CREDSSP_INQ_TLS_CIPHER)) {
            *minor_status = CREDSSP_S_NOT_ESTABLISHED;
            return GSS_S_NO_CONTEXT;
        }
    }
    if (cs_oid_equal(desired_object, GSS_CREDSSP_INQ_STREAM_SIZES)) {
        uint8_t sizes[20];
        size_t h = 0, t = 0, i;
        uint32_t v[5];

        if (ctx->state != CS_ST_DONE) {
            *minor_status = CREDSSP_S_NOT_ESTABLISHED;
            return GSS_S_NO_CONTEXT;
        }
        /* SecPkgContext_StreamSizes: header, trailer, maximum message,
         * buffers, block size; little-endian. */
        cs_tls_overhead(ctx->tls, &h, &t);
        v[0] = (uint32_t)h;
        v[1] = (uint32_t)t;
        v[2] = CS_TLS_MAX_RECORD;
        v[3] = 4;
        v[4] = (uint32_t)cs_tls_block_size(ctx->tls);
        for (i = 0; i < 20; i++) {
            sizes[i] = (uint8_t)(v[i / 4] >> (8 * (i % 4)));
        }
        return one_buffer(minor_status, sizes, sizeof(sizes), data_set);
    }
    if (cs_oid_equal(desired_object, GSS_CREDSSP_INQ_VERSION)) {
        snprintf(num, sizeof(num), "%u", cs_ctx_version(ctx));
        text = num;
    } else if (cs_oid_equal(desired_object, GSS_CREDSSP_INQ_INNER_MECH)) {
        if (ctx->inner.actual_mech.length == 0) {
            *minor_status = CREDSSP_S_NOT_ESTABLISHED;
            return GSS_S_NO_CONTEXT;
        }
        return one_buffer(minor_status, ctx->inner.actual_mech.elements,
                          ctx->inner.actual_mech.length, data_set);
    } else if (cs_oid_equal(desired_object, GSS_CREDSSP_INQ_TLS_VERSION)) {
        text = ctx->tls != NULL ? cs_tls_version_name(ctx->tls) : NULL;
    } else if (cs_oid_equal(desired_object, GSS_CREDSSP_INQ_TLS_CIPHER)) {
        text = ctx->tls != NULL ? cs_tls_cipher_name(ctx->tls) : NULL;
    } else if (cs_oid_equal(desired_object, GSS_CREDSSP_INQ_PEER_CERT)) {
        if (ctx->role != CS_INITIATOR) {
            *minor_status = CREDSSP_S_UNSUPPORTED_OPTION;
            return GSS_S_UNAVAILABLE;
        }
        err = cs_tls_peer_cert_der(ctx->tls, &der);
        if (err != CS_OK) {
            return cs_status(minor_status, err);
        }
        major = one_buffer(minor_status, der.data, der.len, data_set);
        cs_blob_free(&der);
        return major;
    } else {
        *minor_status = CREDSSP_S_UNSUPPORTED_OPTION;
        return GSS_S_UNAVAILABLE;
    }
    if (text == NULL) {
        *minor_status = CREDSSP_S_NOT_ESTABLISHED;
        return GSS_S_NO_CONTEXT;
    }
    return one_buffer(minor_status, text, strlen(text), data_set);
}
