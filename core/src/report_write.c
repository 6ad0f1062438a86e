/* Writing a validation report, for people (text) and for programs (JSON). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "budgetkit/alloc.h"
#include "budgetkit/report.h"

static int is_error(const bk_finding *f, int strict)
{
    return f->severity == BK_SEV_ERROR || (strict && f->severity == BK_SEV_ROUNDING);
}

static const char *severity_label(const bk_finding *f, const bk_report_options *o)
{
    if (is_error(f, o->strict))
        return o->chinese ? "错误" : "error";
    switch (f->severity) {
    case BK_SEV_WARNING: return o->chinese ? "警告" : "warning";
    case BK_SEV_ROUNDING: return o->chinese ? "尾差" : "rounding";
    default: return o->chinese ? "提示" : "info";
    }
}

typedef struct counts {
    size_t errors, warnings, rounding, info;
} counts;

static void count(counts *c, const bk_finding *f, int strict)
{
    if (is_error(f, strict))
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

static void print_location(const bk_finding *f, FILE *out)
{
    put_text(out, f->document ? f->document : "-");
    if (f->line > 0)
        fprintf(out, ":%ld", f->line);
    fprintf(out, ":");
    if (f->table) {
        fputc(' ', out);
        put_text(out, f->table);
    }
    if (f->unit) {
        fputs(" [", out);
        put_text(out, f->unit);
        fputc(']', out);
    }
    if (f->row) {
        fputc(' ', out);
        put_text(out, f->row);
    }
    if (f->column) {
        fputs(" / ", out);
        put_text(out, f->column);
    }
    if (f->part) {
        fputs(" 「", out);
        put_text(out, f->part);
        fputs("」", out);
    }
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

/* The order findings are written in: within each run of findings of one document, the
 * explanations (explain.*) first, so that the likely cause is read before its consequences.
 * And, for each finding, the explanations that account for it: by[first[i] .. first[i + 1]).
 * Without memory for this, the findings are written as added, unmarked. */
typedef struct layout {
    size_t *order, *first, *by;
} layout;

static void layout_free(layout *l)
{
    bk_free(l->order);
    bk_free(l->first);
    bk_free(l->by);
}

/* Calls fn(user, i, explainer index) for every id listed in finding e's explains. */
static void each_explained(const bk_report *r, size_t e, void (*fn)(void *, size_t, size_t),
                           void *user)
{
    const char *p = bk_report_at(r, e)->explains;
    while (p && *p) {
        char *end;
        unsigned long long id = strtoull(p, &end, 10);
        if (end == p)
            break;
        /* ids are positions in the order of adding, from 1 */
        if (id >= 1 && id <= bk_report_count(r) && bk_report_at(r, (size_t)id - 1)->id == id)
            fn(user, (size_t)id - 1, e);
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

static layout make_layout(const bk_report *r)
{
    layout l = {NULL, NULL, NULL};
    size_t n = bk_report_count(r);
    l.order = bk_calloc(n + 1, sizeof *l.order);
    l.first = bk_calloc(n + 2, sizeof *l.first);
    size_t *next = bk_calloc(n + 1, sizeof *next);
    if (!l.order || !l.first || !next)
        goto fail;
    size_t k = 0;
    for (size_t s = 0; s < n;) {
        size_t e = s + 1;
        while (e < n && same_document(bk_report_at(r, e), bk_report_at(r, s)))
            e++;
        for (size_t i = s; i < e; i++)
            if (is_explanation(bk_report_at(r, i)))
                l.order[k++] = i;
        for (size_t i = s; i < e; i++)
            if (!is_explanation(bk_report_at(r, i)))
                l.order[k++] = i;
        s = e;
    }
    for (size_t i = 0; i < n; i++)
        if (is_explanation(bk_report_at(r, i)))
            each_explained(r, i, count_ref, l.first);
    for (size_t i = 0; i < n; i++)
        l.first[i + 1] += l.first[i];
    l.by = bk_calloc(l.first[n] + 1, sizeof *l.by);
    if (!l.by)
        goto fail;
    memcpy(next, l.first, n * sizeof *next);
    fill_ctx fc = {next, l.by};
    for (size_t i = 0; i < n; i++)
        if (is_explanation(bk_report_at(r, i)))
            each_explained(r, i, fill_ref, &fc);
    bk_free(next);
    return l;
fail:
    bk_free(next);
    layout_free(&l);
    return (layout){NULL, NULL, NULL};
}

static size_t at(const layout *l, size_t k)
{
    return l->order ? l->order[k] : k;
}

static size_t explainers(const layout *l, size_t i, const size_t **list)
{
    if (!l->by) {
        *list = NULL;
        return 0;
    }
    *list = l->by + l->first[i];
    return l->first[i + 1] - l->first[i];
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

size_t bk_report_write_text(const bk_report *r, const bk_report_options *o, FILE *out)
{
    counts all = {0, 0, 0, 0};
    layout l = make_layout(r);
    for (size_t k = 0; k < bk_report_count(r); k++) {
        size_t i = at(&l, k);
        const bk_finding *f = bk_report_at(r, i);
        count(&all, f, o->strict);
        print_location(f, out);
        const char *msg = o->chinese ? (f->message_zh ? f->message_zh : f->message_en)
                                     : (f->message_en ? f->message_en : f->message_zh);
        fprintf(out, ": %s [", severity_label(f, o));
        put_text(out, f->rule ? f->rule : "-");
        fputs("]: ", out);
        put_text(out, msg ? msg : "");
        print_explained_by(r, &l, i, o, out);
        fputc('\n', out);
    }
    layout_free(&l);
    /* Per-document summary: a submission of many units needs to see which unit is wrong. */
    if (bk_report_documents(r) > 1 && bk_report_count(r) > 0) {
        fprintf(out, "\n%-8s %-8s %-8s %-8s %s\n", o->chinese ? "错误" : "errors",
                o->chinese ? "警告" : "warnings", o->chinese ? "尾差" : "rounding",
                o->chinese ? "提示" : "info", o->chinese ? "文件" : "document");
        const char *done[256];
        size_t ndone = 0;
        for (size_t i = 0; i < bk_report_count(r) && ndone < 256; i++) {
            const char *doc = bk_report_at(r, i)->document;
            int seen = 0;
            for (size_t j = 0; j < ndone; j++)
                seen |= done[j] == doc || (doc && done[j] && strcmp(done[j], doc) == 0);
            if (seen)
                continue;
            done[ndone++] = doc;
            counts c = {0, 0, 0, 0};
            for (size_t j = 0; j < bk_report_count(r); j++) {
                const bk_finding *f = bk_report_at(r, j);
                if (f->document == doc || (doc && f->document && strcmp(f->document, doc) == 0))
                    count(&c, f, o->strict);
            }
            fprintf(out, "%-8zu %-8zu %-8zu %-8zu ", c.errors, c.warnings, c.rounding, c.info);
            put_text(out, doc ? doc : "-");
            fputc('\n', out);
        }
    }
    size_t docs = bk_report_documents(r);
    if (o->chinese)
        fprintf(out, "%s%zu 个文件，%zu 个错误，%zu 个警告，%zu 处尾差（在舍入误差内），%zu 条提示\n",
                bk_report_count(r) ? "\n" : "", docs, all.errors, all.warnings, all.rounding,
                all.info);
    else
        fprintf(out, "%s%zu document%s, %zu error%s, %zu warning%s, %zu within rounding, %zu info\n",
                bk_report_count(r) ? "\n" : "", docs, docs == 1 ? "" : "s", all.errors,
                all.errors == 1 ? "" : "s", all.warnings, all.warnings == 1 ? "" : "s",
                all.rounding, all.info);
    return all.errors;
}

static void set_str(json_t *obj, const char *key, const char *v)
{
    if (v)
        json_object_set_new(obj, key, json_string(v));
}

static void set_dec(json_t *obj, const char *key, bk_decimal d)
{
    char buf[BK_DECIMAL_BUFSIZE];
    bk_decimal_format(d, 0, buf, sizeof buf);
    json_object_set_new(obj, key, json_string(buf));
}

size_t bk_report_write_json(const bk_report *r, const bk_report_options *o, FILE *out)
{
    counts all = {0, 0, 0, 0};
    json_t *root = json_object(), *findings = json_array();
    layout l = make_layout(r);
    for (size_t k = 0; k < bk_report_count(r); k++) {
        size_t i = at(&l, k);
        const bk_finding *f = bk_report_at(r, i);
        count(&all, f, o->strict);
        json_t *j = json_object(), *loc = json_object();
        json_object_set_new(j, "id", json_integer((json_int_t)f->id));
        set_str(j, "rule", f->rule);
        json_object_set_new(j, "severity", json_string(is_error(f, o->strict) ? "error"
                                                       : bk_severity_name(f->severity)));
        if (f->severity == BK_SEV_ROUNDING)
            json_object_set_new(j, "status", json_string("consistent within rounding"));
        else if (f->has_values && f->severity == BK_SEV_ERROR && !is_explanation(f))
            json_object_set_new(j, "status", json_string("inconsistent"));
        set_str(loc, "document", f->document);
        set_str(loc, "unit", f->unit);
        set_str(loc, "table", f->table);
        set_str(loc, "row", f->row);
        set_str(loc, "column", f->column);
        if (f->line > 0)
            json_object_set_new(loc, "line", json_integer(f->line));
        if (f->row_no > 0)
            json_object_set_new(loc, "row_index", json_integer((json_int_t)f->row_no));
        set_str(loc, "part", f->part);
        if (f->page > 0)
            json_object_set_new(loc, "page", json_integer(f->page));
        json_object_set_new(j, "location", loc);
        set_str(j, "quote", f->quote);
        set_str(j, "figure", f->figure);
        if (f->has_values) {
            set_dec(j, "expected", f->expected);
            set_dec(j, "actual", f->actual);
            set_dec(j, "difference", f->difference);
            set_dec(j, "bound", f->bound);
        }
        set_str(j, "parts", f->parts);
        set_str(j, "message", o->chinese ? (f->message_zh ? f->message_zh : f->message_en)
                                         : (f->message_en ? f->message_en : f->message_zh));
        set_str(j, "message_en", f->message_en);
        set_str(j, "message_zh", f->message_zh);
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
            set_str(j, "confidence", f->confidence);
        }
        const size_t *list;
        size_t nby = explainers(&l, i, &list);
        if (nby) {
            json_t *ids = json_array();
            for (size_t e = 0; e < nby; e++)
                json_array_append_new(ids, json_integer((json_int_t)bk_report_at(r, list[e])->id));
            json_object_set_new(j, "explained_by", ids);
        }
        json_array_append_new(findings, j);
    }
    layout_free(&l);
    json_t *stats = json_object();
    json_object_set_new(stats, "documents", json_integer((json_int_t)bk_report_documents(r)));
    json_object_set_new(stats, "errors", json_integer((json_int_t)all.errors));
    json_object_set_new(stats, "warnings", json_integer((json_int_t)all.warnings));
    json_object_set_new(stats, "rounding", json_integer((json_int_t)all.rounding));
    json_object_set_new(stats, "info", json_integer((json_int_t)all.info));
    json_object_set_new(root, "valid", json_boolean(all.errors == 0));
    json_object_set_new(root, "strict", json_boolean(o->strict));
    json_object_set_new(root, "stats", stats);
    json_object_set_new(root, "findings", findings);
    json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII * 0);
    fputc('\n', out);
    json_decref(root);
    return all.errors;
}
