/* SPDX-License-Identifier: MIT */
/*
 * policy.c - matching targets against delegation-policy patterns.
 */
#include "config.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

/*
 * cs_pattern_match: whether spn ("SERVICE/host") matches one of the
 * comma-separated patterns, like Windows' "Allow delegating fresh
 * credentials" lists: shell wildcards, case-insensitive, blanks around a
 * pattern ignored.  "*" matches every target.
 */
bool
cs_pattern_match(const char *patterns, const char *spn)
{
    char *copy, *save = NULL, *p;
    bool match = false;

    if (patterns == NULL || spn == NULL) {
        return false;
    }
    copy = strdup(patterns);
    if (copy == NULL) {
        return false;
    }
    for (p = strtok_r(copy, ",", &save); p != NULL && !match;
         p = strtok_r(NULL, ",", &save)) {
        char *end;

        while (*p == ' ' || *p == '\t') {
            p++;
        }
        end = p + strlen(p);
        while (end > p && (end[-1] == ' ' || end[-1] == '\t')) {
            *--end = '\0';
        }
        match = *p != '\0' && fnmatch(p, spn, FNM_CASEFOLD) == 0;
    }
    free(copy);
    return match;
}
