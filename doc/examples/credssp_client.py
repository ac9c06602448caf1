#!/usr/bin/python3
"""A CredSSP client in python3-gssapi: authenticates USER with the password
on stdin to credssp_server.py on 127.0.0.1:PORT and delegates it.
Usage: credssp_client.py PORT USER < password"""
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
