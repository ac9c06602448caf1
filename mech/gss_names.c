/* SPDX-License-Identifier: MIT */
/*
 * gss_names.c - names, the way MIT's SPNEGO does them: our internal name is
 * a mechglue union name, handed as it is to the inner mechanisms, and the
 * name accept returns is the inner authenticated name.
 */
#include "config.h"

#include "mech.h"

CS_EXPORT OM_uint32
gss_import_name(OM_uint32 *minor_status, gss_buffer_t input_name_buffer,
                gss_OID input_name_type, gss_name_t *output_name)
{
    const struct cs_glue *g = cs_mech_glue(minor_status);

    if (g == NULL) {
        return GSS_S_FAILURE;
    }
    return g->import_name(minor_status, input_name_buffer, input_name_type,
                          output_name);
}

/* The name types we hand out are static OIDs of ours: MIT 1.20's mechglue
 * keeps the pointer display_name returns and later gives it to
 * gss_release_oid, which frees it unless a mech's internal_release_oid
 * claims it (krb5 commit 15a8dea777 fixed that upstream in 2026). */
static const gss_OID_desc krb5_principal_name = {
    10, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\x01"
};
static const gss_OID_desc *const static_name_types[] = {
    &cs_oid_nt_user_name, &cs_oid_nt_hostbased_service,
    &krb5_principal_name
};

bool
cs_is_static_name_type(gss_const_OID oid)
{
    size_t i;

    for (i = 0; i < sizeof(static_name_types) / sizeof(*static_name_types);
         i++) {
        if (oid == static_name_types[i]) {
            return true;
        }
    }
    return false;
}

CS_EXPORT OM_uint32
gss_display_name(OM_uint32 *minor_status, gss_name_t input_name,
                 gss_buffer_t output_name_buffer, gss_OID *output_name_type)
{
    const struct cs_glue *g = cs_mech_glue(minor_status);
    gss_OID type = GSS_C_NO_OID;
    OM_uint32 major;
    size_t i;

    if (g == NULL) {
        return GSS_S_FAILURE;
    }
    major = g->display_name(minor_status, input_name, output_name_buffer,
                            &type);
    /* gss-ntlmssp (1.2.0, and its master still) counts the NUL that ends
     * its text in the length (DOMAIN\user\0): a caller that compares the
     * buffer with a string would never match.  A name has no NUL in it,
     * so none ends ours. */
    if (major == GSS_S_COMPLETE && output_name_buffer != GSS_C_NO_BUFFER) {
        const char *text = output_name_buffer->value;

        while (output_name_buffer->length > 0 &&
               text[output_name_buffer->length - 1] == '\0') {
            output_name_buffer->length--;
        }
    }
    if (output_name_type != NULL) {
        *output_name_type = GSS_C_NO_OID;
        for (i = 0;
             i < sizeof(static_name_types) / sizeof(*static_name_types);
             i++) {
            if (cs_oid_equal(type, static_name_types[i])) {
                *output_name_type = (gss_OID)static_name_types[i];
            }
        }
    }
    return major;
}

CS_EXPORT OM_uint32
gss_release_name(OM_uint32 *minor_status, gss_name_t *input_name)
{
    const struct cs_glue *g = cs_mech_glue(minor_status);

    if (g == NULL) {
        return GSS_S_FAILURE;
    }
    return g->release_name(minor_status, input_name);
}

CS_EXPORT OM_uint32
gss_compare_name(OM_uint32 *minor_status, gss_name_t name1,
                 gss_name_t name2, int *name_equal)
{
    const struct cs_glue *g = cs_mech_glue(minor_status);

    if (g == NULL) {
        return GSS_S_FAILURE;
    }
    return g->compare_name(minor_status, name1, name2, name_equal);
}

CS_EXPORT OM_uint32
gss_duplicate_name(OM_uint32 *minor_status, const gss_name_t input_name,
                   gss_name_t *dest_name)
{
    const struct cs_glue *g = cs_mech_glue(minor_status);

    if (g == NULL) {
        return GSS_S_FAILURE;
    }
    return g->duplicate_name(minor_status, input_name, dest_name);
}

CS_EXPORT OM_uint32
gss_localname(OM_uint32 *minor_status, const gss_name_t name,
              gss_const_OID mech_type, gss_buffer_t localname)
{
    const struct cs_glue *g = cs_mech_glue(minor_status);

    if (g == NULL) {
        return GSS_S_FAILURE;
    }
    /* The name is the inner mech's: let the mechglue ask it. */
    return g->localname(minor_status, name, GSS_C_NO_OID, localname);
}

CS_EXPORT OM_uint32
gss_inquire_names_for_mech(OM_uint32 *minor_status, gss_OID mechanism,
                           gss_OID_set *name_types)
{
    gss_OID types[3] = { (gss_OID)&cs_oid_nt_user_name,
                         (gss_OID)&cs_oid_nt_hostbased_service,
                         (gss_OID)&krb5_principal_name };
    const struct cs_glue *g = cs_mech_glue(minor_status);
    OM_uint32 major, tmp;
    size_t i;

    if (g == NULL) {
        return GSS_S_FAILURE;
    }

    major = g->create_empty_oid_set(minor_status, name_types);
    for (i = 0; i < 3 && major == GSS_S_COMPLETE; i++) {
        major = g->add_oid_set_member(minor_status, types[i], name_types);
    }
    if (major != GSS_S_COMPLETE) {
        g->release_oid_set(&tmp, name_types);
    }
    return major;
}
