/* The findings of a validation run; strings are copied into the report's own pool. */
#include "budgetkit/report.h"

#include <string.h>

#include "budgetkit/alloc.h"
#include "report_writer.h"
#include "strpool.h"

struct bk_report {
    bk_strpool pool;
    bk_finding *items; /* the findings since base */
    size_t count, cap;
    size_t base;       /* findings written and forgotten (a streamed report) */
    size_t documents;
    /* Where the findings of one document end (indices from 0 over all findings), so that
     * a report written at the end groups them as a streamed one does. */
    size_t *ends;
    size_t nends, ends_cap;
    bk_report_writer *stream; /* set: findings are written as each document is done */
};

bk_report *bk_report_new(void) { return bk_calloc(1, sizeof(bk_report)); }

void bk_report_free(bk_report *r)
{
    if (!r)
        return;
    bk_strpool_free(&r->pool);
    bk_free(r->items);
    bk_free(r->ends);
    bk_report_writer_free(r->stream);
    bk_free(r);
}

static int copy(bk_report *r, const char **s)
{
    if (!*s)
        return 0;
    *s = bk_strpool_intern(&r->pool, *s, strlen(*s));
    return *s ? 0 : -1;
}

int bk_report_add(bk_report *r, const bk_finding *f)
{
    if (bk_grow((void **)&r->items, &r->cap, r->count + 1, sizeof *r->items))
        return -1;
    bk_finding c = *f;
    if (copy(r, &c.rule) || copy(r, &c.document) || copy(r, &c.unit) || copy(r, &c.table) ||
        copy(r, &c.row) || copy(r, &c.column) || copy(r, &c.parts) || copy(r, &c.message_en) ||
        copy(r, &c.message_zh) || copy(r, &c.explains) || copy(r, &c.confidence) ||
        copy(r, &c.part) || copy(r, &c.quote) || copy(r, &c.figure))
        return -1;
    c.id = r->base + r->count + 1;
    r->items[r->count++] = c;
    return 0;
}

size_t bk_report_count(const bk_report *r) { return r->base + r->count; }
const bk_finding *bk_report_at(const bk_report *r, size_t i)
{
    return i >= r->base && i - r->base < r->count ? &r->items[i - r->base] : NULL;
}

size_t bk_report_ends(const bk_report *r, const size_t **ends)
{
    *ends = r->ends;
    return r->nends;
}

int bk_report_stream(bk_report *r, const bk_report_options *o, int json, FILE *out)
{
    if (r->stream || bk_report_count(r) > 0)
        return -1;
    r->stream = bk_report_writer_new(o, json, out);
    return r->stream ? 0 : -1;
}

int bk_report_document_done(bk_report *r)
{
    size_t n = bk_report_count(r);
    if (r->stream) {
        int rc = bk_report_writer_add(r->stream, r, r->base, n);
        /* Forget what is written: memory stays that of one document's findings. */
        bk_strpool_free(&r->pool);
        r->base = n;
        r->count = 0;
        return rc;
    }
    if (n == (r->nends ? r->ends[r->nends - 1] : 0))
        return 0;
    if (bk_grow((void **)&r->ends, &r->ends_cap, r->nends + 1, sizeof *r->ends))
        return -1;
    r->ends[r->nends++] = n;
    return 0;
}

size_t bk_report_finish(bk_report *r)
{
    if (!r->stream)
        return 0;
    bk_report_document_done(r);
    size_t errors = bk_report_writer_end(r->stream, r);
    bk_report_writer_free(r->stream);
    r->stream = NULL;
    return errors;
}
void bk_report_count_document(bk_report *r) { r->documents++; }
size_t bk_report_documents(const bk_report *r) { return r->documents; }

const char *bk_severity_name(bk_severity s)
{
    switch (s) {
    case BK_SEV_INFO: return "info";
    case BK_SEV_ROUNDING: return "rounding";
    case BK_SEV_WARNING: return "warning";
    case BK_SEV_ERROR: return "error";
    }
    return "error";
}
