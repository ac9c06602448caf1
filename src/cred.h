/* SPDX-License-Identifier: MIT */
/*
 * cred.h - CredSSP credentials: what a credential handle of ours holds,
 * made at first use into an inner credential and a TLS context.
 */
#ifndef CS_CRED_H
#define CS_CRED_H

#include <pthread.h>

#include <openssl/ssl.h>

#include "inner.h"
#include "settings.h"
#include "tsrequest.h"

/* A CredSSP credential.  Reference-counted: a context keeps the
 * credential it was made with alive. */
struct cs_cred {
    int refs;
    pthread_mutex_t lock;         /* guards the lazy cs_cred_finish */
    bool finished;
    gss_cred_usage_t usage;
    gss_name_t name;              /* mechglue union name, or NO_NAME */
    bool has_password;
    struct cs_password_creds pw;  /* domain, user, password (secret) */
    gss_cred_id_t inner;          /* mechglue union credential */
    enum cs_inner_mode mode;      /* initiator: as resolved */
    OM_uint32 inner_time;
    struct cs_settings set;
    gss_key_value_set_desc store; /* the other mechs' cred-store keys */
    SSL_CTX *ssl_ctx;
    /* Initiator: smart card or Remote Guard credentials to send instead
     * of the password (cred_type 0: none). */
    struct cs_tscredentials send;
    /* A delegated credential (from the acceptor). */
    bool delegated;
    bool delegated_empty;
    struct cs_tscredentials deleg;
    char *store_principal;        /* the Kerberos principal a ticket is
                                   * stored for (ident.h) */
};

cs_err cs_cred_new(gss_cred_usage_t usage, struct cs_cred **out) CS_WUR;
struct cs_cred *cs_cred_ref(struct cs_cred *c);
void cs_cred_unref(struct cs_cred *c);

/* cs_cred_set_password: user/domain (from the name's text: user@REALM,
 * DOMAIN\user or user) and the password for delegation. */
cs_err cs_cred_set_password(struct cs_cred *c, const char *name_text,
                            const char *password) CS_WUR;

/* cs_cred_delegated_password: makes a delegated password credential
 * usable as an initiator credential: name (user@REALM, DOMAIN\user or
 * user) and the delegated password; principal is what
 * cs_cred_store_krb5 gets a ticket for (both from cs_ident_names). */
cs_err cs_cred_delegated_password(struct cs_cred *c, const char *name,
                                  const char *principal) CS_WUR;

/* cs_cred_set_creds_key: one "smartcard_*" or "remote_guard_*" key (the
 * cred-store key without "credssp_"): the credentials an initiator sends
 * in place of its password.  CREDSSP_S_UNSUPPORTED_OPTION for other
 * names; CREDSSP_S_CRED_IN_USE once the credential was used. */
cs_err cs_cred_set_creds_key(struct cs_cred *c, const char *name,
                             const char *value) CS_WUR;

/* cs_cred_store_krb5: obtains a TGT for the credential's store_principal
 * with the delegated password and stores it where cred_store says (its
 * "ccache" key), as gss_store_cred_into does for krb5.
 * CREDSSP_S_STORE_FAILED with krb5's reason in the detail text when the
 * KDC does not give one; CREDSSP_S_CCACHE_IN_USE when the cache holds
 * another principal's credentials (never replaced) or, without
 * overwrite, any. */
cs_err cs_cred_store_krb5(struct cs_cred *c, OM_uint32 overwrite,
                          OM_uint32 default_cred,
                          gss_const_key_value_set_t cred_store) CS_WUR;

/* cs_cred_add_store: keeps a copy of one cred-store element to pass to
 * the inner mechs. */
cs_err cs_cred_add_store(struct cs_cred *c, const char *key,
                         const char *value) CS_WUR;

/* cs_cred_finish: acquires the inner credential and the TLS context once
 * the settings are final (at first use). */
cs_err cs_cred_finish(struct cs_cred *c) CS_WUR;

/* cs_cred_set_option: changes a setting (CREDSSP_S_UNSUPPORTED_OPTION,
 * CREDSSP_S_BAD_OPTION_VALUE as cs_settings_set); CREDSSP_S_CRED_IN_USE
 * once cs_cred_finish has made the credential's inner parts. */
cs_err cs_cred_set_option(struct cs_cred *c, const char *name,
                          const char *value) CS_WUR;

#endif /* CS_CRED_H */
