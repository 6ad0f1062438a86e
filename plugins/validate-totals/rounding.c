/* The rounding rule: a printed value with d decimals stands for an interval of width 10^-d,
 * so a total of n printed parts may differ from their sum by up to ½·10^-d·(n + 1). Every
 * comparison is done in integer units of the last place; nothing passes through a float. */
#include "rounding.h"

#include <stdint.h>
#include <string.h>

static const int64_t pow10_i64[] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL,
    1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
    100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
    1000000000000000000LL,
};

static int fits64(__int128 v)
{
    return v >= (__int128)INT64_MIN && v <= (__int128)INT64_MAX;
}

/* d expressed in units of 10^-scale (scale >= d.scale), widened so that it cannot overflow. */
static __int128 units_at(bk_decimal d, int32_t scale)
{
    return (__int128)d.units * pow10_i64[scale - d.scale];
}

static int valid_scale(int32_t s)
{
    return s >= 0 && s <= BK_DECIMAL_MAX_SCALE;
}

bk_decimal bktot_bound(size_t n, int32_t scale)
{
    bk_decimal b;
    uint64_t m = (uint64_t)n + 1;
    if (m % 2 == 0) {
        b.units = (int64_t)(m / 2);
        b.scale = scale;
    } else if (scale < BK_DECIMAL_MAX_SCALE) {
        b.units = (int64_t)(m * 5);
        b.scale = scale + 1;
    } else {
        /* No finer place to show the half unit: show the bound rounded up. */
        b.units = (int64_t)(m / 2 + 1);
        b.scale = scale;
    }
    return b;
}

static void overflow(bktot_check *out)
{
    memset(out, 0, sizeof *out);
    out->verdict = BKTOT_OVERFLOW;
}

void bktot_check_sum(bk_decimal total, const bk_decimal *parts, const int *negate, size_t n,
                     bktot_check *out)
{
    int32_t s = total.scale;
    for (size_t i = 0; i < n; i++)
        if (parts[i].scale > s)
            s = parts[i].scale;
    if (!valid_scale(s) || !valid_scale(total.scale)) {
        overflow(out);
        return;
    }
    /* Each term fits in 124 bits (|units| < 2^63, 10^18 < 2^60); n is unbounded, so the
     * running sum is checked at every step. */
    __int128 sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (!valid_scale(parts[i].scale)) {
            overflow(out);
            return;
        }
        __int128 v = units_at(parts[i], s);
        if (negate && negate[i])
            v = -v;
        if (__builtin_add_overflow(sum, v, &sum)) {
            overflow(out);
            return;
        }
    }
    __int128 t = units_at(total, s), diff;
    if (__builtin_sub_overflow(t, sum, &diff) || !fits64(sum) || !fits64(t) || !fits64(diff)) {
        overflow(out);
        return;
    }
    out->expected = (bk_decimal){(int64_t)sum, s};
    out->actual = total;
    out->difference = (bk_decimal){(int64_t)diff, s};
    out->bound = bktot_bound(n, s);
    out->nparts = n;
    __int128 mag = diff < 0 ? -diff : diff;
    if (mag == 0)
        out->verdict = BKTOT_EQUAL;
    else if (mag * 2 <= (__int128)n + 1)
        out->verdict = BKTOT_ROUNDING;
    else
        out->verdict = BKTOT_INCONSISTENT;
}

void bktot_check_equal(bk_decimal actual, bk_decimal expected, bktot_check *out)
{
    bktot_check_sum(actual, &expected, NULL, 1, out);
    if (actual.scale == expected.scale && out->verdict != BKTOT_OVERFLOW) {
        /* The same figure at the same precision: any difference is a real one. */
        out->bound = (bk_decimal){0, actual.scale};
        if (out->verdict == BKTOT_ROUNDING)
            out->verdict = BKTOT_INCONSISTENT;
    }
}

void bktot_check_subset(bk_decimal part, bk_decimal whole, bktot_check *out)
{
    bktot_check_equal(part, whole, out);
    if (out->verdict == BKTOT_OVERFLOW)
        return;
    /* Only an excess matters: a subset smaller than its whole is what is expected. */
    if (out->difference.units <= 0)
        out->verdict = BKTOT_EQUAL;
}

/* d ± half a unit of its last place, one decimal finer. */
static int nudge(bk_decimal d, int up, bk_decimal *out)
{
    if (bk_decimal_rescale(d, d.scale + 1, out) != BK_DECIMAL_OK)
        return -1;
    if (__builtin_add_overflow(out->units, (int64_t)(up ? 5 : -5), &out->units))
        return -1;
    return 0;
}

void bktot_check_percent(bk_decimal result, bk_decimal numerator, bk_decimal denominator,
                         bktot_check *out)
{
    memset(out, 0, sizeof *out);
    if (denominator.units == 0) {
        out->verdict = BKTOT_BASE_ZERO;
        out->actual = result;
        return;
    }
    int32_t k = result.scale + 1;
    bk_decimal printed_rounding, fine, actual;
    if (!valid_scale(k) ||
        bk_decimal_percent(numerator, denominator, result.scale, &printed_rounding) !=
            BK_DECIMAL_OK ||
        bk_decimal_percent(numerator, denominator, k, &fine) != BK_DECIMAL_OK ||
        bk_decimal_rescale(result, k, &actual) != BK_DECIMAL_OK) {
        overflow(out);
        return;
    }
    /* The inputs are rounded too: move each by half a unit of its last place and see how far
     * the quotient can go. The quotient is monotonic in each input on that box (the
     * denominator keeps its sign: |units| >= 1 > ½), so the corners bound it. */
    __int128 spread = 0;
    for (int i = 0; i < 4; i++) {
        bk_decimal a, b, q;
        if (nudge(numerator, i & 1, &a) < 0 || nudge(denominator, i & 2, &b) < 0 ||
            bk_decimal_percent(a, b, k, &q) != BK_DECIMAL_OK) {
            overflow(out);
            return;
        }
        __int128 d = (__int128)q.units - fine.units;
        if (d < 0)
            d = -d;
        if (d > spread)
            spread = d;
    }
    __int128 bound = spread + 5, diff = (__int128)actual.units - fine.units;
    if (!fits64(bound) || !fits64(diff)) {
        overflow(out);
        return;
    }
    out->expected = fine;
    out->actual = result;
    out->difference = (bk_decimal){(int64_t)diff, k};
    out->bound = (bk_decimal){(int64_t)bound, k};
    out->nparts = 2;
    __int128 mag = diff < 0 ? -diff : diff;
    if (bk_decimal_cmp(printed_rounding, result) == 0)
        out->verdict = BKTOT_EQUAL;
    else if (mag <= bound)
        out->verdict = BKTOT_ROUNDING;
    else
        out->verdict = BKTOT_INCONSISTENT;
}
