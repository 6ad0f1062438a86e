/* An open-addressing index of keys (non-NULL pointers), each with its 32-bit hash and a 32-bit
 * value: linear probing in a power-of-two table that grows at half full. What the keys are and
 * how two compare is the user's: the string pool keys its strings, consolidation interned
 * pointers. A lookup walks from bk_hindex_home while the slot's key is set:
 *
 *     for (size_t i = bk_hindex_home(x, h); x->slots[i].key; i = bk_hindex_next(x, i))
 *
 * and an insertion (after bk_hindex_reserve) fills the empty slot that walk ends on. */
#ifndef BK_HINDEX_H
#define BK_HINDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct bk_hslot {
    const void *key; /* NULL: free */
    uint32_t hash;
    uint32_t value;
} bk_hslot;

typedef struct bk_hindex {
    bk_hslot *slots;
    size_t cap, count;
} bk_hindex;

/* Room for one more key: the table grows (to first slots, a power of two, then doubling) when
 * it would be more than half full. 0, or -1 for out of memory (the index unchanged). */
int bk_hindex_reserve(bk_hindex *x, size_t first);
void bk_hindex_free(bk_hindex *x);

static inline size_t bk_hindex_home(const bk_hindex *x, uint32_t hash)
{
    return hash & (x->cap - 1);
}

static inline size_t bk_hindex_next(const bk_hindex *x, size_t i) { return (i + 1) & (x->cap - 1); }

/* Takes the free slot i for key. */
static inline void bk_hindex_fill(bk_hindex *x, size_t i, const void *key, uint32_t hash,
                                  uint32_t value)
{
    x->slots[i] = (bk_hslot){key, hash, value};
    x->count++;
}

#endif
