/* SPDX-License-Identifier: MIT */
/*
 * winrm.h - WinRM's CredSSP message encryption ([MS-WSMV] 2.2.9.1.3): a
 * SOAP body sealed with gss_wrap_iov on a CredSSP context and carried as
 * multipart/encrypted (one part) or multipart/x-multi-encrypted (16 KiB
 * chunks), each part's payload a little-endian u32 trailer length then
 * the TLS record.  A test library: it builds and parses such bodies.
 */
#ifndef WINRM_H
#define WINRM_H

#include <stddef.h>
#include <stdint.h>

#include <gssapi/gssapi.h>

#define WINRM_CHUNK 16384

/* winrm_build: seals body on ctx into *out (malloc'd) and says which
 * content type it is; *trailer_len is the last part's trailer length.
 * Returns 0 or -1. */
int winrm_build(gss_ctx_id_t ctx, const uint8_t *body, size_t len,
                uint8_t **out, size_t *out_len, const char **content_type,
                uint32_t *trailer_len);

/* winrm_parse: opens a body built by winrm_build (or a peer) on ctx:
 * checks every part's headers, its OriginalContent length and its trailer
 * length against the record, and returns the SOAP body.  Returns 0 or -1
 * (with a reason in err). */
int winrm_parse(gss_ctx_id_t ctx, const uint8_t *in, size_t in_len,
                const char *content_type, uint8_t **body, size_t *len,
                char *err, size_t err_len);

#endif /* WINRM_H */
