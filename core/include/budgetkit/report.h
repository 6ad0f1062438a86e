/* Validation findings and the report that collects them. */
#ifndef BUDGETKIT_REPORT_H
#define BUDGETKIT_REPORT_H

#include "api.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "decimal.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bk_severity {
    BK_SEV_INFO = 0, /* worth knowing: an unknown code on an incomplete catalogue level */
    BK_SEV_ROUNDING, /* consistent within rounding (an error under --strict) */
    BK_SEV_WARNING,
    BK_SEV_ERROR
} bk_severity;

/* What a validator reports. Strings are copied by the report. */
typedef struct bk_finding {
    const char *rule;  /* stable id, e.g. "totals.hierarchy" */
    bk_severity severity;
    const char *document; /* source of the document */
    const char *unit;     /* unit name */
    const char *table;    /* template id */
    const char *row;      /* row key: code, name or selector */
    const char *column;   /* column id */
    long line;            /* source line, 0 when unknown */
    int has_values;       /* expected/actual/difference/bound below are meaningful */
    bk_decimal expected, actual, difference, bound;
    const char *parts;      /* what was summed, e.g. "20103 + 20105 + 20137" */
    const char *message_en; /* full sentence */
    const char *message_zh;
    /* Explanations (rule ids explain.*, formats/report.md). */
    size_t id;              /* set by the report: 1, 2, ... in the order findings are added */
    const char *explains;   /* ids of the findings this one accounts for, "3,4,7" */
    const char *confidence; /* how sure the explanation is, in words */
    uint32_t row_no;        /* 1-based index of the row in its table, 0 when not given */
    /* Findings about the narrative (说明) text: where it says what. */
    const char *part;   /* the part's title, NULL for findings about tables */
    long page;          /* page of the source document, 0 when unknown */
    const char *quote;  /* the sentence, normalised (full-width digits, no blanks) */
    const char *figure; /* the figure of the sentence the finding is about, as in quote */
} bk_finding;

/* Confidence of an explanation that is the only one of its size: corrections that can be
 * applied without a choice (bk_fix_suggestions). */
#define BK_EXPLAIN_ONLY_CELL "the only single-cell explanation"
#define BK_EXPLAIN_ONLY_PAIR "one of the only pair of cells that together explain the set"

typedef struct bk_report bk_report;

BK_API bk_report *bk_report_new(void);
BK_API void bk_report_free(bk_report *r);
BK_API int bk_report_add(bk_report *r, const bk_finding *f); /* 0 on success */
BK_API size_t bk_report_count(const bk_report *r);
BK_API const bk_finding *bk_report_at(const bk_report *r, size_t i);
BK_API void bk_report_count_document(bk_report *r);
BK_API size_t bk_report_documents(const bk_report *r);

BK_API const char *bk_severity_name(bk_severity s);

typedef struct bk_report_options {
    int strict;   /* rounding findings count as errors */
    int chinese;  /* messages in Chinese rather than English */
    int reserved;
} bk_report_options;

/* A streamed report: findings are written to out when each document is done
 * (bk_report_document_done, which bk_validate calls) and then forgotten, so that memory
 * does not grow with the number of documents; bk_report_finish writes the rest and the
 * closing counts and returns the number of errors. The output is that of
 * bk_report_write_text (json 0) or bk_report_write_json (json 1) at the end. Call before
 * the first finding; -1 when out of memory. bk_report_at then knows only the findings of the
 * document being validated. */
BK_API int bk_report_stream(bk_report *r, const bk_report_options *o, int json, FILE *out);
/* The findings added so far belong to one document (written now when streaming). 0, -1
 * when out of memory, -2 when the streamed output cannot be written. */
BK_API int bk_report_document_done(bk_report *r);
BK_API size_t bk_report_finish(bk_report *r);

/* Write the report for people: one finding a line, a per-document summary when there are
 * several documents, a closing count. Returns the number of errors (what makes exit 1). */
BK_API size_t bk_report_write_text(const bk_report *r, const bk_report_options *o, FILE *out);
/* Write the machine report (formats/report.md). Returns the number of errors. */
BK_API size_t bk_report_write_json(const bk_report *r, const bk_report_options *o, FILE *out);

#ifdef __cplusplus
}
#endif
#endif
