/* SPDX-License-Identifier: MIT */
/*
 * fuzz_credkeys.c - libFuzzer target for the cred-store keys and the
 * credential options, through the real mechglue and module, as an
 * application sets them: gss_acquire_cred_from with a store made of the
 * input's lines, then gss_set_cred_option with each line as
 * GSS_CREDSSP_OPT_STORE_KEY ("credssp_KEY=VALUE") and as the value of an
 * option OID.  The credential is not used: no KDC is asked.
 *
 * Targets: mech/gss_creds.c (acquire, apply_store, set_key,
 * set_store_key, gssspi_set_cred_option and its option table),
 * src/cred.c (cs_cred_new, cs_cred_set_password, cs_cred_add_store,
 * cs_cred_set_creds_key with creds_slot and hex_decode,
 * cs_cred_set_option), src/config.c (cs_settings_set and its value
 * parsers), mech/gss_misc.c (gss_display_status of every minor status).
 *
 * Input: byte 0 chooses the usage (bit 0: accept) and the later steps
 * (bit 1: each line again as STORE_KEY, bit 2: each line but its first
 * byte as the value of the option OID that byte picks); the rest is up to
 * 16 lines ('\n') of KEY=VALUE, a line without '=' being a key with an
 * empty value.  A line that starts with '+' stays out of the store (the
 * later steps take it without the '+'), so that an acquisition can
 * succeed and the options still see any bytes.  Check:
 * a failure always carries a minor status whose gss_display_status text
 * starts with "SEC_E_" (never a failure without a readable reason).  Run
 * under tests/fixture/with-kdc (GSS_MECH_CONFIG names the module).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>

#include "fuzz.h"
#include "gssapi/gssapi_credssp.h"

#define MAX_LINES 16

static const gss_OID_desc *const options[] = {
    &gss_credssp_opt_inner_mech_desc, &gss_credssp_opt_min_version_desc,
    &gss_credssp_opt_ntlm_deleg_desc, &gss_credssp_opt_max_version_desc,
    &gss_credssp_opt_tls_max_desc, &gss_credssp_opt_frame_desc,
    &gss_credssp_opt_oracle_desc, &gss_credssp_opt_restricted_admin_desc,
    &gss_credssp_opt_verify_cert_desc, &gss_credssp_opt_ca_file_desc,
    &gss_credssp_opt_tls_min_desc, &gss_credssp_opt_tls_cipher_list_desc,
    &gss_credssp_opt_tls_ciphersuites_desc, &gss_credssp_opt_max_token_desc,
    &gss_credssp_opt_max_legs_desc, &gss_credssp_opt_store_key_desc,
    &gss_credssp_opt_other_user_desc,
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    gss_OID_set mechs = GSS_C_NO_OID_SET;
    OM_uint32 minor;

    (void)argc;
    (void)argv;
    if (getenv("GSS_MECH_CONFIG") == NULL) {
        fprintf(stderr, "fuzz_credkeys: run under tests/fixture/with-kdc "
                        "(GSS_MECH_CONFIG)\n");
        exit(1);
    }
    /* Load the mechglue and the module once, outside the measured runs. */
    if (gss_indicate_mechs(&minor, &mechs) == GSS_S_COMPLETE) {
        gss_release_oid_set(&minor, &mechs);
    }
    return 0;
}

/* check_status: a failure must say why, in our words. */
static void
check_status(const char *call, OM_uint32 major, OM_uint32 minor)
{
    gss_buffer_desc text = { 0, NULL };
    OM_uint32 ctx = 0, tmp;
    bool ok;

    if (!GSS_ERROR(major)) {
        return;
    }
    ok = minor != 0 &&
         gss_display_status(&tmp, minor, GSS_C_MECH_CODE, GSS_CREDSSP_MECH,
                            &ctx, &text) == GSS_S_COMPLETE &&
         text.length > 6 && memcmp(text.value, "SEC_E_", 6) == 0;
    if (!ok) {
        fprintf(stderr, "fuzz_credkeys: %s: major 0x%x, minor 0x%x: %.*s\n",
                call, (unsigned)major, (unsigned)minor, (int)text.length,
                text.value != NULL ? (char *)text.value : "");
        abort();
    }
    gss_release_buffer(&tmp, &text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gss_key_value_element_desc e[MAX_LINES];
    gss_key_value_set_desc store = { 0, e };
    OM_uint32 num = 0;
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    const char *p = (const char *)data + 1, *end = (const char *)data + size;
    char *lines[MAX_LINES], *keys[MAX_LINES];
    const char *raw[MAX_LINES];
    size_t len[MAX_LINES];
    OM_uint32 major, minor, tmp, i;
    uint8_t mode;

    if (size == 0) {
        return 0;
    }
    mode = data[0];
    /* Each line as a NUL-terminated copy (len keeps any NUL inside, for
     * STORE_KEY), and its key: the text before '=', or all of it. */
    while (p < end && num < MAX_LINES) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl != NULL ? nl : end) - p);
        bool late = n > 0 && *p == '+';
        char *eq;

        i = num++;
        raw[i] = p + late;
        len[i] = n - late;
        lines[i] = strndup(raw[i], len[i]);
        eq = lines[i] != NULL ? strchr(lines[i], '=') : NULL;
        keys[i] = eq != NULL ? strndup(lines[i], (size_t)(eq - lines[i]))
                             : strdup(lines[i] != NULL ? lines[i] : "");
        if (lines[i] == NULL || keys[i] == NULL) {
            abort();
        }
        if (!late) {
            e[store.count].key = keys[i];
            e[store.count].value = eq != NULL ? eq + 1 : "";
            store.count++;
        }
        p += n + 1;
    }
    major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME, 0, &set,
                                  (mode & 1) ? GSS_C_ACCEPT : GSS_C_INITIATE,
                                  &store, &cred, NULL, NULL);
    check_status("gss_acquire_cred_from", major, minor);
    for (i = 0; cred != GSS_C_NO_CREDENTIAL && i < num; i++) {
        /* The line's bytes as they came (strndup stopped at a NUL). */
        gss_buffer_desc v = { len[i], (void *)raw[i] };

        if (mode & 2) {
            major = gss_set_cred_option(&minor, &cred,
                                        GSS_CREDSSP_OPT_STORE_KEY, &v);
            check_status("STORE_KEY", major, minor);
        }
        if ((mode & 4) && len[i] > 0) {
            gss_buffer_desc ov = { len[i] - 1, (char *)v.value + 1 };
            const gss_OID_desc *oid =
                options[((const unsigned char *)v.value)[0] %
                        (sizeof(options) / sizeof(options[0]))];

            major = gss_set_cred_option(&minor, &cred, (gss_OID)oid, &ov);
            check_status("an option OID", major, minor);
        }
    }
    gss_release_cred(&tmp, &cred);
    for (i = 0; i < num; i++) {
        free(lines[i]);
        free(keys[i]);
    }
    return 0;
}
