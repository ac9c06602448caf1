#!/bin/sh
# SPDX-License-Identifier: MIT
# python_gssapi.sh - runs python_gssapi.py (a CredSSP handshake driven by
# python3-gssapi) with a Python 3 that has the gssapi module: $PYTHON3
# when it has it (configure may have found a python3 of its own), else
# Debian's /usr/bin/python3 (package python3-gssapi).  Python's exit
# status is the test's.
#
# Exit 0 pass, 1 fail, 77 skip (99 with CI=true) when no Python has gssapi.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
script=$top_srcdir/tests/integration/python_gssapi.py

# asan_env: with an --enable-asan build the module needs libasan, which a
# host built without ASan (python3, gss-client) must preload; leaks of
# that host are not ours to report.  Prints nothing for other builds.
asan_env() {
    lib=$(ldd "${CREDSSP_MODULE:-/nonexistent}" 2>/dev/null |
        awk '/libasan/ { print $3; exit }')
    if [ -n "$lib" ]; then
        echo "LD_PRELOAD=$lib ASAN_OPTIONS=detect_leaks=0"
    fi
}

# missing WHAT: a dependency is missing; skip, or fail under CI.
missing() {
    if [ "${CI:-}" = true ]; then
        echo "python_gssapi.sh: missing $1 and CI=true: failing" >&2
        exit 99
    fi
    echo "python_gssapi.sh: SKIP: missing $1" >&2
    exit 77
}

[ -f "$script" ] || { echo "python_gssapi.sh: no $script" >&2; exit 99; }
py=""
for cand in "${PYTHON3:-}" python3 /usr/bin/python3; do
    [ -n "$cand" ] || continue
    command -v "$cand" >/dev/null 2>&1 || continue
    if "$cand" -c 'import gssapi, gssapi.raw' >/dev/null 2>&1; then
        py=$cand
        break
    fi
done
[ -n "$py" ] || missing "a python3 with the gssapi module (Debian" \
    "package python3-gssapi)"
echo "python_gssapi.sh: using $py"
# shellcheck disable=SC2046 # asan_env prints NAME=value words
exec env $(asan_env) "$py" "$script"
