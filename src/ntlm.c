/* SPDX-License-Identifier: MIT */
/*
 * ntlm.c - see ntlm.h.
 *
 * The NTLM messages are read through the bounds-checked cursor; the SPNEGO
 * framing around them is declared with OpenSSL's ASN.1 templates (RFC
 * 2743 3.1 and RFC 4178 4.2.1) and changed only when it is DER, so that
 * the mechTypes a mechListMIC covers keep their bytes.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include "cursor.h"
#include "ntlm.h"

/* [MS-NLMP] 2.2.1.1: Signature, MessageType, NegotiateFlags,
 * DomainNameFields and WorkstationFields take 32 bytes; the Version that
 * may follow takes 8 more. */
#define NEG_FIXED_LEN 32
#define NEG_WITH_VERSION_LEN 40
#define NEGOTIATE_VERSION 0x02000000u
#define MSV_AV_EOL 0
#define MSV_AV_FLAGS 6
#define MSV_AV_FLAG_MIC 0x00000002u
/* NTLMv2_RESPONSE: NTProofStr (16), then the NTLMv2_CLIENT_CHALLENGE
 * whose AV pairs start after 28 bytes ([MS-NLMP] 2.2.2.7, 2.2.2.8). */
#define NTLMV2_AV_OFFSET (16 + 28)

static const uint8_t sig_negotiate[12] = { 'N', 'T', 'L', 'M', 'S', 'S',
                                           'P', 0,   1,   0,   0,   0 };
static const uint8_t sig_authenticate[12] = { 'N', 'T', 'L', 'M', 'S', 'S',
                                              'P', 0,   3,   0,   0,   0 };

/* u32le: four bytes little-endian. */
static uint32_t
u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* short_negotiate: whether len bytes at p are an NTLM NEGOTIATE without
 * the Version field. */
static bool
short_negotiate(const uint8_t *p, size_t len)
{
    return len >= NEG_FIXED_LEN && len < NEG_WITH_VERSION_LEN &&
           memcmp(p, sig_negotiate, sizeof(sig_negotiate)) == 0 &&
           (u32le(p + 12) & NEGOTIATE_VERSION) == 0;
}

/*
 * pad_message: the NEGOTIATE with zeros after it up to 40 bytes.  With
 * NEGOTIATE_VERSION clear gss-ntlmssp takes its payload from offset 32
 * on, so the domain and workstation fields keep their offsets; for
 * Impacket's 32-byte message the zeros are exactly an all-zero Version.
 */
static cs_err
pad_message(const uint8_t *p, size_t len, cs_blob *out)
{
    out->data = calloc(1, NEG_WITH_VERSION_LEN);
    if (out->data == NULL) {
        return CREDSSP_S_NOMEM;
    }
    memcpy(out->data, p, len);
    out->len = NEG_WITH_VERSION_LEN;
    return CS_OK;
}

/*
 * SPNEGO's first token: [APPLICATION 0] IMPLICIT SEQUENCE { thisMech OID,
 * innerContextToken [0] NegTokenInit } (RFC 2743 3.1, RFC 4178 4.2.1).
 */
typedef struct {
    STACK_OF(ASN1_OBJECT) *mech_types;
    ASN1_BIT_STRING *req_flags;
    ASN1_OCTET_STRING *mech_token;
    ASN1_OCTET_STRING *mech_list_mic;
} neg_token_init;

ASN1_SEQUENCE(neg_token_init) = {
    ASN1_EXP_SEQUENCE_OF(neg_token_init, mech_types, ASN1_OBJECT, 0),
    ASN1_EXP_OPT(neg_token_init, req_flags, ASN1_BIT_STRING, 1),
    ASN1_EXP_OPT(neg_token_init, mech_token, ASN1_OCTET_STRING, 2),
    ASN1_EXP_OPT(neg_token_init, mech_list_mic, ASN1_OCTET_STRING, 3),
} static_ASN1_SEQUENCE_END(neg_token_init)

typedef struct {
    ASN1_OBJECT *this_mech;
    neg_token_init *init;
} initial_token;

ASN1_SEQUENCE(initial_token) = {
    ASN1_SIMPLE(initial_token, this_mech, ASN1_OBJECT),
    ASN1_EXP(initial_token, init, neg_token_init, 0),
} static_ASN1_SEQUENCE_END(initial_token)

ASN1_ITEM_TEMPLATE(framed_initial_token) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_IMPTAG | ASN1_TFLG_APPLICATION, 0,
                          framed_initial_token, initial_token)
static_ASN1_ITEM_TEMPLATE_END(framed_initial_token)

/* 1.3.6.1.5.5.2 */
static const uint8_t spnego_oid[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02 };

/*
 * pad_in_spnego: pads the NEGOTIATE that is the mechToken of a SPNEGO
 * NegTokenInit.  Only DER is rewritten (the re-encoding must give the
 * input back first), so every other byte, mechTypes' included, stays.
 */
static cs_err
pad_in_spnego(const cs_blob *in, cs_blob *out, bool *padded)
{
    const ASN1_ITEM *it = ASN1_ITEM_rptr(framed_initial_token);
    const unsigned char *p = in->data;
    initial_token *tok = NULL;
    unsigned char *der = NULL;
    cs_blob msg = { 0 };
    int len;
    cs_err err = CS_OK;

    /* A mechToken's octets stand unchanged in the DER: without a
     * NEGOTIATE's signature and type there is nothing to pad, and no
     * decoding (a Kerberos first token, for one) is needed. */
    if (in->len > INT_MAX ||
        memmem(in->data, in->len, sig_negotiate, sizeof(sig_negotiate)) ==
            NULL) {
        return CS_OK;
    }
    ERR_set_mark();
    tok = (initial_token *)ASN1_item_d2i(NULL, &p, (long)in->len, it);
    if (tok == NULL || p != in->data + in->len ||
        OBJ_length(tok->this_mech) != sizeof(spnego_oid) ||
        memcmp(OBJ_get0_data(tok->this_mech), spnego_oid,
               sizeof(spnego_oid)) != 0 ||
        tok->init->mech_token == NULL ||
        !short_negotiate(ASN1_STRING_get0_data(tok->init->mech_token),
                         (size_t)ASN1_STRING_length(
                             tok->init->mech_token))) {
        goto cleanup;
    }
    len = ASN1_item_i2d((ASN1_VALUE *)tok, &der, it);
    if (len < 0 || (size_t)len != in->len ||
        memcmp(der, in->data, in->len) != 0) {
        goto cleanup;             /* not DER: left alone */
    }
    OPENSSL_free(der);
    der = NULL;
    err = pad_message(ASN1_STRING_get0_data(tok->init->mech_token),
                      (size_t)ASN1_STRING_length(tok->init->mech_token),
                      &msg);
    if (err != CS_OK) {
        goto cleanup;
    }
    if (!ASN1_OCTET_STRING_set(tok->init->mech_token, msg.data,
                               (int)msg.len) ||
        (len = ASN1_item_i2d((ASN1_VALUE *)tok, &der, it)) <= 0) {
        err = CREDSSP_S_NOMEM;
        goto cleanup;
    }
    err = cs_blob_set(out, der, (size_t)len);
    *padded = err == CS_OK;

cleanup:
    cs_blob_free(&msg);
    OPENSSL_free(der);
    ASN1_item_free((ASN1_VALUE *)tok, it);
    ERR_pop_to_mark();
    return err;
}

cs_err
cs_ntlm_pad_negotiate(const cs_blob *in, cs_blob *out, bool *padded)
{
    *padded = false;
    if (in->len == 0) {
        return CS_OK;
    }
    if (short_negotiate(in->data, in->len)) {
        cs_err err = pad_message(in->data, in->len, out);

        *padded = err == CS_OK;
        return err;
    }
    if (in->data[0] == 0x60) {
        return pad_in_spnego(in, out, padded);
    }
    return CS_OK;
}

/*
 * auth_has_mic: whether the AUTHENTICATE at p (left bytes to the end of
 * the token) has an NTLMv2 response with MsvAvFlags' MIC bit.
 */
static bool
auth_has_mic(const uint8_t *p, size_t left)
{
    struct cs_cursor c;
    uint16_t nt_len;
    uint32_t nt_off;

    cs_cursor_init(&c, p, left);
    (void)cs_cursor_skip(&c, 20);
    nt_len = cs_cursor_u16le(&c);
    (void)cs_cursor_u16le(&c);
    nt_off = cs_cursor_u32le(&c);
    if (!c.ok || nt_len < NTLMV2_AV_OFFSET || nt_off > left ||
        nt_len > left - nt_off) {
        return false;             /* NTLMv1, or not an AUTHENTICATE */
    }
    cs_cursor_init(&c, p + nt_off + NTLMV2_AV_OFFSET,
                   nt_len - NTLMV2_AV_OFFSET);
    while (c.ok && c.left > 0) {
        uint16_t id = cs_cursor_u16le(&c), len = cs_cursor_u16le(&c);

        if (!c.ok || id == MSV_AV_EOL) {
            break;
        }
        if (id == MSV_AV_FLAGS && len == 4) {
            return (cs_cursor_u32le(&c) & MSV_AV_FLAG_MIC) != 0 && c.ok;
        }
        (void)cs_cursor_skip(&c, len);
    }
    return false;
}

bool
cs_ntlm_auth_has_mic(const cs_blob *in)
{
    const uint8_t *p, *end;

    if (in->len < sizeof(sig_authenticate)) {
        return false;
    }
    /* SPNEGO carries the message verbatim in its responseToken. */
    end = in->data + in->len;
    for (p = in->data; (size_t)(end - p) >= sizeof(sig_authenticate);
         p++) {
        p = memmem(p, (size_t)(end - p), sig_authenticate,
                   sizeof(sig_authenticate));
        if (p == NULL) {
            return false;
        }
        if (auth_has_mic(p, (size_t)(end - p))) {
            return true;
        }
    }
    return false;
}
