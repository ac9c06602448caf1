/* SPDX-License-Identifier: MIT */
/*
 * capture.c - writes the seed corpora of tests/fuzz/corpus from real
 * exchanges: genuine CredSSP handshakes (Kerberos and NTLM, TLS 1.3 and
 * 1.2) between an initiator and an acceptor context, through relay.c, with
 * the real mechglue, KDC and gss-ntlmssp of tests/fixture/with-kdc.
 *
 *   tests/fixture/with-kdc tests/fuzz/capture DIR
 *
 * DIR/fuzz_acceptor, DIR/fuzz_initiator: relay.h inputs holding the
 * peer's genuine plaintext messages (after 0..n-1 relayed ones) and, in
 * raw mode, its wire tokens; DIR/fuzz_tsrequest: every plaintext
 * TSRequest (c: client's, s: server's); DIR/fuzz_tscredentials: the delegated TSCredentials;
 * DIR/fuzz_utf16: the UTF-16LE of the delegated domain, user and password.
 * Each handshake must complete (exit 1 otherwise).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "relay.h"

struct rec {
    size_t n;
    cs_blob item[32];
};

struct capture {
    struct rec msg[2];            /* [from initiator, from acceptor] */
    struct rec tok[2];            /* [to acceptor, to initiator] */
    cs_blob deleg;
};

static const char *dir;

static void
add(struct rec *r, const uint8_t *d, size_t n)
{
    if (r->n < 32 && cs_blob_set(&r->item[r->n], d, n) == CS_OK) {
        r->n++;
    }
}

static void
observe(void *arg, enum relay_event ev, const uint8_t *d, size_t n)
{
    struct capture *c = arg;

    switch (ev) {
    case RELAY_MSG_FROM_INITIATOR: add(&c->msg[0], d, n); break;
    case RELAY_MSG_FROM_ACCEPTOR: add(&c->msg[1], d, n); break;
    case RELAY_TOKEN_TO_ACCEPTOR: if (n > 0) add(&c->tok[0], d, n); break;
    case RELAY_TOKEN_TO_INITIATOR: if (n > 0) add(&c->tok[1], d, n); break;
    case RELAY_DELEGATED:
        cs_blob_free(&c->deleg);
        if (cs_blob_set(&c->deleg, d, n) != CS_OK) {
            exit(1);
        }
        break;
    }
}

static void
put(const char *target, const char *name, const uint8_t *hdr, size_t hlen,
    const cs_blob *items, size_t from, size_t to, bool framed)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, target);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof(path), "%s/%s/%s", dir, target, name);
    f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    fwrite(hdr, 1, hlen, f);
    for (size_t i = from; i < to; i++) {
        if (framed) {
            fputc((int)(items[i].len >> 8), f);
            fputc((int)(items[i].len & 0xff), f);
        }
        fwrite(items[i].data, 1, items[i].len, f);
    }
    if (fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void
free_rec(struct rec *r)
{
    for (size_t i = 0; i < r->n; i++) {
        cs_blob_free_secret(&r->item[i]);
    }
    r->n = 0;
}

/* One genuine handshake with the engine under test in role `test`. */
static void
one(enum cs_role test, int flags, const char *tag)
{
    struct capture c = { 0 };
    uint8_t hdr[2] = { (uint8_t)flags, 255 };
    const char *target = test == CS_ACCEPTOR ? "fuzz_acceptor"
                                             : "fuzz_initiator";
    /* What the fuzz input replaces: the peer's messages and tokens. */
    int peer = test == CS_ACCEPTOR ? 0 : 1;
    char name[256];

    if (!relay_run(test, hdr, sizeof(hdr), observe, &c)) {
        fprintf(stderr, "capture: %s %s handshake did not complete\n",
                target, tag);
        exit(1);
    }
    for (size_t k = 0; k < c.msg[peer].n; k++) {
        hdr[1] = (uint8_t)k;
        snprintf(name, sizeof(name), "%s-after%zu", tag, k);
        put(target, name, hdr, 2, c.msg[peer].item, k, c.msg[peer].n, true);
    }
    hdr[0] = (uint8_t)(flags | RELAY_F_RAW);
    hdr[1] = 0;
    snprintf(name, sizeof(name), "%s-raw", tag);
    put(target, name, hdr, 2, c.tok[peer].item, 0, c.tok[peer].n, true);
    for (int side = 0; side < 2 && test == CS_ACCEPTOR; side++) {
        for (size_t k = 0; k < c.msg[side].n; k++) {
            snprintf(name, sizeof(name), "%s-%s%zu", tag,
                     side == 0 ? "c" : "s", k + 1);
            put("fuzz_tsrequest", name, hdr, 0, &c.msg[side].item[k], 0, 1,
                false);
        }
    }
    if (c.deleg.len > 0) {
        struct cs_tscredentials cr = { 0 };
        const char *text[3];

        snprintf(name, sizeof(name), "%s", tag);
        put("fuzz_tscredentials", name, hdr, 0, &c.deleg, 0, 1, false);
        if (cs_tscredentials_decode(c.deleg.data, c.deleg.len, &cr) !=
                CS_OK ||
            cr.cred_type != CS_CRED_PASSWORD) {
            fprintf(stderr, "capture: delegated credentials do not decode\n");
            exit(1);
        }
        text[0] = cr.u.password.domain;
        text[1] = cr.u.password.user;
        text[2] = cr.u.password.password;
        for (int i = 0; i < 3; i++) {
            cs_blob u = { 0 };

            if (cs_utf8_to_utf16le(text[i], strlen(text[i]), &u) != CS_OK) {
                exit(1);
            }
            snprintf(name, sizeof(name), "%s-%d", tag, i);
            put("fuzz_utf16", name, hdr, 0, &u, 0, 1, false);
            cs_blob_free_secret(&u);
        }
        cs_tscredentials_clear(&cr);
    } else if (test == CS_ACCEPTOR) {
        fprintf(stderr, "capture: %s: no credentials delegated\n", tag);
        exit(1);
    }
    for (int i = 0; i < 2; i++) {
        free_rec(&c.msg[i]);
        free_rec(&c.tok[i]);
    }
    cs_blob_free_secret(&c.deleg);
}

int
main(int argc, char **argv)
{
    static const struct {
        int flags;
        const char *tag;
    } kinds[] = {
        { 0, "krb-tls13" },
        { RELAY_F_TLS12, "krb-tls12" },
        { RELAY_F_NTLM, "ntlm-tls13" },
        { RELAY_F_NTLM | RELAY_F_TLS12, "ntlm-tls12" },
    };

    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    relay_init();
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        one(CS_ACCEPTOR, kinds[i].flags, kinds[i].tag);
        one(CS_INITIATOR, kinds[i].flags, kinds[i].tag);
    }
    printf("capture: seeds written to %s\n", dir);
    return 0;
}
