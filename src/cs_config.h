/* SPDX-License-Identifier: MIT */
/*
 * cs_config.h - credssp.conf: the process-wide defaults every credential
 * starts from.
 */
#ifndef CS_CONFIG_H
#define CS_CONFIG_H

#include "cs.h"

/* cs_config_error: the text of the last configuration error (file and
 * line), or NULL. */
const char *cs_config_error(void);

#endif /* CS_CONFIG_H */
