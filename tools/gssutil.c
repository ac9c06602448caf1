/* SPDX-License-Identifier: MIT */
/*
 * gssutil.c - GSSAPI helpers of the `credssp` tool: status texts and what a
 * completed CredSSP context and a delegated credential tell about
 * themselves, through the public inquiry OIDs.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi_credssp.h>
#include <openssl/asn1.h>
#include <openssl/objects.h>

#include "tool.h"

/* Safety bound on gss_display_status() continuation messages. */
#define MAX_STATUS_MESSAGES 16

/*
 * Appends the texts of a major (GSS_C_GSS_CODE) or minor (GSS_C_MECH_CODE)
 * status, all messages joined with "; ", or the number when there are none.
 */
void
ct_status_text(struct ct_text *t, OM_uint32 code, int type)
{
    OM_uint32 msg_ctx = 0, major, minor, tmp;
    gss_buffer_desc msg = GSS_C_EMPTY_BUFFER;
    int n = 0;

    if (type == GSS_C_MECH_CODE && code == 0) {
        ct_text_adds(t, "none");
        return;
    }
    do {
        major = gss_display_status(&minor, code, type, GSS_CREDSSP_MECH,
                                   &msg_ctx, &msg);
        if (GSS_ERROR(major)) {
            break;
        }
        if (n > 0) {
            ct_text_adds(t, "; ");
        }
        ct_text_add(t, msg.value, msg.length);
        (void)gss_release_buffer(&tmp, &msg);
        n++;
    } while (msg_ctx != 0 && n < MAX_STATUS_MESSAGES);
    if (n == 0) {
        ct_text_addf(t, "%s status 0x%08lx",
                     type == GSS_C_GSS_CODE ? "major" : "minor",
                     (unsigned long)code);
    }
}

/*
 * The hint for GSS_S_BAD_MECH from acquiring a CredSSP credential: the
 * mechglue does not know the mechanism (or cannot load its module), so
 * say how to register it.
 */
void
ct_hint_registration(struct ct_err *err)
{
    const char *conf = getenv("GSS_MECH_CONFIG");
    ASN1_OBJECT *obj;
    char oid[128];
    int n = -1;

    obj = ASN1_OBJECT_create(NID_undef, GSS_CREDSSP_MECH->elements,
                             (int)GSS_CREDSSP_MECH->length, NULL, NULL);
    if (obj != NULL) {
        n = OBJ_obj2txt(oid, sizeof(oid), obj, 1);
        ASN1_OBJECT_free(obj);
    }
    if (n <= 0 || (size_t)n >= sizeof(oid)) {
        return;
    }
    if (conf != NULL && *conf != '\0') {
        ct_err_hint(err, "the mechglue reads GSS_MECH_CONFIG=%s instead of "
                    "%s; that file needs the line \"credssp %s %s\" naming "
                    "a module that loads", conf, CT_MECH_D, oid,
                    CT_MODULE_PATH);
    } else {
        ct_err_hint(err, "the CredSSP mechanism is not registered: put the "
                    "line \"credssp %s %s\" in a file of %s (make install "
                    "writes credssp.conf there), or in a file named by "
                    "GSS_MECH_CONFIG", oid, CT_MODULE_PATH, CT_MECH_D);
    }
}

/* A DER OID body and the short name the tool prints for it. */
struct mech_name {
    const char *der;
    size_t len;
    const char *name;
};

static const struct mech_name mech_names[] = {
    /* 1.2.840.113554.1.2.2 */
    { "\x2a\x86\x48\x86\xf7\x12\x01\x02\x02", 9, "kerberos" },
    /* 1.2.840.48018.1.2.2, Microsoft's variant */
    { "\x2a\x86\x48\x82\xf7\x12\x01\x02\x02", 9, "kerberos" },
    /* 1.3.6.1.4.1.311.2.2.10 */
    { "\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a", 10, "ntlm" },
    /* 1.3.6.1.5.5.2 */
    { "\x2b\x06\x01\x05\x05\x02", 6, "spnego" },
};

/* Appends the name of the mechanism whose DER OID body is p, else hex. */
static void
add_mech_name(struct ct_text *t, const uint8_t *p, size_t len)
{
    size_t i;

    for (i = 0; i < sizeof(mech_names) / sizeof(mech_names[0]); i++) {
        if (len == mech_names[i].len &&
            memcmp(p, mech_names[i].der, len) == 0) {
            ct_text_adds(t, mech_names[i].name);
            return;
        }
    }
    for (i = 0; i < len; i++) {
        ct_text_addf(t, "%02x", (unsigned int)p[i]);
    }
}

/*
 * Puts the first buffer of the context inquiry oid into t ("unknown" if
 * the inquiry fails or returns nothing); as a mechanism name when
 * is_mech.
 */
static void
inquire_one(gss_ctx_id_t ctx, gss_OID oid, bool is_mech, struct ct_text *t)
{
    gss_buffer_set_t set = GSS_C_NO_BUFFER_SET;
    OM_uint32 major, minor, tmp;

    ct_text_clear(t);
    major = gss_inquire_sec_context_by_oid(&minor, ctx, oid, &set);
    if (GSS_ERROR(major) || set == GSS_C_NO_BUFFER_SET || set->count < 1 ||
        set->elements[0].length == 0) {
        ct_text_adds(t, "unknown");
    } else if (is_mech) {
        add_mech_name(t, set->elements[0].value, set->elements[0].length);
    } else {
        ct_text_add(t, set->elements[0].value, set->elements[0].length);
    }
    if (set != GSS_C_NO_BUFFER_SET) {
        (void)gss_release_buffer_set(&tmp, &set);
    }
}

/* Fills info from the CredSSP context inquiries; never fails. */
void
ct_ctx_info_get(gss_ctx_id_t ctx, struct ct_ctx_info *info)
{
    inquire_one(ctx, GSS_CREDSSP_INQ_VERSION, false, &info->version);
    inquire_one(ctx, GSS_CREDSSP_INQ_INNER_MECH, true, &info->inner_mech);
    inquire_one(ctx, GSS_CREDSSP_INQ_TLS_VERSION, false,
                &info->tls_version);
    inquire_one(ctx, GSS_CREDSSP_INQ_TLS_CIPHER, false, &info->cipher);
}

/* Frees what ct_ctx_info_get() stored. */
void
ct_ctx_info_free(struct ct_ctx_info *info)
{
    ct_text_free(&info->version);
    ct_text_free(&info->inner_mech);
    ct_text_free(&info->tls_version);
    ct_text_free(&info->cipher);
}

/*
 * Fills info from a delegated credential: domain and user of delegated
 * password credentials.  The password buffer is wiped before the buffer
 * set is released and is never copied.
 */
void
ct_deleg_info_get(gss_cred_id_t deleg, struct ct_deleg_info *info)
{
    gss_buffer_set_t set = GSS_C_NO_BUFFER_SET;
    OM_uint32 major, minor, tmp;
    size_t i;

    ct_text_clear(&info->domain);
    ct_text_clear(&info->user);
    if (deleg == GSS_C_NO_CREDENTIAL) {
        info->type = CT_DELEG_NONE;
        return;
    }
    major = gss_inquire_cred_by_oid(&minor, deleg,
                                    GSS_CREDSSP_CRED_DELEGATED_PASSWORD,
                                    &set);
    if (GSS_ERROR(major)) {
        info->type = CT_DELEG_UNKNOWN;
    } else if (set == GSS_C_NO_BUFFER_SET || set->count == 0) {
        info->type = CT_DELEG_EMPTY;
    } else if (set->count == 3) {
        info->type = CT_DELEG_PASSWORD;
        ct_text_add(&info->domain, set->elements[0].value,
                    set->elements[0].length);
        ct_text_add(&info->user, set->elements[1].value,
                    set->elements[1].length);
    } else {
        info->type = CT_DELEG_UNKNOWN;
    }
    if (set != GSS_C_NO_BUFFER_SET) {
        /* Element 2 is the password; an odd-shaped set is wiped whole. */
        for (i = (set->count == 3) ? 2 : 0; i < set->count; i++) {
            ct_wipe(set->elements[i].value, set->elements[i].length);
        }
        (void)gss_release_buffer_set(&tmp, &set);
    }
}

/* Frees what ct_deleg_info_get() stored. */
void
ct_deleg_info_free(struct ct_deleg_info *info)
{
    ct_text_free(&info->domain);
    ct_text_free(&info->user);
}
