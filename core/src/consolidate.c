/* Consolidation: the department's rows as the exact sum of its units' rows.
 *
 * Documents are added one at a time and freed by the caller, so nothing of an input is kept but
 * its units' rows (copied into a staging document) and, per table, one accumulator per row key
 * of the department's block. Memory is therefore that of the one department being built. */
#include "budgetkit/consolidate.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "budgetkit/alloc.h"
#include "budgetkit/io.h"
#include "hash.h"
#include "hindex.h"
#include "inputs.h"
#include "money.h"
#include "jobs.h"
#include "strpool.h"

/* ---- maps from interned strings (unique pointers) to indexes ---- */

static uint32_t ptr_hash(const void *p) { return (uint32_t)bk_hash_word((uintptr_t)p); }

static long pmap_get(const bk_hindex *m, const void *k)
{
    if (!m->cap)
        return -1;
    for (size_t i = bk_hindex_home(m, ptr_hash(k)); m->slots[i].key; i = bk_hindex_next(m, i))
        if (m->slots[i].key == k)
            return m->slots[i].value;
    return -1;
}

/* v: an index of a table the limits keep far below 2^32. */
static int pmap_put(bk_hindex *m, const void *k, long v)
{
    if (v < 0 || (unsigned long)v > UINT32_MAX || bk_hindex_reserve(m, 64) != 0)
        return -1;
    uint32_t h = ptr_hash(k);
    size_t i = bk_hindex_home(m, h);
    while (m->slots[i].key && m->slots[i].key != k)
        i = bk_hindex_next(m, i);
    if (m->slots[i].key)
        m->slots[i].value = (uint32_t)v;
    else
        bk_hindex_fill(m, i, k, h, (uint32_t)v);
    return 0;
}

/* ---- accumulators ---- */

/* One cell of a department row: amounts are summed; percentages and texts are kept when every
 * unit prints the same (they are recomputed or left blank otherwise). */
typedef struct acc {
    bk_decimal v;
    const char *text;
    uint32_t n;    /* units that printed a value */
    uint8_t kind;  /* bk_cell_kind of the first value */
    uint8_t mixed; /* units disagree (percent, text) */
    uint8_t maxscale;
} acc;

/* A department row as an input prints it, to compare with the computed one. */
typedef struct printed {
    size_t table; /* index of its accumulator table */
    long entry;   /* -1: the department's unit row */
    const char *source;
    uint32_t line;
    bk_cell *cells;
    struct printed *next;
} printed;

typedef struct entry {
    const char *key; /* interned in the staging document */
    const char *section, *code, *name;
    uint8_t kind, level;
    long next;               /* merge order */
    long last_block;         /* the last unit block that contributed (occurrence count) */
    long last_printed_block; /* the same for printed department rows */
    acc *cells;
    printed *printed; /* first printed row, then others */
} entry;

typedef struct acc_table {
    const bk_template *tpl;
    int lists_units; /* some input prints unit rows in it */
    const char *note;
    acc *dept; /* the department's unit row */
    printed *dept_printed;
    entry *entries;
    size_t nentries, capentries;
    long head, tail;
    bk_hindex keys;
} acc_table;

typedef struct unit_rec {
    const char *norm; /* normalised name, interned */
    const char *source;
} unit_rec;

typedef struct code_rec {
    const char *name;
    const char *source;
} code_rec;

struct bk_consolidation {
    bk_ctx *ctx;
    const char *want_unit; /* money unit asked for, NULL for none */
    bk_doc *stage;         /* the units and their rows; units[0] is the department */
    int started;
    const char *first_source, *dept_norm, *money_source;
    int precision;
    size_t ndocs;
    acc_table *tables;
    size_t ntables;
    bk_hindex unit_names; /* normalised name → index in units */
    unit_rec *units;
    size_t capunits;
    bk_hindex code_keys; /* "scheme\x1fcode" → index in codes */
    code_rec *codes;
    size_t ncodes, capcodes;
    printed *all_printed; /* every printed row, the last kept first */
    /* The accumulators and the printed rows: made as rows come, never resized, and all kept
     * until the consolidation goes. */
    bk_strpool rows;
    char *buf;            /* key building */
    size_t capbuf;
};

static bk_status nomem(bk_error *err) { return bk_error_set(err, BK_E_NOMEM, "out of memory"); }

bk_consolidation *bk_consolidation_new(bk_ctx *ctx, const bk_consolidate_options *o)
{
    bk_consolidation *c = bk_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->ctx = ctx;
    c->stage = bk_doc_new();
    if (!c->stage) {
        bk_free(c);
        return NULL;
    }
    if (o && o->money_unit)
        c->want_unit = bk_doc_intern_cstr(c->stage, o->money_unit);
    if (o && o->money_unit && !c->want_unit) {
        bk_consolidation_free(c);
        return NULL;
    }
    return c;
}

void bk_consolidation_free(bk_consolidation *c)
{
    if (!c)
        return;
    for (size_t t = 0; t < c->ntables; t++) {
        acc_table *a = &c->tables[t];
        bk_free(a->entries);
        bk_hindex_free(&a->keys);
    }
    bk_free(c->tables);
    bk_strpool_free(&c->rows);
    bk_hindex_free(&c->unit_names);
    bk_hindex_free(&c->code_keys);
    bk_free(c->units);
    bk_free(c->codes);
    bk_free(c->buf);
    bk_doc_free(c->stage);
    bk_free(c);
}

size_t bk_consolidation_units(const bk_consolidation *c)
{
    return c->stage->nunits ? c->stage->nunits - 1 : 0;
}

/* ---- small helpers ---- */

static const char *src_of(const bk_doc *doc) { return doc->source ? doc->source : "-"; }

static const char *intern_norm(bk_consolidation *c, const char *s)
{
    size_t n = bk_label_normalise(s ? s : "", NULL, 0);
    if (bk_grow((void **)&c->buf, &c->capbuf, n + 1, 1) != 0)
        return NULL;
    bk_label_normalise(s ? s : "", c->buf, n + 1);
    return bk_doc_intern(c->stage, c->buf, n);
}

/* n zeroed objects of size bytes, kept until the consolidation goes. */
static void *take(bk_consolidation *c, size_t n, size_t size)
{
    return bk_strpool_calloc(&c->rows, n, size);
}

/* printf into c->buf and intern the result. */
static const char *intern_fmt(bk_consolidation *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static const char *intern_fmt(bk_consolidation *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || bk_grow((void **)&c->buf, &c->capbuf, (size_t)n + 1, 1) != 0)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(c->buf, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return bk_doc_intern(c->stage, c->buf, (size_t)n);
}

static acc_table *table_for(bk_consolidation *c, const bk_template *tpl, bk_error *err)
{
    for (size_t i = 0; i < c->ntables; i++)
        if (c->tables[i].tpl == tpl)
            return &c->tables[i];
    acc_table *tables = bk_realloc(c->tables, (c->ntables + 1) * sizeof *tables);
    if (!tables)
        return nomem(err), NULL;
    c->tables = tables;
    acc_table *a = &tables[c->ntables];
    memset(a, 0, sizeof *a);
    a->tpl = tpl;
    a->head = a->tail = -1;
    a->dept = take(c, tpl->ncolumns, sizeof *a->dept);
    if (!a->dept)
        return nomem(err), NULL;
    c->ntables++;
    return a;
}

/* Add one cell to an accumulator. */
static bk_status acc_add(acc *a, const bk_column *col, const bk_cell *cell, int shift,
                         bk_doc *stage, bk_error *err)
{
    if (cell->kind == BK_CELL_EMPTY)
        return BK_OK;
    if (cell->kind == BK_CELL_TEXT || col->type == BK_COL_TEXT) {
        const char *t = cell->kind == BK_CELL_TEXT ? bk_doc_intern_cstr(stage, cell->v.text) : NULL;
        if (cell->kind == BK_CELL_TEXT && !t)
            return nomem(err);
        if (a->n == 0) {
            a->kind = BK_CELL_TEXT;
            a->text = t;
        } else if (a->kind != BK_CELL_TEXT || a->text != t) {
            a->mixed = 1;
        }
        a->n++;
        return BK_OK;
    }
    bk_decimal d = bk_cell_decimal(cell);
    if (col->type == BK_COL_AMOUNT && bk_money_convert(d, shift, &d, err) != BK_OK)
        return err->code;
    if (d.scale > a->maxscale)
        a->maxscale = (uint8_t)d.scale;
    if (col->type == BK_COL_PERCENT) {
        if (a->n == 0) {
            a->kind = BK_CELL_NUMBER;
            a->v = d;
        } else if (a->kind != BK_CELL_NUMBER || bk_decimal_cmp(a->v, d) != 0) {
            a->mixed = 1;
        }
        a->n++;
        return BK_OK;
    }
    if (a->n == 0) {
        a->kind = BK_CELL_NUMBER;
        a->v = d;
    } else if (bk_decimal_add(a->v, d, &a->v) != BK_DECIMAL_OK) {
        return bk_error_set(err, BK_E_LIMIT, "the sum of column %s is too large", col->id);
    }
    a->n++;
    return BK_OK;
}

/* ---- row keys ----
 *
 * A department row sums the units' rows with the same key: the row kind and section, then the
 * code when there is one, else the normalised name and level; a 其中 row adds its parent's key.
 * A key printed twice in one unit's block (two "其他" lines) matches by occurrence. */

static const char *base_key(bk_consolidation *c, const bk_row *r, const char *parent)
{
    if (r->code)
        return intern_fmt(c, "%d\x1f%s\x1f#%s\x1f%s", r->kind, r->section ? r->section : "",
                          r->code, r->kind == BK_ROW_OF && parent ? parent : "");
    const char *norm = intern_norm(c, r->name);
    if (!norm)
        return NULL;
    return intern_fmt(c, "%d\x1f%s\x1f%s\x1f%d\x1f%s", r->kind, r->section ? r->section : "",
                      norm, r->level, r->kind == BK_ROW_OF && parent ? parent : "");
}

static long new_entry(bk_consolidation *c, acc_table *a, const char *key, const bk_row *r,
                      long after, bk_error *err)
{
    if (bk_grow((void **)&a->entries, &a->capentries, a->nentries + 1, sizeof *a->entries) != 0)
        return nomem(err), -1;
    entry *e = &a->entries[a->nentries];
    memset(e, 0, sizeof *e);
    e->key = key;
    e->section = r->section ? bk_doc_intern_cstr(c->stage, r->section) : NULL;
    e->code = r->code ? bk_doc_intern_cstr(c->stage, r->code) : NULL;
    e->name = bk_doc_intern_cstr(c->stage, r->name);
    e->kind = r->kind;
    e->level = r->level;
    e->last_block = e->last_printed_block = -1;
    e->cells = take(c, a->tpl->ncolumns, sizeof *e->cells);
    if (!e->cells || !e->name || (r->section && !e->section) || (r->code && !e->code) ||
        pmap_put(&a->keys, key, (long)a->nentries) != 0)
        return nomem(err), -1;
    long id = (long)a->nentries++;
    /* After the previous row of the same block; a block's first new row goes last. */
    if (after < 0 || a->head < 0) {
        e->next = -1;
        if (a->tail >= 0)
            a->entries[a->tail].next = id;
        else
            a->head = id;
        a->tail = id;
    } else {
        e->next = a->entries[after].next;
        a->entries[after].next = id;
        if (a->tail == after)
            a->tail = id;
    }
    return id;
}

/* The entry of row r in block `block` (creating it after `after`), with its occurrence. */
static long find_entry(bk_consolidation *c, acc_table *a, const bk_row *r, const char *parent,
                       long block, int is_printed, long after, bk_error *err)
{
    const char *base = base_key(c, r, parent);
    if (!base)
        return nomem(err), -1;
    const char *key = base;
    for (unsigned occ = 0;; occ++) {
        if (occ) {
            key = intern_fmt(c, "%s\x1e%u", base, occ);
            if (!key)
                return nomem(err), -1;
        }
        long e = pmap_get(&a->keys, key);
        if (e < 0)
            return new_entry(c, a, key, r, after, err);
        long *last = is_printed ? &a->entries[e].last_printed_block : &a->entries[e].last_block;
        if (*last != block) {
            *last = block;
            return e;
        }
    }
}

/* ---- adding a document ---- */

static bk_status conflict(bk_error *err, const bk_doc *doc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bk_status conflict(bk_error *err, const bk_doc *doc, const char *fmt, ...)
{
    char text[BK_ERROR_TEXT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    bk_error_at(err, src_of(doc), 0, 0, -1);
    return bk_error_set(err, BK_E_CONTENT, "%s", text);
}

static bk_status check_header(bk_consolidation *c, const bk_doc *doc, bk_error *err)
{
    bk_doc *s = c->stage;
    if (!c->started) {
        c->started = 1;
        c->first_source = bk_doc_intern_cstr(s, src_of(doc));
        c->dept_norm = intern_norm(c, doc->dept_name);
        s->fiscal_year = doc->fiscal_year;
        s->money_unit = bk_doc_intern_cstr(s, c->want_unit ? c->want_unit : doc->money_unit);
        if (!c->first_source || !c->dept_norm || !s->money_unit ||
            bk_doc_set_department(s, doc->dept_name, doc->dept_code) != BK_OK ||
            bk_doc_add_unit(s, "dept", doc->dept_name, BK_UNIT_DEPARTMENT, NULL, err) != BK_OK)
            return err->code ? err->code : nomem(err);
        c->precision = -1;
    } else {
        if (!bk_label_equal(doc->dept_name, s->dept_name))
            return conflict(err, doc, "two departments: this document is of %s, %s of %s",
                            doc->dept_name, c->first_source, s->dept_name);
        if (doc->fiscal_year != s->fiscal_year)
            return conflict(err, doc, "different years: this document is for %d, %s for %d",
                            doc->fiscal_year, c->first_source, s->fiscal_year);
        if (!c->want_unit && strcmp(doc->money_unit, s->money_unit) != 0)
            return conflict(err, doc, "different money units: this document is in %s, %s in %s "
                            "(give --money-unit to convert)", doc->money_unit, c->first_source,
                            s->money_unit);
        if (!s->dept_code && doc->dept_code &&
            bk_doc_set_department(s, s->dept_name, doc->dept_code) != BK_OK)
            return nomem(err);
    }
    int prec = doc->precision;
    int shift = bk_money_shift(doc->money_unit, c->want_unit);
    prec += shift < 0 ? 4 : shift > 0 ? -4 : 0;
    if (prec < 0)
        prec = 0;
    if (prec > c->precision)
        c->precision = prec;
    return BK_OK;
}

/* Map each of doc's units to the staging document's, adding them; -1 for the department. */
static bk_status map_units(bk_consolidation *c, const bk_doc *doc, int *map, bk_error *err)
{
    for (size_t u = 0; u < doc->nunits; u++) {
        const bk_unit *unit = &doc->units[u];
        if (unit->kind == BK_UNIT_DEPARTMENT) {
            map[u] = -1;
            continue;
        }
        const char *norm = intern_norm(c, unit->name);
        if (!norm)
            return nomem(err);
        long seen = pmap_get(&c->unit_names, norm);
        if (seen >= 0)
            return conflict(err, doc, "the same unit twice: %s is in this document and in %s",
                            unit->name, c->units[seen].source);
        size_t index = c->stage->nunits;
        char id[32];
        snprintf(id, sizeof id, "u%zu", index);
        if (bk_doc_add_unit(c->stage, id, unit->name, (bk_unit_kind)unit->kind, "dept", err) !=
            BK_OK) {
            bk_error_at(err, src_of(doc), 0, 0, -1);
            return err->code;
        }
        if (bk_grow((void **)&c->units, &c->capunits, index + 1, sizeof *c->units) != 0 ||
            pmap_put(&c->unit_names, norm, (long)index) != 0)
            return nomem(err);
        c->units[index].norm = norm;
        c->units[index].source = bk_doc_intern_cstr(c->stage, src_of(doc));
        if (!c->units[index].source)
            return nomem(err);
        map[u] = (int)index;
    }
    return BK_OK;
}

/* One code, one name: across the units of a department a code means one thing. */
static bk_status check_code(bk_consolidation *c, const bk_doc *doc, const bk_table *t,
                            const bk_row *r, bk_error *err)
{
    if (!r->code || !*r->name)
        return BK_OK;
    const char *key = intern_fmt(c, "%s\x1f%s", t->tpl->row_key ? t->tpl->row_key : "",
                                 r->code);
    if (!key)
        return nomem(err);
    long i = pmap_get(&c->code_keys, key);
    if (i >= 0) {
        if (bk_label_equal(c->codes[i].name, r->name))
            return BK_OK;
        bk_error_at(err, src_of(doc), (long)r->line, 0, -1);
        bk_error_where(err, "%s/%s", t->tpl->id, r->code);
        return bk_error_set(err, BK_E_CONTENT, "code %s is named \"%s\" here and \"%s\" in %s",
                            r->code, r->name, c->codes[i].name, c->codes[i].source);
    }
    if (bk_grow((void **)&c->codes, &c->capcodes, c->ncodes + 1, sizeof *c->codes) != 0 ||
        pmap_put(&c->code_keys, key, (long)c->ncodes) != 0)
        return nomem(err);
    c->codes[c->ncodes].name = bk_doc_intern_cstr(c->stage, r->name);
    c->codes[c->ncodes].source = bk_doc_intern_cstr(c->stage, src_of(doc));
    if (!c->codes[c->ncodes].name || !c->codes[c->ncodes].source)
        return nomem(err);
    c->ncodes++;
    return BK_OK;
}

static bk_status keep_printed(bk_consolidation *c, acc_table *a, const bk_doc *doc,
                              const bk_table *t, size_t r, long entry_index, int shift,
                              bk_error *err)
{
    size_t ncol = t->tpl->ncolumns;
    printed *p = take(c, 1, sizeof *p);
    if (!p)
        return nomem(err);
    p->next = c->all_printed;
    c->all_printed = p;
    p->cells = take(c, ncol, sizeof *p->cells);
    p->source = bk_doc_intern_cstr(c->stage, src_of(doc));
    if (!p->cells || !p->source)
        return nomem(err);
    p->table = (size_t)(a - c->tables);
    p->entry = entry_index;
    p->line = t->rows[r].line;
    for (size_t col = 0; col < ncol; col++) {
        const bk_cell *cell = bk_table_cell(t, r, col);
        p->cells[col] = *cell;
        if (cell->kind == BK_CELL_TEXT) {
            p->cells[col].v.text = bk_doc_intern_cstr(c->stage, cell->v.text);
            if (!p->cells[col].v.text)
                return nomem(err);
        } else if (cell->kind == BK_CELL_NUMBER && t->tpl->columns[col].type == BK_COL_AMOUNT) {
            bk_decimal d;
            if (bk_money_convert(bk_cell_decimal(cell), shift, &d, err) != BK_OK)
                return err->code;
            p->cells[col].v.units = d.units;
            p->cells[col].scale = (uint8_t)d.scale;
        }
    }
    /* The first printed row is the one the output keeps; every one is compared (the
     * ownership list holds them all). */
    printed **slot = entry_index < 0 ? &a->dept_printed : &a->entries[entry_index].printed;
    if (!*slot)
        *slot = p;
    return BK_OK;
}

static bk_status copy_row(bk_consolidation *c, bk_table *dst, const bk_table *t, size_t r,
                          int unit, int shift, bk_error *err)
{
    const bk_row *row = &t->rows[r];
    long nr = bk_table_add_row(c->stage, dst, (bk_row_kind)row->kind, unit, row->section,
                               row->code, row->name, row->level, row->line);
    if (nr < 0)
        return nomem(err);
    for (size_t col = 0; col < t->tpl->ncolumns; col++) {
        const bk_cell *cell = bk_table_cell(t, r, col);
        bk_status st = BK_OK;
        if (cell->kind == BK_CELL_NUMBER) {
            bk_decimal d = bk_cell_decimal(cell);
            if (t->tpl->columns[col].type == BK_COL_AMOUNT &&
                bk_money_convert(d, shift, &d, err) != BK_OK)
                return err->code;
            st = bk_table_set_number(dst, (size_t)nr, col, d);
        } else if (cell->kind == BK_CELL_TEXT) {
            st = bk_table_set_text(c->stage, dst, (size_t)nr, col, cell->v.text,
                                   strlen(cell->v.text));
        }
        if (st != BK_OK)
            return bk_error_set(err, st, "cannot copy a row of %s", t->tpl->id);
    }
    return BK_OK;
}

static bk_status add_table(bk_consolidation *c, const bk_doc *doc, const bk_table *t,
                           const int *map, int shift, bk_error *err)
{
    acc_table *a = table_for(c, t->tpl, err);
    if (!a)
        return err->code;
    if (!a->note && t->note && !(a->note = bk_doc_intern_cstr(c->stage, t->note)))
        return nomem(err);
    bk_table *dst = bk_doc_add_table(c->stage, t->tpl);
    if (!dst)
        return nomem(err);
    size_t ncol = t->tpl->ncolumns;
    /* Per unit of the document: the last entry placed and the last non-其中 row's key. */
    long *after = bk_calloc(doc->nunits + 1, sizeof *after);
    const char **parent = bk_calloc(doc->nunits + 1, sizeof *parent);
    bk_status st = after && parent ? BK_OK : nomem(err);
    for (size_t u = 0; u < doc->nunits && st == BK_OK; u++)
        after[u] = -1;
    long docbase = (long)c->ndocs << 16;
    for (size_t r = 0; r < t->nrows && st == BK_OK; r++) {
        const bk_row *row = &t->rows[r];
        int unit = map[row->unit];
        if (row->kind == BK_ROW_UNIT) {
            a->lists_units = 1;
            if (unit < 0) {
                st = keep_printed(c, a, doc, t, r, -1, shift, err);
                continue;
            }
            for (size_t col = 0; col < ncol && st == BK_OK; col++)
                st = acc_add(&a->dept[col], &t->tpl->columns[col], bk_table_cell(t, r, col),
                             shift, c->stage, err);
            if (st == BK_OK)
                st = copy_row(c, dst, t, r, unit, shift, err);
            continue;
        }
        st = check_code(c, doc, t, row, err);
        if (st != BK_OK)
            break;
        long e = find_entry(c, a, row, parent[row->unit], docbase | row->unit, unit < 0,
                            after[row->unit], err);
        if (e < 0) {
            st = err->code;
            break;
        }
        after[row->unit] = e;
        if (row->kind != BK_ROW_OF)
            parent[row->unit] = a->entries[e].key;
        if (unit < 0) {
            st = keep_printed(c, a, doc, t, r, e, shift, err);
            continue;
        }
        for (size_t col = 0; col < ncol && st == BK_OK; col++)
            st = acc_add(&a->entries[e].cells[col], &t->tpl->columns[col],
                         bk_table_cell(t, r, col), shift, c->stage, err);
        if (st == BK_OK)
            st = copy_row(c, dst, t, r, unit, shift, err);
    }
    bk_free(after);
    bk_free(parent);
    if (st != BK_OK && !err->file[0])
        bk_error_at(err, src_of(doc), 0, 0, -1);
    return st;
}

bk_status bk_consolidation_add(bk_consolidation *c, const bk_doc *doc, bk_error *err)
{
    bk_status st = check_header(c, doc, err);
    if (st != BK_OK)
        return st;
    int *map = bk_calloc(doc->nunits + 1, sizeof *map);
    if (!map)
        return nomem(err);
    st = map_units(c, doc, map, err);
    int shift = bk_money_shift(doc->money_unit, c->want_unit);
    for (size_t t = 0; t < doc->ntables && st == BK_OK; t++)
        st = add_table(c, doc, doc->tables[t], map, shift, err);
    bk_free(map);
    c->ndocs++;
    return st;
}

/* ---- the department rows ---- */

/* The computed row from its accumulators, with the template's difference and percent rules
 * applied to the summed figures. */
static bk_status computed_row(const acc_table *a, const acc *cells, json_t *rules, bk_cell *out,
                              bk_error *err)
{
    const bk_template *tpl = a->tpl;
    for (size_t col = 0; col < tpl->ncolumns; col++) {
        const acc *x = &cells[col];
        memset(&out[col], 0, sizeof out[col]);
        if (x->n == 0 || x->mixed)
            continue;
        out[col].kind = x->kind;
        if (x->kind == BK_CELL_TEXT) {
            out[col].v.text = x->text;
        } else {
            out[col].v.units = x->v.units;
            out[col].scale = (uint8_t)x->v.scale;
        }
    }
    /* Differences first: a percentage may be of a difference (Table 5's 增减幅). */
    for (int pass = 0; pass < 2; pass++) {
        size_t i;
        json_t *rule;
        json_array_foreach(rules, i, rule) {
            const char *name = json_string_value(json_object_get(rule, "rule"));
            if (!name || strcmp(name, pass == 0 ? "difference" : "percent") != 0)
                continue;
            int res = bk_template_column(tpl, json_string_value(json_object_get(rule, "result")));
            int a1 = bk_template_column(tpl, json_string_value(json_object_get(
                                                 rule, pass == 0 ? "minuend" : "numerator")));
            int a2 = bk_template_column(tpl, json_string_value(json_object_get(
                                                 rule, pass == 0 ? "subtrahend" : "denominator")));
            if (res < 0 || a1 < 0 || a2 < 0)
                continue;
            if (out[a1].kind != BK_CELL_NUMBER || out[a2].kind != BK_CELL_NUMBER)
                continue;
            bk_decimal r, x = bk_cell_decimal(&out[a1]), y = bk_cell_decimal(&out[a2]);
            bk_decimal_status ds;
            if (pass == 0) {
                ds = bk_decimal_sub(x, y, &r);
            } else {
                if (y.units == 0)
                    continue; /* nothing to divide: the units' common print, if any, stays */
                int scale = cells[res].n ? cells[res].maxscale : 2;
                ds = bk_decimal_percent(x, y, scale, &r);
            }
            if (ds != BK_DECIMAL_OK)
                return bk_error_set(err, BK_E_LIMIT, "%s: column %s cannot be computed",
                                    tpl->id, tpl->columns[res].id);
            out[res].kind = BK_CELL_NUMBER;
            out[res].v.units = r.units;
            out[res].scale = (uint8_t)r.scale;
        }
    }
    return BK_OK;
}

static size_t count_parts(const acc *cells, size_t col) { return cells[col].n; }

static bk_status add_finding(bk_report *report, bk_error *err, const char *dept,
                             const acc_table *a, const char *rowkey, size_t col,
                             const printed *p, bk_decimal computed, int has_computed,
                             size_t nparts)
{
    const bk_column *column = &a->tpl->columns[col];
    bk_decimal shown = bk_cell_decimal(&p->cells[col]), diff, bound = {0, 0};
    bk_severity sev = BK_SEV_ERROR;
    if (!has_computed)
        computed = (bk_decimal){0, shown.scale};
    if (bk_decimal_sub(shown, computed, &diff) != BK_DECIMAL_OK)
        return bk_error_set(err, BK_E_LIMIT, "a difference is too large");
    if (diff.units == 0)
        return BK_OK;
    int scale = diff.scale;
    uint64_t mag = diff.units < 0 ? (uint64_t)0 - (uint64_t)diff.units : (uint64_t)diff.units;
    if (column->type == BK_COL_PERCENT) {
        bound = (bk_decimal){1, scale};
        if (mag <= 1)
            sev = BK_SEV_ROUNDING;
    } else if (has_computed) {
        /* The rule of validation.md: 2·|T − Σ| ≤ n + 1 in units of the finest place. */
        bound = (bk_decimal){(int64_t)(nparts + 1) * 5, scale + 1};
        if (2 * mag <= (uint64_t)nparts + 1)
            sev = BK_SEV_ROUNDING;
    }
    char sv[BK_DECIMAL_BUFSIZE], cv[BK_DECIMAL_BUFSIZE], dv[BK_DECIMAL_BUFSIZE];
    bk_decimal_format(shown, 0, sv, sizeof sv);
    bk_decimal_format(computed, 0, cv, sizeof cv);
    bk_decimal_format(diff, 0, dv, sizeof dv);
    char en[512], zh[512];
    const char *what = column->type == BK_COL_PERCENT ? "recomputed from" : "sum to";
    if (has_computed) {
        snprintf(en, sizeof en, "the department row prints %s but its %zu unit%s %s %s "
                 "(difference %s)", sv, nparts, nparts == 1 ? "" : "s",
                 column->type == BK_COL_PERCENT ? "give, recomputed," : what, cv, dv);
        snprintf(zh, sizeof zh, "部门行填报%s，按所属%zu个单位%s为%s（差额%s）", sv, nparts,
                 column->type == BK_COL_PERCENT ? "汇总数重新计算" : "合计", cv, dv);
    } else {
        snprintf(en, sizeof en, "the department row prints %s but none of its units has a "
                 "figure here", sv);
        snprintf(zh, sizeof zh, "部门行填报%s，但所属单位均无此数", sv);
    }
    bk_finding f;
    memset(&f, 0, sizeof f);
    f.rule = "consolidate.department";
    f.severity = sev;
    f.document = p->source;
    f.unit = dept;
    f.table = a->tpl->id;
    f.row = rowkey;
    f.column = column->id;
    f.line = (long)p->line;
    f.has_values = 1;
    f.expected = computed;
    f.actual = shown;
    f.difference = diff;
    f.bound = bound;
    f.message_en = en;
    f.message_zh = zh;
    if (bk_report_add(report, &f) != 0)
        return nomem(err);
    return BK_OK;
}

static bk_status compare_printed(const acc_table *a, const acc *cells, const bk_cell *computed,
                                 const printed *p, const char *dept, const char *rowkey,
                                 bk_report *report, bk_error *err)
{
    bk_status st = BK_OK;
    for (size_t col = 0; col < a->tpl->ncolumns && st == BK_OK; col++) {
        if (a->tpl->columns[col].type == BK_COL_TEXT || p->cells[col].kind != BK_CELL_NUMBER)
            continue;
        int has = computed[col].kind == BK_CELL_NUMBER;
        st = add_finding(report, err, dept, a, rowkey, col, p,
                         has ? bk_cell_decimal(&computed[col]) : (bk_decimal){0, 0}, has,
                         count_parts(cells, col));
    }
    return st;
}

static bk_status put_row(bk_doc *out, bk_table *t, bk_row_kind kind, const char *section,
                         const char *code, const char *name, int level, const bk_cell *cells,
                         bk_error *err)
{
    long r = bk_table_add_row(out, t, kind, 0, section, code, name, level, 0);
    if (r < 0)
        return nomem(err);
    for (size_t col = 0; col < t->tpl->ncolumns; col++) {
        bk_status st = BK_OK;
        if (cells[col].kind == BK_CELL_NUMBER)
            st = bk_table_set_number(t, (size_t)r, col, bk_cell_decimal(&cells[col]));
        else if (cells[col].kind == BK_CELL_TEXT)
            st = bk_table_set_text(out, t, (size_t)r, col, cells[col].v.text,
                                   strlen(cells[col].v.text));
        if (st != BK_OK)
            return bk_error_set(err, st, "cannot set a cell of %s", t->tpl->id);
    }
    return BK_OK;
}

/* Coded blocks print in code order (类, 款, 项 depth first), which merging the units' orders
 * does not guarantee; other blocks keep the merged printed order. */
typedef struct ordered {
    long entry;
    size_t rank, pos;
    const char *code;
} ordered;

static int cmp_ordered(const void *x, const void *y)
{
    const ordered *a = x, *b = y;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    int c = strcmp(a->code, b->code);
    if (c)
        return c;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

static bk_status order_entries(const acc_table *a, long *order, bk_error *err)
{
    size_t n = 0;
    int all_coded = 1;
    for (long e = a->head; e >= 0; e = a->entries[e].next) {
        order[n++] = e;
        if (!a->entries[e].code || a->entries[e].kind != BK_ROW_ITEM)
            all_coded = 0;
    }
    if (!all_coded || n < 2)
        return BK_OK;
    ordered *o = bk_calloc(n, sizeof *o);
    if (!o)
        return nomem(err);
    for (size_t i = 0; i < n; i++) {
        const entry *e = &a->entries[order[i]];
        size_t rank = 0;
        while (rank < i && !(e->section == a->entries[o[rank].entry].section))
            rank++;
        /* rank: the first position where this section appeared */
        o[i] = (ordered){order[i], rank, i, e->code};
        if (rank < i)
            o[i].rank = o[rank].rank;
    }
    qsort(o, n, sizeof *o, cmp_ordered);
    for (size_t i = 0; i < n; i++)
        order[i] = o[i].entry;
    bk_free(o);
    return BK_OK;
}

static bk_status build_table(bk_consolidation *c, bk_doc *out, acc_table *a, bk_error *err)
{
    const bk_template *tpl = a->tpl;
    bk_table *t = bk_doc_add_table(out, tpl);
    if (!t || bk_table_set_labels(out, t, c->stage->dept_name, a->note) != BK_OK)
        return nomem(err);
    json_t *rules = json_loads(tpl->rules_json ? tpl->rules_json : "[]", 0, NULL);
    bk_cell *row = bk_calloc(tpl->ncolumns ? tpl->ncolumns : 1, sizeof *row);
    long *order = bk_calloc(a->nentries + 1, sizeof *order);
    bk_status st = rules && row && order ? BK_OK : nomem(err);
    const char *dept = c->stage->dept_name;
    if (st == BK_OK && (a->lists_units || a->dept_printed)) {
        st = computed_row(a, a->dept, rules, row, err);
        if (st == BK_OK)
            st = put_row(out, t, BK_ROW_UNIT, NULL, NULL, dept, 0,
                         a->dept_printed ? a->dept_printed->cells : row, err);
    }
    if (st == BK_OK)
        st = order_entries(a, order, err);
    for (size_t i = 0; i < a->nentries && st == BK_OK; i++) {
        entry *e = &a->entries[order[i]];
        st = computed_row(a, e->cells, rules, row, err);
        if (st == BK_OK)
            st = put_row(out, t, (bk_row_kind)e->kind, e->section, e->code, e->name, e->level,
                         e->printed ? e->printed->cells : row, err);
    }
    /* The units' own rows, as submitted, in the tables that list units; the others (收支总表,
     * 三公 and the like) are the department's alone in a department budget. */
    const bk_table *src = a->lists_units ? bk_doc_table(c->stage, tpl->id) : NULL;
    for (size_t r = 0; src && r < src->nrows && st == BK_OK; r++) {
        const bk_row *sr = &src->rows[r];
        long nr = bk_table_add_row(out, t, (bk_row_kind)sr->kind, sr->unit, sr->section,
                                   sr->code, sr->name, sr->level, 0);
        if (nr < 0) {
            st = nomem(err);
            break;
        }
        for (size_t col = 0; col < tpl->ncolumns && st == BK_OK; col++) {
            const bk_cell *cell = bk_table_cell(src, r, col);
            if (cell->kind == BK_CELL_NUMBER)
                st = bk_table_set_number(t, (size_t)nr, col, bk_cell_decimal(cell));
            else if (cell->kind == BK_CELL_TEXT)
                st = bk_table_set_text(out, t, (size_t)nr, col, cell->v.text,
                                       strlen(cell->v.text));
        }
        if (st != BK_OK && !err->code)
            bk_error_set(err, st, "cannot copy a row of %s", tpl->id);
    }
    bk_free(order);
    bk_free(row);
    json_decref(rules);
    return st;
}

/* Every printed department row against the computed one. */
static bk_status compare_all(bk_consolidation *c, bk_report *report, bk_error *err)
{
    /* The ownership list is newest first: walk it into document order. */
    size_t n = 0;
    for (printed *p = c->all_printed; p; p = p->next)
        n++;
    printed **list = bk_calloc(n + 1, sizeof *list);
    if (!list)
        return nomem(err);
    size_t i = n;
    for (printed *p = c->all_printed; p; p = p->next)
        list[--i] = p;
    bk_status st = BK_OK;
    const char *dept = c->stage->dept_name;
    for (size_t t = 0; t < c->ntables && st == BK_OK; t++) {
        acc_table *a = &c->tables[t];
        json_t *rules = json_loads(a->tpl->rules_json ? a->tpl->rules_json : "[]", 0, NULL);
        bk_cell *row = bk_calloc(a->tpl->ncolumns ? a->tpl->ncolumns : 1, sizeof *row);
        if (!rules || !row) {
            json_decref(rules);
            bk_free(row);
            st = nomem(err);
            break;
        }
        for (size_t k = 0; k < n && st == BK_OK; k++) {
            printed *p = list[k];
            if (p->table != t)
                continue;
            const acc *cells = p->entry < 0 ? a->dept : a->entries[p->entry].cells;
            st = computed_row(a, cells, rules, row, err);
            if (st != BK_OK)
                break;
            const char *key = dept;
            if (p->entry >= 0) {
                const entry *e = &a->entries[p->entry];
                key = e->code ? e->code : e->name;
            }
            st = compare_printed(a, cells, row, p, dept, key, report, err);
        }
        json_decref(rules);
        bk_free(row);
    }
    bk_free(list);
    return st;
}

bk_doc *bk_consolidation_finish(bk_consolidation *c, bk_report *report, bk_error *err)
{
    if (!c->started || c->stage->nunits < 2) {
        bk_error_set(err, BK_E_CONTENT, "the inputs hold no unit to consolidate");
        return NULL;
    }
    bk_doc *out = bk_doc_new();
    if (!out) {
        nomem(err);
        return NULL;
    }
    bk_doc *s = c->stage;
    bk_status st = bk_doc_set_department(out, s->dept_name, s->dept_code);
    out->fiscal_year = s->fiscal_year;
    out->money_unit = bk_doc_intern_cstr(out, s->money_unit);
    out->precision = c->precision < 0 ? 2 : c->precision;
    if (st != BK_OK || !out->money_unit)
        st = nomem(err);
    for (size_t u = 0; u < s->nunits && st == BK_OK; u++)
        st = bk_doc_add_unit(out, s->units[u].id, s->units[u].name, (bk_unit_kind)s->units[u].kind,
                             u ? "dept" : NULL, err);
    /* Tables in template order, as every document holds them. */
    const bk_templates *set = bk_ctx_templates(c->ctx, err);
    if (!set && st == BK_OK)
        st = err->code ? err->code : BK_E_INTERNAL;
    for (size_t i = 0; set && i < bk_templates_count(set) && st == BK_OK; i++) {
        const bk_template *tpl = bk_templates_at(set, i);
        for (size_t t = 0; t < c->ntables && st == BK_OK; t++)
            if (c->tables[t].tpl == tpl)
                st = build_table(c, out, &c->tables[t], err);
    }
    if (st == BK_OK && report)
        st = compare_all(c, report, err);
    if (st == BK_OK)
        st = bk_doc_check(out, err);
    if (st != BK_OK) {
        bk_doc_free(out);
        return NULL;
    }
    return out;
}

/* ---- the whole job ---- */

typedef struct consolidate_job {
    bk_consolidation *c;
    size_t documents;
} consolidate_job;

static bk_status consolidate_doc(bk_doc *doc, void *user, bk_error *err)
{
    consolidate_job *j = user;
    j->documents++;
    return bk_consolidation_add(j->c, doc, err);
}

bk_status bk_consolidate(bk_ctx *ctx, const char *const *inputs, size_t ninputs,
                         const char *output, const char *from, const char *to,
                         const bk_consolidate_options *o, bk_report *report,
                         bk_consolidate_stats *stats, bk_error *err)
{
    bk_consolidate_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (ninputs == 0)
        return bk_error_set(err, BK_E_USAGE, "no input given");
    if (o && o->money_unit && strcmp(o->money_unit, "万元") != 0 && strcmp(o->money_unit, "元") != 0)
        return bk_error_set(err, BK_E_USAGE, "the money unit is 万元 or 元, not \"%s\"",
                            o->money_unit);
    if (!to && strcmp(output, "-") == 0)
        to = "json";
    const bk_plugin_desc *exporter = bk_ctx_find_exporter(ctx, output, to, err);
    if (!exporter)
        return err->code;
    if (bk_inputs_exist(inputs, ninputs, err) != BK_OK)
        return err->code;
    consolidate_job j = {bk_consolidation_new(ctx, o), 0};
    if (!j.c)
        return nomem(err);
    char **list = NULL;
    size_t nlist = 0;
    bk_status st = bk_inputs_expand(ctx, inputs, ninputs, from, &list, &nlist, err);
    if (st == BK_OK)
        st = bk_read_inputs(ctx, (const char *const *)list, nlist, from, consolidate_doc, &j, err);
    bk_inputs_free(list, nlist);
    bk_doc *dept = NULL;
    if (st == BK_OK) {
        dept = bk_consolidation_finish(j.c, report, err);
        if (!dept) {
            st = err->code ? err->code : BK_E_INTERNAL;
            if (!err->file[0])
                bk_error_at(err, inputs[0], 0, 0, -1);
        }
    }
    stats->documents = j.documents;
    bk_consolidation_free(j.c);
    if (st != BK_OK)
        return st;
    stats->units = dept->nunits - 1;
    stats->cells = bk_doc_cell_count(dept);
    if ((st = bk_set_publication_options(ctx, dept, err)) != BK_OK) {
        bk_doc_free(dept);
        return st;
    }
    bk_sink *sink = bk_sink_open_file(output, err);
    if (!sink) {
        bk_doc_free(dept);
        return err->code;
    }
    bk_export job = {ctx, sink, err, NULL};
    st = exporter->export_begin(&job);
    if (st == BK_OK)
        st = exporter->export_doc(&job, dept);
    bk_status end = exporter->export_end(&job, st == BK_OK);
    if (st == BK_OK)
        st = end;
    bk_doc_free(dept);
    if (st != BK_OK) {
        if (!err->code)
            bk_error_set(err, st, "the %s writer failed", exporter->name);
        if (!err->file[0])
            bk_error_at(err, output, 0, 0, -1);
        bk_sink_abort(sink);
        return st;
    }
    return bk_sink_commit(sink, err);
}
