#!/bin/sh
# SPDX-License-Identifier: MIT
# install_test.sh - `./configure && make && make install && credssp demo`
# as an administrator does it, into a fresh prefix (issue 17).  Run by
# tools/quickstart.sh's CI section as root, never by `make check` (it
# writes into /etc/gss).
#
#   sh tests/package/install_test.sh [TARBALL]
#
# 1. Records /etc/gss (every path with type, mode and owner, and the
#    SHA-256 of every file).
# 2. Unpacks the release tarball (TARBALL, default: `make dist` here) in a
#    scratch directory and runs `./configure --prefix=P` with no other
#    option, where P does not exist yet; the configure summary must send
#    the mech.d line to the directory the installed libgssapi_krb5 reads
#    (its own mech.d pattern), whatever P is.
# 3. `make install prefix=ELSEWHERE` must be refused and install nothing.
# 4. `make install`; the mech.d line names P's module.
# 5. With no GSS_MECH_CONFIG (nor anything else pointing at the build),
#    P/bin/credssp demo: all four sides must succeed.
# 6. A mech.d line naming another module: `make install` must refuse and
#    install nothing; uninstalling must leave that line and credssp.conf.
# 7. `make uninstall`: /etc/gss must be exactly as in step 1 and P, which
#    install created, must be gone.
#
# Exit 0 pass, 1 fail, 77 skip (99 under CI=true) when not root or a tool
# is missing.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
start_time=$(date +%s)

fail() { echo "install_test: FAIL: $*" >&2; exit 1; }
missing() {
    if [ "${CI:-}" = true ]; then
        echo "install_test: missing $1 and CI=true: failing" >&2
        exit 99
    fi
    echo "install_test: SKIP: missing $1" >&2
    exit 77
}

[ "$(id -u)" -eq 0 ] || missing "root (it installs into /etc/gss)"
for p in make cc sha256sum; do
    command -v "$p" >/dev/null 2>&1 || missing "$p (see tools/quickstart.sh)"
done

T=$(mktemp -d "${TMPDIR:-/tmp}/install_test.XXXXXX") || fail "mktemp"
P=$T/prefix
src=""
installed=0

cleanup() {
    if [ $installed -eq 1 ]; then
        # Step 6 may have left another module's line in place of ours.
        [ ! -f "$T/ours.line" ] ||
            cp "$T/ours.line" /etc/gss/mech.d/credssp.conf
        (cd "$src" && make uninstall) > "$T/cleanup.log" 2>&1 ||
            echo "install_test: make uninstall failed during cleanup" \
                "(see $T/cleanup.log): check /etc/gss by hand" >&2
    fi
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# etc_gss_listing: every path under /etc/gss with type, mode and owner,
# then the SHA-256 of every file.
etc_gss_listing() {
    find /etc/gss -printf '%y %m %u:%g %p\n' 2>/dev/null | LC_ALL=C sort
    find /etc/gss -type f -print0 2>/dev/null | LC_ALL=C sort -z |
        xargs -0 -r sha256sum
}

# 1. /etc/gss before.
etc_gss_listing > "$T/etc-gss.before"
for f in /etc/gss/mech.d/credssp.conf /etc/gss/credssp.conf; do
    [ ! -e "$f" ] || fail "$f exists before the install (a package or" \
        "an earlier make install?): remove it first"
done

# 2. Configure a fresh prefix from the release tarball.
tarball=${1:-}
if [ -z "$tarball" ]; then
    echo "== make dist"
    (cd "$top" && make dist) > "$T/dist.log" 2>&1 ||
        fail "make dist: $(tail -5 "$T/dist.log")"
    tarball=$(ls "$top"/gss-credssp-*.tar.gz | head -1)
fi
[ -f "$tarball" ] || fail "no tarball $tarball"
tar -xzf "$tarball" -C "$T" || fail "cannot unpack $tarball"
src=$(ls -d "$T"/gss-credssp-*/ | head -1)
src=${src%/}

echo "== ./configure --prefix=$P"
(cd "$src" && ./configure --prefix="$P") > "$T/configure.log" 2>&1 || {
    tail -20 "$T/configure.log" >&2
    fail "configure"
}
sed -n '/make install puts:/,$p' "$T/configure.log" |
    grep '^configure: ' | sed 's/^/   /'
# What the mechglue itself globs: the string compiled into the library
# (the test's own reading, independent of configure's).
mechd=""
for lib in /lib/*/libgssapi_krb5.so.2 /usr/lib/*/libgssapi_krb5.so.2 \
        /usr/lib/libgssapi_krb5.so.2 /usr/lib64/libgssapi_krb5.so.2; do
    [ -f "$lib" ] || continue
    mechd=$(LC_ALL=C grep -a -o '/[[:graph:]]*/gss/mech\.d/\*\.conf' \
        "$lib" | sed -n '1s|/\*\.conf$||p')
    [ -z "$mechd" ] || break
done
[ -n "$mechd" ] || fail "no mech.d pattern in any libgssapi_krb5.so.2"
[ "$mechd" = /etc/gss/mech.d ] ||
    fail "this test records /etc/gss, but krb5 reads $mechd"
grep -q "^configure:   the mech.d line   $mechd/credssp.conf\$" \
    "$T/configure.log" ||
    fail "configure does not put the mech.d line in $mechd"
grep -q "^configure:   credssp.conf      /etc/gss/credssp.conf " \
    "$T/configure.log" ||
    fail "configure does not put credssp.conf in /etc/gss"

echo "== make"
(cd "$src" && make -j"$(nproc)") > "$T/make.log" 2>&1 || {
    tail -20 "$T/make.log" >&2
    fail "make"
}

# 3. Another prefix at install time: refused, nothing installed.
echo "== make install prefix=$T/elsewhere (must be refused)"
if (cd "$src" && make install prefix="$T/elsewhere") \
        > "$T/refused.log" 2>&1; then
    installed=1
    fail "make install prefix=$T/elsewhere was not refused"
fi
grep 'error: prefix is' "$T/refused.log" | sed 's/^/   /'
grep -q 'error: prefix is' "$T/refused.log" ||
    fail "no clear error for the other prefix: $(tail -3 "$T/refused.log")"
[ ! -e "$T/elsewhere" ] || fail "the refused install created $T/elsewhere"
[ ! -e "$P" ] || fail "the refused install created $P"
etc_gss_listing > "$T/etc-gss.refused"
cmp -s "$T/etc-gss.before" "$T/etc-gss.refused" ||
    fail "the refused install changed /etc/gss"

# 4. Install.
echo "== make install"
installed=1
(cd "$src" && make install) > "$T/install.log" 2>&1 || {
    tail -20 "$T/install.log" >&2
    fail "make install"
}
echo "   $mechd/credssp.conf:"
grep -v '^#' /etc/gss/mech.d/credssp.conf | sed 's/^/     /'
# Every line (CredSSP's OID, and the GS2 one for SASL) names P's module.
module=$(awk '!/^#/ && NF { print $3 }' /etc/gss/mech.d/credssp.conf |
    sort -u)
[ "$module" = "$P/lib/gss-credssp/gsscredssp.so" ] ||
    fail "the mech.d lines name '$module', not $P/lib/gss-credssp/gsscredssp.so"
[ -f "$module" ] || fail "$module is not installed"
[ -f /etc/gss/credssp.conf ] || fail "no /etc/gss/credssp.conf"
LC_ALL=C grep -a -q -F /etc/gss/credssp.conf "$module" ||
    fail "the module does not read /etc/gss/credssp.conf"

# 5. The installed tool and module, found through /etc/gss/mech.d only.
unset GSS_MECH_CONFIG GSSCREDSSP_CONFIG GSSCREDSSP_DEBUG CREDSSP_FIXTURE \
    CREDSSP_MODULE LD_LIBRARY_PATH LD_PRELOAD
echo "== $P/bin/credssp demo"
if ! (cd "$T" && "$P/bin/credssp" demo) > "$T/demo.log" 2>&1; then
    cat "$T/demo.log" >&2
    fail "credssp demo"
fi
grep -q 'all four sides succeeded' "$T/demo.log" ||
    fail "credssp demo did not report four successful sides"
tail -1 "$T/demo.log" | sed 's/^/   /'

# 6. Another installation's mech.d line (as a package or another prefix
#    leaves it): install is refused before it installs anything, and
#    uninstall leaves that line and credssp.conf alone.
echo "== a mech.d line naming another module: install refused, uninstall leaves it"
cp /etc/gss/mech.d/credssp.conf "$T/ours.line"
sed -i "s|$P/lib/gss-credssp/gsscredssp.so|/opt/elsewhere/gsscredssp.so|" \
    /etc/gss/mech.d/credssp.conf
find "$P" | LC_ALL=C sort > "$T/prefix.before"
if (cd "$src" && make install) > "$T/refused2.log" 2>&1; then
    fail "make install replaced another installation's mech.d line"
fi
grep 'registers another gss-credssp' "$T/refused2.log" | sed 's/^/   /'
grep -q 'registers another gss-credssp: /opt/elsewhere/gsscredssp.so' \
    "$T/refused2.log" || fail "no clear error: $(tail -3 "$T/refused2.log")"
find "$P" | LC_ALL=C sort | cmp -s - "$T/prefix.before" ||
    fail "the refused install changed $P"
(cd "$src" && make uninstall-gss-files) > "$T/leave.log" 2>&1 ||
    fail "make uninstall-gss-files: $(tail -3 "$T/leave.log")"
sed 's/^/   /' "$T/leave.log" | grep 'leaving'
grep -q /opt/elsewhere/gsscredssp.so /etc/gss/mech.d/credssp.conf ||
    fail "uninstall removed another installation's mech.d line"
[ -f /etc/gss/credssp.conf ] ||
    fail "uninstall removed another installation's credssp.conf"
cp "$T/ours.line" /etc/gss/mech.d/credssp.conf

# 7. Uninstall: /etc/gss as it was, the prefix gone.
echo "== make uninstall"
(cd "$src" && make uninstall) > "$T/uninstall.log" 2>&1 || {
    tail -20 "$T/uninstall.log" >&2
    fail "make uninstall"
}
installed=0
etc_gss_listing > "$T/etc-gss.after"
if ! diff -u "$T/etc-gss.before" "$T/etc-gss.after"; then
    fail "/etc/gss differs after make uninstall"
fi
sed 's/^/   /' "$T/etc-gss.after"
if [ -e "$P" ]; then
    find "$P" | sed 's/^/   left: /' >&2
    fail "$P, which make install created, is still there"
fi

echo "install_test: ok in $(($(date +%s) - start_time)) s"
