/* SPDX-License-Identifier: MIT */
/*
 * fuzz_config.c - libFuzzer target for credssp.conf.
 *
 * Targets (src/config.c): cs_config_parse (line reading, trimming,
 * comments, the "name = value" form, errors with file and line) and
 * through it cs_settings_set with every value parser (CredSSP and TLS
 * versions, the oracle level, booleans, sizes, cipher lists through
 * OpenSSL, pattern lists and file names), then cs_settings_copy and
 * cs_settings_clear.  The input is the file's bytes.  Checks: what parses
 * stays within the ranges credssp.conf(5) documents, a copy equals its
 * original, and an error names the file and a line the input has.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"
#include "engine.h"
#include "fuzz.h"

#define PATH "fuzz.conf"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static void
fail(const char *what)
{
    fprintf(stderr, "fuzz_config: %s\n", what);
    abort();
}

static bool
version_ok(uint32_t v)
{
    return v == 0 || (v >= 2 && v <= 6);
}

static bool
tls_ok(int v)
{
    return v == 0 || v == TLS1_2_VERSION || v == TLS1_3_VERSION;
}

static bool
str_same(const char *a, const char *b)
{
    return (a == NULL) == (b == NULL) && (a == NULL || strcmp(a, b) == 0);
}

/* check_ranges: what cs_settings_set may leave in a settings struct. */
static void
check_ranges(const struct cs_settings *s)
{
    if (s->inner_mode > CS_MECH_NTLM || !version_ok(s->min_version) ||
        !version_ok(s->max_version) || (int)s->oracle < 0 ||
        s->oracle > CS_ORACLE_VULNERABLE || !tls_ok(s->tls.min_version) ||
        !tls_ok(s->tls.max_version) ||
        (s->max_token != 0 &&
         (s->max_token < 1024 || s->max_token > CS_MAX_MAX_TOKEN)) ||
        (s->max_legs != 0 && (s->max_legs < 4 || s->max_legs > 64))) {
        fail("a setting outside its documented range");
    }
}

/* check_copy: a copy holds the same settings in strings of its own. */
static void
check_copy(const struct cs_settings *a, const struct cs_settings *b)
{
    if (a->inner_mode != b->inner_mode || a->min_version != b->min_version ||
        a->max_version != b->max_version || a->oracle != b->oracle ||
        a->max_token != b->max_token || a->max_legs != b->max_legs ||
        a->restricted_admin != b->restricted_admin ||
        a->allow_other_user != b->allow_other_user ||
        a->tls.verify != b->tls.verify ||
        !str_same(a->ntlm_deleg, b->ntlm_deleg) ||
        !str_same(a->deleg, b->deleg) ||
        !str_same(a->frame_initial, b->frame_initial) ||
        !str_same(a->cert_file, b->cert_file) ||
        !str_same(a->key_file, b->key_file) ||
        !str_same(a->tls.cipher_list, b->tls.cipher_list) ||
        !str_same(a->tls.ciphersuites, b->tls.ciphersuites) ||
        !str_same(a->tls.ca_file, b->tls.ca_file) ||
        (a->deleg != NULL && a->deleg == b->deleg)) {
        fail("cs_settings_copy differs from its original");
    }
}

/* check_error: "SEC_E_INTERNAL_ERROR: fuzz.conf:N: what", N a line of
 * the input. */
static void
check_error(const char *text, const uint8_t *data, size_t size)
{
    static const char head[] = "SEC_E_INTERNAL_ERROR: " PATH ":";
    size_t lines = 1, i;
    unsigned long n;
    char *end;

    for (i = 0; i < size; i++) {
        lines += data[i] == '\n';
    }
    if (strncmp(text, head, strlen(head)) != 0) {
        fail("an error that does not name the file");
    }
    n = strtoul(text + strlen(head), &end, 10);
    if (n == 0 || n > lines || strncmp(end, ": ", 2) != 0 ||
        end[2] == '\0') {
        fail("an error that names no line of the input, or no reason");
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cs_settings s = { 0 }, copy = { 0 };
    char text[512] = "";
    FILE *f;
    cs_err err;

    if (size == 0) {
        return 0;
    }
    f = fmemopen((void *)data, size, "r");
    if (f == NULL) {
        fail("fmemopen");
    }
    err = cs_config_parse(f, PATH, &s, text, sizeof(text));
    fclose(f);
    check_ranges(&s);
    if (err == CS_OK) {
        if (cs_settings_copy(&copy, &s) != CS_OK) {
            fail("cs_settings_copy");
        }
        check_copy(&s, &copy);
        cs_settings_clear(&copy);
    } else if (err == CREDSSP_S_CONFIG) {
        check_error(text, data, size);
    } else {
        fail("an error other than CREDSSP_S_CONFIG");
    }
    cs_settings_clear(&s);
    return 0;
}
