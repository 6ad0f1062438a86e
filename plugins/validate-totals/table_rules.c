/* The sum rules a table template declares (formats/templates.md), and the 其中 rows. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "totals.h"

typedef struct rule_ctx {
    bktot_run *run;
    const bk_table *t;
    size_t index; /* 0-based position of the rule in the template */
    const char *name;
    json_t *rule;
} rule_ctx;

static bk_status rule_error(rule_ctx *rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bk_status rule_error(rule_ctx *rc, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    bk_error *err = bk_validation_error(rc->run->job);
    bk_error_at(err, rc->t->tpl->file, 0, 0, -1);
    bk_error_where(err, "template %s, rule %zu", rc->t->tpl->id, rc->index + 1);
    return bk_error_set(err, BK_E_CONTENT, "template %s: rule %zu (%s): %s", rc->t->tpl->id,
                        rc->index + 1, rc->name ? rc->name : "?", why);
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

int bktot_code_ok(const char *code)
{
    if (!code)
        return 0;
    size_t n = strlen(code);
    if (n != 3 && n != 5 && n != 7)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (code[i] < '0' || code[i] > '9')
            return 0;
    return 1;
}

int bktot_row_depth(const bk_row *r)
{
    if (bktot_code_ok(r->code))
        return (int)(strlen(r->code) + 1) / 2 - 1;
    return r->level;
}

/* ---- rule fields ---- */

/* A named column that holds numbers. */
static bk_status field_column(rule_ctx *rc, const char *field, int *out)
{
    json_t *v = json_object_get(rc->rule, field);
    if (!json_is_string(v))
        return rule_error(rc, "\"%s\" must name a column", field);
    int c = bk_template_column(rc->t->tpl, json_string_value(v));
    if (c < 0)
        return rule_error(rc, "column \"%s\" is not in the template", json_string_value(v));
    if (rc->t->tpl->columns[c].type == BK_COL_TEXT)
        return rule_error(rc, "column \"%s\" holds text, not figures", json_string_value(v));
    *out = c;
    return BK_OK;
}

/* "columns" if given, else every amount column. *out has room for all columns. */
static bk_status nomem(rule_ctx *rc)
{
    return bk_error_set(bk_validation_error(rc->run->job), BK_E_NOMEM, "out of memory");
}

/* The rule's figure columns, into *cols (allocated; the caller frees it even on an error). */
static bk_status field_columns(rule_ctx *rc, int **cols, size_t *n)
{
    const bk_template *tpl = rc->t->tpl;
    json_t *v = json_object_get(rc->rule, "columns");
    *n = 0;
    int *out = *cols = bk_calloc(tpl->ncolumns + 1, sizeof *out);
    if (!out)
        return nomem(rc);
    if (!v) {
        for (size_t i = 0; i < tpl->ncolumns; i++)
            if (tpl->columns[i].type == BK_COL_AMOUNT)
                out[(*n)++] = (int)i;
        return BK_OK;
    }
    if (!json_is_array(v) || json_array_size(v) > tpl->ncolumns)
        return rule_error(rc, "\"columns\" must be an array of column ids");
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
        int c = bk_template_column(tpl, json_is_string(e) ? json_string_value(e) : "");
        if (c < 0 || tpl->columns[c].type == BK_COL_TEXT)
            return rule_error(rc, "\"columns\" entry %zu is not a figure column of the template",
                              i + 1);
        out[(*n)++] = c;
    }
    return BK_OK;
}

static bk_status field_selector(rule_ctx *rc, const char *field, bktot_selector *s)
{
    char why[160];
    json_t *v = json_object_get(rc->rule, field);
    if (!json_is_object(v))
        return rule_error(rc, "\"%s\" must be a row selector (an object)", field);
    if (bktot_selector_parse(v, s, why, sizeof why) != 0)
        return rule_error(rc, "\"%s\": %s", field, why);
    return BK_OK;
}

/* ---- checks ---- */

/* One cell against a signed sum of cells; absent cells count as 0 and are not counted as
 * printed parts; nothing is checked when every cell is absent. */
typedef struct cellref {
    size_t row;
    int col;
    int negate;
} cellref;

static bk_status check_cells(rule_ctx *rc, const char *rule, size_t row, int col,
                             const cellref *parts, size_t n, const bktot_says *says,
                             bktot_style style)
{
    const bk_table *t = rc->t;
    bk_decimal total = {0, 0}, *vals = bk_calloc(n ? n : 1, sizeof *vals);
    int *neg = bk_calloc(n ? n : 1, sizeof *neg);
    bk_status st = BK_OK;
    if (!vals || !neg) {
        st = bk_error_set(bk_validation_error(rc->run->job), BK_E_NOMEM, "out of memory");
        goto done;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (bktot_cell(t, parts[i].row, parts[i].col, &vals[m])) {
            neg[m] = parts[i].negate;
            m++;
        }
    int has_total = bktot_cell(t, row, col, &total);
    if (!has_total && m == 0)
        goto done;
    bktot_check c;
    if (style == BKTOT_STYLE_EQUAL)
        bktot_check_equal(total, vals[0], &c);
    else
        bktot_check_sum(total, vals, neg, m, &c);
    bktot_ids *ids = rc->run->ids;
    bktot_ids_open(ids, style == BKTOT_STYLE_EQUAL ? BKTOT_I_EQUAL : BKTOT_I_SUM, rule);
    bktot_ids_term(ids, t, row, col, 0);
    for (size_t i = 0; i < n; i++)
        bktot_ids_term(ids, t, parts[i].row, parts[i].col, parts[i].negate ? 2 : 1);
    size_t finding = 0;
    if (c.verdict != BKTOT_EQUAL) {
        bktot_where w;
        bktot_where_cell(rc->run, t, row, col, &w, &rc->run->key, &rc->run->col);
        bktot_says s = *says;
        s.style = style;
        size_t before = bk_validation_last_id(rc->run->job);
        st = bktot_emit(rc->run->job, rc->run->strict, rule, &w, &c, &s);
        if (bk_validation_last_id(rc->run->job) != before)
            finding = bk_validation_last_id(rc->run->job);
    }
    bktot_ids_close(ids, t, row, col, c.verdict, finding);
done:
    bk_free(vals);
    bk_free(neg);
    return st;
}

static void join_columns(const bk_template *tpl, const int *cols, const int *neg, size_t n,
                         bk_strbuf *en, bk_strbuf *zh)
{
    bk_strbuf_clear(en);
    bk_strbuf_clear(zh);
    for (size_t i = 0; i < n; i++) {
        const char *op = i == 0 ? "" : (neg && neg[i]) ? " − " : " + ";
        bk_strbuf_add(en, "%s%s", op, tpl->columns[cols[i]].id);
        bk_strbuf_add(zh, "%s", op);
        bktot_column_header(tpl, cols[i], zh);
    }
}

static void join_rows(const bk_table *t, const size_t *rows, const int *neg, size_t n,
                      bk_strbuf *out)
{
    bk_strbuf_clear(out);
    for (size_t i = 0; i < n; i++) {
        bk_strbuf_add(out, "%s", i == 0 ? "" : (neg && neg[i]) ? " − " : " + ");
        bktot_row_key(t, rows[i], out);
    }
}

/* ---- columns-sum, difference, percent: within each row ---- */

static bk_status columns_rule(rule_ctx *rc, const char *rule, int total, const int *cols,
                              const int *neg, size_t n, const char *en, const char *zh)
{
    bk_strbuf pen, pzh;
    bk_strbuf_init(&pen);
    bk_strbuf_init(&pzh);
    join_columns(rc->t->tpl, cols, neg, n, &pen, &pzh);
    bktot_says says = {BKTOT_STYLE_SUM,     en,   zh,  bk_strbuf_str(&pen),
                       bk_strbuf_str(&pzh), NULL, NULL};
    cellref *refs = bk_calloc(n ? n : 1, sizeof *refs);
    bk_status st = refs ? BK_OK : bk_error_set(bk_validation_error(rc->run->job), BK_E_NOMEM,
                                               "out of memory");
    for (size_t r = 0; st == BK_OK && r < rc->t->nrows; r++) {
        for (size_t i = 0; i < n; i++)
            refs[i] = (cellref){r, cols[i], neg ? neg[i] : 0};
        st = check_cells(rc, rule, r, total, refs, n, &says, BKTOT_STYLE_SUM);
    }
    bk_free(refs);
    bk_strbuf_free(&pen);
    bk_strbuf_free(&pzh);
    return st;
}

static bk_status rule_columns_sum(rule_ctx *rc)
{
    int total;
    bk_status st = field_column(rc, "total", &total);
    if (st != BK_OK)
        return st;
    json_t *parts = json_object_get(rc->rule, "parts");
    size_t n = json_array_size(parts);
    if (!json_is_array(parts) || n == 0 || n > rc->t->tpl->ncolumns)
        return rule_error(rc, "\"parts\" must be a non-empty array of column ids");
    int *cols = bk_calloc(n, sizeof *cols);
    if (!cols)
        return nomem(rc);
    for (size_t i = 0; i < n && st == BK_OK; i++) {
        json_t *e = json_array_get(parts, i);
        int c = bk_template_column(rc->t->tpl, json_is_string(e) ? json_string_value(e) : "");
        if (c < 0 || rc->t->tpl->columns[c].type == BK_COL_TEXT)
            st = rule_error(rc, "\"parts\" entry %zu is not a figure column of the template",
                            i + 1);
        cols[i] = c;
    }
    if (st == BK_OK)
        st = columns_rule(rc, RULE_COLUMNS_SUM, total, cols, NULL, n, "its parts sum to",
                          "各组成列合计为");
    bk_free(cols);
    return st;
}

static bk_status rule_difference(rule_ctx *rc)
{
    int result, cols[2], neg[2] = {0, 1};
    bk_status st = field_column(rc, "result", &result);
    if (st == BK_OK)
        st = field_column(rc, "minuend", &cols[0]);
    if (st == BK_OK)
        st = field_column(rc, "subtrahend", &cols[1]);
    if (st != BK_OK)
        return st;
    return columns_rule(rc, RULE_DIFFERENCE, result, cols, neg, 2, "the subtraction gives",
                        "两列相减为");
}

static bk_status percent_base_zero(rule_ctx *rc, size_t r, int result, int den, bk_decimal p)
{
    bktot_run *run = rc->run;
    bktot_where w;
    bk_strbuf col;
    bk_strbuf_init(&col);
    bktot_column_header(rc->t->tpl, den, &col);
    bktot_where_cell(run, rc->t, r, result, &w, &run->key, &run->col);
    bk_strbuf_clear(&run->en);
    bk_strbuf_clear(&run->zh);
    bk_strbuf_add(&run->en,
                  "the base %s is 0, so the percentage cannot be computed; the table "
                  "prints ",
                  rc->t->tpl->columns[den].id);
    bk_strbuf_dec(&run->en, p);
    bk_strbuf_add(&run->zh, "基数「%s」为0，无法计算百分比；表中填报为", bk_strbuf_str(&col));
    bk_strbuf_dec(&run->zh, p);
    bk_strbuf_free(&col);
    if (run->en.failed || run->zh.failed)
        return bk_error_set(bk_validation_error(run->job), BK_E_NOMEM, "out of memory");
    return bktot_emit_note(run->job, RULE_PERCENT_BASE, BK_SEV_INFO, &w, &p,
                           bk_strbuf_str(&run->en), bk_strbuf_str(&run->zh));
}

static bk_status rule_percent(rule_ctx *rc)
{
    int result, num, den;
    bk_status st = field_column(rc, "result", &result);
    if (st == BK_OK)
        st = field_column(rc, "numerator", &num);
    if (st == BK_OK)
        st = field_column(rc, "denominator", &den);
    if (st != BK_OK)
        return st;
    const bk_template *tpl = rc->t->tpl;
    bk_strbuf en, zh;
    bk_strbuf_init(&en);
    bk_strbuf_init(&zh);
    bk_strbuf_add(&en, "%s / %s × 100", tpl->columns[num].id, tpl->columns[den].id);
    bktot_column_header(tpl, num, &zh);
    bk_strbuf_add(&zh, "÷");
    bktot_column_header(tpl, den, &zh);
    bk_strbuf_add(&zh, "×100");
    bktot_says says = {
        BKTOT_STYLE_PERCENT, bk_strbuf_str(&en), bk_strbuf_str(&zh), NULL, NULL, NULL, NULL};
    for (size_t r = 0; st == BK_OK && r < rc->t->nrows; r++) {
        bk_decimal p, a, b;
        if (!bktot_cell(rc->t, r, result, &p) || !bktot_cell(rc->t, r, num, &a) ||
            !bktot_cell(rc->t, r, den, &b))
            continue;
        bktot_check c;
        bktot_check_percent(p, a, b, &c);
        bktot_ids_open(rc->run->ids, BKTOT_I_PERCENT, RULE_PERCENT);
        bktot_ids_term(rc->run->ids, rc->t, r, result, 0);
        bktot_ids_term(rc->run->ids, rc->t, r, num, 1);
        bktot_ids_term(rc->run->ids, rc->t, r, den, 2);
        size_t finding = 0, before = bk_validation_last_id(rc->run->job);
        if (c.verdict == BKTOT_BASE_ZERO) {
            st = percent_base_zero(rc, r, result, den, p);
        } else if (c.verdict != BKTOT_EQUAL) {
            bktot_where w;
            bktot_where_cell(rc->run, rc->t, r, result, &w, &rc->run->key, &rc->run->col);
            st = bktot_emit(rc->run->job, rc->run->strict, RULE_PERCENT, &w, &c, &says);
        }
        if (bk_validation_last_id(rc->run->job) != before)
            finding = bk_validation_last_id(rc->run->job);
        bktot_ids_close(rc->run->ids, rc->t, r, result, c.verdict, finding);
    }
    bk_strbuf_free(&en);
    bk_strbuf_free(&zh);
    return st;
}

/* ---- the hierarchy of item rows ---- */

typedef struct coded {
    size_t row;
    uint16_t unit;
    const char *section, *code;
} coded;

static int cmp_str0(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int cmp_coded(const void *x, const void *y)
{
    const coded *a = x, *b = y;
    if (a->unit != b->unit)
        return a->unit < b->unit ? -1 : 1;
    int c = cmp_str0(a->section, b->section);
    if (c)
        return c;
    c = strcmp(a->code, b->code);
    if (c)
        return c;
    return (a->row > b->row) - (a->row < b->row);
}

static int cmp_coded_key(const void *x, const void *y)
{
    const coded *a = x, *b = y;
    if (a->unit != b->unit)
        return a->unit < b->unit ? -1 : 1;
    int c = cmp_str0(a->section, b->section);
    return c ? c : strcmp(a->code, b->code);
}

static int is_item(const bk_row *r)
{
    return r->kind == BK_ROW_ITEM;
}

/* Parents by code prefix: the longest proper prefix (5, then 3 digits) printed in the same
 * unit block and section, so that a row whose 款 is missing still counts under its 类. */
static bk_status parents_by_code(const bk_table *t, long *parent)
{
    coded *v = bk_calloc(t->nrows ? t->nrows : 1, sizeof *v);
    if (!v)
        return BK_E_NOMEM;
    size_t n = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        const bk_row *r = &t->rows[i];
        if (is_item(r) && bktot_code_ok(r->code))
            v[n++] = (coded){i, r->unit, r->section, r->code};
    }
    qsort(v, n, sizeof *v, cmp_coded);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(v[i].code);
        for (size_t plen = len - 2; plen >= 3; plen -= 2) {
            char prefix[8];
            memcpy(prefix, v[i].code, plen);
            prefix[plen] = '\0';
            coded key = {0, v[i].unit, v[i].section, prefix};
            const coded *hit = bsearch(&key, v, n, sizeof *v, cmp_coded_key);
            if (hit) {
                /* bsearch may land on any of duplicated codes: take the first printed. */
                while (hit > v && cmp_coded_key(hit - 1, &key) == 0)
                    hit--;
                parent[v[i].row] = (long)hit->row;
                break;
            }
        }
    }
    bk_free(v);
    return BK_OK;
}

#define MAX_DEPTH 256

/* Parents by printed level, for rows without a code: the nearest row above, in the same unit
 * block and section, one level up. rows[0..n) are the item rows of one (unit, section) group
 * in printed order. */
static void parents_by_level(const bk_table *t, long *parent, const size_t *rows, size_t n)
{
    long stack[MAX_DEPTH];
    int top = 0;
    for (size_t d = 0; d < MAX_DEPTH; d++)
        stack[d] = -1;
    for (size_t k = 0; k < n; k++) {
        size_t i = rows[k];
        const bk_row *r = &t->rows[i];
        int d = bktot_row_depth(r);
        if (d <= 0 || d >= MAX_DEPTH)
            continue;
        if (!bktot_code_ok(r->code) && d > 1 && stack[d - 1] >= 0)
            parent[i] = stack[d - 1];
        stack[d] = (long)i;
        for (int k2 = d + 1; k2 <= top; k2++)
            stack[k2] = -1;
        top = d;
    }
}

static const bk_table *group_table; /* for cmp_group: qsort passes no context */

/* Item rows by (unit, section), then in printed order. */
static int cmp_group(const void *x, const void *y)
{
    const bk_row *a = &group_table->rows[*(const size_t *)x];
    const bk_row *b = &group_table->rows[*(const size_t *)y];
    if (a->unit != b->unit)
        return a->unit < b->unit ? -1 : 1;
    int c = cmp_str0(a->section, b->section);
    if (c)
        return c;
    return (*(const size_t *)x > *(const size_t *)y) - (*(const size_t *)x < *(const size_t *)y);
}

/* parent[i]: index of row i's parent, -1 for a top-level item row, -2 for rows outside the
 * hierarchy (unit, total and 其中 rows). Groups are found by sorting, not by comparing each
 * row with every group: a table may hold thousands of unit blocks. */
static bk_status build_parents(const bk_table *t, long **out)
{
    long *parent = bk_calloc(t->nrows ? t->nrows : 1, sizeof *parent);
    size_t *items = bk_calloc(t->nrows ? t->nrows : 1, sizeof *items);
    size_t n = 0;
    if (!parent || !items)
        goto nomem;
    for (size_t i = 0; i < t->nrows; i++) {
        parent[i] = is_item(&t->rows[i]) ? -1 : -2;
        if (is_item(&t->rows[i]))
            items[n++] = i;
    }
    if (parents_by_code(t, parent) != BK_OK)
        goto nomem;
    group_table = t;
    qsort(items, n, sizeof *items, cmp_group);
    for (size_t g = 0; g < n;) {
        const bk_row *r = &t->rows[items[g]];
        size_t e = g + 1;
        while (e < n && t->rows[items[e]].unit == r->unit &&
               same_str(t->rows[items[e]].section, r->section))
            e++;
        parents_by_level(t, parent, items + g, e - g);
        g = e;
    }
    bk_free(items);
    *out = parent;
    return BK_OK;
nomem:
    bk_free(items);
    bk_free(parent);
    return BK_E_NOMEM;
}

/* Rows grouped by a key from 0 to nkeys - 1 (key[i] < 0: row i in no group): the rows of key k
 * are list[start[k] .. start[k + 1]), in printed order. */
static bk_status group_rows(const long *key, size_t n, size_t nkeys, size_t **start,
                            size_t **list)
{
    *start = bk_calloc(nkeys + 2, sizeof **start);
    *list = bk_calloc(n + 1, sizeof **list);
    if (!*start || !*list) {
        bk_free(*start);
        bk_free(*list);
        *start = *list = NULL;
        return BK_E_NOMEM;
    }
    size_t *s = *start;
    for (size_t i = 0; i < n; i++)
        if (key[i] >= 0)
            s[key[i] + 2]++;
    for (size_t i = 2; i < nkeys + 2; i++)
        s[i] += s[i - 1];
    /* s[k + 1] is now the first slot of key k; filling advances it to the end of key k. */
    for (size_t i = 0; i < n; i++)
        if (key[i] >= 0)
            (*list)[s[key[i] + 1]++] = i;
    return BK_OK;
}

/* Children of each row: grouped by parent. */
static bk_status children_of(const long *parent, size_t n, size_t **start, size_t **list)
{
    return group_rows(parent, n, n, start, list);
}

/* A total row against part rows, column by column. */
static bk_status rows_check(rule_ctx *rc, const char *rule, size_t total, const size_t *rows,
                            const int *neg, size_t n, const int *cols, size_t ncols, const char *en,
                            const char *zh, bktot_style style)
{
    bk_strbuf parts;
    bk_strbuf_init(&parts);
    join_rows(rc->t, rows, neg, n, &parts);
    bktot_says says = {style, en, zh, bk_strbuf_str(&parts), bk_strbuf_str(&parts), NULL, NULL};
    cellref *refs = bk_calloc(n ? n : 1, sizeof *refs);
    bk_status st = refs ? BK_OK : bk_error_set(bk_validation_error(rc->run->job), BK_E_NOMEM,
                                               "out of memory");
    for (size_t c = 0; st == BK_OK && c < ncols; c++) {
        for (size_t i = 0; i < n; i++)
            refs[i] = (cellref){rows[i], cols[c], neg ? neg[i] : 0};
        if (style == BKTOT_STYLE_EQUAL) {
            bk_decimal a, b;
            /* A blank on either side is not a disagreement: nothing was printed to compare. */
            if (!bktot_cell(rc->t, total, cols[c], &a) || !bktot_cell(rc->t, rows[0], cols[c], &b))
                continue;
        }
        st = check_cells(rc, rule, total, cols[c], refs, n, &says, style);
    }
    bk_free(refs);
    bk_strbuf_free(&parts);
    return st;
}

/* What the rules over the row tree start from: the rule's figure columns, each row's parent,
 * and the rows grouped (start, list) as each rule needs them. */
typedef struct row_tree {
    int *cols;
    size_t ncols;
    long *parent;
    size_t *start, *list;
} row_tree;

static bk_status tree_begin(rule_ctx *rc, row_tree *tr)
{
    memset(tr, 0, sizeof *tr);
    bk_status st = field_columns(rc, &tr->cols, &tr->ncols);
    if (st == BK_OK && build_parents(rc->t, &tr->parent) != BK_OK)
        st = nomem(rc);
    return st;
}

static void tree_end(row_tree *tr)
{
    bk_free(tr->start);
    bk_free(tr->list);
    bk_free(tr->parent);
    bk_free(tr->cols);
}

static bk_status rule_hierarchy(rule_ctx *rc)
{
    const bk_table *t = rc->t;
    row_tree tr;
    bk_status st = tree_begin(rc, &tr);
    if (st == BK_OK && children_of(tr.parent, t->nrows, &tr.start, &tr.list) != BK_OK)
        st = nomem(rc);
    for (size_t i = 0; st == BK_OK && i < t->nrows; i++) {
        size_t n = tr.start[i + 1] - tr.start[i];
        if (n > 0)
            st = rows_check(rc, RULE_HIERARCHY, i, tr.list + tr.start[i], NULL, n, tr.cols,
                            tr.ncols, "children sum to", "下级合计为", BKTOT_STYLE_SUM);
    }
    tree_end(&tr);
    return st;
}

/* Rows grouped by their unit index: key[i] is filled by the caller. */
static bk_status by_unit(const bk_doc *doc, const long *key, size_t n, size_t **start,
                         size_t **list)
{
    return group_rows(key, n, doc->nunits + 1, start, list);
}

static bk_status rule_unit_total(rule_ctx *rc)
{
    const bk_table *t = rc->t;
    row_tree tr;
    bk_status st = tree_begin(rc, &tr);
    /* The top-level rows of each unit, found once: parent[] becomes their unit. */
    for (size_t j = 0; st == BK_OK && j < t->nrows; j++)
        tr.parent[j] = tr.parent[j] == -1 ? (long)t->rows[j].unit : -1;
    if (st == BK_OK && by_unit(rc->run->doc, tr.parent, t->nrows, &tr.start, &tr.list) != BK_OK)
        st = nomem(rc);
    for (size_t u = 0; st == BK_OK && u < t->nrows; u++) {
        if (t->rows[u].kind != BK_ROW_UNIT)
            continue;
        size_t k = t->rows[u].unit, n = tr.start[k + 1] - tr.start[k];
        if (n > 0)
            st = rows_check(rc, RULE_UNIT_TOTAL, u, tr.list + tr.start[k], NULL, n, tr.cols,
                            tr.ncols, "the unit's top-level rows sum to", "本单位各一级行合计为",
                            BKTOT_STYLE_SUM);
    }
    tree_end(&tr);
    return st;
}

static bk_status rule_units_sum(rule_ctx *rc)
{
    const bk_table *t = rc->t;
    const bk_doc *doc = rc->run->doc;
    size_t *kids = bk_calloc(t->nrows + 1, sizeof *kids);
    long *parent = bk_calloc(t->nrows + 1, sizeof *parent);
    int *cols = NULL;
    size_t *start = NULL, *list = NULL, ncols = 0;
    bk_status st = kids && parent ? field_columns(rc, &cols, &ncols) : nomem(rc);
    /* Unit rows grouped by the parent of their unit, once. */
    for (size_t j = 0; st == BK_OK && j < t->nrows; j++) {
        const bk_row *r = &t->rows[j];
        parent[j] = r->kind == BK_ROW_UNIT && r->unit < doc->nunits ? doc->units[r->unit].parent
                                                                     : -1;
    }
    if (st == BK_OK && by_unit(doc, parent, t->nrows, &start, &list) != BK_OK)
        st = nomem(rc);
    for (size_t u = 0; st == BK_OK && u < t->nrows; u++) {
        if (t->rows[u].kind != BK_ROW_UNIT)
            continue;
        size_t k = t->rows[u].unit, n = 0;
        for (size_t i = start[k]; i < start[k + 1]; i++)
            if (list[i] != u)
                kids[n++] = list[i];
        if (n > 0)
            st = rows_check(rc, RULE_UNITS_SUM, u, kids, NULL, n, cols, ncols, "its units sum to",
                            "所属各单位合计为", BKTOT_STYLE_SUM);
    }
    bk_free(start);
    bk_free(list);
    bk_free(parent);
    bk_free(kids);
    bk_free(cols);
    return st;
}

/* ---- rules on selected rows ---- */

/* The rows a selector matches, grouped by scope: part rows stay in the total row's unit block
 * unless the selector names a unit. Found once per rule, so that each total row looks only at
 * its own block. */
typedef struct matches {
    const bktot_selector *s;
    size_t *start, *list;
} matches;

static bk_status matches_find(rule_ctx *rc, const bktot_selector *s, matches *m)
{
    const bk_table *t = rc->t;
    long *key = bk_calloc(t->nrows + 1, sizeof *key);
    m->s = s;
    m->start = m->list = NULL;
    if (!key)
        return nomem(rc);
    for (size_t j = 0; j < t->nrows; j++)
        key[j] = !bktot_selector_match(rc->run->doc, &t->rows[j], s) ? -1
                 : s->unit                                           ? 0
                                                                     : (long)t->rows[j].unit;
    bk_status st = by_unit(rc->run->doc, key, t->nrows, &m->start, &m->list) == BK_OK
                       ? BK_OK
                       : nomem(rc);
    bk_free(key);
    return st;
}

static void matches_free(matches *m)
{
    bk_free(m->start);
    bk_free(m->list);
}

/* The matching rows in anchor's scope: list[*first .. *end). */
static void matches_of(const rule_ctx *rc, const matches *m, size_t anchor, size_t *first,
                       size_t *end)
{
    size_t k = m->s->unit ? 0 : rc->t->rows[anchor].unit;
    *first = m->start[k];
    *end = m->start[k + 1];
}

static long first_match(const rule_ctx *rc, const matches *m, size_t anchor)
{
    size_t i, end;
    matches_of(rc, m, anchor, &i, &end);
    for (; i < end; i++)
        if (m->list[i] != anchor)
            return (long)m->list[i];
    return -1;
}

static bk_status rule_rows_sum(rule_ctx *rc)
{
    const bk_table *t = rc->t;
    bktot_selector total, parts;
    matches pm = {0};
    size_t *rows = bk_calloc(t->nrows + 1, sizeof *rows);
    int *cols = NULL;
    size_t ncols = 0;
    bk_status st = rows ? field_columns(rc, &cols, &ncols) : nomem(rc);
    if (st == BK_OK)
        st = field_selector(rc, "total", &total);
    if (st == BK_OK)
        st = field_selector(rc, "parts", &parts);
    if (st == BK_OK)
        st = matches_find(rc, &parts, &pm);
    for (size_t i = 0; st == BK_OK && i < t->nrows; i++) {
        if (!bktot_selector_match(rc->run->doc, &t->rows[i], &total))
            continue;
        size_t n = 0, j, end;
        for (matches_of(rc, &pm, i, &j, &end); j < end; j++)
            if (pm.list[j] != i)
                rows[n++] = pm.list[j];
        if (n > 0)
            st = rows_check(rc, RULE_ROWS_SUM, i, rows, NULL, n, cols, ncols,
                            "the rows it totals sum to", "各组成行合计为", BKTOT_STYLE_SUM);
    }
    matches_free(&pm);
    bk_free(rows);
    bk_free(cols);
    return st;
}

/* Two rows compared across columns: a's column_a against b's column_b (the sides of a table
 * printing their own columns: 收入总计's 预算数 against 支出总计's 合计). */
static bk_status rows_check_across(rule_ctx *rc, size_t row, int col, size_t other, int other_col,
                                   const char *en, const char *zh)
{
    bk_decimal x, y;
    /* A blank on either side is not a disagreement: nothing was printed to compare. */
    if (!bktot_cell(rc->t, row, col, &x) || !bktot_cell(rc->t, other, other_col, &y))
        return BK_OK;
    bk_strbuf key, key_zh;
    bk_strbuf_init(&key);
    bk_strbuf_init(&key_zh);
    bktot_row_key(rc->t, other, &key);
    bk_strbuf_add(&key, " column %s", rc->t->tpl->columns[other_col].id);
    bktot_row_key(rc->t, other, &key_zh);
    bk_strbuf_add(&key_zh, "「");
    bktot_column_header(rc->t->tpl, other_col, &key_zh);
    bk_strbuf_add(&key_zh, "」");
    bktot_says says = {BKTOT_STYLE_EQUAL,      en,   zh,  bk_strbuf_str(&key),
                       bk_strbuf_str(&key_zh), NULL, NULL};
    cellref ref = {other, other_col, 0};
    bk_status st = key.failed || key_zh.failed ? nomem(rc)
                                               : check_cells(rc, RULE_ROWS_EQUAL, row, col, &ref, 1,
                                                             &says, BKTOT_STYLE_EQUAL);
    bk_strbuf_free(&key);
    bk_strbuf_free(&key_zh);
    return st;
}

static bk_status rule_rows_equal(rule_ctx *rc)
{
    const bk_table *t = rc->t;
    bktot_selector a, b;
    int *cols;
    size_t ncols;
    int col_a = -1, col_b = -1;
    bk_status st = field_columns(rc, &cols, &ncols);
    if (st == BK_OK &&
        (json_object_get(rc->rule, "column_a") || json_object_get(rc->rule, "column_b"))) {
        st = field_column(rc, "column_a", &col_a);
        if (st == BK_OK)
            st = field_column(rc, "column_b", &col_b);
    }
    if (st == BK_OK)
        st = field_selector(rc, "a", &a);
    if (st == BK_OK)
        st = field_selector(rc, "b", &b);
    matches bm = {0};
    if (st == BK_OK)
        st = matches_find(rc, &b, &bm);
    bk_strbuf en, zh;
    bk_strbuf_init(&en);
    bk_strbuf_init(&zh);
    for (size_t i = 0; st == BK_OK && i < t->nrows; i++) {
        if (!bktot_selector_match(rc->run->doc, &t->rows[i], &a))
            continue;
        long j = first_match(rc, &bm, i);
        if (j < 0)
            continue;
        size_t other = (size_t)j;
        bk_strbuf_clear(&en);
        bk_strbuf_clear(&zh);
        bk_strbuf_add(&en, "row ");
        bktot_row_key(t, other, &en);
        bk_strbuf_add(&en, " prints");
        bk_strbuf_add(&zh, "「");
        bktot_row_key(t, other, &zh);
        bk_strbuf_add(&zh, "」行为");
        if (col_a >= 0) {
            st = rows_check_across(rc, i, col_a, other, col_b, bk_strbuf_str(&en),
                                   bk_strbuf_str(&zh));
            continue;
        }
        st = rows_check(rc, RULE_ROWS_EQUAL, i, &other, NULL, 1, cols, ncols, bk_strbuf_str(&en),
                        bk_strbuf_str(&zh), BKTOT_STYLE_EQUAL);
    }
    matches_free(&bm);
    bk_strbuf_free(&en);
    bk_strbuf_free(&zh);
    bk_free(cols);
    return st;
}

static bk_status rule_rows_difference(rule_ctx *rc)
{
    const bk_table *t = rc->t;
    bktot_selector result, minuend, subtrahend;
    int *cols;
    size_t ncols;
    bk_status st = field_columns(rc, &cols, &ncols);
    if (st == BK_OK)
        st = field_selector(rc, "result", &result);
    if (st == BK_OK)
        st = field_selector(rc, "minuend", &minuend);
    if (st == BK_OK)
        st = field_selector(rc, "subtrahend", &subtrahend);
    matches mm = {0}, sm = {0};
    if (st == BK_OK)
        st = matches_find(rc, &minuend, &mm);
    if (st == BK_OK)
        st = matches_find(rc, &subtrahend, &sm);
    for (size_t i = 0; st == BK_OK && i < t->nrows; i++) {
        if (!bktot_selector_match(rc->run->doc, &t->rows[i], &result))
            continue;
        long m = first_match(rc, &mm, i), s = first_match(rc, &sm, i);
        if (m < 0 || s < 0)
            continue;
        size_t rows[2] = {(size_t)m, (size_t)s};
        int neg[2] = {0, 1};
        st = rows_check(rc, RULE_ROWS_DIFF, i, rows, neg, 2, cols, ncols,
                        "the subtraction of the rows gives", "两行相减为", BKTOT_STYLE_SUM);
    }
    matches_free(&mm);
    matches_free(&sm);
    bk_free(cols);
    return st;
}

/* ---- dispatch ---- */

typedef bk_status (*rule_fn)(rule_ctx *rc);

static const struct {
    const char *name;
    rule_fn fn;
} rules[] = {
    {"columns-sum", rule_columns_sum},
    {"difference", rule_difference},
    {"percent", rule_percent},
    {"hierarchy", rule_hierarchy},
    {"unit-total", rule_unit_total},
    {"units-sum", rule_units_sum},
    {"rows-sum", rule_rows_sum},
    {"rows-equal", rule_rows_equal},
    {"rows-difference", rule_rows_difference},
};

bk_status bktot_table_rules(bktot_run *run, const bk_table *t)
{
    rule_ctx rc = {run, t, 0, NULL, NULL};
    json_error_t jerr;
    json_t *list = json_loads(t->tpl->rules_json ? t->tpl->rules_json : "[]", 0, &jerr);
    if (!list && json_error_code(&jerr) == json_error_out_of_memory)
        return nomem(&rc);
    if (!json_is_array(list)) {
        json_decref(list);
        return rule_error(&rc, "the template's rules are not a JSON array");
    }
    bk_status st = BK_OK;
    json_t *rule;
    json_array_foreach(list, rc.index, rule) {
        rc.rule = rule;
        rc.name = json_string_value(json_object_get(rule, "rule"));
        if (!json_is_object(rule) || !rc.name) {
            st = rule_error(&rc, "a rule must be an object with a \"rule\" name");
            break;
        }
        size_t k = 0;
        while (k < sizeof rules / sizeof rules[0] && strcmp(rules[k].name, rc.name) != 0)
            k++;
        if (k == sizeof rules / sizeof rules[0]) {
            st = rule_error(&rc, "unknown rule \"%s\"", rc.name);
            break;
        }
        st = rules[k].fn(&rc);
        if (st != BK_OK)
            break;
    }
    json_decref(list);
    return st;
}

/* ---- 其中 rows ---- */

bk_status bktot_of_rows(bktot_run *run, const bk_table *t)
{
    bk_status st = BK_OK;
    bk_strbuf key;
    bk_strbuf_init(&key);
    for (size_t i = 0; st == BK_OK && i < t->nrows; i++) {
        if (t->rows[i].kind != BK_ROW_OF)
            continue;
        size_t p = i;
        while (p > 0 && t->rows[p - 1].kind == BK_ROW_OF)
            p--;
        if (p == 0)
            continue; /* a 其中 line with nothing above it has no parent to compare with */
        p--;
        bk_strbuf_clear(&key);
        bktot_row_key(t, p, &key);
        bktot_says says = {
            BKTOT_STYLE_SUBSET, bk_strbuf_str(&key), bk_strbuf_str(&key), NULL, NULL, NULL, NULL};
        for (size_t c = 0; st == BK_OK && c < t->tpl->ncolumns; c++) {
            bk_decimal part, whole;
            if (t->tpl->columns[c].type != BK_COL_AMOUNT || !bktot_cell(t, i, (int)c, &part) ||
                !bktot_cell(t, p, (int)c, &whole) || part.units < 0 || whole.units < 0)
                continue;
            bktot_check chk;
            bktot_check_subset(part, whole, &chk);
            bktot_ids_open(run->ids, BKTOT_I_SUBSET, RULE_OF_ROW);
            bktot_ids_term(run->ids, t, i, (int)c, 0);
            bktot_ids_term(run->ids, t, p, (int)c, 1);
            size_t finding = 0, before = bk_validation_last_id(run->job);
            if (chk.verdict != BKTOT_EQUAL) {
                bktot_where w;
                bktot_where_cell(run, t, i, (int)c, &w, &run->key, &run->col);
                st = bktot_emit(run->job, run->strict, RULE_OF_ROW, &w, &chk, &says);
                if (bk_validation_last_id(run->job) != before)
                    finding = bk_validation_last_id(run->job);
            }
            bktot_ids_close(run->ids, t, i, (int)c, chk.verdict, finding);
        }
    }
    if (st == BK_OK && key.failed)
        st = bk_error_set(bk_validation_error(run->job), BK_E_NOMEM, "out of memory");
    bk_strbuf_free(&key);
    return st;
}
