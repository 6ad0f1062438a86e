#include "strpool.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "budgetkit/alloc.h"
#include "hash.h"

struct bk_chunk {
    struct bk_chunk *next;
    char data[];
};

void bk_strpool_free(bk_strpool *p)
{
    struct bk_chunk *c = p->chunks;
    while (c) {
        struct bk_chunk *n = c->next;
        bk_free(c);
        c = n;
    }
    bk_hindex_free(&p->strings);
    memset(p, 0, sizeof *p);
}

/* Keyed: the strings come from the input, which must not be able to fill one probe chain. */
static uint32_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = bk_hash_bytes(s, len);
    return (uint32_t)(h ^ (h >> 32));
}

/* size bytes at an address that is a multiple of align (a power of two), from the current
 * chunk or a new one; what is left of a full chunk stays unused. */
static char *arena_take(bk_strpool *p, size_t size, size_t align)
{
    size_t pad = p->chunks ? -(uintptr_t)(p->chunks->data + p->chunk_used) & (align - 1) : 0;
    if (!p->chunks || p->chunk_cap - p->chunk_used < pad + size) {
        size_t want = size + align - 1;
        size_t cap = want > 8192 ? want : 8192;
        struct bk_chunk *c = bk_malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = p->chunks;
        p->chunks = c;
        p->chunk_used = 0;
        p->chunk_cap = cap;
        pad = -(uintptr_t)c->data & (align - 1);
    }
    char *d = p->chunks->data + p->chunk_used + pad;
    p->chunk_used += pad + size;
    return d;
}

static char *arena_copy(bk_strpool *p, const char *s, size_t len)
{
    char *d = arena_take(p, len + 1, 1);
    if (!d)
        return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

void *bk_strpool_calloc(bk_strpool *p, size_t n, size_t size)
{
    if (size && n > (SIZE_MAX - _Alignof(max_align_t)) / size)
        return NULL;
    char *d = arena_take(p, n * size, _Alignof(max_align_t));
    if (d)
        memset(d, 0, n * size);
    return d;
}

/* Whether slot x holds the string s of len bytes, hashed h. */
static int holds(const bk_hslot *x, uint32_t h, const char *s, size_t len)
{
    const char *in = x->key;
    return x->hash == h && strncmp(in, s, len) == 0 && in[len] == '\0';
}

const char *bk_strpool_intern(bk_strpool *p, const char *s, size_t len)
{
    bk_hindex *x = &p->strings;
    if (bk_hindex_reserve(x, 256) != 0)
        return NULL;
    uint32_t h = hash_bytes(s, len);
    size_t j = bk_hindex_home(x, h);
    for (; x->slots[j].key; j = bk_hindex_next(x, j))
        if (holds(&x->slots[j], h, s, len))
            return x->slots[j].key;
    char *d = arena_copy(p, s, len);
    if (!d)
        return NULL;
    bk_hindex_fill(x, j, d, h, 0);
    return d;
}

const char *bk_strpool_find(const bk_strpool *p, const char *s, size_t len)
{
    const bk_hindex *x = &p->strings;
    if (!x->cap)
        return NULL;
    uint32_t h = hash_bytes(s, len);
    for (size_t j = bk_hindex_home(x, h); x->slots[j].key; j = bk_hindex_next(x, j))
        if (holds(&x->slots[j], h, s, len))
            return x->slots[j].key;
    return NULL;
}
