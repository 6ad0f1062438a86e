/* A keyed hash for the library's hash tables: SipHash-1-3 under a random per-process key, so
 * that input cannot be made of strings that all land in one slot (hash flooding). */
#ifndef BK_HASH_H
#define BK_HASH_H

#include "budgetkit/hash.h"

/* A pointer or an index: a cheap mix (the input does not choose addresses). */
static inline uint64_t bk_hash_word(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ull;
    x ^= x >> 33;
    return x;
}

#endif
