/* SHA-256 (FIPS 180-4), for the archive manifest's resource hashes.
 *
 * Written here rather than taken from a crypto library so that the plugin needs nothing beyond
 * zlib, libzip and jansson; it is only used to check integrity, never for secrets, so it makes
 * no attempt at constant time. */
#ifndef BK_ARCHIVE_SHA256_H
#define BK_ARCHIVE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define BKAR_SHA256_SIZE 32
#define BKAR_SHA256_HEX (2 * BKAR_SHA256_SIZE + 1)

typedef struct bkar_sha256_ctx {
    uint32_t h[8];
    uint64_t length; /* bytes hashed so far */
    unsigned char block[64];
    size_t used; /* bytes waiting in block */
} bkar_sha256_ctx;

void bkar_sha256_init(bkar_sha256_ctx *s);
void bkar_sha256_update(bkar_sha256_ctx *s, const void *data, size_t len);
void bkar_sha256_final(bkar_sha256_ctx *s, unsigned char out[BKAR_SHA256_SIZE]);

/* One-shot helpers: the digest of data[0..len), as bytes or as lower-case hex. */
void bkar_sha256(const void *data, size_t len, unsigned char out[BKAR_SHA256_SIZE]);
void bkar_sha256_hex(const void *data, size_t len, char out[BKAR_SHA256_HEX]);
void bkar_hex(const unsigned char *bytes, size_t n, char *out); /* out holds 2n + 1 */

#endif
