/* SPDX-License-Identifier: MIT */
/* policy.h - delegation policy: which targets get which credentials. */
#ifndef CS_POLICY_H
#define CS_POLICY_H

#include "cs.h"

/* cs_pattern_match: whether spn matches one of the comma-separated
 * patterns (shell wildcards, case-insensitive). */
bool cs_pattern_match(const char *patterns, const char *spn);

#endif /* CS_POLICY_H */
