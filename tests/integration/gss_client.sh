#!/bin/sh
# SPDX-License-Identifier: MIT
# gss_client.sh - Debian's gss-client (package krb5-gss-samples, MIT's
# gss-sample initiator) authenticates with CredSSP, chosen by its OID, to
# gss_sample_acceptor over 127.0.0.1:
#
#   gss-client -port P -mech "{ 1 2 840 ... 1 }" -user alice -pass PW \
#       -nw -nm localhost host@localhost hello
#
# The OID goes in braces: for an argument starting with a digit gss-client
# (krb5 1.20 and later, parse_oid) writes "{ 1 2 840 ... 1  " with no
# closing brace, which gss_str_to_oid refuses; gss-client then carries on
# with the default mechanism.
#
# gss-client imports its service argument alone as a host-based name, so
# a bare "host" would mean host/<this machine's hostname>; the fixture's
# keytab has host/localhost, hence "host@localhost".  -nw and -nm: the
# mechanism has no gss_wrap and no gss_get_mic yet.  gss-client is verbose
# by default, so it also calls gss_inquire_context, gss_display_name on
# both names and gss_inquire_names_for_mech on the CredSSP context.
#
# Asserts: both programs exit 0, the acceptor authenticated the user
# (alice@REALM) and received the message.  No sleeps: the acceptor prints
# its port into a FIFO this script reads; EOF there means it exited.
#
# Exit 0 pass, 1 fail, 77 skip (99 with CI=true) when gss-client is
# missing, 99 when the acceptor is not built or the fixture is absent.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_builddir=${top_builddir:-$(cd "$here/../.." && pwd)}
acceptor=$top_builddir/tests/integration/gss_sample_acceptor
GSS_CLIENT=${GSS_CLIENT:-gss-client}
OID=1.2.840.113556.1.8000.2554.12432.22378.1866.19045.36928
OID=$OID.10346293.15062345.1

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
        echo "gss_client.sh: missing $1 and CI=true: failing" >&2
        exit 99
    fi
    echo "gss_client.sh: SKIP: missing $1" >&2
    exit 77
}

command -v "$GSS_CLIENT" >/dev/null 2>&1 ||
    missing "gss-client (Debian package krb5-gss-samples)"
[ -x "$acceptor" ] || { echo "gss_client.sh: $acceptor is not built" >&2;
    exit 99; }
if [ -z "${CREDSSP_TEST_PASSWORD:-}" ] || [ -z "${CREDSSP_TEST_USER:-}" ]
then
    echo "gss_client.sh: run under tests/fixture/with-kdc" >&2
    exit 99
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/gss-client.XXXXXX") || exit 99
apid=""
# cleanup: stop the acceptor if it still runs (by its PID), remove T.
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    if [ -n "$apid" ] && kill -0 "$apid" 2>/dev/null; then
        kill "$apid" 2>/dev/null
        wait "$apid" 2>/dev/null
    fi
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 99' INT TERM HUP

mkfifo "$T/out" || exit 99
"$acceptor" > "$T/out" 2> "$T/acceptor.err" &
apid=$!
# Opening the FIFO waits for the acceptor's end; a dead acceptor gives EOF.
exec 3< "$T/out"
port=""
if read -r word p <&3 && [ "$word" = port ]; then
    port=$p
fi
case $port in
    '' | *[!0-9]*)
        echo "FAIL: the acceptor gave no port:" >&2
        cat "$T/acceptor.err" >&2
        exit 1
        ;;
esac
echo "acceptor listens on 127.0.0.1:$port"

mech="{ $(echo "$OID" | tr . ' ') }"
# shellcheck disable=SC2046 # asan_env prints NAME=value words
env $(asan_env) "$GSS_CLIENT" -port "$port" -mech "$mech" \
    -user "$CREDSSP_TEST_USER" -pass "$CREDSSP_TEST_PASSWORD" -nw -nm \
    localhost host@localhost hello > "$T/client.out" 2>&1
crc=$?
# The rest of the acceptor's output, up to its exit (EOF on the FIFO).
cat <&3 > "$T/acceptor.out"
exec 3<&-
wait "$apid"
arc=$?
apid=""

echo "--- gss-client (exit $crc)"
cat "$T/client.out"
echo "--- gss_sample_acceptor (exit $arc)"
cat "$T/acceptor.out" "$T/acceptor.err"
echo "---"

fail=0
want="$CREDSSP_TEST_USER@${CREDSSP_TEST_REALM:-CREDSSP.TEST}"
if [ $crc -ne 0 ]; then
    echo "FAIL: gss-client exited $crc" >&2
    fail=1
fi
if [ $arc -ne 0 ]; then
    echo "FAIL: gss_sample_acceptor exited $arc" >&2
    fail=1
fi
if grep -qx "authenticated: $want" "$T/acceptor.out"; then
    echo "ok: the acceptor authenticated $want"
else
    echo "FAIL: the acceptor did not authenticate $want" >&2
    fail=1
fi
if grep -qx "message: hello" "$T/acceptor.out"; then
    echo "ok: the acceptor received the message"
else
    echo "FAIL: the message did not arrive" >&2
    fail=1
fi
exit $fail
