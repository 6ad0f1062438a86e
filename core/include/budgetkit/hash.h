/* A keyed hash for hash tables fed by input: SipHash-1-3 under a random per-process key, so
 * that input cannot be made of strings that all land in one slot (hash flooding). */
#ifndef BUDGETKIT_HASH_H
#define BUDGETKIT_HASH_H

#include "api.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

BK_API uint64_t bk_hash_bytes(const void *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
