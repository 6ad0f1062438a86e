/* Writing a validation report, for people (text) and for programs (JSON). */
#include <string.h>

#include <jansson.h>

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
}

size_t bk_report_write_text(const bk_report *r, const bk_report_options *o, FILE *out)
{
    counts all = {0, 0, 0, 0};
    for (size_t i = 0; i < bk_report_count(r); i++) {
        const bk_finding *f = bk_report_at(r, i);
        count(&all, f, o->strict);
        print_location(f, out);
        const char *msg = o->chinese ? (f->message_zh ? f->message_zh : f->message_en)
                                     : (f->message_en ? f->message_en : f->message_zh);
        fprintf(out, ": %s [", severity_label(f, o));
        put_text(out, f->rule ? f->rule : "-");
        fputs("]: ", out);
        put_text(out, msg ? msg : "");
        fputc('\n', out);
    }
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
    for (size_t i = 0; i < bk_report_count(r); i++) {
        const bk_finding *f = bk_report_at(r, i);
        count(&all, f, o->strict);
        json_t *j = json_object(), *loc = json_object();
        set_str(j, "rule", f->rule);
        json_object_set_new(j, "severity", json_string(is_error(f, o->strict) ? "error"
                                                       : bk_severity_name(f->severity)));
        if (f->severity == BK_SEV_ROUNDING)
            json_object_set_new(j, "status", json_string("consistent within rounding"));
        else if (f->has_values && f->severity == BK_SEV_ERROR)
            json_object_set_new(j, "status", json_string("inconsistent"));
        set_str(loc, "document", f->document);
        set_str(loc, "unit", f->unit);
        set_str(loc, "table", f->table);
        set_str(loc, "row", f->row);
        set_str(loc, "column", f->column);
        if (f->line > 0)
            json_object_set_new(loc, "line", json_integer(f->line));
        json_object_set_new(j, "location", loc);
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
        json_array_append_new(findings, j);
    }
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
