/* SPDX-License-Identifier: MIT */
/*
 * cs_config.h - credssp.conf: the process-wide defaults every credential
 * starts from.
 */
#ifndef CS_CONFIG_H
#define CS_CONFIG_H

#include <stdio.h>

#include "cs.h"

struct cs_settings;

/* cs_config_error: the text of the last configuration error (file and
 * line), or NULL. */
const char *cs_config_error(void);

/* cs_config_parse: applies the "name = value" lines of f (comments and
 * blank lines skipped) to *s.  The first bad line ends the parse:
 * CREDSSP_S_CONFIG, with "SEC_E_INTERNAL_ERROR: PATH:LINE: WHAT" in text.
 * s keeps what the lines before it set (the caller clears it). */
cs_err cs_config_parse(FILE *f, const char *path, struct cs_settings *s,
                       char *text, size_t text_len) CS_WUR;

#endif /* CS_CONFIG_H */
