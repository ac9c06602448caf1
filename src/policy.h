/* SPDX-License-Identifier: MIT */
/* policy.h - see engine.h (cs_pattern_match) */
#ifndef CS_POLICY_H
#define CS_POLICY_H
#include "engine.h"
#endif
