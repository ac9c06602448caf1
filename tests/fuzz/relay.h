/* SPDX-License-Identifier: MIT */
/*
 * relay.h - drives one CredSSP engine context (src/engine.h, libcscore)
 * against a genuine peer context, with this process standing in the
 * middle as a real OpenSSL TLS endpoint towards each of them.  The engine
 * under test is called directly, not through the mechglue: a fuzzer
 * needs the plaintext TSRequests that TLS hides, and in-process control
 * of both ends.  The inner Kerberos/NTLM still goes through the real
 * mechglue, KDC and gss-ntlmssp (run under tests/fixture/with-kdc).
 *
 * The middle terminates TLS on both sides (towards the initiator it
 * serves the acceptor credential's own certificate, so pubKeyAuth still
 * binds), relays the first `genuine` plaintext messages of the peer, then
 * hands the engine under test the fuzz chunks instead, each one inside a
 * proper TLS record.  In raw mode the chunks go to the engine as whole
 * tokens, without TLS (the acceptor's first token, the initiator's
 * answers).
 */
#ifndef RELAY_H
#define RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

/* Input layout shared by fuzz_acceptor and fuzz_initiator:
 *   byte 0: flags (RELAY_F_*), byte 1: genuine messages to relay first,
 *   then chunks: 2-byte big-endian length, that many bytes (a length past
 *   the end takes the rest). */
#define RELAY_F_NTLM 0x01         /* inner NTLM, else Kerberos */
#define RELAY_F_RAW 0x02          /* chunks are raw tokens, no TLS */
#define RELAY_F_TLS12 0x04        /* TLS 1.2, else the highest */

/* What relay_run reports through the observer (for the seed capture). */
enum relay_event {
    RELAY_MSG_FROM_INITIATOR,     /* a plaintext TSRequest */
    RELAY_MSG_FROM_ACCEPTOR,
    RELAY_TOKEN_TO_ACCEPTOR,      /* a wire token */
    RELAY_TOKEN_TO_INITIATOR,
    RELAY_DELEGATED               /* DER of the TSCredentials received */
};
typedef void relay_observer(void *arg, enum relay_event ev,
                            const uint8_t *data, size_t len);

/* relay_init: the credentials, once (exits the process on failure, with
 * the reason: the fuzzers cannot do anything without them). */
void relay_init(void);

/* relay_run: one exchange with the engine in role `test` as described
 * above.  Returns 1 when the engine under test completed, else 0.  With
 * genuine >= 255 and no chunks, a plain handshake (capture). */
int relay_run(enum cs_role test, const uint8_t *data, size_t size,
              relay_observer *obs, void *arg);

/* RELAY_FUZZ_TARGET: the libFuzzer entry points of fuzz_acceptor and
 * fuzz_initiator, which differ only in the role under test: relay_init
 * once, then one relay_run per input. */
#define RELAY_FUZZ_TARGET(role)                                          \
    int LLVMFuzzerInitialize(int *argc, char ***argv)                    \
    {                                                                    \
        (void)argc;                                                      \
        (void)argv;                                                      \
        relay_init();                                                    \
        return 0;                                                        \
    }                                                                    \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)         \
    {                                                                    \
        relay_run((role), data, size, NULL, NULL);                       \
        return 0;                                                        \
    }

#endif /* RELAY_H */
