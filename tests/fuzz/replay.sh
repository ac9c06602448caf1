#!/bin/sh
# SPDX-License-Identifier: MIT
# replay.sh - make check: every seed of tests/fuzz/corpus/<target> and
# every crash reproducer of tests/fuzz/regress/<target> through the target
# built without libFuzzer (tests/fuzz/regress_<target>).  Runs under
# tests/fixture/with-kdc (the engine targets need the KDC).
set -eu
src=${top_srcdir:?}/tests/fuzz
bin=${top_builddir:?}/tests/fuzz
rc=0
for t in tsrequest tscredentials utf16 acceptor initiator config credkeys; do
    set -- "$src/corpus/fuzz_$t"
    [ -d "$src/corpus/fuzz_$t" ] || { echo "no seed corpus for $t" >&2; exit 1; }
    if [ -d "$src/regress/fuzz_$t" ]; then
        set -- "$@" "$src/regress/fuzz_$t"
    fi
    echo "== $t"
    # CREDSSP_VALGRIND: make check-valgrind runs them under memcheck.
    ${CREDSSP_VALGRIND:-} "$bin/regress_$t" "$@" || rc=1
done
exit $rc
