/* SPDX-License-Identifier: MIT */
/*
 * noop_mech.h - the OID of the bench's baseline mechanism (noop_mech.c).
 */
#ifndef NOOP_MECH_H
#define NOOP_MECH_H

#define NOOP_MECH_OID_STRING \
    "\x2a\x86\x48\x86\xf7\x14\x01\xbe\x40\x93\x7a\x95\x35\x82\x83\x3c" \
    "\xc2\x2f\x81\x93\x2d\x82\xe3\x23\xc6\xb1\x0f\x83\x8e\xa0\x78\x01"
#define NOOP_MECH_OID_DOTTED \
    "1.2.840.113556.1.8000.2554.2741.33212.8495.18861.45475.1153167." \
    "6525048.1"

#endif
