/* SPDX-License-Identifier: MIT */
/*
 * test_winrm.c - WinRM's CredSSP message encryption on real contexts:
 * SOAP bodies of 0 B, 1 B, 16 KiB and 1 MiB both ways, one part or 16 KiB
 * chunks, and the trailer length the negotiated cipher gives (16 for
 * AES-GCM at TLS 1.2, 17 at TLS 1.3).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "hs.h"
#include "winrm.h"
#include "../check_run.h"

static const struct {
    const char *mech, *tls;
    uint32_t trailer;
} configs[] = {
    { "ntlm", "1.3", 17 }, { "ntlm", "1.2", 16 },
    { "kerberos", "1.3", 17 }, { "kerberos", "1.2", 16 },
};

/* one_way: a body through build on one side and parse on the other. */
static void
one_way(gss_ctx_id_t from, gss_ctx_id_t to, size_t len, uint32_t trailer)
{
    uint8_t *body = calloc(1, len + 1), *wire, *back = NULL;
    size_t wire_len, back_len = 0, i;
    const char *ctype;
    uint32_t tl = 0;
    char err[200] = "";

    for (i = 0; i < len; i++) {
        body[i] = (uint8_t)"<s:Envelope/>"[i % 13];
    }
    ck_assert_int_eq(winrm_build(from, body, len, &wire, &wire_len, &ctype,
                                 &tl), 0);
    ck_assert_msg(strncmp(ctype, len > WINRM_CHUNK
                                     ? "multipart/x-multi-encrypted"
                                     : "multipart/encrypted;",
                          19) == 0,
                  "%s", ctype);
    if (len > 0) {
        ck_assert_uint_eq(tl, trailer);
    }
    ck_assert_msg(winrm_parse(to, wire, wire_len, ctype, &back, &back_len,
                              err, sizeof(err)) == 0,
                  "%s", err);
    ck_assert_uint_eq(back_len, len);
    ck_assert(len == 0 || memcmp(back, body, len) == 0);
    free(body);
    free(wire);
    free(back);
}

START_TEST(test_bodies)
{
    static const size_t sizes[] = { 0, 1, 16384, 1 << 20 };
    struct hs_opts o = { 0 };
    struct hs_result r;
    OM_uint32 minor;
    size_t i;

    o.mech = configs[_i].mech;
    o.tls_max = configs[_i].tls;
    o.keep_ctx = true;
    ck_assert_int_eq(hs_run(&o, &r), 0);
    ck_assert_str_eq(r.cipher, strcmp(configs[_i].tls, "1.3") == 0
                                   ? "TLS_AES_256_GCM_SHA384"
                                   : "ECDHE-RSA-AES256-GCM-SHA384");
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        one_way(r.ictx, r.actx, sizes[i], configs[_i].trailer);
        one_way(r.actx, r.ictx, sizes[i], configs[_i].trailer);
    }
    gss_release_name(&minor, &r.src);
    gss_delete_sec_context(&minor, &r.ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&minor, &r.actx, GSS_C_NO_BUFFER);
}
END_TEST

/* A body changed in transit does not parse. */
START_TEST(test_tampered_body)
{
    struct hs_opts o = { 0 };
    struct hs_result r;
    uint8_t *wire, *back = NULL;
    size_t wire_len, back_len;
    const char *ctype;
    uint32_t tl;
    char err[200];
    OM_uint32 minor;

    o.keep_ctx = true;
    ck_assert_int_eq(hs_run(&o, &r), 0);
    ck_assert_int_eq(winrm_build(r.ictx, (const uint8_t *)"<Body/>", 7,
                                 &wire, &wire_len, &ctype, &tl), 0);
    wire[wire_len - 30] ^= 1;
    ck_assert_int_ne(winrm_parse(r.actx, wire, wire_len, ctype, &back,
                                 &back_len, err, sizeof(err)), 0);
    free(wire);
    gss_release_name(&minor, &r.src);
    gss_delete_sec_context(&minor, &r.ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&minor, &r.actx, GSS_C_NO_BUFFER);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("winrm");
    TCase *tc = tcase_create("winrm");

    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_bodies, 0,
                        sizeof(configs) / sizeof(configs[0]));
    tcase_add_test(tc, test_tampered_body);
    suite_add_tcase(s, tc);
    return check_run(s, false);
}
