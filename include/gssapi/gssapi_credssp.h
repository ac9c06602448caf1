/* SPDX-License-Identifier: MIT */
/*
 * gssapi_credssp.h - public interface of the gss-credssp mechanism.
 *
 * gss-credssp is a GSSAPI mechanism for MIT Kerberos that speaks
 * Microsoft's CredSSP ([MS-CSSP]).  Applications reach it through the
 * ordinary GSSAPI calls by naming GSS_CREDSSP_MECH; this header only adds
 * the OIDs, cred-store key names and minor codes that go beyond RFC 2744.
 *
 * Acceptor applications: MIT's mechglue can only route a first token that
 * carries the RFC 2743 framing (0x60 ... OID ...) to a loadable mechanism,
 * and CredSSP initiators (Windows, FreeRDP, pyspnego and this module) send a
 * raw TLS ClientHello.  Pass the first token you receive through
 * gss_credssp_frame_token() before handing it to gss_accept_sec_context().
 * Later tokens are passed unchanged.
 *
 * SASL (RFC 5801 GS2, e.g. Cyrus SASL) and other applications that pass
 * tokens through unchanged use GSS_CREDSSP_GS2_MECH instead (below).
 */
#ifndef GSSAPI_CREDSSP_H
#define GSSAPI_CREDSSP_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * GSS_CREDSSP_MECH: the mechanism OID
 * 1.2.840.113556.1.8000.2554.12432.22378.1866.19045.36928.10346293.15062345.1
 * minted from GUID 3090576a-074a-4a65-9040-9ddf35e5d549 under the
 * registration-free GUID arc 1.2.840.113556.1.8000.2554.
 */
#define GSS_CREDSSP_OID_BASE_STRING \
    "\x2a\x86\x48\x86\xf7\x14\x01\xbe\x40\x93\x7a\xe1\x10\x81\xae\x6a" \
    "\x8e\x4a\x81\x94\x65\x82\xa0\x40\x84\xf7\xbe\x35\x87\x97\xaa\x49"
#define GSS_CREDSSP_OID_BASE_LENGTH (32)
#define GSS_CREDSSP_MECH_OID_STRING GSS_CREDSSP_OID_BASE_STRING "\x01"
#define GSS_CREDSSP_MECH_OID_LENGTH (GSS_CREDSSP_OID_BASE_LENGTH + 1)
#define GSS_CREDSSP_MECH_OID_DOTTED \
    "1.2.840.113556.1.8000.2554.12432.22378.1866.19045.36928.10346293." \
    "15062345.1"

/*
 * Extension OIDs hang under the same base:
 *   base.2.N  context inquiries (gss_inquire_sec_context_by_oid)
 *   base.3.N  credential options (gss_set_cred_option)
 *   base.4.N  credential inquiries (gss_inquire_cred_by_oid)
 *   base.5.N  process-wide operations (gssspi_mech_invoke)
 *   base.6.N  further mechanisms the same module registers
 * N is below 128, so each is the base plus two bytes.
 */
#define GSS_CREDSSP_EXT_OID_LENGTH (GSS_CREDSSP_OID_BASE_LENGTH + 2)

#define GSS_CREDSSP_OID_DESC_INIT(s, l) { (l), (void *)(s) }

/* Declares a file-local gss_OID_desc; unused ones cost nothing. */
#define GSS_CREDSSP_DECLARE_OID(var, s, l) \
    static const gss_OID_desc var __attribute__((unused)) = \
        GSS_CREDSSP_OID_DESC_INIT(s, l)

GSS_CREDSSP_DECLARE_OID(gss_mech_credssp_oid_desc,
                        GSS_CREDSSP_MECH_OID_STRING,
                        GSS_CREDSSP_MECH_OID_LENGTH);
#define GSS_CREDSSP_MECH ((gss_OID)&gss_mech_credssp_oid_desc)

/*
 * GSS_CREDSSP_GS2_MECH (base.6.1): the same CredSSP exchange for GSS
 * applications that hand tokens to the mechglue unchanged, above all SASL
 * through RFC 5801 GS2 (Cyrus SASL's gs2 plugin).  Its SASL name is the
 * one RFC 5801 derives from the OID: GSS_CREDSSP_GS2_SASL_NAME.  It
 * differs from GSS_CREDSSP_MECH in three points only:
 *  - the initiator's first token always carries the RFC 2743 header with
 *    this OID (it advertises GSS_C_MA_ITOK_FRAMED), so acceptors need no
 *    gss_credssp_frame_token();
 *  - the acceptor answers the initiator's credentials (authInfo) with one
 *    more token, a TSRequest carrying nothing but its version, inside TLS,
 *    and the initiator completes on it: the last token goes from acceptor
 *    to initiator, as SASL protocols without "additional data with
 *    success" need (a SASL client that is done cannot take the empty
 *    challenge its server would otherwise send);
 *  - an initiator credential acquired without a password fails at once
 *    (GSS_S_NO_CRED) when no Kerberos or NTLM credential can be had, as
 *    SASL clients ask the user for a password exactly then.
 * Windows, FreeRDP and pyspnego speak GSS_CREDSSP_MECH only; it is what
 * RDP and WinRM use, and its tokens stay byte-identical with theirs.
 */
#define GSS_CREDSSP_GS2_MECH_OID_STRING GSS_CREDSSP_OID_BASE_STRING "\x06\x01"
#define GSS_CREDSSP_GS2_MECH_OID_LENGTH GSS_CREDSSP_EXT_OID_LENGTH
#define GSS_CREDSSP_GS2_MECH_OID_DOTTED \
    "1.2.840.113556.1.8000.2554.12432.22378.1866.19045.36928.10346293." \
    "15062345.6.1"
#define GSS_CREDSSP_GS2_SASL_NAME "GS2-JNX24R37B3G"
GSS_CREDSSP_DECLARE_OID(gss_mech_credssp_gs2_oid_desc,
                        GSS_CREDSSP_GS2_MECH_OID_STRING,
                        GSS_CREDSSP_GS2_MECH_OID_LENGTH);
#define GSS_CREDSSP_GS2_MECH ((gss_OID)&gss_mech_credssp_gs2_oid_desc)

/*
 * Context inquiries (base.2.N).  Each returns one buffer:
 *  VERSION      the negotiated CredSSP version as a decimal string
 *  INNER_MECH   the DER body of the inner mechanism OID (krb5 or NTLMSSP)
 *  TLS_VERSION  "TLSv1.2" or "TLSv1.3"
 *  TLS_CIPHER   the OpenSSL cipher name
 *  PEER_CERT    the server certificate, DER (initiator only)
 *  STREAM_SIZES SSPI's SecPkgContext_StreamSizes: five unsigned 32-bit
 *               little-endian numbers: header, trailer, maximum message,
 *               buffers (4), block size (1 for AEAD ciphers)
 *  MISSING      after CREDSSP_S_INCOMPLETE_MESSAGE: bytes still missing,
 *               a decimal string
 *  EXTRA        after the call that completed the context: how many bytes
 *               at the end of its input were not consumed (the peer's
 *               first protected records, on a stream; SSPI's
 *               SECBUFFER_EXTRA); pass them to gss_unwrap.  Decimal.
 */
GSS_CREDSSP_DECLARE_OID(gss_credssp_inq_version_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x02\x01",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_inq_inner_mech_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x02\x02",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_inq_tls_version_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x02\x03",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_inq_tls_cipher_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x02\x04",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_inq_peer_cert_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x02\x05",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_inq_stream_sizes_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x02\x06",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_inq_extra_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x02\x08",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_inq_missing_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x02\x07",
                        GSS_CREDSSP_EXT_OID_LENGTH);
#define GSS_CREDSSP_INQ_VERSION ((gss_OID)&gss_credssp_inq_version_desc)
#define GSS_CREDSSP_INQ_INNER_MECH ((gss_OID)&gss_credssp_inq_inner_mech_desc)
#define GSS_CREDSSP_INQ_TLS_VERSION \
    ((gss_OID)&gss_credssp_inq_tls_version_desc)
#define GSS_CREDSSP_INQ_TLS_CIPHER ((gss_OID)&gss_credssp_inq_tls_cipher_desc)
#define GSS_CREDSSP_INQ_PEER_CERT ((gss_OID)&gss_credssp_inq_peer_cert_desc)
#define GSS_CREDSSP_INQ_MISSING ((gss_OID)&gss_credssp_inq_missing_desc)
#define GSS_CREDSSP_INQ_EXTRA ((gss_OID)&gss_credssp_inq_extra_desc)
#define GSS_CREDSSP_INQ_STREAM_SIZES \
    ((gss_OID)&gss_credssp_inq_stream_sizes_desc)

/*
 * Credential options (base.3.N), for gss_set_cred_option() on a credential
 * that holds a CredSSP element (never GSS_C_NO_CREDENTIAL: the mechglue
 * sends those to krb5).  The value is the same text the cred-store key of
 * the same meaning takes.  Set them before the credential's first use:
 * once a context (or gss_inquire_cred of a default credential, or the
 * acquisition of a GSS_CREDSSP_GS2_MECH initiator credential without a
 * password) has used it, every change is GSS_S_FAILURE with
 * CREDSSP_S_CRED_IN_USE.
 */
GSS_CREDSSP_DECLARE_OID(gss_credssp_opt_inner_mech_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x03\x01",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_opt_min_version_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x03\x02",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_opt_ntlm_deleg_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x03\x03",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_opt_max_version_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x03\x04",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_opt_tls_max_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x03\x05",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_opt_frame_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x03\x06",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_opt_oracle_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x03\x07",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_opt_verify_cert_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x03\x08",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_opt_ca_file_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x03\x09",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_opt_tls_min_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x03\x0a",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_opt_tls_cipher_list_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x03\x0b",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_opt_tls_ciphersuites_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x03\x0c",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_opt_max_token_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x03\x0d",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_opt_max_legs_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x03\x0e",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_opt_restricted_admin_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x03\x0f",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_opt_store_key_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x03\x10",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_opt_other_user_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x03\x11",
                        GSS_CREDSSP_EXT_OID_LENGTH);
#define GSS_CREDSSP_OPT_INNER_MECH ((gss_OID)&gss_credssp_opt_inner_mech_desc)
/* ENCRYPTION_ORACLE: "force-updated", "mitigated" (default) or
 * "vulnerable", as Windows' Encryption Oracle Remediation policy. */
#define GSS_CREDSSP_OPT_ENCRYPTION_ORACLE \
    ((gss_OID)&gss_credssp_opt_oracle_desc)
/* FRAME_INITIAL_TOKEN: comma-separated SPN patterns (shell wildcards, as
 * for the delegation policy) of targets for which the GSS_CREDSSP_MECH
 * initiator's first token carries the RFC 2743 header, so that a GSS
 * acceptor that does not frame it routes it through the mechglue.
 * Default: none (CredSSP peers expect a bare TLS record).  SASL GS2
 * cannot use it (its client marks such a mechanism's tokens
 * non-standard, and its server then passes them on bare): use
 * GSS_CREDSSP_GS2_MECH there. */
#define GSS_CREDSSP_OPT_FRAME_INITIAL_TOKEN \
    ((gss_OID)&gss_credssp_opt_frame_desc)
#define GSS_CREDSSP_OPT_MIN_VERSION \
    ((gss_OID)&gss_credssp_opt_min_version_desc)
#define GSS_CREDSSP_OPT_ALLOW_NTLM_ONLY_DELEGATION \
    ((gss_OID)&gss_credssp_opt_ntlm_deleg_desc)
#define GSS_CREDSSP_OPT_MAX_VERSION \
    ((gss_OID)&gss_credssp_opt_max_version_desc)
#define GSS_CREDSSP_OPT_TLS_MAX_VERSION ((gss_OID)&gss_credssp_opt_tls_max_desc)
/* RESTRICTED_ADMIN: yes|no (default no): the initiator sends empty
 * credentials even with GSS_C_DELEG_FLAG (Windows' restricted admin mode);
 * the acceptor completes without a delegated credential handle and
 * without GSS_C_DELEG_FLAG. */
#define GSS_CREDSSP_OPT_RESTRICTED_ADMIN \
    ((gss_OID)&gss_credssp_opt_restricted_admin_desc)
/* ALLOW_OTHER_USER_DELEGATION: no|yes (default no), acceptor: delegated
 * credentials that name another user than the one the inner Kerberos or
 * NTLM authentication authenticated are refused (GSS_S_FAILURE,
 * CREDSSP_S_DELEG_OTHER_USER) unless this is yes.  Either way a ticket
 * gss_store_cred_into gets is in the authenticated realm. */
#define GSS_CREDSSP_OPT_ALLOW_OTHER_USER_DELEGATION \
    ((gss_OID)&gss_credssp_opt_other_user_desc)
/* STORE_KEY: "credssp_KEY=VALUE": any of our cred-store keys below but
 * credssp_user and credssp_password, set on an existing handle. */
#define GSS_CREDSSP_OPT_STORE_KEY ((gss_OID)&gss_credssp_opt_store_key_desc)
/* VERIFY_CERTIFICATE: yes|no (default no): validate the server certificate against ca_file or the
 * system store and the target host name (SEC_E_WRONG_PRINCIPAL,
 * SEC_E_UNTRUSTED_ROOT); a verified certificate counts as mutual
 * authentication for the delegation policy. */
#define GSS_CREDSSP_OPT_VERIFY_CERTIFICATE \
    ((gss_OID)&gss_credssp_opt_verify_cert_desc)
/* CA_FILE: a PEM file of trust anchors for VERIFY_CERTIFICATE
 * (default: the system store). */
#define GSS_CREDSSP_OPT_CA_FILE \
    ((gss_OID)&gss_credssp_opt_ca_file_desc)
/* TLS_MIN_VERSION: "1.2" (default) or "1.3". */
#define GSS_CREDSSP_OPT_TLS_MIN_VERSION \
    ((gss_OID)&gss_credssp_opt_tls_min_desc)
/* TLS_CIPHER_LIST: an OpenSSL cipher string for TLS 1.2. */
#define GSS_CREDSSP_OPT_TLS_CIPHER_LIST \
    ((gss_OID)&gss_credssp_opt_tls_cipher_list_desc)
/* TLS_CIPHERSUITES: an OpenSSL TLS 1.3 ciphersuites list. */
#define GSS_CREDSSP_OPT_TLS_CIPHERSUITES \
    ((gss_OID)&gss_credssp_opt_tls_ciphersuites_desc)
/* MAX_TOKEN_SIZE: the largest token accepted, in bytes (1024 to
 * 16777216; default 65536). */
#define GSS_CREDSSP_OPT_MAX_TOKEN_SIZE \
    ((gss_OID)&gss_credssp_opt_max_token_desc)
/* MAX_LEGS: the most calls of init/accept one context may take
 * (4 to 64; default 16). */
#define GSS_CREDSSP_OPT_MAX_LEGS \
    ((gss_OID)&gss_credssp_opt_max_legs_desc)

/*
 * Credential inquiries (base.4.N), for gss_inquire_cred_by_oid().
 *  DELEGATED_PASSWORD  on a delegated credential handle from
 *      gss_accept_sec_context: three buffers, UTF-8, in this order:
 *      domain, user, password, as the initiator sent them (they name the
 *      authenticated user unless ALLOW_OTHER_USER_DELEGATION).  The
 *      password buffer is secret: wipe it before gss_release_buffer_set().
 *      No buffers when the initiator sent empty credentials.
 */
GSS_CREDSSP_DECLARE_OID(gss_credssp_cred_password_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x04\x01",
                        GSS_CREDSSP_EXT_OID_LENGTH);
#define GSS_CREDSSP_CRED_DELEGATED_PASSWORD \
    ((gss_OID)&gss_credssp_cred_password_desc)

/*
 *  DELEGATED_SMARTCARD  TSSmartCardCreds: eight buffers, UTF-8: PIN
 *      (secret), keySpec (decimal), cardName, readerName, containerName,
 *      cspName, userHint, domainHint (empty when absent).
 *  DELEGATED_REMOTE_GUARD  TSRemoteGuardCreds: the logon package name and
 *      its credential buffer (opaque, secret), then a name and a buffer
 *      for each supplemental package.
 * Each answers GSS_S_NO_CRED (CREDSSP_S_NO_DELEGATED_CREDS) on a handle
 * that holds another kind.
 */
GSS_CREDSSP_DECLARE_OID(gss_credssp_cred_smartcard_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x04\x02",
                        GSS_CREDSSP_EXT_OID_LENGTH);
GSS_CREDSSP_DECLARE_OID(gss_credssp_cred_remote_guard_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x04\x03",
                        GSS_CREDSSP_EXT_OID_LENGTH);
#define GSS_CREDSSP_CRED_DELEGATED_SMARTCARD \
    ((gss_OID)&gss_credssp_cred_smartcard_desc)
#define GSS_CREDSSP_CRED_DELEGATED_REMOTE_GUARD \
    ((gss_OID)&gss_credssp_cred_remote_guard_desc)

/*
 * Process-wide operations (base.5.N), for MIT's gssspi_mech_invoke()
 * (<gssapi/gssapi_ext.h>) with desired_mech GSS_CREDSSP_MECH.
 *  INVOKE_TRACE  value: a file name (no terminating NUL needed) turns
 *      the GSSCREDSSP_DEBUG trace on, appending to that file (a file open
 *      before gets "trace off" and is closed); an empty buffer or
 *      GSS_C_NO_BUFFER turns it off.  A new file is made 0600; a
 *      symbolic link or a file the effective user does not own is
 *      refused.  A file that cannot be opened or is refused is
 *      GSS_S_FAILURE with CREDSSP_S_BAD_OPTION_VALUE (the text says why)
 *      and changes nothing.
 */
GSS_CREDSSP_DECLARE_OID(gss_credssp_invoke_trace_desc,
                        GSS_CREDSSP_OID_BASE_STRING "\x05\x01",
                        GSS_CREDSSP_EXT_OID_LENGTH);
#define GSS_CREDSSP_INVOKE_TRACE ((gss_OID)&gss_credssp_invoke_trace_desc)

/*
 * Cred-store keys for gss_acquire_cred_from().  The same store reaches
 * every mechanism, so krb5's and gss-ntlmssp's keys may stand beside these.
 * Each setting's key is "credssp_" and its credssp.conf(5) name.
 */
#define GSS_CREDSSP_STORE_CERTIFICATE "credssp_certificate"   /* PEM file */
#define GSS_CREDSSP_STORE_PRIVATE_KEY "credssp_private_key"   /* PEM file */
#define GSS_CREDSSP_STORE_INNER_MECH \
    "credssp_inner_mech"                   /* auto|spnego|kerberos|ntlm */
#define GSS_CREDSSP_STORE_MIN_VERSION "credssp_min_version"     /* 2..6 */
#define GSS_CREDSSP_STORE_MAX_VERSION "credssp_max_version"     /* 2..6 */
#define GSS_CREDSSP_STORE_TLS_MAX_VERSION "credssp_tls_max_version"
#define GSS_CREDSSP_STORE_ALLOW_DELEGATION \
    "credssp_allow_delegation"            /* comma-separated SPN patterns */
#define GSS_CREDSSP_STORE_ALLOW_DELEGATION_NTLM_ONLY \
    "credssp_allow_delegation_ntlm_only"  /* comma-separated SPN patterns */
/* Deprecated: the keys above under the names they first shipped with
 * (credssp_cert, credssp_key, credssp_mech,
 * credssp_allow_ntlm_only_delegation).  The module still accepts those
 * keys; these macros now give the new names. */
#define GSS_CREDSSP_STORE_CERT GSS_CREDSSP_STORE_CERTIFICATE
#define GSS_CREDSSP_STORE_KEY GSS_CREDSSP_STORE_PRIVATE_KEY
#define GSS_CREDSSP_STORE_MECH GSS_CREDSSP_STORE_INNER_MECH
#define GSS_CREDSSP_STORE_ALLOW_NTLM_ONLY_DELEGATION \
    GSS_CREDSSP_STORE_ALLOW_DELEGATION_NTLM_ONLY
#define GSS_CREDSSP_STORE_FRAME_INITIAL_TOKEN "credssp_frame_initial_token"
#define GSS_CREDSSP_STORE_ENCRYPTION_ORACLE "credssp_encryption_oracle"
#define GSS_CREDSSP_STORE_VERIFY_CERTIFICATE "credssp_verify_certificate"
#define GSS_CREDSSP_STORE_CA_FILE "credssp_ca_file"
#define GSS_CREDSSP_STORE_TLS_MIN_VERSION "credssp_tls_min_version"
#define GSS_CREDSSP_STORE_TLS_CIPHER_LIST "credssp_tls_cipher_list"
#define GSS_CREDSSP_STORE_TLS_CIPHERSUITES "credssp_tls_ciphersuites"
#define GSS_CREDSSP_STORE_TLS_KEEP_BUFFERS \
    "credssp_tls_keep_buffers"                         /* no|yes */
#define GSS_CREDSSP_STORE_MAX_TOKEN_SIZE "credssp_max_token_size"
#define GSS_CREDSSP_STORE_MAX_LEGS "credssp_max_legs"
#define GSS_CREDSSP_STORE_RESTRICTED_ADMIN "credssp_restricted_admin"
#define GSS_CREDSSP_STORE_ALLOW_OTHER_USER_DELEGATION \
    "credssp_allow_other_user_delegation"              /* no|yes */
/* Smart card credentials an initiator sends instead of its password
 * (TSSmartCardCreds; the inner authentication still needs Kerberos or
 * NTLM credentials): the PIN (secret), keySpec (decimal), the CSP data
 * fields and the hints. */
#define GSS_CREDSSP_STORE_SMARTCARD_PIN "credssp_smartcard_pin"
#define GSS_CREDSSP_STORE_SMARTCARD_KEY_SPEC "credssp_smartcard_key_spec"
#define GSS_CREDSSP_STORE_SMARTCARD_CARD "credssp_smartcard_card"
#define GSS_CREDSSP_STORE_SMARTCARD_READER "credssp_smartcard_reader"
#define GSS_CREDSSP_STORE_SMARTCARD_CONTAINER "credssp_smartcard_container"
#define GSS_CREDSSP_STORE_SMARTCARD_CSP "credssp_smartcard_csp"
#define GSS_CREDSSP_STORE_SMARTCARD_USER_HINT "credssp_smartcard_user_hint"
#define GSS_CREDSSP_STORE_SMARTCARD_DOMAIN_HINT \
    "credssp_smartcard_domain_hint"
/* Remote Credential Guard credentials (TSRemoteGuardCreds): the logon
 * package's name and its credential buffer as hex digits (secret). */
#define GSS_CREDSSP_STORE_REMOTE_GUARD_PACKAGE "credssp_remote_guard_package"
#define GSS_CREDSSP_STORE_REMOTE_GUARD_BUFFER "credssp_remote_guard_buffer"
#define GSS_CREDSSP_STORE_PASSWORD "credssp_password"
#define GSS_CREDSSP_STORE_USER "credssp_user"

/*
 * Minor status codes of this mechanism.  gss_display_status() turns each
 * into a text that starts with the SSPI status it stands for.
 */
#define GSS_CREDSSP_MINOR_BASE 0x43530000u /* 'C' 'S' */
enum gss_credssp_minor {
    CREDSSP_S_OK = 0,
    CREDSSP_S_INCOMPLETE_MESSAGE = GSS_CREDSSP_MINOR_BASE + 1,
    CREDSSP_S_NOMEM,
    CREDSSP_S_INTERNAL,
    CREDSSP_S_BAD_ARGS,
    CREDSSP_S_BAD_HANDLE,
    CREDSSP_S_WRONG_USAGE,
    CREDSSP_S_UNSUPPORTED_FLAG,
    CREDSSP_S_UNSUPPORTED_OPTION,
    CREDSSP_S_BAD_OPTION_VALUE,
    CREDSSP_S_BAD_NAME,
    CREDSSP_S_NO_INNER_CRED,
    CREDSSP_S_NO_CERT,
    CREDSSP_S_TLS_FAILED,
    CREDSSP_S_TLS_ALERT,
    CREDSSP_S_TLS_CLOSED,
    CREDSSP_S_TLS_TOO_LARGE,
    CREDSSP_S_BAD_DER,
    CREDSSP_S_BAD_FRAMING,
    CREDSSP_S_UNEXPECTED_MESSAGE,
    CREDSSP_S_SPLIT_RECORD,
    CREDSSP_S_VERSION_CHANGED,
    CREDSSP_S_VERSION_TOO_LOW,
    CREDSSP_S_BAD_VERSION,
    CREDSSP_S_BAD_NONCE,
    CREDSSP_S_NONCE_CHANGED,
    CREDSSP_S_PUBKEYAUTH_MISMATCH,
    CREDSSP_S_MUTUAL_REQUIRED,
    CREDSSP_S_POLICY_NTLM_ONLY,
    CREDSSP_S_DELEGATION_POLICY,
    CREDSSP_S_BAD_UTF16,
    CREDSSP_S_BAD_CRED_TYPE,
    CREDSSP_S_LOGON_FAILED,
    CREDSSP_S_PEER_ERROR,
    CREDSSP_S_PEER_LOGON_FAILURE,
    CREDSSP_S_PEER_WRONG_PASSWORD,
    CREDSSP_S_PEER_PASSWORD_EXPIRED,
    CREDSSP_S_PEER_PASSWORD_MUST_CHANGE,
    CREDSSP_S_PEER_ACCOUNT_DISABLED,
    CREDSSP_S_PEER_ACCOUNT_LOCKED,
    CREDSSP_S_PEER_ACCESS_DENIED,
    CREDSSP_S_PEER_NOT_SUPPORTED,
    CREDSSP_S_PEER_CLOSED,
    CREDSSP_S_NOT_ESTABLISHED,
    CREDSSP_S_NO_DELEGATED_CREDS,
    CREDSSP_S_CONFIG,
    CREDSSP_S_TOO_LARGE,
    CREDSSP_S_INNER_FAILED,
    CREDSSP_S_MESSAGE_ALTERED,
    CREDSSP_S_REPLAYED,
    CREDSSP_S_BAD_QOP,
    CREDSSP_S_NO_MIC,
    CREDSSP_S_BAD_BINDINGS,
    CREDSSP_S_UNTRUSTED_CERT,
    CREDSSP_S_WRONG_PRINCIPAL,
    CREDSSP_S_TOKEN_TOO_LARGE,
    CREDSSP_S_TOO_MANY_LEGS,
    CREDSSP_S_STORE_FAILED,
    CREDSSP_S_BAD_AUTHINFO,
    CREDSSP_S_BAD_NTLM_CHALLENGE,
    CREDSSP_S_DELEG_OTHER_USER,
    CREDSSP_S_CCACHE_IN_USE,
    CREDSSP_S_NTLM_MIC_NO_VERSION,
    CREDSSP_S_INNER_BAD_TOKEN,
    CREDSSP_S_NO_COMMON_MECH,
    CREDSSP_S_PEER_NO_COMMON_MECH,
    CREDSSP_S_PEER_DENIED,
    CREDSSP_S_INNER_BAD_MIC,
    CREDSSP_S_CRED_IN_USE,
    CREDSSP_S_IOV_LAYOUT,
    CREDSSP_S_CHANNEL_ENDED,
    CREDSSP_S_WRAP_TOO_LARGE,
    CREDSSP_S_NO_ASSOC_DATA,
    CREDSSP_S_MINOR_END
};

/*
 * gss_credssp_frame_token_mech: wraps a token in the RFC 2743 header
 * naming mech (GSS_CREDSSP_MECH or GSS_CREDSSP_GS2_MECH).  Free *framed
 * with gss_release_buffer().
 *
 * (gss_encapsulate_token does the same, but MIT krb5 1.20 sizes its output
 * one byte too long when the framed length is 126 or 127, and its own
 * gss_decapsulate_token then refuses the result; this helper writes exact
 * DER.)
 */
static inline OM_uint32
gss_credssp_frame_token_mech(OM_uint32 *minor_status, gss_const_OID mech,
                             const gss_buffer_t token, gss_buffer_t framed)
{
    size_t inner, hdr, i, n;
    unsigned char *p;

    *minor_status = 0;
    framed->length = 0;
    framed->value = NULL;
    if (token == GSS_C_NO_BUFFER || token->length > 0x7fffffff ||
        mech == GSS_C_NO_OID || mech->length > 127) {
        return GSS_S_CALL_BAD_STRUCTURE;
    }
    inner = 2 + mech->length + token->length;
    n = inner < 0x80 ? 0 : inner < 0x100 ? 1 : inner < 0x10000 ? 2
        : inner < 0x1000000 ? 3 : 4;
    hdr = 2 + n;
    p = (unsigned char *)malloc(hdr + inner);
    if (p == NULL) {
        *minor_status = ENOMEM;
        return GSS_S_FAILURE;
    }
    p[0] = 0x60;
    p[1] = (unsigned char)(n == 0 ? inner : 0x80 | n);
    for (i = 0; i < n; i++) {
        p[2 + i] = (unsigned char)(inner >> (8 * (n - 1 - i)));
    }
    p[hdr] = 0x06;
    p[hdr + 1] = (unsigned char)mech->length;
    memcpy(p + hdr + 2, mech->elements, mech->length);
    if (token->length > 0) {
        memcpy(p + hdr + 2 + mech->length, token->value, token->length);
    }
    framed->value = p;
    framed->length = hdr + inner;
    return GSS_S_COMPLETE;
}

/*
 * gss_credssp_frame_token: wraps the first token an acceptor received in
 * the RFC 2743 header naming GSS_CREDSSP_MECH, so that MIT's mechglue
 * routes it to this mechanism.  Free *framed with gss_release_buffer().
 * A token that already carries the header must not be passed.
 */
static inline OM_uint32
gss_credssp_frame_token(OM_uint32 *minor_status, const gss_buffer_t token,
                        gss_buffer_t framed)
{
    return gss_credssp_frame_token_mech(minor_status, GSS_CREDSSP_MECH,
                                        token, framed);
}

#ifdef __cplusplus
}
#endif

#endif /* GSSAPI_CREDSSP_H */
