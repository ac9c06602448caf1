/*
 * trace.c - debug trace and TLS key log files.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

static FILE *trace_file;
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
    keylog_file = open_append(env("SSLKEYLOGFILE"));
}

bool
cs_trace_on(void)
{
    pthread_once(&trace_once, open_files);
    return trace_file != NULL;
}

void
cs_trace_write(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    if (!cs_trace_on()) {
        return;
    }
    pthread_mutex_lock(&trace_lock);
    fprintf(trace_file, "[%ld] %s:%d: ", (long)getpid(), file, line);
    va_start(ap, fmt);
    vfprintf(trace_file, fmt, ap);
    va_end(ap);
    fputc('\n', trace_file);
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
