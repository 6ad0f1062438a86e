/* SHA-256 as specified in FIPS 180-4, sections 4.1.2, 4.2.2, 5.1.1 and 6.2. */
#include "sha256.h"

#include <string.h>

static const uint32_t K[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u,
    0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu,
    0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu,
    0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu,
    0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
    0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u,
    0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u,
    0xc67178f2u};

/* Big-endian words (FIPS 180-4, 3.1): one unaligned load and a byte swap on the usual
 * little-endian machine, which is most of what reading a block costs. */
static uint32_t load_be32(const unsigned char *p)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return __builtin_bswap32(v);
#else
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
#endif
}

static void store_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* The functions of section 4.1.2. Ch and Maj are written with one operation fewer than in the
 * standard; they give the same bits: Ch picks y where x is 1 and z elsewhere, Maj is the
 * majority vote of x, y and z. */
#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))
#define BSIG0(x) (ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define BSIG1(x) (ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define SSIG0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))

/* The message schedule (6.2.2 step 1) kept as the last 16 words only: W[t] replaces W[t-16]
 * in w[t mod 16]. */
#define W_LOAD(t) (w[t] = load_be32(block + 4 * (t)))
#define W_NEXT(t)                                                                                \
    (w[(t) & 15] += SSIG1(w[((t) - 2) & 15]) + w[((t) - 7) & 15] + SSIG0(w[((t) - 15) & 15]))

/* Round t (6.2.2 step 3). Rather than moving every working variable down one place, the
 * caller passes them renamed: only d (which becomes e) and h (which becomes a) change. */
#define ROUND(a, b, c, d, e, f, g, h, t, wt)                                                     \
    do {                                                                                         \
        uint32_t t1_ = (h) + BSIG1(e) + CH(e, f, g) + K[t] + (wt);                               \
        (d) += t1_;                                                                              \
        (h) = t1_ + BSIG0(a) + MAJ(a, b, c);                                                     \
    } while (0)

/* Eight rounds bring the names back to where they started. */
#define EIGHT_ROUNDS(t, W)                                                                       \
    do {                                                                                         \
        ROUND(a, b, c, d, e, f, g, h, (t) + 0, W((t) + 0));                                      \
        ROUND(h, a, b, c, d, e, f, g, (t) + 1, W((t) + 1));                                      \
        ROUND(g, h, a, b, c, d, e, f, (t) + 2, W((t) + 2));                                      \
        ROUND(f, g, h, a, b, c, d, e, (t) + 3, W((t) + 3));                                      \
        ROUND(e, f, g, h, a, b, c, d, (t) + 4, W((t) + 4));                                      \
        ROUND(d, e, f, g, h, a, b, c, (t) + 5, W((t) + 5));                                      \
        ROUND(c, d, e, f, g, h, a, b, (t) + 6, W((t) + 6));                                      \
        ROUND(b, c, d, e, f, g, h, a, (t) + 7, W((t) + 7));                                      \
    } while (0)

/* Hash n whole 64-byte blocks read straight from the caller's memory (6.2.2). */
static void compress(uint32_t state[8], const unsigned char *block, size_t n)
{
    uint32_t a, b, c, d, e, f, g, h, w[16];
    for (; n > 0; n--, block += 64) {
        a = state[0];
        b = state[1];
        c = state[2];
        d = state[3];
        e = state[4];
        f = state[5];
        g = state[6];
        h = state[7];
        EIGHT_ROUNDS(0, W_LOAD);
        EIGHT_ROUNDS(8, W_LOAD);
        EIGHT_ROUNDS(16, W_NEXT);
        EIGHT_ROUNDS(24, W_NEXT);
        EIGHT_ROUNDS(32, W_NEXT);
        EIGHT_ROUNDS(40, W_NEXT);
        EIGHT_ROUNDS(48, W_NEXT);
        EIGHT_ROUNDS(56, W_NEXT);
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }
}

void bkar_sha256_init(bkar_sha256_ctx *s)
{
    static const uint32_t initial[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                        0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
    memcpy(s->h, initial, sizeof initial);
    s->length = 0;
    s->used = 0;
}

void bkar_sha256_update(bkar_sha256_ctx *s, const void *data, size_t len)
{
    const unsigned char *p = data;
    s->length += len;
    if (s->used > 0) {
        size_t take = 64 - s->used < len ? 64 - s->used : len;
        memcpy(s->block + s->used, p, take);
        s->used += take;
        p += take;
        len -= take;
        if (s->used < 64)
            return;
        compress(s->h, s->block, 1);
        s->used = 0;
    }
    if (len >= 64) {
        size_t whole = len / 64;
        compress(s->h, p, whole);
        p += 64 * whole;
        len -= 64 * whole;
    }
    if (len > 0) {
        memcpy(s->block, p, len);
        s->used = len;
    }
}

void bkar_sha256_final(bkar_sha256_ctx *s, unsigned char out[BKAR_SHA256_SIZE])
{
    uint64_t bits = s->length * 8u;
    /* Padding: a 1 bit, zeros up to 56 mod 64, then the message length in bits, big-endian. */
    s->block[s->used++] = 0x80;
    if (s->used > 56) {
        memset(s->block + s->used, 0, 64 - s->used);
        compress(s->h, s->block, 1);
        s->used = 0;
    }
    memset(s->block + s->used, 0, 56 - s->used);
    store_be32(s->block + 56, (uint32_t)(bits >> 32));
    store_be32(s->block + 60, (uint32_t)bits);
    compress(s->h, s->block, 1);
    for (int i = 0; i < 8; i++)
        store_be32(out + 4 * i, s->h[i]);
    memset(s, 0, sizeof *s);
}

void bkar_sha256(const void *data, size_t len, unsigned char out[BKAR_SHA256_SIZE])
{
    bkar_sha256_ctx s;
    bkar_sha256_init(&s);
    bkar_sha256_update(&s, data, len);
    bkar_sha256_final(&s, out);
}

void bkar_hex(const unsigned char *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

void bkar_sha256_hex(const void *data, size_t len, char out[BKAR_SHA256_HEX])
{
    unsigned char digest[BKAR_SHA256_SIZE];
    bkar_sha256(data, len, digest);
    bkar_hex(digest, sizeof digest, out);
}
