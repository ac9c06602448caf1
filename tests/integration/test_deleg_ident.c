/* SPDX-License-Identifier: MIT */
/*
 * test_deleg_ident.c - delegated credentials belong to the user the inner
 * authentication authenticated (issue 16, point 1).  A scripted CredSSP
 * initiator (peer.c) authenticates as alice for real, with Kerberos or
 * NTLM, and then delegates whatever credentials the case names; the
 * module is the acceptor, through the real mechglue.  A Kerberos ticket
 * stored from a delegated password is for the authenticated principal,
 * in its realm, and never replaces another principal's ccache.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hs.h"
#include "peer.h"

static const gss_OID_desc krb5_oid = {
    9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"
};

#define REALM "CREDSSP.TEST"
#define OTHER_USER "yes"

/* ccache_path: a FILE: ccache in the fixture's directory. */
static void
ccache_path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "FILE:%s/%s", hs_env("CREDSSP_TEST_DIR"), name);
}

/* store: gss_store_cred_into the handle into ccache; the status text. */
static OM_uint32
store(gss_cred_id_t cred, const char *ccache, OM_uint32 overwrite,
      OM_uint32 *minor, char *text, size_t len)
{
    gss_key_value_element_desc e = { "ccache", ccache };
    gss_key_value_set_desc kv = { 1, &e };
    OM_uint32 major;

    major = gss_store_cred_into(minor, cred, GSS_C_INITIATE, GSS_C_NO_OID,
                                overwrite, 0, &kv, NULL, NULL);
    hs_status_text(major, *minor, text, len);
    return major;
}

/* principal_of: the default principal of a ccache, or "(none)". */
static void
principal_of(const char *ccache, char *buf, size_t len)
{
    gss_key_value_element_desc e = { "ccache", ccache };
    gss_key_value_set_desc kv = { 1, &e };
    gss_OID_set_desc set = { 1, (gss_OID)&krb5_oid };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    gss_name_t name = GSS_C_NO_NAME;
    gss_buffer_desc disp = { 0, NULL };
    OM_uint32 minor;

    snprintf(buf, len, "(none)");
    if (gss_acquire_cred_from(&minor, GSS_C_NO_NAME, 0, &set,
                              GSS_C_INITIATE, &kv, &cred, NULL,
                              NULL) == GSS_S_COMPLETE &&
        gss_inquire_cred(&minor, cred, &name, NULL, NULL, NULL) ==
            GSS_S_COMPLETE &&
        gss_display_name(&minor, name, &disp, NULL) == GSS_S_COMPLETE) {
        snprintf(buf, len, "%.*s", (int)disp.length, (char *)disp.value);
    }
    gss_release_buffer(&minor, &disp);
    gss_release_name(&minor, &name);
    gss_release_cred(&minor, &cred);
}

/* krb5_ccache: a ccache holding a TGT of user (got with password), made
 * with Kerberos alone, as kinit would. */
static void
krb5_ccache(const char *ccache, const char *user, const char *password)
{
    gss_key_value_element_desc e = { "ccache", ccache };
    gss_key_value_set_desc kv = { 1, &e };
    gss_OID_set_desc set = { 1, (gss_OID)&krb5_oid };
    gss_buffer_desc ub = { strlen(user), (void *)user };
    gss_buffer_desc pb = { strlen(password), (void *)password };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    gss_name_t name = GSS_C_NO_NAME;
    OM_uint32 minor;

    ck_assert_uint_eq(gss_import_name(&minor, &ub, GSS_C_NT_USER_NAME,
                                      &name), GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_acquire_cred_with_password(&minor, name, &pb, 0,
                                                     &set, GSS_C_INITIATE,
                                                     &cred, NULL, NULL),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_store_cred_into(&minor, cred, GSS_C_INITIATE,
                                          (gss_OID)&krb5_oid, 1, 0, &kv,
                                          NULL, NULL),
                      GSS_S_COMPLETE);
    gss_release_cred(&minor, &cred);
    gss_release_name(&minor, &name);
}

/* deleg: the peer authenticates as alice (NTLM: CREDSSP\alice) and
 * delegates domain\user with password (NULL: alice's own). */
static void
deleg(bool ntlm, const char *domain, const char *user, const char *password,
      bool allow_other, struct peer_result *r)
{
    struct peer_script s = { 0 };

    s.ntlm = ntlm;
    s.deleg_domain = domain;
    s.deleg_user = user;
    s.deleg_password = password;
    s.keep_deleg = true;
    if (allow_other) {
        s.module_extra[0].oid = GSS_CREDSSP_OPT_ALLOW_OTHER_USER_DELEGATION;
        s.module_extra[0].value = OTHER_USER;
    }
    peer_run(&s, r);
}

/* show_store: what a store of an accepted handle makes of it (the
 * reproducer's output; empty when nothing was delegated). */
static void
show_store(const char *what, struct peer_result *r, const char *file)
{
    char cc[512], text[512], who[256];
    OM_uint32 minor;

    if (r->deleg == GSS_C_NO_CREDENTIAL) {
        return;
    }
    ccache_path(cc, sizeof(cc), file);
    store(r->deleg, cc, 1, &minor, text, sizeof(text));
    principal_of(cc, who, sizeof(who));
    fprintf(stderr, "%s: delegated handle; store: [%s]; ccache holds %s\n",
            what, text, who);
    unlink(cc + 5);
}

/* stored_as: stores an accepted handle into a new ccache; the principal
 * it holds must be want.  Releases the handle and the result. */
static void
stored_as(const char *what, struct peer_result *r, const char *want)
{
    char cc[512], text[512], who[256];
    OM_uint32 minor;

    ck_assert_msg(r->major == GSS_S_COMPLETE, "%s: %s", what, r->error);
    ck_assert_uint_ne(r->flags & GSS_C_DELEG_FLAG, 0);
    ccache_path(cc, sizeof(cc), "stored.krb5");
    ck_assert_msg(store(r->deleg, cc, 1, &minor, text, sizeof(text)) ==
                      GSS_S_COMPLETE,
                  "%s: %s", what, text);
    principal_of(cc, who, sizeof(who));
    fprintf(stderr, "%s: ccache holds %s\n", what, who);
    ck_assert_str_eq(who, want);
    unlink(cc + 5);
    gss_release_cred(&minor, &r->deleg);
    peer_result_clear(r);
}

/* refused: the context failed with our status, nothing kept. */
static void
check_refused(const char *what, struct peer_result *r)
{
    fprintf(stderr, "%s: [%s] (flags 0x%x)\n", what, r->error, r->flags);
    ck_assert_msg(r->major == GSS_S_FAILURE &&
                      r->minor == CREDSSP_S_DELEG_OTHER_USER,
                  "%s: %s", what, r->error);
    ck_assert(r->peer_done);
    /* The client is told STATUS_ACCESS_DENIED (errorCode, version 6). */
    ck_assert_int_eq(r->told, CREDSSP_S_PEER_ACCESS_DENIED);
    ck_assert_ptr_eq(r->deleg, GSS_C_NO_CREDENTIAL);
    ck_assert_uint_eq(r->flags & GSS_C_DELEG_FLAG, 0);
    ck_assert_msg(strstr(r->error, "SEC_E_LOGON_DENIED: the delegated "
                                   "credentials name") != NULL,
                  "%s", r->error);
}

/* A client authenticated as alice delegates bob's (valid) password.  The
 * acceptor used to hand out bob's credentials, and a store put bob's TGT
 * in the server's ccache. */
START_TEST(test_other_users_password)
{
    bool ntlm = _i;
    struct peer_result r;

    deleg(ntlm, ntlm ? "CREDSSP" : REALM, "bob", "Bob-pass-2", false, &r);
    show_store("alice delegates bob's password", &r, "bob.krb5");
    check_refused("alice delegates bob's password", &r);
    ck_assert_msg(strstr(r.error, "bob") != NULL &&
                      strstr(r.error, ntlm ? "CREDSSP\\alice"
                                           : "alice@" REALM) != NULL,
                  "%s", r.error);
    peer_result_clear(&r);
}
END_TEST

/* A client authenticated as alice@CREDSSP.TEST delegates "alice" in a
 * realm of its own choosing.  The store used to take that realm and ask
 * its KDC (here: none can be found for it). */
START_TEST(test_realm_of_clients_choosing)
{
    struct peer_result r;

    deleg(false, "EVIL.EXAMPLE", "alice", NULL, false, &r);
    show_store("alice delegates alice@EVIL.EXAMPLE", &r, "evil.krb5");
    check_refused("alice delegates alice@EVIL.EXAMPLE", &r);
    peer_result_clear(&r);
}
END_TEST

/* What matches alice, authenticated by Kerberos as alice@CREDSSP.TEST or
 * by NTLM as CREDSSP\alice, and what does not. */
static const struct {
    bool ntlm;
    const char *domain, *user;
    bool match;
} names[] = {
    /* Kerberos: the realm in any case, its NetBIOS form, none. */
    { false, REALM, "alice", true },
    { false, "credssp.test", "ALICE", true },
    { false, "CREDSSP", "Alice", true },
    { false, "", "alice", true },
    { false, "", "alice@credssp.test", true },       /* UPN */
    { false, "", "CREDSSP\\alice", true },
    { false, REALM, "bob", false },
    { false, "OTHER", "alice", false },
    { false, "OTHER.TEST", "alice", false },
    { false, "CREDSSP.TEST.EVIL", "alice", false },
    { false, "CREDSSPX", "alice", false },
    { false, "", "alice@evil.example", false },
    { false, REALM, "alice@evil.example", false },
    { false, "", "OTHER\\alice", false },
    { false, "", "alicex", false },
    { false, "", "", false },
    /* NTLM: its domain in any case, the DNS form, none. */
    { true, "CREDSSP", "alice", true },
    { true, "credssp", "ALICE", true },
    { true, "credssp.test", "alice", true },
    { true, "", "alice", true },
    { true, "CREDSSP", "bob", false },
    { true, "OTHER", "alice", false },
    { true, "CREDSSPX.TEST", "alice", false },
    { true, "", "alice@other.test", false },
};

START_TEST(test_match)
{
    struct peer_result r;
    char what[256];

    snprintf(what, sizeof(what), "%s alice delegates [%s]\\[%s]",
             names[_i].ntlm ? "NTLM" : "Kerberos", names[_i].domain,
             names[_i].user);
    deleg(names[_i].ntlm, names[_i].domain, names[_i].user, NULL, false,
          &r);
    if (!names[_i].match) {
        check_refused(what, &r);
    } else {
        fprintf(stderr, "%s: [%s]\n", what, r.error);
        ck_assert_msg(r.major == GSS_S_COMPLETE, "%s: %s", what, r.error);
        ck_assert_ptr_ne(r.deleg, GSS_C_NO_CREDENTIAL);
        ck_assert_uint_ne(r.flags & GSS_C_DELEG_FLAG, 0);
    }
    gss_release_cred(&r.minor, &r.deleg);
    peer_result_clear(&r);
}
END_TEST

/* The stored ticket is the authenticated principal's: after Kerberos
 * alice@CREDSSP.TEST whatever the domain field said; after NTLM alice in
 * the server's default realm. */
START_TEST(test_store_authenticated_principal)
{
    static const struct {
        bool ntlm;
        const char *domain, *user;
    } c[] = {
        { false, "CREDSSP", "ALICE" },
        { false, "", "alice@credssp.test" },
        { true, "CREDSSP", "alice" },
        { true, "credssp.test", "alice" },
    };
    struct peer_result r;
    char what[128];

    snprintf(what, sizeof(what), "%s [%s]\\[%s]",
             c[_i].ntlm ? "NTLM" : "Kerberos", c[_i].domain, c[_i].user);
    deleg(c[_i].ntlm, c[_i].domain, c[_i].user, NULL, false, &r);
    stored_as(what, &r, "alice@" REALM);
}
END_TEST

/* allow_other_user_delegation lets another user's credentials through;
 * the ticket is still got in the authenticated realm, never in one the
 * client names. */
START_TEST(test_allow_other_user)
{
    struct peer_result r;

    /* bob's password, "in" a realm of the client's choosing. */
    deleg(_i, "EVIL.EXAMPLE", "bob", "Bob-pass-2", true, &r);
    stored_as(_i ? "NTLM alice allowed EVIL.EXAMPLE\\bob"
                 : "Kerberos alice allowed EVIL.EXAMPLE\\bob",
              &r, "bob@" REALM);
}
END_TEST

/* gss_store_cred_into never replaces another principal's ccache, even
 * with overwrite_cred; the same principal's only with it. */
START_TEST(test_store_other_principals_ccache)
{
    struct peer_result r;
    char cc[512], text[512], who[256];
    OM_uint32 minor;

    ccache_path(cc, sizeof(cc), "taken.krb5");
    krb5_ccache(cc, "bob", "Bob-pass-2");
    deleg(false, NULL, NULL, NULL, false, &r);
    ck_assert_msg(r.major == GSS_S_COMPLETE, "%s", r.error);
    ck_assert_uint_eq(store(r.deleg, cc, 1, &minor, text, sizeof(text)),
                      GSS_S_DUPLICATE_ELEMENT);
    fprintf(stderr, "bob's ccache: [%s]\n", text);
    ck_assert_uint_eq(minor, CREDSSP_S_CCACHE_IN_USE);
    ck_assert_msg(strstr(text, "holds credentials of bob@" REALM) != NULL,
                  "%s", text);
    principal_of(cc, who, sizeof(who));
    ck_assert_str_eq(who, "bob@" REALM);

    /* alice's own cache: only with overwrite_cred. */
    unlink(cc + 5);
    krb5_ccache(cc, "alice", hs_env("CREDSSP_TEST_PASSWORD"));
    ck_assert_uint_eq(store(r.deleg, cc, 0, &minor, text, sizeof(text)),
                      GSS_S_DUPLICATE_ELEMENT);
    ck_assert_uint_eq(minor, CREDSSP_S_CCACHE_IN_USE);
    ck_assert_msg(strstr(text, "already holds credentials of alice@" REALM
                               " and overwrite_cred was not set") != NULL,
                  "%s", text);
    ck_assert_msg(store(r.deleg, cc, 1, &minor, text, sizeof(text)) ==
                      GSS_S_COMPLETE,
                  "%s", text);
    principal_of(cc, who, sizeof(who));
    ck_assert_str_eq(who, "alice@" REALM);
    unlink(cc + 5);
    gss_release_cred(&minor, &r.deleg);
    peer_result_clear(&r);
}
END_TEST

/* add_unicode_user: "\u00e5sa" (a-ring) as a Kerberos principal.  (Not
 * as an NTLM user: gss-ntlmssp 1.2.0 does not authenticate a non-ASCII
 * user of its NTLM_USER_FILE, whatever is delegated.) */
#define ASA "\xc3\xa5sa"
#define ASA_PW "Asa-pass-4"
static void
add_unicode_user(void)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd),
             "PATH=\"$PATH:/usr/sbin:/sbin\" kadmin.local -q "
             "'addprinc -pw %s %s' >/dev/null 2>&1", ASA_PW, ASA);
    ck_assert_int_eq(system(cmd), 0);
}

/* A user name outside ASCII: its upper case (Unicode) matches, look-
 * alikes do not. */
START_TEST(test_unicode_user)
{
    static const struct {
        const char *user;
        bool match;
    } c[] = {
        { "\xc3\x85SA", true },                 /* A-ring, upper case */
        { "asa", false },
        { "\xc3\xa5sa\xcc\x8a", false },          /* a combining ring more */
    };
    struct peer_script s = { 0 };
    struct peer_result r;
    char what[128];

    add_unicode_user();
    s.user = ASA;
    s.password = ASA_PW;
    s.deleg_domain = "";
    s.deleg_user = c[_i].user;
    s.deleg_password = ASA_PW;
    s.keep_deleg = true;
    peer_run(&s, &r);
    snprintf(what, sizeof(what), "Kerberos %s delegates %s", ASA,
             s.deleg_user);
    if (!c[_i].match) {
        check_refused(what, &r);
    } else {
        fprintf(stderr, "%s: [%s]\n", what, r.error);
        ck_assert_msg(r.major == GSS_S_COMPLETE, "%s: %s", what, r.error);
        ck_assert_ptr_ne(r.deleg, GSS_C_NO_CREDENTIAL);
    }
    gss_release_cred(&r.minor, &r.deleg);
    peer_result_clear(&r);
}
END_TEST

/* Smart card credentials: their hints, when present, must name the
 * authenticated user; without hints they name nobody and pass. */
START_TEST(test_smartcard_hints)
{
    static const struct {
        const char *user, *domain;
        bool match;
    } c[] = {
        { "bob", REALM, false },
        { "alice", REALM, true },
        { NULL, NULL, true },
    };
    struct cs_tscredentials sc = { .cred_type = CS_CRED_SMARTCARD };
    struct peer_script s = { 0 };
    struct peer_result r;
    char what[128];

    sc.u.smartcard.pin = (char *)"12345678";
    sc.u.smartcard.user_hint = (char *)c[_i].user;
    sc.u.smartcard.domain_hint = (char *)c[_i].domain;
    s.deleg_other = &sc;
    s.keep_deleg = true;
    peer_run(&s, &r);
    snprintf(what, sizeof(what), "smart card, hints %s\\%s",
             c[_i].domain ? c[_i].domain : "-",
             c[_i].user ? c[_i].user : "-");
    if (!c[_i].match) {
        check_refused(what, &r);
    } else {
        ck_assert_msg(r.major == GSS_S_COMPLETE, "%s: %s", what, r.error);
        ck_assert_ptr_ne(r.deleg, GSS_C_NO_CREDENTIAL);
    }
    gss_release_cred(&r.minor, &r.deleg);
    peer_result_clear(&r);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("delegated identity");
    TCase *tc = tcase_create("ident");

    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_other_users_password, 0, 2);
    tcase_add_test(tc, test_realm_of_clients_choosing);
    tcase_add_loop_test(tc, test_match, 0,
                        (int)(sizeof(names) / sizeof(names[0])));
    tcase_add_loop_test(tc, test_store_authenticated_principal, 0, 4);
    tcase_add_loop_test(tc, test_allow_other_user, 0, 2);
    tcase_add_test(tc, test_store_other_principals_ccache);
    tcase_add_loop_test(tc, test_smartcard_hints, 0, 3);
    tcase_add_loop_test(tc, test_unicode_user, 0, 3);
    suite_add_tcase(s, tc);
    return hs_main(s);
}
