/* SPDX-License-Identifier: MIT */
/*
 * registration.c - how the mechanism registers with MIT's mechglue, seen
 * through the real mechglue (GSS_MECH_CONFIG from the fixture lists the
 * module built here under both its OIDs, and gss-ntlmssp): both are
 * listed, each advertises exactly the RFC 5587 attributes of doc/design.md 3.4
 * (compared with the mechglue's own GSS_C_MA_* OIDs, which also proves the
 * hand-written bytes in mech/gss_misc.c), with GSS_C_MA_ITOK_FRAMED for the
 * GS2 OID only, SPNEGO never offers either, default credentials never
 * include either, and the minor codes display with their SSPI names.
 */
#define _GNU_SOURCE /* memmem */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>

#include "gssapi/gssapi_credssp.h"
#include "hs.h"
#include "../check_run.h"

static gss_OID_desc spnego_oid = { 6, (void *)"\x2b\x06\x01\x05\x05\x02" };
static gss_OID_desc krb5_oid = {
    9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"
};

/*
 * check_major: asserts a GSS call succeeded, with both status texts when
 * it did not.
 */
static void
check_major(const char *what, OM_uint32 major, OM_uint32 minor)
{
    char text[512];

    if (major != GSS_S_COMPLETE) {
        hs_status_text(major, minor, text, sizeof(text));
        ck_abort_msg("%s: 0x%x/0x%x: %s", what, major, minor, text);
    }
}

/*
 * one_set: a one-element OID set (static storage, not to be released).
 */
static gss_OID_set
one_set(gss_OID_set_desc *desc, gss_OID oid)
{
    desc->count = 1;
    desc->elements = oid;
    return desc;
}

/*
 * import: a name of the given type.
 */
static gss_name_t
import(const char *text, gss_OID type)
{
    gss_buffer_desc b = { strlen(text), (void *)text };
    gss_name_t name = GSS_C_NO_NAME;
    OM_uint32 major, minor;

    major = gss_import_name(&minor, &b, type, &name);
    check_major("gss_import_name", major, minor);
    return name;
}

/*
 * password_cred: an initiator credential for the fixture's user, from the
 * password, for one mechanism.
 */
static gss_cred_id_t
password_cred(gss_OID mech)
{
    const char *pw = hs_env("CREDSSP_TEST_PASSWORD");
    gss_buffer_desc pwbuf = { strlen(pw), (void *)pw };
    gss_name_t user = import(hs_env("CREDSSP_TEST_USER"),
                             GSS_C_NT_USER_NAME);
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    gss_OID_set_desc set;
    OM_uint32 major, minor;

    major = gss_acquire_cred_with_password(&minor, user, &pwbuf, 0,
                                           one_set(&set, mech),
                                           GSS_C_INITIATE, &cred, NULL,
                                           NULL);
    check_major("gss_acquire_cred_with_password", major, minor);
    gss_release_name(&minor, &user);
    return cred;
}

/*
 * kinit: the equivalent of `kinit alice`: a TGT from the password, stored
 * as the default credential in the fixture's ccache.
 */
static void
kinit(void)
{
    gss_cred_id_t cred = password_cred(&krb5_oid);
    OM_uint32 major, minor;

    major = gss_store_cred(&minor, cred, GSS_C_INITIATE, &krb5_oid, 1, 1,
                           NULL, NULL);
    check_major("gss_store_cred", major, minor);
    gss_release_cred(&minor, &cred);
}

/*
 * spnego_token: the first SPNEGO initiator token (a NegTokenInit) for
 * host@localhost with the given credential.
 */
static void
spnego_token(gss_cred_id_t cred, gss_buffer_t out)
{
    gss_name_t target = import("host@localhost", GSS_C_NT_HOSTBASED_SERVICE);
    gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
    OM_uint32 major, minor;

    major = gss_init_sec_context(&minor, cred, &ctx, target, &spnego_oid,
                                 GSS_C_MUTUAL_FLAG, 0,
                                 GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER,
                                 NULL, out, NULL, NULL);
    if (major != GSS_S_CONTINUE_NEEDED) {
        check_major("gss_init_sec_context(SPNEGO)", major, minor);
    }
    ck_assert_uint_gt(out->length, 0);
    gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
    gss_release_name(&minor, &target);
}

/*
 * check_negtokeninit: SPNEGO's mechanism list offers krb5 and nothing of
 * ours: neither the mechanism OID nor any OID under our base.
 */
static void
check_negtokeninit(const gss_buffer_t tok)
{
    ck_assert_ptr_nonnull(memmem(tok->value, tok->length,
                                 spnego_oid.elements, spnego_oid.length));
    ck_assert_msg(memmem(tok->value, tok->length, krb5_oid.elements,
                         krb5_oid.length) != NULL,
                  "krb5's OID is not in the NegTokenInit");
    ck_assert_msg(memmem(tok->value, tok->length,
                         GSS_CREDSSP_MECH_OID_STRING,
                         GSS_CREDSSP_MECH_OID_LENGTH) == NULL,
                  "SPNEGO offers CredSSP");
    ck_assert_msg(memmem(tok->value, tok->length, GSS_CREDSSP_OID_BASE_STRING,
                         GSS_CREDSSP_OID_BASE_LENGTH) == NULL,
                  "SPNEGO's token carries our OID base");
}

/* Both OIDs the module registers; _i of the loop tests. */
static const gss_OID our_mechs[2] = { GSS_CREDSSP_MECH,
                                      GSS_CREDSSP_GS2_MECH };

/* gss_indicate_mechs lists both OIDs of the module (and it loads). */
START_TEST(test_indicate_mechs)
{
    gss_OID_set mechs = GSS_C_NO_OID_SET;
    OM_uint32 major, minor;
    int present = 0;
    size_t i;

    major = gss_indicate_mechs(&minor, &mechs);
    check_major("gss_indicate_mechs", major, minor);
    for (i = 0; i < 2; i++) {
        major = gss_test_oid_set_member(&minor, our_mechs[i], mechs,
                                        &present);
        check_major("gss_test_oid_set_member", major, minor);
        ck_assert_msg(present, "gss_indicate_mechs does not list OID %zu",
                      i);
    }
    major = gss_test_oid_set_member(&minor, &krb5_oid, mechs, &present);
    check_major("gss_test_oid_set_member", major, minor);
    ck_assert(present);
    gss_release_oid_set(&minor, &mechs);
}
END_TEST

/* Exactly doc/design.md 3.4's attributes (with the protection ones, now
 * that gss_wrap exists), never MECH_NEGO; ITOK_FRAMED for the GS2 OID
 * (_i 1) and never for the main one (_i 0), whose first token is bare. */
START_TEST(test_attrs_for_mech)
{
    gss_const_OID want[] = {
        GSS_C_MA_MECH_COMPOSITE, GSS_C_MA_NOT_DFLT_MECH,
        GSS_C_MA_AUTH_INIT,      GSS_C_MA_AUTH_TARG,
        GSS_C_MA_AUTH_INIT_INIT, GSS_C_MA_DELEG_CRED,
        GSS_C_MA_CONF_PROT,      GSS_C_MA_INTEG_PROT,
        GSS_C_MA_WRAP,           GSS_C_MA_REPLAY_DET,
        GSS_C_MA_OOS_DET,        GSS_C_MA_CBINDINGS,
    };
    gss_const_OID never[] = {
        GSS_C_MA_MECH_NEGO, GSS_C_MA_DEPRECATED, GSS_C_MA_MECH_CONCRETE,
    };
    gss_OID_set attrs = GSS_C_NO_OID_SET, known = GSS_C_NO_OID_SET;
    OM_uint32 major, minor;
    size_t i;
    int present;

    major = gss_inquire_attrs_for_mech(&minor, our_mechs[_i], &attrs,
                                       &known);
    check_major("gss_inquire_attrs_for_mech", major, minor);
    ck_assert_ptr_nonnull(attrs);
    ck_assert_ptr_nonnull(known);
    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        major = gss_test_oid_set_member(&minor, (gss_OID)want[i], attrs,
                                        &present);
        check_major("gss_test_oid_set_member", major, minor);
        ck_assert_msg(present, "attribute %zu of doc/design.md 3.4 missing",
                      i);
        /* RFC 5587: an attribute the mech has is one it knows. */
        major = gss_test_oid_set_member(&minor, (gss_OID)want[i], known,
                                        &present);
        check_major("gss_test_oid_set_member", major, minor);
        ck_assert_msg(present, "attribute %zu not in known_mech_attrs", i);
    }
    major = gss_test_oid_set_member(&minor, (gss_OID)GSS_C_MA_ITOK_FRAMED,
                                    attrs, &present);
    check_major("gss_test_oid_set_member", major, minor);
    ck_assert_int_eq(present, _i == 1);
    ck_assert_uint_eq(attrs->count,
                      sizeof(want) / sizeof(want[0]) + (_i == 1));
    for (i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
        major = gss_test_oid_set_member(&minor, (gss_OID)never[i], attrs,
                                        &present);
        check_major("gss_test_oid_set_member", major, minor);
        ck_assert_msg(!present, "forbidden attribute %zu advertised", i);
    }
    gss_release_oid_set(&minor, &attrs);
    gss_release_oid_set(&minor, &known);
}
END_TEST

/* SPNEGO with an explicit password credential never offers CredSSP. */
START_TEST(test_spnego_explicit_cred)
{
    gss_cred_id_t cred = password_cred(&spnego_oid);
    gss_buffer_desc tok = GSS_C_EMPTY_BUFFER;
    OM_uint32 minor;

    spnego_token(cred, &tok);
    check_negtokeninit(&tok);
    gss_release_buffer(&minor, &tok);
    gss_release_cred(&minor, &cred);
}
END_TEST

/* SPNEGO with default credentials (after kinit) never offers CredSSP. */
START_TEST(test_spnego_default_cred)
{
    gss_buffer_desc tok = GSS_C_EMPTY_BUFFER;
    OM_uint32 minor;

    kinit();
    spnego_token(GSS_C_NO_CREDENTIAL, &tok);
    check_negtokeninit(&tok);
    gss_release_buffer(&minor, &tok);
}
END_TEST

/*
 * A minor code of ours displays through the mechglue with its SSPI name.
 * The mechglue displays only codes a mech has returned through it
 * (gssint_mecherrmap), so the code is provoked first: an acceptor given
 * half a ClientHello answers SEC_E_INCOMPLETE_MESSAGE.
 */
START_TEST(test_display_status)
{
    gss_cred_id_t icred = password_cred(GSS_CREDSSP_MECH);
    gss_cred_id_t acred = GSS_C_NO_CREDENTIAL;
    gss_name_t target = import("TERMSRV@localhost",
                               GSS_C_NT_HOSTBASED_SERVICE);
    gss_ctx_id_t ictx = GSS_C_NO_CONTEXT, actx = GSS_C_NO_CONTEXT;
    gss_buffer_desc hello = GSS_C_EMPTY_BUFFER, half, framed, out, text;
    const char *sspi = "SEC_E_INCOMPLETE_MESSAGE";
    gss_OID_set_desc set;
    OM_uint32 major, minor, tmp, ctx = 0;

    major = gss_init_sec_context(&minor, icred, &ictx, target,
                                 GSS_CREDSSP_MECH, 0, 0,
                                 GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER,
                                 NULL, &hello, NULL, NULL);
    ck_assert_uint_eq(major, GSS_S_CONTINUE_NEEDED);
    ck_assert_uint_gt(hello.length, 10);
    ck_assert_uint_eq(((unsigned char *)hello.value)[0], 0x16);

    major = gss_acquire_cred(&minor, GSS_C_NO_NAME, 0,
                             one_set(&set, GSS_CREDSSP_MECH), GSS_C_ACCEPT,
                             &acred, NULL, NULL);
    check_major("gss_acquire_cred(accept)", major, minor);
    half.length = hello.length / 2;
    half.value = hello.value;
    major = gss_credssp_frame_token(&minor, &half, &framed);
    check_major("gss_credssp_frame_token", major, minor);
    major = gss_accept_sec_context(&minor, &actx, acred, &framed,
                                   GSS_C_NO_CHANNEL_BINDINGS, NULL, NULL,
                                   &out, NULL, NULL, NULL);
    gss_release_buffer(&tmp, &framed);
    gss_release_buffer(&tmp, &out);
    ck_assert_uint_eq(major, GSS_S_DEFECTIVE_TOKEN);
    ck_assert_uint_eq(minor, CREDSSP_S_INCOMPLETE_MESSAGE);

    major = gss_display_status(&tmp, minor, GSS_C_MECH_CODE,
                               GSS_CREDSSP_MECH, &ctx, &text);
    ck_assert_uint_eq(major, GSS_S_COMPLETE);
    ck_assert_msg(text.length >= strlen(sspi) &&
                      memcmp(text.value, sspi, strlen(sspi)) == 0,
                  "display_status: \"%.*s\"", (int)text.length,
                  (char *)text.value);
    /* A NUL follows, uncounted (Cyrus SASL strcat()s the text; ASan
     * builds catch a missing one). */
    ck_assert_int_eq(((const char *)text.value)[text.length], '\0');
    ck_assert_uint_eq(ctx, 0);
    gss_release_buffer(&minor, &text);

    /* The whole ClientHello is accepted: the half was only incomplete. */
    gss_delete_sec_context(&minor, &actx, GSS_C_NO_BUFFER);
    major = gss_credssp_frame_token(&minor, &hello, &framed);
    check_major("gss_credssp_frame_token", major, minor);
    major = gss_accept_sec_context(&minor, &actx, acred, &framed,
                                   GSS_C_NO_CHANNEL_BINDINGS, NULL, NULL,
                                   &out, NULL, NULL, NULL);
    ck_assert_uint_eq(major, GSS_S_CONTINUE_NEEDED);
    ck_assert_uint_gt(out.length, 0);
    gss_release_buffer(&minor, &framed);
    gss_release_buffer(&minor, &out);
    gss_release_buffer(&minor, &hello);
    gss_delete_sec_context(&minor, &ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&minor, &actx, GSS_C_NO_BUFFER);
    gss_release_cred(&minor, &icred);
    gss_release_cred(&minor, &acred);
    gss_release_name(&minor, &target);
}
END_TEST

/*
 * Default credentials never include CredSSP (NOT_DFLT_MECH), although an
 * explicit request for it with the same default identity works.
 */
START_TEST(test_default_cred_excludes_credssp)
{
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    gss_OID_set mechs = GSS_C_NO_OID_SET;
    gss_OID_set_desc set;
    OM_uint32 major, minor;
    int present = 0;

    kinit();
    major = gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, GSS_C_NO_OID_SET,
                             GSS_C_INITIATE, &cred, &mechs, NULL);
    check_major("gss_acquire_cred(default)", major, minor);
    ck_assert_ptr_nonnull(mechs);
    major = gss_test_oid_set_member(&minor, &krb5_oid, mechs, &present);
    check_major("gss_test_oid_set_member", major, minor);
    ck_assert_msg(present, "krb5 is not in the default credential");
    major = gss_test_oid_set_member(&minor, GSS_CREDSSP_MECH, mechs,
                                    &present);
    check_major("gss_test_oid_set_member", major, minor);
    ck_assert_msg(!present, "CredSSP is in the default credential");
    major = gss_test_oid_set_member(&minor, GSS_CREDSSP_GS2_MECH, mechs,
                                    &present);
    check_major("gss_test_oid_set_member", major, minor);
    ck_assert_msg(!present, "CredSSP (GS2) is in the default credential");
    gss_release_oid_set(&minor, &mechs);

    /* The same, asked of gss_inquire_cred. */
    major = gss_inquire_cred(&minor, cred, NULL, NULL, NULL, &mechs);
    check_major("gss_inquire_cred", major, minor);
    major = gss_test_oid_set_member(&minor, GSS_CREDSSP_MECH, mechs,
                                    &present);
    check_major("gss_test_oid_set_member", major, minor);
    ck_assert(!present);
    gss_release_oid_set(&minor, &mechs);
    gss_release_cred(&minor, &cred);

    /* Control: asked for by OID, a CredSSP credential is there. */
    major = gss_acquire_cred(&minor, GSS_C_NO_NAME, 0,
                             one_set(&set, GSS_CREDSSP_MECH), GSS_C_INITIATE,
                             &cred, &mechs, NULL);
    check_major("gss_acquire_cred(CredSSP)", major, minor);
    major = gss_test_oid_set_member(&minor, GSS_CREDSSP_MECH, mechs,
                                    &present);
    check_major("gss_test_oid_set_member", major, minor);
    ck_assert(present);
    gss_release_oid_set(&minor, &mechs);
    gss_release_cred(&minor, &cred);
}
END_TEST

/*
 * registration_suite: the suite.
 */
static Suite *
registration_suite(void)
{
    Suite *s = suite_create("registration");
    TCase *tc = tcase_create("registration");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_indicate_mechs);
    tcase_add_loop_test(tc, test_attrs_for_mech, 0, 2);
    tcase_add_test(tc, test_spnego_explicit_cred);
    tcase_add_test(tc, test_spnego_default_cred);
    tcase_add_test(tc, test_display_status);
    tcase_add_test(tc, test_default_cred_excludes_credssp);
    suite_add_tcase(s, tc);
    return s;
}

/*
 * main: runs the suite; exit status 0 when every test passed.
 */
int
main(void)
{
    return check_run(registration_suite(), false);
}
