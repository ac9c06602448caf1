#!/bin/sh
# SPDX-License-Identifier: MIT
# package_test.sh - the Debian packages, built and used as a distribution
# would (issue 7).  Run by tools/quickstart.sh's CI section as root, never
# by `make check` (it installs into the system).
#
#   sh tests/package/package_test.sh [TARBALL]
#
# 1. Unpacks the release tarball (TARBALL, default: `make dist` here) in a
#    scratch directory and runs `dpkg-buildpackage -us -uc -b` there, with
#    the nocheck profile: the same tree's `make check` already ran in CI
#    (debian/rules runs the suite when nocheck is not given).
# 2. lintian on the .changes (all binary packages): any E: or W: tag fails.
# 3. Records /etc/gss/mech.d (names and SHA-256), installs the packages
#    with apt-get install ./*.deb and checks files and conffiles.
# 4. With no GSS_MECH_CONFIG (the mechglue reads /etc/gss/mech.d, so the
#    INSTALLED module is the one used): `credssp demo` (the installed tool
#    and its installed KDC fixture), and the installed examples (the
#    python3-gssapi ones, and the C one built with pkg-config gss-credssp)
#    against a throwaway KDC.
# 5. Purges the packages and compares /etc/gss/mech.d with step 3.
#
# Output (lintian, build log, package contents, listings) goes to
# $PACKAGE_TEST_OUT (default ./package-test).  Exit 0 pass, 1 fail, 77 skip
# (99 under CI=true) when not root or a tool is missing.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
start_time=$(date +%s)

fail() { echo "package_test: FAIL: $*" >&2; exit 1; }
missing() {
    if [ "${CI:-}" = true ]; then
        echo "package_test: missing $1 and CI=true: failing" >&2
        exit 99
    fi
    echo "package_test: SKIP: missing $1" >&2
    exit 77
}

[ "$(id -u)" -eq 0 ] || missing "root (it installs and purges packages)"
for p in dpkg-buildpackage dh lintian apt-get /usr/bin/python3 cc; do
    command -v "$p" >/dev/null 2>&1 || missing "$p (see tools/quickstart.sh)"
done

OUT=${PACKAGE_TEST_OUT:-$PWD/package-test}
rm -rf "$OUT" && mkdir -p "$OUT" || fail "cannot make $OUT"
OUT=$(cd "$OUT" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/package_test.XXXXXX") || fail "mktemp"
PKGS="gss-credssp gss-credssp-dev gss-credssp-tools"
installed=0
kdc_dir=""

cleanup() {
    if [ -n "$kdc_dir" ]; then
        sh /usr/share/gss-credssp/kdc-fixture.sh stop "$kdc_dir" ||
            sh "$top/tests/fixture/kdc-fixture.sh" stop "$kdc_dir"
    fi
    if [ $installed -eq 1 ]; then
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $PKGS \
            >> "$OUT/purge.log" 2>&1
    fi
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# mechd_listing: every path under /etc/gss with its type, and the SHA-256
# of each file of /etc/gss/mech.d.
mechd_listing() {
    find /etc/gss -printf '%y %p\n' 2>/dev/null | LC_ALL=C sort
    if [ -d /etc/gss/mech.d ]; then
        find /etc/gss/mech.d -type f -print0 | LC_ALL=C sort -z |
            xargs -0 -r sha256sum
    fi
}

# A leftover of an interrupted run would spoil the "before" listing.
for p in $PKGS; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
            grep -q 'installed'; then
        echo "== $p is installed (a previous run?): purging it first"
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "$p" \
            > "$OUT/prepurge.log" 2>&1 || fail "cannot purge $p"
    fi
done

# 1. Build from the release tarball.
tarball=${1:-}
if [ -z "$tarball" ]; then
    echo "== make dist"
    (cd "$top" && make dist) > "$OUT/dist.log" 2>&1 ||
        fail "make dist (see $OUT/dist.log)"
    tarball=$(ls "$top"/gss-credssp-*.tar.gz | head -1)
fi
[ -f "$tarball" ] || fail "no tarball $tarball"
tar -xzf "$tarball" -C "$T" || fail "cannot unpack $tarball"
src=$(ls -d "$T"/gss-credssp-*/ | head -1)
src=${src%/}
version=${src##*/gss-credssp-}
(cd "$src" && dpkg-parsechangelog -S Version) > "$T/debversion" ||
    fail "dpkg-parsechangelog"
[ "$(cat "$T/debversion")" = "$version" ] ||
    fail "debian/changelog says $(cat "$T/debversion"), configure.ac $version"

echo "== dpkg-buildpackage -us -uc -b in $src"
b0=$(date +%s)
opts="nocheck parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}"
(cd "$src" && DEB_BUILD_OPTIONS=$opts DEB_BUILD_PROFILES=nocheck \
    dpkg-buildpackage -us -uc -b) \
    > "$OUT/build.log" 2>&1 || {
    tail -40 "$OUT/build.log" >&2
    fail "dpkg-buildpackage (see $OUT/build.log)"
}
echo "   built in $(($(date +%s) - b0)) s"
changes=$(ls "$T"/gss-credssp_*.changes | head -1)
[ -f "$changes" ] || fail "no .changes file"
cp "$T"/*.deb "$changes" "$OUT"/

# 2. lintian: E: and W: fail (I: and N: are information).
echo "== lintian $(lintian --version | sed 's/^lintian //')"
lintian --display-info --pedantic "$changes" > "$OUT/lintian.txt" 2>&1
lrc=$?
sed 's/^/   /' "$OUT/lintian.txt"
[ -s "$OUT/lintian.txt" ] || echo "   (no tags)"
if grep -q '^[EW]: ' "$OUT/lintian.txt"; then
    fail "lintian reports errors or warnings (above)"
fi
# lintian exits non-zero on its own errors (not on tags without --fail-on).
[ $lrc -eq 0 ] || fail "lintian exited $lrc"

for deb in "$T"/*.deb; do
    name=$(dpkg-deb -f "$deb" Package)
    dpkg-deb -c "$deb" > "$OUT/$name.contents"
    echo "== files of $name"
    awk '$1 !~ /^d/ { l = "   " $6; for (i = 7; i <= NF; i++) l = l " " $i
        print l }' "$OUT/$name.contents"
done

# 3. Install.
mechd_listing > "$OUT/mechd.before"
for f in /etc/gss/mech.d/credssp.conf /etc/gss/credssp.conf; do
    [ ! -e "$f" ] || fail "$f exists before the packages are installed" \
        "(from make install?): remove it first"
done
debs=""
for p in $PKGS; do
    debs="$debs ./$(cd "$T" && ls "${p}_"*.deb)"
done
echo "== apt-get install$debs"
# shellcheck disable=SC2086
(cd "$T" && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends $debs) > "$OUT/install.log" 2>&1 || {
    tail -20 "$OUT/install.log" >&2
    fail "apt-get install (see $OUT/install.log)"
}
installed=1
conffiles=$(dpkg-query -W -f='${Conffiles}\n' gss-credssp | awk '{ print $1 }')
for f in /etc/gss/mech.d/credssp.conf /etc/gss/credssp.conf; do
    echo "$conffiles" | grep -qx "$f" || fail "$f is not a conffile"
done
module=$(awk '$1 == "credssp" { print $3 }' /etc/gss/mech.d/credssp.conf)
case "$module" in
    /usr/lib/*/gss-credssp/gsscredssp.so) ;;
    *) fail "mech.d names $module, not /usr/lib/<triplet>/gss-credssp/" ;;
esac
[ -f "$module" ] || fail "mech.d names $module, which is not installed"
echo "   mech.d: $(grep -v '^#' /etc/gss/mech.d/credssp.conf)"
[ "$(pkg-config --variable=moduledir gss-credssp)/gsscredssp.so" = \
    "$module" ] || fail "pkg-config moduledir does not name $module"
pkg-config --cflags gss-credssp > /dev/null || fail "pkg-config --cflags"

# 4. The installed module, found through /etc/gss/mech.d only.
unset GSS_MECH_CONFIG GSSCREDSSP_CONFIG GSSCREDSSP_DEBUG CREDSSP_FIXTURE \
    CREDSSP_MODULE LD_LIBRARY_PATH LD_PRELOAD
cd "$T" || fail "cd $T"
echo "== credssp demo (installed /usr/bin/credssp)"
if ! /usr/bin/credssp demo > "$OUT/demo.log" 2>&1; then
    cat "$OUT/demo.log" >&2
    fail "credssp demo"
fi
grep -q 'all four sides succeeded' "$OUT/demo.log" ||
    fail "credssp demo did not report four successful sides"
tail -1 "$OUT/demo.log" | sed 's/^/   /'

echo "== the installed examples: python3-gssapi, NTLM-only, C"
kdc_dir="$T/kdc"
mkdir "$kdc_dir"
sh /usr/share/gss-credssp/kdc-fixture.sh start "$kdc_dir" > "$T/kdc.env" ||
    fail "kdc-fixture.sh start"
grep -q GSS_MECH_CONFIG "$T/kdc.env" &&
    fail "the fixture set GSS_MECH_CONFIG without CREDSSP_MODULE"
. "$T/kdc.env"
ex=$(ls -d /usr/share/doc/gss-credssp-dev/examples)
mkdir -p "$T/top/doc"
ln -s "$ex" "$T/top/doc/examples"
# The C example as an application builds it: the installed header and
# gss-credssp.pc.
# shellcheck disable=SC2046
cc -o "$T/credssp_loopback" "$ex/credssp_loopback.c" \
    $(pkg-config --cflags --libs gss-credssp) > "$OUT/cc.log" 2>&1 || {
    cat "$OUT/cc.log" >&2
    fail "the installed C example does not build with pkg-config gss-credssp"
}
# Debian's python3 (python3-gssapi), whatever python3 comes first in PATH.
CREDSSP_LOOPBACK="$T/credssp_loopback" top_srcdir="$T/top" /usr/bin/python3 \
    "$top/tests/integration/examples_test.py" > "$OUT/python.log" 2>&1 || {
    cat "$OUT/python.log" >&2
    fail "the installed examples with the installed module"
}
tail -1 "$OUT/python.log" | sed 's/^/   /'
sh /usr/share/gss-credssp/kdc-fixture.sh stop "$kdc_dir"
kdc_dir=""

# 5. Purge: /etc/gss is as it was.
echo "== apt-get purge"
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $PKGS \
    > "$OUT/purge.log" 2>&1 || fail "apt-get purge (see $OUT/purge.log)"
installed=0
mechd_listing > "$OUT/mechd.after"
if ! diff -u "$OUT/mechd.before" "$OUT/mechd.after"; then
    fail "/etc/gss differs after purge"
fi
sed 's/^/   /' "$OUT/mechd.after"
[ ! -e "$module" ] || fail "$module is still there after purge"
[ ! -e "${module%/*}" ] || fail "${module%/*} is still there after purge"

echo "package_test: ok in $(($(date +%s) - start_time)) s (output in $OUT)"
