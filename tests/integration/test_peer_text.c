/* SPDX-License-Identifier: MIT */
/*
 * test_peer_text.c - text a peer controls reaches status texts and the trace
 * escaped (issue 16, point 9): delegated user and domain names (sent by
 * the scripted peer, peer.c) and a server certificate's subject and
 * subjectAltName (made here with OpenSSL), each carrying terminal control
 * sequences and a newline.  The status text and every trace line must
 * hold no control byte, and show the escapes instead.
 *
 * Each test runs in its own forked process (Check's default): the trace
 * is turned on into a file of the test's own with gssspi_mech_invoke.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "hs.h"
#include "peer.h"

static char dir[256], trace[300];

static void
setup(void)
{
    OM_uint32 minor;
    gss_buffer_desc b;

    snprintf(dir, sizeof(dir), "%s/escape.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(trace, sizeof(trace), "%s/trace", dir);
    b.value = trace;
    b.length = strlen(trace);
    ck_assert_uint_eq(gssspi_mech_invoke(&minor, GSS_CREDSSP_MECH,
                                         GSS_CREDSSP_INVOKE_TRACE, &b),
                      GSS_S_COMPLETE);
}

static void
teardown(void)
{
    char cmd[300];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* control_at: the offset of the first control byte (C0 but the given
 * line end, or DEL) in s, or -1. */
static long
control_at(const char *s, size_t len, char line_end)
{
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c < 0x20 && c != (unsigned char)line_end) || c == 0x7f) {
            return (long)i;
        }
    }
    return -1;
}

/* read_trace: the whole trace file (caller frees). */
static char *
read_trace(size_t *len)
{
    FILE *f = fopen(trace, "r");
    char *buf;

    ck_assert_ptr_nonnull(f);
    buf = calloc(1, 1 << 20);
    ck_assert_ptr_nonnull(buf);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    return buf;
}

/* check_clean: the status text and the trace hold no control byte and
 * show want (an escaped form) in both. */
static void
check_clean(const char *what, const char *status, const char *want)
{
    size_t len;
    char *t = read_trace(&len);
    long at;

    fprintf(stderr, "%s: status: ", what);
    fwrite(status, 1, strlen(status), stderr);
    fprintf(stderr, "\n%s: trace:\n", what);
    fwrite(t, 1, len, stderr);
    at = control_at(status, strlen(status), '\0');
    ck_assert_msg(at < 0, "%s: control byte 0x%02x at %ld of the status",
                  what, (unsigned char)status[at < 0 ? 0 : at], at);
    ck_assert_msg(strstr(status, want) != NULL, "%s: no %s in the status",
                  what, want);
    at = control_at(t, len, '\n');
    ck_assert_msg(at < 0, "%s: control byte 0x%02x at %ld of the trace",
                  what, (unsigned char)t[at < 0 ? 0 : at], at);
    ck_assert_msg(strstr(t, want) != NULL, "%s: no %s in the trace", what,
                  want);
    free(t);
}

/* Delegated user and domain names with an ANSI clear-screen sequence, a
 * newline that would forge a trace line, and a bell. */
START_TEST(test_delegated_names)
{
    struct peer_script s = { 0 };
    struct peer_result r;

    s.ntlm = _i;
    s.deleg_domain = "EVIL\a";
    s.deleg_user = "bob\x1b[2J\n[1] forged.c:1: authInfo: accepted";
    s.keep_deleg = true;
    peer_run(&s, &r);
    ck_assert_uint_eq(r.minor, CREDSSP_S_DELEG_OTHER_USER);
    ck_assert_ptr_eq(r.deleg, GSS_C_NO_CREDENTIAL);
    check_clean("delegated names", r.error,
                "EVIL\\x07\\bob\\x1b[2J\\x0a[1] forged.c");
    peer_result_clear(&r);
}
END_TEST

/* A server certificate whose subject and subjectAltName carry control
 * sequences (an xterm title change, a clear screen, a newline), checked
 * by an initiator with verify_certificate: SEC_E_WRONG_PRINCIPAL names
 * them, escaped. */
START_TEST(test_certificate_names)
{
    char cert_pem[300], key_pem[300];
    gss_key_value_element_desc e[3];
    gss_key_value_set_desc kv = { 3, e };
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = hs_cert_named(key, "evil\x1b[2J\ncn",
                               "host\x1b]0;owned\a.example");
    struct hs_opts o = { 0 };
    struct hs_result r;
    OM_uint32 minor;

    ck_assert_ptr_nonnull(cert);
    snprintf(cert_pem, sizeof(cert_pem), "%s/cert.pem", dir);
    snprintf(key_pem, sizeof(key_pem), "%s/key.pem", dir);
    hs_write_pem(cert, key, cert_pem, key_pem);
    X509_free(cert);
    EVP_PKEY_free(key);

    e[0].key = GSS_CREDSSP_STORE_CERT;
    e[0].value = cert_pem;
    e[1].key = GSS_CREDSSP_STORE_KEY;
    e[1].value = key_pem;
    e[2].key = "keytab";
    e[2].value = hs_env("KRB5_KTNAME");
    ck_assert_uint_eq(gss_acquire_cred_from(&minor, GSS_C_NO_NAME, 0, &set,
                                            GSS_C_ACCEPT, &kv, &o.acc_cred,
                                            NULL, NULL),
                      GSS_S_COMPLETE);
    o.mech = "ntlm";
    o.init_extra[0].oid = GSS_CREDSSP_OPT_VERIFY_CERTIFICATE;
    o.init_extra[0].value = "yes";
    o.init_extra[1].oid = GSS_CREDSSP_OPT_CA_FILE;
    o.init_extra[1].value = cert_pem;
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_WRONG_PRINCIPAL);
    check_clean("certificate names", r.init_error,
                "DNS:host\\x1b]0;owned\\x07.example");
    ck_assert_msg(strstr(r.init_error, "[2J\\x0acn") != NULL ||
                      strstr(r.init_error, "[2J\\x0Acn") != NULL,
                  "%s", r.init_error);
    gss_release_cred(&minor, &o.acc_cred);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("peer text");
    TCase *tc = tcase_create("peer text");

    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_delegated_names, 0, 2);
    tcase_add_test(tc, test_certificate_names);
    suite_add_tcase(s, tc);
    return hs_main(s);
}
