# SPDX-License-Identifier: MIT
"""peerkit.py - what the tests against independent peers share
(freerdp_test.py, rdesktop_test.py, impacket_test.py): results, processes
stopped by PID, free 127.0.0.1 ports, `credssp serve`, Xvfb and a tshark
capture that is known to be live before the exchange starts; and, for every
Python test, the libasan preload an --enable-asan build needs.
"""
import json
import os
import select
import socket
import subprocess
import sys
import time

# Outside make (package_test.sh runs examples_test.py against installed
# files) there is no build tree and no tool of ours to name.
TOOL = os.path.join(os.environ.get('top_builddir', os.curdir), 'tools',
                    'credssp')
failures = []
procs = []


def asan_env():
    """With an --enable-asan build the module needs libasan first in the
    programs that load it, which are built without it: the variables that
    preload it (their own leaks are not ours to report), else {}."""
    out = subprocess.run(['ldd', os.environ.get('CREDSSP_MODULE', '')],
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        if 'libasan' in line and '=>' in line:
            return {'LD_PRELOAD': line.split()[2],
                    'ASAN_OPTIONS': 'detect_leaks=0'}
    return {}


def asan_reexec():
    """A python3 test that loads the module itself: with an ASan build, run
    this script again with libasan preloaded."""
    extra = asan_env()
    if extra and os.environ.get('LD_PRELOAD') != extra['LD_PRELOAD']:
        os.execve(sys.executable, [sys.executable] + sys.argv,
                  dict(os.environ, **extra))


def check(cond, what):
    print(('ok: ' if cond else 'FAIL: ') + what)
    if not cond:
        failures.append(what)


def finish(name):
    """The exit status for the checks made: 0 or 1."""
    print('%s: %d failures' % (name, len(failures)))
    return 1 if failures else 0


def missing_exit(name, what):
    """A missing dependency: skip (77), or fail (99) when CI=true."""
    print('%s: missing %s' % (name, what), file=sys.stderr)
    return 99 if os.environ.get('CI') == 'true' else 77


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


def stop_all():
    for p in reversed(procs):
        stop(p)


def listener(port=0):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', port))
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


def events(text):
    """The --json events in a tool's output."""
    return [json.loads(x) for x in text.splitlines() if x.startswith('{')]


def serve(args=(), env=None, port=0):
    """`credssp serve --transport rdp --once --json` on a listening socket
    made here (so it is listening before this returns); (process, port)."""
    sock = listener(port)
    port = sock.getsockname()[1]
    server = start([TOOL, 'serve', '--transport', 'rdp', '--listen',
                    '127.0.0.1:%d' % port, '--listen-fd',
                    str(sock.fileno()), '--once', '--json', *args],
                   pass_fds=[sock.fileno()], env=env,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                   text=True)
    sock.close()
    return server, port


def start_xvfb(work):
    """Xvfb on a display it picks itself; -displayfd says when it is up.
    -noreset: by default the X server resets when its last client leaves,
    and closes connections that arrive meanwhile; freerdp-shadow-cli opens
    the display, closes it and opens it again, and under load its second
    connection fell into that reset ("failed to open display", seen with
    strace).  Xvfb's output goes to work/xvfb.log."""
    r, w = os.pipe()
    with open(os.path.join(work, 'xvfb.log'), 'w') as log:
        p = start(['Xvfb', '-displayfd', str(w), '-nolisten', 'tcp',
                   '-noreset'], pass_fds=[w], stdout=log,
                  stderr=subprocess.STDOUT)
    os.close(w)
    with os.fdopen(r) as f:
        display = f.readline().strip()
    if not display:
        raise SystemExit('FAIL: Xvfb did not start')
    return p, ':' + display


class Capture:
    """tshark on loopback for one TCP port, written to a pcapng file.  A
    marker UDP datagram, resent until tshark prints it, shows the capture
    is live ("Capturing on" comes before packets really flow); a second
    one after the exchange shows everything before it is in."""

    def __init__(self, work, port):
        self.pcap = os.path.join(work, 'cap%d.pcapng' % port)
        self.marker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.marker.bind(('127.0.0.1', 0))
        mport = self.marker.getsockname()[1]
        # -P -l: tshark also prints each packet as it is captured.
        self.proc = start(['tshark', '-i', 'lo', '-f',
                           'tcp port %d or udp port %d' % (port, mport),
                           '-P', '-l', '-w', self.pcap],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
        deadline = time.monotonic() + 20
        self.live = False
        while not self.live and time.monotonic() < deadline:
            self.marker.sendto(b'start of capture', ('127.0.0.1', mport))
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if ready:
                self.live = 'UDP' in self.proc.stdout.readline()
        check(self.live, 'tshark is capturing')

    def done(self):
        """Waits until the end marker is captured, then closes the file."""
        mport = self.marker.getsockname()[1]
        self.marker.sendto(b'end of capture', ('127.0.0.1', mport))
        for line in self.proc.stdout:
            if 'UDP' in line and 'Len=14' in line:
                break
        self.marker.close()
        self.proc.send_signal(2)        # SIGINT: close the file; by PID
        self.proc.wait(timeout=30)
        return self.pcap


# FreeRDP: what freerdp_test.py and tests/bench/freerdp_bench.py share.

def freerdp_sam(work, user, password, domain):
    """A SAM file (winpr-hash) for freerdp-shadow-cli's NTLM; its path."""
    sam = os.path.join(work, 'sam')
    with open(sam, 'w') as f:
        subprocess.run(['winpr-hash', '-u', user, '-p', password, '-d',
                        domain, '-f', 'sam'], stdout=f, check=True)
    return sam


def start_shadow(work, env, sam):
    """freerdp-shadow-cli /sec:nla on a free 127.0.0.1 port; (process,
    port, listening).  It binds the port itself; if it does not come up,
    say why (with Xvfb's output) and try once more on another port."""
    for attempt in (1, 2):
        port = free_port()
        logname = os.path.join(work, 'shadow%d.log' % attempt)
        log = open(logname, 'w')
        shadow = start(['freerdp-shadow-cli', '/bind-address:127.0.0.1',
                        '/port:%d' % port, '/sec:nla', '/sam-file:' + sam],
                       env=env, stdout=log, stderr=subprocess.STDOUT)
        listening = wait_listening(port, shadow)
        log.close()
        if listening:
            break
        with open(logname) as f, \
                open(os.path.join(work, 'xvfb.log')) as x:
            print('freerdp-shadow-cli attempt %d did not listen (exit '
                  'status %s):\n%s\nXvfb said:\n%s' %
                  (attempt, shadow.poll(), f.read()[-2000:],
                   x.read()[-2000:]))
        stop(shadow)
    return shadow, port, listening


def xfreerdp_nla(server, port, user, domain, password, env):
    """xfreerdp +auth-only /sec:nla against `server` (from serve()), both
    run to their end and stopped; (xfreerdp's process, its output, the
    server's stdout and stderr, xfreerdp's NLA error lines)."""
    client = start(['xfreerdp', '/v:127.0.0.1:%d' % port, '/u:' + user,
                    '/d:' + domain, '/p:' + password, '+auth-only',
                    '/sec:nla', '/cert:ignore'], env=env,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                   text=True)
    try:
        cout, _ = client.communicate(timeout=60)
        sout, serr = server.communicate(timeout=60)
    finally:
        stop(client)
        stop(server)
    tag = '[ERROR][com.freerdp.core.nla]'
    nla_errors = [line[line.index(tag):] for line in cout.split('\n')
                  if tag in line]
    return client, cout, sout, serr, nla_errors
