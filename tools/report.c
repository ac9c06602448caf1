/* SPDX-License-Identifier: MIT */
/*
 * report.c - what the `credssp` tool prints: human-readable lines, or one
 * JSON object per line with --json, and --verbose traces on stderr.
 * Everything a peer or the mechanism chose is escaped on the way out.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tool.h"

/* Prints one --verbose line on stderr, prefixed with the role. */
void
ct_verbose(const struct ct_out *out, const char *fmt, ...)
{
    va_list ap;

    if (out == NULL || !out->verbose) {
        return;
    }
    fprintf(stderr, "credssp: %s: ", out->role);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

/* Appends ,"key":"value" with value JSON-escaped. */
static void
json_field(struct ct_text *t, const char *key, const char *value)
{
    ct_text_addf(t, ",\"%s\":", key);
    ct_text_add_json(t, value, strlen(value));
}

/* Appends the CredSSP version as a JSON number, or as a string if odd. */
static void
json_version(struct ct_text *t, const struct ct_text *version)
{
    const char *v = ct_text_str(version);
    size_t n = strlen(v);

    if (n > 0 && n < 10 && strspn(v, "0123456789") == n) {
        ct_text_addf(t, ",\"credssp_version\":%s", v);
    } else {
        json_field(t, "credssp_version", v);
    }
}

/* Writes a finished line to f and flushes it (pipes see it at once). */
static void
emit(FILE *f, const struct ct_text *t)
{
    fputs(ct_text_str(t), f);
    fputc('\n', f);
    fflush(f);
}

/* Appends the shared "(CredSSP 6, inner x, TLSv1.3 cipher" part. */
static void
human_ctx(struct ct_text *t, const struct ct_ctx_info *info)
{
    const struct ct_text *parts[4];
    static const char *const labels[4] = { " (CredSSP ", ", inner ", ", ",
                                           " " };
    size_t i;

    parts[0] = &info->version;
    parts[1] = &info->inner_mech;
    parts[2] = &info->tls_version;
    parts[3] = &info->cipher;
    for (i = 0; i < 4; i++) {
        ct_text_adds(t, labels[i]);
        ct_text_add_safe(t, ct_text_str(parts[i]),
                         strlen(ct_text_str(parts[i])));
    }
}

/* Appends the shared JSON fields of a context. */
static void
json_ctx(struct ct_text *t, const struct ct_ctx_info *info)
{
    json_version(t, &info->version);
    json_field(t, "inner_mech", ct_text_str(&info->inner_mech));
    json_field(t, "tls_version", ct_text_str(&info->tls_version));
    json_field(t, "cipher", ct_text_str(&info->cipher));
}

/*
 * Reports a failure: always a human-readable message on stderr (with the
 * GSS major and minor texts for a failed GSS call), and with --json also
 * an "error" event on stdout.
 */
void
ct_report_error(const struct ct_out *out, const struct ct_err *err)
{
    struct ct_text major = { 0 }, minor = { 0 }, line = { 0 };

    if (err->is_gss) {
        ct_status_text(&major, err->major, GSS_C_GSS_CODE);
        ct_status_text(&minor, err->minor, GSS_C_MECH_CODE);
    }

    ct_text_addf(&line, "credssp: %s: error: ", out->role);
    ct_text_add_safe(&line, err->msg, strlen(err->msg));
    if (err->is_gss) {
        ct_text_addf(&line, "\ncredssp: %s:   major: ", out->role);
        ct_text_add_safe(&line, ct_text_str(&major),
                         strlen(ct_text_str(&major)));
        ct_text_addf(&line, "\ncredssp: %s:   minor: ", out->role);
        ct_text_add_safe(&line, ct_text_str(&minor),
                         strlen(ct_text_str(&minor)));
    }
    if (err->hint[0] != '\0') {
        ct_text_addf(&line, "\ncredssp: %s:   hint: ", out->role);
        ct_text_add_safe(&line, err->hint, strlen(err->hint));
    }
    emit(stderr, &line);

    if (out->json) {
        ct_text_clear(&line);
        ct_text_adds(&line, "{\"event\":\"error\"");
        json_field(&line, "role", out->role);
        json_field(&line, "message", err->msg);
        if (err->hint[0] != '\0') {
            json_field(&line, "hint", err->hint);
        }
        if (err->is_gss) {
            json_field(&line, "major", ct_text_str(&major));
            json_field(&line, "minor", ct_text_str(&minor));
            ct_text_addf(&line, ",\"major_code\":%lu,\"minor_code\":%lu}",
                         (unsigned long)err->major,
                         (unsigned long)err->minor);
        } else {
            ct_text_adds(&line, ",\"major\":null,\"minor\":null}");
        }
        emit(stdout, &line);
    }
    ct_text_free(&major);
    ct_text_free(&minor);
    ct_text_free(&line);
}

/*
 * Reports the client's success: the target, what the context says about
 * itself, and whether credentials were delegated (GSS_C_DELEG_FLAG).
 */
void
ct_report_client(const struct ct_out *out, const char *target,
                 const struct ct_ctx_info *info, OM_uint32 ret_flags)
{
    struct ct_text line = { 0 };
    bool deleg = (ret_flags & GSS_C_DELEG_FLAG) != 0;
    bool mutual = (ret_flags & GSS_C_MUTUAL_FLAG) != 0;

    if (out->json) {
        ct_text_adds(&line, "{\"event\":\"authenticated\"");
        json_field(&line, "role", out->role);
        json_field(&line, "target", target);
        json_ctx(&line, info);
        ct_text_addf(&line, ",\"delegated\":%s,\"mutual\":%s}",
                     deleg ? "{\"type\":\"password\"}" : "null",
                     mutual ? "true" : "false");
    } else {
        ct_text_addf(&line, "%s: authenticated to ", out->role);
        ct_text_add_safe(&line, target, strlen(target));
        human_ctx(&line, info);
        ct_text_addf(&line, ", delegated %s)", deleg ? "password" : "none");
    }
    emit(stdout, &line);
    ct_text_free(&line);
}

/*
 * Reports the server's success: the authenticated name, what the context
 * says about itself and the delegated credential (never its password).
 */
void
ct_report_server(const struct ct_out *out, const char *peer,
                 const char *user, const struct ct_ctx_info *info,
                 const struct ct_deleg_info *deleg)
{
    struct ct_text line = { 0 };
    const char *dom = ct_text_str(&deleg->domain);
    const char *usr = ct_text_str(&deleg->user);

    if (out->json) {
        ct_text_adds(&line, "{\"event\":\"authenticated\"");
        json_field(&line, "role", out->role);
        json_field(&line, "user", user);
        json_field(&line, "peer", peer);
        json_ctx(&line, info);
        switch (deleg->type) {
        case CT_DELEG_PASSWORD:
            ct_text_adds(&line, ",\"delegated\":{\"type\":\"password\"");
            json_field(&line, "domain", dom);
            json_field(&line, "user", usr);
            ct_text_adds(&line, "}}");
            break;
        case CT_DELEG_EMPTY:
            ct_text_adds(&line, ",\"delegated\":{\"type\":\"empty\"}}");
            break;
        case CT_DELEG_UNKNOWN:
            ct_text_adds(&line, ",\"delegated\":{\"type\":\"unknown\"}}");
            break;
        case CT_DELEG_NONE:
        default:
            ct_text_adds(&line, ",\"delegated\":null}");
            break;
        }
    } else {
        ct_text_addf(&line, "%s: authenticated ", out->role);
        ct_text_add_safe(&line, user, strlen(user));
        human_ctx(&line, info);
        switch (deleg->type) {
        case CT_DELEG_PASSWORD:
            ct_text_adds(&line, ", delegated password ");
            if (*dom != '\0') {
                ct_text_add_safe(&line, dom, strlen(dom));
                ct_text_adds(&line, "\\");
            }
            ct_text_add_safe(&line, usr, strlen(usr));
            ct_text_adds(&line, ")");
            break;
        case CT_DELEG_EMPTY:
            ct_text_adds(&line, ", delegated empty credentials)");
            break;
        case CT_DELEG_UNKNOWN:
            ct_text_adds(&line, ", delegated unknown)");
            break;
        case CT_DELEG_NONE:
        default:
            ct_text_adds(&line, ", delegated none)");
            break;
        }
    }
    emit(stdout, &line);
    ct_text_free(&line);
}

/*
 * Reports a ticket stored with --store-ccache: the principal (which the
 * peer's authentication chose, so escaped) and the ccache.
 */
void
ct_report_stored(const struct ct_out *out, const char *principal,
                 const char *ccache)
{
    struct ct_text line = { 0 };

    if (out->json) {
        ct_text_adds(&line, "{\"event\":\"stored\"");
        json_field(&line, "role", out->role);
        json_field(&line, "principal", principal);
        json_field(&line, "ccache", ccache);
        ct_text_adds(&line, "}");
    } else {
        ct_text_addf(&line, "%s: ticket for ", out->role);
        ct_text_add_safe(&line, principal, strlen(principal));
        ct_text_adds(&line, " stored in ");
        ct_text_add_safe(&line, ccache, strlen(ccache));
    }
    emit(stdout, &line);
    ct_text_free(&line);
}
