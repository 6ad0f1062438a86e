/* The allocator every part of budgetkit uses, so that tests can fail any allocation. */
#ifndef BUDGETKIT_ALLOC_H
#define BUDGETKIT_ALLOC_H

#include "api.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

BK_API void *bk_malloc(size_t n);
BK_API void *bk_calloc(size_t count, size_t size);
BK_API void *bk_realloc(void *p, size_t n);
BK_API void bk_free(void *p);
BK_API char *bk_strndup(const char *s, size_t n);
BK_API char *bk_strdup(const char *s);

/* Grow *buf (of *cap elements of size elem) to hold at least need elements. 0 on success. */
BK_API int bk_grow(void **buf, size_t *cap, size_t need, size_t elem);

/* Fault injection for tests: fail the Nth allocation from now (1 = the next), 0 = never.
 * bk_alloc_count() tells how many allocations happened since the last call to set. */
BK_API void bk_alloc_fail_at(unsigned long n);
BK_API unsigned long bk_alloc_count(void);
BK_API int bk_alloc_failed(void);
/* Allocation failures so far, injected or real: compare before and after a call into a library
 * that may swallow one (jansson drops a byte of a string it cannot grow). */
BK_API unsigned long bk_alloc_failures(void);

#ifdef __cplusplus
}
#endif
#endif
