/* SPDX-License-Identifier: MIT */
/*
 * err.c - the display texts of our minor codes.  Each begins with the SSPI
 * status it stands for (doc/design.md 4.3), then says what happened and,
 * where a setting would change it, which one.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cs.h"
#include "escape.h"

static __thread uint32_t detail_code;
static __thread char detail_text[1024];

void
cs_err_set_detail(uint32_t code, const char *fmt, ...)
{
    char raw[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(raw, sizeof(raw), fmt, ap);
    va_end(ap);
    /* The particulars name what a peer chose (a certificate's names, a
     * delegated user): escaped, so that they cannot drive the terminal
     * that shows the status, nor forge a line of a log. */
    (void)cs_escape(detail_text, sizeof(detail_text), raw, strlen(raw));
    detail_code = code;
}

const char *
cs_err_detail(uint32_t code)
{
    return code != CREDSSP_S_OK && code == detail_code ? detail_text : NULL;
}

/*
 * cs_err_text: the text of one of our minor codes, or NULL for a code that
 * is not ours.  The switch has no default, so -Wswitch names any code that
 * lacks a text.
 */
const char *
cs_err_text(uint32_t code)
{
    /* Codes outside the enum are not ours. */
    if (code != CREDSSP_S_OK &&
        (code <= GSS_CREDSSP_MINOR_BASE || code >= CREDSSP_S_MINOR_END)) {
        return NULL;
    }
    switch ((enum gss_credssp_minor)code) {
    case CREDSSP_S_OK:
        return "SEC_E_OK: success";
    case CREDSSP_S_INCOMPLETE_MESSAGE:
        return "SEC_E_INCOMPLETE_MESSAGE: the token ends inside a TLS "
               "record; nothing was consumed, call again with the whole "
               "data (the missing byte count can be inquired)";
    case CREDSSP_S_NOMEM:
        return "SEC_E_INSUFFICIENT_MEMORY: out of memory";
    case CREDSSP_S_INTERNAL:
        return "SEC_E_INTERNAL_ERROR: an internal error occurred in the "
               "CredSSP mechanism";
    case CREDSSP_S_BAD_ARGS:
        return "SEC_E_INVALID_PARAMETER: a required argument is missing or "
               "invalid";
    case CREDSSP_S_BAD_HANDLE:
        return "SEC_E_INVALID_HANDLE: the context or credential handle is "
               "not valid for this call";
    case CREDSSP_S_WRONG_USAGE:
        return "SEC_E_INVALID_HANDLE: the credential cannot be used in this "
               "role (initiate vs accept)";
    case CREDSSP_S_UNSUPPORTED_FLAG:
        return "SEC_E_UNSUPPORTED_FUNCTION: a requested flag is not "
               "supported by CredSSP (anonymous and DCE style are not)";
    case CREDSSP_S_UNSUPPORTED_OPTION:
        return "SEC_E_UNSUPPORTED_FUNCTION: unknown option or inquiry OID";
    case CREDSSP_S_BAD_OPTION_VALUE:
        return "SEC_E_INVALID_PARAMETER: invalid value for a CredSSP "
               "option or cred-store key";
    case CREDSSP_S_BAD_NAME:
        return "SEC_E_TARGET_UNKNOWN: the name could not be used (a user "
               "name is needed for password credentials, a host-based "
               "service name for the target)";
    case CREDSSP_S_NO_INNER_CRED:
        return "SEC_E_NO_CREDENTIALS: no Kerberos or NTLM credential could "
               "be acquired for the inner authentication";
    case CREDSSP_S_NO_CERT:
        return "SEC_E_NO_CREDENTIALS: the acceptor's TLS certificate or key "
               "could not be loaded (credssp_cert / credssp_key)";
    case CREDSSP_S_TLS_FAILED:
        return "SEC_E_INVALID_TOKEN: the TLS handshake failed";
    case CREDSSP_S_TLS_ALERT:
        return "SEC_E_INVALID_TOKEN: the peer sent a TLS alert";
    case CREDSSP_S_TLS_CLOSED:
        return "SEC_E_INVALID_TOKEN: the peer closed the TLS channel";
    case CREDSSP_S_TLS_TOO_LARGE:
        return "SEC_E_INVALID_TOKEN: a TSRequest does not fit in one TLS "
               "record";
    case CREDSSP_S_BAD_DER:
        return "SEC_E_INVALID_TOKEN: a CredSSP message is not valid DER";
    case CREDSSP_S_BAD_FRAMING:
        return "SEC_E_INVALID_TOKEN: the token is neither a TLS record nor "
               "one framed with the CredSSP mechanism OID";
    case CREDSSP_S_UNEXPECTED_MESSAGE:
        return "SEC_E_INVALID_TOKEN: the peer sent a CredSSP message or "
               "field that is not allowed at this point of the exchange";
    case CREDSSP_S_SPLIT_RECORD:
        return "SEC_E_INVALID_TOKEN: a TSRequest was split across TLS "
               "records or several came in one token";
    case CREDSSP_S_VERSION_CHANGED:
        return "SEC_E_INVALID_TOKEN: the peer changed its CredSSP version "
               "in the middle of the exchange";
    case CREDSSP_S_VERSION_TOO_LOW:
        return "SEC_E_UNSUPPORTED_FUNCTION: the peer's CredSSP version is "
               "below the minimum allowed (CVE-2018-0886 protection; see "
               "min_version / credssp_min_version)";
    case CREDSSP_S_BAD_VERSION:
        return "SEC_E_INVALID_TOKEN: the peer sent an invalid CredSSP "
               "version";
    case CREDSSP_S_BAD_NONCE:
        return "SEC_E_INVALID_TOKEN: clientNonce missing or not 32 bytes";
    case CREDSSP_S_NONCE_CHANGED:
        return "SEC_E_INVALID_TOKEN: clientNonce changed between messages";
    case CREDSSP_S_PUBKEYAUTH_MISMATCH:
        return "SEC_E_MUTUAL_AUTH_FAILED: pubKeyAuth does not match the TLS "
               "server key: a man in the middle may be present; no "
               "credentials were sent";
    case CREDSSP_S_MUTUAL_REQUIRED:
        return "SEC_E_MUTUAL_AUTH_FAILED: mutual authentication was "
               "requested but only NTLM authenticated the server and its "
               "certificate was not verified";
    case CREDSSP_S_POLICY_NTLM_ONLY:
        return "SEC_E_POLICY_NLTM_ONLY: only NTLM authenticated the server "
               "and policy forbids delegating to it (allow it with "
               "allow_delegation_ntlm_only / "
               "credssp_allow_ntlm_only_delegation); nothing was sent";
    case CREDSSP_S_DELEGATION_POLICY:
        return "SEC_E_DELEGATION_POLICY: policy does not allow delegating "
               "credentials to this target (see allow_delegation); nothing "
               "was sent";
    case CREDSSP_S_BAD_UTF16:
        return "SEC_E_INVALID_TOKEN: text is not valid UTF-8 / UTF-16";
    case CREDSSP_S_BAD_CRED_TYPE:
        return "SEC_E_INVALID_TOKEN: TSCredentials of an unknown or "
               "unsupported credType";
    case CREDSSP_S_LOGON_FAILED:
        return "SEC_E_LOGON_DENIED: the inner authentication refused the "
               "user name or password";
    case CREDSSP_S_PEER_ERROR:
        return "SEC_E_LOGON_DENIED: the peer reported an error (errorCode)";
    case CREDSSP_S_PEER_LOGON_FAILURE:
        return "SEC_E_LOGON_DENIED: the peer reported STATUS_LOGON_FAILURE "
               "(0xC000006D)";
    case CREDSSP_S_PEER_WRONG_PASSWORD:
        return "SEC_E_LOGON_DENIED: the peer reported STATUS_WRONG_PASSWORD "
               "(0xC000006A)";
    case CREDSSP_S_PEER_PASSWORD_EXPIRED:
        return "SEC_E_LOGON_DENIED: the peer reported "
               "STATUS_PASSWORD_EXPIRED (0xC0000071)";
    case CREDSSP_S_PEER_PASSWORD_MUST_CHANGE:
        return "SEC_E_LOGON_DENIED: the peer reported "
               "STATUS_PASSWORD_MUST_CHANGE (0xC0000224)";
    case CREDSSP_S_PEER_ACCOUNT_DISABLED:
        return "SEC_E_LOGON_DENIED: the peer reported "
               "STATUS_ACCOUNT_DISABLED (0xC0000072)";
    case CREDSSP_S_PEER_ACCOUNT_LOCKED:
        return "SEC_E_LOGON_DENIED: the peer reported "
               "STATUS_ACCOUNT_LOCKED_OUT (0xC0000234)";
    case CREDSSP_S_PEER_ACCESS_DENIED:
        return "SEC_E_LOGON_DENIED: the peer reported STATUS_ACCESS_DENIED "
               "(0xC0000022)";
    case CREDSSP_S_PEER_NOT_SUPPORTED:
        return "SEC_E_UNSUPPORTED_FUNCTION: the peer reported "
               "STATUS_NOT_SUPPORTED (0xC00000BB): it refuses our CredSSP "
               "version or another part of the exchange";
    case CREDSSP_S_PEER_CLOSED:
        return "SEC_E_LOGON_DENIED: the server closed the connection after "
               "authentication (TLS close_notify, no errorCode)";
    case CREDSSP_S_NOT_ESTABLISHED:
        return "SEC_E_INVALID_HANDLE: the context is not established";
    case CREDSSP_S_NO_DELEGATED_CREDS:
        return "SEC_E_NO_CREDENTIALS: no credentials were delegated (the "
               "initiator sent empty credentials)";
    case CREDSSP_S_CONFIG:
        return "SEC_E_INTERNAL_ERROR: the CredSSP configuration file could "
               "not be read (see the debug trace for file and line)";
    case CREDSSP_S_TOO_LARGE:
        return "SEC_E_INVALID_TOKEN: a token or message exceeds the size "
               "limit";
    case CREDSSP_S_INNER_FAILED:
        return "SEC_E_LOGON_DENIED: the inner Kerberos/NTLM authentication "
               "failed";
    case CREDSSP_S_MESSAGE_ALTERED:
        return "SEC_E_MESSAGE_ALTERED: a TLS record failed its integrity "
               "check (altered, or out of order); the context is no longer "
               "usable";
    case CREDSSP_S_REPLAYED:
        return "SEC_E_MESSAGE_ALTERED: a TLS record was received twice "
               "(replay); it was dropped, no message was returned, and the "
               "context is intact";
    case CREDSSP_S_BAD_QOP:
        return "SEC_E_QOP_NOT_SUPPORTED: only the default QOP exists";
    case CREDSSP_S_NO_MIC:
        return "SEC_E_UNSUPPORTED_FUNCTION: CredSSP has no MIC tokens (TLS "
               "records carry integrity); use gss_wrap";
    case CREDSSP_S_BAD_BINDINGS:
        return "SEC_E_BAD_BINDINGS: the channel bindings of the two sides "
               "do not match";
    case CREDSSP_S_UNTRUSTED_CERT:
        return "SEC_E_UNTRUSTED_ROOT: the server certificate could not be "
               "validated (verify_certificate is on; see ca_file)";
    case CREDSSP_S_WRONG_PRINCIPAL:
        return "SEC_E_WRONG_PRINCIPAL: the server certificate does not "
               "name the target host (verify_certificate is on)";
    case CREDSSP_S_TOKEN_TOO_LARGE:
        return "SEC_E_INVALID_TOKEN: the token is larger than "
               "max_token_size allows";
    case CREDSSP_S_TOO_MANY_LEGS:
        return "SEC_E_INVALID_TOKEN: the exchange took more legs than "
               "max_legs allows";
    case CREDSSP_S_STORE_FAILED:
        return "SEC_E_NO_CREDENTIALS: no Kerberos ticket could be obtained "
               "with the delegated password";
    case CREDSSP_S_BAD_AUTHINFO:
        return "SEC_E_MESSAGE_ALTERED: authInfo does not unseal with this "
               "session's inner keys (altered, or replayed from another "
               "session); no credentials were accepted";
    case CREDSSP_S_BAD_NTLM_CHALLENGE:
        return "SEC_E_INVALID_TOKEN: the server's NTLM CHALLENGE names a "
               "target type but has an empty TargetName; refused before "
               "gss-ntlmssp sees it (version 1.2.0 crashes on it)";
    case CREDSSP_S_DELEG_OTHER_USER:
        return "SEC_E_LOGON_DENIED: the delegated credentials name another "
               "user than the one the inner authentication authenticated; "
               "they were refused and nothing was kept (see "
               "allow_other_user_delegation)";
    case CREDSSP_S_CCACHE_IN_USE:
        return "SEC_E_WRONG_PRINCIPAL: the credential cache already holds "
               "credentials: another principal's (never replaced), or the "
               "same principal's and overwrite_cred was not set";
    case CREDSSP_S_NTLM_MIC_NO_VERSION:
        return "SEC_E_UNSUPPORTED_FUNCTION: the NTLM client left the "
               "Version out of its NEGOTIATE and yet sent a MIC over it: "
               "gss-ntlmssp needs the NEGOTIATE padded with a Version, "
               "which that MIC does not cover (see gsscredssp(8), NTLM)";
    case CREDSSP_S_INNER_BAD_TOKEN:
        return "SEC_E_INVALID_TOKEN: the inner Kerberos/NTLM/SPNEGO token "
               "could not be decoded";
    case CREDSSP_S_NO_COMMON_MECH:
        return "SEC_E_SECPKG_NOT_FOUND: no common authentication "
               "mechanism: the peer offered, or chose, none of Kerberos and "
               "NTLM that this side can use";
    case CREDSSP_S_PEER_NO_COMMON_MECH:
        return "SEC_E_SECPKG_NOT_FOUND: the peer reported "
               "STATUS_NO_SUCH_PACKAGE (0xC00000FE): no common "
               "authentication mechanism (it can use none that we offered)";
    case CREDSSP_S_INNER_BAD_MIC:
        return "SEC_E_MESSAGE_ALTERED: the inner SPNEGO negotiation's "
               "mechListMIC does not verify: the list of mechanisms was "
               "altered on the way (a downgrade?); nothing was accepted";
    case CREDSSP_S_PEER_DENIED:
        return "SEC_E_LOGON_DENIED: the server refused the logon (TLS "
               "alert access_denied after the authentication)";
    case CREDSSP_S_CRED_IN_USE:
        return "SEC_E_UNSUPPORTED_FUNCTION: the credential is in use (a "
               "security context has used it), so its settings can no "
               "longer change; set them before its first use, or acquire "
               "another credential";
    case CREDSSP_S_MINOR_END:
        break;
    }
    return NULL;
}
