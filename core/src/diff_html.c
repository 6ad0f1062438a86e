/* The differences as one self-contained HTML page, in the validation report's look: per pair of
 * documents the list of changes, then each changed table of A and B side by side with the
 * changed cells, the rows on one side only and the renamed or recoded rows marked, and the
 * changed paragraphs of the narrative. A pair's changes are held (list items in a scratch file,
 * marks in memory) until the pair is done, then the pair is written to a temporary file, so
 * memory is bounded by one pair; the summary is written first when the page is assembled.
 * Every text from the input is escaped. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <stdlib.h>
#include <string.h>

#include "budgetkit/alloc.h"
#include "budgetkit/diff.h"
#include "diff_text.h"
#include "html.h"
#include "spool.h"
#include "strpool.h"

/* Pairs drawn with their changed tables in full; after that only the changed rows, so that a
 * bulk of a thousand units stays a page a browser opens. */
#define FULL_PAIRS 20

typedef enum mark_kind { M_CELL, M_ROW, M_RENAMED, M_RECODED, M_TABLE, M_PARA } mark_kind;

/* Where a change is drawn. A change's strings are borrowed: the names are kept in the page's
 * pool, the line is the mark's own. */
typedef struct mark {
    mark_kind kind;
    const char *table;  /* template id; the part's title for M_PARA */
    size_t at_a, at_b;  /* 1 + row index on each side (M_PARA: paragraph number), 0 for none */
    const char *col_a, *col_b; /* column ids on each side (M_CELL) */
    char *title;        /* the change as a line, for the cell's tooltip */
    size_t index;       /* the change's number on the page */
} mark;

typedef struct pairline {
    const char *name, *against;
    size_t changes;
} pairline;

struct bk_diff_html {
    int zh, years;
    /* Names of documents, tables and columns, kept until the page goes (each once: they
     * repeat from pair to pair). */
    bk_strpool names;
    const char *a, *b;
    bk_spool body; /* the pairs, as they are done */
    FILE *items;   /* the current pair's list items */
    long items_len;
    mark *marks;   /* the current pair's */
    size_t nmarks, capmarks;
    size_t pair_changes;
    pairline *pairs;
    size_t npairs, cappairs;
    size_t n, cells, added, removed, other;
    int failed;
};

static bk_status nomem(bk_error *err) { return bk_error_set(err, BK_E_NOMEM, "out of memory"); }

/* s kept in the page's names; NULL stays NULL, and NULL for out of memory. */
static const char *keep(bk_diff_html *h, const char *s)
{
    return s ? bk_strpool_intern(&h->names, s, strlen(s)) : NULL;
}

bk_diff_html *bk_diff_html_new(int chinese, const char *a, const char *b, int years)
{
    bk_diff_html *h = bk_calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->zh = chinese;
    h->years = years;
    h->a = keep(h, a ? a : "A");
    h->b = keep(h, b ? b : "B");
    int body = bk_spool_open(&h->body);
    h->items = tmpfile();
    if (!h->a || !h->b || body != 0 || !h->items) {
        bk_diff_html_free(h);
        return NULL;
    }
    return h;
}

static void clear_marks(bk_diff_html *h)
{
    for (size_t i = 0; i < h->nmarks; i++)
        bk_free(h->marks[i].title);
    h->nmarks = 0;
}

void bk_diff_html_free(bk_diff_html *h)
{
    if (!h)
        return;
    clear_marks(h);
    bk_free(h->marks);
    bk_free(h->pairs);
    bk_spool_close(&h->body);
    if (h->items)
        fclose(h->items);
    bk_strpool_free(&h->names);
    bk_free(h);
}

/* The change as the text printer says it, without its newline; NULL when out of memory. */
static char *line_of(const bk_change *c, int zh)
{
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    if (!f)
        return NULL;
    bk_diff_text_line(f, c, zh);
    if (fclose(f) != 0) {
        free(s);
        return NULL;
    }
    if (len && s[len - 1] == '\n')
        s[len - 1] = '\0';
    char *out = bk_strdup(s);
    free(s);
    return out;
}

static int is(const bk_change *c, const char *kind) { return strcmp(c->kind, kind) == 0; }

static bk_status add_mark(bk_diff_html *h, const bk_change *c, char *line, bk_error *err)
{
    mark m;
    memset(&m, 0, sizeof m);
    m.index = h->n;
    m.at_a = c->at_a;
    m.at_b = c->at_b;
    if (is(c, "cell") || is(c, "text"))
        m.kind = M_CELL;
    else if (is(c, "row-added") || is(c, "row-removed"))
        m.kind = M_ROW;
    else if (is(c, "renamed"))
        m.kind = M_RENAMED;
    else if (is(c, "recoded"))
        m.kind = M_RECODED;
    else if (is(c, "table-added") || is(c, "table-removed")) {
        m.kind = M_TABLE;
        m.at_a = is(c, "table-removed");
        m.at_b = is(c, "table-added");
    } else if (is(c, "paragraph-added") || is(c, "paragraph-removed")) {
        m.kind = M_PARA;
        size_t no = c->row ? (size_t)strtoul(c->row, NULL, 10) : 0;
        m.at_a = is(c, "paragraph-removed") ? no : 0;
        m.at_b = is(c, "paragraph-added") ? no : 0;
    } else {
        bk_free(line);
        return BK_OK; /* listed only */
    }
    m.title = line;
    m.table = keep(h, m.kind == M_PARA ? c->name : c->table);
    if (m.kind == M_CELL) {
        m.col_b = keep(h, c->column);
        m.col_a = keep(h, c->column_a ? c->column_a : c->column);
    }
    if (!m.table || (m.kind == M_CELL && (!m.col_a || !m.col_b)) ||
        bk_grow((void **)&h->marks, &h->capmarks, h->nmarks + 1, sizeof *h->marks) != 0) {
        bk_free(m.title);
        return nomem(err);
    }
    h->marks[h->nmarks++] = m;
    return BK_OK;
}

static const char *change_class(const bk_change *c)
{
    if (is(c, "cell") || is(c, "text"))
        return "c-cell";
    if (is(c, "row-added") || is(c, "paragraph-added") || is(c, "table-added") ||
        is(c, "part-added") || is(c, "unit-added") || is(c, "document-added"))
        return "c-added";
    if (is(c, "row-removed") || is(c, "paragraph-removed") || is(c, "table-removed") ||
        is(c, "part-removed") || is(c, "unit-removed") || is(c, "document-removed"))
        return "c-removed";
    return "c-other";
}

bk_status bk_diff_html_change(const bk_change *c, void *page, bk_error *err)
{
    bk_diff_html *h = page;
    if (is(c, "cell") || is(c, "text"))
        h->cells++;
    else if (is(c, "row-added"))
        h->added++;
    else if (is(c, "row-removed"))
        h->removed++;
    else
        h->other++;
    char *line = line_of(c, h->zh);
    if (!line)
        return nomem(err);
    /* A document without a counterpart is not part of a pair: it goes to the page at once. */
    int alone = is(c, "document-added") || is(c, "document-removed");
    FILE *out = alone ? h->body.f : h->items;
    fprintf(out, "%s<li class=\"change %s\" id=\"f%zu\" data-change=\"", alone ? "<ul class=\"alone\">" : "",
            change_class(c), h->n);
    bk_html_esc(out, c->kind);
    fputs("\">", out);
    if (alone) {
        bk_html_esc(out, c->document);
        fputs(": ", out);
    }
    bk_html_esc(out, line);
    fputs(alone ? "</li></ul>\n" : "</li>\n", out);
    if (!alone)
        h->items_len = ftell(out);
    bk_status st = BK_OK;
    if (alone)
        bk_free(line);
    else
        st = add_mark(h, c, line, err);
    h->n++;
    h->pair_changes += !alone;
    if (ferror(out))
        h->failed = 1;
    return st != BK_OK ? st : h->failed ? bk_error_set(err, BK_E_IO, "cannot write a temporary file") : BK_OK;
}

/* ---- a pair: tables side by side ---- */

static const mark *cell_mark(const mark *const *m, size_t n, int side_b, size_t at, const char *col)
{
    for (size_t i = 0; i < n; i++)
        if (m[i]->kind == M_CELL && (side_b ? m[i]->at_b : m[i]->at_a) == at &&
            strcmp(side_b ? m[i]->col_b : m[i]->col_a, col) == 0)
            return m[i];
    return NULL;
}

static const mark *row_mark(const mark *const *m, size_t n, int side_b, size_t at, mark_kind k)
{
    for (size_t i = 0; i < n; i++)
        if (m[i]->kind == k && (side_b ? m[i]->at_b : m[i]->at_a) == at)
            return m[i];
    return NULL;
}

/* A marked cell: its classes, the change's number and the change as its tooltip. */
static void mark_attrs(FILE *out, const mark *m, const char *cls, const char *extra)
{
    if (!m) {
        if (extra)
            fprintf(out, " class=\"%s\"", extra);
        return;
    }
    fprintf(out, " class=\"mark %s%s%s\" data-f=\"%zu\" tabindex=\"0\" title=\"", cls,
            extra ? " " : "", extra ? extra : "", m->index);
    bk_html_esc(out, m->title);
    fputc('"', out);
}

static const char *unit_of(const bk_doc *d, const bk_row *row)
{
    return row->unit < d->nunits ? d->units[row->unit].name : "";
}

/* One side of a table; m holds the table's marks. rows_only: only the rows with a mark. */
static void draw_side(bk_diff_html *h, const bk_doc *d, const bk_table *t, int side_b,
                      const mark *const *m, size_t nm, int rows_only)
{
    FILE *out = h->body.f;
    const bk_template *tpl = t->tpl;
    fprintf(out, "<div class=\"side side-%c\"><p class=\"label\"><b>%c</b> ", side_b ? 'b' : 'a',
            side_b ? 'B' : 'A');
    bk_html_esc(out, d->source ? d->source : "-");
    fprintf(out, " · %s", h->zh ? "单位：" : "unit: ");
    bk_html_esc(out, d->money_unit);
    fputs("</p><div class=\"scroll\"><table class=\"grid\" data-table=\"", out);
    bk_html_esc(out, tpl->id);
    fprintf(out, "\" data-side=\"%c\">\n<thead>", side_b ? 'b' : 'a');
    int codes = 0;
    for (size_t ri = 0; ri < t->nrows && !codes; ri++)
        codes = t->rows[ri].code != NULL;
    bk_html_table_header(out, tpl, h->zh, codes);
    fputs("</thead>\n<tbody>\n", out);
    size_t skipped = 0;
    for (size_t ri = 0; ri < t->nrows; ri++) {
        const bk_row *row = &t->rows[ri];
        size_t at = ri + 1;
        const mark *only = row_mark(m, nm, side_b, at, M_ROW);
        const mark *renamed = row_mark(m, nm, side_b, at, M_RENAMED);
        const mark *recoded = row_mark(m, nm, side_b, at, M_RECODED);
        int any = only || renamed || recoded;
        for (size_t i = 0; i < nm && !any; i++)
            any = m[i]->kind == M_CELL && (side_b ? m[i]->at_b : m[i]->at_a) == at;
        if (rows_only && !any) {
            skipped++;
            continue;
        }
        fprintf(out, "<tr class=\"%s%s\" data-row=\"", bk_row_kind_name((bk_row_kind)row->kind),
                only ? (side_b ? " d-added" : " d-removed") : "");
        bk_html_esc(out, row->kind == BK_ROW_UNIT ? unit_of(d, row) : row->code ? row->code : row->name);
        fputs("\" data-unit=\"", out);
        bk_html_esc(out, unit_of(d, row));
        fputs("\">", out);
        if (codes) {
            fputs("<td", out);
            mark_attrs(out, recoded ? recoded : only, recoded ? "d-recoded" : "d-row", "code");
            fputs(" data-col=\"#code\">", out);
            bk_html_esc(out, row->code);
            fputs("</td>", out);
        }
        fputs("<td", out);
        mark_attrs(out, renamed ? renamed : codes ? NULL : only, renamed ? "d-renamed" : "d-row", "name");
        bk_html_name_cell_end(out, row, row->kind == BK_ROW_UNIT && !row->name[0] ? unit_of(d, row)
                                                                                : row->name);
        for (size_t c = 0; c < tpl->ncolumns; c++) {
            const bk_cell *cell = bk_table_cell(t, ri, c);
            fputs("<td", out);
            mark_attrs(out, cell_mark(m, nm, side_b, at, tpl->columns[c].id), "d-changed",
                       cell->kind == BK_CELL_NUMBER ? "n" : NULL);
            bk_html_value_cell_end(out, &tpl->columns[c], cell);
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table></div>", out);
    if (skipped)
        fprintf(out, "<p class=\"label\">%s%zu%s</p>", h->zh ? "另有" : "", skipped,
                h->zh ? "行无变化，未列出" : " rows without changes not shown");
    fputs("</div>", out);
}

static void only_side(bk_diff_html *h, int side_b)
{
    fprintf(h->body.f, "<div class=\"side side-%c only\"><p class=\"label\"><b>%c</b> %s</p></div>",
            side_b ? 'b' : 'a', side_b ? 'B' : 'A',
            h->zh ? "无此表" : "has no such table");
}

static void draw_table(bk_diff_html *h, const bk_doc *a, const bk_doc *b, const char *id,
                       size_t pairno, const mark **m, size_t nm)
{
    const bk_table *ta = a ? bk_doc_table(a, id) : NULL, *tb = b ? bk_doc_table(b, id) : NULL;
    const bk_table *t = tb ? tb : ta;
    if (!t)
        return;
    int rows_only = pairno >= FULL_PAIRS;
    if (rows_only && (!ta || !tb))
        return; /* a whole table on one side is listed, not drawn, after the first pairs */
    FILE *out = h->body.f;
    fprintf(out, "<section class=\"table\" id=\"d%zu-", pairno);
    bk_html_esc(out, id);
    fputs("\"><h3>", out);
    bk_html_esc(out, t->tpl->id);
    fputs(" ", out);
    bk_html_esc(out, t->tpl->title);
    fputs("</h3><div class=\"pair\">", out);
    if (ta)
        draw_side(h, a, ta, 0, m, nm, rows_only);
    else
        only_side(h, 0);
    if (tb)
        draw_side(h, b, tb, 1, m, nm, rows_only);
    else
        only_side(h, 1);
    fputs("</div></section>\n", out);
}

/* The text of a part (or the performance goals) as paragraphs: non-blank lines, numbered. */
static void draw_paragraphs(bk_diff_html *h, const bk_doc *d, const char *title, int side_b,
                            const mark **m, size_t nm)
{
    FILE *out = h->body.f;
    const char *text = NULL;
    char *goals = NULL;
    for (size_t i = 0; d && i < d->nnarrative && !text; i++)
        if (bk_label_equal(d->narrative[i].title, title))
            text = d->narrative[i].text;
    if (!text && d && strcmp(title, "绩效目标") == 0) {
        size_t len = 0;
        FILE *f = open_memstream(&goals, &len);
        for (size_t i = 0; f && i < d->performance.ngoals; i++)
            fprintf(f, "%s\n", d->performance.goals[i]);
        if (f)
            fclose(f);
        text = goals;
    }
    fprintf(out, "<div class=\"side side-%c\"><p class=\"label\"><b>%c</b> ", side_b ? 'b' : 'a',
            side_b ? 'B' : 'A');
    bk_html_esc(out, d && d->source ? d->source : "-");
    fputs("</p>", out);
    size_t no = 0, len;
    const char *line;
    while ((line = bk_diff_next_paragraph(&text, &len))) {
        no++;
        const mark *hit = NULL;
        for (size_t i = 0; i < nm && !hit; i++)
            if ((side_b ? m[i]->at_b : m[i]->at_a) == no)
                hit = m[i];
        fprintf(out, "<p class=\"para%s\" data-para=\"%zu\"",
                hit ? (side_b ? " d-added" : " d-removed") : "", no);
        if (hit)
            fprintf(out, " data-f=\"%zu\"", hit->index);
        fprintf(out, "><span class=\"no\">%zu</span> ", no);
        bk_html_esc_n(out, line, len);
        fputs("</p>\n", out);
    }
    fputs("</div>", out);
    free(goals);
}

bk_status bk_diff_html_pair(const bk_doc *a, const bk_doc *b, void *page, bk_error *err)
{
    bk_diff_html *h = page;
    FILE *out = h->body.f;
    size_t pairno = h->npairs;
    if (bk_grow((void **)&h->pairs, &h->cappairs, h->npairs + 1, sizeof *h->pairs) != 0)
        return nomem(err);
    pairline *pl = &h->pairs[h->npairs];
    memset(pl, 0, sizeof *pl);
    pl->name = keep(h, b->source ? b->source : "-");
    pl->against = keep(h, a->source ? a->source : "-");
    pl->changes = h->pair_changes;
    h->npairs++;
    if (!pl->name || !pl->against)
        return nomem(err);
    fprintf(out, "<details class=\"doc\" id=\"d%zu\"%s><summary><b>", pairno,
            pairno < FULL_PAIRS && h->pair_changes ? " open" : "");
    bk_html_esc(out, b->dept_name);
    fprintf(out, "</b> %d · ", b->fiscal_year);
    bk_html_esc(out, b->source ? b->source : "-");
    fprintf(out, " %s ", h->zh ? "对比" : "against");
    bk_html_esc(out, a->source ? a->source : "-");
    if (h->pair_changes)
        fprintf(out, " — <span class=\"c s-warning\">%zu %s</span>", h->pair_changes,
                h->zh ? "处差异" : h->pair_changes == 1 ? "change" : "changes");
    else
        fprintf(out, " — <span class=\"c s-info\">%s</span>", h->zh ? "相同" : "equal");
    fputs("</summary>\n", out);
    bk_status st = BK_OK;
    if (h->pair_changes) {
        fputs("<ol class=\"changes\">\n", out);
        rewind(h->items);
        char buf[65536];
        for (long left = h->items_len; left > 0;) {
            size_t want = left < (long)sizeof buf ? (size_t)left : sizeof buf;
            size_t got = fread(buf, 1, want, h->items);
            if (got == 0) {
                h->failed = 1;
                break;
            }
            fwrite(buf, 1, got, out);
            left -= (long)got;
        }
        rewind(h->items); /* the next pair writes over this one's */
        h->items_len = 0;
        fputs("</ol>\n", out);
    }
    /* Tables in B's order, then those only A has; each with its marks. */
    const mark **m = bk_calloc(h->nmarks + 1, sizeof *m);
    if (!m)
        st = nomem(err);
    for (size_t pass = 0; pass < 2 && st == BK_OK; pass++) {
        const bk_doc *d = pass ? a : b;
        for (size_t t = 0; t < d->ntables; t++) {
            const char *id = d->tables[t]->tpl->id;
            if (pass && bk_doc_table(b, id))
                continue;
            size_t nm = 0;
            for (size_t i = 0; i < h->nmarks; i++)
                if (h->marks[i].kind != M_PARA && strcmp(h->marks[i].table, id) == 0)
                    m[nm++] = &h->marks[i];
            if (nm)
                draw_table(h, a, b, id, pairno, m, nm);
        }
    }
    /* Changed parts of the narrative: each title once, in the order of the changes. */
    for (size_t i = 0; st == BK_OK && i < h->nmarks; i++) {
        if (h->marks[i].kind != M_PARA)
            continue;
        const char *title = h->marks[i].table;
        int drawn = 0;
        for (size_t k = 0; k < i && !drawn; k++)
            drawn = h->marks[k].kind == M_PARA && strcmp(h->marks[k].table, title) == 0;
        if (drawn)
            continue;
        size_t nm = 0;
        for (size_t k = 0; k < h->nmarks; k++)
            if (h->marks[k].kind == M_PARA && strcmp(h->marks[k].table, title) == 0)
                m[nm++] = &h->marks[k];
        fputs("<section class=\"narrative\"><h3>", out);
        bk_html_esc(out, title);
        fputs("</h3><div class=\"pair\">", out);
        draw_paragraphs(h, a, title, 0, m, nm);
        draw_paragraphs(h, b, title, 1, m, nm);
        fputs("</div></section>\n", out);
    }
    bk_free(m);
    fputs("</details>\n", out);
    clear_marks(h);
    h->pair_changes = 0;
    if (ferror(out))
        h->failed = 1;
    if (st == BK_OK && h->failed)
        st = bk_error_set(err, BK_E_IO, "cannot write a temporary file");
    return st;
}

/* ---- the page ---- */

static const char diff_style[] =
    ".pair{display:flex;gap:1em;align-items:flex-start}.side{flex:1;min-width:0}"
    ".side.only{color:#777;font-style:italic}"
    "td.d-changed{background:#fd8;outline:2px solid #b60;outline-offset:-2px}"
    "tr.d-removed td{background:#fdd;text-decoration:line-through}tr.d-added td{background:#dfd}"
    "td.d-renamed,td.d-recoded{background:#e0ecff;outline:2px dashed #124;outline-offset:-2px}"
    "p.para{margin:.2em 0;padding:.1em .4em}p.para .no{color:#888;font-size:11px}"
    "p.d-removed{background:#fdd;text-decoration:line-through}p.d-added{background:#dfd}"
    "ol.changes{padding-left:1.5em}li.change{margin:.2em 0}"
    "li.c-cell{border-left:4px solid #b60;padding-left:.4em}li.c-added{border-left:4px solid #3a3;padding-left:.4em}"
    "li.c-removed{border-left:4px solid #c00;padding-left:.4em}li.c-other{border-left:4px solid #124;padding-left:.4em}"
    "ul.alone{padding-left:1.5em;margin:.2em 0}"
    "@media print{.pair{display:block}}";

size_t bk_diff_html_finish(bk_diff_html *h, const bk_diff_stats *stats, FILE *out)
{
    int zh = h->zh;
    size_t docs = stats ? stats->documents : h->npairs, equal = stats ? stats->equal : 0;
    const char *title = zh ? "预算差异报告" : "Budget differences";
    fprintf(out, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                 "<meta name=\"viewport\" content=\"width=device-width\"><title>%s</title>"
                 "<style>%s%s</style></head><body>\n<h1>%s</h1>\n<p class=\"summary\"><b>A</b> ",
            zh ? "zh-CN" : "en", title, bk_html_style, diff_style, title);
    bk_html_esc(out, h->a);
    fputs(" · <b>B</b> ", out);
    bk_html_esc(out, h->b);
    if (h->years)
        fputs(zh ? "（上年对比）" : " (year against year)", out);
    fputs("</p>\n<p class=\"summary\">", out);
    if (zh)
        fprintf(out, "比较 %zu 对文件，%zu 对相同；%zu 处差异：%zu 个数值变化，%zu 行新增，%zu 行删除，%zu 处其他",
                docs, equal, h->n, h->cells, h->added, h->removed, h->other);
    else
        fprintf(out, "%zu document%s compared, %zu equal; %zu change%s: %zu cell%s, %zu row%s added, "
                     "%zu removed, %zu other",
                docs, docs == 1 ? "" : "s", equal, h->n, h->n == 1 ? "" : "s", h->cells,
                h->cells == 1 ? "" : "s", h->added, h->added == 1 ? "" : "s", h->removed, h->other);
    fprintf(out, "</p>\n<p class=\"noprint label\">%s</p>\n",
            zh ? "A 为原版本（左），B 为新版本（右）。黄色框为数值变化，绿色为仅在 B 中的行或段落，红色删除线为仅在 A 中的，蓝色虚线框为科目名称或编码的变化。点击单元格查看该处差异。"
               : "A is the earlier version (left), B the later (right). A yellow frame marks a changed "
                 "figure, green a row or paragraph only in B, red struck through one only in A, a blue "
                 "dashed frame a changed name or code. Select a cell for its change.");
    if (h->npairs > 1) {
        fprintf(out, "<table class=\"units\"><thead><tr><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>\n",
                zh ? "文件（B）" : "document (B)", zh ? "对比（A）" : "against (A)", zh ? "差异" : "changes");
        for (size_t i = 0; i < h->npairs; i++) {
            bk_html_summary_row_start(out, i, h->pairs[i].name, h->pairs[i].against);
            fprintf(out, "</td><td data-v=\"%zu\">%zu</td></tr>\n", h->pairs[i].changes,
                    h->pairs[i].changes);
        }
        fputs("</tbody></table>\n", out);
    }
    bk_spool_copy(&h->body, out);
    fprintf(out, "<div id=\"detail\" role=\"status\"></div>\n<script>%s</script>\n</body></html>\n",
            bk_html_script);
    return h->n;
}
