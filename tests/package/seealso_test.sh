#!/bin/sh
# SPDX-License-Identifier: MIT
# seealso_test.sh - every manual page a SEE ALSO section of doc/*.[158]
# names exists on Debian 12: one of ours (doc/NAME.SECTION), or one that
# the Debian package named right after it ships ("(Debian package P)" or
# "(P)"), as dpkg-query -L lists it.  A page named without a package, or
# with a package that does not ship it, fails.
#
# Exit 0 pass, 1 fail, 77 skip (99 with CI=true) when dpkg-query is
# missing or a named package is not installed (tools/quickstart.sh check
# installs them all).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}

missing() {
    if [ "${CI:-}" = true ]; then
        echo "seealso_test: missing $1 and CI=true: failing" >&2
        exit 99
    fi
    echo "seealso_test: SKIP: missing $1" >&2
    exit 77
}
command -v dpkg-query >/dev/null 2>&1 || missing "dpkg-query"

fail=0
skip=""
refs=0
for page in "$top_srcdir"/doc/*.[158]; do
    # "NAME SECTION PACKAGE" for each .BR line of SEE ALSO; PACKAGE is
    # "-" when the next line does not name one.
    awk '/^\.SH "?SEE ALSO"?/ { s = 1; next }
        /^\.SH / { s = 0 }
        s && /^\.BR [^ ]+ \([0-9][a-z]*\)/ {
            if (name != "") print name, sec, "-"
            name = $2; sec = $3; gsub(/[();,.]/, "", sec); gsub(/\\/, "", name)
            next
        }
        s && name != "" {
            pkg = "-"
            if (match($0, /^\((Debian package )?[a-z0-9.+\\-]+\)/)) {
                pkg = substr($0, RSTART + 1, RLENGTH - 2)
                sub(/^Debian package /, "", pkg); gsub(/\\/, "", pkg)
            }
            print name, sec, pkg; name = ""
        }
        END { if (name != "") print name, sec, "-" }' "$page" \
        > "${TMPDIR:-/tmp}/seealso.$$"
    while read -r name sec pkg; do
        refs=$((refs + 1))
        where="${page##*/}: $name($sec)"
        if [ -f "$top_srcdir/doc/$name.$sec" ]; then
            echo "ok: $where is ours"
        elif [ "$pkg" = - ]; then
            echo "FAIL: $where is not ours and names no Debian package" >&2
            fail=1
        elif ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
                grep -q 'ok installed'; then
            skip="$skip $pkg"
        elif dpkg-query -L "$pkg" |
                grep -q "/man/man${sec%%[a-z]*}/$name\.$sec\(\.gz\)\?\$"; then
            echo "ok: $where is in $pkg"
        else
            echo "FAIL: $where: package $pkg has no such page" >&2
            fail=1
        fi
    done < "${TMPDIR:-/tmp}/seealso.$$"
    rm -f "${TMPDIR:-/tmp}/seealso.$$"
done
if [ $refs -eq 0 ]; then
    echo "FAIL: no SEE ALSO references found (parser broken?)" >&2
    exit 1
fi
[ $fail -eq 0 ] || exit 1
[ -z "$skip" ] || missing "installed packages:$skip"
exit 0
