/* The validation report as one self-contained HTML page: a summary, then each document's tables
 * drawn as printed with the cells of findings marked. Documents are written as they are
 * validated (bounded memory); the page is assembled at the end. */
#ifndef BUDGETKIT_REPORT_HTML_H
#define BUDGETKIT_REPORT_HTML_H

#include <stdio.h>

#include "api.h"
#include "error.h"
#include "model.h"
#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bk_html bk_html;

/* NULL when out of memory or no temporary file can be made. */
BK_API bk_html *bk_html_begin(const bk_report_options *o);
/* One validated document and its findings, report entries [first, bk_report_count(r)). */
BK_API bk_status bk_html_document(bk_html *h, const bk_doc *doc, const bk_report *r, size_t first);
/* Write the page to out; returns the number of errors (what makes exit 1). */
BK_API size_t bk_html_end(bk_html *h, const bk_report *r, FILE *out);
BK_API void bk_html_free(bk_html *h);

#ifdef __cplusplus
}
#endif
#endif
