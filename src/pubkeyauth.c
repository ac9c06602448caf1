/* SPDX-License-Identifier: MIT */
/*
 * pubkeyauth.c - pubKeyAuth values and their constant-time check.
 */
#include "config.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "pubkeyauth.h"

/* [MS-CSSP] 3.1.5: the magic strings include their terminating NUL. */
static const char client_magic[] = "CredSSP Client-To-Server Binding Hash";
static const char server_magic[] = "CredSSP Server-To-Client Binding Hash";
_Static_assert(sizeof(client_magic) == sizeof(server_magic),
               "the two magic strings hash the same number of bytes");

cs_err
cs_pubkeyauth_value(uint32_t version, bool from_server,
                    const uint8_t nonce[static CS_NONCE_LEN],
                    const uint8_t *key, size_t key_len, cs_blob *out)
{
    const char *magic = from_server ? server_magic : client_magic;
    uint8_t digest[32];
    unsigned int dlen = 0;
    EVP_MD_CTX *md = NULL;
    cs_err err = CREDSSP_S_INTERNAL;

    if (key_len == 0) {
        return CREDSSP_S_INTERNAL;
    }
    if (version < 5) {
        err = cs_blob_set(out, key, key_len);
        if (err == CS_OK && from_server) {
            out->data[0] = (uint8_t)(out->data[0] + 1);
        }
        return err;
    }
    md = EVP_MD_CTX_new();
    if (md == NULL) {
        return CREDSSP_S_NOMEM;
    }
    if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
        EVP_DigestUpdate(md, magic,
                         from_server ? sizeof(server_magic)
                                     : sizeof(client_magic)) == 1 &&
        EVP_DigestUpdate(md, nonce, CS_NONCE_LEN) == 1 &&
        EVP_DigestUpdate(md, key, key_len) == 1 &&
        EVP_DigestFinal_ex(md, digest, &dlen) == 1 && dlen == 32) {
        err = cs_blob_set(out, digest, dlen);
    }
    EVP_MD_CTX_free(md);
    return err;
}

cs_err
cs_pubkeyauth_check(uint32_t version, bool from_server,
                    const uint8_t nonce[static CS_NONCE_LEN],
                    const uint8_t *key, size_t key_len,
                    const uint8_t *got, size_t got_len)
{
    cs_blob want = { 0 };
    cs_err err = cs_pubkeyauth_value(version, from_server, nonce, key,
                                     key_len, &want);

    if (err != CS_OK) {
        return err;
    }
    if (got_len != want.len ||
        CRYPTO_memcmp(got, want.data, want.len) != 0) {
        err = CREDSSP_S_PUBKEYAUTH_MISMATCH;
    }
    cs_blob_free(&want);
    return err;
}
