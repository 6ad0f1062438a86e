/* Summary figures of a document: what `budgetkit info` prints, for programs, so that a caller
 * need not know which row of which table holds the grand total. */
#ifndef BUDGETKIT_SUMMARY_H
#define BUDGETKIT_SUMMARY_H

#include <stddef.h>

#include "api.h"
#include "decimal.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A table's grand total: the department's row in the column "total" (else the first amount
 * column), or the last printed total line's. 1 and *total set when the table prints one. */
BK_API int bk_table_grand_total(const bk_doc *doc, const bk_table *t, bk_decimal *total);

typedef struct bk_summary {
    int fiscal_year;
    const char *department;   /* the document's strings: valid while the document lives */
    const char *dept_code;    /* NULL when none */
    const char *money_unit;   /* "万元" or "元" */
    int precision;            /* decimals of every amount */
    size_t units, tables, cells, goals, indicators, narrative_parts;
    /* The budget's grand total (支出总计): Table 1's, else the first of Tables 2, 7, 8, 6
     * present with one (in a correct budget they are equal). */
    int has_grand_total;
    bk_decimal grand_total;
    /* Basic (基本支出) and project (项目支出) expenditure: Table 4's and Table 5's totals. */
    int has_basic, has_project;
    bk_decimal basic, project;
} bk_summary;

BK_API void bk_doc_summary(const bk_doc *doc, bk_summary *out);

#ifdef __cplusplus
}
#endif
#endif
