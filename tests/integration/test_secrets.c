/* SPDX-License-Identifier: MIT */
/*
 * test_secrets.c - every block our code frees that held the password (in
 * UTF-8 or UTF-16LE, as TSPasswordCreds carry it) was wiped first.
 *
 * The program defines free() and realloc() itself, so every library in
 * the process (the module, the mechglue, OpenSSL, gss-ntlmssp) frees
 * through them; they look for the password in each block before handing
 * it to glibc.  A block counts as ours when the first frame above the
 * allocator layers (libc, libcrypto's frees, gss_release_buffer) lies in
 * gsscredssp.so: a secret there is a failure, with the stack in the
 * message.  Blocks of the inner mechs (gss-ntlmssp, krb5) are theirs to
 * wipe and only counted.
 *
 * Not built with --enable-asan: AddressSanitizer owns free() there.
 */
#define _GNU_SOURCE
#include <check.h>
#include <dlfcn.h>
#include <execinfo.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs.h"

extern void __libc_free(void *p);
extern void *__libc_realloc(void *p, size_t n);

static bool scanning;
static __thread bool inside;
static char secret8[64];
static char secret16[128];
static size_t secret8_len, secret16_len;
static unsigned ours_found, ours_freed, foreign_found, test_found;
static unsigned ssl_found;
static char first_stack[2048];

/* in_lib: whether an address lies in a library whose file name has part
 * in it. */
static bool
in_lib(void *addr, const char *part, const char **sym)
{
    Dl_info info;

    if (dladdr(addr, &info) == 0 || info.dli_fname == NULL) {
        return false;
    }
    if (sym != NULL) {
        *sym = info.dli_sname != NULL ? info.dli_sname : "?";
    }
    return strstr(info.dli_fname, part) != NULL;
}

/* owner: 'o' ours, 't' the test program, 'f' foreign, for the frames
 * above free. */
static char
owner(void **frames, int n)
{
    int i;

    for (i = 2; i < n; i++) {
        const char *sym = "";

        if (in_lib(frames[i], "gsscredssp", NULL)) {
            return 'o';
        }
        if (in_lib(frames[i], "libc.so", NULL) ||
            in_lib(frames[i], "libcrypto", NULL) ||
            (in_lib(frames[i], "libgssapi_krb5", &sym) &&
             strstr(sym, "release_buffer") != NULL)) {
            continue;
        }
        if (in_lib(frames[i], "libssl", NULL)) {
            return 's';
        }
        return in_lib(frames[i], "test_secrets", NULL) ? 't' : 'f';
    }
    return 'f';
}

/* check_block: called for every block about to be freed.  The stack is
 * only walked for a block that holds the secret. */
static void
check_block(void *p, void *caller)
{
    size_t size;
    void *frames[32];
    char **names;
    int n, i;
    char who;

    if (!scanning || inside || p == NULL) {
        return;
    }
    inside = true;
    size = malloc_usable_size(p);
    ours_freed += in_lib(caller, "gsscredssp", NULL);
    if (memmem(p, size, secret8, secret8_len) != NULL ||
        memmem(p, size, secret16, secret16_len) != NULL) {
        n = backtrace(frames, 32);
        who = owner(frames, n);
        if (who == 'o' && ours_found++ == 0) {
            names = backtrace_symbols(frames, n);
            for (i = 0; names != NULL && i < n; i++) {
                size_t used = strlen(first_stack);

                snprintf(first_stack + used, sizeof(first_stack) - used,
                         "\n  %s", names[i]);
            }
            __libc_free(names);
        }
        foreign_found += who == 'f';
        ssl_found += who == 's';
        test_found += who == 't';
    }
    inside = false;
}

void
free(void *p)
{
    check_block(p, __builtin_return_address(0));
    __libc_free(p);
}

void *
realloc(void *p, size_t n)
{
    if (p != NULL) {
        check_block(p, __builtin_return_address(0));
    }
    return __libc_realloc(p, n);
}

/* set_secret: the password in both encodings the wire may hold. */
static void
set_secret(const char *pw)
{
    size_t i;

    secret8_len = strlen(pw);
    memcpy(secret8, pw, secret8_len);
    for (i = 0; i < secret8_len; i++) {
        secret16[2 * i] = pw[i];
        secret16[2 * i + 1] = 0;
    }
    secret16_len = 2 * secret8_len;
}

/* The detector itself: a block the test frees with the password in it is
 * seen, and frees from the module are recognised as ours. */
START_TEST(test_detector)
{
    char *copy;
    struct hs_opts o = { 0 };
    struct hs_result r;

    set_secret(hs_env("CREDSSP_TEST_PASSWORD"));
    test_found = ours_freed = 0;
    scanning = true;
    copy = strdup(secret8);
    ck_assert_ptr_nonnull(copy);
    free(copy);
    o.mech = "ntlm";
    ck_assert_int_eq(hs_run(&o, &r), 0);
    scanning = false;
    ck_assert_uint_eq(test_found, 1);
    ck_assert_uint_gt(ours_freed, 0);
}
END_TEST

/* A delegation with each inner mech and each TLS version: the initiator
 * encodes and encrypts the password, the acceptor decrypts and decodes it
 * and hands it out, and every context and credential is released. */
START_TEST(test_no_secret_freed_unwiped)
{
    static const struct {
        const char *mech, *tls, *user, *password, *ntlm_deleg;
    } cases[] = {
        { "kerberos", NULL, NULL, NULL, NULL },
        { "kerberos", "1.2", NULL, NULL, NULL },
        { "ntlm", NULL, "CREDSSP\\carol", "Carol-pass-3", "TERMSRV/*" },
        { "spnego", NULL, NULL, NULL, NULL },
    };
    struct hs_opts o = { 0 };
    struct hs_result r;

    o.mech = cases[_i].mech;
    o.tls_max = cases[_i].tls;
    o.user = cases[_i].user;
    o.password = cases[_i].password;
    o.ntlm_deleg = cases[_i].ntlm_deleg;
    o.req_flags = GSS_C_DELEG_FLAG;
    set_secret(o.password != NULL ? o.password
                                  : hs_env("CREDSSP_TEST_PASSWORD"));
    ours_found = ours_freed = foreign_found = ssl_found = 0;
    first_stack[0] = '\0';
    scanning = true;
    ck_assert_msg(hs_run(&o, &r) == 0, "%s | %s", r.init_error,
                  r.acc_error);
    scanning = false;
    ck_assert(r.delegated);
    ck_assert_str_eq(r.deleg_password, secret8);
    ck_assert_uint_gt(ours_freed, 0);
    ck_assert_msg(ours_found == 0,
                  "%u blocks freed by gsscredssp.so held the password; "
                  "the first:%s",
                  ours_found, first_stack);
    if (foreign_found > 0) {
        printf("%s: %u blocks with the password freed unwiped by the "
               "inner mechs (theirs to fix)\n",
               cases[_i].mech, foreign_found);
    }
}
END_TEST

/* Smart card and Remote Guard credentials (issue 8): the PIN and the
 * Remote Guard buffer are secrets too.  The acceptor application reads
 * them through the inquiry, then everything is released. */
START_TEST(test_other_creds_wiped)
{
    static const char pin[] = "Pin-7f3a9c21e5";
    static const char buffer[] = "RG-secret-buffer";
    struct hs_opts o = { 0 };
    struct hs_result r;
    gss_buffer_set_t got = GSS_C_NO_BUFFER_SET;
    char hex[64] = "credssp_remote_guard_buffer=";
    OM_uint32 minor;

    for (size_t i = 0; i < strlen(buffer); i++) {
        snprintf(hex + strlen(hex), 3, "%02x", (unsigned char)buffer[i]);
    }
    o.mech = "kerberos";
    o.req_flags = GSS_C_DELEG_FLAG;
    o.keep_deleg = true;
    o.init_extra[0].oid = GSS_CREDSSP_OPT_STORE_KEY;
    o.init_extra[1].oid = GSS_CREDSSP_OPT_STORE_KEY;
    if (_i == 0) {
        o.init_extra[0].value = "credssp_smartcard_pin=Pin-7f3a9c21e5";
        o.init_extra[1].value = "credssp_smartcard_reader=Reader 0";
    } else {
        o.init_extra[0].value = "credssp_remote_guard_package=Kerberos";
        o.init_extra[1].value = hex;
    }
    set_secret(_i == 0 ? pin : buffer);
    ours_found = ours_freed = foreign_found = 0;
    first_stack[0] = '\0';
    scanning = true;
    ck_assert_msg(hs_run(&o, &r) == 0, "%s | %s", r.init_error,
                  r.acc_error);
    ck_assert_uint_eq(gss_inquire_cred_by_oid(
                          &minor, r.deleg,
                          _i == 0 ? GSS_CREDSSP_CRED_DELEGATED_SMARTCARD
                                  : GSS_CREDSSP_CRED_DELEGATED_REMOTE_GUARD,
                          &got),
                      GSS_S_COMPLETE);
    ck_assert_uint_eq(got->elements[_i].length, secret8_len);
    ck_assert_mem_eq(got->elements[_i].value, secret8, secret8_len);
    gss_release_buffer_set(&minor, &got);
    gss_release_cred(&minor, &r.deleg);
    scanning = false;
    ck_assert_uint_gt(ours_freed, 0);
    ck_assert_msg(ours_found == 0,
                  "%u blocks freed by gsscredssp.so held the %s; the first:%s",
                  ours_found, _i == 0 ? "PIN" : "Remote Guard buffer",
                  first_stack);
}
END_TEST

/*
 * A message gss_unwrap decrypted: OpenSSL decrypts each record in place
 * in its read buffer, and frees that buffer once the record is consumed
 * (SSL_MODE_RELEASE_BUFFERS) or with the connection; SSL_OP_CLEANSE_
 * PLAINTEXT makes it wipe the plaintext first.  Neither libssl nor our
 * code may free a block that still holds the message (both directions,
 * each TLS version; the test wipes its own copies).  Loops 2 and 3 alter
 * one byte of the record's ciphertext: the record is decrypted in place
 * before its tag fails, and that buffer too must be wiped before it is
 * freed (with the context).  Loops 4 and 5 keep the record buffers for
 * the life of the contexts (tls_keep_buffers).
 */
START_TEST(test_unwrapped_message_wiped)
{
    static const char msg[] = "<Password>Msg-secret-5d81c0a7</Password>";
    struct hs_opts o = { 0 };
    struct hs_result r;
    gss_buffer_desc in = { sizeof(msg) - 1, (void *)msg }, wrapped, out;
    gss_ctx_id_t from, to;
    OM_uint32 minor;
    bool tls13 = _i % 2 == 0, alter = _i == 2 || _i == 3;
    int dir;

    o.mech = "kerberos";
    o.tls_max = tls13 ? "1.3" : "1.2";
    o.keep_ctx = true;
    if (_i >= 4) {
        o.init_extra[0].oid = o.acc_extra[0].oid = GSS_CREDSSP_OPT_STORE_KEY;
        o.init_extra[0].value = o.acc_extra[0].value =
            "credssp_tls_keep_buffers=yes";
    }
    ck_assert_msg(hs_run(&o, &r) == 0, "%s | %s", r.init_error,
                  r.acc_error);
    set_secret("Msg-secret-5d81c0a7");
    ours_found = ours_freed = foreign_found = ssl_found = 0;
    first_stack[0] = '\0';
    scanning = true;
    for (dir = 0; dir < 2; dir++) {
        from = dir == 0 ? r.ictx : r.actx;
        to = dir == 0 ? r.actx : r.ictx;
        ck_assert_uint_eq(gss_wrap(&minor, from, 1, GSS_C_QOP_DEFAULT, &in,
                                   NULL, &wrapped), GSS_S_COMPLETE);
        if (alter) {
            /* The first byte of the message's ciphertext (TLS 1.3: the
             * tag and the content type follow it). */
            ((unsigned char *)wrapped.value)[wrapped.length - 16 -
                                             (tls13 ? 1 : 0) -
                                             in.length] ^= 0x01;
            ck_assert_uint_eq(gss_unwrap(&minor, to, &wrapped, &out, NULL,
                                         NULL), GSS_S_BAD_SIG);
            gss_release_buffer(&minor, &wrapped);
            break;
        }
        ck_assert_uint_eq(gss_unwrap(&minor, to, &wrapped, &out, NULL,
                                     NULL), GSS_S_COMPLETE);
        ck_assert_uint_eq(out.length, in.length);
        ck_assert_mem_eq(out.value, msg, in.length);
        explicit_bzero(out.value, out.length);
        gss_release_buffer(&minor, &out);
        gss_release_buffer(&minor, &wrapped);
    }
    gss_release_name(&minor, &r.src);
    gss_delete_sec_context(&minor, &r.ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&minor, &r.actx, GSS_C_NO_BUFFER);
    scanning = false;
    ck_assert_msg(ssl_found == 0,
                  "%u blocks freed by libssl held the unwrapped message",
                  ssl_found);
    ck_assert_msg(ours_found == 0,
                  "%u blocks freed by gsscredssp.so held the message; the "
                  "first:%s",
                  ours_found, first_stack);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("secrets");
    TCase *tc = tcase_create("secrets");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_detector);
    tcase_add_loop_test(tc, test_no_secret_freed_unwiped, 0, 4);
    tcase_add_loop_test(tc, test_other_creds_wiped, 0, 2);
    tcase_add_loop_test(tc, test_unwrapped_message_wiped, 0, 6);
    suite_add_tcase(s, tc);
    return hs_main(s);
}
