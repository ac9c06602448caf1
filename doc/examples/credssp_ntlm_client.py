#!/usr/bin/python3
# SPDX-License-Identifier: MIT
r"""A CredSSP client that uses NTLM only, with every setting in the
credential store of gss_acquire_cred_from (python3-gssapi's
acquire_cred_from): the user and password, the inner mechanism, and the
policy that lets a password be delegated to a server only NTLM
authenticated (by default it never is: SEC_E_POLICY_NLTM_ONLY).  Logs on
as DOMAIN\USER with the password on stdin to credssp_server.py on
127.0.0.1:PORT and delegates it.  carol of the tests' fixture has no
Kerberos principal: only NTLM knows her.
Usage: credssp_ntlm_client.py PORT DOMAIN\USER < password

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
import gssapi
from gssapi.raw import acquire_cred_from

OID = '1.2.840.113556.1.8000.2554.12432.22378.1866.19045.36928.10346293.15062345'
CREDSSP = gssapi.OID.from_int_seq(OID + '.1')

# Keys and values as bytes: python3-gssapi 1.8 (Debian 12) hands the
# mechanism pointers into temporary copies of str ones, freed too early.
store = {b'credssp_user': sys.argv[2].encode(),
         b'credssp_password': sys.stdin.readline().rstrip('\n').encode(),
         b'credssp_inner_mech': b'ntlm',                            # no Kerberos, no SPNEGO
         b'credssp_allow_delegation_ntlm_only': b'host/localhost'}  # SPN patterns
creds = acquire_cred_from(store, mechs=[CREDSSP], usage='initiate').creds
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
print('authenticated to the server with NTLM; delegated:',
      bool(ctx.actual_flags & gssapi.RequirementFlag.delegate_to_peer))
