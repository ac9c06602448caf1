#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""rdesktop_test.py - Debian's rdesktop 1.9.0, a CredSSP client nobody here
wrote, against `credssp serve --transport rdp`.

rdesktop does NLA over raw Kerberos through GSSAPI (service
TERMSRV@localhost, in the fixture's keytab) with a forwardable ticket from
the fixture's KDC (`kinit -f`), under Xvfb.  It asks on stdin whether to
trust our self-signed certificate (and crashes at EOF there): the test
answers "yes".  After NLA it goes on with RDP, which a CredSSP-only server
cannot give, so it is judged by our server's report:

1. alice's ticket: our server reports alice@REALM, CredSSP version 2,
   inner Kerberos and her delegated password credentials, and
   --store-ccache turns the delegated password into a TGT for alice (so
   the password arrived intact: no trailing NUL left in it).  A tshark
   capture, decrypted with our server's TLS key log and the fixture's
   keytab, shows what rdesktop sent: version 2 in every TSRequest, no
   clientNonce, a BER long-form length where DER has a shorter one, and
   domain, user and password each ending with a UTF-16 NUL (so this test
   really covers those encodings).
2. a wrong password (-p) with alice's ticket: Kerberos authenticates alice
   (rdesktop's password only travels in TSCredentials), and the wrong
   password shows when it is used: --store-ccache gets no TGT with it,
   our server fails with SEC_E_NO_CREDENTIALS and stores nothing.
3. bob's ticket, `-u alice`: Kerberos authenticates bob, and our server
   refuses the delegated credentials, which name alice
   (SEC_E_LOGON_DENIED: delegated credentials of another user), and
   reports no authentication.
4. no ticket: rdesktop cannot start Kerberos; our server reports no
   authentication.

Exit 0 pass, 1 fail; 77 (99 with CI=true) when a program is missing.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerkit as K  # noqa: E402

USER = os.environ['CREDSSP_TEST_USER']
PASSWORD = os.environ['CREDSSP_TEST_PASSWORD']
REALM = os.environ['CREDSSP_TEST_REALM']
KEYTAB = os.environ['KRB5_KTNAME'].split(':', 1)[-1]
WORK = tempfile.mkdtemp(prefix='rdesktop.',
                        dir=os.environ['CREDSSP_TEST_DIR'])
NEEDED = ('rdesktop', 'Xvfb', 'kinit', 'kdestroy', 'klist', 'tshark')


def kinit(principal, password):
    p = subprocess.run(['kinit', '-f', principal], input=password + '\n',
                       capture_output=True, text=True, timeout=30)
    K.check(p.returncode == 0, 'kinit -f %s %s' % (principal, p.stderr))


def rdesktop(display, server_args=(), server_env=None, capture=False,
             password=PASSWORD):
    """One rdesktop run against a new `credssp serve`: rdesktop's output,
    the server's exit status, events and text, the port and the pcap."""
    server, port = K.serve(server_args, env=server_env)
    cap = K.Capture(WORK, port) if capture else None
    # rdesktop is a plain Kerberos client: it gets a mechanism list
    # without our module (a sanitizer build of it cannot load there).
    conf = os.path.join(WORK, 'mech.conf')
    open(conf, 'w').close()
    env = dict(os.environ, DISPLAY=display, HOME=WORK,
               GSS_MECH_CONFIG=conf)
    client = K.start(['rdesktop', '-u', USER, '-d', REALM, '-p', password,
                      'localhost:%d' % port],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT, text=True, env=env)
    try:
        # The certificate question.  rdesktop ends by itself: our server
        # closes after CredSSP and it cannot go on with RDP.
        cout, _ = client.communicate('yes\n', timeout=60)
        sout, serr = server.communicate(timeout=60)
    finally:
        K.stop(client)
        K.stop(server)
    print('rdesktop said:\n' + cout.replace(PASSWORD, '<password>'))
    print('our server said:\n' + sout + serr)
    return {'out': cout, 'rc': server.returncode, 'events': K.events(sout),
            'text': sout + serr, 'port': port,
            'pcap': cap.done() if cap else None}


def authenticated(ev):
    ok = [e for e in ev if e.get('event') == 'authenticated']
    return ok[0] if len(ok) == 1 else None


def utf16(hexfield):
    return bytes.fromhex(hexfield).decode('utf-16-le')


def wire_facts(pcap, port, keys):
    """What rdesktop sent, decrypted by tshark."""
    opts = ['-o', 'tls.keylog_file:' + keys, '-d', 'tcp.port==%d,tls' % port,
            '-o', 'kerberos.decrypt:TRUE', '-o', 'kerberos.file:' + KEYTAB]
    fields = ['tcp.srcport', 'credssp.version', 'credssp.clientNonce',
              'credssp.domainName', 'credssp.userName', 'credssp.password']
    # One pass: the fields of each CredSSP packet, then (-z follow) the
    # decrypted TLS stream, one TSRequest per line.
    out = subprocess.run(
        ['tshark', '-r', pcap, *opts, '-Y', 'credssp', '-T', 'fields',
         '-E', 'separator=|', *sum((['-e', f] for f in fields), []),
         '-z', 'follow,tls,raw,0'],
        capture_output=True, text=True, timeout=60).stdout
    head, _, follow = out.partition('=' * 20)
    rows = [r.split('|') for r in head.splitlines() if '|' in r]
    client = [r for r in rows if r[0] != str(port)]
    K.check(len(client) >= 3 and all(r[1] == '2' for r in client),
            'rdesktop sends CredSSP version 2 in every TSRequest (%d)'
            % len(client))
    K.check(all(r[2] == '' for r in client), 'rdesktop sends no clientNonce')
    creds = [r for r in client if r[3]]
    K.check(len(creds) == 1, 'tshark decrypted rdesktop\'s TSCredentials')
    if creds:
        dom, usr, pw = creds[0][3:6]
        K.check(utf16(dom) == REALM + '\0' and utf16(usr) == USER + '\0',
                'domain and user end with a UTF-16 NUL: %r %r'
                % (utf16(dom), utf16(usr)))
        K.check(utf16(pw) == PASSWORD + '\0',
                'the password ends with a UTF-16 NUL')
    # A length that fits the short form or one byte, written as 82 hi lo.
    long_form = []
    for line in follow.splitlines():
        msg = line.strip()
        if (msg.startswith('3082') and msg[8:18] == 'a003020102' and
                msg[4:6] == '00'):
            long_form.append(msg[:8])
    K.check(len(long_form) > 0, 'a TSRequest of rdesktop has a long-form '
            'length DER writes shorter: %s' % long_form)


def main():
    missing = [p for p in NEEDED if shutil.which(p) is None]
    if missing:
        return K.missing_exit('rdesktop_test', '%s (Debian packages rdesktop '
                              'xvfb krb5-user tshark)' % ' '.join(missing))
    _, display = K.start_xvfb(WORK)
    try:
        # 1. alice, with the capture.
        kinit(USER, PASSWORD)
        keys = os.path.join(WORK, 'keys')
        store = os.path.join(WORK, 'sso')
        # --store-ccache names the file by the authenticated principal.
        ccache = os.path.join(store, 'krb5cc_%s@%s' % (USER, REALM))
        os.mkdir(store)
        r = rdesktop(display, ('--store-ccache', store),
                     dict(os.environ, SSLKEYLOGFILE=keys), capture=True)
        ok = authenticated(r['events'])
        K.check(r['rc'] == 0 and ok is not None,
                'our server authenticated rdesktop')
        ok = ok or {}
        K.check(ok.get('user') == '%s@%s' % (USER, REALM) and
                ok.get('inner_mech') == 'kerberos' and
                ok.get('credssp_version') == 2,
                'alice, inner Kerberos, CredSSP version 2: %r' % ok)
        K.check(ok.get('delegated') == {'type': 'password', 'domain': REALM,
                                        'user': USER},
                'her delegated password credentials: %r'
                % ok.get('delegated'))
        k = subprocess.run(['klist', '-c', 'FILE:' + ccache],
                           capture_output=True, text=True, timeout=30)
        K.check(k.returncode == 0 and 'Default principal: %s@%s' %
                (USER, REALM) in k.stdout,
                'the delegated password got alice a TGT\n' + k.stdout +
                k.stderr)
        if os.path.exists(ccache):
            os.unlink(ccache)
        K.check(PASSWORD not in r['text'],
                'our server never prints the password')
        K.check('Connection established using CredSSP' in r['out'],
                'rdesktop saw CredSSP succeed')
        wire_facts(r['pcap'], r['port'], keys)

        # 2. alice's ticket, a wrong password.
        r = rdesktop(display, ('--store-ccache', store),
                     password='not-the-password')
        ok = authenticated(r['events']) or {}
        K.check(ok.get('user') == '%s@%s' % (USER, REALM),
                'wrong password: Kerberos still authenticates alice')
        K.check(r['rc'] != 0 and 'SEC_E_NO_CREDENTIALS' in r['text'] and
                not os.listdir(store),
                'wrong password: no TGT with it, our server says '
                'SEC_E_NO_CREDENTIALS')

        # 3. bob's ticket, rdesktop still says -u alice.
        kinit('bob', 'Bob-pass-2')
        r = rdesktop(display)
        K.check(r['rc'] != 0 and authenticated(r['events']) is None and
                'SEC_E_LOGON_DENIED' in r['text'] and
                'not the authenticated user "bob@%s"' % REALM in r['text'],
                'bob\'s ticket: our server refuses credentials that name '
                'alice')

        # 4. no ticket.
        subprocess.run(['kdestroy'], capture_output=True, timeout=30)
        r = rdesktop(display)
        K.check(r['rc'] != 0 and authenticated(r['events']) is None,
                'no ticket: our server authenticates nobody')
        K.check('Connection established using CredSSP' not in r['out'],
                'no ticket: rdesktop does not get through CredSSP')
    finally:
        K.stop_all()
        if not os.environ.get('RDESKTOP_TEST_KEEP'):
            shutil.rmtree(WORK, ignore_errors=True)
    return K.finish('rdesktop_test')


if __name__ == '__main__':
    sys.exit(main())
