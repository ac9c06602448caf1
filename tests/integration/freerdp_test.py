#!/usr/bin/python3
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
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time

TOOL = os.path.join(os.environ['top_builddir'], 'tools', 'credssp')
USER = os.environ['CREDSSP_TEST_USER']
PASSWORD = os.environ['CREDSSP_TEST_PASSWORD']
DOMAIN = os.environ['CREDSSP_TEST_NTLM_DOMAIN']
WORK = tempfile.mkdtemp(prefix='freerdp.', dir=os.environ['CREDSSP_TEST_DIR'])
NEEDED = ('xfreerdp', 'freerdp-shadow-cli', 'winpr-hash', 'Xvfb', 'tshark')
failures = []
procs = []


def check(cond, what):
    print(('ok: ' if cond else 'FAIL: ') + what)
    if not cond:
        failures.append(what)


def start(cmd, **kw):
    p = subprocess.Popen(cmd, **kw)
    procs.append(p)
    return p


def stop(p):
    """Stops a process we started, by its PID, and reaps it."""
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def listener():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    s.listen(4)
    return s


def free_port():
    with listener() as s:
        return s.getsockname()[1]


def wait_listening(port, proc, limit=30.0):
    """Waits, bounded, until some process listens on 127.0.0.1:port (read
    from /proc/net/tcp: no probe connection disturbs the server)."""
    want = ':%04X' % port
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        with open('/proc/net/tcp') as f:
            for line in f.readlines()[1:]:
                cols = line.split()
                if cols[1].endswith(want) and cols[3] == '0A':
                    return True
        time.sleep(0.05)
    return False


def start_xvfb():
    """Xvfb on a display it picks itself; -displayfd says when it is up.
    -noreset: by default the X server resets when its last client leaves,
    and closes connections that arrive meanwhile; freerdp-shadow-cli opens
    the display, closes it and opens it again, and under load its second
    connection fell into that reset ("failed to open display", seen with
    strace).  Xvfb's output goes to WORK/xvfb.log."""
    r, w = os.pipe()
    with open(os.path.join(WORK, 'xvfb.log'), 'w') as log:
        p = start(['Xvfb', '-displayfd', str(w), '-nolisten', 'tcp',
                   '-noreset'], pass_fds=[w], stdout=log,
                  stderr=subprocess.STDOUT)
    os.close(w)
    with os.fdopen(r) as f:
        display = f.readline().strip()
    if not display:
        raise SystemExit('FAIL: Xvfb did not start')
    return p, ':' + display


def connect(port, password, extra=()):
    p = subprocess.run(
        [TOOL, 'connect', '--transport', 'rdp', '127.0.0.1:%d' % port,
         '--user', USER, '--domain', DOMAIN, '--password-stdin', '--mech',
         'ntlm', '--json', *extra],
        input=password + '\n', capture_output=True, text=True, timeout=60)
    events = [json.loads(x) for x in p.stdout.splitlines()
              if x.startswith('{')]
    return p.returncode, events, p.stdout + p.stderr


def our_client_to_shadow(display):
    env = dict(os.environ, DISPLAY=display,
               XDG_CONFIG_HOME=os.path.join(WORK, 'xdg'))
    sam = os.path.join(WORK, 'sam')
    with open(sam, 'w') as f:
        subprocess.run(['winpr-hash', '-u', USER, '-p', PASSWORD, '-d',
                        DOMAIN, '-f', 'sam'], stdout=f, check=True)
    # freerdp-shadow-cli binds the port itself; if it does not come up,
    # say why (with Xvfb's output) and try once more on another port
    # before failing.
    for attempt in (1, 2):
        port = free_port()
        logname = os.path.join(WORK, 'shadow%d.log' % attempt)
        log = open(logname, 'w')
        shadow = start(['freerdp-shadow-cli', '/bind-address:127.0.0.1',
                        '/port:%d' % port, '/sec:nla', '/sam-file:' + sam],
                       env=env, stdout=log, stderr=subprocess.STDOUT)
        listening = wait_listening(port, shadow)
        log.close()
        if listening:
            break
        with open(logname) as f, \
                open(os.path.join(WORK, 'xvfb.log')) as x:
            print('freerdp-shadow-cli attempt %d did not listen (exit '
                  'status %s):\n%s\nXvfb said:\n%s' %
                  (attempt, shadow.poll(), f.read()[-2000:],
                   x.read()[-2000:]))
        stop(shadow)
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


def serve(transport_args=()):
    sock = listener()
    port = sock.getsockname()[1]
    server = start([TOOL, 'serve', '--transport', 'rdp', '--listen',
                    '127.0.0.1:%d' % port, '--listen-fd',
                    str(sock.fileno()), '--once', '--json',
                    *transport_args],
                   pass_fds=[sock.fileno()], stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE, text=True)
    sock.close()
    return server, port


def xfreerdp_to_our_server(display):
    for password, good in ((PASSWORD, True), ('not-the-password', False)):
        server, port = serve()
        client = start(['xfreerdp', '/v:127.0.0.1:%d' % port, '/u:' + USER,
                        '/d:' + DOMAIN, '/p:' + password, '+auth-only',
                        '/sec:nla', '/cert:ignore'],
                       env=dict(os.environ, DISPLAY=display,
                                HOME=WORK),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
        try:
            cout, _ = client.communicate(timeout=60)
            sout, serr = server.communicate(timeout=60)
        finally:
            stop(client)
            stop(server)
        events = [json.loads(x) for x in sout.splitlines()
                  if x.startswith('{')]
        ok = [e for e in events if e.get('event') == 'authenticated']
        nla_errors = re.findall(r'\[ERROR\]\[com\.freerdp\.core\.nla\].*',
                                cout)
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
    port = free_port()
    marker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    marker.bind(('127.0.0.1', 0))
    mport = marker.getsockname()[1]
    pcap = os.path.join(WORK, 'cap.pcapng')
    keys = os.path.join(WORK, 'keys')
    # -P -l: tshark also prints each packet as it is captured, so the
    # marker datagram sent after the exchange tells when all is in.
    cap = start(['tshark', '-i', 'lo', '-f',
                 'tcp port %d or udp port %d' % (port, mport), '-P', '-l',
                 '-w', pcap], stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True)
    # "Capturing on" comes before packets really flow: capture is live once
    # a marker datagram shows up in tshark's own output (resent until it
    # does, for at most 20 s).
    deadline = time.monotonic() + 20
    seen = False
    while not seen and time.monotonic() < deadline:
        marker.sendto(b'start of capture', ('127.0.0.1', mport))
        ready, _, _ = select.select([cap.stdout], [], [], 0.2)
        if ready:
            seen = 'UDP' in cap.stdout.readline()
    check(seen, 'tshark is capturing')
    env = dict(os.environ, SSLKEYLOGFILE=keys)
    sock = socket.socket()
    sock.bind(('127.0.0.1', port))
    sock.listen(1)
    server = start([TOOL, 'serve', '--transport', 'rdp', '--listen',
                    '127.0.0.1:%d' % port, '--listen-fd',
                    str(sock.fileno()), '--once', '--json'],
                   pass_fds=[sock.fileno()], env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sock.close()
    p = subprocess.run([TOOL, 'connect', '--transport', 'rdp',
                        '127.0.0.1:%d' % port, '--user', USER, '--domain',
                        DOMAIN, '--password-stdin', '--mech', 'ntlm',
                        '--delegate', '--allow-ntlm-only-delegation'],
                       input=PASSWORD + '\n', env=env, capture_output=True,
                       text=True, timeout=60)
    server.wait(timeout=60)
    check(p.returncode == 0 and server.returncode == 0,
          'exchange to capture completed')
    marker.sendto(b'end of capture', ('127.0.0.1', mport))
    for line in cap.stdout:
        if 'UDP' in line and 'Len=14' in line:
            break
    marker.close()
    cap.send_signal(2)                  # SIGINT: close the file; by PID
    cap.wait(timeout=30)
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
        print('freerdp_test: missing %s (Debian packages freerdp2-x11 '
              'freerdp2-shadow-x11 winpr-utils xvfb tshark)' %
              ' '.join(missing), file=sys.stderr)
        return 99 if os.environ.get('CI') == 'true' else 77
    xvfb, display = start_xvfb()
    try:
        our_client_to_shadow(display)
        xfreerdp_to_our_server(display)
        dissect()
    finally:
        for p in reversed(procs):
            stop(p)
        if not os.environ.get('FREERDP_TEST_KEEP'):
            shutil.rmtree(WORK, ignore_errors=True)
    print('freerdp_test: %d failures' % len(failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
