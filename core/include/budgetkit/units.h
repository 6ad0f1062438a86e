/* A document's figures in another money unit: exact, and rounded only when asked.
 *
 * Tables print in 元 or 万元 (the 三公 table in 万元 inside a 元 document is normal); a reader
 * may want one unit throughout. 万元 → 元 moves the decimal point; 元 → 万元 keeps every digit
 * (31,214,205.80 元 is 3121.420580 万元). Rounding is a separate, explicit step. */
#ifndef BUDGETKIT_UNITS_H
#define BUDGETKIT_UNITS_H

#include <stddef.h>

#include "api.h"
#include "error.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Express every amount cell of doc in unit ("万元" or "元"), each table from its own unit, and
 * make unit the document's (no table keeps one of its own). BK_E_USAGE for another unit,
 * BK_E_LIMIT when a figure does not fit; doc is then unchanged. */
BK_API bk_status bk_doc_convert_money(bk_doc *doc, const char *unit, bk_error *err);

/* Round every amount cell with more than `decimals` decimals to that many, half away from zero
 * (0.005 → 0.01, −0.005 → −0.01); *changed counts the cells whose value changed. */
BK_API bk_status bk_doc_round_amounts(bk_doc *doc, int decimals, size_t *changed, bk_error *err);

#ifdef __cplusplus
}
#endif
#endif
