/* A growing string for building finding messages. */
#ifndef BK_TOTALS_TEXT_H
#define BK_TOTALS_TEXT_H

#include <stddef.h>

#include "budgetkit/decimal.h"

typedef struct tot_text {
    char *s;
    size_t len, cap;
    int failed; /* an allocation failed: the text is truncated, report out of memory */
} tot_text;

void tot_text_init(tot_text *t);
void tot_text_free(tot_text *t);
void tot_text_clear(tot_text *t);
void tot_text_add(tot_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Without grouping, as the document holds it; negative values keep their sign. */
void tot_text_dec(tot_text *t, bk_decimal d);
/* |d|: differences are shown as magnitudes, the message says which side is larger. */
void tot_text_abs(tot_text *t, bk_decimal d);
/* The text so far ("" when empty). */
const char *tot_text_str(const tot_text *t);

#endif
