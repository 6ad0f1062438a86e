/* budgetkit layouts: list the layout families and their tables. */
#ifndef BK_TOOLS_LAYOUTS_H
#define BK_TOOLS_LAYOUTS_H

#include <stdio.h>

#include "budgetkit/template.h"

/* Every family of set (or only the one named), as text or as one JSON object. 0 when done, 1
 * when `only` names no family, -1 when out of memory. */
int layouts_print(const bk_templates *set, const char *only, int json, FILE *out);

#endif
