#!/bin/sh
# SPDX-License-Identifier: MIT
# exports.sh - the module's dynamic symbol table and the mechglue rule.
#
# 1. `$NM -D --defined-only .libs/gsscredssp.so` lists exactly the names in
#    mech/credssp.exports: no more (a leaked engine symbol could shadow a
#    host's), no fewer (MIT's build_dynamicMech binds by dlsym of name).
# 2. No object of the engine (src/) or of the GSS face (mech/) has an
#    undefined gss_* symbol, and neither has the module itself: every
#    mechglue call goes through the dlsym table of src/glue.c
#    (doc/design.md 3.2).  A direct call would bind
#    to the module's own export when the host loaded libgssapi_krb5 with
#    RTLD_LOCAL, and recurse.
#
# Exit 0 pass, 1 fail, 77 skip (99 with CI=true) when nm is missing, 99 when
# the module is not built.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_builddir=${top_builddir:-$(cd "$here/../.." && pwd)}
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
NM=${NM:-nm}

# missing WHAT: a dependency is missing; skip, or fail under CI.
missing() {
    if [ "${CI:-}" = true ]; then
        echo "exports.sh: missing $1 and CI=true: failing" >&2
        exit 99
    fi
    echo "exports.sh: SKIP: missing $1" >&2
    exit 77
}

# $NM may carry options (configure gives "nm -B"): word splitting wanted.
# shellcheck disable=SC2086
set -- $NM
command -v "$1" >/dev/null 2>&1 || missing "nm ($NM)"

so=$top_builddir/.libs/gsscredssp.so
exports=$top_srcdir/mech/credssp.exports
[ -f "$so" ] || { echo "exports.sh: no module $so (build it)" >&2; exit 99; }
[ -f "$exports" ] || { echo "exports.sh: no $exports" >&2; exit 99; }

T=$(mktemp -d "${TMPDIR:-/tmp}/exports.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT

fail=0

# The export list: one name a line; blank lines and # comments ignored.
sed -e 's/#.*//' -e 's/[[:space:]]//g' "$exports" | grep -v '^$' |
    LC_ALL=C sort -u > "$T/want"
[ -s "$T/want" ] || { echo "exports.sh: $exports is empty" >&2; exit 1; }

# Defined dynamic symbols; type A (version definition nodes) are not
# symbols anyone can bind to, and a version suffix (@@V) is dropped.
if ! $NM -D --defined-only "$so" > "$T/nm.out" 2> "$T/nm.err"; then
    echo "exports.sh: $NM -D --defined-only $so failed:" >&2
    cat "$T/nm.err" >&2
    exit 99
fi
awk 'NF >= 2 && $(NF-1) != "A" { print $NF }' "$T/nm.out" |
    sed 's/@.*//' | LC_ALL=C sort -u > "$T/have"

LC_ALL=C comm -13 "$T/want" "$T/have" > "$T/extra"
LC_ALL=C comm -23 "$T/want" "$T/have" > "$T/lacking"
if [ -s "$T/extra" ]; then
    echo "FAIL: exported but not in credssp.exports:" >&2
    sed 's/^/    /' "$T/extra" >&2
    fail=1
fi
if [ -s "$T/lacking" ]; then
    echo "FAIL: in credssp.exports but not exported:" >&2
    sed 's/^/    /' "$T/lacking" >&2
    fail=1
fi
if [ $fail -eq 0 ]; then
    echo "ok: $(wc -l < "$T/have") exported names match credssp.exports"
fi

# The module itself must not need any gss_* symbol from elsewhere.
$NM -D --undefined-only "$so" | awk '{ print $NF }' | sed 's/@.*//' |
    grep '^gss_' > "$T/so_undef"
if [ -s "$T/so_undef" ]; then
    echo "FAIL: $so has undefined gss_* symbols:" >&2
    sed 's/^/    /' "$T/so_undef" >&2
    fail=1
else
    echo "ok: the module has no undefined gss_* symbol"
fi

# The objects: plain (src/*.o, mech/*.o) and libtool PIC ones under .libs
# (with subdir-objects: src/.libs/libcscore_la-glue.o,
# mech/.libs/gsscredssp_la-gss_creds.o).
: > "$T/objs"
for d in src src/.libs mech mech/.libs; do
    for o in "$top_builddir/$d"/*.o; do
        [ -f "$o" ] && echo "$o" >> "$T/objs"
    done
done
if ! grep -q '/src/' "$T/objs" || ! grep -q '/mech/' "$T/objs"; then
    echo "exports.sh: no object files under $top_builddir/src or" \
        "$top_builddir/mech (build the module first)" >&2
    exit 99
fi
nobj=0
while IFS= read -r o; do
    nobj=$((nobj + 1))
    if ! $NM -u "$o" > "$T/u.out" 2> "$T/u.err"; then
        echo "FAIL: $NM -u $o failed:" >&2
        cat "$T/u.err" >&2
        fail=1
        continue
    fi
    awk '{ print $NF }' "$T/u.out" | grep '^gss_' > "$T/u.gss"
    if [ -s "$T/u.gss" ]; then
        echo "FAIL: $o calls the mechglue directly (not through" \
            "src/glue.c):" >&2
        sed 's/^/    /' "$T/u.gss" >&2
        fail=1
    fi
done < "$T/objs"
if [ $fail -eq 0 ]; then
    echo "ok: none of $nobj objects has an undefined gss_* symbol"
fi

# 3. No call from inside the module to one of its own exported gss_*
# names: such a call goes through the PLT and, with libgssapi_krb5 loaded
# first, lands in the mechglue's function of that name (the name clash
# of doc/design.md 3.2).  A PLT slot or GOT entry for a gss_* name shows one.
if command -v readelf >/dev/null 2>&1; then
    readelf -rW "$so" | awk '/JUMP_SLO|GLOB_DAT/ { print $5 }' |
        grep -E '^gss(spi)?_' > "$T/self.calls"
    if [ -s "$T/self.calls" ]; then
        echo "FAIL: the module calls its own exported names through the" \
            "PLT (they would bind to the mechglue's):" >&2
        sed 's/^/    /' "$T/self.calls" >&2
        fail=1
    else
        echo "ok: no PLT call to an exported gss_* name"
    fi
fi
exit $fail
