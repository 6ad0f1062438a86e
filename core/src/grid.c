/* Grids handed over by grid sources (bk_grid_*), and their import.
 *
 * First implementation: the grid is written out as CSV text and read by the CSV plugin's wide
 * reader, the engine that knows the printed layouts today. The contract in grid.h is what grid
 * sources rely on; the engine behind bk_grid_import moves into the core without changing it. */
#include <string.h>

#include "budgetkit/budgetkit.h"
#include "jobs.h"
#include "where.h"

typedef struct grid_narrative {
    char *title, *text;
    long page;
} grid_narrative;

struct bk_grid {
    char *file;
    char *csv; /* the rows so far, as CSV text */
    size_t len, cap;
    size_t rows_in_part;
    grid_narrative *narr;
    size_t nnarr, narr_cap;
    /* What the source knows of the document besides its tables (bk_grid_meta), in the order
     * of meta_keys. */
    char *meta[5];
    bk_where *where; /* each line of csv back to its part and source line */
    bk_status failed; /* an allocation failed: every later call reports it */
};

bk_grid *bk_grid_new(const char *file)
{
    bk_grid *g = bk_calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->file = bk_strdup(file ? file : "-");
    g->where = bk_where_new();
    if (!g->file || !g->where) {
        bk_grid_free(g);
        return NULL;
    }
    return g;
}

void bk_grid_free(bk_grid *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->nnarr; i++) {
        bk_free(g->narr[i].title);
        bk_free(g->narr[i].text);
    }
    bk_free(g->narr);
    for (size_t i = 0; i < sizeof g->meta / sizeof g->meta[0]; i++)
        bk_free(g->meta[i]);
    bk_where_free(g->where);
    bk_free(g->csv);
    bk_free(g->file);
    bk_free(g);
}

static bk_status put(bk_grid *g, const char *s, size_t n)
{
    if (g->failed)
        return g->failed;
    if (bk_grow((void **)&g->csv, &g->cap, g->len + n + 1, 1) != 0)
        return g->failed = BK_E_NOMEM;
    memcpy(g->csv + g->len, s, n);
    g->len += n;
    g->csv[g->len] = '\0';
    return BK_OK;
}

/* The next line of csv was source line src. */
static bk_status map_line(bk_grid *g, long src)
{
    if (g->failed)
        return g->failed;
    return bk_where_line(g->where, src) == 0 ? BK_OK : (g->failed = BK_E_NOMEM);
}

bk_status bk_grid_part(bk_grid *g, const char *name, bk_grid_part_kind kind)
{
    bk_status st = g->failed;
    /* A page may continue the table of the page before: no separator between pages. A sheet
     * ends its tables: a line of one form feed, which the engine reads as that. */
    if (kind == BK_GRID_SHEET && g->rows_in_part > 0) {
        g->rows_in_part = 0;
        st = put(g, "\"\f\"\r\n", 5);
        if (st == BK_OK)
            st = map_line(g, 0);
    }
    if (st == BK_OK && bk_where_part(g->where, name, kind) != 0)
        st = g->failed = BK_E_NOMEM;
    return st;
}

bk_status bk_grid_row(bk_grid *g, long line, const bk_grid_cell *cells, size_t n)
{
    uint32_t at = 0;
    bk_status st = g->failed;
    for (size_t i = 0; i < n && st == BK_OK; i++) {
        for (; at < cells[i].col && st == BK_OK; at++)
            st = at > 0 ? put(g, ",", 1) : BK_OK;
        if (st != BK_OK)
            break;
        if (at > 0 && (st = put(g, ",", 1)) != BK_OK)
            break;
        at = cells[i].col + 1;
        const char *s = cells[i].text ? cells[i].text : "";
        size_t len = cells[i].text ? cells[i].len : 0;
        if (len == 0)
            continue;
        st = put(g, "\"", 1);
        for (size_t k = 0; k < len && st == BK_OK; k++) {
            st = s[k] == '"' ? put(g, "\"\"", 2) : put(g, s + k, 1);
            /* A line break inside a cell (a wrapped header) is a line of csv too. */
            if (s[k] == '\n' && st == BK_OK)
                st = map_line(g, line);
        }
        if (st == BK_OK)
            st = put(g, "\"", 1);
    }
    if (st == BK_OK)
        st = put(g, "\r\n", 2);
    if (st == BK_OK)
        st = map_line(g, line);
    g->rows_in_part++;
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
    if (bk_grow((void **)&g->narr, &g->narr_cap, g->nnarr + 1, sizeof *g->narr) != 0)
        return g->failed = BK_E_NOMEM;
    grid_narrative *p = &g->narr[g->nnarr];
    p->title = bk_strdup(title ? title : "");
    p->text = bk_strdup(text ? text : "");
    p->page = page;
    if (!p->title || !p->text) {
        bk_free(p->title);
        bk_free(p->text);
        return g->failed = BK_E_NOMEM;
    }
    g->nnarr++;
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
        char *copy = bk_strdup(value ? value : "");
        if (!copy)
            return g->failed = BK_E_NOMEM;
        bk_free(g->meta[i]);
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

typedef struct grid_emit {
    const bk_grid *g;
    bk_import *job;
} grid_emit;

static bk_status add_narrative(bk_doc *doc, void *user, bk_error *err)
{
    grid_emit *e = user;
    bk_where *where = bk_where_copy(e->g->where);
    if (!where)
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    bk_doc_set_where(doc, where);
    for (size_t i = 0; i < e->g->nnarr; i++) {
        bk_status st = bk_doc_add_narrative(doc, e->g->narr[i].title, e->g->narr[i].text);
        if (st != BK_OK)
            return bk_error_set(err, st, "out of memory");
    }
    bk_status st = apply_meta(e->g, doc, err);
    return st != BK_OK ? st : e->job->fn(doc, e->job->user, err);
}

/* --option grid-out=FILE: the rows as the engine sees them, for whoever writes a layout. */
static bk_status write_grid(bk_import *job, const bk_grid *g, const char *path)
{
    bk_sink *sink = bk_sink_open_file(path, job->err);
    if (!sink)
        return job->err->code;
    bk_status st = bk_sink_write(sink, g->csv ? g->csv : "", g->len);
    if (st != BK_OK) {
        bk_sink_abort(sink);
        return bk_error_set(job->err, st, "%s: cannot write the grid", path);
    }
    return bk_sink_commit(sink, job->err);
}

bk_status bk_grid_import(bk_import *job, const bk_grid *g)
{
    if (g->failed)
        return bk_error_set(job->err, g->failed, "out of memory");
    const char *out = bk_import_option(job, "grid-out");
    if (out && *out) {
        bk_status st = write_grid(job, g, out);
        if (st != BK_OK)
            return st;
    }
    bk_source *src = bk_source_open_memory(g->file, g->csv ? g->csv : "", g->len, job->err);
    if (!src)
        return job->err->code;
    grid_emit e = {g, job};
    bk_status st = bk_run_import_where(job->ctx, src, "csv", job->depth + 1, job->ndocs,
                                       add_narrative, &e, g->where, job->err);
    bk_source_close(src);
    bk_place at;
    if (st != BK_OK && strcmp(job->err->file, g->file) == 0 &&
        bk_where_find(g->where, job->err->line, &at) == 0) {
        char file[sizeof job->err->file];
        bk_where_file(g->file, &at, file, sizeof file);
        bk_error_at(job->err, file, at.line, job->err->column, -1);
    }
    return st;
}
