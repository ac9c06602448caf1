#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""tls_client_test.py - a CredSSP initiator that is not ours against the
module's acceptor.

The initiator is written here: TLS from Python's ssl module over
ssl.MemoryBIO (OpenSSL, as Python's WinRM CredSSP stack uses it), the
TSRequests in a few lines of DER, the inner Kerberos or NTLM from
python3-gssapi with explicit flags.  The acceptor is the module through
python3-gssapi, in a loop that sends only non-empty tokens, as most GSSAPI
servers do.  Run under tests/fixture/with-kdc.

 1. TLS 1.3, the client's Finished sent alone, then the client waits for
    the server: the acceptor must answer with something (a
    NewSessionTicket), or both wait forever.  The exchange completes and
    the password is delegated.  With the Finished and the first TSRequest
    in one token nothing changes: no ticket.
 2. That ticket cannot resume: a client that offers it (pre_shared_key in
    its ClientHello) gets a full handshake.
 3. A wrong password (NTLM), CredSSP versions 2 and 6, TLS 1.2 and 1.3: the
    client's OpenSSL reads errorCode STATUS_LOGON_FAILURE where the version
    has one, then a fatal alert access_denied that it decrypts: the error
    text names the denial (Impacket prints "Access Denied" only then), and
    is never bad_record_mac.

Exit 0 pass, 1 fail, 77 skip (99 with CI=true) without python3-gssapi.
"""
import hashlib
import os
import ssl
import subprocess
import sys


def missing(what):
    """A dependency is missing: skip, or fail under CI."""
    if os.environ.get('CI') == 'true':
        print('tls_client_test.py: missing %s and CI=true: failing' % what,
              file=sys.stderr)
        sys.exit(99)
    print('tls_client_test.py: SKIP: missing %s' % what, file=sys.stderr)
    sys.exit(77)


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peerkit import asan_reexec  # noqa: E402

asan_reexec()
try:
    import gssapi
    import gssapi.raw as graw
except ImportError:
    missing('python3-gssapi')

CREDSSP_DOTTED = ('1.2.840.113556.1.8000.2554.12432.22378.1866.19045.36928.'
                  '10346293.15062345.1')
CREDSSP_DER = bytes.fromhex('2a864886f71401be40937ae11081ae6a8e4a81946582'
                            'a04084f7be358797aa4901')
DELEGATED_PASSWORD = CREDSSP_DOTTED[:-len('.1')] + '.4.1'
KRB5 = '1.2.840.113554.1.2.2'
NTLM = '1.3.6.1.4.1.311.2.2.10'
STATUS_LOGON_FAILURE = 0xC000006D

failures = []


def check(cond, msg):
    """Record a failure unless cond (not assert: python -O drops those)."""
    print('%s: %s' % ('ok' if cond else 'FAIL', msg))
    if not cond:
        failures.append(msg)
    return cond


def env(name):
    """A variable the fixture exported."""
    value = os.environ.get(name)
    if not value:
        print('%s is not set (run under tests/fixture/with-kdc)' % name,
              file=sys.stderr)
        sys.exit(1)
    return value


# ---- DER, the little of it a TSRequest needs ([MS-CSSP] 2.2.1) ----

def der_length(n):
    """The DER length octets of n."""
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, 'big')
    return bytes([0x80 | len(body)]) + body


def tlv(tag, body):
    """One DER TLV."""
    return bytes([tag]) + der_length(len(body)) + body


def der_integer(v):
    """A non-negative INTEGER's contents."""
    return v.to_bytes(v.bit_length() // 8 + 1, 'big')


def tlvs(data):
    """The (tag, contents) pairs of consecutive DER TLVs."""
    out, off = [], 0
    while off < len(data):
        tag, n = data[off], data[off + 1]
        off += 2
        if n & 0x80:
            k = n & 0x7f
            n = int.from_bytes(data[off:off + k], 'big')
            off += k
        out.append((tag, data[off:off + n]))
        off += n
    return out


def ts_request(version, token=None, pub_key_auth=None, auth_info=None,
               nonce=None):
    """The DER of a TSRequest."""
    body = tlv(0xa0, tlv(0x02, der_integer(version)))
    if token:
        body += tlv(0xa1, tlv(0x30, tlv(0x30, tlv(0xa0, tlv(0x04, token)))))
    if auth_info:
        body += tlv(0xa2, tlv(0x04, auth_info))
    if pub_key_auth:
        body += tlv(0xa3, tlv(0x04, pub_key_auth))
    if nonce:
        body += tlv(0xa5, tlv(0x04, nonce))
    return tlv(0x30, body)


def parse_ts_request(data):
    """A TSRequest's fields by context tag number: 0 version, 1 the first
    negoToken, 2 authInfo, 3 pubKeyAuth, 4 errorCode (32-bit), 5 nonce."""
    (tag, body), = tlvs(data)
    assert tag == 0x30
    fields = {}
    for ctx_tag, inner in tlvs(body):
        (_, value), = tlvs(inner)
        n = ctx_tag & 0x1f
        if n == 1:
            value = tlvs(tlvs(tlvs(value)[0][1])[0][1])[0][1]
        elif n in (0, 4):
            value = int.from_bytes(value, 'big', signed=True) & 0xffffffff
        fields[n] = value
    return fields


def ts_credentials(domain, user, password):
    """TSCredentials with TSPasswordCreds, UTF-16LE text."""
    creds = tlv(0x30, b''.join(
        tlv(0xa0 + i, tlv(0x04, s.encode('utf-16-le')))
        for i, s in enumerate((domain, user, password))))
    return tlv(0x30, tlv(0xa0, tlv(0x02, b'\x01')) +
               tlv(0xa1, tlv(0x04, creds)))


def server_key(cert):
    """The contents of a certificate's SubjectPublicKey BIT STRING (what
    pubKeyAuth binds)."""
    (_, cert_body), = tlvs(cert)
    tbs = tlvs(tlvs(cert_body)[0][1])
    if tbs[0][0] == 0xa0:       # version
        tbs = tbs[1:]
    spki = tlvs(tbs[5][1])      # serial, sigalg, issuer, validity, subject
    return spki[1][1][1:]       # BIT STRING minus its unused-bits octet


def client_hello_extensions(record):
    """The extension types of the ClientHello in a TLS record."""
    assert record[0] == 22 and record[5] == 1
    p = 5 + 4 + 2 + 32           # header, handshake header, version, random
    p += 1 + record[p]           # session id
    p += 2 + int.from_bytes(record[p:p + 2], 'big')     # cipher suites
    p += 1 + record[p]           # compression methods
    end = p + 2 + int.from_bytes(record[p:p + 2], 'big')
    p += 2
    types = []
    while p < end:
        types.append(int.from_bytes(record[p:p + 2], 'big'))
        p += 4 + int.from_bytes(record[p + 2:p + 4], 'big')
    return types


# ---- the initiator ----

def tls_context(tls_max):
    """A client context (a session can be offered only to the context that
    made it)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.maximum_version = tls_max
    return ctx


class Initiator:
    """CredSSP's client side, one step per server token."""

    def __init__(self, ctx, version, mech, user, password, domain,
                 finished_alone=True, session=None):
        self.inc, self.out = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls = ctx.wrap_bio(self.inc, self.out,
                                server_hostname='localhost',
                                session=session)
        self.version = version
        self.nonce = os.urandom(32) if version >= 5 else None
        self.finished_alone = finished_alone
        self.state = 'tls'
        self.domain, self.user, self.password = domain, user, password
        oid = gssapi.OID.from_int_seq(mech)
        res = graw.acquire_cred_with_password(
            gssapi.Name(user, gssapi.NameType.user), password.encode(),
            mechs=[oid], usage='initiate')
        flags = (gssapi.RequirementFlag.confidentiality |
                 gssapi.RequirementFlag.integrity |
                 gssapi.RequirementFlag.out_of_sequence_detection |
                 gssapi.RequirementFlag.replay_detection)
        if mech == KRB5:
            flags |= gssapi.RequirementFlag.mutual_authentication
        self.inner = gssapi.SecurityContext(
            name=gssapi.Name('TERMSRV@localhost',
                             gssapi.NameType.hostbased_service),
            creds=gssapi.Credentials(base=res.creds), mech=oid, flags=flags,
            usage='initiate')
        self.key = None
        self.sent_pubkey = False
        self.error_codes = []
        self.tls_error = None
        self.done = False
        self.waiting = False      # sent a token the server must answer

    def start(self):
        """The ClientHello."""
        self._handshake()
        self.waiting = True
        return self.out.read()

    def _handshake(self):
        try:
            self.tls.do_handshake()
            return True
        except ssl.SSLWantReadError:
            return False

    def _records(self):
        """The plaintext of every TLS record received (TSRequests); a TLS
        error (an alert) is kept in tls_error."""
        msgs = []
        while True:
            try:
                msgs.append(self.tls.read(16384))
            except ssl.SSLWantReadError:
                return msgs
            except ssl.SSLError as exc:
                self.tls_error = exc
                return msgs

    def _pubkey_value(self, server):
        """What pubKeyAuth carries ([MS-CSSP] 3.1.5)."""
        if self.version >= 5:
            magic = (b'CredSSP Server-To-Client Binding Hash\0' if server
                     else b'CredSSP Client-To-Server Binding Hash\0')
            return hashlib.sha256(magic + self.nonce + self.key).digest()
        if server:
            return bytes([(self.key[0] + 1) & 0xff]) + self.key[1:]
        return self.key

    def _send(self, **fields):
        self.tls.write(ts_request(self.version, nonce=self.nonce, **fields))
        self.waiting = True

    def _leg(self, token):
        """Our answer to the inner token (None: the first)."""
        out = self.inner.step(token) if not self.inner.complete else None
        pub = None
        if self.inner.complete and not self.sent_pubkey:
            self.key = server_key(self.tls.getpeercert(binary_form=True))
            pub = self.inner.wrap(self._pubkey_value(False), True).message
            self.sent_pubkey = True
        self._send(token=out, pub_key_auth=pub)

    def receive(self, data):
        """Takes the server's token; returns ours (b'' when we have
        nothing to say)."""
        self.waiting = False
        self.inc.write(data)
        if self.state == 'tls':
            if not self._handshake():
                self.waiting = True
                return self.out.read()
            if self.tls.version() == 'TLSv1.3' and self.finished_alone:
                # Python's WinRM CredSSP stack: the Finished goes alone,
                # then the client waits for the server.
                self.state = 'after_finished'
                self.waiting = True
                return self.out.read()
            self.state = 'nego'
            self._leg(None)
            return self.out.read()
        msgs = self._records()
        if self.state == 'after_finished':
            check(not msgs and self.tls_error is None,
                  'the answer to the lone Finished is TLS housekeeping')
            self.state = 'nego'
            self._leg(None)
            return self.out.read()
        for msg in msgs:
            req = parse_ts_request(msg)
            if 4 in req:
                self.error_codes.append(req[4])
                continue
            if 3 in req:
                got = self.inner.unwrap(req[3]).message
                check(got == self._pubkey_value(True),
                      'the server pubKeyAuth verifies')
                creds = ts_credentials(self.domain, self.user.split('@')[0]
                                       .split('\\')[-1], self.password)
                self._send(auth_info=self.inner.wrap(creds, True).message)
                self.waiting = False
                self.done = True
            else:
                self._leg(req.get(1))
        return self.out.read()


class Acceptor:
    """The module through python3-gssapi, sending only non-empty tokens."""

    def __init__(self, acred):
        self.ctx = gssapi.SecurityContext(creds=acred, usage='accept')
        # A failing step raises, with the token to send in the exception
        # (python3-gssapi otherwise returns that token and raises later).
        self.ctx.__DEFER_STEP_ERRORS__ = False
        self.first = True
        self.error = None

    def step(self, token):
        if self.first:
            inner = bytes([0x06, len(CREDSSP_DER)]) + CREDSSP_DER + token
            token = b'\x60' + der_length(len(inner)) + inner
            self.first = False
        try:
            return self.ctx.step(token) or b''
        except gssapi.exceptions.GSSError as exc:
            self.error = exc
            return exc.token or b''


def exchange(client, server):
    """Tokens back and forth until both stop; returns the tokens the server
    sent.  A client that waits for a server that sent nothing is a
    deadlock, which fails."""
    sent = []
    c2s = client.start()
    for _ in range(32):
        s2c = server.step(c2s) if c2s else b''
        if server.error is not None:
            sent.append(s2c)
            if s2c:
                client.receive(s2c)
            return sent
        if not s2c:
            if client.waiting:
                check(False, 'deadlock: the client waits and the acceptor '
                      'returned an empty token (%s)' % client.state)
            return sent
        sent.append(s2c)
        c2s = client.receive(s2c)
        if client.done and server.ctx.complete:
            return sent
    check(False, 'no end after 32 legs')
    return sent


def delegated(actx):
    """The delegated domain, user and password."""
    bufs = graw.inquire_cred_by_oid(
        actx.delegated_creds, gssapi.OID.from_int_seq(DELEGATED_PASSWORD))
    return [b.decode() for b in bufs]


def main():
    user = env('CREDSSP_TEST_USER')
    password = env('CREDSSP_TEST_PASSWORD')
    realm = env('CREDSSP_TEST_REALM')
    domain = env('CREDSSP_TEST_NTLM_DOMAIN')
    credssp = gssapi.OID.from_int_seq(CREDSSP_DOTTED)
    acred = gssapi.Credentials(usage='accept', mechs=[credssp])
    kuser = '%s@%s' % (user, realm)

    # 1. The Finished alone.
    tls13 = tls_context(ssl.TLSVersion.TLSv1_3)
    client = Initiator(tls13, 6, KRB5, kuser, password,
                       realm)
    server = Acceptor(acred)
    exchange(client, server)
    check(client.tls.version() == 'TLSv1.3', 'TLS 1.3')
    check(client.tls.session is not None and client.tls.session.has_ticket,
          'the answer to the lone Finished was a NewSessionTicket')
    check(client.done and server.ctx.complete and server.error is None,
          'Finished alone: CredSSP completes (%s)' % server.error)
    if server.ctx.complete:
        check(str(server.ctx.initiator_name) == kuser,
              'the acceptor saw %r' % str(server.ctx.initiator_name))
        check(delegated(server.ctx) == [realm, user, password],
              'the password was delegated')
    ticket = client.tls.session

    together = Initiator(tls13, 6, KRB5, kuser, password,
                         realm, finished_alone=False)
    server = Acceptor(acred)
    exchange(together, server)
    check(together.done and server.ctx.complete,
          'Finished with the first TSRequest: CredSSP completes')
    check(not together.tls.session.has_ticket,
          'Finished with the first TSRequest: no ticket')

    # 2. The ticket does not resume.
    again = Initiator(tls13, 6, KRB5, kuser, password,
                      realm, session=ticket)
    server = Acceptor(acred)
    hello = again.start()
    check(41 in client_hello_extensions(hello),
          'the second client offers the ticket (pre_shared_key)')
    again.start = lambda: hello
    exchange(again, server)
    check(again.done and server.ctx.complete,
          'with the ticket offered: CredSSP completes')
    check(not again.tls.session_reused,
          'the ticket did not resume the session: a full handshake')

    # 3. A refused logon ends with errorCode (versions 3, 4, 6) and an
    #    access_denied alert the client decrypts.
    nuser = '%s\\%s' % (domain, user)
    for tls_max, tls_name in ((ssl.TLSVersion.TLSv1_3, 'TLS 1.3'),
                              (ssl.TLSVersion.TLSv1_2, 'TLS 1.2')):
        for version in (2, 6):
            what = '%s, CredSSP %d, wrong password' % (tls_name, version)
            client = Initiator(tls_context(tls_max), version, NTLM, nuser,
                               'not-it', domain)
            server = Acceptor(acred)
            exchange(client, server)
            check(server.error is not None and
                  'SEC_E_LOGON_DENIED' in str(server.error),
                  '%s: the acceptor says %s' % (what, server.error))
            want = [STATUS_LOGON_FAILURE] if version == 6 else []
            check(client.error_codes == want,
                  '%s: errorCode %s' % (what, [hex(c) for c in
                                               client.error_codes]))
            text = str(client.tls_error)
            check(client.tls_error is not None and
                  client.tls_error.reason == 'TLSV1_ALERT_ACCESS_DENIED' and
                  'denied' in text and 'MAC' not in text.upper(),
                  '%s: the client reads %r' % (what, text))
    if failures:
        print('%d failure(s)' % len(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
