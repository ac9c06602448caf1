#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""impacket_test.py - Impacket's example rdp_check.py (Debian's
python3-impacket 0.10.0), a CredSSP client nobody here wrote, run
unmodified against `credssp serve --transport rdp`.

rdp_check.py speaks CredSSP version 2 over raw NTLMv2 and always connects
to port 3389.  So each case runs in a network namespace this test makes
itself (`unshare -n`, or `unshare -r -n` without root), where our server
listens on 127.0.0.1:3389 with the fixture's NTLM user file:

1. the right password: rdp_check.py prints "Access Granted"; our server
   reports CREDSSP\\alice, inner NTLM, CredSSP version 2 and her delegated
   password credentials;
2. a wrong password: rdp_check.py prints "Access Denied" (it does so only
   when the TLS error it gets names a denial: a fatal access_denied alert);
   our server reports SEC_E_LOGON_DENIED and authenticates nobody.

The example is copied (or decompressed, as Debian may ship it .gz) from
the package into a temporary directory, byte for byte, and run with
Debian's /usr/bin/python3.

Exit 0 pass, 1 fail; 77 (99 with CI=true) when python3-impacket or a
network namespace is not available.
"""
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerkit as K  # noqa: E402

PYTHON = '/usr/bin/python3'
EXAMPLES = '/usr/share/doc/python3-impacket/examples'
USER = os.environ['CREDSSP_TEST_USER']
PASSWORD = os.environ['CREDSSP_TEST_PASSWORD']
DOMAIN = os.environ['CREDSSP_TEST_NTLM_DOMAIN']
CASES = {'right': PASSWORD, 'wrong': 'not-the-password'}


def in_netns(script, case):
    """Inside the namespace: loopback up, our server on 3389, rdp_check.py
    against it; what both printed goes out as one JSON line."""
    subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True)
    server, _ = K.serve(port=3389)
    try:
        client = subprocess.run(
            [PYTHON, script, '%s/%s:%s@127.0.0.1' % (DOMAIN, USER,
                                                      CASES[case])],
            capture_output=True, text=True, timeout=60)
        sout, serr = server.communicate(timeout=60)
    finally:
        K.stop(server)
    print(json.dumps({'client': client.stdout + client.stderr,
                      'client_rc': client.returncode,
                      'server_rc': server.returncode,
                      'server': sout + serr}))
    return 0


def namespace_cmd():
    """unshare as root, else with a user namespace; None if neither
    works here."""
    for cmd in (['unshare', '-n'], ['unshare', '-r', '-n']):
        try:
            p = subprocess.run(cmd + ['ip', 'link', 'set', 'lo', 'up'],
                               capture_output=True, timeout=30)
        except FileNotFoundError:
            return None
        if p.returncode == 0:
            return cmd
    return None


def copy_example(work):
    """rdp_check.py from the package, unmodified."""
    for name in ('rdp_check.py', 'rdp_check.py.gz'):
        src = os.path.join(EXAMPLES, name)
        if os.path.exists(src):
            dst = os.path.join(work, 'rdp_check.py')
            opener = gzip.open if name.endswith('.gz') else open
            with opener(src, 'rb') as f, open(dst, 'wb') as out:
                shutil.copyfileobj(f, out)
            return dst
    return None


def run_case(ns, script, case):
    p = subprocess.run(ns + [sys.executable, os.path.abspath(__file__),
                             '--in-netns', script, case],
                       capture_output=True, text=True, timeout=120)
    lines = [x for x in p.stdout.splitlines() if x.startswith('{')]
    if p.returncode != 0 or not lines:
        K.check(False, '%s password: the namespace run failed (%d)\n%s%s'
                % (case, p.returncode, p.stdout, p.stderr))
        return None
    r = json.loads(lines[-1])
    print('%s password, rdp_check.py said (exit %d):\n%s' %
          (case, r['client_rc'], r['client'].replace(PASSWORD,
                                                     '<password>')))
    print('%s password, our server said (exit %d):\n%s' %
          (case, r['server_rc'], r['server']))
    r['events'] = K.events(r['server'])
    r['ok'] = [e for e in r['events'] if e.get('event') == 'authenticated']
    return r


def main():
    if sys.argv[1:2] == ['--in-netns']:
        return in_netns(sys.argv[2], sys.argv[3])
    check = subprocess.run([PYTHON, '-c', 'import impacket, OpenSSL'],
                           capture_output=True)
    work = tempfile.mkdtemp(prefix='impacket.',
                            dir=os.environ['CREDSSP_TEST_DIR'])
    script = copy_example(work)
    if check.returncode != 0 or script is None:
        return K.missing_exit('impacket_test', 'python3-impacket (its '
                              'example %s/rdp_check.py)' % EXAMPLES)
    ns = namespace_cmd()
    if ns is None:
        return K.missing_exit('impacket_test', 'a network namespace '
                              '(unshare -n needs root or user namespaces; '
                              'Debian packages util-linux iproute2)')
    r = run_case(ns, script, 'right')
    if r is not None:
        K.check('Access Granted' in r['client'],
                'right password: rdp_check.py says Access Granted')
        ok = r['ok'][0] if len(r['ok']) == 1 else {}
        K.check(r['server_rc'] == 0 and
                ok.get('user') == '%s\\%s' % (DOMAIN, USER) and
                ok.get('inner_mech') == 'ntlm' and
                ok.get('credssp_version') == 2,
                'right password: our server reports %s\\%s, NTLM, '
                'version 2: %r' % (DOMAIN, USER, ok))
        K.check(ok.get('delegated') == {'type': 'password', 'domain': DOMAIN,
                                        'user': USER},
                'right password: the delegated password credentials: %r'
                % ok.get('delegated'))
        K.check(PASSWORD not in r['server'],
                'our server never prints the password')
    r = run_case(ns, script, 'wrong')
    if r is not None:
        K.check('Access Denied' in r['client'],
                'wrong password: rdp_check.py says Access Denied')
        K.check(r['server_rc'] != 0 and not r['ok'] and
                'SEC_E_LOGON_DENIED' in r['server'],
                'wrong password: our server reports SEC_E_LOGON_DENIED')
    shutil.rmtree(work, ignore_errors=True)
    return K.finish('impacket_test')


if __name__ == '__main__':
    sys.exit(main())
