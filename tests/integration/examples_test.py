#!/usr/bin/python3
"""examples_test.py - the python3-gssapi examples in doc/examples run as a
user would run them: credssp_server.py on a free 127.0.0.1 port,
credssp_client.py against it with the password on stdin.  Asserts what
each prints.  Exit 0 pass, 1 fail."""
import os
import socket
import subprocess
import sys
import time

EX = os.path.join(os.environ['top_srcdir'], 'doc', 'examples')
USER = os.environ['CREDSSP_TEST_USER']
REALM = os.environ['CREDSSP_TEST_REALM']


def host_env():
    """python3 hosts the module: with an ASan build, preload libasan."""
    env = dict(os.environ)
    out = subprocess.run(['ldd', os.environ.get('CREDSSP_MODULE', '')],
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        if 'libasan' in line and '=>' in line:
            env.update(LD_PRELOAD=line.split()[2],
                       ASAN_OPTIONS='detect_leaks=0')
    return env


def main():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    env = host_env()
    server = subprocess.Popen([sys.executable,
                               os.path.join(EX, 'credssp_server.py'),
                               str(port)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        want = ':%04X' % port
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and server.poll() is None:
            with open('/proc/net/tcp') as f:
                if any(l.split()[1].endswith(want) and l.split()[3] == '0A'
                       for l in f.readlines()[1:]):
                    break
            time.sleep(0.05)
        client = subprocess.run(
            [sys.executable, os.path.join(EX, 'credssp_client.py'),
             str(port), USER], input=os.environ['CREDSSP_TEST_PASSWORD'],
            env=env, capture_output=True, text=True, timeout=60)
        sout, _ = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    print('client:', client.stdout, client.stderr)
    print('server:', sout)
    ok = (client.returncode == 0 and server.returncode == 0 and
          'delegated: True' in client.stdout and
          'authenticated: %s@%s' % (USER, REALM) in sout and
          'delegated: %s\\%s' % (REALM, USER) in sout)
    print('examples_test:', 'ok' if ok else 'FAIL')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
