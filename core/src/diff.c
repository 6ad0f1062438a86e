/* Cell-level differences between two budgets. */
#include "budgetkit/diff.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "budgetkit/alloc.h"
#include "budgetkit/io.h"
#include "budgetkit/strbuf.h"
#include "code_changes.h"
#include "diff_text.h"
#include "inputs.h"
#include "jobs.h"
#include "money.h"

static bk_status nomem(bk_error *err) { return bk_error_set(err, BK_E_NOMEM, "out of memory"); }

static char *norm_dup(const char *s)
{
    size_t n = bk_label_normalise(s ? s : "", NULL, 0);
    char *buf = bk_malloc(n + 1);
    if (buf)
        bk_label_normalise(s ? s : "", buf, n + 1);
    return buf;
}

/* ---- a run: one pair of documents ---- */

typedef struct run {
    const bk_doc *a, *b;
    const bk_diff_options *o;
    bk_change_fn fn;
    void *user;
    bk_error *err;
    size_t changes;
    int shift; /* B's amounts into A's money unit */
    bk_strbuf col;
    const bk_code_changes *cc; /* --years: what the catalogue says changed, NULL for nothing */
} run;

static bk_status emit(run *r, bk_change *c)
{
    if (!c->document)
        c->document = r->b ? (r->b->source ? r->b->source : "-") : NULL;
    if (!c->document_a && r->a)
        c->document_a = r->a->source ? r->a->source : "-";
    r->changes++;
    return r->fn(c, r->user, r->err);
}

static const char *column_path(run *r, const bk_template *tpl, int col)
{
    r->col.len = 0;
    if (r->col.s)
        r->col.s[0] = '\0';
    for (size_t i = 0; i < tpl->columns[col].path_len; i++)
        bk_strbuf_add(&r->col, "%s%s", i ? "/" : "", tpl->columns[col].path[i]);
    return r->col.failed ? tpl->columns[col].id : (r->col.s ? r->col.s : "");
}

/* ---- row keys ---- */

typedef struct keyed {
    char *key;
    size_t row;
    int matched;
} keyed;

static int cmp_keyed(const void *x, const void *y)
{
    const keyed *a = x, *b = y;
    int c = strcmp(a->key, b->key);
    return c ? c : (a->row > b->row) - (a->row < b->row);
}

static const char *unit_name(const bk_doc *d, const bk_row *row)
{
    return row->unit < d->nunits ? d->units[row->unit].name : "";
}

/* unit, kind, section, code (else name and level), the parent's key for a 其中 row, and the
 * occurrence of that key in the table. */
static bk_status build_keys(const bk_doc *d, const bk_table *t, keyed **out, bk_error *err)
{
    keyed *k = bk_calloc(t->nrows + 1, sizeof *k);
    if (!k)
        return nomem(err);
    bk_strbuf b = {0};
    char *parent = NULL;
    bk_status st = BK_OK;
    for (size_t i = 0; i < t->nrows && st == BK_OK; i++) {
        const bk_row *row = &t->rows[i];
        char *un = norm_dup(unit_name(d, row)), *nn = norm_dup(row->name);
        b.len = 0;
        if (un && nn) {
            if (row->kind == BK_ROW_UNIT)
                bk_strbuf_add(&b, "%s\x1f%d", un, row->kind);
            else if (row->code)
                bk_strbuf_add(&b, "%s\x1f%d\x1f%s\x1f#%s", un, row->kind, row->section ? row->section : "",
                       row->code);
            else
                bk_strbuf_add(&b, "%s\x1f%d\x1f%s\x1f%s\x1f%d", un, row->kind,
                       row->section ? row->section : "", nn, row->level);
            if (row->kind == BK_ROW_OF && parent)
                bk_strbuf_add(&b, "\x1d%s", parent);
        }
        bk_free(un);
        bk_free(nn);
        if (!un || !nn || b.failed) {
            st = nomem(err);
            break;
        }
        k[i].key = bk_strdup(b.s ? b.s : "");
        k[i].row = i;
        if (!k[i].key) {
            st = nomem(err);
            break;
        }
        if (row->kind != BK_ROW_OF) {
            bk_free(parent);
            parent = bk_strdup(k[i].key);
            if (!parent)
                st = nomem(err);
        }
    }
    bk_free(parent);
    bk_free(b.s);
    if (st == BK_OK) {
        /* The n-th row with one key matches the n-th: number the repeats in table order. */
        qsort(k, t->nrows, sizeof *k, cmp_keyed);
        for (size_t i = 0; i < t->nrows && st == BK_OK;) {
            size_t j = i + 1;
            while (j < t->nrows && strcmp(k[j].key, k[i].key) == 0)
                j++;
            for (size_t m = i + 1; m < j && st == BK_OK; m++) {
                size_t n = strlen(k[m].key) + 24;
                char *s = bk_malloc(n);
                if (!s) {
                    st = nomem(err);
                    break;
                }
                snprintf(s, n, "%s\x1e%zu", k[m].key, m - i);
                bk_free(k[m].key);
                k[m].key = s;
            }
            i = j;
        }
        if (st == BK_OK)
            qsort(k, t->nrows, sizeof *k, cmp_keyed);
    }
    if (st != BK_OK) {
        for (size_t i = 0; i < t->nrows; i++)
            bk_free(k[i].key);
        bk_free(k);
        return st;
    }
    *out = k;
    return BK_OK;
}

static void free_keys(keyed *k, size_t n)
{
    for (size_t i = 0; k && i < n; i++)
        bk_free(k[i].key);
    bk_free(k);
}

static keyed *find_key(keyed *k, size_t n, const char *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(k[mid].key, key);
        if (c == 0)
            return &k[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- cells ---- */

static const char *row_label(const bk_row *row) { return row->code ? row->code : row->name; }

static bk_status compare_cell(run *r, const bk_table *ta, size_t ra, int ca, const bk_table *tb,
                              size_t rb, int cb, int shift_b)
{
    const bk_cell *x = bk_table_cell(ta, ra, (size_t)ca), *y = bk_table_cell(tb, rb, (size_t)cb);
    const bk_row *row = &tb->rows[rb];
    bk_change c;
    memset(&c, 0, sizeof c);
    c.unit = unit_name(r->b, row);
    c.table = tb->tpl->id;
    c.row = row_label(row);
    c.name = row->name;
    c.at_a = ra + 1;
    c.at_b = rb + 1;
    c.column = tb->tpl->columns[cb].id;
    if (ca != cb || ta->tpl != tb->tpl)
        c.column_a = ta->tpl->columns[ca].id;
    if (x->kind == BK_CELL_TEXT || y->kind == BK_CELL_TEXT) {
        const char *s = x->kind == BK_CELL_TEXT ? x->v.text : NULL;
        const char *t = y->kind == BK_CELL_TEXT ? y->v.text : NULL;
        if ((s && t && strcmp(s, t) == 0) || (!s && !t && x->kind == y->kind))
            return BK_OK;
        if (x->kind == BK_CELL_NUMBER || y->kind == BK_CELL_NUMBER) {
            char bx[BK_DECIMAL_BUFSIZE] = "", by[BK_DECIMAL_BUFSIZE] = "";
            if (x->kind == BK_CELL_NUMBER)
                bk_decimal_format(bk_cell_decimal(x), 0, bx, sizeof bx);
            if (y->kind == BK_CELL_NUMBER)
                bk_decimal_format(bk_cell_decimal(y), 0, by, sizeof by);
            c.kind = "text";
            c.old_text = s ? s : x->kind == BK_CELL_NUMBER ? bx : NULL;
            c.new_text = t ? t : y->kind == BK_CELL_NUMBER ? by : NULL;
            c.column_zh = column_path(r, tb->tpl, cb);
            return emit(r, &c);
        }
        c.kind = "text";
        c.old_text = s;
        c.new_text = t;
        c.column_zh = column_path(r, tb->tpl, cb);
        return emit(r, &c);
    }
    if (x->kind == BK_CELL_EMPTY && y->kind == BK_CELL_EMPTY)
        return BK_OK;
    bk_decimal old = {0, 0}, nv = {0, 0};
    if (x->kind == BK_CELL_NUMBER)
        old = bk_cell_decimal(x);
    if (y->kind == BK_CELL_NUMBER) {
        nv = bk_cell_decimal(y);
        if (tb->tpl->columns[cb].type == BK_COL_AMOUNT &&
            bk_money_convert(nv, shift_b, &nv, r->err) != BK_OK)
            return r->err->code;
    }
    /* "332" and "332.00" are the same figure; a blank and a 0 are not the same print. */
    if (x->kind == y->kind && bk_decimal_cmp(old, nv) == 0)
        return BK_OK;
    c.kind = "cell";
    c.column_zh = column_path(r, tb->tpl, cb);
    c.has_values = 1;
    c.old_value = old;
    c.new_value = nv;
    if (bk_decimal_sub(nv, old, &c.difference) != BK_DECIMAL_OK)
        return bk_error_set(r->err, BK_E_LIMIT, "%s: a difference is too large", c.table);
    if (x->kind == BK_CELL_EMPTY)
        c.old_text = "";
    if (y->kind == BK_CELL_EMPTY)
        c.new_text = "";
    if (old.units != 0 && tb->tpl->columns[cb].type == BK_COL_AMOUNT &&
        bk_decimal_percent(c.difference, old, 2, &c.percent) == BK_DECIMAL_OK)
        c.has_percent = 1;
    return emit(r, &c);
}

static bk_status compare_rows(run *r, const bk_table *ta, size_t ra, const bk_table *tb,
                              size_t rb)
{
    bk_status st = BK_OK;
    const bk_row *x = &ta->rows[ra], *y = &tb->rows[rb];
    if (x->code && y->code && !bk_label_equal(x->name, y->name) && x->kind != BK_ROW_UNIT) {
        bk_change c;
        memset(&c, 0, sizeof c);
        c.kind = "renamed";
        c.at_a = ra + 1;
        c.at_b = rb + 1;
        c.unit = unit_name(r->b, y);
        c.table = tb->tpl->id;
        c.row = y->code;
        c.name = y->name;
        c.old_text = x->name;
        c.new_text = y->name;
        st = emit(r, &c);
    }
    for (size_t col = 0; col < tb->tpl->ncolumns && st == BK_OK; col++)
        st = compare_cell(r, ta, ra, (int)col, tb, rb, (int)col, r->shift);
    return st;
}

static bk_status row_only(run *r, const bk_doc *d, const bk_table *t, size_t row, int in_b)
{
    const bk_row *x = &t->rows[row];
    bk_change c;
    memset(&c, 0, sizeof c);
    c.kind = in_b ? "row-added" : "row-removed";
    if (in_b)
        c.at_b = row + 1;
    else
        c.at_a = row + 1;
    if (!in_b)
        c.document = d->source ? d->source : "-";
    c.unit = unit_name(d, x);
    c.table = t->tpl->id;
    c.row = row_label(x);
    c.name = x->name;
    /* The row's total (or first figure) says how much appeared or went. */
    int col = bk_template_column(t->tpl, "total");
    for (size_t k = 0; col < 0 && k < t->tpl->ncolumns; k++)
        if (t->tpl->columns[k].type == BK_COL_AMOUNT)
            col = (int)k;
    if (col >= 0 && bk_table_cell(t, row, (size_t)col)->kind == BK_CELL_NUMBER) {
        c.column = t->tpl->columns[col].id;
        c.column_zh = column_path(r, t->tpl, col);
        c.has_values = 1;
        bk_decimal v = bk_cell_decimal(bk_table_cell(t, row, (size_t)col));
        if (in_b && bk_money_convert(v, r->shift, &v, r->err) != BK_OK)
            return r->err->code;
        bk_decimal zero = {0, v.scale};
        c.old_value = in_b ? zero : v;
        c.new_value = in_b ? v : zero;
        if (bk_decimal_sub(c.new_value, c.old_value, &c.difference) != BK_DECIMAL_OK)
            return bk_error_set(r->err, BK_E_LIMIT, "a difference is too large");
    }
    return emit(r, &c);
}

/* Rows only in A and only in B of the same unit, kind and section, with the same name and a
 * code of the same length: the code was changed, not the row. */
static int recoded(const bk_doc *a, const bk_row *x, const bk_doc *b, const bk_row *y)
{
    return x->code && y->code && x->kind == y->kind && strlen(x->code) == strlen(y->code) &&
           strcmp(x->code, y->code) != 0 && bk_label_equal(x->name, y->name) &&
           bk_label_equal(unit_name(a, x), unit_name(b, y)) &&
           ((!x->section && !y->section) ||
            (x->section && y->section && strcmp(x->section, y->section) == 0));
}

/* Where each row stands in its table's keys, sorted by key (n rows): NULL, with *st set when
 * out of memory; nothing is done once *st is not BK_OK. */
static size_t *row_ranks(const keyed *k, size_t n, bk_status *st, bk_error *err)
{
    if (*st != BK_OK)
        return NULL;
    size_t *rank = bk_calloc(n + 1, sizeof *rank);
    if (!rank) {
        *st = nomem(err);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        rank[k[i].row] = i;
    return rank;
}

static bk_status compare_table(run *r, const bk_table *ta, const bk_table *tb)
{
    keyed *ka = NULL, *kb = NULL;
    bk_status st = build_keys(r->a, ta, &ka, r->err);
    if (st == BK_OK)
        st = build_keys(r->b, tb, &kb, r->err);
    size_t *bonly = bk_calloc(tb->nrows + 1, sizeof *bonly);
    unsigned char *amatched = bk_calloc(ta->nrows + 1, 1);
    if (st == BK_OK && (!bonly || !amatched))
        st = nomem(r->err);
    size_t nb = 0;
    /* kb is sorted by key; walk B in table order through its keys. */
    size_t *bkey = row_ranks(kb, tb->nrows, &st, r->err);
    for (size_t i = 0; st == BK_OK && i < tb->nrows; i++) {
        keyed *m = find_key(ka, ta->nrows, kb[bkey[i]].key);
        if (m && !amatched[m->row]) {
            amatched[m->row] = 1;
            st = compare_rows(r, ta, m->row, tb, i);
        } else {
            bonly[nb++] = i;
        }
    }
    /* Recoded rows, then what is left only on one side. */
    for (size_t j = 0; st == BK_OK && j < nb; j++) {
        const bk_row *y = &tb->rows[bonly[j]];
        if (!y->code)
            continue;
        for (size_t i = 0; i < ta->nrows; i++) {
            if (amatched[i] || !recoded(r->a, &ta->rows[i], r->b, y))
                continue;
            amatched[i] = 1;
            bk_change c;
            memset(&c, 0, sizeof c);
            c.kind = "recoded";
            c.at_a = i + 1;
            c.at_b = bonly[j] + 1;
            c.unit = unit_name(r->b, y);
            c.table = tb->tpl->id;
            c.row = y->code;
            c.name = y->name;
            c.old_text = ta->rows[i].code;
            c.new_text = y->code;
            st = emit(r, &c);
            for (size_t col = 0; col < tb->tpl->ncolumns && st == BK_OK; col++)
                st = compare_cell(r, ta, i, (int)col, tb, bonly[j], (int)col, r->shift);
            bonly[j] = (size_t)-1;
            break;
        }
    }
    for (size_t i = 0; st == BK_OK && i < ta->nrows; i++)
        if (!amatched[i])
            st = row_only(r, r->a, ta, i, 0);
    for (size_t j = 0; st == BK_OK && j < nb; j++)
        if (bonly[j] != (size_t)-1)
            st = row_only(r, r->b, tb, bonly[j], 1);
    free_keys(ka, ta->nrows);
    free_keys(kb, tb->nrows);
    bk_free(bonly);
    bk_free(amatched);
    bk_free(bkey);
    return st;
}

/* ---- year against year ---- */

/* A column whose header starts with a year ("2023年预算"): in a budget's own tables only the
 * previous year's figures are labelled with their year. */
static int is_year_column(const bk_column *c)
{
    const char *h = c->path_len > 0 ? c->path[0] : "";
    for (int i = 0; i < 4; i++)
        if (h[i] < '0' || h[i] > '9')
            return 0;
    return strncmp(h + 4, "年", strlen("年")) == 0;
}

/* The current-year column a previous-year one is compared with: the minuend of the template's
 * difference rule that subtracts it (表5: 增减金额 = 总计 − 2023年初预算数). */
static int current_of(const bk_template *tpl, int prev)
{
    json_t *rules = json_loads(tpl->rules_json ? tpl->rules_json : "[]", 0, NULL);
    int found = -1;
    size_t i;
    json_t *rule;
    json_array_foreach(rules, i, rule) {
        const char *name = json_string_value(json_object_get(rule, "rule"));
        const char *sub = json_string_value(json_object_get(rule, "subtrahend"));
        if (name && strcmp(name, "difference") == 0 && sub &&
            strcmp(sub, tpl->columns[prev].id) == 0)
            found = bk_template_column(tpl, json_string_value(json_object_get(rule, "minuend")));
    }
    json_decref(rules);
    return found;
}

static bk_status years_table(run *r, const bk_table *older, const bk_table *newer, int year)
{
    keyed *ko = NULL, *kn = NULL;
    bk_status st = build_keys(r->a, older, &ko, r->err);
    if (st == BK_OK)
        st = build_keys(r->b, newer, &kn, r->err);
    const bk_template *tpl = newer->tpl;
    char label[16];
    snprintf(label, sizeof label, "%d年", year);
    size_t *nkey = row_ranks(kn, newer->nrows, &st, r->err);
    for (size_t i = 0; st == BK_OK && i < newer->nrows; i++) {
        keyed *m = find_key(ko, older->nrows, kn[nkey[i]].key);
        if (!m)
            continue;
        if (strcmp(tpl->row_key ? tpl->row_key : "", "year") == 0) {
            /* A year row: the later budget's row of the earlier year against the earlier's. */
            if (!bk_label_equal(newer->rows[i].name, label))
                continue;
            for (size_t col = 0; col < tpl->ncolumns && st == BK_OK; col++)
                if (tpl->columns[col].type == BK_COL_AMOUNT)
                    st = compare_cell(r, older, m->row, (int)col, newer, i, (int)col, r->shift);
            continue;
        }
        for (size_t col = 0; col < tpl->ncolumns && st == BK_OK; col++) {
            if (tpl->columns[col].type != BK_COL_AMOUNT || !is_year_column(&tpl->columns[col]))
                continue;
            int cur = current_of(tpl, (int)col);
            if (cur >= 0)
                st = compare_cell(r, older, m->row, cur, newer, i, (int)col, r->shift);
        }
    }
    bk_free(nkey);
    free_keys(ko, older->nrows);
    free_keys(kn, newer->nrows);
    return st;
}

/* ---- documents ---- */

static bk_status header(run *r, const char *field, const char *x, const char *y)
{
    if ((!x && !y) || (x && y && strcmp(x, y) == 0))
        return BK_OK;
    bk_change c;
    memset(&c, 0, sizeof c);
    c.kind = "header";
    c.column = field;
    c.old_text = x;
    c.new_text = y;
    return emit(r, &c);
}

static int find_unit_by_name(const bk_doc *d, const char *name)
{
    for (size_t i = 0; i < d->nunits; i++)
        if (bk_label_equal(d->units[i].name, name))
            return (int)i;
    return -1;
}

const char *bk_diff_next_paragraph(const char **p, size_t *len)
{
    while (*p && **p) {
        const char *line = *p, *e = strchr(line, '\n');
        size_t n = e ? (size_t)(e - line) : strlen(line);
        *p = e ? e + 1 : line + n;
        for (size_t i = 0; i < n; i++)
            if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
                *len = n;
                return line;
            }
    }
    return NULL;
}

static size_t split_lines(const char *text, const char ***out)
{
    size_t n = 0, cap = 0, len;
    const char **v = NULL, *line;
    while ((line = bk_diff_next_paragraph(&text, &len))) {
        char *s = bk_strndup(line, len);
        if (!s || bk_grow((void **)&v, &cap, n + 1, sizeof *v) != 0) {
            bk_free(s);
            break;
        }
        v[n++] = s;
    }
    *out = v;
    return n;
}

static void free_lines(const char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bk_free((void *)v[i]);
    bk_free(v);
}

/* Paragraphs removed and added, by a longest common subsequence. */
static bk_status compare_text(run *r, const char *title, const char *x, const char *y)
{
    const char **a = NULL, **b = NULL;
    size_t na = split_lines(x, &a), nb = split_lines(y, &b);
    size_t *lcs = bk_calloc((na + 1) * (nb + 1), sizeof *lcs);
    bk_status st = lcs ? BK_OK : nomem(r->err);
    for (size_t i = na; st == BK_OK && i-- > 0;)
        for (size_t j = nb; j-- > 0;)
            lcs[i * (nb + 1) + j] = strcmp(a[i], b[j]) == 0
                                        ? lcs[(i + 1) * (nb + 1) + j + 1] + 1
                                        : (lcs[(i + 1) * (nb + 1) + j] > lcs[i * (nb + 1) + j + 1]
                                               ? lcs[(i + 1) * (nb + 1) + j]
                                               : lcs[i * (nb + 1) + j + 1]);
    size_t i = 0, j = 0;
    while (st == BK_OK && (i < na || j < nb)) {
        char num[32];
        bk_change c;
        memset(&c, 0, sizeof c);
        c.name = title;
        c.row = num;
        if (i < na && j < nb && strcmp(a[i], b[j]) == 0) {
            i++, j++;
            continue;
        }
        if (j < nb && (i == na || lcs[i * (nb + 1) + j + 1] >= lcs[(i + 1) * (nb + 1) + j])) {
            snprintf(num, sizeof num, "%zu", j + 1);
            c.kind = "paragraph-added";
            c.new_text = b[j++];
        } else {
            snprintf(num, sizeof num, "%zu", i + 1);
            c.kind = "paragraph-removed";
            c.old_text = a[i++];
        }
        st = emit(r, &c);
    }
    bk_free(lcs);
    free_lines(a, na);
    free_lines(b, nb);
    return st;
}

/* The first part of d titled like title; d->nnarrative when there is none. */
static size_t part_index(const bk_doc *d, const char *title)
{
    size_t i = 0;
    while (i < d->nnarrative && !bk_label_equal(d->narrative[i].title, title))
        i++;
    return i;
}

/* A change that says only what it is about: a unit, a table and its title, or a part of the
 * narrative by its title (name). */
static bk_status change_of(run *r, const char *kind, const char *unit, const char *table,
                           const char *name)
{
    bk_change c = {.kind = kind, .unit = unit, .table = table, .name = name};
    return emit(r, &c);
}

static bk_status part_change(run *r, const char *kind, const char *title)
{
    return change_of(r, kind, NULL, NULL, title);
}

static bk_status compare_narrative(run *r)
{
    const bk_doc *a = r->a, *b = r->b;
    bk_status st = BK_OK;
    for (size_t i = 0; i < a->nnarrative && st == BK_OK; i++) {
        size_t j = part_index(b, a->narrative[i].title);
        if (j == b->nnarrative)
            st = part_change(r, "part-removed", a->narrative[i].title);
        else if (strcmp(a->narrative[i].text, b->narrative[j].text) != 0)
            st = compare_text(r, b->narrative[j].title, a->narrative[i].text,
                              b->narrative[j].text);
    }
    for (size_t j = 0; j < b->nnarrative && st == BK_OK; j++)
        if (part_index(a, b->narrative[j].title) == a->nnarrative)
            st = part_change(r, "part-added", b->narrative[j].title);
    /* Performance goals read as paragraphs; indicators by their three levels. */
    const bk_performance *pa = &a->performance, *pb = &b->performance;
    bk_strbuf ga = {0}, gb = {0};
    for (size_t i = 0; i < pa->ngoals; i++)
        bk_strbuf_add(&ga, "%s\n", pa->goals[i]);
    for (size_t i = 0; i < pb->ngoals; i++)
        bk_strbuf_add(&gb, "%s\n", pb->goals[i]);
    if (ga.failed || gb.failed)
        st = nomem(r->err);
    if (st == BK_OK && (ga.s || gb.s) && (!ga.s || !gb.s || strcmp(ga.s, gb.s) != 0))
        st = compare_text(r, "绩效目标", ga.s ? ga.s : "", gb.s ? gb.s : "");
    bk_free(ga.s);
    bk_free(gb.s);
    for (size_t j = 0; j < pb->nindicators && st == BK_OK; j++) {
        const bk_indicator *y = &pb->indicators[j];
        const bk_indicator *x = NULL;
        for (size_t i = 0; i < pa->nindicators && !x; i++)
            if (bk_label_equal(pa->indicators[i].level1, y->level1) &&
                bk_label_equal(pa->indicators[i].level2, y->level2) &&
                bk_label_equal(pa->indicators[i].level3, y->level3))
                x = &pa->indicators[i];
        if (x && bk_label_equal(x->target, y->target))
            continue;
        bk_change c;
        memset(&c, 0, sizeof c);
        c.kind = "indicator";
        c.table = "T12";
        c.row = y->level3;
        c.name = y->level2;
        c.old_text = x ? x->target : NULL;
        c.new_text = y->target;
        st = emit(r, &c);
    }
    return st;
}

/* The first row of d printing code: its table, and 1 + its index in *at; NULL when none. */
static const bk_table *printed(const bk_doc *d, const char *code, size_t *at)
{
    for (size_t t = 0; t < d->ntables; t++)
        for (size_t i = 0; i < d->tables[t]->nrows; i++)
            if (d->tables[t]->rows[i].code && strcmp(d->tables[t]->rows[i].code, code) == 0) {
                *at = i + 1;
                return d->tables[t];
            }
    *at = 0;
    return NULL;
}

/* Lines of one change: a split is one line per new code, a merger one per old code. */
static int same_change(const bk_code_change *x, const bk_code_change *y)
{
    if (x->year != y->year || strcmp(x->change, y->change) != 0 || strcmp(x->scheme, y->scheme) != 0)
        return 0;
    if (strcmp(x->change, "split") == 0)
        return strcmp(x->old_code, y->old_code) == 0;
    if (strcmp(x->change, "merged") == 0)
        return strcmp(x->new_code, y->new_code) == 0;
    return x == y;
}

/* What the catalogue says changed between A's year and B's for a code A or B prints. */
static bk_status catalogue_changes(run *r)
{
    const bk_code_changes *cc = r->cc;
    bk_status st = BK_OK;
    for (size_t i = 0; cc && i < cc->n && st == BK_OK; i++) {
        const bk_code_change *e = &cc->v[i];
        int seen = e->year != r->b->fiscal_year;
        for (size_t k = 0; k < i && !seen; k++)
            seen = same_change(&cc->v[k], e);
        if (seen)
            continue;
        int merged = strcmp(e->change, "merged") == 0;
        bk_strbuf olds = {0}, news = {0};
        const bk_table *ta = NULL, *tb = NULL;
        size_t at_a = 0, at_b = 0;
        for (size_t k = i; k < cc->n; k++) {
            const bk_code_change *x = &cc->v[k];
            if (k != i && !same_change(x, e))
                continue;
            if (k == i || merged) {
                bk_strbuf_add(&olds, "%s%s%s%s", olds.len ? "; " : "", x->old_code, *x->old_name ? " " : "",
                       x->old_name);
                if (!ta)
                    ta = printed(r->a, x->old_code, &at_a);
            }
            if (k == i || !merged) {
                bk_strbuf_add(&news, "%s%s%s%s", news.len ? "; " : "", x->new_code, *x->new_name ? " " : "",
                       x->new_name);
                if (!tb)
                    tb = printed(r->b, x->new_code, &at_b);
            }
        }
        if (olds.failed || news.failed)
            st = nomem(r->err);
        else if (ta || tb) {
            bk_change c;
            memset(&c, 0, sizeof c);
            c.kind = "catalogue";
            c.table = (ta ? ta : tb)->tpl->id;
            c.row = merged ? e->new_code : e->old_code;
            c.name = merged ? e->new_name : e->old_name;
            c.column = e->change;
            c.old_text = olds.s;
            c.new_text = news.s;
            c.source = e->source;
            c.at_a = ta ? at_a : 0;
            c.at_b = tb ? at_b : 0;
            st = emit(r, &c);
        }
        bk_free(olds.s);
        bk_free(news.s);
    }
    return st;
}

static bk_status years_docs(run *r)
{
    const bk_doc *a = r->a, *b = r->b;
    if (b->fiscal_year != a->fiscal_year + 1) {
        bk_error_at(r->err, b->source ? b->source : "-", 0, 0, -1);
        return bk_error_set(r->err, BK_E_USAGE, "--years compares a budget with the next year's: "
                            "%s is for %d, %s for %d", a->source ? a->source : "A",
                            a->fiscal_year, b->source ? b->source : "B", b->fiscal_year);
    }
    bk_status st = BK_OK;
    for (size_t t = 0; t < b->ntables && st == BK_OK; t++) {
        const bk_table *older = bk_doc_table(a, b->tables[t]->tpl->id);
        if (older)
            st = years_table(r, older, b->tables[t], a->fiscal_year);
    }
    if (st == BK_OK)
        st = catalogue_changes(r);
    return st;
}

/* kind for each unit of x that y does not have. */
static bk_status units_only_in(run *r, const bk_doc *x, const bk_doc *y, const char *kind)
{
    bk_status st = BK_OK;
    for (size_t i = 0; i < x->nunits && st == BK_OK; i++)
        if (find_unit_by_name(y, x->units[i].name) < 0)
            st = change_of(r, kind, x->units[i].name, NULL, NULL);
    return st;
}

static bk_status diff_docs(const bk_doc *a, const bk_doc *b, const bk_diff_options *o,
                           const bk_code_changes *cc, bk_change_fn fn, void *user,
                           bk_diff_stats *stats, bk_error *err)
{
    bk_diff_options none = {0};
    run r = {a, b, o ? o : &none, fn, user, err, 0, bk_money_shift(b->money_unit, a->money_unit),
             {0}, cc};
    bk_status st = BK_OK;
    char ya[16], yb[16], pa[16], pb[16];
    snprintf(ya, sizeof ya, "%d", a->fiscal_year);
    snprintf(yb, sizeof yb, "%d", b->fiscal_year);
    snprintf(pa, sizeof pa, "%d", a->precision);
    snprintf(pb, sizeof pb, "%d", b->precision);
    if (r.o->years) {
        st = years_docs(&r);
        goto done;
    }
    st = header(&r, "department", a->dept_name, b->dept_name);
    if (st == BK_OK)
        st = header(&r, "department_code", a->dept_code, b->dept_code);
    if (st == BK_OK)
        st = header(&r, "fiscal_year", ya, yb);
    if (st == BK_OK)
        st = header(&r, "money_unit", a->money_unit, b->money_unit);
    if (st == BK_OK)
        st = header(&r, "precision", pa, pb);
    if (st == BK_OK)
        st = units_only_in(&r, a, b, "unit-removed");
    if (st == BK_OK)
        st = units_only_in(&r, b, a, "unit-added");
    for (size_t t = 0; t < a->ntables && st == BK_OK; t++)
        if (!bk_doc_table(b, a->tables[t]->tpl->id))
            st = change_of(&r, "table-removed", NULL, a->tables[t]->tpl->id,
                           a->tables[t]->tpl->title);
    for (size_t t = 0; t < b->ntables && st == BK_OK; t++) {
        const bk_table *ta = bk_doc_table(a, b->tables[t]->tpl->id);
        if (ta) {
            st = compare_table(&r, ta, b->tables[t]);
            continue;
        }
        st = change_of(&r, "table-added", NULL, b->tables[t]->tpl->id, b->tables[t]->tpl->title);
    }
    if (st == BK_OK)
        st = compare_narrative(&r);
done:
    if (st == BK_OK && r.o->pair)
        st = r.o->pair(a, b, user, err);
    bk_free(r.col.s);
    if (st == BK_OK && r.col.failed)
        st = nomem(err);
    if (stats) {
        stats->documents++;
        stats->changes += r.changes;
        stats->equal += st == BK_OK && r.changes == 0;
    }
    return st;
}

bk_status bk_diff_docs(const bk_doc *a, const bk_doc *b, const bk_diff_options *o,
                       bk_change_fn fn, void *user, bk_diff_stats *stats, bk_error *err)
{
    bk_code_changes cc = {0};
    bk_status st = BK_OK;
    if (o && o->years && o->code_changes)
        st = bk_code_changes_load(&cc, o->code_changes, err);
    if (st == BK_OK)
        st = diff_docs(a, b, o, &cc, fn, user, stats, err);
    bk_code_changes_free(&cc);
    return st;
}

/* ---- inputs: documents paired ----
 *
 * A is pulled a document at a time (pull.c) while B is read: a document of B is paired with
 * the first document of A not yet paired that has its department and units, else its
 * department, so A is read only as far as that first match. Documents of A read and not yet
 * paired wait in order; when both sides list the same documents in the same order, that is
 * one document. A document of B without a counterpart of its department and units makes the
 * rest of A be read (and wait). */

typedef struct held {
    bk_doc *doc;
    char *key;  /* department and units */
    char *dept; /* department alone */
} held;

typedef struct diff_job {
    bk_ctx *ctx;
    const bk_diff_options *o;
    bk_change_fn fn;
    void *user;
    bk_diff_stats *stats;
    bk_code_changes cc;
    bk_pull *pull; /* A's documents, NULL when A was read whole (no thread) */
    int a_done;    /* every document of A has been read */
    held *a;       /* A's documents read and not yet paired, in A's order */
    size_t na, capa;
    size_t read_a; /* documents of A read so far */
    size_t nb;
} diff_job;

static bk_status doc_keys(const bk_doc *d, char **key, char **dept, bk_error *err)
{
    bk_strbuf b = {0};
    *dept = norm_dup(d->dept_name);
    if (*dept)
        bk_strbuf_add(&b, "%s", *dept);
    for (size_t i = 0; i < d->nunits && *dept; i++) {
        if (d->units[i].kind == BK_UNIT_DEPARTMENT)
            continue;
        char *n = norm_dup(d->units[i].name);
        if (!n)
            b.failed = 1;
        else
            bk_strbuf_add(&b, "\x1f%s", n);
        bk_free(n);
    }
    if (!*dept || b.failed) {
        bk_free(*dept);
        bk_free(b.s);
        *dept = NULL;
        return nomem(err);
    }
    *key = b.s ? b.s : bk_strdup("");
    return *key ? BK_OK : nomem(err);
}

/* Takes doc (kept) into the waiting documents of A. */
static bk_status hold_a(bk_doc *doc, void *user, bk_error *err)
{
    diff_job *j = user;
    if (bk_grow((void **)&j->a, &j->capa, j->na + 1, sizeof *j->a) != 0) {
        if (j->pull)
            bk_doc_free(doc);
        return nomem(err);
    }
    held *h = &j->a[j->na];
    memset(h, 0, sizeof *h);
    bk_status st = doc_keys(doc, &h->key, &h->dept, err);
    if (st != BK_OK) {
        if (j->pull)
            bk_doc_free(doc);
        return st;
    }
    bk_doc_keep(doc);
    h->doc = doc;
    j->na++;
    j->read_a++;
    return BK_OK;
}

/* The next document of A into the waiting ones; sets a_done at the end. */
/* A document of one side with no counterpart on the other: kind says which side. */
static bk_status document_change(diff_job *j, const char *kind, const bk_doc *d, bk_error *err)
{
    bk_change c = {.kind = kind, .document = d->source ? d->source : "-", .name = d->dept_name};
    if (j->stats)
        j->stats->changes++;
    return j->fn(&c, j->user, err);
}

static bk_status pull_a(diff_job *j, bk_error *err)
{
    bk_doc *doc;
    bk_status st = bk_pull_next(j->pull, &doc, err);
    if (st != BK_OK || !doc) {
        j->a_done = 1;
        return st;
    }
    return hold_a(doc, j, err);
}

static void drop(held *h)
{
    bk_doc_free(h->doc);
    bk_free(h->key);
    bk_free(h->dept);
}

/* The waiting document i leaves the list. */
static void release(diff_job *j, size_t i)
{
    drop(&j->a[i]);
    memmove(&j->a[i], &j->a[i + 1], (j->na - i - 1) * sizeof *j->a);
    j->na--;
}

static long find_waiting(const diff_job *j, size_t from, const char *key, const char *dept)
{
    for (size_t i = from; i < j->na; i++)
        if (key ? strcmp(j->a[i].key, key) == 0 : strcmp(j->a[i].dept, dept) == 0)
            return (long)i;
    return -1;
}

static bk_status pair_b(bk_doc *doc, void *user, bk_error *err)
{
    diff_job *j = user;
    j->nb++;
    char *key = NULL, *dept = NULL;
    bk_status st = doc_keys(doc, &key, &dept, err);
    if (st != BK_OK)
        return st;
    long pick = find_waiting(j, 0, key, NULL);
    while (pick < 0 && !j->a_done && st == BK_OK) {
        size_t before = j->na;
        st = pull_a(j, err);
        if (st == BK_OK)
            pick = find_waiting(j, before, key, NULL);
    }
    if (pick < 0 && st == BK_OK)
        pick = find_waiting(j, 0, NULL, dept);
    /* One budget against one: whatever their names, they are the two versions compared. */
    if (pick < 0 && st == BK_OK && j->read_a == 1 && j->na == 1 && (j->o->years || j->nb == 1))
        pick = 0;
    bk_free(key);
    bk_free(dept);
    if (st != BK_OK)
        return st;
    if (pick < 0)
        return document_change(j, "document-added", doc, err);
    st = diff_docs(j->a[pick].doc, doc, j->o, &j->cc, j->fn, j->user, j->stats, err);
    release(j, (size_t)pick);
    return st;
}


/* After B: the documents of A left without a counterpart, in A's order. */
static bk_status rest_of_a(diff_job *j, bk_error *err)
{
    bk_status st = BK_OK;
    while (j->na > 0 && st == BK_OK) {
        st = document_change(j, "document-removed", j->a[0].doc, err);
        release(j, 0);
    }
    while (!j->a_done && st == BK_OK) {
        bk_doc *doc;
        st = bk_pull_next(j->pull, &doc, err);
        if (st != BK_OK || !doc) {
            j->a_done = 1;
            break;
        }
        j->read_a++;
        st = document_change(j, "document-removed", doc, err);
        bk_doc_free(doc);
    }
    return st;
}

/* A read to its end, its documents dropped: A's errors come before B's emptiness. */
static bk_status drain_a(diff_job *j, bk_error *err)
{
    bk_status st = BK_OK;
    while (!j->a_done && st == BK_OK) {
        bk_doc *doc;
        st = bk_pull_next(j->pull, &doc, err);
        if (st != BK_OK || !doc)
            j->a_done = 1;
        bk_doc_free(doc);
    }
    return st;
}

bk_status bk_diff(bk_ctx *ctx, const char *a, const char *b, const char *from,
                  const bk_diff_options *o, bk_change_fn fn, void *user, bk_diff_stats *stats,
                  bk_error *err)
{
    bk_diff_options none = {0};
    diff_job j;
    memset(&j, 0, sizeof j);
    j.ctx = ctx;
    j.o = o ? o : &none;
    j.fn = fn;
    j.user = user;
    j.stats = stats;
    const char *in[2] = {a, b};
    char **list[2] = {NULL, NULL};
    size_t nlist[2] = {0, 0};
    bk_status st = BK_OK;
    if (j.o->years) {
        /* The catalogue's changes between years: the data folder's, then the user's. */
        const char *data = bk_ctx_data_dir(ctx);
        size_t n = data ? strlen(data) + sizeof "/catalog/changes" : 0;
        char *dir = n ? bk_malloc(n) : NULL;
        if (n && !dir)
            st = nomem(err);
        if (dir) {
            snprintf(dir, n, "%s/catalog/changes", data);
            st = bk_code_changes_load_dir(&j.cc, dir, err);
            bk_free(dir);
        }
        if (st == BK_OK && j.o->code_changes)
            st = bk_code_changes_load(&j.cc, j.o->code_changes, err);
        /* Then what the catalogue's lists of two years show by themselves: renamings. */
        dir = n ? bk_malloc(n) : NULL;
        if (st == BK_OK && n && !dir)
            st = nomem(err);
        if (dir)
            snprintf(dir, n, "%s/catalog", data);
        if (st == BK_OK)
            st = bk_code_changes_from_catalogue(&j.cc, dir, bk_ctx_option(ctx, "catalog"), err);
        bk_free(dir);
    }
    for (int k = 0; k < 2 && st == BK_OK; k++)
        st = bk_inputs_expand(ctx, &in[k], 1, from, &list[k], &nlist[k], err);
    if (st == BK_OK) {
        j.pull = bk_pull_open(ctx, (const char *const *)list[0], nlist[0], from, err);
        if (j.pull) {
            st = pull_a(&j, err); /* A's first document: an A without one stops here */
        } else if (err->code) {
            st = err->code;
        } else {
            /* No second thread: A is read whole first, and waits. */
            st = bk_read_inputs(ctx, (const char *const *)list[0], nlist[0], from, hold_a, &j, err);
            j.a_done = 1;
        }
    }
    if (st == BK_OK && j.read_a == 0) {
        bk_error_at(err, a, 0, 0, -1);
        st = bk_error_set(err, BK_E_CONTENT, "the input holds no budget document");
    }
    if (st == BK_OK)
        st = bk_read_inputs(ctx, (const char *const *)list[1], nlist[1], from, pair_b, &j, err);
    if (st == BK_OK && j.nb == 0) {
        st = drain_a(&j, err);
        if (st == BK_OK) {
            bk_error_at(err, b, 0, 0, -1);
            st = bk_error_set(err, BK_E_CONTENT, "the input holds no budget document");
        }
    }
    if (st == BK_OK)
        st = rest_of_a(&j, err);
    bk_pull_close(j.pull);
    for (size_t i = 0; i < j.na; i++)
        drop(&j.a[i]);
    bk_free(j.a);
    bk_code_changes_free(&j.cc);
    for (int k = 0; k < 2; k++)
        bk_inputs_free(list[k], nlist[k]);
    return st;
}
