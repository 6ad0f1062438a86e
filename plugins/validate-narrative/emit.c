/* Findings of the narrative validator: where the text says it, which cell of which table it was
 * compared with, and two full sentences. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "budgetkit/alloc.h"
#include "nv.h"

void nv_emit(nv_run *run, const nv_report *r)
{
    if (run->status != BK_OK)
        return;
    const bk_doc *doc = run->doc;
    bk_finding f;
    memset(&f, 0, sizeof f);
    f.rule = r->rule;
    f.severity = r->severity == BK_SEV_ROUNDING && run->strict ? BK_SEV_ERROR : r->severity;
    f.document = doc->source;
    int dept = bk_doc_unit_of_kind(doc, BK_UNIT_DEPARTMENT);
    f.unit = dept >= 0 ? doc->units[dept].name : NULL;
    if (r->cell && r->cell->table) {
        const bk_table *t = r->cell->table;
        const bk_row *row = &t->rows[r->cell->row];
        f.table = t->tpl->id;
        f.row = row->code ? row->code : row->name;
        if (row->kind == BK_ROW_UNIT && row->unit < doc->nunits)
            f.row = doc->units[row->unit].name;
        f.column = t->tpl->columns[r->cell->col].id;
        f.line = row->line;
        if (row->unit < doc->nunits)
            f.unit = doc->units[row->unit].name;
    }
    f.has_values = r->has_values;
    f.expected = r->expected;
    f.actual = r->actual;
    f.difference = r->difference;
    f.bound = r->bound;
    f.parts = r->parts;
    f.message_en = bk_strbuf_str(&run->en);
    f.message_zh = bk_strbuf_str(&run->zh);
    bk_strbuf_clear(&run->quote);
    bk_strbuf_clear(&run->fig);
    if (r->part) {
        f.part = r->part->title ? r->part->title : "";
        if (r->sent) {
            bk_strbuf_add(&run->quote, "%.*s", (int)(r->sent->end - r->sent->start),
                          r->part->text + r->sent->start);
            f.quote = bk_strbuf_str(&run->quote);
        }
        if (r->fig) {
            bk_strbuf_add(&run->fig, "%.*s", (int)(r->fig->end - r->fig->start),
                          r->part->text + r->fig->start);
            f.figure = bk_strbuf_str(&run->fig);
        }
    }
    if (run->en.failed || run->zh.failed || run->quote.failed || run->fig.failed) {
        run->status = bk_error_set(bk_validation_error(run->job), BK_E_NOMEM, "out of memory");
        return;
    }
    run->status = bk_validation_add(run->job, &f);
}
