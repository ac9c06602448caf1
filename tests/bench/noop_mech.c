/* SPDX-License-Identifier: MIT */
/*
 * noop_mech.c - the bench's baseline mechanism (issue 20): a GSSAPI
 * mechanism module that does almost nothing, loaded through the mechglue
 * exactly as gsscredssp.so is (a line in GSS_MECH_CONFIG, its gss_*
 * functions found by dlsym).  Its contexts complete in one token each
 * way; gss_wrap and gss_unwrap copy the message into a new buffer.  The
 * bench times gss_wrap + gss_unwrap through the mechglue on it against
 * the same copies made directly: the difference is what the mechglue
 * itself costs per call, the part of a message's cost that no mechanism
 * can remove.  Built only by `make bench`; never installed.
 *
 * OID 1.2.840.113556.1.8000.2554.2741.33212.8495.18861.45475.1153167.
 * 6525048.1, minted from GUID 0ab581bc-212f-49ad-b1a3-11988f639078 under
 * the registration-free GUID arc, as GSS_CREDSSP_MECH is.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>

#include "noop_mech.h"

#define EXPORT __attribute__((visibility("default")))

static char noop_ctx, noop_name;

/* token: the RFC 2743 framing around one byte, so that the mechglue's
 * accept finds the mechanism in the first token. */
static OM_uint32
token(OM_uint32 *minor, gss_buffer_t out)
{
    static const unsigned char oid[] = NOOP_MECH_OID_STRING;
    unsigned char *p = malloc(2 + 2 + sizeof(oid) - 1 + 1);

    *minor = 0;
    if (p == NULL) {
        return GSS_S_FAILURE;
    }
    p[0] = 0x60;
    p[1] = (unsigned char)(2 + sizeof(oid) - 1 + 1);
    p[2] = 0x06;
    p[3] = (unsigned char)(sizeof(oid) - 1);
    memcpy(p + 4, oid, sizeof(oid) - 1);
    p[4 + sizeof(oid) - 1] = 0;
    out->value = p;
    out->length = 4 + sizeof(oid) - 1 + 1;
    return GSS_S_COMPLETE;
}

/* copy: what gss_wrap and gss_unwrap do here. */
static OM_uint32
copy(OM_uint32 *minor, const gss_buffer_t in, gss_buffer_t out)
{
    *minor = 0;
    out->value = malloc(in->length > 0 ? in->length : 1);
    if (out->value == NULL) {
        out->length = 0;
        return GSS_S_FAILURE;
    }
    memcpy(out->value, in->value, in->length);
    out->length = in->length;
    return GSS_S_COMPLETE;
}

EXPORT OM_uint32
gss_init_sec_context(OM_uint32 *minor_status, gss_cred_id_t cred,
                     gss_ctx_id_t *context_handle, gss_name_t target,
                     gss_OID mech_type, OM_uint32 req_flags,
                     OM_uint32 time_req, gss_channel_bindings_t cb,
                     gss_buffer_t input_token, gss_OID *actual_mech_type,
                     gss_buffer_t output_token, OM_uint32 *ret_flags,
                     OM_uint32 *time_rec)
{
    (void)cred, (void)target, (void)mech_type, (void)req_flags;
    (void)time_req, (void)cb, (void)input_token, (void)actual_mech_type;
    *context_handle = (gss_ctx_id_t)&noop_ctx;
    if (ret_flags != NULL) {
        *ret_flags = GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG;
    }
    if (time_rec != NULL) {
        *time_rec = GSS_C_INDEFINITE;
    }
    return token(minor_status, output_token);
}

EXPORT OM_uint32
gss_accept_sec_context(OM_uint32 *minor_status, gss_ctx_id_t *context_handle,
                       gss_cred_id_t cred, gss_buffer_t input_token,
                       gss_channel_bindings_t cb, gss_name_t *src_name,
                       gss_OID *mech_type, gss_buffer_t output_token,
                       OM_uint32 *ret_flags, OM_uint32 *time_rec,
                       gss_cred_id_t *delegated)
{
    (void)cred, (void)input_token, (void)cb, (void)mech_type;
    *minor_status = 0;
    *context_handle = (gss_ctx_id_t)&noop_ctx;
    if (src_name != NULL) {
        *src_name = GSS_C_NO_NAME;
    }
    output_token->length = 0;
    output_token->value = NULL;
    if (ret_flags != NULL) {
        *ret_flags = GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG;
    }
    if (time_rec != NULL) {
        *time_rec = GSS_C_INDEFINITE;
    }
    if (delegated != NULL) {
        *delegated = GSS_C_NO_CREDENTIAL;
    }
    return GSS_S_COMPLETE;
}

EXPORT OM_uint32
gss_delete_sec_context(OM_uint32 *minor_status, gss_ctx_id_t *context_handle,
                       gss_buffer_t output_token)
{
    *minor_status = 0;
    *context_handle = GSS_C_NO_CONTEXT;
    if (output_token != GSS_C_NO_BUFFER) {
        output_token->length = 0;
        output_token->value = NULL;
    }
    return GSS_S_COMPLETE;
}

/* The mechglue imports the target name into the mechanism. */
EXPORT OM_uint32
gss_import_name(OM_uint32 *minor_status, gss_buffer_t name,
                gss_OID name_type, gss_name_t *output_name)
{
    (void)name, (void)name_type;
    *minor_status = 0;
    *output_name = (gss_name_t)&noop_name;
    return GSS_S_COMPLETE;
}

EXPORT OM_uint32
gss_release_name(OM_uint32 *minor_status, gss_name_t *name)
{
    *minor_status = 0;
    *name = GSS_C_NO_NAME;
    return GSS_S_COMPLETE;
}

EXPORT OM_uint32
gss_wrap(OM_uint32 *minor_status, gss_ctx_id_t context_handle,
         int conf_req_flag, gss_qop_t qop_req, gss_buffer_t input,
         int *conf_state, gss_buffer_t output)
{
    (void)context_handle, (void)qop_req;
    if (conf_state != NULL) {
        *conf_state = conf_req_flag;
    }
    return copy(minor_status, input, output);
}

EXPORT OM_uint32
gss_unwrap(OM_uint32 *minor_status, gss_ctx_id_t context_handle,
           gss_buffer_t input, gss_buffer_t output, int *conf_state,
           gss_qop_t *qop_state)
{
    (void)context_handle;
    if (conf_state != NULL) {
        *conf_state = 1;
    }
    if (qop_state != NULL) {
        *qop_state = GSS_C_QOP_DEFAULT;
    }
    return copy(minor_status, input, output);
}
