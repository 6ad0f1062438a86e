/* What the HTML pages (the validation report, the differences) share: escaping, figures, the
 * printed table header and the look. */
#ifndef BK_HTML_H
#define BK_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "budgetkit/decimal.h"
#include "budgetkit/model.h"
#include "budgetkit/template.h"

/* Text from the input is always written through these: & < > " ' become entities. */
void bk_html_esc_n(FILE *out, const char *s, size_t n);
void bk_html_esc(FILE *out, const char *s);
/* s escaped, between before and after (markup, written as it is); nothing when s is NULL. */
void bk_html_esc_between(FILE *out, const char *before, const char *s, const char *after);
/* A figure with its printed decimals, grouped by thousands when asked. */
void bk_html_dec(FILE *out, bk_decimal d, int grouped);
/* The template's header rows as printed (merged cells), after a code column when codes is set
 * and an item column. */
void bk_html_table_header(FILE *out, const bk_template *tpl, int zh, int codes);
/* How far a row's name is indented (em), 0 for none. */
int bk_html_indent(const bk_row *row);
/* The rest of a table cell after "<td" and its class attributes: the name of a row (indented
 * by its level), or a column's value, each with its data-col attribute, up to "</td>". */
void bk_html_name_cell_end(FILE *out, const bk_row *row, const char *name);
void bk_html_value_cell_end(FILE *out, const bk_column *col, const bk_cell *cell);
/* The start of a row of a page's summary of documents: the document's name linked to its
 * section (#d<i>), then a cell of the text beside it that sorts by that text, left open after
 * its text. */
void bk_html_summary_row_start(FILE *out, size_t i, const char *name, const char *beside);
/* The style sheet of every page. */
extern const char bk_html_style[];
/* The script of every page: a marked cell shows its finding or change. */
extern const char bk_html_script[];

#endif
