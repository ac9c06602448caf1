/*
 * gss_wrap.c - message protection after the handshake: each gss_wrap is
 * one TLS record of the CredSSP channel (ISC_REQ_STREAM), as WinRM's
 * CredSSP message encryption needs; gss_unwrap takes whole records.
 */
#include "config.h"

#include "mech.h"

/* established: the context, if it is complete; else a status. */
static struct cs_ctx *
established(gss_ctx_id_t handle, OM_uint32 *minor, OM_uint32 *major)
{
    struct cs_ctx *ctx = (struct cs_ctx *)handle;

    if (ctx == NULL || ctx->state != CS_ST_DONE || ctx->tls == NULL) {
        *minor = CREDSSP_S_NOT_ESTABLISHED;
        *major = GSS_S_NO_CONTEXT;
        return NULL;
    }
    return ctx;
}

CS_EXPORT OM_uint32
gss_wrap(OM_uint32 *minor_status, gss_ctx_id_t context_handle,
         int conf_req_flag, gss_qop_t qop_req,
         gss_buffer_t input_message_buffer, int *conf_state,
         gss_buffer_t output_message_buffer)
{
    struct cs_ctx *ctx;
    cs_blob out = { 0 };
    OM_uint32 major = GSS_S_COMPLETE;
    cs_err err;

    *minor_status = 0;
    if (output_message_buffer == GSS_C_NO_BUFFER) {
        return GSS_S_CALL_INACCESSIBLE_WRITE;
    }
    output_message_buffer->length = 0;
    output_message_buffer->value = NULL;
    ctx = established(context_handle, minor_status, &major);
    if (ctx == NULL) {
        return major;
    }
    if (qop_req != GSS_C_QOP_DEFAULT) {
        return cs_status(minor_status, CREDSSP_S_BAD_QOP, NULL);
    }
    if (input_message_buffer == GSS_C_NO_BUFFER) {
        return GSS_S_CALL_INACCESSIBLE_READ;
    }
    if (input_message_buffer->length > CS_TLS_MAX_RECORD) {
        /* One record per call (ISC_REQ_STREAM): the caller splits, as
         * gss_wrap_size_limit tells it. */
        *minor_status = CREDSSP_S_TLS_TOO_LARGE;
        return GSS_S_FAILURE;
    }
    /* TLS always encrypts: conf_req_flag 0 still gets confidentiality. */
    err = cs_tls_seal(ctx->tls, input_message_buffer->value,
                      input_message_buffer->length, &out);
    if (err == CS_OK) {
        err = cs_copy_out(output_message_buffer, out.data, out.len);
    }
    cs_blob_free(&out);
    if (err == CS_OK && conf_state != NULL) {
        *conf_state = 1;
    }
    return cs_status(minor_status, err, NULL);
}

CS_EXPORT OM_uint32
gss_unwrap(OM_uint32 *minor_status, gss_ctx_id_t context_handle,
           gss_buffer_t input_message_buffer,
           gss_buffer_t output_message_buffer, int *conf_state,
           gss_qop_t *qop_state)
{
    struct cs_ctx *ctx;
    cs_blob out = { 0 };
    OM_uint32 major = GSS_S_COMPLETE;
    size_t missing = 0;
    cs_err err;

    *minor_status = 0;
    if (output_message_buffer == GSS_C_NO_BUFFER) {
        return GSS_S_CALL_INACCESSIBLE_WRITE;
    }
    output_message_buffer->length = 0;
    output_message_buffer->value = NULL;
    ctx = established(context_handle, minor_status, &major);
    if (ctx == NULL) {
        return major;
    }
    if (input_message_buffer == GSS_C_NO_BUFFER) {
        return GSS_S_CALL_INACCESSIBLE_READ;
    }
    if (input_message_buffer->length == 0) {
        /* The empty token gss_wrap made of an empty message. */
        return GSS_S_COMPLETE;
    }
    err = cs_tls_check_records(input_message_buffer->value,
                               input_message_buffer->length, &missing);
    ctx->missing = missing;
    if (err == CS_OK) {
        err = cs_tls_unseal(ctx->tls, input_message_buffer->value,
                            input_message_buffer->length, &out);
    }
    if (err == CS_OK) {
        err = cs_copy_out(output_message_buffer, out.data, out.len);
    }
    cs_blob_free_secret(&out);
    if (err == CS_OK) {
        if (conf_state != NULL) {
            *conf_state = 1;
        }
        if (qop_state != NULL) {
            *qop_state = GSS_C_QOP_DEFAULT;
        }
    }
    return cs_status(minor_status, err, NULL);
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
    ctx = established(context_handle, minor_status, &major);
    if (ctx == NULL) {
        return major;
    }
    if (qop_req != GSS_C_QOP_DEFAULT) {
        return cs_status(minor_status, CREDSSP_S_BAD_QOP, NULL);
    }
    cs_tls_overhead(ctx->tls, &header, &trailer);
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
    return cs_status(minor_status, CREDSSP_S_NO_MIC, NULL);
}

CS_EXPORT OM_uint32
gss_verify_mic(OM_uint32 *minor_status, gss_ctx_id_t context_handle,
               gss_buffer_t message_buffer, gss_buffer_t token_buffer,
               gss_qop_t *qop_state)
{
    return cs_status(minor_status, CREDSSP_S_NO_MIC, NULL);
}
