/* Whole jobs as the command line runs them: read, convert, validate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budgetkit/alloc.h"
#include "budgetkit/context.h"
#include "budgetkit/units.h"
#include "inputs.h"
#include "jobs.h"

typedef struct merger {
    bk_ctx *ctx;
    bk_doc_fn fn;
    void *user;
    bk_doc *pending; /* the budget being assembled, kept from the import machinery */
    size_t pending_input, input;
} merger;

static bk_status merger_flush(merger *m, bk_error *err)
{
    bk_doc *doc = m->pending;
    if (!doc)
        return BK_OK;
    m->pending = NULL;
    bk_doc_unkeep(doc);
    /* The inputs before the one this document comes from are read. */
    size_t done, total;
    bk_ctx_inputs(m->ctx, &done, &total);
    if (m->pending_input > done)
        bk_ctx_set_inputs(m->ctx, m->pending_input, total);
    bk_status st = m->fn(doc, m->user, err);
    if (!bk_doc_is_kept(doc))
        bk_doc_free(doc);
    return st;
}

static bk_status merger_push(bk_doc *doc, void *user, bk_error *err)
{
    merger *m = user;
    /* Only parts that arrive as separate inputs: a bulk file's documents stay as they are. */
    if (m->pending && m->pending_input != m->input && bk_doc_mergeable(m->pending, doc))
        return bk_doc_merge(m->pending, doc, err);
    bk_status st = merger_flush(m, err);
    if (st == BK_OK) {
        bk_doc_keep(doc);
        m->pending = doc;
        m->pending_input = m->input;
    }
    return st;
}

bk_status bk_read_inputs(bk_ctx *ctx, const char *const *given, size_t ngiven, const char *from,
                         bk_doc_fn fn, void *user, bk_error *err)
{
    merger m = {ctx, fn, user, NULL, 0, 0};
    /* A folder no reader takes whole (the wide tables of one budget) is the documents in it,
     * as for diff and consolidate: a superior department's folder of its units' files. */
    char **list = NULL;
    size_t n = 0;
    bk_status st = bk_inputs_expand(ctx, given, ngiven, from, &list, &n, err);
    if (st != BK_OK)
        return st;
    const char *const *inputs = (const char *const *)list;
    bk_ctx_set_inputs(ctx, 0, n);
    if (bk_ctx_jobs(ctx) > 1 && n > 0)
        st = bk_read_inputs_parallel(ctx, inputs, n, from, &m.input, merger_push, &m, err);
    for (size_t i = 0; i < n && st == BK_OK && bk_ctx_jobs(ctx) <= 1; i++) {
        m.input = i;
        bk_source *src = bk_source_open(inputs[i], err);
        if (!src) {
            st = err->code;
            break;
        }
        size_t ndocs = 0;
        st = bk_run_import(ctx, src, from, 0, &ndocs, merger_push, &m, err);
        bk_source_close(src);
    }
    if (st == BK_OK)
        st = merger_flush(&m, err);
    if (st == BK_OK)
        bk_ctx_set_inputs(ctx, n, n);
    bk_doc_free(m.pending);
    bk_inputs_free(list, n);
    return st;
}

bk_status bk_read(bk_ctx *ctx, const char *input, const char *from, bk_doc_fn fn, void *user,
                  bk_error *err)
{
    return bk_read_inputs(ctx, &input, 1, from, fn, user, err);
}

bk_status bk_read_memory(bk_ctx *ctx, const char *name, const void *data, size_t len,
                         const char *from, bk_doc_fn fn, void *user, bk_error *err)
{
    bk_source *src = bk_source_open_memory(name, data, len, err);
    if (!src)
        return err->code ? err->code : BK_E_NOMEM;
    size_t ndocs = 0;
    bk_status st = bk_run_import(ctx, src, from, 0, &ndocs, fn, user, err);
    bk_source_close(src);
    return st;
}

/* ---- convert ---- */

typedef struct convert_job {
    bk_ctx *ctx;
    const bk_plugin_desc *exporter;
    bk_export job;   /* one export for the whole output */
    bk_sink *folder; /* one file per document when the exporter cannot write folders */
    bk_convert_stats *stats;
    char last_base[200]; /* documents of one bulk input share a base name: number them */
    size_t same_base;
    bk_doc_fn edit; /* changes each document before it is written (corrections), or NULL */
    void *edit_user;
} convert_job;

/* "budget.zip:documents/0001-x.json" → "0001-x" */
static void member_base(const bk_doc *doc, size_t index, char *buf, size_t cap)
{
    const char *s = doc->source ? doc->source : "";
    const char *colon = strrchr(s, ':'), *slash;
    if (colon)
        s = colon + 1;
    slash = strrchr(s, '/');
    if (slash)
        s = slash + 1;
    const char *dot = strrchr(s, '.');
    size_t n = dot && dot != s ? (size_t)(dot - s) : strlen(s);
    if (n == 0 || strcmp(s, "-") == 0)
        snprintf(buf, cap, "document-%04zu", index + 1);
    else
        snprintf(buf, cap, "%.*s", (int)n, s);
}

/* Progress of a long job for the program's diagnostics callback (total 0 while unknown). */
static void progress(bk_ctx *ctx, size_t done, size_t total, size_t findings)
{
    bk_diag d = {.kind = BK_DIAG_PROGRESS, .done = done, .total = total, .findings = findings};
    bk_ctx_inputs(ctx, &d.inputs_done, &d.inputs_total);
    bk_ctx_diagnose(ctx, &d);
}

static bk_status export_one_file(convert_job *cj, const bk_doc *doc, bk_error *err)
{
    char base[200], name[256];
    member_base(doc, cj->stats->documents, base, sizeof base);
    if (strcmp(base, cj->last_base) == 0) {
        cj->same_base++;
        size_t n = strlen(base);
        snprintf(base + n, sizeof base - n, "-%04zu", cj->same_base);
    } else {
        snprintf(cj->last_base, sizeof cj->last_base, "%s", base);
        cj->same_base = 1;
    }
    const char *ext = cj->exporter->extensions && cj->exporter->extensions[0]
                          ? cj->exporter->extensions[0] : cj->exporter->name;
    snprintf(name, sizeof name, "%s.%s", base, ext);
    bk_sink *member = bk_sink_member(cj->folder, name, err);
    if (!member)
        return err->code;
    bk_export job = {cj->ctx, member, err, NULL};
    bk_status st = cj->exporter->export_begin(&job);
    if (st == BK_OK)
        st = cj->exporter->export_doc(&job, doc);
    bk_status end = cj->exporter->export_end(&job, st == BK_OK);
    if (st == BK_OK)
        st = end;
    cj->stats->bytes_out += bk_sink_tell(member);
    if (st == BK_OK)
        return bk_sink_commit(member, err);
    bk_sink_abort(member);
    return st;
}

/* --money-unit and --round (options output-money-unit, output-round): the figures in one
 * unit, exactly; then rounded only when asked, saying how many cells it changed. */
static bk_status output_money(bk_ctx *ctx, bk_doc *doc, bk_error *err)
{
    const char *unit = bk_ctx_option(ctx, "output-money-unit");
    const char *round = bk_ctx_option(ctx, "output-round");
    bk_status st = BK_OK;
    if (unit && (st = bk_doc_convert_money(doc, unit, err)) != BK_OK) {
        bk_error_at(err, doc->source, 0, 0, -1);
        return st;
    }
    if (!round)
        return BK_OK;
    char *end;
    long decimals = strtol(round, &end, 10);
    if (!*round || *end || decimals < 0 || decimals > BK_DECIMAL_MAX_SCALE)
        return bk_error_set(err, BK_E_USAGE, "--round takes a number of decimals (0 to %d), "
                            "not \"%s\"", BK_DECIMAL_MAX_SCALE, round);
    size_t changed = 0;
    if ((st = bk_doc_round_amounts(doc, (int)decimals, &changed, err)) != BK_OK)
        return st;
    char msg[200];
    snprintf(msg, sizeof msg, "rounded to %ld decimals (half away from zero): %zu cell%s "
             "changed", decimals, changed, changed == 1 ? "" : "s");
    bk_diag d = {.kind = BK_DIAG_WARNING, .file = doc->source, .message = msg};
    bk_ctx_diagnose(ctx, &d);
    return BK_OK;
}

/* --option publisher=, source=, source-path=, license=: who publishes the output and on what
 * terms (document.md, "Publication"), the names and meaning the archive's manifest gives them.
 * They replace what the input said, field by field. */
bk_status bk_set_publication_options(bk_ctx *ctx, bk_doc *doc, bk_error *err)
{
    bk_publication p = {bk_ctx_option(ctx, "publisher"), bk_ctx_option(ctx, "source"),
                        bk_ctx_option(ctx, "source-path"), bk_ctx_option(ctx, "license")};
    if (!p.publisher && !p.source && !p.source_path && !p.license)
        return BK_OK;
    bk_status st = bk_doc_set_publication(doc, &p, err);
    if (st == BK_E_CONTENT) {
        char text[BK_ERROR_TEXT];
        snprintf(text, sizeof text, "%s", err->text);
        bk_error_clear(err);
        return bk_error_set(err, BK_E_USAGE, "--option %s", text);
    }
    return st;
}

static bk_status convert_doc(bk_doc *doc, void *user, bk_error *err)
{
    convert_job *cj = user;
    if (doc->fiscal_year == 0) {
        bk_error_at(err, doc->source, 0, 0, -1);
        return bk_error_set(err, BK_E_CONTENT, "converting needs the fiscal year, and no title, "
                            "column header (2024年预算数), 2024年度 line or cover prints it; "
                            "give it with --option year=2024");
    }
    bk_status st = cj->edit ? cj->edit(doc, cj->edit_user, err) : BK_OK;
    if (st == BK_OK)
        st = output_money(cj->ctx, doc, err);
    if (st == BK_OK)
        st = bk_set_publication_options(cj->ctx, doc, err);
    if (st != BK_OK)
        return st;
    if (cj->folder) {
        st = export_one_file(cj, doc, err);
    } else {
        if (cj->stats->documents == 1 && !(cj->exporter->caps & BK_CAP_MULTI_DOC)) {
            bk_error_at(err, bk_sink_name(cj->job.sink), 0, 0, -1);
            return bk_error_set(err, BK_E_USAGE, "the %s format holds one document and the input "
                                "has more; write to a folder instead", cj->exporter->name);
        }
        st = cj->exporter->export_doc(&cj->job, doc);
    }
    if (st != BK_OK) {
        if (!err->code)
            bk_error_set(err, st, "the %s writer failed", cj->exporter->name);
        if (!err->file[0])
            bk_error_at(err, cj->folder ? bk_sink_name(cj->folder) : bk_sink_name(cj->job.sink),
                        0, 0, -1);
        if (!err->plugin[0])
            snprintf(err->plugin, sizeof err->plugin, "%s", cj->exporter->name);
        return st;
    }
    cj->stats->documents++;
    cj->stats->cells += bk_doc_cell_count(doc);
    progress(cj->ctx, cj->stats->documents, 0, 0);
    return BK_OK;
}

bk_status bk_convert(bk_ctx *ctx, const char *const *inputs, size_t ninputs, const char *output,
                     const char *from, const char *to, bk_convert_stats *stats, bk_error *err)
{
    return bk_convert_edit(ctx, inputs, ninputs, output, from, to, NULL, NULL, stats, err);
}

bk_status bk_convert_edit(bk_ctx *ctx, const char *const *inputs, size_t ninputs,
                          const char *output, const char *from, const char *to, bk_doc_fn edit,
                          void *edit_user, bk_convert_stats *stats, bk_error *err)
{
    bk_convert_stats local = {0, 0, 0};
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (ninputs == 0)
        return bk_error_set(err, BK_E_USAGE, "no input given");
    int folder = strcmp(output, "-") != 0 && bk_output_is_folder(output);
    if (!to && (folder || strcmp(output, "-") == 0))
        to = "json";
    convert_job cj = {ctx, NULL, {ctx, NULL, err, NULL}, NULL, stats, "", 0, edit, edit_user};
    cj.exporter = bk_ctx_find_exporter(ctx, output, to, err);
    if (!cj.exporter)
        return err->code;
    /* Every input must exist before anything is written. */
    if (bk_inputs_exist(inputs, ninputs, err) != BK_OK)
        return err->code;
    bk_sink *sink = folder ? bk_sink_open_dir(output, err) : bk_sink_open_file(output, err);
    if (!sink)
        return err->code;
    bk_status st = BK_OK;
    int whole = !folder || (cj.exporter->caps & BK_CAP_DIR_OUTPUT);
    if (whole) {
        cj.job.sink = sink;
        st = cj.exporter->export_begin(&cj.job);
    } else {
        cj.folder = sink;
    }
    if (st == BK_OK)
        st = bk_read_inputs(ctx, inputs, ninputs, from, convert_doc, &cj, err);
    if (st == BK_OK)
        progress(ctx, stats->documents, stats->documents, 0);
    if (whole) {
        bk_status end = cj.exporter->export_end(&cj.job, st == BK_OK);
        if (st == BK_OK && end != BK_OK) {
            st = end;
            if (!err->code)
                bk_error_set(err, st, "the %s writer failed", cj.exporter->name);
            if (!err->file[0])
                bk_error_at(err, output, 0, 0, -1);
        }
        stats->bytes_out = bk_sink_tell(sink);
    }
    if (st == BK_OK && stats->documents == 0) {
        bk_error_at(err, inputs[0], 0, 0, -1);
        st = bk_error_set(err, BK_E_CONTENT, "the input holds no budget document");
    }
    if (st != BK_OK) {
        bk_sink_abort(sink);
        return st;
    }
    return bk_sink_commit(sink, err);
}

/* ---- validate ---- */

typedef struct validator {
    const bk_plugin_desc *desc;
    bk_validation job;
} validator;

typedef struct validate_run {
    validator *v;
    size_t n;
    bk_report *report;
    bk_ctx *ctx;
    bk_validated_fn fn;
    void *user;
} validate_run;


static int in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

static bk_status validate_doc(bk_doc *doc, void *user, bk_error *err)
{
    validate_run *run = user;
    bk_report_count_document(run->report);
    size_t done = bk_report_documents(run->report), first = bk_report_count(run->report);
    progress(run->ctx, done, 0, bk_report_count(run->report));
    for (size_t i = 0; i < run->n; i++) {
        run->v[i].job.doc = doc;
        bk_status st = run->v[i].desc->validate(&run->v[i].job, doc);
        run->v[i].job.doc = NULL;
        if (st != BK_OK) {
            if (!err->plugin[0])
                snprintf(err->plugin, sizeof err->plugin, "%s", run->v[i].desc->name);
            if (!err->code)
                bk_error_set(err, st, "the %s validator failed", run->v[i].desc->name);
            if (!err->file[0] && doc->source)
                bk_error_at(err, doc->source, 0, 0, -1);
            return st;
        }
    }
    if (run->fn) {
        bk_status st = run->fn(doc, run->report, first, run->user, err);
        if (st != BK_OK)
            return st;
    }
    int rc = bk_report_document_done(run->report);
    if (rc == -2)
        return bk_error_set(err, BK_E_IO, "cannot write the report");
    if (rc != 0)
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    return BK_OK;
}

bk_status bk_validate(bk_ctx *ctx, const char *const *inputs, size_t ninputs, const char *from,
                      const char *only, const char *skip, bk_report *report, bk_error *err)
{
    return bk_validate_each(ctx, inputs, ninputs, from, only, skip, report, NULL, NULL, err);
}

bk_status bk_validate_each(bk_ctx *ctx, const char *const *inputs, size_t ninputs,
                           const char *from, const char *only, const char *skip,
                           bk_report *report, bk_validated_fn fn, void *user, bk_error *err)
{
    return bk_validate_partial(ctx, inputs, ninputs, from, only, skip, report, fn, user, NULL,
                               err);
}

/* The partial file is a file of its own: not standard output (the report goes there), not a
 * folder, never one of the inputs. */
static bk_status partial_target_ok(const char *const *inputs, size_t ninputs, const char *path,
                                   bk_error *err)
{
    if (!*path || strcmp(path, "-") == 0 || bk_output_is_folder(path)) {
        bk_error_at(err, path, 0, 0, -1);
        return bk_error_set(err, BK_E_USAGE, "the partial file is a file of its own, not "
                            "standard output or a folder");
    }
    return bk_inputs_refuse_output(
        inputs, ninputs, path, "the partial file would replace an input: name another file", err);
}

bk_status bk_validate_partial(bk_ctx *ctx, const char *const *inputs, size_t ninputs,
                              const char *from, const char *only, const char *skip,
                              bk_report *report, bk_validated_fn fn, void *user,
                              const char *partial, bk_error *err)
{
    validate_run run = {NULL, 0, report, ctx, fn, user};
    size_t n = bk_ctx_plugin_count(ctx);
    run.v = bk_calloc(n ? n : 1, sizeof *run.v);
    const char **names = bk_calloc(n ? n : 1, sizeof *names);
    if (!run.v || !names) {
        bk_free(run.v);
        bk_free(names);
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    }
    bk_status st = BK_OK;
    for (size_t i = 0; i < n; i++) {
        const bk_plugin_desc *d = bk_ctx_plugin_at(ctx, i, NULL);
        if (!(d->kinds & BK_PLUGIN_VALIDATE) || (only && !in_list(only, d->name)) ||
            (skip && in_list(skip, d->name)))
            continue;
        /* A validator with cross-document rules must be able to leave them to the merge. */
        if (partial && d->validate_end && (d->abi_minor < 2 || !d->partial_read) && st == BK_OK)
            st = bk_error_set(err, BK_E_USAGE, "the %s validator has rules across documents but "
                              "cannot write partial state; leave it out with --skip %s",
                              d->name, d->name);
        names[run.n] = d->name;
        run.v[run.n].desc = d;
        run.v[run.n].job = (bk_validation){ctx, report, err, NULL, NULL, NULL, d->name, NULL};
        run.n++;
    }
    if (st == BK_OK && run.n == 0)
        st = bk_error_set(err, BK_E_USAGE, "no validator is selected (see budgetkit plugins)");
    if (st == BK_OK && partial)
        st = partial_target_ok(inputs, ninputs, partial, err);
    bk_partial_out *out = NULL;
    if (st == BK_OK && partial) {
        out = bk_partial_open(partial, err);
        st = out ? bk_partial_header(out, names, run.n, err) : err->code;
        for (size_t i = 0; i < run.n; i++)
            run.v[i].job.partial = out;
    }
    if (st == BK_OK)
        st = bk_read_inputs(ctx, inputs, ninputs, from, validate_doc, &run, err);
    for (size_t i = 0; i < run.n && st == BK_OK; i++) {
        const bk_plugin_desc *d = run.v[i].desc;
        if (out ? d->abi_minor >= 2 && d->partial_end : d->validate_end != NULL)
            st = out ? d->partial_end(&run.v[i].job) : d->validate_end(&run.v[i].job);
        if (st != BK_OK && !err->plugin[0])
            snprintf(err->plugin, sizeof err->plugin, "%s", d->name);
    }
    if (out) {
        bk_status end = bk_partial_close(out, st == BK_OK, bk_report_documents(report), err);
        if (st == BK_OK && end != BK_OK)
            st = end;
        if (st != BK_OK && !err->file[0])
            bk_error_at(err, partial, 0, 0, -1);
    }
    if (st == BK_OK)
        progress(ctx, bk_report_documents(report), bk_report_documents(report),
                 bk_report_count(report));
    for (size_t i = 0; i < run.n; i++)
        if (run.v[i].job.free_state)
            run.v[i].job.free_state(run.v[i].job.state);
    bk_free(run.v);
    bk_free(names);
    return st;
}

bk_status bk_validate_doc(bk_ctx *ctx, const bk_doc *doc, const char *only, const char *skip,
                          bk_report *report, bk_error *err)
{
    bk_status st = BK_OK;
    size_t ran = 0;
    for (size_t i = 0; i < bk_ctx_plugin_count(ctx) && st == BK_OK; i++) {
        const bk_plugin_desc *d = bk_ctx_plugin_at(ctx, i, NULL);
        if (!(d->kinds & BK_PLUGIN_VALIDATE) || (only && !in_list(only, d->name)) ||
            (skip && in_list(skip, d->name)))
            continue;
        bk_validation job = {ctx, report, err, NULL, NULL, doc, d->name, NULL};
        st = d->validate(&job, doc);
        if (st == BK_OK && d->validate_end)
            st = d->validate_end(&job);
        if (job.free_state)
            job.free_state(job.state);
        if (st != BK_OK && !err->plugin[0])
            snprintf(err->plugin, sizeof err->plugin, "%s", d->name);
        ran++;
    }
    if (st == BK_OK && ran == 0)
        st = bk_error_set(err, BK_E_USAGE, "no validator is selected (see budgetkit plugins)");
    if (st == BK_OK)
        bk_report_count_document(report);
    return st;
}
