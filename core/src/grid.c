/* Grids handed over by grid sources (bk_grid_*), and their import by the layout engine
 * (layout/read.c). The rows are kept as the engine reads them (grid_rows, layout/layout.h). */
#include <string.h>

#include "layout/layout.h"

/* s kept with the grid; NULL for out of memory. */
static const char *keep(bk_grid *g, const char *s)
{
    return bk_strpool_intern(&g->strings, s, strlen(s));
}

bk_grid *bk_grid_new(const char *file)
{
    bk_grid *g = bk_calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->file = keep(g, file ? file : "-");
    g->rows.where = bk_where_new();
    if (!g->file || !g->rows.where) {
        bk_grid_free(g);
        return NULL;
    }
    return g;
}

static void rows_free(grid_rows *r)
{
    bk_free(r->arena);
    bk_free(r->f);
    bk_free(r->recs);
    bk_free(r->parts);
    bk_where_free(r->where);
}

void bk_grid_free(bk_grid *g)
{
    if (!g)
        return;
    bk_strpool_free(&g->strings);
    bk_free(g->narr);
    rows_free(&g->rows);
    bk_free(g);
}

/* A row of n cells, with its grid line and its source line (0: a row the grid inserts). */
static bk_status add_row(bk_grid *g, long src, const bk_grid_cell *cells, size_t n)
{
    grid_rows *r = &g->rows;
    if (g->failed)
        return g->failed;
    /* Blank cells at the end of a row read like no cell at all: not keeping them bounds the
     * memory a file of commas takes, and a row of blanks is no row. */
    while (n > 0 && (!cells[n - 1].text || !cells[n - 1].len || !cells[n - 1].text[0]))
        n--;
    if (n == 0)
        return BK_OK;
    size_t width = cells[n - 1].col + 1, filled = 0, bytes = r->arena_len == 0;
    size_t lens[BK_MAX_COLUMNS + 1];
    if (width > BK_MAX_COLUMNS + 1)
        return g->failed = BK_E_LIMIT;
    for (size_t i = 0; i < n; i++) {
        /* A cell's text ends at its first NUL, as CSV records were always read. */
        lens[i] = cells[i].text ? strnlen(cells[i].text, cells[i].len) : 0;
        if (lens[i])
            bytes += lens[i] + 1, filled++;
    }
    int sparse = filled < width - filled;
    /* The rows of the first part keep their source's lines; later parts count on. */
    long line = r->last_line + 1;
    if (r->nparts <= 1 && src > line)
        line = src;
    /* Fields are addressed by 32-bit offsets: a grid is a publication's tables, not gigabytes
     * of text. */
    if (r->arena_len + bytes > UINT32_MAX || r->nf + width > UINT32_MAX || line > (long)UINT32_MAX)
        return g->failed = BK_E_LIMIT;
    if (bk_grow((void **)&r->arena, &r->arena_cap, r->arena_len + bytes, 1) ||
        bk_grow((void **)&r->f, &r->f_cap, r->nf + (sparse ? filled : width), sizeof *r->f) ||
        bk_grow((void **)&r->recs, &r->recs_cap, r->nrecs + 1, sizeof *r->recs) ||
        bk_where_line(r->where, line, src) != 0)
        return g->failed = BK_E_NOMEM;
    if (r->arena_len == 0)
        r->arena[r->arena_len++] = 0;
    r->recs[r->nrecs++] = (wrec){(uint32_t)r->nf, (uint32_t)line, (unsigned)width,
                                 (unsigned)(sparse ? filled : width), 0};
    r->last_line = line;
    for (size_t i = 0, col = 0; col < width; col++) {
        size_t len = i < n && cells[i].col == col ? lens[i++] : 0;
        if (sparse && !len)
            continue;
        wfield *x = &r->f[r->nf++];
        *x = (wfield){len ? (uint32_t)r->arena_len : 0, sparse ? (uint32_t)col : (uint32_t)len};
        if (len) {
            memcpy(r->arena + r->arena_len, cells[i - 1].text, len);
            r->arena[r->arena_len + len] = '\0';
            r->arena_len += len + 1;
        }
    }
    return BK_OK;
}

bk_status bk_grid_part(bk_grid *g, const char *name, bk_grid_part_kind kind)
{
    grid_rows *r = &g->rows;
    bk_status st = g->failed;
    /* A page may continue the table of the page before: no separator between pages. A sheet
     * ends its tables: a row of one form feed, which the engine reads as that. */
    if (st == BK_OK && kind == BK_GRID_SHEET && r->rows_in_part > 0) {
        static const bk_grid_cell sheet_end = {.text = "\f", .len = 1};
        r->rows_in_part = 0;
        st = add_row(g, 0, &sheet_end, 1);
    }
    if (st != BK_OK)
        return st;
    const char *copy = keep(g, name ? name : "");
    if (!copy || bk_grow((void **)&r->parts, &r->parts_cap, r->nparts + 1, sizeof *r->parts) ||
        bk_where_part(r->where, name, kind) != 0)
        return g->failed = BK_E_NOMEM;
    r->parts[r->nparts++] = (grid_part){copy, kind, r->nrecs};
    return BK_OK;
}

bk_status bk_grid_row(bk_grid *g, long line, const bk_grid_cell *cells, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (cells[i].col <= cells[i - 1].col)
            return BK_E_USAGE;
    bk_status st = add_row(g, line, cells, n);
    g->rows.rows_in_part++;
    return st;
}

bk_status bk_grid_merge(bk_grid *g, long row0, uint32_t col0, long row1, uint32_t col1)
{
    (void)row0, (void)col0, (void)row1, (void)col1;
    return g->failed;
}

bk_status bk_grid_narrative(bk_grid *g, const char *title, const char *text, long page)
{
    if (g->failed)
        return g->failed;
    const char *kept_title = keep(g, title ? title : ""), *kept_text = keep(g, text ? text : "");
    if (!kept_title || !kept_text ||
        bk_grow((void **)&g->narr, &g->narr_cap, g->nnarr + 1, sizeof *g->narr) != 0)
        return g->failed = BK_E_NOMEM;
    g->narr[g->nnarr++] = (grid_narrative){kept_title, kept_text, page};
    return BK_OK;
}

static const char *const meta_keys[] = {"department_code", "publisher", "source", "source_path",
                                        "license"};

bk_status bk_grid_meta(bk_grid *g, const char *key, const char *value)
{
    if (g->failed)
        return g->failed;
    for (size_t i = 0; i < sizeof meta_keys / sizeof meta_keys[0]; i++) {
        if (strcmp(key, meta_keys[i]) != 0)
            continue;
        const char *copy = keep(g, value ? value : "");
        if (!copy)
            return g->failed = BK_E_NOMEM;
        g->meta[i] = copy;
        return BK_OK;
    }
    return BK_E_USAGE;
}

/* The grid's metadata on a document that does not carry its own. */
static bk_status apply_meta(const bk_grid *g, bk_doc *doc, bk_error *err)
{
    bk_status st = BK_OK;
    if (g->meta[0] && *g->meta[0] && !doc->dept_code)
        st = bk_doc_set_department(doc, doc->dept_name, g->meta[0]);
    if (st != BK_OK)
        return bk_error_set(err, st, "out of memory");
    bk_publication pub = doc->publication;
    const char **field[] = {&pub.publisher, &pub.source, &pub.source_path, &pub.license};
    int changed = 0;
    for (size_t i = 0; i < 4; i++) {
        if (g->meta[i + 1] && *g->meta[i + 1] && !*field[i]) {
            *field[i] = g->meta[i + 1];
            changed = 1;
        }
    }
    return changed ? bk_doc_set_publication(doc, &pub, err) : BK_OK;
}

/* One field of a grid-out row, quoted. */
static bk_status put_field(bk_sink *sink, const char *s, size_t len)
{
    bk_status st = bk_sink_write(sink, "\"", 1);
    while (st == BK_OK && len > 0) {
        const char *q = memchr(s, '"', len);
        size_t n = q ? (size_t)(q - s) + 1 : len;
        st = bk_sink_write(sink, s, n);
        if (st == BK_OK && q)
            st = bk_sink_write(sink, "\"", 1);
        s += n;
        len -= n;
    }
    return st == BK_OK ? bk_sink_write(sink, "\"", 1) : st;
}

/* --option grid-out=FILE: the rows as the engine sees them, as CSV, for whoever writes a
 * layout (the CSV plugin reads the file back into the same rows). */
static bk_status write_grid(bk_import *job, const bk_grid *g, const char *path)
{
    bk_sink *sink = bk_sink_open_file(path, job->err);
    if (!sink)
        return job->err->code;
    const grid_rows *rows = &g->rows;
    bk_status st = BK_OK;
    for (size_t r = 0; r < rows->nrecs && st == BK_OK; r++) {
        const wrec *rec = &rows->recs[r];
        const wfield *x = rows->f + rec->first;
        for (size_t c = 0, k = 0; c < rec->n && st == BK_OK; c++) {
            if (c > 0)
                st = bk_sink_write(sink, ",", 1);
            const char *text = NULL;
            if (rec->nset == rec->n)
                text = x[c].len_or_col ? rows->arena + x[c].off : NULL;
            else if (k < rec->nset && x[k].len_or_col == c)
                text = rows->arena + x[k++].off;
            if (st == BK_OK && text)
                st = put_field(sink, text, strlen(text));
        }
        if (st == BK_OK)
            st = bk_sink_write(sink, "\r\n", 2);
    }
    if (st != BK_OK) {
        bk_sink_abort(sink);
        return bk_error_set(job->err, st, "%s: cannot write the grid", path);
    }
    return bk_sink_commit(sink, job->err);
}

bk_status bk_grid_import(bk_import *job, const bk_grid *g)
{
    if (g->failed == BK_E_LIMIT) {
        bk_error_at(job->err, g->file, g->rows.last_line, 0, -1);
        return bk_error_set(job->err, BK_E_LIMIT, "the tables hold more than 4 GiB of text or "
                            "more than %d columns in a row; split the input", BK_MAX_COLUMNS);
    }
    if (g->failed)
        return bk_error_set(job->err, g->failed, "out of memory");
    const char *out = bk_import_option(job, "grid-out");
    if (out && *out) {
        bk_status st = write_grid(job, g, out);
        if (st != BK_OK)
            return st;
    }
    bk_import sub = *job;
    sub.where = g->rows.where;
    bk_doc *doc = NULL;
    bk_status st = bk_layout_read(&sub, g, &doc);
    if (st != BK_OK)
        return st;
    bk_where *where = bk_where_copy(g->rows.where);
    if (!where) {
        bk_doc_free(doc);
        return bk_error_set(job->err, BK_E_NOMEM, "out of memory");
    }
    bk_doc_set_where(doc, where);
    for (size_t i = 0; i < g->nnarr && st == BK_OK; i++)
        st = bk_doc_add_narrative(doc, g->narr[i].title, g->narr[i].text);
    if (st != BK_OK)
        st = bk_error_set(job->err, st, "out of memory");
    if (st == BK_OK)
        st = apply_meta(g, doc, job->err);
    if (st != BK_OK) {
        bk_doc_free(doc);
        return st;
    }
    return bk_import_emit(job, doc);
}
