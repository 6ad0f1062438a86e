/* Money unit conversion, exact: no figure is rounded. */
#include "money.h"

#include <stdint.h>
#include <string.h>

int bk_money_shift(const char *have, const char *want)
{
    if (!want || !have || strcmp(have, want) == 0)
        return 0;
    return strcmp(have, "万元") == 0 ? 4 : -4;
}

bk_status bk_money_convert(bk_decimal in, int shift, bk_decimal *out, bk_error *err)
{
    *out = in;
    if (shift < 0) {
        out->scale = in.scale + 4;
        if (out->scale > BK_DECIMAL_MAX_SCALE)
            return bk_error_set(err, BK_E_LIMIT, "an amount has too many decimals for 万元");
    } else if (shift > 0) {
        int k = 4;
        /* Drop decimals first (12.3456 万元 is 123456 元), then multiply what is left. */
        for (; k > 0 && out->scale > 0; k--)
            out->scale--;
        for (; k > 0; k--) {
            if (out->units > INT64_MAX / 10 || out->units < INT64_MIN / 10)
                return bk_error_set(err, BK_E_LIMIT, "an amount is too large in 元");
            out->units *= 10;
        }
    }
    return BK_OK;
}
