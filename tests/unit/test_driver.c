/* SPDX-License-Identifier: MIT */
/*
 * test_driver.c - src/driver.c and the two roles' state tables: which
 * TSRequest fields each state of each role takes ([MS-CSSP] 3.1.5), and
 * that a message with any other set of fields is refused with
 * CREDSSP_S_UNEXPECTED_MESSAGE before a handler sees it (issue 19,
 * point 1).  Needs no KDC: only the tables and the check are exercised.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "driver.h"
#include "../check_run.h"

#define N CS_MSG_NEGO
#define P CS_MSG_PUBKEY
#define A CS_MSG_AUTHINFO
/* SET(x): field set x as one bit of a mask over the eight combinations
 * of N, P and A. */
#define SET(x) (1u << (x))

/* What each state of each role must take, written from the protocol
 * rather than from the tables. */
static const struct {
    enum cs_role role;
    enum cs_state state;
    const char *name;
    enum cs_input input;
    unsigned legal;               /* SET() of every legal field set */
} rows[] = {
    { CS_INITIATOR, CS_ST_TLS, "tls", CS_IN_TLS, 0 },
    /* Before our pubKeyAuth: the server's next inner token, alone. */
    { CS_INITIATOR, CS_ST_INI_NEGO, "nego", CS_IN_TSREQUEST, SET(N) },
    /* After it: the server's final inner token, its pubKeyAuth, or both. */
    { CS_INITIATOR, CS_ST_INI_PUBKEY, "pubkey", CS_IN_TSREQUEST,
      SET(N) | SET(P) | SET(N | P) },
    /* GS2: an empty TSRequest. */
    { CS_INITIATOR, CS_ST_INI_CONFIRM, "confirm", CS_IN_TSREQUEST, SET(0) },
    { CS_ACCEPTOR, CS_ST_TLS, "tls", CS_IN_TLS, 0 },
    /* An inner token; the last may bring the client's pubKeyAuth. */
    { CS_ACCEPTOR, CS_ST_ACC_NEGO, "nego", CS_IN_TSREQUEST,
      SET(N) | SET(N | P) },
    { CS_ACCEPTOR, CS_ST_ACC_PUBKEY, "pubkey", CS_IN_TSREQUEST, SET(P) },
    { CS_ACCEPTOR, CS_ST_ACC_AUTHINFO, "authinfo", CS_IN_TSREQUEST,
      SET(A) },
};

/* make_req: a TSRequest carrying the fields in set (borrowed token). */
static void
make_req(unsigned set, cs_blob *token, struct cs_tsrequest *req)
{
    memset(req, 0, sizeof(*req));
    if (set & N) {
        req->num_nego_tokens = 1;
        req->nego_tokens = token;
    }
    req->has_pub_key_auth = (set & P) != 0;
    req->has_auth_info = (set & A) != 0;
}

/* Each row: its name, its input, a handler, and for every combination of
 * fields the verdict the protocol wants. */
START_TEST(test_row)
{
    const struct cs_step *step = cs_driver_step(rows[_i].role,
                                                rows[_i].state);
    uint8_t byte = 0x30;
    cs_blob token = { &byte, 1 };
    struct cs_tsrequest req;
    unsigned set;

    ck_assert_ptr_nonnull(step);
    ck_assert_str_eq(step->name, rows[_i].name);
    ck_assert_int_eq(step->input, rows[_i].input);
    ck_assert_ptr_nonnull(step->handle);
    if (rows[_i].input == CS_IN_TLS) {
        return;
    }
    for (set = 0; set < 8; set++) {
        make_req(set, &token, &req);
        ck_assert_uint_eq(cs_driver_fields(&req), set);
        ck_assert_msg(cs_driver_check(step, &req) ==
                          (rows[_i].legal & SET(set)
                               ? CS_OK
                               : CREDSSP_S_UNEXPECTED_MESSAGE),
                      "role %d state %s fields 0x%x: wrong verdict",
                      (int)rows[_i].role, rows[_i].name, set);
    }
}
END_TEST

/* States a role does not have, and the shared end states, have no row:
 * the driver ends such a context with CREDSSP_S_INTERNAL. */
START_TEST(test_no_row)
{
    static const enum cs_state ini_only[] = {
        CS_ST_INI_NEGO, CS_ST_INI_PUBKEY, CS_ST_INI_CONFIRM
    };
    static const enum cs_state acc_only[] = {
        CS_ST_ACC_NEGO, CS_ST_ACC_PUBKEY, CS_ST_ACC_AUTHINFO
    };
    size_t i;

    for (i = 0; i < 3; i++) {
        ck_assert_ptr_null(cs_driver_step(CS_ACCEPTOR, ini_only[i]));
        ck_assert_ptr_null(cs_driver_step(CS_INITIATOR, acc_only[i]));
    }
    ck_assert_ptr_null(cs_driver_step(CS_INITIATOR, CS_ST_DONE));
    ck_assert_ptr_null(cs_driver_step(CS_ACCEPTOR, CS_ST_DONE));
    ck_assert_ptr_null(cs_driver_step(CS_INITIATOR, CS_ST_FAILED));
    ck_assert_ptr_null(cs_driver_step(CS_ACCEPTOR, CS_ST_FAILED));
    ck_assert_ptr_null(cs_driver_step(CS_INITIATOR, CS_ST_COUNT));
    ck_assert_ptr_null(cs_driver_step(CS_ACCEPTOR, (enum cs_state)-1));
}
END_TEST

/* errorCode and clientNonce are no fields of the tables: the receive path
 * handles them before the check (an errorCode ends the exchange). */
START_TEST(test_fields)
{
    uint8_t nonce[CS_NONCE_LEN] = { 0 };
    struct cs_tsrequest req = { 0 };

    req.has_error_code = true;
    req.error_code = 0xC000006D;
    req.has_client_nonce = true;
    req.client_nonce.data = nonce;
    req.client_nonce.len = sizeof(nonce);
    ck_assert_uint_eq(cs_driver_fields(&req), 0);
    /* An empty TSRequest is the GS2 confirmation, and nothing else. */
    ck_assert_int_eq(cs_driver_check(cs_driver_step(CS_INITIATOR,
                                                    CS_ST_INI_CONFIRM),
                                     &req),
                     CS_OK);
    ck_assert_int_eq(cs_driver_check(cs_driver_step(CS_INITIATOR,
                                                    CS_ST_INI_PUBKEY),
                                     &req),
                     CREDSSP_S_UNEXPECTED_MESSAGE);
    ck_assert_int_eq(cs_driver_check(cs_driver_step(CS_ACCEPTOR,
                                                    CS_ST_ACC_NEGO),
                                     &req),
                     CREDSSP_S_UNEXPECTED_MESSAGE);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("driver");
    TCase *tc = tcase_create("driver");

    tcase_add_loop_test(tc, test_row, 0,
                        (int)(sizeof(rows) / sizeof(rows[0])));
    tcase_add_test(tc, test_no_row);
    tcase_add_test(tc, test_fields);
    suite_add_tcase(s, tc);
    return check_run(s, false);
}
