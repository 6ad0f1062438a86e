/* The published tables in CSV (formats/csv-wide.md): a file, or a folder whose files are one
 * document's tables, handed to the layout engine as a grid (budgetkit/grid.h). A file is read
 * whole: wide files are small, and max-input-bytes bounds each. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvint.h"

typedef struct grid_rows {
    bk_grid *grid;
    const char *file;
    bk_error *err;
    int first; /* no record of the file read yet */
    bk_grid_cell *cells;
    size_t cap;
} grid_rows;

static bk_status add_record(void *user, const bkcsv_field *f, size_t n, long line)
{
    grid_rows *r = user;
    if (r->first) {
        r->first = 0;
        if (bkcsv_lines_header_record(f, n))
            return bkcsv_fail(r->err, r->file, line, 0, -1, BK_E_CONTENT,
                              "this is a line-item file; a folder is read as the wide tables "
                              "of one document");
    }
    if (bk_grow((void **)&r->cells, &r->cap, n ? n : 1, sizeof *r->cells))
        return bkcsv_fail(r->err, r->file, line, 0, -1, BK_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        r->cells[i] = (bk_grid_cell){.text = f[i].s, .len = f[i].len, .col = (uint32_t)i};
    bk_status st = bk_grid_row(r->grid, line, r->cells, n);
    if (st == BK_E_LIMIT)
        return bkcsv_fail(r->err, r->file, line, 0, -1, st,
                          "the wide tables hold more than 4 GiB of text; split the file");
    if (st != BK_OK)
        return bkcsv_fail(r->err, r->file, line, 0, -1, st, "out of memory");
    return BK_OK;
}

static bk_status read_file(grid_rows *r, bk_source *src, const bkcsv_read_opts *opts)
{
    bkcsv_read_opts o = *opts;
    o.max_fields = BK_MAX_COLUMNS;
    r->file = bk_source_name(src);
    r->first = 1;
    return bkcsv_read(src, r->file, &o, r->err, add_record, r);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_csv_name(const char *n)
{
    size_t len = strlen(n);
    return n[0] != '.' && len > 4 && strcasecmp(n + len - 4, ".csv") == 0;
}

/* The folder's .csv files in name order, each a part of the grid. */
static bk_status read_folder(grid_rows *r, const char *dir, const bkcsv_read_opts *opts)
{
    DIR *d = opendir(dir);
    if (!d)
        return bkcsv_fail(r->err, dir, 0, 0, -1, BK_E_IO, "cannot open the folder");
    char **names = NULL;
    size_t n = 0, cap = 0;
    bk_status st = BK_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && st == BK_OK) {
        if (!is_csv_name(e->d_name))
            continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *path = bk_malloc(len);
        if (!path || bk_grow((void **)&names, &cap, n + 1, sizeof *names)) {
            bk_free(path);
            st = bkcsv_fail(r->err, dir, 0, 0, -1, BK_E_NOMEM, "out of memory");
            break;
        }
        snprintf(path, len, "%s/%s", dir, e->d_name);
        names[n++] = path;
    }
    closedir(d);
    if (st == BK_OK && n == 0)
        st = bkcsv_fail(r->err, dir, 0, 0, -1, BK_E_CONTENT, "the folder holds no .csv file");
    if (n)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n && st == BK_OK; i++) {
        if (bk_grid_part(r->grid, names[i], BK_GRID_FILE) != BK_OK) {
            st = bkcsv_fail(r->err, names[i], 0, 0, -1, BK_E_NOMEM, "out of memory");
            break;
        }
        bk_source *src = bk_source_open(names[i], r->err);
        if (!src) {
            st = r->err->code ? r->err->code : BK_E_IO;
            break;
        }
        st = read_file(r, src, opts);
        bk_source_close(src);
    }
    for (size_t i = 0; i < n; i++)
        bk_free(names[i]);
    bk_free(names);
    return st;
}

bk_status bkcsv_tables_import(bk_import *job, bk_source *src, const bkcsv_read_opts *opts)
{
    grid_rows r = {.err = bk_import_error(job)};
    r.grid = bk_grid_new(bk_source_name(src));
    if (!r.grid)
        return bkcsv_fail(r.err, bk_source_name(src), 0, 0, -1, BK_E_NOMEM, "out of memory");
    bk_status st = bk_source_is_dir(src) ? read_folder(&r, bk_source_path(src), opts)
                                         : read_file(&r, src, opts);
    if (st == BK_OK)
        st = bk_grid_import(job, r.grid);
    bk_free(r.cells);
    bk_grid_free(r.grid);
    return st;
}

/* ---------------------------------------------------------------- writing */

/* Where the rendered rows go: one file, the tables a blank line apart, or a file per table
 * in a folder. */
typedef struct tables_out {
    bk_sink *sink; /* the output */
    bk_sink *member; /* a folder's file being written */
    bkcsv_writer w;
    int started; /* a writer is open */
    bkcsv_encoding enc;
    int bom;
    bk_error *err;
} tables_out;

/* The folder's file in hand, written out (ok) or dropped. */
static bk_status end_member(tables_out *o, int ok)
{
    bk_status st = ok ? bkcsv_writer_flush(&o->w) : BK_OK;
    bkcsv_writer_free(&o->w);
    o->started = 0;
    if (!o->member)
        return st;
    bk_sink *member = o->member;
    o->member = NULL;
    if (ok && st == BK_OK)
        return bk_sink_commit(member, o->err);
    bk_sink_abort(member);
    return st;
}

static bk_status table_start(void *user, const char *id)
{
    tables_out *o = user;
    bk_status st = BK_OK;
    if (bk_sink_is_dir(o->sink)) {
        if (o->started && (st = end_member(o, 1)) != BK_OK)
            return st;
        char name[96];
        snprintf(name, sizeof name, "%s.csv", id);
        if (!(o->member = bk_sink_member(o->sink, name, o->err)))
            return o->err->code ? o->err->code : BK_E_IO;
        st = bkcsv_writer_init(&o->w, o->member, o->enc, o->bom, o->err);
        o->started = 1;
    } else if (!o->started) {
        st = bkcsv_writer_init(&o->w, o->sink, o->enc, o->bom, o->err);
        o->started = 1;
    } else {
        bkcsv_eol(&o->w); /* a blank line between tables */
        st = o->w.status;
    }
    return st;
}

static bk_status table_row(void *user, const char *const *fields, size_t n)
{
    tables_out *o = user;
    bkcsv_record(&o->w, fields, n);
    return o->w.status;
}

bk_status bkcsv_tables_export(bk_sink *sink, const bk_doc *doc, const bk_templates *tpls,
                              bkcsv_encoding enc, int bom, bk_error *err)
{
    tables_out o = {.sink = sink, .enc = enc, .bom = bom, .err = err};
    bk_grid_writer out = {table_start, table_row, &o};
    bk_status st = bk_grid_render(doc, tpls, &out, err);
    if (st == BK_OK && !o.started && !bk_sink_is_dir(sink)) {
        st = bkcsv_writer_init(&o.w, sink, enc, bom, err); /* no table: an empty file */
        o.started = 1;
    }
    if (o.started) {
        bk_status end = end_member(&o, st == BK_OK);
        if (st == BK_OK)
            st = end;
    }
    return st;
}
