/* SPDX-License-Identifier: MIT */
/*
 * inner.c - the inner SPNEGO / Kerberos / NTLM authentication through the
 * mechglue.  The inner SPNEGO calls back into our gss_inquire_attrs_for_mech
 * (doc/design.md 3.2), which takes no lock.  The one lock of ours held
 * across calls made here is a credential's: cs_cred_finish holds it while
 * cs_inner_acquire_initiator / cs_inner_acquire_acceptor get the inner
 * credential, and nothing the mechglue calls back into takes it.  Context
 * steps (cs_inner_init, cs_inner_accept, wrap and unwrap) run with no lock
 * of ours held.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <krb5.h>

#include "cursor.h"
#include "inner.h"
#include "negtoken.h"
#include "ntlm.h"
#include "trace.h"

/* The flags CredSSP asks of the inner mech: mutual authentication where
 * the mech can give it, and the wrap protection pubKeyAuth and authInfo
 * need.  Never DELEG: CredSSP delegates by itself. */
#define INNER_REQ_FLAGS                                                  \
    (GSS_C_MUTUAL_FLAG | GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG |            \
     GSS_C_SEQUENCE_FLAG | GSS_C_REPLAY_FLAG)

/* gss-ntlmssp's option to set its NEGOTIATE flags, and the value without
 * OEM that FreeRDP's server answers in a form gss-ntlmssp accepts
 * (doc/design.md 3.8). */
static const gss_OID_desc ntlm_neg_flags_oid = {
    11, (void *)"\x2b\x06\x01\x04\x01\xb7\x7d\x85\x0f\x01\x05"
};
#define NTLM_CLIENT_FLAGS 0xa2008205u
#define NTLM_UNICODE 0x00000001u
#define NTLM_TARGET_TYPE_DOMAIN 0x00010000u
#define NTLM_TARGET_TYPE_SERVER 0x00020000u

/*
 * Failures of the inner mech.  The application sees one of our minor
 * codes, chosen by the cause, and its text carries the inner mech's own
 * message: "SEC_E_LOGON_DENIED: ... (Kerberos: Decrypt integrity check
 * failed)".  The minor codes the mechglue hands us for krb5 are krb5's
 * own (it keeps a code as it is for the first mech that uses it).
 */

/* password_refused: krb5 codes of a KDC that refuses the user's password
 * or account ([RFC 4120] 7.5.9): a logon failure, not a missing
 * credential. */
static bool
password_refused(OM_uint32 minor)
{
    switch ((krb5_error_code)minor) {
    case KRB5KDC_ERR_PREAUTH_FAILED:
    case KRB5KRB_AP_ERR_BAD_INTEGRITY:
    case KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN:
    case KRB5KDC_ERR_CLIENT_REVOKED:
    case KRB5KDC_ERR_KEY_EXP:
        return true;
    default:
        return false;
    }
}

/* status_text: the first line of a status' display text into buf ("" if
 * there is none). */
static void
status_text(OM_uint32 code, int type, char *buf, size_t len)
{
    const struct cs_glue *g = cs_glue();
    gss_buffer_desc text = { 0, NULL };
    OM_uint32 tmp, ctx = 0;

    buf[0] = '\0';
    if (g->display_status(&tmp, code, type, GSS_C_NO_OID, &ctx, &text) ==
        GSS_S_COMPLETE) {
        snprintf(buf, len, "%.*s", (int)text.length, (char *)text.value);
    }
    g->release_buffer(&tmp, &text);
}

/*
 * inner_error: err with the inner mech's message in its detail text:
 * the minor status' own text, or the major's where the minor says
 * nothing ("Unknown error", as SPNEGO's negotiation failure does).
 */
static cs_err
inner_error(cs_err err, const char *mech, OM_uint32 major, OM_uint32 minor)
{
    char text[256] = "";

    if (minor != 0) {
        status_text(minor, GSS_C_MECH_CODE, text, sizeof(text));
    }
    if (text[0] == '\0' || strncmp(text, "Unknown error", 13) == 0) {
        status_text(GSS_ROUTINE_ERROR(major), GSS_C_GSS_CODE, text,
                    sizeof(text));
    }
    /* Set either way: no earlier failure's text may stay behind. */
    if (text[0] != '\0') {
        cs_err_set_detail(err, "%s (%s: %s)", cs_err_text(err), mech, text);
    } else {
        cs_err_set_detail(err, "%s", cs_err_text(err));
    }
    CS_TRACE("inner %s failure: major 0x%x minor 0x%x: %s", mech, major,
             minor, text);
    return err;
}

/*
 * classify: our minor code for a failed init or accept.  ntlm: the
 * messages are NTLM's (gss-ntlmssp reports a wrong password as
 * GSS_S_FAILURE with EINVAL, a channel-binding mismatch as a defective
 * token with EACCES: gss-ntlmssp's ntlm_verify_channel_bindings).
 */
static cs_err
classify(OM_uint32 major, OM_uint32 minor, bool ntlm, bool initiator)
{
    switch (GSS_ROUTINE_ERROR(major)) {
    case GSS_S_BAD_MECH:
        return CREDSSP_S_NO_COMMON_MECH;
    case GSS_S_BAD_BINDINGS:
        return CREDSSP_S_BAD_BINDINGS;
    case GSS_S_BAD_MIC:
        /* SPNEGO's mechListMIC: the negotiation was tampered with, which
         * says nothing about the password. */
        return CREDSSP_S_INNER_BAD_MIC;
    case GSS_S_DEFECTIVE_TOKEN:
        return ntlm && minor == EACCES ? CREDSSP_S_BAD_BINDINGS
                                       : CREDSSP_S_INNER_BAD_TOKEN;
    case GSS_S_NO_CRED:
        return initiator && password_refused(minor)
                   ? CREDSSP_S_LOGON_FAILED
                   : CREDSSP_S_NO_INNER_CRED;
    default:
        return (ntlm && !initiator) || (initiator && password_refused(minor))
                   ? CREDSSP_S_LOGON_FAILED
                   : CREDSSP_S_INNER_FAILED;
    }
}

/* carries_ntlm: whether a token holds an NTLM message, raw or inside
 * SPNEGO (which carries it verbatim). */
static bool
carries_ntlm(const cs_blob *in)
{
    static const uint8_t sig[8] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0 };

    return in != NULL && in->len >= sizeof(sig) &&
           memmem(in->data, in->len, sig, sizeof(sig)) != NULL;
}

/* mech_name: the negotiated inner mech, for texts. */
static const char *
mech_name(const struct cs_inner *ic)
{
    return cs_inner_is_ntlm(ic)   ? "NTLM"
           : cs_inner_is_krb5(ic) ? "Kerberos"
                                  : "SPNEGO";
}

/* mode_name: the inner mech of a mode, for texts. */
static const char *
mode_name(enum cs_inner_mode mode)
{
    switch (mode) {
    case CS_MECH_KERBEROS:
        return "Kerberos";
    case CS_MECH_NTLM:
        return "NTLM";
    case CS_MECH_AUTO:
    case CS_MECH_SPNEGO:
        break;
    }
    return "SPNEGO";
}

static gss_OID_set_desc one_mech_set(gss_OID mech)
{
    gss_OID_set_desc set = { 1, mech };

    return set;
}

OM_uint32
cs_inner_cred_lifetime(gss_cred_id_t cred)
{
    const struct cs_glue *g = cs_glue();
    OM_uint32 minor, life = GSS_C_INDEFINITE;

    if (g == NULL || cred == GSS_C_NO_CREDENTIAL ||
        g->inquire_cred(&minor, cred, NULL, &life, NULL, NULL) !=
            GSS_S_COMPLETE) {
        return GSS_C_INDEFINITE;
    }
    return life;
}

gss_name_t
cs_inner_cred_name(gss_cred_id_t cred)
{
    const struct cs_glue *g = cs_glue();
    gss_name_t name = GSS_C_NO_NAME;
    OM_uint32 minor;

    gss_OID mechs[3] = { (gss_OID)&cs_oid_krb5, (gss_OID)&cs_oid_ntlmssp,
                         (gss_OID)&cs_oid_spnego };
    size_t i;

    if (g == NULL || cred == GSS_C_NO_CREDENTIAL) {
        return GSS_C_NO_NAME;
    }
    /* By mech: a union credential's elements may not all have a name. */
    for (i = 0; i < 3 && name == GSS_C_NO_NAME; i++) {
        if (g->inquire_cred_by_mech(&minor, cred, mechs[i], &name, NULL,
                                    NULL, NULL) != GSS_S_COMPLETE) {
            name = GSS_C_NO_NAME;
        }
    }
    if (name == GSS_C_NO_NAME &&
        g->inquire_cred(&minor, cred, &name, NULL, NULL, NULL) !=
            GSS_S_COMPLETE) {
        name = GSS_C_NO_NAME;
    }
    return name;
}

gss_OID
cs_inner_mode_mech(enum cs_inner_mode mode)
{
    switch (mode) {
    case CS_MECH_KERBEROS:
        return (gss_OID)&cs_oid_krb5;
    case CS_MECH_NTLM:
        return (gss_OID)&cs_oid_ntlmssp;
    case CS_MECH_AUTO:
    case CS_MECH_SPNEGO:
        break;
    }
    return (gss_OID)&cs_oid_spnego;
}

/*
 * acquire_one: a credential for one mech, with the password when there is
 * one, through the cred store when there is one.
 */
static OM_uint32
acquire_one(OM_uint32 *minor, gss_name_t name, const char *password,
            gss_OID mech, gss_cred_usage_t usage,
            gss_const_key_value_set_t store, gss_cred_id_t *out,
            OM_uint32 *time_rec)
{
    const struct cs_glue *g = cs_glue();
    gss_OID_set_desc set = one_mech_set(mech);

    if (password != NULL) {
        gss_buffer_desc pw = { strlen(password), (void *)password };

        return g->acquire_cred_with_password(minor, name, &pw, 0, &set,
                                             usage, out, NULL, time_rec);
    }
    if (store != NULL) {
        return g->acquire_cred_from(minor, name, 0, &set, usage, store, out,
                                    NULL, time_rec);
    }
    return g->acquire_cred(minor, name, 0, &set, usage, out, NULL, time_rec);
}

/*
 * krb5_usable: whether a Kerberos initiator credential for name can really
 * be had: a TGT in the ccache, or a password the KDC accepts.  Inquiring
 * the lifetime makes MIT's krb5 resolve the credential (and, with a
 * password, ask the KDC).
 */
static bool
krb5_usable(gss_name_t name, const char *password,
            gss_const_key_value_set_t store)
{
    const struct cs_glue *g = cs_glue();
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    gss_buffer_desc text = { 0, NULL };
    OM_uint32 major, minor = 0, tmp, ctx = 0, lifetime = 0;

    major = acquire_one(&minor, name, password, (gss_OID)&cs_oid_krb5,
                        GSS_C_INITIATE, store, &cred, NULL);
    if (major == GSS_S_COMPLETE) {
        major = g->inquire_cred(&minor, cred, NULL, &lifetime, NULL, NULL);
    }
    g->release_cred(&tmp, &cred);
    if (major == GSS_S_COMPLETE && lifetime > 0) {
        CS_TRACE("auto: Kerberos credential usable");
        return true;
    }
    /* krb5's reason, for the trace only: "Cannot find KDC for realm",
     * "Preauthentication failed", "No Kerberos credentials available". */
    if (cs_trace_on() &&
        (major == GSS_S_COMPLETE ||
         g->display_status(&tmp, minor != 0 ? minor : major,
                           minor != 0 ? GSS_C_MECH_CODE : GSS_C_GSS_CODE,
                           (gss_OID)&cs_oid_krb5, &ctx,
                           &text) != GSS_S_COMPLETE)) {
        text.length = 0;
    }
    CS_TRACE("auto: Kerberos credential not usable: %.*s", (int)text.length,
             text.length > 0 ? (char *)text.value : "no lifetime");
    g->release_buffer(&tmp, &text);
    return false;
}

/* set_ntlm_flags: gives gss-ntlmssp NEGOTIATE flags without OEM; harmless
 * where it is not supported (older gss-ntlmssp ignores the option). */
static void
set_ntlm_flags(gss_cred_id_t *cred)
{
    const struct cs_glue *g = cs_glue();
    uint32_t flags = NTLM_CLIENT_FLAGS;
    gss_buffer_desc value = { sizeof(flags), &flags };
    OM_uint32 minor;

    if (g->set_cred_option(&minor, cred, (gss_OID)&ntlm_neg_flags_oid,
                           &value) != GSS_S_COMPLETE) {
        CS_TRACE("gss-ntlmssp did not take the NEGOTIATE flags option");
    }
}

cs_err
cs_inner_acquire_initiator(gss_name_t name, const char *password,
                           enum cs_inner_mode mode,
                           gss_const_key_value_set_t store,
                           gss_cred_id_t *out, enum cs_inner_mode *mode_out,
                           OM_uint32 *time_rec)
{
    const struct cs_glue *g = cs_glue();
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    gss_OID_desc neg[2] = { cs_oid_krb5, cs_oid_ntlmssp };
    gss_OID_set_desc neg_set = { 2, neg };
    OM_uint32 major, minor = 0;

    if (g == NULL) {
        return CREDSSP_S_INTERNAL;
    }
    if (mode == CS_MECH_AUTO) {
        /* What mstsc and FreeRDP do: Negotiate when Kerberos is possible,
         * raw NTLM otherwise (doc/design.md 3.8). */
        mode = krb5_usable(name, password, store) ? CS_MECH_SPNEGO
                                                  : CS_MECH_NTLM;
    }
    major = acquire_one(&minor, name, password, cs_inner_mode_mech(mode),
                        GSS_C_INITIATE, store, &cred, time_rec);
    if (major != GSS_S_COMPLETE) {
        /* MIT's krb5 asks the KDC here when it has a password. */
        return inner_error(password_refused(minor) ? CREDSSP_S_LOGON_FAILED
                                                   : CREDSSP_S_NO_INNER_CRED,
                           mode_name(mode), major, minor);
    }
    if (mode == CS_MECH_SPNEGO) {
        /* Inside CredSSP, SPNEGO may pick only Kerberos or NTLM. */
        major = g->set_neg_mechs(&minor, cred, &neg_set);
        if (major != GSS_S_COMPLETE) {
            OM_uint32 tmp;

            g->release_cred(&tmp, &cred);
            return inner_error(CREDSSP_S_NO_INNER_CRED, "SPNEGO", major,
                               minor);
        }
    }
    if (mode == CS_MECH_NTLM) {
        set_ntlm_flags(&cred);
    }
    *out = cred;
    *mode_out = mode;
    return CS_OK;
}

/*
 * acquire_acceptor_from: the acceptor credential when a cred store is
 * given.  gss-ntlmssp (1.2.0 to 1.3.1) turns an acceptor credential
 * acquired from a cred store without a name into a user credential, and
 * its accept then frees stack memory.  So the store goes to SPNEGO and
 * Kerberos only, SPNEGO may negotiate only Kerberos (its own NTLM element
 * would be that broken one), and raw NTLM gets an element acquired
 * without the store (NTLM_USER_FILE).
 */
static OM_uint32
acquire_acceptor_from(OM_uint32 *minor, gss_name_t name,
                      gss_const_key_value_set_t store, gss_cred_id_t *out,
                      OM_uint32 *time_rec)
{
    const struct cs_glue *g = cs_glue();
    gss_OID_desc mechs[2] = { cs_oid_spnego, cs_oid_krb5 };
    gss_OID_set_desc set = { 2, mechs };
    gss_OID_set_desc krb5_only = { 1, (gss_OID)&cs_oid_krb5 };
    OM_uint32 major, tmp;

    major = g->acquire_cred_from(minor, name, 0, &set, GSS_C_ACCEPT, store,
                                 out, NULL, time_rec);
    if (major != GSS_S_COMPLETE) {
        return major;
    }
    if (g->set_neg_mechs(&tmp, *out, &krb5_only) != GSS_S_COMPLETE) {
        CS_TRACE("SPNEGO acceptor: could not restrict to Kerberos");
    }
    if (g->add_cred(&tmp, *out, name, (gss_OID)&cs_oid_ntlmssp,
                    GSS_C_ACCEPT, 0, 0, NULL, NULL, NULL,
                    NULL) != GSS_S_COMPLETE) {
        CS_TRACE("no NTLM acceptor element (NTLM_USER_FILE?)");
    }
    return GSS_S_COMPLETE;
}

cs_err
cs_inner_acquire_acceptor(gss_name_t name, gss_const_key_value_set_t store,
                          gss_cred_id_t *out, OM_uint32 *time_rec)
{
    const struct cs_glue *g = cs_glue();
    gss_OID_desc mechs[3] = { cs_oid_spnego, cs_oid_krb5, cs_oid_ntlmssp };
    gss_OID_set_desc set = { 3, mechs };
    OM_uint32 major, minor = 0;

    if (g == NULL) {
        return CREDSSP_S_INTERNAL;
    }
    if (store != NULL) {
        major = acquire_acceptor_from(&minor, name, store, out, time_rec);
    } else {
        major = g->acquire_cred(&minor, name, 0, &set, GSS_C_ACCEPT, out,
                                NULL, time_rec);
    }
    if (major != GSS_S_COMPLETE) {
        return inner_error(CREDSSP_S_NO_INNER_CRED, "SPNEGO/Kerberos/NTLM",
                           major, minor);
    }
    return CS_OK;
}

/* keep_mech: remembers the negotiated mech's OID. */
static void
keep_mech(struct cs_inner *ic, gss_OID mech)
{
    if (mech == GSS_C_NO_OID || mech->length > sizeof(ic->actual_mech_bytes)) {
        return;
    }
    memcpy(ic->actual_mech_bytes, mech->elements, mech->length);
    ic->actual_mech.length = mech->length;
    ic->actual_mech.elements = ic->actual_mech_bytes;
}

/* step_done: after a successful inner step: the mech it negotiated,
 * whether the context is complete, and a trace line. */
static void
step_done(struct cs_inner *ic, const char *step, gss_OID actual,
          OM_uint32 major, const cs_blob *out)
{
    keep_mech(ic, actual);
    ic->complete = major == GSS_S_COMPLETE;
    CS_TRACE("inner %s: %s, token %zu bytes", step,
             ic->complete ? "complete" : "continue", out->len);
}

/* take_token: moves a mechglue buffer into a cs_blob. */
static cs_err
take_token(gss_buffer_t buf, cs_blob *out)
{
    const struct cs_glue *g = cs_glue();
    OM_uint32 minor;
    cs_err err = CS_OK;

    if (buf->length > 0) {
        err = cs_blob_set(out, buf->value, buf->length);
    }
    g->release_buffer(&minor, buf);
    return err;
}

/*
 * ntlm_challenge_crashes: whether in carries an NTLM CHALLENGE that
 * gss-ntlmssp 1.2.0 (Debian 12) cannot decode without writing through a
 * NULL pointer: NTLMSSP_NEGOTIATE_UNICODE and a target type flag with an
 * empty TargetName (its ntlm_decode_u16l_str_hdr; gss-ntlmssp issue 90,
 * fixed after 1.2.0).  A hostile server could crash the client with it,
 * raw or inside SPNEGO, which carries the message verbatim: every place
 * the signature occurs is checked.  MS-NLMP 2.2.1.2: with a target type,
 * TargetName is that server's or domain's name, so no real server sends
 * it empty.  Found by tests/fuzz/fuzz_initiator.
 */
static bool
ntlm_challenge_crashes(const cs_blob *in)
{
    static const uint8_t sig[12] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0,
                                     2,   0,   0,   0 };
    const uint8_t *p, *end;

    if (in->len < 24) {
        return false;             /* and no NULL + 0 for an empty token */
    }
    p = in->data;
    end = in->data + in->len;
    for (; end - p >= 24; p++) {
        struct cs_cursor c;
        uint16_t name_len;
        uint32_t flags;

        p = memmem(p, (size_t)(end - p), sig, sizeof(sig));
        if (p == NULL || end - p < 24) {
            return false;
        }
        /* TargetNameFields (Len, MaxLen, BufferOffset), NegotiateFlags. */
        cs_cursor_init(&c, p + sizeof(sig),
                       (size_t)(end - p) - sizeof(sig));
        name_len = cs_cursor_u16le(&c);
        (void)cs_cursor_skip(&c, 6);
        flags = cs_cursor_u32le(&c);
        if (name_len == 0 && (flags & NTLM_UNICODE) &&
            (flags & (NTLM_TARGET_TYPE_DOMAIN | NTLM_TARGET_TYPE_SERVER))) {
            return true;
        }
    }
    return false;
}

cs_err
cs_inner_init(struct cs_inner *ic, gss_cred_id_t cred, gss_name_t target,
              enum cs_inner_mode mode, const cs_blob *in, cs_blob *out)
{
    const struct cs_glue *g = cs_glue();
    gss_buffer_desc in_buf = { 0, NULL }, out_buf = { 0, NULL };
    gss_OID actual = GSS_C_NO_OID;
    OM_uint32 major, minor = 0;
    cs_err err;

    if (in != NULL) {
        in_buf.length = in->len;
        in_buf.value = in->data;
        if (ntlm_challenge_crashes(in)) {
            CS_TRACE("inner init: NTLM CHALLENGE with an empty TargetName "
                     "refused");
            return CREDSSP_S_BAD_NTLM_CHALLENGE;
        }
    }
    major = g->init_sec_context(&minor, cred, &ic->ctx, target,
                                cs_inner_mode_mech(mode), INNER_REQ_FLAGS, 0,
                                ic->cb, &in_buf, &actual,
                                &out_buf, &ic->ret_flags, &ic->time_rec);
    err = take_token(&out_buf, out);
    if (GSS_ERROR(major)) {
        bool ntlm = mode == CS_MECH_NTLM || carries_ntlm(in);

        cs_blob_free(out);
        return inner_error(classify(major, minor, ntlm, true),
                           GSS_ROUTINE_ERROR(major) == GSS_S_BAD_MECH
                               ? mode_name(mode)
                           : ntlm ? "NTLM"
                                  : "Kerberos",
                           major, minor);
    }
    step_done(ic, "init", actual, major, out);
    return err;
}

/*
 * u2u_fallback: the credential for a first token MIT's SPNEGO cannot take
 * as it is.  sspi-rs-based clients (IronRDP) in Kerberos mode offer
 * [MS-KRB5, KRB5, NTLM] and send a Kerberos user-to-user request
 * (KERB-TGT-REQUEST) as the optimistic token.  MIT's SPNEGO picks the
 * client's first mech, Kerberos, finds the token framed for a mech
 * Kerberos does not implement (MIT's krb5 has no user-to-user acceptor)
 * and rejects the negotiation without trying NTLM; and the client's
 * Kerberos needs user-to-user, so plain Kerberos cannot serve it either.
 *
 * A SPNEGO credential that offers only NTLM, for this one context, makes
 * MIT's SPNEGO choose NTLM, drop the optimistic token (RFC 4178 3.2) and
 * demand the mechListMIC exchange, which covers the client's mechTypes as
 * sent.  This widens nothing: a raw NTLM token is accepted anyway.  The
 * new NTLM element is the default acceptor (NTLM_USER_FILE), as the raw
 * one is unless a name was given: gss-ntlmssp 1.2.0 cannot tell the name
 * of a nameless acceptor credential (gss_inquire_cred_by_mech crashes).
 * Without an NTLM acceptor element nothing changes.
 */
static void
u2u_fallback(struct cs_inner *ic, gss_cred_id_t cred, const cs_blob *in)
{
    const struct cs_glue *g = cs_glue();
    gss_OID_set_desc spnego = one_mech_set((gss_OID)&cs_oid_spnego);
    gss_OID_set_desc ntlm = one_mech_set((gss_OID)&cs_oid_ntlmssp);
    gss_OID_set mechs = GSS_C_NO_OID_SET;
    OM_uint32 major, minor;
    bool has_ntlm = false;
    size_t i;

    if (ic->ctx != GSS_C_NO_CONTEXT || ic->u2u_cred != GSS_C_NO_CREDENTIAL ||
        !cs_negtoken_u2u_offers_ntlm(in->data, in->len)) {
        return;
    }
    major = g->inquire_cred(&minor, cred, NULL, NULL, NULL, &mechs);
    for (i = 0; major == GSS_S_COMPLETE && i < mechs->count; i++) {
        has_ntlm = has_ntlm || cs_oid_equal(&mechs->elements[i],
                                            &cs_oid_ntlmssp);
    }
    if (major == GSS_S_COMPLETE && !has_ntlm) {
        major = GSS_S_NO_CRED;
    }
    if (major == GSS_S_COMPLETE) {
        major = g->acquire_cred(&minor, GSS_C_NO_NAME, 0, &spnego,
                                GSS_C_ACCEPT, &ic->u2u_cred, NULL, NULL);
    }
    if (major == GSS_S_COMPLETE) {
        major = g->set_neg_mechs(&minor, ic->u2u_cred, &ntlm);
    }
    g->release_oid_set(&minor, &mechs);
    if (major != GSS_S_COMPLETE) {
        CS_TRACE("SPNEGO: Kerberos user-to-user offered: no NTLM-only "
                 "credential (major 0x%x)", major);
        g->release_cred(&minor, &ic->u2u_cred);
        return;
    }
    CS_TRACE("SPNEGO: Kerberos user-to-user offered, which MIT's krb5 "
             "cannot accept: negotiating NTLM, also offered");
}

cs_err
cs_inner_accept(struct cs_inner *ic, gss_cred_id_t cred, const cs_blob *in,
                cs_blob *out)
{
    const struct cs_glue *g = cs_glue();
    gss_buffer_desc in_buf = { in->len, in->data }, out_buf = { 0, NULL };
    gss_OID actual = GSS_C_NO_OID;
    OM_uint32 major, minor = 0;
    cs_blob padded = { 0 };
    bool did_pad = false;
    cs_err err;

    if (ic->ctx == GSS_C_NO_CONTEXT) {
        /* Impacket's 32-byte NEGOTIATE (no Version): gss-ntlmssp wants
         * 40 bytes (ntlm.h). */
        err = cs_ntlm_pad_negotiate(in, &padded, &did_pad);
        if (err != CS_OK) {
            return err;
        }
        if (did_pad) {
            CS_TRACE("inner accept: NTLM NEGOTIATE without Version (%zu "
                     "bytes) padded to %zu for gss-ntlmssp", in->len,
                     padded.len);
            ic->padded_negotiate = true;
            in_buf.length = padded.len;
            in_buf.value = padded.data;
        }
    }
    /* The mechglue names the mech only once the context completes; a raw
     * NTLMSSP or AP-REQ token names it at once (for error mapping). */
    if (ic->actual_mech.length == 0 && in->len >= 8 &&
        memcmp(in->data, "NTLMSSP", 8) == 0) {
        keep_mech(ic, (gss_OID)&cs_oid_ntlmssp);
    } else if (ic->actual_mech.length == 0 && in->len > 0 &&
               in->data[0] == 0x6e) {
        keep_mech(ic, (gss_OID)&cs_oid_krb5);
    }
    u2u_fallback(ic, cred, in);
    if (ic->u2u_cred != GSS_C_NO_CREDENTIAL) {
        cred = ic->u2u_cred;
    }
    major = g->accept_sec_context(&minor, &ic->ctx, cred, &in_buf,
                                  ic->cb,
                                  ic->src_name == GSS_C_NO_NAME
                                      ? &ic->src_name
                                      : NULL,
                                  &actual, &out_buf, &ic->ret_flags,
                                  &ic->time_rec,
                                  ic->deleg_cred == GSS_C_NO_CREDENTIAL
                                      ? &ic->deleg_cred
                                      : NULL);
    cs_blob_free(&padded);
    err = take_token(&out_buf, out);
    if (GSS_ERROR(major) && ic->padded_negotiate &&
        GSS_ROUTINE_ERROR(major) == GSS_S_DEFECTIVE_TOKEN &&
        cs_ntlm_auth_has_mic(in)) {
        /* gss-ntlmssp checks the MIC over the NEGOTIATE we padded; the
         * client's covers another (the one it sent): say that, rather
         * than gss-ntlmssp's bare MIC failure. */
        CS_TRACE("inner accept: the MIC of an NTLM client that sent no "
                 "Version does not cover the padded NEGOTIATE");
        return CREDSSP_S_NTLM_MIC_NO_VERSION;
    }
    if (GSS_ERROR(major)) {
        bool ntlm = cs_inner_is_ntlm(ic) || carries_ntlm(in);

        /* A failed first call leaves no context behind. */
        if (err != CS_OK) {
            return err;
        }
        return inner_error(classify(major, minor, ntlm, false),
                           GSS_ROUTINE_ERROR(major) == GSS_S_BAD_MECH
                               ? "SPNEGO"
                           : ntlm                 ? "NTLM"
                           : cs_inner_is_krb5(ic) ? "Kerberos"
                                                  : "SPNEGO",
                           major, minor);
    }
    step_done(ic, "accept", actual, major, out);
    return err;
}

bool
cs_inner_can_wrap(const struct cs_inner *ic)
{
    return ic->ctx != GSS_C_NO_CONTEXT &&
           (ic->complete || (ic->ret_flags & GSS_C_PROT_READY_FLAG));
}

bool
cs_inner_is_ntlm(const struct cs_inner *ic)
{
    return cs_oid_equal(&ic->actual_mech, &cs_oid_ntlmssp);
}

bool
cs_inner_is_krb5(const struct cs_inner *ic)
{
    return cs_oid_equal(&ic->actual_mech, &cs_oid_krb5);
}

cs_err
cs_inner_wrap(struct cs_inner *ic, const uint8_t *msg, size_t len,
              cs_blob *out)
{
    const struct cs_glue *g = cs_glue();
    gss_buffer_desc in_buf = { len, (void *)msg }, out_buf = { 0, NULL };
    OM_uint32 major, minor = 0;
    int conf = 0;

    major = g->wrap(&minor, ic->ctx, 1, GSS_C_QOP_DEFAULT, &in_buf, &conf,
                    &out_buf);
    if (major != GSS_S_COMPLETE || !conf) {
        OM_uint32 tmp;

        CS_TRACE("inner wrap: conf %d", conf);
        g->release_buffer(&tmp, &out_buf);
        return inner_error(CREDSSP_S_INNER_FAILED, mech_name(ic),
                           major != GSS_S_COMPLETE ? major : GSS_S_FAILURE,
                           minor);
    }
    return take_token(&out_buf, out);
}

cs_err
cs_inner_unwrap(struct cs_inner *ic, const uint8_t *msg, size_t len,
                cs_blob *out)
{
    const struct cs_glue *g = cs_glue();
    gss_buffer_desc in_buf = { len, (void *)msg }, out_buf = { 0, NULL };
    OM_uint32 major, minor = 0;
    int conf = 0;
    cs_err err = CS_OK;

    major = g->unwrap(&minor, ic->ctx, &in_buf, &out_buf, &conf, NULL);
    if (major != GSS_S_COMPLETE || !conf) {
        CS_TRACE("inner unwrap: conf %d", conf);
        err = inner_error(CREDSSP_S_INNER_FAILED, mech_name(ic),
                          major != GSS_S_COMPLETE ? major : GSS_S_FAILURE,
                          minor);
    } else if (out_buf.length > 0) {
        err = cs_blob_set(out, out_buf.value, out_buf.length);
    }
    if (out_buf.value != NULL) {
        cs_wipe(out_buf.value, out_buf.length);
    }
    g->release_buffer(&minor, &out_buf);
    return err;
}

cs_err
cs_inner_initiator_realm(struct cs_inner *ic, char **out)
{
    const struct cs_glue *g = cs_glue();
    gss_name_t name = GSS_C_NO_NAME;
    gss_buffer_desc text = { 0, NULL };
    OM_uint32 minor;
    const char *at;
    cs_err err = CS_OK;

    *out = NULL;
    if (!cs_inner_is_krb5(ic) ||
        g->inquire_context(&minor, ic->ctx, &name, NULL, NULL, NULL, NULL,
                           NULL, NULL) != GSS_S_COMPLETE) {
        return CS_OK;
    }
    if (g->display_name(&minor, name, &text, NULL) == GSS_S_COMPLETE) {
        at = memrchr(text.value, '@', text.length);
        if (at != NULL) {
            size_t n = text.length - (size_t)(at + 1 - (char *)text.value);

            *out = malloc(n + 1);
            if (*out == NULL) {
                err = CREDSSP_S_NOMEM;
            } else {
                memcpy(*out, at + 1, n);
                (*out)[n] = '\0';
            }
        }
        g->release_buffer(&minor, &text);
    }
    g->release_name(&minor, &name);
    return err;
}

void
cs_inner_drop(struct cs_inner *ic)
{
    const struct cs_glue *g = cs_glue();
    OM_uint32 minor;

    if (g == NULL) {
        return;
    }
    if (ic->ctx != GSS_C_NO_CONTEXT) {
        g->delete_sec_context(&minor, &ic->ctx, GSS_C_NO_BUFFER);
    }
    if (ic->deleg_cred != GSS_C_NO_CREDENTIAL) {
        g->release_cred(&minor, &ic->deleg_cred);
    }
    if (ic->u2u_cred != GSS_C_NO_CREDENTIAL) {
        g->release_cred(&minor, &ic->u2u_cred);
    }
}

void
cs_inner_release(struct cs_inner *ic)
{
    const struct cs_glue *g = cs_glue();
    OM_uint32 minor;

    cs_inner_drop(ic);
    if (g != NULL && ic->src_name != GSS_C_NO_NAME) {
        g->release_name(&minor, &ic->src_name);
    }
}

void
cs_inner_release_name(gss_name_t *name)
{
    const struct cs_glue *g = cs_glue();
    OM_uint32 minor;

    if (g != NULL && *name != GSS_C_NO_NAME) {
        g->release_name(&minor, name);
    }
}

void
cs_inner_release_cred(gss_cred_id_t *cred)
{
    const struct cs_glue *g = cs_glue();
    OM_uint32 minor;

    if (*cred != GSS_C_NO_CREDENTIAL && g != NULL) {
        g->release_cred(&minor, cred);
    }
}

cs_err
cs_inner_user_name(const char *text, gss_name_t *out)
{
    const struct cs_glue *g = cs_glue();
    gss_buffer_desc buf;
    OM_uint32 major, minor;

    buf.value = (void *)text;
    buf.length = strlen(text);
    major = g->import_name(&minor, &buf, (gss_OID)&cs_oid_nt_user_name,
                           out);
    return major == GSS_S_COMPLETE ? CS_OK : CREDSSP_S_BAD_NAME;
}

cs_err
cs_inner_duplicate_name(gss_name_t name, gss_name_t *out)
{
    const struct cs_glue *g = cs_glue();
    OM_uint32 minor;

    return g->duplicate_name(&minor, name, out) == GSS_S_COMPLETE
               ? CS_OK
               : CREDSSP_S_BAD_NAME;
}

cs_err
cs_inner_display_name(gss_name_t name, char **text, bool *hostbased)
{
    const struct cs_glue *g = cs_glue();
    gss_buffer_desc buf = { 0, NULL };
    gss_OID type = GSS_C_NO_OID;
    OM_uint32 major, minor;

    major = g->display_name(&minor, name, &buf, &type);
    if (major != GSS_S_COMPLETE) {
        return CREDSSP_S_BAD_NAME;
    }
    *text = strndup(buf.value, buf.length);
    g->release_buffer(&minor, &buf);
    if (*text == NULL) {
        return CREDSSP_S_NOMEM;
    }
    *hostbased = cs_oid_equal(type, &cs_oid_nt_hostbased_service);
    return CS_OK;
}

/* ---- a Kerberos ticket for a delegated password ---- */

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
cs_inner_store_krb5(const char *principal, const char *password,
                    OM_uint32 overwrite, OM_uint32 default_cred,
                    gss_const_key_value_set_t cred_store)
{
    const struct cs_glue *g = cs_glue();
    gss_OID_set_desc krb5 = { 1, (gss_OID)&cs_oid_krb5 };
    gss_buffer_desc text, pw, full = { 0, NULL };
    gss_name_t name = GSS_C_NO_NAME, mn = GSS_C_NO_NAME;
    gss_cred_id_t kcred = GSS_C_NO_CREDENTIAL;
    OM_uint32 major, minor = 0, tmp;
    char *shown = NULL;
    cs_err err;

    pw.value = (void *)password;
    pw.length = strlen(password);
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
