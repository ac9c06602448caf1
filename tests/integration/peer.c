/* SPDX-License-Identifier: MIT */
/*
 * peer.c - see peer.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "engine.h"
#include "glue.h"
#include "hs.h"
#include "negtoken.h"
#include "peer.h"
#include "pubkeyauth.h"

#define NEST_DEPTH 2000
#define OVERSIZE 70000

/* 1.2.840.48018.1.2.2: the Kerberos OID Microsoft's clients list first. */
static const gss_OID_desc ms_krb5 = {
    9, (void *)"\x2a\x86\x48\x82\xf7\x12\x01\x02\x02"
};

/* gss-ntlmssp's option that resets NTLM's RC4 state; MIT's SPNEGO calls it
 * after making (0) or verifying (1) a mechListMIC ([MS-SPNG] 3.3.5.1). */
static const gss_OID_desc ntlm_reset_crypto = {
    11, (void *)"\x2b\x06\x01\x04\x01\xb7\x7d\x85\x0f\x01\x03"
};

/* The optimistic token of an sspi-rs Kerberos client for TERMSRV/localhost:
 * the RFC 2743 framing with OID 1.2.840.113554.1.2.2.3 (user-to-user),
 * token ID 04 00, then KERB-TGT-REQUEST { pvno [0] 5, msg-type [1] 16,
 * server-name [2] { name-type [0] 2, name-string [1] { "TERMSRV",
 * "localhost" } } }. */
static const uint8_t u2u_request[] = {
    0x60, 0x3b, 0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02,
    0x02, 0x03, 0x04, 0x00, 0x30, 0x2b, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1,
    0x03, 0x02, 0x01, 0x10, 0xa2, 0x1f, 0x30, 0x1d, 0xa0, 0x03, 0x02, 0x01,
    0x02, 0xa1, 0x16, 0x30, 0x14, 0x1b, 0x07, 0x54, 0x45, 0x52, 0x4d, 0x53,
    0x52, 0x56, 0x1b, 0x09, 0x6c, 0x6f, 0x63, 0x61, 0x6c, 0x68, 0x6f, 0x73,
    0x74
};

struct peer {
    const struct peer_script *s;
    struct peer_result *res;
    struct cs_ctx *ctx;
    bool hs_done;
    bool started;                 /* initiator: the first token went */
    bool sent_pubkey;
    bool closed;                  /* our close_notify went */
    cs_blob out;                  /* what we send next */
    cs_blob mech_types;           /* u2u: the DER of the mechTypes sent */
    bool mic_sent;                /* u2u: our mechListMIC went */
};

/* append: adds more to what we send next (and frees more). */
static void
append(struct peer *p, cs_blob *more)
{
    uint8_t *n;

    if (more->len == 0) {
        return;
    }
    n = realloc(p->out.data, p->out.len + more->len);
    ck_assert_ptr_nonnull(n);
    memcpy(n + p->out.len, more->data, more->len);
    p->out.data = n;
    p->out.len += more->len;
    cs_blob_free(more);
}

/* take: appends what TLS has to send to p->out. */
static cs_err
take(struct peer *p)
{
    cs_blob more = { 0 };
    cs_err err = cs_tls_take_output(p->ctx->tls, &more);

    append(p, &more);
    return err;
}

/* send_req: our next TSRequest, or the close_notify the script puts in
 * its place; a later version from the second one on, if asked. */
static cs_err
send_req(struct peer *p, struct cs_tsrequest *req)
{
    if (++p->res->sent == p->s->close_at) {
        cs_blob bye = { 0 };
        cs_err err = cs_tls_shutdown(p->ctx->tls, &bye);

        p->closed = true;
        append(p, &bye);
        return err;
    }
    if (p->res->sent == p->s->garbage_at) {
        static const uint8_t garbage[] = { 0x30, 0x05, 0xa0, 0x03, 0x02,
                                           0x01 };

        return cs_tls_write_message(p->ctx->tls, garbage, sizeof(garbage));
    }
    if (p->res->sent == p->s->oversize_at) {
        static const uint8_t zeros[OVERSIZE / 5];
        cs_err err = CS_OK;

        for (int i = 0; i < 5 && err == CS_OK; i++) {
            err = cs_tls_write_message(p->ctx->tls, zeros, sizeof(zeros));
        }
        return err;
    }
    if (p->res->sent == 2 && p->s->later_version != 0) {
        p->ctx->our_version = p->s->later_version;
    }
    return cs_send_request(p->ctx, req);
}

/* keep: a copy of a sealed value we sent, for a later replay. */
static void
keep(cs_blob *dst, const cs_blob *src)
{
    cs_blob_free(dst);
    ck_assert_int_eq(cs_blob_set(dst, src->data, src->len), CS_OK);
}

/* add_pubkey: our pubKeyAuth as the script says, sealed by the inner
 * context (the initiator's carries the nonce from version 5 on). */
static cs_err
add_pubkey(struct peer *p, struct cs_tsrequest *req)
{
    struct cs_ctx *ctx = p->ctx;
    bool server = p->s->acceptor;
    uint32_t v = cs_ctx_version(ctx);
    cs_blob key = { 0 }, value = { 0 };
    cs_err err;

    if (p->s->pubkey == PEER_PK_REPLAY) {
        err = cs_blob_set(&req->pub_key_auth, p->s->replay->pubkey.data,
                          p->s->replay->pubkey.len);
    } else {
        err = cs_tls_server_key(ctx->tls, &key);
        if (err == CS_OK && p->s->pubkey == PEER_PK_OTHER_KEY) {
            key.data[key.len - 1] ^= 1;
        }
        if (err == CS_OK) {
            err = cs_pubkeyauth_value(
                v, p->s->pubkey == PEER_PK_REFLECT ? !server : server,
                ctx->nonce, key.data, key.len, &value);
        }
        if (err == CS_OK) {
            err = cs_inner_wrap(&ctx->inner, value.data, value.len,
                                &req->pub_key_auth);
        }
    }
    cs_blob_free(&key);
    cs_blob_free(&value);
    if (err != CS_OK) {
        return err;
    }
    req->has_pub_key_auth = true;
    if (!server && v >= 5) {
        err = cs_blob_set(&req->client_nonce, ctx->nonce, CS_NONCE_LEN);
        req->has_client_nonce = err == CS_OK;
    }
    keep(&p->res->rec.pubkey, &req->pub_key_auth);
    p->sent_pubkey = true;
    return err;
}

/* nested: DER of NEST_DEPTH SEQUENCEs, each holding the next. */
static void
nested(cs_blob *out)
{
    size_t cap = NEST_DEPTH * 4 + 4, start = cap, len = 0;
    uint8_t *b = calloc(1, cap);

    ck_assert_ptr_nonnull(b);
    for (int i = 0; i < NEST_DEPTH; i++) {
        size_t n = len;

        if (n < 0x80) {
            b[--start] = (uint8_t)n;
        } else {
            for (; n > 0; n >>= 8) {
                b[--start] = (uint8_t)n;
            }
            b[start - 1] = (uint8_t)(0x80 | (len > 0xff ? 2 : 1));
            start--;
        }
        b[--start] = 0x30;
        len = cap - start;
    }
    ck_assert_int_eq(cs_blob_set(out, b + start, len), CS_OK);
    free(b);
}

/* plain_creds: the TSCredentials the script asks for, unsealed. */
static void
plain_creds(struct peer *p, cs_blob *plain)
{
    struct cs_tscredentials creds = { .cred_type = CS_CRED_PASSWORD };
    static const uint8_t type1[] = { 0xa0, 0x03, 0x02, 0x01, 0x01 };
    uint8_t *at;

    if (p->s->authinfo == PEER_AI_NESTED) {
        nested(plain);
        return;
    }
    creds.u.password.domain =
        (char *)(p->s->deleg_domain != NULL
                     ? p->s->deleg_domain
                     : hs_env(p->s->ntlm ? "CREDSSP_TEST_NTLM_DOMAIN"
                                         : "CREDSSP_TEST_REALM"));
    creds.u.password.user = (char *)(p->s->deleg_user != NULL
                                         ? p->s->deleg_user
                                         : hs_env("CREDSSP_TEST_USER"));
    creds.u.password.password =
        (char *)(p->s->deleg_password != NULL
                     ? p->s->deleg_password
                     : hs_env("CREDSSP_TEST_PASSWORD"));
    ck_assert_int_eq(cs_tscredentials_encode(p->s->deleg_other != NULL
                                                 ? p->s->deleg_other
                                                 : &creds,
                                             plain),
                     CS_OK);
    if (p->s->authinfo == PEER_AI_CRED_TYPE) {
        /* credType [0] INTEGER 1 becomes 3, which [MS-CSSP] 2.2.1.2
         * does not define. */
        at = memmem(plain->data, plain->len, type1, sizeof(type1));
        ck_assert_ptr_nonnull(at);
        at[4] = 3;
    }
}

/* add_authinfo: our credentials as the script says, sealed. */
static cs_err
add_authinfo(struct peer *p, struct cs_tsrequest *req)
{
    cs_blob plain = { 0 };
    cs_err err;

    if (p->s->authinfo == PEER_AI_REPLAY) {
        err = cs_blob_set(&req->auth_info, p->s->replay->authinfo.data,
                          p->s->replay->authinfo.len);
    } else {
        plain_creds(p, &plain);
        err = cs_inner_wrap(&p->ctx->inner, plain.data, plain.len,
                            &req->auth_info);
        cs_blob_free_secret(&plain);
    }
    if (err == CS_OK) {
        req->has_auth_info = true;
        keep(&p->res->rec.authinfo, &req->auth_info);
    }
    return err;
}

/* u2u_first: our first TSRequest, whose inner token is a NegTokenInit
 * with the user-to-user request as its optimistic token. */
static cs_err
u2u_first(struct peer *p)
{
    gss_OID_desc mechs[3] = { ms_krb5, cs_oid_krb5, cs_oid_ntlmssp };
    cs_blob req = { (uint8_t *)u2u_request, sizeof(u2u_request) };
    struct cs_tsrequest first = { 0 };
    cs_blob token = { 0 };
    cs_err err;

    err = cs_negtoken_init_encode(mechs,
                                  p->s->u2u == PEER_U2U_NO_NTLM ? 2 : 3,
                                  &req, &token, &p->mech_types);
    if (err == CS_OK) {
        err = cs_tsrequest_add_nego_token(&first, token.data, token.len);
    }
    if (err == CS_OK) {
        err = send_req(p, &first);
    }
    cs_tsrequest_clear(&first);
    cs_blob_free(&token);
    return err;
}

/* reset_ntlm: what MIT's SPNEGO does after a mechListMIC. */
static cs_err
reset_ntlm(struct peer *p, OM_uint32 verified)
{
    gss_buffer_desc v = { sizeof(verified), &verified };
    OM_uint32 minor;

    return gss_set_sec_context_option(&minor, &p->ctx->inner.ctx,
                                      (gss_OID)&ntlm_reset_crypto,
                                      &v) == GSS_S_COMPLETE
               ? CS_OK
               : CREDSSP_S_INNER_FAILED;
}

/* u2u_mic: our mechListMIC, over the mechTypes we sent (or, for
 * PEER_U2U_BAD_MIC, over [NTLM]). */
static cs_err
u2u_mic(struct peer *p, cs_blob *mic)
{
    gss_buffer_desc types = { p->mech_types.len, p->mech_types.data };
    gss_buffer_desc buf = { 0, NULL };
    cs_blob junk = { 0 }, ntlm_only = { 0 };
    OM_uint32 minor;
    cs_err err = CS_OK;

    if (p->s->u2u == PEER_U2U_BAD_MIC) {
        err = cs_negtoken_init_encode(&cs_oid_ntlmssp, 1, NULL, &junk,
                                      &ntlm_only);
        types.length = ntlm_only.len;
        types.value = ntlm_only.data;
    }
    if (err == CS_OK &&
        gss_get_mic(&minor, p->ctx->inner.ctx, GSS_C_QOP_DEFAULT, &types,
                    &buf) != GSS_S_COMPLETE) {
        err = CREDSSP_S_INNER_FAILED;
    }
    if (err == CS_OK) {
        err = cs_blob_set(mic, buf.value, buf.length);
    }
    if (err == CS_OK) {
        err = reset_ntlm(p, 0);
    }
    p->mic_sent = true;
    gss_release_buffer(&minor, &buf);
    cs_blob_free(&junk);
    cs_blob_free(&ntlm_only);
    return err;
}

/*
 * u2u_step: our SPNEGO answer to the acceptor's NegTokenResp.  Once it
 * picked NTLM: NTLM's next token, with our mechListMIC when NTLM is
 * complete; its own mechListMIC verified when it sends one.
 */
static cs_err
u2u_step(struct peer *p, const cs_blob *in, cs_blob *out)
{
    struct cs_ctx *ctx = p->ctx;
    struct cs_neg_resp r;
    gss_buffer_desc types = { p->mech_types.len, p->mech_types.data };
    gss_buffer_desc mic_in;
    cs_blob ntlm = { 0 }, mic = { 0 };
    gss_OID_desc picked;
    bool starting = ctx->inner.ctx == GSS_C_NO_CONTEXT;
    OM_uint32 minor;
    cs_err err = cs_negtoken_resp_decode(in->data, in->len, &r);

    picked.length = (OM_uint32)r.supported_mech.len;
    picked.elements = r.supported_mech.data;
    if (err == CS_OK &&
        (r.state == CS_NEG_REJECT ||
         (starting && !cs_oid_equal(&picked, &cs_oid_ntlmssp)))) {
        err = CREDSSP_S_INNER_FAILED;
    }
    if (err == CS_OK && (starting || r.token.len > 0)) {
        err = cs_inner_init(&ctx->inner, ctx->cred->inner, ctx->target,
                            ctx->cred->mode, starting ? NULL : &r.token,
                            &ntlm);
    }
    if (err == CS_OK && r.mic.len > 0) {
        mic_in.length = r.mic.len;
        mic_in.value = r.mic.data;
        err = gss_verify_mic(&minor, ctx->inner.ctx, &types, &mic_in,
                             NULL) == GSS_S_COMPLETE
                  ? reset_ntlm(p, 1)
                  : CREDSSP_S_INNER_FAILED;
    }
    if (err == CS_OK && ctx->inner.complete && !p->mic_sent) {
        err = u2u_mic(p, &mic);
    }
    if (err == CS_OK && (ntlm.len > 0 || mic.len > 0)) {
        err = cs_negtoken_resp_encode(CS_NEG_ACCEPT_INCOMPLETE, &ntlm, &mic,
                                      out);
    }
    cs_negtoken_resp_clear(&r);
    cs_blob_free(&ntlm);
    cs_blob_free(&mic);
    return err;
}

/* as_initiator: our answer to one TSRequest of the module's acceptor. */
static cs_err
as_initiator(struct peer *p, const struct cs_tsrequest *in)
{
    struct cs_ctx *ctx = p->ctx;
    struct cs_tsrequest req = { 0 };
    cs_blob token = { 0 };
    cs_err err = CS_OK;

    if (in->num_nego_tokens > 0 && p->s->u2u != PEER_U2U_NONE) {
        err = u2u_step(p, &in->nego_tokens[0], &token);
    } else if (in->num_nego_tokens > 0) {
        err = cs_inner_init(&ctx->inner, ctx->cred->inner, ctx->target,
                            ctx->cred->mode, &in->nego_tokens[0], &token);
    }
    if (err == CS_OK && in->has_pub_key_auth) {
        /* Not checked: the peer is not what is under test. */
        p->res->pubkey_seen++;
        err = add_authinfo(p, &req);
        p->res->peer_done = true;
    } else if (err == CS_OK) {
        if (token.len > 0) {
            err = cs_tsrequest_add_nego_token(&req, token.data, token.len);
        }
        if (err == CS_OK && !p->sent_pubkey &&
            cs_inner_can_wrap(&ctx->inner)) {
            err = add_pubkey(p, &req);
        }
    }
    if (err == CS_OK) {
        err = send_req(p, &req);
    }
    cs_blob_free(&token);
    cs_tsrequest_clear(&req);
    return err;
}

/* as_acceptor: our answer to one TSRequest of the module's initiator. */
static cs_err
as_acceptor(struct peer *p, const struct cs_tsrequest *in)
{
    struct cs_ctx *ctx = p->ctx;
    struct cs_tsrequest req = { 0 };
    cs_blob token = { 0 };
    cs_err err = CS_OK;

    if (in->has_auth_info) {
        p->res->authinfo_seen++;
        p->res->peer_done = true;
        return CS_OK;
    }
    if (in->num_nego_tokens > 0) {
        err = cs_inner_accept(&ctx->inner, ctx->cred->inner,
                              &in->nego_tokens[0], &token);
    }
    if (err == CS_OK && p->s->empty_target_name && token.len >= 24 &&
        memcmp(token.data, "NTLMSSP\0\x02", 9) == 0) {
        memset(token.data + 12, 0, 4);        /* TargetNameLen, MaxLen */
    }
    if (err == CS_OK && p->s->garbage_inner && token.len > 20 &&
        memcmp(token.data, "NTLMSSP\0\x02", 9) == 0) {
        token.len = 20;
    }
    if (err == CS_OK && token.len > 0) {
        err = cs_tsrequest_add_nego_token(&req, token.data, token.len);
    }
    if (err == CS_OK && in->has_pub_key_auth) {
        p->res->pubkey_seen++;
        err = add_pubkey(p, &req);
    }
    if (err == CS_OK && (req.num_nego_tokens > 0 || req.has_pub_key_auth)) {
        err = send_req(p, &req);
    }
    cs_blob_free(&token);
    cs_tsrequest_clear(&req);
    return err;
}

/* Impacket's NEGOTIATE ([MS-NLMP] 2.2.1.1): signature, type 1, flags
 * 0xe0888235 (NEGOTIATE_VERSION clear), empty domain and workstation
 * fields, and no Version. */
static const uint8_t impacket_negotiate[32] = {
    'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 1, 0, 0, 0, 0x35, 0x82, 0x88,
    0xe0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};
#define IMPACKET_FLAGS 0xe0888235u
#define NEGOTIATE_VERSION 0x02000000u

/* short_negotiate_setup: gss-ntlmssp sends Impacket's flags (its
 * NEG_FLAGS option, 1.3.6.1.4.1.7165.655.1.5); in SPNEGO, NTLM only. */
static void
short_negotiate_setup(struct peer *p)
{
    static const gss_OID_desc neg_flags_oid = {
        11, (void *)"\x2b\x06\x01\x04\x01\xb7\x7d\x85\x0f\x01\x05"
    };
    const struct cs_glue *g = cs_glue();
    uint32_t flags = p->s->negotiate == PEER_NEG_SPNEGO_STRIPPED
                         ? IMPACKET_FLAGS | NEGOTIATE_VERSION
                         : IMPACKET_FLAGS;
    gss_buffer_desc value = { sizeof(flags), &flags };
    gss_OID_set_desc ntlm_only = { 1, (gss_OID)&cs_oid_ntlmssp };
    OM_uint32 minor;

    ck_assert_uint_eq(g->set_cred_option(&minor, &p->ctx->cred->inner,
                                         (gss_OID)&neg_flags_oid, &value),
                      GSS_S_COMPLETE);
    if (p->s->negotiate != PEER_NEG_SHORT) {
        ck_assert_uint_eq(g->set_neg_mechs(&minor, p->ctx->cred->inner,
                                           &ntlm_only), GSS_S_COMPLETE);
    }
}

/*
 * shorten_tlvs: in the n bytes of TLVs at b, drops the 8 bytes at cut
 * (which lies inside them) and makes every enclosing length 8 shorter.
 * MIT's SPNEGO NegTokenInit with one NTLM NEGOTIATE is small enough that
 * every length is in the short form.
 */
static void
shorten_tlvs(uint8_t *b, size_t n, size_t cut)
{
    size_t off = 0;

    while (off < n) {
        size_t len = b[off + 1];

        ck_assert_uint_lt(b[off + 1], 0x80);
        if (cut >= off + 2 && cut < off + 2 + len) {
            b[off + 1] = (uint8_t)(len - 8);
            if ((b[off] & 0x20) != 0) {
                shorten_tlvs(b + off + 2, len, cut - off - 2);
            }
            return;
        }
        off += 2 + len;
    }
    ck_abort_msg("offset %zu is in no TLV", cut);
}

/*
 * short_negotiate: replaces gss-ntlmssp's NEGOTIATE (40 bytes, flags
 * 0xe0888235 so its Version is zero) by Impacket's 32 bytes, raw or
 * inside the SPNEGO token (which is re-framed around it).
 */
static void
short_negotiate(struct peer *p, cs_blob *token)
{
    static const uint8_t sig[9] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0,
                                    1 };
    uint8_t *at = memmem(token->data, token->len, sig, sizeof(sig));
    size_t k;

    ck_assert_ptr_nonnull(at);
    k = (size_t)(at - token->data);
    ck_assert_uint_ge(token->len - k, 40);
    ck_assert_mem_eq(at, impacket_negotiate, 15);
    ck_assert_mem_eq(at + 16, impacket_negotiate + 16, 16);
    if (p->s->negotiate == PEER_NEG_SPNEGO_STRIPPED) {
        /* gss-ntlmssp's real Version goes, and the flag that says so. */
        ck_assert_uint_eq(at[15], 0xe2);
        at[15] = 0xe0;
        ck_assert(memcmp(at + 32, "\0\0\0\0\0\0\0\0", 8) != 0);
    } else {
        ck_assert(memcmp(at + 32, "\0\0\0\0\0\0\0\0", 8) == 0);
    }
    if (p->s->negotiate == PEER_NEG_SHORT) {
        ck_assert_uint_eq(token->len, 40);
        token->len = 32;
        return;
    }
    ck_assert_uint_eq(token->data[0], 0x60);
    shorten_tlvs(token->data, token->len, k + 32);
    memmove(at + 32, at + 40, token->len - k - 40);
    token->len -= 8;
}

/* peer_step: takes the module's token, answers in p->out. */
static cs_err
peer_step(struct peer *p, const gss_buffer_t in)
{
    struct cs_ctx *ctx = p->ctx;
    cs_blob token = { 0 };
    cs_err err;

    if (p->s->tls_alert && in->length > 0) {
        static const uint8_t alert[] = { 0x15, 0x03, 0x03, 0x00, 0x02,
                                         0x02, 0x28 };

        p->closed = true;
        return cs_blob_set(&p->out, alert, sizeof(alert));
    }
    err = cs_tls_feed(ctx->tls, in->value, in->length);
    if (err == CS_OK && !p->hs_done) {
        err = cs_tls_handshake(ctx->tls, &p->hs_done);
    }
    if (err == CS_OK && p->hs_done && p->s->u2u != PEER_U2U_NONE &&
        !p->started) {
        p->started = true;
        err = u2u_first(p);
    }
    if (err == CS_OK && p->hs_done && !p->s->acceptor && !p->started) {
        struct cs_tsrequest first = { 0 };

        p->started = true;
        if (p->s->negotiate != PEER_NEG_HONEST) {
            short_negotiate_setup(p);
        }
        err = cs_inner_init(&ctx->inner, ctx->cred->inner, ctx->target,
                            ctx->cred->mode, NULL, &token);
        if (err == CS_OK && p->s->negotiate != PEER_NEG_HONEST) {
            short_negotiate(p, &token);
        }
        if (err == CS_OK && p->s->garbage_inner) {
            ck_assert_uint_gt(token.len, 20);
            token.len = 20;
        }
        if (err == CS_OK) {
            err = cs_tsrequest_add_nego_token(&first, token.data, token.len);
        }
        if (err == CS_OK) {
            err = send_req(p, &first);
        }
        cs_tsrequest_clear(&first);
        cs_blob_free(&token);
    }
    while (err == CS_OK && p->hs_done && !p->closed && !p->res->peer_done) {
        struct cs_tsrequest req = { 0 };
        bool got = false;

        err = cs_recv_request(ctx, &req, &got);
        if (err != CS_OK || !got) {
            break;
        }
        err = p->s->acceptor ? as_acceptor(p, &req) : as_initiator(p, &req);
        cs_tsrequest_clear(&req);
    }
    return err == CS_OK ? take(p) : err;
}

/* peer_ctx: the peer's engine context and TLS endpoint.  It takes any
 * version, so that the module's own checks are what is tested. */
static struct cs_ctx *
peer_ctx(const struct peer_script *s)
{
    const struct cs_glue *g = cs_glue();
    char text[256];
    gss_buffer_desc buf = { 0, text };
    struct cs_cred *c;
    struct cs_ctx *ctx;
    gss_name_t target;
    OM_uint32 minor = 0;

    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(cs_cred_new(s->acceptor ? GSS_C_ACCEPT : GSS_C_INITIATE,
                                 &c), CS_OK);
    ck_assert_int_eq(cs_settings_set(&c->set, "encryption_oracle",
                                     "vulnerable"), CS_OK);
    if (!s->acceptor) {
        const char *user = s->user != NULL ? s->user
                                           : hs_env("CREDSSP_TEST_USER");

        if (s->ntlm) {
            snprintf(text, sizeof(text), "%s\\%s",
                     hs_env("CREDSSP_TEST_NTLM_DOMAIN"), user);
        } else {
            snprintf(text, sizeof(text), "%s@%s", user,
                     hs_env("CREDSSP_TEST_REALM"));
        }
        buf.length = strlen(text);
        ck_assert_uint_eq(g->import_name(&minor, &buf,
                                         (gss_OID)&cs_oid_nt_user_name,
                                         &c->name), GSS_S_COMPLETE);
        ck_assert_int_eq(cs_cred_set_password(
                             c, text,
                             s->password != NULL
                                 ? s->password
                                 : hs_env("CREDSSP_TEST_PASSWORD")),
                         CS_OK);
        ck_assert_int_eq(cs_settings_set(&c->set, "inner_mech",
                                         s->negotiate >=
                                                 PEER_NEG_SPNEGO_SHORT
                                             ? "spnego"
                                         : s->ntlm ? "ntlm"
                                                   : "kerberos"),
                         CS_OK);
    }
    ck_assert_int_eq(cs_cred_finish(c), CS_OK);
    ck_assert_int_eq(cs_ctx_new(s->acceptor ? CS_ACCEPTOR : CS_INITIATOR, c,
                                &ctx), CS_OK);
    cs_cred_unref(c);
    if (!s->acceptor) {
        buf.value = (void *)"TERMSRV@localhost";
        buf.length = strlen(buf.value);
        ck_assert_uint_eq(g->import_name(&minor, &buf,
                                         (gss_OID)&cs_oid_nt_hostbased_service,
                                         &target), GSS_S_COMPLETE);
        ck_assert_int_eq(cs_ctx_set_target(ctx, target), CS_OK);
        g->release_name(&minor, &target);
    }
    if (s->version != 0) {
        ctx->our_version = s->version;
    }
    ctx->have_nonce = ctx->have_nonce && ctx->our_version >= 5;
    ck_assert_int_eq(cs_tls_new(ctx->cred->ssl_ctx, s->acceptor, "localhost",
                                &ctx->tls), CS_OK);
    return ctx;
}

/* peer_says: the peer asks for new keys and seals msg after the
 * KeyUpdate, in one token; the module must unwrap msg. */
static bool
peer_says(struct peer *p, gss_ctx_id_t gctx, const char *msg)
{
    cs_blob tok = { 0 };
    gss_buffer_desc in, out = { 0, NULL };
    OM_uint32 minor, tmp;
    bool ok;

    ck_assert_int_eq(cs_tls_key_update(p->ctx->tls), CS_OK);
    ck_assert_int_eq(cs_tls_seal(p->ctx->tls, (const uint8_t *)msg,
                                 strlen(msg), &tok), CS_OK);
    in.length = tok.len;
    in.value = tok.data;
    ok = gss_unwrap(&minor, gctx, &in, &out, NULL, NULL) == GSS_S_COMPLETE &&
         out.length == strlen(msg) && memcmp(out.value, msg, out.length) == 0;
    gss_release_buffer(&tmp, &out);
    cs_blob_free(&tok);
    return ok;
}

/* peer_hears: the peer unseals what the module sent; is it msg? */
static bool
peer_hears(struct peer *p, const uint8_t *tok, size_t len, const char *msg)
{
    cs_blob plain = { 0 };
    bool ok = cs_tls_unseal(p->ctx->tls, tok, len, &plain) == CS_OK &&
              plain.len == strlen(msg) &&
              memcmp(plain.data, msg, plain.len) == 0;

    cs_blob_free(&plain);
    return ok;
}

/* module_wraps: gss_wrap of msg on the module's side; does the peer read
 * it? */
static bool
module_wraps(struct peer *p, gss_ctx_id_t gctx, const char *msg)
{
    gss_buffer_desc in = { strlen(msg), (void *)msg }, tok = { 0, NULL };
    OM_uint32 minor, tmp;
    bool ok = gss_wrap(&minor, gctx, 1, GSS_C_QOP_DEFAULT, &in, NULL,
                       &tok) == GSS_S_COMPLETE &&
              peer_hears(p, tok.value, tok.length, msg);

    gss_release_buffer(&tmp, &tok);
    return ok;
}

/* lay_out: HEADER (h bytes), DATA (n) and TRAILER (t) back to back in
 * buf, with msg in DATA. */
static void
lay_out(gss_iov_buffer_desc iov[3], uint8_t *buf, size_t h, const char *msg,
        size_t t)
{
    size_t n = strlen(msg);

    memcpy(buf + h, msg, n);
    iov[0].buffer.value = buf;
    iov[0].buffer.length = h;
    iov[1].buffer.value = buf + h;
    iov[1].buffer.length = n;
    iov[2].buffer.value = buf + h + n;
    iov[2].buffer.length = t;
}

/* key_update_round: the key_update script (peer.h) on a completed
 * context. */
static void
key_update_round(struct peer *p, gss_ctx_id_t gctx, struct peer_result *res)
{
    static const char pong[] = "<s:Envelope>pong</s:Envelope>";
    gss_iov_buffer_desc iov[3];
    gss_buffer_desc tok, out = { 0, NULL };
    cs_blob ku = { 0 };
    uint8_t buf[256];
    size_t n = sizeof(pong) - 1, h, t;
    OM_uint32 minor, tmp;

    res->ku_unwrapped = peer_says(p, gctx, "ping");
    /* The module owes a KeyUpdate: its HEADER takes that record too. */
    memset(iov, 0, sizeof(iov));
    iov[0].type = GSS_IOV_BUFFER_TYPE_HEADER;
    iov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
    iov[1].buffer.length = n;
    iov[2].type = GSS_IOV_BUFFER_TYPE_TRAILER;
    ck_assert_uint_eq(gss_wrap_iov_length(&minor, gctx, 1, 0, NULL, iov, 3),
                      GSS_S_COMPLETE);
    res->ku_header[0] = h = iov[0].buffer.length;
    t = iov[2].buffer.length;
    ck_assert_uint_le(h + n + t, sizeof(buf));
    lay_out(iov, buf, h, pong, t);
    res->ku_iov = gss_wrap_iov(&minor, gctx, 1, 0, NULL, iov, 3) ==
                      GSS_S_COMPLETE &&
                  peer_hears(p, buf, h + n + t, pong);
    ck_assert_uint_eq(gss_wrap_iov_length(&minor, gctx, 1, 0, NULL, iov, 3),
                      GSS_S_COMPLETE);
    res->ku_header[1] = h = iov[0].buffer.length;

    /* Again, with a HEADER sized for a record alone: refused before
     * anything is sealed; gss_wrap then carries both records. */
    res->ku_unwrapped = peer_says(p, gctx, "ping again") &&
                        res->ku_unwrapped;
    lay_out(iov, buf, h, pong, sizeof(buf) - h - n);
    res->ku_stale_major = gss_wrap_iov(&res->ku_stale_minor, gctx, 1, 0,
                                       NULL, iov, 3);
    res->ku_wrap = module_wraps(p, gctx, pong);

    /* A token that carries the KeyUpdate alone. */
    ck_assert_int_eq(cs_tls_key_update(p->ctx->tls), CS_OK);
    ck_assert_int_eq(cs_tls_take_output(p->ctx->tls, &ku), CS_OK);
    tok.length = ku.len;
    tok.value = ku.data;
    res->ku_alone_major = gss_unwrap(&minor, gctx, &tok, &out, NULL, NULL);
    res->ku_alone_len = out.length;
    gss_release_buffer(&tmp, &out);
    cs_blob_free(&ku);
    res->ku_wrap_after = module_wraps(p, gctx, pong);
}

void
peer_run(const struct peer_script *s, struct peer_result *res)
{
    struct hs_opts o = { 0 };
    struct peer p = { .s = s, .res = res };
    gss_buffer_desc tb = { 17, (void *)"TERMSRV@localhost" };
    gss_buffer_desc from_mod = { 0, NULL };
    cs_blob to_mod = { 0 };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL, deleg = GSS_C_NO_CREDENTIAL;
    gss_ctx_id_t gctx = GSS_C_NO_CONTEXT;
    gss_name_t target = GSS_C_NO_NAME, src = GSS_C_NO_NAME;
    gss_buffer_desc text = { 0, NULL };
    OM_uint32 minor, tmp;
    bool module_turn = s->acceptor, first = true;

    memset(res, 0, sizeof(*res));
    o.mech = s->ntlm ? "ntlm" : "kerberos";
    o.ntlm_deleg = "*";
    memcpy(s->acceptor ? o.init_extra : o.acc_extra, s->module_extra,
           sizeof(s->module_extra));
    if (s->version != 0 && s->version < 5) {
        o.init_oracle = o.acc_oracle = "vulnerable";
    }
    if (s->acceptor) {
        ck_assert_uint_eq(hs_init_cred(&o, &cred, &minor), GSS_S_COMPLETE);
        ck_assert_uint_eq(gss_import_name(&minor, &tb,
                                          GSS_C_NT_HOSTBASED_SERVICE,
                                          &target), GSS_S_COMPLETE);
    } else {
        ck_assert_uint_eq(hs_acc_cred(&o, &cred, &minor), GSS_S_COMPLETE);
    }
    p.ctx = peer_ctx(s);
    res->major = GSS_S_CONTINUE_NEEDED;
    for (int turn = 0; turn < 40; turn++, module_turn = !module_turn) {
        gss_buffer_desc in, framed = { 0, NULL };

        if (!module_turn) {
            res->peer_err = peer_step(&p, &from_mod);
            gss_release_buffer(&tmp, &from_mod);
            to_mod = p.out;
            p.out = (cs_blob){ 0 };
            if (res->peer_err != CS_OK || to_mod.len == 0) {
                break;
            }
            continue;
        }
        in.length = to_mod.len;
        in.value = to_mod.data;
        if (s->acceptor) {
            res->major = gss_init_sec_context(
                &res->minor, cred, &gctx, target, GSS_CREDSSP_MECH,
                GSS_C_DELEG_FLAG, 0, NULL, &in, NULL, &from_mod, &res->flags,
                NULL);
        } else {
            if (first) {
                ck_assert_uint_eq(gss_credssp_frame_token(&minor, &in,
                                                          &framed),
                                  GSS_S_COMPLETE);
            }
            gss_release_name(&tmp, &src);
            res->major = gss_accept_sec_context(
                &res->minor, &gctx, cred, first ? &framed : &in, NULL, &src,
                NULL, &from_mod, &res->flags, NULL, &deleg);
            first = false;
            gss_release_buffer(&tmp, &framed);
        }
        cs_blob_free(&to_mod);
        if (GSS_ERROR(res->major) && from_mod.length > 0) {
            /* What the module sends with its failure (errorCode, alert)
             * reaches the peer too. */
            res->final_token = true;
            res->final_err = peer_step(&p, &from_mod);
            cs_blob_free(&p.out);
        }
        if (GSS_ERROR(res->major) || from_mod.length == 0) {
            break;
        }
    }
    /* What the module told the peer with its failure (errorCode). */
    if (GSS_ERROR(res->major) && from_mod.length > 0 &&
        res->peer_err == CS_OK && !p.closed &&
        cs_tls_feed(p.ctx->tls, from_mod.value, from_mod.length) == CS_OK) {
        struct cs_tsrequest req = { 0 };
        bool got = false;

        res->told = cs_recv_request(p.ctx, &req, &got);
        cs_tsrequest_clear(&req);
    }
    res->peer_done = res->peer_done && res->peer_err == CS_OK;
    res->delegated = deleg != GSS_C_NO_CREDENTIAL;
    if (s->keep_deleg) {
        res->deleg = deleg;
        deleg = GSS_C_NO_CREDENTIAL;
    }
    hs_status_text(res->major, res->minor, res->error, sizeof(res->error));
    if (res->major == GSS_S_COMPLETE && src != GSS_C_NO_NAME &&
        gss_display_name(&tmp, src, &text, NULL) == GSS_S_COMPLETE) {
        snprintf(res->name, sizeof(res->name), "%.*s", (int)text.length,
                 (char *)text.value);
    }
    if (res->major == GSS_S_COMPLETE) {
        hs_inner_mech_name(gctx, res->inner_mech, sizeof(res->inner_mech));
    }
    if (s->key_update && res->major == GSS_S_COMPLETE && res->peer_done) {
        key_update_round(&p, gctx, res);
    }
    gss_release_buffer(&tmp, &text);
    gss_release_name(&tmp, &src);
    cs_blob_free(&to_mod);
    gss_release_buffer(&tmp, &from_mod);
    gss_release_cred(&tmp, &deleg);
    gss_release_cred(&tmp, &cred);
    gss_release_name(&tmp, &target);
    gss_delete_sec_context(&tmp, &gctx, GSS_C_NO_BUFFER);
    cs_ctx_free(p.ctx);
    cs_blob_free(&p.mech_types);
}

void
peer_result_clear(struct peer_result *res)
{
    cs_blob_free(&res->rec.pubkey);
    cs_blob_free(&res->rec.authinfo);
}
