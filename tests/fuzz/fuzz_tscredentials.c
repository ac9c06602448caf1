/* SPDX-License-Identifier: MIT */
/*
 * fuzz_tscredentials.c - libFuzzer target for TSCredentials decoding.
 *
 * Targets (src/tsrequest.c, src/utf16.c): cs_tscredentials_decode (and
 * through it the TSPasswordCreds, TSSmartCardCreds/TSCspDataDetail and
 * TSRemoteGuardCreds decoders and cs_utf16le_to_utf8),
 * cs_tscredentials_encode, cs_tscredentials_clear.  What decodes must
 * encode again to the input but for length forms and one trailing UTF-16
 * NUL per text field, the decoder's two leniencies (der_equiv.h), and
 * decode to the same encoding (encode is canonical).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "der_equiv.h"
#include "fuzz.h"
#include "tsrequest.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cs_tscredentials creds = { 0 }, again = { 0 };
    cs_blob der = { 0 }, der2 = { 0 };

    if (cs_tscredentials_decode(data, size, &creds) != CS_OK) {
        return 0;
    }
    if (cs_tscredentials_encode(&creds, &der) != CS_OK) {
        fprintf(stderr, "decoded TSCredentials do not encode\n");
        abort();
    }
    if (!der_equiv(data, size, der.data, der.len, true)) {
        fprintf(stderr, "TSCredentials taken with more than length forms "
                "and one trailing NUL per string: %zu -> %zu bytes\n",
                size, der.len);
        abort();
    }
    if (cs_tscredentials_decode(der.data, der.len, &again) != CS_OK ||
        again.cred_type != creds.cred_type ||
        cs_tscredentials_encode(&again, &der2) != CS_OK ||
        der2.len != der.len || memcmp(der2.data, der.data, der.len) != 0) {
        fprintf(stderr, "TSCredentials encoding is not stable\n");
        abort();
    }
    cs_tscredentials_clear(&again);
    cs_tscredentials_clear(&creds);
    cs_blob_free_secret(&der);
    cs_blob_free_secret(&der2);
    return 0;
}
