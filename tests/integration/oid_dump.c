/* SPDX-License-Identifier: MIT */
/*
 * oid_dump.c - prints every OID the public header defines, one a line:
 * "<name> <dotted-or-> <hex DER body>", for oid.sh to compare with what
 * OpenSSL encodes from the dotted form.  The dotted column is the header's
 * GSS_CREDSSP_MECH_OID_DOTTED for the mechanism and "-" for the others
 * (oid.sh derives their dotted form from the mechanism's).
 */
#include <stdio.h>
#include <stdlib.h>

#include "gssapi/gssapi_credssp.h"

/*
 * dump: one line for one OID; the OID's bytes as lower-case hex.
 */
static void
dump(const char *name, const char *dotted, gss_const_OID oid)
{
    const unsigned char *p = oid->elements;
    OM_uint32 i;

    printf("%s %s ", name, dotted);
    for (i = 0; i < oid->length; i++) {
        printf("%02x", p[i]);
    }
    printf("\n");
}

/*
 * main: the mechanism, then each extension OID with its arc suffix
 * (".2.1" for base.2.1) in the dotted column.
 */
int
main(void)
{
    dump("mech", GSS_CREDSSP_MECH_OID_DOTTED, GSS_CREDSSP_MECH);
    dump("mech_gs2", ".6.1", GSS_CREDSSP_GS2_MECH);
    dump("inq_version", ".2.1", GSS_CREDSSP_INQ_VERSION);
    dump("inq_inner_mech", ".2.2", GSS_CREDSSP_INQ_INNER_MECH);
    dump("inq_tls_version", ".2.3", GSS_CREDSSP_INQ_TLS_VERSION);
    dump("inq_tls_cipher", ".2.4", GSS_CREDSSP_INQ_TLS_CIPHER);
    dump("inq_peer_cert", ".2.5", GSS_CREDSSP_INQ_PEER_CERT);
    dump("inq_stream_sizes", ".2.6", GSS_CREDSSP_INQ_STREAM_SIZES);
    dump("inq_missing", ".2.7", GSS_CREDSSP_INQ_MISSING);
    dump("inq_extra", ".2.8", GSS_CREDSSP_INQ_EXTRA);
    dump("opt_inner_mech", ".3.1", GSS_CREDSSP_OPT_INNER_MECH);
    dump("opt_min_version", ".3.2", GSS_CREDSSP_OPT_MIN_VERSION);
    dump("opt_ntlm_deleg", ".3.3",
         GSS_CREDSSP_OPT_ALLOW_NTLM_ONLY_DELEGATION);
    dump("opt_max_version", ".3.4", GSS_CREDSSP_OPT_MAX_VERSION);
    dump("opt_tls_max", ".3.5", GSS_CREDSSP_OPT_TLS_MAX_VERSION);
    dump("opt_frame_initial", ".3.6", GSS_CREDSSP_OPT_FRAME_INITIAL_TOKEN);
    dump("opt_encryption_oracle", ".3.7", GSS_CREDSSP_OPT_ENCRYPTION_ORACLE);
    dump("opt_verify_certificate", ".3.8", GSS_CREDSSP_OPT_VERIFY_CERTIFICATE);
    dump("opt_ca_file", ".3.9", GSS_CREDSSP_OPT_CA_FILE);
    dump("opt_tls_min_version", ".3.10", GSS_CREDSSP_OPT_TLS_MIN_VERSION);
    dump("opt_tls_cipher_list", ".3.11", GSS_CREDSSP_OPT_TLS_CIPHER_LIST);
    dump("opt_tls_ciphersuites", ".3.12", GSS_CREDSSP_OPT_TLS_CIPHERSUITES);
    dump("opt_max_token_size", ".3.13", GSS_CREDSSP_OPT_MAX_TOKEN_SIZE);
    dump("opt_max_legs", ".3.14", GSS_CREDSSP_OPT_MAX_LEGS);
    dump("opt_restricted_admin", ".3.15", GSS_CREDSSP_OPT_RESTRICTED_ADMIN);
    dump("opt_store_key", ".3.16", GSS_CREDSSP_OPT_STORE_KEY);
    dump("cred_password", ".4.1", GSS_CREDSSP_CRED_DELEGATED_PASSWORD);
    dump("cred_smartcard", ".4.2", GSS_CREDSSP_CRED_DELEGATED_SMARTCARD);
    dump("cred_remote_guard", ".4.3",
         GSS_CREDSSP_CRED_DELEGATED_REMOTE_GUARD);
    return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
