/* SPDX-License-Identifier: MIT */
/*
 * tlsalert.c - see tlsalert.h.
 *
 * The record is what OpenSSL itself would write ([RFC 8446] 5.2 and 7.3;
 * [RFC 5246] 6.3 with [RFC 5288] and [RFC 7905] for the AEAD nonces):
 *   TLS 1.3: 17 03 03 len, AEAD(key, iv ^ seq, header, 02 desc 15)
 *   TLS 1.2: 15 03 03 len, [explicit nonce] AEAD(key, nonce,
 *            seq || 15 03 03 00 02, 02 desc)
 * Every key, IV and secret lives on the stack or in the context and is
 * wiped after use.
 */
#include "config.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "tlsalert.h"

#define ALERT_FATAL 2
#define REC_ALERT 21
#define REC_APPLICATION_DATA 23
#define TLS12_FIXED_IV_LEN 4          /* GCM, CCM ([RFC 5288], [RFC 6655]) */
#define TLS12_EXPLICIT_NONCE_LEN 8
#define AEAD_NONCE_LEN 12
#define MASTER_SECRET_LEN 48
#define RANDOM_LEN 32

/* The AEAD families we can seal with. */
enum aead_kind { AEAD_NONE, AEAD_GCM, AEAD_CCM, AEAD_CHACHA };

void
cs_alert_on_keylog(struct cs_alert_keys *k, bool server, const char *line)
{
    const char *label = server ? "SERVER_TRAFFIC_SECRET_0 "
                               : "CLIENT_TRAFFIC_SECRET_0 ";
    const char *p;
    size_t n, len = 0;
    int ok;

    if (strncmp(line, label, strlen(label)) != 0) {
        return;
    }
    /* NSS key-log format: LABEL <client random> <secret>, in hex. */
    p = strchr(line + strlen(label), ' ');
    if (p == NULL) {
        return;
    }
    p++;
    n = strlen(p);
    if (n % 2 != 0 || n / 2 > sizeof(k->secret)) {
        return;
    }
    /* OpenSSL checks the digits; its error for a bad one comes off its
     * queue again, as this runs inside the TLS handshake. */
    ERR_set_mark();
    ok = OPENSSL_hexstr2buf_ex(k->secret, sizeof(k->secret), &len, p,
                               '\0') == 1 &&
         len == n / 2;
    ERR_pop_to_mark();
    if (!ok) {
        cs_alert_keys_wipe(k);
        return;
    }
    k->secret_len = len;
}

void
cs_alert_on_msg(struct cs_alert_keys *k, int write_p, int version,
                int content_type, const void *buf, size_t len)
{
    const uint8_t *b = buf;

    if (!write_p) {
        return;
    }
    switch (content_type) {
    case SSL3_RT_HEADER:
        /* One call per record written, after it was sealed. */
        if (k->counting) {
            k->write_seq++;
        }
        break;
    case SSL3_RT_CHANGE_CIPHER_SPEC:
        /* TLS 1.2: the records after our ChangeCipherSpec use the new
         * keys, from sequence number 0.  (TLS 1.3's is a dummy.) */
        if (version != TLS1_3_VERSION) {
            k->write_seq = 0;
            k->counting = true;
        }
        break;
    case SSL3_RT_HANDSHAKE:
        if (version != TLS1_3_VERSION || len < 1) {
            break;
        }
        /* TLS 1.3: after our Finished come the application keys; after
         * a KeyUpdate of ours, keys we do not follow. */
        if (b[0] == SSL3_MT_FINISHED) {
            k->write_seq = 0;
            k->counting = true;
        } else if (b[0] == SSL3_MT_KEY_UPDATE) {
            k->lost = true;
        }
        break;
    default:
        break;
    }
}

void
cs_alert_keys_wipe(struct cs_alert_keys *k)
{
    cs_wipe(k->secret, sizeof(k->secret));
    k->secret_len = 0;
}

/* aead_of: the AEAD family, tag length and cipher of a suite. */
static enum aead_kind
aead_of(const SSL_CIPHER *c, const EVP_CIPHER **cipher, size_t *tag_len)
{
    int nid = SSL_CIPHER_get_cipher_nid(c);
    const char *name = SSL_CIPHER_get_name(c);

    *cipher = EVP_get_cipherbynid(nid);
    *tag_len = 16;
    if (*cipher == NULL || !SSL_CIPHER_is_aead(c)) {
        return AEAD_NONE;
    }
    if (nid == NID_chacha20_poly1305) {
        return AEAD_CHACHA;
    }
    switch (EVP_CIPHER_get_mode(*cipher)) {
    case EVP_CIPH_GCM_MODE:
        return AEAD_GCM;
    case EVP_CIPH_CCM_MODE:
        if (strstr(name, "CCM8") != NULL || strstr(name, "CCM_8") != NULL) {
            *tag_len = 8;
        }
        return AEAD_CCM;
    default:
        return AEAD_NONE;
    }
}

/* aead_seal: encrypts pt_len bytes of pt into ct and the tag after it. */
static bool
aead_seal(const EVP_CIPHER *cipher, enum aead_kind kind, const uint8_t *key,
          const uint8_t nonce[static AEAD_NONCE_LEN], const uint8_t *aad,
          size_t aad_len, const uint8_t *pt, size_t pt_len, uint8_t *ct,
          size_t tag_len)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0;
    bool ok;

    ok = ctx != NULL &&
         EVP_EncryptInit_ex(ctx, cipher, NULL, NULL, NULL) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, AEAD_NONCE_LEN,
                             NULL) == 1 &&
         (kind != AEAD_CCM ||
          EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)tag_len,
                              NULL) == 1) &&
         EVP_EncryptInit_ex(ctx, NULL, NULL, key, nonce) == 1 &&
         (kind != AEAD_CCM ||
          EVP_EncryptUpdate(ctx, NULL, &n, NULL, (int)pt_len) == 1) &&
         EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1 &&
         EVP_EncryptUpdate(ctx, ct, &n, pt, (int)pt_len) == 1 &&
         EVP_EncryptFinal_ex(ctx, ct + n, &fin) == 1 &&
         (size_t)(n + fin) == pt_len &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)tag_len,
                             ct + pt_len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* tls13_expand: HKDF-Expand-Label(secret, label, "", out_len) ([RFC 8446]
 * 7.1) with OpenSSL's TLS13-KDF. */
static bool
tls13_expand(const EVP_MD *md, const uint8_t *secret, size_t secret_len,
             const char *label, uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_TLS1_3_KDF, NULL);
    EVP_KDF_CTX *kctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM params[7];
    bool ok;

    params[0] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    params[1] = OSSL_PARAM_construct_utf8_string(
        OSSL_KDF_PARAM_DIGEST, (char *)EVP_MD_get0_name(md), 0);
    params[2] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_KEY, (void *)secret, secret_len);
    params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX,
                                                  (void *)"tls13 ", 6);
    params[4] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_LABEL, (void *)label, strlen(label));
    params[5] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_DATA,
                                                  (void *)"", 0);
    params[6] = OSSL_PARAM_construct_end();
    ok = kctx != NULL && EVP_KDF_derive(kctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    return ok;
}

/* tls12_key_block: the first out_len bytes of the TLS 1.2 key block,
 * PRF(master_secret, "key expansion", server_random + client_random)
 * ([RFC 5246] 6.3), with OpenSSL's TLS1-PRF. */
static bool
tls12_key_block(SSL *ssl, const EVP_MD *md, uint8_t *out, size_t out_len)
{
    static const char label[] = "key expansion";
    uint8_t master[MASTER_SECRET_LEN];
    uint8_t seed[sizeof(label) - 1 + 2 * RANDOM_LEN];
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_TLS1_PRF, NULL);
    EVP_KDF_CTX *kctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[4];
    size_t mlen;
    bool ok = false;

    mlen = SSL_SESSION_get_master_key(SSL_get_session(ssl), master,
                                      sizeof(master));
    memcpy(seed, label, sizeof(label) - 1);
    if (kctx == NULL || mlen != sizeof(master) ||
        SSL_get_server_random(ssl, seed + sizeof(label) - 1, RANDOM_LEN) !=
            RANDOM_LEN ||
        SSL_get_client_random(ssl, seed + sizeof(label) - 1 + RANDOM_LEN,
                              RANDOM_LEN) != RANDOM_LEN) {
        goto cleanup;
    }
    params[0] = OSSL_PARAM_construct_utf8_string(
        OSSL_KDF_PARAM_DIGEST, (char *)EVP_MD_get0_name(md), 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET,
                                                  master, mlen);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED,
                                                  seed, sizeof(seed));
    params[3] = OSSL_PARAM_construct_end();
    ok = EVP_KDF_derive(kctx, out, out_len, params) == 1;

cleanup:
    cs_wipe(master, sizeof(master));
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    return ok;
}

/* put_seq: the 64-bit sequence number, big-endian. */
static void
put_seq(uint8_t out[static 8], uint64_t seq)
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t)seq;
        seq >>= 8;
    }
}

/* xor_seq: nonce = iv with the sequence number XORed into its last 8
 * bytes ([RFC 8446] 5.3, [RFC 7905] 2). */
static void
xor_seq(uint8_t nonce[static AEAD_NONCE_LEN], uint64_t seq)
{
    uint8_t s[8];

    put_seq(s, seq);
    for (int i = 0; i < 8; i++) {
        nonce[AEAD_NONCE_LEN - 8 + i] ^= s[i];
    }
}

/* put_header: a TLS 1.2-style record header of the given type and body
 * length (at most 255 here). */
static void
put_header(uint8_t rec[static 5], uint8_t type, size_t body)
{
    rec[0] = type;
    rec[1] = 3;
    rec[2] = 3;
    rec[3] = 0;
    rec[4] = (uint8_t)body;
}

/* seal_tls13: the record in rec (room for 5 + 3 + 16 bytes). */
static bool
seal_tls13(struct cs_alert_keys *k, const EVP_CIPHER *cipher,
           enum aead_kind kind, const EVP_MD *md, size_t tag_len,
           uint8_t desc, uint8_t *rec, size_t *rec_len)
{
    uint8_t key[EVP_MAX_KEY_LENGTH], nonce[AEAD_NONCE_LEN];
    const uint8_t inner[3] = { ALERT_FATAL, desc, REC_ALERT };
    size_t key_len = (size_t)EVP_CIPHER_get_key_length(cipher);
    size_t body = sizeof(inner) + tag_len;
    bool ok;

    put_header(rec, REC_APPLICATION_DATA, body);
    ok = k->secret_len > 0 && key_len <= sizeof(key) &&
         tls13_expand(md, k->secret, k->secret_len, "key", key, key_len) &&
         tls13_expand(md, k->secret, k->secret_len, "iv", nonce,
                      sizeof(nonce));
    if (ok) {
        xor_seq(nonce, k->write_seq);
        ok = aead_seal(cipher, kind, key, nonce, rec, 5, inner,
                       sizeof(inner), rec + 5, tag_len);
    }
    *rec_len = 5 + body;
    cs_wipe(key, sizeof(key));
    cs_wipe(nonce, sizeof(nonce));
    return ok;
}

/* seal_tls12: the record in rec (room for 5 + 8 + 2 + 16 bytes). */
static bool
seal_tls12(struct cs_alert_keys *k, SSL *ssl, const EVP_CIPHER *cipher,
           enum aead_kind kind, const EVP_MD *md, size_t tag_len,
           uint8_t desc, uint8_t *rec, size_t *rec_len)
{
    uint8_t block[2 * EVP_MAX_KEY_LENGTH + 2 * AEAD_NONCE_LEN];
    uint8_t nonce[AEAD_NONCE_LEN], aad[13];
    const uint8_t pt[2] = { ALERT_FATAL, desc };
    size_t key_len = (size_t)EVP_CIPHER_get_key_length(cipher);
    size_t iv_len = kind == AEAD_CHACHA ? AEAD_NONCE_LEN
                                        : TLS12_FIXED_IV_LEN;
    size_t explicit_len = kind == AEAD_CHACHA ? 0 : TLS12_EXPLICIT_NONCE_LEN;
    size_t body = explicit_len + sizeof(pt) + tag_len;
    /* Server write key and IV follow the client's ([RFC 5246] 6.3; no
     * MAC keys with AEAD). */
    size_t key_at = SSL_is_server(ssl) ? key_len : 0;
    size_t iv_at = 2 * key_len + (SSL_is_server(ssl) ? iv_len : 0);
    bool ok;

    put_header(rec, REC_ALERT, body);
    ok = key_len <= EVP_MAX_KEY_LENGTH &&
         tls12_key_block(ssl, md, block, 2 * key_len + 2 * iv_len);
    if (ok) {
        memcpy(nonce, block + iv_at, iv_len);
        if (kind == AEAD_CHACHA) {
            xor_seq(nonce, k->write_seq);
        } else {
            /* A fresh explicit nonce: unique under this key, as OpenSSL's
             * own counter is (it starts at a random value). */
            ok = RAND_bytes(nonce + iv_len, (int)explicit_len) == 1;
            memcpy(rec + 5, nonce + iv_len, explicit_len);
        }
    }
    if (ok) {
        /* seq_num || type || version || length ([RFC 5246] 6.2.3.3) */
        put_seq(aad, k->write_seq);
        put_header(aad + 8, REC_ALERT, sizeof(pt));
        ok = aead_seal(cipher, kind, block + key_at, nonce, aad,
                       sizeof(aad), pt, sizeof(pt), rec + 5 + explicit_len,
                       tag_len);
    }
    *rec_len = 5 + body;
    cs_wipe(block, sizeof(block));
    cs_wipe(nonce, sizeof(nonce));
    return ok;
}

cs_err
cs_alert_record(struct cs_alert_keys *k, SSL *ssl, uint8_t desc,
                cs_blob *out)
{
    const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
    const EVP_CIPHER *cipher = NULL;
    const EVP_MD *md;
    enum aead_kind kind;
    uint8_t rec[5 + TLS12_EXPLICIT_NONCE_LEN + 3 + 16];
    size_t tag_len = 0, rec_len = 0;
    bool ok;

    if (!SSL_is_init_finished(ssl) || c == NULL || !k->counting ||
        k->lost) {
        return CREDSSP_S_UNSUPPORTED_OPTION;
    }
    kind = aead_of(c, &cipher, &tag_len);
    md = SSL_CIPHER_get_handshake_digest(c);
    if (kind == AEAD_NONE || md == NULL) {
        return CREDSSP_S_UNSUPPORTED_OPTION;
    }
    if (SSL_version(ssl) == TLS1_3_VERSION) {
        ok = seal_tls13(k, cipher, kind, md, tag_len, desc, rec, &rec_len);
    } else if (SSL_version(ssl) == TLS1_2_VERSION) {
        ok = seal_tls12(k, ssl, cipher, kind, md, tag_len, desc, rec,
                        &rec_len);
    } else {
        return CREDSSP_S_UNSUPPORTED_OPTION;
    }
    if (!ok) {
        return CREDSSP_S_UNSUPPORTED_OPTION;
    }
    return cs_blob_set(out, rec, rec_len);
}
