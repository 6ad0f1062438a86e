/* Writing a validation report, for people (text) and for programs (JSON). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "budgetkit/alloc.h"
#include "budgetkit/report.h"
#include "report_writer.h"
#include "json_set.h"
#include "spool.h"

int bk_finding_is_error(const bk_finding *f, int strict)
{
    return f->severity == BK_SEV_ERROR || (strict && f->severity == BK_SEV_ROUNDING);
}

static const char *severity_label(const bk_finding *f, const bk_report_options *o)
{
    if (bk_finding_is_error(f, o->strict))
        return o->chinese ? "错误" : "error";
    switch (f->severity) {
    case BK_SEV_WARNING: return o->chinese ? "警告" : "warning";
    case BK_SEV_ROUNDING: return o->chinese ? "尾差" : "rounding";
    default: return o->chinese ? "提示" : "info";
    }
}

typedef bk_report_counts counts;

void bk_report_counts_add(bk_report_counts *c, const bk_finding *f, int strict)
{
    if (bk_finding_is_error(f, strict))
        c->errors++;
    else if (f->severity == BK_SEV_WARNING)
        c->warnings++;
    else if (f->severity == BK_SEV_ROUNDING)
        c->rounding++;
    else
        c->info++;
}

/* Text from the input (codes, names, file names) printed so that it can neither drive the
 * terminal (ANSI escapes) nor split the one-finding-a-line report (line ends): control
 * characters, C0, DEL and C1 (U+0080..U+009F), are written as \n, \r, \t or \xHH / \u00HH. */
static void put_text(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned c = *p;
        if (c == '\n')
            fputs("\\n", out);
        else if (c == '\r')
            fputs("\\r", out);
        else if (c == '\t')
            fputs("\\t", out);
        else if (c < 0x20 || c == 0x7F)
            fprintf(out, "\\x%02X", c);
        else if (c == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
            fprintf(out, "\\u00%02X", *++p);
        else
            fputc((int)c, out);
    }
}

/* text as put_text writes it, between before and after; nothing when there is no text. */
static void put_between(FILE *out, const char *before, const char *text, const char *after)
{
    if (!text)
        return;
    fputs(before, out);
    put_text(out, text);
    fputs(after, out);
}

static void print_location(const bk_finding *f, FILE *out)
{
    put_text(out, f->document ? f->document : "-");
    if (f->line > 0)
        fprintf(out, ":%ld", f->line);
    fprintf(out, ":");
    put_between(out, " ", f->table, "");
    put_between(out, " [", f->unit, "]");
    put_between(out, " ", f->row, "");
    put_between(out, " / ", f->column, "");
    put_between(out, " 「", f->part, "」");
    if (f->page > 0)
        fprintf(out, " p.%ld", f->page);
}

static int is_explanation(const bk_finding *f)
{
    return f->rule && strncmp(f->rule, "explain.", 8) == 0;
}

static int same_document(const bk_finding *a, const bk_finding *b)
{
    return a->document == b->document ||
           (a->document && b->document && strcmp(a->document, b->document) == 0);
}

/* The order findings lo .. hi - 1 (one document's, or a run of findings without document
 * boundaries) are written in: within each run of findings of one document, the explanations
 * (explain.*) first, so that the likely cause is read before its consequences. And, for
 * each finding, the explanations that account for it: by[first[i] .. first[i + 1]), i
 * counted from lo. Without memory for this, the findings are written as added, unmarked. */
typedef struct layout {
    size_t lo;
    size_t *order, *first, *by;
} layout;

static void layout_free(layout *l)
{
    bk_free(l->order);
    bk_free(l->first);
    bk_free(l->by);
}

/* Calls fn(user, i - lo, explainer index) for every id listed in finding e's explains that
 * lies in lo .. hi - 1. */
static void each_explained(const bk_report *r, size_t lo, size_t hi, size_t e,
                           void (*fn)(void *, size_t, size_t), void *user)
{
    const char *p = bk_report_at(r, e)->explains;
    while (p && *p) {
        char *end;
        unsigned long long id = strtoull(p, &end, 10);
        if (end == p)
            break;
        /* ids are positions in the order of adding, from 1 */
        if (id > lo && id <= hi && bk_report_at(r, (size_t)id - 1)->id == id)
            fn(user, (size_t)id - 1 - lo, e);
        p = *end == ',' ? end + 1 : end;
    }
}

static void count_ref(void *user, size_t i, size_t e)
{
    (void)e;
    ((size_t *)user)[i + 1]++;
}

typedef struct fill_ctx {
    size_t *next, *by;
} fill_ctx;

static void fill_ref(void *user, size_t i, size_t e)
{
    fill_ctx *c = user;
    c->by[c->next[i]++] = e;
}

static layout make_layout(const bk_report *r, size_t lo, size_t hi)
{
    layout l = {lo, NULL, NULL, NULL};
    size_t n = hi - lo;
    l.order = bk_calloc(n + 1, sizeof *l.order);
    l.first = bk_calloc(n + 2, sizeof *l.first);
    size_t *next = bk_calloc(n + 1, sizeof *next);
    if (!l.order || !l.first || !next)
        goto fail;
    size_t k = 0;
    for (size_t s = lo; s < hi;) {
        size_t e = s + 1;
        while (e < hi && same_document(bk_report_at(r, e), bk_report_at(r, s)))
            e++;
        for (size_t i = s; i < e; i++)
            if (is_explanation(bk_report_at(r, i)))
                l.order[k++] = i;
        for (size_t i = s; i < e; i++)
            if (!is_explanation(bk_report_at(r, i)))
                l.order[k++] = i;
        s = e;
    }
    for (size_t i = lo; i < hi; i++)
        if (is_explanation(bk_report_at(r, i)))
            each_explained(r, lo, hi, i, count_ref, l.first);
    for (size_t i = 0; i < n; i++)
        l.first[i + 1] += l.first[i];
    l.by = bk_calloc(l.first[n] + 1, sizeof *l.by);
    if (!l.by)
        goto fail;
    memcpy(next, l.first, n * sizeof *next);
    fill_ctx fc = {next, l.by};
    for (size_t i = lo; i < hi; i++)
        if (is_explanation(bk_report_at(r, i)))
            each_explained(r, lo, hi, i, fill_ref, &fc);
    bk_free(next);
    return l;
fail:
    bk_free(next);
    layout_free(&l);
    return (layout){lo, NULL, NULL, NULL};
}

static size_t at(const layout *l, size_t k)
{
    return l->order ? l->order[k] : l->lo + k;
}

static size_t explainers(const layout *l, size_t i, const size_t **list)
{
    if (!l->by) {
        *list = NULL;
        return 0;
    }
    *list = l->by + l->first[i - l->lo];
    return l->first[i - l->lo + 1] - l->first[i - l->lo];
}

static void print_cell(const bk_finding *f, FILE *out)
{
    put_text(out, f->table ? f->table : "-");
    fputc(' ', out);
    put_text(out, f->row ? f->row : "-");
    fputs(" / ", out);
    put_text(out, f->column ? f->column : "-");
}

/* "explained by the likely wrong cell T07 2010302 / project" after the message. */
static void print_explained_by(const bk_report *r, const layout *l, size_t i,
                               const bk_report_options *o, FILE *out)
{
    const size_t *list;
    size_t n = explainers(l, i, &list);
    if (n == 0)
        return;
    fputs(o->chinese ? " 可由疑似错误单元格 " : " Explained by the likely wrong cell ", out);
    for (size_t k = 0; k < n; k++) {
        if (k)
            fputs(o->chinese ? " 或 " : " or ", out);
        print_cell(bk_report_at(r, list[k]), out);
    }
    fputs(o->chinese ? " 解释。" : ".", out);
}

/* The per-document summary of the text report names the first 256 documents with findings;
 * a submission of many units needs to see which unit is wrong. */
#define SUMMARY_MAX 256

typedef struct summary_line {
    char *document; /* NULL for findings without one */
    counts c;
} summary_line;

struct bk_report_writer {
    bk_report_options o;
    int json;
    FILE *out;
    bk_spool findings; /* JSON: the findings array's members, written after the counts */
    size_t written;  /* findings written */
    counts all;
    summary_line lines[SUMMARY_MAX];
    size_t nlines;
    int failed;
};

bk_report_writer *bk_report_writer_new(const bk_report_options *o, int json, FILE *out)
{
    bk_report_writer *w = bk_calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->o = *o;
    w->json = json;
    w->out = out;
    if (json && bk_spool_open(&w->findings) != 0) {
        bk_free(w);
        return NULL;
    }
    return w;
}

void bk_report_writer_free(bk_report_writer *w)
{
    if (!w)
        return;
    bk_spool_close(&w->findings);
    for (size_t i = 0; i < w->nlines; i++)
        bk_free(w->lines[i].document);
    bk_free(w);
}

static void summarise(bk_report_writer *w, const bk_finding *f)
{
    const char *doc = f->document;
    for (size_t j = 0; j < w->nlines; j++) {
        const char *d = w->lines[j].document;
        if (d == doc || (doc && d && strcmp(d, doc) == 0)) {
            bk_report_counts_add(&w->lines[j].c, f, w->o.strict);
            return;
        }
    }
    if (w->nlines == SUMMARY_MAX)
        return;
    summary_line *l = &w->lines[w->nlines];
    memset(l, 0, sizeof *l);
    if (doc && !(l->document = bk_strdup(doc))) {
        w->failed = 1;
        return;
    }
    w->nlines++;
    bk_report_counts_add(&l->c, f, w->o.strict);
}

static void text_finding(bk_report_writer *w, const bk_report *r, const layout *l, size_t i)
{
    const bk_finding *f = bk_report_at(r, i);
    const bk_report_options *o = &w->o;
    FILE *out = w->out;
    print_location(f, out);
    const char *msg = o->chinese ? (f->message_zh ? f->message_zh : f->message_en)
                                 : (f->message_en ? f->message_en : f->message_zh);
    fprintf(out, ": %s [", severity_label(f, o));
    put_text(out, f->rule ? f->rule : "-");
    fputs("]: ", out);
    put_text(out, msg ? msg : "");
    print_explained_by(r, l, i, o, out);
    fputc('\n', out);
}

static json_t *json_finding(const bk_report *r, const layout *l, size_t i,
                            const bk_report_options *o)
{
    const bk_finding *f = bk_report_at(r, i);
    json_t *j = json_object(), *loc = json_object();
    json_object_set_new(j, "id", json_integer((json_int_t)f->id));
    bk_json_set_str(j, "rule", f->rule);
    json_object_set_new(j, "severity", json_string(bk_finding_is_error(f, o->strict) ? "error"
                                                   : bk_severity_name(f->severity)));
    if (f->severity == BK_SEV_ROUNDING)
        json_object_set_new(j, "status", json_string("consistent within rounding"));
    else if (f->has_values && f->severity == BK_SEV_ERROR && !is_explanation(f))
        json_object_set_new(j, "status", json_string("inconsistent"));
    bk_json_set_str(loc, "document", f->document);
    bk_json_set_str(loc, "unit", f->unit);
    bk_json_set_str(loc, "table", f->table);
    bk_json_set_str(loc, "row", f->row);
    bk_json_set_str(loc, "column", f->column);
    if (f->line > 0)
        json_object_set_new(loc, "line", json_integer(f->line));
    if (f->row_no > 0)
        json_object_set_new(loc, "row_index", json_integer((json_int_t)f->row_no));
    bk_json_set_str(loc, "part", f->part);
    if (f->page > 0)
        json_object_set_new(loc, "page", json_integer(f->page));
    json_object_set_new(j, "location", loc);
    bk_json_set_str(j, "quote", f->quote);
    bk_json_set_str(j, "figure", f->figure);
    if (f->has_values) {
        bk_json_set_dec(j, "expected", f->expected);
        bk_json_set_dec(j, "actual", f->actual);
        bk_json_set_dec(j, "difference", f->difference);
        bk_json_set_dec(j, "bound", f->bound);
    }
    bk_json_set_str(j, "parts", f->parts);
    bk_json_set_str(j, "message", o->chinese ? (f->message_zh ? f->message_zh : f->message_en)
                                     : (f->message_en ? f->message_en : f->message_zh));
    bk_json_set_str(j, "message_en", f->message_en);
    bk_json_set_str(j, "message_zh", f->message_zh);
    if (is_explanation(f)) {
        json_t *ids = json_array();
        const char *p = f->explains;
        while (p && *p) {
            char *end;
            unsigned long long id = strtoull(p, &end, 10);
            if (end == p)
                break;
            json_array_append_new(ids, json_integer((json_int_t)id));
            p = *end == ',' ? end + 1 : end;
        }
        json_object_set_new(j, "explains", ids);
        bk_json_set_str(j, "confidence", f->confidence);
    }
    const size_t *list;
    size_t nby = explainers(l, i, &list);
    if (nby) {
        json_t *ids = json_array();
        for (size_t e = 0; e < nby; e++)
            json_array_append_new(ids, json_integer((json_int_t)bk_report_at(r, list[e])->id));
        json_object_set_new(j, "explained_by", ids);
    }
    return j;
}

/* A member of the findings array as the whole report's indented dump prints it: every line
 * indented by two levels. */
static int json_member(bk_report_writer *w, json_t *j)
{
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text)
        return -1;
    FILE *f = w->findings.f;
    fputs(w->written ? ",\n    " : "    ", f);
    for (const char *p = text; *p; p++) {
        fputc(*p, f);
        if (*p == '\n')
            fputs("    ", f);
    }
    bk_free(text);
    return ferror(f) ? -1 : 0;
}

int bk_report_writer_add(bk_report_writer *w, const bk_report *r, size_t lo, size_t hi)
{
    if (hi <= lo)
        return 0;
    layout l = make_layout(r, lo, hi);
    for (size_t k = 0; k < hi - lo; k++) {
        size_t i = at(&l, k);
        const bk_finding *f = bk_report_at(r, i);
        bk_report_counts_add(&w->all, f, w->o.strict);
        if (w->json) {
            json_t *j = json_finding(r, &l, i, &w->o);
            if (!j || json_member(w, j) != 0)
                w->failed = 1;
            json_decref(j);
        } else {
            summarise(w, f);
            text_finding(w, r, &l, i);
        }
        w->written++;
    }
    layout_free(&l);
    if (ferror(w->json ? w->findings.f : w->out))
        return -2;
    return w->failed ? -1 : 0;
}

static void text_end(bk_report_writer *w, const bk_report *r)
{
    const bk_report_options *o = &w->o;
    FILE *out = w->out;
    if (bk_report_documents(r) > 1 && w->written > 0) {
        fprintf(out, "\n%-8s %-8s %-8s %-8s %s\n", o->chinese ? "错误" : "errors",
                o->chinese ? "警告" : "warnings", o->chinese ? "尾差" : "rounding",
                o->chinese ? "提示" : "info", o->chinese ? "文件" : "document");
        for (size_t i = 0; i < w->nlines; i++) {
            const counts *c = &w->lines[i].c;
            fprintf(out, "%-8zu %-8zu %-8zu %-8zu ", c->errors, c->warnings, c->rounding, c->info);
            put_text(out, w->lines[i].document ? w->lines[i].document : "-");
            fputc('\n', out);
        }
    }
    size_t docs = bk_report_documents(r);
    const counts *all = &w->all;
    if (o->chinese)
        fprintf(out, "%s%zu 个文件，%zu 个错误，%zu 个警告，%zu 处尾差（在舍入误差内），%zu 条提示\n",
                w->written ? "\n" : "", docs, all->errors, all->warnings, all->rounding,
                all->info);
    else
        fprintf(out, "%s%zu document%s, %zu error%s, %zu warning%s, %zu within rounding, %zu info\n",
                w->written ? "\n" : "", docs, docs == 1 ? "" : "s", all->errors,
                all->errors == 1 ? "" : "s", all->warnings, all->warnings == 1 ? "" : "s",
                all->rounding, all->info);
}

static void json_end(bk_report_writer *w, const bk_report *r)
{
    json_t *root = json_object(), *stats = json_object();
    json_object_set_new(stats, "documents", json_integer((json_int_t)bk_report_documents(r)));
    json_object_set_new(stats, "errors", json_integer((json_int_t)w->all.errors));
    json_object_set_new(stats, "warnings", json_integer((json_int_t)w->all.warnings));
    json_object_set_new(stats, "rounding", json_integer((json_int_t)w->all.rounding));
    json_object_set_new(stats, "info", json_integer((json_int_t)w->all.info));
    json_object_set_new(root, "valid", json_boolean(w->all.errors == 0));
    json_object_set_new(root, "strict", json_boolean(w->o.strict));
    json_object_set_new(root, "stats", stats);
    json_object_set_new(root, "findings", json_array());
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text) {
        w->failed = 1;
        return;
    }
    size_t len = strlen(text);
    if (w->written == 0 || len < 4) {
        fputs(text, w->out);
        fputc('\n', w->out);
        bk_free(text);
        return;
    }
    /* ... "findings": []\n} becomes "findings": [ the members ]. */
    fwrite(text, 1, len - 4, w->out);
    bk_free(text);
    fputs("[\n", w->out);
    if (bk_spool_copy(&w->findings, w->out) != 0)
        w->failed = 1;
    fputs("\n  ]\n}\n", w->out);
}

size_t bk_report_writer_end(bk_report_writer *w, const bk_report *r)
{
    if (w->json)
        json_end(w, r);
    else
        text_end(w, r);
    return w->all.errors;
}

/* The whole report: the findings document by document as bk_report_document_done marked
 * them, then the counts; what a streamed report writes too. */
static size_t write_all(const bk_report *r, const bk_report_options *o, int json, FILE *out)
{
    bk_report_writer *w = bk_report_writer_new(o, json, out);
    if (!w)
        return 0;
    const size_t *ends;
    size_t nends = bk_report_ends(r, &ends), lo = 0, n = bk_report_count(r);
    for (size_t k = 0; k < nends; k++) {
        bk_report_writer_add(w, r, lo, ends[k]);
        lo = ends[k];
    }
    bk_report_writer_add(w, r, lo, n);
    size_t errors = bk_report_writer_end(w, r);
    bk_report_writer_free(w);
    return errors;
}

size_t bk_report_write_text(const bk_report *r, const bk_report_options *o, FILE *out)
{
    return write_all(r, o, 0, out);
}

size_t bk_report_write_json(const bk_report *r, const bk_report_options *o, FILE *out)
{
    return write_all(r, o, 1, out);
}
