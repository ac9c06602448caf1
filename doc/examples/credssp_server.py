#!/usr/bin/python3
# SPDX-License-Identifier: MIT
r"""A CredSSP server in python3-gssapi: one connection on 127.0.0.1:PORT,
each token a 4-byte big-endian length then its bytes; prints who logged on
and the delegated user.  Usage: credssp_server.py PORT

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
DELEGATED = gssapi.OID.from_int_seq(OID + '.4.1')

def frame(tok):  # RFC 2743 header, so the mechglue routes the first token
    body = b'\x06' + bytes([len(bytes(CREDSSP))]) + bytes(CREDSSP) + tok
    n = len(body)
    size = bytes([n]) if n < 128 else bytes([0x82]) + n.to_bytes(2, 'big')
    return b'\x60' + size + body

recv = lambda c: c.recv(struct.unpack('>I', c.recv(4, socket.MSG_WAITALL))[0], socket.MSG_WAITALL)
ls = socket.create_server(('127.0.0.1', int(sys.argv[1])))
print('listening on 127.0.0.1:%s' % sys.argv[1], flush=True)
conn, _ = ls.accept()
ctx = gssapi.SecurityContext(creds=gssapi.Credentials(usage='accept', mechs=[CREDSSP]), usage='accept')
tok = frame(recv(conn))
while not ctx.complete:
    out = ctx.step(tok)
    if not ctx.complete:
        conn.sendall(struct.pack('>I', len(out or b'')) + (out or b''))
        tok = recv(conn)
print('authenticated:', ctx.initiator_name)
if ctx.delegated_creds is not None:
    domain, user, _password = graw.inquire_cred_by_oid(ctx.delegated_creds, DELEGATED)
    print('delegated: %s\\%s' % (domain.decode(), user.decode()))
