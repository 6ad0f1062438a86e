/* One change as a line for people, shared by the text printer and the HTML page. */
#ifndef BK_DIFF_TEXT_H
#define BK_DIFF_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include "budgetkit/diff.h"

/* The change and a newline, in Chinese when zh is set. */
void bk_diff_text_line(FILE *o, const bk_change *c, int zh);

/* The paragraphs of a text are its non-blank lines: the next one at or after *p (its start,
 * its length in *len, *p moved past it), NULL when there is none. */
const char *bk_diff_next_paragraph(const char **p, size_t *len);

#endif
