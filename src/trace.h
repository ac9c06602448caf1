/* SPDX-License-Identifier: MIT */
/*
 * trace.h - the debug trace (GSSCREDSSP_DEBUG=<file>) and the TLS key log
 * (SSLKEYLOGFILE=<file>).  Both are off unless secure_getenv names a file.
 * Trace lines carry file and line and never contain secrets.
 */
#ifndef CS_TRACE_H
#define CS_TRACE_H

#include "cs.h"

/* cs_trace_on: whether a trace file is open (cheap; checked before
 * formatting). */
bool cs_trace_on(void);

void cs_trace_write(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define CS_TRACE(...)                                   \
    do {                                                \
        if (cs_trace_on()) {                            \
            cs_trace_write(__FILE__, __LINE__, __VA_ARGS__); \
        }                                               \
    } while (0)

/* cs_trace_set_file: turns the trace to the file path (appended to) at run
 * time, or off when path is NULL or empty; the file named before, if any,
 * gets a last "trace off" line and is closed.  A file that cannot be
 * opened is CREDSSP_S_BAD_OPTION_VALUE and changes nothing. */
cs_err cs_trace_set_file(const char *path) CS_WUR;

/* cs_keylog_line: appends one NSS key-log line to SSLKEYLOGFILE, if set. */
void cs_keylog_line(const char *line);

/* cs_keylog_on: whether SSLKEYLOGFILE is set. */
bool cs_keylog_on(void);

#endif /* CS_TRACE_H */
