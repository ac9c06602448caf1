/* SPDX-License-Identifier: MIT */
/*
 * tlsalert.h - a fatal TLS alert on an established connection, built
 * beside OpenSSL's record layer.
 *
 * A failed logon ends, at every CredSSP version, the way Windows ends it:
 * with a fatal access_denied alert (after errorCode where the version has
 * one).  OpenSSL 3.0 has no public call that sends an alert of our choice
 * on an established connection (ssl3_send_alert is internal; a proposed
 * SSL_send_alert was never merged), so the record is sealed here with
 * OpenSSL's primitives: the write keys come from the TLS 1.3 traffic
 * secret OpenSSL hands the key-log callback, or from the TLS 1.2 master
 * secret and randoms (TLS1-PRF), and the sequence number from counting
 * the record headers OpenSSL's message callback reports.  AEAD suites
 * only (AES-GCM, AES-CCM, ChaCha20-Poly1305); elsewhere, or when the keys
 * changed in a way not followed (a KeyUpdate), there is no record and the
 * caller sends a close_notify instead.
 */
#ifndef CS_TLSALERT_H
#define CS_TLSALERT_H

#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "cs.h"

/* What the callbacks learn about our own write direction. */
struct cs_alert_keys {
    uint8_t secret[EVP_MAX_MD_SIZE]; /* TLS 1.3 application write traffic
                                      * secret (secret) */
    size_t secret_len;
    uint64_t write_seq;           /* records written under the current
                                   * write keys */
    bool counting;                /* write_seq started with those keys */
    bool lost;                    /* keys changed in a way not followed */
};

/* cs_alert_on_keylog: the key-log callback's line; keeps our own TLS 1.3
 * application write secret (server: SERVER_TRAFFIC_SECRET_0). */
void cs_alert_on_keylog(struct cs_alert_keys *k, bool server,
                        const char *line);

/* cs_alert_on_msg: the message callback's report; counts the records we
 * write and notices where our write keys change. */
void cs_alert_on_msg(struct cs_alert_keys *k, int write_p, int version,
                     int content_type, const void *buf, size_t len);

/* cs_alert_record: the fatal alert `desc` as the next record of our
 * write direction, into *out (empty on entry).  CREDSSP_S_UNSUPPORTED_OPTION
 * when it cannot be built (no AEAD suite, keys unknown): the caller falls
 * back to a close_notify. */
cs_err cs_alert_record(struct cs_alert_keys *k, SSL *ssl, uint8_t desc,
                       cs_blob *out) CS_WUR;

/* cs_alert_keys_wipe: forgets the secret. */
void cs_alert_keys_wipe(struct cs_alert_keys *k);

#endif /* CS_TLSALERT_H */
