/* SPDX-License-Identifier: MIT */
/*
 * tokenloop.c - the token exchange of the `credssp` tool on either
 * transport: lp frames (lp.c) or, on rdp, the raw TLS/CredSSP bytes on
 * the TCP stream without framing.  There the receiver hands whatever it
 * has to the mechanism and reads more while the mechanism says the
 * message is incomplete (GSS_S_DEFECTIVE_TOKEN +
 * CREDSSP_S_INCOMPLETE_MESSAGE).
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <gssapi/gssapi_credssp.h>

#include "tool.h"

/* True for "the mechanism needs more bytes of this message". */
static bool
is_incomplete(OM_uint32 major, OM_uint32 minor)
{
    return GSS_ROUTINE_ERROR(major) == GSS_S_DEFECTIVE_TOKEN &&
           minor == CREDSSP_S_INCOMPLETE_MESSAGE;
}

/* Sends one token in the link's framing. */
static enum ct_rc
send_token(const struct ct_link *link, const gss_buffer_desc *tok,
           struct ct_err *err)
{
    if (link->transport == CT_TRANSPORT_LP) {
        return ct_lp_send(link->fd, tok->value, tok->length, err);
    }
    return ct_write_full(link->fd, tok->value, tok->length, err);
}

/*
 * Receives more input: on lp one whole frame replacing *in; on rdp up to
 * read_size more bytes appended to *in.  *peer names the other side.
 */
static enum ct_rc
recv_more(const struct ct_link *link, struct ct_bytes *in, const char *peer,
          struct ct_err *err)
{
    size_t room, got = 0;
    enum ct_rc rc;

    if (link->transport == CT_TRANSPORT_LP) {
        rc = ct_lp_recv(link->fd, in, err);
    } else {
        room = CT_MAX_TOKEN - in->len;
        if (room == 0) {
            ct_err_set(err, "the %s sent a message larger than %u bytes",
                       peer, CT_MAX_TOKEN);
            return CT_ERR;
        }
        if (room > link->read_size) {
            room = link->read_size;
        }
        if (ct_bytes_reserve(in, room, err) != CT_OK) {
            return CT_ERR;
        }
        rc = ct_read_some(link->fd, in->data + in->len, room, &got, err);
        if (rc == CT_EOF && in->len > 0) {
            ct_err_set(err, "the %s closed the connection in the middle of "
                       "a message", peer);
            return CT_ERR;
        }
        in->len += got;
    }
    if (rc == CT_EOF) {
        ct_err_set(err, "the %s closed the connection before "
                   "authentication completed", peer);
        return CT_ERR;
    }
    return rc;
}

/*
 * Runs the token exchange to completion: the initiator makes the first
 * call without input; each output token is sent (on lp even an empty one
 * while the context continues, on rdp only a non-empty one); on failure an
 * output token (the CredSSP errorCode) is still sent before giving up.
 */
enum ct_rc
ct_token_loop(const struct ct_link *link, const struct ct_stepper *st,
              const struct ct_out *out, struct ct_err *err)
{
    struct ct_bytes in = { 0 };
    gss_buffer_desc view, tok = GSS_C_EMPTY_BUFFER;
    const gss_buffer_desc *inp;
    const char *peer = st->initiator ? "server" : "client";
    struct ct_err send_err;
    OM_uint32 major, minor, tmp;
    bool first = true, cont;
    enum ct_rc rc = CT_ERR;

    for (;;) {
        if (first && st->initiator) {
            inp = NULL;
        } else {
            if (recv_more(link, &in, peer, err) != CT_OK) {
                goto cleanup;
            }
            view.length = in.len;
            view.value = in.data;
            inp = &view;
        }
        first = false;

        major = st->step(st->arg, inp, &tok, &minor);
        if (link->transport == CT_TRANSPORT_RDP && inp != NULL &&
            is_incomplete(major, minor)) {
            /* Nothing consumed: keep the bytes, read more, call again. */
            (void)gss_release_buffer(&tmp, &tok);
            continue;
        }
        if (inp != NULL) {
            ct_verbose(out, "<- %zu-byte token", inp->length);
        }
        in.len = 0;

        if (GSS_ERROR(major)) {
            ct_err_gss(err, st->call, major, minor);
            if (tok.length > 0 &&
                send_token(link, &tok, &send_err) == CT_OK) {
                ct_verbose(out, "-> %zu-byte token (error report)",
                           tok.length);
            }
            goto cleanup;
        }
        cont = (major & GSS_S_CONTINUE_NEEDED) != 0;
        if (tok.length > 0 ||
            (cont && link->transport == CT_TRANSPORT_LP)) {
            if (send_token(link, &tok, err) != CT_OK) {
                goto cleanup;
            }
            ct_verbose(out, "-> %zu-byte token", tok.length);
        } else if (cont) {
            ct_verbose(out, "empty token: nothing sent on the stream");
        }
        (void)gss_release_buffer(&tmp, &tok);
        if (!cont) {
            ct_verbose(out, "context established");
            rc = CT_OK;
            goto cleanup;
        }
    }

cleanup:
    (void)gss_release_buffer(&tmp, &tok);
    ct_bytes_free(&in);
    return rc;
}
