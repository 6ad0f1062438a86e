/* Writing a report piece by piece: the findings of each document as it is done, then the
 * closing counts. The whole-report writers are the same writer given everything at once. */
#ifndef BK_REPORT_WRITER_H
#define BK_REPORT_WRITER_H

#include "budgetkit/report.h"

/* How many findings of each kind a report (or one document of it) has. */
typedef struct bk_report_counts {
    size_t errors, warnings, rounding, info;
} bk_report_counts;

/* An error, or a rounding finding under --strict. */
int bk_finding_is_error(const bk_finding *f, int strict);
void bk_report_counts_add(bk_report_counts *c, const bk_finding *f, int strict);

typedef struct bk_report_writer bk_report_writer;

bk_report_writer *bk_report_writer_new(const bk_report_options *o, int json, FILE *out);
/* Write findings lo .. hi - 1 (indices over all findings of r). 0, -1 when out of memory,
 * -2 when the output cannot be written. */
int bk_report_writer_add(bk_report_writer *w, const bk_report *r, size_t lo, size_t hi);
/* The closing counts (and, for JSON, everything); returns the number of errors. */
size_t bk_report_writer_end(bk_report_writer *w, const bk_report *r);
void bk_report_writer_free(bk_report_writer *w);

/* Where each document's findings end in r (bk_report_document_done without streaming). */
size_t bk_report_ends(const bk_report *r, const size_t **ends);

#endif
