/* SPDX-License-Identifier: MIT */
/*
 * server.c - `credssp serve`: a CredSSP acceptor over the lp or rdp
 * transport, serving one connection after another.
 *
 * MIT's mechglue picks the acceptor's mechanism from the first token and
 * cannot recognise a raw TLS ClientHello, so the first token of each
 * connection goes through gss_credssp_frame_token() (public header) before
 * gss_accept_sec_context(); later tokens are passed as they are.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1               /* accept4 */
#endif

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gssapi/gssapi_credssp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "tool.h"

/* Per-connection bound on each read and write, in seconds. */
#define IO_TIMEOUT 60
/* First byte of a token that already carries the RFC 2743 header. */
#define RFC2743_TAG 0x60

/* The acceptor's GSS state for one connection. */
struct server {
    gss_cred_id_t cred;         /* shared, not owned */
    gss_ctx_id_t ctx;
    gss_name_t src_name;
    gss_cred_id_t deleg;
    OM_uint32 ret_flags;
};

/* Releases what one accept call returned besides the context. */
static void
release_results(struct server *s)
{
    OM_uint32 tmp;

    if (s->src_name != GSS_C_NO_NAME) {
        (void)gss_release_name(&tmp, &s->src_name);
    }
    if (s->deleg != GSS_C_NO_CREDENTIAL) {
        (void)gss_release_cred(&tmp, &s->deleg);
    }
}

/*
 * One gss_accept_sec_context() call (ct_step_fn).  While there is no
 * context yet, the input is framed first; that is also the case again
 * after an incomplete first message, since the mechglue then creates no
 * context.
 */
static OM_uint32
server_step(void *arg, const gss_buffer_desc *in, gss_buffer_desc *out,
            OM_uint32 *minor)
{
    struct server *s = arg;
    gss_buffer_desc framed = GSS_C_EMPTY_BUFFER;
    gss_buffer_t use = (gss_buffer_t)in;
    OM_uint32 major, tmp;

    if (s->ctx == GSS_C_NO_CONTEXT &&
        !(in->length > 0 && ((const uint8_t *)in->value)[0] == RFC2743_TAG)) {
        major = gss_credssp_frame_token(minor, (gss_buffer_t)in, &framed);
        if (GSS_ERROR(major)) {
            return major;
        }
        use = &framed;
    }
    release_results(s);
    major = gss_accept_sec_context(minor, &s->ctx, s->cred, use,
                                   GSS_C_NO_CHANNEL_BINDINGS, &s->src_name,
                                   NULL, out, &s->ret_flags, NULL,
                                   &s->deleg);
    (void)gss_release_buffer(&tmp, &framed);
    return major;
}

/* A passphrase callback that gives none: an encrypted key fails instead
 * of prompting on the terminal. */
static int
no_passphrase(char *buf, int size, int rwflag, void *arg)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)arg;
    return 0;
}

/*
 * Writes " (OpenSSL: LIBRARY: REASON)" into buf for the first error
 * OpenSSL queued, the one that says what was wrong ("" when there is
 * none), and empties the queue.
 */
static void
openssl_reason(char *buf, size_t len)
{
    unsigned long e = ERR_peek_error();
    const char *lib = ERR_lib_error_string(e);
    const char *reason = ERR_reason_error_string(e);

    buf[0] = '\0';
    if (e != 0) {
        (void)snprintf(buf, len, " (OpenSSL: %s%s%s)",
                       lib != NULL ? lib : "", lib != NULL ? ": " : "",
                       reason != NULL ? reason : "unknown reason");
    }
    ERR_clear_error();
}

/*
 * The label of the first PEM block in file ("CERTIFICATE", "PRIVATE
 * KEY", ...) into label; false when the file holds none.
 */
static bool
first_pem_label(const char *file, char *label, size_t len)
{
    BIO *bio = BIO_new_file(file, "r");
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long data_len = 0;
    bool found;

    found = bio != NULL &&
            PEM_read_bio(bio, &name, &header, &data, &data_len) == 1;
    if (found) {
        (void)snprintf(label, len, "%s", name);
        OPENSSL_cleanse(data, (size_t)data_len);
    }
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    BIO_free(bio);
    ERR_clear_error();
    return found;
}

/*
 * Explains why file, given as option (--cert or --key), could not be
 * loaded as a private key (want_key) or a certificate chain; OpenSSL's
 * reason is still queued.
 */
static void
explain_load_failure(const char *option, const char *file, bool want_key,
                     struct ct_err *err)
{
    const char *want = want_key ? "private key" : "certificate";
    char why[256], label[80];
    bool is_key;

    openssl_reason(why, sizeof(why));
    if (!first_pem_label(file, label, sizeof(label))) {
        ct_err_set(err, "%s %s: not a PEM file, no \"-----BEGIN\" line%s",
                   option, file, why);
        return;
    }
    is_key = strstr(label, "PRIVATE KEY") != NULL;
    if (want_key && strcmp(label, "ENCRYPTED PRIVATE KEY") == 0) {
        ct_err_set(err, "%s %s: the private key is encrypted; the server "
                   "needs it unencrypted%s", option, file, why);
    } else if (want_key != is_key) {
        ct_err_set(err, "%s %s holds a %s (PEM \"%s\"), not a %s: are "
                   "--cert and --key swapped?%s", option, file,
                   is_key ? "private key" : "certificate", label, want, why);
    } else {
        ct_err_set(err, "%s %s: cannot load the %s%s", option, file, want,
                   why);
    }
}

/*
 * serve --cert/--key: loads both files as the mechanism will (OpenSSL,
 * PEM, the chain in the certificate file) and checks that the key belongs
 * to the certificate, so that a wrong file stops the server before it
 * listens, naming the file and OpenSSL's reason.
 */
static enum ct_rc
check_cert_key(const char *cert, const char *key, struct ct_err *err)
{
    SSL_CTX *ctx;
    EVP_PKEY *pkey = NULL;
    BIO *bio;
    enum ct_rc rc = CT_ERR;
    char why[256];

    ERR_clear_error();
    ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL) {
        openssl_reason(why, sizeof(why));
        ct_err_set(err, "cannot make an OpenSSL context%s", why);
        return CT_ERR;
    }
    SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
        explain_load_failure("--cert", cert, false, err);
        goto cleanup;
    }
    /* The key alone first: a key that loads but does not fit is told
     * apart from a file that holds no usable key. */
    bio = BIO_new_file(key, "r");
    if (bio != NULL) {
        pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
        BIO_free(bio);
    }
    if (pkey == NULL) {
        explain_load_failure("--key", key, true, err);
    } else if (SSL_CTX_use_PrivateKey(ctx, pkey) != 1 ||
               SSL_CTX_check_private_key(ctx) != 1) {
        openssl_reason(why, sizeof(why));
        ct_err_set(err, "--key %s is not the private key of the "
                   "certificate in --cert %s%s", key, cert, why);
    } else {
        rc = CT_OK;
    }

cleanup:
    ERR_clear_error();
    EVP_PKEY_free(pkey);
    SSL_CTX_free(ctx);
    return rc;
}

/*
 * NTLM logons are checked against gss-ntlmssp's user file: warn when
 * NTLM_USER_FILE names one that cannot be read (every NTLM logon would
 * fail), and, with --verbose, when none is named.
 */
static void
check_ntlm_user_file(const struct ct_out *out)
{
    const char *file = getenv("NTLM_USER_FILE");
    struct stat st;

    if (file == NULL || *file == '\0') {
        ct_verbose(out, "NTLM_USER_FILE is not set: gss-ntlmssp can check "
                   "NTLM logons only through winbind");
        return;
    }
    if (access(file, R_OK) != 0 || stat(file, &st) != 0) {
        fprintf(stderr, "credssp: server: warning: NTLM user file "
                "NTLM_USER_FILE=%s: %s; NTLM logons will fail\n", file,
                strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        fprintf(stderr, "credssp: server: warning: NTLM user file "
                "NTLM_USER_FILE=%s is not a regular file; NTLM logons will "
                "fail\n", file);
    }
}

/*
 * Acquires the acceptor credential for the CredSSP mechanism, from the
 * certificate and key files when given (cred store), else the default.
 */
static enum ct_rc
get_cred(const struct ct_serve_opts *opts, gss_cred_id_t *cred_out,
         struct ct_err *err)
{
    gss_OID_set_desc mechs = { 1, GSS_CREDSSP_MECH };
    gss_key_value_element_desc elements[2];
    gss_key_value_set_desc store;
    OM_uint32 major, minor;
    const char *files[2];
    size_t i;

    store.count = 0;
    store.elements = elements;
    files[0] = opts->cert;
    files[1] = opts->key;
    for (i = 0; i < 2; i++) {
        if (files[i] == NULL) {
            continue;
        }
        if (access(files[i], R_OK) != 0) {
            ct_err_errno(err, errno, "%s %s", i == 0 ? "--cert" : "--key",
                         files[i]);
            return CT_ERR;
        }
        elements[store.count].key = (i == 0) ? GSS_CREDSSP_STORE_CERTIFICATE
                                             : GSS_CREDSSP_STORE_PRIVATE_KEY;
        elements[store.count].value = files[i];
        store.count++;
    }
    if (store.count > 0 && check_cert_key(opts->cert, opts->key, err)
        != CT_OK) {
        return CT_ERR;
    }
    if (store.count > 0) {
        major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME,
                                      GSS_C_INDEFINITE, &mechs,
                                      GSS_C_ACCEPT, &store, cred_out, NULL,
                                      NULL);
        if (GSS_ERROR(major)) {
            ct_err_gss(err, "gss_acquire_cred_from", major, minor);
        }
    } else {
        major = gss_acquire_cred(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE,
                                 &mechs, GSS_C_ACCEPT, cred_out, NULL, NULL);
        if (GSS_ERROR(major)) {
            ct_err_gss(err, "gss_acquire_cred", major, minor);
        }
    }
    if (GSS_ROUTINE_ERROR(major) == GSS_S_BAD_MECH) {
        ct_hint_registration(err);
    }
    return GSS_ERROR(major) ? CT_ERR : CT_OK;
}

/* Puts the display form of name into t ("unknown" when there is none). */
static void
display_name(gss_name_t name, struct ct_text *t)
{
    gss_buffer_desc buf = GSS_C_EMPTY_BUFFER;
    OM_uint32 major, minor, tmp;

    if (name != GSS_C_NO_NAME) {
        major = gss_display_name(&minor, name, &buf, NULL);
        if (!GSS_ERROR(major) && buf.length > 0) {
            ct_text_add(t, buf.value, buf.length);
            (void)gss_release_buffer(&tmp, &buf);
            return;
        }
        (void)gss_release_buffer(&tmp, &buf);
    }
    ct_text_adds(t, "unknown");
}

/* ccache_principal: the default principal of a ccache, displayed; false
 * when it cannot be read. */
static bool
ccache_principal(const char *ccache, struct ct_text *t)
{
    gss_key_value_element_desc e = { "ccache", ccache };
    gss_key_value_set_desc kv = { 1, &e };
    gss_OID_desc krb5 = {
        9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"
    };
    gss_OID_set_desc set = { 1, &krb5 };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    gss_name_t name = GSS_C_NO_NAME;
    gss_buffer_desc disp = GSS_C_EMPTY_BUFFER;
    OM_uint32 minor, tmp;
    bool ok;

    ok = !GSS_ERROR(gss_acquire_cred_from(&minor, GSS_C_NO_NAME, 0, &set,
                                          GSS_C_INITIATE, &kv, &cred, NULL,
                                          NULL)) &&
         !GSS_ERROR(gss_inquire_cred(&minor, cred, &name, NULL, NULL,
                                     NULL)) &&
         !GSS_ERROR(gss_display_name(&minor, name, &disp, NULL)) &&
         disp.length > 0;
    if (ok) {
        ct_text_add(t, disp.value, disp.length);
    }
    (void)gss_release_buffer(&tmp, &disp);
    (void)gss_release_name(&tmp, &name);
    (void)gss_release_cred(&tmp, &cred);
    return ok;
}

/* add_file_name: a principal as a file name: [A-Za-z0-9._@-] as they
 * are, every other byte (and '%') as %XX, so that two principals never
 * share a name and none leaves the directory. */
static void
add_file_name(struct ct_text *t, const char *principal)
{
    const unsigned char *p = (const unsigned char *)principal;

    for (; *p != '\0'; p++) {
        if (isalnum(*p) || *p == '.' || *p == '_' || *p == '@' ||
            *p == '-') {
            ct_text_add(t, (const char *)p, 1);
        } else {
            ct_text_addf(t, "%%%02X", (unsigned int)*p);
        }
    }
}

/*
 * store_ticket: --store-ccache: the delegated password becomes a TGT
 * (gss_store_cred_into), for single sign-on.  The mechanism gets it for
 * the principal the inner authentication authenticated, in its realm
 * (gsscredssp(8)).  The ticket goes to a new file of its own first, and
 * is then renamed to DIR/krb5cc_PRINCIPAL after the principal it holds,
 * realm included: it replaces nothing but that principal's earlier
 * cache, and that whole.
 */
static enum ct_rc
store_ticket(gss_cred_id_t deleg, const char *dir, const struct ct_out *out,
             struct ct_err *err)
{
    char tmp[4096];
    struct ct_text ccache = { 0 }, principal = { 0 }, path = { 0 };
    gss_key_value_element_desc e = { "ccache", NULL };
    gss_key_value_set_desc kv = { 1, &e };
    OM_uint32 major, minor;
    enum ct_rc rc = CT_ERR;
    bool made = false;
    int n, fd;

    n = snprintf(tmp, sizeof(tmp), "%s/.krb5cc_new_XXXXXX", dir);
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        ct_err_set(err, "--store-ccache: path too long");
        goto cleanup;
    }
    fd = mkstemp(tmp);
    if (fd < 0) {
        ct_err_errno(err, errno, "--store-ccache: cannot create a file in "
                     "%s", dir);
        goto cleanup;
    }
    made = true;
    (void)close(fd);
    ct_text_addf(&ccache, "FILE:%s", tmp);
    e.value = ct_text_str(&ccache);
    major = gss_store_cred_into(&minor, deleg, GSS_C_INITIATE, GSS_C_NO_OID,
                                1, 0, &kv, NULL, NULL);
    if (major != GSS_S_COMPLETE) {
        ct_err_gss(err, "gss_store_cred_into", major, minor);
        goto cleanup;
    }
    if (!ccache_principal(e.value, &principal)) {
        ct_err_set(err, "--store-ccache: the stored cache names no "
                   "principal");
        goto cleanup;
    }
    ct_text_addf(&path, "%s/krb5cc_", dir);
    add_file_name(&path, ct_text_str(&principal));
    if (rename(tmp, ct_text_str(&path)) != 0) {
        ct_err_errno(err, errno, "--store-ccache: rename to %s",
                     ct_text_str(&path));
        goto cleanup;
    }
    made = false;
    ct_text_clear(&ccache);
    ct_text_addf(&ccache, "FILE:%s", ct_text_str(&path));
    ct_report_stored(out, ct_text_str(&principal), ct_text_str(&ccache));
    rc = CT_OK;

cleanup:
    if (made) {
        (void)unlink(tmp);
    }
    ct_text_free(&ccache);
    ct_text_free(&principal);
    ct_text_free(&path);
    return rc;
}

/* Authenticates the client on the connected socket fd and reports. */
static enum ct_rc
serve_one(int fd, gss_cred_id_t cred, const struct ct_serve_opts *opts,
          const struct ct_out *out)
{
    struct server s = { cred, GSS_C_NO_CONTEXT, GSS_C_NO_NAME,
                        GSS_C_NO_CREDENTIAL, 0 };
    struct ct_stepper st = { "gss_accept_sec_context", false, server_step,
                             NULL };
    struct ct_ctx_info info = { { 0 }, { 0 }, { 0 }, { 0 } };
    struct ct_deleg_info deleg = { CT_DELEG_NONE, { 0 }, { 0 } };
    struct ct_text user = { 0 };
    struct ct_link link;
    struct ct_err err;
    char peer[128];
    bool hybrid_ex = false;
    enum ct_rc rc = CT_ERR;
    OM_uint32 tmp;

    st.arg = &s;
    memset(&err, 0, sizeof(err));
    ct_sock_name(fd, true, peer, sizeof(peer));
    ct_verbose(out, "connection from %s", peer);
    if (ct_set_timeouts(fd, IO_TIMEOUT, &err) != CT_OK) {
        goto fail;
    }
    if (opts->transport == CT_TRANSPORT_RDP &&
        ct_x224_server(fd, out, &hybrid_ex, &err) != CT_OK) {
        goto fail;
    }
    link.fd = fd;
    link.transport = opts->transport;
    link.read_size = opts->read_size;
    if (ct_token_loop(&link, &st, out, &err) != CT_OK) {
        goto fail;
    }
    if (hybrid_ex &&
        ct_early_auth_send(fd, s.ctx, 0, out, &err) != CT_OK) {
        goto fail;
    }
    display_name(s.src_name, &user);
    ct_ctx_info_get(s.ctx, &info);
    if ((s.ret_flags & GSS_C_DELEG_FLAG) != 0 &&
        s.deleg != GSS_C_NO_CREDENTIAL) {
        ct_deleg_info_get(s.deleg, &deleg);
    }
    ct_report_server(out, peer, ct_text_str(&user), &info, &deleg);
    if (opts->store_ccache != NULL && deleg.type == CT_DELEG_PASSWORD &&
        store_ticket(s.deleg, opts->store_ccache, out, &err) != CT_OK) {
        goto fail;
    }
    rc = CT_OK;
    goto cleanup;

fail:
    ct_report_error(out, &err);

cleanup:
    ct_deleg_info_free(&deleg);
    ct_ctx_info_free(&info);
    ct_text_free(&user);
    release_results(&s);
    if (s.ctx != GSS_C_NO_CONTEXT) {
        (void)gss_delete_sec_context(&tmp, &s.ctx, GSS_C_NO_BUFFER);
    }
    return rc;
}

/* Takes over an inherited listening socket (--listen-fd). */
static enum ct_rc
adopt_listener(int fd, struct ct_err *err)
{
    int accepting = 0;
    socklen_t len = sizeof(accepting);

    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) != 0 ||
        !accepting) {
        ct_err_set(err, "--listen-fd %d is not a listening socket", fd);
        return CT_ERR;
    }
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
        ct_err_errno(err, errno, "fcntl");
        return CT_ERR;
    }
    return CT_OK;
}

/* True for accept() failures that concern one connection, not the socket. */
static bool
accept_error_transient(int e)
{
    return e == ECONNABORTED || e == EPROTO || e == EPERM ||
           e == ENETDOWN || e == ENOPROTOOPT || e == EHOSTDOWN ||
           e == ENONET || e == EHOSTUNREACH || e == EOPNOTSUPP ||
           e == ENETUNREACH || e == EMFILE || e == ENFILE ||
           e == ENOBUFS || e == ENOMEM || e == ETIMEDOUT;
}

/* `credssp serve`; returns the exit status. */
int
ct_cmd_serve(const struct ct_serve_opts *opts)
{
    struct ct_out out = { "server", opts->json, opts->verbose };
    struct timespec pause = { 1, 0 };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    struct ct_hostport hp;
    struct ct_err err;
    char addr[128];
    int lfd = -1, cfd, status = CT_EXIT_FAIL, e;
    bool port0 = false;
    enum ct_rc rc;
    OM_uint32 tmp;

    memset(&err, 0, sizeof(err));
    if (opts->verbose) {
        ct_set_verbose_env();
    }
    /* Everything that can be checked is, before the first client. */
    if (get_cred(opts, &cred, &err) != CT_OK) {
        goto fail;
    }
    check_ntlm_user_file(&out);
    if (opts->listen_fd >= 0) {
        if (adopt_listener(opts->listen_fd, &err) != CT_OK) {
            goto fail;
        }
        lfd = opts->listen_fd;
    } else {
        if (ct_parse_hostport(opts->listen, true, &hp, &err) != CT_OK ||
            ct_tcp_listen(&hp, &lfd, &err) != CT_OK) {
            goto fail;
        }
        port0 = (strcmp(hp.port, "0") == 0);
    }
    ct_sock_name(lfd, false, addr, sizeof(addr));
    if (opts->verbose || port0) {
        fprintf(stderr, "credssp: server: listening on %s (%s transport)\n",
                addr, ct_transport_name(opts->transport));
        fflush(stderr);
    }

    for (;;) {
        cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (cfd < 0) {
            e = errno;
            if (e == EINTR) {
                continue;
            }
            ct_err_errno(&err, e, "accept on %s", addr);
            if (opts->once || !accept_error_transient(e)) {
                goto fail;
            }
            ct_report_error(&out, &err);
            (void)nanosleep(&pause, NULL);
            continue;
        }
        rc = serve_one(cfd, cred, opts, &out);
        (void)close(cfd);
        if (opts->once) {
            status = (rc == CT_OK) ? CT_EXIT_OK : CT_EXIT_FAIL;
            goto cleanup;
        }
    }

fail:
    ct_report_error(&out, &err);

cleanup:
    if (cred != GSS_C_NO_CREDENTIAL) {
        (void)gss_release_cred(&tmp, &cred);
    }
    if (lfd >= 0) {
        (void)close(lfd);
    }
    return status;
}
