/* The findings of a validation run; strings are copied into the report's own pool. */
#include "budgetkit/report.h"

#include <string.h>

#include "budgetkit/alloc.h"
#include "strpool.h"

struct bk_report {
    bk_strpool pool;
    bk_finding *items;
    size_t count, cap;
    size_t documents;
};

bk_report *bk_report_new(void)
{
    bk_report *r = bk_calloc(1, sizeof *r);
    if (r)
        bk_strpool_init(&r->pool);
    return r;
}

void bk_report_free(bk_report *r)
{
    if (!r)
        return;
    bk_strpool_free(&r->pool);
    bk_free(r->items);
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
    c.id = r->count + 1;
    r->items[r->count++] = c;
    return 0;
}

size_t bk_report_count(const bk_report *r) { return r->count; }
const bk_finding *bk_report_at(const bk_report *r, size_t i) { return i < r->count ? &r->items[i] : NULL; }
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
