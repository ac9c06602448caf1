/* SPDX-License-Identifier: MIT */
/*
 * glue.h - the mechglue functions the engine calls, resolved once.
 *
 * The plugin exports gss_init_sec_context and friends and must also call
 * the mechglue's functions of the same names (for the inner SPNEGO, krb5
 * and NTLM work).  A direct call would bind to our own export when the host
 * loaded libgssapi_krb5 with RTLD_LOCAL and recurse forever, so every call
 * goes through this table, filled by dlopen(RTLD_NOLOAD) + dlsym under
 * pthread_once.  glue.c fills it; inner.c (the inner contexts and
 * credentials, and for cred.c and engine.c the names and credentials they
 * import, display or release and the Kerberos ticket stored for delegated
 * credentials), ident.c (the authenticated name's text) and mech/ call
 * through it (doc/design.md 1).
 */
#ifndef CS_GLUE_H
#define CS_GLUE_H

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>

#include "cs.h"

#define CS_GLUE_FN(name) __typeof__(gss_##name) *name

struct cs_glue {
    CS_GLUE_FN(acquire_cred);
    CS_GLUE_FN(acquire_cred_with_password);
    CS_GLUE_FN(acquire_cred_from);
    CS_GLUE_FN(add_cred);
    CS_GLUE_FN(release_cred);
    CS_GLUE_FN(inquire_cred);
    CS_GLUE_FN(inquire_cred_by_mech);
    CS_GLUE_FN(set_neg_mechs);
    CS_GLUE_FN(set_cred_option);
    CS_GLUE_FN(init_sec_context);
    CS_GLUE_FN(accept_sec_context);
    CS_GLUE_FN(delete_sec_context);
    CS_GLUE_FN(inquire_context);
    CS_GLUE_FN(context_time);
    CS_GLUE_FN(wrap);
    CS_GLUE_FN(unwrap);
    CS_GLUE_FN(import_name);
    CS_GLUE_FN(display_name);
    CS_GLUE_FN(release_name);
    CS_GLUE_FN(compare_name);
    CS_GLUE_FN(duplicate_name);
    CS_GLUE_FN(canonicalize_name);
    CS_GLUE_FN(localname);
    CS_GLUE_FN(display_status);
    CS_GLUE_FN(release_buffer);
    CS_GLUE_FN(create_empty_oid_set);
    CS_GLUE_FN(add_oid_set_member);
    CS_GLUE_FN(release_oid_set);
    CS_GLUE_FN(create_empty_buffer_set);
    CS_GLUE_FN(add_buffer_set_member);
    CS_GLUE_FN(release_buffer_set);
    CS_GLUE_FN(decapsulate_token);
    CS_GLUE_FN(inquire_names_for_mech);
    CS_GLUE_FN(store_cred_into);
};

#undef CS_GLUE_FN

/*
 * cs_glue: the table, or NULL when libgssapi_krb5 is not loaded in this
 * process or lacks a function (then nothing can work; callers fail with
 * CREDSSP_S_INTERNAL).
 */
const struct cs_glue *cs_glue(void);

/* OIDs the engine names; defined here because the mechglue's exported OID
 * variables may not be linked from a plugin. */
extern const gss_OID_desc cs_oid_spnego;
extern const gss_OID_desc cs_oid_krb5;
extern const gss_OID_desc cs_oid_ntlmssp;
extern const gss_OID_desc cs_oid_nt_user_name;
extern const gss_OID_desc cs_oid_nt_anonymous;
extern const gss_OID_desc cs_oid_nt_hostbased_service;
extern const gss_OID_desc cs_oid_credssp;
extern const gss_OID_desc cs_oid_credssp_gs2;

/* cs_oid_equal: whether two OIDs are the same (NULL equals only NULL). */
bool cs_oid_equal(gss_const_OID a, gss_const_OID b);

/* cs_mech_oid: our static copy of oid when it names one of the two
 * mechanisms this module registers (GSS_CREDSSP_MECH or
 * GSS_CREDSSP_GS2_MECH), else NULL. */
const gss_OID_desc *cs_mech_oid(gss_const_OID oid);

#endif /* CS_GLUE_H */
