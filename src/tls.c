/* SPDX-License-Identifier: MIT */
/*
 * tls.c - OpenSSL over memory BIOs for the CredSSP channel.
 */
#include "config.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cursor.h"
#include "record.h"
#include "tls.h"
#include "tlsalert.h"
#include "trace.h"

/* TLS record content types ([RFC 8446] 5.1). */
#define REC_CHANGE_CIPHER_SPEC 20
#define REC_ALERT 21
#define REC_HANDSHAKE 22
#define REC_APPLICATION_DATA 23
/* The largest TLSCiphertext.length any version allows (2^14 + 2048). */
#define REC_MAX_LEN (16384 + 2048)

/* How many received records' fingerprints are kept to recognise a
 * replay. */
#define REPLAY_SLOTS 64
/* How much of a record's end the replay fingerprint takes: it holds the
 * AEAD tag or the encrypted MAC, which no two records of one connection
 * share except by replay. */
#define REPLAY_TAIL 32
/* A fingerprint: the record's last REPLAY_TAIL bytes, then its header. */
#define REPLAY_FP_LEN (REPLAY_TAIL + CS_RECORD_HEADER_LEN)

struct cs_tls {
    SSL *ssl;
    BIO *rbio;                    /* owned by ssl */
    BIO *wbio;                    /* owned by ssl */
    uint8_t seen[REPLAY_SLOTS][REPLAY_FP_LEN];
    uint64_t seen_key[REPLAY_SLOTS];  /* the first 8 bytes of each */
    size_t num_seen;
    char *host;                   /* client: the name to verify */
    struct cs_alert_keys keys;    /* server: to seal our own alert */
    bool alert_sent;              /* nothing may follow it */
    bool release;                 /* free the record buffers once the
                                   * handshake is over (not
                                   * tls_keep_buffers) */
    int peer_alert;               /* the alert the peer sent, or -1 */
    cs_err ended;                 /* established, then ended: what every
                                   * later message call says (end) */
};

/* The ephemeral certificate, made once per process. */
static pthread_once_t ephemeral_once = PTHREAD_ONCE_INIT;
static EVP_PKEY *ephemeral_key;
static X509 *ephemeral_cert;

/* trace_openssl: writes OpenSSL's queued errors to the trace and clears
 * them (the queue is per thread; a plugin must leave it clean). */
static void
trace_openssl(const char *what)
{
    unsigned long e;
    char buf[256];

    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, buf, sizeof(buf));
        CS_TRACE("%s: %s", what, buf);
    }
}

/* empty_error_queue: what SSL_get_error needs before each SSL call on
 * the per-message path and in the handshake (SSL_do_handshake, the
 * TSRequests' SSL_read).  ERR_clear_error walks every slot of the queue
 * even when it is empty (about 900 instructions), so it runs only when
 * something is queued. */
static void
empty_error_queue(void)
{
    if (ERR_peek_error() != 0) {
        ERR_clear_error();
    }
}

/* make_ephemeral: a self-signed RSA-2048 certificate valid for a year. */
static void
make_ephemeral(void)
{
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    X509_NAME *name;

    key = EVP_RSA_gen(2048);
    cert = X509_new();
    if (key == NULL || cert == NULL) {
        goto cleanup;
    }
    if (!X509_set_version(cert, X509_VERSION_3) ||
        !ASN1_INTEGER_set(X509_get_serialNumber(cert), 1) ||
        X509_gmtime_adj(X509_getm_notBefore(cert), -3600) == NULL ||
        X509_gmtime_adj(X509_getm_notAfter(cert), 365L * 86400) == NULL ||
        !X509_set_pubkey(cert, key)) {
        goto cleanup;
    }
    name = X509_get_subject_name(cert);
    if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                    (const unsigned char *)"gss-credssp",
                                    -1, -1, 0) ||
        !X509_set_issuer_name(cert, name) ||
        X509_sign(cert, key, EVP_sha256()) == 0) {
        goto cleanup;
    }
    ephemeral_key = key;
    ephemeral_cert = cert;
    key = NULL;
    cert = NULL;
    CS_TRACE("made the ephemeral RSA-2048 certificate");

cleanup:
    trace_openssl("ephemeral certificate");
    EVP_PKEY_free(key);
    X509_free(cert);
}

/* keylog_cb: OpenSSL's key-log callback: the line goes to SSLKEYLOGFILE
 * when it is set; a server keeps its TLS 1.3 write secret for the alert
 * it may have to seal (tlsalert.h). */
static void
keylog_cb(const SSL *ssl, const char *line)
{
    struct cs_tls *t = SSL_get_app_data(ssl);

    if (cs_keylog_on()) {
        cs_keylog_line(line);
    }
    if (t != NULL && SSL_is_server(ssl)) {
        cs_alert_on_keylog(&t->keys, true, line);
    }
}

/* msg_cb: OpenSSL's message callback: counts the records a server
 * writes, for the sequence number of its own alert (tlsalert.h). */
static void
msg_cb(int write_p, int version, int content_type, const void *buf,
       size_t len, SSL *ssl, void *arg)
{
    struct cs_tls *t = SSL_get_app_data(ssl);

    (void)arg;
    if (t != NULL) {
        cs_alert_on_msg(&t->keys, write_p, version, content_type, buf, len);
    }
}

/* suites_left: whether a connection of ctx has a cipher suite it can use
 * at the versions it allows (none: every handshake would fail, with an
 * error that blames the peer). */
static bool
suites_left(SSL_CTX *ctx)
{
    SSL *ssl = SSL_new(ctx);
    STACK_OF(SSL_CIPHER) *sk = ssl != NULL ? SSL_get1_supported_ciphers(ssl)
                                           : NULL;
    bool left = sk != NULL && sk_SSL_CIPHER_num(sk) > 0;

    sk_SSL_CIPHER_free(sk);
    SSL_free(ssl);
    ERR_clear_error();
    return left;
}

/* base_ctx: the settings both roles share ([MS-CSSP] 3.1.5;
 * doc/design.md 3.6). */
static cs_err
base_ctx(const SSL_METHOD *method, const struct cs_tls_settings *s,
         SSL_CTX **out)
{
    SSL_CTX *ctx = SSL_CTX_new(method);

    if (ctx == NULL) {
        trace_openssl("SSL_CTX_new");
        return CREDSSP_S_NOMEM;
    }
    /* SSL_OP_CLEANSE_PLAINTEXT: OpenSSL decrypts a record in place and
     * frees its buffer (SSL_MODE_RELEASE_BUFFERS once the handshake is
     * over, cs_tls_release_buffers) or the connection with the plaintext
     * in it unless told to wipe it: messages may hold secrets. */
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET |
                                 SSL_OP_NO_RENEGOTIATION |
                                 SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS |
                                 SSL_OP_CLEANSE_PLAINTEXT);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    /* An idle established context holds no record buffers (about 34 KiB
     * each; they come back for the next record: doc/performance.md,
     * memory), unless tls_keep_buffers trades that memory for CPU per
     * message.  The SSL_CTX says which; each connection starts without the
     * mode and takes it once the handshake is over (cs_tls_new,
     * cs_tls_release_buffers). */
    if (!s->keep_buffers) {
        SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    }
    if (!SSL_CTX_set_min_proto_version(ctx, s->min_version != 0
                                                ? s->min_version
                                                : TLS1_2_VERSION) ||
        !SSL_CTX_set_max_proto_version(ctx, s->max_version) ||
        (s->cipher_list != NULL &&
         !SSL_CTX_set_cipher_list(ctx, s->cipher_list)) ||
        (s->ciphersuites != NULL &&
         !SSL_CTX_set_ciphersuites(ctx, s->ciphersuites))) {
        trace_openssl("TLS settings");
        SSL_CTX_free(ctx);
        return CREDSSP_S_BAD_OPTION_VALUE;
    }
    if (!suites_left(ctx)) {
        cs_err_set_detail(CREDSSP_S_BAD_OPTION_VALUE,
                          "SEC_E_INVALID_PARAMETER: no TLS cipher suite is "
                          "left for the TLS versions allowed (see "
                          "tls_min_version, tls_max_version, "
                          "tls_cipher_list and tls_ciphersuites)");
        SSL_CTX_free(ctx);
        return CREDSSP_S_BAD_OPTION_VALUE;
    }
    if (cs_keylog_on()) {
        SSL_CTX_set_keylog_callback(ctx, keylog_cb);
    }
    *out = ctx;
    return CS_OK;
}

bool
cs_tls_check_ciphers(const char *list, bool tls13)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    bool ok = ctx != NULL && (tls13 ? SSL_CTX_set_ciphersuites(ctx, list)
                                    : SSL_CTX_set_cipher_list(ctx, list));

    trace_openssl("cipher list");
    SSL_CTX_free(ctx);
    return ok;
}

cs_err
cs_tls_client_ctx(const struct cs_tls_settings *s, SSL_CTX **out)
{
    SSL_CTX *ctx = NULL;
    cs_err err = base_ctx(TLS_client_method(), s, &ctx);

    if (err != CS_OK) {
        return err;
    }
    /* The certificate is bound by pubKeyAuth and, by default, not
     * validated (ISC_REQ_MANUAL_CRED_VALIDATION).  With verify_certificate
     * OpenSSL still finishes the handshake, and cs_tls_verify_peer reads
     * its verdict before anything of ours is sent. */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    if (s->verify &&
        (s->ca_file != NULL ? SSL_CTX_load_verify_file(ctx, s->ca_file)
                            : SSL_CTX_set_default_verify_paths(ctx)) != 1) {
        CS_TRACE("cannot load trust anchors from %s",
                 s->ca_file != NULL ? s->ca_file : "the system store");
        trace_openssl("trust anchors");
        SSL_CTX_free(ctx);
        return CREDSSP_S_BAD_OPTION_VALUE;
    }
    *out = ctx;
    return CS_OK;
}

cs_err
cs_tls_server_ctx(const struct cs_tls_settings *s, const char *cert_file,
                  const char *key_file, SSL_CTX **out)
{
    SSL_CTX *ctx = NULL;
    cs_err err = base_ctx(TLS_server_method(), s, &ctx);

    if (err != CS_OK) {
        return err;
    }
    /* No NewSessionTicket of OpenSSL's own accord: it would ride with
     * our first TSRequest.  The acceptor sends one only to answer a TLS
     * 1.3 Finished that came alone (cs_tls_send_ticket). */
    SSL_CTX_set_num_tickets(ctx, 0);
    /* What sealing a failed logon's access_denied alert needs: our TLS
     * 1.3 write secret and the count of records we wrote. */
    SSL_CTX_set_keylog_callback(ctx, keylog_cb);
    SSL_CTX_set_msg_callback(ctx, msg_cb);
    if (cert_file != NULL || key_file != NULL) {
        if (cert_file == NULL || key_file == NULL ||
            SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) !=
                1 ||
            SSL_CTX_check_private_key(ctx) != 1) {
            CS_TRACE("cannot load certificate %s / key %s",
                     cert_file ? cert_file : "(none)",
                     key_file ? key_file : "(none)");
            err = CREDSSP_S_NO_CERT;
            goto cleanup;
        }
    } else {
        pthread_once(&ephemeral_once, make_ephemeral);
        if (ephemeral_cert == NULL ||
            SSL_CTX_use_certificate(ctx, ephemeral_cert) != 1 ||
            SSL_CTX_use_PrivateKey(ctx, ephemeral_key) != 1) {
            err = CREDSSP_S_NO_CERT;
            goto cleanup;
        }
    }
    *out = ctx;
    ctx = NULL;

cleanup:
    trace_openssl("server context");
    SSL_CTX_free(ctx);
    return err;
}

/* set_verify_host: the name the certificate must carry: an IP address
 * (in brackets or not) or a DNS name. */
static bool
set_verify_host(SSL *ssl, const char *host)
{
    X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
    size_t len = strlen(host);
    char ip[64];

    if (host[0] == '[' && len > 2 && len < sizeof(ip) && host[len - 1] == ']') {
        memcpy(ip, host + 1, len - 2);
        ip[len - 2] = '\0';
        return X509_VERIFY_PARAM_set1_ip_asc(param, ip) == 1;
    }
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host) == 1) {
        return true;
    }
    ERR_clear_error();
    return X509_VERIFY_PARAM_set1_host(param, host, 0) == 1;
}

cs_err
cs_tls_new(SSL_CTX *ctx, bool server, const char *host, struct cs_tls **out)
{
    struct cs_tls *t = calloc(1, sizeof(*t));
    cs_err err = CREDSSP_S_NOMEM;

    if (t == NULL) {
        return CREDSSP_S_NOMEM;
    }
    t->ssl = SSL_new(ctx);
    t->rbio = BIO_new(BIO_s_mem());
    t->wbio = BIO_new(BIO_s_mem());
    if (t->ssl == NULL || t->rbio == NULL || t->wbio == NULL) {
        goto cleanup;
    }
    t->peer_alert = -1;
    SSL_set_app_data(t->ssl, t);
    /* During the handshake each of its records would allocate, wipe and
     * free the buffers again. */
    t->release = (SSL_get_mode(t->ssl) & SSL_MODE_RELEASE_BUFFERS) != 0;
    SSL_clear_mode(t->ssl, SSL_MODE_RELEASE_BUFFERS);
    /* An empty read BIO means "wait for more", not end of file. */
    BIO_set_mem_eof_return(t->rbio, -1);
    SSL_set_bio(t->ssl, t->rbio, t->wbio);
    if (server) {
        SSL_set_accept_state(t->ssl);
    } else {
        SSL_set_connect_state(t->ssl);
        if (host != NULL && *host != '\0' &&
            ((t->host = strdup(host)) == NULL ||
             SSL_set_tlsext_host_name(t->ssl, host) != 1 ||
             !set_verify_host(t->ssl, host))) {
            goto cleanup;
        }
    }
    *out = t;
    t = NULL;
    err = CS_OK;

cleanup:
    trace_openssl("cs_tls_new");
    if (t != NULL && t->ssl == NULL) {
        BIO_free(t->rbio);
        BIO_free(t->wbio);
        t->rbio = t->wbio = NULL;
    }
    cs_tls_free(t);
    return err;
}

void
cs_tls_free(struct cs_tls *t)
{
    if (t == NULL) {
        return;
    }
    SSL_free(t->ssl);             /* frees both BIOs */
    free(t->host);
    cs_alert_keys_wipe(&t->keys);
    free(t);
}

cs_err
cs_tls_check_records(const uint8_t *in, size_t len, size_t *missing_out)
{
    struct cs_cursor c;

    *missing_out = 0;
    cs_cursor_init(&c, in, len);
    while (c.left > 0) {
        struct cs_record_header h;
        size_t have;

        if (c.left < CS_RECORD_HEADER_LEN) {
            /* Check what there is of the header before asking for more. */
            if (c.p[0] < REC_CHANGE_CIPHER_SPEC ||
                c.p[0] > REC_APPLICATION_DATA ||
                (c.left > 1 && c.p[1] != 3)) {
                return CREDSSP_S_BAD_FRAMING;
            }
            *missing_out = CS_RECORD_HEADER_LEN - c.left;
            return CREDSSP_S_INCOMPLETE_MESSAGE;
        }
        cs_record_header(&c, &h);
        if (h.type < REC_CHANGE_CIPHER_SPEC || h.type > REC_APPLICATION_DATA ||
            h.major != 3 || h.len == 0 || h.len > REC_MAX_LEN) {
            return CREDSSP_S_BAD_FRAMING;
        }
        have = cs_cursor_skip(&c, h.len);
        if (have < h.len) {
            *missing_out = h.len - have;
            return CREDSSP_S_INCOMPLETE_MESSAGE;
        }
    }
    return CS_OK;
}

cs_err
cs_tls_feed(struct cs_tls *t, const uint8_t *in, size_t len)
{
    if (len == 0) {
        return CS_OK;
    }
    if (len > INT32_MAX || BIO_write(t->rbio, in, (int)len) != (int)len) {
        return CREDSSP_S_NOMEM;
    }
    return CS_OK;
}

/* ssl_failure: the cs_err for a failed SSL call. */
static cs_err
ssl_failure(struct cs_tls *t, int ret, const char *what)
{
    int e = SSL_get_error(t->ssl, ret);
    unsigned long oe = ERR_peek_error();
    cs_err err = CREDSSP_S_TLS_FAILED;

    if (e == SSL_ERROR_ZERO_RETURN) {
        err = CREDSSP_S_TLS_CLOSED;
    } else if (e == SSL_ERROR_SSL && oe != 0 &&
               ERR_GET_LIB(oe) == ERR_LIB_SSL &&
               ERR_GET_REASON(oe) >= SSL_AD_REASON_OFFSET) {
        /* OpenSSL reports a received alert as reason 1000 + alert. */
        t->peer_alert = ERR_GET_REASON(oe) - SSL_AD_REASON_OFFSET;
        CS_TRACE("%s: peer sent TLS alert %d (%s)", what, t->peer_alert,
                 SSL_alert_desc_string_long(t->peer_alert));
        err = CREDSSP_S_TLS_ALERT;
    }
    trace_openssl(what);
    return err;
}

cs_err
cs_tls_handshake(struct cs_tls *t, bool *done)
{
    int ret;

    empty_error_queue();
    ret = SSL_do_handshake(t->ssl);
    if (ret == 1) {
        *done = true;
        return CS_OK;
    }
    *done = false;
    if (SSL_get_error(t->ssl, ret) == SSL_ERROR_WANT_READ) {
        return CS_OK;
    }
    return ssl_failure(t, ret, "TLS handshake");
}

cs_err
cs_tls_read_message(struct cs_tls *t, cs_blob *out, bool *got)
{
    uint8_t buf[CS_TLS_MAX_RECORD];
    size_t used = 0;              /* how much of buf holds plaintext */
    cs_err err = CS_OK;
    int n;

    *got = false;
    empty_error_queue();
    /* SSL_read hands out one record at a time; a second one in the same
     * input would be a TSRequest split across records or two TSRequests
     * in one token, both errors in CredSSP. */
    while ((n = SSL_read(t->ssl, buf, sizeof(buf))) > 0) {
        used = (size_t)n > used ? (size_t)n : used;
        if (*got) {
            err = CREDSSP_S_SPLIT_RECORD;
            break;
        }
        err = cs_blob_set(out, buf, (size_t)n);
        if (err != CS_OK) {
            break;
        }
        *got = true;
    }
    if (err == CS_OK && n <= 0 &&
        SSL_get_error(t->ssl, n) != SSL_ERROR_WANT_READ) {
        if (*got) {
            /* A server's errorCode and then its alert: the message first;
             * the next read reports the alert. */
            CS_TRACE("TLS read: a TLS error follows the message");
            ERR_clear_error();
        } else {
            err = ssl_failure(t, n, "TLS read");
        }
    }
    /* Only what SSL_read wrote: a TSRequest is a few hundred bytes, the
     * buffer 16 KiB. */
    cs_wipe(buf, used);
    if (err != CS_OK) {
        cs_blob_free_secret(out);
        *got = false;
    }
    return err;
}

cs_err
cs_tls_write_message(struct cs_tls *t, const uint8_t *msg, size_t len)
{
    int ret;

    if (len == 0 || len > CS_TLS_MAX_RECORD) {
        return CREDSSP_S_TLS_TOO_LARGE;
    }
    if (t->alert_sent) {
        return CREDSSP_S_TLS_CLOSED;
    }
    empty_error_queue();
    ret = SSL_write(t->ssl, msg, (int)len);
    if (ret != (int)len) {
        return ssl_failure(t, ret, "TLS write");
    }
    return CS_OK;
}

cs_err
cs_tls_take_output(struct cs_tls *t, cs_blob *out)
{
    size_t pending = BIO_ctrl_pending(t->wbio);
    uint8_t *p;

    if (pending == 0) {
        return CS_OK;
    }
    p = realloc(out->data, out->len + pending);
    if (p == NULL) {
        return CREDSSP_S_NOMEM;
    }
    out->data = p;
    if (BIO_read(t->wbio, p + out->len, (int)pending) != (int)pending) {
        return CREDSSP_S_INTERNAL;
    }
    out->len += pending;
    return CS_OK;
}

cs_err
cs_tls_server_key(struct cs_tls *t, cs_blob *out)
{
    X509 *cert = SSL_is_server(t->ssl) ? SSL_get_certificate(t->ssl)
                                       : SSL_get0_peer_certificate(t->ssl);
    ASN1_BIT_STRING *bits;

    if (cert == NULL) {
        return CREDSSP_S_TLS_FAILED;
    }
    bits = X509_get0_pubkey_bitstr(cert);
    if (bits == NULL || ASN1_STRING_length(bits) <= 0) {
        return CREDSSP_S_TLS_FAILED;
    }
    return cs_blob_set(out, ASN1_STRING_get0_data(bits),
                       (size_t)ASN1_STRING_length(bits));
}

/*
 * end: what ended an established channel, remembered so that every later
 * message call says it (OpenSSL itself would only say the connection is
 * not in a state for application data): the peer's close_notify as
 * CREDSSP_S_TLS_CLOSED; an altered record, the peer's alert or a failed
 * write as CREDSSP_S_CHANNEL_ENDED.  Other errors (a message too large,
 * no memory) end nothing.  Returns err.
 */
static cs_err
end(struct cs_tls *t, cs_err err)
{
    if (t->ended != CS_OK) {
        return err;
    }
    switch (err) {
    case CREDSSP_S_TLS_CLOSED:
        t->ended = err;
        break;
    case CREDSSP_S_TLS_FAILED:
    case CREDSSP_S_TLS_ALERT:
    case CREDSSP_S_MESSAGE_ALTERED:
        t->ended = CREDSSP_S_CHANNEL_ENDED;
        break;
    default:
        break;
    }
    return err;
}

/* message_ready: CS_OK when the channel carries messages. */
static cs_err
message_ready(const struct cs_tls *t)
{
    if (t->ended != CS_OK) {
        return t->ended;
    }
    return SSL_is_init_finished(t->ssl) ? CS_OK : CREDSSP_S_NOT_ESTABLISHED;
}

cs_err
cs_tls_ended(const struct cs_tls *t)
{
    return t->ended;
}

cs_err
cs_tls_seal(struct cs_tls *t, const uint8_t *msg, size_t len, cs_blob *out)
{
    cs_err err = message_ready(t);

    if (err != CS_OK) {
        return err;
    }
    if (len == 0) {
        /* OpenSSL writes no empty records: an empty message is an empty
         * token, which cs_tls_unseal turns back into an empty message. */
        return CS_OK;
    }
    err = cs_tls_write_message(t, msg, len);
    if (err != CS_OK) {
        return end(t, err);
    }
    return cs_tls_take_output(t, out);
}

cs_err
cs_tls_seal_pending(struct cs_tls *t, const uint8_t *msg, size_t len,
                    size_t *rec_len, size_t *prefix)
{
    char *out = NULL;
    long n;
    cs_err err;

    *rec_len = 0;
    *prefix = 0;
    err = message_ready(t);
    if (err != CS_OK) {
        return err;
    }
    err = cs_tls_write_message(t, msg, len);
    if (err != CS_OK) {
        return end(t, err);
    }
    n = BIO_get_mem_data(t->wbio, &out);
    *rec_len = n > 0 ? (size_t)n : 0;
    *prefix = cs_tls_last_record((const uint8_t *)out, *rec_len);
    return CS_OK;
}

size_t
cs_tls_write_prefix(const struct cs_tls *t)
{
    size_t n = BIO_ctrl_pending(t->wbio), h, tr;

    if (SSL_version(t->ssl) >= TLS1_3_VERSION &&
        SSL_get_key_update_type(t->ssl) != SSL_KEY_UPDATE_NONE) {
        /* Its record: header, KeyUpdate (type, length, one byte),
         * content type and tag. */
        cs_tls_overhead(t, &h, &tr);
        n += h + 4 + 1 + tr;
    }
    return n;
}

/* walk_records: how many whole records in[0..len) holds, and (unless
 * last is NULL) where the last one starts. */
static size_t
walk_records(const uint8_t *in, size_t len, size_t *last)
{
    struct cs_cursor c;
    cs_slice rec;
    size_t n = 0, at = 0;

    cs_cursor_init(&c, in, len);
    while (cs_record_next(&c, &rec)) {
        at = (size_t)(rec.data - in);
        n++;
    }
    if (last != NULL) {
        *last = at;
    }
    return n;
}

size_t
cs_tls_last_record(const uint8_t *out, size_t len)
{
    size_t at;

    (void)walk_records(out, len, &at);
    return at;
}

cs_err
cs_tls_key_update(struct cs_tls *t)
{
    empty_error_queue();
    /* SSL_do_handshake writes it now, ahead of the next record. */
    if (SSL_key_update(t->ssl, SSL_KEY_UPDATE_REQUESTED) != 1 ||
        SSL_do_handshake(t->ssl) != 1) {
        trace_openssl("key update");
        return CREDSSP_S_TLS_FAILED;
    }
    return CS_OK;
}

cs_err
cs_tls_take_exact(struct cs_tls *t, uint8_t *dst, size_t n)
{
    if (n == 0) {
        return CS_OK;
    }
    if (n > INT_MAX || BIO_read(t->wbio, dst, (int)n) != (int)n) {
        return CREDSSP_S_INTERNAL;
    }
    return CS_OK;
}

void
cs_tls_drop_output(struct cs_tls *t)
{
    (void)BIO_reset(t->wbio);
}

/*
 * record_fingerprint: the replay fingerprint of one record as received:
 * its last REPLAY_TAIL bytes (fewer in a shorter record, the rest zero)
 * and its header, as they are.  A replayed record has the fingerprint of
 * the original; a fresh record from the peer has a new one (its tag is
 * unpredictable, 2^-128).  A record an attacker changed elsewhere but kept
 * a seen tag on is dropped as a replay instead of failing TLS's check:
 * refused either way.  The tail comes first so that two records of the
 * same length differ at once.  These bytes were on the wire: no secret is
 * in them, and no hash of them is needed (doc/performance.md).
 */
static void
record_fingerprint(const uint8_t *rec, size_t len,
                   uint8_t out[static REPLAY_FP_LEN])
{
    size_t body = len - CS_RECORD_HEADER_LEN;
    size_t tail = body < REPLAY_TAIL ? body : REPLAY_TAIL;

    memset(out, 0, REPLAY_TAIL);
    memcpy(out, rec + len - tail, tail);
    memcpy(out + REPLAY_TAIL, rec, CS_RECORD_HEADER_LEN);
}

/* fp_key: the first 8 bytes of a fingerprint (record bytes, never all
 * zero), compared before the whole of it. */
static uint64_t
fp_key(const uint8_t *fp)
{
    uint64_t key;

    memcpy(&key, fp, sizeof(key));
    return key;
}

/* How many fingerprints of one call fit on the stack; a call with more
 * records gets an allocated array. */
#define REPLAY_CALL_SLOTS 8

/*
 * check_replays: a record received before (by its fingerprint,
 * record_fingerprint) is a replay: TLS would only call it a bad MAC and kill
 * the connection; we say what it is and drop it before TLS sees it.  A
 * record twice in one call is a replay too.  Every record of the call is
 * checked against the ring and against the call's earlier records, and
 * the fingerprints go to fp[] only: nothing is remembered here, so a call
 * refused for any reason leaves the ring as it was (commit_replays runs
 * once TLS has taken every record).
 */
static cs_err
check_replays(const struct cs_tls *t, const uint8_t *in, size_t len,
              uint8_t (*fp)[REPLAY_FP_LEN])
{
    struct cs_cursor c;
    cs_slice rec;
    size_t i, n = 0;
    size_t num = t->num_seen < REPLAY_SLOTS ? t->num_seen : REPLAY_SLOTS;
    uint64_t key;
    bool maybe;

    cs_cursor_init(&c, in, len);
    while (cs_record_next(&c, &rec)) {
        record_fingerprint(rec.data, rec.len, fp[n]);
        key = fp_key(fp[n]);
        /* One pass without branches over the keys; the whole
         * fingerprints only when a key matched. */
        maybe = false;
        for (i = 0; i < num; i++) {
            maybe |= t->seen_key[i] == key;
        }
        for (i = 0; maybe && i < num; i++) {
            if (memcmp(t->seen[i], fp[n], REPLAY_FP_LEN) == 0) {
                return CREDSSP_S_REPLAYED;
            }
        }
        for (i = 0; i < n; i++) {
            if (memcmp(fp[i], fp[n], REPLAY_FP_LEN) == 0) {
                return CREDSSP_S_REPLAYED;
            }
        }
        n++;
    }
    return CS_OK;
}

/* commit_replays: remembers the fingerprints of a call TLS accepted; the
 * ring keeps the last REPLAY_SLOTS. */
static void
commit_replays(struct cs_tls *t, uint8_t (*fp)[REPLAY_FP_LEN], size_t num)
{
    size_t i, slot;

    for (i = 0; i < num; i++) {
        slot = t->num_seen % REPLAY_SLOTS;
        memcpy(t->seen[slot], fp[i], REPLAY_FP_LEN);
        t->seen_key[slot] = fp_key(fp[i]);
        t->num_seen++;
    }
}

/*
 * release_read_buffer: after every record of a call authenticated and was
 * read, frees OpenSSL's read buffer as SSL_MODE_RELEASE_BUFFERS would
 * (an idle context holds no record buffers), without wiping all 17 KiB
 * of it.  SSL_OP_CLEANSE_PLAINTEXT made SSL_read wipe each record's
 * plaintext as it handed it out; with an AEAD cipher what is left is
 * what was on the wire (header, explicit nonce, tag) and TLS 1.3's
 * content type and zero padding.  A CBC suite leaves the decrypted MAC
 * and padding: that buffer is wiped whole.  Not after a failure: a
 * record that failed its tag check was decrypted in place, and the
 * buffer stays for SSL_free to wipe (the option is set again here).
 */
static void
release_read_buffer(struct cs_tls *t)
{
    const SSL_CIPHER *c = SSL_get_current_cipher(t->ssl);
    bool aead = c != NULL && (SSL_version(t->ssl) >= TLS1_3_VERSION ||
                              SSL_CIPHER_is_aead(c));

    if (aead) {
        SSL_clear_options(t->ssl, SSL_OP_CLEANSE_PLAINTEXT);
    }
    (void)SSL_free_buffers(t->ssl);
    SSL_set_options(t->ssl, SSL_OP_CLEANSE_PLAINTEXT);
}

/*
 * drain_plaintext: reads and wipes what TLS still holds of a call whose
 * plaintext did not fit the caller's buffer (gss_unwrap_iov with HEADER
 * and TRAILER lengths that are not the record's), so that none of it is
 * handed out by the next call.  CREDSSP_S_IOV_LAYOUT when every record
 * verified (the context goes on), CREDSSP_S_MESSAGE_ALTERED when one did
 * not.
 */
static cs_err
drain_plaintext(struct cs_tls *t)
{
    uint8_t scratch[1024];
    int n;

    while ((n = SSL_read(t->ssl, scratch, sizeof(scratch))) > 0) {
        cs_wipe(scratch, (size_t)n);
    }
    return SSL_get_error(t->ssl, n) == SSL_ERROR_WANT_READ
               ? CREDSSP_S_IOV_LAYOUT
               : CREDSSP_S_MESSAGE_ALTERED;
}

/*
 * unseal_to: the body of cs_tls_unseal: the plaintext of the records in
 * goes to dst, which has room for cap bytes (cs_tls_unseal: the plaintext
 * is shorter than the records that carry it; a plaintext longer than cap
 * is CREDSSP_S_IOV_LAYOUT).  SSL_read writes straight into dst: no
 * bounce buffer to copy and wipe for every record.  *got is what was
 * written, also on failure.
 */
static cs_err
unseal_to(struct cs_tls *t, const uint8_t *in, size_t len, uint8_t *dst,
          size_t cap, size_t *got)
{
    uint8_t stack_fp[REPLAY_CALL_SLOTS][REPLAY_FP_LEN];
    uint8_t (*fp)[REPLAY_FP_LEN] = stack_fp;
    size_t missing = 0, have = 0, room, num_rec = 0;
    cs_err err;
    int n = 0;

    *got = 0;
    err = message_ready(t);
    if (err != CS_OK) {
        return err;
    }
    err = cs_tls_check_records(in, len, &missing);
    if (err == CS_OK) {
        num_rec = walk_records(in, len, NULL);
        if (num_rec > REPLAY_CALL_SLOTS) {
            fp = malloc(num_rec * sizeof(*fp));
            err = fp != NULL ? CS_OK : CREDSSP_S_NOMEM;
        }
    }
    if (err == CS_OK) {
        err = check_replays(t, in, len, fp);
    }
    if (err == CS_OK) {
        err = cs_tls_feed(t, in, len);
    }
    if (err != CS_OK) {
        goto cleanup;
    }
    empty_error_queue();
    /* The read buffer is released below, not by SSL_read. */
    if (t->release) {
        SSL_clear_mode(t->ssl, SSL_MODE_RELEASE_BUFFERS);
    }
    for (;;) {
        room = cap - have;
        if (room == 0) {
            err = drain_plaintext(t);
            break;
        }
        n = SSL_read(t->ssl, dst + have,
                     room > INT_MAX ? INT_MAX : (int)room);
        if (n <= 0) {
            break;
        }
        have += (size_t)n;
        /* Every record taken: another SSL_read would only say WANT_READ
         * (and allocate a read buffer first). */
        if (BIO_ctrl_pending(t->rbio) == 0 && !SSL_has_pending(t->ssl)) {
            break;
        }
    }
    *got = have;
    if (err == CS_OK && n <= 0 &&
        SSL_get_error(t->ssl, n) != SSL_ERROR_WANT_READ) {
        err = ssl_failure(t, n, "TLS unseal");
        if (err == CREDSSP_S_TLS_FAILED) {
            err = CREDSSP_S_MESSAGE_ALTERED;
        }
        (void)end(t, err);
        /* The peer's last message and its close_notify (or alert) in one
         * token: the records before it verified, so the message goes
         * out, and the next call says the channel ended. */
        if (have > 0 && (err == CREDSSP_S_TLS_CLOSED ||
                         err == CREDSSP_S_TLS_ALERT)) {
            CS_TRACE("TLS unseal: the channel ended after the message");
            err = CS_OK;
        }
    } else {
        (void)end(t, err);          /* drain_plaintext's */
    }
    /* A layout error: TLS took every record, and they count as seen. */
    if (err == CS_OK || err == CREDSSP_S_IOV_LAYOUT) {
        commit_replays(t, fp, num_rec);
    }
    if (t->release) {
        if (err == CS_OK) {
            release_read_buffer(t);
        }
        SSL_set_mode(t->ssl, SSL_MODE_RELEASE_BUFFERS);
    }

cleanup:
    if (fp != stack_fp) {
        free(fp);
    }
    return err;
}

cs_err
cs_tls_unseal(struct cs_tls *t, const uint8_t *in, size_t len, cs_blob *out)
{
    uint8_t *p = realloc(out->data, out->len + len);
    size_t got;
    cs_err err;

    if (p == NULL) {
        cs_blob_free_secret(out);
        return CREDSSP_S_NOMEM;
    }
    out->data = p;
    err = unseal_to(t, in, len, p + out->len, len, &got);
    out->len += got;
    if (err != CS_OK) {
        cs_blob_free_secret(out);
    }
    return err;
}

cs_err
cs_tls_unseal_into(struct cs_tls *t, const uint8_t *in, size_t len,
                   uint8_t *dst, size_t cap, size_t *out_len)
{
    cs_err err = unseal_to(t, in, len, dst, cap, out_len);

    if (err != CS_OK) {
        cs_wipe(dst, *out_len);
        *out_len = 0;
    }
    return err;
}

void
cs_tls_overhead(const struct cs_tls *t, size_t *header, size_t *trailer)
{
    const SSL_CIPHER *c = SSL_get_current_cipher(t->ssl);
    int nid = c != NULL ? SSL_CIPHER_get_cipher_nid(c) : NID_undef;
    const EVP_CIPHER *ciph;
    int block, mac;

    *header = CS_RECORD_HEADER_LEN;
    *trailer = 0;
    if (c == NULL) {
        return;
    }
    if (SSL_version(t->ssl) >= TLS1_3_VERSION) {
        *trailer = 16 + 1;            /* AEAD tag + inner content type */
        return;
    }
    if (SSL_CIPHER_is_aead(c)) {
        /* GCM and CCM carry an 8-byte explicit nonce; ChaCha20 none. */
        if (nid != NID_chacha20_poly1305) {
            *header += 8;
        }
        *trailer = 16;
        return;
    }
    /* CBC: explicit IV, MAC, and up to a block of padding. */
    ciph = EVP_get_cipherbynid(nid);
    block = ciph != NULL ? EVP_CIPHER_get_block_size(ciph) : 16;
    mac = EVP_MD_get_size(EVP_get_digestbynid(SSL_CIPHER_get_digest_nid(c)));
    *header += (size_t)block;
    *trailer = (size_t)(mac > 0 ? mac : 48) + (size_t)block;
}

size_t
cs_tls_block_size(const struct cs_tls *t)
{
    const SSL_CIPHER *c = SSL_get_current_cipher(t->ssl);
    const EVP_CIPHER *ciph;

    if (c == NULL || SSL_version(t->ssl) >= TLS1_3_VERSION ||
        SSL_CIPHER_is_aead(c)) {
        return 1;
    }
    ciph = EVP_get_cipherbynid(SSL_CIPHER_get_cipher_nid(c));
    return ciph != NULL ? (size_t)EVP_CIPHER_get_block_size(ciph) : 16;
}

cs_err
cs_tls_export(struct cs_tls *t, const char *label, const uint8_t *context,
              size_t context_len, uint8_t *out, size_t out_len)
{
    ERR_clear_error();
    if (!SSL_is_init_finished(t->ssl) ||
        SSL_export_keying_material(t->ssl, out, out_len, label,
                                   strlen(label), context, context_len,
                                   1) != 1) {
        trace_openssl("TLS exporter");
        return CREDSSP_S_NOT_ESTABLISHED;
    }
    return CS_OK;
}

bool
cs_tls_is_tls13(const struct cs_tls *t)
{
    return SSL_is_init_finished(t->ssl) &&
           SSL_version(t->ssl) >= TLS1_3_VERSION;
}

/*
 * cs_tls_send_ticket: SSL_new_session_ticket asks for one more ticket
 * and SSL_do_handshake writes it.  With SSL_OP_NO_TICKET OpenSSL makes a
 * stateful ticket, a session ID to look up in the server's session cache,
 * which is off: presenting it gets a full handshake.
 */
cs_err
cs_tls_send_ticket(struct cs_tls *t)
{
    int ret;

    ERR_clear_error();
    if (!SSL_is_server(t->ssl) || !cs_tls_is_tls13(t)) {
        return CREDSSP_S_INTERNAL;
    }
    if (SSL_new_session_ticket(t->ssl) != 1) {
        trace_openssl("new session ticket");
        return CREDSSP_S_INTERNAL;
    }
    ret = SSL_do_handshake(t->ssl);
    if (ret != 1) {
        return ssl_failure(t, ret, "session ticket");
    }
    return CS_OK;
}

/*
 * cs_tls_deny: the fatal alert access_denied as our last record (what
 * Windows sends when a logon fails; tlsalert.h).  Where it cannot be
 * sealed (a CBC suite, keys changed by a KeyUpdate), a close_notify
 * instead.  Either way nothing is written after it.
 */
cs_err
cs_tls_deny(struct cs_tls *t)
{
    cs_blob rec = { 0 };
    cs_err err;

    if (t->alert_sent || !SSL_is_init_finished(t->ssl)) {
        return CS_OK;
    }
    err = cs_alert_record(&t->keys, t->ssl, SSL_AD_ACCESS_DENIED, &rec);
    if (err == CS_OK) {
        if (BIO_write(t->wbio, rec.data, (int)rec.len) != (int)rec.len) {
            err = CREDSSP_S_NOMEM;
        } else {
            CS_TRACE("sent TLS alert access_denied (record %llu of the "
                     "write keys)", (unsigned long long)t->keys.write_seq);
        }
    } else if (err == CREDSSP_S_UNSUPPORTED_OPTION) {
        CS_TRACE("no access_denied alert with %s %s%s: close_notify "
                 "instead", SSL_get_version(t->ssl),
                 SSL_get_cipher_name(t->ssl),
                 t->keys.lost ? " after a KeyUpdate" : "");
        ERR_clear_error();
        (void)SSL_shutdown(t->ssl);
        ERR_clear_error();
        err = CS_OK;
    }
    cs_blob_free(&rec);
    /* Nothing more: OpenSSL's own sequence number is behind ours now. */
    t->alert_sent = true;
    SSL_set_quiet_shutdown(t->ssl, 1);
    cs_alert_keys_wipe(&t->keys);
    return err;
}

void
cs_tls_drop_alert_keys(struct cs_tls *t)
{
    cs_alert_keys_wipe(&t->keys);
    t->keys.lost = true;
}

void
cs_tls_release_buffers(struct cs_tls *t)
{
    if (!t->release) {
        return;                   /* tls_keep_buffers */
    }
    SSL_set_mode(t->ssl, SSL_MODE_RELEASE_BUFFERS);
    /* Fails only while a record is pending (input not read yet, output
     * not written yet); then the buffers go once it is, by the mode. */
    (void)SSL_free_buffers(t->ssl);
}

int
cs_tls_peer_alert(const struct cs_tls *t)
{
    return t->peer_alert;
}

cs_err
cs_tls_shutdown(struct cs_tls *t, cs_blob *out)
{
    ERR_clear_error();
    if (t->alert_sent) {
        return cs_tls_take_output(t, out);
    }
    if (SSL_is_init_finished(t->ssl)) {
        (void)SSL_shutdown(t->ssl);
        ERR_clear_error();
    }
    return cs_tls_take_output(t, out);
}

const char *
cs_tls_version_name(const struct cs_tls *t)
{
    return SSL_is_init_finished(t->ssl) ? SSL_get_version(t->ssl) : NULL;
}

const char *
cs_tls_cipher_name(const struct cs_tls *t)
{
    return SSL_is_init_finished(t->ssl) ? SSL_get_cipher_name(t->ssl) : NULL;
}

cs_err
cs_tls_peer_cert_der(struct cs_tls *t, cs_blob *out)
{
    X509 *cert = SSL_get0_peer_certificate(t->ssl);
    unsigned char *der = NULL;
    int len;
    cs_err err;

    if (cert == NULL) {
        return CREDSSP_S_NOT_ESTABLISHED;
    }
    len = i2d_X509(cert, &der);
    if (len <= 0) {
        return CREDSSP_S_NOMEM;
    }
    err = cs_blob_set(out, der, (size_t)len);
    OPENSSL_free(der);
    return err;
}

/* cert_names: the certificate's subject and DNS/IP subjectAltNames, for an
 * error text. */
static void
cert_names(X509 *cert, char *subject, size_t subject_len, char *sans,
           size_t sans_len)
{
    GENERAL_NAMES *gens = X509_get_ext_d2i(cert, NID_subject_alt_name,
                                           NULL, NULL);
    size_t used = 0;
    int i;

    X509_NAME_oneline(X509_get_subject_name(cert), subject,
                      (int)subject_len);
    snprintf(sans, sans_len, "none");
    for (i = 0; i < sk_GENERAL_NAME_num(gens) && used < sans_len; i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        const char *sep = used > 0 ? ", " : "";
        int n = 0;

        if (g->type == GEN_DNS) {
            n = snprintf(sans + used, sans_len - used, "%sDNS:%.*s", sep,
                         ASN1_STRING_length(g->d.dNSName),
                         (const char *)ASN1_STRING_get0_data(g->d.dNSName));
        } else if (g->type == GEN_IPADD) {
            n = snprintf(sans + used, sans_len - used, "%sIP address", sep);
        }
        used += n > 0 ? (size_t)n : 0;
    }
    GENERAL_NAMES_free(gens);
}

cs_err
cs_tls_verify_peer(struct cs_tls *t)
{
    X509 *cert = SSL_get0_peer_certificate(t->ssl);
    const char *host = t->host;
    long result = SSL_get_verify_result(t->ssl);
    char subject[256], sans[256];

    if (cert == NULL) {
        cs_err_set_detail(CREDSSP_S_UNTRUSTED_CERT,
                          "SEC_E_UNTRUSTED_ROOT: the server sent no "
                          "certificate");
        return CREDSSP_S_UNTRUSTED_CERT;
    }
    cert_names(cert, subject, sizeof(subject), sans, sizeof(sans));
    if (result == X509_V_OK && host == NULL) {
        /* Nothing to compare the certificate with. */
        result = X509_V_ERR_HOSTNAME_MISMATCH;
    }
    switch (result) {
    case X509_V_OK:
        CS_TRACE("server certificate %s verified for %s", subject, host);
        return CS_OK;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        cs_err_set_detail(CREDSSP_S_WRONG_PRINCIPAL,
                          "SEC_E_WRONG_PRINCIPAL: the server certificate "
                          "\"%s\" (subjectAltName: %s) does not name the "
                          "target \"%s\"",
                          subject, sans, host != NULL ? host : "(none)");
        CS_TRACE("%s", cs_err_detail(CREDSSP_S_WRONG_PRINCIPAL));
        return CREDSSP_S_WRONG_PRINCIPAL;
    default:
        cs_err_set_detail(CREDSSP_S_UNTRUSTED_CERT,
                          "SEC_E_UNTRUSTED_ROOT: the server certificate "
                          "\"%s\" for the target \"%s\" could not be "
                          "validated: %s (trust anchors: ca_file or the "
                          "system store)",
                          subject, host != NULL ? host : "(none)",
                          X509_verify_cert_error_string(result));
        CS_TRACE("%s", cs_err_detail(CREDSSP_S_UNTRUSTED_CERT));
        return CREDSSP_S_UNTRUSTED_CERT;
    }
}
