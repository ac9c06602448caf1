/* SPDX-License-Identifier: MIT */
/*
 * pubkeyauth.h - what pubKeyAuth carries ([MS-CSSP] 3.1.5): the binding of
 * the TLS server key to the inner authentication.
 */
#ifndef CS_PUBKEYAUTH_H
#define CS_PUBKEYAUTH_H

#include "cs.h"
#include "tsrequest.h"

/*
 * cs_pubkeyauth_value: the plaintext one side wraps into pubKeyAuth.
 * Version 5 and later: SHA-256 of the side's magic string (with its NUL),
 * the 32-byte nonce and the key.  Versions 2 to 4: the client sends the key
 * itself, the server the key with its first byte plus one.
 */
cs_err cs_pubkeyauth_value(uint32_t version, bool from_server,
                           const uint8_t nonce[static CS_NONCE_LEN],
                           const uint8_t *key, size_t key_len,
                           cs_blob *out) CS_WUR;

/*
 * cs_pubkeyauth_check: compares, in constant time, the unwrapped pubKeyAuth
 * the peer sent with what it must be; CREDSSP_S_PUBKEYAUTH_MISMATCH if not.
 */
cs_err cs_pubkeyauth_check(uint32_t version, bool from_server,
                           const uint8_t nonce[static CS_NONCE_LEN],
                           const uint8_t *key, size_t key_len,
                           const uint8_t *got, size_t got_len) CS_WUR;

#endif /* CS_PUBKEYAUTH_H */
