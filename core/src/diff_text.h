/* One change as a line for people, shared by the text printer and the HTML page. */
#ifndef BK_DIFF_TEXT_H
#define BK_DIFF_TEXT_H

#include <stdio.h>

#include "budgetkit/diff.h"

/* The change and a newline, in Chinese when zh is set. */
void bk_diff_text_line(FILE *o, const bk_change *c, int zh);

#endif
