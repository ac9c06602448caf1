/* SPDX-License-Identifier: MIT */
/*
 * engine.c - CredSSP credentials and contexts, and what the two state
 * machines share: sending and receiving TSRequests, versions, errorCode.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "driver.h"
#include "engine.h"
#include "trace.h"

/* ---- credentials ---- */

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
    const struct cs_glue *g = cs_glue();
    OM_uint32 minor, i;

    if (c == NULL || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_SEQ_CST) > 0) {
        return;
    }
    if (g != NULL && c->name != GSS_C_NO_NAME) {
        g->release_name(&minor, &c->name);
    }
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
    const struct cs_glue *g = cs_glue();
    OM_uint32 minor;

    if (c->inner != GSS_C_NO_CREDENTIAL && g != NULL) {
        g->release_cred(&minor, &c->inner);
    }
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
    enum cs_cred_type type;
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
    pthread_mutex_unlock(&c->lock);
    return err;
}

/* store_fail: CREDSSP_S_STORE_FAILED, with krb5's words for why. */
static cs_err
store_fail(const char *principal, const char *step, OM_uint32 major,
           OM_uint32 minor)
{
    const struct cs_glue *g = cs_glue();
    gss_buffer_desc text = { 0, NULL };
    OM_uint32 ctx = 0, tmp;
    int type = minor != 0 ? GSS_C_MECH_CODE : GSS_C_GSS_CODE;

    if (g->display_status(&tmp, minor != 0 ? minor : major, type,
                          GSS_C_NO_OID, &ctx, &text) != GSS_S_COMPLETE) {
        text.length = 0;
    }
    cs_err_set_detail(CREDSSP_S_STORE_FAILED,
                      "SEC_E_NO_CREDENTIALS: no Kerberos ticket for %s, "
                      "the delegated user (%s): %.*s",
                      principal, step, (int)text.length,
                      text.length > 0 ? (char *)text.value : "unknown");
    CS_TRACE("%s", cs_err_detail(CREDSSP_S_STORE_FAILED));
    g->release_buffer(&tmp, &text);
    return CREDSSP_S_STORE_FAILED;
}

/* store_value: the value of key in a cred store, or NULL. */
static const char *
store_value(gss_const_key_value_set_t store, const char *key)
{
    OM_uint32 i;

    for (i = 0; store != NULL && i < store->count; i++) {
        if (strcmp(store->elements[i].key, key) == 0) {
            return store->elements[i].value;
        }
    }
    return NULL;
}

/* ccache_is_collection: whether a ccache name's type is a collection, in
 * which krb5's own store picks (or makes) the principal's own cache. */
static bool
ccache_is_collection(const char *name)
{
    static const char *const types[] = { "DIR:", "KEYRING:", "KCM:",
                                         "API:" };
    size_t i;

    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strncmp(name, types[i], strlen(types[i])) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * check_ccache: krb5's store replaces whatever a single-cache ccache
 * (FILE:, MEMORY:) held when asked to overwrite; a delegated ticket must
 * never replace another principal's.  CREDSSP_S_CCACHE_IN_USE when the
 * cache already holds credentials of a principal other than kcred's.
 */
static cs_err
check_ccache(gss_cred_id_t kcred, gss_const_key_value_set_t cred_store)
{
    const struct cs_glue *g = cs_glue();
    gss_OID_set_desc krb5 = { 1, (gss_OID)&cs_oid_krb5 };
    const char *cc = store_value(cred_store, "ccache");
    gss_key_value_element_desc e = { "ccache", cc };
    gss_key_value_set_desc only_cc = { 1, &e };
    gss_cred_id_t old = GSS_C_NO_CREDENTIAL;
    gss_name_t old_name = GSS_C_NO_NAME, new_name = GSS_C_NO_NAME;
    gss_buffer_desc t_old = { 0, NULL }, t_new = { 0, NULL };
    OM_uint32 major, minor, tmp;
    int same = 0;
    cs_err err = CS_OK;

    if (cc != NULL && ccache_is_collection(cc)) {
        return CS_OK;
    }
    major = cc != NULL
                ? g->acquire_cred_from(&minor, GSS_C_NO_NAME, 0, &krb5,
                                       GSS_C_INITIATE, &only_cc, &old, NULL,
                                       NULL)
                : g->acquire_cred(&minor, GSS_C_NO_NAME, 0, &krb5,
                                  GSS_C_INITIATE, &old, NULL, NULL);
    if (major != GSS_S_COMPLETE) {
        return CS_OK;             /* nothing there (or nothing readable) */
    }
    if (g->inquire_cred_by_mech(&minor, old, (gss_OID)&cs_oid_krb5,
                                &old_name, NULL, NULL, NULL) !=
            GSS_S_COMPLETE ||
        g->inquire_cred_by_mech(&minor, kcred, (gss_OID)&cs_oid_krb5,
                                &new_name, NULL, NULL, NULL) !=
            GSS_S_COMPLETE ||
        g->compare_name(&minor, old_name, new_name, &same) !=
            GSS_S_COMPLETE ||
        !same) {
        if (g->display_name(&tmp, old_name, &t_old, NULL) !=
            GSS_S_COMPLETE) {
            t_old.length = 0;
        }
        if (g->display_name(&tmp, new_name, &t_new, NULL) !=
            GSS_S_COMPLETE) {
            t_new.length = 0;
        }
        cs_err_set_detail(CREDSSP_S_CCACHE_IN_USE,
                          "SEC_E_WRONG_PRINCIPAL: the credential cache %s "
                          "holds credentials of %.*s, not of %.*s; they "
                          "were not replaced",
                          cc != NULL ? cc : "(the default)",
                          (int)t_old.length,
                          t_old.length > 0 ? (char *)t_old.value : "?",
                          (int)t_new.length,
                          t_new.length > 0 ? (char *)t_new.value : "?");
        CS_TRACE("%s", cs_err_detail(CREDSSP_S_CCACHE_IN_USE));
        err = CREDSSP_S_CCACHE_IN_USE;
    }
    g->release_buffer(&tmp, &t_old);
    g->release_buffer(&tmp, &t_new);
    g->release_name(&tmp, &old_name);
    g->release_name(&tmp, &new_name);
    g->release_cred(&tmp, &old);
    return err;
}

cs_err
cs_cred_store_krb5(struct cs_cred *c, OM_uint32 overwrite,
                   OM_uint32 default_cred,
                   gss_const_key_value_set_t cred_store)
{
    const struct cs_glue *g = cs_glue();
    const struct cs_password_creds *d = &c->deleg.u.password;
    const char *principal = c->store_principal;
    gss_OID_set_desc krb5 = { 1, (gss_OID)&cs_oid_krb5 };
    gss_buffer_desc text, pw, full = { 0, NULL };
    gss_name_t name = GSS_C_NO_NAME, mn = GSS_C_NO_NAME;
    gss_cred_id_t kcred = GSS_C_NO_CREDENTIAL;
    OM_uint32 major, minor = 0, tmp;
    char *shown = NULL;
    cs_err err;

    if (!c->delegated || c->deleg.cred_type != CS_CRED_PASSWORD ||
        principal == NULL) {
        return CREDSSP_S_NO_DELEGATED_CREDS;
    }
    pw.value = d->password;
    pw.length = strlen(d->password);
    /* The principal comes from the authenticated name, never from the
     * domain the client put in its credentials (cs_ident_names): the
     * realm, and so the KDC asked, is the one that authenticated it. */
    text.value = (void *)principal;
    text.length = strlen(principal);
    major = g->import_name(&minor, &text, (gss_OID)&cs_oid_nt_user_name,
                           &name);
    if (major == GSS_S_COMPLETE) {
        major = g->canonicalize_name(&minor, name, (gss_OID)&cs_oid_krb5,
                                     &mn);
    }
    if (major != GSS_S_COMPLETE) {
        err = store_fail(principal, "name", major, minor);
        goto cleanup;
    }
    /* With its realm (the default one when the name had none), for the
     * texts. */
    if (g->display_name(&tmp, mn, &full, NULL) == GSS_S_COMPLETE) {
        shown = strndup(full.value, full.length);
        g->release_buffer(&tmp, &full);
    }
    principal = shown != NULL ? shown : principal;
    major = g->acquire_cred_with_password(&minor, mn, &pw, 0, &krb5,
                                          GSS_C_INITIATE, &kcred, NULL,
                                          NULL);
    if (major != GSS_S_COMPLETE) {
        err = store_fail(principal, "initial ticket", major, minor);
        goto cleanup;
    }
    err = check_ccache(kcred, cred_store);
    if (err != CS_OK) {
        goto cleanup;
    }
    major = g->store_cred_into(&minor, kcred, GSS_C_INITIATE,
                               (gss_OID)&cs_oid_krb5, overwrite,
                               default_cred, cred_store, NULL, NULL);
    if (major == GSS_S_DUPLICATE_ELEMENT) {
        cs_err_set_detail(CREDSSP_S_CCACHE_IN_USE,
                          "SEC_E_WRONG_PRINCIPAL: the credential cache "
                          "already holds credentials of %s and "
                          "overwrite_cred was not set; they were not "
                          "replaced", principal);
        CS_TRACE("%s", cs_err_detail(CREDSSP_S_CCACHE_IN_USE));
        err = CREDSSP_S_CCACHE_IN_USE;
        goto cleanup;
    }
    if (major != GSS_S_COMPLETE) {
        err = store_fail(principal, "store", major, minor);
        goto cleanup;
    }
    CS_TRACE("delegated password: a ticket for %s stored", principal);
    err = CS_OK;

cleanup:
    g->release_cred(&tmp, &kcred);
    g->release_name(&tmp, &mn);
    g->release_name(&tmp, &name);
    free(shown);
    return err;
}

cs_err
cs_cred_delegated_password(struct cs_cred *c, const char *name,
                           const char *principal)
{
    const struct cs_glue *g = cs_glue();
    const struct cs_password_creds *d = &c->deleg.u.password;
    gss_buffer_desc text;
    OM_uint32 major, minor;
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
    text.value = (void *)name;
    text.length = strlen(name);
    major = g->import_name(&minor, &text, (gss_OID)&cs_oid_nt_user_name,
                           &c->name);
    return major == GSS_S_COMPLETE ? CS_OK : CREDSSP_S_BAD_NAME;
}

/* ---- contexts ---- */

/* make_nonce: RAND_bytes; in a configure --enable-fuzzing build only, a
 * fixed pattern, so that a fuzz input replays the same way. */
static int
make_nonce(uint8_t *out, size_t len)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    memset(out, 0x4e, len);
    return 1;
#else
    return RAND_bytes(out, (int)len);
#endif
}

cs_err
cs_ctx_new(enum cs_role role, struct cs_cred *cred, struct cs_ctx **out)
{
    struct cs_ctx *ctx = calloc(1, sizeof(*ctx));
    cs_err err;

    if (ctx == NULL) {
        return CREDSSP_S_NOMEM;
    }
    ctx->role = role;
    ctx->state = CS_ST_TLS;
    ctx->cred = cs_cred_ref(cred);
    ctx->target = GSS_C_NO_NAME;
    ctx->inner.ctx = GSS_C_NO_CONTEXT;
    ctx->inner.src_name = GSS_C_NO_NAME;
    ctx->inner.deleg_cred = GSS_C_NO_CREDENTIAL;
    ctx->our_version = cs_settings_max_version(&cred->set);
    if (role == CS_INITIATOR && ctx->our_version >= 5) {
        if (make_nonce(ctx->nonce, sizeof(ctx->nonce)) != 1) {
            err = CREDSSP_S_INTERNAL;
            goto fail;
        }
        ctx->have_nonce = true;
    }
    *out = ctx;
    return CS_OK;

fail:
    cs_ctx_free(ctx);
    return err;
}

void
cs_ctx_free(struct cs_ctx *ctx)
{
    const struct cs_glue *g = cs_glue();
    OM_uint32 minor;

    if (ctx == NULL) {
        return;
    }
    cs_inner_release(&ctx->inner);
    if (ctx->target != GSS_C_NO_NAME && g != NULL) {
        g->release_name(&minor, &ctx->target);
    }
    free(ctx->target_spn);
    free(ctx->target_host);
    cs_tls_free(ctx->tls);
    cs_blob_free(&ctx->server_key);
    cs_cred_unref(ctx->delegated);
    cs_cred_unref(ctx->cred);
    cs_wipe(ctx, sizeof(*ctx));
    free(ctx);
}

cs_err
cs_ctx_set_target(struct cs_ctx *ctx, gss_name_t target)
{
    const struct cs_glue *g = cs_glue();
    gss_buffer_desc text = { 0, NULL };
    gss_OID type = GSS_C_NO_OID;
    OM_uint32 major, minor;
    char *s = NULL, *sep, *at;
    cs_err err = CREDSSP_S_NOMEM;

    if (target == GSS_C_NO_NAME) {
        return CREDSSP_S_BAD_NAME;
    }
    major = g->duplicate_name(&minor, target, &ctx->target);
    if (major != GSS_S_COMPLETE) {
        return CREDSSP_S_BAD_NAME;
    }
    major = g->display_name(&minor, target, &text, &type);
    if (major != GSS_S_COMPLETE) {
        return CREDSSP_S_BAD_NAME;
    }
    s = strndup(text.value, text.length);
    g->release_buffer(&minor, &text);
    if (s == NULL) {
        goto cleanup;
    }
    /* "service@host" (host-based) or "service/host@REALM" (principal). */
    if (cs_oid_equal(type, &cs_oid_nt_hostbased_service)) {
        sep = strchr(s, '@');
    } else {
        at = strrchr(s, '@');
        if (at != NULL) {
            *at = '\0';
        }
        sep = strchr(s, '/');
    }
    if (sep != NULL) {
        *sep = '/';
        ctx->target_host = strdup(sep + 1);
    } else {
        ctx->target_host = strdup("");
    }
    ctx->target_spn = strdup(s);
    if (ctx->target_host == NULL || ctx->target_spn == NULL) {
        goto cleanup;
    }
    CS_TRACE("target %s, TLS server name %s", ctx->target_spn,
             *ctx->target_host ? ctx->target_host : "(none)");
    err = CS_OK;

cleanup:
    free(s);
    return err;
}

uint32_t
cs_ctx_version(const struct cs_ctx *ctx)
{
    if (ctx->peer_version == 0 || ctx->peer_version > ctx->our_version) {
        return ctx->our_version;
    }
    return ctx->peer_version;
}

/* version_has_error_code: [MS-CSSP] 2.2.1: errorCode in 3, 4 and 6. */
static bool
version_has_error_code(uint32_t v)
{
    return v == 3 || v == 4 || v >= 6;
}

/* note_msg: records what one TSRequest carried, for the trace. */
static void
note_msg(uint8_t *list, size_t *num, const struct cs_tsrequest *req)
{
    uint8_t m = cs_driver_fields(req);

    m |= req->has_error_code ? CS_MSG_ERROR : 0;
    m |= m == 0 ? CS_MSG_EMPTY : 0;
    m |= req->has_client_nonce ? CS_MSG_NONCE : 0;
    if (*num < CS_MAX_MSGS) {
        list[*num] = m;
    }
    (*num)++;
}

cs_err
cs_send_request(struct cs_ctx *ctx, struct cs_tsrequest *req)
{
    cs_blob der = { 0 };
    cs_err err;

    req->version = ctx->our_version;
    /* An initiator that takes no version below 5 anyway puts its nonce in
     * every message, as FreeRDP does: FreeRDP's server otherwise makes up
     * a nonce of its own for its replies (doc/design.md 3.9). */
    if (ctx->role == CS_INITIATOR && ctx->have_nonce &&
        !req->has_client_nonce && !req->has_error_code &&
        cs_settings_min_version(&ctx->cred->set, CS_INITIATOR) >= 5) {
        err = cs_blob_set(&req->client_nonce, ctx->nonce, CS_NONCE_LEN);
        if (err != CS_OK) {
            return err;
        }
        req->has_client_nonce = true;
    }
    err = cs_tsrequest_encode(req, &der);
    if (err == CS_OK) {
        err = cs_tls_write_message(ctx->tls, der.data, der.len);
    }
    if (err == CS_OK) {
        note_msg(ctx->sent, &ctx->num_sent, req);
        CS_TRACE("sent TSRequest v%u (%zu bytes):%s%s%s%s%s", req->version,
                 der.len, req->num_nego_tokens ? " negoTokens" : "",
                 req->has_pub_key_auth ? " pubKeyAuth" : "",
                 req->has_auth_info ? " authInfo" : "",
                 req->has_error_code ? " errorCode" : "",
                 req->has_client_nonce ? " clientNonce" : "");
    }
    cs_blob_free_secret(&der);
    return err;
}

cs_err
cs_send_error(struct cs_ctx *ctx, uint32_t ntstatus)
{
    struct cs_tsrequest req = { 0 };

    if (ctx->tls == NULL || ctx->peer_version == 0 ||
        !version_has_error_code(cs_ctx_version(ctx))) {
        return CS_OK;
    }
    req.has_error_code = true;
    req.error_code = ntstatus;
    CS_TRACE("sending errorCode 0x%08x", ntstatus);
    return cs_send_request(ctx, &req);
}

cs_err
cs_peer_error(uint32_t ntstatus)
{
    switch (ntstatus) {
    case CS_STATUS_LOGON_FAILURE:
    case CS_SEC_E_LOGON_DENIED:
        return CREDSSP_S_PEER_LOGON_FAILURE;
    case CS_STATUS_WRONG_PASSWORD:
        return CREDSSP_S_PEER_WRONG_PASSWORD;
    case CS_STATUS_PASSWORD_EXPIRED:
        return CREDSSP_S_PEER_PASSWORD_EXPIRED;
    case CS_STATUS_PASSWORD_MUST_CHANGE:
        return CREDSSP_S_PEER_PASSWORD_MUST_CHANGE;
    case CS_STATUS_ACCOUNT_DISABLED:
        return CREDSSP_S_PEER_ACCOUNT_DISABLED;
    case CS_STATUS_ACCOUNT_LOCKED_OUT:
        return CREDSSP_S_PEER_ACCOUNT_LOCKED;
    case CS_STATUS_ACCESS_DENIED:
        return CREDSSP_S_PEER_ACCESS_DENIED;
    case CS_STATUS_NOT_SUPPORTED:
        return CREDSSP_S_PEER_NOT_SUPPORTED;
    case CS_STATUS_NO_SUCH_PACKAGE:
        return CREDSSP_S_PEER_NO_COMMON_MECH;
    default:
        cs_err_set_detail(CREDSSP_S_PEER_ERROR,
                          "SEC_E_LOGON_DENIED: the peer reported an error: "
                          "errorCode 0x%08X", ntstatus);
        return CREDSSP_S_PEER_ERROR;
    }
}

/*
 * check_version: [MS-CSSP] 3.1.5: each side sends its own highest version;
 * the effective one is the lower.  A version that changes mid-exchange is
 * refused (as FreeRDP and sspi-rs do), and so is one below our floor.
 */
static cs_err
check_version(struct cs_ctx *ctx, uint32_t v)
{
    if (v == 0) {
        return CREDSSP_S_BAD_VERSION;
    }
    if (ctx->peer_version != 0 && v != ctx->peer_version) {
        CS_TRACE("peer version changed from %u to %u", ctx->peer_version, v);
        return CREDSSP_S_VERSION_CHANGED;
    }
    ctx->peer_version = v;
    if (cs_ctx_version(ctx) <
        cs_settings_min_version(&ctx->cred->set, ctx->role)) {
        CS_TRACE("peer version %u below our minimum %u", v,
                 cs_settings_min_version(&ctx->cred->set, ctx->role));
        return CREDSSP_S_VERSION_TOO_LOW;
    }
    return CS_OK;
}

/* check_nonce: clientNonce is 32 bytes and never changes; the acceptor
 * learns it, the initiator checks an echo against its own. */
static cs_err
check_nonce(struct cs_ctx *ctx, const struct cs_tsrequest *req)
{
    if (!req->has_client_nonce) {
        return CS_OK;
    }
    if (req->client_nonce.len != CS_NONCE_LEN) {
        return CREDSSP_S_BAD_NONCE;
    }
    if (ctx->have_nonce) {
        return CRYPTO_memcmp(ctx->nonce, req->client_nonce.data,
                             CS_NONCE_LEN) == 0
                   ? CS_OK
                   : CREDSSP_S_NONCE_CHANGED;
    }
    if (ctx->role == CS_INITIATOR) {
        return CREDSSP_S_NONCE_CHANGED;
    }
    memcpy(ctx->nonce, req->client_nonce.data, CS_NONCE_LEN);
    ctx->have_nonce = true;
    return CS_OK;
}

cs_err
cs_recv_request(struct cs_ctx *ctx, struct cs_tsrequest *req, bool *got)
{
    cs_blob msg = { 0 };
    cs_err err;

    err = cs_tls_read_message(ctx->tls, &msg, got);
    if (err != CS_OK || !*got) {
        return err;
    }
    err = cs_tsrequest_decode(msg.data, msg.len, req);
    cs_blob_free_secret(&msg);
    if (err != CS_OK) {
        CS_TRACE("received a TSRequest that does not decode");
        return err;
    }
    note_msg(ctx->recv, &ctx->num_recv, req);
    CS_TRACE("received TSRequest v%u:%s%s%s%s%s", req->version,
             req->num_nego_tokens ? " negoTokens" : "",
             req->has_pub_key_auth ? " pubKeyAuth" : "",
             req->has_auth_info ? " authInfo" : "",
             req->has_error_code ? " errorCode" : "",
             req->has_client_nonce ? " clientNonce" : "");
    err = check_version(ctx, req->version);
    if (err == CS_OK && req->has_error_code) {
        CS_TRACE("peer errorCode 0x%08x", req->error_code);
        err = version_has_error_code(cs_ctx_version(ctx))
                  ? cs_peer_error(req->error_code)
                  : CREDSSP_S_UNEXPECTED_MESSAGE;
    }
    if (err == CS_OK) {
        err = check_nonce(ctx, req);
    }
    if (err == CS_OK && req->num_nego_tokens > 1) {
        err = CREDSSP_S_UNEXPECTED_MESSAGE;
    }
    if (err != CS_OK) {
        cs_tsrequest_clear(req);
    }
    return err;
}

#define N CS_MSG_NEGO
#define P CS_MSG_PUBKEY
#define A CS_MSG_AUTHINFO
const struct cs_flow cs_flows[] = {
    /* Raw NTLM: NEGOTIATE, CHALLENGE, AUTHENTICATE with pubKeyAuth. */
    { "ntlm", { N, N | P, A }, { N, P } },
    /* Kerberos with mutual authentication (raw or in SPNEGO): AP-REQ,
     * AP-REP, then the pubKeyAuth pair. */
    { "kerberos", { N, P, A }, { N, P } },
    /* SPNEGO with NTLM: the server's last token (mechListMIC) rides with
     * its pubKeyAuth. */
    { "spnego-ntlm", { N, N | P, A }, { N, N | P } },
    /* The same, from a client that waits for the mechListMIC first. */
    { "spnego-ntlm-mic-first", { N, N, P, A }, { N, N, P } },
    { NULL, { 0 }, { 0 } }
};
#undef N
#undef P
#undef A

/* same_msgs: whether a trace equals a table row (nonce bits ignored). */
static bool
same_msgs(const uint8_t *got, size_t num, const uint8_t *want)
{
    size_t i;

    for (i = 0; i < CS_MAX_MSGS; i++) {
        uint8_t g = i < num ? (uint8_t)(got[i] & ~CS_MSG_NONCE) : 0;

        if (g != want[i]) {
            return false;
        }
    }
    return num <= CS_MAX_MSGS;
}

const struct cs_flow *
cs_ctx_flow(const struct cs_ctx *ctx)
{
    bool ini = ctx->role == CS_INITIATOR;
    const uint8_t *c = ini ? ctx->sent : ctx->recv;
    const uint8_t *s = ini ? ctx->recv : ctx->sent;
    size_t nc = ini ? ctx->num_sent : ctx->num_recv;
    size_t ns = ini ? ctx->num_recv : ctx->num_sent;
    const struct cs_flow *f;

    /* GS2: any flow of the table, then the acceptor's confirmation. */
    if (ctx->gs2) {
        if (ns == 0 || ns > CS_MAX_MSGS ||
            (s[ns - 1] & ~CS_MSG_NONCE) != CS_MSG_EMPTY) {
            return NULL;
        }
        ns--;
    }
    for (f = cs_flows; f->name != NULL; f++) {
        if (same_msgs(c, nc, f->client) && same_msgs(s, ns, f->server)) {
            return f;
        }
    }
    return NULL;
}

/* error_status: the NTSTATUS we tell the peer for one of our failures, or
 * 0 when nothing should be sent (the error table, src/err.c). */
static uint32_t
error_status(cs_err err)
{
    const struct cs_err_info *e = cs_err_info(err);

    return e != NULL ? e->ntstatus : 0;
}

/*
 * ends_with_denial: whether an acceptor's failure is a refused logon,
 * which ends, as on Windows, with a fatal access_denied alert after the
 * errorCode (where the version has one): the client learns that the
 * server said no (Impacket prints "Access Denied" only for an alert that
 * names a denial) rather than seeing the connection drop.
 */
static bool
ends_with_denial(const struct cs_ctx *ctx, cs_err err, uint32_t status)
{
    return ctx->role == CS_ACCEPTOR && ctx->tls != NULL &&
           (status == CS_STATUS_LOGON_FAILURE ||
            status == CS_STATUS_NO_SUCH_PACKAGE ||
            err == CREDSSP_S_NTLM_MIC_NO_VERSION);
}

/* sends_nothing: failures after which the peer gets no token at all, not
 * even our TLS Finished: a server whose certificate failed validation. */
static bool
sends_nothing(cs_err err)
{
    return err == CREDSSP_S_UNTRUSTED_CERT ||
           err == CREDSSP_S_WRONG_PRINCIPAL;
}

/*
 * feed_records: gives the input to TLS one record at a time and runs the
 * driver (driver.h) after each, as a stream.  A peer that sends a second
 * TSRequest before our answer to the first broke the one-message-per-leg
 * rule: CREDSSP_S_SPLIT_RECORD.  Records after the one that completes the
 * context are not ours: they are left unconsumed (SSPI's SECBUFFER_EXTRA)
 * and their size kept for GSS_CREDSSP_INQ_EXTRA.
 */
static cs_err
feed_records(struct cs_ctx *ctx, const uint8_t *in, size_t in_len,
             bool *done)
{
    static const uint8_t none[1];
    size_t off = 0, sent_before = ctx->num_sent;
    cs_err err = CS_OK;

    /* The initiator's first call has no token (NULL): in + 0 on a null
     * pointer is undefined behaviour. */
    if (in == NULL) {
        in = none;
    }
    ctx->extra = 0;
    do {
        size_t rec = in_len == 0 ? 0 : 5 + ((size_t)in[off + 3] << 8 |
                                            (size_t)in[off + 4]);

        if (ctx->num_sent != sent_before) {
            CS_TRACE("peer sent more after a message we answered");
            return CREDSSP_S_SPLIT_RECORD;
        }
        err = cs_tls_feed(ctx->tls, in + off, rec);
        if (err == CS_OK) {
            err = cs_drive(ctx, done);
        }
        off += rec;
    } while (err == CS_OK && !*done && off < in_len);
    if (err == CS_OK && *done && off < in_len) {
        ctx->extra = in_len - off;
        CS_TRACE("%zu bytes after the last message left to the caller",
                 ctx->extra);
    }
    return err;
}

cs_err
cs_ctx_step(struct cs_ctx *ctx, const uint8_t *in, size_t in_len,
            cs_blob *out, bool *done)
{
    const struct cs_settings *s = &ctx->cred->set;
    size_t missing = 0;
    uint32_t status;
    cs_err err;

    *done = false;
    if (ctx->state == CS_ST_DONE || ctx->state == CS_ST_FAILED) {
        return CREDSSP_S_BAD_HANDLE;
    }
    /* The limits come before anything looks at the bytes. */
    if (in_len > (s->max_token != 0 ? s->max_token : CS_DEFAULT_MAX_TOKEN)) {
        CS_TRACE("token of %zu bytes refused by max_token_size", in_len);
        err = CREDSSP_S_TOKEN_TOO_LARGE;
        goto fail;
    }
    if (++ctx->legs > (s->max_legs != 0 ? s->max_legs
                                        : CS_DEFAULT_MAX_LEGS)) {
        CS_TRACE("leg %u refused by max_legs", ctx->legs);
        err = CREDSSP_S_TOO_MANY_LEGS;
        goto fail;
    }
    err = cs_tls_check_records(in, in_len, &missing);
    if (err == CREDSSP_S_INCOMPLETE_MESSAGE) {
        /* SEC_E_INCOMPLETE_MESSAGE: nothing consumed, context intact. */
        ctx->legs--;
        ctx->missing = missing;
        CS_TRACE("incomplete TLS record: %zu bytes missing", missing);
        return err;
    }
    ctx->missing = 0;
    if (err != CS_OK) {
        goto fail;
    }
    if (ctx->tls == NULL) {
        err = cs_tls_new(ctx->cred->ssl_ctx, ctx->role == CS_ACCEPTOR,
                         ctx->target_host, &ctx->tls);
        if (err != CS_OK) {
            goto fail;
        }
    }
    err = feed_records(ctx, in, in_len, done);
    if (err != CS_OK) {
        goto fail;
    }
    err = cs_tls_take_output(ctx->tls, out);
    if (err == CS_OK && out->len == 0 && !*done && in_len > 0 &&
        ctx->role == CS_ACCEPTOR) {
        err = cs_acceptor_idle(ctx, out);
    }
    if (err != CS_OK) {
        goto fail;
    }
    if (*done) {
        const struct cs_flow *f = cs_ctx_flow(ctx);

        ctx->state = CS_ST_DONE;
        /* An idle established context keeps only what it still needs:
         * the inner context (and gss-ntlmssp's per-context conversion
         * handles) goes (doc/performance.md, memory), and so does the
         * write secret kept for a refused logon's alert. */
        cs_inner_drop(&ctx->inner);
        cs_tls_drop_alert_keys(ctx->tls);
        CS_TRACE("%s complete: message flow %s%s",
                 ctx->role == CS_INITIATOR ? "initiator" : "acceptor",
                 f != NULL ? f->name : "NOT IN TABLE",
                 ctx->gs2 ? " + GS2 confirmation" : "");
    }
    return CS_OK;

fail:
    CS_TRACE("context failed: %s", cs_err_text(err));
    ctx->state = CS_ST_FAILED;
    status = error_status(err);
    /* ISC_REQ_EXTENDED_ERROR: tell the peer, where the version lets us
     * (and a TLS alert: OpenSSL's during the handshake, access_denied
     * for a refused logon).  If that fails there is just no token; our
     * own failure stays the one reported. */
    cs_blob_free(out);
    if (ctx->tls != NULL && !sends_nothing(err) &&
        (status == 0 || cs_send_error(ctx, status) == CS_OK) &&
        (!ends_with_denial(ctx, err, status) ||
         cs_tls_deny(ctx->tls) == CS_OK) &&
        cs_tls_take_output(ctx->tls, out) != CS_OK) {
        cs_blob_free(out);
    }
    return err;
}
