#!/usr/bin/python3
# SPDX-License-Identifier: MIT
r"""A CredSSP client in python3-gssapi: authenticates USER with the password
on stdin to credssp_server.py on 127.0.0.1:PORT and delegates it.
Usage: credssp_client.py PORT USER < password

From a build tree, against the throwaway KDC of the tests (realm
CREDSSP.TEST, user alice, NTLM domain CREDSSP; CREDSSP_MODULE makes the
fixture export a GSS_MECH_CONFIG that names the module built here; after
`make install` leave it out):
    mkdir /tmp/kdc
    CREDSSP_MODULE=$PWD/.libs/gsscredssp.so \
        sh tests/fixture/kdc-fixture.sh start /tmp/kdc > /tmp/kdc.env
    . /tmp/kdc.env
    doc/examples/credssp_server.py 4444 &   # one client; wait for "listening"
    echo "$CREDSSP_TEST_PASSWORD" | doc/examples/credssp_client.py 4444 alice
    doc/examples/credssp_server.py 4444 &
    echo Carol-pass-3 | doc/examples/credssp_ntlm_client.py 4444 'CREDSSP\carol'
    sh tests/fixture/kdc-fixture.sh stop /tmp/kdc
"""
import socket, struct, sys
import gssapi, gssapi.raw as graw

OID = '1.2.840.113556.1.8000.2554.12432.22378.1866.19045.36928.10346293.15062345'
CREDSSP = gssapi.OID.from_int_seq(OID + '.1')

password = sys.stdin.readline().rstrip('\n').encode()
user = gssapi.Name(sys.argv[2], gssapi.NameType.user)
creds = graw.acquire_cred_with_password(user, password, mechs=[CREDSSP], usage='initiate').creds
target = gssapi.Name('host@localhost', gssapi.NameType.hostbased_service)
ctx = gssapi.SecurityContext(name=target, creds=creds, mech=CREDSSP, usage='initiate',
                             flags=gssapi.RequirementFlag.delegate_to_peer)
conn = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
tok = None
while not ctx.complete:
    out = ctx.step(tok) or b''
    conn.sendall(struct.pack('>I', len(out)) + out)
    if not ctx.complete:
        tok = conn.recv(struct.unpack('>I', conn.recv(4, socket.MSG_WAITALL))[0], socket.MSG_WAITALL)
print('authenticated to the server; delegated:',
      bool(ctx.actual_flags & gssapi.RequirementFlag.delegate_to_peer))
