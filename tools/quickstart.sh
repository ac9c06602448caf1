#!/bin/sh
# SPDX-License-Identifier: MIT
# quickstart.sh - the README's two Quick-start commands, for a fresh
# Debian 12 machine:
#   sh tools/quickstart.sh demo    install, build, run `credssp demo`
#   sh tools/quickstart.sh check   install, build, run the whole test suite
#                                  (plus distcheck, a clang -Werror build,
#                                  ASan+UBSan, fuzz-smoke, TSan, valgrind,
#                                  the make install test and the Debian
#                                  package test when CI=true or FULL=1)
#   sh tools/quickstart.sh packages demo|check
#                                  print the Debian packages the mode
#                                  installs, one a line, and stop
# Everything the build and the tests need comes from Debian's packages.
set -eu

list_only=0
if [ "${1:-}" = packages ]; then
    list_only=1
    shift
fi
mode=${1:-}
case "$mode" in
    demo|check) ;;
    *) echo "usage: sh tools/quickstart.sh [packages] demo|check" >&2
       exit 2 ;;
esac
cd "$(dirname "$0")/.."

# Debian packages, one a line, sorted (installed without Recommends).
# DEMO_PACKAGES: the build (configure needs check) and `credssp demo`'s
# throwaway KDC (krb5kdc, kdb5_util, kadmin.local, python3) and NTLM.
DEMO_PACKAGES="
autoconf
automake
build-essential
check
gss-ntlmssp
krb5-admin-server
krb5-kdc
libkrb5-dev
libssl-dev
libtool
pkg-config
python3
"
# TEST_PACKAGES: what `make check` adds: peers (MIT's gss samples,
# python3-gssapi, python3-winrm, FreeRDP under Xvfb, rdesktop, Impacket
# with iproute2 for its network namespace, Cyrus SASL and OpenLDAP), the
# KDC's PKINIT plugin, analysers (tshark, valgrind), clang and its
# libFuzzer, and gnuplot for `make bench`.
TEST_PACKAGES="
binutils
clang
freerdp2-shadow-x11
freerdp2-x11
gnuplot-nox
iproute2
krb5-gss-samples
krb5-pkinit
krb5-user
ldap-utils
libclang-rt-14-dev
libsasl2-modules-gssapi-mit
openssl
python3-gssapi
python3-impacket
python3-winrm
rdesktop
sasl2-bin
slapd
tshark
valgrind
winpr-utils
xvfb
"
# FULL_PACKAGES: only for the CI/FULL checks: Debian packaging
# (package_test.sh) and the RPM spec check (rpmspec_test.sh skips without
# rpm elsewhere).
FULL_PACKAGES="
debhelper
dpkg-dev
lintian
rpm
"
PACKAGES=$DEMO_PACKAGES
if [ "$mode" = check ]; then
    PACKAGES="$PACKAGES $TEST_PACKAGES"
    if [ "${CI:-}" = true ] || [ "${FULL:-}" = 1 ]; then
        PACKAGES="$PACKAGES $FULL_PACKAGES"
    fi
fi
if [ $list_only -eq 1 ]; then
    # shellcheck disable=SC2086
    printf '%s\n' $PACKAGES | LC_ALL=C sort -u
    exit 0
fi

install_packages() {
    missing=""
    for p in $PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' \
            || missing="$missing $p"
    done
    [ -n "$missing" ] || return 0
    echo "== installing:$missing"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
    # shellcheck disable=SC2086
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends $missing
}

build() {
    echo "== building"
    [ -x configure ] || autoreconf -fi
    [ -f Makefile ] || ./configure
    make -j"$(nproc)"
}

# After a failed `make check`, print the log of every failed test, so that
# a CI run's output says why (the logs themselves stay on the machine).
show_failures() {
    for trs in $(find "${1:-.}" -name '*.trs' 2>/dev/null); do
        grep -q '^:test-result: \(FAIL\|ERROR\)' "$trs" || continue
        echo "== ${trs%.trs}.log (last 150 lines)"
        tail -n 150 "${trs%.trs}.log"
    done
}

install_packages
build
if [ "$mode" = demo ]; then
    exec make demo
fi
make -j"$(nproc)" check || { show_failures .; exit 1; }
if [ "${CI:-}" = true ] || [ "${FULL:-}" = 1 ]; then
    echo "== make distcheck"
    make -j"$(nproc)" distcheck
    echo "== clang build with -Werror, from the release tarball"
    rm -rf _clang && mkdir _clang
    tar -xzf gss-credssp-*.tar.gz -C _clang
    (cd _clang/gss-credssp-* && ./configure -q CC=clang &&
        make -j"$(nproc)" && make -j"$(nproc)" tests/bench/bench_credssp)
    rm -rf _clang
    echo "== make check under AddressSanitizer and UBSan"
    rm -rf _asan && mkdir _asan
    tar -xzf gss-credssp-*.tar.gz -C _asan
    (cd _asan/gss-credssp-* && ./configure -q --enable-asan --enable-ubsan &&
        make -j"$(nproc)" && make -j"$(nproc)" check) ||
        { show_failures _asan; exit 1; }
    rm -rf _asan
    echo "== libFuzzer targets: make fuzz-smoke (60 s each), from the tarball"
    rm -rf _fuzz && mkdir _fuzz
    tar -xzf gss-credssp-*.tar.gz -C _fuzz
    (cd _fuzz/gss-credssp-* && ./configure -q CC=clang --enable-fuzzing &&
        make -j"$(nproc)" && make fuzz-smoke)
    rm -rf _fuzz
    echo "== concurrency test (8 threads x 200) under ThreadSanitizer"
    rm -rf _tsan && mkdir _tsan
    tar -xzf gss-credssp-*.tar.gz -C _tsan
    (cd _tsan/gss-credssp-* && ./configure -q CC=clang --enable-tsan &&
        make -j"$(nproc)" && make check-tsan)
    rm -rf _tsan
    echo "== make check under valgrind memcheck"
    rm -rf _valgrind && mkdir _valgrind
    tar -xzf gss-credssp-*.tar.gz -C _valgrind
    (cd _valgrind/gss-credssp-* && ./configure -q &&
        make -j"$(nproc)" && make -j"$(nproc)" check-valgrind) ||
        { show_failures _valgrind; exit 1; }
    rm -rf _valgrind
    echo "== make install into a fresh prefix: credssp demo, make uninstall"
    rc=0
    sh tests/package/install_test.sh gss-credssp-*.tar.gz || rc=$?
    # 77: skipped (not root, outside CI); under CI=true a skip is 99.
    [ $rc -eq 0 ] || [ $rc -eq 77 ] || exit $rc
    echo "== Debian packages from the tarball: build, lintian, install, use, purge"
    rc=0
    sh tests/package/package_test.sh gss-credssp-*.tar.gz || rc=$?
    # 77: skipped (not root, outside CI); under CI=true a skip is 99.
    [ $rc -eq 0 ] || [ $rc -eq 77 ] || exit $rc
fi
