/* SPDX-License-Identifier: MIT */
/*
 * dlopen.c - the module loads the way MIT's mechglue loads it
 * (dlopen RTLD_NOW|RTLD_LOCAL, as gss-ntlmssp's tests/scripts/dlopen.sh
 * checks): every undefined symbol resolves at once, and the entry points
 * of mech/credssp.exports are found in the module itself, not in the
 * mechglue this program links.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr */
#endif

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "gssapi/gssapi_credssp.h"
#include "../check_run.h"

/*
 * module_path: the module under test: CREDSSP_MODULE (set by the test
 * environment), else the libtool output under top_builddir.
 */
static const char *
module_path(void)
{
    static char buf[PATH_MAX];
    const char *m = getenv("CREDSSP_MODULE");
    const char *top = getenv("top_builddir");

    if (m != NULL && *m != '\0') {
        return m;
    }
    snprintf(buf, sizeof(buf), "%s/.libs/gsscredssp.so",
             top != NULL ? top : ".");
    return buf;
}

/*
 * same_file: whether two paths name the same file (after realpath).
 */
static int
same_file(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];

    if (realpath(a, ra) == NULL || realpath(b, rb) == NULL) {
        return 0;
    }
    return strcmp(ra, rb) == 0;
}

/*
 * exports_path: mech/credssp.exports under top_srcdir.
 */
static const char *
exports_path(void)
{
    static char buf[PATH_MAX];
    const char *top = getenv("top_srcdir");

    snprintf(buf, sizeof(buf), "%s/mech/credssp.exports",
             top != NULL ? top : ".");
    return buf;
}

/* The mechglue is linked in, so its gss_init_sec_context is reachable. */
START_TEST(test_mechglue_present)
{
    void *self = dlopen(NULL, RTLD_NOW);

    ck_assert_ptr_nonnull(self);
    ck_assert_msg(dlsym(self, "gss_init_sec_context") ==
                      (void *)gss_init_sec_context,
                  "the program's gss_init_sec_context is not the mechglue's");
    ck_assert_ptr_nonnull(dlopen("libgssapi_krb5.so.2",
                                 RTLD_NOW | RTLD_NOLOAD));
    dlclose(self);
}
END_TEST

/* RTLD_NOW|RTLD_LOCAL succeeds and gss_init_sec_context is the module's. */
START_TEST(test_dlopen_now_local)
{
    const char *path = module_path();
    void *h, *sym;
    Dl_info info;

    h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    ck_assert_msg(h != NULL, "dlopen(%s): %s", path, dlerror());
    sym = dlsym(h, "gss_init_sec_context");
    ck_assert_msg(sym != NULL, "dlsym: %s", dlerror());
    /* What MIT's GSS_ADD_DYNAMIC_METHOD_NOLOOP guards against: getting the
     * mechglue's own function back instead of the module's. */
    ck_assert_msg(sym != (void *)gss_init_sec_context,
                  "dlsym returned the mechglue's gss_init_sec_context");
    ck_assert_int_ne(dladdr(sym, &info), 0);
    ck_assert_msg(same_file(info.dli_fname, path),
                  "gss_init_sec_context lives in %s, not in %s",
                  info.dli_fname, path);
    ck_assert_int_eq(dlclose(h), 0);
}
END_TEST

/* Every name of the export list resolves inside the module. */
START_TEST(test_all_exports_resolve)
{
    const char *path = module_path();
    FILE *f = fopen(exports_path(), "r");
    char line[256];
    void *h, *sym;
    Dl_info info;
    int n = 0;

    ck_assert_msg(f != NULL, "cannot open %s", exports_path());
    h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    ck_assert_msg(h != NULL, "dlopen(%s): %s", path, dlerror());
    while (fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, " \t\r\n#")] = '\0';
        if (line[0] == '\0') {
            continue;
        }
        sym = dlsym(h, line);
        ck_assert_msg(sym != NULL, "dlsym(%s): %s", line, dlerror());
        ck_assert_int_ne(dladdr(sym, &info), 0);
        ck_assert_msg(same_file(info.dli_fname, path),
                      "%s resolves into %s, not the module", line,
                      info.dli_fname);
        n++;
    }
    fclose(f);
    ck_assert_int_gt(n, 0);
    /* An engine symbol must stay hidden (-fvisibility=hidden). */
    ck_assert_ptr_null(dlsym(h, "cs_glue"));
    ck_assert_int_eq(dlclose(h), 0);
}
END_TEST

/*
 * dlopen_suite: the suite.
 */
static Suite *
dlopen_suite(void)
{
    Suite *s = suite_create("dlopen");
    TCase *tc = tcase_create("dlopen");

    tcase_add_test(tc, test_mechglue_present);
    tcase_add_test(tc, test_dlopen_now_local);
    tcase_add_test(tc, test_all_exports_resolve);
    suite_add_tcase(s, tc);
    return s;
}

/*
 * main: runs the suite; exit status 0 when every test passed.
 */
int
main(void)
{
    return check_run(dlopen_suite(), false);
}
