/* SPDX-License-Identifier: MIT */
/*
 * lp.c - the lp transport of the `credssp` tool: each token is a 4-byte
 * big-endian length and the token bytes; the client sends first and every
 * token gets exactly one reply (possibly empty) until the context is
 * complete.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdlib.h>
#include <string.h>

#include "tool.h"

/* Sends one lp frame: the 4-byte big-endian length, then the bytes. */
enum ct_rc
ct_lp_send(int fd, const void *p, size_t len, struct ct_err *err)
{
    uint8_t *frame = NULL;
    enum ct_rc rc = CT_ERR;

    if (len > CT_MAX_TOKEN) {
        ct_err_set(err, "token of %zu bytes is too large to send", len);
        goto cleanup;
    }
    /* One write for header and body: no small-segment delay. */
    frame = malloc(4 + len);
    if (frame == NULL) {
        ct_err_set(err, "out of memory");
        goto cleanup;
    }
    frame[0] = (uint8_t)(len >> 24);
    frame[1] = (uint8_t)(len >> 16);
    frame[2] = (uint8_t)(len >> 8);
    frame[3] = (uint8_t)len;
    if (len > 0) {
        memcpy(frame + 4, p, len);
    }
    rc = ct_write_full(fd, frame, 4 + len, err);

cleanup:
    free(frame);
    return rc;
}

/*
 * Receives one lp frame into tok (replacing its contents).  A length above
 * CT_MAX_TOKEN is refused before anything is allocated.  CT_EOF when the
 * peer closed the connection between frames.
 */
enum ct_rc
ct_lp_recv(int fd, struct ct_bytes *tok, struct ct_err *err)
{
    uint8_t hdr[4];
    uint32_t len;
    enum ct_rc rc;

    rc = ct_read_full(fd, hdr, sizeof(hdr), err);
    if (rc != CT_OK) {
        return rc;
    }
    len = ((uint32_t)hdr[0] << 24) | ((uint32_t)hdr[1] << 16) |
          ((uint32_t)hdr[2] << 8) | (uint32_t)hdr[3];
    if (len > CT_MAX_TOKEN) {
        if (!ct_stranger_text(fd, hdr, sizeof(hdr), NULL, err)) {
            ct_err_set(err, "the peer announced a %lu-byte token; the limit "
                       "is %u bytes", (unsigned long)len, CT_MAX_TOKEN);
        }
        return CT_ERR;
    }
    tok->len = 0;
    if (ct_bytes_reserve(tok, len, err) != CT_OK) {
        return CT_ERR;
    }
    if (len > 0) {
        rc = ct_read_full(fd, tok->data, len, err);
        if (rc == CT_EOF) {
            ct_err_set(err, "the peer closed the connection in the middle "
                       "of a token");
            return CT_ERR;
        }
        if (rc != CT_OK) {
            return rc;
        }
    }
    tok->len = len;
    return CT_OK;
}
