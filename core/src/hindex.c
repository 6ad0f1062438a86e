#include "hindex.h"

#include "budgetkit/alloc.h"

int bk_hindex_reserve(bk_hindex *x, size_t first)
{
    if ((x->count + 1) * 2 <= x->cap)
        return 0;
    size_t cap = x->cap ? x->cap * 2 : first;
    bk_hindex grown = {bk_calloc(cap, sizeof *grown.slots), cap, x->count};
    if (!grown.slots)
        return -1;
    /* The stored hashes place the keys again without the user's hash function. */
    for (size_t i = 0; i < x->cap; i++) {
        if (!x->slots[i].key)
            continue;
        size_t j = bk_hindex_home(&grown, x->slots[i].hash);
        while (grown.slots[j].key)
            j = bk_hindex_next(&grown, j);
        grown.slots[j] = x->slots[i];
    }
    bk_free(x->slots);
    *x = grown;
    return 0;
}

void bk_hindex_free(bk_hindex *x)
{
    bk_free(x->slots);
    *x = (bk_hindex){0};
}
