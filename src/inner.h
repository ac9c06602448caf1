/* SPDX-License-Identifier: MIT */
/*
 * inner.h - the inner authentication: SPNEGO, Kerberos or NTLM contexts
 * and credentials, and the names and Kerberos tickets cred.c and engine.c
 * need, reached through the mechglue table (glue.h), which ident.c and
 * mech/ also call (glue.h lists what for).
 */
#ifndef CS_INNER_H
#define CS_INNER_H

#include "glue.h"

enum cs_inner_mode {
    CS_MECH_AUTO = 0,
    CS_MECH_SPNEGO,
    CS_MECH_KERBEROS,
    CS_MECH_NTLM
};

/* One inner security context. */
struct cs_inner {
    gss_ctx_id_t ctx;
    gss_OID_desc actual_mech;     /* copy of the negotiated mech's OID */
    uint8_t actual_mech_bytes[16];
    bool complete;
    OM_uint32 ret_flags;
    OM_uint32 time_rec;
    gss_name_t src_name;          /* acceptor: the authenticated name */
    gss_cred_id_t deleg_cred;     /* acceptor: inner delegation, unused */
    gss_cred_id_t u2u_cred;       /* acceptor: SPNEGO offering only NTLM,
                                   * for a user-to-user first token */
    gss_channel_bindings_t cb;    /* the caller's, during one call only */
    bool padded_negotiate;        /* acceptor: the client's NTLM NEGOTIATE
                                   * had no Version; gss-ntlmssp got it
                                   * padded (ntlm.h) */
};

/* cs_inner_acquire_initiator: the inner credential for the initiator, in
 * the given mode (AUTO resolved to SPNEGO or NTLM; the mode really used
 * comes back in *mode_out).  password may be NULL (default credentials:
 * ccache, NTLM_USER_FILE).  A KDC that refuses the password is
 * CREDSSP_S_LOGON_FAILED, anything else CREDSSP_S_NO_INNER_CRED, each
 * with the inner mech's reason in its detail text (cs_err_detail). */
cs_err cs_inner_acquire_initiator(gss_name_t name, const char *password,
                                  enum cs_inner_mode mode,
                                  gss_const_key_value_set_t store,
                                  gss_cred_id_t *out,
                                  enum cs_inner_mode *mode_out,
                                  OM_uint32 *time_rec) CS_WUR;

/* cs_inner_acquire_acceptor: a union credential for SPNEGO, Kerberos and
 * NTLM, so that SPNEGO, raw AP-REQ and raw NTLMSSP tokens are accepted. */
cs_err cs_inner_acquire_acceptor(gss_name_t name,
                                 gss_const_key_value_set_t store,
                                 gss_cred_id_t *out,
                                 OM_uint32 *time_rec) CS_WUR;

/* cs_inner_cred_lifetime: the seconds an inner credential has left, as
 * the mechglue reports them (0: expired); GSS_C_INDEFINITE when it cannot
 * say. */
OM_uint32 cs_inner_cred_lifetime(gss_cred_id_t cred);

/* cs_inner_cred_name: the name an inner credential holds (the default
 * principal of a default credential); GSS_C_NO_NAME when there is none. */
gss_name_t cs_inner_cred_name(gss_cred_id_t cred);

/* cs_inner_mode_mech: the OID init uses for a (resolved) mode. */
gss_OID cs_inner_mode_mech(enum cs_inner_mode mode);

/* cs_inner_init: one initiator step; in may be NULL on the first.  A
 * failure of the inner mech is one of our minor codes by its cause
 * (logon denied, undecodable token, no common mechanism, bindings), with
 * the inner mech's own message in its detail text. */
cs_err cs_inner_init(struct cs_inner *in_ctx, gss_cred_id_t cred,
                     gss_name_t target, enum cs_inner_mode mode,
                     const cs_blob *in, cs_blob *out) CS_WUR;

/* cs_inner_accept: one acceptor step; failures as for cs_inner_init. */
cs_err cs_inner_accept(struct cs_inner *in_ctx, gss_cred_id_t cred,
                       const cs_blob *in, cs_blob *out) CS_WUR;

/* cs_inner_can_wrap: whether wrap/unwrap work yet (complete, or the inner
 * mech said its protection is ready). */
bool cs_inner_can_wrap(const struct cs_inner *in_ctx);

/* cs_inner_is_ntlm / cs_inner_is_krb5: the negotiated mech. */
bool cs_inner_is_ntlm(const struct cs_inner *in_ctx);
bool cs_inner_is_krb5(const struct cs_inner *in_ctx);

/* cs_inner_wrap / cs_inner_unwrap: confidentiality-protected, as pubKeyAuth
 * and authInfo need.  Unwrapped output may be secret: free it with
 * cs_blob_free_secret. */
cs_err cs_inner_wrap(struct cs_inner *in_ctx, const uint8_t *msg,
                     size_t len, cs_blob *out) CS_WUR;
cs_err cs_inner_unwrap(struct cs_inner *in_ctx, const uint8_t *msg,
                       size_t len, cs_blob *out) CS_WUR;

/* cs_inner_initiator_realm: the realm of the initiator's Kerberos
 * principal (what Windows puts in TSPasswordCreds.domainName when the user
 * gave no domain); *out NULL when the inner mech is not Kerberos. */
cs_err cs_inner_initiator_realm(struct cs_inner *in_ctx, char **out) CS_WUR;

/* cs_inner_drop: once CredSSP is complete, nothing uses the inner
 * context again (messages are protected by TLS): deletes it and any
 * inner delegated credential, keeping the authenticated name, the mech
 * and the flags. */
void cs_inner_drop(struct cs_inner *ic);

/* cs_inner_release: deletes the inner context and names. */
void cs_inner_release(struct cs_inner *in_ctx);

/* cs_inner_release_name / cs_inner_release_cred: release a union name or
 * credential (nothing for GSS_C_NO_NAME / GSS_C_NO_CREDENTIAL). */
void cs_inner_release_name(gss_name_t *name);
void cs_inner_release_cred(gss_cred_id_t *cred);

/* cs_inner_user_name: text imported as a GSS_C_NT_USER_NAME union name;
 * CREDSSP_S_BAD_NAME when the mechglue refuses it. */
cs_err cs_inner_user_name(const char *text, gss_name_t *out) CS_WUR;

/* cs_inner_duplicate_name: a copy of a union name; CREDSSP_S_BAD_NAME when
 * it cannot be made. */
cs_err cs_inner_duplicate_name(gss_name_t name, gss_name_t *out) CS_WUR;

/* cs_inner_display_name: a name's text (*text, freed by the caller) and
 * whether its type is GSS_C_NT_HOSTBASED_SERVICE; CREDSSP_S_BAD_NAME when
 * it has no text. */
cs_err cs_inner_display_name(gss_name_t name, char **text,
                             bool *hostbased) CS_WUR;

/* cs_inner_store_krb5: obtains a TGT for principal with password and
 * stores it where cred_store says (its "ccache" key), as
 * gss_store_cred_into does for krb5.  CREDSSP_S_STORE_FAILED with krb5's
 * reason in the detail text when the KDC does not give one;
 * CREDSSP_S_CCACHE_IN_USE when the cache holds another principal's
 * credentials (never replaced) or, without overwrite, any. */
cs_err cs_inner_store_krb5(const char *principal, const char *password,
                           OM_uint32 overwrite, OM_uint32 default_cred,
                           gss_const_key_value_set_t cred_store) CS_WUR;

#endif /* CS_INNER_H */
