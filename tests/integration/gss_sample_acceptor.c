/* SPDX-License-Identifier: MIT */
/*
 * gss_sample_acceptor.c - a CredSSP acceptor speaking MIT's gss-sample
 * token protocol (krb5 src/appl/gss-sample/gss-misc.c), for gss_client.sh
 * to run Debian's gss-client against.  gss-server cannot be used: it
 * acquires its credential with GSS_C_NO_OID_SET, which never includes a
 * NOT_DFLT_MECH mech (doc/design.md 3.4).
 *
 * Usage: gss_sample_acceptor
 *   Listens on 127.0.0.1 on a free port and prints "port N" on stdout;
 *   serves one connection: the TOKEN_NOOP|TOKEN_CONTEXT_NEXT token, the
 *   context tokens (the first one framed with gss_encapsulate_token, as
 *   the public header tells acceptors to), then prints
 *   "authenticated: NAME", then answers each TOKEN_DATA message (neither
 *   wrapped nor asking for a MIC: gss-client -nw -nm) with an empty
 *   TOKEN_NOOP, printing "message: TEXT", until gss-client's closing
 *   TOKEN_NOOP.  Exit 0 when all of that happened, 1 otherwise.  A
 *   watchdog alarm ends a protocol deadlock (a peer that waits for a token
 *   that never comes) instead of hanging the test suite.
 *
 * Token format: one flags byte, a 4-byte big-endian length, the bytes (a
 * flags byte of 0 means the v1 format: 3 more length bytes).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gssapi/gssapi_credssp.h"

/* gss-misc.h of the gss-sample programs. */
#define TOKEN_NOOP (1 << 0)
#define TOKEN_CONTEXT (1 << 1)
#define TOKEN_DATA (1 << 2)
#define TOKEN_MIC (1 << 3)
#define TOKEN_CONTEXT_NEXT (1 << 4)
#define TOKEN_WRAPPED (1 << 5)
#define TOKEN_ENCRYPTED (1 << 6)
#define TOKEN_SEND_MIC (1 << 7)

#define MAX_TOKEN (1u << 24)
#define WATCHDOG_SECONDS 120

/*
 * report: a GSS failure with the major and minor texts, on stderr.
 */
static void
report(const char *what, OM_uint32 major, OM_uint32 minor)
{
    OM_uint32 codes[2] = { major, minor }, mctx, tmp;
    int types[2] = { GSS_C_GSS_CODE, GSS_C_MECH_CODE }, i;
    gss_buffer_desc msg;

    fprintf(stderr, "gss_sample_acceptor: %s: major 0x%x minor 0x%x\n",
            what, major, minor);
    for (i = 0; i < 2; i++) {
        mctx = 0;
        do {
            if (codes[i] == 0 ||
                gss_display_status(&tmp, codes[i], types[i],
                                   GSS_CREDSSP_MECH, &mctx,
                                   &msg) != GSS_S_COMPLETE) {
                break;
            }
            fprintf(stderr, "    %.*s\n", (int)msg.length,
                    (char *)msg.value);
            gss_release_buffer(&tmp, &msg);
        } while (mctx != 0);
    }
}

/*
 * read_all: reads exactly len bytes; 0 on success, -1 on error or EOF.
 */
static int
read_all(int fd, void *buf, size_t len)
{
    unsigned char *p = buf;
    ssize_t n;

    while (len > 0) {
        n = read(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/*
 * write_all: writes exactly len bytes; 0 on success, -1 on error.
 */
static int
write_all(int fd, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    ssize_t n;

    while (len > 0) {
        n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/*
 * recv_token: one token: *flags_out and tok (free tok->value); 0 on
 * success, -1 on error or EOF (with a message).
 */
static int
recv_token(int fd, int *flags_out, gss_buffer_t tok)
{
    unsigned char flags, len[4] = { 0 };
    uint32_t n;

    tok->length = 0;
    tok->value = NULL;
    if (read_all(fd, &flags, 1) != 0) {
        fprintf(stderr, "gss_sample_acceptor: EOF reading token flags\n");
        return -1;
    }
    /* Flags 0 is the v1 format: the flags byte was the length's first. */
    if (read_all(fd, flags == 0 ? len + 1 : len, flags == 0 ? 3 : 4) != 0) {
        fprintf(stderr, "gss_sample_acceptor: EOF reading token length\n");
        return -1;
    }
    n = (uint32_t)len[0] << 24 | (uint32_t)len[1] << 16 |
        (uint32_t)len[2] << 8 | len[3];
    if (n > MAX_TOKEN) {
        fprintf(stderr, "gss_sample_acceptor: token of %u bytes\n", n);
        return -1;
    }
    tok->value = malloc(n > 0 ? n : 1);
    if (tok->value == NULL) {
        return -1;
    }
    if (read_all(fd, tok->value, n) != 0) {
        fprintf(stderr, "gss_sample_acceptor: EOF in a %u-byte token\n", n);
        free(tok->value);
        tok->value = NULL;
        return -1;
    }
    tok->length = n;
    *flags_out = flags;
    return 0;
}

/*
 * send_token: one token with a non-zero flags byte; 0 on success.
 */
static int
send_token(int fd, int flags, const void *data, size_t len)
{
    unsigned char hdr[5];

    hdr[0] = (unsigned char)flags;
    hdr[1] = (unsigned char)(len >> 24);
    hdr[2] = (unsigned char)(len >> 16);
    hdr[3] = (unsigned char)(len >> 8);
    hdr[4] = (unsigned char)len;
    if (write_all(fd, hdr, sizeof(hdr)) != 0 ||
        write_all(fd, data, len) != 0) {
        perror("gss_sample_acceptor: sending a token");
        return -1;
    }
    return 0;
}

/*
 * listen_local: a listening socket on 127.0.0.1, port chosen by the
 * kernel (always free); *port_out is that port.  -1 on error.
 */
static int
listen_local(unsigned *port_out)
{
    struct sockaddr_in sin;
    socklen_t slen = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0) {
        perror("socket");
        return -1;
    }
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = 0;
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
        listen(fd, 1) != 0 ||
        getsockname(fd, (struct sockaddr *)&sin, &slen) != 0) {
        perror("bind/listen");
        close(fd);
        return -1;
    }
    *port_out = ntohs(sin.sin_port);
    return fd;
}

/*
 * establish: the context loop of gss-server's server_establish_context,
 * with the first token framed; *ctx and *src on success.  0 on success.
 */
static int
establish(int fd, gss_cred_id_t cred, gss_ctx_id_t *ctx, gss_name_t *src)
{
    gss_buffer_desc in = GSS_C_EMPTY_BUFFER, framed = GSS_C_EMPTY_BUFFER;
    gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
    OM_uint32 major = GSS_S_CONTINUE_NEEDED, minor, tmp;
    int flags, first = 1, rc = -1;

    if (recv_token(fd, &flags, &in) != 0) {
        return -1;
    }
    free(in.value);
    if (!(flags & TOKEN_NOOP) || !(flags & TOKEN_CONTEXT_NEXT)) {
        fprintf(stderr, "gss_sample_acceptor: first token has flags 0x%x, "
                        "not NOOP|CONTEXT_NEXT\n", flags);
        return -1;
    }
    while (major == GSS_S_CONTINUE_NEEDED) {
        if (recv_token(fd, &flags, &in) != 0) {
            goto cleanup;
        }
        if (!(flags & TOKEN_CONTEXT)) {
            fprintf(stderr, "gss_sample_acceptor: context token has flags "
                            "0x%x\n", flags);
            goto cleanup;
        }
        if (first) {
            /* A raw TLS ClientHello cannot be routed by the mechglue. */
            major = gss_encapsulate_token(&in, GSS_CREDSSP_MECH, &framed);
            if (major != GSS_S_COMPLETE) {
                report("gss_encapsulate_token", major, 0);
                goto cleanup;
            }
        }
        major = gss_accept_sec_context(&minor, ctx, cred,
                                       first ? &framed : &in,
                                       GSS_C_NO_CHANNEL_BINDINGS, src, NULL,
                                       &out, NULL, NULL, NULL);
        first = 0;
        gss_release_buffer(&tmp, &framed);
        free(in.value);
        in.value = NULL;
        if (out.length > 0) {
            if (send_token(fd, TOKEN_CONTEXT, out.value, out.length) != 0) {
                goto cleanup;
            }
        }
        if (GSS_ERROR(major)) {
            report("gss_accept_sec_context", major, minor);
            goto cleanup;
        }
        if (major == GSS_S_CONTINUE_NEEDED && out.length == 0) {
            /* gss-client waits for a token after each of its own. */
            fprintf(stderr, "gss_sample_acceptor: CONTINUE_NEEDED with no "
                            "token: the gss-sample protocol cannot go on\n");
            goto cleanup;
        }
        gss_release_buffer(&tmp, &out);
    }
    rc = 0;

cleanup:
    free(in.value);
    gss_release_buffer(&tmp, &out);
    return rc;
}

/*
 * messages: gss-server's sign_server loop for -nw -nm clients: print each
 * message, answer an empty TOKEN_NOOP; stop at the client's TOKEN_NOOP.
 * Wrapped messages and MIC requests fail (the mech has no wrap or MIC).
 */
static int
messages(int fd)
{
    gss_buffer_desc in;
    int flags, n = 0;

    for (;;) {
        if (recv_token(fd, &flags, &in) != 0) {
            return -1;
        }
        if (flags & TOKEN_NOOP) {
            free(in.value);
            break;
        }
        /* gss-client -nw still sets TOKEN_ENCRYPTED (its -nx is
         * separate); like gss-server, only TOKEN_WRAPPED means wrapped. */
        if (flags & (TOKEN_WRAPPED | TOKEN_SEND_MIC)) {
            fprintf(stderr, "gss_sample_acceptor: message flags 0x%x ask "
                            "for wrap or MIC (run gss-client -nw -nm)\n",
                    flags);
            free(in.value);
            return -1;
        }
        printf("message: %.*s\n", (int)in.length, (char *)in.value);
        fflush(stdout);
        free(in.value);
        n++;
        if (send_token(fd, TOKEN_NOOP, "", 0) != 0) {
            return -1;
        }
    }
    return n > 0 ? 0 : -1;
}

/*
 * main: listen, print the port, serve one connection.
 */
int
main(void)
{
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
    gss_name_t src = GSS_C_NO_NAME;
    gss_buffer_desc name = GSS_C_EMPTY_BUFFER;
    OM_uint32 major, minor;
    unsigned port = 0;
    int lfd, fd = -1, rc = 1;

    alarm(WATCHDOG_SECONDS);
    major = gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &set, GSS_C_ACCEPT,
                             &cred, NULL, NULL);
    if (major != GSS_S_COMPLETE) {
        report("gss_acquire_cred(CredSSP, accept)", major, minor);
        return 1;
    }
    lfd = listen_local(&port);
    if (lfd < 0) {
        goto cleanup;
    }
    printf("port %u\n", port);
    fflush(stdout);
    do {
        fd = accept(lfd, NULL, NULL);
    } while (fd < 0 && errno == EINTR);
    close(lfd);
    if (fd < 0) {
        perror("accept");
        goto cleanup;
    }
    if (establish(fd, cred, &ctx, &src) != 0) {
        goto cleanup;
    }
    major = gss_display_name(&minor, src, &name, NULL);
    if (major != GSS_S_COMPLETE) {
        report("gss_display_name", major, minor);
        goto cleanup;
    }
    printf("authenticated: %.*s\n", (int)name.length, (char *)name.value);
    fflush(stdout);
    if (messages(fd) != 0) {
        goto cleanup;
    }
    major = gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
    if (major != GSS_S_COMPLETE) {
        report("gss_delete_sec_context", major, minor);
        goto cleanup;
    }
    rc = 0;

cleanup:
    if (fd >= 0) {
        close(fd);
    }
    gss_release_buffer(&minor, &name);
    gss_release_name(&minor, &src);
    gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
    gss_release_cred(&minor, &cred);
    return rc;
}
