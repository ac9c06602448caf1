#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tool_test.py - `credssp serve` and `credssp connect` as two processes
over loopback, both transports, through the real mechglue, KDC and
gss-ntlmssp.

The listening socket is made here on a free 127.0.0.1 port and handed to
the server with --listen-fd, so there is no race and no sleep.  Every
process is waited for by PID (with a time limit) and killed if need be.
Exit status 0 when every case passed.
"""
import json
import os
import re
import socket
import subprocess
import sys
import threading

TOOL = os.path.join(os.environ["top_builddir"], "tools", "credssp")
MAN = os.path.join(os.environ["top_srcdir"], "doc", "credssp.1")
PASSWORD = os.environ["CREDSSP_TEST_PASSWORD"]
USER = os.environ["CREDSSP_TEST_USER"]
REALM = os.environ["CREDSSP_TEST_REALM"]
failures = []


def listener():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(4)
    return s


def run_pair(name, transport, client_args, password=PASSWORD,
             server_args=(), client_env=None, server_env=None):
    """Runs one server (--once) and one client; returns both results."""
    sock = listener()
    port = sock.getsockname()[1]
    server = subprocess.Popen(
        [TOOL, "serve", "--transport", transport, "--listen",
         "127.0.0.1:%d" % port, "--listen-fd", str(sock.fileno()),
         "--once", "--json", *server_args],
        pass_fds=[sock.fileno()], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, **(server_env or {})))
    sock.close()
    client = subprocess.Popen(
        [TOOL, "connect", "--transport", transport,
         "localhost:%d" % port, "--json", *client_args],
        env=dict(os.environ, **(client_env or {})), stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = {}
    for role, proc, stdin in (("client", client, password + "\n"),
                              ("server", server, None)):
        try:
            out, err = proc.communicate(stdin, timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            failures.append("%s: %s timed out" % (name, role))
        events = [json.loads(line) for line in out.splitlines()
                  if line.startswith("{")]
        results[role] = (proc.returncode, events, out + err)
    return results


def check(name, cond, what, results):
    if not cond:
        failures.append("%s: %s\n  client: %s\n  server: %s" % (
            name, what, results["client"][2], results["server"][2]))


def authenticated(results, role):
    rc, events, _ = results[role]
    ok = [e for e in events if e.get("event") == "authenticated"]
    return rc == 0 and len(ok) == 1, ok[0] if ok else {}


def klist(cc, principal, name):
    """The ccache holds principal's TGT, as klist reads it."""
    k = subprocess.run(["klist", "-c", "FILE:" + cc], capture_output=True,
                       text=True, timeout=30)
    if k.returncode != 0 or "Default principal: %s" % principal \
            not in k.stdout or "krbtgt/%s@%s" % (REALM, REALM) \
            not in k.stdout:
        failures.append("%s: klist says %r %r" % (name, k.stdout, k.stderr))


def good_case(name, transport, mech, extra=(), server_args=(), user=USER):
    client_args = ["--user", user, "--password-stdin", "--mech", mech,
                   "--delegate", *extra]
    r = run_pair(name, transport, client_args, server_args=server_args)
    c_ok, c = authenticated(r, "client")
    s_ok, s = authenticated(r, "server")
    check(name, c_ok, "client did not authenticate", r)
    check(name, s_ok, "server did not authenticate", r)
    check(name, s.get("inner_mech") == ("ntlm" if mech == "ntlm"
                                        else "kerberos"),
          "inner mech %r" % s.get("inner_mech"), r)
    check(name, s.get("credssp_version") == 6, "version", r)
    deleg = s.get("delegated") or {}
    check(name, deleg.get("type") == "password" and deleg.get("user") ==
          USER, "delegated %r" % deleg, r)
    for role in ("client", "server"):
        check(name, PASSWORD not in r[role][2],
              "the password appears in the %s's output" % role, r)
    return r, c, s


def run_tool(args, stdin=None, env=None, timeout=60):
    """Runs the tool once; returns (status, stdout, stderr)."""
    try:
        p = subprocess.run([TOOL, *args], input=stdin, capture_output=True,
                           text=True, timeout=timeout,
                           env=dict(os.environ, **(env or {})))
    except subprocess.TimeoutExpired:
        failures.append("%r: still running after %d s" % (args, timeout))
        return None, "", ""
    return p.returncode, p.stdout, p.stderr


def expect_fail(name, args, wants, status=1, stdin=None, env=None):
    """The tool fails with status and every text of wants on stderr."""
    rc, out, err = run_tool(args, stdin=stdin, env=env)
    if rc != status or not all(w in err for w in wants):
        failures.append("%s: status %r (want %d), stderr %r lacks %r" %
                        (name, rc, status, err, wants))
    return err


def man_options():
    """{command: options} from credssp(1)'s SYNOPSIS, and every option
    its OPTIONS section describes."""
    with open(MAN) as f:
        text = f.read().replace("\\-", "-")
    synopsis = text.split(".SH SYNOPSIS", 1)[1].split(".SH ", 1)[0]
    per_cmd = {}
    for block in synopsis.split(".SY credssp")[1:]:
        words = block.split()
        if words[0] == ".B" and words[1] in ("connect", "serve", "demo"):
            per_cmd[words[1]] = set(re.findall(r"--[a-z][a-z-]*", block))
    options = text.split(".SH OPTIONS", 1)[1].split(".SH ", 1)[0]
    described = set(re.findall(r"^\.(?:B|BI|BR) (--[a-z][a-z-]*)",
                               options, re.M))
    return per_cmd, described


def usage_checks():
    """--help of every command lists every option the man page gives it;
    a usage error is one line pointing to --help, status 2."""
    per_cmd, described = man_options()
    helped = set()
    for cmd in ("connect", "serve", "demo"):
        rc, out, err = run_tool([cmd, "--help"])
        listed = set(re.findall(r"--[a-z][a-z-]*", out))
        helped |= listed
        if rc != 0 or err or not out.startswith("usage: credssp " + cmd):
            failures.append("%s --help: status %r, stderr %r" %
                            (cmd, rc, err))
        missing = per_cmd.get(cmd, {"(no synopsis)"}) - listed
        if missing:
            failures.append("%s --help lacks %s, which credssp(1) lists" %
                            (cmd, sorted(missing)))
    if described - helped:
        failures.append("credssp(1) describes %s, which no --help lists" %
                        sorted(described - helped))
    if helped - described:
        failures.append("--help lists %s, which credssp(1) does not "
                        "describe" % sorted(helped - described))
    rc, out, _ = run_tool(["--help"])
    if rc != 0 or "credssp COMMAND --help" not in out:
        failures.append("credssp --help: %r %r" % (rc, out))

    lp = ["--transport", "lp"]
    bad = [
        (["connect", "--frob", *lp, "h:1"], "connect",
         "unknown option '--frob'"),
        (["connect", *lp, "h:1", "--user"], "connect",
         "option '--user' needs a value"),
        (["serve", "-x"], "serve", "unknown option '-x'"),
        (["demo", "--frob=1"], "demo", "unknown option '--frob'"),
        (["connect", *lp, "h:1", "--min-version", "1"], "connect",
         "--min-version: '1' is not a CredSSP version (2 to 6)"),
        (["connect", *lp, "h:1", "--min-version", "7"], "connect",
         "--min-version: '7' is not a CredSSP version (2 to 6)"),
        (["connect", *lp, "h:1", "--max-version", "6x"], "connect",
         "--max-version: '6x' is not a CredSSP version (2 to 6)"),
        (["connect", *lp, "h:1", "--min-version", "6", "--max-version",
          "5"], "connect", "--min-version 6 is above --max-version 5"),
        (["connect", *lp, "h:1", "--timeout", "0"], "connect",
         "--timeout: '0' is not a number of seconds"),
        (["connect", *lp], "connect", "give one HOST:PORT"),
        (["serve", *lp, "--listen", "127.0.0.1:0", "--cert", "c.pem"],
         "serve", "--cert needs --key"),
        (["serve", *lp, "--listen", "127.0.0.1:0", "--key", "k.pem"],
         "serve", "--key needs --cert"),
    ]
    for args, cmd, want in bad:
        rc, out, err = run_tool(args)
        lines = err.splitlines()
        tail = "; see 'credssp %s --help'" % cmd
        if rc != 2 or out or len(lines) != 1 or \
                lines[0] != "credssp: %s: %s%s" % (cmd, lines[0][
                    len("credssp: %s: " % cmd):-len(tail)], tail) or \
                want not in lines[0]:
            failures.append("usage error %r: status %r, stdout %r, stderr "
                            "%r (want one line with %r)" %
                            (args, rc, out, err, want))


class SilentPeer:
    """A listener on a free 127.0.0.1 port that accepts one connection,
    reads what comes and never answers; optionally it answers the first
    bytes with a fixed reply and closes (a server that is not RDP)."""

    def __init__(self, reply=None):
        self.sock = listener()
        self.port = self.sock.getsockname()[1]
        self.reply = reply
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return              # closed before anyone connected
        with conn:
            if self.reply is not None:
                conn.recv(4096)
                conn.sendall(self.reply)
                return
            self.done.wait(120)

    def close(self):
        self.done.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)   # wakes accept()
        except OSError:
            pass
        self.thread.join(30)
        if self.thread.is_alive():
            failures.append("the silent peer on port %d did not stop"
                            % self.port)
        self.sock.close()


def fail_against_peer(name, reply, transport, args, wants, env=None):
    """connect to a SilentPeer (see there) fails with wants on stderr."""
    peer = SilentPeer(reply)
    try:
        expect_fail(name, ["connect", "--transport", transport,
                           "127.0.0.1:%d" % peer.port, *args], wants,
                    stdin=PASSWORD + "\n", env=env)
    finally:
        peer.close()


def timeout_checks():
    """A server that accepts and never answers: --timeout ends the
    handshake on both transports, non-zero, with the reason."""
    for transport in ("lp", "rdp"):
        fail_against_peer("%s silent server --timeout 2" % transport, None,
                          transport, ["--user", USER, "--password-stdin",
                                      "--timeout", "2"],
                          ["credssp: client: error: timed out: the "
                           "handshake with the peer did not finish within "
                           "2 seconds (--timeout)"])


def openssl(*args):
    subprocess.run([os.environ.get("OPENSSL") or "openssl", *args],
                   check=True, capture_output=True, timeout=60)


def cert_key_checks():
    """serve refuses a wrong certificate or key before it listens, naming
    the file and OpenSSL's reason."""
    d = os.path.join(os.environ["CREDSSP_TEST_DIR"], "certs")
    os.mkdir(d)
    f = {n: os.path.join(d, n) for n in ("c.pem", "k.pem", "other.pem",
                                          "enc.pem", "c.der", "junk")}
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-nodes", "-keyout", f["k.pem"],
            "-out", f["c.pem"], "-days", "1", "-subj", "/CN=localhost")
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-out", f["other.pem"])
    openssl("pkey", "-in", f["k.pem"], "-aes256", "-passout", "pass:x",
            "-out", f["enc.pem"])
    openssl("x509", "-in", f["c.pem"], "-outform", "DER", "-out", f["c.der"])
    with open(f["junk"], "w") as j:
        j.write("hello\n")
    cases = [
        ("mismatched key", "c.pem", "other.pem",
         "--key %s is not the private key of the certificate in --cert %s "
         "(OpenSSL: x509 certificate routines: key values mismatch)"
         % (f["other.pem"], f["c.pem"])),
        ("swapped files", "k.pem", "c.pem",
         "--cert %s holds a private key (PEM \"PRIVATE KEY\"), not a "
         "certificate: are --cert and --key swapped? (OpenSSL: PEM routines:"
         % f["k.pem"]),
        ("certificate as key", "c.pem", "c.pem",
         "--key %s holds a certificate (PEM \"CERTIFICATE\"), not a "
         "private key: are --cert and --key swapped?" % f["c.pem"]),
        ("DER certificate", "c.der", "k.pem",
         "--cert %s: not a PEM file, no \"-----BEGIN\" line (OpenSSL: PEM "
         "routines: no start line)" % f["c.der"]),
        ("non-PEM key", "c.pem", "junk",
         "--key %s: not a PEM file, no \"-----BEGIN\" line (OpenSSL: "
         % f["junk"]),
        ("encrypted key", "c.pem", "enc.pem",
         "--key %s: the private key is encrypted; the server needs it "
         "unencrypted" % f["enc.pem"]),
        ("missing certificate", "none.pem", "k.pem",
         "--cert %s: No such file or directory"
         % os.path.join(d, "none.pem")),
    ]
    for name, cert, key, want in cases:
        err = expect_fail("serve " + name,
                          ["serve", "--transport", "rdp", "--listen",
                           "127.0.0.1:0", "--once", "--cert",
                           os.path.join(d, cert), "--key",
                           os.path.join(d, key)],
                          ["credssp: server: error: " + want], stdin="")
        if "listening on" in err:
            failures.append("serve %s: it listened first: %r" % (name, err))
    # The good pair still serves.
    r = run_pair("serve with a good certificate", "lp",
                 ["--user", USER, "--password-stdin", "--mech", "kerberos"],
                 server_args=["--cert", f["c.pem"], "--key", f["k.pem"]])
    check("serve with a good certificate", authenticated(r, "client")[0],
          "client did not authenticate", r)


def ntlm_file_checks():
    """serve warns when the NTLM user file cannot be read, and still
    serves Kerberos."""
    missing = os.path.join(os.environ["CREDSSP_TEST_DIR"], "no-such-users")
    name = "serve with a missing NTLM user file"
    r = run_pair(name, "lp", ["--user", USER, "--password-stdin", "--mech",
                              "kerberos"],
                 server_env={"NTLM_USER_FILE": missing})
    check(name, "credssp: server: warning: NTLM user file NTLM_USER_FILE="
          "%s: No such file or directory; NTLM logons will fail" % missing
          in r["server"][2], "no warning", r)
    check(name, authenticated(r, "server")[0], "server did not "
          "authenticate", r)


def message_checks():
    """What the tool says when the mechanism is not registered, when a
    client without a password has no NTLM user file, when --delegate has
    no password to send, and when the peer is not RDP."""
    conf = os.path.join(os.environ["CREDSSP_TEST_DIR"], "empty-mech.conf")
    open(conf, "w").close()
    for cmd in (["connect", "--transport", "lp", "127.0.0.1:1"],
                ["serve", "--transport", "lp", "--listen", "127.0.0.1:0"]):
        role = "client" if cmd[0] == "connect" else "server"
        err = expect_fail("unregistered mechanism, " + cmd[0], cmd,
                          ["credssp: %s:   major: An unsupported mechanism "
                           "was requested" % role,
                           "credssp: %s:   hint: the mechglue reads "
                           "GSS_MECH_CONFIG=%s instead of " % (role, conf),
                           "that file needs the line \"credssp 1.2.840."
                           "113556.1.8000.2554.12432.22378.1866.19045.36928."
                           "10346293.15062345.1 "],
                          env={"GSS_MECH_CONFIG": conf})
        if "listening on" in err:
            failures.append("unregistered mechanism: serve listened first")

    missing = os.path.join(os.environ["CREDSSP_TEST_DIR"], "no-such-users")
    for mech, tail in (("ntlm", "No such file or directory\n"),
                       ("auto", "No such file or directory; Kerberos needs "
                                "a ticket (kinit)\n")):
        fail_against_peer("no password, missing NTLM user file, --mech "
                          + mech, None, "lp", ["--mech", mech],
                          ["credssp: client:   hint: without --password-"
                           "stdin, NTLM takes the password from "
                           "NTLM_USER_FILE=%s, which cannot be read: %s"
                           % (missing, tail)],
                          env={"NTLM_USER_FILE": missing,
                               "KRB5CCNAME": "FILE:" + missing})

    # --delegate with the NTLM user file's credential: authenticated, but
    # nothing to delegate, and the client says so.
    name = "--delegate without a password"
    r = run_pair(name, "lp", ["--user", USER, "--domain", "CREDSSP",
                              "--mech", "ntlm", "--delegate",
                              "--allow-ntlm-only-delegation"], password="")
    check(name, "credssp: client: warning: --delegate without "
          "--password-stdin: a Kerberos ticket or an NTLM_USER_FILE entry "
          "holds no password to delegate; the server gets empty "
          "credentials" in r["client"][2], "no warning", r)
    c_ok, c = authenticated(r, "client")
    s_ok, s = authenticated(r, "server")
    check(name, c_ok and s_ok and c.get("delegated") is None and
          (s.get("delegated") or {}).get("type") != "password",
          "authenticated %r / %r" % (c, s), r)

    # A server that is not RDP (or lp) but answers in text: its first
    # bytes, escaped.
    http = b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n"
    shown = "HTTP/1.1 400 Bad Request\\x0d\\x0aServer: nginx\\x0d\\x0a" \
            "\\x0d\\x0a"
    for transport, what in (("rdp", "RDP: instead of the X.224 Connection "
                                    "Confirm"),
                            ("lp", "the lp transport: instead of the length "
                                   "of a token")):
        fail_against_peer("HTTP server, %s transport" % transport, http,
                          transport, ["--user", USER, "--password-stdin",
                                      "--mech", "ntlm"],
                          ['credssp: client: error: the peer does not speak '
                           '%s it sent "%s"\n' % (what, shown)])


def demo_checks():
    """`credssp demo` with the fixture of this tree: all four sides, and
    its directory removed; then fixtures whose DIR/env (the environment the
    demo takes over, NAME=VALUE lines) is missing or malformed."""
    base = os.path.join(os.environ["CREDSSP_TEST_DIR"], "demo")
    os.mkdir(base)
    fixture = os.path.join(os.environ["top_srcdir"], "tests", "fixture",
                           "kdc-fixture.sh")
    rc, out, err = run_tool(["demo"], timeout=300,
                            env={"CREDSSP_FIXTURE": fixture, "TMPDIR": base})
    last = out.rstrip("\n").split("\n")[-1]
    if rc != 0 or last != "credssp demo: all four sides succeeded":
        failures.append("demo: status %r, last line %r, stderr %r" %
                        (rc, last, err))
    if PASSWORD in out + err:
        failures.append("demo: the password appears in its output")
    if os.listdir(base):
        failures.append("demo: left %r behind" % os.listdir(base))

    fake = os.path.join(base, "..", "fake-fixture.sh")
    for name, start, want in [
            ("no env file", ":", "/env: No such file or directory"),
            ("a line without '='",
             "printf 'CREDSSP_TEST_USER=alice\\nexport X\\n' > \"$2/env\"",
             "/env: not a NAME=VALUE line: export X"),
            ("a line without a name",
             "printf '=value\\n' > \"$2/env\"",
             "/env: not a NAME=VALUE line: =value")]:
        with open(fake, "w") as f:
            f.write('#!/bin/sh\ncase $1 in start) %s ;; esac\n' % start)
        err = expect_fail("demo, fixture with %s" % name, ["demo"],
                          ["credssp demo: error: ", want],
                          env={"CREDSSP_FIXTURE": fake, "TMPDIR": base})
        if os.listdir(base):
            failures.append("demo, fixture with %s: left %r behind" %
                            (name, os.listdir(base)))


def main():
    usage_checks()
    demo_checks()
    timeout_checks()
    cert_key_checks()
    ntlm_file_checks()
    message_checks()
    # lp transport, Kerberos: the user and the realm as domain.
    _, _, s = good_case("lp kerberos", "lp", "kerberos")
    if s.get("user") != "%s@%s" % (USER, REALM):
        failures.append("lp kerberos: user %r" % s.get("user"))

    # --store-ccache: the delegated password becomes alice's TGT in
    # DIR/krb5cc_alice@CREDSSP.TEST, named by the principal, realm
    # included; another principal's file and one named by the user alone
    # (as the tool used to name them) are left alone, and a second store
    # for alice, after NTLM this time, replaces her own file.
    store = os.path.join(os.environ["CREDSSP_TEST_DIR"], "sso")
    os.mkdir(store)
    others = {}
    for name in ("krb5cc_" + USER, "krb5cc_bob@" + REALM):
        with open(os.path.join(store, name), "w") as f:
            f.write("not ours: " + name)
        others[name] = "not ours: " + name
    principal = "%s@%s" % (USER, REALM)
    cc = os.path.join(store, "krb5cc_" + principal)
    r, _, _ = good_case("lp kerberos --store-ccache", "lp", "kerberos",
                        server_args=["--store-ccache", store])
    check("--store-ccache output", {"event": "stored", "role": "server",
                                    "principal": principal,
                                    "ccache": "FILE:" + cc}
          in r["server"][1], "no stored event", r)
    klist(cc, principal, "--store-ccache kerberos")
    first = os.stat(cc).st_ino
    good_case("lp ntlm --store-ccache", "lp", "ntlm",
              extra=["--domain", "CREDSSP", "--allow-ntlm-only-delegation"],
              server_args=["--store-ccache", store])
    klist(cc, principal, "--store-ccache ntlm")
    if os.stat(cc).st_ino == first:
        failures.append("--store-ccache: the second store did not replace "
                        "alice's cache")
    for name, text in others.items():
        with open(os.path.join(store, name)) as f:
            if f.read() != text:
                failures.append("--store-ccache: %s was changed" % name)
    left = sorted(os.listdir(store))
    if left != sorted(list(others) + ["krb5cc_" + principal]):
        failures.append("--store-ccache: files %r" % left)

    # lp transport, NTLM with NTLM-only delegation allowed.  The name the
    # server prints is DOMAIN\user exactly: no NUL after it (gss-ntlmssp
    # counts one in its display name).
    r, _, s = good_case("lp ntlm", "lp", "ntlm",
                        extra=["--domain", "CREDSSP",
                               "--allow-ntlm-only-delegation"])
    check("lp ntlm name", s.get("user") == "CREDSSP\\" + USER,
          "server's user %r" % s.get("user"), r)
    check("lp ntlm name", "\\u0000" not in r["server"][2] and
          "\0" not in r["server"][2], "a NUL in the server's output", r)

    # rdp transport (X.224 then the raw TLS stream), one byte per read on
    # both sides: token boundaries come from SEC_E_INCOMPLETE_MESSAGE.
    good_case("rdp ntlm 1-byte reads", "rdp", "ntlm",
              extra=["--domain", "CREDSSP", "--allow-ntlm-only-delegation",
                     "--read-size", "1"],
              server_args=["--read-size", "1"])
    r, _, _ = good_case("rdp kerberos tls1.2", "rdp", "kerberos",
                        extra=["--tls-max", "1.2", "--service", "TERMSRV",
                               "--verbose"])
    # --verbose sends the mechanism's trace to stderr (GSSCREDSSP_DEBUG
    # =/dev/stderr, a symbolic link the module recognises by name).
    check("verbose trace", "initiator complete: message flow" in
          r["client"][2] and "not used" not in r["client"][2],
          "the mechanism's trace is not on stderr", r)
    # Both sides offer HYBRID_EX: the server's Early User Authorization
    # Result (AUTHZ_SUCCESS) goes over the TLS channel after CredSSP.
    check("rdp HYBRID_EX", "server selected PROTOCOL_HYBRID_EX" in
          r["client"][2] and "<- Early User Authorization Result "
          "0x00000000" in r["client"][2], "no HYBRID_EX result", r)

    # A wrong password: both fail, non-zero, and the client names what the
    # server said (errorCode STATUS_LOGON_FAILURE at version 6).
    for transport in ("lp", "rdp"):
        name = "%s wrong password" % transport
        r = run_pair(name, transport,
                     ["--user", USER, "--domain", "CREDSSP",
                      "--password-stdin", "--mech", "ntlm"],
                     password="not-the-password")
        check(name, r["client"][0] != 0, "client exit status 0", r)
        check(name, r["server"][0] != 0, "server exit status 0", r)
        check(name, "STATUS_LOGON_FAILURE" in r["client"][2],
              "client does not name STATUS_LOGON_FAILURE", r)
        check(name, "SEC_E_LOGON_DENIED" in r["server"][2],
              "server does not say SEC_E_LOGON_DENIED", r)

    # NTLM-only delegation without the policy: refused, nothing sent.
    name = "lp ntlm policy"
    r = run_pair(name, "lp", ["--user", USER, "--domain", "CREDSSP",
                              "--password-stdin", "--mech", "ntlm",
                              "--delegate"])
    check(name, r["client"][0] != 0, "client exit status 0", r)
    check(name, "SEC_E_POLICY_NLTM_ONLY" in r["client"][2],
          "no SEC_E_POLICY_NLTM_ONLY", r)
    check(name, r["server"][0] != 0, "server exit status 0", r)

    # A server certificate whose names carry terminal control sequences
    # (a clear screen, an xterm title change), refused by a client that
    # verifies it: all the client prints, the mechanism's trace on stderr
    # (--verbose) included, shows them escaped.
    d = os.environ["CREDSSP_TEST_DIR"]
    cert, key = os.path.join(d, "evil.pem"), os.path.join(d, "evil.key")
    subprocess.run([os.environ.get("OPENSSL") or "openssl", "req", "-x509",
                    "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                    "-subj", "/CN=evil\x1b[2J", "-addext",
                    "subjectAltName=DNS:host\x1b]0;owned\x07.example"],
                   check=True, capture_output=True, timeout=60)
    conf = os.path.join(d, "verify.conf")
    with open(conf, "w") as f:
        f.write("verify_certificate = yes\nca_file = %s\n" % cert)
    name = "certificate with control characters"
    r = run_pair(name, "lp", ["--user", USER, "--password-stdin", "--mech",
                              "ntlm", "--verbose"],
                 server_args=["--cert", cert, "--key", key],
                 client_env={"GSSCREDSSP_CONFIG": conf})
    out = r["client"][2]
    check(name, r["client"][0] != 0 and "SEC_E_WRONG_PRINCIPAL" in out,
          "not refused", r)
    bad = sorted({c for c in out if (ord(c) < 0x20 and c != "\n") or
                  ord(c) == 0x7f})
    check(name, not bad, "control characters %r in the client's output"
          % bad, r)
    check(name, out.count("DNS:host\\x1b]0;owned\\x07.example") >= 2,
          "the escaped subjectAltName is not in the trace and the error", r)

    for f in failures:
        print("FAIL:", f)
    print("tool_test: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
