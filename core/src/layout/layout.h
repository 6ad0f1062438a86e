/* The layout engine: grids of printed tables into documents.
 *
 * A grid source (the CSV plugin, the workbook reader, the PDF and text readers) hands rows of
 * cells to a bk_grid (grid.c); bk_grid_import runs the engine (read.c), which cuts the rows into
 * tables, matches each to a layout of the templates and builds the document. printed.c holds
 * how printed labels compare and what they mean (public part in budgetkit/printed.h);
 * levels.c the levels of economic rows printed by name alone. */
#ifndef BK_LAYOUT_H
#define BK_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "budgetkit/budgetkit.h"
#include "../jobs.h"
#include "../strpool.h"
#include "../where.h"

/* ---------------------------------------------------------------- the grid's rows */

/* A cell's text: NUL-terminated, len bytes. */
typedef struct bk_field {
    const char *s;
    size_t len;
} bk_field;

/* A row of the grid, twelve bytes: a file of one-character lines holds 22 bytes a line. */
typedef struct wrec {
    uint32_t first; /* its first field in the grid's fields */
    uint32_t line;  /* its line in the grid (where.h takes it back to the source's) */
    unsigned n : 14;    /* columns, up to the last filled one (at most BK_MAX_COLUMNS + 1) */
    unsigned nset : 14; /* fields kept: every column's, or only the filled ones' */
    /* Columns before the first one read: 1 for a row that lost its label column, -1 for a row
     * that carries one more than its header (set by the engine on a copy). */
    signed lead : 3;
} wrec;

_Static_assert(BK_MAX_COLUMNS + 1 < (1 << 14), "a record's columns fit wrec.n");

/* A field of a row: its text at arena + off, NUL-terminated. A row is kept whole when at most
 * half its columns are blank, each field {off, len} and a blank one {0, 0} (the empty text at
 * the arena's first byte); otherwise only its filled fields are kept, {off, column}, so that
 * the commas of a sparse record take no memory (a file of them took 25 times its size). */
typedef struct wfield {
    uint32_t off;
    uint32_t len_or_col;
} wfield;

/* A part of the grid: a sheet, a page, a file of a folder; its rows start at rows[first]. */
typedef struct grid_part {
    const char *name;
    bk_grid_part_kind kind;
    size_t first;
} grid_part;

typedef struct grid_narrative {
    const char *title, *text;
    long page;
} grid_narrative;

/* The rows of a grid as the engine reads them: their text in one arena, their fields, twelve
 * bytes a row, the parts they fall in and where each came from. */
typedef struct grid_rows {
    char *arena;
    size_t arena_len, arena_cap;
    wfield *f;
    size_t nf, f_cap;
    wrec *recs;
    size_t nrecs, recs_cap;
    grid_part *parts;
    size_t nparts, parts_cap;
    size_t rows_in_part;
    long last_line;  /* the grid line of the last row */
    bk_where *where; /* each row's grid line back to its part and source line */
} grid_rows;

struct bk_grid {
    /* The file's name, the parts' names, the narrative and the metadata: kept as long as the
     * grid, which only adds to them. */
    bk_strpool strings;
    const char *file;
    grid_rows rows;
    grid_narrative *narr;
    size_t nnarr, narr_cap;
    /* What the source knows of the document besides its tables (bk_grid_meta). */
    const char *meta[5];
    bk_status failed; /* an allocation failed: every later call reports it */
};

/* The engine: the document the grid's tables make (NULL and job's error set on failure). job's
 * where-map must be the grid's. */
bk_status bk_layout_read(bk_import *job, const bk_grid *g, bk_doc **out);

/* Economic rows printed by name alone, without indentation (text extracted from a PDF): their
 * levels from the codes the document prints beside the same names (levels.c). */
bk_status bk_layout_economic_levels(bk_doc *doc);

#endif
