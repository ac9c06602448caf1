/* SPDX-License-Identifier: MIT */
/*
 * trace.c - debug trace and TLS key log files.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* The file name that stands for the process's own standard error (what
 * credssp --verbose sets): a symbolic link, so it is recognised by name
 * and fd 2 is duplicated instead of opened. */
#define STDERR_NAME "/dev/stderr"

/*
 * open_append: a line-buffered, close-on-exec append stream on path, or
 * NULL with the reason in why.  The key log holds TLS secrets and the
 * trace what a peer sent: a new file is made 0600 whatever the umask, a
 * symbolic link is not followed (a link planted in a shared directory
 * would send our lines into a file of the planter's choosing, or
 * clobber one of ours), and a file the effective user does not own is
 * refused (checked on the open descriptor, so it is the file written).
 */
static FILE *
open_append(const char *path, char *why, size_t why_len)
{
    bool own_stderr = strcmp(path, STDERR_NAME) == 0;
    struct stat st;
    FILE *f;
    int fd;

    fd = own_stderr ? fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)
                    : open(path,
                           O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
                               O_CLOEXEC,
                           0600);
    if (fd < 0) {
        snprintf(why, why_len, "%s",
                 errno == ELOOP ? "it is a symbolic link (not followed)"
                                : strerror(errno));
        return NULL;
    }
    if (!own_stderr && fstat(fd, &st) != 0) {
        snprintf(why, why_len, "%s", strerror(errno));
        close(fd);
        return NULL;
    }
    if (!own_stderr && st.st_uid != geteuid()) {
        snprintf(why, why_len,
                 "it belongs to uid %lu, not to the effective user (uid "
                 "%lu)",
                 (unsigned long)st.st_uid, (unsigned long)geteuid());
        close(fd);
        return NULL;
    }
    f = fdopen(fd, "a");
    if (f == NULL) {
        snprintf(why, why_len, "%s", strerror(errno));
        close(fd);
        return NULL;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    return f;
}

/*
 * open_env: the file the environment variable var names, or NULL.  A
 * refusal goes to standard error, one line: the trace cannot report it
 * (it may be the file refused, or off), and silence would look like a
 * trace with nothing in it, or a key log TLS never wrote to.  Only whoever
 * set the variable can cause the line; setuid programs never read it.
 */
static FILE *
open_env(const char *var)
{
    const char *path = env(var);
    char why[128];
    FILE *f;

    if (path == NULL || *path == '\0') {
        return NULL;
    }
    f = open_append(path, why, sizeof(why));
    if (f == NULL) {
        fprintf(stderr, "gss-credssp: %s=%s not used: %s\n", var, path,
                why);
    }
    return f;
}

static void
open_files(void)
{
    trace_file = open_env("GSSCREDSSP_DEBUG");
    __atomic_store_n(&trace_enabled, trace_file != NULL, __ATOMIC_RELEASE);
    keylog_file = open_env("SSLKEYLOGFILE");
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
        char why[128];

        f = open_append(path, why, sizeof(why));
        if (f == NULL) {
            cs_err_set_detail(CREDSSP_S_BAD_OPTION_VALUE,
                              "SEC_E_INVALID_PARAMETER: the trace file %s "
                              "was not used: %s",
                              path, why);
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
