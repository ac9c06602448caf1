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

/* AT: a minor code's slot in the table; CREDSSP_S_OK (0) takes the slot of
 * GSS_CREDSSP_MINOR_BASE, which is no code. */
#define AT(code)                                                         \
    ((code) == CREDSSP_S_OK ? 0u                                         \
                            : (uint32_t)(code) - GSS_CREDSSP_MINOR_BASE)

/*
 * The error table: for each minor code of ours, its display text (the SSPI
 * status first), the GSS major status the application gets with it, and
 * the NTSTATUS an acceptor tells the peer in errorCode (0: none).  Read by
 * cs_err_text, by mech/'s cs_major and by the engine's failure path;
 * doc/design.md 4.3 is its prose.  tests/unit/test_err checks that every
 * code has a text.
 */
static const struct cs_err_info err_table[] = {
    [AT(CREDSSP_S_OK)] = {
        "SEC_E_OK: success",
        GSS_S_COMPLETE, 0 },
    [AT(CREDSSP_S_INCOMPLETE_MESSAGE)] = {
        "SEC_E_INCOMPLETE_MESSAGE: the token ends inside a TLS "
        "record; nothing was consumed, call again with the whole "
        "data (the missing byte count can be inquired)",
        GSS_S_DEFECTIVE_TOKEN, 0 },
    [AT(CREDSSP_S_NOMEM)] = {
        "SEC_E_INSUFFICIENT_MEMORY: out of memory",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_INTERNAL)] = {
        "SEC_E_INTERNAL_ERROR: an internal error occurred in the "
        "CredSSP mechanism",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_BAD_ARGS)] = {
        "SEC_E_INVALID_PARAMETER: a required argument is missing or "
        "invalid",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_BAD_HANDLE)] = {
        "SEC_E_INVALID_HANDLE: the context or credential handle is "
        "not valid for this call",
        GSS_S_NO_CONTEXT, 0 },
    [AT(CREDSSP_S_WRONG_USAGE)] = {
        "SEC_E_INVALID_HANDLE: the credential cannot be used in this "
        "role (initiate vs accept)",
        GSS_S_NO_CRED, 0 },
    [AT(CREDSSP_S_UNSUPPORTED_FLAG)] = {
        "SEC_E_UNSUPPORTED_FUNCTION: a requested flag is not "
        "supported by CredSSP (anonymous and DCE style are not)",
        GSS_S_UNAVAILABLE, 0 },
    [AT(CREDSSP_S_UNSUPPORTED_OPTION)] = {
        "SEC_E_UNSUPPORTED_FUNCTION: unknown option or inquiry OID, "
        "or unknown cred-store key (credssp.conf(5) lists the keys)",
        GSS_S_UNAVAILABLE, 0 },
    [AT(CREDSSP_S_BAD_OPTION_VALUE)] = {
        "SEC_E_INVALID_PARAMETER: invalid value for a CredSSP "
        "option or cred-store key",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_BAD_NAME)] = {
        "SEC_E_TARGET_UNKNOWN: the name could not be used (a user "
        "name is needed for password credentials, a host-based "
        "service name for the target)",
        GSS_S_BAD_NAME, 0 },
    [AT(CREDSSP_S_NO_INNER_CRED)] = {
        "SEC_E_NO_CREDENTIALS: no Kerberos or NTLM credential could "
        "be acquired for the inner authentication",
        GSS_S_NO_CRED, 0 },
    [AT(CREDSSP_S_NO_CERT)] = {
        "SEC_E_NO_CREDENTIALS: the acceptor's TLS certificate or key "
        "could not be loaded (certificate / private_key; cred store: "
        "credssp_certificate / credssp_private_key)",
        GSS_S_NO_CRED, 0 },
    [AT(CREDSSP_S_TLS_FAILED)] = {
        "SEC_E_INVALID_TOKEN: the TLS handshake failed",
        GSS_S_DEFECTIVE_TOKEN, 0 },
    [AT(CREDSSP_S_TLS_ALERT)] = {
        "SEC_E_INVALID_TOKEN: the peer sent a TLS alert",
        GSS_S_DEFECTIVE_TOKEN, 0 },
    [AT(CREDSSP_S_TLS_CLOSED)] = {
        "SEC_E_INVALID_TOKEN: the peer closed the TLS channel",
        GSS_S_CONTEXT_EXPIRED, 0 },
    [AT(CREDSSP_S_TLS_TOO_LARGE)] = {
        "SEC_E_INVALID_TOKEN: a TSRequest does not fit in one TLS "
        "record",
        GSS_S_DEFECTIVE_TOKEN, 0 },
    [AT(CREDSSP_S_BAD_DER)] = {
        "SEC_E_INVALID_TOKEN: a CredSSP message is not valid DER",
        GSS_S_DEFECTIVE_TOKEN, CS_STATUS_INVALID_PARAMETER },
    [AT(CREDSSP_S_BAD_FRAMING)] = {
        "SEC_E_INVALID_TOKEN: the token is neither a TLS record nor "
        "one framed with the CredSSP mechanism OID",
        GSS_S_DEFECTIVE_TOKEN, 0 },
    [AT(CREDSSP_S_UNEXPECTED_MESSAGE)] = {
        "SEC_E_INVALID_TOKEN: the peer sent a CredSSP message or "
        "field that is not allowed at this point of the exchange",
        GSS_S_DEFECTIVE_TOKEN, CS_STATUS_INVALID_PARAMETER },
    [AT(CREDSSP_S_SPLIT_RECORD)] = {
        "SEC_E_INVALID_TOKEN: a TSRequest was split across TLS "
        "records or several came in one token",
        GSS_S_DEFECTIVE_TOKEN, CS_STATUS_INVALID_PARAMETER },
    [AT(CREDSSP_S_VERSION_CHANGED)] = {
        "SEC_E_INVALID_TOKEN: the peer changed its CredSSP version "
        "in the middle of the exchange",
        GSS_S_DEFECTIVE_TOKEN, CS_STATUS_INVALID_PARAMETER },
    [AT(CREDSSP_S_VERSION_TOO_LOW)] = {
        "SEC_E_UNSUPPORTED_FUNCTION: the peer's CredSSP version is "
        "below the minimum allowed (CVE-2018-0886 protection; see "
        "min_version / credssp_min_version)",
        GSS_S_UNAVAILABLE, CS_STATUS_NOT_SUPPORTED },
    [AT(CREDSSP_S_BAD_VERSION)] = {
        "SEC_E_INVALID_TOKEN: the peer sent an invalid CredSSP "
        "version",
        GSS_S_DEFECTIVE_TOKEN, CS_STATUS_INVALID_PARAMETER },
    [AT(CREDSSP_S_BAD_NONCE)] = {
        "SEC_E_INVALID_TOKEN: clientNonce missing or not 32 bytes",
        GSS_S_DEFECTIVE_TOKEN, CS_STATUS_INVALID_PARAMETER },
    [AT(CREDSSP_S_NONCE_CHANGED)] = {
        "SEC_E_INVALID_TOKEN: clientNonce changed between messages",
        GSS_S_DEFECTIVE_TOKEN, CS_STATUS_INVALID_PARAMETER },
    [AT(CREDSSP_S_PUBKEYAUTH_MISMATCH)] = {
        "SEC_E_MUTUAL_AUTH_FAILED: pubKeyAuth does not match the TLS "
        "server key: a man in the middle may be present; no "
        "credentials were sent",
        GSS_S_BAD_SIG, CS_STATUS_LOGON_FAILURE },
    [AT(CREDSSP_S_MUTUAL_REQUIRED)] = {
        "SEC_E_MUTUAL_AUTH_FAILED: mutual authentication was "
        "requested but only NTLM authenticated the server and its "
        "certificate was not verified",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_POLICY_NTLM_ONLY)] = {
        "SEC_E_POLICY_NLTM_ONLY: only NTLM authenticated the server "
        "and policy forbids delegating to it (allow it with "
        "allow_delegation_ntlm_only / "
        "credssp_allow_delegation_ntlm_only); nothing was sent",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_DELEGATION_POLICY)] = {
        "SEC_E_DELEGATION_POLICY: policy does not allow delegating "
        "credentials to this target (see allow_delegation); nothing "
        "was sent",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_BAD_UTF16)] = {
        "SEC_E_INVALID_TOKEN: text is not valid UTF-8 / UTF-16",
        GSS_S_DEFECTIVE_TOKEN, CS_STATUS_INVALID_PARAMETER },
    [AT(CREDSSP_S_BAD_CRED_TYPE)] = {
        "SEC_E_INVALID_TOKEN: TSCredentials of an unknown or "
        "unsupported credType",
        GSS_S_DEFECTIVE_TOKEN, CS_STATUS_INVALID_PARAMETER },
    [AT(CREDSSP_S_LOGON_FAILED)] = {
        "SEC_E_LOGON_DENIED: the inner authentication refused the "
        "user name or password",
        GSS_S_FAILURE, CS_STATUS_LOGON_FAILURE },
    [AT(CREDSSP_S_PEER_ERROR)] = {
        "SEC_E_LOGON_DENIED: the peer reported an error (errorCode)",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_PEER_LOGON_FAILURE)] = {
        "SEC_E_LOGON_DENIED: the peer reported STATUS_LOGON_FAILURE "
        "(0xC000006D)",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_PEER_WRONG_PASSWORD)] = {
        "SEC_E_LOGON_DENIED: the peer reported STATUS_WRONG_PASSWORD "
        "(0xC000006A)",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_PEER_PASSWORD_EXPIRED)] = {
        "SEC_E_LOGON_DENIED: the peer reported "
        "STATUS_PASSWORD_EXPIRED (0xC0000071)",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_PEER_PASSWORD_MUST_CHANGE)] = {
        "SEC_E_LOGON_DENIED: the peer reported "
        "STATUS_PASSWORD_MUST_CHANGE (0xC0000224)",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_PEER_ACCOUNT_DISABLED)] = {
        "SEC_E_LOGON_DENIED: the peer reported "
        "STATUS_ACCOUNT_DISABLED (0xC0000072)",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_PEER_ACCOUNT_LOCKED)] = {
        "SEC_E_LOGON_DENIED: the peer reported "
        "STATUS_ACCOUNT_LOCKED_OUT (0xC0000234)",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_PEER_ACCESS_DENIED)] = {
        "SEC_E_LOGON_DENIED: the peer reported STATUS_ACCESS_DENIED "
        "(0xC0000022)",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_PEER_NOT_SUPPORTED)] = {
        "SEC_E_UNSUPPORTED_FUNCTION: the peer reported "
        "STATUS_NOT_SUPPORTED (0xC00000BB): it refuses our CredSSP "
        "version or another part of the exchange",
        GSS_S_UNAVAILABLE, 0 },
    [AT(CREDSSP_S_PEER_CLOSED)] = {
        "SEC_E_LOGON_DENIED: the server closed the connection after "
        "authentication (TLS close_notify, no errorCode)",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_NOT_ESTABLISHED)] = {
        "SEC_E_INVALID_HANDLE: the context is not established",
        GSS_S_NO_CONTEXT, 0 },
    [AT(CREDSSP_S_NO_DELEGATED_CREDS)] = {
        "SEC_E_NO_CREDENTIALS: no credentials were delegated (the "
        "initiator sent empty credentials)",
        GSS_S_NO_CRED, 0 },
    [AT(CREDSSP_S_CONFIG)] = {
        "SEC_E_INTERNAL_ERROR: the CredSSP configuration file could "
        "not be read (see the debug trace for file and line)",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_TOO_LARGE)] = {
        "SEC_E_INVALID_TOKEN: a token or message exceeds the size "
        "limit",
        GSS_S_DEFECTIVE_TOKEN, 0 },
    [AT(CREDSSP_S_INNER_FAILED)] = {
        "SEC_E_LOGON_DENIED: the inner Kerberos/NTLM authentication "
        "failed",
        GSS_S_FAILURE, CS_STATUS_LOGON_FAILURE },
    [AT(CREDSSP_S_MESSAGE_ALTERED)] = {
        "SEC_E_MESSAGE_ALTERED: a TLS record failed its integrity "
        "check (altered, or out of order); the context is no longer "
        "usable",
        GSS_S_BAD_SIG, 0 },
    [AT(CREDSSP_S_REPLAYED)] = {
        /* RFC 2743 2.3.2: GSS_S_DUPLICATE_TOKEN alone says the record
         * verified and its message is returned; a replayed TLS record
         * does not verify (its sequence number is past) and nothing is
         * returned, so the routine error tells every caller the message
         * failed, and the supplementary bit (with our minor) says it was
         * a replay, dropped, the context intact. */
        "SEC_E_MESSAGE_ALTERED: a TLS record was received twice "
        "(replay); it was dropped, no message was returned, and the "
        "context is intact",
        GSS_S_BAD_SIG | GSS_S_DUPLICATE_TOKEN, 0 },
    [AT(CREDSSP_S_BAD_QOP)] = {
        "SEC_E_QOP_NOT_SUPPORTED: only the default QOP exists",
        GSS_S_BAD_QOP, 0 },
    [AT(CREDSSP_S_NO_MIC)] = {
        "SEC_E_UNSUPPORTED_FUNCTION: CredSSP has no MIC tokens (TLS "
        "records carry integrity); use gss_wrap",
        GSS_S_UNAVAILABLE, 0 },
    [AT(CREDSSP_S_BAD_BINDINGS)] = {
        "SEC_E_BAD_BINDINGS: the channel bindings of the two sides "
        "do not match",
        GSS_S_BAD_BINDINGS, 0 },
    [AT(CREDSSP_S_UNTRUSTED_CERT)] = {
        "SEC_E_UNTRUSTED_ROOT: the server certificate could not be "
        "validated (verify_certificate is on; see ca_file)",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_WRONG_PRINCIPAL)] = {
        "SEC_E_WRONG_PRINCIPAL: the server certificate does not "
        "name the target host (verify_certificate is on)",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_TOKEN_TOO_LARGE)] = {
        "SEC_E_INVALID_TOKEN: the token is larger than "
        "max_token_size allows",
        GSS_S_DEFECTIVE_TOKEN, 0 },
    [AT(CREDSSP_S_TOO_MANY_LEGS)] = {
        "SEC_E_INVALID_TOKEN: the exchange took more legs than "
        "max_legs allows",
        GSS_S_DEFECTIVE_TOKEN, 0 },
    [AT(CREDSSP_S_STORE_FAILED)] = {
        "SEC_E_NO_CREDENTIALS: no Kerberos ticket could be obtained "
        "with the delegated password",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_BAD_AUTHINFO)] = {
        "SEC_E_MESSAGE_ALTERED: authInfo does not unseal with this "
        "session's inner keys (altered, or replayed from another "
        "session); no credentials were accepted",
        GSS_S_BAD_SIG, CS_STATUS_LOGON_FAILURE },
    [AT(CREDSSP_S_BAD_NTLM_CHALLENGE)] = {
        "SEC_E_INVALID_TOKEN: the server's NTLM CHALLENGE names a "
        "target type but has an empty TargetName; refused before "
        "gss-ntlmssp sees it (version 1.2.0 crashes on it)",
        GSS_S_DEFECTIVE_TOKEN, CS_STATUS_INVALID_PARAMETER },
    [AT(CREDSSP_S_DELEG_OTHER_USER)] = {
        /* Not a wrong password: the server does not take these
         * credentials from this user (gsscredssp(8), DELEGATION). */
        "SEC_E_LOGON_DENIED: the delegated credentials name another "
        "user than the one the inner authentication authenticated; "
        "they were refused and nothing was kept (see "
        "allow_other_user_delegation)",
        GSS_S_FAILURE, CS_STATUS_ACCESS_DENIED },
    [AT(CREDSSP_S_CCACHE_IN_USE)] = {
        "SEC_E_WRONG_PRINCIPAL: the credential cache already holds "
        "credentials: another principal's (never replaced), or the "
        "same principal's and overwrite_cred was not set",
        GSS_S_DUPLICATE_ELEMENT, 0 },
    [AT(CREDSSP_S_NTLM_MIC_NO_VERSION)] = {
        "SEC_E_UNSUPPORTED_FUNCTION: the NTLM client left the "
        "Version out of its NEGOTIATE and yet sent a MIC over it: "
        "gss-ntlmssp needs the NEGOTIATE padded with a Version, "
        "which that MIC does not cover (see gsscredssp(8), NTLM)",
        GSS_S_UNAVAILABLE, CS_STATUS_NOT_SUPPORTED },
    [AT(CREDSSP_S_INNER_BAD_TOKEN)] = {
        "SEC_E_INVALID_TOKEN: the inner Kerberos/NTLM/SPNEGO token "
        "could not be decoded",
        GSS_S_DEFECTIVE_TOKEN, CS_STATUS_INVALID_PARAMETER },
    [AT(CREDSSP_S_NO_COMMON_MECH)] = {
        /* Not STATUS_LOGON_FAILURE, which the client's user would take
         * for a wrong password: the NTSTATUS of an authentication package
         * that is not there, SSPI's SEC_E_SECPKG_NOT_FOUND. */
        "SEC_E_SECPKG_NOT_FOUND: no common authentication "
        "mechanism: the peer offered, or chose, none of Kerberos and "
        "NTLM that this side can use",
        GSS_S_BAD_MECH, CS_STATUS_NO_SUCH_PACKAGE },
    [AT(CREDSSP_S_PEER_NO_COMMON_MECH)] = {
        "SEC_E_SECPKG_NOT_FOUND: the peer reported "
        "STATUS_NO_SUCH_PACKAGE (0xC00000FE): no common "
        "authentication mechanism (it can use none that we offered)",
        GSS_S_BAD_MECH, 0 },
    [AT(CREDSSP_S_PEER_DENIED)] = {
        "SEC_E_LOGON_DENIED: the server refused the logon (TLS "
        "alert access_denied after the authentication)",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_INNER_BAD_MIC)] = {
        "SEC_E_MESSAGE_ALTERED: the inner SPNEGO negotiation's "
        "mechListMIC does not verify: the list of mechanisms was "
        "altered on the way (a downgrade?); nothing was accepted",
        GSS_S_BAD_MIC, CS_STATUS_INVALID_PARAMETER },
    [AT(CREDSSP_S_CRED_IN_USE)] = {
        /* Not GSS_S_UNAVAILABLE: gss_set_cred_option's mechglue drops the
         * minor status of a mech that answers that. */
        "SEC_E_UNSUPPORTED_FUNCTION: the credential is in use (a "
        "security context used it, gss_inquire_cred asked for a "
        "default credential's name, or a GS2 credential without a "
        "password was acquired), so its settings can no longer "
        "change; set them before its first use, or acquire another "
        "credential",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_IOV_LAYOUT)] = {
        /* The record verified: the caller's HEADER/DATA/TRAILER split
         * was not the record's, so its plaintext did not fit DATA. */
        "SEC_E_INVALID_TOKEN: the HEADER and TRAILER lengths are not "
        "the record's (gss_wrap_iov_length gives them): the record "
        "verified, but its message does not fit DATA and was dropped; "
        "the context stays usable",
        GSS_S_DEFECTIVE_TOKEN, 0 },
    [AT(CREDSSP_S_CHANNEL_ENDED)] = {
        /* Every message call after the one that failed: that one said
         * why (an altered record, the peer's alert). */
        "SEC_E_CONTEXT_EXPIRED: an earlier call ended this context's "
        "TLS channel (an altered record, or the peer's alert): nothing "
        "more can be sent or received; delete the context",
        GSS_S_CONTEXT_EXPIRED, 0 },
    [AT(CREDSSP_S_WRAP_TOO_LARGE)] = {
        /* The caller's message, not a peer's token (that is
         * CREDSSP_S_TLS_TOO_LARGE, for a TSRequest). */
        "SEC_E_INVALID_PARAMETER: the message is larger than one TLS "
        "record (16384 bytes), and each gss_wrap or gss_wrap_iov call "
        "seals exactly one record: split it into pieces no larger than "
        "gss_wrap_size_limit gives; nothing was sealed, the context "
        "stays usable",
        GSS_S_FAILURE, 0 },
    [AT(CREDSSP_S_NO_ASSOC_DATA)] = {
        "SEC_E_UNSUPPORTED_FUNCTION: TLS records carry no associated "
        "data, so gss_wrap_aead and gss_unwrap_aead take none (nor do "
        "the IOV calls take a SIGN_ONLY buffer): pass the message "
        "alone; nothing was sealed or consumed, the context stays "
        "usable",
        GSS_S_UNAVAILABLE, 0 },
};

_Static_assert(sizeof(err_table) / sizeof(err_table[0]) ==
                   CREDSSP_S_MINOR_END - GSS_CREDSSP_MINOR_BASE,
               "one entry per minor code");

const struct cs_err_info *
cs_err_info(uint32_t code)
{
    /* Codes outside the enum are not ours. */
    if (code != CREDSSP_S_OK &&
        (code <= GSS_CREDSSP_MINOR_BASE || code >= CREDSSP_S_MINOR_END)) {
        return NULL;
    }
    return err_table[AT(code)].text != NULL ? &err_table[AT(code)] : NULL;
}

const char *
cs_err_text(uint32_t code)
{
    const struct cs_err_info *e = cs_err_info(code);

    return e != NULL ? e->text : NULL;
}
