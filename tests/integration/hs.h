/* SPDX-License-Identifier: MIT */
/*
 * hs.h - an in-process CredSSP handshake between an initiator and an
 * acceptor, both through the real mechglue (GSS_MECH_CONFIG names the
 * module built here), for the integration tests.
 */
#ifndef HS_H
#define HS_H

#include <stdbool.h>
#include <stddef.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>

#include "gssapi/gssapi_credssp.h"

/* A credential option for hs_opts' extra lists (oid NULL ends a list). */
struct hs_opt {
    gss_OID oid;
    const char *value;
};

struct hs_opts {
    const char *user;             /* NULL: CREDSSP_TEST_USER */
    const char *password;         /* NULL: CREDSSP_TEST_PASSWORD */
    bool no_password;             /* default credentials (ccache) */
    const char *mech;             /* credssp_inner_mech, NULL: default */
    const char *tls_max;          /* "1.2" / "1.3", NULL: default */
    const char *init_max_version; /* NULL: default */
    const char *init_min_version;
    const char *acc_max_version;
    const char *acc_min_version;
    const char *ntlm_deleg;       /* allow NTLM-only delegation patterns */
    const char *init_oracle;      /* encryption_oracle of each side */
    const char *acc_oracle;
    const char *target;           /* host-based name, NULL: TERMSRV@localhost */
    OM_uint32 req_flags;          /* besides CONF|INTEG */
    size_t split;                 /* feed tokens in pieces of this size */
    gss_cred_id_t init_cred;      /* use this initiator credential */
    gss_cred_id_t acc_cred;       /* use this acceptor credential */
    bool keep_deleg;              /* return the delegated handle */
    bool keep_ctx;                /* return both contexts and src name */
    const char *frame;            /* frame_initial_token patterns */
    gss_OID mech_oid;             /* NULL: GSS_CREDSSP_MECH */
    bool raw_first;               /* acceptor gets the first token as is */
    const char *init_cb;          /* channel-binding application data */
    const char *acc_cb;
    struct hs_opt init_extra[4];  /* more options of each side's own */
    struct hs_opt acc_extra[4];   /* credential */
};

struct hs_result {
    OM_uint32 init_major, init_minor;
    OM_uint32 acc_major, acc_minor;
    int legs;                     /* tokens exchanged, both ways */
    size_t bytes_c2s, bytes_s2c;
    OM_uint32 init_flags, acc_flags;
    char src_name[256];
    bool delegated;
    char deleg_domain[128], deleg_user[128], deleg_password[128];
    char version[8];
    char inner_mech[64];          /* "kerberos", "ntlm" or hex */
    char tls_version[16];
    char cipher[64];
    int incomplete_calls;         /* DEFECTIVE_TOKEN+INCOMPLETE answers */
    char init_error[512];
    char acc_error[512];
    gss_cred_id_t deleg;          /* with keep_deleg; caller releases */
    OM_uint32 acc_time;           /* time_rec of the acceptor */
    gss_ctx_id_t ictx, actx;      /* with keep_ctx; caller deletes */
    gss_name_t src;               /* with keep_ctx; caller releases */
    unsigned char first_byte;     /* of the initiator's first token */
};

/* hs_run: one handshake; returns 0 when both sides completed. */
int hs_run(const struct hs_opts *opts, struct hs_result *res);

/* hs_run_verbose: hs_run, printing both sides' errors when it fails. */
int hs_run_verbose(const struct hs_opts *opts, struct hs_result *res);

/* hs_release: what keep_ctx kept: both contexts and the source name. */
void hs_release(struct hs_result *res);

/* hs_kinit: `kinit CREDSSP_TEST_USER` with its password into the default
 * ccache (a Check assertion fails otherwise). */
void hs_kinit(void);

/* hs_init_cred, hs_acc_cred: the CredSSP credential of each side that
 * opts asks for (the user's password, the options set on it). */
OM_uint32 hs_init_cred(const struct hs_opts *opts, gss_cred_id_t *cred,
                       OM_uint32 *minor);
OM_uint32 hs_acc_cred(const struct hs_opts *opts, gss_cred_id_t *cred,
                      OM_uint32 *minor);

/* hs_status_text: the major and minor texts of a status, for messages. */
void hs_status_text(OM_uint32 major, OM_uint32 minor, char *buf,
                    size_t len);

/* hs_self_signed: a self-signed certificate for key, CN=localhost, valid
 * for an hour (NULL on failure). */
struct x509_st;
struct evp_pkey_st;
struct x509_st *hs_self_signed(struct evp_pkey_st *key);

/* hs_cert_named: the same with the given CN (UTF-8, any bytes) and, when
 * san_dns is not NULL, a subjectAltName of that one dNSName. */
struct x509_st *hs_cert_named(struct evp_pkey_st *key, const char *cn,
                              const char *san_dns);

/* hs_write_pem: cert (and key, when key_path is not NULL) as PEM files;
 * Check assertions on failure. */
void hs_write_pem(struct x509_st *cert, struct evp_pkey_st *key,
                  const char *cert_path, const char *key_path);

/* hs_main: runs a Check suite, frees it; the exit status for main. */
struct Suite;
int hs_main(struct Suite *s);

/* hs_env: an environment variable the fixture set, or "" */
const char *hs_env(const char *name);

/* hs_read_file: the whole file as a string (caller frees); a Check
 * failure when it cannot be read. */
char *hs_read_file(const char *path);

/* hs_inner_mech_name: a CredSSP context's inner mech as a word
 * ("kerberos", "ntlm", else the OID in hex), or "". */
void hs_inner_mech_name(gss_ctx_id_t ctx, char *buf, size_t len);

#endif /* HS_H */
