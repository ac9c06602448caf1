/* SPDX-License-Identifier: MIT */
/*
 * winrm.c - WinRM CredSSP message bodies (see winrm.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi_ext.h>

#include "winrm.h"

#define BOUNDARY "--Encrypted Boundary"
#define PROTOCOL "application/HTTP-CredSSP-session-encrypted"
#define ORIGINAL "\tOriginalContent: type=application/soap+xml;" \
                 "charset=UTF-8;Length="

struct buf {
    uint8_t *p;
    size_t len;
};

/* put: appends bytes. */
static int
put(struct buf *b, const void *data, size_t len)
{
    uint8_t *p = realloc(b->p, b->len + len + 1);

    if (p == NULL) {
        return -1;
    }
    memcpy(p + b->len, data, len);
    b->p = p;
    b->len += len;
    return 0;
}

/* seal_chunk: one gss_wrap_iov of a chunk: the record and its trailer
 * length (what the u32 in front of the record says). */
static int
seal_chunk(gss_ctx_id_t ctx, const uint8_t *chunk, size_t len,
           struct buf *rec, uint32_t *trailer_len)
{
    gss_iov_buffer_desc iov[3];
    OM_uint32 minor;
    uint8_t *data;
    int rc = -1;

    *trailer_len = 0;
    rec->p = NULL;
    rec->len = 0;
    if (len == 0) {
        return 0;                 /* no record for an empty body */
    }
    data = malloc(len);
    if (data == NULL) {
        return -1;
    }
    memcpy(data, chunk, len);
    iov[0].type = GSS_IOV_BUFFER_TYPE_HEADER | GSS_IOV_BUFFER_FLAG_ALLOCATE;
    iov[0].buffer.length = 0;
    iov[0].buffer.value = NULL;
    iov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
    iov[1].buffer.length = len;
    iov[1].buffer.value = data;
    iov[2].type = GSS_IOV_BUFFER_TYPE_TRAILER | GSS_IOV_BUFFER_FLAG_ALLOCATE;
    iov[2].buffer.length = 0;
    iov[2].buffer.value = NULL;
    if (gss_wrap_iov(&minor, ctx, 1, GSS_C_QOP_DEFAULT, NULL, iov, 3) ==
            GSS_S_COMPLETE &&
        put(rec, iov[0].buffer.value, iov[0].buffer.length) == 0 &&
        put(rec, data, len) == 0 &&
        put(rec, iov[2].buffer.value, iov[2].buffer.length) == 0) {
        *trailer_len = (uint32_t)iov[2].buffer.length;
        rc = 0;
    }
    gss_release_iov_buffer(&minor, iov, 3);
    free(data);
    return rc;
}

int
winrm_build(gss_ctx_id_t ctx, const uint8_t *body, size_t len,
            uint8_t **out, size_t *out_len, const char **content_type,
            uint32_t *trailer_len)
{
    struct buf b = { NULL, 0 }, rec;
    size_t off = 0;
    char line[320];
    uint8_t le[4];

    *content_type = len > WINRM_CHUNK
                        ? "multipart/x-multi-encrypted;protocol=\""
                          PROTOCOL "\";boundary=\"Encrypted Boundary\""
                        : "multipart/encrypted;protocol=\"" PROTOCOL
                          "\";boundary=\"Encrypted Boundary\"";
    do {
        size_t n = len - off < WINRM_CHUNK ? len - off : WINRM_CHUNK;

        if (seal_chunk(ctx, body + off, n, &rec, trailer_len) != 0) {
            free(b.p);
            return -1;
        }
        snprintf(line, sizeof(line),
                 BOUNDARY "\r\n\tContent-Type: " PROTOCOL "\r\n" ORIGINAL
                          "%zu\r\n" BOUNDARY
                          "\r\n\tContent-Type: application/octet-stream\r\n",
                 n);
        le[0] = (uint8_t)*trailer_len;
        le[1] = (uint8_t)(*trailer_len >> 8);
        le[2] = (uint8_t)(*trailer_len >> 16);
        le[3] = (uint8_t)(*trailer_len >> 24);
        if (put(&b, line, strlen(line)) || put(&b, le, 4) ||
            (rec.len > 0 && put(&b, rec.p, rec.len))) {
            free(rec.p);
            free(b.p);
            return -1;
        }
        free(rec.p);
        off += n;
    } while (off < len);
    if (put(&b, BOUNDARY "--\r\n", strlen(BOUNDARY "--\r\n")) != 0) {
        free(b.p);
        return -1;
    }
    *out = b.p;
    *out_len = b.len;
    return 0;
}

/* expect: consumes a literal at *p, or fails. */
static int
expect(const uint8_t **p, const uint8_t *end, const char *lit)
{
    size_t n = strlen(lit);

    if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0) {
        return -1;
    }
    *p += n;
    return 0;
}

/* record_len: the length of the TLS records starting at p (up to end). */
static size_t
record_len(const uint8_t *p, const uint8_t *end)
{
    size_t off = 0;

    while ((size_t)(end - p) >= off + 5 && p[off] == 23) {
        off += 5 + ((size_t)p[off + 3] << 8 | p[off + 4]);
    }
    return off <= (size_t)(end - p) ? off : 0;
}

int
winrm_parse(gss_ctx_id_t ctx, const uint8_t *in, size_t in_len,
            const char *content_type, uint8_t **body, size_t *len,
            char *err, size_t err_len)
{
    const uint8_t *p = in, *end = in + in_len;
    struct buf b = { NULL, 0 };
    int multi = strncmp(content_type, "multipart/x-multi-encrypted", 27) ==
                0;
    int parts = 0;

    while (expect(&p, end, BOUNDARY "--\r\n") != 0) {
        gss_buffer_desc rec, plain = { 0, NULL };
        OM_uint32 minor, trailer;
        unsigned long want;
        char *stop;
        size_t rlen;

        if (expect(&p, end, BOUNDARY "\r\n\tContent-Type: " PROTOCOL
                                     "\r\n" ORIGINAL) != 0) {
            snprintf(err, err_len, "part %d: bad headers", parts);
            goto fail;
        }
        want = strtoul((const char *)p, &stop, 10);
        p = (const uint8_t *)stop;
        if (expect(&p, end, "\r\n" BOUNDARY "\r\n\tContent-Type: "
                            "application/octet-stream\r\n") != 0 ||
            end - p < 4) {
            snprintf(err, err_len, "part %d: bad second headers", parts);
            goto fail;
        }
        trailer = (OM_uint32)p[0] | (OM_uint32)p[1] << 8 |
                  (OM_uint32)p[2] << 16 | (OM_uint32)p[3] << 24;
        p += 4;
        rlen = record_len(p, end);
        rec.value = (void *)p;
        rec.length = rlen;
        if (rlen > 0 && gss_unwrap(&minor, ctx, &rec, &plain, NULL, NULL) !=
                            GSS_S_COMPLETE) {
            snprintf(err, err_len, "part %d: gss_unwrap failed", parts);
            goto fail;
        }
        if (plain.length != want) {
            snprintf(err, err_len, "part %d: Length=%lu but %zu bytes",
                     parts, want, plain.length);
            gss_release_buffer(&minor, &plain);
            goto fail;
        }
        /* The trailer is what follows the data in the record: the record
         * less its header (5, and 8 for TLS 1.2's explicit GCM nonce). */
        if (rlen > 0 && trailer != rlen - plain.length - 5 &&
            trailer != rlen - plain.length - 13) {
            snprintf(err, err_len, "part %d: trailer length %u wrong", parts,
                     trailer);
            gss_release_buffer(&minor, &plain);
            goto fail;
        }
        if (plain.length > 0 && put(&b, plain.value, plain.length) != 0) {
            gss_release_buffer(&minor, &plain);
            goto fail;
        }
        gss_release_buffer(&minor, &plain);
        p += rlen;
        parts++;
        if (!multi && parts > 1) {
            snprintf(err, err_len, "several parts in multipart/encrypted");
            goto fail;
        }
    }
    if (p != end || parts == 0) {
        snprintf(err, err_len, "trailing bytes or no part");
        goto fail;
    }
    *body = b.p;
    *len = b.len;
    return 0;

fail:
    free(b.p);
    return -1;
}
