/* SPDX-License-Identifier: MIT */
/*
 * util.c - owned byte blobs and the wiping of secrets.
 *
 * Blob bytes come from malloc() and go back through free(), so that other
 * files may grow a blob with realloc().  Everything that may have held a
 * secret is wiped with OPENSSL_cleanse(), which the compiler cannot drop.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cs.h"

/*
 * cs_wipe: overwrites len bytes at p with zeros in a way the optimiser must
 * keep.  A NULL p or a zero len does nothing.
 */
void
cs_wipe(void *p, size_t len)
{
    if (p == NULL || len == 0) {
        return;
    }
    OPENSSL_cleanse(p, len);
}

/*
 * cs_blob_free: releases b's bytes without wiping them and leaves b empty.
 * Accepts NULL and an empty blob.
 */
void
cs_blob_free(cs_blob *b)
{
    if (b == NULL) {
        return;
    }
    free(b->data);
    b->data = NULL;
    b->len = 0;
}

/*
 * cs_blob_free_secret: wipes b's bytes, then releases them and leaves b
 * empty.  Accepts NULL and an empty blob.
 */
void
cs_blob_free_secret(cs_blob *b)
{
    if (b == NULL) {
        return;
    }
    cs_wipe(b->data, b->len);
    cs_blob_free(b);
}

/*
 * cs_blob_set: copies len bytes of data into the empty blob *out.  A zero
 * len leaves *out empty (data NULL).  A non-empty *out is refused rather
 * than overwritten, so that its bytes are never leaked.
 */
cs_err
cs_blob_set(cs_blob *out, const void *data, size_t len)
{
    uint8_t *copy;

    if (out == NULL || out->data != NULL || out->len != 0 ||
        (data == NULL && len != 0)) {
        return CREDSSP_S_INTERNAL;
    }
    if (len == 0) {
        return CS_OK;
    }
    copy = malloc(len);
    if (copy == NULL) {
        return CREDSSP_S_NOMEM;
    }
    memcpy(copy, data, len);
    out->data = copy;
    out->len = len;
    return CS_OK;
}

/*
 * cs_str_free_secret: wipes the NUL-terminated string s (its terminator
 * included), then frees it.  Accepts NULL.
 */
void
cs_str_free_secret(char *s)
{
    if (s == NULL) {
        return;
    }
    cs_wipe(s, strlen(s) + 1);
    free(s);
}
