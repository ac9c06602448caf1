# SPDX-License-Identifier: MIT
"""python_gssapi.py - python3-gssapi drives a CredSSP handshake by OID.

Run by python_gssapi.sh under tests/fixture/with-kdc.  Python loads
python-gssapi's extension modules, and with them libgssapi_krb5, without
RTLD_GLOBAL: the name-clash trap of doc/design.md 3.2, met by a real host.

Initiator: gssapi.raw.acquire_cred_with_password for the fixture's user
(usage 'initiate'; the mech has no 'both').  Acceptor: gssapi.Credentials
(usage='accept', mechs=[CredSSP]).  The first acceptor token gets the
RFC 2743 header by hand (python-gssapi 1.8 exposes no encapsulate_token).
Asserts: both contexts complete, the acceptor's initiator_name is the
user's name exactly (user@REALM with Kerberos; DOMAIN\\user with NTLM, set
by the credential option base.3.1, without the NUL gss-ntlmssp counts),
the inner-mech inquiry (base.2.2) gives the inner mech's OID bytes, and
the module built here is what ran.  Exit status 0 pass, 1 fail.
"""
import os
import sys

import gssapi
import gssapi.raw as graw

CREDSSP_DOTTED = ('1.2.840.113556.1.8000.2554.12432.22378.1866.19045.36928.'
                  '10346293.15062345.1')
CREDSSP_DER = bytes.fromhex('2a864886f71401be40937ae11081ae6a8e4a81946582'
                            'a04084f7be358797aa4901')
INQ_INNER_MECH_DOTTED = CREDSSP_DOTTED[:-len('.1')] + '.2.2'
OPT_INNER_MECH_DOTTED = CREDSSP_DOTTED[:-len('.1')] + '.3.1'
KRB5_DER = bytes.fromhex('2a864886f712010202')
NTLM_DER = bytes.fromhex('2b06010401823702020a')


def fail(msg):
    """Print why and exit 1."""
    print('FAIL: ' + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    """Fail with msg unless cond (not assert: python -O drops those)."""
    if not cond:
        fail(msg)
    print('ok: ' + msg)


def der_length(n):
    """The DER encoding of a length."""
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, 'big')
    return bytes([0x80 | len(body)]) + body


def frame(token, oid_der):
    """RFC 2743 3.1 framing: 0x60 len 0x06 len(oid) oid token."""
    inner = bytes([0x06, len(oid_der)]) + oid_der + token
    return b'\x60' + der_length(len(inner)) + inner


def env(name):
    """A variable the fixture exported; fail when it is missing."""
    value = os.environ.get(name)
    if not value:
        fail('%s is not set (run under tests/fixture/with-kdc)' % name)
    return value


def handshake(credssp, user, password, mech=None):
    """One CredSSP handshake as user (inner mech chosen by the credential
    option when mech is given); returns the acceptor's context."""
    name = gssapi.Name(user, gssapi.NameType.user)
    res = graw.acquire_cred_with_password(name, password.encode(),
                                          mechs=[credssp], usage='initiate')
    check(credssp in res.mechs, 'initiator credential holds CredSSP')
    if mech is not None:
        graw.set_cred_option(gssapi.OID.from_int_seq(OPT_INNER_MECH_DOTTED),
                             res.creds, mech.encode())
    icreds = gssapi.Credentials(base=res.creds)
    acreds = gssapi.Credentials(usage='accept', mechs=[credssp])

    target = gssapi.Name('TERMSRV@localhost',
                         gssapi.NameType.hostbased_service)
    req = (gssapi.RequirementFlag.confidentiality |
           gssapi.RequirementFlag.integrity)
    ictx = gssapi.SecurityContext(name=target, creds=icreds, mech=credssp,
                                  flags=req, usage='initiate')
    actx = gssapi.SecurityContext(creds=acreds, usage='accept')

    s2c = None
    first = True
    legs = 0
    for _ in range(32):
        c2s = ictx.step(s2c)
        if not c2s:
            break
        legs += 1
        if first:
            check(c2s[0] == 0x16, 'the first token is a raw TLS record')
            c2s = frame(c2s, CREDSSP_DER)
            first = False
        s2c = actx.step(c2s)
        if s2c:
            legs += 1
        if ictx.complete:
            break
    check(ictx.complete, 'initiator complete after %d tokens' % legs)
    check(actx.complete, 'acceptor complete')
    check(not s2c, 'no token left for the initiator')
    check(actx.mech == credssp, 'acceptor context mech is CredSSP')
    return actx


def main():
    """Two handshakes (Kerberos, NTLM) and their assertions."""
    user = env('CREDSSP_TEST_USER')
    password = env('CREDSSP_TEST_PASSWORD')
    realm = env('CREDSSP_TEST_REALM')
    domain = env('CREDSSP_TEST_NTLM_DOMAIN')

    flags = sys.getdlopenflags()
    check(flags & os.RTLD_GLOBAL == 0,
          'python loads extension modules without RTLD_GLOBAL (flags %#x)'
          % flags)

    credssp = gssapi.OID.from_int_seq(CREDSSP_DOTTED)
    check(bytes(credssp) == CREDSSP_DER, 'OID.from_int_seq gives our bytes')
    inq_inner = gssapi.OID.from_int_seq(INQ_INNER_MECH_DOTTED)
    check(bytes(inq_inner) == CREDSSP_DER[:-1] + b'\x02\x02',
          'the inner-mech inquiry OID is base.2.2')

    actx = handshake(credssp, user, password)
    src = str(actx.initiator_name)
    check(src == '%s@%s' % (user, realm), 'acceptor saw initiator %r' % src)
    inner = graw.inquire_sec_context_by_oid(actx, inq_inner)
    check(len(inner) == 1 and inner[0] == KRB5_DER,
          'inner mech is krb5 (%s)' % [b.hex() for b in inner])

    ntlm_user = '%s\\%s' % (domain, user)
    actx = handshake(credssp, ntlm_user, password, mech='ntlm')
    src = str(actx.initiator_name)
    check(src == ntlm_user, 'NTLM: acceptor saw initiator %r, exactly %r'
          % (src, ntlm_user))
    inner = graw.inquire_sec_context_by_oid(actx, inq_inner)
    check(len(inner) == 1 and inner[0] == NTLM_DER,
          'inner mech is NTLM (%s)' % [b.hex() for b in inner])

    module = os.environ.get('CREDSSP_MODULE')
    if module:
        with open('/proc/self/maps', encoding='ascii',
                  errors='replace') as maps:
            mapped = os.path.realpath(module) in maps.read()
        check(mapped, 'the module ran in this process: %s' % module)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except gssapi.exceptions.GSSError as exc:
        fail('GSS error: %s' % exc)
