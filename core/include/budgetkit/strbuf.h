/* A growing string for building messages piece by piece: an allocation failure marks it failed
 * (the text so far stays, truncated) instead of being reported at every step, so a caller
 * checks `failed` once at the end and reports out of memory then. Zero-initialised is empty. */
#ifndef BUDGETKIT_STRBUF_H
#define BUDGETKIT_STRBUF_H

#include <stddef.h>

#include "api.h"
#include "decimal.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bk_strbuf {
    char *s; /* NUL-terminated, NULL while nothing was added */
    size_t len, cap;
    int failed; /* an allocation failed: the text is truncated */
} bk_strbuf;

BK_API void bk_strbuf_init(bk_strbuf *b);
/* Frees the text and makes b empty again (failed cleared). */
BK_API void bk_strbuf_free(bk_strbuf *b);
/* Empty, keeping the memory (failed kept). */
BK_API void bk_strbuf_clear(bk_strbuf *b);
BK_API void bk_strbuf_add(bk_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A decimal without grouping, as the document holds it; negative values keep their sign. */
BK_API void bk_strbuf_dec(bk_strbuf *b, bk_decimal d);
/* |d|: a difference shown as a magnitude when the words say which side is larger. */
BK_API void bk_strbuf_abs(bk_strbuf *b, bk_decimal d);
/* The text so far ("" when empty). */
BK_API const char *bk_strbuf_str(const bk_strbuf *b);

#ifdef __cplusplus
}
#endif
#endif
