/* SPDX-License-Identifier: MIT */
/*
 * earlyauth.c - the Early User Authorization Result of HYBRID_EX
 * ([MS-RDPBCGR] 2.2.10.2) in the `credssp` tool: four bytes that the rdp
 * server sends through the TLS channel (gss_wrap) once CredSSP completed.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "tool.h"

/* The server's side: seals result and sends it. */
enum ct_rc
ct_early_auth_send(int fd, gss_ctx_id_t ctx, uint32_t result,
                   const struct ct_out *out, struct ct_err *err)
{
    uint8_t value[4];
    gss_buffer_desc in = { sizeof(value), value }, sealed = { 0, NULL };
    OM_uint32 major, minor, tmp;
    enum ct_rc rc;

    ct_put_u32le(value, result);
    major = gss_wrap(&minor, ctx, 1, GSS_C_QOP_DEFAULT, &in, NULL, &sealed);
    if (GSS_ERROR(major)) {
        ct_err_gss(err, "gss_wrap (Early User Authorization Result)", major,
                   minor);
        return CT_ERR;
    }
    rc = ct_write_full(fd, sealed.value, sealed.length, err);
    (void)gss_release_buffer(&tmp, &sealed);
    if (rc == CT_OK) {
        ct_verbose(out, "-> Early User Authorization Result 0x%08lx",
                   (unsigned long)result);
    }
    return rc;
}

/*
 * The client's side: reads one TLS application-data record, unseals it
 * and fails unless it says AUTHZ_SUCCESS.
 */
enum ct_rc
ct_early_auth_recv(int fd, gss_ctx_id_t ctx, const struct ct_out *out,
                   struct ct_err *err)
{
    uint8_t rec[5 + 256];
    gss_buffer_desc in = { 0, rec }, plain = { 0, NULL };
    OM_uint32 major, minor, tmp;
    size_t len;
    uint32_t value;

    if (ct_read_full(fd, rec, 5, err) != CT_OK) {
        ct_err_set(err, "no Early User Authorization Result from the server");
        return CT_ERR;
    }
    len = ((size_t)rec[3] << 8) | rec[4];
    if (rec[0] != 23 || len > sizeof(rec) - 5 ||
        ct_read_full(fd, rec + 5, len, err) != CT_OK) {
        ct_err_set(err, "malformed Early User Authorization Result record");
        return CT_ERR;
    }
    in.length = 5 + len;
    major = gss_unwrap(&minor, ctx, &in, &plain, NULL, NULL);
    if (GSS_ERROR(major)) {
        ct_err_gss(err, "gss_unwrap (Early User Authorization Result)",
                   major, minor);
        return CT_ERR;
    }
    if (plain.length != 4) {
        (void)gss_release_buffer(&tmp, &plain);
        ct_err_set(err, "Early User Authorization Result of %zu bytes",
                   plain.length);
        return CT_ERR;
    }
    value = ct_get_u32le(plain.value);
    (void)gss_release_buffer(&tmp, &plain);
    ct_verbose(out, "<- Early User Authorization Result 0x%08lx",
               (unsigned long)value);
    if (value != 0) {
        ct_err_set(err, "the server denied access after authentication "
                   "(Early User Authorization Result 0x%08lx%s)",
                   (unsigned long)value,
                   value == 5 ? ", ACCESS_DENIED" : "");
        return CT_ERR;
    }
    return CT_OK;
}
