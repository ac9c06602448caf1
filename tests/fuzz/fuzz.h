/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - what every libFuzzer target of tests/fuzz defines.  The same
 * target source links either libFuzzer (configure --enable-fuzzing) or
 * standalone.c, a small main() that replays files for make check.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Every target defines it (libFuzzer calls it once before the inputs). */
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif /* FUZZ_H */
