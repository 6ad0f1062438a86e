/* Canonical JSON output of budget documents (formats/document.md, "Canonical form").
 *
 * The output is written straight to the sink as the model is walked, never built as a tree, so
 * that a bulk export of many documents runs in memory bounded by one small buffer. The layout
 * is the common one of `jq .` and Python's json.dumps(indent=2, ensure_ascii=False): every
 * object and array opened on its own lines, two spaces per level, "key": value, empty
 * containers as {} and [], non-ASCII text as UTF-8, a final newline after each document.
 *
 * A bulk (more than one document) is written as JSON Lines: each document compact on one
 * line, which line-oriented tools (jq -c, mlr --ijsonl, split, grep) expect. Whether a
 * document is alone is known only when the next one or the end comes, so the first is held
 * in memory (pretty) until then. A .jsonl output or --option json-lines=yes always writes
 * lines. */
#include <stdio.h>
#include <string.h>

#include "budgetkit/budgetkit.h"
#include "json_plugin.h"

#define JW_BUFSIZE 16384
#define JW_MAX_LEVEL 16

typedef struct jw {
    bk_sink *sink;            /* NULL: append to mem instead */
    char *mem;
    size_t mem_len, mem_cap;
    int compact;              /* JSON Lines: no newlines or indentation inside a document */
    bk_status status;         /* first failure; later writes are skipped */
    const char *bad_text;     /* set when a string was not valid UTF-8 */
    int level;                /* open containers */
    size_t count[JW_MAX_LEVEL]; /* members written so far at each open level */
    size_t len;
    char buf[JW_BUFSIZE];
} jw;

static bk_status jw_emit(jw *w, const char *s, size_t n)
{
    if (w->sink)
        return bk_sink_write(w->sink, s, n);
    if (w->mem_len + n < w->mem_len || bk_grow((void **)&w->mem, &w->mem_cap, w->mem_len + n, 1))
        return BK_E_NOMEM;
    memcpy(w->mem + w->mem_len, s, n);
    w->mem_len += n;
    return BK_OK;
}

static void jw_flush(jw *w)
{
    if (w->len && w->status == BK_OK)
        w->status = jw_emit(w, w->buf, w->len);
    w->len = 0;
}

static void jw_raw(jw *w, const char *s, size_t n)
{
    if (n > JW_BUFSIZE - w->len) {
        jw_flush(w);
        if (n > JW_BUFSIZE) {
            if (w->status == BK_OK)
                w->status = jw_emit(w, s, n);
            return;
        }
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static void jw_char(jw *w, char c)
{
    if (w->len == JW_BUFSIZE)
        jw_flush(w);
    w->buf[w->len++] = c;
}

/* A newline and the indentation of the current level. */
static void jw_newline(jw *w)
{
    static const char spaces[] = "                                ";
    if (w->compact)
        return;
    jw_char(w, '\n');
    size_t n = (size_t)w->level * 2;
    while (n > 0) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        jw_raw(w, spaces, k);
        n -= k;
    }
}

/* Length of the valid UTF-8 sequence at p (non-ASCII lead byte), 0 when it is not valid:
 * overlong forms, surrogates and code points above U+10FFFF are refused. */
static size_t utf8_sequence(const unsigned char *p)
{
    unsigned char c = p[0];
    if (c >= 0xC2 && c <= 0xDF)
        return (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

/* A JSON string: quotes, backslashes and control characters escaped (the short forms where
 * JSON has one, else \u00XX), everything else as it is. A NULL string is written as "". */
static void jw_string(jw *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    const unsigned char *run = p;
    jw_char(w, '"');
    for (;;) {
        unsigned char c = *p;
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            p++;
            continue;
        }
        if (c >= 0x80) {
            size_t n = utf8_sequence(p);
            if (n == 0) {
                if (w->status == BK_OK) {
                    w->status = BK_E_ENCODING;
                    w->bad_text = s;
                }
                n = 1;
            }
            p += n;
            continue;
        }
        jw_raw(w, (const char *)run, (size_t)(p - run));
        if (c == 0)
            break;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t elen = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 0xF];
            elen = 6;
            break;
        }
        jw_raw(w, esc, elen);
        p++;
        run = p;
    }
    jw_char(w, '"');
}

static void jw_int(jw *w, long long v)
{
    char num[32];
    int n = snprintf(num, sizeof num, "%lld", v);
    jw_raw(w, num, (size_t)n);
}

static void jw_open(jw *w, char c)
{
    jw_char(w, c);
    if (w->level + 1 < JW_MAX_LEVEL) {
        w->level++;
        w->count[w->level] = 0;
    } else if (w->status == BK_OK) {
        w->status = BK_E_INTERNAL;
    }
}

static void jw_close(jw *w, char c)
{
    size_t n = w->count[w->level];
    if (w->level > 0)
        w->level--;
    if (n > 0)
        jw_newline(w);
    jw_char(w, c);
}

/* Start the next element of the open array. */
static void jw_item(jw *w)
{
    if (w->count[w->level]++ > 0)
        jw_char(w, ',');
    jw_newline(w);
}

/* Start the next member of the open object: "key": */
static void jw_key(jw *w, const char *key)
{
    jw_item(w);
    jw_string(w, key);
    jw_raw(w, ": ", w->compact ? 1 : 2);
}

static void jw_key_string(jw *w, const char *key, const char *value)
{
    jw_key(w, key);
    jw_string(w, value);
}

static void jw_key_opt(jw *w, const char *key, const char *value)
{
    if (value)
        jw_key_string(w, key, value);
}

/* "key": an array of n strings. */
static void jw_key_strings(jw *w, const char *key, const char **strings, size_t n)
{
    jw_key(w, key);
    jw_open(w, '[');
    for (size_t i = 0; i < n; i++) {
        jw_item(w);
        jw_string(w, strings[i]);
    }
    jw_close(w, ']');
}

/* The string members among keys[i] = values[i] (n of them) that are set. */
static void jw_key_opts(jw *w, const char *const *keys, const char *const *values, size_t n)
{
    for (size_t i = 0; i < n; i++)
        jw_key_opt(w, keys[i], values[i]);
}

/* The next element of the open array: an object of n string members, keys[i] being values[i]. */
static void jw_item_strings(jw *w, const char *const *keys, const char *const *values, size_t n)
{
    jw_item(w);
    jw_open(w, '{');
    for (size_t i = 0; i < n; i++)
        jw_key_string(w, keys[i], values[i]);
    jw_close(w, '}');
}

static void write_units(jw *w, const bk_doc *doc)
{
    jw_key(w, "units");
    jw_open(w, '[');
    for (size_t i = 0; i < doc->nunits; i++) {
        const bk_unit *u = &doc->units[i];
        jw_item(w);
        jw_open(w, '{');
        jw_key_string(w, "id", u->id);
        jw_key_string(w, "name", u->name);
        jw_key_string(w, "kind", bk_unit_kind_name((bk_unit_kind)u->kind));
        if (u->parent >= 0 && (size_t)u->parent < doc->nunits)
            jw_key_string(w, "parent", doc->units[u->parent].id);
        jw_close(w, '}');
    }
    jw_close(w, ']');
}

static void write_cells(jw *w, const bk_table *t, size_t row)
{
    jw_key(w, "cells");
    jw_open(w, '{');
    for (size_t c = 0; c < t->tpl->ncolumns; c++) {
        const bk_cell *cell = bk_table_cell(t, row, c);
        if (cell->kind == BK_CELL_EMPTY)
            continue;
        jw_key(w, t->tpl->columns[c].id);
        if (cell->kind == BK_CELL_TEXT) {
            jw_string(w, cell->v.text);
        } else {
            char num[BK_DECIMAL_BUFSIZE];
            size_t n = bk_decimal_format(bk_cell_decimal(cell), 0, num, sizeof num);
            jw_char(w, '"');
            jw_raw(w, num, n);
            jw_char(w, '"');
        }
    }
    jw_close(w, '}');
}

static void write_row(jw *w, const bk_doc *doc, const bk_table *t, size_t r)
{
    const bk_row *row = &t->rows[r];
    jw_item(w);
    jw_open(w, '{');
    jw_key_string(w, "kind", bk_row_kind_name((bk_row_kind)row->kind));
    jw_key_string(w, "unit", row->unit < doc->nunits ? doc->units[row->unit].id : "");
    jw_key_opt(w, "section", row->section);
    jw_key_opt(w, "code", row->code);
    jw_key_string(w, "name", row->name);
    if (row->level > 0) {
        jw_key(w, "level");
        jw_int(w, row->level);
    }
    write_cells(w, t, r);
    jw_close(w, '}');
}

/* The columns of a layout the document defines: those beyond its installed template
 * (extra_1...), or all of them for a table no layout knows (then its title too). */
static void write_columns(jw *w, const bk_template *tpl)
{
    int generic;
    size_t from = bk_template_defined_from(tpl, &generic);
    if (generic)
        jw_key_string(w, "title", tpl->title);
    jw_key(w, "columns");
    jw_open(w, '[');
    for (size_t c = from; c < tpl->ncolumns; c++) {
        const bk_column *col = &tpl->columns[c];
        jw_item(w);
        jw_open(w, '{');
        jw_key_string(w, "id", col->id);
        jw_key_strings(w, "path", col->path, col->path_len);
        jw_key_string(w, "type", bk_column_type_name(col->type));
        jw_close(w, '}');
    }
    jw_close(w, ']');
}

/* A printed money unit and, for readers that do not know 万元, what it stands for: ISO 4217
 * currency and SDMX's UNIT_MULT (the power of ten). */
static void write_unit_of_measure(jw *w, const char *unit)
{
    jw_key_string(w, "money_unit", unit);
    int mult = bk_money_unit_mult(unit);
    if (mult < 0)
        return;
    jw_key_string(w, "currency", "CNY");
    jw_key(w, "unit_mult");
    jw_int(w, mult);
}

static void write_publication(jw *w, const bk_publication *p)
{
    static const char *const keys[] = {"publisher", "source", "source_path", "license"};
    const char *values[] = {p->publisher, p->source, p->source_path, p->license};
    jw_key(w, "publication");
    jw_open(w, '{');
    jw_key_opts(w, keys, values, 4);
    jw_close(w, '}');
}

static void write_tables(jw *w, const bk_doc *doc)
{
    jw_key(w, "tables");
    jw_open(w, '[');
    for (size_t i = 0; i < doc->ntables; i++) {
        const bk_table *t = doc->tables[i];
        jw_item(w);
        jw_open(w, '{');
        jw_key_string(w, "id", t->tpl->id);
        if (t->tpl->family && *t->tpl->family)
            jw_key_string(w, "layout", t->tpl->family);
        if (t->tpl->defined)
            write_columns(w, t->tpl);
        jw_key_opt(w, "unit_label", t->unit_label);
        jw_key_opt(w, "note", t->note);
        if (t->money_unit)
            write_unit_of_measure(w, t->money_unit);
        jw_key(w, "rows");
        jw_open(w, '[');
        for (size_t r = 0; r < t->nrows && w->status == BK_OK; r++)
            write_row(w, doc, t, r);
        jw_close(w, ']');
        jw_close(w, '}');
    }
    jw_close(w, ']');
}

static void write_performance(jw *w, const bk_performance *pf)
{
    static const char *const keys[] = {"unit_name", "supervisor", "period"};
    const char *values[] = {pf->unit_name, pf->supervisor, pf->period};
    jw_key(w, "performance");
    jw_open(w, '{');
    jw_key_opts(w, keys, values, 3);
    if (pf->ngoals > 0)
        jw_key_strings(w, "goals", pf->goals, pf->ngoals);
    if (pf->nindicators > 0) {
        static const char *const ind_keys[] = {"level1", "level2", "level3", "target"};
        jw_key(w, "indicators");
        jw_open(w, '[');
        for (size_t i = 0; i < pf->nindicators; i++) {
            const bk_indicator *ind = &pf->indicators[i];
            const char *ind_values[] = {ind->level1, ind->level2, ind->level3, ind->target};
            jw_item_strings(w, ind_keys, ind_values, 4);
        }
        jw_close(w, ']');
    }
    jw_close(w, '}');
}

static void write_narrative(jw *w, const bk_doc *doc)
{
    jw_key(w, "narrative");
    jw_open(w, '[');
    static const char *const keys[] = {"title", "text"};
    for (size_t i = 0; i < doc->nnarrative; i++) {
        const char *values[] = {doc->narrative[i].title, doc->narrative[i].text};
        jw_item_strings(w, keys, values, 2);
    }
    jw_close(w, ']');
}

static void write_document(jw *w, const bk_doc *doc)
{
    jw_open(w, '{');
    jw_key_string(w, "format", "budgetkit-budget");
    jw_key(w, "version");
    jw_int(w, 1);
    jw_key(w, "fiscal_year");
    jw_int(w, doc->fiscal_year);
    jw_key(w, "department");
    jw_open(w, '{');
    jw_key_string(w, "name", doc->dept_name);
    jw_key_opt(w, "code", doc->dept_code);
    jw_close(w, '}');
    write_unit_of_measure(w, doc->money_unit);
    jw_key(w, "precision");
    jw_int(w, doc->precision);
    const bk_publication *pub = &doc->publication;
    if (pub->publisher || pub->source || pub->source_path || pub->license)
        write_publication(w, pub);
    write_units(w, doc);
    write_tables(w, doc);
    if (doc->performance.present)
        write_performance(w, &doc->performance);
    if (doc->nnarrative > 0)
        write_narrative(w, doc);
    jw_close(w, '}');
    jw_char(w, '\n');
}

typedef struct bkjson_export {
    int lines;        /* JSON Lines from the first document on */
    size_t docs;
    char *first;      /* the first document, pretty, until it is known whether it is alone */
    size_t first_len;
} bkjson_export;

static int ends_with(const char *s, const char *suffix)
{
    size_t n = s ? strlen(s) : 0, k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

bk_status bkjson_export_begin(bk_export *job)
{
    bkjson_export *x = bk_calloc(1, sizeof *x);
    if (!x)
        return bk_error_set(bk_export_error(job), BK_E_NOMEM, "out of memory");
    bk_export_set_state(job, x);
    const char *opt = bk_export_option(job, "json-lines");
    if (opt && strcmp(opt, "yes") != 0 && strcmp(opt, "no") != 0)
        return bk_error_set(bk_export_error(job), BK_E_USAGE,
                            "option json-lines=%s: expected yes or no", opt);
    x->lines = opt ? strcmp(opt, "yes") == 0 : ends_with(bk_sink_name(bk_export_sink(job)), ".jsonl");
    return BK_OK;
}

/* The held first document as one line: its whitespace outside strings dropped, which gives
 * exactly what the compact writer gives. */
static bk_status write_first_compact(bk_sink *sink, const char *p, size_t n)
{
    char buf[JW_BUFSIZE];
    size_t len = 0;
    int in_string = 0, escaped = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (in_string) {
            if (escaped)
                escaped = 0;
            else if (c == '\\')
                escaped = 1;
            else if (c == '"')
                in_string = 0;
        } else if (c == ' ' || c == '\n') {
            continue;
        } else if (c == '"') {
            in_string = 1;
        }
        buf[len++] = c;
        if (len == sizeof buf) {
            bk_status st = bk_sink_write(sink, buf, len);
            if (st != BK_OK)
                return st;
            len = 0;
        }
    }
    buf[len++] = '\n'; /* room is left: a full buffer was written out above */
    return bk_sink_write(sink, buf, len);
}

bk_status bkjson_export_doc(bk_export *job, const bk_doc *doc)
{
    bk_error *err = bk_export_error(job);
    bkjson_export *x = bk_export_state(job);
    bk_sink *sink = bk_export_sink(job);
    bk_status st = BK_OK;
    if (x->docs++ == 1 && !x->lines) {
        /* A second document: the output is a bulk, written as JSON Lines. */
        x->lines = 1;
        st = write_first_compact(sink, x->first, x->first_len);
        bk_free(x->first);
        x->first = NULL;
        if (st != BK_OK) {
            bk_error_set(err, st, "cannot write the JSON output to %s", bk_sink_name(sink));
            return st;
        }
    }
    jw *w = bk_malloc(sizeof *w);
    if (!w)
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    int hold = x->docs == 1 && !x->lines;
    w->sink = hold ? NULL : sink;
    w->mem = NULL;
    w->mem_len = w->mem_cap = 0;
    w->compact = x->lines;
    w->status = BK_OK;
    w->bad_text = NULL;
    w->level = 0;
    w->count[0] = 0;
    w->len = 0;
    write_document(w, doc);
    jw_flush(w);
    st = w->status;
    if (hold && st == BK_OK) {
        x->first = w->mem;
        x->first_len = w->mem_len;
    } else {
        bk_free(w->mem);
    }
    const char *bad = w->bad_text;
    bk_free(w);
    if (st == BK_OK)
        return BK_OK;
    if (st == BK_E_ENCODING) {
        char start[40];
        size_t n = strlen(bad);
        /* Show where the bad text begins, cut on a byte boundary the message can hold. */
        snprintf(start, sizeof start, "%.*s", (int)(n < 24 ? n : 24), bad);
        for (char *q = start; *q; q++)
            if ((unsigned char)*q >= 0x80 || (unsigned char)*q < 0x20)
                *q = '?';
        return bk_error_set(err, BK_E_ENCODING,
                            "a text of document \"%s\" is not valid UTF-8 (it starts \"%s\")",
                            doc->source ? doc->source : doc->dept_name, start);
    }
    if (st == BK_E_NOMEM && err && err->code == BK_OK)
        bk_error_set(err, st, "out of memory");
    if (err && err->code == BK_OK)
        bk_error_set(err, st, "cannot write the JSON output to %s", bk_sink_name(sink));
    return st;
}

bk_status bkjson_export_end(bk_export *job, int ok)
{
    bkjson_export *x = bk_export_state(job);
    if (!x)
        return BK_OK;
    bk_status st = BK_OK;
    if (ok && x->first) {
        bk_sink *sink = bk_export_sink(job);
        st = bk_sink_write(sink, x->first, x->first_len);
        if (st != BK_OK)
            bk_error_set(bk_export_error(job), st, "cannot write the JSON output to %s",
                         bk_sink_name(sink));
    }
    bk_free(x->first);
    bk_free(x);
    bk_export_set_state(job, NULL);
    return st;
}
