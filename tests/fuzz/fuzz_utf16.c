/* SPDX-License-Identifier: MIT */
/*
 * fuzz_utf16.c - libFuzzer target for the UTF-16LE <-> UTF-8 conversions.
 *
 * Targets (src/utf16.c): cs_utf16le_to_utf8 and cs_utf8_to_utf16le.  The
 * input is tried both ways.  What UTF-16LE decoding accepts must come back
 * byte for byte through UTF-8; UTF-8 without a NUL byte that converts
 * must come back byte for byte through UTF-16LE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    char *utf8 = NULL, *back8 = NULL;
    cs_blob utf16 = { 0 };

    if (cs_utf16le_to_utf8(data, size, &utf8) == CS_OK) {
        if (cs_utf8_to_utf16le(utf8, strlen(utf8), &utf16) != CS_OK ||
            utf16.len != size ||
            (size > 0 && memcmp(utf16.data, data, size) != 0)) {
            fprintf(stderr, "UTF-16LE -> UTF-8 -> UTF-16LE differs\n");
            abort();
        }
        cs_blob_free(&utf16);
        free(utf8);
    }
    if (cs_utf8_to_utf16le((const char *)data, size, &utf16) == CS_OK) {
        if (memchr(data, 0, size) == NULL &&
            (cs_utf16le_to_utf8(utf16.data, utf16.len, &back8) != CS_OK ||
             strlen(back8) != size || memcmp(back8, data, size) != 0)) {
            fprintf(stderr, "UTF-8 -> UTF-16LE -> UTF-8 differs\n");
            abort();
        }
        free(back8);
        cs_blob_free(&utf16);
    }
    return 0;
}
