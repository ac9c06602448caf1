/* SPDX-License-Identifier: MIT */
/*
 * client.c - `credssp connect`: a CredSSP initiator over the lp or rdp
 * transport, using nothing but the GSSAPI and the public header.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <gssapi/gssapi_credssp.h>

#include "tool.h"

/* The longest password line accepted on stdin. */
#define MAX_PASSWORD 1024
/* How long to wait for the server to close after our final token. */
#define LINGER_LP_MS 5000
#define LINGER_RDP_MS 2000

/* The initiator's GSS state, driven by ct_token_loop(). */
struct client {
    gss_cred_id_t cred;
    gss_name_t target;
    gss_ctx_id_t ctx;
    OM_uint32 req_flags;
    OM_uint32 ret_flags;
};

/* One gss_init_sec_context() call (ct_step_fn). */
static OM_uint32
client_step(void *arg, const gss_buffer_desc *in, gss_buffer_desc *out,
            OM_uint32 *minor)
{
    struct client *c = arg;

    return gss_init_sec_context(minor, c->cred, &c->ctx, c->target,
                                GSS_CREDSSP_MECH, c->req_flags, 0,
                                GSS_C_NO_CHANNEL_BINDINGS,
                                (gss_buffer_t)in, NULL, out, &c->ret_flags,
                                NULL);
}

/*
 * Reads one line from stdin as the password (the newline and a CR before
 * it are stripped), without echo when stdin is a terminal.  Reads byte by
 * byte so that nothing after the line is consumed.
 */
static enum ct_rc
read_password(char *buf, size_t size, size_t *len_out, struct ct_err *err)
{
    struct termios saved, quiet;
    bool tty = false, newline = false;
    size_t len = 0;
    enum ct_rc rc = CT_ERR;
    ssize_t n;
    char ch;

    if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0) {
            tty = true;
            fputs("Password: ", stderr);
            fflush(stderr);
        }
    }
    for (;;) {
        n = read(STDIN_FILENO, &ch, 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            ct_err_errno(err, errno, "cannot read the password from stdin");
            goto cleanup;
        }
        if (n == 0) {
            break;
        }
        if (ch == '\n') {
            newline = true;
            break;
        }
        if (len + 1 >= size) {
            ct_err_set(err, "the password on stdin is longer than %zu bytes",
                       size - 1);
            goto cleanup;
        }
        buf[len++] = ch;
    }
    if (!newline && len == 0) {
        ct_err_set(err, "--password-stdin: no password on stdin");
        goto cleanup;
    }
    if (len > 0 && buf[len - 1] == '\r') {
        len--;
    }
    buf[len] = '\0';
    *len_out = len;
    rc = CT_OK;

cleanup:
    ct_wipe(&ch, sizeof(ch));
    if (tty) {
        (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        fputc('\n', stderr);
    }
    return rc;
}

/* Applies one credential option; the value is the text without a NUL. */
static enum ct_rc
set_option(gss_cred_id_t *cred, gss_OID oid, const char *value,
           const char *what, struct ct_err *err)
{
    gss_buffer_desc buf;
    OM_uint32 major, minor;
    char call[96];

    buf.value = (void *)value;
    buf.length = strlen(value);
    major = gss_set_cred_option(&minor, cred, oid, &buf);
    if (GSS_ERROR(major)) {
        (void)snprintf(call, sizeof(call), "gss_set_cred_option(%s)", what);
        ct_err_gss(err, call, major, minor);
        return CT_ERR;
    }
    return CT_OK;
}

/*
 * Acquires the initiator credential for the CredSSP mechanism: with the
 * password when one was read, else whatever the inner mechanisms have
 * (ccache, NTLM_USER_FILE); then applies the command-line options.
 */
static enum ct_rc
get_cred(const struct ct_connect_opts *opts, const char *pw, size_t pw_len,
         bool have_pw, gss_cred_id_t *cred_out, struct ct_err *err)
{
    gss_OID_set_desc mechs = { 1, GSS_CREDSSP_MECH };
    gss_buffer_desc name_buf, pw_buf;
    gss_name_t name = GSS_C_NO_NAME;
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    struct ct_text text = { 0 };
    OM_uint32 major, minor, tmp;
    enum ct_rc rc = CT_ERR;

    if (opts->user != NULL) {
        if (opts->domain != NULL) {
            ct_text_addf(&text, "%s\\%s", opts->domain, opts->user);
        } else {
            ct_text_adds(&text, opts->user);
        }
        if (text.failed) {
            ct_err_set(err, "out of memory");
            goto cleanup;
        }
        name_buf.value = text.data;
        name_buf.length = text.len;
        major = gss_import_name(&minor, &name_buf, GSS_C_NT_USER_NAME,
                                &name);
        if (GSS_ERROR(major)) {
            ct_err_gss(err, "gss_import_name(user)", major, minor);
            goto cleanup;
        }
    }
    if (have_pw) {
        pw_buf.value = (void *)pw;
        pw_buf.length = pw_len;
        major = gss_acquire_cred_with_password(&minor, name, &pw_buf,
                                               GSS_C_INDEFINITE, &mechs,
                                               GSS_C_INITIATE, &cred, NULL,
                                               NULL);
        if (GSS_ERROR(major)) {
            ct_err_gss(err, "gss_acquire_cred_with_password", major, minor);
            goto bad_mech;
        }
    } else {
        major = gss_acquire_cred(&minor, name, GSS_C_INDEFINITE, &mechs,
                                 GSS_C_INITIATE, &cred, NULL, NULL);
        if (GSS_ERROR(major)) {
            ct_err_gss(err, "gss_acquire_cred", major, minor);
            goto bad_mech;
        }
    }

    if ((opts->mech != NULL &&
         set_option(&cred, GSS_CREDSSP_OPT_INNER_MECH, opts->mech,
                    "inner mech", err) != CT_OK) ||
        (opts->min_version != NULL &&
         set_option(&cred, GSS_CREDSSP_OPT_MIN_VERSION, opts->min_version,
                    "min version", err) != CT_OK) ||
        (opts->max_version != NULL &&
         set_option(&cred, GSS_CREDSSP_OPT_MAX_VERSION, opts->max_version,
                    "max version", err) != CT_OK) ||
        (opts->tls_max != NULL &&
         set_option(&cred, GSS_CREDSSP_OPT_TLS_MAX_VERSION, opts->tls_max,
                    "TLS max version", err) != CT_OK) ||
        (opts->allow_ntlm_only_delegation &&
         set_option(&cred, GSS_CREDSSP_OPT_ALLOW_NTLM_ONLY_DELEGATION, "*",
                    "NTLM-only delegation", err) != CT_OK)) {
        goto cleanup;
    }
    *cred_out = cred;
    cred = GSS_C_NO_CREDENTIAL;
    rc = CT_OK;
    goto cleanup;

bad_mech:
    if (GSS_ROUTINE_ERROR(major) == GSS_S_BAD_MECH) {
        ct_hint_registration(err);
    }

cleanup:
    if (cred != GSS_C_NO_CREDENTIAL) {
        (void)gss_release_cred(&tmp, &cred);
    }
    if (name != GSS_C_NO_NAME) {
        (void)gss_release_name(&tmp, &name);
    }
    ct_text_free(&text);
    return rc;
}

/*
 * No credential without a password (GSS_S_NO_CRED): say where one would
 * have come from, naming the NTLM user file when it is the cause.
 */
static void
hint_no_password(struct ct_err *err, const char *mech)
{
    const char *file = getenv("NTLM_USER_FILE");
    const char *krb = "; Kerberos needs a ticket (kinit)";

    if (!err->is_gss || GSS_ROUTINE_ERROR(err->major) != GSS_S_NO_CRED ||
        err->hint[0] != '\0') {
        return;
    }
    if (mech != NULL && strcmp(mech, "ntlm") == 0) {
        krb = "";
    }
    if (mech != NULL && strcmp(mech, "kerberos") == 0) {
        ct_err_hint(err, "without --password-stdin, Kerberos needs a ticket "
                    "in the cache (kinit, KRB5CCNAME)");
    } else if (file == NULL || *file == '\0') {
        ct_err_hint(err, "without --password-stdin, NTLM takes the password "
                    "from the file NTLM_USER_FILE names, and it is not "
                    "set%s", krb);
    } else if (access(file, R_OK) != 0) {
        ct_err_hint(err, "without --password-stdin, NTLM takes the password "
                    "from NTLM_USER_FILE=%s, which cannot be read: %s%s",
                    file, strerror(errno), krb);
    } else {
        ct_err_hint(err, "without --password-stdin, the credential is a "
                    "Kerberos ticket (kinit) or the user's line in "
                    "NTLM_USER_FILE=%s", file);
    }
}

/* Imports SERVICE@HOST as a host-based service name. */
static enum ct_rc
get_target(const char *service, const char *host, gss_name_t *name_out,
           struct ct_err *err)
{
    struct ct_text text = { 0 };
    gss_buffer_desc buf;
    OM_uint32 major, minor;
    enum ct_rc rc = CT_ERR;

    ct_text_addf(&text, "%s@%s", service, host);
    if (text.failed) {
        ct_err_set(err, "out of memory");
        goto cleanup;
    }
    buf.value = text.data;
    buf.length = text.len;
    major = gss_import_name(&minor, &buf, GSS_C_NT_HOSTBASED_SERVICE,
                            name_out);
    if (GSS_ERROR(major)) {
        ct_err_gss(err, "gss_import_name(target)", major, minor);
        goto cleanup;
    }
    rc = CT_OK;

cleanup:
    ct_text_free(&text);
    return rc;
}

/*
 * After our last token: half-close and wait a little for the server to
 * close.  On lp the server sends nothing after success, so a token there
 * means it rejected the last message (an error report); on rdp stray bytes
 * only earn a warning, since RDP servers may go on talking.
 */
static enum ct_rc
linger(int fd, enum ct_transport transport, const struct ct_out *out,
       struct ct_err *err)
{
    struct pollfd pfd;
    uint8_t buf[4096];
    size_t total = 0;
    int timeout = (transport == CT_TRANSPORT_LP) ? LINGER_LP_MS
                                                 : LINGER_RDP_MS;
    ssize_t n;
    int r;

    if (shutdown(fd, SHUT_WR) != 0) {
        ct_verbose(out, "shutdown: %s", strerror(errno));
        return CT_OK;
    }
    for (;;) {
        pfd.fd = fd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        r = poll(&pfd, 1, timeout);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            ct_verbose(out, "the server did not close the connection");
            break;
        }
        n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        total += (size_t)n;
    }
    if (total == 0) {
        return CT_OK;
    }
    if (transport == CT_TRANSPORT_LP) {
        ct_err_set(err, "the server answered our final token (%zu bytes): "
                   "it did not accept it", total);
        return CT_ERR;
    }
    fprintf(stderr, "credssp: %s: warning: the server sent %zu bytes "
            "after authentication completed\n", out->role, total);
    return CT_OK;
}

/* `credssp connect`; returns the exit status. */
int
ct_cmd_connect(const struct ct_connect_opts *opts)
{
    struct ct_out out = { "client", opts->json, opts->verbose };
    struct client c = { GSS_C_NO_CREDENTIAL, GSS_C_NO_NAME,
                        GSS_C_NO_CONTEXT, 0, 0 };
    struct ct_ctx_info info = { { 0 }, { 0 }, { 0 }, { 0 } };
    struct ct_stepper st = { "gss_init_sec_context", true, client_step,
                             NULL };
    struct ct_link link;
    struct ct_hostport hp;
    struct ct_err err;
    char pw[MAX_PASSWORD];
    size_t pw_len = 0;
    bool have_pw = false, hybrid_ex = false;
    int fd = -1, status = CT_EXIT_FAIL;
    OM_uint32 tmp;
    const char *service;

    st.arg = &c;
    memset(&err, 0, sizeof(err));
    if (opts->verbose) {
        ct_set_verbose_env();
    }
    if (ct_parse_hostport(opts->target, false, &hp, &err) != CT_OK) {
        goto fail;
    }
    if (opts->password_stdin) {
        if (read_password(pw, sizeof(pw), &pw_len, &err) != CT_OK) {
            goto fail;
        }
        have_pw = true;
    }
    if (get_cred(opts, pw, pw_len, have_pw, &c.cred, &err) != CT_OK) {
        goto fail;
    }
    ct_wipe(pw, sizeof(pw));
    if (opts->delegate && !have_pw) {
        fprintf(stderr, "credssp: client: warning: --delegate without "
                "--password-stdin: a Kerberos ticket or an NTLM_USER_FILE "
                "entry holds no password to delegate; the server gets empty "
                "credentials\n");
    }

    service = opts->service;
    if (service == NULL) {
        service = (opts->transport == CT_TRANSPORT_RDP) ? "TERMSRV" : "host";
    }
    if (get_target(service, hp.host, &c.target, &err) != CT_OK) {
        goto fail;
    }
    c.req_flags = GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG | GSS_C_SEQUENCE_FLAG |
                  GSS_C_REPLAY_FLAG;
    if (opts->delegate) {
        c.req_flags |= GSS_C_DELEG_FLAG;
    }

    ct_deadline_start(opts->timeout);
    if (ct_tcp_connect(&hp, &fd, &err) != CT_OK) {
        goto fail;
    }
    ct_verbose(&out, "connected to %s (%s transport, target %s@%s)",
               opts->target, ct_transport_name(opts->transport), service,
               hp.host);
    if (opts->transport == CT_TRANSPORT_RDP &&
        ct_x224_client(fd, opts->user, &out, &hybrid_ex, &err) != CT_OK) {
        goto fail;
    }
    link.fd = fd;
    link.transport = opts->transport;
    link.read_size = opts->read_size;
    if (ct_token_loop(&link, &st, &out, &err) != CT_OK) {
        goto fail;
    }
    if (hybrid_ex && ct_early_auth_recv(fd, c.ctx, &out, &err) != CT_OK) {
        goto fail;
    }
    if (linger(fd, opts->transport, &out, &err) != CT_OK) {
        goto fail;
    }
    ct_ctx_info_get(c.ctx, &info);
    ct_report_client(&out, opts->target, &info, c.ret_flags);
    status = CT_EXIT_OK;
    goto cleanup;

fail:
    if (!have_pw) {
        hint_no_password(&err, opts->mech);
    }
    ct_report_error(&out, &err);

cleanup:
    ct_wipe(pw, sizeof(pw));
    ct_ctx_info_free(&info);
    if (c.ctx != GSS_C_NO_CONTEXT) {
        (void)gss_delete_sec_context(&tmp, &c.ctx, GSS_C_NO_BUFFER);
    }
    if (c.target != GSS_C_NO_NAME) {
        (void)gss_release_name(&tmp, &c.target);
    }
    if (c.cred != GSS_C_NO_CREDENTIAL) {
        (void)gss_release_cred(&tmp, &c.cred);
    }
    if (fd >= 0) {
        (void)close(fd);
    }
    return status;
}
