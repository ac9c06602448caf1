/* SPDX-License-Identifier: MIT */
/*
 * trace.c - debug trace and TLS key log files.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "trace.h"

/* trace_file may change at run time (cs_trace_set_file): it is read and
 * written only under trace_lock; trace_enabled mirrors it for the cheap
 * check before formatting. */
static FILE *trace_file;
static int trace_enabled;
static FILE *keylog_file;
static pthread_once_t trace_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *
env(const char *name)
{
#ifdef HAVE_SECURE_GETENV
    return secure_getenv(name);
#else
    return getenv(name);
#endif
}

/* open_append: a line-buffered, close-on-exec append stream, or NULL. */
static FILE *
open_append(const char *path)
{
    FILE *f;

    if (path == NULL || *path == '\0') {
        return NULL;
    }
    f = fopen(path, "ae");
    if (f != NULL) {
        setvbuf(f, NULL, _IOLBF, 0);
    }
    return f;
}

static void
open_files(void)
{
    trace_file = open_append(env("GSSCREDSSP_DEBUG"));
    __atomic_store_n(&trace_enabled, trace_file != NULL, __ATOMIC_RELEASE);
    keylog_file = open_append(env("SSLKEYLOGFILE"));
}

bool
cs_trace_on(void)
{
    pthread_once(&trace_once, open_files);
    return __atomic_load_n(&trace_enabled, __ATOMIC_ACQUIRE) != 0;
}

/*
 * write_line: one trace line; the caller holds trace_lock.  The message
 * may hold what a peer chose (names, a certificate's subject): it is
 * escaped (src/escape.c), so that a newline cannot forge a line and
 * control sequences cannot drive a terminal showing the trace.
 */
static void __attribute__((format(printf, 3, 0)))
write_line(const char *file, int line, const char *fmt, va_list ap)
{
    char small[512], *raw = small, *safe = NULL;
    size_t len, need;
    va_list again;
    int n;

    if (trace_file == NULL) {
        return;
    }
    va_copy(again, ap);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    if (n >= 0 && (size_t)n >= sizeof(small)) {
        raw = malloc((size_t)n + 1);
        if (raw != NULL) {
            vsnprintf(raw, (size_t)n + 1, fmt, again);
        }
    }
    va_end(again);
    if (n >= 0 && raw != NULL) {
        len = strlen(raw);
        need = cs_escape(NULL, 0, raw, len) + 1;
        safe = malloc(need);
        if (safe != NULL) {
            (void)cs_escape(safe, need, raw, len);
        }
    }
    fprintf(trace_file, "[%ld] %s:%d: %s\n", (long)getpid(), file, line,
            safe != NULL ? safe : "(trace line lost: out of memory)");
    free(safe);
    if (raw != small) {
        free(raw);
    }
}

/* trace_locked: write_line with variable arguments. */
static void __attribute__((format(printf, 3, 4)))
trace_locked(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    write_line(file, line, fmt, ap);
    va_end(ap);
}

cs_err
cs_trace_set_file(const char *path)
{
    FILE *f = NULL, *old;

    pthread_once(&trace_once, open_files);
    if (path != NULL && *path != '\0') {
        f = open_append(path);
        if (f == NULL) {
            return CREDSSP_S_BAD_OPTION_VALUE;
        }
    }
    pthread_mutex_lock(&trace_lock);
    old = trace_file;
    trace_locked(__FILE__, __LINE__, "trace off (gssspi_mech_invoke)");
    trace_file = f;
    trace_locked(__FILE__, __LINE__, "trace on (gssspi_mech_invoke)");
    __atomic_store_n(&trace_enabled, f != NULL, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&trace_lock);
    if (old != NULL) {
        fclose(old);
    }
    return CS_OK;
}

void
cs_trace_write(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    if (!cs_trace_on()) {
        return;
    }
    pthread_mutex_lock(&trace_lock);
    va_start(ap, fmt);
    write_line(file, line, fmt, ap);
    va_end(ap);
    pthread_mutex_unlock(&trace_lock);
}

bool
cs_keylog_on(void)
{
    pthread_once(&trace_once, open_files);
    return keylog_file != NULL;
}

void
cs_keylog_line(const char *line)
{
    if (!cs_keylog_on()) {
        return;
    }
    pthread_mutex_lock(&trace_lock);
    fprintf(keylog_file, "%s\n", line);
    pthread_mutex_unlock(&trace_lock);
}
