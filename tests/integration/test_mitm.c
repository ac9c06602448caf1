/* SPDX-License-Identifier: MIT */
/*
 * test_mitm.c - a man in the middle that terminates the initiator's TLS
 * with a certificate of its own, opens its own TLS to the real acceptor,
 * and relays every CredSSP message (the inner Kerberos or NTLM tokens
 * included) unchanged between the two.  pubKeyAuth binds the inner
 * authentication to the TLS key each side really sees, so the exchange
 * must fail with SEC_E_MUTUAL_AUTH_FAILED, and no authInfo (the
 * credentials) may ever leave the initiator.
 *
 * The same relay, made hostile, rewrites messages in flight (versions,
 * errorCode, nonces, authInfo too early, garbage, extra negoTokens): each
 * case must fail with its exact status on the side that must notice, and
 * still no authInfo may leave the initiator.
 *
 * The relay is real OpenSSL over memory BIOs; both ends are the real
 * module through the real mechglue, the fixture's KDC and gss-ntlmssp.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "hs.h"
#include "tsrequest.h"

struct relay;

/* A hostile relay's rule: sees each TSRequest of one direction (0: to the
 * acceptor, 1: to the initiator) with its index in that direction, and
 * may change it in place, or put other bytes in *raw to send instead.
 * Every rule has this signature, so those that need less cast the rest
 * to void. */
typedef void (*mutate_fn)(int dir, int index, struct cs_tsrequest *req,
                          cs_blob *raw);

struct relay {
    SSL *to_client;               /* the MITM as TLS server */
    SSL *to_server;               /* the MITM as TLS client */
    int msgs_seen;
    int authinfo_seen;            /* TSRequests with authInfo relayed */
    int pubkey_seen;
    mutate_fn mutate;             /* NULL: relay unchanged */
    int count[2];                 /* TSRequests seen in each direction */
    bool server_error;            /* the acceptor sent an errorCode ... */
    uint32_t server_error_code;   /* ... this one */
    uint8_t nonce[CS_NONCE_LEN];  /* the initiator's first clientNonce */
    bool have_nonce;
    /* Plaintext waiting for the other leg's handshake, one queue per
     * direction (0: to the acceptor, 1: to the initiator). */
    unsigned char *q[2];
    size_t qlen[2];
};

/* flush: writes queued plaintext once the leg's handshake is done, one
 * TSRequest per record as they came. */
static void
flush(struct relay *r, SSL *to, int dir)
{
    size_t off = 0;

    if (!SSL_is_init_finished(to)) {
        SSL_do_handshake(to);
        ERR_clear_error();
        if (!SSL_is_init_finished(to)) {
            return;
        }
    }
    while (off < r->qlen[dir]) {
        size_t n = (size_t)r->q[dir][off] << 8 | r->q[dir][off + 1];

        ck_assert_int_eq(SSL_write(to, r->q[dir] + off + 2, (int)n),
                         (int)n);
        off += 2 + n;
    }
    r->qlen[dir] = 0;
}

/* new_mitm_ctx: a TLS server context with a fresh self-signed key. */
static SSL_CTX *
new_mitm_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    EVP_PKEY *key = EVP_RSA_gen(2048);
    X509 *cert = hs_self_signed(key);

    ck_assert_ptr_nonnull(ctx);
    ck_assert_ptr_nonnull(cert);
    ck_assert_int_eq(SSL_CTX_use_certificate(ctx, cert), 1);
    ck_assert_int_eq(SSL_CTX_use_PrivateKey(ctx, key), 1);
    SSL_CTX_set_num_tickets(ctx, 0);
    X509_free(cert);
    EVP_PKEY_free(key);
    return ctx;
}

/* new_ssl: an SSL over two memory BIOs. */
static SSL *
new_ssl(SSL_CTX *ctx, int server)
{
    SSL *s = SSL_new(ctx);

    SSL_set_bio(s, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
    BIO_set_mem_eof_return(SSL_get_rbio(s), -1);
    if (server) {
        SSL_set_accept_state(s);
    } else {
        SSL_set_connect_state(s);
    }
    return s;
}

/* drain: moves what an SSL wants to send into *out (appending). */
static void
drain(SSL *s, gss_buffer_t out)
{
    size_t n = BIO_ctrl_pending(SSL_get_wbio(s));

    if (n == 0) {
        return;
    }
    out->value = realloc(out->value, out->length + n);
    ck_assert_ptr_nonnull(out->value);
    ck_assert_int_eq(BIO_read(SSL_get_wbio(s),
                              (char *)out->value + out->length, (int)n),
                     (int)n);
    out->length += n;
}

/* feed: gives received bytes to an SSL. */
static void
feed(SSL *s, gss_buffer_t in)
{
    if (in->length > 0) {
        ck_assert_int_eq(BIO_write(SSL_get_rbio(s), in->value,
                                   (int)in->length),
                         (int)in->length);
    }
}

/* enqueue: plaintext for the other leg, length-prefixed, until that leg's
 * handshake is done. */
static void
enqueue(struct relay *r, int dir, const unsigned char *data, size_t n)
{
    r->q[dir] = realloc(r->q[dir], r->qlen[dir] + 2 + n);
    ck_assert_ptr_nonnull(r->q[dir]);
    r->q[dir][r->qlen[dir]] = (unsigned char)(n >> 8);
    r->q[dir][r->qlen[dir] + 1] = (unsigned char)n;
    memcpy(r->q[dir] + r->qlen[dir] + 2, data, n);
    r->qlen[dir] += 2 + n;
}

/* duplicate: set by a rule, the message it saw goes on twice, as two
 * records in one token. */
static bool duplicate;

/* pump: drives one side's handshake and moves its plaintext to the
 * other side, noting what each TSRequest from the initiator carries. */
static void
pump(struct relay *r, SSL *from, SSL *to, int from_client)
{
    unsigned char buf[16384];
    int n;

    if (!SSL_is_init_finished(from)) {
        SSL_do_handshake(from);
        ERR_clear_error();
        if (!SSL_is_init_finished(from)) {
            return;
        }
    }
    while ((n = SSL_read(from, buf, sizeof(buf))) > 0) {
        struct cs_tsrequest req = { 0 };
        cs_blob der = { 0 }, raw = { 0 };
        int dir = from_client ? 0 : 1;

        ck_assert_int_eq(cs_tsrequest_decode(buf, (size_t)n, &req), CS_OK);
        /* What each side itself sent, before any rewriting. */
        if (from_client) {
            r->msgs_seen++;
            r->authinfo_seen += req.has_auth_info;
            r->pubkey_seen += req.has_pub_key_auth;
            if (req.has_client_nonce && !r->have_nonce) {
                ck_assert_uint_eq(req.client_nonce.len, CS_NONCE_LEN);
                memcpy(r->nonce, req.client_nonce.data, CS_NONCE_LEN);
                r->have_nonce = true;
            }
        } else if (req.has_error_code) {
            r->server_error = true;
            r->server_error_code = req.error_code;
        }
        duplicate = false;
        if (r->mutate != NULL) {
            r->mutate(dir, r->count[dir], &req, &raw);
        }
        r->count[dir]++;
        if (raw.len == 0) {
            ck_assert_int_eq(cs_tsrequest_encode(&req, &der), CS_OK);
        }
        enqueue(r, dir, raw.len > 0 ? raw.data : der.data,
                raw.len > 0 ? raw.len : der.len);
        if (duplicate) {
            enqueue(r, dir, raw.len > 0 ? raw.data : der.data,
                    raw.len > 0 ? raw.len : der.len);
        }
        cs_tsrequest_clear(&req);
        cs_blob_free(&der);
        cs_blob_free(&raw);
    }
    ERR_clear_error();
    flush(r, to, from_client ? 0 : 1);
}

/*
 * run_mitm: the initiator talks to the relay, the relay to the acceptor.
 * Returns when either side fails or completes, or nothing moves.
 */
struct mitm_opts {
    const char *mech;
    OM_uint32 flags;
    const char *ntlm_deleg;       /* initiator's NTLM-only delegation */
    const char *init_min;         /* initiator's min_version */
    mutate_fn mutate;
    const char *password;         /* NULL: the test user's */
};

static void
run_mitm(const struct mitm_opts *o, struct hs_result *res, struct relay *r)
{
    const char *mech = o->mech;
    const char *ntlm_deleg = o->ntlm_deleg;
    OM_uint32 flags = o->flags;
    SSL_CTX *mctx = new_mitm_ctx(), *cctx = SSL_CTX_new(TLS_client_method());
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    const char *u = hs_env("CREDSSP_TEST_USER");
    const char *p = o->password != NULL ? o->password
                                        : hs_env("CREDSSP_TEST_PASSWORD");
    gss_buffer_desc ub = { strlen(u), (void *)u };
    gss_buffer_desc pb = { strlen(p), (void *)p };
    gss_buffer_desc tb = { 17, (void *)"TERMSRV@localhost" };
    gss_buffer_desc mv = { strlen(mech), (void *)mech };
    gss_cred_id_t icred, acred;
    gss_ctx_id_t ictx = GSS_C_NO_CONTEXT, actx = GSS_C_NO_CONTEXT;
    gss_name_t user, target;
    gss_buffer_desc to_init = { 0, NULL }, to_acc = { 0, NULL };
    OM_uint32 minor, tmp;
    int round, first_acc = 1;

    memset(res, 0, sizeof(*res));
    memset(r, 0, sizeof(*r));
    r->mutate = o->mutate;
    r->to_client = new_ssl(mctx, 1);
    r->to_server = new_ssl(cctx, 0);
    ck_assert_uint_eq(gss_import_name(&minor, &ub, GSS_C_NT_USER_NAME,
                                      &user), GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_import_name(&minor, &tb,
                                      GSS_C_NT_HOSTBASED_SERVICE, &target),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_acquire_cred_with_password(&minor, user, &pb, 0,
                                                     &set, GSS_C_INITIATE,
                                                     &icred, NULL, NULL),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_set_cred_option(&minor, &icred,
                                          GSS_CREDSSP_OPT_INNER_MECH, &mv),
                      GSS_S_COMPLETE);
    if (ntlm_deleg != NULL) {
        gss_buffer_desc nv = { strlen(ntlm_deleg), (void *)ntlm_deleg };

        ck_assert_uint_eq(gss_set_cred_option(
                              &minor, &icred,
                              GSS_CREDSSP_OPT_ALLOW_NTLM_ONLY_DELEGATION,
                              &nv),
                          GSS_S_COMPLETE);
    }
    if (o->init_min != NULL) {
        gss_buffer_desc v = { strlen(o->init_min), (void *)o->init_min };

        ck_assert_uint_eq(gss_set_cred_option(&minor, &icred,
                                              GSS_CREDSSP_OPT_MIN_VERSION,
                                              &v),
                          GSS_S_COMPLETE);
    }
    ck_assert_uint_eq(gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &set,
                                       GSS_C_ACCEPT, &acred, NULL, NULL),
                      GSS_S_COMPLETE);

    res->init_major = res->acc_major = GSS_S_CONTINUE_NEEDED;
    for (round = 0; round < 40; round++) {
        gss_buffer_desc out = { 0, NULL };
        int moved = 0;

        /* The initiator's turn. */
        if (res->init_major == GSS_S_CONTINUE_NEEDED &&
            (round == 0 || to_init.length > 0)) {
            res->init_major = gss_init_sec_context(
                &res->init_minor, icred, &ictx, target, GSS_CREDSSP_MECH,
                flags, 0, NULL, &to_init, NULL, &out, &res->init_flags,
                NULL);
            gss_release_buffer(&tmp, &to_init);
            feed(r->to_client, &out);
            moved |= out.length > 0;
            gss_release_buffer(&tmp, &out);
        }
        pump(r, r->to_client, r->to_server, 1);
        drain(r->to_client, &to_init);
        drain(r->to_server, &to_acc);

        /* The acceptor's turn. */
        if (res->acc_major == GSS_S_CONTINUE_NEEDED && to_acc.length > 0) {
            gss_buffer_desc framed = { 0, NULL };

            if (first_acc) {
                gss_credssp_frame_token(&minor, &to_acc, &framed);
            }
            res->acc_major = gss_accept_sec_context(
                &res->acc_minor, &actx, acred,
                first_acc ? &framed : &to_acc, NULL, NULL, NULL, &out,
                &res->acc_flags, NULL, NULL);
            first_acc = 0;
            gss_release_buffer(&tmp, &framed);
            gss_release_buffer(&tmp, &to_acc);
            feed(r->to_server, &out);
            moved |= out.length > 0;
            gss_release_buffer(&tmp, &out);
        }
        pump(r, r->to_server, r->to_client, 0);
        drain(r->to_client, &to_init);
        drain(r->to_server, &to_acc);
        moved |= to_init.length > 0 || to_acc.length > 0;
        if (GSS_ERROR(res->init_major) || !moved ||
            (res->init_major == GSS_S_COMPLETE &&
             res->acc_major == GSS_S_COMPLETE)) {
            break;
        }
    }
    hs_status_text(res->init_major, res->init_minor, res->init_error,
                   sizeof(res->init_error));
    hs_status_text(res->acc_major, res->acc_minor, res->acc_error,
                   sizeof(res->acc_error));
    gss_release_buffer(&tmp, &to_init);
    gss_release_buffer(&tmp, &to_acc);
    gss_delete_sec_context(&tmp, &ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&tmp, &actx, GSS_C_NO_BUFFER);
    gss_release_cred(&tmp, &icred);
    gss_release_cred(&tmp, &acred);
    gss_release_name(&tmp, &user);
    gss_release_name(&tmp, &target);
    SSL_free(r->to_client);
    SSL_free(r->to_server);
    free(r->q[0]);
    free(r->q[1]);
    SSL_CTX_free(mctx);
    SSL_CTX_free(cctx);
}

/* The relay is detected: the acceptor refuses the initiator's pubKeyAuth
 * (made over the relay's key) as SEC_E_MUTUAL_AUTH_FAILED, the initiator
 * fails too, and not one TSRequest with authInfo was relayed, even with
 * delegation requested (and, for NTLM, allowed by policy). */
START_TEST(test_mitm_detected)
{
    static const char *mechs[] = { "kerberos", "ntlm", "spnego" };
    struct hs_result res;
    struct relay r;

    struct mitm_opts o = { mechs[_i], GSS_C_DELEG_FLAG, "*", NULL, NULL,
                           NULL };

    run_mitm(&o, &res, &r);
    fprintf(stderr, "%s: init [%s] acc [%s]\n", mechs[_i], res.init_error,
            res.acc_error);
    ck_assert_int_gt(r.msgs_seen, 0);        /* the relay really relayed */
    ck_assert_int_eq(r.pubkey_seen, 1);
    ck_assert_int_eq(r.authinfo_seen, 0);
    ck_assert_uint_eq(res.acc_major, GSS_S_BAD_SIG);
    ck_assert_uint_eq(res.acc_minor, CREDSSP_S_PUBKEYAUTH_MISMATCH);
    ck_assert_msg(strstr(res.acc_error, "SEC_E_MUTUAL_AUTH_FAILED") != NULL,
                  "%s", res.acc_error);
    ck_assert(GSS_ERROR(res.init_major));
    ck_assert_uint_eq(res.init_flags & GSS_C_DELEG_FLAG, 0);
    /* What the initiator hears: the acceptor's errorCode
     * STATUS_LOGON_FAILURE (version 6), which the relay saw in clear and
     * passed on, named by the initiator's status. */
    ck_assert(r.server_error);
    ck_assert_uint_eq(r.server_error_code, 0xC000006Du);
    ck_assert_uint_eq(res.init_major, GSS_S_FAILURE);
    ck_assert_uint_eq(res.init_minor, CREDSSP_S_PEER_LOGON_FAILURE);
    ck_assert_msg(strstr(res.init_error, "STATUS_LOGON_FAILURE") != NULL,
                  "%s", res.init_error);
}
END_TEST

/* The initiator's clientNonce (version 5 on) is fresh for each context:
 * two handshakes, read in clear by the relay, carry two different
 * nonces, neither all zeros. */
START_TEST(test_client_nonce_fresh)
{
    static const uint8_t zeros[CS_NONCE_LEN];
    struct mitm_opts o = { "ntlm", 0, NULL, NULL, NULL, NULL };
    uint8_t first[CS_NONCE_LEN];
    struct hs_result res;
    struct relay r;

    run_mitm(&o, &res, &r);
    ck_assert(r.have_nonce);
    memcpy(first, r.nonce, sizeof(first));
    run_mitm(&o, &res, &r);
    ck_assert(r.have_nonce);
    ck_assert_msg(memcmp(first, zeros, sizeof(zeros)) != 0 &&
                      memcmp(r.nonce, zeros, sizeof(zeros)) != 0,
                  "a clientNonce of zeros");
    ck_assert_msg(memcmp(first, r.nonce, sizeof(first)) != 0,
                  "two contexts sent the same clientNonce");
}
END_TEST

/* A wrong password (NTLM): the acceptor refuses the inner logon and
 * tells the initiator so with errorCode STATUS_LOGON_FAILURE, as the
 * relay sees on the wire; no authInfo leaves the initiator. */
START_TEST(test_wrong_password_error_code)
{
    struct mitm_opts o = { "ntlm", GSS_C_DELEG_FLAG, "*", NULL, NULL,
                           "not-the-password" };
    struct hs_result res;
    struct relay r;

    run_mitm(&o, &res, &r);
    fprintf(stderr, "wrong password: init [%s] acc [%s]\n", res.init_error,
            res.acc_error);
    ck_assert_uint_eq(res.acc_minor, CREDSSP_S_LOGON_FAILED);
    ck_assert_int_eq(r.pubkey_seen, 1);
    ck_assert_int_eq(r.authinfo_seen, 0);
    ck_assert(r.server_error);
    ck_assert_uint_eq(r.server_error_code, 0xC000006Du);
    ck_assert_uint_eq(res.init_minor, CREDSSP_S_PEER_LOGON_FAILURE);
}
END_TEST

/* Rules of a hostile relay, one per case below. */
static void
server_v2(int dir, int i, struct cs_tsrequest *req, cs_blob *raw)
{
    (void)i;
    (void)raw;
    if (dir == 1) {
        req->version = 2;
    }
}

static void
server_v5_later(int dir, int i, struct cs_tsrequest *req, cs_blob *raw)
{
    (void)raw;
    if (dir == 1 && i >= 1) {
        req->version = 5;
    }
}

/* server_error: the server's first answer becomes an errorCode
 * (STATUS_LOGON_FAILURE), at version 6 or, with error_v2, at 2. */
static uint32_t error_version;

static void
server_error(int dir, int i, struct cs_tsrequest *req, cs_blob *raw)
{
    (void)raw;
    if (dir == 1 && i == 0) {
        cs_tsrequest_clear(req);
        req->version = error_version;
        req->has_error_code = true;
        req->error_code = 0xC000006D;
    }
}

static void
nonce_short(int dir, int i, struct cs_tsrequest *req, cs_blob *raw)
{
    (void)raw;
    if (dir == 0 && i == 0 && req->has_client_nonce) {
        req->client_nonce.len = 16;
    }
}

static void
nonce_changed(int dir, int i, struct cs_tsrequest *req, cs_blob *raw)
{
    (void)raw;
    if (dir == 0 && i == 1 && req->has_client_nonce) {
        req->client_nonce.data[0] ^= 1;
    }
}

/* The mirror cases: the server's first answer carries a clientNonce of
 * 16 bytes, or another one than the client's, or an authInfo. */
static void
server_nonce_short(int dir, int i, struct cs_tsrequest *req, cs_blob *raw)
{
    (void)raw;
    if (dir == 1 && i == 0) {
        cs_blob_free(&req->client_nonce);
        ck_assert_int_eq(cs_blob_set(&req->client_nonce, "0123456789abcdef",
                                     16), CS_OK);
        req->has_client_nonce = true;
    }
}

static void
server_nonce_other(int dir, int i, struct cs_tsrequest *req, cs_blob *raw)
{
    static const uint8_t other[CS_NONCE_LEN] = { 1 };

    (void)raw;
    if (dir == 1 && i == 0) {
        cs_blob_free(&req->client_nonce);
        ck_assert_int_eq(cs_blob_set(&req->client_nonce, other,
                                     sizeof(other)), CS_OK);
        req->has_client_nonce = true;
    }
}

static void
authinfo_first(int dir, int i, struct cs_tsrequest *req, cs_blob *raw)
{
    (void)raw;
    if (dir == 0 && i == 0) {
        ck_assert_int_eq(cs_blob_set(&req->auth_info, "\x01\x02", 2), CS_OK);
        req->has_auth_info = true;
    }
}

static void
server_authinfo(int dir, int i, struct cs_tsrequest *req, cs_blob *raw)
{
    if (dir == 1) {
        authinfo_first(0, i, req, raw);
    }
}

/* garbage_at: the garbage_index'th message of direction garbage_dir
 * becomes bytes that are not a TSRequest. */
static int garbage_dir, garbage_index;

static void
garbage(int dir, int i, struct cs_tsrequest *req, cs_blob *raw)
{
    (void)req;
    if (dir == garbage_dir && i == garbage_index) {
        ck_assert_int_eq(cs_blob_set(raw, "\x30\x05\xa0\x03\x02\x01", 6),
                         CS_OK);
    }
}

static void
two_tokens(int dir, int i, struct cs_tsrequest *req, cs_blob *raw)
{
    cs_blob *two;

    (void)raw;
    if (dir == 1 && i == 0 && req->num_nego_tokens == 1) {
        two = calloc(2, sizeof(*two));
        ck_assert_ptr_nonnull(two);
        ck_assert_int_eq(cs_blob_set(&two[0], req->nego_tokens[0].data,
                                     req->nego_tokens[0].len), CS_OK);
        ck_assert_int_eq(cs_blob_set(&two[1], "\x01", 1), CS_OK);
        cs_blob_free(&req->nego_tokens[0]);
        free(req->nego_tokens);
        req->nego_tokens = two;
        req->num_nego_tokens = 2;
    }
}

/* server_twice: the server's first TSRequest arrives twice, two records
 * in one token. */
static void
server_twice(int dir, int i, struct cs_tsrequest *req, cs_blob *raw)
{
    (void)req;
    (void)raw;
    if (dir == 1 && i == 0) {
        duplicate = true;
    }
}

/*
 * A man in the middle who rewrites messages in flight.  Each case names
 * the side that must notice, the GSS major and minor status it must fail
 * with, and in every case no TSRequest with authInfo crossed the relay.
 */
static const struct {
    const char *what;
    mutate_fn rule;
    const char *init_min;
    uint32_t error_version;
    int garbage_dir, garbage_index;
    bool initiator;               /* the side that must notice */
    OM_uint32 major, minor;
} hostile[] = {
    { "server version downgraded to 2", server_v2, NULL, 0, 0, 0, true,
      GSS_S_UNAVAILABLE, CREDSSP_S_VERSION_TOO_LOW },
    { "server version changed mid-exchange", server_v5_later, NULL, 0, 0,
      0, true, GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_VERSION_CHANGED },
    { "errorCode at version 6", server_error, NULL, 6, 0, 0, true,
      GSS_S_FAILURE, CREDSSP_S_PEER_LOGON_FAILURE },
    { "errorCode at version 2", server_error, "2", 2, 0, 0, true,
      GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_UNEXPECTED_MESSAGE },
    /* [MS-CSSP] 2.2.1: errorCode exists in versions 3, 4 and 6 only. */
    { "errorCode at version 5", server_error, NULL, 5, 0, 0, true,
      GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_UNEXPECTED_MESSAGE },
    { "clientNonce of 16 bytes", nonce_short, NULL, 0, 0, 0, false,
      GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_BAD_NONCE },
    { "clientNonce changed", nonce_changed, NULL, 0, 0, 0, false,
      GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_NONCE_CHANGED },
    { "authInfo before pubKeyAuth", authinfo_first, NULL, 0, 0, 0, false,
      GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_UNEXPECTED_MESSAGE },
    { "clientNonce of 16 bytes from the server", server_nonce_short, NULL,
      0, 0, 0, true, GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_BAD_NONCE },
    { "another clientNonce from the server", server_nonce_other, NULL, 0, 0,
      0, true, GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_NONCE_CHANGED },
    { "authInfo from the server", server_authinfo, NULL, 0, 0, 0, true,
      GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_UNEXPECTED_MESSAGE },
    { "garbage for the first client message", garbage, NULL, 0, 0, 0,
      false, GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_BAD_DER },
    { "garbage for the second client message", garbage, NULL, 0, 0, 1,
      false, GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_BAD_DER },
    { "garbage for the first server message", garbage, NULL, 0, 1, 0, true,
      GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_BAD_DER },
    { "garbage for the second server message", garbage, NULL, 0, 1, 1,
      true, GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_BAD_DER },
    { "two negoTokens from the server", two_tokens, NULL, 0, 0, 0, true,
      GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_UNEXPECTED_MESSAGE },
    { "two TSRequests from the server in one token", server_twice, NULL,
      0, 0, 0, true, GSS_S_DEFECTIVE_TOKEN, CREDSSP_S_SPLIT_RECORD },
};

START_TEST(test_hostile_relay)
{
    struct mitm_opts o = { "ntlm", GSS_C_DELEG_FLAG, "*", NULL, NULL,
                           NULL };
    struct hs_result res;
    struct relay r;

    o.mutate = hostile[_i].rule;
    o.init_min = hostile[_i].init_min;
    error_version = hostile[_i].error_version;
    garbage_dir = hostile[_i].garbage_dir;
    garbage_index = hostile[_i].garbage_index;
    run_mitm(&o, &res, &r);
    fprintf(stderr, "%s: init [%s] acc [%s]\n", hostile[_i].what,
            res.init_error, res.acc_error);
    ck_assert_int_eq(r.authinfo_seen, 0);
    if (hostile[_i].initiator) {
        ck_assert_msg(res.init_major == hostile[_i].major &&
                          res.init_minor == hostile[_i].minor,
                      "%s: initiator: %s", hostile[_i].what,
                      res.init_error);
    } else {
        ck_assert_msg(res.acc_major == hostile[_i].major &&
                          res.acc_minor == hostile[_i].minor,
                      "%s: acceptor: %s", hostile[_i].what, res.acc_error);
        ck_assert(GSS_ERROR(res.init_major) ||
                  res.init_major == GSS_S_CONTINUE_NEEDED);
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("mitm");
    TCase *tc = tcase_create("mitm");

    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_mitm_detected, 0, 3);
    tcase_add_test(tc, test_client_nonce_fresh);
    tcase_add_test(tc, test_wrong_password_error_code);
    tcase_add_loop_test(tc, test_hostile_relay, 0,
                        sizeof(hostile) / sizeof(hostile[0]));
    suite_add_tcase(s, tc);
    return hs_main(s);
}
