/* The validation report as one self-contained HTML page (no network, no external file): a
 * summary, then each document with its findings and its tables drawn as printed, the cells of
 * findings marked by severity. Every text from the input is escaped. Documents are written to
 * a temporary file as they are validated, so that memory stays bounded in a bulk; the summary,
 * which needs every count, is written first when the page is assembled. */
#include "budgetkit/report_html.h"

#include <string.h>

#include "budgetkit/alloc.h"
#include "budgetkit/decimal.h"
#include "html.h"
#include "report_writer.h"
#include "spool.h"

/* Tables are drawn for the first documents in full; after that only the rows that carry a
 * finding, so that a bulk of a thousand units stays a page a browser opens. */
#define FULL_DOCUMENTS 20

typedef bk_report_counts counts;

typedef struct docline {
    char *name, *dept;
    counts c;
} docline;

struct bk_html {
    bk_report_options o;
    bk_spool body;
    size_t ndocs, cap;
    docline *docs;  /* one line per document for the bulk summary */
    size_t covered; /* findings up to here belong to a document already written */
    int failed;
};

static const char *sev_class(const bk_finding *f, int strict)
{
    if (bk_finding_is_error(f, strict))
        return "error";
    switch (f->severity) {
    case BK_SEV_WARNING: return "warning";
    case BK_SEV_ROUNDING: return "rounding";
    default: return "info";
    }
}

static const char *sev_label(const char *cls, int zh)
{
    if (strcmp(cls, "error") == 0)
        return zh ? "错误" : "error";
    if (strcmp(cls, "warning") == 0)
        return zh ? "警告" : "warning";
    if (strcmp(cls, "rounding") == 0)
        return zh ? "尾差" : "within rounding";
    return zh ? "提示" : "info";
}

static void esc_n(FILE *out, const char *s, size_t n) { bk_html_esc_n(out, s, n); }
static void esc(FILE *out, const char *s) { bk_html_esc(out, s); }
static void dec(FILE *out, bk_decimal d, int grouped) { bk_html_dec(out, d, grouped); }

bk_html *bk_html_begin(const bk_report_options *o)
{
    bk_html *h = bk_calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->o = *o;
    if (bk_spool_open(&h->body) != 0) {
        bk_free(h);
        return NULL;
    }
    return h;
}

void bk_html_free(bk_html *h)
{
    if (!h)
        return;
    bk_spool_close(&h->body);
    for (size_t i = 0; i < h->ndocs; i++) {
        bk_free(h->docs[i].name);
        bk_free(h->docs[i].dept);
    }
    bk_free(h->docs);
    bk_free(h);
}

/* ---- one document ---- */

static const char *row_key(const bk_doc *doc, const bk_row *row)
{
    (void)doc;
    return row->code ? row->code : row->name;
}

static int row_matches(const bk_doc *doc, const bk_row *row, const bk_finding *f)
{
    if (!f->row)
        return 0;
    const char *unit = row->unit < doc->nunits ? doc->units[row->unit].name : NULL;
    int key = (row->code && strcmp(row->code, f->row) == 0) || strcmp(row->name, f->row) == 0 ||
              (row->kind == BK_ROW_UNIT && unit && strcmp(unit, f->row) == 0);
    if (!key)
        return 0;
    /* rows of several units can share a code: the finding's unit decides */
    return !f->unit || !unit || strcmp(f->unit, unit) == 0 || row->kind == BK_ROW_UNIT;
}

/* The most severe finding at a cell (col -1: the row's key cell), or -1. */
static long finding_at(const bk_html *h, const bk_doc *doc, const bk_report *r, size_t first,
                       const bk_table *t, size_t ri, const char *col, int *explain)
{
    long best = -1;
    int rank_best = -1;
    *explain = 0;
    for (size_t i = first; i < bk_report_count(r); i++) {
        const bk_finding *f = bk_report_at(r, i);
        if (!f->table || strcmp(f->table, t->tpl->id) != 0)
            continue;
        if ((col && (!f->column || strcmp(f->column, col) != 0)) || (!col && f->column))
            continue;
        if (!row_matches(doc, &t->rows[ri], f))
            continue;
        /* the first row of the block matching the key only */
        int earlier = 0;
        for (size_t k = 0; k < ri && !earlier; k++)
            earlier = row_matches(doc, &t->rows[k], f);
        if (earlier)
            continue;
        if (f->rule && strncmp(f->rule, "explain.", 8) == 0)
            *explain = 1;
        int rank = bk_finding_is_error(f, h->o.strict) ? 3 : f->severity == BK_SEV_WARNING ? 2
                   : f->severity == BK_SEV_ROUNDING ? 1 : 0;
        if (rank > rank_best) {
            rank_best = rank;
            best = (long)i;
        }
    }
    return best;
}

/* The attributes of a cell: its class (extra, and the mark of a finding), the finding's number
 * and a title showing the rule and the figures. */
static void cell_attrs(FILE *out, const bk_report *r, long index, int strict, int explain,
                       const char *extra)
{
    if (index < 0) {
        if (extra)
            fprintf(out, " class=\"%s\"", extra);
        return;
    }
    const bk_finding *f = bk_report_at(r, (size_t)index);
    fprintf(out, " class=\"mark f-%s%s%s%s\" data-f=\"%ld\" tabindex=\"0\" title=\"",
            sev_class(f, strict), explain ? " f-explain" : "", extra ? " " : "", extra ? extra : "",
            index);
    esc(out, f->rule);
    if (f->has_values) {
        fputs(": expected ", out);
        dec(out, f->expected, 0);
        fputs(", actual ", out);
        dec(out, f->actual, 0);
    }
    bk_html_esc_between(out, " (", f->parts, ")");
    fputs("\"", out);
}

/* Does a finding of the document name this row? */
static int row_has_finding(const bk_doc *doc, const bk_table *t, size_t ri, const bk_report *r,
                           size_t first)
{
    for (size_t i = first; i < bk_report_count(r); i++) {
        const bk_finding *f = bk_report_at(r, i);
        if (f->table && strcmp(f->table, t->tpl->id) == 0 && row_matches(doc, &t->rows[ri], f))
            return 1;
    }
    return 0;
}

/* rows_only: only the rows that carry a finding (documents after the first of a bulk). */
static void draw_table(bk_html *h, const bk_doc *doc, const bk_table *t, const bk_report *r,
                       size_t first, size_t docno, int rows_only)
{
    FILE *out = h->body.f;
    const bk_template *tpl = t->tpl;
    fprintf(out, "<section class=\"table\" id=\"d%zu-", docno);
    esc(out, tpl->id);
    fputs("\"><h3>", out);
    esc(out, tpl->id);
    fputs(" ", out);
    esc(out, tpl->title);
    fputs("</h3>", out);
    bk_html_esc_between(out, "<p class=\"label\">", t->unit_label, "</p>");
    fprintf(out, "<p class=\"label\">%s%s</p>", h->o.chinese ? "单位：" : "unit: ", doc->money_unit);
    fputs("<div class=\"scroll\"><table class=\"grid\" data-table=\"", out);
    esc(out, tpl->id);
    fputs("\">\n<thead>", out);
    int codes = 0;
    for (size_t ri = 0; ri < t->nrows && !codes; ri++)
        codes = t->rows[ri].code != NULL;
    bk_html_table_header(out, tpl, h->o.chinese, codes);
    fputs("</thead>\n<tbody>\n", out);
    size_t skipped = 0;
    for (size_t ri = 0; ri < t->nrows; ri++) {
        const bk_row *row = &t->rows[ri];
        if (rows_only && !row_has_finding(doc, t, ri, r, first)) {
            skipped++;
            continue;
        }
        fprintf(out, "<tr class=\"%s\" data-row=\"", bk_row_kind_name((bk_row_kind)row->kind));
        esc(out, row->kind == BK_ROW_UNIT && row->unit < doc->nunits ? doc->units[row->unit].name
                                                                      : row_key(doc, row));
        fputs("\">", out);
        if (codes) {
            fputs("<td class=\"code\">", out);
            esc(out, row->code);
            fputs("</td>", out);
        }
        int explain;
        long fi = finding_at(h, doc, r, first, t, ri, NULL, &explain);
        fputs("<td", out);
        cell_attrs(out, r, fi, h->o.strict, explain, "name");
        bk_html_name_cell_end(out, row,
                              row->kind == BK_ROW_UNIT && row->unit < doc->nunits && !row->name[0]
                                  ? doc->units[row->unit].name : row->name);
        for (size_t c = 0; c < tpl->ncolumns; c++) {
            const bk_cell *cell = bk_table_cell(t, ri, c);
            fi = finding_at(h, doc, r, first, t, ri, tpl->columns[c].id, &explain);
            fputs("<td", out);
            cell_attrs(out, r, fi, h->o.strict, explain, cell->kind == BK_CELL_NUMBER ? "n" : NULL);
            bk_html_value_cell_end(out, &tpl->columns[c], cell);
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table></div>", out);
    if (skipped)
        fprintf(out, "<p class=\"label\">%s%zu%s</p>", h->o.chinese ? "另有" : "", skipped,
                h->o.chinese ? "行无发现，未列出" : " rows without findings not shown");
    bk_html_esc_between(out, "<p class=\"note\">", t->note, "</p>");
    fputs("</section>\n", out);
}

/* The sentence with the figure marked. */
static void quote(FILE *out, const bk_finding *f)
{
    fputs("<blockquote>", out);
    const char *at = f->figure && *f->figure ? strstr(f->quote, f->figure) : NULL;
    if (at) {
        esc_n(out, f->quote, (size_t)(at - f->quote));
        fputs("<mark>", out);
        esc(out, f->figure);
        fputs("</mark>", out);
        esc(out, at + strlen(f->figure));
    } else {
        esc(out, f->quote);
    }
    fputs("</blockquote>", out);
}

static void finding_item(FILE *out, const bk_html *h, const bk_finding *f, long index, size_t docno)
{
    const char *cls = sev_class(f, h->o.strict);
    int zh = h->o.chinese;
    fprintf(out, "<li class=\"finding s-%s\" id=\"f%ld\"><span class=\"sev\">%s</span> <code>", cls,
            index, sev_label(cls, zh));
    esc(out, f->rule);
    fputs("</code> ", out);
    if (f->table) {
        fprintf(out, "<a href=\"#d%zu-", docno);
        esc(out, f->table);
        fputs("\">", out);
        esc(out, f->table);
        fputs("</a> ", out);
    }
    bk_html_esc_between(out, "", f->row, " ");
    bk_html_esc_between(out, "/ ", f->column, " ");
    if (f->part) {
        fputs("「", out);
        esc(out, f->part);
        fputs("」", out);
        if (f->page > 0)
            fprintf(out, " p.%ld", f->page);
    }
    fputs("<div class=\"msg\">", out);
    esc(out, zh ? (f->message_zh ? f->message_zh : f->message_en) : (f->message_en ? f->message_en : f->message_zh));
    fputs("</div>", out);
    if (f->quote) {
        fputs("<div class=\"beside\">", out);
        quote(out, f);
        if (f->has_values) {
            fprintf(out, "<table class=\"vals\"><tr><th>%s</th><td>", zh ? "文字" : "text");
            dec(out, f->actual, 0);
            fprintf(out, "</td></tr><tr><th>%s</th><td>", f->table ? (zh ? "表中" : "table") : (zh ? "计算" : "computed"));
            dec(out, f->expected, 0);
            fprintf(out, "</td></tr><tr><th>%s</th><td>", zh ? "差额" : "difference");
            dec(out, f->difference, 0);
            fputs("</td></tr></table>", out);
        }
        fputs("</div>", out);
    } else if (f->has_values) {
        const struct {
            const char *zh, *en;
            bk_decimal v;
        } vals[] = {{"应为", "expected", f->expected},
                    {"填报", "actual", f->actual},
                    {"差额", "difference", f->difference},
                    {"容差", "bound", f->bound}};
        fputs("<div class=\"vals\">", out);
        for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
            fprintf(out, "%s%s ", i ? " · " : "", zh ? vals[i].zh : vals[i].en);
            dec(out, vals[i].v, 0);
        }
        bk_html_esc_between(out, " · ", f->parts, "");
        fputs("</div>", out);
    }
    fputs("</li>\n", out);
}

static void counts_html(FILE *out, const counts *c, int zh)
{
    fprintf(out, "<span class=\"c s-error\">%zu %s</span> <span class=\"c s-warning\">%zu %s</span> "
                 "<span class=\"c s-rounding\">%zu %s</span> <span class=\"c s-info\">%zu %s</span>",
            c->errors, zh ? "错误" : "errors", c->warnings, zh ? "警告" : "warnings", c->rounding,
            zh ? "尾差" : "within rounding", c->info, zh ? "提示" : "info");
}

bk_status bk_html_document(bk_html *h, const bk_doc *doc, const bk_report *r, size_t first)
{
    FILE *out = h->body.f;
    if (bk_grow((void **)&h->docs, &h->cap, h->ndocs + 1, sizeof *h->docs) != 0)
        return BK_E_NOMEM;
    size_t docno = h->ndocs;
    docline *line = &h->docs[docno];
    memset(line, 0, sizeof *line);
    line->name = bk_strdup(doc->source ? doc->source : "-");
    line->dept = bk_strdup(doc->dept_name ? doc->dept_name : "");
    h->ndocs++;
    if (!line->name || !line->dept)
        return BK_E_NOMEM;
    counts c = {0, 0, 0, 0};
    for (size_t i = first; i < bk_report_count(r); i++)
        bk_report_counts_add(&c, bk_report_at(r, i), h->o.strict);
    line->c = c;
    h->covered = bk_report_count(r);
    int zh = h->o.chinese;
    fprintf(out, "<details class=\"doc\" id=\"d%zu\"%s><summary><b>", docno,
            docno < FULL_DOCUMENTS && (c.errors || docno == 0) ? " open" : "");
    esc(out, doc->dept_name);
    fputs("</b> ", out);
    fprintf(out, "%d · ", doc->fiscal_year);
    esc(out, doc->source);
    fputs(" — ", out);
    counts_html(out, &c, zh);
    fputs("</summary>\n", out);
    if (bk_report_count(r) > first) {
        fputs("<ol class=\"findings\">\n", out);
        for (size_t i = first; i < bk_report_count(r); i++)
            finding_item(out, h, bk_report_at(r, i), (long)i, docno);
        fputs("</ol>\n", out);
    }
    for (size_t t = 0; t < doc->ntables; t++) {
        const bk_table *tab = doc->tables[t];
        int full = docno < FULL_DOCUMENTS, has = 0;
        for (size_t i = first; i < bk_report_count(r) && !has; i++) {
            const bk_finding *f = bk_report_at(r, i);
            has = f->table && strcmp(f->table, tab->tpl->id) == 0;
        }
        if (full || has)
            draw_table(h, doc, tab, r, first, docno, !full);
    }
    fputs("</details>\n", out);
    if (ferror(out))
        h->failed = 1;
    return h->failed ? BK_E_IO : BK_OK;
}

/* ---- the page ---- */

size_t bk_html_end(bk_html *h, const bk_report *r, FILE *out)
{
    int zh = h->o.chinese;
    counts all = {0, 0, 0, 0};
    for (size_t i = 0; i < bk_report_count(r); i++)
        bk_report_counts_add(&all, bk_report_at(r, i), h->o.strict);
    fprintf(out, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                 "<meta name=\"viewport\" content=\"width=device-width\"><title>%s</title>"
                 "<style>%s</style></head><body>\n",
            zh ? "zh-CN" : "en", zh ? "预算校验报告" : "Budget validation report", bk_html_style);
    fprintf(out, "<h1>%s</h1>\n<p class=\"summary\">%zu %s — ", zh ? "预算校验报告" : "Budget validation report",
            bk_report_documents(r), zh ? "个文件" : (bk_report_documents(r) == 1 ? "document" : "documents"));
    counts_html(out, &all, zh);
    fprintf(out, "</p>\n<p class=\"noprint label\">%s</p>\n",
            zh ? "标色单元格为校验发现所在：红色为错误，蓝色为尾差（四舍五入误差内），灰色为提示；双线框为解释一组错误的单元格。点击单元格查看规则、应为数、填报数和相加的各项。"
               : "Marked cells carry findings: red an error, blue within rounding, grey information; a "
                 "double frame marks the one cell that explains a set of errors. Select a cell for its "
                 "rule, expected and actual figures and the parts summed.");
    for (size_t i = h->covered; i < bk_report_count(r); i++) {
        const bk_finding *f = bk_report_at(r, i);
        for (size_t d = 0; d < h->ndocs; d++)
            if (f->document && strcmp(f->document, h->docs[d].name) == 0) {
                bk_report_counts_add(&h->docs[d].c, f, h->o.strict);
                break;
            }
    }
    /* one line per document of a bulk, sortable */
    if (h->ndocs > 1) {
        fprintf(out, "<table class=\"units\"><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                     "<th>%s</th><th>%s</th></tr></thead><tbody>\n",
                zh ? "文件" : "document", zh ? "单位" : "department", zh ? "错误" : "errors", zh ? "警告" : "warnings",
                zh ? "尾差" : "rounding", zh ? "提示" : "info");
        for (size_t d = 0; d < h->ndocs; d++) {
            counts c = h->docs[d].c;
            bk_html_summary_row_start(out, d, h->docs[d].name, h->docs[d].dept);
            fprintf(out, "</td><td data-v=\"%zu\">%zu</td><td data-v=\"%zu\">%zu</td><td data-v=\"%zu\">%zu</td>"
                         "<td data-v=\"%zu\">%zu</td></tr>\n",
                    c.errors, c.errors, c.warnings, c.warnings, c.rounding, c.rounding, c.info, c.info);
        }
        fputs("</tbody></table>\n", out);
    }
    bk_spool_copy(&h->body, out);
    if (h->covered < bk_report_count(r)) {
        fprintf(out, "<h2>%s</h2>\n<ol class=\"findings\">\n", zh ? "跨文件的发现" : "Findings across documents");
        for (size_t i = h->covered; i < bk_report_count(r); i++)
            finding_item(out, h, bk_report_at(r, i), (long)i, 0);
        fputs("</ol>\n", out);
    }
    fprintf(out, "<div id=\"detail\" role=\"status\"></div>\n<script>%s</script>\n</body></html>\n", bk_html_script);
    return all.errors;
}
