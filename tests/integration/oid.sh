#!/bin/sh
# SPDX-License-Identifier: MIT
# oid.sh - the hand-written OID bytes of include/gssapi/gssapi_credssp.h
# against OpenSSL's DER encoder.
#
# For the mechanism OID and for every extension OID (base.2.N context
# inquiries, base.3.N credential options, base.4.N credential inquiries,
# base.6.1 the GS2 mechanism) the bytes oid_dump prints from the header
# must equal the body of `$OPENSSL asn1parse -genstr OID:<dotted> -out F`
# (after its 06 LL header), and each extension must be the 32-byte base
# followed by "0X 0N".  The dotted mechanism OIDs of the header, of
# doc/design.md 3.1, of the installed mech.d lines and of the fixture's
# GSS_MECH_CONFIG must be one and the same.
#
# Exit 0 pass, 1 fail, 77 skip (99 with CI=true) when openssl is missing,
# 99 when oid_dump is not built.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_builddir=${top_builddir:-$(cd "$here/../.." && pwd)}
OPENSSL=${OPENSSL:-openssl}

# doc/design.md 3.1: the dotted OID and its 33-byte DER body.
MECH_DOTTED=1.2.840.113556.1.8000.2554.12432.22378.1866.19045.36928
MECH_DOTTED=$MECH_DOTTED.10346293.15062345.1
MECH_HEX=2a864886f71401be40937ae11081ae6a8e4a81946582a04084f7be358797aa4901
GS2_DOTTED=${MECH_DOTTED%.1}.6.1

# missing WHAT: a dependency is missing; skip, or fail under CI.
missing() {
    if [ "${CI:-}" = true ]; then
        echo "oid.sh: missing $1 and CI=true: failing" >&2
        exit 99
    fi
    echo "oid.sh: SKIP: missing $1" >&2
    exit 77
}

command -v "$OPENSSL" >/dev/null 2>&1 || missing "openssl ($OPENSSL)"
dump=$top_builddir/tests/integration/oid_dump
[ -x "$dump" ] || { echo "oid.sh: $dump is not built" >&2; exit 99; }

T=$(mktemp -d "${TMPDIR:-/tmp}/oid.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
fail=0

# der_body DOTTED: prints the hex DER body OpenSSL encodes for DOTTED,
# after checking the tag (06) and the short-form length; non-zero on error.
der_body() {
    if ! "$OPENSSL" asn1parse -genstr "OID:$1" -out "$T/der" -noout \
            > "$T/ossl.err" 2>&1; then
        echo "openssl cannot encode OID:$1:" >&2
        cat "$T/ossl.err" >&2
        return 1
    fi
    h=$(od -An -v -tx1 "$T/der" | tr -d ' \n')
    tag=$(printf '%s' "$h" | cut -c1-2)
    len=$(printf '%s' "$h" | cut -c3-4)
    body=$(printf '%s' "$h" | cut -c5-)
    if [ "$tag" != 06 ] || [ $((0x$len)) -ne $((${#body} / 2)) ]; then
        echo "unexpected DER from openssl for $1: $h" >&2
        return 1
    fi
    printf '%s\n' "$body"
}

# check NAME WANT HAVE: one comparison.
check() {
    if [ "$2" = "$3" ]; then
        echo "ok: $1"
    else
        echo "FAIL: $1:" >&2
        echo "    expected $2" >&2
        echo "    got      $3" >&2
        fail=1
    fi
}

"$dump" > "$T/dump" || { echo "oid.sh: oid_dump failed" >&2; exit 99; }
[ "$(wc -l < "$T/dump")" -ge 2 ] || { echo "oid.sh: oid_dump said" \
    "too little" >&2; exit 99; }

# The mechanism OID.
read -r name dotted hex < "$T/dump"
[ "$name" = mech ] || { echo "oid.sh: oid_dump's first line is $name" >&2;
    exit 99; }
check "header dotted OID is doc/design.md's" "$MECH_DOTTED" "$dotted"
body=$(der_body "$MECH_DOTTED") || exit 1
check "openssl encodes doc/design.md's body" "$MECH_HEX" "$body"
check "GSS_CREDSSP_MECH bytes = openssl DER body ($((${#body} / 2)) bytes)" \
    "$body" "$hex"
base_hex=${hex%01}
base_dotted=${MECH_DOTTED%.1}
check "the mechanism is base.1" "${base_hex}01" "$hex"
check "the base is 32 bytes" 64 "${#base_hex}"

# The extension OIDs: base + suffix, byte for byte and per openssl.
n=0
tail -n +2 "$T/dump" > "$T/ext"
while read -r name suffix hex; do
    n=$((n + 1))
    arc=$(printf '%s' "$suffix" | cut -d. -f2)
    num=$(printf '%s' "$suffix" | cut -d. -f3)
    want=$(printf '%s%02x%02x' "$base_hex" "$arc" "$num")
    check "$name is base + $(printf '%02x %02x' "$arc" "$num")" \
        "$want" "$hex"
    body=$(der_body "$base_dotted$suffix") || { fail=1; continue; }
    check "$name = openssl OID:base$suffix" "$body" "$hex"
done < "$T/ext"
for arc in .2. .3. .4. .6.; do
    if ! grep -q " $arc" "$T/ext"; then
        echo "FAIL: no base${arc}N OID in the header" >&2
        fail=1
    fi
done
echo "checked $n extension OIDs"

# The mech.d line built here and the fixture's mech config name the same
# OID (when they exist: the first is built by `make`, the second only
# under with-kdc with CREDSSP_MODULE set).
for f in "$top_builddir/gss-mech.conf.d/credssp.conf" \
        "${GSS_MECH_CONFIG:-}"; do
    if [ -z "$f" ] || [ ! -f "$f" ]; then
        continue
    fi
    oid=$(awk '$1 == "credssp" { print $2 }' "$f")
    check "$f names the mechanism OID" "$MECH_DOTTED" "$oid"
    oid=$(awk '$1 == "credssp-gs2" { print $2 }' "$f")
    check "$f names the GS2 mechanism OID" "$GS2_DOTTED" "$oid"
    mods=$(awk '$1 == "credssp" || $1 == "credssp-gs2" { print $3 }' "$f" |
        sort -u | wc -l)
    check "$f loads both from one module" 1 "$mods"
done
exit $fail
