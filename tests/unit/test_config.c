/* SPDX-License-Identifier: MIT */
/*
 * test_config.c - src/config.c without a KDC: credssp.conf text parsed
 * into settings (every setting, comments and blanks), each refusal with
 * the file and line it names, the built-in defaults and the version
 * floors of the Encryption Oracle Remediation levels, and the checks on
 * the file itself (GSSCREDSSP_CONFIG: mode, type, a missing file).
 *
 * Each test runs in its own process (main insists on it), so
 * cs_settings_load, which reads the file once per process, reads it
 * afresh in each.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <openssl/ssl.h>

#include "settings.h"
#include "engine.h"
#include "../check_run.h"

#define PATH "test.conf"

/* parse: cs_config_parse over text into *s (cleared first); the error
 * text, if any, in text. */
static cs_err
parse(const char *conf, struct cs_settings *s, char *text, size_t len)
{
    FILE *f = fmemopen((void *)conf, strlen(conf), "r");
    cs_err err;

    ck_assert_ptr_nonnull(f);
    memset(s, 0, sizeof(*s));
    text[0] = '\0';
    err = cs_config_parse(f, PATH, s, text, len);
    fclose(f);
    return err;
}

/* Every setting, with blanks, comments, CRLF and an empty line. */
START_TEST(test_good_lines)
{
    static const char conf[] =
        "# a comment\n"
        "\n"
        "   \t\n"
        "inner_mech = kerberos\n"
        "  min_version=3  \n"
        "max_version = 5\r\n"
        "encryption_oracle = force-updated\n"
        "tls_min_version = 1.3\n"
        "tls_max_version = 1.3\n"
        "tls_cipher_list = HIGH:!aNULL\n"
        "tls_ciphersuites = TLS_AES_256_GCM_SHA384\n"
        "verify_certificate = Yes\n"
        "tls_keep_buffers = yes\n"
        "restricted_admin = on\n"
        "allow_other_user_delegation = 1\n"
        "ca_file = /etc/ssl/certs/ca.pem\n"
        "max_token_size = 1024\n"
        "max_legs = 64\n"
        "allow_delegation = TERMSRV/*, HTTP/web.example.com\n"
        "allow_delegation_ntlm_only = TERMSRV/lab-*\n"
        "frame_initial_token = HTTP/*\n"
        "certificate = /srv/cert.pem\n"
        "private_key = /srv/key.pem\n"
        "    # indented comment = not a setting\n";
    struct cs_settings s;
    char text[256];

    ck_assert_int_eq(parse(conf, &s, text, sizeof(text)), CS_OK);
    ck_assert_str_eq(text, "");
    ck_assert_int_eq(s.inner_mode, CS_MECH_KERBEROS);
    ck_assert_uint_eq(s.min_version, 3);
    ck_assert_uint_eq(s.max_version, 5);
    ck_assert_int_eq(s.oracle, CS_ORACLE_FORCE_UPDATED);
    ck_assert_int_eq(s.tls.min_version, TLS1_3_VERSION);
    ck_assert_int_eq(s.tls.max_version, TLS1_3_VERSION);
    ck_assert_str_eq(s.tls.cipher_list, "HIGH:!aNULL");
    ck_assert_str_eq(s.tls.ciphersuites, "TLS_AES_256_GCM_SHA384");
    ck_assert(s.tls.verify);
    ck_assert(s.tls.keep_buffers);
    ck_assert(s.restricted_admin);
    ck_assert(s.allow_other_user);
    ck_assert_str_eq(s.tls.ca_file, "/etc/ssl/certs/ca.pem");
    ck_assert_uint_eq(s.max_token, 1024);
    ck_assert_uint_eq(s.max_legs, 64);
    ck_assert_str_eq(s.deleg, "TERMSRV/*, HTTP/web.example.com");
    ck_assert_str_eq(s.ntlm_deleg, "TERMSRV/lab-*");
    ck_assert_str_eq(s.frame_initial, "HTTP/*");
    ck_assert_str_eq(s.cert_file, "/srv/cert.pem");
    ck_assert_str_eq(s.key_file, "/srv/key.pem");
    cs_settings_clear(&s);
}
END_TEST

/* tls_keep_buffers decides whether OpenSSL frees the record buffers after
 * each record (the default) or keeps them, in both roles. */
START_TEST(test_keep_buffers_mode)
{
    struct cs_tls_settings s = { 0 };
    SSL_CTX *ctx;
    int keep;

    for (keep = 0; keep < 2; keep++) {
        s.keep_buffers = keep;
        ck_assert_int_eq(cs_tls_client_ctx(&s, &ctx), CS_OK);
        ck_assert_int_eq((SSL_CTX_get_mode(ctx) &
                          SSL_MODE_RELEASE_BUFFERS) != 0, !keep);
        SSL_CTX_free(ctx);
        ck_assert_int_eq(cs_tls_server_ctx(&s, NULL, NULL, &ctx), CS_OK);
        ck_assert_int_eq((SSL_CTX_get_mode(ctx) &
                          SSL_MODE_RELEASE_BUFFERS) != 0, !keep);
        SSL_CTX_free(ctx);
    }
}
END_TEST

/* The other spellings of each enumerated value; a later line wins. */
START_TEST(test_values)
{
    static const struct {
        const char *line;
        int inner, oracle, tls_max, verify;
    } cases[] = {
        { "inner_mech = auto", CS_MECH_AUTO, -1, -1, -1 },
        { "inner_mech = spnego", CS_MECH_SPNEGO, -1, -1, -1 },
        { "inner_mech = ntlm", CS_MECH_NTLM, -1, -1, -1 },
        { "encryption_oracle = mitigated", -1, CS_ORACLE_MITIGATED, -1, -1 },
        { "encryption_oracle = vulnerable", -1, CS_ORACLE_VULNERABLE, -1,
          -1 },
        { "tls_max_version = 1.2", -1, -1, TLS1_2_VERSION, -1 },
        { "verify_certificate = TRUE", -1, -1, -1, 1 },
        { "verify_certificate = off", -1, -1, -1, 0 },
        { "verify_certificate = No", -1, -1, -1, 0 },
        { "verify_certificate = false", -1, -1, -1, 0 },
        { "verify_certificate = 0", -1, -1, -1, 0 },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cs_settings s;
        char conf[256], text[256];

        /* The line after a setting of the other value: it must win. */
        snprintf(conf, sizeof(conf),
                 "inner_mech = kerberos\nencryption_oracle = force-updated\n"
                 "tls_max_version = 1.3\nverify_certificate = yes\n"
                 "%s\n", cases[i].line);
        ck_assert_msg(parse(conf, &s, text, sizeof(text)) == CS_OK,
                      "%s: %s", cases[i].line, text);
        if (cases[i].inner >= 0) {
            ck_assert_int_eq(s.inner_mode, cases[i].inner);
        }
        if (cases[i].oracle >= 0) {
            ck_assert_int_eq(s.oracle, cases[i].oracle);
        }
        if (cases[i].tls_max >= 0) {
            ck_assert_int_eq(s.tls.max_version, cases[i].tls_max);
        }
        if (cases[i].verify >= 0) {
            ck_assert_int_eq(s.tls.verify, cases[i].verify);
        }
        cs_settings_clear(&s);
    }
}
END_TEST

/* Each refusal: the code, and the text naming file, line and reason. */
static const struct {
    const char *conf, *text;
} refusals[] = {
    { "no equals sign here\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: expected \"name = value\"" },
    { "# fine\nmax_legs = 8\nfrobnicate = 1\n",
      "SEC_E_INTERNAL_ERROR: test.conf:3: unknown setting \"frobnicate\"" },
    { "mech = kerberos\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: unknown setting \"mech\": the "
      "setting is inner_mech" },
    { "cert = /x\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: unknown setting \"cert\": the "
      "setting is certificate" },
    { "key = /x\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: unknown setting \"key\": the "
      "setting is private_key" },
    { "allow_ntlm_only_delegation = *\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: unknown setting "
      "\"allow_ntlm_only_delegation\": the setting is "
      "allow_delegation_ntlm_only" },
    { "credssp_inner_mech = ntlm\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: unknown setting "
      "\"credssp_inner_mech\"" },
    { "\x1b[31m = 1\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: unknown setting \"\\x1b[31m\"" },
    { "= 1\n", "SEC_E_INTERNAL_ERROR: test.conf:1: unknown setting \"\"" },
    { "inner_mech = negotiate\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "inner_mech = Kerberos\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "inner_mech =\n", "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "encryption_oracle = off\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "\n\nmin_version = 1\n",
      "SEC_E_INTERNAL_ERROR: test.conf:3: invalid value" },
    { "min_version = 7\n", "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "max_version = 56\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "max_version = 5 6\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "tls_min_version = 1.1\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "tls_max_version = TLSv1.3\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "tls_cipher_list = NO-SUCH-CIPHER\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "tls_ciphersuites = TLS_NO_SUCH_SUITE\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "verify_certificate = maybe\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "restricted_admin = 2\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "tls_keep_buffers = always\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "allow_other_user_delegation = y\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "max_token_size = 1023\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "max_token_size = 16777217\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "max_token_size = -1\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "max_token_size = 64k\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "max_token_size = 99999999999999999999999\n",
      "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "max_legs = 3\n", "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
    { "max_legs = 65\n", "SEC_E_INTERNAL_ERROR: test.conf:1: invalid value" },
};

START_TEST(test_refusals)
{
    struct cs_settings s;
    char text[256];

    ck_assert_int_eq(parse(refusals[_i].conf, &s, text, sizeof(text)),
                     CREDSSP_S_CONFIG);
    ck_assert_str_eq(text, refusals[_i].text);
    cs_settings_clear(&s);
}
END_TEST

/* The first bad line ends the parse; what the lines before it set stays,
 * what comes after is not read. */
START_TEST(test_first_error_ends)
{
    struct cs_settings s;
    char text[256];

    ck_assert_int_eq(parse("max_legs = 8\nmax_legs = 1\nmax_legs = 9\n"
                           "bogus\n",
                           &s, text, sizeof(text)),
                     CREDSSP_S_CONFIG);
    ck_assert_str_eq(text, "SEC_E_INTERNAL_ERROR: test.conf:2: invalid value");
    ck_assert_uint_eq(s.max_legs, 8);
    cs_settings_clear(&s);
}
END_TEST

/* A line longer than the parser's buffer is refused, not split in two. */
START_TEST(test_long_line)
{
    struct cs_settings s;
    char *conf, text[256];
    size_t n = 3000;

    conf = malloc(n + 64);
    ck_assert_ptr_nonnull(conf);
    strcpy(conf, "allow_delegation = ");
    memset(conf + strlen(conf), 'a', n);
    strcpy(conf + 19 + n, "\nmax_legs = 8\n");
    ck_assert_int_eq(parse(conf, &s, text, sizeof(text)), CREDSSP_S_CONFIG);
    ck_assert_str_eq(text, "SEC_E_INTERNAL_ERROR: test.conf:1: line too long");
    ck_assert_ptr_null(s.deleg);
    cs_settings_clear(&s);
    free(conf);
}
END_TEST

/* The error text is cut to the caller's buffer, and still terminated. */
START_TEST(test_short_text)
{
    struct cs_settings s;
    char text[16];

    ck_assert_int_eq(parse("bogus\n", &s, text, sizeof(text)),
                     CREDSSP_S_CONFIG);
    ck_assert_str_eq(text, "SEC_E_INTERNAL_");
    cs_settings_clear(&s);
}
END_TEST

/* An empty file and a file of comments are the defaults. */
START_TEST(test_empty)
{
    struct cs_settings s, zero;
    char text[64];

    memset(&zero, 0, sizeof(zero));
    ck_assert_int_eq(parse("", &s, text, sizeof(text)), CS_OK);
    ck_assert_mem_eq(&s, &zero, sizeof(s));
    ck_assert_int_eq(parse("# nothing\n\n#x = y\n", &s, text, sizeof(text)),
                     CS_OK);
    ck_assert_mem_eq(&s, &zero, sizeof(s));
}
END_TEST

/* The built-in defaults: version 6 at most; an initiator requires 5
 * ("mitigated"), an acceptor takes 2; the other oracle levels; an
 * explicit min_version overrides the level for both roles. */
START_TEST(test_version_defaults)
{
    struct cs_settings s;

    memset(&s, 0, sizeof(s));
    ck_assert_uint_eq(cs_settings_max_version(&s), CS_VERSION_MAX);
    ck_assert_uint_eq(CS_VERSION_MAX, 6);
    ck_assert_uint_eq(cs_settings_min_version(&s, CS_INITIATOR), 5);
    ck_assert_uint_eq(cs_settings_min_version(&s, CS_ACCEPTOR), 2);
    s.oracle = CS_ORACLE_FORCE_UPDATED;
    ck_assert_uint_eq(cs_settings_min_version(&s, CS_INITIATOR), 5);
    ck_assert_uint_eq(cs_settings_min_version(&s, CS_ACCEPTOR), 5);
    s.oracle = CS_ORACLE_VULNERABLE;
    ck_assert_uint_eq(cs_settings_min_version(&s, CS_INITIATOR), 2);
    ck_assert_uint_eq(cs_settings_min_version(&s, CS_ACCEPTOR), 2);
    s.min_version = 4;
    s.oracle = CS_ORACLE_FORCE_UPDATED;
    ck_assert_uint_eq(cs_settings_min_version(&s, CS_INITIATOR), 4);
    ck_assert_uint_eq(cs_settings_min_version(&s, CS_ACCEPTOR), 4);
    s.max_version = 3;
    ck_assert_uint_eq(cs_settings_max_version(&s), 3);
}
END_TEST

/* cs_settings_set: the codes a cred store or gss_set_cred_option sees,
 * and the deprecated names it maps. */
START_TEST(test_set)
{
    struct cs_settings s;

    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(cs_settings_set(&s, "max_legs", "12"), CS_OK);
    ck_assert_uint_eq(s.max_legs, 12);
    ck_assert_int_eq(cs_settings_set(&s, "max_legs", "twelve"),
                     CREDSSP_S_BAD_OPTION_VALUE);
    ck_assert_uint_eq(s.max_legs, 12);
    ck_assert_int_eq(cs_settings_set(&s, "no_such", "1"),
                     CREDSSP_S_UNSUPPORTED_OPTION);
    ck_assert_int_eq(cs_settings_set(&s, "mech", "ntlm"),
                     CREDSSP_S_UNSUPPORTED_OPTION);
    ck_assert_str_eq(cs_settings_renamed("mech"), "inner_mech");
    ck_assert_str_eq(cs_settings_renamed("allow_ntlm_only_delegation"),
                     "allow_delegation_ntlm_only");
    ck_assert_ptr_null(cs_settings_renamed("inner_mech"));
    ck_assert_ptr_null(cs_settings_renamed(""));
    /* A string setting set twice keeps the last copy only. */
    ck_assert_int_eq(cs_settings_set(&s, "ca_file", "/a"), CS_OK);
    ck_assert_int_eq(cs_settings_set(&s, "ca_file", "/b"), CS_OK);
    ck_assert_str_eq(s.tls.ca_file, "/b");
    cs_settings_clear(&s);
    ck_assert_ptr_null(s.tls.ca_file);
    ck_assert_uint_eq(s.max_legs, 0);
}
END_TEST

/* cs_settings_copy: a deep copy; clearing the source leaves it whole. */
START_TEST(test_copy)
{
    struct cs_settings a, b;
    char text[64];

    ck_assert_int_eq(parse("allow_delegation = TERMSRV/*\n"
                           "ca_file = /ca.pem\nmax_legs = 9\n",
                           &a, text, sizeof(text)),
                     CS_OK);
    ck_assert_int_eq(cs_settings_copy(&b, &a), CS_OK);
    ck_assert_ptr_ne(a.deleg, b.deleg);
    ck_assert_ptr_ne(a.tls.ca_file, b.tls.ca_file);
    cs_settings_clear(&a);
    ck_assert_str_eq(b.deleg, "TERMSRV/*");
    ck_assert_str_eq(b.tls.ca_file, "/ca.pem");
    ck_assert_ptr_null(b.ntlm_deleg);
    ck_assert_uint_eq(b.max_legs, 9);
    cs_settings_clear(&b);
}
END_TEST

/* The file GSSCREDSSP_CONFIG names, through cs_settings_load. */
static char dir[64];

static void
dir_setup(void)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(dir, sizeof(dir), "%s/cs-config.XXXXXX",
             tmp != NULL && *tmp != '\0' && strlen(tmp) < 40 ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
dir_teardown(void)
{
    char path[128];

    snprintf(path, sizeof(path), "%s/credssp.conf", dir);
    (void)unlink(path);
    (void)rmdir(path);
    (void)rmdir(dir);
}

/* write_conf: DIR/credssp.conf with text and mode; GSSCREDSSP_CONFIG
 * names it. */
static void
write_conf(const char *text, mode_t mode, char *path, size_t len)
{
    FILE *f;

    snprintf(path, len, "%s/credssp.conf", dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(chmod(path, mode), 0);
    ck_assert_int_eq(setenv("GSSCREDSSP_CONFIG", path, 1), 0);
}

START_TEST(test_load_file)
{
    struct cs_settings s;
    char path[128];

    write_conf("inner_mech = ntlm\nmax_legs = 10\n", 0600, path,
               sizeof(path));
    ck_assert_int_eq(cs_settings_load(&s), CS_OK);
    ck_assert_ptr_null(cs_config_error());
    ck_assert_int_eq(s.inner_mode, CS_MECH_NTLM);
    ck_assert_uint_eq(s.max_legs, 10);
    cs_settings_clear(&s);
    /* Read once per process: a change now is not seen. */
    write_conf("inner_mech = kerberos\n", 0600, path, sizeof(path));
    ck_assert_int_eq(cs_settings_load(&s), CS_OK);
    ck_assert_int_eq(s.inner_mode, CS_MECH_NTLM);
    cs_settings_clear(&s);
}
END_TEST

/* load_refused: cs_settings_load fails with CREDSSP_S_CONFIG, and
 * cs_config_error is "SEC_E_INTERNAL_ERROR: " path then want. */
static void
load_refused(const char *path, const char *want)
{
    struct cs_settings s;
    char expect[256];

    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(cs_settings_load(&s), CREDSSP_S_CONFIG);
    snprintf(expect, sizeof(expect), "SEC_E_INTERNAL_ERROR: %s%s", path,
             want);
    ck_assert_ptr_nonnull(cs_config_error());
    ck_assert_str_eq(cs_config_error(), expect);
    /* Refused for good in this process, with the same text. */
    ck_assert_int_eq(cs_settings_load(&s), CREDSSP_S_CONFIG);
    ck_assert_str_eq(cs_config_error(), expect);
}

START_TEST(test_load_bad_line)
{
    char path[128];

    write_conf("max_legs = 8\nmax_legs = 100\n", 0644, path, sizeof(path));
    load_refused(path, ":2: invalid value");
}
END_TEST

START_TEST(test_load_world_writable)
{
    char path[128];

    write_conf("max_legs = 8\n", 0606, path, sizeof(path));
    load_refused(path, ": refused: it is world-writable (mode 0606); only "
                 "its owner may write it");
}
END_TEST

START_TEST(test_load_group_writable)
{
    char path[128];

    write_conf("max_legs = 8\n", 0620, path, sizeof(path));
    load_refused(path, ": refused: it is group-writable (mode 0620); only "
                 "its owner may write it");
}
END_TEST

START_TEST(test_load_directory)
{
    char path[128];

    snprintf(path, sizeof(path), "%s/credssp.conf", dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    ck_assert_int_eq(setenv("GSSCREDSSP_CONFIG", path, 1), 0);
    load_refused(path, ": refused: not a regular file");
}
END_TEST

/* A file named explicitly must exist (a missing file is the defaults only
 * at the built-in path). */
START_TEST(test_load_missing)
{
    char path[128], want[128];

    snprintf(path, sizeof(path), "%s/credssp.conf", dir);
    ck_assert_int_eq(setenv("GSSCREDSSP_CONFIG", path, 1), 0);
    snprintf(want, sizeof(want), ": %s", strerror(ENOENT));
    load_refused(path, want);
}
END_TEST

/* /dev/null: writable by all, yet read as the built-in defaults. */
START_TEST(test_load_dev_null)
{
    struct cs_settings s, zero;

    memset(&zero, 0, sizeof(zero));
    ck_assert_int_eq(setenv("GSSCREDSSP_CONFIG", "/dev/null", 1), 0);
    ck_assert_int_eq(cs_settings_load(&s), CS_OK);
    ck_assert_ptr_null(cs_config_error());
    ck_assert_mem_eq(&s, &zero, sizeof(s));
    cs_settings_clear(&s);
}
END_TEST

int
main(void)
{
    Suite *su = suite_create("config");
    TCase *parse_tc = tcase_create("parse");
    TCase *file_tc = tcase_create("file");

    tcase_add_test(parse_tc, test_good_lines);
    tcase_add_test(parse_tc, test_values);
    tcase_add_test(parse_tc, test_keep_buffers_mode);
    tcase_add_loop_test(parse_tc, test_refusals, 0,
                        (int)(sizeof(refusals) / sizeof(refusals[0])));
    tcase_add_test(parse_tc, test_first_error_ends);
    tcase_add_test(parse_tc, test_long_line);
    tcase_add_test(parse_tc, test_short_text);
    tcase_add_test(parse_tc, test_empty);
    tcase_add_test(parse_tc, test_version_defaults);
    tcase_add_test(parse_tc, test_set);
    tcase_add_test(parse_tc, test_copy);
    suite_add_tcase(su, parse_tc);

    tcase_add_checked_fixture(file_tc, dir_setup, dir_teardown);
    tcase_add_test(file_tc, test_load_file);
    tcase_add_test(file_tc, test_load_bad_line);
    tcase_add_test(file_tc, test_load_world_writable);
    tcase_add_test(file_tc, test_load_group_writable);
    tcase_add_test(file_tc, test_load_directory);
    tcase_add_test(file_tc, test_load_missing);
    tcase_add_test(file_tc, test_load_dev_null);
    suite_add_tcase(su, file_tc);

    /* A process per test whatever CK_FORK says (check-valgrind sets it to
     * "no"): the file is read once per process. */
    return check_run(su, true);
}
