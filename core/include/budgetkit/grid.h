/* Grids: rows of cells as a sheet, a printed page or a CSV file shows them.
 *
 * A grid source (the CSV plugin, the spreadsheet, PDF and text readers) builds a grid and hands
 * it to the layout engine (core/src/layout/) with bk_grid_import, which finds the tables in it (title, unit line,
 * header block, body, notes), matches them to the layouts and emits the documents. The source
 * knows how to get cells out of its format; the engine knows what a budget table looks like.
 * Nothing about table layouts belongs in a grid source.
 *
 *     bk_grid *g = bk_grid_new("book.xlsx");
 *     bk_grid_part(g, "T04", BK_GRID_SHEET);
 *     bk_grid_cell c[] = {{.text = "201", .len = 3, .col = 0},
 *                         {.text = "3088.83", .len = 7, .col = 2, .flags = BK_GRID_NUMBER}};
 *     bk_grid_row(g, 6, c, 2);
 *     st = bk_grid_import(job, g);   (from the plugin's import callback)
 *     bk_grid_free(g);
 */
#ifndef BUDGETKIT_GRID_H
#define BUDGETKIT_GRID_H

#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "error.h"
#include "model.h"
#include "template.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bk_grid bk_grid;
typedef struct bk_import bk_import;

/* What a part is: a table ends at the end of a sheet, but may continue on the next page of a
 * printed document (headers repeated or not). A file of a folder (the CSV files of one
 * document's tables) is read on its own: it must hold a table, and messages name it by the
 * part's name, which is its path. */
typedef enum bk_grid_part_kind {
    BK_GRID_SHEET = 0,
    BK_GRID_PAGE = 1,
    BK_GRID_FILE = 2
} bk_grid_part_kind;

/* Cell flags. */
#define BK_GRID_NUMBER 0x1u /* a number cell: text is the exact decimal it displays ("3088.83") */
#define BK_GRID_TEXT   0x2u /* a text cell that looks like a number but must stay text ("02") */

typedef struct bk_grid_cell {
    const char *text; /* UTF-8 as displayed (copied by bk_grid_row); NULL or "" for a blank */
    size_t len;
    uint32_t col;     /* 0-based column in the part; cells of a row in increasing col */
    uint32_t flags;   /* BK_GRID_* */
    /* Where the cell is printed, when known (PDF: points from the page's top left); else 0. */
    float x0, y0, x1, y1;
} bk_grid_cell;

/* A new grid; file names the input in messages (copied). NULL when out of memory. */
BK_API bk_grid *bk_grid_new(const char *file);
BK_API void bk_grid_free(bk_grid *g);

/* Start a part: a sheet ("T04"), a page ("3"), a file of a folder ("tables/T04.csv"). Rows
 * before the first call belong to an unnamed sheet. */
BK_API bk_status bk_grid_part(bk_grid *g, const char *name, bk_grid_part_kind kind);

/* Add a row of the current part. line is the source's row number (sheet row, line on the page,
 * CSV line), increasing within a part, used in messages; cells are copied. Blank cells at the
 * end of a row are not kept, and a row of blanks only is no row: blocks are told apart by
 * their titles and headers. A cell's text ends at its first NUL byte. */
BK_API bk_status bk_grid_row(bk_grid *g, long line, const bk_grid_cell *cells, size_t n);

/* A merged range of the current part, in source rows and 0-based columns, inclusive
 * (header blocks, titles). The value is in the top left cell. */
BK_API bk_status bk_grid_merge(bk_grid *g, long row0, uint32_t col0, long row1, uint32_t col1);

/* A narrative part of the publication (说明 text, a narrative sheet), in reading order. page is
 * the printed page or 0. */
BK_API bk_status bk_grid_narrative(bk_grid *g, const char *title, const char *text, long page);

/* What the source knows of the document besides its tables (a workbook's metadata sheet),
 * given to every document the grid makes that does not carry it already. key is one of
 * "department_code", "publisher", "source", "source_path", "license" (the bk_publication
 * fields); another key is BK_E_USAGE. value is copied; the last one given for a key counts. */
BK_API bk_status bk_grid_meta(bk_grid *g, const char *key, const char *value);

/* Run the layout engine over the grid and emit its document to the import job. Errors and
 * warnings name the file, the part and the source's line ("book.xlsx#T04:6:3: ...",
 * "report.pdf#page=10:3:9: ...", "tables/T04.csv:7:14: ..."). --option grid-out=FILE writes
 * the rows as the engine sees them, as CSV, for whoever writes a layout. */
BK_API bk_status bk_grid_import(bk_import *job, const bk_grid *g);

/* The reverse: a document's tables as they are printed, row by row, for the writers of printed
 * tables (CSV wide files, workbooks). table is called as each table starts, with its template
 * id; row with each row of the table's width (NULL fields are empty). A callback that fails
 * sets err and returns its status, which ends the rendering. */
typedef struct bk_grid_writer {
    bk_status (*table)(void *user, const char *id);
    bk_status (*row)(void *user, const char *const *fields, size_t n);
    void *user;
} bk_grid_writer;
BK_API bk_status bk_grid_render(const bk_doc *doc, const bk_templates *tpls,
                                const bk_grid_writer *out, bk_error *err);

#ifdef __cplusplus
}
#endif
#endif
