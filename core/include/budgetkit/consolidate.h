/* Consolidation (部门汇总): the department's budget built from its units' budgets.
 *
 * The inputs are the documents of one department's units. The result is one department
 * document holding every unit's rows as submitted and the department's own rows, computed
 * exactly as the sum of the units' figures (formats/consolidate.md). Department rows that an
 * input already prints are kept as printed and compared with the computed sum; the differences
 * become findings, worded and graded like the validator's. */
#ifndef BUDGETKIT_CONSOLIDATE_H
#define BUDGETKIT_CONSOLIDATE_H

#include <stddef.h>

#include "api.h"
#include "context.h"
#include "error.h"
#include "model.h"
#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bk_consolidate_options {
    /* Convert every input to this money unit ("万元" or "元"); NULL: the inputs must agree. */
    const char *money_unit;
} bk_consolidate_options;

typedef struct bk_consolidation bk_consolidation;

/* ctx gives the templates (for the rules that recompute percentages and differences). */
BK_API bk_consolidation *bk_consolidation_new(bk_ctx *ctx, const bk_consolidate_options *o);
BK_API void bk_consolidation_free(bk_consolidation *c);

/* Add one input document. A conflict with an earlier one (another department, year or money
 * unit, the same unit twice, one code with two names) is BK_E_CONTENT with both sources named. */
BK_API bk_status bk_consolidation_add(bk_consolidation *c, const bk_doc *doc, bk_error *err);

/* Units added so far. */
BK_API size_t bk_consolidation_units(const bk_consolidation *c);

/* The department document (the caller frees it). Printed department rows that differ from
 * the computed sums are added to report (may be NULL). */
BK_API bk_doc *bk_consolidation_finish(bk_consolidation *c, bk_report *report, bk_error *err);

typedef struct bk_consolidate_stats {
    size_t documents; /* input documents read */
    size_t units;     /* units in the result */
    size_t cells;     /* cells with a value in the result */
} bk_consolidate_stats;

/* The whole job: read inputs (files, folders, archives, "-"), write the department document
 * to output ("-" for standard output) with the exporter for its extension or `to`. The output
 * appears only when the job succeeded. */
BK_API bk_status bk_consolidate(bk_ctx *ctx, const char *const *inputs, size_t ninputs,
                                const char *output, const char *from, const char *to,
                                const bk_consolidate_options *o, bk_report *report,
                                bk_consolidate_stats *stats, bk_error *err);

#ifdef __cplusplus
}
#endif
#endif
