/* SPDX-License-Identifier: MIT */
/*
 * relay.c - see relay.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glue.h"
#include "relay.h"
#include "tls.h"

#define MAX_MSGS 8
#define MAX_ROUNDS 24

static struct cs_cred *acc_cred[2];           /* [tls12] */
static struct cs_cred *init_cred[2][2];       /* [ntlm][tls12] */
static gss_name_t target = GSS_C_NO_NAME;

static void
die(const char *what, cs_err err)
{
    fprintf(stderr, "relay: %s: %s\n", what,
            cs_err_text(err) ? cs_err_text(err) : "error");
    fprintf(stderr, "relay: run under tests/fixture/with-kdc "
                    "(CREDSSP_MODULE set)\n");
    exit(1);
}

static const char *
env(const char *name)
{
    const char *v = getenv(name);

    if (v == NULL || *v == '\0') {
        fprintf(stderr, "relay: %s is not set: run under "
                        "tests/fixture/with-kdc\n", name);
        exit(1);
    }
    return v;
}

static void
finish(struct cs_cred *c)
{
    cs_err err = cs_cred_finish(c);

    if (err != CS_OK) {
        const char *why = cs_err_detail(err);

        fprintf(stderr, "relay: %s\n", why != NULL ? why : "");
        die("acquiring a credential", err);
    }
}

void
relay_init(void)
{
    const struct cs_glue *g;
    char text[256];
    gss_buffer_desc buf;
    gss_OID_set mechs = GSS_C_NO_OID_SET;
    OM_uint32 minor;
    cs_err err;

    env("GSS_MECH_CONFIG");
    /* A direct call, so that libgssapi_krb5 is loaded (and its mech
     * config read) before cs_glue() looks it up with RTLD_NOLOAD. */
    if (gss_indicate_mechs(&minor, &mechs) == GSS_S_COMPLETE) {
        gss_release_oid_set(&minor, &mechs);
    }
    g = cs_glue();
    if (g == NULL) {
        die("the mechglue is not loaded", CREDSSP_S_INTERNAL);
    }
    buf.value = (void *)"TERMSRV@localhost";
    buf.length = strlen(buf.value);
    if (g->import_name(&minor, &buf, (gss_OID)&cs_oid_nt_hostbased_service,
                       &target) != GSS_S_COMPLETE) {
        die("importing the target name", CREDSSP_S_BAD_NAME);
    }
    for (int tls12 = 0; tls12 < 2; tls12++) {
        err = cs_cred_new(GSS_C_ACCEPT, &acc_cred[tls12]);
        if (err == CS_OK && tls12) {
            err = cs_settings_set(&acc_cred[tls12]->set, "tls_max_version",
                                  "1.2");
        }
        if (err != CS_OK) {
            die("acceptor credential", err);
        }
        finish(acc_cred[tls12]);
        for (int ntlm = 0; ntlm < 2; ntlm++) {
            struct cs_cred *c;

            if (ntlm) {
                snprintf(text, sizeof(text), "%s\\%s",
                         env("CREDSSP_TEST_NTLM_DOMAIN"),
                         env("CREDSSP_TEST_USER"));
            } else {
                snprintf(text, sizeof(text), "%s@%s",
                         env("CREDSSP_TEST_USER"),
                         env("CREDSSP_TEST_REALM"));
            }
            err = cs_cred_new(GSS_C_INITIATE, &c);
            if (err != CS_OK) {
                die("initiator credential", err);
            }
            buf.value = text;
            buf.length = strlen(text);
            if (g->import_name(&minor, &buf,
                               (gss_OID)&cs_oid_nt_user_name,
                               &c->name) != GSS_S_COMPLETE) {
                die("importing the user name", CREDSSP_S_BAD_NAME);
            }
            err = cs_cred_set_password(c, text,
                                       env("CREDSSP_TEST_PASSWORD"));
            if (err == CS_OK) {
                err = cs_settings_set(&c->set, "inner_mech",
                                      ntlm ? "ntlm" : "kerberos");
            }
            if (err == CS_OK && ntlm) {
                err = cs_settings_set(&c->set, "allow_delegation_ntlm_only",
                                      "*");
            }
            if (err == CS_OK && tls12) {
                err = cs_settings_set(&c->set, "tls_max_version", "1.2");
            }
            if (err != CS_OK) {
                die("initiator settings", err);
            }
            finish(c);
            init_cred[ntlm][tls12] = c;
        }
    }
}

/* One engine context and the TLS endpoint this process plays towards it. */
struct side {
    enum cs_role role;
    struct cs_ctx *eng;
    struct cs_tls *t;             /* NULL in raw mode */
    bool hs_done;
    bool done, failed;
    size_t nmsg;                  /* plaintext messages from eng, queued */
    cs_blob msg[MAX_MSGS];
};

static void
side_clear(struct side *s)
{
    cs_ctx_free(s->eng);
    cs_tls_free(s->t);
    for (size_t i = 0; i < s->nmsg; i++) {
        cs_blob_free_secret(&s->msg[i]);
    }
    memset(s, 0, sizeof(*s));
}

static void
notify(relay_observer *obs, void *arg, enum relay_event ev,
       const uint8_t *d, size_t n)
{
    if (obs != NULL) {
        obs(arg, ev, d, n);
    }
}

/*
 * take: what our TLS endpoint has read from the engine's token `tok`:
 * handshake progress, then plaintext messages queued in s->msg.  Returns
 * false when our endpoint failed (the engine sent garbage or an alert).
 */
static bool
take(struct side *s, const cs_blob *tok, relay_observer *obs, void *arg)
{
    size_t off = 0;

    while (off + 5 <= tok->len) {
        size_t rec = 5 + ((size_t)tok->data[off + 3] << 8 |
                          tok->data[off + 4]);

        if (off + rec > tok->len ||
            cs_tls_feed(s->t, tok->data + off, rec) != CS_OK) {
            return false;
        }
        off += rec;
        if (!s->hs_done && cs_tls_handshake(s->t, &s->hs_done) != CS_OK) {
            return false;
        }
        if (s->hs_done) {
            cs_blob m = { 0 };
            bool got = false;

            if (cs_tls_read_message(s->t, &m, &got) != CS_OK) {
                return false;
            }
            if (got) {
                notify(obs, arg,
                       s->role == CS_INITIATOR ? RELAY_MSG_FROM_INITIATOR
                                               : RELAY_MSG_FROM_ACCEPTOR,
                       m.data, m.len);
                if (s->nmsg == MAX_MSGS) {
                    cs_blob_free_secret(&m);
                    return false;
                }
                s->msg[s->nmsg++] = m;
            }
        }
    }
    return off == tok->len;
}

/* step: hands the engine one token and reads its answer through our
 * endpoint; while the TLS handshake runs, answers for it at once. */
static void
step(struct side *s, cs_blob *in, relay_observer *obs, void *arg)
{
    for (int guard = 0; guard < 8 && !s->done && !s->failed; guard++) {
        cs_blob out = { 0 };
        bool done = false;
        cs_err err;

        notify(obs, arg,
               s->role == CS_INITIATOR ? RELAY_TOKEN_TO_INITIATOR
                                       : RELAY_TOKEN_TO_ACCEPTOR,
               in->data, in->len);
        err = cs_ctx_step(s->eng, in->data, in->len, &out, &done);
        cs_blob_free(in);
        if (err == CREDSSP_S_INCOMPLETE_MESSAGE) {
            s->failed = true;     /* the fuzz chunk ended mid-record */
        } else if (err != CS_OK) {
            s->failed = true;
        }
        s->done = done;
        if (s->t != NULL && out.len > 0 && !take(s, &out, obs, arg)) {
            s->failed = true;
        }
        cs_blob_free(&out);
        if (s->t == NULL || s->failed || s->done) {
            return;
        }
        /* Our client keeps its last handshake flight for the record of
         * the first message, as real initiators do. */
        if (s->hs_done && s->role == CS_ACCEPTOR) {
            return;
        }
        /* Our endpoint's handshake answer (as a server, also the TLS 1.2
         * Finished that completes our side) goes back at once. */
        if (cs_tls_take_output(s->t, in) != CS_OK || in->len == 0) {
            cs_blob_free(in);
            return;
        }
    }
}

/* send_msg: msg inside one TLS record from our endpoint to the engine
 * (with whatever handshake bytes our endpoint still has to send). */
static void
send_msg(struct side *s, const uint8_t *msg, size_t len,
         relay_observer *obs, void *arg)
{
    cs_blob tok = { 0 };

    if (cs_tls_write_message(s->t, msg, len) != CS_OK ||
        cs_tls_take_output(s->t, &tok) != CS_OK) {
        cs_blob_free(&tok);
        s->failed = true;
        return;
    }
    step(s, &tok, obs, arg);
}

/* start: the engine's TLS handshake with our endpoint, up to its first
 * plaintext message (initiator) or to where it waits for one. */
static bool
start(struct side *s, SSL_CTX *ours, relay_observer *obs, void *arg)
{
    cs_blob tok = { 0 };

    if (cs_tls_new(ours, s->role == CS_INITIATOR, NULL, &s->t) != CS_OK) {
        return false;
    }
    if (s->role == CS_ACCEPTOR) {
        bool dummy = false;

        if (cs_tls_handshake(s->t, &dummy) != CS_OK ||
            cs_tls_take_output(s->t, &tok) != CS_OK) {
            cs_blob_free(&tok);
            return false;
        }
    }
    step(s, &tok, obs, arg);
    return !s->failed && s->hs_done;
}

static bool
new_engine(struct side *s, enum cs_role role, int ntlm, int tls12)
{
    s->role = role;
    if (role == CS_ACCEPTOR) {
        return cs_ctx_new(CS_ACCEPTOR, acc_cred[tls12], &s->eng) == CS_OK;
    }
    if (cs_ctx_new(CS_INITIATOR, init_cred[ntlm][tls12], &s->eng) != CS_OK) {
        return false;
    }
    /* NTLM cannot authenticate the server: no mutual flag there. */
    s->eng->req_flags = (ntlm ? 0 : GSS_C_MUTUAL_FLAG) | GSS_C_DELEG_FLAG |
                        GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG;
    return cs_ctx_set_target(s->eng, target) == CS_OK;
}

/* next_chunk: the next length-prefixed chunk of the fuzz input. */
static bool
next_chunk(const uint8_t **p, size_t *left, const uint8_t **chunk,
           size_t *len)
{
    size_t n;

    if (*left < 2) {
        return false;
    }
    n = (size_t)(*p)[0] << 8 | (*p)[1];
    *p += 2;
    *left -= 2;
    if (n > *left) {
        n = *left;
    }
    *chunk = *p;
    *len = n;
    *p += n;
    *left -= n;
    return true;
}

static void
report_delegated(struct side *s, relay_observer *obs, void *arg)
{
    cs_blob der = { 0 };

    if (obs == NULL || s->role != CS_ACCEPTOR || !s->done ||
        s->eng->delegated == NULL || s->eng->delegated->delegated_empty) {
        return;
    }
    if (cs_tscredentials_encode(&s->eng->delegated->deleg, &der) == CS_OK) {
        notify(obs, arg, RELAY_DELEGATED, der.data, der.len);
    }
    cs_blob_free_secret(&der);
}

int
relay_run(enum cs_role test, const uint8_t *data, size_t size,
          relay_observer *obs, void *arg)
{
    struct side e = { 0 }, p = { 0 };
    int flags, genuine, used = 0, rc = 0;
    int ntlm, tls12;
    bool raw, switched = false;
    const uint8_t *chunk;
    size_t clen;

    if (size < 2) {
        return 0;
    }
    flags = data[0];
    genuine = data[1];
    data += 2;
    size -= 2;
    ntlm = (flags & RELAY_F_NTLM) != 0;
    tls12 = (flags & RELAY_F_TLS12) != 0;
    raw = (flags & RELAY_F_RAW) != 0;

    if (!new_engine(&e, test, ntlm, tls12)) {
        goto out;
    }
    if (raw) {
        /* Every chunk is a whole token for the engine, TLS or not. */
        cs_blob tok = { 0 };

        if (test == CS_INITIATOR) {
            step(&e, &tok, obs, arg);
        }
        while (!e.done && !e.failed &&
               next_chunk(&data, &size, &chunk, &clen)) {
            if (cs_blob_set(&tok, chunk, clen) != CS_OK) {
                break;
            }
            step(&e, &tok, obs, arg);
        }
        goto out;
    }
    if (!new_engine(&p, test == CS_INITIATOR ? CS_ACCEPTOR : CS_INITIATOR,
                    ntlm, tls12)) {
        goto out;
    }
    /* Towards an initiator we are the server, with the acceptor's own
     * certificate; towards an acceptor a client like any other. */
    if (!start(&e, test == CS_INITIATOR ? acc_cred[tls12]->ssl_ctx
                                        : init_cred[ntlm][tls12]->ssl_ctx,
               obs, arg) ||
        !start(&p, test == CS_INITIATOR ? init_cred[ntlm][tls12]->ssl_ctx
                                        : acc_cred[tls12]->ssl_ctx,
               obs, arg)) {
        goto out;
    }
    for (int round = 0; round < MAX_ROUNDS && !e.failed && !e.done;
         round++) {
        if (e.nmsg > 0) {
            /* The engine under test spoke: the genuine peer hears it,
             * until the fuzz input took over. */
            cs_blob m = e.msg[0];

            memmove(e.msg, e.msg + 1, --e.nmsg * sizeof(e.msg[0]));
            if (!switched && !p.failed && !p.done) {
                send_msg(&p, m.data, m.len, obs, arg);
            }
            cs_blob_free_secret(&m);
            continue;
        }
        if (!switched && used < genuine && p.nmsg > 0) {
            cs_blob m = p.msg[0];

            memmove(p.msg, p.msg + 1, --p.nmsg * sizeof(p.msg[0]));
            used++;
            send_msg(&e, m.data, m.len, obs, arg);
            cs_blob_free_secret(&m);
            continue;
        }
        switched = true;
        if (!next_chunk(&data, &size, &chunk, &clen)) {
            break;
        }
        send_msg(&e, chunk, clen, obs, arg);
    }
    report_delegated(&e, obs, arg);
out:
    rc = e.done;
    side_clear(&e);
    side_clear(&p);
    return rc;
}
