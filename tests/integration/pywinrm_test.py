#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""pywinrm_test.py - Debian's python3-winrm runs its own CredSSP message
encryption code (winrm.encryption.Encryption: chunking, MIME parts, the
trailer length it computes from the cipher name) on CredSSP contexts from
this module, driven by python3-gssapi: the initiator's context builds
each request, the acceptor's context opens it, and back.

pywinrm expects requests-credssp's auth object (wrap, unwrap,
cipher_negotiated); an adapter gives it the python-gssapi context's wrap
and unwrap and the cipher our context reports.  Only TLS 1.2 is tested:
pywinrm 0.3.0 derives the trailer length from OpenSSL's TLS 1.2 cipher
names and has no rule for TLS 1.3's (TLS_AES_256_GCM_SHA384).

Exit 0 pass, 1 fail, 77 skip (99 with CI=true) without python3-winrm.
"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)

from peerkit import asan_reexec  # noqa: E402

asan_reexec()

try:
    import requests
    from winrm.encryption import Encryption
except ImportError as exc:
    print('pywinrm_test: missing python3-winrm (%s)' % exc, file=sys.stderr)
    sys.exit(99 if os.environ.get('CI') == 'true' else 77)

import gssapi
import gssapi.raw as graw
from python_gssapi import CREDSSP_DER, CREDSSP_DOTTED, frame

BASE = CREDSSP_DOTTED[:-len('.1')]


class Auth:
    """What pywinrm's Encryption asks of session.auth."""

    def __init__(self, ctx):
        self.ctx = ctx
        cipher = graw.inquire_sec_context_by_oid(
            ctx, gssapi.OID.from_int_seq(BASE + '.2.4'))
        self.cipher_negotiated = cipher[0].decode()

    def __call__(self, request):
        """requests' auth hook: the context is established already."""
        return request

    def wrap(self, data):
        return self.ctx.wrap(data, True).message

    def unwrap(self, data):
        return self.ctx.unwrap(data).message


class Session(requests.Session):
    """A requests session carrying the auth object, as pywinrm's has."""

    def __init__(self, ctx):
        super().__init__()
        self.auth = Auth(ctx)


class Response:
    """The parts of a requests response parse_encrypted_response reads."""

    def __init__(self, prepared):
        self.headers = {'Content-Type': prepared.headers['Content-Type']}
        self.content = prepared.body
        self.request = prepared


def handshake():
    user = os.environ['CREDSSP_TEST_USER']
    password = os.environ['CREDSSP_TEST_PASSWORD']
    credssp = gssapi.OID.from_int_seq(CREDSSP_DOTTED)
    name = gssapi.Name(user, gssapi.NameType.user)
    res = graw.acquire_cred_with_password(name, password.encode(),
                                          mechs=[credssp], usage='initiate')
    tls_max = gssapi.OID.from_int_seq(BASE + '.3.5')
    graw.set_cred_option(tls_max, res.creds, b'1.2')
    acreds = gssapi.Credentials(usage='accept', mechs=[credssp])
    target = gssapi.Name('HTTP@localhost', gssapi.NameType.hostbased_service)
    ictx = gssapi.SecurityContext(name=target, creds=res.creds, mech=credssp,
                                  usage='initiate')
    actx = gssapi.SecurityContext(creds=acreds, usage='accept')
    s2c, first = None, True
    while not ictx.complete:
        c2s = ictx.step(s2c)
        if not c2s:
            break
        s2c = actx.step(frame(c2s, CREDSSP_DER) if first else c2s)
        first = False
    if not (ictx.complete and actx.complete):
        raise SystemExit('FAIL: handshake did not complete')
    return ictx, actx


def main():
    ictx, actx = handshake()
    client = Encryption(Session(ictx), 'credssp')
    server = Encryption(Session(actx), 'credssp')
    print('cipher: %s' % client.session.auth.cipher_negotiated)
    failures = 0
    for size in (1, 16384, 16385, 1 << 20):
        body = (b'<s:Envelope>' * (size // 12 + 1))[:size]
        for name, sender, receiver in (('client->server', client, server),
                                       ('server->client', server, client)):
            req = sender.prepare_encrypted_request(
                sender.session, 'http://localhost:5985/wsman', body)
            multi = 'multipart/x-multi-encrypted' in \
                req.headers['Content-Type']
            back = receiver.parse_encrypted_response(Response(req))
            ok = back == body and multi == (size > 16384)
            # pywinrm's own trailer length must be what our record has.
            stream = req.body.split(b'application/octet-stream\r\n')[1]
            trailer = int.from_bytes(stream[:4], 'little')
            ok = ok and trailer == 16
            print('%s %s %d bytes (trailer %d)' %
                  ('ok' if ok else 'FAIL', name, size, trailer))
            failures += not ok
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
