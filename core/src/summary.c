/* Summary figures of a document (summary.h). */
#include "budgetkit/summary.h"

#include <string.h>

#include "budgetkit/template.h"

int bk_table_grand_total(const bk_doc *doc, const bk_table *t, bk_decimal *total)
{
    int amount = bk_template_column(t->tpl, "total");
    for (size_t c = 0; c < t->tpl->ncolumns && amount < 0; c++)
        if (t->tpl->columns[c].type == BK_COL_AMOUNT)
            amount = (int)c;
    if (amount < 0)
        return 0;
    long pick = -1;
    for (size_t r = 0; r < t->nrows; r++) {
        const bk_row *row = &t->rows[r];
        if (row->kind == BK_ROW_UNIT && row->unit < doc->nunits &&
            doc->units[row->unit].kind == BK_UNIT_DEPARTMENT) {
            pick = (long)r;
            break;
        }
        if (row->kind == BK_ROW_TOTAL)
            pick = (long)r;
    }
    if (pick < 0)
        return 0;
    const bk_cell *cell = bk_table_cell(t, (size_t)pick, (size_t)amount);
    if (cell->kind != BK_CELL_NUMBER)
        return 0;
    *total = bk_cell_decimal(cell);
    return 1;
}

static int total_of(const bk_doc *doc, const char *id, bk_decimal *out)
{
    const bk_table *t = bk_doc_table(doc, id);
    return t && bk_table_grand_total(doc, t, out);
}

void bk_doc_summary(const bk_doc *doc, bk_summary *out)
{
    memset(out, 0, sizeof *out);
    out->fiscal_year = doc->fiscal_year;
    out->department = doc->dept_name;
    out->dept_code = doc->dept_code;
    out->money_unit = doc->money_unit;
    out->precision = doc->precision;
    out->units = doc->nunits;
    out->tables = doc->ntables;
    out->cells = bk_doc_cell_count(doc);
    out->goals = doc->performance.present ? doc->performance.ngoals : 0;
    out->indicators = doc->performance.present ? doc->performance.nindicators : 0;
    out->narrative_parts = doc->nnarrative;
    static const char *const grand[] = {"T01", "T02", "T07", "T08", "T06"};
    for (size_t i = 0; i < sizeof grand / sizeof *grand && !out->has_grand_total; i++)
        out->has_grand_total = total_of(doc, grand[i], &out->grand_total);
    out->has_basic = total_of(doc, "T04", &out->basic);
    out->has_project = total_of(doc, "T05", &out->project);
}
