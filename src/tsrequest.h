/* SPDX-License-Identifier: MIT */
/*
 * tsrequest.h - the [MS-CSSP] 2.2.1 messages, encoded and decoded with
 * OpenSSL's ASN.1 templates, and the UTF-16LE text they carry.
 *
 * We encode DER.  Decoding takes DER with lengths in any definite form
 * (BER, as rdesktop writes them) and one trailing UTF-16 NUL on each
 * credential string; nothing else that is not DER: trailing bytes, wrong
 * tags, indefinite lengths, constructed strings, padded INTEGERs and
 * truncations are CREDSSP_S_BAD_DER.  Structures
 * own their memory; the _clear functions release it and wipe secret fields
 * (password, PIN, credential buffers, authInfo, nonce).
 */
#ifndef CS_TSREQUEST_H
#define CS_TSREQUEST_H

#include "cs.h"

/* CredSSP versions this engine speaks. */
#define CS_VERSION_MIN 2
#define CS_VERSION_MAX 6

#define CS_NONCE_LEN 32

/* TSRequest ([MS-CSSP] 2.2.1).  A field is present when its has_ flag is
 * set (negoTokens: when num_nego_tokens > 0). */
struct cs_tsrequest {
    uint32_t version;
    size_t num_nego_tokens;
    cs_blob *nego_tokens;
    bool has_auth_info;
    cs_blob auth_info;            /* secret: wrapped TSCredentials */
    bool has_pub_key_auth;
    cs_blob pub_key_auth;
    bool has_error_code;
    uint32_t error_code;          /* NTSTATUS, as the 32-bit pattern */
    bool has_client_nonce;
    cs_blob client_nonce;         /* secret */
};

/* cs_tsrequest_encode: DER of req into *out (empty on entry). */
cs_err cs_tsrequest_encode(const struct cs_tsrequest *req,
                           cs_blob *out) CS_WUR;

/* cs_tsrequest_decode: parses exactly in_len bytes into *out (zeroed on
 * entry; left zeroed on failure). */
cs_err cs_tsrequest_decode(const uint8_t *in, size_t in_len,
                           struct cs_tsrequest *out) CS_WUR;

/* cs_tsrequest_add_nego_token: appends a copy of a token to req. */
cs_err cs_tsrequest_add_nego_token(struct cs_tsrequest *req,
                                   const void *data, size_t len) CS_WUR;

/* cs_tsrequest_clear: releases every field (wiping the secret ones) and
 * zeroes req. */
void cs_tsrequest_clear(struct cs_tsrequest *req);

/* TSCredentials.credType values. */
enum cs_cred_type {
    CS_CRED_PASSWORD = 1,
    CS_CRED_SMARTCARD = 2,
    CS_CRED_REMOTE_GUARD = 6
};

/* TSPasswordCreds; text as NUL-terminated UTF-8, never NULL once decoded
 * (empty strings for empty fields). */
struct cs_password_creds {
    char *domain;
    char *user;
    char *password;               /* secret */
};

/* TSCspDataDetail; optional text fields are NULL when absent. */
struct cs_csp_data {
    int32_t key_spec;
    char *card_name;
    char *reader_name;
    char *container_name;
    char *csp_name;
};

/* TSSmartCardCreds. */
struct cs_smartcard_creds {
    char *pin;                    /* secret */
    struct cs_csp_data csp_data;
    char *user_hint;              /* NULL when absent */
    char *domain_hint;            /* NULL when absent */
};

/* TSRemoteGuardPackageCred: the package name is text, the buffer opaque. */
struct cs_remote_guard_package {
    char *package_name;
    cs_blob cred_buffer;          /* secret */
};

/* TSRemoteGuardCreds. */
struct cs_remote_guard_creds {
    struct cs_remote_guard_package logon_cred;
    bool has_supplemental;
    size_t num_supplemental;
    struct cs_remote_guard_package *supplemental;
};

/* TSCredentials with its credentials decoded according to credType. */
struct cs_tscredentials {
    enum cs_cred_type cred_type;
    union {
        struct cs_password_creds password;
        struct cs_smartcard_creds smartcard;
        struct cs_remote_guard_creds remote_guard;
    } u;
};

/* cs_tscredentials_encode: DER of TSCredentials into *out (secret). */
cs_err cs_tscredentials_encode(const struct cs_tscredentials *creds,
                               cs_blob *out) CS_WUR;

/* cs_tscredentials_decode: parses TSCredentials and the inner structure its
 * credType names; an unknown credType is CREDSSP_S_BAD_CRED_TYPE.  One
 * trailing U+0000 on a text field is dropped; any other is
 * CREDSSP_S_BAD_UTF16. */
cs_err cs_tscredentials_decode(const uint8_t *in, size_t in_len,
                               struct cs_tscredentials *out) CS_WUR;

/* cs_password_creds_clear: wipes and frees the three strings (the domain
 * and user name too: they say who the password is for) and zeroes pw.
 * The one wipe of password credentials, for messages and credentials
 * alike. */
void cs_password_creds_clear(struct cs_password_creds *pw);

/* cs_tscredentials_clear: releases and wipes everything; zeroes creds. */
void cs_tscredentials_clear(struct cs_tscredentials *creds);

/* cs_utf8_to_utf16le: converts len bytes of UTF-8 (no NUL needed) into
 * UTF-16LE without terminator.  Invalid UTF-8 (overlong forms, surrogates,
 * code points above U+10FFFF, truncated sequences) is CREDSSP_S_BAD_UTF16.
 * *out is empty on entry. */
cs_err cs_utf8_to_utf16le(const char *in, size_t len, cs_blob *out) CS_WUR;

/* cs_utf16le_to_utf8: converts len bytes of UTF-16LE into a NUL-terminated
 * UTF-8 string in *out.  An odd length, a lone surrogate or an embedded
 * U+0000 is CREDSSP_S_BAD_UTF16. */
cs_err cs_utf16le_to_utf8(const uint8_t *in, size_t len, char **out) CS_WUR;

#endif /* CS_TSREQUEST_H */
