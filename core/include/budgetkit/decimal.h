/* Exact decimals: an integer count of units of the last printed place, and that place.
 * No amount ever passes through a binary floating point number. */
#ifndef BUDGETKIT_DECIMAL_H
#define BUDGETKIT_DECIMAL_H

#include "api.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Largest number of decimals a figure may carry. */
#define BK_DECIMAL_MAX_SCALE 18

/* Room for any formatted decimal: sign, 19 digits, point, separators, NUL. */
#define BK_DECIMAL_BUFSIZE 48

/* value = units / 10^scale. "332" is {332, 0}; "332.00" is {33200, 2}: the printed
 * number of decimals is part of the value. */
typedef struct bk_decimal {
    int64_t units;
    int32_t scale;
} bk_decimal;

typedef enum bk_decimal_status {
    BK_DECIMAL_OK = 0,
    BK_DECIMAL_SYNTAX,   /* not a decimal number */
    BK_DECIMAL_OVERFLOW, /* too many digits for 64 bits, or scale above the maximum */
    BK_DECIMAL_EMPTY     /* nothing but blanks */
} bk_decimal_status;

/* Parse flags. */
#define BK_DECIMAL_THOUSANDS 0x1u /* accept "4,115.36" (separators between groups of 3 only) */
#define BK_DECIMAL_FULLWIDTH 0x2u /* accept full-width digits, sign and point (１２３．４５) */
#define BK_DECIMAL_TRIM      0x4u /* ignore leading and trailing blanks */

/* Parse s[0..len). On success *out holds the exact value with the printed scale. Accepts an
 * optional leading '-' or '+', digits, an optional '.' followed by at least one digit.
 * Never accepts exponents, "NaN", "inf", hex, or a second sign. If used_fullwidth is not
 * NULL it is set to 1 when full-width characters were normalised. */
BK_API bk_decimal_status bk_decimal_parse(const char *s, size_t len, unsigned flags, bk_decimal *out,
                                   int *used_fullwidth);

/* Write d as plain digits ("-217.70"), or with thousands separators when grouped is nonzero.
 * Returns the length written (buf always NUL-terminated; cap >= BK_DECIMAL_BUFSIZE suffices). */
BK_API size_t bk_decimal_format(bk_decimal d, int grouped, char *buf, size_t cap);

/* Express d with a larger scale (exact). Fails with OVERFLOW when it does not fit, and with
 * SYNTAX when scale is smaller than d's (that would drop digits). */
BK_API bk_decimal_status bk_decimal_rescale(bk_decimal d, int32_t scale, bk_decimal *out);

/* Exact a + b and a - b at the larger of the two scales. */
BK_API bk_decimal_status bk_decimal_add(bk_decimal a, bk_decimal b, bk_decimal *out);
BK_API bk_decimal_status bk_decimal_sub(bk_decimal a, bk_decimal b, bk_decimal *out);

/* Exact numeric comparison (-1, 0, 1): 332 == 332.00. */
BK_API int bk_decimal_cmp(bk_decimal a, bk_decimal b);

/* a / b * 100 rounded half away from zero to `scale` decimals. Fails with SYNTAX when b is
 * zero and OVERFLOW when the result does not fit. Integer arithmetic only. */
BK_API bk_decimal_status bk_decimal_percent(bk_decimal a, bk_decimal b, int32_t scale, bk_decimal *out);

#ifdef __cplusplus
}
#endif
#endif
