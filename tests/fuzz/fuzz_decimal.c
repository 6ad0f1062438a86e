/* libFuzzer target: bk_decimal_parse and bk_decimal_format.
 *
 * The first byte chooses the parse flags and whether to format with thousands separators; the
 * rest is the text. Properties checked on every accepted input:
 *   - parse → format → parse gives the same units and scale (grouped output read back with
 *     BK_DECIMAL_THOUSANDS);
 *   - the formatted text fits BK_DECIMAL_BUFSIZE and holds only ASCII digits, '-', '.', ',';
 *   - nothing with an exponent, NaN, infinity or hex was accepted;
 *   - x - x = 0, x + 0 = x, and x compares equal to itself rescaled to the maximum scale. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budgetkit/decimal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *text, size_t len, bk_decimal d)
{
    fprintf(stderr, "decimal property broken: %s; input \"%.*s\" gave units %lld scale %d\n",
            what, (int)len, text, (long long)d.units, (int)d.scale);
    abort();
}

/* Letters that would mean an exponent, NaN, infinity or hex slipped through. */
static int has_forbidden_letter(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == 'e' || c == 'E' || c == 'n' || c == 'N' || c == 'i' || c == 'I' || c == 'x' ||
            c == 'X')
            return 1;
    }
    return 0;
}

static void check_format(bk_decimal d, int grouped, unsigned flags, const char *text,
                         size_t len)
{
    char buf[BK_DECIMAL_BUFSIZE];
    size_t n = bk_decimal_format(d, grouped, buf, sizeof buf);
    if (n + 1 >= sizeof buf || strlen(buf) != n)
        fail("formatted text does not fit BK_DECIMAL_BUFSIZE", text, len, d);
    for (size_t i = 0; i < n; i++)
        if (!((buf[i] >= '0' && buf[i] <= '9') || buf[i] == '-' || buf[i] == '.' ||
              (grouped && buf[i] == ',')))
            fail("formatted text holds an unexpected character", text, len, d);
    unsigned back_flags = (flags & ~(unsigned)BK_DECIMAL_THOUSANDS) |
                          (grouped ? BK_DECIMAL_THOUSANDS : 0u);
    bk_decimal again;
    if (bk_decimal_parse(buf, n, back_flags, &again, NULL) != BK_DECIMAL_OK)
        fail("formatted text is not read back", text, len, d);
    if (again.units != d.units || again.scale != d.scale)
        fail("formatted text reads back as another value", text, len, d);
}

static void check_arithmetic(bk_decimal d, const char *text, size_t len)
{
    bk_decimal r, zero = {0, 0};
    if (bk_decimal_sub(d, d, &r) != BK_DECIMAL_OK || r.units != 0 || r.scale != d.scale)
        fail("x - x is not zero at x's scale", text, len, d);
    if (bk_decimal_add(d, zero, &r) != BK_DECIMAL_OK || r.units != d.units || r.scale != d.scale)
        fail("x + 0 is not x", text, len, d);
    if (bk_decimal_cmp(d, d) != 0)
        fail("x does not compare equal to itself", text, len, d);
    if (bk_decimal_rescale(d, BK_DECIMAL_MAX_SCALE, &r) == BK_DECIMAL_OK &&
        bk_decimal_cmp(d, r) != 0)
        fail("x rescaled does not compare equal to x", text, len, d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unsigned flags = data[0] & (BK_DECIMAL_THOUSANDS | BK_DECIMAL_FULLWIDTH | BK_DECIMAL_TRIM);
    int grouped = (data[0] & 0x8) != 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    bk_decimal d;
    int fw = -1;
    bk_decimal_status st = bk_decimal_parse(text, len, flags, &d, &fw);
    if (st != BK_DECIMAL_OK)
        return 0;
    if (fw != 0 && fw != 1)
        fail("used_fullwidth was not set", text, len, d);
    if (fw && !(flags & BK_DECIMAL_FULLWIDTH))
        fail("full-width characters accepted without BK_DECIMAL_FULLWIDTH", text, len, d);
    if (has_forbidden_letter(text, len))
        fail("an exponent, NaN, infinity or hex number was accepted", text, len, d);
    if (d.scale < 0 || d.scale > BK_DECIMAL_MAX_SCALE)
        fail("scale out of range", text, len, d);
    check_format(d, grouped, flags, text, len);
    check_format(d, !grouped, flags, text, len);
    check_arithmetic(d, text, len);
    return 0;
}
