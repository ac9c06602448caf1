#!/bin/sh
# SPDX-License-Identifier: MIT
# spdx_test.sh - every source file of ours carries
# "SPDX-License-Identifier: MIT" in its first five lines (see LICENSE).
#
#   sh tests/package/spdx_test.sh                 check (make check)
#   sh tests/package/spdx_test.sh --list-missing  print "STYLE PATH" for
#                                                 each file without it
#
# The files: those git tracks in a clone (git ls-files), or, in a release
# tree without git, those `make dist` listed in tests/package/dist-files
# except autotools' output (a build in the tree adds files of its own).  Source
# means, by name: C (*.c, *.h: style c), manual pages (*.1, *.5, *.8:
# roff), configure.ac (dnl), shell, Python, automake, m4, gnuplot,
# sanitizer suppressions, *.in templates, contrib/credssp.conf and every
# file starting with "#!" (hash).  Data (test vectors, fuzz corpora and
# reproducers), prose (README, *.md, LICENSE) and Debian's packaging
# metadata are not source: debian/copyright covers them.  The sspi-rs test
# vectors are not ours (MIT or Apache-2.0, Devolutions).
#
# Exit 0 pass, 1 fail.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top=$(cd "$top_srcdir" && pwd -P)

# style PATH: the comment style of a source file, nothing for others.
style() {
    case $1 in
        *.c|*.h) echo c ;;
        *.1|*.5|*.8) echo roff ;;
        configure.ac) echo dnl ;;
        *.sh|*.py|*.am|*.inc|*.m4|*.gp|*.supp|*.in|contrib/credssp.conf)
            echo hash ;;
        *)
            if [ "$(head -c 2 "$top/$1" 2>/dev/null)" = '#!' ]; then
                echo hash
            fi ;;
    esac
}

# has_spdx FILE: a comment line of its own in the first five lines is the
# identifier (a mention in prose does not count).
has_spdx() {
    head -n 5 "$1" | grep -q -E \
        '^(/\* |# |dnl |\.\\" )SPDX-License-Identifier: MIT( \*/)?$'
}

# files: the tracked files, relative to the top directory.
files() {
    if command -v git >/dev/null 2>&1 &&
            toplevel=$(git -C "$top" rev-parse --show-toplevel 2>/dev/null) &&
            [ "$(cd "$toplevel" && pwd -P)" = "$top" ]; then
        git -C "$top" ls-files
        return
    fi
    # A release tree: leave out what autoreconf and configure generated.
    if [ ! -f "$top/tests/package/dist-files" ]; then
        echo "spdx_test: neither a git clone nor a release tree" \
            "(no tests/package/dist-files) at $top" >&2
        return 1
    fi
    grep -v -E \
        '^(configure|aclocal\.m4|config\.h\.in|(.*/)?Makefile\.in|build-aux/.*|m4/(libtool|lt.*)\.m4|contrib/gss-credssp\.spec)$' \
        "$top/tests/package/dist-files"
}

# Self-check: a file without the line must be found missing, one with it
# not, so that a broken check cannot pass.
T=$(mktemp -d "${TMPDIR:-/tmp}/spdx_test.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
printf '/*\n * SPDX-License-Identifier: MIT, in prose\n */\n' > "$T/without.c"
printf '/* SPDX-License-Identifier: MIT */\n/* x.c */\n' > "$T/with.c"
if has_spdx "$T/without.c" || ! has_spdx "$T/with.c"; then
    echo "spdx_test: the check itself is broken" >&2
    exit 99
fi

list=0
[ "${1:-}" = --list-missing ] && list=1

n=0
missing=0
files > "$T/files" || exit 99
[ -s "$T/files" ] || { echo "spdx_test: no files under $top" >&2; exit 99; }
while read -r f; do
    case $f in tests/vectors/sspi-rs-*) continue ;; esac
    [ -f "$top/$f" ] || continue
    s=$(style "$f")
    [ -n "$s" ] || continue
    n=$((n + 1))
    if ! has_spdx "$top/$f"; then
        missing=$((missing + 1))
        if [ $list -eq 1 ]; then
            echo "$s $f"
        else
            echo "FAIL: $f has no SPDX-License-Identifier: MIT line" >&2
        fi
    fi
done < "$T/files"
[ $list -eq 1 ] && exit 0
if [ $missing -gt 0 ]; then
    echo "spdx_test: $missing of $n source files lack the line; add" \
        "it at the top, after a #! line, as a comment of the file's" \
        "language" >&2
    exit 1
fi
echo "spdx_test: all $n source files carry SPDX-License-Identifier: MIT"
exit 0
