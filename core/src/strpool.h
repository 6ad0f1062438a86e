/* Interned strings owned by one document (or one set of templates): equal strings share one
 * copy. Objects built once and never changed after (templates) may take their memory from the
 * same arena, so that freeing the pool releases them with their strings. */
#ifndef BK_STRPOOL_H
#define BK_STRPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "hindex.h"

typedef struct bk_strpool {
    struct bk_chunk *chunks; /* arena the strings live in */
    size_t chunk_used, chunk_cap;
    bk_hindex strings; /* the interned strings, keyed by their text */
} bk_strpool;

/* A pool of zeros is empty; freeing one leaves it empty, ready for use again. */
void bk_strpool_free(bk_strpool *p);
const char *bk_strpool_intern(bk_strpool *p, const char *s, size_t len);
/* The interned copy of s, NULL when s was never interned. */
const char *bk_strpool_find(const bk_strpool *p, const char *s, size_t len);
/* n zeroed objects of size bytes, aligned for any type, that live until the pool is freed (they
 * are never freed alone); NULL for out of memory. */
void *bk_strpool_calloc(bk_strpool *p, size_t n, size_t size);

#endif
