/* SPDX-License-Identifier: MIT */
/*
 * gss_creds.c - CredSSP credentials: acquire (plain, from a cred store,
 * with a password), release, inquire, options, and the delegated
 * credential inquiry.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mech.h"
#include "trace.h"

#define STORE_PREFIX "credssp_"

/*
 * name_text: the display text of a union name, for user and domain.
 */
static cs_err
name_text(gss_name_t name, char **out)
{
    const struct cs_glue *g = cs_glue();
    gss_buffer_desc buf = { 0, NULL };
    OM_uint32 minor;
    char *s;

    if (name == GSS_C_NO_NAME ||
        g->display_name(&minor, name, &buf, NULL) != GSS_S_COMPLETE) {
        return CREDSSP_S_BAD_NAME;
    }
    s = strndup(buf.value, buf.length);
    g->release_buffer(&minor, &buf);
    *out = s;
    return s != NULL ? CS_OK : CREDSSP_S_NOMEM;
}

/* set_key: one of our keys (without "credssp_"): a setting, or smart
 * card / Remote Guard credentials; both under the credential's lock, and
 * refused once it is in use.  A key that shipped under an older name
 * (credssp_mech, credssp_cert, ...) still works; the trace says which
 * name to use. */
static cs_err
set_key(struct cs_cred *c, const char *name, const char *value)
{
    const char *now = cs_settings_renamed(name);
    cs_err err;

    if (now != NULL) {
        CS_TRACE("cred-store key %s%s is deprecated: use %s%s", STORE_PREFIX,
                 name, STORE_PREFIX, now);
        name = now;
    }
    err = cs_cred_set_creds_key(c, name, value);
    if (err == CREDSSP_S_UNSUPPORTED_OPTION) {
        err = cs_cred_set_option(c, name, value);
    }
    if (err == CREDSSP_S_UNSUPPORTED_OPTION) {
        CS_TRACE("unknown cred-store key %s%s", STORE_PREFIX, name);
    }
    return err;
}

/*
 * apply_store: our "credssp_" keys become settings (an unknown one is an
 * error, never ignored); the rest are kept for the inner mechs.  The
 * password and user keys come back through *password / *user.
 */
static cs_err
apply_store(struct cs_cred *c, gss_const_key_value_set_t store,
            const char **password, const char **user)
{
    cs_err err = CS_OK;
    OM_uint32 i;

    for (i = 0; store != NULL && i < store->count && err == CS_OK; i++) {
        const char *key = store->elements[i].key;
        const char *value = store->elements[i].value;

        if (key == NULL || value == NULL) {
            err = CREDSSP_S_BAD_ARGS;
        } else if (strcmp(key, GSS_CREDSSP_STORE_PASSWORD) == 0) {
            *password = value;
        } else if (strcmp(key, GSS_CREDSSP_STORE_USER) == 0) {
            *user = value;
        } else if (strncmp(key, STORE_PREFIX, strlen(STORE_PREFIX)) == 0) {
            err = set_key(c, key + strlen(STORE_PREFIX), value);
        } else {
            err = cs_cred_add_store(c, key, value);
        }
    }
    return err;
}

/*
 * initiator_life: an initiator credential's lifetime.  With a password
 * it has none (tickets are got again from it); without one it is the
 * inner credential's, once that is made (a ticket cache's TGT: 0 once it
 * expired); before, nothing is known yet.
 */
static OM_uint32
initiator_life(struct cs_cred *c)
{
    OM_uint32 life = GSS_C_INDEFINITE;

    pthread_mutex_lock(&c->lock);
    if (!c->has_password && c->finished) {
        life = cs_inner_cred_lifetime(c->inner);
    }
    pthread_mutex_unlock(&c->lock);
    return life;
}

/*
 * acquire: what the three acquire calls share.  The inner credentials and
 * the TLS context are acquired at first use, so that options set on the
 * handle afterwards still count; except for a GSS_CREDSSP_GS2_MECH
 * initiator credential without a password, whose inner credential must be
 * there now: SASL GS2 clients ask the user for a password exactly when
 * this call fails.
 */
static OM_uint32
acquire(OM_uint32 *minor_status, gss_name_t desired_name,
        const gss_buffer_t password, gss_OID_set desired_mechs,
        gss_cred_usage_t usage, gss_const_key_value_set_t store,
        gss_cred_id_t *output_cred_handle, gss_OID_set *actual_mechs,
        OM_uint32 *time_rec)
{
    const struct cs_glue *g = cs_mech_glue(minor_status);
    const gss_OID_desc *mech = NULL;
    struct cs_cred *c = NULL;
    const char *store_pw = NULL, *store_user = NULL;
    char *pw = NULL, *text = NULL;
    OM_uint32 major = GSS_S_FAILURE, minor;
    cs_err err;

    if (g == NULL) {
        return GSS_S_FAILURE;
    }
    if (output_cred_handle == NULL) {
        *minor_status = CREDSSP_S_BAD_ARGS;
        return GSS_S_CALL_INACCESSIBLE_WRITE;
    }
    *output_cred_handle = GSS_C_NO_CREDENTIAL;
    if (usage != GSS_C_INITIATE && usage != GSS_C_ACCEPT) {
        /* An initiator's credential (a password or a ticket cache) and
         * an acceptor's (a certificate and a keytab) share nothing. */
        cs_err_set_detail(CREDSSP_S_WRONG_USAGE,
                          "SEC_E_INVALID_HANDLE: a CredSSP credential "
                          "serves one role: acquire it with "
                          "GSS_C_INITIATE or GSS_C_ACCEPT, not "
                          "GSS_C_BOTH (python-gssapi: usage='initiate' "
                          "or usage='accept')");
        err = CREDSSP_S_WRONG_USAGE;
        goto cleanup;
    }
    err = cs_cred_new(usage, &c);
    if (err != CS_OK) {
        goto cleanup;
    }
    err = apply_store(c, store, &store_pw, &store_user);
    if (err != CS_OK) {
        goto cleanup;
    }
    if (desired_name != GSS_C_NO_NAME) {
        if (g->duplicate_name(&minor, desired_name, &c->name) !=
            GSS_S_COMPLETE) {
            err = CREDSSP_S_BAD_NAME;
            goto cleanup;
        }
    } else if (store_user != NULL) {
        gss_buffer_desc ubuf = { strlen(store_user), (void *)store_user };

        if (g->import_name(&minor, &ubuf, (gss_OID)&cs_oid_nt_user_name,
                           &c->name) != GSS_S_COMPLETE) {
            err = CREDSSP_S_BAD_NAME;
            goto cleanup;
        }
    }
    if (password != GSS_C_NO_BUFFER || store_pw != NULL) {
        if (usage != GSS_C_INITIATE) {
            err = CREDSSP_S_WRONG_USAGE;
            goto cleanup;
        }
        if (store_pw != NULL) {
            pw = strdup(store_pw);
        } else {
            pw = malloc(password->length + 1);
            if (pw != NULL) {
                memcpy(pw, password->value, password->length);
                pw[password->length] = '\0';
            }
        }
        if (pw == NULL) {
            err = CREDSSP_S_NOMEM;
            goto cleanup;
        }
        if (strlen(pw) != (store_pw ? strlen(store_pw) : password->length)) {
            err = CREDSSP_S_BAD_ARGS;     /* an embedded NUL */
            goto cleanup;
        }
        err = name_text(c->name, &text);
        if (err == CS_OK) {
            err = cs_cred_set_password(c, text, pw);
        }
        if (err != CS_OK) {
            goto cleanup;
        }
    }
    /* The mechglue asks for one mechanism at a time, by its OID. */
    if (desired_mechs != GSS_C_NO_OID_SET && desired_mechs->count == 1) {
        mech = cs_mech_oid(&desired_mechs->elements[0]);
    }
    if (mech == NULL) {
        mech = &cs_oid_credssp;
    }
    if (mech == &cs_oid_credssp_gs2 && usage == GSS_C_INITIATE &&
        !c->has_password) {
        err = cs_cred_finish(c);
        if (err != CS_OK) {
            goto cleanup;
        }
    }
    if (actual_mechs != NULL) {
        if (g->create_empty_oid_set(&minor, actual_mechs) != GSS_S_COMPLETE ||
            g->add_oid_set_member(&minor, (gss_OID)mech, actual_mechs) !=
                GSS_S_COMPLETE) {
            err = CREDSSP_S_NOMEM;
            goto cleanup;
        }
    }
    if (time_rec != NULL) {
        *time_rec = usage == GSS_C_INITIATE ? initiator_life(c)
                                            : GSS_C_INDEFINITE;
    }
    *output_cred_handle = (gss_cred_id_t)c;
    c = NULL;
    major = GSS_S_COMPLETE;

cleanup:
    if (major != GSS_S_COMPLETE) {
        major = cs_status(minor_status, err);
    } else {
        *minor_status = 0;
    }
    cs_str_free_secret(pw);
    free(text);
    cs_cred_unref(c);
    return major;
}

CS_EXPORT OM_uint32
gss_acquire_cred(OM_uint32 *minor_status, gss_name_t desired_name,
                 OM_uint32 time_req, gss_OID_set desired_mechs,
                 gss_cred_usage_t cred_usage,
                 gss_cred_id_t *output_cred_handle, gss_OID_set *actual_mechs,
                 OM_uint32 *time_rec)
{
    return acquire(minor_status, desired_name, GSS_C_NO_BUFFER,
                   desired_mechs, cred_usage, NULL, output_cred_handle,
                   actual_mechs, time_rec);
}

CS_EXPORT OM_uint32
gss_acquire_cred_from(OM_uint32 *minor_status, gss_name_t desired_name,
                      OM_uint32 time_req, gss_OID_set desired_mechs,
                      gss_cred_usage_t cred_usage,
                      gss_const_key_value_set_t cred_store,
                      gss_cred_id_t *output_cred_handle,
                      gss_OID_set *actual_mechs, OM_uint32 *time_rec)
{
    return acquire(minor_status, desired_name, GSS_C_NO_BUFFER,
                   desired_mechs, cred_usage, cred_store, output_cred_handle,
                   actual_mechs, time_rec);
}

CS_EXPORT OM_uint32
gssspi_acquire_cred_with_password(OM_uint32 *minor_status,
                                  const gss_name_t desired_name,
                                  const gss_buffer_t password,
                                  OM_uint32 time_req,
                                  const gss_OID_set desired_mechs,
                                  int cred_usage,
                                  gss_cred_id_t *output_cred_handle,
                                  gss_OID_set *actual_mechs,
                                  OM_uint32 *time_rec)
{
    if (password == GSS_C_NO_BUFFER || desired_name == GSS_C_NO_NAME) {
        *minor_status = CREDSSP_S_BAD_NAME;
        return GSS_S_BAD_NAME;
    }
    return acquire(minor_status, desired_name, password, desired_mechs,
                   cred_usage, NULL, output_cred_handle, actual_mechs,
                   time_rec);
}

CS_EXPORT OM_uint32
gss_release_cred(OM_uint32 *minor_status, gss_cred_id_t *cred_handle)
{
    *minor_status = 0;
    if (cred_handle == NULL) {
        return GSS_S_CALL_INACCESSIBLE_WRITE;
    }
    cs_cred_unref((struct cs_cred *)*cred_handle);
    *cred_handle = GSS_C_NO_CREDENTIAL;
    return GSS_S_COMPLETE;
}

/*
 * inquire_by_mech: what gss_inquire_cred and gss_inquire_cred_by_mech
 * share.  (gss_inquire_cred must not call the exported name: inside the
 * plugin it would bind to the mechglue's function of that name.)
 */
static OM_uint32
inquire_by_mech(OM_uint32 *minor_status, gss_cred_id_t cred_handle,
                gss_name_t *name, OM_uint32 *initiator_lifetime,
                OM_uint32 *acceptor_lifetime, gss_cred_usage_t *cred_usage)
{
    const struct cs_glue *g = cs_mech_glue(minor_status);
    struct cs_cred *c = (struct cs_cred *)cred_handle;

    if (g == NULL) {
        return GSS_S_FAILURE;
    }
    if (c == NULL) {
        *minor_status = CREDSSP_S_BAD_HANDLE;
        return GSS_S_NO_CRED;
    }
    *minor_status = 0;
    if (name != NULL) {
        *name = GSS_C_NO_NAME;
        if (c->name != GSS_C_NO_NAME) {
            if (g->duplicate_name(minor_status, c->name, name) !=
                GSS_S_COMPLETE) {
                return GSS_S_FAILURE;
            }
        } else if (c->usage == GSS_C_INITIATE) {
            /* A default credential: the name of the inner one (the
             * ccache's principal, NTLM_USER_FILE's user), as a SASL GS2
             * client asks for it. */
            cs_err err = cs_cred_finish(c);

            if (err != CS_OK) {
                return cs_status(minor_status, err);
            }
            *name = cs_inner_cred_name(c->inner);
        }
    }
    if (initiator_lifetime != NULL) {
        *initiator_lifetime =
            c->usage == GSS_C_INITIATE ? initiator_life(c) : 0;
    }
    if (acceptor_lifetime != NULL) {
        *acceptor_lifetime = c->usage == GSS_C_ACCEPT ? GSS_C_INDEFINITE : 0;
    }
    if (cred_usage != NULL) {
        *cred_usage = c->usage;
    }
    return GSS_S_COMPLETE;
}

CS_EXPORT OM_uint32
gss_inquire_cred_by_mech(OM_uint32 *minor_status, gss_cred_id_t cred_handle,
                         gss_OID mech_type, gss_name_t *name,
                         OM_uint32 *initiator_lifetime,
                         OM_uint32 *acceptor_lifetime,
                         gss_cred_usage_t *cred_usage)
{
    return inquire_by_mech(minor_status, cred_handle, name,
                           initiator_lifetime, acceptor_lifetime, cred_usage);
}

CS_EXPORT OM_uint32
gss_inquire_cred(OM_uint32 *minor_status, gss_cred_id_t cred_handle,
                 gss_name_t *name, OM_uint32 *lifetime,
                 gss_cred_usage_t *cred_usage, gss_OID_set *mechanisms)
{
    const struct cs_glue *g = cs_mech_glue(minor_status);
    OM_uint32 major, init_life = 0, acc_life = 0, tmp;

    if (g == NULL) {
        return GSS_S_FAILURE;
    }
    major = inquire_by_mech(minor_status, cred_handle, name, &init_life,
                            &acc_life, cred_usage);
    if (major != GSS_S_COMPLETE) {
        return major;
    }
    if (lifetime != NULL) {
        *lifetime = init_life > acc_life ? init_life : acc_life;
    }
    if (mechanisms != NULL) {
        major = g->create_empty_oid_set(minor_status, mechanisms);
        if (major == GSS_S_COMPLETE) {
            major = g->add_oid_set_member(minor_status,
                                          (gss_OID)&cs_oid_credssp,
                                          mechanisms);
        }
        if (major != GSS_S_COMPLETE && name != NULL) {
            g->release_name(&tmp, name);
        }
    }
    return major;
}

/* Each option OID and the setting it changes. */
static const struct {
    const gss_OID_desc *oid;
    const char *setting;
} options[] = {
    { &gss_credssp_opt_inner_mech_desc, "inner_mech" },
    { &gss_credssp_opt_min_version_desc, "min_version" },
    { &gss_credssp_opt_max_version_desc, "max_version" },
    { &gss_credssp_opt_tls_max_desc, "tls_max_version" },
    { &gss_credssp_opt_ntlm_deleg_desc, "allow_delegation_ntlm_only" },
    { &gss_credssp_opt_frame_desc, "frame_initial_token" },
    { &gss_credssp_opt_oracle_desc, "encryption_oracle" },
    { &gss_credssp_opt_restricted_admin_desc, "restricted_admin" },
    { &gss_credssp_opt_verify_cert_desc, "verify_certificate" },
    { &gss_credssp_opt_ca_file_desc, "ca_file" },
    { &gss_credssp_opt_tls_min_desc, "tls_min_version" },
    { &gss_credssp_opt_tls_cipher_list_desc, "tls_cipher_list" },
    { &gss_credssp_opt_tls_ciphersuites_desc, "tls_ciphersuites" },
    { &gss_credssp_opt_max_token_desc, "max_token_size" },
    { &gss_credssp_opt_max_legs_desc, "max_legs" },
    { &gss_credssp_opt_other_user_desc, "allow_other_user_delegation" },
};

/* set_store_key: GSS_CREDSSP_OPT_STORE_KEY: "credssp_KEY=VALUE", as if
 * the cred store had held it.  The value may be a secret (a PIN): the
 * copy is wiped. */
static cs_err
set_store_key(struct cs_cred *c, const gss_buffer_t value)
{
    char *text, *eq;
    cs_err err;

    if (value == GSS_C_NO_BUFFER || value->length == 0 ||
        value->length > 65536) {
        return CREDSSP_S_BAD_OPTION_VALUE;
    }
    text = malloc(value->length + 1);
    if (text == NULL) {
        return CREDSSP_S_NOMEM;
    }
    memcpy(text, value->value, value->length);
    text[value->length] = '\0';
    eq = strlen(text) == value->length ? strchr(text, '=') : NULL;
    if (eq != NULL) {
        *eq = '\0';
    }
    /* The user and the password are the acquire calls' business. */
    if (eq == NULL || strncmp(text, STORE_PREFIX, strlen(STORE_PREFIX)) != 0 ||
        strcmp(text, GSS_CREDSSP_STORE_PASSWORD) == 0 ||
        strcmp(text, GSS_CREDSSP_STORE_USER) == 0) {
        err = CREDSSP_S_BAD_OPTION_VALUE;
    } else {
        err = set_key(c, text + strlen(STORE_PREFIX), eq + 1);
    }
    /* The option is ours, its value names no key: a bad value.  (The
     * mechglue's gss_set_cred_option drops the minor status of a mech
     * that answers GSS_S_UNAVAILABLE, so the caller would learn nothing.) */
    if (err == CREDSSP_S_UNSUPPORTED_OPTION) {
        err = CREDSSP_S_BAD_OPTION_VALUE;
    }
    cs_wipe(text, value->length);
    free(text);
    return err;
}

CS_EXPORT OM_uint32
gssspi_set_cred_option(OM_uint32 *minor_status, gss_cred_id_t *cred_handle,
                       const gss_OID desired_object, const gss_buffer_t value)
{
    struct cs_cred *c;
    char *text;
    cs_err err = CREDSSP_S_UNSUPPORTED_OPTION;
    size_t i;

    if (cred_handle == NULL || *cred_handle == GSS_C_NO_CREDENTIAL) {
        *minor_status = CREDSSP_S_BAD_HANDLE;
        return GSS_S_NO_CRED;
    }
    c = (struct cs_cred *)*cred_handle;
    if (cs_oid_equal(desired_object, GSS_CREDSSP_OPT_STORE_KEY)) {
        return cs_status(minor_status, set_store_key(c, value));
    }
    for (i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
        if (!cs_oid_equal(desired_object, options[i].oid)) {
            continue;
        }
        if (value == GSS_C_NO_BUFFER || value->length == 0 ||
            value->length > 1024) {
            err = CREDSSP_S_BAD_OPTION_VALUE;
            break;
        }
        text = malloc(value->length + 1);
        if (text == NULL) {
            err = CREDSSP_S_NOMEM;
            break;
        }
        memcpy(text, value->value, value->length);
        text[value->length] = '\0';
        err = strlen(text) == value->length
                  ? cs_cred_set_option(c, options[i].setting, text)
                  : CREDSSP_S_BAD_OPTION_VALUE;
        free(text);
        break;
    }
    return cs_status(minor_status, err);
}

/* The buffers a delegated-credential inquiry returns, in order. */
struct parts {
    size_t n;
    struct {
        const void *p;
        size_t len;
    } e[32];
    char key_spec[16];
};

static void
add_part(struct parts *ps, const void *p, size_t len)
{
    if (ps->n < sizeof(ps->e) / sizeof(ps->e[0])) {
        ps->e[ps->n].p = p;
        ps->e[ps->n].len = len;
        ps->n++;
    }
}

static void
add_str(struct parts *ps, const char *s)
{
    add_part(ps, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

/* deleg_parts: what the inquiry oid returns of delegated credentials t;
 * false when t is not of the kind oid asks for. */
static bool
deleg_parts(const struct cs_tscredentials *t, gss_const_OID oid,
            struct parts *ps)
{
    const struct cs_smartcard_creds *sc = &t->u.smartcard;
    const struct cs_remote_guard_creds *rg = &t->u.remote_guard;
    size_t i;

    if (t->cred_type == CS_CRED_PASSWORD &&
        cs_oid_equal(oid, GSS_CREDSSP_CRED_DELEGATED_PASSWORD)) {
        add_str(ps, t->u.password.domain);
        add_str(ps, t->u.password.user);
        add_str(ps, t->u.password.password);
        return true;
    }
    if (t->cred_type == CS_CRED_SMARTCARD &&
        cs_oid_equal(oid, GSS_CREDSSP_CRED_DELEGATED_SMARTCARD)) {
        snprintf(ps->key_spec, sizeof(ps->key_spec), "%d",
                 (int)sc->csp_data.key_spec);
        add_str(ps, sc->pin);
        add_str(ps, ps->key_spec);
        add_str(ps, sc->csp_data.card_name);
        add_str(ps, sc->csp_data.reader_name);
        add_str(ps, sc->csp_data.container_name);
        add_str(ps, sc->csp_data.csp_name);
        add_str(ps, sc->user_hint);
        add_str(ps, sc->domain_hint);
        return true;
    }
    if (t->cred_type == CS_CRED_REMOTE_GUARD &&
        cs_oid_equal(oid, GSS_CREDSSP_CRED_DELEGATED_REMOTE_GUARD)) {
        add_str(ps, rg->logon_cred.package_name);
        add_part(ps, rg->logon_cred.cred_buffer.data,
                 rg->logon_cred.cred_buffer.len);
        for (i = 0; i < rg->num_supplemental; i++) {
            add_str(ps, rg->supplemental[i].package_name);
            add_part(ps, rg->supplemental[i].cred_buffer.data,
                     rg->supplemental[i].cred_buffer.len);
        }
        return true;
    }
    return false;
}

/*
 * gss_inquire_cred_by_oid: on a delegated credential handle, what the
 * initiator sent: DELEGATED_PASSWORD, _SMARTCARD or _REMOTE_GUARD, each
 * for its own kind (the header lists the buffers).  They hold secrets.
 */
CS_EXPORT OM_uint32
gss_inquire_cred_by_oid(OM_uint32 *minor_status,
                        const gss_cred_id_t cred_handle,
                        const gss_OID desired_object,
                        gss_buffer_set_t *data_set)
{
    const struct cs_glue *g = cs_mech_glue(minor_status);
    struct cs_cred *c = (struct cs_cred *)cred_handle;
    struct parts ps = { 0 };
    OM_uint32 major, tmp;
    size_t i;

    if (g == NULL) {
        return GSS_S_FAILURE;
    }
    if (c == NULL || data_set == NULL) {
        *minor_status = CREDSSP_S_BAD_HANDLE;
        return GSS_S_NO_CRED;
    }
    if (!cs_oid_equal(desired_object, GSS_CREDSSP_CRED_DELEGATED_PASSWORD) &&
        !cs_oid_equal(desired_object, GSS_CREDSSP_CRED_DELEGATED_SMARTCARD) &&
        !cs_oid_equal(desired_object,
                      GSS_CREDSSP_CRED_DELEGATED_REMOTE_GUARD)) {
        *minor_status = CREDSSP_S_UNSUPPORTED_OPTION;
        return GSS_S_UNAVAILABLE;
    }
    if (!c->delegated || !deleg_parts(&c->deleg, desired_object, &ps)) {
        *minor_status = CREDSSP_S_NO_DELEGATED_CREDS;
        return GSS_S_NO_CRED;
    }
    major = g->create_empty_buffer_set(minor_status, data_set);
    for (i = 0; i < ps.n && major == GSS_S_COMPLETE; i++) {
        gss_buffer_desc b = { ps.e[i].len, (void *)ps.e[i].p };

        major = g->add_buffer_set_member(minor_status, &b, data_set);
    }
    if (major != GSS_S_COMPLETE && *data_set != GSS_C_NO_BUFFER_SET) {
        /* A partly built set may already hold secrets: wipe it. */
        for (i = 0; i < (*data_set)->count; i++) {
            cs_wipe((*data_set)->elements[i].value,
                    (*data_set)->elements[i].length);
        }
        g->release_buffer_set(&tmp, data_set);
    }
    cs_wipe(ps.key_spec, sizeof(ps.key_spec));
    return major;
}

/*
 * gss_store_cred_into: a delegated password credential becomes a Kerberos
 * TGT for its user, obtained from the KDC and stored where the cred store
 * says (its "ccache" key), so a server can give the user single sign-on.
 * Other credentials have nothing to store.
 */
CS_EXPORT OM_uint32
gss_store_cred_into(OM_uint32 *minor_status, gss_cred_id_t input_cred_handle,
                    gss_cred_usage_t input_usage, const gss_OID desired_mech,
                    OM_uint32 overwrite_cred, OM_uint32 default_cred,
                    gss_const_key_value_set_t cred_store,
                    gss_OID_set *elements_stored,
                    gss_cred_usage_t *cred_usage_stored)
{
    const struct cs_glue *g = cs_mech_glue(minor_status);
    struct cs_cred *c = (struct cs_cred *)input_cred_handle;
    OM_uint32 major;
    cs_err err;

    if (g == NULL) {
        return GSS_S_FAILURE;
    }
    if (elements_stored != NULL) {
        *elements_stored = GSS_C_NO_OID_SET;
    }
    if (c == NULL) {
        *minor_status = CREDSSP_S_BAD_HANDLE;
        return GSS_S_NO_CRED;
    }
    if (desired_mech != GSS_C_NO_OID && cs_mech_oid(desired_mech) == NULL) {
        *minor_status = 0;
        return GSS_S_BAD_MECH;
    }
    if (input_usage == GSS_C_ACCEPT) {
        *minor_status = CREDSSP_S_WRONG_USAGE;
        return GSS_S_NO_CRED;
    }
    err = cs_cred_store_krb5(c, overwrite_cred, default_cred, cred_store);
    if (err != CS_OK) {
        return cs_status(minor_status, err);
    }
    major = GSS_S_COMPLETE;
    if (elements_stored != NULL) {
        major = g->create_empty_oid_set(minor_status, elements_stored);
        if (major == GSS_S_COMPLETE) {
            major = g->add_oid_set_member(
                minor_status,
                desired_mech != GSS_C_NO_OID
                    ? (gss_OID)cs_mech_oid(desired_mech)
                    : GSS_CREDSSP_MECH,
                elements_stored);
        }
    }
    if (cred_usage_stored != NULL) {
        *cred_usage_stored = GSS_C_INITIATE;
    }
    return major;
}
