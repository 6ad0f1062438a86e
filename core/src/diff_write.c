/* Printing differences: one line (text) or one JSON object per change as it comes, then a
 * summary per unit and the counts. */
#include <jansson.h>
#include <string.h>

#include "budgetkit/alloc.h"
#include "budgetkit/diff.h"
#include "diff_text.h"
#include "json_set.h"
#include "strpool.h"

typedef struct unit_count {
    const char *document, *unit;
    size_t cells, added, removed, other;
} unit_count;

struct bk_diff_printer {
    FILE *out;
    int json, chinese, years;
    const char *a, *b;
    bk_strpool names; /* of documents and units, kept until the printer goes */
    const char *last_doc;
    size_t n, cells, added, removed, other;
    unit_count *units;
    size_t nunits, capunits;
    int failed;
};

bk_diff_printer *bk_diff_printer_new(FILE *out, int json, int chinese, const char *a,
                                     const char *b, int years)
{
    bk_diff_printer *p = bk_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    *p = (bk_diff_printer){.out = out, .json = json, .chinese = chinese, .years = years,
                           .a = a, .b = b};
    if (json) {
        json_t *head = json_object();
        json_object_set_new(head, "format", json_string("budgetkit-diff"));
        json_object_set_new(head, "version", json_integer(1));
        json_object_set_new(head, "a", json_string(a));
        json_object_set_new(head, "b", json_string(b));
        json_object_set_new(head, "mode", json_string(years ? "years" : "cells"));
        char *s = json_dumps(head, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(head);
        if (!s) {
            bk_free(p);
            return NULL;
        }
        /* The object is left open: changes follow, then the summary. */
        s[strlen(s) - 1] = '\0';
        fprintf(out, "%s,\"changes\":[", s);
        free(s);
    }
    return p;
}

void bk_diff_printer_free(bk_diff_printer *p)
{
    if (!p)
        return;
    bk_free(p->units);
    bk_strpool_free(&p->names);
    bk_free(p);
}

static int same(const char *x, const char *y)
{
    return x == y || (x && y && strcmp(x, y) == 0);
}

static const char *keep(bk_diff_printer *p, const char *s)
{
    return bk_strpool_intern(&p->names, s, strlen(s));
}

static unit_count *count_for(bk_diff_printer *p, const bk_change *c)
{
    const char *unit = c->unit ? c->unit : "";
    for (size_t i = p->nunits; i-- > 0;)
        if (same(p->units[i].document, c->document) && strcmp(p->units[i].unit, unit) == 0)
            return &p->units[i];
    const char *document = keep(p, c->document ? c->document : "-");
    unit = keep(p, unit);
    if (!document || !unit ||
        bk_grow((void **)&p->units, &p->capunits, p->nunits + 1, sizeof *p->units) != 0)
        return NULL;
    unit_count *u = &p->units[p->nunits++];
    *u = (unit_count){.document = document, .unit = unit};
    return u;
}

static void dec(char *buf, size_t cap, bk_decimal d, int sign)
{
    char tmp[BK_DECIMAL_BUFSIZE];
    bk_decimal_format(d, 0, tmp, sizeof tmp);
    snprintf(buf, cap, "%s%s", sign && d.units > 0 ? "+" : "", tmp);
}

static const char *or_blank(const char *s, int zh)
{
    return s && *s ? s : zh ? "（空）" : "(blank)";
}

void bk_diff_text_line(FILE *o, const bk_change *c, int zh)
{
    if (c->table)
        fprintf(o, "%s ", c->table);
    if (c->unit)
        fprintf(o, "[%s] ", c->unit);
    const char *k = c->kind;
    if (strcmp(k, "cell") == 0 || strcmp(k, "text") == 0) {
        fprintf(o, "%s", c->row ? c->row : "");
        if (c->name && c->row && strcmp(c->name, c->row) != 0)
            fprintf(o, " %s", c->name);
        fprintf(o, " / %s", zh && c->column_zh ? c->column_zh : c->column);
        if (c->column_a)
            fprintf(o, zh ? "（对比上年预算的%s）" : " (against %s)", c->column_a);
        if (!c->has_values) {
            fprintf(o, ": %s → %s\n", or_blank(c->old_text, zh), or_blank(c->new_text, zh));
            return;
        }
        char x[64], y[64], d[64], pc[64] = "";
        dec(x, sizeof x, c->old_value, 0);
        dec(y, sizeof y, c->new_value, 0);
        dec(d, sizeof d, c->difference, 1);
        if (c->has_percent)
            dec(pc, sizeof pc, c->percent, 1);
        fprintf(o, ": %s → %s", c->old_text ? or_blank(c->old_text, zh) : x,
                c->new_text ? or_blank(c->new_text, zh) : y);
        if (c->has_percent)
            fprintf(o, zh ? "（%s，%s%%）\n" : " (%s, %s%%)\n", d, pc);
        else
            fprintf(o, zh ? "（%s）\n" : " (%s)\n", d);
        return;
    }
    if (strcmp(k, "row-added") == 0 || strcmp(k, "row-removed") == 0) {
        int added = k[4] == 'a';
        fprintf(o, "%s", c->row ? c->row : "");
        if (c->name && c->row && strcmp(c->name, c->row) != 0)
            fprintf(o, " %s", c->name);
        fprintf(o, zh ? (added ? "：新增行" : "：删除行") : (added ? ": row only in B" : ": row only in A"));
        if (c->has_values) {
            char v[64];
            dec(v, sizeof v, added ? c->new_value : c->old_value, 0);
            fprintf(o, zh ? "（%s %s）" : " (%s %s)", zh && c->column_zh ? c->column_zh : c->column, v);
        }
        fputc('\n', o);
        return;
    }
    if (strcmp(k, "renamed") == 0) {
        fprintf(o, zh ? "%s：科目名称由「%s」改为「%s」\n" : "%s: renamed from \"%s\" to \"%s\"\n",
                c->row, c->old_text, c->new_text);
        return;
    }
    if (strcmp(k, "recoded") == 0) {
        fprintf(o, zh ? "%s：科目编码由%s改为%s\n" : "%s: code changed from %s to %s\n", c->name,
                c->old_text, c->new_text);
        return;
    }
    if (strcmp(k, "table-added") == 0 || strcmp(k, "table-removed") == 0) {
        int added = k[6] == 'a';
        fprintf(o, "%s%s\n", c->name ? c->name : "",
                zh ? (added ? "：新增表" : "：删除表") : (added ? ": table only in B" : ": table only in A"));
        return;
    }
    if (strcmp(k, "unit-added") == 0 || strcmp(k, "unit-removed") == 0) {
        int added = k[5] == 'a';
        fprintf(o, "%s\n", zh ? (added ? "新增单位" : "删除单位") : (added ? "unit only in B" : "unit only in A"));
        return;
    }
    if (strcmp(k, "header") == 0) {
        fprintf(o, "%s: %s → %s\n", c->column, or_blank(c->old_text, zh), or_blank(c->new_text, zh));
        return;
    }
    if (strcmp(k, "part-added") == 0 || strcmp(k, "part-removed") == 0) {
        int added = k[5] == 'a';
        fprintf(o, "《%s》%s\n", c->name,
                zh ? (added ? "：新增部分" : "：删除部分") : (added ? ": part only in B" : ": part only in A"));
        return;
    }
    if (strcmp(k, "paragraph-added") == 0 || strcmp(k, "paragraph-removed") == 0) {
        int added = k[10] == 'a';
        fprintf(o, "《%s》 ¶%s %s: %s\n", c->name, c->row,
                zh ? (added ? "新增" : "删除") : (added ? "added" : "removed"),
                added ? c->new_text : c->old_text);
        return;
    }
    if (strcmp(k, "indicator") == 0) {
        fprintf(o, "%s / %s: %s → %s\n", c->name ? c->name : "", c->row ? c->row : "",
                or_blank(c->old_text, zh), or_blank(c->new_text, zh));
        return;
    }
    if (strcmp(k, "catalogue") == 0) {
        static const char *const en[][2] = {{"renamed", "renamed"}, {"recoded", "recoded"},
                                            {"split", "split"}, {"merged", "merged"}};
        static const char *const zh_[] = {"更名", "改码", "拆分", "合并"};
        const char *how = c->column;
        for (size_t i = 0; i < 4; i++)
            if (strcmp(c->column, en[i][0]) == 0)
                how = zh ? zh_[i] : en[i][1];
        fprintf(o, zh ? "%s：新年度科目%s：%s → %s（%s）\n" : "%s: %s in the new year's catalogue: %s → %s (%s)\n",
                c->row, how, c->old_text ? c->old_text : "", c->new_text ? c->new_text : "",
                c->source ? c->source : "");
        return;
    }
    if (strcmp(k, "document-added") == 0 || strcmp(k, "document-removed") == 0) {
        int added = k[9] == 'a';
        fprintf(o, "%s%s\n", c->name ? c->name : "",
                zh ? (added ? "：仅在B中" : "：仅在A中")
                   : (added ? ": document only in B" : ": document only in A"));
        return;
    }
    fprintf(o, "%s\n", k);
}

static int json_change(bk_diff_printer *p, const bk_change *c)
{
    json_t *j = json_object();
    if (!j)
        return -1;
    bk_json_set_str(j, "change", c->kind);
    bk_json_set_str(j, "document", c->document);
    bk_json_set_str(j, "document_a", c->document_a);
    bk_json_set_str(j, "table", c->table);
    bk_json_set_str(j, "unit", c->unit);
    bk_json_set_str(j, "row", c->row);
    bk_json_set_str(j, "name", c->name);
    bk_json_set_str(j, "column", c->column);
    bk_json_set_str(j, "column_a", c->column_a);
    bk_json_set_str(j, "header", c->column_zh);
    bk_json_set_str(j, "source", c->source);
    if (c->has_values) {
        if (!c->old_text)
            bk_json_set_dec(j, "old", c->old_value);
        if (!c->new_text)
            bk_json_set_dec(j, "new", c->new_value);
        bk_json_set_dec(j, "difference", c->difference);
        if (c->has_percent)
            bk_json_set_dec(j, "percent", c->percent);
    }
    if (c->old_text && (!c->has_values || *c->old_text))
        bk_json_set_str(j, "old", c->old_text);
    if (c->new_text && (!c->has_values || *c->new_text))
        bk_json_set_str(j, "new", c->new_text);
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    if (!s)
        return -1;
    fprintf(p->out, "%s\n  %s", p->n ? "," : "", s);
    free(s);
    return 0;
}

bk_status bk_diff_printer_change(const bk_change *c, void *printer, bk_error *err)
{
    bk_diff_printer *p = printer;
    unit_count *u = count_for(p, c);
    if (!u)
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    if (strcmp(c->kind, "cell") == 0 || strcmp(c->kind, "text") == 0)
        u->cells++, p->cells++;
    else if (strcmp(c->kind, "row-added") == 0)
        u->added++, p->added++;
    else if (strcmp(c->kind, "row-removed") == 0)
        u->removed++, p->removed++;
    else
        u->other++, p->other++;
    if (p->json) {
        if (json_change(p, c) != 0)
            return bk_error_set(err, BK_E_NOMEM, "out of memory");
    } else {
        if (!same(p->last_doc, c->document)) {
            p->last_doc = keep(p, c->document ? c->document : "-");
            if (!p->last_doc)
                return bk_error_set(err, BK_E_NOMEM, "out of memory");
            fprintf(p->out, "== %s", c->document ? c->document : "-");
            if (c->document_a && strcmp(c->document_a, c->document ? c->document : "") != 0)
                fprintf(p->out, p->chinese ? "（对比 %s）" : " (against %s)", c->document_a);
            fputc('\n', p->out);
        }
        bk_diff_text_line(p->out, c, p->chinese);
    }
    p->n++;
    return BK_OK;
}

size_t bk_diff_printer_finish(bk_diff_printer *p, const bk_diff_stats *st)
{
    FILE *o = p->out;
    size_t docs = st ? st->documents : 0, equal = st ? st->equal : 0;
    if (p->json) {
        fprintf(o, "%s],\"units\":[", p->n ? "\n" : "");
        for (size_t i = 0; i < p->nunits; i++) {
            json_t *j = json_object();
            bk_json_set_str(j, "document", p->units[i].document);
            if (*p->units[i].unit)
                bk_json_set_str(j, "unit", p->units[i].unit);
            json_object_set_new(j, "cells", json_integer((json_int_t)p->units[i].cells));
            json_object_set_new(j, "rows_added", json_integer((json_int_t)p->units[i].added));
            json_object_set_new(j, "rows_removed", json_integer((json_int_t)p->units[i].removed));
            json_object_set_new(j, "other", json_integer((json_int_t)p->units[i].other));
            char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
            json_decref(j);
            if (s)
                fprintf(o, "%s\n  %s", i ? "," : "", s);
            free(s);
        }
        fprintf(o, "%s],\"stats\":{\"documents\":%zu,\"equal_documents\":%zu,\"changes\":%zu,"
                   "\"cells\":%zu,\"rows_added\":%zu,\"rows_removed\":%zu,\"other\":%zu},"
                   "\"equal\":%s}\n",
                p->nunits ? "\n" : "", docs, equal, p->n, p->cells, p->added, p->removed,
                p->other, p->n ? "false" : "true");
        return p->n;
    }
    if (p->nunits > 1) {
        fprintf(o, p->chinese ? "\n%-8s %-8s %-8s %-8s %s\n" : "\n%-8s %-8s %-8s %-8s %s\n",
                p->chinese ? "数值" : "cells", p->chinese ? "新增行" : "added",
                p->chinese ? "删除行" : "removed", p->chinese ? "其他" : "other",
                p->chinese ? "单位（文件）" : "unit (document)");
        for (size_t i = 0; i < p->nunits; i++)
            fprintf(o, "%-8zu %-8zu %-8zu %-8zu %s (%s)\n", p->units[i].cells,
                    p->units[i].added, p->units[i].removed, p->units[i].other,
                    *p->units[i].unit ? p->units[i].unit : "-", p->units[i].document);
    }
    if (p->chinese)
        fprintf(o, "%s比较 %zu 对文件，%zu 对相同；%zu 处差异：%zu 个数值变化，%zu 行新增，%zu 行删除，%zu 处其他\n",
                p->n ? "\n" : "", docs, equal, p->n, p->cells, p->added, p->removed, p->other);
    else
        fprintf(o, "%s%zu document%s compared, %zu equal; %zu change%s: %zu cell%s, %zu row%s "
                   "added, %zu removed, %zu other\n",
                p->n ? "\n" : "", docs, docs == 1 ? "" : "s", equal, p->n, p->n == 1 ? "" : "s",
                p->cells, p->cells == 1 ? "" : "s", p->added, p->added == 1 ? "" : "s",
                p->removed, p->other);
    return p->n;
}
