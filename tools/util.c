/* SPDX-License-Identifier: MIT */
/*
 * util.c - small helpers of the `credssp` tool: error records, growable
 * texts with JSON and terminal-safe escaping, byte buffers, wiping.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "escape.h"
#include "tool.h"

/* Records a plain error message in *err. */
void
ct_err_set(struct ct_err *err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    err->hint[0] = '\0';
    err->is_gss = false;
    err->major = 0;
    err->minor = 0;
}

/* Adds advice to the error recorded in *err. */
void
ct_err_hint(struct ct_err *err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
    va_end(ap);
}

/* Records an error message followed by the text of errno value errnum. */
void
ct_err_errno(struct ct_err *err, int errnum, const char *fmt, ...)
{
    va_list ap;
    size_t len;

    va_start(ap, fmt);
    (void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    len = strlen(err->msg);
    (void)snprintf(err->msg + len, sizeof(err->msg) - len, ": %s",
                   strerror(errnum));
    err->hint[0] = '\0';
    err->is_gss = false;
    err->major = 0;
    err->minor = 0;
}

/* Records a failed GSSAPI call; the codes are rendered when reported. */
void
ct_err_gss(struct ct_err *err, const char *call, OM_uint32 major,
           OM_uint32 minor)
{
    (void)snprintf(err->msg, sizeof(err->msg), "%s failed", call);
    err->hint[0] = '\0';
    err->is_gss = true;
    err->major = major;
    err->minor = minor;
}

/* Makes room for extra more bytes plus a NUL; false (sticky) on failure. */
static bool
text_grow(struct ct_text *t, size_t extra)
{
    size_t need, cap;
    char *p;

    if (t->failed) {
        return false;
    }
    if (extra > SIZE_MAX / 2 - t->len - 1) {
        t->failed = true;
        return false;
    }
    need = t->len + extra + 1;
    if (need <= t->cap) {
        return true;
    }
    cap = t->cap ? t->cap : 64;
    while (cap < need) {
        cap *= 2;
    }
    p = realloc(t->data, cap);
    if (p == NULL) {
        t->failed = true;
        return false;
    }
    t->data = p;
    t->cap = cap;
    return true;
}

/* Appends len bytes of s. */
void
ct_text_add(struct ct_text *t, const char *s, size_t len)
{
    if (!text_grow(t, len)) {
        return;
    }
    if (len > 0) {
        memcpy(t->data + t->len, s, len);
    }
    t->len += len;
    t->data[t->len] = '\0';
}

/* Appends the NUL-terminated string s. */
void
ct_text_adds(struct ct_text *t, const char *s)
{
    ct_text_add(t, s, strlen(s));
}

/* Appends printf-style formatted text. */
void
ct_text_addf(struct ct_text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->failed = true;
        return;
    }
    if (!text_grow(t, (size_t)n)) {
        return;
    }
    va_start(ap, fmt);
    (void)vsnprintf(t->data + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/*
 * Appends s as a JSON string literal: quotes, backslash and the
 * characters src/escape.c does not print as they are (controls, bidi and
 * other format characters) escaped, malformed UTF-8 replaced by U+FFFD,
 * so that the output is always valid JSON.
 */
void
ct_text_add_json(struct ct_text *t, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, n;
    uint32_t cp;

    ct_text_add(t, "\"", 1);
    while (i < len) {
        n = cs_utf8_next(p + i, len - i, &cp);
        if (n == 0) {
            ct_text_adds(t, "\\ufffd");
            i++;
            continue;
        }
        if (cp == '"') {
            ct_text_add(t, "\\\"", 2);
        } else if (cp == '\\') {
            ct_text_add(t, "\\\\", 2);
        } else if (cp == '\n') {
            ct_text_add(t, "\\n", 2);
        } else if (cp == '\r') {
            ct_text_add(t, "\\r", 2);
        } else if (cp == '\t') {
            ct_text_add(t, "\\t", 2);
        } else if (!cs_escape_keeps(cp)) {
            ct_text_addf(t, "\\u%04x", (unsigned int)cp);
        } else {
            ct_text_add(t, (const char *)p + i, n);
        }
        i += n;
    }
    ct_text_add(t, "\"", 1);
}

/*
 * Appends s for a terminal, through the escaping the mechanism uses for
 * its own texts (src/escape.c): printable ASCII and well-formed UTF-8 as
 * they are, controls and display-changing characters as \xNN, so that
 * text a peer chose cannot drive the terminal.
 */
void
ct_text_add_safe(struct ct_text *t, const char *s, size_t len)
{
    size_t need = cs_escape(NULL, 0, s, len);

    if (!text_grow(t, need)) {
        return;
    }
    (void)cs_escape(t->data + t->len, need + 1, s, len);
    t->len += need;
}

/* Returns the text, "" when empty, a marker when it could not grow. */
const char *
ct_text_str(const struct ct_text *t)
{
    if (t->failed) {
        return "(out of memory)";
    }
    return (t->data != NULL) ? t->data : "";
}

/* Empties the text, keeping its storage. */
void
ct_text_clear(struct ct_text *t)
{
    t->len = 0;
    t->failed = false;
    if (t->data != NULL) {
        t->data[0] = '\0';
    }
}

/* Frees the text's storage; the text is empty again afterwards. */
void
ct_text_free(struct ct_text *t)
{
    free(t->data);
    t->data = NULL;
    t->len = 0;
    t->cap = 0;
    t->failed = false;
}

/* Makes room for extra more bytes, never beyond CT_MAX_TOKEN in all. */
enum ct_rc
ct_bytes_reserve(struct ct_bytes *b, size_t extra, struct ct_err *err)
{
    size_t need, cap;
    uint8_t *p;

    if (extra > CT_MAX_TOKEN || b->len > CT_MAX_TOKEN - extra) {
        ct_err_set(err, "message larger than %u bytes", CT_MAX_TOKEN);
        return CT_ERR;
    }
    need = b->len + extra;
    if (need <= b->cap) {
        return CT_OK;
    }
    cap = b->cap ? b->cap : 4096;
    while (cap < need) {
        cap *= 2;
    }
    if (cap > CT_MAX_TOKEN) {
        cap = CT_MAX_TOKEN;
    }
    p = realloc(b->data, cap);
    if (p == NULL) {
        ct_err_errno(err, ENOMEM, "cannot grow a buffer");
        return CT_ERR;
    }
    b->data = p;
    b->cap = cap;
    return CT_OK;
}

/* Appends len bytes at p. */
enum ct_rc
ct_bytes_append(struct ct_bytes *b, const void *p, size_t len,
                struct ct_err *err)
{
    if (ct_bytes_reserve(b, len, err) != CT_OK) {
        return CT_ERR;
    }
    if (len > 0) {
        memcpy(b->data + b->len, p, len);
    }
    b->len += len;
    return CT_OK;
}

/* Frees the buffer's storage; the buffer is empty again afterwards. */
void
ct_bytes_free(struct ct_bytes *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

/* Overwrites len bytes at p with zeros in a way the compiler keeps. */
void
ct_wipe(void *p, size_t len)
{
    if (p != NULL && len > 0) {
        OPENSSL_cleanse(p, len);
    }
}

/*
 * Parses a decimal number made of digits only into *out, within
 * [min, max].
 */
enum ct_rc
ct_parse_size(const char *s, size_t min, size_t max, size_t *out)
{
    unsigned long long v = 0;
    const char *c;

    if (s == NULL || *s == '\0' || strlen(s) > 19) {
        return CT_ERR;
    }
    for (c = s; *c != '\0'; c++) {
        if (*c < '0' || *c > '9') {
            return CT_ERR;
        }
        v = v * 10 + (unsigned long long)(*c - '0');
    }
    if (v < min || v > max) {
        return CT_ERR;
    }
    *out = (size_t)v;
    return CT_OK;
}

/* Puts a little-endian 32-bit number at b. */
void
ct_put_u32le(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
}

/* Reads the little-endian 32-bit number at b. */
uint32_t
ct_get_u32le(const uint8_t *b)
{
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
           ((uint32_t)b[3] << 24);
}

/* Returns the command-line name of a transport. */
const char *
ct_transport_name(enum ct_transport t)
{
    switch (t) {
    case CT_TRANSPORT_LP:
        return "lp";
    case CT_TRANSPORT_RDP:
        return "rdp";
    case CT_TRANSPORT_NONE:
    default:
        return "none";
    }
}

/*
 * --verbose: unless the user chose a trace file already, send the
 * mechanism's debug trace to our stderr.  Must run before the first GSS
 * call, since the mechanism reads the variable once.
 */
void
ct_set_verbose_env(void)
{
    if (setenv("GSSCREDSSP_DEBUG", "/dev/stderr", 0) != 0) {
        fprintf(stderr, "credssp: cannot set GSSCREDSSP_DEBUG: %s\n",
                strerror(errno));
    }
}
