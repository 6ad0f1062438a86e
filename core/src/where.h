/* Where a row of a grid was printed.
 *
 * The layout engine numbers the rows of a grid by grid lines (grid.c): the rows of the first
 * part keep their source's line numbers, later parts count on from there, so that lines stay
 * unique. A where-map takes such a line back to the part it came from (a page of a PDF, a
 * sheet of a workbook, a file of a folder) and the source's own line there. Documents read
 * from a grid keep their map, so that warnings, errors and findings name the page and its
 * line. */
#ifndef BK_WHERE_H
#define BK_WHERE_H

#include <stddef.h>

#include "budgetkit/grid.h"
#include "budgetkit/model.h"

typedef struct bk_where bk_where;

bk_where *bk_where_new(void);
void bk_where_free(bk_where *w);
bk_where *bk_where_copy(const bk_where *w);
/* Start a part; the lines added next belong to it. 0 on success, -1 out of memory. */
int bk_where_part(bk_where *w, const char *name, bk_grid_part_kind kind);
/* Grid line `line` (greater than every line added before) was source line src of the current
 * part (0: a row the grid itself inserted). */
int bk_where_line(bk_where *w, long line, long src);

typedef struct bk_place {
    const char *part; /* the part's name; NULL when the grid has one part only */
    bk_grid_part_kind kind;
    long page;        /* the printed page when the part is a page with a number, else 0 */
    long line;        /* the source's line in that part */
} bk_place;

/* The place of grid line `line`. 0 when found, -1 when not. */
int bk_where_find(const bk_where *w, long line, bk_place *out);
/* "FILE#page=3" (the fragment PDF viewers open), "FILE#SHEET", the file of a folder's part
 * by its own name, or FILE alone when the place has no part, into buf; returns buf. */
const char *bk_where_file(const char *file, const bk_place *p, char *buf, size_t cap);

/* The map of the grid a document was read from, owned by the document (NULL: none). */
void bk_doc_set_where(bk_doc *doc, bk_where *w);
const bk_where *bk_doc_where(const bk_doc *doc);

#endif
