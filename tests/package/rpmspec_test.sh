#!/bin/sh
# SPDX-License-Identifier: MIT
# rpmspec_test.sh - contrib/gss-credssp.spec and debian/changelog keep in
# step with configure.ac: `rpmspec -P` parses the spec (made by configure
# from gss-credssp.spec.in), it names configure.ac's version and the three
# packages Debian builds, and debian/changelog's version is configure.ac's.
#
# Exit 0 pass, 1 fail, 77 skip (99 with CI=true) when rpmspec (Debian
# package rpm) or dpkg-parsechangelog (dpkg-dev) is missing.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_builddir=${top_builddir:-$(cd "$here/../.." && pwd)}
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}

missing() {
    if [ "${CI:-}" = true ]; then
        echo "rpmspec_test: missing $1 and CI=true: failing" >&2
        exit 99
    fi
    echo "rpmspec_test: SKIP: missing $1" >&2
    exit 77
}
command -v rpmspec >/dev/null 2>&1 || missing "rpmspec (Debian package rpm)"
command -v dpkg-parsechangelog >/dev/null 2>&1 ||
    missing "dpkg-parsechangelog (Debian package dpkg-dev)"

fail=0
want=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' \
    "$top_builddir/config.h")
if [ -z "$want" ]; then
    echo "rpmspec_test: no PACKAGE_VERSION in config.h" >&2
    exit 99
fi
spec=$top_builddir/contrib/gss-credssp.spec
if [ ! -f "$spec" ]; then
    echo "rpmspec_test: no $spec (run configure)" >&2
    exit 99
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/rpmspec.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT

# HOME: rpm reads ~/.rpmmacros; keep the user's out of the test.
if HOME=$T rpmspec -P "$spec" > "$T/parsed" 2> "$T/err"; then
    echo "ok: rpmspec -P parses $spec ($(wc -l < "$T/parsed") lines)"
else
    echo "FAIL: rpmspec -P $spec:" >&2
    cat "$T/err" >&2
    fail=1
fi
if [ -s "$T/err" ]; then
    echo "FAIL: rpmspec -P warned:" >&2
    cat "$T/err" >&2
    fail=1
fi
HOME=$T rpmspec -q --qf '%{NAME} %{VERSION}\n' "$spec" > "$T/q" 2>&1
printf 'gss-credssp %s\ngss-credssp-devel %s\ngss-credssp-tools %s\n' \
    "$want" "$want" "$want" > "$T/q.want"
if diff -u "$T/q.want" "$T/q"; then
    echo "ok: the spec builds gss-credssp, -devel and -tools $want"
else
    echo "FAIL: rpmspec -q differs from the above" >&2
    fail=1
fi
deb=$(dpkg-parsechangelog -l "$top_srcdir/debian/changelog" -S Version)
if [ "$deb" = "$want" ]; then
    echo "ok: debian/changelog is at $want"
else
    echo "FAIL: debian/changelog is at $deb, configure.ac at $want" >&2
    fail=1
fi
exit $fail
