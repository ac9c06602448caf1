/* SPDX-License-Identifier: MIT */
/*
 * der_equiv.h - an oracle for the decoders' leniency, kept apart from
 * src/tsrequest.c so that it does not share that code's mistakes.
 *
 * The decoders take BER definite lengths in any form and, on
 * TSCredentials text, one trailing UTF-16 NUL; they take nothing else that
 * is not DER.  So whatever decodes must be the DER that the decoded value
 * encodes to, with at most those two differences.  der_equiv() checks
 * exactly that, walking both encodings with its own cursor; the fuzz
 * targets abort when it fails, and the seed corpora hold inputs on both
 * sides of the line, so that make check's replay catches a decoder that
 * becomes more lenient than this (the refuse-* seeds of tests/fuzz/corpus).
 *
 * Header-only: the fuzz targets and tests/unit/test_tsrequest.c include it.
 */
#ifndef DER_EQUIV_H
#define DER_EQUIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Deeper than any of our structures, so that the oracle never refuses
 * what the decoders may take. */
#define DER_EQUIV_MAX_DEPTH 16

/* One TLV read from a buffer. */
struct der_equiv_tlv {
    const uint8_t *id;            /* identifier octets */
    size_t id_len;
    const uint8_t *content;
    size_t content_len;
};

/*
 * der_equiv_next: reads one TLV with a definite length at *p (*left bytes
 * remain) and moves past it.  False for a truncated TLV, an indefinite
 * length (0x80), the reserved length octet 0xff, or a length that does
 * not fit.
 */
static inline bool
der_equiv_next(const uint8_t **p, size_t *left, struct der_equiv_tlv *t)
{
    const uint8_t *b = *p;
    size_t n = *left, i = 1, len, octets;

    if (n < 2) {
        return false;
    }
    if ((b[0] & 0x1f) == 0x1f) {
        while (i < n && (b[i] & 0x80) != 0) {
            i++;
        }
        i++;
    }
    if (i >= n || b[i] == 0x80 || b[i] == 0xff) {
        return false;
    }
    t->id = b;
    t->id_len = i;
    if (b[i] < 0x80) {
        len = b[i++];
    } else {
        octets = b[i++] & 0x7fu;
        len = 0;
        while (octets-- > 0) {
            if (i >= n || len > (SIZE_MAX >> 8)) {
                return false;
            }
            len = (len << 8) | b[i++];
        }
    }
    if (len > n - i) {
        return false;
    }
    t->content = b + i;
    t->content_len = len;
    *p = b + i + len;
    *left = n - i - len;
    return true;
}

static inline bool der_equiv_list(const uint8_t *x, size_t x_len,
                                  const uint8_t *d, size_t d_len,
                                  bool nul_ok, int depth);

/*
 * der_equiv_leaf: whether the contents x of a primitive TLV stand for the
 * contents d: the same bytes; or (an OCTET STRING that carries DER, as
 * TSCredentials.credentials does) equivalent TLVs; or, with nul_ok, an
 * OCTET STRING of UTF-16 text with one U+0000 more at its end.
 */
static inline bool
der_equiv_leaf(uint8_t id, const uint8_t *x, size_t x_len,
               const uint8_t *d, size_t d_len, bool nul_ok, int depth)
{
    if (x_len == d_len && (d_len == 0 || memcmp(x, d, d_len) == 0)) {
        return true;
    }
    if (id != 0x04) {
        return false;
    }
    if (d_len > 0 && der_equiv_list(x, x_len, d, d_len, nul_ok, depth + 1)) {
        return true;
    }
    return nul_ok && x_len == d_len + 2 && x_len % 2 == 0 &&
           (d_len == 0 || memcmp(x, d, d_len) == 0) && x[d_len] == 0 &&
           x[d_len + 1] == 0;
}

/*
 * der_equiv_list: whether the TLVs that fill x are those that fill d
 * (DER), each with the same identifier octets, a definite length in any
 * form, and equivalent contents.
 */
static inline bool
der_equiv_list(const uint8_t *x, size_t x_len, const uint8_t *d,
               size_t d_len, bool nul_ok, int depth)
{
    if (depth > DER_EQUIV_MAX_DEPTH) {
        return false;
    }
    while (x_len > 0 && d_len > 0) {
        struct der_equiv_tlv tx, td;

        if (!der_equiv_next(&x, &x_len, &tx) ||
            !der_equiv_next(&d, &d_len, &td) || tx.id_len != td.id_len ||
            memcmp(tx.id, td.id, td.id_len) != 0) {
            return false;
        }
        if ((td.id[0] & 0x20) != 0) {
            if (!der_equiv_list(tx.content, tx.content_len, td.content,
                                td.content_len, nul_ok, depth + 1)) {
                return false;
            }
        } else if (!der_equiv_leaf(td.id[0], tx.content, tx.content_len,
                                   td.content, td.content_len, nul_ok,
                                   depth)) {
            return false;
        }
    }
    return x_len == 0 && d_len == 0;
}

/*
 * der_equiv: whether the input x (x_len bytes) that a decoder took is the
 * DER d (d_len bytes) its value encodes to, but for lengths in other
 * definite forms and (nul_ok: TSCredentials) one trailing UTF-16 NUL per
 * text field.
 */
static inline bool
der_equiv(const uint8_t *x, size_t x_len, const uint8_t *d, size_t d_len,
          bool nul_ok)
{
    return x_len > 0 && d_len > 0 &&
           der_equiv_list(x, x_len, d, d_len, nul_ok, 0);
}

#endif /* DER_EQUIV_H */
