/* SPDX-License-Identifier: MIT */
/*
 * gss_wrap.c - message protection after the handshake: each gss_wrap is
 * one TLS record of the CredSSP channel (ISC_REQ_STREAM), as WinRM's
 * CredSSP message encryption needs; gss_unwrap takes whole records.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mech.h"

/* established: the context, if it is complete and its channel has not
 * ended (then every message call, the sizing ones too, says why); else a
 * status. */
static struct cs_ctx *
established(gss_ctx_id_t handle, OM_uint32 *minor, OM_uint32 *major)
{
    struct cs_ctx *ctx = (struct cs_ctx *)handle;

    if (ctx == NULL || ctx->state != CS_ST_DONE || ctx->tls == NULL) {
        *minor = CREDSSP_S_NOT_ESTABLISHED;
        *major = GSS_S_NO_CONTEXT;
        return NULL;
    }
    if (cs_tls_ended(ctx->tls) != CS_OK) {
        *major = cs_status(minor, cs_tls_ended(ctx->tls));
        return NULL;
    }
    return ctx;
}

/* sealer: established(), for a call that seals a message or sizes one:
 * only the default QOP exists. */
static struct cs_ctx *
sealer(gss_ctx_id_t handle, gss_qop_t qop_req, OM_uint32 *minor,
       OM_uint32 *major)
{
    struct cs_ctx *ctx = established(handle, minor, major);

    if (ctx != NULL && qop_req != GSS_C_QOP_DEFAULT) {
        *major = cs_status(minor, CREDSSP_S_BAD_QOP);
        return NULL;
    }
    return ctx;
}

/* begin: what the calls with an output buffer start with: the buffer
 * emptied, and the context if it is established. */
static struct cs_ctx *
begin(gss_ctx_id_t handle, gss_buffer_t out, OM_uint32 *minor,
      OM_uint32 *major)
{
    *minor = 0;
    if (out == GSS_C_NO_BUFFER) {
        *major = GSS_S_CALL_INACCESSIBLE_WRITE;
        return NULL;
    }
    out->length = 0;
    out->value = NULL;
    return established(handle, minor, major);
}

/* one_record: whether a message of len bytes fits the one TLS record each
 * gss_wrap and gss_wrap_iov seals (ISC_REQ_STREAM); a larger one the
 * caller splits, as gss_wrap_size_limit tells it. */
static cs_err
one_record(size_t len)
{
    return len <= CS_TLS_MAX_RECORD ? CS_OK : CREDSSP_S_WRAP_TOO_LARGE;
}

/* no_assoc: that there is no associated data (none, or an empty buffer):
 * a TLS record authenticates nothing but its own plaintext. */
static cs_err
no_assoc(const gss_buffer_t assoc)
{
    return assoc == GSS_C_NO_BUFFER || assoc->length == 0
               ? CS_OK
               : CREDSSP_S_NO_ASSOC_DATA;
}

/* wrap_message: gss_wrap, and gss_wrap_aead, whose associated data
 * (assoc) must be empty. */
static OM_uint32
wrap_message(OM_uint32 *minor_status, gss_ctx_id_t context_handle,
             gss_qop_t qop_req, gss_buffer_t assoc,
             gss_buffer_t input_message_buffer, int *conf_state,
             gss_buffer_t output_message_buffer)
{
    struct cs_ctx *ctx;
    cs_blob out = { 0 };
    OM_uint32 major = GSS_S_COMPLETE;
    cs_err err;

    ctx = begin(context_handle, output_message_buffer, minor_status, &major);
    if (ctx == NULL) {
        return major;
    }
    if (qop_req != GSS_C_QOP_DEFAULT) {
        return cs_status(minor_status, CREDSSP_S_BAD_QOP);
    }
    if (input_message_buffer == GSS_C_NO_BUFFER) {
        return GSS_S_CALL_INACCESSIBLE_READ;
    }
    err = no_assoc(assoc);
    if (err == CS_OK) {
        err = one_record(input_message_buffer->length);
    }
    if (err == CS_OK) {
        /* TLS always encrypts: conf_req_flag 0 gets confidentiality. */
        err = cs_tls_seal(ctx->tls, input_message_buffer->value,
                          input_message_buffer->length, &out);
    }
    if (err == CS_OK) {
        cs_move_out(output_message_buffer, &out);
    }
    cs_blob_free(&out);
    if (err == CS_OK && conf_state != NULL) {
        *conf_state = 1;
    }
    return cs_status(minor_status, err);
}

CS_EXPORT OM_uint32
gss_wrap(OM_uint32 *minor_status, gss_ctx_id_t context_handle,
         int conf_req_flag, gss_qop_t qop_req,
         gss_buffer_t input_message_buffer, int *conf_state,
         gss_buffer_t output_message_buffer)
{
    return wrap_message(minor_status, context_handle, qop_req,
                        GSS_C_NO_BUFFER, input_message_buffer, conf_state,
                        output_message_buffer);
}

/*
 * gss_wrap_aead: gss_wrap, when there is no associated data.  Exported so
 * that the mechglue does not build it from the IOV calls: its shim sizes
 * the token from gss_wrap_iov_length (a CBC or CCM_8 record is shorter)
 * and keeps the slack.
 */
CS_EXPORT OM_uint32
gss_wrap_aead(OM_uint32 *minor_status, gss_ctx_id_t context_handle,
              int conf_req_flag, gss_qop_t qop_req,
              gss_buffer_t input_assoc_buffer,
              gss_buffer_t input_payload_buffer, int *conf_state,
              gss_buffer_t output_message_buffer)
{
    return wrap_message(minor_status, context_handle, qop_req,
                        input_assoc_buffer, input_payload_buffer,
                        conf_state, output_message_buffer);
}

/* whole_records: whether in[0..len) holds whole TLS records; every unwrap
 * checks so first, and keeps the count of bytes missing for
 * GSS_CREDSSP_INQ_MISSING (0 when none are). */
static cs_err
whole_records(struct cs_ctx *ctx, const uint8_t *in, size_t len)
{
    size_t missing = 0;
    cs_err err = cs_tls_check_records(in, len, &missing);

    ctx->missing = missing;
    return err;
}

/* unwrap_status: the end of both unwraps: conf_state 1 when a message
 * came out of the channel, 0 when none did (a replay, an error), so no
 * caller reads a stale value; the default QOP; and the status. */
static OM_uint32
unwrap_status(OM_uint32 *minor, cs_err err, int *conf_state,
              gss_qop_t *qop_state)
{
    if (conf_state != NULL) {
        *conf_state = err == CS_OK;
    }
    if (qop_state != NULL) {
        *qop_state = GSS_C_QOP_DEFAULT;
    }
    return cs_status(minor, err);
}

/* unwrap_message: gss_unwrap, and gss_unwrap_aead, whose associated data
 * (assoc) must be empty. */
static OM_uint32
unwrap_message(OM_uint32 *minor_status, gss_ctx_id_t context_handle,
               gss_buffer_t input_message_buffer, gss_buffer_t assoc,
               gss_buffer_t output_message_buffer, int *conf_state,
               gss_qop_t *qop_state)
{
    struct cs_ctx *ctx;
    cs_blob out = { 0 };
    OM_uint32 major = GSS_S_COMPLETE;
    cs_err err;

    ctx = begin(context_handle, output_message_buffer, minor_status, &major);
    if (ctx == NULL) {
        return major;
    }
    if (input_message_buffer == GSS_C_NO_BUFFER) {
        return GSS_S_CALL_INACCESSIBLE_READ;
    }
    err = no_assoc(assoc);
    if (err == CS_OK && input_message_buffer->length == 0) {
        /* The empty token gss_wrap made of an empty message. */
        return GSS_S_COMPLETE;
    }
    if (err == CS_OK) {
        err = whole_records(ctx, input_message_buffer->value,
                            input_message_buffer->length);
    }
    if (err == CS_OK) {
        err = cs_tls_unseal(ctx->tls, input_message_buffer->value,
                            input_message_buffer->length, &out);
    }
    if (err == CS_OK) {
        cs_move_out(output_message_buffer, &out);
    }
    cs_blob_free_secret(&out);
    return unwrap_status(minor_status, err, conf_state, qop_state);
}

CS_EXPORT OM_uint32
gss_unwrap(OM_uint32 *minor_status, gss_ctx_id_t context_handle,
           gss_buffer_t input_message_buffer,
           gss_buffer_t output_message_buffer, int *conf_state,
           gss_qop_t *qop_state)
{
    return unwrap_message(minor_status, context_handle,
                          input_message_buffer, GSS_C_NO_BUFFER,
                          output_message_buffer, conf_state, qop_state);
}

/*
 * gss_unwrap_aead: gss_unwrap, when there is no associated data.
 * Exported with gss_wrap_aead, so that the mechglue does not build it from
 * gss_unwrap_iov (its shim turns even an empty assoc buffer into a
 * SIGN_ONLY buffer) and associated data gets its own refusal.
 */
CS_EXPORT OM_uint32
gss_unwrap_aead(OM_uint32 *minor_status, gss_ctx_id_t context_handle,
                gss_buffer_t input_message_buffer,
                gss_buffer_t input_assoc_buffer,
                gss_buffer_t output_payload_buffer, int *conf_state,
                gss_qop_t *qop_state)
{
    return unwrap_message(minor_status, context_handle,
                          input_message_buffer, input_assoc_buffer,
                          output_payload_buffer, conf_state, qop_state);
}

CS_EXPORT OM_uint32
gss_wrap_size_limit(OM_uint32 *minor_status, gss_ctx_id_t context_handle,
                    int conf_req_flag, gss_qop_t qop_req,
                    OM_uint32 req_output_size, OM_uint32 *max_input_size)
{
    struct cs_ctx *ctx;
    OM_uint32 major = GSS_S_COMPLETE;
    size_t header, trailer, room;

    *minor_status = 0;
    ctx = sealer(context_handle, qop_req, minor_status, &major);
    if (ctx == NULL) {
        return major;
    }
    cs_tls_overhead(ctx->tls, &header, &trailer);
    header += cs_tls_write_prefix(ctx->tls);
    room = req_output_size > header + trailer
               ? req_output_size - header - trailer
               : 0;
    *max_input_size = (OM_uint32)(room < CS_TLS_MAX_RECORD
                                      ? room
                                      : CS_TLS_MAX_RECORD);
    return GSS_S_COMPLETE;
}

CS_EXPORT OM_uint32
gss_get_mic(OM_uint32 *minor_status, gss_ctx_id_t context_handle,
            gss_qop_t qop_req, gss_buffer_t message_buffer,
            gss_buffer_t message_token)
{
    if (message_token != GSS_C_NO_BUFFER) {
        message_token->length = 0;
        message_token->value = NULL;
    }
    return cs_status(minor_status, CREDSSP_S_NO_MIC);
}

CS_EXPORT OM_uint32
gss_verify_mic(OM_uint32 *minor_status, gss_ctx_id_t context_handle,
               gss_buffer_t message_buffer, gss_buffer_t token_buffer,
               gss_qop_t *qop_state)
{
    return cs_status(minor_status, CREDSSP_S_NO_MIC);
}

/* ---- IOV: the SSPI stream layout (SECPKG_ATTR_STREAM_SIZES) ---- */

#define IOV_TYPE(b) GSS_IOV_BUFFER_TYPE((b)->type)

/* find_iov: the only buffer of a type, or NULL (two are an error). */
static gss_iov_buffer_t
find_iov(gss_iov_buffer_desc *iov, int count, OM_uint32 type, bool *dup)
{
    gss_iov_buffer_t found = NULL;
    int i;

    for (i = 0; i < count; i++) {
        if (IOV_TYPE(&iov[i]) == type) {
            *dup = *dup || found != NULL;
            found = &iov[i];
        }
    }
    return found;
}

/* room_iov: room for len bytes in a HEADER or TRAILER buffer: allocated
 * when the caller asked, else the caller's own; its length becomes len. */
static cs_err
room_iov(gss_iov_buffer_t b, size_t len)
{
    if (b->type & GSS_IOV_BUFFER_FLAG_ALLOCATE) {
        b->buffer.value = malloc(len > 0 ? len : 1);
        if (b->buffer.value == NULL) {
            return CREDSSP_S_NOMEM;
        }
        b->type |= GSS_IOV_BUFFER_FLAG_ALLOCATED;
    } else if (b->buffer.length < len) {
        return CREDSSP_S_BAD_ARGS;
    }
    b->buffer.length = len;
    return CS_OK;
}

/* fill_iov: puts len bytes into a HEADER or TRAILER buffer (room_iov). */
static cs_err
fill_iov(gss_iov_buffer_t b, const uint8_t *data, size_t len)
{
    cs_err err = room_iov(b, len);

    if (err == CS_OK) {
        memcpy(b->buffer.value, data, len);
    }
    return err;
}

/*
 * iov_room: b holds len bytes, or is to be allocated.  gss_wrap_iov checks
 * HEADER and TRAILER against what gss_wrap_iov_length says before TLS
 * seals anything: a record sealed and then dropped would leave a gap in
 * TLS's sequence numbers that the peer could not get past.
 */
static bool
iov_room(const gss_iov_buffer_t b, size_t len)
{
    return (b->type & GSS_IOV_BUFFER_FLAG_ALLOCATE) != 0 ||
           b->buffer.length >= len;
}

/*
 * wrap_in_place: gss_wrap_iov of one DATA buffer: sealed from where it
 * is, and the record read out of TLS straight into header, DATA and
 * trailer (a header or trailer with no room fails before the DATA buffer
 * is touched), in one read when they lie back to back; h is the header
 * length cs_tls_overhead gave gss_wrap_iov.  Records TLS wrote before
 * the message's own (a TLS 1.3 KeyUpdate it owed the peer) go at the
 * front of the header.  What is left of the output after a failure is
 * dropped, so that the next call starts clean.
 */
static cs_err
wrap_in_place(struct cs_ctx *ctx, gss_iov_buffer_t header,
              gss_iov_buffer_t data, gss_iov_buffer_t trailer, size_t h)
{
    size_t len = data->buffer.length, rec_len, prefix, t = 0;
    cs_err err;

    err = cs_tls_seal_pending(ctx->tls, data->buffer.value, len, &rec_len,
                              &prefix);
    if (err == CS_OK) {
        /* The output is [prefix] header | the data's ciphertext |
         * trailer. */
        h += prefix;
        t = rec_len - h - len;
        err = rec_len >= h + len ? room_iov(header, h) : CREDSSP_S_INTERNAL;
    }
    if (err == CS_OK) {
        err = room_iov(trailer, t);
    }
    if (err == CS_OK &&
        (uint8_t *)header->buffer.value + h == data->buffer.value &&
        (uint8_t *)data->buffer.value + len == trailer->buffer.value) {
        /* Back to back, as gss_wrap_iov_length's caller usually lays
         * them out: the record in one read. */
        err = cs_tls_take_exact(ctx->tls, header->buffer.value, rec_len);
    } else if (err == CS_OK) {
        err = cs_tls_take_exact(ctx->tls, header->buffer.value, h);
        if (err == CS_OK) {
            err = cs_tls_take_exact(ctx->tls, data->buffer.value, len);
        }
        if (err == CS_OK) {
            err = cs_tls_take_exact(ctx->tls, trailer->buffer.value, t);
        }
    }
    if (err != CS_OK) {
        cs_tls_drop_output(ctx->tls);
    }
    return err;
}

/* data_len: the total of the DATA buffers; a SIGN_ONLY buffer is
 * associated data, which TLS records do not carry. */
static cs_err
data_len(gss_iov_buffer_desc *iov, int count, size_t *out)
{
    int i;

    *out = 0;
    for (i = 0; i < count; i++) {
        if (IOV_TYPE(&iov[i]) == GSS_IOV_BUFFER_TYPE_SIGN_ONLY) {
            return CREDSSP_S_NO_ASSOC_DATA;
        }
        if (IOV_TYPE(&iov[i]) == GSS_IOV_BUFFER_TYPE_DATA) {
            *out += iov[i].buffer.length;
        }
    }
    return CS_OK;
}

/* copy_data: moves bytes between one contiguous run and the DATA
 * buffers, in order (to_iov: from run into the buffers). */
static void
copy_data(gss_iov_buffer_desc *iov, int count, uint8_t *run, bool to_iov)
{
    size_t off = 0;
    int i;

    for (i = 0; i < count; i++) {
        gss_buffer_t b = &iov[i].buffer;

        if (IOV_TYPE(&iov[i]) != GSS_IOV_BUFFER_TYPE_DATA ||
            b->length == 0) {
            continue;
        }
        if (to_iov) {
            memcpy(b->value, run + off, b->length);
        } else {
            memcpy(run + off, b->value, b->length);
        }
        off += b->length;
    }
}

/* only_data: the one DATA buffer that holds all the data, or NULL when
 * the data is spread over several (then it is gathered into one run). */
static gss_iov_buffer_t
only_data(gss_iov_buffer_desc *iov, int count, size_t len)
{
    bool dup = false;
    gss_iov_buffer_t d = find_iov(iov, count, GSS_IOV_BUFFER_TYPE_DATA, &dup);

    return d != NULL && !dup && d->buffer.length == len ? d : NULL;
}

CS_EXPORT OM_uint32
gss_wrap_iov_length(OM_uint32 *minor_status, gss_ctx_id_t context_handle,
                    int conf_req_flag, gss_qop_t qop_req, int *conf_state,
                    gss_iov_buffer_desc *iov, int iov_count)
{
    struct cs_ctx *ctx;
    gss_iov_buffer_t header, trailer, padding;
    OM_uint32 major = GSS_S_COMPLETE;
    size_t h, t, len;
    bool dup = false;
    cs_err err;

    *minor_status = 0;
    ctx = sealer(context_handle, qop_req, minor_status, &major);
    if (ctx == NULL) {
        return major;
    }
    err = data_len(iov, iov_count, &len);
    header = find_iov(iov, iov_count, GSS_IOV_BUFFER_TYPE_HEADER, &dup);
    trailer = find_iov(iov, iov_count, GSS_IOV_BUFFER_TYPE_TRAILER, &dup);
    padding = find_iov(iov, iov_count, GSS_IOV_BUFFER_TYPE_PADDING, &dup);
    if (err == CS_OK && (header == NULL || trailer == NULL || dup)) {
        err = CREDSSP_S_BAD_ARGS;
    }
    if (err == CS_OK) {
        err = one_record(len);
    }
    if (err != CS_OK) {
        return cs_status(minor_status, err);
    }
    cs_tls_overhead(ctx->tls, &h, &t);
    header->buffer.length = h + cs_tls_write_prefix(ctx->tls);
    trailer->buffer.length = t;
    if (padding != NULL) {
        padding->buffer.length = 0;
    }
    if (conf_state != NULL) {
        *conf_state = 1;
    }
    return GSS_S_COMPLETE;
}

CS_EXPORT OM_uint32
gss_wrap_iov(OM_uint32 *minor_status, gss_ctx_id_t context_handle,
             int conf_req_flag, gss_qop_t qop_req, int *conf_state,
             gss_iov_buffer_desc *iov, int iov_count)
{
    struct cs_ctx *ctx;
    gss_iov_buffer_t header, trailer, padding, data;
    OM_uint32 major = GSS_S_COMPLETE;
    cs_blob plain = { 0 }, rec = { 0 };
    size_t h, t, len;
    bool dup = false;
    cs_err err;

    *minor_status = 0;
    ctx = sealer(context_handle, qop_req, minor_status, &major);
    if (ctx == NULL) {
        return major;
    }
    err = data_len(iov, iov_count, &len);
    header = find_iov(iov, iov_count, GSS_IOV_BUFFER_TYPE_HEADER, &dup);
    trailer = find_iov(iov, iov_count, GSS_IOV_BUFFER_TYPE_TRAILER, &dup);
    padding = find_iov(iov, iov_count, GSS_IOV_BUFFER_TYPE_PADDING, &dup);
    if (err == CS_OK &&
        (header == NULL || trailer == NULL || dup || len == 0)) {
        err = CREDSSP_S_BAD_ARGS;
    }
    if (err == CS_OK) {
        err = one_record(len);
    }
    if (err == CS_OK) {
        cs_tls_overhead(ctx->tls, &h, &t);
        if (!iov_room(header, h + cs_tls_write_prefix(ctx->tls)) ||
            !iov_room(trailer, t)) {
            err = CREDSSP_S_BAD_ARGS;
        }
    }
    if (err == CS_OK && (data = only_data(iov, iov_count, len)) != NULL) {
        err = wrap_in_place(ctx, header, data, trailer, h);
        goto done;
    }
    if (err == CS_OK) {
        plain.data = malloc(len);
        plain.len = len;
        err = plain.data != NULL ? CS_OK : CREDSSP_S_NOMEM;
    }
    if (err == CS_OK) {
        copy_data(iov, iov_count, plain.data, false);
        err = cs_tls_seal(ctx->tls, plain.data, len, &rec);
    }
    if (err == CS_OK) {
        /* The output is [records before it] header | the data's
         * ciphertext | trailer. */
        h += cs_tls_last_record(rec.data, rec.len);
        t = rec.len - h - len;
        err = rec.len >= h + len ? fill_iov(header, rec.data, h)
                                 : CREDSSP_S_INTERNAL;
    }
    if (err == CS_OK) {
        copy_data(iov, iov_count, rec.data + h, true);
        err = fill_iov(trailer, rec.data + h + len, t);
    }

done:
    if (err == CS_OK && padding != NULL) {
        padding->buffer.length = 0;
    }
    if (err == CS_OK && conf_state != NULL) {
        *conf_state = 1;
    }
    cs_blob_free_secret(&plain);
    cs_blob_free(&rec);
    return cs_status(minor_status, err);
}

/*
 * unwrap_stream: a STREAM buffer holds one whole record.  Its plaintext
 * goes straight from SSL_read over the record, after the header, and the
 * DATA buffer points at it; or, when DATA asks for
 * GSS_IOV_BUFFER_FLAG_ALLOCATE (as RFC 4121's IOV calls let it), into a
 * buffer of its own that the caller frees (gss_release_buffer), and the
 * STREAM buffer stays as it was.
 */
static cs_err
unwrap_stream(struct cs_ctx *ctx, gss_iov_buffer_t stream,
              gss_iov_buffer_t data)
{
    uint8_t *rec = stream->buffer.value, *dst;
    size_t len = stream->buffer.length, h, t, got = 0, at;
    bool alloc = (data->type & GSS_IOV_BUFFER_FLAG_ALLOCATE) != 0;
    cs_err err;

    err = whole_records(ctx, rec, len);
    if (err != CS_OK) {
        return err;
    }
    cs_tls_overhead(ctx->tls, &h, &t);
    /* A record no longer than a header fails TLS's check; it still goes
     * to TLS, which says so. */
    at = len > h ? h : 0;
    dst = alloc ? malloc(len > at ? len - at : 1) : rec + at;
    if (dst == NULL) {
        return CREDSSP_S_NOMEM;
    }
    err = cs_tls_unseal_into(ctx->tls, rec, len, dst, len - at, &got);
    if (err == CS_OK && (at != h || h + got > len)) {
        cs_wipe(dst, got);
        err = CREDSSP_S_INTERNAL;
    }
    if (err != CS_OK) {
        if (alloc) {
            free(dst);
        }
        return err;
    }
    data->buffer.value = dst;
    data->buffer.length = got;
    if (alloc) {
        data->type |= GSS_IOV_BUFFER_FLAG_ALLOCATED;
    }
    return CS_OK;
}

/* in_place: header | the one DATA buffer | trailer lie back to back in
 * the caller's memory, as gss_wrap_iov's output usually does. */
static bool
in_place(gss_iov_buffer_desc *iov, int count, gss_iov_buffer_t header,
         gss_iov_buffer_t trailer, size_t len)
{
    gss_iov_buffer_t d = only_data(iov, count, len);
    const uint8_t *h = header->buffer.value;

    return d != NULL && h != NULL &&
           (const uint8_t *)d->buffer.value == h + header->buffer.length &&
           (const uint8_t *)trailer->buffer.value ==
               h + header->buffer.length + len;
}

CS_EXPORT OM_uint32
gss_unwrap_iov(OM_uint32 *minor_status, gss_ctx_id_t context_handle,
               int *conf_state, gss_qop_t *qop_state,
               gss_iov_buffer_desc *iov, int iov_count)
{
    struct cs_ctx *ctx;
    gss_iov_buffer_t header, trailer, stream, data;
    OM_uint32 major = GSS_S_COMPLETE;
    cs_blob rec = { 0 }, plain = { 0 };
    size_t len, got, total;
    bool dup = false;
    cs_err err;

    *minor_status = 0;
    ctx = established(context_handle, minor_status, &major);
    if (ctx == NULL) {
        return major;
    }
    err = data_len(iov, iov_count, &len);
    stream = find_iov(iov, iov_count, GSS_IOV_BUFFER_TYPE_STREAM, &dup);
    if (err == CS_OK && stream != NULL) {
        data = find_iov(iov, iov_count, GSS_IOV_BUFFER_TYPE_DATA, &dup);
        err = data == NULL || dup ? CREDSSP_S_BAD_ARGS
                                  : unwrap_stream(ctx, stream, data);
        goto done;
    }
    header = find_iov(iov, iov_count, GSS_IOV_BUFFER_TYPE_HEADER, &dup);
    trailer = find_iov(iov, iov_count, GSS_IOV_BUFFER_TYPE_TRAILER, &dup);
    if (err == CS_OK && (header == NULL || trailer == NULL || dup)) {
        err = CREDSSP_S_BAD_ARGS;
    }
    if (err == CS_OK && in_place(iov, iov_count, header, trailer, len)) {
        /* Already one run in the caller's memory: the record as it is,
         * its plaintext written straight over the DATA buffer (TLS has
         * taken a copy of the record first). */
        data = only_data(iov, iov_count, len);
        total = header->buffer.length + len + trailer->buffer.length;
        err = whole_records(ctx, header->buffer.value, total);
        if (err == CS_OK) {
            err = cs_tls_unseal_into(ctx->tls, header->buffer.value, total,
                                     data->buffer.value, len, &got);
        }
        if (err == CS_OK && got != len) {
            cs_wipe(data->buffer.value, got);
            err = CREDSSP_S_IOV_LAYOUT;
        }
        goto done;
    } else if (err == CS_OK) {
        /* Reassemble header | data | trailer into the record. */
        rec.len = header->buffer.length + len + trailer->buffer.length;
        rec.data = malloc(rec.len > 0 ? rec.len : 1);
        err = rec.data != NULL ? CS_OK : CREDSSP_S_NOMEM;
        if (err == CS_OK) {
            memcpy(rec.data, header->buffer.value, header->buffer.length);
            copy_data(iov, iov_count, rec.data + header->buffer.length,
                      false);
            memcpy(rec.data + header->buffer.length + len,
                   trailer->buffer.value, trailer->buffer.length);
            err = whole_records(ctx, rec.data, rec.len);
        }
        if (err == CS_OK) {
            err = cs_tls_unseal(ctx->tls, rec.data, rec.len, &plain);
        }
    }
    if (err == CS_OK && plain.len != len) {
        err = CREDSSP_S_IOV_LAYOUT;
    }
    if (err == CS_OK) {
        copy_data(iov, iov_count, plain.data, true);
    }

done:
    cs_blob_free(&rec);
    cs_blob_free_secret(&plain);
    return unwrap_status(minor_status, err, conf_state, qop_state);
}

/*
 * gss_pseudo_random: RFC 4401 from the TLS exporter (RFC 5705), with the
 * input as context and one label per key kind.
 */
CS_EXPORT OM_uint32
gss_pseudo_random(OM_uint32 *minor_status, gss_ctx_id_t context_handle,
                  int prf_key, const gss_buffer_t prf_in,
                  ssize_t desired_output_len, gss_buffer_t prf_out)
{
    struct cs_ctx *ctx;
    OM_uint32 major = GSS_S_COMPLETE;
    const char *label;
    cs_err err;

    ctx = begin(context_handle, prf_out, minor_status, &major);
    if (ctx == NULL) {
        return major;
    }
    if (prf_key == GSS_C_PRF_KEY_FULL) {
        label = "EXPORTER-gss-credssp-prf-full";
    } else if (prf_key == GSS_C_PRF_KEY_PARTIAL) {
        label = "EXPORTER-gss-credssp-prf-partial";
    } else {
        return cs_status(minor_status, CREDSSP_S_BAD_ARGS);
    }
    if (desired_output_len <= 0 || desired_output_len > 65536) {
        return cs_status(minor_status, CREDSSP_S_BAD_ARGS);
    }
    prf_out->value = malloc((size_t)desired_output_len);
    if (prf_out->value == NULL) {
        return cs_status(minor_status, CREDSSP_S_NOMEM);
    }
    err = cs_tls_export(ctx->tls, label,
                        prf_in != GSS_C_NO_BUFFER ? prf_in->value : NULL,
                        prf_in != GSS_C_NO_BUFFER ? prf_in->length : 0,
                        prf_out->value, (size_t)desired_output_len);
    if (err != CS_OK) {
        free(prf_out->value);
        prf_out->value = NULL;
        return cs_status(minor_status, err);
    }
    prf_out->length = (size_t)desired_output_len;
    return GSS_S_COMPLETE;
}
