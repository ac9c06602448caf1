/* SPDX-License-Identifier: MIT */
/*
 * escape.h - text a peer chose, made safe to print: the one helper the
 * engine (status texts, trace) and the credssp tool share.
 *
 * Plain C with no engine types, so that the tool, which links nothing of
 * the engine, compiles the same file.
 */
#ifndef CS_ESCAPE_H
#define CS_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

/*
 * cs_utf8_next: the length (1 to 4) of the well-formed UTF-8 sequence at
 * p, of at most left bytes, with its code point in *cp; 0 when the bytes
 * there are not one (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF) or left is 0.
 */
size_t cs_utf8_next(const unsigned char *p, size_t left, uint32_t *cp);

/*
 * cs_escape_keeps: whether cs_escape prints code point cp as it is.  Not
 * kept: C0 and C1 controls, DEL, and the format characters that change
 * how the text around them displays (line and paragraph separators, bidi
 * embeddings, overrides and isolates, zero-width characters, the BOM).
 */
int cs_escape_keeps(uint32_t cp);

/*
 * cs_escape: in_len bytes of in, escaped into out (out_size bytes, NUL
 * terminated unless out_size is 0): printable ASCII and well-formed UTF-8
 * that cs_escape_keeps as they are, every other byte as \xNN.  Output
 * that does not fit is cut at a character boundary.  Returns the length
 * the whole escaped text needs (without the NUL), as snprintf does.
 */
size_t cs_escape(char *out, size_t out_size, const char *in, size_t in_len);

#endif /* CS_ESCAPE_H */
