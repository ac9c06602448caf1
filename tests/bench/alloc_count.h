/* SPDX-License-Identifier: MIT */
/*
 * alloc_count.h - counting every heap allocation of the bench process,
 * without LD_PRELOAD: the bench binary defines malloc and friends itself
 * (ELF interposition puts the executable's definitions before libc's for
 * every library, including the dlopen'ed mechanisms) and forwards to
 * glibc's __libc_* entry points.  Counting is off unless bench_counting is
 * set, and is only ever set while one thread runs.
 */
#ifndef ALLOC_COUNT_H
#define ALLOC_COUNT_H

#include <stdbool.h>

/* Whether this build counts (not under AddressSanitizer, which owns
 * malloc itself). */
extern const bool bench_alloc_available;
extern int bench_counting;
/* Calls that returned new memory (malloc, calloc, realloc, the aligned
 * allocators) and the bytes they asked for. */
extern unsigned long bench_allocs;
extern unsigned long long bench_alloc_bytes;

#endif /* ALLOC_COUNT_H */
