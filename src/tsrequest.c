/* SPDX-License-Identifier: MIT */
/*
 * tsrequest.c - the [MS-CSSP] 2.2.1 messages: TSRequest and TSCredentials
 * with the three credential structures its credType selects.
 *
 * The DER is declared once, below, with OpenSSL's ASN.1 templates and never
 * parsed by hand.  We send DER.  On receive we take what Windows takes:
 * any definite-length form of a length (rdesktop writes every length of
 * 128 or more as 82 hi lo, and some short ones as 81 xx), and nothing
 * else that is not DER.  OpenSSL's d2i is more lenient than that (it
 * takes indefinite lengths and constructed OCTET STRINGs, and stops before
 * trailing data), so every decode goes through der_decode(), which demands
 * that the whole input was consumed and that OpenSSL's re-encoding equals
 * the input with only its length octets made minimal (canon_lengths()).
 *
 * OpenSSL frees its ASN.1 strings without wiping them, so each structure
 * that can hold a secret has a free_*() here that cleanses the strings
 * first.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/asn1t.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "cursor.h"
#include "tsrequest.h"

/* The errorCode range: an NTSTATUS is sent as a signed 32-bit INTEGER. */
#define TWO_TO_32 INT64_C(0x100000000)

/*
 * The ASN.1 of [MS-CSSP] 2.2.1; every tag is EXPLICIT.  The items and the
 * functions the macros make are static, so nothing here is exported.
 */

/* NegoData ::= SEQUENCE OF SEQUENCE { negoToken [0] OCTET STRING } */
typedef struct {
    ASN1_OCTET_STRING *nego_token;
} der_nego_token;

ASN1_SEQUENCE(der_nego_token) = {
    ASN1_EXP(der_nego_token, nego_token, ASN1_OCTET_STRING, 0),
} static_ASN1_SEQUENCE_END(der_nego_token)

IMPLEMENT_STATIC_ASN1_ALLOC_FUNCTIONS(der_nego_token)
DEFINE_STACK_OF(der_nego_token)

/* TSRequest ([MS-CSSP] 2.2.1) */
typedef struct {
    ASN1_INTEGER *version;
    STACK_OF(der_nego_token) *nego_tokens;
    ASN1_OCTET_STRING *auth_info;
    ASN1_OCTET_STRING *pub_key_auth;
    ASN1_INTEGER *error_code;
    ASN1_OCTET_STRING *client_nonce;
} der_ts_request;

ASN1_SEQUENCE(der_ts_request) = {
    ASN1_EXP(der_ts_request, version, ASN1_INTEGER, 0),
    ASN1_EXP_SEQUENCE_OF_OPT(der_ts_request, nego_tokens, der_nego_token, 1),
    ASN1_EXP_OPT(der_ts_request, auth_info, ASN1_OCTET_STRING, 2),
    ASN1_EXP_OPT(der_ts_request, pub_key_auth, ASN1_OCTET_STRING, 3),
    ASN1_EXP_OPT(der_ts_request, error_code, ASN1_INTEGER, 4),
    ASN1_EXP_OPT(der_ts_request, client_nonce, ASN1_OCTET_STRING, 5),
} static_ASN1_SEQUENCE_END(der_ts_request)

IMPLEMENT_STATIC_ASN1_ALLOC_FUNCTIONS(der_ts_request)

/* TSCredentials ([MS-CSSP] 2.2.1.2) */
typedef struct {
    ASN1_INTEGER *cred_type;
    ASN1_OCTET_STRING *credentials;
} der_ts_credentials;

ASN1_SEQUENCE(der_ts_credentials) = {
    ASN1_EXP(der_ts_credentials, cred_type, ASN1_INTEGER, 0),
    ASN1_EXP(der_ts_credentials, credentials, ASN1_OCTET_STRING, 1),
} static_ASN1_SEQUENCE_END(der_ts_credentials)

IMPLEMENT_STATIC_ASN1_ALLOC_FUNCTIONS(der_ts_credentials)

/* TSPasswordCreds ([MS-CSSP] 2.2.1.2.1) */
typedef struct {
    ASN1_OCTET_STRING *domain;
    ASN1_OCTET_STRING *user;
    ASN1_OCTET_STRING *password;
} der_password_creds;

ASN1_SEQUENCE(der_password_creds) = {
    ASN1_EXP(der_password_creds, domain, ASN1_OCTET_STRING, 0),
    ASN1_EXP(der_password_creds, user, ASN1_OCTET_STRING, 1),
    ASN1_EXP(der_password_creds, password, ASN1_OCTET_STRING, 2),
} static_ASN1_SEQUENCE_END(der_password_creds)

IMPLEMENT_STATIC_ASN1_ALLOC_FUNCTIONS(der_password_creds)

/* TSCspDataDetail ([MS-CSSP] 2.2.1.2.2.1) */
typedef struct {
    ASN1_INTEGER *key_spec;
    ASN1_OCTET_STRING *card_name;
    ASN1_OCTET_STRING *reader_name;
    ASN1_OCTET_STRING *container_name;
    ASN1_OCTET_STRING *csp_name;
} der_csp_data;

ASN1_SEQUENCE(der_csp_data) = {
    ASN1_EXP(der_csp_data, key_spec, ASN1_INTEGER, 0),
    ASN1_EXP_OPT(der_csp_data, card_name, ASN1_OCTET_STRING, 1),
    ASN1_EXP_OPT(der_csp_data, reader_name, ASN1_OCTET_STRING, 2),
    ASN1_EXP_OPT(der_csp_data, container_name, ASN1_OCTET_STRING, 3),
    ASN1_EXP_OPT(der_csp_data, csp_name, ASN1_OCTET_STRING, 4),
} static_ASN1_SEQUENCE_END(der_csp_data)

/* TSSmartCardCreds ([MS-CSSP] 2.2.1.2.2) */
typedef struct {
    ASN1_OCTET_STRING *pin;
    der_csp_data *csp_data;
    ASN1_OCTET_STRING *user_hint;
    ASN1_OCTET_STRING *domain_hint;
} der_smartcard_creds;

ASN1_SEQUENCE(der_smartcard_creds) = {
    ASN1_EXP(der_smartcard_creds, pin, ASN1_OCTET_STRING, 0),
    ASN1_EXP(der_smartcard_creds, csp_data, der_csp_data, 1),
    ASN1_EXP_OPT(der_smartcard_creds, user_hint, ASN1_OCTET_STRING, 2),
    ASN1_EXP_OPT(der_smartcard_creds, domain_hint, ASN1_OCTET_STRING, 3),
} static_ASN1_SEQUENCE_END(der_smartcard_creds)

IMPLEMENT_STATIC_ASN1_ALLOC_FUNCTIONS(der_smartcard_creds)

/* TSRemoteGuardPackageCred ([MS-CSSP] 2.2.1.2.3.1) */
typedef struct {
    ASN1_OCTET_STRING *package_name;
    ASN1_OCTET_STRING *cred_buffer;
} der_rg_package;

ASN1_SEQUENCE(der_rg_package) = {
    ASN1_EXP(der_rg_package, package_name, ASN1_OCTET_STRING, 0),
    ASN1_EXP(der_rg_package, cred_buffer, ASN1_OCTET_STRING, 1),
} static_ASN1_SEQUENCE_END(der_rg_package)

IMPLEMENT_STATIC_ASN1_ALLOC_FUNCTIONS(der_rg_package)
DEFINE_STACK_OF(der_rg_package)

/* TSRemoteGuardCreds ([MS-CSSP] 2.2.1.2.3) */
typedef struct {
    der_rg_package *logon_cred;
    STACK_OF(der_rg_package) *supplemental;
} der_rg_creds;

ASN1_SEQUENCE(der_rg_creds) = {
    ASN1_EXP(der_rg_creds, logon_cred, der_rg_package, 0),
    ASN1_EXP_SEQUENCE_OF_OPT(der_rg_creds, supplemental, der_rg_package, 1),
} static_ASN1_SEQUENCE_END(der_rg_creds)

IMPLEMENT_STATIC_ASN1_ALLOC_FUNCTIONS(der_rg_creds)

/*
 * Wiping.  OpenSSL's ASN1_STRING_free releases without cleansing, so the
 * strings of a structure that held secrets are cleansed before it goes.
 */

/* wipe_octets: cleanses the bytes of s; NULL does nothing. */
static void
wipe_octets(ASN1_OCTET_STRING *s)
{
    if (s != NULL && s->data != NULL && s->length > 0) {
        OPENSSL_cleanse(s->data, (size_t)s->length);
    }
}

/* free_request: wipes authInfo and clientNonce, then frees r. */
static void
free_request(der_ts_request *r)
{
    if (r == NULL) {
        return;
    }
    wipe_octets(r->auth_info);
    wipe_octets(r->client_nonce);
    der_ts_request_free(r);
}

/* free_credentials: wipes the encoded credentials, then frees c. */
static void
free_credentials(der_ts_credentials *c)
{
    if (c == NULL) {
        return;
    }
    wipe_octets(c->credentials);
    der_ts_credentials_free(c);
}

/* free_password: wipes every field (the names say who logs on), then
 * frees p. */
static void
free_password(der_password_creds *p)
{
    if (p == NULL) {
        return;
    }
    wipe_octets(p->domain);
    wipe_octets(p->user);
    wipe_octets(p->password);
    der_password_creds_free(p);
}

/* free_smartcard: wipes the PIN and the hints, then frees s. */
static void
free_smartcard(der_smartcard_creds *s)
{
    if (s == NULL) {
        return;
    }
    wipe_octets(s->pin);
    wipe_octets(s->user_hint);
    wipe_octets(s->domain_hint);
    der_smartcard_creds_free(s);
}

/* wipe_package: wipes the credential buffer of one package. */
static void
wipe_package(der_rg_package *p)
{
    if (p != NULL) {
        wipe_octets(p->cred_buffer);
    }
}

/* free_package: wipes and frees one package (for the stack's pop_free). */
static void
free_package(der_rg_package *p)
{
    wipe_package(p);
    der_rg_package_free(p);
}

/* free_remote_guard: wipes every credential buffer, then frees g. */
static void
free_remote_guard(der_rg_creds *g)
{
    if (g == NULL) {
        return;
    }
    wipe_package(g->logon_cred);
    sk_der_rg_package_pop_free(g->supplemental, free_package);
    g->supplemental = NULL;
    der_rg_creds_free(g);
}

/*
 * DER in and out.
 */

/* openssl_err: CREDSSP_S_NOMEM when OpenSSL's last error was an allocation
 * failure, else fallback. */
static cs_err
openssl_err(cs_err fallback)
{
    if (ERR_GET_REASON(ERR_peek_last_error()) == ERR_R_MALLOC_FAILURE) {
        return CREDSSP_S_NOMEM;
    }
    return fallback;
}

/*
 * der_encode: the DER of val (of type it) into the empty blob *out, whose
 * bytes come from malloc() like every blob's.
 */
static cs_err
der_encode(const void *val, const ASN1_ITEM *it, cs_blob *out)
{
    uint8_t *buf = NULL;
    unsigned char *p;
    int len, len2 = -1;
    cs_err err;

    len = ASN1_item_i2d((const ASN1_VALUE *)val, NULL, it);
    if (len <= 0) {
        return openssl_err(CREDSSP_S_INTERNAL);
    }
    buf = malloc((size_t)len);
    if (buf == NULL) {
        err = CREDSSP_S_NOMEM;
        goto cleanup;
    }
    p = buf;
    len2 = ASN1_item_i2d((const ASN1_VALUE *)val, &p, it);
    if (len2 != len || p != buf + len) {
        err = openssl_err(CREDSSP_S_INTERNAL);
        goto cleanup;
    }
    out->data = buf;
    out->len = (size_t)len;
    buf = NULL;
    err = CS_OK;

cleanup:
    if (buf != NULL) {
        cs_wipe(buf, (size_t)len);
        free(buf);
    }
    return err;
}

/*
 * The deepest nesting of TLVs any of our structures has: TSRequest >
 * negoTokens [1] > NegoData > item > negoToken [0] > OCTET STRING, and
 * TSRemoteGuardCreds > [1] > SEQUENCE OF > package > [n] > OCTET STRING,
 * are six.  Anything deeper cannot decode, so the walk stops there before
 * it recurses further.
 */
#define DER_MAX_DEPTH 8

/* The length octets of a definite length, minimal (X.690 10.1). */
static size_t
put_der_length(uint8_t out[static 9], size_t len)
{
    size_t n = 0, i;

    if (len < 0x80) {
        out[0] = (uint8_t)len;
        return 1;
    }
    for (i = len; i > 0; i >>= 8) {
        n++;
    }
    out[0] = (uint8_t)(0x80 | n);
    for (i = 0; i < n; i++) {
        out[1 + i] = (uint8_t)(len >> (8 * (n - 1 - i)));
    }
    return 1 + n;
}

/* Room canon_tlvs needs beyond the input: at each level it writes the
 * contents first, after room for the longest length octets. */
#define CANON_SLACK (9 * (DER_MAX_DEPTH + 1))

/*
 * canon_tlvs: appends to *out the TLVs that fill exactly in_len bytes at
 * in, each with its identifier and primitive contents as they are and its
 * length octets in the minimal form (for a constructed TLV: of its
 * canonical contents).  OpenSSL parses each header (ASN1_get_object); the
 * identifier octets are copied verbatim, so that only lengths can differ
 * between the input and what is compared with it.  *out has room for
 * in_len + CANON_SLACK more bytes.  False for anything but a sequence of
 * complete definite-length TLVs: an indefinite length, the reserved
 * length octet 0xff, a length beyond its container, nesting deeper than
 * DER_MAX_DEPTH.
 */
static bool
canon_tlvs(const uint8_t *in, size_t in_len, int depth, cs_blob *out)
{
    struct cs_cursor c;

    if (depth > DER_MAX_DEPTH) {
        return false;
    }
    cs_cursor_init(&c, in, in_len);
    while (c.left > 0) {
        const unsigned char *p = c.p;
        long content_len = 0;
        int tag = 0, xclass = 0, ret;
        size_t hdr_len, id_len = 1, len_octets, start = out->len, body;
        uint8_t len_buf[9];

        ret = ASN1_get_object(&p, &content_len, &tag, &xclass,
                              c.left > LONG_MAX ? LONG_MAX : (long)c.left);
        if ((ret & 0x80) != 0 || (ret & 0x01) != 0 || content_len < 0) {
            return false;         /* malformed, too long or indefinite */
        }
        hdr_len = (size_t)(p - c.p);
        /* The identifier octets: one, or 0x1f and a base-128 tag number
         * whose last octet has bit 8 clear (X.690 8.1.2.4). */
        if ((c.p[0] & 0x1f) == 0x1f) {
            while (id_len < hdr_len && (c.p[id_len] & 0x80) != 0) {
                id_len++;
            }
            id_len++;
        }
        if (id_len >= hdr_len || c.p[id_len] == 0xff ||
            (size_t)content_len > c.left - hdr_len) {
            return false;
        }
        memcpy(out->data + start, c.p, id_len);
        (void)cs_cursor_skip(&c, hdr_len);
        /* The contents go after room for the longest length octets, then
         * move down once their canonical size is known. */
        out->len = start + id_len + sizeof(len_buf);
        if ((ret & V_ASN1_CONSTRUCTED) != 0) {
            if (!canon_tlvs(c.p, (size_t)content_len, depth + 1, out)) {
                return false;
            }
        } else if (content_len > 0) {
            memcpy(out->data + out->len, c.p, (size_t)content_len);
            out->len += (size_t)content_len;
        }
        (void)cs_cursor_skip(&c, (size_t)content_len);
        body = out->len - (start + id_len + sizeof(len_buf));
        len_octets = put_der_length(len_buf, body);
        memmove(out->data + start + id_len + len_octets,
                out->data + start + id_len + sizeof(len_buf), body);
        memcpy(out->data + start + id_len, len_buf, len_octets);
        out->len = start + id_len + len_octets + body;
    }
    return c.ok;
}

/*
 * canon_lengths: the input with every length in its minimal form, in
 * *out (empty on entry; the caller frees it with cs_blob_free_secret: it
 * may hold credentials).  CREDSSP_S_BAD_DER for input that is not one
 * complete definite-length TLV.
 */
static cs_err
canon_lengths(const uint8_t *in, size_t in_len, cs_blob *out)
{
    const unsigned char *p = in;
    long content_len = 0;
    int tag, xclass, ret;

    /* One TLV and nothing after it: trailing data is refused here. */
    ret = ASN1_get_object(&p, &content_len, &tag, &xclass,
                          in_len > LONG_MAX ? LONG_MAX : (long)in_len);
    if ((ret & 0x81) != 0 || content_len < 0 ||
        (size_t)(p - in) + (size_t)content_len != in_len) {
        return CREDSSP_S_BAD_DER;
    }
    out->data = calloc(1, in_len + CANON_SLACK);
    if (out->data == NULL) {
        return CREDSSP_S_NOMEM;
    }
    out->len = 0;
    if (!canon_tlvs(in, in_len, 0, out)) {
        /* Everything written lies below in_len + CANON_SLACK. */
        out->len = in_len + CANON_SLACK;
        return CREDSSP_S_BAD_DER;
    }
    /* The moves leave copies of contents above the end. */
    cs_wipe(out->data + out->len, in_len + CANON_SLACK - out->len);
    return CS_OK;
}

/*
 * der_decode: parses exactly in_len bytes of type it.  On return
 * *val_out holds whatever OpenSSL built (NULL when it built nothing), even
 * on failure, so that the caller can wipe it with the free_ function of
 * its type; the caller frees it in every case.
 *
 * Strictness beyond OpenSSL's d2i: every byte must be consumed, and the
 * re-encoding of the result must equal the input with its lengths made
 * minimal.  That takes long-form and zero-padded definite lengths (BER, as
 * rdesktop sends them) and refuses indefinite lengths, constructed
 * strings, non-minimal INTEGERs, other identifier forms and any other
 * BER-only form.
 */
static cs_err
der_decode(const ASN1_ITEM *it, const uint8_t *in, size_t in_len,
           ASN1_VALUE **val_out)
{
    const unsigned char *p = in;
    ASN1_VALUE *val;
    cs_blob again = { 0 }, canon = { 0 };
    cs_err err;

    *val_out = NULL;
    if (in == NULL || in_len == 0 || in_len > INT_MAX) {
        return CREDSSP_S_BAD_DER;
    }
    err = canon_lengths(in, in_len, &canon);
    if (err != CS_OK) {
        goto cleanup;
    }
    val = ASN1_item_d2i(NULL, &p, (long)in_len, it);
    *val_out = val;
    if (val == NULL) {
        err = openssl_err(CREDSSP_S_BAD_DER);
        goto cleanup;
    }
    if (p < in || (size_t)(p - in) != in_len) {
        err = CREDSSP_S_BAD_DER;
        goto cleanup;
    }
    err = der_encode(val, it, &again);
    if (err != CS_OK) {
        goto cleanup;
    }
    if (again.len != canon.len ||
        memcmp(again.data, canon.data, canon.len) != 0) {
        err = CREDSSP_S_BAD_DER;
        goto cleanup;
    }
    err = CS_OK;

cleanup:
    cs_blob_free_secret(&canon);
    cs_blob_free_secret(&again);
    return err;
}

/*
 * Field conversions between OpenSSL's types and ours.
 */

/* put_octets: sets *field (made when NULL) to len bytes of data. */
static cs_err
put_octets(ASN1_OCTET_STRING **field, const uint8_t *data, size_t len)
{
    if (len > INT_MAX || (data == NULL && len != 0)) {
        return CREDSSP_S_INTERNAL;
    }
    if (*field == NULL) {
        *field = ASN1_OCTET_STRING_new();
        if (*field == NULL) {
            return CREDSSP_S_NOMEM;
        }
    }
    if (!ASN1_OCTET_STRING_set(*field, data, (int)len)) {
        return CREDSSP_S_NOMEM;
    }
    return CS_OK;
}

/* put_blob: put_octets of a blob. */
static cs_err
put_blob(ASN1_OCTET_STRING **field, const cs_blob *b)
{
    return put_octets(field, b->data, b->len);
}

/* put_text: sets *field to the UTF-16LE of the UTF-8 string s; NULL is
 * taken as the empty string.  The temporary copy is wiped: the text may be
 * a password. */
static cs_err
put_text(ASN1_OCTET_STRING **field, const char *s)
{
    cs_blob wide = { 0 };
    cs_err err;

    if (s == NULL) {
        s = "";
    }
    err = cs_utf8_to_utf16le(s, strlen(s), &wide);
    if (err == CS_OK) {
        err = put_blob(field, &wide);
    }
    cs_blob_free_secret(&wide);
    return err;
}

/* put_opt_text: like put_text, but a NULL s leaves the OPTIONAL field
 * absent. */
static cs_err
put_opt_text(ASN1_OCTET_STRING **field, const char *s)
{
    if (s == NULL) {
        return CS_OK;
    }
    return put_text(field, s);
}

/* put_int: sets *field (made when NULL) to v. */
static cs_err
put_int(ASN1_INTEGER **field, int64_t v)
{
    if (*field == NULL) {
        *field = ASN1_INTEGER_new();
        if (*field == NULL) {
            return CREDSSP_S_NOMEM;
        }
    }
    if (!ASN1_INTEGER_set_int64(*field, v)) {
        return CREDSSP_S_NOMEM;
    }
    return CS_OK;
}

/* get_int: the value of a decoded INTEGER when it fits an int64_t. */
static bool
get_int(const ASN1_INTEGER *a, int64_t *v)
{
    return a != NULL && ASN1_INTEGER_get_int64(v, a) == 1;
}

/* get_blob: copies a decoded OCTET STRING into the empty blob *out. */
static cs_err
get_blob(const ASN1_OCTET_STRING *s, cs_blob *out)
{
    if (s == NULL) {
        return CREDSSP_S_INTERNAL;
    }
    return cs_blob_set(out, ASN1_STRING_get0_data(s),
                       (size_t)ASN1_STRING_length(s));
}

/*
 * get_text: converts a decoded UTF-16LE OCTET STRING into a new UTF-8
 * string.  One trailing U+0000 is dropped: rdesktop ends the domain, the
 * user name and the password with one, and Windows takes them.  Any other
 * U+0000 (a second one at the end, one inside) stays an error of
 * cs_utf16le_to_utf8.
 */
static cs_err
get_text(const ASN1_OCTET_STRING *s, char **out)
{
    const uint8_t *data;
    size_t len;

    if (s == NULL) {
        return CREDSSP_S_INTERNAL;
    }
    data = ASN1_STRING_get0_data(s);
    len = (size_t)ASN1_STRING_length(s);
    if (len >= 2 && len % 2 == 0 && data[len - 2] == 0 && data[len - 1] == 0) {
        len -= 2;
    }
    return cs_utf16le_to_utf8(data, len, out);
}

/* get_opt_text: like get_text, but an absent field gives NULL. */
static cs_err
get_opt_text(const ASN1_OCTET_STRING *s, char **out)
{
    *out = NULL;
    if (s == NULL) {
        return CS_OK;
    }
    return get_text(s, out);
}

/*
 * TSRequest.
 */

/* request_to_der: fills the template structure d from req. */
static cs_err
request_to_der(const struct cs_tsrequest *req, der_ts_request *d)
{
    der_nego_token *tok = NULL;
    size_t i;
    int64_t code;
    cs_err err;

    if (req->version > 255 || req->num_nego_tokens > INT_MAX ||
        (req->num_nego_tokens > 0 && req->nego_tokens == NULL)) {
        return CREDSSP_S_INTERNAL;
    }
    err = put_int(&d->version, req->version);
    if (err != CS_OK) {
        goto cleanup;
    }
    if (req->num_nego_tokens > 0) {
        d->nego_tokens = sk_der_nego_token_new_null();
        if (d->nego_tokens == NULL) {
            err = CREDSSP_S_NOMEM;
            goto cleanup;
        }
    }
    for (i = 0; i < req->num_nego_tokens; i++) {
        tok = der_nego_token_new();
        if (tok == NULL) {
            err = CREDSSP_S_NOMEM;
            goto cleanup;
        }
        err = put_blob(&tok->nego_token, &req->nego_tokens[i]);
        if (err != CS_OK) {
            goto cleanup;
        }
        if (sk_der_nego_token_push(d->nego_tokens, tok) <= 0) {
            err = CREDSSP_S_NOMEM;
            goto cleanup;
        }
        tok = NULL;
    }
    if (req->has_auth_info) {
        err = put_blob(&d->auth_info, &req->auth_info);
        if (err != CS_OK) {
            goto cleanup;
        }
    }
    if (req->has_pub_key_auth) {
        err = put_blob(&d->pub_key_auth, &req->pub_key_auth);
        if (err != CS_OK) {
            goto cleanup;
        }
    }
    if (req->has_error_code) {
        /* The 32-bit pattern goes out as a signed INTEGER: 0xC00700EA is
         * 02 04 c0 07 00 ea. */
        code = req->error_code;
        if (code > INT32_MAX) {
            code -= TWO_TO_32;
        }
        err = put_int(&d->error_code, code);
        if (err != CS_OK) {
            goto cleanup;
        }
    }
    if (req->has_client_nonce) {
        err = put_blob(&d->client_nonce, &req->client_nonce);
        if (err != CS_OK) {
            goto cleanup;
        }
    }
    err = CS_OK;

cleanup:
    der_nego_token_free(tok);
    return err;
}

/*
 * request_from_der: fills the zeroed *req from a decoded TSRequest.  On
 * failure *req may be partly filled; the caller clears it.
 */
static cs_err
request_from_der(const der_ts_request *d, struct cs_tsrequest *req)
{
    const der_nego_token *tok;
    int64_t v;
    int i, num;
    cs_err err;

    /* The range 2..6 is the caller's business; a byte is ours. */
    if (!get_int(d->version, &v) || v < 0 || v > 255) {
        return CREDSSP_S_BAD_DER;
    }
    req->version = (uint32_t)v;
    if (d->nego_tokens != NULL) {
        num = sk_der_nego_token_num(d->nego_tokens);
        /* An empty NegoData has no place in struct cs_tsrequest (which
         * would send it back as absent), so it is not accepted. */
        if (num <= 0) {
            return CREDSSP_S_BAD_DER;
        }
        req->nego_tokens = calloc((size_t)num, sizeof(*req->nego_tokens));
        if (req->nego_tokens == NULL) {
            return CREDSSP_S_NOMEM;
        }
        for (i = 0; i < num; i++) {
            tok = sk_der_nego_token_value(d->nego_tokens, i);
            if (tok == NULL) {
                return CREDSSP_S_INTERNAL;
            }
            err = get_blob(tok->nego_token, &req->nego_tokens[i]);
            if (err != CS_OK) {
                return err;
            }
            req->num_nego_tokens++;
        }
    }
    if (d->auth_info != NULL) {
        req->has_auth_info = true;
        err = get_blob(d->auth_info, &req->auth_info);
        if (err != CS_OK) {
            return err;
        }
    }
    if (d->pub_key_auth != NULL) {
        req->has_pub_key_auth = true;
        err = get_blob(d->pub_key_auth, &req->pub_key_auth);
        if (err != CS_OK) {
            return err;
        }
    }
    if (d->error_code != NULL) {
        /* A signed 32-bit value as specified, or the unsigned pattern that
         * some peers send (02 05 00 c0 07 00 ea); nothing wider. */
        if (!get_int(d->error_code, &v) || v < INT32_MIN || v > UINT32_MAX) {
            return CREDSSP_S_BAD_DER;
        }
        if (v < 0) {
            v += TWO_TO_32;
        }
        req->has_error_code = true;
        req->error_code = (uint32_t)v;
    }
    if (d->client_nonce != NULL) {
        req->has_client_nonce = true;
        err = get_blob(d->client_nonce, &req->client_nonce);
        if (err != CS_OK) {
            return err;
        }
    }
    return CS_OK;
}

/*
 * cs_tsrequest_encode: the DER of req into the empty blob *out.  negoTokens
 * goes out when num_nego_tokens > 0, each optional field when its has_ flag
 * is set.  A version above 255 is refused (it would not decode).
 */
cs_err
cs_tsrequest_encode(const struct cs_tsrequest *req, cs_blob *out)
{
    der_ts_request *d = NULL;
    cs_err err;

    if (req == NULL || out == NULL || out->data != NULL || out->len != 0) {
        return CREDSSP_S_INTERNAL;
    }
    ERR_set_mark();
    d = der_ts_request_new();
    if (d == NULL) {
        err = CREDSSP_S_NOMEM;
        goto cleanup;
    }
    err = request_to_der(req, d);
    if (err != CS_OK) {
        goto cleanup;
    }
    err = der_encode(d, ASN1_ITEM_rptr(der_ts_request), out);

cleanup:
    free_request(d);
    ERR_pop_to_mark();
    return err;
}

/*
 * cs_tsrequest_decode: parses exactly in_len bytes of DER into *out.  On
 * failure *out is left zeroed and nothing is held.
 */
cs_err
cs_tsrequest_decode(const uint8_t *in, size_t in_len,
                    struct cs_tsrequest *out)
{
    struct cs_tsrequest req = { 0 };
    ASN1_VALUE *val = NULL;
    der_ts_request *d;
    cs_err err;

    if (out == NULL) {
        return CREDSSP_S_INTERNAL;
    }
    memset(out, 0, sizeof(*out));
    ERR_set_mark();
    err = der_decode(ASN1_ITEM_rptr(der_ts_request), in, in_len, &val);
    d = (der_ts_request *)val;
    if (err != CS_OK) {
        goto cleanup;
    }
    err = request_from_der(d, &req);
    if (err != CS_OK) {
        goto cleanup;
    }
    *out = req;
    memset(&req, 0, sizeof(req));

cleanup:
    cs_tsrequest_clear(&req);
    free_request(d);
    ERR_pop_to_mark();
    return err;
}

/*
 * cs_tsrequest_add_nego_token: appends a copy of len bytes at data to
 * req's negoTokens.  On failure req is unchanged apart from spare room.
 */
cs_err
cs_tsrequest_add_nego_token(struct cs_tsrequest *req, const void *data,
                            size_t len)
{
    cs_blob *grown;
    size_t num;
    cs_err err;

    if (req == NULL || (data == NULL && len != 0)) {
        return CREDSSP_S_INTERNAL;
    }
    num = req->num_nego_tokens;
    if (num >= INT_MAX || num + 1 > SIZE_MAX / sizeof(*grown)) {
        return CREDSSP_S_TOO_LARGE;
    }
    grown = realloc(req->nego_tokens, (num + 1) * sizeof(*grown));
    if (grown == NULL) {
        return CREDSSP_S_NOMEM;
    }
    req->nego_tokens = grown;
    grown[num].data = NULL;
    grown[num].len = 0;
    err = cs_blob_set(&grown[num], data, len);
    if (err != CS_OK) {
        return err;
    }
    req->num_nego_tokens = num + 1;
    return CS_OK;
}

/*
 * cs_tsrequest_clear: releases every field of req, wiping authInfo and
 * clientNonce, and zeroes req.  Accepts NULL.
 */
void
cs_tsrequest_clear(struct cs_tsrequest *req)
{
    size_t i;

    if (req == NULL) {
        return;
    }
    for (i = 0; i < req->num_nego_tokens; i++) {
        cs_blob_free(&req->nego_tokens[i]);
    }
    free(req->nego_tokens);
    cs_blob_free_secret(&req->auth_info);
    cs_blob_free(&req->pub_key_auth);
    cs_blob_free_secret(&req->client_nonce);
    memset(req, 0, sizeof(*req));
}

/*
 * TSPasswordCreds.
 */

/* encode_password: the DER of TSPasswordCreds into *out; NULL strings go
 * out empty (restricted-admin style empty credentials). */
static cs_err
encode_password(const struct cs_password_creds *pw, cs_blob *out)
{
    der_password_creds *d = NULL;
    cs_err err;

    d = der_password_creds_new();
    if (d == NULL) {
        err = CREDSSP_S_NOMEM;
        goto cleanup;
    }
    err = put_text(&d->domain, pw->domain);
    if (err == CS_OK) {
        err = put_text(&d->user, pw->user);
    }
    if (err == CS_OK) {
        err = put_text(&d->password, pw->password);
    }
    if (err == CS_OK) {
        err = der_encode(d, ASN1_ITEM_rptr(der_password_creds), out);
    }

cleanup:
    free_password(d);
    return err;
}

/* decode_password: parses TSPasswordCreds from in into the zeroed *pw;
 * the caller clears *pw on failure. */
static cs_err
decode_password(const uint8_t *in, size_t in_len,
                struct cs_password_creds *pw)
{
    ASN1_VALUE *val = NULL;
    der_password_creds *d;
    cs_err err;

    err = der_decode(ASN1_ITEM_rptr(der_password_creds), in, in_len, &val);
    d = (der_password_creds *)val;
    if (err == CS_OK) {
        err = get_text(d->domain, &pw->domain);
    }
    if (err == CS_OK) {
        err = get_text(d->user, &pw->user);
    }
    if (err == CS_OK) {
        err = get_text(d->password, &pw->password);
    }
    free_password(d);
    return err;
}

void
cs_password_creds_clear(struct cs_password_creds *pw)
{
    cs_str_free_secret(pw->domain);
    cs_str_free_secret(pw->user);
    cs_str_free_secret(pw->password);
    cs_wipe(pw, sizeof(*pw));
}

/*
 * TSSmartCardCreds.
 */

/* encode_smartcard: the DER of TSSmartCardCreds into *out.  A NULL PIN goes
 * out empty; NULL optional strings are left out. */
static cs_err
encode_smartcard(const struct cs_smartcard_creds *sc, cs_blob *out)
{
    const struct cs_csp_data *csp = &sc->csp_data;
    der_smartcard_creds *d = NULL;
    cs_err err;

    d = der_smartcard_creds_new();
    if (d == NULL) {
        err = CREDSSP_S_NOMEM;
        goto cleanup;
    }
    if (d->csp_data == NULL) {
        /* ASN1_item_new makes every non-OPTIONAL member. */
        err = CREDSSP_S_INTERNAL;
        goto cleanup;
    }
    err = put_text(&d->pin, sc->pin);
    if (err == CS_OK) {
        err = put_int(&d->csp_data->key_spec, csp->key_spec);
    }
    if (err == CS_OK) {
        err = put_opt_text(&d->csp_data->card_name, csp->card_name);
    }
    if (err == CS_OK) {
        err = put_opt_text(&d->csp_data->reader_name, csp->reader_name);
    }
    if (err == CS_OK) {
        err = put_opt_text(&d->csp_data->container_name,
                           csp->container_name);
    }
    if (err == CS_OK) {
        err = put_opt_text(&d->csp_data->csp_name, csp->csp_name);
    }
    if (err == CS_OK) {
        err = put_opt_text(&d->user_hint, sc->user_hint);
    }
    if (err == CS_OK) {
        err = put_opt_text(&d->domain_hint, sc->domain_hint);
    }
    if (err == CS_OK) {
        err = der_encode(d, ASN1_ITEM_rptr(der_smartcard_creds), out);
    }

cleanup:
    free_smartcard(d);
    return err;
}

/* decode_smartcard: parses TSSmartCardCreds into the zeroed *sc; the caller
 * clears *sc on failure. */
static cs_err
decode_smartcard(const uint8_t *in, size_t in_len,
                 struct cs_smartcard_creds *sc)
{
    struct cs_csp_data *csp = &sc->csp_data;
    ASN1_VALUE *val = NULL;
    der_smartcard_creds *d;
    int64_t spec;
    cs_err err;

    err = der_decode(ASN1_ITEM_rptr(der_smartcard_creds), in, in_len, &val);
    d = (der_smartcard_creds *)val;
    if (err != CS_OK) {
        goto cleanup;
    }
    if (d->csp_data == NULL || !get_int(d->csp_data->key_spec, &spec) ||
        spec < INT32_MIN || spec > INT32_MAX) {
        err = CREDSSP_S_BAD_DER;
        goto cleanup;
    }
    csp->key_spec = (int32_t)spec;
    err = get_text(d->pin, &sc->pin);
    if (err == CS_OK) {
        err = get_opt_text(d->csp_data->card_name, &csp->card_name);
    }
    if (err == CS_OK) {
        err = get_opt_text(d->csp_data->reader_name, &csp->reader_name);
    }
    if (err == CS_OK) {
        err = get_opt_text(d->csp_data->container_name,
                           &csp->container_name);
    }
    if (err == CS_OK) {
        err = get_opt_text(d->csp_data->csp_name, &csp->csp_name);
    }
    if (err == CS_OK) {
        err = get_opt_text(d->user_hint, &sc->user_hint);
    }
    if (err == CS_OK) {
        err = get_opt_text(d->domain_hint, &sc->domain_hint);
    }

cleanup:
    free_smartcard(d);
    return err;
}

/* clear_smartcard: frees and wipes the strings of sc. */
static void
clear_smartcard(struct cs_smartcard_creds *sc)
{
    cs_str_free_secret(sc->pin);
    cs_str_free_secret(sc->csp_data.card_name);
    cs_str_free_secret(sc->csp_data.reader_name);
    cs_str_free_secret(sc->csp_data.container_name);
    cs_str_free_secret(sc->csp_data.csp_name);
    cs_str_free_secret(sc->user_hint);
    cs_str_free_secret(sc->domain_hint);
}

/*
 * TSRemoteGuardCreds.
 */

/* package_to_der: fills one TSRemoteGuardPackageCred. */
static cs_err
package_to_der(const struct cs_remote_guard_package *pkg, der_rg_package *d)
{
    cs_err err;

    err = put_text(&d->package_name, pkg->package_name);
    if (err == CS_OK) {
        err = put_blob(&d->cred_buffer, &pkg->cred_buffer);
    }
    return err;
}

/* package_from_der: fills the zeroed *pkg from a decoded package. */
static cs_err
package_from_der(const der_rg_package *d,
                 struct cs_remote_guard_package *pkg)
{
    cs_err err;

    if (d == NULL) {
        return CREDSSP_S_INTERNAL;
    }
    err = get_text(d->package_name, &pkg->package_name);
    if (err == CS_OK) {
        err = get_blob(d->cred_buffer, &pkg->cred_buffer);
    }
    return err;
}

/* clear_package: frees the name and wipes the buffer of pkg. */
static void
clear_package(struct cs_remote_guard_package *pkg)
{
    cs_str_free_secret(pkg->package_name);
    pkg->package_name = NULL;
    cs_blob_free_secret(&pkg->cred_buffer);
}

/* encode_remote_guard: the DER of TSRemoteGuardCreds into *out;
 * supplementalCreds goes out (possibly empty) when has_supplemental. */
static cs_err
encode_remote_guard(const struct cs_remote_guard_creds *rg, cs_blob *out)
{
    der_rg_creds *d = NULL;
    der_rg_package *pkg = NULL;
    size_t i;
    cs_err err;

    if ((!rg->has_supplemental && rg->num_supplemental > 0) ||
        rg->num_supplemental > INT_MAX ||
        (rg->num_supplemental > 0 && rg->supplemental == NULL)) {
        return CREDSSP_S_INTERNAL;
    }
    d = der_rg_creds_new();
    if (d == NULL) {
        err = CREDSSP_S_NOMEM;
        goto cleanup;
    }
    if (d->logon_cred == NULL) {
        err = CREDSSP_S_INTERNAL;
        goto cleanup;
    }
    err = package_to_der(&rg->logon_cred, d->logon_cred);
    if (err != CS_OK) {
        goto cleanup;
    }
    if (rg->has_supplemental) {
        d->supplemental = sk_der_rg_package_new_null();
        if (d->supplemental == NULL) {
            err = CREDSSP_S_NOMEM;
            goto cleanup;
        }
    }
    for (i = 0; i < rg->num_supplemental; i++) {
        pkg = der_rg_package_new();
        if (pkg == NULL) {
            err = CREDSSP_S_NOMEM;
            goto cleanup;
        }
        err = package_to_der(&rg->supplemental[i], pkg);
        if (err != CS_OK) {
            goto cleanup;
        }
        if (sk_der_rg_package_push(d->supplemental, pkg) <= 0) {
            err = CREDSSP_S_NOMEM;
            goto cleanup;
        }
        pkg = NULL;
    }
    err = der_encode(d, ASN1_ITEM_rptr(der_rg_creds), out);

cleanup:
    if (pkg != NULL) {
        free_package(pkg);
    }
    free_remote_guard(d);
    return err;
}

/* decode_remote_guard: parses TSRemoteGuardCreds into the zeroed *rg; the
 * caller clears *rg on failure. */
static cs_err
decode_remote_guard(const uint8_t *in, size_t in_len,
                    struct cs_remote_guard_creds *rg)
{
    ASN1_VALUE *val = NULL;
    der_rg_creds *d;
    int i, num;
    cs_err err;

    err = der_decode(ASN1_ITEM_rptr(der_rg_creds), in, in_len, &val);
    d = (der_rg_creds *)val;
    if (err != CS_OK) {
        goto cleanup;
    }
    err = package_from_der(d->logon_cred, &rg->logon_cred);
    if (err != CS_OK || d->supplemental == NULL) {
        goto cleanup;
    }
    rg->has_supplemental = true;
    num = sk_der_rg_package_num(d->supplemental);
    if (num <= 0) {
        goto cleanup;
    }
    rg->supplemental = calloc((size_t)num, sizeof(*rg->supplemental));
    if (rg->supplemental == NULL) {
        err = CREDSSP_S_NOMEM;
        goto cleanup;
    }
    for (i = 0; i < num; i++) {
        /* Counted first, so that a failure clears the partial entry. */
        rg->num_supplemental++;
        err = package_from_der(sk_der_rg_package_value(d->supplemental, i),
                               &rg->supplemental[i]);
        if (err != CS_OK) {
            goto cleanup;
        }
    }

cleanup:
    free_remote_guard(d);
    return err;
}

/* clear_remote_guard: frees and wipes every package of rg. */
static void
clear_remote_guard(struct cs_remote_guard_creds *rg)
{
    size_t i;

    clear_package(&rg->logon_cred);
    for (i = 0; i < rg->num_supplemental; i++) {
        clear_package(&rg->supplemental[i]);
    }
    free(rg->supplemental);
}

/*
 * TSCredentials.
 */

/*
 * cs_tscredentials_encode: the DER of TSCredentials, with the structure
 * that creds->cred_type names encoded inside, into the empty blob *out.
 * The result holds the credentials: free it with cs_blob_free_secret.
 */
cs_err
cs_tscredentials_encode(const struct cs_tscredentials *creds, cs_blob *out)
{
    der_ts_credentials *d = NULL;
    cs_blob inner = { 0 };
    cs_err err;

    if (creds == NULL || out == NULL || out->data != NULL || out->len != 0) {
        return CREDSSP_S_INTERNAL;
    }
    ERR_set_mark();
    switch (creds->cred_type) {
    case CS_CRED_PASSWORD:
        err = encode_password(&creds->u.password, &inner);
        break;
    case CS_CRED_SMARTCARD:
        err = encode_smartcard(&creds->u.smartcard, &inner);
        break;
    case CS_CRED_REMOTE_GUARD:
        err = encode_remote_guard(&creds->u.remote_guard, &inner);
        break;
    default:
        err = CREDSSP_S_BAD_CRED_TYPE;
        break;
    }
    if (err != CS_OK) {
        goto cleanup;
    }
    d = der_ts_credentials_new();
    if (d == NULL) {
        err = CREDSSP_S_NOMEM;
        goto cleanup;
    }
    err = put_int(&d->cred_type, creds->cred_type);
    if (err == CS_OK) {
        err = put_blob(&d->credentials, &inner);
    }
    if (err == CS_OK) {
        err = der_encode(d, ASN1_ITEM_rptr(der_ts_credentials), out);
    }

cleanup:
    cs_blob_free_secret(&inner);
    free_credentials(d);
    ERR_pop_to_mark();
    return err;
}

/*
 * cs_tscredentials_decode: parses exactly in_len bytes of TSCredentials and
 * then the structure its credType names.  A credType other than 1, 2 or 6
 * is CREDSSP_S_BAD_CRED_TYPE.  On failure *out is left zeroed and
 * everything decoded so far is wiped.
 */
cs_err
cs_tscredentials_decode(const uint8_t *in, size_t in_len,
                        struct cs_tscredentials *out)
{
    struct cs_tscredentials creds = { 0 };
    ASN1_VALUE *val = NULL;
    der_ts_credentials *d;
    const uint8_t *inner;
    size_t inner_len;
    int64_t type;
    cs_err err;

    if (out == NULL) {
        return CREDSSP_S_INTERNAL;
    }
    memset(out, 0, sizeof(*out));
    ERR_set_mark();
    err = der_decode(ASN1_ITEM_rptr(der_ts_credentials), in, in_len, &val);
    d = (der_ts_credentials *)val;
    if (err != CS_OK) {
        goto cleanup;
    }
    if (!get_int(d->cred_type, &type)) {
        err = CREDSSP_S_BAD_CRED_TYPE;
        goto cleanup;
    }
    inner = ASN1_STRING_get0_data(d->credentials);
    inner_len = (size_t)ASN1_STRING_length(d->credentials);
    /* cred_type is set first so that a failure below clears the right
     * member of the union. */
    switch (type) {
    case CS_CRED_PASSWORD:
        creds.cred_type = CS_CRED_PASSWORD;
        err = decode_password(inner, inner_len, &creds.u.password);
        break;
    case CS_CRED_SMARTCARD:
        creds.cred_type = CS_CRED_SMARTCARD;
        err = decode_smartcard(inner, inner_len, &creds.u.smartcard);
        break;
    case CS_CRED_REMOTE_GUARD:
        creds.cred_type = CS_CRED_REMOTE_GUARD;
        err = decode_remote_guard(inner, inner_len, &creds.u.remote_guard);
        break;
    default:
        err = CREDSSP_S_BAD_CRED_TYPE;
        break;
    }
    if (err != CS_OK) {
        goto cleanup;
    }
    *out = creds;
    memset(&creds, 0, sizeof(creds));

cleanup:
    cs_tscredentials_clear(&creds);
    free_credentials(d);
    ERR_pop_to_mark();
    return err;
}

/*
 * cs_tscredentials_clear: releases everything creds holds, wiping every
 * string and buffer, and zeroes creds.  Accepts NULL and a zeroed struct.
 */
void
cs_tscredentials_clear(struct cs_tscredentials *creds)
{
    if (creds == NULL) {
        return;
    }
    switch (creds->cred_type) {
    case CS_CRED_PASSWORD:
        cs_password_creds_clear(&creds->u.password);
        break;
    case CS_CRED_SMARTCARD:
        clear_smartcard(&creds->u.smartcard);
        break;
    case CS_CRED_REMOTE_GUARD:
        clear_remote_guard(&creds->u.remote_guard);
        break;
    default:
        break;
    }
    cs_wipe(creds, sizeof(*creds));
}
