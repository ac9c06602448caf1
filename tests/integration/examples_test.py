#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""examples_test.py - the examples in doc/examples run as a user would run
them (their docstrings and the README say how), against the throwaway KDC:

  * credssp_server.py on a free 127.0.0.1 port, and credssp_client.py
    (alice, Kerberos inside) against it with the password on stdin;
  * credssp_server.py again, and credssp_ntlm_client.py (carol, who only
    NTLM knows, settings from a credential store) against it; with a
    wrong password the client must fail;
  * credssp_loopback, the C example (CREDSSP_LOOPBACK, default: the one
    `make check` built), for alice; with a wrong password it must fail
    with a readable gss_display_status text.

Asserts what each prints.  Exit 0 pass, 1 fail."""
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peerkit import asan_env  # noqa: E402

EX = os.path.join(os.environ['top_srcdir'], 'doc', 'examples')
LOOPBACK = os.environ.get('CREDSSP_LOOPBACK') or os.path.join(
    os.environ.get('top_builddir', ''), 'doc', 'examples', 'credssp_loopback')
USER = os.environ['CREDSSP_TEST_USER']
PASSWORD = os.environ['CREDSSP_TEST_PASSWORD']
REALM = os.environ['CREDSSP_TEST_REALM']
DOMAIN = os.environ['CREDSSP_TEST_NTLM_DOMAIN']
NTLM_USER, NTLM_PASSWORD = 'carol', 'Carol-pass-3'  # kdc-fixture.sh


def host_env():
    """python3 hosts the module: with an ASan build, preload libasan."""
    return dict(os.environ, **asan_env())


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def pair(script, args, password):
    """credssp_server.py on a free port, then SCRIPT PORT ARGS with
    PASSWORD on stdin once the server says it listens.  Returns (client
    result, server output, server exit status)."""
    port = free_port()
    env = host_env()
    server = subprocess.Popen([sys.executable,
                               os.path.join(EX, 'credssp_server.py'),
                               str(port)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        first = server.stdout.readline()
        if not first.startswith('listening on 127.0.0.1:%d' % port):
            server.kill()
            rest, _ = server.communicate(timeout=60)
            raise RuntimeError('server did not start: ' + first + rest)
        client = subprocess.run(
            [sys.executable, os.path.join(EX, script), str(port)] + args,
            input=password + '\n', env=env, capture_output=True, text=True,
            timeout=60)
        if client.returncode != 0 and server.poll() is None:
            server.kill()  # it waits for a client that has given up
        sout, _ = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    print('%s %s:' % (script, ' '.join(args)), client.returncode,
          client.stdout, client.stderr)
    print('server:', server.returncode, first + sout)
    return client, first + sout, server.returncode


def check(results, name, ok):
    print('%s: %s' % ('ok' if ok else 'FAIL', name))
    results.append(ok)


def main():
    results = []

    c, sout, src = pair('credssp_client.py', [USER], PASSWORD)
    check(results, 'python3-gssapi client and server, Kerberos inside',
          c.returncode == 0 and src == 0 and
          'delegated: True' in c.stdout and
          'authenticated: %s@%s' % (USER, REALM) in sout and
          'delegated: %s\\%s' % (REALM, USER) in sout)

    who = '%s\\%s' % (DOMAIN, NTLM_USER)
    c, sout, src = pair('credssp_ntlm_client.py', [who], NTLM_PASSWORD)
    check(results, 'NTLM-only client with a credential store',
          c.returncode == 0 and src == 0 and
          'with NTLM; delegated: True' in c.stdout and
          'delegated: %s' % who in sout)
    c, sout, src = pair('credssp_ntlm_client.py', [who], 'wrong-pass')
    check(results, 'NTLM-only client, wrong password: refused',
          c.returncode != 0 and 'authenticated to the server' not in
          c.stdout and 'delegated:' not in sout)

    env = host_env()
    good = subprocess.run([LOOPBACK, USER], input=PASSWORD + '\n',
                          env=env, capture_output=True, text=True,
                          timeout=60)
    print('credssp_loopback:', good.returncode, good.stdout, good.stderr)
    check(results, 'C example: initiator and acceptor in one process',
          good.returncode == 0 and
          'initiator: complete, delegation done' in good.stdout and
          'acceptor: authenticated %s@%s' % (USER, REALM) in good.stdout and
          'delegated password of %s\\%s' % (REALM, USER) in good.stdout and
          'unwrapped "hello from the initiator"' in good.stdout and
          PASSWORD not in good.stdout + good.stderr)
    bad = subprocess.run([LOOPBACK, USER], input='wrong-pass\n', env=env,
                         capture_output=True, text=True, timeout=60)
    print('credssp_loopback (wrong password):', bad.returncode, bad.stdout,
          bad.stderr)
    check(results, 'C example, wrong password: gss_display_status texts',
          bad.returncode == 1 and 'failed' in bad.stderr and
          '  major: ' in bad.stderr and
          '  minor: SEC_E_LOGON_DENIED: ' in bad.stderr and
          'unwrapped' not in bad.stdout)

    print('examples_test:', 'ok' if all(results) else 'FAIL')
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
