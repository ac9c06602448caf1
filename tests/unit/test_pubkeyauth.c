/* SPDX-License-Identifier: MIT */
/*
 * test_pubkeyauth.c - Check suite for src/pubkeyauth.c: the values
 * pubKeyAuth carries, computed here from [MS-CSSP] 3.1.5's own words, not
 * from the code under test, so that a change both of our sides would
 * share (and so still agree on) is caught.
 *
 * Versions 2 to 4: the client sends the server's public key itself, the
 * server the same key with its first byte incremented by one.  Version 5
 * on: SHA-256 of the side's magic string (with its terminating NUL), the
 * 32-byte clientNonce and the key.  The hashes are computed here with
 * OpenSSL's EVP SHA-256 over those documented inputs, and for one fixed
 * key and nonce also compared with literal known answers (found once with
 * `openssl dgst -sha256` over the same bytes), which change with neither
 * the code under test nor this file's hashing.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "pubkeyauth.h"
#include "../check_run.h"

static const uint8_t key[] = { 0x30, 0x82, 0x01, 0x0a, 0x02, 0x82, 0x01,
                               0x01, 0x00, 0xc5, 0x7e, 0x11, 0x42 };
static const uint8_t key_ff[] = { 0xff, 0x01, 0x02 };

static uint8_t nonce[CS_NONCE_LEN];

static void
setup(void)
{
    size_t i;

    for (i = 0; i < sizeof(nonce); i++) {
        nonce[i] = (uint8_t)(0xa0 + i);
    }
}

/* value: cs_pubkeyauth_value into a blob the caller frees. */
static void
value(uint32_t v, bool server, const uint8_t *k, size_t len, cs_blob *out)
{
    memset(out, 0, sizeof(*out));
    ck_assert_int_eq(cs_pubkeyauth_value(v, server, nonce, k, len, out),
                     CS_OK);
}

/* expect_value: cs_pubkeyauth_value gives want. */
static void
expect_value(uint32_t v, bool server, const uint8_t *want, size_t len)
{
    cs_blob b;

    value(v, server, key, sizeof(key), &b);
    ck_assert_uint_eq(b.len, len);
    ck_assert_mem_eq(b.data, want, len);
    cs_blob_free(&b);
}

/* Versions 2-4: the client's value is the key, the server's the key with
 * the first byte plus one (0xff wraps to 0x00). */
START_TEST(test_old_versions_values)
{
    uint32_t v = (uint32_t)_i + 2;
    uint8_t want[sizeof(key)];
    cs_blob b;

    expect_value(v, false, key, sizeof(key));
    memcpy(want, key, sizeof(key));
    want[0] = (uint8_t)(want[0] + 1);
    expect_value(v, true, want, sizeof(want));

    value(v, true, key_ff, sizeof(key_ff), &b);
    ck_assert_uint_eq(b.data[0], 0x00);
    ck_assert_mem_eq(b.data + 1, key_ff + 1, sizeof(key_ff) - 1);
    cs_blob_free(&b);
}
END_TEST

/* Versions 2-4: a server echo without the +1 (what a reflecting man in
 * the middle returns) and a client value with it are refused. */
START_TEST(test_old_versions_check)
{
    uint32_t v = (uint32_t)_i + 2;
    uint8_t plus[sizeof(key)];

    memcpy(plus, key, sizeof(key));
    plus[0] = (uint8_t)(plus[0] + 1);
    ck_assert_int_eq(cs_pubkeyauth_check(v, true, nonce, key, sizeof(key),
                                         plus, sizeof(plus)), CS_OK);
    ck_assert_int_eq(cs_pubkeyauth_check(v, true, nonce, key, sizeof(key),
                                         key, sizeof(key)),
                     CREDSSP_S_PUBKEYAUTH_MISMATCH);
    ck_assert_int_eq(cs_pubkeyauth_check(v, false, nonce, key, sizeof(key),
                                         key, sizeof(key)), CS_OK);
    ck_assert_int_eq(cs_pubkeyauth_check(v, false, nonce, key, sizeof(key),
                                         plus, sizeof(plus)),
                     CREDSSP_S_PUBKEYAUTH_MISMATCH);
    ck_assert_int_eq(cs_pubkeyauth_check(v, false, nonce, key, sizeof(key),
                                         key, sizeof(key) - 1),
                     CREDSSP_S_PUBKEYAUTH_MISMATCH);
}
END_TEST

/* spec_hash: SHA-256(magic with its NUL || nonce || key), as [MS-CSSP]
 * 3.1.5 spells it. */
static void
spec_hash(const char *magic, uint8_t out[32])
{
    uint8_t buf[64 + CS_NONCE_LEN + sizeof(key)];
    size_t m = strlen(magic) + 1;

    ck_assert_uint_le(m, 64);
    memcpy(buf, magic, m);
    memcpy(buf + m, nonce, CS_NONCE_LEN);
    memcpy(buf + m + CS_NONCE_LEN, key, sizeof(key));
    ck_assert_int_eq(EVP_Digest(buf, m + CS_NONCE_LEN + sizeof(key), out,
                                NULL, EVP_sha256(), NULL), 1);
}

/* Versions 5 and 6: the two hashes, each side's own; another nonce gives
 * another value, and one side's value does not pass for the other's. */
START_TEST(test_new_versions)
{
    uint32_t v = (uint32_t)_i + 5;
    uint8_t client[32], server[32];

    spec_hash("CredSSP Client-To-Server Binding Hash", client);
    spec_hash("CredSSP Server-To-Client Binding Hash", server);
    expect_value(v, false, client, sizeof(client));
    expect_value(v, true, server, sizeof(server));

    ck_assert_int_eq(cs_pubkeyauth_check(v, true, nonce, key, sizeof(key),
                                         server, sizeof(server)), CS_OK);
    ck_assert_int_eq(cs_pubkeyauth_check(v, true, nonce, key, sizeof(key),
                                         client, sizeof(client)),
                     CREDSSP_S_PUBKEYAUTH_MISMATCH);
    nonce[0] ^= 1;
    ck_assert_int_eq(cs_pubkeyauth_check(v, false, nonce, key, sizeof(key),
                                         client, sizeof(client)),
                     CREDSSP_S_PUBKEYAUTH_MISMATCH);
}
END_TEST

/* Known answers for key and the nonce a0 a1 ... bf. */
static const uint8_t kat_client[32] = {
    0x5f, 0x37, 0x5a, 0x32, 0x8d, 0xd4, 0x17, 0x36, 0x99, 0x3d, 0x7f,
    0x6e, 0xed, 0x94, 0x61, 0x94, 0x4d, 0xe6, 0xbd, 0x3a, 0xfb, 0x51,
    0xea, 0x86, 0x8b, 0x21, 0xc2, 0xff, 0x6e, 0xf9, 0xe2, 0xa7,
};
static const uint8_t kat_server[32] = {
    0xbe, 0xd7, 0x14, 0x83, 0x92, 0xed, 0x76, 0x07, 0x35, 0x84, 0x03,
    0x00, 0xa7, 0xca, 0x73, 0x04, 0x5e, 0x4e, 0x12, 0xcc, 0xac, 0x17,
    0x0b, 0x96, 0xfa, 0xb1, 0xee, 0x3a, 0x4f, 0x4e, 0x43, 0xcc,
};

START_TEST(test_known_answers)
{
    uint32_t v = (uint32_t)_i + 5;
    uint8_t h[32];

    spec_hash("CredSSP Client-To-Server Binding Hash", h);
    ck_assert_mem_eq(h, kat_client, sizeof(h));
    spec_hash("CredSSP Server-To-Client Binding Hash", h);
    ck_assert_mem_eq(h, kat_server, sizeof(h));
    expect_value(v, false, kat_client, sizeof(kat_client));
    expect_value(v, true, kat_server, sizeof(kat_server));
}
END_TEST

/* Versions 2-4 do not use the nonce: another one gives the same value. */
START_TEST(test_old_versions_no_nonce)
{
    uint32_t v = (uint32_t)_i + 2;
    cs_blob a, b;

    value(v, true, key, sizeof(key), &a);
    memset(nonce, 0, sizeof(nonce));
    value(v, true, key, sizeof(key), &b);
    ck_assert_uint_eq(a.len, b.len);
    ck_assert_mem_eq(a.data, b.data, a.len);
    cs_blob_free(&a);
    cs_blob_free(&b);
}
END_TEST

/* No key: nothing to bind, refused for every version and side, by the
 * check too. */
START_TEST(test_empty_key)
{
    uint32_t v = (uint32_t)_i / 2 + 2;
    bool server = _i % 2 == 1;
    cs_blob b = { 0 };

    ck_assert_int_eq(cs_pubkeyauth_value(v, server, nonce, key, 0, &b),
                     CREDSSP_S_INTERNAL);
    ck_assert_ptr_null(b.data);
    ck_assert_int_eq(cs_pubkeyauth_check(v, server, nonce, key, 0, key,
                                         sizeof(key)),
                     CREDSSP_S_INTERNAL);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("pubkeyauth");
    TCase *tc = tcase_create("pubkeyauth");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_loop_test(tc, test_old_versions_values, 0, 3);
    tcase_add_loop_test(tc, test_old_versions_check, 0, 3);
    tcase_add_loop_test(tc, test_new_versions, 0, 2);
    tcase_add_loop_test(tc, test_known_answers, 0, 2);
    tcase_add_loop_test(tc, test_old_versions_no_nonce, 0, 3);
    tcase_add_loop_test(tc, test_empty_key, 0, 10);
    suite_add_tcase(s, tc);
    return check_run(s, false);
}
