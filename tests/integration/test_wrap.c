/* SPDX-License-Identifier: MIT */
/*
 * test_wrap.c - message protection on an established CredSSP context:
 * gss_wrap / gss_unwrap both ways after Kerberos and NTLM at TLS 1.2 and
 * 1.3, record sizes, partial records, replay, tampering, reordering,
 * close_notify, the IOV calls, gss_wrap_aead / gss_unwrap_aead, and the
 * MIC calls CredSSP does not have.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "hs.h"
#include "../check_run.h"


/* setup: an established pair of contexts. */
static void
setup(struct hs_result *r, const char *mech, const char *tls)
{
    struct hs_opts o = { 0 };

    o.mech = mech;
    o.tls_max = tls;
    o.keep_ctx = true;
    ck_assert_int_eq(hs_run(&o, r), 0);
}

static void
teardown(struct hs_result *r)
{
    OM_uint32 minor;

    gss_release_name(&minor, &r->src);
    gss_delete_sec_context(&minor, &r->ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&minor, &r->actx, GSS_C_NO_BUFFER);
}

/* roundtrip: wraps len bytes on one side and unwraps on the other. */
static void
roundtrip(gss_ctx_id_t from, gss_ctx_id_t to, size_t len)
{
    gss_buffer_desc in, wrapped, out;
    OM_uint32 minor;
    int conf = 0;
    size_t i;

    in.length = len;
    in.value = malloc(len + 1);
    for (i = 0; i < len; i++) {
        ((unsigned char *)in.value)[i] = (unsigned char)(i * 7 + len);
    }
    ck_assert_uint_eq(gss_wrap(&minor, from, 0, GSS_C_QOP_DEFAULT, &in,
                               &conf, &wrapped), GSS_S_COMPLETE);
    ck_assert_int_eq(conf, 1);      /* TLS always encrypts */
    /* An empty message needs no record (OpenSSL writes none, and the
     * mechglue refuses empty tokens to unwrap): an empty token, nothing
     * to send.  Anything else is one record, bigger. */
    if (len == 0) {
        ck_assert_uint_eq(wrapped.length, 0);
        free(in.value);
        return;
    }
    ck_assert_uint_gt(wrapped.length, len);
    if (len >= 16) {                /* the plaintext does not show */
        ck_assert_ptr_null(memmem(wrapped.value, wrapped.length, in.value,
                                  16));
    }
    conf = -1;
    ck_assert_uint_eq(gss_unwrap(&minor, to, &wrapped, &out, &conf, NULL),
                      GSS_S_COMPLETE);
    ck_assert_int_eq(conf, 1);
    ck_assert_uint_eq(out.length, len);
    ck_assert_int_eq(memcmp(out.value, in.value, len), 0);
    gss_release_buffer(&minor, &out);
    gss_release_buffer(&minor, &wrapped);
    free(in.value);
}

/* lay_iov: HEADER | DATA | TRAILER over the given pieces. */
static void
lay_iov(gss_iov_buffer_desc *iov, void *h, size_t h_len, void *d,
        size_t d_len, void *t, size_t t_len)
{
    iov[0].type = GSS_IOV_BUFFER_TYPE_HEADER;
    iov[0].buffer.value = h;
    iov[0].buffer.length = h_len;
    iov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
    iov[1].buffer.value = d;
    iov[1].buffer.length = d_len;
    iov[2].type = GSS_IOV_BUFFER_TYPE_TRAILER;
    iov[2].buffer.value = t;
    iov[2].buffer.length = t_len;
}

/* status_says: a call's status is want_major with want_minor, and its
 * text holds each of the phrases that follow (NULL ends them). */
static void
status_says(OM_uint32 major, OM_uint32 minor, OM_uint32 want_major,
            OM_uint32 want_minor, ...)
{
    const char *phrase;
    char text[600];
    va_list ap;

    hs_status_text(major, minor, text, sizeof(text));
    ck_assert_msg(major == want_major, "%s", text);
    ck_assert_uint_eq(minor, want_minor);
    va_start(ap, want_minor);
    while ((phrase = va_arg(ap, const char *)) != NULL) {
        ck_assert_msg(strstr(text, phrase) != NULL, "no \"%s\" in: %s",
                      phrase, text);
    }
    va_end(ap);
}

static const struct {
    const char *mech, *tls;
} configs[] = {
    { "kerberos", "1.3" }, { "kerberos", "1.2" },
    { "ntlm", "1.3" }, { "ntlm", "1.2" },
};

/* Both directions, sizes from empty to a full record. */
START_TEST(test_roundtrip)
{
    static const size_t sizes[] = { 0, 1, 1000, 16383, 16384 };
    struct hs_result r;
    size_t i;

    setup(&r, configs[_i].mech, configs[_i].tls);
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        roundtrip(r.ictx, r.actx, sizes[i]);
        roundtrip(r.actx, r.ictx, sizes[i]);
    }
    teardown(&r);
}
END_TEST

/* gss_wrap_size_limit: the largest input whose record fits, never more
 * than one record; the record really has that size. */
START_TEST(test_size_limit)
{
    struct hs_result r;
    gss_buffer_desc in, wrapped;
    OM_uint32 minor, max = 0;
    unsigned char *buf = calloc(1, 20000);

    setup(&r, configs[_i].mech, configs[_i].tls);
    ck_assert_uint_eq(gss_wrap_size_limit(&minor, r.ictx, 1,
                                          GSS_C_QOP_DEFAULT, 1000, &max),
                      GSS_S_COMPLETE);
    ck_assert_uint_gt(max, 900);
    ck_assert_uint_lt(max, 1000);
    in.value = buf;
    in.length = max;
    ck_assert_uint_eq(gss_wrap(&minor, r.ictx, 1, GSS_C_QOP_DEFAULT, &in,
                               NULL, &wrapped), GSS_S_COMPLETE);
    ck_assert_uint_le(wrapped.length, 1000);
    gss_release_buffer(&minor, &wrapped);

    ck_assert_uint_eq(gss_wrap_size_limit(&minor, r.ictx, 1,
                                          GSS_C_QOP_DEFAULT, 1 << 20, &max),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(max, 16384);
    free(buf);
    teardown(&r);
}
END_TEST

/* A message over one record (16384 bytes) is the same failure from
 * gss_wrap, gss_wrap_iov_length and gss_wrap_iov: GSS_S_FAILURE with a
 * text that says to split it; nothing is sealed (DATA is untouched) and a
 * message of exactly one record then goes through gss_wrap_iov. */
START_TEST(test_too_large)
{
    struct hs_result r;
    gss_buffer_desc in, wrapped = { 1, NULL }, rec, out;
    gss_iov_buffer_desc iov[3];
    unsigned char *buf = malloc(16385), *msg = malloc(16385);
    unsigned char hdr[64], trl[64];
    OM_uint32 major, minor;
    size_t i;

    for (i = 0; i < 16385; i++) {
        msg[i] = (unsigned char)(i * 31);
    }
    memcpy(buf, msg, 16385);
    setup(&r, "ntlm", NULL);
    in.value = buf;
    in.length = 16385;
    major = gss_wrap(&minor, r.ictx, 1, GSS_C_QOP_DEFAULT, &in, NULL,
                     &wrapped);
    status_says(major, minor, GSS_S_FAILURE, CREDSSP_S_WRAP_TOO_LARGE,
                "larger than one TLS record (16384 bytes)",
                "gss_wrap_size_limit", (char *)NULL);
    ck_assert_uint_eq(wrapped.length, 0);

    lay_iov(iov, hdr, sizeof(hdr), buf, 16385, trl, sizeof(trl));
    major = gss_wrap_iov_length(&minor, r.ictx, 1, 0, NULL, iov, 3);
    status_says(major, minor, GSS_S_FAILURE, CREDSSP_S_WRAP_TOO_LARGE,
                "larger than one TLS record (16384 bytes)",
                "gss_wrap_size_limit", (char *)NULL);
    major = gss_wrap_iov(&minor, r.ictx, 1, 0, NULL, iov, 3);
    status_says(major, minor, GSS_S_FAILURE, CREDSSP_S_WRAP_TOO_LARGE,
                "larger than one TLS record (16384 bytes)",
                "gss_wrap_size_limit", (char *)NULL);
    ck_assert_int_eq(memcmp(buf, msg, 16385), 0);

    /* One record's worth is fine, and the peer reads it. */
    iov[1].buffer.length = 16384;
    ck_assert_uint_eq(gss_wrap_iov(&minor, r.ictx, 1, 0, NULL, iov, 3),
                      GSS_S_COMPLETE);
    rec.length = iov[0].buffer.length + 16384 + iov[2].buffer.length;
    rec.value = malloc(rec.length);
    memcpy(rec.value, hdr, iov[0].buffer.length);
    memcpy((char *)rec.value + iov[0].buffer.length, buf, 16384);
    memcpy((char *)rec.value + iov[0].buffer.length + 16384, trl,
           iov[2].buffer.length);
    ck_assert_uint_eq(gss_unwrap(&minor, r.actx, &rec, &out, NULL, NULL),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(out.length, 16384);
    ck_assert_int_eq(memcmp(out.value, msg, 16384), 0);
    gss_release_buffer(&minor, &out);
    free(rec.value);
    free(buf);
    free(msg);
    teardown(&r);
}
END_TEST

/* Only the default QOP exists: every call that seals a message, or sizes
 * one, says GSS_S_BAD_QOP to another, before it seals or sizes anything;
 * the context goes on. */
START_TEST(test_bad_qop)
{
    struct hs_result r;
    gss_buffer_desc in = { 5, (void *)"hello" }, wrapped = { 1, NULL };
    gss_iov_buffer_desc iov[3];
    unsigned char hdr[64], data[5], trl[64];
    OM_uint32 minor, max = 7;

    setup(&r, "ntlm", NULL);
    ck_assert_uint_eq(gss_wrap(&minor, r.ictx, 1, 1, &in, NULL, &wrapped),
                      GSS_S_BAD_QOP);
    ck_assert_uint_eq(minor, CREDSSP_S_BAD_QOP);
    ck_assert_uint_eq(wrapped.length, 0);
    ck_assert_uint_eq(gss_wrap_aead(&minor, r.ictx, 1, 1, GSS_C_NO_BUFFER,
                                    &in, NULL, &wrapped),
                      GSS_S_BAD_QOP);
    ck_assert_uint_eq(minor, CREDSSP_S_BAD_QOP);
    ck_assert_uint_eq(gss_wrap_size_limit(&minor, r.ictx, 1, 1, 1000, &max),
                      GSS_S_BAD_QOP);
    ck_assert_uint_eq(minor, CREDSSP_S_BAD_QOP);
    lay_iov(iov, hdr, sizeof(hdr), data, sizeof(data), trl, sizeof(trl));
    memcpy(data, "hello", sizeof(data));
    ck_assert_uint_eq(gss_wrap_iov_length(&minor, r.ictx, 1, 1, NULL, iov,
                                          3), GSS_S_BAD_QOP);
    ck_assert_uint_eq(minor, CREDSSP_S_BAD_QOP);
    ck_assert_uint_eq(iov[0].buffer.length, sizeof(hdr));  /* untouched */
    ck_assert_uint_eq(iov[2].buffer.length, sizeof(trl));
    ck_assert_uint_eq(gss_wrap_iov(&minor, r.ictx, 1, 1, NULL, iov, 3),
                      GSS_S_BAD_QOP);
    ck_assert_uint_eq(minor, CREDSSP_S_BAD_QOP);
    ck_assert_int_eq(memcmp(data, "hello", sizeof(data)), 0);
    roundtrip(r.ictx, r.actx, 100);
    teardown(&r);
}
END_TEST

/* wrap_msg: one wrapped message of text. */
static void
wrap_msg(gss_ctx_id_t ctx, const char *text, gss_buffer_t out)
{
    gss_buffer_desc in = { strlen(text), (void *)text };
    OM_uint32 minor;

    ck_assert_uint_eq(gss_wrap(&minor, ctx, 1, GSS_C_QOP_DEFAULT, &in, NULL,
                               out), GSS_S_COMPLETE);
}

/* Several records in one call; a partial record; a replay; then a
 * tampered record ends the context. */
START_TEST(test_stream_and_attacks)
{
    struct hs_result r;
    gss_buffer_desc a, b, both, part, out;
    gss_buffer_set_t missing = GSS_C_NO_BUFFER_SET;
    OM_uint32 minor, major;

    setup(&r, configs[_i].mech, configs[_i].tls);
    wrap_msg(r.ictx, "first;", &a);
    wrap_msg(r.ictx, "second", &b);
    both.length = a.length + b.length;
    both.value = malloc(both.length);
    memcpy(both.value, a.value, a.length);
    memcpy((char *)both.value + a.length, b.value, b.length);

    part.value = both.value;
    part.length = a.length + 7;   /* b's header and two body bytes */
    major = gss_unwrap(&minor, r.actx, &part, &out, NULL, NULL);
    ck_assert_uint_eq(major, GSS_S_DEFECTIVE_TOKEN);
    ck_assert_uint_eq(minor, CREDSSP_S_INCOMPLETE_MESSAGE);
    ck_assert_uint_eq(gss_inquire_sec_context_by_oid(
                          &minor, r.actx, GSS_CREDSSP_INQ_MISSING, &missing),
                      GSS_S_COMPLETE);
    {
        char num[32] = "";

        ck_assert_uint_lt(missing->elements[0].length, sizeof(num));
        memcpy(num, missing->elements[0].value,
               missing->elements[0].length);
        ck_assert_uint_eq(strtoul(num, NULL, 10), b.length - 7);
    }
    gss_release_buffer_set(&minor, &missing);

    ck_assert_uint_eq(gss_unwrap(&minor, r.actx, &both, &out, NULL, NULL),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(out.length, 12);
    ck_assert_int_eq(memcmp(out.value, "first;second", 12), 0);
    gss_release_buffer(&minor, &out);

    /* A replay is named and dropped; the context goes on. */
    major = gss_unwrap(&minor, r.actx, &b, &out, NULL, NULL);
    ck_assert_uint_eq(major, GSS_S_BAD_SIG | GSS_S_DUPLICATE_TOKEN);
    ck_assert_uint_eq(minor, CREDSSP_S_REPLAYED);
    roundtrip(r.ictx, r.actx, 100);

    /* A tampered record fails its integrity check. */
    gss_release_buffer(&minor, &a);
    wrap_msg(r.ictx, "tamper me", &a);
    ((unsigned char *)a.value)[a.length - 3] ^= 0x40;
    major = gss_unwrap(&minor, r.actx, &a, &out, NULL, NULL);
    ck_assert_uint_eq(major, GSS_S_BAD_SIG);
    ck_assert_uint_eq(minor, CREDSSP_S_MESSAGE_ALTERED);

    gss_release_buffer(&minor, &a);
    gss_release_buffer(&minor, &b);
    free(both.value);
    teardown(&r);
}
END_TEST

/* concat: a || b, one token (caller frees value). */
static void
concat(const gss_buffer_desc *a, const gss_buffer_desc *b,
       gss_buffer_desc *out)
{
    out->length = a->length + b->length;
    out->value = malloc(out->length);
    ck_assert_ptr_nonnull(out->value);
    memcpy(out->value, a->value, a->length);
    memcpy((char *)out->value + a->length, b->value, b->length);
}

/* copy_buf: a copy of a token the test keeps (caller frees value). */
static void
copy_buf(const gss_buffer_desc *in, gss_buffer_desc *out)
{
    out->length = in->length;
    out->value = malloc(in->length);
    ck_assert_ptr_nonnull(out->value);
    memcpy(out->value, in->value, in->length);
}

/* unwrap_text: gss_unwrap of one token must give exactly text. */
static void
unwrap_text(gss_ctx_id_t ctx, gss_buffer_t token, const char *text)
{
    gss_buffer_desc out;
    OM_uint32 major, minor;
    char msg[512];

    major = gss_unwrap(&minor, ctx, token, &out, NULL, NULL);
    hs_status_text(major, minor, msg, sizeof(msg));
    ck_assert_msg(major == GSS_S_COMPLETE, "unwrap of \"%s\": %s", text,
                  msg);
    ck_assert_uint_eq(out.length, strlen(text));
    ck_assert_int_eq(memcmp(out.value, text, out.length), 0);
    gss_release_buffer(&minor, &out);
}

/* missing_count: GSS_CREDSSP_INQ_MISSING of ctx, as a number. */
static unsigned long
missing_count(gss_ctx_id_t ctx)
{
    gss_buffer_set_t missing = GSS_C_NO_BUFFER_SET;
    OM_uint32 minor;
    char num[32] = "";

    ck_assert_uint_eq(gss_inquire_sec_context_by_oid(
                          &minor, ctx, GSS_CREDSSP_INQ_MISSING, &missing),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(missing->count, 1);
    ck_assert_uint_lt(missing->elements[0].length, sizeof(num));
    memcpy(num, missing->elements[0].value, missing->elements[0].length);
    gss_release_buffer_set(&minor, &missing);
    return strtoul(num, NULL, 10);
}

/* Input that ends inside the second record's 5-byte header (the first
 * record whole, then k = 1..4 bytes): incomplete, 5 - k bytes missing
 * (what a stream reader must read before it can know the record's
 * length), nothing consumed; then the whole input unwraps. */
START_TEST(test_incomplete_header)
{
    size_t k = (size_t)(_i % 4) + 1;
    struct hs_result r;
    gss_buffer_desc a, b, both, part, out;
    OM_uint32 major, minor;

    setup(&r, configs[_i / 4].mech, configs[_i / 4].tls);
    wrap_msg(r.ictx, "first;", &a);
    wrap_msg(r.ictx, "second", &b);
    concat(&a, &b, &both);
    part.value = both.value;
    part.length = a.length + k;
    major = gss_unwrap(&minor, r.actx, &part, &out, NULL, NULL);
    ck_assert_uint_eq(major, GSS_S_DEFECTIVE_TOKEN);
    ck_assert_uint_eq(minor, CREDSSP_S_INCOMPLETE_MESSAGE);
    ck_assert_uint_eq(out.length, 0);
    ck_assert_uint_eq(missing_count(r.actx), 5 - k);
    unwrap_text(r.actx, &both, "first;second");
    free(both.value);
    gss_release_buffer(&minor, &a);
    gss_release_buffer(&minor, &b);
    teardown(&r);
}
END_TEST

/* A call that holds a fresh record and a replay (or the same fresh record
 * twice) is refused whole, and leaves no trace: the fresh record, sent
 * again alone, is taken, even once the 64 slots of the replay ring are
 * all in use (here after 70 records). */
START_TEST(test_replay_ring)
{
    struct hs_result r;
    gss_buffer_desc rec, old = { 0, NULL }, fresh, both;
    OM_uint32 major, minor;
    char text[32];
    int i;

    setup(&r, configs[_i].mech, configs[_i].tls);
    for (i = 0; i < 70; i++) {
        snprintf(text, sizeof(text), "record %d", i);
        wrap_msg(r.ictx, text, &rec);
        unwrap_text(r.actx, &rec, text);
        if (i == 60) {
            copy_buf(&rec, &old);
        }
        gss_release_buffer(&minor, &rec);
    }

    /* fresh record + replay of record 60 */
    wrap_msg(r.ictx, "fresh one", &fresh);
    concat(&fresh, &old, &both);
    major = gss_unwrap(&minor, r.actx, &both, &rec, NULL, NULL);
    ck_assert_uint_eq(GSS_SUPPLEMENTARY_INFO(major), GSS_S_DUPLICATE_TOKEN);
    ck_assert_uint_eq(minor, CREDSSP_S_REPLAYED);
    ck_assert_uint_eq(rec.length, 0);
    free(both.value);
    unwrap_text(r.actx, &fresh, "fresh one");
    gss_release_buffer(&minor, &fresh);

    /* the same fresh record twice in one call */
    wrap_msg(r.ictx, "fresh two", &fresh);
    concat(&fresh, &fresh, &both);
    major = gss_unwrap(&minor, r.actx, &both, &rec, NULL, NULL);
    ck_assert_uint_eq(GSS_SUPPLEMENTARY_INFO(major), GSS_S_DUPLICATE_TOKEN);
    ck_assert_uint_eq(minor, CREDSSP_S_REPLAYED);
    free(both.value);
    unwrap_text(r.actx, &fresh, "fresh two");
    /* now it has been seen: alone it is a replay */
    major = gss_unwrap(&minor, r.actx, &fresh, &rec, NULL, NULL);
    ck_assert_uint_eq(minor, CREDSSP_S_REPLAYED);
    gss_release_buffer(&minor, &fresh);

    /* and the stream goes on, past another full turn of the ring */
    for (i = 0; i < 70; i++) {
        roundtrip(r.ictx, r.actx, 1 + (size_t)i);
    }
    free(old.value);
    teardown(&r);
}
END_TEST

/*
 * What a caller sees of a replayed record, by gss_unwrap and by
 * gss_unwrap_iov: a routine error (GSS_ERROR is true, so a naive caller
 * that only checks GSS_ERROR stops instead of taking an empty message),
 * GSS_S_BAD_SIG with the supplementary GSS_S_DUPLICATE_TOKEN, the minor
 * CREDSSP_S_REPLAYED whose text says the context is intact, no output,
 * and conf_state set to 0.  The context then goes on.
 */
START_TEST(test_replay_status)
{
    struct hs_result r;
    gss_buffer_desc rec, out = { 1, (void *)"x" };
    gss_iov_buffer_desc iov[2];
    unsigned char copy[256];
    OM_uint32 major, minor;
    gss_qop_t qop = 7;
    int conf = -1;
    char text[512];

    setup(&r, configs[_i].mech, configs[_i].tls);
    wrap_msg(r.ictx, "pay 100 to bob", &rec);
    ck_assert_uint_le(rec.length, sizeof(copy));
    memcpy(copy, rec.value, rec.length);
    unwrap_text(r.actx, &rec, "pay 100 to bob");

    major = gss_unwrap(&minor, r.actx, &rec, &out, &conf, &qop);
    hs_status_text(major, minor, text, sizeof(text));
    ck_assert_msg(GSS_ERROR(major), "a naive caller would go on: %s", text);
    ck_assert_uint_eq(GSS_ROUTINE_ERROR(major), GSS_S_BAD_SIG);
    ck_assert_uint_eq(GSS_SUPPLEMENTARY_INFO(major), GSS_S_DUPLICATE_TOKEN);
    ck_assert_uint_eq(minor, CREDSSP_S_REPLAYED);
    ck_assert_msg(strstr(text, "SEC_E_MESSAGE_ALTERED") != NULL &&
                      strstr(text, "replay") != NULL &&
                      strstr(text, "context is intact") != NULL,
                  "%s", text);
    ck_assert_uint_eq(out.length, 0);
    ck_assert_ptr_null(out.value);
    ck_assert_int_eq(conf, 0);
    ck_assert_uint_eq(qop, GSS_C_QOP_DEFAULT);

    /* The same record as one STREAM buffer. */
    iov[0].type = GSS_IOV_BUFFER_TYPE_STREAM;
    iov[0].buffer.value = copy;
    iov[0].buffer.length = rec.length;
    iov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
    iov[1].buffer.value = NULL;
    iov[1].buffer.length = 0;
    conf = -1;
    major = gss_unwrap_iov(&minor, r.actx, &conf, NULL, iov, 2);
    ck_assert(GSS_ERROR(major));
    ck_assert_uint_eq(major, GSS_S_BAD_SIG | GSS_S_DUPLICATE_TOKEN);
    ck_assert_uint_eq(minor, CREDSSP_S_REPLAYED);
    ck_assert_uint_eq(iov[1].buffer.length, 0);
    ck_assert_int_eq(conf, 0);

    /* Nothing broke: both directions still work (roundtrip checks that
     * conf_state is 1 again). */
    roundtrip(r.ictx, r.actx, 50);
    roundtrip(r.actx, r.ictx, 50);
    gss_release_buffer(&minor, &rec);
    teardown(&r);
}
END_TEST

/* ended: every message call of a context whose channel ended says
 * GSS_S_CONTEXT_EXPIRED with the minor status why, and its lifetime is
 * over. */
static void
ended(gss_ctx_id_t ctx, OM_uint32 why)
{
    gss_buffer_desc msg = { 5, (void *)"hello" }, out;
    OM_uint32 major, minor, life = 1;

    major = gss_wrap(&minor, ctx, 1, GSS_C_QOP_DEFAULT, &msg, NULL, &out);
    status_says(major, minor, GSS_S_CONTEXT_EXPIRED, why, NULL);
    ck_assert_uint_eq(out.length, 0);
    major = gss_context_time(&minor, ctx, &life);
    status_says(major, minor, GSS_S_CONTEXT_EXPIRED, why, NULL);
    ck_assert_uint_eq(life, 0);
    major = gss_wrap_size_limit(&minor, ctx, 1, GSS_C_QOP_DEFAULT, 1024,
                                &life);
    status_says(major, minor, GSS_S_CONTEXT_EXPIRED, why, NULL);
}

/*
 * A record altered inside (a body byte, its tag intact: not a fingerprint
 * seen before) is not a replay: GSS_S_BAD_SIG with no supplementary bit,
 * CREDSSP_S_MESSAGE_ALTERED, and the context has ended (TLS refuses even
 * a good record after it).  By gss_unwrap_iov with a STREAM buffer.
 */
START_TEST(test_altered_not_replay)
{
    struct hs_result r;
    gss_buffer_desc rec, out;
    gss_iov_buffer_desc iov[2];
    unsigned char copy[512];
    char msg[201];
    OM_uint32 major, minor;

    setup(&r, configs[_i].mech, configs[_i].tls);
    memset(msg, 'm', sizeof(msg) - 1);
    msg[sizeof(msg) - 1] = '\0';
    wrap_msg(r.ictx, msg, &rec);
    ck_assert_uint_le(rec.length, sizeof(copy));
    memcpy(copy, rec.value, rec.length);
    copy[rec.length / 2] ^= 0x01;
    iov[0].type = GSS_IOV_BUFFER_TYPE_STREAM;
    iov[0].buffer.value = copy;
    iov[0].buffer.length = rec.length;
    iov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
    iov[1].buffer.value = NULL;
    iov[1].buffer.length = 0;
    major = gss_unwrap_iov(&minor, r.actx, NULL, NULL, iov, 2);
    ck_assert_uint_eq(major, GSS_S_BAD_SIG);
    ck_assert_uint_eq(GSS_SUPPLEMENTARY_INFO(major), 0);
    ck_assert_uint_eq(minor, CREDSSP_S_MESSAGE_ALTERED);
    /* The genuine record now fails too: the connection is over, and
     * every later call of that side says so. */
    major = gss_unwrap(&minor, r.actx, &rec, &out, NULL, NULL);
    ck_assert_uint_eq(major, GSS_S_CONTEXT_EXPIRED);
    ck_assert_uint_eq(minor, CREDSSP_S_CHANNEL_ENDED);
    ck_assert_uint_eq(out.length, 0);
    ended(r.actx, CREDSSP_S_CHANNEL_ENDED);
    gss_release_buffer(&minor, &rec);
    teardown(&r);
}
END_TEST

/* Records out of order fail their integrity check (the record sequence
 * number is bound into each record). */
START_TEST(test_reorder)
{
    struct hs_result r;
    gss_buffer_desc a, b, out;
    OM_uint32 minor;

    setup(&r, configs[_i].mech, configs[_i].tls);
    wrap_msg(r.actx, "one", &a);
    wrap_msg(r.actx, "two", &b);
    ck_assert_uint_eq(gss_unwrap(&minor, r.ictx, &b, &out, NULL, NULL),
                      GSS_S_BAD_SIG);
    gss_release_buffer(&minor, &a);
    gss_release_buffer(&minor, &b);
    teardown(&r);
}
END_TEST

/* gss_delete_sec_context's token is a close_notify; the peer's unwrap
 * then says the context is closed.  A last message and the close_notify
 * in one token (a peer that answers and closes at once): the message is
 * returned, and the calls after it say the channel closed. */
START_TEST(test_close_notify)
{
    struct hs_result r;
    gss_buffer_desc token, last, both, out;
    OM_uint32 minor;
    int conf = 0;

    setup(&r, configs[_i].mech, configs[_i].tls);
    ck_assert_uint_eq(gss_delete_sec_context(&minor, &r.ictx, &token),
                      GSS_S_COMPLETE);
    ck_assert_uint_gt(token.length, 5);
    ck_assert_uint_eq(((unsigned char *)token.value)[0],
                      _i % 2 == 0 ? 23 : 21);
    ck_assert_uint_eq(gss_unwrap(&minor, r.actx, &token, &out, NULL, NULL),
                      GSS_S_CONTEXT_EXPIRED);
    ck_assert_uint_eq(minor, CREDSSP_S_TLS_CLOSED);
    ended(r.actx, CREDSSP_S_TLS_CLOSED);
    gss_release_buffer(&minor, &token);
    teardown(&r);

    setup(&r, configs[_i].mech, configs[_i].tls);
    wrap_msg(r.actx, "the last answer", &last);
    ck_assert_uint_eq(gss_delete_sec_context(&minor, &r.actx, &token),
                      GSS_S_COMPLETE);
    both.length = last.length + token.length;
    both.value = malloc(both.length);
    ck_assert_ptr_nonnull(both.value);
    memcpy(both.value, last.value, last.length);
    memcpy((char *)both.value + last.length, token.value, token.length);
    ck_assert_uint_eq(gss_unwrap(&minor, r.ictx, &both, &out, &conf, NULL),
                      GSS_S_COMPLETE);
    ck_assert_int_eq(conf, 1);
    ck_assert_uint_eq(out.length, 15);
    ck_assert_int_eq(memcmp(out.value, "the last answer", 15), 0);
    gss_release_buffer(&minor, &out);
    ck_assert_uint_eq(gss_unwrap(&minor, r.ictx, &last, &out, NULL, NULL),
                      GSS_S_CONTEXT_EXPIRED);
    ck_assert_uint_eq(minor, CREDSSP_S_TLS_CLOSED);
    ended(r.ictx, CREDSSP_S_TLS_CLOSED);
    gss_release_buffer(&minor, &last);
    gss_release_buffer(&minor, &token);
    free(both.value);
    teardown(&r);
}
END_TEST

/* le32: a little-endian number from a stream-sizes buffer. */
static uint32_t
le32(const void *p, size_t i)
{
    const unsigned char *b = (const unsigned char *)p + 4 * i;

    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
           (uint32_t)b[3] << 24;
}

/* The SSPI stream layout: header, data encrypted in place, trailer, with
 * the sizes SECPKG_ATTR_STREAM_SIZES gives (TLS 1.3: 5 and 17; TLS 1.2
 * AES-GCM: 5 + 8 and 16); unwrapped by IOV, by a STREAM buffer, and as
 * one ordinary token. */
START_TEST(test_iov)
{
    static const char msg[] = "<s:Envelope>the SOAP body</s:Envelope>";
    size_t n = sizeof(msg) - 1;
    struct hs_result r;
    gss_iov_buffer_desc iov[4];
    gss_buffer_set_t sizes = GSS_C_NO_BUFFER_SET;
    gss_buffer_desc rec, out;
    unsigned char data[64], hdr[64], trl[64], stream[256];
    OM_uint32 minor, h, t;
    int conf = 0;

    setup(&r, configs[_i].mech, configs[_i].tls);
    ck_assert_uint_eq(gss_inquire_sec_context_by_oid(
                          &minor, r.ictx, GSS_CREDSSP_INQ_STREAM_SIZES,
                          &sizes), GSS_S_COMPLETE);
    ck_assert_uint_eq(sizes->elements[0].length, 20);
    h = le32(sizes->elements[0].value, 0);
    t = le32(sizes->elements[0].value, 1);
    ck_assert_uint_eq(h, strcmp(configs[_i].tls, "1.3") == 0 ? 5 : 13);
    ck_assert_uint_eq(t, strcmp(configs[_i].tls, "1.3") == 0 ? 17 : 16);
    ck_assert_uint_eq(le32(sizes->elements[0].value, 2), 16384);
    ck_assert_uint_eq(le32(sizes->elements[0].value, 3), 4);
    ck_assert_uint_eq(le32(sizes->elements[0].value, 4), 1);
    gss_release_buffer_set(&minor, &sizes);

    iov[0].type = GSS_IOV_BUFFER_TYPE_HEADER;
    iov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
    iov[2].type = GSS_IOV_BUFFER_TYPE_PADDING;
    iov[3].type = GSS_IOV_BUFFER_TYPE_TRAILER;
    memcpy(data, msg, n);
    iov[1].buffer.value = data;
    iov[1].buffer.length = n;
    ck_assert_uint_eq(gss_wrap_iov_length(&minor, r.ictx, 1, 0, &conf, iov,
                                          4), GSS_S_COMPLETE);
    ck_assert_uint_eq(iov[0].buffer.length, h);
    ck_assert_uint_eq(iov[2].buffer.length, 0);
    ck_assert_uint_eq(iov[3].buffer.length, t);
    iov[0].buffer.value = hdr;
    iov[3].buffer.value = trl;
    ck_assert_uint_eq(gss_wrap_iov(&minor, r.ictx, 1, 0, &conf, iov, 4),
                      GSS_S_COMPLETE);
    ck_assert_int_eq(conf, 1);
    ck_assert_int_ne(memcmp(data, msg, n), 0);     /* encrypted in place */
    ck_assert_uint_eq(iov[3].buffer.length, t);

    /* The pieces make one record an ordinary gss_unwrap takes... */
    memcpy(stream, hdr, h);
    memcpy(stream + h, data, n);
    memcpy(stream + h + n, trl, t);
    ck_assert_uint_eq(hdr[0], 23);                  /* application data */
    rec.value = stream;
    rec.length = h + n + t;
    ck_assert_uint_eq(gss_unwrap(&minor, r.actx, &rec, &out, NULL, NULL),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(out.length, n);
    ck_assert_int_eq(memcmp(out.value, msg, n), 0);
    gss_release_buffer(&minor, &out);

    /* ...and gss_unwrap_iov takes them as HEADER/DATA/TRAILER... */
    memcpy(data, msg, n);
    iov[0].buffer.length = sizeof(hdr);
    iov[3].buffer.length = sizeof(trl);
    ck_assert_uint_eq(gss_wrap_iov_length(&minor, r.actx, 1, 0, NULL, iov,
                                          4), GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_wrap_iov(&minor, r.actx, 1, 0, NULL, iov, 4),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_unwrap_iov(&minor, r.ictx, &conf, NULL, iov, 4),
                      GSS_S_COMPLETE);
    ck_assert_int_eq(memcmp(data, msg, n), 0);

    /* ...and as one STREAM buffer, DATA pointing into it. */
    memcpy(data, msg, n);
    iov[0].buffer.length = h;
    iov[1].buffer.value = data;
    iov[1].buffer.length = n;
    ck_assert_uint_eq(gss_wrap_iov(&minor, r.actx, 1, 0, NULL, iov, 4),
                      GSS_S_COMPLETE);
    memcpy(stream, hdr, h);
    memcpy(stream + h, data, n);
    memcpy(stream + h + n, trl, iov[3].buffer.length);
    {
        gss_iov_buffer_desc siov[2];

        siov[0].type = GSS_IOV_BUFFER_TYPE_STREAM;
        siov[0].buffer.value = stream;
        siov[0].buffer.length = h + n + iov[3].buffer.length;
        siov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
        siov[1].buffer.value = NULL;
        siov[1].buffer.length = 0;
        ck_assert_uint_eq(gss_unwrap_iov(&minor, r.ictx, NULL, NULL, siov,
                                         2), GSS_S_COMPLETE);
        ck_assert_uint_eq(siov[1].buffer.length, n);
        ck_assert_ptr_eq(siov[1].buffer.value, stream + h);
        ck_assert_int_eq(memcmp(siov[1].buffer.value, msg, n), 0);
    }
    teardown(&r);
}
END_TEST

/*
 * In-place gss_unwrap_iov writes the plaintext straight over DATA.  With
 * HEADER/TRAILER lengths that are not the record's, the plaintext does not
 * fit DATA exactly: the call fails with its own minor status (the record
 * verified: not SEC_E_MESSAGE_ALTERED), DATA holds none of it, and none of
 * it comes out of the next call either (the plaintext TLS still held was
 * drained and wiped).  The record counts as seen: sent again, it is a
 * replay, not the end of the context.
 */
START_TEST(test_iov_split_mismatch)
{
    static const char msg[] = "<s:Envelope>split-secret-4be1</s:Envelope>";
    static const char next[] = "the next message";
    size_t n = sizeof(msg) - 1, h, t;
    struct hs_result r;
    gss_iov_buffer_desc iov[3];
    gss_buffer_desc in = { sizeof(next) - 1, (void *)next }, wrapped, out;
    gss_buffer_desc replay;
    unsigned char buf[128], again[128];
    char text[512];
    OM_uint32 major, minor;
    int shift, conf = -1;

    setup(&r, configs[_i / 2].mech, configs[_i / 2].tls);
    shift = _i % 2 == 0 ? 1 : -1;   /* DATA one byte short, one too long */
    iov[0].type = GSS_IOV_BUFFER_TYPE_HEADER;
    iov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
    iov[2].type = GSS_IOV_BUFFER_TYPE_TRAILER;
    iov[1].buffer.length = n;
    ck_assert_uint_eq(gss_wrap_iov_length(&minor, r.ictx, 1, 0, NULL, iov,
                                          3), GSS_S_COMPLETE);
    h = iov[0].buffer.length;
    t = iov[2].buffer.length;
    memcpy(buf + h, msg, n);
    iov[0].buffer.value = buf;
    iov[1].buffer.value = buf + h;
    iov[2].buffer.value = buf + h + n;
    ck_assert_uint_eq(gss_wrap_iov(&minor, r.ictx, 1, 0, NULL, iov, 3),
                      GSS_S_COMPLETE);

    /* The same bytes, split one byte off. */
    iov[0].buffer.length = h + shift;
    iov[1].buffer.value = buf + h + shift;
    iov[1].buffer.length = n - shift;
    iov[2].buffer.value = buf + h + n;
    memcpy(again, buf, h + n + t);
    major = gss_unwrap_iov(&minor, r.actx, &conf, NULL, iov, 3);
    hs_status_text(major, minor, text, sizeof(text));
    ck_assert_msg(major == GSS_S_DEFECTIVE_TOKEN, "%s", text);
    ck_assert_uint_eq(minor, CREDSSP_S_IOV_LAYOUT);
    ck_assert_msg(strstr(text, "context stays usable") != NULL, "%s", text);
    ck_assert_int_eq(conf, 0);
    ck_assert_ptr_null(memmem(buf, h + n + t, "split-secret", 12));

    /* The same record again: dropped as a replay, the context intact. */
    replay.length = h + n + t;
    replay.value = again;
    ck_assert_uint_eq(gss_unwrap(&minor, r.actx, &replay, &out, &conf,
                                 NULL),
                      GSS_S_BAD_SIG | GSS_S_DUPLICATE_TOKEN);
    ck_assert_uint_eq(minor, CREDSSP_S_REPLAYED);

    /* The context goes on, with nothing of the first message left. */
    ck_assert_uint_eq(gss_wrap(&minor, r.ictx, 1, GSS_C_QOP_DEFAULT, &in,
                               NULL, &wrapped), GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_unwrap(&minor, r.actx, &wrapped, &out, NULL,
                                 NULL), GSS_S_COMPLETE);
    ck_assert_uint_eq(out.length, in.length);
    ck_assert_int_eq(memcmp(out.value, next, in.length), 0);
    gss_release_buffer(&minor, &out);
    gss_release_buffer(&minor, &wrapped);
    teardown(&r);
}
END_TEST

/*
 * gss_wrap_iov with a HEADER or TRAILER shorter than gss_wrap_iov_length
 * said fails before TLS seals anything: DATA still holds the message, and
 * the next record is the one the peer expects (a record sealed and dropped
 * would be a gap in TLS's sequence numbers).
 */
START_TEST(test_iov_no_room)
{
    static const char msg[] = "<s:Envelope>no room</s:Envelope>";
    size_t n = sizeof(msg) - 1;
    struct hs_result r;
    gss_iov_buffer_desc iov[3];
    unsigned char hdr[64], data[64], trl[64];
    OM_uint32 minor;
    int which;

    setup(&r, configs[_i].mech, configs[_i].tls);
    iov[0].type = GSS_IOV_BUFFER_TYPE_HEADER;
    iov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
    iov[2].type = GSS_IOV_BUFFER_TYPE_TRAILER;
    for (which = 0; which < 2; which++) {
        iov[1].buffer.length = n;
        ck_assert_uint_eq(gss_wrap_iov_length(&minor, r.ictx, 1, 0, NULL,
                                              iov, 3), GSS_S_COMPLETE);
        iov[which == 0 ? 0 : 2].buffer.length--;
        iov[0].buffer.value = hdr;
        iov[1].buffer.value = data;
        iov[2].buffer.value = trl;
        memcpy(data, msg, n);
        ck_assert_uint_eq(gss_wrap_iov(&minor, r.ictx, 1, 0, NULL, iov, 3),
                          GSS_S_FAILURE);
        ck_assert_uint_eq(minor, CREDSSP_S_BAD_ARGS);
        ck_assert_int_eq(memcmp(data, msg, n), 0);
    }
    roundtrip(r.ictx, r.actx, 100);
    teardown(&r);
}
END_TEST

/* short_of: gss_unwrap_iov of HEADER | DATA | TRAILER that lack bytes is
 * CREDSSP_S_INCOMPLETE_MESSAGE, with that many for
 * GSS_CREDSSP_INQ_MISSING. */
static void
short_of(gss_ctx_id_t ctx, gss_iov_buffer_desc *iov, unsigned long bytes)
{
    OM_uint32 minor;

    ck_assert_uint_eq(gss_unwrap_iov(&minor, ctx, NULL, NULL, iov, 3),
                      GSS_S_DEFECTIVE_TOKEN);
    ck_assert_uint_eq(minor, CREDSSP_S_INCOMPLETE_MESSAGE);
    ck_assert_uint_eq(missing_count(ctx), bytes);
}

/* GSS_CREDSSP_INQ_MISSING after gss_unwrap_iov of HEADER | DATA | TRAILER
 * short of bytes says how many, whether they lie back to back (the record
 * read where it is) or apart (put together first), not what an earlier
 * gss_unwrap left; once the record is whole it unwraps and nothing is
 * missing. */
START_TEST(test_iov_missing)
{
    static const char msg[] = "<s:Envelope>missing</s:Envelope>";
    size_t n = sizeof(msg) - 1, h, t;
    struct hs_result r;
    gss_iov_buffer_desc iov[3];
    gss_buffer_desc tok, part, out = { 0, NULL };
    unsigned char hdr[64], data[64], trl[64];
    OM_uint32 minor;

    setup(&r, configs[_i].mech, configs[_i].tls);
    wrap_msg(r.ictx, msg, &tok);
    lay_iov(iov, NULL, 0, NULL, n, NULL, 0);
    ck_assert_uint_eq(gss_wrap_iov_length(&minor, r.ictx, 1, 0, NULL, iov,
                                          3), GSS_S_COMPLETE);
    h = iov[0].buffer.length;
    t = iov[2].buffer.length;
    ck_assert_uint_eq(tok.length, h + n + t);
    part.value = tok.value;
    part.length = 3;

    /* Apart, three bytes short. */
    ck_assert_uint_eq(gss_unwrap(&minor, r.actx, &part, &out, NULL, NULL),
                      GSS_S_DEFECTIVE_TOKEN);
    ck_assert_uint_eq(missing_count(r.actx), 2);
    memcpy(hdr, tok.value, h);
    memcpy(data, (char *)tok.value + h, n);
    memcpy(trl, (char *)tok.value + h + n, t);
    lay_iov(iov, hdr, h, data, n, trl, t - 3);
    short_of(r.actx, iov, 3);

    /* Back to back, four bytes short. */
    ck_assert_uint_eq(gss_unwrap(&minor, r.actx, &part, &out, NULL, NULL),
                      GSS_S_DEFECTIVE_TOKEN);
    ck_assert_uint_eq(missing_count(r.actx), 2);
    lay_iov(iov, tok.value, h, (char *)tok.value + h, n,
            (char *)tok.value + h + n, t - 4);
    short_of(r.actx, iov, 4);

    iov[2].buffer.length = t;
    ck_assert_uint_eq(gss_unwrap_iov(&minor, r.actx, NULL, NULL, iov, 3),
                      GSS_S_COMPLETE);
    ck_assert_int_eq(memcmp(iov[1].buffer.value, msg, n), 0);
    ck_assert_uint_eq(missing_count(r.actx), 0);
    gss_release_buffer(&minor, &tok);
    teardown(&r);
}
END_TEST

/* inside: whether p points into buf[0..len). */
static bool
inside(const void *p, const gss_buffer_desc *buf)
{
    const char *b = buf->value;

    return (const char *)p >= b && (const char *)p < b + buf->length;
}

/*
 * gss_unwrap_iov of one STREAM buffer with GSS_IOV_BUFFER_FLAG_ALLOCATE on
 * DATA: the message comes in a buffer of its own, flagged ALLOCATED, that
 * gss_release_buffer frees (not a pointer into the STREAM buffer, which
 * stays as it was).  A replay allocates nothing.
 */
START_TEST(test_stream_allocate)
{
    static const char msg[] = "<s:Envelope>allocate</s:Envelope>";
    size_t n = sizeof(msg) - 1;
    struct hs_result r;
    gss_iov_buffer_desc iov[2];
    gss_buffer_desc tok, stream;
    OM_uint32 minor;
    int conf = -1;

    setup(&r, configs[_i].mech, configs[_i].tls);
    wrap_msg(r.ictx, msg, &tok);
    copy_buf(&tok, &stream);
    iov[0].type = GSS_IOV_BUFFER_TYPE_STREAM;
    iov[0].buffer = stream;
    iov[1].type = GSS_IOV_BUFFER_TYPE_DATA | GSS_IOV_BUFFER_FLAG_ALLOCATE;
    iov[1].buffer.value = NULL;
    iov[1].buffer.length = 0;
    ck_assert_uint_eq(gss_unwrap_iov(&minor, r.actx, &conf, NULL, iov, 2),
                      GSS_S_COMPLETE);
    ck_assert_int_eq(conf, 1);
    ck_assert_uint_eq(iov[1].buffer.length, n);
    ck_assert_int_eq(memcmp(iov[1].buffer.value, msg, n), 0);
    ck_assert(iov[1].type & GSS_IOV_BUFFER_FLAG_ALLOCATED);
    ck_assert(!inside(iov[1].buffer.value, &stream));
    ck_assert_int_eq(memcmp(stream.value, tok.value, tok.length), 0);
    ck_assert_uint_eq(gss_release_buffer(&minor, &iov[1].buffer),
                      GSS_S_COMPLETE);

    /* The same record again: a replay, and nothing to free. */
    iov[1].type = GSS_IOV_BUFFER_TYPE_DATA | GSS_IOV_BUFFER_FLAG_ALLOCATE;
    ck_assert_uint_eq(gss_unwrap_iov(&minor, r.actx, &conf, NULL, iov, 2),
                      GSS_S_BAD_SIG | GSS_S_DUPLICATE_TOKEN);
    ck_assert_uint_eq(iov[1].type & GSS_IOV_BUFFER_FLAG_ALLOCATED, 0);
    ck_assert_ptr_null(iov[1].buffer.value);
    roundtrip(r.ictx, r.actx, 100);
    free(stream.value);
    gss_release_buffer(&minor, &tok);
    teardown(&r);
}
END_TEST

/* TLS versions and suites for gss_wrap_aead: the AEAD ones whose record
 * has the size gss_wrap_iov_length gives, and CBC and CCM_8, whose record
 * is shorter. */
static const struct {
    const char *tls;
    gss_OID option;
    const char *suite;
} aead_configs[] = {
    { "1.3", NULL, NULL },
    { "1.3", GSS_CREDSSP_OPT_TLS_CIPHERSUITES, "TLS_AES_128_CCM_8_SHA256" },
    { "1.2", NULL, NULL },
    { "1.2", GSS_CREDSSP_OPT_TLS_CIPHER_LIST, "AES128-SHA" },
};

/* aead_roundtrip: gss_wrap_aead on one side, gss_unwrap_aead on the
 * other, both with assoc (none, or empty): the token is one whole record
 * and nothing more, and the message comes out in a buffer of its own that
 * gss_release_buffer frees. */
static void
aead_roundtrip(gss_ctx_id_t from, gss_ctx_id_t to, gss_buffer_t assoc)
{
    static const char msg[] = "<s:Envelope>aead</s:Envelope>";
    gss_buffer_desc in = { sizeof(msg) - 1, (void *)msg };
    gss_buffer_desc tok = { 0, NULL }, out = { 0, NULL };
    const unsigned char *p;
    OM_uint32 major, minor;
    gss_qop_t qop = 7;
    int conf = 0;
    char text[600];

    major = gss_wrap_aead(&minor, from, 1, GSS_C_QOP_DEFAULT, assoc, &in,
                          &conf, &tok);
    hs_status_text(major, minor, text, sizeof(text));
    ck_assert_msg(major == GSS_S_COMPLETE, "gss_wrap_aead: %s", text);
    ck_assert_int_eq(conf, 1);
    p = tok.value;
    ck_assert_uint_gt(tok.length, 5);
    ck_assert_uint_eq(p[0], 23);
    ck_assert_uint_eq(tok.length, 5 + ((size_t)p[3] << 8 | p[4]));
    conf = -1;
    major = gss_unwrap_aead(&minor, to, &tok, assoc, &out, &conf, &qop);
    hs_status_text(major, minor, text, sizeof(text));
    ck_assert_msg(major == GSS_S_COMPLETE, "gss_unwrap_aead: %s", text);
    ck_assert_int_eq(conf, 1);
    ck_assert_uint_eq(qop, GSS_C_QOP_DEFAULT);
    ck_assert_uint_eq(out.length, in.length);
    ck_assert_int_eq(memcmp(out.value, msg, in.length), 0);
    ck_assert(!inside(out.value, &tok));
    ck_assert_uint_eq(gss_release_buffer(&minor, &out), GSS_S_COMPLETE);
    gss_release_buffer(&minor, &tok);
}

/*
 * gss_wrap_aead and gss_unwrap_aead without associated data (none, or an
 * empty buffer) are gss_wrap and gss_unwrap, with each TLS version and
 * with suites whose records are shorter than gss_wrap_iov_length says;
 * their tokens and gss_unwrap's are the same.  Associated data is
 * GSS_S_UNAVAILABLE: nothing is sealed or consumed (the record refused
 * then unwraps), and a SIGN_ONLY buffer is the same refusal.
 */
START_TEST(test_aead)
{
    gss_buffer_desc empty = { 0, NULL }, ad = { 6, (void *)"header" };
    gss_buffer_desc in = { 5, (void *)"hello" }, tok = { 1, NULL }, out;
    gss_iov_buffer_desc iov[4];
    struct hs_opts o = { 0 };
    struct hs_result r;
    OM_uint32 major, minor;
    int conf = -1;

    o.mech = "ntlm";
    o.tls_max = aead_configs[_i].tls;
    o.keep_ctx = true;
    o.init_extra[0].oid = o.acc_extra[0].oid = aead_configs[_i].option;
    o.init_extra[0].value = o.acc_extra[0].value = aead_configs[_i].suite;
    ck_assert_int_eq(hs_run_verbose(&o, &r), 0);
    if (aead_configs[_i].suite != NULL) {
        ck_assert_str_eq(r.cipher, aead_configs[_i].suite);
    }
    aead_roundtrip(r.ictx, r.actx, GSS_C_NO_BUFFER);
    aead_roundtrip(r.actx, r.ictx, &empty);
    ck_assert_uint_eq(gss_wrap_aead(&minor, r.ictx, 1, GSS_C_QOP_DEFAULT,
                                    GSS_C_NO_BUFFER, &in, NULL, &tok),
                      GSS_S_COMPLETE);
    unwrap_text(r.actx, &tok, "hello");
    gss_release_buffer(&minor, &tok);

    major = gss_wrap_aead(&minor, r.ictx, 1, GSS_C_QOP_DEFAULT, &ad, &in,
                          &conf, &tok);
    status_says(major, minor, GSS_S_UNAVAILABLE, CREDSSP_S_NO_ASSOC_DATA,
                "no associated data", (char *)NULL);
    ck_assert_uint_eq(tok.length, 0);
    wrap_msg(r.ictx, "after", &tok);
    out.length = 1;
    major = gss_unwrap_aead(&minor, r.actx, &tok, &ad, &out, &conf, NULL);
    status_says(major, minor, GSS_S_UNAVAILABLE, CREDSSP_S_NO_ASSOC_DATA,
                "no associated data", (char *)NULL);
    ck_assert_uint_eq(out.length, 0);
    ck_assert_int_eq(conf, 0);
    unwrap_text(r.actx, &tok, "after");
    gss_release_buffer(&minor, &tok);

    iov[0].type = GSS_IOV_BUFFER_TYPE_HEADER;
    iov[1].type = GSS_IOV_BUFFER_TYPE_SIGN_ONLY;
    iov[1].buffer = ad;
    iov[2].type = GSS_IOV_BUFFER_TYPE_DATA;
    iov[2].buffer = in;
    iov[3].type = GSS_IOV_BUFFER_TYPE_TRAILER;
    major = gss_wrap_iov_length(&minor, r.ictx, 1, 0, NULL, iov, 4);
    status_says(major, minor, GSS_S_UNAVAILABLE, CREDSSP_S_NO_ASSOC_DATA,
                "no associated data", (char *)NULL);
    roundtrip(r.ictx, r.actx, 100);
    teardown(&r);
}
END_TEST

/* gss_pseudo_random: both ends derive the same bytes from the TLS
 * exporter; other input or key kind, other bytes. */
START_TEST(test_prf)
{
    struct hs_result r;
    gss_buffer_desc in = { 4, (void *)"seed" }, in2 = { 4, (void *)"SEED" };
    gss_buffer_desc a, b, c, d;
    OM_uint32 minor;

    setup(&r, configs[_i].mech, configs[_i].tls);
    ck_assert_uint_eq(gss_pseudo_random(&minor, r.ictx, GSS_C_PRF_KEY_FULL,
                                        &in, 64, &a), GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_pseudo_random(&minor, r.actx, GSS_C_PRF_KEY_FULL,
                                        &in, 64, &b), GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_pseudo_random(&minor, r.actx, GSS_C_PRF_KEY_FULL,
                                        &in2, 64, &c), GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_pseudo_random(&minor, r.actx,
                                        GSS_C_PRF_KEY_PARTIAL, &in, 64, &d),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(a.length, 64);
    ck_assert_int_eq(memcmp(a.value, b.value, 64), 0);
    ck_assert_int_ne(memcmp(a.value, c.value, 64), 0);
    ck_assert_int_ne(memcmp(a.value, d.value, 64), 0);
    gss_release_buffer(&minor, &a);
    gss_release_buffer(&minor, &b);
    gss_release_buffer(&minor, &c);
    gss_release_buffer(&minor, &d);
    teardown(&r);
}
END_TEST

/* drive: runs init/accept until the initiator's last token, then gives
 * the acceptor that token with `after` appended; returns accept's major.
 * With wrap_after, `after` is a message the initiator wraps once it is
 * complete (what a stream peer sends right behind its credentials). */
static OM_uint32
drive(gss_ctx_id_t *ictx, gss_ctx_id_t *actx, int wrap_after, int at_leg,
      gss_buffer_t after, OM_uint32 *minor)
{
    const char *u = hs_env("CREDSSP_TEST_USER");
    const char *p = hs_env("CREDSSP_TEST_PASSWORD");
    gss_buffer_desc ub = { strlen(u), (void *)u }, pb = { strlen(p),
                                                          (void *)p };
    gss_buffer_desc tb = { 17, (void *)"TERMSRV@localhost" };
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    gss_buffer_desc c2s = { 0, NULL }, s2c = { 0, NULL }, in, framed;
    gss_buffer_desc msg = { 5, (void *)"hello" };
    gss_cred_id_t icred, acred;
    gss_name_t user, target;
    OM_uint32 major = GSS_S_FAILURE, imaj, tmp;
    int leg;

    gss_import_name(&tmp, &ub, GSS_C_NT_USER_NAME, &user);
    gss_import_name(&tmp, &tb, GSS_C_NT_HOSTBASED_SERVICE, &target);
    ck_assert_uint_eq(gss_acquire_cred_with_password(&tmp, user, &pb, 0,
                                                     &set, GSS_C_INITIATE,
                                                     &icred, NULL, NULL),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_acquire_cred(&tmp, GSS_C_NO_NAME, 0, &set,
                                       GSS_C_ACCEPT, &acred, NULL, NULL),
                      GSS_S_COMPLETE);
    for (leg = 0; leg < 10; leg++) {
        imaj = gss_init_sec_context(&tmp, icred, ictx, target,
                                    GSS_CREDSSP_MECH, 0, 0, NULL, &s2c,
                                    NULL, &c2s, NULL, NULL);
        gss_release_buffer(&tmp, &s2c);
        ck_assert(!GSS_ERROR(imaj));
        in = c2s;
        if (imaj == GSS_S_COMPLETE || leg == at_leg) {
            if (wrap_after) {
                ck_assert_uint_eq(gss_wrap(&tmp, *ictx, 1, 0, &msg, NULL,
                                           after), GSS_S_COMPLETE);
            }
            in.length = c2s.length + after->length;
            in.value = malloc(in.length);
            memcpy(in.value, c2s.value, c2s.length);
            memcpy((char *)in.value + c2s.length, after->value,
                   after->length);
        }
        if (leg == 0) {
            gss_credssp_frame_token(&tmp, &in, &framed);
        }
        major = gss_accept_sec_context(minor, actx, acred,
                                       leg == 0 ? &framed : &in, NULL, NULL,
                                       NULL, &s2c, NULL, NULL, NULL);
        if (leg == 0) {
            gss_release_buffer(&tmp, &framed);
        }
        if (in.value != c2s.value) {
            free(in.value);
        }
        gss_release_buffer(&tmp, &c2s);
        if (imaj == GSS_S_COMPLETE || leg == at_leg || GSS_ERROR(major)) {
            break;
        }
    }
    gss_release_buffer(&tmp, &s2c);
    gss_release_cred(&tmp, &icred);
    gss_release_cred(&tmp, &acred);
    gss_release_name(&tmp, &user);
    gss_release_name(&tmp, &target);
    return major;
}

/* Records right behind the credentials (a stream peer's first protected
 * data) are left to the caller, counted by GSS_CREDSSP_INQ_EXTRA, and
 * gss_unwrap opens them. */
START_TEST(test_extra_after_completion)
{
    gss_ctx_id_t ictx = GSS_C_NO_CONTEXT, actx = GSS_C_NO_CONTEXT;
    gss_buffer_desc after = { 0, NULL }, out;
    gss_buffer_set_t extra = GSS_C_NO_BUFFER_SET;
    OM_uint32 minor;
    char num[32] = "";

    ck_assert_uint_eq(drive(&ictx, &actx, 1, -1, &after, &minor),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_inquire_sec_context_by_oid(
                          &minor, actx, GSS_CREDSSP_INQ_EXTRA, &extra),
                      GSS_S_COMPLETE);
    memcpy(num, extra->elements[0].value, extra->elements[0].length);
    ck_assert_uint_eq(strtoul(num, NULL, 10), after.length);
    gss_release_buffer_set(&minor, &extra);
    ck_assert_uint_eq(gss_unwrap(&minor, actx, &after, &out, NULL, NULL),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(out.length, 5);
    ck_assert_int_eq(memcmp(out.value, "hello", 5), 0);
    gss_release_buffer(&minor, &out);
    gss_release_buffer(&minor, &after);
    gss_delete_sec_context(&minor, &ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&minor, &actx, GSS_C_NO_BUFFER);
}
END_TEST

/* A record behind a TSRequest the acceptor must answer first breaks the
 * one-message-per-leg rule. */
START_TEST(test_pipelined_message)
{
    gss_ctx_id_t ictx = GSS_C_NO_CONTEXT, actx = GSS_C_NO_CONTEXT;
    unsigned char junk[21] = { 23, 3, 3, 0, 16 };
    gss_buffer_desc after = { sizeof(junk), junk };
    OM_uint32 minor;

    /* Leg 2 is the initiator's first TSRequest at TLS 1.3. */
    ck_assert_uint_eq(drive(&ictx, &actx, 0, 2, &after, &minor),
                      GSS_S_DEFECTIVE_TOKEN);
    ck_assert_uint_eq(minor, CREDSSP_S_SPLIT_RECORD);
    gss_delete_sec_context(&minor, &ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&minor, &actx, GSS_C_NO_BUFFER);
}
END_TEST

/* No MIC tokens in CredSSP; wrap before completion is refused. */
START_TEST(test_unavailable)
{
    struct hs_result r;
    gss_buffer_desc msg = { 2, (void *)"hi" }, tok;
    OM_uint32 minor;

    setup(&r, "kerberos", NULL);
    ck_assert_uint_eq(gss_get_mic(&minor, r.ictx, 0, &msg, &tok),
                      GSS_S_UNAVAILABLE);
    ck_assert_uint_eq(minor, CREDSSP_S_NO_MIC);
    ck_assert_uint_eq(gss_verify_mic(&minor, r.actx, &msg, &msg, NULL),
                      GSS_S_UNAVAILABLE);
    teardown(&r);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("wrap");
    TCase *tc = tcase_create("wrap");
    int n = sizeof(configs) / sizeof(configs[0]);

    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_roundtrip, 0, n);
    tcase_add_loop_test(tc, test_size_limit, 0, n);
    tcase_add_test(tc, test_bad_qop);
    tcase_add_test(tc, test_too_large);
    tcase_add_loop_test(tc, test_stream_and_attacks, 0, n);
    tcase_add_loop_test(tc, test_incomplete_header, 0, 4 * n);
    tcase_add_loop_test(tc, test_replay_ring, 0, n);
    tcase_add_loop_test(tc, test_replay_status, 0, n);
    tcase_add_loop_test(tc, test_altered_not_replay, 0, n);
    tcase_add_loop_test(tc, test_reorder, 0, n);
    tcase_add_loop_test(tc, test_close_notify, 0, n);
    tcase_add_test(tc, test_unavailable);
    tcase_add_loop_test(tc, test_iov, 0, n);
    tcase_add_loop_test(tc, test_iov_split_mismatch, 0, 2 * n);
    tcase_add_loop_test(tc, test_iov_no_room, 0, n);
    tcase_add_loop_test(tc, test_iov_missing, 0, n);
    tcase_add_loop_test(tc, test_stream_allocate, 0, n);
    tcase_add_loop_test(tc, test_aead, 0,
                        sizeof(aead_configs) / sizeof(aead_configs[0]));
    tcase_add_loop_test(tc, test_prf, 0, n);
    tcase_add_test(tc, test_extra_after_completion);
    tcase_add_test(tc, test_pipelined_message);
    suite_add_tcase(s, tc);
    return check_run(s, false);
}
