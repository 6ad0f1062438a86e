/* The rounding rule for printed totals (formats/validation.md), free of any model type so
 * that it can be tested on its own. */
#ifndef BK_TOTALS_ROUNDING_H
#define BK_TOTALS_ROUNDING_H

#include <stddef.h>

#include "budgetkit/decimal.h"

typedef enum bktot_verdict {
    BKTOT_EQUAL = 0,    /* no difference at all */
    BKTOT_ROUNDING,     /* consistent within rounding */
    BKTOT_INCONSISTENT, /* outside the bound */
    BKTOT_BASE_ZERO,    /* a percentage of a zero base: nothing to compute */
    BKTOT_OVERFLOW      /* figures too large to compare in 64 bits */
} bktot_verdict;

typedef struct bktot_check {
    bktot_verdict verdict;
    bk_decimal expected;   /* what the parts give, at the comparison scale */
    bk_decimal actual;     /* the printed figure, as printed */
    bk_decimal difference; /* actual - expected */
    bk_decimal bound;      /* largest difference still consistent */
    size_t nparts;         /* printed parts counted in the bound */
} bktot_check;

/* The rounding bound ½·10^-scale·(n + 1), as a decimal printed with as few decimals as
 * possible (n = 3 at scale 2 gives 0.02, n = 2 gives 0.015). */
bk_decimal bktot_bound(size_t n, int32_t scale);

/* total against the sum of n printed parts (a part negated with `negate[i]` nonzero is
 * subtracted; negate may be NULL). All figures are compared at the largest scale among them:
 * consistent when 2·|total - Σ| ≤ n + 1 units of that scale. */
void bktot_check_sum(bk_decimal total, const bk_decimal *parts, const int *negate, size_t n,
                     bktot_check *out);

/* The same figure printed twice: exact when both carry the same number of decimals, else
 * the bound of one part (2·|a - b| ≤ 2 units of the finer scale). */
void bktot_check_equal(bk_decimal actual, bk_decimal expected, bktot_check *out);

/* result = numerator / denominator × 100, printed with result's decimals. expected is the
 * quotient rounded to one decimal more than result; the bound is half a unit of result's last
 * place plus the largest change of the quotient when numerator and denominator move by half a
 * unit of their own last places. BKTOT_BASE_ZERO when the denominator is zero. */
void bktot_check_percent(bk_decimal result, bk_decimal numerator, bk_decimal denominator,
                         bktot_check *out);

/* A subset printed under its parent (其中): part must not exceed whole. Only the excess is
 * judged, with the bound of bktot_check_equal. */
void bktot_check_subset(bk_decimal part, bk_decimal whole, bktot_check *out);

#endif
