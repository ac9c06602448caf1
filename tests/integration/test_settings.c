/* SPDX-License-Identifier: MIT */
/*
 * test_settings.c - settings from credssp.conf and cred-store keys, the
 * debug trace (legal message flows, no secrets), and the acceptor's own
 * certificate, through the real mechglue.
 *
 * Each test runs in its own forked process (Check's default), so each
 * reads GSSCREDSSP_CONFIG / GSSCREDSSP_DEBUG afresh.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "hs.h"
#include "../check_run.h"

/* tmp_path: a file name in the fixture's directory. */
static void
tmp_path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s.%ld", hs_env("CREDSSP_TEST_DIR"), name,
             (long)getpid());
}

/* write_file: writes text to path, mode 0644 whatever the umask (a
 * group-writable credssp.conf is refused). */
static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    ck_assert_int_eq(chmod(path, 0644), 0);
}

/* Each inner mode follows a message flow of the engine's table, as both
 * sides' trace says, and the trace never holds the password. */
static const struct {
    const char *mech, *user, *password, *flow;
} flows[] = {
    { "ntlm", NULL, NULL, "ntlm" },
    { "kerberos", NULL, NULL, "kerberos" },
    { "spnego", "carol", "Carol-pass-3", "spnego-ntlm-mic-first" },
};

START_TEST(test_trace_flows)
{
    struct hs_opts o = { 0 };
    struct hs_result r;
    char path[512], want[128];
    char *trace;

    tmp_path(path, sizeof(path), "trace");
    setenv("GSSCREDSSP_DEBUG", path, 1);
    o.mech = flows[_i].mech;
    o.user = flows[_i].user;
    o.password = flows[_i].password;
    o.req_flags = GSS_C_DELEG_FLAG;
    o.ntlm_deleg = "*";
    ck_assert_int_eq(hs_run(&o, &r), 0);
    ck_assert(r.delegated);
    trace = hs_read_file(path);
    snprintf(want, sizeof(want), "initiator complete: message flow %s\n",
             flows[_i].flow);
    ck_assert_msg(strstr(trace, want) != NULL, "no '%s' in trace", want);
    snprintf(want, sizeof(want), "acceptor complete: message flow %s\n",
             flows[_i].flow);
    ck_assert_msg(strstr(trace, want) != NULL, "no '%s' in trace", want);
    ck_assert_ptr_null(strstr(trace, r.deleg_password));
    ck_assert_ptr_null(strstr(trace, "NOT IN TABLE"));
    free(trace);
    unlink(path);
}
END_TEST

/* credssp_inner_mech auto falls back to raw NTLM when no Kerberos credential
 * can be had, and the trace says krb5's reason (here: the KDC does not
 * know the NTLM-only user), never the password. */
START_TEST(test_trace_auto_reason)
{
    static const char said[] = "auto: Kerberos credential not usable: ";
    struct hs_opts o = { 0 };
    struct hs_result r;
    char path[512];
    char *trace, *at;

    tmp_path(path, sizeof(path), "trace");
    setenv("GSSCREDSSP_DEBUG", path, 1);
    o.mech = "auto";
    o.user = "CREDSSP\\carol";
    o.password = "Carol-pass-3";
    ck_assert_msg(hs_run(&o, &r) == 0, "%s | %s", r.init_error,
                  r.acc_error);
    ck_assert_str_eq(r.inner_mech, "ntlm");
    trace = hs_read_file(path);
    at = strstr(trace, said);
    ck_assert_msg(at != NULL, "no '%s' in trace", said);
    at += strlen(said);
    fprintf(stderr, "auto: %.*s\n", (int)strcspn(at, "\n"), at);
    ck_assert_int_gt(strcspn(at, "\n"), 0);
    ck_assert_msg(strncmp(at, "no lifetime", 11) != 0, "%.40s", at);
    ck_assert_ptr_null(strstr(trace, o.password));
    free(trace);
    unlink(path);
}
END_TEST

/*
 * The key log (SSLKEYLOGFILE) and the trace (GSSCREDSSP_DEBUG): each test
 * runs once per variable.  log_vars[_i] names it; log_ok is a line the
 * file must get from one handshake.
 */
static const struct {
    const char *var, *line;
} log_vars[] = {
    { "GSSCREDSSP_DEBUG", "initiator complete: message flow" },
    { "SSLKEYLOGFILE", "CLIENT_HANDSHAKE_TRAFFIC_SECRET " },
};

/* stderr_to: sends this process's standard error to path; returns the
 * descriptor to give back to stderr_back. */
static int
stderr_to(const char *path)
{
    int saved = dup(STDERR_FILENO);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(fd, 0);
    fflush(stderr);
    ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
    close(fd);
    return saved;
}

static void
stderr_back(int saved)
{
    fflush(stderr);
    ck_assert_int_eq(dup2(saved, STDERR_FILENO), STDERR_FILENO);
    close(saved);
}

/* log_handshake: one NTLM handshake at TLS 1.3 with the variable set to
 * path (the first GSS call reads it), standard error caught in errpath. */
static void
log_handshake(int i, const char *path, const char *errpath)
{
    struct hs_opts o = { 0 };
    struct hs_result r;
    int saved;

    setenv(log_vars[i].var, path, 1);
    saved = stderr_to(errpath);
    o.mech = "ntlm";
    o.tls_max = "1.3";
    ck_assert_int_eq(hs_run(&o, &r), 0);
    stderr_back(saved);
}

/* A new file is made 0600 whatever the umask (0 here: the file would be
 * 0666 otherwise), and gets the lines. */
START_TEST(test_log_file_mode)
{
    char path[512], err[512];
    struct stat st;
    char *text;

    tmp_path(path, sizeof(path), "log-new");
    tmp_path(err, sizeof(err), "stderr");
    umask(0);
    log_handshake(_i, path, err);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert_msg((st.st_mode & 07777) == 0600, "%s is %04o",
                  log_vars[_i].var, (unsigned)(st.st_mode & 07777));
    ck_assert_uint_eq(st.st_uid, geteuid());
    text = hs_read_file(path);
    ck_assert_msg(strstr(text, log_vars[_i].line) != NULL, "no '%s' in %s",
                  log_vars[_i].line, log_vars[_i].var);
    free(text);
    text = hs_read_file(err);
    ck_assert_str_eq(text, "");
    free(text);
    unlink(path);
    unlink(err);
}
END_TEST

/* An existing file of our own is appended to, and keeps its mode. */
START_TEST(test_log_file_append)
{
    static const char before[] = "a line from before\n";
    char path[512], err[512];
    struct stat st;
    char *text;

    tmp_path(path, sizeof(path), "log-old");
    tmp_path(err, sizeof(err), "stderr");
    write_file(path, before);
    ck_assert_int_eq(chmod(path, 0640), 0);
    log_handshake(_i, path, err);
    text = hs_read_file(path);
    ck_assert_int_eq(strncmp(text, before, strlen(before)), 0);
    ck_assert_msg(strstr(text + strlen(before), log_vars[_i].line) != NULL,
                  "no '%s' appended to %s", log_vars[_i].line,
                  log_vars[_i].var);
    free(text);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0640);
    unlink(path);
    unlink(err);
}
END_TEST

/*
 * refused: the variable names a file the module must not write (a
 * symbolic link, or a file another user owns): the handshake still
 * works, the file behind the name is unchanged, and standard error has
 * one line that names the variable, the file and the reason.
 */
static void
refused(int i, const char *path, const char *target, const char *reason)
{
    static const char content[] = "not yours\n";
    char err[512], want[700];
    char *text;

    tmp_path(err, sizeof(err), "stderr");
    log_handshake(i, path, err);
    text = hs_read_file(target);
    ck_assert_msg(strcmp(text, content) == 0, "%s wrote to %s: %.200s",
                  log_vars[i].var, target, text);
    free(text);
    text = hs_read_file(err);
    snprintf(want, sizeof(want), "gss-credssp: %s=%s not used: %s",
             log_vars[i].var, path, reason);
    ck_assert_msg(strstr(text, want) != NULL, "stderr: '%s', wanted '%s'",
                  text, want);
    free(text);
    unlink(err);
}

/* A symbolic link is not followed, even to a file of our own. */
START_TEST(test_log_file_symlink)
{
    char link[512], target[512];

    tmp_path(link, sizeof(link), "log-link");
    tmp_path(target, sizeof(target), "log-target");
    write_file(target, "not yours\n");
    ck_assert_int_eq(symlink(target, link), 0);
    refused(_i, link, target, "it is a symbolic link (not followed)");
    unlink(link);
    unlink(target);
}
END_TEST

/* A file of another user is refused (the tests run as root, so chown
 * can give one away). */
START_TEST(test_log_file_foreign)
{
    char path[512], reason[128];

    if (geteuid() != 0) {
        /* Not a silent pass: said, and a failure under CI=true. */
        fprintf(stderr, "test_log_file_foreign: SKIP: needs root\n");
        ck_assert_msg(strcmp(hs_env("CI"), "true") != 0, "needs root");
        return;
    }
    tmp_path(path, sizeof(path), "log-foreign");
    write_file(path, "not yours\n");
    ck_assert_int_eq(chown(path, 4242, 4242), 0);
    snprintf(reason, sizeof(reason),
             "it belongs to uid 4242, not to the effective user (uid %lu)",
             (unsigned long)geteuid());
    refused(_i, path, path, reason);
    unlink(path);
}
END_TEST

/* credssp.conf allows NTLM-only delegation to a target pattern. */
START_TEST(test_config_ntlm_delegation)
{
    struct hs_opts o = { 0 };
    struct hs_result r;
    char path[512];

    tmp_path(path, sizeof(path), "credssp.conf");
    write_file(path, "# test\n\nallow_delegation_ntlm_only = HTTP/*, "
                     "TERMSRV/localhost\n");
    setenv("GSSCREDSSP_CONFIG", path, 1);
    o.mech = "ntlm";
    o.req_flags = GSS_C_DELEG_FLAG;
    ck_assert_int_eq(hs_run(&o, &r), 0);
    ck_assert(r.delegated);

    o.target = "WSMAN@localhost";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_POLICY_NTLM_ONLY);
    unlink(path);
}
END_TEST

/* A credssp.conf rule frames the first token for a target service. */
START_TEST(test_config_frame_initial)
{
    struct hs_opts o = { 0 };
    struct hs_result r;
    char path[512];

    tmp_path(path, sizeof(path), "frame.conf");
    write_file(path, "frame_initial_token = TERMSRV/*\n");
    setenv("GSSCREDSSP_CONFIG", path, 1);
    o.raw_first = true;
    ck_assert_int_eq(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.first_byte, 0x60);
    unlink(path);
}
END_TEST

/* A malformed file is an error that names file and line. */
START_TEST(test_config_malformed)
{
    struct hs_opts o = { 0 };
    struct hs_result r;
    char path[512], want[600];

    tmp_path(path, sizeof(path), "bad.conf");
    write_file(path, "min_version = 5\n"
                     "allow_delegation_ntlm_only\n");
    setenv("GSSCREDSSP_CONFIG", path, 1);
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_major, GSS_S_FAILURE);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_CONFIG);
    snprintf(want, sizeof(want), "%s:2: expected \"name = value\"", path);
    ck_assert_msg(strstr(r.init_error, want) != NULL, "%s", r.init_error);
    unlink(path);
}
END_TEST

/* An explicit GSSCREDSSP_CONFIG that cannot be read is an error too, and
 * so is an unknown setting. */
START_TEST(test_config_unreadable)
{
    struct hs_opts o = { 0 };
    struct hs_result r;
    char path[512];

    tmp_path(path, sizeof(path), "missing.conf");
    if (_i == 1) {
        write_file(path, "tls_max_version = 1.3\nfrobnicate = yes\n");
    }
    setenv("GSSCREDSSP_CONFIG", path, 1);
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_CONFIG);
    ck_assert_msg(strstr(r.init_error, path) != NULL, "%s", r.init_error);
    ck_assert_msg(strstr(r.init_error, _i == 1 ? ":2: unknown setting "
                                                 "\"frobnicate\""
                                               : "No such file") != NULL,
                  "%s", r.init_error);
    unlink(path);
}
END_TEST

/*
 * One name per setting: each is taken by its credssp.conf name, and by
 * "credssp_" and that name in a cred store (credssp.conf(5)'s table).
 * An unknown name is refused in both places, so being taken proves the
 * name is known.
 */
static const struct {
    const char *name, *value;
} names[] = {
    { "inner_mech", "ntlm" },
    { "encryption_oracle", "mitigated" },
    { "min_version", "5" },
    { "max_version", "6" },
    { "tls_min_version", "1.2" },
    { "tls_max_version", "1.3" },
    { "tls_cipher_list", "ECDHE+AESGCM" },
    { "tls_ciphersuites", "TLS_AES_128_GCM_SHA256" },
    { "verify_certificate", "no" },
    { "tls_keep_buffers", "no" },
    { "ca_file", "/etc/ssl/certs/ca-certificates.crt" },
    { "restricted_admin", "no" },
    { "allow_other_user_delegation", "no" },
    { "max_token_size", "65536" },
    { "max_legs", "16" },
    { "allow_delegation", "*" },
    { "allow_delegation_ntlm_only", "TERMSRV/*" },
    { "frame_initial_token", "imap/*" },
    { "certificate", "/nonexistent/cert.pem" },
    { "private_key", "/nonexistent/key.pem" },
};

START_TEST(test_setting_names)
{
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    gss_key_value_element_desc e;
    gss_key_value_set_desc kv = { 1, &e };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    OM_uint32 major, minor;
    char path[512], line[256], key[128], text[600];

    tmp_path(path, sizeof(path), "names.conf");
    snprintf(line, sizeof(line), "%s = %s\n", names[_i].name,
             names[_i].value);
    write_file(path, line);
    setenv("GSSCREDSSP_CONFIG", path, 1);
    snprintf(key, sizeof(key), "credssp_%s", names[_i].name);
    e.key = key;
    e.value = names[_i].value;
    major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME, 0, &set,
                                  GSS_C_ACCEPT, &kv, &cred, NULL, NULL);
    hs_status_text(major, minor, text, sizeof(text));
    ck_assert_msg(major == GSS_S_COMPLETE, "%s: %s", line, text);
    gss_release_cred(&minor, &cred);

    /* A bad value is refused under the same key: the key was parsed. */
    e.value = "@@bad";
    major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME, 0, &set,
                                  GSS_C_ACCEPT, &kv, &cred, NULL, NULL);
    if (major != GSS_S_COMPLETE) {
        hs_status_text(major, minor, text, sizeof(text));
        ck_assert_msg(minor == CREDSSP_S_BAD_OPTION_VALUE, "%s: %s", key,
                      text);
    } else {
        gss_release_cred(&minor, &cred);     /* a free-form text setting */
    }
    unlink(path);
}
END_TEST

/* The short names credssp.conf used to take without documenting them are
 * refused, naming the file, the line and the setting's name. */
static const struct {
    const char *old, *now;
} refused_names[] = {
    { "mech", "inner_mech" },
    { "allow_ntlm_only_delegation", "allow_delegation_ntlm_only" },
    { "cert", "certificate" },
    { "key", "private_key" },
};

START_TEST(test_config_old_names)
{
    struct hs_opts o = { 0 };
    struct hs_result r;
    char path[512], text[256], want[700];

    tmp_path(path, sizeof(path), "old.conf");
    snprintf(text, sizeof(text), "tls_max_version = 1.3\n%s = x\n",
             refused_names[_i].old);
    write_file(path, text);
    setenv("GSSCREDSSP_CONFIG", path, 1);
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.init_major, GSS_S_FAILURE);
    ck_assert_uint_eq(r.init_minor, CREDSSP_S_CONFIG);
    snprintf(want, sizeof(want),
             "%s:2: unknown setting \"%s\": the setting is %s", path,
             refused_names[_i].old, refused_names[_i].now);
    ck_assert_msg(strstr(r.init_error, want) != NULL, "%s", r.init_error);
    unlink(path);
}
END_TEST

/*
 * Who may write credssp.conf: a file writable by group or others, or
 * owned by neither root nor the effective user, is refused with an error
 * that names the file and the reason; a file of root's, or of the
 * effective user's (the test switches its effective uid to 4242 for the
 * acquisition), is read: it says max_version = 5, and the handshake then
 * runs at version 5.
 */
static const struct {
    mode_t mode;
    uid_t owner, euid;
    const char *refusal;          /* NULL: read */
} perms[] = {
    { 0664, 0, 0, "refused: it is group-writable (mode 0664); only its "
                  "owner may write it" },
    { 0646, 0, 0, "refused: it is world-writable (mode 0646)" },
    { 0666, 0, 0, "refused: it is world-writable (mode 0666)" },
    { 0644, 4242, 0, "refused: it belongs to uid 4242, neither root nor "
                     "the effective user (uid 0)" },
    { 0644, 4343, 4242, "refused: it belongs to uid 4343, neither root nor "
                        "the effective user (uid 4242)" },
    { 0644, 0, 0, NULL },
    { 0600, 0, 0, NULL },
    { 0600, 4242, 4242, NULL },
    { 0644, 0, 4242, NULL },
};

START_TEST(test_config_permissions)
{
    const char *u = hs_env("CREDSSP_TEST_USER");
    const char *p = hs_env("CREDSSP_TEST_PASSWORD");
    gss_buffer_desc ub = { strlen(u), (void *)u }, pb = { strlen(p),
                                                          (void *)p };
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    gss_OID_set mechs = GSS_C_NO_OID_SET;
    char dir[] = "/tmp/credssp-conf.XXXXXX", path[64], text[700];
    struct hs_opts o = { 0 };
    struct hs_result r;
    gss_name_t user;
    OM_uint32 major, minor;

    if (geteuid() != 0) {
        fprintf(stderr, "test_config_permissions: SKIP: needs root\n");
        ck_assert_msg(strcmp(hs_env("CI"), "true") != 0, "needs root");
        return;
    }
    /* A directory uid 4242 can enter. */
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chmod(dir, 0755), 0);
    snprintf(path, sizeof(path), "%s/credssp.conf", dir);
    write_file(path, "max_version = 5\n");
    ck_assert_int_eq(chmod(path, perms[_i].mode), 0);
    ck_assert_int_eq(chown(path, perms[_i].owner, perms[_i].owner), 0);
    setenv("GSSCREDSSP_CONFIG", path, 1);
    /* The mechglue reads its own configuration as root, first. */
    ck_assert_uint_eq(gss_indicate_mechs(&minor, &mechs), GSS_S_COMPLETE);
    gss_release_oid_set(&minor, &mechs);
    ck_assert_uint_eq(gss_import_name(&minor, &ub, GSS_C_NT_USER_NAME,
                                      &user), GSS_S_COMPLETE);
    ck_assert_int_eq(seteuid(perms[_i].euid), 0);
    major = gss_acquire_cred_with_password(&minor, user, &pb, 0, &set,
                                           GSS_C_INITIATE, &o.init_cred,
                                           NULL, NULL);
    ck_assert_int_eq(seteuid(0), 0);
    hs_status_text(major, minor, text, sizeof(text));
    if (perms[_i].refusal != NULL) {
        ck_assert_msg(major == GSS_S_FAILURE && minor == CREDSSP_S_CONFIG,
                      "%s", text);
        ck_assert_msg(strstr(text, path) != NULL &&
                          strstr(text, perms[_i].refusal) != NULL,
                      "%s", text);
    } else {
        ck_assert_msg(major == GSS_S_COMPLETE, "%s", text);
        o.mech = "ntlm";
        ck_assert_msg(hs_run(&o, &r) == 0, "%s | %s", r.init_error,
                      r.acc_error);
        ck_assert_str_eq(r.version, "5");
        gss_release_cred(&minor, &o.init_cred);
    }
    gss_release_name(&minor, &user);
    unlink(path);
    rmdir(dir);
}
END_TEST

/*
 * GSSCREDSSP_CONFIG may name the null device (the built-in defaults: the
 * tests' own environment does so); any other file that is not a regular
 * file (a directory, a FIFO anyone could feed) is refused, without
 * blocking on the FIFO.
 */
START_TEST(test_config_special_files)
{
    char dir[] = "/tmp/credssp-conf.XXXXXX", fifo[64], text[700];
    const char *paths[3];
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    OM_uint32 major, minor;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    paths[0] = "/dev/null";
    paths[1] = dir;
    paths[2] = fifo;
    setenv("GSSCREDSSP_CONFIG", paths[_i], 1);
    major = gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &set, GSS_C_ACCEPT,
                             &cred, NULL, NULL);
    hs_status_text(major, minor, text, sizeof(text));
    if (_i == 0) {
        ck_assert_msg(major == GSS_S_COMPLETE, "%s", text);
    } else {
        ck_assert_msg(major == GSS_S_FAILURE && minor == CREDSSP_S_CONFIG,
                      "%s", text);
        ck_assert_msg(strstr(text, paths[_i]) != NULL &&
                          strstr(text, "not a regular file") != NULL,
                      "%s", text);
    }
    gss_release_cred(&minor, &cred);
    unlink(fifo);
    rmdir(dir);
}
END_TEST

/* set_opt: gss_set_cred_option with a text value; the major status. */
static OM_uint32
set_opt(gss_cred_id_t *cred, gss_OID oid, const char *text,
        OM_uint32 *minor)
{
    gss_buffer_desc v = { strlen(text), (void *)text };

    return gss_set_cred_option(minor, cred, oid, &v);
}

/*
 * A credential's settings may change until its first use and never
 * after: every way of changing them (option OID, GSS_CREDSSP_OPT_STORE_KEY
 * for a setting and for smart card credentials) is then refused with
 * CREDSSP_S_CRED_IN_USE, whose text starts with the SSPI name, and the
 * credential goes on with the settings it was used with.  (A change
 * after first use used to be taken and then ignored: the TLS context and
 * the inner credential had been made already.)
 */
START_TEST(test_settings_fixed_after_use)
{
    static const struct {
        gss_OID oid;
        const char *value;
    } late[] = {
        { GSS_CREDSSP_OPT_INNER_MECH, "kerberos" },
        { GSS_CREDSSP_OPT_TLS_MAX_VERSION, "1.2" },
        { GSS_CREDSSP_OPT_STORE_KEY, "credssp_tls_max_version=1.2" },
        { GSS_CREDSSP_OPT_STORE_KEY, "credssp_mech=kerberos" },
        { GSS_CREDSSP_OPT_STORE_KEY, "credssp_smartcard_pin=1234" },
    };
    struct hs_opts o = { 0 };
    struct hs_result r;
    OM_uint32 major, minor;
    char text[600];
    size_t i;

    ck_assert_uint_eq(hs_init_cred(&o, &o.init_cred, &minor),
                      GSS_S_COMPLETE);
    /* Before the first use: taken. */
    ck_assert_uint_eq(set_opt(&o.init_cred, GSS_CREDSSP_OPT_INNER_MECH,
                              "ntlm", &minor), GSS_S_COMPLETE);
    ck_assert_uint_eq(set_opt(&o.init_cred, GSS_CREDSSP_OPT_STORE_KEY,
                              "credssp_tls_max_version=1.3", &minor),
                      GSS_S_COMPLETE);
    ck_assert_int_eq(hs_run(&o, &r), 0);
    ck_assert_str_eq(r.inner_mech, "ntlm");
    ck_assert_str_eq(r.tls_version, "TLSv1.3");

    for (i = 0; i < sizeof(late) / sizeof(late[0]); i++) {
        major = set_opt(&o.init_cred, late[i].oid, late[i].value, &minor);
        hs_status_text(major, minor, text, sizeof(text));
        ck_assert_msg(major == GSS_S_FAILURE &&
                          minor == CREDSSP_S_CRED_IN_USE,
                      "%s: %s", late[i].value, text);
        ck_assert_msg(strstr(text, "SEC_E_UNSUPPORTED_FUNCTION: ") != NULL &&
                          strstr(text, "in use") != NULL,
                      "%s", text);
    }
    ck_assert_int_eq(hs_run(&o, &r), 0);
    ck_assert_str_eq(r.inner_mech, "ntlm");
    ck_assert_str_eq(r.tls_version, "TLSv1.3");
    gss_release_cred(&minor, &o.init_cred);
}
END_TEST

/* make_cert: a self-signed ECDSA P-256 certificate and key as PEM files;
 * the certificate's DER comes back in *der. */
static void
make_cert(const char *cert_path, const char *key_path, unsigned char **der,
          int *der_len)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = hs_self_signed(key);
    FILE *f;

    ck_assert_ptr_nonnull(cert);
    f = fopen(cert_path, "w");
    ck_assert_int_eq(PEM_write_X509(f, cert), 1);
    fclose(f);
    f = fopen(key_path, "w");
    ck_assert_int_eq(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL,
                                          NULL), 1);
    fclose(f);
    *der = NULL;
    *der_len = i2d_X509(cert, der);
    ck_assert_int_gt(*der_len, 0);
    X509_free(cert);
    EVP_PKEY_free(key);
}

/* The cred-store keys of four settings, by their names (credssp_ and the
 * credssp.conf name) and by the deprecated names they shipped with, which
 * still work. */
static const char *const store_keys[][4] = {
    { GSS_CREDSSP_STORE_CERTIFICATE, GSS_CREDSSP_STORE_PRIVATE_KEY,
      GSS_CREDSSP_STORE_INNER_MECH,
      GSS_CREDSSP_STORE_ALLOW_DELEGATION_NTLM_ONLY },
    { "credssp_cert", "credssp_key", "credssp_mech",
      "credssp_allow_ntlm_only_delegation" },
};

/* Cred-store keys: the acceptor's certificate (ECDSA here) and the
 * keytab side by side; the initiator's user, password, inner mech and
 * NTLM delegation policy.  The initiator sees exactly that certificate.
 * The trace names the key to use instead of each deprecated one, and no
 * other. */
START_TEST(test_cred_store)
{
    char cert[512], key[512], trace_path[512], want[160];
    char *trace;
    size_t k;
    unsigned char *der;
    int der_len;
    gss_key_value_element_desc ae[3], ie[4];
    gss_key_value_set_desc aset = { 3, ae }, iset = { 4, ie };
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    gss_buffer_set_t got = GSS_C_NO_BUFFER_SET;
    struct hs_opts o = { 0 };
    struct hs_result r;
    OM_uint32 minor;

    tmp_path(trace_path, sizeof(trace_path), "names-trace");
    setenv("GSSCREDSSP_DEBUG", trace_path, 1);
    tmp_path(cert, sizeof(cert), "cert.pem");
    tmp_path(key, sizeof(key), "key.pem");
    make_cert(cert, key, &der, &der_len);
    ae[0].key = store_keys[_i][0];
    ae[0].value = cert;
    ae[1].key = store_keys[_i][1];
    ae[1].value = key;
    ae[2].key = "keytab";
    ae[2].value = hs_env("KRB5_KTNAME");
    ie[0].key = GSS_CREDSSP_STORE_USER;
    ie[0].value = "CREDSSP\\alice";
    ie[1].key = GSS_CREDSSP_STORE_PASSWORD;
    ie[1].value = hs_env("CREDSSP_TEST_PASSWORD");
    ie[2].key = store_keys[_i][2];
    ie[2].value = "ntlm";
    ie[3].key = store_keys[_i][3];
    ie[3].value = "TERMSRV/*";
    ck_assert_uint_eq(gss_acquire_cred_from(&minor, GSS_C_NO_NAME, 0, &set,
                                            GSS_C_ACCEPT, &aset,
                                            &o.acc_cred, NULL, NULL),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(gss_acquire_cred_from(&minor, GSS_C_NO_NAME, 0, &set,
                                            GSS_C_INITIATE, &iset,
                                            &o.init_cred, NULL, NULL),
                      GSS_S_COMPLETE);
    o.req_flags = GSS_C_DELEG_FLAG;
    o.keep_ctx = true;
    ck_assert_int_eq(hs_run(&o, &r), 0);
    ck_assert_str_eq(r.inner_mech, "ntlm");
    ck_assert(r.delegated);
    ck_assert_str_eq(r.deleg_domain, "CREDSSP");
    ck_assert_str_eq(r.deleg_user, "alice");

    ck_assert_uint_eq(gss_inquire_sec_context_by_oid(
                          &minor, r.ictx, GSS_CREDSSP_INQ_PEER_CERT, &got),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(got->count, 1);
    ck_assert_uint_eq(got->elements[0].length, (size_t)der_len);
    ck_assert_int_eq(memcmp(got->elements[0].value, der, der_len), 0);
    gss_release_buffer_set(&minor, &got);

    trace = hs_read_file(trace_path);
    for (k = 0; k < 4; k++) {
        snprintf(want, sizeof(want), "cred-store key %s is deprecated: use %s",
                 store_keys[1][k], store_keys[0][k]);
        ck_assert_msg((strstr(trace, want) != NULL) == (_i == 1),
                      "'%s' %s in the trace", want,
                      _i == 1 ? "missing" : "wrongly");
    }
    free(trace);
    unlink(trace_path);

    OPENSSL_free(der);
    gss_release_name(&minor, &r.src);
    gss_delete_sec_context(&minor, &r.ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&minor, &r.actx, GSS_C_NO_BUFFER);
    gss_release_cred(&minor, &o.init_cred);
    gss_release_cred(&minor, &o.acc_cred);
    unlink(cert);
    unlink(key);
}
END_TEST

/* An unknown credssp_ key is refused, never ignored; a certificate file
 * that cannot be loaded is SEC_E_NO_CREDENTIALS at first use. */
START_TEST(test_cred_store_errors)
{
    gss_key_value_element_desc e[2];
    gss_key_value_set_desc kv = { 1, e };
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    struct hs_opts o = { 0 };
    struct hs_result r;
    OM_uint32 major, minor;
    char text[600];

    e[0].key = "credssp_frobnicate";
    e[0].value = "yes";
    major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME, 0, &set,
                                  GSS_C_ACCEPT, &kv, &o.acc_cred, NULL,
                                  NULL);
    ck_assert_uint_eq(major, GSS_S_UNAVAILABLE);
    ck_assert_uint_eq(minor, CREDSSP_S_UNSUPPORTED_OPTION);
    hs_status_text(major, minor, text, sizeof(text));
    ck_assert_msg(strstr(text, "SEC_E_UNSUPPORTED_FUNCTION: ") != NULL &&
                      strstr(text, "unknown cred-store key") != NULL,
                  "%s", text);

    e[0].key = GSS_CREDSSP_STORE_MIN_VERSION;
    e[0].value = "7";
    major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME, 0, &set,
                                  GSS_C_ACCEPT, &kv, &o.acc_cred, NULL,
                                  NULL);
    ck_assert_uint_eq(minor, CREDSSP_S_BAD_OPTION_VALUE);

    /* The same unknown key through GSS_CREDSSP_OPT_STORE_KEY: a bad value
     * of a known option, with its minor status (GSS_S_UNAVAILABLE would
     * reach the caller with minor 0: fuzz_credkeys found it). */
    ck_assert_uint_eq(gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &set,
                                       GSS_C_INITIATE, &o.init_cred, NULL,
                                       NULL),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(set_opt(&o.init_cred, GSS_CREDSSP_OPT_STORE_KEY,
                              "credssp_frobnicate=yes", &minor),
                      GSS_S_FAILURE);
    ck_assert_uint_eq(minor, CREDSSP_S_BAD_OPTION_VALUE);
    gss_release_cred(&minor, &o.init_cred);

    e[0].key = GSS_CREDSSP_STORE_CERTIFICATE;
    e[0].value = "/nonexistent/cert.pem";
    e[1].key = GSS_CREDSSP_STORE_PRIVATE_KEY;
    e[1].value = "/nonexistent/key.pem";
    kv.count = 2;
    ck_assert_uint_eq(gss_acquire_cred_from(&minor, GSS_C_NO_NAME, 0, &set,
                                            GSS_C_ACCEPT, &kv, &o.acc_cred,
                                            NULL, NULL),
                      GSS_S_COMPLETE);
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert_uint_eq(r.acc_major, GSS_S_NO_CRED);
    ck_assert_uint_eq(r.acc_minor, CREDSSP_S_NO_CERT);
    gss_release_cred(&minor, &o.acc_cred);
}
END_TEST

/*
 * Settings that contradict each other leave nothing to speak: a minimum
 * version above the maximum (CredSSP's, also through the Encryption
 * Oracle level's minimum, or TLS's), or no cipher suite left for the TLS
 * versions allowed.  The side that has them fails at its first call,
 * before it sends anything, with CREDSSP_S_BAD_OPTION_VALUE and a text
 * that names the settings, not later with an error that blames the peer.
 */
static const struct {
    bool acceptor;                /* whose settings */
    const char *min, *max, *oracle;
    gss_OID oid[2];
    const char *value[2];
    const char *says;
} contradictions[] = {
    { false, "6", "3", NULL, { NULL }, { NULL },
      "min_version 6 is above max_version 3" },
    { false, NULL, "4", NULL, { NULL }, { NULL },
      "max_version 4 is below version 5, which encryption_oracle = "
      "mitigated requires of an initiator" },
    { true, NULL, "4", "force-updated", { NULL }, { NULL },
      "encryption_oracle = force-updated requires of an acceptor" },
    { false, NULL, NULL, NULL,
      { GSS_CREDSSP_OPT_TLS_MIN_VERSION, GSS_CREDSSP_OPT_TLS_MAX_VERSION },
      { "1.3", "1.2" },
      "tls_min_version 1.3 is above tls_max_version 1.2" },
    { true, NULL, NULL, NULL,
      { GSS_CREDSSP_OPT_TLS_MIN_VERSION, GSS_CREDSSP_OPT_STORE_KEY },
      { "1.3", "credssp_tls_ciphersuites=" },
      "no TLS cipher suite is left" },
    { false, NULL, NULL, NULL,
      { GSS_CREDSSP_OPT_TLS_MAX_VERSION, GSS_CREDSSP_OPT_TLS_CIPHER_LIST },
      { "1.2", "PSK" },
      "no TLS cipher suite is left" },
};

START_TEST(test_settings_contradict)
{
    struct hs_opts o = { 0 };
    struct hs_result r;
    struct hs_opt *extra;
    bool acc = contradictions[_i].acceptor;
    OM_uint32 major, minor;
    const char *text;
    int i;

    o.mech = "kerberos";
    *(acc ? &o.acc_min_version : &o.init_min_version) =
        contradictions[_i].min;
    *(acc ? &o.acc_max_version : &o.init_max_version) =
        contradictions[_i].max;
    *(acc ? &o.acc_oracle : &o.init_oracle) = contradictions[_i].oracle;
    extra = acc ? o.acc_extra : o.init_extra;
    for (i = 0; i < 2; i++) {
        extra[i].oid = contradictions[_i].oid[i];
        extra[i].value = contradictions[_i].value[i];
    }
    ck_assert_int_ne(hs_run(&o, &r), 0);
    major = acc ? r.acc_major : r.init_major;
    minor = acc ? r.acc_minor : r.init_minor;
    text = acc ? r.acc_error : r.init_error;
    ck_assert_msg(major == GSS_S_FAILURE &&
                      minor == CREDSSP_S_BAD_OPTION_VALUE,
                  "0x%x/0x%x: %s", major, minor, text);
    ck_assert_msg(strstr(text, contradictions[_i].says) != NULL, "%s", text);
    /* Nothing sent: the initiator fails before its first token, the
     * acceptor answers the ClientHello with nothing. */
    ck_assert_int_eq(r.legs, acc ? 1 : 0);
}
END_TEST

/*
 * The Remote Guard buffer's hex digits (OpenSSL decodes them): pairs of
 * hex digits in either case are taken; an empty, odd-length or non-hex
 * value is refused with CREDSSP_S_BAD_OPTION_VALUE and a readable text,
 * and leaves nothing on OpenSSL's error queue (the module shares this
 * process's libcrypto, so a stray error would reach later TLS calls).
 */
static const struct {
    const char *hex;
    bool good;
} hex_values[] = {
    { "00ff10E2", true }, { "aBcD", true },  { "", false },
    { "0", false },       { "abc", false },  { "0g", false },
    { "0x12", false },    { " 12", false },  { "12 ", false },
    { "12:34", false },   { "1234zz", false },
};

START_TEST(test_remote_guard_hex)
{
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    OM_uint32 major, minor;
    char kv[128], text[600];

    ck_assert_uint_eq(gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &set,
                                       GSS_C_INITIATE, &cred, NULL, NULL),
                      GSS_S_COMPLETE);
    snprintf(kv, sizeof(kv), "%s=%s", GSS_CREDSSP_STORE_REMOTE_GUARD_BUFFER,
             hex_values[_i].hex);
    ERR_clear_error();
    major = set_opt(&cred, GSS_CREDSSP_OPT_STORE_KEY, kv, &minor);
    hs_status_text(major, minor, text, sizeof(text));
    if (hex_values[_i].good) {
        ck_assert_msg(major == GSS_S_COMPLETE, "%s: %s", kv, text);
    } else {
        ck_assert_msg(major == GSS_S_FAILURE &&
                          minor == CREDSSP_S_BAD_OPTION_VALUE,
                      "%s: %s", kv, text);
        ck_assert_msg(strstr(text, "SEC_E_INVALID_PARAMETER: ") != NULL,
                      "%s", text);
    }
    ck_assert_uint_eq(ERR_peek_error(), 0);
    gss_release_cred(&minor, &cred);
}
END_TEST

/* An acceptor from a cred store (the keytab named there): SPNEGO with
 * Kerberos works; SPNEGO with NTLM is refused cleanly (gss-ntlmssp cannot
 * take a store for an unnamed acceptor); raw NTLM still works. */
START_TEST(test_cred_store_spnego)
{
    gss_key_value_element_desc e = { "keytab", hs_env("KRB5_KTNAME") };
    gss_key_value_set_desc kv = { 1, &e };
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    struct hs_opts o = { 0 };
    struct hs_result r;
    OM_uint32 minor;

    ck_assert_uint_eq(gss_acquire_cred_from(&minor, GSS_C_NO_NAME, 0, &set,
                                            GSS_C_ACCEPT, &kv, &o.acc_cred,
                                            NULL, NULL),
                      GSS_S_COMPLETE);
    o.mech = "spnego";
    ck_assert_int_eq(hs_run(&o, &r), 0);
    ck_assert_str_eq(r.inner_mech, "kerberos");

    o.mech = "ntlm";
    ck_assert_int_eq(hs_run(&o, &r), 0);
    ck_assert_str_eq(r.inner_mech, "ntlm");

    o.mech = "spnego";
    o.user = "carol";
    o.password = "Carol-pass-3";
    ck_assert_int_ne(hs_run(&o, &r), 0);
    ck_assert(GSS_ERROR(r.acc_major) || GSS_ERROR(r.init_major));
    gss_release_cred(&minor, &o.acc_cred);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("settings");
    TCase *tc = tcase_create("settings");

    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_trace_flows, 0,
                        sizeof(flows) / sizeof(flows[0]));
    tcase_add_loop_test(tc, test_log_file_mode, 0, 2);
    tcase_add_loop_test(tc, test_log_file_append, 0, 2);
    tcase_add_loop_test(tc, test_log_file_symlink, 0, 2);
    tcase_add_loop_test(tc, test_log_file_foreign, 0, 2);
    tcase_add_test(tc, test_config_ntlm_delegation);
    tcase_add_test(tc, test_trace_auto_reason);
    tcase_add_test(tc, test_config_malformed);
    tcase_add_test(tc, test_config_frame_initial);
    tcase_add_loop_test(tc, test_config_unreadable, 0, 2);
    tcase_add_loop_test(tc, test_setting_names, 0,
                        sizeof(names) / sizeof(names[0]));
    tcase_add_loop_test(tc, test_config_old_names, 0,
                        sizeof(refused_names) / sizeof(refused_names[0]));
    tcase_add_loop_test(tc, test_config_permissions, 0,
                        sizeof(perms) / sizeof(perms[0]));
    tcase_add_loop_test(tc, test_config_special_files, 0, 3);
    tcase_add_test(tc, test_settings_fixed_after_use);
    tcase_add_loop_test(tc, test_cred_store, 0,
                        sizeof(store_keys) / sizeof(store_keys[0]));
    tcase_add_test(tc, test_cred_store_errors);
    tcase_add_loop_test(tc, test_settings_contradict, 0,
                        sizeof(contradictions) / sizeof(contradictions[0]));
    tcase_add_test(tc, test_cred_store_spnego);
    tcase_add_loop_test(tc, test_remote_guard_hex, 0,
                        sizeof(hex_values) / sizeof(hex_values[0]));
    suite_add_tcase(s, tc);
    /* Every test must start in a fresh process (settings are read once). */
    return check_run(s, true);
}
