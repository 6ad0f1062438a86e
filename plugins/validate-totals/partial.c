/* The department = Σ units check over parts (formats/partial.md): a partial run writes each
 * document's unit rows as records instead of keeping them; a merge reads them back into the
 * state a whole run would have had after its last document, and the check runs as usual.
 *
 * Two records: a column, announced before the first figure in it, numbered from 0 in each
 * file, and a document with its department, year, units and unit rows, each figure an exact
 * decimal in its column. Documents that can take no part in the check (no unit row at all)
 * are not written. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "totals.h"

static bk_status nomem(bk_validation *job)
{
    return bk_error_set(bk_validation_error(job), BK_E_NOMEM, "out of memory");
}

/* Writes obj (consumed) as a record. */
static bk_status write_record(bk_validation *job, const char *kind, json_t *obj)
{
    json_t *rec = obj ? json_object() : NULL;
    if (!rec || json_object_set_new(rec, kind, obj) != 0) {
        json_decref(rec);
        return nomem(job);
    }
    obj = NULL;
    char *text = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(rec);
    if (!text)
        return nomem(job);
    bk_status st = bk_validation_write_record(job, text);
    bk_free(text);
    return st;
}

static bk_status announce(bk_validation *job, bktot_state *st, size_t key)
{
    const bktot_colkey *k = &st->keys[key];
    json_t *c = json_pack("{sI ss ss si ss ss}", "n", (json_int_t)key, "family", k->family,
                          "table", k->table, "index", k->col, "id", k->column, "header",
                          k->header);
    return write_record(job, "column", c);
}

static json_t *row_json(const bktot_unitval *v, size_t n)
{
    json_t *figures = json_array();
    json_t *row = figures ? json_pack("{sI sb sI so}", "unit", (json_int_t)v[0].unit,
                                      "department", v[0].is_dept, "line", (json_int_t)v[0].line,
                                      "figures", figures)
                          : NULL;
    for (size_t i = 0; row && i < n; i++) {
        char buf[BK_DECIMAL_BUFSIZE];
        bk_decimal_format(v[i].value, 0, buf, sizeof buf);
        if (json_array_append_new(figures, json_pack("[Is]", (json_int_t)v[i].key, buf)) != 0) {
            json_decref(row);
            row = NULL;
        }
    }
    return row;
}

/* Writes the document being validated: its unit rows' figures v[0..n). */
bk_status bktot_partial_document(bktot_run *run, const bktot_unitval *v, size_t n, int has_dept_row,
                                 size_t listed)
{
    bktot_state *st = run->state;
    bk_validation *job = run->job;
    const bk_doc *doc = run->doc;
    if (!n && !has_dept_row && !listed)
        return BK_OK;
    bk_status status = BK_OK;
    for (size_t i = 0; i < n && status == BK_OK; i++)
        for (; st->nannounced <= v[i].key && status == BK_OK; st->nannounced++)
            status = announce(job, st, st->nannounced);
    json_t *units = json_array(), *rows = json_array();
    for (size_t u = 0; units && u < doc->nunits; u++) {
        const char *name = doc->units[u].name;
        if (json_array_append_new(units, json_string(name ? name : "")) != 0)
            status = nomem(job);
    }
    /* Figures of one row are consecutive and share unit, kind and line; the check sees
     * figures alone, so rows that share all three may be written as one. */
    for (size_t i = 0, j; rows && i < n && status == BK_OK; i = j) {
        for (j = i + 1; j < n && v[j].unit == v[i].unit && v[j].is_dept == v[i].is_dept &&
                        v[j].line == v[i].line;)
            j++;
        if (json_array_append_new(rows, row_json(v + i, j - i)) != 0)
            status = nomem(job);
    }
    const char *dept = doc->dept_name ? doc->dept_name : "";
    json_t *d = units && rows
                    ? json_pack("{ss ss si sO sb sI sO}", "source", doc->source ? doc->source : "",
                                "department", dept, "year", doc->fiscal_year, "units", units,
                                "department_row", has_dept_row, "listed", (json_int_t)listed,
                                "rows", rows)
                    : NULL;
    json_decref(units);
    json_decref(rows);
    if (status == BK_OK)
        status = d ? write_record(job, "document", d) : nomem(job);
    else
        json_decref(d);
    return status;
}

/* ---- reading ---- */

static bk_status bad(bk_validation *job, const char *what)
{
    return bk_error_set(bk_validation_error(job), BK_E_CONTENT, "totals record: %s", what);
}

static bk_status read_column(bk_validation *job, bktot_state *st, json_t *c)
{
    json_int_t n, col;
    const char *family, *table, *id, *header;
    json_error_t je;
    if (json_unpack_ex(c, &je, JSON_STRICT, "{sI ss ss sI ss ss}", "n", &n, "family", &family,
                       "table", &table, "index", &col, "id", &id, "header", &header) != 0)
        return bad(job, "a column holds n, family, table, index, id and header");
    /* Numbering starts again at 0 in each file. */
    if (n == 0)
        st->nfilekeys = 0;
    if (n < 0 || (size_t)n != st->nfilekeys)
        return bad(job, "columns are numbered 0, 1, 2... in the order they are announced");
    if (col < 0 || col > 1000000)
        return bad(job, "a column index out of range");
    size_t key;
    void *buf = st->filekeys;
    if (bktot_colkey_intern(st, family, table, (int)col, id, header, &key) != 0 ||
        bk_grow(&buf, &st->capfilekeys, st->nfilekeys + 1, sizeof *st->filekeys) != 0)
        return nomem(job);
    st->filekeys = buf;
    st->filekeys[st->nfilekeys++] = key;
    return BK_OK;
}

/* One row: appends its figures to keys/vals (grown) and packs it. */
static bk_status read_row(bk_validation *job, bktot_state *st, json_t *row,
                          const char *const *names, size_t nunits, size_t **keys, bk_decimal **vals,
                          size_t *cap)
{
    json_int_t u, line;
    int dept;
    json_t *figures;
    json_error_t je;
    if (json_unpack_ex(row, &je, JSON_STRICT, "{sI sb sI so}", "unit", &u, "department", &dept,
                       "line", &line, "figures", &figures) != 0 || !json_is_array(figures))
        return bad(job, "a row holds unit, department, line and figures (a list)");
    if (u < 0 || (size_t)u >= nunits)
        return bad(job, "a row's unit is not one of the document's units");
    if (line < 0 || line > UINT32_MAX)
        return bad(job, "a line out of range");
    size_t n = json_array_size(figures);
    if (n == 0)
        return bad(job, "a row without figures");
    if (n > *cap) {
        size_t *k = bk_realloc(*keys, n * sizeof **keys);
        if (k)
            *keys = k;
        bk_decimal *v = bk_realloc(*vals, n * sizeof **vals);
        if (v)
            *vals = v;
        if (!k || !v)
            return nomem(job);
        *cap = n;
    }
    for (size_t i = 0; i < n; i++) {
        json_int_t num;
        const char *text;
        if (json_unpack_ex(json_array_get(figures, i), &je, JSON_STRICT, "[Is]", &num, &text) != 0)
            return bad(job, "a figure is [column number, \"decimal\"]");
        if (num < 0 || (size_t)num >= st->nfilekeys)
            return bad(job, "a figure in a column not announced before it");
        if (bk_decimal_parse(text, strlen(text), 0, &(*vals)[i], NULL) != BK_DECIMAL_OK)
            return bad(job, "a figure is not an exact decimal");
        (*keys)[i] = st->filekeys[num];
    }
    return bktot_doc_row(st, names[u], dept, (long)line, *keys, *vals, n) == 0 ? BK_OK : nomem(job);
}

static bk_status read_document(bk_validation *job, bktot_state *st, json_t *d)
{
    const char *source, *dept;
    json_int_t year, listed;
    json_t *units, *rows;
    int dept_row;
    json_error_t je;
    if (json_unpack_ex(d, &je, JSON_STRICT, "{ss ss sI so sb sI so}", "source", &source,
                       "department", &dept, "year", &year, "units", &units, "department_row",
                       &dept_row, "listed", &listed, "rows", &rows) != 0 ||
        !json_is_array(units) || !json_is_array(rows))
        return bad(job, "a document holds source, department, year, units (a list), "
                        "department_row, listed and rows (a list)");
    size_t nunits = json_array_size(units);
    if (year < -100000 || year > 100000)
        return bad(job, "a year out of range");
    if (listed < 0 || (size_t)listed > nunits)
        return bad(job, "listed counts more units than the document has");
    const char **names = bk_calloc(nunits + 1, sizeof *names);
    if (!names)
        return nomem(job);
    bk_status status = BK_OK;
    for (size_t i = 0; i < nunits && status == BK_OK; i++)
        if (!(names[i] = json_string_value(json_array_get(units, i))))
            status = bad(job, "a unit's name is not a string");
    if (status == BK_OK)
        status = bktot_doc_begin(job, st, source, dept, (int)year, dept_row, (size_t)listed);
    size_t *keys = NULL, cap = 0;
    bk_decimal *vals = NULL;
    for (size_t r = 0; r < json_array_size(rows) && status == BK_OK; r++)
        status = read_row(job, st, json_array_get(rows, r), names, nunits, &keys, &vals, &cap);
    bk_free(keys);
    bk_free(vals);
    bk_free(names);
    if (status == BK_OK)
        status = bktot_doc_end(job, st);
    return status;
}

bk_status bktot_partial_read(bk_validation *job, const char *record, const char *file, long line)
{
    (void)line; /* the host names the line of any error */
    bktot_state *st = bktot_state_get(job);
    if (!st)
        return nomem(job);
    if (!st->file || strcmp(st->file, file) != 0) {
        bk_free(st->file);
        if (!(st->file = bk_strdup(file)))
            return nomem(job);
        st->nfilekeys = 0;
    }
    json_error_t je;
    json_t *rec = json_loads(record, JSON_REJECT_DUPLICATES, &je);
    json_t *column = json_object_get(rec, "column"), *doc = json_object_get(rec, "document");
    bk_status status;
    if (!rec || json_object_size(rec) != 1 || (!column && !doc))
        status = bad(job, "a record is a column or a document");
    else if (column)
        status = json_is_object(column) ? read_column(job, st, column)
                                        : bad(job, "a column is an object");
    else
        status = json_is_object(doc) ? read_document(job, st, doc)
                                     : bad(job, "a document is an object");
    json_decref(rec);
    return status;
}
