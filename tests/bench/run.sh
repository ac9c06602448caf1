#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh - the body of `make bench`, run under tests/fixture/with-kdc with
# the tests' environment (AM_TESTS_ENVIRONMENT) plus GNUPLOT and
# BENCH_RESULTS.  Prints the table and leaves in $BENCH_RESULTS:
# bench.txt (the table), bench.csv (every number), bench.png (the plot).
set -u
out=$BENCH_RESULTS
: "${GNUPLOT:=gnuplot}"
if ! command -v "$GNUPLOT" >/dev/null 2>&1; then
    echo "bench: $GNUPLOT is missing (Debian package gnuplot-nox)" >&2
    exit 1
fi
mkdir -p "$out" || exit 1
t0=$(date +%s)

run() {
    # The table goes to the terminal and to bench.txt; the status of the
    # program, not of tee, decides.
    { "$@"; echo $? > "$out/.rc"; } 2>&1 | tee -a "$out/bench.txt"
    [ "$(cat "$out/.rc")" = 0 ]
}

{
    echo "gss-credssp bench, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo |
        head -1), $(nproc) CPUs online, $(uname -sr)"
    echo "$("$OPENSSL" version), $(dpkg-query -W -f \
        'krb5 ${Version}' libgssapi-krb5-2 2>/dev/null), $(dpkg-query -W -f \
        'gss-ntlmssp ${Version}' gss-ntlmssp 2>/dev/null)"
} > "$out/bench.txt"
cat "$out/bench.txt"

run "$top_builddir/tests/bench/bench_credssp" "$out" || exit 1
run "$PYTHON3" "$top_srcdir/tests/bench/freerdp_bench.py" "$out" || exit 1
rm -f "$out/.rc" "$out/bench.png"
# The plot needs both sections; BENCH_ONLY may have left one out.
wrote="bench.txt, bench.csv"
if grep -qv '^#' "$out/handshake.dat" 2>/dev/null &&
    grep -qv '^#' "$out/wrap.dat" 2>/dev/null; then
    "$GNUPLOT" -e "dir='$out'" "$top_srcdir/tests/bench/plot.gp" || exit 1
    wrote="$wrote, bench.png"
else
    echo "bench: no plot: it needs the handshake and wrap sections" \
        "(BENCH_ONLY=${BENCH_ONLY:-})"
fi
echo
echo "bench: $(($(date +%s) - t0)) s; wrote $out/$wrote"
