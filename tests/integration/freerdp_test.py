#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""freerdp_test.py - RDP NLA against FreeRDP 2, both directions, and our
bytes read by Wireshark's CredSSP dissector.

1. `credssp connect --transport rdp` -> freerdp-shadow-cli (/sec:nla, a
   SAM file from winpr-hash, under Xvfb): NTLM completes (with 16 KiB and
   with 1-byte reads); a wrong password fails, naming the server's close.
2. xfreerdp +auth-only /sec:nla -> `credssp serve --transport rdp`: our
   server reports the user and the delegated password credentials; a
   wrong password is our server's logon failure.  (FreeRDP 2.11's
   +auth-only exits 0 only after full RDP activation, which a CredSSP-only
   server cannot give: rdp_client_connect in libfreerdp/core/connection.c
   returns TRUE only in CONNECTION_STATE_ACTIVE.  So xfreerdp's own log
   must show NLA passed: no NLA error, and the failure comes later.)
3. tshark on loopback with SSLKEYLOGFILE decrypts one exchange of ours and
   every TSRequest decodes as CredSSP with the expected fields and no
   malformed-packet expert info.

Everything binds free 127.0.0.1 ports; every process is stopped by PID.
Exit 0 pass, 1 fail; 77 (99 with CI=true) when FreeRDP, Xvfb or tshark is
missing.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peerkit import (TOOL, Capture, check, events, finish,  # noqa: E402
                     freerdp_sam, missing_exit, serve, start_shadow,
                     start_xvfb, stop, stop_all, xfreerdp_nla)

USER = os.environ['CREDSSP_TEST_USER']
PASSWORD = os.environ['CREDSSP_TEST_PASSWORD']
DOMAIN = os.environ['CREDSSP_TEST_NTLM_DOMAIN']
WORK = tempfile.mkdtemp(prefix='freerdp.', dir=os.environ['CREDSSP_TEST_DIR'])
NEEDED = ('xfreerdp', 'freerdp-shadow-cli', 'winpr-hash', 'Xvfb', 'tshark')


def connect(port, password, extra=()):
    p = subprocess.run(
        [TOOL, 'connect', '--transport', 'rdp', '127.0.0.1:%d' % port,
         '--user', USER, '--domain', DOMAIN, '--password-stdin', '--mech',
         'ntlm', '--json', *extra],
        input=password + '\n', capture_output=True, text=True, timeout=60)
    return p.returncode, events(p.stdout), p.stdout + p.stderr


def our_client_to_shadow(display):
    env = dict(os.environ, DISPLAY=display,
               XDG_CONFIG_HOME=os.path.join(WORK, 'xdg'))
    sam = freerdp_sam(WORK, USER, PASSWORD, DOMAIN)
    shadow, port, listening = start_shadow(WORK, env, sam)
    try:
        check(listening, 'freerdp-shadow-cli listens')
        for extra in ((), ('--read-size', '1')):
            rc, ev, out = connect(port, PASSWORD, extra)
            ok = [e for e in ev if e.get('event') == 'authenticated']
            check(rc == 0 and len(ok) == 1 and
                  ok[0].get('inner_mech') == 'ntlm' and
                  ok[0].get('credssp_version') == 6,
                  'our client -> FreeRDP server, NTLM %s\n%s' %
                  (' '.join(extra), out if rc else ''))
        rc, ev, out = connect(port, 'not-the-password')
        check(rc != 0 and 'server closed the connection after '
              'authentication' in out,
              'wrong password refused by FreeRDP, reported as its close\n'
              + out)
    finally:
        stop(shadow)


def xfreerdp_to_our_server(display):
    for password, good in ((PASSWORD, True), ('not-the-password', False)):
        server, port = serve()
        client, cout, sout, serr, nla_errors = xfreerdp_nla(
            server, port, USER, DOMAIN, password,
            dict(os.environ, DISPLAY=display, HOME=WORK))
        ok = [e for e in events(sout) if e.get('event') == 'authenticated']
        if good:
            deleg = ok[0].get('delegated') if ok else None
            check(server.returncode == 0 and len(ok) == 1 and
                  ok[0].get('user') == '%s\\%s' % (DOMAIN, USER) and
                  deleg == {'type': 'password', 'domain': DOMAIN,
                            'user': USER},
                  'xfreerdp -> our server: user and delegated creds\n'
                  + sout + serr)
            check(not nla_errors and 'Authentication only' in cout,
                  'xfreerdp saw NLA succeed (it fails later, at MCS)\n'
                  + cout[-1500:])
            check(PASSWORD not in sout + serr,
                  'our server never prints the password')
        else:
            check(server.returncode != 0 and 'SEC_E_LOGON_DENIED' in serr,
                  'wrong password: our server reports the logon failure\n'
                  + serr)
            check(client.returncode != 0,
                  'wrong password: xfreerdp fails')


def dissect():
    """One exchange of ours, captured and decrypted by tshark."""
    keys = os.path.join(WORK, 'keys')
    env = dict(os.environ, SSLKEYLOGFILE=keys)
    server, port = serve(env=env)
    cap = Capture(WORK, port)
    p = subprocess.run([TOOL, 'connect', '--transport', 'rdp',
                        '127.0.0.1:%d' % port, '--user', USER, '--domain',
                        DOMAIN, '--password-stdin', '--mech', 'ntlm',
                        '--delegate', '--allow-ntlm-only-delegation'],
                       input=PASSWORD + '\n', env=env, capture_output=True,
                       text=True, timeout=60)
    server.communicate(timeout=60)
    check(p.returncode == 0 and server.returncode == 0,
          'exchange to capture completed')
    pcap = cap.done()
    fields = ['credssp.version', 'credssp.negoTokens', 'credssp.pubKeyAuth',
              'credssp.clientNonce', 'credssp.authInfo']
    out = subprocess.run(
        ['tshark', '-r', pcap, '-o', 'tls.keylog_file:' + keys,
         '-d', 'tcp.port==%d,tls' % port, '-Y', 'credssp', '-T', 'fields',
         '-E', 'separator=|', *sum((['-e', f] for f in fields), [])],
        capture_output=True, text=True, timeout=60).stdout
    rows = [r.split('|') for r in out.splitlines() if r.strip()]
    print('tshark CredSSP rows:', len(rows))
    for r in rows:
        print('  ', ' | '.join(x[:20] for x in r))
    check(len(rows) == 5, '5 TSRequests decoded as CredSSP (NTLM, TLS 1.3)')
    check(all(r[0] == '6' for r in rows), 'every TSRequest has version 6')
    has = [[bool(x) for x in r[1:]] for r in rows]
    check(len(has) == 5 and has[0][0] and has[1][0] and has[2][0] and
          has[2][1] and has[3][1] and has[4][3],
          'negoTokens, pubKeyAuth and authInfo where the flow puts them')
    check(all(r[3] for r in rows[::2]),
          'clientNonce in every client message')
    bad = subprocess.run(
        ['tshark', '-r', pcap, '-o', 'tls.keylog_file:' + keys,
         '-d', 'tcp.port==%d,tls' % port, '-Y',
         'credssp && (_ws.malformed || _ws.expert.severity >= "warning")'],
        capture_output=True, text=True, timeout=60).stdout
    check(bad.strip() == '', 'no malformed or warning expert info\n' + bad)


def main():
    missing = [p for p in NEEDED if shutil.which(p) is None]
    if missing:
        return missing_exit('freerdp_test', '%s (Debian packages '
                            'freerdp2-x11 freerdp2-shadow-x11 winpr-utils '
                            'xvfb tshark)' % ' '.join(missing))
    xvfb, display = start_xvfb(WORK)
    try:
        our_client_to_shadow(display)
        xfreerdp_to_our_server(display)
        dissect()
    finally:
        stop_all()
        if not os.environ.get('FREERDP_TEST_KEEP'):
            shutil.rmtree(WORK, ignore_errors=True)
    return finish('freerdp_test')


if __name__ == '__main__':
    sys.exit(main())
