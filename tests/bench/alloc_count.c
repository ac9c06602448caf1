/* SPDX-License-Identifier: MIT */
/*
 * alloc_count.c - see alloc_count.h.  realloc counts as one allocation of
 * its new size (it may move the block); free is not counted.
 */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>

#include "alloc_count.h"

#if defined(__SANITIZE_ADDRESS__)
#define NO_COUNTING 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_COUNTING 1
#endif
#endif

int bench_counting;
unsigned long bench_allocs;
unsigned long long bench_alloc_bytes;

#ifdef NO_COUNTING
const bool bench_alloc_available = false;
#else
const bool bench_alloc_available = true;

/* glibc's own allocator, exported for exactly this use. */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);
extern void *__libc_memalign(size_t align, size_t n);

static void
count(size_t n)
{
    if (bench_counting) {
        bench_allocs++;
        bench_alloc_bytes += n;
    }
}

void *
malloc(size_t n)
{
    count(n);
    return __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
    count(n * size);
    return __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
    if (n > 0) {
        count(n);
    }
    return __libc_realloc(p, n);
}

void
free(void *p)
{
    __libc_free(p);
}

void *
memalign(size_t align, size_t n)
{
    count(n);
    return __libc_memalign(align, n);
}

void *
aligned_alloc(size_t align, size_t n)
{
    count(n);
    return __libc_memalign(align, n);
}

int
posix_memalign(void **out, size_t align, size_t n)
{
    void *p;

    if (align < sizeof(void *) || (align & (align - 1)) != 0) {
        return EINVAL;
    }
    count(n);
    p = __libc_memalign(align, n);
    if (p == NULL) {
        return ENOMEM;
    }
    *out = p;
    return 0;
}
#endif
