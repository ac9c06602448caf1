#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""doc_test.py - what gsscredssp(8), credssp(1) and the README say about
a delegation that policy refuses agrees with what the module does.

The module is run first (an initiator with GSS_C_DELEG_FLAG, NTLM only and
no NTLM-only policy, against its own acceptor in the same process, through
python3-gssapi and the mechglue): it must fail with SEC_E_POLICY_NLTM_ONLY
before any authInfo leaves, so the acceptor never completes.  Then the
documents: each must say that such a delegation fails with that status
and that nothing is sent, and none may say that empty credentials are
sent in its place (issue 16, point 10).  Exit 0 pass, 1 fail."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peerkit import asan_env  # noqa: E402

SRC = os.environ["top_srcdir"]
DOCS = {
    "gsscredssp(8)": os.path.join(SRC, "doc", "gsscredssp.8"),
    "credssp(1)": os.path.join(SRC, "doc", "credssp.1"),
    "README": os.path.join(SRC, "README"),
}
RUN = r'''
import gssapi, gssapi.raw as graw, sys
oid = gssapi.OID.from_int_seq('1.2.840.113556.1.8000.2554.12432.22378.1866.'
                              '19045.36928.10346293.15062345.1')
cred = gssapi.Credentials(usage='initiate', mechs=[oid], store={
    b'credssp_user': b'CREDSSP\\' + sys.argv[1].encode(),
    b'credssp_password': sys.argv[2].encode(), b'credssp_mech': b'ntlm'})
target = gssapi.Name('TERMSRV@localhost', gssapi.NameType.hostbased_service)
ini = gssapi.SecurityContext(name=target, creds=cred, mech=oid,
                             usage='initiate',
                             flags=[gssapi.RequirementFlag.delegate_to_peer,
                                    gssapi.RequirementFlag.integrity])
acc = gssapi.SecurityContext(creds=gssapi.Credentials(usage='accept',
                                                      mechs=[oid]),
                             usage='accept')
tok, first = ini.step(), True
try:
    while True:
        if first:
            body = b'\x06' + bytes([len(bytes(oid))]) + bytes(oid) + tok
            n = len(body)
            tok = b'\x60' + (bytes([n]) if n < 128 else
                             bytes([0x82, n >> 8, n & 0xff])) + body
            first = False
        tok = acc.step(tok)
        if not tok:
            break
        tok = ini.step(tok)
except gssapi.exceptions.GSSError as e:
    print('failed:', e)
print('acceptor complete:', acc.complete)
'''


def main():
    fail = []
    r = subprocess.run(["/usr/bin/python3", "-c", RUN,
                        os.environ["CREDSSP_TEST_USER"],
                        os.environ["CREDSSP_TEST_PASSWORD"]],
                       capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, **asan_env()))
    out = r.stdout + r.stderr
    print("module:", out.strip())
    if "SEC_E_POLICY_NLTM_ONLY" not in out or \
            "acceptor complete: False" not in out:
        fail.append("the module did not refuse as documented: %s" % out)
    for name, path in DOCS.items():
        with open(path) as f:
            text = f.read().replace("\\-", "-")
        # Font macros keep their words; the rest of roff goes.
        text = re.sub(r"^\.(B|I|BR|RB|IR|RI|BI|IB) ", "", text, flags=re.M)
        text = re.sub(r"\\f[BIRP]", "", text)
        text = re.sub(r"\s+", " ", text)
        if re.search(r"[Oo]therwise,? empty credentials are sent", text):
            fail.append("%s: says empty credentials are sent when policy "
                        "refuses" % name)
        refusal = re.search(r"SEC_E_POLICY_NLTM_ONLY[^.]*\.", text)
        m = re.search(r"(fails?|refused)[^.]{0,200}SEC_E_POLICY_NLTM_ONLY"
                      r"[^.]{0,300}(nothing (is|was|more is) sent|sends "
                      r"nothing)", text)
        if m is None:
            fail.append("%s: does not say that a delegation policy refuses "
                        "fails with SEC_E_POLICY_NLTM_ONLY and sends "
                        "nothing (%r)" % (name, refusal and refusal.group(0)))
    for f in fail:
        print("FAIL:", f)
    print("doc_test: %d failures" % len(fail))
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
