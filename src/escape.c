/* SPDX-License-Identifier: MIT */
/*
 * escape.c - see escape.h.
 */
#include "config.h"

#include "escape.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

size_t
cs_utf8_next(const unsigned char *p, size_t left, uint32_t *cp)
{
    unsigned char b;
    unsigned char lo = 0x80, hi = 0xbf;
    uint32_t v;
    size_t n, i;

    if (left == 0) {
        return 0;
    }
    b = p[0];
    if (b < 0x80) {
        *cp = b;
        return 1;
    } else if (b >= 0xc2 && b <= 0xdf) {
        n = 2;
        v = b & 0x1fu;
    } else if (b >= 0xe0 && b <= 0xef) {
        n = 3;
        v = b & 0x0fu;
        if (b == 0xe0) {
            lo = 0xa0;              /* no overlong form */
        } else if (b == 0xed) {
            hi = 0x9f;              /* no surrogate */
        }
    } else if (b >= 0xf0 && b <= 0xf4) {
        n = 4;
        v = b & 0x07u;
        if (b == 0xf0) {
            lo = 0x90;
        } else if (b == 0xf4) {
            hi = 0x8f;              /* nothing above U+10FFFF */
        }
    } else {
        return 0;
    }
    if (left < n || p[1] < lo || p[1] > hi) {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if (p[i] < 0x80 || p[i] > 0xbf) {
            return 0;
        }
        v = v << 6 | (p[i] & 0x3fu);
    }
    *cp = v;
    return n;
}

int
cs_escape_keeps(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
        return 0;                   /* C0, DEL, C1 */
    }
    switch (cp) {
    case 0x00ad:                    /* soft hyphen */
    case 0x061c:                    /* Arabic letter mark */
    case 0x180e:                    /* Mongolian vowel separator */
    case 0xfeff:                    /* BOM, zero-width no-break space */
        return 0;
    default:
        break;
    }
    return !((cp >= 0x200b && cp <= 0x200f) ||   /* zero width, LRM, RLM */
             (cp >= 0x2028 && cp <= 0x202e) ||   /* separators, bidi */
             (cp >= 0x2060 && cp <= 0x2069) ||   /* joiners, isolates */
             (cp >= 0xfff9 && cp <= 0xfffb));    /* annotations */
}

size_t
cs_escape(char *out, size_t out_size, const char *in, size_t in_len)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t i = 0, need = 0, used = 0, n, len;
    bool full = out_size == 0;
    const char *piece;
    uint32_t cp;
    char hex[5];

    while (i < in_len) {
        n = cs_utf8_next(p + i, in_len - i, &cp);
        if (n > 0 && cs_escape_keeps(cp)) {
            piece = in + i;
            len = n;
            i += n;
        } else {
            snprintf(hex, sizeof(hex), "\\x%02x", (unsigned)p[i]);
            piece = hex;
            len = 4;
            i++;
        }
        /* Once a piece does not fit, nothing after it goes in: the text
         * is cut, never a character or an escape halved. */
        if (!full && used + len < out_size) {
            memcpy(out + used, piece, len);
            used += len;
        } else {
            full = true;
        }
        need += len;
    }
    if (out_size > 0) {
        out[used] = '\0';
    }
    return need;
}
