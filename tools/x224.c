/* SPDX-License-Identifier: MIT */
/*
 * x224.c - the rdp transport's negotiation in the `credssp` tool
 * ([MS-RDPBCGR] 2.2.1.1 / 2.2.1.2): an X.224 Connection Request with an
 * RDP Negotiation Request asking PROTOCOL_HYBRID, a Connection Confirm
 * with the Negotiation Response; the raw TLS/CredSSP bytes follow on the
 * TCP stream without framing (tokenloop.c).
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdio.h>
#include <string.h>

#include "tool.h"

/* [MS-RDPBCGR] 2.2.1.1, 2.2.1.2 and X.224 (ITU-T X.224 13.3, 13.4). */
#define TPKT_VERSION 3
#define TPKT_HEADER_LEN 4
#define X224_FIXED_LEN 7            /* LI, code, DST-REF, SRC-REF, class */
#define X224_MAX_LI 254
#define TPKT_MIN_LEN (TPKT_HEADER_LEN + X224_FIXED_LEN)
#define TPKT_MAX_LEN (TPKT_HEADER_LEN + 1 + X224_MAX_LI)
#define X224_TPDU_CONNECTION_REQUEST 0xe0
#define X224_TPDU_CONNECTION_CONFIRM 0xd0
#define RDP_NEG_LEN 8
#define TYPE_RDP_NEG_REQ 0x01
#define TYPE_RDP_NEG_RSP 0x02
#define TYPE_RDP_NEG_FAILURE 0x03
#define TYPE_RDP_CORRELATION_INFO 0x06
#define RDP_CORRELATION_INFO_LEN 36
#define CORRELATION_INFO_PRESENT 0x08
#define PROTOCOL_RDP 0x00000000u
#define PROTOCOL_SSL 0x00000001u
#define PROTOCOL_HYBRID 0x00000002u
#define PROTOCOL_RDSTLS 0x00000004u
#define PROTOCOL_HYBRID_EX 0x00000008u
#define PROTOCOL_RDSAAD 0x00000010u
#define HYBRID_REQUIRED_BY_SERVER 0x00000005u
#define COOKIE_PREFIX "Cookie: mstshash="
#define COOKIE_MAX_USER 64
/* Src-ref of our Connection Confirm; any value will do. */
#define X224_SERVER_SRC_REF 0x1234

/* A bounds-checked reader with a sticky failure flag. */
struct cursor {
    const uint8_t *p;
    size_t left;
    bool bad;
};

/* Takes n bytes; NULL (and the sticky flag) when fewer are left. */
static const uint8_t *
cur_take(struct cursor *c, size_t n)
{
    const uint8_t *r;

    if (c->bad || c->left < n) {
        c->bad = true;
        return NULL;
    }
    r = c->p;
    c->p += n;
    c->left -= n;
    return r;
}

/* Reads one byte (0 when short). */
static uint8_t
cur_u8(struct cursor *c)
{
    const uint8_t *b = cur_take(c, 1);

    return (b != NULL) ? b[0] : 0;
}

/* Reads a big-endian 16-bit number (0 when short). */
static uint16_t
cur_u16be(struct cursor *c)
{
    const uint8_t *b = cur_take(c, 2);

    return (b != NULL) ? (uint16_t)((b[0] << 8) | b[1]) : 0;
}

/* Reads a little-endian 16-bit number (0 when short). */
static uint16_t
cur_u16le(struct cursor *c)
{
    const uint8_t *b = cur_take(c, 2);

    return (b != NULL) ? (uint16_t)(b[0] | (b[1] << 8)) : 0;
}

/* Reads a little-endian 32-bit number (0 when short). */
static uint32_t
cur_u32le(struct cursor *c)
{
    const uint8_t *b = cur_take(c, 4);

    return (b != NULL) ? ct_get_u32le(b) : 0;
}

/* True when the unread bytes start with the string s (nothing taken). */
static bool
cur_starts_with(const struct cursor *c, const char *s)
{
    size_t n = strlen(s);

    return !c->bad && c->left >= n && memcmp(c->p, s, n) == 0;
}

/* Puts a little-endian 16-bit number at b. */
static void
put_u16le(uint8_t *b, uint16_t v)
{
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
}

/* Returns the [MS-RDPBCGR] name of one protocol bit (or of none). */
static const char *
protocol_name(uint32_t proto)
{
    switch (proto) {
    case PROTOCOL_RDP:
        return "PROTOCOL_RDP";
    case PROTOCOL_SSL:
        return "PROTOCOL_SSL";
    case PROTOCOL_HYBRID:
        return "PROTOCOL_HYBRID";
    case PROTOCOL_RDSTLS:
        return "PROTOCOL_RDSTLS";
    case PROTOCOL_HYBRID_EX:
        return "PROTOCOL_HYBRID_EX";
    case PROTOCOL_RDSAAD:
        return "PROTOCOL_RDSAAD";
    default:
        return "unknown protocol";
    }
}

/* Returns the [MS-RDPBCGR] 2.2.1.2.2 name of a failureCode. */
static const char *
failure_name(uint32_t code)
{
    switch (code) {
    case 1:
        return "SSL_REQUIRED_BY_SERVER";
    case 2:
        return "SSL_NOT_ALLOWED_BY_SERVER";
    case 3:
        return "SSL_CERT_NOT_ON_SERVER";
    case 4:
        return "INCONSISTENT_FLAGS";
    case 5:
        return "HYBRID_REQUIRED_BY_SERVER";
    case 6:
        return "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER";
    default:
        return "unknown failure code";
    }
}

/* True when the name can go into a routing cookie as it is. */
static bool
cookie_user_ok(const char *user)
{
    size_t i, n;

    if (user == NULL) {
        return false;
    }
    n = strlen(user);
    if (n == 0 || n > COOKIE_MAX_USER) {
        return false;
    }
    for (i = 0; i < n; i++) {
        if (user[i] <= 0x20 || user[i] >= 0x7f) {
            return false;
        }
    }
    return true;
}

/*
 * Builds the client's TPKT + X.224 Connection Request + RDP Negotiation
 * Request asking PROTOCOL_SSL | PROTOCOL_HYBRID | PROTOCOL_HYBRID_EX
 * ([MS-RDPBCGR] 2.2.1.1),
 * with a "Cookie: mstshash=USER" line when a plain user name is given.
 * Returns the length written, or 0 when buf is too small.
 */
size_t
ct_x224_build_request(uint8_t *buf, size_t buf_len, const char *cookie_user)
{
    size_t cookie_len = 0, total, off = 0;
    bool cookie = cookie_user_ok(cookie_user);

    if (cookie) {
        cookie_len = strlen(COOKIE_PREFIX) + strlen(cookie_user) + 2;
    }
    total = TPKT_HEADER_LEN + X224_FIXED_LEN + cookie_len + RDP_NEG_LEN;
    if (total > buf_len || total > TPKT_MAX_LEN) {
        return 0;
    }
    buf[off++] = TPKT_VERSION;
    buf[off++] = 0;
    buf[off++] = (uint8_t)(total >> 8);
    buf[off++] = (uint8_t)total;
    buf[off++] = (uint8_t)(total - TPKT_HEADER_LEN - 1);    /* LI */
    buf[off++] = X224_TPDU_CONNECTION_REQUEST;
    buf[off++] = 0;                                         /* DST-REF */
    buf[off++] = 0;
    buf[off++] = 0;                                         /* SRC-REF */
    buf[off++] = 0;
    buf[off++] = 0;                                         /* class 0 */
    if (cookie) {
        memcpy(buf + off, COOKIE_PREFIX, strlen(COOKIE_PREFIX));
        off += strlen(COOKIE_PREFIX);
        memcpy(buf + off, cookie_user, strlen(cookie_user));
        off += strlen(cookie_user);
        buf[off++] = '\r';
        buf[off++] = '\n';
    }
    buf[off++] = TYPE_RDP_NEG_REQ;
    buf[off++] = 0;                                         /* flags */
    put_u16le(buf + off, RDP_NEG_LEN);
    off += 2;
    ct_put_u32le(buf + off, PROTOCOL_SSL | PROTOCOL_HYBRID | PROTOCOL_HYBRID_EX);
    off += 4;
    return off;
}

/*
 * Checks the TPKT header and the X.224 fixed part of a whole TPDU of len
 * bytes against want_code and leaves c at the variable part.
 */
static enum ct_rc
parse_x224_head(struct cursor *c, const uint8_t *p, size_t len,
                uint8_t want_code, const char *what, struct ct_err *err)
{
    uint8_t version, li, code, cls;
    uint16_t tpkt_len, dst_ref;

    c->p = p;
    c->left = len;
    c->bad = false;
    version = cur_u8(c);
    (void)cur_u8(c);                    /* reserved */
    tpkt_len = cur_u16be(c);
    li = cur_u8(c);
    code = cur_u8(c);
    dst_ref = cur_u16be(c);
    (void)cur_u16be(c);                 /* SRC-REF */
    cls = cur_u8(c);
    if (c->bad) {
        ct_err_set(err, "%s too short (%zu bytes)", what, len);
        return CT_ERR;
    }
    if (version != TPKT_VERSION || tpkt_len != len) {
        ct_err_set(err, "%s: bad TPKT header (version %u, length %u)",
                   what, version, tpkt_len);
        return CT_ERR;
    }
    if ((size_t)li + TPKT_HEADER_LEN + 1 != len) {
        ct_err_set(err, "%s: X.224 length indicator %u does not match the "
                   "TPKT length %zu", what, li, len);
        return CT_ERR;
    }
    if (code != want_code) {
        ct_err_set(err, "%s: unexpected X.224 TPDU code 0x%02x", what,
                   code);
        return CT_ERR;
    }
    if (cls != 0) {
        ct_err_set(err, "%s: unsupported X.224 class option 0x%02x", what,
                   cls);
        return CT_ERR;
    }
    if (want_code == X224_TPDU_CONNECTION_REQUEST && dst_ref != 0) {
        ct_err_set(err, "%s: DST-REF must be zero", what);
        return CT_ERR;
    }
    return CT_OK;
}

/*
 * Parses a client's Connection Request (the whole TPKT, len bytes).
 * *have_neg tells whether it carried an RDP Negotiation Request and
 * *protocols its requestedProtocols.  A routing token or cookie line and an
 * RDP Correlation Info are accepted and skipped; anything else is refused.
 */
enum ct_rc
ct_x224_parse_request(const uint8_t *p, size_t len, bool *have_neg,
                      uint32_t *protocols, struct ct_err *err)
{
    static const char what[] = "X.224 Connection Request";
    struct cursor c;
    uint8_t type, flags;
    uint16_t neg_len;
    uint32_t proto;
    size_t i;

    *have_neg = false;
    *protocols = PROTOCOL_RDP;
    if (parse_x224_head(&c, p, len, X224_TPDU_CONNECTION_REQUEST, what,
                        err) != CT_OK) {
        return CT_ERR;
    }
    /* routingToken or cookie: "Cookie: ...\r\n" ([MS-RDPBCGR] 2.2.1.1). */
    if (cur_starts_with(&c, "Cookie: ")) {
        for (i = 0; i + 1 < c.left; i++) {
            if (c.p[i] == '\r' && c.p[i + 1] == '\n') {
                break;
            }
        }
        if (i + 1 >= c.left) {
            ct_err_set(err, "%s: cookie not terminated by CR LF", what);
            return CT_ERR;
        }
        (void)cur_take(&c, i + 2);
    }
    if (c.left == 0) {
        return CT_OK;
    }
    type = cur_u8(&c);
    flags = cur_u8(&c);
    neg_len = cur_u16le(&c);
    proto = cur_u32le(&c);
    if (c.bad) {
        ct_err_set(err, "%s: truncated RDP Negotiation Request", what);
        return CT_ERR;
    }
    if (type != TYPE_RDP_NEG_REQ || neg_len != RDP_NEG_LEN) {
        ct_err_set(err, "%s: bad RDP Negotiation Request (type 0x%02x, "
                   "length %u)", what, type, neg_len);
        return CT_ERR;
    }
    if (c.left > 0 && (flags & CORRELATION_INFO_PRESENT) != 0) {
        type = cur_u8(&c);
        (void)cur_u8(&c);               /* flags */
        neg_len = cur_u16le(&c);
        (void)cur_take(&c, RDP_CORRELATION_INFO_LEN - 4);
        if (c.bad || type != TYPE_RDP_CORRELATION_INFO ||
            neg_len != RDP_CORRELATION_INFO_LEN) {
            ct_err_set(err, "%s: bad RDP Correlation Info", what);
            return CT_ERR;
        }
    }
    if (c.left != 0) {
        ct_err_set(err, "%s: %zu unexpected trailing bytes", what, c.left);
        return CT_ERR;
    }
    *have_neg = true;
    *protocols = proto;
    return CT_OK;
}

/*
 * Parses the server's Connection Confirm (the whole TPKT, len bytes):
 * success only for an RDP Negotiation Response selecting PROTOCOL_HYBRID.
 */
enum ct_rc
ct_x224_parse_confirm(const uint8_t *p, size_t len, bool *hybrid_ex,
                      struct ct_err *err)
{
    static const char what[] = "X.224 Connection Confirm";
    struct cursor c;
    uint8_t type;
    uint16_t neg_len;
    uint32_t value;

    if (parse_x224_head(&c, p, len, X224_TPDU_CONNECTION_CONFIRM, what,
                        err) != CT_OK) {
        return CT_ERR;
    }
    if (c.left == 0) {
        ct_err_set(err, "the server answered without RDP security "
                   "negotiation: it offers only standard RDP security, "
                   "not CredSSP");
        return CT_ERR;
    }
    type = cur_u8(&c);
    (void)cur_u8(&c);                   /* flags */
    neg_len = cur_u16le(&c);
    value = cur_u32le(&c);
    if (c.bad || neg_len != RDP_NEG_LEN || c.left != 0) {
        ct_err_set(err, "%s: malformed negotiation data", what);
        return CT_ERR;
    }
    if (type == TYPE_RDP_NEG_FAILURE) {
        ct_err_set(err, "the server refused the connection: %s (0x%08lx)",
                   failure_name(value), (unsigned long)value);
        return CT_ERR;
    }
    if (type != TYPE_RDP_NEG_RSP) {
        ct_err_set(err, "%s: unknown negotiation type 0x%02x", what, type);
        return CT_ERR;
    }
    if (value != PROTOCOL_HYBRID && value != PROTOCOL_HYBRID_EX) {
        ct_err_set(err, "the server selected %s (0x%08lx), not CredSSP "
                   "(PROTOCOL_HYBRID)", protocol_name(value),
                   (unsigned long)value);
        return CT_ERR;
    }
    *hybrid_ex = value == PROTOCOL_HYBRID_EX;
    return CT_OK;
}

/*
 * Reads one whole TPKT (header, then exactly the announced length) into
 * buf, which holds TPKT_MAX_LEN bytes.  Nothing beyond it is read: the TLS
 * bytes that follow belong to the mechanism.
 */
static enum ct_rc
read_tpkt(int fd, uint8_t *buf, size_t *len_out, const char *what,
          struct ct_err *err)
{
    size_t len;
    enum ct_rc rc;

    rc = ct_read_full(fd, buf, TPKT_HEADER_LEN, err);
    if (rc == CT_EOF) {
        ct_err_set(err, "the peer closed the connection before the %s",
                   what);
        return CT_ERR;
    }
    if (rc != CT_OK) {
        return rc;
    }
    len = ((size_t)buf[2] << 8) | buf[3];
    if (buf[0] != TPKT_VERSION || buf[1] != 0 || len < TPKT_MIN_LEN ||
        len > TPKT_MAX_LEN) {
        if (!ct_stranger_text(fd, buf, TPKT_HEADER_LEN, what, err)) {
            ct_err_set(err, "expected a TPKT carrying the %s, got bytes "
                       "%02x %02x %02x %02x", what, buf[0], buf[1], buf[2],
                       buf[3]);
        }
        return CT_ERR;
    }
    rc = ct_read_full(fd, buf + TPKT_HEADER_LEN, len - TPKT_HEADER_LEN,
                      err);
    if (rc == CT_EOF) {
        ct_err_set(err, "the peer closed the connection in the middle of "
                   "the %s", what);
        return CT_ERR;
    }
    if (rc != CT_OK) {
        return rc;
    }
    *len_out = len;
    return CT_OK;
}

/* The client's half of the X.224 exchange that precedes CredSSP. */
enum ct_rc
ct_x224_client(int fd, const char *cookie_user, const struct ct_out *out,
               bool *hybrid_ex, struct ct_err *err)
{
    uint8_t buf[TPKT_MAX_LEN];
    size_t len;

    len = ct_x224_build_request(buf, sizeof(buf), cookie_user);
    if (len == 0) {
        ct_err_set(err, "cannot build the X.224 Connection Request");
        return CT_ERR;
    }
    if (ct_write_full(fd, buf, len, err) != CT_OK) {
        return CT_ERR;
    }
    ct_verbose(out, "-> X.224 Connection Request (%zu bytes, "
               "requestedProtocols 0x%08lx)", len,
               (unsigned long)(PROTOCOL_SSL | PROTOCOL_HYBRID |
                               PROTOCOL_HYBRID_EX));
    if (read_tpkt(fd, buf, &len, "X.224 Connection Confirm", err)
        != CT_OK) {
        return CT_ERR;
    }
    ct_verbose(out, "<- X.224 Connection Confirm (%zu bytes)", len);
    if (ct_x224_parse_confirm(buf, len, hybrid_ex, err) != CT_OK) {
        return CT_ERR;
    }
    ct_verbose(out, "server selected %s (CredSSP)",
               *hybrid_ex ? "PROTOCOL_HYBRID_EX" : "PROTOCOL_HYBRID");
    return CT_OK;
}

/*
 * The server's half: reads the Connection Request and answers with a
 * Negotiation Response selecting PROTOCOL_HYBRID when the client offered
 * it; otherwise with a Negotiation Failure HYBRID_REQUIRED_BY_SERVER, and
 * the exchange fails.
 */
enum ct_rc
ct_x224_server(int fd, const struct ct_out *out, bool *hybrid_ex,
               struct ct_err *err)
{
    uint8_t buf[TPKT_MAX_LEN];
    uint8_t reply[TPKT_HEADER_LEN + X224_FIXED_LEN + RDP_NEG_LEN];
    struct ct_err send_err;
    size_t len, off = 0;
    uint32_t protocols;
    bool have_neg, ok;

    if (read_tpkt(fd, buf, &len, "X.224 Connection Request", err)
        != CT_OK) {
        return CT_ERR;
    }
    if (ct_x224_parse_request(buf, len, &have_neg, &protocols, err)
        != CT_OK) {
        return CT_ERR;
    }
    ct_verbose(out, "<- X.224 Connection Request (%zu bytes, "
               "requestedProtocols 0x%08lx)", len, (unsigned long)protocols);
    ok = have_neg && (protocols & PROTOCOL_HYBRID) != 0;
    /* HYBRID_EX: the client wants the Early User Authorization Result
     * ([MS-RDPBCGR] 2.2.10.2) after CredSSP. */
    *hybrid_ex = ok && (protocols & PROTOCOL_HYBRID_EX) != 0;

    reply[off++] = TPKT_VERSION;
    reply[off++] = 0;
    reply[off++] = 0;
    reply[off++] = (uint8_t)sizeof(reply);
    reply[off++] = (uint8_t)(sizeof(reply) - TPKT_HEADER_LEN - 1);
    reply[off++] = X224_TPDU_CONNECTION_CONFIRM;
    reply[off++] = 0;                                   /* DST-REF */
    reply[off++] = 0;
    reply[off++] = (uint8_t)(X224_SERVER_SRC_REF >> 8); /* SRC-REF */
    reply[off++] = (uint8_t)X224_SERVER_SRC_REF;
    reply[off++] = 0;                                   /* class 0 */
    reply[off++] = ok ? TYPE_RDP_NEG_RSP : TYPE_RDP_NEG_FAILURE;
    reply[off++] = 0;                                   /* flags */
    put_u16le(reply + off, RDP_NEG_LEN);
    off += 2;
    ct_put_u32le(reply + off, !ok ? HYBRID_REQUIRED_BY_SERVER
                           : *hybrid_ex ? PROTOCOL_HYBRID_EX
                                        : PROTOCOL_HYBRID);

    if (!ok) {
        if (ct_write_full(fd, reply, sizeof(reply), &send_err) == CT_OK) {
            ct_verbose(out, "-> X.224 Connection Confirm with RDP "
                       "Negotiation Failure HYBRID_REQUIRED_BY_SERVER");
        }
        if (have_neg) {
            ct_err_set(err, "the client did not offer CredSSP "
                       "(PROTOCOL_HYBRID); requestedProtocols 0x%08lx",
                       (unsigned long)protocols);
        } else {
            ct_err_set(err, "the client sent no RDP Negotiation Request "
                       "(standard RDP security only); CredSSP required");
        }
        return CT_ERR;
    }
    if (ct_write_full(fd, reply, sizeof(reply), err) != CT_OK) {
        return CT_ERR;
    }
    ct_verbose(out, "-> X.224 Connection Confirm selecting %s (%zu bytes)",
               *hybrid_ex ? "PROTOCOL_HYBRID_EX" : "PROTOCOL_HYBRID",
               sizeof(reply));
    return CT_OK;
}
