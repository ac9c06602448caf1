#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""conf_test.py - the credssp.conf that `make install` and the packages
ship (contrib/credssp.conf) is read without error as it is, and with every
setting uncommented (certificate and private_key left out: they name
files), by acquiring a CredSSP credential through the mechglue with
GSSCREDSSP_CONFIG naming it; a broken copy must fail, so the check can.
Each acquisition runs in its own python3 (settings are read once a
process).  Exit 0 pass, 1 fail."""
import os
import re
import subprocess
import sys
import tempfile

SRC = os.path.join(os.environ['top_srcdir'], 'contrib', 'credssp.conf')
MAN = os.path.join(os.environ['top_srcdir'], 'doc', 'credssp.conf.5')
ACQUIRE = r'''
import sys, gssapi, gssapi.raw as graw
oid = gssapi.OID.from_int_seq('1.2.840.113556.1.8000.2554.12432.22378.1866.'
                              '19045.36928.10346293.15062345.1')
name = gssapi.Name(sys.argv[1], gssapi.NameType.user)
try:
    graw.acquire_cred_with_password(name, sys.argv[2].encode(), mechs=[oid],
                                    usage='initiate')
except gssapi.exceptions.GSSError as e:
    print('error:', e)
    sys.exit(1)
print('acquired')
'''


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


def acquire(conf):
    env = dict(host_env(), GSSCREDSSP_CONFIG=conf)
    r = subprocess.run(['/usr/bin/python3', '-c', ACQUIRE,
                        os.environ['CREDSSP_TEST_USER'],
                        os.environ['CREDSSP_TEST_PASSWORD']],
                       env=env, capture_output=True, text=True, timeout=60)
    return r.returncode == 0, (r.stdout + r.stderr).strip()


def main():
    text = open(SRC).read()
    settings = re.findall(r'^#([a-z_]+) = ', text, re.M)
    uncommented = re.sub(r'^#(?!(certificate|private_key) )([a-z_]+ = )',
                         r'\2', text, flags=re.M)
    fail = 0
    with tempfile.TemporaryDirectory() as d:
        cases = [('as shipped', text, True),
                 ('every setting uncommented', uncommented, True),
                 ('a broken copy', text + 'no such line\n', False)]
        for label, body, want in cases:
            path = os.path.join(d, 'credssp.conf')
            with open(path, 'w') as f:
                f.write(body)
            # Whatever the umask: a group-writable file is refused.
            os.chmod(path, 0o644)
            ok, out = acquire(path)
            good = ok == want
            fail |= not good
            print('%s: %s: %s' % ('ok' if good else 'FAIL', label, out))
    # The settings credssp.conf(5) documents: each ".TP" item's ".BR"
    # line names one or more before its "(cred store: ...)".
    with open(MAN) as f:
        items = re.findall(r'^\.TP\n\.BR (.*?) " \(cred store', f.read(),
                           re.M)
    want = {n for item in items for n in re.findall(r'[a-z_]+', item)}
    if set(settings) != want:
        print('FAIL: the file lists %s, credssp.conf(5) has %s'
              % (sorted(settings), sorted(want)))
        fail = 1
    return fail


if __name__ == '__main__':
    sys.exit(main())
