/* SPDX-License-Identifier: MIT */
/*
 * cs.h - what every file of the CredSSP engine shares: the error type,
 * owned byte blobs and borrowed slices, and the wiping of secrets.
 *
 * Internal: never installed.
 */
#ifndef CS_H
#define CS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gssapi/gssapi_credssp.h"

/*
 * cs_err: the result of every engine function.  CS_OK or one of the public
 * minor codes, so that mech/ can hand it out as the minor status unchanged.
 */
typedef enum gss_credssp_minor cs_err;
#define CS_OK CREDSSP_S_OK

#define CS_WUR __attribute__((warn_unused_result))

/* An owned run of bytes.  A zeroed cs_blob is empty and needs no free. */
typedef struct cs_blob {
    uint8_t *data;
    size_t len;
} cs_blob;

/* A borrowed run of bytes: it points into memory that something else
 * owns and frees (the caller's token, a blob). */
typedef struct cs_slice {
    const uint8_t *data;
    size_t len;
} cs_slice;

/* cs_blob_free releases b's bytes without wiping them; b becomes empty. */
void cs_blob_free(cs_blob *b);

/* cs_blob_free_secret wipes b's bytes, then releases them. */
void cs_blob_free_secret(cs_blob *b);

/* cs_blob_set copies len bytes of data into *out (which must be empty). */
cs_err cs_blob_set(cs_blob *out, const void *data, size_t len) CS_WUR;

/* cs_str_free_secret wipes a NUL-terminated string, then frees it. */
void cs_str_free_secret(char *s);

/* cs_wipe wipes len bytes that the compiler must not optimise away. */
void cs_wipe(void *p, size_t len);

/* NTSTATUS values CredSSP peers exchange in errorCode ([MS-CSSP] 2.2.1;
 * doc/design.md 4.3). */
#define CS_STATUS_LOGON_FAILURE 0xC000006Du
#define CS_STATUS_WRONG_PASSWORD 0xC000006Au
#define CS_STATUS_PASSWORD_EXPIRED 0xC0000071u
#define CS_STATUS_PASSWORD_MUST_CHANGE 0xC0000224u
#define CS_STATUS_ACCOUNT_DISABLED 0xC0000072u
#define CS_STATUS_ACCOUNT_LOCKED_OUT 0xC0000234u
#define CS_STATUS_ACCESS_DENIED 0xC0000022u
#define CS_STATUS_NOT_SUPPORTED 0xC00000BBu
#define CS_STATUS_NO_SUCH_PACKAGE 0xC00000FEu
#define CS_STATUS_INVALID_PARAMETER 0xC000000Du
#define CS_SEC_E_LOGON_DENIED 0x8009030Cu

/* One minor code's entry in the error table (src/err.c). */
struct cs_err_info {
    const char *text;             /* display text, SSPI status first */
    OM_uint32 major;              /* the GSS major status it maps to */
    uint32_t ntstatus;            /* errorCode for the peer; 0: none */
};

/* cs_err_info: the table entry of one of our minor codes, or NULL for a
 * code that is not ours. */
const struct cs_err_info *cs_err_info(uint32_t code);

/* cs_err_text: the display text of a minor code (SSPI name first), or NULL
 * when the code is not ours. */
const char *cs_err_text(uint32_t code);

/* cs_err_set_detail: the particulars of the calling thread's last failure
 * with this code (a certificate's subject, the expected name), which
 * gss_display_status shows in place of the fixed text; cs_err_detail
 * returns it while code is the last one set, else NULL. */
void cs_err_set_detail(uint32_t code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *cs_err_detail(uint32_t code);

#endif /* CS_H */
