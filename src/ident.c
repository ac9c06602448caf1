/* SPDX-License-Identifier: MIT */
/*
 * ident.c - see ident.h.
 */
#include "config.h"

#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "escape.h"
#include "ident.h"

/* Microsoft's Kerberos OID (1.2.840.48018.1.2.2), which Windows clients
 * may put first in SPNEGO; MIT's krb5 answers to it. */
static const gss_OID_desc ms_krb5_oid = {
    9, (void *)"\x2a\x86\x48\x82\xf7\x12\x01\x02\x02"
};

/* ---- case-insensitive comparison ---- */

static pthread_once_t case_once = PTHREAD_ONCE_INIT;
static locale_t case_locale;

/* load_case_locale: glibc's built-in C.UTF-8 has Unicode's simple case
 * mappings and does not depend on the host program's locale.  Without it
 * only ASCII letters fold (fewer names match, never more). */
static void
load_case_locale(void)
{
    case_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* fold: a code point's simple upper- and lower-case mappings. */
static void
fold(uint32_t cp, uint32_t *up, uint32_t *lo)
{
    if (case_locale != (locale_t)0) {
        *up = (uint32_t)towupper_l((wint_t)cp, case_locale);
        *lo = (uint32_t)towlower_l((wint_t)cp, case_locale);
    } else {
        *up = cp >= 'a' && cp <= 'z' ? cp - 32 : cp;
        *lo = cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    }
}

bool
cs_text_equal_nocase(const char *a, const char *b)
{
    const unsigned char *pa = (const unsigned char *)a;
    const unsigned char *pb = (const unsigned char *)b;
    size_t la = strlen(a), lb = strlen(b), i = 0, j = 0;

    pthread_once(&case_once, load_case_locale);
    while (i < la && j < lb) {
        uint32_t ca, cb, ua, ub, wa, wb;
        size_t na = cs_utf8_next(pa + i, la - i, &ca);
        size_t nb = cs_utf8_next(pb + j, lb - j, &cb);

        if (na == 0 || nb == 0) {
            return strcmp(a, b) == 0;
        }
        fold(ca, &ua, &wa);
        fold(cb, &ub, &wb);
        if (ua != ub || wa != wb) {
            return false;
        }
        i += na;
        j += nb;
    }
    return i == la && j == lb;
}

/* ---- the authenticated identity ---- */

void
cs_ident_clear(struct cs_ident *id)
{
    free(id->text);
    free(id->user);
    free(id->domain);
    memset(id, 0, sizeof(*id));
}

/* krb5_user: the user part of a krb5 display text (before its first
 * unescaped '@'), unescaped, in *out; NULL for a principal of several
 * components (an unescaped '/') or with an escaped NUL, which are nobody's
 * user name.  *at_out is the realm separator's index (len if none). */
static cs_err
krb5_user(const char *text, size_t len, size_t *at_out, char **out)
{
    size_t i, n = 0;
    bool several = false, nul = false;
    char *u;

    *out = NULL;
    for (i = 0; i < len && text[i] != '@'; i++) {
        if (text[i] == '\\' && i + 1 < len) {
            nul = nul || text[++i] == '0';
        } else if (text[i] == '/') {
            several = true;
        }
    }
    *at_out = i;
    if (several || nul || i == 0) {
        return CS_OK;
    }
    u = malloc(i + 1);
    if (u == NULL) {
        return CREDSSP_S_NOMEM;
    }
    for (i = 0; i < *at_out; i++) {
        char ch = text[i];

        if (ch == '\\' && i + 1 < *at_out) {
            ch = text[++i];
            ch = ch == 'n' ? '\n' : ch == 't' ? '\t' : ch == 'b' ? '\b' : ch;
        }
        u[n++] = ch;
    }
    u[n] = '\0';
    *out = u;
    return CS_OK;
}

cs_err
cs_ident_parse(enum cs_ident_kind kind, const char *text, size_t len,
               struct cs_ident *out)
{
    struct cs_ident id = { kind, NULL, NULL, NULL };
    const char *bs, *user;
    cs_err err = CREDSSP_S_NOMEM;
    size_t at;

    if (memchr(text, '\0', len) != NULL) {
        id.kind = CS_IDENT_NONE;
        len = 0;
    }
    id.text = strndup(text, len);
    if (id.text == NULL) {
        goto cleanup;
    }
    switch (id.kind) {
    case CS_IDENT_KRB5:
        err = krb5_user(id.text, len, &at, &id.user);
        if (err != CS_OK) {
            goto cleanup;
        }
        id.domain = strdup(at < len ? id.text + at + 1 : "");
        break;
    case CS_IDENT_NTLM:
        bs = memchr(id.text, '\\', len);
        id.domain = strndup(id.text, bs != NULL ? (size_t)(bs - id.text)
                                                : 0);
        user = bs != NULL ? bs + 1 : id.text;
        if (*user != '\0' && (id.user = strdup(user)) == NULL) {
            goto cleanup;
        }
        break;
    case CS_IDENT_ANON:
    case CS_IDENT_NONE:
    default:
        id.domain = strdup("");
        break;
    }
    if (id.domain == NULL) {
        goto cleanup;
    }
    *out = id;
    memset(&id, 0, sizeof(id));
    err = CS_OK;

cleanup:
    cs_ident_clear(&id);
    return err;
}

cs_err
cs_ident_from_inner(const struct cs_inner *ic, struct cs_ident *out)
{
    const struct cs_glue *g = cs_glue();
    gss_buffer_desc buf = { 0, NULL };
    gss_OID type = GSS_C_NO_OID;
    enum cs_ident_kind kind = CS_IDENT_NONE;
    OM_uint32 minor;
    size_t len;
    cs_err err;

    if (g == NULL || ic->src_name == GSS_C_NO_NAME ||
        g->display_name(&minor, ic->src_name, &buf, &type) !=
            GSS_S_COMPLETE) {
        return cs_ident_parse(CS_IDENT_NONE, "", 0, out);
    }
    /* gss-ntlmssp counts the terminating NUL in the length. */
    len = buf.length;
    while (len > 0 && ((const char *)buf.value)[len - 1] == '\0') {
        len--;
    }
    if (cs_oid_equal(type, &cs_oid_nt_anonymous)) {
        kind = CS_IDENT_ANON;
    } else if (cs_inner_is_krb5(ic) ||
               cs_oid_equal(&ic->actual_mech, &ms_krb5_oid)) {
        kind = CS_IDENT_KRB5;
    } else if (cs_inner_is_ntlm(ic)) {
        kind = CS_IDENT_NTLM;
    }
    err = cs_ident_parse(kind, buf.value, len, out);
    g->release_buffer(&minor, &buf);
    return err;
}

bool
cs_ident_anonymous(const struct cs_inner *ic)
{
    const struct cs_glue *g = cs_glue();
    gss_buffer_desc buf = { 0, NULL };
    gss_OID type = GSS_C_NO_OID;
    OM_uint32 minor;
    bool anon = false;

    if (ic->ret_flags & GSS_C_ANON_FLAG) {
        return true;
    }
    if (g != NULL && ic->src_name != GSS_C_NO_NAME &&
        g->display_name(&minor, ic->src_name, &buf, &type) ==
            GSS_S_COMPLETE) {
        anon = cs_oid_equal(type, &cs_oid_nt_anonymous);
        g->release_buffer(&minor, &buf);
    }
    return anon;
}

/* ---- matching ---- */

/* same_domain: whether a domain the client named is the authenticated
 * one: equal, or a NetBIOS name and the DNS name it is the first label
 * of. */
static bool
same_domain(const char *claim, const char *auth)
{
    const char *dns, *netbios, *dot;
    char *label;
    bool same;

    if (cs_text_equal_nocase(claim, auth)) {
        return true;
    }
    if ((strchr(claim, '.') == NULL) == (strchr(auth, '.') == NULL)) {
        return false;
    }
    dns = strchr(claim, '.') != NULL ? claim : auth;
    netbios = dns == claim ? auth : claim;
    dot = strchr(dns, '.');
    if (*netbios == '\0' || dot == dns) {
        return false;
    }
    label = strndup(dns, (size_t)(dot - dns));
    same = label != NULL && cs_text_equal_nocase(netbios, label);
    free(label);
    return same;
}

/* split_user: the delegated user without a "DOMAIN\" prefix (then in
 * *prefix, when the domain field is empty) or a UPN suffix (in *suffix);
 * NULL when out of memory. */
static char *
split_user(const char *domain, const char *user, char **prefix,
           const char **suffix)
{
    const char *bs = strchr(user, '\\'), *at;

    *prefix = NULL;
    *suffix = NULL;
    if (*domain == '\0' && bs != NULL) {
        *prefix = strndup(user, (size_t)(bs - user));
        if (*prefix == NULL) {
            return NULL;
        }
        user = bs + 1;
    }
    at = strrchr(user, '@');
    if (at != NULL && at != user) {
        *suffix = at + 1;
        return strndup(user, (size_t)(at - user));
    }
    return strdup(user);
}

bool
cs_ident_match(const struct cs_ident *id, const char *domain,
               const char *user)
{
    char *prefix = NULL, *bare;
    const char *suffix = NULL, *rest;
    bool ok = false;

    if (id->user == NULL || user == NULL) {
        return false;
    }
    domain = domain != NULL ? domain : "";
    bare = split_user(domain, user, &prefix, &suffix);
    if (bare == NULL) {
        goto cleanup;
    }
    rest = prefix != NULL ? user + strlen(prefix) + 1 : user;
    if (cs_text_equal_nocase(rest, id->user)) {
        suffix = NULL;            /* a UPN (or enterprise) user name */
    } else if (suffix == NULL || !cs_text_equal_nocase(bare, id->user)) {
        goto cleanup;
    }
    ok = (*domain == '\0' || same_domain(domain, id->domain)) &&
         (prefix == NULL || same_domain(prefix, id->domain)) &&
         (suffix == NULL || (*suffix != '\0' &&
                             same_domain(suffix, id->domain)));

cleanup:
    free(prefix);
    free(bare);
    return ok;
}

/* krb5_escape: a user name as one krb5 name component ('@', '/' and
 * '\' escaped, so that it can name neither a realm nor an instance). */
static char *
krb5_escape(const char *user)
{
    size_t n = 0;
    char *out = malloc(2 * strlen(user) + 1);

    if (out == NULL) {
        return NULL;
    }
    for (; *user != '\0'; user++) {
        char ch = *user;

        if (ch == '@' || ch == '/' || ch == '\\' || ch == '\n' ||
            ch == '\t' || ch == '\b') {
            out[n++] = '\\';
            ch = ch == '\n' ? 'n' : ch == '\t' ? 't' : ch == '\b' ? 'b' : ch;
        }
        out[n++] = ch;
    }
    out[n] = '\0';
    return out;
}

cs_err
cs_ident_names(const struct cs_ident *id, bool matched, const char *user,
               char **name_out, char **princ_out)
{
    char *prefix = NULL, *bare = NULL, *esc = NULL, *name = NULL;
    char *princ = NULL;
    const char *suffix, *u;
    cs_err err = CREDSSP_S_NOMEM;
    int n = 0;

    matched = matched && id->user != NULL;
    bare = split_user("", user, &prefix, &suffix);
    if (bare == NULL) {
        goto cleanup;
    }
    u = matched ? id->user : bare;
    esc = krb5_escape(u);
    if (esc == NULL) {
        goto cleanup;
    }
    if (id->kind == CS_IDENT_KRB5 && *id->domain != '\0') {
        n = matched ? asprintf(&name, "%s", id->text)
                    : asprintf(&name, "%s@%s", esc, id->domain);
        princ = n >= 0 ? strdup(name) : NULL;
    } else {
        if (matched) {
            n = asprintf(&name, "%s", id->text);
        } else if (id->kind == CS_IDENT_NTLM && *id->domain != '\0') {
            n = asprintf(&name, "%s\\%s", id->domain, u);
        } else {
            n = asprintf(&name, "%s", u);
        }
        princ = n >= 0 ? strdup(esc) : NULL;
    }
    if (n < 0) {
        name = NULL;
        goto cleanup;
    }
    if (princ == NULL) {
        goto cleanup;
    }
    *name_out = name;
    *princ_out = princ;
    name = princ = NULL;
    err = CS_OK;

cleanup:
    free(prefix);
    free(bare);
    free(esc);
    free(name);
    free(princ);
    return err;
}
