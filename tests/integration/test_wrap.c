/*
 * test_wrap.c - message protection on an established CredSSP context:
 * gss_wrap / gss_unwrap both ways after Kerberos and NTLM at TLS 1.2 and
 * 1.3, record sizes, partial records, replay, tampering, reordering,
 * close_notify, and the MIC calls CredSSP does not have.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "hs.h"


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
    ck_assert_uint_eq(gss_unwrap(&minor, to, &wrapped, &out, &conf, NULL),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(out.length, len);
    ck_assert_int_eq(memcmp(out.value, in.value, len), 0);
    gss_release_buffer(&minor, &out);
    gss_release_buffer(&minor, &wrapped);
    free(in.value);
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
    in.length = 16385;
    ck_assert_uint_eq(gss_wrap(&minor, r.ictx, 1, GSS_C_QOP_DEFAULT, &in,
                               NULL, &wrapped), GSS_S_FAILURE);
    ck_assert_uint_eq(minor, CREDSSP_S_TLS_TOO_LARGE);
    ck_assert_uint_eq(gss_wrap(&minor, r.ictx, 1, 1, &in, NULL, &wrapped),
                      GSS_S_BAD_QOP);
    free(buf);
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
    ck_assert_uint_eq(strtoul(missing->elements[0].value, NULL, 10),
                      b.length - 7);
    gss_release_buffer_set(&minor, &missing);

    ck_assert_uint_eq(gss_unwrap(&minor, r.actx, &both, &out, NULL, NULL),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(out.length, 12);
    ck_assert_int_eq(memcmp(out.value, "first;second", 12), 0);
    gss_release_buffer(&minor, &out);

    /* A replay is named and dropped; the context goes on. */
    major = gss_unwrap(&minor, r.actx, &b, &out, NULL, NULL);
    ck_assert_uint_eq(major, GSS_S_DUPLICATE_TOKEN);
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
 * then says the context is closed. */
START_TEST(test_close_notify)
{
    struct hs_result r;
    gss_buffer_desc token, out;
    OM_uint32 minor;

    setup(&r, configs[_i].mech, configs[_i].tls);
    ck_assert_uint_eq(gss_delete_sec_context(&minor, &r.ictx, &token),
                      GSS_S_COMPLETE);
    ck_assert_uint_gt(token.length, 5);
    ck_assert_uint_eq(((unsigned char *)token.value)[0],
                      _i % 2 == 0 ? 23 : 21);
    ck_assert_uint_eq(gss_unwrap(&minor, r.actx, &token, &out, NULL, NULL),
                      GSS_S_CONTEXT_EXPIRED);
    ck_assert_uint_eq(minor, CREDSSP_S_TLS_CLOSED);
    gss_release_buffer(&minor, &token);
    teardown(&r);
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
    SRunner *sr;
    int failed, n = sizeof(configs) / sizeof(configs[0]);

    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_roundtrip, 0, n);
    tcase_add_loop_test(tc, test_size_limit, 0, n);
    tcase_add_loop_test(tc, test_stream_and_attacks, 0, n);
    tcase_add_loop_test(tc, test_reorder, 0, n);
    tcase_add_loop_test(tc, test_close_notify, 0, n);
    tcase_add_test(tc, test_unavailable);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
