/* SPDX-License-Identifier: MIT */
/*
 * fuzz_acceptor.c - libFuzzer target: the CredSSP acceptor fed arbitrary
 * first and later tokens.
 *
 * Calls the engine directly (src/engine.h, libcscore: cs_ctx_step ->
 * cs_drive), not gss_accept_sec_context through the mechglue: see
 * relay.h for why and how.  Targets: src/engine.c (cs_ctx_step,
 * feed_records, cs_recv_request, check_version, check_nonce,
 * cs_send_error), src/driver.c, src/acceptor.c (every state: after_tls,
 * do_nego, do_pubkey, do_authinfo, verify_client, keep_delegated),
 * src/tls.c (cs_tls_check_records, cs_tls_feed, cs_tls_read_message),
 * src/tsrequest.c (cs_tsrequest_decode, cs_tscredentials_decode),
 * src/pubkeyauth.c, src/inner.c (cs_inner_accept, cs_inner_unwrap: real
 * SPNEGO/Kerberos/NTLM behind them).
 *
 * Input (relay.h): flags, the number of genuine initiator messages to
 * relay first, then chunks.  Without RELAY_F_RAW each chunk is one
 * plaintext TSRequest that a real TLS client (this process) encrypts into
 * a record for the acceptor, so the fuzz bytes reach the TSRequest parser
 * and the state machine behind TLS; with RELAY_F_RAW each chunk is a whole
 * token for the acceptor (the TLS record layer and OpenSSL's handshake
 * parser).  Run under tests/fixture/with-kdc.
 */
#include "fuzz.h"
#include "relay.h"

RELAY_FUZZ_TARGET(CS_ACCEPTOR)
