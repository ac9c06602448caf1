/* SPDX-License-Identifier: MIT */
/*
 * gss_misc.c - status mapping and texts, mechanism attributes, OIDs.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mech.h"
#include "settings.h"
#include "trace.h"

const struct cs_glue *
cs_mech_glue(OM_uint32 *minor)
{
    const struct cs_glue *g = cs_glue();

    if (g == NULL) {
        *minor = CREDSSP_S_INTERNAL;
    }
    return g;
}

OM_uint32
cs_major(cs_err err)
{
    const struct cs_err_info *e = cs_err_info(err);

    return e != NULL ? e->major : GSS_S_FAILURE;
}

OM_uint32
cs_status(OM_uint32 *minor, cs_err err)
{
    *minor = err;
    return cs_major(err);
}

cs_err
cs_copy_out(gss_buffer_t out, const void *data, size_t len)
{
    if (out == GSS_C_NO_BUFFER) {
        return CS_OK;
    }
    out->length = 0;
    out->value = NULL;
    if (len == 0) {
        return CS_OK;
    }
    out->value = malloc(len);
    if (out->value == NULL) {
        return CREDSSP_S_NOMEM;
    }
    memcpy(out->value, data, len);
    out->length = len;
    return CS_OK;
}

void
cs_move_out(gss_buffer_t out, cs_blob *b)
{
    if (out == GSS_C_NO_BUFFER) {
        cs_blob_free_secret(b);
        return;
    }
    out->length = b->len;
    out->value = b->len > 0 ? b->data : NULL;
    if (b->len == 0) {
        free(b->data);
    }
    b->data = NULL;
    b->len = 0;
}

/* A thread-local guard: forwarding a code that is not ours to the
 * mechglue must never come back here for the same code. */
static __thread int in_display_status;

CS_EXPORT OM_uint32
gss_display_status(OM_uint32 *minor_status, OM_uint32 status_value,
                   int status_type, gss_OID mech_type,
                   OM_uint32 *message_context, gss_buffer_t status_string)
{
    const struct cs_glue *g = cs_glue();
    const char *text;
    OM_uint32 major;

    if (minor_status == NULL || message_context == NULL ||
        status_string == GSS_C_NO_BUFFER) {
        return GSS_S_CALL_INACCESSIBLE_WRITE;
    }
    *minor_status = 0;
    text = status_type == GSS_C_MECH_CODE ? cs_err_text(status_value)
                                          : NULL;
    if (status_value == CREDSSP_S_CONFIG && cs_config_error() != NULL) {
        text = cs_config_error();
    } else if (text != NULL && cs_err_detail(status_value) != NULL) {
        text = cs_err_detail(status_value);
    }
    if (text != NULL) {
        *message_context = 0;
        /* With a NUL the length does not count, as MIT's own mechs give
         * it: Cyrus SASL's GS2 strcat()s the value. */
        if (cs_copy_out(status_string, text, strlen(text) + 1) != CS_OK) {
            *minor_status = CREDSSP_S_NOMEM;
            return GSS_S_FAILURE;
        }
        status_string->length--;
        return GSS_S_COMPLETE;
    }
    if (g == NULL || in_display_status) {
        return GSS_S_BAD_STATUS;
    }
    /* Inner minor codes (already mapped by the mechglue) and GSS codes. */
    in_display_status = 1;
    major = g->display_status(minor_status, status_value, status_type,
                              GSS_C_NO_OID, message_context, status_string);
    in_display_status = 0;
    return major;
}

/* RFC 5587 mechanism attributes: 1.3.6.1.5.5.13.N. */
#define MA(n) { 7, (void *)("\x2b\x06\x01\x05\x05\x0d" n) }
static gss_OID_desc ma_attrs[] = {
    MA("\x03"),                   /* GSS_C_MA_MECH_COMPOSITE */
    MA("\x08"),                   /* GSS_C_MA_NOT_DFLT_MECH */
    MA("\x0a"),                   /* GSS_C_MA_AUTH_INIT */
    MA("\x0b"),                   /* GSS_C_MA_AUTH_TARG */
    MA("\x0c"),                   /* GSS_C_MA_AUTH_INIT_INIT */
    MA("\x10"),                   /* GSS_C_MA_DELEG_CRED */
    MA("\x11"),                   /* GSS_C_MA_INTEG_PROT */
    MA("\x12"),                   /* GSS_C_MA_CONF_PROT */
    MA("\x14"),                   /* GSS_C_MA_WRAP */
    MA("\x16"),                   /* GSS_C_MA_REPLAY_DET */
    MA("\x17"),                   /* GSS_C_MA_OOS_DET */
    MA("\x18"),                   /* GSS_C_MA_CBINDINGS */
};
/* GSS_CREDSSP_GS2_MECH's one more: its first token is always framed. */
static gss_OID_desc ma_itok_framed = MA("\x09");
#undef MA

/*
 * gss_inquire_attrs_for_mech: the set of doc/design.md 3.4, for both OIDs, and
 * GSS_C_MA_ITOK_FRAMED for GSS_CREDSSP_GS2_MECH only.  NOT_DFLT_MECH keeps
 * SPNEGO from ever offering either (no CredSSP in SPNEGO in CredSSP) and
 * keeps them out of default credentials.  Called re-entrantly from inside
 * our own init (SPNEGO lists mechs): takes no lock.
 */
CS_EXPORT OM_uint32
gss_inquire_attrs_for_mech(OM_uint32 *minor_status, gss_const_OID mech,
                           gss_OID_set *mech_attrs,
                           gss_OID_set *known_mech_attrs)
{
    const struct cs_glue *g = cs_glue();
    gss_OID_set *sets[1] = { mech_attrs };
    OM_uint32 major = GSS_S_COMPLETE, tmp;
    size_t i, j;

    *minor_status = 0;
    if (g == NULL) {
        *minor_status = CREDSSP_S_INTERNAL;
        return GSS_S_FAILURE;
    }
    /* known_mech_attrs: none of our own; the mechglue adds its list. */
    if (known_mech_attrs != NULL) {
        *known_mech_attrs = GSS_C_NO_OID_SET;
    }
    for (i = 0; i < 1 && major == GSS_S_COMPLETE; i++) {
        if (sets[i] == NULL) {
            continue;
        }
        major = g->create_empty_oid_set(minor_status, sets[i]);
        for (j = 0; j < sizeof(ma_attrs) / sizeof(ma_attrs[0]) &&
                    major == GSS_S_COMPLETE;
             j++) {
            major = g->add_oid_set_member(minor_status, &ma_attrs[j],
                                          sets[i]);
        }
        if (major == GSS_S_COMPLETE &&
            cs_oid_equal(mech, &cs_oid_credssp_gs2)) {
            major = g->add_oid_set_member(minor_status, &ma_itok_framed,
                                          sets[i]);
        }
    }
    if (major != GSS_S_COMPLETE && mech_attrs != NULL) {
        g->release_oid_set(&tmp, mech_attrs);
    }
    return major;
}

/*
 * gss_internal_release_oid: our OIDs are static; tell the mechglue not to
 * free them.
 */
CS_EXPORT OM_uint32
gss_internal_release_oid(OM_uint32 *minor_status, gss_OID *oid)
{
    *minor_status = 0;
    if (oid != NULL &&
        (*oid == &cs_oid_credssp || *oid == &cs_oid_credssp_gs2 ||
         cs_is_static_name_type(*oid))) {
        *oid = GSS_C_NO_OID;
        return GSS_S_COMPLETE;
    }
    return GSS_S_CONTINUE_NEEDED;
}

/*
 * gss_inquire_saslname_for_mech: GSS_CREDSSP_GS2_MECH's SASL name is the
 * one RFC 5801 derives from its OID, which MIT's mechglue computes when a
 * mechanism answers GSS_S_UNAVAILABLE.  GSS_CREDSSP_MECH has none: its
 * first token is bare, so a GS2 client would flag it non-standard and a
 * GS2 server on MIT's mechglue could not route it; without a name, GS2
 * implementations (Cyrus SASL's gs2 plugin) leave it out instead of
 * offering a mechanism that cannot work.
 */
CS_EXPORT OM_uint32
gss_inquire_saslname_for_mech(OM_uint32 *minor_status,
                              const gss_OID desired_mech,
                              gss_buffer_t sasl_mech_name,
                              gss_buffer_t mech_name,
                              gss_buffer_t mech_description)
{
    (void)sasl_mech_name;
    (void)mech_name;
    (void)mech_description;
    if (minor_status == NULL) {
        return GSS_S_CALL_INACCESSIBLE_WRITE;
    }
    *minor_status = 0;
    if (cs_oid_equal(desired_mech, &cs_oid_credssp_gs2)) {
        return GSS_S_UNAVAILABLE;
    }
    *minor_status = CREDSSP_S_UNSUPPORTED_OPTION;
    return GSS_S_BAD_MECH;
}

/*
 * gssspi_mech_invoke: process-wide operations through MIT's
 * gssspi_mech_invoke(GSS_CREDSSP_MECH, object, value).  The only one is
 * GSS_CREDSSP_INVOKE_TRACE: value names the trace file (on) or is empty
 * (off), for a long-running process whose environment cannot change.
 */
CS_EXPORT OM_uint32
gssspi_mech_invoke(OM_uint32 *minor_status, const gss_OID desired_mech,
                   const gss_OID desired_object, gss_buffer_t value)
{
    char *path = NULL;
    cs_err err;

    if (minor_status == NULL) {
        return GSS_S_CALL_INACCESSIBLE_WRITE;
    }
    if (!cs_oid_equal(desired_object, GSS_CREDSSP_INVOKE_TRACE)) {
        return cs_status(minor_status, CREDSSP_S_UNSUPPORTED_OPTION);
    }
    if (value == GSS_C_NO_BUFFER || value->length == 0) {
        return cs_status(minor_status, cs_trace_set_file(NULL));
    }
    if (value->value == NULL || value->length > 4096 ||
        memchr(value->value, '\0', value->length) != NULL) {
        return cs_status(minor_status, CREDSSP_S_BAD_OPTION_VALUE);
    }
    path = malloc(value->length + 1);
    if (path == NULL) {
        return cs_status(minor_status, CREDSSP_S_NOMEM);
    }
    memcpy(path, value->value, value->length);
    path[value->length] = '\0';
    err = cs_trace_set_file(path);
    free(path);
    return cs_status(minor_status, err);
}
