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

void bk_strpool_init(bk_strpool *p) { memset(p, 0, sizeof *p); }

void bk_strpool_free(bk_strpool *p)
{
    struct bk_chunk *c = p->chunks;
    while (c) {
        struct bk_chunk *n = c->next;
        bk_free(c);
        c = n;
    }
    bk_free(p->slots);
    bk_free(p->hashes);
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

static int rehash(bk_strpool *p)
{
    size_t n = p->nslots ? p->nslots * 2 : 256;
    const char **slots = bk_calloc(n, sizeof *slots);
    uint32_t *hashes = bk_calloc(n, sizeof *hashes);
    if (!slots || !hashes) {
        bk_free(slots);
        bk_free(hashes);
        return -1;
    }
    for (size_t i = 0; i < p->nslots; i++) {
        if (!p->slots[i])
            continue;
        size_t j = p->hashes[i] & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = p->slots[i];
        hashes[j] = p->hashes[i];
    }
    bk_free(p->slots);
    bk_free(p->hashes);
    p->slots = slots;
    p->hashes = hashes;
    p->nslots = n;
    return 0;
}

const char *bk_strpool_intern(bk_strpool *p, const char *s, size_t len)
{
    if ((p->count + 1) * 2 > p->nslots && rehash(p) != 0)
        return NULL;
    uint32_t h = hash_bytes(s, len);
    size_t j = h & (p->nslots - 1);
    while (p->slots[j]) {
        if (p->hashes[j] == h && strncmp(p->slots[j], s, len) == 0 && p->slots[j][len] == '\0')
            return p->slots[j];
        j = (j + 1) & (p->nslots - 1);
    }
    char *d = arena_copy(p, s, len);
    if (!d)
        return NULL;
    p->slots[j] = d;
    p->hashes[j] = h;
    p->count++;
    return d;
}

const char *bk_strpool_find(const bk_strpool *p, const char *s, size_t len)
{
    if (!p->nslots)
        return NULL;
    uint32_t h = hash_bytes(s, len);
    for (size_t j = h & (p->nslots - 1); p->slots[j]; j = (j + 1) & (p->nslots - 1))
        if (p->hashes[j] == h && strncmp(p->slots[j], s, len) == 0 && p->slots[j][len] == '\0')
            return p->slots[j];
    return NULL;
}
