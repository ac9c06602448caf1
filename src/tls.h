/* SPDX-License-Identifier: MIT */
/*
 * tls.h - the CredSSP TLS channel: OpenSSL over memory BIOs.
 *
 * [MS-CSSP] 3.1.5: TLS 1.2 or later, no client certificate, no session
 * resumption, each TSRequest in one unfragmented record.
 */
#ifndef CS_TLS_H
#define CS_TLS_H

#include <openssl/ssl.h>

#include "cs.h"

/* The largest TLS plaintext record, and so the largest TSRequest. */
#define CS_TLS_MAX_RECORD 16384

struct cs_tls;

/* The TLS settings of a credential (credssp.conf(5)). */
struct cs_tls_settings {
    int min_version;              /* 0: TLS 1.2 */
    int max_version;              /* 0: the highest OpenSSL offers */
    char *cipher_list;            /* TLS 1.2 ciphers; NULL: OpenSSL's */
    char *ciphersuites;           /* TLS 1.3 suites; NULL: OpenSSL's */
    bool verify;                  /* initiator: validate the certificate */
    bool keep_buffers;            /* keep the record buffers between
                                   * messages (tls_keep_buffers) */
    char *ca_file;                /* PEM trust anchors; NULL: system store */
};

/* cs_tls_client_ctx / cs_tls_server_ctx: a new SSL_CTX with our settings.
 * The server one uses cert/key (PEM files) or, when both are NULL, the
 * process's ephemeral self-signed certificate. */
cs_err cs_tls_client_ctx(const struct cs_tls_settings *s,
                         SSL_CTX **out) CS_WUR;
cs_err cs_tls_server_ctx(const struct cs_tls_settings *s,
                         const char *cert_file, const char *key_file,
                         SSL_CTX **out) CS_WUR;

/* cs_tls_check_ciphers: whether OpenSSL takes a cipher string (tls13:
 * a TLS 1.3 ciphersuites list), so that a bad one fails where it is set. */
bool cs_tls_check_ciphers(const char *list, bool tls13);

/* cs_tls_new: one TLS connection over memory BIOs.  host (may be NULL)
 * is the client's SNI and the name cs_tls_verify_peer checks. */
cs_err cs_tls_new(SSL_CTX *ctx, bool server, const char *host,
                  struct cs_tls **out) CS_WUR;
void cs_tls_free(struct cs_tls *t);

/* cs_tls_verify_peer: after the handshake, whether the server certificate
 * chains to the context's trust anchors and names the host given to
 * cs_tls_new: CREDSSP_S_UNTRUSTED_CERT or CREDSSP_S_WRONG_PRINCIPAL
 * otherwise, with a text naming the certificate (cs_err_detail). */
cs_err cs_tls_verify_peer(struct cs_tls *t) CS_WUR;

/* cs_tls_check_records: whether in holds only whole TLS records.  If the
 * last is cut short, CREDSSP_S_INCOMPLETE_MESSAGE and *missing_out says how
 * many bytes are missing (at least 1).  An empty token is complete.  A
 * record header that cannot be TLS is CREDSSP_S_BAD_FRAMING. */
cs_err cs_tls_check_records(const uint8_t *in, size_t len,
                            size_t *missing_out) CS_WUR;

/* cs_tls_feed: hands received bytes to the TLS engine. */
cs_err cs_tls_feed(struct cs_tls *t, const uint8_t *in, size_t len) CS_WUR;

/* cs_tls_handshake: advances the handshake; *done once it is complete. */
cs_err cs_tls_handshake(struct cs_tls *t, bool *done) CS_WUR;

/* cs_tls_read_message: the plaintext of the next application record, if
 * a whole one has arrived (*got); a second record in the same input is
 * CREDSSP_S_SPLIT_RECORD.  A close_notify is CREDSSP_S_TLS_CLOSED. */
cs_err cs_tls_read_message(struct cs_tls *t, cs_blob *out, bool *got) CS_WUR;

/* cs_tls_write_message: encrypts msg as exactly one record. */
cs_err cs_tls_write_message(struct cs_tls *t, const uint8_t *msg,
                            size_t len) CS_WUR;

/* cs_tls_take_output: appends everything TLS wants sent to *out. */
cs_err cs_tls_take_output(struct cs_tls *t, cs_blob *out) CS_WUR;

/* cs_tls_server_key: the contents of the server certificate's
 * SubjectPublicKey BIT STRING (the peer's for a client, ours for a
 * server), the bytes pubKeyAuth binds. */
cs_err cs_tls_server_key(struct cs_tls *t, cs_blob *out) CS_WUR;

/* cs_tls_seal: gss_wrap: msg as exactly one TLS record in *out, after
 * what TLS writes before it (cs_tls_write_prefix). */
cs_err cs_tls_seal(struct cs_tls *t, const uint8_t *msg, size_t len,
                   cs_blob *out) CS_WUR;

/* cs_tls_seal_pending: cs_tls_seal that leaves the output in TLS, *rec_len
 * bytes of which the first *prefix are records before the message's own,
 * for cs_tls_take_exact to read into the caller's buffers in order
 * (gss_wrap_iov); cs_tls_drop_output drops what is left of it when a call
 * fails part way. */
cs_err cs_tls_seal_pending(struct cs_tls *t, const uint8_t *msg, size_t len,
                           size_t *rec_len, size_t *prefix) CS_WUR;

cs_err cs_tls_take_exact(struct cs_tls *t, uint8_t *dst, size_t n) CS_WUR;
void cs_tls_drop_output(struct cs_tls *t);

/* cs_tls_write_prefix: the bytes TLS will write before the next message's
 * record: records already waiting in its output, and the TLS 1.3
 * KeyUpdate it owes a peer that asked for new keys (OpenSSL sends it with
 * the next write).  gss_wrap_iov puts them at the front of HEADER. */
size_t cs_tls_write_prefix(const struct cs_tls *t);

/* cs_tls_last_record: where the last whole record of out[0..len) starts
 * (0 for one record). */
size_t cs_tls_last_record(const uint8_t *out, size_t len);

/* cs_tls_key_update: a TLS 1.3 KeyUpdate that asks the peer for new keys
 * too, written to the output at once (the next seal takes it along).
 * The module never asks; the tests' scripted peer does, as a TLS 1.3
 * stack may near its keys' usage limit. */
cs_err cs_tls_key_update(struct cs_tls *t) CS_WUR;

/* cs_tls_unseal: gss_unwrap: one or more whole records, their plaintext
 * concatenated in *out.  A record seen before (or twice in the input) is
 * CREDSSP_S_REPLAYED: nothing is consumed and nothing remembered, since
 * records count as seen only once a call succeeds; one that fails its
 * integrity check is CREDSSP_S_MESSAGE_ALTERED; a close_notify is
 * CREDSSP_S_TLS_CLOSED. */
cs_err cs_tls_unseal(struct cs_tls *t, const uint8_t *in, size_t len,
                     cs_blob *out) CS_WUR;

/* cs_tls_unseal_into: cs_tls_unseal with the plaintext written to dst
 * (room for cap bytes; dst may be where in lies, since the records are
 * taken in before any plaintext is written); *out_len is its length.  A
 * plaintext longer than cap is CREDSSP_S_IOV_LAYOUT when the records
 * verified (they count as seen).  On failure what was written is wiped
 * and *out_len is 0. */
cs_err cs_tls_unseal_into(struct cs_tls *t, const uint8_t *in, size_t len,
                          uint8_t *dst, size_t cap, size_t *out_len) CS_WUR;

/* cs_tls_overhead: bytes a record adds before and after its plaintext with
 * the negotiated cipher (SECPKG_ATTR_STREAM_SIZES' header and trailer);
 * the trailer is the most a block cipher's padding can take. */
void cs_tls_overhead(const struct cs_tls *t, size_t *header,
                     size_t *trailer);

/* cs_tls_block_size: the cipher's block size (1 for stream/AEAD). */
size_t cs_tls_block_size(const struct cs_tls *t);

/* cs_tls_export: RFC 5705 keying material (gss_pseudo_random). */
cs_err cs_tls_export(struct cs_tls *t, const char *label,
                     const uint8_t *context, size_t context_len,
                     uint8_t *out, size_t out_len) CS_WUR;

/* cs_tls_send_ticket: a server's TLS 1.3 NewSessionTicket, what OpenSSL
 * and Windows servers send after the client's Finished, queued as
 * output.  The session cannot be resumed with it (no ticket keys, no
 * session cache). */
cs_err cs_tls_send_ticket(struct cs_tls *t) CS_WUR;

/* cs_tls_ended: CS_OK while the established channel carries messages;
 * once a message call has ended it, what every later one says
 * (CREDSSP_S_TLS_CLOSED after the peer's close_notify,
 * CREDSSP_S_CHANNEL_ENDED after anything else). */
cs_err cs_tls_ended(const struct cs_tls *t);

/* cs_tls_is_tls13: whether the handshake chose TLS 1.3. */
bool cs_tls_is_tls13(const struct cs_tls *t);

/* cs_tls_deny: queues the fatal alert access_denied as the last record
 * (a close_notify where the suite does not allow sealing it); nothing is
 * written after it. */
cs_err cs_tls_deny(struct cs_tls *t) CS_WUR;

/* cs_tls_drop_alert_keys: once CredSSP completed no alert of ours will
 * follow: the write secret kept for it is wiped. */
void cs_tls_drop_alert_keys(struct cs_tls *t);

/* cs_tls_release_buffers: from now on an idle connection holds no record
 * buffers (about 34 KiB each; they come back for the next record:
 * doc/performance.md, memory).  Called once the handshake is over: during
 * it, each of its ten or so records would allocate, wipe and free them
 * again.  Nothing with tls_keep_buffers. */
void cs_tls_release_buffers(struct cs_tls *t);

/* cs_tls_peer_alert: the alert description the peer sent, or -1. */
int cs_tls_peer_alert(const struct cs_tls *t);

/* cs_tls_shutdown: appends a close_notify to *out (nothing after our
 * alert). */
cs_err cs_tls_shutdown(struct cs_tls *t, cs_blob *out) CS_WUR;

/* Names for inquiry: "TLSv1.3", cipher name; NULL before the handshake. */
const char *cs_tls_version_name(const struct cs_tls *t);
const char *cs_tls_cipher_name(const struct cs_tls *t);

/* cs_tls_peer_cert_der: the peer certificate, DER (client side). */
cs_err cs_tls_peer_cert_der(struct cs_tls *t, cs_blob *out) CS_WUR;

#endif /* CS_TLS_H */
