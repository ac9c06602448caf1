/* SPDX-License-Identifier: MIT */
/*
 * mech.h - the GSSAPI face of the mechanism: what the exported entry points
 * share.  Only mech/ turns a cs_err into major and minor status.
 */
#ifndef CS_MECH_H
#define CS_MECH_H

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>

#include "engine.h"

/* The entry points MIT's build_dynamicMech looks up by name. */
#define CS_EXPORT __attribute__((visibility("default")))

/* SPI-only entry points (no public prototype exists). */
OM_uint32 gssspi_acquire_cred_with_password(
    OM_uint32 *minor_status, const gss_name_t desired_name,
    const gss_buffer_t password, OM_uint32 time_req,
    const gss_OID_set desired_mechs, int cred_usage,
    gss_cred_id_t *output_cred_handle, gss_OID_set *actual_mechs,
    OM_uint32 *time_rec);
OM_uint32 gssspi_set_cred_option(OM_uint32 *minor_status,
                                 gss_cred_id_t *cred_handle,
                                 const gss_OID desired_object,
                                 const gss_buffer_t value);
OM_uint32 gss_internal_release_oid(OM_uint32 *minor_status, gss_OID *oid);

/* cs_is_static_name_type: whether oid is one of the name-type OIDs our
 * gss_display_name hands out (gss_internal_release_oid keeps them). */
bool cs_is_static_name_type(gss_const_OID oid);

/* cs_mech_glue: the mechglue table, or NULL with *minor set. */
const struct cs_glue *cs_mech_glue(OM_uint32 *minor);

/* cs_major: the major status for one of our minor codes. */
OM_uint32 cs_major(cs_err err);

/* cs_status: sets *minor to err and returns its major status.  The
 * inner mech's own status never reaches the application as such: the
 * engine turned it into one of our codes, with its text in the detail. */
OM_uint32 cs_status(OM_uint32 *minor, cs_err err);

/* cs_copy_out: copies bytes into a caller-owned gss_buffer_t (NULL-safe). */
cs_err cs_copy_out(gss_buffer_t out, const void *data, size_t len);

/* cs_move_out: hands b's bytes (malloc'ed, as cs_copy_out's are) to a
 * caller-owned gss_buffer_t without copying; b becomes empty.  With no
 * buffer, b is wiped and freed. */
void cs_move_out(gss_buffer_t out, cs_blob *b);

#endif /* CS_MECH_H */
