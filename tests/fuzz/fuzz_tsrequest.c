/* SPDX-License-Identifier: MIT */
/*
 * fuzz_tsrequest.c - libFuzzer target for the DER codec of TSRequest.
 *
 * Targets (src/tsrequest.c): cs_tsrequest_decode, cs_tsrequest_encode,
 * cs_tsrequest_clear.  A round trip: whatever decode accepts must
 * re-encode to the same bytes but for the length forms, the one leniency
 * the decoder has (der_equiv.h), and the result must decode again to the
 * same fields.  Anything else aborts.
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
    struct cs_tsrequest req = { 0 }, again = { 0 };
    cs_blob der = { 0 };

    if (cs_tsrequest_decode(data, size, &req) != CS_OK) {
        return 0;
    }
    if (cs_tsrequest_encode(&req, &der) != CS_OK) {
        fprintf(stderr, "decoded TSRequest does not encode\n");
        abort();
    }
    if (!der_equiv(data, size, der.data, der.len, false)) {
        fprintf(stderr, "TSRequest round trip differs in more than length "
                "forms: %zu -> %zu bytes\n", size, der.len);
        abort();
    }
    if (cs_tsrequest_decode(der.data, der.len, &again) != CS_OK ||
        again.version != req.version ||
        again.num_nego_tokens != req.num_nego_tokens ||
        again.has_auth_info != req.has_auth_info ||
        again.has_pub_key_auth != req.has_pub_key_auth ||
        again.has_error_code != req.has_error_code ||
        again.has_client_nonce != req.has_client_nonce) {
        fprintf(stderr, "re-encoded TSRequest decodes differently\n");
        abort();
    }
    cs_tsrequest_clear(&again);
    cs_tsrequest_clear(&req);
    cs_blob_free(&der);
    return 0;
}
