/* The line-item layout: one record per value, every part of the document, many documents in
 * one file (formats/csv-lineitems.md). Each document is handed over as soon as the next "doc"
 * record (or the end) shows it is complete, so a bulk file is read in bounded memory. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "csvint.h"

enum { F_RECORD, F_UNIT, F_TABLE, F_ROW, F_KIND, F_SECTION, F_CODE, F_NAME, F_LEVEL, F_COLUMN,
       F_VALUE, NFIELDS };

static const char *const field_names[NFIELDS] = {"record", "unit", "table", "row", "kind",
                                                 "section", "code", "name", "level", "column",
                                                 "value"};

static int field_index(const char *s);

/* Whether the first record is the line-item header, judged on its parsed fields as other tools
 * write it: quoted or not (Python's QUOTE_ALL, LibreOffice's "quote all text", R's
 * write.csv), after a byte order mark, in any order, each name once. */
int bkcsv_lines_header_at(const unsigned char *p, size_t n)
{
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        p += 3, n -= 3;
    unsigned seen = 0;
    size_t i = 0, nfields = 0;
    for (;;) {
        char name[16];
        size_t len = 0;
        if (i < n && p[i] == '"') {
            for (i++;; i++) {
                if (i >= n)
                    return 0;
                if (p[i] == '"') {
                    if (i + 1 < n && p[i + 1] == '"')
                        i++;
                    else
                        break;
                }
                if (len + 1 >= sizeof name)
                    return 0;
                name[len++] = (char)p[i];
            }
            i++; /* the closing quote */
        } else {
            for (; i < n && p[i] != ',' && p[i] != '\r' && p[i] != '\n'; i++) {
                if (len + 1 >= sizeof name)
                    return 0;
                name[len++] = (char)p[i];
            }
        }
        name[len] = '\0';
        int k = field_index(name);
        if (k < 0 || (seen & (1u << k)))
            return 0;
        seen |= 1u << k;
        nfields++;
        if (i < n && p[i] == ',') {
            i++;
            continue;
        }
        /* The record ends at a line break or at the end of what was seen. */
        return nfields == NFIELDS && (i == n || p[i] == '\r' || p[i] == '\n');
    }
}

static int field_index(const char *s)
{
    for (int i = 0; i < NFIELDS; i++)
        if (strcmp(s, field_names[i]) == 0)
            return i;
    return -1;
}

int bkcsv_lines_header_record(const bkcsv_field *f, size_t n)
{
    if (n != NFIELDS)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (field_index(f[i].s) < 0)
            return 0;
    return 1;
}

/* ======================================================================== import */

typedef struct lines_in {
    bk_import *job;
    bk_error *err;
    const char *file;
    const bk_templates *tpls;
    unsigned long long max_cells;
    int map[NFIELDS]; /* field number of each column, -1 before the header */
    int have_header;
    bk_doc *doc;
    long doc_line;
    unsigned long long cells;
    bk_table *table;  /* the table of the last record, for speed */
    /* The table declared last, made when a record of another kind or table comes, once its
     * "column" records (a layout the document defines) are read. Interned in the document;
     * id NULL when none is pending. */
    struct {
        const char *id, *title, *unit_label, *note, *money_unit;
        long line;
        bk_column_list *cols; /* NULL until a table defines a column */
    } pend;
    int unit;         /* unit of the last row record, for speed */
    size_t col_guess; /* next column after the last cell's */
    /* an indicator is complete when a record for another one arrives */
    size_t ind_index;
    const char *ind[4];
    /* the record at hand */
    const bkcsv_field *f;
    long line;
} lines_in;

static const bkcsv_field *get(const lines_in *li, int which) { return &li->f[li->map[which]]; }
static const char *str(const lines_in *li, int which) { return li->f[li->map[which]].s; }
static int empty(const lines_in *li, int which) { return li->f[li->map[which]].len == 0; }

static bk_status fail_at(lines_in *li, int field, bk_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bk_status fail_at(lines_in *li, int field, bk_status code, const char *fmt, ...)
{
    bk_error_at(li->err, li->file, li->line, field >= 0 ? li->map[field] + 1 : 0, -1);
    va_list ap;
    va_start(ap, fmt);
    bk_status st = bk_error_setv(li->err, code, fmt, ap);
    va_end(ap);
    return st;
}

static bk_status nomem(lines_in *li) { return fail_at(li, -1, BK_E_NOMEM, "out of memory"); }

/* A whole number in [lo, hi]; digits only. */
static int parse_int(const bkcsv_field *f, long lo, long hi, long *out)
{
    if (f->len == 0 || f->len > 9)
        return -1;
    long v = 0;
    for (size_t i = 0; i < f->len; i++) {
        if (f->s[i] < '0' || f->s[i] > '9')
            return -1;
        v = v * 10 + (f->s[i] - '0');
    }
    if (v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static const char *opt_str(const lines_in *li, int which)
{
    return empty(li, which) ? NULL : str(li, which);
}

static bk_status flush_indicator(lines_in *li)
{
    if (!li->ind_index)
        return BK_OK;
    li->ind_index = 0;
    if (bk_doc_add_indicator(li->doc, li->ind[0], li->ind[1], li->ind[2], li->ind[3]) != BK_OK)
        return nomem(li);
    return BK_OK;
}

static bk_status make_pending(lines_in *li);

static bk_status finish_doc(lines_in *li)
{
    if (!li->doc)
        return BK_OK;
    bk_status st = make_pending(li);
    if (st == BK_OK)
        st = flush_indicator(li);
    bk_doc *doc = li->doc;
    li->doc = NULL;
    if (st != BK_OK) {
        bk_doc_free(doc);
        return st;
    }
    st = bk_import_emit(li->job, doc);
    if (st != BK_OK && li->err->line == 0)
        li->err->line = li->doc_line;
    return st;
}

static bk_status rec_doc(lines_in *li)
{
    bk_status st = finish_doc(li);
    if (st != BK_OK)
        return st;
    if (!empty(li, F_COLUMN)) {
        if (strcmp(str(li, F_COLUMN), "version") != 0)
            return fail_at(li, F_COLUMN, BK_E_CONTENT, "a \"doc\" record takes column \"version\" "
                           "or none, not \"%s\"", str(li, F_COLUMN));
        if (strcmp(str(li, F_VALUE), "1") != 0)
            return fail_at(li, F_VALUE, BK_E_CONTENT, "line-item version \"%s\" is not read "
                           "(this reader knows version 1)", str(li, F_VALUE));
    }
    li->doc = bk_doc_new();
    if (!li->doc)
        return nomem(li);
    li->doc_line = li->line;
    li->cells = 0;
    li->table = NULL;
    li->unit = -1;
    li->ind_index = 0;
    if (bk_doc_set_department(li->doc, str(li, F_NAME), opt_str(li, F_CODE)) != BK_OK ||
        bk_doc_set_source(li->doc, li->file) != BK_OK)
        return nomem(li);
    return BK_OK;
}

static bk_status rec_meta(lines_in *li)
{
    const char *key = str(li, F_COLUMN);
    long v;
    bk_error e = {0};
    bk_status st;
    if (strcmp(key, "fiscal_year") == 0) {
        if (parse_int(get(li, F_VALUE), 0, LONG_MAX, &v))
            return fail_at(li, F_VALUE, BK_E_CONTENT, "fiscal year \"%s\" is not a year",
                           str(li, F_VALUE));
        st = bk_doc_set_year(li->doc, v, &e);
    } else if (strcmp(key, "precision") == 0) {
        if (parse_int(get(li, F_VALUE), 0, LONG_MAX, &v))
            return fail_at(li, F_VALUE, BK_E_CONTENT, "precision \"%s\" is not a number",
                           str(li, F_VALUE));
        st = bk_doc_set_precision(li->doc, v, &e);
    } else if (strcmp(key, "money_unit") == 0) {
        st = bk_doc_set_money_unit(li->doc, str(li, F_VALUE), &e);
    } else {
        return fail_at(li, F_COLUMN, BK_E_CONTENT, "unknown \"meta\" column \"%s\" (expected "
                       "fiscal_year, money_unit or precision)", key);
    }
    return st == BK_OK ? BK_OK : fail_at(li, F_VALUE, st, "%s", e.text);
}

static bk_status rec_unit(lines_in *li)
{
    int kind = bk_unit_kind_parse(str(li, F_KIND));
    if (kind < 0)
        return fail_at(li, F_KIND, BK_E_CONTENT, "unknown unit kind \"%s\" (expected department, "
                       "self or subunit)", str(li, F_KIND));
    const char *parent = NULL;
    if (!empty(li, F_COLUMN)) {
        if (strcmp(str(li, F_COLUMN), "parent") != 0)
            return fail_at(li, F_COLUMN, BK_E_CONTENT, "a \"unit\" record takes column "
                           "\"parent\" or none, not \"%s\"", str(li, F_COLUMN));
        parent = opt_str(li, F_VALUE);
    }
    bk_error e;
    bk_error_clear(&e);
    if (bk_doc_add_unit(li->doc, str(li, F_UNIT), str(li, F_NAME), (bk_unit_kind)kind, parent,
                        &e) != BK_OK)
        return fail_at(li, F_UNIT, e.code, "%s", e.text);
    return BK_OK;
}

/* The pending table, made: with the layout its "column" records define, else its template. */
static bk_status make_pending(lines_in *li)
{
    const char *id = li->pend.id;
    if (!id)
        return BK_OK;
    li->pend.id = NULL;
    const bk_template *tpl = bk_templates_find(li->tpls, id);
    if (li->pend.cols && bk_column_list_count(li->pend.cols)) {
        tpl = bk_column_list_define(li->pend.cols, li->doc, tpl, id, li->pend.title);
        if (!tpl)
            return nomem(li);
    } else if (!tpl) {
        li->line = li->pend.line;
        return fail_at(li, F_TABLE, BK_E_CONTENT, "table id \"%s\" has no template", id);
    }
    bk_table *t = bk_doc_add_table(li->doc, tpl);
    if (!t || bk_table_set_labels(li->doc, t, li->pend.unit_label, li->pend.note) != BK_OK ||
        bk_table_set_money_unit(li->doc, t, li->pend.money_unit) != BK_OK)
        return nomem(li);
    li->table = t;
    li->col_guess = 0;
    return BK_OK;
}

static int pending(const lines_in *li, const char *id)
{
    return li->pend.id && strcmp(li->pend.id, id) == 0;
}

/* Table id declared: the one pending before is made first. */
static bk_status start_pending(lines_in *li, const char *id)
{
    bk_status st = make_pending(li);
    if (st != BK_OK)
        return st;
    li->pend.title = li->pend.unit_label = li->pend.note = li->pend.money_unit = NULL;
    if (li->pend.cols)
        bk_column_list_clear(li->pend.cols);
    li->pend.line = li->line;
    return (li->pend.id = bk_doc_intern_cstr(li->doc, id)) ? BK_OK : nomem(li);
}

/* The table a record names, made now if it is pending or was never declared. */
static bk_table *find_table(lines_in *li)
{
    const bkcsv_field *id = get(li, F_TABLE);
    if (li->table && strcmp(li->table->tpl->id, id->s) == 0)
        return li->table;
    bk_table *t = bk_doc_table(li->doc, id->s);
    if (!t) {
        if ((!pending(li, id->s) && start_pending(li, id->s) != BK_OK) ||
            make_pending(li) != BK_OK)
            return NULL;
        t = li->table;
    }
    li->table = t;
    li->col_guess = 0;
    return t;
}

/* A "table" record: declares a table (pending until its columns are read) or gives one of its
 * printed labels. */
static bk_status rec_table(lines_in *li)
{
    const char *id = str(li, F_TABLE);
    bk_table *t = bk_doc_table(li->doc, id);
    bk_status st;
    if (!t && !pending(li, id) && (st = start_pending(li, id)) != BK_OK)
        return st;
    if (empty(li, F_COLUMN))
        return BK_OK;
    const char *key = str(li, F_COLUMN);
    static const char *const keys[] = {"unit_label", "note", "money_unit", "title"};
    size_t k = 0;
    while (k < 4 && strcmp(key, keys[k]) != 0)
        k++;
    if (k == 4)
        return fail_at(li, F_COLUMN, BK_E_CONTENT, "unknown \"table\" column \"%s\" (expected "
                       "unit_label, note, money_unit or title)", key);
    if (t && k == 3)
        return fail_at(li, F_COLUMN, BK_E_CONTENT, "the title of table %s comes after its rows",
                       id);
    const char *v = bk_doc_intern_cstr(li->doc, str(li, F_VALUE));
    if (!v)
        return nomem(li);
    if (!t) {
        const char **field[] = {&li->pend.unit_label, &li->pend.note, &li->pend.money_unit,
                                &li->pend.title};
        *field[k] = v;
        return BK_OK;
    }
    if (k == 2)
        return bk_table_set_money_unit(li->doc, t, v) == BK_OK ? BK_OK : nomem(li);
    return bk_table_set_labels(li->doc, t, k == 0 ? v : t->unit_label, k == 1 ? v : t->note) ==
                   BK_OK
               ? BK_OK
               : nomem(li);
}

/* A "column" record: one header label of a column the pending table defines. */
static bk_status rec_column(lines_in *li)
{
    const char *id = str(li, F_TABLE), *cid = str(li, F_COLUMN);
    if (!pending(li, id))
        return fail_at(li, F_TABLE, BK_E_CONTENT, "a \"column\" record of table \"%s\" comes "
                       "after its rows or before its \"table\" record", id);
    if (empty(li, F_COLUMN))
        return fail_at(li, F_COLUMN, BK_E_CONTENT, "a \"column\" record names no column");
    long depth = 0;
    if (!empty(li, F_LEVEL) && parse_int(get(li, F_LEVEL), 1, 8, &depth))
        return fail_at(li, F_LEVEL, BK_E_CONTENT, "label level \"%s\" is not a number from 1 "
                       "to 8", str(li, F_LEVEL));
    if (!li->pend.cols && !(li->pend.cols = bk_column_list_new()))
        return nomem(li);
    const bk_column *col = bk_column_list_last(li->pend.cols);
    bk_error e = {0};
    if (!col || strcmp(col->id, cid) != 0) {
        int type = bk_column_type_parse(str(li, F_KIND));
        if (type < 0)
            return fail_at(li, F_KIND, BK_E_CONTENT, "column type \"%s\" is not amount, percent "
                           "or text", str(li, F_KIND));
        if (bk_column_list_add(li->pend.cols, bk_templates_find(li->tpls, id), cid, type, &e) !=
            BK_OK)
            return fail_at(li, F_COLUMN, e.code, "%s", e.text);
        col = bk_column_list_last(li->pend.cols);
    }
    if (!depth)
        return empty(li, F_VALUE) ? BK_OK
                                  : fail_at(li, F_LEVEL, BK_E_CONTENT, "a column label needs "
                                            "its level (1 for the top header row)");
    if ((size_t)depth != col->path_len + 1)
        return fail_at(li, F_LEVEL, BK_E_CONTENT, "label level %ld of column \"%s\" follows "
                       "level %zu; levels are 1, 2, 3... in order", depth, cid, col->path_len);
    if (bk_column_list_label(li->pend.cols, str(li, F_VALUE), &e) != BK_OK)
        return fail_at(li, F_VALUE, e.code, "%s", e.text);
    return BK_OK;
}

static int find_unit(lines_in *li, const char *id)
{
    if (li->unit >= 0 && (size_t)li->unit < li->doc->nunits &&
        strcmp(li->doc->units[li->unit].id, id) == 0)
        return li->unit;
    return li->unit = bk_doc_find_unit(li->doc, id);
}

static int same_opt(const char *model, const bkcsv_field *f)
{
    return model ? strcmp(model, f->s) == 0 : f->len == 0;
}

/* A later record of the row it names must describe it the same way. */
static bk_status check_row(lines_in *li, const bk_table *t, size_t r)
{
    const bk_row *row = &t->rows[r];
    int bad = -1;
    if (strcmp(bk_row_kind_name((bk_row_kind)row->kind), str(li, F_KIND)) != 0)
        bad = F_KIND;
    else if (strcmp(li->doc->units[row->unit].id, str(li, F_UNIT)) != 0)
        bad = F_UNIT;
    else if (strcmp(row->name, str(li, F_NAME)) != 0)
        bad = F_NAME;
    else if (!same_opt(row->code, get(li, F_CODE)))
        bad = F_CODE;
    else if (!same_opt(row->section, get(li, F_SECTION)))
        bad = F_SECTION;
    else {
        long level = 0;
        if (!empty(li, F_LEVEL))
            parse_int(get(li, F_LEVEL), 1, 9, &level);
        if (level != row->level)
            bad = F_LEVEL;
    }
    if (bad < 0)
        return BK_OK;
    return fail_at(li, bad, BK_E_CONTENT, "this record gives %s \"%s\" for %s row %zu, which an "
                   "earlier record of the same row does not", field_names[bad], str(li, bad),
                   t->tpl->id, r + 1);
}

/* The row a "row" or "cell" record names: the last one, or a new one right after it. */
static long row_of(lines_in *li, bk_table *t)
{
    long n;
    if (parse_int(get(li, F_ROW), 1, 100000000, &n))
        return fail_at(li, F_ROW, BK_E_CONTENT, "row \"%s\" is not a row number (1, 2, 3...)",
                       str(li, F_ROW)), -1;
    if ((size_t)n == t->nrows)
        return check_row(li, t, (size_t)n - 1) == BK_OK ? n - 1 : -1;
    if ((size_t)n != t->nrows + 1)
        return fail_at(li, F_ROW, BK_E_CONTENT, "%s row %ld follows row %zu; rows are numbered "
                       "1, 2, 3... in order", t->tpl->id, n, t->nrows), -1;
    int kind = bk_row_kind_parse(str(li, F_KIND));
    if (kind < 0)
        return fail_at(li, F_KIND, BK_E_CONTENT, "unknown row kind \"%s\" (expected item, unit, "
                       "total or of)", str(li, F_KIND)), -1;
    int unit = find_unit(li, str(li, F_UNIT));
    if (unit < 0)
        return fail_at(li, F_UNIT, BK_E_CONTENT, "unit \"%s\" is not listed in a \"unit\" record "
                       "before this one", str(li, F_UNIT)), -1;
    long level = 0;
    if (!empty(li, F_LEVEL) && parse_int(get(li, F_LEVEL), 1, 9, &level))
        return fail_at(li, F_LEVEL, BK_E_CONTENT, "level \"%s\" is not a number from 1 to 9 "
                       "(leave it empty when not given)", str(li, F_LEVEL)), -1;
    long r = bk_table_add_row(li->doc, t, (bk_row_kind)kind, unit, opt_str(li, F_SECTION),
                              opt_str(li, F_CODE), str(li, F_NAME), (int)level,
                              (uint32_t)li->line);
    if (r < 0)
        return nomem(li), -1;
    return r;
}

static int find_column(lines_in *li, const bk_template *tpl, const char *id)
{
    size_t n = tpl->ncolumns, g = li->col_guess;
    for (size_t k = 0; k < n; k++) {
        size_t c = (g + k) % n;
        if (strcmp(tpl->columns[c].id, id) == 0) {
            li->col_guess = c + 1;
            return (int)c;
        }
    }
    return -1;
}

static bk_status set_cell(lines_in *li, bk_table *t, size_t r)
{
    const bk_template *tpl = t->tpl;
    int c = find_column(li, tpl, str(li, F_COLUMN));
    if (c < 0)
        return fail_at(li, F_COLUMN, BK_E_CONTENT, "table %s has no column \"%s\"", tpl->id,
                       str(li, F_COLUMN));
    bk_cell *cell = bk_table_cell(t, r, (size_t)c);
    if (cell->kind != BK_CELL_EMPTY)
        return fail_at(li, F_COLUMN, BK_E_CONTENT, "the cell is given twice");
    if (li->max_cells && ++li->cells > li->max_cells)
        return fail_at(li, -1, BK_E_LIMIT, "the document has more than %llu cells (max-cells)",
                       li->max_cells);
    const bkcsv_field *v = get(li, F_VALUE);
    if (tpl->columns[c].type == BK_COL_TEXT)
        return bk_table_set_text(li->doc, t, r, (size_t)c, v->s, v->len) == BK_OK ? BK_OK
                                                                                   : nomem(li);
    bk_decimal d;
    if (v->len == 0)
        return fail_at(li, F_VALUE, BK_E_CONTENT, "an amount cell needs a value (a blank cell has "
                       "no record)");
    /* The writer never signs a positive amount: a '+' is not the plain form. */
    switch (v->s[0] == '+' ? BK_DECIMAL_SYNTAX : bk_decimal_parse(v->s, v->len, 0, &d, NULL)) {
    case BK_DECIMAL_OK:
        return bk_table_set_number(t, r, (size_t)c, d);
    case BK_DECIMAL_OVERFLOW:
        return fail_at(li, F_VALUE, BK_E_CONTENT, "amount \"%s\" is too large or has too many "
                       "decimals", v->s);
    default:
        return fail_at(li, F_VALUE, BK_E_CONTENT, "\"%s\" is not a plain decimal number (like "
                       "4115.36 or -217.70)", v->s);
    }
}

/* The table and row a row or cell record names; -1, with the error set, when there is none. */
static long named_row(lines_in *li, bk_table **t)
{
    *t = find_table(li);
    if (!*t)
        return -1;
    return row_of(li, *t);
}

static bk_status rec_row(lines_in *li)
{
    bk_table *t;
    return named_row(li, &t) < 0 ? li->err->code : BK_OK;
}

static bk_status rec_cell(lines_in *li)
{
    bk_table *t;
    long r = named_row(li, &t);
    if (r < 0)
        return li->err->code;
    bk_status st = set_cell(li, t, (size_t)r);
    if (st != BK_OK)
        bk_error_where(li->err, "%s row %ld column %s", t->tpl->id, r + 1, str(li, F_COLUMN));
    return st;
}

static bk_status rec_perf(lines_in *li)
{
    bk_performance *p = &li->doc->performance;
    const char *unit = p->unit_name, *sup = p->supervisor, *period = p->period;
    const char *key = str(li, F_COLUMN), *v = str(li, F_VALUE);
    if (!*key) {
        /* only declares the part */
    } else if (strcmp(key, "unit_name") == 0)
        unit = v;
    else if (strcmp(key, "supervisor") == 0)
        sup = v;
    else if (strcmp(key, "period") == 0)
        period = v;
    else
        return fail_at(li, F_COLUMN, BK_E_CONTENT, "unknown \"perf\" column \"%s\" (expected "
                       "unit_name, supervisor or period)", key);
    return bk_doc_set_performance(li->doc, unit, sup, period) == BK_OK ? BK_OK : nomem(li);
}

/* goal, indicator and narrative records are numbered 1, 2, 3... */
static bk_status next_index(lines_in *li, size_t have, int same_ok, size_t *out)
{
    long n;
    if (parse_int(get(li, F_ROW), 1, 100000000, &n) ||
        !((size_t)n == have + 1 || (same_ok && (size_t)n == have && have > 0)))
        return fail_at(li, F_ROW, BK_E_CONTENT, "%s number \"%s\" should be %zu", str(li, F_RECORD),
                       str(li, F_ROW), have + 1);
    *out = (size_t)n;
    return BK_OK;
}

static bk_status rec_goal(lines_in *li)
{
    size_t n;
    bk_status st = next_index(li, li->doc->performance.ngoals, 0, &n);
    if (st != BK_OK)
        return st;
    return bk_doc_add_goal(li->doc, str(li, F_VALUE)) == BK_OK ? BK_OK : nomem(li);
}

static bk_status rec_indicator(lines_in *li)
{
    static const char *const keys[4] = {"level1", "level2", "level3", "target"};
    size_t have = li->doc->performance.nindicators + (li->ind_index ? 1 : 0), n;
    bk_status st = next_index(li, have, li->ind_index != 0, &n);
    if (st != BK_OK)
        return st;
    if (n != li->ind_index) {
        if ((st = flush_indicator(li)) != BK_OK)
            return st;
        li->ind_index = n;
        for (int i = 0; i < 4; i++)
            li->ind[i] = "";
    }
    const char *key = str(li, F_COLUMN);
    if (!*key)
        return BK_OK;
    for (int i = 0; i < 4; i++) {
        if (strcmp(key, keys[i]) == 0) {
            li->ind[i] = bk_doc_intern(li->doc, str(li, F_VALUE), get(li, F_VALUE)->len);
            return li->ind[i] ? BK_OK : nomem(li);
        }
    }
    return fail_at(li, F_COLUMN, BK_E_CONTENT, "unknown \"indicator\" column \"%s\" (expected "
                   "level1, level2, level3 or target)", key);
}

static bk_status rec_narrative(lines_in *li)
{
    size_t n;
    bk_status st = next_index(li, li->doc->nnarrative, 0, &n);
    if (st != BK_OK)
        return st;
    return bk_doc_add_narrative(li->doc, str(li, F_NAME), str(li, F_VALUE)) == BK_OK ? BK_OK
                                                                                     : nomem(li);
}

static bk_status read_header(lines_in *li, const bkcsv_field *f, size_t n)
{
    for (int i = 0; i < NFIELDS; i++)
        li->map[i] = -1;
    for (size_t i = 0; i < n; i++) {
        int k = field_index(f[i].s);
        if (k < 0)
            return bkcsv_fail(li->err, li->file, li->line, (long)i + 1, -1, BK_E_CONTENT,
                              "the first line is not the line-item header (" BKCSV_LINES_HEADER
                              "): field %zu is \"%.60s\"",
                              i + 1, f[i].s);
        if (li->map[k] >= 0)
            return bkcsv_fail(li->err, li->file, li->line, (long)i + 1, -1, BK_E_CONTENT,
                              "column \"%s\" appears twice in the header", f[i].s);
        li->map[k] = (int)i;
    }
    for (int i = 0; i < NFIELDS; i++)
        if (li->map[i] < 0)
            return bkcsv_fail(li->err, li->file, li->line, 0, -1, BK_E_CONTENT,
                              "the header has no column \"%s\"", field_names[i]);
    li->have_header = 1;
    return BK_OK;
}

/* The readers of each record type, the most frequent first: a bulk file is mostly cells. */
static const struct {
    const char *name;
    bk_status (*read)(lines_in *li);
} records[] = {
    {"cell", rec_cell},
    {"row", rec_row},
    {"column", rec_column},
    {"table", rec_table},
    {"unit", rec_unit},
    {"meta", rec_meta},
    {"doc", rec_doc},
    {"perf", rec_perf},
    {"goal", rec_goal},
    {"indicator", rec_indicator},
    {"narrative", rec_narrative},
};

static bk_status on_record(void *user, const bkcsv_field *f, size_t n, long line)
{
    lines_in *li = user;
    li->line = line;
    li->f = f;
    if (!li->have_header)
        return read_header(li, f, n);
    size_t blank = 0;
    while (blank < n && f[blank].len == 0)
        blank++;
    if (blank == n)
        return BK_OK;
    if (n != NFIELDS)
        return bkcsv_fail(li->err, li->file, line, 0, -1, BK_E_SYNTAX,
                          "line %ld has %zu fields; every line of the line-item layout has %d",
                          line, n, NFIELDS);
    const char *rec = str(li, F_RECORD);
    if (!li->doc && strcmp(rec, "doc") != 0)
        return fail_at(li, F_RECORD, BK_E_CONTENT, "a \"%s\" record comes before the first "
                       "\"doc\" record", rec);
    if (li->ind_index && strcmp(rec, "indicator") != 0) {
        bk_status st = flush_indicator(li);
        if (st != BK_OK)
            return st;
    }
    for (size_t i = 0; i < sizeof records / sizeof records[0]; i++)
        if (strcmp(rec, records[i].name) == 0)
            return records[i].read(li);
    return fail_at(li, F_RECORD, BK_E_CONTENT, "unknown record type \"%s\" (expected doc, meta, "
                   "unit, table, column, row, cell, perf, goal, indicator or narrative)", rec);
}

bk_status bkcsv_lines_import(bk_import *job, bk_source *src, const bkcsv_read_opts *opts)
{
    lines_in li;
    memset(&li, 0, sizeof li);
    li.job = job;
    li.err = bk_import_error(job);
    li.file = bk_source_name(src);
    li.tpls = bk_import_templates(job);
    li.max_cells = bk_ctx_limits(bk_import_ctx(job))->max_cells;
    li.unit = -1;
    bkcsv_read_opts o = *opts;
    o.max_fields = 64;
    bk_status st = bkcsv_read(src, li.file, &o, li.err, on_record, &li);
    if (st == BK_OK && !li.have_header)
        st = bkcsv_fail(li.err, li.file, 1, 0, -1, BK_E_CONTENT, "the file is empty");
    if (st == BK_OK)
        st = finish_doc(&li);
    else
        bk_doc_free(li.doc);
    bk_column_list_free(li.pend.cols);
    return st;
}

/* ======================================================================== export */

struct bkcsv_lines_export {
    bkcsv_writer w;
    bk_error *err;
};

bk_status bkcsv_lines_export_begin(bkcsv_lines_export **out, bk_sink *sink, bkcsv_encoding enc,
                                   int bom, bk_error *err)
{
    bkcsv_lines_export *x = bk_calloc(1, sizeof *x);
    *out = x;
    if (!x)
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    x->err = err;
    bk_status st = bkcsv_writer_init(&x->w, sink, enc, bom, err);
    if (st != BK_OK)
        return st;
    bkcsv_put_raw(&x->w, BKCSV_LINES_HEADER "\r\n", sizeof BKCSV_LINES_HEADER + 1);
    return x->w.status;
}

/* A record with the given fields; the others are empty. */
static void put_rec(bkcsv_writer *w, const char *record, const char *unit, const char *table,
                    const char *row, const char *kind, const char *section, const char *code,
                    const char *name, const char *level, const char *column, const char *value)
{
    const char *f[NFIELDS] = {record, unit, table, row, kind, section, code, name, level, column,
                              value};
    bkcsv_record(w, f, NFIELDS);
}

static void put_indexed(bkcsv_writer *w, const char *record, size_t index, const char *name,
                        const char *column, const char *value)
{
    char num[24];
    snprintf(num, sizeof num, "%zu", index);
    put_rec(w, record, NULL, NULL, num, NULL, NULL, NULL, name, NULL, column, value);
}

static void export_header(bkcsv_writer *w, const bk_doc *doc)
{
    char year[16], precision[16];
    snprintf(year, sizeof year, "%d", doc->fiscal_year);
    snprintf(precision, sizeof precision, "%d", doc->precision);
    put_rec(w, "doc", NULL, NULL, NULL, NULL, NULL, doc->dept_code, doc->dept_name, NULL,
            "version", "1");
    put_rec(w, "meta", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "fiscal_year", year);
    put_rec(w, "meta", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "money_unit",
            doc->money_unit);
    put_rec(w, "meta", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "precision", precision);
    for (size_t i = 0; i < doc->nunits; i++) {
        const bk_unit *u = &doc->units[i];
        const char *parent = u->parent >= 0 ? doc->units[u->parent].id : NULL;
        put_rec(w, "unit", u->id, NULL, NULL, bk_unit_kind_name((bk_unit_kind)u->kind), NULL,
                NULL, u->name, NULL, parent ? "parent" : NULL, parent);
    }
}

/* Every record of a row starts the same way: write that part once and copy it. */
static void row_prefix(bkcsv_writer *scratch, const bk_doc *doc, const bk_table *t, size_t r)
{
    const bk_row *row = &t->rows[r];
    char num[24], level[8];
    snprintf(num, sizeof num, "%zu", r + 1);
    snprintf(level, sizeof level, "%u", (unsigned)row->level);
    scratch->len = 0;
    bkcsv_puts(scratch, doc->units[row->unit].id);
    bkcsv_sep(scratch);
    bkcsv_puts(scratch, t->tpl->id);
    bkcsv_sep(scratch);
    bkcsv_puts(scratch, num);
    bkcsv_sep(scratch);
    bkcsv_puts(scratch, bk_row_kind_name((bk_row_kind)row->kind));
    bkcsv_sep(scratch);
    bkcsv_puts(scratch, row->section);
    bkcsv_sep(scratch);
    bkcsv_puts(scratch, row->code);
    bkcsv_sep(scratch);
    bkcsv_puts(scratch, row->name);
    bkcsv_sep(scratch);
    bkcsv_puts(scratch, row->level ? level : NULL);
    bkcsv_sep(scratch);
}

static bk_status export_table(bkcsv_writer *w, bkcsv_writer *scratch, const bk_doc *doc,
                              const bk_table *t)
{
    const bk_template *tpl = t->tpl;
    put_rec(w, "table", NULL, tpl->id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    int generic;
    size_t from = bk_template_defined_from(tpl, &generic);
    if (generic)
        put_rec(w, "table", NULL, tpl->id, NULL, NULL, NULL, NULL, NULL, NULL, "title",
                tpl->title);
    if (t->unit_label)
        put_rec(w, "table", NULL, tpl->id, NULL, NULL, NULL, NULL, NULL, NULL, "unit_label",
                t->unit_label);
    if (t->note)
        put_rec(w, "table", NULL, tpl->id, NULL, NULL, NULL, NULL, NULL, NULL, "note", t->note);
    if (t->money_unit)
        put_rec(w, "table", NULL, tpl->id, NULL, NULL, NULL, NULL, NULL, NULL, "money_unit",
                t->money_unit);
    for (size_t c = from; c < tpl->ncolumns; c++) {
        const bk_column *col = &tpl->columns[c];
        if (col->path_len == 0)
            put_rec(w, "column", NULL, tpl->id, NULL, bk_column_type_name(col->type), NULL, NULL, NULL, NULL,
                    col->id, NULL);
        for (size_t k = 0; k < col->path_len; k++) {
            char level[24];
            snprintf(level, sizeof level, "%zu", k + 1);
            put_rec(w, "column", NULL, tpl->id, NULL, bk_column_type_name(col->type), NULL, NULL, NULL, level,
                    col->id, col->path[k]);
        }
    }
    for (size_t r = 0; r < t->nrows; r++) {
        row_prefix(scratch, doc, t, r);
        if (scratch->status != BK_OK)
            return scratch->status;
        int any = 0;
        for (size_t c = 0; c < tpl->ncolumns; c++) {
            const bk_cell *cell = bk_table_cell(t, r, c);
            if (cell->kind == BK_CELL_EMPTY)
                continue;
            any = 1;
            bkcsv_put_raw(w, "cell,", 5);
            bkcsv_put_raw(w, scratch->buf, scratch->len);
            bkcsv_puts(w, tpl->columns[c].id);
            bkcsv_sep(w);
            if (cell->kind == BK_CELL_TEXT) {
                bkcsv_puts(w, cell->v.text);
            } else {
                char num[BK_DECIMAL_BUFSIZE];
                size_t n = bk_decimal_format(bk_cell_decimal(cell), 0, num, sizeof num);
                bkcsv_put_raw(w, num, n);
            }
            bkcsv_eol(w);
        }
        if (!any) {
            bkcsv_put_raw(w, "row,", 4);
            bkcsv_put_raw(w, scratch->buf, scratch->len);
            bkcsv_put_raw(w, ",", 1);
            bkcsv_eol(w);
        }
    }
    return w->status;
}

static void export_rest(bkcsv_writer *w, const bk_doc *doc)
{
    const bk_performance *p = &doc->performance;
    if (p->present) {
        put_rec(w, "perf", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
        if (p->unit_name)
            put_rec(w, "perf", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "unit_name",
                    p->unit_name);
        if (p->supervisor)
            put_rec(w, "perf", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "supervisor",
                    p->supervisor);
        if (p->period)
            put_rec(w, "perf", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "period",
                    p->period);
        for (size_t i = 0; i < p->ngoals; i++)
            put_indexed(w, "goal", i + 1, NULL, NULL, p->goals[i]);
        for (size_t i = 0; i < p->nindicators; i++) {
            const bk_indicator *ind = &p->indicators[i];
            put_indexed(w, "indicator", i + 1, NULL, "level1", ind->level1);
            put_indexed(w, "indicator", i + 1, NULL, "level2", ind->level2);
            put_indexed(w, "indicator", i + 1, NULL, "level3", ind->level3);
            put_indexed(w, "indicator", i + 1, NULL, "target", ind->target);
        }
    }
    for (size_t i = 0; i < doc->nnarrative; i++)
        put_indexed(w, "narrative", i + 1, doc->narrative[i].title, NULL,
                    doc->narrative[i].text);
}

bk_status bkcsv_lines_export_doc(bkcsv_lines_export *x, const bk_doc *doc)
{
    bkcsv_writer scratch;
    memset(&scratch, 0, sizeof scratch);
    scratch.err = x->err;
    scratch.cd = (iconv_t)-1;
    export_header(&x->w, doc);
    bk_status st = BK_OK;
    for (size_t i = 0; i < doc->ntables && st == BK_OK; i++)
        st = export_table(&x->w, &scratch, doc, doc->tables[i]);
    bkcsv_writer_free(&scratch);
    if (st != BK_OK)
        return st;
    export_rest(&x->w, doc);
    return x->w.status;
}

bk_status bkcsv_lines_export_end(bkcsv_lines_export *x, int ok)
{
    if (!x)
        return BK_OK;
    bk_status st = ok ? bkcsv_writer_flush(&x->w) : BK_OK;
    bkcsv_writer_free(&x->w);
    bk_free(x);
    return st;
}
