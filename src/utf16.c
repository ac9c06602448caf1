/* SPDX-License-Identifier: MIT */
/*
 * utf16.c - the UTF-16LE text of [MS-CSSP] 2.2.1.2 and the UTF-8 the rest
 * of the engine uses.
 *
 * Both directions are strict: only well-formed input (no overlong UTF-8, no
 * surrogate code points in UTF-8, no lone surrogates in UTF-16, nothing
 * above U+10FFFF) converts, and U+0000 is refused because the UTF-8 side is
 * a C string.  Each conversion runs twice over the input: once to validate
 * and measure, once to write into a buffer of exactly that size, so output
 * never has to be grown (a realloc could leave a copy of a password behind).
 * Input is read through the bounds-checked cursor; output goes through a
 * writer that checks its own bounds.  OpenSSL's UTF8_getc and UTF8_putc
 * decode and encode the UTF-8 side; the UTF-16 side has no library
 * counterpart in OpenSSL (its BMPString is UCS-2, without surrogate pairs).
 */
#include "config.h"

#include <stdlib.h>

#include <openssl/asn1.h>

#include "cursor.h"
#include "tsrequest.h"

#define SURROGATE_HIGH_MIN 0xd800u
#define SURROGATE_HIGH_MAX 0xdbffu
#define SURROGATE_LOW_MIN 0xdc00u
#define SURROGATE_LOW_MAX 0xdfffu
#define CODE_POINT_MAX 0x10ffffu
#define PLANE1_MIN 0x10000u

/*
 * A bounds-checked output with a sticky status.  With buf NULL it only
 * counts, which is how the first pass measures.
 */
struct writer {
    uint8_t *buf;
    size_t cap;
    size_t pos;
    bool ok;
};

/* writer_init: a writer into cap bytes at buf, or a counter when buf is
 * NULL. */
static void
writer_init(struct writer *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->cap = cap;
    w->pos = 0;
    w->ok = true;
}

/* put_u8: appends one byte; past the end (or on counter overflow) the
 * writer fails and stays failed. */
static void
put_u8(struct writer *w, uint8_t v)
{
    if (!w->ok) {
        return;
    }
    if (w->buf == NULL) {
        if (w->pos == SIZE_MAX) {
            w->ok = false;
            return;
        }
    } else {
        if (w->pos >= w->cap) {
            w->ok = false;
            return;
        }
        w->buf[w->pos] = v;
    }
    w->pos++;
}

/* put_utf16: appends code point cp (valid, not a surrogate) as one or two
 * UTF-16LE code units. */
static void
put_utf16(struct writer *w, uint32_t cp)
{
    uint32_t hi, lo;

    if (cp < PLANE1_MIN) {
        put_u8(w, (uint8_t)(cp & 0xff));
        put_u8(w, (uint8_t)(cp >> 8));
        return;
    }
    cp -= PLANE1_MIN;
    hi = SURROGATE_HIGH_MIN + (cp >> 10);
    lo = SURROGATE_LOW_MIN + (cp & 0x3ff);
    put_u8(w, (uint8_t)(hi & 0xff));
    put_u8(w, (uint8_t)(hi >> 8));
    put_u8(w, (uint8_t)(lo & 0xff));
    put_u8(w, (uint8_t)(lo >> 8));
}

/* put_utf8: appends code point cp (valid, not a surrogate) as UTF-8
 * (OpenSSL's UTF8_putc, which only measures when given no buffer). */
static void
put_utf8(struct writer *w, uint32_t cp)
{
    size_t room = w->buf == NULL ? 0 : w->cap - w->pos;
    int n;

    if (!w->ok) {
        return;
    }
    n = UTF8_putc(w->buf == NULL ? NULL : w->buf + w->pos,
                  room < 4 ? (int)room : 4, cp);
    if (n <= 0 || (size_t)n > SIZE_MAX - w->pos) {
        w->ok = false;
        return;
    }
    w->pos += (size_t)n;
}

/* is_surrogate: true for U+D800..U+DFFF, which are not characters. */
static bool
is_surrogate(uint32_t cp)
{
    return cp >= SURROGATE_HIGH_MIN && cp <= SURROGATE_LOW_MAX;
}

/*
 * next_utf8: reads one UTF-8 sequence from c into *cp_out.  False for any
 * ill-formed sequence (RFC 3629 section 4): a stray continuation byte,
 * C0/C1/F5..FF lead bytes, a truncated sequence, an overlong form, a
 * surrogate, a code point above U+10FFFF (OpenSSL's UTF8_getc refuses
 * each), and also U+0000.
 */
static bool
next_utf8(struct cs_cursor *c, uint32_t *cp_out)
{
    unsigned long cp;
    int n;

    if (!c->ok || c->left == 0) {
        return false;
    }
    n = UTF8_getc(c->p, c->left < 4 ? (int)c->left : 4, &cp);
    if (n <= 0 || cp == 0 || cp > CODE_POINT_MAX || is_surrogate(cp)) {
        return false;
    }
    (void)cs_cursor_skip(c, (size_t)n);
    *cp_out = (uint32_t)cp;
    return true;
}

/* next_unit: the next UTF-16LE code unit of c (0 after a short read). */
static uint32_t
next_unit(struct cs_cursor *c)
{
    uint32_t lo = cs_cursor_u8(c);

    return lo | ((uint32_t)cs_cursor_u8(c) << 8);
}

/*
 * next_utf16: reads one character (one code unit, or a high surrogate and
 * the low surrogate that must follow it) from c into *cp_out.  False for a
 * lone surrogate of either kind, a short read, and U+0000.
 */
static bool
next_utf16(struct cs_cursor *c, uint32_t *cp_out)
{
    uint32_t cp = next_unit(c), lo;

    if (cp >= SURROGATE_LOW_MIN && cp <= SURROGATE_LOW_MAX) {
        return false;
    }
    if (cp >= SURROGATE_HIGH_MIN && cp <= SURROGATE_HIGH_MAX) {
        lo = next_unit(c);
        if (lo < SURROGATE_LOW_MIN || lo > SURROGATE_LOW_MAX) {
            return false;
        }
        cp = PLANE1_MIN + ((cp - SURROGATE_HIGH_MIN) << 10) +
             (lo - SURROGATE_LOW_MIN);
    }
    if (!c->ok || cp == 0) {
        return false;
    }
    *cp_out = cp;
    return true;
}

/* transcode: reads code points with next and writes them with put: UTF-8
 * into UTF-16LE or back (or, with a counting writer, measures the
 * result); false for invalid input or a full writer. */
static bool
transcode(const uint8_t *in, size_t len, struct writer *w,
          bool (*next)(struct cs_cursor *, uint32_t *),
          void (*put)(struct writer *, uint32_t))
{
    struct cs_cursor c;
    uint32_t cp;

    cs_cursor_init(&c, in, len);
    while (c.left > 0) {
        if (!next(&c, &cp)) {
            return false;
        }
        put(w, cp);
    }
    return c.ok && w->ok;
}

/* utf8_pass: UTF-8 into UTF-16LE. */
static bool
utf8_pass(const uint8_t *in, size_t len, struct writer *w)
{
    return transcode(in, len, w, next_utf8, put_utf16);
}

/* utf16_pass: UTF-16LE into UTF-8, without the terminator. */
static bool
utf16_pass(const uint8_t *in, size_t len, struct writer *w)
{
    return transcode(in, len, w, next_utf16, put_utf8);
}

/*
 * cs_utf8_to_utf16le: converts len bytes of UTF-8 at in into UTF-16LE in
 * the empty blob *out.  Empty input gives an empty blob.  Invalid input is
 * CREDSSP_S_BAD_UTF16 and leaves *out empty.
 */
cs_err
cs_utf8_to_utf16le(const char *in, size_t len, cs_blob *out)
{
    const uint8_t *src = (const uint8_t *)in;
    struct writer w;
    uint8_t *buf = NULL;
    size_t need;
    cs_err err;

    if (out == NULL || out->data != NULL || out->len != 0 ||
        (in == NULL && len != 0)) {
        return CREDSSP_S_INTERNAL;
    }
    writer_init(&w, NULL, 0);
    if (!utf8_pass(src, len, &w)) {
        return CREDSSP_S_BAD_UTF16;
    }
    need = w.pos;
    if (need == 0) {
        return CS_OK;
    }
    buf = malloc(need);
    if (buf == NULL) {
        err = CREDSSP_S_NOMEM;
        goto cleanup;
    }
    writer_init(&w, buf, need);
    if (!utf8_pass(src, len, &w) || w.pos != need) {
        err = CREDSSP_S_INTERNAL;
        goto cleanup;
    }
    out->data = buf;
    out->len = need;
    buf = NULL;
    err = CS_OK;

cleanup:
    if (buf != NULL) {
        cs_wipe(buf, need);
        free(buf);
    }
    return err;
}

/*
 * cs_utf16le_to_utf8: converts len bytes of UTF-16LE at in into a new
 * NUL-terminated UTF-8 string in *out (empty input gives "").  An odd
 * length, a lone surrogate or an embedded U+0000 is CREDSSP_S_BAD_UTF16 and
 * leaves *out NULL.
 */
cs_err
cs_utf16le_to_utf8(const uint8_t *in, size_t len, char **out)
{
    struct writer w;
    uint8_t *buf = NULL;
    size_t need = 0;
    cs_err err;

    if (out == NULL || (in == NULL && len != 0)) {
        return CREDSSP_S_INTERNAL;
    }
    *out = NULL;
    if (len % 2 != 0) {
        return CREDSSP_S_BAD_UTF16;
    }
    writer_init(&w, NULL, 0);
    if (!utf16_pass(in, len, &w)) {
        return CREDSSP_S_BAD_UTF16;
    }
    if (w.pos == SIZE_MAX) {
        return CREDSSP_S_TOO_LARGE;
    }
    need = w.pos + 1;
    buf = malloc(need);
    if (buf == NULL) {
        err = CREDSSP_S_NOMEM;
        goto cleanup;
    }
    writer_init(&w, buf, need - 1);
    if (!utf16_pass(in, len, &w) || w.pos != need - 1) {
        err = CREDSSP_S_INTERNAL;
        goto cleanup;
    }
    buf[need - 1] = '\0';
    *out = (char *)buf;
    buf = NULL;
    err = CS_OK;

cleanup:
    if (buf != NULL) {
        cs_wipe(buf, need);
        free(buf);
    }
    return err;
}
