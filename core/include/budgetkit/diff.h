/* Differences between two budgets, cell by cell (formats/diff.md).
 *
 * Rows are matched by table, unit, row key (code, else printed name and level) and column;
 * what differs is handed to a callback one change at a time, so that a bulk of documents is
 * compared without holding the changes. */
#ifndef BUDGETKIT_DIFF_H
#define BUDGETKIT_DIFF_H

#include <stddef.h>
#include <stdio.h>

#include "api.h"
#include "context.h"
#include "decimal.h"
#include "error.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One difference. Strings are borrowed for the duration of the callback. */
typedef struct bk_change {
    const char *kind;       /* stable id: cell, text, row-removed, row-added, renamed, recoded,
                               table-removed, table-added, unit-removed, unit-added, header,
                               part-removed, part-added, paragraph-removed, paragraph-added,
                               indicator, document-removed, document-added, catalogue */
    const char *document;   /* B's source (A's for what only A has) */
    const char *document_a; /* A's source, NULL when only B has it */
    const char *unit;       /* unit name, NULL when not about a unit */
    const char *table;      /* template id */
    const char *row;        /* row key as shown: code, else name; paragraph number */
    const char *name;       /* the row's printed name, a part's title */
    const char *column;     /* column id (B's) or header field */
    const char *column_a;   /* A's column when it is another one (--years), else NULL */
    const char *column_zh;  /* printed header path of the column */
    const char *old_text, *new_text; /* texts, names, codes, paragraphs; NULL when absent */
    int has_values;         /* old/new/difference below are meaningful */
    bk_decimal old_value, new_value, difference;
    int has_percent;        /* difference / old × 100, old not zero */
    bk_decimal percent;
    size_t at_a, at_b;      /* 1 + the row's index in A's and B's table, 0 when that side has none */
    const char *source;     /* catalogue: where the change of a code is published */
} bk_change;

typedef bk_status (*bk_change_fn)(const bk_change *c, void *user, bk_error *err);
/* After the changes of one pair of documents, with both (a report that draws them uses it). */
typedef bk_status (*bk_diff_pair_fn)(const bk_doc *a, const bk_doc *b, void *user, bk_error *err);

typedef struct bk_diff_options {
    /* Year against year: the later budget's previous-year columns and year rows against the
     * earlier budget's current-year figures (formats/diff.md), nothing else. */
    int years;
    /* Called with the user of the change callback once a pair's changes are all reported;
     * NULL for none. */
    bk_diff_pair_fn pair;
    /* With years: a file of the catalogue's changes between years (formats/catalog/changes/),
     * read besides the data folder's catalog/changes/; NULL for none. */
    const char *code_changes;
} bk_diff_options;

typedef struct bk_diff_stats {
    size_t documents; /* pairs compared */
    size_t equal;     /* pairs without a change */
    size_t changes;   /* changes reported */
} bk_diff_stats;

/* Compare two documents. */
BK_API bk_status bk_diff_docs(const bk_doc *a, const bk_doc *b, const bk_diff_options *o,
                              bk_change_fn fn, void *user, bk_diff_stats *stats, bk_error *err);

/* Compare every document of input a with its counterpart in input b (files, folders,
 * archives): documents are paired by department and units, a single document on each side
 * with each other. A is read on a second thread as far as each document of B needs, so two
 * inputs listing the same documents in the same order take the memory of one document each
 * (formats/diff.md). */
BK_API bk_status bk_diff(bk_ctx *ctx, const char *a, const char *b, const char *from,
                         const bk_diff_options *o, bk_change_fn fn, void *user,
                         bk_diff_stats *stats, bk_error *err);

/* Printing changes for people (text, zh or en) or programs (JSON, formats/diff.md), with a
 * per-unit summary at the end. bk_diff_printer_change is a bk_change_fn. */
typedef struct bk_diff_printer bk_diff_printer;
BK_API bk_diff_printer *bk_diff_printer_new(FILE *out, int json, int chinese, const char *a,
                                            const char *b, int years);
BK_API bk_status bk_diff_printer_change(const bk_change *c, void *printer, bk_error *err);
/* Writes the summary; returns the number of changes. */
BK_API size_t bk_diff_printer_finish(bk_diff_printer *p, const bk_diff_stats *stats);
BK_API void bk_diff_printer_free(bk_diff_printer *p);

/* The differences as one self-contained HTML page in the validation report's look: per pair of
 * documents the changes, then each changed table of A and B side by side with the changed
 * cells, rows and names marked, and the changed paragraphs. Pairs are written to a temporary
 * file as they are compared (bounded memory); the page is assembled at the end. Pass
 * bk_diff_html_change as the change callback and bk_diff_html_pair as the options' pair
 * callback, with the page as user. NULL when out of memory or no temporary file can be made. */
typedef struct bk_diff_html bk_diff_html;
BK_API bk_diff_html *bk_diff_html_new(int chinese, const char *a, const char *b, int years);
BK_API bk_status bk_diff_html_change(const bk_change *c, void *page, bk_error *err);
BK_API bk_status bk_diff_html_pair(const bk_doc *a, const bk_doc *b, void *page, bk_error *err);
/* Writes the page; returns the number of changes. */
BK_API size_t bk_diff_html_finish(bk_diff_html *h, const bk_diff_stats *stats, FILE *out);
BK_API void bk_diff_html_free(bk_diff_html *h);

#ifdef __cplusplus
}
#endif
#endif
