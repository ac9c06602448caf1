#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""freerdp_bench.py OUTDIR - part of `make bench`, under with-kdc.

1. Whole-process wall time of `credssp connect --transport rdp` and of
   `xfreerdp +auth-only` against the same freerdp-shadow-cli (/sec:nla,
   NTLM from a SAM file, under Xvfb), interleaved, median of RUNS each.
   FreeRDP 2.11's +auth-only goes on through the whole RDP connection
   sequence up to activation before it exits, so its time includes that;
   ours stops after CredSSP.  Both are NTLM (the SAM file is NTLM-only).
2. Which server certificate keys xfreerdp takes for NLA: `credssp serve
   --transport rdp --cert/--key` with an RSA-2048 and an ECDSA P-256
   certificate, xfreerdp +auth-only against each; NLA passed when our
   server reports the user as authenticated and xfreerdp logs no NLA
   error (as in tests/integration/freerdp_test.py).

Appends rows to OUTDIR/bench.csv.  Every process is stopped by PID.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'integration'))
from peerkit import (TOOL, events, freerdp_sam, serve,  # noqa: E402
                     start_shadow, start_xvfb, stop, stop_all, xfreerdp_nla)

RUNS = int(os.environ.get("FREERDP_BENCH_RUNS", "10"))
OPENSSL = os.environ.get('OPENSSL') or 'openssl'
USER = os.environ['CREDSSP_TEST_USER']
PASSWORD = os.environ['CREDSSP_TEST_PASSWORD']
DOMAIN = os.environ['CREDSSP_TEST_NTLM_DOMAIN']
NEEDED = ('xfreerdp', 'freerdp-shadow-cli', 'winpr-hash', 'Xvfb')


def timed(cmd, **kw):
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                       **kw)
    return time.monotonic() - t0, p


def against_shadow(work, env, csv):
    sam = freerdp_sam(work, USER, PASSWORD, DOMAIN)
    shadow, port, up = start_shadow(work, env, sam)
    if not up:
        raise SystemExit('freerdp_bench: freerdp-shadow-cli did not listen')
    ours_cmd = [TOOL, 'connect', '--transport', 'rdp',
                '127.0.0.1:%d' % port, '--user', USER, '--domain', DOMAIN,
                '--password-stdin', '--mech', 'ntlm']
    xf_cmd = ['xfreerdp', '/v:127.0.0.1:%d' % port, '/u:' + USER,
              '/d:' + DOMAIN, '/p:' + PASSWORD, '+auth-only', '/sec:nla',
              '/cert:ignore']
    ours, theirs = [], []
    try:
        for i in range(RUNS):
            t, p = timed(ours_cmd, input=PASSWORD + '\n')
            if p.returncode != 0:
                raise SystemExit('freerdp_bench: credssp connect failed\n'
                                 + p.stdout + p.stderr)
            ours.append(t)
            t, p = timed(xf_cmd, env=env)
            if p.returncode != 0:
                raise SystemExit('freerdp_bench: xfreerdp +auth-only '
                                 'failed (%d)\n%s' %
                                 (p.returncode, (p.stdout + p.stderr)[-2000:]))
            theirs.append(t)
    finally:
        stop(shadow)
    mo, mt = statistics.median(ours), statistics.median(theirs)
    print('\n== Against FreeRDP: whole-process wall time against one '
          'freerdp-shadow-cli (NLA, NTLM), interleaved, median of %d' % RUNS)
    print('%-44s %8.1f ms  (min %.1f, max %.1f)' %
          ('credssp connect --transport rdp', mo * 1e3, min(ours) * 1e3,
           max(ours) * 1e3))
    print('%-44s %8.1f ms  (min %.1f, max %.1f)' %
          ('xfreerdp +auth-only (incl. RDP activation)', mt * 1e3,
           min(theirs) * 1e3, max(theirs) * 1e3))
    print('%-44s %8.2f' % ('ratio ours / xfreerdp', mo / mt))
    csv.write('freerdp,shadow-nla-ntlm,wall_ms,%.1f,%.1f,%.4g,,\n' %
              (mo * 1e3, mt * 1e3, mo / mt))


def make_cert(work, kind):
    key = os.path.join(work, kind + '.key')
    cert = os.path.join(work, kind + '.pem')
    alg = (['-newkey', 'rsa:2048'] if kind == 'rsa2048' else
           ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'])
    subprocess.run([OPENSSL, 'req', '-x509', *alg, '-nodes', '-keyout', key,
                    '-out', cert, '-days', '1', '-subj', '/CN=localhost'],
                   check=True, capture_output=True)
    return cert, key


def xfreerdp_takes(work, env, kind):
    cert, key = make_cert(work, kind)
    server, port = serve(('--cert', cert, '--key', key))
    _, _, sout, serr, nla_err = xfreerdp_nla(server, port, USER, DOMAIN,
                                             PASSWORD, env)
    ok = [e for e in events(sout) if e.get('event') == 'authenticated']
    passed = server.returncode == 0 and len(ok) == 1 and not nla_err
    if not passed:
        print('  (%s: server rc %s, %s; xfreerdp: %s)' %
              (kind, server.returncode, serr.strip()[-300:],
               ' | '.join(nla_err)[-300:]))
    return passed


def main():
    missing = [p for p in NEEDED if shutil.which(p) is None]
    if missing:
        print('freerdp_bench: missing %s (Debian packages freerdp2-x11 '
              'freerdp2-shadow-x11 winpr-utils xvfb)' % ' '.join(missing),
              file=sys.stderr)
        return 1
    out = sys.argv[1]
    work = tempfile.mkdtemp(prefix='freerdp-bench.',
                            dir=os.environ['CREDSSP_TEST_DIR'])
    try:
        _, display = start_xvfb(work)
        env = dict(os.environ, DISPLAY=display, HOME=work,
                   XDG_CONFIG_HOME=os.path.join(work, 'xdg'))
        with open(os.path.join(out, 'bench.csv'), 'a') as csv:
            against_shadow(work, env, csv)
            version = subprocess.run(
                ['dpkg-query', '-W', '-f', '${Version}', 'freerdp2-x11'],
                capture_output=True, text=True).stdout or '?'
            print('\n== Server certificate keys xfreerdp (Debian freerdp2-x11 '
                  '%s) takes for NLA against `credssp serve`' % version)
            for kind in ('rsa2048', 'p256'):
                ok = xfreerdp_takes(work, env, kind)
                print('%-44s %s' % (kind, 'NLA passed' if ok else 'FAILED'))
                csv.write('interop,xfreerdp-nla,%s,%d,,,,%s\n' %
                          (kind, ok, 'passed' if ok else 'FAILED'))
    finally:
        stop_all()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
