/* SPDX-License-Identifier: MIT */
/*
 * glue.c - the mechglue function table (see glue.h for why it exists).
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "glue.h"

static struct cs_glue glue_table;
static const struct cs_glue *glue_ptr;
static pthread_once_t glue_once = PTHREAD_ONCE_INIT;

/* The soname of MIT's mechglue; the host has loaded it (it loaded us). */
#define MECHGLUE_SONAME "libgssapi_krb5.so.2"

/* The soname of MIT's Kerberos library, which the mechglue links. */
#define KRB5_SONAME "libkrb5.so.3"

/* The krb5_context keep_krb5_profile made; never freed (see there). */
static void *kept_krb5_context;

/*
 * keep_krb5_profile: MIT's profile library shares the parsed krb5.conf
 * among the krb5_contexts alive in the process and frees it with the last
 * one.  Its Kerberos mechanism makes and frees a context for each call
 * (for a name as much as for a token), so in a process that holds none
 * of its own, every handshake opened, read and parsed krb5.conf three or
 * four times.  One context kept for the life of the process keeps the
 * parsed file; a new context then only checks the file's modification
 * time, and an edited file is still read again.  Best effort: without
 * libkrb5 nothing changes.
 */
static void
keep_krb5_profile(void)
{
    void *h = dlopen(KRB5_SONAME, RTLD_NOW | RTLD_NOLOAD);
    int (*init_context)(void **);

    if (h == NULL) {
        return;
    }
    *(void **)&init_context = dlsym(h, "krb5_init_context");
    if (init_context == NULL || init_context(&kept_krb5_context) != 0) {
        kept_krb5_context = NULL;
    }
}

/*
 * load_glue: resolves every function of the table, or leaves glue_ptr NULL.
 * RTLD_NOLOAD: we only ever want the copy the host already has, never a
 * second one.  The handle is not closed: the mechglue outlives us.
 */
static void
load_glue(void)
{
    void *h = dlopen(MECHGLUE_SONAME, RTLD_NOW | RTLD_NOLOAD);
    bool ok = true;

    if (h == NULL) {
        return;
    }
#define RESOLVE(name)                                                 \
    do {                                                              \
        *(void **)&glue_table.name = dlsym(h, "gss_" #name);          \
        ok = ok && glue_table.name != NULL;                           \
    } while (0)
    RESOLVE(acquire_cred);
    RESOLVE(acquire_cred_with_password);
    RESOLVE(acquire_cred_from);
    RESOLVE(add_cred);
    RESOLVE(release_cred);
    RESOLVE(inquire_cred);
    RESOLVE(inquire_cred_by_mech);
    RESOLVE(set_neg_mechs);
    RESOLVE(set_cred_option);
    RESOLVE(init_sec_context);
    RESOLVE(accept_sec_context);
    RESOLVE(delete_sec_context);
    RESOLVE(inquire_context);
    RESOLVE(context_time);
    RESOLVE(wrap);
    RESOLVE(unwrap);
    RESOLVE(import_name);
    RESOLVE(display_name);
    RESOLVE(release_name);
    RESOLVE(compare_name);
    RESOLVE(duplicate_name);
    RESOLVE(canonicalize_name);
    RESOLVE(localname);
    RESOLVE(display_status);
    RESOLVE(release_buffer);
    RESOLVE(create_empty_oid_set);
    RESOLVE(add_oid_set_member);
    RESOLVE(release_oid_set);
    RESOLVE(create_empty_buffer_set);
    RESOLVE(add_buffer_set_member);
    RESOLVE(release_buffer_set);
    RESOLVE(decapsulate_token);
    RESOLVE(inquire_names_for_mech);
    RESOLVE(store_cred_into);
#undef RESOLVE
    if (ok) {
        glue_ptr = &glue_table;
        keep_krb5_profile();
    }
}

const struct cs_glue *
cs_glue(void)
{
    if (pthread_once(&glue_once, load_glue) != 0) {
        return NULL;
    }
    return glue_ptr;
}

const gss_OID_desc cs_oid_spnego = { 6, (void *)"\x2b\x06\x01\x05\x05\x02" };
const gss_OID_desc cs_oid_krb5 = {
    9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"
};
const gss_OID_desc cs_oid_ntlmssp = {
    10, (void *)"\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a"
};
const gss_OID_desc cs_oid_nt_user_name = {
    10, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x01"
};
/* GSS_C_NT_ANONYMOUS, 1.3.6.1.5.6.3 (RFC 2743 4.6). */
const gss_OID_desc cs_oid_nt_anonymous = {
    6, (void *)"\x2b\x06\x01\x05\x06\x03"
};
const gss_OID_desc cs_oid_nt_hostbased_service = {
    10, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04"
};
const gss_OID_desc cs_oid_credssp = {
    GSS_CREDSSP_MECH_OID_LENGTH, (void *)GSS_CREDSSP_MECH_OID_STRING
};
const gss_OID_desc cs_oid_credssp_gs2 = {
    GSS_CREDSSP_GS2_MECH_OID_LENGTH, (void *)GSS_CREDSSP_GS2_MECH_OID_STRING
};

bool
cs_oid_equal(gss_const_OID a, gss_const_OID b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }
    return a->length == b->length &&
           memcmp(a->elements, b->elements, a->length) == 0;
}

const gss_OID_desc *
cs_mech_oid(gss_const_OID oid)
{
    if (cs_oid_equal(oid, &cs_oid_credssp)) {
        return &cs_oid_credssp;
    }
    if (cs_oid_equal(oid, &cs_oid_credssp_gs2)) {
        return &cs_oid_credssp_gs2;
    }
    return NULL;
}
