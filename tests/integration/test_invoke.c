/* SPDX-License-Identifier: MIT */
/*
 * test_invoke.c - gssspi_mech_invoke(GSS_CREDSSP_INVOKE_TRACE) through the
 * real mechglue (libgssapi_krb5 exports gssspi_mech_invoke and routes it to
 * the module GSS_MECH_CONFIG names): the trace turns on into a file, moves
 * to another, turns off, and bad requests fail with their own status.
 *
 * Each test runs in its own forked process (Check's default), so the trace
 * always starts off (GSSCREDSSP_DEBUG is removed from the environment).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "hs.h"
#include "../check_run.h"

/* tmp_path: a file name in the fixture's directory. */
static void
tmp_path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s.%ld", hs_env("CREDSSP_TEST_DIR"), name,
             (long)getpid());
}

/* file_size: the size of path, -1 when it does not exist. */
static long
file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* invoke: gssspi_mech_invoke(CredSSP, object, text); text NULL passes
 * GSS_C_NO_BUFFER. */
static OM_uint32
invoke(gss_OID object, const char *text, size_t len, OM_uint32 *minor)
{
    gss_buffer_desc b = { len, (void *)text };

    return gssspi_mech_invoke(minor, GSS_CREDSSP_MECH, object,
                              text != NULL ? &b : GSS_C_NO_BUFFER);
}

/* handshake: one Kerberos handshake that must succeed. */
static void
handshake(void)
{
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = "kerberos";
    ck_assert_msg(hs_run(&o, &r) == 0, "handshake: %s / %s", r.init_error,
                  r.acc_error);
}

/* On, to another file, off: each file gets the handshakes of its time. */
START_TEST(test_trace_on_move_off)
{
    char a[512], b[512];
    OM_uint32 major, minor;
    char *text;
    long size_a, size_b;

    tmp_path(a, sizeof(a), "trace-a");
    tmp_path(b, sizeof(b), "trace-b");

    /* Off at the start: a handshake writes nowhere. */
    handshake();
    ck_assert_int_eq(file_size(a), -1);

    major = invoke(GSS_CREDSSP_INVOKE_TRACE, a, strlen(a), &minor);
    ck_assert_msg(major == GSS_S_COMPLETE, "invoke on: %x/%x", major, minor);
    handshake();
    text = hs_read_file(a);
    ck_assert_ptr_nonnull(strstr(text, "trace on (gssspi_mech_invoke)"));
    ck_assert_ptr_nonnull(strstr(text, "initiator complete: message flow "
                                       "kerberos\n"));
    ck_assert_ptr_nonnull(strstr(text, "acceptor complete: message flow "
                                       "kerberos\n"));
    ck_assert_ptr_null(strstr(text, hs_env("CREDSSP_TEST_PASSWORD")));
    free(text);

    /* Moving to b closes a with a last line. */
    major = invoke(GSS_CREDSSP_INVOKE_TRACE, b, strlen(b), &minor);
    ck_assert_int_eq(major, GSS_S_COMPLETE);
    text = hs_read_file(a);
    ck_assert_ptr_nonnull(strstr(text, "trace off (gssspi_mech_invoke)"));
    free(text);
    size_a = file_size(a);
    handshake();
    ck_assert_int_eq(file_size(a), size_a);
    text = hs_read_file(b);
    ck_assert_ptr_nonnull(strstr(text, "acceptor complete: message flow "
                                       "kerberos\n"));
    free(text);

    /* An empty buffer turns it off; GSS_C_NO_BUFFER too (already off). */
    major = invoke(GSS_CREDSSP_INVOKE_TRACE, "", 0, &minor);
    ck_assert_int_eq(major, GSS_S_COMPLETE);
    size_b = file_size(b);
    handshake();
    ck_assert_int_eq(file_size(b), size_b);
    major = invoke(GSS_CREDSSP_INVOKE_TRACE, NULL, 0, &minor);
    ck_assert_int_eq(major, GSS_S_COMPLETE);
    ck_assert_int_eq(file_size(a), size_a);
    ck_assert_int_eq(file_size(b), size_b);
    unlink(a);
    unlink(b);
}
END_TEST

/* The value is the file name without a terminating NUL: a buffer that
 * points into a longer string names only its first length bytes. */
START_TEST(test_trace_length_counts)
{
    char a[512], longer[600];
    OM_uint32 major, minor;

    tmp_path(a, sizeof(a), "trace-len");
    snprintf(longer, sizeof(longer), "%s.not-this", a);
    major = invoke(GSS_CREDSSP_INVOKE_TRACE, longer, strlen(a), &minor);
    ck_assert_int_eq(major, GSS_S_COMPLETE);
    handshake();
    ck_assert_int_gt(file_size(a), 0);
    ck_assert_int_eq(file_size(longer), -1);
    ck_assert_int_eq(invoke(GSS_CREDSSP_INVOKE_TRACE, NULL, 0, &minor),
                     GSS_S_COMPLETE);
    unlink(a);
}
END_TEST

/* Bad requests: each fails with its status and changes nothing. */
START_TEST(test_invoke_errors)
{
    static const char nul_name[] = "/tmp/a\0b";
    gss_OID_desc other = { GSS_CREDSSP_EXT_OID_LENGTH,
                           (void *)(GSS_CREDSSP_OID_BASE_STRING "\x05\x63") };
    char a[512], link[512], text[800];
    OM_uint32 major, minor;
    long size;

    tmp_path(a, sizeof(a), "trace-err");
    major = invoke(GSS_CREDSSP_INVOKE_TRACE, a, strlen(a), &minor);
    ck_assert_int_eq(major, GSS_S_COMPLETE);

    /* A directory that does not exist: GSS_S_FAILURE, the trace stays. */
    major = invoke(GSS_CREDSSP_INVOKE_TRACE, "/nonexistent/dir/trace",
                   strlen("/nonexistent/dir/trace"), &minor);
    ck_assert_int_eq(major, GSS_S_FAILURE);
    hs_status_text(major, minor, text, sizeof(text));
    ck_assert_msg(strstr(text, "SEC_E_INVALID_PARAMETER") != NULL, "%s",
                  text);
    /* A symbolic link is not followed; the text says why. */
    tmp_path(link, sizeof(link), "trace-link");
    ck_assert_int_eq(symlink(a, link), 0);
    major = invoke(GSS_CREDSSP_INVOKE_TRACE, link, strlen(link), &minor);
    ck_assert_int_eq(major, GSS_S_FAILURE);
    hs_status_text(major, minor, text, sizeof(text));
    ck_assert_msg(strstr(text, "SEC_E_INVALID_PARAMETER") != NULL &&
                      strstr(text, link) != NULL &&
                      strstr(text, "symbolic link") != NULL,
                  "%s", text);
    unlink(link);
    /* A NUL inside the name. */
    major = invoke(GSS_CREDSSP_INVOKE_TRACE, nul_name, sizeof(nul_name) - 1,
                   &minor);
    ck_assert_int_eq(major, GSS_S_FAILURE);
    /* An object the module does not know. */
    major = invoke(&other, a, strlen(a), &minor);
    ck_assert_int_eq(major, GSS_S_UNAVAILABLE);
    hs_status_text(major, minor, text, sizeof(text));
    ck_assert_msg(strstr(text, "SEC_E_UNSUPPORTED_FUNCTION") != NULL, "%s",
                  text);

    size = file_size(a);
    handshake();
    ck_assert_int_gt(file_size(a), size);
    ck_assert_int_eq(invoke(GSS_CREDSSP_INVOKE_TRACE, NULL, 0, &minor),
                     GSS_S_COMPLETE);
    unlink(a);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("invoke");
    TCase *tc = tcase_create("invoke");

    unsetenv("GSSCREDSSP_DEBUG");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_trace_on_move_off);
    tcase_add_test(tc, test_trace_length_counts);
    tcase_add_test(tc, test_invoke_errors);
    suite_add_tcase(s, tc);
    return check_run(s, true);
}
