/* SipHash-1-3 (one compression round, three finalisation rounds) of a byte string. */
#include "hash.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>

static uint64_t key[2];

static uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

#define ROUND(v0, v1, v2, v3)                                                                  \
    do {                                                                                       \
        v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);                              \
        v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;                                                 \
        v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;                                                 \
        v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);                              \
    } while (0)

static void seed(void)
{
    if (getrandom(key, sizeof key, GRND_NONBLOCK) != (ssize_t)sizeof key) {
        /* No entropy yet (early boot): a key that differs from process to process at least. */
        key[0] = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)&key;
        key[1] = (uint64_t)clock() ^ (uint64_t)(uintptr_t)seed;
    }
    key[0] |= 1; /* both zero means "not seeded yet" */
}

uint64_t bk_hash_bytes(const void *data, size_t len)
{
    if (!(key[0] | key[1]))
        seed();
    const unsigned char *p = data;
    uint64_t v0 = key[0] ^ 0x736f6d6570736575ull, v1 = key[1] ^ 0x646f72616e646f6dull;
    uint64_t v2 = key[0] ^ 0x6c7967656e657261ull, v3 = key[1] ^ 0x7465646279746573ull;
    size_t whole = len & ~(size_t)7;
    for (size_t i = 0; i < whole; i += 8) {
        uint64_t m;
        memcpy(&m, p + i, 8); /* little-endian hosts; on others the hash differs, still keyed */
        v3 ^= m;
        ROUND(v0, v1, v2, v3);
        v0 ^= m;
    }
    uint64_t m = (uint64_t)(len & 0xff) << 56;
    for (size_t i = whole; i < len; i++)
        m |= (uint64_t)p[i] << (8 * (i - whole));
    v3 ^= m;
    ROUND(v0, v1, v2, v3);
    v0 ^= m;
    v2 ^= 0xff;
    ROUND(v0, v1, v2, v3);
    ROUND(v0, v1, v2, v3);
    ROUND(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}
