/* Money units: 万元 and 元 are a factor of 10⁴ apart, converted by moving the decimal point. */
#ifndef BK_MONEY_H
#define BK_MONEY_H

#include "budgetkit/decimal.h"
#include "budgetkit/error.h"

/* 0 when no conversion is wanted (want NULL or equal); +4 for 万元 → 元; -4 for 元 → 万元. */
int bk_money_shift(const char *have, const char *want);
/* Exact conversion of an amount; BK_E_LIMIT (err set) when it does not fit. */
bk_status bk_money_convert(bk_decimal in, int shift, bk_decimal *out, bk_error *err);

#endif
