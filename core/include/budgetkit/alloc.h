/* The allocator every part of budgetkit uses, so that tests can fail any allocation. */
#ifndef BUDGETKIT_ALLOC_H
#define BUDGETKIT_ALLOC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void *bk_malloc(size_t n);
void *bk_calloc(size_t count, size_t size);
void *bk_realloc(void *p, size_t n);
void bk_free(void *p);
char *bk_strndup(const char *s, size_t n);
char *bk_strdup(const char *s);

/* Grow *buf (of *cap elements of size elem) to hold at least need elements. 0 on success. */
int bk_grow(void **buf, size_t *cap, size_t need, size_t elem);

/* Fault injection for tests: fail the Nth allocation from now (1 = the next), 0 = never.
 * bk_alloc_count() tells how many allocations happened since the last call to set. */
void bk_alloc_fail_at(unsigned long n);
unsigned long bk_alloc_count(void);
int bk_alloc_failed(void);
/* Allocation failures so far, injected or real: compare before and after a call into a library
 * that may swallow one (jansson drops a byte of a string it cannot grow). */
unsigned long bk_alloc_failures(void);

#ifdef __cplusplus
}
#endif
#endif
