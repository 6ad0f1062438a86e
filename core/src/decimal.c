/* Exact decimal arithmetic in integer units of the last place. */
#include "budgetkit/decimal.h"

#include <string.h>

static const int64_t pow10_table[19] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL,
    1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
    100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
    1000000000000000000LL};

/* Full-width forms (U+FF0B..U+FF19) are three bytes EF BC xx. */
static int fullwidth_char(const unsigned char *p, const unsigned char *end, unsigned char *ascii)
{
    if (end - p < 3 || p[0] != 0xEF || p[1] != 0xBC)
        return 0;
    if (p[2] >= 0x90 && p[2] <= 0x99)
        *ascii = (unsigned char)('0' + (p[2] - 0x90));
    else if (p[2] == 0x8B)
        *ascii = '+';
    else if (p[2] == 0x8C)
        *ascii = ',';
    else if (p[2] == 0x8D)
        *ascii = '-';
    else if (p[2] == 0x8E)
        *ascii = '.';
    else
        return 0;
    return 1;
}

/* Length of a blank at p (ASCII space/tab/CR/LF, or U+3000), 0 if none. */
static size_t blank_len(const unsigned char *p, const unsigned char *end)
{
    if (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        return 1;
    if (end - p >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
        return 3;
    return 0;
}

/* Next character as ASCII (normalising full-width when allowed); returns its byte length. */
static size_t next_char(const unsigned char *p, const unsigned char *end, unsigned flags,
                        unsigned char *c, int *fw)
{
    if (p >= end)
        return 0;
    if ((flags & BK_DECIMAL_FULLWIDTH) && fullwidth_char(p, end, c)) {
        *fw = 1;
        return 3;
    }
    *c = *p;
    return 1;
}

bk_decimal_status bk_decimal_parse(const char *s, size_t len, unsigned flags, bk_decimal *out,
                                   int *used_fullwidth)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    int fw = 0;
    if (flags & BK_DECIMAL_TRIM) {
        size_t b;
        while ((b = blank_len(p, end)) != 0)
            p += b;
        while (end > p) {
            if (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n')
                end--;
            else if (end - p >= 3 && end[-3] == 0xE3 && end[-2] == 0x80 && end[-1] == 0x80)
                end -= 3;
            else
                break;
        }
    }
    if (p == end)
        return BK_DECIMAL_EMPTY;

    unsigned char c = 0;
    size_t n = next_char(p, end, flags, &c, &fw);
    int negative = 0;
    if (c == '-' || c == '+') {
        negative = c == '-';
        p += n;
    }
    uint64_t mag = 0;
    int digits = 0, scale = 0, in_fraction = 0, group = -1; /* digits since last separator */
    int any_separator = 0, int_digits = 0;
    while (p < end) {
        n = next_char(p, end, flags, &c, &fw);
        if (c >= '0' && c <= '9') {
            if (mag > (UINT64_MAX - 9) / 10)
                return BK_DECIMAL_OVERFLOW;
            mag = mag * 10 + (uint64_t)(c - '0');
            digits++;
            if (in_fraction) {
                if (++scale > BK_DECIMAL_MAX_SCALE)
                    return BK_DECIMAL_OVERFLOW;
            } else {
                int_digits++;
                if (group >= 0)
                    group++;
            }
        } else if (c == ',' && (flags & BK_DECIMAL_THOUSANDS) && !in_fraction) {
            /* A separator follows a first group of 1-3 digits or a full group of 3. */
            if (int_digits == 0 || (group >= 0 && group != 3) || (group < 0 && int_digits > 3))
                return BK_DECIMAL_SYNTAX;
            group = 0;
            any_separator = 1;
        } else if (c == '.' && !in_fraction) {
            if (int_digits == 0 || (any_separator && group != 3))
                return BK_DECIMAL_SYNTAX;
            in_fraction = 1;
        } else {
            return BK_DECIMAL_SYNTAX;
        }
        p += n;
    }
    if (digits == 0 || (in_fraction && scale == 0) || (any_separator && !in_fraction && group != 3))
        return BK_DECIMAL_SYNTAX;
    if (mag > (uint64_t)INT64_MAX)
        return BK_DECIMAL_OVERFLOW;
    out->units = negative ? -(int64_t)mag : (int64_t)mag;
    out->scale = scale;
    if (used_fullwidth)
        *used_fullwidth = fw;
    return BK_DECIMAL_OK;
}

size_t bk_decimal_format(bk_decimal d, int grouped, char *buf, size_t cap)
{
    char tmp[BK_DECIMAL_BUFSIZE];
    size_t n = 0;
    uint64_t mag = d.units < 0 ? (uint64_t)0 - (uint64_t)d.units : (uint64_t)d.units;
    int scale = d.scale < 0 ? 0 : (d.scale > BK_DECIMAL_MAX_SCALE ? BK_DECIMAL_MAX_SCALE : d.scale);
    /* Digits in reverse, then reversed into buf. */
    int pos = 0, int_digits = 0;
    do {
        if (pos == scale && scale > 0)
            tmp[n++] = '.';
        if (pos >= scale) {
            if (grouped && int_digits > 0 && int_digits % 3 == 0)
                tmp[n++] = ',';
            int_digits++;
        }
        tmp[n++] = (char)('0' + mag % 10);
        mag /= 10;
        pos++;
    } while (mag != 0 || pos <= scale);
    if (d.units < 0)
        tmp[n++] = '-';
    size_t out = 0;
    if (cap == 0)
        return 0;
    while (n > 0 && out + 1 < cap)
        buf[out++] = tmp[--n];
    buf[out] = '\0';
    return out;
}

bk_decimal_status bk_decimal_rescale(bk_decimal d, int32_t scale, bk_decimal *out)
{
    if (scale < d.scale)
        return BK_DECIMAL_SYNTAX;
    if (scale > BK_DECIMAL_MAX_SCALE)
        return BK_DECIMAL_OVERFLOW;
    int64_t v;
    if (__builtin_mul_overflow(d.units, pow10_table[scale - d.scale], &v))
        return BK_DECIMAL_OVERFLOW;
    out->units = v;
    out->scale = scale;
    return BK_DECIMAL_OK;
}

static bk_decimal_status align(bk_decimal *a, bk_decimal *b)
{
    int32_t s = a->scale > b->scale ? a->scale : b->scale;
    bk_decimal_status st = bk_decimal_rescale(*a, s, a);
    if (st == BK_DECIMAL_OK)
        st = bk_decimal_rescale(*b, s, b);
    return st;
}

/* a + b, or a - b: both at the finer of their scales, then exact or refused. */
static bk_decimal_status add_or_sub(bk_decimal a, bk_decimal b, int subtract, bk_decimal *out)
{
    bk_decimal_status st = align(&a, &b);
    if (st != BK_DECIMAL_OK)
        return st;
    int overflow = subtract ? __builtin_sub_overflow(a.units, b.units, &out->units)
                            : __builtin_add_overflow(a.units, b.units, &out->units);
    if (overflow)
        return BK_DECIMAL_OVERFLOW;
    out->scale = a.scale;
    return BK_DECIMAL_OK;
}

bk_decimal_status bk_decimal_add(bk_decimal a, bk_decimal b, bk_decimal *out)
{
    return add_or_sub(a, b, 0, out);
}

bk_decimal_status bk_decimal_sub(bk_decimal a, bk_decimal b, bk_decimal *out)
{
    return add_or_sub(a, b, 1, out);
}

int bk_decimal_cmp(bk_decimal a, bk_decimal b)
{
    /* 128-bit products cannot overflow: |units| < 2^63 and 10^18 < 2^60. */
    __int128 x = (__int128)a.units, y = (__int128)b.units;
    if (a.scale < b.scale)
        x *= pow10_table[b.scale - a.scale];
    else if (b.scale < a.scale)
        y *= pow10_table[a.scale - b.scale];
    return (x > y) - (x < y);
}

bk_decimal_status bk_decimal_percent(bk_decimal a, bk_decimal b, int32_t scale, bk_decimal *out)
{
    if (b.units == 0)
        return BK_DECIMAL_SYNTAX;
    if (scale < 0 || scale > BK_DECIMAL_MAX_SCALE || a.scale < 0 || b.scale < 0)
        return BK_DECIMAL_OVERFLOW;
    /* result·10^scale = a.units·100·10^(scale + b.scale) / (b.units·10^a.scale) */
    int e = scale + b.scale;
    __int128 num = (__int128)a.units * 100, den = (__int128)b.units;
    for (int i = 0; i < e; i++)
        if (__builtin_mul_overflow(num, (__int128)10, &num))
            return BK_DECIMAL_OVERFLOW;
    for (int i = 0; i < a.scale; i++)
        if (__builtin_mul_overflow(den, (__int128)10, &den))
            return BK_DECIMAL_OVERFLOW;
    int neg = (num < 0) != (den < 0);
    if (num < 0)
        num = -num;
    if (den < 0)
        den = -den;
    __int128 q = num / den, r = num % den;
    if (r * 2 >= den)
        q++;
    if (q > (__int128)INT64_MAX)
        return BK_DECIMAL_OVERFLOW;
    out->units = neg ? -(int64_t)q : (int64_t)q;
    out->scale = scale;
    return BK_DECIMAL_OK;
}
