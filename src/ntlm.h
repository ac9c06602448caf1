/* SPDX-License-Identifier: MIT */
/*
 * ntlm.h - the little the acceptor must know of NTLM messages ([MS-NLMP]
 * 2.2.1) before gss-ntlmssp sees them, raw or inside a SPNEGO token.
 */
#ifndef CS_NTLM_H
#define CS_NTLM_H

#include "cs.h"

/*
 * cs_ntlm_pad_negotiate: whether in, an acceptor's first inner token, is
 * an NTLM NEGOTIATE that leaves out the Version field (NEGOTIATE_VERSION
 * clear, 32 to 39 bytes: Impacket's), raw or as the mechToken of a SPNEGO
 * NegTokenInit in DER.  If so, *out (empty on entry) gets the same token
 * with the NEGOTIATE padded to 40 bytes with zeros, and *padded is set:
 * gss-ntlmssp 1.2.0 refuses a NEGOTIATE shorter than that, although it
 * reads one without a Version correctly once it has the bytes.  Otherwise
 * *out stays empty.
 */
cs_err cs_ntlm_pad_negotiate(const cs_blob *in, cs_blob *out,
                             bool *padded) CS_WUR;

/*
 * cs_ntlm_auth_has_mic: whether in carries (raw or inside SPNEGO) an NTLM
 * AUTHENTICATE whose NTLMv2 response says that a MIC protects the three
 * messages (MsvAvFlags bit 0x2, [MS-NLMP] 2.2.2.1).
 */
bool cs_ntlm_auth_has_mic(const cs_blob *in);

#endif /* CS_NTLM_H */
