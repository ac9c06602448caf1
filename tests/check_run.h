/* SPDX-License-Identifier: MIT */
/*
 * check_run.h - the end of every Check program's main: runs the suite,
 * in a process per test when fork is true whatever CK_FORK says (for the
 * suites whose tests need a fresh process), and turns the failures into
 * the exit status.
 */
#ifndef CS_CHECK_RUN_H
#define CS_CHECK_RUN_H

#include <stdbool.h>
#include <stdlib.h>

#include <check.h>

static inline int
check_run(Suite *s, bool fork)
{
    SRunner *sr = srunner_create(s);
    int failed;

    if (fork) {
        srunner_set_fork_status(sr, CK_FORK);
    }
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif /* CS_CHECK_RUN_H */
