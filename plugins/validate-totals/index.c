/* The open-addressing index the submission check keeps over its departments, unit names and
 * column keys (totals.h). */
#include "totals.h"

int bktot_index_reserve(bktot_index *ix, size_t n, uint64_t (*hash_at)(const void *, size_t),
                        const void *ctx)
{
    if (n >= UINT32_MAX - 1)
        return -1;
    size_t cap = ix->nslots ? ix->nslots : 64;
    while (cap < 2 * (n + 1))
        cap *= 2;
    if (cap == ix->nslots)
        return 0;
    uint32_t *s = bk_calloc(cap, sizeof *s);
    if (!s)
        return -1;
    for (size_t k = 0; k < n; k++) {
        size_t i = hash_at(ctx, k) & (cap - 1);
        while (s[i])
            i = (i + 1) & (cap - 1);
        s[i] = (uint32_t)(k + 1);
    }
    bk_free(ix->slots);
    ix->slots = s;
    ix->nslots = cap;
    return 0;
}

size_t bktot_index_find(const bktot_index *ix, uint64_t h, int (*is)(const void *, size_t),
                        const void *ctx)
{
    if (!ix->nslots)
        return 0;
    size_t mask = ix->nslots - 1;
    for (size_t i = h & mask; ix->slots[i]; i = (i + 1) & mask)
        if (is(ctx, ix->slots[i] - 1))
            return ix->slots[i];
    return 0;
}

void bktot_index_put(bktot_index *ix, uint64_t h, size_t k)
{
    size_t mask = ix->nslots - 1;
    size_t i = h & mask;
    while (ix->slots[i])
        i = (i + 1) & mask;
    ix->slots[i] = (uint32_t)(k + 1);
}

void bktot_index_free(bktot_index *ix)
{
    bk_free(ix->slots);
    ix->slots = NULL;
    ix->nslots = 0;
}
