/* SPDX-License-Identifier: MIT */
/*
 * test_concurrency.c - CredSSP handshakes from many threads at once
 * through the real mechglue, KDC and gss-ntlmssp: each thread runs both
 * the initiator and the acceptor side (tests/integration/hs.c), Kerberos
 * and NTLM mixed, with its own initiator credentials, and every thread
 * shares one acceptor credential.  Every handshake must give what the
 * same handshake gives run serially (first, in the main thread): status,
 * inner mech, authenticated name, delegated user and password, version.
 *
 * CREDSSP_CONC_THREADS (default 8) and CREDSSP_CONC_ROUNDS (handshakes
 * per thread; default 200) size the run; the valgrind run uses fewer
 * (tests/valgrind-run).  make check-tsan runs it under ThreadSanitizer.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "hs.h"
#include "../check_run.h"

enum { KIND_KRB, KIND_NTLM, NKINDS };

struct summary {
    OM_uint32 init_major, acc_major;
    char inner[64], src[256], user[128], domain[128], password[128];
    char version[8];
    bool delegated;
};

static gss_cred_id_t shared_acc = GSS_C_NO_CREDENTIAL;
static struct summary serial[NKINDS];
static int rounds;

static void
summarize(const struct hs_result *r, struct summary *s)
{
    memset(s, 0, sizeof(*s));
    s->init_major = r->init_major;
    s->acc_major = r->acc_major;
    snprintf(s->inner, sizeof(s->inner), "%s", r->inner_mech);
    snprintf(s->src, sizeof(s->src), "%s", r->src_name);
    snprintf(s->user, sizeof(s->user), "%s", r->deleg_user);
    snprintf(s->domain, sizeof(s->domain), "%s", r->deleg_domain);
    snprintf(s->password, sizeof(s->password), "%s", r->deleg_password);
    snprintf(s->version, sizeof(s->version), "%s", r->version);
    s->delegated = r->delegated;
}

static bool
same(const struct summary *a, const struct summary *b)
{
    return a->init_major == b->init_major && a->acc_major == b->acc_major &&
           a->delegated == b->delegated && strcmp(a->inner, b->inner) == 0 &&
           strcmp(a->src, b->src) == 0 && strcmp(a->user, b->user) == 0 &&
           strcmp(a->domain, b->domain) == 0 &&
           strcmp(a->password, b->password) == 0 &&
           strcmp(a->version, b->version) == 0;
}

/* An initiator credential of one kind: alice with Kerberos, carol
 * (NTLM only) with NTLM, both allowed to delegate. */
static gss_cred_id_t
make_cred(int kind)
{
    char user[128];
    const char *pw = kind == KIND_KRB ? hs_env("CREDSSP_TEST_PASSWORD")
                                      : "Carol-pass-3";
    gss_buffer_desc ub, pb = { strlen(pw), (void *)pw }, v;
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    gss_name_t name;
    OM_uint32 minor;

    if (kind == KIND_KRB) {
        snprintf(user, sizeof(user), "%s@%s", hs_env("CREDSSP_TEST_USER"),
                 hs_env("CREDSSP_TEST_REALM"));
    } else {
        snprintf(user, sizeof(user), "%s\\carol",
                 hs_env("CREDSSP_TEST_NTLM_DOMAIN"));
    }
    ub.value = user;
    ub.length = strlen(user);
    if (gss_import_name(&minor, &ub, GSS_C_NT_USER_NAME, &name) !=
            GSS_S_COMPLETE ||
        gss_acquire_cred_with_password(&minor, name, &pb, 0, &set,
                                       GSS_C_INITIATE, &cred, NULL,
                                       NULL) != GSS_S_COMPLETE) {
        return GSS_C_NO_CREDENTIAL;
    }
    gss_release_name(&minor, &name);
    v.value = (void *)(kind == KIND_KRB ? "kerberos" : "ntlm");
    v.length = strlen(v.value);
    if (gss_set_cred_option(&minor, &cred, GSS_CREDSSP_OPT_INNER_MECH, &v) !=
        GSS_S_COMPLETE) {
        return GSS_C_NO_CREDENTIAL;
    }
    v.value = (void *)"*";
    v.length = 1;
    if (kind == KIND_NTLM &&
        gss_set_cred_option(&minor, &cred,
                            GSS_CREDSSP_OPT_ALLOW_NTLM_ONLY_DELEGATION,
                            &v) != GSS_S_COMPLETE) {
        return GSS_C_NO_CREDENTIAL;
    }
    return cred;
}

static int
one(gss_cred_id_t icred, struct summary *s, char *err, size_t errlen)
{
    struct hs_opts o = { 0 };
    struct hs_result r;
    int rc;

    o.init_cred = icred;
    o.acc_cred = shared_acc;
    o.req_flags = GSS_C_DELEG_FLAG;
    rc = hs_run(&o, &r);
    summarize(&r, s);
    snprintf(err, errlen, "init [%s] acc [%s]", r.init_error, r.acc_error);
    return rc;
}

struct worker {
    pthread_t tid;
    int index;
    int done[NKINDS];
    int mismatches;
    char first_error[1200];
};

static void *
work(void *arg)
{
    struct worker *w = arg;
    gss_cred_id_t cred[NKINDS];
    OM_uint32 minor;

    for (int k = 0; k < NKINDS; k++) {
        cred[k] = make_cred(k);
        if (cred[k] == GSS_C_NO_CREDENTIAL) {
            snprintf(w->first_error, sizeof(w->first_error),
                     "thread %d: no credential of kind %d", w->index, k);
            w->mismatches++;
            return NULL;
        }
    }
    for (int i = 0; i < rounds; i++) {
        int k = (i + w->index) % NKINDS;
        struct summary s;
        char err[1100];

        one(cred[k], &s, err, sizeof(err));
        if (!same(&s, &serial[k])) {
            if (w->mismatches++ == 0) {
                snprintf(w->first_error, sizeof(w->first_error),
                         "thread %d handshake %d (%s): %s", w->index, i,
                         k == KIND_KRB ? "kerberos" : "ntlm", err);
            }
        }
        w->done[k]++;
    }
    for (int k = 0; k < NKINDS; k++) {
        gss_release_cred(&minor, &cred[k]);
    }
    return NULL;
}

static int
env_int(const char *name, int dflt)
{
    const char *v = getenv(name);

    return v != NULL && *v != '\0' ? atoi(v) : dflt;
}

START_TEST(test_threads_match_serial)
{
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    int nthreads = env_int("CREDSSP_CONC_THREADS", 8);
    struct worker *w;
    OM_uint32 minor;
    int total[NKINDS] = { 0 }, bad = 0;

    rounds = env_int("CREDSSP_CONC_ROUNDS", 200);
    ck_assert_int_gt(nthreads, 0);
    ck_assert_int_gt(rounds, 0);
    ck_assert_uint_eq(gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &set,
                                       GSS_C_ACCEPT, &shared_acc, NULL,
                                       NULL),
                      GSS_S_COMPLETE);

    /* The serial reference: each kind once, in this thread. */
    for (int k = 0; k < NKINDS; k++) {
        gss_cred_id_t c = make_cred(k);
        char err[1100];

        ck_assert(c != GSS_C_NO_CREDENTIAL);
        ck_assert_msg(one(c, &serial[k], err, sizeof(err)) == 0, "%s", err);
        gss_release_cred(&minor, &c);
    }
    ck_assert_str_eq(serial[KIND_KRB].inner, "kerberos");
    ck_assert_str_eq(serial[KIND_NTLM].inner, "ntlm");
    ck_assert(serial[KIND_KRB].delegated && serial[KIND_NTLM].delegated);
    ck_assert_str_eq(serial[KIND_NTLM].user, "carol");
    ck_assert_str_eq(serial[KIND_NTLM].password, "Carol-pass-3");

    w = calloc((size_t)nthreads, sizeof(*w));
    ck_assert_ptr_nonnull(w);
    for (int t = 0; t < nthreads; t++) {
        w[t].index = t;
        ck_assert_int_eq(pthread_create(&w[t].tid, NULL, work, &w[t]), 0);
    }
    for (int t = 0; t < nthreads; t++) {
        ck_assert_int_eq(pthread_join(w[t].tid, NULL), 0);
    }
    for (int t = 0; t < nthreads; t++) {
        if (w[t].mismatches > 0) {
            fprintf(stderr, "%d mismatches; first: %s\n", w[t].mismatches,
                    w[t].first_error);
        }
        bad += w[t].mismatches;
        for (int k = 0; k < NKINDS; k++) {
            total[k] += w[t].done[k];
        }
    }
    printf("%d threads x %d handshakes: %d kerberos, %d ntlm, %d differ "
           "from serial\n", nthreads, rounds, total[KIND_KRB],
           total[KIND_NTLM], bad);
    free(w);
    gss_release_cred(&minor, &shared_acc);
    ck_assert_int_eq(bad, 0);
    ck_assert_int_eq(total[KIND_KRB] + total[KIND_NTLM], nthreads * rounds);
}
END_TEST

/*
 * Settings changed under a credential in use: handshake threads share one
 * NTLM initiator credential while another thread keeps setting options
 * on it, by option OID and by GSS_CREDSSP_OPT_STORE_KEY (the values are
 * those the credential already has, so a change that slipped through
 * would not show in the handshakes; ThreadSanitizer sees the race, and
 * freeing the inner credential under a running context crashes).  Every
 * handshake must match the serial one, and once the credential has been
 * used every change must be refused with CREDSSP_S_CRED_IN_USE.
 */
static gss_cred_id_t shared_init = GSS_C_NO_CREDENTIAL;
static int writer_stop;

struct writer {
    pthread_t tid;
    int tries, accepted, in_use, other;
    OM_uint32 other_minor;
};

static void *
write_settings(void *arg)
{
    struct writer *w = arg;
    gss_buffer_desc star = { 1, (void *)"*" };
    gss_buffer_desc key = { strlen("credssp_allow_delegation_ntlm_only=*"),
                            (void *)"credssp_allow_delegation_ntlm_only=*" };
    OM_uint32 major, minor;

    while (!__atomic_load_n(&writer_stop, __ATOMIC_ACQUIRE)) {
        if (w->tries % 2 == 0) {
            major = gss_set_cred_option(
                &minor, &shared_init,
                GSS_CREDSSP_OPT_ALLOW_NTLM_ONLY_DELEGATION, &star);
        } else {
            major = gss_set_cred_option(&minor, &shared_init,
                                        GSS_CREDSSP_OPT_STORE_KEY, &key);
        }
        w->tries++;
        if (major == GSS_S_COMPLETE) {
            w->accepted++;
        } else if (major == GSS_S_FAILURE && minor == CREDSSP_S_CRED_IN_USE) {
            w->in_use++;
        } else {
            w->other++;
            w->other_minor = minor;
        }
        sched_yield();
    }
    return NULL;
}

static void *
work_shared(void *arg)
{
    struct worker *w = arg;

    for (int i = 0; i < rounds; i++) {
        struct summary s;
        char err[1100];

        one(shared_init, &s, err, sizeof(err));
        if (!same(&s, &serial[KIND_NTLM]) && w->mismatches++ == 0) {
            snprintf(w->first_error, sizeof(w->first_error),
                     "thread %d handshake %d: %s", w->index, i, err);
        }
        w->done[KIND_NTLM]++;
    }
    return NULL;
}

START_TEST(test_settings_while_in_use)
{
    gss_OID_set_desc set = { 1, GSS_CREDSSP_MECH };
    int nthreads = env_int("CREDSSP_CONC_THREADS", 8);
    struct writer wr = { 0 };
    struct worker *w;
    OM_uint32 major, minor;
    int bad = 0, total = 0;
    char err[1100];

    rounds = env_int("CREDSSP_CONC_ROUNDS", 200) / 10 + 1;
    ck_assert_uint_eq(gss_acquire_cred(&minor, GSS_C_NO_NAME, 0, &set,
                                       GSS_C_ACCEPT, &shared_acc, NULL,
                                       NULL),
                      GSS_S_COMPLETE);
    shared_init = make_cred(KIND_NTLM);
    ck_assert(shared_init != GSS_C_NO_CREDENTIAL);
    /* The serial reference, with a credential of its own. */
    {
        gss_cred_id_t c = make_cred(KIND_NTLM);

        ck_assert_msg(one(c, &serial[KIND_NTLM], err, sizeof(err)) == 0,
                      "%s", err);
        gss_release_cred(&minor, &c);
    }
    ck_assert(serial[KIND_NTLM].delegated);
    /* Not used yet: a change is taken. */
    {
        gss_buffer_desc star = { 1, (void *)"*" };

        ck_assert_uint_eq(gss_set_cred_option(
                              &minor, &shared_init,
                              GSS_CREDSSP_OPT_ALLOW_NTLM_ONLY_DELEGATION,
                              &star),
                          GSS_S_COMPLETE);
    }

    w = calloc((size_t)nthreads, sizeof(*w));
    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(pthread_create(&wr.tid, NULL, write_settings, &wr), 0);
    for (int t = 0; t < nthreads; t++) {
        w[t].index = t;
        ck_assert_int_eq(pthread_create(&w[t].tid, NULL, work_shared,
                                        &w[t]), 0);
    }
    for (int t = 0; t < nthreads; t++) {
        ck_assert_int_eq(pthread_join(w[t].tid, NULL), 0);
    }
    __atomic_store_n(&writer_stop, 1, __ATOMIC_RELEASE);
    ck_assert_int_eq(pthread_join(wr.tid, NULL), 0);
    for (int t = 0; t < nthreads; t++) {
        if (w[t].mismatches > 0) {
            fprintf(stderr, "%d mismatches; first: %s\n", w[t].mismatches,
                    w[t].first_error);
        }
        bad += w[t].mismatches;
        total += w[t].done[KIND_NTLM];
    }
    printf("%d threads x %d handshakes on one credential; settings "
           "changed %d times: %d taken, %d refused in use, %d "
           "other\n", nthreads, rounds, wr.tries, wr.accepted,
           wr.in_use, wr.other);
    free(w);

    /* Once used, the credential's settings are fixed, by either way. */
    {
        gss_buffer_desc v = { 8, (void *)"kerberos" };

        major = gss_set_cred_option(&minor, &shared_init,
                                    GSS_CREDSSP_OPT_INNER_MECH, &v);
        ck_assert_uint_eq(major, GSS_S_FAILURE);
        ck_assert_uint_eq(minor, CREDSSP_S_CRED_IN_USE);
    }
    gss_release_cred(&minor, &shared_init);
    gss_release_cred(&minor, &shared_acc);
    ck_assert_int_eq(bad, 0);
    ck_assert_int_eq(total, nthreads * rounds);
    ck_assert_msg(wr.other == 0, "a change failed with minor 0x%x",
                  wr.other_minor);
    ck_assert_int_gt(wr.in_use, 0);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("concurrency");
    TCase *tc = tcase_create("threads");

    tcase_set_timeout(tc, 0);
    tcase_add_test(tc, test_threads_match_serial);
    suite_add_tcase(s, tc);
    /* Its own case, so CK_RUN_CASE=settings runs it alone. */
    tc = tcase_create("settings");
    tcase_set_timeout(tc, 0);
    tcase_add_test(tc, test_settings_while_in_use);
    suite_add_tcase(s, tc);
    return check_run(s, false);
}
