/* Corrected documents for review: the inputs again, with the cells the explanations of a
 * validation report name set to the values that make their identities hold. */
#include <string.h>

#include "budgetkit/context.h"
#include "inputs.h"
#include "jobs.h"

typedef struct fixer {
    const bk_report *report;
    size_t applied, left;
} fixer;

static int same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static int applicable(const bk_finding *f)
{
    return same_text(f->confidence, BK_EXPLAIN_ONLY_CELL) ||
           same_text(f->confidence, BK_EXPLAIN_ONLY_PAIR);
}

static bk_status fix_doc(bk_doc *doc, void *user, bk_error *err)
{
    fixer *fx = user;
    for (size_t i = 0; i < bk_report_count(fx->report); i++) {
        const bk_finding *f = bk_report_at(fx->report, i);
        if (!same_text(f->rule, "explain.likely-cell") || !same_text(f->document, doc->source) ||
            !f->has_values)
            continue;
        if (!applicable(f)) {
            fx->left++;
            continue;
        }
        bk_table *t = bk_doc_table(doc, f->table ? f->table : "");
        int col = t ? bk_template_column(t->tpl, f->column ? f->column : "") : -1;
        bk_cell *c = t && col >= 0 && f->row_no >= 1 && f->row_no <= t->nrows
                         ? bk_table_cell(t, f->row_no - 1, (size_t)col) : NULL;
        /* The document is read a second time: it must still print what was validated. */
        if (!c || c->kind != BK_CELL_NUMBER || c->v.units != f->actual.units ||
            c->scale != f->actual.scale) {
            bk_error_at(err, doc->source ? doc->source : "-", f->line, 0, -1);
            return bk_error_set(err, BK_E_CONTENT, "%s row %s column %s no longer holds the "
                                "validated figure: the input changed while it was read",
                                f->table ? f->table : "?", f->row ? f->row : "?",
                                f->column ? f->column : "?");
        }
        bk_status st = bk_table_set_number(t, f->row_no - 1, (size_t)col, f->expected);
        if (st != BK_OK)
            return bk_error_set(err, st, "cannot set %s row %s column %s", f->table, f->row,
                                f->column);
        fx->applied++;
    }
    return BK_OK;
}

bk_status bk_fix_suggestions(bk_ctx *ctx, const char *const *inputs, size_t ninputs,
                             const char *from, const bk_report *report, const char *output,
                             const char *to, size_t *applied, size_t *left, bk_error *err)
{
    if (bk_output_is_folder(output)) {
        bk_error_at(err, output, 0, 0, -1);
        return bk_error_set(err, BK_E_USAGE, "the corrected document goes to a file, not a "
                            "folder (a folder could hold the input)");
    }
    for (size_t i = 0; i < ninputs; i++)
        if (strcmp(inputs[i], "-") == 0)
            return bk_error_set(err, BK_E_USAGE, "corrections need the input as a file: standard "
                                "input cannot be read a second time");
    bk_status st = bk_inputs_refuse_output(inputs, ninputs, output,
                                           "the corrected document is written for review, never "
                                           "over its input: name another file",
                                           err);
    if (st != BK_OK)
        return st;
    fixer fx = {report, 0, 0};
    st = bk_convert_edit(ctx, inputs, ninputs, output, from, to, fix_doc, &fx, NULL, err);
    if (applied)
        *applied = fx.applied;
    if (left)
        *left = fx.left;
    return st;
}
