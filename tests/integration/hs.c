/* SPDX-License-Identifier: MIT */
/*
 * hs.c - an in-process CredSSP handshake through the real mechglue.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "hs.h"
#include "../check_run.h"

X509 *
hs_self_signed(EVP_PKEY *key)
{
    return hs_cert_named(key, "localhost", NULL);
}

/* add_san: a subjectAltName of one dNSName (any bytes, as a hostile
 * server may put there). */
static int
add_san(X509 *cert, const char *dns)
{
    GENERAL_NAMES *gens = GENERAL_NAMES_new();
    GENERAL_NAME *gen = GENERAL_NAME_new();
    ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();
    int ok = gens != NULL && gen != NULL && ia5 != NULL &&
             ASN1_STRING_set(ia5, dns, -1);

    if (ok) {
        GENERAL_NAME_set0_value(gen, GEN_DNS, ia5);
        ia5 = NULL;
        ok = sk_GENERAL_NAME_push(gens, gen) > 0;
        gen = ok ? NULL : gen;
    }
    ok = ok && X509_add1_ext_i2d(cert, NID_subject_alt_name, gens, 0,
                                 X509V3_ADD_DEFAULT) == 1;
    ASN1_IA5STRING_free(ia5);
    GENERAL_NAME_free(gen);
    GENERAL_NAMES_free(gens);
    return ok;
}

X509 *
hs_cert_named(EVP_PKEY *key, const char *cn, const char *san_dns)
{
    X509 *cert = X509_new();
    X509_NAME *name;

    if (cert == NULL || key == NULL ||
        !X509_set_version(cert, X509_VERSION_3) ||
        !ASN1_INTEGER_set(X509_get_serialNumber(cert), 42) ||
        !X509_gmtime_adj(X509_getm_notBefore(cert), 0) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert), 3600) ||
        !X509_set_pubkey(cert, key) ||
        (name = X509_get_subject_name(cert)) == NULL ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                    (const unsigned char *)cn, -1, -1, 0) ||
        !X509_set_issuer_name(cert, name) ||
        (san_dns != NULL && !add_san(cert, san_dns)) ||
        X509_sign(cert, key, EVP_sha256()) <= 0) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

void
hs_write_pem(X509 *cert, EVP_PKEY *key, const char *cert_path,
             const char *key_path)
{
    FILE *f = fopen(cert_path, "w");

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(PEM_write_X509(f, cert), 1);
    ck_assert_int_eq(fclose(f), 0);
    if (key_path != NULL) {
        f = fopen(key_path, "w");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL,
                                              NULL), 1);
        ck_assert_int_eq(fclose(f), 0);
    }
}

int
hs_main(Suite *s)
{
    return check_run(s, false);
}

const char *
hs_env(const char *name)
{
    const char *v = getenv(name);

    return v != NULL ? v : "";
}

char *
hs_read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf;
    long n;

    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = calloc(1, (size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(fread(buf, 1, (size_t)n, f), n);
    fclose(f);
    return buf;
}

/* append: one gss_display_status loop into buf. */
static void
append(OM_uint32 code, int type, char *buf, size_t len)
{
    OM_uint32 ctx = 0, minor;
    gss_buffer_desc msg;

    do {
        size_t used = strlen(buf);

        if (gss_display_status(&minor, code, type, GSS_CREDSSP_MECH, &ctx,
                               &msg) != GSS_S_COMPLETE) {
            break;
        }
        snprintf(buf + used, len - used, "%s%.*s", used ? "; " : "",
                 (int)msg.length, (char *)msg.value);
        gss_release_buffer(&minor, &msg);
    } while (ctx != 0);
}

void
hs_status_text(OM_uint32 major, OM_uint32 minor, char *buf, size_t len)
{
    buf[0] = '\0';
    append(major, GSS_C_GSS_CODE, buf, len);
    if (minor != 0) {
        append(minor, GSS_C_MECH_CODE, buf, len);
    }
}

/* set_opt: one credential option, when given. */
static int
set_opt(gss_cred_id_t *cred, gss_OID oid, const char *value)
{
    gss_buffer_desc v;
    OM_uint32 major, minor;

    if (value == NULL) {
        return 0;
    }
    v.value = (void *)value;
    v.length = strlen(value);
    major = gss_set_cred_option(&minor, cred, oid, &v);
    if (major != GSS_S_COMPLETE) {
        fprintf(stderr, "gss_set_cred_option: 0x%x/0x%x\n", major, minor);
        return -1;
    }
    return 0;
}

/* set_extra: a list of options, up to its first NULL oid. */
static int
set_extra(gss_cred_id_t *cred, const struct hs_opt *list, size_t n)
{
    size_t i;

    for (i = 0; i < n && list[i].oid != NULL; i++) {
        if (set_opt(cred, list[i].oid, list[i].value) != 0) {
            return -1;
        }
    }
    return 0;
}
#define SET_EXTRA(cred, list) \
    set_extra(cred, list, sizeof(list) / sizeof(list[0]))

static gss_OID_set_desc credssp_set = { 1, NULL };

OM_uint32
hs_init_cred(const struct hs_opts *o, gss_cred_id_t *cred, OM_uint32 *minor)
{
    const char *user = o->user ? o->user : hs_env("CREDSSP_TEST_USER");
    const char *pw = o->password ? o->password
                                 : hs_env("CREDSSP_TEST_PASSWORD");
    gss_buffer_desc ubuf = { strlen(user), (void *)user };
    gss_buffer_desc pbuf = { strlen(pw), (void *)pw };
    gss_name_t name = GSS_C_NO_NAME;
    OM_uint32 major, tmp;

    credssp_set.elements = o->mech_oid ? o->mech_oid : GSS_CREDSSP_MECH;
    major = gss_import_name(minor, &ubuf, GSS_C_NT_USER_NAME, &name);
    if (major != GSS_S_COMPLETE) {
        return major;
    }
    if (o->no_password) {
        major = gss_acquire_cred(minor, name, 0, &credssp_set,
                                 GSS_C_INITIATE, cred, NULL, NULL);
    } else {
        major = gss_acquire_cred_with_password(minor, name, &pbuf, 0,
                                               &credssp_set, GSS_C_INITIATE,
                                               cred, NULL, NULL);
    }
    gss_release_name(&tmp, &name);
    if (major != GSS_S_COMPLETE) {
        return major;
    }
    if (set_opt(cred, GSS_CREDSSP_OPT_INNER_MECH, o->mech) ||
        set_opt(cred, GSS_CREDSSP_OPT_TLS_MAX_VERSION, o->tls_max) ||
        set_opt(cred, GSS_CREDSSP_OPT_MAX_VERSION, o->init_max_version) ||
        set_opt(cred, GSS_CREDSSP_OPT_MIN_VERSION, o->init_min_version) ||
        set_opt(cred, GSS_CREDSSP_OPT_ALLOW_NTLM_ONLY_DELEGATION,
                o->ntlm_deleg) ||
        set_opt(cred, GSS_CREDSSP_OPT_FRAME_INITIAL_TOKEN, o->frame) ||
        set_opt(cred, GSS_CREDSSP_OPT_ENCRYPTION_ORACLE, o->init_oracle) ||
        SET_EXTRA(cred, o->init_extra)) {
        *minor = 0;
        return GSS_S_FAILURE;
    }
    return GSS_S_COMPLETE;
}

OM_uint32
hs_acc_cred(const struct hs_opts *o, gss_cred_id_t *cred, OM_uint32 *minor)
{
    OM_uint32 major;

    credssp_set.elements = o->mech_oid ? o->mech_oid : GSS_CREDSSP_MECH;
    major = gss_acquire_cred(minor, GSS_C_NO_NAME, 0, &credssp_set,
                             GSS_C_ACCEPT, cred, NULL, NULL);
    if (major != GSS_S_COMPLETE) {
        return major;
    }
    if (set_opt(cred, GSS_CREDSSP_OPT_TLS_MAX_VERSION, o->tls_max) ||
        set_opt(cred, GSS_CREDSSP_OPT_MAX_VERSION, o->acc_max_version) ||
        set_opt(cred, GSS_CREDSSP_OPT_MIN_VERSION, o->acc_min_version) ||
        set_opt(cred, GSS_CREDSSP_OPT_ENCRYPTION_ORACLE, o->acc_oracle) ||
        SET_EXTRA(cred, o->acc_extra)) {
        *minor = 0;
        return GSS_S_FAILURE;
    }
    return GSS_S_COMPLETE;
}

/* inquire_text: one context inquiry as text, or "". */
static void
inquire_text(gss_ctx_id_t ctx, gss_OID oid, char *buf, size_t len)
{
    gss_buffer_set_t set = GSS_C_NO_BUFFER_SET;
    OM_uint32 minor;

    buf[0] = '\0';
    if (gss_inquire_sec_context_by_oid(&minor, ctx, oid, &set) !=
            GSS_S_COMPLETE ||
        set == GSS_C_NO_BUFFER_SET || set->count < 1) {
        return;
    }
    snprintf(buf, len, "%.*s", (int)set->elements[0].length,
             (char *)set->elements[0].value);
    gss_release_buffer_set(&minor, &set);
}

void
hs_inner_mech_name(gss_ctx_id_t ctx, char *buf, size_t len)
{
    gss_buffer_set_t set = GSS_C_NO_BUFFER_SET;
    OM_uint32 minor;
    size_t i;

    buf[0] = '\0';
    if (gss_inquire_sec_context_by_oid(&minor, ctx,
                                       GSS_CREDSSP_INQ_INNER_MECH,
                                       &set) != GSS_S_COMPLETE ||
        set == GSS_C_NO_BUFFER_SET || set->count < 1) {
        return;
    }
    if (set->elements[0].length == 9 &&
        memcmp(set->elements[0].value, "\x2a\x86\x48\x86\xf7\x12\x01\x02\x02",
               9) == 0) {
        snprintf(buf, len, "kerberos");
    } else if (set->elements[0].length == 10 &&
               memcmp(set->elements[0].value,
                      "\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a", 10) == 0) {
        snprintf(buf, len, "ntlm");
    } else {
        for (i = 0; i < set->elements[0].length && 2 * i + 3 < len; i++) {
            sprintf(buf + 2 * i, "%02x",
                    ((unsigned char *)set->elements[0].value)[i]);
        }
    }
    gss_release_buffer_set(&minor, &set);
}

/* deleg_info: what the delegated credential holds. */
static void
deleg_info(gss_cred_id_t deleg, struct hs_result *r)
{
    gss_buffer_set_t set = GSS_C_NO_BUFFER_SET;
    OM_uint32 minor;

    if (gss_inquire_cred_by_oid(&minor, deleg,
                                GSS_CREDSSP_CRED_DELEGATED_PASSWORD,
                                &set) != GSS_S_COMPLETE ||
        set == GSS_C_NO_BUFFER_SET || set->count != 3) {
        return;
    }
    r->delegated = true;
    snprintf(r->deleg_domain, sizeof(r->deleg_domain), "%.*s",
             (int)set->elements[0].length, (char *)set->elements[0].value);
    snprintf(r->deleg_user, sizeof(r->deleg_user), "%.*s",
             (int)set->elements[1].length, (char *)set->elements[1].value);
    snprintf(r->deleg_password, sizeof(r->deleg_password), "%.*s",
             (int)set->elements[2].length, (char *)set->elements[2].value);
    gss_release_buffer_set(&minor, &set);
}

/*
 * append_out: appends one output token to the reply being gathered.
 */
static void
append_out(gss_buffer_t all, gss_buffer_t one)
{
    OM_uint32 tmp;
    char *p;

    if (one->length > 0) {
        p = realloc(all->value, all->length + one->length);
        if (p != NULL) {
            memcpy(p + all->length, one->value, one->length);
            all->value = p;
            all->length += one->length;
        }
    }
    gss_release_buffer(&tmp, one);
}

/*
 * step_acceptor: feeds one token to the acceptor.  With o->split the token
 * is a stream that arrives o->split bytes at a time: a call on data that
 * ends inside a TLS record must answer incomplete-message and consume
 * nothing (the caller then calls again with more); a call on whole records
 * consumes them all, and the rest comes in the next call.  The outputs of
 * all calls make the reply.
 */
static OM_uint32
step_acceptor(const struct hs_opts *o, gss_ctx_id_t *ctx, gss_cred_id_t cred,
              gss_buffer_t tok, bool *first, gss_name_t *src,
              gss_buffer_t out, OM_uint32 *flags, gss_cred_id_t *deleg,
              OM_uint32 *minor, gss_channel_bindings_t cb,
              struct hs_result *r)
{
    size_t off = 0, have = o->split ? o->split : tok->length;
    OM_uint32 major = GSS_S_CONTINUE_NEEDED, tmp;

    out->length = 0;
    out->value = NULL;
    while (off < tok->length && major == GSS_S_CONTINUE_NEEDED) {
        size_t left = tok->length - off;
        gss_buffer_desc part = { have < left ? have : left,
                                 (char *)tok->value + off };
        gss_buffer_desc framed = { 0, NULL }, one = { 0, NULL };

        if (*first && off == 0 && part.length > 0) {
            r->first_byte = ((unsigned char *)part.value)[0];
        }
        if (*first && !o->raw_first) {
            major = gss_credssp_frame_token(minor, &part, &framed);
            if (major != GSS_S_COMPLETE) {
                return major;
            }
        }
        major = gss_accept_sec_context(minor, ctx, cred,
                                       *first && !o->raw_first ? &framed
                                                              : &part,
                                       cb, src,
                                       NULL,
                                       &one, flags, NULL, deleg);
        gss_release_buffer(&tmp, &framed);
        append_out(out, &one);
        if (major == GSS_S_DEFECTIVE_TOKEN &&
            *minor == CREDSSP_S_INCOMPLETE_MESSAGE && part.length < left) {
            r->incomplete_calls++;
            have += o->split;
            major = GSS_S_CONTINUE_NEEDED;
            continue;
        }
        if (!GSS_ERROR(major)) {
            *first = false;
            off += part.length;
            have = o->split ? o->split : tok->length;
        }
    }
    return major;
}

/* set_cb: bindings with only application data (NULL: none). */
static gss_channel_bindings_t
set_cb(struct gss_channel_bindings_struct *cb, const char *data)
{
    if (data == NULL) {
        return GSS_C_NO_CHANNEL_BINDINGS;
    }
    memset(cb, 0, sizeof(*cb));
    cb->application_data.value = (void *)data;
    cb->application_data.length = strlen(data);
    return cb;
}

int
hs_run(const struct hs_opts *o, struct hs_result *r)
{
    struct gss_channel_bindings_struct icb_s, acb_s;
    gss_channel_bindings_t icb = set_cb(&icb_s, o->init_cb);
    gss_channel_bindings_t acb = set_cb(&acb_s, o->acc_cb);
    gss_cred_id_t icred = GSS_C_NO_CREDENTIAL, acred = GSS_C_NO_CREDENTIAL;
    gss_cred_id_t deleg = GSS_C_NO_CREDENTIAL;
    gss_ctx_id_t ictx = GSS_C_NO_CONTEXT, actx = GSS_C_NO_CONTEXT;
    gss_name_t target = GSS_C_NO_NAME, src = GSS_C_NO_NAME;
    const char *tname = o->target ? o->target : "TERMSRV@localhost";
    gss_buffer_desc tbuf = { strlen(tname), (void *)tname };
    gss_buffer_desc c2s = { 0, NULL }, s2c = { 0, NULL }, disp;
    OM_uint32 minor, tmp;
    bool first = true;
    int rc = -1, guard;

    memset(r, 0, sizeof(*r));
    if (o->init_cred != GSS_C_NO_CREDENTIAL) {
        icred = o->init_cred;
        r->init_major = GSS_S_COMPLETE;
    } else {
        r->init_major = hs_init_cred(o, &icred, &r->init_minor);
    }
    if (r->init_major != GSS_S_COMPLETE) {
        goto done;
    }
    if (o->acc_cred != GSS_C_NO_CREDENTIAL) {
        acred = o->acc_cred;
        r->acc_major = GSS_S_COMPLETE;
    } else {
        r->acc_major = hs_acc_cred(o, &acred, &r->acc_minor);
    }
    if (r->acc_major != GSS_S_COMPLETE) {
        goto done;
    }
    if (gss_import_name(&minor, &tbuf, GSS_C_NT_HOSTBASED_SERVICE,
                        &target) != GSS_S_COMPLETE) {
        goto done;
    }
    r->init_major = GSS_S_CONTINUE_NEEDED;
    r->acc_major = GSS_S_CONTINUE_NEEDED;
    for (guard = 0; guard < 32; guard++) {
        gss_release_buffer(&tmp, &c2s);
        r->init_major = gss_init_sec_context(
            &r->init_minor, icred, &ictx, target,
            o->mech_oid ? o->mech_oid : GSS_CREDSSP_MECH,
            GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG | o->req_flags, 0,
            icb, &s2c, NULL, &c2s, &r->init_flags,
            NULL);
        gss_release_buffer(&tmp, &s2c);
        if (c2s.length > 0) {
            r->legs++;
            r->bytes_c2s += c2s.length;
        }
        if (GSS_ERROR(r->init_major)) {
            hs_status_text(r->init_major, r->init_minor, r->init_error,
                           sizeof(r->init_error));
            if (c2s.length == 0) {
                break;
            }
        } else if (r->init_major == GSS_S_COMPLETE && c2s.length == 0) {
            break;
        }
        if (r->acc_major != GSS_S_CONTINUE_NEEDED) {
            break;
        }
        r->acc_major = step_acceptor(o, &actx, acred, &c2s, &first, &src,
                                     &s2c, &r->acc_flags, &deleg,
                                     &r->acc_minor, acb, r);
        if (s2c.length > 0) {
            r->legs++;
            r->bytes_s2c += s2c.length;
        }
        if (GSS_ERROR(r->acc_major)) {
            hs_status_text(r->acc_major, r->acc_minor, r->acc_error,
                           sizeof(r->acc_error));
        }
        if (GSS_ERROR(r->init_major) || r->init_major == GSS_S_COMPLETE) {
            break;
        }
        if (GSS_ERROR(r->acc_major) && s2c.length == 0) {
            break;
        }
    }
    if (r->init_major == GSS_S_COMPLETE && r->acc_major == GSS_S_COMPLETE) {
        rc = 0;
        if (src != GSS_C_NO_NAME &&
            gss_display_name(&minor, src, &disp, NULL) == GSS_S_COMPLETE) {
            snprintf(r->src_name, sizeof(r->src_name), "%.*s",
                     (int)disp.length, (char *)disp.value);
            gss_release_buffer(&minor, &disp);
        }
        if (deleg != GSS_C_NO_CREDENTIAL) {
            deleg_info(deleg, r);
            if (o->keep_deleg) {
                r->deleg = deleg;
                deleg = GSS_C_NO_CREDENTIAL;
            }
        }
        inquire_text(actx, GSS_CREDSSP_INQ_VERSION, r->version,
                     sizeof(r->version));
        inquire_text(actx, GSS_CREDSSP_INQ_TLS_VERSION, r->tls_version,
                     sizeof(r->tls_version));
        inquire_text(actx, GSS_CREDSSP_INQ_TLS_CIPHER, r->cipher,
                     sizeof(r->cipher));
        hs_inner_mech_name(actx, r->inner_mech, sizeof(r->inner_mech));
        if (o->keep_ctx) {
            r->ictx = ictx;
            r->actx = actx;
            r->src = src;
            ictx = actx = GSS_C_NO_CONTEXT;
            src = GSS_C_NO_NAME;
        }
    }
    /* A failed exchange still names the suite its TLS chose (the side
     * that received a fatal alert has no TLS state left to ask). */
    if (r->cipher[0] == '\0' && actx != GSS_C_NO_CONTEXT) {
        inquire_text(actx, GSS_CREDSSP_INQ_TLS_CIPHER, r->cipher,
                     sizeof(r->cipher));
    }

done:
    if (r->init_error[0] == '\0' && GSS_ERROR(r->init_major)) {
        hs_status_text(r->init_major, r->init_minor, r->init_error,
                       sizeof(r->init_error));
    }
    if (r->acc_error[0] == '\0' && GSS_ERROR(r->acc_major)) {
        hs_status_text(r->acc_major, r->acc_minor, r->acc_error,
                       sizeof(r->acc_error));
    }
    gss_release_buffer(&tmp, &c2s);
    gss_release_buffer(&tmp, &s2c);
    gss_delete_sec_context(&tmp, &ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&tmp, &actx, GSS_C_NO_BUFFER);
    gss_release_name(&tmp, &target);
    gss_release_name(&tmp, &src);
    if (icred != o->init_cred) {
        gss_release_cred(&tmp, &icred);
    }
    if (acred != o->acc_cred) {
        gss_release_cred(&tmp, &acred);
    }
    gss_release_cred(&tmp, &deleg);
    return rc;
}

int
hs_run_verbose(const struct hs_opts *o, struct hs_result *r)
{
    int rc = hs_run(o, r);

    if (rc != 0) {
        fprintf(stderr, "handshake failed: init [%s] acc [%s]\n",
                r->init_error, r->acc_error);
    }
    return rc;
}

void
hs_release(struct hs_result *r)
{
    OM_uint32 minor;

    gss_release_name(&minor, &r->src);
    gss_delete_sec_context(&minor, &r->ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&minor, &r->actx, GSS_C_NO_BUFFER);
}

void
hs_kinit(void)
{
    char cmd[512];
    FILE *p;

    snprintf(cmd, sizeof(cmd), "kinit '%s' >/dev/null",
             hs_env("CREDSSP_TEST_USER"));
    p = popen(cmd, "w");
    ck_assert_ptr_nonnull(p);
    fprintf(p, "%s\n", hs_env("CREDSSP_TEST_PASSWORD"));
    ck_assert_int_eq(pclose(p), 0);
}
