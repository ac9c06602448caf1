/* SPDX-License-Identifier: MIT */
/*
 * fuzz_initiator.c - libFuzzer target: the CredSSP initiator fed arbitrary
 * server tokens after a genuine handshake prefix.
 *
 * Calls the engine directly (src/engine.h, libcscore: cs_ctx_step ->
 * cs_drive), not gss_init_sec_context through the mechglue: see
 * relay.h for why and how.  Targets: src/engine.c (cs_ctx_step,
 * feed_records, cs_recv_request, check_version, check_nonce,
 * cs_peer_error), src/driver.c, src/initiator.c (after_tls, do_nego,
 * verify_server, do_finish, add_pubkey), src/tls.c, src/tsrequest.c
 * (cs_tsrequest_decode), src/pubkeyauth.c, src/inner.c (cs_inner_init,
 * cs_inner_unwrap: real SPNEGO/Kerberos/NTLM behind them).
 *
 * Input (relay.h): flags, the number of genuine acceptor messages to relay
 * first (a real handshake prefix with a real acceptor context), then
 * chunks that replace the acceptor's next messages, each encrypted into a
 * TLS record by this process acting as the server with the acceptor's own
 * certificate; with RELAY_F_RAW the chunks are whole server tokens.  Run
 * under tests/fixture/with-kdc.
 */
#include "fuzz.h"
#include "relay.h"

RELAY_FUZZ_TARGET(CS_INITIATOR)
