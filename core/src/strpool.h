/* Interned strings owned by one document: equal strings share one copy. */
#ifndef BK_STRPOOL_H
#define BK_STRPOOL_H

#include <stddef.h>
#include <stdint.h>

typedef struct bk_strpool {
    struct bk_chunk *chunks; /* arena the strings live in */
    size_t chunk_used, chunk_cap;
    const char **slots; /* open addressing table of interned strings */
    uint32_t *hashes;
    size_t nslots, count;
} bk_strpool;

void bk_strpool_init(bk_strpool *p);
void bk_strpool_free(bk_strpool *p);
const char *bk_strpool_intern(bk_strpool *p, const char *s, size_t len);
/* The interned copy of s, NULL when s was never interned. */
const char *bk_strpool_find(const bk_strpool *p, const char *s, size_t len);

#endif
