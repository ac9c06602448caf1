/* SPDX-License-Identifier: MIT */
/*
 * negtoken.c - see negtoken.h.  The ASN.1 of RFC 4178 4.2 with OpenSSL's
 * templates; nothing here is exported.  Decoding only decides which
 * acceptor credential MIT's SPNEGO gets (inner.c), which parses the token
 * again itself, so OpenSSL's d2i leniency does not matter here.
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include "glue.h"
#include "negtoken.h"

/* MechTypeList ::= SEQUENCE OF MechType (an OBJECT IDENTIFIER) */
ASN1_ITEM_TEMPLATE(der_mech_types) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0, mech_types, ASN1_OBJECT)
static_ASN1_ITEM_TEMPLATE_END(der_mech_types)

/* NegTokenInit ::= SEQUENCE { mechTypes [0] MechTypeList, reqFlags [1]
 * ContextFlags OPTIONAL, mechToken [2] OCTET STRING OPTIONAL, mechListMIC
 * [3] OCTET STRING OPTIONAL } */
typedef struct {
    STACK_OF(ASN1_OBJECT) *mech_types;
    ASN1_BIT_STRING *req_flags;
    ASN1_OCTET_STRING *mech_token;
    ASN1_OCTET_STRING *mech_list_mic;
} der_neg_init;

ASN1_SEQUENCE(der_neg_init) = {
    ASN1_EXP(der_neg_init, mech_types, der_mech_types, 0),
    ASN1_EXP_OPT(der_neg_init, req_flags, ASN1_BIT_STRING, 1),
    ASN1_EXP_OPT(der_neg_init, mech_token, ASN1_OCTET_STRING, 2),
    ASN1_EXP_OPT(der_neg_init, mech_list_mic, ASN1_OCTET_STRING, 3),
} static_ASN1_SEQUENCE_END(der_neg_init)

/* The initial token: [APPLICATION 0] IMPLICIT SEQUENCE { thisMech OID,
 * innerContextToken } (RFC 2743 3.1), where SPNEGO's innerContextToken is
 * NegotiationToken's choice negTokenInit [0] NegTokenInit. */
typedef struct {
    ASN1_OBJECT *this_mech;
    der_neg_init *init;
} der_initial;

ASN1_SEQUENCE(der_initial) = {
    ASN1_SIMPLE(der_initial, this_mech, ASN1_OBJECT),
    ASN1_EXP(der_initial, init, der_neg_init, 0),
} static_ASN1_SEQUENCE_END(der_initial)

ASN1_ITEM_TEMPLATE(der_framed_init) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_IMPTAG | ASN1_TFLG_APPLICATION, 0,
                          initial, der_initial)
static_ASN1_ITEM_TEMPLATE_END(der_framed_init)

/* NegTokenResp ::= SEQUENCE { negState [0] ENUMERATED OPTIONAL,
 * supportedMech [1] MechType OPTIONAL, responseToken [2] OCTET STRING
 * OPTIONAL, mechListMIC [3] OCTET STRING OPTIONAL }, sent as
 * NegotiationToken's choice negTokenResp [1]. */
typedef struct {
    ASN1_ENUMERATED *neg_state;
    ASN1_OBJECT *supported_mech;
    ASN1_OCTET_STRING *response_token;
    ASN1_OCTET_STRING *mech_list_mic;
} der_neg_resp;

ASN1_SEQUENCE(der_neg_resp) = {
    ASN1_EXP_OPT(der_neg_resp, neg_state, ASN1_ENUMERATED, 0),
    ASN1_EXP_OPT(der_neg_resp, supported_mech, ASN1_OBJECT, 1),
    ASN1_EXP_OPT(der_neg_resp, response_token, ASN1_OCTET_STRING, 2),
    ASN1_EXP_OPT(der_neg_resp, mech_list_mic, ASN1_OCTET_STRING, 3),
} static_ASN1_SEQUENCE_END(der_neg_resp)

ASN1_ITEM_TEMPLATE(der_tagged_resp) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_EXPLICIT, 1, resp, der_neg_resp)
static_ASN1_ITEM_TEMPLATE_END(der_tagged_resp)

/* 1.2.840.48018.1.2.2, the Kerberos OID Microsoft's clients list first. */
static const gss_OID_desc oid_ms_krb5 = {
    9, (void *)"\x2a\x86\x48\x82\xf7\x12\x01\x02\x02"
};
/* 1.2.840.113554.1.2.2.3, Kerberos user-to-user (KERB-TGT-REQUEST). */
static const gss_OID_desc oid_krb5_u2u = {
    10, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\x03"
};

/* is_oid: whether obj is the OID oid. */
static bool
is_oid(const ASN1_OBJECT *obj, const gss_OID_desc *oid)
{
    return obj != NULL && (size_t)OBJ_length(obj) == oid->length &&
           memcmp(OBJ_get0_data(obj), oid->elements, oid->length) == 0;
}

/* framed_with: whether tok carries the RFC 2743 framing with OID oid. */
static bool
framed_with(const ASN1_OCTET_STRING *tok, const gss_OID_desc *oid)
{
    const unsigned char *p;
    ASN1_OBJECT *obj;
    long len;
    int tag, xclass, ret;
    bool yes;

    if (tok == NULL) {
        return false;
    }
    p = ASN1_STRING_get0_data(tok);
    ret = ASN1_get_object(&p, &len, &tag, &xclass, ASN1_STRING_length(tok));
    if ((ret & 0x80) != 0 || !(ret & V_ASN1_CONSTRUCTED) || tag != 0 ||
        xclass != V_ASN1_APPLICATION) {
        return false;
    }
    obj = d2i_ASN1_OBJECT(NULL, &p, len);
    yes = is_oid(obj, oid);
    ASN1_OBJECT_free(obj);
    return yes;
}

bool
cs_negtoken_u2u_offers_ntlm(const uint8_t *tok, size_t len)
{
    const unsigned char *p = tok;
    der_initial *t;
    const ASN1_OBJECT *first;
    bool ntlm = false, yes = false;
    int i, n;

    /* An OID's content octets stand unchanged in the DER: a token
     * without the user-to-user and NTLM OIDs (every ordinary first
     * token) is answered without decoding it. */
    if (len == 0 || len > LONG_MAX ||
        memmem(tok, len, oid_krb5_u2u.elements, oid_krb5_u2u.length) ==
            NULL ||
        memmem(tok, len, cs_oid_ntlmssp.elements, cs_oid_ntlmssp.length) ==
            NULL) {
        return false;
    }
    t = (der_initial *)ASN1_item_d2i(NULL, &p, (long)len,
                                     ASN1_ITEM_rptr(der_framed_init));
    ERR_clear_error();
    if (t == NULL) {
        return false;
    }
    n = sk_ASN1_OBJECT_num(t->init->mech_types);
    if (is_oid(t->this_mech, &cs_oid_spnego) && n > 0 &&
        framed_with(t->init->mech_token, &oid_krb5_u2u)) {
        first = sk_ASN1_OBJECT_value(t->init->mech_types, 0);
        for (i = 1; i < n; i++) {
            ntlm = ntlm || is_oid(sk_ASN1_OBJECT_value(t->init->mech_types,
                                                       i),
                                  &cs_oid_ntlmssp);
        }
        yes = ntlm && (is_oid(first, &cs_oid_krb5) ||
                       is_oid(first, &oid_ms_krb5));
    }
    ASN1_item_free((ASN1_VALUE *)t, ASN1_ITEM_rptr(der_framed_init));
    return yes;
}

/* to_blob: i2d of val into *out. */
static cs_err
to_blob(const ASN1_VALUE *val, const ASN1_ITEM *it, cs_blob *out)
{
    unsigned char *der = NULL;
    int n = ASN1_item_i2d((ASN1_VALUE *)val, &der, it);
    cs_err err;

    if (n <= 0) {
        ERR_clear_error();
        return CREDSSP_S_INTERNAL;
    }
    err = cs_blob_set(out, der, (size_t)n);
    OPENSSL_free(der);
    return err;
}

/* octets: a new OCTET STRING holding b (NULL for an empty or absent b). */
static cs_err
octets(const cs_blob *b, ASN1_OCTET_STRING **out)
{
    *out = NULL;
    if (b == NULL || b->len == 0) {
        return CS_OK;
    }
    if (b->len > INT_MAX) {
        return CREDSSP_S_TOO_LARGE;
    }
    *out = ASN1_OCTET_STRING_new();
    if (*out == NULL ||
        !ASN1_OCTET_STRING_set(*out, b->data, (int)b->len)) {
        return CREDSSP_S_NOMEM;
    }
    return CS_OK;
}

cs_err
cs_negtoken_init_encode(const gss_OID_desc *mechs, size_t num_mechs,
                        const cs_blob *mech_token, cs_blob *out,
                        cs_blob *mech_types)
{
    der_neg_init init = { NULL, NULL, NULL, NULL };
    der_initial t = { NULL, &init };
    ASN1_OBJECT *obj;
    cs_err err = CREDSSP_S_NOMEM;
    size_t i;

    init.mech_types = sk_ASN1_OBJECT_new_null();
    t.this_mech = ASN1_OBJECT_create(NID_undef, cs_oid_spnego.elements,
                                     (int)cs_oid_spnego.length, NULL, NULL);
    if (init.mech_types == NULL || t.this_mech == NULL) {
        goto cleanup;
    }
    for (i = 0; i < num_mechs; i++) {
        obj = ASN1_OBJECT_create(NID_undef, mechs[i].elements,
                                 (int)mechs[i].length, NULL, NULL);
        if (obj == NULL || sk_ASN1_OBJECT_push(init.mech_types, obj) <= 0) {
            ASN1_OBJECT_free(obj);
            goto cleanup;
        }
    }
    err = octets(mech_token, &init.mech_token);
    if (err == CS_OK) {
        err = to_blob((ASN1_VALUE *)init.mech_types,
                      ASN1_ITEM_rptr(der_mech_types), mech_types);
    }
    if (err == CS_OK) {
        err = to_blob((ASN1_VALUE *)&t, ASN1_ITEM_rptr(der_framed_init),
                      out);
    }

cleanup:
    sk_ASN1_OBJECT_pop_free(init.mech_types, ASN1_OBJECT_free);
    ASN1_OCTET_STRING_free(init.mech_token);
    ASN1_OBJECT_free(t.this_mech);
    return err;
}

cs_err
cs_negtoken_resp_encode(enum cs_neg_state state, const cs_blob *token,
                        const cs_blob *mic, cs_blob *out)
{
    der_neg_resp r = { NULL, NULL, NULL, NULL };
    cs_err err = CS_OK;

    if (state != CS_NEG_STATE_NONE) {
        r.neg_state = ASN1_ENUMERATED_new();
        if (r.neg_state == NULL || !ASN1_ENUMERATED_set(r.neg_state, state)) {
            err = CREDSSP_S_NOMEM;
        }
    }
    if (err == CS_OK) {
        err = octets(token, &r.response_token);
    }
    if (err == CS_OK) {
        err = octets(mic, &r.mech_list_mic);
    }
    if (err == CS_OK) {
        err = to_blob((ASN1_VALUE *)&r, ASN1_ITEM_rptr(der_tagged_resp), out);
    }
    ASN1_ENUMERATED_free(r.neg_state);
    ASN1_OCTET_STRING_free(r.response_token);
    ASN1_OCTET_STRING_free(r.mech_list_mic);
    return err;
}

/* take_octets: a copy of s into *out (nothing when s is absent). */
static cs_err
take_octets(const ASN1_STRING *s, cs_blob *out)
{
    if (s == NULL || ASN1_STRING_length(s) == 0) {
        return CS_OK;
    }
    return cs_blob_set(out, ASN1_STRING_get0_data(s),
                       (size_t)ASN1_STRING_length(s));
}

cs_err
cs_negtoken_resp_decode(const uint8_t *in, size_t len,
                        struct cs_neg_resp *out)
{
    const unsigned char *p = in;
    der_neg_resp *r;
    cs_err err = CS_OK;
    long state;

    memset(out, 0, sizeof(*out));
    out->state = CS_NEG_STATE_NONE;
    if (len == 0 || len > LONG_MAX) {
        return CREDSSP_S_BAD_DER;
    }
    r = (der_neg_resp *)ASN1_item_d2i(NULL, &p, (long)len,
                                      ASN1_ITEM_rptr(der_tagged_resp));
    ERR_clear_error();
    if (r == NULL || p != in + len) {
        err = CREDSSP_S_BAD_DER;
        goto cleanup;
    }
    if (r->neg_state != NULL) {
        state = ASN1_ENUMERATED_get(r->neg_state);
        if (state < CS_NEG_ACCEPT_COMPLETED || state > CS_NEG_REQUEST_MIC) {
            err = CREDSSP_S_BAD_DER;
            goto cleanup;
        }
        out->state = (enum cs_neg_state)state;
    }
    if (r->supported_mech != NULL) {
        err = cs_blob_set(&out->supported_mech,
                          OBJ_get0_data(r->supported_mech),
                          (size_t)OBJ_length(r->supported_mech));
    }
    if (err == CS_OK) {
        err = take_octets(r->response_token, &out->token);
    }
    if (err == CS_OK) {
        err = take_octets(r->mech_list_mic, &out->mic);
    }

cleanup:
    ASN1_item_free((ASN1_VALUE *)r, ASN1_ITEM_rptr(der_tagged_resp));
    return err;
}

void
cs_negtoken_resp_clear(struct cs_neg_resp *r)
{
    cs_blob_free(&r->supported_mech);
    cs_blob_free(&r->token);
    cs_blob_free(&r->mic);
    r->state = CS_NEG_STATE_NONE;
}
