/* Positioned words to grid rows: the stage shared by the readers of printed documents.
 *
 * A PDF reader knows where each word is printed; a `pdftotext -layout` text knows it by line
 * and character position. Both hand their words, page by page, to this stage, which makes
 * lines from baselines, cells from words close together, table regions from the title and the
 * unit line (单位：元, 单位：万元), columns from the right edges of numbers and the left edges
 * of text, and places the header cells over those columns (wrapped header lines joined). A
 * blank cell stays blank: a row is never shifted. Split code columns (201  06  01) stay
 * separate columns for the layout engine to join. Text outside the tables becomes narrative
 * parts with their page. The result is a grid (grid.h), one part per printed page.
 *
 *     bk_words *w = bk_words_new("budget.pdf");
 *     bk_words_page(w, 1);
 *     bk_words_add(w, "行政运行", 12, 72.0, 100.0, 120.0, 110.0, 0);
 *     ...
 *     st = bk_words_grid(w, grid, err);
 *     bk_words_free(w);
 *
 * Coordinates grow right and down (points from the page's top left, or character columns and
 * lines); their unit is free, tolerances follow the median word height of the page.
 */
#ifndef BUDGETKIT_WORDS_H
#define BUDGETKIT_WORDS_H

#include <stddef.h>

#include "api.h"
#include "error.h"
#include "grid.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bk_words bk_words;

/* file names the input in messages (copied). NULL when out of memory. */
BK_API bk_words *bk_words_new(const char *file);
BK_API void bk_words_free(bk_words *w);

/* Refuse more than max words in all (BK_E_LIMIT); 0 keeps the default (4 million). */
BK_API void bk_words_set_max(bk_words *w, size_t max);

/* Start a printed page (page numbers as printed or counted from 1). */
BK_API bk_status bk_words_page(bk_words *w, long page);

/* A word of the current page: UTF-8 text (copied) and its box. line is the source line for
 * messages (text input), or 0 to count lines on the page. Blank words are ignored; a box that
 * is not finite or is inverted is refused (BK_E_CONTENT). */
BK_API bk_status bk_words_add(bk_words *w, const char *text, size_t len, double x0, double y0,
                              double x1, double y1, long line);

/* Build the grid from the words added so far: pages become BK_GRID_PAGE parts named by their
 * number, table lines become rows, other text narrative parts. */
BK_API bk_status bk_words_grid(bk_words *w, bk_grid *g, bk_error *err);

#ifdef __cplusplus
}
#endif
#endif
