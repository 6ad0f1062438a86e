/* The text plugin: budgets published as text extracted from their PDF (formats/text.md).
 *
 * Two shapes: tab-separated lines (a table row per line, a cell per tab, as copied out of a
 * PDF viewer), and `pdftotext -layout` output (columns by character position, pages split by
 * form feeds). The second goes through the positioned-words stage of the core (words.h), with
 * one character as the unit of width; the first is a grid already. Either way the layout
 * engine reads the grid (grid.h); nothing here knows what a budget table looks like beyond
 * where the tables start (the unit line) and where the prose is. */
#include <string.h>
#include <strings.h>

#include "budgetkit/budgetkit.h"
#include "budgetkit/grid.h"
#include "budgetkit/words.h"

static int text_probe(const bk_probe *p)
{
    if (p->is_dir || memchr(p->head, 0, p->head_len))
        return 0;
    if (bk_probe_has_extension(p, "txt"))
        return 80;
    if (memchr(p->head, '\f', p->head_len))
        return 60;
    return 0;
}

/* ---------------------------------------------------------------- lines */

typedef struct tline {
    const char *s;
    size_t len;
    long no;   /* 1-based line of the file */
    long page; /* 1-based, form feeds count */
} tline;

typedef struct tdoc {
    const char *name;
    tline *l;
    size_t n, cap;
} tdoc;

static bk_status split_lines(tdoc *d, const char *s, size_t len)
{
    long page = 1, no = 1;
    size_t i = 0;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i <= len) {
        size_t j = i;
        while (j < len && s[j] != '\n' && s[j] != '\f')
            j++;
        if (bk_grow((void **)&d->l, &d->cap, d->n + 1, sizeof *d->l))
            return BK_E_NOMEM;
        size_t e = j;
        if (e > i && s[e - 1] == '\r')
            e--;
        d->l[d->n++] = (tline){s + i, e - i, no, page};
        if (j < len && s[j] == '\f')
            page++;
        else
            no++;
        if (j >= len)
            break;
        i = j + 1;
    }
    return BK_OK;
}

/* The first invalid byte of s, or len. */
static size_t utf8_check(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0 || i + n > len || (n == 2 && c < 0xC2) || (n == 4 && c > 0xF4))
            return i;
        for (size_t k = 1; k < n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        if ((n == 3 && c == 0xE0 && s[i + 1] < 0xA0) || (n == 3 && c == 0xED && s[i + 1] >= 0xA0) ||
            (n == 4 && c == 0xF0 && s[i + 1] < 0x90) || (n == 4 && c == 0xF4 && s[i + 1] >= 0x90))
            return i;
        i += n;
    }
    return len;
}

static int line_blank(const tline *l)
{
    for (size_t i = 0; i < l->len; i++)
        if (l->s[i] != ' ' && l->s[i] != '\t')
            return 0;
    return 1;
}

static int has_n(const tline *l, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= l->len; i++)
        if (memcmp(l->s + i, needle, m) == 0)
            return 1;
    return 0;
}

/* 单位:万元 on a line of its own cells: where the tables of tab-separated text start. */
static int unit_line(const tline *l)
{
    static const char *const units[] = {"单位:万元", "单位：万元", "单位:元", "单位：元",
                                        "单位: 万元", "单位： 万元", "单位: 元", "单位： 元"};
    for (size_t k = 0; k < sizeof units / sizeof *units; k++)
        if (has_n(l, units[k]))
            return 1;
    return 0;
}

static int part_heading(const tline *l)
{
    const char *s = l->s;
    size_t n = l->len;
    while (n > 0 && (*s == ' ' || *s == '#'))
        s++, n--;
    if (n < 9 || memcmp(s, "第", 3) != 0)
        return 0;
    for (size_t i = 3; i + 6 <= n && i <= 3 + 3 * 4; i++)
        if (memcmp(s + i, "部分", 6) == 0)
            return 1;
    return 0;
}

/* ---------------------------------------------------------------- tab-separated text */

static bk_status add_narrative(bk_grid *g, const tdoc *d, size_t from, size_t to)
{
    /* Text before the first 第…部分 heading is the cover and the contents. */
    size_t i = from;
    while (i < to && !part_heading(&d->l[i]))
        i++;
    while (i < to) {
        const tline *h = &d->l[i];
        size_t j = i + 1;
        while (j < to && !part_heading(&d->l[j]))
            j++;
        size_t a = i + 1, e = j;
        while (a < e && line_blank(&d->l[a]))
            a++;
        while (e > a && line_blank(&d->l[e - 1]))
            e--;
        size_t bytes = 1;
        for (size_t k = a; k < e; k++)
            bytes += d->l[k].len + 1;
        char *text = bk_malloc(bytes), *title = bk_strndup(h->s, h->len);
        if (!text || !title) {
            bk_free(text);
            bk_free(title);
            return BK_E_NOMEM;
        }
        size_t at = 0;
        for (size_t k = a; k < e; k++) {
            memcpy(text + at, d->l[k].s, d->l[k].len);
            at += d->l[k].len;
            if (k + 1 < e)
                text[at++] = '\n';
        }
        text[at] = '\0';
        bk_status st = bk_grid_narrative(g, title, text, 0);
        bk_free(text);
        bk_free(title);
        if (st != BK_OK)
            return st;
        i = j;
    }
    return BK_OK;
}

static bk_status tab_rows(bk_grid *g, const tdoc *d, size_t from)
{
    bk_grid_cell cells[512];
    bk_status st = bk_grid_part(g, "1", BK_GRID_PAGE);
    for (size_t i = from; i < d->n && st == BK_OK; i++) {
        const tline *l = &d->l[i];
        size_t n = 0, a = 0;
        if (line_blank(l)) {
            st = bk_grid_row(g, l->no, NULL, 0);
            continue;
        }
        for (size_t k = 0; k <= l->len; k++) {
            if (k < l->len && l->s[k] != '\t')
                continue;
            if (n == sizeof cells / sizeof *cells)
                return BK_E_LIMIT;
            cells[n] = (bk_grid_cell){l->s + a, k - a, (uint32_t)n, 0, 0, 0, 0, 0};
            n++;
            a = k + 1;
        }
        st = bk_grid_row(g, l->no, cells, n);
    }
    return st;
}

static bk_status read_tabbed(bk_import *job, bk_grid *g, const tdoc *d)
{
    /* The tables start at the title lines above the first unit line. */
    size_t start = d->n;
    for (size_t i = 0; i < d->n && start == d->n; i++)
        if (unit_line(&d->l[i]) && !memchr(d->l[i].s, '\t', d->l[i].len))
            start = i;
    if (start == d->n)
        return bk_error_set(bk_import_error(job), BK_E_CONTENT, "no table in this text: no line gives "
                            "the money unit (单位:万元 or 单位:元)");
    for (size_t back = 0; start > 0 && back < 4;) {
        const tline *p = &d->l[start - 1];
        if (line_blank(p)) {
            start--;
            continue;
        }
        if (p->len > 120 || has_n(p, "。") || has_n(p, "\t"))
            break;
        start--, back++;
    }
    while (start < d->n && line_blank(&d->l[start]))
        start++;
    bk_status st = add_narrative(g, d, 0, start);
    if (st == BK_OK)
        st = tab_rows(g, d, start);
    if (st == BK_E_LIMIT)
        return bk_error_set(bk_import_error(job), st, "a line has more than 512 cells");
    return st == BK_OK ? BK_OK : bk_error_set(bk_import_error(job), st, "out of memory");
}

/* ---------------------------------------------------------------- layout text */

static bk_status read_layout(bk_import *job, bk_grid *g, const tdoc *d)
{
    bk_error *err = bk_import_error(job);
    bk_words *w = bk_words_new(d->name);
    if (!w)
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    bk_status st = BK_OK;
    long page = 0, row = 0;
    for (size_t i = 0; i < d->n && st == BK_OK; i++) {
        const tline *l = &d->l[i];
        if (l->page != page) {
            page = l->page, row = 0;
            st = bk_words_page(w, page);
        }
        row++;
        /* A word: a run of non-blank characters; its x is its first character's column. */
        size_t col = 0, k = 0;
        while (k < l->len && st == BK_OK) {
            if (l->s[k] == ' ') {
                k++, col++;
                continue;
            }
            size_t a = k, c0 = col;
            while (k < l->len && l->s[k] != ' ') {
                unsigned char c = (unsigned char)l->s[k];
                k += c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
                col++;
            }
            if (k > l->len)
                k = l->len;
            st = bk_words_add(w, l->s + a, k - a, (double)c0, 2.0 * (double)row, (double)col,
                              2.0 * (double)row + 2.0, l->no);
        }
    }
    if (st == BK_OK)
        st = bk_words_grid(w, g, err);
    else if (st == BK_E_LIMIT)
        bk_error_set(err, st, "more words than the reader takes");
    else if (err->code == BK_OK)
        bk_error_set(err, st, "out of memory");
    bk_words_free(w);
    return st;
}

static bk_status text_import(bk_import *job)
{
    const char *name = bk_source_name(bk_import_source(job));
    bk_error *err = bk_import_error(job);
    const unsigned char *data;
    size_t len;
    if (bk_import_slurp(job, &data, &len) != BK_OK)
        return err->code;
    size_t bad = utf8_check(data, len);
    if (bad < len) {
        long line = 1;
        for (size_t i = 0; i < bad; i++)
            line += data[i] == '\n';
        bk_error_set(err, BK_E_CONTENT, "byte %zu is not UTF-8 (save the text as UTF-8)", bad);
        bk_error_at(err, name, line, 0, (long long)bad);
        return BK_E_CONTENT;
    }
    tdoc d = {name, NULL, 0, 0};
    bk_grid *g = bk_grid_new(name);
    bk_status st = g ? split_lines(&d, (const char *)data, len) : BK_E_NOMEM;
    if (st != BK_OK) {
        bk_error_set(err, BK_E_NOMEM, "out of memory");
    } else {
        int tabs = memchr(data, '\t', len) != NULL;
        st = tabs ? read_tabbed(job, g, &d) : read_layout(job, g, &d);
        if (st == BK_OK)
            st = bk_grid_import(job, g);
    }
    bk_grid_free(g);
    bk_free(d.l);
    return st;
}

BK_PLUGIN(text, .version = "1.0.0", .license = "MIT",
          .summary = "text extracted from a published budget: tab-separated, or pdftotext -layout",
          .kinds = BK_PLUGIN_IMPORT, .extensions = BK_PLUGIN_EXTENSIONS("txt"),
          .media_type = "text/plain", .priority = 5, BK_PLUGIN_IMPORTER(text))
