/* SPDX-License-Identifier: MIT */
/*
 * cursor.h - a bounds-checked reader with a sticky status, for the little
 * that is parsed by hand (TLS record headers, NTLM message fields).  After
 * the first short read every later read returns 0 and ok stays false;
 * check ok once at the end.
 */
#ifndef CS_CURSOR_H
#define CS_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cs_cursor {
    const uint8_t *p;
    size_t left;
    bool ok;
};

static inline void
cs_cursor_init(struct cs_cursor *c, const uint8_t *p, size_t len)
{
    c->p = p;
    c->left = len;
    c->ok = true;
}

/* cs_cursor_u8: the next byte, or 0 (and ok = false) at the end. */
static inline uint8_t
cs_cursor_u8(struct cs_cursor *c)
{
    uint8_t v;

    if (!c->ok || c->left < 1) {
        c->ok = false;
        return 0;
    }
    v = c->p[0];
    c->p++;
    c->left--;
    return v;
}

/* cs_cursor_u16be: the next two bytes, big-endian. */
static inline uint16_t
cs_cursor_u16be(struct cs_cursor *c)
{
    uint16_t hi = cs_cursor_u8(c);

    return (uint16_t)((hi << 8) | cs_cursor_u8(c));
}

/* cs_cursor_u16le / cs_cursor_u32le: little-endian reads. */
static inline uint16_t
cs_cursor_u16le(struct cs_cursor *c)
{
    uint16_t lo = cs_cursor_u8(c);

    return (uint16_t)(lo | (uint16_t)cs_cursor_u8(c) << 8);
}

static inline uint32_t
cs_cursor_u32le(struct cs_cursor *c)
{
    uint32_t lo = cs_cursor_u16le(c);

    return lo | (uint32_t)cs_cursor_u16le(c) << 16;
}

/* cs_cursor_take: the next n bytes, borrowed, or NULL (and ok = false)
 * when fewer are left. */
static inline const uint8_t *
cs_cursor_take(struct cs_cursor *c, size_t n)
{
    const uint8_t *p = c->p;

    if (!c->ok || c->left < n) {
        c->ok = false;
        return NULL;
    }
    c->p += n;
    c->left -= n;
    return p;
}

/* cs_cursor_skip: skips n bytes; reports how many were really there. */
static inline size_t
cs_cursor_skip(struct cs_cursor *c, size_t n)
{
    size_t have = c->ok ? (c->left < n ? c->left : n) : 0;

    if (have < n) {
        c->ok = false;
    }
    c->p += have;
    c->left -= have;
    return have;
}

#endif /* CS_CURSOR_H */
