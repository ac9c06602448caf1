/* SPDX-License-Identifier: MIT */
/*
 * bench_credssp.c - `make bench`: what a CredSSP handshake and its message
 * protection cost, next to the floor any CredSSP must pay.  Runs under
 * tests/fixture/with-kdc (real KDC, real gss-ntlmssp, the module built
 * here through the real mechglue).  Usage: bench_credssp OUTDIR; prints
 * the table and writes OUTDIR/bench.csv and the plot data files.
 *
 * Method (doc/performance.md says more):
 *  - CPU time is CLOCK_THREAD_CPUTIME_ID around each side's calls, so a
 *    busy machine inflates it less than wall time; per configuration the
 *    result is the median of ROUNDS batches, ours and the floor
 *    interleaved batch by batch.
 *  - ours: gss_init_sec_context / gss_accept_sec_context (first token
 *    framed) until both complete, then gss_delete_sec_context, with
 *    credentials acquired once and warmed up (Kerberos: the service ticket
 *    is in the credential's cache).
 *  - floor: a bare OpenSSL handshake over memory BIOs with the same
 *    certificate, key, versions, options and (checked) cipher; a bare
 *    inner handshake of the same mech and flags through the mechglue; and
 *    the four SHA-256 and three wrap/unwrap pairs pubKeyAuth (v5/v6) and
 *    authInfo need, on that inner context.
 */
#include "config.h"

#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/resource.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "alloc_count.h"
#include "noop_mech.h"
#include "../integration/hs.h"

#define ROUNDS 5
#define BATCH 60          /* handshakes per batch */
#define COUNT_RUNS 20     /* handshakes whose allocations are counted */
#define CONTEXTS 1000     /* established acceptor contexts kept alive */
#define SCALE_RUNS 150    /* handshakes per thread in the scaling test */
#define WRAP_BYTES (96u << 20)

/* What CredSSP asks of the inner mech (src/inner.c INNER_REQ_FLAGS). */
#define INNER_FLAGS                                                       \
    (GSS_C_MUTUAL_FLAG | GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG |            \
     GSS_C_SEQUENCE_FLAG | GSS_C_REPLAY_FLAG)

static gss_OID_desc krb5_oid = { 9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01"
                                            "\x02\x02" };
static gss_OID_desc ntlm_oid = { 10, (void *)"\x2b\x06\x01\x04\x01\x82\x37"
                                             "\x02\x02\x0a" };
/* gss-ntlmssp's NEGOTIATE-flags option and the value src/inner.c sets. */
static gss_OID_desc ntlm_flags_oid = {
    11, (void *)"\x2b\x06\x01\x04\x01\xb7\x7d\x85\x0f\x01\x05"
};
#define NTLM_CLIENT_FLAGS 0xa2008205u

static const char *const mechs[] = { "kerberos", "ntlm" };
static const char *const tlss[] = { "1.2", "1.3" };
static const char *const keys[] = { "rsa2048", "p256" };
#define NMECH 2
#define NTLS 2
#define NKEY 2

struct key {
    EVP_PKEY *pkey;
    X509 *cert;
    char cert_file[512], key_file[512];
    const unsigned char *spk;     /* SubjectPublicKey contents */
    size_t spk_len;
};

/* Cost of one side: CPU seconds and allocations. */
struct cost {
    double cpu;
    unsigned long allocs;
    unsigned long long bytes;
};

struct mark {
    double t;
    unsigned long a;
    unsigned long long b;
};

static struct key key_set[NKEY];
static gss_cred_id_t acc_creds[NKEY][NTLS];
static gss_cred_id_t init_creds[NMECH][NTLS];
static gss_cred_id_t inner_init[NMECH], inner_acc[NMECH];
static SSL_CTX *bare_cctx[NTLS], *bare_sctx[NKEY][NTLS];
static gss_name_t target;
static FILE *csv, *hsdat;
static int failures;

static double
cpu_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
wall_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
begin(struct mark *m)
{
    m->a = bench_allocs;
    m->b = bench_alloc_bytes;
    m->t = cpu_now();
}

static void
end(const struct mark *m, struct cost *c)
{
    c->cpu += cpu_now() - m->t;
    c->allocs += bench_allocs - m->a;
    c->bytes += bench_alloc_bytes - m->b;
}

static void
die(const char *what)
{
    fprintf(stderr, "bench: %s\n", what);
    exit(1);
}

static void
gss_die(const char *what, OM_uint32 major, OM_uint32 minor)
{
    char text[1024];

    hs_status_text(major, minor, text, sizeof(text));
    fprintf(stderr, "bench: %s: %s\n", what, text);
    exit(1);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* row: one CSV line (ours/floor may be 0 when there is none). */
static void
row(const char *section, const char *config, const char *metric,
    double ours, double floor_v, const char *target_text, const char *verdict)
{
    fprintf(csv, "%s,%s,%s,%.6g,%.6g,%.4g,%s,%s\n", section, config, metric,
            ours, floor_v, floor_v > 0 ? ours / floor_v : 0.0,
            target_text, verdict);
    fflush(csv);
}

/* ---- setup ---- */

static void
make_key(int k, const char *dir)
{
    struct key *key = &key_set[k];
    const ASN1_BIT_STRING *bits;
    FILE *f;

    key->pkey = k == 0 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
    key->cert = hs_self_signed(key->pkey);
    if (key->pkey == NULL || key->cert == NULL) {
        die("key generation");
    }
    snprintf(key->cert_file, sizeof(key->cert_file), "%s/%s-cert.pem", dir,
             keys[k]);
    snprintf(key->key_file, sizeof(key->key_file), "%s/%s-key.pem", dir,
             keys[k]);
    f = fopen(key->cert_file, "w");
    if (f == NULL || !PEM_write_X509(f, key->cert) || fclose(f) != 0) {
        die("writing the certificate");
    }
    f = fopen(key->key_file, "w");
    if (f == NULL ||
        !PEM_write_PrivateKey(f, key->pkey, NULL, NULL, 0, NULL, NULL) ||
        fclose(f) != 0) {
        die("writing the key");
    }
    bits = X509_get0_pubkey_bitstr(key->cert);
    key->spk = bits->data;
    key->spk_len = (size_t)bits->length;
}

static void
set_opt(gss_cred_id_t *cred, gss_OID oid, const char *value)
{
    gss_buffer_desc v = { strlen(value), (void *)value };
    OM_uint32 major, minor;

    major = gss_set_cred_option(&minor, cred, oid, &v);
    if (major != GSS_S_COMPLETE) {
        gss_die("gss_set_cred_option", major, minor);
    }
}

static gss_cred_id_t
credssp_acceptor(int k, int t)
{
    gss_key_value_element_desc e[3] = {
        { GSS_CREDSSP_STORE_CERT, key_set[k].cert_file },
        { GSS_CREDSSP_STORE_KEY, key_set[k].key_file },
        { "keytab", hs_env("KRB5_KTNAME") },
    };
    gss_key_value_set_desc store = { 3, e };
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    OM_uint32 major, minor;

    major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME, 0, &set,
                                  GSS_C_ACCEPT, &store, &cred, NULL, NULL);
    if (major != GSS_S_COMPLETE) {
        gss_die("CredSSP acceptor credential", major, minor);
    }
    set_opt(&cred, GSS_CREDSSP_OPT_TLS_MAX_VERSION, tlss[t]);
    return cred;
}

/* password_cred: an initiator credential for the test user with a
 * password, for mech. */
static gss_cred_id_t
password_cred(gss_OID mech)
{
    const char *user = hs_env("CREDSSP_TEST_USER");
    const char *pw = hs_env("CREDSSP_TEST_PASSWORD");
    gss_buffer_desc ubuf = { strlen(user), (void *)user };
    gss_buffer_desc pbuf = { strlen(pw), (void *)pw };
    gss_OID_set_desc set = { 1, mech };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    gss_name_t name = GSS_C_NO_NAME;
    OM_uint32 major, minor;

    major = gss_import_name(&minor, &ubuf, GSS_C_NT_USER_NAME, &name);
    if (major == GSS_S_COMPLETE) {
        major = gss_acquire_cred_with_password(&minor, name, &pbuf, 0, &set,
                                               GSS_C_INITIATE, &cred, NULL,
                                               NULL);
    }
    gss_release_name(&minor, &name);
    if (major != GSS_S_COMPLETE) {
        gss_die("initiator credential", major, minor);
    }
    return cred;
}

static gss_cred_id_t
credssp_initiator(int m, int t)
{
    gss_cred_id_t cred = password_cred(GSS_CREDSSP_MECH);

    set_opt(&cred, GSS_CREDSSP_OPT_INNER_MECH, mechs[m]);
    set_opt(&cred, GSS_CREDSSP_OPT_TLS_MAX_VERSION, tlss[t]);
    return cred;
}

static void
inner_creds(int m)
{
    gss_OID mech = m == 0 ? &krb5_oid : &ntlm_oid;
    gss_OID_set_desc set = { 1, mech };
    OM_uint32 major, minor, flags = NTLM_CLIENT_FLAGS;
    gss_buffer_desc v = { sizeof(flags), &flags };

    inner_init[m] = password_cred(mech);
    if (m == 1) {
        (void)gss_set_cred_option(&minor, &inner_init[m], &ntlm_flags_oid,
                                  &v);
    }
    major = gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &set, GSS_C_ACCEPT,
                             &inner_acc[m], NULL, NULL);
    if (major != GSS_S_COMPLETE) {
        gss_die("inner acceptor credential", major, minor);
    }
}

/* bare_ctx: an SSL_CTX with the options src/tls.c sets, but for
 * SSL_OP_CLEANSE_PLAINTEXT and SSL_MODE_RELEASE_BUFFERS (bare_wiping sets
 * those for its rows). */
static SSL_CTX *
bare_ctx(bool server, int t, int k)
{
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method()
                                      : TLS_client_method());

    if (ctx == NULL) {
        die("SSL_CTX_new");
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET |
                                 SSL_OP_NO_RENEGOTIATION |
                                 SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, t == 0 ? TLS1_2_VERSION
                                              : TLS1_3_VERSION);
    if (server) {
        SSL_CTX_set_num_tickets(ctx, 0);
        if (SSL_CTX_use_certificate(ctx, key_set[k].cert) != 1 ||
            SSL_CTX_use_PrivateKey(ctx, key_set[k].pkey) != 1) {
            die("bare server certificate");
        }
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    return ctx;
}

/* ---- one handshake of ours ---- */

static int
credssp_handshake(gss_cred_id_t icred, gss_cred_id_t acred,
                  struct cost *ic, struct cost *ac, int *legs)
{
    gss_ctx_id_t ictx = GSS_C_NO_CONTEXT, actx = GSS_C_NO_CONTEXT;
    gss_buffer_desc c2s = { 0, NULL }, s2c = { 0, NULL };
    gss_buffer_desc framed = { 0, NULL };
    OM_uint32 imaj, amaj = GSS_S_CONTINUE_NEEDED, minor, tmp;
    gss_name_t src = GSS_C_NO_NAME;
    struct mark mk;
    bool first = true;
    int guard, rc = -1;

    *legs = 0;
    for (guard = 0; guard < 32; guard++) {
        begin(&mk);
        imaj = gss_init_sec_context(&minor, icred, &ictx, target,
                                    GSS_CREDSSP_MECH,
                                    GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG, 0,
                                    GSS_C_NO_CHANNEL_BINDINGS, &s2c, NULL,
                                    &c2s, NULL, NULL);
        gss_release_buffer(&tmp, &s2c);
        end(&mk, ic);
        if (GSS_ERROR(imaj)) {
            gss_die("gss_init_sec_context", imaj, minor);
        }
        if (c2s.length == 0) {
            break;
        }
        (*legs)++;
        if (amaj != GSS_S_CONTINUE_NEEDED) {
            break;
        }
        begin(&mk);
        if (first &&
            gss_credssp_frame_token(&minor, &c2s, &framed) !=
                GSS_S_COMPLETE) {
            die("framing");
        }
        amaj = gss_accept_sec_context(&minor, &actx, acred,
                                      first ? &framed : &c2s,
                                      GSS_C_NO_CHANNEL_BINDINGS, &src, NULL,
                                      &s2c, NULL, NULL, NULL);
        first = false;
        gss_release_buffer(&tmp, &framed);
        gss_release_buffer(&tmp, &c2s);
        end(&mk, ac);
        if (GSS_ERROR(amaj)) {
            gss_die("gss_accept_sec_context", amaj, minor);
        }
        if (s2c.length > 0) {
            (*legs)++;
        }
        if (imaj == GSS_S_COMPLETE) {
            break;
        }
    }
    if (imaj == GSS_S_COMPLETE && amaj == GSS_S_COMPLETE) {
        rc = 0;
    }
    gss_release_buffer(&tmp, &c2s);
    gss_release_buffer(&tmp, &s2c);
    begin(&mk);
    gss_delete_sec_context(&tmp, &ictx, GSS_C_NO_BUFFER);
    end(&mk, ic);
    begin(&mk);
    gss_delete_sec_context(&tmp, &actx, GSS_C_NO_BUFFER);
    gss_release_name(&tmp, &src);
    end(&mk, ac);
    return rc;
}

/* ---- the floor ---- */

/* move: what one side's write BIO holds goes into the other's read BIO;
 * reading is the sender's cost, writing the receiver's. */
static void
move(BIO *from, BIO *to, struct cost *sender, struct cost *receiver)
{
    static unsigned char buf[65536];
    struct mark mk;
    int n;

    for (;;) {
        begin(&mk);
        n = BIO_read(from, buf, sizeof(buf));
        end(&mk, sender);
        if (n <= 0) {
            break;
        }
        begin(&mk);
        BIO_write(to, buf, n);
        end(&mk, receiver);
    }
}

static SSL *
bare_ssl(SSL_CTX *ctx, bool server, BIO **rbio, BIO **wbio)
{
    SSL *ssl = SSL_new(ctx);

    *rbio = BIO_new(BIO_s_mem());
    *wbio = BIO_new(BIO_s_mem());
    if (ssl == NULL || *rbio == NULL || *wbio == NULL) {
        die("SSL_new");
    }
    BIO_set_mem_eof_return(*rbio, -1);
    SSL_set_bio(ssl, *rbio, *wbio);
    if (server) {
        SSL_set_accept_state(ssl);
    } else {
        SSL_set_connect_state(ssl);
        SSL_set_tlsext_host_name(ssl, "localhost");
    }
    return ssl;
}

/* bare_tls: one OpenSSL handshake; the cipher name into cipher (or only
 * the handshake when cipher is NULL). With keep, the pair stays. */
static void
bare_tls(int k, int t, struct cost *ic, struct cost *ac, char *cipher,
         size_t cipher_len, SSL **keep_c, SSL **keep_s)
{
    BIO *cr, *cw, *sr, *sw;
    SSL *c, *s;
    struct mark mk;
    int cdone = 0, sdone = 0, guard;

    begin(&mk);
    c = bare_ssl(bare_cctx[t], false, &cr, &cw);
    end(&mk, ic);
    begin(&mk);
    s = bare_ssl(bare_sctx[k][t], true, &sr, &sw);
    end(&mk, ac);
    for (guard = 0; guard < 16 && !(cdone && sdone); guard++) {
        begin(&mk);
        cdone = SSL_do_handshake(c) == 1;
        end(&mk, ic);
        move(cw, sr, ic, ac);
        begin(&mk);
        sdone = SSL_do_handshake(s) == 1;
        end(&mk, ac);
        move(sw, cr, ac, ic);
    }
    if (!(cdone && sdone)) {
        die("bare TLS handshake");
    }
    if (cipher != NULL) {
        snprintf(cipher, cipher_len, "%s %s", SSL_get_version(s),
                 SSL_get_cipher_name(s));
    }
    if (keep_c != NULL) {
        *keep_c = c;
        *keep_s = s;
        return;
    }
    begin(&mk);
    SSL_free(c);
    end(&mk, ic);
    begin(&mk);
    SSL_free(s);
    end(&mk, ac);
}

static void
sha256_3(const char *magic, size_t magic_len, const unsigned char *nonce,
         const unsigned char *spk, size_t spk_len, unsigned char out[32])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int n = 32;

    if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(md, magic, magic_len) != 1 ||
        EVP_DigestUpdate(md, nonce, 32) != 1 ||
        EVP_DigestUpdate(md, spk, spk_len) != 1 ||
        EVP_DigestFinal_ex(md, out, &n) != 1) {
        die("SHA-256");
    }
    EVP_MD_CTX_free(md);
}

static void
wrap_or_die(gss_ctx_id_t ctx, const void *data, size_t len,
            gss_buffer_t out)
{
    gss_buffer_desc in = { len, (void *)data };
    OM_uint32 major, minor;

    major = gss_wrap(&minor, ctx, 1, GSS_C_QOP_DEFAULT, &in, NULL, out);
    if (major != GSS_S_COMPLETE) {
        gss_die("inner gss_wrap", major, minor);
    }
}

static void
unwrap_or_die(gss_ctx_id_t ctx, gss_buffer_t in, gss_buffer_t out)
{
    OM_uint32 major, minor;

    major = gss_unwrap(&minor, ctx, in, out, NULL, NULL);
    if (major != GSS_S_COMPLETE) {
        gss_die("inner gss_unwrap", major, minor);
    }
}

#define C2S_MAGIC "CredSSP Client-To-Server Binding Hash"
#define S2C_MAGIC "CredSSP Server-To-Client Binding Hash"

/* pubkeyauth: the hashes and wraps of [MS-CSSP] 3.1.5 (v5/v6) and the
 * authInfo wrap, on an established inner pair. */
static void
pubkeyauth(gss_ctx_id_t ictx, gss_ctx_id_t actx, const struct key *key,
           struct cost *ic, struct cost *ac)
{
    unsigned char nonce[32], h[32], h2[32];
    /* An empty TSCredentials/TSPasswordCreds is this size in DER. */
    static const unsigned char creds[22] = { 0x30, 0x14 };
    gss_buffer_desc tok = { 0, NULL }, plain = { 0, NULL };
    OM_uint32 tmp;
    struct mark mk;

    begin(&mk);
    if (RAND_bytes(nonce, sizeof(nonce)) != 1) {
        die("RAND_bytes");
    }
    sha256_3(C2S_MAGIC, sizeof(C2S_MAGIC), nonce, key->spk, key->spk_len, h);
    wrap_or_die(ictx, h, sizeof(h), &tok);
    end(&mk, ic);

    begin(&mk);
    unwrap_or_die(actx, &tok, &plain);
    gss_release_buffer(&tmp, &tok);
    sha256_3(C2S_MAGIC, sizeof(C2S_MAGIC), nonce, key->spk, key->spk_len,
             h2);
    if (plain.length != 32 || CRYPTO_memcmp(plain.value, h2, 32) != 0) {
        die("pubKeyAuth floor: client hash");
    }
    gss_release_buffer(&tmp, &plain);
    sha256_3(S2C_MAGIC, sizeof(S2C_MAGIC), nonce, key->spk, key->spk_len, h);
    wrap_or_die(actx, h, sizeof(h), &tok);
    end(&mk, ac);

    begin(&mk);
    unwrap_or_die(ictx, &tok, &plain);
    gss_release_buffer(&tmp, &tok);
    sha256_3(S2C_MAGIC, sizeof(S2C_MAGIC), nonce, key->spk, key->spk_len,
             h2);
    if (plain.length != 32 || CRYPTO_memcmp(plain.value, h2, 32) != 0) {
        die("pubKeyAuth floor: server hash");
    }
    gss_release_buffer(&tmp, &plain);
    wrap_or_die(ictx, creds, sizeof(creds), &tok);
    end(&mk, ic);

    begin(&mk);
    unwrap_or_die(actx, &tok, &plain);
    gss_release_buffer(&tmp, &tok);
    gss_release_buffer(&tmp, &plain);
    end(&mk, ac);
}

/* bare_inner: one inner handshake through the mechglue plus the
 * pubKeyAuth work on it. */
static void
bare_inner(int m, const struct key *key, struct cost *ic, struct cost *ac)
{
    gss_ctx_id_t ictx = GSS_C_NO_CONTEXT, actx = GSS_C_NO_CONTEXT;
    gss_buffer_desc c2s = { 0, NULL }, s2c = { 0, NULL };
    OM_uint32 imaj, amaj = GSS_S_CONTINUE_NEEDED, minor, tmp;
    gss_name_t src = GSS_C_NO_NAME;
    struct mark mk;
    int guard;

    for (guard = 0; guard < 16; guard++) {
        begin(&mk);
        imaj = gss_init_sec_context(&minor, inner_init[m], &ictx, target,
                                    m == 0 ? &krb5_oid : &ntlm_oid,
                                    INNER_FLAGS, 0,
                                    GSS_C_NO_CHANNEL_BINDINGS, &s2c, NULL,
                                    &c2s, NULL, NULL);
        gss_release_buffer(&tmp, &s2c);
        end(&mk, ic);
        if (GSS_ERROR(imaj)) {
            gss_die("bare inner init", imaj, minor);
        }
        if (c2s.length == 0 || amaj == GSS_S_COMPLETE) {
            break;
        }
        begin(&mk);
        amaj = gss_accept_sec_context(&minor, &actx, inner_acc[m], &c2s,
                                      GSS_C_NO_CHANNEL_BINDINGS, &src, NULL,
                                      &s2c, NULL, NULL, NULL);
        gss_release_buffer(&tmp, &c2s);
        end(&mk, ac);
        if (GSS_ERROR(amaj)) {
            gss_die("bare inner accept", amaj, minor);
        }
        if (imaj == GSS_S_COMPLETE) {
            break;
        }
    }
    gss_release_buffer(&tmp, &c2s);
    gss_release_buffer(&tmp, &s2c);
    if (imaj != GSS_S_COMPLETE || amaj != GSS_S_COMPLETE) {
        die("bare inner handshake did not complete");
    }
    pubkeyauth(ictx, actx, key, ic, ac);
    begin(&mk);
    gss_delete_sec_context(&tmp, &ictx, GSS_C_NO_BUFFER);
    end(&mk, ic);
    begin(&mk);
    gss_delete_sec_context(&tmp, &actx, GSS_C_NO_BUFFER);
    gss_release_name(&tmp, &src);
    end(&mk, ac);
}

/* ---- handshake cost ---- */

struct hs_numbers {
    double ours_i, ours_a, floor_i, floor_a, rate;
    double tls_i, tls_a, inner_i, inner_a;
    struct cost count_i, count_a, fcount_i, fcount_a;
    long faults, ffaults;   /* minor page faults, both sides */
};

/* minor_faults: the page faults this thread has taken (a heap that grows
 * faults its new pages in). */
static long
minor_faults(void)
{
    struct rusage ru;

    return getrusage(RUSAGE_THREAD, &ru) == 0 ? ru.ru_minflt : 0;
}

static void
measure_handshakes(int m, int t, int k, struct hs_numbers *out)
{
    double oi[ROUNDS], oa[ROUNDS], fi[ROUNDS], fa[ROUNDS], rate[ROUNDS];
    double ti[ROUNDS], ta[ROUNDS], ii[ROUNDS], ia[ROUNDS];
    struct cost ci, ca, tci, tca, ici, ica;
    int r, i, legs;
    double w;

    for (r = 0; r < ROUNDS; r++) {
        memset(&ci, 0, sizeof(ci));
        memset(&ca, 0, sizeof(ca));
        w = wall_now();
        for (i = 0; i < BATCH; i++) {
            if (credssp_handshake(init_creds[m][t], acc_creds[k][t], &ci,
                                  &ca, &legs) != 0) {
                die("handshake failed");
            }
        }
        w = wall_now() - w;
        oi[r] = ci.cpu / BATCH;
        oa[r] = ca.cpu / BATCH;
        rate[r] = BATCH / w;
        memset(&tci, 0, sizeof(tci));
        memset(&tca, 0, sizeof(tca));
        memset(&ici, 0, sizeof(ici));
        memset(&ica, 0, sizeof(ica));
        for (i = 0; i < BATCH; i++) {
            bare_tls(k, t, &tci, &tca, NULL, 0, NULL, NULL);
            bare_inner(m, &key_set[k], &ici, &ica);
        }
        ti[r] = tci.cpu / BATCH;
        ta[r] = tca.cpu / BATCH;
        ii[r] = ici.cpu / BATCH;
        ia[r] = ica.cpu / BATCH;
        fi[r] = ti[r] + ii[r];
        fa[r] = ta[r] + ia[r];
    }
    out->ours_i = median(oi, ROUNDS);
    out->ours_a = median(oa, ROUNDS);
    out->floor_i = median(fi, ROUNDS);
    out->floor_a = median(fa, ROUNDS);
    out->rate = median(rate, ROUNDS);
    out->tls_i = median(ti, ROUNDS);
    out->tls_a = median(ta, ROUNDS);
    out->inner_i = median(ii, ROUNDS);
    out->inner_a = median(ia, ROUNDS);

    /* Allocations and page faults, counted apart (counting costs a little
     * time). */
    memset(&out->count_i, 0, sizeof(struct cost) * 4);
    out->faults = out->ffaults = 0;
    bench_counting = 1;
    for (i = 0; i < COUNT_RUNS; i++) {
        long f0 = minor_faults();

        if (credssp_handshake(init_creds[m][t], acc_creds[k][t],
                              &out->count_i, &out->count_a, &legs) != 0) {
            die("handshake failed");
        }
        out->faults += minor_faults() - f0;
        f0 = minor_faults();
        bare_tls(k, t, &out->fcount_i, &out->fcount_a, NULL, 0, NULL, NULL);
        bare_inner(m, &key_set[k], &out->fcount_i, &out->fcount_a);
        out->ffaults += minor_faults() - f0;
    }
    bench_counting = 0;
}

static const char *
verdict(bool holds)
{
    return holds ? "holds" : "MISSED";
}

static void
handshake_section(void)
{
    int m, t, k;

    printf("\n== Handshake cost (CPU us per handshake, median of %d batches "
           "of %d; floor = bare TLS + bare inner + pubKeyAuth work)\n",
           ROUNDS, BATCH);
    printf("%-24s %9s %9s %9s %9s %6s %7s %7s %5s %5s %11s %11s\n", "config", "ours-ini", "ours-acc", "floor-ini", "floor-acc",
           "ratio", "target", "hs/s", "legs", "min", "bytes c>s", "bytes s>c");
    for (m = 0; m < NMECH; m++) {
        for (t = 0; t < NTLS; t++) {
            for (k = 0; k < NKEY; k++) {
                struct hs_opts o = { 0 };
                struct hs_result r;
                struct hs_numbers n;
                char config[64], bare_cipher[96], ours_cipher[96];
                double ours, fl;
                int minimum = t == 0 ? 9 : 7;

                snprintf(config, sizeof(config), "%s/TLS%s/%s", mechs[m],
                         tlss[t], keys[k]);
                /* Warm up (Kerberos: the service ticket gets cached) and
                 * read legs and bytes through the tests' helper. */
                o.init_cred = init_creds[m][t];
                o.acc_cred = acc_creds[k][t];
                if (hs_run(&o, &r) != 0 || hs_run(&o, &r) != 0) {
                    fprintf(stderr, "%s: %s | %s\n", config, r.init_error,
                            r.acc_error);
                    die("warm-up handshake failed");
                }
                if (strcmp(r.inner_mech, mechs[m]) != 0) {
                    die("inner mech is not the one asked for");
                }
                snprintf(ours_cipher, sizeof(ours_cipher), "%s %s",
                         r.tls_version, r.cipher);
                bare_tls(k, t, &(struct cost){ 0 }, &(struct cost){ 0 },
                         bare_cipher, sizeof(bare_cipher), NULL, NULL);
                if (strcmp(ours_cipher, bare_cipher) != 0) {
                    fprintf(stderr, "%s: ours %s, bare %s\n", config,
                            ours_cipher, bare_cipher);
                    die("the floor's TLS is not ours");
                }
                measure_handshakes(m, t, k, &n);
                ours = n.ours_i + n.ours_a;
                fl = n.floor_i + n.floor_a;
                printf("%-24s %9.0f %9.0f %9.0f %9.0f %6.3f %7s %7.0f %5d "
                       "%5d %11zu %11zu\n",
                       config, n.ours_i * 1e6, n.ours_a * 1e6,
                       n.floor_i * 1e6, n.floor_a * 1e6, ours / fl, "<=1.10",
                       n.rate, r.legs, minimum, r.bytes_c2s, r.bytes_s2c);
                printf("%-24s   cipher %s; floor parts us: TLS %.0f/%.0f, "
                       "inner+pubKeyAuth %.0f/%.0f\n", "", ours_cipher,
                       n.tls_i * 1e6, n.tls_a * 1e6, n.inner_i * 1e6,
                       n.inner_a * 1e6);
                printf("%-24s   allocations per handshake ini/acc: ours "
                       "%lu/%lu (%llu/%llu bytes), floor %lu/%lu "
                       "(%llu/%llu bytes)\n", "",
                       n.count_i.allocs / COUNT_RUNS,
                       n.count_a.allocs / COUNT_RUNS,
                       n.count_i.bytes / COUNT_RUNS,
                       n.count_a.bytes / COUNT_RUNS,
                       n.fcount_i.allocs / COUNT_RUNS,
                       n.fcount_a.allocs / COUNT_RUNS,
                       n.fcount_i.bytes / COUNT_RUNS,
                       n.fcount_a.bytes / COUNT_RUNS);
                printf("%-24s   page faults per handshake: ours %.1f, "
                       "floor %.1f\n", "", (double)n.faults / COUNT_RUNS,
                       (double)n.ffaults / COUNT_RUNS);
                fflush(stdout);
                fprintf(hsdat, "\"%s\" %.1f %.1f %.1f %.1f\n", config,
                        n.ours_i * 1e6, n.ours_a * 1e6, n.floor_i * 1e6,
                        n.floor_a * 1e6);
                row("handshake", config, "cpu_us_initiator", n.ours_i * 1e6,
                    n.floor_i * 1e6, "", "");
                row("handshake", config, "cpu_us_acceptor", n.ours_a * 1e6,
                    n.floor_a * 1e6, "", "");
                row("handshake", config, "cpu_us_total", ours * 1e6,
                    fl * 1e6, "<=1.10x floor", verdict(ours <= 1.10 * fl));
                row("handshake", config, "floor_tls_us_ini_acc",
                    n.tls_i * 1e6, n.tls_a * 1e6, "", "");
                row("handshake", config, "floor_inner_pka_us_ini_acc",
                    n.inner_i * 1e6, n.inner_a * 1e6, "", "");
                row("handshake", config, "handshakes_per_s", n.rate, 0, "",
                    "");
                row("legs", config, "tokens", r.legs, minimum,
                    "= minimum", verdict(r.legs <= minimum));
                row("legs", config, "bytes_c2s", (double)r.bytes_c2s, 0, "",
                    "");
                row("legs", config, "bytes_s2c", (double)r.bytes_s2c, 0, "",
                    "");
                row("alloc", config, "allocs_initiator",
                    (double)n.count_i.allocs / COUNT_RUNS,
                    (double)n.fcount_i.allocs / COUNT_RUNS, "", "");
                row("alloc", config, "allocs_acceptor",
                    (double)n.count_a.allocs / COUNT_RUNS,
                    (double)n.fcount_a.allocs / COUNT_RUNS, "", "");
                row("alloc", config, "alloc_bytes_initiator",
                    (double)n.count_i.bytes / COUNT_RUNS,
                    (double)n.fcount_i.bytes / COUNT_RUNS, "", "");
                row("alloc", config, "alloc_bytes_acceptor",
                    (double)n.count_a.bytes / COUNT_RUNS,
                    (double)n.fcount_a.bytes / COUNT_RUNS, "", "");
                row("alloc", config, "page_faults",
                    (double)n.faults / COUNT_RUNS,
                    (double)n.ffaults / COUNT_RUNS, "", "");
                if (ours > 1.10 * fl) {
                    failures++;
                }
            }
        }
    }
}

/* ---- message protection ---- */

/* ours_loop: total bytes through gss_wrap on the initiator and gss_unwrap
 * on the acceptor in messages of size (split by gss_wrap_size_limit);
 * returns CPU seconds.  what names the variant when a call fails. */
static inline double
ours_loop(gss_ctx_id_t ictx, gss_ctx_id_t actx, unsigned char *msg,
          size_t size, size_t total, const char *what)
{
    gss_buffer_desc in, tok, out;
    OM_uint32 major, minor, tmp, limit;
    size_t done, off;
    double t0 = cpu_now();

    major = gss_wrap_size_limit(&minor, ictx, 1, GSS_C_QOP_DEFAULT, 1u << 20,
                                &limit);
    if (major != GSS_S_COMPLETE) {
        gss_die("gss_wrap_size_limit", major, minor);
    }
    for (done = 0; done < total; done += size) {
        for (off = 0; off < size; off += in.length) {
            in.value = msg + off;
            in.length = size - off < limit ? size - off : limit;
            major = gss_wrap(&minor, ictx, 1, GSS_C_QOP_DEFAULT, &in, NULL,
                             &tok);
            if (major != GSS_S_COMPLETE) {
                gss_die(what, major, minor);
            }
            major = gss_unwrap(&minor, actx, &tok, &out, NULL, NULL);
            if (major != GSS_S_COMPLETE || out.length != in.length) {
                gss_die(what, major, minor);
            }
            gss_release_buffer(&tmp, &tok);
            gss_release_buffer(&tmp, &out);
        }
    }
    return cpu_now() - t0;
}

/* ours_wrap: ours_loop on the default contexts; ours_keep: on contexts
 * whose credentials set tls_keep_buffers.  Never inlined, so that
 * callgrind can collect each alone (--toggle-collect=ours_wrap;
 * doc/performance.md). */
static __attribute__((noinline)) double
ours_wrap(gss_ctx_id_t ictx, gss_ctx_id_t actx, unsigned char *msg,
          size_t size, size_t total)
{
    return ours_loop(ictx, actx, msg, size, total, "gss_wrap/gss_unwrap");
}

static __attribute__((noinline)) double
ours_keep(gss_ctx_id_t ictx, gss_ctx_id_t actx, unsigned char *msg,
          size_t size, size_t total)
{
    return ours_loop(ictx, actx, msg, size, total,
                     "gss_wrap/gss_unwrap, tls_keep_buffers");
}

/* ours_iov: as ours_wrap, by gss_wrap_iov into one buffer laid out as
 * the record (HEADER | DATA | TRAILER, sizes from gss_wrap_iov_length),
 * then gss_unwrap_iov in place on the same three buffers, or (stream)
 * on the whole record as one STREAM buffer.  Never inlined, as
 * ours_wrap. */
static __attribute__((noinline)) double
ours_iov(gss_ctx_id_t ictx, gss_ctx_id_t actx, unsigned char *msg,
         unsigned char *rec, size_t size, size_t total, bool stream)
{
    gss_iov_buffer_desc iov[3], siov[2];
    OM_uint32 major, minor, limit;
    size_t done, off, len, h, t;
    double t0;

    major = gss_wrap_size_limit(&minor, ictx, 1, GSS_C_QOP_DEFAULT, 1u << 20,
                                &limit);
    if (major != GSS_S_COMPLETE) {
        gss_die("gss_wrap_size_limit", major, minor);
    }
    memset(iov, 0, sizeof(iov));
    iov[0].type = GSS_IOV_BUFFER_TYPE_HEADER;
    iov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
    iov[2].type = GSS_IOV_BUFFER_TYPE_TRAILER;
    iov[1].buffer.length = size < limit ? size : limit;
    major = gss_wrap_iov_length(&minor, ictx, 1, GSS_C_QOP_DEFAULT, NULL, iov,
                                3);
    if (major != GSS_S_COMPLETE) {
        gss_die("gss_wrap_iov_length", major, minor);
    }
    h = iov[0].buffer.length;
    t = iov[2].buffer.length;
    /* The message is sealed where it lies, as an IOV caller's is; each
     * unwrap leaves plaintext there again, the next message. */
    memcpy(rec + h, msg, iov[1].buffer.length);
    t0 = cpu_now();
    for (done = 0; done < total; done += size) {
        for (off = 0; off < size; off += len) {
            len = size - off < limit ? size - off : limit;
            iov[0].buffer.value = rec;
            iov[0].buffer.length = h;
            iov[1].buffer.value = rec + h;
            iov[1].buffer.length = len;
            iov[2].buffer.value = rec + h + len;
            iov[2].buffer.length = t;
            major = gss_wrap_iov(&minor, ictx, 1, GSS_C_QOP_DEFAULT, NULL,
                                 iov, 3);
            if (major != GSS_S_COMPLETE) {
                gss_die("gss_wrap_iov", major, minor);
            }
            if (stream) {
                siov[0].type = GSS_IOV_BUFFER_TYPE_STREAM;
                siov[0].buffer.value = rec;
                siov[0].buffer.length = iov[0].buffer.length + len +
                                        iov[2].buffer.length;
                siov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
                siov[1].buffer.value = NULL;
                siov[1].buffer.length = 0;
                major = gss_unwrap_iov(&minor, actx, NULL, NULL, siov, 2);
                if (major != GSS_S_COMPLETE || siov[1].buffer.length != len) {
                    gss_die("gss_unwrap_iov (STREAM)", major, minor);
                }
            } else {
                major = gss_unwrap_iov(&minor, actx, NULL, NULL, iov, 3);
                if (major != GSS_S_COMPLETE) {
                    gss_die("gss_unwrap_iov", major, minor);
                }
            }
        }
    }
    return cpu_now() - t0;
}

/* bare_loop: the same bytes with SSL_write on the client, the records
 * moved between memory BIOs, and SSL_read on the server. */
static inline double
bare_loop(SSL *c, SSL *s, unsigned char *msg, unsigned char *buf,
          size_t size, size_t total)
{
    BIO *cw = SSL_get_wbio(c), *sr = SSL_get_rbio(s);
    static unsigned char rec[65536];
    size_t done, got;
    double t0 = cpu_now();
    int n;

    for (done = 0; done < total; done += size) {
        if (SSL_write(c, msg, (int)size) != (int)size) {
            die("SSL_write");
        }
        while ((n = BIO_read(cw, rec, sizeof(rec))) > 0) {
            BIO_write(sr, rec, n);
        }
        for (got = 0; got < size; got += (size_t)n) {
            n = SSL_read(s, buf, (int)(size - got));
            if (n <= 0) {
                die("SSL_read");
            }
        }
    }
    return cpu_now() - t0;
}

/* bare_wrap: bare_loop on the bare pair.  Never inlined, as ours_wrap,
 * so that callgrind can collect it alone. */
static __attribute__((noinline)) double
bare_wrap(SSL *c, SSL *s, unsigned char *msg, unsigned char *buf,
          size_t size, size_t total)
{
    return bare_loop(c, s, msg, buf, size, total);
}

/* bare_wiping: bare_loop on a pair set as src/tls.c sets ours: SSL_read
 * wipes the plaintext it hands out, and the record buffers go after
 * each record. */
static __attribute__((noinline)) double
bare_wiping(SSL *c, SSL *s, unsigned char *msg, unsigned char *buf,
            size_t size, size_t total)
{
    SSL_set_options(c, SSL_OP_CLEANSE_PLAINTEXT);
    SSL_set_options(s, SSL_OP_CLEANSE_PLAINTEXT);
    SSL_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
    SSL_set_mode(s, SSL_MODE_RELEASE_BUFFERS);
    return bare_loop(c, s, msg, buf, size, total);
}

/* ---- the mechglue's own cost per call ---- */

static gss_OID_desc noop_oid = { sizeof(NOOP_MECH_OID_STRING) - 1,
                                 (void *)NOOP_MECH_OID_STRING };

/* add_noop_mech: a GSS_MECH_CONFIG that also lists the baseline module
 * (tests/bench/noop_mech.c), before the mechglue reads it (the first GSS
 * call). */
static void
add_noop_mech(void)
{
    const char *module = getenv("NOOP_MECH_MODULE");
    const char *conf = hs_env("GSS_MECH_CONFIG");
    char path[600], line[1024];
    FILE *in, *out;

    if (module == NULL || *module == '\0') {
        die("NOOP_MECH_MODULE is not set (make bench sets it)");
    }
    snprintf(path, sizeof(path), "%s/bench-mech.conf",
             hs_env("CREDSSP_TEST_DIR"));
    in = fopen(conf, "r");
    out = fopen(path, "w");
    if (in == NULL || out == NULL) {
        die("writing the bench's GSS_MECH_CONFIG");
    }
    while (fgets(line, sizeof(line), in) != NULL) {
        fputs(line, out);
    }
    fprintf(out, "bench_noop %s %s\n", NOOP_MECH_OID_DOTTED, module);
    fclose(in);
    if (fclose(out) != 0 || setenv("GSS_MECH_CONFIG", path, 1) != 0) {
        die("writing the bench's GSS_MECH_CONFIG");
    }
}

/* noop_glue: n messages of size through gss_wrap and gss_unwrap on the
 * baseline module's contexts, by the mechglue; noop_direct: the copies
 * that module makes, made here.  Never inlined (callgrind). */
static __attribute__((noinline)) double
noop_glue(gss_ctx_id_t ictx, gss_ctx_id_t actx, unsigned char *msg,
          size_t size, size_t n)
{
    gss_buffer_desc in = { size, msg }, tok, out;
    OM_uint32 minor, tmp;
    double t0 = cpu_now();
    size_t i;

    for (i = 0; i < n; i++) {
        if (gss_wrap(&minor, ictx, 1, GSS_C_QOP_DEFAULT, &in, NULL, &tok) !=
                GSS_S_COMPLETE ||
            gss_unwrap(&minor, actx, &tok, &out, NULL, NULL) !=
                GSS_S_COMPLETE) {
            die("gss_wrap/gss_unwrap on the baseline module");
        }
        gss_release_buffer(&tmp, &tok);
        gss_release_buffer(&tmp, &out);
    }
    return cpu_now() - t0;
}

static __attribute__((noinline)) double
noop_direct(unsigned char *msg, size_t size, size_t n)
{
    double t0 = cpu_now();
    unsigned char *tok, *out;
    size_t i;

    for (i = 0; i < n; i++) {
        tok = malloc(size);
        if (tok == NULL) {
            die("malloc");
        }
        memcpy(tok, msg, size);
        out = malloc(size);
        if (out == NULL) {
            die("malloc");
        }
        memcpy(out, tok, size);
        /* Keep the copies from being optimised away. */
        __asm__ volatile("" : : "r"(out) : "memory");
        free(tok);
        free(out);
    }
    return cpu_now() - t0;
}

/* mechglue_row: the mechglue's fixed cost per gss_wrap + gss_unwrap pair
 * (with the two gss_release_buffer calls), measured on the baseline
 * module, next to what one 1 KiB message costs ours and bare TLS (ns of
 * CPU per message, from the table above). */
static void
mechglue_row(unsigned char *msg, size_t n, double ours_ns, double bare_ns)
{
    gss_ctx_id_t ictx = GSS_C_NO_CONTEXT, actx = GSS_C_NO_CONTEXT;
    gss_buffer_desc tok = { 0, NULL }, none = { 0, NULL };
    double g[ROUNDS], d[ROUNDS], mg, md, glue;
    OM_uint32 major, minor, tmp;
    int r;

    major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &ictx, target,
                                 &noop_oid, GSS_C_CONF_FLAG, 0,
                                 GSS_C_NO_CHANNEL_BINDINGS, &none, NULL,
                                 &tok, NULL, NULL);
    if (major != GSS_S_COMPLETE) {
        gss_die("gss_init_sec_context on the baseline module", major, minor);
    }
    major = gss_accept_sec_context(&minor, &actx, GSS_C_NO_CREDENTIAL, &tok,
                                   GSS_C_NO_CHANNEL_BINDINGS, NULL, NULL,
                                   &none, NULL, NULL, NULL);
    gss_release_buffer(&tmp, &tok);
    if (major != GSS_S_COMPLETE) {
        gss_die("gss_accept_sec_context on the baseline module", major,
                minor);
    }
    for (r = 0; r < ROUNDS; r++) {
        g[r] = noop_glue(ictx, actx, msg, 1024, n) / n * 1e9;
        d[r] = noop_direct(msg, 1024, n) / n * 1e9;
    }
    mg = median(g, ROUNDS);
    md = median(d, ROUNDS);
    glue = mg - md;
    printf("%-24s %10.0f %10.0f %7.2f   (the mechglue's fixed cost: %.0f "
           "ns per pair, %.1f %% of ours at TLS1.2/1KiB; without it that "
           "ratio would be %.2f)\n",
           "mechglue ns/pair", mg, md, mg / md, glue,
           100 * glue / ours_ns, bare_ns / (ours_ns - glue));
    row("wrap", "mechglue", "ns_per_pair", mg, md, "", "");
    gss_delete_sec_context(&tmp, &ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&tmp, &actx, GSS_C_NO_BUFFER);
}

/* iov_rows: an IOV variant against gss_wrap + gss_unwrap (target: at
 * least as fast). */
static void
iov_rows(const char *config, const char *how, double mi, double mo)
{
    char name[96];

    snprintf(name, sizeof(name), "%s %s", config, how);
    printf("%-24s %10.0f %10.0f %7.2f %8s\n", name, mi, mo, mi / mo,
           ">=1.00");
    row("wrap_iov", name, "MB_per_s", mi, mo, ">=1.00x gss_wrap",
        verdict(mi >= mo));
    if (mi < mo) {
        failures++;
    }
}

static void
wrap_section(FILE *dat)
{
    static const size_t sizes[] = { 1024, 16384, 1u << 20 };
    unsigned char *msg = malloc(1u << 20), *buf = malloc(1u << 20);
    /* BENCH_WRAP_BYTES and BENCH_WRAP_SIZE make the section small enough
     * for callgrind (doc/performance.md); make bench sets neither. */
    const char *env_bytes = getenv("BENCH_WRAP_BYTES");
    const char *env_size = getenv("BENCH_WRAP_SIZE");
    size_t total = env_bytes != NULL ? strtoul(env_bytes, NULL, 10)
                                     : WRAP_BYTES;
    size_t only = env_size != NULL ? strtoul(env_size, NULL, 10) : 0;
    double ours1k = 0, bare1k = 0;
    int t, z, r;

    if (msg == NULL || buf == NULL || RAND_bytes(msg, 1 << 20) != 1) {
        die("wrap buffers");
    }
    printf("\n== Message protection (gss_wrap + gss_unwrap vs SSL_write + "
           "SSL_read over memory BIOs; MB/s of payload, CPU time, median of "
           "%d)\n", ROUNDS);
    printf("%-24s %10s %10s %7s %8s\n", "config", "ours", "bare TLS",
           "ratio", "target");
    printf("(the wiping rows: against bare TLS set as ours is, with "
           "SSL_OP_CLEANSE_PLAINTEXT and SSL_MODE_RELEASE_BUFFERS; no "
           "target)\n");
    printf("(the keep rows: ours with tls_keep_buffers = yes against bare "
           "TLS; no target)\n");
    printf("(the wrap_iov and STREAM rows: gss_wrap_iov + gss_unwrap_iov, in "
           "place or on a STREAM buffer, in the first column against "
           "gss_wrap + gss_unwrap in the second)\n");
    printf("(the mechglue row: CPU ns per 1 KiB gss_wrap + gss_unwrap pair "
           "on a baseline module that only copies, through the mechglue, "
           "against the same copies made directly)\n");
    for (t = 0; t < NTLS; t++) {
        struct hs_opts o = { 0 };
        struct hs_result res, kres;
        gss_cred_id_t kinit = credssp_initiator(1, t);
        gss_cred_id_t kacc = credssp_acceptor(0, t);
        OM_uint32 tmp;
        SSL *c, *s, *cw, *sw;

        o.init_cred = init_creds[1][t];
        o.acc_cred = acc_creds[0][t];
        o.keep_ctx = true;
        if (hs_run(&o, &res) != 0) {
            die("handshake for wrap");
        }
        set_opt(&kinit, GSS_CREDSSP_OPT_STORE_KEY,
                GSS_CREDSSP_STORE_TLS_KEEP_BUFFERS "=yes");
        set_opt(&kacc, GSS_CREDSSP_OPT_STORE_KEY,
                GSS_CREDSSP_STORE_TLS_KEEP_BUFFERS "=yes");
        o.init_cred = kinit;
        o.acc_cred = kacc;
        if (hs_run(&o, &kres) != 0) {
            die("handshake for wrap, tls_keep_buffers");
        }
        bare_tls(0, t, &(struct cost){ 0 }, &(struct cost){ 0 }, NULL, 0,
                 &c, &s);
        bare_tls(0, t, &(struct cost){ 0 }, &(struct cost){ 0 }, NULL, 0,
                 &cw, &sw);
        for (z = 0; z < 3; z++) {
            double ours[ROUNDS], bare[ROUNDS], iov[ROUNDS], stream[ROUNDS];
            double wipe[ROUNDS], keep[ROUNDS], mo, mb, mw, mk;
            char config[64], wname[80];

            if (only != 0 && sizes[z] != only) {
                continue;
            }
            if (total < sizes[z]) {
                die("BENCH_WRAP_BYTES is smaller than one message");
            }

            snprintf(config, sizeof(config), "TLS%s/%zuKiB", tlss[t],
                     sizes[z] / 1024);
            for (r = 0; r < ROUNDS; r++) {
                ours[r] = total / 1e6 /
                          ours_wrap(res.ictx, res.actx, msg, sizes[z], total);
                bare[r] = total / 1e6 / bare_wrap(c, s, msg, buf, sizes[z],
                                                  total);
                iov[r] = total / 1e6 / ours_iov(res.ictx, res.actx, msg, buf,
                                                sizes[z], total, false);
                stream[r] = total / 1e6 / ours_iov(res.ictx, res.actx, msg,
                                                   buf, sizes[z], total, true);
                wipe[r] = total / 1e6 / bare_wiping(cw, sw, msg, buf,
                                                    sizes[z], total);
                keep[r] = total / 1e6 / ours_keep(kres.ictx, kres.actx, msg,
                                                  sizes[z], total);
            }
            mo = median(ours, ROUNDS);
            mb = median(bare, ROUNDS);
            if (z == 0 && t == 0) {
                ours1k = 1024 / mo * 1e3;  /* ns per message */
                bare1k = 1024 / mb * 1e3;
            }
            mw = median(wipe, ROUNDS);
            mk = median(keep, ROUNDS);
            printf("%-24s %10.0f %10.0f %7.2f %8s\n", config, mo, mb,
                   mo / mb, z == 1 ? ">=0.95" : "");
            fprintf(dat, "\"%s\" %.1f %.1f\n", config, mo, mb);
            row("wrap", config, "MB_per_s", mo, mb,
                z == 1 ? ">=0.95x bare" : "",
                z == 1 ? verdict(mo >= 0.95 * mb) : "");
            if (z == 1 && mo < 0.95 * mb) {
                failures++;
            }
            /* Information, no target: bare TLS set as ours is. */
            snprintf(wname, sizeof(wname), "%s wiping", config);
            printf("%-24s %10.0f %10.0f %7.2f %8s\n", wname, mo, mw,
                   mo / mw, "");
            row("wrap", wname, "MB_per_s", mo, mw, "", "");
            snprintf(wname, sizeof(wname), "%s keep", config);
            printf("%-24s %10.0f %10.0f %7.2f %8s\n", wname, mk, mb,
                   mk / mb, "");
            row("wrap", wname, "MB_per_s", mk, mb, "", "");
            iov_rows(config, "wrap_iov", median(iov, ROUNDS), mo);
            iov_rows(config, "STREAM", median(stream, ROUNDS), mo);
        }
        printf("%-24s   cipher %s %s\n", "", res.tls_version, res.cipher);
        SSL_free(c);
        SSL_free(s);
        SSL_free(cw);
        SSL_free(sw);
        gss_release_name(&tmp, &kres.src);
        gss_delete_sec_context(&tmp, &kres.ictx, GSS_C_NO_BUFFER);
        gss_delete_sec_context(&tmp, &kres.actx, GSS_C_NO_BUFFER);
        gss_release_cred(&tmp, &kinit);
        gss_release_cred(&tmp, &kacc);
        gss_release_name(&tmp, &res.src);
        gss_delete_sec_context(&tmp, &res.ictx, GSS_C_NO_BUFFER);
        gss_delete_sec_context(&tmp, &res.actx, GSS_C_NO_BUFFER);
    }
    if (ours1k > 0) {
        /* The first column: the mechglue's calls on the baseline module;
         * the second: the same copies made directly. */
        mechglue_row(msg, total / 1024, ours1k, bare1k);
    }
    free(msg);
    free(buf);
}

/* ---- memory ---- */

/* rss_kib: VmRSS of this process. */
static long
rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;

    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1) {
            break;
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    return kib;
}

static void
memory_section(void)
{
    gss_ctx_id_t *ctxs = calloc(CONTEXTS, sizeof(*ctxs));
    OM_uint32 tmp;
    int m, i;

    if (ctxs == NULL) {
        die("calloc");
    }
    printf("\n== Memory: %d established acceptor contexts alive (TLS 1.3, "
           "RSA-2048; initiator contexts deleted)\n", CONTEXTS);
    printf("%-24s %14s %14s %8s\n", "config", "RSS KiB/ctx", "heap KiB/ctx",
           "target");
    for (m = 0; m < NMECH; m++) {
        struct hs_opts o = { 0 };
        struct hs_result r;
        struct mallinfo2 mi;
        double heap0, heap1, per_rss, per_heap;
        long rss0, rss1;
        char config[64];

        snprintf(config, sizeof(config), "%s/TLS1.3/rsa2048", mechs[m]);
        o.init_cred = init_creds[m][1];
        o.acc_cred = acc_creds[0][1];
        o.keep_ctx = true;
        malloc_trim(0);
        mi = mallinfo2();
        heap0 = (double)mi.uordblks;
        rss0 = rss_kib();
        for (i = 0; i < CONTEXTS; i++) {
            if (hs_run(&o, &r) != 0) {
                die("handshake for memory");
            }
            gss_delete_sec_context(&tmp, &r.ictx, GSS_C_NO_BUFFER);
            gss_release_name(&tmp, &r.src);
            ctxs[i] = r.actx;
        }
        malloc_trim(0);
        mi = mallinfo2();
        heap1 = (double)mi.uordblks;
        rss1 = rss_kib();
        per_rss = (double)(rss1 - rss0) / CONTEXTS;
        per_heap = (heap1 - heap0) / 1024 / CONTEXTS;
        printf("%-24s %14.1f %14.1f %8s\n", config, per_rss, per_heap,
               "<=32");
        row("memory", config, "rss_kib_per_context", per_rss, 0, "<=32 KiB",
            verdict(per_rss <= 32));
        row("memory", config, "heap_kib_per_context", per_heap, 0, "", "");
        if (per_rss > 32) {
            failures++;
        }
        for (i = 0; i < CONTEXTS; i++) {
            gss_delete_sec_context(&tmp, &ctxs[i], GSS_C_NO_BUFFER);
        }
    }
    free(ctxs);
}

/* ---- scaling ---- */

struct worker {
    pthread_t thread;
    gss_cred_id_t icred, acred;
    int runs;
    double cpu;                   /* thread CPU seconds of the run */
};

static void *
work(void *arg)
{
    struct worker *w = arg;
    struct cost ci = { 0 }, ca = { 0 };
    int i, legs;

    for (i = 0; i < w->runs; i++) {
        if (credssp_handshake(w->icred, w->acred, &ci, &ca, &legs) != 0) {
            die("handshake failed in a thread");
        }
    }
    w->cpu = ci.cpu + ca.cpu;
    return NULL;
}

/* rate: handshakes per second (wall) with n threads; *cpu_us: their CPU
 * microseconds per handshake. */
static double
rate(struct worker *w, int n, double *cpu_us)
{
    double t0 = wall_now();
    int i;

    for (i = 0; i < n; i++) {
        w[i].runs = SCALE_RUNS;
        if (pthread_create(&w[i].thread, NULL, work, &w[i]) != 0) {
            die("pthread_create");
        }
    }
    *cpu_us = 0;
    for (i = 0; i < n; i++) {
        pthread_join(w[i].thread, NULL);
        *cpu_us += w[i].cpu * 1e6 / (n * SCALE_RUNS);
    }
    return n * SCALE_RUNS / (wall_now() - t0);
}

static void
scaling_section(void)
{
    OM_uint32 tmp;
    int m, i, r;

    printf("\n== Scaling: handshakes per second (wall), 1 and 2 threads, "
           "TLS 1.3, RSA-2048, one shared acceptor credential, median of "
           "3\n");
    printf("%-24s %10s %10s %7s %8s %14s\n", "config", "1 thread",
           "2 threads", "ratio", "target", "CPU us/hs 1|2");
    for (m = 0; m < NMECH; m++) {
        struct worker w[2];
        double one[3], two[3], c1[3], c2[3], r1, r2;
        char config[64];

        snprintf(config, sizeof(config), "%s/TLS1.3/rsa2048", mechs[m]);
        for (i = 0; i < 2; i++) {
            struct hs_opts o = { 0 };
            struct hs_result res;

            w[i].icred = credssp_initiator(m, 1);
            w[i].acred = acc_creds[0][1];
            o.init_cred = w[i].icred;
            o.acc_cred = w[i].acred;
            if (hs_run(&o, &res) != 0) {
                die("warm-up for scaling");
            }
        }
        for (r = 0; r < 3; r++) {
            one[r] = rate(w, 1, &c1[r]);
            two[r] = rate(w, 2, &c2[r]);
        }
        r1 = median(one, 3);
        r2 = median(two, 3);
        printf("%-24s %10.0f %10.0f %7.2f %8s %6.0f|%-6.0f\n", config, r1, r2,
               r2 / r1, ">=1.8", median(c1, 3), median(c2, 3));
        row("scaling", config, "cpu_us_per_handshake_2_vs_1_threads",
            median(c2, 3), median(c1, 3), "", "");
        row("scaling", config, "handshakes_per_s_2_vs_1_threads", r2, r1,
            ">=1.8x", verdict(r2 >= 1.8 * r1));
        if (r2 < 1.8 * r1) {
            failures++;
        }
        for (i = 0; i < 2; i++) {
            gss_release_cred(&tmp, &w[i].icred);
        }
    }
}

/* ---- main ---- */

static bool
want(const char *section)
{
    const char *only = getenv("BENCH_ONLY");

    return only == NULL || strstr(only, section) != NULL;
}

static FILE *
open_out(const char *dir, const char *name)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    return f;
}

int
main(int argc, char **argv)
{
    const char *dir = hs_env("CREDSSP_TEST_DIR");
    const char *tname = "TERMSRV@localhost";
    gss_buffer_desc tbuf = { strlen(tname), (void *)tname };
    OM_uint32 major, minor;
    FILE *wrapdat;
    double load[3] = { 0 };
    int m, t, k;

    if (argc != 2 || *dir == '\0') {
        fprintf(stderr, "usage: with-kdc bench_credssp OUTDIR\n");
        return 2;
    }
    if (want("wrap")) {
        add_noop_mech();
    }
    csv = open_out(argv[1], "bench.csv");
    hsdat = open_out(argv[1], "handshake.dat");
    wrapdat = open_out(argv[1], "wrap.dat");
    fprintf(csv, "section,config,metric,ours,floor,ratio,target,verdict\n");
    if (!bench_alloc_available) {
        printf("(allocation counts unavailable in this build: "
               "AddressSanitizer owns malloc)\n");
    }
    if (getloadavg(load, 3) < 0) {
        load[0] = -1;
    }
    printf("load average at start: %.2f %.2f %.2f\n", load[0], load[1],
           load[2]);

    major = gss_import_name(&minor, &tbuf, GSS_C_NT_HOSTBASED_SERVICE,
                            &target);
    if (major != GSS_S_COMPLETE) {
        gss_die("target name", major, minor);
    }
    for (k = 0; k < NKEY; k++) {
        make_key(k, dir);
        for (t = 0; t < NTLS; t++) {
            acc_creds[k][t] = credssp_acceptor(k, t);
            bare_sctx[k][t] = bare_ctx(true, t, k);
        }
    }
    for (t = 0; t < NTLS; t++) {
        bare_cctx[t] = bare_ctx(false, t, 0);
    }
    for (m = 0; m < NMECH; m++) {
        inner_creds(m);
        for (t = 0; t < NTLS; t++) {
            init_creds[m][t] = credssp_initiator(m, t);
        }
    }

    /* BENCH_ONLY=wrap,memory,... runs only those sections (for work on
     * one number); make bench runs them all. */
    if (want("handshake")) {
        handshake_section();
    }
    if (want("wrap")) {
        wrap_section(wrapdat);
    }
    if (want("memory")) {
        memory_section();
    }
    if (want("scaling")) {
        scaling_section();
    }

    if (getloadavg(load, 3) < 0) {
        load[0] = -1;
    }
    printf("\nload average at end: %.2f %.2f %.2f\n", load[0], load[1],
           load[2]);
    printf("%d target(s) missed (see doc/performance.md)\n", failures);
    fclose(csv);
    fclose(hsdat);
    fclose(wrapdat);
    /* Credentials and keys live until exit. */
    return 0;
}
