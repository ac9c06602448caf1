/* SPDX-License-Identifier: MIT */
/*
 * settings.h - the settings of a credential and credssp.conf, the
 * process-wide defaults every credential starts from (config.c).
 */
#ifndef CS_SETTINGS_H
#define CS_SETTINGS_H

#include <stdio.h>

#include "cs.h"
#include "inner.h"
#include "tls.h"

enum cs_role { CS_INITIATOR, CS_ACCEPTOR };

/* Windows' "Encryption Oracle Remediation" levels (CVE-2018-0886). */
enum cs_oracle {
    CS_ORACLE_MITIGATED = 0,      /* initiators require 5; the default */
    CS_ORACLE_FORCE_UPDATED,      /* both roles require 5 */
    CS_ORACLE_VULNERABLE          /* both roles take 2 */
};

/* Limits on what a peer can make us do ([credssp.conf(5)]). */
#define CS_DEFAULT_MAX_TOKEN 65536
#define CS_MAX_MAX_TOKEN (16 * 1024 * 1024)
#define CS_DEFAULT_MAX_LEGS 16

/* Settings of one credential: defaults, then credssp.conf, then cred-store
 * keys, then gss_set_cred_option. */
struct cs_settings {
    enum cs_inner_mode inner_mode;
    uint32_t min_version;         /* 0: from the oracle level */
    enum cs_oracle oracle;        /* Encryption Oracle Remediation level */
    uint32_t max_version;         /* 0: CS_VERSION_MAX */
    struct cs_tls_settings tls;
    size_t max_token;             /* 0: CS_DEFAULT_MAX_TOKEN */
    unsigned max_legs;            /* 0: CS_DEFAULT_MAX_LEGS */
    bool restricted_admin;        /* initiator: never send the password */
    bool allow_other_user;        /* acceptor: take delegated credentials
                                   * of another user than the inner
                                   * authentication's */
    char *ntlm_deleg;             /* patterns, comma-separated; NULL: none */
    char *deleg;                  /* patterns; NULL: "*" */
    char *frame_initial;          /* patterns; NULL: never frame */
    char *cert_file;
    char *key_file;
};

/* cs_settings_load: the built-in defaults, then credssp.conf. */
cs_err cs_settings_load(struct cs_settings *s) CS_WUR;

/* cs_settings_set: applies one setting by its name (credssp.conf's, the
 * cred-store key without "credssp_"); CREDSSP_S_UNSUPPORTED_OPTION for an
 * unknown name, CREDSSP_S_BAD_OPTION_VALUE for a bad value. */
cs_err cs_settings_set(struct cs_settings *s, const char *name,
                       const char *value) CS_WUR;

/* cs_settings_renamed: the name of the setting that old (a deprecated
 * cred-store key without "credssp_", refused in credssp.conf) stands for,
 * or NULL when old is no such name. */
const char *cs_settings_renamed(const char *old);

void cs_settings_clear(struct cs_settings *s);
cs_err cs_settings_copy(struct cs_settings *dst,
                        const struct cs_settings *src) CS_WUR;

/* The effective minimum version for a role. */
uint32_t cs_settings_min_version(const struct cs_settings *s,
                                 enum cs_role role);
uint32_t cs_settings_max_version(const struct cs_settings *s);

/* cs_settings_check: whether the settings agree with each other for a
 * role (a minimum version above the maximum, CredSSP's or TLS's, leaves
 * nothing to speak): CREDSSP_S_BAD_OPTION_VALUE with a text that names
 * them. */
cs_err cs_settings_check(const struct cs_settings *s,
                         enum cs_role role) CS_WUR;

/* cs_config_error: the text of the last configuration error (file and
 * line), or NULL. */
const char *cs_config_error(void);

/* cs_config_parse: applies the "name = value" lines of f (comments and
 * blank lines skipped) to *s.  The first bad line ends the parse:
 * CREDSSP_S_CONFIG, with "SEC_E_INTERNAL_ERROR: PATH:LINE: WHAT" in text.
 * s keeps what the lines before it set (the caller clears it). */
cs_err cs_config_parse(FILE *f, const char *path, struct cs_settings *s,
                       char *text, size_t text_len) CS_WUR;

#endif /* CS_SETTINGS_H */
