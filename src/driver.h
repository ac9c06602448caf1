/* SPDX-License-Identifier: MIT */
/*
 * driver.h - the one handshake driver of both roles ([MS-CSSP] 3.1.5).
 *
 * Each role has a table indexed by its states (enum cs_state).  A row
 * says what the state waits for (the TLS handshake or one TSRequest),
 * which TSRequest fields (CS_MSG_NEGO, CS_MSG_PUBKEY, CS_MSG_AUTHINFO)
 * the message may carry and which it must, and the handler that does the
 * state's work.  cs_drive runs the rows: it does the TLS step or reads
 * one TSRequest (cs_recv_request: version, nonce, errorCode), refuses a
 * message outside its row with CREDSSP_S_UNEXPECTED_MESSAGE and hands
 * the rest to the handler, until the handler waits for the peer, ends
 * the exchange or fails.  doc/design.md section 2 walks through it.
 */
#ifndef CS_DRIVER_H
#define CS_DRIVER_H

#include "engine.h"

/* What a state waits for. */
enum cs_input {
    CS_IN_TLS,                    /* the TLS handshake to complete */
    CS_IN_TSREQUEST               /* one TSRequest from the peer */
};

/* A state's work.  req is the TSRequest that passed the row's check
 * (NULL for CS_IN_TLS: the handshake has just completed); the driver
 * owns and clears it.  On CS_WAIT_ERR, *err says why. */
typedef enum cs_wait (*cs_handler)(struct cs_ctx *ctx,
                                   struct cs_tsrequest *req, cs_err *err);

/* One row of a role's table. */
struct cs_step {
    const char *name;             /* NULL: not a state of this role */
    enum cs_input input;
    uint8_t allowed;              /* the fields the TSRequest may carry */
    uint8_t required;             /* of which it must carry at least one
                                   * (0: none, an empty TSRequest) */
    cs_handler handle;
};

/* A role: its table (CS_ST_COUNT rows, indexed by state), the flags
 * completion adds beyond those of TLS (confidentiality, integrity,
 * sequence, replay: the driver's), and how a failure is reported (NULL:
 * as it is). */
struct cs_role_driver {
    const struct cs_step *steps;
    void (*done)(struct cs_ctx *ctx);
    cs_err (*failed)(const struct cs_ctx *ctx, cs_err err);
};

/* initiator.c and acceptor.c. */
extern const struct cs_role_driver cs_initiator_driver;
extern const struct cs_role_driver cs_acceptor_driver;

/* cs_driver_step: the row of role's table for state, or NULL when the
 * role has no such state (CS_ST_DONE, CS_ST_FAILED, the other role's). */
const struct cs_step *cs_driver_step(enum cs_role role, enum cs_state state);

/* cs_driver_fields: the fields a TSRequest carries (CS_MSG_NEGO,
 * CS_MSG_PUBKEY, CS_MSG_AUTHINFO). */
uint8_t cs_driver_fields(const struct cs_tsrequest *req);

/* cs_driver_check: CS_OK when req carries only fields step allows and
 * one it requires, else CREDSSP_S_UNEXPECTED_MESSAGE. */
cs_err cs_driver_check(const struct cs_step *step,
                       const struct cs_tsrequest *req) CS_WUR;

/* cs_drive: runs the context's role after input was fed to TLS; *done
 * says whether the exchange completed. */
cs_err cs_drive(struct cs_ctx *ctx, bool *done) CS_WUR;

#endif /* CS_DRIVER_H */
