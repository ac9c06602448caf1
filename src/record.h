/* SPDX-License-Identifier: MIT */
/*
 * record.h - TLS records ([RFC 8446] 5.1) as they arrive: the header
 * (content type, legacy version, length) and a walk over input whose
 * framing cs_tls_check_records has accepted.
 */
#ifndef CS_RECORD_H
#define CS_RECORD_H

#include "cs.h"
#include "cursor.h"

/* The header: type (1), legacy_record_version (2), length (2). */
#define CS_RECORD_HEADER_LEN 5

struct cs_record_header {
    uint8_t type;
    uint8_t major;                /* 3 for every SSL 3 / TLS version */
    uint16_t len;                 /* of the body that follows */
};

/* cs_record_header: reads one header at c (c->ok false when fewer than
 * CS_RECORD_HEADER_LEN bytes are left). */
static inline void
cs_record_header(struct cs_cursor *c, struct cs_record_header *h)
{
    h->type = cs_cursor_u8(c);
    h->major = cs_cursor_u8(c);
    (void)cs_cursor_u8(c);        /* the minor version: any */
    h->len = cs_cursor_u16be(c);
}

/*
 * cs_record_next: the next record at c, header and body, borrowed from
 * the input; false at the end (or before a record that is not whole,
 * which checked input does not have).  Walks only input that
 * cs_tls_check_records accepted.
 */
static inline bool
cs_record_next(struct cs_cursor *c, cs_slice *rec)
{
    struct cs_cursor peek = *c;
    struct cs_record_header h;
    const uint8_t *p;
    size_t len;

    cs_record_header(&peek, &h);
    if (!peek.ok) {
        return false;
    }
    len = CS_RECORD_HEADER_LEN + (size_t)h.len;
    p = cs_cursor_take(c, len);
    if (p == NULL) {
        return false;
    }
    rec->data = p;
    rec->len = len;
    return true;
}

#endif /* CS_RECORD_H */
