/* SPDX-License-Identifier: MIT */
/*
 * test_tsrequest.c - Check suite for src/tsrequest.c: TSRequest and
 * TSCredentials ([MS-CSSP] 2.2.1): DER out; in, DER with lengths in any
 * definite form and one trailing UTF-16 NUL on credential strings.
 *
 * Known answers come from pyspnego's test vectors, from DER worked
 * out by hand from the ASN.1, and from a raw-NTLM version-6 exchange that
 * sspi-rs publishes; the latter are read from hex files in the directory
 * named by VECTORS_DIR (else $srcdir/tests/vectors, else tests/vectors).
 * Every valid message is also cut at every offset and mutated byte by
 * byte: whatever decodes must re-encode to the same bytes but for the
 * two leniencies (checked by the independent oracle of der_equiv.h).
 */
#include <check.h>
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tsrequest.h"

#include "../fuzz/der_equiv.h"
#include "../check_run.h"

/* Bytes given as a string literal, which may contain NULs. */
#define LIT(s) (const uint8_t *)(s), (sizeof(s) - 1)

#define NUM_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Helpers.
 */

/* is_zero: whether len bytes at p are all zero. */
static bool
is_zero(const void *p, size_t len)
{
    const uint8_t *b = p;
    size_t i;

    for (i = 0; i < len; i++) {
        if (b[i] != 0) {
            return false;
        }
    }
    return true;
}

/* blob_eq: whether blob b holds exactly len bytes equal to want. */
static bool
blob_eq(const cs_blob *b, const uint8_t *want, size_t len)
{
    return b->len == len && (len == 0 || memcmp(b->data, want, len) == 0);
}

/* hex_value: the value of one hex digit, or -1. */
static int
hex_value(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/*
 * load_vector: reads the hex file name from the vectors directory into a
 * new buffer in *out and returns its length.  '#' starts a comment that
 * runs to the end of the line; whitespace is ignored; anything else must
 * be pairs of hex digits.
 */
static size_t
load_vector(const char *name, uint8_t **out)
{
    const char *dir = getenv("VECTORS_DIR");
    const char *srcdir = getenv("srcdir");
    char path[PATH_MAX];
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    int c, hi = -1, v;
    FILE *f;

    if (dir != NULL && dir[0] != '\0') {
        snprintf(path, sizeof(path), "%s/%s", dir, name);
    } else if (srcdir != NULL && srcdir[0] != '\0') {
        /* Automake's test harness exports srcdir. */
        snprintf(path, sizeof(path), "%s/tests/vectors/%s", srcdir, name);
    } else {
        snprintf(path, sizeof(path), "tests/vectors/%s", name);
    }
    f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open vector %s", path);
    while ((c = fgetc(f)) != EOF) {
        if (c == '#') {
            while ((c = fgetc(f)) != EOF && c != '\n') {
                continue;
            }
            ck_assert_msg(hi < 0, "%s: odd hex digit before comment", path);
            continue;
        }
        if (isspace(c)) {
            continue;
        }
        v = hex_value(c);
        ck_assert_msg(v >= 0, "%s: bad character 0x%02x", path, c);
        if (hi < 0) {
            hi = v;
            continue;
        }
        if (len == cap) {
            cap = cap == 0 ? 256 : cap * 2;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
        buf[len++] = (uint8_t)(hi << 4 | v);
        hi = -1;
    }
    fclose(f);
    ck_assert_msg(hi < 0, "%s: odd number of hex digits", path);
    ck_assert_msg(len > 0, "%s: no bytes", path);
    *out = buf;
    return len;
}

/* reencode_req: encodes req and asserts the result is want exactly. */
static void
reencode_req(const struct cs_tsrequest *req, const uint8_t *want,
             size_t len)
{
    cs_blob der = { 0 };

    ck_assert_int_eq(cs_tsrequest_encode(req, &der), CS_OK);
    ck_assert_uint_eq(der.len, len);
    ck_assert_mem_eq(der.data, want, len);
    cs_blob_free(&der);
}

/* roundtrip_req: decodes in, re-encodes it and compares; returns through
 * *out (which the caller clears) what was decoded. */
static void
roundtrip_req(const uint8_t *in, size_t len, struct cs_tsrequest *out)
{
    ck_assert_int_eq(cs_tsrequest_decode(in, len, out), CS_OK);
    reencode_req(out, in, len);
}

/* bad_req: decoding in must fail with want and leave the output zeroed. */
static void
bad_req_code(const uint8_t *in, size_t len, cs_err want)
{
    struct cs_tsrequest req;

    memset(&req, 0, sizeof(req));
    ck_assert_int_eq(cs_tsrequest_decode(in, len, &req), want);
    ck_assert(is_zero(&req, sizeof(req)));
}

/* bad_req: decoding in must fail as CREDSSP_S_BAD_DER. */
static void
bad_req(const uint8_t *in, size_t len)
{
    bad_req_code(in, len, CREDSSP_S_BAD_DER);
}

/* reencode_creds: encodes creds and asserts the result is want. */
static void
reencode_creds(const struct cs_tscredentials *creds, const uint8_t *want,
               size_t len)
{
    cs_blob der = { 0 };

    ck_assert_int_eq(cs_tscredentials_encode(creds, &der), CS_OK);
    ck_assert_uint_eq(der.len, len);
    ck_assert_mem_eq(der.data, want, len);
    cs_blob_free_secret(&der);
}

/* bad_creds: decoding in must fail with want and leave the output
 * zeroed. */
static void
bad_creds(const uint8_t *in, size_t len, cs_err want)
{
    struct cs_tscredentials creds;

    memset(&creds, 0, sizeof(creds));
    ck_assert_int_eq(cs_tscredentials_decode(in, len, &creds), want);
    ck_assert(is_zero(&creds, sizeof(creds)));
}

/* all_truncations_req: every proper prefix of a valid TSRequest (the empty
 * one included) is refused. */
static void
all_truncations_req(const uint8_t *msg, size_t len)
{
    uint8_t *copy;
    size_t cut;

    for (cut = 0; cut < len; cut++) {
        /* A fresh allocation of exactly cut bytes lets valgrind and ASan
         * see any read past the end. */
        copy = malloc(cut > 0 ? cut : 1);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, msg, cut);
        bad_req(copy, cut);
        free(copy);
    }
}

/* all_truncations_creds: the same for TSCredentials. */
static void
all_truncations_creds(const uint8_t *msg, size_t len)
{
    uint8_t *copy;
    size_t cut;

    for (cut = 0; cut < len; cut++) {
        copy = malloc(cut > 0 ? cut : 1);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, msg, cut);
        bad_creds(copy, cut, CREDSSP_S_BAD_DER);
        free(copy);
    }
}

/* The byte masks the mutation sweeps apply at each offset. */
static const uint8_t flips[] = { 0x01, 0x02, 0x20, 0x80, 0xff };

/* equiv_req: whether req encodes to in but for length forms. */
static void
equiv_req(const struct cs_tsrequest *req, const uint8_t *in, size_t len)
{
    cs_blob der = { 0 };

    ck_assert_int_eq(cs_tsrequest_encode(req, &der), CS_OK);
    ck_assert_msg(der_equiv(in, len, der.data, der.len, false),
                  "decoded TSRequest is more than a length form away");
    cs_blob_free(&der);
}

/* equiv_creds: whether creds encode to in but for length forms and one
 * trailing NUL per string. */
static void
equiv_creds(const struct cs_tscredentials *creds, const uint8_t *in,
            size_t len)
{
    cs_blob der = { 0 };

    ck_assert_int_eq(cs_tscredentials_encode(creds, &der), CS_OK);
    ck_assert_msg(der_equiv(in, len, der.data, der.len, true),
                  "decoded TSCredentials are more than the leniencies "
                  "away");
    cs_blob_free_secret(&der);
}

/*
 * mutate_req: flips bits at every offset of a valid TSRequest.  Whatever
 * still decodes must re-encode to the mutated bytes but for the length
 * forms (the only other accepted non-canonical form, a 5-byte positive
 * errorCode, cannot arise here); whatever fails must leave the output
 * zeroed.
 */
static void
mutate_req(const uint8_t *msg, size_t len)
{
    struct cs_tsrequest req;
    uint8_t *copy = malloc(len);
    size_t off, f;
    cs_err err;

    ck_assert_ptr_nonnull(copy);
    for (off = 0; off < len; off++) {
        for (f = 0; f < NUM_ELEMS(flips); f++) {
            memcpy(copy, msg, len);
            copy[off] ^= flips[f];
            memset(&req, 0, sizeof(req));
            err = cs_tsrequest_decode(copy, len, &req);
            if (err == CS_OK) {
                equiv_req(&req, copy, len);
                cs_tsrequest_clear(&req);
            } else {
                ck_assert_int_eq(err, CREDSSP_S_BAD_DER);
                ck_assert(is_zero(&req, sizeof(req)));
            }
        }
    }
    free(copy);
}

/* mutate_creds: the same sweep for TSCredentials, where text and type
 * errors are also possible outcomes. */
static void
mutate_creds(const uint8_t *msg, size_t len)
{
    struct cs_tscredentials creds;
    uint8_t *copy = malloc(len);
    size_t off, f;
    cs_err err;

    ck_assert_ptr_nonnull(copy);
    for (off = 0; off < len; off++) {
        for (f = 0; f < NUM_ELEMS(flips); f++) {
            memcpy(copy, msg, len);
            copy[off] ^= flips[f];
            memset(&creds, 0, sizeof(creds));
            err = cs_tscredentials_decode(copy, len, &creds);
            if (err == CS_OK) {
                equiv_creds(&creds, copy, len);
                cs_tscredentials_clear(&creds);
            } else {
                ck_assert_msg(err == CREDSSP_S_BAD_DER ||
                              err == CREDSSP_S_BAD_UTF16 ||
                              err == CREDSSP_S_BAD_CRED_TYPE,
                              "offset %zu: unexpected error 0x%x", off,
                              (unsigned)err);
                ck_assert(is_zero(&creds, sizeof(creds)));
            }
        }
    }
    free(copy);
}

/*
 * Known answers.
 */

/* pyspnego's vector: TSRequest(6, negoToken "123", authInfo "auth info",
 * pubKeyAuth "pub key auth", errorCode 10, clientNonce "client nonce"). */
static const char kat_request[] =
    "\x30\x44\xa0\x03\x02\x01\x06\xa1\x0b\x30\x09\x30\x07\xa0\x05\x04\x03"
    "123"
    "\xa2\x0b\x04\x09"
    "auth info"
    "\xa3\x0e\x04\x0c"
    "pub key auth"
    "\xa4\x03\x02\x01\x0a\xa5\x0e\x04\x0c"
    "client nonce";

/* pyspnego's vector: TSCredentials(1, TSPasswordCreds("domain name",
 * "username", "password")) with UTF-16LE text. */
static const char kat_password[] =
    "\x30\x4d\xa0\x03\x02\x01\x01\xa1\x46\x04\x44\x30\x42"
    "\xa0\x18\x04\x16"
    "d\0o\0m\0a\0i\0n\0 \0n\0a\0m\0e\0"
    "\xa1\x12\x04\x10"
    "u\0s\0e\0r\0n\0a\0m\0e\0"
    "\xa2\x12\x04\x10"
    "p\0a\0s\0s\0w\0o\0r\0d\0";

/* Empty TSPasswordCreds (restricted admin), worked out by hand. */
static const char kat_empty_password[] =
    "\x30\x17\xa0\x03\x02\x01\x01\xa1\x10\x04\x0e\x30\x0c"
    "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x02\x04\x00";

/* TSSmartCardCreds(pin "1", cspData{keySpec 1}), worked out by hand. */
static const char kat_smartcard[] =
    "\x30\x1a\xa0\x03\x02\x01\x02\xa1\x13\x04\x11"
    "\x30\x0f\xa0\x04\x04\x02\x31\x00"
    "\xa1\x07\x30\x05\xa0\x03\x02\x01\x01";

/* TSRemoteGuardCreds(logonCred{"K", 01 02}), worked out by hand. */
static const char kat_remote_guard[] =
    "\x30\x1b\xa0\x03\x02\x01\x06\xa1\x14\x04\x12"
    "\x30\x10\xa0\x0e\x30\x0c"
    "\xa0\x04\x04\x02\x4b\x00\xa1\x04\x04\x02\x01\x02";

/* The smallest TSRequest: version 6 alone. */
static const char min_request[] = "\x30\x05\xa0\x03\x02\x01\x06";

/* The pyspnego TSRequest, built from fields, encodes byte for byte. */
START_TEST(test_kat_request_encode)
{
    struct cs_tsrequest req = { 0 };

    req.version = 6;
    ck_assert_int_eq(cs_tsrequest_add_nego_token(&req, "123", 3), CS_OK);
    req.has_auth_info = true;
    ck_assert_int_eq(cs_blob_set(&req.auth_info, "auth info", 9), CS_OK);
    req.has_pub_key_auth = true;
    ck_assert_int_eq(cs_blob_set(&req.pub_key_auth, "pub key auth", 12),
                     CS_OK);
    req.has_error_code = true;
    req.error_code = 10;
    req.has_client_nonce = true;
    ck_assert_int_eq(cs_blob_set(&req.client_nonce, "client nonce", 12),
                     CS_OK);
    reencode_req(&req, LIT(kat_request));
    cs_tsrequest_clear(&req);
    ck_assert(is_zero(&req, sizeof(req)));
}
END_TEST

/* The pyspnego TSRequest decodes to its fields and back. */
START_TEST(test_kat_request_decode)
{
    struct cs_tsrequest req = { 0 };

    roundtrip_req(LIT(kat_request), &req);
    ck_assert_uint_eq(req.version, 6);
    ck_assert_uint_eq(req.num_nego_tokens, 1);
    ck_assert(blob_eq(&req.nego_tokens[0], LIT("123")));
    ck_assert(req.has_auth_info);
    ck_assert(blob_eq(&req.auth_info, LIT("auth info")));
    ck_assert(req.has_pub_key_auth);
    ck_assert(blob_eq(&req.pub_key_auth, LIT("pub key auth")));
    ck_assert(req.has_error_code);
    ck_assert_uint_eq(req.error_code, 10);
    ck_assert(req.has_client_nonce);
    ck_assert(blob_eq(&req.client_nonce, LIT("client nonce")));
    cs_tsrequest_clear(&req);
}
END_TEST

/* The pyspnego TSCredentials encodes and decodes byte for byte. */
START_TEST(test_kat_password)
{
    struct cs_tscredentials creds = { 0 };

    creds.cred_type = CS_CRED_PASSWORD;
    creds.u.password.domain = (char *)"domain name";
    creds.u.password.user = (char *)"username";
    creds.u.password.password = (char *)"password";
    reencode_creds(&creds, LIT(kat_password));

    memset(&creds, 0, sizeof(creds));
    ck_assert_int_eq(cs_tscredentials_decode(LIT(kat_password), &creds),
                     CS_OK);
    ck_assert_int_eq(creds.cred_type, CS_CRED_PASSWORD);
    ck_assert_str_eq(creds.u.password.domain, "domain name");
    ck_assert_str_eq(creds.u.password.user, "username");
    ck_assert_str_eq(creds.u.password.password, "password");
    reencode_creds(&creds, LIT(kat_password));
    cs_tscredentials_clear(&creds);
    ck_assert(is_zero(&creds, sizeof(creds)));
}
END_TEST

/*
 * TSRequest round trips.
 */

/* Version alone, at the ends of its range. */
START_TEST(test_request_version_only)
{
    struct cs_tsrequest req = { 0 };

    roundtrip_req(LIT(min_request), &req);
    ck_assert_uint_eq(req.version, 6);
    ck_assert_uint_eq(req.num_nego_tokens, 0);
    ck_assert_ptr_null(req.nego_tokens);
    ck_assert(!req.has_auth_info && !req.has_pub_key_auth &&
              !req.has_error_code && !req.has_client_nonce);
    cs_tsrequest_clear(&req);

    roundtrip_req(LIT("\x30\x05\xa0\x03\x02\x01\x00"), &req);
    ck_assert_uint_eq(req.version, 0);
    cs_tsrequest_clear(&req);
    roundtrip_req(LIT("\x30\x06\xa0\x04\x02\x02\x00\xff"), &req);
    ck_assert_uint_eq(req.version, 255);
    cs_tsrequest_clear(&req);
    roundtrip_req(LIT("\x30\x06\xa0\x04\x02\x02\x00\x80"), &req);
    ck_assert_uint_eq(req.version, 128);
    cs_tsrequest_clear(&req);
}
END_TEST

/*
 * Every combination of the optional fields (bit 0 negoTokens, 1 a second
 * and third token, 2 authInfo, 3 pubKeyAuth, 4 errorCode, 5 clientNonce):
 * encode, decode, compare, re-encode.
 */
START_TEST(test_request_field_combinations)
{
    static const uint8_t nonce[CS_NONCE_LEN] = {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
        17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32
    };
    struct cs_tsrequest req = { 0 }, back = { 0 };
    unsigned mask = (unsigned)_i;
    cs_blob der = { 0 };
    size_t i;

    req.version = 2 + mask % 5;
    if (mask & 1) {
        ck_assert_int_eq(cs_tsrequest_add_nego_token(&req, "NTLMSSP", 8),
                         CS_OK);
    }
    if (mask & 2) {
        ck_assert_int_eq(cs_tsrequest_add_nego_token(&req, "", 0), CS_OK);
        ck_assert_int_eq(cs_tsrequest_add_nego_token(&req, "x", 1), CS_OK);
    }
    if (mask & 4) {
        req.has_auth_info = true;
        ck_assert_int_eq(cs_blob_set(&req.auth_info, "secret", 6), CS_OK);
    }
    if (mask & 8) {
        req.has_pub_key_auth = true;    /* present but empty */
    }
    if (mask & 16) {
        req.has_error_code = true;
        req.error_code = 0xc000006d;
    }
    if (mask & 32) {
        req.has_client_nonce = true;
        ck_assert_int_eq(cs_blob_set(&req.client_nonce, nonce,
                                     sizeof(nonce)), CS_OK);
    }
    ck_assert_int_eq(cs_tsrequest_encode(&req, &der), CS_OK);
    roundtrip_req(der.data, der.len, &back);
    ck_assert_uint_eq(back.version, req.version);
    ck_assert_uint_eq(back.num_nego_tokens, req.num_nego_tokens);
    for (i = 0; i < req.num_nego_tokens; i++) {
        ck_assert(blob_eq(&back.nego_tokens[i], req.nego_tokens[i].data,
                          req.nego_tokens[i].len));
    }
    ck_assert(back.has_auth_info == req.has_auth_info);
    ck_assert(blob_eq(&back.auth_info, req.auth_info.data,
                      req.auth_info.len));
    ck_assert(back.has_pub_key_auth == req.has_pub_key_auth);
    ck_assert_uint_eq(back.pub_key_auth.len, 0);
    ck_assert(back.has_error_code == req.has_error_code);
    ck_assert_uint_eq(back.error_code, req.error_code);
    ck_assert(back.has_client_nonce == req.has_client_nonce);
    ck_assert(blob_eq(&back.client_nonce, req.client_nonce.data,
                      req.client_nonce.len));
    all_truncations_req(der.data, der.len);
    cs_blob_free(&der);
    cs_tsrequest_clear(&req);
    cs_tsrequest_clear(&back);
}
END_TEST

/* Tokens whose lengths need one, two and three length bytes. */
START_TEST(test_request_long_tokens)
{
    static const size_t sizes[] = { 0, 127, 128, 255, 256, 70000 };
    struct cs_tsrequest req = { 0 }, back = { 0 };
    uint8_t *big = malloc(70000);
    cs_blob der = { 0 };
    size_t i;

    ck_assert_ptr_nonnull(big);
    for (i = 0; i < 70000; i++) {
        big[i] = (uint8_t)(i * 7);
    }
    req.version = 6;
    for (i = 0; i < NUM_ELEMS(sizes); i++) {
        ck_assert_int_eq(cs_tsrequest_add_nego_token(&req, big, sizes[i]),
                         CS_OK);
    }
    ck_assert_int_eq(cs_tsrequest_encode(&req, &der), CS_OK);
    /* 30 83 <3 bytes>: the outer length needs the three-byte form. */
    ck_assert_uint_eq(der.data[1], 0x83);
    roundtrip_req(der.data, der.len, &back);
    ck_assert_uint_eq(back.num_nego_tokens, NUM_ELEMS(sizes));
    for (i = 0; i < NUM_ELEMS(sizes); i++) {
        ck_assert(blob_eq(&back.nego_tokens[i], big, sizes[i]));
    }
    /* A length one byte short of the content. */
    der.data[4]--;
    bad_req(der.data, der.len);
    cs_blob_free(&der);
    cs_tsrequest_clear(&req);
    cs_tsrequest_clear(&back);
    free(big);
}
END_TEST

/* An empty negoToken is legal DER and comes back empty. */
START_TEST(test_request_empty_token)
{
    struct cs_tsrequest req = { 0 };

    roundtrip_req(LIT("\x30\x0f\xa0\x03\x02\x01\x06"
                      "\xa1\x08\x30\x06\x30\x04\xa0\x02\x04\x00"), &req);
    ck_assert_uint_eq(req.num_nego_tokens, 1);
    ck_assert_uint_eq(req.nego_tokens[0].len, 0);
    cs_tsrequest_clear(&req);
}
END_TEST

/*
 * errorCode.
 */

/* 0xC00700EA is the 4-byte negative INTEGER on the wire. */
START_TEST(test_error_code_negative_form)
{
    static const char msg[] =
        "\x30\x0d\xa0\x03\x02\x01\x06\xa4\x06\x02\x04\xc0\x07\x00\xea";
    struct cs_tsrequest req = { 0 };

    roundtrip_req(LIT(msg), &req);
    ck_assert(req.has_error_code);
    ck_assert_uint_eq(req.error_code, 0xc00700ea);
    cs_tsrequest_clear(&req);

    req.version = 6;
    req.has_error_code = true;
    req.error_code = 0xc00700ea;
    reencode_req(&req, LIT(msg));
}
END_TEST

/* Some peers send the 5-byte positive form: it decodes to the same value
 * (and goes out again in the 4-byte form). */
START_TEST(test_error_code_positive_form)
{
    static const char five[] =
        "\x30\x0e\xa0\x03\x02\x01\x06\xa4\x07\x02\x05\x00\xc0\x07\x00\xea";
    static const char four[] =
        "\x30\x0d\xa0\x03\x02\x01\x06\xa4\x06\x02\x04\xc0\x07\x00\xea";
    struct cs_tsrequest req = { 0 };

    ck_assert_int_eq(cs_tsrequest_decode(LIT(five), &req), CS_OK);
    ck_assert(req.has_error_code);
    ck_assert_uint_eq(req.error_code, 0xc00700ea);
    reencode_req(&req, LIT(four));
    cs_tsrequest_clear(&req);

    /* The extremes of both forms. */
    ck_assert_int_eq(cs_tsrequest_decode(
                         LIT("\x30\x0e\xa0\x03\x02\x01\x06\xa4\x07\x02\x05"
                             "\x00\xff\xff\xff\xff"), &req), CS_OK);
    ck_assert_uint_eq(req.error_code, 0xffffffff);
    cs_tsrequest_clear(&req);
    ck_assert_int_eq(cs_tsrequest_decode(
                         LIT("\x30\x0e\xa0\x03\x02\x01\x06\xa4\x07\x02\x05"
                             "\x00\x80\x00\x00\x00"), &req), CS_OK);
    ck_assert_uint_eq(req.error_code, 0x80000000);
    cs_tsrequest_clear(&req);
}
END_TEST

/* Values that fit neither int32 nor uint32, and non-minimal INTEGERs. */
START_TEST(test_error_code_out_of_range)
{
    /* 2^32 */
    bad_req(LIT("\x30\x0e\xa0\x03\x02\x01\x06\xa4\x07\x02\x05"
                "\x01\x00\x00\x00\x00"));
    /* -2^31 - 1 */
    bad_req(LIT("\x30\x0e\xa0\x03\x02\x01\x06\xa4\x07\x02\x05"
                "\xff\x7f\xff\xff\xff"));
    /* 2^64 */
    bad_req(LIT("\x30\x12\xa0\x03\x02\x01\x06\xa4\x0b\x02\x09"
                "\x01\x00\x00\x00\x00\x00\x00\x00\x00"));
    /* 0xC00700EA padded with a redundant 0xff. */
    bad_req(LIT("\x30\x0e\xa0\x03\x02\x01\x06\xa4\x07\x02\x05"
                "\xff\xc0\x07\x00\xea"));
    /* 10 padded with a redundant zero. */
    bad_req(LIT("\x30\x0b\xa0\x03\x02\x01\x06\xa4\x04\x02\x02\x00\x0a"));
    /* An empty INTEGER. */
    bad_req(LIT("\x30\x09\xa0\x03\x02\x01\x06\xa4\x02\x02\x00"));
}
END_TEST

/* Small values and the int32 extremes go out minimal and come back. */
START_TEST(test_error_code_values)
{
    static const struct {
        uint32_t code;
        const char *der;
        size_t len;
    } cases[] = {
        { 0, "\x02\x01\x00", 3 },
        { 0x7f, "\x02\x01\x7f", 3 },
        { 0x80, "\x02\x02\x00\x80", 4 },
        { 0x7fffffff, "\x02\x04\x7f\xff\xff\xff", 6 },
        { 0x80000000, "\x02\x04\x80\x00\x00\x00", 6 },
        { 0xffffffff, "\x02\x01\xff", 3 },
        { 0xc000006d, "\x02\x04\xc0\x00\x00\x6d", 6 },
    };
    struct cs_tsrequest req = { 0 }, back = { 0 };
    cs_blob der = { 0 };
    size_t i;

    for (i = 0; i < NUM_ELEMS(cases); i++) {
        req.version = 6;
        req.has_error_code = true;
        req.error_code = cases[i].code;
        ck_assert_int_eq(cs_tsrequest_encode(&req, &der), CS_OK);
        ck_assert_uint_eq(der.len, 9 + cases[i].len);
        ck_assert_uint_eq(der.data[7], 0xa4);
        ck_assert_mem_eq(der.data + 9, cases[i].der, cases[i].len);
        roundtrip_req(der.data, der.len, &back);
        ck_assert_uint_eq(back.error_code, cases[i].code);
        cs_tsrequest_clear(&back);
        cs_blob_free(&der);
    }
}
END_TEST

/*
 * TSRequest rejections.
 */

/* The version must be a byte: 256, negative and huge are refused. */
START_TEST(test_version_range)
{
    struct cs_tsrequest req = { 0 };
    cs_blob der = { 0 };

    bad_req(LIT("\x30\x06\xa0\x04\x02\x02\x01\x00"));
    bad_req(LIT("\x30\x05\xa0\x03\x02\x01\xff"));
    bad_req(LIT("\x30\x05\xa0\x03\x02\x01\x80"));
    bad_req(LIT("\x30\x0d\xa0\x0b\x02\x09\x01\x00\x00\x00\x00\x00\x00\x00"
                "\x06"));
    /* The encoder will not write what the decoder would refuse. */
    req.version = 256;
    ck_assert_int_eq(cs_tsrequest_encode(&req, &der), CREDSSP_S_INTERNAL);
    ck_assert_ptr_null(der.data);
}
END_TEST

/* Bytes after the TSRequest are an error. */
START_TEST(test_trailing_bytes)
{
    bad_req(LIT("\x30\x05\xa0\x03\x02\x01\x06\x00"));
    bad_req(LIT("\x30\x05\xa0\x03\x02\x01\x06\x00\x00"));
    bad_req(LIT("\x30\x05\xa0\x03\x02\x01\x06\x30\x05\xa0\x03\x02\x01"
                "\x06"));
    /* Trailing bytes inside the SEQUENCE and inside an explicit tag. */
    bad_req(LIT("\x30\x06\xa0\x03\x02\x01\x06\x00"));
    bad_req(LIT("\x30\x06\xa0\x04\x02\x01\x06\x00"));
}
END_TEST

/* Anything but a universal constructed SEQUENCE outside. */
START_TEST(test_wrong_outer_tag)
{
    bad_req(LIT("\x31\x05\xa0\x03\x02\x01\x06"));
    bad_req(LIT("\x10\x05\xa0\x03\x02\x01\x06"));
    bad_req(LIT("\xa0\x05\xa0\x03\x02\x01\x06"));
    bad_req(LIT("\x04\x05\xa0\x03\x02\x01\x06"));
    bad_req(LIT("\x70\x05\xa0\x03\x02\x01\x06"));
    bad_req(LIT("\x3f\x10\x05\xa0\x03\x02\x01\x06"));
}
END_TEST

/* Wrong, unknown, primitive, duplicate and out-of-order context tags. */
START_TEST(test_wrong_context_tag)
{
    /* version under [1] and [6] */
    bad_req(LIT("\x30\x05\xa1\x03\x02\x01\x06"));
    bad_req(LIT("\x30\x05\xa6\x03\x02\x01\x06"));
    /* version as a primitive [0] (IMPLICIT style) */
    bad_req(LIT("\x30\x05\x80\x03\x02\x01\x06"));
    bad_req(LIT("\x30\x03\x80\x01\x06"));
    /* version as an OCTET STRING, and as an application tag */
    bad_req(LIT("\x30\x05\xa0\x03\x04\x01\x06"));
    bad_req(LIT("\x30\x05\x60\x03\x02\x01\x06"));
    /* no version */
    bad_req(LIT("\x30\x00"));
    bad_req(LIT("\x30\x04\xa2\x02\x04\x00"));
    /* an unknown [6] field after the known ones */
    bad_req(LIT("\x30\x0a\xa0\x03\x02\x01\x06\xa6\x03\x02\x01\x00"));
    /* errorCode [4] before authInfo [2] */
    bad_req(LIT("\x30\x0e\xa0\x03\x02\x01\x06\xa4\x03\x02\x01\x0a"
                "\xa2\x02\x04\x00"));
    /* authInfo twice */
    bad_req(LIT("\x30\x0d\xa0\x03\x02\x01\x06\xa2\x02\x04\x00"
                "\xa2\x02\x04\x00"));
    /* authInfo under [2] but primitive */
    bad_req(LIT("\x30\x09\xa0\x03\x02\x01\x06\x82\x02\x04\x00"));
    /* negoTokens: the item's [0] replaced by [1]; item not a SEQUENCE */
    bad_req(LIT("\x30\x0f\xa0\x03\x02\x01\x06"
                "\xa1\x08\x30\x06\x30\x04\xa1\x02\x04\x00"));
    bad_req(LIT("\x30\x0d\xa0\x03\x02\x01\x06"
                "\xa1\x06\x30\x04\xa0\x02\x04\x00"));
    /* negoTokens as SET OF */
    bad_req(LIT("\x30\x0f\xa0\x03\x02\x01\x06"
                "\xa1\x08\x31\x06\x30\x04\xa0\x02\x04\x00"));
}
END_TEST

/* Indefinite lengths (BER) anywhere. */
START_TEST(test_indefinite_length)
{
    bad_req(LIT("\x30\x80\xa0\x03\x02\x01\x06\x00\x00"));
    bad_req(LIT("\x30\x07\xa0\x80\x02\x01\x06\x00\x00"));
    bad_req(LIT("\x30\x80\xa0\x80\x02\x01\x06\x00\x00\x00\x00"));
    /* inside negoTokens */
    bad_req(LIT("\x30\x11\xa0\x03\x02\x01\x06"
                "\xa1\x80\x30\x06\x30\x04\xa0\x02\x04\x00\x00\x00"));
    bad_req(LIT("\x30\x11\xa0\x03\x02\x01\x06"
                "\xa1\x0a\x30\x80\x30\x04\xa0\x02\x04\x00\x00\x00"));
    /* a constructed, indefinite OCTET STRING for authInfo */
    bad_req(LIT("\x30\x0f\xa0\x03\x02\x01\x06"
                "\xa2\x08\x24\x80\x04\x02\x61\x62\x00\x00"));
}
END_TEST

/* prepend: puts the h bytes at head before b's bytes. */
static void
prepend(cs_blob *b, const uint8_t *head, size_t h)
{
    uint8_t *p = malloc(h + b->len);

    ck_assert_ptr_nonnull(p);
    memcpy(p, head, h);
    if (b->len > 0) {
        memcpy(p + h, b->data, b->len);
    }
    free(b->data);
    b->data = p;
    b->len += h;
}

/* wrap: puts b inside a DER tag (definite, minimal length). */
static void
wrap(uint8_t tag, cs_blob *b)
{
    uint8_t head[6];
    size_t h = 0, n = b->len;

    head[h++] = tag;
    if (n < 0x80) {
        head[h++] = (uint8_t)n;
    } else {
        size_t bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;

        head[h++] = (uint8_t)(0x80 | bytes);
        while (bytes-- > 0) {
            head[h++] = (uint8_t)(n >> (8 * bytes));
        }
    }
    prepend(b, head, h);
}

/* nest: `core` inside `depth` levels of `tag`. */
static void
nest(uint8_t tag, int depth, const uint8_t *core, size_t core_len,
     cs_blob *out)
{
    ck_assert_int_eq(cs_blob_set(out, core, core_len), CS_OK);
    for (int i = 0; i < depth; i++) {
        wrap(tag, out);
    }
}

/* request_with: a version 6 TSRequest whose field `tag` holds b. */
static void
request_with(uint8_t tag, cs_blob *b)
{
    static const uint8_t version[] = { 0xa0, 0x03, 0x02, 0x01, 0x06 };
    cs_blob all = { 0 };

    wrap(tag, b);
    ck_assert_int_eq(cs_blob_set(&all, version, sizeof(version)), CS_OK);
    all.data = realloc(all.data, all.len + b->len);
    ck_assert_ptr_nonnull(all.data);
    memcpy(all.data + all.len, b->data, b->len);
    all.len += b->len;
    cs_blob_free(b);
    wrap(0x30, &all);
    *b = all;
}

/*
 * Nesting (issue 5's limit): structures nested thousands deep where the
 * syntax has a fixed depth are refused as bad DER, at once and without
 * deep recursion: the whole message, negoTokens, a constructed OCTET
 * STRING for authInfo, and the credentials inside TSCredentials.
 */
START_TEST(test_deep_nesting)
{
    static const uint8_t empty_octets[] = { 0x04, 0x00 };
    static const uint8_t type1[] = { 0xa0, 0x03, 0x02, 0x01, 0x01 };
    cs_blob b = { 0 }, creds = { 0 };
    int depth = _i == 0 ? 64 : 20000;

    nest(0x30, depth, NULL, 0, &b);
    bad_req(b.data, b.len);
    cs_blob_free(&b);

    nest(0x30, depth, NULL, 0, &b);
    request_with(0xa1, &b);
    bad_req(b.data, b.len);
    cs_blob_free(&b);

    nest(0x24, depth, empty_octets, sizeof(empty_octets), &b);
    request_with(0xa2, &b);
    bad_req(b.data, b.len);
    cs_blob_free(&b);

    /* TSCredentials { credType 1, credentials OCTET STRING (nested) } */
    nest(0x30, depth, NULL, 0, &b);
    wrap(0x04, &b);
    wrap(0xa1, &b);
    ck_assert_int_eq(cs_blob_set(&creds, type1, sizeof(type1)), CS_OK);
    creds.data = realloc(creds.data, creds.len + b.len);
    ck_assert_ptr_nonnull(creds.data);
    memcpy(creds.data + creds.len, b.data, b.len);
    creds.len += b.len;
    wrap(0x30, &creds);
    bad_creds(creds.data, creds.len, CREDSSP_S_BAD_DER);
    cs_blob_free(&creds);
    cs_blob_free(&b);
}
END_TEST

/*
 * BER length forms (long forms where the short one fits, leading zero
 * octets) are taken, as Windows takes them from rdesktop; the value is
 * the same and goes out again as DER.
 */
START_TEST(test_ber_lengths)
{
    static const char *const forms[] = {
        "\x30\x81\x05\xa0\x03\x02\x01\x06",
        "\x30\x82\x00\x05\xa0\x03\x02\x01\x06",
        "\x30\x84\x00\x00\x00\x05\xa0\x03\x02\x01\x06",
        "\x30\x06\xa0\x81\x03\x02\x01\x06",
        "\x30\x06\xa0\x04\x02\x81\x01\x06",
        "\x30\x83\x00\x00\x08\xa0\x82\x00\x04\x02\x81\x01\x06",
    };
    static const size_t lens[] = { 8, 9, 11, 8, 8, 13 };
    struct cs_tsrequest req = { 0 };
    size_t i;

    for (i = 0; i < NUM_ELEMS(forms); i++) {
        ck_assert_int_eq(cs_tsrequest_decode((const uint8_t *)forms[i],
                                             lens[i], &req), CS_OK);
        ck_assert_uint_eq(req.version, 6);
        reencode_req(&req, LIT(min_request));
        cs_tsrequest_clear(&req);
    }
    /* An empty authInfo with 04 81 00. */
    ck_assert_int_eq(cs_tsrequest_decode(
                         LIT("\x30\x0a\xa0\x03\x02\x01\x06\xa2\x03\x04"
                             "\x81\x00"), &req), CS_OK);
    ck_assert(req.has_auth_info);
    ck_assert_uint_eq(req.auth_info.len, 0);
    reencode_req(&req, LIT("\x30\x09\xa0\x03\x02\x01\x06\xa2\x02\x04"
                           "\x00"));
    cs_tsrequest_clear(&req);
    /* The pyspnego vector with every length in 82 hi lo. */
    ck_assert_int_eq(cs_tsrequest_decode(
        LIT("\x30\x82\x00\x52\xa0\x82\x00\x05\x02\x82\x00\x01\x06"
            "\xa1\x82\x00\x13\x30\x82\x00\x0f\x30\x82\x00\x0b\xa0"
            "\x82\x00\x07\x04\x82\x00\x03" "123"
            "\xa2\x0b\x04\x09" "auth info"
            "\xa3\x0e\x04\x0c" "pub key auth"
            "\xa4\x03\x02\x01\x0a\xa5\x0e\x04\x0c" "client nonce"),
        &req), CS_OK);
    reencode_req(&req, LIT(kat_request));
    cs_tsrequest_clear(&req);
}
END_TEST

/* What stays refused next to the length forms: padded INTEGERs,
 * constructed strings, other identifier forms, the reserved length octet
 * 0xff, an indefinite length on a primitive. */
START_TEST(test_non_der_forms)
{
    /* version 6 padded with a zero byte, also with a long-form length */
    bad_req(LIT("\x30\x06\xa0\x04\x02\x02\x00\x06"));
    bad_req(LIT("\x30\x07\xa0\x05\x02\x81\x02\x00\x06"));
    /* a constructed (definite) OCTET STRING for authInfo */
    bad_req(LIT("\x30\x0d\xa0\x03\x02\x01\x06"
                "\xa2\x06\x24\x04\x04\x02\x61\x62"));
    bad_req(LIT("\x30\x0f\xa0\x03\x02\x01\x06"
                "\xa2\x82\x00\x06\x24\x04\x04\x02\x61\x62"));
    /* a high-tag-number form of [0] */
    bad_req(LIT("\x30\x06\xbf\x00\x03\x02\x01\x06"));
    bad_req(LIT("\x30\x07\xbf\x00\x81\x03\x02\x01\x06"));
    /* the reserved length octet */
    bad_req(LIT("\x30\xff\xa0\x03\x02\x01\x06"));
    /* an indefinite length on a primitive */
    bad_req(LIT("\x30\x07\xa0\x05\x02\x80\x06\x00\x00"));
    /* a long-form length that runs past the input */
    bad_req(LIT("\x30\x82\x00\x06\xa0\x03\x02\x01\x06"));
    bad_req(LIT("\x30\x82\x00"));
}
END_TEST

/*
 * rdesktop 1.9.0's BER writer (its asn.c ber_out_header): a length of 128
 * or more as 82 hi lo, a shorter one in one byte; a one-byte INTEGER; and
 * text ending in a UTF-16 NUL.  rd_wrap and rd_text build messages the
 * way it does.
 */
static void
rd_wrap(uint8_t tag, cs_blob *b)
{
    uint8_t head[4];
    size_t h = 0, n = b->len;

    head[h++] = tag;
    if (n >= 0x80) {
        head[h++] = 0x82;
        head[h++] = (uint8_t)(n >> 8);
    }
    head[h++] = (uint8_t)n;
    prepend(b, head, h);
}

/* rd_cat: appends b to all and frees b. */
static void
rd_cat(cs_blob *all, cs_blob *b)
{
    all->data = realloc(all->data, all->len + b->len + 1);
    ck_assert_ptr_nonnull(all->data);
    memcpy(all->data + all->len, b->data, b->len);
    all->len += b->len;
    cs_blob_free(b);
}

/* rd_field: [tag] { OCTET STRING bytes } appended to all. */
static void
rd_field(cs_blob *all, uint8_t ctx_tag, const uint8_t *bytes, size_t len)
{
    cs_blob f = { 0 };

    ck_assert_int_eq(cs_blob_set(&f, bytes, len), CS_OK);
    rd_wrap(0x04, &f);
    rd_wrap(ctx_tag, &f);
    rd_cat(all, &f);
}

/* rd_text: [tag] { OCTET STRING UTF-16LE(s) + NUL } appended to all, as
 * rdesktop's out_utf16s writes it (ASCII here). */
static void
rd_text(cs_blob *all, uint8_t ctx_tag, const char *s)
{
    size_t n = strlen(s), i;
    uint8_t *w = calloc(2 * n + 2, 1);

    ck_assert_ptr_nonnull(w);
    for (i = 0; i < n; i++) {
        w[2 * i] = (uint8_t)s[i];
    }
    rd_field(all, ctx_tag, w, 2 * n + 2);
    free(w);
}

/* rd_password_creds: rdesktop's TSCredentials for TSPasswordCreds. */
static void
rd_password_creds(const char *domain, const char *user, const char *pw,
                  cs_blob *out)
{
    static const uint8_t cred_type[] = { 0xa0, 0x03, 0x02, 0x01, 0x01 };
    cs_blob pwc = { 0 };

    rd_text(&pwc, 0xa0, domain);
    rd_text(&pwc, 0xa1, user);
    rd_text(&pwc, 0xa2, pw);
    rd_wrap(0x30, &pwc);
    ck_assert_int_eq(cs_blob_set(out, cred_type, sizeof(cred_type)), CS_OK);
    rd_field(out, 0xa1, pwc.data, pwc.len);
    cs_blob_free(&pwc);
    rd_wrap(0x30, out);
}

/*
 * rdesktop's authInfo plaintext: every length of 128 or more in long form
 * at every level (30 82 .., a1 82 .., 04 82 .., 30 82 ..) and NUL-ended
 * strings.  It decodes to the names without the NUL, and goes out again
 * as DER without it.
 */
START_TEST(test_rdesktop_credentials)
{
    static const char pw[] = "correct-horse-battery-staple-0123456789";
    struct cs_tscredentials creds = { 0 }, want = { 0 };
    cs_blob msg = { 0 }, der = { 0 };

    rd_password_creds("CREDSSP.TEST", "alice", pw, &msg);
    /* The shape the issue saw on the wire, long forms at every level. */
    ck_assert_mem_eq(msg.data, "\x30\x82\x00", 3);
    ck_assert_mem_eq(msg.data + 9, "\xa1\x82\x00", 3);
    ck_assert_mem_eq(msg.data + 13, "\x04\x82\x00", 3);
    ck_assert_mem_eq(msg.data + 17, "\x30\x82\x00", 3);
    ck_assert_int_eq(cs_tscredentials_decode(msg.data, msg.len, &creds),
                     CS_OK);
    ck_assert_int_eq(creds.cred_type, CS_CRED_PASSWORD);
    ck_assert_str_eq(creds.u.password.domain, "CREDSSP.TEST");
    ck_assert_str_eq(creds.u.password.user, "alice");
    ck_assert_str_eq(creds.u.password.password, pw);
    want.cred_type = CS_CRED_PASSWORD;
    want.u.password.domain = (char *)"CREDSSP.TEST";
    want.u.password.user = (char *)"alice";
    want.u.password.password = (char *)pw;
    ck_assert_int_eq(cs_tscredentials_encode(&want, &der), CS_OK);
    ck_assert_uint_lt(der.len, msg.len);
    equiv_creds(&creds, msg.data, msg.len);
    reencode_creds(&creds, der.data, der.len);
    cs_tscredentials_clear(&creds);
    cs_blob_free_secret(&der);
    cs_blob_free_secret(&msg);
}
END_TEST

/*
 * rdesktop's TSRequests (version 2, no clientNonce): its first with an
 * AP-REQ of several hundred bytes, its pubKeyAuth, and its authInfo, each
 * with 82 hi lo lengths; all decode, and go out again as DER.
 */
START_TEST(test_rdesktop_requests)
{
    static const uint8_t version[] = { 0xa0, 0x03, 0x02, 0x01, 0x02 };
    uint8_t big[600];
    struct cs_tsrequest req = { 0 };
    cs_blob msg = { 0 }, f = { 0 };
    size_t i;

    for (i = 0; i < sizeof(big); i++) {
        big[i] = (uint8_t)(i * 7 + 1);
    }
    big[0] = 0x6e;                /* an AP-REQ's outer tag */
    /* negoTokens [1] { SEQUENCE { SEQUENCE { [0] { OCTET STRING } } } } */
    ck_assert_int_eq(cs_blob_set(&msg, version, sizeof(version)), CS_OK);
    ck_assert_int_eq(cs_blob_set(&f, big, 300), CS_OK);
    rd_wrap(0x04, &f);
    rd_wrap(0xa0, &f);
    rd_wrap(0x30, &f);
    rd_wrap(0x30, &f);
    rd_wrap(0xa1, &f);
    rd_cat(&msg, &f);
    rd_wrap(0x30, &msg);
    ck_assert_mem_eq(msg.data, "\x30\x82\x01", 3);
    ck_assert_int_eq(cs_tsrequest_decode(msg.data, msg.len, &req), CS_OK);
    ck_assert_uint_eq(req.version, 2);
    ck_assert_uint_eq(req.num_nego_tokens, 1);
    ck_assert(blob_eq(&req.nego_tokens[0], big, 300));
    ck_assert(!req.has_client_nonce);
    equiv_req(&req, msg.data, msg.len);
    cs_tsrequest_clear(&req);
    cs_blob_free(&msg);

    /* pubKeyAuth [3] of 290 bytes, then authInfo [2] of 160. */
    for (i = 0; i < 2; i++) {
        ck_assert_int_eq(cs_blob_set(&msg, version, sizeof(version)), CS_OK);
        rd_field(&msg, i == 0 ? 0xa3 : 0xa2, big, i == 0 ? 290 : 160);
        rd_wrap(0x30, &msg);
        ck_assert_int_eq(cs_tsrequest_decode(msg.data, msg.len, &req),
                         CS_OK);
        ck_assert(i == 0 ? blob_eq(&req.pub_key_auth, big, 290)
                         : blob_eq(&req.auth_info, big, 160));
        equiv_req(&req, msg.data, msg.len);
        /* Cut anywhere, it is still refused. */
        all_truncations_req(msg.data, msg.len);
        cs_tsrequest_clear(&req);
        cs_blob_free(&msg);
    }
}
END_TEST

/*
 * One trailing UTF-16 NUL on each string is taken (rdesktop's), in every
 * credential type; a second one, or one anywhere else, is not.
 */
START_TEST(test_trailing_nul)
{
    static const char with_nul[] =
        "\x30\x23\xa0\x03\x02\x01\x01\xa1\x1c\x04\x1a\x30\x18"
        "\xa0\x06\x04\x04" "D\0\0\0"
        "\xa1\x06\x04\x04" "u\0\0\0"
        "\xa2\x06\x04\x04" "p\0\0\0";
    static const char only_nul[] =
        "\x30\x1d\xa0\x03\x02\x01\x01\xa1\x16\x04\x14\x30\x12"
        "\xa0\x04\x04\x02\0\0"
        "\xa1\x04\x04\x02\0\0"
        "\xa2\x04\x04\x02\0\0";
    struct cs_tscredentials creds = { 0 };

    ck_assert_int_eq(cs_tscredentials_decode(LIT(with_nul), &creds), CS_OK);
    ck_assert_str_eq(creds.u.password.domain, "D");
    ck_assert_str_eq(creds.u.password.user, "u");
    ck_assert_str_eq(creds.u.password.password, "p");
    equiv_creds(&creds, LIT(with_nul));
    cs_tscredentials_clear(&creds);
    /* A string that is just the NUL is the empty string. */
    ck_assert_int_eq(cs_tscredentials_decode(LIT(only_nul), &creds), CS_OK);
    ck_assert_str_eq(creds.u.password.domain, "");
    ck_assert_str_eq(creds.u.password.user, "");
    ck_assert_str_eq(creds.u.password.password, "");
    reencode_creds(&creds, LIT(kat_empty_password));
    cs_tscredentials_clear(&creds);

    /* Two NULs at the end of the password, of the user, of the domain */
    bad_creds(LIT("\x30\x1d\xa0\x03\x02\x01\x01\xa1\x16\x04\x14\x30\x12"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x08\x04\x06"
                  "p\0\0\0\0\0"), CREDSSP_S_BAD_UTF16);
    bad_creds(LIT("\x30\x1d\xa0\x03\x02\x01\x01\xa1\x16\x04\x14\x30\x12"
                  "\xa0\x02\x04\x00\xa1\x08\x04\x06" "u\0\0\0\0\0"
                  "\xa2\x02\x04\x00"), CREDSSP_S_BAD_UTF16);
    bad_creds(LIT("\x30\x1b\xa0\x03\x02\x01\x01\xa1\x14\x04\x12\x30\x10"
                  "\xa0\x06\x04\x04\0\0\0\0"
                  "\xa1\x02\x04\x00\xa2\x02\x04\x00"), CREDSSP_S_BAD_UTF16);
    /* A NUL first, or in the middle, with or without one at the end */
    bad_creds(LIT("\x30\x1b\xa0\x03\x02\x01\x01\xa1\x14\x04\x12\x30\x10"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x06\x04\x04"
                  "\0\0p\0"), CREDSSP_S_BAD_UTF16);
    bad_creds(LIT("\x30\x1d\xa0\x03\x02\x01\x01\xa1\x16\x04\x14\x30\x12"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x08\x04\x06"
                  "p\0\0\0q\0"), CREDSSP_S_BAD_UTF16);
    bad_creds(LIT("\x30\x1f\xa0\x03\x02\x01\x01\xa1\x18\x04\x16\x30\x14"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x0a\x04\x08"
                  "p\0\0\0q\0\0\0"), CREDSSP_S_BAD_UTF16);
    /* An odd length ending in one zero byte is not a NUL either */
    bad_creds(LIT("\x30\x1a\xa0\x03\x02\x01\x01\xa1\x13\x04\x11\x30\x0f"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x05\x04\x03"
                  "p\0\0"), CREDSSP_S_BAD_UTF16);
}
END_TEST

/* The other credential types' strings take one trailing NUL too. */
START_TEST(test_trailing_nul_other_types)
{
    /* TSSmartCardCreds(pin "1\0", cspData{keySpec 1, cardName "c\0"},
     * userHint "u\0") */
    static const char smartcard[] =
        "\x30\x2c\xa0\x03\x02\x01\x02\xa1\x25\x04\x23"
        "\x30\x21\xa0\x06\x04\x04\x31\x00\x00\x00"
        "\xa1\x0f\x30\x0d\xa0\x03\x02\x01\x01"
        "\xa1\x06\x04\x04" "c\0\0\0"
        "\xa2\x06\x04\x04" "u\0\0\0";
    /* TSRemoteGuardCreds(logonCred{"K\0", 00 00}): the buffer is not
     * text and keeps its bytes. */
    static const char remote_guard[] =
        "\x30\x1d\xa0\x03\x02\x01\x06\xa1\x16\x04\x14"
        "\x30\x12\xa0\x10\x30\x0e"
        "\xa0\x06\x04\x04\x4b\x00\x00\x00\xa1\x04\x04\x02\x00\x00";
    struct cs_tscredentials creds = { 0 };

    ck_assert_int_eq(cs_tscredentials_decode(LIT(smartcard), &creds), CS_OK);
    ck_assert_str_eq(creds.u.smartcard.pin, "1");
    ck_assert_str_eq(creds.u.smartcard.csp_data.card_name, "c");
    ck_assert_str_eq(creds.u.smartcard.user_hint, "u");
    equiv_creds(&creds, LIT(smartcard));
    cs_tscredentials_clear(&creds);
    ck_assert_int_eq(cs_tscredentials_decode(LIT(remote_guard), &creds),
                     CS_OK);
    ck_assert_str_eq(creds.u.remote_guard.logon_cred.package_name, "K");
    ck_assert(blob_eq(&creds.u.remote_guard.logon_cred.cred_buffer,
                      (const uint8_t *)"\0\0", 2));
    equiv_creds(&creds, LIT(remote_guard));
    cs_tscredentials_clear(&creds);
}
END_TEST

/* Indefinite lengths, constructed strings and trailing bytes stay refused
 * in the credentials too, also next to rdesktop's long forms. */
START_TEST(test_rdesktop_neighbours_refused)
{
    cs_blob msg = { 0 }, bad = { 0 };
    size_t i;

    rd_password_creds("D", "u", "p", &msg);
    /* trailing byte after the whole */
    ck_assert_int_eq(cs_blob_set(&bad, msg.data, msg.len), CS_OK);
    bad.data = realloc(bad.data, bad.len + 1);
    bad.data[bad.len++] = 0;
    bad_creds(bad.data, bad.len, CREDSSP_S_BAD_DER);
    cs_blob_free(&bad);
    /* each definite length of the inner SEQUENCE turned indefinite (and
     * the end-of-contents added) */
    for (i = 0; i + 1 < msg.len; i++) {
        if (msg.data[i] == 0x30 && i > 0) {
            break;
        }
    }
    ck_assert_uint_lt(i + 1, msg.len);
    ck_assert_int_eq(cs_blob_set(&bad, msg.data, msg.len), CS_OK);
    ck_assert_uint_lt(bad.data[i + 1], 0x80);
    bad.data[i + 1] = 0x80;
    bad.data = realloc(bad.data, bad.len + 2);
    bad.data[bad.len++] = 0;
    bad.data[bad.len++] = 0;
    bad_creds(bad.data, bad.len, CREDSSP_S_BAD_DER);
    cs_blob_free(&bad);
    cs_blob_free(&msg);
}
END_TEST

/* Lengths that promise more than the input has. */
START_TEST(test_length_beyond_input)
{
    bad_req(LIT("\x30\x06\xa0\x03\x02\x01\x06"));
    bad_req(LIT("\x30\x7f\xa0\x03\x02\x01\x06"));
    bad_req(LIT("\x30\x05\xa0\x04\x02\x01\x06"));
    bad_req(LIT("\x30\x05\xa0\x03\x02\x02\x06"));
    bad_req(LIT("\x30\x84\x7f\xff\xff\xff\xa0\x03\x02\x01\x06"));
    bad_req(LIT("\x30\x84\xff\xff\xff\xff\xa0\x03\x02\x01\x06"));
    bad_req(LIT("\x30\x88\xff\xff\xff\xff\xff\xff\xff\xff\xa0\x03"));
    /* and less: the SEQUENCE ends inside the version */
    bad_req(LIT("\x30\x04\xa0\x03\x02\x01\x06"));
}
END_TEST

/* Truncation at every offset of every valid message here. */
START_TEST(test_truncation_everywhere)
{
    all_truncations_req(LIT(kat_request));
    all_truncations_req(LIT(min_request));
    all_truncations_creds(LIT(kat_password));
    all_truncations_creds(LIT(kat_empty_password));
    all_truncations_creds(LIT(kat_smartcard));
    all_truncations_creds(LIT(kat_remote_guard));
}
END_TEST

/* An empty NegoData cannot be told apart from an absent one in struct
 * cs_tsrequest, so it is refused rather than silently dropped. */
START_TEST(test_empty_nego_data)
{
    bad_req(LIT("\x30\x09\xa0\x03\x02\x01\x06\xa1\x02\x30\x00"));
    bad_req(LIT("\x30\x0b\xa0\x03\x02\x01\x06\xa1\x04\x30\x02\x30\x00"));
}
END_TEST

/* Empty and missing input. */
START_TEST(test_empty_input)
{
    bad_req(NULL, 0);
    bad_req(NULL, 7);
    bad_req((const uint8_t *)"", 0);
    ck_assert_int_eq(cs_tsrequest_decode(LIT(min_request), NULL),
                     CREDSSP_S_INTERNAL);
}
END_TEST

/* Single-bit and byte flips at every offset of the pyspnego vector. */
START_TEST(test_request_mutations)
{
    mutate_req(LIT(kat_request));
    mutate_req(LIT(min_request));
}
END_TEST

/* Building requests token by token; clearing frees and zeroes. */
START_TEST(test_add_nego_token)
{
    struct cs_tsrequest req = { 0 };
    uint8_t keep = 1;
    cs_blob used = { &keep, 1 };
    size_t i;

    for (i = 0; i < 10; i++) {
        ck_assert_int_eq(cs_tsrequest_add_nego_token(&req, "abcdefghij", i),
                         CS_OK);
    }
    ck_assert_uint_eq(req.num_nego_tokens, 10);
    for (i = 0; i < 10; i++) {
        ck_assert(blob_eq(&req.nego_tokens[i],
                          (const uint8_t *)"abcdefghij", i));
    }
    ck_assert_int_eq(cs_tsrequest_add_nego_token(&req, NULL, 1),
                     CREDSSP_S_INTERNAL);
    ck_assert_int_eq(cs_tsrequest_add_nego_token(NULL, "a", 1),
                     CREDSSP_S_INTERNAL);
    ck_assert_uint_eq(req.num_nego_tokens, 10);
    cs_tsrequest_clear(&req);
    ck_assert(is_zero(&req, sizeof(req)));
    cs_tsrequest_clear(&req);
    cs_tsrequest_clear(NULL);

    /* Encoding refuses a non-empty output and an inconsistent request. */
    req.version = 6;
    ck_assert_int_eq(cs_tsrequest_encode(&req, &used), CREDSSP_S_INTERNAL);
    ck_assert_ptr_eq(used.data, &keep);
    req.num_nego_tokens = 1;
    used = (cs_blob){ 0 };
    ck_assert_int_eq(cs_tsrequest_encode(&req, &used), CREDSSP_S_INTERNAL);
    ck_assert_ptr_null(used.data);
}
END_TEST

/* cs_blob_set copies, leaves empty for zero bytes, and refuses to
 * overwrite. */
START_TEST(test_blob_helpers)
{
    cs_blob b = { 0 };

    ck_assert_int_eq(cs_blob_set(&b, "abc", 3), CS_OK);
    ck_assert(blob_eq(&b, LIT("abc")));
    ck_assert_int_eq(cs_blob_set(&b, "x", 1), CREDSSP_S_INTERNAL);
    ck_assert(blob_eq(&b, LIT("abc")));
    cs_blob_free_secret(&b);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_int_eq(cs_blob_set(&b, NULL, 0), CS_OK);
    ck_assert_ptr_null(b.data);
    ck_assert_int_eq(cs_blob_set(&b, NULL, 1), CREDSSP_S_INTERNAL);
    cs_blob_free(&b);
    cs_blob_free(NULL);
    cs_blob_free_secret(NULL);
    cs_str_free_secret(NULL);
    cs_str_free_secret(strdup("secret"));
    cs_wipe(NULL, 5);
}
END_TEST

/*
 * The sspi-rs raw-NTLM version-6 exchange.
 */

/* The client nonce every message of the exchange carries. */
static const uint8_t sspi_nonce[CS_NONCE_LEN] = {
    0x22, 0x10, 0x12, 0xad, 0x12, 0x5c, 0x7a, 0x15, 0xfe, 0xb6, 0x4b,
    0x1f, 0xcb, 0x94, 0x83, 0x3a, 0xc5, 0x6f, 0x66, 0x4c, 0xf3, 0xbc,
    0xe7, 0x54, 0x8a, 0x5d, 0x9e, 0x05, 0x0a, 0x46, 0x91, 0xdb
};

/* The nonce of the message that carries errorCode. */
static const uint8_t sspi_error_nonce[CS_NONCE_LEN] = {
    0xf8, 0x8d, 0xd4, 0xb7, 0x55, 0x9a, 0x94, 0xe5, 0xe8, 0x7f, 0x2b,
    0x2f, 0x94, 0xc2, 0x38, 0x58, 0xa9, 0x84, 0xfc, 0x07, 0x69, 0x7d,
    0xf8, 0x57, 0x76, 0xc9, 0x57, 0xa3, 0x15, 0x12, 0xeb, 0x32
};

/* What each captured message must decode to. */
static const struct sspi_case {
    const char *file;
    size_t len;
    size_t token_len;             /* 0: no negoTokens */
    int ntlm_type;                /* NTLMSSP message type of the token */
    size_t auth_info_len;         /* 0: absent */
    size_t pub_key_auth_len;      /* 0: absent */
    bool has_error_code;
    uint32_t error_code;
    const uint8_t *nonce;         /* NULL: absent */
} sspi_cases[] = {
    { "sspi-rs-ntlm-v6-1.hex", 93, 40, 1, 0, 0, false, 0, sspi_nonce },
    { "sspi-rs-ntlm-v6-2.hex", 187, 128, 2, 0, 0, false, 0, sspi_nonce },
    { "sspi-rs-ntlm-v6-3.hex", 429, 312, 3, 0, 48, false, 0, sspi_nonce },
    { "sspi-rs-ntlm-v6-4.hex", 95, 0, 0, 0, 48, false, 0, sspi_nonce },
    { "sspi-rs-ntlm-v6-5.hex", 92, 0, 0, 45, 0, false, 0, sspi_nonce },
    { "sspi-rs-ntlm-v6-no-nonce.hex", 262, 238, 2, 0, 0, false, 0, NULL },
    { "sspi-rs-ntlm-v6-error-code.hex", 103, 0, 0, 0, 48, true, 0xc00700ea,
      sspi_error_nonce },
};

/* One captured TSRequest: decode, check what is visible, re-encode
 * byte for byte, then cut and mutate it. */
START_TEST(test_sspi_rs_exchange)
{
    const struct sspi_case *c = &sspi_cases[_i];
    struct cs_tsrequest req = { 0 };
    uint8_t *msg = NULL;
    size_t len = load_vector(c->file, &msg);

    ck_assert_uint_eq(len, c->len);
    roundtrip_req(msg, len, &req);
    ck_assert_uint_eq(req.version, 6);
    if (c->token_len > 0) {
        ck_assert_uint_eq(req.num_nego_tokens, 1);
        ck_assert_uint_eq(req.nego_tokens[0].len, c->token_len);
        ck_assert_mem_eq(req.nego_tokens[0].data, "NTLMSSP\0", 8);
        ck_assert_int_eq(req.nego_tokens[0].data[8], c->ntlm_type);
    } else {
        ck_assert_uint_eq(req.num_nego_tokens, 0);
    }
    ck_assert(req.has_auth_info == (c->auth_info_len > 0));
    ck_assert_uint_eq(req.auth_info.len, c->auth_info_len);
    ck_assert(req.has_pub_key_auth == (c->pub_key_auth_len > 0));
    ck_assert_uint_eq(req.pub_key_auth.len, c->pub_key_auth_len);
    ck_assert(req.has_error_code == c->has_error_code);
    ck_assert_uint_eq(req.error_code, c->error_code);
    ck_assert(req.has_client_nonce == (c->nonce != NULL));
    if (c->nonce != NULL) {
        ck_assert(blob_eq(&req.client_nonce, c->nonce, CS_NONCE_LEN));
    }
    cs_tsrequest_clear(&req);
    all_truncations_req(msg, len);
    mutate_req(msg, len);
    free(msg);
}
END_TEST

/* The errorCode message with its INTEGER rewritten in the 5-byte positive
 * form (outer lengths grown by one) decodes to the same status. */
START_TEST(test_sspi_rs_error_code_positive)
{
    struct cs_tsrequest want = { 0 }, got = { 0 };
    uint8_t *msg = NULL, *alt;
    size_t len = load_vector("sspi-rs-ntlm-v6-error-code.hex", &msg), i;
    static const uint8_t four[] = { 0xa4, 0x06, 0x02, 0x04, 0xc0, 0x07 };
    size_t at = 0;

    for (i = 0; i + sizeof(four) <= len; i++) {
        if (memcmp(msg + i, four, sizeof(four)) == 0) {
            at = i;
            break;
        }
    }
    ck_assert_uint_ne(at, 0);
    ck_assert_uint_eq(msg[1], len - 2);       /* short-form outer length */
    alt = malloc(len + 1);
    ck_assert_ptr_nonnull(alt);
    memcpy(alt, msg, at);
    alt[1]++;
    alt[at] = 0xa4;
    alt[at + 1] = 0x07;
    alt[at + 2] = 0x02;
    alt[at + 3] = 0x05;
    alt[at + 4] = 0x00;
    memcpy(alt + at + 5, msg + at + 4, len - at - 4);
    ck_assert_int_eq(cs_tsrequest_decode(msg, len, &want), CS_OK);
    ck_assert_int_eq(cs_tsrequest_decode(alt, len + 1, &got), CS_OK);
    ck_assert_uint_eq(got.error_code, 0xc00700ea);
    ck_assert_uint_eq(got.error_code, want.error_code);
    ck_assert(blob_eq(&got.pub_key_auth, want.pub_key_auth.data,
                      want.pub_key_auth.len));
    /* And it goes out again in the canonical 4-byte form. */
    reencode_req(&got, msg, len);
    cs_tsrequest_clear(&want);
    cs_tsrequest_clear(&got);
    free(alt);
    free(msg);
}
END_TEST

/* The sspi-rs TSCredentials vectors (password credentials). */
START_TEST(test_sspi_rs_credentials)
{
    static const struct {
        const char *file;
        const char *domain, *user, *password;
    } cases[] = {
        { "sspi-rs-tscredentials-one-symbol.hex", "", "a", "1" },
        { "sspi-rs-tscredentials-domain.hex", "Domain", "Username",
          "Password" },
        { "sspi-rs-tscredentials-restricted-admin.hex", "", "", "" },
    };
    struct cs_tscredentials creds = { 0 };
    uint8_t *msg = NULL;
    size_t len, i;

    for (i = 0; i < NUM_ELEMS(cases); i++) {
        len = load_vector(cases[i].file, &msg);
        ck_assert_int_eq(cs_tscredentials_decode(msg, len, &creds), CS_OK);
        ck_assert_int_eq(creds.cred_type, CS_CRED_PASSWORD);
        ck_assert_str_eq(creds.u.password.domain, cases[i].domain);
        ck_assert_str_eq(creds.u.password.user, cases[i].user);
        ck_assert_str_eq(creds.u.password.password, cases[i].password);
        reencode_creds(&creds, msg, len);
        cs_tscredentials_clear(&creds);
        all_truncations_creds(msg, len);
        free(msg);
    }
}
END_TEST

/*
 * TSCredentials.
 */

/* Empty password credentials (restricted admin) round trip, whether the
 * strings are "" or NULL. */
START_TEST(test_empty_password_creds)
{
    struct cs_tscredentials creds = { 0 };

    creds.cred_type = CS_CRED_PASSWORD;
    reencode_creds(&creds, LIT(kat_empty_password));
    creds.u.password.domain = (char *)"";
    creds.u.password.user = (char *)"";
    creds.u.password.password = (char *)"";
    reencode_creds(&creds, LIT(kat_empty_password));

    memset(&creds, 0, sizeof(creds));
    ck_assert_int_eq(cs_tscredentials_decode(LIT(kat_empty_password),
                                             &creds), CS_OK);
    ck_assert_ptr_nonnull(creds.u.password.domain);
    ck_assert_str_eq(creds.u.password.domain, "");
    ck_assert_str_eq(creds.u.password.user, "");
    ck_assert_str_eq(creds.u.password.password, "");
    reencode_creds(&creds, LIT(kat_empty_password));
    cs_tscredentials_clear(&creds);
}
END_TEST

/* Text beyond ASCII and the BMP survives the trip through UTF-16LE. */
START_TEST(test_password_non_bmp)
{
    struct cs_tscredentials creds = { 0 }, back = { 0 };
    cs_blob der = { 0 };

    creds.cred_type = CS_CRED_PASSWORD;
    creds.u.password.domain = (char *)"EXAMPLE\xc3\x89";
    creds.u.password.user = (char *)"\xe4\xb8\xad\xe6\x96\x87";
    creds.u.password.password = (char *)"p\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf";
    ck_assert_int_eq(cs_tscredentials_encode(&creds, &der), CS_OK);
    ck_assert_int_eq(cs_tscredentials_decode(der.data, der.len, &back),
                     CS_OK);
    ck_assert_str_eq(back.u.password.domain, creds.u.password.domain);
    ck_assert_str_eq(back.u.password.user, creds.u.password.user);
    ck_assert_str_eq(back.u.password.password, creds.u.password.password);
    reencode_creds(&back, der.data, der.len);
    cs_tscredentials_clear(&back);
    cs_blob_free_secret(&der);

    /* Invalid UTF-8 cannot be encoded. */
    creds.u.password.password = (char *)"\xed\xa0\x80";
    ck_assert_int_eq(cs_tscredentials_encode(&creds, &der),
                     CREDSSP_S_BAD_UTF16);
    ck_assert_ptr_null(der.data);
}
END_TEST

/* Smart card credentials: the hand-worked minimal form, then every
 * optional field present. */
START_TEST(test_smartcard)
{
    struct cs_tscredentials creds = { 0 }, back = { 0 };
    struct cs_smartcard_creds *sc = &creds.u.smartcard;
    cs_blob der = { 0 };

    creds.cred_type = CS_CRED_SMARTCARD;
    sc->pin = (char *)"1";
    sc->csp_data.key_spec = 1;
    reencode_creds(&creds, LIT(kat_smartcard));
    ck_assert_int_eq(cs_tscredentials_decode(LIT(kat_smartcard), &back),
                     CS_OK);
    ck_assert_int_eq(back.cred_type, CS_CRED_SMARTCARD);
    ck_assert_str_eq(back.u.smartcard.pin, "1");
    ck_assert_int_eq(back.u.smartcard.csp_data.key_spec, 1);
    ck_assert_ptr_null(back.u.smartcard.csp_data.card_name);
    ck_assert_ptr_null(back.u.smartcard.csp_data.reader_name);
    ck_assert_ptr_null(back.u.smartcard.csp_data.container_name);
    ck_assert_ptr_null(back.u.smartcard.csp_data.csp_name);
    ck_assert_ptr_null(back.u.smartcard.user_hint);
    ck_assert_ptr_null(back.u.smartcard.domain_hint);
    cs_tscredentials_clear(&back);

    sc->pin = (char *)"123456";
    sc->csp_data.key_spec = INT32_MIN;
    sc->csp_data.card_name = (char *)"Card";
    sc->csp_data.reader_name = (char *)"Reader \xc3\xa9";
    sc->csp_data.container_name = (char *)"";
    sc->csp_data.csp_name = (char *)"Microsoft Base Smart Card Crypto "
                                    "Provider";
    sc->user_hint = (char *)"user@EXAMPLE.COM";
    sc->domain_hint = (char *)"EXAMPLE";
    ck_assert_int_eq(cs_tscredentials_encode(&creds, &der), CS_OK);
    ck_assert_int_eq(cs_tscredentials_decode(der.data, der.len, &back),
                     CS_OK);
    ck_assert_str_eq(back.u.smartcard.pin, "123456");
    ck_assert_int_eq(back.u.smartcard.csp_data.key_spec, INT32_MIN);
    ck_assert_str_eq(back.u.smartcard.csp_data.card_name, "Card");
    ck_assert_str_eq(back.u.smartcard.csp_data.reader_name,
                     "Reader \xc3\xa9");
    ck_assert_str_eq(back.u.smartcard.csp_data.container_name, "");
    ck_assert_str_eq(back.u.smartcard.csp_data.csp_name,
                     sc->csp_data.csp_name);
    ck_assert_str_eq(back.u.smartcard.user_hint, "user@EXAMPLE.COM");
    ck_assert_str_eq(back.u.smartcard.domain_hint, "EXAMPLE");
    reencode_creds(&back, der.data, der.len);
    cs_tscredentials_clear(&back);
    all_truncations_creds(der.data, der.len);
    mutate_creds(der.data, der.len);
    cs_blob_free_secret(&der);

    /* Only some optional fields. */
    sc->csp_data.card_name = NULL;
    sc->csp_data.container_name = NULL;
    sc->user_hint = NULL;
    sc->csp_data.key_spec = -1;
    ck_assert_int_eq(cs_tscredentials_encode(&creds, &der), CS_OK);
    ck_assert_int_eq(cs_tscredentials_decode(der.data, der.len, &back),
                     CS_OK);
    ck_assert_int_eq(back.u.smartcard.csp_data.key_spec, -1);
    ck_assert_ptr_null(back.u.smartcard.csp_data.card_name);
    ck_assert_ptr_nonnull(back.u.smartcard.csp_data.reader_name);
    ck_assert_ptr_null(back.u.smartcard.csp_data.container_name);
    ck_assert_ptr_nonnull(back.u.smartcard.csp_data.csp_name);
    ck_assert_ptr_null(back.u.smartcard.user_hint);
    ck_assert_ptr_nonnull(back.u.smartcard.domain_hint);
    reencode_creds(&back, der.data, der.len);
    cs_tscredentials_clear(&back);
    cs_blob_free_secret(&der);
}
END_TEST

/* keySpec must fit an int32. */
START_TEST(test_smartcard_key_spec_range)
{
    /* keySpec 2^31 */
    bad_creds(LIT("\x30\x1e\xa0\x03\x02\x01\x02\xa1\x17\x04\x15"
                  "\x30\x13\xa0\x04\x04\x02\x31\x00"
                  "\xa1\x0b\x30\x09\xa0\x07\x02\x05\x00\x80\x00\x00"
                  "\x00"),
              CREDSSP_S_BAD_DER);
}
END_TEST

/* Remote Guard credentials: logon only (hand-worked), with an empty and
 * with a three-element supplementalCreds. */
START_TEST(test_remote_guard)
{
    static const uint8_t buf[] = { 1, 2 };
    struct cs_remote_guard_package supp[3] = {
        { (char *)"Kerberos", { (uint8_t *)"kerb", 4 } },
        { (char *)"NTLM", { NULL, 0 } },
        { (char *)"\xf0\x9f\x98\x80", { (uint8_t *)"x", 1 } },
    };
    struct cs_tscredentials creds = { 0 }, back = { 0 };
    struct cs_remote_guard_creds *rg = &creds.u.remote_guard;
    cs_blob der = { 0 };
    size_t i;

    creds.cred_type = CS_CRED_REMOTE_GUARD;
    rg->logon_cred.package_name = (char *)"K";
    rg->logon_cred.cred_buffer.data = (uint8_t *)buf;
    rg->logon_cred.cred_buffer.len = sizeof(buf);
    reencode_creds(&creds, LIT(kat_remote_guard));
    ck_assert_int_eq(cs_tscredentials_decode(LIT(kat_remote_guard), &back),
                     CS_OK);
    ck_assert_int_eq(back.cred_type, CS_CRED_REMOTE_GUARD);
    ck_assert_str_eq(back.u.remote_guard.logon_cred.package_name, "K");
    ck_assert(blob_eq(&back.u.remote_guard.logon_cred.cred_buffer, buf,
                      sizeof(buf)));
    ck_assert(!back.u.remote_guard.has_supplemental);
    ck_assert_uint_eq(back.u.remote_guard.num_supplemental, 0);
    cs_tscredentials_clear(&back);

    /* An empty SEQUENCE OF is kept apart from an absent one. */
    rg->has_supplemental = true;
    ck_assert_int_eq(cs_tscredentials_encode(&creds, &der), CS_OK);
    ck_assert_int_eq(cs_tscredentials_decode(der.data, der.len, &back),
                     CS_OK);
    ck_assert(back.u.remote_guard.has_supplemental);
    ck_assert_uint_eq(back.u.remote_guard.num_supplemental, 0);
    reencode_creds(&back, der.data, der.len);
    cs_tscredentials_clear(&back);
    cs_blob_free_secret(&der);

    rg->num_supplemental = NUM_ELEMS(supp);
    rg->supplemental = supp;
    ck_assert_int_eq(cs_tscredentials_encode(&creds, &der), CS_OK);
    ck_assert_int_eq(cs_tscredentials_decode(der.data, der.len, &back),
                     CS_OK);
    ck_assert(back.u.remote_guard.has_supplemental);
    ck_assert_uint_eq(back.u.remote_guard.num_supplemental, NUM_ELEMS(supp));
    for (i = 0; i < NUM_ELEMS(supp); i++) {
        ck_assert_str_eq(back.u.remote_guard.supplemental[i].package_name,
                         supp[i].package_name);
        ck_assert(blob_eq(&back.u.remote_guard.supplemental[i].cred_buffer,
                          supp[i].cred_buffer.data, supp[i].cred_buffer.len));
    }
    reencode_creds(&back, der.data, der.len);
    cs_tscredentials_clear(&back);
    all_truncations_creds(der.data, der.len);
    mutate_creds(der.data, der.len);
    cs_blob_free_secret(&der);

    /* Supplemental entries without has_supplemental are inconsistent. */
    rg->has_supplemental = false;
    ck_assert_int_eq(cs_tscredentials_encode(&creds, &der),
                     CREDSSP_S_INTERNAL);
    ck_assert_ptr_null(der.data);
}
END_TEST

/* Any credType but 1, 2 and 6 is CREDSSP_S_BAD_CRED_TYPE, however it is
 * written; the encoder refuses them too. */
START_TEST(test_unknown_cred_type)
{
    struct cs_tscredentials creds = { 0 };
    cs_blob der = { 0 };

    /* kat_empty_password with credType 0, 3, 5, 7, -1 */
    bad_creds(LIT("\x30\x17\xa0\x03\x02\x01\x00\xa1\x10\x04\x0e\x30\x0c"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x02\x04\x00"),
              CREDSSP_S_BAD_CRED_TYPE);
    bad_creds(LIT("\x30\x17\xa0\x03\x02\x01\x03\xa1\x10\x04\x0e\x30\x0c"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x02\x04\x00"),
              CREDSSP_S_BAD_CRED_TYPE);
    bad_creds(LIT("\x30\x17\xa0\x03\x02\x01\x05\xa1\x10\x04\x0e\x30\x0c"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x02\x04\x00"),
              CREDSSP_S_BAD_CRED_TYPE);
    bad_creds(LIT("\x30\x17\xa0\x03\x02\x01\x07\xa1\x10\x04\x0e\x30\x0c"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x02\x04\x00"),
              CREDSSP_S_BAD_CRED_TYPE);
    bad_creds(LIT("\x30\x17\xa0\x03\x02\x01\xff\xa1\x10\x04\x0e\x30\x0c"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x02\x04\x00"),
              CREDSSP_S_BAD_CRED_TYPE);
    /* 257 (1 in its low byte) and 2^64 + 1 */
    bad_creds(LIT("\x30\x18\xa0\x04\x02\x02\x01\x01\xa1\x10\x04\x0e\x30\x0c"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x02\x04\x00"),
              CREDSSP_S_BAD_CRED_TYPE);
    bad_creds(LIT("\x30\x1f\xa0\x0b\x02\x09\x01\x00\x00\x00\x00\x00\x00"
                  "\x00\x01\xa1\x10\x04\x0e\x30\x0c"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x02\x04\x00"),
              CREDSSP_S_BAD_CRED_TYPE);
    /* ...but bad DER outside is still bad DER */
    bad_creds(LIT("\x30\x17\xa0\x03\x02\x01\x03\xa1\x10\x04\x0e\x30\x0c"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x02\x04\x00\x00"),
              CREDSSP_S_BAD_DER);

    creds.cred_type = (enum cs_cred_type)3;
    ck_assert_int_eq(cs_tscredentials_encode(&creds, &der),
                     CREDSSP_S_BAD_CRED_TYPE);
    ck_assert_ptr_null(der.data);
}
END_TEST

/* The inner structure must be strict DER of the type credType names. */
START_TEST(test_inner_der)
{
    /* credType 1 (password) carrying smart card DER, and the reverse */
    bad_creds(LIT("\x30\x1a\xa0\x03\x02\x01\x01\xa1\x13\x04\x11"
                  "\x30\x0f\xa0\x04\x04\x02\x31\x00"
                  "\xa1\x07\x30\x05\xa0\x03\x02\x01\x01"),
              CREDSSP_S_BAD_DER);
    bad_creds(LIT("\x30\x17\xa0\x03\x02\x01\x02\xa1\x10\x04\x0e\x30\x0c"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x02\x04\x00"),
              CREDSSP_S_BAD_DER);
    /* credType 6 carrying password DER */
    bad_creds(LIT("\x30\x17\xa0\x03\x02\x01\x06\xa1\x10\x04\x0e\x30\x0c"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x02\x04\x00"),
              CREDSSP_S_BAD_DER);
    /* empty credentials */
    bad_creds(LIT("\x30\x09\xa0\x03\x02\x01\x01\xa1\x02\x04\x00"),
              CREDSSP_S_BAD_DER);
    /* a trailing byte inside the OCTET STRING */
    bad_creds(LIT("\x30\x18\xa0\x03\x02\x01\x01\xa1\x11\x04\x0f\x30\x0c"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x02\x04\x00\x00"),
              CREDSSP_S_BAD_DER);
    /* the inner SEQUENCE with an indefinite length */
    bad_creds(LIT("\x30\x19\xa0\x03\x02\x01\x01\xa1\x12\x04\x10\x30\x80"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x02\x04\x00"
                  "\x00\x00"),
              CREDSSP_S_BAD_DER);
    /* the inner SEQUENCE with a non-minimal length and a trailing byte */
    bad_creds(LIT("\x30\x19\xa0\x03\x02\x01\x01\xa1\x12\x04\x10\x30\x81\x0c"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x02\x04\x00\x00"),
              CREDSSP_S_BAD_DER);
    /* password missing */
    bad_creds(LIT("\x30\x13\xa0\x03\x02\x01\x01\xa1\x0c\x04\x0a\x30\x08"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00"),
              CREDSSP_S_BAD_DER);
    /* password under [3] */
    bad_creds(LIT("\x30\x17\xa0\x03\x02\x01\x01\xa1\x10\x04\x0e\x30\x0c"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa3\x02\x04\x00"),
              CREDSSP_S_BAD_DER);
    /* the outer credentials OCTET STRING constructed */
    bad_creds(LIT("\x30\x19\xa0\x03\x02\x01\x01\xa1\x12\x24\x10\x04\x0e"
                  "\x30\x0c"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x02\x04\x00"),
              CREDSSP_S_BAD_DER);
    /* wrong outer tag */
    bad_creds(LIT("\x31\x17\xa0\x03\x02\x01\x01\xa1\x10\x04\x0e\x30\x0c"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x02\x04\x00"),
              CREDSSP_S_BAD_DER);
    bad_creds(NULL, 0, CREDSSP_S_BAD_DER);
}
END_TEST

/* Text fields must be valid UTF-16LE. */
START_TEST(test_inner_bad_utf16)
{
    /* user "a" with an odd length (one byte) */
    bad_creds(LIT("\x30\x18\xa0\x03\x02\x01\x01\xa1\x11\x04\x0f\x30\x0d"
                  "\xa0\x02\x04\x00\xa1\x03\x04\x01\x61\xa2\x02\x04\x00"),
              CREDSSP_S_BAD_UTF16);
    /* password a lone high surrogate */
    bad_creds(LIT("\x30\x19\xa0\x03\x02\x01\x01\xa1\x12\x04\x10\x30\x0e"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x04\x04\x02"
                  "\x3d\xd8"),
              CREDSSP_S_BAD_UTF16);
    /* domain a lone low surrogate */
    bad_creds(LIT("\x30\x19\xa0\x03\x02\x01\x01\xa1\x12\x04\x10\x30\x0e"
                  "\xa0\x04\x04\x02\x00\xde\xa1\x02\x04\x00\xa2\x02\x04\x00"),
              CREDSSP_S_BAD_UTF16);
    /* password an embedded U+0000 */
    bad_creds(LIT("\x30\x1b\xa0\x03\x02\x01\x01\xa1\x14\x04\x12\x30\x10"
                  "\xa0\x02\x04\x00\xa1\x02\x04\x00\xa2\x06\x04\x04"
                  "\0\0a\0"),
              CREDSSP_S_BAD_UTF16);
    /* smart card PIN with an odd length */
    bad_creds(LIT("\x30\x19\xa0\x03\x02\x01\x02\xa1\x12\x04\x10"
                  "\x30\x0e\xa0\x03\x04\x01\x31"
                  "\xa1\x07\x30\x05\xa0\x03\x02\x01\x01"),
              CREDSSP_S_BAD_UTF16);
}
END_TEST

/* Flips at every offset of the known TSCredentials. */
START_TEST(test_credentials_mutations)
{
    mutate_creds(LIT(kat_password));
    mutate_creds(LIT(kat_empty_password));
    mutate_creds(LIT(kat_smartcard));
    mutate_creds(LIT(kat_remote_guard));
}
END_TEST

/* Clearing accepts NULL, a zeroed struct, and an unknown type. */
START_TEST(test_credentials_clear)
{
    struct cs_tscredentials creds = { 0 };

    cs_tscredentials_clear(NULL);
    cs_tscredentials_clear(&creds);
    creds.cred_type = (enum cs_cred_type)9;
    cs_tscredentials_clear(&creds);
    ck_assert(is_zero(&creds, sizeof(creds)));
    ck_assert_int_eq(cs_tscredentials_decode(LIT(kat_password), NULL),
                     CREDSSP_S_INTERNAL);
}
END_TEST

/* tsrequest_suite: the Check suite for src/tsrequest.c. */
static Suite *
tsrequest_suite(void)
{
    Suite *s = suite_create("tsrequest");
    TCase *kat = tcase_create("known answers");
    TCase *rt = tcase_create("round trips");
    TCase *err = tcase_create("errorCode");
    TCase *bad = tcase_create("rejections");
    TCase *sspi = tcase_create("sspi-rs exchange");
    TCase *cred = tcase_create("TSCredentials");

    tcase_add_test(kat, test_kat_request_encode);
    tcase_add_test(kat, test_kat_request_decode);
    tcase_add_test(kat, test_kat_password);
    tcase_add_test(kat, test_ber_lengths);
    tcase_add_test(kat, test_rdesktop_credentials);
    tcase_add_test(kat, test_rdesktop_requests);
    tcase_add_test(kat, test_trailing_nul);
    tcase_add_test(kat, test_trailing_nul_other_types);
    tcase_add_test(kat, test_rdesktop_neighbours_refused);
    suite_add_tcase(s, kat);

    tcase_add_test(rt, test_request_version_only);
    tcase_add_loop_test(rt, test_request_field_combinations, 0, 64);
    tcase_add_test(rt, test_request_long_tokens);
    tcase_add_test(rt, test_request_empty_token);
    tcase_add_test(rt, test_add_nego_token);
    tcase_add_test(rt, test_blob_helpers);
    suite_add_tcase(s, rt);

    tcase_add_test(err, test_error_code_negative_form);
    tcase_add_test(err, test_error_code_positive_form);
    tcase_add_test(err, test_error_code_out_of_range);
    tcase_add_test(err, test_error_code_values);
    suite_add_tcase(s, err);

    /* The sweeps are slow under valgrind. */
    tcase_set_timeout(bad, 600);
    tcase_add_test(bad, test_version_range);
    tcase_add_test(bad, test_trailing_bytes);
    tcase_add_test(bad, test_wrong_outer_tag);
    tcase_add_test(bad, test_wrong_context_tag);
    tcase_add_test(bad, test_indefinite_length);
    tcase_add_loop_test(bad, test_deep_nesting, 0, 2);
    tcase_add_test(bad, test_non_der_forms);
    tcase_add_test(bad, test_length_beyond_input);
    tcase_add_test(bad, test_truncation_everywhere);
    tcase_add_test(bad, test_empty_nego_data);
    tcase_add_test(bad, test_empty_input);
    tcase_add_test(bad, test_request_mutations);
    suite_add_tcase(s, bad);

    tcase_set_timeout(sspi, 600);
    tcase_add_loop_test(sspi, test_sspi_rs_exchange, 0,
                        (int)NUM_ELEMS(sspi_cases));
    tcase_add_test(sspi, test_sspi_rs_error_code_positive);
    tcase_add_test(sspi, test_sspi_rs_credentials);
    suite_add_tcase(s, sspi);

    tcase_set_timeout(cred, 600);
    tcase_add_test(cred, test_empty_password_creds);
    tcase_add_test(cred, test_password_non_bmp);
    tcase_add_test(cred, test_smartcard);
    tcase_add_test(cred, test_smartcard_key_spec_range);
    tcase_add_test(cred, test_remote_guard);
    tcase_add_test(cred, test_unknown_cred_type);
    tcase_add_test(cred, test_inner_der);
    tcase_add_test(cred, test_inner_bad_utf16);
    tcase_add_test(cred, test_credentials_mutations);
    tcase_add_test(cred, test_credentials_clear);
    suite_add_tcase(s, cred);
    return s;
}

/* main: runs the suite; the exit status is what the test harness reads. */
int
main(void)
{
    return check_run(tsrequest_suite(), false);
}
