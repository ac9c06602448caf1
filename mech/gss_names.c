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

CS_EXPORT OM_uint32
gss_display_name(OM_uint32 *minor_status, gss_name_t input_name,
                 gss_buffer_t output_name_buffer, gss_OID *output_name_type)
{
    const struct cs_glue *g = cs_mech_glue(minor_status);

    if (g == NULL) {
        return GSS_S_FAILURE;
    }
    return g->display_name(minor_status, input_name, output_name_buffer,
                           output_name_type);
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
    static gss_OID_desc krb5_principal = {
        10, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\x01"
    };
    gss_OID types[3] = { (gss_OID)&cs_oid_nt_user_name,
                         (gss_OID)&cs_oid_nt_hostbased_service,
                         &krb5_principal };
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
