/* Import, export and validation jobs: what plugins see of the host while they work. */
#include "jobs.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "budgetkit/alloc.h"
#include "where.h"

/* ---- import ---- */

bk_source *bk_import_source(bk_import *job) { return job->src; }
bk_ctx *bk_import_ctx(bk_import *job) { return job->ctx; }
const bk_templates *bk_import_templates(bk_import *job) { return job->templates; }
const char *bk_import_option(bk_import *job, const char *key) { return bk_ctx_option(job->ctx, key); }
bk_error *bk_import_error(bk_import *job) { return job->err; }

bk_status bk_import_slurp(bk_import *job, const unsigned char **data, size_t *len)
{
    return bk_source_slurp(job->src, (size_t)bk_ctx_limits(job->ctx)->max_input_bytes, data, len,
                           job->err);
}

bk_status bk_import_emit(bk_import *job, bk_doc *doc)
{
    bk_status st;
    if (!doc)
        return bk_error_set(job->err, BK_E_NOMEM, "out of memory");
    if (++*job->ndocs > bk_ctx_limits(job->ctx)->max_documents) {
        bk_doc_free(doc);
        bk_error_at(job->err, bk_source_name(job->src), 0, 0, -1);
        return bk_error_set(job->err, BK_E_LIMIT, "more than %llu documents (max-documents)",
                            bk_ctx_limits(job->ctx)->max_documents);
    }
    if (!doc->source && bk_doc_set_source(doc, bk_source_name(job->src)) != BK_OK) {
        bk_doc_free(doc);
        return bk_error_set(job->err, BK_E_NOMEM, "out of memory");
    }
    st = bk_doc_check(doc, job->err);
    if (st != BK_OK) {
        if (!job->err->file[0])
            bk_error_at(job->err, doc->source, 0, 0, -1);
    } else {
        st = job->fn(doc, job->user, job->err);
    }
    if (!bk_doc_is_kept(doc))
        bk_doc_free(doc);
    return st;
}

static void warn_v(bk_import *job, const char *file, long line, long column, const char *fmt,
                   va_list ap)
{
    char msg[512], placed[BK_ERROR_FILE];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (!file)
        file = bk_source_name(job->src);
    bk_place at;
    if (job->where && line > 0 && bk_where_find(job->where, line, &at) == 0) {
        file = bk_where_file(file, &at, placed, sizeof placed);
        line = at.line;
    }
    bk_diag d = {.kind = BK_DIAG_WARNING, .file = file,
                 .line = line > 0 ? line : 0, .column = line > 0 && column > 0 ? column : 0,
                 .message = msg};
    bk_ctx_diagnose(job->ctx, &d);
}

void bk_import_warn(bk_import *job, long line, long column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    warn_v(job, NULL, line, column, fmt, ap);
    va_end(ap);
}

void bk_import_warn_in(bk_import *job, const char *file, long line, long column,
                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    warn_v(job, file, line, column, fmt, ap);
    va_end(ap);
}

/* The imports running on this thread, innermost last: a parallel job records with each
 * document which reader and file it came from. */
typedef struct running {
    const char *source, *plugin;
    const struct running *outer;
} running;
static _Thread_local const running *innermost;

void bk_import_current(const char **source, const char **plugin)
{
    *source = innermost ? innermost->source : NULL;
    *plugin = innermost ? innermost->plugin : NULL;
}

void bk_import_decorate(bk_error *err, bk_status st, const char *source, const char *plugin)
{
    if (!err->code)
        bk_error_set(err, st, "the %s reader failed", plugin);
    if (!err->file[0])
        bk_error_at(err, source, err->line, err->column, err->offset);
    if (!err->plugin[0])
        snprintf(err->plugin, sizeof err->plugin, "%s", plugin);
}

bk_status bk_run_import(bk_ctx *ctx, bk_source *src, const char *from, int depth,
                        size_t *ndocs, bk_doc_fn fn, void *user, bk_error *err)
{
    return bk_run_import_where(ctx, src, from, depth, ndocs, fn, user, NULL, err);
}

bk_status bk_run_import_where(bk_ctx *ctx, bk_source *src, const char *from, int depth,
                              size_t *ndocs, bk_doc_fn fn, void *user,
                              const struct bk_where *where, bk_error *err)
{
    const bk_templates *tpls = bk_ctx_templates(ctx, err);
    if (!tpls)
        return err->code ? err->code : BK_E_IO;
    const bk_plugin_desc *d = bk_ctx_find_importer(ctx, src, from, NULL, err);
    if (!d)
        return err->code;
    if (depth > 0 && (d->caps & BK_CAP_CONTAINER)) {
        bk_error_at(err, bk_source_name(src), 0, 0, -1);
        return bk_error_set(err, BK_E_HOSTILE, "an archive inside an archive is not accepted");
    }
    bk_import job = {ctx, src, tpls, err, fn, user, ndocs, depth, where};
    running here = {bk_source_name(src), d->name, innermost};
    innermost = &here;
    bk_status st = d->import(&job);
    innermost = here.outer;
    if (st != BK_OK)
        bk_import_decorate(err, st, bk_source_name(src), d->name);
    return st;
}

bk_status bk_import_nested(bk_import *job, const char *name, const void *data, size_t len)
{
    bk_source *src = bk_source_open_memory(name, data, len, job->err);
    if (!src)
        return job->err->code;
    bk_status st = bk_run_import(job->ctx, src, NULL, job->depth + 1, job->ndocs, job->fn,
                                 job->user, job->err);
    bk_source_close(src);
    return st;
}

/* ---- export ---- */

bk_sink *bk_export_sink(bk_export *job) { return job->sink; }
bk_ctx *bk_export_ctx(bk_export *job) { return job->ctx; }
const char *bk_export_option(bk_export *job, const char *key) { return bk_ctx_option(job->ctx, key); }
bk_error *bk_export_error(bk_export *job) { return job->err; }
void *bk_export_state(bk_export *job) { return job->state; }
void bk_export_set_state(bk_export *job, void *state) { job->state = state; }

bk_status bk_write_doc(bk_ctx *ctx, const char *plugin, const bk_doc *doc, bk_sink *sink,
                       bk_error *err)
{
    const bk_plugin_desc *d = bk_ctx_plugin_find(ctx, plugin);
    if (!d || !(d->kinds & BK_PLUGIN_EXPORT))
        return bk_error_set(err, BK_E_PLUGIN, "no exporter called \"%s\" is loaded", plugin);
    bk_export child = {ctx, sink, err, NULL};
    bk_status st = d->export_begin(&child);
    if (st == BK_OK)
        st = d->export_doc(&child, doc);
    bk_status end = d->export_end(&child, st == BK_OK);
    return st != BK_OK ? st : end;
}

bk_status bk_export_nested(bk_export *job, const char *plugin, const bk_doc *doc, bk_sink *sink)
{
    return bk_write_doc(job->ctx, plugin, doc, sink, job->err);
}

/* ---- validation ---- */

bk_ctx *bk_validation_ctx(bk_validation *job) { return job->ctx; }
const char *bk_validation_option(bk_validation *job, const char *key)
{
    return bk_ctx_option(job->ctx, key);
}
bk_error *bk_validation_error(bk_validation *job) { return job->err; }
void *bk_validation_state(bk_validation *job) { return job->state; }

void bk_validation_set_state(bk_validation *job, void *state, void (*free_state)(void *))
{
    job->state = state;
    job->free_state = free_state;
}

void *bk_validation_state_make(bk_validation *job, size_t size, void (*free_state)(void *))
{
    if (!job->state) {
        void *state = bk_calloc(1, size);
        if (state)
            bk_validation_set_state(job, state, free_state);
    }
    return job->state;
}

bk_status bk_validation_add(bk_validation *job, const bk_finding *f)
{
    /* A line of a grid's text becomes the page and the line printed there. */
    bk_finding placed;
    bk_place at;
    const bk_where *where = job->doc ? bk_doc_where(job->doc) : NULL;
    if (where && f->line > 0 && f->document && job->doc->source &&
        strcmp(f->document, job->doc->source) == 0 && bk_where_find(where, f->line, &at) == 0) {
        placed = *f;
        placed.line = at.line;
        if (!placed.page)
            placed.page = at.page;
        f = &placed;
    }
    if (bk_report_add(job->report, f) != 0)
        return bk_error_set(job->err, BK_E_NOMEM, "out of memory");
    return BK_OK;
}

size_t bk_validation_last_id(bk_validation *job)
{
    /* Ids count findings from 1; a streamed report may have written the last one already. */
    return bk_report_count(job->report);
}

int bk_validation_partial(bk_validation *job)
{
    return job->partial != NULL;
}

bk_status bk_validation_write_record(bk_validation *job, const char *json)
{
    if (!job->partial)
        return bk_error_set(job->err, BK_E_USAGE, "the %s validator wrote partial state outside "
                            "a partial run", job->name ? job->name : "a");
    return bk_partial_write(job->partial, job->name, json) == BK_OK
               ? BK_OK
               : bk_error_set(job->err, BK_E_IO, "cannot write the partial file");
}

long bk_validation_place(bk_validation *job, const char *document, long line, long *page)
{
    bk_place at;
    const bk_where *where = job->doc ? bk_doc_where(job->doc) : NULL;
    *page = 0;
    if (where && line > 0 && document && job->doc->source &&
        strcmp(document, job->doc->source) == 0 && bk_where_find(where, line, &at) == 0) {
        *page = at.page;
        return at.line;
    }
    return line;
}
