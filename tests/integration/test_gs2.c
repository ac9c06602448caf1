/* SPDX-License-Identifier: MIT */
/*
 * test_gs2.c - GSS_CREDSSP_GS2_MECH, the OID for SASL GS2, through the real
 * mechglue: its first token is always framed and the main OID's never is,
 * the acceptor's confirmation is the last token and the initiator needs
 * it, contexts report the OID they run under, a default credential names
 * its principal through gss_inquire_context (what a GS2 client displays),
 * an initiator credential without a password fails at acquire time when
 * nothing can be had (so SASL asks for a password), and the SASL names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "hs.h"

#define REALM "CREDSSP.TEST"

/* GS2's request (Cyrus SASL's gs2 plugin): mutual and sequence. */
#define GS2_FLAGS (GSS_C_MUTUAL_FLAG | GSS_C_SEQUENCE_FLAG)

/* mech_of: the mechanism gss_inquire_context reports for ctx. */
static gss_OID
mech_of(gss_ctx_id_t ctx)
{
    gss_OID mech = GSS_C_NO_OID;
    OM_uint32 minor;

    ck_assert_uint_eq(gss_inquire_context(&minor, ctx, NULL, NULL, NULL,
                                          &mech, NULL, NULL, NULL),
                      GSS_S_COMPLETE);
    return mech;
}

/* check_name: name displays as text. */
static void
check_name(gss_name_t name, const char *text)
{
    gss_buffer_desc b = { 0, NULL };
    OM_uint32 minor;

    ck_assert_ptr_ne(name, GSS_C_NO_NAME);
    ck_assert_uint_eq(gss_display_name(&minor, name, &b, NULL),
                      GSS_S_COMPLETE);
    ck_assert_msg(b.length == strlen(text) &&
                      memcmp(b.value, text, b.length) == 0,
                  "name \"%.*s\", want \"%s\"", (int)b.length,
                  (char *)b.value, text);
    gss_release_buffer(&minor, &b);
}

/*
 * The whole exchange under the GS2 OID, as GS2 runs it (the acceptor gets
 * the first token as it came: no gss_credssp_frame_token): one token more
 * than the main OID's (the confirmation), the same inner and outer
 * results, both contexts under the GS2 OID, no delegation without
 * GSS_C_DELEG_FLAG.  _i: TLS 1.3, then 1.2.
 */
START_TEST(test_gs2_handshake)
{
    const char *tls[2] = { "1.3", "1.2" };
    struct hs_opts o = { 0 };
    struct hs_result main_r, r;

    o.mech = "kerberos";
    o.tls_max = tls[_i];
    o.req_flags = GS2_FLAGS;
    ck_assert_int_eq(hs_run_verbose(&o, &main_r), 0);
    ck_assert_uint_eq(main_r.first_byte, 0x16);

    o.mech_oid = GSS_CREDSSP_GS2_MECH;
    o.raw_first = true;
    o.keep_ctx = true;
    ck_assert_int_eq(hs_run_verbose(&o, &r), 0);
    ck_assert_uint_eq(r.first_byte, 0x60);
    ck_assert_int_eq(r.legs, main_r.legs + 1);
    ck_assert_str_eq(r.inner_mech, "kerberos");
    ck_assert_str_eq(r.version, "6");
    ck_assert_str_eq(r.src_name, "alice@" REALM);
    ck_assert_uint_eq(r.init_flags & GS2_FLAGS, GS2_FLAGS);
    ck_assert_uint_eq(r.acc_flags & GSS_C_SEQUENCE_FLAG,
                      GSS_C_SEQUENCE_FLAG);
    ck_assert(!r.delegated);
    ck_assert_uint_eq(r.acc_flags & GSS_C_DELEG_FLAG, 0);
    ck_assert(gss_oid_equal(mech_of(r.ictx), GSS_CREDSSP_GS2_MECH));
    ck_assert(gss_oid_equal(mech_of(r.actx), GSS_CREDSSP_GS2_MECH));
    hs_release(&r);
}
END_TEST

/* A GSS application that asks for delegation gets it under the GS2 OID
 * too (SASL GS2 never asks). */
START_TEST(test_gs2_delegation)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech_oid = GSS_CREDSSP_GS2_MECH;
    o.raw_first = true;
    o.req_flags = GS2_FLAGS | GSS_C_DELEG_FLAG;
    ck_assert_int_eq(hs_run_verbose(&o, &r), 0);
    ck_assert(r.delegated);
    ck_assert_str_eq(r.deleg_user, "alice");
}
END_TEST

/*
 * first_token: the initiator's first token under mech, for
 * host@localhost, with the fixture user's password.
 */
static void
first_token(gss_OID mech, gss_cred_id_t *cred, gss_ctx_id_t *ctx,
            gss_buffer_t tok)
{
    struct hs_opts o = { 0 };
    const char *t = "host@localhost";
    gss_buffer_desc tb = { strlen(t), (void *)t };
    gss_name_t target = GSS_C_NO_NAME;
    OM_uint32 minor;

    o.mech_oid = mech;
    ck_assert_uint_eq(hs_init_cred(&o, cred, &minor), GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_import_name(&minor, &tb,
                                      GSS_C_NT_HOSTBASED_SERVICE, &target),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_init_sec_context(&minor, *cred, ctx, target, mech,
                                           GS2_FLAGS, 0, NULL, NULL, NULL,
                                           tok, NULL, NULL),
                      GSS_S_CONTINUE_NEEDED);
    gss_release_name(&minor, &target);
}

/*
 * ITOK_FRAMED is true of the GS2 OID and not of the main one: the GS2
 * initiator's first token is the RFC 2743 header with the GS2 OID around a
 * TLS ClientHello; the main OID's is the bare ClientHello.
 */
START_TEST(test_gs2_first_token)
{
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
    gss_buffer_desc tok = { 0, NULL }, inner = { 0, NULL };
    OM_uint32 minor;

    first_token(GSS_CREDSSP_GS2_MECH, &cred, &ctx, &tok);
    ck_assert_uint_gt(tok.length, 40);
    ck_assert_uint_eq(((unsigned char *)tok.value)[0], 0x60);
    ck_assert_uint_eq(gss_decapsulate_token(&tok, GSS_CREDSSP_MECH, &inner),
                      GSS_S_DEFECTIVE_TOKEN);
    ck_assert_uint_eq(gss_decapsulate_token(&tok, GSS_CREDSSP_GS2_MECH,
                                            &inner),
                      GSS_S_COMPLETE);
    ck_assert_uint_gt(inner.length, 5);
    ck_assert_uint_eq(((unsigned char *)inner.value)[0], 0x16);
    gss_release_buffer(&minor, &inner);
    gss_release_buffer(&minor, &tok);
    gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
    gss_release_cred(&minor, &cred);

    first_token(GSS_CREDSSP_MECH, &cred, &ctx, &tok);
    ck_assert_uint_eq(((unsigned char *)tok.value)[0], 0x16);
    gss_release_buffer(&minor, &tok);
    gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
    gss_release_cred(&minor, &cred);
}
END_TEST

/*
 * The confirmation is what completes a GS2 initiator: against an acceptor
 * that runs the main OID's exchange (the first token re-framed with the
 * main OID), the acceptor completes on authInfo with nothing to send and
 * the initiator is still waiting.
 */
START_TEST(test_gs2_needs_confirmation)
{
    struct hs_opts o = { 0 };
    gss_cred_id_t icred = GSS_C_NO_CREDENTIAL, acred = GSS_C_NO_CREDENTIAL;
    gss_ctx_id_t ictx = GSS_C_NO_CONTEXT, actx = GSS_C_NO_CONTEXT;
    gss_buffer_desc c2s = { 0, NULL }, s2c = { 0, NULL }, bare, framed;
    OM_uint32 imaj = GSS_S_CONTINUE_NEEDED, amaj, minor, t = 0;
    const char *tn = "host@localhost";
    gss_buffer_desc tb = { strlen(tn), (void *)tn };
    gss_name_t target = GSS_C_NO_NAME;
    int i;

    first_token(GSS_CREDSSP_GS2_MECH, &icred, &ictx, &c2s);
    ck_assert_uint_eq(hs_acc_cred(&o, &acred, &minor), GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_decapsulate_token(&c2s, GSS_CREDSSP_GS2_MECH,
                                            &bare),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_credssp_frame_token(&minor, &bare, &framed),
                      GSS_S_COMPLETE);
    gss_release_buffer(&minor, &bare);
    gss_release_buffer(&minor, &c2s);
    c2s = framed;
    ck_assert_uint_eq(gss_import_name(&minor, &tb,
                                      GSS_C_NT_HOSTBASED_SERVICE, &target),
                      GSS_S_COMPLETE);
    for (i = 0; i < 16; i++) {
        amaj = gss_accept_sec_context(&minor, &actx, acred, &c2s, NULL,
                                      NULL, NULL, &s2c, NULL, NULL, NULL);
        gss_release_buffer(&minor, &c2s);
        ck_assert_msg(!GSS_ERROR(amaj), "accept 0x%x/0x%x", amaj, minor);
        if (amaj == GSS_S_COMPLETE) {
            break;
        }
        imaj = gss_init_sec_context(&minor, icred, &ictx, target,
                                    GSS_CREDSSP_GS2_MECH, GS2_FLAGS, 0,
                                    NULL, &s2c, NULL, &c2s, NULL, NULL);
        gss_release_buffer(&minor, &s2c);
        ck_assert_msg(!GSS_ERROR(imaj), "init 0x%x/0x%x", imaj, minor);
    }
    ck_assert_uint_eq(amaj, GSS_S_COMPLETE);
    ck_assert(gss_oid_equal(mech_of(actx), GSS_CREDSSP_MECH));
    ck_assert_uint_eq(s2c.length, 0);
    ck_assert_uint_eq(imaj, GSS_S_CONTINUE_NEEDED);
    ck_assert_uint_eq(gss_context_time(&minor, ictx, &t), GSS_S_NO_CONTEXT);
    gss_release_name(&minor, &target);
    gss_delete_sec_context(&minor, &ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&minor, &actx, GSS_C_NO_BUFFER);
    gss_release_cred(&minor, &icred);
    gss_release_cred(&minor, &acred);
}
END_TEST

/*
 * A default initiator credential (the ccache) names its principal through
 * gss_inquire_context once the context is complete: a GS2 client displays
 * that name (it failed with "A required input parameter could not be
 * read" when no name came back).
 */
START_TEST(test_gs2_default_cred_context_name)
{
    gss_OID_set_desc set = { 1, GSS_CREDSSP_GS2_MECH };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    gss_name_t src = GSS_C_NO_NAME;
    struct hs_opts o = { 0 };
    struct hs_result r;
    OM_uint32 minor;

    hs_kinit();
    ck_assert_uint_eq(gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &set,
                                       GSS_C_INITIATE, &cred, NULL, NULL),
                      GSS_S_COMPLETE);
    o.init_cred = cred;
    o.mech_oid = GSS_CREDSSP_GS2_MECH;
    o.raw_first = true;
    o.req_flags = GS2_FLAGS;
    o.keep_ctx = true;
    ck_assert_int_eq(hs_run_verbose(&o, &r), 0);
    ck_assert_uint_eq(gss_inquire_context(&minor, r.ictx, &src, NULL, NULL,
                                          NULL, NULL, NULL, NULL),
                      GSS_S_COMPLETE);
    check_name(src, "alice@" REALM);
    gss_release_name(&minor, &src);
    hs_release(&r);
    gss_release_cred(&minor, &cred);
}
END_TEST

/*
 * With no ticket and no NTLM credential, acquiring a GS2 initiator
 * credential without a password fails (GSS_S_NO_CRED: SASL then asks for
 * a password), while the main OID keeps acquiring lazily; with a
 * password, the GS2 acquire succeeds.
 */
START_TEST(test_gs2_acquire_needs_cred)
{
    gss_OID_set_desc gs2 = { 1, GSS_CREDSSP_GS2_MECH };
    gss_OID_set_desc mainset = { 1, GSS_CREDSSP_MECH };
    const char *user = hs_env("CREDSSP_TEST_USER");
    const char *pw = hs_env("CREDSSP_TEST_PASSWORD");
    gss_buffer_desc ub = { strlen(user), (void *)user };
    gss_buffer_desc pb = { strlen(pw), (void *)pw };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    gss_name_t name = GSS_C_NO_NAME;
    char cc[4096], old_cc[4096], old_users[4096];
    OM_uint32 major, minor;

    /* valgrind runs the tests in one process: put the environment back
     * at the end. */
    snprintf(old_cc, sizeof(old_cc), "%s", hs_env("KRB5CCNAME"));
    snprintf(old_users, sizeof(old_users), "%s", hs_env("NTLM_USER_FILE"));
    snprintf(cc, sizeof(cc), "FILE:%s/no-such-ccache",
             hs_env("CREDSSP_TEST_DIR"));
    ck_assert_int_eq(setenv("KRB5CCNAME", cc, 1), 0);
    ck_assert_int_eq(unsetenv("NTLM_USER_FILE"), 0);
    ck_assert_uint_eq(gss_import_name(&minor, &ub, GSS_C_NT_USER_NAME,
                                      &name),
                      GSS_S_COMPLETE);
    major = gss_acquire_cred(&minor, name, 0, &gs2, GSS_C_INITIATE, &cred,
                             NULL, NULL);
    ck_assert_uint_eq(major, GSS_S_NO_CRED);
    ck_assert_ptr_eq(cred, GSS_C_NO_CREDENTIAL);
    major = gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &gs2, GSS_C_INITIATE,
                             &cred, NULL, NULL);
    ck_assert_uint_eq(major, GSS_S_NO_CRED);
    ck_assert_uint_eq(minor, CREDSSP_S_NO_INNER_CRED);

    ck_assert_uint_eq(gss_acquire_cred(&minor, name, 0, &mainset,
                                       GSS_C_INITIATE, &cred, NULL, NULL),
                      GSS_S_COMPLETE);
    gss_release_cred(&minor, &cred);
    ck_assert_uint_eq(gss_acquire_cred_with_password(&minor, name, &pb, 0,
                                                     &gs2, GSS_C_INITIATE,
                                                     &cred, NULL, NULL),
                      GSS_S_COMPLETE);
    gss_release_cred(&minor, &cred);
    gss_release_name(&minor, &name);
    ck_assert_int_eq(setenv("KRB5CCNAME", old_cc, 1), 0);
    ck_assert_int_eq(setenv("NTLM_USER_FILE", old_users, 1), 0);
}
END_TEST

/*
 * SASL names: the GS2 OID's is the one RFC 5801 derives (the mechglue
 * computes it, and maps it back); the main OID has none, so GS2 does not
 * offer a mechanism whose bare first token it cannot carry.
 */
START_TEST(test_gs2_sasl_name)
{
    gss_buffer_desc sasl = { 0, NULL };
    gss_OID back = GSS_C_NO_OID;
    OM_uint32 minor;

    ck_assert_uint_eq(gss_inquire_saslname_for_mech(&minor,
                                                    GSS_CREDSSP_GS2_MECH,
                                                    &sasl, NULL, NULL),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(sasl.length, strlen(GSS_CREDSSP_GS2_SASL_NAME));
    ck_assert_int_eq(memcmp(sasl.value, GSS_CREDSSP_GS2_SASL_NAME,
                            sasl.length), 0);
    ck_assert_uint_eq(gss_inquire_mech_for_saslname(&minor, &sasl, &back),
                      GSS_S_COMPLETE);
    ck_assert(gss_oid_equal(back, GSS_CREDSSP_GS2_MECH));
    gss_release_buffer(&minor, &sasl);

    ck_assert_uint_eq(gss_inquire_saslname_for_mech(&minor, GSS_CREDSSP_MECH,
                                                    &sasl, NULL, NULL),
                      GSS_S_BAD_MECH);
    ck_assert_uint_eq(sasl.length, 0);
}
END_TEST

/* The header's dotted form is the mechglue's reading of its bytes. */
START_TEST(test_gs2_dotted)
{
    gss_buffer_desc text = { strlen(GSS_CREDSSP_GS2_MECH_OID_DOTTED),
                             (void *)GSS_CREDSSP_GS2_MECH_OID_DOTTED };
    gss_OID oid = GSS_C_NO_OID;
    OM_uint32 minor;

    ck_assert_uint_eq(gss_str_to_oid(&minor, &text, &oid), GSS_S_COMPLETE);
    ck_assert(gss_oid_equal(oid, GSS_CREDSSP_GS2_MECH));
    gss_release_oid(&minor, &oid);
}
END_TEST

static Suite *
gs2_suite(void)
{
    Suite *s = suite_create("gs2");
    TCase *tc = tcase_create("gs2");

    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_gs2_handshake, 0, 2);
    tcase_add_test(tc, test_gs2_delegation);
    tcase_add_test(tc, test_gs2_first_token);
    tcase_add_test(tc, test_gs2_needs_confirmation);
    tcase_add_test(tc, test_gs2_default_cred_context_name);
    tcase_add_test(tc, test_gs2_acquire_needs_cred);
    tcase_add_test(tc, test_gs2_sasl_name);
    tcase_add_test(tc, test_gs2_dotted);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return hs_main(gs2_suite());
}
