/* SPDX-License-Identifier: MIT */
/*
 * negtoken.h - SPNEGO's negotiation tokens (RFC 4178 4.2): what the
 * acceptor needs to recognise a first token MIT's SPNEGO cannot take as it
 * is (inner.c), and the encoders and decoder a test uses to play such a
 * client.  The inner SPNEGO itself stays MIT's.
 */
#ifndef CS_NEGTOKEN_H
#define CS_NEGTOKEN_H

#include <gssapi/gssapi.h>

#include "cs.h"

/* negState values (RFC 4178 4.2.2); CS_NEG_STATE_NONE: absent. */
enum cs_neg_state {
    CS_NEG_STATE_NONE = -1,
    CS_NEG_ACCEPT_COMPLETED = 0,
    CS_NEG_ACCEPT_INCOMPLETE = 1,
    CS_NEG_REJECT = 2,
    CS_NEG_REQUEST_MIC = 3
};

/* A NegTokenResp, decoded.  Blobs are empty when the field is absent;
 * supported_mech holds the OID's content octets. */
struct cs_neg_resp {
    enum cs_neg_state state;
    cs_blob supported_mech;
    cs_blob token;
    cs_blob mic;
};

/*
 * cs_negtoken_u2u_offers_ntlm: whether tok is a SPNEGO NegTokenInit (in
 * its RFC 2743 framing) that prefers Kerberos (MS-KRB5 or KRB5 first), whose
 * optimistic token is a Kerberos user-to-user message (framed with OID
 * 1.2.840.113554.1.2.2.3), and that also offers NTLM.
 */
bool cs_negtoken_u2u_offers_ntlm(const uint8_t *tok, size_t len);

/*
 * cs_negtoken_init_encode: a NegTokenInit in its RFC 2743 framing, offering
 * mechs in that order, with mech_token (NULL: none) as the optimistic
 * token.  *mech_types gets the DER of the mechTypes list, which is what the
 * mechListMIC covers.
 */
cs_err cs_negtoken_init_encode(const gss_OID_desc *mechs, size_t num_mechs,
                               const cs_blob *mech_token, cs_blob *out,
                               cs_blob *mech_types) CS_WUR;

/* cs_negtoken_resp_encode: a NegTokenResp; NULL or empty token and mic are
 * left out, and so is state when CS_NEG_STATE_NONE. */
cs_err cs_negtoken_resp_encode(enum cs_neg_state state, const cs_blob *token,
                               const cs_blob *mic, cs_blob *out) CS_WUR;

/* cs_negtoken_resp_decode: a NegTokenResp (CREDSSP_S_BAD_DER when in is
 * not one); free with cs_negtoken_resp_clear in every case. */
cs_err cs_negtoken_resp_decode(const uint8_t *in, size_t len,
                               struct cs_neg_resp *out) CS_WUR;

void cs_negtoken_resp_clear(struct cs_neg_resp *r);

#endif /* CS_NEGTOKEN_H */
