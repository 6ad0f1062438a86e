/* A document's figures in another money unit (units.h). */
#include <stdint.h>
#include <string.h>

#include "budgetkit/budgetkit.h"
#include "budgetkit/units.h"
#include "money.h"

static int known_unit(const char *u) { return u && (!strcmp(u, "万元") || !strcmp(u, "元")); }

/* Every amount cell of every table, converted into out[] first: a figure that does not fit
 * leaves the document as it was. */
bk_status bk_doc_convert_money(bk_doc *doc, const char *unit, bk_error *err)
{
    if (!known_unit(unit))
        return bk_error_set(err, BK_E_USAGE, "the money unit is 万元 or 元, not \"%s\"",
                            unit ? unit : "");
    for (size_t t = 0; t < doc->ntables; t++) {
        const bk_table *tb = doc->tables[t];
        const char *have = tb->money_unit ? tb->money_unit : doc->money_unit;
        if (!known_unit(have))
            return bk_error_set(err, BK_E_USAGE, "table %s is in %s, which cannot be converted",
                                tb->tpl->id, have ? have : "no unit");
    }
    const char *u = bk_doc_intern_cstr(doc, unit);
    if (!u)
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    /* Two passes: check that every figure fits, then write. */
    for (int write = 0; write < 2; write++) {
        for (size_t t = 0; t < doc->ntables; t++) {
            bk_table *tb = doc->tables[t];
            int shift = bk_money_shift(tb->money_unit ? tb->money_unit : doc->money_unit, unit);
            for (size_t c = 0; shift && c < tb->tpl->ncolumns; c++) {
                if (tb->tpl->columns[c].type != BK_COL_AMOUNT)
                    continue;
                for (size_t r = 0; r < tb->nrows; r++) {
                    bk_cell *cell = bk_table_cell(tb, r, c);
                    if (cell->kind != BK_CELL_NUMBER)
                        continue;
                    bk_decimal d;
                    if (bk_money_convert(bk_cell_decimal(cell), shift, &d, err) != BK_OK) {
                        bk_error_where(err, "%s row %zu column %s", tb->tpl->id, r + 1,
                                       tb->tpl->columns[c].id);
                        return err->code;
                    }
                    if (write)
                        cell->v.units = d.units, cell->scale = (uint8_t)d.scale;
                }
            }
        }
    }
    int precision = 0;
    for (size_t t = 0; t < doc->ntables; t++) {
        bk_table *tb = doc->tables[t];
        tb->money_unit = NULL;
        for (size_t c = 0; c < tb->tpl->ncolumns; c++)
            for (size_t r = 0; tb->tpl->columns[c].type == BK_COL_AMOUNT && r < tb->nrows; r++) {
                const bk_cell *cell = bk_table_cell(tb, r, c);
                if (cell->kind == BK_CELL_NUMBER && cell->scale > precision)
                    precision = cell->scale;
            }
    }
    doc->money_unit = u;
    doc->precision = precision;
    return BK_OK;
}

bk_status bk_doc_round_amounts(bk_doc *doc, int decimals, size_t *changed, bk_error *err)
{
    if (decimals < 0 || decimals > BK_DECIMAL_MAX_SCALE)
        return bk_error_set(err, BK_E_USAGE, "rounding keeps 0 to %d decimals, not %d",
                            BK_DECIMAL_MAX_SCALE, decimals);
    size_t n = 0;
    for (size_t t = 0; t < doc->ntables; t++) {
        bk_table *tb = doc->tables[t];
        for (size_t c = 0; c < tb->tpl->ncolumns; c++) {
            if (tb->tpl->columns[c].type != BK_COL_AMOUNT)
                continue;
            for (size_t r = 0; r < tb->nrows; r++) {
                bk_cell *cell = bk_table_cell(tb, r, c);
                if (cell->kind != BK_CELL_NUMBER || cell->scale <= decimals)
                    continue;
                int64_t div = 1;
                for (int k = decimals; k < cell->scale; k++)
                    div *= 10; /* scale ≤ 18: fits */
                int64_t q = cell->v.units / div, rem = cell->v.units % div;
                /* Half away from zero; |rem| < div ≤ 10^18, so 2·|rem| fits. */
                uint64_t twice = 2 * (uint64_t)(rem < 0 ? -rem : rem);
                if (twice >= (uint64_t)div)
                    q += cell->v.units < 0 ? -1 : 1;
                n += rem != 0;
                cell->v.units = q;
                cell->scale = (uint8_t)decimals;
            }
        }
    }
    if (doc->precision > decimals)
        doc->precision = decimals;
    if (changed)
        *changed = n;
    return BK_OK;
}
