/* SPDX-License-Identifier: MIT */
/*
 * rtld_local.c - the name-clash trap of doc/design.md 3.2.  This program
 * is not linked with libgssapi_krb5: like a Python extension module or a
 * plugin host it dlopen()s "libgssapi_krb5.so.2" with RTLD_NOW|RTLD_LOCAL and
 * finds every gss_* function with dlsym.  The mechglue then loads our
 * module (also RTLD_LOCAL), and the module, which exports
 * gss_init_sec_context itself, must still reach the mechglue's
 * gss_init_sec_context for the inner step, not its own (which would
 * recurse until the stack overflows).  One complete CredSSP handshake per
 * inner mechanism proves it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_DEFAULT */
#endif

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

/* Types and prototypes only: every function is reached through dlsym. */
#include "gssapi/gssapi_credssp.h"

/* The mechglue functions this program calls, typed from their
 * prototypes (no symbol reference: __typeof__ is not evaluated). */
struct api {
    __typeof__(gss_import_name) *import_name;
    __typeof__(gss_release_name) *release_name;
    __typeof__(gss_display_name) *display_name;
    __typeof__(gss_acquire_cred) *acquire_cred;
    __typeof__(gss_acquire_cred_with_password) *acquire_cred_with_password;
    __typeof__(gss_set_cred_option) *set_cred_option;
    __typeof__(gss_release_cred) *release_cred;
    __typeof__(gss_init_sec_context) *init_sec_context;
    __typeof__(gss_accept_sec_context) *accept_sec_context;
    __typeof__(gss_delete_sec_context) *delete_sec_context;
    __typeof__(gss_inquire_sec_context_by_oid) *inquire_sec_context_by_oid;
    __typeof__(gss_release_buffer_set) *release_buffer_set;
    __typeof__(gss_release_buffer) *release_buffer;
    __typeof__(gss_encapsulate_token) *encapsulate_token;
    __typeof__(gss_display_status) *display_status;
};

static struct api gss;

/* GSS_C_NT_USER_NAME and GSS_C_NT_HOSTBASED_SERVICE are variables of the
 * mechglue; these are their values (RFC 2744), so nothing links to it. */
static gss_OID_desc nt_user = {
    10, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x01"
};
static gss_OID_desc nt_host = {
    10, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04"
};
static const char krb5_der[] = "\x2a\x86\x48\x86\xf7\x12\x01\x02\x02";
static const char ntlm_der[] = "\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a";

/*
 * env: a variable the fixture exported, or "".
 */
static const char *
env(const char *name)
{
    const char *v = getenv(name);

    return v != NULL ? v : "";
}

/*
 * load_mechglue: asserts the mechglue is not in the process yet (this
 * program does not link it), dlopen()s it RTLD_NOW|RTLD_LOCAL, fills the
 * table and asserts its symbols stay out of the global scope.
 */
static void
load_mechglue(void)
{
    void *h;

    ck_assert_msg(dlopen("libgssapi_krb5.so.2", RTLD_NOW | RTLD_NOLOAD) ==
                      NULL,
                  "libgssapi_krb5 is already loaded: the program links it");
    h = dlopen("libgssapi_krb5.so.2", RTLD_NOW | RTLD_LOCAL);
    ck_assert_msg(h != NULL, "dlopen(libgssapi_krb5.so.2): %s", dlerror());
#define RESOLVE(name)                                                    \
    do {                                                                 \
        *(void **)&gss.name = dlsym(h, "gss_" #name);                    \
        ck_assert_msg(gss.name != NULL, "dlsym(gss_" #name "): %s",      \
                      dlerror());                                        \
    } while (0)
    RESOLVE(import_name);
    RESOLVE(release_name);
    RESOLVE(display_name);
    RESOLVE(acquire_cred);
    RESOLVE(acquire_cred_with_password);
    RESOLVE(set_cred_option);
    RESOLVE(release_cred);
    RESOLVE(init_sec_context);
    RESOLVE(accept_sec_context);
    RESOLVE(delete_sec_context);
    RESOLVE(inquire_sec_context_by_oid);
    RESOLVE(release_buffer_set);
    RESOLVE(release_buffer);
    RESOLVE(encapsulate_token);
    RESOLVE(display_status);
#undef RESOLVE
    /* The trap is set: a global lookup of the name finds nothing. */
    ck_assert_ptr_null(dlsym(RTLD_DEFAULT, "gss_init_sec_context"));
}

/*
 * status_text: the major and minor texts of a status, via the table.
 */
static void
status_text(OM_uint32 major, OM_uint32 minor, char *buf, size_t len)
{
    OM_uint32 codes[2] = { major, minor }, mctx, tmp;
    int types[2] = { GSS_C_GSS_CODE, GSS_C_MECH_CODE };
    gss_buffer_desc msg;
    size_t used;
    int i;

    buf[0] = '\0';
    for (i = 0; i < 2; i++) {
        mctx = 0;
        do {
            if (codes[i] == 0 ||
                gss.display_status(&tmp, codes[i], types[i],
                                   GSS_CREDSSP_MECH, &mctx,
                                   &msg) != GSS_S_COMPLETE) {
                break;
            }
            used = strlen(buf);
            snprintf(buf + used, len - used, "%s%.*s", used ? "; " : "",
                     (int)msg.length, (char *)msg.value);
            gss.release_buffer(&tmp, &msg);
        } while (mctx != 0);
    }
}

/*
 * check_major: asserts a call succeeded, with its status texts otherwise.
 */
static void
check_major(const char *what, OM_uint32 major, OM_uint32 minor)
{
    char text[512];

    if (GSS_ERROR(major)) {
        status_text(major, minor, text, sizeof(text));
        ck_abort_msg("%s: 0x%x/0x%x: %s", what, major, minor, text);
    }
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

    major = gss.import_name(&minor, &b, type, &name);
    check_major("gss_import_name", major, minor);
    return name;
}

/*
 * credentials: the initiator's (alice's password, the given inner
 * mechanism) and the acceptor's, both CredSSP.
 */
static void
credentials(const char *inner, gss_cred_id_t *icred, gss_cred_id_t *acred)
{
    const char *pw = env("CREDSSP_TEST_PASSWORD");
    gss_buffer_desc pwbuf = { strlen(pw), (void *)pw };
    gss_buffer_desc opt = { strlen(inner), (void *)inner };
    gss_name_t user = import(env("CREDSSP_TEST_USER"), &nt_user);
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    OM_uint32 major, minor;

    major = gss.acquire_cred_with_password(&minor, user, &pwbuf, 0, &set,
                                           GSS_C_INITIATE, icred, NULL,
                                           NULL);
    check_major("acquire CredSSP initiator cred", major, minor);
    gss.release_name(&minor, &user);
    major = gss.set_cred_option(&minor, icred, GSS_CREDSSP_OPT_INNER_MECH,
                                &opt);
    check_major("gss_set_cred_option(inner mech)", major, minor);
    major = gss.acquire_cred(&minor, GSS_C_NO_NAME, 0, &set, GSS_C_ACCEPT,
                             acred, NULL, NULL);
    check_major("acquire CredSSP acceptor cred", major, minor);
}

/*
 * handshake: one CredSSP handshake in process with the given inner
 * mechanism; asserts both sides complete, the acceptor's view of the
 * initiator's name and the inner mechanism's OID.
 */
static void
handshake(const char *inner, const char *want_der, size_t want_len,
          const char *want_name)
{
    gss_cred_id_t icred = GSS_C_NO_CREDENTIAL, acred = GSS_C_NO_CREDENTIAL;
    gss_ctx_id_t ictx = GSS_C_NO_CONTEXT, actx = GSS_C_NO_CONTEXT;
    gss_buffer_desc c2s = GSS_C_EMPTY_BUFFER, s2c = GSS_C_EMPTY_BUFFER;
    gss_buffer_desc framed = GSS_C_EMPTY_BUFFER, disp;
    gss_buffer_set_t set = GSS_C_NO_BUFFER_SET;
    gss_name_t target, src = GSS_C_NO_NAME;
    OM_uint32 imaj = GSS_S_CONTINUE_NEEDED, amaj = GSS_S_CONTINUE_NEEDED;
    OM_uint32 imin = 0, amin = 0, minor;
    int guard, first = 1;

    load_mechglue();
    credentials(inner, &icred, &acred);
    target = import("TERMSRV@localhost", &nt_host);
    for (guard = 0; guard < 32; guard++) {
        imaj = gss.init_sec_context(&imin, icred, &ictx, target,
                                    GSS_CREDSSP_MECH,
                                    GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG, 0,
                                    GSS_C_NO_CHANNEL_BINDINGS, &s2c, NULL,
                                    &c2s, NULL, NULL);
        gss.release_buffer(&minor, &s2c);
        check_major("gss_init_sec_context", imaj, imin);
        if (c2s.length == 0 || amaj != GSS_S_CONTINUE_NEEDED) {
            break;
        }
        /* The mechglue routes only an RFC 2743-framed first token to a
         * loadable mech; the initiator sent a raw ClientHello. */
        if (first) {
            amin = 0;
            amaj = gss.encapsulate_token(&c2s, GSS_CREDSSP_MECH, &framed);
            check_major("gss_encapsulate_token", amaj, amin);
        }
        amaj = gss.accept_sec_context(&amin, &actx, acred,
                                      first ? &framed : &c2s,
                                      GSS_C_NO_CHANNEL_BINDINGS, &src, NULL,
                                      &s2c, NULL, NULL, NULL);
        first = 0;
        gss.release_buffer(&minor, &framed);
        gss.release_buffer(&minor, &c2s);
        check_major("gss_accept_sec_context", amaj, amin);
        if (imaj == GSS_S_COMPLETE) {
            break;
        }
    }
    ck_assert_uint_eq(imaj, GSS_S_COMPLETE);
    ck_assert_uint_eq(amaj, GSS_S_COMPLETE);
    ck_assert_uint_eq(s2c.length, 0);

    ck_assert_ptr_nonnull(src);
    check_major("gss_display_name",
                gss.display_name(&minor, src, &disp, NULL), minor);
    /* gss-ntlmssp 1.2.0 counts the terminating NUL in the length. */
    ck_assert_msg(strnlen(disp.value, disp.length) == strlen(want_name) &&
                      memcmp(disp.value, want_name, strlen(want_name)) == 0,
                  "acceptor saw \"%.*s\" (%zu bytes), not \"%s\"",
                  (int)disp.length, (char *)disp.value, disp.length,
                  want_name);
    gss.release_buffer(&minor, &disp);

    check_major("inquire inner mech",
                gss.inquire_sec_context_by_oid(&minor, actx,
                                               GSS_CREDSSP_INQ_INNER_MECH,
                                               &set),
                minor);
    ck_assert_ptr_nonnull(set);
    ck_assert_uint_eq(set->count, 1);
    ck_assert_uint_eq(set->elements[0].length, want_len);
    ck_assert_int_eq(memcmp(set->elements[0].value, want_der, want_len), 0);
    gss.release_buffer_set(&minor, &set);

    /* Still nothing global: the module was loaded RTLD_LOCAL as well. */
    ck_assert_ptr_null(dlsym(RTLD_DEFAULT, "gss_init_sec_context"));
    /* And it was our module that the mechglue loaded and ran. */
    if (*env("CREDSSP_MODULE") != '\0') {
        void *mod = dlopen(env("CREDSSP_MODULE"), RTLD_NOW | RTLD_NOLOAD);

        ck_assert_msg(mod != NULL, "%s is not loaded", env("CREDSSP_MODULE"));
        dlclose(mod);
    }

    gss.delete_sec_context(&minor, &ictx, GSS_C_NO_BUFFER);
    gss.delete_sec_context(&minor, &actx, GSS_C_NO_BUFFER);
    gss.release_name(&minor, &src);
    gss.release_name(&minor, &target);
    gss.release_cred(&minor, &icred);
    gss.release_cred(&minor, &acred);
}

/* Kerberos inside CredSSP: the module calls the mechglue's init/accept. */
START_TEST(test_kerberos)
{
    char want[128];

    snprintf(want, sizeof(want), "%s@%s", env("CREDSSP_TEST_USER"),
             env("CREDSSP_TEST_REALM"));
    handshake("kerberos", krb5_der, sizeof(krb5_der) - 1, want);
}
END_TEST

/* SPNEGO inside CredSSP: SPNEGO re-enters the module (it lists mechs and
 * asks our gss_inquire_attrs_for_mech) while our init is on the stack. */
START_TEST(test_spnego)
{
    char want[128];

    snprintf(want, sizeof(want), "%s@%s", env("CREDSSP_TEST_USER"),
             env("CREDSSP_TEST_REALM"));
    handshake("spnego", krb5_der, sizeof(krb5_der) - 1, want);
}
END_TEST

/* Raw NTLMSSP inside CredSSP: gss-ntlmssp through the same table.  The
 * initiator named the user without a domain, and so does the acceptor. */
START_TEST(test_ntlm)
{
    handshake("ntlm", ntlm_der, sizeof(ntlm_der) - 1,
              env("CREDSSP_TEST_USER"));
}
END_TEST

/*
 * rtld_local_suite: the suite.  Each test runs in its own child (Check's
 * fork mode), so each loads the mechglue afresh; a stack overflow there
 * is reported as an error of that test.
 */
static Suite *
rtld_local_suite(void)
{
    Suite *s = suite_create("rtld_local");
    TCase *tc = tcase_create("rtld_local");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_kerberos);
    tcase_add_test(tc, test_spnego);
    tcase_add_test(tc, test_ntlm);
    suite_add_tcase(s, tc);
    return s;
}

/*
 * main: runs the suite; exit status 0 when every test passed.  Without
 * fork mode the tests would share one mechglue: refuse to run that way.
 */
int
main(void)
{
    SRunner *sr = srunner_create(rtld_local_suite());
    int failed;

    if (srunner_fork_status(sr) == CK_NOFORK) {
        fprintf(stderr, "rtld_local: needs Check's fork mode "
                        "(unset CK_FORK=no)\n");
        srunner_free(sr);
        return 99;
    }
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
