/* Columns a document defines, gathered by a reader before the table is made (model.h). */
#include <string.h>

#include "budgetkit/budgetkit.h"

#define MAX_LABELS 8 /* header rows of a printed table, and of a column path everywhere */

struct bk_column_list {
    bk_column *cols; /* ids and labels owned by the list */
    size_t n, cap;
    const char **labels;   /* every column's, in order; cols[i].path points in here when defined */
    size_t *first;         /* each column's first label */
    size_t nlabels, labels_cap, first_cap;
};

static const char *const type_names[] = {[BK_COL_AMOUNT] = "amount",
                                         [BK_COL_PERCENT] = "percent", [BK_COL_TEXT] = "text"};

const char *bk_column_type_name(int type)
{
    return type >= 0 && type <= BK_COL_TEXT ? type_names[type] : "amount";
}

int bk_column_type_parse(const char *s)
{
    if (!s || !*s)
        return BK_COL_AMOUNT;
    for (int t = 0; t <= BK_COL_TEXT; t++)
        if (strcmp(s, type_names[t]) == 0)
            return t;
    return -1;
}

bk_column_list *bk_column_list_new(void) { return bk_calloc(1, sizeof(bk_column_list)); }

void bk_column_list_clear(bk_column_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        bk_free((char *)l->cols[i].id);
    for (size_t i = 0; i < l->nlabels; i++)
        bk_free((char *)l->labels[i]);
    l->n = l->nlabels = 0;
}

void bk_column_list_free(bk_column_list *l)
{
    if (!l)
        return;
    bk_column_list_clear(l);
    bk_free(l->cols);
    bk_free(l->labels);
    bk_free(l->first);
    bk_free(l);
}

size_t bk_column_list_count(const bk_column_list *l) { return l->n; }

const bk_column *bk_column_list_last(const bk_column_list *l)
{
    return l->n ? &l->cols[l->n - 1] : NULL;
}

bk_status bk_column_list_add(bk_column_list *l, const bk_template *base, const char *id,
                             int type, bk_error *err)
{
    if (base && bk_template_column(base, id) >= 0)
        return bk_error_set(err, BK_E_CONTENT, "column \"%.64s\" is already a column of %s", id,
                            base->id);
    for (size_t c = 0; c < l->n; c++)
        if (strcmp(l->cols[c].id, id) == 0)
            return bk_error_set(err, BK_E_CONTENT, "column \"%.64s\" is defined twice", id);
    if (l->n + (base ? base->ncolumns : 0) >= BK_MAX_COLUMNS)
        return bk_error_set(err, BK_E_LIMIT, "the table has more than %d columns",
                            BK_MAX_COLUMNS);
    char *copy = bk_strdup(id);
    if (!copy || bk_grow((void **)&l->cols, &l->cap, l->n + 1, sizeof *l->cols) ||
        bk_grow((void **)&l->first, &l->first_cap, l->n + 1, sizeof *l->first)) {
        bk_free(copy);
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    }
    l->first[l->n] = l->nlabels;
    l->cols[l->n++] = (bk_column){.id = copy, .type = type};
    return BK_OK;
}

bk_status bk_column_list_label(bk_column_list *l, const char *label, bk_error *err)
{
    if (!l->n)
        return bk_error_set(err, BK_E_USAGE, "a label before any column");
    bk_column *col = &l->cols[l->n - 1];
    if (col->path_len >= MAX_LABELS)
        return bk_error_set(err, BK_E_CONTENT, "a column has at most %d labels", MAX_LABELS);
    char *copy = bk_strdup(label);
    if (!copy ||
        bk_grow((void **)&l->labels, &l->labels_cap, l->nlabels + 1, sizeof *l->labels)) {
        bk_free(copy);
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    }
    l->labels[l->nlabels++] = copy;
    col->path_len++;
    return BK_OK;
}

const bk_template *bk_column_list_define(const bk_column_list *l, bk_doc *doc,
                                         const bk_template *base, const char *id,
                                         const char *title)
{
    /* The labels are final now: each column's path points at its own. */
    for (size_t c = 0; c < l->n; c++)
        l->cols[c].path = l->labels + l->first[c];
    return bk_doc_define_template(doc, base, id, title, l->cols, l->n);
}
