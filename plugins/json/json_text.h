/* The JSON text of one document, parsed into a flat array of values (not exported from the
 * module).
 *
 * The parser accepts exactly what jansson's json_loadb() accepts with JSON_REJECT_DUPLICATES,
 * and refuses the rest with jansson's messages at the same places, so that the reader's errors
 * did not change when it stopped building jansson trees. Values are laid out in document
 * order, each container followed by its members (an object's as key, value, key, value...),
 * and strings stay in the text: they are decoded only when the model needs them. */
#ifndef BK_JSON_TEXT_H
#define BK_JSON_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "budgetkit/error.h"

typedef enum jv_type {
    JV_OBJECT,
    JV_ARRAY,
    JV_KEY, /* the name of the object member whose value follows it */
    JV_STRING,
    JV_INTEGER,
    JV_REAL, /* a number with a fraction or an exponent; its value is never needed */
    JV_TRUE,
    JV_FALSE,
    JV_NULL
} jv_type;

/* One value: 16 bytes, so that the index of a text made of tiny values ("[0,0,0,...]", two
 * bytes a value) stays within 8 times the text. What the model needs beyond the value's
 * place is read from the text when it is asked for: an integer's value, a string's decoded
 * length, a container's number of members. Offsets and indexes are 32-bit, so a text is at
 * most JTEXT_MAX_BYTES long: at most that many values, each starting at its own byte. */
typedef struct jv {
    uint32_t off; /* its first byte in the text: a bracket, a string's opening quote */
    union {
        uint32_t len; /* string, key: bytes between the quotes; number: its bytes */
        uint32_t end; /* object, array: index of the first value after its members */
    };
    uint32_t line;   /* line of off, the text's first line being 1 (UINT32_MAX beyond) */
    uint8_t type;    /* jv_type */
    uint8_t escaped; /* string, key: holds a backslash escape */
} jv;

_Static_assert(sizeof(jv) == 16, "a value of the index takes 16 bytes");

/* The longest text jtext_parse() takes: 4 GiB - 1 bytes. */
#define JTEXT_MAX_BYTES ((size_t)UINT32_MAX)

/* The parse of one text; reused from document to document, so that its arrays are allocated
 * only while they grow. */
typedef struct jtext {
    jv *v;
    size_t n, cap;
    size_t newlines;   /* in the whole text */
    struct jdup *dup;  /* index of the keys of large objects, for the duplicate check */
    size_t dup_cap, dup_used;
    uint64_t seed[2];  /* of the key hash, random per parse state: keys cannot be chosen to collide */
} jtext;

/* An error as jansson words it ("string or '}' expected near ']'") with the byte of the text
 * it is about. */
typedef struct jtext_error {
    bk_status code;
    size_t at;
    char text[160];
} jtext_error;

/* Parse text[0..n), n at most JTEXT_MAX_BYTES: 0, or -1 with e filled (code BK_E_NOMEM when
 * an allocation failed). */
int jtext_parse(jtext *t, const unsigned char *text, size_t n, jtext_error *e);
void jtext_free(jtext *t);

/* The index of the value after value i and its members. */
static inline size_t jtext_after(const jtext *t, size_t i)
{
    return t->v[i].type <= JV_ARRAY ? t->v[i].end : i + 1;
}

/* The members of object or array i (counted: an object's key and value are one member). */
size_t jtext_members(const jtext *t, size_t i);

/* The value of integer i (within 64 bits, as the parse checked). */
long long jtext_integer(const jtext *t, const unsigned char *text, size_t i);

/* The bytes of string or key i once its escapes are decoded: at most its len. */
size_t jtext_decoded_length(const jtext *t, const unsigned char *text, size_t i);

/* Write the decoded bytes of string or key i of text into out (room for its len bytes and a
 * NUL) and terminate them; returns how many bytes were written before the NUL. */
size_t jtext_decode(const jtext *t, const unsigned char *text, size_t i, char *out);

/* Does key (or string) i of text decode to name? */
int jtext_equals(const jtext *t, const unsigned char *text, size_t i, const char *name);

/* Looking at eight bytes at once, where long runs of ordinary bytes are skipped (the tests
 * say whether some byte matches, not which; the order of the bytes in the word is
 * irrelevant). */
#define JT_ONES 0x0101010101010101ull
#define JT_HIGHS 0x8080808080808080ull

static inline uint64_t jt_load8(const unsigned char *p)
{
    uint64_t x;
    memcpy(&x, p, sizeof x);
    return x;
}

/* Nonzero when some byte of x is below n (n at most 128): zero when n is 1. */
static inline uint64_t jt_below(uint64_t x, unsigned n)
{
    return (x - JT_ONES * n) & ~x & JT_HIGHS;
}

/* Nonzero when some byte of x is c. */
static inline uint64_t jt_has(uint64_t x, unsigned char c)
{
    return jt_below(x ^ (JT_ONES * c), 1);
}

/* Where to look from in the eight bytes a nonzero test result is about: no byte before it
 * matched (the tests can flag a byte after a match too, so the byte found is checked). */
static inline unsigned jt_first(uint64_t mask)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    (void)mask;
    return 0;
#else
    return (unsigned)__builtin_ctzll(mask) / 8;
#endif
}

#endif
