/* SPDX-License-Identifier: MIT */
/*
 * cred.c - CredSSP credentials: settings, the password or other
 * credentials to send, the inner credential and TLS context made from
 * them at first use, and what an acceptor was delegated.  The mechglue is
 * reached through inner.c only.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "cred.h"

cs_err
cs_cred_new(gss_cred_usage_t usage, struct cs_cred **out)
{
    struct cs_cred *c = calloc(1, sizeof(*c));
    cs_err err;

    if (c == NULL) {
        return CREDSSP_S_NOMEM;
    }
    c->refs = 1;
    c->usage = usage;
    c->name = GSS_C_NO_NAME;
    c->inner = GSS_C_NO_CREDENTIAL;
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return CREDSSP_S_NOMEM;
    }
    err = cs_settings_load(&c->set);
    if (err != CS_OK) {
        cs_cred_unref(c);
        return err;
    }
    *out = c;
    return CS_OK;
}

struct cs_cred *
cs_cred_ref(struct cs_cred *c)
{
    __atomic_add_fetch(&c->refs, 1, __ATOMIC_SEQ_CST);
    return c;
}

static void release_inner(struct cs_cred *c);

void
cs_cred_unref(struct cs_cred *c)
{
    OM_uint32 i;

    if (c == NULL || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_SEQ_CST) > 0) {
        return;
    }
    cs_inner_release_name(&c->name);
    release_inner(c);
    for (i = 0; i < c->store.count; i++) {
        free((char *)c->store.elements[i].key);
        cs_str_free_secret((char *)c->store.elements[i].value);
    }
    free(c->store.elements);
    cs_password_creds_clear(&c->pw);
    cs_tscredentials_clear(&c->deleg);
    free(c->store_principal);
    cs_tscredentials_clear(&c->send);
    cs_settings_clear(&c->set);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

cs_err
cs_cred_set_password(struct cs_cred *c, const char *name_text,
                     const char *password)
{
    struct cs_password_creds pw = { 0 };
    const char *bs = strchr(name_text, '\\');
    const char *at = strrchr(name_text, '@');
    cs_err err = CREDSSP_S_NOMEM;

    if (*name_text == '\0') {
        return CREDSSP_S_BAD_NAME;
    }
    if (bs != NULL) {                     /* DOMAIN\user */
        pw.domain = strndup(name_text, (size_t)(bs - name_text));
        pw.user = strdup(bs + 1);
    } else if (at != NULL) {              /* user@REALM */
        pw.domain = strdup(at + 1);
        pw.user = strndup(name_text, (size_t)(at - name_text));
    } else {                              /* user */
        pw.domain = strdup("");
        pw.user = strdup(name_text);
    }
    pw.password = strdup(password);
    if (pw.domain == NULL || pw.user == NULL || pw.password == NULL) {
        goto cleanup;
    }
    if (*pw.user == '\0') {
        err = CREDSSP_S_BAD_NAME;
        goto cleanup;
    }
    cs_password_creds_clear(&c->pw);
    c->pw = pw;
    memset(&pw, 0, sizeof(pw));
    c->has_password = true;
    err = CS_OK;

cleanup:
    cs_password_creds_clear(&pw);
    return err;
}

cs_err
cs_cred_add_store(struct cs_cred *c, const char *key, const char *value)
{
    gss_key_value_element_desc *e;

    e = realloc(c->store.elements,
                (c->store.count + 1) * sizeof(*c->store.elements));
    if (e == NULL) {
        return CREDSSP_S_NOMEM;
    }
    c->store.elements = e;
    e += c->store.count;
    e->key = strdup(key);
    e->value = strdup(value);
    if (e->key == NULL || e->value == NULL) {
        free((char *)e->key);
        cs_str_free_secret((char *)e->value);
        return CREDSSP_S_NOMEM;
    }
    c->store.count++;
    return CS_OK;
}

/* release_inner: forgets the inner credential and TLS context. */
static void
release_inner(struct cs_cred *c)
{
    cs_inner_release_cred(&c->inner);
    SSL_CTX_free(c->ssl_ctx);
    c->ssl_ctx = NULL;
    c->finished = false;
}

/*
 * cs_cred_set_option: settings are fixed once cs_cred_finish has made the
 * credential's inner parts from them.  Its contexts read them without the
 * lock (only a finished credential is used), share the SSL_CTX and the
 * inner credential made from them, and may run in other threads: a change
 * then would free strings they read and either be ignored (the SSL_CTX
 * and inner credential were made) or pull those out from under them.
 * Copying settings per context would still leave the shared SSL_CTX and
 * inner credential (a Kerberos ticket per context otherwise); a clear
 * error costs nothing and tells the caller what happened.
 */
cs_err
cs_cred_set_option(struct cs_cred *c, const char *name, const char *value)
{
    cs_err err;

    pthread_mutex_lock(&c->lock);
    err = c->finished ? CREDSSP_S_CRED_IN_USE
                      : cs_settings_set(&c->set, name, value);
    pthread_mutex_unlock(&c->lock);
    return err;
}

cs_err
cs_cred_finish(struct cs_cred *c)
{
    gss_const_key_value_set_t store = c->store.count > 0 ? &c->store : NULL;
    cs_err err = CS_OK;

    pthread_mutex_lock(&c->lock);
    if (c->finished) {
        goto cleanup;
    }
    err = cs_settings_check(&c->set, c->usage == GSS_C_ACCEPT ? CS_ACCEPTOR
                                                              : CS_INITIATOR);
    if (err != CS_OK) {
        goto cleanup;
    }
    if (c->usage == GSS_C_ACCEPT) {
        err = cs_inner_acquire_acceptor(c->name, store, &c->inner,
                                        &c->inner_time);
        if (err == CS_OK) {
            err = cs_tls_server_ctx(&c->set.tls, c->set.cert_file,
                                    c->set.key_file, &c->ssl_ctx);
        }
    } else {
        err = cs_inner_acquire_initiator(
            c->name, c->has_password ? c->pw.password : NULL,
            c->set.inner_mode, store, &c->inner, &c->mode, &c->inner_time);
        if (err == CS_OK) {
            err = cs_tls_client_ctx(&c->set.tls, &c->ssl_ctx);
        }
    }
    if (err == CS_OK) {
        c->finished = true;
    }

cleanup:
    pthread_mutex_unlock(&c->lock);
    return err;
}

/* hex_decode: text of hex digit pairs into *out (secret): at least one
 * pair, and nothing but pairs of hex digits (OpenSSL checks the digits).
 * The bytes go straight into *out's new buffer, wiped if the text turns
 * out bad; OpenSSL's error for it is taken off its queue again, so that
 * no later TLS call sees it. */
static cs_err
hex_decode(const char *hex, cs_blob *out)
{
    size_t len = strlen(hex), n = 0;
    cs_blob b = { 0 };
    int ok;

    if (len == 0 || len % 2 != 0) {
        return CREDSSP_S_BAD_OPTION_VALUE;
    }
    b.data = malloc(len / 2);
    if (b.data == NULL) {
        return CREDSSP_S_NOMEM;
    }
    b.len = len / 2;
    ERR_set_mark();
    ok = OPENSSL_hexstr2buf_ex(b.data, b.len, &n, hex, '\0') == 1 &&
         n == b.len;
    ERR_pop_to_mark();
    if (!ok) {
        cs_blob_free_secret(&b);
        return CREDSSP_S_BAD_OPTION_VALUE;
    }
    cs_blob_free_secret(out);
    *out = b;
    return CS_OK;
}

/* creds_slot: the text field a smartcard_* / remote_guard_* key names. */
static char **
creds_slot(struct cs_tscredentials *t, const char *field)
{
    static const struct {
        const char *name;
        size_t off;
    } sc[] = {
        { "pin", offsetof(struct cs_smartcard_creds, pin) },
        { "card", offsetof(struct cs_smartcard_creds, csp_data.card_name) },
        { "reader",
          offsetof(struct cs_smartcard_creds, csp_data.reader_name) },
        { "container",
          offsetof(struct cs_smartcard_creds, csp_data.container_name) },
        { "csp", offsetof(struct cs_smartcard_creds, csp_data.csp_name) },
        { "user_hint", offsetof(struct cs_smartcard_creds, user_hint) },
        { "domain_hint", offsetof(struct cs_smartcard_creds, domain_hint) },
    };
    size_t i;

    if (t->cred_type == CS_CRED_REMOTE_GUARD) {
        return strcmp(field, "package") == 0
                   ? &t->u.remote_guard.logon_cred.package_name
                   : NULL;
    }
    for (i = 0; i < sizeof(sc) / sizeof(sc[0]); i++) {
        if (strcmp(field, sc[i].name) == 0) {
            return (char **)((char *)&t->u.smartcard + sc[i].off);
        }
    }
    return NULL;
}

cs_err
cs_cred_set_creds_key(struct cs_cred *c, const char *name, const char *value)
{
    enum cs_cred_type type, was;
    const char *field;
    char **slot, *copy;
    cs_err err = CS_OK;

    if (strncmp(name, "smartcard_", 10) == 0) {
        type = CS_CRED_SMARTCARD;
        field = name + 10;
    } else if (strncmp(name, "remote_guard_", 13) == 0) {
        type = CS_CRED_REMOTE_GUARD;
        field = name + 13;
    } else {
        return CREDSSP_S_UNSUPPORTED_OPTION;
    }
    if (c->usage != GSS_C_INITIATE) {
        return CREDSSP_S_WRONG_USAGE;
    }
    pthread_mutex_lock(&c->lock);
    was = c->send.cred_type;
    /* Fixed once used, as cs_cred_set_option says. */
    if (c->finished) {
        err = CREDSSP_S_CRED_IN_USE;
        goto cleanup;
    }
    /* One kind of credentials per handle. */
    if (c->send.cred_type != 0 && c->send.cred_type != type) {
        err = CREDSSP_S_BAD_OPTION_VALUE;
        goto cleanup;
    }
    /* The kind is taken with the first key it accepts: a refused call
     * leaves the handle as it was (cleanup). */
    c->send.cred_type = type;
    if (type == CS_CRED_SMARTCARD && strcmp(field, "key_spec") == 0) {
        char *end;
        long v = strtol(value, &end, 10);

        if (*value == '\0' || *end != '\0' || v < 0 || v > INT32_MAX) {
            err = CREDSSP_S_BAD_OPTION_VALUE;
        } else {
            c->send.u.smartcard.csp_data.key_spec = (int32_t)v;
        }
        goto cleanup;
    }
    if (type == CS_CRED_REMOTE_GUARD && strcmp(field, "buffer") == 0) {
        err = hex_decode(value,
                         &c->send.u.remote_guard.logon_cred.cred_buffer);
        goto cleanup;
    }
    slot = creds_slot(&c->send, field);
    if (slot == NULL) {
        err = CREDSSP_S_UNSUPPORTED_OPTION;
        goto cleanup;
    }
    copy = strdup(value);
    if (copy == NULL) {
        err = CREDSSP_S_NOMEM;
        goto cleanup;
    }
    cs_str_free_secret(*slot);
    *slot = copy;

cleanup:
    if (err != CS_OK) {
        c->send.cred_type = was;
    }
    pthread_mutex_unlock(&c->lock);
    return err;
}

cs_err
cs_cred_store_krb5(struct cs_cred *c, OM_uint32 overwrite,
                   OM_uint32 default_cred,
                   gss_const_key_value_set_t cred_store)
{
    if (!c->delegated || c->deleg.cred_type != CS_CRED_PASSWORD ||
        c->store_principal == NULL) {
        return CREDSSP_S_NO_DELEGATED_CREDS;
    }
    return cs_inner_store_krb5(c->store_principal,
                               c->deleg.u.password.password, overwrite,
                               default_cred, cred_store);
}

cs_err
cs_cred_delegated_password(struct cs_cred *c, const char *name,
                           const char *principal)
{
    const struct cs_password_creds *d = &c->deleg.u.password;
    cs_err err;

    err = cs_cred_set_password(c, name, d->password);
    if (err != CS_OK) {
        return err;
    }
    c->has_password = *d->password != '\0';
    c->store_principal = strdup(principal);
    if (c->store_principal == NULL) {
        return CREDSSP_S_NOMEM;
    }
    return cs_inner_user_name(name, &c->name);
}
